/**
 * @file test_sync.c
 * @brief The blocking layer (mqtls_sync_*) in one thread: the mock's wait hook plays the
 *        broker, answering whatever the client has written, and the fake clock makes
 *        timeouts pass at once.
 */
#include <string.h>

#include "mqtls/client.h"
#include "mqtls/reason.h"
#include "packet_builder.h"
#include "test.h"

static pb_client_t F;
static pb_broker_t B;

#define PROP(id) MQTLS_PROPBIT(MQTLS_PROP_##id)

static void sync_setup(mqtls_version_t v)
{
    pb_client_setup(&F, v);
    pb_client_start(&F);
    pb_broker_init(&B, v);
    mock_set_hook(&F.m, pb_broker_hook, &B);
}

static mqtls_status_t sync_connected(mqtls_version_t v)
{
    sync_setup(v);
    uint8_t reason = 0xFF;
    mqtls_status_t st = mqtls_sync_connect(&F.c, &F.opts, &reason);
    if (st == MQTLS_OK) {
        pb_client_clear_events(&F);
        mock_sent_clear(&F.m);
    }
    return st;
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

/* ---------------------------------------------------------------- connect */

TEST(sync_connect_accepted)
{
    for (int v = 0; v < 2; v++) {
        sync_setup(v ? MQTLS_V5 : MQTLS_V311);
        uint8_t reason = 0xFF;
        CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, &reason), MQTLS_OK);
        CHECK_EQ_INT(reason, 0);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        CHECK_EQ_INT(B.connects, 1);
        CHECK(!B.bad_input);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECTED);
        CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_ERR_STATE);
        pb_client_teardown(&F);
    }
}

TEST(sync_connect_session_present)
{
    sync_setup(MQTLS_V5);
    F.opts.connect.clean_start = false;
    B.session_present = true;
    CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK(F.ev[0].session_present);
    pb_client_teardown(&F);
}

TEST(sync_connect_refused)
{
    for (int v = 0; v < 2; v++) {
        sync_setup(v ? MQTLS_V5 : MQTLS_V311);
        B.connack_reason = v ? MQTLS_RC_NOT_AUTHORIZED : MQTLS_RC311_NOT_AUTHORIZED;
        uint8_t reason = 0;
        CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, &reason), MQTLS_ERR_CONNACK_REFUSED);
        CHECK_EQ_INT(reason, B.connack_reason);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
        /* A later successful connect reports reason 0 again. */
        B.connack_reason = 0;
        reason = 0xFF;
        CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, &reason), MQTLS_OK);
        CHECK_EQ_INT(reason, 0);
        pb_client_teardown(&F);
    }
}

TEST(sync_connect_times_out_without_connack)
{
    sync_setup(MQTLS_V311);
    B.answer_connect = false;
    F.opts.connect_timeout_ms = 5000;
    uint32_t t0 = mock_clock_now();
    uint8_t reason = 0xFF;
    CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, &reason), MQTLS_ERR_TIMEOUT);
    CHECK_EQ_INT(mock_clock_now() - t0, 5000);
    CHECK_EQ_INT(reason, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(B.connects, 1);
    CHECK(!F.m.open);
    pb_client_teardown(&F);
}

TEST(sync_connect_waits_for_a_slow_transport)
{
    sync_setup(MQTLS_V5);
    mock_script_connect(&F.m, 3, MQTLS_OK);
    CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    CHECK_EQ_INT(F.m.connect_calls, 4);
    CHECK_EQ_INT(F.m.misuse, 0);
    pb_client_teardown(&F);
}

/* A transport recording how the client waits on it. */
static unsigned waits_for_write, waits_for_read;
static mqtls_status_t recording_wait(void *ctx, int for_write, uint32_t ms)
{
    if (for_write)
        waits_for_write++;
    else
        waits_for_read++;
    return mock_transport_ops.wait(ctx, for_write, ms);
}

