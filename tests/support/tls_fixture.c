/**
 * @file tls_fixture.c
 * @brief The TLS test fixture (see tls_fixture.h).
 */
#include "tls_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "mqtls/platform.h"
#include "test.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define PATH_RING 128
#define PATH_LEN 768
#define RAW_LIFETIME_S 30   /* the raw server's child ends after this many seconds */
#define WAIT_MS 5000u       /* subscribe, publish and delivery waits */

static char run_dir[PATH_MAX];
static char bin_path[PATH_MAX];

uint64_t tf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------ files, commands */

const char *tf_dir(void)
{
    return run_dir;
}

const char *tf_path(const char *fmt, ...)
{
    static char ring[PATH_RING][PATH_LEN];
    static unsigned next;
    char *out = ring[next++ % PATH_RING];
    char rel[PATH_LEN / 2 - 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rel, sizeof rel, fmt, ap);
    va_end(ap);
    snprintf(out, PATH_LEN, "%.*s/%s", (int)(PATH_LEN / 2 - 8), run_dir, rel);
    return out;
}

static bool is_executable(const char *p)
{
    struct stat st;
    return p && *p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* $MQTLS_BIN, or the tool next to this test in the build tree (for runs outside ctest). */
static int find_bin(void)
{
    const char *env = getenv("MQTLS_BIN");
    if (is_executable(env)) {
        snprintf(bin_path, sizeof bin_path, "%s", env);
        return 0;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(bin_path, sizeof bin_path, "%.*s/../tools/mqtls", PATH_MAX - 32, self);
            if (is_executable(bin_path)) {
                return 0;
            }
        }
    }
    printf("tls fixture: MQTLS_BIN is not set to the mqtls tool and ../tools/mqtls is missing\n");
    return -1;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[PATH_MAX];
            snprintf(sub, sizeof sub, "%.*s/%s", PATH_MAX / 2, path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

int tf_begin(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if (find_bin() != 0)
        return -1;
    snprintf(run_dir, sizeof run_dir, "%.*s/mqtls-tls-XXXXXX", PATH_MAX - 32, tmp);
    if (!mkdtemp(run_dir)) {
        printf("tls fixture: mkdtemp in %s: %s\n", tmp, strerror(errno));
        run_dir[0] = '\0';
        return -1;
    }
    if (tf_sh("openssl version") != 0) {
        printf("tls fixture: the openssl command does not run\n");
        return -1;
    }
    return 0;
}

void tf_end(void)
{
    if (!run_dir[0])
        return;
    if (getenv("MQTLS_KEEP_TEST_DIRS"))
        printf("tls fixture: kept %s\n", run_dir);
    else
        remove_tree(run_dir);
    run_dir[0] = '\0';
}

static int run_cmd(const char *cmd)
{
    char log[PATH_MAX];
    snprintf(log, sizeof log, "%.*s/commands.log", PATH_MAX - 32, run_dir);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return -1;
    dprintf(fd, "$ %s\n", cmd);
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fd);
        return -1;
    }
    if (pid == 0) {
        (void)setpgid(0, 0); /* its own group: a timeout ends the whole pipeline */
#if defined(__linux__)
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(126);
#endif
        (void)parent;
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0)
            dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        for (int k = 3; k < 1024; k++)
            close(k);
        if (chdir(run_dir) != 0)
            _exit(126);
        setenv("MQTLS_BIN", bin_path, 1);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fd);
    uint64_t end = tf_now_ms() + TF_CMD_TIMEOUT_MS;
    int wst = 0;
    for (;;) {
        pid_t r = waitpid(pid, &wst, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        if (tf_now_ms() >= end) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            printf("tls fixture: command timed out: %s\n", cmd);
            return -1;
        }
        sleep_ms(5);
    }
    return WIFEXITED(wst) ? WEXITSTATUS(wst) : -1;
}

