/**
 * @file test_inflight.c
 * @brief QoS records: packet identifiers, and what happens to unacknowledged messages when
 *        a session resumes (resent in order with DUP, PUBREL for the released ones) or does
 *        not (dropped and reported), and to incoming QoS 2 ids.
 */
#include <string.h>

#include "mqtls/client.h"
#include "mqtls/reason.h"
#include "packet_builder.h"
#include "test.h"

static pb_client_t F;

#define PROP(id) MQTLS_PROPBIT(MQTLS_PROP_##id)

static mqtls_publish_t msg(const char *topic, const uint8_t *payload, size_t len, uint8_t qos)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = payload;
    p.payload_len = (uint32_t)len;
    p.qos = qos;
    return p;
}

static uint16_t publish(uint8_t qos)
{
    mqtls_publish_t p = msg("t", (const uint8_t *)"x", 1, qos);
    uint16_t id = 0;
    CHECK_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
    return id;
}

static mqtls_status_t connect_v(mqtls_version_t v)
{
    pb_client_setup(&F, v);
    pb_client_start(&F);
    return pb_client_connect(&F, false, NULL);
}

/* ---------------------------------------------------------------- packet identifiers */

TEST(packet_ids_start_at_one_and_increase)
{
    REQUIRE_STATUS(connect_v(MQTLS_V311), MQTLS_OK);
    CHECK_EQ_INT(publish(1), 1);
    CHECK_EQ_INT(publish(0), 0); /* QoS 0 takes no id */
    CHECK_EQ_INT(publish(2), 2);
    CHECK_EQ_INT(publish(1), 3);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 3);
    pb_client_teardown(&F);
}

TEST(packet_ids_wrap_around_skipping_zero)
{
    REQUIRE_STATUS(connect_v(MQTLS_V311), MQTLS_OK);
    F.c.next_packet_id = 65534;
    CHECK_EQ_INT(publish(1), 65535);
    CHECK_EQ_INT(publish(1), 1);
    CHECK_EQ_INT(publish(1), 2);
    pb_sent_t s[4];
    REQUIRE_EQ_INT(pb_sent_decode(&F.m, F.v, s, 4), 3);
    CHECK_EQ_INT(s[0].pkt.u.publish.packet_id, 65535);
    CHECK_EQ_INT(s[1].pkt.u.publish.packet_id, 1);
    pb_client_teardown(&F);
}

TEST(packet_ids_skip_those_in_flight)
{
    REQUIRE_STATUS(connect_v(MQTLS_V311), MQTLS_OK);
    CHECK_EQ_INT(publish(1), 1);
    CHECK_EQ_INT(publish(2), 2);
    CHECK_EQ_INT(publish(1), 3);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 2, 0, NULL); /* still in flight (awaits PUBCOMP) */
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 3, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    F.c.next_packet_id = 65535;
    CHECK_EQ_INT(publish(1), 3); /* 1 and 2 are taken */
    CHECK_EQ_INT(publish(1), 4);
    pb_client_teardown(&F);
}

