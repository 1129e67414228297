/**
 * @file tool_x509.c
 * @brief Certificates and keys for the tools (see tool_x509.h).
 *
 * A credential file is told apart by content, as the TLS transport does: PEM when it holds
 * "-----BEGIN", DER otherwise. Each PEM block is decoded on its own (so a bundle with one
 * bad certificate says which), and a DER file is classified by its shape
 * (mqtls_x509_der_kind()) before the matching Mbed TLS parser reads it.
 */
#include "tool_x509.h"

#include "tool_ossl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pkcs12.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define TOOL_EC_GROUP_ID(pk) (mbedtls_pk_ec(*(pk))->MBEDTLS_PRIVATE(grp).id)
#else
#define TOOL_EC_GROUP_ID(pk) (mbedtls_pk_ec(*(pk))->grp.id)
#endif

/* Credential files are small; this bounds what is read (and stops /dev/zero). */
#define CRED_FILE_MAX (16u * 1024u * 1024u)

/* ---- randomness ------------------------------------------------------------------------ */

int tool_x509_random(void *ctx, unsigned char *out, size_t len)
{
    static mbedtls_entropy_context entropy;
    static mbedtls_ctr_drbg_context drbg;
    static bool seeded;
    (void)ctx;
    if (!seeded) {
        static const char pers[] = "mqtls tools";
        mbedtls_entropy_init(&entropy);
        mbedtls_ctr_drbg_init(&drbg);
        int rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                       (const unsigned char *)pers, sizeof pers - 1);
        if (rc)
            return rc;
        seeded = true;
    }
    return mbedtls_ctr_drbg_random(&drbg, out, len);
}

/* ---- errors, dates, key names ----------------------------------------------------------- */

