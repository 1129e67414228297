/**
 * @file tool_x509_obj.c
 * @brief One object of a credential file parsed with OpenSSL: what it is (certificate, CSR,
 *        private or public key, and the key's structure), its parsed form, and for a key
 *        that stays locked or an object that does not parse, why.
 *
 * A DER object goes through OpenSSL's parsers of each structure in turn (certificate, CSR,
 * PKCS#8, encrypted PKCS#8, the RSA and EC private keys, the public keys) until one takes it
 * whole: which one took it is the object's kind and form.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "creds/tool_ossl.h"

#include "common/tool_util.h"
#include "creds/tool_x509.h"
#include "creds/tool_x509_internal.h"

void tool_obj_free(tool_obj_t *o)
{
    tool_blob_free(&o->der);
    X509_free(o->crt);
    X509_REQ_free(o->csr);
    EVP_PKEY_free(o->pk); /* OpenSSL wipes private key material when it frees it */
    o->crt = NULL;
    o->csr = NULL;
    o->pk = NULL;
    o->pk_ok = false;
}

void tool_obj_set_broken(tool_obj_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof o->why, fmt, ap);
    va_end(ap);
    o->kind = TOOL_OBJ_BROKEN;
    o->err = -1;
}

/* OpenSSL's parsers say "too long" of a truncated object; the message wants how many bytes
 * its header declares against how many are there, which only the header itself tells
 * (ASN1_get_object reads it without parsing the rest). */
der_shape_t tool_obj_der_shape(const unsigned char *p, size_t n)
{
    der_shape_t s = {false, 0};
    const unsigned char *q = p;
    long len = 0;
    int tag = -1, cls = -1;
    if (n == 0 || n > LONG_MAX)
        return s;
    int r = ASN1_get_object(&q, &len, &tag, &cls, (long)n);
    unsigned long e = ERR_peek_error();
    ERR_clear_error();
    if ((r & 0x80) && ERR_GET_REASON(e) != ASN1_R_TOO_LONG)
        return s; /* not even a readable header */
    if (tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL || !(r & V_ASN1_CONSTRUCTED) ||
        (r & 0x01) || len < 0)
        return s;
    s.seq = true;
    s.total = (size_t)(q - p) + (size_t)len;
    return s;
}

/* A note on the DER's own length, for a parse failure. */
static void der_shape_note(const tool_obj_t *o, char *out, size_t size)
{
    der_shape_t s = tool_obj_der_shape(o->der.p, o->der.len);
    if (s.seq && s.total > o->der.len)
        snprintf(out, size, "; it is truncated: its DER declares %zu bytes but only %zu are "
                 "there", s.total, o->der.len);
    else if (!s.seq)
        snprintf(out, size, "; it does not even start with a DER SEQUENCE");
    else
        out[0] = '\0';
}

typedef enum lock_reason { LOCK_WRONG_PASS, LOCK_UNSUPPORTED, LOCK_OTHER } lock_reason_t;

/* The words for a key that stays locked (@p detail: OpenSSL's words, for LOCK_OTHER). */
static void key_locked(tool_obj_t *o, lock_reason_t r, const char *detail)
{
    o->err = -1;
    if (r == LOCK_WRONG_PASS)
        snprintf(o->why, sizeof o->why, "wrong passphrase: the key does not decrypt with it");
    else if (r == LOCK_UNSUPPORTED)
        snprintf(o->why, sizeof o->why,
                 "cannot decrypt a key encrypted with %s: OpenSSL does not know the scheme. "
                 "Re-encrypt it with OpenSSL's default: `openssl pkey -in KEY -aes256 -out "
                 "new.key`", o->enc_alg);
    else
        snprintf(o->why, sizeof o->why, "cannot decrypt the key: %s", detail);
}

/* ---- parsing one DER object with OpenSSL ---------------------------------------------------- */

/* Each parser below must take o->der whole: a d2i that stops before its end read another
 * structure's prefix, not this one. */
static bool whole(const tool_obj_t *o, const unsigned char *q)
{
    return q == o->der.p + o->der.len;
}

static long der_len(const tool_obj_t *o)
{
    return o->der.len <= LONG_MAX ? (long)o->der.len : 0;
}

static bool try_cert(tool_obj_t *o)
{
    const unsigned char *q = o->der.p;
    X509 *x = d2i_X509(NULL, &q, der_len(o));
    if (!x || !whole(o, q)) {
        X509_free(x);
        return false;
    }
    o->crt = x;
    o->pk = X509_get_pubkey(x);
    o->pk_ok = o->pk != NULL;
    ERR_clear_error();
    return true;
}

