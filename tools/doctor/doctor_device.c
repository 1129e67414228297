/**
 * @file doctor_device.c
 * @brief `mqtls doctor --device NAME`: the credentials and the broker against what that
 *        device's TLS stack does (its profile, src/diagnose/devices.c), each failure with the
 *        code that device would print and a fix for it.
 *
 * The broker is checked from here by offering only what the device offers: a handshake
 * capped at the device's highest TLS version, then one offering only its cipher suites
 * (those the host's TLS library can offer too), then one without ALPN when the device has
 * none. A handshake that fails where the doctor's own succeeded tells what the broker
 * refuses; the alert it sent gives the device's code (SimpleLink: -(300 + alert), TI's
 * "-300 offset"). Verification is not enforced in these handshakes: step 4 judged the chain,
 * these judge only what the broker negotiates. The local checks read the certificate's key
 * and the chain step 4 saw. Where the profile has no source for a value, the check says it
 * could not check rather than guess.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"
#include "creds/tool_x509.h"
#include "simplelink_codes.h"

/* ---- the option ------------------------------------------------------------------------- */

static void list_profiles(FILE *out)
{
    const mqtls_device_profile_t *p;
    for (size_t i = 0; (p = mqtls_device_profile_at(i)) != NULL; i++)
        fprintf(out, "  %-15s %s\n", p->name, p->title);
}

int doctor_device_parse(doctor_t *d)
{
    const char *name = d->cfg.device;
    if (!name)
        return TOOL_EXIT_OK;
    if (strcasecmp(name, "help") == 0) {
        puts("mqtls doctor --device NAME: the device profiles (docs/doctor.md cites each fact):");
        list_profiles(stdout);
        return TOOL_HELP_SHOWN;
    }
    d->device = mqtls_device_profile(name);
    if (d->device)
        return TOOL_EXIT_OK;
    tool_usage_err("unknown device '%s'; the profiles are:", name);
    list_profiles(stderr);
    return TOOL_EXIT_USAGE;
}

/* ---- the checks' record ------------------------------------------------------------------- */

const char *doctor_device_result_name(dev_result_t r)
{
    switch (r) {
    case DEV_OK: return "ok";
    case DEV_FAILED: return "failed";
    case DEV_UNKNOWN: return "unknown";
    default: return "note";
    }
}

static dev_check_t *add_check(doctor_t *d, const char *what, dev_result_t r, char *text)
{
    if (d->n_dev >= DEV_CHECKS_MAX) {
        free(text);
        return NULL;
    }
    dev_check_t *c = &d->dev[d->n_dev++];
    memset(c, 0, sizeof *c);
    c->what = what;
    c->result = r;
    c->text = text;
    return c;
}

static void add_failure(doctor_t *d, const char *what, char *text, char *code,
                        mqtls_cause_t cause, char *fix)
{
    dev_check_t *c = add_check(d, what, DEV_FAILED, text);
    if (!c) {
        free(code);
        free(fix);
        return;
    }
    c->code = code;
    c->cause = cause;
    c->fix = fix;
    d->dev_failures++;
}

void doctor_device_free(doctor_t *d)
{
    for (size_t i = 0; i < d->n_dev; i++) {
        free(d->dev[i].text);
        free(d->dev[i].code);
        free(d->dev[i].fix);
    }
    d->n_dev = 0;
}

/* ---- the codes the device prints ------------------------------------------------------------- */

/* A SimpleLink code with TI's name from the port's tables: "-370 (SL_ESEC_PROTOCOL_VERSION)". */
static char *sl_code(const mqtls_device_profile_t *p, int code)
{
    mqtls_sl_device_t chip = p->stack == MQTLS_DEVSTACK_CC3200 ? MQTLS_SL_CC3200 : MQTLS_SL_CC3220;
    const mqtls__sl_code_t *e = mqtls__sl_code_find(chip, code);
    const char *prefix = "", *rest = e ? mqtls__sl_code_name(chip, e, &prefix) : NULL;
    if (rest && *rest)
        return doctor_xfmt("%d (%s%s)", code, prefix, rest);
    return doctor_xfmt("%d", code);
}

