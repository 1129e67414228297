/**
 * @file tool_pki.c
 * @brief `mqtls pki`: a local CA, broker certificates and device certificates written the
 *        way `aws iot create-keys-and-certificate` writes them (see tool_pki.h, docs/pki.md).
 *
 * Everything is made with OpenSSL 3 (libcrypto), whatever TLS backend the library uses:
 * keys with EVP_PKEY_Q_keygen, certificates with X509_new and the typed extension
 * structures (GENERAL_NAMES, EXTENDED_KEY_USAGE, AUTHORITY_KEYID, ...) added with
 * X509_add1_ext_i2d, signatures with X509_sign, and PEM with OpenSSL's writers. The CA is
 * read with OpenSSL's decoders, so any certificate and unencrypted key it reads will do.
 *
 * Order of work in each command: check the arguments, load the CA, check that no output
 * file exists (unless --force), make the key and the certificate, verify the certificate
 * against the CA with X509_verify_cert (for the purpose it is made for), and only then
 * write the files. A failed write removes the files this run wrote, so a directory never
 * holds a key without its certificate.
 */
#include "creds/tool_pki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "common/tool_util.h"
#include "creds/tool_x509.h"

/* ---- commands and arguments ---------------------------------------------------------- */

/** The pki commands (bit values: an option lists the commands it applies to). */
enum pki_cmd { PKI_INIT = 1u, PKI_SERVER = 2u, PKI_DEVICE = 4u };

#define PKI_ALL (PKI_INIT | PKI_SERVER | PKI_DEVICE)
#define PKI_LEAF (PKI_SERVER | PKI_DEVICE)

/** Returned by the parser when --help was printed. */
#define PKI_HELP_SHOWN (-1)

#define DEFAULT_CA_CN "mqtls local CA"
#define DEFAULT_CA_DAYS 3650u
#define DEFAULT_DAYS 365u
#define MAX_DAYS 36500u
#define CN_MAX 64 /* RFC 5280 ub-common-name */
/* The last second X.509 can express: 9999-12-31T23:59:59Z. */
#define TIME_MAX 253402300799LL
/* The first second accepted: 2000-01-01T00:00:00Z (UTCTime/GeneralizedTime per RFC 5280). */
#define TIME_MIN 946684800LL

/** An --ip address. */
typedef struct pki_ip {
    const char *text;
    uint8_t addr[16];
    uint8_t len; /* 4 or 16 */
} pki_ip_t;

/** Everything a command line gave. */
typedef struct pki_args {
    unsigned cmd;
    const char *cmd_name;
    const char *dir;
    const char *name;        /* device NAME */
    unsigned rsa_bits;       /* 0: EC P-256 */
    bool rsa_set, ec_set;
    const char *cn;          /* init --cn */
    uint32_t days;
    bool days_set;
    int64_t not_before, not_after;
    bool nb_set, na_set;
    const char **names;      /* server --name, in order */
    size_t n_names;
    pki_ip_t *ips;           /* server --ip, in order */
    size_t n_ips;
    const char *out;         /* server --out PREFIX */
    const char *ca_dir;      /* device --ca-dir */
    bool force;
} pki_args_t;

static void args_free(pki_args_t *a)
{
    free(a->names);
    free(a->ips);
}

/* ---- help ------------------------------------------------------------------------------ */

static const char pki_exit_help[] =
    "Exit status:\n"
    "  0   success\n"
    "  1   runtime failure: a file cannot be written, an output file already exists\n"
    "      (use --force), key generation or signing failed, the new certificate does\n"
    "      not verify against the CA (nothing is written then)\n"
    "  2   bad arguments or unusable input (unknown option, bad date or size, missing or\n"
    "      broken CA)\n";

static const char pki_dates_help[] =
    "  --days N                  validity in days from the start (default: %u)\n"
    "  --not-before DATE         start of validity (default: now)\n"
    "  --not-after DATE          end of validity (instead of --days)\n"
    "  --force                   replace existing files\n"
    "  -h, --help                show this help\n"
    "\n"
    "DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, in UTC (a trailing Z is accepted).\n\n";

static void help_main(FILE *out)
{
    fputs("Usage: mqtls pki init DIR [options]\n"
          "       mqtls pki server DIR --name HOST [options]\n"
          "       mqtls pki device DIR NAME [options]\n"
          "       mqtls pki COMMAND --help\n"
          "\n"
          "A local certificate authority: makes a root CA, broker (server) certificates and\n"
          "device certificates laid out like `aws iot create-keys-and-certificate` writes them.\n"
          "Keys are EC P-256 unless --rsa BITS is given.\n"
          "\n"
          "Commands:\n"
          "  init     create a root CA in DIR (ca.key, ca.crt, ca.der)\n"
          "  server   a broker key and certificate signed by the CA in DIR\n"
          "  device   a device key and certificate in DIR/NAME, signed by the CA in DIR\n"
          "\n", out);
    fputs(pki_exit_help, out);
}

static void help_cmd(unsigned cmd, FILE *out)
{
    switch (cmd) {
    case PKI_INIT:
        fputs("Usage: mqtls pki init DIR [options]\n"
              "\n"
              "Creates a self-signed root CA in DIR (created if missing):\n"
              "  DIR/ca.key   its private key (PEM, mode 0600)\n"
              "  DIR/ca.crt   its certificate (PEM): CA:TRUE, keyCertSign and cRLSign\n"
              "  DIR/ca.der   the same certificate in DER\n"
              "\n"
              "Options:\n"
              "  --cn NAME                 the CA's common name (default: \"" DEFAULT_CA_CN "\")\n"
              "  --rsa BITS                an RSA key of 2048, 3072 or 4096 bits (default: EC\n"
              "                            P-256)\n", out);
        fprintf(out, pki_dates_help, DEFAULT_CA_DAYS);
        break;
    case PKI_SERVER:
        fputs("Usage: mqtls pki server DIR --name HOST [--name HOST]... [--ip ADDR]... [options]\n"
              "\n"
              "Makes a broker key and certificate signed by the CA in DIR:\n"
              "  DIR/server.crt   the certificate (PEM): the names and addresses as\n"
              "                   subjectAltName, CN = the first name, serverAuth\n"
              "  DIR/server.key   its private key (PEM, mode 0600)\n"
              "\n"
              "Options:\n"
              "  --name HOST               a DNS name (repeatable; '*.example.com' allowed)\n"
              "  --ip ADDR                 an IPv4 or IPv6 address (repeatable)\n"
              "  --out PREFIX              write PREFIX.crt and PREFIX.key instead\n"
              "  --rsa BITS                an RSA key of 2048, 3072 or 4096 bits\n"
              "  --ec                      an EC P-256 key (the default)\n", out);
        fprintf(out, pki_dates_help, DEFAULT_DAYS);
        break;
    default:
        fputs("Usage: mqtls pki device DIR NAME [options]\n"
              "\n"
              "Makes a device key and certificate (CN = NAME, clientAuth) signed by the CA in\n"
              "DIR, written as `aws iot create-keys-and-certificate --certificate-pem-outfile\n"
              "cert.crt --private-key-outfile private.key --public-key-outfile public.key`\n"
              "would write them, plus DER copies:\n"
              "  DIR/NAME/cert.crt      the certificate (PEM)\n"
              "  DIR/NAME/private.key   the private key (PEM; RSA: PKCS#1, EC: SEC1; mode 0600)\n"
              "  DIR/NAME/public.key    the public key (PEM)\n"
              "  DIR/NAME/cert.der      the certificate (DER)\n"
              "  DIR/NAME/private.der   the private key (DER; mode 0600)\n"
              "Prints the certificate id (SHA-256 of the DER certificate, as AWS IoT shows it).\n"
              "NAME: 1 to 64 of A-Z a-z 0-9 . _ : - (not starting with '.').\n"
              "\n"
              "Options:\n"
              "  --ca-dir CADIR            use the CA in CADIR instead of DIR\n"
              "  --rsa BITS                an RSA key of 2048, 3072 or 4096 bits\n"
              "  --ec                      an EC P-256 key (the default)\n", out);
        fprintf(out, pki_dates_help, DEFAULT_DAYS);
        break;
    }
    fputs(pki_exit_help, out);
}

