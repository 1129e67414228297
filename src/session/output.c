/**
 * @file output.c
 * @brief Everything the client writes goes through here: tx_buf, coalescing, whole sends.
 */
#include <string.h>

#include "session_internal.h"

mqtls_status_t mqtls__send_all(mqtls_client_t *c, mqtls_iov_t *iov, size_t n)
{
    uint32_t start = mqtls__now(c);
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
            uint32_t spent = mqtls__now(c) - start;
            if (spent >= MQTLS_CFG_SEND_TIMEOUT_MS)
                return mqtls__fail(c, MQTLS_ERR_TIMEOUT, 0);
            if (c->cfg.transport->wait)
                (void)c->cfg.transport->wait(c->cfg.transport_ctx, 1,
                                             MQTLS_CFG_SEND_TIMEOUT_MS - spent);
            continue;
        }
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
    c->last_tx_ms = mqtls__now(c);
    return MQTLS_OK;
}

mqtls_status_t mqtls_flush(mqtls_client_t *c)
{
    if (!c || c->tx_len == 0)
        return MQTLS_OK;
    mqtls_iov_t iov = {c->cfg.tx_buf, c->tx_len};
    c->tx_len = 0;
    return mqtls__send_all(c, &iov, 1);
}

/* Encodes with @p fn at the tail of tx_buf; if the tail is too small, flushes and retries
 * from the start, so NO_SPACE means the packet does not fit the buffer at all. */
static mqtls_status_t encode_tail(mqtls_client_t *c, const void *what, int publish_header,
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

mqtls_status_t mqtls__encode_tail(mqtls_client_t *c, const mqtls_packet_t *pkt, size_t *len)
{
    return encode_tail(c, pkt, 0, len);
}

mqtls_status_t mqtls__encode_publish_tail(mqtls_client_t *c, const mqtls_publish_t *pub,
                                          size_t *len)
{
    return encode_tail(c, pub, 1, len);
}

mqtls_status_t mqtls__emit(mqtls_client_t *c, size_t hlen, const uint8_t *payload, size_t plen,
                           bool coalesce)
{
    size_t used = c->tx_len + hlen;
    if (coalesce && plen <= c->cfg.tx_size - used) {
        if (plen)
            memcpy(c->cfg.tx_buf + used, payload, plen);
        c->tx_len = used + plen;
        return MQTLS_OK;
    }
    /* Waiting bytes, header and payload leave in one gathered write; the payload is sent
     * from the caller's memory. */
    mqtls_iov_t iov[2] = {{c->cfg.tx_buf, used}, {payload, plen}};
    c->tx_len = 0;
    return mqtls__send_all(c, iov, plen ? 2u : 1u);
}

mqtls_status_t mqtls__send_packet(mqtls_client_t *c, const mqtls_packet_t *pkt)
{
    size_t len;
    mqtls_status_t st = mqtls__encode_tail(c, pkt, &len);
    return st != MQTLS_OK ? st : mqtls__emit(c, len, NULL, 0, false);
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
    bool coalesce = c->cfg.tx_coalesce && t != MQTLS_PUBCOMP;
    return st != MQTLS_OK ? st : mqtls__emit(c, len, NULL, 0, coalesce);
}
