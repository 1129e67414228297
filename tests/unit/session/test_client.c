/**
 * @file test_client.c
 * @brief The client's life cycle on the mock transport: CONNECT as sent, CONNACK handling,
 *        connect progress and timeouts, keep-alive, SUBSCRIBE/UNSUBSCRIBE, AUTH, DISCONNECT,
 *        abort and free, and the events of each.
 */
#include <string.h>

#include "mqtls/client.h"
#include "mqtls/reason.h"
#include "packet_builder.h"
#include "test.h"

static pb_client_t F;

#define PROP(id) MQTLS_PROPBIT(MQTLS_PROP_##id)

/* Starts connecting and steps once: the transport opens and CONNECT is written. */
static mqtls_status_t send_connect(void)
{
    mqtls_status_t st = mqtls_connect(&F.c, &F.opts);
    return st != MQTLS_OK ? st : mqtls_step(&F.c);
}

/* Decodes the one CONNECT the client sent. */
static bool sent_connect(mqtls_connect_t *out)
{
    pb_sent_t s[4];
    int n = pb_sent_decode(&F.m, F.v, s, 4);
    if (n < 1 || s[0].pkt.type != MQTLS_CONNECT)
        return false;
    *out = s[0].pkt.u.connect;
    return true;
}

/* ---------------------------------------------------------------- CONNECT as sent */

TEST(connect_311_minimal_bytes)
{
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_WAIT_CONNACK);
    /* clean session, keep-alive 60, client id "cid" */
    PB_CHECK_SENT_HEX(&F.m, "10 0f 00 04 4d 51 54 54 04 02 00 3c 00 03 63 69 64");
    CHECK_EQ_STR(F.m.host, "broker");
    CHECK_EQ_INT(F.m.port, 1883);
    CHECK_EQ_INT(F.m.connect_calls, 1);
    pb_client_teardown(&F);
}

TEST(connect_311_persistent_no_keepalive_bytes)
{
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect.clean_start = false;
    F.opts.connect.keep_alive = 0;
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "10 0f 00 04 4d 51 54 54 04 00 00 00 00 03 63 69 64");
    pb_client_teardown(&F);
}

TEST(connect_311_will_user_password_bytes)
{
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect.will = true;
    F.opts.connect.will_qos = 1;
    F.opts.connect.will_retain = true;
    F.opts.connect.will_topic = mqtls_str("wt");
    F.opts.connect.will_payload = (mqtls_bin_t){(const uint8_t *)"bye", 3};
    F.opts.connect.has_username = true;
    F.opts.connect.username = mqtls_str("u");
    F.opts.connect.has_password = true;
    F.opts.connect.password = (mqtls_bin_t){(const uint8_t *)"p", 1};
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    /* flags: user, password, will retain, will QoS 1, will, clean = 0xEE */
    PB_CHECK_SENT_HEX(&F.m, "10 1e 00 04 4d 51 54 54 04 ee 00 3c 00 03 63 69 64"
                            " 00 02 77 74 00 03 62 79 65 00 01 75 00 01 70");
    pb_client_teardown(&F);
}

TEST(connect_311_will_qos2_no_retain_flags)
{
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect.will = true;
    F.opts.connect.will_qos = 2;
    F.opts.connect.will_topic = mqtls_str("wt");
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    /* flags: will QoS 2 (0x10), will (0x04), clean (0x02); empty will payload */
    PB_CHECK_SENT_HEX(&F.m, "10 15 00 04 4d 51 54 54 04 16 00 3c 00 03 63 69 64"
                            " 00 02 77 74 00 00");
    pb_client_teardown(&F);
}

TEST(connect_5_advertises_its_limits_bytes)
{
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    /* Receive Maximum 4 (qos2_in_cap), Topic Alias Maximum 4 (alias_slots),
     * Maximum Packet Size 512 (rx_size) */
    PB_CHECK_SENT_HEX(&F.m, "10 1b 00 04 4d 51 54 54 05 02 00 3c"
                            " 0b 21 00 04 22 00 04 27 00 00 02 00"
                            " 00 03 63 69 64");
    pb_client_teardown(&F);
}

TEST(connect_5_will_properties_user_password_bytes)
{
    static const mqtls_user_prop_t up = {{"k", 1}, {"v", 1}};
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect.props.present = PROP(SESSION_EXPIRY);
    F.opts.connect.props.session_expiry = 3600;
    F.opts.connect.will = true;
    F.opts.connect.will_qos = 2;
    F.opts.connect.will_retain = true;
    F.opts.connect.will_topic = mqtls_str("wt");
    F.opts.connect.will_payload = (mqtls_bin_t){(const uint8_t *)"bye", 3};
    F.opts.connect.will_props.present = PROP(WILL_DELAY);
    F.opts.connect.will_props.will_delay = 5;
    F.opts.connect.will_props.user = &up;
    F.opts.connect.will_props.user_count = 1;
    F.opts.connect.has_username = true;
    F.opts.connect.username = mqtls_str("u");
    F.opts.connect.has_password = true;
    F.opts.connect.password = (mqtls_bin_t){(const uint8_t *)"p", 1};
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "10 3c 00 04 4d 51 54 54 05 f6 00 3c"
                            " 10 11 00 00 0e 10 21 00 04 22 00 04 27 00 00 02 00"
                            " 00 03 63 69 64"
                            " 0c 18 00 00 00 05 26 00 01 6b 00 01 76"
                            " 00 02 77 74 00 03 62 79 65 00 01 75 00 01 70");
    pb_client_teardown(&F);
}

TEST(connect_5_lowers_larger_user_limits)
{
    mqtls_connect_t c = {0};
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect.props.present = PROP(RECEIVE_MAXIMUM) | PROP(TOPIC_ALIAS_MAXIMUM) |
                                   PROP(MAXIMUM_PACKET_SIZE);
    F.opts.connect.props.receive_maximum = 100;
    F.opts.connect.props.topic_alias_maximum = 50;
    F.opts.connect.props.maximum_packet_size = 100000;
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    REQUIRE(sent_connect(&c));
    CHECK_EQ_INT(c.props.receive_maximum, 4);
    CHECK_EQ_INT(c.props.topic_alias_maximum, 4);
    CHECK_EQ_INT(c.props.maximum_packet_size, 512);
    /* The caller's options are left as they were. */
    CHECK_EQ_INT(F.opts.connect.props.receive_maximum, 100);
    CHECK_EQ_INT(F.opts.connect.props.topic_alias_maximum, 50);
    CHECK_EQ_INT(F.opts.connect.props.maximum_packet_size, 100000);
    pb_client_teardown(&F);
}

