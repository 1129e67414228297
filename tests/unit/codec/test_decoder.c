/**
 * @file test_decoder.c
 * @brief mqtls_decode() and mqtls_decode_fixed_header(): the golden vectors decode to their
 *        fields, every prefix of them is incomplete, and every malformed-packet rule of
 *        MQTT 3.1.1 and 5.0 is caught with its own status.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "golden.h"
#include "golden_packet.h"
#include "mqtls/codec.h"
#include "packet_writer.h"
#include "test.h"

/* Bytes of a string literal (which may hold NUL bytes). */
#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1u)

static mqtls_packet_t pkt;
static size_t used;
static gb_t b;

static mqtls_status_t dec(const uint8_t *buf, size_t n, mqtls_version_t v)
{
    used = 0;
    return mqtls_decode(buf, n, v, &pkt, &used);
}
/* Decodes the golden vector @p name. */
static mqtls_status_t dec_g(const char *name, mqtls_version_t v)
{
    const golden_t *g = golden_find(name);
    return dec(g->bytes, g->len, v);
}
#define DEC3(s) dec(LIT(s), MQTLS_V311)
#define DEC5(s) dec(LIT(s), MQTLS_V5)
/* Decodes what the builder holds. */
static mqtls_status_t dec_b(mqtls_version_t v)
{
    const uint8_t *p = gb_end(&b);
    return dec(p, b.out_len, v);
}

/* ===================================================================================== */
/* Golden vectors                                                                          */
/* ===================================================================================== */

TEST(golden_vectors_decode_to_their_fields)
{
    char why[160];
    for (size_t i = 0; i < golden_count; i++) {
        const golden_t *g = &golden_vectors[i];
        const mqtls_packet_t want = g->want;
        mqtls_status_t st = dec(g->bytes, g->len, g->version);
        if (!CHECK_STATUS(st, MQTLS_OK)) {
            test_note("vector %s", g->name);
            continue;
        }
        CHECK_EQ_INT(used, g->len);
        CHECK_EQ_INT(pkt.type, g->bytes[0] >> 4);
        if (!CHECK(golden_packet_eq(&pkt, &want, g->version, why, sizeof why)))
            test_note("vector %s: %s", g->name, why);
    }
}

/* The decoder needs the whole packet: every shorter prefix asks for more, and it never
 * reports a malformed packet early just because bytes are missing. */
TEST(golden_prefixes_need_more)
{
    for (size_t i = 0; i < golden_count; i++) {
        const golden_t *g = &golden_vectors[i];
        for (size_t n = 0; n < g->len; n++) {
            if (!CHECK_STATUS(dec(g->bytes, n, g->version), MQTLS_NEED_MORE)) {
                test_note("vector %s, prefix of %zu bytes", g->name, n);
                break;
            }
        }
    }
}

/* Two packets back to back, as they arrive on a stream: the first is decoded and
 * `consumed` says where the second starts. */
TEST(golden_decode_from_a_stream)
{
    for (size_t i = 0; i + 1 < golden_count; i++) {
        const golden_t *g = &golden_vectors[i], *h = &golden_vectors[i + 1];
        uint8_t stream[512];
        if (g->len + h->len > sizeof stream || g->version != h->version)
            continue;
        memcpy(stream, g->bytes, g->len);
        memcpy(stream + g->len, h->bytes, h->len);
        if (!CHECK_STATUS(dec(stream, g->len + h->len, g->version), MQTLS_OK) ||
            !CHECK_EQ_INT(used, g->len)) {
            test_note("vector %s followed by %s", g->name, h->name);
            continue;
        }
        CHECK_STATUS(dec(stream + used, h->len, h->version), MQTLS_OK);
        CHECK_EQ_INT(used, h->len);
    }
}

/* decode -> encode gives the same bytes for canonical vectors; for all, the re-encoding
 * decodes to the same fields. */
TEST(golden_decode_then_encode_round_trips)
{
    static golden_store_t store;
    char why[160];
    for (size_t i = 0; i < golden_count; i++) {
        const golden_t *g = &golden_vectors[i];
        uint8_t out[512];
        size_t n = 0;
        mqtls_packet_t enc, again;
        if (!CHECK_STATUS(dec(g->bytes, g->len, g->version), MQTLS_OK))
            continue;
        enc = pkt;
        REQUIRE(golden_encodable(&enc, &store));
        if (!CHECK_STATUS(mqtls_encode(&enc, g->version, out, sizeof out, &n), MQTLS_OK)) {
            test_note("vector %s", g->name);
            continue;
        }
        if (g->form == GOLDEN_EXACT) {
            CHECK_EQ_INT(n, g->len);
            if (n == g->len && !CHECK_EQ_MEM(out, g->bytes, n))
                test_note("vector %s", g->name);
        } else if (g->form == GOLDEN_REORDERED) {
            CHECK_EQ_INT(n, g->len);
        }
        REQUIRE_STATUS(dec(out, n, g->version), MQTLS_OK);
        again = pkt;
        if (!CHECK(golden_packet_eq(&again, &enc, g->version, why, sizeof why)))
            test_note("vector %s: %s", g->name, why);
    }
}

/* A few vectors spelled out field by field, so a reader sees what the table checks. */
TEST(spec_connect_example_fields)
{
    const uint8_t *bytes = golden_find("spec311_connect")->bytes;
    REQUIRE_STATUS(dec_g("spec311_connect", MQTLS_V311), MQTLS_OK);
    const mqtls_connect_t *c = &pkt.u.connect;
    CHECK_EQ_INT(pkt.type, MQTLS_CONNECT);
    CHECK_EQ_INT(c->version, MQTLS_V311);
    CHECK(c->clean_start);
    CHECK(c->will);
    CHECK_EQ_INT(c->will_qos, 1);
    CHECK(!c->will_retain);
    CHECK(c->has_username);
    CHECK(c->has_password);
    CHECK_EQ_INT(c->keep_alive, 10);
    CHECK_EQ_INT(c->client_id.len, 2);
    CHECK_EQ_MEM(c->client_id.data, "id", 2);
    /* Zero copy: the strings point into the packet. */
    CHECK(c->client_id.data == (const char *)bytes + 14);
    CHECK(c->password.data == bytes + 27);
}

TEST(captured_v5_publish_fields)
{
    const golden_t *g = golden_find("gc5_publish_props");
    REQUIRE_STATUS(dec(g->bytes, g->len, MQTLS_V5), MQTLS_OK);
    const mqtls_publish_t *p = &pkt.u.publish;
    CHECK_EQ_INT(p->qos, 1);
    CHECK_EQ_INT(p->packet_id, 1);
    CHECK_EQ_INT(p->payload_len, 5);
    CHECK(p->payload == g->bytes + g->len - 5);
    CHECK_EQ_INT(p->props.payload_format, 1);
    CHECK_EQ_INT(p->props.message_expiry, 60);
    CHECK_EQ_INT(p->props.user_count, 2);
    CHECK(p->props.raw == g->bytes + 17);
    CHECK_EQ_INT(p->props.raw_len, 0x35);
}

