/**
 * @file tls_mbedtls.c
 * @brief The TLS transport: Mbed TLS over the TCP transport, non-blocking, with evidence.
 *
 * The handshake is driven by repeated connect calls (the session's step). While it runs,
 * the BIO callbacks watch the plaintext TLS records both ways, which is how the alert the
 * server sent (Mbed TLS 2.28 has no getter for it) and the alert we sent are recorded.
 */
#include "mqtls/transport_tls.h"
#include "x509_ext.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

#include "compat.h"

enum { ST_CLOSED, ST_TCP, ST_HANDSHAKE, ST_OPEN };

#define REC_CCS 20
#define REC_ALERT 21

static uint32_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* ---- evidence ---------------------------------------------------------------------- */

static void ev_reset(mqtls_tls_t *t)
{
    memset(&t->ev, 0, sizeof t->ev);
    memset(&t->in_rec, 0, sizeof t->in_rec);
    memset(&t->out_rec, 0, sizeof t->out_rec);
    t->ev.alert_received = -1;
    t->ev.alert_sent = -1;
    t->ev.first_byte = -1;
    t->ev.insecure = t->cfg.insecure;
}

static mqtls_status_t ev_fail(mqtls_tls_t *t, mqtls_tls_stage_t stage, mqtls_status_t st,
                              int raw, mqtls_tls_item_t item)
{
    t->ev.stage = stage;
    t->ev.status = st;
    t->ev.raw_error = raw;
    t->ev.item = item;
    if (raw < 0)
        mbedtls_strerror(raw, t->ev.detail, sizeof t->ev.detail);
    else if (raw > 0 && stage == MQTLS_TLS_STAGE_TCP)
        snprintf(t->ev.detail, sizeof t->ev.detail, "%s", strerror(raw));
    return st;
}

const char *mqtls_tls_alert_name(int a)
{
    switch (a) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "unknown_alert";
    }
}

/* Follows TLS record boundaries in one direction and notes an alert sent in the clear
 * (before that side's ChangeCipherSpec: later alerts are encrypted). */
static void watch(struct mqtls_tls_rec *r, const uint8_t *p, size_t n, int *alert)
{
    for (size_t i = 0; i < n; i++) {
        if (r->got < 5) {
            r->hdr[r->got++] = p[i];
            if (r->got == 5) {
                r->left = (uint16_t)((r->hdr[3] << 8) | r->hdr[4]);
                r->alert_got = 0;
                if (r->left == 0)
                    r->got = 0;
            }
            continue;
        }
        if (r->hdr[0] == REC_ALERT && !r->ccs_seen && r->alert_got < 2 && r->alert_got++ == 1)
            *alert = p[i];
        if (--r->left == 0) {
            r->ccs_seen = r->ccs_seen || r->hdr[0] == REC_CCS;
            r->got = 0;
        }
    }
}

/* ---- BIO over the TCP transport ------------------------------------------------------ */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    mqtls_tls_t *t = ctx;
    mqtls_iov_t iov = {buf, len};
    int32_t n = mqtls_tcp_transport.send(&t->tcp, &iov, 1);
    if (n == 0)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (n < 0)
        return MBEDTLS_ERR_NET_SEND_FAILED;
    if (t->state == ST_HANDSHAKE)
        watch(&t->out_rec, buf, (size_t)n, &t->ev.alert_sent);
    return (int)n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    mqtls_tls_t *t = ctx;
    int32_t n = mqtls_tcp_transport.recv(&t->tcp, buf, len);
    if (n == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (n < 0) /* EOF or reset: the peer is gone */
        return n == -(int32_t)MQTLS_ERR_CLOSED ? 0 : MBEDTLS_ERR_NET_CONN_RESET;
    if (t->state == ST_HANDSHAKE) {
        if (t->ev.bytes_received == 0)
            t->ev.first_byte = buf[0];
        t->ev.bytes_received += (uint32_t)n;
        watch(&t->in_rec, buf, (size_t)n, &t->ev.alert_received);
    }
    return (int)n;
}

