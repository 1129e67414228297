/**
 * @file test_receive.c
 * @brief Incoming packets: QoS 0/1/2 delivery and exactly-once, topic aliases, packets too
 *        large for the receive buffer, malformed input, protocol errors, and byte streams
 *        that arrive split, delayed or corrupted.
 */
#include <stdio.h>
#include <string.h>

#include "mqtls/client.h"
#include "mqtls/reason.h"
#include "packet_builder.h"
#include "test.h"

static pb_client_t F;

#define PROP(id) MQTLS_PROPBIT(MQTLS_PROP_##id)

static mqtls_status_t connect_v(mqtls_version_t v)
{
    pb_client_setup(&F, v);
    pb_client_start(&F);
    return pb_client_connect(&F, false, NULL);
}

static mqtls_props_t alias_props(uint16_t alias)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(TOPIC_ALIAS);
    p.topic_alias = alias;
    return p;
}

/* The connection ended for @p st: state, one event, and (5.0) DISCONNECT @p reason sent. */
static void check_failed(mqtls_status_t got, mqtls_status_t st, uint8_t reason)
{
    CHECK_STATUS(got, st);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK(!F.m.open);
    int i = pb_client_find_event(&F, MQTLS_EV_DISCONNECTED, 0);
    REQUIRE(i >= 0);
    CHECK_STATUS(F.ev[i].status, st);
    if (F.v == MQTLS_V5)
        CHECK_EQ_INT(F.ev[i].reason, reason); /* the reason we gave the broker */
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_DISCONNECTED), 1);
    size_t len;
    const uint8_t *s = mock_sent(&F.m, &len);
    if (F.v == MQTLS_V5 && reason) {
        uint8_t want[3] = {0xE0, 0x01, reason};
        REQUIRE(len >= 3);
        CHECK_EQ_MEM(s + len - 3, want, 3);
    } else {
        CHECK(len < 2 || s[len - 2] != 0xE0); /* 3.1.1: no DISCONNECT from the client */
    }
}

/* ---------------------------------------------------------------- pause and decline */

/* What the hook does at the Nth message (counting from 1): pause, or decline. */
static int hold_at, hold_seen;
static bool hold_decline;

static void hold_hook(pb_client_t *f, const mqtls_event_t *ev)
{
    if (ev->type != MQTLS_EV_MESSAGE || ++hold_seen != hold_at)
        return;
    if (hold_decline)
        mqtls_decline(&f->c);
    else
        mqtls_pause(&f->c);
}

static void push_three(uint8_t qos)
{
    for (uint16_t id = 1; id <= 3; id++)
        pb_push_publish(&F.m, F.v, "t", id == 1 ? "a" : id == 2 ? "b" : "c", 1, qos, id, false,
                        NULL);
}

/* mqtls sub -C 1 with three messages in one read: after mqtls_pause() at the first, only
 * the first is acknowledged; the others stay unread until mqtls_resume(). */
TEST(pause_leaves_the_rest_unacknowledged_until_resume)
{
    for (uint8_t qos = 1; qos <= 2; qos++) {
        REQUIRE_STATUS(connect_v(MQTLS_V311), MQTLS_OK);
        F.on_event = hold_hook;
        hold_at = 1, hold_seen = 0, hold_decline = false;
        push_three(qos);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 1);
        PB_CHECK_SENT_HEX(&F.m, qos == 1 ? "40 02 00 01" : "50 02 00 01");
        /* Paused: more steps read nothing and acknowledge nothing. */
        mock_sent_clear(&F.m);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 1);
        CHECK_EQ_INT(F.m.out_len, 0);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        mqtls_resume(&F.c);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 3);
        PB_CHECK_SENT_HEX(&F.m, qos == 1 ? "40 02 00 02 40 02 00 03" : "50 02 00 02 50 02 00 03");
        pb_client_teardown(&F);
    }
}

/* mqtls_decline(): the message itself is not taken: not acknowledged (QoS 2: its id is not
 * kept, so a later delivery counts as the first), and it is delivered again on resume. */
TEST(decline_leaves_the_message_unacknowledged_and_delivers_it_again)
{
    for (uint8_t qos = 0; qos <= 2; qos++) {
        REQUIRE_STATUS(connect_v(MQTLS_V5), MQTLS_OK);
        F.on_event = hold_hook;
        hold_at = 2, hold_seen = 0, hold_decline = true;
        push_three(qos);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 2);
        if (qos == 1)
            PB_CHECK_SENT_HEX(&F.m, "40 02 00 01");
        else if (qos == 2)
            PB_CHECK_SENT_HEX(&F.m, "50 02 00 01");
        else
            CHECK_EQ_INT(F.m.out_len, 0);
        CHECK_EQ_INT(F.c.qos2_in_count, (qos == 2) ? 1 : 0);
        mock_sent_clear(&F.m);
        mqtls_resume(&F.c);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        REQUIRE_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 4);
        CHECK_EQ_INT(F.ev[F.nev - 2].payload[0], 'b'); /* the declined one, again */
        CHECK_EQ_INT(F.ev[F.nev - 1].payload[0], 'c');
        if (qos == 1)
            PB_CHECK_SENT_HEX(&F.m, "40 02 00 02 40 02 00 03");
        else if (qos == 2)
            PB_CHECK_SENT_HEX(&F.m, "50 02 00 02 50 02 00 03");
        pb_client_teardown(&F);
    }
}

/* ---------------------------------------------------------------- QoS 0 / 1 */

