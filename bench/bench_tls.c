/**
 * @file bench_tls.c
 * @brief The TLS section of mqtls_bench: what a mutually authenticated connect costs (mqtls on
 *        its TLS backend against libmosquitto on OpenSSL, TLS 1.2 and TLS 1.3), and how much
 *        heap an mqtls handshake needs. Nothing here depends on the backend mqtls was built
 *        with (OpenSSL 3 by default, Mbed TLS with -DMQTLS_TLS=mbedtls).
 *
 * Set-up (once per run of the section, bench_tlsenv.c): a PKI in a temporary directory made
 * with the built `mqtls pki` tool (an EC P-256 set and an RSA-2048 set: CA, server, device),
 * one private mosquitto with a TLS listener per set, both with `require_certificate true`.
 *
 * Connect benchmark: one forked child per row (client, key set, TLS version) and run makes N
 * connections, each one TCP connect + TLS handshake + MQTT CONNECT/CONNACK + DISCONNECT. The
 * rows run interleaved, --tls-runs times. The wall time of every connection is taken with
 * CLOCK_MONOTONIC; the CPU of a run is the child's rusage (wait4) / N, so it includes the
 * process start and the one-time set-up of the library; the table gives min / median / max
 * over the runs, and the target compares the medians.
 *  - mqtls: one shared context (mqtls_tls_ctx_new(): credentials parsed once, one random
 *    generator) made before the timed loop, as a gateway or a fleet simulator would; per
 *    connection a new mqtls_tls_t on it (mqtls_tls_setup_ctx()) and a client,
 *    mqtls_sync_connect() / mqtls_disconnect(), then both freed. The version is pinned
 *    (min = max).
 *  - mqtls, sessions resumed: the same, with resume_sessions on the context. A run's first
 *    connect is a full handshake (a new context, in a new child); each one after it offers
 *    the session the broker gave the one before. The child counts the connects whose evidence
 *    says resumed; the row prints "resumed N of M" (the full-handshake mqtls row too, where it
 *    must be 0), and its target line gives no verdict when a run resumed none.
 *  - libmosquitto: one mosquitto object for the whole run (the API allows a connect after a
 *    disconnect), mosquitto_tls_set() with the CA, certificate and key files,
 *    mosquitto_connect() + mosquitto_loop() until on_connect, mosquitto_disconnect() +
 *    mosquitto_loop() until on_disconnect. TLS 1.3: tls_version "tlsv1.3"; TLS 1.2: held
 *    there by an OpenSSL configuration file (MaxProtocol TLSv1.2 via OPENSSL_CONF), since its
 *    tls_version "tlsv1.2" is only a minimum.
 *  - a plain OpenSSL client (bench_rawtls.c), when the bench links OpenSSL: the reference for
 *    what the TLS library and TCP cost alone.
 *
 * Heap: neither TLS library's allocations can be redirected portably (Debian's Mbed TLS lacks
 * MBEDTLS_PLATFORM_MEMORY; OpenSSL's CRYPTO_set_mem_functions() must run before its first
 * allocation). Instead this file defines malloc, calloc, realloc, free (and the aligned
 * variants) for the whole program; the shared libraries' calls bind to them. They forward to
 * glibc's __libc_* functions and do nothing else, until a measuring child switches tracking
 * on: from then on every new block gets a 48-byte header (size, caller, list links, a magic
 * word right before the user pointer) and the bytes requested are counted, with the peak and
 * a copy of the live blocks at the peak. The parent and every other child never switch it on,
 * so there every call is one predictable branch plus the jump to glibc, a few ns
 * (-DMQTLS_BENCH_HEAP=OFF compiles the wrappers out). libmosquitto/OpenSSL is measured the
 * same way, in a child of its own. The magic word cannot be a glibc chunk size (its top bit is
 * set), so free() tells tracked blocks from blocks allocated before tracking began.
 */
#define _GNU_SOURCE /* dladdr, RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif


#include "bench.h"
#include "bench_rawtls.h"
#include "bench_tlsenv.h"
#include "broker.h"
#include "mqtls/client.h"
#include "mqtls/transport_tls.h"

#if MQTLS_BENCH_HAVE_MOSQUITTO
#include <mosquitto.h>
#endif
#ifndef MQTLS_BENCH_HAVE_OPENSSL
#define MQTLS_BENCH_HAVE_OPENSSL 0
#endif
#if MQTLS_BENCH_HAVE_OPENSSL && MQTLS_BENCH_HAVE_MOSQUITTO
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#endif

/* The heap wrappers: on by default with glibc; never under a sanitizer (it has its own). */
#ifndef MQTLS_BENCH_HEAP
#define MQTLS_BENCH_HEAP 1
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(__GLIBC__)
#undef MQTLS_BENCH_HEAP
#define MQTLS_BENCH_HEAP 0
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#undef MQTLS_BENCH_HEAP
#define MQTLS_BENCH_HEAP 0
#endif
#endif

#define CONNECT_TIMEOUT_MS 10000u
#define CHILD_TIMEOUT_MS 600000   /* a connect child must report within this */
#define MAX_CONNECTS 100000u
#define TARGET_HEAP 24576u        /* the handshake heap target: 24 KiB */
#define TARGET_CPU_RATIO 0.40     /* issue 12: CPU per connect <= 0.4x libmosquitto's */

/* ---------------------------------------------------------------------------------------
 * Heap accounting
 */

/* Allocation phases of a measuring child. */
enum { PH_NONE = 0, PH_SETUP = 1, PH_CONNECT = 2, PH_RECONNECT = 3 };

#define SNAP_MAX_STR "32768"
#define SNAP_MAX 32768 /* OpenSSL holds ~20,000 blocks at a connect's peak */

typedef struct heap_snap {
    const void *caller;
    uint32_t size;
    uint32_t phase;
} heap_snap_t;

#if MQTLS_BENCH_HEAP

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);

/* Top bit set: never a glibc chunk size field, which is what sits before an untracked block. */
#define HEAP_MAGIC 0xB5E7C41A11A0C8EDull

/* The header in front of a tracked block; the magic is the last word before the user's bytes. */
typedef struct hblk {
    struct hblk *next;
    struct hblk *prev;
    const void *caller; /* return address of the malloc/calloc/realloc call */
    void *raw;          /* what glibc returned (differs from the header for aligned blocks) */
    uint32_t size;      /* bytes requested */
    uint32_t phase;
    uint64_t magic;
} hblk_t;

_Static_assert(sizeof(hblk_t) == 48, "the header keeps 16-byte alignment");

static struct {
    bool on;       /* new blocks are tracked */
    bool ever;     /* tracked blocks may exist in this process */
    bool snap;     /* copy the live blocks at every new peak */
    uint32_t phase;
    size_t cur;    /* bytes requested by the live tracked blocks */
    size_t peak;
    uint64_t allocs;   /* tracked allocations */
    uint64_t foreign;  /* frees/reallocs of untracked blocks while tracking */
    hblk_t head;       /* circular list of the live tracked blocks */
} H;

static heap_snap_t snap[SNAP_MAX];
static size_t snap_n;
static bool snap_cut;

static void take_snapshot(void)
{
    size_t n = 0;
    snap_cut = false;
    for (hblk_t *b = H.head.next; b != &H.head; b = b->next) {
        if (n == SNAP_MAX) {
            snap_cut = true;
            break;
        }
        snap[n].caller = b->caller;
        snap[n].size = b->size;
        snap[n].phase = b->phase;
        n++;
    }
    snap_n = n;
}

static void grew(void)
{
    if (H.cur > H.peak) {
        H.peak = H.cur;
        if (H.snap)
            take_snapshot();
    }
}

static void link_blk(hblk_t *b)
{
    b->next = H.head.next;
    b->prev = &H.head;
    H.head.next->prev = b;
    H.head.next = b;
}

