/**
 * @file test_properties.c
 * @brief MQTT 5.0 properties: each of the 27 identifiers round-trips with its exact wire
 *        form, the packets each may appear in (MQTT 5.0 section 2.2.2.2, Table 2-4) are
 *        enforced both ways, values out of range and repeats are caught, and the user
 *        property / subscription identifier iterators return every value in order.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "golden.h"
#include "golden_packet.h"
#include "mqtls/codec.h"
#include "packet_writer.h"
#include "prop_ctx.h"
#include "test.h"

/* One row of Table 2-4, with a valid value and its encoding after the identifier. */
typedef struct prop_case {
    uint8_t id;
    const char *name;
    unsigned allowed; /* B(ctx) bits, written from the specification */
    const char *wire; /* the value's bytes */
    size_t wire_len;
} prop_case_t;

#define W(s) s, sizeof(s) - 1u

static const prop_case_t cases[] = {
    {0x01, "Payload Format Indicator", B(C_PUBLISH) | B(C_WILL), W("\x01")},
    {0x02, "Message Expiry Interval", B(C_PUBLISH) | B(C_WILL), W("\x01\x02\x03\x04")},
    {0x03, "Content Type", B(C_PUBLISH) | B(C_WILL), W("\x00\x06" "text/x")},
    {0x08, "Response Topic", B(C_PUBLISH) | B(C_WILL), W("\x00\x03" "r/t")},
    {0x09, "Correlation Data", B(C_PUBLISH) | B(C_WILL), W("\x00\x03\x00\xff\x10")},
    {0x0B, "Subscription Identifier", B(C_PUBLISH) | B(C_SUBSCRIBE), W("\xac\x02")},
    {0x11, "Session Expiry Interval", B(C_CONNECT) | B(C_CONNACK) | B(C_DISCONNECT),
     W("\xff\xff\xff\xff")},
    {0x12, "Assigned Client Identifier", B(C_CONNACK), W("\x00\x04" "id-1")},
    {0x13, "Server Keep Alive", B(C_CONNACK), W("\x01\x02")},
    {0x15, "Authentication Method", B(C_CONNECT) | B(C_CONNACK) | B(C_AUTH),
     W("\x00\x05" "SCRAM")},
    {0x16, "Authentication Data", B(C_CONNECT) | B(C_CONNACK) | B(C_AUTH),
     W("\x00\x03\x01\x02\x03")},
    {0x17, "Request Problem Information", B(C_CONNECT), W("\x00")},
    {0x18, "Will Delay Interval", B(C_WILL), W("\x00\x01\x51\x80")},
    {0x19, "Request Response Information", B(C_CONNECT), W("\x01")},
    {0x1A, "Response Information", B(C_CONNACK), W("\x00\x04" "resp")},
    {0x1C, "Server Reference", B(C_CONNACK) | B(C_DISCONNECT), W("\x00\x0a" "other:1883")},
    {0x1F, "Reason String",
     B(C_CONNACK) | B(C_PUBACK) | B(C_PUBREC) | B(C_PUBREL) | B(C_PUBCOMP) | B(C_SUBACK) |
         B(C_UNSUBACK) | B(C_DISCONNECT) | B(C_AUTH),
     W("\x00\x03" "why")},
    {0x21, "Receive Maximum", B(C_CONNECT) | B(C_CONNACK), W("\xff\xff")},
    {0x22, "Topic Alias Maximum", B(C_CONNECT) | B(C_CONNACK), W("\x00\x00")},
    {0x23, "Topic Alias", B(C_PUBLISH), W("\x12\x34")},
    {0x24, "Maximum QoS", B(C_CONNACK), W("\x00")},
    {0x25, "Retain Available", B(C_CONNACK), W("\x01")},
    {0x26, "User Property",
     B(C_CONNECT) | B(C_CONNACK) | B(C_PUBLISH) | B(C_WILL) | B(C_PUBACK) | B(C_PUBREC) |
         B(C_PUBREL) | B(C_PUBCOMP) | B(C_SUBSCRIBE) | B(C_SUBACK) | B(C_UNSUBSCRIBE) |
         B(C_UNSUBACK) | B(C_DISCONNECT) | B(C_AUTH),
     W("\x00\x03" "key" "\x00\x03" "val")},
    {0x27, "Maximum Packet Size", B(C_CONNECT) | B(C_CONNACK), W("\x00\x00\x00\x01")},
    {0x28, "Wildcard Subscription Available", B(C_CONNACK), W("\x01")},
    {0x29, "Subscription Identifier Available", B(C_CONNACK), W("\x00")},
    {0x2A, "Shared Subscription Available", B(C_CONNACK), W("\x01")},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static const mqtls_user_prop_t user_kv[] = {{GSI("key"), GSI("val")}};

/* Sets the value of case @p id (the same value as its wire bytes) in @p pr. */
static void set_prop(mqtls_props_t *pr, uint8_t id)
{
    static const uint8_t corr[] = {0x00, 0xff, 0x10};
    static const uint8_t auth[] = {1, 2, 3};
    pr->present |= MQTLS_PROPBIT(id);
    switch (id) {
    case 0x01: pr->payload_format = 1; break;
    case 0x02: pr->message_expiry = 0x01020304u; break;
    case 0x03: pr->content_type = GS("text/x"); break;
    case 0x08: pr->response_topic = GS("r/t"); break;
    case 0x09: pr->correlation_data = (mqtls_bin_t){corr, 3}; break;
    case 0x0B: pr->subscription_id = 300; break;
    case 0x11: pr->session_expiry = 0xFFFFFFFFu; break;
    case 0x12: pr->assigned_client_id = GS("id-1"); break;
    case 0x13: pr->server_keep_alive = 0x0102; break;
    case 0x15: pr->auth_method = GS("SCRAM"); break;
    case 0x16: pr->auth_data = (mqtls_bin_t){auth, 3}; break;
    case 0x17: pr->request_problem_info = 0; break;
    case 0x18: pr->will_delay = 86400; break;
    case 0x19: pr->request_response_info = 1; break;
    case 0x1A: pr->response_info = GS("resp"); break;
    case 0x1C: pr->server_reference = GS("other:1883"); break;
    case 0x1F: pr->reason_string = GS("why"); break;
    case 0x21: pr->receive_maximum = 0xFFFF; break;
    case 0x22: pr->topic_alias_maximum = 0; break;
    case 0x23: pr->topic_alias = 0x1234; break;
    case 0x24: pr->maximum_qos = 0; break;
    case 0x25: pr->retain_available = 1; break;
    case 0x26:
        pr->present &= ~MQTLS_PROPBIT(id); /* user properties go through the array */
        pr->user = user_kv;
        pr->user_count = 1;
        break;
    case 0x27: pr->maximum_packet_size = 1; break;
    case 0x28: pr->wildcard_sub_available = 1; break;
    case 0x29: pr->sub_id_available = 0; break;
    case 0x2A: pr->shared_sub_available = 1; break;
    }
}

static gb_t b;

/* Builds, with the packet builder, the exact bytes the encoder makes for context @p c with
 * the property block @p props (n bytes, without its length). */
static void wire_packet(enum ctx c, const void *props, size_t n)
{
    static const uint8_t first[C_COUNT] = {0x10, 0x10, 0x20, 0x30, 0x40, 0x50, 0x62,
                                           0x70, 0x82, 0x90, 0xa2, 0xb0, 0xe0, 0xf0};
    gb_begin(&b, first[c]);
    switch (c) {
    case C_CONNECT:
    case C_WILL:
        gb_str(&b, "MQTT");
        gb_u8(&b, 5);
        gb_u8(&b, c == C_WILL ? 0x06 : 0x02);
        gb_u16(&b, 0);
        if (c == C_CONNECT) {
            gb_props_begin(&b);
            gb_raw(&b, props, n);
            gb_props_end(&b);
        } else {
            gb_props_none(&b);
        }
        gb_str(&b, "c");
        if (c == C_WILL) {
            gb_props_begin(&b);
            gb_raw(&b, props, n);
            gb_props_end(&b);
            gb_str(&b, "w");
            gb_str(&b, "m");
        }
        return;
    case C_CONNACK:
        gb_u16(&b, 0);
        break;
    case C_PUBLISH:
        gb_str(&b, "t");
        break;
    case C_PUBACK:
    case C_PUBREC:
    case C_PUBREL:
    case C_PUBCOMP:
        gb_u16(&b, 1);
        gb_u8(&b, 0);
        break;
    case C_SUBSCRIBE:
    case C_SUBACK:
    case C_UNSUBSCRIBE:
    case C_UNSUBACK:
        gb_u16(&b, 1);
        break;
    case C_DISCONNECT:
    case C_AUTH:
        gb_u8(&b, 0);
        break;
    case C_COUNT:
        break;
    }
    gb_props_begin(&b);
    gb_raw(&b, props, n);
    gb_props_end(&b);
    if (c == C_SUBSCRIBE) {
        gb_str(&b, "a");
        gb_u8(&b, 0);
    } else if (c == C_UNSUBSCRIBE) {
        gb_str(&b, "a");
    } else if (c == C_SUBACK || c == C_UNSUBACK) {
        gb_u8(&b, 0);
    }
}

static const mqtls_subscription_t sub_a[] = {{GSI("a"), 0}};
static const mqtls_str_t filter_a[] = {GSI("a")};
static const uint8_t code_0[] = {0};

/* The same packet as an mqtls_packet_t; returns the property block to fill. */
static mqtls_props_t *api_packet(mqtls_packet_t *p, enum ctx c)
{
    static const mqtls_packet_type_t type[C_COUNT] = {
        MQTLS_CONNECT,   MQTLS_CONNECT, MQTLS_CONNACK,    MQTLS_PUBLISH,  MQTLS_PUBACK,
        MQTLS_PUBREC,    MQTLS_PUBREL,  MQTLS_PUBCOMP,    MQTLS_SUBSCRIBE, MQTLS_SUBACK,
        MQTLS_UNSUBSCRIBE, MQTLS_UNSUBACK, MQTLS_DISCONNECT, MQTLS_AUTH};
    switch (c) {
    case C_CONNECT:
        golden_connect(p, MQTLS_V5, true, 0, GS("c"));
        return &p->u.connect.props;
    case C_WILL:
        golden_connect(p, MQTLS_V5, true, 0, GS("c"));
        golden_will(p, 0, false, GS("w"), GB("m"));
        return &p->u.connect.will_props;
    case C_CONNACK:
        golden_connack(p, false, 0);
        return &p->u.connack.props;
    case C_PUBLISH:
        golden_publish(p, 0, false, false, GS("t"), 0, "", 0);
        return &p->u.publish.props;
    case C_SUBSCRIBE:
        golden_subscribe(p, 1, sub_a, 1);
        return &p->u.subscribe.props;
    case C_UNSUBSCRIBE:
        golden_unsubscribe(p, 1, filter_a, 1);
        return &p->u.subscribe.props;
    case C_SUBACK:
    case C_UNSUBACK:
        golden_suback(p, type[c], 1, code_0, 1);
        return &p->u.suback.props;
    default:
        golden_ack(p, type[c], (c >= C_PUBACK && c <= C_PUBCOMP) ? 1 : 0, 0);
        return &p->u.ack.props;
    }
}

static enum ctx first_allowed(const prop_case_t *pc)
{
    for (int c = 0; c < C_COUNT; c++)
        if (pc->allowed & B(c))
            return (enum ctx)c;
    return C_COUNT;
}

/* ===================================================================================== */

TEST(every_property_round_trips)
{
    char why[160];
    CHECK_EQ_INT(N_CASES, 27); /* MQTT 5.0 defines 27 properties */
    for (size_t i = 0; i < N_CASES; i++) {
        const prop_case_t *pc = &cases[i];
        enum ctx c = first_allowed(pc);
        uint8_t block[64], out[256];
        mqtls_packet_t p, d;
        size_t n = 0, used = 0;

        block[0] = pc->id;
        memcpy(block + 1, pc->wire, pc->wire_len);
        wire_packet(c, block, 1 + pc->wire_len);
        gb_end(&b);

        mqtls_props_t *pr = api_packet(&p, c);
        set_prop(pr, pc->id);
        if (!CHECK_STATUS(mqtls_encode(&p, MQTLS_V5, out, sizeof out, &n), MQTLS_OK)) {
            test_note("%s in %s", pc->name, ctx_name[c]);
            continue;
        }
        if (!CHECK_EQ_INT(n, b.out_len) || !CHECK_EQ_MEM(out, b.out, n))
            test_note("%s in %s: encoding", pc->name, ctx_name[c]);

        if (!CHECK_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used), MQTLS_OK)) {
            test_note("%s in %s: decoding", pc->name, ctx_name[c]);
            continue;
        }
        const mqtls_props_t *got = ctx_props(&d, c);
        CHECK(got->present & MQTLS_PROPBIT(pc->id));
        if (!CHECK(golden_props_eq(got, pr, pc->name, why, sizeof why)))
            test_note("%s", why);
    }
}

