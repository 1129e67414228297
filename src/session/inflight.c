/**
 * @file inflight.c
 * @brief QoS records: packet ids, the outgoing window, incoming QoS 2 ids, session resume.
 *
 * The outgoing table is kept in the order messages were first sent, so that a resumed
 * session resends them in their original order [MQTT-4.6.0-1].
 */
#include <string.h>

#include "session_internal.h"

uint16_t mqtls__alloc_packet_id(mqtls_client_t *c)
{
    for (;;) {
        c->next_packet_id = (uint16_t)(c->next_packet_id + 1u);
        /* cppcheck-suppress knownConditionTrueFalse ; false positive: 65535 + 1 wraps to 0 */
        if (c->next_packet_id == 0)
            continue;
        if (mqtls__out_find(c, c->next_packet_id, 0) < 0)
            return c->next_packet_id;
    }
}

/* The record for @p id (in @p state, or any state when 0), or -1. */
int mqtls__out_find(const mqtls_client_t *c, uint16_t id, uint8_t state)
{
    for (uint16_t i = 0; i < c->inflight_count; i++) {
        const mqtls_inflight_t *r = &c->cfg.inflight[i];
        if (r->packet_id == id && (state == 0 || r->state == state))
            return i;
    }
    return -1;
}

void mqtls__out_remove(mqtls_client_t *c, int idx)
{
    mqtls_inflight_t *t = c->cfg.inflight;
    memmove(&t[idx], &t[idx + 1], (size_t)(c->inflight_count - idx - 1) * sizeof *t);
    c->inflight_count--;
}

#if MQTLS_CFG_QOS2
int mqtls__qos2_in_find(const mqtls_client_t *c, uint16_t id)
{
    for (uint16_t i = 0; i < c->qos2_in_count; i++)
        if (c->cfg.qos2_in[i] == id)
            return i;
    return -1;
}

mqtls_status_t mqtls__qos2_in_add(mqtls_client_t *c, uint16_t id)
{
    if (c->qos2_in_count >= c->cfg.qos2_in_cap)
        return MQTLS_ERR_RECEIVE_MAXIMUM;
    c->cfg.qos2_in[c->qos2_in_count++] = id;
    return MQTLS_OK;
}

void mqtls__qos2_in_remove(mqtls_client_t *c, int idx)
{
    c->cfg.qos2_in[idx] = c->cfg.qos2_in[--c->qos2_in_count];
}

#endif

/* Does a stored PUBLISH fit the limits of the broker this connection reached? */
static mqtls_status_t fits(const mqtls_client_t *c, const uint8_t *pkt, size_t len)
{
    if (!MQTLS__LIMITS)
        return MQTLS_OK;
    if (((pkt[0] >> 1) & 3u) > c->server_max_qos)
        return MQTLS_ERR_QOS_NOT_SUPPORTED;
    if ((pkt[0] & 1u) && !c->server_retain)
        return MQTLS_ERR_RETAIN_NOT_SUPPORTED;
    return len > c->server_max_packet ? MQTLS_ERR_SERVER_LIMIT : MQTLS_OK;
}

/* Shows the trace hook a stored PUBLISH just resent (with @p head, its DUP flag set). */
static void trace_stored(mqtls_client_t *c, const uint8_t *pkt, size_t len, uint8_t head)
{
    mqtls_packet_t p;
    mqtls_status_t st = mqtls_decode(pkt, len, c->version, &p, NULL);
    if (st == MQTLS_OK)
        p.u.publish.dup = (head & 0x08u) != 0;
    mqtls__trace(c, true, st == MQTLS_OK ? &p : NULL, head, len, st);
}

/* Resends one record: the stored PUBLISH (DUP set unless it was never sent), or a PUBREL. */
MQTLS__NOINLINE static mqtls_status_t resend(mqtls_client_t *c, const mqtls_inflight_t *r,
                                             bool first)
{
    if (MQTLS_CFG_QOS2 && r->state == OUT_WAIT_PUBCOMP)
        return mqtls__send_ack(c, MQTLS_PUBREL, r->packet_id, 0);
    const uint8_t *pkt;
    size_t len;
    if (c->cfg.store->get(c->cfg.store_ctx, r->packet_id, &pkt, &len) != MQTLS_OK || len < 2)
        return MQTLS_ERR_STORE;
    mqtls_status_t st = fits(c, pkt, len);
    if (st != MQTLS_OK)
        return st;
    uint8_t head = (uint8_t)(pkt[0] | (first ? 0u : 0x08u)); /* DUP [MQTT-3.3.1-1] */
    /* Written whole, never left half-sent in tx_buf for a later step: an acknowledgement
     * could then complete the record, and its id be reused, before these bytes leave. */
    if ((st = mqtls_flush(c)) != MQTLS_OK)
        return st;
    mqtls_iov_t iov[2] = {{&head, 1}, {pkt + 1, len - 1}};
    if ((st = mqtls__send_all(c, iov, 2)) == MQTLS_OK && mqtls__tracing(c))
        trace_stored(c, pkt, len, head);
    return st;
}

/* A message the new connection's broker would refuse (its Maximum QoS, Retain Available or
 * Maximum Packet Size changed): dropped and reported, with the limit as the status. */
