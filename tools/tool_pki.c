/**
 * @file tool_pki.c
 * @brief `mqtls pki`: a local CA, broker certificates and device certificates written the
 *        way `aws iot create-keys-and-certificate` writes them (see tool_pki.h, docs/pki.md).
 *
 * Everything is made with Mbed TLS: keys with pk/rsa/ecp, certificates with x509write.
 * Mbed TLS 2.28 has no writer for subjectAltName or extendedKeyUsage, so those extensions
 * (and the authorityKeyIdentifier of issued certificates, taken from the CA's own
 * subjectKeyIdentifier) are encoded here with the asn1write functions.
 *
 * Order of work in each command: check the arguments, load the CA, check that no output
 * file exists (unless --force), make the key and the certificate, verify the certificate
 * against the CA with Mbed TLS, and only then write the files. A failed write removes the
 * files this run wrote, so a directory never holds a key without its certificate.
 */
#include "tool_pki.h"

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

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "x509_ext.h" /* src/tls/mbedtls: goes with the move to OpenSSL */
#include "tool_util.h"
#include "tool_x509.h"

/* ---- Mbed TLS 2.28 / 3.x differences (the rest are in tool_x509.h) ------------------- */

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define PKI_CRT_IS_CA(crt) ((crt)->MBEDTLS_PRIVATE(ca_istrue))
#define PKI_WRITE_ISSUER(w) ((w)->MBEDTLS_PRIVATE(issuer))
#else
#define PKI_CRT_IS_CA(crt) ((crt)->ca_istrue)
#define PKI_WRITE_ISSUER(w) ((w)->issuer)
#endif

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
    "      (use --force), key generation or signing failed\n"
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

/* A CA common name: what Mbed TLS's name parser takes without escaping. */
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

/* ---- randomness and keys ---------------------------------------------------------------- */

typedef struct pki_rng {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
} pki_rng_t;

static int rng_init(pki_rng_t *r)
{
    static const char pers[] = "mqtls pki";
    char e[200];
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    int rc = mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
                                   (const unsigned char *)pers, sizeof pers - 1);
    if (rc) {
        tool_err("cannot seed the random generator: %s", tool_x509_strerror(rc, e, sizeof e));
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

static void rng_free(pki_rng_t *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->entropy);
}