/* ---- verification ------------------------------------------------------------------ */

static void format_time(char *out, size_t size, const mbedtls_x509_time *tm)
{
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d", tm->year, tm->mon, tm->day, tm->hour,
             tm->min, tm->sec);
}

/* The subjectAltNames in words, whole names only (a host name check needs them exact). */
static void san_names(const mbedtls_x509_crt *crt, char *out, size_t size)
{
    mqtls_x509_iter_t it = {0};
    mqtls_x509_san_t san;
    size_t used = 0;
    out[0] = '\0';
    while (mqtls_x509_san_next(crt, &it, &san)) {
        char one[272], ip[INET6_ADDRSTRLEN];
        if (san.type == MQTLS_X509_SAN_DNS && san.len < 256)
            snprintf(one, sizeof one, "DNS:%.*s", (int)san.len, (const char *)san.val);
        else if (san.type == MQTLS_X509_SAN_IP &&
                 ((san.len == 4 && inet_ntop(AF_INET, san.val, ip, sizeof ip)) ||
                  (san.len == 16 && inet_ntop(AF_INET6, san.val, ip, sizeof ip))))
            snprintf(one, sizeof one, "IP:%s", ip);
        else
            continue; /* e-mail, URI, ...: not names a host is checked against */
        for (char *p = one; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7E)
                *p = '?';
        size_t need = strlen(one) + (used ? 2 : 0);
        if (used + need + 5 >= size) { /* room for ", ..." stays */
            snprintf(out + used, size - used, "%s...", used ? ", " : "");
            return;
        }
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", one);
    }
}

static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    mqtls_tls_t *t = ctx;
    /* Mbed TLS 2.28 matches only DNS names: an IP literal is checked against iPAddress SANs. */
    if (depth == 0 && t->host_is_ip && !mqtls_x509_has_ip_san(crt, t->host_ip, t->host_ip_len))
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    if (depth < 0 || depth >= MQTLS_TLS_CHAIN_MAX)
        return 0;
    mqtls_tls_cert_info_t *ci = &t->ev.chain[depth];
    mbedtls_x509_dn_gets(ci->subject, sizeof ci->subject, &crt->subject);
    mbedtls_x509_dn_gets(ci->issuer, sizeof ci->issuer, &crt->issuer);
    format_time(ci->not_before, sizeof ci->not_before, &crt->valid_from);
    format_time(ci->not_after, sizeof ci->not_after, &crt->valid_to);
    COMPAT_SHA256(crt->raw.p, crt->raw.len, ci->sha256);
    san_names(crt, ci->names, sizeof ci->names);
    ci->flags = *flags;
    if ((uint8_t)(depth + 1) > t->ev.chain_len)
        t->ev.chain_len = (uint8_t)(depth + 1);
    return 0;
}

/* ---- credentials ------------------------------------------------------------------- */

static bool looks_pem(const uint8_t *buf, size_t len)
{
    static const char tag[] = "-----BEGIN";
    for (size_t i = 0; i + sizeof tag - 1 <= len; i++)
        if (buf[i] == '-' && memcmp(buf + i, tag, sizeof tag - 1) == 0)
            return true;
    return false;
}

/* Mbed TLS wants PEM with its terminating NUL counted; firmware arrays often lack it. */
static int with_nul(const uint8_t *buf, size_t len, uint8_t **copy, size_t *outlen)
{
    *copy = NULL;
    *outlen = len;
    if (len == 0 || buf[len - 1] == '\0' || !looks_pem(buf, len))
        return 0;
    *copy = mbedtls_calloc(1, len + 1); /* Mbed TLS's allocator, like the handshake's */
    if (!*copy)
        return MBEDTLS_ERR_X509_ALLOC_FAILED;
    memcpy(*copy, buf, len);
    *outlen = len + 1;
    return 0;
}

static void free_copy(uint8_t *copy, size_t len)
{
    if (copy) {
        mbedtls_platform_zeroize(copy, len);
        mbedtls_free(copy);
    }
}

