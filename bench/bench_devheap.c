/**
 * @file bench_devheap.c
 * @brief The device bill's heap (issue 17): what one mutual-TLS connection of the device
 *        configuration (Mbed TLS 3.6 in config/mbedtls_device.h) takes from the heap.
 *
 * Built only with the Mbed TLS backend (-DMQTLS_TLS=mbedtls); `mqtls_bench --device-heap`
 * runs it alone, as `make bench` does in its own build directory.
 *
 * Counted through Mbed TLS's own hooks (MBEDTLS_PLATFORM_MEMORY,
 * mbedtls_platform_set_calloc_free()), which is what a firmware points at its heap or pool:
 * every block the backend and Mbed TLS take, and nothing of the host's libc. Bytes requested,
 * no allocator overhead (a firmware's allocator adds its own).
 *
 * Set-up: bench/device_pki.sh makes, with openssl's command line, an RSA-2048 chain (root →
 * intermediate → leaf) and a P-256 one, the server sending leaf + intermediate, and a P-256
 * device key in both; one private mosquitto has a mutual-TLS listener per chain. The
 * credentials are handed over in memory (ca_mem, cert_mem, key_mem), as on a device.
 *
 * Per row (chain, TLS version pinned or both offered, max_fragment_len) one forked child,
 * so every row starts from an empty heap (PSA's global state included): the context
 * (mqtls_tls_ctx_new()), one connection on it (mqtls_tls_setup_ctx()), the connect (TCP, handshake, MQTT 5 CONNECT/
 * CONNACK), then a SUBSCRIBE and a PUBLISH to itself of nearly the Maximum Packet Size the
 * client advertised (its receive buffer, = MBEDTLS_SSL_IN_CONTENT_LEN): the record-size trap
 * of the issue (a broker may send a packet as one record as large as that) is part of the row.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "broker.h"
#include "mqtls/client.h"
#include "mqtls/transport_tls.h"

#if MQTLS_BENCH_DEVHEAP

#include <mbedtls/build_info.h>
#include <mbedtls/platform.h>

#define DH_TARGET 24576u       /* the handshake peak heap target: 24 KiB */
#define DH_TIMEOUT_MS 10000u
#define DH_CHILD_MS 60000
#define DH_CRED_MAX 8192
/* The client's receive buffer, hence the Maximum Packet Size it advertises: what the TLS
 * input buffer must be able to take as one record (a server may ignore record_size_limit). */
#define DH_RX MBEDTLS_SSL_IN_CONTENT_LEN
#define DH_BIG (DH_RX - 64u) /* the PUBLISH to receive: topic and header fill the rest */

#define DH_GROUPS 16     /* the largest groups of live blocks at the handshake peak */
#define DH_SNAP_MAX 4096 /* live blocks kept at the peak */

enum { DH_RSA = 0, DH_EC = 1, DH_FAMILIES = 2 };
static const char *const dh_family[DH_FAMILIES] = {"rsa", "ec"};
static const char *const dh_family_name[DH_FAMILIES] = {
    "RSA-2048 chain (root → intermediate → leaf), P-256 device key",
    "P-256 chain (root → intermediate → leaf), P-256 device key"};
static const uint16_t dh_mfls[] = {0, 4096, 2048, 1024, 512};
#define DH_NMFL (sizeof dh_mfls / sizeof dh_mfls[0])

/* The device's setting, the one the target is judged at (bench/size/device_client.c uses
 * it too): 2048, so that a TLS 1.2 connection's buffers shrink to it after the handshake
 * (variable buffers). 512 is too small for an RSA-signed device certificate: Mbed TLS does
 * not split an outgoing handshake message over records, and the server ends the handshake.
 * The handshake peak itself does not depend on it (the buffers are allocated whole). */
#ifndef DH_DEVICE_MFL
#define DH_DEVICE_MFL 2048
#endif
/* TLS 1.3 has no max_fragment_length with Mbed TLS 3.6 (the backend keeps a context that asks
 * for it to TLS 1.2): a TLS 1.3 device is judged without it. */
#define DH_DEVICE_MFL_FOR(v) ((v) ? 0 : DH_DEVICE_MFL)

typedef struct dh_env {
    char dir[512];
    uint16_t port[DH_FAMILIES];
    test_broker_t broker;
    uint8_t ca[DH_FAMILIES][DH_CRED_MAX], cert[DH_FAMILIES][DH_CRED_MAX],
        key[DH_FAMILIES][DH_CRED_MAX];
    size_t ca_len[DH_FAMILIES], cert_len[DH_FAMILIES], key_len[DH_FAMILIES];
} dh_env_t;