/* Which packets each property may be in, both ways. */
TEST(allowed_packets_matrix)
{
    for (size_t i = 0; i < N_CASES; i++) {
        const prop_case_t *pc = &cases[i];
        uint8_t block[64], out[256];
        block[0] = pc->id;
        memcpy(block + 1, pc->wire, pc->wire_len);
        for (int c = 0; c < C_COUNT; c++) {
            mqtls_status_t want =
                (pc->allowed & B(c)) ? MQTLS_OK : MQTLS_ERR_PROPERTY_NOT_ALLOWED;
            mqtls_packet_t p, d;
            size_t n = 0, used = 0;
            wire_packet((enum ctx)c, block, 1 + pc->wire_len);
            gb_end(&b);
            if (!CHECK_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used), want))
                test_note("decoding %s in %s", pc->name, ctx_name[c]);
            set_prop(api_packet(&p, (enum ctx)c), pc->id);
            if (!CHECK_STATUS(mqtls_encode(&p, MQTLS_V5, out, sizeof out, &n), want))
                test_note("encoding %s in %s", pc->name, ctx_name[c]);
            size_t size = 0;
            CHECK_STATUS(mqtls_encode_size(&p, MQTLS_V5, &size), want);
        }
    }
}

/* Every property that may appear once, twice [MQTT-2.2.2-2 / section 2.2.2.2]. */
TEST(duplicates)
{
    for (size_t i = 0; i < N_CASES; i++) {
        const prop_case_t *pc = &cases[i];
        uint8_t block[128];
        mqtls_packet_t d;
        size_t used = 0;
        size_t k = 0;
        for (int rep = 0; rep < 2; rep++) {
            block[k++] = pc->id;
            memcpy(block + k, pc->wire, pc->wire_len);
            k += pc->wire_len;
        }
        for (int c = 0; c < C_COUNT; c++) {
            if (!(pc->allowed & B(c)))
                continue;
            mqtls_status_t want = MQTLS_ERR_DUPLICATE_PROPERTY;
            if (pc->id == MQTLS_PROP_USER_PROPERTY ||
                (pc->id == MQTLS_PROP_SUBSCRIPTION_ID && c == C_PUBLISH))
                want = MQTLS_OK;
            wire_packet((enum ctx)c, block, k);
            gb_end(&b);
            if (!CHECK_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used), want))
                test_note("%s twice in %s", pc->name, ctx_name[c]);
        }
    }
}

