/**
 * @file test_limits.c
 * @brief Limits and 5.0 specifics against a real mosquitto 2.0.11.
 *
 * What mosquitto 2.0.11 does, as these tests found (and assert):
 *  - 5.0 CONNACK carries Topic Alias Maximum 10 (max_topic_alias) and Receive Maximum 20
 *    (max_inflight_messages; 3 when configured so); with max_packet_size, max_qos and
 *    retain_available it adds Maximum Packet Size, Maximum QoS and Retain Available 0.
 *  - It never sends topic aliases to clients, even to one that allows them, so the
 *    incoming-alias path cannot be exercised against it (the unit tests cover it); the test
 *    here only shows that a client with alias slots gets full topics.
 *  - A 5.0 client advertising Maximum Packet Size (mqtls sends its receive buffer size)
 *    never gets a larger message: mosquitto drops it for that client, which stays connected.
 *    A 3.1.1 client cannot say so: the oversize PUBLISH arrives and mqtls ends the
 *    connection with MQTLS_ERR_PACKET_TOO_LARGE and the packet's size.
 *  - A 3.1.1 client exceeding the broker's max_packet_size is disconnected (no DISCONNECT
 *    in 3.1.1); a 5.0 client is refused locally with MQTLS_ERR_SERVER_LIMIT.
 *  - Refused logins: return code 5 (3.1.1) and 0x87 Not authorized (5.0), whether the
 *    credentials are missing, the user unknown or the password wrong; an unknown 5.0
 *    authentication method: 0x8C.
 *  - 3.1.1: max_inflight_messages also caps a client's incoming QoS 2 messages; the excess
 *    is dropped silently (a PUBREC cannot carry a refusal in 3.1.1), so a 3.1.1 window must
 *    stay within it.
 *  - 5.0: mosquitto 2.0.11 does not keep to a client's Receive Maximum for QoS 2 (it sends
 *    new messages while earlier ones still await PUBCOMP); with a QoS 2 table smaller than
 *    its own in-flight limit (20) the client rightly ends the connection with 0x93.
 *  - ACL: subscriptions are granted whatever the ACL says; a denied 5.0 publish gets
 *    PUBACK/PUBREC 0x87, a denied 3.1.1 publish is acknowledged and dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "integ_client.h"
#include "mqtls/reason.h"
#include "test.h"

static test_broker_t broker; /* default configuration */

static const char *vname(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "v5" : "v311";
}

static int make_on(ic_client_t *c, const test_broker_t *b, mqtls_version_t v, const char *role)
{
    char id[64];
    ic_setup_t s = {0};
    snprintf(id, sizeof id, "lim-%s-%s", role, vname(v));
    s.version = v;
    s.client_id = id;
    s.port = b->port;
    return ic_init(c, &s);
}

static mqtls_publish_t msg(const char *topic, const void *payload, uint32_t len, uint8_t qos)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = payload;
    p.payload_len = len;
    p.qos = qos;
    return p;
}

static mqtls_publish_t aliased(const char *topic, uint16_t alias, const char *payload,
                               uint8_t qos)
{
    mqtls_publish_t p = msg(topic, payload, (uint32_t)strlen(payload), qos);
    p.props.present = MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS);
    p.props.topic_alias = alias;
    return p;
}

/* ---------------------------------------------------------------- topic aliases */

