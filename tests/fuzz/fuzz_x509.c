/**
 * @file fuzz_x509.c
 * @brief libFuzzer target for the credential-file code we own: kind and format detection,
 *        PEM and DER handling on OpenSSL (tools/creds/tool_x509*.c) and the views of `mqtls cert`
 *        (tools/creds/tool_cert*.c).
 *
 * The input is a credential file. Checks:
 *  - tool_credfile_parse() (no passphrase; then with one when the file holds traditionally
 *    encrypted PEM keys and no PKCS#8 encrypted one, whose PBKDF2 iteration count the input
 *    would choose): every object is described (tool_obj_describe, tool_credfile_summary), the
 *    counts agree with the objects, status agrees with why/BROKEN/err, a parsed object holds
 *    what its kind needs (an X509, an X509_REQ, a key), a DER file's object and its trailing
 *    bytes add up to the input;
 *  - each object with DER written as PEM (tool_x509_der_to_pem with tool_x509_pem_label())
 *    reads back as the same kind, form and DER (what `mqtls cert convert` relies on); a
 *    readable private key's plaintext DER (tool_obj_key_der) reads back as the same key;
 *  - on each certificate: its dates as Unix time (tool_x509_time_to_unix, our calendar
 *    arithmetic) agree with OpenSSL's own comparison (X509_cmp_time) to the second;
 *  - a file that parses cleanly also goes through `mqtls cert show` (tool_cert_main, output
 *    to /dev/null) and the checks of `mqtls cert check` (tool_cert_check, as CA file,
 *    certificate and key at once, with an AWS host name).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "creds/tool_cert.h"
#include "common/tool_util.h"
#include "creds/tool_x509.h"

#define FAIL(...)                                                                            \
    do {                                                                                     \
        fprintf(stderr, "fuzz_x509: " __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                                 \
        abort();                                                                             \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    tool_set_quiet(true);
    /* `mqtls cert show` prints its report: not wanted here. */
    if (!freopen("/dev/null", "w", stdout))
        abort();
    snprintf(tmp_path, sizeof tmp_path, "/tmp/mqtls_fuzz_x509_%ld.pem", (long)getpid());
    return 0;
}

/* ---- certificates and keys ------------------------------------------------------------------ */

/* Our Unix time of @p t is the second OpenSSL compares it as. */
static void check_time(const ASN1_TIME *t, const char *which)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return;
    }
    int64_t u = tool_x509_time_to_unix(t);
    if ((time_t)u != u)
        return;
    time_t at = (time_t)u, before = (time_t)(u - 1);
    /* X509_cmp_time: -1 when t is at or before the time given, 1 when after. */
    if (X509_cmp_time(t, &at) != -1 || X509_cmp_time(t, &before) != 1)
        FAIL("%s: %lld as Unix time, but OpenSSL compares it otherwise", which, (long long)u);
    char buf[64];
    tool_x509_format_time(u, false, buf, sizeof buf);
    tool_x509_format_time(u, true, buf, sizeof buf);
    ERR_clear_error();
}

static void check_cert(const tool_obj_t *o)
{
    if (!o->crt)
        FAIL("a certificate without its X509");
    if (o->pk_ok != (o->pk != NULL) || (o->pk_ok && X509_get0_pubkey(o->crt) == NULL))
        FAIL("a certificate's key: pk_ok %d", o->pk_ok);
    check_time(X509_get0_notBefore(o->crt), "notBefore");
    check_time(X509_get0_notAfter(o->crt), "notAfter");
    char buf[128];
    if (o->pk_ok)
        tool_x509_describe_key(o->pk, buf, sizeof buf);
    tool_x509_name(X509_get_subject_name(o->crt), buf, sizeof buf);
    if (!buf[0])
        FAIL("an empty subject in words");
}

