/**
 * @file tool_cert.c
 * @brief `mqtls cert`: the command line (options, help, the checks of the arguments) and the
 *        dispatch to the commands (see tool_cert.h, docs/cli.md): tool_cert_show.c,
 *        tool_cert_convert.c, tool_cert_check.c and tool_cert_embed.c.
 *
 * Files are read with tool_credfile_load() (tool_x509.h): the format is told by content and
 * every PEM block is decoded on its own.
 */
#include "creds/tool_cert.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "common/tool_family.h"
#include "common/tool_optparse.h"
#include "common/tool_util.h"
#include "creds/tool_cert_internal.h"
#include "creds/tool_ossl.h"
#include "creds/tool_x509.h"

/* ---- commands and arguments ---------------------------------------------------------- */

enum cert_cmd { C_SHOW = 1u, C_CONVERT = 2u, C_CHECK = 4u, C_EMBED = 8u };

/* cert_args_t, the command line as parsed: tool_cert_internal.h */

static void args_free(cert_args_t *a)
{
    free(a->pos);
    tool_secret_free(&a->pass);
}

/* Prints "Error: ..." and the --help hint of the subcommand; returns TOOL_EXIT_USAGE. */
#define bad(a, ...) tool_bad("cert", (a)->cmd_name, __VA_ARGS__)

/* ---- options -------------------------------------------------------------------------- */

#define PASS_CMDS (C_SHOW | C_CONVERT | C_CHECK)
#define CERT_ALL (C_SHOW | C_CONVERT | C_CHECK | C_EMBED)
#define F(field) offsetof(cert_args_t, field)

static bool valid_ident(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return false;
    return strlen(s) <= 64;
}

static int opt_at(tool_optparse_t *p, tool_optval_t *val)
{
    cert_args_t *a = p->ctx;
    if (!tool_x509_parse_date(val->v[0], &a->now))
        return tool_optparse_err(p, "invalid date '%s' for %s (use YYYY-MM-DD or "
                                    "YYYY-MM-DDTHH:MM:SS, UTC, year 2000 or later)",
                                 val->v[0], val->given);
    a->at_set = true;
    return TOOL_EXIT_OK;
}

static int opt_file(tool_optparse_t *p, tool_optval_t *val)
{
    return tool_opt_nonempty(p, val, "file name");
}

static int opt_host(tool_optparse_t *p, tool_optval_t *val)
{
    return tool_opt_nonempty(p, val, "host name");
}

static int opt_out(tool_optparse_t *p, tool_optval_t *val)
{
    return tool_opt_nonempty(p, val, "base name");
}

/* --der and --pem: one of them. */
static int opt_embed_fmt(tool_optparse_t *p, tool_optval_t *val)
{
    cert_args_t *a = p->ctx;
    int fmt = val->opt->lname[0]; /* 'd' or 'p' */
    if (a->embed_fmt && a->embed_fmt != fmt)
        return tool_optparse_err(p, "use --der or --pem, not both");
    a->embed_fmt = fmt;
    return TOOL_EXIT_OK;
}

static int opt_name(tool_optparse_t *p, tool_optval_t *val)
{
    if (!valid_ident(val->v[0]))
        return tool_optparse_err(p, "invalid --name '%s': it must be a C identifier (a letter "
                                    "or '_', then letters, digits and '_'; at most 64)",
                                 val->v[0]);
    return tool_opt_str(p, val);
}

/* --passin / --keypass: a copy, and the argument blanked out of the process list. */
static int opt_pass(tool_optparse_t *p, tool_optval_t *val)
{
    cert_args_t *a = p->ctx;
    tool_secret_take(&a->pass, val->v[0]);
    a->pass_opt = true;
    return TOOL_EXIT_OK;
}

static int opt_to(tool_optparse_t *p, tool_optval_t *val)
{
    cert_args_t *a = p->ctx;
    const char *v = val->v[0];
    if (!strcmp(v, "der") || !strcmp(v, "DER"))
        a->to = 'd';
    else if (!strcmp(v, "pem") || !strcmp(v, "PEM"))
        a->to = 'p';
    else
        return tool_optparse_err(p, "invalid format '%s' for %s (use der or pem)", v,
                                 val->given);
    return TOOL_EXIT_OK;
}

