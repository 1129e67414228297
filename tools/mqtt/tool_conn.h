/**
 * @file tool_conn.h
 * @brief One MQTT connection for the tool: the client context with heap-allocated buffers
 *        and tables, the TCP transport (with TLS: tool_tls.h; -A binds either), the -d
 *        packet printer (tool_trace.h, on the library's trace hook), a poll() loop around
 *        mqtls_step(), and error reporting.
 */
#ifndef TOOL_CONN_H
#define TOOL_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/client.h"
#include "mqtls/transport_tcp.h"
#include "common/tool_opts.h"
#include "mqtt/tool_tls.h"
#include "mqtls/store_file.h"
#include "mqtt/tool_trace.h"

/** Receives every event after the connection's own bookkeeping. */
typedef void (*tool_conn_handler)(void *user, const mqtls_event_t *ev);

/** Memory sizes a command asks for. */
typedef struct tool_conn_sizes {
    size_t rx;          /**< receive buffer (5.0: advertised as Maximum Packet Size) */
    size_t tx;
    size_t store;       /**< RAM message store for outgoing QoS 1/2 */
    uint16_t inflight;
    uint16_t qos2_in;   /**< 5.0: advertised as Receive Maximum */
    uint16_t alias_slots; /**< 5.0: advertised as Topic Alias Maximum */
    bool coalesce;
    bool reconnect;     /**< survive a lost connection: reconnect with backoff */
} tool_conn_sizes_t;

/** The connection. */
typedef struct tool_conn {
    const tool_cfg_t *cfg;
    mqtls_client_t client;
    mqtls_tcp_t tcp;
    tool_tls_t *tls;      /**< with TLS (on the heap), else NULL */
    tool_trace_t trace;   /**< -d: the packet printer's context */
    mqtls_connect_opts_t opts;
    uint8_t *rx;
    size_t rx_size;
    uint8_t *tx;
    uint8_t *store_mem;
    mqtls_inflight_t *inflight;
    uint16_t *qos2;
    char *alias;
    char *out_alias;      /**< pub with a topic alias: the topics of our aliases */
    mqtls_ram_store_t store;
    mqtls_file_store_t file_store; /**< --session-dir */
    mqtls_file_entry_t *file_entries;
    uint8_t *file_buf;
    tool_conn_handler handler;
    void *user;
    bool connected;     /**< CONNACK accepted and not lost since */
    bool reconnect;     /**< a lost connection is retried (sizes.reconnect) */
    bool ever_connected; /**< a CONNACK was accepted once: later failures are retried */
    bool failed;        /**< CONNECT_FAILED arrived */
    bool lost;          /**< DISCONNECTED arrived, and no reconnect follows */
    mqtls_status_t status;  /**< why it failed / was lost */
    uint8_t reason;
    uint32_t size;      /**< MQTLS_ERR_PACKET_TOO_LARGE: the packet's size */
    char server_says[512]; /**< 5.0 DISCONNECT from the broker: its Reason String and
                                Server Reference, in words ("" when none) */
} tool_conn_t;

/**
 * Checks the connection settings pub and sub share that no option handler can check alone
 * (an empty host name), so that they fail as usage errors before anything is read or sent.
 * @return TOOL_EXIT_OK or TOOL_EXIT_USAGE (message printed)
 */
int tool_conn_check(const tool_cfg_t *cfg);

/**
 * Sets up the client and connects, waiting for CONNACK (up to @p timeout_ms, 0: the
 * library's default). Prints what went wrong.
 * @return TOOL_EXIT_OK, TOOL_EXIT_CONNECT, TOOL_EXIT_REFUSED, TOOL_EXIT_TIMEOUT (only when
 *         @p timeout_is_exit), TOOL_EXIT_USAGE or TOOL_EXIT_ERROR
 */
int tool_conn_open(tool_conn_t *tc, const tool_cfg_t *cfg, const tool_conn_sizes_t *sz,
                   tool_conn_handler handler, void *user, uint32_t timeout_ms,
                   bool timeout_is_exit);

/**
 * Waits (at most @p max_ms, less when the client needs to run sooner) for the socket or
 * @p extra_fd (-1: none) to become readable, then runs mqtls_step().
 * @param[out] extra_ready whether @p extra_fd is readable (may be NULL)
 */
mqtls_status_t tool_conn_poll(tool_conn_t *tc, int extra_fd, uint32_t max_ms,
                              bool *extra_ready);

/** Prints why the connection was lost and returns the exit code for it. */
int tool_conn_lost_exit(tool_conn_t *tc);

/**
 * Keeps the connection running (at most @p max_ms) until every incoming QoS 2 message has
 * had its PUBREL and PUBCOMP, so that disconnecting does not cut an exchange short. Input
 * paused with mqtls_pause() is resumed for it; it stops early when the handler declines a
 * message (mqtls_decline()), which leaves the rest unread.
 */
void tool_conn_settle(tool_conn_t *tc, uint32_t max_ms);

/**
 * Flushes, sends DISCONNECT (5.0: with the -D disconnect properties) if still connected,
 * and frees everything.
 */
void tool_conn_close(tool_conn_t *tc);

/** The socket of the connection, or -1. */
int tool_conn_fd(const tool_conn_t *tc);

/**
 * A transmit buffer size for @p cfg: room for the largest packet the tool builds whole
 * (CONNECT with will and properties, SUBSCRIBE with every filter) plus 64 KiB.
 */
size_t tool_conn_tx_size(const tool_cfg_t *cfg);

/** Tells whether a 5.0 reason code (or 3.1.1 SUBACK code) means failure. */
bool tool_reason_failed(uint8_t reason);

#endif
