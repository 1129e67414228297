/**
 * @file client.h
 * @brief The MQTT session: connect, publish, subscribe, keep-alive, resend, flow control.
 *
 * The client does no I/O of its own: it drives a transport (transport.h) and reads time from
 * a platform clock (platform.h). It never allocates: the context, the buffers and the tables
 * below are the caller's.
 *
 * Driving it: call mqtls_connect(), then mqtls_step() whenever the transport is readable or
 * mqtls_next_timeout_ms() has passed (an RTOS task or an event loop does this). Results come
 * back through the event callback. The mqtls_sync_* functions at the end wrap this in
 * blocking calls for simple programs.
 *
 * Threads: a client is not locked. The functions taking a client are called from one
 * thread at a time, the one that drives it; the event callback runs on that thread, inside
 * mqtls_step() or a sync call, and may call only what mqtls_event_cb says; the trace hook
 * (mqtls_trace_cb) runs on it too, inside any call that sends or receives, and calls
 * nothing. The exception is mqtls_interrupt(), which may be called from a signal handler
 * or any other thread. Clients share nothing (the store and transport contexts are each
 * client's own): separate clients may run in separate threads.
 */
#ifndef MQTLS_CLIENT_H
#define MQTLS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/codec.h"
#include "mqtls/config.h"
#include "mqtls/platform.h"
#include "mqtls/status.h"
#include "mqtls/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mqtls_client mqtls_client_t;

/** Where the client is in its connection's life. */
typedef enum mqtls_client_state {
    MQTLS_STATE_DISCONNECTED = 0,
    MQTLS_STATE_CONNECTING,   /**< transport opening (DNS, TCP, TLS handshake) */
    MQTLS_STATE_WAIT_CONNACK, /**< CONNECT sent */
    MQTLS_STATE_CONNECTED
} mqtls_client_state_t;

/** What an event reports. */
typedef enum mqtls_event_type {
    MQTLS_EV_CONNECTED,         /**< CONNACK accepted: session_present, props */
    MQTLS_EV_CONNECT_FAILED,    /**< status (and reason for a CONNACK refusal) */
    MQTLS_EV_MESSAGE,           /**< an application message: message */
    MQTLS_EV_PUBLISH_DONE,      /**< a QoS 1/2 publish is acknowledged: packet_id, reason */
    MQTLS_EV_PUBLISH_DROPPED,   /**< a QoS 1/2 publish was dropped: packet_id, status why
                                     (MQTLS_OK: the broker kept no session) */
    MQTLS_EV_SUBACK,            /**< packet_id, codes/count (one per filter) */
    MQTLS_EV_UNSUBACK,          /**< packet_id, codes/count (5.0 only) */
    MQTLS_EV_AUTH,              /**< 5.0 AUTH from the broker: reason, props */
    MQTLS_EV_DISCONNECTED,      /**< the connection ended: status, reason, props */
    MQTLS_EV_RECONNECT_WAIT     /**< a reconnect follows in delay_ms (attempt: count) */
} mqtls_event_type_t;

/**
 * One event. Every pointer in it (message, props, codes) points into the client's receive
 * buffer and is valid only until the callback returns: copy what you keep.
 */
typedef struct mqtls_event {
    mqtls_event_type_t type;
    mqtls_status_t status;   /**< MQTLS_OK, or why (CONNECT_FAILED, DISCONNECTED, PUBLISH_DONE) */
    uint16_t packet_id;
    uint8_t reason;          /**< 5.0 reason code, 3.1.1 CONNACK return code */
    bool session_present;
    uint32_t size;           /**< MQTLS_ERR_PACKET_TOO_LARGE: the packet's size in bytes */
    uint32_t delay_ms;       /**< MQTLS_EV_RECONNECT_WAIT: time until the next attempt */
    uint16_t attempt;        /**< MQTLS_EV_RECONNECT_WAIT: attempts since the last stable link */
    bool permanent;          /**< CONNECT_FAILED: retrying cannot heal it (a CONNACK refusing
                                  the credentials, the client id, the protocol version ...):
                                  no reconnect follows unless cfg.reconnect_refused */
    const mqtls_publish_t *message; /**< topic already resolved from a topic alias */
    const mqtls_props_t *props;     /**< the packet's 5.0 properties (NULL if none) */
    const uint8_t *codes;
    uint16_t count;
} mqtls_event_t;