TEST(qos0_is_delivered)
{
    for (int v = 0; v < 2; v++) {
        REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311), MQTLS_OK);
        pb_buf_t b;
        b.len = 0;
        pb_add_publish(&b, F.v, "a/b", "hello", 5, 0, 0, false, true, NULL);
        pb_push(&F.m, &b);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_MESSAGE);
        CHECK(F.ev[0].has_message);
        CHECK_EQ_STR(F.ev[0].topic, "a/b");
        CHECK_EQ_INT(F.ev[0].payload_len, 5);
        CHECK_EQ_MEM(F.ev[0].payload, "hello", 5);
        CHECK_EQ_INT(F.ev[0].qos, 0);
        CHECK(F.ev[0].retain);
        CHECK_EQ_INT(F.ev[0].packet_id, 0);
        CHECK_EQ_INT(F.ev[0].has_props, v == 1);
        CHECK_EQ_INT(F.m.out_len, 0);
        pb_client_teardown(&F);
    }
}

TEST(qos1_is_delivered_then_acknowledged)
{
    for (int v = 0; v < 2; v++) {
        REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311), MQTLS_OK);
        pb_push_publish(&F.m, F.v, "t", "x", 1, 1, 7, false, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_MESSAGE);
        CHECK_EQ_INT(F.ev[0].qos, 1);
        CHECK_EQ_INT(F.ev[0].packet_id, 7);
        CHECK_EQ_INT(F.ev[0].sent_at, 0); /* delivered before the PUBACK left */
        PB_CHECK_SENT_HEX(&F.m, "40 02 00 07");
        /* A resend (DUP) is delivered again: QoS 1 is at least once. */
        mock_sent_clear(&F.m);
        pb_push_publish(&F.m, F.v, "t", "x", 1, 1, 7, true, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        REQUIRE_EQ_INT(F.nev, 2);
        CHECK(F.ev[1].dup);
        PB_CHECK_SENT_HEX(&F.m, "40 02 00 07");
        pb_client_teardown(&F);
    }
}

TEST(publish_5_properties_reach_the_event)
{
    static const mqtls_user_prop_t up = {{"k", 1}, {"v", 1}};
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(MESSAGE_EXPIRY) | PROP(CONTENT_TYPE);
    p.message_expiry = 30;
    p.content_type = mqtls_str("text/plain");
    p.user = &up;
    p.user_count = 1;
    REQUIRE_STATUS(connect_v(MQTLS_V5), MQTLS_OK);
    pb_push_publish(&F.m, F.v, "t", "", 0, 0, 0, false, &p);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].payload_len, 0);
    CHECK_EQ_INT(F.ev[0].props_present, p.present | PROP(USER_PROPERTY));
    CHECK_EQ_INT(F.ev[0].message_expiry, 30);
    CHECK_EQ_INT(F.ev[0].user_count, 1);
    CHECK_EQ_STR(F.ev[0].user_key, "k");
    CHECK_EQ_STR(F.ev[0].user_value, "v");
    pb_client_teardown(&F);
}

TEST(several_packets_in_one_read_and_one_packet_over_several)
{
    REQUIRE_STATUS(connect_v(MQTLS_V311), MQTLS_OK);
    pb_buf_t b;
    b.len = 0;
    for (int i = 0; i < 5; i++) {
        char t[2] = {(char)('a' + i), 0};
        pb_add_publish(&b, F.v, t, "p", 1, (uint8_t)(i % 2), (uint16_t)(i % 2 ? i : 0), false,
                       false, NULL);
    }
    pb_push(&F.m, &b);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 5);
    for (int i = 0; i < 5; i++) {
        char t[2] = {(char)('a' + i), 0};
        CHECK_EQ_STR(F.ev[i].topic, t);
    }
    PB_CHECK_SENT_HEX(&F.m, "40 02 00 01 40 02 00 03");

    /* One packet in three pieces, with steps in between. */
    pb_client_clear_events(&F);
    b.len = 0;
    pb_add_publish(&b, F.v, "split/topic", "payload", 7, 0, 0, false, false, NULL);
    mock_push(&F.m, b.data, 1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    mock_push(&F.m, b.data + 1, 5);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.nev, 0);
    mock_push(&F.m, b.data + 6, b.len - 6);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_STR(F.ev[0].topic, "split/topic");
    CHECK_EQ_MEM(F.ev[0].payload, "payload", 7);
    pb_client_teardown(&F);
}

TEST(packets_straddling_a_full_receive_buffer)
{
    /* Two 40-byte packets in one chunk with a 64-byte buffer: the first read holds one and
     * a part of the next, which must be kept and completed. */
    static char pay[40];
    memset(pay, 'q', sizeof pay);
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.rx_size = 64;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_buf_t b;
    b.len = 0;
    for (int i = 0; i < 4; i++)
        pb_add_publish(&b, F.v, "tt", pay, 34, 0, 0, false, false, NULL); /* 40 bytes */
    pb_push(&F.m, &b);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.nev, 4);
    for (int i = 0; i < F.nev; i++) {
        CHECK_EQ_INT(F.ev[i].payload_len, 34);
        CHECK_EQ_MEM(F.ev[i].payload, pay, 34);
    }
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- QoS 2 */

TEST(qos2_exactly_once)
{
    for (int v = 0; v < 2; v++) {
        REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311), MQTLS_OK);
        pb_push_publish(&F.m, F.v, "t", "once", 4, 2, 7, false, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_MESSAGE);
        CHECK_EQ_INT(F.ev[0].qos, 2);
        CHECK_EQ_INT(F.ev[0].packet_id, 7);
        CHECK_EQ_INT(F.ev[0].sent_at, 0);
        PB_CHECK_SENT_HEX(&F.m, "50 02 00 07");

        /* The resend (our PUBREC was lost): acknowledged again, not delivered again. */
        mock_sent_clear(&F.m);
        pb_push_publish(&F.m, F.v, "t", "once", 4, 2, 7, true, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(F.nev, 1);
        PB_CHECK_SENT_HEX(&F.m, "50 02 00 07");

        /* PUBREL ends it: PUBCOMP, and the id is free. */
        mock_sent_clear(&F.m);
        pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 7, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        PB_CHECK_SENT_HEX(&F.m, "70 02 00 07");
        CHECK_EQ_INT(F.nev, 1);

        /* The same id now starts a new message, which is delivered. */
        mock_sent_clear(&F.m);
        pb_push_publish(&F.m, F.v, "t", "twice", 5, 2, 7, false, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        REQUIRE_EQ_INT(F.nev, 2);
        CHECK_EQ_MEM(F.ev[1].payload, "twice", 5);
        PB_CHECK_SENT_HEX(&F.m, "50 02 00 07");
        pb_client_teardown(&F);
    }
}

