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
 *
 * This file holds the command line and the commands; their steps are in tool_pki_ca.c,
 * tool_pki_make.c (with tool_pki_ext.c), tool_pki_files.c and tool_pki_print.c.
 */
#include "creds/tool_pki.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/tool_family.h"
#include "common/tool_optparse.h"
#include "common/tool_util.h"
#include "creds/tool_ossl.h"
#include "creds/tool_pki_internal.h"
#include "creds/tool_x509.h"

/* ---- commands and arguments ---------------------------------------------------------- */

/* enum pki_cmd, the pki commands: tool_pki_internal.h */

#define PKI_ALL (PKI_INIT | PKI_SERVER | PKI_DEVICE)
#define PKI_LEAF (PKI_SERVER | PKI_DEVICE)

#define DEFAULT_CA_CN "mqtls local CA"
#define DEFAULT_CA_DAYS 3650 /* no suffix: --help prints them (STR) */
#define DEFAULT_DAYS 365
#define STR_(x) #x
#define STR(x) STR_(x)
#define MAX_DAYS 36500u
#define CN_MAX 64 /* RFC 5280 ub-common-name */
/* The last second X.509 can express: 9999-12-31T23:59:59Z. */
#define TIME_MAX 253402300799LL
/* The first second accepted: 2000-01-01T00:00:00Z (UTCTime/GeneralizedTime per RFC 5280). */
#define TIME_MIN 946684800LL

/* pki_ip_t and pki_args_t, the command line as parsed: tool_pki_internal.h */

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

#define DATES_NOTE                                                                             \
    "\nDATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, in UTC (a trailing Z is accepted).\n\n"

/* Prints "Error: ..." and the --help hint of the subcommand; returns TOOL_EXIT_USAGE. */
#define bad(a, ...) tool_bad("pki", (a)->cmd_name, __VA_ARGS__)

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

/* ---- options ----------------------------------------------------------------------------- */

#define F(field) offsetof(pki_args_t, field)

static int opt_ca_dir(tool_optparse_t *p, tool_optval_t *val)
{
    return tool_opt_nonempty(p, val, "directory name");
}

static int opt_out(tool_optparse_t *p, tool_optval_t *val)
{
    return tool_opt_nonempty(p, val, "prefix");
}

static int opt_cn(tool_optparse_t *p, tool_optval_t *val)
{
    if (!valid_ca_cn(val->v[0]))
        return tool_optparse_err(p, "invalid CA name '%s' for %s (1 to %d of letters, digits, "
                                    "spaces and . _ : - ( ) @ / ' &)",
                                 val->v[0], val->given, CN_MAX);
    return tool_opt_str(p, val);
}

static int opt_days(tool_optparse_t *p, tool_optval_t *val)
{
    pki_args_t *a = p->ctx;
    if (!tool_parse_u32(val->v[0], 1, MAX_DAYS, &a->days))
        return tool_optparse_err(p, "invalid number of days '%s' for %s (1..%u)", val->v[0],
                                 val->given, MAX_DAYS);
    a->days_set = true;
    return TOOL_EXIT_OK;
}

static int opt_ip(tool_optparse_t *p, tool_optval_t *val)
{
    pki_args_t *a = p->ctx;
    a->ips = tool_xrealloc(a->ips, (a->n_ips + 1) * sizeof *a->ips);
    if (!parse_ip(val->v[0], &a->ips[a->n_ips]))
        return tool_optparse_err(p, "invalid IP address '%s' for %s (use an IPv4 or IPv6 "
                                    "address, e.g. 127.0.0.1 or ::1)",
                                 val->v[0], val->given);
    a->n_ips++;
    return TOOL_EXIT_OK;
}

static int opt_name(tool_optparse_t *p, tool_optval_t *val)
{
    pki_args_t *a = p->ctx;
    const char *v = val->v[0];
    if (!valid_dns_name(v))
        return tool_optparse_err(p, "invalid host name '%s' for %s (labels of letters, digits, "
                                    "'-' and '_', separated by '.'; the first may be '*')",
                                 v, val->given);
    if (a->n_names == 0 && strlen(v) > CN_MAX)
        return tool_optparse_err(p, "the first --name '%s' becomes the CN, which is limited to "
                                    "%d characters: put a shorter name first",
                                 v, CN_MAX);
    a->names = tool_xrealloc(a->names, (a->n_names + 1) * sizeof *a->names);
    a->names[a->n_names++] = v;
    return TOOL_EXIT_OK;
}

/* --not-before and --not-after. */
static int opt_date(tool_optparse_t *p, tool_optval_t *val)
{
    pki_args_t *a = p->ctx;
    int64_t t;
    if (!tool_x509_parse_date(val->v[0], &t))
        return tool_optparse_err(p, "invalid date '%s' for %s (use YYYY-MM-DD or "
                                    "YYYY-MM-DDTHH:MM:SS, UTC, year 2000 or later)",
                                 val->v[0], val->given);
    bool after = !strcmp(val->opt->lname, "not-after");
    *(after ? &a->not_after : &a->not_before) = t;
    *(after ? &a->na_set : &a->nb_set) = true;
    return TOOL_EXIT_OK;
}

