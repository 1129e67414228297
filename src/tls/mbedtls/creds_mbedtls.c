/**
 * @file creds_mbedtls.c
 * @brief The Mbed TLS backend's context: credentials read once (trusted roots, our
 *        certificate and key), settings (versions, suites, ALPN, fragment length); shared
 *        by every connection made from it.
 */
#include "mbedtls_be.h"
#include "x509_ext.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if MQTLS_TLS_POSIX
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <mbedtls/cipher.h>
#include <mbedtls/error.h>
#include <mbedtls/pem.h>
#include <mbedtls/pkcs12.h> /* their error codes, whether or not they are built in */
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

/** The system's bundle of roots when SSL_CERT_FILE does not name another (Debian). */
#define OS_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* A credential failure: the neutral problem, and Mbed TLS's words after @p what. */
static mqtls_status_t cred_fail(mqtls_tls_evidence_t *ev, mqtls_status_t st, int raw,
                                mqtls_tls_item_t item, mqtls_tls_cred_problem_t problem,
                                const char *what)
{
    char words[128] = "";
    if (raw < 0)
        mbedtls_strerror(raw, words, sizeof words);
    if (ev)
        ev->cred_problem = problem;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, st, raw, item, "%s%s%s",
                           what ? what : "", what && words[0] ? ": " : "", words);
}

/* ---- reading --------------------------------------------------------------------- */

/** A credential's bytes as the parsers want them: PEM with its NUL counted. */
typedef struct blob {
    uint8_t *copy; /* ours, wiped when freed; NULL when @c p is the caller's memory */
    const uint8_t *p;
    size_t len;
} blob_t;

static void blob_free(blob_t *b)
{
    mqtls__tls_drop(b->copy, b->len);
    memset(b, 0, sizeof *b);
}

/* @p len bytes at @p src into a copy with a NUL after them. */
static bool blob_copy(blob_t *b, const uint8_t *src, size_t len)
{
    b->copy = mbedtls_calloc(1, len + 1); /* Mbed TLS's allocator, like the handshake's */
    if (!b->copy)
        return false;
    if (len)
        memcpy(b->copy, src, len);
    b->p = b->copy;
    b->len = mqtls__tls_looks_pem(b->copy, len) ? len + 1 : len;
    return true;
}

/* The credential of @p file or @p mem, ready to parse. */
static mqtls_status_t blob_load(blob_t *b, mqtls_tls_evidence_t *ev, const char *file,
                                const uint8_t *mem, size_t len, mqtls_tls_item_t item)
{
    memset(b, 0, sizeof *b);
    if (file) {
        mqtls_status_t st = mqtls__tls_file_check(ev, file, item);
        if (st != MQTLS_OK)
            return st;
        size_t n = 0;
        if ((st = mqtls__tls_read_file(ev, file, item, &b->copy, &n)) != MQTLS_OK)
            return st;
        b->p = b->copy; /* the NUL after the content comes with it */
        b->len = mqtls__tls_looks_pem(b->copy, n) ? n + 1 : n;
        return MQTLS_OK;
    }
    if (len == 0 || mem[len - 1] == '\0' || !mqtls__tls_looks_pem(mem, len)) {
        b->p = mem;
        b->len = len;
        return MQTLS_OK;
    }
    if (blob_copy(b, mem, len))
        return MQTLS_OK;
    return cred_fail(ev, MQTLS_ERR_TLS, 0, item, MQTLS_TLS_CRED_NONE, "out of memory");
}

/* Holds nothing but white space (or NULs). */
static bool blank(const blob_t *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->p[i] && !strchr(" \t\r\n", b->p[i]))
            return false;
    return true;
}

/* PEM that holds no block of the kind wanted (@p tail: "CERTIFICATE-----"). */
static bool pem_without(const blob_t *b, const char *tail)
{
    return b->len && b->p[b->len - 1] == '\0' && mqtls__tls_looks_pem(b->p, b->len) &&
           !strstr((const char *)b->p, tail);
}

/* ---- certificates ------------------------------------------------------------------ */