TEST(topic_alias_outgoing_5)
{
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    s.version = MQTLS_V5;
    s.client_id = "lim-alias-pub";
    s.port = broker.port;
    s.filter = true; /* to see the empty topics on the wire */
    REQUIRE(ic_init(&pub, &s) == 0);
    REQUIRE(make_on(&sub, &broker, MQTLS_V5, "aliassub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK(pub.connack.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS_MAXIMUM));
    CHECK_EQ_INT(pub.connack.topic_alias_maximum, 10);
    CHECK_STATUS(ic_subscribe(&sub, "ta/#", 1), MQTLS_OK);

    mqtls_publish_t p;
    p = aliased("ta/one", 1, "p1", 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_OK);
    p = aliased("", 1, "p2", 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_OK);
    p = aliased("", 1, "refused", 1); /* a stored QoS 1 copy must name its topic */
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("ta/two", 10, "p3", 1);
    CHECK_STATUS(mqtls_sync_publish(&pub.cli, &p, IC_WAIT_MS), MQTLS_OK);
    p = aliased("", 10, "p4", 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_OK);
    p = aliased("ta/x", 11, "refused", 0); /* above the broker's maximum */
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("ta/x", 0, "refused", 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("", 2, "refused", 0); /* never defined */
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    p = aliased("ta/three", 1, "p5", 0); /* redefined */
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_OK);
    p = aliased("", 1, "p6", 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, "ta/end", "end", 1, false), MQTLS_OK);
    CHECK_EQ_INT(pub.filt.tx_publish_no_topic, 3);

    CHECK(ic_wait_msgs(both, 2, &sub, 7, IC_WAIT_MS));
    ic_run(both, 2, 100);
    CHECK_EQ_INT(sub.nmsgs, 7);
    CHECK_EQ_INT(ic_count(&sub, "ta/one", "p1"), 1);
    CHECK_EQ_INT(ic_count(&sub, "ta/one", "p2"), 1);
    CHECK_EQ_INT(ic_count(&sub, "ta/two", "p3"), 1);
    CHECK_EQ_INT(ic_count(&sub, "ta/two", "p4"), 1);
    CHECK_EQ_INT(ic_count(&sub, "ta/three", "p5"), 1);
    CHECK_EQ_INT(ic_count(&sub, "ta/three", "p6"), 1);
    CHECK_EQ_INT(ic_count(&sub, NULL, "refused"), 0);
    CHECK_EQ_INT(mqtls_state(&pub.cli), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(pub.ev_count[MQTLS_EV_DISCONNECTED], 0);

    /* Aliases live as long as the connection. */
    CHECK_STATUS(mqtls_disconnect(&pub.cli, 0, NULL), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    p = aliased("", 1, "refused", 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_TOPIC_ALIAS);
    ic_free(&pub);
    ic_free(&sub);
}

/* 3.1.1 has no aliases: the property is left out and the topic is required. */
TEST(topic_alias_ignored_311)
{
    ic_client_t pub, sub;
    REQUIRE(make_on(&pub, &broker, MQTLS_V311, "aliaspub") == 0);
    REQUIRE(make_on(&sub, &broker, MQTLS_V311, "aliassub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, "ta311/#", 1), MQTLS_OK);
    mqtls_publish_t p = aliased("ta311/x", 1, "with alias bit", 1);
    CHECK_STATUS(mqtls_sync_publish(&pub.cli, &p, IC_WAIT_MS), MQTLS_OK);
    p = aliased("", 1, "empty topic", 0);
    CHECK(mqtls_publish(&pub.cli, &p, NULL) != MQTLS_OK);
    CHECK(ic_wait_msgs(both, 2, &sub, 1, IC_WAIT_MS));
    CHECK_EQ_INT(ic_count(&sub, "ta311/x", "with alias bit"), 1);
    CHECK_EQ_INT(mqtls_state(&pub.cli), MQTLS_STATE_CONNECTED);
    ic_free(&pub);
    ic_free(&sub);
}

/* A subscriber that allows incoming aliases: mosquitto 2.0.11 sends none. */
TEST(topic_alias_incoming_5)
{
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    s.version = MQTLS_V5;
    s.client_id = "lim-alias-in";
    s.port = broker.port;
    s.alias_slots = 4;
    REQUIRE(ic_init(&sub, &s) == 0);
    REQUIRE(make_on(&pub, &broker, MQTLS_V5, "aliasinpub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, "tain/#", 0), MQTLS_OK);
    for (int i = 0; i < 5; i++) {
        CHECK_STATUS(ic_publish(&pub, "tain/same/topic", "again", 0, false), MQTLS_OK);
    }
    CHECK(ic_wait_msgs(both, 2, &sub, 5, IC_WAIT_MS));
    CHECK_EQ_INT(ic_count(&sub, "tain/same/topic", "again"), 5);
    int aliased_in = 0;
    for (size_t i = 0; i < sub.nmsgs; i++) {
        if (sub.msgs[i].present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)) {
            aliased_in++;
        }
    }
    test_note("%d of %zu messages came with a topic alias (mosquitto 2.0.11 sends none; the "
              "incoming alias path is covered by the unit tests only)",
              aliased_in, sub.nmsgs);
    ic_free(&pub);
    ic_free(&sub);
}

/* ---------------------------------------------------------------- Receive Maximum */

TEST(receive_maximum_default_5)
{
    ic_client_t c;
    REQUIRE(make_on(&c, &broker, MQTLS_V5, "rmdefault") == 0);
    REQUIRE_STATUS(ic_connect(&c), MQTLS_OK);
    CHECK(c.connack.present & MQTLS_PROPBIT(MQTLS_PROP_RECEIVE_MAXIMUM));
    CHECK_EQ_INT(c.connack.receive_maximum, 20);
    ic_free(&c);
}

typedef struct {
    ic_client_t *pub;
    size_t want;
} done_arg_t;

static bool all_done(void *arg)
{
    done_arg_t *a = arg;
    return a->pub->ndone >= a->want;
}

static void receive_maximum(mqtls_version_t v)
{
    test_broker_t b;
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    char payload[32];
    REQUIRE(test_broker_start(&b, "max_inflight_messages 3") == 0);
    s.version = v;
    s.client_id = v == MQTLS_V5 ? "lim-rm-pub-v5" : "lim-rm-pub-v311";
    s.port = b.port;
    /* 5.0: the broker's Receive Maximum (3) is below our window (5). 3.1.1 has no Receive
     * Maximum, yet mosquitto applies max_inflight_messages to incoming QoS 2 there too and
     * drops the excess silently (PUBREC with its internal code 0x97, which 3.1.1 cannot
     * carry): a 3.1.1 window must be configured within it; ours is 2 here. */
    s.inflight_cap = v == MQTLS_V5 ? 5 : 2;
    if (ic_init(&pub, &s) != 0 || make_on(&sub, &b, v, "rmsub") != 0) {
        test_broker_stop(&b);
        REQUIRE(0);
    }
    const int window = v == MQTLS_V5 ? 3 : 2;
    ic_client_t *both[] = {&pub, &sub};
    CHECK_STATUS(ic_connect(&pub), MQTLS_OK);
    CHECK_STATUS(ic_connect(&sub), MQTLS_OK);
    if (v == MQTLS_V5) {
        CHECK(pub.connack.present & MQTLS_PROPBIT(MQTLS_PROP_RECEIVE_MAXIMUM));
        CHECK_EQ_INT(pub.connack.receive_maximum, 3);
    }
    CHECK_STATUS(ic_subscribe(&sub, "rm/t", 2), MQTLS_OK);

    /* The window fills without any acknowledgement read. */
    for (int i = 0; i < window; i++) {
        snprintf(payload, sizeof payload, "w%d", i);
        CHECK_STATUS(ic_publish_nb(&pub, "rm/t", payload, (uint32_t)strlen(payload), 1, false,
                                   NULL),
                     MQTLS_OK);
    }
    CHECK_STATUS(ic_publish_nb(&pub, "rm/t", "over", 4, 1, false, NULL),
                 MQTLS_ERR_INFLIGHT_FULL);
    CHECK_EQ_INT(mqtls_inflight(&pub.cli), window);
    done_arg_t da = {&pub, (size_t)window};
    CHECK(ic_run_until(both, 2, all_done, &da, IC_WAIT_MS));

    /* A burst of 30 QoS 2 publishes: never more than the window outstanding. */
    uint16_t most = 0;
    int sent = 0;
    uint64_t end = ic_now_ms() + 10000u;
    while (sent < 30 && ic_now_ms() < end) {
        snprintf(payload, sizeof payload, "b%d", sent);
        mqtls_status_t st = ic_publish_nb(&pub, "rm/t", payload, (uint32_t)strlen(payload), 2,
                                          false, NULL);
        if (st == MQTLS_ERR_INFLIGHT_FULL) {
            ic_run(both, 2, 5);
            continue;
        }
        if (!CHECK_STATUS(st, MQTLS_OK)) {
            break;
        }
        sent++;
        if (mqtls_inflight(&pub.cli) > most) {
            most = mqtls_inflight(&pub.cli);
        }
    }
    CHECK_EQ_INT(sent, 30);
    CHECK_EQ_INT(most, window);
    da.want = (size_t)window + 30u;
    CHECK(ic_run_until(both, 2, all_done, &da, IC_WAIT_MS));
    CHECK(ic_wait_msgs(both, 2, &sub, (size_t)window + 30u, IC_WAIT_MS));
    ic_run(both, 2, 100);
    CHECK_EQ_INT(sub.nmsgs, window + 30);
    for (int i = 0; i < 30; i++) {
        snprintf(payload, sizeof payload, "b%d", i);
        CHECK_EQ_INT(ic_count(&sub, "rm/t", payload), 1);
    }
    CHECK_EQ_INT(pub.ev_count[MQTLS_EV_DISCONNECTED], 0);
    ic_free(&pub);
    ic_free(&sub);
    test_broker_stop(&b);
}

TEST(receive_maximum_5)
{
    receive_maximum(MQTLS_V5);
}

TEST(inflight_window_311)
{
    receive_maximum(MQTLS_V311);
}

/* ---------------------------------------------------------------- packet sizes, QoS, retain */

static test_broker_t small; /* max_packet_size 1000, max_qos 1, retain_available false */

TEST(server_limits_5)
{
    ic_client_t pub, sub;
    static uint8_t big[1200];
    memset(big, 'x', sizeof big);
    REQUIRE(make_on(&pub, &small, MQTLS_V5, "slpub") == 0);
    REQUIRE(make_on(&sub, &small, MQTLS_V5, "slsub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK(pub.connack.present & MQTLS_PROPBIT(MQTLS_PROP_MAXIMUM_PACKET_SIZE));
    CHECK_EQ_INT(pub.connack.maximum_packet_size, 1000);
    CHECK(pub.connack.present & MQTLS_PROPBIT(MQTLS_PROP_MAXIMUM_QOS));
    CHECK_EQ_INT(pub.connack.maximum_qos, 1);
    CHECK(pub.connack.present & MQTLS_PROPBIT(MQTLS_PROP_RETAIN_AVAILABLE));
    CHECK_EQ_INT(pub.connack.retain_available, 0);
    CHECK_STATUS(ic_subscribe(&sub, "mps/t", 2), MQTLS_OK);
    CHECK_EQ_INT(sub.codes[0], 1); /* granted at most the Maximum QoS */

    mqtls_publish_t p = msg("mps/t", big, sizeof big, 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_SERVER_LIMIT);
    p.qos = 1;
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_SERVER_LIMIT);
    CHECK_EQ_INT(mqtls_inflight(&pub.cli), 0);
    CHECK_EQ_INT(pub.store.used, 0);
    /* The boundary: 1 + 2 (fixed header) + 7 (topic) + 1 (no properties) + 989 = 1000. */
    p = msg("mps/t", big, 990, 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_SERVER_LIMIT);
    p = msg("mps/t", big, 989, 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_OK);
    p = msg("mps/t", "q2", 2, 2);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_QOS_NOT_SUPPORTED);
    p = msg("mps/t", "kept", 4, 0);
    p.retain = true;
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_ERR_RETAIN_NOT_SUPPORTED);
    CHECK_STATUS(ic_publish(&pub, "mps/t", "small", 1, false), MQTLS_OK);
    CHECK(ic_wait_msgs(both, 2, &sub, 2, IC_WAIT_MS));
    ic_run(both, 2, 100);
    CHECK_EQ_INT(sub.nmsgs, 2);
    if (sub.nmsgs >= 1) {
        CHECK_EQ_INT(sub.msgs[0].len, 989);
    }
    CHECK_EQ_INT(ic_count(&sub, "mps/t", "small"), 1);
    CHECK_EQ_INT(mqtls_state(&pub.cli), MQTLS_STATE_CONNECTED);
    ic_free(&pub);
    ic_free(&sub);
}

/* 3.1.1 cannot learn the broker's limit: the oversize publish goes out and the broker
 * closes the connection. */
TEST(server_packet_limit_311)
{
    ic_client_t pub;
    static uint8_t big[1200];
    memset(big, 'y', sizeof big);
    REQUIRE(make_on(&pub, &small, MQTLS_V311, "slpub") == 0);
    ic_client_t *one[] = {&pub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, "mps/t", "fits", 1, false), MQTLS_OK);
    mqtls_publish_t p = msg("mps/t", big, sizeof big, 0);
    CHECK_STATUS(mqtls_publish(&pub.cli, &p, NULL), MQTLS_OK);
    CHECK(ic_wait_down(one, 1, &pub, IC_WAIT_MS));
    CHECK_EQ_INT(pub.ev_count[MQTLS_EV_DISCONNECTED], 1);
    CHECK_STATUS(pub.end_status, MQTLS_ERR_CLOSED);
    ic_free(&pub);
}

/* A message larger than the subscriber's receive buffer. */
static void too_large_for_rx(mqtls_version_t v)
{
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    static uint8_t big[2000];
    memset(big, 'z', sizeof big);
    s.version = v;
    s.client_id = v == MQTLS_V5 ? "lim-small-rx-v5" : "lim-small-rx-v311";
    s.port = broker.port;
    s.rx_size = 512;
    REQUIRE(ic_init(&sub, &s) == 0);
    REQUIRE(make_on(&pub, &broker, v, "bigpub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, "rx/t", 1), MQTLS_OK);

    /* Exactly the receive buffer: 1 + 2 (fixed header) + 6 (topic) + 2 (packet id)
     * [+ 1 (no properties) in 5.0] + payload = 512. */
    uint32_t fit = v == MQTLS_V5 ? 500 : 501;
    mqtls_publish_t p = msg("rx/t", big, fit, 1);
    CHECK_STATUS(mqtls_sync_publish(&pub.cli, &p, IC_WAIT_MS), MQTLS_OK);
    CHECK(ic_wait_msgs(both, 2, &sub, 1, IC_WAIT_MS));
    if (CHECK_EQ_INT(sub.nmsgs, 1)) {
        CHECK_EQ_INT(sub.msgs[0].len, fit);
    }

    p = msg("rx/t", big, sizeof big, 1);
    CHECK_STATUS(mqtls_sync_publish(&pub.cli, &p, IC_WAIT_MS), MQTLS_OK);
    if (v == MQTLS_V311) {
        /* The PUBLISH arrives; it cannot be held, so the connection ends with its size. */
        CHECK(ic_wait_down(both, 2, &sub, IC_WAIT_MS));
        CHECK_EQ_INT(sub.ev_count[MQTLS_EV_DISCONNECTED], 1);
        CHECK_STATUS(sub.end_status, MQTLS_ERR_PACKET_TOO_LARGE);
        CHECK_EQ_INT(sub.end_size, 1 + 2 + 6 + 2 + sizeof big);
        CHECK_EQ_INT(sub.nmsgs, 1);
        /* Nothing of the oversize packet is left behind: a new connection works. */
        REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
        CHECK_STATUS(ic_subscribe(&sub, "rx/t", 1), MQTLS_OK);
        CHECK_STATUS(ic_publish(&pub, "rx/t", "after", 1, false), MQTLS_OK);
        CHECK(ic_wait_msgs(both, 2, &sub, 2, IC_WAIT_MS));
        CHECK_EQ_INT(ic_count(&sub, "rx/t", "after"), 1);
    } else {
        /* We advertised Maximum Packet Size 512: mosquitto drops the message for us and
         * the connection stays up; the next message that fits arrives. */
        CHECK_STATUS(ic_publish(&pub, "rx/t", "after", 1, false), MQTLS_OK);
        CHECK(ic_wait_msgs(both, 2, &sub, 2, IC_WAIT_MS));
        ic_run(both, 2, 100);
        CHECK_EQ_INT(sub.nmsgs, 2);
        CHECK_EQ_INT(ic_count(&sub, "rx/t", "after"), 1);
        CHECK_EQ_INT(sub.ev_count[MQTLS_EV_DISCONNECTED], 0);
        CHECK_EQ_INT(mqtls_state(&sub.cli), MQTLS_STATE_CONNECTED);
    }
    ic_free(&pub);
    ic_free(&sub);
}

TEST(too_large_for_rx_buffer_311)
{
    too_large_for_rx(MQTLS_V311);
}

TEST(too_large_for_rx_buffer_5)
{
    too_large_for_rx(MQTLS_V5);
}

/* ---------------------------------------------------------------- CONNACK refusals */

static test_broker_t auth;
static bool auth_ok;

static void connack_refused(mqtls_version_t v)
{
    if (!auth_ok) {
        SKIP("no broker with a password file (mosquitto_passwd missing?)");
    }
    struct {
        const char *user, *pass;
    } cases[] = {{NULL, NULL}, {"user", "wrong"}, {"nobody", "secret"}, {"user", NULL}};
    const uint8_t refused = v == MQTLS_V5 ? MQTLS_RC_NOT_AUTHORIZED : MQTLS_RC311_NOT_AUTHORIZED;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ic_client_t c;
        REQUIRE(make_on(&c, &auth, v, "auth") == 0);
        if (cases[i].user) {
            c.opts.connect.has_username = true;
            c.opts.connect.username = mqtls_str(cases[i].user);
        }
        if (cases[i].pass) {
            c.opts.connect.has_password = true;
            c.opts.connect.password.data = (const uint8_t *)cases[i].pass;
            c.opts.connect.password.len = (uint16_t)strlen(cases[i].pass);
        }
        CHECK_STATUS(ic_connect(&c), MQTLS_ERR_CONNACK_REFUSED);
        CHECK_EQ_INT(c.end_reason, refused);
        CHECK_EQ_INT(c.ev_count[MQTLS_EV_CONNECT_FAILED], 1);
        CHECK_STATUS(c.end_status, MQTLS_ERR_CONNACK_REFUSED);
        CHECK_EQ_INT(c.ev_count[MQTLS_EV_CONNECTED], 0);
        CHECK_EQ_INT(mqtls_state(&c.cli), MQTLS_STATE_DISCONNECTED);
        if (i == 0) {
            /* The same client, refused once, connects with the right credentials. */
            c.opts.connect.has_username = true;
            c.opts.connect.username = mqtls_str("user");
            c.opts.connect.has_password = true;
            c.opts.connect.password.data = (const uint8_t *)"secret";
            c.opts.connect.password.len = 6;
            CHECK_STATUS(ic_connect(&c), MQTLS_OK);
            CHECK_EQ_INT(c.ev_count[MQTLS_EV_CONNECTED], 1);
        }
        ic_free(&c);
    }
    ic_client_t ok;
    REQUIRE(make_on(&ok, &auth, v, "auth") == 0);
    ok.opts.connect.has_username = true;
    ok.opts.connect.username = mqtls_str("user");
    ok.opts.connect.has_password = true;
    ok.opts.connect.password.data = (const uint8_t *)"secret";
    ok.opts.connect.password.len = 6;
    CHECK_STATUS(ic_connect(&ok), MQTLS_OK);
    CHECK_STATUS(ic_publish(&ok, "auth/t", "in", 1, false), MQTLS_OK);
    ic_free(&ok);
}

TEST(connack_refused_311)
{
    connack_refused(MQTLS_V311);
}

TEST(connack_refused_5)
{
    connack_refused(MQTLS_V5);
}

/* ---------------------------------------------------------------- unsubscribe, shared */

static void unsubscribe(mqtls_version_t v)
{
    ic_client_t pub, sub;
    char a[64], b[64];
    snprintf(a, sizeof a, "un/%s/a", vname(v));
    snprintf(b, sizeof b, "un/%s/b", vname(v));
    REQUIRE(make_on(&pub, &broker, v, "unpub") == 0);
    REQUIRE(make_on(&sub, &broker, v, "unsub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, a, 1), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, b, 1), MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, a, "before", 1, false), MQTLS_OK);
    CHECK(ic_wait_msgs(both, 2, &sub, 1, IC_WAIT_MS));

    CHECK_STATUS(ic_unsubscribe(&sub, a), MQTLS_OK);
    CHECK_EQ_INT(sub.ev_count[MQTLS_EV_UNSUBACK], 1);
    if (v == MQTLS_V5) {
        CHECK_EQ_INT(sub.ncodes, 1);
        CHECK_EQ_INT(sub.codes[0], MQTLS_RC_SUCCESS);
    } else {
        CHECK_EQ_INT(sub.ncodes, 0); /* 3.1.1 UNSUBACK has no codes */
    }
    CHECK_STATUS(ic_publish(&pub, a, "after", 1, false), MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, b, "barrier", 1, false), MQTLS_OK);
    CHECK(ic_wait_msgs(both, 2, &sub, 2, IC_WAIT_MS));
    ic_run(both, 2, 100);
    CHECK_EQ_INT(ic_count(&sub, a, "before"), 1);
    CHECK_EQ_INT(ic_count(&sub, a, "after"), 0);
    CHECK_EQ_INT(ic_count(&sub, b, "barrier"), 1);
    if (v == MQTLS_V5) {
        CHECK_STATUS(ic_unsubscribe(&sub, "un/none"), MQTLS_OK);
        CHECK_EQ_INT(sub.codes[0], MQTLS_RC_NO_SUBSCRIPTION_EXISTED);
    }
    ic_free(&pub);
    ic_free(&sub);
}

TEST(unsubscribe_stops_delivery_311)
{
    unsubscribe(MQTLS_V311);
}

TEST(unsubscribe_stops_delivery_5)
{
    unsubscribe(MQTLS_V5);
}

static void shared(mqtls_version_t v)
{
    ic_client_t pub, s1, s2;
    char payload[32];
    const int n = 20;
    REQUIRE(make_on(&pub, &broker, v, "shpub") == 0);
    REQUIRE(make_on(&s1, &broker, v, "sh1") == 0);
    REQUIRE(make_on(&s2, &broker, v, "sh2") == 0);
    ic_client_t *all[] = {&pub, &s1, &s2};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&s1), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&s2), MQTLS_OK);
    if (v == MQTLS_V5) {
        /* Shared Subscription Available is absent (= available) or 1. */
        CHECK(!(s1.connack.present & MQTLS_PROPBIT(MQTLS_PROP_SHARED_SUB_AVAILABLE)) ||
              s1.connack.shared_sub_available == 1);
    }
    CHECK_STATUS(ic_subscribe(&s1, "$share/g/sh/t", 1), MQTLS_OK);
    CHECK_EQ_INT(s1.codes[0], 1);
    CHECK_STATUS(ic_subscribe(&s2, "$share/g/sh/t", 1), MQTLS_OK);
    for (int i = 0; i < n; i++) {
        snprintf(payload, sizeof payload, "s%d", i);
        CHECK_STATUS(ic_publish(&pub, "sh/t", payload, 1, false), MQTLS_OK);
    }
    uint64_t end = ic_now_ms() + IC_WAIT_MS;
    while (s1.nmsgs + s2.nmsgs < (size_t)n && ic_now_ms() < end) {
        ic_run(all, 3, 20);
    }
    ic_run(all, 3, 100);
    CHECK_EQ_INT(s1.nmsgs + s2.nmsgs, n);
    CHECK(s1.nmsgs > 0);
    CHECK(s2.nmsgs > 0);
    for (int i = 0; i < n; i++) {
        snprintf(payload, sizeof payload, "s%d", i);
        CHECK_EQ_INT(ic_count(&s1, "sh/t", payload) + ic_count(&s2, "sh/t", payload), 1);
    }
    test_note("shared between two subscribers: %zu + %zu", s1.nmsgs, s2.nmsgs);
    ic_free(&pub);
    ic_free(&s1);
    ic_free(&s2);
}

TEST(shared_subscription_5)
{
    shared(MQTLS_V5);
}

TEST(shared_subscription_311)
{
    shared(MQTLS_V311);
}

/* 5.0 enhanced authentication with a method the broker does not know (no plugin): 0x8C. */
TEST(unknown_auth_method_5)
{
    ic_client_t c;
    REQUIRE(make_on(&c, &broker, MQTLS_V5, "authmethod") == 0);
    c.opts.connect.props.present |= MQTLS_PROPBIT(MQTLS_PROP_AUTH_METHOD);
    c.opts.connect.props.auth_method = mqtls_str("SCRAM-SHA-1");
    CHECK_STATUS(ic_connect(&c), MQTLS_ERR_CONNACK_REFUSED);
    CHECK_EQ_INT(c.end_reason, MQTLS_RC_BAD_AUTH_METHOD);
    CHECK_EQ_INT(c.ev_count[MQTLS_EV_CONNECT_FAILED], 1);
    CHECK_EQ_INT(c.ev_count[MQTLS_EV_AUTH], 0);
    ic_free(&c);
}

/* ---------------------------------------------------------------- our Receive Maximum */

/* Publishes @p count QoS 2 messages from @p pub while @p sub is left alone (its socket
 * fills), then drives both for @p ms. */
static void flood_qos2(ic_client_t *pub, ic_client_t *sub, int count, uint32_t ms)
{
    ic_client_t *p1[] = {pub};
    ic_client_t *both[] = {pub, sub};
    char payload[32];
    int sent = 0;
    uint64_t end = ic_now_ms() + 10000u;
    while (sent < count && ic_now_ms() < end) {
        snprintf(payload, sizeof payload, "f%d", sent);
        mqtls_status_t st = ic_publish_nb(pub, "flood/t", payload, (uint32_t)strlen(payload),
                                          2, false, NULL);
        if (st == MQTLS_ERR_INFLIGHT_FULL) {
            ic_run(p1, 1, 2);
            continue;
        }
        if (!CHECK_STATUS(st, MQTLS_OK)) {
            return;
        }
        sent++;
    }
    done_arg_t da = {pub, (size_t)count};
    CHECK(ic_run_until(p1, 1, all_done, &da, IC_WAIT_MS));
    ic_run(both, 2, ms);
}

/* 5.0: we advertise Receive Maximum = our QoS 2 table (4). mosquitto 2.0.11 does not keep
 * to it for QoS 2: its log shows it sending PUBLISH m5..m8 after the PUBCOMP of m1 alone
 * (m2..m4 still unacknowledged: 7 in progress), apparently replenishing its send quota on
 * PUBREC as well as on PUBCOMP. The client must then refuse the excess, exactly as the
 * specification says: DISCONNECT 0x93 and MQTLS_ERR_RECEIVE_MAXIMUM, having delivered each
 * message it accepted once. A broker that keeps to the limit delivers all 100. */
TEST(our_receive_maximum_5)
{
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    s.version = MQTLS_V5;
    s.client_id = "lim-rm4-sub-v5";
    s.port = broker.port;
    s.qos2_in_cap = 4;
    REQUIRE(ic_init(&sub, &s) == 0);
    REQUIRE(make_on(&pub, &broker, MQTLS_V5, "rm4pub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, "flood/t", 2), MQTLS_OK);
    flood_qos2(&pub, &sub, 100, 0);
    (void)ic_wait_msgs(both, 2, &sub, 100, 2000);
    ic_run(both, 2, 100);
    char payload[32];
    for (int i = 0; i < 100; i++) {
        snprintf(payload, sizeof payload, "f%d", i);
        if (!CHECK(ic_count(&sub, "flood/t", payload) <= 1)) {
            break;
        }
    }
    if (sub.ev_count[MQTLS_EV_DISCONNECTED] != 0) {
        test_note("the broker exceeded our Receive Maximum of 4 after %zu messages: %s",
                  sub.nmsgs, mqtls_strerror(sub.end_status));
        CHECK_STATUS(sub.end_status, MQTLS_ERR_RECEIVE_MAXIMUM);
        CHECK_EQ_INT(sub.end_reason, MQTLS_RC_RECEIVE_MAXIMUM_EXCEEDED);
        CHECK(sub.nmsgs >= 4 && sub.nmsgs < 100);
    } else {
        CHECK_EQ_INT(sub.nmsgs, 100);
    }
    ic_free(&pub);
    ic_free(&sub);
}

/* 3.1.1 cannot advertise a Receive Maximum: mosquitto sends up to max_inflight_messages
 * (20) QoS 2 messages before any PUBREL, and a QoS 2 table smaller than that overflows.
 * The client ends the connection with MQTLS_ERR_RECEIVE_MAXIMUM (documented behaviour: a
 * 3.1.1 client must size qos2_in_cap to the broker's in-flight limit). */
TEST(small_qos2_table_overflows_311)
{
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    s.version = MQTLS_V311;
    s.client_id = "lim-rm4-sub-v311";
    s.port = broker.port;
    s.qos2_in_cap = 4;
    REQUIRE(ic_init(&sub, &s) == 0);
    REQUIRE(make_on(&pub, &broker, MQTLS_V311, "rm4pub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, "flood/t", 2), MQTLS_OK);
    flood_qos2(&pub, &sub, 30, 0);
    CHECK(ic_wait_down(both, 2, &sub, IC_WAIT_MS));
    CHECK_STATUS(sub.end_status, MQTLS_ERR_RECEIVE_MAXIMUM);
    CHECK_EQ_INT(sub.nmsgs, 4); /* the table's worth, each once */
    test_note("3.1.1 subscriber with a 4-entry QoS 2 table: %s after %zu messages",
              mqtls_strerror(sub.end_status), sub.nmsgs);
    ic_free(&pub);
    ic_free(&sub);
}

/* ---------------------------------------------------------------- ACL refusals */

static test_broker_t acl;
static bool acl_ok;

static void acl_refusals(mqtls_version_t v)
{
    ic_client_t c;
    ic_setup_t s = {0};
    if (!acl_ok) {
        SKIP("no broker with an ACL file");
    }
    s.version = v;
    s.client_id = v == MQTLS_V5 ? "lim-acl-v5" : "lim-acl-v311";
    s.port = acl.port;
    s.filter = true;
    REQUIRE(ic_init(&c, &s) == 0);
    ic_client_t *one[] = {&c};
    REQUIRE_STATUS(ic_connect(&c), MQTLS_OK);

    /* One SUBSCRIBE, three filters, three codes. */
    mqtls_subscription_t subs[3] = {
        {mqtls_str("open/a"), 2}, {mqtls_str("ro/a"), 1}, {mqtls_str("open/b"), 0}};
    uint8_t codes[3] = {0xFF, 0xFF, 0xFF};
    CHECK_STATUS(mqtls_sync_subscribe(&c.cli, subs, 3, NULL, codes, IC_WAIT_MS), MQTLS_OK);
    CHECK_EQ_INT(codes[0], 2);
    CHECK_EQ_INT(codes[1], 1);
    CHECK_EQ_INT(codes[2], 0);
    CHECK_EQ_INT(c.ncodes, 3);

    unsigned pubrel_before = c.filt.tx_seen[MQTLS_PUBREL];
    if (v == MQTLS_V5) {
        /* 5.0: the broker refuses with 0x87; a refused PUBREC ends the QoS 2 exchange. */
        CHECK_STATUS(ic_publish(&c, "secret/x", "denied", 1, false), MQTLS_ERR_REFUSED);
        REQUIRE(c.ndone == 1);
        CHECK_EQ_INT(c.done_reason[0], MQTLS_RC_NOT_AUTHORIZED);
        CHECK_STATUS(c.done_status[0], MQTLS_ERR_REFUSED);
        CHECK_STATUS(ic_publish(&c, "ro/x", "denied", 2, false), MQTLS_ERR_REFUSED);
        REQUIRE(c.ndone == 2);
        CHECK_EQ_INT(c.done_reason[1], MQTLS_RC_NOT_AUTHORIZED);
        CHECK_STATUS(c.done_status[1], MQTLS_ERR_REFUSED);
        CHECK_EQ_INT(c.filt.tx_seen[MQTLS_PUBREL], pubrel_before);
    } else {
        /* 3.1.1 has no way to refuse a publish: it is acknowledged and dropped. */
        CHECK_STATUS(ic_publish(&c, "secret/x", "denied", 1, false), MQTLS_OK);
        CHECK_STATUS(ic_publish(&c, "ro/x", "denied", 2, false), MQTLS_OK);
        CHECK_EQ_INT(c.ndone, 2);
    }
    CHECK_EQ_INT(mqtls_inflight(&c.cli), 0);
    CHECK_EQ_INT(c.store.used, 0);
    CHECK_EQ_INT(mqtls_state(&c.cli), MQTLS_STATE_CONNECTED);
    /* The connection goes on: an allowed QoS 2 message comes back to us. */
    CHECK_STATUS(ic_publish(&c, "open/a", "allowed", 2, false), MQTLS_OK);
    CHECK(ic_wait_msgs(one, 1, &c, 1, IC_WAIT_MS));
    CHECK_EQ_INT(ic_count(&c, "open/a", "allowed"), 1);
    ic_free(&c);
}

TEST(acl_refusals_311)
{
    acl_refusals(MQTLS_V311);
}

TEST(acl_refusals_5)
{
    acl_refusals(MQTLS_V5);
}

/* ---------------------------------------------------------------- client identifiers */

TEST(client_id_rules)
{
    ic_client_t c;
    ic_setup_t s = {0};
    s.client_id = "";
    s.port = broker.port;
    /* 3.1.1: an empty id needs a clean session [MQTT-3.1.3-8]: return code 2. */
    s.version = MQTLS_V311;
    s.persistent = true;
    REQUIRE(ic_init(&c, &s) == 0);
    CHECK_STATUS(ic_connect(&c), MQTLS_ERR_CONNACK_REFUSED);
    CHECK_EQ_INT(c.end_reason, MQTLS_RC311_IDENTIFIER_REJECTED);
    ic_free(&c);
    s.persistent = false;
    REQUIRE(ic_init(&c, &s) == 0);
    CHECK_STATUS(ic_connect(&c), MQTLS_OK);
    ic_free(&c);
    /* 5.0: the broker assigns one and says so. */
    s.version = MQTLS_V5;
    REQUIRE(ic_init(&c, &s) == 0);
    CHECK_STATUS(ic_connect(&c), MQTLS_OK);
    CHECK(c.connack.present & MQTLS_PROPBIT(MQTLS_PROP_ASSIGNED_CLIENT_ID));
    ic_free(&c);
}

/* ---------------------------------------------------------------- main */

static char auth_dir[] = "/tmp/mqtls-auth-XXXXXX";
static char passwd_path[sizeof auth_dir + 16];

static char acl_path[sizeof auth_dir + 16];

static bool start_acl_broker(void)
{
    char conf[256];
    snprintf(acl_path, sizeof acl_path, "%s/acl", auth_dir);
    FILE *f = fopen(acl_path, "w");
    if (f == NULL) {
        return false;
    }
    fputs("topic readwrite open/#\ntopic read ro/#\n", f);
    if (fclose(f) != 0) {
        return false;
    }
    snprintf(conf, sizeof conf, "acl_file %s", acl_path);
    return test_broker_start(&acl, conf) == 0;
}

static bool start_auth_broker(void)
{
    char conf[256];
    ic_proc_t p;
    if (!ic_have_program("mosquitto_passwd")) {
        return false;
    }
    snprintf(passwd_path, sizeof passwd_path, "%s/passwd", auth_dir);
    char *argv[] = {"mosquitto_passwd", "-b", "-c", passwd_path, "user", "secret", NULL};
    if (ic_spawn(&p, argv, NULL) != 0) {
        return false;
    }
    int rc = ic_proc_wait(&p, 10000);
    ic_proc_free(&p);
    if (rc != 0) {
        return false;
    }
    snprintf(conf, sizeof conf, "allow_anonymous false\npassword_file %s", passwd_path);
    return test_broker_start(&auth, conf) == 0;
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    if (test_broker_start(&broker, NULL) != 0 ||
        test_broker_start(&small, "max_packet_size 1000\nmax_qos 1\nretain_available false") !=
            0) {
        printf("cannot start mosquitto\n");
        return 1;
    }
    if (mkdtemp(auth_dir) == NULL) {
        printf("cannot create a temporary directory\n");
        return 1;
    }
    auth_ok = start_auth_broker();
    acl_ok = start_acl_broker();
    RUN(topic_alias_outgoing_5);
    RUN(topic_alias_ignored_311);
    RUN(topic_alias_incoming_5);
    RUN(receive_maximum_default_5);
    RUN(receive_maximum_5);
    RUN(inflight_window_311);
    RUN(server_limits_5);
    RUN(server_packet_limit_311);
    RUN(too_large_for_rx_buffer_311);
    RUN(too_large_for_rx_buffer_5);
    RUN(connack_refused_311);
    RUN(connack_refused_5);
    RUN(client_id_rules);
    RUN(unknown_auth_method_5);
    RUN(our_receive_maximum_5);
    RUN(small_qos2_table_overflows_311);
    RUN(acl_refusals_311);
    RUN(acl_refusals_5);
    RUN(unsubscribe_stops_delivery_311);
    RUN(unsubscribe_stops_delivery_5);
    RUN(shared_subscription_311);
    RUN(shared_subscription_5);
    int rc = test_main_end();
    if (rc != 0) {
        test_broker_dump_log(&broker);
        test_broker_dump_log(&small);
    }
    test_broker_stop(&broker);
    test_broker_stop(&small);
    if (auth_ok) {
        test_broker_stop(&auth);
    }
    if (acl_ok) {
        test_broker_stop(&acl);
    }
    unlink(passwd_path);
    unlink(acl_path);
    rmdir(auth_dir);
    return rc;
}
