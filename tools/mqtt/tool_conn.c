/**
 * @file tool_conn.c
 * @brief The tool's MQTT connection (see tool_conn.h).
 */
#include "mqtt/tool_conn.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "mqtls/reason.h"
#include "common/tool_util.h"

/** Largest MQTT packet: fixed header (5) plus the largest remaining length. */
#define MAX_PACKET ((size_t)MQTLS_VBI_MAX + 5u)
/** Smallest receive buffer, even when a smaller Maximum Packet Size is advertised. */
#define MIN_RX 256u
/** Bytes per incoming topic alias slot: length prefix and topic. */
#define ALIAS_SLOT_SIZE (2u + 4096u)

int tool_conn_fd(const tool_conn_t *tc)
{
    if (tc->tls)
        return tool_tls_fd(tc->tls);
    return mqtls_tcp_fd(&tc->tcp);
}

bool tool_reason_failed(uint8_t reason)
{
    return reason >= 0x80;
}

int tool_conn_check(const tool_cfg_t *cfg)
{
    if (!cfg->host || !*cfg->host) /* the resolver would make it "localhost" or fail oddly */
        return tool_usage_err("the host name is empty: give the broker with -h HOST");
    return TOOL_EXIT_OK;
}

static size_t props_bytes(const tool_propset_t *s)
{
    size_t n = 64; /* numeric properties */
    const mqtls_props_t *p = &s->p;
    n += p->content_type.len + p->response_topic.len + p->correlation_data.len +
         p->auth_method.len + p->auth_data.len + p->reason_string.len;
    for (size_t i = 0; i < s->n_users; i++)
        n += 4u + s->users[i].key.len + s->users[i].value.len;
    return n;
}

static size_t str_bytes(const char *s)
{
    return s ? strlen(s) + 2u : 0u;
}

size_t tool_conn_tx_size(const tool_cfg_t *cfg)
{
    size_t n = 64 * 1024;
    n += str_bytes(cfg->client_id) + str_bytes(cfg->username) + str_bytes(cfg->password);
    n += str_bytes(cfg->will_topic) + str_bytes(cfg->will_payload);
    for (int i = 0; i < TOOL_P_COUNT; i++)
        n += props_bytes(&cfg->props.set[i]);
    const tool_strlist_t *lists[] = {&cfg->topics, &cfg->unsub};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++)
            n += str_bytes(lists[l]->v[i]) + 1u;
    return n;
}

static void set_nodelay(tool_conn_t *tc)
{
    int fd = tool_conn_fd(tc), one = 1;
    if (fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        tool_warn("--nodelay: could not set TCP_NODELAY");
}

static void on_connected(tool_conn_t *tc, const mqtls_event_t *ev)
{
    if (tc->ever_connected)
        tool_note("reconnected%s", ev->session_present ? " (session resumed)" : "");
    tc->connected = true;
    tc->ever_connected = true;
    if (tc->cfg->nodelay)
        set_nodelay(tc);
    const mqtls_props_t *p = ev->props;
    if (p && (p->present & MQTLS_PROPBIT(MQTLS_PROP_ASSIGNED_CLIENT_ID)))
        tool_trace_set_id(&tc->trace, p->assigned_client_id.data, p->assigned_client_id.len);
}

/* Network trouble passes; a packet we cannot take or a broker breaking the protocol would
 * only come back after a reconnect. */
static bool transient(mqtls_status_t st)
{
    return st >= MQTLS_ERR_KEEPALIVE_TIMEOUT || st == MQTLS_ERR_SERVER_DISCONNECT ||
           st == MQTLS_ERR_CONNACK_REFUSED;
}

/* A broker's DISCONNECT worth a reconnect: it is going down or busy for a while, or
 * a limit that resets. Taken over (0x8E: another client with our id; reconnecting would
 * throw it out in turn, for ever), administrative action, not authorized, server moved and
 * the protocol errors end the run instead. */
static bool server_disconnect_transient(uint8_t reason)
{
    switch (reason) {
    case MQTLS_RC_SUCCESS: /* a normal close by the broker */
    case 0x80:             /* unspecified error */
    case 0x89:             /* server busy */
    case 0x8B:             /* server shutting down */
    case 0x8D:             /* keep alive timeout */
    case 0x97:             /* quota exceeded */
    case 0x9F:             /* connection rate exceeded */
        return true;
    default:
        return false;
    }
}

/* Keeps the Reason String and Server Reference of a broker's DISCONNECT, in words. */
static void keep_server_words(tool_conn_t *tc, const mqtls_props_t *p)
{
    tc->server_says[0] = '\0';
    if (!p)
        return;
    size_t n = 0, cap = sizeof tc->server_says;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_REASON_STRING))
        n += (size_t)snprintf(tc->server_says, cap, ": \"%.*s\"", (int)p->reason_string.len,
                              p->reason_string.data);
    if ((p->present & MQTLS_PROPBIT(MQTLS_PROP_SERVER_REFERENCE)) && n < cap)
        snprintf(tc->server_says + n, cap - n, " (server reference: %.*s)",
                 (int)p->server_reference.len, p->server_reference.data);
}

