/**
 * @file fuzz_client.c
 * @brief libFuzzer target for the whole client: mqtls_client_t over the mock transport and
 *        the fake clock (tests/support/mock_transport.h), fed the input as the broker.
 *
 * Input layout: 7 configuration bytes, then operations until the input ends.
 *
 *   c0  bit 0 MQTT 5.0 (else 3.1.1), 1 tx_coalesce, 2 clean start, 3 the transport drops
 *       unread input on close, 4 the event callback publishes an echo of each message,
 *       5-7 receive buffer size (16 .. 4096)
 *   c1  bits 0-2 in-flight window, 3-5 incoming QoS 2 table, 6-7 topic alias slots (0,1,2,4)
 *   c2  bits 0-2 alias slot size (3 .. 255), 3-5 message store size (none .. 16 KiB),
 *       6-7 transmit buffer size (32 .. 4096)
 *   c3  bits 0-1 receive at most 0/1/3/7 bytes per call, 2 every other receive would block,
 *       3 every other send would block, 4-5 short sends (0/3/5/64 bytes), 6 keep alive 5 s,
 *       7 the first CONNACK has a session (persistent sessions only)
 *   c4  the 5.0 CONNACK properties: bits 0-2 Receive Maximum (absent, 1..7), 3-4 Topic
 *       Alias Maximum (absent, 1, 2, 64), 5 Maximum QoS 1, 6 Retain Available 0,
 *       7 Maximum Packet Size 64
 *   c5  transport failures: bits 0-3 sends fail after 40 * n bytes (0: never), 4-7 the
 *       stream ends after 40 * n bytes received (0: never)
 *   c6  bits 0-1 automatic reconnect (off; 100 ms .. 2 s; 1 .. 1 ms; 1 s .. 2^32 ms),
 *       2 the 5.0 CONNECT asks for a Session Expiry Interval of 3600 s; what the event
 *       callback does besides checking: 3 mqtls_connect() again on DISCONNECTED and
 *       CONNECT_FAILED, 4 mqtls_disconnect() on a message with an odd payload length,
 *       5 mqtls_subscribe() on CONNECTED
 *
 *   op % 18:
 *    0  broker bytes: 1 length byte (and one more if op & 0x10), that many input bytes
 *       queued as one chunk (one TCP segment), then mqtls_step()
 *    1  mqtls_step()                          2  the clock moves 0..25.5 s, step
 *    3  mqtls_publish() (QoS 0-3, retain, topic, alias, payload length from 2-3 bytes)
 *    4  mqtls_subscribe() (1-4 filters)      5  mqtls_unsubscribe()
 *    6  disconnect or abort, reconnect (clean start kept or flipped), a canned CONNACK or
 *       one from the broker bytes
 *    7  mqtls_auth()                          8  mqtls_flush()
 *    9  mqtls_disconnect()
 *   10  a well-formed broker packet made for the current state (an acknowledgement of an
 *       in-flight packet id, a PUBREL for a held QoS 2 id, a SUBACK, a PUBLISH, PINGRESP,
 *       DISCONNECT, a late CONNACK), queued, step
 *   11  the clock moves 0..65.5 s, step
 *   12-17  the blocking layer: mqtls_sync_publish(), _subscribe(), _unsubscribe(),
 *       _run(), _drain(), _connect() (after an abort), each with a timeout from the input;
 *       whenever it waits for input with nothing queued, the next input byte says how
 *       many of the following bytes the broker sends then (0: none, the wait times out)
 *
 * It must never crash, leak or read out of bounds (every buffer the client gets is a heap
 * block of exactly its size), and after every operation (and at every write and event):
 *  - in-flight count <= window, QoS 2 table count <= its size, rx/tx fill <= buffer sizes;
 *  - every in-flight record is valid (id not 0, unique, state fits the QoS, a message
 *    queued offline is marked for sending); a record waiting for PUBACK or PUBREC has its
 *    PUBLISH in the store (decoding to that id and QoS, without a topic alias), one
 *    waiting for PUBCOMP has none, and the store holds nothing else;
 *  - no record disappears without MQTLS_EV_PUBLISH_DONE or _DROPPED, none completes twice;
 *  - a QoS 2 message is delivered once until its PUBCOMP leaves or is decided (exactly
 *    once);
 *  - everything the client writes decodes as a packet a client may send, a QoS 1/2 PUBLISH
 *    is in flight when it leaves (without coalescing), and in 5.0 no PUBLISH (new, resent
 *    or queued offline) exceeds the broker's Maximum QoS, Maximum Packet Size, Retain
 *    Available or Topic Alias Maximum;
 *  - the transport is never used while closed, and it is open exactly while the client is
 *    past CONNECTING;
 *  - every event's pointers lie in the receive buffer or the alias slots, and its topic is a
 *    valid topic name;
 *  - no call spins: reading the clock 1,000,000 times within one operation is a busy loop;
 *  - mqtls_sync_drain() that succeeds leaves nothing in flight, mqtls_sync_connect() that
 *    succeeds leaves the client connected (unless the callback disconnected it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_transport.h"
#include "mqtls/client.h"
#include "mqtls/codec.h"
#include "mqtls/reason.h"
#include "session/session_internal.h" /* the record states OUT_* */

