/**
 * @file vcache.c
 * @brief Chains a context has verified: a reconnect that is sent the same chain, for the
 *        same name, is not verified again.
 *
 * A gateway or a fleet simulator connects over and over to the same broker, which sends the
 * same certificates every time. Verifying them again (each signature of the chain checked,
 * the chain built from the store) is a third of a client's CPU in an ECDSA handshake. A
 * context remembers the chains it verified without a problem: the key is a SHA-256 over
 * the name verified and the DER of every certificate the server sent, in order; the entry
 * keeps the chain as it was built and the evidence told of it. A later handshake whose key
 * matches takes that chain instead of verifying, while
 *  - every certificate of the chain is still within its validity (checked at each use), and
 *  - the entry is younger than VCACHE_TTL_S (a CA directory is read lazily, so what it
 *    holds can change under a context).
 * The handshake's own signature (CertificateVerify, ServerKeyExchange) is checked every
 * time by OpenSSL; only the chain's verification is taken from here. Only chains without
 * a problem are kept, and none when CRLs are checked (a CRL has a validity of its own).
 * Browsers do the same with their certificate verification caches.
 */
#include "ossl.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#define VCACHE_SLOTS 4
#define VCACHE_TTL_S 1800 /* 30 minutes */

struct ossl_vcache {
    pthread_mutex_t lock;
    struct vcache_entry {
        unsigned char key[32];
        STACK_OF(X509) *chain; /* as built; NULL: a free slot */
        mqtls_tls_cert_info_t *told; /* the evidence's chains as sent, then as built */
        uint8_t sent_len, chain_len;
        time_t added;
        time_t not_before;     /* the latest notBefore of the chain */
        time_t not_after;      /* the earliest notAfter of the chain */
    } e[VCACHE_SLOTS];
    EVP_MD *sha256;
};

static void entry_clear(struct vcache_entry *e)
{
    sk_X509_pop_free(e->chain, X509_free);
    OPENSSL_free(e->told);
    memset(e, 0, sizeof *e);
}

struct ossl_vcache *mqtls__ossl_vcache_new(void)
{
    struct ossl_vcache *vc = OPENSSL_zalloc(sizeof *vc);
    if (vc && !(vc->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL))) {
        OPENSSL_free(vc);
        return NULL;
    }
    if (vc)
        pthread_mutex_init(&vc->lock, NULL);
    return vc;
}

void mqtls__ossl_vcache_free(struct ossl_vcache *vc)
{
    if (!vc)
        return;
    for (int i = 0; i < VCACHE_SLOTS; i++)
        entry_clear(&vc->e[i]);
    EVP_MD_free(vc->sha256);
    pthread_mutex_destroy(&vc->lock);
    OPENSSL_free(vc);
}

static bool hash_cert(EVP_MD_CTX *md, X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    unsigned char n[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                          (unsigned char)(len >> 8), (unsigned char)len};
    bool ok = len > 0 && EVP_DigestUpdate(md, n, sizeof n) &&
              EVP_DigestUpdate(md, der, (size_t)len);
    OPENSSL_free(der);
    return ok;
}

bool mqtls__ossl_vcache_key(const struct ossl_vcache *vc, const mqtls_tls_t *t,
                            X509_STORE_CTX *store, unsigned char key[32])
{
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(store);
    if (!vc || (X509_VERIFY_PARAM_get_flags(param) &
                (X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL)))
        return false;
    const char *host = X509_VERIFY_PARAM_get0_host(param, 0);
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(store);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && leaf && EVP_DigestInit_ex(md, vc->sha256, NULL);
    /* The name: an address as its bytes, a host name as text; either way its length first. */
    unsigned char tag[2] = {t->host_is_ip ? 1 : 0,
                            (unsigned char)(t->host_is_ip ? t->host_ip_len
                                                          : host ? strlen(host) : 0)};
    if (!t->host_is_ip && host && strlen(host) > 255)
        ok = false;
    ok = ok && EVP_DigestUpdate(md, tag, sizeof tag) &&
         EVP_DigestUpdate(md, t->host_is_ip ? (const void *)t->host_ip : (const void *)host,
                          tag[1]);
    /* The sent list starts with the server's own certificate; hashed alone if it does not. */
    if (!sent || sk_X509_num(sent) == 0 || sk_X509_value(sent, 0) != leaf)
        ok = ok && hash_cert(md, leaf);
    for (int i = 0; ok && sent && i < sk_X509_num(sent); i++)
        ok = hash_cert(md, sk_X509_value(sent, i));
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(md, key, &len) && len == 32;
    EVP_MD_CTX_free(md);
    return ok;
}

