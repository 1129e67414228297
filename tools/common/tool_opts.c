/**
 * @file tool_opts.c
 * @brief The option table of pub, sub and doctor (tool_optparse.h parses it and prints their
 *        --help from it), its handlers, and the checks shared by the three commands.
 */
#include "common/tool_opts.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "doctor/tool_doctor.h"
#include "mqtt/tool_tls.h"
#include "common/tool_url.h"
#include "common/tool_util.h"

#define BOTH (TOOL_PUB | TOOL_SUB)
/* The connection flags, which `mqtls doctor` and shadow/jobs/provision take too. */
#define CONN (TOOL_PUB | TOOL_SUB | TOOL_DOCTOR | TOOL_AWS)
#define DOC TOOL_DOCTOR
/* An entry: long and short name, commands, values, handler, field, value name, help. */
#define OPT(l, s, c, n, fn, off, arg, help) {l, s, n, c, fn, off, arg, help}
#define F(field) offsetof(tool_cfg_t, field)

#define bad tool_usage_err

static int opt_list(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    tool_strlist_add((tool_strlist_t *)((char *)cfg + val->opt->off), val->v[0]);
    return TOOL_EXIT_OK;
}

static int opt_u32(const char *v, const char *name, uint32_t min, uint32_t max, uint32_t *out)
{
    if (tool_parse_u32(v, min, max, out))
        return TOOL_EXIT_OK;
    tool_err("invalid %s '%s' (must be a number from %lu to %lu)", name, v,
             (unsigned long)min, (unsigned long)max);
    return TOOL_EXIT_USAGE;
}

static int opt_port(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    uint32_t v;
    int rc = opt_u32(val->v[0], "port", 1, 65535, &v);
    cfg->port = (uint16_t)v;
    return rc;
}

static int opt_keepalive(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    uint32_t v;
    /* mosquitto_pub/sub 2.0 take 5..65535 ("it must be between 5 and 65535 inclusive");
     * 0 (keep-alive off) is refused there too, so a script behaves the same with both. */
    int rc = opt_u32(val->v[0], "keepalive", 5, 65535, &v);
    cfg->keepalive = (uint16_t)v;
    return rc;
}

static int qos_value(const char *v, const char *what, uint8_t *out)
{
    if ((v[0] == '0' || v[0] == '1' || v[0] == '2') && v[1] == '\0') {
        *out = (uint8_t)(v[0] - '0');
        return TOOL_EXIT_OK;
    }
    return bad("invalid %s '%s' (must be 0, 1 or 2)", what, v);
}

static int opt_qos(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    cfg->qos_set = true;
    return qos_value(val->v[0], "QoS", &cfg->qos);
}

static int opt_will_qos(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    cfg->will_opts = true;
    return qos_value(val->v[0], "will QoS", &cfg->will_qos);
}

static int opt_version(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    const char *v = val->v[0];
    if (!strcmp(v, "mqttv311") || !strcmp(v, "311")) {
        cfg->version = MQTLS_V311;
    } else if (!strcmp(v, "mqttv5") || !strcmp(v, "5")) {
        cfg->version = MQTLS_V5;
    } else if (!strcmp(v, "mqttv31") || !strcmp(v, "31")) {
        if (!MQTLS_CFG_MQTT31 || cfg->cmd == TOOL_DOCTOR)
            return bad("MQTT 3.1 (%s) is not supported by mqtls%s: use -V mqttv311 or -V mqttv5",
                       v, MQTLS_CFG_MQTT31 ? " doctor" : " (built without MQTLS_CFG_MQTT31)");
        cfg->version = MQTLS_V31;
    } else {
        return bad("invalid %s '%s' (use mqttv311, mqttv5 or mqttv31; 311, 5, 31)",
                   "protocol version", v);
    }
    return TOOL_EXIT_OK;
}

