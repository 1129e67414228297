/**
 * @file tool_cert_show.c
 * @brief `mqtls cert show`: what a credential file holds, each certificate, CSR and key in
 *        detail (see tool_cert.h, docs/cli.md).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/tool_util.h"
#include "creds/tool_cert_internal.h"
#include "creds/tool_cert_words.h"
#include "creds/tool_x509.h"

/* Who refuses an RSA key below 2048 bits. */
#define WEAK_RSA_WHO                                                                           \
    "refused by AWS IoT, by OpenSSL at Debian's default security level and by Mbed TLS's "    \
    "default profile"

/* ---- words only show uses ---------------------------------------------------------------- */

/** Issuer == subject and the signature verifies with its own key. */
static bool self_signed(const X509 *crt, bool *same_name)
{
    *same_name = X509_NAME_cmp(X509_get_subject_name(crt), X509_get_issuer_name(crt)) == 0;
    if (!*same_name)
        return false;
    EVP_PKEY *pk = X509_get0_pubkey(crt);
    bool ok = pk && X509_verify((X509 *)crt, pk) == 1;
    ERR_clear_error();
    return ok;
}

/** A key identifier as colon-separated hex ("" when absent). */
static void key_id(const ASN1_OCTET_STRING *id, char *out, size_t size)
{
    size_t k = 0;
    int n = id ? ASN1_STRING_length(id) : 0;
    const unsigned char *p = id ? ASN1_STRING_get0_data(id) : NULL;
    out[0] = '\0';
    for (int i = 0; i < n && k + 4 < size; i++)
        k += (size_t)snprintf(out + k, size - k, "%s%02X", i ? ":" : "", p[i]);
}

/** The serial number as colon-separated hex bytes, as the tool has printed it (OpenSSL
 *  keeps its magnitude, without DER's sign byte; a negative one is marked). */
static void serial_words(const X509 *crt, char *out, size_t size)
{
    const ASN1_INTEGER *sn = X509_get0_serialNumber(crt);
    const unsigned char *p = ASN1_STRING_get0_data(sn);
    int n = ASN1_STRING_length(sn);
    size_t k = (size_t)snprintf(out, size, "%s", ASN1_STRING_type(sn) == V_ASN1_NEG_INTEGER
                                                    ? "-" : "");
    if (n <= 0 || !p)
        snprintf(out + k, size - k, "00");
    for (int i = 0; i < n && p && k + 4 < size; i++)
        k += (size_t)snprintf(out + k, size - k, "%s%02X", i ? ":" : "", p[i]);
    if (n > 0 && k + 4 >= size)
        snprintf(out + size - 5, 5, "...");
}

/* ---- show ----------------------------------------------------------------------------------- */

static void field(const char *indent, const char *label, const char *value)
{
    printf("%s%-19s %s\n", indent, label, value);
}

static void show_names(const X509 *crt, const char *in)
{
    char buf[512];
    tool_buf_t b = {NULL, 0, 0};
    tool_cert_san(crt, &b);
    field(in, "subject-alt-name:", b.len ? b.p : "(none)");
    b.len = 0;
    bool ku[KU_N], malformed;
    if (tool_cert_key_usage(crt, ku, &malformed)) {
        tool_cert_ku_words(ku, malformed, &b);
        field(in, "key-usage:", b.p);
    } else {
        field(in, "key-usage:", "(none: any)");
    }
    b.len = 0;
    bool client;
    if (tool_cert_eku_words(crt, &b, &client))
        field(in, "ext-key-usage:", b.p);
    else
        field(in, "ext-key-usage:", "(none: any)");
    tool_buf_free(&b);
    bool is_ca;
    tool_cert_bc_words(crt, buf, sizeof buf, &is_ca);
    field(in, "basic-constraints:", buf);
    ASN1_OCTET_STRING *ski = X509_get_ext_d2i(crt, NID_subject_key_identifier, NULL, NULL);
    AUTHORITY_KEYID *aki = X509_get_ext_d2i(crt, NID_authority_key_identifier, NULL, NULL);
    key_id(ski, buf, sizeof buf);
    if (buf[0])
        field(in, "subject-key-id:", buf);
    key_id(aki ? aki->keyid : NULL, buf, sizeof buf);
    if (buf[0])
        field(in, "authority-key-id:", buf);
    ASN1_OCTET_STRING_free(ski);
    AUTHORITY_KEYID_free(aki);
    ERR_clear_error();
}

