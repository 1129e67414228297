/**
 * @file tool_tls_explain.c
 * @brief Failures in plain words: why the TLS setup refused a credential or setting, and
 *        why a handshake failed (tool_tls_explain()), from mqtls_tls_evidence() only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mqtt/tool_tls_internal.h"
#include "common/tool_util.h"
#include "mqtls/diagnose.h"

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

static void err_sink(void *ctx, const char *line)
{
    (void)ctx;
    tool_err("%s", line);
}

static const char *item_words(mqtls_tls_item_t item)
{
    switch (item) {
    case MQTLS_TLS_ITEM_CA: return "the CA";
    case MQTLS_TLS_ITEM_CERT: return "the client certificate";
    case MQTLS_TLS_ITEM_KEY: return "the private key";
    case MQTLS_TLS_ITEM_SETTINGS: return "the TLS settings";
    case MQTLS_TLS_ITEM_CRL: return "the CRL file";
    default: return "TLS";
    }
}

/* "--cafile 'x'", "--capath 'd'" or both, for messages about the trusted CAs. */
void tool_tls__ca_words(const tool_cfg_t *cfg, char *out, size_t size)
{
    if (cfg->use_os_certs) {
        char more[480] = "";
        tool_cfg_t c = *cfg;
        c.use_os_certs = false;
        if (c.cafile || c.capath)
            tool_tls__ca_words(&c, more, sizeof more);
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
    case MQTLS_TLS_ITEM_CRL: return cfg->crlfile;
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
void tool_tls__raw_words(const mqtls_tls_evidence_t *ev, char *out, size_t size)
{
    out[0] = '\0';
    if (ev->raw_error == 0 || ev->stage == MQTLS_TLS_STAGE_TCP)
        return;
    if (tool_tls__backend_is_mbedtls() && ev->raw_error < 0)
        snprintf(out, size, " (Mbed TLS -0x%04X)", (unsigned)-ev->raw_error);
    else if (!tool_tls__backend_is_mbedtls())
        snprintf(out, size, " (OpenSSL error 0x%08X)", (unsigned)ev->raw_error);
}

/* Prints the evidence of a failed mqtls_tls_setup(): item, file, the TLS library's words. */
void tool_tls__report_setup(const say_t *o, const tool_cfg_t *cfg,
                            const mqtls_tls_evidence_t *ev, mqtls_status_t st)
{
    const char *words;
    const char *file = item_file(cfg, ev, &words);
    const char *detail = ev->detail[0] ? ev->detail : mqtls_strerror(st);
    char code[48];
    tool_tls__raw_words(ev, code, sizeof code);
    if (st == MQTLS_ERR_TLS_KEY_MISMATCH) {
        say(o, "TLS setup failed: the private key '%s' (--key) does not belong to the "
                       "certificate '%s' (--cert)%s", cfg->key, cfg->cert, code);
        return;
    }
    if (ev->cred_problem == MQTLS_TLS_CRED_LIBRARY) {
        say(o, "TLS setup failed: %s; %s", detail,
            mqtls_cause_info(MQTLS_CAUSE_OPENSSL_CONFIG)->fix);
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
        tool_tls__cred_kinds(file, &certs, &keys) && certs == 0 && keys > 0)
        hint = "it holds a private key, not a certificate";
    say(o, "TLS setup failed: %s '%s' cannot be used: %s%s%s%s", words, file, detail,
                   code, hint ? ": " : "", hint ? hint : "");
}

void tool_tls__report_key(const say_t *o, const tool_cfg_t *cfg, const char *why)
{
    say(o, "TLS setup failed: the private key '%s' cannot be used: %s (--keypass or "
           "MQTLS_KEYPASS)", cfg->key, why);
}

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

/* The server's chain does not end at a CA the client trusts: one line for the reason. */
static void explain_untrusted(const say_t *o, const mqtls_tls_evidence_t *ev, const char *ca)
{
    uint32_t f = ev->problems;
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
    tool_tls__ca_words(cfg, ca, sizeof ca);
    explain_untrusted(o, ev, ca);
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
                 "the broker allows",
            cfg->tls_min_version == MQTLS_TLS_V1_3 ? "TLS 1.3" : tool_tls__offered_versions());
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
    tool_tls__raw_words(ev, code, sizeof code);
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