/** Prints "Error: ..." and the --help hint; returns TOOL_EXIT_USAGE. */
static int bad(const pki_args_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const pki_args_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tool_vbad("pki", a ? a->cmd_name : NULL, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- names and addresses --------------------------------------------------------------- */

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A DNS name: labels of letters, digits, '-' and '_', at most 63 long, 253 in all; the
 * first label may be '*' (a wildcard). */
static bool valid_dns_name(const char *s)
{
    size_t n = strlen(s), label = 0;
    if (n == 0 || n > 253)
        return false;
    const char *p = s;
    if (p[0] == '*' && p[1] == '.')
        p += 2;
    for (; *p; p++) {
        if (*p == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        if (!is_alnum(*p) && *p != '-' && *p != '_')
            return false;
        if (++label > 63)
            return false;
    }
    return label > 0;
}

/* A device name: it becomes a directory and the CN. */
static bool valid_device_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CN_MAX || s[0] == '.')
        return false;
    for (const char *p = s; *p; p++)
        if (!is_alnum(*p) && !strchr("._:-", *p))
            return false;
    return true;
}

/* A CA common name: plain characters, so that every tool prints the name without escapes. */
static bool valid_ca_cn(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CN_MAX || s[0] == ' ' || s[n - 1] == ' ')
        return false;
    for (const char *p = s; *p; p++)
        if (!is_alnum(*p) && !strchr(" ._:-()@/'&", *p))
            return false;
    return true;
}

static bool parse_ip(const char *s, pki_ip_t *ip)
{
    ip->text = s;
    if (inet_pton(AF_INET, s, ip->addr) == 1) {
        ip->len = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, ip->addr) == 1) {
        ip->len = 16;
        return true;
    }
    return false;
}

/* ---- option parsing -------------------------------------------------------------------- */

enum pki_opt_id {
    OPT_CA_DIR, OPT_CN, OPT_DAYS, OPT_EC, OPT_FORCE, OPT_IP, OPT_NAME, OPT_NOT_AFTER,
    OPT_NOT_BEFORE, OPT_OUT, OPT_RSA
};

typedef struct pki_opt {
    const char *name; /* without "--" */
    enum pki_opt_id id;
    unsigned cmds;
    bool has_arg;
} pki_opt_t;

static const pki_opt_t pki_opts[] = {
    {"ca-dir", OPT_CA_DIR, PKI_DEVICE, true},
    {"cn", OPT_CN, PKI_INIT, true},
    {"days", OPT_DAYS, PKI_ALL, true},
    {"ec", OPT_EC, PKI_LEAF, false},
    {"force", OPT_FORCE, PKI_ALL, false},
    {"ip", OPT_IP, PKI_SERVER, true},
    {"name", OPT_NAME, PKI_SERVER, true},
    {"not-after", OPT_NOT_AFTER, PKI_ALL, true},
    {"not-before", OPT_NOT_BEFORE, PKI_ALL, true},
    {"out", OPT_OUT, PKI_SERVER, true},
    {"rsa", OPT_RSA, PKI_ALL, true},
};

#define N_PKI_OPTS (sizeof pki_opts / sizeof pki_opts[0])

static int apply_opt(pki_args_t *a, const pki_opt_t *o, const char *arg, const char *v)
{
    switch (o->id) {
    case OPT_CA_DIR:
        if (!*v)
            return bad(a, "%s: the directory name is empty", arg);
        a->ca_dir = v;
        break;
    case OPT_CN:
        if (!valid_ca_cn(v))
            return bad(a, "invalid CA name '%s' for %s (1 to %d of letters, digits, spaces and "
                          ". _ : - ( ) @ / ' &)", v, arg, CN_MAX);
        a->cn = v;
        break;
    case OPT_DAYS:
        if (!tool_parse_u32(v, 1, MAX_DAYS, &a->days))
            return bad(a, "invalid number of days '%s' for %s (1..%u)", v, arg, MAX_DAYS);
        a->days_set = true;
        break;
    case OPT_EC:
        a->ec_set = true;
        break;
    case OPT_FORCE:
        a->force = true;
        break;
    case OPT_IP:
        a->ips = tool_xrealloc(a->ips, (a->n_ips + 1) * sizeof *a->ips);
        if (!parse_ip(v, &a->ips[a->n_ips]))
            return bad(a, "invalid IP address '%s' for %s (use an IPv4 or IPv6 address, e.g. "
                          "127.0.0.1 or ::1)", v, arg);
        a->n_ips++;
        break;
    case OPT_NAME:
        if (!valid_dns_name(v))
            return bad(a, "invalid host name '%s' for %s (labels of letters, digits, '-' and "
                          "'_', separated by '.'; the first may be '*')", v, arg);
        if (a->n_names == 0 && strlen(v) > CN_MAX)
            return bad(a, "the first --name '%s' becomes the CN, which is limited to %d "
                          "characters: put a shorter name first", v, CN_MAX);
        a->names = tool_xrealloc(a->names, (a->n_names + 1) * sizeof *a->names);
        a->names[a->n_names++] = v;
        break;
    case OPT_NOT_AFTER:
    case OPT_NOT_BEFORE: {
        int64_t t;
        if (!tool_x509_parse_date(v, &t))
            return bad(a, "invalid date '%s' for %s (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC, "
                          "year 2000 or later)", v, arg);
        if (o->id == OPT_NOT_AFTER) {
            a->not_after = t;
            a->na_set = true;
        } else {
            a->not_before = t;
            a->nb_set = true;
        }
        break;
    }
    case OPT_OUT:
        if (!*v)
            return bad(a, "%s: the prefix is empty", arg);
        a->out = v;
        break;
    case OPT_RSA: {
        uint32_t bits = 0;
        if (!tool_parse_u32(v, 0, UINT32_MAX, &bits) || bits < 2048 || bits > 4096 ||
            bits % 1024 != 0)
            return bad(a, "invalid RSA key size '%s' for %s (use 2048, 3072 or 4096)", v, arg);
        a->rsa_bits = bits;
        a->rsa_set = true;
        break;
    }
    }
    return TOOL_EXIT_OK;
}

