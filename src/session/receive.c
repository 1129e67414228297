/**
 * @file receive.c
 * @brief Reading packets from the transport and acting on each one.
 */
#include <string.h>

#include "mqtls/reason.h"
#include "session_internal.h"

void mqtls__limits_default(mqtls_client_t *c)
{
    c->server_receive_max = 65535u;
    c->server_max_packet = MQTLS_VBI_MAX + 5u;
    c->server_alias_max = 0;
    c->server_max_qos = 2;
    c->server_retain = true;
}

/* Receive Maximum and friends: what the broker allows us, with the spec's defaults. */
static void apply_connack_props(mqtls_client_t *c, const mqtls_props_t *p)
{
    mqtls__limits_default(c);
    c->keep_alive_s = c->opts->connect.keep_alive;
    if (!mqtls__is_v5(c))
        return;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_RECEIVE_MAXIMUM))
        c->server_receive_max = p->receive_maximum;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_MAXIMUM_PACKET_SIZE))
        c->server_max_packet = p->maximum_packet_size;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS_MAXIMUM))
        c->server_alias_max = p->topic_alias_maximum;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_MAXIMUM_QOS))
        c->server_max_qos = p->maximum_qos;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_RETAIN_AVAILABLE))
        c->server_retain = p->retain_available != 0;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_SERVER_KEEP_ALIVE))
        c->keep_alive_s = p->server_keep_alive;
}

/* A refusal that the same CONNECT sent again cannot turn into an acceptance: the broker
 * rejects who we are or what we asked for, not how busy it is. The 5.0 codes that may pass
 * (0x80 unspecified, 0x83 implementation specific, 0x88 server unavailable, 0x89 busy,
 * 0x97 quota exceeded, 0x9C use another server, 0x9D server moved, 0x9F connection rate
 * exceeded) as bits over 0x80..0x9F; in 3.1.1 only 3 (server unavailable). */
#define TRANSIENT_5 0xB0800309u

static bool refusal_permanent(const mqtls_client_t *c, uint8_t code)
{
    if (!mqtls__is_v5(c))
        return code != 3;
    return code < 0x80u || code > 0x9Fu || !((TRANSIENT_5 >> (code - 0x80u)) & 1u);
}

static mqtls_status_t on_connack(mqtls_client_t *c, const mqtls_connack_t *ca)
{
    mqtls_event_t ev = {.status = MQTLS_ERR_CONNACK_REFUSED, .reason = ca->reason,
                        .props = mqtls__is_v5(c) ? &ca->props : NULL};
    if (ca->reason != 0) {
        ev.permanent = refusal_permanent(c, ca->reason);
        return mqtls__end(c, &ev);
    }
    /* A broker must not claim a session we asked it to discard [MQTT-3.2.2-4]. */
    if (ca->session_present && c->opts->connect.clean_start && !c->resume)
        return mqtls__fail(c, MQTLS_ERR_SESSION_STATE, MQTLS_RC_PROTOCOL_ERROR);
    apply_connack_props(c, &ca->props);
    c->state = MQTLS_STATE_CONNECTED;
    c->connected_at_ms = mqtls__now(c);
    if (MQTLS_CFG_MQTT5)
        memset(c->out_alias_set, 0, sizeof c->out_alias_set);
    /* Aliases live as long as one connection [MQTT-3.3.2-7]: forget the broker's. */
    for (uint16_t i = 0; MQTLS_CFG_MQTT5 && i < c->cfg.alias_slots; i++) {
        char *slot = c->cfg.alias_buf + (size_t)i * c->cfg.alias_slot_size;
        slot[0] = slot[1] = 0; /* its length: not defined */
    }
    mqtls_status_t st = mqtls__session_resume(c, ca->session_present);
    if (st != MQTLS_OK)
        return st;
    ev.type = MQTLS_EV_CONNECTED;
    ev.status = MQTLS_OK;
    ev.session_present = ca->session_present;
    mqtls__emit_event(c, &ev);
    return MQTLS_OK;
}

/* 5.0 topic aliases from the broker: a topic with an alias (re)defines the slot, an empty
 * topic is looked up in it. Slots hold [len:2][topic]. */