/* An empty (or blank) credential. */
static mqtls_status_t empty(mqtls_tls_evidence_t *ev, mqtls_tls_item_t item, const char *what)
{
    if (ev)
        ev->cred_problem = MQTLS_TLS_CRED_EMPTY;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, 0, item,
                           "%s: empty", what);
}

/* Adds the certificates of @p file or @p mem to @p chain. @p partial: a bundle some of
 * whose certificates do not parse is fine (the system's store). */
static mqtls_status_t add_crts(mbedtls_x509_crt *chain, mqtls_tls_evidence_t *ev,
                               const char *file, const uint8_t *mem, size_t len,
                               mqtls_tls_item_t item, bool partial)
{
    blob_t b;
    mqtls_status_t st = blob_load(&b, ev, file, mem, len, item);
    if (st != MQTLS_OK)
        return st;
    const char *what = file ? file : "the data in memory";
    if (blank(&b)) {
        blob_free(&b);
        return empty(ev, item, what);
    }
    /* PEM without a certificate block (a key given as the certificate): no certificate in
     * it, told with Mbed TLS's words for what it made of it. */
    bool none = pem_without(&b, "CERTIFICATE-----");
    int ret = mbedtls_x509_crt_parse(chain, b.p, b.len);
    blob_free(&b);
    if (ret == 0 || (ret > 0 && partial))
        return MQTLS_OK;
    if (ret < 0)
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, ret, item,
                         none ? MQTLS_TLS_CRED_EMPTY : MQTLS_TLS_CRED_MALFORMED, what);
    if (ev)
        ev->cred_problem = MQTLS_TLS_CRED_MALFORMED;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, 0, item,
                           "%s: %d certificate(s) could not be parsed", what, ret);
}

#if MQTLS_TLS_POSIX
/* Every file of each directory of @p dirs (':'-separated, as OpenSSL's SSL_CERT_DIR). A
 * directory may hold other files: fine while some roots were read. */
static mqtls_status_t add_dirs(mbedtls_x509_crt *chain, mqtls_tls_evidence_t *ev,
                               const char *dirs)
{
    char dir[1024];
    while (*dirs) {
        size_t n = strcspn(dirs, ":");
        if (n > 0 && n < sizeof dir) {
            memcpy(dir, dirs, n);
            dir[n] = '\0';
            DIR *d = opendir(dir);
            if (!d) {
                if (ev)
                    ev->cred_problem = MQTLS_TLS_CRED_UNREADABLE;
                return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS,
                                       MQTLS_ERR_TLS_CREDENTIALS, 0, MQTLS_TLS_ITEM_CA,
                                       "%s: %s", dir, strerror(errno));
            }
            closedir(d);
            (void)mbedtls_x509_crt_parse_path(chain, dir);
        }
        dirs += n + (dirs[n] == ':');
    }
    return MQTLS_OK;
}

/* The system's trusted roots as OpenSSL's default paths give them, so that both backends
 * trust the same: the file SSL_CERT_FILE (else Debian's bundle) and the directories of
 * SSL_CERT_DIR (else none: Debian's directory holds what its bundle holds). */
static mqtls_status_t add_os_ca(mbedtls_x509_crt *chain, mqtls_tls_evidence_t *ev)
{
    const char *file = getenv("SSL_CERT_FILE"), *dirs = getenv("SSL_CERT_DIR");
    if (!file || !*file)
        file = access(OS_CA_BUNDLE, R_OK) == 0 ? OS_CA_BUNDLE : NULL; /* none: as OpenSSL */
    mqtls_status_t st = file ? add_crts(chain, ev, file, NULL, 0, MQTLS_TLS_ITEM_CA, true)
                             : MQTLS_OK;
    if (st == MQTLS_OK && dirs && *dirs)
        st = add_dirs(chain, ev, dirs);
    return st;
}
#else
/* A firmware has no directories and no system trust store: its roots come in memory. */
static mqtls_status_t no_store(mqtls_tls_evidence_t *ev, const char *what)
{
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_UNSUPPORTED, 0,
                           MQTLS_TLS_ITEM_CA, "%s: not on this target (give the roots in memory)",
                           what);
}