static bool to_time(const ASN1_TIME *at, time_t *out)
{
    struct tm tm;
    if (!at || !ASN1_TIME_to_tm(at, &tm))
        return false;
    *out = timegm(&tm);
    return true;
}

STACK_OF(X509) *mqtls__ossl_vcache_find(struct ossl_vcache *vc, const unsigned char key[32],
                                        X509 *leaf, mqtls_tls_t *t)
{
    STACK_OF(X509) *chain = NULL;
    time_t now = time(NULL);
    pthread_mutex_lock(&vc->lock);
    for (int i = 0; i < VCACHE_SLOTS; i++) {
        struct vcache_entry *e = &vc->e[i];
        if (!e->chain || memcmp(e->key, key, 32) != 0)
            continue;
        if (now - e->added >= VCACHE_TTL_S || now < e->added || now < e->not_before ||
            now >= e->not_after) {
            entry_clear(e); /* stale: verified afresh */
            break;
        }
        /* The evidence as it was told then: the same certificates, no problem. */
        for (unsigned k = 0; k < e->sent_len + e->chain_len; k++) {
            bool sent = k < e->sent_len;
            mqtls_tls_cert_info_t *ci =
                mqtls__tls_cert_slot(t, sent, sent ? k : k - e->sent_len);
            if (ci)
                *ci = e->told[k];
        }
        /* This connection's own certificate first, then the chain above it as built. */
        chain = sk_X509_new_reserve(NULL, sk_X509_num(e->chain));
        for (int k = 0; chain && k < sk_X509_num(e->chain); k++) {
            X509 *x = k == 0 ? leaf : sk_X509_value(e->chain, k);
            bool held = X509_up_ref(x);
            if (!held || !sk_X509_push(chain, x)) {
                if (held)
                    X509_free(x);
                sk_X509_pop_free(chain, X509_free);
                chain = NULL;
            }
        }
        break;
    }
    pthread_mutex_unlock(&vc->lock);
    return chain;
}

void mqtls__ossl_vcache_add(struct ossl_vcache *vc, const unsigned char key[32],
                            STACK_OF(X509) *built, const mqtls_tls_t *t)
{
    struct vcache_entry n = {.added = time(NULL), .sent_len = t->ev.sent_len,
                             .chain_len = t->ev.chain_len};
    memcpy(n.key, key, 32);
    for (int i = 0; built && i < sk_X509_num(built); i++) {
        time_t nb, na;
        X509 *x = sk_X509_value(built, i);
        if (!to_time(X509_get0_notBefore(x), &nb) || !to_time(X509_get0_notAfter(x), &na))
            return;
        if (i == 0 || nb > n.not_before)
            n.not_before = nb;
        if (i == 0 || na < n.not_after)
            n.not_after = na;
    }
    size_t told = (size_t)n.sent_len + n.chain_len;
    if (!built || sk_X509_num(built) == 0 || !t->ev.sent || !t->ev.chain ||
        !(n.told = OPENSSL_malloc(told * sizeof *n.told)))
        return;
    memcpy(n.told, t->ev.sent, n.sent_len * sizeof *n.told);
    memcpy(n.told + n.sent_len, t->ev.chain, n.chain_len * sizeof *n.told);
    if (!(n.chain = X509_chain_up_ref(built))) {
        OPENSSL_free(n.told);
        return;
    }
    pthread_mutex_lock(&vc->lock);
    int slot = -1; /* the same key again, else a free slot, else the oldest */
    for (int i = 0; i < VCACHE_SLOTS && slot < 0; i++)
        if (vc->e[i].chain && memcmp(vc->e[i].key, key, 32) == 0)
            slot = i;
    for (int i = 0; i < VCACHE_SLOTS && slot < 0; i++)
        if (!vc->e[i].chain)
            slot = i;
    if (slot < 0) {
        slot = 0;
        for (int i = 1; i < VCACHE_SLOTS; i++)
            if (vc->e[i].added < vc->e[slot].added)
                slot = i;
    }
    entry_clear(&vc->e[slot]);
    vc->e[slot] = n;
    pthread_mutex_unlock(&vc->lock);
}