#define FAIL(...)                                                                            \
    do {                                                                                     \
        fprintf(stderr, "fuzz_client: " __VA_ARGS__);                                        \
        fputc('\n', stderr);                                                                 \
        abort();                                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* MQTLS_FUZZ_TRACE=1: each operation, event and written packet on stderr (for reading a
 * crash input). */
static bool trace;
#define TRACE(...)                                                                           \
    do {                                                                                     \
        if (trace)                                                                           \
            fprintf(stderr, __VA_ARGS__);                                                    \
    } while (0)

/* ---- input ---------------------------------------------------------------------------- */

typedef struct in {
    const uint8_t *p;
    size_t n;
} in_t;

static uint8_t u8(in_t *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

/* ---- the run's state -------------------------------------------------------------------- */

/* Sets of packet ids. */
static bool has(const uint64_t *set, uint16_t id)
{
    return (set[id / 64] >> (id % 64)) & 1u;
}

static void put_id(uint64_t *set, uint16_t id, bool on)
{
    if (on)
        set[id / 64] |= (uint64_t)1 << (id % 64);
    else
        set[id / 64] &= ~((uint64_t)1 << (id % 64));
}

/* A message store that keeps a shadow of what it holds (ids, sizes) over the RAM store. */
#define MAX_IDS 65536
typedef struct shadow {
    mqtls_ram_store_t ram;
    uint64_t held[MAX_IDS / 64];
    size_t held_n;
    size_t bytes; /* what the RAM store should have used */
} shadow_t;

typedef struct run {
    mqtls_client_t c;
    mqtls_client_cfg_t cfg;
    mqtls_connect_opts_t opts;
    mock_transport_t m;
    shadow_t store;
    bool have_store;
    bool echo;
    /* Model: outgoing QoS 1/2 ids handed to the client and not yet reported done/dropped. */
    uint64_t outstanding[MAX_IDS / 64];
    size_t n_outstanding;
    /* Model: incoming QoS 2 ids delivered whose PUBCOMP has not left yet. */
    uint64_t delivered_q2[MAX_IDS / 64];
    size_t parsed; /* bytes of mock output already checked */
    int in_publish; /* inside mqtls_publish() (ours or the callback's) */
    bool cb_reconnect, cb_stop, cb_subscribe; /* what the callback does (c6) */
    bool cb_ended;  /* the callback ended the connection (since the last connection) */
    in_t *in;       /* the input, for the broker's bytes during a blocking call */
    int in_sync;    /* inside a mqtls_sync_* call */
    bool sync_own_seen; /* the sync publish's own message ended inside the call */
    bool in_sync_publish;
    uint16_t last_sub_id;
    int depth;     /* callback nesting */
} run_t;


/* ---- the shadow store ------------------------------------------------------------------- */

static mqtls_status_t sh_put(void *ctx, uint16_t id, const mqtls_iov_t *iov, size_t n)
{
    shadow_t *s = ctx;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += iov[i].len;
    mqtls_status_t st = mqtls_ram_store.put(&s->ram, id, iov, n);
    if (st == MQTLS_OK) {
        if (has(s->held, id))
            FAIL("store: packet id %u stored twice", id);
        put_id(s->held, id, true);
        s->held_n++;
        s->bytes += 6 + len;
    }
    return st;
}

static mqtls_status_t sh_get(void *ctx, uint16_t id, const uint8_t **pkt, size_t *len)
{
    shadow_t *s = ctx;
    mqtls_status_t st = mqtls_ram_store.get(&s->ram, id, pkt, len);
    if ((st == MQTLS_OK) != has(s->held, id))
        FAIL("store: get(%u) says %s, shadow says %s", id, mqtls_strerror(st),
             has(s->held, id) ? "held" : "not held");
    return st;
}

static void sh_remove(void *ctx, uint16_t id)
{
    shadow_t *s = ctx;
    if (has(s->held, id)) {
        const uint8_t *p;
        size_t len;
        if (mqtls_ram_store.get(&s->ram, id, &p, &len) != MQTLS_OK)
            FAIL("store: %u held but not found", id);
        s->bytes -= 6 + len;
        put_id(s->held, id, false);
        s->held_n--;
    }
    mqtls_ram_store.remove(&s->ram, id);
}

static const mqtls_store_t shadow_ops = {.put = sh_put, .get = sh_get, .remove = sh_remove};

/* ---- checks ------------------------------------------------------------------------------ */

static bool in_range(const void *p, size_t n, const void *lo, size_t len)
{
    const uint8_t *x = p, *l = lo;
    return n == 0 || (x != NULL && l != NULL && x >= l && n <= len && x <= l + len - n);
}

static int find_inflight(const mqtls_client_t *c, uint16_t id)
{
    for (uint16_t i = 0; i < c->inflight_count; i++)
        if (c->cfg.inflight[i].packet_id == id)
            return i;
    return -1;
}

/* Everything the state must satisfy between calls. */
static void check_state(run_t *r)
{
    const mqtls_client_t *c = &r->c;
    if ((unsigned)c->state > MQTLS_STATE_CONNECTED)
        FAIL("state %d", (int)c->state);
    if (c->inflight_count > r->cfg.inflight_cap)
        FAIL("in-flight count %u above the window %u", c->inflight_count, r->cfg.inflight_cap);
    if (c->qos2_in_count > r->cfg.qos2_in_cap)
        FAIL("QoS 2 count %u above the table %u", c->qos2_in_count, r->cfg.qos2_in_cap);
    if (c->rx_len > r->cfg.rx_size || c->tx_len > r->cfg.tx_size)
        FAIL("rx %zu / tx %zu past the buffers (%zu / %zu)", c->rx_len, c->tx_len,
             r->cfg.rx_size, r->cfg.tx_size);
    if (r->m.misuse)
        FAIL("the transport was used while closed (%u calls)", r->m.misuse);
    if (c->state >= MQTLS_STATE_WAIT_CONNACK && !r->m.open)
        FAIL("state %d with the transport closed", (int)c->state);
    if (c->state == MQTLS_STATE_DISCONNECTED && r->m.open)
        FAIL("disconnected with the transport open");

    size_t stored = 0;
    for (uint16_t i = 0; i < c->inflight_count; i++) {
        const mqtls_inflight_t *rec = &c->cfg.inflight[i];
        uint8_t st = OUT_STATE(rec->state);
        if ((rec->state & 0x30u) || ((rec->state & OUT_NEVER_SENT) &&
                                     !(rec->state & OUT_RESEND_PENDING)))
            FAIL("record %u: state 0x%x", rec->packet_id, rec->state);
        if (rec->packet_id == 0)
            FAIL("in-flight record %u has packet id 0", i);
        for (uint16_t j = 0; j < i; j++)
            if (c->cfg.inflight[j].packet_id == rec->packet_id)
                FAIL("packet id %u in flight twice", rec->packet_id);
        if (!((rec->qos == 1 && st == OUT_WAIT_PUBACK) ||
              (rec->qos == 2 && (st == OUT_WAIT_PUBREC || st == OUT_WAIT_PUBCOMP))))
            FAIL("record %u: QoS %u in state 0x%x", rec->packet_id, rec->qos, rec->state);
        if (!r->have_store)
            FAIL("a QoS %u record without a store", rec->qos);
        bool want = st != OUT_WAIT_PUBCOMP;
        if (has(r->store.held, rec->packet_id) != want)
            FAIL("record %u (state 0x%x): the store %s it", rec->packet_id, rec->state,
                 want ? "lost" : "still holds");
        if (want) {
            const uint8_t *p;
            size_t len, used = 0;
            mqtls_packet_t pk;
            stored++;
            if (mqtls_ram_store.get(&r->store.ram, rec->packet_id, &p, &len) != MQTLS_OK)
                FAIL("record %u: not in the RAM store", rec->packet_id);
            mqtls_status_t ds = mqtls_decode(p, len, c->version, &pk, &used);
            if (ds != MQTLS_OK || used != len || pk.type != MQTLS_PUBLISH ||
                pk.u.publish.packet_id != rec->packet_id || pk.u.publish.qos != rec->qos)
                FAIL("record %u: the stored packet (%zu bytes) decodes as %s, type %d id %u",
                     rec->packet_id, len, mqtls_strerror(ds), (int)pk.type,
                     pk.u.publish.packet_id);
            if (pk.u.publish.props.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS))
                FAIL("record %u: the stored copy carries a topic alias", rec->packet_id);
        }
    }
    if (r->have_store) {
        if (r->store.held_n != stored)
            FAIL("the store holds %zu packets, %zu records need one", r->store.held_n, stored);
        if (r->store.ram.used != r->store.bytes || r->store.ram.used > r->store.ram.size)
            FAIL("the RAM store uses %zu bytes of %zu, the shadow says %zu", r->store.ram.used,
                 r->store.ram.size, r->store.bytes);
    }
    for (uint16_t i = 0; i < c->qos2_in_count; i++) {
        if (c->cfg.qos2_in[i] == 0)
            FAIL("QoS 2 id 0 held");
        for (uint16_t j = 0; j < i; j++)
            if (c->cfg.qos2_in[j] == c->cfg.qos2_in[i])
                FAIL("QoS 2 id %u held twice", c->cfg.qos2_in[i]);
    }
}

/* The model takes every record the client holds; none may have gone without an event. */
static void sync_outstanding(run_t *r)
{
    const mqtls_client_t *c = &r->c;
    for (uint16_t i = 0; i < c->inflight_count; i++) {
        uint16_t id = c->cfg.inflight[i].packet_id;
        if (!has(r->outstanding, id)) {
            put_id(r->outstanding, id, true);
            r->n_outstanding++;
        }
    }
}

/* Every id of the model is still in the window (before sync_outstanding() adds new ones). */
static void check_outstanding(run_t *r)
{
    const mqtls_client_t *c = &r->c;
    size_t k = 0;
    for (uint16_t i = 0; i < c->inflight_count; i++)
        k += has(r->outstanding, c->cfg.inflight[i].packet_id);
    if (k != r->n_outstanding)
        FAIL("%zu packet id(s) left the window without PUBLISH_DONE or PUBLISH_DROPPED",
             r->n_outstanding - k);
}

/* The fake clock, counting how often it is read: a call that reads it without end spins. */
static unsigned long clock_reads;
static const run_t *current; /* the run, for the clock */

static uint32_t counting_now(void *ctx)
{
    ++clock_reads;
    if (clock_reads > 1000000ul)
        FAIL("the clock was read 1000000 times in one operation: a busy loop");
    return mock_platform.now_ms(ctx);
}

static uint32_t fuzz_random(void *ctx)
{
    return mock_platform.random(ctx);
}

static void fuzz_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    mock_clock_advance(ms);
}

