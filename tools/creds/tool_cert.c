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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "common/tool_util.h"
#include "creds/tool_cert_internal.h"
#include "creds/tool_x509.h"

/* ---- commands and arguments ---------------------------------------------------------- */

enum cert_cmd { C_SHOW = 1u, C_CONVERT = 2u, C_CHECK = 4u, C_EMBED = 8u };

/** Returned by the parser when --help was printed. */
#define CERT_HELP_SHOWN (-1)

/* cert_args_t, the command line as parsed: tool_cert_internal.h */

static void args_free(cert_args_t *a)
{
    free(a->pos);
    if (a->pass) {
        OPENSSL_cleanse(a->pass, strlen(a->pass));
        free(a->pass);
    }
}

/* ---- help --------------------------------------------------------------------------------- */

static const char cert_exit_help[] =
    "Exit status:\n"
    "  0   success (check: every check passed; warnings allowed)\n"
    "  1   check: a check failed; convert/embed: an output file exists (use --force) or\n"
    "      cannot be written\n"
    "  2   bad arguments or unusable input: a file that is missing, a directory, empty, not\n"
    "      a certificate/key/CSR, truncated or corrupt; a wrong or missing passphrase\n";

static void help_main(FILE *out)
{
    fputs("Usage: mqtls cert show FILE... [--passin PASS] [--at DATE]\n"
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
          "\n", out);
    fputs(cert_exit_help, out);
}

static void help_cmd(unsigned cmd, FILE *out)
{
    switch (cmd) {
    case C_SHOW:
        fputs("Usage: mqtls cert show FILE... [options]\n"
              "\n"
              "For each file: its format (PEM or DER, by content) and what it holds. For each\n"
              "certificate (every one of a bundle, numbered): subject, issuer, serial, validity\n"
              "against now, key type and size, subjectAltNames, key usage, extended key usage,\n"
              "basicConstraints, whether it is self-signed, and its SHA-256 fingerprint (the AWS\n"
              "IoT certificate id). Keys: type, size, structure (PKCS#1, SEC1, PKCS#8), whether\n"
              "encrypted. A file that cannot be used is reported and the others are still shown.\n"
              "\n"
              "Options:\n"
              "  --passin PASS     open encrypted keys (or set MQTLS_KEYPASS); --keypass is the same\n"
              "  --at DATE         judge validity at DATE instead of now (YYYY-MM-DD[THH:MM:SS], UTC)\n"
              "  -h, --help        show this help\n\n", out);
        break;
    case C_CONVERT:
        fputs("Usage: mqtls cert convert IN OUT [options]\n"
              "\n"
              "Converts a certificate, private key, public key or CSR between PEM and DER, like\n"
              "`openssl x509 -outform der` and `openssl pkey -outform der` (and back). The key's\n"
              "structure (PKCS#1, SEC1 or PKCS#8) is kept. DER holds one object: a PEM bundle is\n"
              "converted to the DER of its first certificate, with a warning. Private keys are\n"
              "written with mode 0600. An encrypted key needs --passin and is written unencrypted\n"
              "(as PKCS#1 or SEC1), with a warning.\n"
              "\n"
              "Options:\n"
              "  --to der|pem      the output format (default: the other one)\n"
              "  --passin PASS     the passphrase of an encrypted key (or set MQTLS_KEYPASS)\n"
              "  --force           replace OUT if it exists\n"
              "  -h, --help        show this help\n\n", out);
        break;
    case C_CHECK:
        fputs("Usage: mqtls cert check [--cafile F] [--cert F] [--key F] [options]\n"
              "\n"
              "Checks TLS client credentials offline, each check printed with its evidence:\n"
              "  " MARK_OK " passed   " MARK_FAIL " failed   " MARK_WARN " warning\n"
              "every file parses (format and kind); the key belongs to the certificate; the\n"
              "certificate chains to the CA file; validity of the certificate and of each CA\n"
              "against the local clock (and whether the clock looks unset); RSA keys of at least\n"
              "2048 bits; key usage and extended key usage allow TLS client authentication; file\n"
              "names that suggest another format or kind than the content.\n"
              "\n"
              "Options:\n"
              "  --cafile FILE     the CA certificate(s) (as given to pub/sub --cafile)\n"
              "  --cert FILE       the client certificate (PEM, with its chain, or DER)\n"
              "  --key FILE        its private key\n"
              "  --keypass PASS    the key's passphrase (or set MQTLS_KEYPASS); --passin is the same\n"
              "  --host HOST       the broker host name: whether a server certificate's names\n"
              "                    (extendedKeyUsage serverAuth) cover it, as a client checks\n"
              "                    them; for an AWS IoT endpoint (*.amazonaws.com), whether the\n"
              "                    CA file holds the root that endpoint chains to\n"
              "  --at DATE         judge dates at DATE instead of the local clock\n"
              "  -h, --help        show this help\n\n", out);
        break;
    default:
        fputs("Usage: mqtls cert embed FILE... --name PREFIX [options]\n"
              "\n"
              "Writes BASENAME.h and BASENAME.c with one array per file,\n"
              "    const unsigned char PREFIX_<stem>[];  const size_t PREFIX_<stem>_len;\n"
              "where <stem> is the file name without its extension (characters other than\n"
              "letters, digits and '_' become '_'). PEM is embedded with its terminating NUL,\n"
              "counted in _len (Mbed TLS needs it), DER as is: ready for mqtls_tls_cfg_t's\n"
              "ca_mem, cert_mem and key_mem. Each array is commented with its source file and\n"
              "the file's SHA-256. A .c that embeds a private key is written with mode 0600.\n"
              "\n"
              "Options:\n"
              "  --name PREFIX     the C identifier prefix (required)\n"
              "  --der             convert PEM input to DER (a bundle: its first certificate)\n"
              "  --pem             convert DER input to PEM\n"
              "  --out BASENAME    write BASENAME.c and BASENAME.h (default: PREFIX)\n"
              "  --force           replace existing output files\n"
              "  -h, --help        show this help\n\n", out);
        break;
    }
    fputs(cert_exit_help, out);
}

