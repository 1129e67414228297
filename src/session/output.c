/**
 * @file output.c
 * @brief Everything the client writes goes through here: tx_buf, coalescing, whole sends.
 */
#include <string.h>

#include "session_internal.h"

/* Moves what the transport did not take of tx_buf to its start, to leave on a later step.
 * The stall clock runs from @p last, when the last byte left. */
static mqtls_status_t defer(mqtls_client_t *c, const mqtls_iov_t *rest, uint32_t last,
                           uint32_t now)
{
    memmove(c->cfg.tx_buf, rest->base, rest->len);
    c->tx_len = rest->len;
    c->tx_blocked = true;
    c->tx_stall_ms = last;
    if (now - last >= MQTLS_CFG_SEND_TIMEOUT_MS)
        return mqtls__fail(c, MQTLS_ERR_TIMEOUT, 0);
    return MQTLS_OK;
}

static mqtls_status_t send_iov(mqtls_client_t *c, mqtls_iov_t *iov, size_t n, bool may_defer)
{
    /* When the last byte left, read from the clock only once the transport stops taking
     * bytes (a write that never waits never needs it); a write that stalled on an earlier
     * step goes on stalling from then. */
    bool known = c->tx_blocked;
    uint32_t last = c->tx_stall_ms;
    size_t i = 0;
    while (i < n) {
        if (iov[i].len == 0) {
            i++;
            continue;
        }
        int32_t r = c->cfg.transport->send(c->cfg.transport_ctx, iov + i, n - i);
        if (r < 0)
            return mqtls__fail(c, (mqtls_status_t)-r, 0);
        if (r == 0) {
            uint32_t now = mqtls__now(c);
            if (!known)
                last = now, known = true;
            if (may_defer) /* only tx_buf's own bytes are left: nothing the caller owns */
                return defer(c, iov + i, last, now);
            if (c->interrupted)
                return mqtls__fail(c, MQTLS_ERR_INTERRUPTED, 0);
            /* The limit is on silence, not on the packet: a large message over a slow
             * link takes as long as it needs while bytes keep leaving. */
            uint32_t idle = now - last;
            if (idle >= MQTLS_CFG_SEND_TIMEOUT_MS)
                return mqtls__fail(c, MQTLS_ERR_TIMEOUT, 0);
            idle = MQTLS_CFG_SEND_TIMEOUT_MS - idle;
            if (c->cfg.transport->wait)
                (void)c->cfg.transport->wait(c->cfg.transport_ctx, 1,
                                             idle < MQTLS_CFG_SEND_WAIT_SLICE_MS
                                                 ? idle
                                                 : MQTLS_CFG_SEND_WAIT_SLICE_MS);
            continue;
        }
        known = false; /* bytes left: a stall from here starts at its first clock reading */
        size_t k = (size_t)r;
        while (k && i < n) {
            if (k >= iov[i].len) {
                k -= iov[i].len;
                i++;
            } else {
                iov[i].base = (const uint8_t *)iov[i].base + k;
                iov[i].len -= k;
                k = 0;
            }
        }
    }
    c->tx_blocked = false;
    c->last_tx_ms = mqtls__now(c);
    return MQTLS_OK;
}

mqtls_status_t mqtls__send_all(mqtls_client_t *c, mqtls_iov_t *iov, size_t n)
{
    return send_iov(c, iov, n, false);
}

static mqtls_status_t flush(mqtls_client_t *c, bool may_defer)
{
    if (!c || c->tx_len == 0)
        return MQTLS_OK;
    mqtls_iov_t iov = {c->cfg.tx_buf, c->tx_len};
    c->tx_len = 0;
    return send_iov(c, &iov, 1, may_defer);
}

mqtls_status_t mqtls_flush(mqtls_client_t *c)
{
    return flush(c, false);
}

mqtls_status_t mqtls__flush_soon(mqtls_client_t *c)
{
    return flush(c, true);
}

/* If the tail of tx_buf is too small, flushes and retries from the start, so NO_SPACE
 * means the packet does not fit the buffer at all. */