/**
 * The event callback. It may call mqtls_publish(), mqtls_pause() and mqtls_decline() (not
 * mqtls_step() or the sync calls).
 */
typedef void (*mqtls_event_cb)(mqtls_client_t *c, const mqtls_event_t *ev, void *user);

#if MQTLS_CFG_TRACE
/**
 * One packet the client sent or received, as the trace hook sees it. Like an event, every
 * pointer in it is valid only until the hook returns.
 */
typedef struct mqtls_trace {
    bool sent;                    /**< true: written to the transport; false: received */
    const mqtls_packet_t *packet; /**< the packet; NULL: a received one that could not be
                                       decoded (the client then ends the connection) */
    uint8_t first;                /**< its fixed header's first byte (type and flags) */
    size_t size;                  /**< its size in bytes, headers included */
    mqtls_status_t status;        /**< why it could not be decoded (MQTLS_OK when it was) */
} mqtls_trace_t;

/**
 * The trace hook (MQTLS_CFG_TRACE): called for each packet sent (once the transport has
 * taken it, or, coalesced, once it waits in tx_buf; a resent PUBLISH with DUP set) and
 * each packet received (before the client acts on it, once even if it is declined and
 * handled again), on the thread that drives the client. It may only look: it must not
 * call the client's functions.
 */
typedef void (*mqtls_trace_cb)(mqtls_client_t *c, const mqtls_trace_t *t, void *ctx);
#endif

/**
 * Where outgoing QoS 1/2 messages are kept until acknowledged, so that they can be resent
 * after a reconnect even when the application's buffers are gone. The client stores the
 * encoded PUBLISH (header, then payload) before it sends it.
 */
typedef struct mqtls_store {
    /** Keeps the packet made of @p iov under @p packet_id. Anything but MQTLS_OK refuses it. */
    mqtls_status_t (*put)(void *ctx, uint16_t packet_id, const mqtls_iov_t *iov, size_t iovcnt);
    /** Gives the packet back; *pkt stays valid until the next call on the store. */
    mqtls_status_t (*get)(void *ctx, uint16_t packet_id, const uint8_t **pkt, size_t *len);
    /** Forgets the packet (acknowledged, or dropped); an unknown id is no error. */
    void (*remove)(void *ctx, uint16_t packet_id);
    /**
     * Optional, for stores that outlive the process: the QoS 2 exchange of @p packet_id
     * reached PUBREL (the payload is no longer needed, the id is until PUBCOMP). Without it
     * the packet is removed at PUBREC.
     */
    void (*released)(void *ctx, uint16_t packet_id);
    /**
     * Optional: calls @p fn for every packet kept, oldest first, with whether it was
     * released. mqtls_client_restore() rebuilds the in-flight window from it; @p fn may
     * remove the packet it is given (one that cannot be read back).
     */
    void (*each)(void *ctx, void (*fn)(void *arg, uint16_t packet_id, bool released),
                 void *arg);
} mqtls_store_t;

/** A message store in a caller-provided RAM area (no heap). */
typedef struct mqtls_ram_store {
    uint8_t *buf;
    size_t size;
    size_t used;
} mqtls_ram_store_t;

/** Its operations; pass with a mqtls_ram_store_t as the context. */
MQTLS_API extern const mqtls_store_t mqtls_ram_store;

/** Prepares @p rs to keep packets in @p buf (each costs its size plus 6 bytes). */
MQTLS_API void mqtls_ram_store_init(mqtls_ram_store_t *rs, uint8_t *buf, size_t size);