TEST(connect_5_keeps_smaller_user_limits)
{
    mqtls_connect_t c = {0};
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect.props.present = PROP(RECEIVE_MAXIMUM) | PROP(TOPIC_ALIAS_MAXIMUM) |
                                   PROP(MAXIMUM_PACKET_SIZE);
    F.opts.connect.props.receive_maximum = 2;
    F.opts.connect.props.topic_alias_maximum = 1;
    F.opts.connect.props.maximum_packet_size = 100;
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    REQUIRE(sent_connect(&c));
    CHECK_EQ_INT(c.props.receive_maximum, 2);
    CHECK_EQ_INT(c.props.topic_alias_maximum, 1);
    CHECK_EQ_INT(c.props.maximum_packet_size, 100);
    pb_client_teardown(&F);
}

TEST(connect_5_limits_follow_the_configuration)
{
    mqtls_connect_t c = {0};
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.rx_size = 1000;
    F.cfg.qos2_in_cap = 7;
    F.cfg.alias_slots = 3;
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    REQUIRE(sent_connect(&c));
    CHECK_EQ_INT(c.props.present & (PROP(RECEIVE_MAXIMUM) | PROP(TOPIC_ALIAS_MAXIMUM) |
                                    PROP(MAXIMUM_PACKET_SIZE)),
                 PROP(RECEIVE_MAXIMUM) | PROP(TOPIC_ALIAS_MAXIMUM) | PROP(MAXIMUM_PACKET_SIZE));
    CHECK_EQ_INT(c.props.receive_maximum, 7);
    CHECK_EQ_INT(c.props.topic_alias_maximum, 3);
    CHECK_EQ_INT(c.props.maximum_packet_size, 1000);
    pb_client_teardown(&F);
}

TEST(connect_5_without_alias_slots_allows_no_aliases)
{
    /* No alias memory: a broker must not be told it may use aliases, whatever the caller's
     * properties say ("the limits we advertise are the limits we have"). */
    mqtls_connect_t c = {0};
    pb_client_setup(&F, MQTLS_V5);
    F.cfg.alias_buf = NULL;
    F.cfg.alias_slots = 0;
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    REQUIRE(sent_connect(&c));
    CHECK(!(c.props.present & PROP(TOPIC_ALIAS_MAXIMUM)) || c.props.topic_alias_maximum == 0);
    pb_client_teardown(&F);

    pb_client_setup(&F, MQTLS_V5);
    F.cfg.alias_buf = NULL;
    F.cfg.alias_slots = 0;
    F.opts.connect.props.present = PROP(TOPIC_ALIAS_MAXIMUM);
    F.opts.connect.props.topic_alias_maximum = 10;
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    REQUIRE(sent_connect(&c));
    CHECK(!(c.props.present & PROP(TOPIC_ALIAS_MAXIMUM)) || c.props.topic_alias_maximum == 0);
    pb_client_teardown(&F);
}

TEST(connect_311_sends_no_properties)
{
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect.props.present = PROP(SESSION_EXPIRY);
    F.opts.connect.props.session_expiry = 10;
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "10 0f 00 04 4d 51 54 54 04 02 00 3c 00 03 63 69 64");
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- connect arguments */

TEST(connect_rejects_bad_arguments)
{
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    CHECK_STATUS(mqtls_connect(NULL, &F.opts), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_connect(&F.c, NULL), MQTLS_ERR_BAD_PARAM);
    F.opts.host = NULL;
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_BAD_PARAM);
    F.opts.host = "broker";
    F.opts.port = 0;
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_BAD_PARAM);
    F.opts.port = 1883;
    F.opts.connect.version = (mqtls_version_t)2;
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_BAD_PARAM);
    F.opts.connect.version = MQTLS_V31;
#if MQTLS_CFG_MQTT31
    /* 3.1: client ids of 1 to 23 characters. */
    mqtls_str_t id = F.opts.connect.client_id;
    F.opts.connect.client_id = mqtls_str("");
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_BAD_PARAM);
    F.opts.connect.client_id = mqtls_str("abcdefghijklmnopqrstuvwx");
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_BAD_PARAM);
    F.opts.connect.client_id = id;
#else
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_BAD_PARAM); /* 3.1: not built in */
#endif
    F.opts.connect.version = MQTLS_V311;
    CHECK_EQ_INT(F.m.connect_calls, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);

    /* Configurations the client cannot work with. */
    static const struct {
        const char *what;
        int which;
    } bad[] = {{"no transport", 0}, {"rx too small", 1}, {"tx too small", 2},
               {"no rx buffer", 3}, {"inflight missing", 4}, {"qos2 table missing", 5},
               {"alias slots without memory", 6}, {"alias slot too small", 7},
               {"no platform", 8}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pb_client_setup(&F, MQTLS_V311);
        switch (bad[i].which) {
        case 0: F.cfg.transport = NULL; break;
        case 1: F.cfg.rx_size = 8; break;
        case 2: F.cfg.tx_size = 8; break;
        case 3: F.cfg.rx_buf = NULL; break;
        case 4: F.cfg.inflight = NULL; break;
        case 5: F.cfg.qos2_in = NULL; break;
        case 6: F.cfg.alias_buf = NULL; break;
        case 7: F.cfg.alias_slot_size = 2; break;
        default: F.cfg.platform = NULL; break;
        }
        pb_client_start(&F);
        if (!CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_BAD_PARAM))
            test_note("configuration: %s", bad[i].what);
        CHECK_EQ_INT(F.m.connect_calls, 0);
    }
    pb_client_teardown(&F);
}

TEST(connect_while_connecting_or_connected_is_a_state_error)
{
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTING);
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_STATE);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_STATE);
    pb_push_connack(&F.m, F.v, false, 0, NULL);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_ERR_STATE);
    pb_client_teardown(&F);
}

TEST(connect_with_invalid_connect_fields_is_refused_up_front)
{
    /* client.h: mqtls_connect() refuses invalid CONNECT fields with the encoder's status. */
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect.will = true;
    F.opts.connect.will_topic = mqtls_str("a/#"); /* wildcards are not allowed in a topic */
    pb_client_start(&F);
    mqtls_status_t st = mqtls_connect(&F.c, &F.opts);
    CHECK_STATUS(st, MQTLS_ERR_MALFORMED_TOPIC);
    if (st == MQTLS_OK) {
        /* What happens instead: the network connection is opened and then failed. */
        st = mqtls_step(&F.c);
        test_note("mqtls_connect accepted it; the first step returned %s and opened the "
                  "transport %u time(s)", mqtls_strerror(st), F.m.connect_calls);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    }
    CHECK_EQ_INT(F.m.connect_calls, 0);
    pb_client_teardown(&F);
}

