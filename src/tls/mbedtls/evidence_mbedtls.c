/**
 * @file evidence_mbedtls.c
 * @brief What Mbed TLS's verification found, told in the neutral terms of transport_tls.h:
 *        the chain as built and as sent, each certificate described, the flags mapped to
 *        MQTLS_TLS_BAD_*.
 */
#include "mbedtls_be.h"
#include "x509_ext.h"

#include <stdio.h>
#include <string.h>
#if MQTLS_TLS_POSIX
#include <arpa/inet.h>
#endif

#include <mbedtls/ecp.h>


uint32_t mqtls__mbedtls_problems(uint32_t f)
{
    static const struct {
        uint32_t flag;
        uint32_t bad;
    } map[] = {
        {MBEDTLS_X509_BADCERT_EXPIRED, MQTLS_TLS_BAD_EXPIRED},
        {MBEDTLS_X509_BADCERT_FUTURE, MQTLS_TLS_BAD_FUTURE},
        {MBEDTLS_X509_BADCERT_CN_MISMATCH, MQTLS_TLS_BAD_NAME},
        {MBEDTLS_X509_BADCERT_KEY_USAGE, MQTLS_TLS_BAD_KEY_USAGE},
        {MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, MQTLS_TLS_BAD_EXT_KEY_USAGE},
        {MBEDTLS_X509_BADCERT_BAD_MD, MQTLS_TLS_BAD_WEAK_HASH},
        {MBEDTLS_X509_BADCERT_BAD_KEY, MQTLS_TLS_BAD_WEAK_KEY},
        {MBEDTLS_X509_BADCERT_REVOKED, MQTLS_TLS_BAD_REVOKED},
    };
    uint32_t bad = 0, known = MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        known |= map[i].flag;
        if (f & map[i].flag)
            bad |= map[i].bad;
    }
    /* Netscape cert type, an unacceptable signature algorithm, a missing certificate, CRL
     * troubles: no neutral word of their own. */
    if (f & ~known)
        bad |= MQTLS_TLS_BAD_OTHER;
    return bad;
}

/* The chain reached no trusted root at @p crt, its top: why, in the neutral terms. A top
 * that is not self-issued lacks its issuer (a missing intermediate); a self-issued one is
 * an untrusted root, or the server's own self-signed certificate. */
static uint32_t untrusted(const mbedtls_x509_crt *crt, int depth)
{
    bool self_issued = crt->subject_raw.len == crt->issuer_raw.len &&
                       memcmp(crt->subject_raw.p, crt->issuer_raw.p, crt->subject_raw.len) == 0;
    if (!self_issued)
        return MQTLS_TLS_BAD_NO_ISSUER;
    return depth == 0 ? MQTLS_TLS_BAD_SELF_SIGNED : MQTLS_TLS_BAD_UNTRUSTED;
}

static void format_time(char *out, size_t size, const mbedtls_x509_time *tm)
{
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d", tm->year, tm->mon, tm->day, tm->hour,
             tm->min, tm->sec);
}

/* An iPAddress subjectAltName as text: inet_ntop() on a POSIX host; a firmware has none,
 * and writes dotted IPv4 and IPv6 as eight uncompressed groups itself. */
#if MQTLS_TLS_POSIX
#define IP_TEXT_MAX INET6_ADDRSTRLEN
#define ip_text(ip, len, out, size)                                                       \
    (((len) == 4 && inet_ntop(AF_INET, ip, out, size)) ||                                 \
     ((len) == 16 && inet_ntop(AF_INET6, ip, out, size)))
#else
#define IP_TEXT_MAX 40
static bool ip_text(const unsigned char *ip, size_t len, char *out, size_t size)
{
    if (len == 4)
        return snprintf(out, size, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]) > 0;
    if (len != 16)
        return false;
    size_t used = 0;
    for (int i = 0; i < 16 && used < size; i += 2)
        used += (size_t)snprintf(out + used, size - used, "%s%x", i ? ":" : "",
                                 (unsigned)(ip[i] << 8 | ip[i + 1]));
    return used < size;
}
#endif