static const mqtls_platform_t fuzz_platform = {counting_now, fuzz_random, NULL, fuzz_sleep};

static void hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && i < 64; i++)
        fprintf(stderr, "%02x ", p[i]);
    fputc('\n', stderr);
}

/* One packet the client wrote. */
static void check_sent_packet(run_t *r, const uint8_t *p, size_t len)
{
    const mqtls_client_t *c = &r->c;
    mqtls_packet_t pk;
    size_t used = 0;
    mqtls_status_t st = mqtls_decode(p, len, c->version, &pk, &used);
    if (st != MQTLS_OK || used != len) {
        hex(p, len);
        FAIL("the client wrote a packet that does not decode: %s", mqtls_strerror(st));
    }
    TRACE("  sent type %d id %u (%zu bytes)\n", (int)pk.type,
          pk.type == MQTLS_PUBLISH ? pk.u.publish.packet_id : pk.u.ack.packet_id, len);
    switch (pk.type) {
    case MQTLS_CONNACK:
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
    case MQTLS_PINGRESP:
        FAIL("the client wrote a broker's packet (type %d)", (int)pk.type);
    case MQTLS_PUBCOMP:
        put_id(r->delivered_q2, pk.u.ack.packet_id, false);
        break;
    case MQTLS_PUBLISH: {
        const mqtls_publish_t *pub = &pk.u.publish;
        /* (Coalesced, a publish may leave after a hostile broker acknowledged it.) */
        if (pub->qos && !r->cfg.tx_coalesce && find_inflight(c, pub->packet_id) < 0)
            FAIL("PUBLISH id %u written, but not in flight", pub->packet_id);
        if (c->version == MQTLS_V5 && c->state == MQTLS_STATE_CONNECTED) {
            if (pub->qos > c->server_max_qos)
                FAIL("PUBLISH QoS %u above the broker's Maximum QoS %u%s", pub->qos,
                     c->server_max_qos, pub->dup ? " (a resend)" : "");
            if (len > c->server_max_packet)
                FAIL("PUBLISH of %zu bytes above the broker's Maximum Packet Size %u%s", len,
                     (unsigned)c->server_max_packet, pub->dup ? " (a resend)" : "");
            if (pub->retain && !c->server_retain)
                FAIL("retained PUBLISH, the broker has Retain Available 0%s",
                     pub->dup ? " (a resend)" : "");
            if ((pub->props.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)) &&
                (pub->props.topic_alias == 0 || pub->props.topic_alias > c->server_alias_max))
                FAIL("PUBLISH topic alias %u, the broker allows %u", pub->props.topic_alias,
                     c->server_alias_max);
        }
        break;
    }
    default:
        break;
    }
}

/* Checks the complete packets written since the last call. */
static void check_output(run_t *r)
{
    size_t n;
    const uint8_t *out = mock_sent(&r->m, &n);
    while (r->parsed < n) {
        uint8_t first;
        uint32_t rl;
        size_t hl;
        mqtls_status_t st = mqtls_decode_fixed_header(out + r->parsed, n - r->parsed, &first,
                                                      &rl, &hl);
        if (st == MQTLS_NEED_MORE || (st == MQTLS_OK && hl + rl > n - r->parsed))
            break;
        if (st != MQTLS_OK) {
            hex(out + r->parsed, n - r->parsed);
            FAIL("the client wrote a bad fixed header: %s", mqtls_strerror(st));
        }
        check_sent_packet(r, out + r->parsed, hl + rl);
        r->parsed += hl + rl;
    }
}

/* The transport's hook: writes are checked as they happen; a close drops a partial packet
 * (a best-effort DISCONNECT cut by a short send). */
