/**
 * @file integ_client.c
 * @brief The integration-test fixture (see integ_client.h).
 */
#include "integ_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "mqtls/platform.h"

#define FILTER_BUF (256u * 1024u) /* the largest packet the filter can frame */
#define MAX_POLL 16

/* ---------------------------------------------------------------- time */

uint64_t ic_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ic_sleep_ms(uint32_t ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---------------------------------------------------------------- the filter transport */

static void filter_reset(ic_filter_t *f)
{
    f->outstanding = 0;
    f->outstanding_max = 0;
    f->raw_len = 0;
    f->ready_len = 0;
    f->ready_off = 0;
    f->pending_err = 0;
}

/* Moves every whole packet from raw to ready, except those the drop mask swallows. */
static void frame_rx(ic_filter_t *f)
{
    size_t off = 0;
    while (off < f->raw_len) {
        uint8_t first;
        uint32_t rl;
        size_t hl;
        mqtls_status_t st = mqtls_decode_fixed_header(f->raw + off, f->raw_len - off, &first,
                                                      &rl, &hl);
        if (st == MQTLS_NEED_MORE) {
            break;
        }
        if (st != MQTLS_OK) { /* not MQTT framing: let the client judge it */
            memcpy(f->ready + f->ready_len, f->raw + off, f->raw_len - off);
            f->ready_len += f->raw_len - off;
            off = f->raw_len;
            break;
        }
        if (hl + rl > f->raw_len - off) {
            break;
        }
        unsigned type = first >> 4;
        f->rx_seen[type]++;
        if (type == MQTLS_PUBLISH && (first & 0x08u)) {
            f->rx_publish_dup++;
        }
        if ((type == MQTLS_PUBACK || type == MQTLS_PUBCOMP) && f->outstanding) {
            f->outstanding--; /* counted even when dropped: the peer did answer */
        }
        if (f->rx_drop & IC_TYPE(type)) {
            f->rx_dropped[type]++;
        } else {
            memcpy(f->ready + f->ready_len, f->raw + off, hl + rl);
            f->ready_len += hl + rl;
        }
        off += hl + rl;
    }
    memmove(f->raw, f->raw + off, f->raw_len - off);
    f->raw_len -= off;
}

static mqtls_status_t filt_connect(void *ctx, const char *host, uint16_t port)
{
    ic_filter_t *f = ctx;
    filter_reset(f);
    return mqtls_tcp_transport.connect(f->tcp, host, port);
}

static int32_t filt_recv(void *ctx, uint8_t *buf, size_t len)
{
    ic_filter_t *f = ctx;
    if (f->ready_off == f->ready_len && f->pending_err == 0) {
        f->ready_off = 0;
        f->ready_len = 0;
        while (f->raw_len < FILTER_BUF) {
            int32_t n = mqtls_tcp_transport.recv(f->tcp, f->raw + f->raw_len,
                                                 FILTER_BUF - f->raw_len);
            if (n < 0) {
                f->pending_err = n;
                break;
            }
            if (n == 0) {
                break;
            }
            f->raw_len += (size_t)n;
        }
        frame_rx(f);
    }
    size_t avail = f->ready_len - f->ready_off;
    if (avail == 0) {
        return f->pending_err;
    }
    if (avail > len) {
        avail = len;
    }
    memcpy(buf, f->ready + f->ready_off, avail);
    f->ready_off += avail;
    return (int32_t)avail;
}

/* Writes all of buf through TCP (bounded wait). */
static int32_t forward_all(ic_filter_t *f, const uint8_t *buf, size_t len)
{
    uint64_t end = ic_now_ms() + 2000u;
    size_t done = 0;
    while (done < len) {
        mqtls_iov_t iov = {buf + done, len - done};
        int32_t n = mqtls_tcp_transport.send(f->tcp, &iov, 1);
        if (n < 0) {
            return n;
        }
        if (n == 0) {
            if (ic_now_ms() >= end) {
                return -(int32_t)MQTLS_ERR_TIMEOUT;
            }
            (void)mqtls_tcp_transport.wait(f->tcp, 1, 100);
        }
        done += (size_t)n;
    }
    return 0;
}

static int32_t filt_send(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    static uint8_t scratch[FILTER_BUF];
    ic_filter_t *f = ctx;
    size_t total = 0;

    for (size_t i = 0; i < iovcnt; i++) {
        total += iov[i].len;
    }
    if (total > sizeof scratch || total > (size_t)INT32_MAX) {
        return mqtls_tcp_transport.send(f->tcp, iov, iovcnt); /* too big to look at */
    }
    size_t at = 0;
    for (size_t i = 0; i < iovcnt; i++) {
        if (iov[i].len) {
            memcpy(scratch + at, iov[i].base, iov[i].len);
        }
        at += iov[i].len;
    }
    /* The client hands over whole packets; each is forwarded or swallowed. */
    size_t off = 0;
    while (off < total) {
        uint8_t first;
        uint32_t rl;
        size_t hl;
        size_t plen = total - off;
        if (mqtls_decode_fixed_header(scratch + off, total - off, &first, &rl, &hl) == MQTLS_OK &&
            hl + rl <= total - off) {
            unsigned type = first >> 4;
            plen = hl + rl;
            f->tx_seen[type]++;
            if (type == MQTLS_PUBLISH && (first & 0x08u)) {
                f->tx_publish_dup++;
            }
            if (type == MQTLS_PUBLISH && (first & 0x06u) &&
                ++f->outstanding > f->outstanding_max) {
                f->outstanding_max = f->outstanding;
            }
            if (type == MQTLS_PUBLISH && rl >= 2 && scratch[off + hl] == 0 &&
                scratch[off + hl + 1] == 0) {
                f->tx_publish_no_topic++;
            }
            if (f->tx_drop & IC_TYPE(type)) {
                f->tx_dropped[type]++;
                off += plen;
                continue;
            }
        }
        int32_t r = forward_all(f, scratch + off, plen);
        if (r < 0) {
            return r;
        }
        off += plen;
    }
    return (int32_t)total;
}

static mqtls_status_t filt_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    ic_filter_t *f = ctx;
    if (!for_write && (f->ready_off < f->ready_len || f->pending_err != 0)) {
        return MQTLS_OK;
    }
    return mqtls_tcp_transport.wait(f->tcp, for_write, timeout_ms);
}