/* Values the specification rules out, in a packet that allows the property. */
static const struct {
    const char *what;
    enum ctx c;
    const char *block;
    size_t len;
} bad_values[] = {
    {"Payload Format Indicator 2", C_PUBLISH, W("\x01\x02")},
    {"Payload Format Indicator 255", C_WILL, W("\x01\xff")},
    {"Subscription Identifier 0", C_PUBLISH, W("\x0b\x00")},
    {"Subscription Identifier 0", C_SUBSCRIBE, W("\x0b\x00")},
    {"Request Problem Information 2", C_CONNECT, W("\x17\x02")},
    {"Request Response Information 2", C_CONNECT, W("\x19\x02")},
    {"Receive Maximum 0", C_CONNECT, W("\x21\x00\x00")},
    {"Receive Maximum 0", C_CONNACK, W("\x21\x00\x00")},
    {"Maximum QoS 2", C_CONNACK, W("\x24\x02")},
    {"Retain Available 2", C_CONNACK, W("\x25\x02")},
    {"Maximum Packet Size 0", C_CONNECT, W("\x27\x00\x00\x00\x00")},
    {"Wildcard Subscription Available 2", C_CONNACK, W("\x28\x02")},
    {"Subscription Identifier Available 2", C_CONNACK, W("\x29\x02")},
    {"Shared Subscription Available 2", C_CONNACK, W("\x2a\x02")},
    {"unknown identifier 0x05", C_PUBLISH, W("\x05\x00")},
    {"unknown identifier 0x14", C_CONNECT, W("\x14\x00")},
    {"unknown identifier 0x20", C_CONNACK, W("\x20\x00")},
    {"unknown identifier 0x2B", C_DISCONNECT, W("\x2b\x00")},
    {"unknown two-byte identifier 0x80", C_AUTH, W("\x80\x01\x00")},
};