/* A file we cannot open is reported with the system's words, not Mbed TLS's. */
static mqtls_status_t file_check(mqtls_tls_t *t, const char *path, mqtls_tls_item_t item)
{
    struct stat st;
    int err = stat(path, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EISDIR : 0;
    if (err == EISDIR && !S_ISDIR(st.st_mode))
        err = EINVAL; /* a FIFO or device: Mbed TLS would read it without end */
    if (err == 0 && access(path, R_OK) == 0)
        return MQTLS_OK;
    if (err == 0)
        err = errno;
    ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, 0, item);
    snprintf(t->ev.detail, sizeof t->ev.detail, "%s: %s", path, strerror(err));
    return MQTLS_ERR_TLS_CREDENTIALS;
}

static mqtls_status_t parse_crts(mqtls_tls_t *t, mbedtls_x509_crt *chain, const char *file,
                                 const uint8_t *mem, size_t len, mqtls_tls_item_t item)
{
    int ret;
    if (file) {
        mqtls_status_t st = file_check(t, file, item);
        if (st != MQTLS_OK)
            return st;
        ret = mbedtls_x509_crt_parse_file(chain, file);
    } else {
        uint8_t *copy;
        size_t n;
        if ((ret = with_nul(mem, len, &copy, &n)) == 0)
            ret = mbedtls_x509_crt_parse(chain, copy ? copy : mem, n);
        free_copy(copy, n);
    }
    if (ret == 0)
        return MQTLS_OK;
    ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, ret < 0 ? ret : 0, item);
    if (ret > 0) /* some PEM blocks of a bundle did not parse */
        snprintf(t->ev.detail, sizeof t->ev.detail, "%d certificate(s) could not be parsed", ret);
    return MQTLS_ERR_TLS_CREDENTIALS;
}

static mqtls_status_t load_key(mqtls_tls_t *t)
{
    const mqtls_tls_cfg_t *c = &t->cfg;
    int ret;
    if (c->key_file) {
        mqtls_status_t st = file_check(t, c->key_file, MQTLS_TLS_ITEM_KEY);
        if (st != MQTLS_OK)
            return st;
        ret = COMPAT_PK_PARSE_KEYFILE(&t->key, c->key_file, c->key_pass, &t->drbg);
    } else {
        uint8_t *copy;
        size_t n;
        const uint8_t *pw = (const uint8_t *)c->key_pass;
        if ((ret = with_nul(c->key_mem, c->key_mem_len, &copy, &n)) == 0)
            ret = COMPAT_PK_PARSE_KEY(&t->key, copy ? copy : c->key_mem, n, pw,
                                      pw ? strlen(c->key_pass) : 0, &t->drbg);
        free_copy(copy, n);
    }
    if (ret != 0)
        return ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, ret,
                       MQTLS_TLS_ITEM_KEY);
    return MQTLS_OK;
}

static mqtls_status_t load_ca(mqtls_tls_t *t)
{
    const mqtls_tls_cfg_t *c = &t->cfg;
    mqtls_status_t st = MQTLS_OK;
    if (c->ca_file)
        st = parse_crts(t, &t->ca, c->ca_file, NULL, 0, MQTLS_TLS_ITEM_CA);
    if (st == MQTLS_OK && c->ca_mem)
        st = parse_crts(t, &t->ca, NULL, c->ca_mem, c->ca_mem_len, MQTLS_TLS_ITEM_CA);
    if (st == MQTLS_OK && c->ca_path) {
        int ret = mbedtls_x509_crt_parse_path(&t->ca, c->ca_path);
        /* A directory may hold other files; it is fine while some roots were read. */
        if (ret < 0 || t->ca.raw.p == NULL) {
            ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, ret < 0 ? ret : 0,
                    MQTLS_TLS_ITEM_CA);
            if (ret >= 0)
                snprintf(t->ev.detail, sizeof t->ev.detail, "%s: no certificate found",
                         c->ca_path);
            return MQTLS_ERR_TLS_CREDENTIALS;
        }
    }
    if (st == MQTLS_OK && t->ca.raw.p == NULL && !c->insecure) {
        ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM,
                MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED, MQTLS_TLS_ITEM_CA);
        snprintf(t->ev.detail, sizeof t->ev.detail, "no CA configured to verify the server");
        return MQTLS_ERR_BAD_PARAM;
    }
    return st;
}

