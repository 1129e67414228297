/**
 * @file test_encoder.c
 * @brief mqtls_encode(), mqtls_encode_size() and mqtls_encode_publish_header(): the golden
 *        vectors come out byte for byte, never a byte past the buffer, and everything the
 *        decoder would reject is refused on the way out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "golden_packet.h"
#include "mqtls/codec.h"
#include "test.h"

#define GUARD 16u
#define GUARD_BYTE 0xA5u

/* An output area with guard bytes on both sides. */
static uint8_t area[GUARD + 4096 + GUARD];
#define OUT (area + GUARD)

static void guards_set(void)
{
    memset(area, GUARD_BYTE, sizeof area);
}

/* Are the bytes outside [OUT, OUT + size) untouched? */
static int guards_ok(size_t size)
{
    for (size_t i = 0; i < GUARD; i++)
        if (area[i] != GUARD_BYTE)
            return 0;
    for (size_t i = GUARD + size; i < sizeof area; i++)
        if (area[i] != GUARD_BYTE)
            return 0;
    return 1;
}

static mqtls_packet_t p;
static size_t written;

static mqtls_status_t enc(mqtls_version_t v)
{
    written = 0;
    return mqtls_encode(&p, v, OUT, 4096, &written);
}

/* ===================================================================================== */
/* Golden vectors                                                                          */
/* ===================================================================================== */

TEST(golden_vectors_encode_exactly)
{
    char why[160];
    for (size_t i = 0; i < golden_count; i++) {
        const golden_t *g = &golden_vectors[i];
        size_t size = 0;
        if (g->form == GOLDEN_LOSSY)
            continue;
        p = g->want;
        if (!CHECK_STATUS(mqtls_encode_size(&p, g->version, &size), MQTLS_OK)) {
            test_note("vector %s", g->name);
            continue;
        }
        CHECK_EQ_INT(size, g->len);
        /* Exactly the room it needs. */
        guards_set();
        written = 0;
        if (!CHECK_STATUS(mqtls_encode(&p, g->version, OUT, g->len, &written), MQTLS_OK)) {
            test_note("vector %s", g->name);
            continue;
        }
        CHECK_EQ_INT(written, g->len);
        if (!CHECK(guards_ok(g->len)))
            test_note("vector %s wrote outside its buffer", g->name);
        if (g->form == GOLDEN_EXACT) {
            if (!CHECK_EQ_MEM(OUT, g->bytes, g->len))
                test_note("vector %s", g->name);
        } else {
            /* Reordered properties: same content, so it decodes to the same fields. */
            mqtls_packet_t back;
            size_t used = 0;
            REQUIRE_STATUS(mqtls_decode(OUT, written, g->version, &back, &used), MQTLS_OK);
            if (!CHECK(golden_packet_eq(&back, &p, g->version, why, sizeof why)))
                test_note("vector %s: %s", g->name, why);
        }
    }
}

TEST(golden_one_byte_short_is_no_space)
{
    for (size_t i = 0; i < golden_count; i++) {
        const golden_t *g = &golden_vectors[i];
        if (g->form == GOLDEN_LOSSY)
            continue;
        p = g->want;
        guards_set();
        written = 12345;
        if (!CHECK_STATUS(mqtls_encode(&p, g->version, OUT, g->len - 1, &written),
                          MQTLS_ERR_NO_SPACE))
            test_note("vector %s", g->name);
        if (!CHECK(guards_ok(g->len - 1)))
            test_note("vector %s wrote past the end of a short buffer", g->name);
        CHECK_EQ_INT(written, 12345); /* not claimed on failure */
        guards_set();
        CHECK_STATUS(mqtls_encode(&p, g->version, OUT, 0, &written), MQTLS_ERR_NO_SPACE);
        CHECK(guards_ok(0));
    }
}

/* The header-only form: header bytes + the payload are the whole packet, and the header
 * alone never spills out of a short buffer either. */
