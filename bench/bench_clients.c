/**
 * @file bench_clients.c
 * @brief The child processes of the end-to-end benchmark: the publishers (mqtls and
 *        libmosquitto) and the counting subscriber.
 *
 * Every message carries its sequence number in its first four bytes (big endian), so the
 * subscriber can tell lost and duplicated messages apart.
 *
 * Both publishers are driven the same way:
 *  - QoS 0: publish in a loop; every opts->service_every messages give the library one
 *    non-blocking turn at the network (mqtls_step / mosquitto_loop(mosq, 0, 1)); at the end,
 *    run until every message has left the client (mqtls: sends complete before the call
 *    returns, so a final mqtls_flush; libmosquitto: until on_publish has fired for every
 *    message and mosquitto_want_write() is false).
 *  - QoS 1: keep opts->window messages in flight; when the window is full, wait for the
 *    socket to become readable and let the library handle the PUBACKs; end when every
 *    message is acknowledged (MQTLS_EV_PUBLISH_DONE / on_publish). With --refill N the
 *    window is refilled only once N slots are free (both clients alike).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "bench.h"
#include "mqtls/client.h"
#include "mqtls/transport_tcp.h"

#if MQTLS_BENCH_HAVE_MOSQUITTO
#include <mosquitto.h>
#endif

#define CONNECT_TIMEOUT_MS 10000u
#define RUN_TIMEOUT_NS (300ull * 1000000000ull) /* a run that takes longer has failed */
#define SUB_IDLE_NS (1000ull * 1000000ull)      /* subscriber: quiet this long after the
                                                   publisher finished means nothing more */
#define SUB_RX_SIZE 65536u

bool bench_have_mosquitto(void)
{
    return MQTLS_BENCH_HAVE_MOSQUITTO != 0;
}

static void set_name(const char *name)
{
#if defined(__linux__)
    (void)prctl(PR_SET_NAME, name, 0, 0, 0);
#else
    (void)name;
#endif
}

static int write_all(int fd, const void *buf, size_t len)
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

/* Waits up to @p timeout_ms for one control byte (or EOF: the parent is gone). */
static void wait_ctl(int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    uint8_t b;
    if (poll(&p, 1, timeout_ms) > 0)
        (void)read(fd, &b, 1);
}

/* Has a control byte (or EOF) arrived? Does not block. */
static bool ctl_ready(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

static void put_seq(uint8_t *payload, uint32_t seq)
{
    payload[0] = (uint8_t)(seq >> 24);
    payload[1] = (uint8_t)(seq >> 16);
    payload[2] = (uint8_t)(seq >> 8);
    payload[3] = (uint8_t)seq;
}

static uint32_t get_seq(const uint8_t *payload, size_t len)
{
    if (len < 4)
        return UINT32_MAX;
    return ((uint32_t)payload[0] << 24) | ((uint32_t)payload[1] << 16) |
           ((uint32_t)payload[2] << 8) | payload[3];
}

static uint8_t *make_payload(uint32_t len)
{
    uint8_t *p = malloc(len < 4 ? 4 : len);
    if (p)
        for (uint32_t i = 0; i < len; i++)
            p[i] = (uint8_t)('a' + i % 26u);
    return p;
}

/* ---------------------------------------------------------------------------------------
 * mqtls publisher
 */

typedef struct mq_pub {
    uint32_t done;      /* PUBLISH_DONE events */
    uint32_t refused;   /* ... with a failure reason */
    bool down;          /* connection failed or ended */
    mqtls_status_t why;
} mq_pub_t;

static void mq_pub_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    mq_pub_t *s = user;
    (void)c;
    switch (ev->type) {
    case MQTLS_EV_PUBLISH_DONE:
        s->done++;
        if (ev->status != MQTLS_OK)
            s->refused++;
        break;
    case MQTLS_EV_CONNECT_FAILED:
    case MQTLS_EV_DISCONNECTED:
    case MQTLS_EV_PUBLISH_DROPPED:
        s->down = true;
        s->why = ev->status;
        break;
    default:
        break;
    }
}

