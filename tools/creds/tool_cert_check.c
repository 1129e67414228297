/**
 * @file tool_cert_check.c
 * @brief `mqtls cert check` and the doctor's credential checks (tool_cert_check(), see
 *        tool_cert.h): each file, the key pair, dates, key sizes, usages; the chain and
 *        --host in tool_cert_chain.c and tool_cert_host.c. Each line goes to a sink as it
 *        comes, with its evidence after it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <mqtls/transport_tls.h>

#include "common/tool_util.h"
#include "creds/tool_cert_internal.h"
#include "creds/tool_cert_words.h"
#include "creds/tool_check_internal.h"

/* A clock before this (2020-01-01) is taken as unset. */
#define CLOCK_SANE 1577836800LL

static void emit(check_t *c, tool_check_kind_t kind, const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    c->sink(c->ctx, kind, line);
}

void tool_check_mark(check_t *c, int kind, const char *fmt, ...)
                     {
                     va_list ap;
    va_start(ap, fmt);
    emit(c, (tool_check_kind_t)kind, fmt, ap);
    va_end(ap);
    if (kind == CK_OK)
        c->passed++;
    else if (kind == CK_FAIL)
        c->failed++;
    else
        c->warned++;
}

void tool_check_evid(check_t *c, const char *fmt, ...)
                     {
                     va_list ap;
    va_start(ap, fmt);
    emit(c, TOOL_CHECK_DETAIL, fmt, ap);
    va_end(ap);
}

/* `cert check` prints each line as it comes: "✓ text", "    evidence". */
static void print_sink(void *ctx, tool_check_kind_t kind, const char *text)
{
    (void)ctx;
    switch (kind) {
    case TOOL_CHECK_OK: printf(MARK_OK " %s\n", text); break;
    case TOOL_CHECK_FAIL: printf(MARK_FAIL " %s\n", text); break;
    case TOOL_CHECK_WARN: printf(MARK_WARN " %s\n", text); break;
    default: printf("    %s\n", text); break;
    }
}

/* Loads a file for `check` and prints whether it gives what its role needs. */
static bool check_load(check_t *c, tool_credfile_t *f, const char *path, const char *role,
                       tool_obj_kind_t want, const char *pass)
{
    char sum[200], d[600], s1[256], s2[256];
    tool_credfile_load(f, path, pass);
    if (!f->read_ok || f->why[0]) {
        tool_check_mark(c, CK_FAIL, "%s '%s': %s", role, path, f->why);
        for (size_t i = 0; i < f->n_objs; i++)
            if (f->objs[i].kind == TOOL_OBJ_BROKEN)
                tool_check_evid(c, "%s", f->objs[i].why);
        return false;
    }
    tool_credfile_summary(f, sum, sizeof sum);
    bool broken = false;
    for (size_t i = 0; i < f->n_objs; i++)
        broken = broken || f->objs[i].kind == TOOL_OBJ_BROKEN;
    if (broken) {
        tool_check_mark(c, CK_FAIL, "%s '%s' does not parse: %s", role, path, sum);
        for (size_t i = 0; i < f->n_objs; i++)
            if (f->objs[i].kind == TOOL_OBJ_BROKEN)
                tool_check_evid(c, "%s", f->objs[i].why);
        return false;
    }
    const tool_obj_t *o = tool_credfile_first(f, want);
    if (!o) {
        tool_check_mark(c, CK_FAIL, "%s '%s' holds no %s: it is %s", role, path, tool_obj_kind_name(want), sum);
        if (want == TOOL_OBJ_CERT && tool_credfile_first(f, TOOL_OBJ_PRIVKEY))
            tool_check_evid(c, "it is a private key: are --cert and --key swapped?");
        else if (want == TOOL_OBJ_PRIVKEY && tool_credfile_first(f, TOOL_OBJ_CERT))
            tool_check_evid(c, "it is a certificate: are --cert and --key swapped?");
        else if (want == TOOL_OBJ_CERT && tool_credfile_first(f, TOOL_OBJ_CSR))
            tool_check_evid(c, "a CSR is a request for a certificate: send it to the CA and use the "
                            "certificate it returns");
        return false;
    }
    if (want == TOOL_OBJ_PRIVKEY && o->encrypted && !o->decrypted) {
        if (o->err)
            tool_check_mark(c, CK_FAIL, "%s '%s' (%s, %s): %s", role, path, sum, tool_obj_describe(o, d, sizeof d),
                            o->why);
        else
            tool_check_mark(c, CK_FAIL, "%s '%s' is encrypted (%s): give its passphrase with --keypass or "
                            "MQTLS_KEYPASS", role, path, o->enc_alg);
        return false;
    }
    tool_check_mark(c, CK_OK, "%s '%s': %s", role, path, sum);
    size_t k = 0, n_certs = tool_credfile_count(f, TOOL_OBJ_CERT);
    for (size_t i = 0; i < f->n_objs; i++) {
        const tool_obj_t *x = &f->objs[i];
        if (x->kind == TOOL_OBJ_CERT) {
            char num[24] = "";
            if (n_certs > 1)
                snprintf(num, sizeof num, "[%zu] ", ++k);
            tool_cert_subject(x->crt, s1, sizeof s1);
            tool_cert_issuer(x->crt, s2, sizeof s2);
            tool_check_evid(c, "%s%s (issuer %s)", num, s1, s2);
        } else if (x->kind == TOOL_OBJ_OTHER) {
            tool_check_evid(c, "%s", x->why);
        } else {
            tool_check_evid(c, "%s", tool_obj_describe(x, d, sizeof d));
        }
    }
    return true;
}