/* What the device prints when the broker ends the handshake with @p alert (-1: none). */
static char *alert_code(const mqtls_device_profile_t *p, int alert)
{
    if (alert < 0)
        return NULL; /* no alert: which code the stack then gives has no source here */
    const char *name = mqtls_tls_alert_name(alert);
    switch (p->stack) {
    case MQTLS_DEVSTACK_CC3220:
    case MQTLS_DEVSTACK_CC3200: return sl_code(p, -(300 + alert));
    case MQTLS_DEVSTACK_MBEDTLS:
        return doctor_xfmt("-0x7780 (MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE), alert %d %s", alert,
                           name);
    default: return doctor_xfmt("'SSL alert number %d' (%s)", alert, name);
    }
}

/* ---- the broker: handshakes offering only what the device offers ------------------------------ */

typedef struct probe {
    bool ran;   /* the host's TLS library could offer it (else: could not check) */
    bool ok;
    int alert;
    char version[16], suite[64];
} probe_t;

static mqtls_status_t probe_connect(doctor_t *d, mqtls_tls_t *t)
{
    uint64_t deadline = tool_now_ms() + 2u * d->timeout_ms + 1000u;
    mqtls_status_t st = mqtls_tls_transport.connect(t, d->conn_ip, d->conn_port);
    while (st == MQTLS_IN_PROGRESS) {
        if (tool_now_ms() > deadline || tool_stop)
            return MQTLS_ERR_TIMEOUT;
        if (mqtls_tls_transport.wait(t, 0, 100) == MQTLS_ERR_STATE)
            doctor_wait_poll(10);
        st = mqtls_tls_transport.connect(t, d->conn_ip, d->conn_port);
    }
    return st;
}

/* One handshake capped at @p max_version, offering @p suites (NULL: the library's) and
 * @p alpn. The client certificate goes too (a broker that requires one would otherwise
 * refuse for that), unless its key is encrypted: the passphrase is wiped by now. */
static probe_t probe(doctor_t *d, int max_version, const char *suites, const char *const *alpn)
{
    probe_t r = {false, false, -1, "", ""};
    mqtls_tls_t t;
    mqtls_tls_cfg_t c;
    memset(&c, 0, sizeof c);
    c.ca_file = d->cfg.cafile;
    c.ca_path = d->cfg.capath;
    c.use_os_ca = d->cfg.use_os_certs;
    if (!d->cfg.keypass) {
        c.cert_file = d->cfg.cert;
        c.key_file = d->cfg.key;
    }
    c.min_version = MQTLS_TLS_V1_2;
    c.max_version = max_version;
    c.ciphers = suites;
    c.alpn = alpn;
    c.insecure = true; /* the chain was step 4's question; this one is the negotiation */
    c.server_name = d->host;
    c.handshake_timeout_ms = d->timeout_ms;
    mqtls_tls_init(&t);
    if (mqtls_tls_setup(&t, &c) == MQTLS_OK) {
        r.ran = true;
        r.ok = probe_connect(d, &t) == MQTLS_OK;
        const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&t);
        r.alert = ev->alert_received;
        snprintf(r.version, sizeof r.version, "%s", ev->version);
        snprintf(r.suite, sizeof r.suite, "%s", ev->ciphersuite);
        mqtls_tls_transport.close(&t);
    }
    mqtls_tls_free(&t);
    return r;
}

/* The host's TLS library cannot offer what the device offers (e.g. Mbed TLS 2.28 and a
 * suite it lacks): nothing is known of the broker's answer. */
static bool not_run(doctor_t *d, const char *what)
{
    add_check(d, what, DEV_UNKNOWN,
              doctor_xfmt("could not check: this host's TLS library (%s) cannot offer what "
                          "the device offers", mqtls_tls_backend()));
    return false;
}

static char *refused_words(const probe_t *r)
{
    if (r->alert >= 0)
        return doctor_xfmt("alert %d %s", r->alert, mqtls_tls_alert_name(r->alert));
    return tool_xstrdup("no alert");
}