TEST(two_subscription_ids_are_both_reported)
{
    uint32_t pos = 0, id = 0;
    REQUIRE_STATUS(dec_g("h5_publish_two_sub_ids", MQTLS_V5),
                   MQTLS_OK);
    CHECK_EQ_INT(pkt.u.publish.props.subscription_id, 1);
    REQUIRE(mqtls_props_next_sub_id(&pkt.u.publish.props, &pos, &id));
    CHECK_EQ_INT(id, 1);
    REQUIRE(mqtls_props_next_sub_id(&pkt.u.publish.props, &pos, &id));
    CHECK_EQ_INT(id, 130);
    CHECK(!mqtls_props_next_sub_id(&pkt.u.publish.props, &pos, &id));
}

TEST(subscribe_entries_iterate_in_order)
{
    mqtls_subscription_t s;
    uint32_t pos = 0;
    REQUIRE_STATUS(dec_g("h5_subscribe_options", MQTLS_V5), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.subscribe.count, 3);
    REQUIRE(mqtls_sub_next(&pkt.u.subscribe, false, &pos, &s));
    CHECK_EQ_MEM(s.filter.data, "a/b", 3);
    CHECK_EQ_INT(s.options, 0x2d);
    REQUIRE(mqtls_sub_next(&pkt.u.subscribe, false, &pos, &s));
    CHECK_EQ_INT(s.filter.len, 12);
    CHECK_EQ_INT(s.options, 0x1a);
    REQUIRE(mqtls_sub_next(&pkt.u.subscribe, false, &pos, &s));
    CHECK_EQ_MEM(s.filter.data, "+/x", 3);
    CHECK_EQ_INT(s.options, 0);
    CHECK(!mqtls_sub_next(&pkt.u.subscribe, false, &pos, &s));

    pos = 0;
    REQUIRE_STATUS(dec_g("spec5_unsubscribe", MQTLS_V5), MQTLS_OK);
    REQUIRE(mqtls_sub_next(&pkt.u.subscribe, true, &pos, &s));
    CHECK_EQ_MEM(s.filter.data, "a/b", 3);
    CHECK_EQ_INT(s.options, 0);
    REQUIRE(mqtls_sub_next(&pkt.u.subscribe, true, &pos, &s));
    CHECK_EQ_MEM(s.filter.data, "c/d", 3);
    CHECK(!mqtls_sub_next(&pkt.u.subscribe, true, &pos, &s));
}

/* A CONNECT is decoded by its own protocol level, whatever version the caller expects. */
TEST(connect_follows_its_own_level)
{
    REQUIRE_STATUS(dec_g("gc5_connect_min", MQTLS_V311), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.connect.version, MQTLS_V5);
    CHECK_EQ_INT(pkt.u.connect.props.receive_maximum, 20);
    REQUIRE_STATUS(dec_g("gc311_connect_min", MQTLS_V5), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.connect.version, MQTLS_V311);
}

/* In 5.0 the reason code and properties of acks may be left out; in 3.1.1 they do not
 * exist, so the same extra byte is a length error. */
