/**
 * @file creds.c
 * @brief Credentials for the OpenSSL backend: the trusted CAs (file, memory, directory, the
 *        system's store) and our identity (certificate chain and key, PEM or DER by content,
 *        keys in PKCS#1, SEC1 or PKCS#8, encrypted or not), each failure told precisely.
 */
#include "ossl.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static mqtls_status_t cred_fail(mqtls_tls_evidence_t *ev, mqtls_status_t st,
                                mqtls_tls_item_t item, mqtls_tls_cred_problem_t problem,
                                const char *fmt, const char *a, const char *b)
{
    unsigned long code = mqtls__ossl_take_error(NULL, 0);
    if (ev)
        ev->cred_problem = problem;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, st, (int)code, item, fmt, a,
                           b ? b : "");
}

/* ---- bytes ------------------------------------------------------------------------- */


/* ---- certificates ------------------------------------------------------------------ */

static bool is_cert_block(const char *name)
{
    return strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0 ||
           strcmp(name, PEM_STRING_X509_TRUSTED) == 0;
}

static X509 *der_cert(const unsigned char *der, long len, bool trusted_form)
{
    const unsigned char *p = der;
    X509 *x = trusted_form ? d2i_X509_AUX(NULL, &p, len) : d2i_X509(NULL, &p, len);
    if (x && p != der + len) { /* bytes after the certificate: not one whole DER */
        X509_free(x);
        x = NULL;
    }
    return x;
}

void mqtls__ossl_pem_each(const uint8_t *buf, size_t len, mqtls__ossl_pem_fn fn, void *ctx,
                          int *bad)
{
    BIO *mem = BIO_new_mem_buf(buf, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long dlen;
    for (int guard = 0; mem && guard < 100000; guard++) {
        if (!PEM_read_bio(mem, &name, &header, &data, &dlen)) {
            unsigned long e = ERR_peek_last_error();
            ERR_clear_error();
            if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE || BIO_eof(mem))
                break;
            ++*bad; /* a block with broken base64, or without its end */
            continue;
        }
        if (!fn(ctx, name, data, dlen))
            ++*bad;
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
    }
    BIO_free(mem);
    ERR_clear_error();
}

/* A certificate block onto the stack @p ctx; other blocks are not ours to judge. */
static bool take_cert(void *ctx, const char *label, const unsigned char *der, long len)
{
    if (!is_cert_block(label))
        return true;
    X509 *x = der_cert(der, len, strcmp(label, PEM_STRING_X509_TRUSTED) == 0);
    if (x && sk_X509_push((STACK_OF(X509) *)ctx, x))
        return true;
    X509_free(x);
    return false;
}

/* The certificates in @p buf: a PEM text with any number, or one DER certificate. */
static mqtls_status_t parse_certs(const uint8_t *buf, size_t len, const char *where,
                                  mqtls_tls_item_t item, STACK_OF(X509) *out,
                                  mqtls_tls_evidence_t *ev)
{
    int bad = 0;
    if (len > 0 && mqtls__tls_looks_pem(buf, len)) {
        mqtls__ossl_pem_each(buf, len, take_cert, out, &bad);
    } else if (len > 0) {
        X509 *x = len < (1u << 24) ? der_cert(buf, (long)len, false) : NULL;
        if (!x || !sk_X509_push(out, x)) {
            X509_free(x);
            bad = 1;
        }
    }
    if (bad) {
        char words[48];
        snprintf(words, sizeof words, "%d certificate(s) could not be parsed", bad);
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, item, MQTLS_TLS_CRED_MALFORMED,
                         "%s: %s", where, words);
    }
    if (sk_X509_num(out) == 0)
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, item, MQTLS_TLS_CRED_EMPTY,
                         "%s: %s", where, "no certificate found");
    return MQTLS_OK;
}

/* Certificates from a file or from memory. */
static mqtls_status_t load_certs(const char *file, const uint8_t *mem, size_t mem_len,
                                 mqtls_tls_item_t item, STACK_OF(X509) *out,
                                 mqtls_tls_evidence_t *ev)
{
    if (!file)
        return parse_certs(mem, mem_len, "in memory", item, out, ev);
    uint8_t *buf = NULL;
    size_t len = 0;
    mqtls_status_t st = mqtls__tls_read_file(ev, file, item, &buf, &len);
    if (st != MQTLS_OK)
        return st;
    st = parse_certs(buf, len, file, item, out, ev);
    mqtls__tls_drop(buf, len);
    return st;
}

/* ---- trust ------------------------------------------------------------------------- */

