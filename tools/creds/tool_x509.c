/**
 * @file tool_x509.c
 * @brief Certificates and keys for the tools, on OpenSSL 3's libcrypto (see tool_x509.h).
 *
 * A credential file is told apart by content, as the TLS transport does: PEM when it holds
 * "-----BEGIN", DER otherwise. Each PEM block is decoded on its own by OpenSSL's PEM reader
 * (so a bundle with one bad certificate says which), and a DER file goes through OpenSSL's
 * parsers of each structure in turn (certificate, CSR, CRL, PKCS#8, encrypted PKCS#8, the
 * RSA and EC private keys, the public keys) until one takes it: which one took it is the
 * object's kind and form.
 */
#include "creds/tool_x509.h"

#include "creds/tool_ossl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

/* Credential files are small; this bounds what is read (and stops /dev/zero). */
#define CRED_FILE_MAX (16u * 1024u * 1024u)

/* ---- errors, dates, key names ----------------------------------------------------------- */

const char *tool_x509_ossl_error(char *buf, size_t size)
{
    /* The first error is the cause; the later ones are the callers that passed it on. */
    unsigned long e = ERR_get_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    const char *lib = e ? ERR_lib_error_string(e) : NULL;
    if (reason && lib)
        snprintf(buf, size, "%s: %s", lib, reason);
    else if (e)
        snprintf(buf, size, "OpenSSL error 0x%lx", e);
    else
        snprintf(buf, size, "unknown error");
    ERR_clear_error();
    return buf;
}

/* H. Hinnant's algorithm. */
int64_t tool_x509_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29u : dim[m - 1];
}

bool tool_x509_parse_date(const char *s, int64_t *out)
{
    static const unsigned width[6] = {4, 2, 2, 2, 2, 2};
    static const char sep[5] = {'-', '-', 'T', ':', ':'};
    unsigned v[6] = {0, 0, 0, 0, 0, 0};
    size_t n = strlen(s);
    if (n && (s[n - 1] == 'Z' || s[n - 1] == 'z'))
        n--;
    if (n != 10 && n != 19)
        return false;
    unsigned fields = n == 10 ? 3 : 6;
    const char *p = s;
    for (unsigned i = 0; i < fields; i++) {
        for (unsigned k = 0; k < width[i]; k++, p++) {
            if (*p < '0' || *p > '9')
                return false;
            v[i] = v[i] * 10 + (unsigned)(*p - '0');
        }
        if (i + 1 < fields) {
            char c = *p++;
            if (i == 2 ? (c != 'T' && c != 't' && c != ' ') : c != sep[i])
                return false;
        }
    }
    if (v[0] < 2000 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > days_in_month(v[0], v[1]) ||
        v[3] > 23 || v[4] > 59 || v[5] > 59)
        return false;
    *out = tool_x509_days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
    return true;
}

