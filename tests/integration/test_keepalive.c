/**
 * @file test_keepalive.c
 * @brief Keep-alive against a real mosquitto, MQTT 3.1.1 and 5.0.
 *
 *  - keep_alive 1 s: mqtls_sync_run() for 3.5 s keeps the connection up; the broker's log
 *    (log_type all) shows the PINGREQs it received and the PINGRESPs it sent;
 *  - the broker frozen with SIGSTOP: the client declares MQTLS_ERR_KEEPALIVE_TIMEOUT within
 *    keep_alive + ping_timeout (+ slack); the broker is continued and stopped afterwards;
 *  - 5.0 Server Keep Alive (mosquitto max_keepalive) overrides the client's keep-alive.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "integ_client.h"
#include "mqtls/reason.h"
#include "test.h"

#define PING_TIMEOUT_MS 1000u
#define SLACK_MS 600u

static const char *vname(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "v5" : "v311";
}

static int make(ic_client_t *c, const test_broker_t *b, mqtls_version_t v, const char *role,
                uint16_t keep_alive)
{
    char id[64];
    ic_setup_t s = {0};
    snprintf(id, sizeof id, "ka-%s-%s", role, vname(v));
    s.version = v;
    s.client_id = id;
    s.port = b->port;
    s.keep_alive = keep_alive;
    if (ic_init(c, &s) != 0) {
        return -1;
    }
    c->opts.ping_timeout_ms = PING_TIMEOUT_MS;
    return 0;
}

static void stays_up(mqtls_version_t v)
{
    test_broker_t b;
    ic_client_t c;
    char needle[128];
    REQUIRE(test_broker_start(&b, "log_type all") == 0);
    if (make(&c, &b, v, "idle", 1) != 0) {
        test_broker_stop(&b);
        REQUIRE(0);
    }
    CHECK_STATUS(ic_connect(&c), MQTLS_OK);
    uint64_t t0 = ic_now_ms();
    CHECK_STATUS(mqtls_sync_run(&c.cli, 3500), MQTLS_OK);
    uint64_t spent = ic_now_ms() - t0;
    CHECK(spent >= 3400 && spent < 4500);
    CHECK_EQ_INT(mqtls_state(&c.cli), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(c.ev_count[MQTLS_EV_DISCONNECTED], 0);
    /* One PINGREQ per idle second: 3 in 3.5 s (allow for timing at the edges). */
    snprintf(needle, sizeof needle, "Received PINGREQ from %s\n", c.id);
    int pings = ic_log_count(&b, needle);
    snprintf(needle, sizeof needle, "Sending PINGRESP to %s\n", c.id);
    CHECK(ic_log_wait(&b, needle, pings, 1000));
    test_note("%d PINGREQ in 3.5 s", pings);
    CHECK(pings >= 2 && pings <= 4);
    /* Still usable. */
    CHECK_STATUS(ic_subscribe(&c, "ka/t", 1), MQTLS_OK);
    CHECK_STATUS(ic_publish(&c, "ka/t", "alive", 1, false), MQTLS_OK);
    CHECK_STATUS(mqtls_sync_run(&c.cli, 100), MQTLS_OK);
    CHECK_EQ_INT(ic_count(&c, "ka/t", "alive"), 1);
    CHECK_STATUS(mqtls_disconnect(&c.cli, 0, NULL), MQTLS_OK);
    ic_free(&c);
    test_broker_stop(&b);
}

TEST(keepalive_stays_up_311)
{
    stays_up(MQTLS_V311);
}

TEST(keepalive_stays_up_5)
{
    stays_up(MQTLS_V5);
}

/* Both versions at once against one frozen broker. */
TEST(keepalive_timeout_on_frozen_broker)
{
    test_broker_t b;
    ic_client_t c4, c5;
    REQUIRE(test_broker_start(&b, NULL) == 0);
    if (make(&c4, &b, MQTLS_V311, "frozen", 1) != 0 || make(&c5, &b, MQTLS_V5, "frozen", 1) != 0) {
        test_broker_stop(&b);
        REQUIRE(0);
    }
    ic_client_t *both[] = {&c4, &c5};
    CHECK_STATUS(ic_connect(&c4), MQTLS_OK);
    CHECK_STATUS(ic_connect(&c5), MQTLS_OK);
    ic_run(both, 2, 1200); /* a ping round trip each, while the broker answers */
    CHECK_EQ_INT(mqtls_state(&c4.cli), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(mqtls_state(&c5.cli), MQTLS_STATE_CONNECTED);

    REQUIRE(kill(b.pid, SIGSTOP) == 0);
    uint64_t t0 = ic_now_ms(), down4 = 0, down5 = 0;
    const uint64_t limit = 1000u + PING_TIMEOUT_MS + SLACK_MS;
    while ((!down4 || !down5) && ic_now_ms() - t0 < limit + 2000u) {
        ic_run(both, 2, 10);
        if (!down4 && mqtls_state(&c4.cli) == MQTLS_STATE_DISCONNECTED) {
            down4 = ic_now_ms() - t0;
        }
        if (!down5 && mqtls_state(&c5.cli) == MQTLS_STATE_DISCONNECTED) {
            down5 = ic_now_ms() - t0;
        }
    }
    kill(b.pid, SIGCONT);
    test_note("declared dead after %llu ms (3.1.1) and %llu ms (5.0); limit %llu ms",
              (unsigned long long)down4, (unsigned long long)down5, (unsigned long long)limit);
    CHECK(down4 >= PING_TIMEOUT_MS - 100u && down4 <= limit);
    CHECK(down5 >= PING_TIMEOUT_MS - 100u && down5 <= limit);
    CHECK_EQ_INT(c4.ev_count[MQTLS_EV_DISCONNECTED], 1);
    CHECK_STATUS(c4.end_status, MQTLS_ERR_KEEPALIVE_TIMEOUT);
    CHECK_EQ_INT(c5.ev_count[MQTLS_EV_DISCONNECTED], 1);
    CHECK_STATUS(c5.end_status, MQTLS_ERR_KEEPALIVE_TIMEOUT);
    /* 0x8D is the server's reason code: a client presumes the link dead and just closes. */
    CHECK_EQ_INT(c5.end_reason, 0);

    /* The broker is alive again: the clients reconnect. */
    CHECK_STATUS(ic_connect(&c4), MQTLS_OK);
    CHECK_STATUS(ic_connect(&c5), MQTLS_OK);
    ic_free(&c4);
    ic_free(&c5);
    test_broker_stop(&b);
}

/* 5.0: the broker's Server Keep Alive replaces ours (mosquitto: max_keepalive). */
TEST(server_keep_alive_5)
{
    test_broker_t b;
    ic_client_t c;
    REQUIRE(test_broker_start(&b, "max_keepalive 10") == 0);
    if (make(&c, &b, MQTLS_V5, "server", 60) != 0) {
        test_broker_stop(&b);
        REQUIRE(0);
    }
    CHECK_STATUS(ic_connect(&c), MQTLS_OK);
    CHECK(c.connack.present & MQTLS_PROPBIT(MQTLS_PROP_SERVER_KEEP_ALIVE));
    CHECK_EQ_INT(c.connack.server_keep_alive, 10);
    uint32_t next = mqtls_next_timeout_ms(&c.cli);
    CHECK(next <= 10000u && next > 9000u);
    ic_free(&c);
    test_broker_stop(&b);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(keepalive_stays_up_311);
    RUN(keepalive_stays_up_5);
    RUN(keepalive_timeout_on_frozen_broker);
    RUN(server_keep_alive_5);
    return test_main_end();
}
