/**
 * @file test_pubsub.c
 * @brief Publish and subscribe through a real mosquitto, MQTT 3.1.1 and 5.0: QoS 0/1/2
 *        each delivered exactly once and in order, QoS downgrade to the granted QoS, a large
 *        payload, coalesced QoS 0 output, 5.0 No Local and Subscription Identifiers, bursts of 1000 QoS 1 and QoS 2
 *        messages through a small window and a small store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "integ_client.h"
#include "mqtls/reason.h"
#include "test.h"

#define N_PER_QOS 20

static test_broker_t broker;

static const char *vname(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "v5" : "v311";
}

static int make(ic_client_t *c, mqtls_version_t v, const char *role)
{
    char id[64];
    ic_setup_t s = {0};
    snprintf(id, sizeof id, "ps-%s-%s", role, vname(v));
    s.version = v;
    s.client_id = id;
    s.port = broker.port;
    return ic_init(c, &s);
}

/* Every message of each QoS arrives once, with its QoS, in the order it was published. */
static void qos_each_once(mqtls_version_t v)
{
    ic_client_t pub, sub;
    char filter[64], topic[64], payload[64];

    REQUIRE(make(&pub, v, "pub") == 0);
    REQUIRE(make(&sub, v, "sub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    CHECK_STATUS(ic_connect(&pub), MQTLS_OK);
    CHECK_STATUS(ic_connect(&sub), MQTLS_OK);
    snprintf(filter, sizeof filter, "ps/%s/#", vname(v));
    CHECK_STATUS(ic_subscribe(&sub, filter, 2), MQTLS_OK);
    CHECK_EQ_INT(sub.codes[0], 2);

    for (int q = 0; q <= 2; q++) {
        snprintf(topic, sizeof topic, "ps/%s/q%d", vname(v), q);
        for (int i = 0; i < N_PER_QOS; i++) {
            snprintf(payload, sizeof payload, "q%d-%d", q, i);
            CHECK_STATUS(ic_publish(&pub, topic, payload, (uint8_t)q, false), MQTLS_OK);
        }
    }
    CHECK(ic_wait_msgs(both, 2, &sub, 3 * N_PER_QOS, IC_WAIT_MS));
    ic_run(both, 2, 200); /* a duplicate would show up now */
    CHECK_EQ_INT(sub.nmsgs, 3 * N_PER_QOS);
    CHECK_EQ_INT(pub.ndone, 2 * N_PER_QOS);
    for (size_t i = 0; i < pub.ndone && i < IC_MAX_DONE; i++) {
        CHECK_STATUS(pub.done_status[i], MQTLS_OK);
    }
    CHECK_EQ_INT(mqtls_inflight(&pub.cli), 0);
    CHECK_EQ_INT(pub.store.used, 0);

    for (int q = 0; q <= 2; q++) {
        int last = -1;
        snprintf(topic, sizeof topic, "ps/%s/q%d", vname(v), q);
        for (int i = 0; i < N_PER_QOS; i++) {
            snprintf(payload, sizeof payload, "q%d-%d", q, i);
            CHECK_EQ_INT(ic_count(&sub, topic, payload), 1);
        }
        for (size_t k = 0; k < sub.nmsgs; k++) {
            const ic_msg_t *m = &sub.msgs[k];
            int qq, idx;
            if (strcmp(m->topic, topic) != 0 ||
                sscanf((const char *)m->payload, "q%d-%d", &qq, &idx) != 2) {
                continue;
            }
            CHECK_EQ_INT(m->qos, q);
            CHECK(!m->retain);
            CHECK(!m->dup);
            CHECK(idx > last); /* in publishing order [MQTT-4.6.0-5] */
            last = idx;
        }
    }
    CHECK_STATUS(mqtls_disconnect(&pub.cli, 0, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_disconnect(&sub.cli, 0, NULL), MQTLS_OK);
    ic_free(&pub);
    ic_free(&sub);
}

TEST(qos_each_once_311)
{
    qos_each_once(MQTLS_V311);
}

TEST(qos_each_once_5)
{
    qos_each_once(MQTLS_V5);
}

/* A subscription granted QoS 0 or 1 gets QoS 2 publishes at the granted QoS. */
static void downgrade(mqtls_version_t v)
{
    ic_client_t pub, s0, s1;
    char filter[64], topic[64];

    REQUIRE(make(&pub, v, "dgpub") == 0);
    REQUIRE(make(&s0, v, "dg0") == 0);
    REQUIRE(make(&s1, v, "dg1") == 0);
    ic_client_t *all[] = {&pub, &s0, &s1};
    CHECK_STATUS(ic_connect(&pub), MQTLS_OK);
    CHECK_STATUS(ic_connect(&s0), MQTLS_OK);
    CHECK_STATUS(ic_connect(&s1), MQTLS_OK);
    snprintf(filter, sizeof filter, "dg/%s/+", vname(v));
    snprintf(topic, sizeof topic, "dg/%s/t", vname(v));
    CHECK_STATUS(ic_subscribe(&s0, filter, 0), MQTLS_OK);
    CHECK_EQ_INT(s0.codes[0], 0);
    CHECK_STATUS(ic_subscribe(&s1, filter, 1), MQTLS_OK);
    CHECK_EQ_INT(s1.codes[0], 1);

    CHECK_STATUS(ic_publish(&pub, topic, "two", 2, false), MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, topic, "one", 1, false), MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, topic, "zero", 0, false), MQTLS_OK);
    CHECK(ic_wait_msgs(all, 3, &s0, 3, IC_WAIT_MS));
    CHECK(ic_wait_msgs(all, 3, &s1, 3, IC_WAIT_MS));
    ic_run(all, 3, 100);
    REQUIRE(s0.nmsgs == 3 && s1.nmsgs == 3);
    CHECK_EQ_STR((char *)s0.msgs[0].payload, "two");
    CHECK_EQ_INT(s0.msgs[0].qos, 0);
    CHECK_EQ_INT(s0.msgs[1].qos, 0);
    CHECK_EQ_INT(s0.msgs[2].qos, 0);
    CHECK_EQ_STR((char *)s1.msgs[0].payload, "two");
    CHECK_EQ_INT(s1.msgs[0].qos, 1);
    CHECK_EQ_STR((char *)s1.msgs[1].payload, "one");
    CHECK_EQ_INT(s1.msgs[1].qos, 1);
    CHECK_EQ_STR((char *)s1.msgs[2].payload, "zero");
    CHECK_EQ_INT(s1.msgs[2].qos, 0);
    ic_free(&pub);
    ic_free(&s0);
    ic_free(&s1);
}

TEST(downgrade_to_granted_qos_311)
{
    downgrade(MQTLS_V311);
}

TEST(downgrade_to_granted_qos_5)
{
    downgrade(MQTLS_V5);
}

/* A 60 000-byte payload arrives whole, across many reads (and with QoS 2). */
static void large_payload(mqtls_version_t v)
{
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    char topic[64];
    const uint32_t n = 60000;
    uint8_t *data = malloc(n);
    REQUIRE(data != NULL);
    for (uint32_t i = 0; i < n; i++) {
        data[i] = (uint8_t)(i * 7u + (i >> 8));
    }
    s.version = v;
    s.port = broker.port;
    s.client_id = v == MQTLS_V5 ? "ps-big-sub-v5" : "ps-big-sub-v311";
    s.rx_size = 70000;
    REQUIRE(ic_init(&sub, &s) == 0);
    REQUIRE(make(&pub, v, "bigpub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    CHECK_STATUS(ic_connect(&pub), MQTLS_OK);
    CHECK_STATUS(ic_connect(&sub), MQTLS_OK);
    snprintf(topic, sizeof topic, "big/%s", vname(v));
    CHECK_STATUS(ic_subscribe(&sub, topic, 2), MQTLS_OK);
    uint16_t id = 0;
    CHECK_STATUS(ic_publish_nb(&pub, topic, data, n, 2, false, &id), MQTLS_OK);
    CHECK(id != 0);
    CHECK(ic_wait_msgs(both, 2, &sub, 1, IC_WAIT_MS));
    ic_run(both, 2, 100);
    REQUIRE_EQ_INT(sub.nmsgs, 1);
    CHECK_EQ_INT(sub.msgs[0].len, n);
    CHECK_EQ_MEM(sub.msgs[0].payload, data, n);
    CHECK_EQ_INT(sub.msgs[0].qos, 2);
    CHECK_EQ_INT(pub.ndone, 1);
    CHECK_EQ_INT(pub.done_ids[0], id);
    free(data);
    ic_free(&pub);
    ic_free(&sub);
}

TEST(large_payload_311)
{
    large_payload(MQTLS_V311);
}

TEST(large_payload_5)
{
    large_payload(MQTLS_V5);
}

/* With tx_coalesce, many small QoS 0 publishes leave in few writes and all arrive. */
static void coalesced(mqtls_version_t v)
{
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    char topic[64], payload[32];
    const int count = 300;

    s.version = v;
    s.port = broker.port;
    s.client_id = v == MQTLS_V5 ? "ps-coal-pub-v5" : "ps-coal-pub-v311";
    s.tx_coalesce = true;
    s.tx_size = 4096;
    s.filter = true; /* counts the writes */
    REQUIRE(ic_init(&pub, &s) == 0);
    REQUIRE(make(&sub, v, "coalsub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    CHECK_STATUS(ic_connect(&pub), MQTLS_OK);
    CHECK_STATUS(ic_connect(&sub), MQTLS_OK);
    snprintf(topic, sizeof topic, "coal/%s", vname(v));
    CHECK_STATUS(ic_subscribe(&sub, topic, 0), MQTLS_OK);
    for (int i = 0; i < count; i++) {
        snprintf(payload, sizeof payload, "c%d", i);
        CHECK_STATUS(ic_publish_nb(&pub, topic, payload, (uint32_t)strlen(payload), 0, false,
                                   NULL),
                     MQTLS_OK);
    }
    CHECK_STATUS(mqtls_flush(&pub.cli), MQTLS_OK);
    CHECK_EQ_INT(pub.filt.tx_seen[MQTLS_PUBLISH], count);
    CHECK(ic_wait_msgs(both, 2, &sub, (size_t)count, IC_WAIT_MS));
    REQUIRE_EQ_INT(sub.nmsgs, count);
    for (int i = 0; i < count; i++) {
        snprintf(payload, sizeof payload, "c%d", i);
        CHECK_EQ_STR((char *)sub.msgs[i].payload, payload);
    }
    ic_free(&pub);
    ic_free(&sub);
}

TEST(coalesced_qos0_311)
{
    coalesced(MQTLS_V311);
}

TEST(coalesced_qos0_5)
{
    coalesced(MQTLS_V5);
}

/* A client gets its own messages, except (5.0) through a No Local subscription. */
TEST(own_messages_and_no_local_5)
{
    ic_client_t c;
    REQUIRE(make(&c, MQTLS_V5, "self") == 0);
    ic_client_t *one[] = {&c};
    CHECK_STATUS(ic_connect(&c), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&c, "self/echo", 1), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&c, "self/quiet", 1 | MQTLS_SUB_NO_LOCAL), MQTLS_OK);
    CHECK_STATUS(ic_publish(&c, "self/quiet", "not for me", 1, false), MQTLS_OK);
    CHECK_STATUS(ic_publish(&c, "self/echo", "for me", 1, false), MQTLS_OK);
    CHECK(ic_wait_msgs(one, 1, &c, 1, IC_WAIT_MS));
    ic_run(one, 1, 200);
    CHECK_EQ_INT(c.nmsgs, 1);
    CHECK_EQ_INT(ic_count(&c, "self/echo", "for me"), 1);
    CHECK_EQ_INT(ic_count(&c, "self/quiet", NULL), 0);
    ic_free(&c);
}

TEST(own_messages_311)
{
    ic_client_t c;
    REQUIRE(make(&c, MQTLS_V311, "self") == 0);
    ic_client_t *one[] = {&c};
    CHECK_STATUS(ic_connect(&c), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&c, "self311/echo", 2), MQTLS_OK);
    CHECK_STATUS(ic_publish(&c, "self311/echo", "loop", 2, false), MQTLS_OK);
    CHECK(ic_wait_msgs(one, 1, &c, 1, IC_WAIT_MS));
    ic_run(one, 1, 100);
    CHECK_EQ_INT(ic_count(&c, "self311/echo", "loop"), 1);
    ic_free(&c);
}

/* Drives @p pub to publish @p count messages of @p qos without waiting for each, stepping
 * whenever the window is full. @return how many were accepted. */
static int burst(ic_client_t *const *cs, int n, ic_client_t *pub, const char *topic,
                 uint8_t qos, int count, const char *pfx)
{
    char payload[32];
    int sent = 0;
    uint64_t end = ic_now_ms() + 20000u;
    while (sent < count && ic_now_ms() < end) {
        snprintf(payload, sizeof payload, "%s%d", pfx, sent);
        mqtls_status_t st =
            ic_publish_nb(pub, topic, payload, (uint32_t)strlen(payload), qos, false, NULL);
        if (st == MQTLS_ERR_INFLIGHT_FULL) {
            ic_run(cs, n, 2);
            continue;
        }
        if (st != MQTLS_OK) {
            CHECK_STATUS(st, MQTLS_OK);
            break;
        }
        sent++;
    }
    return sent;
}

typedef struct {
    ic_client_t *pub, *sub;
    size_t done, msgs;
} burst_arg_t;

static bool burst_finished(void *arg)
{
    burst_arg_t *a = arg;
    return a->pub->ndone >= a->done && a->sub->nmsgs >= a->msgs;
}

/* 1000 QoS 1 and 1000 QoS 2 messages through a 16-slot window: the store and the tables
 * churn; every message arrives once and in order. */
static void bursts(mqtls_version_t v, bool coalesce)
{
    ic_client_t pub, sub;
    ic_setup_t s = {0};
    char topic[64], payload[32];
    const int count = 1000;
    s.version = v;
    s.port = broker.port;
    s.client_id = v == MQTLS_V5 ? "ps-burst-pub-v5" : "ps-burst-pub-v311";
    s.inflight_cap = 16;
    s.store_size = 4096; /* 16 small messages fit; the store must be reused in place */
    s.tx_coalesce = coalesce; /* also the subscriber's acknowledgements */
    s.tx_size = coalesce ? 2048 : 0;
    REQUIRE(ic_init(&pub, &s) == 0);
    s.client_id = v == MQTLS_V5 ? "ps-burst-sub-v5" : "ps-burst-sub-v311";
    s.qos2_in_cap = 32; /* at least mosquitto's 20 in flight (3.1.1 cannot tell it less) */
    s.rx_size = 16384;
    REQUIRE(ic_init(&sub, &s) == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    snprintf(topic, sizeof topic, "burst/%s", vname(v));
    CHECK_STATUS(ic_subscribe(&sub, topic, 2), MQTLS_OK);
    uint64_t t0 = ic_now_ms();
    CHECK_EQ_INT(burst(both, 2, &pub, topic, 1, count, "one-"), count);
    CHECK_EQ_INT(burst(both, 2, &pub, topic, 2, count, "two-"), count);
    burst_arg_t a = {&pub, &sub, (size_t)(2 * count), (size_t)(2 * count)};
    CHECK(ic_run_until(both, 2, burst_finished, &a, 20000u));
    ic_run(both, 2, 100);
    test_note("%d QoS 1 + %d QoS 2 messages in %llu ms%s", count, count,
              (unsigned long long)(ic_now_ms() - t0), coalesce ? " (coalesced writes)" : "");
    CHECK_EQ_INT(pub.ndone, 2 * count);
    CHECK_EQ_INT(sub.nmsgs, 2 * count);
    CHECK_EQ_INT(pub.store.used, 0);
    CHECK_EQ_INT(sub.cli.qos2_in_count, 0);
    for (size_t i = 0; i < pub.ndone && i < IC_MAX_DONE; i++) {
        if (pub.done_status[i] != MQTLS_OK) {
            CHECK_STATUS(pub.done_status[i], MQTLS_OK);
            break;
        }
    }
    for (int i = 0; i < 2 * count && (size_t)i < sub.nmsgs; i++) {
        snprintf(payload, sizeof payload, "%s%d", i < count ? "one-" : "two-", i % count);
        if (!CHECK_EQ_STR((char *)sub.msgs[i].payload, payload)) {
            break;
        }
    }
    CHECK_EQ_INT(pub.ev_count[MQTLS_EV_DISCONNECTED] + sub.ev_count[MQTLS_EV_DISCONNECTED], 0);
    ic_free(&pub);
    ic_free(&sub);
}

TEST(bursts_311)
{
    bursts(MQTLS_V311, false);
}

TEST(bursts_5)
{
    bursts(MQTLS_V5, false);
}

TEST(bursts_coalesced_311)
{
    bursts(MQTLS_V311, true);
}

TEST(bursts_coalesced_5)
{
    bursts(MQTLS_V5, true);
}

/* 5.0 Subscription Identifiers: each message names the subscription it matched (a small and
 * a multi-byte value), also with two overlapping subscriptions. */
TEST(subscription_identifiers_5)
{
    ic_client_t pub, sub;
    REQUIRE(make(&pub, MQTLS_V5, "sidpub") == 0);
    REQUIRE(make(&sub, MQTLS_V5, "sidsub") == 0);
    ic_client_t *both[] = {&pub, &sub};
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK(!(sub.connack.present & MQTLS_PROPBIT(MQTLS_PROP_SUB_ID_AVAILABLE)) ||
          sub.connack.sub_id_available == 1);
    mqtls_props_t props;
    memset(&props, 0, sizeof props);
    props.present = MQTLS_PROPBIT(MQTLS_PROP_SUBSCRIPTION_ID);
    props.subscription_id = 7;
    mqtls_subscription_t s1 = {mqtls_str("sid/+"), 1};
    CHECK_STATUS(mqtls_sync_subscribe(&sub.cli, &s1, 1, &props, sub.codes, IC_WAIT_MS),
                 MQTLS_OK);
    props.subscription_id = 300000; /* a multi-byte variable byte integer */
    mqtls_subscription_t s2 = {mqtls_str("sid/both"), 1};
    CHECK_STATUS(mqtls_sync_subscribe(&sub.cli, &s2, 1, &props, sub.codes, IC_WAIT_MS),
                 MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, "sid/one", "first", 1, false), MQTLS_OK);
    CHECK_STATUS(ic_publish(&pub, "sid/both", "second", 1, false), MQTLS_OK);
    /* mosquitto 2.0.11 sends one copy per matching subscription, each with its own
     * identifier (the specification allows either way for overlapping subscriptions). */
    CHECK(ic_wait_msgs(both, 2, &sub, 3, IC_WAIT_MS));
    ic_run(both, 2, 100);
    CHECK_EQ_INT(sub.nmsgs, 3);
    const ic_msg_t *m = ic_find(&sub, "sid/one", "first");
    if (CHECK(m != NULL)) {
        CHECK_EQ_INT(m->sub_id_count, 1);
        CHECK_EQ_INT(m->sub_ids[0], 7);
    }
    int with7 = 0, with300000 = 0;
    for (size_t i = 0; i < sub.nmsgs; i++) {
        m = &sub.msgs[i];
        if (strcmp(m->topic, "sid/both") != 0) {
            continue;
        }
        for (int k = 0; k < m->sub_id_count; k++) {
            with7 += m->sub_ids[k] == 7;
            with300000 += m->sub_ids[k] == 300000;
        }
    }
    CHECK_EQ_INT(ic_count(&sub, "sid/both", "second"), 2);
    CHECK_EQ_INT(with7, 1);
    CHECK_EQ_INT(with300000, 1);
    ic_free(&pub);
    ic_free(&sub);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    if (test_broker_start(&broker, NULL) != 0) {
        printf("cannot start mosquitto\n");
        return 1;
    }
    RUN(qos_each_once_311);
    RUN(qos_each_once_5);
    RUN(downgrade_to_granted_qos_311);
    RUN(downgrade_to_granted_qos_5);
    RUN(large_payload_311);
    RUN(large_payload_5);
    RUN(coalesced_qos0_311);
    RUN(coalesced_qos0_5);
    RUN(own_messages_311);
    RUN(own_messages_and_no_local_5);
    RUN(subscription_identifiers_5);
    RUN(bursts_311);
    RUN(bursts_5);
    RUN(bursts_coalesced_311);
    RUN(bursts_coalesced_5);
    int rc = test_main_end();
    if (rc != 0) {
        test_broker_dump_log(&broker);
    }
    test_broker_stop(&broker);
    return rc;
}