static const char *ext_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

static bool ext_is(const char *ext, const char *want)
{
    return strcasecmp(ext, want) == 0;
}

/* Names that suggest another format or kind than the content. */
static void check_name(check_t *c, const tool_credfile_t *f)
{
    if (!f->read_ok || f->why[0])
        return;
    const char *ext = ext_of(f->path);
    bool has_cert = tool_credfile_first(f, TOOL_OBJ_CERT) != NULL;
    bool has_key = tool_credfile_first(f, TOOL_OBJ_PRIVKEY) != NULL;
    const char *why = "mqtls tells the format by content and reads it, but other tools (mosquitto, "
                      "openssl without -inform, device SDKs) go by the name or want one format";
    if (ext_is(ext, "pem") && !f->is_pem) {
        tool_check_mark(c, CK_WARN, "'%s' is named .pem but holds DER", f->path);
        tool_check_evid(c, "%s", why);
    } else if (ext_is(ext, "der") && f->is_pem) {
        tool_check_mark(c, CK_WARN, "'%s' is named .der but holds PEM", f->path);
        tool_check_evid(c, "%s", why);
    }
    if ((ext_is(ext, "crt") || ext_is(ext, "cer") || ext_is(ext, "cert")) && !has_cert && has_key)
        tool_check_mark(c, CK_WARN, "'%s' is named like a certificate (.%s) but holds a private key", f->path,
                        ext);
    else if (ext_is(ext, "key") && !has_key && has_cert)
        tool_check_mark(c, CK_WARN, "'%s' is named like a key (.key) but holds a certificate", f->path);
    else if (ext_is(ext, "csr") && !tool_credfile_first(f, TOOL_OBJ_CSR))
        tool_check_mark(c, CK_WARN, "'%s' is named like a CSR (.csr) but holds none", f->path);
}

/* Returns 0 valid, 1 expired, -1 not yet valid. */
static int check_dates_of(check_t *c, const X509 *crt, const char *what, int64_t now)
{
    char s[256], v[80], nb[40], na[40];
    int state;
    tool_cert_subject(crt, s, sizeof s);
    tool_cert_validity(crt, now, v, sizeof v, &state);
    tool_x509_format_time(tool_cert_not_before(crt), false, nb, sizeof nb);
    tool_x509_format_time(tool_cert_not_after(crt), false, na, sizeof na);
    tool_check_mark(c, state == 0 ? CK_OK : CK_FAIL, "%s %s: %s", what, s, v);
    tool_check_evid(c, "valid from %s to %s", nb, na);
    return state;
}

/* Returns whether the key is too small (RSA below 2048 bits). */
static bool check_key_size(check_t *c, const EVP_PKEY *pk, const char *what, bool print_ok)
{
    char k[64];
    if (!pk)
        return false;
    tool_x509_describe_key(pk, k, sizeof k);
    if (tool_x509_rsa_below_2048(pk)) {
        tool_check_mark(c, CK_FAIL, "%s: %s, below 2048 bits", what, k);
        tool_check_evid(c, "AWS IoT refuses RSA keys under 2048 bits; OpenSSL at Debian's default security "
                        "level and Mbed TLS's default profile reject them when verifying");
        return true;
    }
    if (print_ok)
        tool_check_mark(c, CK_OK, "%s: %s", what, k);
    return false;
}