/* A lost connection: note it and let the client reconnect, or end the command. */
static void on_disconnected(tool_conn_t *tc, const mqtls_event_t *ev)
{
    tc->connected = false;
    tc->status = ev->status;
    tc->reason = ev->reason;
    tc->size = ev->size;
    bool by_server = ev->status == MQTLS_ERR_SERVER_DISCONNECT;
    if (by_server)
        keep_server_words(tc, ev->props);
    bool retry = tc->reconnect && ev->status != MQTLS_OK && transient(ev->status) &&
                 (!by_server || server_disconnect_transient(ev->reason));
    if (retry && by_server) {
        tool_note("the broker disconnected: %s (reason code 0x%02X)%s",
                  mqtls_reason_text(tc->cfg->version, MQTLS_DISCONNECT, ev->reason),
                  (unsigned)ev->reason, tc->server_says);
    } else if (retry) {
        tool_note("connection lost: %s", mqtls_strerror(ev->status));
    } else {
        tc->lost = true;
        mqtls_abort(&tc->client); /* no reconnect: the command ends */
    }
}

/* A connect attempt failed. The first one ends the command (wait_connack reports it); a
 * reconnect is retried, unless the broker refused it in a way retrying cannot heal (bad
 * credentials, not authorized, client id not valid: ev.permanent, and the library does
 * not reconnect): then the command ends with the refusal's words. */
static void on_connect_failed(tool_conn_t *tc, const mqtls_event_t *ev)
{
    tc->status = ev->status;
    tc->reason = ev->reason;
    if (!tc->reconnect || !tc->ever_connected) {
        tc->failed = true;
    } else if (ev->permanent) {
        tc->failed = tc->lost = true;
    } else if (ev->status == MQTLS_ERR_CONNACK_REFUSED) { /* retried: the backoff event follows */
        tool_note("reconnect refused by the broker: %s (%s %u)",
                  mqtls_reason_text(tc->cfg->version, MQTLS_CONNACK, ev->reason),
                  tc->cfg->version == MQTLS_V5 ? "reason code" : "return code",
                  (unsigned)ev->reason);
    } else {
        tool_note("reconnect failed: %s", mqtls_strerror(ev->status));
    }
}

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    tool_conn_t *tc = user;
    (void)c;
    switch (ev->type) {
    case MQTLS_EV_CONNECTED:
        on_connected(tc, ev);
        break;
    case MQTLS_EV_CONNECT_FAILED:
        on_connect_failed(tc, ev);
        break;
    case MQTLS_EV_DISCONNECTED:
        on_disconnected(tc, ev);
        break;
    case MQTLS_EV_RECONNECT_WAIT:
        if (tc->ever_connected)
            tool_note("reconnecting in %lu ms (attempt %u)", (unsigned long)ev->delay_ms,
                      (unsigned)ev->attempt);
        break;
    default:
        break;
    }
    if (tc->handler)
        tc->handler(tc->user, ev);
}

/* Chooses the transport: TLS or TCP (-A binding either; --unix: a Unix socket). TLS loads its
 * credentials here; a failure is reported. */