TEST(connect_with_invalid_fields_fails_without_sending)
{
    /* Whenever it is caught, an invalid CONNECT never reaches the wire and the client ends
     * up disconnected (never stuck connecting). */
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect.will = true;
    F.opts.connect.will_topic = mqtls_str("a/+");
    pb_client_start(&F);
    mqtls_status_t st = mqtls_connect(&F.c, &F.opts);
    if (st == MQTLS_OK) {
        CHECK(mqtls_step(&F.c) != MQTLS_OK);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_CONNECT_FAILED), 1);
    }
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(F.m.sent_total, 0);
    CHECK(!F.m.open);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- CONNACK */

static void check_connected_event(bool session_present)
{
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECTED);
    CHECK_STATUS(F.ev[0].status, MQTLS_OK);
    CHECK_EQ_INT(F.ev[0].session_present, session_present);
    CHECK_EQ_INT(F.ev[0].state_at, MQTLS_STATE_CONNECTED);
}

TEST(connack_accepted_reports_connected)
{
    for (int v = 0; v < 2; v++) {
        pb_client_setup(&F, v ? MQTLS_V5 : MQTLS_V311);
        pb_client_start(&F);
        REQUIRE_STATUS(send_connect(), MQTLS_OK);
        CHECK_EQ_INT(F.nev, 0);
        pb_push_connack(&F.m, F.v, false, 0, NULL);
        REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        check_connected_event(false);
        CHECK(F.m.open);
        pb_client_teardown(&F);
    }
}

TEST(connack_session_present_is_reported)
{
    for (int v = 0; v < 2; v++) {
        pb_client_setup(&F, v ? MQTLS_V5 : MQTLS_V311);
        F.opts.connect.clean_start = false;
        pb_client_start(&F);
        REQUIRE_STATUS(send_connect(), MQTLS_OK);
        pb_push_connack(&F.m, F.v, true, 0, NULL);
        REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
        check_connected_event(true);
        pb_client_teardown(&F);
    }
}

TEST(connack_5_properties_reach_the_event)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(ASSIGNED_CLIENT_ID) | PROP(REASON_STRING);
    p.assigned_client_id = mqtls_str("auto-1");
    p.reason_string = mqtls_str("welcome");
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    pb_push_connack(&F.m, F.v, false, 0, &p);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK(F.ev[0].has_props);
    CHECK_EQ_INT(F.ev[0].props_present, p.present);
    CHECK_EQ_STR(F.ev[0].reason_string, "welcome");
    pb_client_teardown(&F);
}

static void check_refused(mqtls_version_t v, uint8_t code)
{
    pb_client_setup(&F, v);
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    mock_sent_clear(&F.m);
    pb_push_connack(&F.m, v, false, code, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_CONNACK_REFUSED);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK(!F.m.open);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_CONNACK_REFUSED);
    CHECK_EQ_INT(F.ev[0].reason, code);
    /* Nothing is sent after a refusal (no DISCONNECT). */
    CHECK_EQ_INT(F.m.out_len, 0);
    /* A later step does nothing. */
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.nev, 1);
}

TEST(connack_311_refusals_each_code)
{
    for (uint8_t code = 1; code <= 5; code++) {
        check_refused(MQTLS_V311, code);
        pb_client_teardown(&F);
    }
}

TEST(connack_5_refusal_with_properties)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(REASON_STRING);
    p.reason_string = mqtls_str("go away");
    check_refused(MQTLS_V5, MQTLS_RC_NOT_AUTHORIZED);
    pb_client_teardown(&F);

    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    pb_push_connack(&F.m, MQTLS_V5, false, MQTLS_RC_BANNED, &p);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_CONNACK_REFUSED);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
    CHECK_EQ_INT(F.ev[0].reason, MQTLS_RC_BANNED);
    CHECK(F.ev[0].has_props);
    CHECK_EQ_STR(F.ev[0].reason_string, "go away");
    pb_client_teardown(&F);
}

TEST(connack_refused_then_reconnect_works)
{
    check_refused(MQTLS_V311, MQTLS_RC311_SERVER_UNAVAILABLE);
    pb_client_clear_events(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_EQ_INT(F.m.connect_calls, 2);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    pb_client_teardown(&F);
}

TEST(connack_session_present_after_clean_start_is_an_error)
{
    for (int v = 0; v < 2; v++) {
        pb_client_setup(&F, v ? MQTLS_V5 : MQTLS_V311);
        pb_client_start(&F);
        REQUIRE_STATUS(send_connect(), MQTLS_OK);
        mock_sent_clear(&F.m);
        pb_push_connack(&F.m, F.v, true, 0, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_SESSION_STATE);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
        CHECK(!F.m.open);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK(F.ev[0].type == MQTLS_EV_CONNECT_FAILED || F.ev[0].type == MQTLS_EV_DISCONNECTED);
        CHECK_STATUS(F.ev[0].status, MQTLS_ERR_SESSION_STATE);
        CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_CONNECTED), 0);
        if (v) /* 5.0: the broker is told why (Protocol Error) */
            PB_CHECK_SENT_HEX(&F.m, "e0 01 82");
        else
            CHECK_EQ_INT(F.m.out_len, 0);
        pb_client_teardown(&F);
    }
}

TEST(connack_twice_is_a_protocol_error)
{
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_push_connack(&F.m, F.v, false, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_PROTOCOL);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_DISCONNECTED);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_PROTOCOL);
    PB_CHECK_SENT_HEX(&F.m, "e0 01 82");
    pb_client_teardown(&F);
}

