/**
 * @file packet_builder.h
 * @brief Session-test helpers: broker packets built with the codec, the client's output
 *        decoded back into packets, a ready-made client on the mock transport, and a tiny
 *        scripted broker for the blocking layer.
 *
 * Broker packets are encoded with mqtls_encode(), so they are exactly what a conforming
 * broker sends; malformed input is written by hand (mock_push_hex()) in the tests.
 *
 * @code
 * static pb_client_t F;                       // big: keep it static
 * pb_client_setup(&F, MQTLS_V5);             // mock, buffers, store, options (defaults)
 * F.cfg.inflight_cap = 2;                    // tweak before pb_client_start()
 * pb_client_start(&F);
 * REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
 * ...
 * pb_push_ack(&F.m, MQTLS_V5, MQTLS_PUBACK, 1, 0, NULL);
 * mqtls_step(&F.c);
 * CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_PUBLISH_DONE);
 * pb_client_teardown(&F);
 * @endcode
 */
#ifndef MQTLS_PACKET_BUILDER_H
#define MQTLS_PACKET_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mock_transport.h"
#include "mqtls/client.h"
#include "mqtls/codec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------ */
/** @name Building broker packets */
/**@{*/

/** Bytes accumulated for one or more packets (to push as one chunk, or to inspect). */
typedef struct pb_buf {
    uint8_t data[32768];
    size_t len;
} pb_buf_t;

/** Appends @p p encoded for @p v; aborts the program if the codec refuses it. */
void pb_add(pb_buf_t *b, mqtls_version_t v, const mqtls_packet_t *p);
/** Appends raw bytes. */
void pb_add_raw(pb_buf_t *b, const void *data, size_t len);

void pb_add_connack(pb_buf_t *b, mqtls_version_t v, bool session_present, uint8_t reason,
                    const mqtls_props_t *props);
/** PUBLISH with @p topic (NUL-terminated; "" for an alias-only 5.0 PUBLISH). */
void pb_add_publish(pb_buf_t *b, mqtls_version_t v, const char *topic, const void *payload,
                    size_t len, uint8_t qos, uint16_t id, bool dup, bool retain,
                    const mqtls_props_t *props);
/** PUBACK/PUBREC/PUBREL/PUBCOMP (@p id), DISCONNECT or AUTH (id ignored). */
void pb_add_ack(pb_buf_t *b, mqtls_version_t v, mqtls_packet_type_t t, uint16_t id,
                uint8_t reason, const mqtls_props_t *props);
/** SUBACK or UNSUBACK with @p n codes (3.1.1 UNSUBACK: none are written). */
void pb_add_suback(pb_buf_t *b, mqtls_version_t v, mqtls_packet_type_t t, uint16_t id,
                   const uint8_t *codes, uint16_t n);
void pb_add_pingresp(pb_buf_t *b);

/** Queues the whole of @p b as one chunk and empties it. */
void pb_push(mock_transport_t *m, pb_buf_t *b);

/** One packet, queued as its own chunk. */
void pb_push_packet(mock_transport_t *m, mqtls_version_t v, const mqtls_packet_t *p);
void pb_push_connack(mock_transport_t *m, mqtls_version_t v, bool session_present,
                     uint8_t reason, const mqtls_props_t *props);
void pb_push_publish(mock_transport_t *m, mqtls_version_t v, const char *topic,
                     const void *payload, size_t len, uint8_t qos, uint16_t id, bool dup,
                     const mqtls_props_t *props);
void pb_push_ack(mock_transport_t *m, mqtls_version_t v, mqtls_packet_type_t t, uint16_t id,
                 uint8_t reason, const mqtls_props_t *props);
void pb_push_suback(mock_transport_t *m, mqtls_version_t v, mqtls_packet_type_t t, uint16_t id,
                    const uint8_t *codes, uint16_t n);
void pb_push_pingresp(mock_transport_t *m);
/**@}*/

/* ------------------------------------------------------------------------------------ */
/** @name Reading what the client sent */
/**@{*/