static int add_all(X509_STORE *store, STACK_OF(X509) *certs)
{
    int added = 0;
    for (int i = 0; i < sk_X509_num(certs); i++)
        added += X509_STORE_add_cert(store, sk_X509_value(certs, i)) == 1;
    ERR_clear_error();
    return added;
}

static mqtls_status_t trust_certs(X509_STORE *store, const char *file, const uint8_t *mem,
                                  size_t len, mqtls_tls_evidence_t *ev)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    if (!certs)
        return cred_fail(ev, MQTLS_ERR_TLS, MQTLS_TLS_ITEM_CA, MQTLS_TLS_CRED_NONE, "%s%s",
                         "out of memory", NULL);
    mqtls_status_t st = load_certs(file, mem, len, MQTLS_TLS_ITEM_CA, certs, ev);
    if (st == MQTLS_OK)
        add_all(store, certs);
    sk_X509_pop_free(certs, X509_free);
    return st;
}

/* Every regular file of @p dir that holds certificates (others are passed over). */
static mqtls_status_t trust_dir(X509_STORE *store, const char *dir, mqtls_tls_evidence_t *ev)
{
    DIR *d = opendir(dir);
    if (!d)
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA,
                         MQTLS_TLS_CRED_UNREADABLE, "%s: %s", dir, strerror(errno));
    int added = 0;
    struct dirent *de;
    /* cppcheck-suppress readdirCalled ; readdir on a DIR of our own is thread-safe, and
     * readdir_r is deprecated by glibc */
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path ||
            stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        STACK_OF(X509) *certs = sk_X509_new_null();
        if (certs && load_certs(path, NULL, 0, MQTLS_TLS_ITEM_CA, certs, NULL) == MQTLS_OK)
            added += add_all(store, certs);
        sk_X509_pop_free(certs, X509_free);
    }
    closedir(d);
    ERR_clear_error();
    if (added == 0)
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA, MQTLS_TLS_CRED_EMPTY,
                         "%s: %s", dir, "no certificate found");
    return MQTLS_OK;
}

/* The system's store: OpenSSL's default paths (SSL_CERT_FILE, and SSL_CERT_DIR looked up
 * by subject hash). A directory named in SSL_CERT_DIR is also read whole, as ca_path is:
 * users put CA files there without running `openssl rehash`. */
static mqtls_status_t trust_system(X509_STORE *store, mqtls_tls_evidence_t *ev)
{
    if (!X509_STORE_set_default_paths(store))
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA,
                         MQTLS_TLS_CRED_UNREADABLE, "%s%s",
                         "the system's trusted CAs could not be loaded", NULL);
    const char *dirs = getenv(X509_get_default_cert_dir_env()); /* as OpenSSL reads it */
    char dir[4096];
    while (dirs && *dirs) {
        size_t len = strcspn(dirs, ":");
        if (len > 0 && len < sizeof dir) {
            memcpy(dir, dirs, len);
            dir[len] = '\0';
            (void)trust_dir(store, dir, NULL); /* one without certificates is no error */
        }
        dirs += len + (dirs[len] == ':');
    }
    ERR_clear_error();
    return MQTLS_OK;
}

mqtls_status_t mqtls__ossl_load_trust(mqtls_tls_ctx_t *ctx, SSL_CTX *ssl, mqtls_tls_evidence_t *ev)
{
    const mqtls_tls_cfg_t *cfg = &ctx->cfg;
    X509_STORE *store = SSL_CTX_get_cert_store(ssl);
    mqtls_status_t st = MQTLS_OK;
    if (cfg->ca_file)
        st = trust_certs(store, cfg->ca_file, NULL, 0, ev);
    if (st == MQTLS_OK && cfg->ca_mem)
        st = trust_certs(store, NULL, cfg->ca_mem, cfg->ca_mem_len, ev);
    if (st == MQTLS_OK && cfg->ca_path)
        st = trust_dir(store, cfg->ca_path, ev);
    if (st == MQTLS_OK && cfg->use_os_ca)
        st = trust_system(store, ev);
    if (st != MQTLS_OK)
        return st;
    bool any = cfg->ca_file || cfg->ca_mem || cfg->ca_path || cfg->use_os_ca;
    if (!any && !cfg->insecure)
        return cred_fail(ev, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_CA, MQTLS_TLS_CRED_NONE,
                         "%s%s", "no CA configured to verify the server", NULL);
    return MQTLS_OK;
}

/* ---- our identity ------------------------------------------------------------------ */