TEST(packet_before_connack_is_a_protocol_error)
{
    /* PUBLISH, PINGRESP, SUBACK, PUBACK before CONNACK (3.1.1, then 5.0 forms) */
    static const char *const early[2][4] = {
        {"30 05 00 01 61 68 69", "d0 00", "90 03 00 01 00", "40 02 00 01"},
        {"30 06 00 01 61 00 68 69", "d0 00", "90 04 00 01 00 00", "40 02 00 01"}};
    for (int v = 0; v < 2; v++) {
        for (size_t i = 0; i < 4; i++) {
            pb_client_setup(&F, v ? MQTLS_V5 : MQTLS_V311);
            pb_client_start(&F);
            REQUIRE_STATUS(send_connect(), MQTLS_OK);
            mock_sent_clear(&F.m);
            mock_push_hex(&F.m, early[v][i]);
            if (!CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_PROTOCOL))
                test_note("v%d, packet %s", v ? 5 : 4, early[v][i]);
            CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
            REQUIRE_EQ_INT(F.nev, 1);
            CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
            CHECK_STATUS(F.ev[0].status, MQTLS_ERR_PROTOCOL);
            CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 0);
            if (v)
                PB_CHECK_SENT_HEX(&F.m, "e0 01 82");
            else
                CHECK_EQ_INT(F.m.out_len, 0);
            pb_client_teardown(&F);
        }
    }
}

/* ---------------------------------------------------------------- connect progress */

TEST(transport_connect_in_progress_then_ok)
{
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    mock_script_connect(&F.m, 3, MQTLS_OK);
    REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTING);
        CHECK_EQ_INT(F.m.out_len, 0);
        CHECK_EQ_INT(F.m.recv_calls, 0);
        mock_clock_advance(100);
    }
    CHECK_EQ_INT(F.m.connect_calls, 3);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.connect_calls, 4);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_WAIT_CONNACK);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "1");
    CHECK_EQ_INT(F.m.misuse, 0);
    pb_push_connack(&F.m, F.v, false, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(F.nev, 1);
    pb_client_teardown(&F);
}

TEST(transport_connect_error_fails_the_connect)
{
    static const mqtls_status_t errs[] = {MQTLS_ERR_CONNECT_REFUSED, MQTLS_ERR_DNS,
                                          MQTLS_ERR_TLS_VERIFY};
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        pb_client_setup(&F, MQTLS_V5);
        pb_client_start(&F);
        mock_script_connect(&F.m, (unsigned)i, errs[i]); /* after 0, 1, 2 "in progress" */
        REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
        mqtls_status_t st = MQTLS_OK;
        for (int k = 0; k < 5 && st == MQTLS_OK && mqtls_state(&F.c) != MQTLS_STATE_DISCONNECTED;
             k++)
            st = mqtls_step(&F.c);
        CHECK_STATUS(st, errs[i]);
        CHECK_EQ_INT(F.m.connect_calls, i + 1);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
        CHECK_STATUS(F.ev[0].status, errs[i]);
        CHECK_EQ_INT(F.m.sent_total, 0);
        CHECK_EQ_INT(F.m.misuse, 0);
        pb_client_teardown(&F);
    }
}

TEST(connect_timeout_without_connack)
{
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect_timeout_ms = 3000;
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 3000);
    mock_clock_advance(2999);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_WAIT_CONNACK);
    CHECK_EQ_INT(F.nev, 0);
    mock_clock_advance(1);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 0);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_TIMEOUT);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK(!F.m.open);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_TIMEOUT);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), UINT32_MAX);
    pb_client_teardown(&F);
}

TEST(connect_timeout_default_and_during_transport_connect)
{
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    mock_script_connect(&F.m, 1000000, MQTLS_OK); /* the transport never finishes */
    REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), MQTLS_CFG_CONNECT_TIMEOUT_MS);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    mock_clock_advance(MQTLS_CFG_CONNECT_TIMEOUT_MS - 1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTING);
    mock_clock_advance(1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_TIMEOUT);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK(F.m.close_calls >= 1);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_TIMEOUT);
    pb_client_teardown(&F);
}

TEST(connect_timeout_survives_clock_wrap)
{
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect_timeout_ms = 1000;
    pb_client_start(&F);
    mock_clock_set(0xFFFFFF00u);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    mock_clock_advance(999); /* wraps past 2^32 */
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 1);
    mock_clock_advance(1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_TIMEOUT);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- keep-alive */

static void connect_with_keepalive(mqtls_version_t v, uint16_t ka, const mqtls_props_t *cp)
{
    pb_client_setup(&F, v);
    F.opts.connect.keep_alive = ka;
    F.opts.ping_timeout_ms = 2000;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, cp), MQTLS_OK);
}

TEST(keepalive_pingreq_after_silence)
{
    for (int v = 0; v < 2; v++) {
        connect_with_keepalive(v ? MQTLS_V5 : MQTLS_V311, 10, NULL);
        CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 10000);
        mock_clock_advance(4000);
        CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 6000);
        mock_clock_advance(5999);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(F.m.out_len, 0);
        CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 1);
        mock_clock_advance(1);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        PB_CHECK_SENT_HEX(&F.m, "c0 00");
        /* Now the PINGRESP is awaited for ping_timeout_ms. */
        CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 2000);
        /* No second PINGREQ while one is outstanding. */
        mock_clock_advance(1000);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        PB_CHECK_SENT_HEX(&F.m, "c0 00");
        CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 1000);
        pb_client_teardown(&F);
    }
}

TEST(keepalive_pingresp_in_time_keeps_the_connection)
{
    connect_with_keepalive(MQTLS_V311, 10, NULL);
    mock_clock_advance(10000);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "c0 00");
    mock_sent_clear(&F.m);
    mock_clock_advance(1999);
    pb_push_pingresp(&F.m);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    /* The next ping is due keep-alive after the last PINGREQ went out. */
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 10000 - 1999);
    mock_clock_advance(10000 - 1999 - 1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.out_len, 0);
    mock_clock_advance(1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "c0 00");
    CHECK_EQ_INT(F.nev, 0);
    pb_client_teardown(&F);
}

TEST(keepalive_late_pingresp_declares_the_connection_dead)
{
    for (int v = 0; v < 2; v++) {
        connect_with_keepalive(v ? MQTLS_V5 : MQTLS_V311, 10, NULL);
        mock_clock_advance(10000);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        mock_sent_clear(&F.m);
        mock_clock_advance(1999);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        mock_clock_advance(1);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_KEEPALIVE_TIMEOUT);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
        CHECK(!F.m.open);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_DISCONNECTED);
        CHECK_STATUS(F.ev[0].status, MQTLS_ERR_KEEPALIVE_TIMEOUT);
        /* A PINGRESP arriving afterwards changes nothing. */
        pb_push_pingresp(&F.m);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(F.nev, 1);
        pb_client_teardown(&F);
    }
}

