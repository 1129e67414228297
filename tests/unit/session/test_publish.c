/**
 * @file test_publish.c
 * @brief Outgoing PUBLISH: bytes of QoS 0/1/2, the acknowledgement flows, the window, the
 *        message store, zero copy and coalescing, topic aliases and the broker's limits.
 */
#include <string.h>

#include "mqtls/client.h"
#include "mqtls/reason.h"
#include "packet_builder.h"
#include "test.h"

static pb_client_t F;

#define PROP(id) MQTLS_PROPBIT(MQTLS_PROP_##id)

static mqtls_publish_t msg(const char *topic, const char *payload, uint8_t qos)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = (const uint8_t *)payload;
    p.payload_len = payload ? (uint32_t)strlen(payload) : 0;
    p.qos = qos;
    return p;
}

static mqtls_status_t connect_v(mqtls_version_t v, const mqtls_props_t *connack_props)
{
    pb_client_setup(&F, v);
    pb_client_start(&F);
    return pb_client_connect(&F, false, connack_props);
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

/* ---------------------------------------------------------------- QoS 0 */

TEST(qos0_bytes_and_no_store)
{
    mqtls_publish_t p = msg("a/b", "hello", 0);
    uint16_t id = 77;
    REQUIRE_STATUS(connect_v(MQTLS_V311, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
    CHECK_EQ_INT(id, 0);
    PB_CHECK_SENT_HEX(&F.m, "30 0a 00 03 61 2f 62 68 65 6c 6c 6f");
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(F.nev, 0);
    pb_client_teardown(&F);

    REQUIRE_STATUS(connect_v(MQTLS_V5, NULL), MQTLS_OK);
    p.retain = true;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "31 0b 00 03 61 2f 62 00 68 65 6c 6c 6f");
    pb_client_teardown(&F);
}

TEST(qos0_needs_no_store)
{
    mqtls_publish_t p = msg("t", "x", 0);
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.store = NULL;
    F.cfg.store_ctx = NULL;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 04 00 01 74 78");
    pb_client_teardown(&F);
}

TEST(publish_ignores_callers_dup_and_packet_id)
{
    mqtls_publish_t p = msg("t", "x", 1);
    uint16_t id = 0;
    p.dup = true;
    p.packet_id = 999;
    REQUIRE_STATUS(connect_v(MQTLS_V311, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
    CHECK_EQ_INT(id, 1);
    PB_CHECK_SENT_HEX(&F.m, "32 06 00 01 74 00 01 78");
    pb_client_teardown(&F);
}

TEST(publish_5_properties_bytes)
{
    static const mqtls_user_prop_t up = {{"k", 1}, {"v", 1}};
    mqtls_publish_t p = msg("t", "x", 0);
    p.props.present = PROP(MESSAGE_EXPIRY);
    p.props.message_expiry = 60;
    p.props.user = &up;
    p.props.user_count = 1;
    REQUIRE_STATUS(connect_v(MQTLS_V5, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 11 00 01 74 0c 02 00 00 00 3c 26 00 01 6b 00 01 76 78");
    pb_client_teardown(&F);
}

TEST(publish_argument_and_state_errors)
{
    mqtls_publish_t p = msg("t", "x", 0);
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_STATE);
    REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_STATE); /* waiting for CONNACK */
    pb_push_connack(&F.m, F.v, false, 0, NULL);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    mock_sent_clear(&F.m);
    CHECK_STATUS(mqtls_publish(&F.c, NULL, NULL), MQTLS_ERR_BAD_PARAM);
    p.qos = 3;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_MALFORMED_QOS);
    p = msg("a/#", "x", 1);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_MALFORMED_TOPIC);
    p = msg("a/+/c", "x", 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_MALFORMED_TOPIC);
    p = msg("", "x", 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_MALFORMED_TOPIC);
    p = msg("t", NULL, 0);
    p.payload_len = 3; /* length without data */
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    /* An empty payload is fine. */
    p = msg("t", NULL, 1);
    uint16_t id = 0;
    CHECK_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
    pb_sent_t sent[2];
    REQUIRE_EQ_INT(pb_sent_decode(&F.m, F.v, sent, 2), 1);
    CHECK_EQ_INT(sent[0].first, 0x32);
    CHECK_EQ_INT(sent[0].len, 7);
    CHECK_EQ_INT(sent[0].pkt.u.publish.packet_id, id);
    CHECK_EQ_INT(sent[0].pkt.u.publish.payload_len, 0);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- QoS 1 */

TEST(qos1_bytes_store_and_puback)
{
    for (int v = 0; v < 2; v++) {
        mqtls_publish_t p = msg("a/b", "hello", 1);
        uint16_t id = 0;
        REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311, NULL), MQTLS_OK);
        CHECK_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
        CHECK_EQ_INT(id, 1);
        if (v)
            PB_CHECK_SENT_HEX(&F.m, "32 0d 00 03 61 2f 62 00 01 00 68 65 6c 6c 6f");
        else
            PB_CHECK_SENT_HEX(&F.m, "32 0c 00 03 61 2f 62 00 01 68 65 6c 6c 6f");
        /* The store keeps exactly the packet as sent (record header: id, length). */
        size_t len;
        const uint8_t *sent = mock_sent(&F.m, &len);
        CHECK_EQ_INT(F.store.used, 6 + len);
        CHECK_EQ_INT(F.store_mem[0], 0);
        CHECK_EQ_INT(F.store_mem[1], 1);
        CHECK_EQ_MEM(F.store_mem + 6, sent, len);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
        CHECK_EQ_INT(F.nev, 0);

        mock_sent_clear(&F.m);
        pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 1, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_PUBLISH_DONE);
        CHECK_STATUS(F.ev[0].status, MQTLS_OK);
        CHECK_EQ_INT(F.ev[0].packet_id, 1);
        CHECK_EQ_INT(F.ev[0].reason, 0);
        CHECK_EQ_INT(F.store.used, 0);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
        CHECK_EQ_INT(F.m.out_len, 0); /* nothing answers a PUBACK */
        /* A second PUBACK for the same id is ignored. */
        pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 1, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(F.nev, 1);
        pb_client_teardown(&F);
    }
}