const char *tool_x509_strerror(int code, char *buf, size_t size)
{
    char text[160];
    mbedtls_strerror(code, text, sizeof text);
    snprintf(buf, size, "%s (-0x%04X)", text, (unsigned)(code < 0 ? -code : code));
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

int64_t tool_x509_time_to_unix(const mbedtls_x509_time *t)
{
    if (t->mon < 1 || t->mon > 12 || t->day < 1 || t->day > 31)
        return 0;
    return tool_x509_days_from_civil(t->year, (unsigned)t->mon, (unsigned)t->day) * 86400 +
           t->hour * 3600 + t->min * 60 + t->sec;
}

static const char *curve_name(mbedtls_ecp_group_id id)
{
    switch (id) {
    case MBEDTLS_ECP_DP_SECP192R1: return "P-192";
    case MBEDTLS_ECP_DP_SECP224R1: return "P-224";
    case MBEDTLS_ECP_DP_SECP256R1: return "P-256";
    case MBEDTLS_ECP_DP_SECP384R1: return "P-384";
    case MBEDTLS_ECP_DP_SECP521R1: return "P-521";
    default: {
        const mbedtls_ecp_curve_info *ci = mbedtls_ecp_curve_info_from_grp_id(id);
        return ci ? ci->name : "unknown curve";
    }
    }
}

void tool_x509_describe_key(const mbedtls_pk_context *pk, char *out, size_t size)
{
    mbedtls_pk_type_t type = mbedtls_pk_get_type(pk);
    if (type == MBEDTLS_PK_RSA)
        snprintf(out, size, "RSA %u", (unsigned)mbedtls_pk_get_bitlen(pk));
    else if (type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECKEY_DH || type == MBEDTLS_PK_ECDSA)
        snprintf(out, size, "EC %s", curve_name(TOOL_EC_GROUP_ID(pk)));
    else
        snprintf(out, size, "%s %u", mbedtls_pk_get_name(pk), (unsigned)mbedtls_pk_get_bitlen(pk));
}

void tool_x509_sha256_hex(const unsigned char *p, size_t len, char hex[65])
{
    unsigned char hash[32];
    TOOL_SHA256(p, len, hash);
    for (size_t i = 0; i < sizeof hash; i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
}

/* ---- byte strings and files ------------------------------------------------------------- */

void tool_blob_free(tool_blob_t *b)
{
    if (b->p) {
        mbedtls_platform_zeroize(b->p, b->len);
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
    mbedtls_platform_zeroize(buf, cap);
}

int tool_x509_der_to_pem(const char *label, const tool_blob_t *der, tool_blob_t *pem)
{
    char head[64], foot[64];
    snprintf(head, sizeof head, "-----BEGIN %s-----\n", label);
    snprintf(foot, sizeof foot, "-----END %s-----\n", label);
    size_t cap = der->len * 4 / 3 + der->len / 48 + 128, olen = 0;
    pem->p = tool_xmalloc(cap);
    pem->len = cap;
    int rc = mbedtls_pem_write_buffer(head, foot, der->p, der->len, pem->p, cap, &olen);
    if (rc) {
        tool_blob_free(pem);
        return rc;
    }
    pem->len = strlen((const char *)pem->p); /* olen counts the NUL */
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
    if (n >= 5 && p[0] == 0x30 && ((p[1] == 0x82 && n >= 7 && p[4] == 0x02 && p[5] == 0x01 &&
                                    p[6] == 0x03) ||
                                   (p[1] == 0x83 && n >= 8 && p[5] == 0x02 && p[6] == 0x01 &&
                                    p[7] == 0x03)))
        return " (this looks like a PKCS#12 / .p12 / .pfx bundle, which Mbed TLS does not "
               "read: `openssl pkcs12 -in FILE -nodes -out all.pem` extracts the PEM)";
    if (n >= 2 && p[0] == 0x30)
        return " (it starts like DER, but no certificate, key or CSR structure was found)";
    return "";
}

static void obj_init(tool_obj_t *o)
{
    memset(o, 0, sizeof *o);
    mbedtls_x509_crt_init(&o->crt);
    mbedtls_x509_csr_init(&o->csr);
    mbedtls_pk_init(&o->pk);
}

static void obj_free(tool_obj_t *o)
{
    tool_blob_free(&o->der);
    mbedtls_x509_crt_free(&o->crt);
    mbedtls_x509_csr_free(&o->csr);
    mbedtls_pk_free(&o->pk);
}

static tool_obj_t *add_obj(tool_credfile_t *f)
{
    f->objs = tool_xrealloc(f->objs, (f->n_objs + 1) * sizeof *f->objs);
    tool_obj_t *o = &f->objs[f->n_objs++];
    obj_init(o);
    return o;
}

static void set_broken(tool_obj_t *o, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_broken(tool_obj_t *o, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof o->why, fmt, ap);
    va_end(ap);
    o->kind = TOOL_OBJ_BROKEN;
    o->err = err;
}

/* A note on the DER's own length, for a parse failure. */
static void der_shape_note(const tool_obj_t *o, char *out, size_t size)
{
    size_t total = 0;
    mqtls_x509_der_kind_t k = mqtls_x509_der_kind(o->der.p, o->der.len, &total);
    if (k == MQTLS_X509_DER_TRUNCATED)
        snprintf(out, size, "; it is truncated: its DER declares %zu bytes but only %zu are "
                 "there", total, o->der.len);
    else if (total == 0)
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

/* The words for a key that stays locked. */
static void key_locked_why(tool_obj_t *o, int rc)
{
    char e[200];
    o->err = rc;
    if (rc == MBEDTLS_ERR_PK_PASSWORD_MISMATCH || rc == MBEDTLS_ERR_PEM_PASSWORD_MISMATCH)
        snprintf(o->why, sizeof o->why, "wrong passphrase: the key does not decrypt with it");
    else if (o->enc_unsupported)
        snprintf(o->why, sizeof o->why,
                 "cannot decrypt a PKCS#8 key encrypted with %s: OpenSSL does not know the "
                 "scheme. Re-encrypt it with OpenSSL's default: `openssl pkey -in KEY -aes256 "
                 "-out new.key`", o->enc_alg);
    else
        snprintf(o->why, sizeof o->why, "cannot decrypt the key: %s",
                 tool_x509_strerror(rc, e, sizeof e));
}

#define SEQ_TAG (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

static bool oid_eq(const mbedtls_asn1_buf *b, const char *oid, size_t len)
{
    return b->len == len && !memcmp(b->p, oid, len);
}

#define OID_EQ(b, M) oid_eq(b, M, MBEDTLS_OID_SIZE(M))

/* How an EncryptedPrivateKeyInfo is encrypted, in words (o->enc_alg). */
static void pkcs8_scheme(tool_obj_t *o)
{
    static const char aes[] = "\x60\x86\x48\x01\x65\x03\x04\x01"; /* 2.16.840.1.101.3.4.1 */
    unsigned char *p = o->der.p, *end = p + o->der.len;
    size_t n;
    mbedtls_asn1_buf alg, params;
    snprintf(o->enc_alg, sizeof o->enc_alg, "PKCS#8");
    if (mbedtls_asn1_get_tag(&p, end, &n, SEQ_TAG) || mbedtls_asn1_get_alg(&p, end, &alg, &params))
        return;
    if (OID_EQ(&alg, MBEDTLS_OID_PKCS5_PBES2)) {
        unsigned char *q = params.p, *qend = params.p + params.len;
        mbedtls_asn1_buf kdf, kdf_params, enc, enc_params;
        const char *name = NULL;
        if (params.tag != SEQ_TAG || mbedtls_asn1_get_alg(&q, qend, &kdf, &kdf_params) ||
            mbedtls_asn1_get_alg(&q, qend, &enc, &enc_params)) {
            snprintf(o->enc_alg, sizeof o->enc_alg, "PBES2");
            return;
        }
        if (OID_EQ(&enc, MBEDTLS_OID_DES_EDE3_CBC)) {
            name = "DES-EDE3-CBC";
        } else if (OID_EQ(&enc, MBEDTLS_OID_DES_CBC)) {
            name = "DES-CBC";
        } else {
            if (enc.len == sizeof aes && !memcmp(enc.p, aes, sizeof aes - 1))
                name = enc.p[8] == 0x02 ? "AES-128-CBC" : enc.p[8] == 0x16 ? "AES-192-CBC"
                       : enc.p[8] == 0x2A ? "AES-256-CBC" : "AES";
        }
        snprintf(o->enc_alg, sizeof o->enc_alg, "PBES2 %s", name ? name : "(unknown cipher)");
    } else if (OID_EQ(&alg, MBEDTLS_OID_PKCS12_PBE_SHA1_DES3_EDE_CBC)) {
        snprintf(o->enc_alg, sizeof o->enc_alg, "PKCS#12 PBE 3DES");
    } else if (OID_EQ(&alg, MBEDTLS_OID_PKCS12_PBE_SHA1_DES2_EDE_CBC)) {
        snprintf(o->enc_alg, sizeof o->enc_alg, "PKCS#12 PBE 2DES");
    } else {
        snprintf(o->enc_alg, sizeof o->enc_alg, "PKCS#8 (an unknown scheme)");
    }
}

/* Parses o->der as a private key (o->form known). @p pass may be NULL. */
/* An encrypted PKCS#8 key, opened by OpenSSL (any scheme it has, AES included) and parsed
 * by Mbed TLS from the plaintext, which is wiped right after. */
static void parse_pkcs8_encrypted(tool_obj_t *o, const char *pass)
{
    tool_blob_t plain = {0};
    tool_pkcs8_result_t r = tool_pkcs8_decrypt(o->der.p, o->der.len, pass, &plain);
    if (r == TOOL_PKCS8_WRONG_PASS) {
        key_locked_why(o, MBEDTLS_ERR_PK_PASSWORD_MISMATCH);
        return;
    }
    int rc = r == TOOL_PKCS8_OK
                 ? TOOL_PK_PARSE_KEY(&o->pk, plain.p, plain.len, NULL, 0, NULL)
                 : MBEDTLS_ERR_PK_KEY_INVALID_FORMAT;
    tool_blob_free(&plain);
    if (rc == 0) {
        o->pk_ok = o->decrypted = true;
        return;
    }
    mbedtls_pk_free(&o->pk);
    mbedtls_pk_init(&o->pk);
    o->enc_unsupported = r == TOOL_PKCS8_UNREADABLE;
    key_locked_why(o, rc);
}

static void parse_private(tool_obj_t *o, const char *pass)
{
    char e[200], note[160];
    if (o->form == MQTLS_X509_DER_KEY_PKCS8_ENC) {
        o->encrypted = true;
        pkcs8_scheme(o);
        if (pass)
            parse_pkcs8_encrypted(o, pass);
        return;
    }
    const unsigned char *pw = (const unsigned char *)(o->encrypted ? pass : NULL);
    size_t pwlen = pw ? strlen(pass) : 0;
    int rc = TOOL_PK_PARSE_KEY(&o->pk, o->der.p, o->der.len, pw, pwlen, NULL);
    if (rc == 0) {
        o->pk_ok = true;
        o->decrypted = o->encrypted;
        return;
    }
    mbedtls_pk_free(&o->pk);
    mbedtls_pk_init(&o->pk);
    if (o->encrypted) {
        key_locked_why(o, rc);
        return;
    }
    der_shape_note(o, note, sizeof note);
    set_broken(o, rc, "the private key does not parse: %s%s", tool_x509_strerror(rc, e, sizeof e),
               note);
}

/* Parses o->der as what o->kind says. */
static void parse_der_obj(tool_obj_t *o, const char *pass)
{
    char e[200], note[160];
    int rc = 0;
    switch (o->kind) {
    case TOOL_OBJ_CERT:
        rc = mbedtls_x509_crt_parse_der(&o->crt, o->der.p, o->der.len);
        break;
    case TOOL_OBJ_CSR:
        rc = mbedtls_x509_csr_parse_der(&o->csr, o->der.p, o->der.len);
        break;
    case TOOL_OBJ_PRIVKEY:
        parse_private(o, pass);
        return;
    case TOOL_OBJ_PUBKEY:
        rc = mbedtls_pk_parse_public_key(&o->pk, o->der.p, o->der.len);
        if (rc == 0)
            o->pk_ok = true;
        break;
    default:
        return;
    }
    if (rc != 0) {
        tool_obj_kind_t k = o->kind;
        der_shape_note(o, note, sizeof note);
        set_broken(o, rc, "the %s does not parse: %s%s", tool_obj_kind_name(k),
                   tool_x509_strerror(rc, e, sizeof e), note);
    }
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
        snprintf(o->why, sizeof o->why, "an OpenSSL '%s' block, which Mbed TLS does not read: "
                 "`openssl x509 -in FILE -out cert.pem` writes a plain CERTIFICATE", l);
    else if (!strcmp(l, "X509 CRL"))
        snprintf(o->why, sizeof o->why, "a certificate revocation list: not used by mqtls");
    else if (!strcmp(l, "PKCS7"))
        snprintf(o->why, sizeof o->why, "a PKCS#7 bundle, which Mbed TLS does not read: "
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

/* One PEM block [begin, end) with its label; @p end is just past the END line's dashes. */
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

    /* mbedtls_pem_read_buffer() wants the text NUL-terminated. */
    tool_blob_t text;
    tool_blob_set(&text, begin, (size_t)(end - begin));
    char head[80], foot[80], e[200];
    snprintf(head, sizeof head, "-----BEGIN %s-----", label);
    snprintf(foot, sizeof foot, "-----END %s-----", label);
    bool traditional_enc = strstr((const char *)text.p, "Proc-Type: 4,ENCRYPTED") != NULL;
    if (traditional_enc) {
        const char *dek = strstr((const char *)text.p, "DEK-Info: ");
        size_t n = dek ? strcspn(dek + 10, ",\r\n") : 0;
        snprintf(o->enc_alg, sizeof o->enc_alg, "PEM %.*s", (int)(n < 32 ? n : 32),
                 dek ? dek + 10 : "");
        o->encrypted = true;
        o->form = !strcmp(label, "RSA PRIVATE KEY") ? MQTLS_X509_DER_KEY_PKCS1
                                                    : MQTLS_X509_DER_KEY_SEC1;
    }

    mbedtls_pem_context pem;
    mbedtls_pem_init(&pem);
    size_t used = 0;
    const unsigned char *pw = traditional_enc && pass ? (const unsigned char *)pass : NULL;
    int rc = mbedtls_pem_read_buffer(&pem, head, foot, text.p, pw, pw ? strlen(pass) : 0, &used);
    if (rc == 0) {
        size_t len = 0;
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
        const unsigned char *buf = mbedtls_pem_get_buffer(&pem, &len);
#else
        const unsigned char *buf = pem.buf;
        len = pem.buflen;
#endif
        tool_blob_set(&o->der, buf, len);
    }
    mbedtls_pem_free(&pem);
    tool_blob_free(&text);

    if (traditional_enc) {
        if (rc == MBEDTLS_ERR_PEM_PASSWORD_REQUIRED || (rc == 0 && !pass))
            return; /* locked: recorded as encrypted */
        if (rc != 0) {
            key_locked_why(o, rc);
            return;
        }
        /* Decrypted: Mbed TLS leaves the CBC padding on (PKCS#7: k bytes of value k) and
         * checks only the first bytes, so check the padding too: with a wrong passphrase it
         * is garbage. Then keep the DER alone. */
        size_t total = 0;
        o->form = mqtls_x509_der_kind(o->der.p, o->der.len, &total);
        size_t pad = o->der.len - (total <= o->der.len ? total : o->der.len);
        bool pad_ok = total > 0 && total <= o->der.len && pad >= 1 && pad <= 16;
        for (size_t i = 0; pad_ok && i < pad; i++)
            pad_ok = o->der.p[total + i] == pad;
        if (!pad_ok) {
            key_locked_why(o, MBEDTLS_ERR_PK_PASSWORD_MISMATCH);
            return;
        }
        mbedtls_platform_zeroize(o->der.p + total, pad);
        o->der.len = total;
        int prc = TOOL_PK_PARSE_KEY(&o->pk, o->der.p, o->der.len, NULL, 0, NULL);
        if (prc == 0) {
            o->pk_ok = o->decrypted = true;
        } else {
            mbedtls_pk_free(&o->pk);
            mbedtls_pk_init(&o->pk);
            /* Mbed TLS checks only the first bytes after decrypting: a wrong passphrase
             * usually shows here. */
            key_locked_why(o, MBEDTLS_ERR_PK_PASSWORD_MISMATCH);
        }
        return;
    }
    if (rc != 0) {
        set_broken(o, rc, "the PEM %s block (line %u) does not decode: %s", label, o->line,
                   tool_x509_strerror(rc, e, sizeof e));
        return;
    }
    o->form = mqtls_x509_der_kind(o->der.p, o->der.len, NULL);
    if (o->kind == TOOL_OBJ_PRIVKEY && !strcmp(label, "ENCRYPTED PRIVATE KEY"))
        o->form = MQTLS_X509_DER_KEY_PKCS8_ENC;
    parse_der_obj(o, pass);
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
            set_broken(o, 0, "a '-----BEGIN' at line %u without a label and closing '-----'",
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
            set_broken(o, 0, "the PEM %s block at line %u has no '%s' line: the file is cut "
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

static void parse_der(tool_credfile_t *f, const char *pass)
{
    const unsigned char *p = (const unsigned char *)f->raw.p;
    size_t n = f->raw.len, total = 0;
    char start[120];
    mqtls_x509_der_kind_t k = mqtls_x509_der_kind(p, n, &total);
    if (k == MQTLS_X509_DER_TRUNCATED) {
        snprintf(f->why, sizeof f->why, "truncated DER: its outer SEQUENCE declares %zu bytes, "
                 "the file has %zu (%zu missing)", total, n, total - n);
        return;
    }
    if (k == MQTLS_X509_DER_UNKNOWN) {
        describe_start(p, n, start, sizeof start);
        snprintf(f->why, sizeof f->why, "not a certificate, key or CSR: starts with %s%s", start,
                 guess_hint(p, n));
        return;
    }
    f->trailing = n - total;
    tool_obj_t *o = add_obj(f);
    o->form = k;
    tool_blob_set(&o->der, p, total);
    switch (k) {
    case MQTLS_X509_DER_SIGNED: {
        char e[200];
        o->kind = TOOL_OBJ_CERT;
        int rc = mbedtls_x509_crt_parse_der(&o->crt, o->der.p, o->der.len);
        if (rc == 0)
            return;
        if (mbedtls_x509_csr_parse_der(&o->csr, o->der.p, o->der.len) == 0) {
            o->kind = TOOL_OBJ_CSR;
            return;
        }
        set_broken(o, rc, "a signed X.509 structure, but neither a certificate nor a CSR that "
                   "Mbed TLS can parse (a CRL?): %s", tool_x509_strerror(rc, e, sizeof e));
        return;
    }
    case MQTLS_X509_DER_KEY_PKCS1:
    case MQTLS_X509_DER_KEY_SEC1:
    case MQTLS_X509_DER_KEY_PKCS8:
    case MQTLS_X509_DER_KEY_PKCS8_ENC:
        o->kind = TOOL_OBJ_PRIVKEY;
        break;
    default:
        o->kind = TOOL_OBJ_PUBKEY;
        break;
    }
    parse_der_obj(o, pass);
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
        mbedtls_platform_zeroize(b.p, b.len);
    tool_buf_free(&b);
}

void tool_credfile_free(tool_credfile_t *f)
{
    for (size_t i = 0; i < f->n_objs; i++)
        obj_free(&f->objs[i]);
    free(f->objs);
    if (f->raw.p)
        mbedtls_platform_zeroize(f->raw.p, f->raw.len);
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

/* ---- words ------------------------------------------------------------------------------ */

const char *tool_x509_form_name(mqtls_x509_der_kind_t form)
{
    switch (form) {
    case MQTLS_X509_DER_KEY_PKCS1: return "PKCS#1";
    case MQTLS_X509_DER_KEY_SEC1: return "SEC1";
    case MQTLS_X509_DER_KEY_PKCS8: return "PKCS#8";
    case MQTLS_X509_DER_KEY_PKCS8_ENC: return "PKCS#8";
    case MQTLS_X509_DER_PUB_SPKI: return "SubjectPublicKeyInfo";
    case MQTLS_X509_DER_PUB_PKCS1: return "PKCS#1 RSAPublicKey";
    default: return "";
    }
}

const char *tool_x509_pem_label(tool_obj_kind_t kind, mqtls_x509_der_kind_t form)
{
    switch (kind) {
    case TOOL_OBJ_CERT: return "CERTIFICATE";
    case TOOL_OBJ_CSR: return "CERTIFICATE REQUEST";
    case TOOL_OBJ_PRIVKEY:
        return form == MQTLS_X509_DER_KEY_PKCS1  ? "RSA PRIVATE KEY"
               : form == MQTLS_X509_DER_KEY_SEC1 ? "EC PRIVATE KEY"
               : form == MQTLS_X509_DER_KEY_PKCS8_ENC ? "ENCRYPTED PRIVATE KEY"
                                                      : "PRIVATE KEY";
    case TOOL_OBJ_PUBKEY: return form == MQTLS_X509_DER_PUB_PKCS1 ? "RSA PUBLIC KEY" : "PUBLIC KEY";
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
            tool_x509_describe_key(&o->pk, key, sizeof key);
        else
            snprintf(key, sizeof key, "%s", o->form == MQTLS_X509_DER_KEY_PKCS1 ? "RSA"
                                            : o->form == MQTLS_X509_DER_KEY_SEC1 ? "EC" : "");
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
            tool_x509_describe_key(&o->pk, key, sizeof key);
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