static mqtls_status_t load_identity(mqtls_tls_t *t)
{
    const mqtls_tls_cfg_t *c = &t->cfg;
    bool has_cert = c->cert_file || c->cert_mem, has_key = c->key_file || c->key_mem;
    if (!has_cert && !has_key)
        return MQTLS_OK;
    if (has_cert != has_key) {
        ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                has_cert ? MQTLS_TLS_ITEM_KEY : MQTLS_TLS_ITEM_CERT);
        snprintf(t->ev.detail, sizeof t->ev.detail, "a client certificate needs its key, and "
                                                     "a key its certificate");
        return MQTLS_ERR_BAD_PARAM;
    }
    mqtls_status_t st = parse_crts(t, &t->cert, c->cert_file, c->cert_mem, c->cert_mem_len,
                                   MQTLS_TLS_ITEM_CERT);
    if (st == MQTLS_OK)
        st = load_key(t);
    if (st != MQTLS_OK)
        return st;
    int ret = COMPAT_PK_CHECK_PAIR(&t->cert.pk, &t->key, &t->drbg);
    if (ret != 0) {
        ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_KEY_MISMATCH, ret,
                MQTLS_TLS_ITEM_KEY);
        snprintf(t->ev.detail, sizeof t->ev.detail,
                 "the private key does not belong to the certificate");
        return MQTLS_ERR_TLS_KEY_MISMATCH;
    }
    return MQTLS_OK;
}

/* ---- settings ---------------------------------------------------------------------- */

/* IANA names ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") to Mbed TLS suite ids. */
static mqtls_status_t parse_ciphers(mqtls_tls_t *t)
{
    const char *s = t->cfg.ciphers;
    size_t n = 0;
    while (s && *s) {
        char name[80];
        size_t len = strcspn(s, ":, ");
        if (len == 0 || len >= sizeof name || n + 1 >= sizeof t->suites / sizeof t->suites[0])
            goto bad;
        for (size_t i = 0; i < len; i++)
            name[i] = (char)(s[i] == '_' ? '-' : s[i]);
        name[len] = '\0';
        int id = mbedtls_ssl_get_ciphersuite_id(name);
        if (id == 0)
            goto bad;
        t->suites[n++] = id;
        s += len;
        s += strspn(s, ":, ");
    }
    t->suites[n] = 0;
    return MQTLS_OK;
bad:
    ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0, MQTLS_TLS_ITEM_SETTINGS);
    snprintf(t->ev.detail, sizeof t->ev.detail, "unknown or unsupported cipher suite in '%s'",
             t->cfg.ciphers);
    return MQTLS_ERR_BAD_PARAM;
}

static mqtls_status_t versions(mqtls_tls_t *t, int *min, int *max)
{
    *min = t->cfg.min_version ? t->cfg.min_version : MQTLS_TLS_V1_2;
    *max = t->cfg.max_version ? t->cfg.max_version : (COMPAT_HAS_TLS13 ? 13 : 12);
    if ((*min == 13 || *max == 13) && !COMPAT_HAS_TLS13) {
        ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_UNSUPPORTED, 0, MQTLS_TLS_ITEM_SETTINGS);
        snprintf(t->ev.detail, sizeof t->ev.detail,
                 "TLS 1.3 is not available in the linked Mbed TLS %s", MBEDTLS_VERSION_STRING);
        return MQTLS_ERR_UNSUPPORTED;
    }
    if (*min < 12 || *max > 13 || *min > *max) {
        ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0, MQTLS_TLS_ITEM_SETTINGS);
        snprintf(t->ev.detail, sizeof t->ev.detail, "TLS versions: 1.2 and 1.3 only, min <= max");
        return MQTLS_ERR_BAD_PARAM;
    }
    if (*max == 13 && !COMPAT_HAS_TLS13) {
        ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_UNSUPPORTED, 0, MQTLS_TLS_ITEM_SETTINGS);
        snprintf(t->ev.detail, sizeof t->ev.detail,
                 "TLS 1.3 is not available in the linked Mbed TLS %s", MBEDTLS_VERSION_STRING);
        return MQTLS_ERR_UNSUPPORTED;
    }
    return MQTLS_OK;
}