TEST(qos1_puback_refusal_and_properties)
{
    mqtls_publish_t p = msg("t", "x", 1);
    mqtls_props_t ap;
    memset(&ap, 0, sizeof ap);
    ap.present = PROP(REASON_STRING);
    ap.reason_string = mqtls_str("quota");
    REQUIRE_STATUS(connect_v(MQTLS_V5, NULL), MQTLS_OK);
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 1, MQTLS_RC_QUOTA_EXCEEDED, &ap);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_PUBLISH_DONE);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_REFUSED);
    CHECK_EQ_INT(F.ev[0].reason, MQTLS_RC_QUOTA_EXCEEDED);
    CHECK_EQ_STR(F.ev[0].reason_string, "quota");
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);

    /* "No matching subscribers" is a success code. */
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 2, MQTLS_RC_NO_MATCHING_SUBSCRIBERS, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 2);
    CHECK_STATUS(F.ev[1].status, MQTLS_OK);
    CHECK_EQ_INT(F.ev[1].reason, MQTLS_RC_NO_MATCHING_SUBSCRIBERS);
    pb_client_teardown(&F);
}

TEST(acks_in_any_order_complete_the_right_messages)
{
    mqtls_publish_t p = msg("t", "x", 1);
    REQUIRE_STATUS(connect_v(MQTLS_V311, NULL), MQTLS_OK);
    for (int i = 0; i < 3; i++)
        REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 2, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 3, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 1, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 3);
    CHECK_EQ_INT(F.ev[0].packet_id, 2);
    CHECK_EQ_INT(F.ev[1].packet_id, 3);
    CHECK_EQ_INT(F.ev[2].packet_id, 1);
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    pb_client_teardown(&F);
}

TEST(unknown_or_mismatched_acks)
{
    mqtls_publish_t p1 = msg("t", "x", 1), p2 = msg("t", "x", 2);
    for (int v = 0; v < 2; v++) {
        REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311, NULL), MQTLS_OK);
        REQUIRE_STATUS(mqtls_publish(&F.c, &p1, NULL), MQTLS_OK); /* id 1, QoS 1 */
        REQUIRE_STATUS(mqtls_publish(&F.c, &p2, NULL), MQTLS_OK); /* id 2, QoS 2 */
        mock_sent_clear(&F.m);
        /* PUBACK/PUBCOMP for unknown ids, PUBCOMP before its PUBREC: all ignored. */
        pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 99, 0, NULL);
        pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, 98, 0, NULL);
        pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, 2, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(F.nev, 0);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 2);
        CHECK_EQ_INT(F.m.out_len, 0);
        /* PUBREC for an unknown id is released, so the broker can finish (5.0: 0x92). */
        pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 99, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        if (v)
            PB_CHECK_SENT_HEX(&F.m, "62 03 00 63 92");
        else
            PB_CHECK_SENT_HEX(&F.m, "62 02 00 63");
        CHECK_EQ_INT(F.nev, 0);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 2);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        /* A refusing PUBREC for an unknown id ends nothing of ours: no PUBREL [MQTT-4.3.3]. */
        mock_sent_clear(&F.m);
        pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 97, v ? MQTLS_RC_PACKET_ID_IN_USE : 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        if (v)
            CHECK_EQ_INT(F.m.out_len, 0);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        pb_client_teardown(&F);
    }
}

/* A broker without QoS 2 (RabbitMQ's MQTT plugin) answers a QoS 2 PUBLISH with PUBACK: the
 * message arrived, at QoS 1. It completes with MQTLS_ERR_QOS2_DOWNGRADED, not silence. */
TEST(qos2_answered_with_puback_is_reported_downgraded)
{
    mqtls_publish_t p2 = msg("t", "x", 2);
    for (int v = 0; v < 2; v++) {
        REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311, NULL), MQTLS_OK);
        uint16_t id = 0;
        REQUIRE_STATUS(mqtls_publish(&F.c, &p2, &id), MQTLS_OK);
        mock_sent_clear(&F.m);
        pb_push_ack(&F.m, F.v, MQTLS_PUBACK, id, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        int e = pb_client_find_event(&F, MQTLS_EV_PUBLISH_DONE, 0);
        REQUIRE(e >= 0);
        CHECK_EQ_INT(F.ev[e].packet_id, id);
        CHECK_STATUS(F.ev[e].status, MQTLS_ERR_QOS2_DOWNGRADED);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
        CHECK_EQ_INT(F.store.used, 0);
        CHECK_EQ_INT(F.m.out_len, 0); /* no PUBREL */
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        pb_client_teardown(&F);
    }
}

/* ---------------------------------------------------------------- QoS 2 */