typedef struct dh_result {
    int connected;
    int big_ok;            /* the near-Maximum-Packet-Size PUBLISH came back whole */
    size_t ctx_own;        /* held by the context alone (PSA's state included) */
    size_t after_setup;    /* + one connection set up */
    size_t hs_peak;        /* the peak up to CONNACK: context + connection + handshake */
    size_t idle;           /* held by the connected, idle client (context included) */
    size_t run_peak;       /* the peak over the whole row (the big PUBLISH included) */
    unsigned long allocs;
    char version[16];
    char suite[64];
    char error[160];
    unsigned ngroups;      /* live at the handshake peak, by allocating site and size */
    struct dh_group {
        unsigned long site; /* the call site's offset in its object (addr2line's input) */
        unsigned size, count;
    } groups[DH_GROUPS];
    size_t rest_bytes;     /* of the blocks not in groups[] */
} dh_result_t;

/* ---- Counting hooks ------------------------------------------------------------------ */

#define DH_MAGIC 0x6d71746c73646800ull

/* Every live block is on a list, with the address it was requested from, so that the
 * blocks live at the peak can be told by allocating site (the snapshot below). */
typedef struct dh_hdr {
    struct dh_hdr *prev, *next;
    const void *site;
    size_t size;
    unsigned long long magic;
} dh_hdr_t;

static struct {
    size_t cur, peak;
    unsigned long allocs;
    dh_hdr_t *live;
    int snap_on;     /* keep the live blocks at each new peak (until CONNACK) */
    size_t snap_n;
    struct dh_snap {
        const void *site;
        size_t size;
    } snap[DH_SNAP_MAX];
} dh;

static void dh_snapshot(void)
{
    dh.snap_n = 0;
    for (const dh_hdr_t *h = dh.live; h && dh.snap_n < DH_SNAP_MAX; h = h->next) {
        dh.snap[dh.snap_n].site = h->site;
        dh.snap[dh.snap_n++].size = h->size;
    }
}

/* mbedtls_calloc() calls this through a pointer in its tail: the return address is the
 * site in Mbed TLS or the backend that asked. */
__attribute__((noinline)) static void *dh_calloc(size_t n, size_t size)
{
    const void *site = __builtin_return_address(0);
    if (size && n > (SIZE_MAX - sizeof(dh_hdr_t)) / size)
        return NULL;
    size_t total = n * size;
    dh_hdr_t *h = calloc(1, sizeof *h + total);
    if (!h)
        return NULL;
    h->size = total;
    h->site = site;
    h->magic = DH_MAGIC;
    h->next = dh.live;
    if (dh.live)
        dh.live->prev = h;
    dh.live = h;
    dh.cur += total;
    dh.allocs++;
    if (dh.cur > dh.peak) {
        dh.peak = dh.cur;
        if (dh.snap_on)
            dh_snapshot();
    }
    return h + 1;
}

static void dh_free(void *p)
{
    if (!p)
        return;
    dh_hdr_t *h = (dh_hdr_t *)p - 1;
    if (h->magic != DH_MAGIC) { /* not ours: from before the hooks (none expected) */
        free(p);
        return;
    }
    h->magic = 0;
    dh.cur -= h->size;
    if (h->prev)
        h->prev->next = h->next;
    else
        dh.live = h->next;
    if (h->next)
        h->next->prev = h->prev;
    free(h);
}

static int dh_cmp_group(const void *a, const void *b)
{
    const struct dh_group *x = a, *y = b;
    unsigned long bx = (unsigned long)x->size * x->count, by = (unsigned long)y->size * y->count;
    return (bx < by) - (bx > by);
}

/* The snapshot grouped by (site, size), largest first, into @p r. */
static void dh_group_snapshot(dh_result_t *r)
{
    static struct dh_group all[DH_SNAP_MAX];
    size_t n = 0;
    for (size_t i = 0; i < dh.snap_n; i++) {
        Dl_info info;
        unsigned long site = (unsigned long)dh.snap[i].site;
        if (dladdr(dh.snap[i].site, &info) && info.dli_fbase)
            site -= (unsigned long)info.dli_fbase;
        size_t g = 0;
        while (g < n && !(all[g].site == site && all[g].size == dh.snap[i].size))
            g++;
        if (g == n)
            all[n++] = (struct dh_group){site, (unsigned)dh.snap[i].size, 0};
        all[g].count++;
    }
    qsort(all, n, sizeof all[0], dh_cmp_group);
    r->ngroups = n < DH_GROUPS ? (unsigned)n : DH_GROUPS;
    memcpy(r->groups, all, r->ngroups * sizeof all[0]);
    for (size_t g = r->ngroups; g < n; g++)
        r->rest_bytes += (size_t)all[g].size * all[g].count;
}

