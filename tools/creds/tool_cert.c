/**
 * @file tool_cert.c
 * @brief `mqtls cert`: show, convert, check and embed certificates and keys (see
 *        tool_cert.h, docs/cli.md).
 *
 * Files are read with tool_credfile_load() (tool_x509.c): the format is told by content and
 * every PEM block is decoded on its own. Everything about a certificate comes from OpenSSL:
 * its extensions through X509_get_ext_d2i() (GENERAL_NAMES, EXTENDED_KEY_USAGE, ...), the
 * chain through X509_verify_cert(), the key pair through EVP_PKEY_eq().
 */
#include "creds/tool_cert.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <mqtls/transport_tls.h>

#include "common/tool_util.h"
#include "creds/tool_x509.h"

#define MARK_OK "\xE2\x9C\x93"   /* ✓ */
#define MARK_FAIL "\xE2\x9C\x97" /* ✗ */
#define MARK_WARN "!"

/* Who refuses an RSA key below 2048 bits. */
#define WEAK_RSA_WHO                                                                           \
    "refused by AWS IoT, by OpenSSL at Debian's default security level and by Mbed TLS's "    \
    "default profile"

/* A clock before this (2020-01-01) is taken as unset. */
#define CLOCK_SANE 1577836800LL

/* ---- commands and arguments ---------------------------------------------------------- */

enum cert_cmd { C_SHOW = 1u, C_CONVERT = 2u, C_CHECK = 4u, C_EMBED = 8u };

/** Returned by the parser when --help was printed. */
#define CERT_HELP_SHOWN (-1)

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

/* ---- words for certificates ------------------------------------------------------------- */

static const char *plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

static int64_t not_before(const X509 *crt)
{
    return tool_x509_time_to_unix(X509_get0_notBefore(crt));
}

static int64_t not_after(const X509 *crt)
{
    return tool_x509_time_to_unix(X509_get0_notAfter(crt));
}

/** Validity against @p now in words; *state: 0 valid, 1 expired, -1 not yet valid. */
static void validity_words(const X509 *crt, int64_t now, char *out, size_t size, int *state)
{
    int64_t nb = not_before(crt), na = not_after(crt);
    if (now < nb) {
        int64_t d = (nb - now + 86399) / 86400;
        snprintf(out, size, "not yet valid (starts in %lld day%s)", (long long)d, plural(d));
        *state = -1;
    } else if (now > na) {
        int64_t d = (now - na) / 86400;
        if (d == 0)
            snprintf(out, size, "expired less than a day ago");
        else
            snprintf(out, size, "expired %lld day%s ago", (long long)d, plural(d));
        *state = 1;
    } else {
        int64_t d = (na - now) / 86400;
        snprintf(out, size, "valid, %lld day%s left", (long long)d, plural(d));
        *state = 0;
    }
}

static void subject_of(const X509 *crt, char *out, size_t size)
{
    tool_x509_name(X509_get_subject_name(crt), out, size);
}

static void issuer_of(const X509 *crt, char *out, size_t size)
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
static void san_words(const X509 *crt, tool_buf_t *b)
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

/* The keyUsage bits in RFC 5280's order (bit 0 = digitalSignature). */
enum { KU_DIGSIG = 0, KU_KEYAGREE = 4, KU_N = 9 };

/** The keyUsage extension: false when absent; *malformed when OpenSSL cannot read it. */
static bool key_usage(const X509 *crt, bool bits[KU_N], bool *malformed)
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

static void ku_words(const bool bits[KU_N], bool malformed, tool_buf_t *b)
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
static bool eku_words(const X509 *crt, tool_buf_t *b, bool *client)
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

static void bc_words(const X509 *crt, char *out, size_t size, bool *is_ca)
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
    san_words(crt, &b);
    field(in, "subject-alt-name:", b.len ? b.p : "(none)");
    b.len = 0;
    bool ku[KU_N], malformed;
    if (key_usage(crt, ku, &malformed)) {
        ku_words(ku, malformed, &b);
        field(in, "key-usage:", b.p);
    } else {
        field(in, "key-usage:", "(none: any)");
    }
    b.len = 0;
    bool client;
    if (eku_words(crt, &b, &client))
        field(in, "ext-key-usage:", b.p);
    else
        field(in, "ext-key-usage:", "(none: any)");
    tool_buf_free(&b);
    bool is_ca;
    bc_words(crt, buf, sizeof buf, &is_ca);
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

    subject_of(crt, buf, sizeof buf);
    field(in, "subject:", buf);
    issuer_of(crt, buf, sizeof buf);
    field(in, "issuer:", buf);
    serial_words(crt, buf, sizeof buf);
    field(in, "serial:", buf);
    tool_x509_format_time(not_before(crt), false, buf, sizeof buf);
    field(in, "not-before:", buf);
    tool_x509_format_time(not_after(crt), false, buf, sizeof buf);
    field(in, "not-after:", buf);
    validity_words(crt, now, buf, sizeof buf, &state);
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

/* Shows one file; returns its status. */
static int show_file(const cert_args_t *a, const char *path)
{
    tool_credfile_t f;
    char buf[600];
    tool_credfile_load(&f, path, a->pass);
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
            show_cert(o, a->now, in);
            break;
        case TOOL_OBJ_CSR:
            if (f.n_objs == 1)
                field(in, "type:", "certificate signing request (CSR)");
            show_csr(o, in);
            break;
        case TOOL_OBJ_PRIVKEY:
        case TOOL_OBJ_PUBKEY:
            show_key(o, in, a->pass != NULL);
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
                  plural((int64_t)f.trailing));
    int rc = f.status;
    tool_credfile_free(&f);
    return rc;
}