static void unlink_blk(hblk_t *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

static hblk_t *blk_of(void *p)
{
    hblk_t *b = (hblk_t *)p - 1;
    return b->magic == HEAP_MAGIC ? b : NULL;
}

/* Fills the header of a block whose user bytes start @p off bytes into @p raw. */
static void *track(void *raw, size_t off, size_t n, const void *caller)
{
    hblk_t *b = (hblk_t *)((uint8_t *)raw + off) - 1;
    b->raw = raw;
    b->size = (uint32_t)n;
    b->caller = caller;
    b->phase = H.phase;
    b->magic = HEAP_MAGIC;
    link_blk(b);
    H.cur += n;
    H.allocs++;
    grew();
    return b + 1;
}

static void untrack_free(hblk_t *b)
{
    void *raw = b->raw;
    unlink_blk(b);
    H.cur -= b->size;
    b->magic = 0;
    __libc_free(raw);
}

static void *track_malloc(size_t n, bool zero, const void *caller)
{
    if (n > UINT32_MAX - sizeof(hblk_t)) /* never in a handshake; left untracked */
        return zero ? __libc_calloc(1, n) : __libc_malloc(n);
    void *raw = zero ? __libc_calloc(1, n + sizeof(hblk_t)) : __libc_malloc(n + sizeof(hblk_t));
    return raw ? track(raw, sizeof(hblk_t), n, caller) : NULL;
}

static void *track_aligned(size_t align, size_t n, const void *caller)
{
    if (align <= 16) /* glibc's blocks are 16-aligned, and so is the header */
        return track_malloc(n, false, caller);
    size_t off = (sizeof(hblk_t) + align - 1) / align * align;
    if (n > UINT32_MAX - off)
        return __libc_memalign(align, n);
    void *raw = __libc_memalign(align, n + off);
    return raw ? track(raw, off, n, caller) : NULL;
}

void *malloc(size_t n)
{
    if (!H.on)
        return __libc_malloc(n);
    return track_malloc(n, false, __builtin_return_address(0));
}

void *calloc(size_t n, size_t size)
{
    if (!H.on)
        return __libc_calloc(n, size);
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return track_malloc(total, true, __builtin_return_address(0));
}

void free(void *p)
{
    if (!H.ever || p == NULL) {
        __libc_free(p);
        return;
    }
    hblk_t *b = blk_of(p);
    if (b) {
        untrack_free(b);
        return;
    }
    if (H.on)
        H.foreign++;
    __libc_free(p);
}

void *realloc(void *p, size_t n)
{
    if (!H.ever)
        return __libc_realloc(p, n);
    const void *caller = __builtin_return_address(0);
    if (p == NULL)
        return H.on ? track_malloc(n, false, caller) : __libc_malloc(n);
    hblk_t *b = blk_of(p);
    if (!b) {
        if (H.on)
            H.foreign++;
        return __libc_realloc(p, n);
    }
    if (n == 0) {
        untrack_free(b);
        return NULL;
    }
    if (b->raw == (void *)b && n <= UINT32_MAX - sizeof(hblk_t)) {
        /* A plain tracked block: let glibc resize it, header included. */
        uint32_t old = b->size;
        unlink_blk(b);
        H.cur -= old;
        hblk_t *nb = __libc_realloc(b, n + sizeof(hblk_t));
        if (!nb) {
            link_blk(b);
            H.cur += old;
            return NULL;
        }
        nb->raw = nb;
        nb->size = (uint32_t)n;
        nb->caller = caller;
        link_blk(nb);
        H.cur += n;
        grew();
        return nb + 1;
    }
    void *q = track_malloc(n, false, caller);
    if (q) {
        memcpy(q, p, n < b->size ? n : b->size);
        untrack_free(b);
    }
    return q;
}

void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, total);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = H.on ? track_aligned(align, n, __builtin_return_address(0))
                   : __libc_memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    return H.on ? track_aligned(align, n, __builtin_return_address(0))
                : __libc_memalign(align, n);
}

void *memalign(size_t align, size_t n)
{
    return H.on ? track_aligned(align, n, __builtin_return_address(0))
                : __libc_memalign(align, n);
}

size_t malloc_usable_size(void *p)
{
    static size_t (*real)(void *);
    if (H.ever && p) {
        hblk_t *b = blk_of(p);
        if (b)
            return b->size;
    }
    if (!real) {
        void *sym = dlsym(RTLD_NEXT, "malloc_usable_size");
        memcpy(&real, &sym, sizeof real);
    }
    return real ? real(p) : 0;
}

/* Starts tracking in this (child) process: everything allocated from now on is counted. */
static void heap_start(void)
{
    H.head.next = H.head.prev = &H.head;
    H.cur = H.peak = 0;
    H.allocs = H.foreign = 0;
    H.phase = PH_NONE;
    H.ever = true;
    H.on = true;
}

/* A new measuring window: the peak starts again from the current level. */
static void heap_window(uint32_t phase, bool with_snapshot)
{
    H.phase = phase;
    H.peak = H.cur;
    H.snap = with_snapshot;
    if (with_snapshot)
        take_snapshot();
}

static void heap_stop(void)
{
    H.on = false;
    H.snap = false;
}

static size_t heap_cur(void) { return H.cur; }
static size_t heap_peak(void) { return H.peak; }
static uint64_t heap_allocs(void) { return H.allocs; }
static uint64_t heap_foreign(void) { return H.foreign; }
static void heap_freeze_snapshot(void) { H.snap = false; }

#endif /* MQTLS_BENCH_HEAP */

bool bench_tls_heap_available(void)
{
    return MQTLS_BENCH_HEAP != 0;
}

/* ---------------------------------------------------------------------------------------
 * Small helpers
 */

static void tls_set_name(const char *name)
{
#if defined(__linux__)
    (void)prctl(PR_SET_NAME, name, 0, 0, 0);
#else
    (void)name;
#endif
}