TEST(qos2_several_interleaved)
{
    REQUIRE_STATUS(connect_v(MQTLS_V5), MQTLS_OK);
    pb_push_publish(&F.m, F.v, "t", "1", 1, 2, 1, false, NULL);
    pb_push_publish(&F.m, F.v, "t", "2", 1, 2, 2, false, NULL);
    pb_push_publish(&F.m, F.v, "t", "3", 1, 2, 3, false, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 2, 0, NULL);
    pb_push_publish(&F.m, F.v, "t", "1", 1, 2, 1, true, NULL);
    pb_push_publish(&F.m, F.v, "t", "3", 1, 2, 3, true, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 1, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 3, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.nev, 3);
    PB_CHECK_SENT_HEX(&F.m, "50 02 00 01 50 02 00 02 50 02 00 03 70 02 00 02"
                            " 50 02 00 01 50 02 00 03 70 02 00 01 70 02 00 03");
    pb_client_teardown(&F);
}

TEST(pubrel_for_an_unknown_id)
{
    REQUIRE_STATUS(connect_v(MQTLS_V5), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 8, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "70 03 00 08 92"); /* Packet Identifier not found */
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(F.nev, 0);
    pb_client_teardown(&F);

    REQUIRE_STATUS(connect_v(MQTLS_V311), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 8, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "70 02 00 08");
    pb_client_teardown(&F);
}

TEST(qos2_beyond_our_receive_maximum)
{
    for (int v = 0; v < 2; v++) {
        pb_client_setup(&F, v ? MQTLS_V5 : MQTLS_V311);
        F.cfg.qos2_in_cap = 2;
        pb_client_start(&F);
        REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
        pb_push_publish(&F.m, F.v, "t", "1", 1, 2, 1, false, NULL);
        pb_push_publish(&F.m, F.v, "t", "2", 1, 2, 2, false, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(F.nev, 2);
        /* A resend of a held one still fits. */
        pb_push_publish(&F.m, F.v, "t", "2", 1, 2, 2, true, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        mock_sent_clear(&F.m);
        pb_push_publish(&F.m, F.v, "t", "3", 1, 2, 3, false, NULL);
        mqtls_status_t st = mqtls_step(&F.c);
        check_failed(st, MQTLS_ERR_RECEIVE_MAXIMUM, MQTLS_RC_RECEIVE_MAXIMUM_EXCEEDED);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 2);
        if (v)
            PB_CHECK_SENT_HEX(&F.m, "e0 01 93");
        else
            CHECK_EQ_INT(F.m.out_len, 0);
        pb_client_teardown(&F);
    }
}

TEST(qos2_slot_is_freed_by_pubrel)
{
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.qos2_in_cap = 1;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    for (uint16_t id = 1; id <= 5; id++) {
        pb_push_publish(&F.m, F.v, "t", "x", 1, 2, id, false, NULL);
        pb_push_ack(&F.m, F.v, MQTLS_PUBREL, id, 0, NULL);
    }
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(F.nev, 5);
    pb_client_teardown(&F);
}

TEST(qos2_without_a_table_is_refused)
{
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.qos2_in = NULL;
    F.cfg.qos2_in_cap = 0;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_push_publish(&F.m, F.v, "t", "x", 1, 2, 1, false, NULL);
    check_failed(mqtls_step(&F.c), MQTLS_ERR_RECEIVE_MAXIMUM, 0);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- incoming topic aliases */

TEST(alias_defines_and_resolves)
{
    REQUIRE_STATUS(connect_v(MQTLS_V5), MQTLS_OK);
    mqtls_props_t a1 = alias_props(1), a4 = alias_props(4);
    pb_push_publish(&F.m, F.v, "a/b", "1", 1, 0, 0, false, &a1);
    pb_push_publish(&F.m, F.v, "", "2", 1, 0, 0, false, &a1);
    pb_push_publish(&F.m, F.v, "x/y/z", "3", 1, 1, 5, false, &a4);
    pb_push_publish(&F.m, F.v, "", "4", 1, 2, 6, false, &a4);
    pb_push_publish(&F.m, F.v, "c", "5", 1, 0, 0, false, &a1); /* redefinition */
    pb_push_publish(&F.m, F.v, "", "6", 1, 0, 0, false, &a1);
    pb_push_publish(&F.m, F.v, "", "7", 1, 0, 0, false, &a4);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    REQUIRE_EQ_INT(F.nev, 7);
    static const char *const want[7] = {"a/b", "a/b", "x/y/z", "x/y/z", "c", "c", "x/y/z"};
    for (int i = 0; i < 7; i++) {
        if (!CHECK_EQ_STR(F.ev[i].topic, want[i]))
            test_note("message %d", i + 1);
        CHECK_EQ_INT(F.ev[i].topic_len, strlen(want[i]));
        CHECK_EQ_INT(F.ev[i].payload[0], '1' + i);
    }
    CHECK_EQ_INT(F.ev[1].topic_alias, 1);
    pb_client_teardown(&F);
}

TEST(alias_longest_topic_a_slot_holds)
{
    /* slots of 34 bytes hold topics of 32 */
    static const char t32[] = "0123456789abcdef0123456789abcdef";
    static const char t33[] = "0123456789abcdef0123456789abcdef!";
    mqtls_props_t a = alias_props(2);
    REQUIRE_STATUS(connect_v(MQTLS_V5), MQTLS_OK);
    pb_push_publish(&F.m, F.v, t32, "x", 1, 0, 0, false, &a);
    pb_push_publish(&F.m, F.v, "", "y", 1, 0, 0, false, &a);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 2);
    CHECK_EQ_STR(F.ev[1].topic, t32);
    /* A longer one cannot be kept: the connection ends rather than a slot overflowing. */
    pb_push_publish(&F.m, F.v, t33, "z", 1, 0, 0, false, &a);
    check_failed(mqtls_step(&F.c), MQTLS_ERR_TOPIC_ALIAS, MQTLS_RC_TOPIC_ALIAS_INVALID);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 2);
    /* The neighbouring slots are intact. */
    CHECK_EQ_INT(F.alias[2 * 34], 0);
    CHECK_EQ_INT(F.alias[2 * 34 + 1], 0);
    pb_client_teardown(&F);
}

