/**
 * @file tool_pub.c
 * @brief `mqtls pub`: publish one message (-m -f -s -n, optionally --repeat'ed) or each line
 *        of stdin (-l), wait for QoS 1/2 acknowledgements, disconnect.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqtls/reason.h"
#include "tool_cmds.h"
#include "mqtt/tool_conn.h"
#include "common/tool_opts.h"
#include "common/tool_util.h"

/** The state of one `mqtls pub` run. */
typedef struct pub {
    tool_cfg_t *cfg;
    tool_conn_t conn;
    tool_buf_t payload;  /**< -f / -s contents */
    const uint8_t *data; /**< the single message */
    size_t len;
    int rc;              /**< first failure reported by an event */
    bool alias_sent;     /**< 5.0 topic alias: the topic went out once */
    bool stop;           /**< -l: read no more input (the broker downgraded QoS 2) */
    uint32_t downgraded; /**< QoS 2 messages the broker acknowledged with PUBACK */
    uint64_t ack_progress_ms; /**< last acknowledgement, or when the wait for one began */
} pub_t;

static bool uses_alias(const tool_cfg_t *cfg)
{
    return cfg->version == MQTLS_V5 &&
           (cfg->props.set[TOOL_P_PUBLISH].p.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS));
}

static int check_topic(const tool_cfg_t *cfg)
{
    if (cfg->topics.n == 0)
        return tool_usage_err("no topic given: use -t TOPIC (or -L mqtt://host/topic)");
    if (cfg->topics.n > 1)
        return tool_usage_err("mqtls pub publishes to one topic, but %lu were given",
                              (unsigned long)cfg->topics.n);
    const char *t = cfg->topics.v[0];
    if (strpbrk(t, "+#"))
        return tool_usage_err("invalid publish topic '%s': it must not contain '+' or '#'", t);
    if (!*t)
        return tool_usage_err("the topic must not be empty");
    if (strlen(t) > 65535)
        return tool_usage_err("the topic is longer than 65535 bytes");
    mqtls_status_t st = mqtls_topic_check(t, strlen(t));
    if (st != MQTLS_OK) /* as sub checks its filters: before connecting, not at the broker */
        return tool_usage_err("invalid publish topic '%s': %s", t, mqtls_strerror(st));
    return TOOL_EXIT_OK;
}

static int check_message(const tool_cfg_t *cfg)
{
    if (cfg->msg_sources == 0)
        return tool_usage_err("no message given: use one of -m, -f, -l, -s or -n");
    if (cfg->msg_sources > 1)
        return tool_usage_err("give only one of -m, -f, -l, -s and -n");
    if (cfg->msg_mode == TOOL_MSG_LINES && cfg->repeat > 1)
        return tool_usage_err("--repeat cannot be used with -l");
    return TOOL_EXIT_OK;
}

/* Bytes of the fixed header that encodes remaining length @p rl. */
static size_t fixed_header_len(size_t rl)
{
    return rl < 128u ? 2u : rl < 16384u ? 3u : rl < 2097152u ? 4u : 5u;
}

/* The largest payload a PUBLISH of this run can carry: the protocol's remaining length
 * (MQTLS_VBI_MAX) minus what topic, packet id and 5.0 properties take. 0 on a bad topic or
 * property (reported later, where they are checked). */
static size_t max_payload(const tool_cfg_t *cfg)
{
    mqtls_packet_t pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.type = MQTLS_PUBLISH;
    pkt.u.publish.topic = mqtls_str(cfg->topics.v[0]);
    pkt.u.publish.qos = cfg->qos;
    pkt.u.publish.packet_id = cfg->qos ? 1 : 0;
    if (cfg->version == MQTLS_V5)
        pkt.u.publish.props = cfg->props.set[TOOL_P_PUBLISH].p;
    size_t total = 0;
    if (mqtls_encode_size(&pkt, cfg->version, &total) != MQTLS_OK)
        return MQTLS_VBI_MAX;
    for (size_t h = 2; h <= 5 && h < total; h++)
        if (fixed_header_len(total - h) == h)
            return MQTLS_VBI_MAX - (total - h);
    return MQTLS_VBI_MAX;
}

