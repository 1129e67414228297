/**
 * @file mock_transport.c
 * @brief The scripted transport and fake clock of mock_transport.h.
 */
#include "mock_transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int32_t neg(mqtls_status_t s)
{
    return -(int32_t)s;
}

/* Tests cannot go on without memory; stopping loudly beats a confusing later failure. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap != 0 ? *cap : 256;
    void *q;
    if (need <= *cap) {
        return p;
    }
    while (n < need) {
        n *= 2;
    }
    q = realloc(p, n * elem);
    if (q == NULL) {
        fprintf(stderr, "mock_transport: out of memory\n");
        abort();
    }
    *cap = n;
    return q;
}

void mock_init(mock_transport_t *m)
{
    memset(m, 0, sizeof *m);
    m->corrupt_at = -1;
    m->corrupt_xor = 0xFF;
    m->fail_recv_at = -1;
    m->fail_recv_status = MQTLS_ERR_CLOSED;
    m->fail_send_at = -1;
    m->fail_send_status = MQTLS_ERR_IO;
    m->connect_status = MQTLS_OK;
}

void mock_free(mock_transport_t *m)
{
    free(m->in);
    free(m->chunk_end);
    free(m->out);
    mock_init(m);
}

static void hook(mock_transport_t *m, mock_hook_point_t at)
{
    if (m->hook != NULL) {
        m->hook(m, at, m->hook_user);
    }
}

/* Once everything queued was read, the buffer starts over instead of growing forever. */
static void compact(mock_transport_t *m)
{
    if (m->in_pos == m->in_len) {
        m->in_pos = 0;
        m->in_len = 0;
        m->chunks = 0;
        m->chunk_pos = 0;
    }
}