static int opt_session_expiry(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    cfg->session_expiry_set = true;
    const char *v = val->v[0];
    if (!strcmp(v, "-1") || !strcmp(v, "\xe2\x88\x9e")) { /* -1 or the infinity sign */
        cfg->session_expiry = 0xFFFFFFFFu;
        return TOOL_EXIT_OK;
    }
    return opt_u32(v, "session expiry interval", 0, 0xFFFFFFFFu, &cfg->session_expiry);
}

static int opt_msg(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    cfg->msg_sources++;
    switch (val->opt->sname) {
    case 'm': cfg->msg_mode = TOOL_MSG_ARG; cfg->message = val->v[0]; break;
    case 'f': cfg->msg_mode = TOOL_MSG_FILE; cfg->file = val->v[0]; break;
    case 'l': cfg->msg_mode = TOOL_MSG_LINES; break;
    case 's': cfg->msg_mode = TOOL_MSG_STDIN; break;
    default: cfg->msg_mode = TOOL_MSG_NULL; break;
    }
    return TOOL_EXIT_OK;
}

static int opt_repeat(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    return opt_u32(val->v[0], "repeat count", 1, 0xFFFFFFFFu, &cfg->repeat);
}

static int opt_repeat_delay(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    char *end = NULL;
    double d = strtod(val->v[0], &end);
    if (end == val->v[0] || *end || !isfinite(d) || d < 0 || d > 4000000.0)
        return bad("invalid %s '%s' (must be seconds, e.g. 0.5)", "repeat delay", val->v[0]);
    cfg->repeat_delay_ms = (uint32_t)(d * 1000.0 + 0.5);
    return TOOL_EXIT_OK;
}

static int opt_max_inflight(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    uint32_t v;
    int rc = opt_u32(val->v[0], "maximum in-flight count", 1, 65535, &v);
    cfg->max_inflight = (uint16_t)v;
    return rc;
}

static int opt_ack_timeout(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    return opt_u32(val->v[0], "acknowledgement timeout", 0, 4000000u, &cfg->ack_timeout_s);
}

static int opt_max_packet(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    /* 256: room for any acknowledgement; the top: the largest packet MQTT can frame. */
    return opt_u32(val->v[0], "maximum packet size", 256, MQTLS_VBI_MAX + 5u,
                   &cfg->max_packet);
}

static int opt_count(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    return opt_u32(val->v[0], "message count", 1, 0xFFFFFFFFu, &cfg->count);
}

static int opt_timeout(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    return opt_u32(val->v[0], "timeout", 1, 4000000u, &cfg->timeout_s);
}

static int opt_property(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    return tool_props_add(&cfg->props, val->v, val->avail, &val->used);
}

static const char *own(tool_cfg_t *cfg, char *s)
{
    if (s)
        tool_strlist_add(&cfg->owned, s);
    return s;
}

static int opt_url(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    tool_url_t url;
    char err[160];
    if (!tool_url_parse(val->v[0], &url, err, sizeof err))
        return bad("invalid URL '%s': %s", val->v[0], err);
    cfg->url_scheme = url.tls ? TOOL_URL_MQTTS : TOOL_URL_MQTT;
    cfg->host = own(cfg, url.host);
    if (url.port_given)
        cfg->port = url.port;
    if (url.user)
        cfg->username = own(cfg, url.user);
    if (url.password)
        cfg->password = own(cfg, url.password);
    if (url.topic)
        tool_strlist_add(&cfg->topics, own(cfg, url.topic));
    return TOOL_EXIT_OK;
}

/* Keeps a copy and blanks the argument, so that ps shows it no longer. */
static int opt_keypass(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    tool_secret_take(&cfg->keypass, val->v[0]);
    cfg->keypass_opt = true;
    return TOOL_EXIT_OK;
}

