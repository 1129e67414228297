/* Reconnect with backoff and the offline queue (src/session/client.c, publish.c,
 * inflight.c), on the mock transport and fake clock. */
#include <stdio.h>
#include <string.h>

#include "mqtls/reason.h"
#include "packet_builder.h"
#include "test.h"

static pb_client_t F;

static void setup(mqtls_version_t v, uint32_t min, uint32_t max, uint32_t stable)
{
    pb_client_setup(&F, v);
    F.cfg.reconnect_min_ms = min;
    F.cfg.reconnect_max_ms = max;
    F.cfg.reconnect_stable_ms = stable;
    pb_client_start(&F);
}

/* The link dies: the next read sees EOF. */
static void lose_link(void)
{
    F.m.eof_when_empty = true;
    mqtls_step(&F.c);
    F.m.eof_when_empty = false;
}

static const pb_event_t *last_event(mqtls_event_type_t type)
{
    for (int i = F.nev - 1; i >= 0; i--)
        if (F.ev[i].type == type)
            return &F.ev[i];
    return NULL;
}

/* The delay of the scheduled reconnect, as MQTLS_EV_RECONNECT_WAIT announced it. */
static uint32_t announced_delay(void)
{
    return F.c.backoff_delay_ms;
}

static mqtls_publish_t msg(const char *topic, const char *payload, uint8_t qos)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = (const uint8_t *)payload;
    p.payload_len = (uint32_t)strlen(payload);
    p.qos = qos;
    return p;
}

TEST(backoff_grows_with_full_jitter_up_to_the_ceiling)
{
    setup(MQTLS_V311, 100, 1000, 60000);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    lose_link();
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_DISCONNECTED), 1);
    REQUIRE(last_event(MQTLS_EV_RECONNECT_WAIT) != NULL);
    CHECK(mqtls_reconnect_pending(&F.c));
    uint32_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
    uint32_t distinct = 0, prev = UINT32_MAX;
    mock_script_connect(&F.m, 0, MQTLS_ERR_CONNECT_REFUSED);
    for (unsigned i = 0; i < sizeof ceilings / sizeof ceilings[0]; i++) {
        uint32_t d = announced_delay();
        CHECK(d <= ceilings[i]);
        CHECK_EQ_INT(F.c.attempt, i + 1);
        CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), d);
        distinct += d != prev;
        prev = d;
        if (d > 0) { /* nothing happens before the delay is over */
            mock_clock_advance(d - 1);
            unsigned calls = F.m.connect_calls;
            CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
            CHECK_EQ_INT(F.m.connect_calls, calls);
            mock_clock_advance(1);
        }
        mqtls_step(&F.c); /* the attempt: refused, and the next one is scheduled */
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_CONNECT_FAILED), i + 1);
    }
    CHECK(distinct > 3); /* jittered, not a fixed schedule */
    pb_client_teardown(&F);
}

TEST(a_stable_connection_starts_the_count_again)
{
    setup(MQTLS_V311, 100, 10000, 5000);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    lose_link();
    mock_clock_advance(announced_delay());
    mqtls_step(&F.c); /* reconnects: CONNECT sent */
    pb_push_connack(&F.m, MQTLS_V311, false, 0, NULL);
    mqtls_step(&F.c);
    REQUIRE(mqtls_state(&F.c) == MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(F.c.attempt, 1);
    mock_clock_advance(6000); /* up longer than reconnect_stable_ms */
    pb_push_pingresp(&F.m);
    mqtls_step(&F.c);
    lose_link();
    CHECK_EQ_INT(F.c.attempt, 1);
    CHECK(announced_delay() <= 100);
    pb_client_teardown(&F);
}

TEST(disconnect_and_abort_stop_reconnecting)
{
    setup(MQTLS_V5, 100, 1000, 5000);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    lose_link();
    REQUIRE(mqtls_reconnect_pending(&F.c));
    CHECK_STATUS(mqtls_disconnect(&F.c, 0, NULL), MQTLS_OK);
    CHECK(!mqtls_reconnect_pending(&F.c));
    unsigned calls = F.m.connect_calls;
    mock_clock_advance(5000);
    mqtls_step(&F.c);
    CHECK_EQ_INT(F.m.connect_calls, calls);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), UINT32_MAX);
    /* mqtls_disconnect() on a live link does not schedule one either. */
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_disconnect(&F.c, 0, NULL), MQTLS_OK);
    CHECK(!mqtls_reconnect_pending(&F.c));
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    mqtls_abort(&F.c);
    CHECK(!mqtls_reconnect_pending(&F.c));
    pb_client_teardown(&F);
}