static int mfl_code(uint16_t len)
{
    switch (len) {
    case 512: return MBEDTLS_SSL_MAX_FRAG_LEN_512;
    case 1024: return MBEDTLS_SSL_MAX_FRAG_LEN_1024;
    case 2048: return MBEDTLS_SSL_MAX_FRAG_LEN_2048;
    case 4096: return MBEDTLS_SSL_MAX_FRAG_LEN_4096;
    default: return -1;
    }
}

static mqtls_status_t configure(mqtls_tls_t *t)
{
    int min, max, ret;
    mqtls_status_t st = versions(t, &min, &max);
    if (st == MQTLS_OK && t->cfg.ciphers)
        st = parse_ciphers(t);
    if (st != MQTLS_OK)
        return st;
    mbedtls_ssl_config *conf = &t->conf;
    ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret)
        return ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, ret, MQTLS_TLS_ITEM_SETTINGS);
    compat_conf_versions(conf, min, max);
    /* Insecure still verifies, so the evidence shows what would have failed. */
    mbedtls_ssl_conf_authmode(conf, t->cfg.insecure ? MBEDTLS_SSL_VERIFY_OPTIONAL
                                                    : MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_verify(conf, verify_cb, t);
    mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED); /* AWS */
    if (t->cert.raw.p && (ret = mbedtls_ssl_conf_own_cert(conf, &t->cert, &t->key)) != 0)
        return ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, ret, MQTLS_TLS_ITEM_CERT);
    if (t->cfg.ciphers)
        mbedtls_ssl_conf_ciphersuites(conf, t->suites);
    if (t->cfg.alpn && (ret = mbedtls_ssl_conf_alpn_protocols(conf, (const char **)t->cfg.alpn)))
        return ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, ret,
                       MQTLS_TLS_ITEM_SETTINGS);
    if (t->cfg.max_fragment_len) {
        int code = mfl_code(t->cfg.max_fragment_len);
        if (code < 0 || mbedtls_ssl_conf_max_frag_len(conf, (unsigned char)code) != 0) {
            ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                    MQTLS_TLS_ITEM_SETTINGS);
            snprintf(t->ev.detail, sizeof t->ev.detail,
                     "max_fragment_len %u: 0, 512, 1024, 2048 or 4096 only",
                     (unsigned)t->cfg.max_fragment_len);
            return MQTLS_ERR_BAD_PARAM;
        }
    }
    if ((ret = mbedtls_ssl_setup(&t->ssl, conf)) != 0)
        return ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, ret, MQTLS_TLS_ITEM_SETTINGS);
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
    return MQTLS_OK;
}

/* ---- life cycle -------------------------------------------------------------------- */

void mqtls_tls_init(mqtls_tls_t *t)
{
    memset(t, 0, sizeof *t);
    mqtls_tcp_init(&t->tcp, 0);
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_x509_crt_init(&t->cert);
    mbedtls_pk_init(&t->key);
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
    t->ev.alert_received = t->ev.alert_sent = t->ev.first_byte = -1;
}