TEST(every_id_in_flight_is_distinct)
{
    uint16_t ids[64];
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.inflight_cap = 64;
    mqtls_ram_store_init(&F.store, F.store_mem, sizeof F.store_mem);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    F.c.next_packet_id = 65500;
    for (int i = 0; i < 64; i++)
        ids[i] = publish((uint8_t)(1 + i % 2));
    for (int i = 0; i < 64; i++) {
        CHECK(ids[i] != 0);
        for (int k = 0; k < i; k++)
            CHECK(ids[i] != ids[k]);
    }
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- resume */

/* The application's payloads; overwritten after the connection drops. */
static uint8_t pay[5][8];
static uint8_t orig_raw[5][64];
static size_t orig_len[5];
static const uint8_t qos_of[5] = {1, 2, 1, 2, 1};

/* With clean start 0: 3 QoS 1 and 2 QoS 2 messages (ids 1..5), the first QoS 2 (id 2)
 * already PUBREC'd, then the connection drops. */
static void build_session(mqtls_version_t v, bool coalesce, size_t send_max)
{
    pb_client_setup(&F, v);
    F.opts.connect.clean_start = false;
    F.cfg.tx_coalesce = coalesce;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    F.m.send_max = send_max;
    for (int i = 0; i < 5; i++) {
        char topic[8] = {'m', '/', (char)('a' + i), 0};
        memset(pay[i], 'A' + i, sizeof pay[i]);
        mqtls_publish_t p = msg(topic, pay[i], sizeof pay[i], qos_of[i]);
        uint16_t id = 0;
        CHECK_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
        CHECK_EQ_INT(id, i + 1);
    }
    CHECK_STATUS(mqtls_flush(&F.c), MQTLS_OK);
    pb_sent_t s[8];
    REQUIRE_EQ_INT(pb_sent_decode(&F.m, v, s, 8), 5);
    for (int i = 0; i < 5; i++) {
        REQUIRE(s[i].len <= sizeof orig_raw[i]);
        memcpy(orig_raw[i], s[i].raw, s[i].len);
        orig_len[i] = s[i].len;
    }
    mock_sent_clear(&F.m);
    pb_push_ack(&F.m, v, MQTLS_PUBREC, 2, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "62 02 00 02");
    /* The broker goes away. */
    F.m.eof_when_empty = true;
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_CLOSED);
    REQUIRE_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    F.m.eof_when_empty = false;
    CHECK_EQ_INT(mqtls_inflight(&F.c), 5);
    /* The application reuses its buffers: only the store can bring the messages back. */
    memset(pay, 'X', sizeof pay);
    mock_sent_clear(&F.m);
    pb_client_clear_events(&F);
}

static mqtls_status_t reconnect(bool session_present, const mqtls_props_t *cp)
{
    mqtls_status_t st = mqtls_connect(&F.c, &F.opts);
    if (st == MQTLS_OK)
        st = mqtls_step(&F.c);
    if (st != MQTLS_OK)
        return st;
    pb_push_connack(&F.m, F.v, session_present, 0, cp);
    return mqtls_step(&F.c);
}

/* After CONNECT: every message again, in order, PUBLISH with DUP and PUBREL for id 2. */
static void check_resent(void)
{
    pb_buf_t want;
    want.len = 0;
    for (int i = 0; i < 5; i++) {
        if (i == 1) {
            uint8_t rel[4];
            pb_add_raw(&want, rel, pb_hex("62 02 00 02", rel, sizeof rel));
            continue;
        }
        pb_add_raw(&want, orig_raw[i], orig_len[i]);
        want.data[want.len - orig_len[i]] |= 0x08; /* DUP */
    }
    pb_sent_t s[8];
    REQUIRE_EQ_INT(pb_sent_decode(&F.m, F.v, s, 8), 6);
    CHECK_EQ_INT(s[0].pkt.type, MQTLS_CONNECT);
    size_t len;
    const uint8_t *sent = mock_sent(&F.m, &len);
    len -= s[0].len;
    CHECK_EQ_INT(len, want.len);
    CHECK_EQ_MEM(sent + s[0].len, want.data, len < want.len ? len : want.len);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "136333");
    for (int i = 1; i < 6; i++)
        if (s[i].pkt.type == MQTLS_PUBLISH) {
            CHECK(s[i].pkt.u.publish.dup);
            CHECK_EQ_INT(s[i].pkt.u.publish.payload[0], 'A' + (i - 1)); /* not 'X' */
        }
}

/* The broker completes every resumed exchange. */
static void complete_all(void)
{
    pb_client_clear_events(&F);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 1, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, 2, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 3, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREC, 4, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, 4, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 5, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE), 5);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(F.store.used, 0);
}

TEST(resume_resends_in_original_order)
{
    for (int v = 0; v < 2; v++) {
        build_session(v ? MQTLS_V5 : MQTLS_V311, false, 0);
        REQUIRE_STATUS(reconnect(true, NULL), MQTLS_OK);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        check_resent();
        int c = pb_client_find_event(&F, MQTLS_EV_CONNECTED, 0);
        REQUIRE(c >= 0);
        CHECK(F.ev[c].session_present);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DROPPED), 0);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 5);
        complete_all();
        pb_client_teardown(&F);
    }
}

TEST(resume_with_partial_sends_and_coalescing)
{
    for (int mode = 0; mode < 3; mode++) {
        build_session(MQTLS_V5, mode != 0, mode == 2 ? 0 : 1);
        REQUIRE_STATUS(reconnect(true, NULL), MQTLS_OK);
        check_resent();
        complete_all();
        pb_client_teardown(&F);
    }
}

