/**
 * @file encoder.c
 * @brief Packet encoder: size first (validating every field), then a bounded write.
 */
#include "codec_internal.h"

/* What the size pass learns and the write pass reuses. */
typedef struct plan {
    uint32_t rl;     /* remaining length */
    uint32_t props;  /* property block size (5.0) */
    uint32_t wprops; /* will property block size (5.0) */
} plan_t;

static int str_bad(mqtls_str_t s)
{
    return !s.data && s.len;
}

static int is_v5(mqtls_version_t v)
{
    return MQTLS_CFG_MQTT5 && v == MQTLS_V5;
}

/* Adds a 5.0 property block (with its length prefix) to the plan. */
static mqtls_status_t add_props(const mqtls_props_t *p, int ctx, mqtls_version_t v, uint32_t *out,
                                uint32_t *rl)
{
    *out = 0;
    if (!is_v5(v))
        return MQTLS_OK;
    mqtls_status_t st = mqtls_props_size(p, ctx, out);
    if (st == MQTLS_OK)
        *rl += (uint32_t)mqtls_vbi_size(*out) + *out;
    return st;
}

static int props_empty(const mqtls_props_t *p)
{
    return p->present == 0 && p->user_count == 0;
}

static mqtls_status_t connect_size(const mqtls_connect_t *c, mqtls_version_t v, plan_t *pl)
{
    mqtls_status_t st;
    pl->rl = 10u + 2u + c->client_id.len; /* name, level, flags, keep-alive, client id */
    if (str_bad(c->client_id) || (c->has_username && str_bad(c->username)) ||
        (c->has_password && !c->password.data && c->password.len))
        return MQTLS_ERR_BAD_PARAM;
    if ((st = mqtls_utf8_check(c->client_id.data, c->client_id.len)) != MQTLS_OK)
        return st;
    if ((st = add_props(&c->props, MQTLS_CONNECT, v, &pl->props, &pl->rl)) != MQTLS_OK)
        return st;
    if (c->will) {
        if (c->will_qos > 2)
            return MQTLS_ERR_MALFORMED_QOS;
        if (str_bad(c->will_topic) || (!c->will_payload.data && c->will_payload.len))
            return MQTLS_ERR_BAD_PARAM;
        if (c->will_topic.len == 0)
            return MQTLS_ERR_MALFORMED_TOPIC;
        if ((st = mqtls_topic_check(c->will_topic.data, c->will_topic.len)) != MQTLS_OK)
            return st;
        st = add_props(&c->will_props, MQTLS_PCTX_WILL, v, &pl->wprops, &pl->rl);
        if (st != MQTLS_OK)
            return st;
        pl->rl += 4u + c->will_topic.len + c->will_payload.len;
    }
    if (c->has_username) {
        if ((st = mqtls_utf8_check(c->username.data, c->username.len)) != MQTLS_OK)
            return st;
        pl->rl += 2u + c->username.len;
    }
    if (c->has_password) {
        if (!is_v5(v) && !c->has_username)
            return MQTLS_ERR_BAD_PARAM; /* 3.1.1: password needs a user name */
        pl->rl += 2u + c->password.len;
    }
    return MQTLS_OK;
}

static void connect_write(wcur_t *w, const mqtls_connect_t *c, mqtls_version_t v,
                          const plan_t *pl)
{
    uint8_t flags = (uint8_t)((c->clean_start ? 0x02u : 0u) | (c->has_username ? 0x80u : 0u) |
                              (c->has_password ? 0x40u : 0u));
    if (c->will)
        flags |= (uint8_t)(0x04u | (c->will_qos << 3) | (c->will_retain ? 0x20u : 0u));
    mqtls_w_str(w, "MQTT", 4);
    mqtls_w_u8(w, (uint8_t)v);
    mqtls_w_u8(w, flags);
    mqtls_w_u16(w, c->keep_alive);
    if (is_v5(v))
        mqtls_props_write(w, &c->props, pl->props);
    mqtls_w_str(w, c->client_id.data, c->client_id.len);
    if (c->will) {
        if (is_v5(v))
            mqtls_props_write(w, &c->will_props, pl->wprops);
        mqtls_w_str(w, c->will_topic.data, c->will_topic.len);
        mqtls_w_str(w, (const char *)c->will_payload.data, c->will_payload.len);
    }
    if (c->has_username)
        mqtls_w_str(w, c->username.data, c->username.len);
    if (c->has_password)
        mqtls_w_str(w, (const char *)c->password.data, c->password.len);
}