TEST(keepalive_default_ping_timeout)
{
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect.keep_alive = 5;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    mock_clock_advance(5000);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), MQTLS_CFG_PING_TIMEOUT_MS);
    mock_clock_advance(MQTLS_CFG_PING_TIMEOUT_MS);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_KEEPALIVE_TIMEOUT);
    pb_client_teardown(&F);
}

TEST(keepalive_pingreq_when_only_sending)
{
    connect_with_keepalive(MQTLS_V311, 10, NULL);
    mqtls_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str("t");
    for (int i = 0; i < 3; i++) {
        mock_clock_advance(3000);
        CHECK_STATUS(mqtls_publish(&F.c, &pub, NULL), MQTLS_OK);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    }
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "333");
    /* Nothing has been received for keep-alive: a half-open link must be detected. */
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 1000);
    mock_clock_advance(1000);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "333c");
    pb_client_teardown(&F);
}

TEST(keepalive_pingreq_when_only_receiving)
{
    connect_with_keepalive(MQTLS_V311, 10, NULL);
    for (int i = 0; i < 3; i++) {
        mock_clock_advance(3000);
        pb_push_publish(&F.m, F.v, "t", "x", 1, 0, 0, false, NULL);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    }
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(F.nev, 3);
    /* The client must send something within keep-alive [MQTT-3.1.2-23]. */
    mock_clock_advance(1000);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "c");
    pb_client_teardown(&F);
}

TEST(keepalive_no_ping_while_traffic_flows_both_ways)
{
    connect_with_keepalive(MQTLS_V5, 10, NULL);
    mqtls_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str("t");
    for (int i = 0; i < 20; i++) {
        mock_clock_advance(4000);
        pb_push_publish(&F.m, F.v, "in", "x", 1, 0, 0, false, NULL);
        CHECK_STATUS(mqtls_publish(&F.c, &pub, NULL), MQTLS_OK);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK(mqtls_next_timeout_ms(&F.c) <= 10000);
    }
    CHECK(strchr(pb_sent_types(&F.m, F.v), 'c') == NULL);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 20);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    pb_client_teardown(&F);
}

TEST(keepalive_zero_never_pings)
{
    connect_with_keepalive(MQTLS_V311, 0, NULL);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), UINT32_MAX);
    for (int i = 0; i < 10; i++) {
        mock_clock_advance(100000);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    }
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    pb_client_teardown(&F);
}

TEST(keepalive_server_keep_alive_replaces_ours)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(SERVER_KEEP_ALIVE);
    p.server_keep_alive = 5;
    connect_with_keepalive(MQTLS_V5, 60, &p);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 5000);
    mock_clock_advance(4999);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.out_len, 0);
    mock_clock_advance(1);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "c0 00");
    pb_client_teardown(&F);

    /* A longer server keep-alive is obeyed too. */
    p.server_keep_alive = 120;
    connect_with_keepalive(MQTLS_V5, 60, &p);
    mock_clock_advance(60000);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.out_len, 0);
    mock_clock_advance(60000);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "c0 00");
    pb_client_teardown(&F);

    /* Server keep-alive 0 switches pings off. */
    p.server_keep_alive = 0;
    connect_with_keepalive(MQTLS_V5, 10, &p);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), UINT32_MAX);
    mock_clock_advance(100000);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.out_len, 0);
    pb_client_teardown(&F);
}

TEST(keepalive_ping_state_does_not_outlive_the_connection)
{
    /* A PINGREQ is outstanding when the connection ends: the next connection starts afresh. */
    for (int how = 0; how < 2; how++) {
        connect_with_keepalive(MQTLS_V311, 10, NULL);
        mock_clock_advance(10000);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "c");
        if (how == 0) {
            mqtls_abort(&F.c);
        } else {
            mock_clock_advance(2000);
            CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_KEEPALIVE_TIMEOUT);
        }
        REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
        CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 10000);
        mock_clock_advance(2000);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
        CHECK_EQ_INT(F.m.out_len, 0);
        mock_clock_advance(8000);
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
        CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "c");
        pb_client_teardown(&F);
    }
}

TEST(keepalive_server_value_is_forgotten_on_reconnect)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(SERVER_KEEP_ALIVE);
    p.server_keep_alive = 5;
    connect_with_keepalive(MQTLS_V5, 10, &p);
    mqtls_abort(&F.c);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), 10000);
    pb_client_teardown(&F);
}

TEST(next_timeout_when_disconnected)
{
    static mqtls_client_t zero;
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&F.c), UINT32_MAX);
    CHECK_EQ_INT(mqtls_next_timeout_ms(NULL), UINT32_MAX);
    CHECK_EQ_INT(mqtls_next_timeout_ms(&zero), UINT32_MAX);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- SUBSCRIBE / UNSUBSCRIBE */

TEST(subscribe_311_bytes_and_suback)
{
    static const mqtls_subscription_t subs[2] = {{{"a/+", 3}, 1}, {{"b/#", 3}, 2}};
    uint16_t id = 0;
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    REQUIRE_STATUS(mqtls_subscribe(&F.c, subs, 2, NULL, &id), MQTLS_OK);
    CHECK_EQ_INT(id, 1);
    PB_CHECK_SENT_HEX(&F.m, "82 0e 00 01 00 03 61 2f 2b 01 00 03 62 2f 23 02");
    static const uint8_t codes[2] = {0x01, 0x80};
    pb_push_suback(&F.m, F.v, MQTLS_SUBACK, 1, codes, 2);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_SUBACK);
    CHECK_EQ_INT(F.ev[0].packet_id, 1);
    CHECK_EQ_INT(F.ev[0].count, 2);
    CHECK_EQ_MEM(F.ev[0].codes, codes, 2);
    pb_client_teardown(&F);
}

TEST(subscribe_5_bytes_with_options_and_properties)
{
    static const mqtls_subscription_t sub = {{"a/b", 3}, 1 | MQTLS_SUB_NO_LOCAL};
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(SUBSCRIPTION_ID);
    p.subscription_id = 7;
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    REQUIRE_STATUS(mqtls_subscribe(&F.c, &sub, 1, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "82 0b 00 01 02 0b 07 00 03 61 2f 62 05");
    /* 5.0 SUBACK: granted QoS 1 */
    mock_push_hex(&F.m, "90 04 00 01 00 01");
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_SUBACK);
    CHECK_EQ_INT(F.ev[0].count, 1);
    CHECK_EQ_INT(F.ev[0].codes[0], 1);
    CHECK(F.ev[0].has_props);
    pb_client_teardown(&F);
}