TEST(qos2_pubrec_pubrel_pubcomp)
{
    for (int v = 0; v < 2; v++) {
        mqtls_publish_t p = msg("a/b", "hi", 2);
        p.retain = true;
        uint16_t id = 0;
        REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311, NULL), MQTLS_OK);
        CHECK_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
        CHECK_EQ_INT(id, 1);
        if (v)
            PB_CHECK_SENT_HEX(&F.m, "35 0a 00 03 61 2f 62 00 01 00 68 69");
        else
            PB_CHECK_SENT_HEX(&F.m, "35 09 00 03 61 2f 62 00 01 68 69");
        CHECK(F.store.used > 0);
        mock_sent_clear(&F.m);

        pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 1, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        PB_CHECK_SENT_HEX(&F.m, "62 02 00 01");
        CHECK_EQ_INT(F.nev, 0);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
        CHECK_EQ_INT(F.store.used, 0); /* the message itself is delivered: no resend */

        /* A repeated PUBREC gets its PUBREL again. */
        mock_sent_clear(&F.m);
        pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 1, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        PB_CHECK_SENT_HEX(&F.m, "62 02 00 01");
        CHECK_EQ_INT(F.nev, 0);

        mock_sent_clear(&F.m);
        pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, 1, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(F.m.out_len, 0);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_PUBLISH_DONE);
        CHECK_STATUS(F.ev[0].status, MQTLS_OK);
        CHECK_EQ_INT(F.ev[0].packet_id, 1);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
        pb_client_teardown(&F);
    }
}

TEST(qos2_pubrec_refusal_ends_the_exchange)
{
    mqtls_publish_t p = msg("t", "x", 2);
    REQUIRE_STATUS(connect_v(MQTLS_V5, NULL), MQTLS_OK);
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    mock_sent_clear(&F.m);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 1, MQTLS_RC_NOT_AUTHORIZED, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.out_len, 0); /* no PUBREL after a refusal */
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_PUBLISH_DONE);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_REFUSED);
    CHECK_EQ_INT(F.ev[0].reason, MQTLS_RC_NOT_AUTHORIZED);
    CHECK_EQ_INT(F.ev[0].packet_id, 1);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(F.store.used, 0);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- store */

TEST(qos_without_store_is_refused)
{
    mqtls_publish_t p1 = msg("t", "x", 1), p2 = msg("t", "x", 2), p0 = msg("t", "x", 0);
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.store = NULL;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p1, NULL), MQTLS_ERR_NO_STORE);
    CHECK_STATUS(mqtls_publish(&F.c, &p2, NULL), MQTLS_ERR_NO_STORE);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p0, NULL), MQTLS_OK);
    pb_client_teardown(&F);
}

TEST(store_full_refuses_and_sends_nothing)
{
    static const char big[] = "0123456789012345678901234567890123456789";
    mqtls_publish_t p = msg("t", big, 1), small = msg("t", "x", 1);
    pb_client_setup(&F, MQTLS_V311);
    mqtls_ram_store_init(&F.store, F.store_mem, 30);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    unsigned calls = F.m.send_calls;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_STORE);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(F.m.send_calls, calls);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    /* What fits still goes. */
    uint16_t id;
    CHECK_STATUS(mqtls_publish(&F.c, &small, &id), MQTLS_OK);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "3");
    /* The store fills up with unacknowledged messages. */
    mqtls_status_t st = MQTLS_OK;
    int n = 1;
    while ((st = mqtls_publish(&F.c, &small, NULL)) == MQTLS_OK)
        n++;
    CHECK_STATUS(st, MQTLS_ERR_STORE);
    CHECK_EQ_INT(n, 2); /* 30 bytes hold two 14-byte records */
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, id, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &small, NULL), MQTLS_OK);
    pb_client_teardown(&F);
}

/* A store that refuses everything. */
static mqtls_status_t refuse_put(void *ctx, uint16_t id, const mqtls_iov_t *iov, size_t n)
{
    (void)ctx, (void)id, (void)iov, (void)n;
    return MQTLS_ERR_IO;
}
static mqtls_status_t refuse_get(void *ctx, uint16_t id, const uint8_t **pkt, size_t *len)
{
    (void)ctx, (void)id, (void)pkt, (void)len;
    return MQTLS_ERR_IO;
}
static void refuse_remove(void *ctx, uint16_t id)
{
    (void)ctx, (void)id;
}

TEST(store_refusal_of_any_kind_is_a_store_error)
{
    static const mqtls_store_t refusing = {refuse_put, refuse_get, refuse_remove, NULL, NULL};
    mqtls_publish_t p = msg("t", "x", 2);
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.store = &refusing;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_STORE);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- zero copy, coalescing */

TEST(payload_is_sent_from_the_callers_buffer)
{
    static uint8_t payload[200];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(0xA5 ^ (i * 7));
    for (uint8_t qos = 0; qos <= 2; qos++) {
        mqtls_publish_t p = msg("t", NULL, qos);
        p.payload = payload;
        p.payload_len = sizeof payload;
        REQUIRE_STATUS(connect_v(MQTLS_V5, NULL), MQTLS_OK);
        unsigned w0 = F.m.writes;
        CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
        size_t len;
        const uint8_t *sent = mock_sent(&F.m, &len);
        REQUIRE(len > sizeof payload);
        CHECK_EQ_MEM(sent + len - sizeof payload, payload, sizeof payload);
        /* One iov pointed straight at the caller's payload... */
        CHECK(mock_iov_overlaps(&F.m, payload, sizeof payload));
        /* ...and the tx buffer never held it. */
        CHECK(!contains(F.tx, sizeof F.tx, payload, 16));
        CHECK_EQ_INT(F.m.writes - w0, 1); /* header and payload in one gathered write */
        pb_client_teardown(&F);
    }
}

