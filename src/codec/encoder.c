/**
 * @file encoder.c
 * @brief Packet encoder. Each packet has one function that validates its fields and writes
 *        them; run on a counting writer it gives the remaining length (and does all the
 *        checks), run again on the caller's buffer it writes, so size and bytes cannot
 *        disagree.
 */
#include "mqtls/reason.h"

#include "codec_internal.h"

#define TRY(expr)                                                                              \
    do {                                                                                       \
        mqtls_status_t st_ = (expr);                                                           \
        if (st_ != MQTLS_OK)                                                                   \
            return st_;                                                                        \
    } while (0)

static int str_bad(const void *data, uint16_t len)
{
    return !data && len;
}

static int is_v5(mqtls_version_t v)
{
    return MQTLS_CFG_MQTT5 && v == MQTLS_V5;
}

static int props_empty(const mqtls_props_t *p)
{
    return p->present == 0 && p->user_count == 0;
}

static mqtls_status_t put_props(wcur_t *w, const mqtls_props_t *p, int ctx, mqtls_version_t v,
                                int check)
{
    return is_v5(v) ? mqtls__props_put(w, p, ctx, check) : MQTLS_OK;
}

/* A UTF-8 string field, checked in the checking pass (a NULL with a length too). */
static mqtls_status_t put_str(wcur_t *w, mqtls_str_t s, int check)
{
    if (check)
        TRY(mqtls_utf8_check(s.data, s.len));
    mqtls__w_str(w, s.data, s.len);
    return MQTLS_OK;
}

static mqtls_status_t connect_check(const mqtls_connect_t *c, mqtls_version_t v)
{
    if (c->has_password && !c->password.data && c->password.len)
        return MQTLS_ERR_BAD_PARAM;
    if (c->has_password && !is_v5(v) && !c->has_username)
        return MQTLS_ERR_BAD_PARAM; /* 3.1.1: a password needs a user name */
    if (!c->will)
        return MQTLS_OK;
    if (c->will_qos > 2)
        return MQTLS_ERR_MALFORMED_QOS;
    if (str_bad(c->will_payload.data, c->will_payload.len))
        return MQTLS_ERR_BAD_PARAM;
    if (c->will_topic.len == 0)
        return MQTLS_ERR_MALFORMED_TOPIC;
    return mqtls_topic_check(c->will_topic.data, c->will_topic.len); /* (NULL: BAD_PARAM) */
}

static mqtls_status_t connect_body(wcur_t *w, const mqtls_connect_t *c, mqtls_version_t v,
                                   int check)
{
    if (check)
        TRY(connect_check(c, v));
    uint8_t flags = (uint8_t)((c->clean_start ? 0x02u : 0u) | (c->has_username ? 0x80u : 0u) |
                              (c->has_password ? 0x40u : 0u));
    if (c->will)
        flags |= (uint8_t)(0x04u | (c->will_qos << 3) | (c->will_retain ? 0x20u : 0u));
    if (MQTLS_CFG_MQTT31 && v == MQTLS_V31)
        mqtls__w_str(w, "MQIsdp", 6); /* 3.1's protocol name (then level 3) */
    else
        mqtls__w_str(w, "MQTT", 4);
    mqtls__w_u8(w, (uint8_t)v);
    mqtls__w_u8(w, flags);
    mqtls__w_u16(w, c->keep_alive);
    TRY(put_props(w, &c->props, MQTLS_CONNECT, v, check));
    TRY(put_str(w, c->client_id, check));
    if (c->will) {
        TRY(put_props(w, &c->will_props, MQTLS_PCTX_WILL, v, check));
        mqtls__w_str(w, c->will_topic.data, c->will_topic.len);
        mqtls__w_str(w, (const char *)c->will_payload.data, c->will_payload.len);
    }
    if (c->has_username)
        TRY(put_str(w, c->username, check));
    if (c->has_password)
        mqtls__w_str(w, (const char *)c->password.data, c->password.len);
    return MQTLS_OK;
}

static mqtls_status_t publish_check(const mqtls_publish_t *p, mqtls_version_t v)
{
    if (p->qos > 2)
        return MQTLS_ERR_MALFORMED_QOS;
    if (p->qos && p->packet_id == 0)
        return MQTLS_ERR_MALFORMED_PACKET_ID;
    if (p->dup && p->qos == 0)
        return MQTLS_ERR_MALFORMED_FLAGS; /* [MQTT-3.3.1-2] */
    if ((!p->payload && p->payload_len) || p->payload_len > MQTLS_VBI_MAX)
        return MQTLS_ERR_BAD_PARAM; /* (a NULL topic: mqtls_topic_check() says so) */
    if (p->topic.len == 0 &&
        !(is_v5(v) && (p->props.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS))))
        return MQTLS_ERR_MALFORMED_TOPIC;
    return mqtls_topic_check(p->topic.data, p->topic.len);
}

/* A counting writer adds the payload's length without touching it, so the header-only
 * form (@p payload 0) still gets a remaining length that counts the payload. */
