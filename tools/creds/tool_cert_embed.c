/**
 * @file tool_cert_embed.c
 * @brief `mqtls cert embed`: credential files as C arrays (BASENAME.h and BASENAME.c) for
 *        mqtls_tls_cfg_t's ca_mem, cert_mem and key_mem (see tool_cert.h, docs/cli.md).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/tool_util.h"
#include "creds/tool_cert_internal.h"
#include "creds/tool_cert_words.h"
#include "creds/tool_x509.h"

typedef struct embed_item {
    const char *path;
    char *ident;        /* PREFIX_stem */
    tool_blob_t data;   /* the bytes embedded */
    char what[800];     /* "PEM certificate CN=..." */
    char file_sha[65];  /* of the source file */
    char cert_id[65];   /* of the (first) certificate, "" if none */
    bool secret;
} embed_item_t;

/* Text safe inside a C comment: printable, and no star (so no comment end). */
static void comment_safe(const char *s, char *out, size_t size)
{
    size_t k = 0;
    for (; *s && k + 1 < size; s++)
        out[k++] = (*s >= 0x20 && *s < 0x7F && *s != '*') ? *s : '?';
    out[k] = '\0';
}

/* PREFIX_ and the file name without directory and last extension, made identifier-safe. */
char *tool_cert_embed_ident(const char *prefix, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t pl = strlen(prefix);
    char *id = tool_xmalloc(pl + 1 + n + 1);
    memcpy(id, prefix, pl);
    id[pl] = '_';
    for (size_t i = 0; i < n; i++) {
        char ch = base[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        id[pl + 1 + i] = ok ? ch : '_';
    }
    id[pl + 1 + n] = '\0';
    return id;
}

static int embed_prepare(const cert_args_t *a, embed_item_t *it)
{
    tool_credfile_t f;
    char d[400], subj[256];
    int rc;
    tool_credfile_load(&f, it->path, NULL);
    if ((rc = tool_cert_input_problem(&f, it->path, false)) != 0) {
        tool_credfile_free(&f);
        return rc;
    }
    tool_x509_sha256_hex((const unsigned char *)f.raw.p, f.raw.len, it->file_sha);
    const tool_obj_t *first = NULL;
    for (size_t i = 0; i < f.n_objs && !first; i++)
        if (tool_cert_usable(&f.objs[i]))
            first = &f.objs[i];
    const tool_obj_t *crt = tool_credfile_first(&f, TOOL_OBJ_CERT);
    if (crt)
        tool_x509_sha256_hex(crt->der.p, crt->der.len, it->cert_id);
    it->secret = tool_credfile_first(&f, TOOL_OBJ_PRIVKEY) != NULL;

    bool to_der = a->embed_fmt == 'd', to_pem = a->embed_fmt == 'p';
    bool out_pem;
    if (to_der && f.is_pem) {
        for (size_t i = 0; i < f.n_objs; i++)
            if (f.objs[i].kind == TOOL_OBJ_PRIVKEY && f.objs[i].encrypted &&
                f.objs[i].form != TOOL_FORM_KEY_PKCS8_ENC) {
                rc = tool_usage_err("'%s' is a key encrypted the traditional PEM way (%s), which "
                                    "has no DER form: embed it as PEM (mqtls_tls_cfg_t.key_pass "
                                    "opens it) or decrypt it first with `mqtls cert convert "
                                    "--passin`", it->path, f.objs[i].enc_alg);
                tool_credfile_free(&f);
                return rc;
            }
        bool secret, decrypted;
        rc = tool_cert_encode_output(&f, true, &it->data, &secret, &decrypted, it->path, it->ident);
        out_pem = false;
    } else if (to_pem && !f.is_pem) {
        bool secret, decrypted;
        rc = tool_cert_encode_output(&f, false, &it->data, &secret, &decrypted, it->path, it->ident);
        out_pem = true;
    } else {
        tool_blob_set(&it->data, f.raw.p, f.raw.len);
        out_pem = f.is_pem;
        if (f.trailing)
            tool_warn("'%s': %zu byte%s after the DER object are embedded too (Mbed TLS ignores "
                      "them)", it->path, f.trailing, tool_cert_plural((int64_t)f.trailing));
    }
    if (rc == 0 && out_pem && (it->data.len == 0 || it->data.p[it->data.len - 1] != '\0')) {
        /* tool_blob_set() left a NUL after the bytes: count it. */
        it->data.len++;
    }
    if (rc == 0) {
        size_t n_usable = 0;
        for (size_t i = 0; i < f.n_objs; i++)
            n_usable += tool_cert_usable(&f.objs[i]);
        tool_obj_describe(first, d, sizeof d);
        if (crt && first == crt)
            tool_cert_subject(crt->crt, subj, sizeof subj);
        else
            subj[0] = '\0';
        if (!out_pem || n_usable == 1)
            snprintf(it->what, sizeof it->what, "%s %s%s%s%s", out_pem ? "PEM" : "DER", d,
                     subj[0] ? " " : "", subj, out_pem ? ", with its NUL" : "");
        else
            snprintf(it->what, sizeof it->what, "PEM, %s, with its NUL",
                     tool_credfile_summary(&f, d, sizeof d) + 5);
    }
    tool_credfile_free(&f);
    return rc;
}

static void write_array(tool_buf_t *b, const embed_item_t *it)
{
    char safe[600];
    comment_safe(it->path, safe, sizeof safe);
    tool_buf_printf(b, "/* %s: %s\n * source sha256 %s", safe, it->what, it->file_sha);
    if (it->cert_id[0])
        tool_buf_printf(b, "\n * certificate id (sha256 of its DER) %s", it->cert_id);
    tool_buf_printf(b, " */\nconst unsigned char %s[] = {", it->ident);
    for (size_t i = 0; i < it->data.len; i++)
        tool_buf_printf(b, "%s0x%02x,", i % 12 == 0 ? "\n    " : " ", it->data.p[i]);
    tool_buf_printf(b, "\n};\nconst size_t %s_len = sizeof %s;\n\n", it->ident, it->ident);
}

static const char banner[] =
    "/* Generated by `mqtls cert embed`: do not edit.\n"
    " * PEM arrays end with their NUL, counted in _len (Mbed TLS needs it); DER is as is.\n"
    " * For mqtls_tls_cfg_t: .ca_mem = X, .ca_mem_len = X_len (likewise cert_mem, key_mem). */\n";

/* The include guard: the file name @p base, upper case, identifier-safe. */
static void include_guard(const char *base, char *guard, size_t size)
{
    size_t g = 0;
    if (base[0] >= '0' && base[0] <= '9')
        g += (size_t)snprintf(guard, size, "EMBED_");
    for (const char *q = base; *q && g + 3 < size; q++) {
        char ch = *q;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        guard[g++] = ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) ? ch : '_';
    }
    snprintf(guard + g, size - g, "_H");
}