void mock_push(mock_transport_t *m, const void *data, size_t len)
{
    if (len == 0) {
        return;
    }
    compact(m);
    m->in = grow(m->in, &m->in_cap, m->in_len + len, 1);
    memcpy(m->in + m->in_len, data, len);
    m->in_len += len;
    m->chunk_end = grow(m->chunk_end, &m->chunk_cap, m->chunks + 1, sizeof(size_t));
    m->chunk_end[m->chunks++] = m->in_len;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

void mock_push_hex(mock_transport_t *m, const char *hex)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *bytes = malloc(cap);
    size_t n = 0;
    int hi = -1;

    if (bytes == NULL) {
        abort();
    }
    for (const char *p = hex; *p != '\0'; p++) {
        int d = hex_digit(*p);
        if (d < 0) {
            continue; /* separators: spaces, newlines, ':' */
        }
        if (hi < 0) {
            hi = d;
        } else {
            bytes[n++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    if (hi >= 0) {
        fprintf(stderr, "mock_push_hex: odd number of hex digits in \"%s\"\n", hex);
        abort();
    }
    mock_push(m, bytes, n);
    free(bytes);
}

size_t mock_pending(const mock_transport_t *m)
{
    return m->in_len - m->in_pos;
}

void mock_clear_input(mock_transport_t *m)
{
    m->in_pos = m->in_len;
    m->chunk_pos = m->chunks;
    compact(m);
}

const uint8_t *mock_sent(const mock_transport_t *m, size_t *len)
{
    static const uint8_t nothing[1];
    if (len != NULL) {
        *len = m->out_len;
    }
    return m->out != NULL ? m->out : nothing;
}

void mock_sent_clear(mock_transport_t *m)
{
    m->out_len = 0;
}

bool mock_iov_overlaps(const mock_transport_t *m, const void *base, size_t len)
{
    size_t n = m->iov_logged < MOCK_IOV_LOG ? m->iov_logged : MOCK_IOV_LOG;
    uintptr_t lo = (uintptr_t)base;

    /* Compared as integers: the pieces and @p base may be unrelated objects. */
    for (size_t i = 0; i < n; i++) {
        uintptr_t b = (uintptr_t)m->iov_log[i].base;
        if (b != 0 && b < lo + len && lo < b + m->iov_log[i].len) {
            return true;
        }
    }
    return false;
}

void mock_iov_log_clear(mock_transport_t *m)
{
    m->iov_logged = 0;
}

/* Remembers the pieces of a send that accepted bytes. */
static void log_iov(mock_transport_t *m, const mqtls_iov_t *iov, size_t iovcnt)
{
    for (size_t i = 0; i < iovcnt; i++) {
        if (iov[i].len > 0) {
            m->iov_log[m->iov_logged++ % MOCK_IOV_LOG] = iov[i];
        }
    }
}

void mock_delay(mock_transport_t *m, bool on)
{
    m->delay_recv = on;
    m->delay_send = on;
}

void mock_corrupt(mock_transport_t *m, long long offset)
{
    m->corrupt_at = offset;
    m->corrupt_xor = 0xFF;
}

void mock_eof_after(mock_transport_t *m, long long k)
{
    m->fail_recv_at = k;
    m->fail_recv_status = MQTLS_ERR_CLOSED;
}

void mock_script_connect(mock_transport_t *m, unsigned pending, mqtls_status_t result)
{
    m->connect_pending = pending;
    m->connect_status = result;
    m->connect_pending_left = 0; /* the next connect call starts the script */
}

void mock_set_hook(mock_transport_t *m, mock_hook_fn fn, void *user)
{
    m->hook = fn;
    m->hook_user = user;
}

/* ---- the transport operations ---- */

static mqtls_status_t mock_connect(void *ctx, const char *host, uint16_t port)
{
    mock_transport_t *m = ctx;
    mqtls_status_t s;

    m->connect_calls++;
    snprintf(m->host, sizeof m->host, "%s", host != NULL ? host : "");
    m->port = port;
    /* A fresh connect attempt (not a repeat of a pending one) replays the whole script. */
    if (m->connect_pending_left == 0 && !m->open) {
        m->connect_pending_left = m->connect_pending + 1;
    }
    if (m->connect_pending_left > 1) {
        m->connect_pending_left--;
        s = MQTLS_IN_PROGRESS;
    } else {
        m->connect_pending_left = 0;
        s = m->connect_status;
        m->open = (s == MQTLS_OK);
    }
    hook(m, MOCK_AT_CONNECT);
    return s;
}

/* Every other call of a delayed direction would block. */
static bool delayed(bool on, unsigned *toggle)
{
    if (!on) {
        return false;
    }
    return ((*toggle)++ & 1u) == 0;
}

/* How many of @p want bytes send may accept now (short writes, the scripted failure). */
static size_t send_room(const mock_transport_t *m, size_t want)
{
    if (m->send_max > 0 && want > m->send_max) {
        want = m->send_max;
    }
    if (m->fail_send_at >= 0 && m->sent_total + (long long)want > m->fail_send_at) {
        want = (size_t)(m->fail_send_at - m->sent_total);
    }
    return want;
}

/* Appends up to @p room bytes of the gathered pieces to the record. */
static size_t record(mock_transport_t *m, const mqtls_iov_t *iov, size_t iovcnt, size_t room)
{
    size_t done = 0;
    for (size_t i = 0; i < iovcnt && done < room; i++) {
        size_t n = iov[i].len < room - done ? iov[i].len : room - done;
        if (n == 0) {
            continue;
        }
        m->out = grow(m->out, &m->out_cap, m->out_len + n, 1);
        memcpy(m->out + m->out_len, iov[i].base, n);
        m->out_len += n;
        done += n;
    }
    return done;
}

static int32_t mock_send(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    mock_transport_t *m = ctx;
    size_t want = 0;
    size_t done;

    m->send_calls++;
    if (!m->open) {
        m->misuse++;
        return neg(MQTLS_ERR_STATE);
    }
    if (m->fail_send_at >= 0 && m->sent_total >= m->fail_send_at) {
        return neg(m->fail_send_status);
    }
    if (delayed(m->delay_send, &m->toggle_send)) {
        return 0;
    }
    for (size_t i = 0; i < iovcnt; i++) {
        want += iov[i].len;
    }
    if (want > (size_t)INT32_MAX) {
        want = (size_t)INT32_MAX;
    }
    done = record(m, iov, iovcnt, send_room(m, want));
    m->sent_total += (long long)done;
    if (done > 0) {
        m->writes++;
        log_iov(m, iov, iovcnt);
        hook(m, MOCK_AT_SEND);
    }
    return (int32_t)done;
}

/* Bytes recv may hand out now: the current chunk, the size cap, the scripted failure. */
static size_t recv_room(mock_transport_t *m, size_t len)
{
    size_t n;

    while (m->chunk_pos < m->chunks && m->chunk_end[m->chunk_pos] <= m->in_pos) {
        m->chunk_pos++;
    }
    n = m->chunk_pos < m->chunks ? m->chunk_end[m->chunk_pos] - m->in_pos : 0;
    if (n > len) {
        n = len;
    }
    if (m->recv_max > 0 && n > m->recv_max) {
        n = m->recv_max;
    }
    if (m->fail_recv_at >= 0 && m->received + (long long)n > m->fail_recv_at) {
        n = (size_t)(m->fail_recv_at - m->received);
    }
    if (n > (size_t)INT32_MAX) {
        n = (size_t)INT32_MAX;
    }
    return n;
}

/* Copies @p n queued bytes out, flipping the corrupt byte if it is among them. */
static void deliver(mock_transport_t *m, uint8_t *buf, size_t n)
{
    memcpy(buf, m->in + m->in_pos, n);
    if (m->corrupt_at >= m->received && m->corrupt_at < m->received + (long long)n) {
        buf[m->corrupt_at - m->received] ^= m->corrupt_xor;
    }
    m->in_pos += n;
    m->received += (long long)n;
}

static bool recv_fails_now(const mock_transport_t *m)
{
    return (m->fail_recv_at >= 0 && m->received >= m->fail_recv_at) ||
           (m->eof_when_empty && mock_pending(m) == 0);
}

static int32_t mock_recv(void *ctx, uint8_t *buf, size_t len)
{
    mock_transport_t *m = ctx;
    size_t n;

    m->recv_calls++;
    if (!m->open) {
        m->misuse++;
        return neg(MQTLS_ERR_STATE);
    }
    if (recv_fails_now(m)) {
        return neg(m->fail_recv_at >= 0 && m->received >= m->fail_recv_at ? m->fail_recv_status
                                                                          : MQTLS_ERR_CLOSED);
    }
    if (len == 0 || delayed(m->delay_recv, &m->toggle_recv)) {
        return 0;
    }
    if (mock_pending(m) == 0) {
        hook(m, MOCK_AT_RECV);
    }
    n = recv_room(m, len);
    if (n > 0) {
        deliver(m, buf, n);
        compact(m);
    }
    return (int32_t)n;
}

static mqtls_status_t mock_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    mock_transport_t *m = ctx;

    m->wait_calls++;
    /* Writes never block for long here, and a pending connect is driven by calling it. */
    if (for_write || m->connect_pending_left > 0) {
        return MQTLS_OK;
    }
    if (mock_pending(m) > 0 || recv_fails_now(m)) {
        return MQTLS_OK;
    }
    hook(m, MOCK_AT_WAIT);
    if (mock_pending(m) > 0 || recv_fails_now(m)) {
        return MQTLS_OK;
    }
    /* Nothing will ever arrive by itself: let the whole timeout pass at once. */
    mock_clock_advance(timeout_ms);
    return MQTLS_ERR_TIMEOUT;
}

static void mock_close(void *ctx)
{
    mock_transport_t *m = ctx;

    m->close_calls++;
    m->open = false;
    m->connect_pending_left = 0;
    if (m->discard_on_close) {
        mock_clear_input(m);
    }
    hook(m, MOCK_AT_CLOSE);
}

const mqtls_transport_t mock_transport_ops = {
    mock_connect,
    mock_send,
    mock_recv,
    mock_wait,
    mock_close,
};

/* ---- the fake clock ---- */

static uint32_t clock_now;
static uint32_t rng_state = 0x12345678u;

void mock_clock_advance(uint32_t ms)
{
    clock_now += ms; /* unsigned: wraps like the real clock */
}

void mock_clock_set(uint32_t now_ms)
{
    clock_now = now_ms;
}

uint32_t mock_clock_now(void)
{
    return clock_now;
}

void mock_clock_seed(uint32_t seed)
{
    rng_state = seed != 0 ? seed : 1u; /* xorshift would stay at 0 forever */
}

static uint32_t fake_now(void *ctx)
{
    (void)ctx;
    return clock_now;
}

static uint32_t fake_random(void *ctx)
{
    (void)ctx;
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Sleeping on the fake clock: time passes at once. */
static void fake_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    mock_clock_advance(ms);
}

const mqtls_platform_t mock_platform = {
    fake_now,
    fake_random,
    NULL,
    fake_sleep,
};
