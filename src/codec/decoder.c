/**
 * @file decoder.c
 * @brief Packet decoder: one whole packet in, every malformed-packet rule checked.
 */
#include "mqtls/reason.h"

#include "codec_internal.h"

#define TRY(expr)                                                                              \
    do {                                                                                       \
        mqtls_status_t st_ = (expr);                                                           \
        if (st_ != MQTLS_OK)                                                                   \
            return st_;                                                                        \
    } while (0)

static int is_v5(mqtls_version_t v)
{
    return MQTLS_CFG_MQTT5 && v == MQTLS_V5;
}

mqtls_status_t mqtls_decode_fixed_header(const uint8_t *buf, size_t len, uint8_t *first,
                                         uint32_t *remaining, size_t *hdr_len)
{
    if (!buf || !first || !remaining || !hdr_len)
        return MQTLS_ERR_BAD_PARAM;
    if (len < 2)
        return MQTLS_NEED_MORE;
    /* The remaining length follows the rules of every variable byte integer. */
    rcur_t r = {buf + 1, buf + len};
    mqtls_status_t st = mqtls__r_vbi(&r, remaining);
    if (st == MQTLS_ERR_MALFORMED_LENGTH) /* its bytes have not all arrived */
        return MQTLS_NEED_MORE;
    *first = buf[0];
    *hdr_len = (size_t)(r.cur - buf);
    return st;
}

mqtls_status_t mqtls__sub_options_check(uint8_t o, const mqtls_str_t *f, mqtls_version_t v)
{
    if ((o & MQTLS_SUB_QOS_MASK) == 3)
        return MQTLS_ERR_MALFORMED_QOS;
    if (!is_v5(v))
        return (o & 0xFCu) ? MQTLS_ERR_MALFORMED_PAYLOAD : MQTLS_OK;
    if ((o & 0xC0u) || ((o >> MQTLS_SUB_RETAIN_HANDLING_SHIFT) & 3u) == 3u)
        return MQTLS_ERR_MALFORMED_PAYLOAD;
    /* No Local on a shared subscription is a protocol error [MQTT-3.8.3-4]. */
    if ((o & MQTLS_SUB_NO_LOCAL) && f->len >= 7 && memcmp(f->data, "$share/", 7) == 0)
        return MQTLS_ERR_MALFORMED_PAYLOAD;
    return MQTLS_OK;
}

static mqtls_status_t read_packet_id(rcur_t *r, uint16_t *id)
{
    TRY(mqtls__r_u16(r, id));
    return *id ? MQTLS_OK : MQTLS_ERR_MALFORMED_PACKET_ID;
}

/* (@p p is zero already: mqtls_decode() clears the whole packet first) */
static mqtls_status_t read_props(rcur_t *r, mqtls_version_t v, int ctx, mqtls_props_t *p)
{
    return is_v5(v) ? mqtls__props_read(r, ctx, p) : MQTLS_OK;
}

#if MQTLS_CFG_SERVER_CODEC
static mqtls_status_t connect_flags(mqtls_connect_t *c, uint8_t f)
{
    c->clean_start = (f & 0x02u) != 0;
    c->will = (f & 0x04u) != 0;
    c->will_qos = (uint8_t)((f >> 3) & 3u);
    c->will_retain = (f & 0x20u) != 0;
    c->has_password = (f & 0x40u) != 0;
    c->has_username = (f & 0x80u) != 0;
    if (f & 0x01u)
        return MQTLS_ERR_MALFORMED_FLAGS; /* reserved [MQTT-3.1.2-3] */
    if (c->will_qos == 3)
        return MQTLS_ERR_MALFORMED_QOS;
    if (!c->will && (c->will_qos || c->will_retain))
        return MQTLS_ERR_MALFORMED_FLAGS;
    if (c->version != MQTLS_V5 && c->has_password && !c->has_username)
        return MQTLS_ERR_MALFORMED_FLAGS; /* [MQTT-3.1.2-22] (and so in 3.1) */
    return MQTLS_OK;
}

/* The protocol name and level: "MQTT" at 4 (or 5), and 3.1's "MQIsdp" at 3. */
static mqtls_status_t read_protocol(rcur_t *r, uint8_t *level)
{
    mqtls_bin_t name;
    if (mqtls__r_bin(r, &name) != MQTLS_OK)
        return MQTLS_ERR_PROTOCOL_NAME;
#if MQTLS_CFG_MQTT31
    if (name.len == 6 && memcmp(name.data, "MQIsdp", 6) == 0) {
        TRY(mqtls__r_u8(r, level));
        return *level == MQTLS_V31 ? MQTLS_OK : MQTLS_ERR_PROTOCOL_LEVEL;
    }
#endif
    if (name.len != 4 || memcmp(name.data, "MQTT", 4) != 0)
        return MQTLS_ERR_PROTOCOL_NAME;
    TRY(mqtls__r_u8(r, level));
    if (*level != MQTLS_V311 && !(*level == MQTLS_V5 && MQTLS_CFG_MQTT5))
        return MQTLS_ERR_PROTOCOL_LEVEL;
    return MQTLS_OK;
}

