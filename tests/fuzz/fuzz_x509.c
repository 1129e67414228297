/**
 * @file fuzz_x509.c
 * @brief libFuzzer target for the credential-file code we own: kind and format detection,
 *        PEM and DER handling (tools/tool_x509.c), the certificate views of `mqtls cert`
 *        (tools/tool_cert.c), and the X.509 extension walkers (src/transport/x509_ext.c).
 *
 * The input is a credential file. Checks:
 *  - mqtls_x509_der_kind() on the raw bytes: TRUNCATED exactly when the declared size is more
 *    than the input, a size only with a SEQUENCE;
 *  - tool_credfile_parse() (no passphrase; then with one when the file holds traditionally
 *    encrypted PEM keys and no PKCS#8 encrypted one, whose PBKDF2 iteration count the input
 *    would choose): every object is described (tool_obj_describe, tool_credfile_summary), the
 *    counts agree with the objects, status agrees with why/BROKEN/err;
 *  - each object with DER written as PEM (tool_x509_der_to_pem with tool_x509_pem_label())
 *    reads back as the same kind, form and DER (what `mqtls cert convert` relies on);
 *  - on each certificate Mbed TLS parsed: mqtls_x509_find_extension() for the standard
 *    extensions and an OID taken from the input, every result pointing inside the
 *    certificate; the subjectAltName walk (mqtls_x509_san_next) against Mbed TLS's own list
 *    of dNSNames; mqtls_x509_has_ip_san() true for every iPAddress the walk gives and equal
 *    to a plain search for an address taken from the input; the extendedKeyUsage walk against
 *    Mbed TLS's list; keyUsage against Mbed TLS's value;
 *  - a file that parses cleanly also goes through `mqtls cert show` (tool_cert_main, output
 *    to /dev/null) and the checks of `mqtls cert check` (tool_cert_check, as CA file,
 *    certificate and key at once).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509.h>

#include "x509_ext.h" /* src/tls/mbedtls: goes with the move to OpenSSL */
#include "tool_cert.h"
#include "tool_util.h"
#include "tool_x509.h"

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

static bool inside(const void *p, size_t n, const mbedtls_x509_buf *b)
{
    const unsigned char *x = p;
    return n == 0 || (x >= b->p && n <= b->len && x <= b->p + b->len - n);
}

/* ---- the certificate views ---------------------------------------------------------------- */

static void check_cert(const mbedtls_x509_crt *crt, const uint8_t *data, size_t size)
{
    static const uint8_t oid_san[] = {0x55, 0x1D, 0x11}, oid_ku[] = {0x55, 0x1D, 0x0F},
                         oid_bc[] = {0x55, 0x1D, 0x13}, oid_eku[] = {0x55, 0x1D, 0x25};
    const uint8_t *oids[4] = {oid_san, oid_ku, oid_bc, oid_eku};
    const unsigned char *val;
    size_t len;

    for (int i = 0; i < 4; i++)
        if (mqtls_x509_find_extension(crt, oids[i], 3, &val, &len) && !inside(val, len, &crt->raw))
            FAIL("find_extension: a value outside the certificate");
    /* An OID from the input (its last bytes), of any length up to 8. */
    size_t on = size ? (size_t)(data[size - 1] % 9) : 0;
    if (on > size)
        on = size;
    if (mqtls_x509_find_extension(crt, data + size - on, on, &val, &len) &&
        !inside(val, len, &crt->raw))
        FAIL("find_extension: a value outside the certificate (input OID)");

    /* subjectAltName: the walk, Mbed TLS's own list of dNSNames, the iPAddress search. */
    mqtls_x509_iter_t it = {0};
    mqtls_x509_san_t san;
    const mbedtls_x509_sequence *mb = &crt->subject_alt_names;
    bool mb_has = (crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME) != 0;
    uint8_t probe[16];
    size_t probe_len = size >= 4 && (data[0] & 1) ? 16 : 4;
    memset(probe, 0, sizeof probe);
    memcpy(probe, data, size < probe_len ? size : probe_len);
    bool probe_found = false;
    size_t n_san = 0;
    while (mqtls_x509_san_next(crt, &it, &san)) {
        if (++n_san > crt->raw.len)
            FAIL("san_next runs on");
        if (san.type < 0 || san.type > MQTLS_X509_SAN_RID || !inside(san.val, san.len, &crt->raw))
            FAIL("san_next: type %d, or a value outside the certificate", san.type);
        if (san.type == MQTLS_X509_SAN_IP) {
            if (!mqtls_x509_has_ip_san(crt, san.val, san.len))
                FAIL("has_ip_san misses an iPAddress the walk gives (%zu bytes)", san.len);
            if (san.len == probe_len && memcmp(san.val, probe, probe_len) == 0)
                probe_found = true;
        }
        if (san.type == MQTLS_X509_SAN_DNS && mb_has) {
            while (mb && mb->buf.p && (mb->buf.tag & 0x1F) != MQTLS_X509_SAN_DNS)
                mb = mb->next;
            if (!mb || !mb->buf.p || mb->buf.p != san.val || mb->buf.len != san.len)
                FAIL("san_next gives a dNSName Mbed TLS does not list there");
            mb = mb->next;
        }
    }
    if (mqtls_x509_has_ip_san(crt, probe, probe_len) != probe_found)
        FAIL("has_ip_san disagrees with the walk for an address from the input");
    if (mb_has && !it.malformed) {
        while (mb && mb->buf.p && (mb->buf.tag & 0x1F) != MQTLS_X509_SAN_DNS)
            mb = mb->next;
        if (mb && mb->buf.p)
            FAIL("Mbed TLS lists a dNSName the walk does not give");
    }

    /* extendedKeyUsage: the same OIDs as Mbed TLS's list. */
    mqtls_x509_iter_t ei = {0};
    const mbedtls_x509_sequence *me = &crt->ext_key_usage;
    bool me_has = (crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) != 0;
    const unsigned char *oid;
    size_t oid_len;
    while (mqtls_x509_eku_next(crt, &ei, &oid, &oid_len)) {
        if (!inside(oid, oid_len, &crt->raw))
            FAIL("eku_next: an OID outside the certificate");
        if (me_has) {
            if (!me || me->buf.p != oid || me->buf.len != oid_len)
                FAIL("eku_next gives an OID Mbed TLS does not list there");
            me = me->next;
        }
    }
    if (me_has && !ei.malformed && me && me->buf.p)
        FAIL("Mbed TLS lists an extendedKeyUsage the walk does not give");

    /* keyUsage: Mbed TLS's value. */
    uint32_t ku = 0;
    bool ours = mqtls_x509_key_usage(crt, &ku);
    if ((crt->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) && (!ours || ku != crt->key_usage))
        FAIL("key_usage: ours %d 0x%x, Mbed TLS 0x%x", ours, (unsigned)ku,
             (unsigned)crt->key_usage);

    bool ca;
    int path_len;
    if (mqtls_x509_basic_constraints(crt, &ca, &path_len) && path_len < -1)
        FAIL("basic_constraints: path length %d", path_len);

    char buf[128];
    tool_x509_describe_key(&crt->pk, buf, sizeof buf);
    tool_x509_format_time(tool_x509_time_to_unix(&crt->valid_from), false, buf, sizeof buf);
    tool_x509_format_time(tool_x509_time_to_unix(&crt->valid_to), true, buf, sizeof buf);
}