/* ---- Set-up: certificates and broker --------------------------------------------------- */

static int read_cred(const char *dir, const char *fam, const char *name, uint8_t *buf,
                     size_t *len)
{
    char path[640];
    snprintf(path, sizeof path, "%s/%s/%s", dir, fam, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, DH_CRED_MAX - 1, f);
    int bad = ferror(f) || !feof(f);
    fclose(f);
    buf[n] = '\0'; /* PEM in memory: Mbed TLS wants the terminating NUL counted */
    *len = n + 1;
    return bad ? -1 : 0;
}

static int dh_start_broker(dh_env_t *e)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        char conf[4096];
        size_t len = 0;
        for (int k = 0; k < DH_FAMILIES; k++) {
            e->port[k] = test_free_port();
            len += (size_t)snprintf(conf + len, sizeof conf - len,
                                    "listener %u 127.0.0.1\ncafile %s/%s/root.crt\n"
                                    "certfile %s/%s/server-chain.crt\nkeyfile %s/%s/leaf.key\n"
                                    "require_certificate true\n",
                                    (unsigned)e->port[k], e->dir, dh_family[k], e->dir,
                                    dh_family[k], e->dir, dh_family[k]);
        }
        if (len < sizeof conf && e->port[0] && e->port[1] && e->port[0] != e->port[1] &&
            test_broker_start(&e->broker, conf) == 0)
            return 0;
    }
    return -1;
}

static int dh_env_open(dh_env_t *e)
{
    const char *tmp = getenv("TMPDIR");
    e->broker.pid = -1;
    snprintf(e->dir, sizeof e->dir, "%s/mqtls-devheap-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(e->dir)) {
        e->dir[0] = '\0';
        printf("cannot create a temporary directory: %s\n\n", strerror(errno));
        return -1;
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "sh '%s' '%s'", MQTLS_BENCH_DEVICE_PKI, e->dir);
    if (system(cmd) != 0) {
        printf("%s failed\n\n", MQTLS_BENCH_DEVICE_PKI);
        return -1;
    }
    for (int k = 0; k < DH_FAMILIES; k++)
        if (read_cred(e->dir, dh_family[k], "root.crt", e->ca[k], &e->ca_len[k]) ||
            read_cred(e->dir, dh_family[k], "dev.crt", e->cert[k], &e->cert_len[k]) ||
            read_cred(e->dir, dh_family[k], "dev.key", e->key[k], &e->key_len[k])) {
            printf("cannot read the certificates in %s\n\n", e->dir);
            return -1;
        }
    if (dh_start_broker(e) != 0) {
        printf("could not start mosquitto with the TLS listeners\n\n");
        return -1;
    }
    return 0;
}

static void dh_env_close(dh_env_t *e)
{
    if (e->broker.pid > 0)
        test_broker_stop(&e->broker);
    const char *keep = getenv("MQTLS_KEEP_TEST_DIRS");
    if (e->dir[0] && !(keep && *keep)) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
        (void)system(cmd);
    }
}

/* ---- One row, in a child ---------------------------------------------------------------- */

typedef struct dh_conn {
    mqtls_tls_ctx_t *ctx;
    mqtls_tls_t tls;
    mqtls_client_t c;
    mqtls_connect_opts_t co;
    uint8_t rx[DH_RX];
    uint8_t tx[1024];
    uint8_t payload[DH_BIG];
    int got_big;
} dh_conn_t;

static dh_conn_t dc; /* one per child */

static void dh_on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    (void)c;
    (void)user;
    if (ev->type == MQTLS_EV_MESSAGE && ev->message->payload_len == DH_BIG &&
        memcmp(ev->message->payload, dc.payload, DH_BIG) == 0)
        dc.got_big = 1;
}