TEST(values_out_of_range)
{
    for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
        mqtls_packet_t d;
        size_t used;
        wire_packet(bad_values[i].c, bad_values[i].block, bad_values[i].len);
        gb_end(&b);
        if (!CHECK_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used),
                          MQTLS_ERR_MALFORMED_PROPERTY))
            test_note("%s in %s", bad_values[i].what, ctx_name[bad_values[i].c]);
    }
}

/* Topic Alias 0 [MQTT-3.3.2-8] is a protocol error: the decoder passes it on for the session
 * to answer with DISCONNECT 0x94, the encoder never sends it. */
TEST(topic_alias_0)
{
    mqtls_packet_t p, d;
    uint8_t out[64];
    size_t n, used;
    wire_packet(C_PUBLISH, W("\x23\x00\x00"));
    gb_end(&b);
    REQUIRE_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used), MQTLS_OK);
    CHECK_EQ_INT(d.u.publish.props.topic_alias, 0);
    mqtls_props_t *pr = api_packet(&p, C_PUBLISH);
    set_prop(pr, MQTLS_PROP_TOPIC_ALIAS);
    pr->topic_alias = 0;
    CHECK_STATUS(mqtls_encode(&p, MQTLS_V5, out, sizeof out, &n), MQTLS_ERR_MALFORMED_PROPERTY);
}