TEST(golden_publish_header_plus_payload)
{
    int seen = 0;
    for (size_t i = 0; i < golden_count; i++) {
        const golden_t *g = &golden_vectors[i];
        if ((g->bytes[0] >> 4) != MQTLS_PUBLISH || g->form == GOLDEN_LOSSY)
            continue;
        seen++;
        p = g->want;
        size_t hlen = g->len - p.u.publish.payload_len;
        guards_set();
        written = 0;
        if (!CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, g->version, OUT, hlen,
                                                      &written),
                          MQTLS_OK)) {
            test_note("vector %s", g->name);
            continue;
        }
        CHECK_EQ_INT(written, hlen);
        CHECK(guards_ok(hlen));
        if (g->form == GOLDEN_EXACT) {
            uint8_t whole[600];
            memcpy(whole, OUT, written);
            memcpy(whole + written, p.u.publish.payload, p.u.publish.payload_len);
            if (!CHECK_EQ_MEM(whole, g->bytes, g->len))
                test_note("vector %s", g->name);
        }
        guards_set();
        CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, g->version, OUT, hlen - 1,
                                                 &written),
                     MQTLS_ERR_NO_SPACE);
        if (!CHECK(guards_ok(hlen - 1)))
            test_note("vector %s: header wrote past a short buffer", g->name);
    }
    CHECK(seen >= 10);
}

/* ===================================================================================== */
/* Remaining length                                                                        */
/* ===================================================================================== */

/* Spec examples 0..268435455 (MQTT 3.1.1 Table 2.4 / 5.0 Table 1-1), through a QoS 0
 * PUBLISH "a" (3 bytes before the payload) whose payload is never read by the header
 * encoder, and PINGREQ for 0. */
TEST(remaining_length_spec_examples)
{
    static const uint8_t dummy[1];
    for (size_t i = 0; i < golden_rl_count; i++) {
        const golden_rl_t *r = &golden_rl[i];
        size_t size = 0;
        if (r->value < 3) {
            golden_init(&p, MQTLS_PINGREQ);
            REQUIRE_STATUS(enc(MQTLS_V311), MQTLS_OK);
            CHECK_EQ_INT(written, 2);
            CHECK_EQ_MEM(OUT, "\xc0\x00", 2);
            continue;
        }
        golden_publish(&p, 0, false, false, GS("a"), 0, (const char *)dummy, r->value - 3);
        REQUIRE_STATUS(mqtls_encode_size(&p, MQTLS_V311, &size), MQTLS_OK);
        CHECK_EQ_INT(size, 1u + r->n + r->value);
        guards_set();
        REQUIRE_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V311, OUT, 16, &written),
                       MQTLS_OK);
        CHECK_EQ_INT(written, 1u + r->n + 3u);
        CHECK_EQ_INT(OUT[0], 0x30);
        if (!CHECK_EQ_MEM(OUT + 1, r->bytes, r->n))
            test_note("remaining length %u", (unsigned)r->value);
        CHECK_EQ_MEM(OUT + 1 + r->n, "\x00\x01" "a", 3);
        CHECK(guards_ok(written));
    }
}

TEST(remaining_length_over_the_maximum)
{
    static const uint8_t dummy[1];
    size_t size = 0;
    golden_publish(&p, 0, false, false, GS("a"), 0, (const char *)dummy,
                   MQTLS_VBI_MAX - 3u + 1u);
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V311, &size), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V311, OUT, 16, &written),
                 MQTLS_ERR_BAD_PARAM);
    p.u.publish.payload_len = 0xFFFFFFFFu;
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V311, &size), MQTLS_ERR_BAD_PARAM);
    /* Control: exactly the maximum. */
    p.u.publish.payload_len = MQTLS_VBI_MAX - 3u;
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V311, &size), MQTLS_OK);
}

/* Big 5.0 property blocks push the header over the limit; the payload must not then wrap
 * the 32-bit remaining length around to a small number. Property block: 2048 user
 * properties whose sizes add up to exactly 268435455 (the largest block there can be), so
 * the remaining length before the payload is already 268435462. */
static char big_key[65535];
static mqtls_user_prop_t big_user[2048];

static void big_props(mqtls_props_t *pr)
{
    memset(big_key, 'k', sizeof big_key);
    for (size_t i = 0; i < 2048; i++) {
        big_user[i].key.data = big_key;
        big_user[i].key.len = 65535;
        big_user[i].value.data = big_key;
        big_user[i].value.len = 65535;
    }
    /* 2047 * 131075 + (5 + 65535 + 59390) = 268435455 */
    big_user[2047].value.len = 59390;
    memset(pr, 0, sizeof *pr);
    pr->user = big_user;
    pr->user_count = 2048;
}

