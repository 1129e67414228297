/**
 * @file tool_trace.c
 * @brief The -d packet printer (see tool_trace.h). Line formats follow mosquitto's clients.
 */
#include "mqtt/tool_trace.h"

#include <stdlib.h>
#include <string.h>

#include "common/tool_util.h"
#include "mqtt/tool_props.h"

static const char *const type_names[16] = {
    "RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
    "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT",
    "AUTH"
};

void tool_trace_init(tool_trace_t *t, mqtls_version_t version, const char *client_id,
                     FILE *log)
{
    memset(t, 0, sizeof *t);
    t->version = version;
    t->client_id = tool_xstrdup(client_id && *client_id ? client_id : "(null)");
    t->log = log;
}

void tool_trace_set_id(tool_trace_t *t, const char *id, size_t len)
{
    free(t->client_id);
    t->client_id = tool_xmalloc(len + 1);
    memcpy(t->client_id, id, len);
    t->client_id[len] = '\0';
}

void tool_trace_free(tool_trace_t *t)
{
    free(t->client_id);
    t->client_id = NULL;
}

static void line_publish(tool_buf_t *b, const mqtls_publish_t *p)
{
    tool_buf_printf(b, " (d%d, q%u, r%d, m%u, '%.*s', ... (%lu bytes))", p->dup ? 1 : 0,
                    (unsigned)p->qos, p->retain ? 1 : 0, (unsigned)p->packet_id,
                    (int)p->topic.len, p->topic.data, (unsigned long)p->payload_len);
}

/* Acknowledgements as mosquitto prints them: sent "(m1, rc0)", received "(Mid: 1, RC:0)";
 * the reason code only on PUBACK/PUBREC sent and PUBACK/PUBCOMP received. */
static void line_ack(tool_buf_t *b, const mqtls_packet_t *pk, bool sent)
{
    const mqtls_ack_t *a = &pk->u.ack;
    bool rc = sent ? (pk->type == MQTLS_PUBACK || pk->type == MQTLS_PUBREC)
                   : (pk->type == MQTLS_PUBACK || pk->type == MQTLS_PUBCOMP);
    if (sent)
        tool_buf_printf(b, rc ? " (m%u, rc%u)" : " (m%u)", (unsigned)a->packet_id,
                        (unsigned)a->reason);
    else
        tool_buf_printf(b, rc ? " (Mid: %u, RC:%u)" : " (Mid: %u)", (unsigned)a->packet_id,
                        (unsigned)a->reason);
}

/* Entry @p i of a SUBSCRIBE/UNSUBSCRIBE as the client sends it (its entries, not encoded). */
static bool sub_entry(const mqtls_subscribe_t *s, uint16_t i, mqtls_subscription_t *e)
{
    if (i >= s->count)
        return false;
    if (s->subs) {
        *e = s->subs[i];
    } else {
        e->filter = s->filters[i];
        e->options = 0;
    }
    return true;
}

/* SUBSCRIBE: one line per filter, as mosquitto does. */
static void lines_subscribe(tool_trace_t *t, const mqtls_packet_t *pk, const char *dir)
{
    const mqtls_subscribe_t *s = &pk->u.subscribe;
    bool unsub = pk->type == MQTLS_UNSUBSCRIBE;
    mqtls_subscription_t e;
    for (uint16_t i = 0; sub_entry(s, i, &e); i++) {
        fprintf(t->log, "Client %s %s %s (Mid: %u, Topic: %.*s", t->client_id, dir,
                type_names[pk->type], (unsigned)s->packet_id, (int)e.filter.len, e.filter.data);
        if (!unsub)
            fprintf(t->log, ", QoS: %u, Options: 0x%02x", e.options & MQTLS_SUB_QOS_MASK,
                    (unsigned)(e.options & ~MQTLS_SUB_QOS_MASK));
        fputs(")\n", t->log);
    }
}

static const mqtls_props_t *packet_props(const mqtls_packet_t *pk)
{
    switch (pk->type) {
    case MQTLS_CONNECT: return &pk->u.connect.props;
    case MQTLS_CONNACK: return &pk->u.connack.props;
    case MQTLS_PUBLISH: return &pk->u.publish.props;
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK: return &pk->u.suback.props;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE: return &pk->u.subscribe.props;
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP: return NULL;
    default: return &pk->u.ack.props;
    }
}

static void describe(tool_buf_t *b, const mqtls_packet_t *pk, bool sent, bool v5)
{
    switch (pk->type) {
    case MQTLS_CONNACK:
        tool_buf_printf(b, " (%u)", (unsigned)pk->u.connack.reason);
        break;
    case MQTLS_PUBLISH:
        line_publish(b, &pk->u.publish);
        break;
    case MQTLS_PUBACK:
    case MQTLS_PUBREC:
    case MQTLS_PUBREL:
    case MQTLS_PUBCOMP:
        line_ack(b, pk, sent);
        break;
    case MQTLS_DISCONNECT:
    case MQTLS_AUTH:
        if (v5 && pk->u.ack.reason)
            tool_buf_printf(b, " (%u)", (unsigned)pk->u.ack.reason);
        break;
    default:
        break;
    }
}

void tool_trace_packet(mqtls_client_t *c, const mqtls_trace_t *tr, void *ctx)
{
    (void)c;
    tool_trace_t *t = ctx;
    const char *dir = tr->sent ? "sending" : "received";
    const mqtls_packet_t *pk = tr->packet;
    bool v5 = t->version == MQTLS_V5;
    if (!pk) {
        fprintf(t->log, "Client %s %s %s (%lu bytes, not decoded: %s)\n", t->client_id, dir,
                type_names[tr->first >> 4], (unsigned long)tr->size, mqtls_strerror(tr->status));
        return;
    }
    if (pk->type == MQTLS_SUBSCRIBE || pk->type == MQTLS_UNSUBSCRIBE) {
        lines_subscribe(t, pk, dir);
    } else {
        tool_buf_t b = {0};
        describe(&b, pk, tr->sent, v5);
        fprintf(t->log, "Client %s %s %s%s\n", t->client_id, dir, type_names[pk->type],
                b.p ? b.p : "");
        tool_buf_free(&b);
    }
    if (v5 && packet_props(pk)) {
        tool_buf_t b = {0};
        tool_props_lines(packet_props(pk), "    ", &b);
        if (b.p)
            fputs(b.p, t->log);
        tool_buf_free(&b);
    }
    fflush(t->log);
}
