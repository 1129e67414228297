/**
 * @file test_trace.c
 * @brief The trace hook (mqtls_client_cfg_t.trace, MQTLS_CFG_TRACE) that the session files
 *        call for every packet sent (output.c, publish.c; a resend in inflight.c; the
 *        DISCONNECT of a failure in end.c) and received (receive.c), and the count of open
 *        incoming QoS 2 exchanges (mqtls_qos2_open()).
 */
#include <string.h>

#include "mqtls/client.h"
#include "mqtls/reason.h"
#include "packet_builder.h"
#include "test.h"

static pb_client_t F;

/* What the hook saw, in order. */
typedef struct seen {
    bool sent;
    bool decoded;
    mqtls_packet_type_t type;
    uint8_t first;
    size_t size;
    mqtls_status_t status;
    uint16_t packet_id; /* PUBLISH and acknowledgements */
    bool dup;
    uint8_t reason;     /* acknowledgements, DISCONNECT */
    uint16_t count;     /* SUBSCRIBE entries */
    void *ctx;
} seen_t;

static seen_t T[64];
static int nt;

static void trace_hook(mqtls_client_t *c, const mqtls_trace_t *t, void *ctx)
{
    (void)c;
    if (nt >= 64)
        return;
    seen_t *s = &T[nt++];
    memset(s, 0, sizeof *s);
    s->sent = t->sent;
    s->decoded = t->packet != NULL;
    s->first = t->first;
    s->size = t->size;
    s->status = t->status;
    s->ctx = ctx;
    if (!t->packet)
        return;
    s->type = t->packet->type;
    if (s->type == MQTLS_PUBLISH) {
        s->packet_id = t->packet->u.publish.packet_id;
        s->dup = t->packet->u.publish.dup;
    } else if (s->type == MQTLS_SUBSCRIBE) {
        s->packet_id = t->packet->u.subscribe.packet_id;
        s->count = t->packet->u.subscribe.count;
    } else if (s->type >= MQTLS_PUBACK && s->type != MQTLS_SUBACK &&
               s->type != MQTLS_UNSUBACK && s->type != MQTLS_PINGRESP) {
        s->packet_id = t->packet->u.ack.packet_id;
        s->reason = t->packet->u.ack.reason;
    }
}

static int ctx_marker;

static mqtls_status_t connect_traced(mqtls_version_t v, bool keep_session)
{
    nt = 0;
    pb_client_setup(&F, v);
    F.cfg.trace = trace_hook;
    F.cfg.trace_ctx = &ctx_marker;
    F.opts.connect.clean_start = !keep_session;
    pb_client_start(&F);
    return pb_client_connect(&F, false, NULL);
}

static mqtls_publish_t msg(uint8_t qos)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str("t/1");
    p.payload = (const uint8_t *)"hello";
    p.payload_len = 5;
    p.qos = qos;
    return p;
}

TEST(trace_sees_every_packet_both_ways_in_order)
{
    for (int v = 0; v < 2; v++) {
        REQUIRE_STATUS(connect_traced(v ? MQTLS_V5 : MQTLS_V311, false), MQTLS_OK);
        REQUIRE_EQ_INT(nt, 2);
        CHECK(T[0].sent && T[0].decoded && T[0].type == MQTLS_CONNECT);
        CHECK(!T[1].sent && T[1].type == MQTLS_CONNACK);
        CHECK_EQ_INT(T[1].first, MQTLS_CONNACK << 4);
        CHECK(T[0].ctx == &ctx_marker);
        nt = 0;
        mqtls_publish_t p = msg(1);
        uint16_t id;
        REQUIRE_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
        size_t len;
        (void)mock_sent(&F.m, &len);
        REQUIRE_EQ_INT(nt, 1);
        CHECK(T[0].sent && T[0].type == MQTLS_PUBLISH && !T[0].dup);
        CHECK_EQ_INT(T[0].packet_id, id);
        CHECK_EQ_INT(T[0].size, len); /* header and payload: what went out */
        CHECK_EQ_INT(T[0].first, 0x32);
        static const mqtls_subscription_t subs[2] = {{{"a", 1}, 1}, {{"b", 1}, 0}};
        REQUIRE_STATUS(mqtls_subscribe(&F.c, subs, 2, NULL, NULL), MQTLS_OK);
        pb_push_ack(&F.m, F.v, MQTLS_PUBACK, id, 0, NULL);
        REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
        REQUIRE_EQ_INT(nt, 3);
        CHECK(T[1].sent && T[1].type == MQTLS_SUBSCRIBE);
        CHECK_EQ_INT(T[1].count, 2);
        CHECK(!T[2].sent && T[2].type == MQTLS_PUBACK);
        CHECK_EQ_INT(T[2].packet_id, id);
        pb_client_teardown(&F);
    }
}

/* Received packets are traced before the client acts on them: the QoS 1 delivery's PUBACK
 * comes after the PUBLISH it answers. */
TEST(trace_received_before_it_is_handled)
{
    REQUIRE_STATUS(connect_traced(MQTLS_V5, false), MQTLS_OK);
    nt = 0;
    pb_push_publish(&F.m, F.v, "t", "x", 1, 1, 7, false, NULL);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    REQUIRE_EQ_INT(nt, 2);
    CHECK(!T[0].sent && T[0].type == MQTLS_PUBLISH && T[0].packet_id == 7);
    CHECK(T[1].sent && T[1].type == MQTLS_PUBACK && T[1].packet_id == 7);
    pb_client_teardown(&F);
}

