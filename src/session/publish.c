/**
 * @file publish.c
 * @brief Outgoing PUBLISH: the broker's limits, the window, the store, topic aliases.
 */
#include <string.h>

#include "session_internal.h"

/* A topic alias, only ever in 5.0 (mqtls_publish() clears the bit otherwise): a 3.1.1-only
 * build compiles the alias code out. */
#define ALIAS_BIT MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)
#define HAS_ALIAS(p) (MQTLS_CFG_MQTT5 && ((p)->props.present & ALIAS_BIT))

/* Whether outgoing alias @p a (1..64) was sent with its topic on this connection. */
static bool alias_known(const mqtls_client_t *c, uint16_t a)
{
    return (c->out_alias_set[((a - 1u) >> 3) & 7u] >> ((a - 1u) & 7u)) & 1u;
}

/* The slot that remembers the topic of outgoing alias @p a, or NULL. Slots: [len:2][topic]. */
static char *out_slot(const mqtls_client_t *c, uint16_t a)
{
    if (!c->cfg.out_alias_buf || a == 0 || a > c->cfg.out_alias_slots ||
        c->cfg.out_alias_slot_size <= 2)
        return NULL;
    return c->cfg.out_alias_buf + (size_t)(a - 1) * c->cfg.out_alias_slot_size;
}

/* The topic outgoing alias @p a stands for on this connection, if it was kept (len 0 if not). */
static mqtls_str_t out_topic(const mqtls_client_t *c, uint16_t a)
{
    const char *s = out_slot(c, a);
    mqtls_str_t t = {NULL, 0};
    if (s && alias_known(c, a)) {
        t.len = (uint16_t)(((uint8_t)s[0] << 8) | (uint8_t)s[1]);
        t.data = s + 2;
    }
    return t;
}

/* Remembers the topic alias @p a was just defined with (or that it is not known). */
static void out_define(mqtls_client_t *c, uint16_t a, mqtls_str_t topic)
{
    char *s = out_slot(c, a);
    /* a is 1..64: alias_check() let it through. */
    c->out_alias_set[((a - 1u) >> 3) & 7u] |= (uint8_t)(1u << ((a - 1u) & 7u));
    if (!s)
        return;
    uint16_t len = (size_t)topic.len + 2u <= c->cfg.out_alias_slot_size ? topic.len : 0;
    s[0] = (char)(len >> 8);
    s[1] = (char)len;
    memcpy(s + 2, topic.data, len);
}

/* We remember which outgoing aliases 1..64 carry a topic on this connection. */
static mqtls_status_t alias_check(const mqtls_client_t *c, const mqtls_publish_t *p)
{
    if (!mqtls__is_v5(c) || !(p->props.present & ALIAS_BIT))
        return MQTLS_OK;
    if (c->state != MQTLS_STATE_CONNECTED) /* queued: sent later with its topic, no alias */
        return p->topic.len ? MQTLS_OK : MQTLS_ERR_TOPIC_ALIAS;
    uint16_t a = p->props.topic_alias;
    if (a == 0 || a > c->server_alias_max || a > 64)
        return MQTLS_ERR_TOPIC_ALIAS;
    if (p->topic.len == 0 && !alias_known(c, a))
        return MQTLS_ERR_TOPIC_ALIAS; /* alias not yet defined on this connection */
    if (p->topic.len == 0 && p->qos && out_topic(c, a).len == 0)
        return MQTLS_ERR_TOPIC_ALIAS; /* the stored copy must name its topic (see below) */
    return MQTLS_OK;
}

static mqtls_status_t limits_check(const mqtls_client_t *c, const mqtls_publish_t *p)
{
    bool online = c->state == MQTLS_STATE_CONNECTED;
    if (!online && (p->qos == 0 || !c->opts))
        return MQTLS_ERR_STATE; /* only what can be acknowledged is queued offline, and only
                                   once mqtls_connect() has said which protocol to speak */
    if (p->qos > 2)
        return MQTLS_ERR_MALFORMED_QOS;
    if (p->qos == 2 && !MQTLS_CFG_QOS2)
        return MQTLS_ERR_UNSUPPORTED;
    if (MQTLS__LIMITS && p->qos > c->server_max_qos)
        return MQTLS_ERR_QOS_NOT_SUPPORTED;
    if (MQTLS__LIMITS && p->retain && !c->server_retain)
        return MQTLS_ERR_RETAIN_NOT_SUPPORTED;
    if (p->qos) {
        if (!c->cfg.store)
            return MQTLS_ERR_NO_STORE;
        uint16_t window = MQTLS__LIMITS && online && c->server_receive_max < c->cfg.inflight_cap
                              ? c->server_receive_max
                              : c->cfg.inflight_cap; /* offline: the queue is the window */
        if (c->inflight_count >= window)
            return MQTLS_ERR_INFLIGHT_FULL;
    }
    return alias_check(c, p);
}