TEST(resume_after_an_acknowledgement_keeps_the_rest_in_order)
{
    build_session(MQTLS_V311, false, 0);
    REQUIRE_STATUS(reconnect(true, NULL), MQTLS_OK);
    /* 3 and 2 complete, then the link drops again */
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 3, 0, NULL);
    pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, 2, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    mqtls_abort(&F.c);
    mock_sent_clear(&F.m);
    REQUIRE_STATUS(reconnect(true, NULL), MQTLS_OK);
    pb_sent_t s[8];
    REQUIRE_EQ_INT(pb_sent_decode(&F.m, F.v, s, 8), 4);
    CHECK_EQ_INT(s[1].pkt.u.publish.packet_id, 1);
    CHECK_EQ_INT(s[2].pkt.u.publish.packet_id, 4);
    CHECK_EQ_INT(s[3].pkt.u.publish.packet_id, 5);
    CHECK_EQ_MEM(s[2].raw + 1, orig_raw[3] + 1, orig_len[3] - 1);
    pb_client_teardown(&F);
}

TEST(resume_twice_resends_twice)
{
    build_session(MQTLS_V5, false, 0);
    REQUIRE_STATUS(reconnect(true, NULL), MQTLS_OK);
    check_resent();
    mqtls_abort(&F.c);
    mock_sent_clear(&F.m);
    REQUIRE_STATUS(reconnect(true, NULL), MQTLS_OK);
    check_resent();
    pb_client_teardown(&F);
}

TEST(no_session_on_the_broker_drops_everything)
{
    for (int v = 0; v < 2; v++) {
        build_session(v ? MQTLS_V5 : MQTLS_V311, false, 0);
        REQUIRE_STATUS(reconnect(false, NULL), MQTLS_OK);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "1"); /* CONNECT only */
        REQUIRE_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DROPPED), 5);
        int k = 0;
        for (int i = 0; i < F.nev; i++)
            if (F.ev[i].type == MQTLS_EV_PUBLISH_DROPPED)
                CHECK_EQ_INT(F.ev[i].packet_id, ++k); /* each, in order */
        int c = pb_client_find_event(&F, MQTLS_EV_CONNECTED, 0);
        REQUIRE(c >= 0);
        CHECK(!F.ev[c].session_present);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
        CHECK_EQ_INT(F.store.used, 0);
        /* Late acknowledgements for the dropped ids change nothing. */
        pb_client_clear_events(&F);
        pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 1, 0, NULL);
        pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, 2, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(F.nev, 0);
        /* The window is whole again. */
        for (int i = 0; i < 8; i++)
            publish(1);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 8);
        pb_client_teardown(&F);
    }
}

TEST(clean_start_drops_everything)
{
    build_session(MQTLS_V311, false, 0);
    F.opts.connect.clean_start = true;
    REQUIRE_STATUS(reconnect(false, NULL), MQTLS_OK);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DROPPED), 5);
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "1");
    pb_client_teardown(&F);
}

TEST(incoming_qos2_ids_survive_a_resumed_session)
{
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect.clean_start = false;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_push_publish(&F.m, F.v, "t", "x", 1, 2, 9, false, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.nev, 1);
    mqtls_abort(&F.c); /* our PUBREC may not have arrived */
    pb_client_clear_events(&F);
    mock_sent_clear(&F.m);
    REQUIRE_STATUS(reconnect(true, NULL), MQTLS_OK);
    mock_sent_clear(&F.m);
    pb_push_publish(&F.m, F.v, "t", "x", 1, 2, 9, true, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0); /* exactly once */
    PB_CHECK_SENT_HEX(&F.m, "50 02 00 09");
    mock_sent_clear(&F.m);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 9, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "70 02 00 09");
    pb_client_teardown(&F);
}