static void decline_first(pb_client_t *f, const mqtls_event_t *ev)
{
    if (ev->type == MQTLS_EV_MESSAGE && f->user == NULL) {
        f->user = f;
        mqtls_decline(&f->c);
    }
}

/* A declined message is handled again later, but was received once: one trace line. */
TEST(trace_shows_a_declined_message_once)
{
    REQUIRE_STATUS(connect_traced(MQTLS_V311, false), MQTLS_OK);
    nt = 0;
    F.on_event = decline_first;
    F.user = NULL;
    pb_push_publish(&F.m, F.v, "t", "a", 1, 1, 1, false, NULL);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(nt, 1);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 1);
    pb_push_publish(&F.m, F.v, "t", "b", 1, 1, 2, false, NULL);
    mqtls_resume(&F.c);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 3);
    int publishes = 0;
    for (int i = 0; i < nt; i++)
        publishes += !T[i].sent && T[i].type == MQTLS_PUBLISH;
    CHECK_EQ_INT(publishes, 2); /* ids 1 and 2, each once */
    pb_client_teardown(&F);
}

/* A packet that does not decode is shown undecoded, then the DISCONNECT the failure sends. */
TEST(trace_shows_an_undecodable_packet_and_the_disconnect)
{
    REQUIRE_STATUS(connect_traced(MQTLS_V5, false), MQTLS_OK);
    nt = 0;
    mock_push_hex(&F.m, "30 03 00 05 61"); /* PUBLISH whose topic runs past its end */
    CHECK(mqtls_step(&F.c) != MQTLS_OK);
    REQUIRE_EQ_INT(nt, 2);
    CHECK(!T[0].sent && !T[0].decoded);
    CHECK_EQ_INT(T[0].first, 0x30);
    CHECK_EQ_INT(T[0].size, 5);
    CHECK(T[0].status != MQTLS_OK);
    CHECK(T[1].sent && T[1].decoded && T[1].type == MQTLS_DISCONNECT);
    CHECK_EQ_INT(T[1].reason, MQTLS_RC_MALFORMED_PACKET);
    pb_client_teardown(&F);
}

/* A PUBLISH resent when the session resumes comes from the store, with DUP set. */
TEST(trace_shows_a_resent_publish_with_dup)
{
    REQUIRE_STATUS(connect_traced(MQTLS_V311, true), MQTLS_OK);
    mqtls_publish_t p = msg(1);
    uint16_t id;
    REQUIRE_STATUS(mqtls_publish(&F.c, &p, &id), MQTLS_OK);
    mqtls_abort(&F.c);
    nt = 0;
    REQUIRE_STATUS(pb_client_connect(&F, true, NULL), MQTLS_OK);
    REQUIRE_EQ_INT(nt, 3);
    CHECK(T[2].sent && T[2].decoded && T[2].type == MQTLS_PUBLISH);
    CHECK(T[2].dup);
    CHECK_EQ_INT(T[2].packet_id, id);
    pb_client_teardown(&F);
}

/* A send that fails is not shown: the packet did not leave. */
TEST(trace_skips_a_packet_that_did_not_leave)
{
    REQUIRE_STATUS(connect_traced(MQTLS_V311, false), MQTLS_OK);
    nt = 0;
    F.m.fail_send_at = F.m.sent_total;
    F.m.fail_send_status = MQTLS_ERR_CLOSED;
    mqtls_publish_t p = msg(0);
    CHECK(mqtls_publish(&F.c, &p, NULL) != MQTLS_OK);
    CHECK_EQ_INT(nt, 0);
    pb_client_teardown(&F);
}

TEST(qos2_open_counts_incoming_exchanges_until_pubcomp)
{
    CHECK_EQ_INT(mqtls_qos2_open(NULL), 0);
    REQUIRE_STATUS(connect_traced(MQTLS_V5, false), MQTLS_OK);
    pb_push_publish(&F.m, F.v, "t", "a", 1, 2, 1, false, NULL);
    pb_push_publish(&F.m, F.v, "t", "b", 1, 2, 2, false, NULL);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_qos2_open(&F.c), 2);
    pb_push_publish(&F.m, F.v, "t", "a", 1, 2, 1, true, NULL); /* a resend: no new one */
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_qos2_open(&F.c), 2);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 1, 0, NULL);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_qos2_open(&F.c), 1);
    pb_push_ack(&F.m, F.v, MQTLS_PUBREL, 2, 0, NULL);
    REQUIRE_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_qos2_open(&F.c), 0);
    pb_client_teardown(&F);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(trace_sees_every_packet_both_ways_in_order);
    RUN(trace_received_before_it_is_handled);
    RUN(trace_shows_a_declined_message_once);
    RUN(trace_shows_an_undecodable_packet_and_the_disconnect);
    RUN(trace_shows_a_resent_publish_with_dup);
    RUN(trace_skips_a_packet_that_did_not_leave);
    RUN(qos2_open_counts_incoming_exchanges_until_pubcomp);
    return test_main_end();
}