/** One outgoing QoS 1/2 message awaiting its acknowledgement (4 bytes). */
typedef struct mqtls_inflight {
    uint16_t packet_id;
    uint8_t qos;
    uint8_t state; /**< internal: the acknowledgement awaited next */
} mqtls_inflight_t;

/** Everything the client is given once, at init. All memory stays the caller's. */
typedef struct mqtls_client_cfg {
    const mqtls_transport_t *transport;
    void *transport_ctx;
    const mqtls_platform_t *platform;
    uint8_t *rx_buf;   /**< holds the largest packet the client can receive */
    size_t rx_size;
    uint8_t *tx_buf;   /**< holds headers and acknowledgements (payloads are not copied) */
    size_t tx_size;
    mqtls_inflight_t *inflight; /**< outgoing QoS 1/2 window; its size caps Receive Maximum use */
    uint16_t inflight_cap;
    uint16_t *qos2_in;  /**< packet ids of incoming QoS 2 messages awaiting PUBREL */
    uint16_t qos2_in_cap;
    const mqtls_store_t *store; /**< needed for QoS 1/2 publishes */
    void *store_ctx;
    char *alias_buf;        /**< 5.0: room for incoming topic aliases (NULL: none allowed) */
    uint16_t alias_slots;   /**< how many aliases we accept (Topic Alias Maximum we send) */
    uint16_t alias_slot_size; /**< bytes per alias slot: 2 + the longest topic kept */
    /**
     * 5.0, optional: room to remember the topic of each outgoing alias 1..out_alias_slots,
     * so that a QoS 1/2 publish may use an alias alone (empty topic): its stored copy, resent
     * on a later connection where aliases are gone, needs the topic. NULL: such a publish is
     * refused (MQTLS_ERR_TOPIC_ALIAS); QoS 0 alias-only publishes need no room.
     */
    char *out_alias_buf;
    uint16_t out_alias_slots;
    uint16_t out_alias_slot_size; /**< bytes per slot: 2 + the longest topic kept */
    /**
     * Let small publishes and our acknowledgements wait in @c tx_buf (copied) until it fills
     * or the next mqtls_step()/mqtls_flush(), so that many leave in one write (a PUBCOMP
     * leaves at once: the QoS 2 id it ends is kept until it has). Off: every packet is
     * written at once, a payload straight from the caller's memory.
     */
    bool tx_coalesce;
    /**
     * Reconnect by itself when a connection is lost or fails (0: off). The delay before
     * attempt n is drawn at random between 0 and min(reconnect_max_ms, reconnect_min_ms * 2^n)
     * (exponential backoff with full jitter); a connection that stayed up reconnect_stable_ms
     * starts the count again. A reconnect resumes the session (clean start 0) when the
     * connection asked to keep one (3.1.1: clean session 0; 5.0: a session expiry).
     * mqtls_disconnect() and mqtls_abort() stop it.
     */
    uint32_t reconnect_min_ms;
    uint32_t reconnect_max_ms;
    uint32_t reconnect_stable_ms;
    /**
     * Reconnect also after a CONNACK refusal that retrying cannot heal (bad user name or
     * password, not authorized, client id not valid, ...: ev.permanent). Off: such a refusal
     * ends the reconnecting, so a device with revoked credentials does not hammer the broker.
     */
    bool reconnect_refused;
    mqtls_event_cb on_event;
    void *user;
#if MQTLS_CFG_TRACE
    mqtls_trace_cb trace; /**< optional: sees every packet sent and received (NULL: none) */
    void *trace_ctx;      /**< passed to @c trace */
#endif
} mqtls_client_cfg_t;

/** How to connect. The client keeps a pointer to it: it must outlive the connection. */
typedef struct mqtls_connect_opts {
    const char *host;
    uint16_t port;
    mqtls_connect_t connect;     /**< CONNECT fields; connect.version chooses 3.1.1 or 5.0 */
    uint32_t connect_timeout_ms; /**< transport + CONNACK; 0: MQTLS_CFG_CONNECT_TIMEOUT_MS */
    uint32_t ping_timeout_ms;    /**< PINGRESP wait; 0: MQTLS_CFG_PING_TIMEOUT_MS */
} mqtls_connect_opts_t;