static mqtls_status_t resolve_alias(mqtls_client_t *c, mqtls_publish_t *p)
{
    if (!MQTLS_CFG_MQTT5 || !(p->props.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)))
        return MQTLS_OK;
    uint16_t a = p->props.topic_alias;
    if (a == 0 || a > c->cfg.alias_slots || !c->cfg.alias_buf)
        return MQTLS_ERR_TOPIC_ALIAS;
    char *slot = c->cfg.alias_buf + (size_t)(a - 1) * c->cfg.alias_slot_size;
    if (p->topic.len) {
        if ((size_t)p->topic.len + 2u > c->cfg.alias_slot_size)
            return MQTLS_ERR_TOPIC_ALIAS;
        slot[0] = (char)(p->topic.len >> 8);
        slot[1] = (char)p->topic.len;
        memcpy(slot + 2, p->topic.data, p->topic.len);
        return MQTLS_OK;
    }
    uint16_t len = (uint16_t)(((uint8_t)slot[0] << 8) | (uint8_t)slot[1]);
    if (len == 0 || (size_t)len + 2u > c->cfg.alias_slot_size)
        return MQTLS_ERR_TOPIC_ALIAS; /* never defined on this connection */
    p->topic.data = slot + 2;
    p->topic.len = len;
    return MQTLS_OK;
}

static mqtls_status_t on_publish(mqtls_client_t *c, mqtls_publish_t *p)
{
    mqtls_status_t st = resolve_alias(c, p);
    if (st != MQTLS_OK)
        return mqtls__fail(c, st, MQTLS_RC_TOPIC_ALIAS_INVALID);
    mqtls_event_t ev = {.type = MQTLS_EV_MESSAGE, .packet_id = p->packet_id, .message = p,
                        .props = mqtls__is_v5(c) ? &p->props : NULL};
#if MQTLS_CFG_QOS2
    if (p->qos == 2) {
        /* Exactly once: a packet id we hold is a resend, acknowledged but not delivered. */
        if (mqtls__qos2_in_find(c, p->packet_id) < 0) {
            if (mqtls__qos2_in_add(c, p->packet_id) != MQTLS_OK)
                return mqtls__fail(c, MQTLS_ERR_RECEIVE_MAXIMUM,
                                   MQTLS_RC_RECEIVE_MAXIMUM_EXCEEDED);
            mqtls__emit_event(c, &ev);
            if (c->rx_declined) { /* not taken: a later delivery is the first one */
                mqtls__qos2_in_remove(c, mqtls__qos2_in_find(c, p->packet_id));
                return MQTLS_OK;
            }
        }
        return mqtls__send_ack(c, MQTLS_PUBREC, p->packet_id, 0);
    }
#else
    if (p->qos == 2) /* we never subscribe with QoS 2: the broker must not send it */
        return mqtls__fail(c, MQTLS_ERR_PROTOCOL, MQTLS_RC_QOS_NOT_SUPPORTED);
#endif
    mqtls__emit_event(c, &ev);
    /* A message the application declined is not acknowledged: the broker still owes it. */
    return p->qos == 1 && !c->rx_declined ? mqtls__send_ack(c, MQTLS_PUBACK, p->packet_id, 0)
                                          : MQTLS_OK;
}

static mqtls_status_t publish_done(mqtls_client_t *c, int idx, mqtls_packet_type_t t,
                                   const mqtls_ack_t *a)
{
    mqtls_event_t ev = {.type = MQTLS_EV_PUBLISH_DONE, .packet_id = a->packet_id,
                        .reason = a->reason, .props = mqtls__is_v5(c) ? &a->props : NULL};
    ev.status = a->reason >= 0x80u ? MQTLS_ERR_REFUSED : MQTLS_OK;
    /* A QoS 2 message answered with PUBACK: the broker took it at QoS 1, as brokers without
     * QoS 2 do. It arrived (at least once); the caller hears that it was not QoS 2. */
    if (t == MQTLS_PUBACK && c->cfg.inflight[idx].qos == 2 && !ev.status)
        ev.status = MQTLS_ERR_QOS2_DOWNGRADED;
    c->cfg.store->remove(c->cfg.store_ctx, a->packet_id);
    mqtls__out_remove(c, idx);
    mqtls__emit_event(c, &ev);
    return mqtls__resend_pending(c); /* room freed in the broker's window */
}