/* Parses argv[1..] of a pki command (argv[0] is its name). */
static int parse_args(pki_args_t *a, int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    int npos = 0, max_pos = a->cmd == PKI_DEVICE ? 2 : 1;
    bool opts_done = false;

    /* --help wins over anything else on the line. */
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help_cmd(a->cmd, stdout);
            return PKI_HELP_SHOWN;
        }

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!opts_done && !strcmp(arg, "--")) {
            opts_done = true;
            continue;
        }
        if (opts_done || arg[0] != '-' || !arg[1]) {
            if (npos == max_pos)
                return bad(a, "unexpected argument '%s'", arg);
            pos[npos++] = arg;
            continue;
        }
        const pki_opt_t *o = NULL;
        const char *inl = NULL;
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            for (size_t k = 0; k < N_PKI_OPTS; k++)
                if (strlen(pki_opts[k].name) == len && !strncmp(pki_opts[k].name, arg + 2, len))
                    o = &pki_opts[k];
            inl = eq ? eq + 1 : NULL;
        }
        if (!o)
            return bad(a, "unknown option '%s'", arg);
        if (!(o->cmds & a->cmd))
            return bad(a, "option '--%s' is not valid for mqtls pki %s", o->name, a->cmd_name);
        const char *v = NULL;
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

    if (npos < 1)
        return bad(a, "missing DIR: mqtls pki %s DIR%s", a->cmd_name,
                   a->cmd == PKI_DEVICE ? " NAME" : "");
    a->dir = pos[0];
    if (!*a->dir)
        return bad(a, "DIR is empty");
    if (a->cmd == PKI_DEVICE) {
        if (npos < 2)
            return bad(a, "missing device NAME: mqtls pki device DIR NAME");
        a->name = pos[1];
        if (!valid_device_name(a->name))
            return bad(a, "invalid device name '%s' (1 to %d of letters, digits, '.', '_', ':' "
                          "and '-', not starting with '.')", a->name, CN_MAX);
    }
    if (a->rsa_set && a->ec_set)
        return bad(a, "use --rsa or --ec, not both");
    if (a->cmd == PKI_SERVER && a->n_names == 0 && a->n_ips == 0)
        return bad(a, "mqtls pki server needs at least one --name HOST (or --ip ADDR)");

    /* Validity. */
    if (a->days_set && a->na_set)
        return bad(a, "use --days or --not-after, not both");
    if (!a->nb_set) {
        a->not_before = (int64_t)time(NULL);
        if (a->not_before < TIME_MIN || a->not_before > TIME_MAX)
            return bad(a, "the system clock is outside 2000..9999: give --not-before");
    }
    if (!a->na_set) {
        uint32_t days = a->days_set ? a->days : a->cmd == PKI_INIT ? DEFAULT_CA_DAYS : DEFAULT_DAYS;
        a->not_after = a->not_before + (int64_t)days * 86400;
        if (a->not_after > TIME_MAX)
            return bad(a, "the validity would end after 9999-12-31: use fewer --days");
    }
    if (a->not_after <= a->not_before) {
        char nb[40], na[40];
        tool_x509_format_time(a->not_before, false, nb, sizeof nb);
        tool_x509_format_time(a->not_after, false, na, sizeof na);
        return bad(a, "the validity ends (%s) before it starts (%s)", na, nb);
    }
    return TOOL_EXIT_OK;
}

/* ---- helpers: errors, memory, paths, files --------------------------------------------- */

static char *path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    char *p = tool_xmalloc(dl + nl + 2);
    memcpy(p, dir, dl);
    if (!slash)
        p[dl++] = '/';
    memcpy(p + dl, name, nl + 1);
    return p;
}

static char *path_cat(const char *prefix, const char *suffix)
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    char *p = tool_xmalloc(pl + sl + 1);
    memcpy(p, prefix, pl);
    memcpy(p + pl, suffix, sl + 1);
    return p;
}

/* mkdir -p: creates @p path and its missing parents. */
static int make_dirs(const char *path)
{
    char *p = tool_xstrdup(path);
    int rc = TOOL_EXIT_OK;
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';
        if (*s != '/' && !end)
            continue;
        char keep = *s;
        *s = '\0';
        struct stat st;
        if (mkdir(p, 0755) != 0) {
            int err = errno;
            if (err != EEXIST) {
                tool_err("cannot create directory '%s': %s", p, strerror(err));
                rc = TOOL_EXIT_ERROR;
                break;
            }
            if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
                tool_err("cannot create directory '%s': %s", p, strerror(ENOTDIR));
                rc = TOOL_EXIT_ERROR;
                break;
            }
        }
        *s = keep;
        if (end)
            break;
        while (s[1] == '/')
            s++;
        if (s[1] == '\0')
            break;
    }
    free(p);
    return rc;
}

/** One file to write. */
typedef struct pki_file {
    char *path;
    const tool_blob_t *data;
    bool secret;     /* a private key: mode 0600 */
    const char *label; /* for the summary printed at the end */
    bool written;
} pki_file_t;

/* Fails when an output file exists and --force was not given. */
static int check_outputs(const pki_args_t *a, const pki_file_t *f, size_t n, const char *what)
{
    if (a->force)
        return TOOL_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (lstat(f[i].path, &st) == 0) {
            tool_err("'%s' already exists: use --force to replace %s", f[i].path, what);
            return TOOL_EXIT_ERROR;
        }
    }
    return TOOL_EXIT_OK;
}

static int write_one(const pki_args_t *a, pki_file_t *f)
{
    return tool_x509_write_file(f->path, f->data->p, f->data->len, f->secret, a->force,
                                &f->written);
}

