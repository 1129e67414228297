/**
 * @file tool_trace.c
 * @brief The -d packet tracer (see tool_trace.h). Line formats follow mosquitto's clients.
 */
#include "mqtt/tool_trace.h"

#include <stdlib.h>
#include <string.h>

#include "mqtt/tool_props.h"

static const char *const type_names[16] = {
    "RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
    "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT",
    "AUTH"
};

void tool_trace_init(tool_trace_t *t, const mqtls_transport_t *inner, void *inner_ctx,
                     mqtls_version_t version, const char *client_id, FILE *log)
{
    memset(t, 0, sizeof *t);
    t->inner = inner;
    t->inner_ctx = inner_ctx;
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
    tool_buf_free(&t->in.buf);
    tool_buf_free(&t->out.buf);
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

/* SUBSCRIBE: one line per filter, as mosquitto does. */
static void lines_subscribe(tool_trace_t *t, const mqtls_packet_t *pk, const char *dir)
{
    const mqtls_subscribe_t *s = &pk->u.subscribe;
    bool unsub = pk->type == MQTLS_UNSUBSCRIBE;
    mqtls_subscription_t e;
    uint32_t pos = 0;
    while (mqtls_sub_next(s, unsub, &pos, &e)) {
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

/* Prints the whole packet @p pkt of @p len bytes. */
static void print_packet(tool_trace_t *t, const uint8_t *pkt, size_t len, bool sent)
{
    const char *dir = sent ? "sending" : "received";
    mqtls_packet_t pk;
    size_t used;
    bool v5 = t->version == MQTLS_V5;
    mqtls_status_t st = mqtls_decode(pkt, len, t->version, &pk, &used);
    if (st != MQTLS_OK) {
        fprintf(t->log, "Client %s %s %s (%lu bytes, not decoded: %s)\n", t->client_id, dir,
                type_names[pkt[0] >> 4], (unsigned long)len, mqtls_strerror(st));
        return;
    }
    if (pk.type == MQTLS_SUBSCRIBE || pk.type == MQTLS_UNSUBSCRIBE) {
        lines_subscribe(t, &pk, dir);
    } else {
        tool_buf_t b = {0};
        describe(&b, &pk, sent, v5);
        fprintf(t->log, "Client %s %s %s%s\n", t->client_id, dir, type_names[pk.type],
                b.p ? b.p : "");
        tool_buf_free(&b);
    }
    if (v5 && packet_props(&pk)) {
        tool_buf_t b = {0};
        tool_props_lines(packet_props(&pk), "    ", &b);
        if (b.p)
            fputs(b.p, t->log);
        tool_buf_free(&b);
    }
    fflush(t->log);
}

uint32_t tool_trace_qos2_open(const tool_trace_t *t)
{
    return t->qos2_open;
}

/* A packet starts: keeps the count of open incoming QoS 2 exchanges. */
static void count_packet(tool_trace_t *t, uint8_t first, bool sent)
{
    unsigned type = first >> 4;
    if (!sent && type == MQTLS_PUBLISH && ((first >> 1) & 3u) == 2u)
        t->qos2_open++;
    else if (sent && type == MQTLS_PUBCOMP && t->qos2_open > 0)
        t->qos2_open--;
}

/* Collects fixed-header bytes; returns how many of @p n it used. */
static size_t feed_header(tool_trace_t *t, tool_stream_t *s, const uint8_t *p, size_t n,
                          bool sent)
{
    size_t used = 0;
    while (used < n && !s->in_body) {
        s->hdr[s->hdr_len++] = p[used++];
        uint8_t first;
        uint32_t rem;
        size_t hl;
        mqtls_status_t st = mqtls_decode_fixed_header(s->hdr, s->hdr_len, &first, &rem, &hl);
        if (st == MQTLS_NEED_MORE && s->hdr_len < sizeof s->hdr)
            continue;
        if (st == MQTLS_OK) {
            count_packet(t, first, sent);
            s->in_body = true;
            s->left = rem;
            s->buf.len = 0;
            if (t->log)
                tool_buf_add(&s->buf, s->hdr, hl);
        }
        s->hdr_len = 0; /* a broken header is dropped: the client will report it */
    }
    return used;
}

/* Follows @p n bytes of the stream; under -d prints every packet they complete. */
static void feed(tool_trace_t *t, tool_stream_t *s, const void *data, size_t n, bool sent)
{
    const uint8_t *p = data;
    while (n || (s->in_body && s->left == 0)) {
        if (!s->in_body) {
            size_t used = feed_header(t, s, p, n, sent);
            p += used;
            n -= used;
            continue;
        }
        size_t take = n < s->left ? n : s->left;
        if (t->log)
            tool_buf_add(&s->buf, p, take);
        p += take;
        n -= take;
        s->left -= (uint32_t)take;
        if (s->left == 0) {
            if (t->log)
                print_packet(t, (const uint8_t *)s->buf.p, s->buf.len, sent);
            s->in_body = false;
        }
    }
}

static mqtls_status_t tr_connect(void *ctx, const char *host, uint16_t port)
{
    tool_trace_t *t = ctx;
    return t->inner->connect(t->inner_ctx, host, port);
}

static int32_t tr_send(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    tool_trace_t *t = ctx;
    int32_t n = t->inner->send(t->inner_ctx, iov, iovcnt);
    size_t left = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < iovcnt && left; i++) {
        size_t k = iov[i].len < left ? iov[i].len : left;
        feed(t, &t->out, iov[i].base, k, true);
        left -= k;
    }
    return n;
}

static int32_t tr_recv(void *ctx, uint8_t *buf, size_t len)
{
    tool_trace_t *t = ctx;
    int32_t n = t->inner->recv(t->inner_ctx, buf, len);
    if (n > 0)
        feed(t, &t->in, buf, (size_t)n, false);
    return n;
}

static mqtls_status_t tr_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    tool_trace_t *t = ctx;
    if (!t->inner->wait)
        return MQTLS_ERR_UNSUPPORTED;
    return t->inner->wait(t->inner_ctx, for_write, timeout_ms);
}

static void tr_close(void *ctx)
{
    tool_trace_t *t = ctx;
    t->inner->close(t->inner_ctx);
    tool_buf_free(&t->in.buf);
    tool_buf_free(&t->out.buf);
    memset(&t->in, 0, sizeof t->in);
    memset(&t->out, 0, sizeof t->out);
    t->qos2_open = 0;
}

const mqtls_transport_t tool_trace_transport = {
    tr_connect, tr_send, tr_recv, tr_wait, tr_close
};
