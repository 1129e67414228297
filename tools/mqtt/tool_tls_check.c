/**
 * @file tool_tls_check.c
 * @brief The checks of the TLS options (see tool_tls_check() in tool_tls.h): when TLS is
 *        used, the default port, the AWS IoT ALPN, --ciphers for either backend, and the
 *        credential files' usual mistakes, each with a usage error that names the fix.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqtt/tool_tls_internal.h"
#include "creds/tool_ossl.h"
#include "common/tool_util.h"
#include "creds/tool_x509.h"

#define bad tool_usage_err

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
    if (cfg->crlfile)
        return "--crlfile";
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
    if (!cfg->ciphers || !tool_tls__backend_is_mbedtls())
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

/* An mqtt:// URL (plain MQTT) with TLS options: the two disagree. */
static int url_not_tls(void)
{
    return bad("the -L URL says mqtt:// (plain MQTT) but TLS options were given: use "
               "mqtts:// for MQTT over TLS");
}

/* MQTLS_KEYPASS stands in for --keypass. */
static void keypass_from_env(tool_cfg_t *cfg)
{
    if (cfg->keypass || !cfg->key)
        return;
    const char *env = getenv("MQTLS_KEYPASS");
    if (env)
        cfg->keypass = tool_xstrdup(env);
}

/* The doctor: any TLS option asks for TLS, and what pub and sub refuse as a usage error
 * (no CA, a certificate without its key) is left to its credentials step, which names the
 * cause (cred.ca_missing, cred.settings_invalid). */
static int doctor_check(tool_cfg_t *cfg)
{
    cfg->tls = cfg->cafile || cfg->capath || cfg->cert || cfg->key || cfg->keypass_opt ||
               cfg->insecure || cfg->tls_min_version || cfg->ciphers || cfg->alpn.n ||
               cfg->use_os_certs || cfg->crlfile || cfg->url_scheme == TOOL_URL_MQTTS;
    int orc = translate_ciphers(cfg);
    if (orc)
        return orc;
    if (cfg->tls && cfg->url_scheme == TOOL_URL_MQTT)
        return url_not_tls();
    if (cfg->tls)
        keypass_from_env(cfg);
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
bool tool_tls__cred_kinds(const char *path, size_t *certs, size_t *keys)
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
    if (!cfg->cert || !cfg->key || !tool_tls__cred_kinds(cfg->cert, &cc, &ck) ||
        !tool_tls__cred_kinds(cfg->key, &kc, &kk))
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

/* Without TLS an option that only TLS uses is a mistake; the port defaults to 1883. */
static int check_no_tls(tool_cfg_t *cfg)
{
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

/* --keyform engine and --pkcs11-module go with a key in a token (a pkcs11: URI). */
static int check_token_key(const tool_cfg_t *cfg)
{
    bool token_key = cfg->key && !strncmp(cfg->key, "pkcs11:", 7);
    if (cfg->keyform_engine && !token_key)
        return bad("--keyform engine: give the key in the token as an RFC 7512 URI in --key "
                   "(e.g. --key 'pkcs11:token=gateway;object=device-key')");
    if (cfg->pkcs11_module && !token_key)
        return bad("--pkcs11-module is for a key in a PKCS#11 token: give that key as a "
                   "pkcs11: URI in --key");
    return TOOL_EXIT_OK;
}

int tool_tls_check(tool_cfg_t *cfg)
{
    if (cfg->cmd == TOOL_DOCTOR)
        return doctor_check(cfg);
    cfg->tls = cfg->cafile || cfg->capath || cfg->cert || cfg->insecure ||
               cfg->use_os_certs || cfg->url_scheme == TOOL_URL_MQTTS;
    int orc;
    if (!cfg->tls)
        return check_no_tls(cfg);
    if (cfg->url_scheme == TOOL_URL_MQTT)
        return url_not_tls();
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
    if ((orc = check_token_key(cfg)) != TOOL_EXIT_OK)
        return orc;
    keypass_from_env(cfg);
    int rc = check_alpn(cfg);
    if (rc)
        return rc;
    if (!cfg->port)
        cfg->port = 8883;
    return TOOL_EXIT_OK;
}