/* A reconnecting client whose CONNECT the broker refuses for good (credentials, client id,
 * authorization) stops: retrying cannot heal it, and a fleet must not hammer the broker. A
 * refusal that may pass (server unavailable, busy) keeps the backoff going. */
static void refuse_connect(uint8_t code)
{
    mock_clock_advance(F.c.backoff_delay_ms);
    mqtls_step(&F.c); /* transport and CONNECT */
    pb_push_connack(&F.m, F.v, false, code, NULL);
    mqtls_step(&F.c);
}

TEST(a_permanent_connack_refusal_stops_reconnecting)
{
    static const struct {
        mqtls_version_t v;
        uint8_t code;
        bool permanent;
    } cases[] = {
        {MQTLS_V311, 1, true},  {MQTLS_V311, 2, true},  {MQTLS_V311, 3, false},
        {MQTLS_V311, 4, true},  {MQTLS_V311, 5, true},  {MQTLS_V5, 0x85, true},
        {MQTLS_V5, 0x86, true}, {MQTLS_V5, 0x87, true}, {MQTLS_V5, 0x8C, true},
        {MQTLS_V5, 0x8A, true}, {MQTLS_V5, 0x84, true}, {MQTLS_V5, 0x88, false},
        {MQTLS_V5, 0x89, false}, {MQTLS_V5, 0x9F, false}, {MQTLS_V5, 0x80, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(cases[i].v, 100, 1000, 5000);
        REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
        lose_link();
        REQUIRE(mqtls_reconnect_pending(&F.c));
        pb_client_clear_events(&F);
        refuse_connect(cases[i].code);
        const pb_event_t *ev = last_event(MQTLS_EV_CONNECT_FAILED);
        REQUIRE(ev != NULL);
        CHECK_STATUS(ev->status, MQTLS_ERR_CONNACK_REFUSED);
        CHECK_EQ_INT(ev->reason, cases[i].code);
        CHECK_EQ_INT(ev->permanent, cases[i].permanent);
        CHECK_EQ_INT(mqtls_reconnect_pending(&F.c), !cases[i].permanent);
        if (cases[i].permanent) { /* and nothing tries again, however long we wait */
            unsigned calls = F.m.connect_calls;
            for (int k = 0; k < 10; k++) {
                mock_clock_advance(1000);
                mqtls_step(&F.c);
            }
            CHECK_EQ_INT(F.m.connect_calls, calls);
        }
        pb_client_teardown(&F);
    }
}

/* cfg.reconnect_refused: the caller asks to keep trying (its broker's ACL may change). */
TEST(reconnect_refused_keeps_trying_after_a_permanent_refusal)
{
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.reconnect_min_ms = 100;
    F.cfg.reconnect_max_ms = 1000;
    F.cfg.reconnect_stable_ms = 5000;
    F.cfg.reconnect_refused = true;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    lose_link();
    refuse_connect(MQTLS_RC_NOT_AUTHORIZED);
    CHECK(last_event(MQTLS_EV_CONNECT_FAILED)->permanent);
    CHECK(mqtls_reconnect_pending(&F.c));
    pb_client_teardown(&F);
}

TEST(reconnect_resumes_the_session_and_resends)
{
    setup(MQTLS_V5, 50, 50, 5000);
    F.opts.connect.clean_start = true; /* first connection clean, the session kept 1 h */
    F.opts.connect.props.present = MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY);
    F.opts.connect.props.session_expiry = 3600;
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    mqtls_publish_t p = msg("t/1", "one", 1);
    uint16_t id;
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
    lose_link();
    mock_sent_clear(&F.m);
    mock_clock_advance(announced_delay());
    mqtls_step(&F.c);
    pb_sent_t sent[4];
    REQUIRE(pb_sent_decode(&F.m, MQTLS_V5, sent, 4) == 1);
    CHECK_EQ_INT(sent[0].pkt.type, MQTLS_CONNECT);
    CHECK(!sent[0].pkt.u.connect.clean_start); /* resume, not start over */
    mock_sent_clear(&F.m);
    pb_push_connack(&F.m, MQTLS_V5, true, 0, NULL);
    mqtls_step(&F.c);
    REQUIRE(pb_sent_decode(&F.m, MQTLS_V5, sent, 4) == 1);
    CHECK_EQ_INT(sent[0].pkt.type, MQTLS_PUBLISH);
    CHECK(sent[0].pkt.u.publish.dup);
    CHECK_EQ_INT(sent[0].pkt.u.publish.packet_id, id);
    pb_client_teardown(&F);
}