/* A readable private key's plaintext DER reads back as the same key. */
static void check_key_der(const tool_obj_t *o)
{
    if (o->kind != TOOL_OBJ_PRIVKEY || !o->pk_ok)
        return;
    tool_blob_t der = {NULL, 0};
    tool_form_t form;
    if (tool_obj_key_der(o, &der, &form) != 0)
        return; /* a key type OpenSSL reads but cannot write in its own structure */
    tool_credfile_t g;
    tool_credfile_parse(&g, "key-der", der.p, der.len, NULL);
    if (g.n_objs != 1 || g.objs[0].kind != TOOL_OBJ_PRIVKEY || !g.objs[0].pk_ok ||
        g.objs[0].form != form || EVP_PKEY_eq(g.objs[0].pk, o->pk) != 1)
        FAIL("the key's plaintext DER (%zu bytes, form %d) reads back as %zu objects, kind %d",
             der.len, (int)form, g.n_objs, g.n_objs ? (int)g.objs[0].kind : -1);
    ERR_clear_error();
    tool_credfile_free(&g);
    tool_blob_free(&der);
}

/* ---- the file ------------------------------------------------------------------------------- */

static void check_obj(const tool_obj_t *o, size_t i)
{
    char buf[700];
    if (strnlen(o->label, sizeof o->label) == sizeof o->label ||
        strnlen(o->why, sizeof o->why) == sizeof o->why ||
        strnlen(o->enc_alg, sizeof o->enc_alg) == sizeof o->enc_alg)
        FAIL("object %zu: a string without its NUL", i);
    if (o->kind == TOOL_OBJ_BROKEN && !o->why[0])
        FAIL("object %zu is broken, without a reason", i);
    if (o->kind == TOOL_OBJ_CSR && !o->csr)
        FAIL("object %zu: a CSR without its X509_REQ", i);
    if (o->kind == TOOL_OBJ_PUBKEY && !o->pk_ok)
        FAIL("object %zu: a public key without its key", i);
    if (o->kind == TOOL_OBJ_PRIVKEY && !o->pk_ok && !o->encrypted)
        FAIL("object %zu: an unencrypted private key without its key", i);
    if (o->decrypted && (!o->encrypted || !o->pk_ok))
        FAIL("object %zu: decrypted, but encrypted %d pk_ok %d", i, o->encrypted, o->pk_ok);
    tool_obj_describe(o, buf, sizeof buf);
    if (!buf[0])
        FAIL("object %zu: an empty description", i);
    (void)tool_obj_kind_name(o->kind);
    (void)tool_x509_form_name(o->form);
    (void)tool_x509_pem_label(o->kind, o->form);
}

static void check_file(const tool_credfile_t *f, size_t size)
{
    char buf[700];
    size_t by_kind[TOOL_OBJ_BROKEN + 1] = {0};
    bool bad = f->why[0] != '\0';
    for (size_t i = 0; i < f->n_objs; i++) {
        const tool_obj_t *o = &f->objs[i];
        if ((unsigned)o->kind > TOOL_OBJ_BROKEN)
            FAIL("object %zu: kind %d", i, (int)o->kind);
        by_kind[o->kind]++;
        if (o->kind == TOOL_OBJ_BROKEN || o->err)
            bad = true;
        check_obj(o, i);
    }
    if (!bad && f->is_pem && by_kind[TOOL_OBJ_OTHER] == f->n_objs)
        bad = true; /* nothing usable in a PEM file */
    if ((f->status != TOOL_EXIT_OK) != bad)
        FAIL("status %d, but the objects say %s", f->status, bad ? "bad" : "good");
    if (!f->is_pem && f->n_objs == 1 && f->objs[0].der.len + f->trailing != size)
        FAIL("DER: an object of %zu bytes and %zu trailing, of %zu", f->objs[0].der.len,
             f->trailing, size);
    if (!f->is_pem && f->n_objs > 1)
        FAIL("DER: %zu objects", f->n_objs);
    for (int k = 0; k <= TOOL_OBJ_BROKEN; k++)
        if (tool_credfile_count(f, (tool_obj_kind_t)k) != by_kind[k] ||
            (tool_credfile_first(f, (tool_obj_kind_t)k) != NULL) != (by_kind[k] > 0))
            FAIL("count/first of kind %d disagree with the objects", k);
    tool_credfile_summary(f, buf, sizeof buf);
    if (strncmp(buf, f->is_pem ? "PEM" : "DER", 3) != 0)
        FAIL("summary '%s'", buf);
}