static void check_alias_error(const char *topic, uint16_t alias, const char *raw_hex)
{
    REQUIRE_STATUS(connect_v(MQTLS_V5), MQTLS_OK);
    mock_sent_clear(&F.m);
    if (raw_hex) {
        mock_push_hex(&F.m, raw_hex);
    } else {
        mqtls_props_t a = alias_props(alias);
        pb_push_publish(&F.m, F.v, topic, "x", 1, 0, 0, false, &a);
    }
    check_failed(mqtls_step(&F.c), MQTLS_ERR_TOPIC_ALIAS, MQTLS_RC_TOPIC_ALIAS_INVALID);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
    PB_CHECK_SENT_HEX(&F.m, "e0 01 94");
    pb_client_teardown(&F);
}

TEST(alias_unknown)
{
    check_alias_error("", 2, NULL);
}

TEST(alias_above_our_slots)
{
    check_alias_error("a/b", 5, NULL); /* we have 4 */
    check_alias_error("", 5, NULL);
    check_alias_error("a", 65535, NULL);
}

TEST(alias_zero)
{
    /* PUBLISH "t" with Topic Alias 0 (the encoder refuses to write it) */
    check_alias_error(NULL, 0, "30 08 00 01 74 03 23 00 00 78");
}

TEST(alias_without_alias_memory)
{
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.alias_buf = NULL;
    F.cfg.alias_slots = 0;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    mqtls_props_t a = alias_props(1);
    pb_push_publish(&F.m, F.v, "a", "x", 1, 0, 0, false, &a);
    check_failed(mqtls_step(&F.c), MQTLS_ERR_TOPIC_ALIAS, MQTLS_RC_TOPIC_ALIAS_INVALID);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
    pb_client_teardown(&F);
}

TEST(alias_mappings_die_with_the_connection)
{
    /* [MQTT-3.3.2-7]: a receiver must not carry aliases from one connection to the next. */
    REQUIRE_STATUS(connect_v(MQTLS_V5), MQTLS_OK);
    mqtls_props_t a = alias_props(1);
    pb_push_publish(&F.m, F.v, "a/b", "x", 1, 0, 0, false, &a);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    mqtls_abort(&F.c);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_push_publish(&F.m, F.v, "", "y", 1, 0, 0, false, &a);
    mqtls_status_t st = mqtls_step(&F.c);
    if (F.nev > 0 && F.ev[0].type == MQTLS_EV_MESSAGE)
        test_note("delivered on the new connection with the old topic \"%s\"", F.ev[0].topic);
    check_failed(st, MQTLS_ERR_TOPIC_ALIAS, MQTLS_RC_TOPIC_ALIAS_INVALID);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
    pb_client_teardown(&F);
}

TEST(alias_memory_is_not_trusted_before_use)
{
    /* The caller hands over alias memory as it is (e.g. uninitialised). An alias the broker
     * never defined must still be unknown, and never resolve to whatever the memory holds. */
    pb_client_setup(&F, MQTLS_V5);
    memset(F.alias, 0xFF, sizeof F.alias);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    mqtls_props_t a = alias_props(1);
    pb_push_publish(&F.m, F.v, "", "y", 1, 0, 0, false, &a);
    mqtls_status_t st = mqtls_step(&F.c);
    if (F.nev > 0 && F.ev[0].type == MQTLS_EV_MESSAGE)
        test_note("delivered with a topic of %u bytes taken from the alias memory",
                  F.ev[0].topic_len);
    check_failed(st, MQTLS_ERR_TOPIC_ALIAS, MQTLS_RC_TOPIC_ALIAS_INVALID);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- packets too large */

static void check_too_large(mqtls_version_t v, size_t rx_size, size_t recv_max, size_t total,
                            bool all_bytes)
{
    static uint8_t pay[20000];
    memset(pay, 'P', sizeof pay);
    pb_client_setup(&F, v);
    F.cfg.rx_size = rx_size;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    F.m.recv_max = recv_max;
    static pb_buf_t b;
    b.len = 0;
    /* topic "t": header + 2 + 1 (+1 properties in 5.0) + payload */
    size_t hdr = total - 2 <= 127 ? 2 : 3; /* fixed header: 1 + 1 or 2 length bytes */
    size_t plen = total - hdr - 3 - (v == MQTLS_V5);
    pb_add_publish(&b, v, "t", pay, plen, 0, 0, false, false, NULL);
    REQUIRE_EQ_INT(b.len, total);
    mock_push(&F.m, b.data, all_bytes ? b.len : hdr + 2);
    mqtls_status_t st = MQTLS_OK;
    for (int i = 0; i < 100 && st == MQTLS_OK && mock_pending(&F.m); i++)
        st = mqtls_step(&F.c);
    check_failed(st, MQTLS_ERR_PACKET_TOO_LARGE, MQTLS_RC_PACKET_TOO_LARGE);
    int i = pb_client_find_event(&F, MQTLS_EV_DISCONNECTED, 0);
    if (i >= 0)
        CHECK_EQ_INT(F.ev[i].size, total);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
    if (v == MQTLS_V5)
        PB_CHECK_SENT_HEX(&F.m, "e0 01 95");
    else
        CHECK_EQ_INT(F.m.out_len, 0);
}

TEST(packet_larger_than_the_receive_buffer)
{
    for (int v = 0; v < 2; v++) {
        mqtls_version_t ver = v ? MQTLS_V5 : MQTLS_V311;
        check_too_large(ver, 64, 0, 100, true);
        pb_client_teardown(&F);
        check_too_large(ver, 64, 1, 65, true); /* one byte over, byte by byte */
        pb_client_teardown(&F);
        check_too_large(ver, 512, 0, 10000, false); /* told by the header alone */
        pb_client_teardown(&F);
        check_too_large(ver, 100, 3, 203, true);
        pb_client_teardown(&F);
    }
}

TEST(packet_exactly_the_receive_buffer_fits)
{
    static uint8_t pay[64];
    memset(pay, 'P', sizeof pay);
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.rx_size = 64;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    /* 2 (header) + 3 (topic) + 2 (id) + 1 (properties) + 56 = 64 */
    pb_push_publish(&F.m, F.v, "t", pay, 56, 1, 3, false, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].payload_len, 56);
    pb_client_teardown(&F);

    pb_client_setup(&F, MQTLS_V5);
    F.cfg.rx_size = 64;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    F.m.recv_max = 5;
    pb_push_publish(&F.m, F.v, "t", pay, 56, 1, 3, false, NULL);
    pb_push_publish(&F.m, F.v, "t", pay, 56, 1, 4, false, NULL);
    for (int i = 0; i < 40; i++)
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 2);
    CHECK_EQ_INT(F.ev[0].payload_len, 56);
    CHECK_EQ_INT(F.ev[1].packet_id, 4);
    PB_CHECK_SENT_HEX(&F.m, "40 02 00 03 40 02 00 04");
    pb_client_teardown(&F);
}