static const char *const three_publishes_hex = "30 05 00 01 61 31 31"
                                               " 30 06 00 01 62 32 32 32"
                                               " 30 07 00 01 63 33 33 33 33";

static const char P1[] = "11", P2[] = "222", P3[] = "3333";

static void publish_three(void)
{
    mqtls_publish_t a = msg("a", P1, 0), b = msg("b", P2, 0), c = msg("c", P3, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &a, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &b, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &c, NULL), MQTLS_OK);
}

TEST(without_coalescing_every_publish_is_written_at_once)
{
    REQUIRE_STATUS(connect_v(MQTLS_V311, NULL), MQTLS_OK);
    unsigned w0 = F.m.writes;
    publish_three();
    CHECK_EQ_INT(F.m.writes - w0, 3);
    PB_CHECK_SENT_HEX(&F.m, three_publishes_hex);
    pb_client_teardown(&F);
}

TEST(coalesced_publishes_leave_in_one_write_at_flush)
{
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.tx_coalesce = true;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    unsigned w0 = F.m.writes;
    publish_three();
    CHECK_EQ_INT(F.m.writes, w0);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_STATUS(mqtls_flush(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.writes - w0, 1);
    PB_CHECK_SENT_HEX(&F.m, three_publishes_hex);
    /* The payloads were copied, not sent from the callers' memory. */
    CHECK(!mock_iov_overlaps(&F.m, P1, 2));
    CHECK(!mock_iov_overlaps(&F.m, P2, 3));
    CHECK(!mock_iov_overlaps(&F.m, P3, 4));
    /* Flushing with nothing waiting writes nothing. */
    CHECK_STATUS(mqtls_flush(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.writes - w0, 1);
    pb_client_teardown(&F);
}

TEST(coalesced_publishes_leave_in_one_write_at_step)
{
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.tx_coalesce = true;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    unsigned w0 = F.m.writes;
    publish_three();
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.writes - w0, 1);
    PB_CHECK_SENT_HEX(&F.m, three_publishes_hex);
    pb_client_teardown(&F);
}

TEST(coalescing_keeps_order_when_the_buffer_fills)
{
    static uint8_t large[100];
    memset(large, 'L', sizeof large);
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.tx_coalesce = true;
    F.cfg.tx_size = 20;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_buf_t want;
    want.len = 0;
    /* Nine small publishes of 7 bytes: 20 bytes hold two, the third forces a flush. */
    for (int i = 0; i < 9; i++) {
        char t[2] = {(char)('a' + i), 0};
        mqtls_publish_t p = msg(t, "xx", 0);
        CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
        pb_add_publish(&want, MQTLS_V311, t, "xx", 2, 0, 0, false, false, NULL);
    }
    /* A payload larger than the room left goes out at once, after what waits. */
    mqtls_publish_t p = msg("big", NULL, 0);
    p.payload = large;
    p.payload_len = sizeof large;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_add_publish(&want, MQTLS_V311, "big", large, sizeof large, 0, 0, false, false, NULL);
    CHECK(mock_iov_overlaps(&F.m, large, sizeof large));
    mqtls_publish_t last = msg("z", "zz", 0);
    CHECK_STATUS(mqtls_publish(&F.c, &last, NULL), MQTLS_OK);
    pb_add_publish(&want, MQTLS_V311, "z", "zz", 2, 0, 0, false, false, NULL);
    CHECK_STATUS(mqtls_flush(&F.c), MQTLS_OK);
    size_t len;
    const uint8_t *sent = mock_sent(&F.m, &len);
    CHECK_EQ_INT(len, want.len);
    CHECK_EQ_MEM(sent, want.data, len < want.len ? len : want.len);
    CHECK(F.m.writes < 10);
    pb_client_teardown(&F);

    /* A header that does not fit the room left: what waits goes first, then it is encoded
     * at the start of the buffer. */
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.tx_coalesce = true;
    F.cfg.tx_size = 20;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    want.len = 0;
    for (int i = 0; i < 4; i++) {
        char t[9] = "topic/_x";
        t[6] = (char)('0' + i);
        mqtls_publish_t q = msg(t, "xx", 0); /* 14 bytes: one fits, the next does not */
        CHECK_STATUS(mqtls_publish(&F.c, &q, NULL), MQTLS_OK);
        pb_add_publish(&want, MQTLS_V311, t, "xx", 2, 0, 0, false, false, NULL);
    }
    CHECK_STATUS(mqtls_flush(&F.c), MQTLS_OK);
    sent = mock_sent(&F.m, &len);
    CHECK_EQ_INT(len, want.len);
    CHECK_EQ_MEM(sent, want.data, len < want.len ? len : want.len);
    pb_client_teardown(&F);
}

TEST(coalesced_acks_follow_in_order)
{
    /* With coalescing, a PUBACK for an incoming message waits in tx_buf too; whatever
     * leaves keeps the order in which it was produced. */
    mqtls_publish_t p = msg("o", "1", 0);
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.tx_coalesce = true;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_push_publish(&F.m, F.v, "i", "2", 1, 1, 5, false, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 04 00 01 6f 31 40 02 00 05");
    /* Acknowledgements of messages read in one step leave in one write. */
    mock_sent_clear(&F.m);
    pb_buf_t b;
    b.len = 0;
    for (uint16_t id = 6; id <= 8; id++)
        pb_add_publish(&b, F.v, "i", "x", 1, 1, id, false, false, NULL);
    pb_push(&F.m, &b);
    unsigned w0 = F.m.writes;
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.writes - w0, 1);
    PB_CHECK_SENT_HEX(&F.m, "40 02 00 06 40 02 00 07 40 02 00 08");
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- window and broker limits */

TEST(window_full_at_inflight_cap)
{
    mqtls_publish_t p = msg("t", "x", 1), q = msg("t", "x", 2), z = msg("t", "x", 0);
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.inflight_cap = 2;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &q, NULL), MQTLS_OK);
    mock_sent_clear(&F.m);
    size_t used = F.store.used;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INFLIGHT_FULL);
    CHECK_STATUS(mqtls_publish(&F.c, &q, NULL), MQTLS_ERR_INFLIGHT_FULL);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(F.store.used, used);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 2);
    CHECK_STATUS(mqtls_publish(&F.c, &z, NULL), MQTLS_OK); /* QoS 0 needs no slot */
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 1, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INFLIGHT_FULL);
    pb_client_teardown(&F);
}

