/**
 * @file integ_client.h
 * @brief A fixture for the integration tests: mqtls clients on the POSIX TCP transport
 *        against a private mosquitto (broker.h), with an event recorder.
 *
 * Each ic_client_t owns everything the library wants from its caller (buffers, in-flight
 * table, QoS 2 table, RAM store, alias area) and records what its events report: messages
 * (copied: topic, payload, flags and the 5.0 properties), CONNACK limits, acknowledgements,
 * dropped publishes, SUBACK codes, why the connection ended.
 *
 * Optionally the TCP transport is wrapped in a *filter* that understands MQTT framing and
 * can drop whole packets by type, in either direction: a lost acknowledgement is how a real
 * network leaves a QoS 1/2 exchange unfinished, and the resume tests need that on demand.
 *
 * Everything that waits has a timeout. Helpers for child processes (mosquitto_sub,
 * mosquitto_pub) and for reading the broker's log are here too.
 */
#ifndef MQTLS_INTEG_CLIENT_H
#define MQTLS_INTEG_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "broker.h"
#include "mqtls/client.h"
#include "mqtls/transport_tcp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default time any single wait of the fixture may take, in ms. */
#define IC_WAIT_MS 5000u

/** Most PUBLISH_DONE / PUBLISH_DROPPED events whose details are kept (all are counted). */
#define IC_MAX_DONE 1024

/** Most user properties copied from one message. */
#define IC_MAX_USER 8

/** Bit for packet type @p t in the filter's drop masks. */
#define IC_TYPE(t) (1u << (t))

/** One recorded application message. */
typedef struct ic_msg {
    char topic[256];
    uint8_t *payload; /**< malloc'd copy, NUL-terminated for convenience */
    uint32_t len;
    uint8_t qos;
    bool retain;
    bool dup;
    uint16_t packet_id;
    /* 5.0 properties (present: MQTLS_PROPBIT bits) */
    uint64_t present;
    uint32_t message_expiry;
    uint8_t payload_format;
    uint16_t topic_alias;
    char content_type[128];
    char response_topic[128];
    uint8_t correlation[128];
    uint16_t correlation_len;
    int user_count;
    char user_key[IC_MAX_USER][64];
    char user_value[IC_MAX_USER][64];
    int sub_id_count;
    uint32_t sub_ids[4];
} ic_msg_t;

/** The packet filter around the TCP transport. */
typedef struct ic_filter {
    mqtls_tcp_t *tcp;
    uint32_t rx_drop;  /**< IC_TYPE() bits of incoming packets to swallow */
    uint32_t tx_drop;  /**< IC_TYPE() bits of outgoing packets to swallow */
    unsigned rx_seen[16], rx_dropped[16];
    unsigned tx_seen[16], tx_dropped[16];
    unsigned tx_publish_dup; /**< outgoing PUBLISH packets with DUP set */
    unsigned rx_publish_dup; /**< incoming PUBLISH packets with DUP set */
    unsigned tx_publish_no_topic; /**< outgoing PUBLISH packets with an empty topic (alias) */
    /** Outgoing QoS 1/2 PUBLISHes on this connection not yet answered by PUBACK/PUBCOMP
     *  (the peer's view of our send quota), and the most there ever were. */
    unsigned outstanding, outstanding_max;
    uint8_t *raw;      /**< incoming bytes not yet framed */
    size_t raw_len;
    uint8_t *ready;    /**< framed incoming bytes to hand to the client */
    size_t ready_len, ready_off;
    int32_t pending_err; /**< a recv error to report after the ready bytes */
} ic_filter_t;

/** The filter's transport operations (context: ic_filter_t). */
extern const mqtls_transport_t ic_filter_transport;

/** Sizes and options; zero fields take the defaults shown. */
typedef struct ic_setup {
    mqtls_version_t version;  /**< required */
    const char *client_id;    /**< required */
    uint16_t port;            /**< required: the broker's port */
    bool persistent;          /**< clean_start = 0 (5.0: session expiry below) */
    uint32_t session_expiry;  /**< 5.0, persistent: default 300 s */
    uint16_t keep_alive;      /**< default 30 s */
    size_t rx_size;           /**< default 8192 */
    size_t tx_size;           /**< default 1024 */
    uint16_t inflight_cap;    /**< default 64 */
    uint16_t qos2_in_cap;     /**< default 64 */
    uint16_t alias_slots;     /**< default 0 (no incoming aliases) */
    size_t store_size;        /**< default 256 KiB */
    bool filter;              /**< wrap the transport in an ic_filter_t */
    bool tx_coalesce;
} ic_setup_t;