void tool_x509_format_time(int64_t t, bool compact, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, size, "?");
        return;
    }
    if (compact)
        snprintf(out, size, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int64_t tool_x509_time_to_unix(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return tool_x509_days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                     (unsigned)tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

/* "P-256" for the NIST curves, OpenSSL's own name for the others. */
static void curve_name(const EVP_PKEY *pk, char *out, size_t size)
{
    char group[64];
    size_t len = 0;
    if (!EVP_PKEY_get_group_name(pk, group, sizeof group, &len)) {
        snprintf(out, size, "unknown curve");
        return;
    }
    int nid = OBJ_txt2nid(group);
    const char *nist = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
    snprintf(out, size, "%s", nist ? nist : group);
}

void tool_x509_describe_key(const EVP_PKEY *pk, char *out, size_t size)
{
    char curve[64];
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        snprintf(out, size, "RSA %d", EVP_PKEY_get_bits(pk));
        break;
    case EVP_PKEY_EC:
        curve_name(pk, curve, sizeof curve);
        snprintf(out, size, "EC %s", curve);
        break;
    case EVP_PKEY_ED25519: snprintf(out, size, "Ed25519"); break;
    case EVP_PKEY_ED448: snprintf(out, size, "Ed448"); break;
    default: {
        const char *name = EVP_PKEY_get0_type_name(pk);
        snprintf(out, size, "%s %d", name ? name : "unknown key", EVP_PKEY_get_bits(pk));
        break;
    }
    }
}

bool tool_x509_rsa_below_2048(const EVP_PKEY *pk)
{
    int id = EVP_PKEY_get_base_id(pk);
    return (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) && EVP_PKEY_get_bits(pk) < 2048;
}

void tool_x509_sha256_hex(const unsigned char *p, size_t len, char hex[65])
{
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    hex[0] = '\0';
    if (!EVP_Digest(p, len, hash, &n, EVP_sha256(), NULL) || n != 32) {
        ERR_clear_error();
        return;
    }
    for (size_t i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
}

void tool_x509_pubkey_sha256(const EVP_PKEY *pk, char hex[65])
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(pk, &der);
    hex[0] = '\0';
    if (n > 0)
        tool_x509_sha256_hex(der, (size_t)n, hex);
    OPENSSL_free(der);
    ERR_clear_error();
}

void tool_x509_name(const X509_NAME *name, char *out, size_t size)
{
    /* Certificate order with ", " between attributes and no spaces around '=': the form
     * the tool has always printed ("CN=req-test, O=Test Org"), UTF-8 kept as is. */
    const unsigned long flags = (ASN1_STRFLGS_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB) |
                                XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | XN_FLAG_DUMP_UNKNOWN_FIELDS;
    BIO *b = BIO_new(BIO_s_mem());
    char *text = NULL;
    long n = 0;
    if (b && X509_NAME_print_ex(b, name, 0, flags) >= 0)
        n = BIO_get_mem_data(b, &text);
    if (!b || n < 0 || (n > 0 && !text))
        snprintf(out, size, "(unreadable name)");
    else if (n == 0)
        snprintf(out, size, "(empty name)");
    else
        snprintf(out, size, "%.*s", (int)(n < INT_MAX ? n : INT_MAX), text);
    BIO_free(b);
    ERR_clear_error();
}

/* ---- byte strings and files ------------------------------------------------------------- */

void tool_blob_free(tool_blob_t *b)
{
    if (b->p) {
        OPENSSL_cleanse(b->p, b->len);
        free(b->p);
    }
    b->p = NULL;
    b->len = 0;
}

void tool_blob_set(tool_blob_t *b, const void *p, size_t len)
{
    b->p = tool_xmalloc(len + 1);
    if (len)
        memcpy(b->p, p, len);
    b->p[len] = 0;
    b->len = len;
}

void tool_blob_take_tail(tool_blob_t *b, unsigned char *buf, size_t cap, size_t len)
{
    tool_blob_set(b, buf + cap - len, len);
    OPENSSL_cleanse(buf, cap);
}

int tool_x509_der_to_pem(const char *label, const tool_blob_t *der, tool_blob_t *pem)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *text = NULL;
    long n = -1;
    if (b && der->len <= LONG_MAX && PEM_write_bio(b, label, "", der->p, (long)der->len) > 0)
        n = BIO_get_mem_data(b, &text);
    if (n <= 0 || !text) {
        BIO_free(b);
        ERR_clear_error();
        return -1;
    }
    tool_blob_set(pem, text, (size_t)n);
    OPENSSL_cleanse(text, (size_t)n); /* it may be a private key */
    BIO_free(b);
    return 0;
}

int tool_x509_write_file(const char *path, const void *data, size_t len, bool secret,
                         bool force, bool *opened)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL);
    *opened = false;
    int fd = open(path, flags, secret ? 0600 : 0644);
    if (fd < 0) {
        tool_err("cannot write '%s': %s", path, strerror(errno));
        return TOOL_EXIT_ERROR;
    }
    *opened = true;
    /* An existing file replaced with --force keeps its mode: a key must not stay readable. */
    if (secret && fchmod(fd, 0600) != 0) {
        tool_err("cannot restrict the mode of '%s': %s", path, strerror(errno));
        close(fd);
        return TOOL_EXIT_ERROR;
    }
    const unsigned char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            tool_err("cannot write '%s': %s", path, n < 0 ? strerror(errno) : "short write");
            close(fd);
            return TOOL_EXIT_ERROR;
        }
        p += n;
        left -= (size_t)n;
    }
    if (close(fd) != 0) {
        tool_err("cannot write '%s': %s", path, strerror(errno));
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* ---- reading credential files: helpers ------------------------------------------------- */

static const char *find_bytes(const char *hay, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; p && (size_t)(end - p) >= n; p++)
        if (*p == needle[0] && memcmp(p, needle, n) == 0)
            return p;
    return NULL;
}