static mqtls_status_t on_ack(mqtls_client_t *c, mqtls_packet_type_t t, const mqtls_ack_t *a)
{
    int idx;
    switch (t) {
    case MQTLS_PUBACK:
        idx = mqtls__out_find(c, a->packet_id, 0);
        /* (awaiting PUBREC: QoS 2 taken at QoS 1, see publish_done) */
        if (idx >= 0 && c->cfg.inflight[idx].state <= OUT_WAIT_PUBREC) {
            return publish_done(c, idx, t, a);
        }
        return MQTLS_OK;
#if MQTLS_CFG_QOS2
    case MQTLS_PUBREC:
        idx = mqtls__out_find(c, a->packet_id, OUT_WAIT_PUBREC);
        if (idx < 0 && a->reason >= 0x80u) /* a refusal of nothing of ours: nothing to end */
            return MQTLS_OK;
        if (idx < 0) /* not ours (any more): release it so the broker can move on */
            return mqtls__send_ack(c, MQTLS_PUBREL, a->packet_id,
                                   mqtls__out_find(c, a->packet_id, 0) < 0
                                       ? MQTLS_RC_PACKET_ID_NOT_FOUND
                                       : 0);
        if (a->reason >= 0x80u) { /* refused: the exchange ends here */
            return publish_done(c, idx, t, a);
        }
        if (c->cfg.store->released) /* a durable store keeps the id until PUBCOMP */
            c->cfg.store->released(c->cfg.store_ctx, a->packet_id);
        else
            c->cfg.store->remove(c->cfg.store_ctx, a->packet_id);
        c->cfg.inflight[idx].state = OUT_WAIT_PUBCOMP;
        return mqtls__send_ack(c, MQTLS_PUBREL, a->packet_id, 0);
    case MQTLS_PUBCOMP:
        if ((idx = mqtls__out_find(c, a->packet_id, OUT_WAIT_PUBCOMP)) >= 0) {
            return publish_done(c, idx, t, a);
        }
        return MQTLS_OK;
    default: { /* PUBREL: the incoming QoS 2 exchange ends once our PUBCOMP has left */
        idx = mqtls__qos2_in_find(c, a->packet_id);
        /* Until then the id stays: a PUBLISH with it is still a resend, not delivered
         * again, should the connection drop first and the broker resend the PUBLISH. */
        mqtls_status_t st = mqtls__send_ack(c, MQTLS_PUBCOMP, a->packet_id,
                                            idx < 0 ? MQTLS_RC_PACKET_ID_NOT_FOUND : 0);
        if (st == MQTLS_OK && idx >= 0 && c->state == MQTLS_STATE_CONNECTED)
            mqtls__qos2_in_remove(c, idx);
        return st;
    }
#else
    default: /* no QoS 2 exchange was ever started */
        return mqtls__fail(c, MQTLS_ERR_PROTOCOL, MQTLS_RC_PROTOCOL_ERROR);
#endif
    }
}

static void on_suback(mqtls_client_t *c, mqtls_packet_type_t t, const mqtls_suback_t *s)
{
    mqtls_event_t ev = {.type = t == MQTLS_SUBACK ? MQTLS_EV_SUBACK : MQTLS_EV_UNSUBACK,
                        .packet_id = s->packet_id, .codes = s->codes, .count = s->count,
                        .props = mqtls__is_v5(c) ? &s->props : NULL};
    mqtls__emit_event(c, &ev);
}

static mqtls_status_t on_server_disconnect(mqtls_client_t *c, const mqtls_ack_t *a)
{
    mqtls_event_t ev = {.status = MQTLS_ERR_SERVER_DISCONNECT, .reason = a->reason,
                        .props = &a->props};
    return mqtls__end(c, &ev);
}

/* Acts on one decoded packet. Anything a client must never receive is a protocol error. */
static mqtls_status_t dispatch(mqtls_client_t *c, mqtls_packet_t *p)
{
    if (c->state == MQTLS_STATE_WAIT_CONNACK && p->type != MQTLS_CONNACK &&
        p->type != MQTLS_AUTH && p->type != MQTLS_DISCONNECT)
        return mqtls__fail(c, MQTLS_ERR_PROTOCOL, MQTLS_RC_PROTOCOL_ERROR);
    switch (p->type) {
    case MQTLS_CONNACK:
        if (c->state != MQTLS_STATE_WAIT_CONNACK)
            return mqtls__fail(c, MQTLS_ERR_PROTOCOL, MQTLS_RC_PROTOCOL_ERROR);
        return on_connack(c, &p->u.connack);
    case MQTLS_PUBLISH:
        return on_publish(c, &p->u.publish);
    case MQTLS_PUBACK:
    case MQTLS_PUBREC:
    case MQTLS_PUBREL:
    case MQTLS_PUBCOMP:
        return on_ack(c, p->type, &p->u.ack);
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        on_suback(c, p->type, &p->u.suback);
        return MQTLS_OK;
    case MQTLS_PINGRESP:
        c->ping_outstanding = false;
        return MQTLS_OK;
    case MQTLS_DISCONNECT:
        return on_server_disconnect(c, &p->u.ack);
#if MQTLS_CFG_MQTT5
    case MQTLS_AUTH: {
        /* Only an exchange our CONNECT opened with an Authentication Method [MQTT-4.12.0-6]. */
        if (!(c->opts->connect.props.present & MQTLS_PROPBIT(MQTLS_PROP_AUTH_METHOD)))
            return mqtls__fail(c, MQTLS_ERR_PROTOCOL, MQTLS_RC_PROTOCOL_ERROR);
        mqtls_event_t ev = {.type = MQTLS_EV_AUTH, .reason = p->u.ack.reason,
                            .props = &p->u.ack.props};
        mqtls__emit_event(c, &ev);
        return MQTLS_OK;
    }
#endif
    default:
        return mqtls__fail(c, MQTLS_ERR_PROTOCOL, MQTLS_RC_PROTOCOL_ERROR);
    }
}