/* In the order of each command's --help; entries without help are aliases it names. */
static const tool_opt_t cert_opts[] = {
    {"to", 0, 1, C_CONVERT, opt_to, 0, "der|pem", "the output format (default: the other one)"},
    {"cafile", 0, 1, C_CHECK, opt_file, F(cafile), "FILE",
     "the CA certificate(s) (as given to pub/sub --cafile)"},
    {"cert", 0, 1, C_CHECK, opt_file, F(certfile), "FILE",
     "the client certificate (PEM, with its chain, or DER)"},
    {"key", 0, 1, C_CHECK, opt_file, F(keyfile), "FILE", "its private key"},
    {"name", 0, 1, C_EMBED, opt_name, F(name), "PREFIX", "the C identifier prefix (required)"},
    {"der", 0, 0, C_EMBED, opt_embed_fmt, 0, NULL,
     "convert PEM input to DER (a bundle: its first certificate)"},
    {"pem", 0, 0, C_EMBED, opt_embed_fmt, 0, NULL, "convert DER input to PEM"},
    {"out", 0, 1, C_EMBED, opt_out, F(out), "BASENAME",
     "write BASENAME.c and BASENAME.h (default: PREFIX)"},
    {"passin", 0, 1, C_SHOW, opt_pass, 0, "PASS",
     "open encrypted keys (or set MQTLS_KEYPASS); --keypass is the same"},
    {"passin", 0, 1, C_CONVERT, opt_pass, 0, "PASS",
     "the passphrase of an encrypted key (or set MQTLS_KEYPASS)"},
    {"passin", 0, 1, C_CHECK, opt_pass, 0, "PASS", NULL},
    {"keypass", 0, 1, C_CHECK, opt_pass, 0, "PASS",
     "the key's passphrase (or set MQTLS_KEYPASS); --passin is the same"},
    {"keypass", 0, 1, C_SHOW | C_CONVERT, opt_pass, 0, "PASS", NULL},
    {"host", 0, 1, C_CHECK, opt_host, F(host), "HOST",
     "the broker host name: whether a server certificate's names\n"
     "(extendedKeyUsage serverAuth) cover it, as a client checks\n"
     "them; for an AWS IoT endpoint (*.amazonaws.com), whether the\n"
     "CA file holds the root that endpoint chains to"},
    {"at", 0, 1, C_SHOW, opt_at, 0, "DATE",
     "judge validity at DATE instead of now (YYYY-MM-DD[THH:MM:SS], UTC)"},
    {"at", 0, 1, C_CHECK, opt_at, 0, "DATE", "judge dates at DATE instead of the local clock"},
    {"force", 0, 0, C_CONVERT, tool_opt_true, F(force), NULL, "replace OUT if it exists"},
    {"force", 0, 0, C_EMBED, tool_opt_true, F(force), NULL, "replace existing output files"},
    {"help", 'h', 0, CERT_ALL, tool_opt_help, 0, NULL, "show this help"},
};

/* ---- help ------------------------------------------------------------------------------- */

static const char cert_exit_help[] =
    "Exit status:\n"
    "  0   success (check: every check passed; warnings allowed)\n"
    "  1   check: a check failed; convert/embed: an output file exists (use --force) or\n"
    "      cannot be written\n"
    "  2   bad arguments or unusable input: a file that is missing, a directory, empty, not\n"
    "      a certificate/key/CSR, truncated or corrupt; a wrong or missing passphrase\n";