TEST(no_inflight_table_means_no_qos)
{
    mqtls_publish_t p = msg("t", "x", 1);
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.inflight = NULL;
    F.cfg.inflight_cap = 0;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INFLIGHT_FULL);
    pb_client_teardown(&F);
}

TEST(server_receive_maximum_limits_the_window)
{
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(RECEIVE_MAXIMUM);
    cp.receive_maximum = 1;
    mqtls_publish_t p = msg("t", "x", 1), q = msg("t", "x", 2);
    REQUIRE_STATUS(connect_v(MQTLS_V5, &cp), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &q, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INFLIGHT_FULL);
    /* PUBREC (success) does not free the slot: the exchange runs until PUBCOMP. */
    pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 1, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INFLIGHT_FULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, 1, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &q, NULL), MQTLS_ERR_INFLIGHT_FULL);
    /* A refusing PUBREC frees it at once. */
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 2, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &q, NULL), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 3, MQTLS_RC_QUOTA_EXCEEDED, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_client_teardown(&F);

    /* A Receive Maximum above our table: the table is the limit. */
    cp.receive_maximum = 1000;
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.inflight_cap = 3;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, &cp), MQTLS_OK);
    for (int i = 0; i < 3; i++)
        CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INFLIGHT_FULL);
    pb_client_teardown(&F);
}

TEST(server_maximum_packet_size)
{
    static const char pay[] = "0123456789012345678901234567890123456789";
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(MAXIMUM_PACKET_SIZE);
    cp.maximum_packet_size = 30;
    REQUIRE_STATUS(connect_v(MQTLS_V5, &cp), MQTLS_OK);
    /* QoS 0 "a/b": 2 + 2 + 3 + 1 (properties) = 8 bytes before the payload */
    mqtls_publish_t p = msg("a/b", NULL, 0);
    p.payload = (const uint8_t *)pay;
    p.payload_len = 22;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK); /* exactly 30 */
    size_t len;
    mock_sent(&F.m, &len);
    CHECK_EQ_INT(len, 30);
    mock_sent_clear(&F.m);
    p.payload_len = 23;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_SERVER_LIMIT);
    /* QoS 1 adds the packet id; refused before anything is stored */
    p.qos = 1;
    p.payload_len = 21;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_SERVER_LIMIT);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    p.payload_len = 20;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    pb_client_teardown(&F);
}

TEST(server_maximum_qos)
{
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(MAXIMUM_QOS);
    cp.maximum_qos = 0;
    mqtls_publish_t p0 = msg("t", "x", 0), p1 = msg("t", "x", 1), p2 = msg("t", "x", 2);
    REQUIRE_STATUS(connect_v(MQTLS_V5, &cp), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p1, NULL), MQTLS_ERR_QOS_NOT_SUPPORTED);
    CHECK_STATUS(mqtls_publish(&F.c, &p2, NULL), MQTLS_ERR_QOS_NOT_SUPPORTED);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p0, NULL), MQTLS_OK);
    pb_client_teardown(&F);

    cp.maximum_qos = 1;
    REQUIRE_STATUS(connect_v(MQTLS_V5, &cp), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p2, NULL), MQTLS_ERR_QOS_NOT_SUPPORTED);
    CHECK_STATUS(mqtls_publish(&F.c, &p1, NULL), MQTLS_OK);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "3");
    pb_client_teardown(&F);
}

TEST(server_retain_not_available)
{
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(RETAIN_AVAILABLE);
    cp.retain_available = 0;
    mqtls_publish_t p = msg("t", "x", 0);
    REQUIRE_STATUS(connect_v(MQTLS_V5, &cp), MQTLS_OK);
    p.retain = true;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_RETAIN_NOT_SUPPORTED);
    p.qos = 1;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_RETAIN_NOT_SUPPORTED);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    p.retain = false;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_client_teardown(&F);

    cp.retain_available = 1;
    REQUIRE_STATUS(connect_v(MQTLS_V5, &cp), MQTLS_OK);
    p.retain = true;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_client_teardown(&F);
}