TEST(ack_short_forms)
{
    REQUIRE_STATUS(DEC5("\x40\x02\x00\x07"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.ack.reason, 0);
    REQUIRE_STATUS(DEC5("\x40\x03\x00\x07\x10"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.ack.reason, 0x10);
    CHECK_EQ_INT(pkt.u.ack.props.present, 0);
    REQUIRE_STATUS(DEC5("\x40\x04\x00\x07\x10\x00"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.ack.reason, 0x10);
    REQUIRE_STATUS(DEC5("\xe0\x00"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.ack.reason, 0);
    REQUIRE_STATUS(DEC5("\xe0\x01\x8b"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.ack.reason, 0x8b);
    CHECK_STATUS(DEC3("\x40\x03\x00\x07\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\xe0\x01\x00"), MQTLS_ERR_MALFORMED_LENGTH);
}

/* ===================================================================================== */
/* Fixed header and remaining length                                                       */
/* ===================================================================================== */

TEST(remaining_length_spec_examples)
{
    for (size_t i = 0; i < golden_rl_count; i++) {
        const golden_rl_t *r = &golden_rl[i];
        uint8_t buf[5] = {0x30};
        uint8_t first = 0;
        uint32_t rl = 0;
        size_t hl = 0;
        memcpy(buf + 1, r->bytes, r->n);
        REQUIRE_STATUS(mqtls_decode_fixed_header(buf, 1u + r->n, &first, &rl, &hl), MQTLS_OK);
        CHECK_EQ_INT(first, 0x30);
        CHECK_EQ_INT(rl, r->value);
        CHECK_EQ_INT(hl, 1u + r->n);
        /* Each shorter prefix of the length is incomplete, not malformed. */
        for (size_t n = 0; n < 1u + r->n; n++)
            CHECK_STATUS(mqtls_decode_fixed_header(buf, n, &first, &rl, &hl), MQTLS_NEED_MORE);
        /* And the whole packet is not there yet. */
        if (r->value > 0)
            CHECK_STATUS(dec(buf, 1u + r->n, MQTLS_V311), MQTLS_NEED_MORE);
    }
}

TEST(remaining_length_of_five_bytes)
{
    uint8_t first;
    uint32_t rl;
    size_t hl;
    CHECK_STATUS(mqtls_decode_fixed_header(LIT("\x30\xff\xff\xff\xff\x7f"), &first, &rl, &hl),
                 MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    CHECK_STATUS(mqtls_decode_fixed_header(LIT("\x30\x80\x80\x80\x80\x01"), &first, &rl, &hl),
                 MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    /* Known after the fourth length byte: no need to wait for a fifth. */
    CHECK_STATUS(mqtls_decode_fixed_header(LIT("\x30\xff\xff\xff\xff"), &first, &rl, &hl),
                 MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    CHECK_STATUS(DEC3("\x30\xff\xff\xff\xff\x7f"), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    CHECK_STATUS(DEC5("\xc0\x80\x80\x80\x80\x00"), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
}

TEST(remaining_length_not_minimal)
{
    uint8_t first;
    uint32_t rl;
    size_t hl;
    CHECK_STATUS(mqtls_decode_fixed_header(LIT("\xc0\x80\x00"), &first, &rl, &hl),
                 MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    CHECK_STATUS(DEC3("\xc0\x80\x00"), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    CHECK_STATUS(DEC5("\xc0\x80\x80\x00"), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    CHECK_STATUS(DEC5("\xc0\x80\x80\x80\x00"), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    /* 127 as 0xFF 0x00 instead of 0x7F. */
    CHECK_STATUS(mqtls_decode_fixed_header(LIT("\x30\xff\x00"), &first, &rl, &hl),
                 MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    /* Control: the minimal forms are fine. */
    CHECK_STATUS(mqtls_decode_fixed_header(LIT("\x30\xff\x01"), &first, &rl, &hl), MQTLS_OK);
    CHECK_EQ_INT(rl, 255);
}

/* The property length is a variable byte integer too, with the same minimal-form rule. */
TEST(property_length_not_minimal)
{
    CHECK_STATUS(DEC5("\x20\x03\x00\x00\x00"), MQTLS_OK);
    CHECK_STATUS(DEC5("\x20\x04\x00\x00\x80\x00"), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
}

TEST(bad_arguments)
{
    uint8_t first;
    uint32_t rl;
    size_t hl;
    CHECK_STATUS(mqtls_decode(NULL, 2, MQTLS_V311, &pkt, &used), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_decode(LIT("\xc0\x00"), MQTLS_V311, NULL, &used), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_decode(LIT("\xc0\x00"), (mqtls_version_t)2, &pkt, &used),
                 MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_decode(LIT("\xc0\x00"), MQTLS_V31, &pkt, &used),
                 MQTLS_CFG_MQTT31 ? MQTLS_OK : MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_decode_fixed_header(NULL, 2, &first, &rl, &hl), MQTLS_ERR_BAD_PARAM);
    /* consumed is optional. */
    CHECK_STATUS(mqtls_decode(LIT("\xc0\x00"), MQTLS_V311, &pkt, NULL), MQTLS_OK);
}

/* ===================================================================================== */
/* Reserved flag bits                                                                      */
/* ===================================================================================== */

/* A minimal valid packet of each type except PUBLISH, with its required flags. */
static const struct {
    const char *name;
    const uint8_t *bytes;
    size_t len;
    uint8_t flags;
} minimal[] = {
    {"CONNECT", LIT("\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01" "c"), 0},
    {"CONNACK", LIT("\x20\x02\x00\x00"), 0},
    {"PUBACK", LIT("\x40\x02\x00\x01"), 0},
    {"PUBREC", LIT("\x50\x02\x00\x01"), 0},
    {"PUBREL", LIT("\x62\x02\x00\x01"), 2},
    {"PUBCOMP", LIT("\x70\x02\x00\x01"), 0},
    {"SUBSCRIBE", LIT("\x82\x06\x00\x01\x00\x01" "a" "\x00"), 2},
    {"SUBACK", LIT("\x90\x03\x00\x01\x00"), 0},
    {"UNSUBSCRIBE", LIT("\xa2\x05\x00\x01\x00\x01" "a"), 2},
    {"UNSUBACK", LIT("\xb0\x02\x00\x01"), 0},
    {"PINGREQ", LIT("\xc0\x00"), 0},
    {"PINGRESP", LIT("\xd0\x00"), 0},
    {"DISCONNECT", LIT("\xe0\x00"), 0},
};

TEST(reserved_fixed_header_flags_every_type)
{
    for (size_t i = 0; i < sizeof minimal / sizeof minimal[0]; i++) {
        uint8_t buf[32];
        memcpy(buf, minimal[i].bytes, minimal[i].len);
        if (!CHECK_STATUS(dec(buf, minimal[i].len, MQTLS_V311), MQTLS_OK))
            test_note("control %s", minimal[i].name);
        for (uint8_t f = 0; f < 16; f++) {
            if (f == minimal[i].flags)
                continue;
            buf[0] = (uint8_t)((buf[0] & 0xF0u) | f);
            if (!CHECK_STATUS(dec(buf, minimal[i].len, MQTLS_V311), MQTLS_ERR_MALFORMED_FLAGS) ||
                !CHECK_STATUS(dec(buf, minimal[i].len, MQTLS_V5), MQTLS_ERR_MALFORMED_FLAGS))
                test_note("%s with flags 0x%x", minimal[i].name, f);
        }
    }
}

TEST(pubrel_subscribe_unsubscribe_need_flags_0010)
{
    CHECK_STATUS(DEC3("\x60\x02\x00\x01"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC5("\x80\x07\x00\x01\x00\x00\x01" "a" "\x00"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC3("\xa0\x05\x00\x01\x00\x01" "a"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC3("\x62\x02\x00\x01"), MQTLS_OK);
}

TEST(connack_flags_byte_reserved_bits)
{
    CHECK_STATUS(DEC3("\x20\x02\x02\x00"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC5("\x20\x03\x02\x00\x00"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC3("\x20\x02\x80\x00"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC3("\x20\x02\x01\x00"), MQTLS_OK);
}

TEST(connack_session_present_with_error_code)
{
    /* 3.1.1 [MQTT-3.2.2-4], 5.0 [MQTT-3.2.2-6]. */
    CHECK_STATUS(DEC3("\x20\x02\x01\x05"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC5("\x20\x03\x01\x87\x00"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC3("\x20\x02\x00\x05"), MQTLS_OK);
    CHECK_STATUS(DEC5("\x20\x03\x00\x87\x00"), MQTLS_OK);
}

static void connect_with_flags(mqtls_version_t v, uint8_t flags)
{
    gb_begin(&b, 0x10);
    gb_str(&b, "MQTT");
    gb_u8(&b, (uint8_t)v);
    gb_u8(&b, flags);
    gb_u16(&b, 60);
    if (v == MQTLS_V5)
        gb_props_none(&b);
    gb_str(&b, "c");
    if (flags & 0x04) {
        if (v == MQTLS_V5)
            gb_props_none(&b);
        gb_str(&b, "w");
        gb_str(&b, "m");
    }
    if (flags & 0x80)
        gb_str(&b, "u");
    if (flags & 0x40)
        gb_str(&b, "p");
}

TEST(connect_reserved_flag_bit)
{
    /* [MQTT-3.1.2-3]: bit 0 of the connect flags is reserved and must be 0. */
    connect_with_flags(MQTLS_V311, 0x02);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_OK);
    connect_with_flags(MQTLS_V311, 0x03);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_FLAGS);
    connect_with_flags(MQTLS_V5, 0x01);
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_ERR_MALFORMED_FLAGS);
}

TEST(connect_will_flags)
{
    connect_with_flags(MQTLS_V311, 0x2e); /* will, QoS 1, retain: fine */
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_OK);
    connect_with_flags(MQTLS_V311, 0x1e); /* will QoS 3 */
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_QOS);
    connect_with_flags(MQTLS_V5, 0x1e);
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_ERR_MALFORMED_QOS);
    /* [MQTT-3.1.2-13], [MQTT-3.1.2-15]: no will, then will QoS and retain must be 0. */
    connect_with_flags(MQTLS_V311, 0x0a);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_FLAGS);
    connect_with_flags(MQTLS_V5, 0x22);
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_ERR_MALFORMED_FLAGS);
}

TEST(connect_password_without_user_name)
{
    /* 3.1.1 [MQTT-3.1.2-22]; allowed in 5.0. */
    connect_with_flags(MQTLS_V311, 0x42);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_FLAGS);
    connect_with_flags(MQTLS_V5, 0x42);
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_OK);
    connect_with_flags(MQTLS_V311, 0xc2);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_OK);
}

/* ===================================================================================== */
/* PUBLISH flags and packet identifiers                                                    */
/* ===================================================================================== */

TEST(publish_qos_3)
{
    CHECK_STATUS(DEC3("\x36\x05\x00\x01" "t" "\x00\x01"), MQTLS_ERR_MALFORMED_QOS);
    CHECK_STATUS(DEC5("\x36\x06\x00\x01" "t" "\x00\x01\x00"), MQTLS_ERR_MALFORMED_QOS);
    CHECK_STATUS(DEC3("\x3f\x05\x00\x01" "t" "\x00\x01"), MQTLS_ERR_MALFORMED_QOS);
    CHECK_STATUS(DEC3("\x34\x05\x00\x01" "t" "\x00\x01"), MQTLS_OK);
}

TEST(publish_dup_with_qos_0)
{
    /* [MQTT-3.3.1-2] */
    CHECK_STATUS(DEC3("\x38\x03\x00\x01" "t"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC5("\x39\x04\x00\x01" "t" "\x00"), MQTLS_ERR_MALFORMED_FLAGS);
    CHECK_STATUS(DEC3("\x3a\x05\x00\x01" "t" "\x00\x01"), MQTLS_OK);
}

TEST(packet_id_zero)
{
    CHECK_STATUS(DEC3("\x32\x05\x00\x01" "t" "\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC5("\x34\x06\x00\x01" "t" "\x00\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC3("\x40\x02\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC5("\x50\x02\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC3("\x62\x02\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC5("\x70\x03\x00\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC3("\x82\x06\x00\x00\x00\x01" "a" "\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC5("\x82\x07\x00\x00\x00\x00\x01" "a" "\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC3("\xa2\x05\x00\x00\x00\x01" "a"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC3("\x90\x03\x00\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    CHECK_STATUS(DEC3("\xb0\x02\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_ID);
    /* A QoS 0 PUBLISH has no packet identifier: the same bytes are topic + payload. */
    CHECK_STATUS(DEC3("\x30\x05\x00\x01" "t" "\x00\x00"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.publish.payload_len, 2);
}

/* ===================================================================================== */
/* UTF-8 strings                                                                           */
/* ===================================================================================== */

static const struct {
    const char *name;
    const char *bytes;
    size_t len;
} bad_utf8[] = {
    {"overlong NUL", "\xc0\x80", 2},
    {"overlong 2-byte C1", "\xc1\xbf", 2},
    {"overlong 3-byte", "\xe0\x80\xaf", 3},
    {"overlong 4-byte", "\xf0\x80\x80\xaf", 4},
    {"surrogate D800", "\xed\xa0\x80", 3},
    {"surrogate DFFF", "\xed\xbf\xbf", 3},
    {"truncated 2-byte", "a\xc3", 2},
    {"truncated 3-byte", "\xe2\x82", 2},
    {"truncated 4-byte", "\xf0\x9f\x98", 3},
    {"above U+10FFFF", "\xf4\x90\x80\x80", 4},
    {"lead F5", "\xf5\x80\x80\x80", 4},
    {"lead F8", "\xf8\x88\x80\x80\x80", 5},
    {"byte FE", "\xfe", 1},
    {"byte FF", "\xff", 1},
    {"lone continuation", "a\x80" "b", 3},
    {"bad continuation", "\xc3\x28", 2},
};
#define N_BAD_UTF8 (sizeof bad_utf8 / sizeof bad_utf8[0])

/* Builds a packet of kind @p where that carries string @p s (len @p n) in the field tested. */
static void packet_with_string(int where, const void *s, size_t n)
{
    switch (where) {
    case 0: /* PUBLISH topic */
        gb_begin(&b, 0x30);
        gb_strn(&b, s, n);
        break;
    case 1: /* CONNECT client id */
        gb_begin(&b, 0x10);
        gb_str(&b, "MQTT");
        gb_u8(&b, 4);
        gb_u8(&b, 2);
        gb_u16(&b, 0);
        gb_strn(&b, s, n);
        break;
    case 2: /* CONNECT user name */
        gb_begin(&b, 0x10);
        gb_str(&b, "MQTT");
        gb_u8(&b, 4);
        gb_u8(&b, 0x82);
        gb_u16(&b, 0);
        gb_str(&b, "c");
        gb_strn(&b, s, n);
        break;
    case 3: /* CONNECT will topic */
        gb_begin(&b, 0x10);
        gb_str(&b, "MQTT");
        gb_u8(&b, 4);
        gb_u8(&b, 0x06);
        gb_u16(&b, 0);
        gb_str(&b, "c");
        gb_strn(&b, s, n);
        gb_str(&b, "m");
        break;
    case 4: /* SUBSCRIBE filter */
        gb_begin(&b, 0x82);
        gb_u16(&b, 1);
        gb_strn(&b, s, n);
        gb_u8(&b, 0);
        break;
    case 5: /* UNSUBSCRIBE filter */
        gb_begin(&b, 0xa2);
        gb_u16(&b, 1);
        gb_strn(&b, s, n);
        break;
    }
}
#define N_STRING_PLACES 6

/* The same string fields in 5.0, plus strings inside properties. */
static void packet_with_string5(int where, const void *s, size_t n)
{
    switch (where) {
    case 0: /* content type */
    case 1: /* reason string (PUBACK) */
    case 2: /* user property name */
    case 3: /* user property value */
        if (where == 1) {
            gb_begin(&b, 0x40);
            gb_u16(&b, 1);
            gb_u8(&b, 0);
        } else {
            gb_begin(&b, 0x30);
            gb_str(&b, "t");
        }
        gb_props_begin(&b);
        gb_u8(&b, where == 0 ? MQTLS_PROP_CONTENT_TYPE
                  : where == 1 ? MQTLS_PROP_REASON_STRING
                               : MQTLS_PROP_USER_PROPERTY);
        if (where == 3)
            gb_str(&b, "k");
        gb_strn(&b, s, n);
        if (where == 2)
            gb_str(&b, "v");
        gb_props_end(&b);
        break;
    case 4: /* 5.0 client id */
        gb_begin(&b, 0x10);
        gb_str(&b, "MQTT");
        gb_u8(&b, 5);
        gb_u8(&b, 2);
        gb_u16(&b, 0);
        gb_props_none(&b);
        gb_strn(&b, s, n);
        break;
    }
}
#define N_STRING_PLACES5 5

TEST(invalid_utf8_everywhere)
{
    for (int w = 0; w < N_STRING_PLACES; w++) {
        packet_with_string(w, "ok", 2);
        if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_OK))
            test_note("control, place %d", w);
        for (size_t i = 0; i < N_BAD_UTF8; i++) {
            packet_with_string(w, bad_utf8[i].bytes, bad_utf8[i].len);
            if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_UTF8))
                test_note("%s, place %d", bad_utf8[i].name, w);
        }
    }
    for (int w = 0; w < N_STRING_PLACES5; w++) {
        packet_with_string5(w, "ok", 2);
        if (!CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_OK))
            test_note("control, 5.0 place %d", w);
        for (size_t i = 0; i < N_BAD_UTF8; i++) {
            packet_with_string5(w, bad_utf8[i].bytes, bad_utf8[i].len);
            if (!CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_ERR_MALFORMED_UTF8))
                test_note("%s, 5.0 place %d", bad_utf8[i].name, w);
        }
    }
}

TEST(utf8_nul_everywhere)
{
    for (int w = 0; w < N_STRING_PLACES; w++) {
        packet_with_string(w, "a\0b", 3);
        if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_UTF8_NUL))
            test_note("place %d", w);
    }
    for (int w = 0; w < N_STRING_PLACES5; w++) {
        packet_with_string5(w, "\0", 1);
        if (!CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_ERR_MALFORMED_UTF8_NUL))
            test_note("5.0 place %d", w);
    }
}

TEST(valid_multibyte_strings)
{
    /* U+00E9, U+20AC, U+1F600, U+10FFFF, U+FEFF (a BOM is kept, not skipped). */
    static const char s[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbb\xbf";
    for (int w = 0; w < N_STRING_PLACES; w++) {
        packet_with_string(w, s, sizeof s - 1);
        if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_OK))
            test_note("place %d", w);
    }
}

/* ===================================================================================== */
/* Topic names and filters                                                                 */
/* ===================================================================================== */

TEST(publish_topic_wildcards)
{
    static const char *const bad[] = {"a/+", "#", "a/#", "+", "a+b", "sport/tennis#"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        packet_with_string(0, bad[i], strlen(bad[i]));
        if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_TOPIC))
            test_note("topic %s", bad[i]);
        packet_with_string(3, bad[i], strlen(bad[i])); /* will topic */
        if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_TOPIC))
            test_note("will topic %s", bad[i]);
    }
    /* Response Topic is a topic name too [MQTT-3.3.2-14]. */
    gb_begin(&b, 0x30);
    gb_str(&b, "t");
    gb_props_begin(&b);
    gb_u8(&b, MQTLS_PROP_RESPONSE_TOPIC);
    gb_str(&b, "r/#");
    gb_props_end(&b);
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_ERR_MALFORMED_TOPIC);
}

TEST(empty_topic_needs_an_alias)
{
    CHECK_STATUS(DEC3("\x30\x03\x00\x00" "x"), MQTLS_ERR_MALFORMED_TOPIC);
    CHECK_STATUS(DEC5("\x30\x04\x00\x00\x00" "x"), MQTLS_ERR_MALFORMED_TOPIC);
    /* With a Topic Alias it is how 5.0 sends an aliased message. */
    CHECK_STATUS(DEC5("\x30\x07\x00\x00\x03\x23\x00\x01" "x"), MQTLS_OK);
    /* A will topic may never be empty. */
    packet_with_string(3, "", 0);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_TOPIC);
}

TEST(malformed_filters)
{
    static const char *const bad[] = {"a/#/b", "a+", "#a", "$share//x", "$share/g",
                                      "a/b#",  "+a", "a/+b", "$share/g/", "$share/+/x",
                                      "$share/#/x", ""};
    static const char *const good[] = {"a/#", "+", "#", "+/+", "/+", "$share/g/x",
                                       "$share/g/#", "$SYS/#", "a//b", "/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int w = 4; w <= 5; w++) {
            packet_with_string(w, bad[i], strlen(bad[i]));
            if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_MALFORMED_FILTER))
                test_note("filter \"%s\" in %s", bad[i], w == 4 ? "SUBSCRIBE" : "UNSUBSCRIBE");
        }
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        packet_with_string(4, good[i], strlen(good[i]));
        if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_OK))
            test_note("filter \"%s\"", good[i]);
    }
}