TEST(incoming_qos2_ids_are_cleared_without_a_session)
{
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect.clean_start = false;
    F.cfg.qos2_in_cap = 1;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_push_publish(&F.m, F.v, "t", "x", 1, 2, 9, false, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    mqtls_abort(&F.c);
    pb_client_clear_events(&F);
    REQUIRE_STATUS(reconnect(false, NULL), MQTLS_OK);
    mock_sent_clear(&F.m);
    /* The same id is a new message now, and the one-slot table has room for it. */
    pb_push_publish(&F.m, F.v, "t", "y", 1, 2, 9, false, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 1);
    PB_CHECK_SENT_HEX(&F.m, "50 02 00 09");
    pb_client_teardown(&F);
}

TEST(resent_message_names_its_topic_not_an_alias)
{
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(TOPIC_ALIAS_MAXIMUM);
    cp.topic_alias_maximum = 5;
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect.clean_start = false;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, &cp), MQTLS_OK);
    mqtls_publish_t p = msg("a/b", (const uint8_t *)"x", 1, 1);
    p.props.present = PROP(TOPIC_ALIAS);
    p.props.topic_alias = 1;
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    mqtls_abort(&F.c);
    mock_sent_clear(&F.m);
    REQUIRE_STATUS(reconnect(true, &cp), MQTLS_OK);
    pb_sent_t s[4];
    REQUIRE_EQ_INT(pb_sent_decode(&F.m, F.v, s, 4), 2);
    REQUIRE_EQ_INT(s[1].pkt.type, MQTLS_PUBLISH);
    CHECK(s[1].pkt.u.publish.dup);
    CHECK_EQ_INT(s[1].pkt.u.publish.topic.len, 3);
    CHECK_EQ_MEM(s[1].pkt.u.publish.topic.data, "a/b", 3);
    CHECK(!(s[1].pkt.u.publish.props.present & PROP(TOPIC_ALIAS)));
    pb_client_teardown(&F);
}

TEST(resume_respects_the_new_receive_maximum)
{
    /* The broker now allows one message in flight [MQTT-3.3.4-9]: the resent messages
     * must go one at a time, each after the previous one is acknowledged. */
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(RECEIVE_MAXIMUM);
    cp.receive_maximum = 1;
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect.clean_start = false;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    for (int i = 0; i < 3; i++)
        publish(1);
    mqtls_abort(&F.c);
    mock_sent_clear(&F.m);
    pb_client_clear_events(&F);
    REQUIRE_STATUS(reconnect(true, &cp), MQTLS_OK);
    int most = 0;
    for (int round = 0; round < 10 && pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE) < 3;
         round++) {
        pb_sent_t s[8];
        int n = pb_sent_decode(&F.m, F.v, s, 8);
        REQUIRE(n >= 0);
        int outstanding = 0;
        for (int i = 0; i < n && i < 8; i++)
            if (s[i].pkt.type == MQTLS_PUBLISH) {
                outstanding++;
                pb_push_ack(&F.m, F.v, MQTLS_PUBACK, s[i].pkt.u.publish.packet_id, 0, NULL);
            }
        if (outstanding > most)
            most = outstanding;
        mock_sent_clear(&F.m);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    }
    CHECK(most <= 1);
    if (most > 1)
        test_note("%d PUBLISH packets were in flight against a Receive Maximum of 1", most);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE), 3);
    pb_client_teardown(&F);
}