static void check_usage(check_t *c, const X509 *crt, tool_cert_check_result_t *r)
{
    tool_buf_t b = {NULL, 0, 0};
    bool client;
    if (!tool_cert_eku_words(crt, &b, &client)) {
        tool_check_mark(c, CK_OK, "extended key usage: none, so any use (client authentication included)");
    } else if (client) {
        tool_check_mark(c, CK_OK, "extended key usage allows TLS client authentication");
        tool_check_evid(c, "extendedKeyUsage: %s", b.p);
    } else {
        r->no_client_auth = true;
        tool_check_mark(c, CK_FAIL, "extended key usage does not allow TLS client authentication");
        tool_check_evid(c, "extendedKeyUsage: %s (clientAuth is missing: brokers refuse it as a client "
                        "certificate)", b.p);
    }
    b.len = 0;
    bool ku[KU_N], malformed;
    if (tool_cert_key_usage(crt, ku, &malformed)) {
        tool_cert_ku_words(ku, malformed, &b);
        if (ku[KU_DIGSIG] || ku[KU_KEYAGREE]) {
            tool_check_mark(c, CK_OK, "key usage allows signing the TLS handshake");
        } else {
            r->no_digital_signature = true;
            tool_check_mark(c, CK_FAIL, "key usage does not allow digitalSignature");
            tool_check_evid(c, "a client certificate's key signs the handshake (CertificateVerify): brokers "
                            "refuse it");
        }
        tool_check_evid(c, "keyUsage: %s", b.p);
    }
    tool_buf_free(&b);
    bool is_ca;
    char bc[80];
    tool_cert_bc_words(crt, bc, sizeof bc, &is_ca);
    if (is_ca)
        tool_check_mark(c, CK_WARN, "the certificate is a CA certificate (%s), not an end-entity one", bc);
}

/* The key belongs to the certificate: OpenSSL compares the public halves. */
static bool check_pair(check_t *c, const tool_obj_t *leaf, const tool_obj_t *key)
{
    char h1[65] = "", h2[65] = "", k1[64] = "?", k2[64] = "?";
    if (leaf->pk_ok) {
        tool_x509_pubkey_sha256(leaf->pk, h1);
        tool_x509_describe_key(leaf->pk, k1, sizeof k1);
    }
    tool_x509_pubkey_sha256(key->pk, h2);
    tool_x509_describe_key(key->pk, k2, sizeof k2);
    bool same = leaf->pk_ok && EVP_PKEY_eq(leaf->pk, key->pk) == 1;
    ERR_clear_error();
    if (same) {
        tool_check_mark(c, CK_OK, "the private key belongs to the certificate");
        tool_check_evid(c, "public key %s, sha256 %s", k1, h1);
        return true;
    }
    tool_check_mark(c, CK_FAIL, "the private key does not belong to the certificate");
    tool_check_evid(c, "the certificate's public key: %s, sha256 %s", k1, h1);
    tool_check_evid(c, "the private key's public key: %s, sha256 %s", k2, h2);
    return false;
}

/* The three files of a check as loaded (one not given stays empty, its _ok false). */
typedef struct check_files {
    tool_credfile_t ca, cert, key;
    bool ca_ok, cert_ok, key_ok;
    const tool_obj_t *leaf; /* the certificate (the first of --cert), NULL when unusable */
    const tool_obj_t *pk;   /* the private key, NULL when unusable */
} check_files_t;

/* A clock before 2020 makes every certificate look not yet valid: said first. */
static void check_clock(check_t *c, const tool_cert_check_opts_t *o, tool_cert_check_result_t *r)
{
    if (o->now >= CLOCK_SANE)
        return;
    char t[40];
    tool_x509_format_time(o->now, false, t, sizeof t);
    r->clock_unset = true;
    tool_check_mark(c, CK_WARN, "the %s says %s: it looks unset (before 2020)", o->at_set ? "date given "
                    "with --at" : "local clock", t);
    tool_check_evid(c, "every certificate then looks not yet valid; a device needs a set clock (NTP/SNTP) "
                    "for TLS too");
}

/* Each file given: it is read, holds what its role needs, and is named like what it holds. */
static void check_files(check_t *c, const tool_cert_check_opts_t *o, check_files_t *f,
                        tool_cert_check_result_t *r)
{
    if (o->cafile)
        f->ca_ok = check_load(c, &f->ca, o->cafile, "CA file", TOOL_OBJ_CERT, NULL);
    if (o->certfile)
        f->cert_ok = check_load(c, &f->cert, o->certfile, "certificate", TOOL_OBJ_CERT, NULL);
    if (o->keyfile)
        f->key_ok = check_load(c, &f->key, o->keyfile, "private key", TOOL_OBJ_PRIVKEY, o->pass);
    r->files_ok = (!o->cafile || f->ca_ok) && (!o->certfile || f->cert_ok) &&
                  (!o->keyfile || f->key_ok);
    if (o->cafile)
        check_name(c, &f->ca);
    if (o->certfile)
        check_name(c, &f->cert);
    if (o->keyfile)
        check_name(c, &f->key);
    /* One file holding the other's kind (both: swapped), for the doctor's findings. */
    r->cert_is_key = o->certfile && f->cert.read_ok && !tool_credfile_first(&f->cert, TOOL_OBJ_CERT) &&
                     tool_credfile_first(&f->cert, TOOL_OBJ_PRIVKEY);
    r->key_is_cert = o->keyfile && f->key.read_ok && !tool_credfile_first(&f->key, TOOL_OBJ_PRIVKEY) &&
                     tool_credfile_first(&f->key, TOOL_OBJ_CERT);
    f->leaf = f->cert_ok ? tool_credfile_first(&f->cert, TOOL_OBJ_CERT) : NULL;
    f->pk = f->key_ok ? tool_credfile_first(&f->key, TOOL_OBJ_PRIVKEY) : NULL;
}