static mqtls_status_t publish_body(wcur_t *w, const mqtls_publish_t *p, mqtls_version_t v,
                                   int check, int payload)
{
    if (check)
        TRY(publish_check(p, v));
    mqtls__w_str(w, p->topic.data, p->topic.len);
    if (p->qos)
        mqtls__w_u16(w, p->packet_id);
    TRY(put_props(w, &p->props, MQTLS_PUBLISH, v, check));
    if (payload)
        mqtls__w_bytes(w, p->payload, p->payload_len);
    return MQTLS_OK;
}

/* PUBACK..PUBCOMP carry a packet id; DISCONNECT and AUTH only the reason and properties.
 * 5.0 lets the reason (when 0) and the properties (when empty) be left out. */
static mqtls_status_t ack_body(wcur_t *w, const mqtls_ack_t *a, mqtls_packet_type_t t,
                               mqtls_version_t v, int check)
{
    if (t >= MQTLS_PUBACK && t <= MQTLS_PUBCOMP) {
        if (check && a->packet_id == 0)
            return MQTLS_ERR_MALFORMED_PACKET_ID;
        mqtls__w_u16(w, a->packet_id);
    }
    if (!is_v5(v))
        return MQTLS_OK;
    if (check && !mqtls__rc5_valid(t, a->reason))
        return MQTLS_ERR_MALFORMED_REASON_CODE;
    if (props_empty(&a->props)) {
        if (a->reason)
            mqtls__w_u8(w, a->reason);
        return MQTLS_OK;
    }
    mqtls__w_u8(w, a->reason);
    return mqtls__props_put(w, &a->props, (int)t, check);
}

/* The entries are subscriptions (a filter and its options) or, to unsubscribe, filters
 * alone: both start with the filter, so one walk with the entry's size serves the two. */
static mqtls_status_t subscribe_body(wcur_t *w, const mqtls_subscribe_t *s, int unsub,
                                     mqtls_version_t v, int check)
{
    const uint8_t *e = unsub ? (const void *)s->filters : (const void *)s->subs;
    size_t size = unsub ? sizeof *s->filters : sizeof *s->subs;
    if (check && s->packet_id == 0)
        return MQTLS_ERR_MALFORMED_PACKET_ID;
    if (check && (s->count == 0 || !e))
        return MQTLS_ERR_MALFORMED_PAYLOAD;
    mqtls__w_u16(w, s->packet_id);
    TRY(put_props(w, &s->props, unsub ? MQTLS_UNSUBSCRIBE : MQTLS_SUBSCRIBE, v, check));
    for (uint16_t i = 0; i < s->count; i++, e += size) {
        const mqtls_str_t *f = (const mqtls_str_t *)(const void *)e;
        uint8_t o = unsub ? 0 : ((const mqtls_subscription_t *)(const void *)e)->options;
        if (check) {
            if (str_bad(f->data, f->len))
                return MQTLS_ERR_BAD_PARAM;
            TRY(mqtls_filter_check(f->data, f->len));
            if (!unsub)
                TRY(mqtls__sub_options_check(o, f, v));
            if (w->n > MQTLS_VBI_MAX) /* before 65535 long filters could wrap the count */
                return MQTLS_ERR_BAD_PARAM;
        }
        mqtls__w_str(w, f->data, f->len);
        if (!unsub)
            mqtls__w_u8(w, o);
    }
    return MQTLS_OK;
}

#if MQTLS_CFG_SERVER_CODEC
static mqtls_status_t suback_body(wcur_t *w, const mqtls_suback_t *s, mqtls_packet_type_t t,
                                  mqtls_version_t v, int check)
{
    if (check && s->packet_id == 0)
        return MQTLS_ERR_MALFORMED_PACKET_ID;
    mqtls__w_u16(w, s->packet_id);
    if (t == MQTLS_UNSUBACK && !is_v5(v))
        return MQTLS_OK;
    if (check) {
        if (s->count == 0 || !s->codes)
            return MQTLS_ERR_MALFORMED_PAYLOAD;
        for (uint16_t i = 0; i < s->count; i++)
            if (!mqtls_reason_valid(v, t, s->codes[i]))
                return MQTLS_ERR_MALFORMED_REASON_CODE;
    }
    TRY(put_props(w, &s->props, (int)t, v, check));
    mqtls__w_bytes(w, s->codes, s->count);
    return MQTLS_OK;
}

static mqtls_status_t connack_body(wcur_t *w, const mqtls_connack_t *c, mqtls_version_t v,
                                   int check)
{
    if (check && !mqtls_reason_valid(v, MQTLS_CONNACK, c->reason))
        return MQTLS_ERR_MALFORMED_REASON_CODE;
    if (check && c->reason != 0 && c->session_present)
        return MQTLS_ERR_MALFORMED_FLAGS; /* [MQTT-3.2.2-4] */
    mqtls__w_u8(w, c->session_present ? 1u : 0u);
    mqtls__w_u8(w, c->reason);
    return put_props(w, &c->props, MQTLS_CONNACK, v, check);
}
#endif