TEST(sync_connect_waits_for_writability_while_the_transport_opens)
{
    static mqtls_transport_t recording;
    recording = mock_transport_ops;
    recording.wait = recording_wait;
    sync_setup(MQTLS_V311);
    F.cfg.transport = &recording;
    pb_client_start(&F);
    mock_script_connect(&F.m, 3, MQTLS_OK);
    waits_for_write = waits_for_read = 0;
    CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    CHECK_EQ_INT(waits_for_write, 3); /* a non-blocking connect completes on writability */
    CHECK_EQ_INT(waits_for_read, 1);  /* then the CONNACK is read */
    pb_client_teardown(&F);
}

/* A transport that never finishes opening: each attempt takes 100 ms. */
static void slow_connect_hook(mock_transport_t *m, mock_hook_point_t at, void *user)
{
    if (at == MOCK_AT_CONNECT)
        mock_clock_advance(100);
    pb_broker_hook(m, at, user);
}

TEST(sync_connect_times_out_in_the_transport)
{
    sync_setup(MQTLS_V5);
    mock_set_hook(&F.m, slow_connect_hook, &B);
    mock_script_connect(&F.m, 1000000, MQTLS_OK);
    F.opts.connect_timeout_ms = 2000;
    CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_ERR_TIMEOUT);
    CHECK(F.m.connect_calls >= 19 && F.m.connect_calls <= 21);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(F.m.sent_total, 0);
    pb_client_teardown(&F);
}

TEST(sync_connect_transport_error)
{
    sync_setup(MQTLS_V311);
    mock_script_connect(&F.m, 2, MQTLS_ERR_CONNECT_REFUSED);
    uint8_t reason = 0xFF;
    CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, &reason), MQTLS_ERR_CONNECT_REFUSED);
    CHECK_EQ_INT(reason, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_CONNECT_REFUSED);
    pb_client_teardown(&F);
}

TEST(sync_connect_bad_arguments)
{
    sync_setup(MQTLS_V311);
    F.opts.port = 0;
    CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_EQ_INT(F.m.connect_calls, 0);
    pb_client_teardown(&F);
}

TEST(sync_calls_need_a_transport_wait)
{
    static mqtls_transport_t no_wait;
    no_wait = mock_transport_ops;
    no_wait.wait = NULL;
    sync_setup(MQTLS_V311);
    F.cfg.transport = &no_wait;
    pb_client_start(&F);
    CHECK_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_ERR_UNSUPPORTED);
    /* The CONNACK may still be handled by stepping. */
    pb_push_connack(&F.m, F.v, false, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    mqtls_publish_t p = msg("t", "x", 1);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 1000), MQTLS_ERR_UNSUPPORTED);
    CHECK_STATUS(mqtls_sync_run(&F.c, 1000), MQTLS_ERR_UNSUPPORTED);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- publish */

TEST(sync_publish_qos0_does_not_wait)
{
    REQUIRE_STATUS(sync_connected(MQTLS_V311), MQTLS_OK);
    unsigned waits = F.m.wait_calls;
    mqtls_publish_t p = msg("t", "x", 0);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 1000), MQTLS_OK);
    CHECK_EQ_INT(F.m.wait_calls, waits);
    PB_CHECK_SENT_HEX(&F.m, "30 04 00 01 74 78");
    pb_client_teardown(&F);
}

TEST(sync_publish_qos0_is_flushed_when_coalescing)
{
    sync_setup(MQTLS_V311);
    F.cfg.tx_coalesce = true;
    pb_client_start(&F);
    REQUIRE_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    mock_sent_clear(&F.m);
    mqtls_publish_t p = msg("t", "x", 0);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 1000), MQTLS_OK);
    CHECK_STATUS(mqtls_sync_drain(&F.c, 1000), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 04 00 01 74 78");
    pb_client_teardown(&F);
}