/* Writes every file; on a failure removes the ones this run wrote. */
static int write_all(const pki_args_t *a, pki_file_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (write_one(a, &f[i]) == TOOL_EXIT_OK)
            continue;
        for (size_t k = 0; k <= i; k++)
            if (f[k].written)
                unlink(f[k].path);
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

static void files_free(pki_file_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i].path);
}

/* ---- OpenSSL errors ----------------------------------------------------------------------- */

/* OpenSSL's reason for the last failure ("wrong tag", "unsupported"), or @p fallback when
 * its queue is empty. Empties the queue, so the next failure is not explained by this one. */
static const char *ossl_why(char *buf, size_t size, const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    if (reason)
        snprintf(buf, size, "%s", reason);
    else if (e)
        ERR_error_string_n(e, buf, size);
    else
        snprintf(buf, size, "%s", fallback);
    ERR_clear_error();
    return buf;
}

/* ---- keys and their encodings ------------------------------------------------------------ */

static EVP_PKEY *gen_key(unsigned rsa_bits)
{
    char e[200];
    EVP_PKEY *key;
    if (rsa_bits) {
        if (rsa_bits > 2048)
            tool_note("Generating an RSA %u key (this can take a while)...", rsa_bits);
        key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)rsa_bits);
    } else {
        key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    }
    if (!key)
        tool_err("cannot generate the key: %s", ossl_why(e, sizeof e, "unknown error"));
    return key;
}

/* Copies what an i2d function put in an OpenSSL buffer into @p b, wipes and frees it. */
static bool take_i2d(unsigned char *p, int len, tool_blob_t *b)
{
    if (len <= 0 || !p)
        return false;
    tool_blob_set(b, p, (size_t)len);
    OPENSSL_clear_free(p, (size_t)len);
    return true;
}

/* PEM armour around @p der by OpenSSL's writer (64 columns, as `openssl x509` writes it),
 * built in a secure-memory BIO, which wipes its buffer when freed (it may hold a key). */
static bool to_pem(const char *label, const tool_blob_t *der, tool_blob_t *pem)
{
    BIO *bio = BIO_new(BIO_s_secmem());
    char *p = NULL;
    bool ok = bio && PEM_write_bio(bio, label, "", der->p, (long)der->len) > 0;
    long n = ok ? BIO_get_mem_data(bio, &p) : 0;
    ok = ok && n > 0 && p;
    if (ok)
        tool_blob_set(pem, p, (size_t)n);
    BIO_free(bio);
    return ok;
}

/* The private key as DER and PEM (PKCS#1 for RSA, SEC1 for EC: i2d_PrivateKey's
 * type-specific form, what `openssl rsa|ec -traditional` writes), and the public key PEM. */
typedef struct pki_keyfiles {
    tool_blob_t der, pem, pub_pem;
} pki_keyfiles_t;

static void keyfiles_free(pki_keyfiles_t *k)
{
    tool_blob_free(&k->der);
    tool_blob_free(&k->pem);
    tool_blob_free(&k->pub_pem);
}