TEST(resume_within_receive_maximum_keeps_the_original_order)
{
    /* The five-message session (id 2 released) against Receive Maximum 2: never more than
     * two exchanges open, and everything still goes out in its original order. */
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(RECEIVE_MAXIMUM);
    cp.receive_maximum = 2;
    build_session(MQTLS_V5, false, 0);
    REQUIRE_STATUS(reconnect(true, &cp), MQTLS_OK);
    char order[32] = "";
    size_t k = 0;
    bool open_ids[6] = {false};
    int most = 0;
    for (int round = 0; round < 20 && pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE) < 5;
         round++) {
        pb_sent_t s[16];
        int n = pb_sent_decode(&F.m, F.v, s, 16);
        REQUIRE(n >= 0 && n <= 16);
        for (int i = 0; i < n; i++) {
            const mqtls_packet_t *p = &s[i].pkt;
            uint16_t id = p->type == MQTLS_PUBLISH ? p->u.publish.packet_id : p->u.ack.packet_id;
            if (p->type == MQTLS_CONNECT || id < 1 || id > 5)
                continue;
            if (!open_ids[id] && k + 3 < sizeof order) {
                order[k++] = (char)('0' + id);
                order[k++] = p->type == MQTLS_PUBLISH ? (p->u.publish.dup ? 'd' : 'p') : 'r';
                order[k] = '\0';
            }
            open_ids[id] = true;
            if (p->type == MQTLS_PUBLISH)
                pb_push_ack(&F.m, F.v, p->u.publish.qos == 1 ? MQTLS_PUBACK : MQTLS_PUBREC, id,
                            0, NULL);
            else if (p->type == MQTLS_PUBREL)
                pb_push_ack(&F.m, F.v, MQTLS_PUBCOMP, id, 0, NULL);
        }
        int now_open = 0;
        for (int id = 1; id <= 5; id++) {
            bool done = false;
            for (int e = 0; e < F.nev; e++)
                done |= F.ev[e].type == MQTLS_EV_PUBLISH_DONE && F.ev[e].packet_id == id;
            now_open += open_ids[id] && !done;
        }
        if (now_open > most)
            most = now_open;
        mock_sent_clear(&F.m);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    }
    CHECK(most <= 2);
    /* each id's first appearance: 1 DUP, 2 PUBREL, 3/4/5 DUP, in that order */
    CHECK_EQ_STR(order, "1d2r3d4d5d");
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE), 5);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(F.store.used, 0);
    /* The window is open again for new messages. */
    CHECK(publish(1) != 0);
    pb_client_teardown(&F);
}

TEST(messages_waiting_for_resend_are_dropped_without_a_session)
{
    /* Resume within Receive Maximum 1, lose the link with messages still waiting, come back
     * to a broker without the session: every message is reported, none is left behind. */
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(RECEIVE_MAXIMUM);
    cp.receive_maximum = 1;
    build_session(MQTLS_V5, false, 0);
    REQUIRE_STATUS(reconnect(true, &cp), MQTLS_OK);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "13");
    mqtls_abort(&F.c);
    pb_client_clear_events(&F);
    mock_sent_clear(&F.m);
    REQUIRE_STATUS(reconnect(false, NULL), MQTLS_OK);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DROPPED), 5);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "1");
    pb_client_teardown(&F);
}

TEST(a_record_missing_from_the_store_fails_the_resume)
{
    build_session(MQTLS_V311, false, 0);
    mqtls_ram_store.remove(&F.store, 3); /* the store lost message 3 */
    mqtls_status_t st = reconnect(true, NULL);
    CHECK_STATUS(st, MQTLS_ERR_STORE);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    REQUIRE(F.nev >= 1);
    CHECK_STATUS(F.ev[F.nev - 1].status, MQTLS_ERR_STORE);
    /* What came before it went out, in order. */
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "136");
    pb_client_teardown(&F);
}

TEST(new_publishes_after_a_resume_get_fresh_ids)
{
    build_session(MQTLS_V311, false, 0);
    F.c.next_packet_id = 0; /* as if the counter had come round */
    REQUIRE_STATUS(reconnect(true, NULL), MQTLS_OK);
    CHECK_EQ_INT(publish(1), 6);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 6);
    pb_client_teardown(&F);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(packet_ids_start_at_one_and_increase);
    RUN(packet_ids_wrap_around_skipping_zero);
    RUN(packet_ids_skip_those_in_flight);
    RUN(every_id_in_flight_is_distinct);
    RUN(resume_resends_in_original_order);
    RUN(resume_with_partial_sends_and_coalescing);
    RUN(resume_after_an_acknowledgement_keeps_the_rest_in_order);
    RUN(resume_twice_resends_twice);
    RUN(no_session_on_the_broker_drops_everything);
    RUN(clean_start_drops_everything);
    RUN(incoming_qos2_ids_survive_a_resumed_session);
    RUN(incoming_qos2_ids_are_cleared_without_a_session);
    RUN(resent_message_names_its_topic_not_an_alias);
    RUN(resume_respects_the_new_receive_maximum);
    RUN(resume_within_receive_maximum_keeps_the_original_order);
    RUN(messages_waiting_for_resend_are_dropped_without_a_session);
    RUN(a_record_missing_from_the_store_fails_the_resume);
    RUN(new_publishes_after_a_resume_get_fresh_ids);
    return test_main_end();
}