static int opt_tls_version(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    if (!strcmp(val->v[0], "tlsv1.2"))
        cfg->tls_min_version = MQTLS_TLS_V1_2;
    else if (!strcmp(val->v[0], "tlsv1.3"))
        cfg->tls_min_version = MQTLS_TLS_V1_3;
    else if (!strcmp(val->v[0], "tlsv1.1") || !strcmp(val->v[0], "tlsv1"))
        return bad("TLS version '%s' is not supported by mqtls (TLS 1.2 is the lowest)", val->v[0]);
    else
        return bad("invalid TLS version '%s' (use tlsv1.2 or tlsv1.3)", val->v[0]);
    return TOOL_EXIT_OK;
}

/* --keyform and --tls-engine, as mosquitto's clients take them: a key in a PKCS#11 token,
 * given in --key as an RFC 7512 pkcs11: URI (the one engine there is for it). */
static int opt_keyform(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    if (!strcmp(val->v[0], "engine"))
        cfg->keyform_engine = true;
    else if (!strcmp(val->v[0], "pem"))
        cfg->keyform_engine = false;
    else
        return bad("invalid --keyform '%s' (pem: a key file, PEM or DER; engine: a key in a "
                   "PKCS#11 token, given as a pkcs11: URI in --key)", val->v[0]);
    return TOOL_EXIT_OK;
}

static int opt_tls_engine(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    if (strcmp(val->v[0], "pkcs11") != 0)
        return bad("--tls-engine '%s' is not supported: mqtls uses keys in PKCS#11 tokens "
                   "(--tls-engine pkcs11, or simply a pkcs11: URI in --key)", val->v[0]);
    cfg->keyform_engine = true;
    return TOOL_EXIT_OK;
}

/* --random-filter CHANCE: a percentage, 0.1 to 100, kept in thousandths of a percent. */
static int opt_random_filter(tool_optparse_t *p, tool_optval_t *val)
{
    tool_cfg_t *cfg = p->ctx;
    char *end = NULL;
    double d = strtod(val->v[0], &end);
    if (end == val->v[0] || *end || !isfinite(d) || d < 0.1 || d > 100.0)
        return bad("invalid --random-filter chance '%s' (must be a percentage from 0.1 to 100)",
                   val->v[0]);
    cfg->random_filter = (uint32_t)(d * 1000.0 + 0.5);
    return TOOL_EXIT_OK;
}

static int opt_show_version(tool_optparse_t *p, tool_optval_t *val)
{
    (void)p, (void)val;
    tool_version_print(stdout);
    return TOOL_HELP_SHOWN;
}

/* In the order of --help: by long name. An option whose help differs between the commands
 * has an entry for each. */
