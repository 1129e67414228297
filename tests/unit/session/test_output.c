/**
 * @file test_output.c
 * @brief Everything the client writes (src/session/output.c): the send timeout counts
 *        silence, not packet time; a blocked write can be interrupted; mqtls_step() does not
 *        wait for a peer that reads slowly; every packet keeps to the broker's Maximum Packet
 *        Size.
 */
#include <string.h>

#include "mqtls/client.h"
#include "mqtls/reason.h"
#include "packet_builder.h"
#include "test.h"

static pb_client_t F;

#define PROP(id) MQTLS_PROPBIT(MQTLS_PROP_##id)

/* ------------------------------------------------------------------ a slow, scripted link */

/* The network: it takes at most `rate` bytes per 100 ms of the fake clock (0: nothing), and
 * lets through the first `free_bytes` (the CONNECT) at once. Its wait lets time pass. */
static struct {
    uint32_t rate;
    long long free_bytes;
    uint32_t credit;
    uint32_t last_ms;
    unsigned waits;
    uint32_t longest_wait;
    unsigned interrupt_after; /* >0: mqtls_interrupt() on that wait */
} L;

static void link_reset(uint32_t rate, long long free_bytes)
{
    memset(&L, 0, sizeof L);
    L.rate = rate;
    L.free_bytes = free_bytes;
    L.last_ms = mock_clock_now();
}

static mqtls_status_t l_connect(void *ctx, const char *host, uint16_t port)
{
    return mock_transport_ops.connect(ctx, host, port);
}

static int32_t l_send(void *ctx, const mqtls_iov_t *iov, size_t n)
{
    mock_transport_t *m = ctx;
    if (m->sent_total < L.free_bytes) {
        m->send_max = (size_t)(L.free_bytes - m->sent_total);
        return mock_transport_ops.send(ctx, iov, n);
    }
    uint32_t now = mock_clock_now();
    L.credit += (now - L.last_ms) / 100u * L.rate;
    L.last_ms = now - (now - L.last_ms) % 100u;
    if (L.credit == 0)
        return 0;
    m->send_max = L.credit;
    int32_t r = mock_transport_ops.send(ctx, iov, n);
    if (r > 0)
        L.credit -= (uint32_t)r;
    return r;
}

static int32_t l_recv(void *ctx, uint8_t *buf, size_t len)
{
    return mock_transport_ops.recv(ctx, buf, len);
}

static mqtls_status_t l_wait(void *ctx, int for_write, uint32_t ms)
{
    (void)ctx, (void)for_write;
    L.waits++;
    if (ms > L.longest_wait)
        L.longest_wait = ms;
    if (L.interrupt_after && L.waits == L.interrupt_after)
        mqtls_interrupt(&F.c); /* as a signal handler would, while the write waits */
    mock_clock_advance(ms);
    return MQTLS_ERR_TIMEOUT;
}

static void l_close(void *ctx)
{
    mock_transport_ops.close(ctx);
}

static const mqtls_transport_t slow_link = {l_connect, l_send, l_recv, l_wait, l_close};

static mqtls_status_t connect_slow(mqtls_version_t v, uint32_t rate, uint16_t keep_alive)
{
    pb_client_setup(&F, v);
    F.cfg.transport = &slow_link;
    F.opts.connect.keep_alive = keep_alive;
    pb_client_start(&F);
    link_reset(rate, 1000000);
    mqtls_status_t st = pb_client_connect(&F, false, NULL);
    L.free_bytes = F.m.sent_total; /* from here on, the link is slow */
    return st;
}

/* A message to topic "t". */
static mqtls_publish_t on_t(const uint8_t *payload, uint32_t len, uint8_t qos)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str("t");
    p.payload = payload;
    p.payload_len = len;
    p.qos = qos;
    return p;
}

/* ------------------------------------------------------------------ the send timeout */

