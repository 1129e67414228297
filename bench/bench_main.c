/**
 * @file bench_main.c
 * @brief mqtls_bench: the codec micro-benchmark, the end-to-end comparison with
 *        libmosquitto and the TLS section (connect cost, handshake heap). Run without
 *        arguments it does the full measurement (see docs/performance.md); `--help` lists the
 *        options. The idle-connections section (bench_idle.c) runs only on request.
 */
#include <errno.h>
#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

volatile int bench_stop;

static void on_signal(int sig)
{
    (void)sig;
    bench_stop = 1;
}

/* The machine, so that a pasted table says where it was measured. */
static void print_machine(void)
{
    char model[256] = "unknown";
    char line[512];
    double load[3] = {0, 0, 0};
    struct utsname u;
    FILE *f = fopen("/proc/cpuinfo", "r");

    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(model, sizeof model, "%s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
    f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = load[1] = load[2] = 0;
        fclose(f);
    }
    if (uname(&u) != 0)
        snprintf(u.release, sizeof u.release, "unknown");
    printf("Machine: %ld CPUs, %s, Linux %s; load average %.2f %.2f %.2f\n\n",
           sysconf(_SC_NPROCESSORS_ONLN), model, u.release, load[0], load[1], load[2]);
}

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double bench_self_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mqtls_bench [options]\n"
            "  (no options)         codec table, end-to-end table, then the TLS section\n"
            "  --codec-only         only the codec table\n"
            "  --e2e-only           only the end-to-end table\n"
            "  --tls-only           only the TLS section (mutual-TLS connects, handshake heap)\n"
            "  --no-tls             everything but the TLS section\n"
            "  --iterations N       codec: iterations per timed run (default 2000000)\n"
            "  --codec-runs N       codec: best of N runs (default 5)\n"
            "  --messages N         e2e: QoS 0 messages per run (default 100000)\n"
            "  --qos1-messages N    e2e: QoS 1 messages per run (default 20000)\n"
            "  --runs N             e2e: runs per row, the median is printed (default 3, max 32)\n"
            "  --window N           e2e: QoS 1 messages in flight, both clients (default 20)\n"
            "  --payload N          e2e: payload bytes, at least 4 (default 64)\n"
            "  --tx-size N          e2e: mqtls tx buffer bytes (default 16384)\n"
            "  --service-every N    e2e QoS 0: give the library a network turn every N\n"
            "                       publishes (default 1000; 0 = never until the end)\n"
            "  --refill N           e2e QoS 1: publish again only when N slots of the window\n"
            "                       are free (default 1: keep the window full)\n"
            "  --only mqtls|mosq    e2e: only this publisher\n"
            "  --qos 0|1            e2e: only this QoS\n"
            "  --subscriber mosq|mqtls  the counting subscriber's library (default mosq)\n"
            "  --mosq-nodelay       libmosquitto publisher: set MOSQ_OPT_TCP_NODELAY\n"
            "  --exp-short-read     experiment: the mqtls publisher's transport answers \"nothing\n"
            "                       more\" after a short read instead of calling recv() again\n"
            "  --tls-connects N     TLS: connects per row and run (default 100)\n"
            "  --tls-runs N         TLS: interleaved runs of every row: CPU min/median/max,\n"
            "                       latencies pooled (default 3)\n"
            "  --tls-no-13          TLS: leave out the TLS 1.3 rows (connect and idle)\n"
            "  --device-heap        only the device TLS heap table (Mbed TLS builds; in their\n"
            "                       full run too): handshake peak heap of the device config\n"
            "  --idle-only          only the idle-connections section (not in the full run: it\n"
            "                       takes several minutes; --idle adds it to the other sections)\n"
            "  --idle               also run the idle-connections section\n"
            "  --idle-counts A,B    idle: connections held per row (default 1000,10000)\n"
            "  --idle-runs N        idle: interleaved runs of every row (default 3)\n"
            "  --idle-batch N       idle: handshakes in flight at most (default 50)\n"
            "  --idle-rsa           idle: also the RSA-2048 key set (default: EC P-256 only)\n"
            "  --verbose            print every e2e, TLS and idle run\n"
            "  (--only also selects the TLS connect rows and the idle rows)\n");
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* "1000,10000": up to 8 counts of 1..1000000 connections. */
static int parse_counts(const char *s, bench_opts_t *o)
{
    char buf[128];
    char *save = NULL;
    if (strlen(s) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", s);
    o->idle_ncounts = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        uint32_t n;
        if (o->idle_ncounts == 8 || parse_u32(t, 1, 1000000, &n) != 0)
            return -1;
        o->idle_counts[o->idle_ncounts++] = n;
    }
    return o->idle_ncounts ? 0 : -1;
}

