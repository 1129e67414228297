/**
 * @file tool_sub.c
 * @brief `mqtls sub`: subscribe (and unsubscribe with -U), print each message that
 *        arrives, stop after -C messages, -W seconds, -E or a signal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mqtls/reason.h"
#include "tool_cmds.h"
#include "mqtt/tool_conn.h"
#include "mqtt/tool_format.h"
#include "common/tool_opts.h"
#include "common/tool_util.h"

/** One SUBSCRIBE or UNSUBSCRIBE sent: which filters it carried. */
typedef struct sub_req {
    uint16_t packet_id;
    size_t first;
    size_t count;
} sub_req_t;

/** The state of one `mqtls sub` run. */
typedef struct sub {
    tool_cfg_t *cfg;
    tool_conn_t conn;
    tool_msg_ctx_t mctx;
    tool_buf_t out;
    sub_req_t *reqs;
    size_t n_reqs;
    size_t pending;      /**< SUBACKs and UNSUBACKs still awaited */
    size_t denied;       /**< filters the broker refused */
    bool subscribed;     /**< the first SUBSCRIBE went out: a reconnect repeats it */
    uint32_t received;   /**< messages printed (for -C) */
    tool_strlist_t clear; /**< --remove-retained: topics to clear (heap copies) */
    size_t cleared;      /**< how many of them were handed to the client */
    bool done;
    int rc;
} sub_t;

static int check_filters(const tool_strlist_t *l, const char *what)
{
    for (size_t i = 0; i < l->n; i++) {
        size_t len = strlen(l->v[i]);
        mqtls_status_t st = len > 65535 ? MQTLS_ERR_MALFORMED_LENGTH
                                        : mqtls_filter_check(l->v[i], len);
        if (!len || st != MQTLS_OK)
            return tool_usage_err("invalid %s '%s': %s", what, l->v[i],
                                  len ? mqtls_strerror(st) : "empty");
    }
    return TOOL_EXIT_OK;
}

static int sub_check(const tool_cfg_t *cfg)
{
    char err[128];
    int crc = tool_conn_check(cfg);
    if (crc)
        return crc;
    if (cfg->topics.n == 0 && cfg->unsub.n == 0)
        return tool_usage_err("no topic given: use -t FILTER (or -L mqtt://host/filter)");
    int rc = check_filters(&cfg->topics, "subscription filter");
    if (!rc)
        rc = check_filters(&cfg->filter_out, "-T filter");
    if (!rc)
        rc = check_filters(&cfg->unsub, "-U filter");
    if (rc)
        return rc;
    if (cfg->format && !tool_format_check(cfg->format, err, sizeof err))
        return tool_usage_err("invalid -F format: %s", err);
    if (cfg->no_retained && cfg->retained_only)
        return tool_usage_err("-R and --retained-only exclude each other");
    return TOOL_EXIT_OK;
}

static bool filtered_out(const tool_cfg_t *cfg, const mqtls_publish_t *m)
{
    for (size_t i = 0; i < cfg->filter_out.n; i++)
        if (mqtls_topic_matches(cfg->filter_out.v[i], strlen(cfg->filter_out.v[i]),
                                m->topic.data, m->topic.len))
            return true;
    return false;
}

/* Prints one message; false when stdout did not take it. */
static bool print_message(sub_t *s, const mqtls_publish_t *m)
{
    const tool_cfg_t *cfg = s->cfg;
    tool_buf_t *o = &s->out;
    o->len = 0;
    if (cfg->format) {
        tool_format_message(o, cfg->format, m, &s->mctx);
    } else if (cfg->verbose) {
        tool_format_topic(o, m->topic.data, m->topic.len, s->mctx.escape_topic);
        tool_buf_addc(o, ' ');
        if (m->payload_len)
            tool_buf_add(o, m->payload, m->payload_len);
        else
            tool_buf_add(o, "(null)", 6);
    } else {
        tool_buf_add(o, m->payload, m->payload_len);
    }
    if (!cfg->no_eol)
        tool_buf_addc(o, '\n');
    fwrite(o->p, 1, o->len, stdout);
    if (fflush(stdout) == 0 && !ferror(stdout))
        return true;
    s->done = true;
    if (errno == EPIPE) /* the reader has enough (| head -1): a normal end, as mosquitto_sub */
        return false;
    tool_err("cannot write to stdout: %s", strerror(errno));
    s->rc = TOOL_EXIT_ERROR;
    return false;
}

/* --remove-retained: the topic is kept and cleared from the loop (remove_queued): inside
 * this callback the client cannot be stepped when its window is full. */