/* ===================================================================================== */
/* Properties                                                                              */
/* ===================================================================================== */

/* A 5.0 PUBLISH "t" whose property block is @p props. */
static mqtls_status_t publish5_props(const uint8_t *props, size_t n)
{
    gb_begin(&b, 0x30);
    gb_str(&b, "t");
    gb_props_begin(&b);
    gb_raw(&b, props, n);
    gb_props_end(&b);
    return dec_b(MQTLS_V5);
}
#define PUB5(s) publish5_props(LIT(s))

/* A 5.0 CONNACK whose property block is @p props. */
static mqtls_status_t connack5_props(const uint8_t *props, size_t n)
{
    gb_begin(&b, 0x20);
    gb_u16(&b, 0);
    gb_props_begin(&b);
    gb_raw(&b, props, n);
    gb_props_end(&b);
    return dec_b(MQTLS_V5);
}
#define CONNACK5(s) connack5_props(LIT(s))

/* A 5.0 CONNECT whose property block is @p props. */
static mqtls_status_t connect5_props(const uint8_t *props, size_t n)
{
    gb_begin(&b, 0x10);
    gb_str(&b, "MQTT");
    gb_u8(&b, 5);
    gb_u8(&b, 2);
    gb_u16(&b, 0);
    gb_props_begin(&b);
    gb_raw(&b, props, n);
    gb_props_end(&b);
    gb_str(&b, "c");
    return dec_b(MQTLS_V5);
}
#define CONNECT5(s) connect5_props(LIT(s))