TEST(encoder_refuses_values_out_of_range)
{
    static const struct {
        enum ctx c;
        uint8_t id;
        uint32_t v;
    } bad[] = {
        {C_PUBLISH, 0x01, 2},        {C_CONNECT, 0x17, 2},  {C_CONNECT, 0x19, 7},
        {C_CONNACK, 0x21, 0},        {C_PUBLISH, 0x23, 0},  {C_CONNACK, 0x24, 2},
        {C_CONNACK, 0x25, 2},        {C_CONNACK, 0x27, 0},  {C_CONNACK, 0x28, 3},
        {C_CONNACK, 0x29, 2},        {C_CONNACK, 0x2a, 2},  {C_SUBSCRIBE, 0x0b, 0},
        {C_SUBSCRIBE, 0x0b, MQTLS_VBI_MAX + 1u},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mqtls_packet_t p;
        uint8_t out[128];
        size_t n;
        mqtls_props_t *pr = api_packet(&p, bad[i].c);
        set_prop(pr, bad[i].id);
        switch (bad[i].id) {
        case 0x01: pr->payload_format = (uint8_t)bad[i].v; break;
        case 0x17: pr->request_problem_info = (uint8_t)bad[i].v; break;
        case 0x19: pr->request_response_info = (uint8_t)bad[i].v; break;
        case 0x21: pr->receive_maximum = (uint16_t)bad[i].v; break;
        case 0x23: pr->topic_alias = (uint16_t)bad[i].v; break;
        case 0x24: pr->maximum_qos = (uint8_t)bad[i].v; break;
        case 0x25: pr->retain_available = (uint8_t)bad[i].v; break;
        case 0x27: pr->maximum_packet_size = bad[i].v; break;
        case 0x28: pr->wildcard_sub_available = (uint8_t)bad[i].v; break;
        case 0x29: pr->sub_id_available = (uint8_t)bad[i].v; break;
        case 0x2a: pr->shared_sub_available = (uint8_t)bad[i].v; break;
        case 0x0b: pr->subscription_id = bad[i].v; break;
        }
        if (!CHECK_STATUS(mqtls_encode(&p, MQTLS_V5, out, sizeof out, &n),
                          MQTLS_ERR_MALFORMED_PROPERTY))
            test_note("property 0x%02x = %u in %s", bad[i].id, (unsigned)bad[i].v,
                      ctx_name[bad[i].c]);
    }
}