/** Converts hex ("10 0f 00 04", separators ignored) to bytes; aborts on bad input or if
 *  more than @p cap bytes. @return the byte count. */
size_t pb_hex(const char *hex, uint8_t *out, size_t cap);

/**
 * CHECKs (test.h) that the client sent exactly the bytes of @p hex since the record was
 * last cleared. Use in a test file that includes test.h.
 */
#define PB_CHECK_SENT_HEX(m, hex)                                                              \
    do {                                                                                       \
        uint8_t pb_e_[2048];                                                                   \
        size_t pb_n_ = pb_hex((hex), pb_e_, sizeof pb_e_);                                     \
        size_t pb_l_;                                                                          \
        const uint8_t *pb_s_ = mock_sent((m), &pb_l_);                                         \
        CHECK_EQ_INT(pb_l_, pb_n_);                                                            \
        CHECK_EQ_MEM(pb_s_, pb_e_, pb_l_ < pb_n_ ? pb_l_ : pb_n_);                             \
    } while (0)

/** One packet the client wrote: decoded, and its bytes. Valid until the client sends more
 *  (the mock's record may move) or the record is cleared. */
typedef struct pb_sent {
    mqtls_packet_t pkt;
    const uint8_t *raw;
    size_t len;
    uint8_t first; /**< the first byte (type << 4 | flags) */
} pb_sent_t;

/**
 * Decodes every packet in mock_sent(@p m) for protocol @p v into @p out (up to @p max).
 * @return the number of packets, or -1 if the bytes are not a sequence of whole, valid
 *         packets (a leftover partial packet counts as invalid).
 */
int pb_sent_decode(const mock_transport_t *m, mqtls_version_t v, pb_sent_t *out, int max);

/** The packet types of everything sent, in order, as a string of hex digits, e.g. "3c4"
 *  for PUBLISH, PINGREQ, PUBACK; "!" is appended if the rest does not decode. Static
 *  buffer: copy it if you keep it. */
const char *pb_sent_types(const mock_transport_t *m, mqtls_version_t v);
/**@}*/

/* ------------------------------------------------------------------------------------ */
/** @name A client on the mock transport, with recorded events */
/**@{*/

/** A copy of one event, taken in the callback (the original's pointers die with it). */
typedef struct pb_event {
    mqtls_event_type_t type;
    mqtls_status_t status;
    uint16_t packet_id;
    uint8_t reason;
    bool session_present;
    bool permanent;
    uint32_t size;
    /* MQTLS_EV_MESSAGE */
    bool has_message;
    char topic[256];
    uint16_t topic_len; /**< as reported (may exceed the copy, which is then cut) */
    uint8_t payload[1024];
    uint32_t payload_len;
    uint8_t qos;
    bool retain;
    bool dup;
    /* properties (5.0) */
    bool has_props;
    uint64_t props_present;
    char reason_string[128];
    char server_reference[128];
    uint16_t user_count;
    char user_key[64];   /**< the first user property */
    char user_value[64];
    uint16_t topic_alias;
    uint32_t message_expiry;
    /* SUBACK/UNSUBACK */
    uint8_t codes[64];
    uint16_t count;
    /* context */
    mqtls_client_state_t state_at; /**< mqtls_state() during the callback */
    size_t sent_at;                /**< bytes the mock had recorded during the callback */
} pb_event_t;

#define PB_MAX_EVENTS 128

typedef struct pb_client pb_client_t;

/** Called after each event was recorded (for tests that act in the callback). */
typedef void (*pb_event_hook)(pb_client_t *f, const mqtls_event_t *ev);

/** A client, its memory and its mock. Fill cfg/opts between setup and start. */
struct pb_client {
    mock_transport_t m;
    mqtls_client_t c;
    mqtls_client_cfg_t cfg;
    mqtls_connect_opts_t opts;
    mqtls_version_t v;
    uint8_t rx[4096];
    uint8_t tx[2048];
    mqtls_inflight_t inflight[64];
    uint16_t qos2_in[64];
    uint8_t store_mem[16384];
    mqtls_ram_store_t store;
    char alias[16 * 64];
    pb_event_t ev[PB_MAX_EVENTS];
    int nev;
    int ev_overflow;
    pb_event_hook on_event; /**< optional */
    void *user;             /**< free for the test */
};

