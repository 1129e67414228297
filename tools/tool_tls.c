/**
 * @file tool_tls.c
 * @brief TLS for pub and sub (see tool_tls.h): option checks, transport setup, the -d
 *        handshake report and plain-words explanations of failures.
 */
#include "tool_tls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/pkcs5.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include "tool_ossl.h"
#include "tool_util.h"
#include "tool_x509.h"

#define bad tool_usage_err

/* Where the plain-words lines go: "Error: ..." on stderr, or a caller's sink (doctor). */
typedef struct say {
    tool_tls_say_fn fn;
    void *ctx;
} say_t;

static void say(const say_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const say_t *o, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->fn(o->ctx, line);
}

static void usage_sink(void *ctx, const char *line)
{
    (void)ctx;
    tool_usage_err("%s", line);
}

static void err_sink(void *ctx, const char *line)
{
    (void)ctx;
    tool_err("%s", line);
}

/* What the client offers by default: the linked Mbed TLS decides whether 1.3 is there. */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define OFFERED_VERSIONS "TLS 1.2 and 1.3"
#else
#define OFFERED_VERSIONS "TLS 1.2; the linked Mbed TLS has no TLS 1.3"
#endif

/* ---- option checks ---------------------------------------------------------------- */

const char *tool_tls_default_alpn(const char *host, uint16_t port)
{
    static const char domain[] = "amazonaws.com";
    const size_t dlen = sizeof domain - 1;
    if (port != 443 || !host)
        return NULL;
    size_t n = strlen(host);
    if (n && host[n - 1] == '.') /* a fully qualified name: "example.amazonaws.com." */
        n--;
    if (n < dlen || strncasecmp(host + n - dlen, domain, dlen) != 0)
        return NULL;
    if (n > dlen && host[n - dlen - 1] != '.') /* "notamazonaws.com" is someone else's */
        return NULL;
    return TOOL_TLS_AWS_ALPN;
}

/* The first option given that only makes sense with TLS, or NULL. */
static const char *tls_only_option(const tool_cfg_t *cfg)
{
    if (cfg->key)
        return "--key";
    if (cfg->keypass_opt)
        return "--keypass";
    if (cfg->tls_min_version)
        return "--tls-version";
    if (cfg->ciphers)
        return "--ciphers";
    if (cfg->alpn.n)
        return "--alpn";
    return NULL;
}

static int check_alpn(const tool_cfg_t *cfg)
{
    for (size_t i = 0; i < cfg->alpn.n; i++) {
        size_t len = strlen(cfg->alpn.v[i]);
        if (len == 0 || len > 255)
            return bad("invalid --alpn '%s' (a protocol name of 1 to 255 bytes)", cfg->alpn.v[i]);
    }
    return TOOL_EXIT_OK;
}

/* Debian's system trust store (the ca-certificates package): the bundle and the directory
 * OpenSSL's default verify paths lead to. */
#define OS_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define OS_CA_DIR "/etc/ssl/certs"

