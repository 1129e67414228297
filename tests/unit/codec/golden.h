/**
 * @file golden.h
 * @brief Golden MQTT packets, shared by the codec unit tests and the fuzz seed generator.
 *
 * Every vector is a whole packet with the fields it carries (an "expect" function that
 * fills an mqtls_packet_t the way a caller would before mqtls_encode()). The bytes come from
 * three places, named above each array:
 *
 *  - gc* / gs*: captured from real mosquitto 2.0.11 clients and broker by
 *    scripts/capture_golden.sh (c = sent by the client, s = sent by the broker). The exact
 *    command is quoted; PORT is the relay port the script chose.
 *  - spec*: the non-normative examples of the MQTT 3.1.1 (OASIS Standard, 29 Oct 2014) and
 *    MQTT 5.0 (OASIS Standard, 7 Mar 2019) specifications, completed into whole packets where
 *    the example shows only the variable header or payload.
 *  - h*: built by hand from the packet layout sections of the specifications, for what the
 *    real tools never send (AUTH, DISCONNECT with properties, every reason code...).
 *
 * @c form is GOLDEN_EXACT when mqtls_encode() must reproduce the bytes exactly;
 * GOLDEN_REORDERED when the sender put the properties in another order than the encoder's
 * (ascending identifier, user properties last; MQTT allows any order): the encoding then has
 * the same length and decodes to the same fields; GOLDEN_LOSSY when the packet carries what
 * the encode API cannot express (two subscription identifiers in one PUBLISH).
 *
 * The helpers at the end compare two packets field by field (either may be in decoded form,
 * with user properties and subscriptions behind iterators) and turn a decoded packet into
 * one mqtls_encode() accepts.
 */
#ifndef MQTLS_TEST_GOLDEN_H
#define MQTLS_TEST_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* ===================================================================================== */
/* Remaining length / variable byte integer examples: MQTT 3.1.1 section 2.2.3 Table 2.4   */
/* "Size of Remaining Length field", MQTT 5.0 section 1.5.5 Table 1-1 "Size of Variable    */
/* Byte Integer": the smallest and largest value of each size.                             */
/* ===================================================================================== */
typedef struct golden_rl {
    uint32_t value;
    uint8_t bytes[4];
    uint8_t n;
} golden_rl_t;

static const golden_rl_t golden_rl[] = {
    {0u, {0x00}, 1},
    {127u, {0x7F}, 1},
    {128u, {0x80, 0x01}, 2},
    {16383u, {0xFF, 0x7F}, 2},
    {16384u, {0x80, 0x80, 0x01}, 3},
    {2097151u, {0xFF, 0xFF, 0x7F}, 3},
    {2097152u, {0x80, 0x80, 0x80, 0x01}, 4},
    {268435455u, {0xFF, 0xFF, 0xFF, 0x7F}, 4},
};
#define GOLDEN_RL_COUNT (sizeof golden_rl / sizeof golden_rl[0])

/* ===================================================================================== */
/* Captured from mosquitto 2.0.11 (scripts/capture_golden.sh)                              */
/*                                                                                         */
/* "capture run X" names the run in the script's table. The script runs two brokers: A     */
/* (anonymous, max_keepalive 100) and B (password file user/secret, ACL allowing only     */
/* allowed/#, max_qos 1, retain_available false, max_packet_size 2000,                    */
/* max_inflight_messages 5); runs against B say so. Runs marked "python3 raw client" send  */
/* hand-made packets through the relay to record the broker's answer to them.              */
/* ===================================================================================== */

/* capture run v311_pub_qos0, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub0 -t test/topic -m hello */
static const uint8_t gc311_connect_min[] = {
    0x10, 0x17, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c,
    0x00, 0x0b, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e, 0x2d, 0x70, 0x75, 0x62,
    0x30,
};

/* capture run v311_connect_full, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-full -u user -P secret -c -k 30
 *       --will-topic will/t --will-payload bye --will-qos 1 --will-retain -t t -n */
static const uint8_t gc311_connect_full[] = {
    0x10, 0x32, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0xec, 0x00, 0x1e,
    0x00, 0x0b, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e, 0x2d, 0x66, 0x75, 0x6c,
    0x6c, 0x00, 0x06, 0x77, 0x69, 0x6c, 0x6c, 0x2f, 0x74, 0x00, 0x03, 0x62,
    0x79, 0x65, 0x00, 0x04, 0x75, 0x73, 0x65, 0x72, 0x00, 0x06, 0x73, 0x65,
    0x63, 0x72, 0x65, 0x74,
};

/* capture run v311_refused_pw, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-badpw -u user -P wrong -t t -n #
 *       broker B (password file + ACL) */
static const uint8_t gc311_connect_userpw[] = {
    0x10, 0x25, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0xc2, 0x00, 0x3c,
    0x00, 0x0c, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e, 0x2d, 0x62, 0x61, 0x64,
    0x70, 0x77, 0x00, 0x04, 0x75, 0x73, 0x65, 0x72, 0x00, 0x05, 0x77, 0x72,
    0x6f, 0x6e, 0x67,
};

/* capture run v311_unsub, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-unsub -c -t x/y -U old/topic -E */
static const uint8_t gc311_connect_persistent[] = {
    0x10, 0x18, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x3c,
    0x00, 0x0c, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e, 0x2d, 0x75, 0x6e, 0x73,
    0x75, 0x62,
};

/* capture run v311_ping, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-ping -t p -k 5 -W 7 */
static const uint8_t gc311_connect_ka5[] = {
    0x10, 0x17, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x05,
    0x00, 0x0b, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e, 0x2d, 0x70, 0x69, 0x6e,
    0x67,
};