/* One byte more than the largest property block there can be. */
TEST(property_block_over_the_maximum)
{
    size_t size = 0;
    golden_publish(&p, 0, false, false, GS("t"), 0, "", 0);
    big_props(&p.u.publish.props);
    big_user[2047].value.len = 59391;
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V5, &size), MQTLS_ERR_BAD_PARAM);
    big_user[2047].value.len = 59390;
    golden_ack(&p, MQTLS_DISCONNECT, 0, 0);
    big_props(&p.u.ack.props);
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V5, &size), MQTLS_ERR_BAD_PARAM); /* rl > max */
}

TEST(publish_payload_does_not_wrap_the_remaining_length)
{
    static const uint8_t dummy[1];
    size_t size = 0;
    golden_publish(&p, 0, false, false, GS("t"), 0, (const char *)dummy, 0);
    big_props(&p.u.publish.props);
    /* The header alone is already too big for any payload. */
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V5, &size), MQTLS_ERR_BAD_PARAM);
    guards_set();
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V5, OUT, 64, &written),
                 MQTLS_ERR_BAD_PARAM);
    /* 268435462 + payload_len == 2^32 + 100. */
    p.u.publish.payload_len = (uint32_t)(0x100000000ull - 268435462ull + 100ull);
    size = 0;
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V5, &size), MQTLS_ERR_BAD_PARAM);
    if (size != 0)
        test_note("mqtls_encode_size claimed %zu bytes", size);
    written = 0;
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V5, OUT, 64, &written),
                 MQTLS_ERR_BAD_PARAM);
}

/* ===================================================================================== */
/* What the encoder refuses                                                                */
/* ===================================================================================== */

TEST(publish_qos_3)
{
    golden_publish(&p, 3, false, false, GS("t"), 1, "x", 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_QOS);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_QOS);
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V311, OUT, 64, &written),
                 MQTLS_ERR_MALFORMED_QOS);
    p.u.publish.qos = 2;
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_OK);
}

/* [MQTT-3.3.1-2]: DUP must be 0 for QoS 0. The decoder rejects such a packet
 * (MQTLS_ERR_MALFORMED_FLAGS), so the encoder must not produce one. */
TEST(publish_dup_with_qos_0)
{
    golden_publish(&p, 0, false, true, GS("t"), 0, "x", 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V311, OUT, 64, &written),
                 MQTLS_ERR_MALFORMED_FLAGS);
}

TEST(packet_id_zero)
{
    static const mqtls_subscription_t sub[] = {{GSI("a"), 0}};
    static const mqtls_str_t filt[] = {GSI("a")};
    static const uint8_t code0[] = {0};
    golden_publish(&p, 1, false, false, GS("t"), 0, "x", 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V5, OUT, 64, &written),
                 MQTLS_ERR_MALFORMED_PACKET_ID);
    p.u.publish.qos = 2;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PACKET_ID);
    p.u.publish.qos = 0; /* QoS 0 has no packet identifier: 0 is fine */
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_OK);
    for (int t = MQTLS_PUBACK; t <= MQTLS_PUBCOMP; t++) {
        golden_ack(&p, (mqtls_packet_type_t)t, 0, 0);
        CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_PACKET_ID);
        CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PACKET_ID);
    }
    golden_subscribe(&p, 0, sub, 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_PACKET_ID);
    golden_unsubscribe(&p, 0, filt, 1);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PACKET_ID);
    golden_suback(&p, MQTLS_SUBACK, 0, code0, 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_PACKET_ID);
    golden_suback(&p, MQTLS_UNSUBACK, 0, code0, 1);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PACKET_ID);
}

