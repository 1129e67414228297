/**
 * @file doctor_cause.c
 * @brief The facts behind the cause mqtls_diagnose() named: what the failed step saw, in
 *        the words of the report's "- " lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "mqtls/reason.h"
#include "common/tool_util.h"

static void list_addf(tool_strlist_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void list_addf(tool_strlist_t *l, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tool_strlist_add(l, tool_xstrdup(buf));
}

#define FACT(...) list_addf(&d->cause_facts, __VA_ARGS__)

static const mqtls_tls_cert_info_t *cert_flagged(const mqtls_tls_evidence_t *ev, uint32_t flag)
{
    for (unsigned i = 0; ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        if (ev->chain[i].problems & flag)
            return &ev->chain[i];
    return ev->chain && ev->chain_len ? &ev->chain[0] : NULL;
}

static void facts_credentials(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    char now[32];
    doctor_utc_text(d->now, now, sizeof now);
    switch (d->cause) {
    case MQTLS_CAUSE_CA_MISSING:
        FACT("TLS is used (%s), but neither --cafile nor --capath is given",
             c->cert ? "--cert was given" : c->url_scheme == TOOL_URL_MQTTS ? "an mqtts:// URL"
                                                                           : "a TLS option");
        break;
    case MQTLS_CAUSE_CLIENT_CERT_EXPIRED:
    case MQTLS_CAUSE_CLIENT_CERT_NOT_YET_VALID:
    case MQTLS_CAUSE_CLOCK_UNSET:
    case MQTLS_CAUSE_KEY_UNSUPPORTED:
    case MQTLS_CAUSE_KEY_MISMATCH:
        /* The failed checks say it best. */
        for (size_t i = 0; i < d->st[1].n_lines; i++)
            if (d->st[1].lines[i].kind == TOOL_CHECK_FAIL)
                FACT("%s", d->st[1].lines[i].text);
        if (d->cause == MQTLS_CAUSE_CLOCK_UNSET || d->cause == MQTLS_CAUSE_CLIENT_CERT_EXPIRED ||
            d->cause == MQTLS_CAUSE_CLIENT_CERT_NOT_YET_VALID)
            FACT("this machine's clock says %s UTC", now);
        if (d->setup_error && d->cause == MQTLS_CAUSE_KEY_MISMATCH)
            FACT("%s", d->setup_error);
        if (d->setup_error && d->cause == MQTLS_CAUSE_KEY_UNSUPPORTED)
            FACT("%s", d->setup_error);
        break;
    default:
        /* What `cert check` found wrong with the file, then what Mbed TLS said. */
        for (size_t i = 0; i < d->st[1].n_lines; i++) {
            const line_t *l = &d->st[1].lines[i];
            bool under_fail = false;
            for (size_t k = i; k > 0 && d->st[1].lines[k].kind == TOOL_CHECK_DETAIL; k--)
                under_fail = d->st[1].lines[k - 1].kind == TOOL_CHECK_FAIL;
            if (l->kind == TOOL_CHECK_FAIL || (l->kind == TOOL_CHECK_DETAIL && under_fail))
                FACT("%s", l->text);
        }
        bool said = false;
        for (size_t i = 0; d->setup_error && i < d->cause_facts.n; i++)
            said = said || !strcmp(d->cause_facts.v[i], d->setup_error);
        if (d->setup_error && !said)
            FACT("%s", d->setup_error);
        break;
    }
}

