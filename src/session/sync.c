/**
 * @file sync.c
 * @brief The blocking convenience layer: mqtls_step() in a loop around the transport's wait.
 */
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

/* Steps until wait_done, the connection ends, or the time is up. */
static mqtls_status_t wait_for(mqtls_client_t *c, uint32_t start, uint32_t timeout)
{
    while (!c->wait_done) {
        if (down(c))
            return c->last_status != MQTLS_OK ? c->last_status : MQTLS_ERR_CLOSED;
        uint32_t left = left_of(c, start, timeout);
        if (left == 0)
            return MQTLS_ERR_TIMEOUT;
        mqtls_status_t st = wait_and_step(c, left);
        if (st != MQTLS_OK && !c->wait_done)
            return st;
    }
    return MQTLS_OK;
}

static void wait_begin(mqtls_client_t *c, uint16_t id, uint8_t *codes, uint16_t cap)
{
    c->wait_id = id;
    c->wait_done = false;
    c->wait_reason = 0;
    c->wait_status = MQTLS_OK;
    c->wait_codes = codes;
    c->wait_cap = cap;
    c->wait_count = 0;
}

static void wait_end(mqtls_client_t *c)
{
    c->wait_id = 0;
    c->wait_codes = NULL;
}

mqtls_status_t mqtls_sync_connect(mqtls_client_t *c, const mqtls_connect_opts_t *opts,
                                  uint8_t *reason)
{
    mqtls_status_t st = mqtls_connect(c, opts);
    if (st != MQTLS_OK)
        return st;
    c->wait_reason = 0;
    st = mqtls_step(c); /* opens the transport: there is nothing to wait on before */
    while (st == MQTLS_OK && c->state != MQTLS_STATE_CONNECTED &&
           c->state != MQTLS_STATE_DISCONNECTED)
        st = wait_and_step(c, UINT32_MAX);
    if (reason)
        *reason = c->wait_reason;
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
    wait_begin(c, id, NULL, 0);
    st = wait_for(c, start, timeout_ms);
    wait_end(c);
    if (st == MQTLS_OK)
        st = c->wait_status;
    return st;
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
    wait_begin(c, id, codes, n);
    st = wait_for(c, start, timeout_ms);
    if (st == MQTLS_OK && c->wait_count != n)
        st = MQTLS_ERR_PROTOCOL; /* one code per filter [MQTT-3.8.4-6] */
    wait_end(c);
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
    wait_begin(c, id, NULL, 0);
    st = wait_for(c, start, timeout_ms);
    wait_end(c);
    return st;
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
