/**
 * @file tls_openssl.c
 * @brief The OpenSSL 3 backend of the TLS transport: the context's settings (one SSL_CTX
 *        shared by every connection made from it), the connection (one SSL, its I/O through
 *        tls.c), the handshake's outcome and application data.
 *
 * Verification and its evidence are in verify.c, credentials in creds.c, PKCS#11 keys in
 * pkcs11.c. OpenSSL's error queue is per thread: it is read and emptied where a failure is
 * told, so one connection's errors never show up in another's evidence.
 */
#include "ossl.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small things ------------------------------------------------------------------ */

static char backend_name[48];
static CRYPTO_ONCE name_once = CRYPTO_ONCE_STATIC_INIT;

static void name_init(void)
{
    snprintf(backend_name, sizeof backend_name, "OpenSSL %s",
             OpenSSL_version(OPENSSL_VERSION_STRING));
}

const char *mqtls__tlsb_name(void)
{
    if (!CRYPTO_THREAD_run_once(&name_once, name_init))
        return "OpenSSL";
    return backend_name;
}

unsigned long mqtls__ossl_take_error(char *out, size_t size)
{
    unsigned long code = ERR_peek_error();
    if (code && out && size)
        ERR_error_string_n(code, out, size);
    ERR_clear_error();
    return code;
}

mqtls_tls_t *mqtls__ossl_conn_of(const SSL *ssl)
{
    return SSL_get_app_data(ssl);
}

static mqtls_status_t settings_fail(mqtls_tls_evidence_t *ev, mqtls_status_t st,
                                    const char *what, const char *value)
{
    ERR_clear_error();
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, st, 0, MQTLS_TLS_ITEM_SETTINGS,
                           "%s%s%s", what, value ? ": " : "", value ? value : "");
}

/* ---- versions ---------------------------------------------------------------------- */

static int version_code(int v, int dflt)
{
    return v == 0 ? dflt : v == MQTLS_TLS_V1_2 ? TLS1_2_VERSION
                         : v == MQTLS_TLS_V1_3 ? TLS1_3_VERSION : -1;
}

/* A cipher list of TLS 1.2 suites only means TLS 1.2 (and of TLS 1.3 suites only, 1.3):
 * OpenSSL would refuse to offer a version it has no suite for. */
static mqtls_status_t set_versions(SSL_CTX *ssl, const mqtls_tls_cfg_t *cfg, int only,
                                   mqtls_tls_evidence_t *ev)
{
    int min = version_code(cfg->min_version, TLS1_2_VERSION);
    int max = version_code(cfg->max_version, TLS1_3_VERSION);
    if (min < 0 || max < 0)
        return settings_fail(ev, MQTLS_ERR_BAD_PARAM, "TLS version must be 1.2 or 1.3", NULL);
    if (only == TLS1_2_VERSION && max > TLS1_2_VERSION)
        max = TLS1_2_VERSION;
    if (only == TLS1_3_VERSION && min < TLS1_3_VERSION)
        min = TLS1_3_VERSION;
    if (min > max)
        return settings_fail(ev, MQTLS_ERR_BAD_PARAM,
                             only ? "no cipher suite for the TLS versions allowed"
                                  : "the lowest TLS version is above the highest",
                             NULL);
    if (!SSL_CTX_set_min_proto_version(ssl, min) || !SSL_CTX_set_max_proto_version(ssl, max))
        return settings_fail(ev, MQTLS_ERR_TLS, "OpenSSL refused the TLS versions", NULL);
    return MQTLS_OK;
}

/* ---- cipher suites ----------------------------------------------------------------- */

static bool is_tls13_suite(const char *name)
{
    return strncmp(name, "TLS_AES_", 8) == 0 || strncmp(name, "TLS_CHACHA20_", 13) == 0;
}

/* OpenSSL skips an unknown TLS 1.3 name without a word: look for it in the result. */
static bool tls13_known(SSL_CTX *ssl, const char *name)
{
    if (SSL_CTX_set_ciphersuites(ssl, name) != 1)
        return false;
    STACK_OF(SSL_CIPHER) *list = SSL_CTX_get_ciphers(ssl);
    for (int i = 0; list && i < sk_SSL_CIPHER_num(list); i++) {
        const char *std = SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(list, i));
        if (std && strcmp(std, name) == 0)
            return true;
    }
    return false;
}

