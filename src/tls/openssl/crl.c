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

/* Every CRL block of a PEM text into @p store; *bad counts the blocks that did not parse.
 * Returns how many were added. */
static int pem_crls(X509_STORE *store, const uint8_t *buf, size_t len, int *bad)
{
    BIO *mem = BIO_new_mem_buf(buf, (int)len);
    int added = 0;
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long dlen;
    for (int guard = 0; mem && guard < 100000; guard++) {
        if (!PEM_read_bio(mem, &name, &header, &data, &dlen)) {
            unsigned long e = ERR_peek_last_error();
            ERR_clear_error();
            if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE || BIO_eof(mem))
                break;
            ++*bad;
            continue;
        }
        if (strcmp(name, PEM_STRING_X509_CRL) == 0) {
            const unsigned char *p = data;
            X509_CRL *crl = d2i_X509_CRL(NULL, &p, dlen);
            if (crl && X509_STORE_add_crl(store, crl) == 1)
                added++;
            else
                ++*bad;
            X509_CRL_free(crl); /* the store keeps its own reference */
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
    }
    BIO_free(mem);
    ERR_clear_error();
    return added;
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
    int bad = 0, added;
    if (len > 0 && mqtls__tls_looks_pem(buf, len))
        added = pem_crls(store, buf, len, &bad);
    else
        added = len > 0 ? der_crl(store, buf, len, &bad) : 0;
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
