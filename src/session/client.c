/**
 * @file client.c
 * @brief The client's life cycle: init, connect, step, publish, subscribe, disconnect.
 */
#include <string.h>

#include "session_internal.h"

void mqtls_client_init(mqtls_client_t *c, const mqtls_client_cfg_t *cfg)
{
    memset(c, 0, sizeof *c);
    if (cfg)
        c->cfg = *cfg;
    /* What a broker allows until its CONNACK says otherwise (publishes may be queued
     * before the first connection). */
    mqtls__limits_default(c);
}

MQTLS__NOINLINE static void build_connect(const mqtls_client_t *c,
                                          const mqtls_connect_opts_t *opts, mqtls_packet_t *p);

/* A connection attempt starts (the application's, or a scheduled reconnect). */
MQTLS__NOINLINE static void begin_connect(mqtls_client_t *c)
{
    c->backoff = false;
    c->state = MQTLS_STATE_CONNECTING;
    c->connect_start_ms = mqtls__now(c);
    c->rx_len = 0;
    c->tx_len = 0;
    c->tx_blocked = false;
    c->rx_paused = false;
    c->last_status = MQTLS_OK;
    c->last_too_large = 0;
#if MQTLS_CFG_TRACE
    c->rx_traced = false; /* (a packet declined on the last connection went with it) */
#endif
}

MQTLS__NOINLINE static bool cfg_usable(const mqtls_client_cfg_t *g)
{
    return g->transport && g->transport->connect && g->transport->send && g->transport->recv &&
           g->transport->close && g->platform && g->platform->now_ms && g->rx_buf &&
           g->rx_size >= 16 && g->tx_buf && g->tx_size >= 16 &&
           (g->inflight_cap == 0 || g->inflight) && (g->qos2_in_cap == 0 || g->qos2_in) &&
           (g->alias_slots == 0 || (g->alias_buf && g->alias_slot_size > 2));
}

mqtls_status_t mqtls_connect(mqtls_client_t *c, const mqtls_connect_opts_t *opts)
{
    if (!c || !opts || !opts->host || opts->port == 0 || !cfg_usable(&c->cfg))
        return MQTLS_ERR_BAD_PARAM;
    if (c->state != MQTLS_STATE_DISCONNECTED)
        return MQTLS_ERR_STATE; /* (a scheduled reconnect may be replaced: it is disconnected) */
    /* (A version that is not known, or not built in, is refused by mqtls_encode_size()
     * below: MQTLS_ERR_BAD_PARAM, MQTLS_ERR_UNSUPPORTED.) */
    mqtls_version_t v = opts->connect.version;
    /* 3.1 allows client ids of 1 to 23 characters. Checked here, not in the codec: a packet
     * with another one is well formed, a 3.1 broker answers it with "identifier rejected". */
    if (MQTLS_CFG_MQTT31 && v == MQTLS_V31 &&
        (opts->connect.client_id.len == 0 || opts->connect.client_id.len > 23))
        return MQTLS_ERR_BAD_PARAM;
    if (opts->connect.will && opts->connect.will_qos == 2 && !MQTLS_CFG_QOS2)
        return MQTLS_ERR_UNSUPPORTED;
    /* Bad CONNECT fields are the caller's to hear about now, not after the network. */
    mqtls_packet_t p;
    size_t size;
    build_connect(c, opts, &p);
    mqtls_status_t st = mqtls_encode_size(&p, v, &size);
    if (st != MQTLS_OK)
        return st;
    if (size > c->cfg.tx_size)
        return MQTLS_ERR_NO_SPACE;
    c->opts = opts;
    c->version = v;
    c->stopping = false;
    c->resume = false;
    c->interrupted = false;
    c->attempt = 0;
    begin_connect(c);
    return MQTLS_OK;
}

static uint32_t connect_timeout(const mqtls_client_t *c)
{
    return c->opts->connect_timeout_ms ? c->opts->connect_timeout_ms
                                       : MQTLS_CFG_CONNECT_TIMEOUT_MS;
}

static uint32_t ping_timeout(const mqtls_client_t *c)
{
    return c->opts->ping_timeout_ms ? c->opts->ping_timeout_ms : MQTLS_CFG_PING_TIMEOUT_MS;
}

/* A limit we advertise, lowered to what our memory can hold (@p ours): the broker must
 * respect it. The caller's own value @p cur stays if it is lower. */