static const tool_cmddef_t cert_cmds[] = {
    {"show", C_SHOW,
     "Usage: mqtls cert show FILE... [options]\n"
     "\n"
     "For each file: its format (PEM or DER, by content) and what it holds. For each\n"
     "certificate (every one of a bundle, numbered): subject, issuer, serial, validity\n"
     "against now, key type and size, subjectAltNames, key usage, extended key usage,\n"
     "basicConstraints, whether it is self-signed, and its SHA-256 fingerprint (the AWS\n"
     "IoT certificate id). Keys: type, size, structure (PKCS#1, SEC1, PKCS#8), whether\n"
     "encrypted. A file that cannot be used is reported and the others are still shown.\n"
     "\n",
     NULL, cert_exit_help},
    {"convert", C_CONVERT,
     "Usage: mqtls cert convert IN OUT [options]\n"
     "\n"
     "Converts a certificate, private key, public key or CSR between PEM and DER, like\n"
     "`openssl x509 -outform der` and `openssl pkey -outform der` (and back). The key's\n"
     "structure (PKCS#1, SEC1 or PKCS#8) is kept. DER holds one object: a PEM bundle is\n"
     "converted to the DER of its first certificate, with a warning. Private keys are\n"
     "written with mode 0600. An encrypted key needs --passin and is written unencrypted\n"
     "(as PKCS#1 or SEC1), with a warning.\n"
     "\n",
     NULL, cert_exit_help},
    {"check", C_CHECK,
     "Usage: mqtls cert check [--cafile F] [--cert F] [--key F] [options]\n"
     "\n"
     "Checks TLS client credentials offline, each check printed with its evidence:\n"
     "  " MARK_OK " passed   " MARK_FAIL " failed   " MARK_WARN " warning\n"
     "every file parses (format and kind); the key belongs to the certificate; the\n"
     "certificate chains to the CA file; validity of the certificate and of each CA\n"
     "against the local clock (and whether the clock looks unset); RSA keys of at least\n"
     "2048 bits; key usage and extended key usage allow TLS client authentication; file\n"
     "names that suggest another format or kind than the content.\n"
     "\n",
     NULL, cert_exit_help},
    {"embed", C_EMBED,
     "Usage: mqtls cert embed FILE... --name PREFIX [options]\n"
     "\n"
     "Writes BASENAME.h and BASENAME.c with one array per file,\n"
     "    const unsigned char PREFIX_<stem>[];  const size_t PREFIX_<stem>_len;\n"
     "where <stem> is the file name without its extension (characters other than\n"
     "letters, digits and '_' become '_'). PEM is embedded with its terminating NUL,\n"
     "counted in _len (Mbed TLS needs it), DER as is: ready for mqtls_tls_cfg_t's\n"
     "ca_mem, cert_mem and key_mem. Each array is commented with its source file and\n"
     "the file's SHA-256. A .c that embeds a private key is written with mode 0600.\n"
     "\n",
     NULL, cert_exit_help},
};

const tool_optset_t tool_cert_optset = TOOL_OPTSET("cert", cert_opts, cert_cmds, 19, true);

/* ---- the command line --------------------------------------------------------------------- */

/* Parses argv[1..] of a cert command (argv[0] is its name). */
static int parse_args(cert_args_t *a, const tool_cmddef_t *cmd, int argc, char **argv)
{
    a->pos = tool_xcalloc((size_t)argc, sizeof *a->pos);
    tool_optparse_t p = {&tool_cert_optset, cmd, a, a->pos, (size_t)argc, 0};
    int rc = tool_optparse_run(&p, argc, argv);
    a->n_pos = p.n_pos;
    if (rc)
        return rc;
    if (!a->pass && (a->cmd & PASS_CMDS)) {
        const char *env = getenv("MQTLS_KEYPASS");
        if (env && *env)
            a->pass = tool_xstrdup(env);
    }
    if (!a->at_set)
        a->now = (int64_t)time(NULL);
    return TOOL_EXIT_OK;
}

/* ---- the commands: their arguments checked, their work in their own files ------------- */

static int cmd_show(const cert_args_t *a)
{
    if (a->n_pos == 0)
        return bad(a, "missing FILE: mqtls cert show FILE...");
    int rc = TOOL_EXIT_OK;
    for (size_t i = 0; i < a->n_pos; i++) {
        if (tool_cert_show_file(a->pos[i], a->pass, a->now) != TOOL_EXIT_OK)
            rc = TOOL_EXIT_USAGE;
    }
    if (a->at_set) {
        char t[40];
        tool_x509_format_time(a->now, false, t, sizeof t);
        printf("\n(validity judged at %s, --at)\n", t);
    }
    return rc;
}

static int cmd_convert(const cert_args_t *a)
{
    if (a->n_pos < 2)
        return bad(a, "missing %s: mqtls cert convert IN OUT", a->n_pos ? "OUT" : "IN and OUT");
    if (a->n_pos > 2)
        return bad(a, "unexpected argument '%s'", a->pos[2]);
    return tool_cert_convert(a);
}