int tf_sh(const char *fmt, ...)
{
    char cmd[TF_CMD_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return -1;
    int rc = run_cmd(cmd);
    if (rc != 0)
        printf("tls fixture: exit %d: %s (see %s/commands.log)\n", rc, cmd, run_dir);
    return rc;
}

int tf_pki(const char *fmt, ...)
{
    char args[TF_CMD_MAX - 32], cmd[TF_CMD_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof args)
        return -1;
    snprintf(cmd, sizeof cmd, "\"$MQTLS_BIN\" pki %s", args);
    return tf_sh("%s", cmd);
}

int tf_pki_base(void)
{
    if (tf_pki("init ca --cn 'mqtls test CA'") != 0 ||
        tf_pki("server ca --name localhost --ip 127.0.0.1") != 0 ||
        tf_pki("device ca dev1") != 0 || tf_pki("init other --cn 'other test CA'") != 0 ||
        tf_pki("device other dev-other") != 0)
        return -1;
    return 0;
}

uint8_t *tf_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

int tf_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------------------ broker */

static size_t add_line(char *buf, size_t cap, size_t len, const char *key, const char *val)
{
    if (!val || len >= cap)
        return len;
    int n = snprintf(buf + len, cap - len, "%s %s\n", key, val);
    return n < 0 ? len : len + (size_t)n;
}

int tf_broker_start(test_broker_t *b, tf_listener_t *ls, size_t n)
{
    size_t cap = 4096 + n * 2048;
    char *conf = malloc(cap);
    if (!conf)
        return -1;
    for (int attempt = 0; attempt < 4; attempt++) {
        size_t len = 0;
        conf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            char num[16];
            ls[i].port = test_free_port();
            snprintf(num, sizeof num, "%u", (unsigned)ls[i].port);
            len += (size_t)snprintf(conf + len, cap - len, "listener %s 127.0.0.1\n", num);
            len = add_line(conf, cap, len, "cafile", ls[i].cafile);
            len = add_line(conf, cap, len, "capath", ls[i].capath);
            len = add_line(conf, cap, len, "certfile", ls[i].certfile);
            len = add_line(conf, cap, len, "keyfile", ls[i].keyfile);
            len = add_line(conf, cap, len, "require_certificate",
                           ls[i].require_certificate ? "true" : "false");
            len = add_line(conf, cap, len, "tls_version", ls[i].tls_version);
            len = add_line(conf, cap, len, "ciphers", ls[i].ciphers);
            if (ls[i].extra && len < cap)
                len += (size_t)snprintf(conf + len, cap - len, "%s\n", ls[i].extra);
        }
        if (len >= cap) {
            free(conf);
            return -1;
        }
        if (test_broker_start(b, conf) == 0) {
            free(conf);
            return 0;
        }
    }
    free(conf);
    return -1;
}

bool tf_broker_saw_client(const test_broker_t *b, const char *client_id)
{
    char path[TEST_BROKER_DIR_MAX + 32], needle[128];
    size_t len;
    snprintf(path, sizeof path, "%s/mosquitto.log", b->dir);
    snprintf(needle, sizeof needle, " as %s (", client_id);
    uint8_t *log = tf_read_file(path, &len);
    bool seen = log && strstr((const char *)log, needle) != NULL;
    free(log);
    return seen;
}

/* ------------------------------------------------------------------------ client */

static void on_event(mqtls_client_t *cli, const mqtls_event_t *ev, void *user)
{
    tf_client_t *c = user;
    (void)cli;
    switch (ev->type) {
    case MQTLS_EV_MESSAGE: {
        const mqtls_publish_t *m = ev->message;
        c->nmsgs++;
        snprintf(c->last_topic, sizeof c->last_topic, "%.*s", (int)m->topic.len,
                 (const char *)m->topic.data);
        snprintf(c->last_payload, sizeof c->last_payload, "%.*s", (int)m->payload_len,
                 (const char *)m->payload);
        c->last_qos = m->qos;
        break;
    }
    case MQTLS_EV_PUBLISH_DONE:
        c->npublish_done++;
        break;
    case MQTLS_EV_CONNECT_FAILED:
    case MQTLS_EV_DISCONNECTED:
        c->end_status = ev->status;
        break;
    default:
        break;
    }
}