static mqtls_status_t publish_size(const mqtls_publish_t *p, mqtls_version_t v, plan_t *pl)
{
    mqtls_status_t st;
    if (p->qos > 2)
        return MQTLS_ERR_MALFORMED_QOS;
    if (p->qos && p->packet_id == 0)
        return MQTLS_ERR_MALFORMED_PACKET_ID;
    if (p->dup && p->qos == 0)
        return MQTLS_ERR_MALFORMED_FLAGS; /* [MQTT-3.3.1-2] */
    if (str_bad(p->topic) || (!p->payload && p->payload_len))
        return MQTLS_ERR_BAD_PARAM;
    if ((st = mqtls_topic_check(p->topic.data, p->topic.len)) != MQTLS_OK)
        return st;
    if (p->topic.len == 0 &&
        !(is_v5(v) && (p->props.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS))))
        return MQTLS_ERR_MALFORMED_TOPIC;
    pl->rl = 2u + p->topic.len + (p->qos ? 2u : 0u);
    if ((st = add_props(&p->props, MQTLS_PUBLISH, v, &pl->props, &pl->rl)) != MQTLS_OK)
        return st;
    if (pl->rl > MQTLS_VBI_MAX || p->payload_len > MQTLS_VBI_MAX - pl->rl)
        return MQTLS_ERR_BAD_PARAM; /* checked so that the sum cannot wrap */
    pl->rl += p->payload_len;
    return MQTLS_OK;
}

static void publish_write(wcur_t *w, const mqtls_publish_t *p, mqtls_version_t v,
                          const plan_t *pl, int with_payload)
{
    mqtls_w_str(w, p->topic.data, p->topic.len);
    if (p->qos)
        mqtls_w_u16(w, p->packet_id);
    if (is_v5(v))
        mqtls_props_write(w, &p->props, pl->props);
    if (with_payload)
        mqtls_w_bytes(w, p->payload, p->payload_len);
}

/* PUBACK..PUBCOMP carry a packet id; DISCONNECT and AUTH only the reason and properties.
 * 5.0 lets the reason (when 0) and the properties (when empty) be left out. */
static mqtls_status_t ack_size(const mqtls_ack_t *a, mqtls_packet_type_t t, mqtls_version_t v,
                               plan_t *pl)
{
    int has_id = t >= MQTLS_PUBACK && t <= MQTLS_PUBCOMP;
    if (has_id && a->packet_id == 0)
        return MQTLS_ERR_MALFORMED_PACKET_ID;
    pl->rl = has_id ? 2u : 0u;
    if (!is_v5(v))
        return MQTLS_OK;
    if (!mqtls_rc5_valid(t, a->reason))
        return MQTLS_ERR_MALFORMED_REASON_CODE;
    if (props_empty(&a->props)) {
        pl->rl += a->reason != 0;
        return MQTLS_OK;
    }
    pl->rl += 1u;
    return add_props(&a->props, (int)t, v, &pl->props, &pl->rl);
}

static void ack_write(wcur_t *w, const mqtls_ack_t *a, mqtls_packet_type_t t, mqtls_version_t v,
                      const plan_t *pl)
{
    uint32_t n = pl->rl;
    if (t >= MQTLS_PUBACK && t <= MQTLS_PUBCOMP) {
        mqtls_w_u16(w, a->packet_id);
        n -= 2;
    }
    if (is_v5(v) && n > 0) {
        mqtls_w_u8(w, a->reason);
        if (n > 1)
            mqtls_props_write(w, &a->props, pl->props);
    }
}

static mqtls_status_t subscribe_size(const mqtls_subscribe_t *s, int unsub, mqtls_version_t v,
                                     plan_t *pl)
{
    mqtls_status_t st;
    if (s->packet_id == 0)
        return MQTLS_ERR_MALFORMED_PACKET_ID;
    if (s->count == 0 || (unsub ? !s->filters : !s->subs))
        return MQTLS_ERR_MALFORMED_PAYLOAD;
    pl->rl = 2;
    st = add_props(&s->props, unsub ? MQTLS_UNSUBSCRIBE : MQTLS_SUBSCRIBE, v, &pl->props, &pl->rl);
    if (st != MQTLS_OK)
        return st;
    for (uint16_t i = 0; i < s->count; i++) {
        mqtls_str_t f = unsub ? s->filters[i] : s->subs[i].filter;
        if (str_bad(f))
            return MQTLS_ERR_BAD_PARAM;
        if ((st = mqtls_filter_check(f.data, f.len)) != MQTLS_OK)
            return st;
        if (!unsub && (st = mqtls_sub_options_check(s->subs[i].options, f, v)) != MQTLS_OK)
            return st;
        pl->rl += 2u + f.len + (unsub ? 0u : 1u);
        if (pl->rl > MQTLS_VBI_MAX) /* inside the loop: 65535 long filters would wrap */
            return MQTLS_ERR_BAD_PARAM;
    }
    return MQTLS_OK;
}

