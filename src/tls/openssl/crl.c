/**
 * @file crl.c
 * @brief Certificate revocation lists for the OpenSSL backend: the CRLs of cfg.crl_file
 *        (PEM, any number; or one DER CRL) added to the verification store.
 *
 * What is checked: X509_V_FLAG_CRL_CHECK_ALL asks OpenSSL to check every certificate of the
 * chain; verify.c passes over "unable to get certificate CRL" (a certificate whose issuer
 * has no CRL in the file), so that a certificate is checked exactly when its issuer's CRL
 * is given, as Mbed TLS does (x509_crt_verifycrl() skips CAs without a CRL). curl's
 * --crlfile with OpenSSL sets CRL_CHECK_ALL and so wants every CRL of the chain; mosquitto's
 * crlfile sets CRL_CHECK only, for the peer's certificate. Ours is the one rule both
 * backends can keep; transport_tls.h documents it.
 */
#include "ossl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

static mqtls_status_t crl_fail(mqtls_tls_evidence_t *ev, mqtls_tls_cred_problem_t problem,
                               const char *path, const char *why)
{
    unsigned long code = mqtls__ossl_take_error(NULL, 0);
    if (ev)
        ev->cred_problem = problem;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS,
                           (int)code, MQTLS_TLS_ITEM_CRL, "%s: %s", path, why);
}

/* A CRL block into the store; other blocks (a CA file's certificates, say) are left. */
typedef struct crl_sink {
    X509_STORE *store;
    int added;
} crl_sink_t;

static bool take_crl(void *ctx, const char *label, const unsigned char *der, long len)
{
    crl_sink_t *k = ctx;
    if (strcmp(label, PEM_STRING_X509_CRL) != 0)
        return true;
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, len);
    bool ok = crl && X509_STORE_add_crl(k->store, crl) == 1;
    k->added += ok;
    X509_CRL_free(crl); /* the store keeps its own reference */
    return ok;
}

static int der_crl(X509_STORE *store, const uint8_t *buf, size_t len, int *bad)
{
    const unsigned char *p = buf;
    X509_CRL *crl = len < (1u << 24) ? d2i_X509_CRL(NULL, &p, (long)len) : NULL;
    int added = crl && p == buf + len && X509_STORE_add_crl(store, crl) == 1;
    X509_CRL_free(crl);
    *bad += !added;
    ERR_clear_error();
    return added;
}

mqtls_status_t mqtls__ossl_load_crl(const mqtls_tls_ctx_t *ctx, SSL_CTX *ssl,
                                    mqtls_tls_evidence_t *ev)
{
    const char *path = ctx->cfg.crl_file;
    if (!path)
        return MQTLS_OK;
    uint8_t *buf = NULL;
    size_t len = 0;
    mqtls_status_t st = mqtls__tls_read_file(ev, path, MQTLS_TLS_ITEM_CRL, &buf, &len);
    if (st != MQTLS_OK)
        return st;
    X509_STORE *store = SSL_CTX_get_cert_store(ssl);
    int bad = 0;
    crl_sink_t k = {store, 0};
    if (len > 0 && mqtls__tls_looks_pem(buf, len))
        mqtls__ossl_pem_each(buf, len, take_crl, &k, &bad);
    else
        k.added = len > 0 ? der_crl(store, buf, len, &bad) : 0;
    int added = k.added;
    mqtls__tls_drop(buf, len);
    if (bad) {
        char words[64];
        snprintf(words, sizeof words, "%d CRL(s) could not be parsed", bad);
        return crl_fail(ev, MQTLS_TLS_CRED_MALFORMED, path, words);
    }
    if (added == 0)
        return crl_fail(ev, MQTLS_TLS_CRED_EMPTY, path, "no CRL found");
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    return MQTLS_OK;
}
