/**
 * @file bench_e2e.c
 * @brief End-to-end benchmark: publishers through a private mosquitto on loopback.
 *
 * One run of one row:
 *   1. fork the counting subscriber; it connects, subscribes and says 'R';
 *   2. fork the publisher; it connects, publishes, and reports when every message has left
 *      it (QoS 0) or is acknowledged (QoS 1), then waits;
 *   3. tell the subscriber the publisher is done; it counts until it has every message or
 *      the line has been quiet for a second, and reports;
 *   4. tell the publisher to disconnect, and reap it with wait4(): its rusage (user + system
 *      CPU of the whole process, set-up included) is the "publisher CPU".
 * Every row is run opts->runs times, the rows interleaved, and the medians are printed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "bench.h"
#include "broker.h"

#if MQTLS_BENCH_HAVE_MOSQUITTO
#include <mosquitto.h>
#endif

#define MAX_RUNS 32
#define PIPE_TIMEOUT_MS 330000 /* longer than a child's own run timeout */

/* Broker settings: never drop a message because a queue is full (the default limit of
 * 1000 queued messages per client also applies to QoS 0 when the subscriber falls behind),
 * so a lost message can only be the publisher's fault. */
static const char BROKER_CONF[] = "max_queued_messages 0\n";

typedef struct row {
    const char *label;
    bench_pub_cfg_t cfg;
} row_t;

typedef struct run_result {
    int ok;
    bench_pub_result_t pub;
    bench_sub_result_t sub;
    double user_s;
    double sys_s;
    double wall_s;   /* the publisher's loop: first publish to last message out / acked */
    double e2e_s;    /* first publish to the subscriber's last message */
    double csw;      /* voluntary + involuntary context switches of the publisher */
} run_result_t;

static int read_full(int fd, void *buf, size_t len, int timeout_ms)
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