int main(int argc, char **argv)
{
    bench_opts_t o = {
        .codec = true,
        .e2e = true,
        .tls = true,
        .iterations = 2000000,
        .codec_runs = 5,
        .qos0_messages = 100000,
        .qos1_messages = 20000,
        .runs = 3,
        .window = 20,
        .payload = 64,
        .tx_size = 16384,
        .service_every = 1000,
        .refill = 1,
        .only_client = -1,
        .only_qos = -1,
        .subscriber = BENCH_MOSQ,
        .tls_connects = 100,
        .tls_runs = 3,
        .tls_mosq13 = true,
        .idle_counts = {1000, 10000},
        .idle_ncounts = 2,
        .idle_runs = 3,
        .idle_batch = 50,
        .devheap = MQTLS_BENCH_DEVHEAP != 0,
    };

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint32_t n = 0;
        int bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--codec-only")) {
            o.e2e = false;
            o.tls = false;
        } else if (!strcmp(a, "--e2e-only")) {
            o.codec = false;
            o.tls = false;
        } else if (!strcmp(a, "--tls-only")) {
            o.codec = false;
            o.e2e = false;
        } else if (!strcmp(a, "--device-heap")) {
            o.codec = false;
            o.e2e = false;
            o.tls = false;
            o.devheap = true;
        } else if (!strcmp(a, "--idle-only")) {
            o.codec = false;
            o.e2e = false;
            o.tls = false;
            o.idle = true;
        } else if (!strcmp(a, "--idle")) {
            o.idle = true;
        } else if (!strcmp(a, "--idle-rsa")) {
            o.idle_rsa = true;
        } else if (!strcmp(a, "--no-tls")) {
            o.tls = false;
        } else if (!strcmp(a, "--tls-no-13") || !strcmp(a, "--tls-no-mosq13")) {
            o.tls_mosq13 = false;
        } else if (!strcmp(a, "--verbose")) {
            o.verbose = true;
        } else if (!strcmp(a, "--exp-short-read")) {
            o.exp_short_read = true;
        } else if (!strcmp(a, "--mosq-nodelay")) {
            o.mosq_nodelay = true;
        } else if (v == NULL) {
            bad = 1;
        } else {
            i++;
            if (!strcmp(a, "--iterations"))
                bad = parse_u32(v, 1, 1000000000u, &o.iterations);
            else if (!strcmp(a, "--codec-runs"))
                bad = parse_u32(v, 1, 100, &o.codec_runs);
            else if (!strcmp(a, "--messages"))
                bad = parse_u32(v, 1, 100000000u, &o.qos0_messages);
            else if (!strcmp(a, "--qos1-messages"))
                bad = parse_u32(v, 1, 100000000u, &o.qos1_messages);
            else if (!strcmp(a, "--runs"))
                bad = parse_u32(v, 1, 32, &o.runs);
            else if (!strcmp(a, "--tls-connects"))
                bad = parse_u32(v, 1, 100000, &o.tls_connects);
            else if (!strcmp(a, "--tls-runs"))
                bad = parse_u32(v, 1, 100, &o.tls_runs);
            else if (!strcmp(a, "--idle-counts"))
                bad = parse_counts(v, &o);
            else if (!strcmp(a, "--idle-runs"))
                bad = parse_u32(v, 1, 32, &o.idle_runs);
            else if (!strcmp(a, "--idle-batch"))
                bad = parse_u32(v, 1, 10000, &o.idle_batch);
            else if (!strcmp(a, "--window")) {
                bad = parse_u32(v, 1, 65535, &n);
                o.window = (uint16_t)n;
            } else if (!strcmp(a, "--payload"))
                bad = parse_u32(v, 4, 1000000, &o.payload);
            else if (!strcmp(a, "--tx-size"))
                bad = parse_u32(v, 64, 64u << 20, &o.tx_size);
            else if (!strcmp(a, "--refill")) {
                bad = parse_u32(v, 1, 65535, &n);
                o.refill = (uint16_t)n;
            } else if (!strcmp(a, "--service-every"))
                bad = parse_u32(v, 0, 100000000u, &o.service_every);
            else if (!strcmp(a, "--only")) {
                if (!strcmp(v, "mqtls"))
                    o.only_client = BENCH_MQTLS;
                else if (!strcmp(v, "mosq") || !strcmp(v, "libmosquitto"))
                    o.only_client = BENCH_MOSQ;
                else
                    bad = 1;
            } else if (!strcmp(a, "--qos")) {
                bad = parse_u32(v, 0, 1, &n);
                o.only_qos = (int)n;
            } else if (!strcmp(a, "--subscriber")) {
                if (!strcmp(v, "mqtls"))
                    o.subscriber = BENCH_MQTLS;
                else if (!strcmp(v, "mosq") || !strcmp(v, "libmosquitto"))
                    o.subscriber = BENCH_MOSQ;
                else
                    bad = 1;
            } else
                bad = 1;
        }
        if (bad) {
            fprintf(stderr, "mqtls_bench: bad option or value: %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!bench_have_mosquitto())
        o.subscriber = BENCH_MQTLS;
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: waits end at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int rc = 0;
    printf("# mqtls benchmark\n\n");
    print_machine();
    if (o.codec)
        rc |= bench_codec_run(&o);
    if (o.e2e && !bench_stop)
        rc |= bench_e2e_run(&o);
    if (o.tls && !bench_stop)
        rc |= bench_tls_run(&o);
    if (o.devheap && !bench_stop)
        rc |= bench_devheap_run(&o);
    if (o.idle && !bench_stop)
        rc |= bench_idle_run(&o);
    if (bench_stop) {
        printf("interrupted\n");
        rc = 1;
    }
    return rc;
}