static const tool_opt_t opts[] = {
    OPT("ack-timeout", 0, TOOL_PUB, 1, opt_ack_timeout, 0, "SECONDS",
        "QoS 1/2: give up when no acknowledgement arrives for SECONDS (default 30, 0: wait)"),
    OPT("alpn", 0, CONN, 1, opt_list, F(alpn), "PROTOCOL",
        "TLS: ALPN protocol to offer (repeatable; default: x-amzn-mqtt-ca on 443 of AWS)"),
    OPT("bind-address", 'A', BOTH, 1, tool_opt_str, F(bind_addr), "ADDRESS",
        "bind the outgoing socket to this local address"),
    OPT("cafile", 0, CONN, 1, tool_opt_str, F(cafile), "FILE",
        "TLS: trust the CA certificate(s) in FILE (PEM or DER) to verify the broker"),
    OPT("capath", 0, CONN, 1, tool_opt_str, F(capath), "DIR",
        "TLS: trust the CA certificates in directory DIR"),
    OPT("cert", 0, CONN, 1, tool_opt_str, F(cert), "FILE",
        "TLS: client certificate (PEM or DER) for mutual TLS; needs --key"),
    OPT("ciphers", 0, CONN, 1, tool_opt_str, F(ciphers), "LIST",
        "TLS: cipher suites to offer, IANA names separated by ':'"),
    OPT("crlfile", 0, CONN, 1, tool_opt_str, F(crlfile), "FILE",
        "TLS: check the broker's certificate against the revocation list(s) in FILE"),
    OPT("connect-to", 0, DOC, 1, tool_opt_str, F(connect_to), "H:P:H2:P2",
        "connect to H2:P2 instead of H:P; TLS still names H (like curl)"),
    OPT("count", 'C', TOOL_SUB, 1, opt_count, 0, "N", "exit after receiving N messages"),
    OPT("debug", 'd', BOTH | TOOL_AWS, 0, tool_opt_true, F(debug), NULL,
        "print the packets sent and received"),
    OPT("device", 0, DOC, 1, tool_opt_str, F(device), "NAME",
        "also check what device NAME's TLS stack does here (--device help: the profiles)"),
    OPT("disable-clean-session", 'c', BOTH, 0, tool_opt_true, F(no_clean), NULL,
        "keep the session (clean start 0); needs -i"),
    OPT("exit-after-subscribe", 'E', TOOL_SUB, 0, tool_opt_true, F(exit_after_sub), NULL,
        "exit once the subscriptions are acknowledged"),
    OPT("file", 'f', TOOL_PUB, 1, opt_msg, 0, "FILE", "send the contents of FILE as the message"),
    OPT("filter-out", 'T', TOOL_SUB, 1, opt_list, F(filter_out), "FILTER",
        "do not print messages whose topic matches FILTER (repeatable)"),
    OPT("format", 'F', TOOL_SUB, 1, tool_opt_str, F(format), "FORMAT",
        "output format: %t %p %q %r %l %m %x %j %I %U %P %C ... (docs/cli.md)"),
    OPT("help", 0, CONN, 0, tool_opt_help, 0, NULL, "show this help"),
    OPT("host", 'h', CONN, 1, tool_opt_str, F(host), "HOST", "broker host (default localhost)"),
    OPT("id", 'i', CONN, 1, tool_opt_str, F(id), "ID",
        "client identifier (default mqtls_<cmd>_<pid>)"),
    OPT("id-prefix", 'I', BOTH, 1, tool_opt_str, F(id_prefix), "PREFIX",
        "client identifier is PREFIX followed by the process id"),
    OPT("insecure", 0, CONN, 0, tool_opt_true, F(insecure), NULL,
        "TLS: do NOT verify the broker's certificate and host name (unsafe; tests only)"),
    OPT("json", 0, DOC, 0, tool_opt_true, F(json), NULL,
        "print the report as one JSON document (docs/doctor.md)"),
    OPT("keepalive", 'k', CONN, 1, opt_keepalive, 0, "SECONDS",
        "keep alive, 5 to 65535 (default 60)"),
    OPT("key", 0, CONN, 1, tool_opt_str, F(key), "FILE|URI",
        "TLS: private key of --cert (PEM or DER; PKCS#1, SEC1 or PKCS#8), or a key in a "
        "PKCS#11 token as a pkcs11: URI (OpenSSL builds)"),
    OPT("keyform", 0, CONN, 1, opt_keyform, 0, "pem|engine",
        "TLS: engine: --key is a pkcs11: URI (as mosquitto's clients say it)"),
    OPT("keypass", 0, CONN, 1, opt_keypass, 0, "PASS",
        "TLS: passphrase of an encrypted --key (or set MQTLS_KEYPASS)"),
    OPT("max-inflight", 'M', TOOL_PUB, 1, opt_max_inflight, 0, "N",
        "QoS 1/2 messages in flight at once (default 20)"),
    OPT("max-packet-size", 0, TOOL_SUB, 1, opt_max_packet, 0, "BYTES",
        "largest packet accepted: the receive buffer (default 64 MiB; 5.0: advertised)"),
    OPT("message", 'm', TOOL_PUB, 1, opt_msg, 0, "MESSAGE", "send MESSAGE"),
    OPT("no-eol", 'N', TOOL_SUB, 0, tool_opt_true, F(no_eol), NULL,
        "no newline after each message"),
    OPT("no-retained", 'R', TOOL_SUB, 0, tool_opt_true, F(no_retained), NULL,
        "do not print retained (stale) messages"),
    OPT("no-roundtrip", 0, DOC, 0, tool_opt_true, F(no_roundtrip), NULL,
        "stop after CONNACK: no subscribe/publish round trip"),
    OPT("nodelay", 0, BOTH, 0, tool_opt_true, F(nodelay), NULL, "disable Nagle's algorithm"),
    OPT("null-message", 'n', TOOL_PUB, 0, opt_msg, 0, NULL, "send a zero-length message"),
    OPT("pkcs11-module", 0, CONN, 1, tool_opt_str, F(pkcs11_module), "FILE",
        "TLS: the PKCS#11 module of a pkcs11: --key (default: p11-kit's)"),
    OPT("port", 'p', CONN, 1, opt_port, 0, "PORT", "broker port (default 1883, TLS: 8883)"),
    OPT("pretty", 0, TOOL_SUB, 0, tool_opt_true, F(pretty), NULL,
        "print the JSON of %j indented, over several lines"),
    OPT("property", 'D', TOOL_PUB, 3, opt_property, 0, "CMD NAME VALUE",
        "5.0 property; CMD: connect publish disconnect will (user-property: NAME KEY VALUE)"),
    OPT("property", 'D', TOOL_SUB, 3, opt_property, 0, "CMD NAME VALUE",
        "5.0 property; CMD: connect subscribe unsubscribe disconnect will"),
    OPT("protocol-version", 'V', BOTH, 1, opt_version, 0, "VERSION",
        "mqttv311 (default), mqttv5 or mqttv31 (also 311, 5, 31)"),
    OPT("protocol-version", 'V', DOC, 1, opt_version, 0, "VERSION",
        "mqttv311 (default) or mqttv5 (also 311, 5)"),
    OPT("pw", 'P', CONN, 1, tool_opt_str, F(password), "PASSWORD", "password"),
    OPT("qos", 'q', TOOL_PUB, 1, opt_qos, 0, "QOS", "QoS of the message: 0, 1 or 2 (default 0)"),
    OPT("qos", 'q', TOOL_SUB, 1, opt_qos, 0, "QOS",
        "QoS of the subscriptions: 0, 1 or 2 (default 0)"),
    OPT("quiet", 0, BOTH, 0, tool_opt_true, F(quiet), NULL, "do not print error messages"),
    OPT("random-filter", 0, TOOL_SUB, 1, opt_random_filter, 0, "CHANCE",
        "print each message with this chance, in percent (0.1 to 100)"),
    OPT("remove-retained", 0, TOOL_SUB, 0, tool_opt_true, F(remove_retained), NULL,
        "clear each retained message received (publish an empty retained message)"),
    OPT("repeat", 0, TOOL_PUB, 1, opt_repeat, 0, "N", "publish the message N times"),
    OPT("repeat-delay", 0, TOOL_PUB, 1, opt_repeat_delay, 0, "SECONDS",
        "wait this long between repeated publishes"),
    OPT("retain", 'r', TOOL_PUB, 0, tool_opt_true, F(retain), NULL, "make the message retained"),
    OPT("retained-only", 0, TOOL_SUB, 0, tool_opt_true, F(retained_only), NULL,
        "print only retained messages; exit at the first live one"),
    OPT("session-dir", 0, TOOL_PUB, 1, tool_opt_str, F(session_dir), "DIR",
        "keep QoS 1/2 messages in DIR until acknowledged; resend them after a restart"),
    OPT("session-expiry", 'x', BOTH, 1, opt_session_expiry, 0, "SECONDS",
        "5.0 session expiry interval (-1: never expires)"),
    OPT("stdin-file", 's', TOOL_PUB, 0, opt_msg, 0, NULL, "send all of stdin as one message"),
    OPT("stdin-line", 'l', TOOL_PUB, 0, opt_msg, 0, NULL, "send each line of stdin as a message"),
    OPT("timeout", 'W', TOOL_SUB, 1, opt_timeout, 0, "SECONDS",
        "stop after SECONDS (exit status 27)"),
    OPT("timeout", 'W', DOC, 1, opt_timeout, 0, "SECONDS",
        "time each network step may take (default 10)"),
    OPT("tls-alpn", 0, CONN, 1, opt_list, F(alpn), "PROTOCOL",
        "TLS: the same as --alpn (mosquitto's name for it)"),
    OPT("tls-engine", 0, CONN, 1, opt_tls_engine, 0, "pkcs11",
        "TLS: the same as --keyform engine (mosquitto's name for it)"),
    OPT("tls-use-os-certs", 0, CONN, 0, tool_opt_true, F(use_os_certs), NULL,
        "TLS: trust the system's CA certificates (SSL_CERT_FILE/SSL_CERT_DIR, else "
        "/etc/ssl/certs)"),
    OPT("tls-version", 0, CONN, 1, opt_tls_version, 0, "VERSION",
        "TLS: lowest version to use, tlsv1.2 (default) or tlsv1.3 (1.3 only)"),
    OPT("topic", 't', TOOL_PUB, 1, opt_list, F(topics), "TOPIC", "topic to publish to"),
    OPT("topic", 't', TOOL_SUB, 1, opt_list, F(topics), "TOPIC",
        "topic filter to subscribe to (repeatable)"),
    OPT("topic", 't', DOC, 1, opt_list, F(topics), "TOPIC",
        "topic of the round trip (default mqtls/doctor/<client id>)"),
    OPT("unix", 0, BOTH, 1, tool_opt_str, F(unix_path), "PATH",
        "connect through the Unix socket PATH instead of TCP (no TLS)"),
    OPT("unsubscribe", 'U', TOOL_SUB, 1, opt_list, F(unsub), "FILTER",
        "unsubscribe from FILTER (repeatable)"),
    OPT("url", 'L', CONN, 1, opt_url, 0, "URL",
        "mqtt[s]://[user[:password]@]host[:port]/topic (mqtts: TLS, default port 8883)"),
    OPT("username", 'u', CONN, 1, tool_opt_str, F(username), "USER", "user name"),
    OPT("verbose", 'v', TOOL_SUB, 0, tool_opt_true, F(verbose), NULL,
        "print the topic and the payload"),
    OPT("version", 0, CONN, 0, opt_show_version, 0, NULL, "print the version and exit"),
    OPT("will-payload", 0, BOTH, 1, tool_opt_str, F(will_payload), "PAYLOAD",
        "will message payload"),
    OPT("will-qos", 0, BOTH, 1, opt_will_qos, 0, "QOS", "will message QoS"),
    OPT("will-retain", 0, BOTH, 0, tool_opt_true, F(will_retain), NULL, "retain the will message"),
    OPT("will-topic", 0, BOTH, 1, tool_opt_str, F(will_topic), "TOPIC",
        "topic of the will, published if the connection breaks"),
};