static int gen_key(mbedtls_pk_context *pk, unsigned rsa_bits, pki_rng_t *r)
{
    int rc;
    char e[200];
    if (rsa_bits) {
        if (rsa_bits > 2048)
            tool_note("Generating an RSA %u key (this can take a while)...", rsa_bits);
        rc = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
        if (!rc)
            rc = mbedtls_rsa_gen_key(mbedtls_pk_rsa(*pk), mbedtls_ctr_drbg_random, &r->drbg,
                                     rsa_bits, 65537);
    } else {
        rc = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
        if (!rc)
            rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk),
                                     mbedtls_ctr_drbg_random, &r->drbg);
    }
    if (rc) {
        tool_err("cannot generate the key: %s", tool_x509_strerror(rc, e, sizeof e));
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* The private key as DER (PKCS#1 for RSA, SEC1 for EC) and PEM, and the public key PEM. */
typedef struct pki_keyfiles {
    tool_blob_t der, pem, pub_pem;
} pki_keyfiles_t;

static void keyfiles_free(pki_keyfiles_t *k)
{
    tool_blob_free(&k->der);
    tool_blob_free(&k->pem);
    tool_blob_free(&k->pub_pem);
}

static int encode_key(mbedtls_pk_context *pk, pki_keyfiles_t *k, bool want_pub)
{
    enum { CAP = 8192 };
    unsigned char *buf = tool_xmalloc(CAP);
    char e[200];
    bool rsa = mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA;
    int rc = mbedtls_pk_write_key_der(pk, buf, CAP);
    if (rc > 0) {
        tool_blob_take_tail(&k->der, buf, CAP, (size_t)rc);
        rc = tool_x509_der_to_pem(rsa ? "RSA PRIVATE KEY" : "EC PRIVATE KEY", &k->der, &k->pem);
    }
    if (rc >= 0 && want_pub) {
        rc = mbedtls_pk_write_pubkey_der(pk, buf, CAP);
        if (rc > 0) {
            tool_blob_t pub_der = {NULL, 0};
            tool_blob_take_tail(&pub_der, buf, CAP, (size_t)rc);
            rc = tool_x509_der_to_pem("PUBLIC KEY", &pub_der, &k->pub_pem);
            tool_blob_free(&pub_der);
        }
    }
    mbedtls_platform_zeroize(buf, CAP);
    free(buf);
    if (rc < 0) {
        tool_err("cannot encode the key: %s", tool_x509_strerror(rc, e, sizeof e));
        keyfiles_free(k);
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* ---- certificate extensions ------------------------------------------------------------- */

/* Adds the length of one asn1write step to n, or leaves with its error. */
#define ASN1_ADD(expr)                                                                         \
    do {                                                                                       \
        int r_ = (expr);                                                                       \
        if (r_ < 0) {                                                                          \
            rc = r_;                                                                           \
            goto out;                                                                          \
        }                                                                                      \
        n += (size_t)r_;                                                                       \
    } while (0)

/* subjectAltName ::= GeneralNames ::= SEQUENCE OF GeneralName, with
 * dNSName [2] IA5String and iPAddress [7] OCTET STRING (4 or 16 bytes). */
static int set_san(mbedtls_x509write_cert *w, const pki_args_t *a)
{
    size_t cap = 16, n = 0;
    int rc = 0;
    for (size_t i = 0; i < a->n_names; i++)
        cap += strlen(a->names[i]) + 8;
    cap += a->n_ips * (16 + 8);
    unsigned char *buf = tool_xmalloc(cap), *p = buf + cap;
    /* Written back to front: addresses last to first, then names last to first. */
    for (size_t i = a->n_ips; i-- > 0;) {
        size_t before = n;
        ASN1_ADD(mbedtls_asn1_write_raw_buffer(&p, buf, a->ips[i].addr, a->ips[i].len));
        ASN1_ADD(mbedtls_asn1_write_len(&p, buf, n - before));
        ASN1_ADD(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7));
    }
    for (size_t i = a->n_names; i-- > 0;) {
        size_t before = n;
        ASN1_ADD(mbedtls_asn1_write_raw_buffer(&p, buf, (const unsigned char *)a->names[i],
                                               strlen(a->names[i])));
        ASN1_ADD(mbedtls_asn1_write_len(&p, buf, n - before));
        ASN1_ADD(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2));
    }
    ASN1_ADD(mbedtls_asn1_write_len(&p, buf, n));
    ASN1_ADD(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    rc = mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                             MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, p,
                                             n);
out:
    free(buf);
    return rc;
}

/* extKeyUsage ::= SEQUENCE OF KeyPurposeId (one: serverAuth or clientAuth). */
static int set_eku(mbedtls_x509write_cert *w, const char *oid, size_t oid_len)
{
    unsigned char buf[32], *p = buf + sizeof buf;
    size_t n = 0;
    int rc = 0;
    ASN1_ADD(mbedtls_asn1_write_oid(&p, buf, oid, oid_len));
    ASN1_ADD(mbedtls_asn1_write_len(&p, buf, n));
    ASN1_ADD(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    rc = mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                                             MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0,
                                             p, n);
out:
    return rc;
}

/* The keyIdentifier of the CA's subjectKeyIdentifier extension (2.5.29.14), if it has one. */
static bool find_ski(const mbedtls_x509_crt *crt, const unsigned char **id, size_t *id_len)
{
    static const unsigned char ski_oid[] = {0x55, 0x1D, 0x0E};
    const unsigned char *v;
    size_t len;
    if (!mqtls_x509_find_extension(crt, ski_oid, sizeof ski_oid, &v, &len))
        return false;
    unsigned char *p = (unsigned char *)v;
    if (mbedtls_asn1_get_tag(&p, v + len, &len, MBEDTLS_ASN1_OCTET_STRING) || len == 0)
        return false;
    *id = p;
    *id_len = len;
    return true;
}

/* authorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OCTET STRING }, with the CA's
 * own subjectKeyIdentifier: chain builders (OpenSSL) match the two byte for byte. */
static int set_aki_from_ca(mbedtls_x509write_cert *w, const mbedtls_x509_crt *ca)
{
    const unsigned char *id = NULL;
    size_t id_len = 0, n = 0;
    int rc = 0;
    if (!find_ski(ca, &id, &id_len) || id_len > 64)
        return 0; /* no SKI on the CA: leave the AKI out rather than guess */
    unsigned char buf[96], *p = buf + sizeof buf;
    ASN1_ADD(mbedtls_asn1_write_raw_buffer(&p, buf, id, id_len));
    ASN1_ADD(mbedtls_asn1_write_len(&p, buf, n));
    ASN1_ADD(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0));
    ASN1_ADD(mbedtls_asn1_write_len(&p, buf, n));
    ASN1_ADD(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    rc = mbedtls_x509write_crt_set_extension(
        w, MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER,
        MBEDTLS_OID_SIZE(MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER), 0, p, n);
out:
    return rc;
}

/* The issuer name of an issued certificate: the CA's subject exactly as parsed (string
 * types kept), not a round trip through text. The writer's list is in reverse order. */
static int copy_issuer(mbedtls_x509write_cert *w, const mbedtls_x509_name *subject)
{
    for (const mbedtls_x509_name *s = subject; s; s = s->next) {
        if (!s->oid.p)
            continue;
        mbedtls_asn1_named_data *d = mbedtls_calloc(1, sizeof *d);
        if (!d)
            return MBEDTLS_ERR_X509_ALLOC_FAILED;
        d->oid.p = mbedtls_calloc(1, s->oid.len ? s->oid.len : 1);
        d->val.p = mbedtls_calloc(1, s->val.len ? s->val.len : 1);
        if (!d->oid.p || !d->val.p) {
            mbedtls_free(d->oid.p);
            mbedtls_free(d->val.p);
            mbedtls_free(d);
            return MBEDTLS_ERR_X509_ALLOC_FAILED;
        }
        d->oid.tag = s->oid.tag;
        d->oid.len = s->oid.len;
        memcpy(d->oid.p, s->oid.p, s->oid.len);
        d->val.tag = s->val.tag;
        d->val.len = s->val.len;
        memcpy(d->val.p, s->val.p, s->val.len);
        d->next = PKI_WRITE_ISSUER(w);
        PKI_WRITE_ISSUER(w) = d;
    }
    return 0;
}

/* 16 random bytes, positive and with no leading zero byte. */
static int set_serial(mbedtls_x509write_cert *w, pki_rng_t *r)
{
    unsigned char sn[16];
    int rc = mbedtls_ctr_drbg_random(&r->drbg, sn, sizeof sn);
    if (rc)
        return rc;
    sn[0] = (unsigned char)((sn[0] & 0x7F) | 0x40);
#if MBEDTLS_VERSION_NUMBER >= 0x03040000
    rc = mbedtls_x509write_crt_set_serial_raw(w, sn, sizeof sn);
#else
    mbedtls_mpi m;
    mbedtls_mpi_init(&m);
    rc = mbedtls_mpi_read_binary(&m, sn, sizeof sn);
    if (!rc)
        rc = mbedtls_x509write_crt_set_serial(w, &m);
    mbedtls_mpi_free(&m);
#endif
    return rc;
}

/* ---- certificates ----------------------------------------------------------------------- */

/** What to certify. */
typedef struct cert_spec {
    unsigned kind;               /* PKI_INIT (the CA itself), PKI_SERVER or PKI_DEVICE */
    const char *cn;
    mbedtls_pk_context *key;     /* the subject's key */
    mbedtls_pk_context *ca_key;  /* the signer's key (== key for the CA) */
    const mbedtls_x509_crt *ca;  /* the issuer, NULL when self-signed */
    const pki_args_t *args;
} cert_spec_t;

static int make_cert(const cert_spec_t *s, pki_rng_t *r, tool_blob_t *der)
{
    const pki_args_t *a = s->args;
    mbedtls_x509write_cert w;
    char subject[8 + CN_MAX * 2], nb[32], na[32], e[200];
    size_t cap = 16384;
    unsigned char *buf = NULL;
    bool rsa = mbedtls_pk_get_type(s->key) == MBEDTLS_PK_RSA;
    int rc;

    for (size_t i = 0; i < a->n_names; i++)
        cap += strlen(a->names[i]) + 8;
    cap += a->n_ips * 24;
    mbedtls_x509write_crt_init(&w);
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, s->key);
    mbedtls_x509write_crt_set_issuer_key(&w, s->ca_key);
    snprintf(subject, sizeof subject, "CN=%s", s->cn);
    tool_x509_format_time(a->not_before, true, nb, sizeof nb);
    tool_x509_format_time(a->not_after, true, na, sizeof na);

    if ((rc = set_serial(&w, r)) != 0 ||
        (rc = mbedtls_x509write_crt_set_subject_name(&w, subject)) != 0 ||
        (rc = s->ca ? copy_issuer(&w, &s->ca->subject)
                    : mbedtls_x509write_crt_set_issuer_name(&w, subject)) != 0 ||
        (rc = mbedtls_x509write_crt_set_validity(&w, nb, na)) != 0 ||
        (rc = mbedtls_x509write_crt_set_basic_constraints(&w, s->kind == PKI_INIT, -1)) != 0 ||
        (rc = mbedtls_x509write_crt_set_subject_key_identifier(&w)) != 0)
        goto out;
    if (s->kind == PKI_INIT) {
        rc = mbedtls_x509write_crt_set_authority_key_identifier(&w);
        if (!rc)
            rc = mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_KEY_CERT_SIGN |
                                                             MBEDTLS_X509_KU_CRL_SIGN);
    } else if (s->kind == PKI_SERVER) {
        rc = set_aki_from_ca(&w, s->ca);
        if (!rc)
            rc = mbedtls_x509write_crt_set_key_usage(
                &w, MBEDTLS_X509_KU_DIGITAL_SIGNATURE | (rsa ? MBEDTLS_X509_KU_KEY_ENCIPHERMENT : 0));
        if (!rc)
            rc = set_eku(&w, MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));
        if (!rc)
            rc = set_san(&w, a);
    } else {
        rc = set_aki_from_ca(&w, s->ca);
        if (!rc)
            rc = mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
        if (!rc)
            rc = set_eku(&w, MBEDTLS_OID_CLIENT_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH));
    }
    if (rc)
        goto out;

    buf = tool_xmalloc(cap);
    rc = mbedtls_x509write_crt_der(&w, buf, cap, mbedtls_ctr_drbg_random, &r->drbg);
    if (rc > 0) {
        tool_blob_take_tail(der, buf, cap, (size_t)rc);
        rc = 0;
    }