static int setup_transport(tool_conn_t *tc, mqtls_client_cfg_t *cc)
{
    const tool_cfg_t *cfg = tc->cfg;
    if (cfg->tls) {
        tc->tls = tool_xcalloc(1, sizeof *tc->tls);
        int rc = tool_tls_setup(tc->tls, cfg, cfg->debug ? stdout : NULL);
        if (rc)
            return rc;
        mqtls_tls_bind(&tc->tls->tls, cfg->bind_addr);
        cc->transport = &tool_tls_transport;
        cc->transport_ctx = tc->tls;
    } else {
        mqtls_tcp_init(&tc->tcp, 0);
        mqtls_tcp_bind(&tc->tcp, cfg->bind_addr);
        mqtls_tcp_unix(&tc->tcp, cfg->unix_path);
        cc->transport = &mqtls_tcp_transport;
        cc->transport_ctx = &tc->tcp;
    }
    return TOOL_EXIT_OK;
}

/* 5.0 CONNECT limits given with -D size the buffers; the client then advertises them. */
static void apply_connect_limits(const tool_cfg_t *cfg, tool_conn_sizes_t *sz)
{
    const mqtls_props_t *p = &cfg->props.set[TOOL_P_CONNECT].p;
    if (cfg->version != MQTLS_V5)
        return;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_MAXIMUM_PACKET_SIZE)) {
        sz->rx = p->maximum_packet_size < MAX_PACKET ? p->maximum_packet_size : MAX_PACKET;
        if (sz->rx < MIN_RX) /* the client needs room for CONNACK; the broker keeps to N */
            sz->rx = MIN_RX;
    }
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_RECEIVE_MAXIMUM))
        sz->qos2_in = p->receive_maximum;
    if (p->present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS_MAXIMUM))
        sz->alias_slots = p->topic_alias_maximum;
}

/* --session-dir: the file store replaces the RAM store; messages a killed run left behind
 * are read back. One window's worth of messages, each up to the store's size. */
static int open_session_dir(tool_conn_t *tc, const tool_conn_sizes_t *sz, mqtls_client_cfg_t *cc)
{
    const char *dir = tc->cfg->session_dir;
    if (!dir)
        return 0;
    /* One entry more than the window: a run killed inside an update leaves an id twice. */
    size_t max = (size_t)sz->inflight + 1;
    tc->file_entries = tool_xcalloc(max, sizeof *tc->file_entries);
    tc->file_buf = tool_xmalloc(sz->store);
    mqtls_status_t st = mqtls_file_store_open(&tc->file_store, dir, tc->file_entries, max,
                                              tc->file_buf, sz->store);
    if (st != MQTLS_OK) {
        tool_err("cannot use the session directory '%s': %s (in use by another process, "
                 "not writable, or more messages than --max-inflight)",
                 dir, errno ? strerror(errno) : mqtls_strerror(st));
        return TOOL_EXIT_USAGE;
    }
    cc->store = &mqtls_file_store;
    cc->store_ctx = &tc->file_store;
    return 0;
}

/* pub -D publish topic-alias N: the library remembers the topic of aliases 1..N, so that the
 * QoS 1/2 messages after the first may go out with the alias alone (their stored copies
 * keep the topic). */
static void alloc_out_alias(tool_conn_t *tc, mqtls_client_cfg_t *cc)
{
    const tool_cfg_t *cfg = tc->cfg;
    const mqtls_props_t *p = &cfg->props.set[TOOL_P_PUBLISH].p;
    if (cfg->version != MQTLS_V5 || !(p->present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)) ||
        p->topic_alias == 0 || cfg->topics.n == 0)
        return;
    size_t slot = 2u + strlen(cfg->topics.v[0]);
    if (slot > UINT16_MAX)
        return; /* a topic that long cannot be kept: alias-only QoS 1/2 is refused */
    tc->out_alias = tool_xcalloc(p->topic_alias, slot);
    cc->out_alias_buf = tc->out_alias;
    cc->out_alias_slots = p->topic_alias;
    cc->out_alias_slot_size = (uint16_t)slot;
}