void tool_strlist_add(tool_strlist_t *l, const char *s)
{
    l->v = tool_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = s;
}

void tool_cfg_init(tool_cfg_t *cfg, tool_cmd_t cmd)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->cmd = cmd;
    cfg->host = "localhost";
    cfg->port = 0; /* chosen by tool_tls_check: 1883, or 8883 with TLS */
    cfg->version = MQTLS_V311;
    cfg->keepalive = 60;
    cfg->repeat = 1;
    cfg->max_inflight = 20;
    cfg->ack_timeout_s = 30;
    cfg->random_filter = TOOL_RANDOM_ALL;
}

void tool_cfg_free(tool_cfg_t *cfg)
{
    for (size_t i = 0; i < cfg->owned.n; i++)
        free((void *)cfg->owned.v[i]);
    free(cfg->owned.v);
    free(cfg->topics.v);
    free(cfg->filter_out.v);
    free(cfg->unsub.v);
    free(cfg->alpn.v);
    tool_secret_free(&cfg->keypass);
    free(cfg->client_id);
    tool_props_free(&cfg->props);
    memset(cfg, 0, sizeof *cfg);
}

static int check_session(tool_cfg_t *cfg)
{
    if (cfg->session_dir && (!cfg->id || !cfg->id[0] || cfg->id_prefix))
        return bad("--session-dir needs a client id: give one with -i");
    if (cfg->session_dir)
        cfg->no_clean = true; /* the stored messages belong to a persistent session */
    if (cfg->no_clean && (!cfg->id || !cfg->id[0] || cfg->id_prefix))
        return bad("-c needs a client id: give one with -i");
    if (cfg->id && cfg->id_prefix)
        return bad("use -i or -I, not both");
    bool v5 = cfg->version == MQTLS_V5;
    if (cfg->session_expiry_set && !v5)
        return bad("-x (session expiry) needs MQTT 5.0 (-V 5)");
    if (cfg->props.any && !v5)
        return bad("-D properties need MQTT 5.0 (-V 5)");
    if (cfg->session_expiry_set &&
        (cfg->props.set[TOOL_P_CONNECT].p.present & MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY)))
        return bad("give the session expiry with -x or with -D connect, not both");
    if (cfg->password && !cfg->username && !v5)
        return bad("a password (-P) needs a user name (-u) in MQTT 3.1.1");
    return TOOL_EXIT_OK;
}

