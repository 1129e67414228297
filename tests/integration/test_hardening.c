/**
 * @file test_hardening.c
 * @brief Defects found by independent testing, shown against a real mosquitto:
 *  - mqtls_client_free() on a normal exit must not delete the messages a durable store
 *    holds: the next run restores them and they arrive;
 *  - a subscriber that pauses after the message it wanted leaves the rest unacknowledged,
 *    and the broker delivers them to its next connection;
 *  - a subscriber that declines a message does not acknowledge it either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "integ_client.h"
#include "mqtls/store_file.h"
#include "test.h"

static test_broker_t broker;

static const char *vname(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "v5" : "v311";
}

static int make(ic_client_t *c, mqtls_version_t v, const char *id)
{
    ic_setup_t s = {0};
    s.version = v;
    s.client_id = id;
    s.port = broker.port;
    s.persistent = true;
    return ic_init(c, &s);
}

/* A file store in @p dir, with room for 16 messages. */
typedef struct {
    mqtls_file_store_t fs;
    mqtls_file_entry_t entries[17];
    uint8_t buf[4096];
} fstore_t;

static void use_file_store(ic_client_t *c, fstore_t *f, const char *dir)
{
    REQUIRE_STATUS(mqtls_file_store_open(&f->fs, dir, f->entries, 17, f->buf, sizeof f->buf),
                   MQTLS_OK);
    c->cli.cfg.store = &mqtls_file_store;
    c->cli.cfg.store_ctx = &f->fs;
}

/* Point 1: a QoS 1 message published while offline with the file store; the program frees
 * its client on a normal exit; a new run restores it from the same directory and delivers. */
