/**
 * @file test_retained_will.c
 * @brief Retained messages and wills through a real mosquitto, MQTT 3.1.1 and 5.0.
 *
 * Retained: a later subscriber gets the message with the retain flag, a live subscriber
 * without it; a newer retained message replaces it; an empty retained message clears it;
 * 5.0 Retain As Published and Retain Handling 2.
 * Wills: an aborted connection (no DISCONNECT) publishes the will (QoS 1, retained or not),
 * a normal DISCONNECT does not, a 5.0 DISCONNECT with reason 0x04 does; 5.0 will
 * properties reach the subscriber; a 5.0 Will Delay Interval delays the will, and a
 * reconnect within it cancels the will.
 */
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "integ_client.h"
#include "mqtls/reason.h"
#include "test.h"

static test_broker_t broker;

static const char *vname(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "v5" : "v311";
}

static int make(ic_client_t *c, mqtls_version_t v, const char *role)
{
    char id[64];
    ic_setup_t s = {0};
    snprintf(id, sizeof id, "rw-%s-%s", role, vname(v));
    s.version = v;
    s.client_id = id;
    s.port = broker.port;
    return ic_init(c, &s);
}

/* Publishes a message on @p barrier_topic and drives until @p who has it: everything the
 * broker queued for @p who before it has then arrived. */
static bool barrier(ic_client_t *const *cs, int n, ic_client_t *pub, ic_client_t *who,
                    const char *barrier_topic)
{
    size_t before = ic_count(who, barrier_topic, "barrier");
    if (ic_publish(pub, barrier_topic, "barrier", 1, false) != MQTLS_OK) {
        return false;
    }
    uint64_t end = ic_now_ms() + IC_WAIT_MS;
    while (ic_count(who, barrier_topic, "barrier") == before) {
        if (ic_now_ms() >= end) {
            return false;
        }
        ic_run(cs, n, 20);
    }
    return true;
}

static void retained(mqtls_version_t v)
{
    ic_client_t pub, s1, s2, s3;
    char filter[64], topic[64], live[64], bar[64];
    snprintf(filter, sizeof filter, "ret/%s/#", vname(v));
    snprintf(topic, sizeof topic, "ret/%s/a", vname(v));
    snprintf(live, sizeof live, "ret/%s/live", vname(v));
    snprintf(bar, sizeof bar, "ret/%s/barrier", vname(v));

    REQUIRE(make(&pub, v, "rpub") == 0);
    REQUIRE(make(&s1, v, "rs1") == 0);
    REQUIRE(make(&s2, v, "rs2") == 0);
    REQUIRE(make(&s3, v, "rs3") == 0);
    ic_client_t *all[] = {&pub, &s1, &s2, &s3};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&s1), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&s2), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&s3), MQTLS_OK);

    /* Stored before anyone subscribes; the later subscriber gets it flagged retained. */
    CHECK_STATUS(ic_publish(&pub, topic, "r1", 1, true), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&s1, filter, 1), MQTLS_OK);
    CHECK(ic_wait_msgs(all, 4, &s1, 1, IC_WAIT_MS));
    const ic_msg_t *m = ic_find(&s1, topic, "r1");
    REQUIRE(m != NULL);
    CHECK(m->retain);
    CHECK_EQ_INT(m->qos, 1);

    /* Live messages reach an existing subscription without the flag, retained or not. */
    CHECK_STATUS(ic_publish(&pub, live, "now", 1, false), MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, topic, "r2", 1, true), MQTLS_OK);
    CHECK(ic_wait_msgs(all, 4, &s1, 3, IC_WAIT_MS));
    REQUIRE((m = ic_find(&s1, live, "now")) != NULL);
    CHECK(!m->retain);
    REQUIRE((m = ic_find(&s1, topic, "r2")) != NULL);
    CHECK(!m->retain);

    /* Only the newest retained message is kept; a QoS 0 subscription gets it at QoS 0. */
    CHECK_STATUS(ic_subscribe(&s2, filter, 0), MQTLS_OK);
    CHECK(barrier(all, 4, &pub, &s2, bar));
    CHECK_EQ_INT(ic_count(&s2, topic, NULL), 1);
    REQUIRE((m = ic_find(&s2, topic, "r2")) != NULL);
    CHECK(m->retain);
    CHECK_EQ_INT(m->qos, 0);

    /* An empty retained message clears it (and is delivered to current subscribers). */
    CHECK_STATUS(ic_publish(&pub, topic, "", 1, true), MQTLS_OK);
    CHECK(barrier(all, 4, &pub, &s1, bar));
    CHECK_EQ_INT(ic_count(&s1, topic, ""), 1);
    CHECK_STATUS(ic_subscribe(&s3, filter, 1), MQTLS_OK);
    CHECK(barrier(all, 4, &pub, &s3, bar));
    CHECK_EQ_INT(ic_count(&s3, topic, NULL), 0);
    CHECK_EQ_INT(s3.nmsgs, 1); /* the barrier alone */

    ic_free(&pub);
    ic_free(&s1);
    ic_free(&s2);
    ic_free(&s3);
}