static const char *env_path(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* --tls-use-os-certs: the CAs OpenSSL's default verify paths name, so that SSL_CERT_FILE and
 * SSL_CERT_DIR work as users expect: SSL_CERT_FILE (else the system bundle) and SSL_CERT_DIR
 * (else the system directory, left out when the bundle already holds the same certificates).
 * The transport takes one CA file and one CA directory: a --cafile given too keeps the file
 * and the system's trust comes through the directory; a --capath, the other way round. */
static bool is_dir(const char *d)
{
    struct stat st;
    return stat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

static int use_os_certs(tool_cfg_t *cfg)
{
    if (!cfg->use_os_certs)
        return TOOL_EXIT_OK;
    if (cfg->cafile && cfg->capath)
        return bad("--tls-use-os-certs cannot be added to both --cafile and --capath: give "
                   "one of them");
    const char *file = env_path("SSL_CERT_FILE"), *dir = env_path("SSL_CERT_DIR");
    if (!dir && is_dir(OS_CA_DIR))
        dir = OS_CA_DIR;
    if (cfg->cafile) { /* the system's trust comes through the directory */
        if (!dir)
            return bad("--tls-use-os-certs with --cafile needs the system's CA directory "
                       "(SSL_CERT_DIR, or %s), and there is none", OS_CA_DIR);
        cfg->capath = dir;
        return TOOL_EXIT_OK;
    }
    if (!file && access(OS_CA_FILE, R_OK) == 0)
        file = OS_CA_FILE;
    if (file && !strcmp(file, OS_CA_FILE) && dir && !strcmp(dir, OS_CA_DIR))
        dir = NULL; /* the bundle holds what the directory holds: read it once */
    if (!file && !dir)
        return bad("--tls-use-os-certs: no system CA certificates found (SSL_CERT_FILE and "
                   "SSL_CERT_DIR are not set, and %s is missing): install Debian's "
                   "ca-certificates package, or give the CA with --cafile", OS_CA_DIR);
    cfg->cafile = file;
    if (!cfg->capath)
        cfg->capath = dir;
    return TOOL_EXIT_OK;
}

/* Mbed TLS knows the suite by its IANA name (which it writes with '-'). */
static int mbedtls_knows(const char *iana)
{
    char name[80];
    size_t len = strlen(iana);
    if (len >= sizeof name)
        return 0;
    for (size_t i = 0; i <= len; i++)
        name[i] = (char)(iana[i] == '_' ? '-' : iana[i]);
    return mbedtls_ssl_get_ciphersuite_id(name) != 0;
}

/* --ciphers as mosquitto's clients take it, in OpenSSL's names and rules
 * (ECDHE-ECDSA-AES128-GCM-SHA256, HIGH:!aNULL): OpenSSL expands them into the suites they
 * mean, passed on by their IANA names, which the transport takes; IANA names (TLS_...) pass
 * as they are. */
static int translate_ciphers(tool_cfg_t *cfg)
{
    if (!cfg->ciphers)
        return TOOL_EXIT_OK;
    tool_buf_t iana = {0}, rule = {0};
    for (const char *s = cfg->ciphers; *s;) {
        size_t len = strcspn(s, ":, ");
        tool_buf_t *to = !strncmp(s, "TLS_", 4) ? &iana : &rule;
        if (len)
            tool_buf_printf(to, "%s%.*s", to->len ? ":" : "", (int)len, s);
        s += len;
        s += strspn(s, ":, ");
    }
    int rc = TOOL_EXIT_OK;
    if (rule.len) {
        /* The transport's table of suites (mqtls_tls_t.suites) ends with a 0. */
        const size_t cap = sizeof ((mqtls_tls_t *)0)->suites / sizeof(int) - 1;
        size_t dropped = 0;
        char *more = tool_ossl_ciphers(rule.p, mbedtls_knows, cap, &dropped);
        if (dropped)
            tool_warn("--ciphers '%s' selects %lu more suites than the %lu the TLS transport "
                      "offers: the first %lu in OpenSSL's order of preference are offered",
                      rule.p, (unsigned long)dropped, (unsigned long)cap, (unsigned long)cap);
        if (!more)
            rc = bad("--ciphers: OpenSSL knows no cipher suite by '%s' (give OpenSSL names such "
                     "as ECDHE-ECDSA-AES128-GCM-SHA256, or IANA names such as "
                     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)", rule.p);
        else if (!*more && !iana.len)
            rc = bad("--ciphers '%s': none of the suites it selects is available in the TLS "
                     "library in use (Mbed TLS %s)", rule.p, MBEDTLS_VERSION_STRING);
        else if (*more)
            tool_buf_printf(&iana, "%s%s", iana.len ? ":" : "", more);
        free(more);
    }
    tool_buf_free(&rule);
    if (rc || !iana.p) {
        tool_buf_free(&iana);
        return rc;
    }
    tool_strlist_add(&cfg->owned, iana.p);
    cfg->ciphers = iana.p;
    return TOOL_EXIT_OK;
}

/* The doctor: any TLS option asks for TLS, and what pub and sub refuse as a usage error
 * (no CA, a certificate without its key) is left to its credentials step, which names the
 * cause (cred.ca_missing, cred.settings_invalid). */
static int doctor_check(tool_cfg_t *cfg)
{
    cfg->tls = cfg->cafile || cfg->capath || cfg->cert || cfg->key || cfg->keypass_opt ||
               cfg->insecure || cfg->tls_min_version || cfg->ciphers || cfg->alpn.n ||
               cfg->use_os_certs || cfg->url_scheme == TOOL_URL_MQTTS;
    int orc = use_os_certs(cfg);
    if (!orc)
        orc = translate_ciphers(cfg);
    if (orc)
        return orc;
    if (cfg->tls && cfg->url_scheme == TOOL_URL_MQTT)
        return bad("the -L URL says mqtt:// (plain MQTT) but TLS options were given: use "
                   "mqtts:// for MQTT over TLS");
    if (cfg->tls && !cfg->keypass && cfg->key) {
        const char *env = getenv("MQTLS_KEYPASS");
        if (env)
            cfg->keypass = tool_xstrdup(env);
    }
    int rc = check_alpn(cfg);
    if (rc)
        return rc;
    if (!cfg->port)
        cfg->port = cfg->tls ? 8883 : 1883;
    return TOOL_EXIT_OK;
}

/* --cafile: "" or a file of 0 bytes (Mbed TLS would only say that it found no certificate). */
static int check_cafile(const char *f)
{
    struct stat st;
    if (!f)
        return TOOL_EXIT_OK;
    if (!*f)
        return bad("--cafile is empty: give the file of the CA certificate that issued the "
                   "broker's certificate (PEM or DER)");
    if (stat(f, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        return bad("the CA file '%s' (--cafile) is empty (0 bytes): it should hold the CA "
                   "certificate that issued the broker's certificate (PEM or DER)", f);
    return TOOL_EXIT_OK;
}

static int check_capath(const char *d)
{
    struct stat st;
    if (!d)
        return TOOL_EXIT_OK;
    if (!*d)
        return bad("--capath is empty: give a directory of CA certificates");
    if (stat(d, &st) != 0)
        return bad("the CA directory '%s' cannot be used: %s (--capath takes a directory of "
                   "CA certificates)", d, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return bad("'%s' (--capath) is not a directory: give a directory of CA certificates, "
                   "or use --cafile for a single file", d);
    return TOOL_EXIT_OK;
}

/* Counts the certificates and private keys of a credential file (false: unreadable; the
 * setup reports that with its own words). */
static bool cred_kinds(const char *path, size_t *certs, size_t *keys)
{
    tool_credfile_t f;
    tool_credfile_load(&f, path, NULL);
    bool ok = f.read_ok;
    *certs = tool_credfile_count(&f, TOOL_OBJ_CERT);
    *keys = tool_credfile_count(&f, TOOL_OBJ_PRIVKEY);
    tool_credfile_free(&f);
    return ok;
}

/* --cert holding a key and --key holding a certificate: the order was swapped. */
static int check_cert_key(const tool_cfg_t *cfg)
{
    size_t cc, ck, kc, kk;
    if (!cfg->cert || !cfg->key || !cred_kinds(cfg->cert, &cc, &ck) ||
        !cred_kinds(cfg->key, &kc, &kk))
        return TOOL_EXIT_OK;
    bool cert_is_key = cc == 0 && ck > 0, key_is_cert = kk == 0 && kc > 0;
    if (cert_is_key && key_is_cert)
        return bad("--cert and --key are swapped: '%s' (--cert) holds a private key and '%s' "
                   "(--key) a certificate; use --cert %s --key %s", cfg->cert, cfg->key,
                   cfg->key, cfg->cert);
    if (cert_is_key)
        return bad("the client certificate '%s' cannot be used: it holds a private key, not a "
                   "certificate (--cert takes the client certificate)", cfg->cert);
    if (key_is_cert)
        return bad("the private key '%s' cannot be used: it holds a certificate, not a private "
                   "key (--key takes the client certificate's private key)", cfg->key);
    return TOOL_EXIT_OK;
}

/* The credential files, checked before connecting for the mistakes Mbed TLS would only
 * describe in generic words. */
static int check_files(const tool_cfg_t *cfg)
{
    int rc = check_cafile(cfg->cafile);
    if (!rc)
        rc = check_capath(cfg->capath);
    if (!rc)
        rc = check_cert_key(cfg);
    return rc;
}

int tool_tls_check(tool_cfg_t *cfg)
{
    if (cfg->cmd == TOOL_DOCTOR)
        return doctor_check(cfg);
    cfg->tls = cfg->cafile || cfg->capath || cfg->cert || cfg->insecure ||
               cfg->use_os_certs || cfg->url_scheme == TOOL_URL_MQTTS;
    int orc = use_os_certs(cfg);
    if (orc)
        return orc;
    if (!cfg->tls) {
        const char *opt = tls_only_option(cfg);
        if (opt && !strcmp(opt, "--key"))
            return bad("--key needs --cert (the client certificate the key belongs to)");
        if (opt)
            return bad("%s is a TLS option, but TLS is not in use: TLS is used with --cafile, "
                       "--capath, --tls-use-os-certs, --cert, --insecure or an mqtts:// URL",
                       opt);
        if (!cfg->port)
            cfg->port = 1883;
        return TOOL_EXIT_OK;
    }
    if (cfg->url_scheme == TOOL_URL_MQTT)
        return bad("the -L URL says mqtt:// (plain MQTT) but TLS options were given: use "
                   "mqtts:// for MQTT over TLS");
    if ((orc = translate_ciphers(cfg)) != TOOL_EXIT_OK)
        return orc;
    if (cfg->cert && !cfg->key)
        return bad("--cert needs --key (the private key of the client certificate)");
    if (cfg->key && !cfg->cert)
        return bad("--key needs --cert (the client certificate the key belongs to)");
    if (!cfg->cafile && !cfg->capath && !cfg->insecure)
        return bad("TLS needs a CA to verify the broker's certificate: pass --cafile FILE "
                   "(the CA certificate that issued the broker's certificate, PEM or DER; "
                   "for AWS IoT: Amazon Root CA 1), --capath DIR or --tls-use-os-certs "
                   "(--insecure would skip the verification, which is unsafe)");
    int frc = check_files(cfg);
    if (frc)
        return frc;
    if (cfg->bind_addr)
        return bad("-A cannot be used with TLS yet: the TLS transport opens its own socket");
    if (cfg->keypass_opt && !cfg->key)
        return bad("--keypass needs --key (the encrypted private key it unlocks)");
    if (!cfg->keypass && cfg->key) {
        const char *env = getenv("MQTLS_KEYPASS");
        if (env)
            cfg->keypass = tool_xstrdup(env);
    }
    int rc = check_alpn(cfg);
    if (rc)
        return rc;
    if (!cfg->port)
        cfg->port = 8883;
    return TOOL_EXIT_OK;
}

/* ---- setup ------------------------------------------------------------------------ */

static void wipe(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
}

static const char *item_words(mqtls_tls_item_t item)
{
    switch (item) {
    case MQTLS_TLS_ITEM_CA: return "the CA";
    case MQTLS_TLS_ITEM_CERT: return "the client certificate";
    case MQTLS_TLS_ITEM_KEY: return "the private key";
    case MQTLS_TLS_ITEM_SETTINGS: return "the TLS settings";
    default: return "TLS";
    }
}

/* "--cafile 'x'", "--capath 'd'" or both, for messages about the trusted CAs. */
static void ca_words(const tool_cfg_t *cfg, char *out, size_t size)
{
    if (cfg->cafile && cfg->capath)
        snprintf(out, size, "the CA file '%s' and the CA directory '%s'", cfg->cafile,
                 cfg->capath);
    else if (cfg->capath)
        snprintf(out, size, "the CA directory '%s'", cfg->capath);
    else if (cfg->cafile)
        snprintf(out, size, "the CA file '%s'", cfg->cafile);
    else
        snprintf(out, size, "no CA (--insecure)");
}

/* The file (or directory) a credential failure is about, and what to call it. */
static const char *item_file(const tool_cfg_t *cfg, const mqtls_tls_evidence_t *ev,
                             const char **words)
{
    *words = item_words(ev->item);
    switch (ev->item) {
    case MQTLS_TLS_ITEM_CA:
        if (!cfg->cafile && !cfg->capath)
            return NULL; /* no CA at all (the doctor lets that reach the setup) */
        if (cfg->capath && (!cfg->cafile || !strncmp(ev->detail, cfg->capath,
                                                      strlen(cfg->capath)))) {
            *words = "the CA directory";
            return cfg->capath;
        }
        *words = "the CA file";
        return cfg->cafile;
    case MQTLS_TLS_ITEM_CERT: return cfg->cert;
    case MQTLS_TLS_ITEM_KEY: return cfg->key;
    default: return NULL;
    }
}

/* A hint for the Mbed TLS codes users meet most with credentials. */
static const char *credential_hint(int raw)
{
    switch (raw) {
    case MBEDTLS_ERR_PK_PASSWORD_REQUIRED:
        return "the key is encrypted: give its passphrase with --keypass or MQTLS_KEYPASS";
    case MBEDTLS_ERR_PK_PASSWORD_MISMATCH:
        return "wrong passphrase (--keypass or MQTLS_KEYPASS)";
    case MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE:
        return "this Mbed TLS cannot decrypt a key encrypted this way (2.28 decrypts PKCS#8 "
               "only with DES/3DES): encrypt it as a traditional PEM key instead ('openssl ec "
               "-aes256' or 'openssl rsa -aes256'), or leave it unencrypted";
    case MBEDTLS_ERR_PK_KEY_INVALID_FORMAT:
    case MBEDTLS_ERR_PK_UNKNOWN_PK_ALG:
        return "not a private key mqtls can read (PEM or DER: PKCS#1, SEC1 or PKCS#8)";
    default:
        return NULL;
    }
}

/* Prints the evidence of a failed mqtls_tls_setup(): item, file, Mbed TLS's words. */
static void report_setup(const say_t *o, const tool_cfg_t *cfg, const mqtls_tls_evidence_t *ev,
                         mqtls_status_t st)
{
    const char *words;
    const char *file = item_file(cfg, ev, &words);
    const char *detail = ev->detail[0] ? ev->detail : mqtls_strerror(st);
    char code[32] = "";
    if (ev->raw_error < 0)
        snprintf(code, sizeof code, " (Mbed TLS -0x%04X)", (unsigned)-ev->raw_error);
    if (st == MQTLS_ERR_TLS_KEY_MISMATCH) {
        say(o, "TLS setup failed: the private key '%s' (--key) does not belong to the "
                       "certificate '%s' (--cert)%s", cfg->key, cfg->cert, code);
        return;
    }
    if (ev->item == MQTLS_TLS_ITEM_SETTINGS || !file) {
        say(o, "TLS setup failed: %s: %s%s", words, detail, code);
        return;
    }
    /* The library names the path itself when it cannot open it: say it once. */
    size_t flen = strlen(file);
    if (!strncmp(detail, file, flen) && !strncmp(detail + flen, ": ", 2))
        detail += flen + 2;
    const char *hint = credential_hint(ev->raw_error);
    say(o, "TLS setup failed: %s '%s' cannot be used: %s%s%s%s", words, file, detail,
                   code, hint ? ": " : "", hint ? hint : "");
}

static const char **make_alpn(tool_tls_t *t, const tool_cfg_t *cfg)
{
    if (cfg->alpn.n) {
        const char **v = tool_xcalloc(cfg->alpn.n + 1, sizeof *v);
        for (size_t i = 0; i < cfg->alpn.n; i++)
            v[i] = cfg->alpn.v[i];
        return v;
    }
    const char *dflt = tool_tls_default_alpn(cfg->host, cfg->port);
    if (!dflt)
        return NULL;
    const char **v = tool_xcalloc(2, sizeof *v);
    v[0] = dflt;
    t->alpn_auto = true;
    return v;
}

int tool_tls_setup(tool_tls_t *t, const tool_cfg_t *cfg, FILE *log)
{
    return tool_tls_setup_to(t, cfg, log, usage_sink, NULL);
}

/* An encrypted PKCS#8 key (OpenSSL 3's default for an encrypted key) is opened here with
 * OpenSSL, which has every scheme (Mbed TLS 2.28 decrypts PKCS#8 only with DES/3DES), and
 * handed to the transport as plain DER in *der, to be wiped once parsed. Other keys, and an
 * encrypted one without a passphrase, are the transport's to read and explain.
 * @return TOOL_EXIT_OK, or TOOL_EXIT_USAGE after saying why the key does not open */
static int open_pkcs8_key(const say_t *o, const tool_cfg_t *cfg, mqtls_tls_cfg_t *c,
                          tool_blob_t *der)
{
    if (!cfg->key || !cfg->keypass)
        return TOOL_EXIT_OK;
    tool_credfile_t f;
    tool_credfile_load(&f, cfg->key, cfg->keypass);
    const tool_obj_t *k = f.n_objs ? &f.objs[0] : NULL;
    int rc = TOOL_EXIT_OK;
    if (k && k->form == MQTLS_X509_DER_KEY_PKCS8_ENC) {
        unsigned char buf[8192];
        int n = k->pk_ok ? mbedtls_pk_write_key_der((mbedtls_pk_context *)&k->pk, buf, sizeof buf)
                         : 0;
        if (n > 0) {
            tool_blob_take_tail(der, buf, sizeof buf, (size_t)n);
            c->key_file = NULL;
            c->key_mem = der->p;
            c->key_mem_len = der->len;
            c->key_pass = NULL;
        } else {
            say(o, "TLS setup failed: the private key '%s' cannot be used: %s", cfg->key,
                k->why[0] ? k->why : "it does not open");
            rc = TOOL_EXIT_USAGE;
        }
    }
    tool_credfile_free(&f);
    return rc;
}

int tool_tls_setup_to(tool_tls_t *t, const tool_cfg_t *cfg, FILE *log, tool_tls_say_fn fn,
                      void *ctx)
{
    const say_t o = {fn, ctx};
    memset(t, 0, sizeof *t);
    mqtls_tls_init(&t->tls);
    t->cfg = cfg;
    t->log = log;
    if (cfg->insecure) {
        /* Always, even with --quiet: nobody should forget that it is on. */
        fflush(stdout);
        fputs("WARNING: --insecure: the server's certificate and host name are NOT verified; "
              "anyone on the network path can pose as the broker and read everything sent, "
              "credentials included. Use it for tests only.\n", stderr);
    }
    t->alpn = make_alpn(t, cfg);
    mqtls_tls_cfg_t c;
    memset(&c, 0, sizeof c);
    c.ca_file = cfg->cafile;
    c.ca_path = cfg->capath;
    c.cert_file = cfg->cert;
    c.key_file = cfg->key;
    c.key_pass = cfg->keypass;
    c.min_version = cfg->tls_min_version;
    /* tlsv1.3 means 1.3 only: asking for it explicitly lets the library say whether the
     * linked Mbed TLS has it. */
    c.max_version = cfg->tls_min_version == MQTLS_TLS_V1_3 ? MQTLS_TLS_V1_3 : 0;
    c.ciphers = cfg->ciphers;
    c.alpn = t->alpn;
    c.insecure = cfg->insecure;
    c.server_name = cfg->server_name;
    c.handshake_timeout_ms = cfg->tls_timeout_ms;
    tool_blob_t key_der = {0};
    if (open_pkcs8_key(&o, cfg, &c, &key_der) != TOOL_EXIT_OK) {
        wipe(cfg->keypass);
        return TOOL_EXIT_USAGE;
    }
    mqtls_status_t st = mqtls_tls_setup(&t->tls, &c);
    /* The key is parsed: its plaintext and the passphrase are not needed any more. */
    tool_blob_free(&key_der);
    wipe(cfg->keypass);
    if (st == MQTLS_OK)
        return TOOL_EXIT_OK;
    report_setup(&o, cfg, mqtls_tls_evidence(&t->tls), st);
    return TOOL_EXIT_USAGE;
}

void tool_tls_free(tool_tls_t *t)
{
    if (!t->cfg)
        return;
    mqtls_tls_free(&t->tls);
    free(t->alpn);
    memset(t, 0, sizeof *t);
}

int tool_tls_fd(const tool_tls_t *t)
{
    return mqtls_tls_fd(&t->tls);
}

bool tool_tls_handshaking(const tool_tls_t *t)
{
    return mqtls_tls_evidence(&t->tls)->stage == MQTLS_TLS_STAGE_HANDSHAKE;
}

bool tool_tls_ready(tool_tls_t *t)
{
    /* The TLS transport's wait says at once when Mbed TLS holds decrypted bytes, which a
     * poll() of the socket alone would not show. */
    return mqtls_tls_evidence(&t->tls)->stage == MQTLS_TLS_STAGE_ESTABLISHED &&
           mqtls_tls_transport.wait(&t->tls, 0, 0) == MQTLS_OK;
}

/* ---- the -d report ------------------------------------------------------------------ */

static const char *stage_name(mqtls_tls_stage_t s)
{
    switch (s) {
    case MQTLS_TLS_STAGE_CREDENTIALS: return "credentials";
    case MQTLS_TLS_STAGE_TCP: return "TCP connect";
    case MQTLS_TLS_STAGE_HANDSHAKE: return "TLS handshake";
    case MQTLS_TLS_STAGE_ESTABLISHED: return "established";
    default: return "not started";
    }
}

static void print_flags(FILE *out, uint32_t flags, const char *indent)
{
    char buf[1024];
    if (!flags)
        return;
    if (mbedtls_x509_crt_verify_info(buf, sizeof buf, "! ", flags) < 0)
        return;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        fprintf(out, "%s%s\n", indent, line);
}

static void print_cert(FILE *out, unsigned i, const mqtls_tls_cert_info_t *ci)
{
    fprintf(out, "    [%u] subject:      %s\n", i, ci->subject);
    fprintf(out, "        issuer:       %s\n", ci->issuer);
    fprintf(out, "        valid:        %s to %s UTC\n", ci->not_before, ci->not_after);
    fputs("        sha256:       ", out);
    for (size_t k = 0; k < sizeof ci->sha256; k++)
        fprintf(out, "%02x", ci->sha256[k]);
    fprintf(out, "\n        flags:        0x%08x%s\n", (unsigned)ci->flags,
            ci->flags ? "" : " (none)");
    print_flags(out, ci->flags, "                      ");
}

static void print_alert(FILE *out, const char *label, int alert)
{
    if (alert < 0)
        fprintf(out, "%s none", label);
    else
        fprintf(out, "%s %d %s", label, alert, mqtls_tls_alert_name(alert));
}

void tool_tls_print_evidence(FILE *out, const mqtls_tls_evidence_t *ev, const char *host,
                             uint16_t port)
{
    bool ok = ev->stage == MQTLS_TLS_STAGE_ESTABLISHED && ev->status == MQTLS_OK;
    fprintf(out, "TLS handshake with %s port %u: %s", host, (unsigned)port,
            ok ? "established" : "FAILED");
    if (!ok)
        fprintf(out, " at the %s stage: %s", stage_name(ev->stage),
                ev->status ? mqtls_strerror(ev->status) : "abandoned (connect timeout)");
    fputc('\n', out);
    if (ev->raw_error < 0)
        fprintf(out, "    error:          %s (Mbed TLS -0x%04X)\n", ev->detail,
                (unsigned)-ev->raw_error);
    else if (ev->raw_error > 0 || ev->detail[0])
        fprintf(out, "    error:          %s (errno %d)\n", ev->detail, ev->raw_error);
    if (ev->stage < MQTLS_TLS_STAGE_HANDSHAKE)
        return;
    fprintf(out, "    version:        %s\n", ev->version[0] ? ev->version : "(none)");
    fprintf(out, "    cipher suite:   %s\n", ev->ciphersuite[0] ? ev->ciphersuite : "(none)");
    fprintf(out, "    ALPN:           %s\n", ev->alpn[0] ? ev->alpn : "(none agreed)");
    fprintf(out, "    server chain:   %u certificate(s), [0] is the server's own\n",
            (unsigned)ev->chain_len);
    for (unsigned i = 0; i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        print_cert(out, i, &ev->chain[i]);
    fprintf(out, "    verification:   %s, flags 0x%08x%s\n",
            ev->insecure ? "DISABLED (--insecure), would have been" : "on",
            (unsigned)ev->verify_flags,
            ev->verify_flags ? "" : ev->chain_len ? " (chain and host name ok)" : "");
    print_flags(out, ev->verify_flags, "                    ");
    fprintf(out, "    client cert:    %s, %s\n",
            ev->cert_requested ? "requested by the server" : "not requested",
            ev->cert_sent ? "sent" : "none sent");
    print_alert(out, "    alerts:         received", ev->alert_received);
    print_alert(out, ", sent", ev->alert_sent);
    fputc('\n', out);
    fprintf(out, "    bytes received: %lu", (unsigned long)ev->bytes_received);
    if (ev->first_byte >= 0)
        fprintf(out, " (first byte 0x%02x%s)", (unsigned)ev->first_byte,
                ev->first_byte >= 20 && ev->first_byte <= 23 ? ", TLS" : ", NOT TLS");
    fputc('\n', out);
}

/* What is about to be tried (-d). */
static void print_attempt(tool_tls_t *t, const char *host, uint16_t port)
{
    const tool_cfg_t *cfg = t->cfg;
    FILE *o = t->log;
    char ca[512];
    ca_words(cfg, ca, sizeof ca);
    fprintf(o, "TLS connecting to %s port %u\n", host, (unsigned)port);
    fprintf(o, "    trusted CAs:    %s\n", ca);
    if (cfg->cert)
        fprintf(o, "    client cert:    %s (key %s%s)\n", cfg->cert, cfg->key,
                cfg->keypass ? ", passphrase given" : "");
    else
        fputs("    client cert:    none\n", o);
    fputs("    ALPN offered:   ", o);
    for (size_t i = 0; t->alpn && t->alpn[i]; i++)
        fprintf(o, "%s%s", i ? ", " : "", t->alpn[i]);
    if (!t->alpn)
        fputs("none", o);
    if (t->alpn_auto)
        fputs(" (automatic: port 443 on an amazonaws.com host)", o);
    fputc('\n', o);
    fprintf(o, "    TLS versions:   %s\n",
            cfg->tls_min_version == MQTLS_TLS_V1_3 ? "TLS 1.3" : OFFERED_VERSIONS);
    if (cfg->ciphers)
        fprintf(o, "    cipher suites:  %s\n", cfg->ciphers);
    fprintf(o, "    verification:   %s\n",
            cfg->insecure ? "DISABLED (--insecure)" : "server certificate chain and host name");
    fflush(o);
}

/* ---- the transport wrapper ---------------------------------------------------------- */

static void attempt_end(tool_tls_t *t, const char *host, uint16_t port)
{
    t->attempt_open = false;
    if (!t->log)
        return;
    tool_tls_print_evidence(t->log, mqtls_tls_evidence(&t->tls), host, port);
    fflush(t->log);
}

static mqtls_status_t w_connect(void *ctx, const char *host, uint16_t port)
{
    tool_tls_t *t = ctx;
    if (!t->attempt_open) {
        t->attempt_open = true;
        if (t->log)
            print_attempt(t, host, port);
    }
    mqtls_status_t st = mqtls_tls_transport.connect(&t->tls, host, port);
    if (st != MQTLS_IN_PROGRESS)
        attempt_end(t, host, port);
    return st;
}

static int32_t w_send(void *ctx, const mqtls_iov_t *iov, size_t n)
{
    tool_tls_t *t = ctx;
    return mqtls_tls_transport.send(&t->tls, iov, n);
}

static int32_t w_recv(void *ctx, uint8_t *buf, size_t len)
{
    tool_tls_t *t = ctx;
    return mqtls_tls_transport.recv(&t->tls, buf, len);
}

static mqtls_status_t w_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    tool_tls_t *t = ctx;
    return mqtls_tls_transport.wait(&t->tls, for_write, timeout_ms);
}

static void w_close(void *ctx)
{
    tool_tls_t *t = ctx;
    mqtls_tls_transport.close(&t->tls);
    if (t->attempt_open) /* the client gave up (connect timeout) before the handshake ended */
        attempt_end(t, t->cfg->host, t->cfg->port);
}

const mqtls_transport_t tool_tls_transport = {w_connect, w_send, w_recv, w_wait, w_close};

/* ---- explaining a failure ----------------------------------------------------------- */

static const mqtls_tls_cert_info_t *cert_with(const mqtls_tls_evidence_t *ev, uint32_t flag)
{
    for (unsigned i = 0; i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        if (ev->chain[i].flags & flag)
            return &ev->chain[i];
    return ev->chain_len ? &ev->chain[0] : NULL;
}

static void utc_now(char *out, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Certificate verification failed: one line per reason. */
static void explain_verify(const say_t *o, const tool_tls_t *t, const mqtls_tls_evidence_t *ev)
{
    const tool_cfg_t *cfg = t->cfg;
    uint32_t f = ev->verify_flags;
    uint32_t known = MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_EXPIRED |
                     MBEDTLS_X509_BADCERT_FUTURE | MBEDTLS_X509_BADCERT_CN_MISMATCH;
    char now[32], ca[512];
    utc_now(now, sizeof now);
    ca_words(cfg, ca, sizeof ca);
    if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
        const mqtls_tls_cert_info_t *top = ev->chain_len ? &ev->chain[ev->chain_len - 1] : NULL;
        if (!top)
            say(o, "server certificate not trusted: %s does not contain the root of the "
                     "server's chain", ca);
        else if (strcmp(top->subject, top->issuer) != 0)
            say(o, "server certificate not trusted: the server's chain ends at '%s', issued "
                     "by '%s', and %s does not contain its root ('%s'); pass the CA that "
                     "issued the broker's certificate", top->subject, top->issuer, ca,
                     top->issuer);
        else
            say(o, "server certificate not trusted: the server's chain ends at the root "
                     "'%s' (SHA-256 %02x%02x%02x%02x...), and %s does not contain that root "
                     "(a CA of the same name with another key does not count); pass the CA "
                     "that issued the broker's certificate", top->subject, top->sha256[0],
                     top->sha256[1], top->sha256[2], top->sha256[3], ca);
    }
    if (f & MBEDTLS_X509_BADCERT_EXPIRED) {
        const mqtls_tls_cert_info_t *c = cert_with(ev, MBEDTLS_X509_BADCERT_EXPIRED);
        say(o, "server certificate expired: '%s' was valid from %s to %s UTC, and this "
                 "machine's clock says %s UTC", c ? c->subject : "?", c ? c->not_before : "?",
                 c ? c->not_after : "?", now);
    }
    if (f & MBEDTLS_X509_BADCERT_FUTURE) {
        const mqtls_tls_cert_info_t *c = cert_with(ev, MBEDTLS_X509_BADCERT_FUTURE);
        say(o, "server certificate not yet valid: '%s' is valid from %s to %s UTC, and this "
                 "machine's clock says %s UTC (is the clock right?)", c ? c->subject : "?",
                 c ? c->not_before : "?", c ? c->not_after : "?", now);
    }
    if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH)
        say(o, "host name mismatch: the server's certificate '%s' is not issued for '%s'; "
                 "connect with a name or address listed in its subjectAltName",
                 ev->chain_len ? ev->chain[0].subject : "?", cfg->host);
    if (f & ~known || !f) {
        char buf[1024] = "";
        if (f)
            mbedtls_x509_crt_verify_info(buf, sizeof buf, "", f);
        for (char *p = buf; *p; p++)
            if (*p == '\n')
                *p = p[1] ? ';' : '\0';
        say(o, "server certificate rejected (verify flags 0x%08x)%s%s", (unsigned)f,
                 buf[0] ? ": " : "", buf);
    }
}

/* The broker sent a fatal alert. */
static void explain_alert(const say_t *o, const tool_tls_t *t, const mqtls_tls_evidence_t *ev)
{
    const tool_cfg_t *cfg = t->cfg;
    int a = ev->alert_received;
    const char *name = mqtls_tls_alert_name(a);
    bool server_ok = ev->chain_len > 0 && (ev->verify_flags == 0 || ev->insecure);
    bool no_cert = ev->cert_requested && !ev->cert_sent;
    if (server_ok && no_cert && (a == 40 || a == 42 || a == 116)) {
        say(o, "alert received %d %s: the broker requires a client certificate and none "
                 "was given: pass --cert and --key", a, name);
    } else if (server_ok && (a == 42 || a == 46 || a == 48 || a == 116)) {
        say(o, "alert received %d %s: the server's certificate verified, then the broker "
                 "rejected this client certificate ('%s'): the broker does not trust the CA "
                 "that issued it, or it is expired, revoked or not registered there",
                 a, name, cfg->cert ? cfg->cert : "none");
    } else if (a == 70) {
        say(o, "alert received 70 protocol_version: the broker does not accept the TLS "
                 "version this client offered (%s); check --tls-version and the TLS versions "
                 "the broker allows", cfg->tls_min_version == MQTLS_TLS_V1_3 ? "TLS 1.3"
                                                                             : OFFERED_VERSIONS);
    } else if (a == 40) {
        say(o, "alert received 40 handshake_failure: no common cipher suite (or another "
                 "handshake parameter the broker refused)%s%s", cfg->ciphers ?
                 "; --ciphers limited the offer to " : "", cfg->ciphers ? cfg->ciphers : "");
    } else if (a == 120) {
        say(o, "alert received 120 no_application_protocol: the broker accepts none of the "
                 "ALPN protocols offered (%s)", t->alpn ? t->alpn[0] : "none");
    } else {
        say(o, "alert received %d %s: the broker ended the TLS handshake", a, name);
    }
}

/* The broker hung up after it asked for our certificate, once the server's chain had
 * verified: its alert, if it sent one, was lost when our next write failed. */
static bool closed_after_client_auth(const mqtls_tls_evidence_t *ev, mqtls_status_t why)
{
    return (why == MQTLS_ERR_IO || why == MQTLS_ERR_CLOSED) && ev->cert_requested &&
           ev->chain_len > 0 && (ev->verify_flags == 0 || ev->insecure);
}

static void explain_client_auth_close(const say_t *o, const tool_tls_t *t,
                                      const mqtls_tls_evidence_t *ev)
{
    if (!ev->cert_sent)
        say(o, "the broker requires a client certificate and none was given: it closed the "
                 "connection when it got none; pass --cert and --key");
    else
        say(o, "the server's certificate verified, then the broker closed the connection "
                 "right after this client sent its certificate ('%s'), without an alert that "
                 "could be read: the broker most likely rejected this client certificate (it "
                 "does not trust the CA that issued it, or it is expired, revoked or not "
                 "registered there)", t->cfg->cert);
}

static bool is_tls_byte(int b)
{
    return b >= 20 && b <= 23;
}

int tool_tls_explain(const tool_tls_t *t, mqtls_status_t st)
{
    return tool_tls_explain_to(t, st, err_sink, NULL);
}

int tool_tls_explain_to(const tool_tls_t *t, mqtls_status_t st, tool_tls_say_fn fn, void *ctx)
{
    const say_t so = {fn, ctx}, *o = &so;
    const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&t->tls);
    const tool_cfg_t *cfg = t->cfg;
    unsigned port = cfg->port;
    if (ev->stage == MQTLS_TLS_STAGE_ESTABLISHED) {
        if (st != MQTLS_ERR_CLOSED && st != MQTLS_ERR_IO)
            return -1;
        say(o, "the broker at %s port %u closed the connection after the TLS handshake, "
                 "without answering CONNECT (some brokers do this when they refuse the client "
                 "certificate's identity, the client id or a policy)", cfg->host, port);
        return TOOL_EXIT_CONNECT;
    }
    if (ev->stage != MQTLS_TLS_STAGE_HANDSHAKE)
        return -1;
    mqtls_status_t why = ev->status ? ev->status : st;
    char detail[224] = "";
    if (ev->raw_error < 0)
        snprintf(detail, sizeof detail, " (Mbed TLS: %s, -0x%04X)", ev->detail,
                 (unsigned)-ev->raw_error);
    say(o, "TLS handshake with %s port %u failed: %s%s", cfg->host, port, mqtls_strerror(why),
             detail);
    if (why == MQTLS_ERR_TLS_VERIFY || (ev->verify_flags && !ev->insecure))
        explain_verify(o, t, ev);
    else if (ev->alert_received >= 0)
        explain_alert(o, t, ev);
    else if (closed_after_client_auth(ev, why))
        explain_client_auth_close(o, t, ev);
    else if (ev->bytes_received == 0 && (why == MQTLS_ERR_CLOSED || why == MQTLS_ERR_TIMEOUT ||
                                         why == MQTLS_ERR_IO))
        say(o, "the server %s during the TLS handshake without sending anything: port %u "
                 "may not be a TLS port (MQTT over TLS is usually 8883, plain MQTT 1883)",
                 why == MQTLS_ERR_TIMEOUT ? "stayed silent" : "closed the connection", port);
    else if (ev->first_byte >= 0 && !is_tls_byte(ev->first_byte))
        say(o, "the server did not answer in TLS (first byte 0x%02x): port %u is probably "
                 "not a TLS port", (unsigned)ev->first_byte, port);
    else if (why == MQTLS_ERR_CLOSED)
        say(o, "the server closed the connection during the TLS handshake, without an alert");
    return TOOL_EXIT_CONNECT;
}