/**
 * The client context. Its fields are private: use the functions.
 * (Ordered by size, the most used first: Cortex-M's short loads reach bytes at offsets
 * below 32, halfwords below 64 and words below 128, so this order keeps the session's
 * code small.)
 */
struct mqtls_client {
    mqtls_client_state_t state;
    mqtls_version_t version;
    bool ping_outstanding;
    bool backoff;             /**< disconnected, reconnecting at backoff_start + backoff_delay */
    bool stopping;            /**< the application ended the connection: no reconnect */
    bool resume;              /**< reconnects ask the broker to resume the session */
    volatile bool interrupted;  /**< mqtls_interrupt(): give up a blocked write */
    bool rx_paused;             /**< mqtls_pause()/mqtls_decline(): incoming packets wait */
    bool rx_declined;           /**< the message being delivered is not taken */
    bool tx_blocked;            /**< tx_buf holds the rest of a write the network did not take */
    uint8_t server_max_qos;     /**< limits the broker set in CONNACK (or their defaults) */
    bool server_retain;
#if MQTLS_CFG_TRACE
    bool rx_traced;           /**< the packet at the start of rx_buf was traced (declined) */
#endif
    uint16_t inflight_count;
    uint16_t qos2_in_count;
    uint16_t next_packet_id;
    uint16_t attempt;
    uint16_t server_receive_max;
    uint16_t server_alias_max;
    uint16_t keep_alive_s;    /**< effective (5.0: Server Keep Alive wins) */
    const mqtls_connect_opts_t *opts;
    size_t rx_len;
    size_t tx_len;            /**< coalesced bytes waiting in tx_buf */
    uint32_t server_max_packet;
    mqtls_client_cfg_t cfg;
    mqtls_status_t last_status; /**< why the last connection ended or failed */
    uint32_t last_tx_ms;
    uint32_t last_rx_ms;
    uint32_t backoff_start_ms;
    uint32_t backoff_delay_ms;
    uint32_t connected_at_ms;
    uint32_t connect_start_ms;
    uint32_t ping_sent_ms;
    uint32_t last_too_large;    /**< size of the packet that ended it, if too large */
    uint32_t tx_stall_ms;       /**< when a write left in tx_buf last made progress */
    uint8_t out_alias_set[8]; /**< outgoing aliases 1..64 already sent with their topic (bits) */
};

/** Sets up @p c with @p cfg (copied). Cannot fail: bad settings are reported by connect. */
MQTLS_API void mqtls_client_init(mqtls_client_t *c, const mqtls_client_cfg_t *cfg);

/**
 * Starts connecting. Progress (transport, CONNECT, CONNACK) is made by mqtls_step(); the
 * outcome arrives as MQTLS_EV_CONNECTED or MQTLS_EV_CONNECT_FAILED.
 * If the previous connection used a persistent session (clean start 0) and the broker
 * answers session present = 1, unacknowledged publishes are resent with DUP set and PUBRELs
 * are resent, in their original order. With session present = 0 they are dropped and each
 * is reported as MQTLS_EV_PUBLISH_DROPPED.
 * @retval MQTLS_ERR_BAD_PARAM   buffers or transport missing, no host or port
 * @retval MQTLS_ERR_NO_SPACE    the CONNECT does not fit tx_buf
 * @retval MQTLS_ERR_MALFORMED_* an invalid CONNECT field (e.g. a will topic with wildcards)
 * @retval MQTLS_ERR_STATE       already connected or connecting
 * @retval MQTLS_ERR_UNSUPPORTED 5.0 requested in a 3.1.1-only build
 */
MQTLS_API mqtls_status_t mqtls_connect(mqtls_client_t *c, const mqtls_connect_opts_t *opts);

