/**
 * @file libctx.c
 * @brief The OpenSSL library context the backend's SSL_CTXs are made in, and whether the
 *        process's own can do TLS at all.
 *
 * Every certificate OpenSSL 3.0 parses decodes its public key through the decoder framework,
 * and setting that up walks every decoder of every provider loaded (the default provider
 * has about forty: private keys, PEM, MSBLOB, PVK, ...): about 90 us a certificate here,
 * two certificates a handshake, more than the ECDSA signature the handshake checks. The
 * server's certificates are only ever SubjectPublicKeyInfo in DER, so the backend's
 * contexts live in a library context of their own whose provider is the default provider
 * with its decoders cut down to those, and its key types and ciphers to those TLS uses
 * (the other algorithms unchanged, and all of it the same code): a certificate then parses
 * in about 30 us. Credentials, trust and CRLs are still read in the process's default
 * context, which has every decoder.
 *
 * Only when the process's default context holds exactly the default provider (no FIPS, no
 * legacy, no PKCS#11 provider set up in openssl.cnf, which the own context would not
 * have): otherwise the backend stays in the default context, and so does a context whose
 * key is in a PKCS#11 token.
 *
 * And only with OpenSSL 3.0, the library that is running (not the headers built against:
 * one binary meets several releases). The own provider lends the default provider's own
 * provider context to its algorithms, which 3.0 accepts and later releases need not: 3.5's
 * DRBG looks its provider up by name in the context it was lent, finds no "mqtls-tls" there,
 * and every SSL_CTX_new_ex() would fail with "error instantiating drbg". Later releases also
 * keep a certificate's decoder set-up in a cache (3.5 does), the cost the own context cuts. The
 * own context's random generator is seeded once before it is used, so a 3.0 that behaves
 * otherwise falls back to the default context too.
 */
#include "ossl.h"

#include <openssl/conf.h>
#include <openssl/core_dispatch.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key types a certificate TLS verifies can hold: they sign. X25519/X448 and DH keys
 * cannot, so a certificate with one could not verify anything here; OpenSSL 3.0's TLS has
 * no SM2. */
static const char *const cert_key_types[] = {"RSA", "RSA-PSS", "EC", "ED25519", "ED448", "DSA"};

/* The key types TLS uses: those of certificates, the key exchange groups (EC, X25519, X448,
 * DH's ffdhe) and HMAC (the record MAC of CBC suites). The KDFs libssl runs are EVP_KDFs,
 * not keys. Each decoding looks through every key type there is, so fewer is faster. */
static const char *const tls_key_types[] = {"RSA", "RSA-PSS", "EC", "ED25519", "ED448", "DSA",
                                            "X25519", "X448", "DH", "DHX", "HMAC"};

/* The ciphers libssl can put in a record layer (OpenSSL 3.0's cipher table: the GOST, SEED,
 * IDEA, RC2 and RC4 ones are not in the default provider). The default provider has 124;
 * every lookup of a key type walks all the algorithms fetched, so the rest only costs. */
static const char *const tls_ciphers[] = {
    "NULL", "AES-128-CBC", "AES-256-CBC", "AES-128-GCM", "AES-256-GCM", "AES-128-CCM",
    "AES-256-CCM", "AES-128-CBC-HMAC-SHA1", "AES-256-CBC-HMAC-SHA1",
    "AES-128-CBC-HMAC-SHA256", "AES-256-CBC-HMAC-SHA256", "ARIA-128-GCM", "ARIA-256-GCM",
    "CAMELLIA-128-CBC", "CAMELLIA-256-CBC", "DES-EDE3-CBC", "ChaCha20-Poly1305"};

#define ALGS_MAX 24

static struct {
    OSSL_PROVIDER *inner;    /* the default context's default provider */
    OSSL_LIB_CTX *own;       /* NULL: use the default context */
    OSSL_ALGORITHM decoders[ALGS_MAX + 1];
    OSSL_ALGORITHM keymgmts[ALGS_MAX + 1];
    OSSL_ALGORITHM ciphers[ALGS_MAX + 1];
} lc;

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;