mqtls_status_t mqtls__encode_at_tail(mqtls_client_t *c, const void *what, bool publish_header,
                                     size_t *len)
{
    for (int pass = 0; pass < 2; pass++) {
        uint8_t *at = c->cfg.tx_buf + c->tx_len;
        size_t room = c->cfg.tx_size - c->tx_len;
        mqtls_status_t st =
            publish_header ? mqtls_encode_publish_header(what, c->version, at, room, len)
                           : mqtls_encode(what, c->version, at, room, len);
        if (st != MQTLS_ERR_NO_SPACE || c->tx_len == 0)
            return st;
        if ((st = mqtls_flush(c)) != MQTLS_OK)
            return st;
    }
    return MQTLS_ERR_NO_SPACE;
}

mqtls_status_t mqtls__emit(mqtls_client_t *c, size_t hlen, const uint8_t *payload, size_t plen,
                           mqtls_tx_mode_t mode)
{
    size_t used = c->tx_len + hlen;
    if (mode == MQTLS__TX_LATER && plen <= c->cfg.tx_size - used) {
        if (plen)
            memcpy(c->cfg.tx_buf + used, payload, plen);
        c->tx_len = used + plen;
        return MQTLS_OK;
    }
    /* Waiting bytes, header and payload leave in one gathered write; the payload is sent
     * from the caller's memory, so only a packet without one may be left for a later step. */
    mqtls_iov_t iov[2] = {{c->cfg.tx_buf, used}, {payload, plen}};
    c->tx_len = 0;
    return send_iov(c, iov, plen ? 2u : 1u, mode == MQTLS__TX_SOON && !plen);
}

/* The broker's Maximum Packet Size binds every packet we send [MQTT-3.2.2-15]. What the
 * receiver may do without goes first (Reason String, User Properties: they only inform);
 * a packet still too large is refused before anything is sent. */
static mqtls_status_t fit_server_limit(const mqtls_client_t *c, mqtls_packet_t *p)
{
    size_t size;
    mqtls_props_t *pr = p->type == MQTLS_SUBSCRIBE || p->type == MQTLS_UNSUBSCRIBE
                            ? &p->u.subscribe.props
                            : &p->u.ack.props;
    if (!mqtls__is_v5(c) || p->type < MQTLS_SUBSCRIBE || p->type == MQTLS_PINGREQ)
        return MQTLS_OK; /* (CONNECT precedes the limit; PINGREQ has nothing to drop) */
    for (int pass = 0;; pass++) {
        mqtls_status_t st = mqtls_encode_size(p, c->version, &size);
        if (st != MQTLS_OK || size <= c->server_max_packet)
            return st;
        if (pass)
            return MQTLS_ERR_SERVER_LIMIT;
        pr->present &= ~(MQTLS_PROPBIT(MQTLS_PROP_REASON_STRING) |
                         MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY));
        pr->user_count = 0;
    }
}

mqtls_status_t mqtls__send_packet(mqtls_client_t *c, mqtls_packet_t *pkt)
{
    size_t len;
    mqtls_status_t st = fit_server_limit(c, pkt);
    if (st == MQTLS_OK)
        st = mqtls__encode_tail(c, pkt, &len);
    /* DISCONNECT is followed by closing the transport: it must have left by then. */
    return st != MQTLS_OK ? st
                          : mqtls__emit_packet(c, pkt, len, NULL, 0,
                                               pkt->type == MQTLS_DISCONNECT ? MQTLS__TX_NOW
                                                                             : MQTLS__TX_SOON);
}

mqtls_status_t mqtls__send_ack(mqtls_client_t *c, mqtls_packet_type_t t, uint16_t id,
                               uint8_t reason)
{
    mqtls_packet_t p;
    size_t len;
    if (c->state != MQTLS_STATE_CONNECTED) /* the callback ended the connection meanwhile */
        return MQTLS_OK;
    memset(&p.u.ack, 0, sizeof p.u.ack);
    p.type = t;
    p.u.ack.packet_id = id;
    p.u.ack.reason = mqtls__is_v5(c) ? reason : 0;
    mqtls_status_t st = mqtls__encode_tail(c, &p, &len);
    /* A PUBCOMP leaves at once: the QoS 2 id it ends is forgotten only once it has. */
    mqtls_tx_mode_t mode = t == MQTLS_PUBCOMP    ? MQTLS__TX_NOW
                           : c->cfg.tx_coalesce ? MQTLS__TX_LATER
                                                : MQTLS__TX_SOON;
    return st != MQTLS_OK ? st : mqtls__emit_packet(c, &p, len, NULL, 0, mode);
}