/* capture run v311_pub_qos0, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub0 -t test/topic -m hello */
static const uint8_t gc311_publish_qos0[] = {
    0x30, 0x11, 0x00, 0x0a, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x74, 0x6f, 0x70,
    0x69, 0x63, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* capture run v311_pub_qos1_retain, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub1 -t test/retained -m hello -q 1
 *       -r */
static const uint8_t gc311_publish_qos1_retain[] = {
    0x33, 0x16, 0x00, 0x0d, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x72, 0x65, 0x74,
    0x61, 0x69, 0x6e, 0x65, 0x64, 0x00, 0x01, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* capture run v311_pub_qos2, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub2 -t test/topic -m hello -q 2 */
static const uint8_t gc311_publish_qos2[] = {
    0x34, 0x13, 0x00, 0x0a, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x74, 0x6f, 0x70,
    0x69, 0x63, 0x00, 0x01, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* capture run v311_connect_full, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-full -u user -P secret -c -k 30
 *       --will-topic will/t --will-payload bye --will-qos 1 --will-retain -t t -n */
static const uint8_t gc311_publish_empty[] = {
    0x30, 0x03, 0x00, 0x01, 0x74,
};

/* capture run v311_pub_qos2, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub2 -t test/topic -m hello -q 2 */
static const uint8_t gc311_pubrel[] = {
    0x62, 0x02, 0x00, 0x01,
};

/* capture run v311_sub_qos1, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-sub1 -t 'test/#' -t a/+/b -q 1 -C 1
 *       -W 3 */
static const uint8_t gc311_puback[] = {
    0x40, 0x02, 0x00, 0x01,
};

/* capture run v311_sub_qos1, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-sub1 -t 'test/#' -t a/+/b -q 1 -C 1
 *       -W 3 */
static const uint8_t gc311_subscribe_two[] = {
    0x82, 0x13, 0x00, 0x01, 0x00, 0x06, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x23,
    0x01, 0x00, 0x05, 0x61, 0x2f, 0x2b, 0x2f, 0x62, 0x01,
};

/* capture run v311_sub_qos2, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-sub2 -t test/retained -q 2 -C 1 -W 3 */
static const uint8_t gc311_subscribe_qos2[] = {
    0x82, 0x12, 0x00, 0x01, 0x00, 0x0d, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x72,
    0x65, 0x74, 0x61, 0x69, 0x6e, 0x65, 0x64, 0x02,
};

/* capture run v311_unsub, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-unsub -c -t x/y -U old/topic -E */
static const uint8_t gc311_subscribe_qos0[] = {
    0x82, 0x08, 0x00, 0x01, 0x00, 0x03, 0x78, 0x2f, 0x79, 0x00,
};

/* capture run v311_unsub, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-unsub -c -t x/y -U old/topic -E */
static const uint8_t gc311_unsubscribe[] = {
    0xa2, 0x0d, 0x00, 0x02, 0x00, 0x09, 0x6f, 0x6c, 0x64, 0x2f, 0x74, 0x6f,
    0x70, 0x69, 0x63,
};

/* capture run v311_ping, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-ping -t p -k 5 -W 7 */
static const uint8_t gc311_pingreq[] = {
    0xc0, 0x00,
};

/* capture run v311_pub_qos0, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub0 -t test/topic -m hello */
static const uint8_t gc311_disconnect[] = {
    0xe0, 0x00,
};

/* capture run v311_pub_qos0, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub0 -t test/topic -m hello */
static const uint8_t gs311_connack_accepted[] = {
    0x20, 0x02, 0x00, 0x00,
};

/* capture run v311_refused_anon, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-anon -t t -n # broker B (password
 *       file + ACL) */
static const uint8_t gs311_connack_not_authorized[] = {
    0x20, 0x02, 0x00, 0x05,
};

/* capture run v311_bad_level, broker -> client:
 *   $ python3 raw client (see capture_golden.sh) sending 100f00044d5154540702003c0003726177 */
static const uint8_t gs311_connack_bad_version[] = {
    0x20, 0x02, 0x00, 0x01,
};

/* capture run v311_pub_qos1_retain, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub1 -t test/retained -m hello -q 1
 *       -r */
static const uint8_t gs311_puback[] = {
    0x40, 0x02, 0x00, 0x01,
};

/* capture run v311_pub_qos2, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub2 -t test/topic -m hello -q 2 */
static const uint8_t gs311_pubrec[] = {
    0x50, 0x02, 0x00, 0x01,
};

/* capture run v311_pub_qos2, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 311 -i golden-pub2 -t test/topic -m hello -q 2 */
static const uint8_t gs311_pubcomp[] = {
    0x70, 0x02, 0x00, 0x01,
};

/* capture run v311_sub_qos1, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-sub1 -t 'test/#' -t a/+/b -q 1 -C 1
 *       -W 3 */
static const uint8_t gs311_suback_two[] = {
    0x90, 0x04, 0x00, 0x01, 0x01, 0x01,
};

/* capture run v311_sub_qos2, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-sub2 -t test/retained -q 2 -C 1 -W 3 */
static const uint8_t gs311_suback_qos2[] = {
    0x90, 0x03, 0x00, 0x01, 0x02,
};

/* capture run v311_unsub, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-unsub -c -t x/y -U old/topic -E */
static const uint8_t gs311_suback_qos0[] = {
    0x90, 0x03, 0x00, 0x01, 0x00,
};

/* capture run v311_unsub, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-unsub -c -t x/y -U old/topic -E */
static const uint8_t gs311_unsuback[] = {
    0xb0, 0x02, 0x00, 0x02,
};

/* capture run v311_ping, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-ping -t p -k 5 -W 7 */
static const uint8_t gs311_pingresp[] = {
    0xd0, 0x00,
};

/* capture run v311_sub_qos1, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 311 -i golden-sub1 -t 'test/#' -t a/+/b -q 1 -C 1
 *       -W 3 */
static const uint8_t gs311_publish_retained[] = {
    0x33, 0x16, 0x00, 0x0d, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x72, 0x65, 0x74,
    0x61, 0x69, 0x6e, 0x65, 0x64, 0x00, 0x01, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* capture run v5_pub_props, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-pub5 -t test/topic -m hello -q 1 -D
 *       publish payload-format-indicator 1 -D publish message-expiry-interval 60 -D publish
 *       content-type text/plain -D publish response-topic reply/here -D publish
 *       correlation-data c1 -D publish user-property k v -D publish user-property k v2 */
static const uint8_t gc5_connect_min[] = {
    0x10, 0x1b, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3c,
    0x03, 0x21, 0x00, 0x14, 0x00, 0x0b, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e,
    0x2d, 0x70, 0x75, 0x62, 0x35,
};

/* capture run v5_connect_full, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-full5c -u user -P secret -k 30
 *       --will-topic will/t --will-payload bye --will-qos 2 --will-retain -D connect
 *       session-expiry-interval 3600 -D connect request-problem-information 0 -D connect
 *       request-response-information 1 -D connect receive-maximum 20 -D connect
 *       topic-alias-maximum 8 -D connect maximum-packet-size 65536 -D connect user-property app
 *       golden -D will payload-format-indicator 1 -D will message-expiry-interval 120 -D will
 *       content-type text/plain -D will response-topic will/reply -D will correlation-data wc
 *       -D will will-delay-interval 10 -D will user-property w 1 -t t -n */
static const uint8_t gc5_connect_full[] = {
    0x10, 0x8a, 0x01, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0xf6, 0x00,
    0x1e, 0x22, 0x11, 0x00, 0x00, 0x0e, 0x10, 0x17, 0x00, 0x19, 0x01, 0x21,
    0x00, 0x14, 0x22, 0x00, 0x08, 0x27, 0x00, 0x01, 0x00, 0x00, 0x26, 0x00,
    0x03, 0x61, 0x70, 0x70, 0x00, 0x06, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e,
    0x00, 0x0d, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e, 0x2d, 0x66, 0x75, 0x6c,
    0x6c, 0x35, 0x63, 0x32, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x78, 0x03,
    0x00, 0x0a, 0x74, 0x65, 0x78, 0x74, 0x2f, 0x70, 0x6c, 0x61, 0x69, 0x6e,
    0x08, 0x00, 0x0a, 0x77, 0x69, 0x6c, 0x6c, 0x2f, 0x72, 0x65, 0x70, 0x6c,
    0x79, 0x09, 0x00, 0x02, 0x77, 0x63, 0x18, 0x00, 0x00, 0x00, 0x0a, 0x26,
    0x00, 0x01, 0x77, 0x00, 0x01, 0x31, 0x00, 0x06, 0x77, 0x69, 0x6c, 0x6c,
    0x2f, 0x74, 0x00, 0x03, 0x62, 0x79, 0x65, 0x00, 0x04, 0x75, 0x73, 0x65,
    0x72, 0x00, 0x06, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74,
};

/* capture run v5_connect_full_x, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-full5 -u user -P secret -c -x 3600 -k
 *       30 --will-topic will/t --will-payload bye --will-qos 2 --will-retain -D connect
 *       receive-maximum 20 -D connect maximum-packet-size 65536 -D connect user-property app
 *       golden -D will will-delay-interval 10 -D will content-type text/plain -t t -n */
static const uint8_t gc5_connect_full_x[] = {
    0x10, 0x62, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0xf4, 0x00, 0x1e,
    0x1b, 0x21, 0x00, 0x14, 0x27, 0x00, 0x01, 0x00, 0x00, 0x26, 0x00, 0x03,
    0x61, 0x70, 0x70, 0x00, 0x06, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e, 0x11,
    0x00, 0x00, 0x0e, 0x10, 0x00, 0x0c, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e,
    0x2d, 0x66, 0x75, 0x6c, 0x6c, 0x35, 0x12, 0x18, 0x00, 0x00, 0x00, 0x0a,
    0x03, 0x00, 0x0a, 0x74, 0x65, 0x78, 0x74, 0x2f, 0x70, 0x6c, 0x61, 0x69,
    0x6e, 0x00, 0x06, 0x77, 0x69, 0x6c, 0x6c, 0x2f, 0x74, 0x00, 0x03, 0x62,
    0x79, 0x65, 0x00, 0x04, 0x75, 0x73, 0x65, 0x72, 0x00, 0x06, 0x73, 0x65,
    0x63, 0x72, 0x65, 0x74,
};

/* capture run v5_unsub, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-unsub5 -c -t x/y -U old/topic -E -D
 *       unsubscribe user-property u 1 */
static const uint8_t gc5_connect_persistent[] = {
    0x10, 0x22, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x00, 0x00, 0x3c,
    0x08, 0x11, 0xff, 0xff, 0xff, 0xff, 0x21, 0x00, 0x14, 0x00, 0x0d, 0x67,
    0x6f, 0x6c, 0x64, 0x65, 0x6e, 0x2d, 0x75, 0x6e, 0x73, 0x75, 0x62, 0x35,
};

/* capture run v5_auth_method, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-auth5 -D connect authentication-method
 *       SCRAM-SHA-1 -D connect authentication-data n,,n=user -t t -n */
static const uint8_t gc5_connect_auth[] = {
    0x10, 0x36, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3c,
    0x1d, 0x15, 0x00, 0x0b, 0x53, 0x43, 0x52, 0x41, 0x4d, 0x2d, 0x53, 0x48,
    0x41, 0x2d, 0x31, 0x16, 0x00, 0x09, 0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0x75,
    0x73, 0x65, 0x72, 0x21, 0x00, 0x14, 0x00, 0x0c, 0x67, 0x6f, 0x6c, 0x64,
    0x65, 0x6e, 0x2d, 0x61, 0x75, 0x74, 0x68, 0x35,
};

/* capture run v5_assigned_id, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -t t -n */
static const uint8_t gc5_connect_empty_id[] = {
    0x10, 0x10, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3c,
    0x03, 0x21, 0x00, 0x14, 0x00, 0x00,
};

/* capture run v5_refused_pw, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-badpw5 -u user -P wrong -t t -n #
 *       broker B (password file + ACL) */
static const uint8_t gc5_connect_userpw[] = {
    0x10, 0x2a, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0xc2, 0x00, 0x3c,
    0x03, 0x21, 0x00, 0x14, 0x00, 0x0d, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e,
    0x2d, 0x62, 0x61, 0x64, 0x70, 0x77, 0x35, 0x00, 0x04, 0x75, 0x73, 0x65,
    0x72, 0x00, 0x05, 0x77, 0x72, 0x6f, 0x6e, 0x67,
};

/* capture run v5_server_keepalive, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-ka5 -k 200 -t t -n */
static const uint8_t gc5_connect_ka200[] = {
    0x10, 0x1a, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0xc8,
    0x03, 0x21, 0x00, 0x14, 0x00, 0x0a, 0x67, 0x6f, 0x6c, 0x64, 0x65, 0x6e,
    0x2d, 0x6b, 0x61, 0x35,
};

/* capture run v5_pub_props, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-pub5 -t test/topic -m hello -q 1 -D
 *       publish payload-format-indicator 1 -D publish message-expiry-interval 60 -D publish
 *       content-type text/plain -D publish response-topic reply/here -D publish
 *       correlation-data c1 -D publish user-property k v -D publish user-property k v2 */
static const uint8_t gc5_publish_props[] = {
    0x32, 0x49, 0x00, 0x0a, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x74, 0x6f, 0x70,
    0x69, 0x63, 0x00, 0x01, 0x35, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x3c,
    0x03, 0x00, 0x0a, 0x74, 0x65, 0x78, 0x74, 0x2f, 0x70, 0x6c, 0x61, 0x69,
    0x6e, 0x08, 0x00, 0x0a, 0x72, 0x65, 0x70, 0x6c, 0x79, 0x2f, 0x68, 0x65,
    0x72, 0x65, 0x09, 0x00, 0x02, 0x63, 0x31, 0x26, 0x00, 0x01, 0x6b, 0x00,
    0x01, 0x76, 0x26, 0x00, 0x01, 0x6b, 0x00, 0x02, 0x76, 0x32, 0x68, 0x65,
    0x6c, 0x6c, 0x6f,
};

/* capture run v5_pub_alias, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-alias -t test/alias -m a -D publish
 *       topic-alias 1 */
static const uint8_t gc5_publish_alias[] = {
    0x30, 0x11, 0x00, 0x0a, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x61, 0x6c, 0x69,
    0x61, 0x73, 0x03, 0x23, 0x00, 0x01, 0x61,
};

/* capture run v5_pub_qos2, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-pub52 -t test/retained -m hello5 -q 2
 *       -r */
static const uint8_t gc5_publish_qos2_retain[] = {
    0x35, 0x18, 0x00, 0x0d, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x72, 0x65, 0x74,
    0x61, 0x69, 0x6e, 0x65, 0x64, 0x00, 0x01, 0x00, 0x68, 0x65, 0x6c, 0x6c,
    0x6f, 0x35,
};

/* capture run v5_connect_full, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-full5c -u user -P secret -k 30
 *       --will-topic will/t --will-payload bye --will-qos 2 --will-retain -D connect
 *       session-expiry-interval 3600 -D connect request-problem-information 0 -D connect
 *       request-response-information 1 -D connect receive-maximum 20 -D connect
 *       topic-alias-maximum 8 -D connect maximum-packet-size 65536 -D connect user-property app
 *       golden -D will payload-format-indicator 1 -D will message-expiry-interval 120 -D will
 *       content-type text/plain -D will response-topic will/reply -D will correlation-data wc
 *       -D will will-delay-interval 10 -D will user-property w 1 -t t -n */
static const uint8_t gc5_publish_empty[] = {
    0x30, 0x04, 0x00, 0x01, 0x74, 0x00,
};

/* capture run v5_sub_qos2, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-sub5 -t test/retained -t test/+/x -q 2
 *       -C 1 -W 3 -D subscribe subscription-identifier 7 -D subscribe user-property s 1 */
static const uint8_t gc5_subscribe_subid[] = {
    0x82, 0x27, 0x00, 0x01, 0x09, 0x0b, 0x07, 0x26, 0x00, 0x01, 0x73, 0x00,
    0x01, 0x31, 0x00, 0x0d, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x72, 0x65, 0x74,
    0x61, 0x69, 0x6e, 0x65, 0x64, 0x02, 0x00, 0x08, 0x74, 0x65, 0x73, 0x74,
    0x2f, 0x2b, 0x2f, 0x78, 0x02,
};

/* capture run v5_unsub, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-unsub5 -c -t x/y -U old/topic -E -D
 *       unsubscribe user-property u 1 */
static const uint8_t gc5_subscribe_qos0[] = {
    0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 0x78, 0x2f, 0x79, 0x00,
};

/* capture run v5_unsub, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-unsub5 -c -t x/y -U old/topic -E -D
 *       unsubscribe user-property u 1 */
static const uint8_t gc5_unsubscribe[] = {
    0xa2, 0x15, 0x00, 0x02, 0x07, 0x26, 0x00, 0x01, 0x75, 0x00, 0x01, 0x31,
    0x00, 0x09, 0x6f, 0x6c, 0x64, 0x2f, 0x74, 0x6f, 0x70, 0x69, 0x63,
};

/* capture run v5_sub_qos2, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-sub5 -t test/retained -t test/+/x -q 2
 *       -C 1 -W 3 -D subscribe subscription-identifier 7 -D subscribe user-property s 1 */
static const uint8_t gc5_pubrec[] = {
    0x50, 0x02, 0x00, 0x01,
};

/* capture run v5_pub_qos2, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-pub52 -t test/retained -m hello5 -q 2
 *       -r */
static const uint8_t gc5_pubrel[] = {
    0x62, 0x02, 0x00, 0x01,
};

/* capture run v5_sub_qos2, client -> broker:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-sub5 -t test/retained -t test/+/x -q 2
 *       -C 1 -W 3 -D subscribe subscription-identifier 7 -D subscribe user-property s 1 */
static const uint8_t gc5_pubcomp[] = {
    0x70, 0x02, 0x00, 0x01,
};

/* capture run v5_pub_props, client -> broker:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-pub5 -t test/topic -m hello -q 1 -D
 *       publish payload-format-indicator 1 -D publish message-expiry-interval 60 -D publish
 *       content-type text/plain -D publish response-topic reply/here -D publish
 *       correlation-data c1 -D publish user-property k v -D publish user-property k v2 */
static const uint8_t gc5_disconnect[] = {
    0xe0, 0x00,
};

/* capture run v5_bad_alias, client -> broker:
 *   $ python3 raw client (see capture_golden.sh) sending
 *       101800044d5154540502003c00000b676f6c64656e2d72617731 30080001740323000b78 */
static const uint8_t gc5_publish_bad_alias[] = {
    0x30, 0x08, 0x00, 0x01, 0x74, 0x03, 0x23, 0x00, 0x0b, 0x78,
};

/* capture run v5_pub_props, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-pub5 -t test/topic -m hello -q 1 -D
 *       publish payload-format-indicator 1 -D publish message-expiry-interval 60 -D publish
 *       content-type text/plain -D publish response-topic reply/here -D publish
 *       correlation-data c1 -D publish user-property k v -D publish user-property k v2 */
static const uint8_t gs5_connack[] = {
    0x20, 0x09, 0x00, 0x00, 0x06, 0x22, 0x00, 0x0a, 0x21, 0x00, 0x14,
};

/* capture run v5_assigned_id, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -t t -n */
static const uint8_t gs5_connack_assigned_id[] = {
    0x20, 0x35, 0x00, 0x00, 0x32, 0x22, 0x00, 0x0a, 0x12, 0x00, 0x29, 0x61,
    0x75, 0x74, 0x6f, 0x2d, 0x45, 0x42, 0x46, 0x41, 0x46, 0x33, 0x41, 0x42,
    0x2d, 0x35, 0x45, 0x35, 0x30, 0x2d, 0x35, 0x37, 0x44, 0x45, 0x2d, 0x41,
    0x33, 0x35, 0x46, 0x2d, 0x41, 0x45, 0x44, 0x41, 0x35, 0x44, 0x31, 0x31,
    0x35, 0x38, 0x39, 0x42, 0x21, 0x00, 0x14,
};

/* capture run v5_server_keepalive, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-ka5 -k 200 -t t -n */
static const uint8_t gs5_connack_server_keepalive[] = {
    0x20, 0x0c, 0x00, 0x00, 0x09, 0x22, 0x00, 0x0a, 0x13, 0x00, 0x64, 0x21,
    0x00, 0x14,
};

/* capture run v5_limits, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-lim5 -u user -P secret -t allowed/x -m
 *       x -q 1 # broker B (password file + ACL) */
static const uint8_t gs5_connack_limits[] = {
    0x20, 0x12, 0x00, 0x00, 0x0f, 0x22, 0x00, 0x0a, 0x25, 0x00, 0x27, 0x00,
    0x00, 0x07, 0xd0, 0x21, 0x00, 0x05, 0x24, 0x01,
};

/* capture run v5_refused_anon, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-anon5 -t t -n # broker B (password file
 *       + ACL) */
static const uint8_t gs5_connack_not_authorized[] = {
    0x20, 0x05, 0x00, 0x87, 0x02, 0x24, 0x01,
};

/* capture run v5_auth_method, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-auth5 -D connect authentication-method
 *       SCRAM-SHA-1 -D connect authentication-data n,,n=user -t t -n */
static const uint8_t gs5_connack_bad_auth_method[] = {
    0x20, 0x03, 0x00, 0x8c, 0x00,
};

/* capture run v5_pub_props, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-pub5 -t test/topic -m hello -q 1 -D
 *       publish payload-format-indicator 1 -D publish message-expiry-interval 60 -D publish
 *       content-type text/plain -D publish response-topic reply/here -D publish
 *       correlation-data c1 -D publish user-property k v -D publish user-property k v2 */
static const uint8_t gs5_puback_no_subscribers[] = {
    0x40, 0x03, 0x00, 0x01, 0x10,
};

/* capture run v5_pub_denied, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-acl5p -u user -P secret -t denied/x -m
 *       x -q 1 # broker B (password file + ACL) */
static const uint8_t gs5_puback_not_authorized[] = {
    0x40, 0x03, 0x00, 0x01, 0x87,
};

/* capture run v5_pub_qos2, broker -> client:
 *   $ mosquitto_pub -h 127.0.0.1 -p PORT -V 5 -i golden-pub52 -t test/retained -m hello5 -q 2
 *       -r */
static const uint8_t gs5_pubrec[] = {
    0x50, 0x02, 0x00, 0x01,
};

/* capture run v5_sub_qos2, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-sub5 -t test/retained -t test/+/x -q 2
 *       -C 1 -W 3 -D subscribe subscription-identifier 7 -D subscribe user-property s 1 */
static const uint8_t gs5_pubrel[] = {
    0x62, 0x02, 0x00, 0x01,
};

/* capture run v5_sub_qos2, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-sub5 -t test/retained -t test/+/x -q 2
 *       -C 1 -W 3 -D subscribe subscription-identifier 7 -D subscribe user-property s 1 */
static const uint8_t gs5_suback_qos2[] = {
    0x90, 0x05, 0x00, 0x01, 0x00, 0x02, 0x02,
};

/* capture run v5_unsub, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-unsub5 -c -t x/y -U old/topic -E -D
 *       unsubscribe user-property u 1 */
static const uint8_t gs5_suback_qos0[] = {
    0x90, 0x04, 0x00, 0x01, 0x00, 0x00,
};

/* capture run v5_unsub, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-unsub5 -c -t x/y -U old/topic -E -D
 *       unsubscribe user-property u 1 */
static const uint8_t gs5_unsuback[] = {
    0xb0, 0x04, 0x00, 0x02, 0x00, 0x11,
};

/* capture run v5_sub_qos2, broker -> client:
 *   $ mosquitto_sub -h 127.0.0.1 -p PORT -V 5 -i golden-sub5 -t test/retained -t test/+/x -q 2
 *       -C 1 -W 3 -D subscribe subscription-identifier 7 -D subscribe user-property s 1 */
static const uint8_t gs5_publish_subid[] = {
    0x35, 0x1a, 0x00, 0x0d, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x72, 0x65, 0x74,
    0x61, 0x69, 0x6e, 0x65, 0x64, 0x00, 0x01, 0x02, 0x0b, 0x07, 0x68, 0x65,
    0x6c, 0x6c, 0x6f, 0x35,
};

/* capture run v5_bad_alias, broker -> client:
 *   $ python3 raw client (see capture_golden.sh) sending
 *       101800044d5154540502003c00000b676f6c64656e2d72617731 30080001740323000b78 */
static const uint8_t gs5_disconnect_alias_invalid[] = {
    0xe0, 0x01, 0x94,
};

/* capture run v5_bad_qos, broker -> client:
 *   $ python3 raw client (see capture_golden.sh) sending
 *       101800044d5154540502003c00000b676f6c64656e2d72617732 3606000174000100 */
static const uint8_t gs5_disconnect_malformed[] = {
    0xe0, 0x01, 0x81,
};

/* ===================================================================================== */
/* Specification examples                                                                  */
/* ===================================================================================== */

/* MQTT 3.1.1 section 3.1.2.10, Figure 3.6 "Variable header non normative example":
 * protocol name "MQTT", level 4, flags 0xCE (user name, password, will QoS 1, will, clean
 * session), keep alive 10. Payload (section 3.1.3 order) added: client id "id", will topic
 * "w", will message "m", user name "u", password "p". */
static const uint8_t spec311_connect[] = {
    0x10, 0x1a, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0xce, 0x00, 0x0a, 0x00, 0x02,
    0x69, 0x64, 0x00, 0x01, 0x77, 0x00, 0x01, 0x6d, 0x00, 0x01, 0x75, 0x00, 0x01, 0x70,
};

/* MQTT 5.0 section 3.1.2.12, Figure 3-8 "CONNECT variable header example": as above with
 * level 5 and properties length 5: Session Expiry Interval (17) = 10. Payload added as
 * above, with an empty will properties block. */
static const uint8_t spec5_connect[] = {
    0x10, 0x21, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0xce, 0x00, 0x0a,
    0x05, 0x11, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x69, 0x64, 0x00, 0x00,
    0x01, 0x77, 0x00, 0x01, 0x6d, 0x00, 0x01, 0x75, 0x00, 0x01, 0x70,
};

/* MQTT 3.1.1 section 3.3.2.3, Figure 3.11 "Publish Packet variable header non normative
 * example": topic "a/b", packet identifier 10 (QoS 1, no payload). */
static const uint8_t spec311_publish[] = {
    0x32, 0x07, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x00, 0x0a,
};

/* MQTT 5.0 section 3.3.2.3, Figure 3-9 "Publish packet variable header example": topic "a/b",
 * packet identifier 10, properties length 0. */
static const uint8_t spec5_publish[] = {
    0x32, 0x08, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x00, 0x0a, 0x00,
};

/* MQTT 3.1.1 sections 3.8.2 (Figure 3.21, packet identifier 10) and 3.8.3 (Figure 3.23
 * "Payload byte format non normative example": "a/b" QoS 1, "c/d" QoS 2). */
static const uint8_t spec311_subscribe[] = {
    0x82, 0x0e, 0x00, 0x0a, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x01, 0x00, 0x03, 0x63, 0x2f, 0x64,
    0x02,
};

/* MQTT 5.0 sections 3.8.2 (Figure 3-19: packet identifier 10, property length 0) and 3.8.3
 * (Figure 3-21: "a/b" options 1, "c/d" options 2). */
static const uint8_t spec5_subscribe[] = {
    0x82, 0x0f, 0x00, 0x0a, 0x00, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x01, 0x00, 0x03, 0x63, 0x2f,
    0x64, 0x02,
};

/* MQTT 3.1.1 section 3.9.3, Figure 3.26 "Payload byte format non normative example": return
 * codes Success QoS 0, Success QoS 2, Failure (packet identifier 10 added). */
static const uint8_t spec311_suback[] = {
    0x90, 0x05, 0x00, 0x0a, 0x00, 0x02, 0x80,
};

/* MQTT 3.1.1 sections 3.10.2 and 3.10.3, Figure 3.30 "Payload byte format non normative
 * example": packet identifier 10, filters "a/b" and "c/d". */
static const uint8_t spec311_unsubscribe[] = {
    0xa2, 0x0c, 0x00, 0x0a, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x00, 0x03, 0x63, 0x2f, 0x64,
};

/* MQTT 5.0 section 3.10.2 (Figure 3-29: packet identifier 10, property length 0) and 3.10.3
 * (Figure 3-30: "a/b", "c/d"). */
static const uint8_t spec5_unsubscribe[] = {
    0xa2, 0x0d, 0x00, 0x0a, 0x00, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x00, 0x03, 0x63, 0x2f, 0x64,
};

/* MQTT 3.1.1 section 3.11, Figure 3.31: UNSUBACK for packet identifier 10. */
static const uint8_t spec311_unsuback[] = {
    0xb0, 0x02, 0x00, 0x0a,
};

/* MQTT 3.1.1 section 1.5.3.1, Figure 1.1 "UTF-8 encoded string non normative example":
 * "A" U+2A6D4 = 00 05 41 F0 AA 9B 94, as the topic of a QoS 0 PUBLISH with payload "x". */
static const uint8_t spec311_utf8_topic[] = {
    0x30, 0x08, 0x00, 0x05, 0x41, 0xf0, 0xaa, 0x9b, 0x94, 0x78,
};

/* MQTT 5.0 section 1.5.4, Figure 1-1: the same string, in a 5.0 PUBLISH. */
static const uint8_t spec5_utf8_topic[] = {
    0x30, 0x09, 0x00, 0x05, 0x41, 0xf0, 0xaa, 0x9b, 0x94, 0x00, 0x78,
};

/* ===================================================================================== */
/* Built by hand from the packet layouts (section numbers are MQTT 5.0 unless noted)       */
/* ===================================================================================== */

/* 3.2: CONNACK with session present and every CONNACK property (3.2.2.3), in the encoder's
 * order: 0x11 3600, 0x12 "cid", 0x13 30, 0x15 "M", 0x16 01 02, 0x1A "resp/", 0x1C "srv2",
 * 0x1F "ok", 0x21 10, 0x22 5, 0x24 1, 0x25 0, 0x27 65536, 0x28 0, 0x29 1, 0x2A 0, then user
 * property ("a", "b"). Properties length 71. */
static const uint8_t h5_connack_all_props[] = {
    0x20, 0x4a, 0x01, 0x00, 0x47,
    0x11, 0x00, 0x00, 0x0e, 0x10,
    0x12, 0x00, 0x03, 0x63, 0x69, 0x64,
    0x13, 0x00, 0x1e,
    0x15, 0x00, 0x01, 0x4d,
    0x16, 0x00, 0x02, 0x01, 0x02,
    0x1a, 0x00, 0x05, 0x72, 0x65, 0x73, 0x70, 0x2f,
    0x1c, 0x00, 0x04, 0x73, 0x72, 0x76, 0x32,
    0x1f, 0x00, 0x02, 0x6f, 0x6b,
    0x21, 0x00, 0x0a,
    0x22, 0x00, 0x05,
    0x24, 0x01,
    0x25, 0x00,
    0x27, 0x00, 0x01, 0x00, 0x00,
    0x28, 0x00,
    0x29, 0x01,
    0x2a, 0x00,
    0x26, 0x00, 0x01, 0x61, 0x00, 0x01, 0x62,
};

/* 3.2.2: CONNACK with session present = 1 (3.1.1: 3.2.2.2). */
static const uint8_t h311_connack_session_present[] = {0x20, 0x02, 0x01, 0x00};
static const uint8_t h5_connack_session_present[] = {0x20, 0x03, 0x01, 0x00, 0x00};
/* 3.1.1 section 3.2.2.3, Table 3.1: return codes 2, 3 and 4 (1 and 5 were captured). */
static const uint8_t h311_connack_rc2[] = {0x20, 0x02, 0x00, 0x02};
static const uint8_t h311_connack_rc3[] = {0x20, 0x02, 0x00, 0x03};
static const uint8_t h311_connack_rc4[] = {0x20, 0x02, 0x00, 0x04};

/* 3.1: 5.0 CONNECT with a password and no user name (allowed since 5.0, 3.1.2.9), clean
 * start, keep alive 0, empty client id. */
static const uint8_t h5_connect_password_only[] = {
    0x10, 0x11, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x42, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x70, 0x77,
};

/* 3.14: server DISCONNECT 0x9D "Server moved" with Server Reference "b:1883", Reason String
 * "moved" and a user property ("k", "v"). */
static const uint8_t h5_disconnect_server_moved[] = {
    0xe0, 0x1a, 0x9d, 0x18, 0x1c, 0x00, 0x06, 0x62, 0x3a, 0x31, 0x38, 0x38, 0x33, 0x1f,
    0x00, 0x05, 0x6d, 0x6f, 0x76, 0x65, 0x64, 0x26, 0x00, 0x01, 0x6b, 0x00, 0x01, 0x76,
};

/* 3.14: client DISCONNECT 0x04 "Disconnect with Will Message", Session Expiry Interval 0. */
static const uint8_t h5_disconnect_with_will[] = {
    0xe0, 0x07, 0x04, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00,
};

/* 3.15: AUTH 0x18 "Continue authentication": Authentication Method "SCRAM-SHA-1",
 * Authentication Data "abc", Reason String "more", user property ("k", "v"). */
static const uint8_t h5_auth_continue[] = {
    0xf0, 0x24, 0x18, 0x22, 0x15, 0x00, 0x0b, 0x53, 0x43, 0x52, 0x41, 0x4d, 0x2d,
    0x53, 0x48, 0x41, 0x2d, 0x31, 0x16, 0x00, 0x03, 0x61, 0x62, 0x63, 0x1f, 0x00,
    0x04, 0x6d, 0x6f, 0x72, 0x65, 0x26, 0x00, 0x01, 0x6b, 0x00, 0x01, 0x76,
};

/* 3.15: AUTH 0x19 "Re-authenticate" with Authentication Method "M". */
static const uint8_t h5_auth_reauth[] = {0xf0, 0x06, 0x19, 0x04, 0x15, 0x00, 0x01, 0x4d};

/* 3.15.2.1: AUTH with remaining length 0 means reason 0x00 and no properties. */
static const uint8_t h5_auth_short[] = {0xf0, 0x00};

/* 3.4: PUBACK id 0x1234, 0x87 "Not authorized", Reason String "denied", user property
 * ("why", "acl"). */
static const uint8_t h5_puback_props[] = {
    0x40, 0x18, 0x12, 0x34, 0x87, 0x14, 0x1f, 0x00, 0x06, 0x64, 0x65, 0x6e, 0x69,
    0x65, 0x64, 0x26, 0x00, 0x03, 0x77, 0x68, 0x79, 0x00, 0x03, 0x61, 0x63, 0x6c,
};

/* 3.4.2.1: reason 0x00 must still be sent when properties follow. */
static const uint8_t h5_puback_success_props[] = {
    0x40, 0x09, 0x00, 0x07, 0x00, 0x05, 0x1f, 0x00, 0x02, 0x6f, 0x6b,
};

/* 3.5: PUBREC id 0x0102, 0x10 "No matching subscribers", user property ("a", "b"). */
static const uint8_t h5_pubrec_props[] = {
    0x50, 0x0b, 0x01, 0x02, 0x10, 0x07, 0x26, 0x00, 0x01, 0x61, 0x00, 0x01, 0x62,
};

/* 3.5.2.2: PUBREC with a reason and no properties (property length left out). */
static const uint8_t h5_pubrec_reason_only[] = {0x50, 0x03, 0x00, 0x05, 0x80};

/* 3.6: PUBREL id 7, 0x92 "Packet Identifier not found". */
static const uint8_t h5_pubrel_not_found[] = {0x62, 0x03, 0x00, 0x07, 0x92};

/* 3.7: PUBCOMP id 7, 0x92 with Reason String "gone". */
static const uint8_t h5_pubcomp_props[] = {
    0x70, 0x0b, 0x00, 0x07, 0x92, 0x07, 0x1f, 0x00, 0x04, 0x67, 0x6f, 0x6e, 0x65,
};

/* 3.9: SUBACK id 10 with Reason String "s" and every SUBACK reason code (3.9.3). */
static const uint8_t h5_suback_codes[] = {
    0x90, 0x13, 0x00, 0x0a, 0x04, 0x1f, 0x00, 0x01, 0x73, 0x00, 0x01,
    0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2,
};

/* 3.11: UNSUBACK id 11 with a user property ("k", "v") and every UNSUBACK reason code. */
static const uint8_t h5_unsuback_codes[] = {
    0xb0, 0x11, 0x00, 0x0b, 0x07, 0x26, 0x00, 0x01, 0x6b, 0x00,
    0x01, 0x76, 0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91,
};

/* 3.8.3.1: SUBSCRIBE id 12 with subscription options: "a/b" 0x2D (QoS 1, No Local, Retain
 * As Published, Retain Handling 2), "$share/g/c/#" 0x1A (QoS 2, Retain As Published,
 * Retain Handling 1), "+/x" 0x00. */
static const uint8_t h5_subscribe_options[] = {
    0x82, 0x1e, 0x00, 0x0c, 0x00, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x2d, 0x00, 0x0c,
    0x24, 0x73, 0x68, 0x61, 0x72, 0x65, 0x2f, 0x67, 0x2f, 0x63, 0x2f, 0x23, 0x1a,
    0x00, 0x03, 0x2b, 0x2f, 0x78, 0x00,
};

/* 3.3.2.3.8: a server PUBLISH matching two subscriptions carries two Subscription
 * Identifiers (1 and 130, the latter a 2-byte variable byte integer). Not canonical: the
 * encode API sends at most one. */
static const uint8_t h5_publish_two_sub_ids[] = {
    0x30, 0x0a, 0x00, 0x01, 0x74, 0x05, 0x0b, 0x01, 0x0b, 0x82, 0x01, 0x78,
};

/* 3.3.2.3.4: PUBLISH QoS 1 id 3 with an empty topic name and Topic Alias 5, payload "hi". */
static const uint8_t h5_publish_alias_only[] = {
    0x32, 0x0a, 0x00, 0x00, 0x00, 0x03, 0x03, 0x23, 0x00, 0x05, 0x68, 0x69,
};

/* 3.3.1: PUBLISH with DUP, QoS 2 and RETAIN, packet id 0xFFFF, payload "d". */
static const uint8_t h5_publish_dup_qos2[] = {
    0x3d, 0x07, 0x00, 0x01, 0x74, 0xff, 0xff, 0x00, 0x64,
};
/* 3.1.1 section 3.3.1: PUBLISH with DUP and QoS 1, packet id 2, payload "d". */
static const uint8_t h311_publish_dup_qos1[] = {
    0x3a, 0x06, 0x00, 0x01, 0x74, 0x00, 0x02, 0x64,
};

/* 3.12 / 3.13: PINGREQ and PINGRESP are the same bytes in 5.0. */
static const uint8_t h5_pingreq[] = {0xc0, 0x00};
static const uint8_t h5_pingresp[] = {0xd0, 0x00};

/* ===================================================================================== */
/* The fields of each vector, written from the command line / specification text (not     */
/* from the decoder's output).                                                             */
/* ===================================================================================== */

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

/* mosquitto 2.0.11's CONNACK to a plain 5.0 client: Topic Alias Maximum 10, then Receive
 * Maximum 20 (the broker's defaults). */
static inline void golden_mosq_connack_props(mqtls_props_t *pr)
{
    GSET(*pr, MQTLS_PROP_TOPIC_ALIAS_MAXIMUM);
    pr->topic_alias_maximum = 10;
    golden_receive_max(pr, 20);
}

static const mqtls_user_prop_t gu_app_golden[] = {{GSI("app"), GSI("golden")}};
static const mqtls_user_prop_t gu_w_1[] = {{GSI("w"), GSI("1")}};
static const mqtls_user_prop_t gu_s_1[] = {{GSI("s"), GSI("1")}};
static const mqtls_user_prop_t gu_u_1[] = {{GSI("u"), GSI("1")}};
static const mqtls_user_prop_t gu_k_v[] = {{GSI("k"), GSI("v")}};
static const mqtls_user_prop_t gu_a_b[] = {{GSI("a"), GSI("b")}};
static const mqtls_user_prop_t gu_why_acl[] = {{GSI("why"), GSI("acl")}};
static const mqtls_user_prop_t gu_k_v_k_v2[] = {{GSI("k"), GSI("v")}, {GSI("k"), GSI("v2")}};

static inline void golden_user(mqtls_props_t *pr, const mqtls_user_prop_t *u, uint16_t n)
{
    pr->user = u;
    pr->user_count = n;
}

/* ---- captured, 3.1.1 ---- */
static inline void gx_c311_connect_min(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V311, true, 60, GS("golden-pub0"));
}
static inline void gx_c311_connect_full(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V311, false, 30, GS("golden-full"));
    golden_will(p, 1, true, GS("will/t"), GB("bye"));
    golden_login(p, GS("user"), GB("secret"));
}
static inline void gx_c311_connect_userpw(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V311, true, 60, GS("golden-badpw"));
    golden_login(p, GS("user"), GB("wrong"));
}
static inline void gx_c311_connect_persistent(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V311, false, 60, GS("golden-unsub"));
}
static inline void gx_c311_connect_ka5(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V311, true, 5, GS("golden-ping"));
}
static inline void gx_publish_hello_qos0(mqtls_packet_t *p)
{
    golden_publish(p, 0, false, false, GS("test/topic"), 0, "hello", 5);
}
static inline void gx_publish_retained_qos1(mqtls_packet_t *p)
{
    golden_publish(p, 1, true, false, GS("test/retained"), 1, "hello", 5);
}
static inline void gx_c311_publish_qos2(mqtls_packet_t *p)
{
    golden_publish(p, 2, false, false, GS("test/topic"), 1, "hello", 5);
}
static inline void gx_publish_empty(mqtls_packet_t *p)
{
    golden_publish(p, 0, false, false, GS("t"), 0, "", 0);
}
static inline void gx_puback_1(mqtls_packet_t *p) { golden_ack(p, MQTLS_PUBACK, 1, 0); }
static inline void gx_pubrec_1(mqtls_packet_t *p) { golden_ack(p, MQTLS_PUBREC, 1, 0); }
static inline void gx_pubrel_1(mqtls_packet_t *p) { golden_ack(p, MQTLS_PUBREL, 1, 0); }
static inline void gx_pubcomp_1(mqtls_packet_t *p) { golden_ack(p, MQTLS_PUBCOMP, 1, 0); }
static inline void gx_disconnect(mqtls_packet_t *p) { golden_ack(p, MQTLS_DISCONNECT, 0, 0); }
static inline void gx_pingreq(mqtls_packet_t *p) { golden_init(p, MQTLS_PINGREQ); }
static inline void gx_pingresp(mqtls_packet_t *p) { golden_init(p, MQTLS_PINGRESP); }