/* ---- the provider of the own context: the default provider, fewer algorithms -------- */

static const OSSL_ALGORITHM *own_query(void *provctx, int op, int *no_cache)
{
    (void)provctx;
    const OSSL_ALGORITHM *own = op == OSSL_OP_DECODER   ? lc.decoders
                                : op == OSSL_OP_KEYMGMT ? lc.keymgmts
                                : op == OSSL_OP_CIPHER  ? lc.ciphers
                                                        : NULL;
    if (own) {
        *no_cache = 0;
        return own;
    }
    return OSSL_PROVIDER_query_operation(lc.inner, op, no_cache);
}

static void own_unquery(void *provctx, int op, const OSSL_ALGORITHM *algs)
{
    (void)provctx;
    if (op != OSSL_OP_DECODER && op != OSSL_OP_KEYMGMT && op != OSSL_OP_CIPHER)
        OSSL_PROVIDER_unquery_operation(lc.inner, op, algs);
}

/* libssl learns the TLS groups (key exchange) from here. */
static int own_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb, void *arg)
{
    (void)provctx;
    return OSSL_PROVIDER_get_capabilities(lc.inner, capability, cb, arg);
}

static const OSSL_DISPATCH own_dispatch[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))own_query},
    {OSSL_FUNC_PROVIDER_UNQUERY_OPERATION, (void (*)(void))own_unquery},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))own_capabilities},
    {0, NULL}};

/* The algorithms are the default provider's, so they get its provider context: what they
 * fetch themselves (an HMAC's digest, a DRBG's cipher) they fetch in the default context. */
static int own_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                    const OSSL_DISPATCH **out, void **provctx)
{
    (void)handle;
    (void)in;
    *provctx = OSSL_PROVIDER_get0_provider_ctx(lc.inner);
    *out = own_dispatch;
    return *provctx != NULL;
}

/* ---- setting it up, once per process ----------------------------------------------- */

static int count_provider(OSSL_PROVIDER *p, void *arg)
{
    int *n = arg;
    *n += strcmp(OSSL_PROVIDER_get0_name(p), "default") == 0 ? 1 : 100;
    return 1;
}

/* Is the first of an algorithm's names ("EC:id-ecPublicKey:1.2.840.10045.2.1") in @p list? */
static bool named(const OSSL_ALGORITHM *a, const char *const *list, size_t n)
{
    size_t len = strcspn(a->algorithm_names, ":");
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && strncmp(a->algorithm_names, list[i], len) == 0)
            return true;
    return false;
}

static bool is_cert_key_decoder(const OSSL_ALGORITHM *a)
{
    const char *def = a->property_definition ? a->property_definition : "";
    return strstr(def, "input=der") && strstr(def, "structure=SubjectPublicKeyInfo") &&
           named(a, cert_key_types, sizeof cert_key_types / sizeof cert_key_types[0]);
}

static bool is_tls_keymgmt(const OSSL_ALGORITHM *a)
{
    return named(a, tls_key_types, sizeof tls_key_types / sizeof tls_key_types[0]);
}

static bool is_tls_cipher(const OSSL_ALGORITHM *a)
{
    return named(a, tls_ciphers, sizeof tls_ciphers / sizeof tls_ciphers[0]);
}

/* Copies the default provider's algorithms of @p op that @p keep wants into @p out. */
static bool take(int op, bool (*keep)(const OSSL_ALGORITHM *), OSSL_ALGORITHM *out)
{
    int no_cache = 0;
    const OSSL_ALGORITHM *all = OSSL_PROVIDER_query_operation(lc.inner, op, &no_cache);
    size_t n = 0;
    for (const OSSL_ALGORITHM *a = all; a && a->algorithm_names; a++)
        if (keep(a) && n < ALGS_MAX)
            out[n++] = *a;
    memset(&out[n], 0, sizeof out[n]);
    return n > 0;
}

/* The running OpenSSL is the one the own context is for (see the top of the file). */
static bool lending_works(void)
{
    return OPENSSL_version_major() == 3 && OPENSSL_version_minor() == 0;
}