/**
 * Does all pending work without blocking: advances the connect, flushes coalesced output,
 * reads and handles every whole packet that has arrived, sends PINGREQ when the link is
 * idle and declares the connection dead when a PINGRESP is late.
 * @retval MQTLS_OK  (also when disconnected and nothing is to be done)
 * @retval other     the connection just failed for this reason (the event has been sent)
 */
MQTLS_API mqtls_status_t mqtls_step(mqtls_client_t *c);

/** Milliseconds until mqtls_step() must run even if nothing arrives (keep-alive, timeouts). */
MQTLS_API uint32_t mqtls_next_timeout_ms(const mqtls_client_t *c);

/**
 * Publishes @p pub (its dup and packet_id fields are ignored). QoS 0 is written at once (or
 * coalesced, see tx_coalesce). QoS 1/2 get a packet id (returned in @p packet_id, may be
 * NULL), are kept in the store, written, and completed by MQTLS_EV_PUBLISH_DONE.
 * A QoS 1/2 message is accepted once it is in the store and the window: the call then
 * returns MQTLS_OK even if writing it failed (the link's loss comes as an event, and the
 * message is resent when the session resumes).
 * While not connected, QoS 1/2 publishes are accepted into the store and the window
 * (the offline queue) and sent once a connection is up, in order; when either is full the
 * new message is refused (MQTLS_ERR_INFLIGHT_FULL, MQTLS_ERR_STORE) and nothing accepted
 * before is dropped. QoS 0 is not queued (MQTLS_ERR_STATE).
 * 5.0 topic alias (1..64): set props.topic_alias (and its bit); the first publish with an
 * alias must carry the topic, later ones may leave it empty. A QoS 1/2 one may do so only
 * when cfg.out_alias_buf has a slot holding the alias's topic: its stored copy names the
 * topic, since aliases do not outlive a connection. While offline, an alias is not used:
 * the message is queued with its topic.
 * @retval MQTLS_ERR_INFLIGHT_FULL   the window is full: call mqtls_step() and try again
 * @retval MQTLS_ERR_NO_STORE        QoS > 0 without a store
 * @retval MQTLS_ERR_SERVER_LIMIT    larger than the broker's Maximum Packet Size
 * @retval MQTLS_ERR_QOS_NOT_SUPPORTED, MQTLS_ERR_RETAIN_NOT_SUPPORTED, MQTLS_ERR_TOPIC_ALIAS
 * @retval MQTLS_ERR_MALFORMED_TOPIC a topic with wildcards, invalid UTF-8
 */
MQTLS_API mqtls_status_t mqtls_publish(mqtls_client_t *c, const mqtls_publish_t *pub,
                                       uint16_t *packet_id);

/**
 * Sends SUBSCRIBE for @p n filters; MQTLS_EV_SUBACK reports one code per filter.
 * @param packet_id if not NULL: the packet identifier the SUBACK event will carry
 * @retval MQTLS_OK                 written (or queued in tx_buf, leaving on the next step)
 * @retval MQTLS_ERR_BAD_PARAM      no client, no filters, or @p n is 0
 * @retval MQTLS_ERR_STATE          not connected
 * @retval MQTLS_ERR_UNSUPPORTED    QoS 2 asked of a build without QoS 2
 * @retval MQTLS_ERR_MALFORMED_FILTER, MQTLS_ERR_MALFORMED_UTF8, MQTLS_ERR_MALFORMED_PAYLOAD
 *                                  a filter or its options are invalid (nothing was sent)
 * @retval MQTLS_ERR_MALFORMED_PROPERTY, MQTLS_ERR_PROPERTY_NOT_ALLOWED  bad 5.0 properties
 * @retval MQTLS_ERR_NO_SPACE       the packet does not fit tx_buf
 * @retval MQTLS_ERR_SERVER_LIMIT   larger than the broker's Maximum Packet Size (not sent;
 *                                  still connected)
 * @retval other                    the connection failed while writing (the event was sent)
 */
MQTLS_API mqtls_status_t mqtls_subscribe(mqtls_client_t *c, const mqtls_subscription_t *subs,
                                         uint16_t n, const mqtls_props_t *props,
                                         uint16_t *packet_id);