static const mqtls_subscription_t gsubs_two[] = {{GSI("test/#"), 1}, {GSI("a/+/b"), 1}};
static const mqtls_subscription_t gsubs_retained_q2[] = {{GSI("test/retained"), 2}};
static const mqtls_subscription_t gsubs_xy_q0[] = {{GSI("x/y"), 0}};
static const mqtls_str_t gfilters_old[] = {GSI("old/topic")};

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

static inline void gx_subscribe_two(mqtls_packet_t *p) { golden_subscribe(p, 1, gsubs_two, 2); }
static inline void gx_subscribe_retained_q2(mqtls_packet_t *p)
{
    golden_subscribe(p, 1, gsubs_retained_q2, 1);
}
static inline void gx_subscribe_xy_q0(mqtls_packet_t *p) { golden_subscribe(p, 1, gsubs_xy_q0, 1); }
static inline void gx_c311_unsubscribe(mqtls_packet_t *p)
{
    golden_unsubscribe(p, 2, gfilters_old, 1);
}

static const uint8_t gcodes_1_1[] = {1, 1};
static const uint8_t gcodes_2[] = {2};
static const uint8_t gcodes_2_2[] = {2, 2};
static const uint8_t gcodes_0[] = {0};
static const uint8_t gcodes_0x11[] = {0x11};
static const uint8_t gcodes_spec311[] = {0x00, 0x02, 0x80};
static const uint8_t gcodes_suback5_all[] = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87,
                                             0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2};