/* The DNS and IP subjectAltNames (those a host name is checked against), whole names. */
static void san_names(const mbedtls_x509_crt *crt, char *out, size_t size)
{
    mqtls_x509_iter_t it = {0};
    mqtls_x509_san_t san;
    size_t used = 0;
    out[0] = '\0';
    while (mqtls__x509_san_next(crt, &it, &san)) {
        char one[272], ip[IP_TEXT_MAX];
        if (san.type == MQTLS_X509_SAN_DNS && san.len < 256)
            snprintf(one, sizeof one, "DNS:%.*s", (int)san.len, (const char *)san.val);
        else if (san.type == MQTLS_X509_SAN_IP && ip_text(san.val, san.len, ip, sizeof ip))
            snprintf(one, sizeof one, "IP:%s", ip);
        else
            continue;
        if (!mqtls__tls_add_name(out, size, &used, one))
            return;
    }
}

static void key_words(const mbedtls_x509_crt *crt, char *out, size_t size)
{
    mbedtls_pk_type_t type = mbedtls_pk_get_type(&crt->pk);
    if (type == MBEDTLS_PK_RSA) {
        snprintf(out, size, "RSA %u", (unsigned)mbedtls_pk_get_bitlen(&crt->pk));
        return;
    }
    if (type != MBEDTLS_PK_ECKEY && type != MBEDTLS_PK_ECKEY_DH && type != MBEDTLS_PK_ECDSA) {
        snprintf(out, size, "%s", mbedtls_pk_get_name(&crt->pk));
        return;
    }
    mbedtls_ecp_group_id id = mbedtls_pk_ec(crt->pk)->MBEDTLS_PRIVATE(grp).id;
    const mbedtls_ecp_curve_info *info = mbedtls_ecp_curve_info_from_grp_id(id);
    const char *name = id == MBEDTLS_ECP_DP_SECP256R1   ? "P-256"
                       : id == MBEDTLS_ECP_DP_SECP384R1 ? "P-384"
                       : id == MBEDTLS_ECP_DP_SECP521R1 ? "P-521"
                       : info                           ? info->name
                                                        : "?";
    snprintf(out, size, "EC %s", name);
}

/* The signature algorithm by its usual (OpenSSL's) name. */
static void sig_words(const mbedtls_x509_crt *crt, char *out, size_t size)
{
    mbedtls_md_type_t md = crt->MBEDTLS_PRIVATE(sig_md);
    mbedtls_pk_type_t pk = crt->MBEDTLS_PRIVATE(sig_pk);
    const char *h = md == MBEDTLS_MD_MD5      ? "MD5"
                    : md == MBEDTLS_MD_SHA1   ? "SHA1"
                    : md == MBEDTLS_MD_SHA224 ? "SHA224"
                    : md == MBEDTLS_MD_SHA256 ? "SHA256"
                    : md == MBEDTLS_MD_SHA384 ? "SHA384"
                    : md == MBEDTLS_MD_SHA512 ? "SHA512"
                                              : "?";
    if (pk == MBEDTLS_PK_RSASSA_PSS) {
        snprintf(out, size, "rsassaPss");
    } else if (pk == MBEDTLS_PK_ECDSA) {
        snprintf(out, size, "ecdsa-with-%s", h);
    } else if (pk == MBEDTLS_PK_RSA) {
        char lower[8];
        size_t i = 0;
        for (; h[i] && i + 1 < sizeof lower; i++)
            lower[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] - 'A' + 'a' : h[i]);
        lower[i] = '\0';
        snprintf(out, size, "%sWithRSAEncryption", lower);
    } else {
        snprintf(out, size, "?");
    }
}

