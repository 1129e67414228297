/**
 * @file golden_packet.h
 * @brief Packets for the codec tests and fuzzers: filling an mqtls_packet_t the way a caller
 *        would before mqtls_encode(), comparing two packets field by field (either may be in
 *        decoded form, with user properties and subscriptions behind iterators), and turning
 *        a decoded packet into one mqtls_encode() accepts.
 *
 * The golden vectors themselves are data (tests/data/golden, loaded by golden.h).
 */
#ifndef MQTLS_TEST_GOLDEN_PACKET_H
#define MQTLS_TEST_GOLDEN_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mqtls/codec.h"

/** Brace initialiser of an mqtls_str_t / mqtls_bin_t from a string literal. */
#define GSI(lit) {(lit), (uint16_t)(sizeof(lit) - 1u)}
#define GBI(lit) {(const uint8_t *)(lit), (uint16_t)(sizeof(lit) - 1u)}
/** The same as values. */
#define GS(lit) ((mqtls_str_t)GSI(lit))
#define GB(lit) ((mqtls_bin_t)GBI(lit))
/** Marks property @p id present in @p props. */
#define GSET(props, id) ((props).present |= MQTLS_PROPBIT(id))

/* Filling a packet the way a caller does before mqtls_encode(). */

static inline void golden_init(mqtls_packet_t *p, mqtls_packet_type_t t)
{
    memset(p, 0, sizeof *p);
    p->type = t;
}

static inline void golden_connect(mqtls_packet_t *p, mqtls_version_t v, bool clean,
                                  uint16_t keep_alive, mqtls_str_t id)
{
    golden_init(p, MQTLS_CONNECT);
    p->u.connect.version = v;
    p->u.connect.clean_start = clean;
    p->u.connect.keep_alive = keep_alive;
    p->u.connect.client_id = id;
}

static inline void golden_login(mqtls_packet_t *p, mqtls_str_t user, mqtls_bin_t pw)
{
    p->u.connect.has_username = true;
    p->u.connect.username = user;
    p->u.connect.has_password = true;
    p->u.connect.password = pw;
}

static inline void golden_will(mqtls_packet_t *p, uint8_t qos, bool retain, mqtls_str_t topic,
                               mqtls_bin_t payload)
{
    p->u.connect.will = true;
    p->u.connect.will_qos = qos;
    p->u.connect.will_retain = retain;
    p->u.connect.will_topic = topic;
    p->u.connect.will_payload = payload;
}

static inline void golden_receive_max(mqtls_props_t *pr, uint16_t n)
{
    GSET(*pr, MQTLS_PROP_RECEIVE_MAXIMUM);
    pr->receive_maximum = n;
}

static inline void golden_publish(mqtls_packet_t *p, uint8_t qos, bool retain, bool dup,
                                  mqtls_str_t topic, uint16_t id, const char *payload,
                                  uint32_t len)
{
    golden_init(p, MQTLS_PUBLISH);
    p->u.publish.qos = qos;
    p->u.publish.retain = retain;
    p->u.publish.dup = dup;
    p->u.publish.topic = topic;
    p->u.publish.packet_id = id;
    p->u.publish.payload = (const uint8_t *)payload;
    p->u.publish.payload_len = len;
}

static inline void golden_ack(mqtls_packet_t *p, mqtls_packet_type_t t, uint16_t id,
                              uint8_t reason)
{
    golden_init(p, t);
    p->u.ack.packet_id = id;
    p->u.ack.reason = reason;
}

static inline void golden_suback(mqtls_packet_t *p, mqtls_packet_type_t t, uint16_t id,
                                 const uint8_t *codes, uint16_t n)
{
    golden_init(p, t);
    p->u.suback.packet_id = id;
    p->u.suback.codes = codes;
    p->u.suback.count = n;
}

static inline void golden_connack(mqtls_packet_t *p, bool sp, uint8_t reason)
{
    golden_init(p, MQTLS_CONNACK);
    p->u.connack.session_present = sp;
    p->u.connack.reason = reason;
}

static inline void golden_user(mqtls_props_t *pr, const mqtls_user_prop_t *u, uint16_t n)
{
    pr->user = u;
    pr->user_count = n;
}

static inline void golden_subscribe(mqtls_packet_t *p, uint16_t id,
                                    const mqtls_subscription_t *subs, uint16_t n)
{
    golden_init(p, MQTLS_SUBSCRIBE);
    p->u.subscribe.packet_id = id;
    p->u.subscribe.subs = subs;
    p->u.subscribe.count = n;
}
static inline void golden_unsubscribe(mqtls_packet_t *p, uint16_t id, const mqtls_str_t *f,
                                      uint16_t n)
{
    golden_init(p, MQTLS_UNSUBSCRIBE);
    p->u.subscribe.packet_id = id;
    p->u.subscribe.filters = f;
    p->u.subscribe.count = n;
}

/** Two byte strings are equal (length and contents). */
static inline bool golden_mem_eq(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}
/** Two mqtls_str_t / mqtls_bin_t are equal. */
#define GOLDEN_STR_EQ(a, b) golden_mem_eq((a).data, (a).len, (b).data, (b).len)

/** Room for what golden_encodable() copies out of a decoded packet. */
#define GOLDEN_MAX_USER 1024
#define GOLDEN_MAX_SUBS 2048
typedef struct golden_store {
    mqtls_user_prop_t user[GOLDEN_MAX_USER];
    mqtls_user_prop_t will_user[GOLDEN_MAX_USER];
    mqtls_subscription_t subs[GOLDEN_MAX_SUBS];
    mqtls_str_t filters[GOLDEN_MAX_SUBS];
} golden_store_t;

/**
 * Compares every field of two property blocks. The user-property bit of @c present is not
 * compared (the decoder sets it, an encode-form struct need not); the user properties
 * themselves are. With both blocks decoded, every subscription identifier is compared too.
 * Returns true when equal; otherwise writes the first difference, after @p where, into @p why.
 */
bool golden_props_eq(const mqtls_props_t *a, const mqtls_props_t *b, const char *where,
                     char *why, size_t n);

/**
 * Compares every field of two packets of version @p v (for CONNECT, the packet's own
 * version). Returns true when equal; otherwise writes the first difference into @p why.
 */
bool golden_packet_eq(const mqtls_packet_t *a, const mqtls_packet_t *b, mqtls_version_t v,
                      char *why, size_t n);

/**
 * Turns the decoded packet @p pkt into one mqtls_encode() takes: user properties and
 * subscriptions are copied from behind their iterators into @p st. The strings keep
 * pointing into the decoded buffer. Returns false if @p st is too small (or the iterators
 * disagree with the counts the decoder reported).
 */
bool golden_encodable(mqtls_packet_t *pkt, golden_store_t *st);

#endif /* MQTLS_TEST_GOLDEN_PACKET_H */
