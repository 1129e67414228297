/**
 * @file doctor_crl.c
 * @brief --crlfile in the doctor: step 1 reads the revocation lists (issuer, dates, how many
 *        certificates each revokes; an issuer that is no CA of the CA file) and warns of
 *        one past its next update; the facts of
 *        tls.server_cert_revoked name the revoked certificate's serial and the CRL listing it.
 *
 * Read with OpenSSL whichever backend the library has: the tool links it (tools/creds).
 * A file that cannot be read or holds no CRL is not told here: the TLS setup refuses it
 * and step 1 names that (a credential failure about MQTLS_TLS_ITEM_CRL).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"
#include "creds/tool_x509.h"

#define CRLS_MAX 16

/* The CRLs of @p path (PEM, any number; or one DER CRL) into @p out; returns how many. */
static int load_crls(const char *path, X509_CRL **out)
{
    int n = 0;
    BIO *in = BIO_new_file(path, "rb");
    while (in && n < CRLS_MAX && (out[n] = PEM_read_bio_X509_CRL(in, NULL, NULL, NULL)) != NULL)
        n++;
    if (in && n == 0 && BIO_reset(in) == 0 && (out[0] = d2i_X509_CRL_bio(in, NULL)) != NULL)
        n = 1;
    BIO_free(in);
    ERR_clear_error();
    return n;
}

static void free_crls(X509_CRL **crls, int n)
{
    for (int i = 0; i < n; i++)
        X509_CRL_free(crls[i]);
}

/* The issuer as the TLS evidence writes names ("C=US, O=Org, CN=Name"). */
static void issuer_text(const X509_CRL *crl, char *s, size_t size)
{
    snprintf(s, size, "?");
    BIO *mem = BIO_new(BIO_s_mem());
    const unsigned long flags = (XN_FLAG_RFC2253 & ~(XN_FLAG_SEP_MASK | XN_FLAG_DN_REV |
                                                     ASN1_STRFLGS_ESC_MSB)) |
                                XN_FLAG_SEP_CPLUS_SPC;
    if (mem && X509_NAME_print_ex(mem, X509_CRL_get_issuer(crl), 0, flags) >= 0) {
        int n = BIO_read(mem, s, (int)size - 1);
        s[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
}

static void time_text(const ASN1_TIME *t, char *out, size_t size)
{
    if (t)
        doctor_utc_text((time_t)tool_x509_time_to_unix(t), out, size);
    else
        snprintf(out, size, "none given");
}

/* Is @p issuer the subject of a CA of --cafile / --capath (read by step 1)? */
static bool trusted_issuer(const doctor_t *d, const char *issuer)
{
    for (size_t i = 0; i < d->ca_subjects.n; i++)
        if (!strcmp(d->ca_subjects.v[i], issuer))
            return true;
    return false;
}

void doctor_crl_step1(doctor_t *d)
{
    const char *path = d->cfg.crlfile;
    X509_CRL *crls[CRLS_MAX];
    int n = path ? load_crls(path, crls) : 0;
    for (int i = 0; i < n; i++) {
        char issuer[256], last[32], next[32];
        issuer_text(crls[i], issuer, sizeof issuer);
        time_text(X509_CRL_get0_lastUpdate(crls[i]), last, sizeof last);
        time_text(X509_CRL_get0_nextUpdate(crls[i]), next, sizeof next);
        STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crls[i]);
        EVID(d, 1, "CRL file '%s': a CRL of '%s', %d certificate(s) revoked, made %s, next "
             "update %s", path, issuer, rev ? sk_X509_REVOKED_num(rev) : 0, last, next);
        /* Told, not warned: the issuer may be an intermediate the broker sends. */
        if (d->ca_subjects.n && !trusted_issuer(d, issuer))
            EVID(d, 1, "'%s' is no CA of the CA file: this CRL checks only certificates it "
                 "issued (an intermediate the broker sends, if it is one); the others are "
                 "not checked", issuer);
        const ASN1_TIME *nu = X509_CRL_get0_nextUpdate(crls[i]);
        if (nu && tool_x509_time_to_unix(nu) < (int64_t)d->now)
            doctor_add_line(&d->st[1], TOOL_CHECK_WARN, "the CRL of '%s' in '%s' is past its "
                            "next update (%s): verification will fail until a newer one is "
                            "given", issuer, path, next);
    }
    free_crls(crls, n);
}

/* The serial in hex as the TLS evidence writes it (mqtls_tls_cert_info_t::serial). */
static void serial_text(const ASN1_INTEGER *a, char *out, size_t size)
{
    const unsigned char *p = ASN1_STRING_get0_data(a);
    int len = ASN1_STRING_length(a);
    size_t used = 0;
    out[0] = '\0';
    while (len > 1 && p[0] == 0) {
        p++;
        len--;
    }
    for (int i = 0; i < len && used + 3 <= size; i++, used += 2)
        snprintf(out + used, 3, "%02X", p[i]);
}

/* Is @p serial listed in @p crl? Its revocation date into @p when. */
static bool crl_lists(X509_CRL *crl, const char *serial, char *when, size_t size)
{
    STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl);
    for (int i = 0; rev && i < sk_X509_REVOKED_num(rev); i++) {
        const X509_REVOKED *r = sk_X509_REVOKED_value(rev, i);
        char s[64];
        serial_text(X509_REVOKED_get0_serialNumber(r), s, sizeof s);
        if (!strcmp(s, serial)) {
            time_text(X509_REVOKED_get0_revocationDate(r), when, size);
            return true;
        }
    }
    return false;
}

bool doctor_crl_fact(doctor_t *d, const mqtls_tls_cert_info_t *ci)
{
    const char *path = d->cfg.crlfile;
    X509_CRL *crls[CRLS_MAX];
    int n = path && ci && ci->serial[0] ? load_crls(path, crls) : 0;
    bool found = false;
    for (int i = 0; i < n && !found; i++) {
        char when[32], issuer[256];
        if (!crl_lists(crls[i], ci->serial, when, sizeof when))
            continue;
        issuer_text(crls[i], issuer, sizeof issuer);
        tool_strlist_add(&d->cause_facts,
                         doctor_xfmt("serial %s ('%s') is listed as revoked on %s by the CRL "
                                     "of '%s' in '%s' (--crlfile)", ci->serial, ci->subject,
                                     when, issuer, path));
        found = true;
    }
    free_crls(crls, n);
    return found;
}