TEST(topic_names)
{
    static const char *const bad[] = {"a/+", "#", "a/#/b", "+", "x#"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        golden_publish(&p, 0, false, false, mqtls_str(bad[i]), 0, "x", 1);
        if (!CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_TOPIC))
            test_note("topic %s", bad[i]);
    }
    /* Empty: only in 5.0 and only with a topic alias. */
    golden_publish(&p, 0, false, false, GS(""), 0, "x", 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_TOPIC);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_TOPIC);
    GSET(p.u.publish.props, MQTLS_PROP_TOPIC_ALIAS);
    p.u.publish.props.topic_alias = 4;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_OK);
    CHECK_EQ_MEM(OUT, "\x30\x07\x00\x00\x03\x23\x00\x04" "x", 9);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_TOPIC);
    /* Will topics follow the same rules. */
    golden_connect(&p, MQTLS_V311, true, 0, GS("c"));
    golden_will(&p, 3, false, GS("w"), GB("m"));
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_QOS);
    golden_will(&p, 0, false, GS("w/+"), GB("m"));
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_TOPIC);
    p.u.connect.will_topic = GS("");
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_TOPIC);
}

TEST(topic_filters)
{
    static const char *const bad[] = {"a/#/b", "a+", "#a", "$share//x", "$share/g", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mqtls_subscription_t s = {mqtls_str(bad[i]), 1};
        mqtls_str_t f = mqtls_str(bad[i]);
        golden_subscribe(&p, 1, &s, 1);
        if (!CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_FILTER))
            test_note("SUBSCRIBE %s", bad[i]);
        golden_unsubscribe(&p, 1, &f, 1);
        if (!CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_FILTER))
            test_note("UNSUBSCRIBE %s", bad[i]);
    }
}

TEST(subscription_options)
{
    mqtls_subscription_t s = {GSI("a"), 3};
    golden_subscribe(&p, 1, &s, 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_QOS);
    s.options = 0x04; /* No Local does not exist in 3.1.1 */
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_OK);
    s.options = 0x30; /* retain handling 3 */
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PAYLOAD);
    s.options = 0x40;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PAYLOAD);
    s.filter = GS("$share/g/a");
    s.options = 0x05;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PAYLOAD);
    golden_subscribe(&p, 1, &s, 0);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PAYLOAD);
    golden_subscribe(&p, 1, NULL, 1);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PAYLOAD);
}

TEST(property_not_allowed)
{
    golden_connect(&p, MQTLS_V5, true, 0, GS("c"));
    GSET(p.u.connect.props, MQTLS_PROP_TOPIC_ALIAS);
    p.u.connect.props.topic_alias = 1;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_PROPERTY_NOT_ALLOWED);
    /* 3.1.1 has no properties: they are not sent at all. */
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_OK);
    CHECK_EQ_INT(written, 15);

    golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
    GSET(p.u.publish.props, MQTLS_PROP_WILL_DELAY);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_PROPERTY_NOT_ALLOWED);
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V5, OUT, 64, &written),
                 MQTLS_ERR_PROPERTY_NOT_ALLOWED);

    golden_connect(&p, MQTLS_V5, true, 0, GS("c"));
    golden_will(&p, 0, false, GS("w"), GB("m"));
    GSET(p.u.connect.will_props, MQTLS_PROP_SESSION_EXPIRY);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_PROPERTY_NOT_ALLOWED);

    golden_ack(&p, MQTLS_DISCONNECT, 0, 0);
    GSET(p.u.ack.props, MQTLS_PROP_RECEIVE_MAXIMUM);
    p.u.ack.props.receive_maximum = 1;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_PROPERTY_NOT_ALLOWED);
}

TEST(property_values)
{
    golden_connect(&p, MQTLS_V5, true, 0, GS("c"));
    golden_receive_max(&p.u.connect.props, 0);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PROPERTY);
    p.u.connect.props.receive_maximum = 1;
    GSET(p.u.connect.props, MQTLS_PROP_REQUEST_PROBLEM_INFO);
    p.u.connect.props.request_problem_info = 2;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PROPERTY);
    p.u.connect.props.request_problem_info = 1;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_OK);

    golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
    GSET(p.u.publish.props, MQTLS_PROP_PAYLOAD_FORMAT);
    p.u.publish.props.payload_format = 2;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PROPERTY);
    p.u.publish.props.present = 0;
    GSET(p.u.publish.props, MQTLS_PROP_SUBSCRIPTION_ID);
    p.u.publish.props.subscription_id = MQTLS_VBI_MAX + 1u;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PROPERTY);
    p.u.publish.props.subscription_id = 0;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PROPERTY);
    p.u.publish.props.present = 0;
    GSET(p.u.publish.props, MQTLS_PROP_RESPONSE_TOPIC);
    p.u.publish.props.response_topic = GS("r/+");
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_TOPIC);
}