static const uint8_t gcodes_unsuback5_all[] = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91};

static inline void gx_connack_0(mqtls_packet_t *p) { golden_connack(p, false, 0); }
static inline void gx_s311_connack_5(mqtls_packet_t *p) { golden_connack(p, false, 5); }
static inline void gx_s311_connack_1(mqtls_packet_t *p) { golden_connack(p, false, 1); }
static inline void gx_s311_suback_two(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_SUBACK, 1, gcodes_1_1, 2);
}
static inline void gx_s311_suback_qos2(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_SUBACK, 1, gcodes_2, 1);
}
static inline void gx_suback_qos0(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_SUBACK, 1, gcodes_0, 1);
}
static inline void gx_s311_unsuback(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_UNSUBACK, 2, NULL, 0);
}

/* ---- captured, 5.0 ---- */
static inline void gx_c5_connect_min(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V5, true, 60, GS("golden-pub5"));
    golden_receive_max(&p->u.connect.props, 20);
}
static inline void gx_c5_connect_full(mqtls_packet_t *p)
{
    mqtls_props_t *pr = &p->u.connect.props, *w = &p->u.connect.will_props;
    golden_connect(p, MQTLS_V5, true, 30, GS("golden-full5c"));
    golden_will(p, 2, true, GS("will/t"), GB("bye"));
    golden_login(p, GS("user"), GB("secret"));
    GSET(*pr, MQTLS_PROP_SESSION_EXPIRY);
    pr->session_expiry = 3600;
    GSET(*pr, MQTLS_PROP_REQUEST_PROBLEM_INFO);
    pr->request_problem_info = 0;
    GSET(*pr, MQTLS_PROP_REQUEST_RESPONSE_INFO);
    pr->request_response_info = 1;
    golden_receive_max(pr, 20);
    GSET(*pr, MQTLS_PROP_TOPIC_ALIAS_MAXIMUM);
    pr->topic_alias_maximum = 8;
    GSET(*pr, MQTLS_PROP_MAXIMUM_PACKET_SIZE);
    pr->maximum_packet_size = 65536;
    golden_user(pr, gu_app_golden, 1);
    GSET(*w, MQTLS_PROP_PAYLOAD_FORMAT);
    w->payload_format = 1;
    GSET(*w, MQTLS_PROP_MESSAGE_EXPIRY);
    w->message_expiry = 120;
    GSET(*w, MQTLS_PROP_CONTENT_TYPE);
    w->content_type = GS("text/plain");
    GSET(*w, MQTLS_PROP_RESPONSE_TOPIC);
    w->response_topic = GS("will/reply");
    GSET(*w, MQTLS_PROP_CORRELATION_DATA);
    w->correlation_data = GB("wc");
    GSET(*w, MQTLS_PROP_WILL_DELAY);
    w->will_delay = 10;
    golden_user(w, gu_w_1, 1);
}
static inline void gx_c5_connect_full_x(mqtls_packet_t *p)
{
    mqtls_props_t *pr = &p->u.connect.props, *w = &p->u.connect.will_props;
    golden_connect(p, MQTLS_V5, false, 30, GS("golden-full5"));
    golden_will(p, 2, true, GS("will/t"), GB("bye"));
    golden_login(p, GS("user"), GB("secret"));
    golden_receive_max(pr, 20);
    GSET(*pr, MQTLS_PROP_MAXIMUM_PACKET_SIZE);
    pr->maximum_packet_size = 65536;
    golden_user(pr, gu_app_golden, 1);
    GSET(*pr, MQTLS_PROP_SESSION_EXPIRY);
    pr->session_expiry = 3600;
    GSET(*w, MQTLS_PROP_WILL_DELAY);
    w->will_delay = 10;
    GSET(*w, MQTLS_PROP_CONTENT_TYPE);
    w->content_type = GS("text/plain");
}
static inline void gx_c5_connect_persistent(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V5, false, 60, GS("golden-unsub5"));
    GSET(p->u.connect.props, MQTLS_PROP_SESSION_EXPIRY);
    p->u.connect.props.session_expiry = 0xFFFFFFFFu;
    golden_receive_max(&p->u.connect.props, 20);
}
static inline void gx_c5_connect_auth(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V5, true, 60, GS("golden-auth5"));
    GSET(p->u.connect.props, MQTLS_PROP_AUTH_METHOD);
    p->u.connect.props.auth_method = GS("SCRAM-SHA-1");
    GSET(p->u.connect.props, MQTLS_PROP_AUTH_DATA);
    p->u.connect.props.auth_data = GB("n,,n=user");
    golden_receive_max(&p->u.connect.props, 20);
}
static inline void gx_c5_connect_empty_id(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V5, true, 60, GS(""));
    golden_receive_max(&p->u.connect.props, 20);
}
static inline void gx_c5_connect_userpw(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V5, true, 60, GS("golden-badpw5"));
    golden_receive_max(&p->u.connect.props, 20);
    golden_login(p, GS("user"), GB("wrong"));
}
static inline void gx_c5_connect_ka200(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V5, true, 200, GS("golden-ka5"));
    golden_receive_max(&p->u.connect.props, 20);
}
static inline void gx_c5_publish_props(mqtls_packet_t *p)
{
    mqtls_props_t *pr = &p->u.publish.props;
    golden_publish(p, 1, false, false, GS("test/topic"), 1, "hello", 5);
    GSET(*pr, MQTLS_PROP_PAYLOAD_FORMAT);
    pr->payload_format = 1;
    GSET(*pr, MQTLS_PROP_MESSAGE_EXPIRY);
    pr->message_expiry = 60;
    GSET(*pr, MQTLS_PROP_CONTENT_TYPE);
    pr->content_type = GS("text/plain");
    GSET(*pr, MQTLS_PROP_RESPONSE_TOPIC);
    pr->response_topic = GS("reply/here");
    GSET(*pr, MQTLS_PROP_CORRELATION_DATA);
    pr->correlation_data = GB("c1");
    golden_user(pr, gu_k_v_k_v2, 2);
}
static inline void gx_c5_publish_alias(mqtls_packet_t *p)
{
    golden_publish(p, 0, false, false, GS("test/alias"), 0, "a", 1);
    GSET(p->u.publish.props, MQTLS_PROP_TOPIC_ALIAS);
    p->u.publish.props.topic_alias = 1;
}
static inline void gx_publish_retained_qos2(mqtls_packet_t *p)
{
    golden_publish(p, 2, true, false, GS("test/retained"), 1, "hello5", 6);
}
static const mqtls_subscription_t gsubs5_subid[] = {{GSI("test/retained"), 2},
                                                     {GSI("test/+/x"), 2}};