static mqtls_status_t add_dirs(mbedtls_x509_crt *chain, mqtls_tls_evidence_t *ev,
                               const char *dirs)
{
    (void)chain;
    return no_store(ev, dirs);
}

static mqtls_status_t add_os_ca(mbedtls_x509_crt *chain, mqtls_tls_evidence_t *ev)
{
    (void)chain;
    return no_store(ev, "the system's trust store");
}
#endif

static mqtls_status_t load_ca(mqtls_mbedtls_ctx_t *be, const mqtls_tls_cfg_t *c,
                              mqtls_tls_evidence_t *ev)
{
    mqtls_status_t st = MQTLS_OK;
    if (c->ca_file)
        st = add_crts(&be->ca, ev, c->ca_file, NULL, 0, MQTLS_TLS_ITEM_CA, false);
    if (st == MQTLS_OK && c->ca_mem)
        st = add_crts(&be->ca, ev, NULL, c->ca_mem, c->ca_mem_len, MQTLS_TLS_ITEM_CA, false);
    if (st == MQTLS_OK && c->ca_path)
        st = add_dirs(&be->ca, ev, c->ca_path);
    if (st == MQTLS_OK && c->use_os_ca)
        st = add_os_ca(&be->ca, ev);
    if (st != MQTLS_OK)
        return st;
    if (be->ca.raw.p == NULL && (c->ca_path || c->use_os_ca))
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, 0, MQTLS_TLS_ITEM_CA,
                         MQTLS_TLS_CRED_EMPTY,
                         c->ca_path ? "no certificate found in the CA directory"
                                    : "no certificate found in the system's trust store");
    if (be->ca.raw.p == NULL && !c->insecure)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM,
                               MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED, MQTLS_TLS_ITEM_CA,
                               "no CA configured to verify the server");
    return MQTLS_OK;
}

/* ---- our key ----------------------------------------------------------------------- */

static bool is_code(int ret, int code)
{
    /* A high-level code may carry a low-level one added to it. */
    return ret == code || -((-ret) & 0xFF80) == code;
}

static mqtls_tls_cred_problem_t key_problem(int ret, bool der_encrypted, bool has_pass)
{
    static const int unsupported[] = {
        MBEDTLS_ERR_PK_UNKNOWN_PK_ALG,         MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE,
        MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE, MBEDTLS_ERR_PKCS12_FEATURE_UNAVAILABLE,
        MBEDTLS_ERR_CIPHER_FEATURE_UNAVAILABLE, MBEDTLS_ERR_PEM_FEATURE_UNAVAILABLE,
    };
    if (is_code(ret, MBEDTLS_ERR_PK_PASSWORD_REQUIRED) ||
        is_code(ret, MBEDTLS_ERR_PEM_PASSWORD_REQUIRED))
        return MQTLS_TLS_CRED_PASS_NEEDED;
    if (is_code(ret, MBEDTLS_ERR_PK_PASSWORD_MISMATCH) ||
        is_code(ret, MBEDTLS_ERR_PEM_PASSWORD_MISMATCH) ||
        is_code(ret, MBEDTLS_ERR_PKCS5_PASSWORD_MISMATCH) ||
        is_code(ret, MBEDTLS_ERR_PKCS12_PASSWORD_MISMATCH))
        return MQTLS_TLS_CRED_PASS_WRONG;
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (is_code(ret, unsupported[i]))
            return MQTLS_TLS_CRED_KEY_UNSUPPORTED;
    /* DER EncryptedPrivateKeyInfo: Mbed TLS tries the other forms after it and answers
     * "invalid format": without a passphrase one was needed; with one, the scheme is one
     * it lacks (a wrong passphrase is told apart). */
    if (der_encrypted)
        return has_pass ? MQTLS_TLS_CRED_KEY_UNSUPPORTED : MQTLS_TLS_CRED_PASS_NEEDED;
    return MQTLS_TLS_CRED_MALFORMED;
}

/* Whether @p len bytes at @p s hold @p word. */
static bool strstr_n(const char *s, size_t len, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= len; i++)
        if (memcmp(s + i, word, w) == 0)
            return true;
    return false;
}

