/**
 * @file svc_x509.h
 * @brief The certificates Fleet Provisioning issues (svc_x509.c, OpenSSL 3): a new key and
 *        its certificate, or a certificate for the key of a certificate signing request,
 *        signed by awslocal's CA; and the certificate id AWS gives a certificate.
 */
#ifndef AWL_SVC_X509_H
#define AWL_SVC_X509_H

#include <stddef.h>

/** What was issued: PEM texts and the certificate id, malloc'd (awl_issued_free). */
typedef struct awl_issued {
    char *cert_pem;
    char *key_pem; /**< NULL for a certificate made from a CSR */
    char *cert_id; /**< lower-case hex SHA-256 of the certificate's DER */
} awl_issued_t;

/** Why issuing failed. */
typedef enum awl_issue_err {
    AWL_ISSUE_OK = 0,
    AWL_ISSUE_BAD_CSR = 1, /**< not a PEM CSR, or its signature does not verify */
    AWL_ISSUE_CA = 2,      /**< the CA certificate or key cannot be read */
    AWL_ISSUE_FAILED = 3   /**< OpenSSL could not make or sign the certificate */
} awl_issue_err_t;

/**
 * Issues a client certificate (subject CN "AWS IoT Certificate", clientAuth, valid from
 * @p now for 20 years) signed by the CA in @p ca_cert / @p ca_key (PEM files): for a new
 * RSA 2048 key when @p csr_pem is NULL (its PEM in key_pem), else for the CSR's key.
 */
awl_issue_err_t awl_issue(const char *ca_cert, const char *ca_key, const char *csr_pem,
                          long long now, awl_issued_t *out);

/** Frees what awl_issue() made and zeroes @p i (the private key text is wiped first). */
void awl_issued_free(awl_issued_t *i);

/** 32 random bytes as 64 hex characters into @p hex (65 bytes); 0, or -1. */
int awl_random_hex(char hex[65]);

#endif