/* ---- the file ------------------------------------------------------------------------------- */

static void check_file(const tool_credfile_t *f)
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
        if (o->kind == TOOL_OBJ_BROKEN && !o->why[0])
            FAIL("object %zu is broken, without a reason", i);
        if (strnlen(o->label, sizeof o->label) == sizeof o->label ||
            strnlen(o->why, sizeof o->why) == sizeof o->why ||
            strnlen(o->enc_alg, sizeof o->enc_alg) == sizeof o->enc_alg)
            FAIL("object %zu: a string without its NUL", i);
        tool_obj_describe(o, buf, sizeof buf);
        if (!buf[0])
            FAIL("object %zu: an empty description", i);
        (void)tool_obj_kind_name(o->kind);
        (void)tool_x509_form_name(o->form);
        (void)tool_x509_pem_label(o->kind, o->form);
        if (o->pk_ok) {
            char k[64];
            tool_x509_describe_key(&o->pk, k, sizeof k);
        }
    }
    if (!bad && f->is_pem && by_kind[TOOL_OBJ_OTHER] == f->n_objs)
        bad = true; /* nothing usable in a PEM file */
    if ((f->status != TOOL_EXIT_OK) != bad)
        FAIL("status %d, but the objects say %s", f->status, bad ? "bad" : "good");
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
    unlink(tmp_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    size_t total = 0;
    mqtls_x509_der_kind_t k = mqtls_x509_der_kind(data, size, &total);
    if ((k == MQTLS_X509_DER_TRUNCATED) != (total > size) ||
        (k != MQTLS_X509_DER_UNKNOWN && total == 0) || (size >= 1 && data[0] != 0x30 && total))
        FAIL("der_kind %d with total %zu of %zu bytes", (int)k, total, size);

    tool_credfile_t f;
    tool_credfile_parse(&f, "fuzz", data, size, NULL);
    check_file(&f);
    bool traditional = false, pkcs8_enc = false;
    for (size_t i = 0; i < f.n_objs; i++) {
        const tool_obj_t *o = &f.objs[i];
        if (o->kind == TOOL_OBJ_CERT)
            for (const mbedtls_x509_crt *c = &o->crt; c && c->raw.p; c = c->next)
                check_cert(c, data, size);
        check_pem_round_trip(o);
        traditional = traditional || (o->encrypted && strncmp(o->enc_alg, "PEM", 3) == 0);
        pkcs8_enc = pkcs8_enc || o->form == MQTLS_X509_DER_KEY_PKCS8_ENC;
    }
    bool has_cert = tool_credfile_first(&f, TOOL_OBJ_CERT) != NULL;
    bool has_key = tool_credfile_first(&f, TOOL_OBJ_PRIVKEY) != NULL;
    bool clean = f.status == TOOL_EXIT_OK && !f.trailing && (has_cert || has_key);
    tool_credfile_free(&f);

    /* Traditional PEM encryption is cheap to try (one MD5 round); PKCS#8 is not. */
    if (traditional && !pkcs8_enc) {
        tool_credfile_parse(&f, "fuzz", data, size, "fuzz");
        check_file(&f);
        for (size_t i = 0; i < f.n_objs; i++)
            check_pem_round_trip(&f.objs[i]);
        tool_credfile_free(&f);
    }
    if (clean && !pkcs8_enc)
        run_tools(data, size, has_cert, has_key);
    return 0;
}