/**
 * Sends UNSUBSCRIBE for @p n filters; MQTLS_EV_UNSUBACK follows.
 * @retval the same as mqtls_subscribe() (without the QoS 2 case)
 */
MQTLS_API mqtls_status_t mqtls_unsubscribe(mqtls_client_t *c, const mqtls_str_t *filters,
                                           uint16_t n, const mqtls_props_t *props,
                                           uint16_t *packet_id);

/**
 * 5.0: sends AUTH (enhanced authentication), while connecting (after CONNECT) or connected.
 * @retval MQTLS_OK                 written or queued
 * @retval MQTLS_ERR_BAD_PARAM      no client
 * @retval MQTLS_ERR_UNSUPPORTED    not an MQTT 5.0 connection
 * @retval MQTLS_ERR_STATE          CONNECT has not been sent
 * @retval MQTLS_ERR_MALFORMED_PROPERTY, MQTLS_ERR_PROPERTY_NOT_ALLOWED, MQTLS_ERR_NO_SPACE,
 *         MQTLS_ERR_SERVER_LIMIT, or the connection's failure, as for mqtls_subscribe()
 */
MQTLS_API mqtls_status_t mqtls_auth(mqtls_client_t *c, uint8_t reason, const mqtls_props_t *props);

/**
 * Sends DISCONNECT (5.0: with @p reason and @p props; 0x04 asks the broker to send the will)
 * and closes the transport. Session state is kept for a later persistent reconnect.
 */
MQTLS_API mqtls_status_t mqtls_disconnect(mqtls_client_t *c, uint8_t reason,
                                          const mqtls_props_t *props);

/** Writes out coalesced QoS 0 publishes (and any output a step left waiting) now, waiting
 *  for the network as long as bytes keep leaving. */
MQTLS_API mqtls_status_t mqtls_flush(mqtls_client_t *c);

/** Closes the transport without DISCONNECT (the broker publishes the will). Keeps session. */
MQTLS_API void mqtls_abort(mqtls_client_t *c);

/**
 * After a restart of the process: rebuilds the outgoing window from a store that kept it
 * (one with @c each, such as the file store), oldest first, to be resent when the next
 * connection resumes the session. Call after mqtls_client_init(), before mqtls_connect().
 * A packet the store cannot give back, or that is not a QoS 1/2 PUBLISH, is removed and
 * reported as MQTLS_EV_PUBLISH_DROPPED with status MQTLS_ERR_STORE.
 * @retval MQTLS_ERR_INFLIGHT_FULL the store holds more than the window can take
 * @retval MQTLS_ERR_UNSUPPORTED   the store cannot list what it holds
 */
MQTLS_API mqtls_status_t mqtls_client_restore(mqtls_client_t *c);

/**
 * Closes the transport and forgets the client's RAM state (in-flight records, QoS 2 ids,
 * aliases). The message store is left as it is: a durable store (the file store) keeps the
 * QoS 1/2 messages not yet acknowledged, and a later client restores them with
 * mqtls_client_restore(). To throw them away, call mqtls_client_discard() first.
 */
MQTLS_API void mqtls_client_free(mqtls_client_t *c);

/**
 * Throws away this session's outgoing QoS 1/2 messages: each is removed from the store and
 * the window and reported as MQTLS_EV_PUBLISH_DROPPED (status MQTLS_ERR_STATE); the QoS 2
 * ids received are forgotten. Call while disconnected, e.g. before mqtls_client_free() when
 * the session is abandoned for good.
 * @retval MQTLS_ERR_STATE connected or connecting
 */
MQTLS_API mqtls_status_t mqtls_client_discard(mqtls_client_t *c);

/**
 * From an event callback (or between steps): stop handling incoming packets after the one
 * being handled. Packets already read stay in rx_buf, neither delivered nor acknowledged,
 * and nothing more is read, until mqtls_resume(). A QoS 1/2 message left so is sent again
 * by the broker after a reconnect that resumes the session. While paused no PINGRESP is
 * read either: pause to stop (before a disconnect), or briefly.
 */