static mqtls_status_t dh_ctx(const dh_env_t *e, int k, int ver, uint16_t mfl)
{
    mqtls_tls_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_mem = e->ca[k];
    cfg.ca_mem_len = e->ca_len[k];
    cfg.cert_mem = e->cert[k];
    cfg.cert_mem_len = e->cert_len[k];
    cfg.key_mem = e->key[k];
    cfg.key_mem_len = e->key_len[k];
    cfg.min_version = ver ? ver : MQTLS_TLS_V1_2; /* 0: both offered, the server picks */
    cfg.max_version = ver ? ver : MQTLS_TLS_V1_3;
    cfg.max_fragment_len = mfl;
    cfg.handshake_timeout_ms = DH_TIMEOUT_MS;
    cfg.server_name = "localhost";
    return mqtls_tls_ctx_new(&dc.ctx, &cfg, NULL);
}

static void dh_client(const dh_env_t *e, int k)
{
    mqtls_client_cfg_t cc;
    memset(&cc, 0, sizeof cc);
    cc.transport = &mqtls_tls_transport;
    cc.transport_ctx = &dc.tls;
    cc.platform = &mqtls_platform_posix;
    cc.rx_buf = dc.rx;
    cc.rx_size = sizeof dc.rx;
    cc.tx_buf = dc.tx;
    cc.tx_size = sizeof dc.tx;
    cc.on_event = dh_on_event;
    mqtls_client_init(&dc.c, &cc);
    memset(&dc.co, 0, sizeof dc.co);
    dc.co.host = "127.0.0.1";
    dc.co.port = e->port[k];
    dc.co.connect.version = MQTLS_V5;
    dc.co.connect.clean_start = true;
    dc.co.connect.keep_alive = 60;
    dc.co.connect.client_id = mqtls_str("bench-device-heap");
    dc.co.connect_timeout_ms = DH_TIMEOUT_MS;
}

/* SUBSCRIBE, then a PUBLISH to ourselves of nearly the Maximum Packet Size we advertised,
 * which the broker sends back in one record when TLS lets it. */
static mqtls_status_t dh_big_round_trip(void)
{
    mqtls_subscription_t sub = {mqtls_str("bench/device/heap"), 0};
    uint8_t code = 0;
    mqtls_status_t st = mqtls_sync_subscribe(&dc.c, &sub, 1, NULL, &code, DH_TIMEOUT_MS);
    if (st != MQTLS_OK)
        return st;
    for (size_t i = 0; i < DH_BIG; i++)
        dc.payload[i] = (uint8_t)(i * 131u + 7u);
    mqtls_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = sub.filter;
    pub.payload = dc.payload;
    pub.payload_len = DH_BIG;
    st = mqtls_sync_publish(&dc.c, &pub, DH_TIMEOUT_MS);
    for (int i = 0; st == MQTLS_OK && !dc.got_big && i < 50; i++)
        st = mqtls_sync_run(&dc.c, 100);
    return st;
}

static void dh_measure(const dh_env_t *e, int k, int ver, uint16_t mfl, dh_result_t *r)
{
    mbedtls_platform_set_calloc_free(dh_calloc, dh_free);
    mqtls_status_t st = dh_ctx(e, k, ver, mfl);
    r->ctx_own = dh.cur;
    if (st != MQTLS_OK) {
        snprintf(r->error, sizeof r->error, "context: %s", mqtls_strerror(st));
        return;
    }
    mqtls_tls_init(&dc.tls);
    st = mqtls_tls_setup_ctx(&dc.tls, dc.ctx);
    r->after_setup = dh.cur;
    dh_client(e, k);
    dh.snap_on = 1;
    if (st == MQTLS_OK)
        st = mqtls_sync_connect(&dc.c, &dc.co, NULL);
    dh.snap_on = 0;
    r->hs_peak = dh.peak;
    dh_group_snapshot(r);
    if (st != MQTLS_OK) {
        snprintf(r->error, sizeof r->error, "connect: %s", mqtls_strerror(st));
        return;
    }
    r->connected = 1;
    const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&dc.tls);
    snprintf(r->version, sizeof r->version, "%s", ev->version);
    snprintf(r->suite, sizeof r->suite, "%s", ev->ciphersuite);
    st = dh_big_round_trip();
    r->big_ok = dc.got_big;
    if (!r->big_ok)
        snprintf(r->error, sizeof r->error, "%u-byte PUBLISH: %s", (unsigned)DH_BIG,
                 st == MQTLS_OK ? "not received" : mqtls_strerror(st));
    r->idle = dh.cur;
    r->run_peak = dh.peak;
    r->allocs = dh.allocs;
    (void)mqtls_disconnect(&dc.c, 0, NULL);
}

