/**
 * @file session_internal.h
 * @brief What the session files share: output, QoS records, events, connection loss.
 *
 * Layering (no cycles; ctest static/session_cycles checks it from the compiler's call
 * graph): each file calls only the files after it in
 * sync.c > client.c > receive.c, publish.c > inflight.c > output.c > end.c,
 * where end.c, the leaf, emits events and ends connections; calls up go only through
 * function pointers (the event callback, the trace hook, the transport).
 */
#ifndef MQTLS_SESSION_INTERNAL_H
#define MQTLS_SESSION_INTERNAL_H

#include "mqtls/client.h"

/* For a helper that -Os would otherwise copy into each of its callers (a device image
 * counts every byte; the call is cheaper than the copies). */
#define MQTLS__NOINLINE __attribute__((noinline))

/* States of an outgoing QoS 1/2 record: the acknowledgement awaited next. */
#define OUT_WAIT_PUBACK 1u
#define OUT_WAIT_PUBREC 2u
#define OUT_WAIT_PUBCOMP 3u
/* Flag: to be resent on this connection once the broker's Receive Maximum allows. */
#define OUT_RESEND_PENDING 0x80u
/* Flag: queued while offline, never sent: its first send carries no DUP, and it survives a
 * broker that kept no session. */
#define OUT_NEVER_SENT 0x40u
#define OUT_STATE(s) ((uint8_t)((s) & 0x0Fu))

/* The broker's limits (server_max_qos, server_retain, server_max_packet, server_receive_max)
 * come from a 5.0 CONNACK. A 3.1.1 broker states none: the spec's defaults hold, under which
 * no check against them can fail (QoS 2 and retain are allowed, no packet the encoder takes is
 * larger, a window is never above 65535), so a 3.1.1-only build leaves those checks out. */
#define MQTLS__LIMITS MQTLS_CFG_MQTT5

/* Output (output.c). */
/** Encodes packet @p what, or with @p publish_header the header of PUBLISH @p what (payload
 *  left out), after any bytes already waiting in tx_buf; *len is its size. */
mqtls_status_t mqtls__encode_at_tail(mqtls_client_t *c, const void *what, bool publish_header,
                                     size_t *len);

static inline mqtls_status_t mqtls__encode_tail(mqtls_client_t *c, const mqtls_packet_t *pkt,
                                                size_t *len)
{
    return mqtls__encode_at_tail(c, pkt, false, len);
}

static inline mqtls_status_t mqtls__encode_publish_tail(mqtls_client_t *c,
                                                        const mqtls_publish_t *pub, size_t *len)
{
    return mqtls__encode_at_tail(c, pub, true, len);
}
/** How soon a packet must leave. */
typedef enum mqtls_tx_mode {
    MQTLS__TX_NOW,  /**< wholly written before the call returns (waiting for the network) */
    MQTLS__TX_SOON, /**< written as far as the transport takes it now; a control packet's
                         rest stays in tx_buf and leaves on the next steps (mqtls_step()
                         does not wait for a peer that reads slowly) */
    MQTLS__TX_LATER /**< coalesced: kept in tx_buf if it fits, until a flush */
} mqtls_tx_mode_t;

/** Sends what waits in tx_buf plus the @p hlen bytes encoded after it, then @p payload. */
mqtls_status_t mqtls__emit(mqtls_client_t *c, size_t hlen, const uint8_t *payload, size_t plen,
                           mqtls_tx_mode_t mode);
/** mqtls_flush() that leaves what the transport cannot take now for a later step. */
mqtls_status_t mqtls__flush_soon(mqtls_client_t *c);
/** Encodes and sends a control packet (5.0: within the broker's Maximum Packet Size, dropping
 *  its Reason String and User Properties if need be, else MQTLS_ERR_SERVER_LIMIT). */
mqtls_status_t mqtls__send_packet(mqtls_client_t *c, mqtls_packet_t *pkt);
/** Writes the whole of @p iov or fails the connection (no progress for
 *  MQTLS_CFG_SEND_TIMEOUT_MS, or mqtls_interrupt()). */