static const struct {
    const char *bytes;
    uint16_t len;
    mqtls_status_t st;
} bad_strings[] = {
    {"\xc0\x80", 2, MQTLS_ERR_MALFORMED_UTF8},
    {"\xed\xa0\x80", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"ab\xe2\x82", 4, MQTLS_ERR_MALFORMED_UTF8},
    {"\xf5\x80\x80\x80", 4, MQTLS_ERR_MALFORMED_UTF8},
    {"a\0b", 3, MQTLS_ERR_MALFORMED_UTF8_NUL},
};

TEST(invalid_utf8_everywhere)
{
    for (size_t i = 0; i < sizeof bad_strings / sizeof bad_strings[0]; i++) {
        mqtls_str_t s = {bad_strings[i].bytes, bad_strings[i].len};
        mqtls_status_t want = bad_strings[i].st;
        mqtls_user_prop_t u = {GSI("k"), GSI("v")};
        mqtls_subscription_t sub = {s, 0};

        golden_publish(&p, 0, false, false, s, 0, "x", 1);
        CHECK_STATUS(enc(MQTLS_V311), want);
        golden_connect(&p, MQTLS_V311, true, 0, s);
        CHECK_STATUS(enc(MQTLS_V311), want);
        golden_connect(&p, MQTLS_V311, true, 0, GS("c"));
        golden_login(&p, s, GB("pw"));
        CHECK_STATUS(enc(MQTLS_V311), want);
        golden_connect(&p, MQTLS_V311, true, 0, GS("c"));
        golden_will(&p, 0, false, s, GB("m"));
        CHECK_STATUS(enc(MQTLS_V311), want);
        golden_subscribe(&p, 1, &sub, 1);
        CHECK_STATUS(enc(MQTLS_V311), want);
        golden_unsubscribe(&p, 1, &s, 1);
        CHECK_STATUS(enc(MQTLS_V5), want);
        golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
        GSET(p.u.publish.props, MQTLS_PROP_CONTENT_TYPE);
        p.u.publish.props.content_type = s;
        CHECK_STATUS(enc(MQTLS_V5), want);
        golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
        u.key = s;
        golden_user(&p.u.publish.props, &u, 1);
        CHECK_STATUS(enc(MQTLS_V5), want);
        u.key = GS("k");
        u.value = s;
        CHECK_STATUS(enc(MQTLS_V5), want);
        golden_ack(&p, MQTLS_PUBACK, 1, 0x80);
        GSET(p.u.ack.props, MQTLS_PROP_REASON_STRING);
        p.u.ack.props.reason_string = s;
        CHECK_STATUS(enc(MQTLS_V5), want);
    }
    /* Binary fields are not UTF-8: a password, will payload or correlation data may hold
     * any bytes. */
    golden_connect(&p, MQTLS_V5, true, 0, GS("c"));
    golden_will(&p, 0, false, GS("w"), GB("\xc0\x80"));
    golden_login(&p, GS("u"), GB("\0\xff"));
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_OK);
}

TEST(password_without_user_name_in_311)
{
    golden_connect(&p, MQTLS_V311, true, 0, GS(""));
    p.u.connect.has_password = true;
    p.u.connect.password = GB("pw");
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    p.u.connect.version = MQTLS_V5;
    const golden_t *g = golden_find("h5_connect_password_only");
    REQUIRE_STATUS(enc(MQTLS_V5), MQTLS_OK);
    CHECK_EQ_INT(written, g->len);
    CHECK_EQ_MEM(OUT, g->bytes, g->len);
}

/* mqtls_str() of a string too long for MQTT gives {NULL, 65535}, which every encoder
 * refuses rather than sending a truncated string. */