/* Writes (or counts, and with @p check validates) the body of a packet of type @p t, whose
 * fields @p u are the packet's union member. */
static mqtls_status_t body(wcur_t *w, mqtls_packet_type_t t, const void *u, mqtls_version_t v,
                           int check, int payload)
{
    switch (t) {
    case MQTLS_CONNECT:
        return connect_body(w, u, v, check);
    case MQTLS_PUBLISH:
        return publish_body(w, u, v, check, payload);
    case MQTLS_PUBACK:
    case MQTLS_PUBREC:
    case MQTLS_PUBREL:
    case MQTLS_PUBCOMP:
    case MQTLS_DISCONNECT:
        return ack_body(w, u, t, v, check);
    case MQTLS_AUTH:
        return is_v5(v) ? ack_body(w, u, t, v, check) : MQTLS_ERR_MALFORMED_PACKET_TYPE;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE:
        return subscribe_body(w, u, t == MQTLS_UNSUBSCRIBE, v, check);
#if MQTLS_CFG_SERVER_CODEC
    case MQTLS_CONNACK:
        return connack_body(w, u, v, check);
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        return suback_body(w, u, t, v, check);
#else
    case MQTLS_CONNACK:
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        return MQTLS_ERR_UNSUPPORTED; /* a broker's packets: not built in */
#endif
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP:
        return MQTLS_OK;
    }
    return MQTLS_ERR_MALFORMED_PACKET_TYPE;
}

static uint8_t first_byte(mqtls_packet_type_t t, const void *u)
{
    if (t != MQTLS_PUBLISH)
        return (uint8_t)(t << 4 | mqtls__type_flags(t));
    const mqtls_publish_t *pub = u;
    return (uint8_t)(t << 4 | (pub->dup ? 0x08u : 0u) | (pub->qos << 1) | (pub->retain ? 1u : 0u));
}

static mqtls_status_t version_check(mqtls_version_t v)
{
    if (v != MQTLS_V311 && v != MQTLS_V5 && !(MQTLS_CFG_MQTT31 && v == MQTLS_V31))
        return MQTLS_ERR_BAD_PARAM;
    return v == MQTLS_V5 && !MQTLS_CFG_MQTT5 ? MQTLS_ERR_UNSUPPORTED : MQTLS_OK;
}

/* The checking, counting pass: the remaining length of the packet (@p u: its fields). */
static mqtls_status_t measure(mqtls_packet_type_t t, const void *u, mqtls_version_t v,
                              uint32_t *rl)
{
    TRY(version_check(v));
    wcur_t count = {NULL, 0, 0};
    TRY(body(&count, t, u, v, 1, 1));
    if (count.n > MQTLS_VBI_MAX)
        return MQTLS_ERR_BAD_PARAM;
    *rl = (uint32_t)count.n;
    return MQTLS_OK;
}

mqtls_status_t mqtls_encode_size(const mqtls_packet_t *pkt, mqtls_version_t v, size_t *total)
{
    uint32_t rl;
    if (!total || !pkt)
        return MQTLS_ERR_BAD_PARAM;
    TRY(measure(pkt->type, &pkt->u, v, &rl));
    *total = 1u + mqtls__vbi_size(rl) + rl;
    return MQTLS_OK;
}

/* Measures, then writes the packet, with its payload or (a PUBLISH header) without. */
static mqtls_status_t encode(mqtls_packet_type_t t, const void *u, mqtls_version_t v,
                             uint8_t *buf, size_t size, size_t *written, int payload)
{
    uint32_t rl;
    TRY(measure(t, u, v, &rl));
    if (!buf)
        return MQTLS_ERR_BAD_PARAM;
    if (payload && 1u + mqtls__vbi_size(rl) + rl > size)
        return MQTLS_ERR_NO_SPACE;
    /* The writing pass: no checks, measure() did them. */
    wcur_t w = {buf, size, 0};
    mqtls__w_u8(&w, first_byte(t, u));
    mqtls__w_vbi(&w, rl);
    (void)body(&w, t, u, v, 0, payload);
    if (w.n > w.cap)
        return MQTLS_ERR_NO_SPACE;
    if (written)
        *written = w.n;
    return MQTLS_OK;
}

mqtls_status_t mqtls_encode(const mqtls_packet_t *pkt, mqtls_version_t v, uint8_t *buf,
                            size_t size, size_t *written)
{
    if (!pkt)
        return MQTLS_ERR_BAD_PARAM;
    return encode(pkt->type, &pkt->u, v, buf, size, written, 1);
}

mqtls_status_t mqtls_encode_publish_header(const mqtls_publish_t *pub, mqtls_version_t v,
                                           uint8_t *buf, size_t size, size_t *written)
{
    if (!pub || !buf)
        return MQTLS_ERR_BAD_PARAM;
    return encode(MQTLS_PUBLISH, pub, v, buf, size, written, 0);
}