static int cmd_show(const cert_args_t *a)
{
    if (a->n_pos == 0)
        return bad(a, "missing FILE: mqtls cert show FILE...");
    int rc = TOOL_EXIT_OK;
    for (size_t i = 0; i < a->n_pos; i++) {
        if (show_file(a, a->pos[i]) != TOOL_EXIT_OK)
            rc = TOOL_EXIT_USAGE;
    }
    if (a->at_set) {
        char t[40];
        tool_x509_format_time(a->now, false, t, sizeof t);
        printf("\n(validity judged at %s, --at)\n", t);
    }
    return rc;
}

/* ---- convert -------------------------------------------------------------------------------- */

/* The DER of @p o to write, and its structure (a decrypted PKCS#8 key is re-encoded by
 * OpenSSL as PKCS#1 or SEC1). @return 0, or -1 when OpenSSL cannot encode it. */
static int obj_der(const tool_obj_t *o, tool_blob_t *der, tool_form_t *form)
{
    if (o->kind == TOOL_OBJ_PRIVKEY && o->decrypted)
        return tool_obj_key_der(o, der, form);
    tool_blob_set(der, o->der.p, o->der.len);
    *form = o->form;
    return 0;
}

/* The structure a decrypted key is written in (see tool_obj_key_der()). */
static tool_form_t written_form(const tool_obj_t *o)
{
    if (o->form != TOOL_FORM_KEY_PKCS8_ENC || !o->pk_ok)
        return o->form;
    int id = EVP_PKEY_get_base_id(o->pk);
    return id == EVP_PKEY_RSA ? TOOL_FORM_KEY_PKCS1
           : id == EVP_PKEY_EC ? TOOL_FORM_KEY_SEC1 : TOOL_FORM_KEY_PKCS8;
}

static bool usable(const tool_obj_t *o)
{
    return o->kind == TOOL_OBJ_CERT || o->kind == TOOL_OBJ_CSR || o->kind == TOOL_OBJ_PRIVKEY ||
           o->kind == TOOL_OBJ_PUBKEY;
}

/* Reports why a loaded file cannot be converted or embedded; TOOL_EXIT_OK if it can.
 * @p need_open: an encrypted key must have been opened. */
static int input_problem(const tool_credfile_t *f, const char *path, bool need_open)
{
    char buf[200];
    if (!f->read_ok || f->why[0])
        return tool_usage_err("'%s': %s", path, f->why);
    for (size_t i = 0; i < f->n_objs; i++) {
        const tool_obj_t *o = &f->objs[i];
        if (o->kind == TOOL_OBJ_BROKEN)
            return tool_usage_err("'%s': %s", path, o->why);
        if (o->kind == TOOL_OBJ_PRIVKEY && o->err)
            return tool_usage_err("'%s': the private key: %s", path, o->why);
        if (need_open && o->kind == TOOL_OBJ_PRIVKEY && o->encrypted && !o->decrypted)
            return tool_usage_err("'%s' is an encrypted %s: give its passphrase with --passin "
                                  "(or MQTLS_KEYPASS)", path, tool_obj_describe(o, buf, sizeof buf));
    }
    return TOOL_EXIT_OK;
}