TEST(connack_too_large)
{
    static char reason[200];
    memset(reason, 'r', sizeof reason - 1);
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(REASON_STRING);
    p.reason_string = mqtls_str(reason);
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.rx_size = 64;
    pb_client_start(&F);
    REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    pb_push_connack(&F.m, F.v, false, 0, &p);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_PACKET_TOO_LARGE);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
    /* header 1 + 2, flags and code 2, property length 2, reason string 1 + 2 + 199 */
    CHECK_EQ_INT(F.ev[0].size, 3 + 2 + 2 + 3 + 199);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- malformed input */

typedef struct bad_input {
    const char *what;
    const char *hex;
    mqtls_status_t st;
    int versions; /* 1: 3.1.1, 2: 5.0, 3: both */
} bad_input_t;

static const bad_input_t malformed[] = {
    {"remaining length of 5 bytes", "30 ff ff ff ff 01", MQTLS_ERR_MALFORMED_REMAINING_LENGTH, 3},
    {"remaining length not minimal", "30 80 00", MQTLS_ERR_MALFORMED_REMAINING_LENGTH, 3},
    {"PUBLISH QoS 3", "36 06 00 01 74 00 01 78", MQTLS_ERR_MALFORMED_QOS, 1},
    {"PUBLISH QoS 3 (5.0)", "36 07 00 01 74 00 01 00 78", MQTLS_ERR_MALFORMED_QOS, 2},
    {"PUBLISH DUP with QoS 0", "38 04 00 01 74 78", MQTLS_ERR_MALFORMED_FLAGS, 1},
    {"PUBLISH packet id 0", "32 06 00 01 74 00 00 78", MQTLS_ERR_MALFORMED_PACKET_ID, 1},
    {"PUBLISH topic with '#'", "30 05 00 02 61 23 78", MQTLS_ERR_MALFORMED_TOPIC, 1},
    {"PUBLISH topic not UTF-8", "30 05 00 02 c3 28 78", MQTLS_ERR_MALFORMED_UTF8, 1},
    {"PUBLISH topic runs past", "30 03 00 05 61", MQTLS_ERR_MALFORMED_LENGTH, 1},
    {"PUBLISH empty topic (3.1.1)", "30 03 00 00 78", MQTLS_ERR_MALFORMED_TOPIC, 1},
    {"PUBLISH empty topic, no alias", "30 04 00 00 00 78", MQTLS_ERR_MALFORMED_TOPIC, 2},
    {"PUBLISH unknown property", "30 07 00 01 74 02 7f 00 78", MQTLS_ERR_MALFORMED_PROPERTY, 2},
    {"PUBLISH property not allowed", "30 08 00 01 74 03 21 00 01 78",
     MQTLS_ERR_PROPERTY_NOT_ALLOWED, 2},
    {"PUBACK with flags", "42 02 00 01", MQTLS_ERR_MALFORMED_FLAGS, 3},
    {"PUBACK packet id 0", "40 02 00 00", MQTLS_ERR_MALFORMED_PACKET_ID, 3},
    {"PUBACK too long", "40 03 00 01 00", MQTLS_ERR_MALFORMED_LENGTH, 1},
    {"PUBACK bad reason", "40 03 00 01 05", MQTLS_ERR_MALFORMED_REASON_CODE, 2},
    {"PUBREL without its flags", "60 02 00 01", MQTLS_ERR_MALFORMED_FLAGS, 3},
    {"PINGRESP with a body", "d0 01 00", MQTLS_ERR_MALFORMED_LENGTH, 3},
    {"reserved type 0", "00 00", MQTLS_ERR_MALFORMED_PACKET_TYPE, 3},
    {"AUTH in 3.1.1", "f0 00", MQTLS_ERR_MALFORMED_PACKET_TYPE, 1},
    {"SUBACK without codes", "90 02 00 01", MQTLS_ERR_MALFORMED_PAYLOAD, 1},
    {"SUBACK bad code", "90 03 00 01 03", MQTLS_ERR_MALFORMED_REASON_CODE, 1},
};