static inline void gx_c5_subscribe_subid(mqtls_packet_t *p)
{
    golden_subscribe(p, 1, gsubs5_subid, 2);
    GSET(p->u.subscribe.props, MQTLS_PROP_SUBSCRIPTION_ID);
    p->u.subscribe.props.subscription_id = 7;
    golden_user(&p->u.subscribe.props, gu_s_1, 1);
}
static inline void gx_c5_unsubscribe(mqtls_packet_t *p)
{
    golden_unsubscribe(p, 2, gfilters_old, 1);
    golden_user(&p->u.subscribe.props, gu_u_1, 1);
}
static inline void gx_c5_publish_bad_alias(mqtls_packet_t *p)
{
    golden_publish(p, 0, false, false, GS("t"), 0, "x", 1);
    GSET(p->u.publish.props, MQTLS_PROP_TOPIC_ALIAS);
    p->u.publish.props.topic_alias = 11;
}
static inline void gx_s5_connack(mqtls_packet_t *p)
{
    golden_connack(p, false, 0);
    golden_mosq_connack_props(&p->u.connack.props);
}
static inline void gx_s5_connack_assigned_id(mqtls_packet_t *p)
{
    gx_s5_connack(p);
    GSET(p->u.connack.props, MQTLS_PROP_ASSIGNED_CLIENT_ID);
    /* The broker makes up a new identifier on every run of the capture script. */
    p->u.connack.props.assigned_client_id = GS("auto-EBFAF3AB-5E50-57DE-A35F-AEDA5D11589B");
}
static inline void gx_s5_connack_server_keepalive(mqtls_packet_t *p)
{
    gx_s5_connack(p);
    GSET(p->u.connack.props, MQTLS_PROP_SERVER_KEEP_ALIVE);
    p->u.connack.props.server_keep_alive = 100;
}
static inline void gx_s5_connack_limits(mqtls_packet_t *p)
{
    mqtls_props_t *pr = &p->u.connack.props;
    golden_connack(p, false, 0);
    GSET(*pr, MQTLS_PROP_TOPIC_ALIAS_MAXIMUM);
    pr->topic_alias_maximum = 10;
    GSET(*pr, MQTLS_PROP_RETAIN_AVAILABLE);
    pr->retain_available = 0;
    GSET(*pr, MQTLS_PROP_MAXIMUM_PACKET_SIZE);
    pr->maximum_packet_size = 2000;
    golden_receive_max(pr, 5);
    GSET(*pr, MQTLS_PROP_MAXIMUM_QOS);
    pr->maximum_qos = 1;
}
/* Broker B has max_qos 1, which its CONNACK states even when it refuses the client. */
static inline void gx_s5_connack_0x87(mqtls_packet_t *p)
{
    golden_connack(p, false, 0x87);
    GSET(p->u.connack.props, MQTLS_PROP_MAXIMUM_QOS);
    p->u.connack.props.maximum_qos = 1;
}
static inline void gx_s5_connack_0x8c(mqtls_packet_t *p) { golden_connack(p, false, 0x8c); }
static inline void gx_s5_puback_0x10(mqtls_packet_t *p) { golden_ack(p, MQTLS_PUBACK, 1, 0x10); }
static inline void gx_s5_puback_0x87(mqtls_packet_t *p) { golden_ack(p, MQTLS_PUBACK, 1, 0x87); }
static inline void gx_s5_suback_qos2(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_SUBACK, 1, gcodes_2_2, 2);
}
static inline void gx_s5_unsuback(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_UNSUBACK, 2, gcodes_0x11, 1);
}
static inline void gx_s5_publish_subid(mqtls_packet_t *p)
{
    gx_publish_retained_qos2(p);
    GSET(p->u.publish.props, MQTLS_PROP_SUBSCRIPTION_ID);
    p->u.publish.props.subscription_id = 7;
}
static inline void gx_s5_disconnect_0x94(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_DISCONNECT, 0, 0x94);
}
static inline void gx_s5_disconnect_0x81(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_DISCONNECT, 0, 0x81);
}

/* ---- specification examples ---- */
static inline void gx_spec_connect(mqtls_packet_t *p, mqtls_version_t v)
{
    golden_connect(p, v, true, 10, GS("id"));
    golden_will(p, 1, false, GS("w"), GB("m"));
    golden_login(p, GS("u"), GB("p"));
}
static inline void gx_spec311_connect(mqtls_packet_t *p) { gx_spec_connect(p, MQTLS_V311); }
static inline void gx_spec5_connect(mqtls_packet_t *p)
{
    gx_spec_connect(p, MQTLS_V5);
    GSET(p->u.connect.props, MQTLS_PROP_SESSION_EXPIRY);
    p->u.connect.props.session_expiry = 10;
}
static inline void gx_spec_publish(mqtls_packet_t *p)
{
    golden_publish(p, 1, false, false, GS("a/b"), 10, "", 0);
}
static const mqtls_subscription_t gsubs_spec[] = {{GSI("a/b"), 1}, {GSI("c/d"), 2}};
static const mqtls_str_t gfilters_spec[] = {GSI("a/b"), GSI("c/d")};
static inline void gx_spec_subscribe(mqtls_packet_t *p) { golden_subscribe(p, 10, gsubs_spec, 2); }
static inline void gx_spec_unsubscribe(mqtls_packet_t *p)
{
    golden_unsubscribe(p, 10, gfilters_spec, 2);
}
static inline void gx_spec311_suback(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_SUBACK, 10, gcodes_spec311, 3);
}
static inline void gx_spec311_unsuback(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_UNSUBACK, 10, NULL, 0);
}
static inline void gx_spec_utf8_topic(mqtls_packet_t *p)
{
    golden_publish(p, 0, false, false, GS("A\xF0\xAA\x9B\x94"), 0, "x", 1);
}

