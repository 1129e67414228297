/**
 * @file tool_cert_words.c
 * @brief A certificate in words (see tool_cert_words.h): everything comes from OpenSSL, the
 *        extensions through X509_get_ext_d2i() (GENERAL_NAMES, EXTENDED_KEY_USAGE, ...).
 */
#include "creds/tool_cert_words.h"

#include <arpa/inet.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "creds/tool_x509.h"

const char *tool_cert_plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

int64_t tool_cert_not_before(const X509 *crt)
{
    return tool_x509_time_to_unix(X509_get0_notBefore(crt));
}

int64_t tool_cert_not_after(const X509 *crt)
{
    return tool_x509_time_to_unix(X509_get0_notAfter(crt));
}

/** Validity against @p now in words; *state: 0 valid, 1 expired, -1 not yet valid. */
void tool_cert_validity(const X509 *crt, int64_t now, char *out, size_t size, int *state)
{
    int64_t nb = tool_cert_not_before(crt), na = tool_cert_not_after(crt);
    if (now < nb) {
        int64_t d = (nb - now + 86399) / 86400;
        snprintf(out, size, "not yet valid (starts in %lld day%s)", (long long)d, tool_cert_plural(d));
        *state = -1;
    } else if (now > na) {
        int64_t d = (now - na) / 86400;
        if (d == 0)
            snprintf(out, size, "expired less than a day ago");
        else
            snprintf(out, size, "expired %lld day%s ago", (long long)d, tool_cert_plural(d));
        *state = 1;
    } else {
        int64_t d = (na - now) / 86400;
        snprintf(out, size, "valid, %lld day%s left", (long long)d, tool_cert_plural(d));
        *state = 0;
    }
}

void tool_cert_subject(const X509 *crt, char *out, size_t size)
{
    tool_x509_name(X509_get_subject_name(crt), out, size);
}

void tool_cert_issuer(const X509 *crt, char *out, size_t size)
{
    tool_x509_name(X509_get_issuer_name(crt), out, size);
}

/* Appends an IA5String, escaping what is not printable. */
static void add_text(tool_buf_t *b, const ASN1_STRING *s)
{
    const unsigned char *p = ASN1_STRING_get0_data(s);
    int n = ASN1_STRING_length(s);
    for (int i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '\\')
            tool_buf_addc(b, (char)p[i]);
        else
            tool_buf_printf(b, "\\x%02x", p[i]);
    }
}

static void add_oid(tool_buf_t *b, const ASN1_OBJECT *oid)
{
    char num[128];
    if (OBJ_obj2txt(num, sizeof num, oid, 1) <= 0)
        snprintf(num, sizeof num, "(bad OID)");
    tool_buf_printf(b, "%s", num);
}

static void add_ip(tool_buf_t *b, const ASN1_OCTET_STRING *ip)
{
    char text[INET6_ADDRSTRLEN];
    int n = ASN1_STRING_length(ip);
    const unsigned char *p = ASN1_STRING_get0_data(ip);
    if ((n == 4 && inet_ntop(AF_INET, p, text, sizeof text)) ||
        (n == 16 && inet_ntop(AF_INET6, p, text, sizeof text)))
        tool_buf_printf(b, "IP:%s", text);
    else
        tool_buf_printf(b, "IP:(%d bytes)", n);
}

/* One GeneralName, as `openssl x509 -text` names the types. */
static void add_general_name(tool_buf_t *b, const GENERAL_NAME *g)
{
    char name[256];
    switch (g->type) {
    case GEN_DNS: tool_buf_add(b, "DNS:", 4); add_text(b, g->d.dNSName); break;
    case GEN_EMAIL: tool_buf_add(b, "email:", 6); add_text(b, g->d.rfc822Name); break;
    case GEN_URI: tool_buf_add(b, "URI:", 4); add_text(b, g->d.uniformResourceIdentifier); break;
    case GEN_IPADD: add_ip(b, g->d.iPAddress); break;
    case GEN_RID: tool_buf_add(b, "RID:", 4); add_oid(b, g->d.registeredID); break;
    case GEN_DIRNAME:
        tool_x509_name(g->d.directoryName, name, sizeof name);
        tool_buf_printf(b, "dirName:%s", name);
        break;
    case GEN_OTHERNAME:
        tool_buf_add(b, "otherName:", 10);
        add_oid(b, g->d.otherName->type_id);
        break;
    case GEN_X400: tool_buf_printf(b, "x400Address"); break;
    case GEN_EDIPARTY: tool_buf_printf(b, "ediPartyName"); break;
    default: tool_buf_printf(b, "[%d]", g->type); break;
    }
}