TEST(overlong_strings)
{
    char *big = malloc(70000);
    REQUIRE(big != NULL);
    memset(big, 'a', 69999);
    big[69999] = '\0';
    mqtls_str_t s = mqtls_str(big);
    CHECK(s.data == NULL);
    CHECK_EQ_INT(s.len, 65535);
    mqtls_user_prop_t u = {s, GSI("v")};
    mqtls_subscription_t sub = {s, 0};

    golden_publish(&p, 0, false, false, s, 0, "x", 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, MQTLS_V311, OUT, 64, &written),
                 MQTLS_ERR_BAD_PARAM);
    golden_connect(&p, MQTLS_V311, true, 0, s);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    golden_connect(&p, MQTLS_V311, true, 0, GS("c"));
    golden_login(&p, s, GB("pw"));
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    golden_connect(&p, MQTLS_V311, true, 0, GS("c"));
    golden_will(&p, 0, false, s, GB("m"));
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    golden_subscribe(&p, 1, &sub, 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    golden_unsubscribe(&p, 1, &s, 1);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
    GSET(p.u.publish.props, MQTLS_PROP_CONTENT_TYPE);
    p.u.publish.props.content_type = s;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_BAD_PARAM);
    golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
    golden_user(&p.u.publish.props, &u, 1);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_BAD_PARAM);

    /* 65535 bytes is still a valid string. */
    big[65535] = '\0';
    s = mqtls_str(big);
    CHECK(s.data == big);
    CHECK_EQ_INT(s.len, 65535);
    golden_publish(&p, 0, false, false, s, 0, "x", 1);
    size_t size = 0;
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V311, &size), MQTLS_OK);
    CHECK_EQ_INT(size, 1u + 3u + 2u + 65535u + 1u);
    free(big);
}

TEST(mqtls_str_basics)
{
    mqtls_str_t s = mqtls_str(NULL);
    CHECK(s.data == NULL);
    CHECK_EQ_INT(s.len, 0);
    s = mqtls_str("");
    CHECK_EQ_INT(s.len, 0);
    s = mqtls_str("sport/tennis");
    CHECK_EQ_INT(s.len, 12);
    /* NULL with length 0 is an empty string, not an error. */
    golden_connect(&p, MQTLS_V311, true, 0, mqtls_str(NULL));
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_OK);
    CHECK_EQ_MEM(OUT, "\x10\x0c\x00\x04MQTT\x04\x02\x00\x00\x00\x00", 14);
}

TEST(null_data_with_a_length)
{
    golden_publish(&p, 0, false, false, GS("t"), 0, NULL, 5);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    golden_connect(&p, MQTLS_V311, true, 0, GS("c"));
    golden_login(&p, GS("u"), GB("p"));
    p.u.connect.password.data = NULL;
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_BAD_PARAM);
    golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
    GSET(p.u.publish.props, MQTLS_PROP_CORRELATION_DATA);
    p.u.publish.props.correlation_data.len = 3;
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_BAD_PARAM);
    golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
    p.u.publish.props.user_count = 1; /* and no array */
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_BAD_PARAM);
}

TEST(reason_codes)
{
    static const uint8_t bad311[] = {0x01, 0x03};
    static const uint8_t bad5[] = {0x00, 0x04};
    golden_connack(&p, false, 6);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_REASON_CODE);
    golden_connack(&p, false, 0x86);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_OK);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_REASON_CODE);
    golden_ack(&p, MQTLS_PUBACK, 1, 0x01);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_REASON_CODE);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_OK); /* 3.1.1 acks carry no reason */
    CHECK_EQ_MEM(OUT, "\x40\x02\x00\x01", 4);
    golden_ack(&p, MQTLS_DISCONNECT, 0, 0x01);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_REASON_CODE);
    golden_ack(&p, MQTLS_AUTH, 0, 0x80);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_REASON_CODE);
    golden_suback(&p, MQTLS_SUBACK, 1, bad311, 2);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_REASON_CODE);
    golden_suback(&p, MQTLS_UNSUBACK, 1, bad5, 2);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_REASON_CODE);
    golden_suback(&p, MQTLS_SUBACK, 1, bad5, 0);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_PAYLOAD);
}

/* MQTT 5.0 section 3.14.2.1: 0x8C "Bad authentication method" is a DISCONNECT reason. */
TEST(disconnect_bad_authentication_method)
{
    golden_ack(&p, MQTLS_DISCONNECT, 0, 0x8c);
    REQUIRE_STATUS(enc(MQTLS_V5), MQTLS_OK);
    CHECK_EQ_INT(written, 3);
    CHECK_EQ_MEM(OUT, "\xe0\x01\x8c", 3);
}