TEST(malformed_packets_end_the_connection)
{
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        for (int v = 0; v < 2; v++) {
            if (!(malformed[i].versions & (1 << v)))
                continue;
            REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311), MQTLS_OK);
            mock_sent_clear(&F.m);
            mock_push_hex(&F.m, malformed[i].hex);
            int failures = 0;
            mqtls_status_t st = mqtls_step(&F.c);
            failures += !CHECK_STATUS(st, malformed[i].st);
            failures += !CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
            failures += !CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
            int e = pb_client_find_event(&F, MQTLS_EV_DISCONNECTED, 0);
            failures += !CHECK(e >= 0 && F.ev[e].status == malformed[i].st);
            if (v) {
                PB_CHECK_SENT_HEX(&F.m, "e0 01 81");
            } else {
                failures += !CHECK_EQ_INT(F.m.out_len, 0);
            }
            if (failures)
                test_note("%s (%s)", malformed[i].what, v ? "5.0" : "3.1.1");
            pb_client_teardown(&F);
        }
    }
}

TEST(malformed_packet_after_good_ones)
{
    /* The good packets before it are handled; nothing after it is. */
    REQUIRE_STATUS(connect_v(MQTLS_V311), MQTLS_OK);
    pb_buf_t b;
    b.len = 0;
    pb_add_publish(&b, F.v, "t", "1", 1, 1, 1, false, false, NULL);
    uint8_t bad[2];
    pb_add_raw(&b, bad, pb_hex("00 00", bad, sizeof bad));
    pb_add_publish(&b, F.v, "t", "2", 1, 0, 0, false, false, NULL);
    pb_push(&F.m, &b);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_MALFORMED_PACKET_TYPE);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 1);
    PB_CHECK_SENT_HEX(&F.m, "40 02 00 01");
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- protocol errors */

TEST(packets_a_client_never_receives)
{
    static const struct {
        const char *what;
        const char *hex311, *hex5;
    } cases[] = {
        {"CONNECT", "10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 63",
         "10 0e 00 04 4d 51 54 54 05 02 00 3c 00 00 01 63"},
        {"SUBSCRIBE", "82 06 00 01 00 01 61 00", "82 07 00 01 00 00 01 61 00"},
        {"UNSUBSCRIBE", "a2 05 00 01 00 01 61", "a2 06 00 01 00 00 01 61"},
        {"PINGREQ", "c0 00", "c0 00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int v = 0; v < 2; v++) {
            REQUIRE_STATUS(connect_v(v ? MQTLS_V5 : MQTLS_V311), MQTLS_OK);
            mock_push_hex(&F.m, v ? cases[i].hex5 : cases[i].hex311);
            mqtls_status_t st = mqtls_step(&F.c);
            if (!CHECK_STATUS(st, MQTLS_ERR_PROTOCOL))
                test_note("%s (%s)", cases[i].what, v ? "5.0" : "3.1.1");
            check_failed(st, MQTLS_ERR_PROTOCOL, MQTLS_RC_PROTOCOL_ERROR);
            pb_client_teardown(&F);
        }
    }
}