static void show_cert(const tool_obj_t *o, int64_t now, const char *in)
{
    const X509 *crt = o->crt;
    char buf[512], hex[65];
    int state;
    bool same_name;

    tool_cert_subject(crt, buf, sizeof buf);
    field(in, "subject:", buf);
    tool_cert_issuer(crt, buf, sizeof buf);
    field(in, "issuer:", buf);
    serial_words(crt, buf, sizeof buf);
    field(in, "serial:", buf);
    tool_x509_format_time(tool_cert_not_before(crt), false, buf, sizeof buf);
    field(in, "not-before:", buf);
    tool_x509_format_time(tool_cert_not_after(crt), false, buf, sizeof buf);
    field(in, "not-after:", buf);
    tool_cert_validity(crt, now, buf, sizeof buf, &state);
    field(in, "validity:", buf);
    if (o->pk_ok) {
        tool_x509_describe_key(o->pk, buf, sizeof buf);
        if (tool_x509_rsa_below_2048(o->pk))
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " (below 2048 bits: %s)",
                     WEAK_RSA_WHO);
    } else {
        snprintf(buf, sizeof buf, "(a key OpenSSL cannot read)");
    }
    field(in, "key:", buf);
    show_names(crt, in);
    bool ss = self_signed(crt, &same_name);
    field(in, "self-signed:", ss ? "yes"
                              : same_name ? "no (issuer = subject, but its own key does not "
                                            "verify the signature)"
                                          : "no");
    if (o->pk_ok) {
        tool_x509_pubkey_sha256(o->pk, hex);
        field(in, "public-key-sha256:", hex);
    }
    tool_x509_sha256_hex(o->der.p, o->der.len, hex);
    snprintf(buf, sizeof buf, "%s (SHA-256 of the DER: the AWS IoT certificate id)", hex);
    field(in, "certificate-id:", buf);
}

static void show_csr(const tool_obj_t *o, const char *in)
{
    char buf[512], hex[65];
    tool_x509_name(X509_REQ_get_subject_name(o->csr), buf, sizeof buf);
    field(in, "subject:", buf);
    if (!o->pk_ok) {
        field(in, "key:", "(a key OpenSSL cannot read)");
        return;
    }
    tool_x509_describe_key(o->pk, buf, sizeof buf);
    field(in, "key:", buf);
    tool_x509_pubkey_sha256(o->pk, hex);
    field(in, "public-key-sha256:", hex);
}

static void show_key(const tool_obj_t *o, const char *in, bool have_pass)
{
    char buf[600], hex[65];
    field(in, "type:", tool_obj_describe(o, buf, sizeof buf));
    if (o->decrypted)
        snprintf(buf, sizeof buf, "yes (%s), opened with the passphrase given", o->enc_alg);
    else if (o->encrypted && !o->err)
        snprintf(buf, sizeof buf, "yes (%s): needs a passphrase (--passin or MQTLS_KEYPASS)",
                 o->enc_alg);
    else if (o->encrypted)
        snprintf(buf, sizeof buf, "yes (%s): %s", o->enc_alg, o->why);
    else
        snprintf(buf, sizeof buf, "no%s", have_pass && o->kind == TOOL_OBJ_PRIVKEY
                                               ? " (the passphrase given is not needed)"
                                               : "");
    if (o->kind == TOOL_OBJ_PRIVKEY)
        field(in, "encrypted:", buf);
    if (o->pk_ok) {
        if (tool_x509_rsa_below_2048(o->pk)) {
            snprintf(buf, sizeof buf, "RSA below 2048 bits: %s", WEAK_RSA_WHO);
            field(in, "warning:", buf);
        }
        tool_x509_pubkey_sha256(o->pk, hex);
        field(in, "public-key-sha256:", hex);
    }
}

/* Blank lines between the files shown. */
static bool shown_any;

static void file_header(const char *path, const char *summary)
{
    if (shown_any)
        putchar('\n');
    shown_any = true;
    printf("%s: %s\n", path, summary);
}

int tool_cert_show_file(const char *path, const char *pass, int64_t now)
{
    tool_credfile_t f;
    char buf[600];
    tool_credfile_load(&f, path, pass);
    if (!f.read_ok || f.why[0]) {
        tool_usage_err("'%s': %s", path, f.why);
        if (f.n_objs) /* a PEM file with only unusable blocks: list them */
            file_header(path, tool_credfile_summary(&f, buf, sizeof buf));
    } else {
        file_header(path, tool_credfile_summary(&f, buf, sizeof buf));
    }
    for (size_t i = 0; i < f.n_objs; i++) {
        const tool_obj_t *o = &f.objs[i];
        const char *in = "  ";
        if (f.n_objs > 1) {
            in = "      ";
            char where[32] = "";
            if (o->line)
                snprintf(where, sizeof where, " (line %u)", o->line);
            printf("  [%zu/%zu] %s%s\n", i + 1, f.n_objs, tool_obj_describe(o, buf, sizeof buf),
                   where);
        }
        switch (o->kind) {
        case TOOL_OBJ_CERT:
            show_cert(o, now, in);
            break;
        case TOOL_OBJ_CSR:
            if (f.n_objs == 1)
                field(in, "type:", "certificate signing request (CSR)");
            show_csr(o, in);
            break;
        case TOOL_OBJ_PRIVKEY:
        case TOOL_OBJ_PUBKEY:
            show_key(o, in, pass != NULL);
            if (o->err)
                tool_usage_err("'%s': %s", path, o->why);
            break;
        case TOOL_OBJ_OTHER:
            field(in, "note:", o->why);
            break;
        case TOOL_OBJ_BROKEN:
            field(in, "error:", o->why);
            tool_usage_err("'%s': %s", path, o->why);
            break;
        }
    }
    if (f.trailing)
        tool_warn("'%s': %zu byte%s after the DER object (ignored by the TLS libraries too)", path, f.trailing,
                  tool_cert_plural((int64_t)f.trailing));
    int rc = f.status;
    tool_credfile_free(&f);
    return rc;
}
