/**
 * @file sync.c
 * @brief The blocking convenience layer: mqtls_step() in a loop around the transport's wait.
 *
 * A call that waits for an answer (CONNACK, an acknowledgement, SUBACK) puts its own event
 * callback in front of the application's for its duration and keeps what it waits for on
 * its stack: the core's receive path knows nothing about waits.
 */
#include <string.h>

#include "session_internal.h"

#if MQTLS_CFG_SYNC

/* Waits for input (or output room while connecting) until @p deadline_left ms pass or a
 * timer of the client falls due, then steps once. */
static mqtls_status_t wait_and_step(mqtls_client_t *c, uint32_t left)
{
    mqtls_status_t st = mqtls_flush(c);
    if (st != MQTLS_OK)
        return st;
    uint32_t t = mqtls_next_timeout_ms(c);
    if (t > left)
        t = left;
    if (c->backoff && c->state == MQTLS_STATE_DISCONNECTED) { /* nothing to wait on but time */
        if (c->cfg.platform->sleep_ms)
            c->cfg.platform->sleep_ms(c->cfg.platform->ctx, t);
        return mqtls_step(c);
    }
    if (!c->cfg.transport->wait)
        return MQTLS_ERR_UNSUPPORTED;
    if (c->state != MQTLS_STATE_DISCONNECTED)
        (void)c->cfg.transport->wait(c->cfg.transport_ctx, c->state == MQTLS_STATE_CONNECTING,
                                     t);
    return mqtls_step(c);
}

/* Disconnected for good: no reconnect is coming. */
static bool down(const mqtls_client_t *c)
{
    return c->state == MQTLS_STATE_DISCONNECTED && !c->backoff;
}

static uint32_t left_of(const mqtls_client_t *c, uint32_t start, uint32_t timeout)
{
    uint32_t spent = mqtls__now(c) - start;
    return spent >= timeout ? 0 : timeout - spent;
}

/* What a sync call waits for. It lives on the call's stack; while the call runs, the
 * client's event callback is on_event() below with this as its context, and the
 * application's callback and context are kept here, so that the core knows nothing of
 * waits. */
typedef struct sync_wait {
    mqtls_event_cb app_cb;
    void *app_user;
    uint16_t id;            /* the packet id awaited (0: none, connecting) */
    bool done;
    uint8_t reason;         /* of the acknowledgement, or of a CONNACK refusal */
    mqtls_status_t status;  /* of a PUBLISH_DONE */
    uint8_t *codes;         /* SUBACK: room for cap codes (may be NULL) */
    uint16_t cap;
    uint16_t count;         /* codes the SUBACK/UNSUBACK carried */
} sync_wait_t;

/* Notes what the call waits for, then hands the event to the application as usual. */
static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    sync_wait_t *w = user;
    bool answer = ev->type == MQTLS_EV_PUBLISH_DONE || ev->type == MQTLS_EV_SUBACK ||
                  ev->type == MQTLS_EV_UNSUBACK;
    if (ev->type == MQTLS_EV_CONNECT_FAILED && ev->status == MQTLS_ERR_CONNACK_REFUSED)
        w->reason = ev->reason;
    if (answer && w->id && ev->packet_id == w->id) {
        uint16_t n = ev->count < w->cap ? ev->count : w->cap;
        if (w->codes && n)
            memcpy(w->codes, ev->codes, n);
        w->count = ev->count;
        w->reason = ev->reason;
        w->status = ev->status;
        w->done = true;
    }
    if (w->app_cb)
        w->app_cb(c, ev, w->app_user);
}

static void wait_begin(mqtls_client_t *c, sync_wait_t *w, uint16_t id, uint8_t *codes,
                       uint16_t cap)
{
    *w = (sync_wait_t){.app_cb = c->cfg.on_event, .app_user = c->cfg.user, .id = id,
                       .codes = codes, .cap = cap};
    c->cfg.on_event = on_event;
    c->cfg.user = w;
}

static void wait_end(mqtls_client_t *c, const sync_wait_t *w)
{
    c->cfg.on_event = w->app_cb;
    c->cfg.user = w->app_user;
}

/* Steps until @p w is answered, the connection ends, or the time is up. */
static mqtls_status_t wait_for(mqtls_client_t *c, const sync_wait_t *w, uint32_t start,
                               uint32_t timeout)
{
    while (!w->done) {
        if (down(c))
            return c->last_status != MQTLS_OK ? c->last_status : MQTLS_ERR_CLOSED;
        uint32_t left = left_of(c, start, timeout);
        if (left == 0)
            return MQTLS_ERR_TIMEOUT;
        mqtls_status_t st = wait_and_step(c, left);
        if (st != MQTLS_OK && !w->done)
            return st;
    }
    return MQTLS_OK;
}