static void describe(mqtls_tls_cert_info_t *ci, const mbedtls_x509_crt *crt)
{
    bool ca = false;
    int path_len;
    mbedtls_x509_dn_gets(ci->subject, sizeof ci->subject, &crt->subject);
    mbedtls_x509_dn_gets(ci->issuer, sizeof ci->issuer, &crt->issuer);
    format_time(ci->not_before, sizeof ci->not_before, &crt->valid_from);
    format_time(ci->not_after, sizeof ci->not_after, &crt->valid_to);
    mbedtls_sha256(crt->raw.p, crt->raw.len, ci->sha256, 0);
    san_names(crt, ci->names, sizeof ci->names);
    key_words(crt, ci->key, sizeof ci->key);
    sig_words(crt, ci->sig_alg, sizeof ci->sig_alg);
    ci->is_ca = mqtls__x509_basic_constraints(crt, &ca, &path_len) && ca;
    mqtls__tls_serial_hex(ci->serial, sizeof ci->serial, crt->serial.p, crt->serial.len);
}

/* The chain as the server sent it: the certificate at depth 0 heads the list Mbed TLS
 * parsed from the Certificate message (the same list mbedtls_ssl_get_peer_cert() returns
 * once the handshake is over; during a failed one only the callback sees it). Problems
 * are those verification found on the same certificate in the built chain. */
static void note_sent(mqtls_tls_t *t, const mbedtls_x509_crt *head)
{
    unsigned i = 0;
    for (const mbedtls_x509_crt *c = head; c && c->raw.p; c = c->next, i++) {
        mqtls_tls_cert_info_t *ci = mqtls__tls_cert_slot(t, true, i);
        if (!ci)
            return;
        describe(ci, c);
        for (unsigned k = 0; t->ev.chain && k < t->ev.chain_len; k++)
            if (memcmp(t->ev.chain[k].sha256, ci->sha256, sizeof ci->sha256) == 0)
                ci->problems = t->ev.chain[k].problems;
    }
}

/* @p top (at @p depth in the built chain) lacks an issuer; one by name in @p list that
 * Mbed TLS passed over, and why: not a CA, no keyCertSign, a pathLenConstraint the chain
 * below it exceeds, or else its signature. 0: none (the issuer is missing). */
static uint32_t issuer_refused(const mbedtls_x509_crt *top, unsigned depth,
                               const mbedtls_x509_crt *list)
{
    for (const mbedtls_x509_crt *c = list; c && c->raw.p; c = c->next) {
        bool ca = false;
        int path_len = -1;
        uint32_t ku;
        if (c == top || c->subject_raw.len != top->issuer_raw.len ||
            memcmp(c->subject_raw.p, top->issuer_raw.p, c->subject_raw.len) != 0)
            continue;
        if (!mqtls__x509_basic_constraints(c, &ca, &path_len) || !ca)
            return MQTLS_TLS_BAD_NOT_CA;
        if (mqtls__x509_key_usage(c, &ku) && !(ku & MBEDTLS_X509_KU_KEY_CERT_SIGN))
            return MQTLS_TLS_BAD_KEY_USAGE;
        /* Below it: @p depth intermediates (the top and those under it, the server's own
         * certificate aside). */
        if (path_len >= 0 && (unsigned)path_len < depth)
            return MQTLS_TLS_BAD_PATH_LEN;
        /* A CA of that name that may sign, passed over all the same: its signature on the
         * top does not verify (a CA made again with another key), as OpenSSL's
         * X509_V_ERR_CERT_SIGNATURE_FAILURE says. */
        return MQTLS_TLS_BAD_SIGNATURE;
    }
    return 0;
}

/* A top without its issuer (NO_ISSUER) may have one at hand, sent or trusted, that Mbed
 * TLS would not take: then that is the problem, as OpenSSL names it. Run at depth 0, when
 * the whole chain is known; @p sent heads the certificates the server sent. */