/* Shows the trace hook a packet received, once: a declined one, left at the start of
 * rx_buf, is not shown again when it is handled again. */
static void trace_received(mqtls_client_t *c, size_t off, const mqtls_packet_t *p,
                           uint8_t first, size_t size, mqtls_status_t st)
{
#if MQTLS_CFG_TRACE
    if (off == 0 && c->rx_traced)
        return;
#endif
    (void)off;
    mqtls__trace(c, false, p, first, size, st);
}

/* Handles every whole packet in rx_buf, then keeps the partial rest at its start. */
static mqtls_status_t process_rx(mqtls_client_t *c)
{
    size_t off = 0;
    mqtls_status_t st = MQTLS_OK;
    while (st == MQTLS_OK && c->state >= MQTLS_STATE_WAIT_CONNACK && !c->rx_paused) {
        uint8_t first;
        uint32_t rl;
        size_t hl;
        const uint8_t *at = c->cfg.rx_buf + off;
        st = mqtls_decode_fixed_header(at, c->rx_len - off, &first, &rl, &hl);
        if (st == MQTLS_NEED_MORE) {
            st = MQTLS_OK;
            break;
        }
        if (st != MQTLS_OK)
            return mqtls__fail(c, st, MQTLS_RC_MALFORMED_PACKET);
        if (hl + rl > c->cfg.rx_size) {
            c->last_too_large = (uint32_t)(hl + rl);
            return mqtls__fail(c, MQTLS_ERR_PACKET_TOO_LARGE, MQTLS_RC_PACKET_TOO_LARGE);
        }
        if (hl + rl > c->rx_len - off)
            break;
        mqtls_packet_t p;
        st = mqtls_decode(at, hl + rl, c->version, &p, NULL);
        trace_received(c, off, st == MQTLS_OK ? &p : NULL, first, hl + rl, st);
        if (st != MQTLS_OK)
            return mqtls__fail(c, st, MQTLS_RC_MALFORMED_PACKET);
        c->last_rx_ms = mqtls__now(c);
        c->rx_declined = false;
        st = dispatch(c, &p);
        if (!c->rx_declined) /* a declined message stays, to be handled again */
            off += hl + rl;
    }
#if MQTLS_CFG_TRACE
    c->rx_traced = c->rx_declined && c->state >= MQTLS_STATE_WAIT_CONNACK;
#endif
    /* The connection these bytes came on ended in a callback (which may even have begun
     * a new one): its buffer was reset, nothing is left to keep. */
    if (c->state < MQTLS_STATE_WAIT_CONNACK) {
        c->rx_len = 0;
        return st;
    }
    memmove(c->cfg.rx_buf, c->cfg.rx_buf + off, c->rx_len - off);
    c->rx_len -= off;
    return st;
}

mqtls_status_t mqtls__receive(mqtls_client_t *c)
{
    /* What a pause left unhandled comes first (a partial packet just waits for more). */
    mqtls_status_t st = c->rx_len && !c->rx_paused ? process_rx(c) : MQTLS_OK;
    if (st != MQTLS_OK)
        return st;
    /* Bounded, so that a flood of input cannot keep one step from returning. */
    for (int reads = 0; reads < 64 && c->state >= MQTLS_STATE_WAIT_CONNACK && !c->rx_paused;
         reads++) {
        int32_t n = c->cfg.transport->recv(c->cfg.transport_ctx, c->cfg.rx_buf + c->rx_len,
                                           c->cfg.rx_size - c->rx_len);
        if (n < 0)
            return mqtls__fail(c, (mqtls_status_t)-n, 0);
        if (n == 0)
            return MQTLS_OK;
        c->rx_len += (size_t)n;
        st = process_rx(c);
        if (st != MQTLS_OK)
            return st;
    }
    return MQTLS_OK;
}
