/**
 * @file doctor_mqtt.c
 * @brief Step 5 of the doctor: CONNECT and CONNACK; when plain MQTT gets no CONNACK, a TLS
 *        probe of the port; when a 5.0 CONNECT is closed in silence, a 3.1.1 CONNECT on a
 *        new connection (a broker without 5.0 hangs up instead of refusing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "mqtls/reason.h"
#include "common/tool_util.h"

/* The TLS probe of a port where plain MQTT failed: a short look, not a connection. */
#define PROBE_TIMEOUT_MS 3000u

static bool connack_done(const doctor_t *d)
{
    return d->connected || d->conn_failed || d->lost;
}

/* A TLS ClientHello (no verification, short time limit) to the port where plain MQTT
 * failed: a TLS record in answer means the port speaks TLS. */
static void probe_tls(doctor_t *d)
{
    mqtls_tls_t *p = tool_xcalloc(1, sizeof *p);
    mqtls_tls_cfg_t c;
    memset(&c, 0, sizeof c);
    c.insecure = true;
    c.server_name = d->host;
    c.handshake_timeout_ms = d->timeout_ms < PROBE_TIMEOUT_MS ? d->timeout_ms : PROBE_TIMEOUT_MS;
    mqtls_tls_init(p);
    d->probe_ran = true;
    d->probe_first = -1;
    if (mqtls_tls_setup(p, &c) == MQTLS_OK) {
        uint64_t end = tool_now_ms() + c.handshake_timeout_ms + 1000u;
        mqtls_status_t st = mqtls_tls_transport.connect(p, d->conn_ip, d->conn_port);
        while (st == MQTLS_IN_PROGRESS && tool_now_ms() < end && !tool_stop) {
            if (mqtls_tls_transport.wait(p, 0, 50) == MQTLS_ERR_STATE)
                doctor_wait_poll(10);
            st = mqtls_tls_transport.connect(p, d->conn_ip, d->conn_port);
        }
        const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(p);
        d->probe_first = ev->first_byte;
        d->probe_bytes = ev->bytes_received;
        d->speaks_tls = ev->bytes_received > 0 && ev->first_byte == 22;
    }
    mqtls_tls_free(p);
    free(p);
}

static void what_came_back(doctor_t *d)
{
    char hex[64], txt[24];
    if (!d->rec.total) {
        EVID(d, 5, "from the server after CONNECT: nothing");
        return;
    }
    doctor_hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
    doctor_ascii_bytes(d->rec.first, d->rec.n_first, txt, sizeof txt);
    EVID(d, 5, "from the server after CONNECT: %lu bytes: %s%s ('%s')",
         (unsigned long)d->rec.total, hex, d->rec.total > d->rec.n_first ? " ..." : "", txt);
}

/* Sends CONNECT and runs the client until the CONNACK, a failure or the time limit. */
static void connect_and_wait(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    EVID(d, 5, "CONNECT: MQTT %s, client id '%s', clean %s, keep alive %u s, %s%s%s",
         doctor_version_name(c->version), c->client_id,
         c->version == MQTLS_V5 ? "start" : "session",
         (unsigned)c->keepalive, c->username ? "user name '" : "no user name",
         c->username ? c->username : "", c->username ? (c->password ? "', password given" : "'")
                                                    : "");
    mqtls_status_t st = mqtls_connect(&d->client, &d->opts);
    if (st != MQTLS_OK) {
        d->mqtt_error = doctor_xfmt("the CONNECT cannot be sent with these settings: %s",
                                    mqtls_strerror(st));
        EVID(d, 5, "%s", d->mqtt_error);
        d->mqtt_status = st;
    } else {
        d->connect_sent_ms = tool_now_ms();
        doctor_run_client(d, d->timeout_ms + 2000u, connack_done);
        if (!connack_done(d)) { /* the client's own timer should have fired */
            mqtls_abort(&d->client);
            d->conn_failed = true;
            d->mqtt_status = tool_stop ? MQTLS_ERR_CLOSED : MQTLS_ERR_TIMEOUT;
        }
    }
}

/* Step 5 passed: the CONNACK and the server's properties. */
static bool connack_ok(doctor_t *d, uint64_t t0)
{
    const tool_cfg_t *c = &d->cfg;
    EVID(d, 5, "CONNACK: %s %u (%s), session present %d",
         c->version == MQTLS_V5 ? "reason code" : "return code", (unsigned)d->connack_code,
         mqtls_reason_text(c->version, MQTLS_CONNACK, d->connack_code),
         d->session_present ? 1 : 0);
    if (d->props.n)
        EVID(d, 5, "server properties:");
    for (size_t i = 0; i < d->props.n; i++)
        EVID(d, 5, "  %s", d->props.v[i]);
    doctor_stage_done(d, 5, R_OK, t0, "CONNACK %u (%s), session present %d",
                      (unsigned)d->connack_code,
                      mqtls_reason_text(c->version, MQTLS_CONNACK, d->connack_code),
                      d->session_present ? 1 : 0);
    return true;
}