/* ---- built by hand ---- */
static inline void gx_h5_connack_all_props(mqtls_packet_t *p)
{
    mqtls_props_t *pr = &p->u.connack.props;
    golden_connack(p, true, 0);
    GSET(*pr, MQTLS_PROP_SESSION_EXPIRY);
    pr->session_expiry = 3600;
    GSET(*pr, MQTLS_PROP_ASSIGNED_CLIENT_ID);
    pr->assigned_client_id = GS("cid");
    GSET(*pr, MQTLS_PROP_SERVER_KEEP_ALIVE);
    pr->server_keep_alive = 30;
    GSET(*pr, MQTLS_PROP_AUTH_METHOD);
    pr->auth_method = GS("M");
    GSET(*pr, MQTLS_PROP_AUTH_DATA);
    pr->auth_data = GB("\x01\x02");
    GSET(*pr, MQTLS_PROP_RESPONSE_INFO);
    pr->response_info = GS("resp/");
    GSET(*pr, MQTLS_PROP_SERVER_REFERENCE);
    pr->server_reference = GS("srv2");
    GSET(*pr, MQTLS_PROP_REASON_STRING);
    pr->reason_string = GS("ok");
    golden_receive_max(pr, 10);
    GSET(*pr, MQTLS_PROP_TOPIC_ALIAS_MAXIMUM);
    pr->topic_alias_maximum = 5;
    GSET(*pr, MQTLS_PROP_MAXIMUM_QOS);
    pr->maximum_qos = 1;
    GSET(*pr, MQTLS_PROP_RETAIN_AVAILABLE);
    pr->retain_available = 0;
    GSET(*pr, MQTLS_PROP_MAXIMUM_PACKET_SIZE);
    pr->maximum_packet_size = 65536;
    GSET(*pr, MQTLS_PROP_WILDCARD_SUB_AVAILABLE);
    pr->wildcard_sub_available = 0;
    GSET(*pr, MQTLS_PROP_SUB_ID_AVAILABLE);
    pr->sub_id_available = 1;
    GSET(*pr, MQTLS_PROP_SHARED_SUB_AVAILABLE);
    pr->shared_sub_available = 0;
    golden_user(pr, gu_a_b, 1);
}
static inline void gx_connack_sp(mqtls_packet_t *p) { golden_connack(p, true, 0); }
static inline void gx_h311_connack_rc2(mqtls_packet_t *p) { golden_connack(p, false, 2); }
static inline void gx_h311_connack_rc3(mqtls_packet_t *p) { golden_connack(p, false, 3); }
static inline void gx_h311_connack_rc4(mqtls_packet_t *p) { golden_connack(p, false, 4); }
static inline void gx_h5_connect_password_only(mqtls_packet_t *p)
{
    golden_connect(p, MQTLS_V5, true, 0, GS(""));
    p->u.connect.has_password = true;
    p->u.connect.password = GB("pw");
}
static inline void gx_h5_disconnect_server_moved(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_DISCONNECT, 0, 0x9d);
    GSET(p->u.ack.props, MQTLS_PROP_SERVER_REFERENCE);
    p->u.ack.props.server_reference = GS("b:1883");
    GSET(p->u.ack.props, MQTLS_PROP_REASON_STRING);
    p->u.ack.props.reason_string = GS("moved");
    golden_user(&p->u.ack.props, gu_k_v, 1);
}
static inline void gx_h5_disconnect_with_will(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_DISCONNECT, 0, 0x04);
    GSET(p->u.ack.props, MQTLS_PROP_SESSION_EXPIRY);
    p->u.ack.props.session_expiry = 0;
}
static inline void gx_h5_auth_continue(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_AUTH, 0, 0x18);
    GSET(p->u.ack.props, MQTLS_PROP_AUTH_METHOD);
    p->u.ack.props.auth_method = GS("SCRAM-SHA-1");
    GSET(p->u.ack.props, MQTLS_PROP_AUTH_DATA);
    p->u.ack.props.auth_data = GB("abc");
    GSET(p->u.ack.props, MQTLS_PROP_REASON_STRING);
    p->u.ack.props.reason_string = GS("more");
    golden_user(&p->u.ack.props, gu_k_v, 1);
}
static inline void gx_h5_auth_reauth(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_AUTH, 0, 0x19);
    GSET(p->u.ack.props, MQTLS_PROP_AUTH_METHOD);
    p->u.ack.props.auth_method = GS("M");
}
static inline void gx_h5_auth_short(mqtls_packet_t *p) { golden_ack(p, MQTLS_AUTH, 0, 0); }
static inline void gx_h5_puback_props(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_PUBACK, 0x1234, 0x87);
    GSET(p->u.ack.props, MQTLS_PROP_REASON_STRING);
    p->u.ack.props.reason_string = GS("denied");
    golden_user(&p->u.ack.props, gu_why_acl, 1);
}
static inline void gx_h5_puback_success_props(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_PUBACK, 7, 0);
    GSET(p->u.ack.props, MQTLS_PROP_REASON_STRING);
    p->u.ack.props.reason_string = GS("ok");
}
static inline void gx_h5_pubrec_props(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_PUBREC, 0x0102, 0x10);
    golden_user(&p->u.ack.props, gu_a_b, 1);
}
static inline void gx_h5_pubrec_reason_only(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_PUBREC, 5, 0x80);
}
static inline void gx_h5_pubrel_not_found(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_PUBREL, 7, 0x92);
}
static inline void gx_h5_pubcomp_props(mqtls_packet_t *p)
{
    golden_ack(p, MQTLS_PUBCOMP, 7, 0x92);
    GSET(p->u.ack.props, MQTLS_PROP_REASON_STRING);
    p->u.ack.props.reason_string = GS("gone");
}
static inline void gx_h5_suback_codes(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_SUBACK, 10, gcodes_suback5_all, 12);
    GSET(p->u.suback.props, MQTLS_PROP_REASON_STRING);
    p->u.suback.props.reason_string = GS("s");
}
static inline void gx_h5_unsuback_codes(mqtls_packet_t *p)
{
    golden_suback(p, MQTLS_UNSUBACK, 11, gcodes_unsuback5_all, 7);
    golden_user(&p->u.suback.props, gu_k_v, 1);
}
static const mqtls_subscription_t gsubs5_options[] = {
    {GSI("a/b"), 0x2d}, {GSI("$share/g/c/#"), 0x1a}, {GSI("+/x"), 0x00}};
static inline void gx_h5_subscribe_options(mqtls_packet_t *p)
{
    golden_subscribe(p, 12, gsubs5_options, 3);
}
static inline void gx_h5_publish_two_sub_ids(mqtls_packet_t *p)
{
    /* The encode form holds the first identifier; golden_sub_ids_130 checks the second. */
    golden_publish(p, 0, false, false, GS("t"), 0, "x", 1);
    GSET(p->u.publish.props, MQTLS_PROP_SUBSCRIPTION_ID);
    p->u.publish.props.subscription_id = 1;
}
static inline void gx_h5_publish_alias_only(mqtls_packet_t *p)
{
    golden_publish(p, 1, false, false, GS(""), 3, "hi", 2);
    GSET(p->u.publish.props, MQTLS_PROP_TOPIC_ALIAS);
    p->u.publish.props.topic_alias = 5;
}
static inline void gx_h5_publish_dup_qos2(mqtls_packet_t *p)
{
    golden_publish(p, 2, true, true, GS("t"), 0xFFFF, "d", 1);
}
static inline void gx_h311_publish_dup_qos1(mqtls_packet_t *p)
{
    golden_publish(p, 1, false, true, GS("t"), 2, "d", 1);
}

/* ===================================================================================== */
/* The table                                                                               */
/* ===================================================================================== */

/** How mqtls_encode() of the expected fields relates to the vector's bytes. */
enum golden_form {
    GOLDEN_EXACT,     /**< the same bytes */
    GOLDEN_REORDERED, /**< same length, properties in the encoder's order */
    GOLDEN_LOSSY      /**< the encode API cannot express all of it (decode-only) */
};

typedef struct golden {
    const char *name;
    mqtls_version_t version;
    const uint8_t *bytes;
    size_t len;
    enum golden_form form;
    void (*expect)(mqtls_packet_t *p);
} golden_t;

#define GV(name, v, canon, fn) {#name, v, name, sizeof name, canon, fn}