/* The objects of @p f as one output: DER (the first usable object) or PEM (all of them). */
static int encode_output(const tool_credfile_t *f, bool to_der, tool_blob_t *out, bool *secret,
                         bool *decrypted, const char *in_path, const char *out_path)
{
    tool_buf_t pem = {NULL, 0, 0};
    char e[200], d[200];
    size_t n_usable = 0;
    *secret = *decrypted = false;
    for (size_t i = 0; i < f->n_objs; i++)
        n_usable += usable(&f->objs[i]);
    for (size_t i = 0; i < f->n_objs; i++) {
        const tool_obj_t *o = &f->objs[i];
        if (!usable(o)) {
            tool_warn("'%s': the PEM '%s' block is not written (%s)", in_path, o->label, o->why);
            continue;
        }
        tool_blob_t der = {NULL, 0};
        tool_form_t form;
        int rc = obj_der(o, &der, &form);
        if (rc) {
            tool_buf_free(&pem);
            tool_err("cannot encode the %s: %s", tool_obj_describe(o, d, sizeof d),
                     tool_x509_ossl_error(e, sizeof e));
            return TOOL_EXIT_ERROR;
        }
        *secret = *secret || o->kind == TOOL_OBJ_PRIVKEY;
        *decrypted = *decrypted || o->decrypted;
        if (to_der) {
            if (n_usable > 1) {
                char what[300];
                if (o->kind == TOOL_OBJ_CERT) {
                    subject_of(o->crt, d, sizeof d);
                    snprintf(what, sizeof what, "the certificate %s", d);
                } else {
                    snprintf(what, sizeof what, "the %s", tool_obj_describe(o, d, sizeof d));
                }
                tool_warn("'%s' holds %zu objects, and DER holds one: only the first, %s, is "
                          "written to '%s'", in_path, n_usable, what, out_path);
            }
            *out = der;
            tool_buf_free(&pem);
            return TOOL_EXIT_OK;
        }
        tool_blob_t armoured = {NULL, 0};
        rc = tool_x509_der_to_pem(tool_x509_pem_label(o->kind, form), &der, &armoured);
        tool_blob_free(&der);
        if (rc) {
            tool_buf_free(&pem);
            tool_err("cannot encode PEM: %s", tool_x509_ossl_error(e, sizeof e));
            return TOOL_EXIT_ERROR;
        }
        tool_buf_add(&pem, armoured.p, armoured.len);
        tool_blob_free(&armoured);
    }
    tool_blob_set(out, pem.p, pem.len);
    if (pem.p)
        OPENSSL_cleanse(pem.p, pem.len);
    tool_buf_free(&pem);
    return TOOL_EXIT_OK;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int cmd_convert(const cert_args_t *a)
{
    if (a->n_pos < 2)
        return bad(a, "missing %s: mqtls cert convert IN OUT", a->n_pos ? "OUT" : "IN and OUT");
    if (a->n_pos > 2)
        return bad(a, "unexpected argument '%s'", a->pos[2]);
    const char *in = a->pos[0], *out = a->pos[1];
    tool_credfile_t f;
    tool_blob_t data = {NULL, 0};
    char buf[200];
    bool secret = false, decrypted = false, opened = false;
    tool_credfile_load(&f, in, a->pass);
    int rc = input_problem(&f, in, true);
    if (rc)
        goto done;
    bool to_der = a->to ? a->to == 'd' : f.is_pem;
    if ((rc = encode_output(&f, to_der, &data, &secret, &decrypted, in, out)) != 0)
        goto done;
    if (a->pass && a->pass_opt) {
        bool any_enc = false;
        for (size_t i = 0; i < f.n_objs; i++)
            any_enc = any_enc || f.objs[i].encrypted;
        if (!any_enc)
            tool_warn("'%s' is not encrypted: --passin is not needed", in);
    }
    if (!a->force && exists(out)) {
        tool_err("'%s' already exists: use --force to replace it", out);
        rc = TOOL_EXIT_ERROR;
        goto done;
    }
    rc = tool_x509_write_file(out, data.p, data.len, secret, a->force, &opened);
    if (rc) {
        if (opened)
            unlink(out);
        goto done;
    }
    if (decrypted)
        tool_warn("the private key is written to '%s' UNENCRYPTED (as %s): protect the file",
                  out, tool_x509_form_name(written_form(tool_credfile_first(&f, TOOL_OBJ_PRIVKEY))));
    printf("%s (%s) -> %s (%s, %zu bytes%s)\n", in, tool_credfile_summary(&f, buf, sizeof buf),
           out, to_der ? "DER" : "PEM", data.len, secret ? ", mode 0600" : "");
done:
    tool_blob_free(&data);
    tool_credfile_free(&f);
    return rc;
}

/* ---- check ----------------------------------------------------------------------------------- */

typedef struct check {
    unsigned passed, failed, warned;
    tool_check_sink_t sink;
    void *ctx;
    bool chain_warn_only;
} check_t;

enum { CK_OK = TOOL_CHECK_OK, CK_FAIL = TOOL_CHECK_FAIL, CK_WARN = TOOL_CHECK_WARN };

static void emit(check_t *c, tool_check_kind_t kind, const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    c->sink(c->ctx, kind, line);
}

static void mark(check_t *c, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void mark(check_t *c, int kind, const char *fmt, ...)
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

static void evid(check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void evid(check_t *c, const char *fmt, ...)
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
        mark(c, CK_FAIL, "%s '%s': %s", role, path, f->why);
        for (size_t i = 0; i < f->n_objs; i++)
            if (f->objs[i].kind == TOOL_OBJ_BROKEN)
                evid(c, "%s", f->objs[i].why);
        return false;
    }
    tool_credfile_summary(f, sum, sizeof sum);
    bool broken = false;
    for (size_t i = 0; i < f->n_objs; i++)
        broken = broken || f->objs[i].kind == TOOL_OBJ_BROKEN;
    if (broken) {
        mark(c, CK_FAIL, "%s '%s' does not parse: %s", role, path, sum);
        for (size_t i = 0; i < f->n_objs; i++)
            if (f->objs[i].kind == TOOL_OBJ_BROKEN)
                evid(c, "%s", f->objs[i].why);
        return false;
    }
    const tool_obj_t *o = tool_credfile_first(f, want);
    if (!o) {
        mark(c, CK_FAIL, "%s '%s' holds no %s: it is %s", role, path, tool_obj_kind_name(want), sum);
        if (want == TOOL_OBJ_CERT && tool_credfile_first(f, TOOL_OBJ_PRIVKEY))
            evid(c, "it is a private key: are --cert and --key swapped?");
        else if (want == TOOL_OBJ_PRIVKEY && tool_credfile_first(f, TOOL_OBJ_CERT))
            evid(c, "it is a certificate: are --cert and --key swapped?");
        else if (want == TOOL_OBJ_CERT && tool_credfile_first(f, TOOL_OBJ_CSR))
            evid(c, "a CSR is a request for a certificate: send it to the CA and use the "
                 "certificate it returns");
        return false;
    }
    if (want == TOOL_OBJ_PRIVKEY && o->encrypted && !o->decrypted) {
        if (o->err)
            mark(c, CK_FAIL, "%s '%s' (%s, %s): %s", role, path, sum, tool_obj_describe(o, d, sizeof d),
                 o->why);
        else
            mark(c, CK_FAIL, "%s '%s' is encrypted (%s): give its passphrase with --keypass or "
                 "MQTLS_KEYPASS", role, path, o->enc_alg);
        return false;
    }
    mark(c, CK_OK, "%s '%s': %s", role, path, sum);
    size_t k = 0, n_certs = tool_credfile_count(f, TOOL_OBJ_CERT);
    for (size_t i = 0; i < f->n_objs; i++) {
        const tool_obj_t *x = &f->objs[i];
        if (x->kind == TOOL_OBJ_CERT) {
            char num[24] = "";
            if (n_certs > 1)
                snprintf(num, sizeof num, "[%zu] ", ++k);
            subject_of(x->crt, s1, sizeof s1);
            issuer_of(x->crt, s2, sizeof s2);
            evid(c, "%s%s (issuer %s)", num, s1, s2);
        } else if (x->kind == TOOL_OBJ_OTHER) {
            evid(c, "%s", x->why);
        } else {
            evid(c, "%s", tool_obj_describe(x, d, sizeof d));
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
        mark(c, CK_WARN, "'%s' is named .pem but holds DER", f->path);
        evid(c, "%s", why);
    } else if (ext_is(ext, "der") && f->is_pem) {
        mark(c, CK_WARN, "'%s' is named .der but holds PEM", f->path);
        evid(c, "%s", why);
    }
    if ((ext_is(ext, "crt") || ext_is(ext, "cer") || ext_is(ext, "cert")) && !has_cert && has_key)
        mark(c, CK_WARN, "'%s' is named like a certificate (.%s) but holds a private key", f->path,
             ext);
    else if (ext_is(ext, "key") && !has_key && has_cert)
        mark(c, CK_WARN, "'%s' is named like a key (.key) but holds a certificate", f->path);
    else if (ext_is(ext, "csr") && !tool_credfile_first(f, TOOL_OBJ_CSR))
        mark(c, CK_WARN, "'%s' is named like a CSR (.csr) but holds none", f->path);
}

/* Every certificate of @p f but @p skip, as a stack (file order); NULL if none. */
static STACK_OF(X509) *certs_of(const tool_credfile_t *f, const X509 *skip)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    for (size_t i = 0; sk && i < f->n_objs; i++)
        if (f->objs[i].kind == TOOL_OBJ_CERT && f->objs[i].crt != skip)
            (void)sk_X509_push(sk, f->objs[i].crt);
    return sk;
}

static bool aws_issued(const X509 *crt)
{
    char issuer[512];
    issuer_of(crt, issuer, sizeof issuer);
    return strstr(issuer, "OU=Amazon Web Services") != NULL;
}

/* OpenSSL's verification of @p leaf (the rest of @p cert as untrusted intermediates)
 * against the certificates of @p ca, dates aside (they are checked one by one below). */
typedef struct chain_result {
    int error;                 /* X509_V_OK or the first error */
    int error_depth;
    STACK_OF(X509) *built;     /* the chain as built (on success) */
} chain_result_t;

static void verify_chain(const X509 *leaf, const tool_credfile_t *cert,
                         const tool_credfile_t *ca, chain_result_t *res)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = certs_of(cert, leaf);
    res->error = X509_V_ERR_UNSPECIFIED;
    res->error_depth = 0;
    res->built = NULL;
    for (size_t i = 0; store && i < ca->n_objs; i++)
        if (ca->objs[i].kind == TOOL_OBJ_CERT)
            (void)X509_STORE_add_cert(store, ca->objs[i].crt);
    ERR_clear_error(); /* a CA given twice is no error */
    if (store && ctx && X509_STORE_CTX_init(ctx, store, (X509 *)leaf, untrusted) == 1) {
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
        /* Dates are judged one by one below (against --at); a CA file that holds an
         * intermediate is an anchor, as the TLS backends take it. */
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
        if (X509_verify_cert(ctx) == 1) {
            res->error = X509_V_OK;
            res->built = X509_STORE_CTX_get1_chain(ctx);
        } else {
            res->error = X509_STORE_CTX_get_error(ctx);
            res->error_depth = X509_STORE_CTX_get_error_depth(ctx);
        }
    }
    ERR_clear_error();
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
}