TEST(end_of_stream_inside_a_packet)
{
    REQUIRE_STATUS(connect_v(MQTLS_V311), MQTLS_OK);
    pb_buf_t b;
    b.len = 0;
    pb_add_publish(&b, F.v, "topic", "payload", 7, 1, 1, false, false, NULL);
    mock_push(&F.m, b.data, b.len - 3);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    F.m.eof_when_empty = true;
    check_failed(mqtls_step(&F.c), MQTLS_ERR_CLOSED, 0);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
    CHECK_EQ_INT(F.m.out_len, 0);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- split, delayed, corrupt */

typedef struct variant {
    const char *name;
    size_t recv_max;
    size_t send_max;
    bool delay_recv;
    bool delay_send;
    bool per_packet_chunks; /* each broker packet its own chunk (else one chunk a phase) */
    long long corrupt_at;
} variant_t;

typedef struct outcome {
    char log[2048];
    size_t log_len;
    uint8_t sent[1024];
    size_t sent_len;
    mqtls_status_t status;
    mqtls_client_state_t state;
    size_t packet_starts[32];
    int packets;
    size_t stream_len;
} outcome_t;

static void log_events(outcome_t *o)
{
    o->log_len = 0;
    o->log[0] = '\0';
    for (int i = 0; i < F.nev; i++) {
        const pb_event_t *e = &F.ev[i];
        int n = snprintf(o->log + o->log_len, sizeof o->log - o->log_len,
                         "%d/%d/%u/%u/%d/%s/%.*s;", (int)e->type, (int)e->status,
                         (unsigned)e->packet_id, (unsigned)e->reason, (int)e->session_present,
                         e->topic, (int)(e->payload_len < 64 ? e->payload_len : 64),
                         (const char *)e->payload);
        if (n < 0 || (size_t)n >= sizeof o->log - o->log_len)
            break;
        o->log_len += (size_t)n;
    }
}

/* Queues the packets in @p b (whose starts are listed) as the variant says. */
static void push_phase(const variant_t *va, outcome_t *o, pb_buf_t *b, const size_t *starts,
                       int n)
{
    for (int i = 0; i < n && o->packets < 32; i++)
        o->packet_starts[o->packets++] = o->stream_len + starts[i];
    o->stream_len += b->len;
    if (!va->per_packet_chunks) {
        pb_push(&F.m, b);
        return;
    }
    for (int i = 0; i < n; i++) {
        size_t end = i + 1 < n ? starts[i + 1] : b->len;
        mock_push(&F.m, b->data + starts[i], end - starts[i]);
    }
    b->len = 0;
}

/* Steps until the input is used up (and a little more), or the connection ends. */
static mqtls_status_t drive(void)
{
    mqtls_status_t st = MQTLS_OK;
    int idle = 0;
    for (int i = 0; i < 5000 && idle < 4; i++) {
        if (mqtls_state(&F.c) == MQTLS_STATE_DISCONNECTED)
            break;
        st = mqtls_step(&F.c);
        if (st != MQTLS_OK)
            break;
        idle = mock_pending(&F.m) ? 0 : idle + 1;
    }
    return st;
}

/* One session's worth of traffic both ways, in 5.0. */
static void run_scenario(const variant_t *va, outcome_t *o)
{
    memset(o, 0, sizeof *o);
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.rx_size = 128;
    pb_client_start(&F);
    F.m.recv_max = va->recv_max;
    F.m.send_max = va->send_max;
    F.m.delay_recv = va->delay_recv;
    F.m.delay_send = va->delay_send;
    if (va->corrupt_at >= 0)
        mock_corrupt(&F.m, va->corrupt_at);

    static pb_buf_t b;
    size_t starts[16];
    int n = 0;
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(RECEIVE_MAXIMUM) | PROP(TOPIC_ALIAS_MAXIMUM);
    cp.receive_maximum = 10;
    cp.topic_alias_maximum = 2;
    b.len = 0;
    starts[n++] = b.len;
    pb_add_connack(&b, MQTLS_V5, false, 0, &cp);

    o->status = mqtls_connect(&F.c, &F.opts);
    if (o->status != MQTLS_OK)
        return;
    push_phase(va, o, &b, starts, n);
    o->status = drive();
    if (o->status == MQTLS_OK && mqtls_state(&F.c) == MQTLS_STATE_CONNECTED) {
        /* Our side: QoS 1 and 2 publishes, a subscription. */
        static const mqtls_subscription_t sub = {{"s/#", 3}, 2};
        mqtls_publish_t p;
        memset(&p, 0, sizeof p);
        p.topic = mqtls_str("out/1");
        p.payload = (const uint8_t *)"first";
        p.payload_len = 5;
        p.qos = 1;
        mqtls_publish(&F.c, &p, NULL); /* id 1 */
        p.topic = mqtls_str("out/2");
        p.qos = 2;
        p.props.present = PROP(TOPIC_ALIAS);
        p.props.topic_alias = 1;
        mqtls_publish(&F.c, &p, NULL); /* id 2 */
        mqtls_subscribe(&F.c, &sub, 1, NULL, NULL); /* id 3 */

        /* The broker's side. */
        static const uint8_t granted = 2;
        mqtls_props_t a1 = alias_props(1);
        n = 0;
        b.len = 0;
        starts[n++] = b.len;
        pb_add_publish(&b, MQTLS_V5, "in/0", "zero", 4, 0, 0, false, false, NULL);
        starts[n++] = b.len;
        pb_add_publish(&b, MQTLS_V5, "in/1", "one", 3, 1, 10, false, true, &a1);
        starts[n++] = b.len;
        pb_add_publish(&b, MQTLS_V5, "", "two", 3, 2, 11, false, false, &a1);
        starts[n++] = b.len;
        pb_add_ack(&b, MQTLS_V5, MQTLS_PUBACK, 1, 0, NULL);
        starts[n++] = b.len;
        pb_add_ack(&b, MQTLS_V5, MQTLS_PUBREC, 2, 0, NULL);
        starts[n++] = b.len;
        pb_add_suback(&b, MQTLS_V5, MQTLS_SUBACK, 3, &granted, 1);
        starts[n++] = b.len;
        pb_add_ack(&b, MQTLS_V5, MQTLS_PUBREL, 11, 0, NULL);
        starts[n++] = b.len;
        pb_add_publish(&b, MQTLS_V5, "in/1", "dup", 3, 2, 11, true, false, NULL);
        starts[n++] = b.len;
        pb_add_ack(&b, MQTLS_V5, MQTLS_PUBCOMP, 2, 0, NULL);
        starts[n++] = b.len;
        pb_add_pingresp(&b);
        push_phase(va, o, &b, starts, n);
        o->status = drive();
    }
    o->state = mqtls_state(&F.c);
    log_events(o);
    size_t len;
    const uint8_t *s = mock_sent(&F.m, &len);
    o->sent_len = len < sizeof o->sent ? len : sizeof o->sent;
    memcpy(o->sent, s, o->sent_len);
}

static outcome_t base_outcome, var_outcome;

TEST(split_delayed_and_partial_streams_give_the_same_results)
{
    static const variant_t base = {"whole", 0, 0, false, false, false, -1};
    static const variant_t variants[] = {
        {"per-packet chunks", 0, 0, false, false, true, -1},
        {"1-byte reads", 1, 0, false, false, false, -1},
        {"3-byte reads", 3, 0, false, false, true, -1},
        {"delayed reads", 0, 0, true, false, false, -1},
        {"1-byte delayed reads", 1, 0, true, false, true, -1},
        {"1-byte writes", 0, 1, false, false, false, -1},
        {"delayed writes", 0, 0, false, true, false, -1},
        {"everything", 1, 1, true, true, true, -1},
        {"2-byte reads, 5-byte writes", 2, 5, true, false, false, -1},
    };
    run_scenario(&base, &base_outcome);
    pb_client_teardown(&F);
    REQUIRE_STATUS(base_outcome.status, MQTLS_OK);
    REQUIRE_EQ_INT(base_outcome.state, MQTLS_STATE_CONNECTED);
    /* The baseline itself: what the scenario must produce. */
    CHECK_EQ_STR(base_outcome.log,
                 "0/0/0/0/0//;"               /* CONNECTED */
                 "2/0/0/0/0/in/0/zero;"       /* QoS 0 */
                 "2/0/10/0/0/in/1/one;"       /* QoS 1, alias defined */
                 "2/0/11/0/0/in/1/two;"       /* QoS 2 through the alias */
                 "3/0/1/0/0//;"               /* our QoS 1 done */
                 "5/0/3/0/0//;"               /* SUBACK */
                 "2/0/11/0/0/in/1/dup;"       /* id 11 again after PUBREL: a new message */
                 "3/0/2/0/0//;");             /* our QoS 2 done */
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        run_scenario(&variants[i], &var_outcome);
        int failures = 0;
        failures += !CHECK_STATUS(var_outcome.status, base_outcome.status);
        failures += !CHECK_EQ_INT(var_outcome.state, base_outcome.state);
        failures += !CHECK_EQ_STR(var_outcome.log, base_outcome.log);
        failures += !CHECK_EQ_INT(var_outcome.sent_len, base_outcome.sent_len);
        failures += !CHECK_EQ_MEM(var_outcome.sent, base_outcome.sent,
                                  var_outcome.sent_len < base_outcome.sent_len
                                      ? var_outcome.sent_len
                                      : base_outcome.sent_len);
        if (failures)
            test_note("variant: %s", variants[i].name);
        pb_client_teardown(&F);
    }
}