static void filt_close(void *ctx)
{
    ic_filter_t *f = ctx;
    mqtls_tcp_transport.close(f->tcp);
    filter_reset(f);
}

const mqtls_transport_t ic_filter_transport = {filt_connect, filt_send, filt_recv, filt_wait,
                                               filt_close};

static bool filter_has_input(const ic_client_t *c)
{
    return c->filtered && (c->filt.ready_off < c->filt.ready_len || c->filt.pending_err != 0);
}

/* ---------------------------------------------------------------- the recorder */

static void copy_str(char *dst, size_t cap, mqtls_str_t s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n) {
        memcpy(dst, s.data, n);
    }
    dst[n] = '\0';
}

static void record_message(ic_client_t *c, const mqtls_event_t *ev)
{
    const mqtls_publish_t *p = ev->message;
    if (c->nmsgs == c->msgs_cap) {
        size_t cap = c->msgs_cap ? c->msgs_cap * 2 : 64;
        ic_msg_t *m = realloc(c->msgs, cap * sizeof *m);
        if (m == NULL) {
            return;
        }
        c->msgs = m;
        c->msgs_cap = cap;
    }
    ic_msg_t *m = &c->msgs[c->nmsgs];
    memset(m, 0, sizeof *m);
    copy_str(m->topic, sizeof m->topic, p->topic);
    m->payload = malloc((size_t)p->payload_len + 1);
    if (m->payload == NULL) {
        return;
    }
    if (p->payload_len) {
        memcpy(m->payload, p->payload, p->payload_len);
    }
    m->payload[p->payload_len] = '\0';
    m->len = p->payload_len;
    m->qos = p->qos;
    m->retain = p->retain;
    m->dup = p->dup;
    m->packet_id = p->packet_id;
    if (ev->props != NULL) {
        const mqtls_props_t *pr = ev->props;
        uint32_t pos = 0;
        mqtls_user_prop_t up;
        m->present = pr->present;
        m->message_expiry = pr->message_expiry;
        m->payload_format = pr->payload_format;
        m->topic_alias = pr->topic_alias;
        copy_str(m->content_type, sizeof m->content_type, pr->content_type);
        copy_str(m->response_topic, sizeof m->response_topic, pr->response_topic);
        m->correlation_len = pr->correlation_data.len < sizeof m->correlation
                                 ? pr->correlation_data.len
                                 : (uint16_t)sizeof m->correlation;
        if (m->correlation_len) {
            memcpy(m->correlation, pr->correlation_data.data, m->correlation_len);
        }
        while (m->user_count < IC_MAX_USER && mqtls_props_next_user(pr, &pos, &up)) {
            copy_str(m->user_key[m->user_count], sizeof m->user_key[0], up.key);
            copy_str(m->user_value[m->user_count], sizeof m->user_value[0], up.value);
            m->user_count++;
        }
        pos = 0;
        while (m->sub_id_count < 4 &&
               mqtls_props_next_sub_id(pr, &pos, &m->sub_ids[m->sub_id_count])) {
            m->sub_id_count++;
        }
    }
    c->nmsgs++;
}