/* The object written as PEM reads back the same (`mqtls cert convert`). */
static void check_pem_round_trip(const tool_obj_t *o)
{
    if (o->kind == TOOL_OBJ_BROKEN || o->kind == TOOL_OBJ_OTHER || !o->der.len || o->encrypted)
        return;
    tool_blob_t pem = {NULL, 0};
    const char *label = tool_x509_pem_label(o->kind, o->form);
    if (tool_x509_der_to_pem(label, &o->der, &pem) != 0)
        FAIL("der_to_pem failed for %zu bytes of DER", o->der.len);
    if (pem.p[pem.len] != '\0')
        FAIL("der_to_pem: no NUL after the text");
    tool_credfile_t g;
    tool_credfile_parse(&g, "round-trip", pem.p, pem.len, NULL);
    if (g.n_objs != 1 || !g.is_pem)
        FAIL("'%s' written as PEM reads back as %zu objects", label, g.n_objs);
    const tool_obj_t *b = &g.objs[0];
    if (b->kind != o->kind || b->form != o->form || b->der.len != o->der.len ||
        memcmp(b->der.p, o->der.p, o->der.len) != 0 || b->pk_ok != o->pk_ok ||
        strcmp(b->label, label) != 0)
        FAIL("'%s' written as PEM reads back as kind %d form %d (was %d %d), %zu bytes (was "
             "%zu)", label, (int)b->kind, (int)b->form, (int)o->kind, (int)o->form, b->der.len,
             o->der.len);
    tool_credfile_free(&g);
    tool_blob_free(&pem);
}

static void sink(void *ctx, tool_check_kind_t kind, const char *text)
{
    (void)ctx;
    if ((unsigned)kind > TOOL_CHECK_DETAIL || !text)
        FAIL("check sink: kind %d", (int)kind);
}

/* `mqtls cert show` and `mqtls cert check` on the file. */
static void run_tools(const uint8_t *data, size_t size, bool has_cert, bool has_key)
{
    int fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
        abort();
    char a0[] = "cert", a1[] = "show", a2[] = "--at", a3[] = "2030-01-01";
    char *argv[] = {a0, a1, a2, a3, tmp_path, NULL};
    if (tool_cert_main(5, argv) != TOOL_EXIT_OK)
        FAIL("`mqtls cert show` refuses a file that parsed cleanly");

    tool_cert_check_opts_t o;
    tool_cert_check_result_t r;
    memset(&o, 0, sizeof o);
    o.cafile = has_cert ? tmp_path : NULL;
    o.certfile = o.cafile;
    o.keyfile = has_key ? tmp_path : NULL;
    o.host = "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com";
    o.now = 1900000000;
    o.at_set = true;
    o.sink = sink;
    tool_cert_check(&o, &r);
    if ((!r.files_ok || r.key_mismatch) && r.failed == 0)
        FAIL("check: files_ok %d, key_mismatch %d, but nothing failed", r.files_ok,
             r.key_mismatch);
    unlink(tmp_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    tool_credfile_t f;
    tool_credfile_parse(&f, "fuzz", data, size, NULL);
    check_file(&f, size);
    bool traditional = false, pkcs8_enc = false;
    for (size_t i = 0; i < f.n_objs; i++) {
        const tool_obj_t *o = &f.objs[i];
        if (o->kind == TOOL_OBJ_CERT)
            check_cert(o);
        check_pem_round_trip(o);
        check_key_der(o);
        traditional = traditional || (o->encrypted && strncmp(o->enc_alg, "PEM", 3) == 0);
        pkcs8_enc = pkcs8_enc || o->form == TOOL_FORM_KEY_PKCS8_ENC;
    }
    bool has_cert = tool_credfile_first(&f, TOOL_OBJ_CERT) != NULL;
    bool has_key = tool_credfile_first(&f, TOOL_OBJ_PRIVKEY) != NULL;
    bool clean = f.status == TOOL_EXIT_OK && !f.trailing && (has_cert || has_key);
    tool_credfile_free(&f);

    /* Traditional PEM encryption is cheap to try (one MD5 round); PKCS#8 is not. */
    if (traditional && !pkcs8_enc) {
        tool_credfile_parse(&f, "fuzz", data, size, "fuzz");
        check_file(&f, size);
        for (size_t i = 0; i < f.n_objs; i++) {
            check_pem_round_trip(&f.objs[i]);
            check_key_der(&f.objs[i]);
        }
        tool_credfile_free(&f);
    }
    if (clean && !pkcs8_enc)
        run_tools(data, size, has_cert, has_key);
    ERR_clear_error();
    return 0;
}