TEST(scenario_output_is_what_the_protocol_requires)
{
    static const variant_t base = {"whole", 0, 0, false, false, false, -1};
    run_scenario(&base, &base_outcome);
    /* CONNECT, PUBLISH 1, PUBLISH 2, SUBSCRIBE, then PUBACK 10, PUBREC 11, PUBREL 2,
     * PUBCOMP 11 and PUBREC 11 (the id was released, so its reuse is a new message). */
    CHECK_EQ_STR(pb_sent_types(&F.m, MQTLS_V5), "133845675");
    pb_sent_t s[16];
    REQUIRE_EQ_INT(pb_sent_decode(&F.m, MQTLS_V5, s, 16), 9);
    CHECK_EQ_INT(s[1].pkt.u.publish.packet_id, 1);
    CHECK_EQ_INT(s[2].pkt.u.publish.packet_id, 2);
    CHECK_EQ_INT(s[2].pkt.u.publish.props.topic_alias, 1);
    CHECK_EQ_INT(s[3].pkt.u.subscribe.packet_id, 3);
    CHECK_EQ_INT(s[4].pkt.u.ack.packet_id, 10);
    CHECK_EQ_INT(s[5].pkt.u.ack.packet_id, 11);
    CHECK_EQ_INT(s[6].pkt.u.ack.packet_id, 2);
    CHECK_EQ_INT(s[7].pkt.u.ack.packet_id, 11);
    CHECK_EQ_INT(s[8].pkt.u.ack.packet_id, 11);
    pb_client_teardown(&F);
}

TEST(a_corrupted_byte_gives_an_error_never_a_crash)
{
    static const variant_t base = {"whole", 0, 0, false, false, true, -1};
    run_scenario(&base, &base_outcome);
    pb_client_teardown(&F);
    REQUIRE_STATUS(base_outcome.status, MQTLS_OK);
    int errors = 0;
    for (int split = 0; split < 2; split++) {
        for (size_t off = 0; off < base_outcome.stream_len; off++) {
            variant_t va = base;
            va.corrupt_at = (long long)off;
            va.recv_max = split ? 1 : 0;
            run_scenario(&va, &var_outcome);
            int failures = 0;
            if (var_outcome.status != MQTLS_OK) {
                errors++;
                failures += !CHECK_EQ_INT(var_outcome.state, MQTLS_STATE_DISCONNECTED);
                /* exactly one event ends it, the last one, with that status */
                int ends = pb_client_count_events(&F, MQTLS_EV_DISCONNECTED) +
                           pb_client_count_events(&F, MQTLS_EV_CONNECT_FAILED);
                failures += !CHECK_EQ_INT(ends, 1);
                failures += !CHECK(F.nev > 0 && F.ev[F.nev - 1].status == var_outcome.status);
                failures += !CHECK_EQ_INT(F.m.open, false);
            } else {
                failures += !CHECK(var_outcome.state != MQTLS_STATE_DISCONNECTED);
            }
            /* The first byte of every packet is its type: flipped, it must be refused. */
            for (int k = 0; k < var_outcome.packets; k++)
                if (var_outcome.packet_starts[k] == off)
                    failures += !CHECK(var_outcome.status != MQTLS_OK);
            if (failures)
                test_note("corrupt byte %zu (%s reads): %s", off, split ? "1-byte" : "whole",
                          mqtls_strerror(var_outcome.status));
            pb_client_teardown(&F);
        }
    }
    CHECK(errors > 0);
    test_note("%zu stream bytes corrupted one at a time (twice): %d ended the connection",
              base_outcome.stream_len, errors);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(qos0_is_delivered);
    RUN(qos1_is_delivered_then_acknowledged);
    RUN(pause_leaves_the_rest_unacknowledged_until_resume);
    RUN(decline_leaves_the_message_unacknowledged_and_delivers_it_again);
    RUN(publish_5_properties_reach_the_event);
    RUN(several_packets_in_one_read_and_one_packet_over_several);
    RUN(packets_straddling_a_full_receive_buffer);
    RUN(qos2_exactly_once);
    RUN(qos2_several_interleaved);
    RUN(pubrel_for_an_unknown_id);
    RUN(qos2_beyond_our_receive_maximum);
    RUN(qos2_slot_is_freed_by_pubrel);
    RUN(qos2_without_a_table_is_refused);
    RUN(alias_defines_and_resolves);
    RUN(alias_longest_topic_a_slot_holds);
    RUN(alias_unknown);
    RUN(alias_above_our_slots);
    RUN(alias_zero);
    RUN(alias_without_alias_memory);
    RUN(alias_mappings_die_with_the_connection);
    RUN(alias_memory_is_not_trusted_before_use);
    RUN(packet_larger_than_the_receive_buffer);
    RUN(packet_exactly_the_receive_buffer_fits);
    RUN(connack_too_large);
    RUN(malformed_packets_end_the_connection);
    RUN(malformed_packet_after_good_ones);
    RUN(packets_a_client_never_receives);
    RUN(end_of_stream_inside_a_packet);
    RUN(split_delayed_and_partial_streams_give_the_same_results);
    RUN(scenario_output_is_what_the_protocol_requires);
    RUN(a_corrupted_byte_gives_an_error_never_a_crash);
    return test_main_end();
}