static void alloc_memory(tool_conn_t *tc, const tool_conn_sizes_t *sz, mqtls_client_cfg_t *cc)
{
    tc->rx = tool_xmalloc(sz->rx);
    tc->rx_size = sz->rx;
    tc->tx = tool_xmalloc(sz->tx);
    tc->store_mem = tool_xmalloc(sz->store);
    tc->inflight = tool_xcalloc(sz->inflight, sizeof *tc->inflight);
    tc->qos2 = tool_xcalloc(sz->qos2_in, sizeof *tc->qos2);
    mqtls_ram_store_init(&tc->store, tc->store_mem, sz->store);
    cc->rx_buf = tc->rx;
    cc->rx_size = sz->rx;
    cc->tx_buf = tc->tx;
    cc->tx_size = sz->tx;
    cc->inflight = tc->inflight;
    cc->inflight_cap = sz->inflight;
    cc->qos2_in = tc->qos2;
    cc->qos2_in_cap = sz->qos2_in;
    cc->store = &mqtls_ram_store;
    cc->store_ctx = &tc->store;
    cc->tx_coalesce = sz->coalesce;
    if (tc->cfg->debug) { /* -d: every packet printed, from the library's trace hook */
        tool_trace_init(&tc->trace, tc->cfg->version, tc->cfg->client_id, stdout);
        cc->trace = tool_trace_packet;
        cc->trace_ctx = &tc->trace;
    }
    if (sz->reconnect) { /* like mosquitto_sub: stay up through broker restarts */
        cc->reconnect_min_ms = 500;
        cc->reconnect_max_ms = 30000;
        cc->reconnect_stable_ms = 10000;
        tc->reconnect = true;
    }
    if (sz->alias_slots) {
        tc->alias = tool_xcalloc(sz->alias_slots, ALIAS_SLOT_SIZE);
        cc->alias_buf = tc->alias;
        cc->alias_slots = sz->alias_slots;
        cc->alias_slot_size = (uint16_t)ALIAS_SLOT_SIZE;
    }
    alloc_out_alias(tc, cc);
}

static void setup_will(const tool_cfg_t *cfg, mqtls_connect_t *cn)
{
    if (!cfg->will_topic)
        return;
    cn->will = true;
    cn->will_qos = cfg->will_qos;
    cn->will_retain = cfg->will_retain;
    cn->will_topic = mqtls_str(cfg->will_topic);
    const char *pl = cfg->will_payload ? cfg->will_payload : "";
    cn->will_payload = (mqtls_bin_t){(const uint8_t *)pl, (uint16_t)strlen(pl)};
    if (cfg->version == MQTLS_V5)
        cn->will_props = cfg->props.set[TOOL_P_WILL].p;
}

static void setup_props(const tool_cfg_t *cfg, mqtls_connect_t *cn)
{
    if (cfg->version != MQTLS_V5)
        return;
    /* The limits among them also sized the buffers (apply_connect_limits), so what goes
     * out never exceeds what the client holds, whether it keeps them or advertises its own. */
    cn->props = cfg->props.set[TOOL_P_CONNECT].p;
    if (cfg->session_expiry_set) {
        cn->props.session_expiry = cfg->session_expiry;
        cn->props.present |= MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY);
    } else if (cfg->no_clean &&
               !(cn->props.present & MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY))) {
        cn->props.session_expiry = 0xFFFFFFFFu; /* -c: the session never expires */
        cn->props.present |= MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY);
    }
}

static void setup_connect(tool_conn_t *tc, uint32_t timeout_ms)
{
    const tool_cfg_t *cfg = tc->cfg;
    mqtls_connect_opts_t *o = &tc->opts;
    mqtls_connect_t *cn = &o->connect;
    o->host = cfg->host;
    o->port = cfg->port;
    o->connect_timeout_ms = timeout_ms;
    cn->version = cfg->version;
    cn->clean_start = !cfg->no_clean;
    cn->keep_alive = cfg->keepalive;
    cn->client_id = mqtls_str(cfg->client_id);
    if (cfg->username) {
        cn->has_username = true;
        cn->username = mqtls_str(cfg->username);
    }
    if (cfg->password) {
        cn->has_password = true;
        cn->password = (mqtls_bin_t){(const uint8_t *)cfg->password,
                                     (uint16_t)strlen(cfg->password)};
    }
    setup_will(cfg, cn);
    setup_props(cfg, cn);
}