static void poke(int fd)
{
    ssize_t n;
    do {
        n = write(fd, "x", 1);
    } while (n < 0 && errno == EINTR);
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Forks a child that runs @p fn-like work; returns its pid and the parent's pipe ends. */
typedef struct child {
    pid_t pid;
    int res_fd; /* parent reads */
    int ctl_fd; /* parent writes */
} child_t;

static int spawn(child_t *ch, int (*body)(const void *arg, int res_fd, int ctl_fd),
                 const void *arg)
{
    int res[2], ctl[2];
    if (pipe(res) != 0)
        return -1;
    if (pipe(ctl) != 0) {
        close(res[0]);
        close(res[1]);
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    ch->pid = fork();
    if (ch->pid < 0) {
        close(res[0]);
        close(res[1]);
        close(ctl[0]);
        close(ctl[1]);
        return -1;
    }
    if (ch->pid == 0) {
#if defined(__linux__)
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (getppid() != parent)
            _exit(1);
        close(res[0]);
        close(ctl[1]);
        int rc = body(arg, res[1], ctl[0]);
        fflush(NULL);
        _exit(rc);
    }
    close(res[1]);
    close(ctl[0]);
    ch->res_fd = res[0];
    ch->ctl_fd = ctl[1];
    return 0;
}

static void child_close(child_t *ch)
{
    close(ch->res_fd);
    close(ch->ctl_fd);
}

/* What the children need, passed through spawn(). */
typedef struct job {
    const bench_opts_t *o;
    const bench_pub_cfg_t *cfg;
    uint16_t port;
} job_t;

static int sub_body(const void *arg, int res_fd, int ctl_fd)
{
    const job_t *j = arg;
    return bench_subscriber_main(j->o, j->cfg->qos, j->cfg->messages, j->cfg->topic, j->port,
                                 res_fd, ctl_fd);
}

static int pub_body(const void *arg, int res_fd, int ctl_fd)
{
    const job_t *j = arg;
    return bench_publisher_main(j->o, j->cfg, j->port, res_fd, ctl_fd);
}

static void run_one(const bench_opts_t *o, const bench_pub_cfg_t *cfg, uint16_t port,
                    run_result_t *out)
{
    job_t j = {o, cfg, port};
    child_t sub, pub;
    char ready = 0;
    int status = 0;
    bool reaped = false;
    struct rusage ru;

    memset(out, 0, sizeof *out);
    if (spawn(&sub, sub_body, &j) != 0) {
        snprintf(out->pub.error, sizeof out->pub.error, "fork: %s", strerror(errno));
        return;
    }
    if (read_full(sub.res_fd, &ready, 1, 20000) != 0 || ready != 'R') {
        if (ready != '!' || read_full(sub.res_fd, &out->sub, sizeof out->sub, 5000) != 0)
            snprintf(out->sub.error, sizeof out->sub.error, "subscriber did not start");
        kill(sub.pid, SIGKILL);
        waitpid(sub.pid, NULL, 0);
        child_close(&sub);
        snprintf(out->pub.error, sizeof out->pub.error, "%s", out->sub.error);
        return;
    }
    if (spawn(&pub, pub_body, &j) != 0) {
        snprintf(out->pub.error, sizeof out->pub.error, "fork: %s", strerror(errno));
        kill(sub.pid, SIGKILL);
        waitpid(sub.pid, NULL, 0);
        child_close(&sub);
        return;
    }
    if (read_full(pub.res_fd, &out->pub, sizeof out->pub, PIPE_TIMEOUT_MS) != 0) {
        memset(&out->pub, 0, sizeof out->pub);
        snprintf(out->pub.error, sizeof out->pub.error, "publisher died or hung");
    }
    poke(sub.ctl_fd); /* the publisher is done */
    if (read_full(sub.res_fd, &out->sub, sizeof out->sub, PIPE_TIMEOUT_MS) != 0) {
        memset(&out->sub, 0, sizeof out->sub);
        snprintf(out->sub.error, sizeof out->sub.error, "subscriber died or hung");
        kill(sub.pid, SIGKILL);
    }
    poke(pub.ctl_fd); /* disconnect now */
    if (bench_stop)
        kill(pub.pid, SIGKILL);
    pid_t w;
    do {
        w = wait4(pub.pid, &status, 0, &ru);
    } while (w < 0 && errno == EINTR);
    if (w == pub.pid) {
        reaped = true;
        out->user_s = tv_s(ru.ru_utime);
        out->sys_s = tv_s(ru.ru_stime);
        out->csw = (double)ru.ru_nvcsw + (double)ru.ru_nivcsw;
    }
    while (waitpid(sub.pid, NULL, 0) < 0 && errno == EINTR) {
    }
    child_close(&pub);
    child_close(&sub);

    out->wall_s = (double)(out->pub.t_end_ns - out->pub.t_start_ns) / 1e9;
    if (out->sub.received)
        out->e2e_s = (double)(out->sub.t_last_ns - out->pub.t_start_ns) / 1e9;
    out->ok = out->pub.ok && out->sub.ok && reaped && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, uint32_t n)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

typedef struct row_stats {
    double wall, e2e, cpu, user, sys, loop_cpu, csw;
    uint32_t min_unique, max_received;
    int failures;
    char error[96];
} row_stats_t;

static void summarize(const run_result_t *r, uint32_t n, row_stats_t *s)
{
    double wall[MAX_RUNS], e2e[MAX_RUNS], cpu[MAX_RUNS], user[MAX_RUNS], sys[MAX_RUNS],
        loop[MAX_RUNS], csw[MAX_RUNS];
    memset(s, 0, sizeof *s);
    s->min_unique = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        wall[i] = r[i].wall_s;
        e2e[i] = r[i].e2e_s;
        cpu[i] = r[i].user_s + r[i].sys_s;
        user[i] = r[i].user_s;
        sys[i] = r[i].sys_s;
        loop[i] = r[i].pub.loop_cpu_s;
        csw[i] = r[i].csw;
        if (r[i].sub.unique < s->min_unique)
            s->min_unique = r[i].sub.unique;
        if (r[i].sub.received > s->max_received)
            s->max_received = r[i].sub.received;
        if (!r[i].ok) {
            s->failures++;
            if (!s->error[0])
                snprintf(s->error, sizeof s->error, "%s",
                         r[i].pub.error[0] ? r[i].pub.error : r[i].sub.error);
        }
    }
    s->wall = median(wall, n);
    s->e2e = median(e2e, n);
    s->cpu = median(cpu, n);
    s->user = median(user, n);
    s->sys = median(sys, n);
    s->loop_cpu = median(loop, n);
    s->csw = median(csw, n);
}

static const char *mosq_label(void)
{
    static char label[64];
#if MQTLS_BENCH_HAVE_MOSQUITTO
    int maj, min, rev;
    mosquitto_lib_version(&maj, &min, &rev);
    snprintf(label, sizeof label, "libmosquitto %d.%d.%d", maj, min, rev);
#else
    snprintf(label, sizeof label, "libmosquitto");
#endif
    return label;
}

int bench_e2e_run(const bench_opts_t *o)
{
    static char topics[8][48];
    row_t rows[8];
    size_t nrows = 0;
    test_broker_t broker;
    int rc = 0;

    if (!bench_have_mosquitto() && o->only_client == BENCH_MOSQ) {
        printf("## End-to-end: skipped (libmosquitto was not found when this was built)\n");
        return 0;
    }
    const char *ml = mosq_label();
    struct {
        const char *label;
        bench_client_t client;
        uint8_t qos;
        bool coalesce;
    } all[] = {
        {"mqtls, tx_coalesce on", BENCH_MQTLS, 0, true},
        {"mqtls, tx_coalesce off", BENCH_MQTLS, 0, false},
        {ml, BENCH_MOSQ, 0, false},
        {"mqtls, tx_coalesce off", BENCH_MQTLS, 1, false},
        {"mqtls, tx_coalesce on", BENCH_MQTLS, 1, true},
        {ml, BENCH_MOSQ, 1, false},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (o->only_client >= 0 && (int)all[i].client != o->only_client)
            continue;
        if (o->only_qos >= 0 && all[i].qos != o->only_qos)
            continue;
        if (all[i].client == BENCH_MOSQ && !bench_have_mosquitto())
            continue;
        row_t *r = &rows[nrows];
        snprintf(topics[nrows], sizeof topics[nrows], "mqtls/bench/row%zu", i);
        r->label = all[i].label;
        r->cfg.client = all[i].client;
        r->cfg.qos = all[i].qos;
        r->cfg.coalesce = all[i].coalesce;
        r->cfg.messages = all[i].qos ? o->qos1_messages : o->qos0_messages;
        r->cfg.topic = topics[nrows];
        nrows++;
    }

    printf("## End-to-end: publisher -> mosquitto -> counting subscriber, 127.0.0.1\n\n");
    if (test_broker_start(&broker, BROKER_CONF) != 0) {
        printf("could not start mosquitto: end-to-end skipped\n");
        return 1;
    }
    printf("MQTT 3.1.1, %u-byte payloads, QoS 1 window %u for both clients; subscriber: %s; "
           "median of %u runs.\n\n",
           o->payload, o->window, o->subscriber == BENCH_MOSQ ? ml : "mqtls", o->runs);
    if (o->refill > 1)
        printf("QoS 1 refill: the window is refilled once %u slots are free.\n\n", o->refill);
    fflush(stdout);

    static run_result_t results[8][MAX_RUNS];
    uint32_t done_runs = 0;
    for (uint32_t rep = 0; rep < o->runs && !bench_stop; rep++) {
        for (size_t i = 0; i < nrows && !bench_stop; i++) {
            run_result_t *res = &results[i][rep];
            run_one(o, &rows[i].cfg, broker.port, res);
            if (o->verbose || !res->ok)
                printf("  run %u: %-26s QoS %u: wall %.3f s, e2e %.3f s, CPU %.3f s "
                       "(user %.3f, sys %.3f, loop %.3f), received %u/%u%s%s\n",
                       rep + 1, rows[i].label, rows[i].cfg.qos, res->wall_s, res->e2e_s,
                       res->user_s + res->sys_s, res->user_s, res->sys_s, res->pub.loop_cpu_s,
                       res->sub.unique, rows[i].cfg.messages, res->ok ? "" : "  FAILED: ",
                       res->ok ? "" : (res->pub.error[0] ? res->pub.error : res->sub.error));
            fflush(stdout);
        }
        if (!bench_stop)
            done_runs++;
    }
    test_broker_stop(&broker);
    if (done_runs == 0)
        return 1;
    if (o->verbose)
        printf("\n");

    row_stats_t st[8];
    double mosq_cpu[2] = {0, 0};
    for (size_t i = 0; i < nrows; i++) {
        summarize(results[i], done_runs, &st[i]);
        if (rows[i].cfg.client == BENCH_MOSQ)
            mosq_cpu[rows[i].cfg.qos] = st[i].cpu;
    }

    printf("| client | QoS | messages | wall s | msgs/s | publisher CPU s "
           "| CPU ratio vs libmosquitto | received |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < nrows; i++) {
        const row_t *r = &rows[i];
        const row_stats_t *s = &st[i];
        char ratio[32], recv[64];
        if (mosq_cpu[r->cfg.qos] > 0)
            snprintf(ratio, sizeof ratio, "%.2f", s->cpu / mosq_cpu[r->cfg.qos]);
        else
            snprintf(ratio, sizeof ratio, "-");
        snprintf(recv, sizeof recv, "%u/%u%s%s", s->min_unique, r->cfg.messages,
                 s->min_unique < r->cfg.messages ? " LOST" : "",
                 s->max_received > r->cfg.messages ? " (duplicates)" : "");
        printf("| %s | %u | %u | %.3f | %.0f | %.3f | %s | %s |\n", r->label, r->cfg.qos,
               r->cfg.messages, s->wall, s->wall > 0 ? r->cfg.messages / s->wall : 0.0, s->cpu,
               ratio, recv);
        if (s->failures || s->min_unique < r->cfg.messages)
            rc = 1;
    }
    printf("\nDetails (medians): CPU split (tick-sampled; the sum is exact), CPU of the publish "
           "loop alone (getrusage in the child: no process start, library set-up or connect), "
           "the publisher's context switches (voluntary + involuntary), and the end-to-end "
           "time until the subscriber had the last message.\n\n");
    printf("| client | QoS | user s | sys s | loop CPU s | CPU us/msg | context switches "
           "| end-to-end s | end-to-end msgs/s | failed runs |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < nrows; i++) {
        const row_t *r = &rows[i];
        const row_stats_t *s = &st[i];
        printf("| %s | %u | %.3f | %.3f | %.3f | %.2f | %.0f | %.3f | %.0f | %u%s%s |\n",
               r->label, r->cfg.qos, s->user, s->sys, s->loop_cpu,
               s->cpu * 1e6 / r->cfg.messages, s->csw, s->e2e,
               s->e2e > 0 ? r->cfg.messages / s->e2e : 0.0, (unsigned)s->failures,
               s->failures ? ": " : "", s->error);
    }
    printf("\n");
    return rc;
}