/* Dates: the certificate (and its chain) and each CA certificate. */
static void check_dates(check_t *c, const check_files_t *f, int64_t now,
                        tool_cert_check_result_t *r)
{
    for (size_t i = 0; f->cert_ok && i < f->cert.n_objs; i++)
        if (f->cert.objs[i].kind == TOOL_OBJ_CERT) {
            bool is_leaf = &f->cert.objs[i] == f->leaf;
            int state = check_dates_of(c, f->cert.objs[i].crt,
                                       is_leaf ? "certificate" : "chain certificate", now);
            if (is_leaf && state)
                r->cert_flags = state > 0 ? MQTLS_TLS_BAD_EXPIRED : MQTLS_TLS_BAD_FUTURE;
        }
    for (size_t i = 0; f->ca_ok && i < f->ca.n_objs; i++)
        if (f->ca.objs[i].kind == TOOL_OBJ_CERT)
            check_dates_of(c, f->ca.objs[i].crt, "CA", now);
}

/* Key sizes: the certificate's (or the private key's, without one), then its chain's. */
static void check_key_sizes(check_t *c, const check_files_t *f, tool_cert_check_result_t *r)
{
    if (f->leaf)
        r->key_too_small = check_key_size(c, f->leaf->pk, "certificate key", true);
    else if (f->pk)
        r->key_too_small = check_key_size(c, f->pk->pk, "private key", true);
    for (size_t i = 0; f->cert_ok && i < f->cert.n_objs; i++)
        if (f->cert.objs[i].kind == TOOL_OBJ_CERT && &f->cert.objs[i] != f->leaf)
            check_key_size(c, f->cert.objs[i].pk, "chain certificate key", false);
}

/* The CA file: each certificate's key size and CA flag, and no private key in it. */
static void check_ca_file(check_t *c, const check_files_t *f, const char *cafile)
{
    for (size_t i = 0; f->ca_ok && i < f->ca.n_objs; i++) {
        const tool_obj_t *x = &f->ca.objs[i];
        char s[256], what[300];
        bool is_ca;
        if (x->kind != TOOL_OBJ_CERT)
            continue;
        tool_cert_subject(x->crt, s, sizeof s);
        snprintf(what, sizeof what, "CA %s key", s);
        check_key_size(c, x->pk, what, false);
        tool_cert_bc_words(x->crt, what, sizeof what, &is_ca);
        if (!is_ca) {
            tool_check_mark(c, CK_WARN, "'%s' in the CA file is not a CA certificate (basicConstraints: %s)",
                            s, what);
            tool_check_evid(c, "TLS libraries trust it only for itself, not as the issuer of other "
                            "certificates");
        }
    }
    if (f->ca_ok && tool_credfile_first(&f->ca, TOOL_OBJ_PRIVKEY))
        tool_check_mark(c, CK_WARN, "the CA file '%s' also holds a private key: a CA's key does not belong "
                        "with a client", cafile);
}

void tool_cert_check(const tool_cert_check_opts_t *o, tool_cert_check_result_t *r)
{
    check_t cc = {0, 0, 0, o->sink ? o->sink : print_sink, o->ctx, o->chain_warn_only};
    check_t *c = &cc;
    check_files_t f;
    memset(r, 0, sizeof *r);
    memset(&f, 0, sizeof f);

    check_clock(c, o, r);
    check_files(c, o, &f, r);
    if (f.leaf && f.pk)
        r->key_mismatch = !check_pair(c, f.leaf, f.pk);
    if (f.leaf && f.ca_ok)
        r->chain_ok = tool_cert_check_chain(c, f.leaf->crt, &f.cert, &f.ca);
    check_dates(c, &f, o->now, r);
    check_key_sizes(c, &f, r);
    check_ca_file(c, &f, o->cafile);
    if (f.leaf)
        check_usage(c, f.leaf->crt, r);
    if (o->host && f.leaf)
        tool_cert_check_host_names(c, f.leaf->crt, o->host);
    if (o->host)
        tool_cert_check_host(c, o->host, o->cafile ? &f.ca : NULL);

    r->passed = c->passed;
    r->failed = c->failed;
    r->warned = c->warned;
    tool_credfile_free(&f.ca);
    tool_credfile_free(&f.cert);
    tool_credfile_free(&f.key);
}