/* Extreme legal values round-trip, including every length of variable byte integer. */
TEST(extreme_values)
{
    static const uint32_t sub_ids[] = {1, 127, 128, 16383, 16384, 2097151, 2097152,
                                       MQTLS_VBI_MAX};
    for (size_t i = 0; i < sizeof sub_ids / sizeof sub_ids[0]; i++) {
        mqtls_packet_t p, d;
        uint8_t out[64];
        size_t n = 0, used = 0;
        mqtls_props_t *pr = api_packet(&p, C_SUBSCRIBE);
        GSET(*pr, MQTLS_PROP_SUBSCRIPTION_ID);
        pr->subscription_id = sub_ids[i];
        REQUIRE_STATUS(mqtls_encode(&p, MQTLS_V5, out, sizeof out, &n), MQTLS_OK);
        uint8_t vbi[4];
        size_t vn = golden_vbi(sub_ids[i], vbi);
        CHECK_EQ_INT(out[5], MQTLS_PROP_SUBSCRIPTION_ID);
        CHECK_EQ_MEM(out + 6, vbi, vn);
        REQUIRE_STATUS(mqtls_decode(out, n, MQTLS_V5, &d, &used), MQTLS_OK);
        CHECK_EQ_INT(d.u.subscribe.props.subscription_id, sub_ids[i]);
    }
    mqtls_packet_t p, d;
    uint8_t out[64];
    size_t n = 0, used = 0;
    mqtls_props_t *pr = api_packet(&p, C_CONNACK);
    GSET(*pr, MQTLS_PROP_MAXIMUM_PACKET_SIZE);
    pr->maximum_packet_size = 0xFFFFFFFFu;
    GSET(*pr, MQTLS_PROP_SERVER_KEEP_ALIVE);
    pr->server_keep_alive = 0;
    GSET(*pr, MQTLS_PROP_SESSION_EXPIRY);
    pr->session_expiry = 0;
    REQUIRE_STATUS(mqtls_encode(&p, MQTLS_V5, out, sizeof out, &n), MQTLS_OK);
    REQUIRE_STATUS(mqtls_decode(out, n, MQTLS_V5, &d, &used), MQTLS_OK);
    CHECK_EQ_INT(d.u.connack.props.maximum_packet_size, 0xFFFFFFFFu);
    CHECK_EQ_INT(d.u.connack.props.present, pr->present);
}

/* A property block over 127 bytes needs a 2-byte length. */
TEST(long_property_block)
{
    static char text[300];
    mqtls_packet_t p, d;
    uint8_t out[512];
    size_t n = 0, used = 0;
    memset(text, 'x', sizeof text);
    mqtls_props_t *pr = api_packet(&p, C_PUBLISH);
    GSET(*pr, MQTLS_PROP_CONTENT_TYPE);
    pr->content_type = (mqtls_str_t){text, 200};
    REQUIRE_STATUS(mqtls_encode(&p, MQTLS_V5, out, sizeof out, &n), MQTLS_OK);
    /* 30 | rl (2 bytes) | 00 01 74 | property length 203 = CB 01 | 03 00 C8 ... */
    CHECK_EQ_INT(n, 1u + 2u + 3u + 2u + 203u);
    CHECK_EQ_MEM(out + 6, "\xcb\x01\x03\x00\xc8", 5);
    REQUIRE_STATUS(mqtls_decode(out, n, MQTLS_V5, &d, &used), MQTLS_OK);
    CHECK_EQ_INT(d.u.publish.props.content_type.len, 200);
    CHECK_EQ_INT(d.u.publish.props.raw_len, 203);
}

/* ===================================================================================== */
/* Iterators                                                                               */
/* ===================================================================================== */