static bool has_wildcard(const char *t)
{
    return strpbrk(t, "+#") != NULL;
}

static int check_will(tool_cfg_t *cfg)
{
    bool will_props = tool_props_has(&cfg->props, TOOL_P_WILL);
    if (!cfg->will_topic) {
        if (cfg->will_payload || cfg->will_retain || cfg->will_opts || will_props)
            return bad("will options given without --will-topic");
        return TOOL_EXIT_OK;
    }
    if (!cfg->will_topic[0] || has_wildcard(cfg->will_topic))
        return bad("invalid will topic '%s' (it must not be empty or contain + or #)",
                   cfg->will_topic);
    if (cfg->will_payload && strlen(cfg->will_payload) > 65535)
        return bad("the will payload is longer than 65535 bytes");
    return TOOL_EXIT_OK;
}

static int check_prop_cmds(tool_cfg_t *cfg)
{
    static const tool_pcmd_t pub_no[] = {TOOL_P_SUBSCRIBE, TOOL_P_UNSUBSCRIBE};
    if (cfg->cmd == TOOL_PUB) {
        for (size_t i = 0; i < 2; i++)
            if (tool_props_has(&cfg->props, pub_no[i]))
                return bad("-D %s properties are used only by mqtls sub",
                           tool_pcmd_name(pub_no[i]));
    } else if (tool_props_has(&cfg->props, TOOL_P_PUBLISH)) {
        return bad("-D publish properties are used only by mqtls pub");
    }
    return TOOL_EXIT_OK;
}