/* 30 KB at 1 KB/s takes 30 s, three times the send timeout: it must still arrive whole,
 * because bytes keep leaving. (Before, the timeout counted from the packet's start.) */
TEST(a_large_message_over_a_slow_link_is_sent_while_bytes_leave)
{
    static uint8_t payload[30000];
    memset(payload, 'p', sizeof payload);
    REQUIRE_STATUS(connect_slow(MQTLS_V311, 100, 0), MQTLS_OK);
    mqtls_publish_t p = on_t(payload, sizeof payload, 0);
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    uint32_t spent = mock_clock_now() - t0;
    CHECK(spent > MQTLS_CFG_SEND_TIMEOUT_MS);
    CHECK_EQ_INT(F.m.out_len, 1 + 3 + 3 + sizeof payload); /* remaining length: 3 bytes */
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(F.nev, 0);
    pb_client_teardown(&F);
}

/* Silence is still the end: once nothing leaves for the send timeout, the link is dead. */
TEST(a_write_that_stops_moving_times_out_after_the_send_timeout_of_silence)
{
    static uint8_t payload[3000];
    REQUIRE_STATUS(connect_slow(MQTLS_V311, 100, 0), MQTLS_OK);
    mqtls_publish_t p = on_t(payload, sizeof payload, 0);
    /* 1,000 bytes leave, then the link stops for good. */
    L.free_bytes = F.m.sent_total + 1000;
    L.rate = 0;
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_TIMEOUT);
    uint32_t spent = mock_clock_now() - t0;
    CHECK(spent >= MQTLS_CFG_SEND_TIMEOUT_MS);
    CHECK(spent <= MQTLS_CFG_SEND_TIMEOUT_MS + MQTLS_CFG_SEND_WAIT_SLICE_MS);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    pb_client_teardown(&F);
}

/* mqtls_interrupt() while a write waits: it gives up within one wait slice. */
TEST(an_interrupt_ends_a_blocked_write_within_a_slice)
{
    static uint8_t payload[3000];
    REQUIRE_STATUS(connect_slow(MQTLS_V311, 0, 0), MQTLS_OK);
    mqtls_publish_t p = on_t(payload, sizeof payload, 0);
    L.interrupt_after = 3;
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_ERR_INTERRUPTED);
    CHECK(mock_clock_now() - t0 <= 3u * MQTLS_CFG_SEND_WAIT_SLICE_MS);
    CHECK(L.longest_wait <= MQTLS_CFG_SEND_WAIT_SLICE_MS);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    REQUIRE_EQ_INT(F.nev, 1);
    CHECK_STATUS(F.ev[0].status, MQTLS_ERR_INTERRUPTED);
    /* A QoS 1 message is accepted even so: it stays for the next connection. */
    pb_client_teardown(&F);
    REQUIRE_STATUS(connect_slow(MQTLS_V311, 0, 0), MQTLS_OK);
    p.qos = 1;
    L.interrupt_after = 2;
    CHECK_STATUS(mqtls_publish(&F.c, &p, NULL), MQTLS_OK);
    CHECK_EQ_INT(mqtls_inflight(&F.c), 1);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    /* The next connect starts without the interrupt. */
    CHECK(!F.c.interrupted || mqtls_connect(&F.c, &F.opts) == MQTLS_OK);
    CHECK(!F.c.interrupted);
    pb_client_teardown(&F);
}

/* ------------------------------------------------------------------ steps do not wait */

/* A peer that stopped reading: the PINGREQ and PUBACK a step writes stay in tx_buf, the
 * step returns at once (the fake clock does not move), and they leave when the link moves. */