TEST(user_properties_iterate_in_order)
{
    static const mqtls_user_prop_t u[] = {
        {GSI("a"), GSI("1")}, {GSI("b"), GSI("")}, {GSI(""), GSI("3")},
        {GSI("a"), GSI("4")}, {GSI("\xc3\xa9"), GSI("\xf0\x9f\x98\x80")}};
    mqtls_packet_t p, d;
    uint8_t out[256];
    size_t n = 0, used = 0;
    mqtls_props_t *pr = api_packet(&p, C_PUBLISH);
    golden_user(pr, u, 5);
    /* Other properties around them, to be skipped. */
    GSET(*pr, MQTLS_PROP_CONTENT_TYPE);
    pr->content_type = GS("ct");
    GSET(*pr, MQTLS_PROP_SUBSCRIPTION_ID);
    pr->subscription_id = 9;
    REQUIRE_STATUS(mqtls_encode(&p, MQTLS_V5, out, sizeof out, &n), MQTLS_OK);
    REQUIRE_STATUS(mqtls_decode(out, n, MQTLS_V5, &d, &used), MQTLS_OK);
    const mqtls_props_t *got = &d.u.publish.props;
    CHECK_EQ_INT(got->user_count, 5);
    CHECK(got->present & MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY));
    uint32_t pos = 0;
    mqtls_user_prop_t x;
    for (size_t i = 0; i < 5; i++) {
        if (!CHECK(mqtls_props_next_user(got, &pos, &x)))
            break;
        if (!CHECK(GOLDEN_STR_EQ(x.key, u[i].key)) || !CHECK(GOLDEN_STR_EQ(x.value, u[i].value)))
            test_note("user property %zu", i);
    }
    CHECK(!mqtls_props_next_user(got, &pos, &x));
    CHECK(!mqtls_props_next_user(got, &pos, &x)); /* stays at the end */
    pos = 0;                                       /* and starts over */
    REQUIRE(mqtls_props_next_user(got, &pos, &x));
    CHECK_EQ_MEM(x.value.data, "1", 1);
}

TEST(user_properties_interleaved)
{
    static const char block[] = "\x26\x00\x01" "x" "\x00\x01" "1"
                                "\x21\x00\x05"
                                "\x26\x00\x01" "y" "\x00\x01" "2"
                                "\x1f\x00\x02" "rs"
                                "\x26\x00\x01" "z" "\x00\x01" "3";
    mqtls_packet_t d;
    size_t used;
    wire_packet(C_CONNACK, block, sizeof block - 1);
    gb_end(&b);
    REQUIRE_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used), MQTLS_OK);
    const mqtls_props_t *got = &d.u.connack.props;
    CHECK_EQ_INT(got->user_count, 3);
    CHECK_EQ_INT(got->receive_maximum, 5);
    CHECK_EQ_MEM(got->reason_string.data, "rs", 2);
    uint32_t pos = 0;
    mqtls_user_prop_t x;
    const char *names = "xyz", *values = "123";
    for (int i = 0; i < 3; i++) {
        REQUIRE(mqtls_props_next_user(got, &pos, &x));
        CHECK_EQ_INT(x.key.len, 1);
        CHECK_EQ_INT(x.key.data[0], names[i]);
        CHECK_EQ_INT(x.value.data[0], values[i]);
    }
    CHECK(!mqtls_props_next_user(got, &pos, &x));
}

TEST(subscription_ids_iterate_in_order)
{
    static const char block[] = "\x0b\x01"
                                "\x03\x00\x01" "c"
                                "\x0b\x80\x01"
                                "\x26\x00\x01" "k" "\x00\x01" "v"
                                "\x0b\xff\xff\xff\x7f"
                                "\x0b\x80\x80\x01";
    static const uint32_t want[] = {1, 128, MQTLS_VBI_MAX, 16384};
    mqtls_packet_t d;
    size_t used;
    wire_packet(C_PUBLISH, block, sizeof block - 1);
    gb_end(&b);
    REQUIRE_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used), MQTLS_OK);
    const mqtls_props_t *got = &d.u.publish.props;
    CHECK_EQ_INT(got->subscription_id, 1); /* the first one */
    uint32_t pos = 0, id = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!CHECK(mqtls_props_next_sub_id(got, &pos, &id)))
            break;
        CHECK_EQ_INT(id, want[i]);
    }
    CHECK(!mqtls_props_next_sub_id(got, &pos, &id));
    /* The other iterator sees only the user property. */
    mqtls_user_prop_t x;
    pos = 0;
    REQUIRE(mqtls_props_next_user(got, &pos, &x));
    CHECK_EQ_MEM(x.key.data, "k", 1);
    CHECK(!mqtls_props_next_user(got, &pos, &x));
}