static void on_mock(mock_transport_t *m, mock_hook_point_t at, void *user)
{
    run_t *r = user;
    (void)m;
    /* Records created inside a call (a blocking publish) join the model before anything
     * can complete them: completion needs a write (flush first) or a wait. */
    if (at == MOCK_AT_SEND || at == MOCK_AT_WAIT)
        sync_outstanding(r);
    if (at == MOCK_AT_SEND) {
        check_output(r);
    } else if (at == MOCK_AT_WAIT && r->in_sync && r->in->n) {
        /* A blocking call waits: the broker sends the next bytes (if any). */
        size_t len = u8(r->in);
        if (len > r->in->n)
            len = r->in->n;
        mock_push(&r->m, r->in->p, len);
        r->in->p += len;
        r->in->n -= len;
    } else if (at == MOCK_AT_CLOSE) {
        check_output(r);
        mock_sent_clear(&r->m);
        r->parsed = 0;
    }
}

/* A packet the network took only part of, the rest waiting in tx_buf for a later step
 * (client.h: steps do not wait): what left and what waits must make one whole packet. */
static bool rest_waits_in_tx_buf(const run_t *r, const uint8_t *part, size_t n)
{
    const mqtls_client_t *c = &r->c;
    if (!c->tx_blocked || c->tx_len == 0)
        return false;
    static uint8_t whole[1u << 16];
    if (n + c->tx_len > sizeof whole)
        return false;
    memcpy(whole, part, n);
    memcpy(whole + n, c->cfg.tx_buf, c->tx_len);
    uint8_t first;
    uint32_t rl;
    size_t hl;
    if (mqtls_decode_fixed_header(whole, n + c->tx_len, &first, &rl, &hl) != MQTLS_OK ||
        hl + rl > n + c->tx_len || hl + rl <= n)
        return false;
    mqtls_packet_t pk; /* checked whole by check_output() once it has left */
    return mqtls_decode(whole, hl + rl, c->version, &pk, NULL) == MQTLS_OK;
}

/* After an operation: nothing partial may be left on an open connection, but for a packet
 * whose rest waits in tx_buf (then the output is kept, to be checked on as it leaves). */
static void settle_output(run_t *r)
{
    size_t n;
    check_output(r);
    const uint8_t *out = mock_sent(&r->m, &n);
    if (r->parsed != n && r->m.open) {
        if (rest_waits_in_tx_buf(r, out + r->parsed, n - r->parsed))
            return;
        hex(out + r->parsed, n - r->parsed);
        FAIL("a partial packet (%zu bytes) was left on an open connection", n - r->parsed);
    }
    mock_sent_clear(&r->m);
    r->parsed = 0;
}

/* ---- events ------------------------------------------------------------------------------- */

static volatile uint32_t sink;

static void touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += b[i];
    sink += s;
}

static void check_props(const run_t *r, const mqtls_props_t *p)
{
    if (!p || !p->raw)
        return;
    if (!in_range(p->raw, p->raw_len, r->cfg.rx_buf, r->cfg.rx_size))
        FAIL("event properties outside the receive buffer");
    uint32_t pos = 0, id;
    mqtls_user_prop_t u;
    while (mqtls_props_next_user(p, &pos, &u)) {
        touch(u.key.data, u.key.len);
        touch(u.value.data, u.value.len);
    }
    pos = 0;
    while (mqtls_props_next_sub_id(p, &pos, &id))
        if (id == 0)
            FAIL("subscription identifier 0 delivered");
}