/* Why the chain does not verify: the certificates, the CA file, a same-name CA. */
static void chain_evidence(check_t *c, const X509 *leaf, const tool_credfile_t *cert,
                           const tool_credfile_t *ca, const chain_result_t *res, bool aws)
{
    char s[512];
    for (size_t i = 0; i < cert->n_objs; i++) {
        const X509 *x = cert->objs[i].crt;
        if (cert->objs[i].kind != TOOL_OBJ_CERT)
            continue;
        subject_of(x, s, sizeof s);
        evid(c, "%s %s", x == leaf ? "certificate:" : "chain cert: ", s);
        issuer_of(x, s, sizeof s);
        evid(c, "  issued by: %s", s);
    }
    for (size_t i = 0; i < ca->n_objs; i++)
        if (ca->objs[i].kind == TOOL_OBJ_CERT) {
            subject_of(ca->objs[i].crt, s, sizeof s);
            evid(c, "CA file:     %s", s);
        }
    bool no_issuer = res->error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                     res->error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
                     res->error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
                     res->error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
                     res->error == X509_V_ERR_CERT_SIGNATURE_FAILURE;
    bool named = false;
    for (size_t i = 0; no_issuer && !named && i < cert->n_objs; i++)
        for (size_t k = 0; cert->objs[i].kind == TOOL_OBJ_CERT && !named && k < ca->n_objs; k++)
            if (ca->objs[k].kind == TOOL_OBJ_CERT &&
                X509_NAME_cmp(X509_get_issuer_name(cert->objs[i].crt),
                              X509_get_subject_name(ca->objs[k].crt)) == 0 &&
                X509_verify(cert->objs[i].crt, X509_get0_pubkey(ca->objs[k].crt)) != 1) {
                named = true;
                subject_of(ca->objs[k].crt, s, sizeof s);
                evid(c, "the CA file holds a CA named '%s', but its key did not sign the "
                     "certificate: a different CA with the same name (made again?)", s);
            }
    ERR_clear_error();
    if (no_issuer && !named && !aws)
        evid(c, "none of the CA file's certificates is the certificate's issuer: use the CA "
             "that issued it (or add the missing intermediate to --cert)");
    evid(c, "OpenSSL: %s (at depth %d)", X509_verify_cert_error_string(res->error),
         res->error_depth);
}