/* Runs one row in a child; @return 0, or -1 when the child died or hung. */
static int dh_row(const dh_env_t *e, int k, int ver, uint16_t mfl, dh_result_t *r)
{
    int fds[2];
    memset(r, 0, sizeof *r);
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dh_measure(e, k, ver, mfl, r);
        ssize_t w = write(fds[1], r, sizeof *r);
        _exit(w == (ssize_t)sizeof *r ? 0 : 1);
    }
    close(fds[1]);
    struct pollfd p = {fds[0], POLLIN, 0};
    ssize_t got = -1;
    if (pid > 0 && poll(&p, 1, DH_CHILD_MS) == 1)
        got = read(fds[0], r, sizeof *r);
    close(fds[0]);
    if (pid > 0) {
        if (got != (ssize_t)sizeof *r)
            kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
    }
    if (got != (ssize_t)sizeof *r) {
        memset(r, 0, sizeof *r);
        snprintf(r->error, sizeof r->error, "the child died or hung");
        return -1;
    }
    return 0;
}

/* ---- The table -------------------------------------------------------------------------- */

static void dh_print_config(void)
{
    printf("Device configuration: %s (config/mbedtls_device.h): MBEDTLS_SSL_IN_CONTENT_LEN %d, "
           "MBEDTLS_SSL_OUT_CONTENT_LEN %d, MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH %s, "
           "MBEDTLS_ECP_WINDOW_SIZE %d, MBEDTLS_MPI_WINDOW_SIZE %d. The client's receive "
           "buffer (its Maximum Packet Size) is %u bytes; every row receives a %u-byte PUBLISH "
           "after the handshake.\n\n",
           MBEDTLS_VERSION_STRING_FULL, MBEDTLS_SSL_IN_CONTENT_LEN, MBEDTLS_SSL_OUT_CONTENT_LEN,
#if defined(MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH)
           "on",
#else
           "off",
#endif
           MBEDTLS_ECP_WINDOW_SIZE, MBEDTLS_MPI_WINDOW_SIZE, (unsigned)DH_RX, (unsigned)DH_BIG);
}

static void dh_print_row(int k, int ver, uint16_t mfl, const dh_result_t *r)
{
    char m[16] = "none";
    if (mfl)
        snprintf(m, sizeof m, "%u", (unsigned)mfl);
    const char *v = ver == MQTLS_TLS_V1_3 ? "1.3" : ver ? "1.2" : "1.2 + 1.3 offered";
    if (!r->connected) {
        printf("| %s | %s | %s | FAILED: %s | %zu | | | | | |\n", dh_family[k], v, m, r->error,
               r->ctx_own);
        return;
    }
    printf("| %s | %s | %s | %s, %s | %zu | %zu | **%zu** | %zu | %zu | %s |\n", dh_family[k], v,
           m, r->version, r->suite, r->ctx_own, r->after_setup, r->hs_peak, r->idle,
           r->run_peak, r->big_ok ? "yes" : r->error);
}

/* The verdict at the device setting (DH_DEVICE_MFL); @return 1 when a row failed outright. */
static int dh_verdicts(dh_result_t res[DH_FAMILIES][3][DH_NMFL])
{
    int bad = 0;
    for (int k = 0; k < DH_FAMILIES; k++)
        for (int v = 0; v < 2; v++)
            for (size_t m = 0; m < DH_NMFL; m++) {
                const dh_result_t *r = &res[k][v][m];
                if (dh_mfls[m] != DH_DEVICE_MFL_FOR(v))
                    continue;
                if (!r->connected || !r->big_ok)
                    bad = 1;
                printf("Target (handshake peak heap <= %u B), %s, TLS %s, max_fragment_len %u: "
                       "%zu B: %s%s\n", DH_TARGET, dh_family_name[k], v ? "1.3" : "1.2",
                       (unsigned)DH_DEVICE_MFL_FOR(v), r->hs_peak,
                       !r->connected ? "NOT met (the handshake failed)"
                       : r->hs_peak <= DH_TARGET ? "met" : "NOT met",
                       r->connected && !r->big_ok ? "; the big PUBLISH was NOT received" : "");
            }
    return bad;
}