static bool printable(unsigned char c)
{
    return c >= 0x20 && c < 0x7F;
}

/* How the first bytes look: 'text' when printable, else hex. */
static void describe_start(const unsigned char *p, size_t n, char *out, size_t size)
{
    size_t k = 0, show = n < 24 ? n : 24;
    bool text = true;
    for (size_t i = 0; i < show; i++)
        if (!printable(p[i]) && p[i] != '\n' && p[i] != '\r' && p[i] != '\t')
            text = false;
    if (text) {
        k += (size_t)snprintf(out + k, size - k, "'");
        for (size_t i = 0; i < show && k + 4 < size; i++) {
            if (p[i] == '\n')
                k += (size_t)snprintf(out + k, size - k, "\\n");
            else if (p[i] == '\r')
                k += (size_t)snprintf(out + k, size - k, "\\r");
            else if (p[i] == '\t')
                k += (size_t)snprintf(out + k, size - k, "\\t");
            else
                out[k++] = (char)p[i];
        }
        if (k < size)
            snprintf(out + k, size - k, "'%s", n > show ? "..." : "");
        return;
    }
    show = n < 8 ? n : 8;
    k += (size_t)snprintf(out + k, size - k, "bytes");
    for (size_t i = 0; i < show && k < size; i++)
        k += (size_t)snprintf(out + k, size - k, " %02x", p[i]);
    if (n > show && k < size)
        snprintf(out + k, size - k, " ...");
}

/* What an unrecognized file may be, for the message. */
static const char *guess_hint(const unsigned char *p, size_t n)
{
    const char *s = (const char *)p, *end = s + n;
    if (find_bytes(s, end, "certificatePem") || find_bytes(s, end, "\"PrivateKey\""))
        return " (this looks like the JSON output of `aws iot create-keys-and-certificate`: "
               "the PEM text is in its certificatePem and keyPair.PrivateKey fields)";
    if (n >= 3 && p[0] == 'M' && p[1] == 'I' && (p[2] == 'I' || p[2] == 'G' || p[2] == 'H'))
        return " (this looks like base64 without the PEM lines: add '-----BEGIN "
               "CERTIFICATE-----' before it and '-----END CERTIFICATE-----' after it, with the "
               "label the content needs)";
    const unsigned char *q = p;
    PKCS12 *p12 = n <= LONG_MAX ? d2i_PKCS12(NULL, &q, (long)n) : NULL;
    ERR_clear_error();
    if (p12) {
        PKCS12_free(p12);
        return " (this is a PKCS#12 / .p12 / .pfx bundle, which mqtls does not read: `openssl "
               "pkcs12 -in FILE -nodes -out all.pem` extracts the PEM)";
    }
    if (n >= 2 && p[0] == 0x30)
        return " (it starts like DER, but no certificate, key or CSR structure was found)";
    return "";
}

static void obj_free(tool_obj_t *o)
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

static tool_obj_t *add_obj(tool_credfile_t *f)
{
    f->objs = tool_xrealloc(f->objs, (f->n_objs + 1) * sizeof *f->objs);
    tool_obj_t *o = &f->objs[f->n_objs++];
    memset(o, 0, sizeof *o);
    return o;
}

static void set_broken(tool_obj_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_broken(tool_obj_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof o->why, fmt, ap);
    va_end(ap);
    o->kind = TOOL_OBJ_BROKEN;
    o->err = -1;
}

/* The outer element of a DER object as its header declares it. */
typedef struct der_shape {
    bool seq;       /* a definite-length SEQUENCE */
    size_t total;   /* its declared size, header included */
} der_shape_t;

/* OpenSSL's parsers say "too long" of a truncated object; the message wants how many bytes
 * its header declares against how many are there, which only the header itself tells
 * (ASN1_get_object reads it without parsing the rest). */
static der_shape_t der_shape(const unsigned char *p, size_t n)
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
    der_shape_t s = der_shape(o->der.p, o->der.len);
    if (s.seq && s.total > o->der.len)
        snprintf(out, size, "; it is truncated: its DER declares %zu bytes but only %zu are "
                 "there", s.total, o->der.len);
    else if (!s.seq)
        snprintf(out, size, "; it does not even start with a DER SEQUENCE");
    else
        out[0] = '\0';
}