TEST(retained_311)
{
    retained(MQTLS_V311);
}

TEST(retained_5)
{
    retained(MQTLS_V5);
}

/* 5.0 subscription options: Retain As Published keeps the flag on live messages; Retain
 * Handling 2 sends no retained messages at subscribe time. */
TEST(retain_options_5)
{
    ic_client_t pub, rap, none;
    REQUIRE(make(&pub, MQTLS_V5, "opub") == 0);
    REQUIRE(make(&rap, MQTLS_V5, "orap") == 0);
    REQUIRE(make(&none, MQTLS_V5, "onone") == 0);
    ic_client_t *all[] = {&pub, &rap, &none};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&rap), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&none), MQTLS_OK);

    CHECK_STATUS(ic_publish(&pub, "ropt/kept", "old", 1, true), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&none, "ropt/#", 1 | (2u << MQTLS_SUB_RETAIN_HANDLING_SHIFT)),
                 MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&rap, "ropt/#", 1 | MQTLS_SUB_RETAIN_AS_PUBLISHED), MQTLS_OK);
    CHECK(barrier(all, 3, &pub, &none, "ropt/barrier"));
    CHECK_EQ_INT(ic_count(&none, "ropt/kept", NULL), 0);

    CHECK_STATUS(ic_publish(&pub, "ropt/kept", "new", 1, true), MQTLS_OK);
    CHECK(barrier(all, 3, &pub, &rap, "ropt/barrier"));
    const ic_msg_t *m = ic_find(&rap, "ropt/kept", "new");
    REQUIRE(m != NULL);
    CHECK(m->retain); /* as published */
    CHECK(barrier(all, 3, &pub, &none, "ropt/barrier"));
    REQUIRE((m = ic_find(&none, "ropt/kept", "new")) != NULL);
    CHECK(!m->retain);

    CHECK_STATUS(ic_publish(&pub, "ropt/kept", "", 0, true), MQTLS_OK);
    ic_free(&pub);
    ic_free(&rap);
    ic_free(&none);
}

/* Sets a QoS 1 will on @p c. */
static void set_will(ic_client_t *c, const char *topic, const char *payload, bool retain)
{
    c->opts.connect.will = true;
    c->opts.connect.will_qos = 1;
    c->opts.connect.will_retain = retain;
    c->opts.connect.will_topic = mqtls_str(topic);
    c->opts.connect.will_payload.data = (const uint8_t *)payload;
    c->opts.connect.will_payload.len = (uint16_t)strlen(payload);
}

static void will_on_abort(mqtls_version_t v)
{
    ic_client_t sub, a, pub;
    char filter[64], topic[64];
    snprintf(filter, sizeof filter, "will/%s/#", vname(v));
    snprintf(topic, sizeof topic, "will/%s/abort", vname(v));

    REQUIRE(make(&sub, v, "wsub") == 0);
    REQUIRE(make(&a, v, "wa") == 0);
    REQUIRE(make(&pub, v, "wpub") == 0);
    ic_client_t *all[] = {&sub, &a, &pub};
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, filter, 2), MQTLS_OK);

    set_will(&a, topic, "A died", false);
    REQUIRE_STATUS(ic_connect(&a), MQTLS_OK);
    mqtls_abort(&a.cli);
    CHECK_EQ_INT(mqtls_state(&a.cli), MQTLS_STATE_DISCONNECTED);
    CHECK(ic_wait_msgs(all, 3, &sub, 1, IC_WAIT_MS));
    const ic_msg_t *m = ic_find(&sub, topic, "A died");
    REQUIRE(m != NULL);
    CHECK_EQ_INT(m->qos, 1);
    CHECK(!m->retain);
    char bar[64];
    snprintf(bar, sizeof bar, "will/%s/barrier", vname(v));
    CHECK(barrier(all, 3, &pub, &sub, bar));
    CHECK_EQ_INT(ic_count(&sub, topic, NULL), 1);
    ic_free(&sub);
    ic_free(&a);
    ic_free(&pub);
}

TEST(will_on_abort_311)
{
    will_on_abort(MQTLS_V311);
}