/* What the key decoder asked for, and what it was given. */
struct pass_state {
    const char *pass;
    bool asked;
};

static int give_pass(char *buf, int size, int rwflag, void *arg)
{
    (void)rwflag;
    struct pass_state *ps = arg;
    ps->asked = true;
    if (!ps->pass)
        return -1;
    size_t len = strlen(ps->pass);
    if (len > (size_t)size)
        return -1;
    memcpy(buf, ps->pass, len);
    return (int)len;
}

/* Does the PEM text hold a key's label ("-----BEGIN ... KEY-----")? (It may lack a NUL.) */
static bool has_key_label(const uint8_t *buf, size_t len)
{
    static const char label[] = "KEY-----";
    for (size_t i = 0; i + sizeof label - 1 <= len; i++)
        if (buf[i] == 'K' && memcmp(buf + i, label, sizeof label - 1) == 0)
            return true;
    return false;
}

/* Takes the thread's errors: is any of them "unsupported" (an algorithm or an encryption
 * the providers loaded lack, e.g. a PKCS#8 key under DES or RC2 without the legacy
 * provider)? *last gets the newest code. The decoder's own "unsupported" only says that
 * no decoder took what it was given: after a wrong password whose garbage happens to end
 * in valid CBC padding (about 1 in 256), that is all there is, so it does not count. */
static bool take_unsupported(unsigned long *last)
{
    bool unsupported = false;
    unsigned long e;
    *last = 0;
    while ((e = ERR_get_error()) != 0) {
        int reason = ERR_GET_REASON(e);
        bool decoder = ERR_GET_LIB(e) == ERR_LIB_OSSL_DECODER;
        unsupported = unsupported || (reason == ERR_R_UNSUPPORTED && !decoder) ||
                      reason == EVP_R_UNSUPPORTED_CIPHER ||
                      reason == EVP_R_UNSUPPORTED_ALGORITHM ||
                      reason == EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION ||
                      reason == EVP_R_UNSUPPORTED_PRF;
        *last = e;
    }
    return unsupported;
}

static mqtls_tls_cred_problem_t key_problem(const struct pass_state *ps, bool unsupported,
                                            const uint8_t *buf, size_t len)
{
    /* "Unsupported" also says that no decoder took the bytes at all (not a key): it is
     * about the encryption only once the key was found encrypted. */
    if (ps->asked && !ps->pass)
        return MQTLS_TLS_CRED_PASS_NEEDED;
    if (ps->asked)
        return unsupported ? MQTLS_TLS_CRED_KEY_UNSUPPORTED : MQTLS_TLS_CRED_PASS_WRONG;
    if (len == 0 || (mqtls__tls_looks_pem(buf, len) && !has_key_label(buf, len)))
        return MQTLS_TLS_CRED_EMPTY;
    return MQTLS_TLS_CRED_MALFORMED;
}

static const char *problem_words(mqtls_tls_cred_problem_t p)
{
    switch (p) {
    case MQTLS_TLS_CRED_PASS_NEEDED: return "the key is encrypted: a password is needed";
    case MQTLS_TLS_CRED_PASS_WRONG: return "the key does not open with this password";
    case MQTLS_TLS_CRED_KEY_UNSUPPORTED: return "the key's algorithm or encryption is not available";
    case MQTLS_TLS_CRED_EMPTY: return "no private key found";
    default: return "not a private key OpenSSL can read";
    }
}

/* A private key from @p buf (PEM or DER; PKCS#1, SEC1 or PKCS#8; maybe encrypted). */
static mqtls_status_t decode_key(const uint8_t *buf, size_t len, const char *where,
                                 const char *pass, EVP_PKEY **key, mqtls_tls_evidence_t *ev)
{
    struct pass_state ps = {pass, false};
    *key = NULL;
    OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(key, NULL, NULL, NULL,
                                                         EVP_PKEY_KEYPAIR, NULL, NULL);
    if (!dc)
        return cred_fail(ev, MQTLS_ERR_TLS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_NONE,
                         "%s: %s", where, "OpenSSL has no key decoder");
    OSSL_DECODER_CTX_set_pem_password_cb(dc, give_pass, &ps);
    const unsigned char *p = buf;
    size_t left = len;
    int ok = len > 0 && OSSL_DECODER_from_data(dc, &p, &left) && *key;
    OSSL_DECODER_CTX_free(dc);
    if (ok)
        return MQTLS_OK;
    EVP_PKEY_free(*key);
    *key = NULL;
    unsigned long code;
    bool unsupported = take_unsupported(&code);
    mqtls_tls_cred_problem_t problem = key_problem(&ps, unsupported, buf, len);
    mqtls_status_t st = cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, problem,
                                  "%s: %s", where, problem_words(problem));
    if (ev)
        ev->raw_error = (int)code;
    return st;
}