TEST(duplicate_property)
{
    CHECK_STATUS(PUB5("\x02\x00\x00\x00\x01"), MQTLS_OK);
    CHECK_STATUS(PUB5("\x02\x00\x00\x00\x01\x02\x00\x00\x00\x01"),
                 MQTLS_ERR_DUPLICATE_PROPERTY);
    CHECK_STATUS(PUB5("\x03\x00\x01" "a" "\x01\x01\x03\x00\x01" "b"),
                 MQTLS_ERR_DUPLICATE_PROPERTY);
    CHECK_STATUS(CONNACK5("\x21\x00\x05\x22\x00\x01\x21\x00\x05"), MQTLS_ERR_DUPLICATE_PROPERTY);
    CHECK_STATUS(CONNECT5("\x11\x00\x00\x00\x01\x11\x00\x00\x00\x01"),
                 MQTLS_ERR_DUPLICATE_PROPERTY);
}

TEST(subscription_ids_repeat_only_in_publish)
{
    /* [MQTT-3.3.4-3]: a PUBLISH may carry several; SUBSCRIBE only one (3.8.2.1.2). */
    CHECK_STATUS(PUB5("\x0b\x01\x0b\x02\x0b\x7f"), MQTLS_OK);
    gb_begin(&b, 0x82);
    gb_u16(&b, 1);
    gb_props_begin(&b);
    gb_raw(&b, LIT("\x0b\x01\x0b\x02"));
    gb_props_end(&b);
    gb_str(&b, "a");
    gb_u8(&b, 0);
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_ERR_DUPLICATE_PROPERTY);
}

TEST(user_property_may_repeat)
{
    uint32_t pos = 0;
    mqtls_user_prop_t u;
    REQUIRE_STATUS(PUB5("\x26\x00\x01" "a" "\x00\x01" "1" "\x26\x00\x01" "a" "\x00\x01" "2"
                        "\x26\x00\x01" "a" "\x00\x01" "1"),
                   MQTLS_OK);
    CHECK_EQ_INT(pkt.u.publish.props.user_count, 3);
    REQUIRE(mqtls_props_next_user(&pkt.u.publish.props, &pos, &u));
    CHECK_EQ_MEM(u.value.data, "1", 1);
    REQUIRE(mqtls_props_next_user(&pkt.u.publish.props, &pos, &u));
    CHECK_EQ_MEM(u.value.data, "2", 1);
    REQUIRE(mqtls_props_next_user(&pkt.u.publish.props, &pos, &u));
    CHECK_EQ_MEM(u.value.data, "1", 1);
    CHECK(!mqtls_props_next_user(&pkt.u.publish.props, &pos, &u));
}

