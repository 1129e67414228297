/**
 * @file doctor_client.c
 * @brief The MQTT client that steps 5 and 6 drive: on the transport steps 3 and 4 opened,
 *        wrapped to keep the first bytes the server sent, its events recorded in the run.
 */
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"
#include "mqtt/tool_props.h"

/* Receive buffer of the MQTT client: CONNACK, SUBACK, PUBACK and the test message. */
#define RX_SIZE 16384u

static mqtls_status_t rec_connect(void *ctx, const char *host, uint16_t port)
{
    rec_t *r = ctx;
    return r->inner->connect(r->ctx, host, port);
}

static int32_t rec_send(void *ctx, const mqtls_iov_t *iov, size_t n)
{
    rec_t *r = ctx;
    return r->inner->send(r->ctx, iov, n);
}

static int32_t rec_recv(void *ctx, uint8_t *buf, size_t len)
{
    rec_t *r = ctx;
    int32_t n = r->inner->recv(r->ctx, buf, len);
    for (int32_t i = 0; i < n && r->n_first < FIRST_BYTES; i++)
        r->first[r->n_first++] = buf[i];
    if (n > 0)
        r->total += (uint32_t)n;
    return n;
}

static mqtls_status_t rec_wait(void *ctx, int for_write, uint32_t ms)
{
    rec_t *r = ctx;
    return r->inner->wait ? r->inner->wait(r->ctx, for_write, ms) : MQTLS_OK;
}

static void rec_close(void *ctx)
{
    rec_t *r = ctx;
    r->inner->close(r->ctx);
}

static const mqtls_transport_t rec_transport = {rec_connect, rec_send, rec_recv, rec_wait,
                                                rec_close};

static void keep_props(doctor_t *d, const mqtls_props_t *p)
{
    tool_buf_t b = {NULL, 0, 0};
    doctor_list_free(&d->props);
    tool_props_lines(p, "", &b);
    for (char *s = b.p, *nl; s && *s; s = nl + 1) {
        nl = strchr(s, '\n');
        if (!nl)
            break;
        *nl = '\0';
        tool_strlist_add(&d->props, tool_xstrdup(s));
    }
    tool_buf_free(&b);
}

static bool same_str(mqtls_str_t a, const char *b)
{
    return a.len == strlen(b) && !memcmp(a.data, b, a.len);
}

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    doctor_t *d = user;
    (void)c;
    switch (ev->type) {
    case MQTLS_EV_CONNECTED:
        d->connected = d->connack_seen = true;
        d->connack_code = ev->reason;
        d->session_present = ev->session_present;
        keep_props(d, ev->props);
        break;
    case MQTLS_EV_CONNECT_FAILED:
        d->conn_failed = true;
        d->mqtt_status = ev->status;
        d->connack_code = ev->reason;
        d->connack_seen = ev->status == MQTLS_ERR_CONNACK_REFUSED;
        keep_props(d, ev->props);
        doctor_mqtt5_record(d, ev->props);
        break;
    case MQTLS_EV_SUBACK:
        if (ev->packet_id == d->sub_id) {
            d->suback = true;
            d->suback_code = ev->count && ev->codes ? ev->codes[0] : 0x80;
        }
        break;
    case MQTLS_EV_PUBLISH_DONE:
    case MQTLS_EV_PUBLISH_DROPPED:
        if (ev->packet_id == d->pub_id) {
            d->pub_done = true;
            d->pub_status = ev->type == MQTLS_EV_PUBLISH_DONE ? ev->status : MQTLS_ERR_CLOSED;
            d->pub_reason = ev->reason;
        }
        break;
    case MQTLS_EV_MESSAGE:
        if (ev->message && same_str(ev->message->topic, d->topic) &&
            ev->message->payload_len == strlen(d->payload) &&
            !memcmp(ev->message->payload, d->payload, ev->message->payload_len))
            d->msg_back = true;
        break;
    case MQTLS_EV_DISCONNECTED:
        d->lost = true;
        d->lost_status = ev->status;
        d->lost_reason = ev->reason;
        doctor_mqtt5_record(d, ev->props);
        break;
    default:
        break;
    }
}

/* Runs the client for at most @p ms, until @p until says stop. */
void doctor_run_client(doctor_t *d, uint32_t ms, bool (*until)(const doctor_t *))
{
    uint64_t end = tool_now_ms() + ms;
    for (;;) {
        (void)mqtls_step(&d->client);
        uint64_t now = tool_now_ms();
        if (until(d) || tool_stop || now >= end)
            break;
        uint32_t w = mqtls_next_timeout_ms(&d->client);
        if (w > end - now)
            w = (uint32_t)(end - now);
        if (w > 50)
            w = 50;
        mqtls_status_t ws = mqtls_state(&d->client) != MQTLS_STATE_DISCONNECTED
                                ? rec_wait(&d->rec, 0, w)
                                : MQTLS_ERR_STATE;
        if (ws != MQTLS_OK && ws != MQTLS_ERR_TIMEOUT)
            doctor_wait_poll(w < 10 ? w : 10);
    }
}

void doctor_setup_client(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    size_t tx = 4096 + strlen(c->client_id) + strlen(d->topic) * 2 +
                (c->username ? strlen(c->username) : 0) + (c->password ? strlen(c->password) : 0);
    d->rx = tool_xmalloc(RX_SIZE);
    d->tx = tool_xmalloc(tx);
    d->store_mem = tool_xmalloc(4096 + strlen(d->topic));
    mqtls_ram_store_init(&d->store, d->store_mem, 4096 + strlen(d->topic));
    d->rec.inner = d->tr;
    d->rec.ctx = d->tr_ctx;
    mqtls_client_cfg_t cc;
    memset(&cc, 0, sizeof cc);
    cc.transport = &rec_transport;
    cc.transport_ctx = &d->rec;
    cc.platform = &mqtls_platform_posix;
    cc.rx_buf = d->rx;
    cc.rx_size = RX_SIZE;
    cc.tx_buf = d->tx;
    cc.tx_size = tx;
    cc.inflight = d->inflight;
    cc.inflight_cap = 4;
    cc.qos2_in = d->qos2;
    cc.qos2_in_cap = 4;
    cc.store = &mqtls_ram_store;
    cc.store_ctx = &d->store;
    cc.on_event = on_event;
    cc.user = d;
    mqtls_client_init(&d->client, &cc);
    mqtls_connect_opts_t *o = &d->opts;
    o->host = d->conn_ip;
    o->port = d->conn_port;
    o->connect_timeout_ms = d->timeout_ms;
    o->connect.version = c->version;
    o->connect.clean_start = true;
    o->connect.keep_alive = c->keepalive;
    o->connect.client_id = mqtls_str(c->client_id);
    d->facts.userpass_given = c->username || c->password;
    if (c->username) {
        o->connect.has_username = true;
        o->connect.username = mqtls_str(c->username);
    }
    if (c->password) {
        o->connect.has_password = true;
        o->connect.password = (mqtls_bin_t){(const uint8_t *)c->password,
                                            (uint16_t)strlen(c->password)};
    }
}