static inline void mqtls_pause(mqtls_client_t *c)
{
    c->rx_paused = true;
}

/**
 * From an MQTLS_EV_MESSAGE callback: the application does not take this message. It is not
 * acknowledged, and the client pauses with it as the next packet to handle (see
 * mqtls_pause()): mqtls_resume() delivers it again; after a disconnect the broker does
 * (QoS 1/2, session resumed).
 */
static inline void mqtls_decline(mqtls_client_t *c)
{
    c->rx_paused = c->rx_declined = true;
}

/** Handles incoming packets again after mqtls_pause() or mqtls_decline(). */
static inline void mqtls_resume(mqtls_client_t *c)
{
    c->rx_paused = false;
}

/**
 * Makes a write that is waiting for the network give up (at the latest within
 * MQTLS_CFG_SEND_WAIT_SLICE_MS): the connection fails with MQTLS_ERR_INTERRUPTED. Safe to
 * call from a signal handler or another thread; mqtls_connect() clears it.
 */
static inline void mqtls_interrupt(mqtls_client_t *c)
{
    c->interrupted = true;
}

MQTLS_API mqtls_client_state_t mqtls_state(const mqtls_client_t *c);

/** A reconnect is scheduled (the client is disconnected and will try again by itself). */
MQTLS_API bool mqtls_reconnect_pending(const mqtls_client_t *c);

/** Outgoing QoS 1/2 publishes not yet completed. */
MQTLS_API uint16_t mqtls_inflight(const mqtls_client_t *c);

/**
 * Incoming QoS 2 messages whose exchange is not finished: received, and their PUBCOMP not
 * yet written (a program about to disconnect may step until it is 0, so that the broker
 * does not send them again).
 * @return the count; 0 for a NULL client or a build without QoS 2
 */
MQTLS_API uint16_t mqtls_qos2_open(const mqtls_client_t *c);

#if MQTLS_CFG_SYNC
/** @name Blocking convenience layer (needs a transport with @c wait) */
/**@{*/
/** Connects and waits for CONNACK. MQTLS_ERR_CONNACK_REFUSED leaves the code in *reason. */
MQTLS_API mqtls_status_t mqtls_sync_connect(mqtls_client_t *c, const mqtls_connect_opts_t *opts,
                                            uint8_t *reason);
/** Publishes, waiting for room in the window, and for QoS 1/2 until it is acknowledged.
 *  Through a scheduled reconnect it keeps waiting; when the link is down for good it returns
 *  why, and a QoS 1/2 message stays queued for the next mqtls_connect(). */
MQTLS_API mqtls_status_t mqtls_sync_publish(mqtls_client_t *c, const mqtls_publish_t *pub,
                                            uint32_t timeout_ms);
/** Subscribes and waits for SUBACK; @p codes (n entries) receives the granted codes. */
MQTLS_API mqtls_status_t mqtls_sync_subscribe(mqtls_client_t *c, const mqtls_subscription_t *subs,
                                              uint16_t n, const mqtls_props_t *props,
                                              uint8_t *codes, uint32_t timeout_ms);
/** Unsubscribes and waits for UNSUBACK. */
MQTLS_API mqtls_status_t mqtls_sync_unsubscribe(mqtls_client_t *c, const mqtls_str_t *filters,
                                                uint16_t n, const mqtls_props_t *props,
                                                uint32_t timeout_ms);
/** Handles traffic for @p timeout_ms (events arrive through the callback). */
MQTLS_API mqtls_status_t mqtls_sync_run(mqtls_client_t *c, uint32_t timeout_ms);
/** Waits until every QoS 1/2 publish is completed, or the time passes. */
MQTLS_API mqtls_status_t mqtls_sync_drain(mqtls_client_t *c, uint32_t timeout_ms);
/**@}*/
#endif

#ifdef __cplusplus
}
#endif
#endif