TEST(iterators_on_empty_or_unparsed_blocks)
{
    mqtls_props_t none;
    uint32_t pos = 0, id;
    mqtls_user_prop_t x;
    memset(&none, 0, sizeof none);
    CHECK(!mqtls_props_next_user(&none, &pos, &x));
    CHECK(!mqtls_props_next_sub_id(&none, &pos, &id));
    /* An encode-side struct has no raw block: its users are in the array, not iterable. */
    none.user = user_kv;
    none.user_count = 1;
    CHECK(!mqtls_props_next_user(&none, &pos, &x));
    /* A decoded 3.1.1 packet has no properties at all. */
    mqtls_packet_t d;
    size_t used;
    const golden_t *g = golden_find("gc311_publish_qos0");
    REQUIRE_STATUS(mqtls_decode(g->bytes, g->len, MQTLS_V311, &d, &used), MQTLS_OK);
    CHECK_EQ_INT(d.u.publish.props.present, 0);
    CHECK(!mqtls_props_next_user(&d.u.publish.props, &pos, &x));
}

/* ===================================================================================== */
/* Malformed property blocks                                                               */
/* ===================================================================================== */

TEST(malformed_blocks)
{
    static const struct {
        const char *what;
        const char *block;
        size_t len;
        mqtls_status_t st;
    } bad[] = {
        {"string past the block", W("\x03\x00\x09" "abc"), MQTLS_ERR_MALFORMED_LENGTH},
        {"u32 cut short", W("\x02\x00\x00"), MQTLS_ERR_MALFORMED_LENGTH},
        {"u16 cut short", W("\x23\x00"), MQTLS_ERR_MALFORMED_LENGTH},
        {"byte missing", W("\x01"), MQTLS_ERR_MALFORMED_LENGTH},
        {"user value missing", W("\x26\x00\x01" "k"), MQTLS_ERR_MALFORMED_LENGTH},
        {"VBI cut short", W("\x0b\xff\xff"), MQTLS_ERR_MALFORMED_LENGTH},
        {"VBI of 5 bytes", W("\x0b\xff\xff\xff\xff\x01"), MQTLS_ERR_MALFORMED_REMAINING_LENGTH},
        {"invalid UTF-8", W("\x03\x00\x02\xc0\x80"), MQTLS_ERR_MALFORMED_UTF8},
        {"U+0000 in a user value", W("\x26\x00\x01" "k" "\x00\x01\x00"),
         MQTLS_ERR_MALFORMED_UTF8_NUL},
        {"wildcard in Response Topic", W("\x08\x00\x03" "a/+"), MQTLS_ERR_MALFORMED_TOPIC},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mqtls_packet_t d;
        size_t used;
        wire_packet(C_PUBLISH, bad[i].block, bad[i].len);
        gb_end(&b);
        if (!CHECK_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used), bad[i].st))
            test_note("%s", bad[i].what);
    }
    /* Correlation Data is binary: any bytes, NUL included. */
    mqtls_packet_t d;
    size_t used;
    wire_packet(C_PUBLISH, W("\x09\x00\x03\x00\xc0\x80"));
    gb_end(&b);
    CHECK_STATUS(mqtls_decode(b.out, b.out_len, MQTLS_V5, &d, &used), MQTLS_OK);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    golden_load(GOLDEN_DEFAULT_DIR);
    RUN(every_property_round_trips);
    RUN(allowed_packets_matrix);
    RUN(duplicates);
    RUN(values_out_of_range);
    RUN(topic_alias_0);
    RUN(encoder_refuses_values_out_of_range);
    RUN(extreme_values);
    RUN(long_property_block);
    RUN(user_properties_iterate_in_order);
    RUN(user_properties_interleaved);
    RUN(subscription_ids_iterate_in_order);
    RUN(iterators_on_empty_or_unparsed_blocks);
    RUN(malformed_blocks);
    return test_main_end();
}
