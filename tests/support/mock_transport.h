/**
 * @file mock_transport.h
 * @brief A scripted transport and a manual clock for session tests, without threads.
 *
 * The test plays the broker: it queues the bytes the broker "sends" (mock_push(), one chunk
 * per call; a receive never crosses a chunk boundary, as if each chunk were one TCP
 * segment) and afterwards reads what the client wrote (mock_sent()). Faults are switched
 * on through the fields and helpers below: tiny receive chunks, would-block on every other
 * call, a flipped byte, end of stream after K bytes, short writes, failing connects.
 *
 * @code
 * static mock_transport_t m;               // big: keep it static, or free it with mock_free()
 * mock_init(&m);
 * m.recv_max = 1;                          // deliver one byte per recv
 * mock_push_hex(&m, "20 02 00 00");        // CONNACK
 * cfg.transport = &mock_transport_ops; cfg.transport_ctx = &m;
 * cfg.platform = &mock_platform;           // time moves only by mock_clock_advance()
 * ...
 * CHECK_EQ_MEM(mock_sent(&m, NULL), expected_connect, sizeof expected_connect);
 * mock_free(&m);
 * @endcode
 *
 * A hook lets the test answer at the moment something happens (a CONNECT is written, the
 * client waits with nothing to read), so blocking sync-layer calls can be tested in one
 * thread. The hook may call mock_push() and change any field.
 */
#ifndef MQTLS_MOCK_TRANSPORT_H
#define MQTLS_MOCK_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/platform.h"
#include "mqtls/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mock_transport mock_transport_t;

/** How many iov pieces of accepted sends the mock remembers (the most recent ones). */
#define MOCK_IOV_LOG 64

/** When the hook is called. */
typedef enum mock_hook_point {
    MOCK_AT_CONNECT, /**< connect() was called (after its result was decided) */
    MOCK_AT_SEND,    /**< send() recorded bytes: mock_sent() has them */
    MOCK_AT_RECV,    /**< recv() found nothing queued, before it returns 0 */
    MOCK_AT_WAIT,    /**< wait() for reading found nothing queued, before it times out */
    MOCK_AT_CLOSE    /**< close() was called */
} mock_hook_point_t;

/** The test's hook. */
typedef void (*mock_hook_fn)(mock_transport_t *m, mock_hook_point_t at, void *user);

/** The mock's state. Set the option fields directly after mock_init(). */
struct mock_transport {
    /* --- options (all off after mock_init) --- */
    size_t recv_max;        /**< >0: at most this many bytes per recv (1: byte by byte) */
    size_t send_max;        /**< >0: send accepts at most this many bytes per call */
    bool delay_recv;        /**< recv returns 0 (would block) every other call */
    bool delay_send;        /**< send returns 0 (would block) every other call */
    long long corrupt_at;   /**< >=0: XOR the incoming byte at this stream offset */
    uint8_t corrupt_xor;    /**< the XOR mask (mock_corrupt() sets 0xFF by default) */
    long long fail_recv_at; /**< >=0: once this many bytes were received, recv fails */
    mqtls_status_t fail_recv_status; /**< ...with this status (MQTLS_ERR_CLOSED: EOF) */
    bool eof_when_empty;    /**< recv on an empty queue reports MQTLS_ERR_CLOSED */
    long long fail_send_at; /**< >=0: once this many bytes were sent, send fails */
    mqtls_status_t fail_send_status; /**< ...with this status */
    unsigned connect_pending; /**< connect returns MQTLS_IN_PROGRESS this many times... */
    mqtls_status_t connect_status; /**< ...then this (MQTLS_OK after mock_init) */
    bool discard_on_close;  /**< close drops the unread queue, as a real socket would */
    mock_hook_fn hook;      /**< NULL: no hook */
    void *hook_user;

    /* --- observations --- */
    bool open;              /**< connect succeeded and close was not called since */
    unsigned connect_calls, send_calls, recv_calls, wait_calls, close_calls;
    unsigned writes;        /**< send calls that accepted at least one byte */
    unsigned misuse;        /**< send/recv while not open (the mock answers MQTLS_ERR_STATE) */
    char host[256];         /**< the last host given to connect (truncated) */
    uint16_t port;          /**< the last port given to connect */
    long long received;     /**< bytes delivered by recv since mock_init */
    long long sent_total;   /**< bytes accepted by send since mock_init */