static int write_full(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_full_to(int fd, void *buf, size_t len, int timeout_ms)
{
    uint8_t *p = buf;
    while (len) {
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, timeout_ms);
        if (bench_stop)
            return -1;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static double tv_sec(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t percentile(const uint64_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)(p * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* ---------------------------------------------------------------------------------------
 * The environment: PKI, broker, what the children need
 */











/* ---------------------------------------------------------------------------------------
 * The mqtls side: one shared TLS context per child (credentials parsed once, one random
 * generator), and per connection a fresh mqtls_tls_t and client on it, as a gateway or a
 * fleet simulator opens many connections
 */

typedef struct mq_conn {
    mqtls_tls_ctx_t *ctx;
    mqtls_tls_evidence_t ctx_ev; /* why the context could not be made */
    mqtls_tls_t tls;
    mqtls_client_t c;
    mqtls_client_cfg_t cc;
    mqtls_connect_opts_t co;
    mqtls_inflight_t inflight[1];
    uint8_t rx[2048];
    uint8_t tx[2048];
} mq_conn_t;

static mq_conn_t mq; /* one per child process */

/* The shared context: TLS version @p ver only (min = max), the key set @p k; with @p resume,
 * each connection offers the session the broker gave the one before it. */
static mqtls_status_t mq_ctx(const bench_tlsenv_t *e, int k, int ver, uint16_t mfl, bool resume)
{
    mqtls_tls_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = e->ca[k];
    cfg.cert_file = e->cert[k];
    cfg.key_file = e->key[k];
    cfg.min_version = ver;
    cfg.max_version = ver;
    cfg.max_fragment_len = mfl;
    cfg.handshake_timeout_ms = CONNECT_TIMEOUT_MS;
    cfg.resume_sessions = resume;
    memset(&mq.ctx_ev, 0, sizeof mq.ctx_ev);
    return mqtls_tls_ctx_new(&mq.ctx, &cfg, &mq.ctx_ev);
}

/* One connection's state on the shared context: a TLS connection and a client. */
static mqtls_status_t mq_conn_open(const bench_tlsenv_t *e, int k)
{
    mqtls_tls_init(&mq.tls);
    mqtls_status_t st = mqtls_tls_setup_ctx(&mq.tls, mq.ctx);
    if (st != MQTLS_OK)
        return st;
    memset(&mq.cc, 0, sizeof mq.cc);
    mq.cc.transport = &mqtls_tls_transport;
    mq.cc.transport_ctx = &mq.tls;
    mq.cc.platform = &mqtls_platform_posix;
    mq.cc.rx_buf = mq.rx;
    mq.cc.rx_size = sizeof mq.rx;
    mq.cc.tx_buf = mq.tx;
    mq.cc.tx_size = sizeof mq.tx;
    mq.cc.inflight = mq.inflight;
    mq.cc.inflight_cap = 1;
    mqtls_client_init(&mq.c, &mq.cc);
    memset(&mq.co, 0, sizeof mq.co);
    mq.co.host = "127.0.0.1";
    mq.co.port = e->port[k];
    mq.co.connect.version = MQTLS_V311;
    mq.co.connect.clean_start = true;
    mq.co.connect.keep_alive = 60;
    mq.co.connect.client_id = mqtls_str(k == BENCH_KEY_RSA ? "bench-tls-mqtls-rsa" : "bench-tls-mqtls-ec");
    mq.co.connect_timeout_ms = CONNECT_TIMEOUT_MS;
    return MQTLS_OK;
}

static void mq_conn_close(void)
{
    mqtls_client_free(&mq.c);
    mqtls_tls_free(&mq.tls);
}

/* Why the context could not be made. */
static void mq_ctx_why(mqtls_status_t st, char *out, size_t size)
{
    snprintf(out, size, "mqtls_tls_ctx_new: %s%s%s", mqtls_strerror(st),
             mq.ctx_ev.detail[0] ? ": " : "", mq.ctx_ev.detail);
}

/* The reason a connect failed, from the TLS evidence. */
static void mq_why(mqtls_status_t st, char *out, size_t size)
{
    const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&mq.tls);
    size_t l;
    snprintf(out, size, "%s", mqtls_strerror(st));
    l = strlen(out);
    if (ev->detail[0])
        snprintf(out + l, size - l, ": %s (%s %d)", ev->detail,
                 ev->backend ? ev->backend : "backend", ev->raw_error);
    l = strlen(out);
    if (ev->alert_received >= 0)
        snprintf(out + l, size - l, "; alert from the broker: %s",
                 mqtls_tls_alert_name(ev->alert_received));
}

/* ---------------------------------------------------------------------------------------
 * Connect benchmark children
 */

typedef enum conn_client {
    CC_MQTLS = 0,
    CC_MQTLS_RESUME = 1, /* mqtls with resume_sessions: every connect after a run's first
                            offers the session of the one before it */
    CC_MOSQ = 2,
    CC_RAW = 3 /* the plain OpenSSL reference client (bench_rawtls.c) */
} conn_client_t;

#define CC_COUNT 4

static bool is_mqtls(conn_client_t c)
{
    return c == CC_MQTLS || c == CC_MQTLS_RESUME;
}

typedef struct conn_result {
    int ok;
    uint32_t done;          /* connections completed; this many latencies follow */
    uint32_t resumed;       /* mqtls: of those, how many resumed a session */
    double setup_cpu_s;     /* child start until the loop (library and credential set-up) */
    double loop_cpu_s;      /* the timed loop */
    char version[16];
    char suite[64];
    char group[32];
    char error[240];
} conn_result_t;

typedef struct conn_job {
    const bench_tlsenv_t *e;
    conn_client_t client;
    int key;
    int ver;                /* MQTLS_TLS_V1_2 or MQTLS_TLS_V1_3 */
    uint32_t n;
} conn_job_t;

/* One connect: a connection on the shared context, TCP + handshake + CONNECT/CONNACK,
 * DISCONNECT, and its state freed. @return MQTLS_OK or the failure (@p why filled) */
static mqtls_status_t mq_connect_once(const conn_job_t *j, uint32_t i, conn_result_t *r)
{
    char why[200];
    mqtls_status_t st = mq_conn_open(j->e, j->key);
    if (st == MQTLS_OK) {
        st = mqtls_sync_connect(&mq.c, &mq.co, NULL);
        if (st != MQTLS_OK)
            mq_why(st, why, sizeof why);
    } else {
        snprintf(why, sizeof why, "mqtls_tls_setup_ctx: %s", mqtls_strerror(st));
    }
    if (st == MQTLS_OK && i == 0) {
        const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&mq.tls);
        snprintf(r->version, sizeof r->version, "%s", ev->version);
        snprintf(r->suite, sizeof r->suite, "%s", ev->ciphersuite);
    }
    if (st == MQTLS_OK && mqtls_tls_evidence(&mq.tls)->resumed)
        r->resumed++;
    if (st == MQTLS_OK) {
        st = mqtls_disconnect(&mq.c, 0, NULL);
        if (st != MQTLS_OK)
            snprintf(why, sizeof why, "disconnect: %s", mqtls_strerror(st));
    }
    mq_conn_close();
    if (st != MQTLS_OK)
        snprintf(r->error, sizeof r->error, "connect %u: %s", i + 1, why);
    return st;
}

static int conn_child_mqtls(const conn_job_t *j, conn_result_t *r, uint64_t *lat)
{
    double cpu0 = bench_self_cpu_s();
    mqtls_status_t st = mq_ctx(j->e, j->key, j->ver, 0, j->client == CC_MQTLS_RESUME);
    if (st != MQTLS_OK) {
        mq_ctx_why(st, r->error, sizeof r->error);
        return 1;
    }
    double cpu1 = bench_self_cpu_s();
    r->setup_cpu_s = cpu1 - cpu0;
    for (uint32_t i = 0; i < j->n && !bench_stop; i++) {
        uint64_t t0 = bench_now_ns();
        st = mq_connect_once(j, i, r);
        if (st != MQTLS_OK)
            break;
        lat[i] = bench_now_ns() - t0;
        r->done++;
    }
    r->loop_cpu_s = bench_self_cpu_s() - cpu1;
    mqtls_tls_ctx_free(mq.ctx);
    r->ok = r->done == j->n;
    return r->ok ? 0 : 1;
}

/* The reference: the same connects, written plainly against OpenSSL. */
static int conn_child_raw(const conn_job_t *j, conn_result_t *r, uint64_t *lat)
{
    double cpu0 = bench_self_cpu_s();
    const bench_tlsenv_t *e = j->e;
    if (bench_raw_open(e->ca[j->key], e->cert[j->key], e->key[j->key], j->ver, r->error,
                       sizeof r->error) != 0)
        return 1;
    double cpu1 = bench_self_cpu_s();
    r->setup_cpu_s = cpu1 - cpu0;
    for (uint32_t i = 0; i < j->n && !bench_stop; i++) {
        uint64_t t0 = bench_now_ns();
        if (bench_raw_connect_once(e->port[j->key], i == 0 ? r->version : NULL,
                                   sizeof r->version, i == 0 ? r->suite : NULL, sizeof r->suite,
                                   r->error, sizeof r->error) != 0)
            break;
        lat[i] = bench_now_ns() - t0;
        r->done++;
    }
    r->loop_cpu_s = bench_self_cpu_s() - cpu1;
    bench_raw_close();
    r->ok = r->done == j->n;
    return r->ok ? 0 : 1;
}

#if MQTLS_BENCH_HAVE_MOSQUITTO

typedef struct mosq_state {
    int connected;       /* 0 waiting, 1 accepted, -1 refused */
    bool disconnected;
    bool want_info;
    char version[16];
    char suite[64];
    char group[32];
} mosq_state_t;

static void mosq_on_connect(struct mosquitto *m, void *user, int rc)
{
    mosq_state_t *s = user;
    s->connected = rc == 0 ? 1 : -1;
#if MQTLS_BENCH_HAVE_OPENSSL
    if (s->want_info) {
        SSL *ssl = mosquitto_ssl_get(m);
        EVP_PKEY *tmp = NULL;
        s->want_info = false;
        if (!ssl)
            return;
        snprintf(s->version, sizeof s->version, "%s", SSL_get_version(ssl));
        const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
        snprintf(s->suite, sizeof s->suite, "%s", c ? SSL_CIPHER_standard_name(c) : "");
        if (SSL_get_peer_tmp_key(ssl, &tmp) == 1 && tmp) {
            const char *type = EVP_PKEY_get0_type_name(tmp);
            size_t glen = 0;
            char g[32] = "";
            if (EVP_PKEY_get_group_name(tmp, g, sizeof g, &glen) == 1 && g[0])
                snprintf(s->group, sizeof s->group, "%s", g);
            else
                snprintf(s->group, sizeof s->group, "%s", type ? type : "");
            EVP_PKEY_free(tmp);
        }
    }
#else
    (void)m;
#endif
}

static void mosq_on_disconnect(struct mosquitto *m, void *user, int rc)
{
    mosq_state_t *s = user;
    (void)m;
    (void)rc;
    s->disconnected = true;
}

static struct mosquitto *mosq_setup(const conn_job_t *j, mosq_state_t *s, char *err,
                                    size_t errsize)
{
    /* libmosquitto 2.0.11's tls_version "tlsv1.2" is only a minimum: with OpenSSL 3 it still
     * negotiates TLS 1.3. The TLS 1.2 rows cap the version the way an administrator would,
     * in an OpenSSL configuration file (MaxProtocol), which mosquitto_lib_init() loads. */
    if (j->ver == MQTLS_TLS_V1_2)
        setenv("OPENSSL_CONF", j->e->openssl_conf, 1);
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(j->key == BENCH_KEY_RSA ? "bench-tls-mosq-rsa"
                                                           : "bench-tls-mosq-ec",
                                        true, s);
    if (!m) {
        snprintf(err, errsize, "mosquitto_new failed");
        return NULL;
    }
    int rc = mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_set(m, j->e->ca[j->key], NULL, j->e->cert[j->key], j->e->key[j->key],
                               NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_opts_set(m, 1, j->ver == MQTLS_TLS_V1_2 ? "tlsv1.2" : "tlsv1.3",
                                    NULL);
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(err, errsize, "libmosquitto TLS set-up: %s", mosquitto_strerror(rc));
        mosquitto_destroy(m);
        return NULL;
    }
    mosquitto_connect_callback_set(m, mosq_on_connect);
    mosquitto_disconnect_callback_set(m, mosq_on_disconnect);
    return m;
}

static void mosq_teardown(struct mosquitto *m)
{
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
}

/* Connects and waits for CONNACK. @return MOSQ_ERR_SUCCESS or the failure */
static int mosq_connect_once(struct mosquitto *m, const conn_job_t *j, mosq_state_t *s)
{
    uint64_t deadline = bench_now_ns() + (uint64_t)CONNECT_TIMEOUT_MS * 1000000u;
    s->connected = 0;
    s->disconnected = false;
    int rc = mosquitto_connect(m, "127.0.0.1", j->e->port[j->key], 60);
    while (rc == MOSQ_ERR_SUCCESS && s->connected == 0 && !s->disconnected) {
        rc = mosquitto_loop(m, 1000, 1);
        if (bench_now_ns() > deadline) {
            rc = MOSQ_ERR_TIMEOUT;
            break;
        }
    }
    if (rc == MOSQ_ERR_SUCCESS && s->connected != 1)
        rc = s->connected < 0 ? MOSQ_ERR_CONN_REFUSED : MOSQ_ERR_CONN_LOST;
    return rc;
}

static int mosq_disconnect_once(struct mosquitto *m, mosq_state_t *s)
{
    uint64_t deadline = bench_now_ns() + (uint64_t)CONNECT_TIMEOUT_MS * 1000000u;
    int rc = mosquitto_disconnect(m);
    while (rc == MOSQ_ERR_SUCCESS && !s->disconnected) {
        rc = mosquitto_loop(m, 100, 1);
        if (bench_now_ns() > deadline) {
            rc = MOSQ_ERR_TIMEOUT;
            break;
        }
    }
    /* The socket is closed once on_disconnect has run: the loop then says "no connection". */
    return s->disconnected ? MOSQ_ERR_SUCCESS : rc;
}

static int conn_child_mosq(const conn_job_t *j, conn_result_t *r, uint64_t *lat)
{
    static mosq_state_t s;
    double cpu0 = bench_self_cpu_s();
    memset(&s, 0, sizeof s);
    s.want_info = true;
    struct mosquitto *m = mosq_setup(j, &s, r->error, sizeof r->error);
    if (!m)
        return 1;
    double cpu1 = bench_self_cpu_s();
    r->setup_cpu_s = cpu1 - cpu0;
    for (uint32_t i = 0; i < j->n && !bench_stop; i++) {
        uint64_t t0 = bench_now_ns();
        int rc = mosq_connect_once(m, j, &s);
        if (rc != MOSQ_ERR_SUCCESS) {
            snprintf(r->error, sizeof r->error, "connect %u: %s", i + 1,
                     rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
            break;
        }
        rc = mosq_disconnect_once(m, &s);
        lat[i] = bench_now_ns() - t0;
        r->done++;
        if (rc != MOSQ_ERR_SUCCESS) {
            snprintf(r->error, sizeof r->error, "disconnect %u: %s", i + 1,
                     mosquitto_strerror(rc));
            break;
        }
    }
    r->loop_cpu_s = bench_self_cpu_s() - cpu1;
    snprintf(r->version, sizeof r->version, "%s", s.version);
    snprintf(r->suite, sizeof r->suite, "%s", s.suite);
    snprintf(r->group, sizeof r->group, "%s", s.group);
    mosq_teardown(m);
    r->ok = r->done == j->n;
    return r->ok ? 0 : 1;
}

#endif /* MQTLS_BENCH_HAVE_MOSQUITTO */

static int conn_child(const conn_job_t *j, int fd)
{
    conn_result_t r;
    uint64_t *lat = calloc(j->n ? j->n : 1, sizeof *lat);
    int rc = 1;
    memset(&r, 0, sizeof r);
    tls_set_name(j->client == CC_MQTLS ? "tls-conn-mqtls"
                 : j->client == CC_MQTLS_RESUME ? "tls-conn-mqres"
                 : j->client == CC_RAW ? "tls-conn-raw" : "tls-conn-mosq");
    if (!lat) {
        snprintf(r.error, sizeof r.error, "out of memory");
    } else if (is_mqtls(j->client)) {
        rc = conn_child_mqtls(j, &r, lat);
    } else if (j->client == CC_RAW) {
        rc = conn_child_raw(j, &r, lat);
    } else {
#if MQTLS_BENCH_HAVE_MOSQUITTO
        rc = conn_child_mosq(j, &r, lat);
#else
        snprintf(r.error, sizeof r.error, "built without libmosquitto");
#endif
    }
    if (write_full(fd, &r, sizeof r) == 0 && r.done)
        (void)write_full(fd, lat, (size_t)r.done * sizeof *lat);
    free(lat);
    return rc;
}

/* Forks @p body; the child writes its report into a pipe. */
typedef struct tls_child {
    pid_t pid;
    int fd;
} tls_child_t;

static int tls_spawn(tls_child_t *ch, int (*body)(const void *arg, int fd), const void *arg)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    fflush(NULL);
    pid_t parent = getpid();
    ch->pid = fork();
    if (ch->pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (ch->pid == 0) {
#if defined(__linux__)
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (getppid() != parent)
            _exit(1);
        close(p[0]);
        int rc = body(arg, p[1]);
        fflush(NULL);
        _exit(rc);
    }
    close(p[1]);
    ch->fd = p[0];
    return 0;
}

/* Reaps the child; @return 0 if it exited with 0. */
static int tls_reap(tls_child_t *ch, struct rusage *ru)
{
    int status = 0;
    pid_t w;
    close(ch->fd);
    if (bench_stop)
        kill(ch->pid, SIGKILL);
    do {
        w = wait4(ch->pid, &status, 0, ru);
    } while (w < 0 && errno == EINTR);
    return w == ch->pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int conn_body(const void *arg, int fd)
{
    return conn_child(arg, fd);
}

/* ---------------------------------------------------------------------------------------
 * Heap children
 */

#define HEAP_GROUPS 14

typedef struct heap_group {
    char where[56];  /* allocating function (nearest exported symbol) */
    uint32_t size;
    uint32_t count;
    uint32_t phase;
} heap_group_t;

typedef struct heap_result {
    int ok;              /* the connect succeeded */
    int measured;        /* the numbers below are valid */
    uint16_t mfl;
    char version[16];
    char suite[64];
    char error[240];
    uint64_t setup_peak;      /* everything below is bytes requested, relative to the start */
    uint64_t after_ctx;       /* mqtls: held by the shared context alone */
    uint64_t after_setup;
    uint64_t connect_peak;    /* the highest level during the connect (setup's blocks included) */
    uint64_t connected;       /* held once connected */
    uint64_t before_reconnect; /* held after the first connect's disconnect */
    uint64_t reconnect_peak;  /* the peak of a second connect on the same context */
    uint64_t setup_allocs;
    uint64_t connect_allocs;
    uint64_t foreign;         /* frees/reallocs of blocks from before tracking (expect 0) */
    uint32_t snap_blocks;
    uint64_t snap_bytes;
    uint64_t snap_phase_bytes[4]; /* of snap_bytes: allocated by setup, connect, ... */
    int snap_cut;
    uint32_t ngroups;
    heap_group_t groups[HEAP_GROUPS];
    uint32_t rest_blocks;
    uint64_t rest_bytes;
} heap_result_t;

typedef struct heap_job {
    const bench_tlsenv_t *e;
    int key;
    int ver;             /* MQTLS_TLS_V1_2 or _3 */
    uint16_t mfl;
    bool mosq;           /* measure libmosquitto (OpenSSL) instead */
} heap_job_t;

#if MQTLS_BENCH_HEAP

static void where_of(const void *caller, char *out, size_t size)
{
    Dl_info info;
    if (caller && dladdr(caller, &info) && info.dli_sname) {
        snprintf(out, size, "%s", info.dli_sname);
    } else if (caller && dladdr(caller, &info) && info.dli_fname) {
        const char *base = strrchr(info.dli_fname, '/');
        snprintf(out, size, "%s+0x%lx", base ? base + 1 : info.dli_fname,
                 (unsigned long)((const char *)caller - (const char *)info.dli_fbase));
    } else {
        snprintf(out, size, "%p", caller);
    }
}

static int cmp_group(const void *a, const void *b)
{
    const heap_group_t *x = a, *y = b;
    uint64_t bx = (uint64_t)x->size * x->count, by = (uint64_t)y->size * y->count;
    return (bx < by) - (bx > by);
}

/* Groups the peak snapshot by (allocating function, size, phase), largest first. */
static void group_snapshot(heap_result_t *r)
{
    static heap_group_t all[SNAP_MAX];
    size_t n = 0;
    r->snap_blocks = (uint32_t)snap_n;
    r->snap_cut = snap_cut;
    for (size_t i = 0; i < snap_n; i++) {
        char where[56];
        size_t g;
        where_of(snap[i].caller, where, sizeof where);
        r->snap_bytes += snap[i].size;
        r->snap_phase_bytes[snap[i].phase & 3] += snap[i].size;
        for (g = 0; g < n; g++)
            if (all[g].size == snap[i].size && all[g].phase == snap[i].phase &&
                strcmp(all[g].where, where) == 0)
                break;
        if (g == n) {
            snprintf(all[n].where, sizeof all[n].where, "%s", where);
            all[n].size = snap[i].size;
            all[n].phase = snap[i].phase;
            all[n].count = 0;
            n++;
        }
        all[g].count++;
    }
    qsort(all, n, sizeof all[0], cmp_group);
    r->ngroups = n < HEAP_GROUPS ? (uint32_t)n : HEAP_GROUPS;
    memcpy(r->groups, all, r->ngroups * sizeof all[0]);
    for (size_t g = r->ngroups; g < n; g++) {
        r->rest_blocks += all[g].count;
        r->rest_bytes += (uint64_t)all[g].size * all[g].count;
    }
}

static int heap_child_mqtls(const heap_job_t *j, heap_result_t *r)
{
    heap_start();
    heap_window(PH_SETUP, false);
    mqtls_status_t st = mq_ctx(j->e, j->key, j->ver, j->mfl, false);
    r->after_ctx = heap_cur();
    if (st == MQTLS_OK) {
        st = mq_conn_open(j->e, j->key);
        if (st != MQTLS_OK)
            snprintf(r->error, sizeof r->error, "mqtls_tls_setup_ctx: %s", mqtls_strerror(st));
    } else {
        mq_ctx_why(st, r->error, sizeof r->error);
    }
    r->setup_peak = heap_peak();
    r->after_setup = heap_cur();
    r->setup_allocs = heap_allocs();
    if (st != MQTLS_OK) {
        heap_stop();
        return 1;
    }
    heap_window(PH_CONNECT, true);
    st = mqtls_sync_connect(&mq.c, &mq.co, NULL);
    heap_freeze_snapshot();
    r->connect_peak = heap_peak();
    r->connected = heap_cur();
    r->connect_allocs = heap_allocs() - r->setup_allocs;
    r->measured = 1;
    if (st == MQTLS_OK) {
        const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&mq.tls);
        snprintf(r->version, sizeof r->version, "%s", ev->version);
        snprintf(r->suite, sizeof r->suite, "%s", ev->ciphersuite);
        (void)mqtls_disconnect(&mq.c, 0, NULL);
        r->before_reconnect = heap_cur();
        heap_window(PH_RECONNECT, false);
        mqtls_status_t st2 = mqtls_sync_connect(&mq.c, &mq.co, NULL);
        r->reconnect_peak = heap_peak();
        if (st2 == MQTLS_OK)
            (void)mqtls_disconnect(&mq.c, 0, NULL);
        else
            r->reconnect_peak = 0;
        r->ok = 1;
    } else {
        mq_why(st, r->error, sizeof r->error);
    }
    r->foreign = heap_foreign();
    heap_stop();
    group_snapshot(r);
    mq_conn_close();
    mqtls_tls_ctx_free(mq.ctx);
    return r->ok ? 0 : 1;
}

#if MQTLS_BENCH_HAVE_MOSQUITTO
/* libmosquitto/OpenSSL, for comparison: "setup" is mosquitto_lib_init() (OpenSSL's own
 * initialisation) + mosquitto_new() + mosquitto_tls_set(); the credentials are read by
 * mosquitto_connect(), so they fall into the connect. */
static int heap_child_mosq(const heap_job_t *j, heap_result_t *r)
{
    static mosq_state_t s;
    conn_job_t cj = {j->e, CC_MOSQ, j->key, j->ver, 1};
    memset(&s, 0, sizeof s);
    s.want_info = true;
    heap_start();
    heap_window(PH_SETUP, false);
    struct mosquitto *m = mosq_setup(&cj, &s, r->error, sizeof r->error);
    r->setup_peak = heap_peak();
    r->after_setup = heap_cur();
    r->setup_allocs = heap_allocs();
    if (!m) {
        heap_stop();
        return 1;
    }
    heap_window(PH_CONNECT, false);
    int rc = mosq_connect_once(m, &cj, &s);
    r->connect_peak = heap_peak();
    r->connected = heap_cur();
    r->connect_allocs = heap_allocs() - r->setup_allocs;
    r->measured = 1;
    if (rc == MOSQ_ERR_SUCCESS) {
        (void)mosq_disconnect_once(m, &s);
        r->before_reconnect = heap_cur();
        heap_window(PH_RECONNECT, false);
        if (mosq_connect_once(m, &cj, &s) == MOSQ_ERR_SUCCESS) {
            r->reconnect_peak = heap_peak();
            (void)mosq_disconnect_once(m, &s);
        }
        r->ok = 1;
    } else {
        snprintf(r->error, sizeof r->error, "connect: %s", mosquitto_strerror(rc));
    }
    r->foreign = heap_foreign();
    heap_stop();
    snprintf(r->version, sizeof r->version, "%s", s.version);
    snprintf(r->suite, sizeof r->suite, "%s", s.suite);
    mosq_teardown(m);
    return r->ok ? 0 : 1;
}
#endif

#endif /* MQTLS_BENCH_HEAP */

static int heap_body(const void *arg, int fd)
{
    const heap_job_t *j = arg;
    heap_result_t r;
    int rc = 1;
    memset(&r, 0, sizeof r);
    r.mfl = j->mfl;
    tls_set_name("tls-heap");
#if MQTLS_BENCH_HEAP
    if (!j->mosq)
        rc = heap_child_mqtls(j, &r);
#if MQTLS_BENCH_HAVE_MOSQUITTO
    else
        rc = heap_child_mosq(j, &r);
#endif
#else
    snprintf(r.error, sizeof r.error, "heap accounting not built in");
#endif
    (void)write_full(fd, &r, sizeof r);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * The section
 */

typedef struct conn_row {
    conn_client_t client;
    int key;
    int ver;             /* MQTLS_TLS_V1_2 or _3 */
    char label[128];
    uint64_t *lat;       /* wall time of every connect, pooled over the runs */
    size_t nlat;
    double *cpu_ms;      /* per run that completed: the child's CPU / its connects */
    uint32_t nruns;
    double user_s, sys_s;
    double setup_cpu_s, loop_cpu_s;
    uint32_t failures;
    uint64_t resumed;        /* mqtls: connects that resumed a session, over the runs counted */
    uint32_t runs_unresumed; /* the resumed row: runs counted in which no connect resumed */
    char version[16], suite[64], group[32];
    char error[240];
} conn_row_t;

static void run_conn_row(const bench_tlsenv_t *e, conn_row_t *row, uint32_t n)
{
    conn_job_t j = {e, row->client, row->key, row->ver, n};
    tls_child_t ch;
    conn_result_t r;
    struct rusage ru;
    memset(&r, 0, sizeof r);
    memset(&ru, 0, sizeof ru);
    if (tls_spawn(&ch, conn_body, &j) != 0) {
        row->failures++;
        snprintf(row->error, sizeof row->error, "fork: %s", strerror(errno));
        return;
    }
    int got = read_full_to(ch.fd, &r, sizeof r, CHILD_TIMEOUT_MS);
    if (got == 0 && r.done > n)
        got = -1;
    if (got == 0 && r.done)
        got = read_full_to(ch.fd, row->lat + row->nlat, (size_t)r.done * sizeof(uint64_t),
                           CHILD_TIMEOUT_MS);
    if (got != 0)
        kill(ch.pid, SIGKILL);
    int exit_ok = tls_reap(&ch, &ru) == 0;
    if (got != 0) {
        row->failures++;
        snprintf(row->error, sizeof row->error, "the child died or hung");
        return;
    }
    if (r.version[0]) {
        snprintf(row->version, sizeof row->version, "%s", r.version);
        snprintf(row->suite, sizeof row->suite, "%s", r.suite);
        snprintf(row->group, sizeof row->group, "%s", r.group);
    }
    if (!r.ok || !exit_ok) {
        /* A run that did not finish is not a figure: its latencies are dropped too. */
        row->failures++;
        snprintf(row->error, sizeof row->error, "%s", r.error[0] ? r.error : "failed");
        return;
    }
    row->nlat += r.done;
    row->resumed += r.resumed;
    if (row->client == CC_MQTLS_RESUME && r.resumed == 0)
        row->runs_unresumed++;
    row->user_s += tv_sec(ru.ru_utime);
    row->sys_s += tv_sec(ru.ru_stime);
    row->setup_cpu_s += r.setup_cpu_s;
    row->loop_cpu_s += r.loop_cpu_s;
    row->cpu_ms[row->nruns++] = (tv_sec(ru.ru_utime) + tv_sec(ru.ru_stime)) * 1e3 / r.done;
}

static int run_heap(const bench_tlsenv_t *e, const heap_job_t *j, heap_result_t *r)
{
    tls_child_t ch;
    struct rusage ru;
    memset(r, 0, sizeof *r);
    if (tls_spawn(&ch, heap_body, j) != 0) {
        snprintf(r->error, sizeof r->error, "fork: %s", strerror(errno));
        return -1;
    }
    int got = read_full_to(ch.fd, r, sizeof *r, CHILD_TIMEOUT_MS);
    if (got != 0)
        kill(ch.pid, SIGKILL);
    (void)tls_reap(&ch, &ru);
    (void)e;
    if (got != 0) {
        memset(r, 0, sizeof *r);
        snprintf(r->error, sizeof r->error, "the child died or hung");
        return -1;
    }
    return 0;
}

static const char *mosq_version_label(void)
{
    static char label[96];
#if MQTLS_BENCH_HAVE_MOSQUITTO
    int maj, min, rev;
    mosquitto_lib_version(&maj, &min, &rev);
#if MQTLS_BENCH_HAVE_OPENSSL
    snprintf(label, sizeof label, "libmosquitto %d.%d.%d (%s)", maj, min, rev,
             OpenSSL_version(OPENSSL_VERSION));
#else
    snprintf(label, sizeof label, "libmosquitto %d.%d.%d (OpenSSL)", maj, min, rev);
#endif
#else
    snprintf(label, sizeof label, "libmosquitto");
#endif
    /* "OpenSSL 3.0.19 27 Jan 2026": keep the name and version only. */
    char *p = strstr(label, "(OpenSSL ");
    if (p) {
        char *sp = strchr(p + 9, ' ');
        if (sp) {
            *sp = ')';
            sp[1] = '\0';
        }
    }
    return label;
}

/* What a block of this size is, when its size gives it away (backend-neutral: a DER copy of
 * one of the certificates, or a block the size of a full TLS record). */
static const char *size_label(const bench_tlsenv_t *e, int k, uint32_t size)
{
    static char buf[96];
    if (size == e->der_srv[k] || size == e->der_ca[k] || size == e->der_dev[k]) {
        snprintf(buf, sizeof buf, "DER copy of the %s certificate",
                 size == e->der_srv[k] ? "server's" : size == e->der_ca[k] ? "CA" : "device");
        return buf;
    }
    if (size >= 16384 && size <= 16384 + 2048 + 512)
        return "a TLS record buffer, by its size (16 KiB + overhead)";
    return "";
}

static const char *phase_name(uint32_t ph)
{
    switch (ph) {
    case PH_SETUP: return "setup";
    case PH_CONNECT: return "connect";
    case PH_RECONNECT: return "reconnect";
    default: return "-";
    }
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts @p v and returns its median (0 when empty). */
static double median_of(double *v, uint32_t n)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof v[0], cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *ver_name(int ver)
{
    return ver == MQTLS_TLS_V1_3 ? "TLS 1.3" : "TLS 1.2";
}

/* The row of @p client, @p key, @p ver; NULL if there is none. */
static conn_row_t *find_row(conn_row_t *rows, size_t nrows, conn_client_t client, int key,
                            int ver)
{
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].client == client && rows[i].key == key && rows[i].ver == ver)
            return &rows[i];
    return NULL;
}

/* The median CPU per connect of the row of @p client, @p key, @p ver; 0 if none. */
static double row_median(conn_row_t *rows, size_t nrows, conn_client_t client, int key, int ver)
{
    conn_row_t *r = find_row(rows, nrows, client, key, ver);
    return r ? median_of(r->cpu_ms, r->nruns) : 0.0;
}

/* The resumption cell of a row: "resumed N of M" for mqtls (the full-handshake row shows
 * that it resumed nothing), and why a resumed row's figure is not one of resumed connects. */
static void resumed_cell(const conn_row_t *r, char *out, size_t size)
{
    if (!is_mqtls(r->client)) {
        snprintf(out, size, "-");
        return;
    }
    snprintf(out, size, "resumed %llu of %zu", (unsigned long long)r->resumed, r->nlat);
    if (r->client != CC_MQTLS_RESUME)
        return;
    size_t l = strlen(out);
    if (r->resumed == 0)
        snprintf(out + l, size - l, ": NONE resumed, these are full handshakes");
    else if (r->runs_unresumed)
        snprintf(out + l, size - l, "; %u run(s) resumed none", r->runs_unresumed);
}

static void print_conn_main(conn_row_t *rows, size_t nrows)
{
    printf("| client | TLS | key | runs ok | connects | CPU ms/connect min / median / max "
           "| wall ms p50 | p95 | max | connects/s (one at a time) | sessions |\n");
    printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < nrows; i++) {
        conn_row_t *r = &rows[i];
        char res[96];
        resumed_cell(r, res, sizeof res);
        if (r->nlat == 0) {
            printf("| %s | %s | %s | 0 | 0 | - | - | - | - | - | %s |\n", r->label,
                   ver_name(r->ver), bench_key_name[r->key], res);
            continue;
        }
        double med = median_of(r->cpu_ms, r->nruns), sum = 0;
        qsort(r->lat, r->nlat, sizeof r->lat[0], cmp_u64);
        for (size_t k = 0; k < r->nlat; k++)
            sum += (double)r->lat[k];
        printf("| %s | %s | %s | %u | %zu | %.2f / %.2f / %.2f | %.2f | %.2f | %.2f | %.0f "
               "| %s |\n",
               r->label, ver_name(r->ver), bench_key_name[r->key], r->nruns, r->nlat,
               r->cpu_ms[0], med, r->cpu_ms[r->nruns - 1],
               (double)percentile(r->lat, r->nlat, 0.50) / 1e6,
               (double)percentile(r->lat, r->nlat, 0.95) / 1e6,
               (double)r->lat[r->nlat - 1] / 1e6, sum > 0 ? (double)r->nlat * 1e9 / sum : 0.0,
               res);
    }
    printf("\n");
}

static void print_conn_details(conn_row_t *rows, size_t nrows)
{
    printf("Details: what was negotiated, the CPU split over all runs (tick-sampled; the sum is "
           "exact), the child's set-up once per run (library initialisation and, for mqtls, the "
           "shared context: credentials parsed, the random generator seeded) and its connect "
           "loop alone (getrusage in the child), per connect.\n\n");
    printf("| client | TLS | key | negotiated | cipher suite | key exchange | user ms/connect "
           "| sys ms/connect | set-up CPU ms (per run) | loop CPU ms/connect | failed runs |\n");
    printf("|---|---|---|---|---|---|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < nrows; i++) {
        conn_row_t *r = &rows[i];
        double n = r->nlat ? (double)r->nlat : 1.0;
        printf("| %s | %s | %s | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %u%s%s |\n", r->label,
               ver_name(r->ver), bench_key_name[r->key], r->version[0] ? r->version : "-",
               r->suite[0] ? r->suite : "-", r->group[0] ? r->group : "-", r->user_s * 1e3 / n,
               r->sys_s * 1e3 / n, r->setup_cpu_s * 1e3 / (r->nruns ? r->nruns : 1),
               r->loop_cpu_s * 1e3 / n, r->failures, r->failures ? ": " : "", r->error);
    }
    printf("\n");
}

/* The target: mqtls's CPU per connect at most TARGET_CPU_RATIO x libmosquitto's. */
static void print_conn_targets(conn_row_t *rows, size_t nrows)
{
    for (int k = 0; k < BENCH_KEY_COUNT; k++)
        for (int v = MQTLS_TLS_V1_2; v <= MQTLS_TLS_V1_3; v++) {
            double m = row_median(rows, nrows, CC_MQTLS, k, v);
            double l = row_median(rows, nrows, CC_MOSQ, k, v);
            if (m <= 0 || l <= 0)
                continue;
            double p = row_median(rows, nrows, CC_RAW, k, v);
            char ref[96] = "";
            if (p > 0)
                snprintf(ref, sizeof ref, " (the plain OpenSSL client: %.2f ms = %.2fx; mqtls = "
                         "%.2fx of it)", p, p / l, m / p);
            printf("Target (CPU per connect <= %.2fx libmosquitto's), %s, %s: %.2f / %.2f ms "
                   "= %.2fx: %s%s\n", TARGET_CPU_RATIO, bench_key_name[k], ver_name(v), m, l,
                   m / l, m / l <= TARGET_CPU_RATIO ? "met" : "NOT met", ref);
        }
    printf("\n");
}

/* The same target for the resumed row, labelled as what it is: reconnects of a context that
 * has a session from this broker (libmosquitto's row stays full handshakes: it makes a new
 * SSL_CTX per connect). No verdict when a run resumed nothing: that figure is of full
 * handshakes and meets nothing. */
static void print_conn_resume_targets(conn_row_t *rows, size_t nrows)
{
    for (int k = 0; k < BENCH_KEY_COUNT; k++)
        for (int v = MQTLS_TLS_V1_2; v <= MQTLS_TLS_V1_3; v++) {
            conn_row_t *r = find_row(rows, nrows, CC_MQTLS_RESUME, k, v);
            double l = row_median(rows, nrows, CC_MOSQ, k, v);
            if (!r || r->nruns == 0 || l <= 0)
                continue;
            double m = median_of(r->cpu_ms, r->nruns);
            char res[96], verdict[64];
            resumed_cell(r, res, sizeof res);
            if (r->resumed == 0 || r->runs_unresumed)
                snprintf(verdict, sizeof verdict, "not judged (a run resumed no session)");
            else
                snprintf(verdict, sizeof verdict, "%s",
                         m / l <= TARGET_CPU_RATIO ? "met" : "NOT met");
            printf("Target (CPU per connect <= %.2fx libmosquitto's), resumed connects (a "
                   "reconnect of a context that has connected to this broker before), %s, %s: "
                   "%.2f / %.2f ms = %.2fx: %s (%s; each run's first connect is a full "
                   "handshake; libmosquitto: full handshakes)\n",
                   TARGET_CPU_RATIO, bench_key_name[k], ver_name(v), m, l, m / l, verdict, res);
        }
    printf("\n");
}

static void print_conn_tables(conn_row_t *rows, size_t nrows)
{
    print_conn_main(rows, nrows);
    print_conn_details(rows, nrows);
    print_conn_targets(rows, nrows);
    print_conn_resume_targets(rows, nrows);
}

static void print_heap(const bench_tlsenv_t *e, const heap_result_t *hr, const heap_result_t *hms)
{
    static const uint16_t mfls[] = {0, 512, 1024, 2048, 4096};
    const size_t nm = sizeof mfls / sizeof mfls[0];
    printf("### Heap of one mutual-TLS connect (mqtls on %s, %s)\n\n", mqtls_tls_backend(),
           ver_name(mqtls_tls_max_version()));
    printf("Bytes requested from malloc/calloc/realloc, the TLS library's own allocations "
           "included (the wrappers replace the allocator for the whole process; glibc's "
           "per-block overhead not included), counted from just before mqtls_tls_ctx_new(). "
           "\"context\" is what the shared context holds (credentials parsed, the TLS library's "
           "configuration); \"setup\" adds one connection on it (mqtls_tls_setup_ctx()); "
           "\"connect\" is mqtls_sync_connect() (TCP, handshake, CONNECT/CONNACK); the "
           "connect's peak includes what setup still holds. The mqtls_tls_t itself (%zu bytes) "
           "and the client's buffers are the caller's memory, not heap.\n\n",
           sizeof(mqtls_tls_t));
    printf("| key | max_fragment_len | connect | context | heap after setup | peak during setup "
           "| additional peak during connect | peak during connect | held while connected "
           "| reconnect: held before, peak | allocations (setup / connect) |\n");
    printf("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    uint64_t best = 0;
    int best_k = -1;
    uint16_t best_mfl = 0;
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        for (size_t m = 0; m < nm; m++) {
            const heap_result_t *r = &hr[k * nm + m];
            char mfl[16];
            snprintf(mfl, sizeof mfl, "%s", mfls[m] ? "" : "default");
            if (mfls[m])
                snprintf(mfl, sizeof mfl, "%u", (unsigned)mfls[m]);
            if (!r->measured) {
                printf("| %s | %s | not measured: %s | | | | | | | | |\n", bench_key_name[k], mfl,
                       r->error);
                continue;
            }
            char status[280];
            if (r->ok)
                snprintf(status, sizeof status, "ok, %s", r->version);
            else
                snprintf(status, sizeof status, "FAILED: %s", r->error);
            char recon[48] = "-";
            if (r->reconnect_peak)
                snprintf(recon, sizeof recon, "%llu, %llu",
                         (unsigned long long)r->before_reconnect,
                         (unsigned long long)r->reconnect_peak);
            printf("| %s | %s | %s | %llu | %llu | %llu | %llu | %llu | %llu | %s | %llu / %llu |\n",
                   bench_key_name[k], mfl, status, (unsigned long long)r->after_ctx,
                   (unsigned long long)r->after_setup,
                   (unsigned long long)r->setup_peak,
                   (unsigned long long)(r->connect_peak - r->after_setup),
                   (unsigned long long)r->connect_peak, (unsigned long long)r->connected, recon,
                   (unsigned long long)r->setup_allocs, (unsigned long long)r->connect_allocs);
            if (r->ok && mfls[m] && (best_k < 0 || r->connect_peak < best)) {
                best = r->connect_peak;
                best_k = k;
                best_mfl = mfls[m];
            }
        }
    }
    for (int k = 0; hms && k < BENCH_KEY_COUNT; k++) {
        const heap_result_t *hm = &hms[k];
        if (!hm->measured)
            continue;
        if (k == 0)
            printf("\nFor comparison, %s at the same TLS version, same broker "
                   "and files, measured the same way in its own child. Its \"setup\" is "
                   "mosquitto_lib_init() + mosquitto_new() + mosquitto_tls_set(); it reads the credentials during every connect.\n\n"
                   "| key | connect | heap after setup | peak during setup | additional peak "
                   "during connect | peak during connect | held while connected | reconnect: "
                   "held before, peak | allocations (setup / connect) |\n"
                   "|---|---|---:|---:|---:|---:|---:|---:|---:|\n",
                   mosq_version_label());
        printf("| %s | %s%s | %llu | %llu | %llu | %llu | %llu | %llu, %llu | %llu / %llu |\n",
               bench_key_name[k], hm->ok ? "ok, " : "FAILED: ", hm->ok ? hm->version : hm->error,
               (unsigned long long)hm->after_setup, (unsigned long long)hm->setup_peak,
               (unsigned long long)(hm->connect_peak - hm->after_setup),
               (unsigned long long)hm->connect_peak, (unsigned long long)hm->connected,
               (unsigned long long)hm->before_reconnect,
               (unsigned long long)hm->reconnect_peak, (unsigned long long)hm->setup_allocs,
               (unsigned long long)hm->connect_allocs);
    }
    uint64_t foreign = 0;
    for (size_t i = 0; i < BENCH_KEY_COUNT * nm; i++)
        foreign += hr[i].foreign;
    if (foreign)
        printf("\nNote: %llu frees/reallocs of blocks allocated before tracking began (not "
               "subtracted).\n", (unsigned long long)foreign);
    /* The 24 KiB handshake target is the device's (Mbed TLS, a reduced fragment length);
     * a host backend is not held to it. */
    if (strncmp(mqtls_tls_backend(), "Mbed TLS", 8) != 0)
        printf("\n(The 24 KiB handshake heap target is the device backend's, Mbed TLS; not "
               "checked with %s.)\n", mqtls_tls_backend());
    else if (best_k >= 0)
        printf("\nTarget (handshake peak heap <= %u bytes = 24 KiB with a reduced fragment "
               "length): lowest peak %llu bytes (%s, max_fragment_len %u): %s\n", TARGET_HEAP,
               (unsigned long long)best, bench_key_name[best_k], (unsigned)best_mfl,
               best <= TARGET_HEAP ? "meets it" : "misses it");
    else
        printf("\nTarget (handshake peak heap <= 24 KiB with a reduced fragment length): no "
               "handshake with a reduced fragment length succeeded\n");

    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        const heap_result_t *r = &hr[k * nm];
        if (!r->measured || !r->snap_blocks)
            continue;
        printf("\nLive blocks at the peak of the connect, %s, default fragment length: %u "
               "blocks, %llu bytes%s: %llu allocated by setup (context and connection), %llu by "
               "the connect. Grouped by the allocating function (the nearest exported symbol "
               "before the call site, so the TLS library's static functions show as "
               "library+offset), block size and the phase that allocated them:\n\n",
               bench_key_name[k], r->snap_blocks, (unsigned long long)r->snap_bytes,
               r->snap_cut ? " (only the first " SNAP_MAX_STR " blocks kept)" : "",
               (unsigned long long)r->snap_phase_bytes[PH_SETUP],
               (unsigned long long)r->snap_phase_bytes[PH_CONNECT]);
        printf("| bytes | blocks x size | allocated by | phase | what |\n");
        printf("|---:|---:|---|---|---|\n");
        for (uint32_t g = 0; g < r->ngroups; g++) {
            const heap_group_t *gr = &r->groups[g];
            printf("| %llu | %u x %u | %s | %s | %s |\n",
                   (unsigned long long)gr->size * gr->count, gr->count, gr->size, gr->where,
                   phase_name(gr->phase), size_label(e, k, gr->size));
        }
        if (r->rest_blocks)
            printf("| %llu | %u blocks | (the rest) | | |\n",
                   (unsigned long long)r->rest_bytes, r->rest_blocks);
    }
    printf("\n");
}

/* Allocates the rows: per key set and TLS version, mqtls, mqtls with sessions resumed,
 * libmosquitto, the reference client (the order they run in, interleaved, every run). @return the number of rows, or 0 when out of memory */
static size_t conn_rows(const bench_opts_t *o, conn_row_t *rows, const char *ml)
{
    size_t nrows = 0;
    int top = o->tls_mosq13 ? MQTLS_TLS_V1_3 : MQTLS_TLS_V1_2;
    for (int k = 0; k < BENCH_KEY_COUNT; k++)
        for (int v = MQTLS_TLS_V1_2; v <= top; v++)
            for (int c = 0; c < CC_COUNT; c++) {
                if ((c == CC_MOSQ && !bench_have_mosquitto()) ||
                    (c == CC_RAW && (!bench_raw_available() || o->only_client >= 0)))
                    continue;
                if ((o->only_client == BENCH_MQTLS && !is_mqtls(c)) ||
                    (o->only_client == BENCH_MOSQ && is_mqtls(c)))
                    continue;
                /* A backend without TLS 1.3 (Mbed TLS 2.28) has no row there. */
                if (is_mqtls(c) && v > mqtls_tls_max_version())
                    continue;
                conn_row_t *r = &rows[nrows++];
                r->client = (conn_client_t)c;
                r->key = k;
                r->ver = v;
                if (c == CC_MQTLS)
                    snprintf(r->label, sizeof r->label, "mqtls (%s)", mqtls_tls_backend());
                else if (c == CC_MQTLS_RESUME)
                    snprintf(r->label, sizeof r->label, "mqtls (%s), sessions resumed",
                             mqtls_tls_backend());
                else if (c == CC_RAW)
                    snprintf(r->label, sizeof r->label, "plain OpenSSL client (reference)");
                else
                    snprintf(r->label, sizeof r->label, "%s", ml);
                r->lat = calloc((size_t)o->tls_connects * o->tls_runs, sizeof(uint64_t));
                r->cpu_ms = calloc(o->tls_runs, sizeof(double));
                if (!r->lat || !r->cpu_ms)
                    return 0;
            }
    return nrows;
}

static int run_conn_section(const bench_opts_t *o, const bench_tlsenv_t *env, const char *ml)
{
    static conn_row_t rows[BENCH_KEY_COUNT * 2 * CC_COUNT];
    int rc = 0;
    memset(rows, 0, sizeof rows);
    size_t nrows = conn_rows(o, rows, ml);
    for (uint32_t run = 0; nrows && run < o->tls_runs && !bench_stop; run++) {
        for (size_t i = 0; i < nrows && !bench_stop; i++) {
            run_conn_row(env, &rows[i], o->tls_connects);
            if (o->verbose)
                printf("  run %u: %s, %s, %s: %zu connects so far%s%s\n", run + 1,
                       rows[i].label, ver_name(rows[i].ver), bench_key_name[rows[i].key],
                       rows[i].nlat, rows[i].failures ? ", FAILED: " : "",
                       rows[i].failures ? rows[i].error : "");
            fflush(stdout);
        }
    }
    if (nrows == 0) {
        printf("out of memory\n");
        rc = 1;
    }
    printf("### Connect: TCP + mutual-TLS handshake + CONNECT/CONNACK + DISCONNECT\n\n");
    print_conn_tables(rows, nrows);
    for (size_t i = 0; i < BENCH_KEY_COUNT * 2 * CC_COUNT; i++) {
        if (rows[i].failures)
            rc = 1;
        free(rows[i].lat);
        free(rows[i].cpu_ms);
    }
    return rc;
}

int bench_tls_run(const bench_opts_t *o)
{
    static bench_tlsenv_t env;
    int rc = 0;

    printf("## TLS: mutual-TLS connect and handshake heap\n\n");
    int erc = bench_tlsenv_open(&env, "tlsbench", NULL);
    if (erc != 0) {
        bench_tlsenv_close(&env);
        return erc > 0 && (o->codec || o->e2e) ? 0 : 1;
    }
    const char *ml = mosq_version_label();
    printf("PKI made with `%s pki` in %.1f s (CA, server and device certificates; EC P-256, and "
           "RSA-2048 with --rsa 2048). One mosquitto, two TLS listeners on 127.0.0.1 (EC: port "
           "%u, RSA: port %u), require_certificate true. MQTT 3.1.1, clean session. One forked "
           "child per row and run makes %u connects one after the other; the rows run "
           "interleaved, %u run(s); CPU per connect = the child's whole CPU (getrusage: process "
           "start, set-up and loop) / its connects, min / median / max over the runs. mqtls "
           "(%s): one shared TLS context per child (mqtls_tls_ctx_new(), as a gateway or fleet "
           "simulator), and per connect a new mqtls_tls_t on it (mqtls_tls_setup_ctx()), "
           "mqtls_sync_connect(), mqtls_disconnect(), freed; min = max version. \"mqtls, "
           "sessions resumed\": the same with resume_sessions on the context, so every connect "
           "of a run after its first (a full handshake) offers the session the broker gave the "
           "one before; \"resumed N of M\" counts the connects whose evidence says resumed. %s: one "
           "mosquitto object per child with mosquitto_tls_set() (it loads the credentials into "
           "a new SSL_CTX at every connect), tls_version \"tlsv1.3\", or for TLS 1.2 "
           "\"tlsv1.2\" plus MaxProtocol TLSv1.2 in an OPENSSL_CONF file (its tls_version is "
           "only a minimum). The plain OpenSSL client (bench_rawtls.c: one SSL_CTX with "
           "SSL_MODE_RELEASE_BUFFERS, blocking SSL_connect(), no evidence) is a reference: "
           "what OpenSSL's handshake and TCP cost alone on this machine.\n\n",
           env.tool, env.pki_s, (unsigned)env.port[BENCH_KEY_EC],
           (unsigned)env.port[BENCH_KEY_RSA], o->tls_connects, o->tls_runs,
           mqtls_tls_backend(), ml);
    fflush(stdout);

    rc |= run_conn_section(o, &env, ml);

    /* Heap. */
    if (!bench_stop) {
        static const uint16_t mfls[] = {0, 512, 1024, 2048, 4096};
        const size_t nm = sizeof mfls / sizeof mfls[0];
        static heap_result_t hr[BENCH_KEY_COUNT * 5];
        static heap_result_t hm[BENCH_KEY_COUNT];
        bool have_mosq = false;
        if (!bench_tls_heap_available()) {
            printf("### Heap: skipped (the allocator wrappers are not built in: sanitizer build "
                   "or MQTLS_BENCH_HEAP=0)\n\n");
        } else {
            for (int k = 0; k < BENCH_KEY_COUNT && !bench_stop; k++) {
                for (size_t m = 0; m < nm && !bench_stop; m++) {
                    heap_job_t j = {&env, k, mqtls_tls_max_version(), mfls[m], false};
                    (void)run_heap(&env, &j, &hr[k * nm + m]);
                    /* A failed handshake at a reduced fragment length is a result, not an
                     * error of the bench; the default one must work. */
                    if (mfls[m] == 0 && !hr[k * nm + m].ok)
                        rc = 1;
                }
            }
            if (bench_have_mosquitto() && o->only_client != BENCH_MQTLS) {
                for (int k = 0; k < BENCH_KEY_COUNT && !bench_stop; k++) {
                    heap_job_t j = {&env, k, mqtls_tls_max_version(), 0, true};
                    if (run_heap(&env, &j, &hm[k]) == 0)
                        have_mosq = true;
                }
            }
            print_heap(&env, hr, have_mosq ? hm : NULL);
        }
    }
    bench_tlsenv_close(&env);
    fflush(stdout);
    return rc;
}