TEST(sync_publish_waits_for_the_acknowledgement)
{
    for (int v = 0; v < 2; v++) {
        for (uint8_t qos = 1; qos <= 2; qos++) {
            REQUIRE_STATUS(sync_connected(v ? MQTLS_V5 : MQTLS_V311), MQTLS_OK);
            mqtls_publish_t p = msg("t", "payload", qos);
            CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_OK);
            CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
            CHECK_EQ_INT(B.publishes, 1);
            CHECK_EQ_INT(B.pubrels, qos == 2);
            CHECK_EQ_STR(pb_sent_types(&F.m, F.v), qos == 1 ? "3" : "36");
            REQUIRE_EQ_INT(F.nev, 1);
            CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_PUBLISH_DONE);
            CHECK_EQ_INT(F.store.used, 0);
            pb_client_teardown(&F);
        }
    }
}

TEST(sync_publish_refused)
{
    for (uint8_t qos = 1; qos <= 2; qos++) {
        REQUIRE_STATUS(sync_connected(MQTLS_V5), MQTLS_OK);
        B.publish_reason = MQTLS_RC_NOT_AUTHORIZED;
        mqtls_publish_t p = msg("t", "x", qos);
        CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_ERR_REFUSED);
        CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
        CHECK_EQ_INT(B.pubrels, 0);
        /* The next one is judged on its own. */
        B.publish_reason = 0;
        CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_OK);
        pb_client_teardown(&F);
    }
}

TEST(sync_publish_times_out)
{
    REQUIRE_STATUS(sync_connected(MQTLS_V311), MQTLS_OK);
    B.answer_publish = false;
    mqtls_publish_t p = msg("t", "x", 1);
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 2000), MQTLS_ERR_TIMEOUT);
    CHECK_EQ_INT(mock_clock_now() - t0, 2000);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1); /* still owed: a later ack completes it */
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    pb_push_ack(&F.m, F.v, MQTLS_PUBACK, 1, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE), 1);
    pb_client_teardown(&F);
}

TEST(sync_publish_waits_for_room_in_the_window)
{
    sync_setup(MQTLS_V311);
    F.cfg.inflight_cap = 1;
    pb_client_start(&F);
    REQUIRE_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    pb_client_clear_events(&F);
    mqtls_publish_t p = msg("t", "x", 1);
    uint16_t first;
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, &first), MQTLS_OK);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_OK);
    CHECK_EQ_INT(B.publishes, 2);
    REQUIRE_EQ_INT(F.nev, 2);
    CHECK_EQ_INT(F.ev[0].packet_id, first);
    CHECK_EQ_INT(F.ev[1].packet_id, first + 1);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    pb_client_teardown(&F);
}

TEST(sync_publish_window_never_frees)
{
    sync_setup(MQTLS_V311);
    F.cfg.inflight_cap = 1;
    pb_client_start(&F);
    REQUIRE_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    B.answer_publish = false;
    mock_sent_clear(&F.m);
    mqtls_publish_t p = msg("t", "x", 1);
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 3000), MQTLS_ERR_TIMEOUT);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "3"); /* the second never went out */
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    pb_client_teardown(&F);
}

/* The link dies while the client waits. */
static void dying_hook(mock_transport_t *m, mock_hook_point_t at, void *user)
{
    (void)user;
    if (at == MOCK_AT_WAIT)
        m->eof_when_empty = true;
}

TEST(sync_publish_connection_lost)
{
    REQUIRE_STATUS(sync_connected(MQTLS_V311), MQTLS_OK);
    mock_set_hook(&F.m, dying_hook, NULL);
    mqtls_publish_t p = msg("t", "x", 1);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_ERR_CLOSED);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    /* Not connected any more: the message is queued for the next connection, and the call
     * says why the link is down. */
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_ERR_CLOSED);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 2);
    p.qos = 0; /* QoS 0 is never queued */
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_ERR_STATE);
    pb_client_teardown(&F);
}

TEST(sync_publish_server_disconnect)
{
    REQUIRE_STATUS(sync_connected(MQTLS_V5), MQTLS_OK);
    B.answer_publish = false;
    pb_add_ack(&B.extra, MQTLS_V5, MQTLS_DISCONNECT, 0, MQTLS_RC_SERVER_SHUTTING_DOWN, NULL);
    mqtls_publish_t p = msg("t", "x", 2);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_ERR_SERVER_DISCONNECT);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- subscribe */