/* Subscribes or publishes and then waits for the answer to packet @p id. */
static mqtls_status_t await(mqtls_client_t *c, uint16_t id, uint8_t *codes, uint16_t cap,
                            uint32_t start, uint32_t timeout, sync_wait_t *w)
{
    wait_begin(c, w, id, codes, cap);
    mqtls_status_t st = wait_for(c, w, start, timeout);
    wait_end(c, w);
    return st;
}

mqtls_status_t mqtls_sync_connect(mqtls_client_t *c, const mqtls_connect_opts_t *opts,
                                  uint8_t *reason)
{
    mqtls_status_t st = mqtls_connect(c, opts);
    if (st != MQTLS_OK)
        return st;
    sync_wait_t w;
    wait_begin(c, &w, 0, NULL, 0);
    st = mqtls_step(c); /* opens the transport: there is nothing to wait on before */
    while (st == MQTLS_OK && c->state != MQTLS_STATE_CONNECTED &&
           c->state != MQTLS_STATE_DISCONNECTED)
        st = wait_and_step(c, UINT32_MAX);
    wait_end(c, &w);
    if (reason)
        *reason = w.reason;
    if (c->state == MQTLS_STATE_CONNECTED)
        return MQTLS_OK;
    return c->last_status != MQTLS_OK ? c->last_status : st;
}

mqtls_status_t mqtls_sync_publish(mqtls_client_t *c, const mqtls_publish_t *pub,
                                  uint32_t timeout_ms)
{
    uint32_t start = mqtls__now(c);
    uint16_t id;
    mqtls_status_t st;
    while ((st = mqtls_publish(c, pub, &id)) == MQTLS_ERR_INFLIGHT_FULL) {
        if (down(c)) /* nothing will free the window: say why instead of spinning */
            return c->last_status != MQTLS_OK ? c->last_status : MQTLS_ERR_CLOSED;
        uint32_t left = left_of(c, start, timeout_ms);
        if (left == 0)
            return MQTLS_ERR_TIMEOUT;
        if ((st = wait_and_step(c, left)) != MQTLS_OK)
            return st;
    }
    if (st != MQTLS_OK || pub->qos == 0)
        return st == MQTLS_OK ? mqtls_flush(c) : st; /* a blocking publish has left */
    sync_wait_t w;
    st = await(c, id, NULL, 0, start, timeout_ms, &w);
    return st == MQTLS_OK ? w.status : st;
}

mqtls_status_t mqtls_sync_subscribe(mqtls_client_t *c, const mqtls_subscription_t *subs,
                                    uint16_t n, const mqtls_props_t *props, uint8_t *codes,
                                    uint32_t timeout_ms)
{
    uint16_t id;
    uint32_t start = mqtls__now(c);
    mqtls_status_t st = mqtls_subscribe(c, subs, n, props, &id);
    if (st != MQTLS_OK)
        return st;
    sync_wait_t w;
    st = await(c, id, codes, n, start, timeout_ms, &w);
    if (st == MQTLS_OK && w.count != n)
        st = MQTLS_ERR_PROTOCOL; /* one code per filter [MQTT-3.8.4-6] */
    return st;
}

mqtls_status_t mqtls_sync_unsubscribe(mqtls_client_t *c, const mqtls_str_t *filters, uint16_t n,
                                      const mqtls_props_t *props, uint32_t timeout_ms)
{
    uint16_t id;
    uint32_t start = mqtls__now(c);
    mqtls_status_t st = mqtls_unsubscribe(c, filters, n, props, &id);
    if (st != MQTLS_OK)
        return st;
    sync_wait_t w;
    return await(c, id, NULL, 0, start, timeout_ms, &w);
}

mqtls_status_t mqtls_sync_run(mqtls_client_t *c, uint32_t timeout_ms)
{
    uint32_t start = mqtls__now(c);
    for (;;) {
        if (down(c))
            return c->last_status != MQTLS_OK ? c->last_status : MQTLS_ERR_CLOSED;
        uint32_t left = left_of(c, start, timeout_ms);
        if (left == 0)
            return MQTLS_OK;
        mqtls_status_t st = wait_and_step(c, left);
        if (st != MQTLS_OK)
            return st;
    }
}

mqtls_status_t mqtls_sync_drain(mqtls_client_t *c, uint32_t timeout_ms)
{
    uint32_t start = mqtls__now(c);
    while (c->inflight_count) {
        if (down(c))
            return c->last_status != MQTLS_OK ? c->last_status : MQTLS_ERR_CLOSED;
        uint32_t left = left_of(c, start, timeout_ms);
        if (left == 0)
            return MQTLS_ERR_TIMEOUT;
        mqtls_status_t st = wait_and_step(c, left);
        if (st != MQTLS_OK)
            return st;
    }
    return mqtls_flush(c);
}

#endif