const char *tool_obj_kind_name(tool_obj_kind_t k)
{
    switch (k) {
    case TOOL_OBJ_CERT: return "certificate";
    case TOOL_OBJ_CSR: return "CSR";
    case TOOL_OBJ_PRIVKEY: return "private key";
    case TOOL_OBJ_PUBKEY: return "public key";
    default: return "object";
    }
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

static bool is_crl(const tool_obj_t *o)
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
            set_broken(o, "a PKCS#8 private key that OpenSSL cannot read: %s",
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
static void parse_der_obj(tool_obj_t *o, const char *pass)
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
    set_broken(o, "the %s does not parse: %s%s", tool_obj_kind_name(k), e, note);
}

/* ---- PEM ---------------------------------------------------------------------------------- */

static tool_obj_kind_t kind_of_label(const char *label)
{
    static const struct {
        const char *label;
        tool_obj_kind_t kind;
    } map[] = {
        {"CERTIFICATE", TOOL_OBJ_CERT},
        {"CERTIFICATE REQUEST", TOOL_OBJ_CSR},
        {"NEW CERTIFICATE REQUEST", TOOL_OBJ_CSR},
        {"RSA PRIVATE KEY", TOOL_OBJ_PRIVKEY},
        {"EC PRIVATE KEY", TOOL_OBJ_PRIVKEY},
        {"PRIVATE KEY", TOOL_OBJ_PRIVKEY},
        {"ENCRYPTED PRIVATE KEY", TOOL_OBJ_PRIVKEY},
        {"PUBLIC KEY", TOOL_OBJ_PUBKEY},
        {"RSA PUBLIC KEY", TOOL_OBJ_PUBKEY},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(label, map[i].label))
            return map[i].kind;
    return TOOL_OBJ_OTHER;
}

/* What a PEM block we do not use is, in words. */
static void other_why(tool_obj_t *o)
{
    const char *l = o->label;
    if (!strcmp(l, "EC PARAMETERS"))
        snprintf(o->why, sizeof o->why, "EC parameters (as `openssl ecparam -genkey` writes "
                 "before the key): not needed, ignored");
    else if (!strcmp(l, "TRUSTED CERTIFICATE") || !strcmp(l, "X509 CERTIFICATE"))
        snprintf(o->why, sizeof o->why, "an OpenSSL '%s' block, which mqtls does not read: "
                 "`openssl x509 -in FILE -out cert.pem` writes a plain CERTIFICATE", l);
    else if (!strcmp(l, "X509 CRL"))
        snprintf(o->why, sizeof o->why, "a certificate revocation list: not used by mqtls");
    else if (!strcmp(l, "PKCS7"))
        snprintf(o->why, sizeof o->why, "a PKCS#7 bundle, which mqtls does not read: "
                 "`openssl pkcs7 -in FILE -print_certs -out certs.pem` extracts the certificates");
    else
        snprintf(o->why, sizeof o->why, "a '%s' block: not a certificate, key or CSR", l);
}

static unsigned line_of(const char *start, const char *at)
{
    unsigned n = 1;
    for (const char *p = start; p < at; p++)
        n += *p == '\n';
    return n;
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
static void pem_encrypted_key(tool_obj_t *o, char *header, unsigned char *data, long len,
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

/* One PEM block [begin, end) with its label, decoded by OpenSSL's PEM reader. */
static void pem_block(tool_credfile_t *f, const char *label, const char *begin, const char *end,
                      const char *pass)
{
    tool_obj_t *o = add_obj(f);
    snprintf(o->label, sizeof o->label, "%s", label);
    o->line = line_of(f->raw.p, begin);
    o->kind = kind_of_label(label);
    if (o->kind == TOOL_OBJ_OTHER) {
        other_why(o);
        return;
    }
    char *name = NULL, *header = NULL, e[200];
    unsigned char *data = NULL;
    long len = 0;
    BIO *b = BIO_new_mem_buf(begin, (int)(end - begin));
    ERR_clear_error();
    if (!b || !PEM_read_bio(b, &name, &header, &data, &len)) {
        set_broken(o, "the PEM %s block (line %u) does not decode: %s", label, o->line,
                   tool_x509_ossl_error(e, sizeof e));
    } else if (o->kind == TOOL_OBJ_PRIVKEY && strstr(header, "Proc-Type: 4,ENCRYPTED")) {
        pem_encrypted_key(o, header, data, len, pass);
    } else {
        tool_blob_set(&o->der, data, (size_t)len);
        parse_der_obj(o, pass);
        if (o->kind == TOOL_OBJ_PRIVKEY && !strcmp(label, "ENCRYPTED PRIVATE KEY") &&
            o->form != TOOL_FORM_KEY_PKCS8_ENC)
            set_broken(o, "the PEM ENCRYPTED PRIVATE KEY block (line %u) holds a key that is "
                       "not encrypted", o->line);
    }
    BIO_free(b);
    OPENSSL_free(name);
    OPENSSL_free(header);
    if (data)
        OPENSSL_clear_free(data, len > 0 ? (size_t)len : 0);
}

static void parse_pem(tool_credfile_t *f, const char *pass)
{
    const char *s = f->raw.p, *end = f->raw.p + f->raw.len, *pos = s;
    const char *b;
    while ((b = find_bytes(pos, end, "-----BEGIN ")) != NULL) {
        const char *ls = b + 11;
        const char *le = find_bytes(ls, end, "-----");
        size_t ll = le ? (size_t)(le - ls) : 0;
        if (!le || ll == 0 || ll >= 40 || memchr(ls, '\n', ll)) {
            tool_obj_t *o = add_obj(f);
            o->line = line_of(s, b);
            set_broken(o, "a '-----BEGIN' at line %u without a label and closing '-----'",
                       o->line);
            pos = ls;
            continue;
        }
        char label[48], foot[80];
        snprintf(label, sizeof label, "%.*s", (int)ll, ls);
        snprintf(foot, sizeof foot, "-----END %s-----", label);
        const char *e = find_bytes(le + 5, end, foot);
        if (!e) {
            tool_obj_t *o = add_obj(f);
            snprintf(o->label, sizeof o->label, "%s", label);
            o->line = line_of(s, b);
            set_broken(o, "the PEM %s block at line %u has no '%s' line: the file is cut "
                       "off (truncated) or was edited", label, o->line, foot);
            if (kind_of_label(label) == TOOL_OBJ_OTHER)
                o->kind = TOOL_OBJ_OTHER;
            return;
        }
        pem_block(f, label, b, e + strlen(foot), pass);
        pos = e + strlen(foot);
    }
}

/* ---- DER ---------------------------------------------------------------------------------- */

/* Which structure a DER object is: OpenSSL's parsers in turn, the first that takes it whole
 * decides. Certificates first (most files are one), then what a key file may hold.
 * @p cert_err: why it is not a certificate, in OpenSSL's words. */
static bool classify_der(tool_obj_t *o, const char *pass, char *cert_err, size_t size)
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

static void parse_der(tool_credfile_t *f, const char *pass)
{
    const unsigned char *p = (const unsigned char *)f->raw.p;
    size_t n = f->raw.len;
    char start[120], e[200];
    der_shape_t s = der_shape(p, n);
    if (s.seq && s.total > n) {
        snprintf(f->why, sizeof f->why, "truncated DER: its outer SEQUENCE declares %zu bytes, "
                 "the file has %zu (%zu missing)", s.total, n, s.total - n);
        return;
    }
    if (!s.seq) {
        describe_start(p, n, start, sizeof start);
        snprintf(f->why, sizeof f->why, "not a certificate, key or CSR: starts with %s%s", start,
                 guess_hint(p, n));
        return;
    }
    tool_obj_t probe;
    memset(&probe, 0, sizeof probe);
    tool_blob_set(&probe.der, p, s.total);
    ERR_clear_error();
    if (!classify_der(&probe, pass, e, sizeof e)) {
        if (is_crl(&probe))
            snprintf(f->why, sizeof f->why, "a certificate revocation list (X.509 CRL), not a "
                     "certificate, key or CSR: not used by mqtls");
        else
            snprintf(f->why, sizeof f->why, "not a certificate, key or CSR: a DER SEQUENCE of %zu "
                     "bytes that none of OpenSSL's parsers takes (as a certificate: %s)%s",
                     s.total, e, guess_hint(p, n));
        ERR_clear_error();
        obj_free(&probe);
        return;
    }
    f->trailing = n - s.total;
    *add_obj(f) = probe;
}

/* ---- files -------------------------------------------------------------------------------- */

static bool looks_pem(const tool_buf_t *b)
{
    return find_bytes(b->p, b->p + b->len, "-----BEGIN") != NULL;
}

static void finish(tool_credfile_t *f)
{
    size_t usable = 0;
    bool bad = f->why[0] != '\0';
    for (size_t i = 0; i < f->n_objs; i++) {
        const tool_obj_t *o = &f->objs[i];
        if (o->kind == TOOL_OBJ_BROKEN || o->err)
            bad = true;
        if (o->kind != TOOL_OBJ_OTHER)
            usable++;
    }
    if (!f->why[0] && f->is_pem && usable == 0) {
        if (f->n_objs)
            snprintf(f->why, sizeof f->why, "no certificate, key or CSR in it: only a PEM "
                     "'%s' block", f->objs[0].label);
        else
            snprintf(f->why, sizeof f->why, "not a certificate, key or CSR: no PEM block in it");
        bad = true;
    }
    f->status = bad ? TOOL_EXIT_USAGE : TOOL_EXIT_OK;
}

void tool_credfile_parse(tool_credfile_t *f, const char *name, const void *data, size_t len,
                         const char *pass)
{
    memset(f, 0, sizeof *f);
    f->path = name;
    f->read_ok = true;
    tool_buf_add(&f->raw, data, len);
    if (len == 0) {
        snprintf(f->why, sizeof f->why, "empty file (0 bytes)");
    } else {
        f->is_pem = looks_pem(&f->raw);
        const char *hint = guess_hint((const unsigned char *)f->raw.p, f->raw.len);
        if (f->raw.p[strspn(f->raw.p, " \t\r\n")] == '{' && strstr(hint, "JSON")) {
            char start[120];
            describe_start((const unsigned char *)f->raw.p, f->raw.len, start, sizeof start);
            snprintf(f->why, sizeof f->why, "not a certificate, key or CSR: starts with %s%s",
                     start, hint);
        } else if (f->is_pem)
            parse_pem(f, pass);
        else
            parse_der(f, pass);
    }
    finish(f);
}

void tool_credfile_load(tool_credfile_t *f, const char *path, const char *pass)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->status = TOOL_EXIT_USAGE;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(f->why, sizeof f->why, "cannot read it: %s", strerror(errno));
        return;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(f->why, sizeof f->why, "is a directory, not a file");
        close(fd);
        return;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    tool_buf_t b = {NULL, 0, 0};
    for (;;) {
        char chunk[65536];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(f->why, sizeof f->why, "cannot read it: %s", strerror(errno));
            close(fd);
            tool_buf_free(&b);
            return;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > CRED_FILE_MAX) {
            snprintf(f->why, sizeof f->why, "too large for a certificate or key file (more than "
                     "%u bytes)", CRED_FILE_MAX);
            close(fd);
            tool_buf_free(&b);
            return;
        }
        tool_buf_add(&b, chunk, (size_t)n);
    }
    close(fd);
    tool_credfile_parse(f, path, b.p ? b.p : "", b.len, pass);
    if (b.p)
        OPENSSL_cleanse(b.p, b.len);
    tool_buf_free(&b);
}

void tool_credfile_free(tool_credfile_t *f)
{
    for (size_t i = 0; i < f->n_objs; i++)
        obj_free(&f->objs[i]);
    free(f->objs);
    if (f->raw.p)
        OPENSSL_cleanse(f->raw.p, f->raw.len);
    tool_buf_free(&f->raw);
    f->objs = NULL;
    f->n_objs = 0;
}

size_t tool_credfile_count(const tool_credfile_t *f, tool_obj_kind_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_objs; i++)
        n += f->objs[i].kind == kind;
    return n;
}