out:
    free(buf);
    mbedtls_x509write_crt_free(&w);
    if (rc) {
        tool_err("cannot make the certificate: %s", tool_x509_strerror(rc, e, sizeof e));
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* Parses what was made and checks it with Mbed TLS against the CA (dates aside: expired
 * and not-yet-valid certificates are made on purpose). */
static int check_cert(const tool_blob_t *der, const mbedtls_x509_crt *ca, mbedtls_x509_crt *crt)
{
    char e[200];
    uint32_t flags = 0;
    int rc = mbedtls_x509_crt_parse_der(crt, der->p, der->len);
    if (rc) {
        tool_err("the new certificate does not parse: %s", tool_x509_strerror(rc, e, sizeof e));
        return TOOL_EXIT_ERROR;
    }
    rc = mbedtls_x509_crt_verify(crt, (mbedtls_x509_crt *)(ca ? ca : crt), NULL, NULL, &flags,
                                 NULL, NULL);
    if (rc && rc != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        tool_err("cannot verify the new certificate: %s", tool_x509_strerror(rc, e, sizeof e));
        return TOOL_EXIT_ERROR;
    }
    flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
    if (rc && flags) {
        char info[512];
        mbedtls_x509_crt_verify_info(info, sizeof info, "  ", flags);
        tool_err("the new certificate does not verify against the CA:\n%s", info);
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* ---- the CA ----------------------------------------------------------------------------- */

typedef struct pki_ca {
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    char *crt_path;
    char *key_path;
} pki_ca_t;

static void ca_init(pki_ca_t *ca)
{
    mbedtls_x509_crt_init(&ca->crt);
    mbedtls_pk_init(&ca->key);
    ca->crt_path = ca->key_path = NULL;
}

static void ca_free(pki_ca_t *ca)
{
    mbedtls_x509_crt_free(&ca->crt);
    mbedtls_pk_free(&ca->key); /* wipes the key */
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

static int load_ca(pki_ca_t *ca, const char *dir, pki_rng_t *r)
{
    char e[200];
    ca->crt_path = path_join(dir, "ca.crt");
    ca->key_path = path_join(dir, "ca.key");
    if (!readable(ca->crt_path, dir, "certificate") || !readable(ca->key_path, dir, "private key"))
        return TOOL_EXIT_USAGE;
    int rc = mbedtls_x509_crt_parse_file(&ca->crt, ca->crt_path);
    if (rc)
        return tool_usage_err("the CA certificate '%s' is not a usable certificate: %s",
                              ca->crt_path, rc < 0 ? tool_x509_strerror(rc, e, sizeof e)
                                                   : "some of its certificates do not parse");
    if (!PKI_CRT_IS_CA(&ca->crt))
        return tool_usage_err("'%s' is not a CA certificate (no basicConstraints CA:TRUE)",
                              ca->crt_path);
    rc = TOOL_PK_PARSE_KEYFILE(&ca->key, ca->key_path, NULL, &r->drbg);
    if (rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED)
        return tool_usage_err("the CA key '%s' is encrypted: mqtls pki needs an unencrypted key",
                              ca->key_path);
    if (rc)
        return tool_usage_err("the CA key '%s' is not a usable private key: %s", ca->key_path,
                              tool_x509_strerror(rc, e, sizeof e));
    rc = TOOL_PK_CHECK_PAIR(&ca->crt.pk, &ca->key, &r->drbg);
    if (rc)
        return tool_usage_err("the CA key '%s' does not belong to the CA certificate '%s'",
                              ca->key_path, ca->crt_path);
    return TOOL_EXIT_OK;
}

/* ---- output ----------------------------------------------------------------------------- */

static void print_field(const char *label, const char *value)
{
    printf("%-17s %s\n", label, value);
}

static void print_cert(const mbedtls_x509_crt *crt, const tool_blob_t *der)
{
    char hex[65], buf[512];
    tool_x509_sha256_hex(der->p, der->len, hex);
    print_field("certificate-id:", hex);
    mbedtls_x509_dn_gets(buf, sizeof buf, &crt->subject);
    print_field("subject:", buf);
    mbedtls_x509_dn_gets(buf, sizeof buf, &crt->issuer);
    print_field("issuer:", buf);
    mbedtls_x509_serial_gets(buf, sizeof buf, &crt->serial);
    print_field("serial:", buf);
    tool_x509_format_time(tool_x509_time_to_unix(&crt->valid_from), false, buf, sizeof buf);
    print_field("not-before:", buf);
    tool_x509_format_time(tool_x509_time_to_unix(&crt->valid_to), false, buf, sizeof buf);
    print_field("not-after:", buf);
    tool_x509_describe_key(&crt->pk, buf, sizeof buf);
    print_field("key:", buf);
}

static void print_files(const pki_file_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        print_field(f[i].label, f[i].path);
}

/* Notes dates that make the certificate unusable now, or outlive the CA. */
static void warn_dates(const pki_args_t *a, const mbedtls_x509_crt *ca)
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
    if (ca && a->not_after > tool_x509_time_to_unix(&ca->valid_to)) {
        tool_x509_format_time(tool_x509_time_to_unix(&ca->valid_to), false, t, sizeof t);
        tool_warn("the certificate outlives its CA (the CA expires %s)", t);
    }
}

/* ---- commands --------------------------------------------------------------------------- */

static int cmd_init(const pki_args_t *a)
{
    pki_file_t f[] = {
        {path_join(a->dir, "ca.key"), NULL, true, "private-key:", false},
        {path_join(a->dir, "ca.crt"), NULL, false, "certificate:", false},
        {path_join(a->dir, "ca.der"), NULL, false, "certificate-der:", false},
    };
    const size_t nf = sizeof f / sizeof f[0];
    pki_rng_t r;
    mbedtls_pk_context key;
    mbedtls_x509_crt crt;
    pki_keyfiles_t kf = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    tool_blob_t der = {NULL, 0}, pem = {NULL, 0};
    mbedtls_pk_init(&key);
    mbedtls_x509_crt_init(&crt);

    int rc = rng_init(&r);
    if (!rc)
        rc = check_outputs(a, f, nf, "the CA (certificates it signed will no longer verify)");
    if (!rc)
        rc = make_dirs(a->dir);
    if (!rc)
        rc = gen_key(&key, a->rsa_bits, &r);
    if (!rc) {
        cert_spec_t s = {PKI_INIT, a->cn ? a->cn : DEFAULT_CA_CN, &key, &key, NULL, a};
        rc = make_cert(&s, &r, &der);
    }
    if (!rc)
        rc = check_cert(&der, NULL, &crt);
    if (!rc)
        rc = encode_key(&key, &kf, false);
    if (!rc && tool_x509_der_to_pem("CERTIFICATE", &der, &pem) != 0)
        rc = TOOL_EXIT_ERROR;
    if (!rc) {
        f[0].data = &kf.pem;
        f[1].data = &pem;
        f[2].data = &der;
        rc = write_all(a, f, nf);
    }
    if (!rc) {
        print_cert(&crt, &der);
        print_files(f, nf);
        warn_dates(a, NULL);
    }
    rng_free(&r);
    keyfiles_free(&kf);
    tool_blob_free(&der);
    tool_blob_free(&pem);
    mbedtls_x509_crt_free(&crt);
    mbedtls_pk_free(&key);
    files_free(f, nf);
    return rc;
}

/* server and device: a key and a certificate signed by a CA. */
static int cmd_leaf(const pki_args_t *a)
{
    bool device = a->cmd == PKI_DEVICE;
    pki_file_t f[5];
    size_t nf = 0;
    char *out_dir = NULL;
    pki_rng_t r;
    pki_ca_t ca;
    mbedtls_pk_context key;
    mbedtls_x509_crt crt;
    pki_keyfiles_t kf = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    tool_blob_t der = {NULL, 0}, pem = {NULL, 0};
    int rc;

    ca_init(&ca);
    mbedtls_pk_init(&key);
    mbedtls_x509_crt_init(&crt);
    memset(f, 0, sizeof f);
    if ((rc = rng_init(&r)) != 0)
        goto done;
    if ((rc = load_ca(&ca, device && a->ca_dir ? a->ca_dir : a->dir, &r)) != 0)
        goto done;

    if (device) {
        out_dir = path_join(a->dir, a->name);
        f[nf++] = (pki_file_t){path_join(out_dir, "cert.crt"), &pem, false, "certificate:", false};
        f[nf++] = (pki_file_t){path_join(out_dir, "private.key"), &kf.pem, true, "private-key:", false};
        f[nf++] = (pki_file_t){path_join(out_dir, "public.key"), &kf.pub_pem, false, "public-key:", false};
        f[nf++] = (pki_file_t){path_join(out_dir, "cert.der"), &der, false, "certificate-der:", false};
        f[nf++] = (pki_file_t){path_join(out_dir, "private.der"), &kf.der, true, "private-key-der:", false};
    } else {
        char *prefix = a->out ? tool_xstrdup(a->out) : path_join(a->dir, "server");
        f[nf++] = (pki_file_t){path_cat(prefix, ".crt"), &pem, false, "certificate:", false};
        f[nf++] = (pki_file_t){path_cat(prefix, ".key"), &kf.pem, true, "private-key:", false};
        free(prefix);
    }
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

    if ((rc = gen_key(&key, a->rsa_bits, &r)) != 0)
        goto done;
    cert_spec_t s = {a->cmd, device ? a->name : a->n_names ? a->names[0] : a->ips[0].text,
                     &key, &ca.key, &ca.crt, a};
    if ((rc = make_cert(&s, &r, &der)) != 0 || (rc = check_cert(&der, &ca.crt, &crt)) != 0 ||
        (rc = encode_key(&key, &kf, device)) != 0)
        goto done;
    if (tool_x509_der_to_pem("CERTIFICATE", &der, &pem) != 0) {
        tool_err("cannot encode the certificate as PEM");
        rc = TOOL_EXIT_ERROR;
        goto done;
    }
    if ((rc = write_all(a, f, nf)) != 0)
        goto done;
    print_cert(&crt, &der);
    print_files(f, nf);
    warn_dates(a, &ca.crt);
done:
    rng_free(&r);
    keyfiles_free(&kf);
    tool_blob_free(&der);
    tool_blob_free(&pem);
    mbedtls_x509_crt_free(&crt);
    mbedtls_pk_free(&key);
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
