/**
 * @file verify.c
 * @brief Verification of the server's chain with OpenSSL, told as neutral evidence: every
 *        problem on the certificate it belongs to, the chain as sent and as built, and what
 *        the handshake messages showed (alerts, a certificate requested and sent).
 *
 * OpenSSL stops at the first verification error unless a callback lets it go on. We let
 * it go on (recording each error with its depth) so the evidence lists every problem, then
 * decide ourselves: any problem fails the handshake unless verification is off (insecure).
 */
#include "ossl.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static uint32_t problem_of(int err)
{
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: /* follows from the missing issuer */
        return MQTLS_TLS_BAD_NO_ISSUER;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return MQTLS_TLS_BAD_UNTRUSTED;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return MQTLS_TLS_BAD_SELF_SIGNED;
    case X509_V_ERR_CERT_HAS_EXPIRED: return MQTLS_TLS_BAD_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID: return MQTLS_TLS_BAD_FUTURE;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return MQTLS_TLS_BAD_NAME;
    case X509_V_ERR_INVALID_PURPOSE: return MQTLS_TLS_BAD_EXT_KEY_USAGE;
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN: return MQTLS_TLS_BAD_KEY_USAGE;
    case X509_V_ERR_INVALID_CA: return MQTLS_TLS_BAD_NOT_CA;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED: return MQTLS_TLS_BAD_PATH_LEN;
    case X509_V_ERR_CERT_REVOKED: return MQTLS_TLS_BAD_REVOKED;
    case X509_V_ERR_CA_MD_TOO_WEAK: return MQTLS_TLS_BAD_WEAK_HASH;
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_EE_KEY_TOO_SMALL: return MQTLS_TLS_BAD_WEAK_KEY;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE: return MQTLS_TLS_BAD_SIGNATURE;
    default: return MQTLS_TLS_BAD_OTHER;
    }
}

/* OpenSSL reports an extendedKeyUsage without serverAuth and a keyUsage that forbids the use
 * alike, as X509_V_ERR_INVALID_PURPOSE: the certificate's own extensions tell which (RFC 5280,
 * 4.2.1.3 and 4.2.1.12). The server's certificate needs one of the keyUsage bits TLS uses, a
 * CA keyCertSign. */
static uint32_t purpose_problem(X509 *x, int depth)
{
    uint32_t fl = x ? X509_get_extension_flags(x) : 0;
    if (depth == 0 && (fl & EXFLAG_XKUSAGE) && !(X509_get_extended_key_usage(x) & XKU_SSL_SERVER))
        return MQTLS_TLS_BAD_EXT_KEY_USAGE;
    uint32_t need = depth == 0 ? KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT
                               : KU_KEY_CERT_SIGN;
    if ((fl & EXFLAG_KUSAGE) && !(X509_get_key_usage(x) & need))
        return MQTLS_TLS_BAD_KEY_USAGE;
    return MQTLS_TLS_BAD_EXT_KEY_USAGE;
}

/* ---- one certificate, told ---------------------------------------------------------- */

static void name_line(char *out, size_t size, const X509_NAME *name)
{
    out[0] = '\0';
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem)
        return;
    /* The certificate's own order ("C=US, O=Org, CN=Name", as Mbed TLS writes it, so that
     * the evidence reads the same with either backend), ", " between parts, UTF-8 kept. */
    unsigned long flags = (XN_FLAG_RFC2253 & ~(XN_FLAG_SEP_MASK | XN_FLAG_DN_REV |
                                               ASN1_STRFLGS_ESC_MSB)) |
                          XN_FLAG_SEP_CPLUS_SPC;
    if (X509_NAME_print_ex(mem, name, 0, flags) >= 0) {
        int n = BIO_read(mem, out, (int)size - 1);
        out[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
}

static void time_line(char *out, size_t size, const ASN1_TIME *at)
{
    struct tm tm;
    out[0] = '\0';
    if (at && ASN1_TIME_to_tm(at, &tm))
        strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static void san_names(char *out, size_t size, X509 *x)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char one[INET6_ADDRSTRLEN + 260];
        if (g->type == GEN_DNS) {
            const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
            int len = ASN1_STRING_length(g->d.dNSName);
            snprintf(one, sizeof one, "DNS:%.*s", len > 255 ? 255 : len, (const char *)d);
        } else if (g->type == GEN_IPADD) {
            int len = ASN1_STRING_length(g->d.iPAddress);
            char ip[INET6_ADDRSTRLEN] = "?";
            if (len == 4 || len == 16)
                inet_ntop(len == 4 ? AF_INET : AF_INET6,
                          ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof ip);
            snprintf(one, sizeof one, "IP:%s", ip);
        } else {
            continue;
        }
        if (!mqtls__tls_add_name(out, size, &used, one))
            break;
    }
    GENERAL_NAMES_free(names);
}