static bool is_transport_error(mqtls_status_t st)
{
    return st == MQTLS_ERR_DNS || st == MQTLS_ERR_CONNECT_REFUSED ||
           st == MQTLS_ERR_UNREACHABLE || st == MQTLS_ERR_CLOSED || st == MQTLS_ERR_IO ||
           (st >= MQTLS_ERR_TLS && st <= MQTLS_ERR_TLS_KEY_MISMATCH);
}

static int report_connack(tool_conn_t *tc)
{
    const char *text = mqtls_reason_text(tc->cfg->version, MQTLS_CONNACK, tc->reason);
    tool_err("connection refused by the broker: %s (%s %u)", text,
             tc->cfg->version == MQTLS_V5 ? "reason code" : "return code", (unsigned)tc->reason);
    return TOOL_EXIT_REFUSED;
}

/* Prints why the connect failed and returns the exit code. */
static int report_connect_failure(tool_conn_t *tc, bool timeout_is_exit)
{
    const tool_cfg_t *cfg = tc->cfg;
    mqtls_status_t st = tc->status;
    if (st == MQTLS_ERR_CONNACK_REFUSED)
        return report_connack(tc);
    int rc = tc->tls ? tool_tls_explain(tc->tls, st) : -1;
    if (rc >= 0)
        return rc;
    char why[192] = "";
    int berr = cfg->bind_addr && !tc->tls ? mqtls_tcp_bind_error(&tc->tcp) : 0;
    if (berr)
        snprintf(why, sizeof why, "cannot bind to %s: %s", cfg->bind_addr,
                 berr > 0 ? strerror(berr) : gai_strerror(berr));
    else if (cfg->bind_addr && tc->tls) /* the TLS evidence says why its TCP failed */
        snprintf(why, sizeof why, "%s", mqtls_tls_evidence(&tc->tls->tls)->detail);
    const char *detail = why[0] ? why : NULL;
    if (cfg->unix_path && (st == MQTLS_ERR_TIMEOUT || is_transport_error(st))) {
        int err = mqtls_tcp_error(&tc->tcp);
        tool_err("could not connect to unix socket %s: %s", cfg->unix_path,
                 err > 0 ? strerror(err) : mqtls_strerror(st));
        return st == MQTLS_ERR_TIMEOUT && timeout_is_exit ? TOOL_EXIT_TIMEOUT : TOOL_EXIT_CONNECT;
    }
    if (st == MQTLS_ERR_TIMEOUT || is_transport_error(st)) {
        tool_err("could not connect to %s port %u: %s%s%s", cfg->host, (unsigned)cfg->port,
                 mqtls_strerror(st), detail ? " - " : "", detail ? detail : "");
        return st == MQTLS_ERR_TIMEOUT && timeout_is_exit ? TOOL_EXIT_TIMEOUT
                                                           : TOOL_EXIT_CONNECT;
    }
    tool_err("connecting to %s port %u failed: %s", cfg->host, (unsigned)cfg->port,
             mqtls_strerror(st));
    return TOOL_EXIT_ERROR;
}

/* Runs the client until CONNACK or failure. */
static int wait_connack(tool_conn_t *tc, uint32_t timeout_ms, bool timeout_is_exit)
{
    uint64_t limit = tool_now_ms() + (timeout_ms ? timeout_ms : MQTLS_CFG_CONNECT_TIMEOUT_MS);
    while (!tc->connected && !tc->failed && !tc->lost) {
        if (tool_stop)
            return TOOL_EXIT_ERROR;
        if (tool_now_ms() > limit + 2000) { /* the library should have reported by now */
            tc->status = MQTLS_ERR_TIMEOUT;
            break;
        }
        tool_conn_poll(tc, -1, 100, NULL);
    }
    if (tc->connected)
        return TOOL_EXIT_OK;
    if (tc->status == MQTLS_OK)
        tc->status = MQTLS_ERR_CLOSED;
    return report_connect_failure(tc, timeout_is_exit);
}