static bool check_chain(check_t *c, const X509 *leaf, const tool_credfile_t *cert,
                        const tool_credfile_t *ca)
{
    chain_result_t res;
    char s[512];
    verify_chain(leaf, cert, ca, &res);
    if (res.error == X509_V_OK) {
        int n = sk_X509_num(res.built);
        mark(c, CK_OK, "the certificate chains to the CA file (dates aside: see below)");
        for (int d = 0; d < n; d++) {
            subject_of(sk_X509_value(res.built, d), s, sizeof s);
            evid(c, "%s%s%s", d ? "issued by " : "", s, d == n - 1 ? " (in the CA file)" : "");
        }
        sk_X509_pop_free(res.built, X509_free);
        return true;
    }
    bool aws = (res.error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                res.error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) && aws_issued(leaf);
    if (aws)
        mark(c, CK_WARN, "the certificate was issued by AWS IoT, whose issuing CA is not in "
             "the CA file: AWS checks it; the CA file verifies the broker");
    else if (c->chain_warn_only)
        mark(c, CK_WARN, "the certificate does not chain to the CA file (the broker may "
             "trust another CA for its clients)");
    else
        mark(c, CK_FAIL, "the certificate does not chain to the CA file");
    chain_evidence(c, leaf, cert, ca, &res, aws);
    return false;
}

/* Returns 0 valid, 1 expired, -1 not yet valid. */
static int check_dates_of(check_t *c, const X509 *crt, const char *what, int64_t now)
{
    char s[256], v[80], nb[40], na[40];
    int state;
    subject_of(crt, s, sizeof s);
    validity_words(crt, now, v, sizeof v, &state);
    tool_x509_format_time(not_before(crt), false, nb, sizeof nb);
    tool_x509_format_time(not_after(crt), false, na, sizeof na);
    mark(c, state == 0 ? CK_OK : CK_FAIL, "%s %s: %s", what, s, v);
    evid(c, "valid from %s to %s", nb, na);
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
        mark(c, CK_FAIL, "%s: %s, below 2048 bits", what, k);
        evid(c, "AWS IoT refuses RSA keys under 2048 bits; OpenSSL at Debian's default security "
             "level and Mbed TLS's default profile reject them when verifying");
        return true;
    }
    if (print_ok)
        mark(c, CK_OK, "%s: %s", what, k);
    return false;
}

static void check_usage(check_t *c, const X509 *crt)
{
    tool_buf_t b = {NULL, 0, 0};
    bool client;
    if (!eku_words(crt, &b, &client)) {
        mark(c, CK_OK, "extended key usage: none, so any use (client authentication included)");
    } else if (client) {
        mark(c, CK_OK, "extended key usage allows TLS client authentication");
        evid(c, "extendedKeyUsage: %s", b.p);
    } else {
        mark(c, CK_FAIL, "extended key usage does not allow TLS client authentication");
        evid(c, "extendedKeyUsage: %s (clientAuth is missing: brokers refuse it as a client "
             "certificate)", b.p);
    }
    b.len = 0;
    bool ku[KU_N], malformed;
    if (key_usage(crt, ku, &malformed)) {
        ku_words(ku, malformed, &b);
        if (ku[KU_DIGSIG] || ku[KU_KEYAGREE]) {
            mark(c, CK_OK, "key usage allows signing the TLS handshake");
        } else {
            mark(c, CK_FAIL, "key usage does not allow digitalSignature");
            evid(c, "a client certificate's key signs the handshake (CertificateVerify): brokers "
                 "refuse it");
        }
        evid(c, "keyUsage: %s", b.p);
    }
    tool_buf_free(&b);
    bool is_ca;
    char bc[80];
    bc_words(crt, bc, sizeof bc, &is_ca);
    if (is_ca)
        mark(c, CK_WARN, "the certificate is a CA certificate (%s), not an end-entity one", bc);
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Whether the certificate's extendedKeyUsage names serverAuth: a certificate meant for a
 * broker, whose names a client checks against the host it connects to. */
static bool for_servers(const X509 *crt)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(crt, NID_ext_key_usage, NULL, NULL);
    bool server = false;
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++)
        server = server || OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == NID_server_auth;
    EXTENDED_KEY_USAGE_free(eku);
    ERR_clear_error();
    return server;
}