static void queue_removal(sub_t *s, const mqtls_publish_t *m)
{
    char *t = tool_xmalloc((size_t)m->topic.len + 1);
    memcpy(t, m->topic.data, m->topic.len);
    t[m->topic.len] = '\0';
    tool_strlist_add(&s->clear, t);
}

/* --random-filter: true when this message is to be skipped. */
static bool random_skip(const tool_cfg_t *cfg)
{
    return cfg->random_filter < TOOL_RANDOM_ALL &&
           (uint32_t)(random() % TOOL_RANDOM_ALL) >= cfg->random_filter;
}

/* A message the run does not take (after -C N, the first live one of --retained-only, one
 * stdout refused) is declined: not acknowledged, so that a persistent session (-c) gets it
 * on its next connection instead of losing it. Filtered ones (-T, -R) are taken and
 * dropped, as asked. */
static void on_message(sub_t *s, const mqtls_publish_t *m)
{
    const tool_cfg_t *cfg = s->cfg;
    mqtls_client_t *c = &s->conn.client;
    if (s->done) {
        mqtls_decline(c);
        return;
    }
    if (filtered_out(cfg, m))
        return;
    if (cfg->retained_only && !m->retain) {
        s->done = true;
        mqtls_decline(c);
        return;
    }
    /* Before -R: mosquitto_sub(1) says --remove-retained "still takes effect even if -R
     * is used" (its 2.0.11 binary skips it then; see docs/cli.md). */
    if (cfg->remove_retained && m->retain)
        queue_removal(s, m);
    if ((cfg->no_retained && m->retain) || random_skip(cfg))
        return;
    if (!print_message(s, m)) {
        mqtls_decline(c);
        return;
    }
    if (cfg->count && ++s->received >= cfg->count) {
        s->done = true;
        mqtls_pause(c); /* the rest of what was read stays unacknowledged */
    }
}

static const sub_req_t *find_req(const sub_t *s, uint16_t id)
{
    for (size_t i = 0; i < s->n_reqs; i++)
        if (s->reqs[i].packet_id == id)
            return &s->reqs[i];
    return NULL;
}

static void on_suback(sub_t *s, const mqtls_event_t *ev)
{
    const sub_req_t *r = find_req(s, ev->packet_id);
    if (s->cfg->debug) {
        printf("Subscribed (mid: %u):", (unsigned)ev->packet_id);
        for (uint16_t i = 0; i < ev->count; i++)
            printf("%s %u", i ? "," : "", (unsigned)ev->codes[i]);
        printf("\n");
        fflush(stdout);
    }
    for (uint16_t i = 0; i < ev->count; i++) {
        if (!tool_reason_failed(ev->codes[i]))
            continue;
        s->denied++;
        const char *f = r && i < r->count ? s->cfg->topics.v[r->first + i] : "?";
        tool_err("subscription to '%s' refused: %s (code %u)", f,
                 mqtls_reason_text(s->cfg->version, MQTLS_SUBACK, ev->codes[i]),
                 (unsigned)ev->codes[i]);
    }
}

static void on_unsuback(sub_t *s, const mqtls_event_t *ev)
{
    const sub_req_t *r = find_req(s, ev->packet_id);
    if (s->cfg->debug) {
        printf("Unsubscribed (mid: %u)\n", (unsigned)ev->packet_id);
        fflush(stdout);
    }
    for (uint16_t i = 0; i < ev->count; i++)
        if (tool_reason_failed(ev->codes[i]))
            tool_warn("unsubscribe from '%s' failed: %s (code %u)",
                      r && i < r->count ? s->cfg->unsub.v[r->first + i] : "?",
                      mqtls_reason_text(s->cfg->version, MQTLS_UNSUBACK, ev->codes[i]),
                      (unsigned)ev->codes[i]);
}

/* After the last acknowledgement: -E ends here; a broker that refused everything too. */
static void acks_done(sub_t *s)
{
    if (s->cfg->topics.n && s->denied == s->cfg->topics.n) {
        tool_err("every subscription was refused by the broker");
        s->rc = TOOL_EXIT_REJECTED;
        s->done = true;
    }
    if (s->cfg->exit_after_sub)
        s->done = true;
}

static mqtls_status_t subscribe_chunk(sub_t *s, size_t first, size_t n);

/* After a reconnect to a broker that kept no session, the subscriptions are made again
 * (as mosquitto_sub does); a resumed session still has them. */
static void resubscribe(sub_t *s)
{
    const size_t max = MQTLS_CFG_MAX_SUBACK_CODES;
    s->denied = 0;
    for (size_t i = 0; i < s->cfg->topics.n; i += max)
        if (subscribe_chunk(s, i, s->cfg->topics.n - i < max ? s->cfg->topics.n - i : max))
            break;
}