mqtls_status_t mqtls_tls_setup(mqtls_tls_t *t, const mqtls_tls_cfg_t *cfg)
{
    if (!t || !cfg)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_tls_free(t);
    mqtls_tls_init(t);
    t->cfg = *cfg;
    ev_reset(t);
    t->ev.stage = MQTLS_TLS_STAGE_CREDENTIALS;
    static const unsigned char pers[] = "mqtls";
    int ret = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, pers,
                                    sizeof pers - 1);
    if (ret)
        return ev_fail(t, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, ret, MQTLS_TLS_ITEM_NONE);
    mqtls_status_t st = load_ca(t);
    if (st == MQTLS_OK)
        st = load_identity(t);
    if (st == MQTLS_OK)
        st = configure(t);
    if (st == MQTLS_OK) {
        t->ready = true;
        t->ev.stage = MQTLS_TLS_STAGE_NONE;
    }
    return st;
}

void mqtls_tls_free(mqtls_tls_t *t)
{
    if (!t)
        return;
    mqtls_tls_transport.close(t);
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_x509_crt_free(&t->cert);
    mbedtls_pk_free(&t->key); /* zeroizes the key material */
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
    mbedtls_platform_zeroize(t, sizeof *t);
    mqtls_tls_init(t);
}

const mqtls_tls_evidence_t *mqtls_tls_evidence(const mqtls_tls_t *t)
{
    return &t->ev;
}

int mqtls_tls_fd(const mqtls_tls_t *t)
{
    return mqtls_tcp_fd(&t->tcp);
}

/* ---- the transport ----------------------------------------------------------------- */

static void record_negotiated(mqtls_tls_t *t)
{
    t->ev.verify_flags = mbedtls_ssl_get_verify_result(&t->ssl);
    if (t->ev.verify_flags == (uint32_t)-1)
        t->ev.verify_flags = 0; /* verification never ran */
    t->ev.cert_requested = COMPAT_CLIENT_AUTH_REQUESTED(&t->ssl) != 0;
    t->ev.cert_sent = t->ev.cert_requested && t->cert.raw.p != NULL;
    const char *v = mbedtls_ssl_get_version(&t->ssl), *cs = mbedtls_ssl_get_ciphersuite(&t->ssl);
    const char *alpn = mbedtls_ssl_get_alpn_protocol(&t->ssl);
    snprintf(t->ev.version, sizeof t->ev.version, "%s", v && t->state == ST_OPEN ? v : "");
    snprintf(t->ev.ciphersuite, sizeof t->ev.ciphersuite, "%s", cs ? cs : "");
    for (char *p = t->ev.ciphersuite; *p; p++)
        if (*p == '-')
            *p = '_';
    snprintf(t->ev.alpn, sizeof t->ev.alpn, "%s", alpn ? alpn : "");
}

static mqtls_status_t handshake_status(int ret)
{
    switch (ret) {
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
        return MQTLS_ERR_TLS_VERIFY;
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
        return MQTLS_ERR_TLS_ALERT;
    case MBEDTLS_ERR_SSL_CONN_EOF:
    case MBEDTLS_ERR_NET_CONN_RESET:
        return MQTLS_ERR_CLOSED;
    case MBEDTLS_ERR_NET_SEND_FAILED:
        return MQTLS_ERR_IO;
    default:
        return MQTLS_ERR_TLS_HANDSHAKE;
    }
}

static mqtls_status_t start_handshake(mqtls_tls_t *t, const char *host)
{
    int ret = mbedtls_ssl_session_reset(&t->ssl);
    /* SNI and name checks use the host name; an IP literal is checked by verify_cb
     * against iPAddress SANs and is not sent as SNI (RFC 6066, 3). */
    if (ret == 0 && !t->host_is_ip)
        ret = mbedtls_ssl_set_hostname(&t->ssl, host);
    if (ret != 0) {
        t->state = ST_CLOSED;
        mqtls_tcp_transport.close(&t->tcp);
        return ev_fail(t, MQTLS_TLS_STAGE_HANDSHAKE, MQTLS_ERR_TLS, ret, MQTLS_TLS_ITEM_NONE);
    }
    t->state = ST_HANDSHAKE;
    t->ev.stage = MQTLS_TLS_STAGE_HANDSHAKE;
    t->hs_start_ms = now_ms();
    return MQTLS_IN_PROGRESS;
}

