/**
 * @file tool_pki_make.c
 * @brief What `mqtls pki` makes: a key (EVP_PKEY_Q_keygen), its certificate (X509_new,
 *        signed with X509_sign), verified against the CA with X509_verify_cert before anything
 *        is written, and their encodings (DER, and PEM by OpenSSL's writer).
 */
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"
#include "creds/tool_x509.h"

/* OpenSSL's reason for the last failure ("wrong tag", "unsupported"), or @p fallback when
 * its queue is empty. Empties the queue, so the next failure is not explained by this one. */
const char *tool_pki_ossl_why(char *buf, size_t size, const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    if (reason)
        snprintf(buf, size, "%s", reason);
    else if (e)
        ERR_error_string_n(e, buf, size);
    else
        snprintf(buf, size, "%s", fallback);
    ERR_clear_error();
    return buf;
}

/* ---- keys and their encodings ------------------------------------------------------------ */

static EVP_PKEY *gen_key(unsigned rsa_bits)
{
    char e[200];
    EVP_PKEY *key;
    if (rsa_bits) {
        if (rsa_bits > 2048)
            tool_note("Generating an RSA %u key (this can take a while)...", rsa_bits);
        key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)rsa_bits);
    } else {
        key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    }
    if (!key)
        tool_err("cannot generate the key: %s", tool_pki_ossl_why(e, sizeof e, "unknown error"));
    return key;
}

/* Copies what an i2d function put in an OpenSSL buffer into @p b, wipes and frees it. */
static bool take_i2d(unsigned char *p, int len, tool_blob_t *b)
{
    if (len <= 0 || !p)
        return false;
    tool_blob_set(b, p, (size_t)len);
    OPENSSL_clear_free(p, (size_t)len);
    return true;
}

static void keyfiles_free(pki_keyfiles_t *k)
{
    tool_blob_free(&k->der);
    tool_blob_free(&k->pem);
    tool_blob_free(&k->pub_pem);
}