/* [MQTT-3.2.2-4] (3.1.1) and [MQTT-3.2.2-6] (5.0): a CONNACK with a non-zero code has
 * session present 0. The decoder rejects the other form, so it must not be encoded. */
TEST(connack_session_present_with_error_code)
{
    golden_connack(&p, true, 5);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_FLAGS);
    golden_connack(&p, true, 0x87);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_ERR_MALFORMED_FLAGS);
    golden_connack(&p, true, 0);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_OK);
}

TEST(packet_types_and_versions)
{
    golden_ack(&p, MQTLS_AUTH, 0, 0);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_PACKET_TYPE);
    CHECK_STATUS(enc(MQTLS_V5), MQTLS_OK);
    CHECK_EQ_MEM(OUT, "\xf0\x00", 2);
    golden_init(&p, (mqtls_packet_type_t)0);
    CHECK_STATUS(enc(MQTLS_V311), MQTLS_ERR_MALFORMED_PACKET_TYPE);
    golden_init(&p, MQTLS_PINGREQ);
    CHECK_STATUS(enc((mqtls_version_t)2), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(enc(MQTLS_V31), MQTLS_CFG_MQTT31 ? MQTLS_OK : MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(enc((mqtls_version_t)6), MQTLS_ERR_BAD_PARAM);
    size_t size;
    CHECK_STATUS(mqtls_encode_size(NULL, MQTLS_V311, &size), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V311, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_encode(NULL, MQTLS_V311, OUT, 10, &written), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_encode(&p, MQTLS_V311, NULL, 10, &written), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_encode_publish_header(NULL, MQTLS_V311, OUT, 10, &written),
                 MQTLS_ERR_BAD_PARAM);
    /* written is optional. */
    CHECK_STATUS(mqtls_encode(&p, MQTLS_V311, OUT, 10, NULL), MQTLS_OK);
}

#if MQTLS_CFG_MQTT31
/* MQTT 3.1: protocol name "MQIsdp" at level 3 (mqtls_connect() checks the 1 to 23 byte
 * client id: the codec writes any, as a 3.1 broker may take them). */
TEST(connect_mqtt31)
{
    golden_connect(&p, MQTLS_V31, true, 60, GS("c"));
    CHECK_STATUS(enc(MQTLS_V31), MQTLS_OK);
    CHECK_EQ_INT(written, 17);
    CHECK_EQ_MEM(OUT, "\x10\x0f\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x01" "c", 17);
    golden_connect(&p, MQTLS_V31, true, 60, GS("abcdefghijklmnopqrstuvwx"));
    CHECK_STATUS(enc(MQTLS_V31), MQTLS_OK);
}
#endif

/* The header-only form refuses an unknown protocol version, as mqtls_encode() does. */
TEST(publish_header_refuses_unknown_version)
{
    golden_publish(&p, 0, false, false, GS("t"), 0, "x", 1);
    CHECK_STATUS(enc((mqtls_version_t)2), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, (mqtls_version_t)2, OUT, 64,
                                             &written),
                 MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_encode_publish_header(&p.u.publish, (mqtls_version_t)6, OUT, 64,
                                             &written),
                 MQTLS_ERR_BAD_PARAM);
}

/* The short forms of 5.0 acks: reason 0 without properties is left out; a reason alone
 * needs no property length; properties need the reason in front. */
TEST(ack_short_forms)
{
    golden_ack(&p, MQTLS_PUBACK, 9, 0);
    REQUIRE_STATUS(enc(MQTLS_V5), MQTLS_OK);
    CHECK_EQ_INT(written, 4);
    golden_ack(&p, MQTLS_PUBACK, 9, 0x10);
    REQUIRE_STATUS(enc(MQTLS_V5), MQTLS_OK);
    CHECK_EQ_INT(written, 5);
    CHECK_EQ_MEM(OUT, "\x40\x03\x00\x09\x10", 5);
    golden_ack(&p, MQTLS_DISCONNECT, 0, 0x8b);
    REQUIRE_STATUS(enc(MQTLS_V5), MQTLS_OK);
    CHECK_EQ_MEM(OUT, "\xe0\x01\x8b", 3);
    golden_ack(&p, MQTLS_DISCONNECT, 0, 0x8b);
    REQUIRE_STATUS(enc(MQTLS_V311), MQTLS_OK);
    CHECK_EQ_MEM(OUT, "\xe0\x00", 2);
}