/* Loads -m / -f / -s / -n before connecting; -f and -s read at most one byte more than
 * the largest payload, so that /dev/zero or an endless pipe fails at once. */
static int load_message(pub_t *p)
{
    const tool_cfg_t *cfg = p->cfg;
    int err = 0;
    if (cfg->msg_mode == TOOL_MSG_ARG) {
        p->data = (const uint8_t *)cfg->message;
        p->len = strlen(cfg->message);
        return TOOL_EXIT_OK;
    }
    size_t max = max_payload(cfg);
    bool file = cfg->msg_mode == TOOL_MSG_FILE;
    if (file)
        err = tool_read_file_max(cfg->file, &p->payload, max);
    else if (cfg->msg_mode == TOOL_MSG_STDIN)
        err = tool_read_fd_max(0, &p->payload, max);
    if (err)
        return tool_usage_err("cannot read %s%s%s: %s", file ? "file '" : "stdin",
                              file ? cfg->file : "", file ? "'" : "", strerror(err));
    p->data = (const uint8_t *)p->payload.p;
    p->len = p->payload.len;
    if (p->len > max)
        return tool_usage_err("%s%s%s is too large: an MQTT %s PUBLISH to this topic carries at "
                              "most %lu bytes of payload (the protocol's limit of %lu bytes "
                              "minus %lu for topic, packet id and properties); stopped reading "
                              "there",
                              file ? "the file '" : "stdin", file ? cfg->file : "",
                              file ? "'" : "", cfg->version == MQTLS_V5 ? "5.0" : "3.1.1",
                              (unsigned long)max, (unsigned long)MQTLS_VBI_MAX,
                              (unsigned long)(MQTLS_VBI_MAX - max));
    return TOOL_EXIT_OK;
}

/* A QoS 2 message answered with PUBACK: the broker (RabbitMQ's MQTT plugin) took it at
 * QoS 1. Said in full once; the count is reported at the end. */
static void on_downgraded(pub_t *p, const mqtls_event_t *ev)
{
    if (p->downgraded++ == 0)
        tool_err("the broker does not support QoS 2: it acknowledged the QoS 2 message (mid %u) "
                 "with PUBACK, so it took it at QoS 1 (delivered at least once, not exactly "
                 "once); use -q 1 with this broker", (unsigned)ev->packet_id);
    p->stop = true; /* -l: every further message would be downgraded too */
    if (!p->rc)
        p->rc = TOOL_EXIT_ERROR;
}

static void on_publish_failed(pub_t *p, const mqtls_event_t *ev)
{
    mqtls_packet_type_t ack = p->cfg->qos == 2 ? MQTLS_PUBREC : MQTLS_PUBACK;
    if (tool_reason_failed(ev->reason))
        tool_err("the broker rejected the message (mid %u): %s (reason code %u)",
                 (unsigned)ev->packet_id, mqtls_reason_text(p->cfg->version, ack, ev->reason),
                 (unsigned)ev->reason);
    else
        tool_err("publish (mid %u) failed: %s", (unsigned)ev->packet_id,
                 mqtls_strerror(ev->status));
    if (!p->rc)
        p->rc = tool_reason_failed(ev->reason) ? TOOL_EXIT_REJECTED : TOOL_EXIT_ERROR;
}

static void on_dropped(pub_t *p, const mqtls_event_t *ev)
{
    if (ev->status == MQTLS_ERR_STORE)
        tool_err("message (mid %u) dropped: the session directory's copy cannot be read back",
                 (unsigned)ev->packet_id);
    else if (ev->status != MQTLS_OK)
        tool_err("message (mid %u) dropped: %s", (unsigned)ev->packet_id,
                 mqtls_strerror(ev->status));
    else
        tool_err("message (mid %u) dropped: the broker kept no session", (unsigned)ev->packet_id);
    if (!p->rc)
        p->rc = TOOL_EXIT_ERROR;
}

