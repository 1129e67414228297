/**
 * @file crl_mbedtls.c
 * @brief Certificate revocation lists for the Mbed TLS backend: the CRLs of cfg.crl_file
 *        (PEM, any number; or one DER CRL), given to verification with the trusted CAs.
 *
 * Mbed TLS checks a certificate against the CRLs whose issuer is the certificate's issuer
 * and skips one whose issuer has none (x509_crt_verifycrl()): the rule the OpenSSL backend
 * keeps too (crl.c). A CRL past its next update sets MBEDTLS_X509_BADCRL_EXPIRED, which
 * fails verification.
 */
#include "mbedtls_be.h"

#include <string.h>

static mqtls_status_t crl_fail(mqtls_tls_evidence_t *ev, mqtls_tls_cred_problem_t problem,
                               int ret, const char *path, const char *why)
{
    if (ev)
        ev->cred_problem = problem;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, ret,
                           MQTLS_TLS_ITEM_CRL, "%s: %s", path, why);
}

mqtls_status_t mqtls__mbedtls_load_crl(mqtls_mbedtls_ctx_t *be, const mqtls_tls_cfg_t *c,
                                       mqtls_tls_evidence_t *ev)
{
    if (!c->crl_file)
        return MQTLS_OK;
    uint8_t *buf = NULL;
    size_t len = 0;
    mqtls_status_t st = mqtls__tls_read_file(ev, c->crl_file, MQTLS_TLS_ITEM_CRL, &buf, &len);
    if (st != MQTLS_OK)
        return st;
    bool pem = len > 0 && mqtls__tls_looks_pem(buf, len);
    bool none = pem && !strstr((const char *)buf, "-----BEGIN X509 CRL-----");
    /* PEM is parsed with its NUL (mqtls__tls_read_file() puts one after the bytes). */
    int ret = len == 0 || none ? 0 : mbedtls_x509_crl_parse(&be->crl, buf, len + pem);
    mqtls__tls_drop(buf, len);
    if (len == 0 || none)
        return crl_fail(ev, MQTLS_TLS_CRED_EMPTY, 0, c->crl_file, "no CRL found");
    if (ret != 0) /* the tool adds Mbed TLS's code (raw_error) to these words */
        return crl_fail(ev, MQTLS_TLS_CRED_MALFORMED, ret, c->crl_file,
                        "a CRL could not be parsed");
    return MQTLS_OK;
}
