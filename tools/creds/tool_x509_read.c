/**
 * @file tool_x509_read.c
 * @brief Reading a credential file (see tool_x509.h): PEM or DER told by content.
 *
 * A credential file is told apart by content, as the TLS transport does: PEM when it holds
 * "-----BEGIN", DER otherwise. Each PEM block is decoded on its own by OpenSSL's PEM reader
 * (so a bundle with one bad certificate says which); a DER file is one object, whose kind
 * tool_x509_obj.c finds. A file that is neither says what it looks like instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "common/tool_util.h"
#include "creds/tool_x509.h"
#include "creds/tool_x509_internal.h"

/* Credential files are small; this bounds what is read (and stops /dev/zero). */
#define CRED_FILE_MAX (16u * 1024u * 1024u)

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

static tool_obj_t *add_obj(tool_credfile_t *f)
{
    f->objs = tool_xrealloc(f->objs, (f->n_objs + 1) * sizeof *f->objs);
    tool_obj_t *o = &f->objs[f->n_objs++];
    memset(o, 0, sizeof *o);
    return o;
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
        tool_obj_set_broken(o, "the PEM %s block (line %u) does not decode: %s", label, o->line,
                   tool_x509_ossl_error(e, sizeof e));
    } else if (o->kind == TOOL_OBJ_PRIVKEY && strstr(header, "Proc-Type: 4,ENCRYPTED")) {
        tool_obj_pem_encrypted(o, header, data, len, pass);
    } else {
        tool_blob_set(&o->der, data, (size_t)len);
        tool_obj_parse_der(o, pass);
        if (o->kind == TOOL_OBJ_PRIVKEY && !strcmp(label, "ENCRYPTED PRIVATE KEY") &&
            o->form != TOOL_FORM_KEY_PKCS8_ENC)
            tool_obj_set_broken(o, "the PEM ENCRYPTED PRIVATE KEY block (line %u) holds a key that is "
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
            tool_obj_set_broken(o, "a '-----BEGIN' at line %u without a label and closing '-----'",
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
            tool_obj_set_broken(o, "the PEM %s block at line %u has no '%s' line: the file is cut "
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
    size_t n = f->raw.len;
    char start[120], e[200];
    der_shape_t s = tool_obj_der_shape(p, n);
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
    if (!tool_obj_classify_der(&probe, pass, e, sizeof e)) {
        if (tool_obj_is_crl(&probe))
            snprintf(f->why, sizeof f->why, "a certificate revocation list (X.509 CRL), not a "
                     "certificate, key or CSR: not used by mqtls");
        else
            snprintf(f->why, sizeof f->why, "not a certificate, key or CSR: a DER SEQUENCE of %zu "
                     "bytes that none of OpenSSL's parsers takes (as a certificate: %s)%s",
                     s.total, e, guess_hint(p, n));
        ERR_clear_error();
        tool_obj_free(&probe);
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
        tool_obj_free(&f->objs[i]);
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