static void on_event(void *user, const mqtls_event_t *ev)
{
    sub_t *s = user;
    switch (ev->type) {
    case MQTLS_EV_MESSAGE:
        on_message(s, ev->message);
        return;
    case MQTLS_EV_CONNECTED:
        if (s->subscribed && !ev->session_present)
            resubscribe(s);
        return;
    case MQTLS_EV_SUBACK:
        on_suback(s, ev);
        break;
    case MQTLS_EV_UNSUBACK:
        on_unsuback(s, ev);
        break;
    default:
        return;
    }
    if (s->pending && --s->pending == 0)
        acks_done(s);
}

static void add_req(sub_t *s, uint16_t id, size_t first, size_t count)
{
    s->reqs = tool_xrealloc(s->reqs, (s->n_reqs + 1) * sizeof *s->reqs);
    s->reqs[s->n_reqs++] = (sub_req_t){id, first, count};
    s->pending++;
}

static const mqtls_props_t *props_for(const sub_t *s, tool_pcmd_t cmd)
{
    const mqtls_props_t *p = &s->cfg->props.set[cmd].p;
    return s->cfg->version == MQTLS_V5 && p->present ? p : NULL;
}

/* Sends SUBSCRIBE for filters [first, first + n). */
static mqtls_status_t subscribe_chunk(sub_t *s, size_t first, size_t n)
{
    mqtls_subscription_t subs[MQTLS_CFG_MAX_SUBACK_CODES];
    for (size_t i = 0; i < n; i++) {
        subs[i].filter = mqtls_str(s->cfg->topics.v[first + i]);
        subs[i].options = s->cfg->qos;
    }
    uint16_t id = 0;
    mqtls_status_t st = mqtls_subscribe(&s->conn.client, subs, (uint16_t)n,
                                        props_for(s, TOOL_P_SUBSCRIBE), &id);
    if (st == MQTLS_OK)
        add_req(s, id, first, n);
    return st;
}

static mqtls_status_t unsubscribe_chunk(sub_t *s, size_t first, size_t n)
{
    mqtls_str_t f[MQTLS_CFG_MAX_SUBACK_CODES];
    for (size_t i = 0; i < n; i++)
        f[i] = mqtls_str(s->cfg->unsub.v[first + i]);
    uint16_t id = 0;
    mqtls_status_t st = mqtls_unsubscribe(&s->conn.client, f, (uint16_t)n,
                                          props_for(s, TOOL_P_UNSUBSCRIBE), &id);
    if (st == MQTLS_OK)
        add_req(s, id, first, n);
    return st;
}

/* Subscribes to every -t, then unsubscribes every -U, in chunks the client can report. */
static int subscribe_all(sub_t *s)
{
    const size_t max = MQTLS_CFG_MAX_SUBACK_CODES;
    mqtls_status_t st = MQTLS_OK;
    for (size_t i = 0; st == MQTLS_OK && i < s->cfg->topics.n; i += max)
        st = subscribe_chunk(s, i, s->cfg->topics.n - i < max ? s->cfg->topics.n - i : max);
    for (size_t i = 0; st == MQTLS_OK && i < s->cfg->unsub.n; i += max)
        st = unsubscribe_chunk(s, i, s->cfg->unsub.n - i < max ? s->cfg->unsub.n - i : max);
    if (st == MQTLS_OK)
        return TOOL_EXIT_OK;
    if (s->conn.lost)
        return tool_conn_lost_exit(&s->conn);
    tool_err("subscribe failed: %s", mqtls_strerror(st));
    return TOOL_EXIT_ERROR;
}

/* Hands the queued --remove-retained topics to the client: an empty retained message at
 * QoS 1 each (as mosquitto_sub), until the in-flight window is full. */
static void remove_queued(sub_t *s)
{
    while (s->cleared < s->clear.n) {
        mqtls_publish_t p;
        memset(&p, 0, sizeof p);
        p.topic = mqtls_str(s->clear.v[s->cleared]);
        p.qos = 1;
        p.retain = true;
        mqtls_status_t st = mqtls_publish(&s->conn.client, &p, NULL);
        if (st == MQTLS_ERR_INFLIGHT_FULL || st == MQTLS_ERR_STORE)
            return; /* room comes with the acknowledgements */
        if (st != MQTLS_OK)
            tool_err("cannot clear the retained message of '%s': %s",
                     s->clear.v[s->cleared], mqtls_strerror(st));
        s->cleared++;
    }
}

