/**
 * @file bench_idle.c
 * @brief The idle-connection section of mqtls_bench: what it costs one process to hold N
 *        mutual-TLS MQTT connections open and idle (memory per connection, connect rate, CPU
 *        per connect), mqtls on its TLS backend against libmosquitto on OpenSSL, at TLS 1.2
 *        and TLS 1.3.
 *
 * Set-up (once): a PKI made with the built `mqtls pki` tool (an EC P-256 set and an RSA-2048
 * set) and one private mosquitto (tests/support/broker.c) with a TLS listener per set, both
 * requiring a client certificate and with `max_connections -1`. The open-file limit of this
 * process is raised to its hard limit before the broker is forked, so the broker inherits it.
 *
 * One row = one forked child = one client library, one TLS version and one count N. The
 * child opens N connections from ONE event loop (epoll over every socket), at most
 * --idle-batch handshakes in flight at a time so that the broker's listen backlog is never
 * overrun, waits until all have their CONNACK, lets them sit idle for a second (keep-alive
 * 600 s: no PINGREQ), and then reads its own VmRSS and the heap in use (mallinfo2). Per
 * connection it reports (RSS after - RSS before the first connect) / N and (heap after - heap
 * before) / N; the connect rate is N / the wall time from the first connect to the last
 * CONNACK; the CPU per connect is the child's own CPU time (getrusage) until the last
 * CONNACK / N.
 *  - mqtls: ONE TLS context (mqtls_tls_ctx_new(), made by the first connection, so its memory
 *    is in the figures), shared by every connection, as a gateway would; per connection one
 *    mqtls_client_t with 1 KiB rx/tx buffers and one mqtls_tls_t on the shared context
 *    (mqtls_tls_setup_ctx()); mqtls_connect() + mqtls_step() on readiness. The version is
 *    pinned (min = max).
 *  - libmosquitto: per connection one mosquitto object with mosquitto_tls_set(),
 *    mosquitto_connect_async(), then mosquitto_loop_read/write/misc on readiness;
 *    tls_version "tlsv1.3", or "tlsv1.2" held there by an OpenSSL configuration file, as in
 *    bench_tls.c.
 * Rows run interleaved (per count: mqtls 1.2, libmosquitto 1.2, mqtls 1.3, libmosquitto 1.3,
 * then again) --idle-runs times; the table gives min / median / max over the runs, and the
 * target (<= 40 KiB per connection) is checked on the median.
 */
#define _GNU_SOURCE
#include <dirent.h>
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
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "bench.h"
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
#include <openssl/ssl.h>
#endif

#define IDLE_KEEPALIVE_S 600       /* far beyond a run: no PINGREQ while measuring */
#define IDLE_SETTLE_MS 1000        /* idle time before the memory is read */
#define IDLE_CONNECT_TIMEOUT_MS 30000u
#define IDLE_SWEEP_MS 10           /* in-flight handshakes are stepped at least this often */
#define IDLE_CHILD_TIMEOUT_MS 1800000
#define IDLE_MAX_RUNS 32


#define TARGET_KIB_PER_CONN 40.0  /* issue 12: <= 40 KB per idle connection, all included */

typedef enum idle_client { IC_MQTLS = 0, IC_MOSQ = 1 } idle_client_t;

typedef struct idle_job {
    const bench_tlsenv_t *e;
    idle_client_t client;
    int ver;                       /* MQTLS_TLS_V1_2 or _3 */
    int key;
    uint32_t n;
    uint32_t batch;
} idle_job_t;

/** What a child reports through its pipe. */
typedef struct idle_result {
    int ok;
    uint32_t connected;
    uint32_t failed;
    long rss_before_kb;
    long rss_after_kb;
    size_t heap_before;
    size_t heap_after;
    double open_s;      /* first connect until the last CONNACK */
    double cpu_s;       /* the child's CPU until the last CONNACK */
    char version[16];
    char error[200];
} idle_result_t;

/* ---------------------------------------------------------------------------------------
 * Small helpers
 */