static mqtls_status_t load_key(const mqtls_tls_cfg_t *cfg, EVP_PKEY **key,
                               mqtls_tls_evidence_t *ev)
{
    if (!cfg->key_file)
        return decode_key(cfg->key_mem, cfg->key_mem_len, "key in memory", cfg->key_pass, key,
                          ev);
    uint8_t *buf = NULL;
    size_t len = 0;
    mqtls_status_t st = mqtls__tls_read_file(ev, cfg->key_file, MQTLS_TLS_ITEM_KEY, &buf, &len);
    if (st != MQTLS_OK)
        return st;
    st = decode_key(buf, len, cfg->key_file, cfg->key_pass, key, ev);
    mqtls__tls_drop(buf, len); /* the key's bytes, wiped */
    return st;
}

static mqtls_status_t use_chain(SSL_CTX *ssl, STACK_OF(X509) *certs, mqtls_tls_evidence_t *ev)
{
    if (SSL_CTX_use_certificate(ssl, sk_X509_value(certs, 0)) != 1)
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CERT,
                         MQTLS_TLS_CRED_KEY_UNSUPPORTED, "%s%s",
                         "OpenSSL refused the client certificate", NULL);
    for (int i = 1; i < sk_X509_num(certs); i++)
        if (SSL_CTX_add1_chain_cert(ssl, sk_X509_value(certs, i)) != 1)
            return cred_fail(ev, MQTLS_ERR_TLS, MQTLS_TLS_ITEM_CERT, MQTLS_TLS_CRED_NONE,
                             "%s%s", "OpenSSL refused a chain certificate", NULL);
    /* A certificate given alone: OpenSSL would build the chain it sends from the trusted
     * store in every handshake (a whole X509_verify_cert, signatures checked, per connect).
     * Built here once, the same way (errors ignored, the root kept), it is the same chain;
     * if OpenSSL refuses to build it, each handshake builds it as before and fails alike. */
    if (sk_X509_num(certs) == 1 &&
        SSL_CTX_build_cert_chain(ssl, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR |
                                          SSL_BUILD_CHAIN_FLAG_CLEAR_ERROR) <= 0)
        ERR_clear_error();
    return MQTLS_OK;
}

static mqtls_status_t use_key(SSL_CTX *ssl, EVP_PKEY *key, mqtls_tls_evidence_t *ev)
{
    if (SSL_CTX_use_PrivateKey(ssl, key) != 1 || SSL_CTX_check_private_key(ssl) != 1)
        return cred_fail(ev, MQTLS_ERR_TLS_KEY_MISMATCH, MQTLS_TLS_ITEM_KEY,
                         MQTLS_TLS_CRED_KEY_MISMATCH, "%s%s",
                         "the private key does not belong to the certificate", NULL);
    return MQTLS_OK;
}

mqtls_status_t mqtls__ossl_load_identity(mqtls_tls_ctx_t *ctx, SSL_CTX *ssl,
                                  mqtls_tls_evidence_t *ev)
{
    struct ossl_ctx *be = ctx->be;
    const mqtls_tls_cfg_t *cfg = &ctx->cfg;
    STACK_OF(X509) *certs = sk_X509_new_null();
    if (!certs)
        return cred_fail(ev, MQTLS_ERR_TLS, MQTLS_TLS_ITEM_CERT, MQTLS_TLS_CRED_NONE, "%s%s",
                         "out of memory", NULL);
    mqtls_status_t st = load_certs(cfg->cert_file, cfg->cert_mem, cfg->cert_mem_len,
                                   MQTLS_TLS_ITEM_CERT, certs, ev);
    if (st == MQTLS_OK)
        st = use_chain(ssl, certs, ev);
    sk_X509_pop_free(certs, X509_free);
    EVP_PKEY *key = NULL;
    if (st == MQTLS_OK)
        st = cfg->key_file && mqtls__ossl_is_pkcs11(cfg->key_file)
                 ? mqtls__ossl_pkcs11_key(ctx, &key, &be->p11, ev)
                 : load_key(cfg, &key, ev);
    if (st == MQTLS_OK)
        st = use_key(ssl, key, ev);
    EVP_PKEY_free(key); /* the SSL_CTX holds its own reference */
    return st;
}