static bool try_csr(tool_obj_t *o)
{
    const unsigned char *q = o->der.p;
    X509_REQ *x = d2i_X509_REQ(NULL, &q, der_len(o));
    if (!x || !whole(o, q)) {
        X509_REQ_free(x);
        return false;
    }
    o->csr = x;
    o->pk = X509_REQ_get_pubkey(x);
    o->pk_ok = o->pk != NULL;
    ERR_clear_error();
    return true;
}

bool tool_obj_is_crl(const tool_obj_t *o)
{
    const unsigned char *q = o->der.p;
    X509_CRL *x = d2i_X509_CRL(NULL, &q, der_len(o));
    bool ok = x && whole(o, q);
    X509_CRL_free(x);
    return ok;
}

/* How an EncryptedPrivateKeyInfo is encrypted, in words (o->enc_alg). */
static void pkcs8_scheme(tool_obj_t *o, const X509_SIG *sig)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OCTET_STRING *digest = NULL;
    const ASN1_OBJECT *obj = NULL;
    X509_SIG_get0(sig, &alg, &digest);
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    int nid = OBJ_obj2nid(obj);
    if (nid == NID_pbes2) {
        PBE2PARAM *pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
        int cipher = pbe2 ? OBJ_obj2nid(pbe2->encryption->algorithm) : NID_undef;
        if (!pbe2)
            snprintf(o->enc_alg, sizeof o->enc_alg, "PBES2");
        else
            snprintf(o->enc_alg, sizeof o->enc_alg, "PBES2 %s",
                     cipher != NID_undef ? OBJ_nid2sn(cipher) : "(unknown cipher)");
        PBE2PARAM_free(pbe2);
    } else if (nid == NID_pbe_WithSHA1And3_Key_TripleDES_CBC) {
        snprintf(o->enc_alg, sizeof o->enc_alg, "PKCS#12 PBE 3DES");
    } else if (nid == NID_pbe_WithSHA1And2_Key_TripleDES_CBC) {
        snprintf(o->enc_alg, sizeof o->enc_alg, "PKCS#12 PBE 2DES");
    } else if (nid != NID_undef) {
        snprintf(o->enc_alg, sizeof o->enc_alg, "PKCS#8 %s", OBJ_nid2sn(nid));
    } else {
        snprintf(o->enc_alg, sizeof o->enc_alg, "PKCS#8 (an unknown scheme)");
    }
    ERR_clear_error();
}

/* The key of an unencrypted PKCS#8 PrivateKeyInfo (NULL: an algorithm OpenSSL lacks). */
static EVP_PKEY *pkcs8_key(const unsigned char *der, size_t len)
{
    const unsigned char *q = der;
    PKCS8_PRIV_KEY_INFO *p8 = len <= LONG_MAX ? d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, (long)len)
                                              : NULL;
    EVP_PKEY *pk = p8 ? EVP_PKCS82PKEY(p8) : NULL;
    PKCS8_PRIV_KEY_INFO_free(p8);
    return pk;
}

/* An encrypted PKCS#8 key, opened with OpenSSL (any scheme it has); the plaintext is wiped
 * right after. */
static void open_pkcs8(tool_obj_t *o, const char *pass)
{
    tool_blob_t plain = {0};
    char e[200];
    tool_pkcs8_result_t r = tool_pkcs8_decrypt(o->der.p, o->der.len, pass, &plain);
    if (r == TOOL_PKCS8_WRONG_PASS) {
        key_locked(o, LOCK_WRONG_PASS, NULL);
        return;
    }
    if (r != TOOL_PKCS8_OK) {
        o->enc_unsupported = true;
        key_locked(o, LOCK_UNSUPPORTED, NULL);
        return;
    }
    o->pk = pkcs8_key(plain.p, plain.len);
    tool_blob_free(&plain);
    if (o->pk) {
        o->pk_ok = o->decrypted = true;
        ERR_clear_error();
        return;
    }
    key_locked(o, LOCK_OTHER, tool_x509_ossl_error(e, sizeof e));
}