/* Experiment (--exp-short-read): a TCP transport that, after a read that did not fill the
 * buffer, reports "nothing available" for the next read instead of asking the kernel (which
 * would answer EAGAIN). It measures what the receive loop would save by stopping itself. */
static bool short_read_pending;

static int32_t short_read_recv(void *ctx, uint8_t *buf, size_t len)
{
    if (short_read_pending) {
        short_read_pending = false;
        return 0;
    }
    int32_t n = mqtls_tcp_transport.recv(ctx, buf, len);
    short_read_pending = n > 0 && (size_t)n < len;
    return n;
}

/* Fills @p r; the connected client is left in *c for the caller to disconnect. */
static void mq_publish(const bench_opts_t *o, const bench_pub_cfg_t *cfg, mqtls_client_t *c,
                       mq_pub_t *s, int fd, bench_pub_result_t *r)
{
    uint8_t *payload = make_payload(o->payload);
    mqtls_publish_t pub;
    mqtls_status_t st = MQTLS_OK;

    if (!payload) {
        snprintf(r->error, sizeof r->error, "out of memory");
        return;
    }
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str(cfg->topic);
    pub.payload = payload;
    pub.payload_len = o->payload;
    pub.qos = cfg->qos;

    double cpu0 = bench_self_cpu_s();
    r->t_start_ns = bench_now_ns();
    uint64_t deadline = r->t_start_ns + RUN_TIMEOUT_NS;

    if (cfg->qos == 0) {
        for (uint32_t i = 0; i < cfg->messages; i++) {
            put_seq(payload, i);
            if ((st = mqtls_publish(c, &pub, NULL)) != MQTLS_OK)
                break;
            r->sent++;
            if (o->service_every && (i + 1u) % o->service_every == 0 &&
                (st = mqtls_step(c)) != MQTLS_OK)
                break;
        }
        if (st == MQTLS_OK)
            st = mqtls_flush(c);
        /* Sends complete before the calls return: what was accepted has left the client. */
        if (st == MQTLS_OK)
            r->completed = r->sent;
    } else {
        uint32_t refill = o->refill < o->window ? o->refill : o->window;
        while (s->done < cfg->messages && !s->down) {
            /* Fill the window (once at least `refill` slots are free) until the client
             * answers MQTLS_ERR_INFLIGHT_FULL. */
            if (r->sent < cfg->messages && o->window - (r->sent - s->done) >= refill) {
                while (r->sent < cfg->messages) {
                    put_seq(payload, r->sent);
                    st = mqtls_publish(c, &pub, NULL);
                    if (st != MQTLS_OK)
                        break;
                    r->sent++;
                }
                if (st == MQTLS_ERR_INFLIGHT_FULL)
                    st = MQTLS_OK;
                if (st != MQTLS_OK)
                    break;
            }
            /* Wait for acknowledgements. */
            if ((st = mqtls_flush(c)) != MQTLS_OK)
                break;
            struct pollfd p = {fd, POLLIN, 0};
            (void)poll(&p, 1, 1000);
            if ((st = mqtls_step(c)) != MQTLS_OK)
                break;
            if (bench_now_ns() > deadline) {
                st = MQTLS_ERR_TIMEOUT;
                break;
            }
        }
        r->completed = s->done - s->refused;
        if (st == MQTLS_OK && s->down)
            st = s->why != MQTLS_OK ? s->why : MQTLS_ERR_CLOSED;
    }

    r->t_end_ns = bench_now_ns();
    r->loop_cpu_s = bench_self_cpu_s() - cpu0;
    r->ok = st == MQTLS_OK && r->completed == cfg->messages;
    if (st != MQTLS_OK)
        snprintf(r->error, sizeof r->error, "mqtls: %s", mqtls_strerror(st));
    else if (!r->ok)
        snprintf(r->error, sizeof r->error, "mqtls: %u of %u completed", r->completed,
                 cfg->messages);
    free(payload);
}