TEST(server_limits_are_reset_by_a_new_connack)
{
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(RECEIVE_MAXIMUM) | PROP(MAXIMUM_QOS) | PROP(RETAIN_AVAILABLE) |
                 PROP(MAXIMUM_PACKET_SIZE) | PROP(TOPIC_ALIAS_MAXIMUM);
    cp.receive_maximum = 1;
    cp.maximum_qos = 0;
    cp.retain_available = 0;
    cp.maximum_packet_size = 10;
    cp.topic_alias_maximum = 3;
    REQUIRE_STATUS(connect_v(MQTLS_V5, &cp), MQTLS_OK);
    mqtls_publish_t p = msg("a/b", "0123456789", 2);
    p.retain = true;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_QOS_NOT_SUPPORTED);
    mqtls_abort(&F.c);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    /* ...and without a Topic Alias Maximum, no alias may be used. */
    mqtls_publish_t a = msg("a/b", "x", 0);
    a.props.present = PROP(TOPIC_ALIAS);
    a.props.topic_alias = 1;
    CHECK_STATUS(mqtls_publish(&F.c, &a, NULL), MQTLS_ERR_TOPIC_ALIAS);
    pb_client_teardown(&F);
}

TEST(limits_of_a_311_connack_are_the_defaults)
{
    mqtls_publish_t p = msg("t", "x", 2);
    p.retain = true;
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.inflight_cap = 20;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    for (int i = 0; i < 20; i++)
        CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INFLIGHT_FULL);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- topic aliases */

static mqtls_publish_t aliased(const char *topic, uint16_t alias, uint8_t qos)
{
    mqtls_publish_t p = msg(topic, "x", qos);
    p.props.present = PROP(TOPIC_ALIAS);
    p.props.topic_alias = alias;
    return p;
}

static mqtls_status_t connect_with_alias_max(uint16_t max)
{
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(TOPIC_ALIAS_MAXIMUM);
    cp.topic_alias_maximum = max;
    return connect_v(MQTLS_V5, &cp);
}