static int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len, int timeout_ms)
{
    uint8_t *p = buf;
    uint64_t end = bench_now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (len) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int left = (int)((end - bench_now_ns()) / 1000000u);
        if (bench_now_ns() >= end || bench_stop)
            return -1;
        if (poll(&pfd, 1, left) <= 0)
            continue;
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

/* VmRSS of this process in KiB, or -1. */
static long self_rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* Open file descriptors of this process: a failure at the open-file limit shows as such. */
static int self_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    return n > 3 ? n - 3 : 0; /* ".", ".." and the directory's own descriptor */
}

/* Adds how many descriptors are open, against the limit, to a failure's text. */
static void note_fds(idle_result_t *r)
{
    struct rlimit rl;
    size_t l = strlen(r->error);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        snprintf(r->error + l, sizeof r->error - l, " (%d descriptors open, limit %llu)",
                 self_fds(), (unsigned long long)rl.rlim_cur);
}

/* Heap in use: small blocks (uordblks) plus the blocks glibc mmaps on their own (hblkhd),
 * since a 16 KiB TLS record buffer is below the mmap threshold but a big one may not be. */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* ---------------------------------------------------------------------------------------
 * The environment (bench_tlsenv.c), and the open-file limit it needs here
 */

/* As many open files as the hard limit allows, for us and (inherited) for the broker. */
static rlim_t raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
    (void)getrlimit(RLIMIT_NOFILE, &rl);
    return rl.rlim_cur;
}




/* ---------------------------------------------------------------------------------------
 * The event loop both clients share: epoll over every socket, a bounded number of
 * handshakes in flight, a sweep of those in flight every IDLE_SWEEP_MS
 */

/* What the loop needs from a client library. */
typedef struct idle_ops {
    /* Starts connection i; @return its socket (>= 0), or -1 with r->error set. */
    int (*start)(uint32_t i, idle_result_t *r);
    /* Does the work socket readiness @p ev (EPOLLIN/EPOLLOUT, 0: a sweep) allows.
     * @return 1 connected, 0 still connecting, -1 failed (r->error set) */
    int (*step)(uint32_t i, uint32_t ev, idle_result_t *r);
    /* The epoll events connection i waits for now. */
    uint32_t (*interest)(uint32_t i);
    /* Whether connection i is still connected (after the idle time). */
    bool (*alive)(uint32_t i);
} idle_ops_t;

typedef struct idle_loop {
    const idle_ops_t *ops;
    int ep;
    int *fd;          /* per connection: its socket while registered, else -1 */
    int8_t *done;     /* per connection: 0 in flight or not started, 1 connected, -1 failed */
    uint32_t n;
    uint32_t next;    /* the next connection to start */
    uint32_t lo;      /* no connection below this is in flight */
    uint32_t inflight;
    uint64_t last_sweep;
} idle_loop_t;

static void loop_watch(idle_loop_t *l, uint32_t i)
{
    struct epoll_event ev = {.events = l->ops->interest(i), .data.u32 = i};
    if (l->fd[i] >= 0)
        (void)epoll_ctl(l->ep, EPOLL_CTL_MOD, l->fd[i], &ev);
}

static void loop_finish(idle_loop_t *l, uint32_t i, int how, idle_result_t *r)
{
    l->done[i] = (int8_t)how;
    l->inflight--;
    if (how > 0) {
        r->connected++;
        loop_watch(l, i);
        return;
    }
    r->failed++;
    if (l->fd[i] >= 0)
        (void)epoll_ctl(l->ep, EPOLL_CTL_DEL, l->fd[i], NULL);
    l->fd[i] = -1;
}

static void loop_step(idle_loop_t *l, uint32_t i, uint32_t ev, idle_result_t *r)
{
    int s = l->ops->step(i, ev, r);
    if (l->done[i] != 0)
        return; /* an idle connection: nothing to account */
    if (s != 0)
        loop_finish(l, i, s, r);
    else
        loop_watch(l, i);
}

static void loop_start_some(idle_loop_t *l, uint32_t batch, idle_result_t *r)
{
    while (l->inflight < batch && l->next < l->n) {
        uint32_t i = l->next++;
        l->inflight++;
        l->fd[i] = l->ops->start(i, r);
        if (l->fd[i] < 0) {
            loop_finish(l, i, -1, r);
            continue;
        }
        struct epoll_event ev = {.events = l->ops->interest(i), .data.u32 = i};
        if (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->fd[i], &ev) != 0) {
            snprintf(r->error, sizeof r->error, "epoll_ctl: %s", strerror(errno));
            loop_finish(l, i, -1, r);
        }
    }
}