/* The server's certificate: its chain, its name, its dates. False: not such a cause. */
static bool facts_tls_server(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char buf[1024], now[32];
    doctor_utc_text(d->now, now, sizeof now);
    bool sent = false;
    const char *root = doctor_chain_root(ev, &sent);
    switch (d->cause) {
    case MQTLS_CAUSE_SERVER_UNTRUSTED_ROOT:
        doctor_ca_list(d, buf, sizeof buf);
        FACT("the server's chain ends at '%s'%s; %s: %s", root ? root : "?",
             sent ? "" : " (the issuer of the last certificate it sent)", doctor_ca_words(d), buf);
        /* Its own certificate alone: the issuer's name does not say root or intermediate. */
        if (!sent && ev->chain_len == 1 && !ev->chain[0].is_ca)
            FACT("the server sent only its own certificate: '%s' is a root or an intermediate "
                 "CA. If it is an intermediate, the broker's certificate file must carry it "
                 "(tls.server_missing_intermediate); if it is a root, trust it", root);
        break;
    case MQTLS_CAUSE_HOSTNAME_MISMATCH:
        FACT("you connected as '%s'; the server's certificate '%s' is for: %s", d->host,
             ev->chain && ev->chain_len ? ev->chain[0].subject : "?",
             ev->chain && ev->chain_len && ev->chain[0].names[0] ? ev->chain[0].names
                                                    : "(no subjectAltName)");
        if (ev->chain && ev->chain_len &&
            mqtls_diag_name_rule(d->host, ev->chain[0].names, ev->chain[0].subject, buf,
                                 sizeof buf))
            FACT("the rule that failed: %s", buf); /* RFC 6125 (src/diagnose/names.c) */
        break;
    case MQTLS_CAUSE_SERVER_CERT_EXPIRED:
    case MQTLS_CAUSE_SERVER_CERT_NOT_YET_VALID:
    case MQTLS_CAUSE_CLOCK_UNSET: {
        const mqtls_tls_cert_info_t *ci = cert_flagged(ev, d->cause == MQTLS_CAUSE_SERVER_CERT_EXPIRED
                                                               ? MQTLS_TLS_BAD_EXPIRED
                                                               : MQTLS_TLS_BAD_FUTURE);
        if (ci)
            FACT("'%s' is valid from %s to %s UTC", ci->subject, ci->not_before, ci->not_after);
        FACT("this machine's clock says %s UTC%s", now,
             d->cause == MQTLS_CAUSE_CLOCK_UNSET ? " (before 2020: not set)" : "");
        break;
    }
    default:
        return false;
    }
    return true;
}

doctor_seen_t doctor_seen_in(const doctor_t *d, const char *subject)
{
    for (unsigned i = 0; i < d->facts.dev_len; i++)
        if (!strcmp(d->facts.dev_certs[i].subject, subject))
            return SEEN_DEVICE_FILE;
    for (unsigned i = 0; i < d->facts.ca_len; i++)
        if (!strcmp(d->facts.ca_certs[i].subject, subject))
            return SEEN_CA_FILE;
    return SEEN_SERVER_CHAIN;
}

/* Where a certificate with this subject was seen, for "it is an intermediate". */
static const char *seen_in(const doctor_t *d, const char *subject)
{
    switch (doctor_seen_in(d, subject)) {
    case SEEN_DEVICE_FILE: return "your device certificate file carries it, issued by another CA";
    case SEEN_CA_FILE: return "your CA file holds it, issued by another CA";
    default: return "the server's chain shows it as a CA issued by another CA";
    }
}

/* Every certificate seen and its dates, for a clock that makes them all invalid. */
static void facts_clock(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    unsigned n = 0;
    for (unsigned i = 0; d->failed == 4 && ev->chain && i < ev->chain_len && n < 8; i++, n++)
        FACT("server's '%s': valid from %s to %s UTC", ev->chain[i].subject,
             ev->chain[i].not_before, ev->chain[i].not_after);
    for (unsigned i = 0; i < d->facts.ca_len && n < 8; i++, n++)
        FACT("CA file's '%s': valid from %s to %s UTC", d->facts.ca_certs[i].subject,
             d->facts.ca_certs[i].not_before, d->facts.ca_certs[i].not_after);
    for (unsigned i = 0; i < d->facts.dev_len && n < 8; i++, n++)
        FACT("device file's '%s': valid from %s to %s UTC", d->facts.dev_certs[i].subject,
             d->facts.dev_certs[i].not_before, d->facts.dev_certs[i].not_after);
    FACT("this machine's clock says %s UTC: every certificate seen, the root included, is "
         "outside its validity", d->now_utc);
}