static int mq_publisher(const bench_opts_t *o, const bench_pub_cfg_t *cfg, uint16_t port,
                        int res_fd, int ctl_fd)
{
    bench_pub_result_t r;
    mqtls_tcp_t tcp;
    mqtls_client_t c;
    mqtls_ram_store_t rs;
    mq_pub_t s;
    mqtls_client_cfg_t cc;
    mqtls_connect_opts_t co;
    size_t store_size = (size_t)o->window * (o->payload + strlen(cfg->topic) + 32u) + 64u;
    uint8_t *rx = malloc(4096);
    uint8_t *tx = malloc(o->tx_size);
    uint8_t *store = malloc(store_size);
    mqtls_inflight_t *inflight = calloc(o->window, sizeof *inflight);

    memset(&r, 0, sizeof r);
    memset(&s, 0, sizeof s);
    if (!rx || !tx || !store || !inflight) {
        snprintf(r.error, sizeof r.error, "out of memory");
        (void)write_all(res_fd, &r, sizeof r);
        return 1;
    }
    mqtls_transport_t short_read = mqtls_tcp_transport;
    short_read.recv = short_read_recv;
    mqtls_tcp_init(&tcp, 0);
    mqtls_ram_store_init(&rs, store, store_size);
    memset(&cc, 0, sizeof cc);
    cc.transport = o->exp_short_read ? &short_read : &mqtls_tcp_transport;
    cc.transport_ctx = &tcp;
    cc.platform = &mqtls_platform_posix;
    cc.rx_buf = rx;
    cc.rx_size = 4096;
    cc.tx_buf = tx;
    cc.tx_size = o->tx_size;
    cc.inflight = inflight;
    cc.inflight_cap = o->window;
    cc.store = &mqtls_ram_store;
    cc.store_ctx = &rs;
    cc.tx_coalesce = cfg->coalesce;
    cc.on_event = mq_pub_event;
    cc.user = &s;
    mqtls_client_init(&c, &cc);

    memset(&co, 0, sizeof co);
    co.host = "127.0.0.1";
    co.port = port;
    co.connect.version = MQTLS_V311;
    co.connect.clean_start = true;
    co.connect.keep_alive = 60;
    co.connect.client_id = mqtls_str("bench-pub-mqtls");
    co.connect_timeout_ms = CONNECT_TIMEOUT_MS;

    mqtls_status_t st = mqtls_sync_connect(&c, &co, NULL);
    if (st != MQTLS_OK) {
        snprintf(r.error, sizeof r.error, "mqtls connect: %s", mqtls_strerror(st));
    } else {
        mq_publish(o, cfg, &c, &s, mqtls_tcp_fd(&tcp), &r);
    }
    (void)write_all(res_fd, &r, sizeof r);
    /* Stay connected until the subscriber has counted: nothing may be cut short. */
    wait_ctl(ctl_fd, 600000);
    if (mqtls_state(&c) == MQTLS_STATE_CONNECTED)
        (void)mqtls_disconnect(&c, 0, NULL);
    mqtls_client_free(&c);
    free(rx);
    free(tx);
    free(store);
    free(inflight);
    return r.ok ? 0 : 1;
}

/* ---------------------------------------------------------------------------------------
 * libmosquitto publisher
 */

#if MQTLS_BENCH_HAVE_MOSQUITTO

typedef struct mosq_pub {
    int connected;      /* 0 waiting, 1 accepted, -1 refused */
    uint32_t published; /* on_publish calls */
    bool down;
} mosq_pub_t;

static void mosq_pub_on_connect(struct mosquitto *m, void *user, int rc)
{
    mosq_pub_t *s = user;
    (void)m;
    s->connected = rc == 0 ? 1 : -1;
}

static void mosq_pub_on_publish(struct mosquitto *m, void *user, int mid)
{
    mosq_pub_t *s = user;
    (void)m;
    (void)mid;
    s->published++;
}

static void mosq_pub_on_disconnect(struct mosquitto *m, void *user, int rc)
{
    mosq_pub_t *s = user;
    (void)m;
    (void)rc;
    s->down = true;
}