static const golden_t golden_vectors[] = {
    /* captured, 3.1.1 */
    GV(gc311_connect_min, MQTLS_V311, GOLDEN_EXACT, gx_c311_connect_min),
    GV(gc311_connect_full, MQTLS_V311, GOLDEN_EXACT, gx_c311_connect_full),
    GV(gc311_connect_userpw, MQTLS_V311, GOLDEN_EXACT, gx_c311_connect_userpw),
    GV(gc311_connect_persistent, MQTLS_V311, GOLDEN_EXACT, gx_c311_connect_persistent),
    GV(gc311_connect_ka5, MQTLS_V311, GOLDEN_EXACT, gx_c311_connect_ka5),
    GV(gc311_publish_qos0, MQTLS_V311, GOLDEN_EXACT, gx_publish_hello_qos0),
    GV(gc311_publish_qos1_retain, MQTLS_V311, GOLDEN_EXACT, gx_publish_retained_qos1),
    GV(gc311_publish_qos2, MQTLS_V311, GOLDEN_EXACT, gx_c311_publish_qos2),
    GV(gc311_publish_empty, MQTLS_V311, GOLDEN_EXACT, gx_publish_empty),
    GV(gc311_pubrel, MQTLS_V311, GOLDEN_EXACT, gx_pubrel_1),
    GV(gc311_puback, MQTLS_V311, GOLDEN_EXACT, gx_puback_1),
    GV(gc311_subscribe_two, MQTLS_V311, GOLDEN_EXACT, gx_subscribe_two),
    GV(gc311_subscribe_qos2, MQTLS_V311, GOLDEN_EXACT, gx_subscribe_retained_q2),
    GV(gc311_subscribe_qos0, MQTLS_V311, GOLDEN_EXACT, gx_subscribe_xy_q0),
    GV(gc311_unsubscribe, MQTLS_V311, GOLDEN_EXACT, gx_c311_unsubscribe),
    GV(gc311_pingreq, MQTLS_V311, GOLDEN_EXACT, gx_pingreq),
    GV(gc311_disconnect, MQTLS_V311, GOLDEN_EXACT, gx_disconnect),
    GV(gs311_connack_accepted, MQTLS_V311, GOLDEN_EXACT, gx_connack_0),
    GV(gs311_connack_not_authorized, MQTLS_V311, GOLDEN_EXACT, gx_s311_connack_5),
    GV(gs311_connack_bad_version, MQTLS_V311, GOLDEN_EXACT, gx_s311_connack_1),
    GV(gs311_puback, MQTLS_V311, GOLDEN_EXACT, gx_puback_1),
    GV(gs311_pubrec, MQTLS_V311, GOLDEN_EXACT, gx_pubrec_1),
    GV(gs311_pubcomp, MQTLS_V311, GOLDEN_EXACT, gx_pubcomp_1),
    GV(gs311_suback_two, MQTLS_V311, GOLDEN_EXACT, gx_s311_suback_two),
    GV(gs311_suback_qos2, MQTLS_V311, GOLDEN_EXACT, gx_s311_suback_qos2),
    GV(gs311_suback_qos0, MQTLS_V311, GOLDEN_EXACT, gx_suback_qos0),
    GV(gs311_unsuback, MQTLS_V311, GOLDEN_EXACT, gx_s311_unsuback),
    GV(gs311_pingresp, MQTLS_V311, GOLDEN_EXACT, gx_pingresp),
    GV(gs311_publish_retained, MQTLS_V311, GOLDEN_EXACT, gx_publish_retained_qos1),
    /* captured, 5.0 */
    GV(gc5_connect_min, MQTLS_V5, GOLDEN_EXACT, gx_c5_connect_min),
    GV(gc5_connect_full, MQTLS_V5, GOLDEN_EXACT, gx_c5_connect_full),
    GV(gc5_connect_full_x, MQTLS_V5, GOLDEN_REORDERED, gx_c5_connect_full_x),
    GV(gc5_connect_persistent, MQTLS_V5, GOLDEN_EXACT, gx_c5_connect_persistent),
    GV(gc5_connect_auth, MQTLS_V5, GOLDEN_EXACT, gx_c5_connect_auth),
    GV(gc5_connect_empty_id, MQTLS_V5, GOLDEN_EXACT, gx_c5_connect_empty_id),
    GV(gc5_connect_userpw, MQTLS_V5, GOLDEN_EXACT, gx_c5_connect_userpw),
    GV(gc5_connect_ka200, MQTLS_V5, GOLDEN_EXACT, gx_c5_connect_ka200),
    GV(gc5_publish_props, MQTLS_V5, GOLDEN_EXACT, gx_c5_publish_props),
    GV(gc5_publish_alias, MQTLS_V5, GOLDEN_EXACT, gx_c5_publish_alias),
    GV(gc5_publish_qos2_retain, MQTLS_V5, GOLDEN_EXACT, gx_publish_retained_qos2),
    GV(gc5_publish_empty, MQTLS_V5, GOLDEN_EXACT, gx_publish_empty),
    GV(gc5_subscribe_subid, MQTLS_V5, GOLDEN_EXACT, gx_c5_subscribe_subid),
    GV(gc5_subscribe_qos0, MQTLS_V5, GOLDEN_EXACT, gx_subscribe_xy_q0),
    GV(gc5_unsubscribe, MQTLS_V5, GOLDEN_EXACT, gx_c5_unsubscribe),
    GV(gc5_pubrec, MQTLS_V5, GOLDEN_EXACT, gx_pubrec_1),
    GV(gc5_pubrel, MQTLS_V5, GOLDEN_EXACT, gx_pubrel_1),
    GV(gc5_pubcomp, MQTLS_V5, GOLDEN_EXACT, gx_pubcomp_1),
    GV(gc5_disconnect, MQTLS_V5, GOLDEN_EXACT, gx_disconnect),
    GV(gc5_publish_bad_alias, MQTLS_V5, GOLDEN_EXACT, gx_c5_publish_bad_alias),
    GV(gs5_connack, MQTLS_V5, GOLDEN_REORDERED, gx_s5_connack),
    GV(gs5_connack_assigned_id, MQTLS_V5, GOLDEN_REORDERED, gx_s5_connack_assigned_id),
    GV(gs5_connack_server_keepalive, MQTLS_V5, GOLDEN_REORDERED, gx_s5_connack_server_keepalive),
    GV(gs5_connack_limits, MQTLS_V5, GOLDEN_REORDERED, gx_s5_connack_limits),
    GV(gs5_connack_not_authorized, MQTLS_V5, GOLDEN_EXACT, gx_s5_connack_0x87),
    GV(gs5_connack_bad_auth_method, MQTLS_V5, GOLDEN_EXACT, gx_s5_connack_0x8c),
    GV(gs5_puback_no_subscribers, MQTLS_V5, GOLDEN_EXACT, gx_s5_puback_0x10),
    GV(gs5_puback_not_authorized, MQTLS_V5, GOLDEN_EXACT, gx_s5_puback_0x87),
    GV(gs5_pubrec, MQTLS_V5, GOLDEN_EXACT, gx_pubrec_1),
    GV(gs5_pubrel, MQTLS_V5, GOLDEN_EXACT, gx_pubrel_1),
    GV(gs5_suback_qos2, MQTLS_V5, GOLDEN_EXACT, gx_s5_suback_qos2),
    GV(gs5_suback_qos0, MQTLS_V5, GOLDEN_EXACT, gx_suback_qos0),
    GV(gs5_unsuback, MQTLS_V5, GOLDEN_EXACT, gx_s5_unsuback),
    GV(gs5_publish_subid, MQTLS_V5, GOLDEN_EXACT, gx_s5_publish_subid),
    GV(gs5_disconnect_alias_invalid, MQTLS_V5, GOLDEN_EXACT, gx_s5_disconnect_0x94),
    GV(gs5_disconnect_malformed, MQTLS_V5, GOLDEN_EXACT, gx_s5_disconnect_0x81),
    /* specification examples */
    GV(spec311_connect, MQTLS_V311, GOLDEN_EXACT, gx_spec311_connect),
    GV(spec5_connect, MQTLS_V5, GOLDEN_EXACT, gx_spec5_connect),
    GV(spec311_publish, MQTLS_V311, GOLDEN_EXACT, gx_spec_publish),
    GV(spec5_publish, MQTLS_V5, GOLDEN_EXACT, gx_spec_publish),
    GV(spec311_subscribe, MQTLS_V311, GOLDEN_EXACT, gx_spec_subscribe),
    GV(spec5_subscribe, MQTLS_V5, GOLDEN_EXACT, gx_spec_subscribe),
    GV(spec311_suback, MQTLS_V311, GOLDEN_EXACT, gx_spec311_suback),
    GV(spec311_unsubscribe, MQTLS_V311, GOLDEN_EXACT, gx_spec_unsubscribe),
    GV(spec5_unsubscribe, MQTLS_V5, GOLDEN_EXACT, gx_spec_unsubscribe),
    GV(spec311_unsuback, MQTLS_V311, GOLDEN_EXACT, gx_spec311_unsuback),
    GV(spec311_utf8_topic, MQTLS_V311, GOLDEN_EXACT, gx_spec_utf8_topic),
    GV(spec5_utf8_topic, MQTLS_V5, GOLDEN_EXACT, gx_spec_utf8_topic),
    /* built by hand */
    GV(h5_connack_all_props, MQTLS_V5, GOLDEN_EXACT, gx_h5_connack_all_props),
    GV(h311_connack_session_present, MQTLS_V311, GOLDEN_EXACT, gx_connack_sp),
    GV(h5_connack_session_present, MQTLS_V5, GOLDEN_EXACT, gx_connack_sp),
    GV(h311_connack_rc2, MQTLS_V311, GOLDEN_EXACT, gx_h311_connack_rc2),
    GV(h311_connack_rc3, MQTLS_V311, GOLDEN_EXACT, gx_h311_connack_rc3),
    GV(h311_connack_rc4, MQTLS_V311, GOLDEN_EXACT, gx_h311_connack_rc4),
    GV(h5_connect_password_only, MQTLS_V5, GOLDEN_EXACT, gx_h5_connect_password_only),
    GV(h5_disconnect_server_moved, MQTLS_V5, GOLDEN_EXACT, gx_h5_disconnect_server_moved),
    GV(h5_disconnect_with_will, MQTLS_V5, GOLDEN_EXACT, gx_h5_disconnect_with_will),
    GV(h5_auth_continue, MQTLS_V5, GOLDEN_EXACT, gx_h5_auth_continue),
    GV(h5_auth_reauth, MQTLS_V5, GOLDEN_EXACT, gx_h5_auth_reauth),
    GV(h5_auth_short, MQTLS_V5, GOLDEN_EXACT, gx_h5_auth_short),
    GV(h5_puback_props, MQTLS_V5, GOLDEN_EXACT, gx_h5_puback_props),
    GV(h5_puback_success_props, MQTLS_V5, GOLDEN_EXACT, gx_h5_puback_success_props),
    GV(h5_pubrec_props, MQTLS_V5, GOLDEN_EXACT, gx_h5_pubrec_props),
    GV(h5_pubrec_reason_only, MQTLS_V5, GOLDEN_EXACT, gx_h5_pubrec_reason_only),
    GV(h5_pubrel_not_found, MQTLS_V5, GOLDEN_EXACT, gx_h5_pubrel_not_found),
    GV(h5_pubcomp_props, MQTLS_V5, GOLDEN_EXACT, gx_h5_pubcomp_props),
    GV(h5_suback_codes, MQTLS_V5, GOLDEN_EXACT, gx_h5_suback_codes),
    GV(h5_unsuback_codes, MQTLS_V5, GOLDEN_EXACT, gx_h5_unsuback_codes),
    GV(h5_subscribe_options, MQTLS_V5, GOLDEN_EXACT, gx_h5_subscribe_options),
    GV(h5_publish_two_sub_ids, MQTLS_V5, GOLDEN_LOSSY, gx_h5_publish_two_sub_ids),
    GV(h5_publish_alias_only, MQTLS_V5, GOLDEN_EXACT, gx_h5_publish_alias_only),
    GV(h5_publish_dup_qos2, MQTLS_V5, GOLDEN_EXACT, gx_h5_publish_dup_qos2),
    GV(h311_publish_dup_qos1, MQTLS_V311, GOLDEN_EXACT, gx_h311_publish_dup_qos1),
    GV(h5_pingreq, MQTLS_V5, GOLDEN_EXACT, gx_pingreq),
    GV(h5_pingresp, MQTLS_V5, GOLDEN_EXACT, gx_pingresp),
};
#define GOLDEN_COUNT (sizeof golden_vectors / sizeof golden_vectors[0])

/* ===================================================================================== */
/* Helpers: field-by-field comparison, and decoded form -> encode form                     */
/* ===================================================================================== */

/* Walks the user properties of either form: the encode array, or the decoded raw block. */
typedef struct golden_user_it {
    const mqtls_props_t *p;
    uint32_t pos;
    uint32_t idx;
} golden_user_it_t;

static inline bool golden_user_next(golden_user_it_t *it, mqtls_user_prop_t *out)
{
    if (it->p->raw == NULL) {
        if (it->p->user == NULL || it->idx >= it->p->user_count)
            return false;
        *out = it->p->user[it->idx++];
        return true;
    }
    return mqtls_props_next_user(it->p, &it->pos, out);
}

/* Walks the entries of a SUBSCRIBE/UNSUBSCRIBE of either form. */
typedef struct golden_sub_it {
    const mqtls_subscribe_t *s;
    bool unsub;
    uint32_t pos;
    uint32_t idx;
} golden_sub_it_t;

static inline bool golden_sub_next(golden_sub_it_t *it, mqtls_subscription_t *out)
{
    if (it->s->raw == NULL) {
        if (it->idx >= it->s->count)
            return false;
        if (it->unsub) {
            out->filter = it->s->filters[it->idx];
            out->options = 0;
        } else {
            *out = it->s->subs[it->idx];
        }
        it->idx++;
        return true;
    }
    return mqtls_sub_next(it->s, it->unsub, &it->pos, out);
}

static inline bool golden_mem_eq(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}
#define GOLDEN_STR_EQ(a, b) golden_mem_eq((a).data, (a).len, (b).data, (b).len)

/* Every field of two property blocks. The user-property bit of @c present is not compared
 * (the decoder sets it, an encode-form struct need not); the user properties themselves
 * are. With both blocks decoded, every subscription identifier is compared too. */
static inline bool golden_props_eq(const mqtls_props_t *a, const mqtls_props_t *b,
                                   const char *where, char *why, size_t n)
{
    const uint64_t mask = ~MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY);
    uint64_t pa = a->present & mask, pb = b->present & mask;
#define GP_FAIL(what)                                                                        \
    do {                                                                                     \
        snprintf(why, n, "%s: %s differs", where, what);                                     \
        return false;                                                                        \
    } while (0)