static bool append(char *list, size_t size, const char *name)
{
    size_t used = strlen(list), len = strlen(name);
    if (used + len + 2 > size)
        return false;
    if (used)
        list[used++] = ':';
    memcpy(list + used, name, len + 1);
    return true;
}

/* An unknown name, told in the words a user of either backend knows. */
static mqtls_status_t unknown_cipher(mqtls_tls_evidence_t *ev, const char *name)
{
    ERR_clear_error();
    bool iana = strncmp(name, "TLS_", 4) == 0;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                           MQTLS_TLS_ITEM_SETTINGS,
                           iana ? "unknown or unsupported cipher suite in '%s'"
                                : "OpenSSL knows no cipher suite by '%s'",
                           name);
}

/* One name or rule of the list, sorted into the TLS 1.3 or the TLS 1.2 list. A plain name
 * must select something: OpenSSL skips an unknown one silently, we say so. */
static mqtls_status_t sort_cipher(SSL_CTX *ssl, const char *tok, char *l12, char *l13,
                                  size_t size, mqtls_tls_evidence_t *ev)
{
    if (is_tls13_suite(tok)) {
        if (!tls13_known(ssl, tok))
            return unknown_cipher(ev, tok);
        return append(l13, size, tok) ? MQTLS_OK
                                      : settings_fail(ev, MQTLS_ERR_BAD_PARAM, "too long", tok);
    }
    const char *name = tok;
    if (strncmp(tok, "TLS_", 4) == 0) {
        name = OPENSSL_cipher_name(tok);
        if (!name || strcmp(name, "(NONE)") == 0)
            return unknown_cipher(ev, tok);
    }
    bool rule = strchr("!-+@", tok[0]) != NULL;
    if (!rule && !SSL_CTX_set_cipher_list(ssl, name))
        return unknown_cipher(ev, tok);
    return append(l12, size, name) ? MQTLS_OK
                                   : settings_fail(ev, MQTLS_ERR_BAD_PARAM, "too long", tok);
}

/* Fills the two lists from cfg->ciphers; *only is the one TLS version they allow, or 0. */
static mqtls_status_t split_ciphers(SSL_CTX *ssl, const char *ciphers, char *l12, char *l13,
                                    size_t size, int *only, mqtls_tls_evidence_t *ev)
{
    char tok[128];
    const char *p = ciphers;
    while (*p) {
        size_t len = strcspn(p, ":, ");
        if (len >= sizeof tok)
            return settings_fail(ev, MQTLS_ERR_BAD_PARAM, "cipher name too long", NULL);
        memcpy(tok, p, len);
        tok[len] = '\0';
        p += len + (p[len] != '\0');
        if (len == 0)
            continue;
        mqtls_status_t st = sort_cipher(ssl, tok, l12, l13, size, ev);
        if (st != MQTLS_OK)
            return st;
    }
    if (!l12[0] && !l13[0])
        return settings_fail(ev, MQTLS_ERR_BAD_PARAM, "no cipher suite given", NULL);
    *only = !l13[0] ? TLS1_2_VERSION : !l12[0] ? TLS1_3_VERSION : 0;
    return MQTLS_OK;
}

static mqtls_status_t set_ciphers(SSL_CTX *ssl, const char *ciphers, int *only,
                                  mqtls_tls_evidence_t *ev)
{
    *only = 0;
    if (!ciphers)
        return MQTLS_OK;
    size_t size = 2 * strlen(ciphers) + 64;
    char *l12 = OPENSSL_zalloc(size), *l13 = OPENSSL_zalloc(size);
    mqtls_status_t st = MQTLS_ERR_TLS;
    if (l12 && l13)
        st = split_ciphers(ssl, ciphers, l12, l13, size, only, ev);
    else
        settings_fail(ev, st, "out of memory", NULL);
    if (st == MQTLS_OK) {
        /* An empty list for a version is allowed here (that version is then not offered):
         * OpenSSL complains but applies it. */
        SSL_CTX_set_ciphersuites(ssl, l13);
        SSL_CTX_set_cipher_list(ssl, l12);
        ERR_clear_error();
    }
    OPENSSL_free(l12);
    OPENSSL_free(l13);
    return st;
}