static bool try_pkcs8(tool_obj_t *o, const char *pass)
{
    const unsigned char *q = o->der.p;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, der_len(o));
    if (p8 && whole(o, q)) {
        char e[200];
        o->form = TOOL_FORM_KEY_PKCS8;
        o->pk = EVP_PKCS82PKEY(p8);
        PKCS8_PRIV_KEY_INFO_free(p8);
        o->pk_ok = o->pk != NULL;
        if (!o->pk_ok)
            tool_obj_set_broken(o, "a PKCS#8 private key that OpenSSL cannot read: %s",
                       tool_x509_ossl_error(e, sizeof e));
        ERR_clear_error();
        return true;
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    q = o->der.p;
    X509_SIG *sig = d2i_X509_SIG(NULL, &q, der_len(o));
    if (sig && whole(o, q)) {
        o->form = TOOL_FORM_KEY_PKCS8_ENC;
        o->encrypted = true;
        pkcs8_scheme(o, sig);
        X509_SIG_free(sig);
        if (pass)
            open_pkcs8(o, pass);
        return true;
    }
    X509_SIG_free(sig);
    return false;
}

/* A private key in one of its four structures (o->form says which). */
static bool try_private(tool_obj_t *o, const char *pass)
{
    static const struct {
        int type;
        tool_form_t form;
    } typed[] = {{EVP_PKEY_RSA, TOOL_FORM_KEY_PKCS1}, {EVP_PKEY_EC, TOOL_FORM_KEY_SEC1}};
    if (try_pkcs8(o, pass))
        return true;
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        const unsigned char *q = o->der.p;
        EVP_PKEY *pk = d2i_PrivateKey(typed[i].type, NULL, &q, der_len(o));
        if (pk && whole(o, q)) {
            o->form = typed[i].form;
            o->pk = pk;
            o->pk_ok = true;
            ERR_clear_error();
            return true;
        }
        EVP_PKEY_free(pk);
    }
    return false;
}

/* A public key: SubjectPublicKeyInfo, or PKCS#1 RSAPublicKey. */
static bool try_public(tool_obj_t *o)
{
    const unsigned char *q = o->der.p;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &q, der_len(o));
    tool_form_t form = TOOL_FORM_PUB_SPKI;
    if (!pk || !whole(o, q)) {
        EVP_PKEY_free(pk);
        q = o->der.p;
        pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, der_len(o));
        form = TOOL_FORM_PUB_PKCS1;
    }
    if (!pk || !whole(o, q)) {
        EVP_PKEY_free(pk);
        return false;
    }
    o->form = form;
    o->pk = pk;
    o->pk_ok = true;
    ERR_clear_error();
    return true;
}

/* OpenSSL's words for why a key does not parse, from the parser its PEM label names: the
 * key parsers tried in turn leave more errors than OpenSSL's queue keeps, so the label's
 * own is run again alone. */
static void key_reason(const tool_obj_t *o, char *e, size_t size)
{
    const unsigned char *q = o->der.p;
    ERR_clear_error();
    if (!strcmp(o->label, "RSA PRIVATE KEY") || !strcmp(o->label, "EC PRIVATE KEY"))
        EVP_PKEY_free(d2i_PrivateKey(o->label[0] == 'R' ? EVP_PKEY_RSA : EVP_PKEY_EC, NULL, &q,
                                     der_len(o)));
    else if (!strcmp(o->label, "RSA PUBLIC KEY"))
        EVP_PKEY_free(d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, der_len(o)));
    else if (o->kind == TOOL_OBJ_PUBKEY)
        EVP_PKEY_free(d2i_PUBKEY(NULL, &q, der_len(o)));
    else
        PKCS8_PRIV_KEY_INFO_free(d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, der_len(o)));
    tool_x509_ossl_error(e, size);
}

/* Parses o->der as what o->kind says (a PEM block's label). */
void tool_obj_parse_der(tool_obj_t *o, const char *pass)
{
    char e[200], note[160];
    bool ok = false;
    ERR_clear_error();
    switch (o->kind) {
    case TOOL_OBJ_CERT: ok = try_cert(o); break;
    case TOOL_OBJ_CSR: ok = try_csr(o); break;
    case TOOL_OBJ_PRIVKEY: ok = try_private(o, pass); break;
    case TOOL_OBJ_PUBKEY: ok = try_public(o); break;
    default: return;
    }
    if (ok)
        return;
    tool_obj_kind_t k = o->kind;
    if (k == TOOL_OBJ_PRIVKEY || k == TOOL_OBJ_PUBKEY)
        key_reason(o, e, sizeof e);
    else
        tool_x509_ossl_error(e, sizeof e);
    der_shape_note(o, note, sizeof note);
    tool_obj_set_broken(o, "the %s does not parse: %s%s", tool_obj_kind_name(k), e, note);
}

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
    const char *pass = u;
    size_t n = strlen(pass);
    (void)rwflag;
    if (size <= 0)
        return 0;
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(buf, pass, n);
    return (int)n;
}