TEST(sync_subscribe_returns_the_codes)
{
    static const mqtls_subscription_t subs[2] = {{{"a/+", 3}, 1}, {{"b", 1}, 2}};
    for (int v = 0; v < 2; v++) {
        REQUIRE_STATUS(sync_connected(v ? MQTLS_V5 : MQTLS_V311), MQTLS_OK);
        uint8_t codes[3] = {0xEE, 0xEE, 0xEE};
        CHECK_STATUS(mqtls_sync_subscribe(&F.c, subs, 2, NULL, codes, 5000), MQTLS_OK);
        CHECK_EQ_INT(codes[0], 1);
        CHECK_EQ_INT(codes[1], 2);
        CHECK_EQ_INT(codes[2], 0xEE);
        CHECK_EQ_INT(B.subscribes, 1);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_SUBACK), 1);
        pb_client_teardown(&F);
    }
}

TEST(sync_subscribe_refusal_codes_are_not_an_error)
{
    static const mqtls_subscription_t subs[2] = {{{"a", 1}, 1}, {{"b", 1}, 1}};
    static const uint8_t granted[2] = {0x80, 0x01};
    REQUIRE_STATUS(sync_connected(MQTLS_V311), MQTLS_OK);
    B.suback_codes = granted;
    B.suback_count = 2;
    uint8_t codes[2];
    CHECK_STATUS(mqtls_sync_subscribe(&F.c, subs, 2, NULL, codes, 5000), MQTLS_OK);
    CHECK_EQ_MEM(codes, granted, 2);
    pb_client_teardown(&F);
}

TEST(sync_subscribe_wrong_number_of_codes)
{
    static const mqtls_subscription_t subs[2] = {{{"a", 1}, 1}, {{"b", 1}, 1}};
    static const uint8_t three[3] = {1, 1, 1};
    REQUIRE_STATUS(sync_connected(MQTLS_V5), MQTLS_OK);
    B.suback_codes = three;
    B.suback_count = 1;
    uint8_t codes[3] = {0xEE, 0xEE, 0xEE};
    CHECK_STATUS(mqtls_sync_subscribe(&F.c, subs, 2, NULL, codes, 5000), MQTLS_ERR_PROTOCOL);
    /* more codes than filters: none written past the caller's n */
    B.suback_count = 3;
    codes[0] = codes[1] = codes[2] = 0xEE;
    CHECK_STATUS(mqtls_sync_subscribe(&F.c, subs, 2, NULL, codes, 5000), MQTLS_ERR_PROTOCOL);
    CHECK_EQ_INT(codes[2], 0xEE);
    pb_client_teardown(&F);
}

TEST(sync_subscribe_times_out)
{
    static const mqtls_subscription_t sub = {{"a", 1}, 1};
    REQUIRE_STATUS(sync_connected(MQTLS_V311), MQTLS_OK);
    B.answer_subscribe = false;
    uint8_t code;
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_sync_subscribe(&F.c, &sub, 1, NULL, &code, 1500), MQTLS_ERR_TIMEOUT);
    CHECK_EQ_INT(mock_clock_now() - t0, 1500);
    /* A SUBACK arriving later is still reported, and corrupts nothing. */
    static const uint8_t one = 1;
    pb_push_suback(&F.m, F.v, MQTLS_SUBACK, 1, &one, 1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_SUBACK), 1);
    pb_client_teardown(&F);
}

/* The blocking layer keeps its own state: it stands in front of the application's event
 * callback only while a call waits, and every event still reaches the application. */
TEST(sync_calls_give_the_event_callback_back)
{
    static const mqtls_subscription_t sub = {{"a", 1}, 1};
    REQUIRE_STATUS(sync_connected(MQTLS_V5), MQTLS_OK);
    mqtls_event_cb cb = F.c.cfg.on_event;
    void *user = F.c.cfg.user;
    uint8_t code = 0;
    CHECK_STATUS(mqtls_sync_subscribe(&F.c, &sub, 1, NULL, &code, 5000), MQTLS_OK);
    CHECK(F.c.cfg.on_event == cb && F.c.cfg.user == user);
    mqtls_publish_t p = msg("t", "x", 1);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_OK);
    CHECK(F.c.cfg.on_event == cb && F.c.cfg.user == user);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_SUBACK), 1);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE), 1);
    B.answer_subscribe = false; /* a wait that ends without its answer gives it back too */
    CHECK_STATUS(mqtls_sync_subscribe(&F.c, &sub, 1, NULL, &code, 500), MQTLS_ERR_TIMEOUT);
    CHECK(F.c.cfg.on_event == cb && F.c.cfg.user == user);
    pb_client_teardown(&F);
}