int mqtls__tlsb_max_version(void)
{
    return MQTLS_TLS_V1_3;
}

bool mqtls__tlsb_cipher_known(const char *name)
{
    SSL_CTX *ssl = SSL_CTX_new(TLS_client_method());
    bool known = false;
    if (ssl && is_tls13_suite(name)) {
        known = tls13_known(ssl, name);
    } else if (ssl) {
        const char *ossl = strncmp(name, "TLS_", 4) == 0 ? OPENSSL_cipher_name(name) : name;
        known = ossl && strcmp(ossl, "(NONE)") != 0 && SSL_CTX_set_cipher_list(ssl, ossl) == 1;
    }
    SSL_CTX_free(ssl);
    ERR_clear_error();
    return known;
}

/* ---- ALPN and fragments ------------------------------------------------------------ */

static mqtls_status_t set_alpn(SSL_CTX *ssl, const char *const *alpn,
                               mqtls_tls_evidence_t *ev)
{
    if (!alpn || !alpn[0])
        return MQTLS_OK;
    unsigned char wire[256];
    size_t used = 0;
    for (size_t i = 0; alpn[i]; i++) {
        size_t len = strlen(alpn[i]);
        if (len == 0 || len > 255 || used + 1 + len > sizeof wire)
            return settings_fail(ev, MQTLS_ERR_BAD_PARAM, "ALPN protocol empty or too long",
                                 alpn[i]);
        wire[used++] = (unsigned char)len;
        memcpy(wire + used, alpn[i], len);
        used += len;
    }
    if (SSL_CTX_set_alpn_protos(ssl, wire, (unsigned)used) != 0) /* 0 is success here */
        return settings_fail(ev, MQTLS_ERR_TLS, "OpenSSL refused the ALPN list", NULL);
    return MQTLS_OK;
}

static mqtls_status_t set_fragment(SSL_CTX *ssl, uint16_t len, mqtls_tls_evidence_t *ev)
{
    uint8_t code = len == 0      ? TLSEXT_max_fragment_length_DISABLED
                   : len == 512  ? TLSEXT_max_fragment_length_512
                   : len == 1024 ? TLSEXT_max_fragment_length_1024
                   : len == 2048 ? TLSEXT_max_fragment_length_2048
                   : len == 4096 ? TLSEXT_max_fragment_length_4096
                                 : 0xFF;
    if (code == 0xFF)
        return settings_fail(ev, MQTLS_ERR_BAD_PARAM,
                             "max_fragment_len must be 0, 512, 1024, 2048 or 4096", NULL);
    if (code && !SSL_CTX_set_tlsext_max_fragment_length(ssl, code))
        return settings_fail(ev, MQTLS_ERR_TLS, "OpenSSL refused max_fragment_len", NULL);
    return MQTLS_OK;
}

/* ---- the context ------------------------------------------------------------------- */

static mqtls_status_t configure(mqtls_tls_ctx_t *ctx, SSL_CTX *ssl, mqtls_tls_evidence_t *ev)
{
    const mqtls_tls_cfg_t *cfg = &ctx->cfg;
    int only;
    mqtls_status_t st = set_ciphers(ssl, cfg->ciphers, &only, ev);
    if (st == MQTLS_OK)
        st = set_versions(ssl, cfg, only, ev);
    if (st == MQTLS_OK)
        st = set_alpn(ssl, cfg->alpn, ev);
    if (st == MQTLS_OK)
        st = set_fragment(ssl, cfg->max_fragment_len, ev);
    if (st != MQTLS_OK)
        return st;
    /* No tickets unless sessions are resumed (resume.c): a ticket would only cost memory. Buffers
     * released while idle keep an idle connection small; tls.c may retry a write from a
     * staged copy, at another address. */
    SSL_CTX_set_options(ssl, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ssl, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER, NULL);
    mqtls__ossl_verify_setup(ssl);
    ((struct ossl_ctx *)ctx->be)->vcache = mqtls__ossl_vcache_new(); /* NULL: all verified */
    if (mqtls__ossl_resume_setup(ctx, ssl) != MQTLS_OK)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, 0,
                               MQTLS_TLS_ITEM_SETTINGS, "out of memory");
    st = mqtls__ossl_load_trust(ctx, ssl, ev);
    if (st == MQTLS_OK)
        st = mqtls__ossl_load_crl(ctx, ssl, ev);
    if (st == MQTLS_OK && ctx->has_identity)
        st = mqtls__ossl_load_identity(ctx, ssl, ev);
    return st;
}

