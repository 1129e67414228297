/**
 * @file tool_x509.c
 * @brief Certificates and keys for the tools, on OpenSSL 3's libcrypto (see tool_x509.h):
 *        errors, dates, key names, fingerprints, wiped byte strings, PEM armour and writing
 *        key and certificate files. Reading credential files: tool_x509_read.c and
 *        tool_x509_obj.c; describing them: tool_x509_words.c.
 */
#include "creds/tool_x509.h"

#include <errno.h>
#include <fcntl.h>
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
#include <openssl/x509v3.h>

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
    /* A secure-memory BIO: it wipes its buffer when freed (the DER may be a private key). */
    BIO *b = BIO_new(BIO_s_secmem());
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