/* Does a PUBCOMP for @p id wait in tx_buf (coalesced, decided but not written yet)? */
static bool pubcomp_waiting(const run_t *r, uint16_t id)
{
    const uint8_t *p = r->cfg.tx_buf;
    size_t off = 0, n = r->c.tx_len;
    while (off < n) {
        mqtls_packet_t pk;
        size_t used = 0;
        if (mqtls_decode(p + off, n - off, r->c.version, &pk, &used) != MQTLS_OK)
            return false;
        if (pk.type == MQTLS_PUBCOMP && pk.u.ack.packet_id == id)
            return true;
        off += used;
    }
    return false;
}

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    run_t *r = user;
    if (c != &r->c)
        FAIL("event for another client");
    r->depth++;
    TRACE("  event %d: status %d id %u reason 0x%02x session %d qos %d\n", (int)ev->type,
          (int)ev->status, ev->packet_id, ev->reason, ev->session_present,
          ev->message ? ev->message->qos : -1);
    check_props(r, ev->props);
    switch (ev->type) {
    case MQTLS_EV_MESSAGE: {
        const mqtls_publish_t *m = ev->message;
        if (!m)
            FAIL("MESSAGE without a message");
        bool in_rx = in_range(m->topic.data, m->topic.len, r->cfg.rx_buf, r->cfg.rx_size);
        bool in_alias = r->cfg.alias_buf &&
                        in_range(m->topic.data, m->topic.len, r->cfg.alias_buf,
                                 (size_t)r->cfg.alias_slots * r->cfg.alias_slot_size);
        if (m->topic.len == 0 || (!in_rx && !in_alias) ||
            mqtls_topic_check(m->topic.data, m->topic.len) != MQTLS_OK)
            FAIL("MESSAGE topic of %u bytes: empty, misplaced or not a topic name", m->topic.len);
        if (!in_range(m->payload, m->payload_len, r->cfg.rx_buf, r->cfg.rx_size))
            FAIL("MESSAGE payload outside the receive buffer");
        touch(m->payload, m->payload_len);
        if (m->qos > 2)
            FAIL("MESSAGE QoS %u", m->qos);
        if (m->qos == 2) {
            if (has(r->delivered_q2, m->packet_id) && !pubcomp_waiting(r, m->packet_id))
                FAIL("QoS 2 message %u delivered twice (its PUBCOMP never left)", m->packet_id);
            put_id(r->delivered_q2, m->packet_id, true);
        }
        if (r->echo && r->depth == 1 && c->state == MQTLS_STATE_CONNECTED) {
            /* Echo the payload straight from the receive buffer. */
            mqtls_publish_t e;
            memset(&e, 0, sizeof e);
            e.topic = (mqtls_str_t){"echo", 4};
            e.payload = m->payload;
            e.payload_len = m->payload_len;
            e.qos = m->qos;
            uint16_t id = 0;
            r->in_publish++;
            mqtls_status_t st = mqtls_publish(c, &e, &id);
            r->in_publish--;
            if ((unsigned)st >= MQTLS_STATUS_COUNT)
                FAIL("publish from the callback: status %d", (int)st);
            if (c->state != MQTLS_STATE_CONNECTED)
                r->cb_ended = true;
            sync_outstanding(r);
        }
        if (r->cb_stop && r->depth == 1 && (m->payload_len & 1) &&
            c->state == MQTLS_STATE_CONNECTED) {
            mqtls_status_t st = mqtls_disconnect(c, 0, NULL);
            if ((unsigned)st >= MQTLS_STATUS_COUNT)
                FAIL("disconnect from the callback: status %d", (int)st);
            r->cb_ended = true;
        }
        break;
    }
    case MQTLS_EV_PUBLISH_DONE:
    case MQTLS_EV_PUBLISH_DROPPED:
        /* The message mqtls_sync_publish() itself published may complete, or be dropped
         * on a reconnect, inside the call, before the model has learnt its id: once. */
        if (!has(r->outstanding, ev->packet_id) && r->in_sync_publish && !r->sync_own_seen) {
            r->sync_own_seen = true;
            if (find_inflight(c, ev->packet_id) >= 0)
                FAIL("packet id %u reported done but still in flight", ev->packet_id);
            break;
        }
        if (!has(r->outstanding, ev->packet_id))
            FAIL("%s for packet id %u, which was not in flight",
                 ev->type == MQTLS_EV_PUBLISH_DONE ? "PUBLISH_DONE" : "PUBLISH_DROPPED",
                 ev->packet_id);
        put_id(r->outstanding, ev->packet_id, false);
        r->n_outstanding--;
        if (find_inflight(c, ev->packet_id) >= 0)
            FAIL("packet id %u reported done but still in flight", ev->packet_id);
        break;
    case MQTLS_EV_SUBACK:
    case MQTLS_EV_UNSUBACK:
        if (!in_range(ev->codes, ev->count, r->cfg.rx_buf, r->cfg.rx_size))
            FAIL("SUBACK codes outside the receive buffer");
        touch(ev->codes, ev->count);
        break;
    case MQTLS_EV_CONNECTED:
        if (c->state != MQTLS_STATE_CONNECTED)
            FAIL("CONNECTED in state %d", (int)c->state);
        if (!ev->session_present)
            memset(r->delivered_q2, 0, sizeof r->delivered_q2);
        if (r->cb_subscribe && r->depth == 1) {
            static const mqtls_subscription_t sub = {{"a/#", 3}, 2};
            uint16_t id = 0;
            mqtls_status_t st = mqtls_subscribe(c, &sub, 1, NULL, &id);
            if ((unsigned)st >= MQTLS_STATUS_COUNT)
                FAIL("subscribe from the callback: status %d", (int)st);
            if (st == MQTLS_OK)
                r->last_sub_id = id;
            if (c->state != MQTLS_STATE_CONNECTED)
                r->cb_ended = true;
        }
        break;
    case MQTLS_EV_CONNECT_FAILED:
    case MQTLS_EV_DISCONNECTED:
        if (c->state != MQTLS_STATE_DISCONNECTED)
            FAIL("%s in state %d", ev->type == MQTLS_EV_DISCONNECTED ? "DISCONNECTED"
                                                                      : "CONNECT_FAILED",
                 (int)c->state);
        if ((unsigned)ev->status >= MQTLS_STATUS_COUNT)
            FAIL("end status %d", (int)ev->status);
        if (r->cb_reconnect && r->depth == 1) {
            mqtls_status_t st = mqtls_connect(c, &r->opts);
            if (st != MQTLS_OK)
                FAIL("mqtls_connect from the callback: %s", mqtls_strerror(st));
        }
        break;
    case MQTLS_EV_AUTH:
        break;
    case MQTLS_EV_RECONNECT_WAIT:
        if (c->state != MQTLS_STATE_DISCONNECTED || !mqtls_reconnect_pending(c) ||
            !r->cfg.reconnect_max_ms)
            FAIL("RECONNECT_WAIT in state %d, pending %d", (int)c->state,
                 mqtls_reconnect_pending(c));
        if (ev->delay_ms > r->cfg.reconnect_max_ms)
            FAIL("reconnect delay %u above the maximum %u", (unsigned)ev->delay_ms,
                 (unsigned)r->cfg.reconnect_max_ms);
        break;
    default:
        FAIL("event type %d", (int)ev->type);
    }
    r->depth--;
}

/* ---- the broker's side ---------------------------------------------------------------------- */

static void step(run_t *r)
{
    mqtls_status_t st = mqtls_step(&r->c);
    if ((unsigned)st >= MQTLS_STATUS_COUNT || st == MQTLS_IN_PROGRESS || st == MQTLS_NEED_MORE)
        FAIL("mqtls_step returned %d", (int)st);
}

/* Encodes @p pk as the broker and queues it. */
static void push_packet(run_t *r, const mqtls_packet_t *pk)
{
    uint8_t buf[1024];
    size_t n = 0;
    if (mqtls_encode(pk, r->c.version, buf, sizeof buf, &n) == MQTLS_OK)
        mock_push(&r->m, buf, n);
}

/* A CONNACK with the properties of byte @p b. */
static void push_connack(run_t *r, bool session, uint8_t b)
{
    mqtls_packet_t pk;
    memset(&pk, 0, sizeof pk);
    pk.type = MQTLS_CONNACK;
    pk.u.connack.session_present = session;
    if (r->opts.connect.version == MQTLS_V5) {
        mqtls_props_t *p = &pk.u.connack.props;
        static const uint16_t alias_max[4] = {0, 1, 2, 64};
        if (b & 7) {
            p->present |= MQTLS_PROPBIT(MQTLS_PROP_RECEIVE_MAXIMUM);
            p->receive_maximum = b & 7;
        }
        if ((b >> 3) & 3) {
            p->present |= MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS_MAXIMUM);
            p->topic_alias_maximum = alias_max[(b >> 3) & 3];
        }
        if (b & 0x20) {
            p->present |= MQTLS_PROPBIT(MQTLS_PROP_MAXIMUM_QOS);
            p->maximum_qos = 1;
        }
        if (b & 0x40) {
            p->present |= MQTLS_PROPBIT(MQTLS_PROP_RETAIN_AVAILABLE);
            p->retain_available = 0;
        }
        if (b & 0x80) {
            p->present |= MQTLS_PROPBIT(MQTLS_PROP_MAXIMUM_PACKET_SIZE);
            p->maximum_packet_size = 64;
        }
    }
    push_packet(r, &pk);
}

static const char *const topics[8] = {
    "t", "a/b", "sensors/device-42/temperature", "$SYS/x", "a/+", "", "\xc3\xa9t\xc3\xa9",
    "bad\xff"};

static const char *const filters[8] = {
    "a/#", "+/b", "#", "$share/g/a", "a/#/b", "", "s/\xc3\xa9", "t"};

static uint8_t payload_src[4096];