TEST(will_on_abort_5)
{
    will_on_abort(MQTLS_V5);
}

/* A retained will: live subscribers get it, and it stays for later ones. */
static void retained_will(mqtls_version_t v)
{
    ic_client_t sub, a, later, pub;
    char filter[64], topic[64], bar[64];
    snprintf(filter, sizeof filter, "rwill/%s/#", vname(v));
    snprintf(topic, sizeof topic, "rwill/%s/status", vname(v));
    snprintf(bar, sizeof bar, "rwill/%s/barrier", vname(v));

    REQUIRE(make(&sub, v, "rwsub") == 0);
    REQUIRE(make(&a, v, "rwa") == 0);
    REQUIRE(make(&later, v, "rwlater") == 0);
    REQUIRE(make(&pub, v, "rwpub") == 0);
    ic_client_t *all[] = {&sub, &a, &later, &pub};
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&later), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, filter, 1), MQTLS_OK);

    set_will(&a, topic, "offline", true);
    REQUIRE_STATUS(ic_connect(&a), MQTLS_OK);
    CHECK_STATUS(ic_publish(&a, topic, "online", 1, true), MQTLS_OK);
    mqtls_abort(&a.cli);
    CHECK(ic_wait_msgs(all, 4, &sub, 2, IC_WAIT_MS));
    CHECK_EQ_INT(ic_count(&sub, topic, "online"), 1);
    CHECK_EQ_INT(ic_count(&sub, topic, "offline"), 1);

    CHECK_STATUS(ic_subscribe(&later, filter, 1), MQTLS_OK);
    CHECK(barrier(all, 4, &pub, &later, bar));
    CHECK_EQ_INT(ic_count(&later, topic, NULL), 1);
    const ic_msg_t *m = ic_find(&later, topic, "offline");
    REQUIRE(m != NULL);
    CHECK(m->retain);
    CHECK_EQ_INT(m->qos, 1);

    CHECK_STATUS(ic_publish(&pub, topic, "", 1, true), MQTLS_OK); /* clean up */
    ic_free(&sub);
    ic_free(&a);
    ic_free(&later);
    ic_free(&pub);
}

TEST(retained_will_311)
{
    retained_will(MQTLS_V311);
}

TEST(retained_will_5)
{
    retained_will(MQTLS_V5);
}

/* A normal DISCONNECT discards the will. */
static void no_will_on_disconnect(mqtls_version_t v)
{
    ic_client_t sub, a, pub;
    char filter[64], topic[64], bar[64], gone[128];
    snprintf(filter, sizeof filter, "nwill/%s/#", vname(v));
    snprintf(topic, sizeof topic, "nwill/%s/a", vname(v));
    snprintf(bar, sizeof bar, "nwill/%s/barrier", vname(v));

    REQUIRE(make(&sub, v, "nwsub") == 0);
    REQUIRE(make(&a, v, "nwa") == 0);
    REQUIRE(make(&pub, v, "nwpub") == 0);
    ic_client_t *all[] = {&sub, &a, &pub};
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, filter, 1), MQTLS_OK);

    set_will(&a, topic, "should not appear", false);
    REQUIRE_STATUS(ic_connect(&a), MQTLS_OK);
    CHECK_STATUS(mqtls_disconnect(&a.cli, 0, NULL), MQTLS_OK);
    CHECK_EQ_INT(a.ev_count[MQTLS_EV_DISCONNECTED], 1);
    CHECK_STATUS(a.end_status, MQTLS_OK);
    /* The broker has handled the DISCONNECT once it logs it; then the barrier. */
    snprintf(gone, sizeof gone, "Client %s disconnected", a.id);
    CHECK(ic_log_wait(&broker, gone, 1, IC_WAIT_MS));
    CHECK(barrier(all, 3, &pub, &sub, bar));
    ic_run(all, 3, 200);
    CHECK_EQ_INT(ic_count(&sub, topic, NULL), 0);
    ic_free(&sub);
    ic_free(&a);
    ic_free(&pub);
}

TEST(no_will_on_disconnect_311)
{
    no_will_on_disconnect(MQTLS_V311);
}

TEST(no_will_on_disconnect_5)
{
    no_will_on_disconnect(MQTLS_V5);
}

/* 5.0: DISCONNECT with reason 0x04 asks the broker to publish the will; its properties go
 * with it. */