static void key_line(char *out, size_t size, X509 *x)
{
    EVP_PKEY *key = X509_get0_pubkey(x);
    out[0] = '\0';
    if (!key)
        return;
    int id = EVP_PKEY_get_base_id(key);
    char group[64];
    if (id == EVP_PKEY_RSA) {
        snprintf(out, size, "RSA %d", EVP_PKEY_get_bits(key));
    } else if (id == EVP_PKEY_EC && EVP_PKEY_get_group_name(key, group, sizeof group, NULL)) {
        const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
        snprintf(out, size, "EC %.20s", nist ? nist : group);
    } else if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) {
        snprintf(out, size, "%s", id == EVP_PKEY_ED25519 ? "Ed25519" : "Ed448");
    } else {
        snprintf(out, size, "%s %d", OBJ_nid2sn(id), EVP_PKEY_get_bits(key));
    }
}

static void describe(mqtls_tls_cert_info_t *ci, X509 *x)
{
    name_line(ci->subject, sizeof ci->subject, X509_get_subject_name(x));
    name_line(ci->issuer, sizeof ci->issuer, X509_get_issuer_name(x));
    time_line(ci->not_before, sizeof ci->not_before, X509_get0_notBefore(x));
    time_line(ci->not_after, sizeof ci->not_after, X509_get0_notAfter(x));
    unsigned len = 0;
    X509_digest(x, EVP_sha256(), ci->sha256, &len);
    san_names(ci->names, sizeof ci->names, x);
    key_line(ci->key, sizeof ci->key, x);
    int sig = X509_get_signature_nid(x);
    snprintf(ci->sig_alg, sizeof ci->sig_alg, "%s", sig != NID_undef ? OBJ_nid2ln(sig) : "");
    ci->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    mqtls__tls_serial_hex(ci->serial, sizeof ci->serial, ASN1_STRING_get0_data(serial),
                          (size_t)ASN1_STRING_length(serial));
}

/* ---- verification ------------------------------------------------------------------ */

static mqtls_tls_t *conn_of_store(X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    return ssl ? mqtls__ossl_conn_of(ssl) : NULL;
}

/* Called by X509_verify_cert for each problem: note it where it belongs, and go on. */
static int note_error(int ok, X509_STORE_CTX *store)
{
    mqtls_tls_t *t = conn_of_store(store);
    int err = X509_STORE_CTX_get_error(store);
    if (ok || !t || err == X509_V_OK)
        return 1;
    /* No CRL of this certificate's issuer in crl_file: it is not checked (crl.c). */
    if (err == X509_V_ERR_UNABLE_TO_GET_CRL)
        return 1;
    struct mqtls_tls_conn *c = t->conn;
    uint32_t bit = problem_of(err);
    int depth = X509_STORE_CTX_get_error_depth(store);
    if (err == X509_V_ERR_INVALID_PURPOSE)
        bit = purpose_problem(X509_STORE_CTX_get_current_cert(store), depth);
    if (depth >= 0 && depth < MQTLS_TLS_CHAIN_MAX)
        c->at[depth] |= bit;
    c->all |= bit;
    if (!c->first_err)
        c->first_err = err;
    return 1;
}

static void record_chains(mqtls_tls_t *t, X509_STORE_CTX *store)
{
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(store);
    unsigned n = 0;
    mqtls_tls_cert_info_t *ci;
    /* The untrusted list is what the server sent, its own certificate first. */
    if (!sent || sk_X509_num(sent) == 0 || X509_cmp(sk_X509_value(sent, 0), leaf) != 0)
        if (leaf && (ci = mqtls__tls_cert_slot(t, true, n++)))
            describe(ci, leaf);
    for (int i = 0; sent && i < sk_X509_num(sent); i++)
        if ((ci = mqtls__tls_cert_slot(t, true, n++)))
            describe(ci, sk_X509_value(sent, i));
    STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(store);
    for (int i = 0; built && i < sk_X509_num(built) && i < MQTLS_TLS_CHAIN_MAX; i++)
        if ((ci = mqtls__tls_cert_slot(t, false, (unsigned)i))) {
            describe(ci, sk_X509_value(built, i));
            ci->problems = t->conn->at[i];
        }
}

/* An issuer that is not a CA also fails the purpose check OpenSSL makes of every CA (read
 * as the extendedKeyUsage or the keyUsage, purpose_problem()): that is the same fault, told
 * once. */