static mqtls_status_t load_key(mqtls_mbedtls_ctx_t *be, const mqtls_tls_cfg_t *c,
                               mqtls_tls_evidence_t *ev)
{
    blob_t b;
    if (c->key_file && strncmp(c->key_file, "pkcs11:", 7) == 0)
        return cred_fail(ev, MQTLS_ERR_UNSUPPORTED, 0, MQTLS_TLS_ITEM_KEY,
                         MQTLS_TLS_CRED_KEY_UNSUPPORTED, "PKCS#11 keys need the OpenSSL backend");
    mqtls_status_t st = blob_load(&b, ev, c->key_file, c->key_mem, c->key_mem_len,
                                  MQTLS_TLS_ITEM_KEY);
    if (st != MQTLS_OK)
        return st;
    const char *what = c->key_file ? c->key_file : "the key in memory";
    if (blank(&b)) {
        blob_free(&b);
        return empty(ev, MQTLS_TLS_ITEM_KEY, what);
    }
    bool none = pem_without(&b, "PRIVATE KEY-----"); /* a certificate given as the key */
    const uint8_t *pw = (const uint8_t *)c->key_pass;
    size_t pwlen = pw ? strlen(c->key_pass) : 0;
    bool der_enc = mqtls__x509_der_kind(b.p, b.len, NULL) == MQTLS_X509_DER_KEY_PKCS8_ENC;
#if !defined(MBEDTLS_PKCS5_C)
    /* The device configuration decrypts no key (config/mbedtls_device.h): without a
     * passphrase one is needed all the same (a caller that decrypts, like the tool, then
     * hands over the plain key); with one, this library cannot use it. */
    if (der_enc || strstr_n((const char *)b.p, b.len, "ENCRYPTED PRIVATE KEY-----") ||
        strstr_n((const char *)b.p, b.len, "Proc-Type: 4,ENCRYPTED")) {
        blob_free(&b);
        mqtls_tls_cred_problem_t problem =
            pwlen ? MQTLS_TLS_CRED_KEY_UNSUPPORTED : MQTLS_TLS_CRED_PASS_NEEDED;
        if (ev)
            ev->cred_problem = problem;
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, 0,
                               MQTLS_TLS_ITEM_KEY,
                               "%s: an encrypted key%s: this Mbed TLS cannot decrypt keys (built "
                               "without PKCS#5 and PEM ciphers); decrypt it before", what,
                               pwlen ? "" : " (a password is needed)");
    }
#endif
    int ret = mbedtls_pk_parse_key(&be->key, b.p, b.len, pw, pwlen, MQTLS_MBEDTLS_RNG);
    blob_free(&b);
    if (ret == 0)
        return MQTLS_OK;
    mqtls_tls_cred_problem_t problem =
        none ? MQTLS_TLS_CRED_EMPTY : key_problem(ret, der_enc, pwlen > 0);
    /* cppcheck-suppress knownConditionTrueFalse ; true only without MBEDTLS_PKCS5_C (the device
     * configuration: an encrypted key returned above); a configuration with it gets here */
    if (!der_enc || problem == MQTLS_TLS_CRED_PASS_WRONG)
        return cred_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, ret, MQTLS_TLS_ITEM_KEY, problem, what);
    /* Mbed TLS's "invalid format" would mislead: say what was inferred. */
    if (ev)
        ev->cred_problem = problem;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, ret,
                           MQTLS_TLS_ITEM_KEY, "%s: an encrypted PKCS#8 key (DER): %s", what,
                           pwlen ? "its encryption is not available in Mbed TLS "
                                   MBEDTLS_VERSION_STRING
                                 : "a passphrase is needed");
}