/* --host and a server certificate: do its names cover the host, as a TLS client checks them
 * (RFC 6125 through X509_check_host; an IP literal against the iPAddress names)? */
static void check_host_names(check_t *c, const X509 *crt, const char *host)
{
    char h[256];
    tool_buf_t names = {NULL, 0, 0};
    if (!for_servers(crt))
        return;
    snprintf(h, sizeof h, "%s", host);
    size_t n = strlen(h);
    if (n > 1 && h[n - 1] == '.')
        h[n - 1] = '\0';
    int r = X509_check_ip_asc((X509 *)crt, h, 0);
    bool ip = r != -2;
    if (!ip)
        r = X509_check_host((X509 *)crt, h, 0, 0, NULL);
    ERR_clear_error();
    san_words(crt, &names);
    if (r == 1) {
        mark(c, CK_OK, "the certificate's names cover --host %s", host);
    } else {
        mark(c, CK_FAIL, "the certificate's names do not cover --host %s", host);
        evid(c, "a client connecting to %s refuses a broker that presents it (%s)", host,
             ip ? "an IP address must be an iPAddress subjectAltName"
                : "the host must match a DNS subjectAltName");
    }
    evid(c, "subjectAltName: %s", names.len ? names.p : "(none)");
    tool_buf_free(&names);
}

/* --host: for AWS IoT endpoints, whether the CA file holds the root they chain to. */
static void check_host(check_t *c, const char *host, const tool_credfile_t *ca)
{
    char h[256];
    snprintf(h, sizeof h, "%s", host);
    size_t n = strlen(h);
    if (n && h[n - 1] == '.')
        h[n - 1] = '\0';
    bool aws = ends_with_ci(h, ".amazonaws.com") || ends_with_ci(h, ".amazonaws.com.cn");
    if (!aws)
        return;
    if (!ca || !ca->read_ok || ca->why[0]) {
        mark(c, CK_WARN, "--host %s is an AWS IoT endpoint: give --cafile to check its root", host);
        return;
    }
    const char *first_dot = strchr(h, '.');
    size_t label = first_dot ? (size_t)(first_dot - h) : n;
    bool ats = label >= 4 && strncasecmp(h + label - 4, "-ats", 4) == 0;
    bool amazon = false, starfield = false, verisign = false;
    size_t n_ca = 0;
    for (size_t i = 0; i < ca->n_objs; i++) {
        const tool_obj_t *o = &ca->objs[i];
        char s[512];
        if (o->kind != TOOL_OBJ_CERT)
            continue;
        n_ca++;
        subject_of(o->crt, s, sizeof s);
        if (strstr(s, "CN=Amazon Root CA 1") || strstr(s, "CN=Amazon Root CA 3"))
            amazon = true;
        else if (strstr(s, "Starfield Services Root Certificate Authority - G2"))
            starfield = true;
        else if (strstr(s, "VeriSign Class 3 Public Primary Certification Authority - G5"))
            verisign = true;
    }
    if (ats) {
        if (amazon || starfield) {
            mark(c, CK_OK, "--host %s is an AWS IoT ATS endpoint, and the CA file holds %s", host,
                 amazon ? "Amazon Root CA 1/3" : "Starfield Services Root G2");
        } else if (verisign && n_ca == 1) {
            mark(c, CK_WARN, "--host %s is an AWS IoT ATS endpoint, but the CA file holds only the "
                 "VeriSign Class 3 G5 root of the legacy endpoints", host);
            evid(c, "ATS endpoints chain to Amazon Root CA 1 (RSA) or 3 (ECC), cross-signed by "
                 "Starfield G2: trust AmazonRootCA1.pem (https://www.amazontrust.com/repository/)");
        } else {
            mark(c, CK_WARN, "--host %s is an AWS IoT ATS endpoint, but the CA file holds none of "
                 "Amazon Root CA 1/3 or Starfield Services Root G2", host);
            evid(c, "the handshake will fail with 'server certificate not trusted': trust "
                 "AmazonRootCA1.pem (https://www.amazontrust.com/repository/)");
        }
    } else if (verisign) {
        mark(c, CK_WARN, "--host %s is a legacy (non-ATS) AWS IoT endpoint: it chains to VeriSign "
             "Class 3 G5, which the CA file holds, but AWS recommends the -ats endpoint", host);
        evid(c, "`aws iot describe-endpoint --endpoint-type iot:Data-ATS` gives its name; it "
             "chains to Amazon Root CA 1/3");
    } else {
        mark(c, CK_WARN, "--host %s looks like a legacy (non-ATS) AWS IoT endpoint, which chains "
             "to VeriSign Class 3 G5: the CA file does not hold it", host);
        evid(c, "use the -ats endpoint (`aws iot describe-endpoint --endpoint-type "
             "iot:Data-ATS`), which chains to Amazon Root CA 1/3%s",
             amazon || starfield ? " (in the CA file)" : "");
    }
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
        mark(c, CK_OK, "the private key belongs to the certificate");
        evid(c, "public key %s, sha256 %s", k1, h1);
        return true;
    }
    mark(c, CK_FAIL, "the private key does not belong to the certificate");
    evid(c, "the certificate's public key: %s, sha256 %s", k1, h1);
    evid(c, "the private key's public key: %s, sha256 %s", k2, h2);
    return false;
}