static int encode_key(EVP_PKEY *key, pki_keyfiles_t *k, bool want_pub)
{
    char e[200];
    unsigned char *p = NULL;
    tool_blob_t pub_der = {NULL, 0};
    bool rsa = EVP_PKEY_is_a(key, "RSA");
    int len = i2d_PrivateKey(key, &p);
    bool ok = take_i2d(p, len, &k->der) &&
              to_pem(rsa ? "RSA PRIVATE KEY" : "EC PRIVATE KEY", &k->der, &k->pem);
    if (ok && want_pub) {
        p = NULL;
        len = i2d_PUBKEY(key, &p);
        ok = take_i2d(p, len, &pub_der) && to_pem("PUBLIC KEY", &pub_der, &k->pub_pem);
        tool_blob_free(&pub_der);
    }
    if (!ok) {
        tool_err("cannot encode the key: %s", ossl_why(e, sizeof e, "unknown error"));
        keyfiles_free(k);
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* ---- certificate extensions ------------------------------------------------------------- */

/* Adds one extension from its typed value; OpenSSL encodes it. */
static bool add_ext(X509 *x, int nid, void *value, bool critical)
{
    return X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) == 1;
}

/* basicConstraints: critical CA:TRUE for the CA; CA:FALSE (an empty SEQUENCE) otherwise. */
static bool set_basic_constraints(X509 *x, bool ca)
{
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
    bool ok = bc != NULL;
    if (ok) {
        bc->ca = ca ? 0xFF : 0;
        ok = add_ext(x, NID_basic_constraints, bc, ca);
    }
    BASIC_CONSTRAINTS_free(bc);
    return ok;
}

/* KeyUsage bit numbers (RFC 5280 4.2.1.3). */
enum {
    KU_DIGITAL_SIGNATURE_BIT = 0,
    KU_KEY_ENCIPHERMENT_BIT = 2,
    KU_KEY_CERT_SIGN_BIT = 5,
    KU_CRL_SIGN_BIT = 6
};

/* keyUsage (critical) with the bits set in @p mask (1 << bit number). */
static bool set_key_usage(X509 *x, unsigned mask)
{
    ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
    bool ok = ku != NULL;
    for (int bit = 0; ok && bit < 9; bit++)
        if (mask & (1u << bit))
            ok = ASN1_BIT_STRING_set_bit(ku, bit, 1) == 1;
    ok = ok && add_ext(x, NID_key_usage, ku, true);
    ASN1_BIT_STRING_free(ku);
    return ok;
}

/* extKeyUsage with one purpose: serverAuth or clientAuth. */
static bool set_eku(X509 *x, int purpose_nid)
{
    EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
    ASN1_OBJECT *oid = OBJ_nid2obj(purpose_nid);
    bool ok = eku && oid && sk_ASN1_OBJECT_push(eku, oid) > 0 &&
              add_ext(x, NID_ext_key_usage, eku, false);
    sk_ASN1_OBJECT_free(eku); /* the OID is OpenSSL's static one */
    return ok;
}

/* Adds @p g to @p gens, or frees it. */
static bool push_name(GENERAL_NAMES *gens, GENERAL_NAME *g)
{
    if (g && sk_GENERAL_NAME_push(gens, g) > 0)
        return true;
    GENERAL_NAME_free(g);
    return false;
}

/* A GeneralName of @p type (GEN_DNS: an IA5String, GEN_IPADD: 4 or 16 bytes). */
static GENERAL_NAME *general_name(int type, const void *value, size_t len)
{
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_STRING *s = ASN1_STRING_type_new(type == GEN_DNS ? V_ASN1_IA5STRING : V_ASN1_OCTET_STRING);
    if (!g || !s || ASN1_STRING_set(s, value, (int)len) != 1) {
        GENERAL_NAME_free(g);
        ASN1_STRING_free(s);
        return NULL;
    }
    GENERAL_NAME_set0_value(g, type, s);
    return g;
}

/* subjectAltName: the --name entries as dNSName, then the --ip entries as iPAddress. */
static bool set_san(X509 *x, const pki_args_t *a)
{
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    bool ok = gens != NULL;
    for (size_t i = 0; ok && i < a->n_names; i++)
        ok = push_name(gens, general_name(GEN_DNS, a->names[i], strlen(a->names[i])));
    for (size_t i = 0; ok && i < a->n_ips; i++)
        ok = push_name(gens, general_name(GEN_IPADD, a->ips[i].addr, a->ips[i].len));
    ok = ok && add_ext(x, NID_subject_alt_name, gens, false);
    GENERAL_NAMES_free(gens);
    return ok;
}

/* The key identifier of @p x's public key: the SHA-1 of its subjectPublicKey bits (RFC 5280
 * 4.2.1.2, method 1), as `openssl x509 -extfile` computes subjectKeyIdentifier=hash. */
static ASN1_OCTET_STRING *key_id(const X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
    if (id && X509_pubkey_digest(x, EVP_sha1(), md, &len) == 1 &&
        ASN1_OCTET_STRING_set(id, md, (int)len) == 1)
        return id;
    ASN1_OCTET_STRING_free(id);
    return NULL;
}

/* authorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] } with the issuer's own
 * subjectKeyIdentifier @p id: chain builders (OpenSSL) match the two byte for byte. */
static bool set_aki(X509 *x, const ASN1_OCTET_STRING *id)
{
    if (!id)
        return true; /* no SKI on the CA: leave the AKI out rather than guess */
    AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
    bool ok = akid && (akid->keyid = ASN1_OCTET_STRING_dup(id)) != NULL &&
              add_ext(x, NID_authority_key_identifier, akid, false);
    AUTHORITY_KEYID_free(akid);
    return ok;
}

/* ---- certificates ----------------------------------------------------------------------- */

/** A CA as loaded from a directory. */
typedef struct pki_ca {
    X509 *crt;
    EVP_PKEY *key;
    char *crt_path;
    char *key_path;
} pki_ca_t;


/** What to certify. */
typedef struct cert_spec {
    unsigned kind;      /* PKI_INIT (the CA itself), PKI_SERVER or PKI_DEVICE */
    const char *cn;
    EVP_PKEY *key;      /* the subject's key */
    EVP_PKEY *ca_key;   /* the signer's key (== key for the CA) */
    X509 *ca;           /* the issuer, NULL when self-signed */
    const pki_args_t *args;
} cert_spec_t;

/* The extensions of each kind (the table in docs/pki.md). */
static bool add_extensions(X509 *x, const cert_spec_t *s)
{
    unsigned ku = 1u << KU_DIGITAL_SIGNATURE_BIT;
    ASN1_OCTET_STRING *ski = key_id(x);
    bool ok = ski && set_basic_constraints(x, s->kind == PKI_INIT) &&
              add_ext(x, NID_subject_key_identifier, ski, false);
    if (s->kind == PKI_INIT) {
        ok = ok && set_key_usage(x, 1u << KU_KEY_CERT_SIGN_BIT | 1u << KU_CRL_SIGN_BIT) &&
             set_aki(x, ski);
    } else {
        /* RSA key exchange (TLS 1.2 RSA suites) encrypts to the server's key. */
        if (s->kind == PKI_SERVER && EVP_PKEY_is_a(s->key, "RSA"))
            ku |= 1u << KU_KEY_ENCIPHERMENT_BIT;
        ok = ok && set_key_usage(x, ku) &&
             set_eku(x, s->kind == PKI_SERVER ? NID_server_auth : NID_client_auth) &&
             (s->kind != PKI_SERVER || set_san(x, s->args)) &&
             set_aki(x, X509_get0_subject_key_id(s->ca));
    }
    ASN1_OCTET_STRING_free(ski);
    return ok;
}

/* 16 random bytes, positive and with no leading zero byte. */
static bool set_serial(X509 *x)
{
    unsigned char sn[16];
    if (RAND_bytes(sn, sizeof sn) != 1)
        return false;
    sn[0] = (unsigned char)((sn[0] & 0x7F) | 0x40);
    BIGNUM *bn = BN_bin2bn(sn, sizeof sn, NULL);
    ASN1_INTEGER *serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    bool ok = serial && X509_set_serialNumber(x, serial) == 1;
    ASN1_INTEGER_free(serial);
    BN_free(bn);
    return ok;
}

/* notBefore and notAfter: UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
static bool set_validity(X509 *x, const pki_args_t *a)
{
    ASN1_TIME *nb = ASN1_TIME_set(NULL, (time_t)a->not_before);
    ASN1_TIME *na = ASN1_TIME_set(NULL, (time_t)a->not_after);
    bool ok = nb && na && X509_set1_notBefore(x, nb) == 1 && X509_set1_notAfter(x, na) == 1;
    ASN1_TIME_free(nb);
    ASN1_TIME_free(na);
    return ok;
}

/* Everything but the signature. The issuer of an issued certificate is the CA's subject as
 * it is encoded there (OpenSSL keeps a parsed name's encoding), not a round trip through
 * text, so a CA made elsewhere keeps its string types. */
static bool fill_cert(X509 *x, const cert_spec_t *s)
{
    X509_NAME *subject = X509_NAME_new();
    bool ok = subject &&
              X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                         (const unsigned char *)s->cn, -1, -1, 0) == 1 &&
              X509_set_version(x, X509_VERSION_3) == 1 && set_serial(x) &&
              X509_set_subject_name(x, subject) == 1 &&
              X509_set_issuer_name(x, s->ca ? X509_get_subject_name(s->ca) : subject) == 1 &&
              set_validity(x, s->args) && X509_set_pubkey(x, s->key) == 1 &&
              add_extensions(x, s);
    X509_NAME_free(subject);
    return ok;
}

/* Makes, signs (SHA-256 with the CA's key: ECDSA or RSA PKCS#1 v1.5) and encodes the
 * certificate. */