TEST(property_not_allowed_in_packet)
{
    CHECK_STATUS(CONNECT5("\x23\x00\x01"), MQTLS_ERR_PROPERTY_NOT_ALLOWED); /* topic alias */
    CHECK_STATUS(PUB5("\x18\x00\x00\x00\x01"), MQTLS_ERR_PROPERTY_NOT_ALLOWED); /* will delay */
    CHECK_STATUS(CONNACK5("\x23\x00\x01"), MQTLS_ERR_PROPERTY_NOT_ALLOWED);
    CHECK_STATUS(PUB5("\x11\x00\x00\x00\x01"), MQTLS_ERR_PROPERTY_NOT_ALLOWED);
    CHECK_STATUS(CONNECT5("\x12\x00\x01" "c"), MQTLS_ERR_PROPERTY_NOT_ALLOWED);
    /* Will properties are their own context: will delay yes, session expiry no. */
    gb_begin(&b, 0x10);
    gb_str(&b, "MQTT");
    gb_u8(&b, 5);
    gb_u8(&b, 0x06);
    gb_u16(&b, 0);
    gb_props_none(&b);
    gb_str(&b, "c");
    gb_props_begin(&b);
    gb_raw(&b, LIT("\x18\x00\x00\x00\x05"));
    gb_props_end(&b);
    gb_str(&b, "w");
    gb_str(&b, "m");
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.connect.will_props.will_delay, 5);
    b.body[b.len - 11] = MQTLS_PROP_SESSION_EXPIRY; /* the will property's identifier */
    CHECK_STATUS(dec(gb_end(&b), b.out_len, MQTLS_V5), MQTLS_ERR_PROPERTY_NOT_ALLOWED);
}

TEST(malformed_property_values)
{
    CHECK_STATUS(PUB5("\x7f\x00"), MQTLS_ERR_MALFORMED_PROPERTY);  /* unknown id */
    CHECK_STATUS(PUB5("\x00\x00"), MQTLS_ERR_MALFORMED_PROPERTY);  /* id 0 */
    CHECK_STATUS(PUB5("\x04\x00"), MQTLS_ERR_MALFORMED_PROPERTY);  /* unassigned id 4 */
    CHECK_STATUS(PUB5("\x2b\x00"), MQTLS_ERR_MALFORMED_PROPERTY);  /* past the last id */
    CHECK_STATUS(CONNACK5("\x21\x00\x00"), MQTLS_ERR_MALFORMED_PROPERTY); /* receive max 0 */
    CHECK_STATUS(CONNECT5("\x21\x00\x00"), MQTLS_ERR_MALFORMED_PROPERTY);
    CHECK_STATUS(CONNACK5("\x24\x02"), MQTLS_ERR_MALFORMED_PROPERTY);     /* maximum QoS 2 */
    CHECK_STATUS(PUB5("\x01\x02"), MQTLS_ERR_MALFORMED_PROPERTY);         /* payload format */
    CHECK_STATUS(PUB5("\x0b\x00"), MQTLS_ERR_MALFORMED_PROPERTY);         /* sub id 0 */
    CHECK_STATUS(CONNACK5("\x27\x00\x00\x00\x00"), MQTLS_ERR_MALFORMED_PROPERTY); /* max size 0 */
    CHECK_STATUS(CONNECT5("\x17\x02"), MQTLS_ERR_MALFORMED_PROPERTY);
    CHECK_STATUS(CONNECT5("\x19\x02"), MQTLS_ERR_MALFORMED_PROPERTY);
    CHECK_STATUS(CONNACK5("\x25\x02"), MQTLS_ERR_MALFORMED_PROPERTY);
    CHECK_STATUS(CONNACK5("\x28\x02"), MQTLS_ERR_MALFORMED_PROPERTY);
    CHECK_STATUS(CONNACK5("\x29\x02"), MQTLS_ERR_MALFORMED_PROPERTY);
    CHECK_STATUS(CONNACK5("\x2a\xff"), MQTLS_ERR_MALFORMED_PROPERTY);
    /* Controls: the smallest legal values. */
    CHECK_STATUS(CONNACK5("\x21\x00\x01\x24\x00\x27\x00\x00\x00\x01"), MQTLS_OK);
    CHECK_STATUS(PUB5("\x01\x00\x0b\x01\x23\x00\x01"), MQTLS_OK);
}

/* Topic Alias 0 is a protocol error [MQTT-3.3.2-8] that the session answers with DISCONNECT
 * 0x94, so the decoder passes it on instead of calling the packet malformed. */
TEST(topic_alias_0_is_left_to_the_session)
{
    REQUIRE_STATUS(PUB5("\x23\x00\x00"), MQTLS_OK);
    CHECK(pkt.u.publish.props.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS));
    CHECK_EQ_INT(pkt.u.publish.props.topic_alias, 0);
    /* Even as the only way to name the topic. */
    REQUIRE_STATUS(DEC5("\x30\x07\x00\x00\x03\x23\x00\x00" "x"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.publish.topic.len, 0);
}