TEST(offline_publishes_are_queued_and_sent_in_order_without_dup)
{
    setup(MQTLS_V311, 10, 10, 5000);
    F.opts.connect.clean_start = false;
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    lose_link();
    char buf[3][8];
    uint16_t ids[3];
    for (int i = 0; i < 3; i++) {
        snprintf(buf[i], sizeof buf[i], "m%d", i);
        mqtls_publish_t p = msg("t/q", buf[i], (uint8_t)(1 + i % 2));
        CHECK_STATUS(mqtls_publish(&F.c, &p, &ids[i]), MQTLS_OK);
        memset(buf[i], 'X', 2); /* the caller's buffer is gone: the store has the copy */
    }
    mqtls_publish_t q0 = msg("t/q", "zero", 0);
    CHECK_STATUS(mqtls_publish(&F.c, &q0, NULL), MQTLS_ERR_STATE);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 3);
    mock_sent_clear(&F.m);
    mock_clock_advance(announced_delay());
    mqtls_step(&F.c); /* CONNECT */
    mock_sent_clear(&F.m);
    pb_push_connack(&F.m, MQTLS_V311, false, 0, NULL); /* the broker kept no session */
    mqtls_step(&F.c);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DROPPED), 0);
    pb_sent_t sent[8];
    REQUIRE(pb_sent_decode(&F.m, MQTLS_V311, sent, 8) == 3);
    for (int i = 0; i < 3; i++) {
        char want[8];
        snprintf(want, sizeof want, "m%d", i);
        CHECK_EQ_INT(sent[i].pkt.type, MQTLS_PUBLISH);
        CHECK(!sent[i].pkt.u.publish.dup); /* first delivery [MQTT-3.3.1-1] */
        CHECK_EQ_INT(sent[i].pkt.u.publish.packet_id, ids[i]);
        CHECK_EQ_INT(sent[i].pkt.u.publish.payload_len, 2);
        CHECK_EQ_MEM(sent[i].pkt.u.publish.payload, want, 2);
    }
    pb_push_ack(&F.m, MQTLS_V311, MQTLS_PUBACK, ids[0], 0, NULL);
    pb_push_ack(&F.m, MQTLS_V311, MQTLS_PUBREC, ids[1], 0, NULL);
    pb_push_ack(&F.m, MQTLS_V311, MQTLS_PUBCOMP, ids[1], 0, NULL);
    pb_push_ack(&F.m, MQTLS_V311, MQTLS_PUBACK, ids[2], 0, NULL);
    mqtls_step(&F.c);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE), 3);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(F.store.used, 0);
    pb_client_teardown(&F);
}

TEST(a_full_offline_queue_refuses_the_new_message_and_keeps_the_old)
{
    setup(MQTLS_V5, 10, 10, 5000);
    F.cfg.inflight_cap = 2;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    lose_link();
    mqtls_publish_t p = msg("t", "x", 1);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INFLIGHT_FULL);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 2);
    pb_client_teardown(&F);
}

TEST(nothing_is_queued_before_the_first_connect)
{
    setup(MQTLS_V5, 10, 10, 5000);
    mqtls_publish_t p = msg("t", "x", 1);
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_STATE);
    pb_client_teardown(&F);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(backoff_grows_with_full_jitter_up_to_the_ceiling);
    RUN(a_stable_connection_starts_the_count_again);
    RUN(disconnect_and_abort_stop_reconnecting);
    RUN(reconnect_resumes_the_session_and_resends);
    RUN(offline_publishes_are_queued_and_sent_in_order_without_dup);
    RUN(a_full_offline_queue_refuses_the_new_message_and_keeps_the_old);
    RUN(nothing_is_queued_before_the_first_connect);
    RUN(a_permanent_connack_refusal_stops_reconnecting);
    RUN(reconnect_refused_keeps_trying_after_a_permanent_refusal);
    return test_main_end();
}