static int make_cert(const cert_spec_t *s, tool_blob_t *der)
{
    char e[200];
    unsigned char *p = NULL;
    X509 *x = X509_new();
    bool ok = x && fill_cert(x, s) && X509_sign(x, s->ca_key, EVP_sha256()) > 0;
    int len = ok ? i2d_X509(x, &p) : -1;
    X509_free(x);
    if (!take_i2d(p, len, der)) {
        tool_err("cannot make the certificate: %s", ossl_why(e, sizeof e, "unknown error"));
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* X509_verify_cert's verdict on @p crt with @p anchor as the one trusted certificate, for
 * the purpose of @p kind: X509_V_OK, or an X509_V_ERR_* code and in *depth where (0: @p crt,
 * 1: the anchor); -1 when it could not run. */
static int verify_against(X509 *crt, X509 *anchor, unsigned kind, int *depth)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int err = -1;
    if (store && ctx && X509_STORE_add_cert(store, anchor) == 1 &&
        X509_STORE_CTX_init(ctx, store, crt, NULL) == 1) {
        /* Dates are ignored: expired and not-yet-valid certificates are made on purpose. A
         * CA given with --ca-dir may be an intermediate: it is the anchor all the same. The
         * signature of a self-signed CA is checked too (OpenSSL skips it by default). */
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN |
                                          X509_V_FLAG_CHECK_SS_SIGNATURE);
        if (kind != PKI_INIT)
            X509_STORE_CTX_set_purpose(ctx, kind == PKI_SERVER ? X509_PURPOSE_SSL_SERVER
                                                               : X509_PURPOSE_SSL_CLIENT);
        if (X509_verify_cert(ctx) == 1)
            err = X509_V_OK;
        else if (X509_STORE_CTX_get_error(ctx) != X509_V_OK)
            err = X509_STORE_CTX_get_error(ctx);
        *depth = X509_STORE_CTX_get_error_depth(ctx);
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return err;
}

/* Parses what was made (the bytes that will be written) and verifies it against the CA
 * (itself for a new CA) as a TLS peer would: for a broker certificate the whole chain must
 * allow serverAuth, for a device certificate clientAuth. */
static int check_cert(const tool_blob_t *der, const pki_ca_t *ca, unsigned kind, X509 **out)
{
    char e[200];
    const unsigned char *p = der->p;
    X509 *crt = d2i_X509(NULL, &p, (long)der->len);
    if (!crt || p != der->p + der->len) {
        tool_err("the new certificate does not parse: %s", ossl_why(e, sizeof e, "extra bytes"));
        X509_free(crt);
        return TOOL_EXIT_ERROR;
    }
    int depth = 0, err = verify_against(crt, ca ? ca->crt : crt, kind, &depth);
    if (err < 0)
        tool_err("cannot verify the new certificate: %s", ossl_why(e, sizeof e, "unknown error"));
    else if (err != X509_V_OK && ca && depth > 0)
        tool_err("the new certificate does not verify against the CA: %s, found in the CA "
                 "certificate '%s'; nothing was written", X509_verify_cert_error_string(err),
                 ca->crt_path);
    else if (err != X509_V_OK)
        tool_err("the new certificate does not verify against the CA: %s; nothing was written",
                 X509_verify_cert_error_string(err));
    if (err != X509_V_OK) {
        X509_free(crt);
        return TOOL_EXIT_ERROR;
    }
    *out = crt;
    return TOOL_EXIT_OK;
}

/* ---- the CA ----------------------------------------------------------------------------- */

static void ca_free(pki_ca_t *ca)
{
    X509_free(ca->crt);
    EVP_PKEY_free(ca->key); /* OpenSSL wipes the key */
    free(ca->crt_path);
    free(ca->key_path);
}

/* Can @p path be opened for reading? Explains why not. */
static bool readable(const char *path, const char *dir, const char *what)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        bool reg = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        close(fd);
        if (reg)
            return true;
        tool_usage_err("no usable CA in '%s': the %s '%s' is not a regular file", dir, what, path);
        return false;
    }
    int err = errno;
    if (err == ENOENT)
        tool_usage_err("no CA in '%s': cannot read the %s '%s': %s (create one with "
                       "'mqtls pki init %s')", dir, what, path, strerror(err), dir);
    else
        tool_usage_err("cannot read the CA %s '%s': %s", what, path, strerror(err));
    return false;
}

/* A CA file larger than this is not a certificate or a key (and OpenSSL's memory BIO
 * takes an int length). */
#define CA_FILE_MAX (1024 * 1024)

/* Reads the whole of @p path; a usage error when it cannot. */
static int read_all(const char *path, const char *what, tool_buf_t *b)
{
    int err = tool_read_file(path, b);
    if (err)
        return tool_usage_err("cannot read the CA %s '%s': %s", what, path, strerror(err));
    if (b->len == 0)
        return tool_usage_err("the CA %s '%s' is empty", what, path);
    if (b->len > CA_FILE_MAX)
        return tool_usage_err("the CA %s '%s' is too large (%zu bytes) to be one", what, path,
                              b->len);
    return TOOL_EXIT_OK;
}

/* PEM by content: "-----BEGIN" somewhere in it. */
static bool is_pem(const tool_buf_t *b)
{
    static const char begin[] = "-----BEGIN";
    for (size_t i = 0; i + sizeof begin - 1 <= b->len; i++)
        if (!memcmp(b->p + i, begin, sizeof begin - 1))
            return true;
    return false;
}

/* The CA certificate: the first CERTIFICATE block of a PEM file, or a DER certificate. */
static int parse_ca_cert(pki_ca_t *ca, const tool_buf_t *raw)
{
    char e[200];
    bool pem = is_pem(raw);
    ERR_clear_error();
    if (pem) {
        BIO *bio = BIO_new_mem_buf(raw->p, (int)raw->len);
        ca->crt = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    } else {
        const unsigned char *p = (const unsigned char *)raw->p;
        ca->crt = d2i_X509(NULL, &p, (long)raw->len);
    }
    if (!ca->crt)
        return tool_usage_err("the CA certificate '%s' is not a usable certificate: %s (%s)",
                              ca->crt_path, pem ? "its first CERTIFICATE block is missing or broken"
                                                : "neither PEM nor a DER certificate",
                              ossl_why(e, sizeof e, "no certificate"));
    if (!(X509_get_extension_flags(ca->crt) & EXFLAG_CA))
        return tool_usage_err("'%s' is not a CA certificate (no basicConstraints CA:TRUE)",
                              ca->crt_path);
    return TOOL_EXIT_OK;
}

/* The pem_password_cb of the CA key: notes that a passphrase was asked for, gives none. */
static int no_passphrase(char *buf, int size, int rwflag, void *asked)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(bool *)asked = true;
    return -1;
}

/* The CA key: any private key OpenSSL's decoders read (PEM or DER; PKCS#1, SEC1, PKCS#8),
 * as long as it needs no passphrase and can sign with SHA-256 (RSA or EC). */