/* A key encrypted the traditional PEM way (Proc-Type/DEK-Info headers): @p data is the
 * decoded body, decrypted here by OpenSSL when @p pass is given. */
void tool_obj_pem_encrypted(tool_obj_t *o, char *header, unsigned char *data, long len,
                            const char *pass)
{
    static const int types[] = {EVP_PKEY_RSA, EVP_PKEY_EC};
    const char *dek = strstr(header, "DEK-Info: ");
    size_t n = dek ? strcspn(dek + 10, ",\r\n") : 0;
    EVP_CIPHER_INFO cipher;
    snprintf(o->enc_alg, sizeof o->enc_alg, "PEM %.*s", (int)(n < 32 ? n : 32),
             dek ? dek + 10 : "");
    o->encrypted = true;
    bool rsa = !strcmp(o->label, "RSA PRIVATE KEY");
    o->form = rsa ? TOOL_FORM_KEY_PKCS1 : TOOL_FORM_KEY_SEC1;
    if (!PEM_get_EVP_CIPHER_INFO(header, &cipher) || !cipher.cipher) {
        ERR_clear_error();
        o->enc_unsupported = true;
        key_locked(o, LOCK_UNSUPPORTED, NULL);
        return;
    }
    if (!pass)
        return; /* locked: recorded as encrypted */
    /* A wrong passphrase mostly fails the CBC padding; the rest of the time the DER that
     * comes out does not parse. */
    if (!PEM_do_header(&cipher, data, &len, pem_pass_cb, (void *)pass) || len <= 0) {
        ERR_clear_error();
        key_locked(o, LOCK_WRONG_PASS, NULL);
        return;
    }
    tool_blob_set(&o->der, data, (size_t)len);
    OPENSSL_cleanse(data, (size_t)len);
    const unsigned char *q = o->der.p;
    EVP_PKEY *pk = d2i_PrivateKey(types[rsa ? 0 : 1], NULL, &q, der_len(o));
    if (!pk || !whole(o, q)) {
        EVP_PKEY_free(pk);
        ERR_clear_error();
        tool_blob_free(&o->der);
        key_locked(o, LOCK_WRONG_PASS, NULL);
        return;
    }
    o->pk = pk;
    o->pk_ok = o->decrypted = true;
}

/* ---- DER ---------------------------------------------------------------------------------- */

/* Which structure a DER object is: OpenSSL's parsers in turn, the first that takes it whole
 * decides. Certificates first (most files are one), then what a key file may hold.
 * @p cert_err: why it is not a certificate, in OpenSSL's words. */
bool tool_obj_classify_der(tool_obj_t *o, const char *pass, char *cert_err, size_t size)
{
    if (try_cert(o)) {
        o->kind = TOOL_OBJ_CERT;
        return true;
    }
    /* Kept now: the parsers tried next leave more errors than OpenSSL's queue holds. */
    tool_x509_ossl_error(cert_err, size);
    if (try_csr(o)) {
        o->kind = TOOL_OBJ_CSR;
        return true;
    }
    if (try_private(o, pass)) {
        if (o->kind != TOOL_OBJ_BROKEN)
            o->kind = TOOL_OBJ_PRIVKEY;
        return true;
    }
    if (try_public(o)) {
        o->kind = TOOL_OBJ_PUBKEY;
        return true;
    }
    return false;
}

int tool_obj_key_der(const tool_obj_t *o, tool_blob_t *der, tool_form_t *form)
{
    if (o->kind != TOOL_OBJ_PRIVKEY || !o->pk_ok)
        return -1;
    if (o->form != TOOL_FORM_KEY_PKCS8_ENC) {
        tool_blob_set(der, o->der.p, o->der.len);
        if (form)
            *form = o->form;
        return 0;
    }
    /* i2d_PrivateKey writes the key type's own structure where it has one (PKCS#1, SEC1),
     * PKCS#8 for the others (Ed25519). */
    unsigned char *buf = NULL;
    int n = i2d_PrivateKey(o->pk, &buf);
    if (n <= 0) {
        ERR_clear_error();
        return -1;
    }
    tool_blob_set(der, buf, (size_t)n);
    OPENSSL_clear_free(buf, (size_t)n);
    if (form) {
        int id = EVP_PKEY_get_base_id(o->pk);
        *form = id == EVP_PKEY_RSA ? TOOL_FORM_KEY_PKCS1
                : id == EVP_PKEY_EC ? TOOL_FORM_KEY_SEC1 : TOOL_FORM_KEY_PKCS8;
    }
    return 0;
}
