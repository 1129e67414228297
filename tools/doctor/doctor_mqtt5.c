/**
 * @file doctor_mqtt5.c
 * @brief MQTT 5 reason codes in the doctor's report: what to do about a CONNACK or
 *        DISCONNECT code, the Server Reference of "use another server" / "server moved" with
 *        the command to try it, the duplicate client id of "session taken over", and the
 *        AWS IoT reading of a cause, given only when the host is an AWS IoT endpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "mqtls/reason.h"
#include "common/tool_util.h"

void doctor_mqtt5_record(doctor_t *d, const mqtls_props_t *p)
{
    if (!p || !p->server_reference.len)
        return;
    free(d->server_ref);
    d->server_ref = tool_xcalloc(1, (size_t)p->server_reference.len + 1);
    memcpy(d->server_ref, p->server_reference.data, p->server_reference.len);
}

/* The first server of a Server Reference ("host", "host:port", "[v6]:port"; several are
 * separated by spaces, MQTT 5.0 4.11): its host and port (@p port unchanged without one). */
static void ref_target(const char *ref, char *host, size_t size, unsigned *port)
{
    size_t n = strcspn(ref, " ");
    const char *end = ref + n, *colon = NULL;
    if (*ref == '[') {
        const char *rb = memchr(ref, ']', n);
        colon = rb && rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
        ref++;
        n = rb ? (size_t)(rb - ref) : n - 1;
    } else {
        colon = memchr(ref, ':', n);
        if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
            colon = NULL; /* a bare IPv6 address */
        else if (colon)
            n = (size_t)(colon - ref);
    }
    if (colon) {
        char *e;
        unsigned long p = strtoul(colon + 1, &e, 10);
        if (e == end && p > 0 && p < 65536)
            *port = (unsigned)p;
    }
    snprintf(host, size, "%.*s", (int)(n < size ? n : size - 1), ref);
}

/* The command that tries the referenced server with this run's settings. */
static void try_command(const doctor_t *d, char *out, size_t size)
{
    const tool_cfg_t *c = &d->cfg;
    char host[256];
    unsigned port = d->port;
    ref_target(d->server_ref, host, sizeof host, &port);
    int n = snprintf(out, size, "mqtls doctor -h %s -p %u -V %s -i '%s'", host, port,
                     c->version == MQTLS_V5 ? "5" : "311", c->client_id);
    if (c->cafile && n > 0 && (size_t)n < size)
        n += snprintf(out + n, size - (size_t)n, " --cafile %s", c->cafile);
    if (c->cert && c->key && n > 0 && (size_t)n < size)
        n += snprintf(out + n, size - (size_t)n, " --cert %s --key %s", c->cert, c->key);
    if (c->username && n > 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, " -u '%s'%s", c->username,
                 c->password ? " -P <password>" : "");
}

void doctor_mqtt5_lines(doctor_t *d, int n, bool disconnect, uint8_t code)
{
    const char *fix = mqtls_reason_fix(disconnect, code);
    EVID(d, n, "%s reason 0x%02x (%s): %s", disconnect ? "DISCONNECT" : "CONNACK",
         (unsigned)code, mqtls_reason_text(MQTLS_V5, disconnect ? MQTLS_DISCONNECT : MQTLS_CONNACK,
                                           code),
         fix ? fix : "a code this packet may not carry (MQTT 5.0, 3.2.2.2 / 3.14.2.1)");
    if (code != MQTLS_RC_USE_ANOTHER_SERVER && code != MQTLS_RC_SERVER_MOVED)
        return;
    if (d->server_ref)
        EVID(d, n, "Server Reference: '%s'", d->server_ref);
    else
        EVID(d, n, "no Server Reference was sent: the broker did not say which server");
}

void doctor_mqtt5_facts(doctor_t *d)
{
    char cmd[1024];
    switch (d->cause) {
    case MQTLS_CAUSE_USE_ANOTHER_SERVER:
        if (!d->server_ref) {
            tool_strlist_add(&d->cause_facts, tool_xstrdup("the broker sent no Server "
                                                           "Reference: ask its operator"));
            break;
        }
        try_command(d, cmd, sizeof cmd);
        tool_strlist_add(&d->cause_facts, doctor_xfmt("Server Reference: '%s'", d->server_ref));
        tool_strlist_add(&d->cause_facts, doctor_xfmt("try it: %s", cmd));
        break;
    case MQTLS_CAUSE_SESSION_TAKEN_OVER:
        tool_strlist_add(&d->cause_facts,
                         doctor_xfmt("client id '%s' is in use by another connection to %s",
                                     d->cfg.client_id, d->host));
        break;
    case MQTLS_CAUSE_CONNACK_CERT_IDENTITY:
        tool_strlist_add(&d->cause_facts,
                         doctor_xfmt("no user name or password was sent (-u, -P); the "
                                     "client certificate %s was: the broker judged that",
                                     d->cfg.cert ? d->cfg.cert : "(configured)"));
        break;
    case MQTLS_CAUSE_CONNACK_BAD_CREDENTIALS:
    case MQTLS_CAUSE_CONNACK_NOT_AUTHORIZED:
        /* No certificate either (else the cause is the certificate's identity). */
        if (!d->facts.userpass_given)
            tool_strlist_add(&d->cause_facts,
                             tool_xstrdup("no user name or password was sent (-u, -P) and no "
                                          "client certificate: the broker has no identity "
                                          "to accept"));
        break;
    case MQTLS_CAUSE_CLOSED_AFTER_REQUEST:
        /* Nothing of ours was pending: a takeover closes so too (mosquitto 2.0 closes the
         * older connection without a DISCONNECT 0x8E). */
        if (d->facts.rt_step == MQTLS_DIAG_RT_RECEIVE)
            tool_strlist_add(&d->cause_facts,
                             doctor_xfmt("no request was outstanding when it closed: another "
                                         "connection with client id '%s' closes this one too",
                                         d->cfg.client_id));
        break;
    case MQTLS_CAUSE_V5_NOT_SUPPORTED:
        tool_strlist_add(&d->cause_facts,
                         doctor_xfmt("MQTT 5.0 CONNECT: the broker closed the connection "
                                     "without a byte in answer (%s)",
                                     mqtls_strerror(d->mqtt_status)));
        tool_strlist_add(&d->cause_facts,
                         tool_xstrdup("MQTT 3.1.1 CONNECT on a new connection, same client "
                                      "id: CONNACK 0 (accepted)"));
        break;
    case MQTLS_CAUSE_SERVER_DISCONNECT: {
        const char *fix = mqtls_reason_fix(true, d->lost_reason);
        tool_strlist_add(&d->cause_facts,
                         doctor_xfmt("what to do about DISCONNECT 0x%02x: %s",
                                     (unsigned)d->lost_reason, fix ? fix : "see the broker's log"));
        break;
    }
    default:
        break;
    }
    const char *aws = d->facts.host_is_aws ? mqtls_cause_aws_fix(d->cause) : NULL;
    if (aws)
        tool_strlist_add(&d->cause_facts, doctor_xfmt("%s is an AWS IoT endpoint: %s", d->host,
                                                      aws));
}