static void setup(void)
{
    int providers = 0;
    unsigned char probe[1];
    if (!lending_works())
        return;
    ERR_set_mark();
    OSSL_PROVIDER_do_all(NULL, count_provider, &providers);
    if (providers == 1 && (lc.inner = OSSL_PROVIDER_load(NULL, "default")) &&
        take(OSSL_OP_DECODER, is_cert_key_decoder, lc.decoders) &&
        take(OSSL_OP_KEYMGMT, is_tls_keymgmt, lc.keymgmts) &&
        take(OSSL_OP_CIPHER, is_tls_cipher, lc.ciphers) &&
        (lc.own = OSSL_LIB_CTX_new()) &&
        OSSL_PROVIDER_add_builtin(lc.own, "mqtls-tls", own_init) &&
        OSSL_PROVIDER_load(lc.own, "mqtls-tls") &&
        /* every SSL_CTX seeds its ticket keys from here: seeded now, not later */
        RAND_bytes_ex(lc.own, probe, sizeof probe, 0) == 1) {
        ERR_pop_to_mark();
        return;
    }
    /* Not to be had: the default context, as without this file. */
    OSSL_LIB_CTX_free(lc.own);
    lc.own = NULL;
    if (lc.inner)
        OSSL_PROVIDER_unload(lc.inner);
    lc.inner = NULL;
    ERR_pop_to_mark();
}

OSSL_LIB_CTX *mqtls__ossl_libctx(const mqtls_tls_cfg_t *cfg)
{
    if (cfg && cfg->key_file && mqtls__ossl_is_pkcs11(cfg->key_file))
        return NULL;
    if (!CRYPTO_THREAD_run_once(&once, setup))
        return NULL;
    return lc.own;
}

/* ---- can OpenSSL do TLS at all here? ------------------------------------------------- */

struct names {
    char text[96];
};

static int add_name(OSSL_PROVIDER *p, void *arg)
{
    struct names *n = arg;
    size_t len = strlen(n->text);
    snprintf(n->text + len, sizeof n->text - len, "%s%s", len ? ", " : "",
             OSSL_PROVIDER_get0_name(p));
    return 1;
}

/* A providers section in openssl.cnf loads the providers it lists and no other: one that
 * adds the legacy provider and forgets the default one leaves OpenSSL without SHA-256, AES
 * and EC keys, and every certificate, key and handshake then fails in words that blame
 * them. mqtls_tls_ctx_new() asks only after a failure, so a working setup never pays for it;
 * the certificate tools ask before they start. */
bool mqtls__tlsb_usable(char *why, size_t size)
{
    ERR_set_mark();
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    EVP_KEYMGMT *ec = EVP_KEYMGMT_fetch(NULL, "EC", NULL);
    bool ok = md && cipher && ec;
    EVP_MD_free(md);
    EVP_CIPHER_free(cipher);
    EVP_KEYMGMT_free(ec);
    ERR_pop_to_mark();
    if (ok)
        return true;
    struct names loaded = {""};
    OSSL_PROVIDER_do_all(NULL, add_name, &loaded);
    /* The reason first and the file last: a long path is what the buffer cuts. */
    char *file = CONF_get1_default_config_file();
    const char *conf = file ? file : "openssl.cnf";
    const char *env = getenv("OPENSSL_CONF") ? "OPENSSL_CONF=" : "";
    if (!loaded.text[0])
        snprintf(why, size, "OpenSSL loads no provider, not even the default one (no SHA-256, "
                 "AES, EC keys): %s%s", env, conf);
    else if (!OSSL_PROVIDER_available(NULL, "default"))
        snprintf(why, size, "OpenSSL loads the provider%s %s but not the default one (no "
                 "SHA-256, AES, EC keys): %s%s", strchr(loaded.text, ',') ? "s" : "",
                 loaded.text, env, conf);
    else
        snprintf(why, size, "OpenSSL (providers %s) has no SHA-256, AES-GCM or EC keys: TLS "
                 "cannot work: %s%s", loaded.text, env, conf);
    OPENSSL_free(file);
    return false;
}
