/**
 * @file doctor_tls.c
 * @brief Step 4 of the doctor: the TLS handshake on a connection of its own, and its
 *        evidence put into lines.
 */
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"

static void explain_sink(void *ctx, const char *line)
{
    doctor_t *d = ctx;
    tool_strlist_add(&d->explain, tool_xstrdup(line));
}

/* The root the server's chain ends at: the top certificate if it is self-issued, else the
 * name of its issuer (which the server did not send). */
const char *doctor_chain_root(const mqtls_tls_evidence_t *ev, bool *sent)
{
    if (!ev->chain || !ev->chain_len)
        return NULL;
    const mqtls_tls_cert_info_t *top = &ev->chain[ev->chain_len - 1];
    *sent = !strcmp(top->subject, top->issuer);
    return *sent ? top->subject : top->issuer;
}

bool doctor_ca_holds(const doctor_t *d, const char *subject)
{
    for (size_t i = 0; subject && i < d->ca_subjects.n; i++)
        if (!strcmp(d->ca_subjects.v[i], subject))
            return true;
    return false;
}

void doctor_ca_list(const doctor_t *d, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->ca_subjects.n && used < size; i++) {
        if (i == 8) {
            snprintf(out + used, size - used, ", ... (%zu in all)", d->ca_subjects.n);
            return;
        }
        used += (size_t)snprintf(out + used, size - used, "%s'%s'", i ? ", " : "",
                                 d->ca_subjects.v[i]);
    }
    if (!d->ca_subjects.n)
        snprintf(out, size, "no certificate");
}

const char *doctor_ca_words(const doctor_t *d)
{
    return d->cfg.cafile && d->cfg.capath ? "your CA file and directory hold"
           : d->cfg.capath               ? "your CA directory holds"
                                         : "your CA file holds";
}

void doctor_flag_words(uint32_t flags, char *out, size_t size)
{
    tool_tls_problem_words(flags, "; ", out, size);
}

/* What was offered and, once established, agreed. */
static void offer_lines(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char buf[1024];
    unsigned char tmp[16];
    bool ip = inet_pton(AF_INET, d->host, tmp) == 1 || inet_pton(AF_INET6, d->host, tmp) == 1;
    EVID(d, 4, "server name: '%s' (%s)", d->host,
         ip ? "an IP address: no SNI sent; checked against the certificate's IP addresses"
            : "sent as SNI and checked against the certificate");
    doctor_alpn_words(d, buf, sizeof buf);
    EVID(d, 4, "offered: %s, ALPN %s%s%s", d->cfg.tls_min_version == MQTLS_TLS_V1_3
                                            ? "TLS 1.3"
                                            : mqtls_tls_max_version() >= MQTLS_TLS_V1_3
                                                  ? "TLS 1.2 and 1.3" : "TLS 1.2",
         buf, d->cfg.ciphers ? ", cipher suites " : "", d->cfg.ciphers ? d->cfg.ciphers : "");
    if (ev->stage == MQTLS_TLS_STAGE_ESTABLISHED)
        EVID(d, 4, "negotiated: %s, %s, ALPN %s", ev->version, ev->ciphersuite,
             ev->alpn[0] ? ev->alpn : "none");
}

/* One certificate of the chain the verification built. */
static void cert_lines(doctor_t *d, unsigned i, const mqtls_tls_cert_info_t *ci)
{
    char buf[1024];
    EVID(d, 4, "  [%u] %s", i, ci->subject);
    EVID(d, 4, "      issuer: %s", ci->issuer);
    EVID(d, 4, "      valid:  %s to %s UTC", ci->not_before, ci->not_after);
    if (ci->names[0])
        EVID(d, 4, "      names:  %s", ci->names);
    if (ci->key[0])
        EVID(d, 4, "      key:    %s%s, signed %s", ci->key, ci->is_ca ? " (a CA)" : "",
             ci->sig_alg);
    if (ci->problems) {
        doctor_flag_words(ci->problems, buf, sizeof buf);
        EVID(d, 4, "      problems (0x%04x): %s", (unsigned)ci->problems, buf);
    }
}