static mqtls_status_t load_identity(mqtls_mbedtls_ctx_t *be, const mqtls_tls_ctx_t *ctx,
                                    mqtls_tls_evidence_t *ev)
{
    const mqtls_tls_cfg_t *c = &ctx->cfg;
    if (!ctx->has_identity)
        return MQTLS_OK;
    mqtls_status_t st = add_crts(&be->cert, ev, c->cert_file, c->cert_mem, c->cert_mem_len,
                                 MQTLS_TLS_ITEM_CERT, false);
    if (st == MQTLS_OK)
        st = load_key(be, c, ev);
    if (st != MQTLS_OK)
        return st;
    int ret = mbedtls_pk_check_pair(&be->cert.pk, &be->key, MQTLS_MBEDTLS_RNG);
    if (ret == 0)
        return MQTLS_OK;
    if (ev)
        ev->cred_problem = MQTLS_TLS_CRED_KEY_MISMATCH;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_KEY_MISMATCH, ret,
                           MQTLS_TLS_ITEM_KEY,
                           "the private key does not belong to the certificate");
}

/* ---- settings ---------------------------------------------------------------------- */

/* An IANA suite name: "TLS_" then capitals, digits and '_'. */
static bool iana_name(const char *s, size_t len)
{
    if (len < 5 || strncmp(s, "TLS_", 4) != 0)
        return false;
    for (size_t i = 4; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* A TLS 1.3 suite's IANA name: TLS_AES_128_GCM_SHA256, no _WITH_ (TLS 1.2's have one). */
static bool tls13_name(const char *s, size_t len)
{
    return len > 4 && memcmp(s, "TLS_", 4) == 0 && !strstr_n(s, len, "_WITH_");
}

int mqtls__mbedtls_suite_id(const char *name, size_t len)
{
    char mb[96];
    if (!iana_name(name, len) || len + 3 >= sizeof mb)
        return 0;
    /* Mbed TLS's own spelling: '-' for '_', and TLS 1.3's suites (TLS_AES_128_GCM_SHA256,
     * no _WITH_) as TLS1-3-AES-128-GCM-SHA256. */
    size_t at = 0, from = 0;
    if (tls13_name(name, len)) {
        memcpy(mb, "TLS1-3-", 7);
        at = 7;
        from = 4;
    }
    for (size_t i = from; i < len; i++)
        mb[at++] = (char)(name[i] == '_' ? '-' : name[i]);
    mb[at] = '\0';
    return mbedtls_ssl_get_ciphersuite_id(mb);
}

static mqtls_status_t bad_suite(mqtls_tls_evidence_t *ev, const char *s, size_t len,
                                const char *why)
{
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                           MQTLS_TLS_ITEM_SETTINGS, "cipher suite '%.*s': %s", (int)len, s, why);
}

/* IANA names ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") to Mbed TLS suite ids. OpenSSL's
 * names and rules are the tool's to expand with this backend. */
/* Every suite of the list Mbed TLS lacks, named in the detail (not only the first: a list
 * may mix a name only another library has with a misspelt one). */
static mqtls_status_t unknown_suites(mqtls_tls_evidence_t *ev, const char *list)
{
    const char *s = list;
    char names[112] = "";
    size_t used = 0;
    for (s += strspn(s, ":, "); *s; s += strspn(s, ":, ")) {
        size_t len = strcspn(s, ":, ");
        if (mqtls__mbedtls_suite_id(s, len) == 0 && used + len + 3 < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%.*s",
                                     used ? ", " : "", (int)len, s);
        s += len;
    }
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                           MQTLS_TLS_ITEM_SETTINGS,
                           "unknown or unsupported cipher suite in '%s' (not in Mbed TLS "
                           MBEDTLS_VERSION_STRING ": %s)", list, names);
}

/* IANA names ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") to Mbed TLS suite ids. OpenSSL's
 * names and rules are the tool's to expand with this backend. */
