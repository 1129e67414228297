/**
 * @file tool_tls.c
 * @brief TLS for pub and sub (see tool_tls.h): option checks, transport setup, the -d
 *        handshake report and plain-words explanations of failures.
 */
#include "mqtt/tool_tls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds/tool_ossl.h"
#include "common/tool_util.h"
#include "creds/tool_x509.h"

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

/* The library's TLS backend is Mbed TLS (not OpenSSL): it takes IANA suite names only, and
 * opens fewer encrypted keys. */
static bool backend_is_mbedtls(void)
{
    return strncmp(mqtls_tls_backend(), "Mbed TLS", 8) == 0;
}

/* What the client offers by default: the backend decides whether 1.3 is there. */
static const char *offered_versions(void)
{
    return mqtls_tls_max_version() >= MQTLS_TLS_V1_3 ? "TLS 1.2 and 1.3"
                                                      : "TLS 1.2; the TLS library has no TLS 1.3";
}

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

/* --tls-use-os-certs: the library reads SSL_CERT_FILE and SSL_CERT_DIR as OpenSSL does,
 * silently passing over a path that is not there; a user who set one means it, so a wrong
 * one is named here. */
static int check_os_certs(const tool_cfg_t *cfg)
{
    if (!cfg->use_os_certs)
        return TOOL_EXIT_OK;
    const char *file = getenv("SSL_CERT_FILE"), *dir = getenv("SSL_CERT_DIR");
    struct stat st;
    if (file && *file) {
        int err = stat(file, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EISDIR
                  : access(file, R_OK) != 0 ? errno : 0;
        if (err)
            return bad("--tls-use-os-certs: SSL_CERT_FILE names '%s', which cannot be read: %s",
                       file, strerror(err));
    }
    if (dir && *dir && !strchr(dir, ':') && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return bad("--tls-use-os-certs: SSL_CERT_DIR names '%s', which is not a directory", dir);
    return TOOL_EXIT_OK;
}

/* The first option given that only makes sense with TLS, or NULL. */
static const char *tls_only_option(const tool_cfg_t *cfg)
{
    if (cfg->key)
        return "--key";
    if (cfg->keypass_opt)
        return "--keypass";
    if (cfg->pkcs11_module)
        return "--pkcs11-module";
    if (cfg->keyform_engine)
        return "--keyform engine";
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

static int backend_knows(const char *iana)
{
    return mqtls_tls_cipher_known(iana);
}

/* The most suites the Mbed TLS backend takes in one list. */
#define MBEDTLS_SUITES_MAX 47

/* --ciphers as mosquitto's clients take it, in OpenSSL's names and rules
 * (ECDHE-ECDSA-AES128-GCM-SHA256, HIGH:!aNULL). The OpenSSL backend takes them as they are.
 * For the Mbed TLS backend OpenSSL expands them here into the suites they mean, passed on by
 * their IANA names; IANA names (TLS_...) pass as they are. */
static int translate_ciphers(tool_cfg_t *cfg)
{
    if (!cfg->ciphers || !backend_is_mbedtls())
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
        const size_t cap = MBEDTLS_SUITES_MAX;
        size_t dropped = 0;
        char *more = tool_ossl_ciphers(rule.p, backend_knows, cap, &dropped);
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
                     "library in use (%s)", rule.p, mqtls_tls_backend());
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
    int orc = translate_ciphers(cfg);
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
    int orc;
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
    if (!cfg->cafile && !cfg->capath && !cfg->use_os_certs && !cfg->insecure)
        return bad("TLS needs a CA to verify the broker's certificate: pass --cafile FILE "
                   "(the CA certificate that issued the broker's certificate, PEM or DER; "
                   "for AWS IoT: Amazon Root CA 1), --capath DIR or --tls-use-os-certs "
                   "(--insecure would skip the verification, which is unsafe)");
    int frc = check_files(cfg);
    if (frc)
        return frc;
    if (cfg->keypass_opt && !cfg->key)
        return bad("--keypass needs --key (the encrypted private key it unlocks)");
    if ((orc = check_os_certs(cfg)) != TOOL_EXIT_OK)
        return orc;
    bool token_key = cfg->key && !strncmp(cfg->key, "pkcs11:", 7);
    if (cfg->keyform_engine && !token_key)
        return bad("--keyform engine: give the key in the token as an RFC 7512 URI in --key "
                   "(e.g. --key 'pkcs11:token=gateway;object=device-key')");
    if (cfg->pkcs11_module && !token_key)
        return bad("--pkcs11-module is for a key in a PKCS#11 token: give that key as a "
                   "pkcs11: URI in --key");
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
    if (cfg->use_os_certs) {
        char more[480] = "";
        tool_cfg_t c = *cfg;
        c.use_os_certs = false;
        if (c.cafile || c.capath)
            ca_words(&c, more, sizeof more);
        snprintf(out, size, "the system's trusted CAs (SSL_CERT_FILE, SSL_CERT_DIR or the "
                 "system store)%s%s", more[0] ? " and " : "", more);
    } else if (cfg->cafile && cfg->capath)
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

/* A hint for the credential problems users meet most. */
static const char *credential_hint(const mqtls_tls_evidence_t *ev)
{
    switch (ev->cred_problem) {
    case MQTLS_TLS_CRED_PASS_NEEDED:
        return ev->item == MQTLS_TLS_ITEM_KEY
                   ? "the key is encrypted: give its passphrase with --keypass or MQTLS_KEYPASS"
                   : NULL;
    case MQTLS_TLS_CRED_PASS_WRONG:
        return "wrong passphrase (--keypass or MQTLS_KEYPASS)";
    case MQTLS_TLS_CRED_KEY_UNSUPPORTED:
        return "the TLS library cannot use a key of this kind or encrypted this way; "
               "convert it ('openssl pkey -in KEY -out plain.pem') or leave it unencrypted";
    case MQTLS_TLS_CRED_MALFORMED:
        return ev->item == MQTLS_TLS_ITEM_KEY
                   ? "not a private key mqtls can read (PEM or DER: PKCS#1, SEC1 or PKCS#8)"
                   : NULL;
    case MQTLS_TLS_CRED_TOKEN:
        return "check the pkcs11: URI (token and object), the PIN (--keypass or pin-value) and "
               "the module (--pkcs11-module)";
    default:
        return NULL;
    }
}

/* " (OpenSSL error 0x0A000086)", " (Mbed TLS -0x2700)": the library's code, for a report. */
static void raw_words(const mqtls_tls_evidence_t *ev, char *out, size_t size)
{
    out[0] = '\0';
    if (ev->raw_error == 0 || ev->stage == MQTLS_TLS_STAGE_TCP)
        return;
    if (backend_is_mbedtls() && ev->raw_error < 0)
        snprintf(out, size, " (Mbed TLS -0x%04X)", (unsigned)-ev->raw_error);
    else if (!backend_is_mbedtls())
        snprintf(out, size, " (OpenSSL error 0x%08X)", (unsigned)ev->raw_error);
}

/* Prints the evidence of a failed mqtls_tls_setup(): item, file, the TLS library's words. */
static void report_setup(const say_t *o, const tool_cfg_t *cfg, const mqtls_tls_evidence_t *ev,
                         mqtls_status_t st)
{
    const char *words;
    const char *file = item_file(cfg, ev, &words);
    const char *detail = ev->detail[0] ? ev->detail : mqtls_strerror(st);
    char code[48];
    raw_words(ev, code, sizeof code);
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
    const char *hint = credential_hint(ev);
    size_t certs = 0, keys = 0;
    if (!hint && (ev->item == MQTLS_TLS_ITEM_CA || ev->item == MQTLS_TLS_ITEM_CERT) &&
        cred_kinds(file, &certs, &keys) && certs == 0 && keys > 0)
        hint = "it holds a private key, not a certificate";
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

/* With the Mbed TLS backend, an encrypted PKCS#8 key (OpenSSL 3's default for an encrypted
 * key) is opened here by the tool's credential reader (OpenSSL: every scheme; Mbed TLS 2.28
 * decrypts PKCS#8 only with DES/3DES) and handed to the transport as plain DER in *der, to be
 * wiped once parsed. The OpenSSL backend opens such keys itself.
 * @return TOOL_EXIT_OK, or TOOL_EXIT_USAGE after saying why the key does not open */
static int open_pkcs8_key(const say_t *o, const tool_cfg_t *cfg, mqtls_tls_cfg_t *c,
                          tool_blob_t *der)
{
    if (!cfg->key || !cfg->keypass || !backend_is_mbedtls())
        return TOOL_EXIT_OK;
    tool_credfile_t f;
    tool_credfile_load(&f, cfg->key, cfg->keypass);
    const tool_obj_t *k = tool_credfile_first(&f, TOOL_OBJ_PRIVKEY);
    int rc = TOOL_EXIT_OK;
    if (k && k->form == TOOL_FORM_KEY_PKCS8_ENC) {
        if (tool_obj_key_der(k, der, NULL) == 0) {
            c->key_file = NULL;
            c->key_mem = der->p;
            c->key_mem_len = der->len;
            c->key_pass = NULL;
        } else {
            say(o, "TLS setup failed: the private key '%s' cannot be used: %s (--keypass or "
                   "MQTLS_KEYPASS)", cfg->key, k->why[0] ? k->why : "it does not open");
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
    c.use_os_ca = cfg->use_os_certs;
    c.pkcs11_module = cfg->pkcs11_module;
    c.keep_chain = log != NULL || cfg->cmd == TOOL_DOCTOR; /* -d and the doctor show it */
    c.cert_file = cfg->cert;
    c.key_file = cfg->key;
    c.key_pass = cfg->keypass;
    c.min_version = cfg->tls_min_version;
    /* tlsv1.3 means 1.3 only: asking for it explicitly lets the library say whether the
     * TLS library has it. */
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
    /* The TLS transport's wait says at once when the TLS library holds decrypted bytes,
     * which a poll() of the socket alone would not show. */
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

void tool_tls_problem_words(uint32_t problems, const char *sep, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t bit = 1; bit && used < size; bit <<= 1) {
        if (!(problems & bit))
            continue;
        const char *w = mqtls_tls_problem_words(bit);
        int n = snprintf(out + used, size - used, "%s%s", used ? sep : "",
                         w ? w : "another verification failure");
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static void print_flags(FILE *out, uint32_t flags, const char *indent)
{
    char buf[1024];
    if (!flags)
        return;
    tool_tls_problem_words(flags, "\n", buf, sizeof buf);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        fprintf(out, "%s! %s\n", indent, line);
}

static void print_cert(FILE *out, unsigned i, const mqtls_tls_cert_info_t *ci)
{
    fprintf(out, "    [%u] subject:      %s\n", i, ci->subject);
    fprintf(out, "        issuer:       %s\n", ci->issuer);
    fprintf(out, "        valid:        %s to %s UTC\n", ci->not_before, ci->not_after);
    if (ci->names[0])
        fprintf(out, "        names:        %s\n", ci->names);
    if (ci->key[0] || ci->sig_alg[0])
        fprintf(out, "        key:          %s%s, signed %s\n", ci->key[0] ? ci->key : "?",
                ci->is_ca ? " (a CA)" : "", ci->sig_alg[0] ? ci->sig_alg : "?");
    fputs("        sha256:       ", out);
    for (size_t k = 0; k < sizeof ci->sha256; k++)
        fprintf(out, "%02x", ci->sha256[k]);
    fprintf(out, "\n        problems:     0x%04x%s\n", (unsigned)ci->problems,
            ci->problems ? "" : " (none)");
    print_flags(out, ci->problems, "                      ");
}

/* Was the certificate with this SHA-256 sent by the server? */
static bool was_sent(const mqtls_tls_evidence_t *ev, const uint8_t sha[32])
{
    for (unsigned i = 0; ev->sent && i < ev->sent_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        if (!memcmp(ev->sent[i].sha256, sha, 32))
            return true;
    return false;
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
    char code[48];
    raw_words(ev, code, sizeof code);
    if (ev->stage == MQTLS_TLS_STAGE_TCP && ev->raw_error > 0)
        fprintf(out, "    error:          %s (errno %d)\n", ev->detail, ev->raw_error);
    else if (ev->detail[0] || code[0])
        fprintf(out, "    error:          %s%s\n", ev->detail, code);
    fprintf(out, "    TLS library:    %s\n", ev->backend ? ev->backend : mqtls_tls_backend());
    if (ev->stage < MQTLS_TLS_STAGE_HANDSHAKE)
        return;
    fprintf(out, "    version:        %s\n", ev->version[0] ? ev->version : "(none)");
    fprintf(out, "    cipher suite:   %s\n", ev->ciphersuite[0] ? ev->ciphersuite : "(none)");
    fprintf(out, "    ALPN:           %s\n", ev->alpn[0] ? ev->alpn : "(none agreed)");
    if (ev->resumed)
        fputs("    session:        resumed (no certificates exchanged: the server's were "
              "verified when the session was made)\n", out);
    fprintf(out, "    server sent:    %u certificate(s)\n", (unsigned)ev->sent_len);
    fprintf(out, "    server chain:   %u certificate(s) as verification built it, [0] is the "
                 "server's own\n", (unsigned)ev->chain_len);
    for (unsigned i = 0; ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
        print_cert(out, i, &ev->chain[i]);
        if (ev->sent && !was_sent(ev, ev->chain[i].sha256))
            fputs("        from:         the trust store (not sent by the server)\n", out);
    }
    for (unsigned i = 0; ev->sent && i < ev->sent_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
        bool in_chain = false;
        for (unsigned k = 0; ev->chain && k < ev->chain_len && k < MQTLS_TLS_CHAIN_MAX; k++)
            in_chain = in_chain || !memcmp(ev->chain[k].sha256, ev->sent[i].sha256, 32);
        if (!in_chain) {
            fprintf(out, "    sent, not used: [%u]\n", i);
            print_cert(out, i, &ev->sent[i]);
        }
    }
    fprintf(out, "    verification:   %s, problems 0x%04x%s\n",
            ev->insecure ? "DISABLED (--insecure), would have been" : "on",
            (unsigned)ev->problems,
            ev->problems ? "" : ev->verified ? " (chain and host name ok)" : "");
    print_flags(out, ev->problems, "                    ");
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
            cfg->tls_min_version == MQTLS_TLS_V1_3 ? "TLS 1.3" : offered_versions());
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
    for (unsigned i = 0; ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        if (ev->chain[i].problems & flag)
            return &ev->chain[i];
    return ev->chain && ev->chain_len ? &ev->chain[0] : NULL;
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
    uint32_t f = ev->problems;
    uint32_t known = MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_NO_ISSUER |
                     MQTLS_TLS_BAD_SELF_SIGNED | MQTLS_TLS_BAD_EXPIRED | MQTLS_TLS_BAD_FUTURE |
                     MQTLS_TLS_BAD_NAME;
    char now[32], ca[512];
    utc_now(now, sizeof now);
    ca_words(cfg, ca, sizeof ca);
    const mqtls_tls_cert_info_t *top =
        ev->chain && ev->chain_len ? &ev->chain[ev->chain_len - 1] : NULL;
    if (f & MQTLS_TLS_BAD_SELF_SIGNED)
        say(o, "server certificate not trusted: the server's certificate '%s' is self-signed "
                 "and %s does not contain it; pass that certificate as the CA, or give the "
                 "broker a certificate issued by a CA", top ? top->subject : "?", ca);
    else if (f & MQTLS_TLS_BAD_NO_ISSUER)
        say(o, "server certificate not trusted: the server's chain ends at '%s', issued by "
                 "'%s', which the server did not send and %s does not contain: pass the CA "
                 "'%s' (or, if it is an intermediate CA, have the broker send it with its "
                 "certificate)", top ? top->subject : "?", top ? top->issuer : "?", ca,
                 top ? top->issuer : "?");
    else if (f & MQTLS_TLS_BAD_UNTRUSTED) {
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
    if (f & MQTLS_TLS_BAD_EXPIRED) {
        const mqtls_tls_cert_info_t *c = cert_with(ev, MQTLS_TLS_BAD_EXPIRED);
        say(o, "server certificate expired: '%s' was valid from %s to %s UTC, and this "
                 "machine's clock says %s UTC", c ? c->subject : "?", c ? c->not_before : "?",
                 c ? c->not_after : "?", now);
    }
    if (f & MQTLS_TLS_BAD_FUTURE) {
        const mqtls_tls_cert_info_t *c = cert_with(ev, MQTLS_TLS_BAD_FUTURE);
        say(o, "server certificate not yet valid: '%s' is valid from %s to %s UTC, and this "
                 "machine's clock says %s UTC (is the clock right?)", c ? c->subject : "?",
                 c ? c->not_before : "?", c ? c->not_after : "?", now);
    }
    if (f & MQTLS_TLS_BAD_NAME) {
        const mqtls_tls_cert_info_t *leaf = ev->chain && ev->chain_len ? &ev->chain[0] : NULL;
        say(o, "host name mismatch: the server's certificate '%s' is not issued for '%s' (it "
                 "names %s); connect with a name or address listed in its subjectAltName",
                 leaf ? leaf->subject : "?", cfg->server_name ? cfg->server_name : cfg->host,
                 leaf && leaf->names[0] ? leaf->names : "no subjectAltName");
    }
    if (f & ~known || !f) {
        char buf[1024] = "";
        tool_tls_problem_words(f & ~known, "; ", buf, sizeof buf);
        say(o, "server certificate rejected (problems 0x%04x)%s%s%s%s", (unsigned)f,
                 buf[0] ? ": " : "", buf, ev->detail[0] ? "; the TLS library says: " : "",
                 ev->detail);
    }
}

/* The broker sent a fatal alert. */
static void explain_alert(const say_t *o, const tool_tls_t *t, const mqtls_tls_evidence_t *ev)
{
    const tool_cfg_t *cfg = t->cfg;
    int a = ev->alert_received;
    const char *name = mqtls_tls_alert_name(a);
    bool server_ok = ev->verified && (ev->problems == 0 || ev->insecure);
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
                                                                             : offered_versions());
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
           ev->verified && (ev->problems == 0 || ev->insecure);
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
    if (ev->stage == MQTLS_TLS_STAGE_ESTABLISHED && ev->alert_received > 0) {
        /* TLS 1.3: the broker checks our certificate after our side of the handshake is
         * done; its refusal arrives as an alert instead of the CONNACK. */
        say(o, "the broker at %s port %u ended the connection after the TLS handshake with an "
                 "alert", cfg->host, port);
        explain_alert(o, t, ev);
        return TOOL_EXIT_CONNECT;
    }
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
    char detail[256] = "", code[48];
    raw_words(ev, code, sizeof code);
    if (ev->detail[0] && why != MQTLS_ERR_TLS_VERIFY)
        snprintf(detail, sizeof detail, " (%s%s)", ev->detail, code);
    say(o, "TLS handshake with %s port %u failed: %s%s", cfg->host, port, mqtls_strerror(why),
             detail);
    if (why == MQTLS_ERR_TLS_VERIFY || (ev->problems && !ev->insecure))
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