static void subscribe_write(wcur_t *w, const mqtls_subscribe_t *s, int unsub, mqtls_version_t v,
                            const plan_t *pl)
{
    mqtls_w_u16(w, s->packet_id);
    if (is_v5(v))
        mqtls_props_write(w, &s->props, pl->props);
    for (uint16_t i = 0; i < s->count; i++) {
        mqtls_str_t f = unsub ? s->filters[i] : s->subs[i].filter;
        mqtls_w_str(w, f.data, f.len);
        if (!unsub)
            mqtls_w_u8(w, s->subs[i].options);
    }
}

#if MQTLS_CFG_SERVER_CODEC
static mqtls_status_t suback_size(const mqtls_suback_t *s, mqtls_packet_type_t t,
                                  mqtls_version_t v, plan_t *pl)
{
    if (s->packet_id == 0)
        return MQTLS_ERR_MALFORMED_PACKET_ID;
    pl->rl = 2;
    if (t == MQTLS_UNSUBACK && !is_v5(v))
        return MQTLS_OK;
    if (s->count == 0 || !s->codes)
        return MQTLS_ERR_MALFORMED_PAYLOAD;
    for (uint16_t i = 0; i < s->count; i++) {
        uint8_t c = s->codes[i];
        if (is_v5(v) ? !mqtls_rc5_valid(t, c) : (c > 2 && c != 0x80u))
            return MQTLS_ERR_MALFORMED_REASON_CODE;
    }
    pl->rl += s->count;
    return add_props(&s->props, (int)t, v, &pl->props, &pl->rl);
}

static void suback_write(wcur_t *w, const mqtls_suback_t *s, mqtls_version_t v, const plan_t *pl)
{
    mqtls_w_u16(w, s->packet_id);
    if (pl->rl == 2)
        return;
    if (is_v5(v))
        mqtls_props_write(w, &s->props, pl->props);
    mqtls_w_bytes(w, s->codes, s->count);
}

static mqtls_status_t connack_size(const mqtls_connack_t *c, mqtls_version_t v, plan_t *pl)
{
    pl->rl = 2;
    if (is_v5(v) ? !mqtls_rc5_valid(MQTLS_CONNACK, c->reason) : c->reason > 5)
        return MQTLS_ERR_MALFORMED_REASON_CODE;
    if (c->reason != 0 && c->session_present)
        return MQTLS_ERR_MALFORMED_FLAGS; /* [MQTT-3.2.2-4] */
    return add_props(&c->props, MQTLS_CONNACK, v, &pl->props, &pl->rl);
}

#endif

/* The size pass for any packet: validates and fills the plan. */
static mqtls_status_t plan_packet(const mqtls_packet_t *p, mqtls_version_t v, plan_t *pl)
{
    *pl = (plan_t){0, 0, 0};
    if (v != MQTLS_V311 && v != MQTLS_V5)
        return MQTLS_ERR_BAD_PARAM;
    if (v == MQTLS_V5 && !MQTLS_CFG_MQTT5)
        return MQTLS_ERR_UNSUPPORTED;
    switch (p->type) {
    case MQTLS_CONNECT:
        return connect_size(&p->u.connect, v, pl);
#if MQTLS_CFG_SERVER_CODEC
    case MQTLS_CONNACK:
        return connack_size(&p->u.connack, v, pl);
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        return suback_size(&p->u.suback, p->type, v, pl);
#else
    case MQTLS_CONNACK:
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        return MQTLS_ERR_UNSUPPORTED; /* a broker's packets: not built in */
#endif
    case MQTLS_PUBLISH:
        return publish_size(&p->u.publish, v, pl);
    case MQTLS_PUBACK:
    case MQTLS_PUBREC:
    case MQTLS_PUBREL:
    case MQTLS_PUBCOMP:
    case MQTLS_DISCONNECT:
        return ack_size(&p->u.ack, p->type, v, pl);
    case MQTLS_AUTH:
        return is_v5(v) ? ack_size(&p->u.ack, p->type, v, pl) : MQTLS_ERR_MALFORMED_PACKET_TYPE;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE:
        return subscribe_size(&p->u.subscribe, p->type == MQTLS_UNSUBSCRIBE, v, pl);
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP:
        return MQTLS_OK;
    }
    return MQTLS_ERR_MALFORMED_PACKET_TYPE;
}