/* BASENAME.h: a declaration per array. */
static void header_text(tool_buf_t *hb, const char *base, const embed_item_t *items, size_t n)
{
    char guard[160];
    include_guard(base, guard, sizeof guard);
    tool_buf_printf(hb, "%s#ifndef %s\n#define %s\n\n#include <stddef.h>\n\n#ifdef __cplusplus\n"
                    "extern \"C\" {\n#endif\n\n", banner, guard, guard);
    for (size_t i = 0; i < n; i++) {
        char safe[600];
        comment_safe(items[i].path, safe, sizeof safe);
        tool_buf_printf(hb, "/* %s: %s */\nextern const unsigned char %s[];\n"
                        "extern const size_t %s_len;\n\n", safe, items[i].what, items[i].ident,
                        items[i].ident);
    }
    tool_buf_printf(hb, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

/* BASENAME.c: the arrays. */
static void source_text(tool_buf_t *cb, const char *base, const embed_item_t *items, size_t n)
{
    tool_buf_printf(cb, "%s#include \"%s.h\"\n\n", banner, base);
    for (size_t i = 0; i < n; i++)
        write_array(cb, &items[i]);
}

/* The two outputs: their paths and texts. */
typedef struct embed_out {
    char *h_path, *c_path;
    tool_buf_t hb, cb;
} embed_out_t;

/* BASENAME.h and BASENAME.c, unless one exists and --force was not given. */
static int output_paths(embed_out_t *eo, const char *out, bool force)
{
    tool_buf_t p = {NULL, 0, 0};
    tool_buf_printf(&p, "%s.h", out);
    eo->h_path = p.p;
    p = (tool_buf_t){NULL, 0, 0};
    tool_buf_printf(&p, "%s.c", out);
    eo->c_path = p.p;
    if (!force && (tool_cert_exists(eo->h_path) || tool_cert_exists(eo->c_path))) {
        tool_err("'%s' already exists: use --force to replace it",
                 tool_cert_exists(eo->h_path) ? eo->h_path : eo->c_path);
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* Writes both files (the .c with mode 0600 when it embeds a key); a failure removes what
 * this run wrote. */
static int write_outputs(const embed_out_t *eo, bool secret, bool force)
{
    bool h_opened = false, c_opened = false;
    int rc = tool_x509_write_file(eo->h_path, eo->hb.p, eo->hb.len, false, force, &h_opened);
    if (!rc)
        rc = tool_x509_write_file(eo->c_path, eo->cb.p, eo->cb.len, secret, force, &c_opened);
    if (rc) {
        if (h_opened)
            unlink(eo->h_path);
        if (c_opened)
            unlink(eo->c_path);
    }
    return rc;
}

static void report(const embed_item_t *items, size_t n, const embed_out_t *eo, bool secret)
{
    for (size_t i = 0; i < n; i++)
        printf("%-32s %6zu bytes  %s (%s)\n", items[i].ident, items[i].data.len, items[i].path,
               items[i].what);
    printf("wrote %s and %s\n", eo->h_path, eo->c_path);
    if (secret)
        tool_warn("'%s' embeds a private key: it was written with mode 0600; keep it out of "
                  "version control", eo->c_path);
}

static void items_free(embed_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].ident);
        tool_blob_free(&items[i].data);
    }
    free(items);
}

static void out_free(embed_out_t *eo)
{
    free(eo->h_path);
    free(eo->c_path);
    if (eo->cb.p)
        OPENSSL_cleanse(eo->cb.p, eo->cb.len);
    tool_buf_free(&eo->hb);
    tool_buf_free(&eo->cb);
}

int tool_cert_embed(const cert_args_t *a, const char *out, const char *base)
{
    size_t n = a->n_pos;
    embed_item_t *items = tool_xcalloc(n, sizeof *items);
    embed_out_t eo = {NULL, NULL, {NULL, 0, 0}, {NULL, 0, 0}};
    bool secret = false;
    int rc = TOOL_EXIT_OK;

    for (size_t i = 0; i < n; i++) {
        items[i].path = a->pos[i];
        items[i].ident = tool_cert_embed_ident(a->name, a->pos[i]);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        rc = embed_prepare(a, &items[i]);
        secret = secret || items[i].secret;
    }
    if (!rc)
        rc = output_paths(&eo, out, a->force);
    if (!rc) {
        header_text(&eo.hb, base, items, n);
        source_text(&eo.cb, base, items, n);
        rc = write_outputs(&eo, secret, a->force);
    }
    if (!rc)
        report(items, n, &eo, secret);
    items_free(items, n);
    out_free(&eo);
    return rc;
}