static void durable_across_free(mqtls_version_t v)
{
    char dir[] = "/tmp/mqtls-hardening-XXXXXX", pid[64], sid[64], topic[64];
    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(pid, sizeof pid, "hd-pub-%s", vname(v));
    snprintf(sid, sizeof sid, "hd-sub-%s", vname(v));
    snprintf(topic, sizeof topic, "hardening/%s/durable", vname(v));
    ic_client_t sub, pub;
    REQUIRE(make(&sub, v, sid) == 0);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    REQUIRE_STATUS(ic_subscribe(&sub, topic, 1), MQTLS_OK);

    /* Run 1: connects once (so the protocol is known), goes offline, publishes, exits. */
    static fstore_t f1, f2;
    REQUIRE(make(&pub, v, pid) == 0);
    use_file_store(&pub, &f1, dir);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(mqtls_disconnect(&pub.cli, 0, NULL), MQTLS_OK);
    mqtls_publish_t m = {.topic = mqtls_str(topic), .payload = (const uint8_t *)"kept",
                         .payload_len = 4, .qos = 1};
    REQUIRE_STATUS(mqtls_publish(&pub.cli, &m, NULL), MQTLS_OK); /* queued offline */
    CHECK_EQ_INT(mqtls_file_store_count(&f1.fs), 1);
    mqtls_client_free(&pub.cli); /* a normal exit */
    CHECK_EQ_INT(mqtls_file_store_count(&f1.fs), 1);
    mqtls_file_store_close(&f1.fs);
    ic_free(&pub);

    /* Run 2: restores from the directory, connects, the message goes out and arrives. */
    REQUIRE(make(&pub, v, pid) == 0);
    use_file_store(&pub, &f2, dir);
    CHECK_EQ_INT(mqtls_file_store_count(&f2.fs), 1);
    CHECK_STATUS(mqtls_client_restore(&pub.cli), MQTLS_OK);
    CHECK_EQ_INT(mqtls_inflight(&pub.cli), 1);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    ic_client_t *both[] = {&sub, &pub};
    CHECK(ic_wait_msgs(both, 2, &sub, 1, 5000));
    CHECK_EQ_INT(ic_count(&sub, topic, "kept"), 1);
    ic_run(both, 2, 200);
    CHECK_EQ_INT(mqtls_inflight(&pub.cli), 0);
    CHECK_EQ_INT(mqtls_file_store_count(&f2.fs), 0); /* acknowledged: now it goes */
    mqtls_disconnect(&pub.cli, 0, NULL);
    mqtls_file_store_close(&f2.fs);
    ic_free(&pub);
    mqtls_disconnect(&sub.cli, 0, NULL);
    ic_free(&sub);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

TEST(free_keeps_durable_messages_311)
{
    durable_across_free(MQTLS_V311);
}

TEST(free_keeps_durable_messages_5)
{
    durable_across_free(MQTLS_V5);
}

/* Points 2: the subscriber takes N messages and stops; or declines one. */
static int take, taken;
static bool decline;

static void limited(mqtls_client_t *cli, const mqtls_event_t *ev, void *user)
{
    ic_client_t *c = user;
    if (ev->type == MQTLS_EV_MESSAGE && taken == take) {
        mqtls_decline(cli); /* one more than wanted */
        return;
    }
    c->cfg.on_event(cli, ev, user); /* the recorder */
    if (ev->type == MQTLS_EV_MESSAGE && ++taken == take && !decline)
        mqtls_pause(cli);
}

static void take_then_stop(mqtls_version_t v, uint8_t qos, bool use_decline)
{
    char sid[64], topic[64], payload[8];
    snprintf(sid, sizeof sid, "hd-take-%s-%u-%d", vname(v), qos, use_decline);
    snprintf(topic, sizeof topic, "hardening/%s/take/%u/%d", vname(v), qos, use_decline);
    ic_client_t sub, pub;
    REQUIRE(make(&sub, v, sid) == 0);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    REQUIRE_STATUS(ic_subscribe(&sub, topic, qos), MQTLS_OK);
    REQUIRE_STATUS(mqtls_disconnect(&sub.cli, 0, NULL), MQTLS_OK);
    ic_free(&sub);
    /* Five messages wait for the offline subscriber: they arrive together on its return. */
    REQUIRE(make(&pub, v, "hd-take-pub") == 0);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    for (int i = 0; i < 5; i++) {
        snprintf(payload, sizeof payload, "m%d", i);
        REQUIRE_STATUS(ic_publish(&pub, topic, payload, qos, 5000), MQTLS_OK);
    }
    mqtls_disconnect(&pub.cli, 0, NULL);
    ic_free(&pub);

    /* Run 1 wants two. */
    REQUIRE(make(&sub, v, sid) == 0);
    sub.cli.cfg.on_event = limited; /* which passes what it takes to the recorder */
    take = 2, taken = 0, decline = use_decline;
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    ic_client_t *one[] = {&sub};
    ic_run(one, 1, 500);
    CHECK_EQ_INT(sub.nmsgs, 2);
    mqtls_disconnect(&sub.cli, 0, NULL);
    ic_free(&sub);

    /* Run 2 gets the three it did not take (mosquitto resends unacknowledged ones). */
    REQUIRE(make(&sub, v, sid) == 0);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK(ic_wait_msgs(one, 1, &sub, 3, 5000));
    ic_run(one, 1, 300);
    CHECK_EQ_INT(sub.nmsgs, 3);
    for (int i = 2; i < 5; i++) {
        snprintf(payload, sizeof payload, "m%d", i);
        CHECK_EQ_INT(ic_count(&sub, topic, payload), 1);
    }
    mqtls_disconnect(&sub.cli, 0, NULL);
    ic_free(&sub);
}

TEST(pause_leaves_the_rest_to_the_next_connection)
{
    for (int v = 0; v < 2; v++)
        for (uint8_t qos = 1; qos <= 2; qos++)
            take_then_stop(v ? MQTLS_V5 : MQTLS_V311, qos, false);
}

TEST(decline_leaves_the_message_to_the_next_connection)
{
    for (int v = 0; v < 2; v++)
        for (uint8_t qos = 1; qos <= 2; qos++)
            take_then_stop(v ? MQTLS_V5 : MQTLS_V311, qos, true);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    if (test_broker_start(&broker, NULL) != 0) {
        printf("cannot start mosquitto\n");
        return 1;
    }
    RUN(free_keeps_durable_messages_311);
    RUN(free_keeps_durable_messages_5);
    RUN(pause_leaves_the_rest_to_the_next_connection);
    RUN(decline_leaves_the_message_to_the_next_connection);
    test_broker_stop(&broker);
    return test_main_end();
}