static void make_client_id(tool_cfg_t *cfg)
{
    tool_buf_t b = {0};
    if (cfg->id)
        tool_buf_add(&b, cfg->id, strlen(cfg->id));
    else if (cfg->id_prefix)
        tool_buf_printf(&b, "%s%ld", cfg->id_prefix, (long)getpid());
    else
        tool_buf_printf(&b, "mqtls_%s_%ld", tool_cmd_name(cfg->cmd), (long)getpid());
    cfg->client_id = b.p ? b.p : tool_xstrdup("");
}

/* --unix replaces TCP: the TLS transport and -A open TCP sockets of their own. */
static int check_unix(const tool_cfg_t *cfg)
{
    if (!cfg->unix_path)
        return TOOL_EXIT_OK;
    struct sockaddr_un sa;
    if (!cfg->unix_path[0] || strlen(cfg->unix_path) >= sizeof sa.sun_path)
        return bad("invalid --unix path '%s' (must be 1 to 107 bytes)", cfg->unix_path);
    if (cfg->tls)
        return bad("--unix cannot be combined with TLS (--cafile, --capath, --cert, "
                   "--insecure, mqtts://): the Unix socket is a plain connection");
    if (cfg->bind_addr)
        return bad("--unix cannot be combined with -A (a TCP bind address)");
    return TOOL_EXIT_OK;
}