TEST(a_step_leaves_control_packets_for_later_instead_of_waiting)
{
    REQUIRE_STATUS(connect_slow(MQTLS_V311, 0, 10), MQTLS_OK);
    mock_clock_advance(10000); /* keep-alive due */
    pb_push_publish(&F.m, F.v, "t", "x", 1, 1, 7, false, NULL);
    uint32_t t0 = mock_clock_now();
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(mock_clock_now() - t0, 0);
    CHECK_EQ_INT(L.waits, 0);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(pb_client_count_events(&F, MQTLS_EV_MESSAGE), 1);
    CHECK(mqtls_next_timeout_ms(&F.c) <= MQTLS_CFG_SEND_WAIT_SLICE_MS);
    /* The link moves again: what waited leaves, in order, whole. */
    L.rate = 1000;
    mock_clock_advance(100);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "40 02 00 07 c0 00");
    CHECK(!F.c.tx_blocked);
    pb_client_teardown(&F);
}

/* A packet half-written when the link stalls: the rest follows on later steps; the silence
 * still counts, across steps, up to the send timeout. */
TEST(a_stalled_write_left_by_steps_still_times_out)
{
    REQUIRE_STATUS(connect_slow(MQTLS_V311, 0, 10), MQTLS_OK);
    L.free_bytes = F.m.sent_total + 1; /* one byte of the PUBACK leaves */
    pb_push_publish(&F.m, F.v, "t", "x", 1, 1, 7, false, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    CHECK_EQ_INT(F.m.out_len, 1);
    mqtls_status_t st = MQTLS_OK;
    for (int i = 0; i < 100 && st == MQTLS_OK; i++) {
        mock_clock_advance(MQTLS_CFG_SEND_WAIT_SLICE_MS);
        st = mqtls_step(&F.c);
    }
    CHECK_STATUS(st, MQTLS_ERR_TIMEOUT);
    CHECK(mock_clock_now() - F.c.tx_stall_ms >= MQTLS_CFG_SEND_TIMEOUT_MS);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_DISCONNECTED);
    pb_client_teardown(&F);
}

/* A protocol error while a packet is half-written: no DISCONNECT is spliced into it. */
TEST(no_disconnect_is_written_into_a_half_written_packet)
{
    REQUIRE_STATUS(connect_slow(MQTLS_V5, 0, 10), MQTLS_OK);
    L.free_bytes = F.m.sent_total + 1;
    pb_push_publish(&F.m, F.v, "t", "x", 1, 1, 7, false, NULL);
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_OK);
    pb_push_connack(&F.m, F.v, false, 0, NULL); /* a second CONNACK: protocol error */
    CHECK_STATUS(mqtls_step(&F.c), MQTLS_ERR_PROTOCOL);
    CHECK_EQ_INT(F.m.out_len, 1);
    pb_client_teardown(&F);
}

/* ------------------------------------------------------------------ Maximum Packet Size */

static mqtls_status_t connect_max_packet(uint32_t max)
{
    mqtls_props_t cp;
    memset(&cp, 0, sizeof cp);
    cp.present = PROP(MAXIMUM_PACKET_SIZE);
    cp.maximum_packet_size = max;
    pb_client_setup(&F, MQTLS_V5);
    pb_client_start(&F);
    return pb_client_connect(&F, false, &cp);
}

static const mqtls_user_prop_t big_user[] = {
    {{"a-rather-long-key", 17}, {"and-a-rather-long-value", 23}}};

/* SUBSCRIBE and UNSUBSCRIBE: User Properties are dropped to fit; a filter that cannot fit is
 * refused before sending [MQTT-3.2.2-15]. */