const tool_obj_t *tool_credfile_first(const tool_credfile_t *f, tool_obj_kind_t kind)
{
    for (size_t i = 0; i < f->n_objs; i++)
        if (f->objs[i].kind == kind)
            return &f->objs[i];
    return NULL;
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

/* ---- words ------------------------------------------------------------------------------ */

const char *tool_x509_form_name(tool_form_t form)
{
    switch (form) {
    case TOOL_FORM_KEY_PKCS1: return "PKCS#1";
    case TOOL_FORM_KEY_SEC1: return "SEC1";
    case TOOL_FORM_KEY_PKCS8: return "PKCS#8";
    case TOOL_FORM_KEY_PKCS8_ENC: return "PKCS#8";
    case TOOL_FORM_PUB_SPKI: return "SubjectPublicKeyInfo";
    case TOOL_FORM_PUB_PKCS1: return "PKCS#1 RSAPublicKey";
    default: return "";
    }
}

const char *tool_x509_pem_label(tool_obj_kind_t kind, tool_form_t form)
{
    switch (kind) {
    case TOOL_OBJ_CERT: return "CERTIFICATE";
    case TOOL_OBJ_CSR: return "CERTIFICATE REQUEST";
    case TOOL_OBJ_PRIVKEY:
        return form == TOOL_FORM_KEY_PKCS1  ? "RSA PRIVATE KEY"
               : form == TOOL_FORM_KEY_SEC1 ? "EC PRIVATE KEY"
               : form == TOOL_FORM_KEY_PKCS8_ENC ? "ENCRYPTED PRIVATE KEY"
                                                      : "PRIVATE KEY";
    case TOOL_OBJ_PUBKEY: return form == TOOL_FORM_PUB_PKCS1 ? "RSA PUBLIC KEY" : "PUBLIC KEY";
    default: return "";
    }
}

const char *tool_obj_describe(const tool_obj_t *o, char *buf, size_t size)
{
    char key[64];
    switch (o->kind) {
    case TOOL_OBJ_CERT:
        snprintf(buf, size, "certificate");
        break;
    case TOOL_OBJ_CSR:
        snprintf(buf, size, "certificate signing request (CSR)");
        break;
    case TOOL_OBJ_PRIVKEY:
        if (o->pk_ok)
            tool_x509_describe_key(o->pk, key, sizeof key);
        else
            snprintf(key, sizeof key, "%s", o->form == TOOL_FORM_KEY_PKCS1 ? "RSA"
                                            : o->form == TOOL_FORM_KEY_SEC1 ? "EC" : "");
        if (o->decrypted)
            snprintf(buf, size, "%s%sprivate key (%s, decrypted from %s)", key, *key ? " " : "",
                     tool_x509_form_name(o->form), o->enc_alg);
        else if (o->encrypted)
            snprintf(buf, size, "%s%sprivate key (%s, encrypted: %s)", key, *key ? " " : "",
                     tool_x509_form_name(o->form), o->enc_alg);
        else
            snprintf(buf, size, "%s%sprivate key (%s)", key, *key ? " " : "",
                     tool_x509_form_name(o->form));
        break;
    case TOOL_OBJ_PUBKEY:
        if (o->pk_ok)
            tool_x509_describe_key(o->pk, key, sizeof key);
        else
            key[0] = '\0';
        snprintf(buf, size, "%s%spublic key (%s)", key, *key ? " " : "",
                 tool_x509_form_name(o->form));
        break;
    case TOOL_OBJ_OTHER:
        snprintf(buf, size, "PEM '%s' block", o->label);
        break;
    case TOOL_OBJ_BROKEN:
        if (o->label[0])
            snprintf(buf, size, "broken PEM '%s' block", o->label);
        else
            snprintf(buf, size, "broken object");
        break;
    }
    return buf;
}

const char *tool_credfile_summary(const tool_credfile_t *f, char *buf, size_t size)
{
    static const struct {
        tool_obj_kind_t kind;
        const char *one, *many;
    } names[] = {
        {TOOL_OBJ_CERT, "certificate", "certificates"},
        {TOOL_OBJ_CSR, "CSR", "CSRs"},
        {TOOL_OBJ_PRIVKEY, "private key", "private keys"},
        {TOOL_OBJ_PUBKEY, "public key", "public keys"},
        {TOOL_OBJ_BROKEN, "broken block", "broken blocks"},
        {TOOL_OBJ_OTHER, "other block", "other blocks"},
    };
    size_t k = (size_t)snprintf(buf, size, "%s", f->is_pem ? "PEM" : "DER");
    for (size_t i = 0; i < sizeof names / sizeof names[0] && k < size; i++) {
        size_t n = tool_credfile_count(f, names[i].kind);
        if (n == 1)
            k += (size_t)snprintf(buf + k, size - k, ", %s", names[i].one);
        else if (n > 1)
            k += (size_t)snprintf(buf + k, size - k, ", %zu %s", n, names[i].many);
    }
    return buf;
}