static mqtls_status_t decode_connect(rcur_t *r, mqtls_connect_t *c)
{
    uint8_t level, flags;
    TRY(read_protocol(r, &level));
    c->version = (mqtls_version_t)level;
    TRY(mqtls__r_u8(r, &flags));
    TRY(connect_flags(c, flags));
    TRY(mqtls__r_u16(r, &c->keep_alive));
    TRY(read_props(r, c->version, MQTLS_CONNECT, &c->props));
    TRY(mqtls__r_str(r, &c->client_id));
    if (c->will) {
        TRY(read_props(r, c->version, MQTLS_PCTX_WILL, &c->will_props));
        TRY(mqtls__r_str(r, &c->will_topic));
        if (c->will_topic.len == 0)
            return MQTLS_ERR_MALFORMED_TOPIC;
        TRY(mqtls_topic_check(c->will_topic.data, c->will_topic.len));
        TRY(mqtls__r_bin(r, &c->will_payload));
    }
    if (c->has_username)
        TRY(mqtls__r_str(r, &c->username));
    if (c->has_password)
        TRY(mqtls__r_bin(r, &c->password));
    return MQTLS_OK;
}

#endif

static mqtls_status_t decode_connack(rcur_t *r, mqtls_version_t v, mqtls_connack_t *c)
{
    uint8_t flags;
    TRY(mqtls__r_u8(r, &flags));
    TRY(mqtls__r_u8(r, &c->reason));
    if (MQTLS_CFG_MQTT31 && v == MQTLS_V31)
        flags = 0; /* 3.1: a reserved byte; sessions are never reported present */
    if (flags & 0xFEu)
        return MQTLS_ERR_MALFORMED_FLAGS;
    c->session_present = flags & 1u;
    if (!mqtls_reason_valid(v, MQTLS_CONNACK, c->reason))
        return MQTLS_ERR_MALFORMED_REASON_CODE;
    if (c->reason != 0 && c->session_present)
        return MQTLS_ERR_MALFORMED_FLAGS; /* [MQTT-3.2.2-4], 5.0 [MQTT-3.2.2-6] */
    return read_props(r, v, MQTLS_CONNACK, &c->props);
}

static mqtls_status_t decode_publish(rcur_t *r, mqtls_version_t v, uint8_t flags,
                                     mqtls_publish_t *p)
{
    p->qos = (uint8_t)((flags >> 1) & 3u);
    p->dup = (flags & 0x08u) != 0;
    p->retain = (flags & 0x01u) != 0;
    if (p->qos == 3)
        return MQTLS_ERR_MALFORMED_QOS;
    if (p->dup && p->qos == 0)
        return MQTLS_ERR_MALFORMED_FLAGS; /* [MQTT-3.3.1-2] */
    TRY(mqtls__r_strn(r, &p->topic));
    TRY(mqtls_topic_check(p->topic.data, p->topic.len));
    if (p->qos)
        TRY(read_packet_id(r, &p->packet_id));
    TRY(read_props(r, v, MQTLS_PUBLISH, &p->props));
    if (p->topic.len == 0 && !(p->props.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)))
        return MQTLS_ERR_MALFORMED_TOPIC;
    p->payload = r->cur;
    p->payload_len = (uint32_t)(r->end - r->cur);
    r->cur = r->end;
    return MQTLS_OK;
}

/* PUBACK..PUBCOMP (with packet id), DISCONNECT and AUTH (without). In 5.0 the reason code
 * and then the properties may be left out at the end of the packet. */
static mqtls_status_t decode_ack(rcur_t *r, mqtls_version_t v, mqtls_packet_type_t t,
                                 mqtls_ack_t *a)
{
    if (t >= MQTLS_PUBACK && t <= MQTLS_PUBCOMP)
        TRY(read_packet_id(r, &a->packet_id));
    if (!is_v5(v) || r->cur == r->end)
        return MQTLS_OK;
    TRY(mqtls__r_u8(r, &a->reason));
    if (!mqtls__rc5_valid(t, a->reason))
        return MQTLS_ERR_MALFORMED_REASON_CODE;
    if (r->cur == r->end)
        return MQTLS_OK;
    return mqtls__props_read(r, (int)t, &a->props);
}

#if MQTLS_CFG_SERVER_CODEC
static mqtls_status_t decode_subscribe(rcur_t *r, mqtls_version_t v, int unsub,
                                       mqtls_subscribe_t *s)
{
    TRY(read_packet_id(r, &s->packet_id));
    TRY(read_props(r, v, unsub ? MQTLS_UNSUBSCRIBE : MQTLS_SUBSCRIBE, &s->props));
    s->raw = r->cur;
    s->raw_len = (uint32_t)(r->end - r->cur);
    uint32_t n = 0;
    while (r->cur < r->end) {
        mqtls_str_t f;
        TRY(mqtls__r_str(r, &f));
        TRY(mqtls_filter_check(f.data, f.len));
        if (!unsub) {
            uint8_t o;
            TRY(mqtls__r_u8(r, &o));
            TRY(mqtls__sub_options_check(o, &f, v));
        }
        if (++n > 65535u)
            return MQTLS_ERR_MALFORMED_PAYLOAD;
    }
    if (n == 0)
        return MQTLS_ERR_MALFORMED_PAYLOAD; /* [MQTT-3.8.3-3], [MQTT-3.10.3-2] */
    s->count = (uint16_t)n;
    return MQTLS_OK;
}