void tf_client_init(tf_client_t *c, const char *id)
{
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    mqtls_tls_init(&c->tls);
    mqtls_tcp_init(&c->tcp, 0);
    mqtls_ram_store_init(&c->store, c->store_buf, sizeof c->store_buf);
    c->cfg.transport = &mqtls_tls_transport;
    c->cfg.transport_ctx = &c->tls;
    c->cfg.platform = &mqtls_platform_posix;
    c->cfg.rx_buf = c->rx;
    c->cfg.rx_size = sizeof c->rx;
    c->cfg.tx_buf = c->tx;
    c->cfg.tx_size = sizeof c->tx;
    c->cfg.inflight = c->inflight;
    c->cfg.inflight_cap = (uint16_t)(sizeof c->inflight / sizeof c->inflight[0]);
    c->cfg.qos2_in = c->qos2_in;
    c->cfg.qos2_in_cap = (uint16_t)(sizeof c->qos2_in / sizeof c->qos2_in[0]);
    c->cfg.store = &mqtls_ram_store;
    c->cfg.store_ctx = &c->store;
    c->cfg.on_event = on_event;
    c->cfg.user = c;
    c->opts.connect.version = MQTLS_V311;
    c->opts.connect.clean_start = true;
    c->opts.connect.keep_alive = 30;
    c->opts.connect.client_id = mqtls_str(c->id);
    mqtls_client_init(&c->cli, &c->cfg);
}

static mqtls_status_t do_connect(tf_client_t *c, const char *host, uint16_t port,
                                 uint32_t timeout_ms)
{
    uint8_t reason = 0;
    c->opts.host = host;
    c->opts.port = port;
    c->opts.connect_timeout_ms = timeout_ms;
    uint64_t t0 = tf_now_ms();
    mqtls_status_t st = mqtls_sync_connect(&c->cli, &c->opts, &reason);
    c->elapsed_ms = (uint32_t)(tf_now_ms() - t0);
    return st;
}

mqtls_status_t tf_connect(tf_client_t *c, const mqtls_tls_cfg_t *cfg, const char *host,
                          uint16_t port, uint32_t timeout_ms)
{
    mqtls_tls_cfg_t kept = *cfg;
    kept.keep_chain = true; /* the tests look at the chain after a success too */
    c->setup_status = mqtls_tls_setup(&c->tls, &kept);
    if (c->setup_status != MQTLS_OK)
        return c->setup_status;
    return do_connect(c, host, port, timeout_ms);
}

mqtls_status_t tf_connect_tcp(tf_client_t *c, const char *host, uint16_t port,
                              uint32_t timeout_ms)
{
    c->use_tcp = true;
    c->cfg.transport = &mqtls_tcp_transport;
    c->cfg.transport_ctx = &c->tcp;
    mqtls_client_init(&c->cli, &c->cfg);
    return do_connect(c, host, port, timeout_ms);
}

bool tf_tls13(void)
{
    return mqtls_tls_max_version() == MQTLS_TLS_V1_3;
}

bool tf_openssl(void)
{
    return strncmp(mqtls_tls_backend(), "OpenSSL", 7) == 0;
}

const mqtls_tls_evidence_t *tf_ev(const tf_client_t *c)
{
    return mqtls_tls_evidence(&c->tls);
}

static const char *stage_name(mqtls_tls_stage_t s)
{
    switch (s) {
    case MQTLS_TLS_STAGE_NONE: return "NONE";
    case MQTLS_TLS_STAGE_CREDENTIALS: return "CREDENTIALS";
    case MQTLS_TLS_STAGE_TCP: return "TCP";
    case MQTLS_TLS_STAGE_HANDSHAKE: return "HANDSHAKE";
    case MQTLS_TLS_STAGE_ESTABLISHED: return "ESTABLISHED";
    }
    return "?";
}

