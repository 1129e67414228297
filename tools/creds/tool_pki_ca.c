/**
 * @file tool_pki_ca.c
 * @brief The CA `mqtls pki server` and `device` sign with: DIR/ca.crt and DIR/ca.key, read
 *        with OpenSSL's decoders (any certificate and unencrypted RSA or EC key they read).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"
#include "creds/tool_x509.h"

void tool_pki_ca_free(pki_ca_t *ca)
{
    X509_free(ca->crt);
    EVP_PKEY_free(ca->key); /* OpenSSL wipes the key */
    free(ca->crt_path);
    free(ca->key_path);
}

/* Can @p path be opened for reading? Explains why not. */
static bool readable(const char *path, const char *dir, const char *what)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        bool reg = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        close(fd);
        if (reg)
            return true;
        tool_usage_err("no usable CA in '%s': the %s '%s' is not a regular file", dir, what, path);
        return false;
    }
    int err = errno;
    if (err == ENOENT)
        tool_usage_err("no CA in '%s': cannot read the %s '%s': %s (create one with "
                       "'mqtls pki init %s')", dir, what, path, strerror(err), dir);
    else
        tool_usage_err("cannot read the CA %s '%s': %s", what, path, strerror(err));
    return false;
}

/* A CA file larger than this is not a certificate or a key (and OpenSSL's memory BIO
 * takes an int length). */
#define CA_FILE_MAX (1024 * 1024)

/* Reads the whole of @p path; a usage error when it cannot. */
static int read_all(const char *path, const char *what, tool_buf_t *b)
{
    int err = tool_read_file(path, b);
    if (err)
        return tool_usage_err("cannot read the CA %s '%s': %s", what, path, strerror(err));
    if (b->len == 0)
        return tool_usage_err("the CA %s '%s' is empty", what, path);
    if (b->len > CA_FILE_MAX)
        return tool_usage_err("the CA %s '%s' is too large (%zu bytes) to be one", what, path,
                              b->len);
    return TOOL_EXIT_OK;
}

/* PEM by content: "-----BEGIN" somewhere in it. */
static bool is_pem(const tool_buf_t *b)
{
    static const char begin[] = "-----BEGIN";
    for (size_t i = 0; i + sizeof begin - 1 <= b->len; i++)
        if (!memcmp(b->p + i, begin, sizeof begin - 1))
            return true;
    return false;
}

/* The CA certificate: the first CERTIFICATE block of a PEM file, or a DER certificate. */
static int parse_ca_cert(pki_ca_t *ca, const tool_buf_t *raw)
{
    char e[200];
    bool pem = is_pem(raw);
    ERR_clear_error();
    if (pem) {
        BIO *bio = BIO_new_mem_buf(raw->p, (int)raw->len);
        ca->crt = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    } else {
        const unsigned char *p = (const unsigned char *)raw->p;
        ca->crt = d2i_X509(NULL, &p, (long)raw->len);
    }
    if (!ca->crt)
        return tool_usage_err("the CA certificate '%s' is not a usable certificate: %s (%s)",
                              ca->crt_path, pem ? "its first CERTIFICATE block is missing or broken"
                                                : "neither PEM nor a DER certificate",
                              tool_pki_ossl_why(e, sizeof e, "no certificate"));
    if (!(X509_get_extension_flags(ca->crt) & EXFLAG_CA))
        return tool_usage_err("'%s' is not a CA certificate (no basicConstraints CA:TRUE)",
                              ca->crt_path);
    return TOOL_EXIT_OK;
}

/* The pem_password_cb of the CA key: notes that a passphrase was asked for, gives none. */
static int no_passphrase(char *buf, int size, int rwflag, void *asked)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(bool *)asked = true;
    return -1;
}

/* The CA key: any private key OpenSSL's decoders read (PEM or DER; PKCS#1, SEC1, PKCS#8),
 * as long as it needs no passphrase and can sign with SHA-256 (RSA or EC). */
static int parse_ca_key(pki_ca_t *ca, const tool_buf_t *raw)
{
    char e[200];
    const unsigned char *p = (const unsigned char *)raw->p;
    size_t len = raw->len;
    bool asked = false;
    OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(&ca->key, NULL, NULL, NULL,
                                                         EVP_PKEY_KEYPAIR, NULL, NULL);
    ERR_clear_error();
    if (dc && OSSL_DECODER_CTX_set_pem_password_cb(dc, no_passphrase, &asked) == 1)
        (void)OSSL_DECODER_from_data(dc, &p, &len);
    OSSL_DECODER_CTX_free(dc);
    if (!ca->key && asked)
        return tool_usage_err("the CA key '%s' is encrypted: mqtls pki needs an unencrypted key",
                              ca->key_path);
    if (!ca->key)
        return tool_usage_err("the CA key '%s' is not a usable private key: %s (PEM or DER, "
                              "PKCS#1, SEC1 or PKCS#8)", ca->key_path,
                              tool_pki_ossl_why(e, sizeof e, "no private key found"));
    if (!EVP_PKEY_is_a(ca->key, "RSA") && !EVP_PKEY_is_a(ca->key, "EC"))
        return tool_usage_err("the CA key '%s' is an %s key: mqtls pki signs with RSA or EC "
                              "keys", ca->key_path, EVP_PKEY_get0_type_name(ca->key));
    return TOOL_EXIT_OK;
}

int tool_pki_load_ca(pki_ca_t *ca, const char *dir)
{
    return tool_pki_load_ca_named(ca, dir, "ca.crt", "ca.key");
}

int tool_pki_load_ca_named(pki_ca_t *ca, const char *dir, const char *crt_name,
                           const char *key_name)
{
    tool_buf_t crt = {NULL, 0, 0}, key = {NULL, 0, 0};
    ca->crt_path = tool_pki_path_join(dir, crt_name);
    ca->key_path = tool_pki_path_join(dir, key_name);
    if (!readable(ca->crt_path, dir, "certificate") || !readable(ca->key_path, dir, "private key"))
        return TOOL_EXIT_USAGE;
    int rc = read_all(ca->crt_path, "certificate", &crt);
    if (!rc)
        rc = parse_ca_cert(ca, &crt);
    if (!rc)
        rc = read_all(ca->key_path, "private key", &key);
    if (!rc)
        rc = parse_ca_key(ca, &key);
    if (!rc && X509_check_private_key(ca->crt, ca->key) != 1)
        rc = tool_usage_err("the CA key '%s' does not belong to the CA certificate '%s'",
                            ca->key_path, ca->crt_path);
    ERR_clear_error();
    if (key.p)
        OPENSSL_cleanse(key.p, key.cap);
    tool_buf_free(&key);
    tool_buf_free(&crt);
    return rc;
}