/* Steps every connection still in flight: handshakes that wait to write, timeouts. */
static void loop_sweep(idle_loop_t *l, idle_result_t *r)
{
    uint64_t now = bench_now_ns();
    if (now - l->last_sweep < (uint64_t)IDLE_SWEEP_MS * 1000000u)
        return;
    l->last_sweep = now;
    while (l->lo < l->next && l->done[l->lo] != 0)
        l->lo++;
    for (uint32_t i = l->lo; i < l->next; i++)
        if (l->done[i] == 0)
            loop_step(l, i, 0, r);
}

static void loop_wait(idle_loop_t *l, int timeout_ms, idle_result_t *r)
{
    struct epoll_event evs[256];
    int k = epoll_wait(l->ep, evs, 256, timeout_ms);
    for (int j = 0; j < k; j++) {
        uint32_t e = evs[j].events;
        if (e & (EPOLLERR | EPOLLHUP))
            e |= EPOLLIN | EPOLLOUT;
        loop_step(l, evs[j].data.u32, e & (EPOLLIN | EPOLLOUT), r);
    }
}

/* Only connections that survived the idle time count as held. */
static void loop_recount(idle_loop_t *l, idle_result_t *r)
{
    uint32_t held = 0;
    for (uint32_t i = 0; i < l->n; i++)
        held += l->done[i] > 0 && l->ops->alive(i);
    if (held == r->connected)
        return;
    if (!r->error[0])
        snprintf(r->error, sizeof r->error, "%u connections lost while idle",
                 r->connected - held);
    r->failed += r->connected - held;
    r->connected = held;
}

/* Opens all connections, then keeps them idle IDLE_SETTLE_MS. */
static void loop_run(idle_loop_t *l, uint32_t batch, idle_result_t *r)
{
    double cpu0 = bench_self_cpu_s();
    uint64_t t0 = bench_now_ns();
    while (r->connected + r->failed < l->n && !bench_stop) {
        loop_start_some(l, batch, r);
        loop_wait(l, IDLE_SWEEP_MS, r);
        loop_sweep(l, r);
    }
    r->open_s = (double)(bench_now_ns() - t0) / 1e9;
    r->cpu_s = bench_self_cpu_s() - cpu0;
    uint64_t end = bench_now_ns() + (uint64_t)IDLE_SETTLE_MS * 1000000u;
    while (bench_now_ns() < end && !bench_stop)
        loop_wait(l, 50, r);
    loop_recount(l, r);
}

/* ---------------------------------------------------------------------------------------
 * mqtls: one shared TLS context; per connection a client and a mqtls_tls_t on it
 */

typedef struct mq_idle {
    mqtls_tls_t tls;
    mqtls_client_t c;
    mqtls_connect_opts_t co;
    mqtls_inflight_t inflight[1];
    int8_t state; /* 0 connecting, 1 connected, -1 failed */
    mqtls_status_t why;
    char id[32];
    uint8_t rx[1024];
    uint8_t tx[1024];
} mq_idle_t;

static mq_idle_t *mqc;
static mqtls_tls_ctx_t *mq_shared; /* made by the first connection: inside the measurement */
static const idle_job_t *cur_job;

static void mq_on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    mq_idle_t *m = user;
    (void)c;
    if (ev->type == MQTLS_EV_CONNECTED) {
        m->state = 1;
    } else if (ev->type == MQTLS_EV_CONNECT_FAILED || ev->type == MQTLS_EV_DISCONNECTED) {
        m->state = -1;
        m->why = ev->status;
    }
}

static void mq_error(uint32_t i, mqtls_status_t st, idle_result_t *r)
{
    const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&mqc[i].tls);
    if (r->error[0])
        return; /* the first failure explains the row */
    snprintf(r->error, sizeof r->error, "connection %u: %s%s%.80s", i + 1, mqtls_strerror(st),
             ev->detail[0] ? ": " : "", ev->detail);
    note_fds(r);
}

