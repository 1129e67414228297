/**
 * @file end.c
 * @brief The session's leaf: events to the application, and the end of a connection (with
 *        the reconnect it schedules).
 *
 * Every other session file calls here; this file calls none of them (scripts/check_cycles.py
 * checks it), so that a failure deep in output or receive can end the connection without
 * the layers calling each other in a circle.
 */
#include <string.h>

#include "session_internal.h"

uint32_t mqtls__now(const mqtls_client_t *c)
{
    return c->cfg.platform->now_ms(c->cfg.platform->ctx);
}

void mqtls__emit_event(mqtls_client_t *c, mqtls_event_t *ev)
{
    if (c->cfg.on_event)
        c->cfg.on_event(c, ev, c->cfg.user);
}

/* After a lost or failed connection: the next attempt in a delay drawn below an
 * exponentially growing ceiling (full jitter), so that a fleet does not reconnect in step. */
MQTLS__NOINLINE static void schedule_reconnect(mqtls_client_t *c)
{
    uint32_t now = mqtls__now(c), min = c->cfg.reconnect_min_ms, ceiling = c->cfg.reconnect_max_ms;
    if (c->connected_at_ms && now - c->connected_at_ms >= c->cfg.reconnect_stable_ms)
        c->attempt = 0; /* the last link was stable: start small again */
    if (c->attempt < 32 && min <= (ceiling >> c->attempt))
        ceiling = min << c->attempt;
    uint32_t r = c->cfg.platform->random ? c->cfg.platform->random(c->cfg.platform->ctx) : 0;
    c->backoff_delay_ms = ceiling == UINT32_MAX ? r : r % (ceiling + 1u);
    c->backoff_start_ms = now;
    c->backoff = true;
    c->connected_at_ms = 0;
    if (c->attempt < UINT16_MAX)
        c->attempt++;
    const mqtls_connect_t *cn = &c->opts->connect;
    c->resume = !cn->clean_start ||
                (mqtls__is_v5(c) && (cn->props.present & MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY)) &&
                 cn->props.session_expiry > 0);
    mqtls_event_t ev = {.type = MQTLS_EV_RECONNECT_WAIT, .status = c->last_status,
                        .delay_ms = c->backoff_delay_ms, .attempt = c->attempt};
    mqtls__emit_event(c, &ev);
}

mqtls_status_t mqtls__end(mqtls_client_t *c, mqtls_event_t *ev)
{
    ev->type = c->state == MQTLS_STATE_CONNECTED ? MQTLS_EV_DISCONNECTED : MQTLS_EV_CONNECT_FAILED;
    c->state = MQTLS_STATE_DISCONNECTED;
    c->last_status = ev->status;
    c->ping_outstanding = false;
    c->rx_len = 0;
    c->tx_len = 0;
    c->cfg.transport->close(c->cfg.transport_ctx);
    mqtls__emit_event(c, ev);
    /* The callback may have stopped us (mqtls_disconnect) or connected again. */
    if (c->cfg.reconnect_max_ms && !c->stopping && c->opts &&
        c->state == MQTLS_STATE_DISCONNECTED && (!ev->permanent || c->cfg.reconnect_refused))
        schedule_reconnect(c);
    return ev->status;
}

/* Shows the trace hook the DISCONNECT that mqtls__fail() wrote by hand. */
static void trace_disconnect(mqtls_client_t *c, uint8_t reason)
{
    mqtls_packet_t p;
    memset(&p, 0, sizeof p);
    p.type = MQTLS_DISCONNECT;
    p.u.ack.reason = reason;
    mqtls__trace(c, true, &p, MQTLS_DISCONNECT << 4, 3, MQTLS_OK);
}

mqtls_status_t mqtls__fail(mqtls_client_t *c, mqtls_status_t st, uint8_t reason)
{
    if (c->state == MQTLS_STATE_DISCONNECTED)
        return st;
    /* (not in the middle of a packet that a step left half-written) */
    if (reason && mqtls__is_v5(c) && c->state >= MQTLS_STATE_WAIT_CONNACK && !c->tx_blocked) {
        /* Best effort, one attempt: tell the broker why before closing [MQTT-4.13.2-1]. */
        uint8_t buf[4] = {MQTLS_DISCONNECT << 4, 1, reason, 0};
        mqtls_iov_t iov = {buf, 3};
        if (c->cfg.transport->send(c->cfg.transport_ctx, &iov, 1) == 3 && mqtls__tracing(c))
            trace_disconnect(c, reason);
    }
    mqtls_event_t ev = {.status = st, .reason = reason};
    if (st == MQTLS_ERR_PACKET_TOO_LARGE)
        ev.size = c->last_too_large;
    return mqtls__end(c, &ev);
}