/* Checks shared by pub and sub, once every option is read. */
static int tool_opts_check(tool_cfg_t *cfg)
{
    int rc = check_session(cfg);
    if (!rc)
        rc = check_will(cfg);
    if (!rc)
        rc = check_prop_cmds(cfg);
    if (!rc)
        rc = tool_tls_check(cfg);
    if (!rc)
        rc = check_unix(cfg);
    if (rc)
        return rc;
    make_client_id(cfg);
    if (strlen(cfg->client_id) > 65535)
        return bad("the client id is longer than 65535 bytes");
    if (cfg->version == MQTLS_V31 && (!cfg->client_id[0] || strlen(cfg->client_id) > 23))
        return bad("MQTT 3.1 (-V mqttv31) needs a client id of 1 to 23 bytes, not %lu",
                   (unsigned long)strlen(cfg->client_id));
    if (cfg->username && strlen(cfg->username) > 65535)
        return bad("the user name is longer than 65535 bytes");
    if (cfg->password && strlen(cfg->password) > 65535)
        return bad("the password is longer than 65535 bytes");
    tool_props_finish(&cfg->props);
    return TOOL_EXIT_OK;
}

static const tool_cmddef_t cmds[] = {
    {"pub", TOOL_PUB,
     "Usage: mqtls pub [options] -t TOPIC {-m MESSAGE | -f FILE | -l | -s | -n}\n"
     "       mqtls pub [options] -L mqtt[s]://[user[:pw]@]host[:port]/topic {-m ...}\n"
     "Publishes a message (or each line of stdin with -l) and exits.\n\n",
     NULL, tool_exit_help},
    {"sub", TOOL_SUB,
     "Usage: mqtls sub [options] -t FILTER [-t FILTER ...]\n"
     "       mqtls sub [options] -L mqtt[s]://[user[:pw]@]host[:port]/filter\n"
     "Subscribes and prints the messages that arrive.\n\n",
     NULL, tool_exit_help},
    {"doctor", TOOL_DOCTOR,
     "Usage: mqtls doctor [options]\n"
     "Connects step by step (credentials, DNS, TCP, TLS, MQTT CONNECT, a subscribe +\n"
     "publish round trip), stops at the first step that fails and names the cause\n"
     "(docs/doctor.md, docs/troubleshooting.md).\n\n",
     NULL, tool_doctor_exit_help},
    /* shadow, jobs, provision: the connection flags alone (aws/aws_opts.c takes the rest and
     * prints this page after their own). */
    {"aws", TOOL_AWS, "\nThe connection flags, as pub and sub take them.\n", "\n", ""},
};

const tool_optset_t tool_opts_set = TOOL_OPTSET(NULL, opts, cmds, 34, false);

static const tool_cmddef_t *cmd_def(tool_cmd_t cmd)
{
    return &cmds[cmd == TOOL_PUB ? 0 : cmd == TOOL_SUB ? 1 : cmd == TOOL_DOCTOR ? 2 : 3];
}

const char *tool_cmd_name(tool_cmd_t cmd)
{
    return cmd_def(cmd)->name;
}

int tool_opts_parse(tool_cfg_t *cfg, int argc, char **argv)
{
    tool_optparse_t p = {&tool_opts_set, cmd_def(cfg->cmd), cfg, NULL, 0, 0};
    int rc = tool_optparse_run(&p, argc, argv);
    return rc ? rc : tool_opts_check(cfg);
}

void tool_version_print(FILE *out)
{
    fprintf(out, "mqtls %s (MQTT %s3.1.1%s)\n", MQTLS_TOOL_VERSION, MQTLS_CFG_MQTT31 ? "3.1, " : "",
            MQTLS_CFG_MQTT5 ? ", 5.0" : "");
    fprintf(out, "TLS: %s\n", mqtls_tls_backend()); /* the library linked, as it says */
}