    /* --- private --- */
    uint8_t *in;            /**< queued incoming bytes, in[in_pos..in_len) unread */
    size_t in_len, in_pos, in_cap;
    size_t *chunk_end;      /**< end offsets (in `in`) of the queued chunks */
    size_t chunks, chunk_pos, chunk_cap;
    uint8_t *out;           /**< everything the client sent, since the last mock_sent_clear */
    size_t out_len, out_cap;
    unsigned toggle_recv, toggle_send;
    unsigned connect_pending_left;

    /* --- iov log (see mock_iov_overlaps()) --- */
    mqtls_iov_t iov_log[MOCK_IOV_LOG]; /**< ring of the pieces given to accepted sends */
    size_t iov_logged;                  /**< pieces logged since mock_init/mock_iov_log_clear */
};

/** The operations; pass with a mock_transport_t as the transport context. */
extern const mqtls_transport_t mock_transport_ops;

/** Resets @p m to defaults: nothing queued, all faults off, closed. */
void mock_init(mock_transport_t *m);

/** Frees the buffers (mock_init() again to reuse). */
void mock_free(mock_transport_t *m);

/** Queues @p len bytes as one chunk the broker sends. Aborts the test if out of memory. */
void mock_push(mock_transport_t *m, const void *data, size_t len);

/** Queues bytes written as hex ("30 0a 00 03 61 2f 62"); spaces and newlines are skipped. */
void mock_push_hex(mock_transport_t *m, const char *hex);

/** Unread queued bytes. */
size_t mock_pending(const mock_transport_t *m);

/** Drops every unread queued byte. */
void mock_clear_input(mock_transport_t *m);

/** The bytes the client sent (since mock_init or mock_sent_clear); *len gets their count. */
const uint8_t *mock_sent(const mock_transport_t *m, size_t *len);

/** Forgets the recorded output (after checking it), so the next check starts at 0. */
void mock_sent_clear(mock_transport_t *m);

/**
 * Was any iov piece handed to a send that accepted bytes (one of the last MOCK_IOV_LOG)
 * overlapping the memory [@p base, @p base + @p len)? Tells whether the client sent a
 * buffer from where it lies (zero copy) rather than from a copy.
 */
bool mock_iov_overlaps(const mock_transport_t *m, const void *base, size_t len);

/** Forgets the iov log. */
void mock_iov_log_clear(mock_transport_t *m);

/** Sets both delay_recv and delay_send. */
void mock_delay(mock_transport_t *m, bool on);

/** XORs incoming byte number @p offset (counted from mock_init) with 0xFF. */
void mock_corrupt(mock_transport_t *m, long long offset);

/** recv reports end of stream (MQTLS_ERR_CLOSED) once @p k bytes have been received. */
void mock_eof_after(mock_transport_t *m, long long k);

/** connect returns MQTLS_IN_PROGRESS @p pending times, then @p result. */
void mock_script_connect(mock_transport_t *m, unsigned pending, mqtls_status_t result);

/** Installs the hook (NULL removes it). */
void mock_set_hook(mock_transport_t *m, mock_hook_fn fn, void *user);

/**
 * @name Fake clock
 * A platform whose time moves only when the test says so. mock_transport's wait() moves
 * it forward by the whole timeout when it times out, so timeouts of the sync layer pass
 * instantly. random() is a fixed-seed generator (reproducible client ids).
 */
/**@{*/
extern const mqtls_platform_t mock_platform;
/** Moves the fake clock forward by @p ms (it wraps like a real 32-bit clock). */
void mock_clock_advance(uint32_t ms);
/** Sets the fake clock (e.g. near 2^32 to test wrap-around). */
void mock_clock_set(uint32_t now_ms);
/** The fake clock's time. */
uint32_t mock_clock_now(void);
/** Restarts mock_platform.random() from @p seed (not 0). */
void mock_clock_seed(uint32_t seed);
/**@}*/

#ifdef __cplusplus
}
#endif
#endif