int tool_conn_open(tool_conn_t *tc, const tool_cfg_t *cfg, const tool_conn_sizes_t *sz,
                   tool_conn_handler handler, void *user, uint32_t timeout_ms,
                   bool timeout_is_exit)
{
    memset(tc, 0, sizeof *tc);
    tc->cfg = cfg;
    tc->handler = handler;
    tc->user = user;
    tool_conn_sizes_t sizes = *sz;
    apply_connect_limits(cfg, &sizes);
    mqtls_client_cfg_t cc;
    memset(&cc, 0, sizeof cc);
    int rc = setup_transport(tc, &cc);
    if (rc)
        return rc;
    alloc_memory(tc, &sizes, &cc);
    if ((rc = open_session_dir(tc, &sizes, &cc)) != 0)
        return rc;
    cc.platform = &mqtls_platform_posix;
    cc.on_event = on_event;
    cc.user = tc;
    mqtls_client_init(&tc->client, &cc);
    tool_signals_watch(&tc->client); /* Ctrl-C ends a send blocked on the network */
    if (tc->cfg->session_dir && mqtls_client_restore(&tc->client) != MQTLS_OK) {
        tool_err("%s holds more messages than the in-flight window (%u): raise it with "
                 "--max-inflight", tc->cfg->session_dir, (unsigned)sizes.inflight);
        return TOOL_EXIT_USAGE;
    }
    if (tc->cfg->session_dir && mqtls_inflight(&tc->client))
        tool_note("%u message(s) from %s will be sent again",
                  (unsigned)mqtls_inflight(&tc->client), tc->cfg->session_dir);
    setup_connect(tc, timeout_ms);
    mqtls_status_t st = mqtls_connect(&tc->client, &tc->opts);
    if (st != MQTLS_OK) {
        tool_err("cannot connect with these settings: %s", mqtls_strerror(st));
        return st == MQTLS_ERR_BAD_PARAM ? TOOL_EXIT_USAGE : TOOL_EXIT_ERROR;
    }
    return wait_connack(tc, timeout_ms, timeout_is_exit);
}

mqtls_status_t tool_conn_poll(tool_conn_t *tc, int extra_fd, uint32_t max_ms,
                              bool *extra_ready)
{
    struct pollfd pf[2];
    nfds_t n = 0;
    int fd = tool_conn_fd(tc), xi = -1;
    uint32_t wait = mqtls_next_timeout_ms(&tc->client);
    if (wait > max_ms)
        wait = max_ms;
    bool connecting = mqtls_state(&tc->client) == MQTLS_STATE_CONNECTING;
    if (connecting && wait > 10)
        wait = 10;
    if (tc->tls && tool_tls_ready(tc->tls))
        wait = 0;
    /* A TCP connect ends when the socket becomes writable; a TLS handshake waits for the
     * server's answer (a connected socket is nearly always writable: no busy loop). */
    bool want_out = connecting && !(tc->tls && tool_tls_handshaking(tc->tls));
    if (fd >= 0)
        pf[n++] = (struct pollfd){fd, (short)(POLLIN | (want_out ? POLLOUT : 0)), 0};
    if (extra_fd >= 0) {
        xi = (int)n;
        pf[n++] = (struct pollfd){extra_fd, POLLIN, 0};
    }
    int r = poll(pf, n, (int)wait);
    if (extra_ready)
        *extra_ready = xi >= 0 && r > 0 && pf[xi].revents != 0;
    return mqtls_step(&tc->client);
}

/* The option that sizes the receive buffer for this run: under 5.0 a -D connect
 * maximum-packet-size, when given, decides it (apply_connect_limits). */
