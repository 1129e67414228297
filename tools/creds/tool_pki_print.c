/**
 * @file tool_pki_print.c
 * @brief What `mqtls pki` prints about what it made: the certificate, the files, and dates
 *        that make it unusable now or outlive the CA.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"
#include "creds/tool_x509.h"

static void print_field(const char *label, const char *value)
{
    printf("%-17s %s\n", label, value);
}

/* A name as "C=DE, O=Example\, Inc., CN=Root": in certificate order, RFC 4514 escapes,
 * UTF-8 kept. */
static void print_name(const char *label, const X509_NAME *name)
{
    const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
                                (ASN1_STRFLGS_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB);
    BIO *bio = BIO_new(BIO_s_mem());
    char *p = NULL;
    if (bio && X509_NAME_print_ex(bio, name, 0, flags) >= 0 && BIO_write(bio, "", 1) == 1 &&
        BIO_get_mem_data(bio, &p) > 0)
        print_field(label, p);
    else
        print_field(label, "?");
    BIO_free(bio);
}

/* The serial number as "49:A6:...:90" (uppercase hex bytes). */
static void print_serial(const X509 *crt)
{
    const ASN1_INTEGER *sn = X509_get0_serialNumber(crt);
    const unsigned char *p = ASN1_STRING_get0_data(sn);
    int n = ASN1_STRING_length(sn);
    char buf[3 * 64 + 1] = "";
    size_t at = 0;
    for (int i = 0; i < n && i < 64; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%02X", i ? ":" : "", p[i]);
    print_field("serial:", buf);
}

void tool_pki_print_cert(const X509 *crt, const tool_blob_t *der)
{
    char hex[65], buf[128];
    tool_x509_sha256_hex(der->p, der->len, hex);
    print_field("certificate-id:", hex);
    print_name("subject:", X509_get_subject_name(crt));
    print_name("issuer:", X509_get_issuer_name(crt));
    print_serial(crt);
    tool_x509_format_time(tool_x509_time_to_unix(X509_get0_notBefore(crt)), false, buf, sizeof buf);
    print_field("not-before:", buf);
    tool_x509_format_time(tool_x509_time_to_unix(X509_get0_notAfter(crt)), false, buf, sizeof buf);
    print_field("not-after:", buf);
    tool_x509_describe_key(X509_get0_pubkey(crt), buf, sizeof buf);
    print_field("key:", buf);
}

void tool_pki_print_files(const pki_file_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        print_field(f[i].label, f[i].path);
}

/* Notes dates that make the certificate unusable now, or outlive the CA. */
void tool_pki_warn_dates(const pki_args_t *a, const X509 *ca)
{
    int64_t now = (int64_t)time(NULL);
    char t[40];
    if (a->not_after <= now) {
        tool_x509_format_time(a->not_after, false, t, sizeof t);
        tool_warn("the certificate has already expired (not after %s)", t);
    } else if (a->not_before > now) {
        tool_x509_format_time(a->not_before, false, t, sizeof t);
        tool_warn("the certificate is not valid yet (not before %s)", t);
    }
    int64_t ca_end = ca ? tool_x509_time_to_unix(X509_get0_notAfter(ca)) : 0;
    if (ca && a->not_after > ca_end) {
        tool_x509_format_time(ca_end, false, t, sizeof t);
        tool_warn("the certificate outlives its CA (the CA expires %s)", t);
    }
}