static int parse_ca_key(pki_ca_t *ca, const tool_buf_t *raw)
{
    char e[200];
    const unsigned char *p = (const unsigned char *)raw->p;
    size_t len = raw->len;
    bool asked = false;
    OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(&ca->key, NULL, NULL, NULL,
                                                         EVP_PKEY_KEYPAIR, NULL, NULL);
    ERR_clear_error();
    if (dc && OSSL_DECODER_CTX_set_pem_password_cb(dc, no_passphrase, &asked) == 1)
        (void)OSSL_DECODER_from_data(dc, &p, &len);
    OSSL_DECODER_CTX_free(dc);
    if (!ca->key && asked)
        return tool_usage_err("the CA key '%s' is encrypted: mqtls pki needs an unencrypted key",
                              ca->key_path);
    if (!ca->key)
        return tool_usage_err("the CA key '%s' is not a usable private key: %s (PEM or DER, "
                              "PKCS#1, SEC1 or PKCS#8)", ca->key_path,
                              ossl_why(e, sizeof e, "no private key found"));
    if (!EVP_PKEY_is_a(ca->key, "RSA") && !EVP_PKEY_is_a(ca->key, "EC"))
        return tool_usage_err("the CA key '%s' is an %s key: mqtls pki signs with RSA or EC "
                              "keys", ca->key_path, EVP_PKEY_get0_type_name(ca->key));
    return TOOL_EXIT_OK;
}

static int load_ca(pki_ca_t *ca, const char *dir)
{
    tool_buf_t crt = {NULL, 0, 0}, key = {NULL, 0, 0};
    ca->crt_path = path_join(dir, "ca.crt");
    ca->key_path = path_join(dir, "ca.key");
    if (!readable(ca->crt_path, dir, "certificate") || !readable(ca->key_path, dir, "private key"))
        return TOOL_EXIT_USAGE;
    int rc = read_all(ca->crt_path, "certificate", &crt);
    if (!rc)
        rc = parse_ca_cert(ca, &crt);
    if (!rc)
        rc = read_all(ca->key_path, "private key", &key);
    if (!rc)
        rc = parse_ca_key(ca, &key);
    if (!rc && X509_check_private_key(ca->crt, ca->key) != 1)
        rc = tool_usage_err("the CA key '%s' does not belong to the CA certificate '%s'",
                            ca->key_path, ca->crt_path);
    ERR_clear_error();
    if (key.p)
        OPENSSL_cleanse(key.p, key.cap);
    tool_buf_free(&key);
    tool_buf_free(&crt);
    return rc;
}

/* ---- output ----------------------------------------------------------------------------- */

static void print_field(const char *label, const char *value)
{
    printf("%-17s %s\n", label, value);
}

/* A name as "C=DE, O=Example\, Inc., CN=Root": in certificate order, RFC 4514 escapes,
 * UTF-8 kept. */
static void print_name(const char *label, const X509_NAME *name)
{
    const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
                                (ASN1_STRFLGS_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB);
    BIO *bio = BIO_new(BIO_s_mem());
    char *p = NULL;
    if (bio && X509_NAME_print_ex(bio, name, 0, flags) >= 0 && BIO_write(bio, "", 1) == 1 &&
        BIO_get_mem_data(bio, &p) > 0)
        print_field(label, p);
    else
        print_field(label, "?");
    BIO_free(bio);
}