static int opt_rsa(tool_optparse_t *p, tool_optval_t *val)
{
    pki_args_t *a = p->ctx;
    uint32_t bits = 0;
    if (!tool_parse_u32(val->v[0], 0, UINT32_MAX, &bits) || bits < 2048 || bits > 4096 ||
        bits % 1024 != 0)
        return tool_optparse_err(p, "invalid RSA key size '%s' for %s (use 2048, 3072 or 4096)",
                                 val->v[0], val->given);
    a->rsa_bits = bits;
    a->rsa_set = true;
    return TOOL_EXIT_OK;
}

#define RSA_HELP "an RSA key of 2048, 3072 or 4096 bits"

/* In the order of each command's --help. */
static const tool_opt_t pki_opts[] = {
    {"cn", 0, 1, PKI_INIT, opt_cn, F(cn), "NAME",
     "the CA's common name (default: \"" DEFAULT_CA_CN "\")"},
    {"name", 0, 1, PKI_SERVER, opt_name, 0, "HOST",
     "a DNS name (repeatable; '*.example.com' allowed)"},
    {"ip", 0, 1, PKI_SERVER, opt_ip, 0, "ADDR", "an IPv4 or IPv6 address (repeatable)"},
    {"out", 0, 1, PKI_SERVER, opt_out, F(out), "PREFIX", "write PREFIX.crt and PREFIX.key instead"},
    {"ca-dir", 0, 1, PKI_DEVICE, opt_ca_dir, F(ca_dir), "CADIR",
     "use the CA in CADIR instead of DIR"},
    {"rsa", 0, 1, PKI_INIT, opt_rsa, 0, "BITS", RSA_HELP " (default: EC\nP-256)"},
    {"rsa", 0, 1, PKI_LEAF, opt_rsa, 0, "BITS", RSA_HELP},
    {"ec", 0, 0, PKI_LEAF, tool_opt_true, F(ec_set), NULL, "an EC P-256 key (the default)"},
    {"days", 0, 1, PKI_INIT, opt_days, 0, "N",
     "validity in days from the start (default: " STR(DEFAULT_CA_DAYS) ")"},
    {"days", 0, 1, PKI_LEAF, opt_days, 0, "N",
     "validity in days from the start (default: " STR(DEFAULT_DAYS) ")"},
    {"not-before", 0, 1, PKI_ALL, opt_date, 0, "DATE", "start of validity (default: now)"},
    {"not-after", 0, 1, PKI_ALL, opt_date, 0, "DATE", "end of validity (instead of --days)"},
    {"force", 0, 0, PKI_ALL, tool_opt_true, F(force), NULL, "replace existing files"},
    {"help", 'h', 0, PKI_ALL, tool_opt_help, 0, NULL, "show this help"},
};

static const tool_cmddef_t pki_cmds[] = {
    {"init", PKI_INIT,
     "Usage: mqtls pki init DIR [options]\n"
     "\n"
     "Creates a self-signed root CA in DIR (created if missing):\n"
     "  DIR/ca.key   its private key (PEM, mode 0600)\n"
     "  DIR/ca.crt   its certificate (PEM): CA:TRUE, keyCertSign and cRLSign\n"
     "  DIR/ca.der   the same certificate in DER\n"
     "\n",
     DATES_NOTE, pki_exit_help},
    {"server", PKI_SERVER,
     "Usage: mqtls pki server DIR --name HOST [--name HOST]... [--ip ADDR]... [options]\n"
     "\n"
     "Makes a broker key and certificate signed by the CA in DIR:\n"
     "  DIR/server.crt   the certificate (PEM): the names and addresses as\n"
     "                   subjectAltName, CN = the first name, serverAuth\n"
     "  DIR/server.key   its private key (PEM, mode 0600)\n"
     "\n",
     DATES_NOTE, pki_exit_help},
    {"device", PKI_DEVICE,
     "Usage: mqtls pki device DIR NAME [options]\n"
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
     "\n",
     DATES_NOTE, pki_exit_help},
};

const tool_optset_t tool_pki_optset = TOOL_OPTSET("pki", pki_opts, pki_cmds, 25, true);

/* ---- the command line --------------------------------------------------------------------- */

/* DIR, and the device's NAME. */
static int take_positionals(pki_args_t *a, const char *const *pos, size_t npos)
{
    if (npos < 1)
        return bad(a, "missing DIR: mqtls pki %s DIR%s", a->cmd_name,
                   a->cmd == PKI_DEVICE ? " NAME" : "");
    a->dir = pos[0];
    if (!*a->dir)
        return bad(a, "DIR is empty");
    if (a->cmd != PKI_DEVICE)
        return TOOL_EXIT_OK;
    if (npos < 2)
        return bad(a, "missing device NAME: mqtls pki device DIR NAME");
    a->name = pos[1];
    if (!valid_device_name(a->name))
        return bad(a, "invalid device name '%s' (1 to %d of letters, digits, '.', '_', ':' "
                      "and '-', not starting with '.')", a->name, CN_MAX);
    return TOOL_EXIT_OK;
}