/* Keeps the message in the store before it is sent. Topic aliases live only as long as the
 * connection, so the stored copy carries the full topic and no alias [MQTT-3.3.2-7]. */
static mqtls_status_t store_put(mqtls_client_t *c, const mqtls_publish_t *p, size_t *hlen)
{
    size_t slen = *hlen;
    if (HAS_ALIAS(p)) {
        mqtls_publish_t s = *p;
        s.props.present &= ~ALIAS_BIT;
        if (!s.topic.len)
            s.topic = out_topic(c, p->props.topic_alias);
        mqtls_status_t st;
        if ((st = mqtls__encode_publish_tail(c, &s, &slen)) != MQTLS_OK)
            return st;
    }
    mqtls_iov_t iov[2] = {{c->cfg.tx_buf + c->tx_len, slen}, {p->payload, p->payload_len}};
    if (c->cfg.store->put(c->cfg.store_ctx, p->packet_id, iov, 2) != MQTLS_OK)
        return MQTLS_ERR_STORE;
    if (HAS_ALIAS(p)) /* the wire form again, over the stored one */
        return mqtls__encode_publish_tail(c, p, hlen);
    return MQTLS_OK;
}

/* Sends the PUBLISH whose header waits in tx_buf (the trace hook sees it as a packet). */
static mqtls_status_t emit(mqtls_client_t *c, const mqtls_publish_t *p, size_t hlen)
{
    mqtls_tx_mode_t mode = c->cfg.tx_coalesce ? MQTLS__TX_LATER : MQTLS__TX_NOW;
#if MQTLS_CFG_TRACE
    if (mqtls__tracing(c)) {
        mqtls_packet_t pk = {.type = MQTLS_PUBLISH};
        pk.u.publish = *p;
        return mqtls__emit_packet(c, &pk, hlen, p->payload, p->payload_len, mode);
    }
#endif
    return mqtls__emit(c, hlen, p->payload, p->payload_len, mode);
}

mqtls_status_t mqtls_publish(mqtls_client_t *c, const mqtls_publish_t *pub, uint16_t *packet_id)
{
    if (!c || !pub)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_status_t st = limits_check(c, pub);
    if (st != MQTLS_OK)
        return st;
    mqtls_publish_t p = *pub;
    p.dup = false;
    p.packet_id = p.qos ? mqtls__alloc_packet_id(c) : 0;
    if (!mqtls__is_v5(c) || c->state != MQTLS_STATE_CONNECTED)
        p.props.present &= ~ALIAS_BIT;
    size_t hlen;
    if ((st = mqtls__encode_publish_tail(c, &p, &hlen)) != MQTLS_OK)
        return st;
    if (MQTLS__LIMITS && hlen + p.payload_len > c->server_max_packet)
        return MQTLS_ERR_SERVER_LIMIT;
    if (p.qos) {
        if ((st = store_put(c, &p, &hlen)) != MQTLS_OK)
            return st;
        mqtls_inflight_t *r = &c->cfg.inflight[c->inflight_count++];
        r->packet_id = p.packet_id;
        r->qos = p.qos;
        r->state = p.qos == 1 ? OUT_WAIT_PUBACK : OUT_WAIT_PUBREC;
        if (c->state != MQTLS_STATE_CONNECTED) { /* queued: sent when a connection is up */
            r->state |= OUT_RESEND_PENDING | OUT_NEVER_SENT;
            if (packet_id)
                *packet_id = p.packet_id;
            return MQTLS_OK;
        }
    }
    st = emit(c, &p, hlen);
    /* A failed send leaves a QoS 1/2 message in the store and the window: it is accepted,
     * resent when the session resumes or reported dropped if it does not, and the lost link
     * is reported by MQTLS_EV_DISCONNECTED. Saying OK keeps a retrying caller from sending
     * it twice. */
    if (st != MQTLS_OK && p.qos)
        st = MQTLS_OK;
    if (st == MQTLS_OK && HAS_ALIAS(&p) && p.topic.len)
        out_define(c, p.props.topic_alias, p.topic);
    if (packet_id)
        *packet_id = p.packet_id;
    return st;
}