/* The two tests below scan 4 GiB of strings (10-100 s): they run when MQTLS_SLOW_TESTS is
 * set in the environment. publish_payload_does_not_wrap_the_remaining_length shows the same
 * kind of wrap-around cheaply. */
#define SLOW_TEST()                                                                          \
    do {                                                                                     \
        const char *slow_ = getenv("MQTLS_SLOW_TESTS");                                      \
        if (slow_ == NULL || *slow_ == '\0' || *slow_ == '0')                                 \
            SKIP("scans 4 GiB; set MQTLS_SLOW_TESTS=1 to run it");                           \
    } while (0)

/* The SUBSCRIBE remaining length is a 32-bit sum of up to 65535 entries of up to 65538
 * bytes; it must be checked as it grows, not after it has wrapped around 2^32. Here 65535
 * entries of a 65535-byte filter add up to 2 + 65535 * 65538 = 2^32 + 65538. */
TEST(subscribe_remaining_length_does_not_wrap)
{
    static mqtls_subscription_t subs[65535];
    SLOW_TEST();
    char *f = malloc(65535);
    REQUIRE(f != NULL);
    memset(f, 'a', 65535);
    for (size_t i = 0; i < 65535; i++) {
        subs[i].filter.data = f;
        subs[i].filter.len = 65535;
        subs[i].options = 0;
    }
    golden_subscribe(&p, 1, subs, 65535);
    size_t size = 0;
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V311, &size), MQTLS_ERR_BAD_PARAM);
    if (size != 0)
        test_note("mqtls_encode_size claimed %zu bytes", size);
    free(f);
}

/* The same for a property block: 65535 user properties of 5 + 65535 + 65535 bytes add up
 * to 2 * 2^32 + 65533. */
TEST(user_properties_size_does_not_wrap)
{
    static mqtls_user_prop_t u[65535];
    SLOW_TEST();
    char *s = malloc(65535);
    REQUIRE(s != NULL);
    memset(s, 'a', 65535);
    for (size_t i = 0; i < 65535; i++) {
        u[i].key.data = s;
        u[i].key.len = 65535;
        u[i].value.data = s;
        u[i].value.len = 65535;
    }
    golden_ack(&p, MQTLS_DISCONNECT, 0, 0);
    golden_user(&p.u.ack.props, u, 65535);
    size_t size = 0;
    CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V5, &size), MQTLS_ERR_BAD_PARAM);
    if (size != 0)
        test_note("mqtls_encode_size claimed %zu bytes", size);
    free(s);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    golden_load(GOLDEN_DEFAULT_DIR);
    RUN(golden_vectors_encode_exactly);
    RUN(golden_one_byte_short_is_no_space);
    RUN(golden_publish_header_plus_payload);
    RUN(remaining_length_spec_examples);
    RUN(remaining_length_over_the_maximum);
    RUN(property_block_over_the_maximum);
    RUN(publish_payload_does_not_wrap_the_remaining_length);
    RUN(publish_qos_3);
    RUN(publish_dup_with_qos_0);
    RUN(packet_id_zero);
    RUN(topic_names);
    RUN(topic_filters);
    RUN(subscription_options);
    RUN(property_not_allowed);
    RUN(property_values);
    RUN(invalid_utf8_everywhere);
    RUN(password_without_user_name_in_311);
    RUN(overlong_strings);
    RUN(mqtls_str_basics);
    RUN(null_data_with_a_length);
    RUN(reason_codes);
    RUN(disconnect_bad_authentication_method);
    RUN(connack_session_present_with_error_code);
    RUN(packet_types_and_versions);
    RUN(publish_header_refuses_unknown_version);
#if MQTLS_CFG_MQTT31
    RUN(connect_mqtt31);
#endif
    RUN(ack_short_forms);
    RUN(subscribe_remaining_length_does_not_wrap);
    RUN(user_properties_size_does_not_wrap);
    return test_main_end();
}