static void on_event(void *user, const mqtls_event_t *ev)
{
    pub_t *p = user;
    switch (ev->type) {
    case MQTLS_EV_CONNECTED: /* a new connection knows no alias yet, and resends */
        p->alias_sent = false;
        p->ack_progress_ms = tool_now_ms();
        break;
    case MQTLS_EV_PUBLISH_DONE:
        p->ack_progress_ms = tool_now_ms();
        if (ev->status == MQTLS_ERR_QOS2_DOWNGRADED)
            on_downgraded(p, ev);
        else if (ev->status != MQTLS_OK || tool_reason_failed(ev->reason))
            on_publish_failed(p, ev);
        break;
    case MQTLS_EV_PUBLISH_DROPPED:
        p->ack_progress_ms = tool_now_ms();
        on_dropped(p, ev);
        break;
    default:
        break;
    }
}

/* --ack-timeout: messages in flight and no acknowledgement for that long (AWS IoT Core
 * does not answer QoS 2 at all) end the run instead of a silent hang. The clock runs only
 * while connected with something in flight. */
static int check_ack_progress(pub_t *p)
{
    uint64_t now = tool_now_ms();
    uint16_t n = mqtls_inflight(&p->conn.client);
    uint64_t limit = p->cfg->ack_timeout_s * 1000ull;
    if (!n || !limit || !p->conn.connected || now < p->ack_progress_ms + limit) {
        if (!n || !p->conn.connected)
            p->ack_progress_ms = now;
        return TOOL_EXIT_OK;
    }
    tool_err("no acknowledgement from the broker for %lu s (--ack-timeout): %u message(s) not "
             "acknowledged", (unsigned long)p->cfg->ack_timeout_s, (unsigned)n);
    if (p->cfg->qos == 2)
        tool_note("the broker probably does not support QoS 2 (AWS IoT Core, for one, never "
                  "answers a QoS 2 publish): use -q 1");
    return TOOL_EXIT_ERROR;
}

static int publish_error(mqtls_status_t st)
{
    if (st == MQTLS_ERR_INTERRUPTED) { /* Ctrl-C while the broker was not reading */
        tool_err("interrupted while sending: the broker was not taking the data, the message "
                 "was not delivered");
        return TOOL_EXIT_ERROR;
    }
    tool_err("publish failed: %s", mqtls_strerror(st));
    switch (st) {
    case MQTLS_ERR_SERVER_LIMIT:
    case MQTLS_ERR_QOS_NOT_SUPPORTED:
    case MQTLS_ERR_RETAIN_NOT_SUPPORTED:
        return TOOL_EXIT_REJECTED;
    case MQTLS_ERR_BAD_PARAM:
    case MQTLS_ERR_MALFORMED_TOPIC:
    case MQTLS_ERR_MALFORMED_UTF8:
    case MQTLS_ERR_MALFORMED_UTF8_NUL:
    case MQTLS_ERR_TOPIC_ALIAS:
        return TOOL_EXIT_USAGE;
    default:
        return TOOL_EXIT_ERROR;
    }
}

/* Services the connection once while waiting for room; returns an exit code to stop. */
static int wait_room(pub_t *p)
{
    tool_conn_poll(&p->conn, -1, 1000, NULL);
    if (p->conn.lost)
        return tool_conn_lost_exit(&p->conn);
    return tool_stop ? TOOL_EXIT_ERROR : check_ack_progress(p);
}