#endif

static mqtls_status_t decode_suback(rcur_t *r, mqtls_version_t v, mqtls_packet_type_t t,
                                    mqtls_suback_t *s)
{
    TRY(read_packet_id(r, &s->packet_id));
    if (t == MQTLS_UNSUBACK && !is_v5(v))
        return MQTLS_OK;
    TRY(read_props(r, v, (int)t, &s->props));
    size_t n = (size_t)(r->end - r->cur);
    if (n == 0 || n > 65535u)
        return MQTLS_ERR_MALFORMED_PAYLOAD;
    s->codes = r->cur;
    s->count = (uint16_t)n;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = r->cur[i];
        /* (3.1 defined no 0x80, but brokers answer a refused 3.1 filter with it too) */
        if (is_v5(v) ? !mqtls__rc5_valid(t, c) : (c > 2 && c != 0x80u))
            return MQTLS_ERR_MALFORMED_REASON_CODE;
    }
    r->cur = r->end;
    return MQTLS_OK;
}

/* The fixed-header flags each type must carry; PUBLISH is checked on its own. */
static mqtls_status_t check_type_flags(uint8_t type, uint8_t flags, mqtls_version_t v)
{
    if (type == 0 || (type == MQTLS_AUTH && !is_v5(v)))
        return MQTLS_ERR_MALFORMED_PACKET_TYPE;
    if (type == MQTLS_PUBLISH)
        return MQTLS_OK;
    return flags == mqtls__type_flags(type) ? MQTLS_OK : MQTLS_ERR_MALFORMED_FLAGS;
}

static mqtls_status_t decode_body(rcur_t *r, mqtls_version_t v, uint8_t first, mqtls_packet_t *out)
{
    mqtls_packet_type_t t = (mqtls_packet_type_t)(first >> 4);
    switch (t) {
#if MQTLS_CFG_SERVER_CODEC
    case MQTLS_CONNECT:
        return decode_connect(r, &out->u.connect);
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE:
        return decode_subscribe(r, v, t == MQTLS_UNSUBSCRIBE, &out->u.subscribe);
#else
    case MQTLS_CONNECT:
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE:
        return MQTLS_ERR_UNSUPPORTED; /* a broker's packets: not built in */
#endif
    case MQTLS_CONNACK:
        return decode_connack(r, v, &out->u.connack);
    case MQTLS_PUBLISH:
        return decode_publish(r, v, first & 0x0Fu, &out->u.publish);
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        return decode_suback(r, v, t, &out->u.suback);
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP:
        return MQTLS_OK;
    default:
        return decode_ack(r, v, t, &out->u.ack);
    }
}

mqtls_status_t mqtls_decode(const uint8_t *buf, size_t len, mqtls_version_t v,
                            mqtls_packet_t *out, size_t *consumed)
{
    uint8_t first;
    uint32_t rl;
    size_t hl;
    if (!buf || !out ||
        (v != MQTLS_V311 && v != MQTLS_V5 && !(MQTLS_CFG_MQTT31 && v == MQTLS_V31)))
        return MQTLS_ERR_BAD_PARAM;
    TRY(mqtls_decode_fixed_header(buf, len, &first, &rl, &hl));
    if (len - hl < rl)
        return MQTLS_NEED_MORE;
    TRY(check_type_flags(first >> 4, first & 0x0Fu, v));
    memset(out, 0, sizeof *out);
    out->type = (mqtls_packet_type_t)(first >> 4);
    rcur_t r = {buf + hl, buf + hl + rl};
    TRY(decode_body(&r, v, first, out));
    if (r.cur != r.end)
        return MQTLS_ERR_MALFORMED_LENGTH; /* bytes left over */
    if (consumed)
        *consumed = hl + rl;
    return MQTLS_OK;
}

#if MQTLS_CFG_SERVER_CODEC
bool mqtls_sub_next(const mqtls_subscribe_t *s, bool unsubscribe, uint32_t *pos,
                    mqtls_subscription_t *out)
{
    if (!s->raw || *pos >= s->raw_len)
        return false;
    rcur_t r = {s->raw + *pos, s->raw + s->raw_len};
    out->options = 0;
    if (mqtls__r_strn(&r, &out->filter) != MQTLS_OK)
        return false;
    if (!unsubscribe && mqtls__r_u8(&r, &out->options) != MQTLS_OK)
        return false;
    *pos = (uint32_t)(r.cur - s->raw);
    return true;
}
#endif