#define GP_NUM(id, f)                                                                        \
    if ((pa & MQTLS_PROPBIT(id)) && a->f != b->f)                                            \
    GP_FAIL(#f)
#define GP_STR(id, f)                                                                        \
    if ((pa & MQTLS_PROPBIT(id)) && !GOLDEN_STR_EQ(a->f, b->f))                              \
    GP_FAIL(#f)
    if (pa != pb) {
        snprintf(why, n, "%s: present 0x%llx != 0x%llx", where, (unsigned long long)pa,
                 (unsigned long long)pb);
        return false;
    }
    GP_NUM(MQTLS_PROP_PAYLOAD_FORMAT, payload_format);
    GP_NUM(MQTLS_PROP_MESSAGE_EXPIRY, message_expiry);
    GP_STR(MQTLS_PROP_CONTENT_TYPE, content_type);
    GP_STR(MQTLS_PROP_RESPONSE_TOPIC, response_topic);
    GP_STR(MQTLS_PROP_CORRELATION_DATA, correlation_data);
    GP_NUM(MQTLS_PROP_SUBSCRIPTION_ID, subscription_id);
    GP_NUM(MQTLS_PROP_SESSION_EXPIRY, session_expiry);
    GP_STR(MQTLS_PROP_ASSIGNED_CLIENT_ID, assigned_client_id);
    GP_NUM(MQTLS_PROP_SERVER_KEEP_ALIVE, server_keep_alive);
    GP_STR(MQTLS_PROP_AUTH_METHOD, auth_method);
    GP_STR(MQTLS_PROP_AUTH_DATA, auth_data);
    GP_NUM(MQTLS_PROP_REQUEST_PROBLEM_INFO, request_problem_info);
    GP_NUM(MQTLS_PROP_WILL_DELAY, will_delay);
    GP_NUM(MQTLS_PROP_REQUEST_RESPONSE_INFO, request_response_info);
    GP_STR(MQTLS_PROP_RESPONSE_INFO, response_info);
    GP_STR(MQTLS_PROP_SERVER_REFERENCE, server_reference);
    GP_STR(MQTLS_PROP_REASON_STRING, reason_string);
    GP_NUM(MQTLS_PROP_RECEIVE_MAXIMUM, receive_maximum);
    GP_NUM(MQTLS_PROP_TOPIC_ALIAS_MAXIMUM, topic_alias_maximum);
    GP_NUM(MQTLS_PROP_TOPIC_ALIAS, topic_alias);
    GP_NUM(MQTLS_PROP_MAXIMUM_QOS, maximum_qos);
    GP_NUM(MQTLS_PROP_RETAIN_AVAILABLE, retain_available);
    GP_NUM(MQTLS_PROP_MAXIMUM_PACKET_SIZE, maximum_packet_size);
    GP_NUM(MQTLS_PROP_WILDCARD_SUB_AVAILABLE, wildcard_sub_available);
    GP_NUM(MQTLS_PROP_SUB_ID_AVAILABLE, sub_id_available);
    GP_NUM(MQTLS_PROP_SHARED_SUB_AVAILABLE, shared_sub_available);
    if (a->user_count != b->user_count) {
        snprintf(why, n, "%s: user_count %u != %u", where, a->user_count, b->user_count);
        return false;
    }
    golden_user_it_t ia = {a, 0, 0}, ib = {b, 0, 0};
    for (uint32_t i = 0;; i++) {
        mqtls_user_prop_t ua, ub;
        bool ha = golden_user_next(&ia, &ua), hb = golden_user_next(&ib, &ub);
        if (ha != hb) {
            snprintf(why, n, "%s: user property list lengths differ at %u", where, i);
            return false;
        }
        if (!ha)
            break;
        if (!GOLDEN_STR_EQ(ua.key, ub.key) || !GOLDEN_STR_EQ(ua.value, ub.value)) {
            snprintf(why, n, "%s: user property %u differs", where, i);
            return false;
        }
    }
    if (a->raw != NULL && b->raw != NULL) {
        uint32_t qa = 0, qb = 0, va = 0, vb = 0;
        for (uint32_t i = 0;; i++) {
            bool ha = mqtls_props_next_sub_id(a, &qa, &va);
            bool hb = mqtls_props_next_sub_id(b, &qb, &vb);
            if (ha != hb || (ha && va != vb)) {
                snprintf(why, n, "%s: subscription identifier %u differs", where, i);
                return false;
            }
            if (!ha)
                break;
        }
    }
    return true;
#undef GP_STR
#undef GP_NUM
#undef GP_FAIL
}

/**
 * Compares every field of two packets of version @p v (for CONNECT, the packet's own
 * version). Returns true when equal; otherwise writes the first difference into @p why.
 */
static inline bool golden_packet_eq(const mqtls_packet_t *a, const mqtls_packet_t *b,
                                    mqtls_version_t v, char *why, size_t n)
{
#define GE_FAIL(what)                                                                        \
    do {                                                                                     \
        snprintf(why, n, "%s differs", what);                                                \
        return false;                                                                        \
    } while (0)
#define GE(cond, what)                                                                       \
    if (!(cond))                                                                             \
    GE_FAIL(what)
    why[0] = '\0';
    GE(a->type == b->type, "type");
    switch (a->type) {
    case MQTLS_CONNECT: {
        const mqtls_connect_t *x = &a->u.connect, *y = &b->u.connect;
        GE(x->version == y->version, "connect.version");
        GE(x->clean_start == y->clean_start, "connect.clean_start");
        GE(x->keep_alive == y->keep_alive, "connect.keep_alive");
        GE(GOLDEN_STR_EQ(x->client_id, y->client_id), "connect.client_id");
        GE(x->will == y->will, "connect.will");
        if (x->will) {
            GE(x->will_qos == y->will_qos, "connect.will_qos");
            GE(x->will_retain == y->will_retain, "connect.will_retain");
            GE(GOLDEN_STR_EQ(x->will_topic, y->will_topic), "connect.will_topic");
            GE(GOLDEN_STR_EQ(x->will_payload, y->will_payload), "connect.will_payload");
            if (x->version == MQTLS_V5 &&
                !golden_props_eq(&x->will_props, &y->will_props, "will_props", why, n))
                return false;
        }
        GE(x->has_username == y->has_username, "connect.has_username");
        if (x->has_username)
            GE(GOLDEN_STR_EQ(x->username, y->username), "connect.username");
        GE(x->has_password == y->has_password, "connect.has_password");
        if (x->has_password)
            GE(GOLDEN_STR_EQ(x->password, y->password), "connect.password");
        if (x->version == MQTLS_V5 && !golden_props_eq(&x->props, &y->props, "props", why, n))
            return false;
        return true;
    }
    case MQTLS_CONNACK:
        GE(a->u.connack.session_present == b->u.connack.session_present,
           "connack.session_present");
        GE(a->u.connack.reason == b->u.connack.reason, "connack.reason");
        if (v == MQTLS_V5 && !golden_props_eq(&a->u.connack.props, &b->u.connack.props,
                                              "connack.props", why, n))
            return false;
        return true;
    case MQTLS_PUBLISH: {
        const mqtls_publish_t *x = &a->u.publish, *y = &b->u.publish;
        GE(GOLDEN_STR_EQ(x->topic, y->topic), "publish.topic");
        GE(x->qos == y->qos, "publish.qos");
        GE(x->retain == y->retain, "publish.retain");
        GE(x->dup == y->dup, "publish.dup");
        if (x->qos)
            GE(x->packet_id == y->packet_id, "publish.packet_id");
        GE(golden_mem_eq(x->payload, x->payload_len, y->payload, y->payload_len),
           "publish.payload");
        if (v == MQTLS_V5 && !golden_props_eq(&x->props, &y->props, "publish.props", why, n))
            return false;
        return true;
    }
    case MQTLS_PUBACK:
    case MQTLS_PUBREC:
    case MQTLS_PUBREL:
    case MQTLS_PUBCOMP:
    case MQTLS_DISCONNECT:
    case MQTLS_AUTH:
        if (a->type <= MQTLS_PUBCOMP)
            GE(a->u.ack.packet_id == b->u.ack.packet_id, "ack.packet_id");
        if (v == MQTLS_V5) {
            GE(a->u.ack.reason == b->u.ack.reason, "ack.reason");
            if (!golden_props_eq(&a->u.ack.props, &b->u.ack.props, "ack.props", why, n))
                return false;
        }
        return true;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE: {
        const mqtls_subscribe_t *x = &a->u.subscribe, *y = &b->u.subscribe;
        bool unsub = a->type == MQTLS_UNSUBSCRIBE;
        GE(x->packet_id == y->packet_id, "subscribe.packet_id");
        GE(x->count == y->count, "subscribe.count");
        if (v == MQTLS_V5 && !golden_props_eq(&x->props, &y->props, "subscribe.props", why, n))
            return false;
        golden_sub_it_t ix = {x, unsub, 0, 0}, iy = {y, unsub, 0, 0};
        for (uint32_t i = 0;; i++) {
            mqtls_subscription_t sx, sy;
            bool hx = golden_sub_next(&ix, &sx), hy = golden_sub_next(&iy, &sy);
            if (hx != hy) {
                snprintf(why, n, "subscription list lengths differ at %u", i);
                return false;
            }
            if (!hx)
                break;
            if (!GOLDEN_STR_EQ(sx.filter, sy.filter) || sx.options != sy.options) {
                snprintf(why, n, "subscription %u differs", i);
                return false;
            }
        }
        return true;
    }
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK: {
        const mqtls_suback_t *x = &a->u.suback, *y = &b->u.suback;
        GE(x->packet_id == y->packet_id, "suback.packet_id");
        if (v == MQTLS_V5 || a->type == MQTLS_SUBACK)
            GE(golden_mem_eq(x->codes, x->count, y->codes, y->count), "suback.codes");
        if (v == MQTLS_V5 && !golden_props_eq(&x->props, &y->props, "suback.props", why, n))
            return false;
        return true;
    }
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP:
        return true;
    }
    GE_FAIL("type (unknown)");
#undef GE
#undef GE_FAIL
}

/** Room for what golden_encodable() copies out of a decoded packet. */
#define GOLDEN_MAX_USER 1024
#define GOLDEN_MAX_SUBS 2048
typedef struct golden_store {
    mqtls_user_prop_t user[GOLDEN_MAX_USER];
    mqtls_user_prop_t will_user[GOLDEN_MAX_USER];
    mqtls_subscription_t subs[GOLDEN_MAX_SUBS];
    mqtls_str_t filters[GOLDEN_MAX_SUBS];
} golden_store_t;

static inline bool golden_user_copy(mqtls_props_t *p, mqtls_user_prop_t *dst)
{
    uint32_t pos = 0, i = 0;
    mqtls_user_prop_t u;
    if (p->user_count > GOLDEN_MAX_USER)
        return false;
    while (mqtls_props_next_user(p, &pos, &u)) {
        if (i >= p->user_count)
            return false;
        dst[i++] = u;
    }
    if (i != p->user_count)
        return false;
    p->user = i ? dst : NULL;
    p->raw = NULL;
    p->raw_len = 0;
    return true;
}

/**
 * Turns the decoded packet @p pkt into one mqtls_encode() takes: user properties and
 * subscriptions are copied from behind their iterators into @p st. The strings keep
 * pointing into the decoded buffer. Returns false if @p st is too small (or the iterators
 * disagree with the counts the decoder reported).
 */
static inline bool golden_encodable(mqtls_packet_t *pkt, golden_store_t *st)
{
    mqtls_props_t *props = NULL;
    switch (pkt->type) {
    case MQTLS_CONNECT:
        if (!golden_user_copy(&pkt->u.connect.will_props, st->will_user))
            return false;
        props = &pkt->u.connect.props;
        break;
    case MQTLS_CONNACK:
        props = &pkt->u.connack.props;
        break;
    case MQTLS_PUBLISH:
        props = &pkt->u.publish.props;
        break;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE: {
        mqtls_subscribe_t *s = &pkt->u.subscribe;
        bool unsub = pkt->type == MQTLS_UNSUBSCRIBE;
        uint32_t pos = 0, i = 0;
        mqtls_subscription_t e;
        if (s->count > GOLDEN_MAX_SUBS)
            return false;
        while (mqtls_sub_next(s, unsub, &pos, &e)) {
            if (i >= s->count)
                return false;
            st->subs[i] = e;
            st->filters[i] = e.filter;
            i++;
        }
        if (i != s->count)
            return false;
        s->subs = unsub ? NULL : st->subs;
        s->filters = unsub ? st->filters : NULL;
        s->raw = NULL;
        s->raw_len = 0;
        props = &s->props;
        break;
    }
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        props = &pkt->u.suback.props;
        break;
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP:
        return true;
    default:
        props = &pkt->u.ack.props;
        break;
    }
    return golden_user_copy(props, st->user);
}


/* ===================================================================================== */
/* A small packet builder for the malformed-packet tests: lengths are filled in for you.   */
/* ===================================================================================== */

typedef struct pb {
    uint8_t first;
    uint8_t body[2048];
    size_t len;
    size_t marks[4]; /* starts of open property blocks */
    int depth;
    uint8_t out[2048 + 5];
    size_t out_len;
} gb_t;

static inline void gb_begin(gb_t *b, uint8_t first)
{
    b->first = first;
    b->len = 0;
    b->depth = 0;
    b->out_len = 0;
}
static inline void gb_raw(gb_t *b, const void *p, size_t n)
{
    if (n > sizeof b->body - b->len)
        n = sizeof b->body - b->len; /* a test bug; the packet will simply be wrong */
    memcpy(b->body + b->len, p, n);
    b->len += n;
}
static inline void gb_u8(gb_t *b, uint8_t v) { gb_raw(b, &v, 1); }
static inline void gb_u16(gb_t *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    gb_raw(b, x, 2);
}
static inline void gb_u32(gb_t *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    gb_raw(b, x, 4);
}
static inline size_t golden_vbi(uint32_t v, uint8_t out[4])
{
    size_t n = 0;
    do {
        uint8_t d = (uint8_t)(v % 128u);
        v /= 128u;
        out[n++] = (uint8_t)(v ? d | 0x80u : d);
    } while (v && n < 4);
    return n;
}
static inline void gb_vbi(gb_t *b, uint32_t v)
{
    uint8_t x[4];
    gb_raw(b, x, golden_vbi(v, x));
}
/** A 2-byte length and @p n bytes. */
static inline void gb_strn(gb_t *b, const void *p, size_t n)
{
    gb_u16(b, (uint16_t)n);
    gb_raw(b, p, n);
}
static inline void gb_str(gb_t *b, const char *s) { gb_strn(b, s, strlen(s)); }
/** Opens a property block; gb_props_end() writes its length in front of it. */
static inline void gb_props_begin(gb_t *b)
{
    if (b->depth < 4)
        b->marks[b->depth++] = b->len;
}
static inline void gb_props_end(gb_t *b)
{
    uint8_t x[4];
    size_t start = b->marks[--b->depth], n = golden_vbi((uint32_t)(b->len - start), x);
    memmove(b->body + start + n, b->body + start, b->len - start);
    memcpy(b->body + start, x, n);
    b->len += n;
}
/** An empty property block. */
static inline void gb_props_none(gb_t *b) { gb_u8(b, 0); }
/** Finishes the packet: fixed header with the remaining length, then the body. */
static inline const uint8_t *gb_end(gb_t *b)
{
    uint8_t x[4];
    size_t n = golden_vbi((uint32_t)b->len, x);
    b->out[0] = b->first;
    memcpy(b->out + 1, x, n);
    memcpy(b->out + 1 + n, b->body, b->len);
    b->out_len = 1 + n + b->len;
    return b->out;
}

#endif /* MQTLS_TEST_GOLDEN_H */