static bool check_version(doctor_t *d)
{
    const mqtls_device_profile_t *p = d->device;
    int max = p->tls_max < mqtls_tls_max_version() ? p->tls_max : mqtls_tls_max_version();
    const char *v = max == MQTLS_TLS_V1_3 ? "TLS 1.3" : "TLS 1.2";
    probe_t r = probe(d, max, d->cfg.ciphers, d->alpn); /* step 4's, capped */
    if (!r.ran)
        return not_run(d, "TLS version");
    if (r.ok) {
        add_check(d, "TLS version", DEV_OK,
                  doctor_xfmt("the broker accepts %s at most: %s, %s", v, r.version, r.suite));
        return true;
    }
    char *how = refused_words(&r);
    /* The version is what the refusal is about only when it is the one difference from a
     * handshake the broker took (step 4), or when the broker says so (protocol_version);
     * and only when the cap is the device's own, not this host's library's. */
    bool more = max < mqtls_tls_max_version() && d->st[4].result == R_OK;
    if (max < p->tls_max || (!more && r.alert != 70)) {
        add_check(d, "TLS version", DEV_UNKNOWN,
                  doctor_xfmt("could not check: the broker refuses a handshake offering %s at "
                              "most (%s), %s", v, how,
                              max < p->tls_max ? "the most this host's TLS library has; the "
                                                 "device offers more"
                                               : "and step 4 does not show it taking more"));
        free(how);
        return false;
    }
    add_failure(d, "TLS version",
                doctor_xfmt("the broker refuses a handshake offering %s at most (%s)%s", v, how,
                            more ? ", where this host's, offering more, succeeded" : ""),
                alert_code(p, r.alert), MQTLS_CAUSE_TLS_VERSION_MISMATCH,
                doctor_xfmt("let the broker accept %s (e.g. mosquitto: tls_version "
                            "tlsv1.2 or none); the device cannot offer more", v));
    free(how);
    return false;
}

/* The suites of @p list (IANA names, ':') that this host's TLS library can offer too; NULL
 * when none is. A host on Mbed TLS's device configuration has AES-GCM suites only, so a
 * CC3200's CBC list is then not checked rather than guessed. */
static char *host_offerable(const char *list)
{
    char *out = tool_xstrdup(""), *dup = tool_xstrdup(list), *save = NULL;
    for (char *s = strtok_r(dup, ":", &save); s; s = strtok_r(NULL, ":", &save)) {
        if (!mqtls_tls_cipher_known(s))
            continue;
        char *next = doctor_xfmt("%s%s%s", out, *out ? ":" : "", s);
        free(out);
        out = next;
    }
    free(dup);
    if (!*out) {
        free(out);
        return NULL;
    }
    return out;
}

static void check_suites(doctor_t *d)
{
    const mqtls_device_profile_t *p = d->device;
    if (!p->suites) {
        add_check(d, "cipher suites", DEV_NOTE,
                  doctor_xfmt("the device offers %s: not restricted here",
                              p->suites_fact.value));
        return;
    }
    char *offer = host_offerable(p->suites);
    probe_t r = {0};
    if (offer)
        r = probe(d, p->tls_max, offer, d->alpn);
    free(offer);
    if (!r.ran) {
        not_run(d, "cipher suites");
        return;
    }
    if (r.ok) {
        add_check(d, "cipher suites", DEV_OK,
                  doctor_xfmt("the broker accepts a suite the device offers: %s", r.suite));
        return;
    }
    char *how = refused_words(&r);
    add_failure(d, "cipher suites",
                doctor_xfmt("the broker accepts none of the suites the device offers (%s); "
                            "offered: %s", how, p->suites),
                alert_code(p, r.alert), MQTLS_CAUSE_NO_COMMON_CIPHER,
                doctor_xfmt("enable on the broker a suite of the device's list%s, or set the "
                            "device's %s to suites the broker takes",
                            p->stack == MQTLS_DEVSTACK_CC3200
                                ? " (a CC3200 has no AES-GCM: e.g. ECDHE-RSA-AES128-SHA256)"
                                : "",
                            p->stack == MQTLS_DEVSTACK_MBEDTLS ? "Mbed TLS configuration"
                                                               : "SL_SEC_MASK"));
    free(how);
}