mqtls_status_t mqtls__send_all(mqtls_client_t *c, mqtls_iov_t *iov, size_t n);
/** Sends an acknowledgement (PUBACK..PUBCOMP) for @p id with @p reason. */
mqtls_status_t mqtls__send_ack(mqtls_client_t *c, mqtls_packet_type_t t, uint16_t id,
                               uint8_t reason);

/* QoS records (inflight.c). */
uint16_t mqtls__alloc_packet_id(mqtls_client_t *c);
int mqtls__out_find(const mqtls_client_t *c, uint16_t id, uint8_t state);
void mqtls__out_remove(mqtls_client_t *c, int idx);
int mqtls__qos2_in_find(const mqtls_client_t *c, uint16_t id);
mqtls_status_t mqtls__qos2_in_add(mqtls_client_t *c, uint16_t id);
void mqtls__qos2_in_remove(mqtls_client_t *c, int idx);
/** After CONNACK: resend in order within Receive Maximum (session present) or drop and
 *  report everything. */
mqtls_status_t mqtls__session_resume(mqtls_client_t *c, bool session_present);
/** Resends waiting records while the broker's Receive Maximum leaves room. */
mqtls_status_t mqtls__resend_pending(mqtls_client_t *c);

/* Events and connection loss (end.c, the leaf: it calls no other session file). */
void mqtls__emit_event(mqtls_client_t *c, mqtls_event_t *ev);
/** Closes the transport, marks the client disconnected and reports @p ev (its type is
 *  chosen here: CONNECT_FAILED before CONNACK, DISCONNECTED after). Returns ev->status. */
mqtls_status_t mqtls__end(mqtls_client_t *c, mqtls_event_t *ev);
/** Ends the connection for @p st (5.0: DISCONNECT with @p reason first when reason != 0). */
mqtls_status_t mqtls__fail(mqtls_client_t *c, mqtls_status_t st, uint8_t reason);

/* Incoming packets (receive.c). */
mqtls_status_t mqtls__receive(mqtls_client_t *c);
/** The broker's limits as the spec has them until a CONNACK sets its own. */
void mqtls__limits_default(mqtls_client_t *c);

/** The platform clock, in ms. */
uint32_t mqtls__now(const mqtls_client_t *c);

/** Whether a trace hook is set (always false in a build without MQTLS_CFG_TRACE). */
static inline bool mqtls__tracing(const mqtls_client_t *c)
{
#if MQTLS_CFG_TRACE
    return c->cfg.trace != NULL;
#else
    (void)c;
    return false;
#endif
}

/** Hands packet @p p (NULL: received, not decodable for @p st) to the trace hook, if any. */
static inline void mqtls__trace(mqtls_client_t *c, bool sent, const mqtls_packet_t *p,
                                uint8_t first, size_t size, mqtls_status_t st)
{
#if MQTLS_CFG_TRACE
    if (mqtls__tracing(c)) {
        mqtls_trace_t t = {.sent = sent, .packet = p, .first = first, .size = size,
                           .status = st};
        c->cfg.trace(c, &t, c->cfg.trace_ctx);
    }
#else
    (void)c, (void)sent, (void)p, (void)first, (void)size, (void)st;
#endif
}

static inline bool mqtls__is_v5(const mqtls_client_t *c)
{
    return MQTLS_CFG_MQTT5 && c->version == MQTLS_V5;
}

/** mqtls__emit() of packet @p pkt (encoded after tx_len), shown to the trace hook once it
 *  has left or waits in tx_buf. */
static inline mqtls_status_t mqtls__emit_packet(mqtls_client_t *c, const mqtls_packet_t *pkt,
                                                size_t hlen, const uint8_t *payload,
                                                size_t plen, mqtls_tx_mode_t mode)
{
    uint8_t first = mqtls__tracing(c) ? c->cfg.tx_buf[c->tx_len] : 0;
    mqtls_status_t st = mqtls__emit(c, hlen, payload, plen, mode);
    if (st == MQTLS_OK)
        mqtls__trace(c, true, pkt, first, hlen + plen, MQTLS_OK);
    return st;
}

#endif