/* The peer may have sent an alert and closed while we were still writing our flight: the
 * write fails (EPIPE/ECONNRESET) but the alert still waits in the socket. */
static void drain_alert(mqtls_tls_t *t)
{
    uint8_t buf[256];
    for (int i = 0; i < 64; i++) {
        int32_t n = mqtls_tcp_transport.recv(&t->tcp, buf, sizeof buf);
        if (n <= 0)
            break;
        if (t->ev.bytes_received == 0)
            t->ev.first_byte = buf[0];
        t->ev.bytes_received += (uint32_t)n;
        watch(&t->in_rec, buf, (size_t)n, &t->ev.alert_received);
    }
}

/* Milliseconds the handshake may still take. */
static uint32_t hs_left_ms(const mqtls_tls_t *t)
{
    uint32_t limit = t->cfg.handshake_timeout_ms ? t->cfg.handshake_timeout_ms : 10000u;
    uint32_t spent = now_ms() - t->hs_start_ms;
    return spent >= limit ? 0 : limit - spent;
}

static mqtls_status_t continue_handshake(mqtls_tls_t *t)
{
    int ret = mbedtls_ssl_handshake(&t->ssl);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        t->hs_want_write = ret == MBEDTLS_ERR_SSL_WANT_WRITE;
        if (hs_left_ms(t) > 0)
            return MQTLS_IN_PROGRESS;
        ret = MBEDTLS_ERR_SSL_TIMEOUT;
    }
    if (ret == 0)
        t->state = ST_OPEN;
    record_negotiated(t);
    if (ret == 0) {
        t->ev.stage = MQTLS_TLS_STAGE_ESTABLISHED;
        t->ev.status = MQTLS_OK;
        return MQTLS_OK;
    }
    if (ret == MBEDTLS_ERR_NET_SEND_FAILED || ret == MBEDTLS_ERR_NET_CONN_RESET ||
        ret == MBEDTLS_ERR_SSL_CONN_EOF)
        drain_alert(t);
    t->state = ST_CLOSED;
    mqtls_tcp_transport.close(&t->tcp);
    mqtls_status_t st = ret == MBEDTLS_ERR_SSL_TIMEOUT ? MQTLS_ERR_TIMEOUT : handshake_status(ret);
    if (st != MQTLS_ERR_TIMEOUT && t->ev.alert_received >= 0)
        st = MQTLS_ERR_TLS_ALERT;
    return ev_fail(t, MQTLS_TLS_STAGE_HANDSHAKE, st, ret, MQTLS_TLS_ITEM_NONE);
}

static void note_host(mqtls_tls_t *t, const char *host)
{
    t->host_is_ip = false;
    if (inet_pton(AF_INET, host, t->host_ip) == 1) {
        t->host_is_ip = true;
        t->host_ip_len = 4;
    } else if (inet_pton(AF_INET6, host, t->host_ip) == 1) {
        t->host_is_ip = true;
        t->host_ip_len = 16;
    }
}

static mqtls_status_t tls_connect(void *ctx, const char *host, uint16_t port)
{
    mqtls_tls_t *t = ctx;
    if (!t->ready)
        return MQTLS_ERR_BAD_PARAM;
    if (t->state == ST_OPEN)
        return MQTLS_OK;
    if (t->state == ST_CLOSED) {
        ev_reset(t);
        note_host(t, t->cfg.server_name ? t->cfg.server_name : host);
        t->ev.stage = MQTLS_TLS_STAGE_TCP;
        t->state = ST_TCP;
    }
    if (t->state == ST_TCP) {
        mqtls_status_t st = mqtls_tcp_transport.connect(&t->tcp, host, port);
        if (st == MQTLS_IN_PROGRESS)
            return st;
        if (st != MQTLS_OK) {
            t->state = ST_CLOSED;
            return ev_fail(t, MQTLS_TLS_STAGE_TCP, st, t->tcp.last_errno, MQTLS_TLS_ITEM_NONE);
        }
        if ((st = start_handshake(t, t->cfg.server_name ? t->cfg.server_name : host)) !=
            MQTLS_IN_PROGRESS)
            return st;
    }
    return continue_handshake(t);
}