TEST(subscribe_and_unsubscribe_keep_to_the_maximum_packet_size)
{
    REQUIRE_STATUS(connect_max_packet(20), MQTLS_OK);
    mqtls_subscription_t sub = {mqtls_str("a/b"), 1};
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.user = big_user;
    p.user_count = 1;
    CHECK_STATUS(mqtls_subscribe(&F.c, &sub, 1, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "82 09 00 01 00 00 03 61 2f 62 01");
    mock_sent_clear(&F.m);
    mqtls_str_t f = mqtls_str("a/b");
    CHECK_STATUS(mqtls_unsubscribe(&F.c, &f, 1, &p, NULL), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "a2 08 00 02 00 00 03 61 2f 62");
    mock_sent_clear(&F.m);
    sub.filter = mqtls_str("a/very/long/topic/filter");
    CHECK_STATUS(mqtls_subscribe(&F.c, &sub, 1, NULL, NULL), MQTLS_ERR_SERVER_LIMIT);
    f = sub.filter;
    CHECK_STATUS(mqtls_unsubscribe(&F.c, &f, 1, NULL, NULL), MQTLS_ERR_SERVER_LIMIT);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    /* Within the limit, the properties stay. */
    pb_client_teardown(&F);
    REQUIRE_STATUS(connect_max_packet(100), MQTLS_OK);
    sub.filter = mqtls_str("a/b");
    CHECK_STATUS(mqtls_subscribe(&F.c, &sub, 1, &p, NULL), MQTLS_OK);
    CHECK_EQ_INT(F.m.out_len, 2 + 2 + 1 + 1 + 4 + 17 + 23 + 5 + 1);
    pb_client_teardown(&F);
}

/* DISCONNECT and AUTH: Reason String and User Properties are dropped to fit. */
TEST(disconnect_and_auth_drop_what_may_be_dropped_to_fit)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.present = PROP(REASON_STRING);
    p.reason_string = mqtls_str("a reason that is far too long for this broker");
    p.user = big_user;
    p.user_count = 1;
    REQUIRE_STATUS(connect_max_packet(16), MQTLS_OK);
    F.opts.connect.props.present = PROP(AUTH_METHOD); /* (AUTH is allowed once announced) */
    mqtls_props_t a = p;
    a.present |= PROP(AUTH_METHOD);
    a.auth_method = mqtls_str("m");
    CHECK_STATUS(mqtls_auth(&F.c, MQTLS_RC_REAUTHENTICATE, &a), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "f0 06 19 04 15 00 01 6d");
    mock_sent_clear(&F.m);
    CHECK_STATUS(mqtls_disconnect(&F.c, MQTLS_RC_DISCONNECT_WITH_WILL, &p), MQTLS_OK);
    PB_CHECK_SENT_HEX(&F.m, "e0 01 04");
    pb_client_teardown(&F);
}

/* An AUTH whose Authentication Data alone is too large is refused, nothing sent. */
TEST(a_packet_too_large_even_without_optional_properties_is_refused)
{
    static const uint8_t data[64] = {0};
    mqtls_props_t a;
    memset(&a, 0, sizeof a);
    a.present = PROP(AUTH_METHOD) | PROP(AUTH_DATA);
    a.auth_method = mqtls_str("m");
    a.auth_data = (mqtls_bin_t){data, sizeof data};
    REQUIRE_STATUS(connect_max_packet(32), MQTLS_OK);
    CHECK_STATUS(mqtls_auth(&F.c, MQTLS_RC_REAUTHENTICATE, &a), MQTLS_ERR_SERVER_LIMIT);
    CHECK_EQ_INT(F.m.out_len, 0);
    CHECK_EQ_INT(mqtls_state(&F.c), MQTLS_STATE_CONNECTED);
    pb_client_teardown(&F);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(a_large_message_over_a_slow_link_is_sent_while_bytes_leave);
    RUN(a_write_that_stops_moving_times_out_after_the_send_timeout_of_silence);
    RUN(an_interrupt_ends_a_blocked_write_within_a_slice);
    RUN(a_step_leaves_control_packets_for_later_instead_of_waiting);
    RUN(a_stalled_write_left_by_steps_still_times_out);
    RUN(no_disconnect_is_written_into_a_half_written_packet);
    RUN(subscribe_and_unsubscribe_keep_to_the_maximum_packet_size);
    RUN(disconnect_and_auth_drop_what_may_be_dropped_to_fit);
    RUN(a_packet_too_large_even_without_optional_properties_is_refused);
    return test_main_end();
}