/* The context every connection shares, made once: its memory counts in the figures. */
static mqtls_status_t mq_shared_ctx(idle_result_t *r)
{
    const bench_tlsenv_t *e = cur_job->e;
    mqtls_tls_evidence_t ev;
    mqtls_tls_cfg_t tc = {.ca_file = e->ca[cur_job->key],
                          .cert_file = e->cert[cur_job->key],
                          .key_file = e->key[cur_job->key],
                          .min_version = cur_job->ver,
                          .max_version = cur_job->ver,
                          .handshake_timeout_ms = IDLE_CONNECT_TIMEOUT_MS};
    if (mq_shared)
        return MQTLS_OK;
    memset(&ev, 0, sizeof ev);
    mqtls_status_t st = mqtls_tls_ctx_new(&mq_shared, &tc, &ev);
    if (st != MQTLS_OK && !r->error[0])
        snprintf(r->error, sizeof r->error, "mqtls_tls_ctx_new: %s%s%.80s", mqtls_strerror(st),
                 ev.detail[0] ? ": " : "", ev.detail);
    return st;
}

static int mq_start(uint32_t i, idle_result_t *r)
{
    mq_idle_t *m = &mqc[i];
    const bench_tlsenv_t *e = cur_job->e;
    mqtls_tls_init(&m->tls);
    if (mq_shared_ctx(r) != MQTLS_OK)
        return -1;
    mqtls_status_t st = mqtls_tls_setup_ctx(&m->tls, mq_shared);
    if (st != MQTLS_OK) {
        mq_error(i, st, r);
        return -1;
    }
    mqtls_client_cfg_t cc = {.transport = &mqtls_tls_transport, .transport_ctx = &m->tls,
                             .platform = &mqtls_platform_posix, .rx_buf = m->rx,
                             .rx_size = sizeof m->rx, .tx_buf = m->tx, .tx_size = sizeof m->tx,
                             .inflight = m->inflight, .inflight_cap = 1,
                             .on_event = mq_on_event, .user = m};
    mqtls_client_init(&m->c, &cc);
    snprintf(m->id, sizeof m->id, "idle-mq-%d-%u", (int)getpid(), i);
    m->co.host = "127.0.0.1";
    m->co.port = e->port[cur_job->key];
    m->co.connect.version = MQTLS_V311;
    m->co.connect.clean_start = true;
    m->co.connect.keep_alive = IDLE_KEEPALIVE_S;
    m->co.connect.client_id = mqtls_str(m->id);
    m->co.connect_timeout_ms = IDLE_CONNECT_TIMEOUT_MS;
    st = mqtls_connect(&m->c, &m->co);
    if (st == MQTLS_OK) /* the socket exists once the transport has been called */
        st = mqtls_step(&m->c);
    if (st != MQTLS_OK || m->state < 0 || mqtls_tls_fd(&m->tls) < 0) {
        mq_error(i, st != MQTLS_OK ? st : m->why, r);
        mqtls_tls_free(&m->tls); /* a failed connection is not held: its memory goes back */
        return -1;
    }
    return mqtls_tls_fd(&m->tls);
}

static int mq_step(uint32_t i, uint32_t ev, idle_result_t *r)
{
    mq_idle_t *m = &mqc[i];
    (void)ev; /* mqtls_step() reads and writes what it can */
    mqtls_status_t st = mqtls_step(&m->c);
    if (m->state < 0 || (st != MQTLS_OK && m->state == 0)) {
        mq_error(i, m->state < 0 ? m->why : st, r);
        return -1;
    }
    if (m->state > 0 && i == 0)
        snprintf(r->version, sizeof r->version, "%s", mqtls_tls_evidence(&m->tls)->version);
    return m->state;
}

/* A pending TCP connect shows itself as writable; after that the handshake and MQTT wait
 * for input (a handshake that must wait to write is rare on loopback: the sweep covers it). */
static uint32_t mq_interest(uint32_t i)
{
    const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&mqc[i].tls);
    return ev->stage == MQTLS_TLS_STAGE_TCP ? EPOLLOUT : EPOLLIN;
}

static bool mq_alive(uint32_t i)
{
    return mqc[i].state > 0 && mqtls_state(&mqc[i].c) == MQTLS_STATE_CONNECTED;
}

static const idle_ops_t mq_ops = {mq_start, mq_step, mq_interest, mq_alive};