static void drop(mqtls_client_t *c, uint16_t i, mqtls_status_t why)
{
    uint16_t id = c->cfg.inflight[i].packet_id;
    mqtls__out_remove(c, i);
    c->cfg.store->remove(c->cfg.store_ctx, id);
    mqtls_event_t ev = {.type = MQTLS_EV_PUBLISH_DROPPED, .status = why, .packet_id = id};
    mqtls__emit_event(c, &ev);
}

/* Records resent so far on this connection count against the broker's Receive Maximum
 * like new ones [MQTT-4.9.0-2]; the rest wait, marked, until acknowledgements free room. */
static uint16_t in_quota(const mqtls_client_t *c)
{
    uint16_t n = 0;
    for (uint16_t i = 0; i < c->inflight_count; i++)
        n += !(c->cfg.inflight[i].state & OUT_RESEND_PENDING);
    return n;
}

mqtls_status_t mqtls__resend_pending(mqtls_client_t *c)
{
    for (uint16_t i = 0; i < c->inflight_count && c->state == MQTLS_STATE_CONNECTED;) {
        mqtls_inflight_t *r = &c->cfg.inflight[i];
        if (!(r->state & OUT_RESEND_PENDING)) {
            i++;
            continue;
        }
        if (in_quota(c) >= c->server_receive_max)
            break;
        bool first = (r->state & OUT_NEVER_SENT) != 0;
        r->state = OUT_STATE(r->state);
        mqtls_status_t st = resend(c, r, first);
        if (MQTLS__LIMITS && (st == MQTLS_ERR_QOS_NOT_SUPPORTED ||
                              st == MQTLS_ERR_RETAIN_NOT_SUPPORTED || st == MQTLS_ERR_SERVER_LIMIT)) {
            drop(c, i, st); /* the next record moved to index i */
            continue;
        }
        if (st == MQTLS_ERR_STORE)
            return mqtls__fail(c, st, 0);
        if (st != MQTLS_OK)
            return st;
        i++;
    }
    return MQTLS_OK;
}

/* The broker kept nothing: our half of the old session goes too, and the application
 * hears about every message it had handed over. Messages queued offline were never sent:
 * they belong to no session and go out on this one. The count is fixed first, because the
 * callback may publish (appending to the table). */
static void drop_session(mqtls_client_t *c)
{
    c->qos2_in_count = 0; /* the incoming QoS 2 ids went with the session */
    uint16_t i = 0;
    for (uint16_t left = c->inflight_count; left > 0; left--) {
        if (c->cfg.inflight[i].state & OUT_NEVER_SENT) {
            i++;
            continue;
        }
        drop(c, i, MQTLS_OK); /* (status OK: the broker kept no session) */
    }
}

mqtls_status_t mqtls__session_resume(mqtls_client_t *c, bool session_present)
{
    if (session_present) {
        for (uint16_t i = 0; i < c->inflight_count; i++)
            c->cfg.inflight[i].state |= OUT_RESEND_PENDING;
    } else {
        drop_session(c);
    }
    mqtls_status_t st = mqtls__resend_pending(c);
    return st != MQTLS_OK ? st : mqtls__flush_soon(c);
}

/* One packet a durable store kept: back into the window, to be resent on resume. */
static void restore_one(void *arg, uint16_t id, bool released)
{
    mqtls_client_t *c = arg;
    const uint8_t *pkt;
    size_t len;
    if (c->inflight_count >= c->cfg.inflight_cap) {
        c->last_status = MQTLS_ERR_INFLIGHT_FULL;
        return;
    }
    uint8_t qos = 2, state = OUT_WAIT_PUBCOMP;
    if (!released) {
        qos = c->cfg.store->get(c->cfg.store_ctx, id, &pkt, &len) == MQTLS_OK && len >= 2
                  ? (uint8_t)((pkt[0] >> 1) & 3u)
                  : 0;
        state = qos == 1 ? OUT_WAIT_PUBACK : OUT_WAIT_PUBREC;
    }
    mqtls_inflight_t *r = &c->cfg.inflight[c->inflight_count++];
    r->packet_id = id;
    r->qos = qos;
    r->state = (uint8_t)(state | OUT_RESEND_PENDING);
    c->next_packet_id = id; /* oldest first: new ids continue after the newest */
    /* Unreadable (the file store also checks it is a QoS 1/2 PUBLISH of this id): resending
     * it would fail every connection. */
    if (!qos || qos > (MQTLS_CFG_QOS2 ? 2u : 1u))
        drop(c, (uint16_t)(c->inflight_count - 1u), MQTLS_ERR_STORE);
}

mqtls_status_t mqtls_client_restore(mqtls_client_t *c)
{
    if (!c || !c->cfg.store)
        return MQTLS_ERR_BAD_PARAM;
    if (!c->cfg.store->each)
        return MQTLS_ERR_UNSUPPORTED;
    if (c->state != MQTLS_STATE_DISCONNECTED)
        return MQTLS_ERR_STATE;
    c->last_status = MQTLS_OK;
    c->cfg.store->each(c->cfg.store_ctx, restore_one, c);
    return c->last_status;
}

mqtls_status_t mqtls_client_discard(mqtls_client_t *c)
{
    if (!c)
        return MQTLS_ERR_BAD_PARAM;
    if (c->state != MQTLS_STATE_DISCONNECTED)
        return MQTLS_ERR_STATE;
    while (c->inflight_count && c->cfg.store)
        drop(c, 0, MQTLS_ERR_STATE);
    c->qos2_in_count = 0;
    return MQTLS_OK;
}