static void drop_consequences(struct mqtls_tls_conn *c)
{
    uint32_t placed = 0, kept = 0;
    for (unsigned i = 0; i < MQTLS_TLS_CHAIN_MAX; i++) {
        placed |= c->at[i];
        if (i > 0 && (c->at[i] & MQTLS_TLS_BAD_NOT_CA))
            c->at[i] &= ~(MQTLS_TLS_BAD_EXT_KEY_USAGE | MQTLS_TLS_BAD_KEY_USAGE);
        kept |= c->at[i];
    }
    c->all = kept | (c->all & ~placed); /* and what had no certificate to go on */
}

/* The handshake's verification of the server (SSL_CTX_set_cert_verify_callback). */
static int verify_chain(X509_STORE_CTX *store, void *arg)
{
    (void)arg;
    mqtls_tls_t *t = conn_of_store(store);
    if (!t)
        return 0;
    struct mqtls_tls_conn *c = t->conn;
    c->first_err = 0;
    c->all = 0;
    memset(c->at, 0, sizeof c->at);
    /* Any certificate the user trusts is an anchor, an intermediate too, as with Mbed TLS
     * (and `mqtls cert check`): a CA file holding the broker's issuing intermediate works. */
    X509_STORE_CTX_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    X509_STORE_CTX_set_verify_cb(store, note_error);
    struct ossl_ctx *be = t->ctx->be;
    unsigned char key[32];
    bool keyed = mqtls__ossl_vcache_key(be->vcache, t, store, key);
    STACK_OF(X509) *known =
        keyed ? mqtls__ossl_vcache_find(be->vcache, key, X509_STORE_CTX_get0_cert(store), t)
              : NULL;
    int ok = 1;
    if (known)
        X509_STORE_CTX_set0_verified_chain(store, known); /* verified before, still valid */
    else
        ok = X509_verify_cert(store);
    if (ok <= 0 && !c->first_err) { /* failed without telling the callback (no memory) */
        c->first_err = X509_STORE_CTX_get_error(store);
        if (!c->first_err)
            c->first_err = X509_V_ERR_UNSPECIFIED;
        c->all |= MQTLS_TLS_BAD_OTHER;
    }
    drop_consequences(c);
    if (!known)
        record_chains(t, store);
    if (keyed && !known && ok > 0 && !c->first_err)
        mqtls__ossl_vcache_add(be->vcache, key, X509_STORE_CTX_get0_chain(store), t);
    t->ev.verified = true;
    t->ev.problems = c->all;
    if (!c->first_err || t->ev.insecure) {
        X509_STORE_CTX_set_error(store, X509_V_OK);
        return 1;
    }
    X509_STORE_CTX_set_error(store, c->first_err);
    return 0;
}

/* ---- what the handshake messages show ----------------------------------------------- */

/* A Certificate message carries a list of certificates: is ours empty? (TLS 1.3 puts a
 * request context before it.) */
static bool certificate_empty(const unsigned char *m, size_t len, bool tls13)
{
    size_t at = 4;
    if (tls13) {
        if (len < 5)
            return true;
        at += 1 + m[4];
    }
    if (len < at + 3)
        return true;
    return (m[at] | m[at + 1] | m[at + 2]) == 0;
}

static void on_message(int write_p, int version, int type, const void *buf, size_t len,
                       SSL *ssl, void *arg)
{
    (void)version;
    (void)arg;
    mqtls_tls_t *t = mqtls__ossl_conn_of(ssl);
    const unsigned char *m = buf;
    if (!t || !t->conn || len < 1)
        return;
    if (type == SSL3_RT_ALERT && len >= 2) {
        /* Encrypted alerts (TLS 1.3) too: tls.c sees only those sent in the clear. Our own
         * close_notify at the end of a connection is no evidence of its handshake. */
        if (m[1] == SSL3_AD_CLOSE_NOTIFY && SSL_is_init_finished(ssl))
            return;
        if (write_p)
            t->ev.alert_sent = m[1];
        else
            t->ev.alert_received = m[1];
        return;
    }
    if (type != SSL3_RT_HANDSHAKE)
        return;
    if (!write_p && m[0] == SSL3_MT_CERTIFICATE_REQUEST)
        t->ev.cert_requested = true;
    else if (!write_p && m[0] == SSL3_MT_NEWSESSION_TICKET)
        t->conn->verdict = true;
    else if (write_p && m[0] == SSL3_MT_CERTIFICATE)
        t->ev.cert_sent = !certificate_empty(m, len, SSL_version(ssl) == TLS1_3_VERSION);
}

void mqtls__ossl_verify_setup(SSL_CTX *ssl)
{
    SSL_CTX_set_cert_verify_callback(ssl, verify_chain, NULL);
    SSL_CTX_set_msg_callback(ssl, on_message);
}