/* Names @p site (an offset in this executable) as "function (file:line)" with addr2line. */
static void dh_site_name(unsigned long site, char *out, size_t size)
{
    char cmd[128], fn[160] = "?", line[256] = "";
    snprintf(out, size, "0x%lx", site);
    snprintf(cmd, sizeof cmd, "addr2line -f -s -e /proc/%ld/exe 0x%lx 2>/dev/null",
             (long)getpid(), site);
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    if (fgets(fn, sizeof fn, p) && fgets(line, sizeof line, p)) {
        fn[strcspn(fn, "\n")] = '\0';
        line[strcspn(line, " \n")] = '\0';
        snprintf(out, size, "%s (%s)", fn, line);
    }
    pclose(p);
}

/* Where the handshake peak of @p r goes: the live blocks grouped by allocating site. */
static void dh_print_peak(int k, int v, const dh_result_t *r)
{
    if (!r->ngroups)
        return;
    printf("\nLive at the handshake peak, %s, TLS %s (%zu B):\n\n| bytes | blocks x size "
           "| allocated in |\n|---:|---:|---|\n", dh_family_name[k], v ? "1.3" : "1.2",
           r->hs_peak);
    for (unsigned g = 0; g < r->ngroups; g++) {
        char name[320];
        dh_site_name(r->groups[g].site, name, sizeof name);
        printf("| %lu | %u x %u | %s |\n",
               (unsigned long)r->groups[g].size * r->groups[g].count, r->groups[g].count,
               r->groups[g].size, name);
    }
    if (r->rest_bytes)
        printf("| %zu | | (the rest) |\n", r->rest_bytes);
}

int bench_devheap_run(const bench_opts_t *o)
{
    static dh_env_t env;
    static dh_result_t res[DH_FAMILIES][3][DH_NMFL];
    (void)o;
    printf("## Device TLS: handshake heap of the device configuration\n\n");
    memset(&env, 0, sizeof env);
    if (dh_env_open(&env) != 0) {
        dh_env_close(&env);
        return 1;
    }
    dh_print_config();
    printf("Bytes requested through Mbed TLS's calloc/free hooks, per row in a new process. "
           "context = mqtls_tls_ctx_new() (credentials from memory, PSA's state); setup = + "
           "mqtls_tls_setup_ctx(); handshake peak = the highest level up to CONNACK "
           "(context and connection included); idle = held by the connected client after "
           "the handshake and the big PUBLISH (context included); row peak = the highest "
           "level over the row. The mqtls_tls_t (%zu B) and the client's buffers are the "
           "caller's memory, not heap.\n\n", sizeof(mqtls_tls_t));
    printf("| chain | TLS | max_fragment_len | negotiated | context | after setup "
           "| handshake peak | idle, connected | row peak | %u-byte PUBLISH received |\n",
           (unsigned)DH_BIG);
    printf("|---|---|---:|---|---:|---:|---:|---:|---:|---|\n");
    for (int k = 0; k < DH_FAMILIES && !bench_stop; k++)
        for (int v = 0; v < 3 && !bench_stop; v++)
            for (size_t m = 0; m < DH_NMFL && !bench_stop; m++) {
                /* Pinned 1.2, pinned 1.3, then both offered (not judged: what a device
                 * that lets the server choose gets). */
                int ver = v == 0 ? MQTLS_TLS_V1_2 : v == 1 ? MQTLS_TLS_V1_3 : 0;
                /* Refused at set-up by design, so not rows: a fragment larger than the
                 * output buffer, and max_fragment_len with TLS 1.3 only (creds_mbedtls.c). */
                if (dh_mfls[m] > MBEDTLS_SSL_OUT_CONTENT_LEN || (v == 1 && dh_mfls[m]))
                    continue;
                (void)dh_row(&env, k, ver, dh_mfls[m], &res[k][v][m]);
                dh_print_row(k, ver, dh_mfls[m], &res[k][v][m]);
            }
    printf("\n");
    int rc = dh_verdicts(res);
    for (int k = 0; k < DH_FAMILIES; k++)
        for (int v = 0; v < 2; v++)
            for (size_t m = 0; m < DH_NMFL; m++)
                if (dh_mfls[m] == DH_DEVICE_MFL_FOR(v))
                    dh_print_peak(k, v, &res[k][v][m]);
    printf("\n");
    dh_env_close(&env);
    return rc;
}

#else

int bench_devheap_run(const bench_opts_t *o)
{
    (void)o;
    printf("## Device TLS: handshake heap of the device configuration\n\nskipped: this build "
           "is not on the Mbed TLS backend (configure with -DMQTLS_TLS=mbedtls)\n\n");
    return 0;
}

#endif