static void refine_no_issuer(mqtls_tls_t *t, const mbedtls_x509_crt *sent)
{
    if (!t->certs || t->ev.chain_len == 0 || t->ev.chain_len > MQTLS_TLS_CHAIN_MAX)
        return;
    unsigned depth = t->ev.chain_len - 1u;
    mqtls_tls_cert_info_t *ti = &t->certs->chain[depth];
    if (!(ti->problems & MQTLS_TLS_BAD_NO_ISSUER))
        return;
    const mbedtls_x509_crt *top = sent;
    uint8_t sha[32];
    for (; top && top->raw.p; top = top->next) {
        mbedtls_sha256(top->raw.p, top->raw.len, sha, 0);
        if (memcmp(sha, ti->sha256, sizeof sha) == 0)
            break;
    }
    if (!top || !top->raw.p)
        return;
    const mqtls_mbedtls_ctx_t *be = t->ctx->be;
    uint32_t why = issuer_refused(top, depth, sent);
    if (!why)
        why = issuer_refused(top, depth, &be->ca);
    if (!why)
        return;
    ti->problems = (ti->problems & ~MQTLS_TLS_BAD_NO_ISSUER) | why;
    t->ev.problems = (t->ev.problems & ~MQTLS_TLS_BAD_NO_ISSUER) | why;
}

int mqtls__mbedtls_verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    mqtls_tls_t *t = p;
    /* An IP literal is not handed to Mbed TLS as the host name (it would go out as SNI):
     * it is checked here against the iPAddress SANs. */
    if (depth == 0 && t->host_is_ip && !mqtls__x509_has_ip_san(crt, t->host_ip, t->host_ip_len))
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    uint32_t bad = mqtls__mbedtls_problems(*flags);
    if (*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        bad |= untrusted(crt, depth);
    t->ev.verified = true;
    t->ev.problems |= bad;
    struct mqtls_tls_conn *c = t->conn;
    if (depth >= 0 && depth < MQTLS_TLS_CHAIN_MAX) {
        c->built[depth] = crt;
        c->built_bad[depth] = bad;
        if ((unsigned)depth + 1u > c->built_len)
            c->built_len = (uint8_t)(depth + 1);
    }
    /* Depth 0 comes last: the whole chain is known. Described now only if it will be read. */
    if (depth == 0 && (t->ev.problems || t->ctx->cfg.keep_chain))
        mqtls__mbedtls_describe_chain(t);
    return 0;
}

void mqtls__mbedtls_describe_chain(mqtls_tls_t *t)
{
    struct mqtls_tls_conn *c = t->conn;
    if (!c || c->described || c->built_len == 0 || !c->built[0])
        return;
    c->described = true;
    for (unsigned i = 0; i < c->built_len; i++) {
        mqtls_tls_cert_info_t *ci = c->built[i] ? mqtls__tls_cert_slot(t, false, i) : NULL;
        if (ci) {
            describe(ci, c->built[i]);
            ci->problems = c->built_bad[i];
        }
    }
    refine_no_issuer(t, c->built[0]);
    note_sent(t, c->built[0]);
}

void mqtls__mbedtls_verify_result(mqtls_tls_t *t, uint32_t flags)
{
    /* Only what the callback saw counts as verification: before the Certificate message
     * the session being negotiated reads 0 ("no problem"), not "not verified". */
    if (!t->ev.verified || flags == (uint32_t)-1)
        return;
    /* Checked on the server's certificate after the callback: key usage for the suite,
     * extended key usage, the curve of its key. */
    uint32_t later = MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
                     MBEDTLS_X509_BADCERT_NS_CERT_TYPE | MBEDTLS_X509_BADCERT_BAD_KEY;
    uint32_t bad = mqtls__mbedtls_problems(flags & later);
    if (!bad)
        return;
    t->ev.problems |= bad;
    if (t->certs && t->ev.chain_len > 0)
        t->certs->chain[0].problems |= bad;
    if (t->certs && t->ev.sent_len > 0)
        t->certs->sent[0].problems |= bad;
}