static const char *rx_option(const tool_cfg_t *cfg)
{
    const mqtls_props_t *p = &cfg->props.set[TOOL_P_CONNECT].p;
    if (cfg->version == MQTLS_V5 && (p->present & MQTLS_PROPBIT(MQTLS_PROP_MAXIMUM_PACKET_SIZE)))
        return "-D connect maximum-packet-size BYTES";
    return "--max-packet-size BYTES";
}

int tool_conn_lost_exit(tool_conn_t *tc)
{
    mqtls_status_t st = tc->status;
    if (st == MQTLS_ERR_CONNACK_REFUSED) { /* a permanent refusal of a reconnect */
        tool_note("the broker refused to reconnect this client, and would again: not retrying");
        return report_connack(tc);
    }
    if (st == MQTLS_ERR_INTERRUPTED) {
        tool_err("interrupted while sending: the broker was not taking the data; the "
                 "connection is abandoned");
        return TOOL_EXIT_ERROR;
    }
    if (st == MQTLS_ERR_PACKET_TOO_LARGE) {
        tool_err("the broker sent a packet of %lu bytes, larger than the receive buffer "
                 "(%lu bytes); raise it with %s", (unsigned long)tc->size,
                 (unsigned long)tc->rx_size, rx_option(tc->cfg));
    } else if (st == MQTLS_ERR_SERVER_DISCONNECT) {
        tool_err("the broker closed the connection: %s (reason code 0x%02X)%s",
                 mqtls_reason_text(tc->cfg->version, MQTLS_DISCONNECT, tc->reason),
                 (unsigned)tc->reason, tc->server_says);
        if (tc->reason == 0x8E)
            tool_note("another client connected with the client id '%s'; not reconnecting, "
                      "so as not to take the session back from it", tc->cfg->client_id);
    } else {
        tool_err("connection lost: %s", mqtls_strerror(st == MQTLS_OK ? MQTLS_ERR_CLOSED : st));
    }
    return TOOL_EXIT_ERROR;
}

void tool_conn_settle(tool_conn_t *tc, uint32_t max_ms)
{
    uint64_t end = tool_now_ms() + max_ms;
    if (tc->connected && mqtls_qos2_open(&tc->client) > 0)
        mqtls_resume(&tc->client); /* the PUBRELs wait behind a pause */
    /* A declined message pauses input again: what follows it (the PUBRELs too) stays
     * unread, and the broker sends it again on the next connection of the session. */
    while (tc->connected && mqtls_qos2_open(&tc->client) > 0 && !tc->client.rx_paused) {
        uint64_t now = tool_now_ms();
        if (now >= end)
            break;
        tool_conn_poll(tc, -1, (uint32_t)(end - now), NULL);
    }
}

void tool_conn_close(tool_conn_t *tc)
{
    const tool_cfg_t *cfg = tc->cfg;
    if (mqtls_state(&tc->client) == MQTLS_STATE_CONNECTED) {
        const mqtls_props_t *dp = &cfg->props.set[TOOL_P_DISCONNECT].p;
        bool props = cfg->version == MQTLS_V5 && dp->present;
        mqtls_flush(&tc->client);
        mqtls_disconnect(&tc->client, MQTLS_RC_SUCCESS, props ? dp : NULL);
    }
    tool_signals_unwatch(&tc->client);
    mqtls_client_free(&tc->client);
    tool_trace_free(&tc->trace);
    if (tc->tls) {
        tool_tls_free(tc->tls);
        free(tc->tls);
        tc->tls = NULL;
    }
    free(tc->rx);
    free(tc->tx);
    free(tc->store_mem);
    free(tc->inflight);
    free(tc->qos2);
    free(tc->alias);
    free(tc->out_alias);
    tc->rx = tc->tx = tc->store_mem = NULL;
    if (tc->file_entries) {
        size_t left = mqtls_file_store_count(&tc->file_store);
        if (left)
            tool_note("%lu message(s) not yet acknowledged stay in %s: they are sent on the "
                      "next run with the same --session-dir", (unsigned long)left,
                      tc->cfg->session_dir);
        mqtls_file_store_close(&tc->file_store);
        free(tc->file_entries);
        free(tc->file_buf);
        tc->file_entries = NULL;
    }
}
