/**
 * @file svc_x509.c
 * @brief Issuing Fleet Provisioning's certificates with OpenSSL 3 (svc_x509.h).
 *
 * AWS signs these with its own CA; awslocal with the CA of its directory, so that its broker
 * (which trusts that CA) accepts them. The certificate id is "the SHA-256 fingerprint of the
 * DER certificate" as `aws iot create-keys-and-certificate` gives it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "svc.h"
#include "svc_x509.h"

#define VALIDITY_DAYS (20L * 365)

int awl_random_hex(char hex[65])
{
    unsigned char b[32];

    if (RAND_bytes(b, sizeof b) != 1)
        return -1;
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(hex + 2 * i, 3, "%02x", b[i]);
    return 0;
}

void awl_issued_free(awl_issued_t *i)
{
    if (!i)
        return;
    if (i->key_pem)
        OPENSSL_cleanse(i->key_pem, strlen(i->key_pem));
    free(i->cert_pem);
    free(i->key_pem);
    free(i->cert_id);
    i->cert_pem = i->key_pem = i->cert_id = NULL;
}

int awl_cert_id_of_der(const unsigned char *der, size_t len, char id[65])
{
    unsigned char md[32];

    if (!der || EVP_Digest(der, len, md, NULL, EVP_sha256(), NULL) != 1)
        return -1;
    for (size_t i = 0; i < sizeof md; i++)
        snprintf(id + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* The text a memory BIO holds, malloc'd and NUL-terminated. */
static char *bio_text(BIO *b)
{
    char *data, *s;
    long n = BIO_get_mem_data(b, &data);

    if (n <= 0 || !(s = malloc((size_t)n + 1)))
        return NULL;
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    return s;
}

static bool load_ca(const char *cert, const char *key, X509 **x, EVP_PKEY **k)
{
    FILE *f = fopen(cert, "r");

    *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    f = fopen(key, "r");
    *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    return *x && *k;
}

/* The CSR's public key, once its self-signature verifies (the requester holds the key). */
static EVP_PKEY *csr_key(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509_REQ *req = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = req ? X509_REQ_get_pubkey(req) : NULL;

    if (key && X509_REQ_verify(req, key) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    X509_REQ_free(req);
    BIO_free(b);
    return key;
}

static bool add_ext(X509 *x, X509 *ca, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;
    bool ok;

    X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

static bool set_serial(X509 *x)
{
    unsigned char sn[16];
    BIGNUM *bn;
    bool ok;

    if (RAND_bytes(sn, sizeof sn) != 1)
        return false;
    sn[0] = (unsigned char)((sn[0] & 0x7F) | 0x40); /* positive, no leading zero byte */
    bn = BN_bin2bn(sn, sizeof sn, NULL);
    ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

/* The certificate for @p key, signed by @p ca / @p ca_key (SHA-256). */
static X509 *make_cert(EVP_PKEY *key, X509 *ca, EVP_PKEY *ca_key, long long now)
{
    time_t t = (time_t)now;
    X509 *x = X509_new();
    X509_NAME *subject = X509_NAME_new();
    bool ok = x && subject &&
              X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                         (const unsigned char *)"AWS IoT Certificate", -1, -1, 0) &&
              X509_set_version(x, X509_VERSION_3) && set_serial(x) &&
              X509_set_subject_name(x, subject) &&
              X509_set_issuer_name(x, X509_get_subject_name(ca)) &&
              X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &t) &&
              X509_time_adj_ex(X509_getm_notAfter(x), VALIDITY_DAYS, 0, &t) &&
              X509_set_pubkey(x, key) && add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") &&
              add_ext(x, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
              add_ext(x, ca, NID_ext_key_usage, "clientAuth") &&
              add_ext(x, ca, NID_subject_key_identifier, "hash") &&
              add_ext(x, ca, NID_authority_key_identifier, "keyid") &&
              X509_sign(x, ca_key, EVP_sha256()) > 0;

    X509_NAME_free(subject);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static char *cert_id(X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char *hex;

    if (X509_digest(x, EVP_sha256(), md, &n) != 1 || !(hex = malloc(2 * (size_t)n + 1)))
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return hex;
}

/* The PEM texts and the id of @p x (and of @p key when it is new). */
static bool encode(X509 *x, EVP_PKEY *new_key, awl_issued_t *out)
{
    BIO *c = BIO_new(BIO_s_mem()), *k = new_key ? BIO_new(BIO_s_mem()) : NULL;
    bool ok = c && PEM_write_bio_X509(c, x) == 1 &&
              (!new_key || (k && PEM_write_bio_PrivateKey_traditional(k, new_key, NULL, NULL, 0,
                                                                      NULL, NULL) == 1));

    if (ok) {
        out->cert_pem = bio_text(c);
        out->key_pem = k ? bio_text(k) : NULL;
        out->cert_id = cert_id(x);
        ok = out->cert_pem && out->cert_id && (!new_key || out->key_pem);
    }
    BIO_free(c);
    if (k) { /* the BIO's copy of the private key is wiped before it is freed */
        char *data;
        long n = BIO_get_mem_data(k, &data);
        if (n > 0)
            OPENSSL_cleanse(data, (size_t)n);
        BIO_free(k);
    }
    if (!ok)
        awl_issued_free(out);
    return ok;
}

awl_issue_err_t awl_issue(const char *ca_cert, const char *ca_key, const char *csr_pem,
                          long long now, awl_issued_t *out)
{
    X509 *ca = NULL, *x = NULL;
    EVP_PKEY *cakey = NULL, *key = NULL;
    awl_issue_err_t rc = AWL_ISSUE_FAILED;

    memset(out, 0, sizeof *out);
    if (!load_ca(ca_cert, ca_key, &ca, &cakey))
        rc = AWL_ISSUE_CA;
    else if (csr_pem && !(key = csr_key(csr_pem)))
        rc = AWL_ISSUE_BAD_CSR;
    else if (!csr_pem && !(key = EVP_RSA_gen(2048)))
        rc = AWL_ISSUE_FAILED;
    else if ((x = make_cert(key, ca, cakey, now)) && encode(x, csr_pem ? NULL : key, out))
        rc = AWL_ISSUE_OK;
    X509_free(x);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(cakey);
    return rc;
}