static mqtls_status_t parse_ciphers(mqtls_mbedtls_ctx_t *be, const char *list,
                                    mqtls_tls_evidence_t *ev)
{
    size_t n = 0;
    bool unknown = false;
    be->suites = mbedtls_calloc(MQTLS_MBEDTLS_SUITES_MAX + 1, sizeof *be->suites);
    if (!be->suites)
        return bad_suite(ev, "", 0, "out of memory");
    for (const char *s = list + strspn(list, ":, "); *s; s += strspn(s, ":, ")) {
        size_t len = strcspn(s, ":, ");
        if (!iana_name(s, len))
            return bad_suite(ev, s, len, "not an IANA name (OpenSSL's names and rules need "
                                         "the OpenSSL backend)");
        if (n >= MQTLS_MBEDTLS_SUITES_MAX)
            return bad_suite(ev, s, len, "too long a list");
        int id = mqtls__mbedtls_suite_id(s, len);
        unknown = unknown || id == 0;
        bool v13 = tls13_name(s, len);
        be->suites13 = be->suites13 || v13;
        be->suites12 = be->suites12 || !v13;
        be->suites[n++] = id;
        s += len;
    }
    be->suites[n] = 0;
    if (unknown)
        return unknown_suites(ev, list);
    if (n == 0)
        return bad_suite(ev, "", 0, "an empty list");
    return MQTLS_OK;
}

static mqtls_status_t versions(const mqtls_tls_cfg_t *c, int *min, int *max,
                               mqtls_tls_evidence_t *ev)
{
    *min = c->min_version ? c->min_version : MQTLS_TLS_V1_2;
    *max = c->max_version ? c->max_version : (MQTLS_MBEDTLS_TLS13 ? 13 : 12);
    /* First: TLS 1.3 asked of a library without it (a min of 1.3 with the default max
     * too) is a missing feature, not a bad range. */
    if ((*min == 13 || *max == 13) && !MQTLS_MBEDTLS_TLS13)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_UNSUPPORTED, 0,
                               MQTLS_TLS_ITEM_SETTINGS,
                               "TLS 1.3 is not available in the linked Mbed TLS %s",
                               MBEDTLS_VERSION_STRING);
    /* max_fragment_length is TLS 1.2's (RFC 6066). Mbed TLS 3.6 offers it in the ClientHello
     * whatever the version, but its TLS 1.3 client refuses the server's echo of it, which
     * OpenSSL servers (mosquitto) send: with a fragment length, 1.2 it is. */
    if (c->max_fragment_len && *min == 13)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                               MQTLS_TLS_ITEM_SETTINGS,
                               "max_fragment_len is a TLS 1.2 extension: not with TLS 1.3 only");
    if (c->max_fragment_len && *max == 13)
        *max = 12;
    if (*min < 12 || *max > 13 || *min > *max)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                               MQTLS_TLS_ITEM_SETTINGS,
                               "TLS versions: 1.2 and 1.3 only, min <= max");
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

static mqtls_status_t settings_fail(mqtls_tls_evidence_t *ev, mqtls_status_t st, int ret)
{
    char words[128] = "";
    mbedtls_strerror(ret, words, sizeof words);
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, st, ret, MQTLS_TLS_ITEM_SETTINGS,
                           "%s", words);
}