TEST(alias_defined_then_used_with_an_empty_topic)
{
    REQUIRE_STATUS(connect_with_alias_max(5), MQTLS_OK);
    mqtls_publish_t p = aliased("a/b", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 0a 00 03 61 2f 62 03 23 00 01 78");
    mock_sent_clear(&F.m);
    p = aliased("", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 07 00 00 03 23 00 01 78");
    mock_sent_clear(&F.m);
    /* Redefining an alias with another topic is allowed. */
    p = aliased("c", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 08 00 01 63 03 23 00 01 78");
    pb_client_teardown(&F);
}

TEST(alias_errors)
{
    REQUIRE_STATUS(connect_with_alias_max(5), MQTLS_OK);
    mqtls_publish_t p = aliased("", 2, 0); /* never defined */
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("a", 6, 0); /* above the broker's maximum */
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("a", 0, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("a", 5, 0); /* the maximum itself is fine */
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    mock_sent_clear(&F.m);
    p = aliased("", 4, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    pb_client_teardown(&F);

    /* No Topic Alias Maximum from the broker: none may be used. */
    REQUIRE_STATUS(connect_v(MQTLS_V5, NULL), MQTLS_OK);
    p = aliased("a", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    pb_client_teardown(&F);

    /* Beyond what the client can track: refused rather than mis-tracked. */
    REQUIRE_STATUS(connect_with_alias_max(1000), MQTLS_OK);
    p = aliased("a", 65, 0);
    mqtls_status_t st = mqtls_publish(&F.c, &p, NULL);
    CHECK(st == MQTLS_OK || st == MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("", 65, 0);
    st = mqtls_publish(&F.c, &p, NULL);
    CHECK(st == MQTLS_OK || st == MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("a", 64, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    p = aliased("", 64, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_client_teardown(&F);
}

TEST(alias_a_failed_definition_defines_nothing)
{
    REQUIRE_STATUS(connect_with_alias_max(5), MQTLS_OK);
    mqtls_publish_t p = aliased("a/#", 1, 0); /* invalid topic */
    CHECK(mqtls_publish(&F.c, &p, NULL) != MQTLS_OK);
    p = aliased("", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    pb_client_teardown(&F);
}

TEST(aliases_are_forgotten_on_reconnect)
{
    REQUIRE_STATUS(connect_with_alias_max(5), MQTLS_OK);
    mqtls_publish_t p = aliased("a/b", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    mqtls_abort(&F.c);
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(TOPIC_ALIAS_MAXIMUM);
    cp.topic_alias_maximum = 5;
    REQUIRE_STATUS(pb_client_connect(&F, false, &cp), MQTLS_OK);
    p = aliased("", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    CHECK_EQ_INT(F.m.out_len, 0);
    p = aliased("a/b", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    p = aliased("", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_client_teardown(&F);
}

TEST(alias_with_qos1_stores_the_full_topic)
{
    REQUIRE_STATUS(connect_with_alias_max(5), MQTLS_OK);
    mqtls_publish_t p = aliased("a/b", 1, 1);
    uint16_t id;
    CHECK_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
    /* On the wire: topic and alias. */
    PB_CHECK_SENT_HEX(&F.m, "32 0c 00 03 61 2f 62 00 01 03 23 00 01 78");
    /* In the store: the topic without the alias, which dies with the connection. */
    uint8_t want[32];
    size_t n = pb_hex("32 09 00 03 61 2f 62 00 01 00 78", want, sizeof want);
    CHECK_EQ_INT(F.store.used, 6 + n);
    CHECK_EQ_MEM(F.store_mem + 6, want, n);
    /* Without room to remember the alias's topic, a QoS 1/2 message cannot rely on the
     * alias alone: its stored copy would name no topic. */
    p = aliased("", 1, 1);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    /* QoS 0 may. */
    p = aliased("", 1, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    pb_client_teardown(&F);
}

/* A persistent 5.0 connection to a broker allowing @p broker_max aliases, with room for the
 * topics of @p slots outgoing aliases of up to 32 bytes. */
static mqtls_status_t connect_with_out_alias(uint16_t broker_max, uint16_t slots)
{
    static char out_alias[8 * 34];
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(TOPIC_ALIAS_MAXIMUM);
    cp.topic_alias_maximum = broker_max;
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.out_alias_buf = out_alias;
    F.cfg.out_alias_slots = slots;
    F.cfg.out_alias_slot_size = 34;
    F.opts.connect.clean_start = false;
    pb_client_start(&F);
    return pb_client_connect(&F, false, &cp);
}

/* With cfg.out_alias_buf, an alias-only PUBLISH is valid at QoS 1 and 2 (mqtls pub -V 5 -q 1
 * -D publish topic-alias 1 --repeat 3): the wire carries the alias alone, the store the
 * topic, and a resend on a new connection (where no alias exists) names the topic. */
TEST(alias_only_publish_at_qos_1_and_2_stores_the_topic)
{
    REQUIRE_STATUS(connect_with_out_alias(5, 4), MQTLS_OK);
    mqtls_publish_t p = aliased("a/b", 1, 1);
    uint16_t id1, id2, id3;
    CHECK_STATUS(mqtls_publish(&F.c, &p, &id1), MQTLS_OK);
    mock_sent_clear(&F.m);
    p = aliased("", 1, 1);
    CHECK_STATUS(mqtls_publish(&F.c, &p, &id2), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "32 09 00 00 00 02 03 23 00 01 78");
    mock_sent_clear(&F.m);
    p = aliased("", 1, 2);
    CHECK_STATUS(mqtls_publish(&F.c, &p, &id3), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "34 09 00 00 00 03 03 23 00 01 78");
    /* Alias 4 defined with a topic longer than its slot holds: the broker knows it, but a
     * QoS 1 message cannot rely on it alone (its stored copy could not name the topic). */
    p = aliased("a-topic-longer-than-the-thirty-two-bytes-of-a-slot", 4, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    p = aliased("", 4, 1);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("", 4, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    /* The link drops; the broker resumes the session and acknowledges the first: the other
     * two are resent (DUP) with their topic and without the alias. */
    F.m.eof_when_empty = true;
    mqtls_step(&F.c);
    F.m.eof_when_empty = false;
    REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK); /* transport, CONNECT */
    mock_sent_clear(&F.m);
    pb_push_connack(&F.m, F.v, true, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, id1, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "3a 09 00 03 61 2f 62 00 01 00 78 3a 09 00 03 61 2f 62 00 02 00 78 "
                            "3c 09 00 03 61 2f 62 00 03 00 78");
    CHECK_EQ_INT(mqtls_inflight(&F.c), 2);
    /* The new connection knows no alias: alias-only is refused until it is defined again. */
    p = aliased("", 1, 1);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    pb_client_teardown(&F);
}

TEST(alias_is_dropped_in_311)
{
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    mqtls_publish_t p = aliased("t", 3, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 04 00 01 74 78");
    p = aliased("", 3, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_MALFORMED_TOPIC);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- transport behaviour */

static void publish_mix(void)
{
    static uint8_t big[300];
    memset(big, 'B', sizeof big);
    mqtls_publish_t a = msg("a", "1", 0), b = msg("b/c", "22", 1), c = msg("d", NULL, 2);
    c.payload = big;
    c.payload_len = sizeof big;
    CHECK_STATUS(mqtls_publish(&F.c, &a, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &b, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &c, NULL), MQTLS_OK);
}

TEST(partial_and_delayed_sends_give_the_same_bytes)
{
    static uint8_t base[1024];
    size_t base_len;
    REQUIRE_STATUS(connect_v(MQTLS_V5, NULL), MQTLS_OK);
    publish_mix();
    const uint8_t *s = mock_sent(&F.m, &base_len);
    REQUIRE(base_len <= sizeof base);
    memcpy(base, s, base_len);
    pb_client_teardown(&F);

    for (int mode = 0; mode < 3; mode++) {
        REQUIRE_STATUS(connect_v(MQTLS_V5, NULL), MQTLS_OK);
        if (mode != 1)
            F.m.send_max = mode == 0 ? 1 : 7;
        if (mode != 0)
            F.m.delay_send = true;
        unsigned w0 = F.m.writes;
        publish_mix();
        size_t len;
        s = mock_sent(&F.m, &len);
        CHECK_EQ_INT(len, base_len);
        CHECK_EQ_MEM(s, base, len < base_len ? len : base_len);
        if (mode == 0)
            CHECK_EQ_INT(F.m.writes - w0, base_len);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        pb_client_teardown(&F);
    }
}

TEST(send_failure_ends_the_connection_and_keeps_the_message)
{
    mqtls_publish_t p = msg("t", "x", 1);
    REQUIRE_STATUS(connect_v(MQTLS_V311, NULL), MQTLS_OK);
    F.m.fail_send_at = F.m.sent_total + 3; /* the PUBLISH breaks off after 3 bytes */
    F.m.fail_send_status = MQTLS_ERR_IO;
    /* Accepted (stored, in the window): the broken link is the event's news, not the call's. */
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_DISCONNECTED);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_IO);
    /* The message stays for the session to resend. */
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    CHECK(F.store.used > 0);
    pb_client_teardown(&F);
}

/* A transport that accepts nothing after its first stuck_after bytes; its wait lets time
 * pass. */
static long long stuck_after;

static mqtls_status_t stuck_connect(void *ctx, const char *host, uint16_t port)
{
    return mock_transport_ops.connect(ctx, host, port);
}
static int32_t stuck_send(void *ctx, const mqtls_iov_t *iov, size_t n)
{
    mock_transport_t *m = ctx;
    if (m->sent_total >= stuck_after) /* CONNECT may pass */
        return 0;
    return mock_transport_ops.send(ctx, iov, n);
}
static int32_t stuck_recv(void *ctx, uint8_t *buf, size_t len)
{
    return mock_transport_ops.recv(ctx, buf, len);
}
static mqtls_status_t stuck_wait(void *ctx, int for_write, uint32_t ms)
{
    (void)ctx, (void)for_write;
    mock_clock_advance(ms < 1000 ? ms : 1000);
    return MQTLS_ERR_TIMEOUT;
}
static void stuck_close(void *ctx)
{
    mock_transport_ops.close(ctx);
}

TEST(send_that_never_completes_times_out)
{
    static const mqtls_transport_t stuck = {stuck_connect, stuck_send, stuck_recv, stuck_wait,
                                            stuck_close};
    mqtls_publish_t p = msg("t", "x", 0);
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.transport = &stuck;
    stuck_after = 17; /* CONNECT is 17 bytes */
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TIMEOUT);
    uint32_t spent = mock_clock_now() - t0;
    CHECK(spent >= MQTLS_CFG_SEND_TIMEOUT_MS);
    CHECK(spent < MQTLS_CFG_SEND_TIMEOUT_MS + 1000);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_TIMEOUT);
    pb_client_teardown(&F);
}

/* Publishing from the event callback (allowed by client.h). */
static void echo_on_message(pb_client_t *f, const mqtls_event_t *ev)
{
    if (ev->type != MQTLS_EV_MESSAGE)
        return;
    mqtls_publish_t p = msg("echo", NULL, 1);
    p.payload = ev->message->payload;
    p.payload_len = ev->message->payload_len;
    f->user = (void *)(intptr_t)mqtls_publish(&f->c, &p, NULL);
}

TEST(publish_from_the_event_callback)
{
    REQUIRE_STATUS(connect_v(MQTLS_V311, NULL), MQTLS_OK);
    F.on_event = echo_on_message;
    F.user = (void *)(intptr_t)-1;
    pb_push_publish(&F.m, F.v, "in", "ping", 4, 1, 9, false, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT((intptr_t)F.user, MQTLS_OK);
    /* The echo (PUBLISH id 1), then the PUBACK for the incoming message. */
    PB_CHECK_SENT_HEX(&F.m, "32 0c 00 04 65 63 68 6f 00 01 70 69 6e 67 40 02 00 09");
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    pb_client_teardown(&F);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(qos0_bytes_and_no_store);
    RUN(qos0_needs_no_store);
    RUN(publish_ignores_callers_dup_and_packet_id);
    RUN(publish_5_properties_bytes);
    RUN(publish_argument_and_state_errors);
    RUN(qos1_bytes_store_and_puback);
    RUN(qos1_puback_refusal_and_properties);
    RUN(acks_in_any_order_complete_the_right_messages);
    RUN(unknown_or_mismatched_acks);
    RUN(qos2_answered_with_puback_is_reported_downgraded);
    RUN(qos2_pubrec_pubrel_pubcomp);
    RUN(qos2_pubrec_refusal_ends_the_exchange);
    RUN(qos_without_store_is_refused);
    RUN(store_full_refuses_and_sends_nothing);
    RUN(store_refusal_of_any_kind_is_a_store_error);
    RUN(payload_is_sent_from_the_callers_buffer);
    RUN(without_coalescing_every_publish_is_written_at_once);
    RUN(coalesced_publishes_leave_in_one_write_at_flush);
    RUN(coalesced_publishes_leave_in_one_write_at_step);
    RUN(coalescing_keeps_order_when_the_buffer_fills);
    RUN(coalesced_acks_follow_in_order);
    RUN(window_full_at_inflight_cap);
    RUN(no_inflight_table_means_no_qos);
    RUN(server_receive_maximum_limits_the_window);
    RUN(server_maximum_packet_size);
    RUN(server_maximum_qos);
    RUN(server_retain_not_available);
    RUN(server_limits_are_reset_by_a_new_connack);
    RUN(limits_of_a_311_connack_are_the_defaults);
    RUN(alias_defined_then_used_with_an_empty_topic);
    RUN(alias_errors);
    RUN(alias_a_failed_definition_defines_nothing);
    RUN(aliases_are_forgotten_on_reconnect);
    RUN(alias_with_qos1_stores_the_full_topic);
    RUN(alias_only_publish_at_qos_1_and_2_stores_the_topic);
    RUN(alias_is_dropped_in_311);
    RUN(partial_and_delayed_sends_give_the_same_bytes);
    RUN(send_failure_ends_the_connection_and_keeps_the_message);
    RUN(send_that_never_completes_times_out);
    RUN(publish_from_the_event_callback);
    return test_main_end();
}