/* Before disconnecting: every queued topic sent and acknowledged (at most @p max_ms). */
static void finish_removals(sub_t *s, uint32_t max_ms)
{
    uint64_t end = tool_now_ms() + max_ms;
    remove_queued(s);
    if (s->cleared < s->clear.n || mqtls_inflight(&s->conn.client))
        mqtls_resume(&s->conn.client); /* the acknowledgements may wait behind -C's pause */
    while (s->conn.connected && (s->cleared < s->clear.n || mqtls_inflight(&s->conn.client))) {
        uint64_t now = tool_now_ms();
        /* A message declined meanwhile pauses input again: what is behind it stays unread. */
        if (now >= end || s->conn.client.rx_paused) {
            tool_warn("%lu retained message(s) may not have been cleared",
                      (unsigned long)(s->clear.n - s->cleared + mqtls_inflight(&s->conn.client)));
            return;
        }
        tool_conn_poll(&s->conn, -1, (uint32_t)(end - now), NULL);
        remove_queued(s);
    }
}

static void free_removals(sub_t *s)
{
    for (size_t i = 0; i < s->clear.n; i++)
        free((void *)s->clear.v[i]);
    free(s->clear.v);
}

/* --random-filter draws from random(): seeded per run, as mosquitto_sub seeds rand(). */
static void seed_random(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    srandom((unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec ^ ((unsigned)getpid() << 16));
}

/* Handles traffic until done, a signal, the -W deadline (0: none) or a lost connection. */
static int sub_loop(sub_t *s, uint64_t deadline)
{
    while (!s->done && !tool_stop) {
        if (s->conn.lost)
            return tool_conn_lost_exit(&s->conn);
        uint64_t now = tool_now_ms();
        if (deadline && now >= deadline) {
            tool_note("Timed out");
            return TOOL_EXIT_TIMEOUT;
        }
        uint32_t wait = deadline ? (uint32_t)(deadline - now) : 60000u;
        tool_conn_poll(&s->conn, -1, wait, NULL);
        remove_queued(s);
    }
    return s->rc;
}

/** The default receive buffer of sub (--max-packet-size): 64 MiB. */
#define TOOL_SUB_DEFAULT_RX (64u * 1024u * 1024u)

static void sub_sizes(const tool_cfg_t *cfg, tool_conn_sizes_t *sz)
{
    memset(sz, 0, sizeof *sz);
    /* Generous, as mosquitto_sub takes what comes: a large retained or queued message must
     * not end every run of a persistent session. The pages are touched only when used. */
    sz->rx = cfg->max_packet ? cfg->max_packet : TOOL_SUB_DEFAULT_RX;
    sz->tx = tool_conn_tx_size(cfg);
    sz->store = 64 * 1024;
    sz->inflight = 16;
    sz->qos2_in = 128;
    sz->reconnect = true;
}

static int sub_run(sub_t *s)
{
    const tool_cfg_t *cfg = s->cfg;
    uint64_t deadline = cfg->timeout_s ? tool_now_ms() + cfg->timeout_s * 1000ull : 0;
    uint32_t ctimeout = 0;
    if (cfg->timeout_s && cfg->timeout_s * 1000ull < MQTLS_CFG_CONNECT_TIMEOUT_MS)
        ctimeout = cfg->timeout_s * 1000u;
    tool_conn_sizes_t sz;
    sub_sizes(cfg, &sz);
    s->mctx.client_id = cfg->client_id;
    s->mctx.version = cfg->version;
    s->mctx.escape_topic = isatty(STDOUT_FILENO) == 1;
    s->mctx.pretty = cfg->pretty;
    seed_random();
    int rc = tool_conn_open(&s->conn, cfg, &sz, on_event, s, ctimeout, cfg->timeout_s != 0);
    if (!rc)
        rc = subscribe_all(s);
    s->subscribed = true;
    if (!rc)
        rc = sub_loop(s, deadline);
    finish_removals(s, 5000);
    tool_conn_settle(&s->conn, 2000);
    tool_conn_close(&s->conn);
    return rc;
}

int tool_sub_main(int argc, char **argv)
{
    tool_cfg_t cfg;
    sub_t s;
    memset(&s, 0, sizeof s);
    s.cfg = &cfg;
    tool_cfg_init(&cfg, TOOL_SUB);
    int rc = tool_opts_parse(&cfg, argc, argv);
    if (!rc)
        rc = sub_check(&cfg);
    if (rc == TOOL_EXIT_USAGE)
        fputs("Use 'mqtls sub --help' to see usage.\n", stderr);
    if (!rc) {
        tool_set_quiet(cfg.quiet);
        rc = sub_run(&s);
    }
    tool_buf_free(&s.out);
    free(s.reqs);
    free_removals(&s);
    tool_cfg_free(&cfg);
    return rc == TOOL_HELP_SHOWN ? TOOL_EXIT_OK : rc;
}