static void on_event(mqtls_client_t *cli, const mqtls_event_t *ev, void *user)
{
    ic_client_t *c = user;
    (void)cli;
    if ((unsigned)ev->type <= MQTLS_EV_DISCONNECTED) {
        c->ev_count[ev->type]++;
    }
    switch (ev->type) {
    case MQTLS_EV_CONNECTED:
        c->session_present = ev->session_present;
        memset(&c->connack, 0, sizeof c->connack);
        if (ev->props != NULL) {
            /* Scalars only: the strings point into the receive buffer. */
            const mqtls_props_t *p = ev->props;
            c->connack.present = p->present;
            c->connack.receive_maximum = p->receive_maximum;
            c->connack.topic_alias_maximum = p->topic_alias_maximum;
            c->connack.maximum_packet_size = p->maximum_packet_size;
            c->connack.maximum_qos = p->maximum_qos;
            c->connack.retain_available = p->retain_available;
            c->connack.server_keep_alive = p->server_keep_alive;
            c->connack.session_expiry = p->session_expiry;
            c->connack.wildcard_sub_available = p->wildcard_sub_available;
            c->connack.shared_sub_available = p->shared_sub_available;
            c->connack.sub_id_available = p->sub_id_available;
        }
        break;
    case MQTLS_EV_CONNECT_FAILED:
    case MQTLS_EV_DISCONNECTED:
        c->end_status = ev->status;
        c->end_reason = ev->reason;
        c->end_size = ev->size;
        break;
    case MQTLS_EV_MESSAGE:
        record_message(c, ev);
        break;
    case MQTLS_EV_PUBLISH_DONE:
        if (c->ndone < IC_MAX_DONE) {
            c->done_ids[c->ndone] = ev->packet_id;
            c->done_reason[c->ndone] = ev->reason;
            c->done_status[c->ndone] = ev->status;
        }
        c->ndone++;
        break;
    case MQTLS_EV_PUBLISH_DROPPED:
        if (c->ndropped < IC_MAX_DONE) {
            c->dropped_ids[c->ndropped] = ev->packet_id;
        }
        c->ndropped++;
        break;
    case MQTLS_EV_SUBACK:
    case MQTLS_EV_UNSUBACK:
        c->ncodes = ev->count < sizeof c->codes ? ev->count : (uint16_t)sizeof c->codes;
        if (c->ncodes) {
            memcpy(c->codes, ev->codes, c->ncodes);
        }
        break;
    default:
        break;
    }
}

void ic_reset_record(ic_client_t *c)
{
    for (size_t i = 0; i < c->nmsgs; i++) {
        free(c->msgs[i].payload);
    }
    c->nmsgs = 0;
    memset(c->ev_count, 0, sizeof c->ev_count);
    c->ndone = 0;
    c->ndropped = 0;
    c->ncodes = 0;
    c->end_status = MQTLS_OK;
    c->end_reason = 0;
    c->end_size = 0;
}

/* ---------------------------------------------------------------- the client */