static int cmd_check(const cert_args_t *a)
{
    if (a->n_pos)
        return bad(a, "unexpected argument '%s' (files are given with --cafile, --cert, --key)",
                   a->pos[0]);
    if (!a->cafile && !a->certfile && !a->keyfile)
        return bad(a, "nothing to check: give --cafile, --cert and/or --key");
    if (a->pass_opt && !a->keyfile)
        return bad(a, "--keypass needs --key (the encrypted private key it unlocks)");

    tool_cert_check_opts_t o;
    tool_cert_check_result_t r;
    memset(&o, 0, sizeof o);
    o.cafile = a->cafile;
    o.certfile = a->certfile;
    o.keyfile = a->keyfile;
    o.pass = a->pass;
    o.host = a->host;
    o.now = a->now;
    o.at_set = a->at_set;
    tool_cert_check(&o, &r);
    printf("\n%u passed, %u failed, %u warning%s\n", r.passed, r.failed, r.warned,
           r.warned == 1 ? "" : "s");
    return r.failed ? TOOL_EXIT_ERROR : TOOL_EXIT_OK;
}

/* Two files whose arrays would have the same name. */
static int embed_names_clash(const cert_args_t *a)
{
    char **ids = tool_xcalloc(a->n_pos, sizeof *ids);
    int rc = TOOL_EXIT_OK;
    for (size_t i = 0; i < a->n_pos && !rc; i++) {
        ids[i] = tool_cert_embed_ident(a->name, a->pos[i]);
        for (size_t k = 0; k < i && !rc; k++)
            if (!strcmp(ids[k], ids[i]))
                rc = bad(a, "'%s' and '%s' would both be named %s: rename one file (or embed "
                            "them with different --name prefixes)", a->pos[k], a->pos[i], ids[i]);
    }
    for (size_t i = 0; i < a->n_pos; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

static int cmd_embed(const cert_args_t *a)
{
    if (a->n_pos == 0)
        return bad(a, "missing FILE: mqtls cert embed FILE... --name PREFIX");
    if (!a->name)
        return bad(a, "missing --name PREFIX (the C identifier prefix of the arrays)");
    const char *out = a->out ? a->out : a->name;
    const char *base = strrchr(out, '/');
    base = base ? base + 1 : out;
    for (const char *p = base; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return bad(a, "invalid --out '%s': its file name may hold letters, digits, '_', '-' "
                          "and '.' only", out);
    if (!*base)
        return bad(a, "invalid --out '%s': no file name", out);
    int rc = embed_names_clash(a);
    return rc ? rc : tool_cert_embed(a, out, base);
}

/* ---- entry point ---------------------------------------------------------------------------- */

/* Parses and runs one cert command. */
static int cert_run(const tool_cmddef_t *cmd, int argc, char **argv)
{
    cert_args_t a;
    memset(&a, 0, sizeof a);
    a.cmd = cmd->bit;
    a.cmd_name = cmd->name;
    int rc = parse_args(&a, cmd, argc, argv);
    if (rc == TOOL_EXIT_OK)
        rc = tool_ossl_require();
    if (rc == TOOL_EXIT_OK) {
        switch (a.cmd) {
        case C_SHOW: rc = cmd_show(&a); break;
        case C_CONVERT: rc = cmd_convert(&a); break;
        case C_CHECK: rc = cmd_check(&a); break;
        default: rc = cmd_embed(&a); break;
        }
    }
    args_free(&a);
    return rc;
}

static const tool_family_t cert_family = {
    &tool_cert_optset,
    "Usage: mqtls cert show FILE... [--passin PASS] [--at DATE]\n"
    "       mqtls cert convert IN OUT [--to der|pem] [--passin PASS] [--force]\n"
    "       mqtls cert check [--cafile F] [--cert F] [--key F] [--keypass PASS]\n"
    "                        [--host HOST] [--at DATE]\n"
    "       mqtls cert embed FILE... --name PREFIX [--der|--pem] [--out BASENAME]\n"
    "       mqtls cert COMMAND --help\n"
    "\n"
    "Certificates and keys, PEM or DER (told by content):\n"
    "  show     what each file holds: certificates (subject, issuer, serial, validity,\n"
    "           key, names, usages, CA flag, SHA-256 = AWS certificate id), keys, CSRs\n"
    "  convert  PEM to DER and back (certificates, keys, CSRs, public keys)\n"
    "  check    offline pre-flight of --cafile/--cert/--key for a TLS client\n"
    "  embed    C arrays (BASENAME.c/.h) for mqtls_tls_cfg_t's ca_mem/cert_mem/key_mem\n"
    "\n",
    cert_exit_help, "show, convert, check or embed", cert_run};

int tool_cert_main(int argc, char **argv)
{
    return tool_family_main(&cert_family, argc, argv);
}