/* Op 10: a well-formed packet for the current state. */
static void broker_packet(run_t *r, in_t *in)
{
    uint8_t b = u8(in), x = u8(in);
    const mqtls_client_t *c = &r->c;
    bool v5 = c->version == MQTLS_V5;
    mqtls_packet_t pk;
    memset(&pk, 0, sizeof pk);
    uint16_t inflight_id =
        c->inflight_count ? c->cfg.inflight[x % c->inflight_count].packet_id : (uint16_t)(x + 1);
    uint8_t codes[4] = {0x00, 0x01, 0x02, 0x80};
    switch (b % 10) {
    case 0:
    case 1:
    case 2: {
        static const mqtls_packet_type_t t[3] = {MQTLS_PUBACK, MQTLS_PUBREC, MQTLS_PUBCOMP};
        pk.type = t[b % 10];
        pk.u.ack.packet_id = inflight_id;
        if (v5 && (b & 0x80)) /* a refusal, "no matching subscribers", "id not found" */
            pk.u.ack.reason = pk.type == MQTLS_PUBCOMP ? MQTLS_RC_PACKET_ID_NOT_FOUND
                              : (x & 1)                ? MQTLS_RC_UNSPECIFIED_ERROR
                                                       : MQTLS_RC_NO_MATCHING_SUBSCRIBERS;
        break;
    }
    case 3:
        pk.type = MQTLS_PUBREL;
        pk.u.ack.packet_id = c->qos2_in_count ? c->cfg.qos2_in[x % c->qos2_in_count]
                                              : (uint16_t)(x + 1);
        break;
    case 4:
        pk.type = (b & 0x10) ? MQTLS_UNSUBACK : MQTLS_SUBACK;
        pk.u.suback.packet_id = r->last_sub_id ? r->last_sub_id : 1;
        pk.u.suback.codes = codes;
        pk.u.suback.count = (uint16_t)(1 + (x & 3));
        if (pk.type == MQTLS_UNSUBACK)
            codes[1] = 0x11, codes[2] = 0x00;
        break;
    case 5:
    case 6: {
        mqtls_publish_t *p = &pk.u.publish;
        pk.type = MQTLS_PUBLISH;
        p->qos = (uint8_t)((b >> 4) % 3);
        p->packet_id = p->qos ? (uint16_t)(1 + (x & 7)) : 0;
        p->retain = (x & 0x08) != 0;
        p->dup = p->qos && (x & 0x10);
        p->topic = mqtls_str(topics[(x >> 5) % 4]);
        p->payload = payload_src;
        p->payload_len = (uint32_t)u8(in);
        if (v5 && (b & 0x80)) {
            p->props.present |= MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS);
            p->props.topic_alias = (uint16_t)(1 + (x & 3));
            if (x & 0x04)
                p->topic = (mqtls_str_t){"", 0};
        }
        if (v5 && (x & 0x40)) {
            p->props.present |= MQTLS_PROPBIT(MQTLS_PROP_SUBSCRIPTION_ID);
            p->props.subscription_id = 1u + x;
        }
        break;
    }
    case 7:
        pk.type = MQTLS_PINGRESP;
        break;
    case 8:
        pk.type = v5 && (x & 1) ? MQTLS_AUTH : MQTLS_DISCONNECT;
        pk.u.ack.reason = v5 ? (pk.type == MQTLS_AUTH ? 0x18 : 0x8B) : 0;
        if (!v5)
            pk.type = MQTLS_PINGRESP; /* a 3.1.1 broker never sends DISCONNECT */
        break;
    default:
        push_connack(r, (x & 1) != 0, u8(in));
        step(r);
        return;
    }
    push_packet(r, &pk);
    step(r);
}

/* ---- the client's side -------------------------------------------------------------------- */

static void op_publish(run_t *r, in_t *in)
{
    uint8_t b = u8(in), x = u8(in), l = u8(in);
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.qos = b & 3; /* QoS 3 must be refused */
    p.retain = (b & 4) != 0;
    p.topic = mqtls_str(topics[(b >> 5) & 7]);
    p.payload = payload_src;
    p.payload_len = (uint32_t)l * ((x & 0x80) ? 16u : 1u);
    if (b & 8) {
        p.props.present |= MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS);
        p.props.topic_alias = (uint16_t)(x % 66);
    }
    if (b & 16)
        p.topic = (mqtls_str_t){"", 0};
    if (x & 0x40) {
        static const mqtls_user_prop_t up = {{"k", 1}, {"v", 1}};
        p.props.user = &up;
        p.props.user_count = 1;
    }
    uint16_t before = r->c.inflight_count, id = 0;
    r->in_publish++;
    mqtls_status_t st = mqtls_publish(&r->c, &p, &id);
    r->in_publish--;
    if ((unsigned)st >= MQTLS_STATUS_COUNT)
        FAIL("mqtls_publish returned %d", (int)st);
    if (st == MQTLS_OK && p.qos && p.qos < 3 && (id == 0 || find_inflight(&r->c, id) < 0))
        FAIL("QoS %u publish accepted (id %u) but not in flight", p.qos, id);
    if (st == MQTLS_OK && p.qos == 0 && r->c.inflight_count > before)
        FAIL("a QoS 0 publish took an in-flight slot");
    if (st == MQTLS_OK && p.qos == 3)
        FAIL("QoS 3 publish accepted");
    sync_outstanding(r);
}

static void op_subscribe(run_t *r, in_t *in, bool unsub)
{
    uint8_t b = u8(in), x = u8(in);
    mqtls_subscription_t subs[4];
    mqtls_str_t fs[4];
    uint16_t n = (uint16_t)(1 + (b & 3));
    for (uint16_t i = 0; i < n; i++) {
        fs[i] = mqtls_str(filters[(b >> (2 + i)) & 7]);
        subs[i].filter = fs[i];
        subs[i].options = (uint8_t)(i == 0 ? x : (x & 3));
    }
    mqtls_props_t props;
    memset(&props, 0, sizeof props);
    if (b & 0x80) {
        props.present |= MQTLS_PROPBIT(MQTLS_PROP_SUBSCRIPTION_ID);
        props.subscription_id = 1u + x;
    }
    uint16_t id = 0;
    mqtls_status_t st = unsub ? mqtls_unsubscribe(&r->c, fs, n, &props, &id)
                              : mqtls_subscribe(&r->c, subs, n, &props, &id);
    if ((unsigned)st >= MQTLS_STATUS_COUNT)
        FAIL("subscribe returned %d", (int)st);
    if (st == MQTLS_OK)
        r->last_sub_id = id;
}