TEST(suback_5_refusal_codes_reach_the_event)
{
    static const mqtls_subscription_t subs[3] = {
        {{"a", 1}, 0}, {{"b", 1}, 1}, {{"c", 1}, 2}};
    static const uint8_t codes[3] = {0x00, MQTLS_RC_NOT_AUTHORIZED, MQTLS_RC_QUOTA_EXCEEDED};
    uint16_t id;
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    REQUIRE_STATUS(mqtls_subscribe(&F.c, subs, 3, NULL, &id), MQTLS_OK);
    pb_push_suback(&F.m, F.v, MQTLS_SUBACK, id, codes, 3);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].packet_id, id);
    CHECK_EQ_INT(F.ev[0].count, 3);
    CHECK_EQ_MEM(F.ev[0].codes, codes, 3);
    pb_client_teardown(&F);
}

TEST(unsubscribe_bytes_and_unsuback)
{
    static const mqtls_str_t filters[2] = {{"a/+", 3}, {"b", 1}};
    uint16_t id = 0;
    /* 3.1.1: UNSUBACK carries no codes */
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    REQUIRE_STATUS(mqtls_unsubscribe(&F.c, filters, 1, NULL, &id), MQTLS_OK);
    CHECK_EQ_INT(id, 1);
    PB_CHECK_SENT_HEX(&F.m, "a2 07 00 01 00 03 61 2f 2b");
    mock_push_hex(&F.m, "b0 02 00 01");
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_UNSUBACK);
    CHECK_EQ_INT(F.ev[0].packet_id, 1);
    CHECK_EQ_INT(F.ev[0].count, 0);
    pb_client_teardown(&F);

    /* 5.0: one code per filter */
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    REQUIRE_STATUS(mqtls_unsubscribe(&F.c, filters, 2, NULL, &id), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "a2 0b 00 01 00 00 03 61 2f 2b 00 01 62");
    mock_push_hex(&F.m, "b0 05 00 01 00 00 11");
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_UNSUBACK);
    CHECK_EQ_INT(F.ev[0].count, 2);
    CHECK_EQ_INT(F.ev[0].codes[0], 0x00);
    CHECK_EQ_INT(F.ev[0].codes[1], MQTLS_RC_NO_SUBSCRIPTION_EXISTED);
    pb_client_teardown(&F);
}

TEST(subscribe_and_unsubscribe_argument_and_state_errors)
{
    static const mqtls_subscription_t sub = {{"a", 1}, 1};
    static const mqtls_subscription_t bad = {{"a/#/b", 5}, 0};
    static const mqtls_str_t filter = {"a", 1};
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    CHECK_STATUS(mqtls_subscribe(&F.c, &sub, 1, NULL, NULL), MQTLS_ERR_STATE);
    CHECK_STATUS(mqtls_unsubscribe(&F.c, &filter, 1, NULL, NULL), MQTLS_ERR_STATE);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_subscribe(NULL, &sub, 1, NULL, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_subscribe(&F.c, NULL, 1, NULL, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_subscribe(&F.c, &sub, 0, NULL, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_unsubscribe(&F.c, NULL, 1, NULL, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_unsubscribe(&F.c, &filter, 0, NULL, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_subscribe(&F.c, &bad, 1, NULL, NULL), MQTLS_ERR_MALFORMED_FILTER);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    pb_client_teardown(&F);
}

TEST(subscribe_ids_are_distinct_from_publish_ids)
{
    static const mqtls_subscription_t sub = {{"a", 1}, 1};
    mqtls_publish_t pub;
    uint16_t a = 0, b = 0, s = 0;
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str("t");
    pub.qos = 1;
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    REQUIRE_STATUS(mqtls_publish(&F.c, &pub, &a), MQTLS_OK);
    REQUIRE_STATUS(mqtls_subscribe(&F.c, &sub, 1, NULL, &s), MQTLS_OK);
    REQUIRE_STATUS(mqtls_publish(&F.c, &pub, &b), MQTLS_OK);
    CHECK(a != 0 && b != 0 && s != 0);
    CHECK(a != s && b != s && a != b);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- AUTH */

/* An AUTH packet when our CONNECT named no Authentication Method is a protocol error
 * [MQTT-4.12.0-6]: DISCONNECT 0x82, and the connection ends. */
TEST(auth_without_an_auth_method_in_connect_is_a_protocol_error)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(AUTH_METHOD);
    p.auth_method = mqtls_str("m");
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_AUTH, 0, MQTLS_RC_CONTINUE_AUTHENTICATION, &p);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_PROTOCOL);
    PB_CHECK_SENT_HEX(&F.m, "e0 01 82");
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_AUTH), 0);
    pb_client_teardown(&F);
}

TEST(auth_5_both_ways)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(AUTH_METHOD);
    p.auth_method = mqtls_str("m");
    pb_client_setup(&F, MQTLS_V5);
    F.opts.connect.props = p; /* the CONNECT opens an enhanced authentication */
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_AUTH, 0, MQTLS_RC_CONTINUE_AUTHENTICATION, &p);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_AUTH);
    CHECK_EQ_INT(F.ev[0].reason, MQTLS_RC_CONTINUE_AUTHENTICATION);
    CHECK(F.ev[0].props_present & PROP(AUTH_METHOD));
    CHECK_STATUS(mqtls_auth(&F.c, MQTLS_RC_REAUTHENTICATE, &p), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "f0 06 19 04 15 00 01 6d");
    pb_client_teardown(&F);

    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_auth(&F.c, 0x19, NULL), MQTLS_ERR_UNSUPPORTED);
    CHECK_EQ_INT(F.m.out_len, 0);
    pb_client_teardown(&F);
}

/* ---------------------------------------------------------------- DISCONNECT, abort, free */

static void publish_qos1(const char *topic, uint16_t *id)
{
    mqtls_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str(topic);
    pub.payload = (const uint8_t *)"data";
    pub.payload_len = 4;
    pub.qos = 1;
    CHECK_STATUS(mqtls_publish(&F.c, &pub, id), MQTLS_OK);
}

TEST(disconnect_311_bytes_event_and_state)
{
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_disconnect(&F.c, MQTLS_RC_DISCONNECT_WITH_WILL, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "e0 00"); /* 3.1.1 has no reason code */
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK(!F.m.open);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_DISCONNECTED);
    CHECK_STATUS(F.ev[0].status, MQTLS_OK);
    CHECK_STATUS(mqtls_disconnect(&F.c, 0, NULL), MQTLS_ERR_STATE);
    CHECK_STATUS(mqtls_disconnect(NULL, 0, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.nev, 1);
    pb_client_teardown(&F);
}