/** One client of a test, with its memory and its recorder. */
typedef struct ic_client {
    mqtls_client_t cli;
    mqtls_tcp_t tcp;
    ic_filter_t filt;
    bool filtered;
    mqtls_client_cfg_t cfg;
    mqtls_connect_opts_t opts; /**< adjust (will, credentials, props) before ic_connect */
    char id[64];
    uint8_t *rx, *tx, *store_buf;
    mqtls_inflight_t *inflight;
    uint16_t *qos2_in;
    char *alias_buf;
    mqtls_ram_store_t store;

    /* The recorder. */
    ic_msg_t *msgs;
    size_t nmsgs, msgs_cap;
    unsigned ev_count[MQTLS_EV_DISCONNECTED + 1];
    bool session_present;
    /* CONNACK: the properties as received (pointers cleared) */
    mqtls_props_t connack;
    /* CONNECT_FAILED / DISCONNECTED */
    mqtls_status_t end_status;
    uint8_t end_reason;
    uint32_t end_size;
    /* PUBLISH_DONE and PUBLISH_DROPPED: counted, the first IC_MAX_DONE kept in order */
    uint16_t done_ids[IC_MAX_DONE];
    uint8_t done_reason[IC_MAX_DONE];
    mqtls_status_t done_status[IC_MAX_DONE];
    size_t ndone;
    uint16_t dropped_ids[IC_MAX_DONE];
    size_t ndropped;
    /* last SUBACK / UNSUBACK */
    uint8_t codes[32];
    uint16_t ncodes;
} ic_client_t;

/** Prepares @p c (allocates its memory). @return 0, or -1 (out of memory). */
int ic_init(ic_client_t *c, const ic_setup_t *s);

/** Frees what ic_init allocated (closes the connection without DISCONNECT). */
void ic_free(ic_client_t *c);

/** Forgets what the recorder has collected (messages, counts, acknowledgements). */
void ic_reset_record(ic_client_t *c);

/** mqtls_sync_connect with the fixture's options. The CONNACK code lands in end_reason. */
mqtls_status_t ic_connect(ic_client_t *c);

/** Subscribes one filter (options: QoS | MQTLS_SUB_* bits) and waits for SUBACK; the
 *  code is in c->codes[0]. */
mqtls_status_t ic_subscribe(ic_client_t *c, const char *filter, uint8_t options);

/** Unsubscribes one filter and waits for UNSUBACK. */
mqtls_status_t ic_unsubscribe(ic_client_t *c, const char *filter);

/** Publishes a NUL-terminated payload and, for QoS 1/2, waits for its acknowledgement. */
mqtls_status_t ic_publish(ic_client_t *c, const char *topic, const char *payload, uint8_t qos,
                          bool retain);

/** Publishes without waiting (mqtls_publish); *id gets the packet id (may be NULL). */
mqtls_status_t ic_publish_nb(ic_client_t *c, const char *topic, const void *payload,
                             uint32_t len, uint8_t qos, bool retain, uint16_t *id);

/**
 * Drives every connected or connecting client of @p cs for @p ms milliseconds (poll on
 * their sockets, mqtls_step on each).
 */
void ic_run(ic_client_t *const *cs, int n, uint32_t ms);

/** Drives @p cs until @p pred(@p arg) holds or @p timeout_ms passes. @return pred's value. */
bool ic_run_until(ic_client_t *const *cs, int n, bool (*pred)(void *arg), void *arg,
                  uint32_t timeout_ms);

/** Drives @p cs until @p who has recorded at least @p count messages. */
bool ic_wait_msgs(ic_client_t *const *cs, int n, ic_client_t *who, size_t count,
                  uint32_t timeout_ms);

/** Drives @p cs until @p who's connection has ended (DISCONNECTED or CONNECT_FAILED). */
bool ic_wait_down(ic_client_t *const *cs, int n, ic_client_t *who, uint32_t timeout_ms);

/** How many recorded messages of @p c have @p topic (NULL: any) and @p payload (NULL: any). */
size_t ic_count(const ic_client_t *c, const char *topic, const char *payload);

/** The first recorded message with @p topic and @p payload (NULL: any), or NULL. */
const ic_msg_t *ic_find(const ic_client_t *c, const char *topic, const char *payload);

/** Milliseconds of CLOCK_MONOTONIC. */
uint64_t ic_now_ms(void);

/** Sleeps @p ms milliseconds. */
void ic_sleep_ms(uint32_t ms);

/** Occurrences of @p needle in the broker's log. */
int ic_log_count(const test_broker_t *b, const char *needle);

/** Waits until the broker's log holds at least @p count occurrences of @p needle. */
bool ic_log_wait(const test_broker_t *b, const char *needle, int count, uint32_t timeout_ms);

/** A child process with its standard output captured. */
typedef struct ic_proc {
    pid_t pid;
    int out_fd;
    char *out;   /**< everything it printed on stdout, NUL-terminated */
    size_t len, cap;
    int status;  /**< exit code, or -1 (killed, timed out) */
} ic_proc_t;

/** Starts @p argv (argv[0] looked up in PATH), stdin from @p input (NULL: /dev/null). */
int ic_spawn(ic_proc_t *p, char *const argv[], const char *input);

/** Collects output until the child exits (killed after @p timeout_ms). @return p->status. */
int ic_proc_wait(ic_proc_t *p, uint32_t timeout_ms);

/** Frees the output buffer (kills the child if it still runs). */
void ic_proc_free(ic_proc_t *p);

/** Is @p prog (e.g. "mosquitto_sub") found in PATH? */
bool ic_have_program(const char *prog);

#ifdef __cplusplus
}
#endif
#endif