TEST(will_on_disconnect_with_will_5)
{
    ic_client_t sub, a;
    static const mqtls_user_prop_t up[] = {{{"why", 3}, {"test", 4}}};

    REQUIRE(make(&sub, MQTLS_V5, "dwsub") == 0);
    REQUIRE(make(&a, MQTLS_V5, "dwa") == 0);
    ic_client_t *all[] = {&sub, &a};
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, "dwill/#", 1), MQTLS_OK);

    set_will(&a, "dwill/a", "bye with will", false);
    a.opts.connect.will_props.present = MQTLS_PROPBIT(MQTLS_PROP_CONTENT_TYPE) |
                                        MQTLS_PROPBIT(MQTLS_PROP_PAYLOAD_FORMAT);
    a.opts.connect.will_props.content_type = mqtls_str("text/plain");
    a.opts.connect.will_props.payload_format = 1;
    a.opts.connect.will_props.user = up;
    a.opts.connect.will_props.user_count = 1;
    REQUIRE_STATUS(ic_connect(&a), MQTLS_OK);
    CHECK_STATUS(mqtls_disconnect(&a.cli, MQTLS_RC_DISCONNECT_WITH_WILL, NULL), MQTLS_OK);
    CHECK(ic_wait_msgs(all, 2, &sub, 1, IC_WAIT_MS));
    const ic_msg_t *m = ic_find(&sub, "dwill/a", "bye with will");
    REQUIRE(m != NULL);
    CHECK_EQ_INT(m->qos, 1);
    CHECK(m->present & MQTLS_PROPBIT(MQTLS_PROP_CONTENT_TYPE));
    CHECK_EQ_STR(m->content_type, "text/plain");
    CHECK(m->present & MQTLS_PROPBIT(MQTLS_PROP_PAYLOAD_FORMAT));
    CHECK_EQ_INT(m->payload_format, 1);
    REQUIRE_EQ_INT(m->user_count, 1);
    CHECK_EQ_STR(m->user_key[0], "why");
    CHECK_EQ_STR(m->user_value[0], "test");
    ic_free(&sub);
    ic_free(&a);
}

/* 5.0 Will Delay Interval: a client back within the delay cancels its will; otherwise the
 * will follows the delay. */
TEST(will_delay_5)
{
    ic_client_t sub, a;
    ic_setup_t s = {0};
    REQUIRE(make(&sub, MQTLS_V5, "wdsub") == 0);
    s.version = MQTLS_V5;
    s.client_id = "rw-wda-v5";
    s.port = broker.port;
    s.persistent = true;
    s.session_expiry = 30;
    REQUIRE(ic_init(&a, &s) == 0);
    ic_client_t *all[] = {&sub, &a};
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, "wdelay/#", 1), MQTLS_OK);
    set_will(&a, "wdelay/a", "late will", false);
    a.opts.connect.will_props.present = MQTLS_PROPBIT(MQTLS_PROP_WILL_DELAY);
    a.opts.connect.will_props.will_delay = 1;
    REQUIRE_STATUS(ic_connect(&a), MQTLS_OK);

    mqtls_abort(&a.cli);
    ic_run(all, 2, 100);
    REQUIRE_STATUS(ic_connect(&a), MQTLS_OK); /* back in time: no will */
    CHECK(a.session_present);
    ic_run(all, 2, 1600);
    CHECK_EQ_INT(ic_count(&sub, "wdelay/a", NULL), 0);

    mqtls_abort(&a.cli);
    uint64_t t0 = ic_now_ms();
    CHECK(ic_wait_msgs(all, 2, &sub, 1, 4000));
    uint64_t after = ic_now_ms() - t0;
    test_note("will published %llu ms after the connection broke (delay 1 s)",
              (unsigned long long)after);
    CHECK_EQ_INT(ic_count(&sub, "wdelay/a", "late will"), 1);
    CHECK(after >= 900);
    /* End the session so that nothing is left behind. */
    a.opts.connect.will = false;
    a.opts.connect.clean_start = true;
    a.opts.connect.props.session_expiry = 0;
    CHECK_STATUS(ic_connect(&a), MQTLS_OK);
    ic_free(&sub);
    ic_free(&a);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    if (test_broker_start(&broker, NULL) != 0) {
        printf("cannot start mosquitto\n");
        return 1;
    }
    RUN(retained_311);
    RUN(retained_5);
    RUN(retain_options_5);
    RUN(will_on_abort_311);
    RUN(will_on_abort_5);
    RUN(retained_will_311);
    RUN(retained_will_5);
    RUN(no_will_on_disconnect_311);
    RUN(no_will_on_disconnect_5);
    RUN(will_on_disconnect_with_will_5);
    RUN(will_delay_5);
    int rc = test_main_end();
    if (rc != 0) {
        test_broker_dump_log(&broker);
    }
    test_broker_stop(&broker);
    return rc;
}