/* The chain as a whole (src/diagnose/chain.c): the certificate to add or replace, by
 * subject. False: not such a cause. */
static bool facts_chain(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    const char *name = NULL;
    char buf[1024];
    switch (d->cause) {
    case MQTLS_CAUSE_SERVER_MISSING_INTERMEDIATE:
        mqtls_chain_verify_cause(&d->facts, &name);
        doctor_ca_list(d, buf, sizeof buf);
        FACT("the server sent %u certificate(s); the chain stops at '%s', whose issuer "
             "'%s' the server did not send; %s: %s", (unsigned)ev->sent_len,
             ev->chain_len ? ev->chain[ev->chain_len - 1].subject : "?", name ? name : "?",
             doctor_ca_words(d), buf);
        FACT("'%s' is an intermediate CA, not a root: %s", name ? name : "?",
             name ? seen_in(d, name) : "?");
        FACT("the certificate to add: '%s', to the broker's certificate file after its own "
             "certificate (or, for this client only, to your CA file)", name ? name : "?");
        return true;
    case MQTLS_CAUSE_CLIENT_MISSING_INTERMEDIATE:
        mqtls_chain_device_missing(&d->facts, &name);
        FACT("your device certificate '%s' is issued by '%s', and its file '%s' holds %u "
             "certificate(s), not that one", d->facts.dev_len ? d->facts.dev_certs[0].subject
                                                              : "?",
             name ? name : "?", d->cfg.cert ? d->cfg.cert : "?", (unsigned)d->facts.dev_len);
        FACT("'%s' is a sub-CA, not a root: %s", name ? name : "?", name ? seen_in(d, name) : "?");
        if (ev->alert_received >= 0)
            FACT("the broker answered our certificate with alert %d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        FACT("the certificate to add: '%s', to the device's certificate file after the device "
             "certificate", name ? name : "?");
        return true;
    case MQTLS_CAUSE_CHAIN_NOT_CA:
    case MQTLS_CAUSE_CHAIN_PATH_LEN:
        mqtls_chain_verify_cause(&d->facts, &name);
        FACT(d->cause == MQTLS_CAUSE_CHAIN_NOT_CA
                 ? "'%s' is in the broker's chain as an issuer, but it is not a CA "
                   "(basicConstraints cA is not set): it is the wrong certificate there"
                 : "'%s' limits the CAs below it (pathLenConstraint), and the broker's "
                   "chain has more", name ? name : "?");
        FACT("the server sent %u certificate(s); verification built a chain of %u",
             (unsigned)ev->sent_len, (unsigned)ev->chain_len);
        return true;
    case MQTLS_CAUSE_CLOCK_WRONG:
        facts_clock(d);
        return true;
    default:
        return false;
    }
}

/* The broker refused the handshake: our certificate, cipher suites, version or ALPN. False:
 * not such a cause. */