void tf_note_evidence(const tf_client_t *c, mqtls_status_t st)
{
    const mqtls_tls_evidence_t *e = tf_ev(c);
    test_note("status %s (%d) in %u ms; stage %s, ev.status %d, raw %s0x%04X, item %d",
              mqtls_strerror(st), (int)st, (unsigned)c->elapsed_ms, stage_name(e->stage),
              (int)e->status, e->raw_error < 0 ? "-" : "",
              (unsigned)(e->raw_error < 0 ? -e->raw_error : e->raw_error), (int)e->item);
    test_note("verified %d, problems 0x%04X, cred_problem %d, alert_received %d (%s), "
              "alert_sent %d (%s)",
              e->verified, (unsigned)e->problems, (int)e->cred_problem, e->alert_received,
              e->alert_received >= 0 ? mqtls_tls_alert_name(e->alert_received) : "-",
              e->alert_sent, e->alert_sent >= 0 ? mqtls_tls_alert_name(e->alert_sent) : "-");
    test_note("cert_requested %d, cert_sent %d, bytes_received %u, first_byte %d, insecure %d",
              e->cert_requested, e->cert_sent, (unsigned)e->bytes_received, e->first_byte,
              e->insecure);
    if (e->version[0] || e->ciphersuite[0] || e->alpn[0])
        test_note("version %s, suite %s, alpn '%s'", e->version, e->ciphersuite, e->alpn);
    for (unsigned i = 0; e->sent && i < e->sent_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        test_note("sent[%u] %s (issuer %s)", i, e->sent[i].subject, e->sent[i].issuer);
    for (unsigned i = 0; e->chain && i < e->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        test_note("chain[%u] %s (issuer %s) %s..%s %s %s%s names '%s' problems 0x%X", i,
                  e->chain[i].subject, e->chain[i].issuer, e->chain[i].not_before,
                  e->chain[i].not_after, e->chain[i].key, e->chain[i].sig_alg,
                  e->chain[i].is_ca ? " CA" : "", e->chain[i].names,
                  (unsigned)e->chain[i].problems);
    if (e->detail[0])
        test_note("detail: %s", e->detail);
}

void tf_client_free(tf_client_t *c)
{
    if (mqtls_state(&c->cli) == MQTLS_STATE_CONNECTED)
        (void)mqtls_disconnect(&c->cli, 0, NULL);
    mqtls_client_free(&c->cli);
    mqtls_tls_free(&c->tls);
    mqtls_tcp_transport.close(&c->tcp);
}

mqtls_status_t tf_roundtrip(tf_client_t *pub, tf_client_t *sub, const char *topic,
                            const char *payload)
{
    mqtls_subscription_t s = {mqtls_str(topic), 1};
    uint8_t code = 0xFF;
    mqtls_status_t st = mqtls_sync_subscribe(&sub->cli, &s, 1, NULL, &code, WAIT_MS);
    if (st != MQTLS_OK)
        return st;
    if (code != 1)
        return MQTLS_ERR_REFUSED;
    unsigned before = sub->nmsgs;
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = (const uint8_t *)payload;
    p.payload_len = (uint32_t)strlen(payload);
    p.qos = 1;
    if ((st = mqtls_sync_publish(&pub->cli, &p, WAIT_MS)) != MQTLS_OK)
        return st;
    uint64_t end = tf_now_ms() + WAIT_MS;
    while (sub->nmsgs == before && tf_now_ms() < end) {
        st = mqtls_sync_run(&sub->cli, 50);
        if (st != MQTLS_OK && st != MQTLS_ERR_TIMEOUT)
            return st;
    }
    return sub->nmsgs > before ? MQTLS_OK : MQTLS_ERR_TIMEOUT;
}

/* ------------------------------------------------------------------- raw server */

/* Reads until one whole TLS record (5-byte header + length) has arrived, the peer closes,
 * or @p ms pass. */
static void read_record(int fd, long *total, int *first, uint32_t ms)
{
    uint8_t buf[4096], hdr[5];
    size_t need = 5, got_hdr = 0;
    long body = -1;
    uint64_t end = tf_now_ms() + ms;
    while (tf_now_ms() < end) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return;
        if (*total == 0)
            *first = buf[0];
        *total += n;
        for (ssize_t i = 0; i < n && got_hdr < need; i++)
            hdr[got_hdr++] = buf[i];
        if (got_hdr == 5 && body < 0)
            body = (long)((hdr[3] << 8) | hdr[4]);
        if (body >= 0 && *total >= 5 + body)
            return;
    }
}

static void raw_child(int lfd, int report, tf_raw_mode_t mode)
{
    long total = 0;
    int first = -1;
    alarm(RAW_LIFETIME_S);
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, RAW_LIFETIME_S * 1000) > 0) {
        int fd = accept(lfd, NULL, NULL);
        close(lfd);
        if (fd >= 0) {
            if (mode == TF_RAW_SILENT) {
                uint8_t buf[4096];
                for (;;) { /* until the client gives up (or the alarm) */
                    ssize_t n = read(fd, buf, sizeof buf);
                    if (n <= 0)
                        break;
                    if (total == 0)
                        first = buf[0];
                    total += n;
                }
            } else {
                read_record(fd, &total, &first, 5000);
                if (mode == TF_RAW_GARBAGE) {
                    static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
                    (void)!write(fd, http, sizeof http - 1);
                    uint8_t buf[256];
                    struct pollfd q = {fd, POLLIN, 0};
                    while (poll(&q, 1, 5000) > 0 && read(fd, buf, sizeof buf) > 0) {
                    }
                }
            }
            close(fd);
        }
    }
    dprintf(report, "%ld %d\n", total, first);
    close(report);
    _exit(0);
}