/* Publishes one message, waiting while the in-flight window or the store is full. */
static int publish_one(pub_t *p, const uint8_t *data, size_t len)
{
    const tool_cfg_t *cfg = p->cfg;
    mqtls_publish_t m;
    memset(&m, 0, sizeof m);
    m.topic = mqtls_str(p->alias_sent ? "" : cfg->topics.v[0]);
    m.payload = data;
    m.payload_len = (uint32_t)len;
    m.qos = cfg->qos;
    m.retain = cfg->retain;
    if (cfg->version == MQTLS_V5)
        m.props = cfg->props.set[TOOL_P_PUBLISH].p;
    if (mqtls_inflight(&p->conn.client) == 0) /* the wait for an acknowledgement begins */
        p->ack_progress_ms = tool_now_ms();
    for (;;) {
        if (p->conn.lost)
            return tool_conn_lost_exit(&p->conn);
        uint16_t mid = 0;
        mqtls_status_t st = mqtls_publish(&p->conn.client, &m, &mid);
        if (st == MQTLS_OK) {
            if (cfg->session_dir && cfg->debug && m.qos) /* accepted: it is on disk now */
                printf("Client %s stored PUBLISH (m%u, %lu bytes) in %s\n", cfg->id,
                       (unsigned)mid, (unsigned long)len, cfg->session_dir);
            break;
        }
        /* Full, or (QoS 0) waiting for a reconnect: wait, reading no more input. */
        bool busy = st == MQTLS_ERR_INFLIGHT_FULL ||
                    (st == MQTLS_ERR_STORE && mqtls_inflight(&p->conn.client) > 0) ||
                    (st == MQTLS_ERR_STATE && p->conn.reconnect && !p->conn.connected);
        if (!busy)
            return publish_error(st);
        int rc = wait_room(p);
        if (rc)
            return rc;
    }
    p->alias_sent = uses_alias(cfg);
    return TOOL_EXIT_OK;
}

/* Keeps the connection serviced for @p ms. */
static int pause_ms(pub_t *p, uint32_t ms)
{
    uint64_t end = tool_now_ms() + ms;
    for (uint64_t now = tool_now_ms(); now < end && !tool_stop; now = tool_now_ms()) {
        tool_conn_poll(&p->conn, -1, (uint32_t)(end - now), NULL);
        if (p->conn.lost)
            return tool_conn_lost_exit(&p->conn);
    }
    return TOOL_EXIT_OK;
}

static int run_single(pub_t *p)
{
    for (uint32_t i = 0; i < p->cfg->repeat && !tool_stop && !p->stop; i++) {
        int rc = publish_one(p, p->data, p->len);
        if (!rc && i + 1 < p->cfg->repeat && p->cfg->repeat_delay_ms)
            rc = pause_ms(p, p->cfg->repeat_delay_ms);
        if (rc)
            return rc;
    }
    return TOOL_EXIT_OK;
}

/* Publishes every whole line in @p in (and at EOF what is left). */
static int publish_lines(pub_t *p, tool_buf_t *in, bool eof)
{
    size_t start = 0;
    for (;;) {
        char *nl = in->len > start ? memchr(in->p + start, '\n', in->len - start) : NULL;
        if (!nl)
            break;
        size_t end = (size_t)(nl - in->p);
        int rc = publish_one(p, (const uint8_t *)in->p + start, end - start);
        if (rc)
            return rc;
        start = end + 1;
    }
    if (eof && in->len > start) {
        int rc = publish_one(p, (const uint8_t *)in->p + start, in->len - start);
        if (rc)
            return rc;
        start = in->len;
    }
    tool_buf_consume(in, start);
    mqtls_flush(&p->conn.client);
    return TOOL_EXIT_OK;
}

/* Reads what stdin has now; returns <0 on error, 0 at EOF, >0 bytes. */
static ssize_t read_stdin(tool_buf_t *in)
{
    char chunk[65536];
    ssize_t n = read(0, chunk, sizeof chunk);
    if (n > 0)
        tool_buf_add(in, chunk, (size_t)n);
    return n;
}