TEST(sync_subscribe_not_connected)
{
    static const mqtls_subscription_t sub = {{"a", 1}, 1};
    sync_setup(MQTLS_V311);
    uint8_t code;
    CHECK_STATUS(mqtls_sync_subscribe(&F.c, &sub, 1, NULL, &code, 1000), MQTLS_ERR_STATE);
    pb_client_teardown(&F);
}

TEST(sync_unsubscribe)
{
    static const mqtls_str_t filters[2] = {{"a", 1}, {"b/#", 3}};
    for (int v = 0; v < 2; v++) {
        REQUIRE_STATUS(sync_connected(v ? MQTLS_V5 : MQTLS_V311), MQTLS_OK);
        CHECK_STATUS(mqtls_sync_unsubscribe(&F.c, filters, 2, NULL, 5000), MQTLS_OK);
        CHECK_EQ_INT(B.unsubscribes, 1);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_UNSUBACK), 1);
        B.answer_unsubscribe = false;
        CHECK_STATUS(mqtls_sync_unsubscribe(&F.c, filters, 1, NULL, 500), MQTLS_ERR_TIMEOUT);
        pb_client_teardown(&F);
    }
}

/* ---------------------------------------------------------------- drain and run */

TEST(sync_drain_completes_everything)
{
    REQUIRE_STATUS(sync_connected(MQTLS_V5), MQTLS_OK);
    unsigned waits = F.m.wait_calls;
    CHECK_STATUS(mqtls_sync_drain(&F.c, 1000), MQTLS_OK); /* nothing owed: at once */
    CHECK_EQ_INT(F.m.wait_calls, waits);
    for (int i = 0; i < 4; i++) {
        mqtls_publish_t p = msg("t", "x", (uint8_t)(1 + i % 2));
        REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    }
    CHECK_STATUS(mqtls_sync_drain(&F.c, 5000), MQTLS_OK);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_PUBLISH_DONE), 4);
    CHECK_EQ_INT(F.store.used, 0);
    pb_client_teardown(&F);
}

TEST(sync_drain_times_out)
{
    REQUIRE_STATUS(sync_connected(MQTLS_V311), MQTLS_OK);
    B.answer_pubrel = false; /* the QoS 2 exchange stalls after PUBREC */
    mqtls_publish_t p = msg("t", "x", 2);
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_sync_drain(&F.c, 4000), MQTLS_ERR_TIMEOUT);
    CHECK_EQ_INT(mock_clock_now() - t0, 4000);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    CHECK_EQ_INT(B.pubrels, 1);
    pb_client_teardown(&F);
}

TEST(sync_drain_connection_lost)
{
    REQUIRE_STATUS(sync_connected(MQTLS_V311), MQTLS_OK);
    mock_set_hook(&F.m, dying_hook, NULL);
    mqtls_publish_t p = msg("t", "x", 1);
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_sync_drain(&F.c, 4000), MQTLS_ERR_CLOSED);
    pb_client_teardown(&F);
}

TEST(sync_run_keeps_the_connection_alive)
{
    sync_setup(MQTLS_V311);
    F.opts.connect.keep_alive = 10;
    REQUIRE_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    pb_add_publish(&B.extra, F.v, "news", "fresh", 5, 1, 4, false, false, NULL);
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_sync_run(&F.c, 35000), MQTLS_OK);
    CHECK_EQ_INT(mock_clock_now() - t0, 35000);
    CHECK_EQ_INT(B.pings, 3);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    int m = pb_client_find_event(&F, MQTLS_EV_MESSAGE, 0);
    REQUIRE(m >= 0);
    CHECK_EQ_STR(F.ev[m].topic, "news");
    CHECK(strchr(pb_sent_types(&F.m, F.v), '4') != NULL); /* its PUBACK */
    pb_client_teardown(&F);
}