static mqtls_status_t configure(mqtls_mbedtls_ctx_t *be, const mqtls_tls_cfg_t *c,
                                mqtls_tls_evidence_t *ev)
{
    int min, max, ret;
    mbedtls_ssl_config *conf = &be->conf;
    mqtls_status_t st = versions(c, &min, &max, ev);
    if (st == MQTLS_OK && c->ciphers)
        st = parse_ciphers(be, c->ciphers, ev);
    if (st != MQTLS_OK)
        return st;
    /* A list of TLS 1.2 suites only means TLS 1.2 (and of 1.3 suites only, 1.3), as with
     * the OpenSSL backend: otherwise 1.3 would be agreed with no suite to run it. */
    if (c->ciphers && !be->suites13 && !c->max_version && min == 12)
        max = 12;
    if (c->ciphers && !be->suites12 && !c->min_version && max == 13)
        min = 13;
    ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret)
        return settings_fail(ev, MQTLS_ERR_TLS, ret);
    mbedtls_ssl_conf_min_tls_version(conf, min == 13 ? MBEDTLS_SSL_VERSION_TLS1_3
                                                     : MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, max == 13 ? MBEDTLS_SSL_VERSION_TLS1_3
                                                     : MBEDTLS_SSL_VERSION_TLS1_2);
    /* Insecure still verifies, so the evidence shows what would have failed. */
    mbedtls_ssl_conf_authmode(conf, c->insecure ? MBEDTLS_SSL_VERIFY_OPTIONAL
                                                : MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(conf, &be->ca, be->crl.raw.p ? &be->crl : NULL);
    mbedtls_ssl_conf_rng(conf, MQTLS_MBEDTLS_RNG);
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED); /* AWS */
#endif
    if (be->cert.raw.p && (ret = mbedtls_ssl_conf_own_cert(conf, &be->cert, &be->key)) != 0)
        return settings_fail(ev, MQTLS_ERR_TLS, ret);
    if (c->ciphers)
        mbedtls_ssl_conf_ciphersuites(conf, be->suites);
    if (c->alpn && (ret = mbedtls_ssl_conf_alpn_protocols(conf, (const char **)c->alpn)))
        return settings_fail(ev, MQTLS_ERR_BAD_PARAM, ret);
    if (c->max_fragment_len > MBEDTLS_SSL_OUT_CONTENT_LEN)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                               MQTLS_TLS_ITEM_SETTINGS,
                               "max_fragment_len %u: larger than what this Mbed TLS sends in a "
                               "record (MBEDTLS_SSL_OUT_CONTENT_LEN %d)",
                               (unsigned)c->max_fragment_len, MBEDTLS_SSL_OUT_CONTENT_LEN);
    if (c->max_fragment_len) {
        int code = mfl_code(c->max_fragment_len);
        if (code < 0 || mbedtls_ssl_conf_max_frag_len(conf, (unsigned char)code) != 0)
            return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                                   MQTLS_TLS_ITEM_SETTINGS,
                                   "max_fragment_len %u: 0, 512, 1024, 2048 or 4096 only",
                                   (unsigned)c->max_fragment_len);
    }
    return MQTLS_OK;
}

/* ---- the context ------------------------------------------------------------------- */

static void be_free(mqtls_mbedtls_ctx_t *be)
{
    mbedtls_ssl_config_free(&be->conf);
    mbedtls_x509_crt_free(&be->ca);
    mbedtls_x509_crl_free(&be->crl);
    mbedtls_x509_crt_free(&be->cert);
    mbedtls_pk_free(&be->key); /* zeroizes the key material */
    mbedtls_free(be->suites);
    mbedtls_platform_zeroize(be, sizeof *be);
    mbedtls_free(be);
}

mqtls_status_t mqtls__tlsb_ctx_init(mqtls_tls_ctx_t *ctx, mqtls_tls_evidence_t *ev)
{
    mqtls_mbedtls_ctx_t *be = mbedtls_calloc(1, sizeof *be);
    if (!be)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, 0,
                               MQTLS_TLS_ITEM_NONE, "out of memory");
    mbedtls_ssl_config_init(&be->conf);
    mbedtls_x509_crt_init(&be->ca);
    mbedtls_x509_crl_init(&be->crl);
    mbedtls_x509_crt_init(&be->cert);
    mbedtls_pk_init(&be->key);
    mqtls_status_t st = MQTLS_OK;
    /* PSA crypto: TLS 1.3 and the keys run on it, and it seeds the one DRBG from the
     * entropy source (a device's mbedtls_hardware_poll()). Repeated calls are no-ops. */
    psa_status_t ps = psa_crypto_init();
    if (ps != PSA_SUCCESS)
        st = mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, (int)ps,
                             MQTLS_TLS_ITEM_NONE,
                             "PSA crypto could not start (%d): the entropy source failed?",
                             (int)ps);
    if (st == MQTLS_OK)
        st = load_ca(be, &ctx->cfg, ev);
    if (st == MQTLS_OK)
        st = mqtls__mbedtls_load_crl(be, &ctx->cfg, ev);
    if (st == MQTLS_OK)
        st = load_identity(be, ctx, ev);
    if (st == MQTLS_OK)
        st = configure(be, &ctx->cfg, ev);
    if (st != MQTLS_OK) {
        be_free(be);
        return st;
    }
    ctx->be = be;
    return MQTLS_OK;
}

void mqtls__tlsb_ctx_free(mqtls_tls_ctx_t *ctx)
{
    if (ctx->be)
        be_free(ctx->be);
    ctx->be = NULL;
}