static uint8_t publish_first_byte(const mqtls_publish_t *pub)
{
    return (uint8_t)((MQTLS_PUBLISH << 4) | (pub->dup ? 0x08u : 0u) | (pub->qos << 1) |
                     (pub->retain ? 1u : 0u));
}

static uint8_t first_byte(const mqtls_packet_t *p)
{
    uint8_t b = (uint8_t)(p->type << 4);
    if (p->type == MQTLS_PUBLISH) {
        b = publish_first_byte(&p->u.publish);
    } else if (p->type == MQTLS_PUBREL || p->type == MQTLS_SUBSCRIBE ||
               p->type == MQTLS_UNSUBSCRIBE) {
        b |= 0x02u;
    }
    return b;
}

static mqtls_status_t plan_total(const mqtls_packet_t *pkt, mqtls_version_t v, plan_t *pl,
                                 size_t *total)
{
    if (!pkt)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_status_t st = plan_packet(pkt, v, pl);
    if (st != MQTLS_OK)
        return st;
    if (pl->rl > MQTLS_VBI_MAX)
        return MQTLS_ERR_BAD_PARAM;
    *total = 1u + mqtls_vbi_size(pl->rl) + pl->rl;
    return MQTLS_OK;
}

mqtls_status_t mqtls_encode_size(const mqtls_packet_t *pkt, mqtls_version_t v, size_t *total)
{
    plan_t pl;
    return total ? plan_total(pkt, v, &pl, total) : MQTLS_ERR_BAD_PARAM;
}

static void write_body(wcur_t *w, const mqtls_packet_t *p, mqtls_version_t v, const plan_t *pl)
{
    switch (p->type) {
    case MQTLS_CONNECT:
        connect_write(w, &p->u.connect, v, pl);
        break;
#if MQTLS_CFG_SERVER_CODEC
    case MQTLS_CONNACK:
        mqtls_w_u8(w, p->u.connack.session_present ? 1u : 0u);
        mqtls_w_u8(w, p->u.connack.reason);
        if (is_v5(v))
            mqtls_props_write(w, &p->u.connack.props, pl->props);
        break;
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        suback_write(w, &p->u.suback, v, pl);
        break;
#endif
    case MQTLS_PUBLISH:
        publish_write(w, &p->u.publish, v, pl, 1);
        break;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE:
        subscribe_write(w, &p->u.subscribe, p->type == MQTLS_UNSUBSCRIBE, v, pl);
        break;
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP:
        break;
    default:
        ack_write(w, &p->u.ack, p->type, v, pl);
    }
}

static mqtls_status_t finish(wcur_t *w, uint8_t *buf, size_t *written)
{
    if (w->overflow)
        return MQTLS_ERR_NO_SPACE;
    if (written)
        *written = (size_t)(w->cur - buf);
    return MQTLS_OK;
}

mqtls_status_t mqtls_encode(const mqtls_packet_t *pkt, mqtls_version_t v, uint8_t *buf,
                            size_t size, size_t *written)
{
    size_t total;
    plan_t pl;
    if (!buf)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_status_t st = plan_total(pkt, v, &pl, &total);
    if (st != MQTLS_OK)
        return st;
    if (total > size)
        return MQTLS_ERR_NO_SPACE;
    wcur_t w = {buf, buf + size, 0};
    mqtls_w_u8(&w, first_byte(pkt));
    mqtls_w_vbi(&w, pl.rl);
    write_body(&w, pkt, v, &pl);
    return finish(&w, buf, written);
}

mqtls_status_t mqtls_encode_publish_header(const mqtls_publish_t *pub, mqtls_version_t v,
                                           uint8_t *buf, size_t size, size_t *written)
{
    plan_t pl = {0, 0, 0};
    if (!pub || !buf || (v != MQTLS_V311 && v != MQTLS_V5))
        return MQTLS_ERR_BAD_PARAM;
    if (v == MQTLS_V5 && !MQTLS_CFG_MQTT5)
        return MQTLS_ERR_UNSUPPORTED;
    mqtls_status_t st = publish_size(pub, v, &pl);
    if (st != MQTLS_OK)
        return st;
    wcur_t w = {buf, buf + size, 0};
    mqtls_w_u8(&w, publish_first_byte(pub));
    mqtls_w_vbi(&w, pl.rl);
    publish_write(&w, pub, v, &pl, 0);
    return finish(&w, buf, written);
}