TEST(property_lengths)
{
    /* The property length runs past the packet. */
    CHECK_STATUS(DEC5("\x20\x03\x00\x00\x05"), MQTLS_ERR_MALFORMED_LENGTH);
    /* A value runs past the property block (but not past the packet). */
    CHECK_STATUS(DEC5("\x30\x09\x00\x01" "t" "\x02\x02\x00\x00\x00\x00"),
                 MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(PUB5("\x03\x00\x05" "ab"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(PUB5("\x26\x00\x01" "a"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(PUB5("\x0b\x80"), MQTLS_ERR_MALFORMED_LENGTH);
    /* No property length at all where one is required. */
    CHECK_STATUS(DEC5("\x20\x02\x00\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC5("\x90\x04\x00\x01\x00\x00"), MQTLS_OK); /* control: empty props, code 0 */
}

/* ===================================================================================== */
/* CONNECT protocol name and level                                                         */
/* ===================================================================================== */

static void connect_named(const char *name, uint8_t level)
{
    gb_begin(&b, 0x10);
    gb_str(&b, name);
    gb_u8(&b, level);
    gb_u8(&b, 2);
    gb_u16(&b, 0);
    if (level == 5)
        gb_props_none(&b);
    gb_str(&b, "c");
}

TEST(protocol_name)
{
    connect_named("MQIsdp", 3); /* MQTT 3.1: only with MQTLS_CFG_MQTT31 */
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_CFG_MQTT31 ? MQTLS_OK : MQTLS_ERR_PROTOCOL_NAME);
    connect_named("MQIsdp", 4);
    CHECK_STATUS(dec_b(MQTLS_V311),
                 MQTLS_CFG_MQTT31 ? MQTLS_ERR_PROTOCOL_LEVEL : MQTLS_ERR_PROTOCOL_NAME);
    connect_named("MQTX", 4);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_PROTOCOL_NAME);
    connect_named("mqtt", 4);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_PROTOCOL_NAME);
    connect_named("MQTTT", 4);
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_ERR_PROTOCOL_NAME);
    connect_named("MQTT", 4);
    CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_OK);
}

TEST(protocol_level)
{
    static const uint8_t bad[] = {0, 3, 6, 7, 0x84};
    for (size_t i = 0; i < sizeof bad; i++) {
        connect_named("MQTT", bad[i]);
        if (!CHECK_STATUS(dec_b(MQTLS_V311), MQTLS_ERR_PROTOCOL_LEVEL))
            test_note("level %u", bad[i]);
    }
    connect_named("MQTT", 5);
    CHECK_STATUS(dec_b(MQTLS_V5), MQTLS_OK);
}

#if MQTLS_CFG_MQTT31
/* MQTT 3.1: CONNECT says "MQIsdp" at level 3; CONNACK's first byte is reserved (no session
 * present flag), and SUBACK has no failure code 0x80. */
TEST(mqtt31_packets)
{
    connect_named("MQIsdp", 3);
    if (CHECK_STATUS(dec_b(MQTLS_V31), MQTLS_OK))
        CHECK_EQ_INT(pkt.u.connect.version, MQTLS_V31);
    CHECK_STATUS(DEC3("\x20\x02\x01\x00"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.connack.session_present, 1);
    CHECK_STATUS(dec(LIT("\x20\x02\x01\x00"), MQTLS_V31), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.connack.session_present, 0);
    CHECK_STATUS(dec(LIT("\x20\x02\x00\x06"), MQTLS_V31), MQTLS_ERR_MALFORMED_REASON_CODE);
    CHECK_STATUS(DEC3("\x90\x04\x00\x01\x02\x80"), MQTLS_OK);
    /* 0x80 came with 3.1.1, but brokers send it to refused 3.1 filters as well. */
    CHECK_STATUS(dec(LIT("\x90\x04\x00\x01\x02\x80"), MQTLS_V31), MQTLS_OK);
    CHECK_STATUS(dec(LIT("\x90\x04\x00\x01\x02\x01"), MQTLS_V31), MQTLS_OK);
}
#endif

/* ===================================================================================== */
/* Packet types                                                                            */
/* ===================================================================================== */

TEST(reserved_packet_type_0)
{
    CHECK_STATUS(DEC3("\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_TYPE);
    CHECK_STATUS(DEC5("\x00\x00"), MQTLS_ERR_MALFORMED_PACKET_TYPE);
    CHECK_STATUS(DEC5("\x02\x01\x00"), MQTLS_ERR_MALFORMED_PACKET_TYPE);
}

TEST(auth_only_in_5)
{
    CHECK_STATUS(DEC3("\xf0\x00"), MQTLS_ERR_MALFORMED_PACKET_TYPE);
    CHECK_STATUS(dec_g("h5_auth_continue", MQTLS_V311),
                 MQTLS_ERR_MALFORMED_PACKET_TYPE);
    CHECK_STATUS(DEC5("\xf0\x00"), MQTLS_OK);
    CHECK_STATUS(DEC5("\xf1\x00"), MQTLS_ERR_MALFORMED_FLAGS);
}

/* ===================================================================================== */
/* SUBSCRIBE / UNSUBSCRIBE payloads                                                        */
/* ===================================================================================== */

static mqtls_status_t subscribe_opts(mqtls_version_t v, const char *filter, uint8_t opts)
{
    gb_begin(&b, 0x82);
    gb_u16(&b, 1);
    if (v == MQTLS_V5)
        gb_props_none(&b);
    gb_str(&b, filter);
    gb_u8(&b, opts);
    return dec_b(v);
}

TEST(subscribe_without_filters)
{
    /* [MQTT-3.8.3-3], [MQTT-3.10.3-2] */
    CHECK_STATUS(DEC3("\x82\x02\x00\x01"), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(DEC5("\x82\x03\x00\x01\x00"), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(DEC3("\xa2\x02\x00\x01"), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(DEC5("\xa2\x03\x00\x01\x00"), MQTLS_ERR_MALFORMED_PAYLOAD);
}

TEST(subscription_options)
{
    CHECK_STATUS(subscribe_opts(MQTLS_V311, "a", 0x02), MQTLS_OK);
    CHECK_STATUS(subscribe_opts(MQTLS_V311, "a", 0x04), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(subscribe_opts(MQTLS_V311, "a", 0x80), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(subscribe_opts(MQTLS_V311, "a", 0x03), MQTLS_ERR_MALFORMED_QOS);
    CHECK_STATUS(subscribe_opts(MQTLS_V5, "a", 0x2e), MQTLS_OK);
    CHECK_STATUS(subscribe_opts(MQTLS_V5, "a", 0x40), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(subscribe_opts(MQTLS_V5, "a", 0x80), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(subscribe_opts(MQTLS_V5, "a", 0x30), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(subscribe_opts(MQTLS_V5, "a", 0x03), MQTLS_ERR_MALFORMED_QOS);
    /* No Local on a shared subscription [MQTT-3.8.3-4]. */
    CHECK_STATUS(subscribe_opts(MQTLS_V5, "$share/g/a", 0x04), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(subscribe_opts(MQTLS_V5, "$share/g/a", 0x01), MQTLS_OK);
    CHECK_STATUS(subscribe_opts(MQTLS_V5, "$sharex/a", 0x04), MQTLS_OK);
}

TEST(subscribe_entry_missing_options_byte)
{
    CHECK_STATUS(DEC3("\x82\x05\x00\x01\x00\x01" "a"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x82\x09\x00\x01\x00\x01" "a" "\x00\x00\x01" "b"),
                 MQTLS_ERR_MALFORMED_LENGTH);
}

/* ===================================================================================== */
/* Reason codes                                                                            */
/* ===================================================================================== */

TEST(reason_codes_not_allowed)
{
    CHECK_STATUS(DEC5("\x40\x03\x00\x01\x01"), MQTLS_ERR_MALFORMED_REASON_CODE); /* PUBACK */
    CHECK_STATUS(DEC5("\x50\x03\x00\x01\x92"), MQTLS_ERR_MALFORMED_REASON_CODE); /* PUBREC */
    CHECK_STATUS(DEC5("\x62\x03\x00\x01\x10"), MQTLS_ERR_MALFORMED_REASON_CODE); /* PUBREL */
    CHECK_STATUS(DEC5("\x70\x03\x00\x01\x80"), MQTLS_ERR_MALFORMED_REASON_CODE); /* PUBCOMP */
    CHECK_STATUS(DEC3("\x20\x02\x00\x06"), MQTLS_ERR_MALFORMED_REASON_CODE);     /* CONNACK */
    CHECK_STATUS(DEC3("\x20\x02\x00\x80"), MQTLS_ERR_MALFORMED_REASON_CODE);
    CHECK_STATUS(DEC5("\x20\x03\x00\x01\x00"), MQTLS_ERR_MALFORMED_REASON_CODE);
    CHECK_STATUS(DEC5("\x20\x03\x00\x8b\x00"), MQTLS_ERR_MALFORMED_REASON_CODE);
    CHECK_STATUS(DEC3("\x90\x03\x00\x01\x03"), MQTLS_ERR_MALFORMED_REASON_CODE); /* SUBACK */
    CHECK_STATUS(DEC3("\x90\x04\x00\x01\x00\x87"), MQTLS_ERR_MALFORMED_REASON_CODE);
    CHECK_STATUS(DEC5("\x90\x04\x00\x01\x00\x11"), MQTLS_ERR_MALFORMED_REASON_CODE);
    CHECK_STATUS(DEC5("\xb0\x04\x00\x01\x00\x01"), MQTLS_ERR_MALFORMED_REASON_CODE); /* UNSUBACK */
    CHECK_STATUS(DEC5("\xe0\x01\x01"), MQTLS_ERR_MALFORMED_REASON_CODE);  /* DISCONNECT */
    CHECK_STATUS(DEC5("\xe0\x01\x84"), MQTLS_ERR_MALFORMED_REASON_CODE);
    CHECK_STATUS(DEC5("\xf0\x01\x01"), MQTLS_ERR_MALFORMED_REASON_CODE);  /* AUTH */
    CHECK_STATUS(DEC5("\xf0\x01\x80"), MQTLS_ERR_MALFORMED_REASON_CODE);
}

/* MQTT 5.0 section 3.14.2.1 lists 0x8C "Bad authentication method" among the DISCONNECT
 * reason codes (a server sends it when the method changes on re-authentication, 4.12.1). */
TEST(disconnect_bad_authentication_method)
{
    CHECK_STATUS(DEC5("\xe0\x01\x8c"), MQTLS_OK);
    CHECK_EQ_INT(pkt.u.ack.reason, 0x8c);
}

/* mqtls_subscribe_t and mqtls_suback_t count entries in 16 bits: a packet with more is
 * refused, not truncated. */
TEST(more_than_65535_entries)
{
    static uint8_t big[5 + 2 + 65536u * 4u];
    size_t n, i;
    /* SUBSCRIBE with 65535 filters "a" (fine), then 65536. */
    for (int extra = 0; extra <= 1; extra++) {
        uint32_t count = 65535u + (uint32_t)extra, rl = 2u + count * 4u;
        uint8_t vbi[4];
        size_t vn = golden_vbi(rl, vbi);
        big[0] = 0x82;
        memcpy(big + 1, vbi, vn);
        n = 1 + vn;
        big[n++] = 0;
        big[n++] = 1;
        for (i = 0; i < count; i++) {
            memcpy(big + n, "\x00\x01" "a" "\x01", 4);
            n += 4;
        }
        if (!extra) {
            REQUIRE_STATUS(dec(big, n, MQTLS_V311), MQTLS_OK);
            CHECK_EQ_INT(pkt.u.subscribe.count, 65535);
        } else {
            CHECK_STATUS(dec(big, n, MQTLS_V311), MQTLS_ERR_MALFORMED_PAYLOAD);
        }
    }
    /* SUBACK with 65535 codes, then 65536. */
    for (int extra = 0; extra <= 1; extra++) {
        uint32_t count = 65535u + (uint32_t)extra, rl = 2u + count;
        uint8_t vbi[4];
        size_t vn = golden_vbi(rl, vbi);
        big[0] = 0x90;
        memcpy(big + 1, vbi, vn);
        n = 1 + vn;
        big[n++] = 0;
        big[n++] = 1;
        memset(big + n, 0x01, count);
        n += count;
        if (!extra) {
            REQUIRE_STATUS(dec(big, n, MQTLS_V311), MQTLS_OK);
            CHECK_EQ_INT(pkt.u.suback.count, 65535);
        } else {
            CHECK_STATUS(dec(big, n, MQTLS_V311), MQTLS_ERR_MALFORMED_PAYLOAD);
        }
    }
}

TEST(suback_without_codes)
{
    CHECK_STATUS(DEC3("\x90\x02\x00\x01"), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(DEC5("\x90\x03\x00\x01\x00"), MQTLS_ERR_MALFORMED_PAYLOAD);
    CHECK_STATUS(DEC5("\xb0\x03\x00\x01\x00"), MQTLS_ERR_MALFORMED_PAYLOAD);
}

/* ===================================================================================== */
/* Lengths                                                                                 */
/* ===================================================================================== */

TEST(string_runs_past_the_packet)
{
    CHECK_STATUS(DEC3("\x30\x03\x00\x0a" "t"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x30\x01\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x32\x04\x00\x01" "t" "\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x05" "c"),
                 MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x10\x0a\x00\x04MQTT\x04\x02\x00\x3c"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x40\x01\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x20\x01\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\xa2\x05\x00\x01\x00\x02" "a"), MQTLS_ERR_MALFORMED_LENGTH);
    /* The password of a CONNECT with the password flag is missing. */
    CHECK_STATUS(DEC3("\x10\x10\x00\x04MQTT\x04\xc2\x00\x3c\x00\x01" "c" "\x00\x01" "u"),
                 MQTLS_ERR_MALFORMED_LENGTH);
}

TEST(trailing_bytes)
{
    CHECK_STATUS(DEC3("\xc0\x01\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC5("\xd0\x01\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x20\x03\x00\x00\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC5("\x20\x04\x00\x00\x00\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x62\x03\x00\x01\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\xb0\x03\x00\x01\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC3("\x10\x0e\x00\x04MQTT\x04\x02\x00\x3c\x00\x01" "c" "x"),
                 MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_STATUS(DEC5("\x40\x05\x00\x01\x10\x00\x00"), MQTLS_ERR_MALFORMED_LENGTH);
    /* A PUBLISH has no trailing bytes: everything after the header is payload. */
    CHECK_STATUS(DEC3("\x30\x05\x00\x01" "t" "xy"), MQTLS_OK);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    golden_load(GOLDEN_DEFAULT_DIR);
    RUN(golden_vectors_decode_to_their_fields);
    RUN(golden_prefixes_need_more);
    RUN(golden_decode_from_a_stream);
    RUN(golden_decode_then_encode_round_trips);
    RUN(spec_connect_example_fields);
    RUN(captured_v5_publish_fields);
    RUN(two_subscription_ids_are_both_reported);
    RUN(subscribe_entries_iterate_in_order);
    RUN(connect_follows_its_own_level);
    RUN(ack_short_forms);
    RUN(remaining_length_spec_examples);
    RUN(remaining_length_of_five_bytes);
    RUN(remaining_length_not_minimal);
    RUN(property_length_not_minimal);
    RUN(bad_arguments);
    RUN(reserved_fixed_header_flags_every_type);
    RUN(pubrel_subscribe_unsubscribe_need_flags_0010);
    RUN(connack_flags_byte_reserved_bits);
    RUN(connack_session_present_with_error_code);
#if MQTLS_CFG_MQTT31
    RUN(mqtt31_packets);
#endif
    RUN(connect_reserved_flag_bit);
    RUN(connect_will_flags);
    RUN(connect_password_without_user_name);
    RUN(publish_qos_3);
    RUN(publish_dup_with_qos_0);
    RUN(packet_id_zero);
    RUN(invalid_utf8_everywhere);
    RUN(utf8_nul_everywhere);
    RUN(valid_multibyte_strings);
    RUN(publish_topic_wildcards);
    RUN(empty_topic_needs_an_alias);
    RUN(malformed_filters);
    RUN(duplicate_property);
    RUN(subscription_ids_repeat_only_in_publish);
    RUN(user_property_may_repeat);
    RUN(property_not_allowed_in_packet);
    RUN(malformed_property_values);
    RUN(topic_alias_0_is_left_to_the_session);
    RUN(property_lengths);
    RUN(protocol_name);
    RUN(protocol_level);
    RUN(reserved_packet_type_0);
    RUN(auth_only_in_5);
    RUN(subscribe_without_filters);
    RUN(subscription_options);
    RUN(subscribe_entry_missing_options_byte);
    RUN(reason_codes_not_allowed);
    RUN(disconnect_bad_authentication_method);
    RUN(more_than_65535_entries);
    RUN(suback_without_codes);
    RUN(string_runs_past_the_packet);
    RUN(trailing_bytes);
    return test_main_end();
}