int ic_init(ic_client_t *c, const ic_setup_t *s)
{
    memset(c, 0, sizeof *c);
    size_t rx = s->rx_size ? s->rx_size : 8192u;
    size_t tx = s->tx_size ? s->tx_size : 1024u;
    uint16_t inflight = s->inflight_cap ? s->inflight_cap : 64u;
    uint16_t qos2 = s->qos2_in_cap ? s->qos2_in_cap : 64u;
    size_t store = s->store_size ? s->store_size : 256u * 1024u;
    uint16_t slot_size = 130u;

    snprintf(c->id, sizeof c->id, "%s", s->client_id ? s->client_id : "");
    c->rx = malloc(rx);
    c->tx = malloc(tx);
    c->store_buf = malloc(store);
    c->inflight = calloc(inflight, sizeof *c->inflight);
    c->qos2_in = calloc(qos2, sizeof *c->qos2_in);
    if (s->alias_slots) {
        c->alias_buf = calloc(s->alias_slots, slot_size);
    }
    if (s->filter) {
        c->filt.raw = malloc(FILTER_BUF);
        c->filt.ready = malloc(FILTER_BUF);
    }
    if (!c->rx || !c->tx || !c->store_buf || !c->inflight || !c->qos2_in ||
        (s->alias_slots && !c->alias_buf) || (s->filter && (!c->filt.raw || !c->filt.ready))) {
        ic_free(c);
        return -1;
    }
    mqtls_tcp_init(&c->tcp, 0);
    mqtls_ram_store_init(&c->store, c->store_buf, store);
    c->filtered = s->filter;
    c->filt.tcp = &c->tcp;

    c->cfg.transport = s->filter ? &ic_filter_transport : &mqtls_tcp_transport;
    c->cfg.transport_ctx = s->filter ? (void *)&c->filt : (void *)&c->tcp;
    c->cfg.platform = &mqtls_platform_posix;
    c->cfg.rx_buf = c->rx;
    c->cfg.rx_size = rx;
    c->cfg.tx_buf = c->tx;
    c->cfg.tx_size = tx;
    c->cfg.inflight = c->inflight;
    c->cfg.inflight_cap = inflight;
    c->cfg.qos2_in = c->qos2_in;
    c->cfg.qos2_in_cap = qos2;
    c->cfg.store = &mqtls_ram_store;
    c->cfg.store_ctx = &c->store;
    c->cfg.alias_buf = c->alias_buf;
    c->cfg.alias_slots = s->alias_slots;
    c->cfg.alias_slot_size = s->alias_slots ? slot_size : 0;
    c->cfg.tx_coalesce = s->tx_coalesce;
    c->cfg.on_event = on_event;
    c->cfg.user = c;
    mqtls_client_init(&c->cli, &c->cfg);

    c->opts.host = "127.0.0.1";
    c->opts.port = s->port;
    c->opts.connect_timeout_ms = IC_WAIT_MS;
    c->opts.connect.version = s->version;
    c->opts.connect.clean_start = !s->persistent;
    c->opts.connect.keep_alive = s->keep_alive ? s->keep_alive : 30u;
    c->opts.connect.client_id = mqtls_str(c->id);
    if (s->version == MQTLS_V5 && s->persistent) {
        c->opts.connect.props.present |= MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY);
        c->opts.connect.props.session_expiry = s->session_expiry ? s->session_expiry : 300u;
    }
    return 0;
}

void ic_free(ic_client_t *c)
{
    if (c->cfg.transport != NULL) {
        mqtls_client_free(&c->cli);
    }
    mqtls_tcp_transport.close(&c->tcp);
    ic_reset_record(c);
    free(c->msgs);
    free(c->rx);
    free(c->tx);
    free(c->store_buf);
    free(c->inflight);
    free(c->qos2_in);
    free(c->alias_buf);
    free(c->filt.raw);
    free(c->filt.ready);
    memset(c, 0, sizeof *c);
}

mqtls_status_t ic_connect(ic_client_t *c)
{
    uint8_t reason = 0;
    mqtls_status_t st = mqtls_sync_connect(&c->cli, &c->opts, &reason);
    if (st != MQTLS_OK) {
        c->end_reason = reason;
    }
    return st;
}

mqtls_status_t ic_subscribe(ic_client_t *c, const char *filter, uint8_t options)
{
    mqtls_subscription_t sub = {mqtls_str(filter), options};
    c->codes[0] = 0xFF;
    mqtls_status_t st = mqtls_sync_subscribe(&c->cli, &sub, 1, NULL, c->codes, IC_WAIT_MS);
    if (st == MQTLS_OK) {
        c->ncodes = 1;
    }
    return st;
}

mqtls_status_t ic_unsubscribe(ic_client_t *c, const char *filter)
{
    mqtls_str_t f = mqtls_str(filter);
    return mqtls_sync_unsubscribe(&c->cli, &f, 1, NULL, IC_WAIT_MS);
}

mqtls_status_t ic_publish(ic_client_t *c, const char *topic, const char *payload, uint8_t qos,
                          bool retain)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = (const uint8_t *)payload;
    p.payload_len = payload ? (uint32_t)strlen(payload) : 0;
    p.qos = qos;
    p.retain = retain;
    return mqtls_sync_publish(&c->cli, &p, IC_WAIT_MS);
}