static void mosq_publish(const bench_opts_t *o, const bench_pub_cfg_t *cfg, struct mosquitto *m,
                         mosq_pub_t *s, bench_pub_result_t *r)
{
    uint8_t *payload = make_payload(o->payload);
    int rc = MOSQ_ERR_SUCCESS;
    int len = (int)o->payload;
    int qos = cfg->qos;

    if (!payload) {
        snprintf(r->error, sizeof r->error, "out of memory");
        return;
    }
    double cpu0 = bench_self_cpu_s();
    r->t_start_ns = bench_now_ns();
    uint64_t deadline = r->t_start_ns + RUN_TIMEOUT_NS;

    if (qos == 0) {
        for (uint32_t i = 0; i < cfg->messages; i++) {
            put_seq(payload, i);
            rc = mosquitto_publish(m, NULL, cfg->topic, len, payload, 0, false);
            if (rc != MOSQ_ERR_SUCCESS)
                break;
            r->sent++;
            if (o->service_every && (i + 1u) % o->service_every == 0 &&
                (rc = mosquitto_loop(m, 0, 1)) != MOSQ_ERR_SUCCESS)
                break;
        }
        /* Until every PUBLISH has been written out (on_publish fires for QoS 0 once its
         * packet is written) and nothing waits in the library's queue. */
        while (rc == MOSQ_ERR_SUCCESS && !s->down &&
               (s->published < r->sent || mosquitto_want_write(m))) {
            rc = mosquitto_loop(m, 100, 1);
            if (bench_now_ns() > deadline)
                break;
        }
    } else {
        while (rc == MOSQ_ERR_SUCCESS && s->published < cfg->messages && !s->down) {
            uint32_t free_slots = o->window - (r->sent - s->published);
            while (free_slots >= o->refill && r->sent < cfg->messages &&
                   r->sent - s->published < o->window) {
                put_seq(payload, r->sent);
                rc = mosquitto_publish(m, NULL, cfg->topic, len, payload, 1, false);
                if (rc != MOSQ_ERR_SUCCESS)
                    break;
                r->sent++;
            }
            if (rc != MOSQ_ERR_SUCCESS)
                break;
            rc = mosquitto_loop(m, 1000, 1);
            if (bench_now_ns() > deadline)
                break;
        }
    }
    r->completed = s->published;

    r->t_end_ns = bench_now_ns();
    r->loop_cpu_s = bench_self_cpu_s() - cpu0;
    r->ok = rc == MOSQ_ERR_SUCCESS && r->completed == cfg->messages;
    if (rc != MOSQ_ERR_SUCCESS)
        snprintf(r->error, sizeof r->error, "libmosquitto: %s", mosquitto_strerror(rc));
    else if (!r->ok)
        snprintf(r->error, sizeof r->error, "libmosquitto: %u of %u completed", r->completed,
                 cfg->messages);
    free(payload);
}

static int mosq_publisher(const bench_opts_t *o, const bench_pub_cfg_t *cfg, uint16_t port,
                          int res_fd, int ctl_fd)
{
    bench_pub_result_t r;
    mosq_pub_t s;
    struct mosquitto *m;
    int rc;

    memset(&r, 0, sizeof r);
    memset(&s, 0, sizeof s);
    mosquitto_lib_init();
    m = mosquitto_new("bench-pub-mosq", true, &s);
    if (!m) {
        snprintf(r.error, sizeof r.error, "mosquitto_new failed");
        (void)write_all(res_fd, &r, sizeof r);
        return 1;
    }
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, o->window);
    if (o->mosq_nodelay)
        mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(m, mosq_pub_on_connect);
    mosquitto_publish_callback_set(m, mosq_pub_on_publish);
    mosquitto_disconnect_callback_set(m, mosq_pub_on_disconnect);

    rc = mosquitto_connect(m, "127.0.0.1", port, 60);
    uint64_t deadline = bench_now_ns() + CONNECT_TIMEOUT_MS * 1000000ull;
    while (rc == MOSQ_ERR_SUCCESS && s.connected == 0 && bench_now_ns() < deadline)
        rc = mosquitto_loop(m, 100, 1);
    if (rc != MOSQ_ERR_SUCCESS || s.connected != 1) {
        snprintf(r.error, sizeof r.error, "libmosquitto connect: %s",
                 rc != MOSQ_ERR_SUCCESS ? mosquitto_strerror(rc) : "refused or timed out");
    } else {
        mosq_publish(o, cfg, m, &s, &r);
    }
    (void)write_all(res_fd, &r, sizeof r);
    wait_ctl(ctl_fd, 600000);
    if (s.connected == 1 && !s.down) {
        mosquitto_disconnect(m);
        (void)mosquitto_loop(m, 100, 1);
    }
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return r.ok ? 0 : 1;
}