/* The validity period from --days, --not-before, --not-after and the defaults. */
static int take_validity(pki_args_t *a)
{
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

/* Parses argv[1..] of a pki command (argv[0] is its name). */
static int parse_args(pki_args_t *a, const tool_cmddef_t *cmd, int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    tool_optparse_t p = {&tool_pki_optset, cmd, a, pos, a->cmd == PKI_DEVICE ? 2 : 1, 0};
    int rc = tool_optparse_run(&p, argc, argv);
    if (!rc)
        rc = take_positionals(a, pos, p.n_pos);
    if (rc)
        return rc;
    if (a->rsa_set && a->ec_set)
        return bad(a, "use --rsa or --ec, not both");
    if (a->cmd == PKI_SERVER && a->n_names == 0 && a->n_ips == 0)
        return bad(a, "mqtls pki server needs at least one --name HOST (or --ip ADDR)");
    return take_validity(a);
}

/* ---- commands --------------------------------------------------------------------------- */

static int cmd_init(const pki_args_t *a)
{
    pki_made_t m;
    memset(&m, 0, sizeof m);
    pki_file_t f[] = {
        {tool_pki_path_join(a->dir, "ca.key"), &m.kf.pem, true, "private-key:", false},
        {tool_pki_path_join(a->dir, "ca.crt"), &m.pem, false, "certificate:", false},
        {tool_pki_path_join(a->dir, "ca.der"), &m.der, false, "certificate-der:", false},
    };
    const size_t nf = sizeof f / sizeof f[0];

    int rc = tool_pki_check_outputs(a, f, nf, "the CA (certificates it signed will no longer verify)");
    if (!rc)
        rc = tool_pki_make_dirs(a->dir);
    if (!rc)
        rc = tool_pki_make_all(a, a->cn ? a->cn : DEFAULT_CA_CN, NULL, &m);
    if (!rc)
        rc = tool_pki_write_all(a, f, nf);
    if (!rc) {
        tool_pki_print_cert(m.crt, &m.der);
        tool_pki_print_files(f, nf);
        tool_pki_warn_dates(a, NULL);
    }
    tool_pki_made_free(&m);
    tool_pki_files_free(f, nf);
    return rc;
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
    if ((rc = tool_pki_load_ca(&ca, device && a->ca_dir ? a->ca_dir : a->dir)) != 0)
        goto done;
    if (device)
        out_dir = tool_pki_path_join(a->dir, a->name);
    nf = tool_pki_leaf_files(a, out_dir, &m, f);
    if ((rc = tool_pki_check_outputs(a, f, nf, "it")) != 0)
        goto done;
    if (out_dir && (rc = tool_pki_make_dirs(out_dir)) != 0)
        goto done;

    for (size_t i = 0; !device && i < a->n_names; i++) {
        pki_ip_t probe;
        if (parse_ip(a->names[i], &probe))
            tool_warn("--name '%s' looks like an IP address: clients match addresses against "
                      "--ip entries, so add --ip %s", a->names[i], a->names[i]);
    }
    const char *cn = device ? a->name : a->n_names ? a->names[0] : a->ips[0].text;
    if ((rc = tool_pki_make_all(a, cn, &ca, &m)) != 0 || (rc = tool_pki_write_all(a, f, nf)) != 0)
        goto done;
    tool_pki_print_cert(m.crt, &m.der);
    tool_pki_print_files(f, nf);
    tool_pki_warn_dates(a, ca.crt);
done:
    tool_pki_made_free(&m);
    tool_pki_ca_free(&ca);
    tool_pki_files_free(f, nf);
    free(out_dir);
    return rc;
}

/* ---- entry point ------------------------------------------------------------------------ */

/* Parses and runs one pki command. */
static int pki_run(const tool_cmddef_t *cmd, int argc, char **argv)
{
    pki_args_t a;
    memset(&a, 0, sizeof a);
    a.cmd = cmd->bit;
    a.cmd_name = cmd->name;
    int rc = parse_args(&a, cmd, argc, argv);
    if (rc == TOOL_EXIT_OK)
        rc = tool_ossl_require();
    if (rc == TOOL_EXIT_OK)
        rc = a.cmd == PKI_INIT ? cmd_init(&a) : cmd_leaf(&a);
    args_free(&a);
    return rc;
}

static const tool_family_t pki_family = {
    &tool_pki_optset,
    "Usage: mqtls pki init DIR [options]\n"
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
    "\n",
    pki_exit_help, "init, server or device", pki_run};

int tool_pki_main(int argc, char **argv)
{
    return tool_family_main(&pki_family, argc, argv);
}