/* The serial number as "49:A6:...:90" (uppercase hex bytes). */
static void print_serial(const X509 *crt)
{
    const ASN1_INTEGER *sn = X509_get0_serialNumber(crt);
    const unsigned char *p = ASN1_STRING_get0_data(sn);
    int n = ASN1_STRING_length(sn);
    char buf[3 * 64 + 1] = "";
    size_t at = 0;
    for (int i = 0; i < n && i < 64; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%02X", i ? ":" : "", p[i]);
    print_field("serial:", buf);
}

/* A certificate time as Unix time (0 if OpenSSL cannot read it). */
static int64_t time_to_unix(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return tool_x509_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                     (unsigned)tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

/* "RSA 2048", "EC P-256", "EC secp256k1", "ED25519". */
static void describe_key(const EVP_PKEY *key, char *out, size_t size)
{
    char group[64];
    size_t glen = 0;
    if (!key) {
        snprintf(out, size, "?");
    } else if (EVP_PKEY_is_a(key, "RSA")) {
        snprintf(out, size, "RSA %d", EVP_PKEY_get_bits(key));
    } else if (EVP_PKEY_is_a(key, "EC") &&
               EVP_PKEY_get_group_name(key, group, sizeof group, &glen) == 1) {
        const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
        snprintf(out, size, "EC %s", nist ? nist : group);
    } else {
        snprintf(out, size, "%s", EVP_PKEY_get0_type_name(key));
    }
}

static void print_cert(const X509 *crt, const tool_blob_t *der)
{
    char hex[65], buf[128];
    tool_x509_sha256_hex(der->p, der->len, hex);
    print_field("certificate-id:", hex);
    print_name("subject:", X509_get_subject_name(crt));
    print_name("issuer:", X509_get_issuer_name(crt));
    print_serial(crt);
    tool_x509_format_time(time_to_unix(X509_get0_notBefore(crt)), false, buf, sizeof buf);
    print_field("not-before:", buf);
    tool_x509_format_time(time_to_unix(X509_get0_notAfter(crt)), false, buf, sizeof buf);
    print_field("not-after:", buf);
    describe_key(X509_get0_pubkey(crt), buf, sizeof buf);
    print_field("key:", buf);
}

static void print_files(const pki_file_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        print_field(f[i].label, f[i].path);
}

/* Notes dates that make the certificate unusable now, or outlive the CA. */
static void warn_dates(const pki_args_t *a, const X509 *ca)
{
    int64_t now = (int64_t)time(NULL);
    char t[40];
    if (a->not_after <= now) {
        tool_x509_format_time(a->not_after, false, t, sizeof t);
        tool_warn("the certificate has already expired (not after %s)", t);
    } else if (a->not_before > now) {
        tool_x509_format_time(a->not_before, false, t, sizeof t);
        tool_warn("the certificate is not valid yet (not before %s)", t);
    }
    int64_t ca_end = ca ? time_to_unix(X509_get0_notAfter(ca)) : 0;
    if (ca && a->not_after > ca_end) {
        tool_x509_format_time(ca_end, false, t, sizeof t);
        tool_warn("the certificate outlives its CA (the CA expires %s)", t);
    }
}

/* ---- commands --------------------------------------------------------------------------- */

/* What a command makes: the key, its certificate (DER, PEM and parsed) and the key files. */
typedef struct pki_made {
    EVP_PKEY *key;
    X509 *crt;
    tool_blob_t der, pem;
    pki_keyfiles_t kf;
} pki_made_t;

static void made_free(pki_made_t *m)
{
    EVP_PKEY_free(m->key);
    X509_free(m->crt);
    tool_blob_free(&m->der);
    tool_blob_free(&m->pem);
    keyfiles_free(&m->kf);
}

/* Makes a key and its certificate signed by @p ca (self-signed when NULL), verifies the
 * certificate and encodes everything; writes nothing. */
static int make_all(const pki_args_t *a, const char *cn, pki_ca_t *ca, pki_made_t *m)
{
    if (!(m->key = gen_key(a->rsa_bits)))
        return TOOL_EXIT_ERROR;
    cert_spec_t s = {a->cmd, cn, m->key, ca ? ca->key : m->key, ca ? ca->crt : NULL, a};
    int rc = make_cert(&s, &m->der);
    if (!rc)
        rc = check_cert(&m->der, ca, a->cmd, &m->crt);
    if (!rc)
        rc = encode_key(m->key, &m->kf, a->cmd == PKI_DEVICE);
    if (!rc && !to_pem("CERTIFICATE", &m->der, &m->pem)) {
        tool_err("cannot encode the certificate as PEM");
        rc = TOOL_EXIT_ERROR;
    }
    return rc;
}

static int cmd_init(const pki_args_t *a)
{
    pki_made_t m;
    memset(&m, 0, sizeof m);
    pki_file_t f[] = {
        {path_join(a->dir, "ca.key"), &m.kf.pem, true, "private-key:", false},
        {path_join(a->dir, "ca.crt"), &m.pem, false, "certificate:", false},
        {path_join(a->dir, "ca.der"), &m.der, false, "certificate-der:", false},
    };
    const size_t nf = sizeof f / sizeof f[0];

    int rc = check_outputs(a, f, nf, "the CA (certificates it signed will no longer verify)");
    if (!rc)
        rc = make_dirs(a->dir);
    if (!rc)
        rc = make_all(a, a->cn ? a->cn : DEFAULT_CA_CN, NULL, &m);
    if (!rc)
        rc = write_all(a, f, nf);
    if (!rc) {
        print_cert(m.crt, &m.der);
        print_files(f, nf);
        warn_dates(a, NULL);
    }
    made_free(&m);
    files_free(f, nf);
    return rc;
}

/* The output files of server and device; returns how many. */
static size_t leaf_files(const pki_args_t *a, const char *out_dir, pki_made_t *m, pki_file_t *f)
{
    size_t nf = 0;
    if (out_dir) {
        f[nf++] = (pki_file_t){path_join(out_dir, "cert.crt"), &m->pem, false, "certificate:", false};
        f[nf++] = (pki_file_t){path_join(out_dir, "private.key"), &m->kf.pem, true, "private-key:", false};
        f[nf++] = (pki_file_t){path_join(out_dir, "public.key"), &m->kf.pub_pem, false, "public-key:", false};
        f[nf++] = (pki_file_t){path_join(out_dir, "cert.der"), &m->der, false, "certificate-der:", false};
        f[nf++] = (pki_file_t){path_join(out_dir, "private.der"), &m->kf.der, true, "private-key-der:", false};
    } else {
        char *prefix = a->out ? tool_xstrdup(a->out) : path_join(a->dir, "server");
        f[nf++] = (pki_file_t){path_cat(prefix, ".crt"), &m->pem, false, "certificate:", false};
        f[nf++] = (pki_file_t){path_cat(prefix, ".key"), &m->kf.pem, true, "private-key:", false};
        free(prefix);
    }
    return nf;
}

/* server and device: a key and a certificate signed by a CA. */
static int cmd_leaf(const pki_args_t *a)
{
    bool device = a->cmd == PKI_DEVICE;
    pki_file_t f[5];
    size_t nf = 0;
    char *out_dir = NULL;
    pki_ca_t ca;
    pki_made_t m;
    int rc;

    memset(&ca, 0, sizeof ca);
    memset(&m, 0, sizeof m);
    if ((rc = load_ca(&ca, device && a->ca_dir ? a->ca_dir : a->dir)) != 0)
        goto done;
    if (device)
        out_dir = path_join(a->dir, a->name);
    nf = leaf_files(a, out_dir, &m, f);
    if ((rc = check_outputs(a, f, nf, "it")) != 0)
        goto done;
    if (out_dir && (rc = make_dirs(out_dir)) != 0)
        goto done;

    for (size_t i = 0; !device && i < a->n_names; i++) {
        pki_ip_t probe;
        if (parse_ip(a->names[i], &probe))
            tool_warn("--name '%s' looks like an IP address: clients match addresses against "
                      "--ip entries, so add --ip %s", a->names[i], a->names[i]);
    }
    const char *cn = device ? a->name : a->n_names ? a->names[0] : a->ips[0].text;
    if ((rc = make_all(a, cn, &ca, &m)) != 0 || (rc = write_all(a, f, nf)) != 0)
        goto done;
    print_cert(m.crt, &m.der);
    print_files(f, nf);
    warn_dates(a, ca.crt);
done:
    made_free(&m);
    ca_free(&ca);
    files_free(f, nf);
    free(out_dir);
    return rc;
}

/* ---- entry point ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    unsigned cmd;
} pki_cmds[] = {{"init", PKI_INIT}, {"server", PKI_SERVER}, {"device", PKI_DEVICE}};

int tool_pki_main(int argc, char **argv)
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
        sub = argv[2];
        for (size_t i = 0; i < sizeof pki_cmds / sizeof pki_cmds[0]; i++)
            if (!strcmp(sub, pki_cmds[i].name)) {
                help_cmd(pki_cmds[i].cmd, stdout);
                return TOOL_EXIT_OK;
            }
        return bad(NULL, "unknown pki command '%s' (use init, server or device)", sub);
    }
    pki_args_t a;
    memset(&a, 0, sizeof a);
    for (size_t i = 0; i < sizeof pki_cmds / sizeof pki_cmds[0]; i++)
        if (!strcmp(sub, pki_cmds[i].name)) {
            a.cmd = pki_cmds[i].cmd;
            a.cmd_name = pki_cmds[i].name;
        }
    if (!a.cmd)
        return bad(NULL, "unknown pki command '%s' (use init, server or device)", sub);

    int rc = parse_args(&a, argc - 1, argv + 1);
    if (rc == PKI_HELP_SHOWN)
        rc = TOOL_EXIT_OK;
    else if (rc == TOOL_EXIT_OK)
        rc = a.cmd == PKI_INIT ? cmd_init(&a) : cmd_leaf(&a);
    args_free(&a);
    fflush(stdout);
    return rc;
}
