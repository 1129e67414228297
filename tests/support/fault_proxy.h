/**
 * @file fault_proxy.h
 * @brief A fault-injecting TCP proxy for tests: forwards bytes between clients and a
 *        broker and cuts connections on demand, at any byte (mid-packet included).
 *
 * The proxy listens on 127.0.0.1 (a free port) and runs in its own thread. Each accepted
 * client gets its own connection to the upstream address; bytes are forwarded both ways
 * through small buffers (non-blocking: a slow side never stalls the other connections).
 *
 * A cut is armed with fault_proxy_cut_after(): once that many more bytes have been
 * forwarded (counting both directions of every connection), the chunk that crosses the
 * budget is forwarded only up to it, and then both sockets of that connection are closed
 * (the client and the broker each see the connection end, without DISCONNECT), every other
 * time abortively (RST) unless fault_proxy_set_close_mode() says otherwise. Armed
 * while no connection is up, the budget applies to the next one, so a small budget cuts a
 * reconnect in its CONNECT, CONNACK or the resends that follow.
 *
 * The proxy follows MQTT framing in both directions only to say where a cut fell: on a
 * packet boundary, or inside a packet (fault_proxy_stats_t::cuts_mid_packet).
 */
#ifndef MQTLS_TEST_FAULT_PROXY_H
#define MQTLS_TEST_FAULT_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What the proxy has done so far. */
typedef struct fault_proxy_stats {
    unsigned accepted;        /**< client connections accepted */
    unsigned refused;         /**< accepted but closed: the upstream connect failed */
    unsigned cuts;            /**< connections the proxy cut */
    unsigned cuts_mid_packet; /**< ... with a packet partly forwarded in some direction */
    unsigned cuts_up;         /**< ... while forwarding client -> broker bytes */
    unsigned cuts_down;       /**< ... while forwarding broker -> client bytes */
    unsigned peer_closed;     /**< connections ended by the client or the broker */
    uint64_t bytes_up;        /**< client -> broker bytes forwarded */
    uint64_t bytes_down;      /**< broker -> client bytes forwarded */
} fault_proxy_stats_t;

typedef struct fault_proxy fault_proxy_t;

/**
 * Starts a proxy to @p host (a numeric IPv4 address) port @p port.
 * @return the proxy, or NULL (reason printed)
 */
fault_proxy_t *fault_proxy_start(const char *host, uint16_t port);

/** The 127.0.0.1 port clients connect to. */
uint16_t fault_proxy_port(const fault_proxy_t *p);

/** Arms a cut after @p bytes more forwarded bytes (at least 1); replaces an armed cut. */
void fault_proxy_cut_after(fault_proxy_t *p, uint64_t bytes);

/** How cuts close the sockets: 0 alternately FIN and RST (the default), 1 always RST
 *  (abortive: the peer's next send fails), 2 always FIN. */
void fault_proxy_set_close_mode(fault_proxy_t *p, int mode);

/** Forgets an armed cut. */
void fault_proxy_disarm(fault_proxy_t *p);

/** Is a cut armed (not yet done)? */
bool fault_proxy_armed(fault_proxy_t *p);

/** A copy of the counters. */
void fault_proxy_get_stats(fault_proxy_t *p, fault_proxy_stats_t *out);

/** Stops the thread, closes every socket and frees @p p (NULL is fine). */
void fault_proxy_stop(fault_proxy_t *p);

#ifdef __cplusplus
}
#endif
#endif