int tf_raw_start(tf_raw_t *r, tf_raw_mode_t mode)
{
    memset(r, 0, sizeof *r);
    r->pid = -1;
    r->report_fd = -1;
    r->first_byte = -1;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0)
        return -1;
    int one = 1;
    (void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 4) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
        close(lfd);
        return -1;
    }
    r->port = ntohs(sa.sin_port);
    int pfd[2];
    if (pipe(pfd) != 0) {
        close(lfd);
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    r->pid = fork();
    if (r->pid < 0) {
        close(lfd);
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (r->pid == 0) {
#if defined(__linux__)
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
#endif
        (void)parent;
        close(pfd[0]);
        signal(SIGPIPE, SIG_IGN);
        raw_child(lfd, pfd[1], mode);
    }
    close(lfd);
    close(pfd[1]);
    r->report_fd = pfd[0];
    return 0;
}

int tf_raw_stop(tf_raw_t *r, uint32_t wait_ms)
{
    char buf[64] = {0};
    size_t len = 0;
    int rc = -1;
    uint64_t end = tf_now_ms() + wait_ms;
    while (r->report_fd >= 0 && len < sizeof buf - 1) {
        uint64_t now = tf_now_ms();
        if (now >= end)
            break;
        struct pollfd p = {r->report_fd, POLLIN, 0};
        if (poll(&p, 1, (int)(end - now)) <= 0)
            break;
        ssize_t n = read(r->report_fd, buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        if (memchr(buf, '\n', len))
            break;
    }
    if (sscanf(buf, "%ld %d", &r->bytes_read, &r->first_byte) == 2)
        rc = 0;
    if (r->report_fd >= 0)
        close(r->report_fd);
    r->report_fd = -1;
    if (r->pid > 0) {
        kill(r->pid, SIGKILL);
        waitpid(r->pid, NULL, 0);
        r->pid = -1;
    }
    return rc;
}

void tf_keep(char *dst, const char *src)
{
    snprintf(dst, TF_PATH_MAX, "%s", src);
}

mqtls_tls_cfg_t tf_pem_cfg(const char *ca, const char *cert, const char *key)
{
    mqtls_tls_cfg_t cfg = {0};
    cfg.ca_file = ca;
    cfg.cert_file = cert;
    cfg.key_file = key;
    cfg.handshake_timeout_ms = 5000;
    return cfg;
}

bool tf_main_start(int argc, char **argv, int (*setup)(void), test_broker_t *broker)
{
    test_main_begin(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    if (CHECK(setup() == 0))
        return true;
    printf("setup failed (run directory %s)\n", tf_dir());
    test_broker_stop(broker);
    tf_end();
    return false;
}
