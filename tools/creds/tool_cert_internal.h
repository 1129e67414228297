/**
 * @file tool_cert_internal.h
 * @brief What the files of `mqtls cert` share. tool_cert.c reads the command line into a
 *        cert_args_t, checks the arguments and hands each command to its file:
 *        tool_cert_show.c, tool_cert_convert.c, tool_cert_check.c (with tool_cert_chain.c
 *        and tool_cert_host.c) and tool_cert_embed.c.
 */
#ifndef TOOL_CERT_INTERNAL_H
#define TOOL_CERT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "creds/tool_x509.h"

/* The marks of `mqtls cert check`'s lines (also in its help). */
#define MARK_OK "\xE2\x9C\x93"   /* ✓ */
#define MARK_FAIL "\xE2\x9C\x97" /* ✗ */
#define MARK_WARN "!"

/** A cert command line as parsed by tool_cert.c. */
typedef struct cert_args {
    unsigned cmd;
    const char *cmd_name;
    const char **pos; /* positional arguments */
    size_t n_pos;
    char *pass;       /* --passin / --keypass / MQTLS_KEYPASS (a copy, wiped at the end) */
    bool pass_opt;
    int64_t now;
    bool at_set;
    int to;           /* convert --to: 0 the other format, 'd' DER, 'p' PEM */
    int embed_fmt;    /* embed: 0 as is, 'd' --der, 'p' --pem */
    bool force;
    const char *cafile, *certfile, *keyfile, *host;
    const char *name, *out;
} cert_args_t;

/* ---- show (tool_cert_show.c) ------------------------------------------------------------ */

/**
 * `mqtls cert show` of one file: what it holds, each certificate, CSR and key in detail,
 * validity judged at @p now; keys opened with @p pass (may be NULL). Problems are printed
 * as errors. @return TOOL_EXIT_OK, or TOOL_EXIT_USAGE when the file cannot be used
 */
int tool_cert_show_file(const char *path, const char *pass, int64_t now);

/* ---- convert (tool_cert_convert.c) -------------------------------------------------------- */

/** `mqtls cert convert IN OUT` with its arguments checked (a->pos holds IN and OUT). */
int tool_cert_convert(const cert_args_t *a);

/** Whether @p path exists (a symlink included, dangling or not). */
bool tool_cert_exists(const char *path);

/** A certificate, CSR, private or public key: an object that can be written. */
bool tool_cert_usable(const tool_obj_t *o);

/**
 * Reports why a loaded file cannot be converted or embedded. @p need_open: an encrypted
 * key must have been opened. @return TOOL_EXIT_OK if it can, else TOOL_EXIT_USAGE
 */
int tool_cert_input_problem(const tool_credfile_t *f, const char *path, bool need_open);

/**
 * The objects of @p f as one output: DER (the first usable object, with a warning when
 * there are more) or PEM (all of them). *secret: it holds a private key; *decrypted: a key
 * in it was decrypted. @return TOOL_EXIT_OK, or TOOL_EXIT_ERROR (OpenSSL cannot encode it)
 */
int tool_cert_encode_output(const tool_credfile_t *f, bool to_der, tool_blob_t *out,
                            bool *secret, bool *decrypted, const char *in_path,
                            const char *out_path);

/* ---- embed (tool_cert_embed.c) ------------------------------------------------------------ */

/** PREFIX_ and the file name without directory and last extension, made identifier-safe
 *  (malloc'd). */
char *tool_cert_embed_ident(const char *prefix, const char *path);

/**
 * `mqtls cert embed` with its arguments checked (files, --name, distinct array names): writes
 * @p out.h and @p out.c, whose file name is @p base.
 */
int tool_cert_embed(const cert_args_t *a, const char *out, const char *base);

#endif