/** The subjectAltNames: "DNS:a, IP:127.0.0.1, email:x, URI:y"; empty when none. */
void tool_cert_san(const X509 *crt, tool_buf_t *b)
{
    int crit = -1;
    GENERAL_NAMES *names = X509_get_ext_d2i(crt, NID_subject_alt_name, &crit, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        if (i)
            tool_buf_add(b, ", ", 2);
        add_general_name(b, sk_GENERAL_NAME_value(names, i));
    }
    if (!names && crit >= 0)
        tool_buf_printf(b, "(malformed subjectAltName)");
    else if (!names && crit == -2)
        tool_buf_printf(b, "(more than one subjectAltName extension)");
    GENERAL_NAMES_free(names);
    ERR_clear_error();
}

/** The keyUsage extension: false when absent; *malformed when OpenSSL cannot read it. */
bool tool_cert_key_usage(const X509 *crt, bool bits[KU_N], bool *malformed)
{
    int crit = -1;
    ASN1_BIT_STRING *ku = X509_get_ext_d2i(crt, NID_key_usage, &crit, NULL);
    *malformed = !ku && crit != -1;
    for (int i = 0; i < KU_N; i++)
        bits[i] = ku && ASN1_BIT_STRING_get_bit(ku, i);
    ASN1_BIT_STRING_free(ku);
    ERR_clear_error();
    return ku != NULL || *malformed;
}

void tool_cert_ku_words(const bool bits[KU_N], bool malformed, tool_buf_t *b)
{
    static const char *const names[KU_N] = {
        "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
        "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
    bool first = true;
    if (malformed) {
        tool_buf_printf(b, "(malformed keyUsage)");
        return;
    }
    for (int i = 0; i < KU_N; i++)
        if (bits[i]) {
            tool_buf_printf(b, "%s%s", first ? "" : ", ", names[i]);
            first = false;
        }
    if (first)
        tool_buf_printf(b, "(none set)");
}

/** The name of a KeyPurposeId; *client when it allows TLS client authentication. */
static void eku_name(tool_buf_t *b, const ASN1_OBJECT *oid, bool *client)
{
    static const struct {
        int nid;
        const char *name;
    } known[] = {
        {NID_server_auth, "serverAuth"},     {NID_client_auth, "clientAuth"},
        {NID_code_sign, "codeSigning"},      {NID_email_protect, "emailProtection"},
        {NID_time_stamp, "timeStamping"},    {NID_OCSP_sign, "OCSPSigning"},
        {NID_anyExtendedKeyUsage, "anyExtendedKeyUsage"},
    };
    int nid = OBJ_obj2nid(oid);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (nid == known[i].nid) {
            tool_buf_printf(b, "%s", known[i].name);
            *client = *client || nid == NID_client_auth || nid == NID_anyExtendedKeyUsage;
            return;
        }
    add_oid(b, oid);
}

/**
 * The extendedKeyUsage in words. @return false when the certificate has none; *client:
 * whether it allows TLS client authentication (clientAuth or anyExtendedKeyUsage).
 */
bool tool_cert_eku_words(const X509 *crt, tool_buf_t *b, bool *client)
{
    int crit = -1;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(crt, NID_ext_key_usage, &crit, NULL);
    *client = false;
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
        tool_buf_printf(b, "%s", i ? ", " : "");
        eku_name(b, sk_ASN1_OBJECT_value(eku, i), client);
    }
    bool any = eku != NULL;
    if (!eku && crit != -1)
        tool_buf_printf(b, "(malformed extendedKeyUsage)");
    else if (eku && sk_ASN1_OBJECT_num(eku) == 0)
        tool_buf_printf(b, "(empty)");
    EXTENDED_KEY_USAGE_free(eku);
    ERR_clear_error();
    return any || crit != -1;
}

void tool_cert_bc_words(const X509 *crt, char *out, size_t size, bool *is_ca)
{
    int crit = -1;
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(crt, NID_basic_constraints, &crit, NULL);
    *is_ca = bc && bc->ca;
    if (!bc && crit != -1)
        snprintf(out, size, "malformed (not a CA)");
    else if (!bc)
        snprintf(out, size, "absent (not a CA)");
    else if (!bc->ca)
        snprintf(out, size, "CA:FALSE");
    else if (!bc->pathlen)
        snprintf(out, size, "CA:TRUE, path length unlimited");
    else
        snprintf(out, size, "CA:TRUE, path length %ld", ASN1_INTEGER_get(bc->pathlen));
    BASIC_CONSTRAINTS_free(bc);
    ERR_clear_error();
}