/* ---------------------------------------------------------------------------------------
 * libmosquitto: one mosquitto object per connection
 */

#if MQTLS_BENCH_HAVE_MOSQUITTO

typedef struct mosq_idle {
    struct mosquitto *m;
    int8_t state; /* 0 connecting, 1 connected, -1 failed */
    int rc;
} mosq_idle_t;

static mosq_idle_t *msc;

static void mosq_idle_on_connect(struct mosquitto *m, void *user, int rc)
{
    mosq_idle_t *s = user;
    (void)m;
    s->state = rc == 0 ? 1 : -1;
    s->rc = rc;
}

static void mosq_idle_on_disconnect(struct mosquitto *m, void *user, int rc)
{
    mosq_idle_t *s = user;
    (void)m;
    s->state = -1;
    s->rc = rc ? rc : MOSQ_ERR_CONN_LOST;
}

static void mosq_error(uint32_t i, const char *what, int rc, idle_result_t *r)
{
    if (r->error[0])
        return;
    snprintf(r->error, sizeof r->error, "connection %u: %s: %s", i + 1, what,
             rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
    note_fds(r);
}

static int mosq_start(uint32_t i, idle_result_t *r)
{
    mosq_idle_t *s = &msc[i];
    const bench_tlsenv_t *e = cur_job->e;
    int k = cur_job->key;
    char id[32];
    snprintf(id, sizeof id, "idle-mosq-%d-%u", (int)getpid(), i);
    s->m = mosquitto_new(id, true, s);
    if (!s->m) {
        mosq_error(i, "mosquitto_new", MOSQ_ERR_ERRNO, r);
        return -1;
    }
    int rc = mosquitto_int_option(s->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_set(s->m, e->ca[k], NULL, e->cert[k], e->key[k], NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_opts_set(s->m, 1, cur_job->ver == MQTLS_TLS_V1_2 ? "tlsv1.2"
                                                                            : "tlsv1.3", NULL);
    mosquitto_connect_callback_set(s->m, mosq_idle_on_connect);
    mosquitto_disconnect_callback_set(s->m, mosq_idle_on_disconnect);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_connect_async(s->m, "127.0.0.1", e->port[k], IDLE_KEEPALIVE_S);
    if (rc != MOSQ_ERR_SUCCESS) {
        mosq_error(i, "connect", rc, r);
        mosquitto_destroy(s->m); /* a failed connection is not held: its memory goes back */
        s->m = NULL;
        return -1;
    }
    return mosquitto_socket(s->m);
}

static void mosq_note_version(uint32_t i, idle_result_t *r)
{
#if MQTLS_BENCH_HAVE_OPENSSL
    SSL *ssl = mosquitto_ssl_get(msc[i].m);
    if (ssl)
        snprintf(r->version, sizeof r->version, "%s", SSL_get_version(ssl));
#else
    (void)i;
    (void)r;
#endif
}

/* Like mosquitto_loop() does for its one socket: read on input, write on output, misc
 * (keep-alive) every time. */
static int mosq_step(uint32_t i, uint32_t ev, idle_result_t *r)
{
    mosq_idle_t *s = &msc[i];
    int rc = MOSQ_ERR_SUCCESS;
    if (ev & EPOLLIN || ev == 0)
        rc = mosquitto_loop_read(s->m, 1);
    if (rc == MOSQ_ERR_SUCCESS && (ev & EPOLLOUT || (ev == 0 && mosquitto_want_write(s->m))))
        rc = mosquitto_loop_write(s->m, 1);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_loop_misc(s->m);
    if (s->state < 0 || (rc != MOSQ_ERR_SUCCESS && s->state == 0)) {
        mosq_error(i, s->state < 0 ? "refused or lost" : "loop",
                   s->state < 0 ? s->rc : rc, r);
        return -1;
    }
    if (s->state > 0 && i == 0)
        mosq_note_version(i, r);
    return s->state;
}

static uint32_t mosq_interest(uint32_t i)
{
    return EPOLLIN | (mosquitto_want_write(msc[i].m) ? EPOLLOUT : 0);
}

static bool mosq_alive(uint32_t i)
{
    return msc[i].state > 0; /* on_disconnect sets -1 */
}

static const idle_ops_t mosq_ops = {mosq_start, mosq_step, mosq_interest, mosq_alive};

#endif /* MQTLS_BENCH_HAVE_MOSQUITTO */

/* ---------------------------------------------------------------------------------------
 * A measuring child
 */

/* The library's one-time initialisation, outside the per-connection figures. */
static const idle_ops_t *idle_prepare(const idle_job_t *j, idle_result_t *r)
{
    if (j->client == IC_MQTLS) {
        mqc = calloc(j->n, sizeof *mqc);
        return mqc ? &mq_ops : NULL;
    }
#if MQTLS_BENCH_HAVE_MOSQUITTO
    if (j->ver == MQTLS_TLS_V1_2)
        setenv("OPENSSL_CONF", j->e->openssl_conf, 1);
    mosquitto_lib_init();
    msc = calloc(j->n, sizeof *msc);
    (void)r;
    return msc ? &mosq_ops : NULL;
#else
    snprintf(r->error, sizeof r->error, "built without libmosquitto");
    return NULL;
#endif
}

static int idle_child(const idle_job_t *j, int fd)
{
    idle_result_t r;
    idle_loop_t l = {.n = j->n};
    memset(&r, 0, sizeof r);
    cur_job = j;
    l.ops = idle_prepare(j, &r);
    l.fd = calloc(j->n, sizeof *l.fd);
    l.done = calloc(j->n, sizeof *l.done);
    l.ep = epoll_create1(EPOLL_CLOEXEC);
    if (!l.ops || !l.fd || !l.done || l.ep < 0) {
        if (!r.error[0])
            snprintf(r.error, sizeof r.error, "set-up: out of memory or no epoll");
    } else {
        /* The arrays above are calloc'ed and untouched: their pages count when used. */
        r.rss_before_kb = self_rss_kb();
        r.heap_before = heap_in_use();
        loop_run(&l, j->batch, &r);
        r.rss_after_kb = self_rss_kb();
        r.heap_after = heap_in_use();
    }
    r.ok = r.connected == j->n;
    (void)write_all(fd, &r, sizeof r);
    /* No orderly teardown: the process ends and the kernel closes every socket. */
    return r.ok ? 0 : 1;
}

static int idle_spawn(const idle_job_t *j, pid_t *pid)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    fflush(NULL);
    pid_t parent = getpid();
    *pid = fork();
    if (*pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (*pid == 0) {
#if defined(__linux__)
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (getppid() != parent)
            _exit(1);
        close(p[0]);
        int rc = idle_child(j, p[1]);
        fflush(NULL);
        _exit(rc);
    }
    close(p[1]);
    return p[0];
}

static int idle_run_child(const idle_job_t *j, idle_result_t *r)
{
    pid_t pid;
    int status = 0;
    memset(r, 0, sizeof *r);
    int fd = idle_spawn(j, &pid);
    if (fd < 0) {
        snprintf(r->error, sizeof r->error, "fork: %s", strerror(errno));
        return -1;
    }
    if (read_all(fd, r, sizeof *r, IDLE_CHILD_TIMEOUT_MS) != 0) {
        kill(pid, SIGKILL);
        snprintf(r->error, sizeof r->error, "the child did not report");
        r->ok = 0;
    }
    close(fd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return r->ok ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------
 * Rows and the table
 */

typedef struct idle_row {
    idle_client_t client;
    int ver;
    char label[96];
    uint32_t n;
    uint32_t runs;
    double rss_kb[IDLE_MAX_RUNS];  /* per connection */
    double heap_kb[IDLE_MAX_RUNS]; /* per connection */
    double rate[IDLE_MAX_RUNS];    /* connections per second */
    double cpu_ms[IDLE_MAX_RUNS];  /* per connect */
    uint32_t failed_runs;
    uint32_t best_reached;         /* most connections a failed run held */
    double best_rss_kb;            /* that run's RSS per connection held */
    char version[16];
    char error[200];
} idle_row_t;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "min / median / max" of v[0..n). */
static void fmt_mmm(char *out, size_t size, double *v, uint32_t n, const char *fmt)
{
    char a[16], b[16], c[16];
    if (n == 0) {
        snprintf(out, size, "-");
        return;
    }
    qsort(v, n, sizeof v[0], cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    snprintf(a, sizeof a, fmt, v[0]);
    snprintf(b, sizeof b, fmt, med);
    snprintf(c, sizeof c, fmt, v[n - 1]);
    snprintf(out, size, "%s / %s / %s", a, b, c);
}

static void row_add(idle_row_t *row, const idle_result_t *r, int ok)
{
    if (r->version[0] && !row->version[0])
        snprintf(row->version, sizeof row->version, "%s", r->version);
    if (!ok) {
        row->failed_runs++;
        if (r->connected > row->best_reached) {
            row->best_reached = r->connected;
            row->best_rss_kb = (double)(r->rss_after_kb - r->rss_before_kb) / r->connected;
        }
        if (!row->error[0])
            snprintf(row->error, sizeof row->error, "%s", r->error);
        return;
    }
    uint32_t k = row->runs++;
    double n = (double)row->n;
    row->rss_kb[k] = (double)(r->rss_after_kb - r->rss_before_kb) / n;
    row->heap_kb[k] = ((double)r->heap_after - (double)r->heap_before) / 1024.0 / n;
    row->rate[k] = r->open_s > 0 ? n / r->open_s : 0;
    row->cpu_ms[k] = r->cpu_s * 1e3 / n;
}

static double median_of(const double *v, uint32_t n)
{
    double t[IDLE_MAX_RUNS];
    memcpy(t, v, n * sizeof v[0]);
    qsort(t, n, sizeof t[0], cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void print_rows(idle_row_t *rows, size_t nrows, int key)
{
    printf("Key set %s; min / median / max over the runs that held every connection.\n\n",
           bench_key_name[key]);
    printf("| client | TLS | connections | RSS KiB/conn | heap KiB/conn | connects/s "
           "| CPU ms/connect | runs ok | failed runs |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < nrows; i++) {
        idle_row_t *r = &rows[i];
        char rss[64], heap[64], rate[64], cpu[64], fail[320];
        fmt_mmm(rss, sizeof rss, r->rss_kb, r->runs, "%.1f");
        fmt_mmm(heap, sizeof heap, r->heap_kb, r->runs, "%.1f");
        fmt_mmm(rate, sizeof rate, r->rate, r->runs, "%.0f");
        fmt_mmm(cpu, sizeof cpu, r->cpu_ms, r->runs, "%.2f");
        if (r->failed_runs)
            snprintf(fail, sizeof fail, "%u (at most %u held, %.1f KiB RSS each): %s",
                     r->failed_runs, r->best_reached, r->best_rss_kb, r->error);
        else
            snprintf(fail, sizeof fail, "0");
        printf("| %s | %s | %u | %s | %s | %s | %s | %u | %s |\n", r->label,
               r->version[0] ? r->version : "-", r->n, rss, heap, rate, cpu, r->runs, fail);
    }
    printf("\n");
}

/* The targets, for every mqtls row: every connection held, and the median RSS per
 * connection (the context, the clients' buffers and the TLS library's state included) at
 * most TARGET_KIB_PER_CONN; libmosquitto's median of the same count and version beside it. */
static void print_targets(const idle_row_t *rows, size_t nrows)
{
    for (size_t i = 0; i < nrows; i++) {
        const idle_row_t *r = &rows[i];
        if (r->client != IC_MQTLS)
            continue;
        if (r->runs == 0) {
            printf("Target (%u connections held, <= %.0f KiB each), %s: NOT met: no run held "
                   "them all (at most %u)\n", r->n, TARGET_KIB_PER_CONN, r->label,
                   r->best_reached);
            continue;
        }
        double m = median_of(r->rss_kb, r->runs);
        char beside[96] = "";
        for (size_t k = 0; k < nrows; k++) {
            const idle_row_t *q = &rows[k];
            if (q->client != IC_MOSQ || q->ver != r->ver || q->n != r->n)
                continue;
            if (q->runs)
                snprintf(beside, sizeof beside, " (libmosquitto %.1f KiB)",
                         median_of(q->rss_kb, q->runs));
            else if (q->best_reached)
                snprintf(beside, sizeof beside, " (libmosquitto stopped at %u, %.1f KiB each)",
                         q->best_reached, q->best_rss_kb);
        }
        printf("Target (<= %.0f KiB RSS per idle connection), %s, %u connections: %.1f KiB%s: "
               "%s\n", TARGET_KIB_PER_CONN, r->label, r->n, m, beside,
               m <= TARGET_KIB_PER_CONN ? "met" : "NOT met");
    }
    printf("\n");
}

/* The rows of one count, in their interleaving order: per TLS version mqtls, libmosquitto. */
static size_t idle_rows_for(const bench_opts_t *o, uint32_t n, idle_row_t *out)
{
    size_t k = 0;
    int top = o->tls_mosq13 ? MQTLS_TLS_V1_3 : MQTLS_TLS_V1_2;
    for (int v = MQTLS_TLS_V1_2; v <= top; v++)
        for (int c = IC_MQTLS; c <= IC_MOSQ; c++) {
            if ((c == IC_MOSQ && (!bench_have_mosquitto() || o->only_client == BENCH_MQTLS)) ||
                (c == IC_MQTLS && (o->only_client == BENCH_MOSQ || v > mqtls_tls_max_version())))
                continue;
            idle_row_t *r = &out[k++];
            r->client = (idle_client_t)c;
            r->ver = v;
            r->n = n;
            snprintf(r->label, sizeof r->label, "%s, TLS 1.%d",
                     c == IC_MQTLS ? "mqtls, shared context" : "libmosquitto", v - 10);
        }
    return k;
}

static int idle_measure(const bench_opts_t *o, const bench_tlsenv_t *e, int key)
{
    idle_row_t *rows = calloc(4 * (size_t)o->idle_ncounts, sizeof *rows);
    size_t ncl = 0, nrows = 0;
    int rc = 0;
    if (!rows)
        return 1;
    for (size_t c = 0; c < o->idle_ncounts; c++) {
        ncl = idle_rows_for(o, o->idle_counts[c], rows + nrows);
        nrows += ncl;
    }
    for (size_t c = 0; c < o->idle_ncounts && !bench_stop; c++)
        for (uint32_t run = 0; run < o->idle_runs && !bench_stop; run++)
            for (size_t k = 0; k < ncl && !bench_stop; k++) {
                idle_row_t *row = &rows[c * ncl + k];
                idle_job_t j = {e, row->client, row->ver, key, row->n, o->idle_batch};
                idle_result_t r;
                int ok = idle_run_child(&j, &r) == 0;
                if (o->verbose)
                    printf("  run %u %s N=%u: %s, %u held, %u failed, %.1f s, RSS +%ld KiB %s\n",
                           run + 1, row->label, row->n, ok ? "ok" : "FAILED", r.connected,
                           r.failed, r.open_s, r.rss_after_kb - r.rss_before_kb, r.error);
                row_add(row, &r, ok);
                rc |= !ok;
                sleep(1); /* the broker closes the last run's sockets */
            }
    print_rows(rows, nrows, key);
    print_targets(rows, nrows);
    free(rows);
    return rc;
}

int bench_idle_run(const bench_opts_t *o)
{
    static bench_tlsenv_t e;
    int rc = 1;
    rlim_t nofile = raise_nofile(); /* before the broker starts: it inherits the limit */
    printf("## TLS: idle connections held by one process\n\n");
    printf("One child per row holds N mutual-TLS MQTT 3.1.1 connections in one epoll loop "
           "(at most %u handshakes in flight), idle %d ms with keep-alive %d s; memory per "
           "connection = (VmRSS after - before the first connect) / N and (mallinfo2 "
           "uordblks + hblkhd) / N; connects/s and CPU from the first connect to the last "
           "CONNACK. Open-file limit (this process, the broker, the children): %llu.\n\n",
           o->idle_batch, IDLE_SETTLE_MS, IDLE_KEEPALIVE_S, (unsigned long long)nofile);
    if (bench_tlsenv_open(&e, "bench-idle", "max_connections -1") == 0) {
        rc = 0;
        for (int k = 0; k < BENCH_KEY_COUNT && !bench_stop; k++)
            if (k == BENCH_KEY_EC || o->idle_rsa)
                rc |= idle_measure(o, &e, k);
    }
    bench_tlsenv_close(&e);
    return rc;
}