mqtls_status_t ic_publish_nb(ic_client_t *c, const char *topic, const void *payload,
                             uint32_t len, uint8_t qos, bool retain, uint16_t *id)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = payload;
    p.payload_len = len;
    p.qos = qos;
    p.retain = retain;
    return mqtls_publish(&c->cli, &p, id);
}

/* ---------------------------------------------------------------- driving */

static void step_all(ic_client_t *const *cs, int n)
{
    for (int i = 0; i < n; i++) {
        if (mqtls_state(&cs[i]->cli) != MQTLS_STATE_DISCONNECTED) {
            (void)mqtls_step(&cs[i]->cli);
        }
    }
}

static void poll_all(ic_client_t *const *cs, int n, uint32_t ms)
{
    struct pollfd pfd[MAX_POLL];
    int np = 0;
    for (int i = 0; i < n && np < MAX_POLL; i++) {
        mqtls_client_state_t st = mqtls_state(&cs[i]->cli);
        if (st == MQTLS_STATE_DISCONNECTED) {
            continue;
        }
        if (filter_has_input(cs[i])) {
            return; /* bytes are waiting already */
        }
        uint32_t t = mqtls_next_timeout_ms(&cs[i]->cli);
        if (t < ms) {
            ms = t;
        }
        int fd = mqtls_tcp_fd(&cs[i]->tcp);
        if (fd >= 0) {
            pfd[np].fd = fd;
            pfd[np].events = (short)(st == MQTLS_STATE_CONNECTING ? POLLOUT : POLLIN);
            pfd[np].revents = 0;
            np++;
        }
    }
    if (np == 0) {
        ic_sleep_ms(ms < 10u ? ms : 10u);
        return;
    }
    (void)poll(pfd, (nfds_t)np, (int)ms);
}

bool ic_run_until(ic_client_t *const *cs, int n, bool (*pred)(void *arg), void *arg,
                  uint32_t timeout_ms)
{
    uint64_t end = ic_now_ms() + timeout_ms;
    for (;;) {
        step_all(cs, n);
        if (pred != NULL && pred(arg)) {
            return true;
        }
        uint64_t now = ic_now_ms();
        if (now >= end) {
            return pred == NULL;
        }
        uint64_t left = end - now;
        poll_all(cs, n, left < 100u ? (uint32_t)left : 100u);
    }
}

void ic_run(ic_client_t *const *cs, int n, uint32_t ms)
{
    (void)ic_run_until(cs, n, NULL, NULL, ms);
}

typedef struct {
    ic_client_t *who;
    size_t count;
} msgs_arg_t;

static bool has_msgs(void *arg)
{
    msgs_arg_t *a = arg;
    return a->who->nmsgs >= a->count;
}

bool ic_wait_msgs(ic_client_t *const *cs, int n, ic_client_t *who, size_t count,
                  uint32_t timeout_ms)
{
    msgs_arg_t a = {who, count};
    return ic_run_until(cs, n, has_msgs, &a, timeout_ms);
}

static bool is_down(void *arg)
{
    return mqtls_state(&((ic_client_t *)arg)->cli) == MQTLS_STATE_DISCONNECTED;
}

bool ic_wait_down(ic_client_t *const *cs, int n, ic_client_t *who, uint32_t timeout_ms)
{
    return ic_run_until(cs, n, is_down, who, timeout_ms);
}

size_t ic_count(const ic_client_t *c, const char *topic, const char *payload)
{
    size_t k = 0;
    for (size_t i = 0; i < c->nmsgs; i++) {
        const ic_msg_t *m = &c->msgs[i];
        if ((topic == NULL || strcmp(m->topic, topic) == 0) &&
            (payload == NULL ||
             (m->len == strlen(payload) && memcmp(m->payload, payload, m->len) == 0))) {
            k++;
        }
    }
    return k;
}