mqtls_status_t mqtls__tlsb_ctx_init(mqtls_tls_ctx_t *ctx, mqtls_tls_evidence_t *ev)
{
    struct ossl_ctx *be = OPENSSL_zalloc(sizeof *be);
    ERR_clear_error();
    if (!be ||
        !(be->ssl = SSL_CTX_new_ex(mqtls__ossl_libctx(&ctx->cfg), NULL, TLS_client_method()))) {
        OPENSSL_free(be);
        char words[120] = "out of memory";
        unsigned long code = mqtls__ossl_take_error(words, sizeof words);
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, (int)code,
                               MQTLS_TLS_ITEM_NONE, "%s", words);
    }
    ctx->be = be;
    mqtls_status_t st = configure(ctx, be->ssl, ev);
    if (st != MQTLS_OK)
        mqtls__tlsb_ctx_free(ctx);
    return st;
}

void mqtls__tlsb_ctx_free(mqtls_tls_ctx_t *ctx)
{
    struct ossl_ctx *be = ctx->be;
    if (!be)
        return;
    mqtls__ossl_resume_free(be);
    mqtls__ossl_vcache_free(be->vcache);
    SSL_CTX_free(be->ssl); /* frees (and clears) the key it holds */
    mqtls__ossl_pkcs11_release(be->p11);
    OPENSSL_free(be);
    ctx->be = NULL;
}

/* ---- the BIO: the connection's bytes go through tls.c ------------------------------ */

static BIO_METHOD *bio_method;
static CRYPTO_ONCE bio_once = CRYPTO_ONCE_STATIC_INIT;

static int bio_write(BIO *bio, const char *buf, int len)
{
    mqtls_tls_t *t = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    int32_t n = mqtls__tls_io_send(t, (const uint8_t *)buf, (size_t)len);
    if (n > 0)
        return (int)n;
    if (n == 0)
        BIO_set_retry_write(bio);
    else
        t->conn->io_status = (int)-n;
    return -1;
}

static int bio_read(BIO *bio, char *buf, int len)
{
    mqtls_tls_t *t = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    int32_t n = mqtls__tls_io_recv(t, (uint8_t *)buf, (size_t)len);
    if (n > 0)
        return (int)n;
    if (n == 0) {
        BIO_set_retry_read(bio);
        return -1;
    }
    t->conn->io_status = (int)-n;
    return n == -(int32_t)MQTLS_ERR_CLOSED ? 0 : -1;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    (void)bio;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

static void bio_method_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mqtls");
    if (m && BIO_meth_set_write(m, bio_write) && BIO_meth_set_read(m, bio_read) &&
        BIO_meth_set_ctrl(m, bio_ctrl) && BIO_meth_set_create(m, bio_create))
        bio_method = m;
    else
        BIO_meth_free(m);
}

/* ---- the connection ---------------------------------------------------------------- */

static mqtls_status_t start_fail(mqtls_tls_t *t, const char *what)
{
    char words[120];
    unsigned long code = mqtls__ossl_take_error(words, sizeof words);
    return mqtls__tls_fail(&t->ev, MQTLS_TLS_STAGE_HANDSHAKE, MQTLS_ERR_TLS, (int)code,
                           MQTLS_TLS_ITEM_NONE, "%s%s%s", what, code ? ": " : "",
                           code ? words : "");
}

/* The server's name: SNI for a name (RFC 6066 forbids it for an address), and what the
 * certificate must show (RFC 6125: a DNS-ID, no partial wildcards; or an iPAddress). */
static mqtls_status_t set_peer_name(mqtls_tls_t *t, SSL *ssl, const char *name)
{
    if (t->host_is_ip) {
        X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
        if (!X509_VERIFY_PARAM_set1_ip(param, t->host_ip, t->host_ip_len))
            return start_fail(t, "cannot set the address to verify");
        return MQTLS_OK;
    }
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (!SSL_set_tlsext_host_name(ssl, name) || !SSL_set1_host(ssl, name))
        return start_fail(t, "cannot set the server name");
    return MQTLS_OK;
}