#endif /* MQTLS_BENCH_HAVE_MOSQUITTO */

int bench_publisher_main(const bench_opts_t *o, const bench_pub_cfg_t *cfg, uint16_t port,
                         int res_fd, int ctl_fd)
{
    if (cfg->client == BENCH_MQTLS) {
        set_name(cfg->coalesce ? "pub-mqtls-coal" : "pub-mqtls");
        return mq_publisher(o, cfg, port, res_fd, ctl_fd);
    }
#if MQTLS_BENCH_HAVE_MOSQUITTO
    set_name("pub-mosq");
    return mosq_publisher(o, cfg, port, res_fd, ctl_fd);
#else
    bench_pub_result_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.error, sizeof r.error, "built without libmosquitto");
    (void)write_all(res_fd, &r, sizeof r);
    return 1;
#endif
}

/* ---------------------------------------------------------------------------------------
 * The counting subscriber
 */

typedef struct counter {
    uint8_t *seen;      /* one bit per sequence number */
    uint32_t expected;
    uint32_t received;
    uint32_t unique;
    uint64_t first_ns;
    uint64_t last_ns;
} counter_t;

static void count_message(counter_t *k, const uint8_t *payload, size_t len)
{
    uint32_t seq = get_seq(payload, len);
    uint64_t now = bench_now_ns();
    if (k->received == 0)
        k->first_ns = now;
    k->last_ns = now;
    k->received++;
    if (seq < k->expected && !(k->seen[seq >> 3] & (1u << (seq & 7u)))) {
        k->seen[seq >> 3] = (uint8_t)(k->seen[seq >> 3] | (1u << (seq & 7u)));
        k->unique++;
    }
}

/* Should the counting stop? All arrived, or the publisher is done and the line is quiet. */
static bool sub_finished(const counter_t *k, int ctl_fd, bool *pub_done, uint64_t *pub_done_ns,
                         uint64_t deadline)
{
    uint64_t now = bench_now_ns();
    if (k->received >= k->expected || now > deadline)
        return true;
    if (!*pub_done && ctl_ready(ctl_fd)) {
        uint8_t b;
        (void)read(ctl_fd, &b, 1);
        *pub_done = true;
        *pub_done_ns = now;
    }
    if (*pub_done) {
        uint64_t quiet_since = k->last_ns > *pub_done_ns ? k->last_ns : *pub_done_ns;
        return now - quiet_since > SUB_IDLE_NS;
    }
    return false;
}

typedef struct mq_sub {
    counter_t k;
    bool subscribed;
    bool down;
    mqtls_status_t why;
} mq_sub_t;

static void mq_sub_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    mq_sub_t *s = user;
    (void)c;
    switch (ev->type) {
    case MQTLS_EV_MESSAGE:
        count_message(&s->k, ev->message->payload, ev->message->payload_len);
        break;
    case MQTLS_EV_SUBACK:
        s->subscribed = ev->count == 1 && ev->codes[0] < 0x80u;
        if (!s->subscribed)
            s->down = true;
        break;
    case MQTLS_EV_CONNECT_FAILED:
    case MQTLS_EV_DISCONNECTED:
        s->down = true;
        s->why = ev->status;
        break;
    default:
        break;
    }
}