static void op_reconnect(run_t *r, in_t *in)
{
    uint8_t b = u8(in);
    if (r->c.state != MQTLS_STATE_DISCONNECTED) {
        if (b & 1)
            (void)mqtls_disconnect(&r->c, (b & 0x10) ? MQTLS_RC_DISCONNECT_WITH_WILL : 0, NULL);
        else
            mqtls_abort(&r->c);
    }
    if (b & 8)
        r->opts.connect.clean_start = !r->opts.connect.clean_start;
    mqtls_status_t st = mqtls_connect(&r->c, &r->opts);
    /* (The callback may have connected again when the abort reported the end.) */
    if (st != MQTLS_OK && !(st == MQTLS_ERR_STATE && r->cb_reconnect))
        FAIL("reconnect: mqtls_connect gave %s", mqtls_strerror(st));
    step(r);
    if (b & 2) {
        push_connack(r, (b & 4) && !r->opts.connect.clean_start, u8(in));
        step(r);
    }
}

/* Ops 12-17: the blocking layer. */
static void op_sync(run_t *r, in_t *in, int which)
{
    uint8_t b = u8(in), x = u8(in);
    uint32_t timeout = (uint32_t)u8(in) * 200u;
    mqtls_status_t st = MQTLS_OK;
    r->in_sync++;
    switch (which) {
    case 0: {
        mqtls_publish_t p;
        memset(&p, 0, sizeof p);
        p.qos = b & 3;
        p.retain = (b & 4) != 0;
        p.topic = mqtls_str(topics[(b >> 5) & 7]);
        p.payload = payload_src;
        p.payload_len = x;
        /* (Not counted as in_publish: queued messages may leave while it waits.) */
        r->in_sync_publish = true;
        r->sync_own_seen = false;
        st = mqtls_sync_publish(&r->c, &p, timeout);
        r->in_sync_publish = false;
        sync_outstanding(r);
        break;
    }
    case 1:
    case 2: {
        mqtls_subscription_t subs[2] = {{mqtls_str(filters[b & 7]), (uint8_t)(x & 0x3F)},
                                        {mqtls_str(filters[(b >> 3) & 7]), 1}};
        mqtls_str_t fs[2] = {subs[0].filter, subs[1].filter};
        uint8_t codes[2];
        uint16_t n = (uint16_t)(1 + (b >> 7));
        st = which == 1 ? mqtls_sync_subscribe(&r->c, subs, n, NULL, codes, timeout)
                        : mqtls_sync_unsubscribe(&r->c, fs, n, NULL, timeout);
        break;
    }
    case 3: st = mqtls_sync_run(&r->c, timeout); break;
    case 4:
        st = mqtls_sync_drain(&r->c, timeout);
        if (st == MQTLS_OK && r->c.inflight_count)
            FAIL("mqtls_sync_drain succeeded with %u in flight", r->c.inflight_count);
        break;
    default: {
        uint8_t reason = 0;
        mqtls_abort(&r->c);
        st = mqtls_sync_connect(&r->c, &r->opts, &reason);
        /* (Connected, it may have been ended since by the callback's mqtls_disconnect().) */
        if (st == MQTLS_OK && r->c.state != MQTLS_STATE_CONNECTED && !r->cb_ended)
            FAIL("mqtls_sync_connect succeeded in state %d", (int)r->c.state);
        break;
    }
    }
    r->in_sync--;
    if ((unsigned)st >= MQTLS_STATUS_COUNT || st == MQTLS_IN_PROGRESS || st == MQTLS_NEED_MORE)
        FAIL("blocking call %d returned %d", which, (int)st);
    sync_outstanding(r);
}

/* ---- one run ------------------------------------------------------------------------------- */

static void *xmalloc(size_t n)
{
    void *p = n ? malloc(n) : NULL;
    if (n && !p)
        abort();
    return p;
}

/* The end of a run, one of two ways (chosen by the run's last packet id): the session is
 * discarded (the store must be empty then, every message reported), or the client is freed
 * (which must leave the store as it was: a durable store's messages are the next run's).
 * Then every buffer is freed. */