static mqtls_status_t new_ssl(mqtls_tls_t *t)
{
    struct ossl_ctx *be = t->ctx->be;
    if (!t->conn && !(t->conn = OPENSSL_zalloc(sizeof *t->conn)))
        return start_fail(t, "out of memory");
    SSL_free(t->conn->ssl); /* a fresh SSL: the previous attempt leaves nothing behind */
    memset(t->conn, 0, sizeof *t->conn);
    if (!CRYPTO_THREAD_run_once(&bio_once, bio_method_init) || !bio_method)
        return start_fail(t, "cannot make the I/O method");
    BIO *bio = BIO_new(bio_method);
    if (!bio || !(t->conn->ssl = SSL_new(be->ssl))) {
        BIO_free(bio);
        return start_fail(t, "cannot make the connection");
    }
    BIO_set_data(bio, t);
    SSL_set_bio(t->conn->ssl, bio, bio);
    SSL_set_app_data(t->conn->ssl, t);
    SSL_set_connect_state(t->conn->ssl);
    return MQTLS_OK;
}

mqtls_status_t mqtls__tlsb_start(mqtls_tls_t *t, const char *name)
{
    ERR_clear_error();
    mqtls_status_t st = new_ssl(t);
    if (st == MQTLS_OK)
        st = set_peer_name(t, t->conn->ssl, name);
    if (st == MQTLS_OK)
        mqtls__ossl_resume_offer(t->ctx, t->conn->ssl);
    return st;
}

/* Version, suite and ALPN, once the server has chosen them (after a failure too). */
static void record_negotiated(mqtls_tls_t *t)
{
    SSL *ssl = t->conn->ssl;
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    if (!c) {
        const SSL_SESSION *s = SSL_get_session(ssl);
        c = s ? SSL_SESSION_get0_cipher(s) : NULL;
    }
    if (!c)
        return;
    t->ev.resumed = SSL_session_reused(ssl) == 1;
    snprintf(t->ev.version, sizeof t->ev.version, "%s", SSL_get_version(ssl));
    const char *iana = SSL_CIPHER_standard_name(c);
    snprintf(t->ev.ciphersuite, sizeof t->ev.ciphersuite, "%s", iana ? iana : SSL_CIPHER_get_name(c));
    const unsigned char *alpn;
    unsigned alpn_len;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    if (alpn_len >= sizeof t->ev.alpn)
        alpn_len = sizeof t->ev.alpn - 1;
    memcpy(t->ev.alpn, alpn ? (const char *)alpn : "", alpn ? alpn_len : 0);
    t->ev.alpn[alpn ? alpn_len : 0] = '\0';
}