void tool_cert_check(const tool_cert_check_opts_t *o, tool_cert_check_result_t *r)
{
    check_t cc = {0, 0, 0, o->sink ? o->sink : print_sink, o->ctx, o->chain_warn_only};
    check_t *c = &cc;
    tool_credfile_t ca, cert, key;
    bool ca_ok = false, cert_ok = false, key_ok = false;
    memset(r, 0, sizeof *r);
    memset(&ca, 0, sizeof ca);
    memset(&cert, 0, sizeof cert);
    memset(&key, 0, sizeof key);

    if (o->now < CLOCK_SANE) {
        char t[40];
        tool_x509_format_time(o->now, false, t, sizeof t);
        r->clock_unset = true;
        mark(c, CK_WARN, "the %s says %s: it looks unset (before 2020)", o->at_set ? "date given "
             "with --at" : "local clock", t);
        evid(c, "every certificate then looks not yet valid; a device needs a set clock (NTP/SNTP) "
             "for TLS too");
    }
    if (o->cafile)
        ca_ok = check_load(c, &ca, o->cafile, "CA file", TOOL_OBJ_CERT, NULL);
    if (o->certfile)
        cert_ok = check_load(c, &cert, o->certfile, "certificate", TOOL_OBJ_CERT, NULL);
    if (o->keyfile)
        key_ok = check_load(c, &key, o->keyfile, "private key", TOOL_OBJ_PRIVKEY, o->pass);
    r->files_ok = (!o->cafile || ca_ok) && (!o->certfile || cert_ok) && (!o->keyfile || key_ok);
    if (o->cafile)
        check_name(c, &ca);
    if (o->certfile)
        check_name(c, &cert);
    if (o->keyfile)
        check_name(c, &key);

    const tool_obj_t *leaf = cert_ok ? tool_credfile_first(&cert, TOOL_OBJ_CERT) : NULL;
    const tool_obj_t *pk = key_ok ? tool_credfile_first(&key, TOOL_OBJ_PRIVKEY) : NULL;
    if (leaf && pk)
        r->key_mismatch = !check_pair(c, leaf, pk);
    if (leaf && ca_ok)
        r->chain_ok = check_chain(c, leaf->crt, &cert, &ca);

    /* Dates: the certificate (and its chain) and each CA certificate. */
    for (size_t i = 0; cert_ok && i < cert.n_objs; i++)
        if (cert.objs[i].kind == TOOL_OBJ_CERT) {
            bool is_leaf = &cert.objs[i] == leaf;
            int state = check_dates_of(c, cert.objs[i].crt,
                                       is_leaf ? "certificate" : "chain certificate", o->now);
            if (is_leaf && state)
                r->cert_flags = state > 0 ? MQTLS_TLS_BAD_EXPIRED : MQTLS_TLS_BAD_FUTURE;
        }
    for (size_t i = 0; ca_ok && i < ca.n_objs; i++)
        if (ca.objs[i].kind == TOOL_OBJ_CERT)
            check_dates_of(c, ca.objs[i].crt, "CA", o->now);

    /* Keys. */
    if (leaf)
        r->key_too_small = check_key_size(c, leaf->pk, "certificate key", true);
    else if (pk)
        r->key_too_small = check_key_size(c, pk->pk, "private key", true);
    for (size_t i = 0; cert_ok && i < cert.n_objs; i++)
        if (cert.objs[i].kind == TOOL_OBJ_CERT && &cert.objs[i] != leaf)
            check_key_size(c, cert.objs[i].pk, "chain certificate key", false);
    for (size_t i = 0; ca_ok && i < ca.n_objs; i++) {
        const tool_obj_t *x = &ca.objs[i];
        char s[256], what[300];
        bool is_ca;
        if (x->kind != TOOL_OBJ_CERT)
            continue;
        subject_of(x->crt, s, sizeof s);
        snprintf(what, sizeof what, "CA %s key", s);
        check_key_size(c, x->pk, what, false);
        bc_words(x->crt, what, sizeof what, &is_ca);
        if (!is_ca) {
            mark(c, CK_WARN, "'%s' in the CA file is not a CA certificate (basicConstraints: %s)",
                 s, what);
            evid(c, "TLS libraries trust it only for itself, not as the issuer of other "
                 "certificates");
        }
    }
    if (ca_ok && tool_credfile_first(&ca, TOOL_OBJ_PRIVKEY))
        mark(c, CK_WARN, "the CA file '%s' also holds a private key: a CA's key does not belong "
             "with a client", o->cafile);

    if (leaf)
        check_usage(c, leaf->crt);
    if (o->host && leaf)
        check_host_names(c, leaf->crt, o->host);
    if (o->host)
        check_host(c, o->host, o->cafile ? &ca : NULL);

    r->passed = c->passed;
    r->failed = c->failed;
    r->warned = c->warned;
    tool_credfile_free(&ca);
    tool_credfile_free(&cert);
    tool_credfile_free(&key);
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

/* ---- embed ------------------------------------------------------------------------------------ */

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
static char *embed_ident(const char *prefix, const char *path)
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
    if ((rc = input_problem(&f, it->path, false)) != 0) {
        tool_credfile_free(&f);
        return rc;
    }
    tool_x509_sha256_hex((const unsigned char *)f.raw.p, f.raw.len, it->file_sha);
    const tool_obj_t *first = NULL;
    for (size_t i = 0; i < f.n_objs && !first; i++)
        if (usable(&f.objs[i]))
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
        rc = encode_output(&f, true, &it->data, &secret, &decrypted, it->path, it->ident);
        out_pem = false;
    } else if (to_pem && !f.is_pem) {
        bool secret, decrypted;
        rc = encode_output(&f, false, &it->data, &secret, &decrypted, it->path, it->ident);
        out_pem = true;
    } else {
        tool_blob_set(&it->data, f.raw.p, f.raw.len);
        out_pem = f.is_pem;
        if (f.trailing)
            tool_warn("'%s': %zu byte%s after the DER object are embedded too (Mbed TLS ignores "
                      "them)", it->path, f.trailing, plural((int64_t)f.trailing));
    }
    if (rc == 0 && out_pem && (it->data.len == 0 || it->data.p[it->data.len - 1] != '\0')) {
        /* tool_blob_set() left a NUL after the bytes: count it. */
        it->data.len++;
    }
    if (rc == 0) {
        size_t n_usable = 0;
        for (size_t i = 0; i < f.n_objs; i++)
            n_usable += usable(&f.objs[i]);
        tool_obj_describe(first, d, sizeof d);
        if (crt && first == crt)
            subject_of(crt->crt, subj, sizeof subj);
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

    size_t n = a->n_pos;
    embed_item_t *items = tool_xcalloc(n, sizeof *items);
    char *h_path = NULL, *c_path = NULL;
    tool_buf_t hb = {NULL, 0, 0}, cb = {NULL, 0, 0};
    bool secret = false, h_opened = false, c_opened = false;
    int rc = TOOL_EXIT_OK;

    for (size_t i = 0; i < n && !rc; i++) {
        items[i].path = a->pos[i];
        items[i].ident = embed_ident(a->name, a->pos[i]);
        for (size_t k = 0; k < i && !rc; k++)
            if (!strcmp(items[k].ident, items[i].ident))
                rc = bad(a, "'%s' and '%s' would both be named %s: rename one file (or embed "
                            "them with different --name prefixes)", items[k].path, items[i].path,
                         items[i].ident);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        rc = embed_prepare(a, &items[i]);
        secret = secret || items[i].secret;
    }
    if (rc)
        goto done;

    tool_buf_t p = {NULL, 0, 0};
    tool_buf_printf(&p, "%s.h", out);
    h_path = p.p;
    p = (tool_buf_t){NULL, 0, 0};
    tool_buf_printf(&p, "%s.c", out);
    c_path = p.p;
    if (!a->force && (exists(h_path) || exists(c_path))) {
        tool_err("'%s' already exists: use --force to replace it", exists(h_path) ? h_path : c_path);
        rc = TOOL_EXIT_ERROR;
        goto done;
    }

    /* The include guard: the file name, upper case, identifier-safe. */
    char guard[160];
    size_t g = 0;
    if (base[0] >= '0' && base[0] <= '9')
        g += (size_t)snprintf(guard, sizeof guard, "EMBED_");
    for (const char *q = base; *q && g + 3 < sizeof guard; q++) {
        char ch = *q;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        guard[g++] = ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) ? ch : '_';
    }
    snprintf(guard + g, sizeof guard - g, "_H");

    static const char banner[] =
        "/* Generated by `mqtls cert embed`: do not edit.\n"
        " * PEM arrays end with their NUL, counted in _len (Mbed TLS needs it); DER is as is.\n"
        " * For mqtls_tls_cfg_t: .ca_mem = X, .ca_mem_len = X_len (likewise cert_mem, key_mem). */\n";
    tool_buf_printf(&hb, "%s#ifndef %s\n#define %s\n\n#include <stddef.h>\n\n#ifdef __cplusplus\n"
                    "extern \"C\" {\n#endif\n\n", banner, guard, guard);
    tool_buf_printf(&cb, "%s#include \"%s.h\"\n\n", banner, base);
    for (size_t i = 0; i < n; i++) {
        char safe[600];
        comment_safe(items[i].path, safe, sizeof safe);
        tool_buf_printf(&hb, "/* %s: %s */\nextern const unsigned char %s[];\n"
                        "extern const size_t %s_len;\n\n", safe, items[i].what, items[i].ident,
                        items[i].ident);
        write_array(&cb, &items[i]);
    }
    tool_buf_printf(&hb, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");

    rc = tool_x509_write_file(h_path, hb.p, hb.len, false, a->force, &h_opened);
    if (!rc)
        rc = tool_x509_write_file(c_path, cb.p, cb.len, secret, a->force, &c_opened);
    if (rc) {
        if (h_opened)
            unlink(h_path);
        if (c_opened)
            unlink(c_path);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        printf("%-32s %6zu bytes  %s (%s)\n", items[i].ident, items[i].data.len, items[i].path,
               items[i].what);
    printf("wrote %s and %s\n", h_path, c_path);
    if (secret)
        tool_warn("'%s' embeds a private key: it was written with mode 0600; keep it out of "
                  "version control", c_path);
done:
    for (size_t i = 0; i < n; i++) {
        free(items[i].ident);
        tool_blob_free(&items[i].data);
    }
    free(items);
    free(h_path);
    free(c_path);
    if (cb.p)
        OPENSSL_cleanse(cb.p, cb.len);
    tool_buf_free(&hb);
    tool_buf_free(&cb);
    return rc;
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