static int encode_key(EVP_PKEY *key, pki_keyfiles_t *k, bool want_pub)
{
    char e[200];
    unsigned char *p = NULL;
    tool_blob_t pub_der = {NULL, 0};
    bool rsa = EVP_PKEY_is_a(key, "RSA");
    int len = i2d_PrivateKey(key, &p);
    bool ok = take_i2d(p, len, &k->der) &&
              !tool_x509_der_to_pem(rsa ? "RSA PRIVATE KEY" : "EC PRIVATE KEY", &k->der, &k->pem);
    if (ok && want_pub) {
        p = NULL;
        len = i2d_PUBKEY(key, &p);
        ok = take_i2d(p, len, &pub_der) && !tool_x509_der_to_pem("PUBLIC KEY", &pub_der, &k->pub_pem);
        tool_blob_free(&pub_der);
    }
    if (!ok) {
        tool_err("cannot encode the key: %s", tool_pki_ossl_why(e, sizeof e, "unknown error"));
        keyfiles_free(k);
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* ---- certificates -------------------------------------------------------------------------- */

/* 16 random bytes, positive and with no leading zero byte. */
static bool set_serial(X509 *x)
{
    unsigned char sn[16];
    if (RAND_bytes(sn, sizeof sn) != 1)
        return false;
    sn[0] = (unsigned char)((sn[0] & 0x7F) | 0x40);
    BIGNUM *bn = BN_bin2bn(sn, sizeof sn, NULL);
    ASN1_INTEGER *serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    bool ok = serial && X509_set_serialNumber(x, serial) == 1;
    ASN1_INTEGER_free(serial);
    BN_free(bn);
    return ok;
}

/* notBefore and notAfter: UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
static bool set_validity(X509 *x, const pki_args_t *a)
{
    ASN1_TIME *nb = ASN1_TIME_set(NULL, (time_t)a->not_before);
    ASN1_TIME *na = ASN1_TIME_set(NULL, (time_t)a->not_after);
    bool ok = nb && na && X509_set1_notBefore(x, nb) == 1 && X509_set1_notAfter(x, na) == 1;
    ASN1_TIME_free(nb);
    ASN1_TIME_free(na);
    return ok;
}

/* Everything but the signature. The issuer of an issued certificate is the CA's subject as
 * it is encoded there (OpenSSL keeps a parsed name's encoding), not a round trip through
 * text, so a CA made elsewhere keeps its string types. */
static bool fill_cert(X509 *x, const pki_spec_t *s)
{
    X509_NAME *subject = X509_NAME_new();
    bool ok = subject &&
              X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                         (const unsigned char *)s->cn, -1, -1, 0) == 1 &&
              X509_set_version(x, X509_VERSION_3) == 1 && set_serial(x) &&
              X509_set_subject_name(x, subject) == 1 &&
              X509_set_issuer_name(x, s->ca ? X509_get_subject_name(s->ca) : subject) == 1 &&
              set_validity(x, s->args) && X509_set_pubkey(x, s->key) == 1 &&
              tool_pki_add_extensions(x, s);
    X509_NAME_free(subject);
    return ok;
}

/* Makes, signs (SHA-256 with the CA's key: ECDSA or RSA PKCS#1 v1.5) and encodes the
 * certificate. */
static int make_cert(const pki_spec_t *s, tool_blob_t *der)
{
    char e[200];
    unsigned char *p = NULL;
    X509 *x = X509_new();
    bool ok = x && fill_cert(x, s) && X509_sign(x, s->ca_key, EVP_sha256()) > 0;
    int len = ok ? i2d_X509(x, &p) : -1;
    X509_free(x);
    if (!take_i2d(p, len, der)) {
        tool_err("cannot make the certificate: %s", tool_pki_ossl_why(e, sizeof e, "unknown error"));
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* X509_verify_cert's verdict on @p crt with @p anchor as the one trusted certificate, for
 * the purpose of @p kind: X509_V_OK, or an X509_V_ERR_* code and in *depth where (0: @p crt,
 * 1: the anchor); -1 when it could not run. */
static int verify_against(X509 *crt, X509 *anchor, unsigned kind, int *depth)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int err = -1;
    if (store && ctx && X509_STORE_add_cert(store, anchor) == 1 &&
        X509_STORE_CTX_init(ctx, store, crt, NULL) == 1) {
        /* Dates are ignored: expired and not-yet-valid certificates are made on purpose. A
         * CA given with --ca-dir may be an intermediate: it is the anchor all the same. The
         * signature of a self-signed CA is checked too (OpenSSL skips it by default). */
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN |
                                          X509_V_FLAG_CHECK_SS_SIGNATURE);
        if (kind != PKI_INIT)
            X509_STORE_CTX_set_purpose(ctx, kind == PKI_SERVER ? X509_PURPOSE_SSL_SERVER
                                                               : X509_PURPOSE_SSL_CLIENT);
        if (X509_verify_cert(ctx) == 1)
            err = X509_V_OK;
        else if (X509_STORE_CTX_get_error(ctx) != X509_V_OK)
            err = X509_STORE_CTX_get_error(ctx);
        *depth = X509_STORE_CTX_get_error_depth(ctx);
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return err;
}

/* Parses what was made (the bytes that will be written) and verifies it against the CA
 * (itself for a new CA) as a TLS peer would: for a broker certificate the whole chain must
 * allow serverAuth, for a device certificate clientAuth. */
static int check_cert(const tool_blob_t *der, const pki_ca_t *ca, unsigned kind, X509 **out)
{
    char e[200];
    const unsigned char *p = der->p;
    X509 *crt = d2i_X509(NULL, &p, (long)der->len);
    if (!crt || p != der->p + der->len) {
        tool_err("the new certificate does not parse: %s", tool_pki_ossl_why(e, sizeof e, "extra bytes"));
        X509_free(crt);
        return TOOL_EXIT_ERROR;
    }
    int depth = 0, err = verify_against(crt, ca ? ca->crt : crt, kind, &depth);
    if (err < 0)
        tool_err("cannot verify the new certificate: %s", tool_pki_ossl_why(e, sizeof e, "unknown error"));
    else if (err != X509_V_OK && ca && depth > 0)
        tool_err("the new certificate does not verify against the CA: %s, found in the CA "
                 "certificate '%s'; nothing was written", X509_verify_cert_error_string(err),
                 ca->crt_path);
    else if (err != X509_V_OK)
        tool_err("the new certificate does not verify against the CA: %s; nothing was written",
                 X509_verify_cert_error_string(err));
    if (err != X509_V_OK) {
        X509_free(crt);
        return TOOL_EXIT_ERROR;
    }
    *out = crt;
    return TOOL_EXIT_OK;
}

/* ---- what a command makes ------------------------------------------------------------------ */

void tool_pki_made_free(pki_made_t *m)
{
    EVP_PKEY_free(m->key);
    X509_free(m->crt);
    tool_blob_free(&m->der);
    tool_blob_free(&m->pem);
    keyfiles_free(&m->kf);
}

/* Makes a key and its certificate signed by @p ca (self-signed when NULL), verifies the
 * certificate and encodes everything; writes nothing. */
int tool_pki_make_all(const pki_args_t *a, const char *cn, pki_ca_t *ca, pki_made_t *m)
{
    if (!(m->key = gen_key(a->rsa_bits)))
        return TOOL_EXIT_ERROR;
    pki_spec_t s = {a->cmd, cn, m->key, ca ? ca->key : m->key, ca ? ca->crt : NULL, a};
    int rc = make_cert(&s, &m->der);
    if (!rc)
        rc = check_cert(&m->der, ca, a->cmd, &m->crt);
    if (!rc)
        rc = encode_key(m->key, &m->kf, a->cmd == PKI_DEVICE);
    if (!rc && tool_x509_der_to_pem("CERTIFICATE", &m->der, &m->pem)) {
        tool_err("cannot encode the certificate as PEM");
        rc = TOOL_EXIT_ERROR;
    }
    return rc;
}