static int mq_subscriber(uint8_t qos, const char *topic, uint16_t port, int res_fd, int ctl_fd,
                         counter_t *k, bench_sub_result_t *r)
{
    mqtls_tcp_t tcp;
    mqtls_client_t c;
    mqtls_client_cfg_t cc;
    mqtls_connect_opts_t co;
    mq_sub_t s;
    uint8_t *rx = malloc(SUB_RX_SIZE);
    uint8_t tx[256];
    uint16_t qos2_in[32];

    memset(&s, 0, sizeof s);
    s.k = *k;
    mqtls_tcp_init(&tcp, 0);
    memset(&cc, 0, sizeof cc);
    cc.transport = &mqtls_tcp_transport;
    cc.transport_ctx = &tcp;
    cc.platform = &mqtls_platform_posix;
    cc.rx_buf = rx;
    cc.rx_size = SUB_RX_SIZE;
    cc.tx_buf = tx;
    cc.tx_size = sizeof tx;
    cc.qos2_in = qos2_in;
    cc.qos2_in_cap = 32;
    cc.on_event = mq_sub_event;
    cc.user = &s;
    mqtls_client_init(&c, &cc);
    memset(&co, 0, sizeof co);
    co.host = "127.0.0.1";
    co.port = port;
    co.connect.version = MQTLS_V311;
    co.connect.clean_start = true;
    co.connect.keep_alive = 60;
    co.connect.client_id = mqtls_str("bench-sub-mqtls");
    co.connect_timeout_ms = CONNECT_TIMEOUT_MS;

    mqtls_status_t st = rx ? mqtls_sync_connect(&c, &co, NULL) : MQTLS_ERR_BAD_PARAM;
    if (st == MQTLS_OK) {
        mqtls_subscription_t sub = {mqtls_str(topic), qos};
        uint8_t code = 0x80;
        st = mqtls_sync_subscribe(&c, &sub, 1, NULL, &code, CONNECT_TIMEOUT_MS);
        if (st == MQTLS_OK && code >= 0x80u)
            st = MQTLS_ERR_REFUSED;
    }
    if (st != MQTLS_OK) {
        snprintf(r->error, sizeof r->error, "mqtls subscriber: %s", mqtls_strerror(st));
        (void)write_all(res_fd, "!", 1);
        free(rx);
        return 1;
    }
    (void)write_all(res_fd, "R", 1);

    bool pub_done = false;
    uint64_t pub_done_ns = 0;
    uint64_t deadline = bench_now_ns() + RUN_TIMEOUT_NS;
    while (!s.down && !sub_finished(&s.k, ctl_fd, &pub_done, &pub_done_ns, deadline)) {
        struct pollfd p = {mqtls_tcp_fd(&tcp), POLLIN, 0};
        (void)poll(&p, 1, 50);
        if (mqtls_step(&c) != MQTLS_OK)
            break;
    }
    *k = s.k;
    r->ok = !s.down;
    if (s.down)
        snprintf(r->error, sizeof r->error, "mqtls subscriber: %s", mqtls_strerror(s.why));
    if (mqtls_state(&c) == MQTLS_STATE_CONNECTED)
        (void)mqtls_disconnect(&c, 0, NULL);
    mqtls_client_free(&c);
    free(rx);
    return r->ok ? 0 : 1;
}

#if MQTLS_BENCH_HAVE_MOSQUITTO

typedef struct mosq_sub {
    counter_t k;
    const char *topic;
    int qos;
    int state; /* 0 connecting, 1 connected, 2 subscribed, -1 failed */
} mosq_sub_t;

static void mosq_sub_on_connect(struct mosquitto *m, void *user, int rc)
{
    mosq_sub_t *s = user;
    if (rc != 0 || mosquitto_subscribe(m, NULL, s->topic, s->qos) != MOSQ_ERR_SUCCESS) {
        s->state = -1;
        return;
    }
    s->state = 1;
}

static void mosq_sub_on_subscribe(struct mosquitto *m, void *user, int mid, int n,
                                  const int *granted)
{
    mosq_sub_t *s = user;
    (void)m;
    (void)mid;
    s->state = n == 1 && granted[0] < 0x80 ? 2 : -1;
}