static bool facts_tls_refused(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char buf[1024];
    switch (d->cause) {
    case MQTLS_CAUSE_CLIENT_CERT_REJECTED:
        if (ev->verified && !ev->problems)
            FACT("the server chain verified: the server is the one your CA file trusts");
        if (ev->alert_received >= 0)
            FACT("then, after receiving the client certificate '%s', the broker sent alert %d "
                 "%s", d->cfg.cert ? d->cfg.cert : "?", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        else
            FACT("then, after receiving the client certificate '%s', the broker closed the "
                 "connection without an alert that could be read", d->cfg.cert ? d->cfg.cert : "?");
        /* Its file holds the device certificate alone: its issuer may be a sub-CA the broker
         * needs from the device; the name does not say (tls.client_missing_intermediate
         * when it is known to be one). */
        if (d->facts.dev_len == 1 && strcmp(d->facts.dev_certs[0].subject,
                                            d->facts.dev_certs[0].issuer) != 0)
            FACT("the device certificate file holds only the device certificate, issued by "
                 "'%s': if that is a sub-CA, the device must send it too (append it to the "
                 "file); if it is a root, the broker must trust it", d->facts.dev_certs[0].issuer);
        break;
    case MQTLS_CAUSE_CLIENT_CERT_REQUIRED:
        FACT("the server asked for a client certificate (CertificateRequest) and none is "
             "configured (--cert, --key)");
        if (ev->alert_received >= 0)
            FACT("it answered with alert %d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        break;
    case MQTLS_CAUSE_NO_COMMON_CIPHER:
        FACT("the broker sent alert %d %s before asking for a client certificate",
             ev->alert_received, mqtls_tls_alert_name(ev->alert_received));
        FACT("cipher suites offered: %s%s", d->cfg.ciphers ? d->cfg.ciphers
                                                           : "the defaults of ",
             d->cfg.ciphers ? "" : mqtls_tls_backend());
        break;
    case MQTLS_CAUSE_TLS_VERSION_MISMATCH:
        FACT("the broker sent alert %d %s; this client offered %s (%s)",
             ev->alert_received, mqtls_tls_alert_name(ev->alert_received),
             d->cfg.tls_min_version == MQTLS_TLS_V1_3 ? "TLS 1.3 only"
             : mqtls_tls_max_version() >= MQTLS_TLS_V1_3 ? "TLS 1.2 and 1.3"
                                                           : "TLS 1.2 only",
             mqtls_tls_backend());
        break;
    case MQTLS_CAUSE_ALPN_REQUIRED:
        doctor_alpn_words(d, buf, sizeof buf);
        if (d->facts.host_is_aws)
            FACT("'%s' is an AWS IoT host and the port is %u; ALPN offered: %s (needed: %s)",
                 d->host, (unsigned)d->port, buf, TOOL_TLS_AWS_ALPN);
        else
            FACT("ALPN offered: %s", buf);
        if (ev->alert_received >= 0)
            FACT("the server sent alert %d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        else
            FACT("the server closed the connection without an answer");
        break;
    default:
        return false;
    }
    return true;
}

/* What came over the wire: not TLS, too slow, a record too large, or what the TLS library
 * said. */
static void facts_tls_other(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    switch (d->cause) {
    case MQTLS_CAUSE_NOT_A_TLS_PORT:
        if (ev->bytes_received && ev->first_byte >= 0) {
            char txt[8];
            uint8_t b = (uint8_t)ev->first_byte;
            doctor_ascii_bytes(&b, 1, txt, sizeof txt);
            FACT("the server answered the ClientHello with %lu bytes that are not TLS (first "
                 "byte 0x%02x '%s')", (unsigned long)ev->bytes_received, (unsigned)b, txt);
        } else {
            FACT("the server closed the connection after the ClientHello without sending "
                 "anything");
        }
        break;
    case MQTLS_CAUSE_TLS_HANDSHAKE_TIMEOUT:
        FACT("TCP connected to %s, then no end of the handshake within %u s (%lu bytes "
             "received)", d->peer, (unsigned)(d->timeout_ms / 1000u),
             (unsigned long)ev->bytes_received);
        break;
    case MQTLS_CAUSE_TLS_RECORD_TOO_LARGE:
        FACT("%s: %s after %lu bytes from the server: a record larger than %s",
             mqtls_tls_backend(), ev->detail, (unsigned long)ev->bytes_received,
             strncmp(mqtls_tls_backend(), "Mbed TLS", 8) == 0
                 ? "its input buffer (MBEDTLS_SSL_IN_CONTENT_LEN)"
                 : "TLS allows (16 KiB of data, plus its protection)");
        break;
    default:
        if (ev->alert_received >= 0)
            FACT("alert received: %d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        if (ev->detail[0])
            FACT("%s: %s", mqtls_tls_backend(), ev->detail);
        break;
    }
}

static void facts_tls(doctor_t *d)
{
    if (!facts_chain(d) && !facts_tls_server(d) && !facts_tls_refused(d) &&
        !doctor_alert_facts(d))
        facts_tls_other(d);
}

static void facts_mqtt(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    char hex[64];
    switch (d->cause) {
    case MQTLS_CAUSE_TLS_PORT_WITHOUT_TLS:
        if (d->rec.total) {
            doctor_hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
            FACT("plain MQTT CONNECT was answered with %lu bytes that are not MQTT: %s%s",
                 (unsigned long)d->rec.total, hex, d->rec.first[0] == 0x15 ? " (a TLS alert)" : "");
        } else {
            FACT("plain MQTT CONNECT got no CONNACK (%s)", mqtls_strerror(d->mqtt_status));
        }
        FACT("a TLS ClientHello to %s got a TLS handshake record: the port expects TLS",
             d->peer);
        break;
    case MQTLS_CAUSE_CLOSED_AFTER_CONNECT:
        if (c->tls)
            FACT("the TLS handshake succeeded (%s, ALPN %s), CONNECT was sent, and the broker "
                 "closed the connection without CONNACK", d->ev.version,
                 d->ev.alpn[0] ? d->ev.alpn : "none");
        else
            FACT("CONNECT was sent, and the broker closed the connection without CONNACK");
        FACT("client id '%s' (%zu bytes)", c->client_id, strlen(c->client_id));
        break;
    case MQTLS_CAUSE_NO_CONNACK:
        if (d->mqtt_status == MQTLS_ERR_TIMEOUT && !d->rec.total) {
            FACT("no answer to CONNECT within %u s", (unsigned)(d->timeout_ms / 1000u));
        } else {
            doctor_hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
            FACT("the server answered CONNECT with %lu bytes that are not a CONNACK: %s (%s)",
                 (unsigned long)d->rec.total, hex, mqtls_strerror(d->mqtt_status));
        }
        break;
    case MQTLS_CAUSE_UNKNOWN:
        FACT("status: %s", mqtls_strerror(d->mqtt_status));
        break;
    case MQTLS_CAUSE_V5_NOT_SUPPORTED: /* no CONNACK refused: doctor_mqtt5_facts() says it */
        break;
    default: /* a CONNACK refusal */
        FACT("CONNACK %s %u (0x%02x): %s", c->version == MQTLS_V5 ? "reason code" : "return code",
             (unsigned)d->connack_code, (unsigned)d->connack_code,
             mqtls_reason_text(c->version, MQTLS_CONNACK, d->connack_code));
        if (c->username)
            FACT("user name '%s'%s", c->username, c->password ? ", password given" : "");
        FACT("client id '%s'", c->client_id);
        break;
    }
}

void doctor_cause_facts(doctor_t *d)
{
    if (doctor_findings_facts(d))
        return;
    switch (d->failed) {
    case 1:
        if (d->cause == MQTLS_CAUSE_CLOCK_WRONG)
            facts_clock(d);
        else
            facts_credentials(d);
        break;
    case 2:
        FACT("'%s' does not resolve: %s", d->conn_host, d->dns_error ? d->dns_error : "?");
        break;
    case 3:
        FACT("%s port %u: %s", d->conn_host, (unsigned)d->conn_port,
             d->tcp_error ? d->tcp_error : "?");
        if (d->addrs.n > 1)
            FACT("%zu addresses tried (see step 3's evidence)", d->addrs.n);
        break;
    case 4:
        facts_tls(d);
        break;
    case 5:
        /* A TLS 1.3 refusal of our certificate arrives after the handshake. */
        if (mqtls_cause_info(d->cause)->stage == MQTLS_DIAG_TLS)
            facts_tls(d);
        else
            facts_mqtt(d);
        break;
    case 6:
        for (int i = 0; i < d->n_steps; i++)
            if (!d->steps[i].ok)
                FACT("%s", d->steps[i].text);
        break;
    default:
        break;
    }
}