static uint32_t advertise(mqtls_props_t *p, uint8_t id, uint32_t cur, uint32_t ours)
{
    uint64_t bit = MQTLS_PROPBIT(id);
    uint32_t v = (p->present & bit) && cur <= ours ? cur : ours;
    p->present |= bit;
    return v;
}

/* The CONNECT this client sends for @p opts: the caller's fields, with the limits we
 * advertise in 5.0 lowered to what our memory holds. */
MQTLS__NOINLINE static void build_connect(const mqtls_client_t *c,
                                          const mqtls_connect_opts_t *opts, mqtls_packet_t *p)
{
    p->type = MQTLS_CONNECT;
    p->u.connect = opts->connect;
    if (c->resume) /* a reconnect picks the session up where the link dropped it */
        p->u.connect.clean_start = false;
    if (!MQTLS_CFG_MQTT5 || opts->connect.version != MQTLS_V5)
        return;
    mqtls_props_t *pr = &p->u.connect.props;
    size_t rx = c->cfg.rx_size < MQTLS_VBI_MAX + 5u ? c->cfg.rx_size : MQTLS_VBI_MAX + 5u;
    pr->maximum_packet_size = advertise(pr, MQTLS_PROP_MAXIMUM_PACKET_SIZE,
                                        pr->maximum_packet_size, (uint32_t)rx);
    if (c->cfg.qos2_in_cap) /* (both are 16 bits, as the properties are) */
        pr->receive_maximum = (uint16_t)advertise(pr, MQTLS_PROP_RECEIVE_MAXIMUM,
                                                  pr->receive_maximum, c->cfg.qos2_in_cap);
    if (c->cfg.alias_slots)
        pr->topic_alias_maximum = (uint16_t)advertise(pr, MQTLS_PROP_TOPIC_ALIAS_MAXIMUM,
                                                      pr->topic_alias_maximum,
                                                      c->cfg.alias_slots);
    else /* no room for aliases: the broker must not use any (default maximum 0) */
        pr->present &= ~MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS_MAXIMUM);
}

static mqtls_status_t send_connect(mqtls_client_t *c)
{
    mqtls_packet_t p;
    build_connect(c, c->opts, &p);
    mqtls_status_t st = mqtls__send_packet(c, &p);
    if (st == MQTLS_OK)
        c->state = MQTLS_STATE_WAIT_CONNACK;
    else if (c->state != MQTLS_STATE_DISCONNECTED)
        st = mqtls__fail(c, st, 0);
    return st;
}

static mqtls_status_t step_connecting(mqtls_client_t *c)
{
    mqtls_status_t st = c->cfg.transport->connect(c->cfg.transport_ctx, c->opts->host,
                                                  c->opts->port);
    if (st == MQTLS_OK)
        return send_connect(c);
    if (st != MQTLS_IN_PROGRESS)
        return mqtls__fail(c, st, 0);
    return MQTLS_OK;
}


/* Time left on the timer that runs in the client's state (the reconnect delay, the connect
 * timeout, the PINGRESP wait, or keep-alive's: silence either way counts, since a link we
 * only write to can be dead too, half-open). 0: it has run out. */
static uint32_t timer_left(const mqtls_client_t *c, uint32_t now)
{
    uint32_t since, span;
    if (c->state == MQTLS_STATE_DISCONNECTED) {
        since = c->backoff_start_ms, span = c->backoff_delay_ms;
    } else if (c->state != MQTLS_STATE_CONNECTED) {
        since = c->connect_start_ms, span = connect_timeout(c);
    } else if (c->ping_outstanding) {
        since = c->ping_sent_ms, span = ping_timeout(c);
    } else {
        span = (uint32_t)c->keep_alive_s * 1000u;
        if (!span)
            return UINT32_MAX;
        /* the longer silence of the two runs out first */
        since = now - c->last_tx_ms > now - c->last_rx_ms ? c->last_tx_ms : c->last_rx_ms;
    }
    uint32_t spent = now - since;
    return spent >= span ? 0 : span - spent;
}