TEST(disconnect_5_reason_and_properties_bytes)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(SESSION_EXPIRY) | PROP(REASON_STRING);
    p.session_expiry = 0;
    p.reason_string = mqtls_str("bye");
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_disconnect(&F.c, MQTLS_RC_DISCONNECT_WITH_WILL, &p), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "e0 0d 04 0b 11 00 00 00 00 1f 00 03 62 79 65");
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_DISCONNECTED);
    CHECK_EQ_INT(F.ev[0].reason, MQTLS_RC_DISCONNECT_WITH_WILL);
    pb_client_teardown(&F);

    /* Normal disconnection without properties: the shortest form. */
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_disconnect(&F.c, 0, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "e0 00");
    pb_client_teardown(&F);
}

TEST(disconnect_keeps_session_state)
{
    uint16_t id;
    pb_client_setup(&F, MQTLS_V311);
    F.opts.connect.clean_start = false;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    publish_qos1("t", &id);
    size_t used = F.store.used;
    CHECK(used > 0);
    CHECK_STATUS(mqtls_disconnect(&F.c, 0, NULL), MQTLS_OK);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    CHECK_EQ_INT(F.store.used, used);
    mock_sent_clear(&F.m);
    /* ... and a persistent reconnect resends it. */
    REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    pb_push_connack(&F.m, F.v, true, 0, NULL);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_STR(pb_sent_types(&F.m, F.v), "13");
    pb_client_teardown(&F);
}

TEST(disconnect_flushes_coalesced_output_first)
{
    mqtls_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str("t");
    pub.payload = (const uint8_t *)"x";
    pub.payload_len = 1;
    pb_client_setup(&F, MQTLS_V311);
    F.cfg.tx_coalesce = true;
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_publish(&F.c, &pub, NULL), MQTLS_OK);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_STATUS(mqtls_disconnect(&F.c, 0, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "30 04 00 01 74 78 e0 00");
    pb_client_teardown(&F);
}

TEST(disconnect_while_waiting_for_connack)
{
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    mock_sent_clear(&F.m);
    mqtls_disconnect(&F.c, 0, NULL);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK(!F.m.open);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_CONNECTED), 0);
    /* Nothing is left that could later report success. */
    pb_push_connack(&F.m, F.v, false, 0, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_CONNECTED), 0);
    pb_client_teardown(&F);
}

TEST(abort_closes_without_disconnect_and_keeps_session)
{
    uint16_t id;
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    publish_qos1("t", &id);
    mock_sent_clear(&F.m);
    mqtls_abort(&F.c);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK(!F.m.open);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_DISCONNECTED);
    CHECK_STATUS(F.ev[0].status, MQTLS_OK);
    /* Aborting a disconnected client does nothing. */
    mqtls_abort(&F.c);
    mqtls_abort(NULL);
    CHECK_EQ_INT(F.nev, 1);
    pb_client_teardown(&F);
}

TEST(client_free_is_safe_twice_and_on_a_zeroed_client)
{
    static mqtls_client_t zero;
    uint16_t id;
    mqtls_client_free(&zero);
    mqtls_client_free(&zero);
    mqtls_client_free(NULL);

    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    mqtls_client_free(&F.c); /* initialised, never connected */
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    publish_qos1("t", &id);
    publish_qos1("u", &id);
    size_t kept = F.store.used;
    CHECK(kept > 0);
    mock_sent_clear(&F.m);
    mqtls_client_free(&F.c);
    /* RAM state goes; the store is not the client's to empty: a durable one keeps what was
     * accepted and not yet delivered, for the next run's mqtls_client_restore(). */
    CHECK_EQ_INT(F.store.used, kept);
    CHECK(!F.m.open);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(F.nev, 0); /* no events from a context being torn down */
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    unsigned closes = F.m.close_calls;
    mqtls_client_free(&F.c);
    CHECK_EQ_INT(F.m.close_calls, closes);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    pb_client_teardown(&F);
}

/* mqtls_client_discard(): the explicit way to throw the session's messages away. */
TEST(client_discard_empties_the_store_and_reports_each_message)
{
    uint16_t a, b;
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    publish_qos1("t", &a);
    publish_qos1("u", &b);
    CHECK_STATUS(mqtls_client_discard(&F.c), MQTLS_ERR_STATE); /* not while connected */
    CHECK_EQ_INT(mqtls_inflight(&F.c), 2);
    mqtls_abort(&F.c);
    pb_client_clear_events(&F);
    CHECK_STATUS(mqtls_client_discard(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.store.used, 0);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 0);
    REQUIRE_EQ_INT(F.nev, 2);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_PUBLISH_DROPPED);
    CHECK_EQ_INT(F.ev[0].packet_id, a);
    CHECK_EQ_INT(F.ev[1].packet_id, b);
    CHECK_STATUS(F.ev[1].status, MQTLS_ERR_STATE);
    CHECK_STATUS(mqtls_client_discard(NULL), MQTLS_ERR_BAD_PARAM);
    pb_client_teardown(&F);
}

TEST(server_disconnect_5_reason_and_properties_in_the_event)
{
    static const mqtls_user_prop_t up = {{"why", 3}, {"maintenance", 11}};
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(REASON_STRING) | PROP(SERVER_REFERENCE);
    p.reason_string = mqtls_str("going down");
    p.server_reference = mqtls_str("other:1883");
    p.user = &up;
    p.user_count = 1;
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_DISCONNECT, 0, MQTLS_RC_SERVER_SHUTTING_DOWN, &p);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_SERVER_DISCONNECT);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    CHECK(!F.m.open);
    CHECK_EQ_INT(F.m.out_len, 0); /* no DISCONNECT answers a DISCONNECT */
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_DISCONNECTED);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_SERVER_DISCONNECT);
    CHECK_EQ_INT(F.ev[0].reason, MQTLS_RC_SERVER_SHUTTING_DOWN);
    CHECK(F.ev[0].has_props);
    CHECK_EQ_STR(F.ev[0].reason_string, "going down");
    CHECK_EQ_STR(F.ev[0].server_reference, "other:1883");
    CHECK_EQ_INT(F.ev[0].user_count, 1);
    CHECK_EQ_STR(F.ev[0].user_key, "why");
    CHECK_EQ_STR(F.ev[0].user_value, "maintenance");
    pb_client_teardown(&F);
}