static int run_lines(pub_t *p)
{
    tool_buf_t in = {0};
    int rc = TOOL_EXIT_OK;
    for (bool eof = false; !eof && !rc && !tool_stop && !p->stop;) {
        bool ready = false;
        tool_conn_poll(&p->conn, 0, 1000, &ready);
        if (p->conn.lost) {
            rc = tool_conn_lost_exit(&p->conn);
            break;
        }
        if ((rc = check_ack_progress(p)) != 0)
            break;
        if (!ready)
            continue;
        ssize_t n = read_stdin(&in);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            tool_err("cannot read stdin: %s", strerror(errno));
            rc = TOOL_EXIT_ERROR;
            break;
        }
        eof = n == 0;
        rc = publish_lines(p, &in, eof);
    }
    tool_buf_free(&in);
    return rc;
}

/* Waits until every QoS 1/2 message is acknowledged. */
static int drain(pub_t *p)
{
    while (mqtls_inflight(&p->conn.client) > 0) {
        if (p->conn.lost)
            return tool_conn_lost_exit(&p->conn);
        if (tool_stop) {
            tool_err("interrupted with %u message(s) not acknowledged",
                     (unsigned)mqtls_inflight(&p->conn.client));
            return TOOL_EXIT_ERROR;
        }
        tool_conn_poll(&p->conn, -1, 1000, NULL);
        int rc = check_ack_progress(p);
        if (rc)
            return rc;
    }
    mqtls_flush(&p->conn.client);
    return TOOL_EXIT_OK;
}

static void pub_sizes(const pub_t *p, tool_conn_sizes_t *sz)
{
    const tool_cfg_t *cfg = p->cfg;
    bool lines = cfg->msg_mode == TOOL_MSG_LINES;
    memset(sz, 0, sizeof *sz);
    sz->rx = 64 * 1024;
    sz->tx = tool_conn_tx_size(cfg);
    sz->store = lines ? 8u * 1024 * 1024 : p->len + 128 * 1024;
    if (sz->store < 1024 * 1024)
        sz->store = 1024 * 1024;
    sz->inflight = cfg->max_inflight;
    sz->qos2_in = 16;
    sz->coalesce = cfg->qos == 0 && (lines || cfg->repeat > 1);
    sz->reconnect = lines; /* a stream of lines outlives broker restarts */
}

static int pub_run(pub_t *p)
{
    tool_conn_sizes_t sz;
    pub_sizes(p, &sz);
    int rc = tool_conn_open(&p->conn, p->cfg, &sz, on_event, p, 0, false);
    if (!rc)
        rc = p->cfg->msg_mode == TOOL_MSG_LINES ? run_lines(p) : run_single(p);
    if (!rc)
        rc = drain(p);
    if (p->downgraded > 1)
        tool_err("%lu QoS 2 messages in all were taken at QoS 1", (unsigned long)p->downgraded);
    tool_conn_close(&p->conn);
    return rc ? rc : p->rc;
}

int tool_pub_main(int argc, char **argv)
{
    tool_cfg_t cfg;
    pub_t p;
    memset(&p, 0, sizeof p);
    p.cfg = &cfg;
    tool_cfg_init(&cfg, TOOL_PUB);
    int rc = tool_opts_parse(&cfg, argc, argv);
    if (!rc)
        rc = tool_conn_check(&cfg);
    if (!rc)
        rc = check_topic(&cfg);
    if (!rc)
        rc = check_message(&cfg);
    if (!rc)
        rc = load_message(&p);
    if (rc == TOOL_EXIT_USAGE)
        fputs("Use 'mqtls pub --help' to see usage.\n", stderr);
    if (!rc) {
        tool_set_quiet(cfg.quiet);
        rc = pub_run(&p);
    }
    tool_buf_free(&p.payload);
    tool_cfg_free(&cfg);
    return rc == TOOL_HELP_SHOWN ? TOOL_EXIT_OK : rc;
}