/* Why the handshake failed, in the transport's terms. */
static mqtls_status_t handshake_failed(mqtls_tls_t *t, int err)
{
    struct mqtls_tls_conn *c = t->conn;
    char words[120] = "";
    unsigned long code = mqtls__ossl_take_error(words, sizeof words);
    mqtls_status_t st = MQTLS_ERR_TLS_HANDSHAKE;
    if (c->first_err && !t->ev.insecure)
        st = MQTLS_ERR_TLS_VERIFY;
    else if (t->ev.alert_received >= 0)
        st = MQTLS_ERR_TLS_ALERT;
    else if (c->io_status)
        st = (mqtls_status_t)c->io_status;
    else if (err == SSL_ERROR_SYSCALL || ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        st = MQTLS_ERR_CLOSED;
    t->ev.raw_error = code ? (int)code : err;
    if (st == MQTLS_ERR_TLS_VERIFY)
        snprintf(t->ev.detail, sizeof t->ev.detail, "%s",
                 X509_verify_cert_error_string(c->first_err));
    else if (st == MQTLS_ERR_TLS_ALERT && !code)
        snprintf(t->ev.detail, sizeof t->ev.detail, "the server sent the alert %s",
                 mqtls_tls_alert_name(t->ev.alert_received));
    else if (code)
        snprintf(t->ev.detail, sizeof t->ev.detail, "%s", words);
    else
        snprintf(t->ev.detail, sizeof t->ev.detail, "%s",
                 st == MQTLS_ERR_CLOSED ? "the server closed the connection"
                                        : "the handshake failed");
    return st;
}

void *mqtls__tlsb_zalloc(size_t size)
{
    return OPENSSL_zalloc(size);
}

void mqtls__tlsb_free(void *p)
{
    OPENSSL_free(p);
}

/* TLS 1.3: the server's verdict on our certificate (mqtls_tls_grace_t, backend.h), so that
 * a rejection is a handshake failure here too. */
static int await_verdict(mqtls_tls_t *t)
{
    struct mqtls_tls_conn *c = t->conn;
    if (!t->ev.cert_requested || SSL_version(c->ssl) != TLS1_3_VERSION || c->verdict)
        return 1;
    mqtls__tls_grace_start(t, &c->grace);
    unsigned char b;
    int n = SSL_peek(c->ssl, &b, 1); /* an alert makes it fail; a ticket is the verdict */
    if (n <= 0 && SSL_get_error(c->ssl, n) == SSL_ERROR_WANT_READ &&
        (c->verdict || mqtls__tls_grace_left(&c->grace) == 0))
        n = 1;
    return n > 0 ? 1 : n;
}

uint32_t mqtls__tlsb_wait_ms(const mqtls_tls_t *t)
{
    const struct mqtls_tls_conn *c = t->conn;
    if (!c || !c->grace.started || c->verdict)
        return UINT32_MAX;
    uint32_t left = mqtls__tls_grace_left(&c->grace);
    return left ? left : 1;
}

mqtls_status_t mqtls__tlsb_handshake(mqtls_tls_t *t)
{
    SSL *ssl = t->conn->ssl;
    ERR_clear_error();
    int n = SSL_do_handshake(ssl);
    if (n == 1)
        n = await_verdict(t);
    if (n == 1) {
        record_negotiated(t);
        return MQTLS_OK;
    }
    int err = SSL_get_error(ssl, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        t->hs_want_write = err == SSL_ERROR_WANT_WRITE;
        ERR_clear_error();
        return MQTLS_IN_PROGRESS;
    }
    record_negotiated(t);
    return handshake_failed(t, err);
}

/* ---- data -------------------------------------------------------------------------- */

static int32_t io_failed(mqtls_tls_t *t, int n)
{
    int err = SSL_get_error(t->conn->ssl, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return 0;
    }
    unsigned long code = mqtls__ossl_take_error(NULL, 0);
    t->ev.raw_error = code ? (int)code : err;
    if (err == SSL_ERROR_ZERO_RETURN || t->conn->io_status == MQTLS_ERR_CLOSED ||
        (err == SSL_ERROR_SYSCALL && !t->conn->io_status) ||
        ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return -(int32_t)MQTLS_ERR_CLOSED;
    if (t->conn->io_status == MQTLS_ERR_IO)
        return -(int32_t)MQTLS_ERR_IO;
    return -(int32_t)MQTLS_ERR_TLS;
}

int32_t mqtls__tlsb_send(mqtls_tls_t *t, const uint8_t *buf, size_t len)
{
    if (len > INT32_MAX)
        len = INT32_MAX;
    ERR_clear_error();
    int n = SSL_write(t->conn->ssl, buf, (int)len);
    return n > 0 ? (int32_t)n : io_failed(t, n);
}

int32_t mqtls__tlsb_recv(mqtls_tls_t *t, uint8_t *buf, size_t len)
{
    if (len > INT32_MAX)
        len = INT32_MAX;
    ERR_clear_error();
    int n = SSL_read(t->conn->ssl, buf, (int)len);
    return n > 0 ? (int32_t)n : io_failed(t, n);
}

bool mqtls__tlsb_pending(const mqtls_tls_t *t)
{
    return t->conn && t->conn->ssl && SSL_pending(t->conn->ssl) > 0;
}

void mqtls__tlsb_close_notify(mqtls_tls_t *t)
{
    if (!t->conn || !t->conn->ssl)
        return;
    (void)SSL_shutdown(t->conn->ssl); /* once: we do not wait for the server's */
    ERR_clear_error();
}

void mqtls__tlsb_conn_free(mqtls_tls_t *t)
{
    if (!t->conn)
        return;
    SSL_free(t->conn->ssl); /* clears its keys */
    mqtls__tls_wipe(t->conn, sizeof *t->conn);
    OPENSSL_free(t->conn);
    t->conn = NULL;
}