static void finish(run_t *r, uint8_t *store_buf)
{
    mqtls_client_cfg_t *g = &r->cfg;
    size_t held = r->store.held_n;
    if (r->c.next_packet_id & 1u) {
        r->cb_reconnect = false;
        mqtls_abort(&r->c);
        mqtls_status_t st = mqtls_client_discard(&r->c);
        if (st != MQTLS_OK)
            FAIL("mqtls_client_discard: %s", mqtls_strerror(st));
        if (r->have_store && (r->store.held_n || r->store.ram.used))
            FAIL("mqtls_client_discard left %zu packets in the store", r->store.held_n);
        if (mqtls_inflight(&r->c))
            FAIL("mqtls_client_discard left %u in flight", (unsigned)mqtls_inflight(&r->c));
        held = 0;
    }
    mqtls_client_free(&r->c);
    if (r->have_store && r->store.held_n != held)
        FAIL("mqtls_client_free changed the store: %zu packets, %zu before", r->store.held_n,
             held);
    mock_free(&r->m);
    free(store_buf);
    free(g->alias_buf);
    free(g->qos2_in);
    free(g->inflight);
    free(g->tx_buf);
    free(g->rx_buf);
    free(r);
    current = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t rx_sizes[8] = {16, 32, 64, 128, 256, 512, 1024, 4096};
    static const size_t tx_sizes[4] = {32, 64, 256, 4096};
    static const size_t store_sizes[8] = {0, 16, 64, 128, 256, 1024, 4096, 16384};
    static const uint16_t slot_sizes[8] = {3, 4, 6, 8, 16, 32, 64, 255};
    static const uint16_t alias_n[4] = {0, 1, 2, 4};
    static const size_t recv_max[4] = {0, 1, 3, 7};
    static const size_t send_max[4] = {0, 3, 5, 64};

    if (size < 7 || size > 65536)
        return 0;
    clock_reads = 0;
    static int env = -1;
    if (env < 0) {
        env = 1;
        const char *k = getenv("MQTLS_FUZZ_TRACE");
        trace = k && *k && strcmp(k, "0") != 0;
    }
    if (!payload_src[1])
        for (size_t i = 0; i < sizeof payload_src; i++)
            payload_src[i] = (uint8_t)(i * 31 + 7);
    in_t in = {data, size};
    uint8_t c0 = u8(&in), c1 = u8(&in), c2 = u8(&in), c3 = u8(&in), c4 = u8(&in), c5 = u8(&in),
            c6 = u8(&in);

    run_t *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    mock_init(&r->m);
    mock_clock_set(1000);
    mock_clock_seed(1);
    r->m.recv_max = recv_max[c3 & 3];
    r->m.delay_recv = (c3 & 4) != 0;
    r->m.delay_send = (c3 & 8) != 0;
    r->m.send_max = send_max[(c3 >> 4) & 3];
    r->m.discard_on_close = (c0 & 8) != 0;
    if (c5 & 15)
        r->m.fail_send_at = 40 * (long long)(c5 & 15);
    if (c5 >> 4)
        mock_eof_after(&r->m, 40 * (long long)(c5 >> 4));
    mock_set_hook(&r->m, on_mock, r);
    r->in = &in;
    current = r;
    r->echo = (c0 & 16) != 0;
    r->cb_reconnect = (c6 & 8) != 0;
    r->cb_stop = (c6 & 16) != 0;
    r->cb_subscribe = (c6 & 32) != 0;

    mqtls_client_cfg_t *g = &r->cfg;
    g->transport = &mock_transport_ops;
    g->transport_ctx = &r->m;
    g->platform = &fuzz_platform;
    g->rx_size = rx_sizes[c0 >> 5];
    g->rx_buf = xmalloc(g->rx_size);
    g->tx_size = tx_sizes[c2 >> 6];
    g->tx_buf = xmalloc(g->tx_size);
    g->inflight_cap = c1 & 7;
    g->inflight = xmalloc(g->inflight_cap * sizeof *g->inflight);
    g->qos2_in_cap = (c1 >> 3) & 7;
    g->qos2_in = xmalloc(g->qos2_in_cap * sizeof *g->qos2_in);
    g->alias_slots = alias_n[c1 >> 6];
    g->alias_slot_size = slot_sizes[c2 & 7];
    g->alias_buf = xmalloc((size_t)g->alias_slots * g->alias_slot_size);
    size_t store_size = store_sizes[(c2 >> 3) & 7];
    uint8_t *store_buf = xmalloc(store_size);
    if (store_size) {
        mqtls_ram_store_init(&r->store.ram, store_buf, store_size);
        g->store = &shadow_ops;
        g->store_ctx = &r->store;
        r->have_store = true;
    }
    g->tx_coalesce = (c0 & 2) != 0;
    static const uint32_t rc_min[4] = {0, 100, 1, 1000}, rc_max[4] = {0, 2000, 1, UINT32_MAX};
    g->reconnect_min_ms = rc_min[c6 & 3];
    g->reconnect_max_ms = rc_max[c6 & 3];
    g->reconnect_stable_ms = (c6 & 3) == 2 ? 0 : 10000;
    g->on_event = on_event;
    g->user = r;
    mqtls_client_init(&r->c, g);

    r->opts.host = "broker";
    r->opts.port = 1883;
    r->opts.connect.version = (c0 & 1) ? MQTLS_V5 : MQTLS_V311;
    r->opts.connect.clean_start = (c0 & 4) != 0;
    r->opts.connect.keep_alive = (c3 & 0x40) ? 5 : 0;
    r->opts.connect.client_id = (mqtls_str_t){"fuzz", 4};
    if ((c0 & 1) && (c6 & 4)) {
        r->opts.connect.props.present |= MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY);
        r->opts.connect.props.session_expiry = 3600;
    }

    /* Connected first: CONNECT out, the canned CONNACK in. */
    mqtls_status_t st = mqtls_connect(&r->c, &r->opts);
    if (st == MQTLS_ERR_NO_SPACE) { /* the CONNECT does not fit this tx_buf: nothing to run */
        finish(r, store_buf);
        return 0;
    }
    if (st != MQTLS_OK)
        FAIL("mqtls_connect: %s", mqtls_strerror(st));
    for (int i = 0; i < 4 && r->c.state == MQTLS_STATE_CONNECTING; i++)
        step(r);
    push_connack(r, (c3 & 0x80) && !r->opts.connect.clean_start, c4);
    for (int i = 0; i < 256 && r->c.state == MQTLS_STATE_WAIT_CONNACK; i++)
        step(r);
    settle_output(r);
    check_state(r);

    while (in.n) {
        uint8_t op = u8(&in);
        /* What the callback left behind lasts until a new connection starts (a coalesced
         * acknowledgement stays in tx_buf, and mqtls_flush() writes it). */
        if (r->c.state != MQTLS_STATE_DISCONNECTED)
            r->cb_ended = false;
        clock_reads = 0;
        TRACE("op %u (byte 0x%02x) at %u ms, state %d, %u in flight, %zu input bytes left, "
              "QoS 2 ids held:",
              op % 18, op, (unsigned)mock_clock_now(), (int)r->c.state, r->c.inflight_count,
              in.n);
        for (uint16_t i = 0; i < r->c.qos2_in_count; i++)
            TRACE(" %u", r->cfg.qos2_in[i]);
        TRACE("\n");
        switch (op % 18) {
        case 0: {
            size_t len = u8(&in);
            if (op & 0x10)
                len |= (size_t)u8(&in) << 8;
            if (len > in.n)
                len = in.n;
            mock_push(&r->m, in.p, len);
            in.p += len;
            in.n -= len;
            step(r);
            break;
        }
        case 1: step(r); break;
        case 2:
            mock_clock_advance((uint32_t)u8(&in) * 100u);
            step(r);
            break;
        case 3: op_publish(r, &in); break;
        case 4: op_subscribe(r, &in, false); break;
        case 5: op_subscribe(r, &in, true); break;
        case 6: op_reconnect(r, &in); break;
        case 7: {
            uint8_t b = u8(&in);
            mqtls_status_t a = mqtls_auth(&r->c, (b & 1) ? 0x19 : 0x18, NULL);
            if ((unsigned)a >= MQTLS_STATUS_COUNT)
                FAIL("mqtls_auth returned %d", (int)a);
            break;
        }
        case 8: (void)mqtls_flush(&r->c); break;
        case 9: (void)mqtls_disconnect(&r->c, (op & 0x80) ? 0x04 : 0x00, NULL); break;
        case 10: broker_packet(r, &in); break;
        case 12:
        case 13:
        case 14:
        case 15:
        case 16:
        case 17: op_sync(r, &in, op % 18 - 12); break;
        default: {
            uint32_t ms = u8(&in);
            ms |= (uint32_t)u8(&in) << 8;
            mock_clock_advance(ms);
            step(r);
            break;
        }
        }
        uint32_t t = mqtls_next_timeout_ms(&r->c);
        if (r->c.state == MQTLS_STATE_DISCONNECTED && !mqtls_reconnect_pending(&r->c) &&
            t != UINT32_MAX)
            FAIL("disconnected, no reconnect pending, yet a timeout of %u ms", (unsigned)t);
        if (mqtls_reconnect_pending(&r->c) && t > r->cfg.reconnect_max_ms)
            FAIL("a reconnect in %u ms, above the maximum delay", (unsigned)t);
        settle_output(r);
        check_state(r);
        check_outstanding(r);
        sync_outstanding(r);
    }

    finish(r, store_buf);
    return 0;
}