static void mosq_sub_on_message(struct mosquitto *m, void *user,
                                const struct mosquitto_message *msg)
{
    mosq_sub_t *s = user;
    (void)m;
    count_message(&s->k, msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
}

static void mosq_sub_on_disconnect(struct mosquitto *m, void *user, int rc)
{
    mosq_sub_t *s = user;
    (void)m;
    (void)rc;
    s->state = -1;
}

static int mosq_subscriber(uint8_t qos, const char *topic, uint16_t port, int res_fd, int ctl_fd,
                           counter_t *k, bench_sub_result_t *r)
{
    mosq_sub_t s;
    struct mosquitto *m;
    int rc;

    memset(&s, 0, sizeof s);
    s.k = *k;
    s.topic = topic;
    s.qos = qos;
    mosquitto_lib_init();
    m = mosquitto_new("bench-sub-mosq", true, &s);
    if (!m) {
        snprintf(r->error, sizeof r->error, "mosquitto_new failed");
        (void)write_all(res_fd, "!", 1);
        return 1;
    }
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_connect_callback_set(m, mosq_sub_on_connect);
    mosquitto_subscribe_callback_set(m, mosq_sub_on_subscribe);
    mosquitto_message_callback_set(m, mosq_sub_on_message);
    mosquitto_disconnect_callback_set(m, mosq_sub_on_disconnect);
    rc = mosquitto_connect(m, "127.0.0.1", port, 60);
    uint64_t deadline = bench_now_ns() + CONNECT_TIMEOUT_MS * 1000000ull;
    while (rc == MOSQ_ERR_SUCCESS && s.state >= 0 && s.state < 2 && bench_now_ns() < deadline)
        rc = mosquitto_loop(m, 100, 1);
    if (rc != MOSQ_ERR_SUCCESS || s.state != 2) {
        snprintf(r->error, sizeof r->error, "libmosquitto subscriber: %s",
                 rc != MOSQ_ERR_SUCCESS ? mosquitto_strerror(rc) : "not subscribed");
        (void)write_all(res_fd, "!", 1);
        mosquitto_destroy(m);
        return 1;
    }
    (void)write_all(res_fd, "R", 1);

    bool pub_done = false;
    uint64_t pub_done_ns = 0;
    deadline = bench_now_ns() + RUN_TIMEOUT_NS;
    while (s.state == 2 && !sub_finished(&s.k, ctl_fd, &pub_done, &pub_done_ns, deadline)) {
        rc = mosquitto_loop(m, 50, 1);
        if (rc != MOSQ_ERR_SUCCESS)
            break;
    }
    *k = s.k;
    r->ok = rc == MOSQ_ERR_SUCCESS && s.state == 2;
    if (!r->ok)
        snprintf(r->error, sizeof r->error, "libmosquitto subscriber: %s",
                 rc != MOSQ_ERR_SUCCESS ? mosquitto_strerror(rc) : "disconnected");
    mosquitto_disconnect(m);
    (void)mosquitto_loop(m, 100, 1);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return r->ok ? 0 : 1;
}

#endif /* MQTLS_BENCH_HAVE_MOSQUITTO */

int bench_subscriber_main(const bench_opts_t *o, uint8_t qos, uint32_t expected,
                          const char *topic, uint16_t port, int res_fd, int ctl_fd)
{
    bench_sub_result_t r;
    counter_t k;
    int rc;

    memset(&r, 0, sizeof r);
    memset(&k, 0, sizeof k);
    k.expected = expected;
    k.seen = calloc((size_t)expected / 8u + 1u, 1);
    if (!k.seen) {
        (void)write_all(res_fd, "!", 1);
        return 1;
    }
#if MQTLS_BENCH_HAVE_MOSQUITTO
    if (o->subscriber == BENCH_MOSQ) {
        set_name("sub-mosq");
        rc = mosq_subscriber(qos, topic, port, res_fd, ctl_fd, &k, &r);
    } else
#endif
    {
        (void)o;
        set_name("sub-mqtls");
        rc = mq_subscriber(qos, topic, port, res_fd, ctl_fd, &k, &r);
    }
    r.received = k.received;
    r.unique = k.unique;
    r.t_first_ns = k.first_ns;
    r.t_last_ns = k.last_ns;
    (void)write_all(res_fd, &r, sizeof r);
    free(k.seen);
    return rc;
}