static void check_alpn(doctor_t *d)
{
    const mqtls_device_profile_t *p = d->device;
    if (p->alpn || !d->alpn || !d->alpn[0])
        return;
    probe_t r = probe(d, p->tls_max, p->suites, NULL);
    if (!r.ran) {
        not_run(d, "ALPN");
        return;
    }
    if (r.ok) {
        add_check(d, "ALPN", DEV_OK, doctor_xfmt("the broker accepts a handshake without "
                                                 "ALPN (the device has none)"));
        return;
    }
    char *how = refused_words(&r);
    add_failure(d, "ALPN",
                doctor_xfmt("the broker refuses a handshake without ALPN (%s); the device "
                            "cannot offer '%s'", how, d->alpn[0]),
                alert_code(p, r.alert), MQTLS_CAUSE_ALPN_REQUIRED,
                tool_xstrdup("use a port that needs no ALPN (AWS IoT: 8883)"));
    free(how);
}

static void check_broker(doctor_t *d)
{
    if (!d->cfg.tls || !d->conn_ip[0]) {
        add_check(d, "broker", DEV_UNKNOWN,
                  tool_xstrdup(d->cfg.tls ? "could not check: no TCP connection to the broker"
                                          : "not checked: plain MQTT, no TLS"));
        return;
    }
    if (d->cfg.keypass && d->ev_valid && d->ev.cert_requested) {
        /* The handshakes would go without the certificate the broker asks for. */
        add_check(d, "broker", DEV_UNKNOWN,
                  tool_xstrdup("could not check: the broker asks for a client certificate "
                               "and its key is encrypted (the passphrase is not kept)"));
        return;
    }
    if (check_version(d)) {
        check_suites(d);
        check_alpn(d);
    }
}

/* ---- the device's key ------------------------------------------------------------------------ */

static char *key_code(const mqtls_device_profile_t *p, const char *key)
{
    if (p->stack == MQTLS_DEVSTACK_OPENSSL)
        return tool_xstrdup("SSL_R_EE_KEY_TOO_SMALL ('ee key too small')");
    if (p->stack == MQTLS_DEVSTACK_MBEDTLS && strncmp(key, "EC ", 3) == 0)
        return tool_xstrdup("-0x3A00 (MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE)");
    if (p->stack == MQTLS_DEVSTACK_MBEDTLS && strncmp(key, "RSA ", 4) != 0)
        return tool_xstrdup("-0x3C80 (MBEDTLS_ERR_PK_UNKNOWN_PK_ALG)");
    return NULL; /* which code the stack gives has no source here */
}

static void key_verdict(doctor_t *d, const char *key, int bits)
{
    const mqtls_device_profile_t *p = d->device;
    const char *why = "";
    mqtls_device_verdict_t v = mqtls_device_key_verdict(p, key, bits, &why);
    if (v == MQTLS_DEVICE_TAKES)
        add_check(d, "key", DEV_OK, doctor_xfmt("the certificate's key, %s: %s", key, why));
    else if (v == MQTLS_DEVICE_UNKNOWN)
        add_check(d, "key", DEV_UNKNOWN,
                  doctor_xfmt("could not check the certificate's key, %s: %s", key, why));
    else
        add_failure(d, "key", doctor_xfmt("the certificate's key, %s, is one the device "
                                           "cannot use: %s (%s)", key, why, p->keys.value),
                    key_code(p, key), MQTLS_CAUSE_KEY_UNSUPPORTED,
                    doctor_xfmt("issue the device a certificate with a key its stack takes "
                                "(%s)", p->keys.value));
}

/* The CC3200's by-id files are "/cert/<id>.der": a PEM file is worth a word, no more. */
static void format_note(doctor_t *d, const tool_credfile_t *f)
{
    if (d->device->stack == MQTLS_DEVSTACK_CC3200 && f->is_pem)
        add_check(d, "file format", DEV_NOTE,
                  doctor_xfmt("%s is PEM; files by id are named /cert/<id>.der and no TI "
                              "document says whether a CC3200 takes PEM: if it returns "
                              "-457/-458, flash DER ('mqtls cert convert FILE OUT --to der')",
                              f->path));
}