/** Prints "Error: ..." and the --help hint; returns TOOL_EXIT_USAGE. */
static int bad(const cert_args_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const cert_args_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tool_vbad("cert", a ? a->cmd_name : NULL, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- option parsing ------------------------------------------------------------------------ */

enum cert_opt_id {
    OPT_AT, OPT_CAFILE, OPT_CERT, OPT_DER, OPT_FORCE, OPT_HOST, OPT_KEY, OPT_NAME, OPT_OUT,
    OPT_PASS, OPT_PEM, OPT_TO
};

typedef struct cert_opt {
    const char *name; /* without "--" */
    enum cert_opt_id id;
    unsigned cmds;
    bool has_arg;
} cert_opt_t;

static const cert_opt_t cert_opts[] = {
    {"at", OPT_AT, C_SHOW | C_CHECK, true},
    {"cafile", OPT_CAFILE, C_CHECK, true},
    {"cert", OPT_CERT, C_CHECK, true},
    {"der", OPT_DER, C_EMBED, false},
    {"force", OPT_FORCE, C_CONVERT | C_EMBED, false},
    {"host", OPT_HOST, C_CHECK, true},
    {"key", OPT_KEY, C_CHECK, true},
    {"keypass", OPT_PASS, C_SHOW | C_CONVERT | C_CHECK, true},
    {"name", OPT_NAME, C_EMBED, true},
    {"out", OPT_OUT, C_EMBED, true},
    {"passin", OPT_PASS, C_SHOW | C_CONVERT | C_CHECK, true},
    {"pem", OPT_PEM, C_EMBED, false},
    {"to", OPT_TO, C_CONVERT, true},
};

#define N_CERT_OPTS (sizeof cert_opts / sizeof cert_opts[0])

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

static int apply_opt(cert_args_t *a, const cert_opt_t *o, const char *arg, char *v)
{
    switch (o->id) {
    case OPT_AT:
        if (!tool_x509_parse_date(v, &a->now))
            return bad(a, "invalid date '%s' for %s (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC, "
                          "year 2000 or later)", v, arg);
        a->at_set = true;
        break;
    case OPT_CAFILE:
    case OPT_CERT:
    case OPT_KEY:
        if (!*v)
            return bad(a, "%s: the file name is empty", arg);
        if (o->id == OPT_CAFILE)
            a->cafile = v;
        else if (o->id == OPT_CERT)
            a->certfile = v;
        else
            a->keyfile = v;
        break;
    case OPT_DER:
    case OPT_PEM:
        if (a->embed_fmt && a->embed_fmt != (o->id == OPT_DER ? 'd' : 'p'))
            return bad(a, "use --der or --pem, not both");
        a->embed_fmt = o->id == OPT_DER ? 'd' : 'p';
        break;
    case OPT_FORCE:
        a->force = true;
        break;
    case OPT_HOST:
        if (!*v)
            return bad(a, "%s: the host name is empty", arg);
        a->host = v;
        break;
    case OPT_NAME:
        if (!valid_ident(v))
            return bad(a, "invalid --name '%s': it must be a C identifier (a letter or '_', "
                          "then letters, digits and '_'; at most 64)", v);
        a->name = v;
        break;
    case OPT_OUT:
        if (!*v)
            return bad(a, "%s: the base name is empty", arg);
        a->out = v;
        break;
    case OPT_PASS:
        if (a->pass) {
            OPENSSL_cleanse(a->pass, strlen(a->pass));
            free(a->pass);
        }
        a->pass = tool_xstrdup(v);
        a->pass_opt = true;
        explicit_bzero(v, strlen(v)); /* out of the process list */
        break;
    case OPT_TO:
        if (!strcmp(v, "der") || !strcmp(v, "DER"))
            a->to = 'd';
        else if (!strcmp(v, "pem") || !strcmp(v, "PEM"))
            a->to = 'p';
        else
            return bad(a, "invalid format '%s' for %s (use der or pem)", v, arg);
        break;
    }
    return TOOL_EXIT_OK;
}

/* Parses argv[1..] of a cert command (argv[0] is its name). */
static int parse_args(cert_args_t *a, int argc, char **argv)
{
    bool opts_done = false;
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help_cmd(a->cmd, stdout);
            return CERT_HELP_SHOWN;
        }
    a->pos = tool_xcalloc((size_t)argc, sizeof *a->pos);
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (!opts_done && !strcmp(arg, "--")) {
            opts_done = true;
            continue;
        }
        if (opts_done || arg[0] != '-' || !arg[1]) {
            a->pos[a->n_pos++] = arg;
            continue;
        }
        const cert_opt_t *o = NULL;
        char *inl = NULL;
        if (arg[1] == '-') {
            char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            for (size_t k = 0; k < N_CERT_OPTS; k++)
                if (strlen(cert_opts[k].name) == len && !strncmp(cert_opts[k].name, arg + 2, len))
                    o = &cert_opts[k];
            inl = eq ? eq + 1 : NULL;
        }
        if (!o)
            return bad(a, "unknown option '%s'", arg);
        if (!(o->cmds & a->cmd))
            return bad(a, "option '--%s' is not valid for mqtls cert %s", o->name, a->cmd_name);
        char *v = NULL;
        if (o->has_arg) {
            if (inl) {
                v = inl;
            } else {
                if (i + 1 >= argc)
                    return bad(a, "option '%s' needs an argument", arg);
                v = argv[++i];
            }
        } else if (inl) {
            return bad(a, "option '--%s' does not take a value", o->name);
        }
        int rc = apply_opt(a, o, arg, v);
        if (rc)
            return rc;
    }
    if (!a->pass && (a->cmd & (C_SHOW | C_CONVERT | C_CHECK))) {
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

static const struct {
    const char *name;
    unsigned cmd;
} cert_cmds[] = {{"show", C_SHOW}, {"convert", C_CONVERT}, {"check", C_CHECK}, {"embed", C_EMBED}};

#define N_CERT_CMDS (sizeof cert_cmds / sizeof cert_cmds[0])

int tool_cert_main(int argc, char **argv)
{
    if (argc < 2) {
        help_main(stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        help_main(stdout);
        return TOOL_EXIT_OK;
    }
    if (!strcmp(sub, "help")) {
        if (argc < 3) {
            help_main(stdout);
            return TOOL_EXIT_OK;
        }
        for (size_t i = 0; i < N_CERT_CMDS; i++)
            if (!strcmp(argv[2], cert_cmds[i].name)) {
                help_cmd(cert_cmds[i].cmd, stdout);
                return TOOL_EXIT_OK;
            }
        return bad(NULL, "unknown cert command '%s' (use show, convert, check or embed)", argv[2]);
    }
    cert_args_t a;
    memset(&a, 0, sizeof a);
    for (size_t i = 0; i < N_CERT_CMDS; i++)
        if (!strcmp(sub, cert_cmds[i].name)) {
            a.cmd = cert_cmds[i].cmd;
            a.cmd_name = cert_cmds[i].name;
        }
    if (!a.cmd)
        return bad(NULL, "unknown cert command '%s' (use show, convert, check or embed)", sub);

    int rc = parse_args(&a, argc - 1, argv + 1);
    if (rc == CERT_HELP_SHOWN) {
        rc = TOOL_EXIT_OK;
    } else if (rc == TOOL_EXIT_OK) {
        switch (a.cmd) {
        case C_SHOW: rc = cmd_show(&a); break;
        case C_CONVERT: rc = cmd_convert(&a); break;
        case C_CHECK: rc = cmd_check(&a); break;
        default: rc = cmd_embed(&a); break;
        }
    }
    args_free(&a);
    if (fflush(stdout) != 0 && rc == TOOL_EXIT_OK)
        rc = TOOL_EXIT_ERROR;
    return rc;
}