TEST(server_disconnect_before_connack_fails_the_connect)
{
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    REQUIRE_STATUS(send_connect(), MQTLS_OK);
    pb_push_ack(&F.m, F.v, MQTLS_DISCONNECT, 0, MQTLS_RC_SERVER_BUSY, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_SERVER_DISCONNECT);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
    CHECK_EQ_INT(F.ev[0].reason, MQTLS_RC_SERVER_BUSY);
    pb_client_teardown(&F);
}

TEST(peer_close_reports_closed)
{
    for (int v = 0; v < 2; v++) {
        pb_client_setup(&F, v ? MQTLS_V5 : MQTLS_V311);
        pb_client_start(&F);
        REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
        F.m.eof_when_empty = true;
        CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_CLOSED);
        CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
        CHECK_EQ_INT(F.m.out_len, 0);
        REQUIRE_EQ_INT(F.nev, 1);
        CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_DISCONNECTED);
        CHECK_STATUS(F.ev[0].status, MQTLS_ERR_CLOSED);
        pb_client_teardown(&F);
    }
}

TEST(transport_errors_end_the_connection)
{
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    REQUIRE_STATUS(pb_client_connect(&F, false, NULL), MQTLS_OK);
    F.m.fail_recv_at = F.m.received;
    F.m.fail_recv_status = MQTLS_ERR_IO;
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_IO);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_IO);
    pb_client_teardown(&F);

    /* CONNECT cannot be written */
    pb_client_setup(&F, MQTLS_V311);
    F.m.fail_send_at = 0;
    F.m.fail_send_status = MQTLS_ERR_IO;
    pb_client_start(&F);
    REQUIRE_STATUS(mqtls_connect(&F.c, &F.opts), MQTLS_OK);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_IO);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_EQ_INT(F.ev[0].type, MQTLS_EV_CONNECT_FAILED);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_IO);
    pb_client_teardown(&F);
}

TEST(null_and_idle_calls)
{
    static mqtls_client_t zero;
    mqtls_publish_t pub;
    memset(&pub, 0, sizeof pub);
    CHECK_STATUS(mqtls_step(NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_EQ_INT(mqtls_state(NULL), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(mqtls_inflight(NULL), 0);
    CHECK_STATUS(mqtls_publish(NULL, &pub, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_flush(NULL), MQTLS_OK);
    mqtls_client_init(&zero, NULL);
    CHECK_STATUS(mqtls_step(&zero), MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&zero), MQTLS_STATE_DISCONNECTED);
    pb_client_setup(&F, MQTLS_V311);
    pb_client_start(&F);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK); /* disconnected: nothing to do */
    CHECK_EQ_INT(F.m.connect_calls + F.m.recv_calls + F.m.send_calls, 0);
    CHECK_STATUS(mqtls_publish(&F.c, &pub, NULL), MQTLS_ERR_STATE);
    pb_client_teardown(&F);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(connect_311_minimal_bytes);
    RUN(connect_311_persistent_no_keepalive_bytes);
    RUN(connect_311_will_user_password_bytes);
    RUN(connect_311_will_qos2_no_retain_flags);
    RUN(connect_5_advertises_its_limits_bytes);
    RUN(connect_5_will_properties_user_password_bytes);
    RUN(connect_5_lowers_larger_user_limits);
    RUN(connect_5_keeps_smaller_user_limits);
    RUN(connect_5_limits_follow_the_configuration);
    RUN(connect_5_without_alias_slots_allows_no_aliases);
    RUN(connect_311_sends_no_properties);
    RUN(connect_rejects_bad_arguments);
    RUN(connect_while_connecting_or_connected_is_a_state_error);
    RUN(connect_with_invalid_connect_fields_is_refused_up_front);
    RUN(connect_with_invalid_fields_fails_without_sending);
    RUN(connack_accepted_reports_connected);
    RUN(connack_session_present_is_reported);
    RUN(connack_5_properties_reach_the_event);
    RUN(connack_311_refusals_each_code);
    RUN(connack_5_refusal_with_properties);
    RUN(connack_refused_then_reconnect_works);
    RUN(connack_session_present_after_clean_start_is_an_error);
    RUN(connack_twice_is_a_protocol_error);
    RUN(packet_before_connack_is_a_protocol_error);
    RUN(transport_connect_in_progress_then_ok);
    RUN(transport_connect_error_fails_the_connect);
    RUN(connect_timeout_without_connack);
    RUN(connect_timeout_default_and_during_transport_connect);
    RUN(connect_timeout_survives_clock_wrap);
    RUN(keepalive_pingreq_after_silence);
    RUN(keepalive_pingresp_in_time_keeps_the_connection);
    RUN(keepalive_late_pingresp_declares_the_connection_dead);
    RUN(keepalive_default_ping_timeout);
    RUN(keepalive_pingreq_when_only_sending);
    RUN(keepalive_pingreq_when_only_receiving);
    RUN(keepalive_no_ping_while_traffic_flows_both_ways);
    RUN(keepalive_zero_never_pings);
    RUN(keepalive_server_keep_alive_replaces_ours);
    RUN(keepalive_ping_state_does_not_outlive_the_connection);
    RUN(keepalive_server_value_is_forgotten_on_reconnect);
    RUN(next_timeout_when_disconnected);
    RUN(subscribe_311_bytes_and_suback);
    RUN(subscribe_5_bytes_with_options_and_properties);
    RUN(suback_5_refusal_codes_reach_the_event);
    RUN(unsubscribe_bytes_and_unsuback);
    RUN(subscribe_and_unsubscribe_argument_and_state_errors);
    RUN(subscribe_ids_are_distinct_from_publish_ids);
    RUN(auth_without_an_auth_method_in_connect_is_a_protocol_error);
    RUN(auth_5_both_ways);
    RUN(disconnect_311_bytes_event_and_state);
    RUN(disconnect_5_reason_and_properties_bytes);
    RUN(disconnect_keeps_session_state);
    RUN(disconnect_flushes_coalesced_output_first);
    RUN(disconnect_while_waiting_for_connack);
    RUN(abort_closes_without_disconnect_and_keeps_session);
    RUN(client_free_is_safe_twice_and_on_a_zeroed_client);
    RUN(client_discard_empties_the_store_and_reports_each_message);
    RUN(server_disconnect_5_reason_and_properties_in_the_event);
    RUN(server_disconnect_before_connack_fails_the_connect);
    RUN(peer_close_reports_closed);
    RUN(transport_errors_end_the_connection);
    RUN(null_and_idle_calls);
    return test_main_end();
}