static void check_key(doctor_t *d)
{
    if (!d->cfg.cert)
        return;
    tool_credfile_t f;
    tool_credfile_load(&f, d->cfg.cert, NULL);
    const tool_obj_t *o = tool_credfile_first(&f, TOOL_OBJ_CERT);
    if (o && o->pk_ok) {
        char key[64];
        tool_x509_describe_key(o->pk, key, sizeof key);
        key_verdict(d, key, EVP_PKEY_get_bits(o->pk));
    } else {
        add_check(d, "key", DEV_UNKNOWN,
                  doctor_xfmt("could not check: %s holds no readable certificate",
                              d->cfg.cert));
    }
    if (f.read_ok)
        format_note(d, &f);
    tool_credfile_free(&f);
}

/* ---- the server's chain: depth and the trusted-root catalog ----------------------------------- */

/* What the device's stack prints when the chain is longer than it follows. */
static char *depth_code(const mqtls_device_profile_t *p)
{
    if (p->stack == MQTLS_DEVSTACK_MBEDTLS)
        return tool_xstrdup("-0x3000 (MBEDTLS_ERR_X509_FATAL_ERROR)");
    if (p->stack == MQTLS_DEVSTACK_OPENSSL)
        return tool_xstrdup("X509_V_ERR_CERT_CHAIN_TOO_LONG (22, 'certificate chain too "
                            "long')");
    return NULL;
}

/* The server's Certificate message against what the device takes in: an Mbed TLS device
 * refuses a record larger than its input buffer, in Mbed TLS 3.6's words "bad input
 * parameters" (mqtls's backend says it plainly). */
static void check_cert_msg(doctor_t *d, long bytes)
{
    mqtls_device_verdict_t v = mqtls_device_cert_msg_verdict(d->device, bytes);
    if (bytes < 0)
        add_check(d, "certificate message", DEV_UNKNOWN,
                  tool_xstrdup("could not check: no server chain seen"));
    else if (v == MQTLS_DEVICE_UNKNOWN)
        add_check(d, "certificate message", DEV_UNKNOWN,
                  doctor_xfmt("could not check: the broker's Certificate message is %ld "
                              "bytes; no source gives what the device takes", bytes));
    else if (v == MQTLS_DEVICE_TAKES)
        add_check(d, "certificate message", DEV_OK,
                  doctor_xfmt("%ld bytes, within %ld", bytes, d->device->max_cert_msg));
    else
        add_failure(d, "certificate message",
                    doctor_xfmt("the broker's Certificate message is %ld bytes, more than "
                                "the %ld the device takes in (%s)", bytes,
                                d->device->max_cert_msg, d->device->sizes.value),
                    d->device->stack == MQTLS_DEVSTACK_MBEDTLS
                        ? tool_xstrdup("-0x7100 (MBEDTLS_ERR_SSL_BAD_INPUT_DATA)")
                        : NULL,
                    MQTLS_CAUSE_TLS_RECORD_TOO_LARGE,
                    tool_xstrdup("send a shorter chain from the broker (fewer or smaller "
                                 "certificates: EC instead of RSA-4096, fewer names), or "
                                 "raise the device's input buffer"));
}

/* The intermediates of the broker's chain (counted whole, doctor_device_chain.c) against
 * the profile's limit; then the size of the message that carried it. */