TEST(sync_run_reports_a_dead_link)
{
    sync_setup(MQTLS_V311);
    F.opts.connect.keep_alive = 10;
    F.opts.ping_timeout_ms = 2000;
    REQUIRE_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    B.answer_ping = false;
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_sync_run(&F.c, 60000), MQTLS_ERR_KEEPALIVE_TIMEOUT);
    CHECK_EQ_INT(mock_clock_now() - t0, 12000);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    /* Running a disconnected client says why it stopped. */
    CHECK_STATUS(mqtls_sync_run(&F.c, 1000), MQTLS_ERR_KEEPALIVE_TIMEOUT);
    pb_client_teardown(&F);
}

TEST(sync_run_on_a_client_never_connected)
{
    sync_setup(MQTLS_V311);
    CHECK_STATUS(mqtls_sync_run(&F.c, 1000), MQTLS_ERR_CLOSED);
    CHECK_EQ_INT(F.m.wait_calls, 0);
    pb_client_teardown(&F);
}

TEST(sync_layer_over_split_and_delayed_streams)
{
    static const mqtls_subscription_t sub = {{"a", 1}, 2};
    sync_setup(MQTLS_V5);
    F.m.recv_max = 1;
    F.m.send_max = 2;
    mock_delay(&F.m, true);
    REQUIRE_STATUS(mqtls_sync_connect(&F.c, &F.opts, NULL), MQTLS_OK);
    mqtls_publish_t p = msg("t", "some payload", 2);
    CHECK_STATUS(mqtls_sync_publish(&F.c, &p, 5000), MQTLS_OK);
    uint8_t code = 0;
    CHECK_STATUS(mqtls_sync_subscribe(&F.c, &sub, 1, NULL, &code, 5000), MQTLS_OK);
    CHECK_EQ_INT(code, 2);
    CHECK(!B.bad_input);
    CHECK_STATUS(mqtls_disconnect(&F.c, 0, NULL), MQTLS_OK);
    pb_client_teardown(&F);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(sync_connect_accepted);
    RUN(sync_connect_session_present);
    RUN(sync_connect_refused);
    RUN(sync_connect_times_out_without_connack);
    RUN(sync_connect_waits_for_a_slow_transport);
    RUN(sync_connect_waits_for_writability_while_the_transport_opens);
    RUN(sync_connect_times_out_in_the_transport);
    RUN(sync_connect_transport_error);
    RUN(sync_connect_bad_arguments);
    RUN(sync_calls_need_a_transport_wait);
    RUN(sync_publish_qos0_does_not_wait);
    RUN(sync_publish_qos0_is_flushed_when_coalescing);
    RUN(sync_publish_waits_for_the_acknowledgement);
    RUN(sync_publish_refused);
    RUN(sync_publish_times_out);
    RUN(sync_publish_waits_for_room_in_the_window);
    RUN(sync_publish_window_never_frees);
    RUN(sync_publish_connection_lost);
    RUN(sync_publish_server_disconnect);
    RUN(sync_subscribe_returns_the_codes);
    RUN(sync_subscribe_refusal_codes_are_not_an_error);
    RUN(sync_subscribe_wrong_number_of_codes);
    RUN(sync_subscribe_times_out);
    RUN(sync_calls_give_the_event_callback_back);
    RUN(sync_subscribe_not_connected);
    RUN(sync_unsubscribe);
    RUN(sync_drain_completes_everything);
    RUN(sync_drain_times_out);
    RUN(sync_drain_connection_lost);
    RUN(sync_run_keeps_the_connection_alive);
    RUN(sync_run_reports_a_dead_link);
    RUN(sync_run_on_a_client_never_connected);
    RUN(sync_layer_over_split_and_delayed_streams);
    return test_main_end();
}