/* What happened instead of a CONNACK. */
static void failure_lines(doctor_t *d, uint64_t t0)
{
    const tool_cfg_t *c = &d->cfg;
    uint64_t after = tool_now_ms() - (d->connect_sent_ms ? d->connect_sent_ms : t0);
    if (d->mqtt_status == MQTLS_ERR_CONNACK_REFUSED) {
        EVID(d, 5, "CONNACK: %s %u (0x%02x): %s", c->version == MQTLS_V5 ? "reason code"
                                                                         : "return code",
             (unsigned)d->connack_code, (unsigned)d->connack_code,
             mqtls_reason_text(c->version, MQTLS_CONNACK, d->connack_code));
        for (size_t i = 0; i < d->props.n; i++)
            EVID(d, 5, "  %s", d->props.v[i]);
        if (c->version == MQTLS_V5)
            doctor_mqtt5_lines(d, 5, false, d->connack_code);
    } else if (d->mqtt_status == MQTLS_ERR_TIMEOUT) {
        EVID(d, 5, "no CONNACK within %u s", (unsigned)(d->timeout_ms / 1000u));
        what_came_back(d);
    } else if (d->mqtt_status == MQTLS_ERR_CLOSED || d->mqtt_status == MQTLS_ERR_IO) {
        EVID(d, 5, "the server closed the connection %llu ms after CONNECT, without CONNACK",
             (unsigned long long)after);
        what_came_back(d);
    } else if (!d->mqtt_error) {
        EVID(d, 5, "the answer to CONNECT is not a CONNACK: %s", mqtls_strerror(d->mqtt_status));
        what_came_back(d);
    }
}

/* A 5.0 CONNECT closed without a byte in answer: a broker without MQTT 5.0 may do that
 * (RabbitMQ's MQTT plugin before 3.13, which added 5.0). A 3.1.1 CONNECT on a new
 * connection tells the version from a policy; the first attempt's status stays. */
static void try_311(doctor_t *d)
{
    bool alert = d->ev_valid && d->tls && mqtls_tls_evidence(&d->tls->tls)->alert_received > 0;
    if (d->cfg.version != MQTLS_V5 || d->rec.total || alert || tool_stop ||
        (d->mqtt_status != MQTLS_ERR_CLOSED && d->mqtt_status != MQTLS_ERR_IO))
        return;
    mqtls_status_t first = d->mqtt_status;
    rec_t seen = d->rec; /* what the first attempt got stays the evidence */
    EVID(d, 5, "the 5.0 CONNECT was closed in silence: trying MQTT 3.1.1 on a new connection");
    mqtls_client_free(&d->client);
    free(d->rx);
    free(d->tx);
    free(d->store_mem);
    d->connected = d->conn_failed = d->lost = false;
    d->connect_sent_ms = 0;
    d->cfg.version = MQTLS_V311;
    doctor_setup_client(d);
    connect_and_wait(d);
    d->facts.v311_accepted = d->connected;
    if (d->connected)
        EVID(d, 5, "MQTT 3.1.1: CONNACK 0 (accepted): the broker speaks 3.1.1 and closed the "
             "5.0 CONNECT");
    else
        EVID(d, 5, "MQTT 3.1.1: no CONNACK either (%s): not the protocol version",
             mqtls_strerror(d->mqtt_status));
    if (mqtls_state(&d->client) == MQTLS_STATE_CONNECTED)
        mqtls_disconnect(&d->client, MQTLS_RC_SUCCESS, NULL);
    d->cfg.version = MQTLS_V5;
    d->connected = false;
    d->conn_failed = true;
    d->mqtt_status = first;
    d->connack_code = 0;
    d->connack_seen = d->session_present = false; /* the 3.1.1 CONNACK is not the 5.0 one's */
    d->rec.n_first = seen.n_first;
    d->rec.total = seen.total;
    memcpy(d->rec.first, seen.first, sizeof seen.first);
}

/* Plain MQTT got no CONNACK: does the port speak TLS? */
static void probe_lines(doctor_t *d)
{
    if (d->cfg.tls || d->mqtt_status == MQTLS_ERR_CONNACK_REFUSED || d->mqtt_error ||
        d->facts.v311_accepted) /* the port speaks MQTT */
        return;
    probe_tls(d);
    if (d->speaks_tls)
        EVID(d, 5, "TLS probe of %s (a ClientHello): the server answered with a TLS "
             "handshake record (0x16): this port speaks TLS", d->peer);
    else if (d->probe_bytes)
        EVID(d, 5, "TLS probe of %s (a ClientHello): the answer is not TLS (first byte "
             "0x%02x)", d->peer, (unsigned)d->probe_first);
    else
        EVID(d, 5, "TLS probe of %s (a ClientHello): no answer: not a TLS port", d->peer);
}

/* Step 5 failed: its facts for the rules, and the cause. */
static bool mqtt_failed(doctor_t *d, uint64_t t0)
{
    d->facts.status = d->mqtt_status;
    d->facts.connack_reason = d->connack_code;
    d->facts.port_speaks_tls = d->speaks_tls;
    d->facts.reply_not_connack = d->rec.total > 0 && (d->rec.first[0] >> 4) != MQTLS_CONNACK;
    if (d->ev_valid && d->tls) { /* TLS 1.3: a refusal of our certificate comes now */
        const mqtls_tls_evidence_t *live = mqtls_tls_evidence(&d->tls->tls);
        d->ev.alert_received = live->alert_received;
        d->ev.alert_sent = live->alert_sent;
        if (live->alert_received > 0)
            EVID(d, 5, "the broker sent TLS alert %d %s after the handshake",
                 live->alert_received, mqtls_tls_alert_name(live->alert_received));
    }
    d->facts.tls = d->ev_valid ? &d->ev : NULL;
    if (!doctor_diagnose(d, 5, t0)) {
        d->failed = 5;
        d->cause = MQTLS_CAUSE_UNKNOWN;
        doctor_stage_done(d, 5, R_FAILED, t0, "%s", mqtls_strerror(d->mqtt_status));
    }
    return false;
}

bool doctor_stage_mqtt(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    doctor_setup_client(d);
    connect_and_wait(d);
    if (d->connected)
        return connack_ok(d, t0);
    failure_lines(d, t0);
    try_311(d);
    probe_lines(d);
    return mqtt_failed(d, t0);
}