static void check_depth(doctor_t *d)
{
    bool root = false;
    long msg = -1;
    int n = d->conn_ip[0] ? doctor_device_chain_len(d, &root, &msg) : -1;
    d->dev_cert_msg = msg;
    check_cert_msg(d, msg);
    if (n < 1) {
        add_check(d, "chain depth", DEV_UNKNOWN,
                  tool_xstrdup("could not check: no server chain seen"));
        return;
    }
    int inter = n - 1 - (root && n > 1);
    d->dev_intermediates = inter;
    mqtls_device_verdict_t v = mqtls_device_depth_verdict(d->device, inter);
    if (v == MQTLS_DEVICE_UNKNOWN)
        add_check(d, "chain depth", DEV_UNKNOWN,
                  doctor_xfmt("could not check: the chain has %d intermediate CA(s); no "
                              "source gives the device's limit", inter));
    else if (v == MQTLS_DEVICE_TAKES)
        add_check(d, "chain depth", DEV_OK,
                  doctor_xfmt("%d intermediate CA(s), within %s", inter,
                              d->device->depth.value));
    else
        add_failure(d, "chain depth",
                    doctor_xfmt("the broker's chain has %d intermediate CA(s), more than %s",
                                inter, d->device->depth.value),
                    depth_code(d->device), MQTLS_CAUSE_DEVICE_CHAIN_TOO_DEEP,
                    doctor_xfmt("send a chain with at most %d intermediate CA(s) from the "
                                "broker, or raise the device's limit",
                                d->device->max_intermediates));
}

/* This machine's trust store: OpenSSL's default file, which SSL_CERT_FILE overrides. */
static const char *trust_store(void)
{
    const char *env = getenv(X509_get_default_cert_file_env());
    return env && *env ? env : X509_get_default_cert_file();
}

/* Whether this machine's trust store holds a certificate with this SHA-256: a public root,
 * which a vendor's catalog may hold. A root it does not hold is private, and no vendor's
 * catalog holds it. 1: held, 0: not held, -1: the store cannot be read. */
static int public_root(const uint8_t sha256[32])
{
    tool_credfile_t f;
    tool_credfile_load(&f, trust_store(), NULL);
    int found = f.read_ok ? 0 : -1;
    for (size_t i = 0; found == 0 && i < f.n_objs; i++) {
        const tool_obj_t *o = &f.objs[i];
        unsigned char h[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (o->kind == TOOL_OBJ_CERT &&
            EVP_Digest(o->der.p, o->der.len, h, &n, EVP_sha256(), NULL) && n == 32 &&
            memcmp(h, sha256, 32) == 0)
            found = 1;
    }
    tool_credfile_free(&f);
    return found;
}

static void catalog_failure(doctor_t *d, const char *root)
{
    add_failure(d, "root catalog",
                doctor_xfmt("the chain ends at '%s', a private root (not in this machine's "
                            "trust store %s): it is in no trusted-root catalog TI signs",
                            root, trust_store()),
                sl_code(d->device, -468), MQTLS_CAUSE_DEVICE_ROOT_NOT_IN_CATALOG,
                tool_xstrdup("give the broker a certificate from a CA whose root is in TI's "
                             "production catalog, or disable the catalog for this socket "
                             "knowingly (SL_SO_SECURE_DISABLE_CERTIFICATE_STORE; mqtls: "
                             "disable_cert_store, or keep -468 with "
                             "MQTLS_SL_KEEP_UNKNOWN_ROOT)"));
}

static void check_catalog(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    if (!d->device->catalog)
        return;
    const mqtls_tls_cert_info_t *top =
        d->ev_valid && ev->chain && ev->chain_len ? &ev->chain[ev->chain_len - 1] : NULL;
    if (!top || strcmp(top->subject, top->issuer) != 0) {
        add_check(d, "root catalog", DEV_UNKNOWN,
                  tool_xstrdup("could not check: no root seen at the end of the server's "
                               "chain"));
        return;
    }
    int pub = public_root(top->sha256);
    if (pub == 0) {
        catalog_failure(d, top->subject);
        return;
    }
    add_check(d, "root catalog", DEV_UNKNOWN,
              pub > 0 ? doctor_xfmt("could not check: '%s' is a public root (in this "
                                    "machine's trust store); TI's production catalog may hold "
                                    "it (the SDK's certificate-catalog/readme.html lists "
                                    "them); the development playground catalog holds no real "
                                    "root (-468)", top->subject)
                      : doctor_xfmt("could not check: this machine's trust store %s cannot "
                                    "be read", trust_store()));
}

/* ---- the run --------------------------------------------------------------------------------- */

void doctor_device_run(doctor_t *d)
{
    if (!d->device || tool_stop)
        return;
    check_key(d);
    if (d->cfg.tls) {
        check_depth(d);
        check_catalog(d);
    }
    check_broker(d);
}