/* Time-driven work: connect timeout, PINGREQ on an idle link, a late PINGRESP. */
static mqtls_status_t step_timers(mqtls_client_t *c)
{
    uint32_t now = mqtls__now(c);
    if (timer_left(c, now))
        return MQTLS_OK;
    if (c->state != MQTLS_STATE_CONNECTED)
        return mqtls__fail(c, MQTLS_ERR_TIMEOUT, 0);
    if (c->ping_outstanding)
        return mqtls__fail(c, MQTLS_ERR_KEEPALIVE_TIMEOUT, 0); /* the link is presumed dead */
    mqtls_packet_t p = {.type = MQTLS_PINGREQ};
    mqtls_status_t st = mqtls__send_packet(c, &p);
    if (st != MQTLS_OK)
        return st;
    c->ping_outstanding = true;
    c->ping_sent_ms = now;
    return MQTLS_OK;
}

mqtls_status_t mqtls_step(mqtls_client_t *c)
{
    if (!c)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_status_t st = MQTLS_OK;
    if (c->state == MQTLS_STATE_DISCONNECTED && c->backoff) {
        if (timer_left(c, mqtls__now(c)))
            return MQTLS_OK;
        begin_connect(c);
    }
    if (c->state == MQTLS_STATE_CONNECTING)
        st = step_connecting(c);
    if (st == MQTLS_OK && c->state >= MQTLS_STATE_WAIT_CONNACK)
        st = mqtls__flush_soon(c);
    if (st == MQTLS_OK && c->state >= MQTLS_STATE_WAIT_CONNACK)
        st = mqtls__receive(c);
    if (st == MQTLS_OK && c->state != MQTLS_STATE_DISCONNECTED)
        st = step_timers(c);
    if (st == MQTLS_OK && c->state >= MQTLS_STATE_WAIT_CONNACK)
        st = mqtls__flush_soon(c);
    return st;
}

uint32_t mqtls_next_timeout_ms(const mqtls_client_t *c)
{
    if (!c || (c->state == MQTLS_STATE_DISCONNECTED && !c->backoff))
        return UINT32_MAX;
    if (c->state == MQTLS_STATE_CONNECTED && c->tx_blocked) /* output waits for room */
        return MQTLS_CFG_SEND_WAIT_SLICE_MS;                 /* try again soon */
    return timer_left(c, mqtls__now(c));
}

/* SUBSCRIBE and UNSUBSCRIBE differ only in their entries (@p entries: subscriptions or
 * filters; the encoder reads the one its type has). */
MQTLS__NOINLINE static mqtls_status_t send_sub(mqtls_client_t *c, mqtls_packet_type_t t,
                                               const void *entries, uint16_t n,
                                               const mqtls_props_t *props, uint16_t *packet_id)
{
    if (!c || !entries || n == 0)
        return MQTLS_ERR_BAD_PARAM;
    if (c->state != MQTLS_STATE_CONNECTED)
        return MQTLS_ERR_STATE;
    const mqtls_subscription_t *subs = entries;
    for (uint16_t i = 0; !MQTLS_CFG_QOS2 && t == MQTLS_SUBSCRIBE && i < n; i++)
        if ((subs[i].options & MQTLS_SUB_QOS_MASK) == 2)
            return MQTLS_ERR_UNSUPPORTED;
    mqtls_packet_t p = {.type = t};
    p.u.subscribe.packet_id = mqtls__alloc_packet_id(c);
    p.u.subscribe.subs = subs;
    p.u.subscribe.filters = entries;
    p.u.subscribe.count = n;
    if (props)
        p.u.subscribe.props = *props;
    if (packet_id)
        *packet_id = p.u.subscribe.packet_id;
    return mqtls__send_packet(c, &p);
}

mqtls_status_t mqtls_subscribe(mqtls_client_t *c, const mqtls_subscription_t *subs, uint16_t n,
                               const mqtls_props_t *props, uint16_t *packet_id)
{
    return send_sub(c, MQTLS_SUBSCRIBE, subs, n, props, packet_id);
}

mqtls_status_t mqtls_unsubscribe(mqtls_client_t *c, const mqtls_str_t *filters, uint16_t n,
                                 const mqtls_props_t *props, uint16_t *packet_id)
{
    return send_sub(c, MQTLS_UNSUBSCRIBE, filters, n, props, packet_id);
}