/* The server's chain, and whether its root is one the CA file holds. */
static void chain_lines(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    if (!ev->chain || !ev->chain_len) {
        EVID(d, 4, "server chain: none received");
        return;
    }
    EVID(d, 4, "server chain: the server sent %u certificate(s); verification built a "
         "chain of %u ([0] is the server's own)", (unsigned)ev->sent_len,
         (unsigned)ev->chain_len);
    for (unsigned i = 0; i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        cert_lines(d, i, &ev->chain[i]);
    bool sent = false;
    const char *root = doctor_chain_root(ev, &sent);
    const char *inter = NULL;
    mqtls_cause_t why = mqtls_chain_verify_cause(&d->facts, &inter);
    if (why == MQTLS_CAUSE_SERVER_MISSING_INTERMEDIATE)
        EVID(d, 4, "chain stops at: the issuer '%s', an intermediate CA the server did not "
             "send and your CA file does not hold", inter);
    else if (why == MQTLS_CAUSE_CHAIN_NOT_CA || why == MQTLS_CAUSE_CHAIN_PATH_LEN)
        EVID(d, 4, "chain refused at: '%s', %s", inter ? inter : "?",
             why == MQTLS_CAUSE_CHAIN_NOT_CA ? "used as an issuer but not a CA"
                                             : "whose pathLenConstraint the chain exceeds");
    else
        EVID(d, 4, "chain ends at: '%s'%s, %s", root, sent ? "" : " (not sent by the server)",
             doctor_ca_holds(d, root) ? "a root your CA file holds" : "NOT in your CA file");
    const char *completed = mqtls_chain_completed_locally(ev);
    if (completed)
        EVID(d, 4, "incomplete chain, completed here: the server did not send the intermediate "
             "'%s'; your CA file supplied it. Fine for this client; a client that trusts "
             "only the root will fail (the broker's certificate file should carry it)",
             completed);
}

/* The trusted CAs, and what the verification found. */
static void verify_lines(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char buf[1024];
    doctor_ca_list(d, buf, sizeof buf);
    EVID(d, 4, "%s: %s", doctor_ca_words(d),
         d->cfg.cafile || d->cfg.capath ? buf : "nothing (--insecure)");
    if (ev->verified && !ev->problems)
        EVID(d, 4, "verification: server chain verified (no problems)%s",
             ev->insecure ? " (--insecure: not enforced)" : "");
    else if (ev->verified) {
        doctor_flag_words(ev->problems, buf, sizeof buf);
        EVID(d, 4, "verification: %s, problems 0x%04x: %s",
             ev->insecure ? "failed but not enforced (--insecure)" : "FAILED",
             (unsigned)ev->problems, buf);
    } else {
        EVID(d, 4, "verification: not reached (no server certificate)");
    }
}

/* The client certificate, the alerts, the bytes received, and the plain-words lines. */
static void wire_lines(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    EVID(d, 4, "client certificate: %s, %s", ev->cert_requested ? "requested by the server"
                                                                : "not requested",
         ev->cert_sent ? "sent" : d->cfg.cert ? "not sent" : "none configured");
    char ar[64] = "none", as[64] = "none";
    if (ev->alert_received >= 0)
        snprintf(ar, sizeof ar, "%d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
    if (ev->alert_sent >= 0)
        snprintf(as, sizeof as, "%d %s", ev->alert_sent, mqtls_tls_alert_name(ev->alert_sent));
    EVID(d, 4, "alerts: received %s, sent %s", ar, as);
    if (ev->first_byte >= 0)
        EVID(d, 4, "from the server: %lu bytes, first byte 0x%02x (%s)",
             (unsigned long)ev->bytes_received, (unsigned)ev->first_byte,
             ev->first_byte >= 20 && ev->first_byte <= 23 ? "a TLS record" : "NOT TLS");
    else
        EVID(d, 4, "from the server: nothing");
    if (ev->raw_error < 0)
        EVID(d, 4, "Mbed TLS: %s (-0x%04X)", ev->detail, (unsigned)-ev->raw_error);
    for (size_t i = 0; i < d->explain.n; i++)
        EVID(d, 4, "%s", d->explain.v[i]);
}

/* Step 4's evidence, whether the handshake succeeded or not. */
static void tls_evidence_lines(doctor_t *d)
{
    offer_lines(d);
    chain_lines(d);
    verify_lines(d);
    wire_lines(d);
}

/* The evidence outlives the connection: its certificates are copied with it. */
static void copy_evidence(doctor_t *d, const mqtls_tls_evidence_t *ev)
{
    d->ev = *ev;
    d->ev.chain = d->ev.sent = NULL;
    if (ev->chain) {
        memcpy(d->ev_chain, ev->chain, sizeof d->ev_chain);
        d->ev.chain = d->ev_chain;
    }
    if (ev->sent) {
        memcpy(d->ev_sent, ev->sent, sizeof d->ev_sent);
        d->ev.sent = d->ev_sent;
    }
    d->ev_valid = true;
}

bool doctor_stage_tls(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    if (!d->cfg.tls) {
        EVID(d, 4, "plain MQTT: no TLS handshake");
        doctor_stage_done(d, 4, R_OK, t0, "not used: plain MQTT without TLS");
        return true;
    }
    EVID(d, 4, "connecting again to %s for the handshake", d->peer);
    /* The TCP connect is part of the transport's limit; its handshake limit comes first. */
    uint64_t deadline = t0 + 2u * d->timeout_ms + 1000u;
    mqtls_status_t st = d->tr->connect(d->tr_ctx, d->conn_ip, d->conn_port);
    while (st == MQTLS_IN_PROGRESS) {
        if (tool_now_ms() > deadline || tool_stop) {
            d->tr->close(d->tr_ctx);
            st = MQTLS_ERR_TIMEOUT;
            break;
        }
        if (d->tr->wait(d->tr_ctx, 0, 100) == MQTLS_ERR_STATE)
            doctor_wait_poll(10);
        st = d->tr->connect(d->tr_ctx, d->conn_ip, d->conn_port);
    }
    copy_evidence(d, mqtls_tls_evidence(&d->tls->tls));
    /* The versions offered, for the reading of alert 70 (src/diagnose/alerts.c). */
    d->facts.tls_min_offered = d->cfg.tls_min_version == MQTLS_TLS_V1_3 ? MQTLS_TLS_V1_3
                                                                        : MQTLS_TLS_V1_2;
    d->facts.tls_max_offered = mqtls_tls_max_version();
    d->facts.tls = &d->ev; /* the chain analysis in the evidence lines reads it */
    if (st != MQTLS_OK) {
        tool_tls_explain_to(d->tls, st, explain_sink, d);
        tls_evidence_lines(d);
        d->facts.tls = &d->ev;
        d->facts.status = d->ev.status ? d->ev.status : st;
        if (!doctor_diagnose(d, 4, t0)) {
            d->failed = 4;
            d->cause = MQTLS_CAUSE_TLS_HANDSHAKE_FAILED;
            doctor_stage_done(d, 4, R_FAILED, t0, "%s", mqtls_strerror(st));
        }
        return false;
    }
    tls_evidence_lines(d);
    doctor_stage_done(d, 4, R_OK, t0, "%s, %s, ALPN %s", d->ev.version, d->ev.ciphersuite,
                      d->ev.alpn[0] ? d->ev.alpn : "none");
    return true;
}