static int32_t tls_send(void *ctx, const mqtls_iov_t *iov, size_t n)
{
    mqtls_tls_t *t = ctx;
    unsigned char stage[1024];
    size_t total = 0;
    int ret;
    if (t->state != ST_OPEN)
        return -(int32_t)MQTLS_ERR_CLOSED;
    for (size_t i = 0; i < n; i++)
        total += iov[i].len;
    /* Small pieces (a header and its payload) leave as one record, not one each. */
    if (n > 1 && total <= sizeof stage) {
        unsigned char *p = stage;
        for (size_t i = 0; i < n; i++) {
            memcpy(p, iov[i].base, iov[i].len);
            p += iov[i].len;
        }
        ret = mbedtls_ssl_write(&t->ssl, stage, total);
    } else {
        ret = mbedtls_ssl_write(&t->ssl, iov[0].base, iov[0].len);
    }
    if (ret == MBEDTLS_ERR_SSL_WANT_WRITE || ret == MBEDTLS_ERR_SSL_WANT_READ)
        return 0;
    if (ret < 0)
        return -(int32_t)(ret == MBEDTLS_ERR_NET_SEND_FAILED ? MQTLS_ERR_IO : MQTLS_ERR_TLS);
    return ret;
}

static int32_t tls_recv(void *ctx, uint8_t *buf, size_t len)
{
    mqtls_tls_t *t = ctx;
    if (t->state != ST_OPEN)
        return -(int32_t)MQTLS_ERR_CLOSED;
    int ret = mbedtls_ssl_read(&t->ssl, buf, len);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
        return 0;
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF ||
        ret == MBEDTLS_ERR_NET_CONN_RESET)
        return -(int32_t)MQTLS_ERR_CLOSED;
    if (ret < 0) {
        t->ev.raw_error = ret;
        return -(int32_t)MQTLS_ERR_TLS;
    }
    return ret;
}

static mqtls_status_t tls_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    mqtls_tls_t *t = ctx;
    if (!for_write && t->state == ST_OPEN && mbedtls_ssl_get_bytes_avail(&t->ssl) > 0)
        return MQTLS_OK; /* decrypted bytes already wait in Mbed TLS */
    if (t->state == ST_HANDSHAKE) { /* the session cannot know what the handshake awaits */
        for_write = t->hs_want_write;
        uint32_t left = hs_left_ms(t);
        if (timeout_ms > left)
            timeout_ms = left;
    }
    return mqtls_tcp_transport.wait(&t->tcp, for_write, timeout_ms);
}

static void tls_close(void *ctx)
{
    mqtls_tls_t *t = ctx;
    if (t->state == ST_TCP || t->state == ST_HANDSHAKE) {
        mqtls_tls_stage_t stage = t->state == ST_TCP ? MQTLS_TLS_STAGE_TCP : MQTLS_TLS_STAGE_HANDSHAKE;
        if (t->state == ST_HANDSHAKE)
            record_negotiated(t);
        ev_fail(t, stage, MQTLS_ERR_TIMEOUT, 0, MQTLS_TLS_ITEM_NONE);
        snprintf(t->ev.detail, sizeof t->ev.detail,
                 "abandoned by the caller during the %s (connect timeout)",
                 t->state == ST_TCP ? "TCP connect" : "handshake");
    }
    if (t->state == ST_OPEN)
        (void)mbedtls_ssl_close_notify(&t->ssl);
    t->state = ST_CLOSED;
    mqtls_tcp_transport.close(&t->tcp);
}

const mqtls_transport_t mqtls_tls_transport = {tls_connect, tls_send, tls_recv, tls_wait,
                                               tls_close};