/* DISCONNECT and AUTH share a shape: a reason code and properties. */
static mqtls_status_t send_reason_packet(mqtls_client_t *c, mqtls_packet_type_t t, uint8_t reason,
                                         const mqtls_props_t *props)
{
    mqtls_packet_t p = {.type = t};
    p.u.ack.reason = mqtls__is_v5(c) ? reason : 0;
    if (props && mqtls__is_v5(c))
        p.u.ack.props = *props;
    return mqtls__send_packet(c, &p);
}

mqtls_status_t mqtls_auth(mqtls_client_t *c, uint8_t reason, const mqtls_props_t *props)
{
    if (!c)
        return MQTLS_ERR_BAD_PARAM;
    if (!mqtls__is_v5(c))
        return MQTLS_ERR_UNSUPPORTED;
    if (c->state < MQTLS_STATE_WAIT_CONNACK)
        return MQTLS_ERR_STATE;
    return send_reason_packet(c, MQTLS_AUTH, reason, props);
}

#if MQTLS_CFG_DISCONNECT_LINGER_MS
/* After our DISCONNECT: reads (and drops) what the broker still sends until it closes, for
 * at most MQTLS_CFG_DISCONNECT_LINGER_MS (see there why). A small buffer of its own: this
 * may run inside a callback while the receive buffer is still being walked. */
static void linger(mqtls_client_t *c)
{
    const mqtls_transport_t *tr = c->cfg.transport;
    if (!tr->wait)
        return;
    uint8_t sink[64];
    uint32_t start = mqtls__now(c);
    for (;;) {
        int32_t n = tr->recv(c->cfg.transport_ctx, sink, sizeof sink);
        if (n < 0) /* closed by the broker (or failed): done */
            return;
        uint32_t spent = mqtls__now(c) - start;
        if (spent >= MQTLS_CFG_DISCONNECT_LINGER_MS)
            return;
        if (n == 0 && tr->wait(c->cfg.transport_ctx, 0, MQTLS_CFG_DISCONNECT_LINGER_MS - spent) ==
                          MQTLS_ERR_TIMEOUT)
            return;
    }
}
#endif

mqtls_status_t mqtls_disconnect(mqtls_client_t *c, uint8_t reason, const mqtls_props_t *props)
{
    if (!c)
        return MQTLS_ERR_BAD_PARAM;
    c->stopping = true;
    if (c->state == MQTLS_STATE_DISCONNECTED) {
        bool was_waiting = c->backoff;
        c->backoff = false; /* a scheduled reconnect is cancelled */
        return was_waiting ? MQTLS_OK : MQTLS_ERR_STATE;
    }
    mqtls_status_t st = MQTLS_OK;
    if (c->state == MQTLS_STATE_CONNECTED)
        st = send_reason_packet(c, MQTLS_DISCONNECT, reason, props);
    if (c->state == MQTLS_STATE_DISCONNECTED) /* the send failed and reported it */
        return st;
    if (st == MQTLS_ERR_SERVER_LIMIT) { /* refused before sending: still connected */
        c->stopping = false;
        return st;
    }
#if MQTLS_CFG_DISCONNECT_LINGER_MS
    if (st == MQTLS_OK && c->state == MQTLS_STATE_CONNECTED)
        linger(c);
#endif
    mqtls_event_t ev = {.status = MQTLS_OK, .reason = reason};
    mqtls__end(c, &ev);
    return st;
}

void mqtls_abort(mqtls_client_t *c)
{
    if (c)
        c->stopping = true, c->backoff = false;
    if (c)
        (void)mqtls__fail(c, MQTLS_OK, 0); /* (nothing if already disconnected) */
}

void mqtls_client_free(mqtls_client_t *c)
{
    if (!c || !c->cfg.transport)
        return;
    c->cfg.on_event = NULL; /* no events from a context being torn down */
    mqtls_abort(c);
    /* The store is left alone: what a durable store holds is the next run's to resend. */
    memset(c, 0, sizeof *c);
}

mqtls_client_state_t mqtls_state(const mqtls_client_t *c)
{
    return c ? c->state : MQTLS_STATE_DISCONNECTED;
}

bool mqtls_reconnect_pending(const mqtls_client_t *c)
{
    return c && c->state == MQTLS_STATE_DISCONNECTED && c->backoff;
}

uint16_t mqtls_inflight(const mqtls_client_t *c)
{
    return c ? c->inflight_count : 0;
}

uint16_t mqtls_qos2_open(const mqtls_client_t *c)
{
    return c ? c->qos2_in_count : 0;
}