/**
 * Resets @p f: mock, clock at 1000 ms, events, and defaults: rx 512, tx 256 bytes,
 * 8 in-flight slots, 4 QoS 2 receive slots, a RAM store of 4096 bytes, 4 alias slots of
 * 34 bytes, no coalescing; connect to "broker":1883 with version @p v, clean start,
 * keep-alive 60 s, client id "cid", timeouts 0 (the defaults).
 */
void pb_client_setup(pb_client_t *f, mqtls_version_t v);

/** mqtls_client_init() with f->cfg (after any changes to it). */
void pb_client_start(pb_client_t *f);

/**
 * Connects: mqtls_connect(), a step (transport and CONNECT), a CONNACK (accepted, with
 * @p session_present and @p props), a step. Clears the recorded output and events after.
 * @return the first failing status, or MQTLS_OK when the client is connected.
 */
mqtls_status_t pb_client_connect(pb_client_t *f, bool session_present,
                                 const mqtls_props_t *connack_props);

/** Forgets the recorded events. */
void pb_client_clear_events(pb_client_t *f);

/** Index of the first recorded event of @p type at or after @p from, or -1. */
int pb_client_find_event(const pb_client_t *f, mqtls_event_type_t type, int from);

/** Number of recorded events of @p type. */
int pb_client_count_events(const pb_client_t *f, mqtls_event_type_t type);

/** mqtls_client_free() and mock_free(). */
void pb_client_teardown(pb_client_t *f);
/**@}*/

/* ------------------------------------------------------------------------------------ */
/** @name A scripted broker answering through the mock's hook (for the blocking layer) */
/**@{*/

/** What the broker answers. Everything is answered unless switched off. */
typedef struct pb_broker {
    mqtls_version_t v;
    bool answer_connect;      /**< CONNACK to CONNECT */
    bool session_present;
    uint8_t connack_reason;
    const mqtls_props_t *connack_props;
    bool answer_publish;      /**< PUBACK / PUBREC to QoS 1 / 2 PUBLISH */
    uint8_t publish_reason;   /**< reason in PUBACK / PUBREC */
    bool answer_pubrel;       /**< PUBCOMP to PUBREL */
    bool answer_subscribe;    /**< SUBACK granting each filter's QoS (or suback_codes) */
    const uint8_t *suback_codes; /**< if set: these codes... */
    uint16_t suback_count;       /**< ...this many of them */
    bool answer_unsubscribe;  /**< UNSUBACK (5.0: success per filter) */
    bool answer_ping;         /**< PINGRESP to PINGREQ */
    unsigned answer_after;    /**< answer only from the N-th wait on (0: at once) */
    /* observations */
    size_t off;               /**< where the last read of the client's output ended */
    long long seen_total;     /**< mock sent_total when the broker last read */
    unsigned waits;           /**< hook calls at MOCK_AT_WAIT */
    unsigned connects, publishes, pubrels, subscribes, unsubscribes, pings, disconnects;
    bool bad_input;           /**< the client's output did not decode */
    /** Extra messages to send once (e.g. a PUBLISH), pushed at the next wait. */
    pb_buf_t extra;
} pb_broker_t;

/** Defaults: answer everything, session_present 0, success codes. */
void pb_broker_init(pb_broker_t *b, mqtls_version_t v);

/** The mock hook: answers at MOCK_AT_WAIT (install with mock_set_hook(m, pb_broker_hook, b)). */
void pb_broker_hook(mock_transport_t *m, mock_hook_point_t at, void *user);

/** Reads the client's new output and queues the answers now (what the hook does). */
void pb_broker_answer(pb_broker_t *b, mock_transport_t *m);
/**@}*/

#ifdef __cplusplus
}
#endif
#endif