const ic_msg_t *ic_find(const ic_client_t *c, const char *topic, const char *payload)
{
    for (size_t i = 0; i < c->nmsgs; i++) {
        const ic_msg_t *m = &c->msgs[i];
        if ((topic == NULL || strcmp(m->topic, topic) == 0) &&
            (payload == NULL ||
             (m->len == strlen(payload) && memcmp(m->payload, payload, m->len) == 0))) {
            return m;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- the broker's log */

int ic_log_count(const test_broker_t *b, const char *needle)
{
    char path[TEST_BROKER_DIR_MAX + 32];
    snprintf(path, sizeof path, "%s/mosquitto.log", b->dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL) {
        return 0;
    }
    buf[len] = '\0';
    int count = 0;
    size_t nl = strlen(needle);
    for (const char *p = buf; nl && (p = strstr(p, needle)) != NULL; p += nl) {
        count++;
    }
    free(buf);
    return count;
}

bool ic_log_wait(const test_broker_t *b, const char *needle, int count, uint32_t timeout_ms)
{
    uint64_t end = ic_now_ms() + timeout_ms;
    for (;;) {
        if (ic_log_count(b, needle) >= count) {
            return true;
        }
        if (ic_now_ms() >= end) {
            return false;
        }
        ic_sleep_ms(10);
    }
}

/* ---------------------------------------------------------------- child processes */

bool ic_have_program(const char *prog)
{
    const char *path = getenv("PATH");
    char buf[1024];
    if (path == NULL || *path == '\0') {
        path = "/usr/local/bin:/usr/bin:/bin";
    }
    while (*path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (n && (size_t)snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog) < sizeof buf &&
            access(buf, X_OK) == 0) {
            return true;
        }
        path = end ? end + 1 : path + n;
    }
    return false;
}

int ic_spawn(ic_proc_t *p, char *const argv[], const char *input)
{
    int out[2], in[2] = {-1, -1};
    pid_t parent = getpid();

    memset(p, 0, sizeof *p);
    p->pid = -1;
    p->out_fd = -1;
    p->status = -1;
    if (pipe(out) != 0) {
        return -1;
    }
    if (input != NULL && pipe(in) != 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    fflush(NULL);
    p->pid = fork();
    if (p->pid < 0) {
        close(out[0]);
        close(out[1]);
        if (input != NULL) {
            close(in[0]);
            close(in[1]);
        }
        return -1;
    }
    if (p->pid == 0) {
#if defined(__linux__)
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(126);
        }
#endif
        (void)parent;
        int fd = input != NULL ? in[0] : open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 0);
        }
        dup2(out[1], 1);
        for (fd = 3; fd < 1024; fd++) {
            close(fd);
        }
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    p->out_fd = out[0];
    (void)fcntl(p->out_fd, F_SETFL, fcntl(p->out_fd, F_GETFL) | O_NONBLOCK);
    if (input != NULL) {
        size_t len = strlen(input), done = 0;
        close(in[0]);
        while (done < len) {
            ssize_t w = write(in[1], input + done, len - done);
            if (w <= 0) {
                break;
            }
            done += (size_t)w;
        }
        close(in[1]);
    }
    p->cap = 4096;
    p->out = malloc(p->cap);
    if (p->out == NULL) {
        return -1;
    }
    p->out[0] = '\0';
    return 0;
}

static void proc_read(ic_proc_t *p, bool *eof)
{
    for (;;) {
        if (p->cap - p->len < 1024) {
            char *nb = realloc(p->out, p->cap * 2);
            if (nb == NULL) {
                *eof = true;
                return;
            }
            p->out = nb;
            p->cap *= 2;
        }
        ssize_t n = read(p->out_fd, p->out + p->len, p->cap - p->len - 1);
        if (n > 0) {
            p->len += (size_t)n;
            p->out[p->len] = '\0';
            continue;
        }
        if (n == 0) {
            *eof = true;
        }
        return; /* EAGAIN or an error */
    }
}

int ic_proc_wait(ic_proc_t *p, uint32_t timeout_ms)
{
    uint64_t end = ic_now_ms() + timeout_ms;
    bool eof = false;
    int wst = 0;

    if (p->pid <= 0) {
        return -1;
    }
    while (!eof) {
        uint64_t now = ic_now_ms();
        if (now >= end) {
            break;
        }
        struct pollfd pfd = {p->out_fd, POLLIN, 0};
        (void)poll(&pfd, 1, (int)(end - now));
        proc_read(p, &eof);
    }
    for (;;) {
        pid_t r = waitpid(p->pid, &wst, WNOHANG);
        if (r == p->pid) {
            break;
        }
        if (ic_now_ms() >= end) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &wst, 0);
            p->pid = -1;
            p->status = -1;
            printf("     child process timed out and was killed\n");
            return -1;
        }
        ic_sleep_ms(5);
    }
    p->pid = -1;
    p->status = WIFEXITED(wst) ? WEXITSTATUS(wst) : -1;
    return p->status;
}

void ic_proc_free(ic_proc_t *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        p->pid = -1;
    }
    if (p->out_fd >= 0) {
        close(p->out_fd);
        p->out_fd = -1;
    }
    free(p->out);
    p->out = NULL;
}
