/**
 * @file packet_builder.c
 * @brief Broker packets, decoded client output, the client fixture and the scripted broker.
 */
#include "packet_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building ---- */

static void die(const char *what, mqtls_status_t st)
{
    fprintf(stderr, "packet_builder: %s: %s\n", what, mqtls_strerror(st));
    fflush(stderr);
    abort();
}

void pb_add(pb_buf_t *b, mqtls_version_t v, const mqtls_packet_t *p)
{
    size_t n = 0;
    mqtls_status_t st = mqtls_encode(p, v, b->data + b->len, sizeof b->data - b->len, &n);
    if (st != MQTLS_OK)
        die("cannot encode the broker's packet", st);
    b->len += n;
}

void pb_add_raw(pb_buf_t *b, const void *data, size_t len)
{
    if (len > sizeof b->data - b->len)
        die("pb_add_raw", MQTLS_ERR_NO_SPACE);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void pb_add_connack(pb_buf_t *b, mqtls_version_t v, bool session_present, uint8_t reason,
                    const mqtls_props_t *props)
{
    mqtls_packet_t p;
    memset(&p, 0, sizeof p);
    p.type = MQTLS_CONNACK;
    p.u.connack.session_present = session_present;
    p.u.connack.reason = reason;
    if (props)
        p.u.connack.props = *props;
    pb_add(b, v, &p);
}

void pb_add_publish(pb_buf_t *b, mqtls_version_t v, const char *topic, const void *payload,
                    size_t len, uint8_t qos, uint16_t id, bool dup, bool retain,
                    const mqtls_props_t *props)
{
    mqtls_packet_t p;
    memset(&p, 0, sizeof p);
    p.type = MQTLS_PUBLISH;
    p.u.publish.topic = mqtls_str(topic);
    p.u.publish.payload = payload;
    p.u.publish.payload_len = (uint32_t)len;
    p.u.publish.qos = qos;
    p.u.publish.packet_id = id;
    p.u.publish.dup = dup;
    p.u.publish.retain = retain;
    if (props)
        p.u.publish.props = *props;
    pb_add(b, v, &p);
}

void pb_add_ack(pb_buf_t *b, mqtls_version_t v, mqtls_packet_type_t t, uint16_t id,
                uint8_t reason, const mqtls_props_t *props)
{
    mqtls_packet_t p;
    memset(&p, 0, sizeof p);
    p.type = t;
    p.u.ack.packet_id = id;
    p.u.ack.reason = reason;
    if (props)
        p.u.ack.props = *props;
    pb_add(b, v, &p);
}

void pb_add_suback(pb_buf_t *b, mqtls_version_t v, mqtls_packet_type_t t, uint16_t id,
                   const uint8_t *codes, uint16_t n)
{
    mqtls_packet_t p;
    memset(&p, 0, sizeof p);
    p.type = t;
    p.u.suback.packet_id = id;
    p.u.suback.codes = codes;
    p.u.suback.count = n;
    pb_add(b, v, &p);
}

void pb_add_pingresp(pb_buf_t *b)
{
    static const uint8_t pingresp[2] = {0xD0, 0x00};
    pb_add_raw(b, pingresp, sizeof pingresp);
}

void pb_push(mock_transport_t *m, pb_buf_t *b)
{
    mock_push(m, b->data, b->len);
    b->len = 0;
}

/* One scratch buffer for the single-packet forms (tests run in one thread). */
static pb_buf_t scratch;

void pb_push_packet(mock_transport_t *m, mqtls_version_t v, const mqtls_packet_t *p)
{
    scratch.len = 0;
    pb_add(&scratch, v, p);
    pb_push(m, &scratch);
}

void pb_push_connack(mock_transport_t *m, mqtls_version_t v, bool session_present,
                     uint8_t reason, const mqtls_props_t *props)
{
    scratch.len = 0;
    pb_add_connack(&scratch, v, session_present, reason, props);
    pb_push(m, &scratch);
}

void pb_push_publish(mock_transport_t *m, mqtls_version_t v, const char *topic,
                     const void *payload, size_t len, uint8_t qos, uint16_t id, bool dup,
                     const mqtls_props_t *props)
{
    scratch.len = 0;
    pb_add_publish(&scratch, v, topic, payload, len, qos, id, dup, false, props);
    pb_push(m, &scratch);
}

void pb_push_ack(mock_transport_t *m, mqtls_version_t v, mqtls_packet_type_t t, uint16_t id,
                 uint8_t reason, const mqtls_props_t *props)
{
    scratch.len = 0;
    pb_add_ack(&scratch, v, t, id, reason, props);
    pb_push(m, &scratch);
}

void pb_push_suback(mock_transport_t *m, mqtls_version_t v, mqtls_packet_type_t t, uint16_t id,
                    const uint8_t *codes, uint16_t n)
{
    scratch.len = 0;
    pb_add_suback(&scratch, v, t, id, codes, n);
    pb_push(m, &scratch);
}

void pb_push_pingresp(mock_transport_t *m)
{
    scratch.len = 0;
    pb_add_pingresp(&scratch);
    pb_push(m, &scratch);
}

/* ---- reading the client's output ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t pb_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        int d = hexval(*p);
        if (d < 0)
            continue;
        if (hi < 0) {
            hi = d;
            continue;
        }
        if (n >= cap)
            die("pb_hex: too many bytes", MQTLS_ERR_NO_SPACE);
        out[n++] = (uint8_t)(hi << 4 | d);
        hi = -1;
    }
    if (hi >= 0)
        die("pb_hex: odd number of digits", MQTLS_ERR_BAD_PARAM);
    return n;
}

int pb_sent_decode(const mock_transport_t *m, mqtls_version_t v, pb_sent_t *out, int max)
{
    size_t len;
    const uint8_t *p = mock_sent(m, &len);
    size_t off = 0;
    int n = 0;
    while (off < len) {
        pb_sent_t one;
        size_t used = 0;
        if (mqtls_decode(p + off, len - off, v, &one.pkt, &used) != MQTLS_OK)
            return -1;
        one.raw = p + off;
        one.len = used;
        one.first = p[off];
        if (n < max && out)
            out[n] = one;
        n++;
        off += used;
    }
    return n;
}

const char *pb_sent_types(const mock_transport_t *m, mqtls_version_t v)
{
    static char types[512];
    size_t len, off = 0, k = 0;
    const uint8_t *p = mock_sent(m, &len);
    while (off < len && k + 2 < sizeof types) {
        mqtls_packet_t pkt;
        size_t used = 0;
        if (mqtls_decode(p + off, len - off, v, &pkt, &used) != MQTLS_OK) {
            types[k++] = '!';
            break;
        }
        types[k++] = "0123456789abcdef"[p[off] >> 4];
        off += used;
    }
    types[k] = '\0';
    return types;
}

/* ---- the client fixture ---- */

static void copy_str(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    if (len && src)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

static void record_props(pb_event_t *e, const mqtls_props_t *p)
{
    e->has_props = true;
    e->props_present = p->present;
    copy_str(e->reason_string, sizeof e->reason_string, p->reason_string.data,
             p->reason_string.len);
    copy_str(e->server_reference, sizeof e->server_reference, p->server_reference.data,
             p->server_reference.len);
    e->user_count = p->user_count;
    e->topic_alias = p->topic_alias;
    e->message_expiry = p->message_expiry;
    uint32_t pos = 0;
    mqtls_user_prop_t u;
    if (p->user_count && mqtls_props_next_user(p, &pos, &u)) {
        copy_str(e->user_key, sizeof e->user_key, u.key.data, u.key.len);
        copy_str(e->user_value, sizeof e->user_value, u.value.data, u.value.len);
    }
}

static void fixture_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    pb_client_t *f = user;
    (void)c;
    if (f->nev >= PB_MAX_EVENTS) {
        f->ev_overflow++;
    } else {
        pb_event_t *e = &f->ev[f->nev++];
        memset(e, 0, sizeof *e);
        e->type = ev->type;
        e->status = ev->status;
        e->packet_id = ev->packet_id;
        e->reason = ev->reason;
        e->session_present = ev->session_present;
        e->size = ev->size;
        e->permanent = ev->permanent;
        e->state_at = mqtls_state(c);
        mock_sent(&f->m, &e->sent_at);
        if (ev->message) {
            const mqtls_publish_t *msg = ev->message;
            e->has_message = true;
            e->topic_len = msg->topic.len;
            /* A topic that claims more than a sane length is recorded by length only: its
             * bytes may not be readable (that is what such tests look for). */
            if (msg->topic.len < sizeof e->topic)
                copy_str(e->topic, sizeof e->topic, msg->topic.data, msg->topic.len);
            e->payload_len = msg->payload_len;
            if (msg->payload && msg->payload_len)
                memcpy(e->payload, msg->payload,
                       msg->payload_len < sizeof e->payload ? msg->payload_len
                                                            : sizeof e->payload);
            e->qos = msg->qos;
            e->retain = msg->retain;
            e->dup = msg->dup;
        }
        if (ev->props)
            record_props(e, ev->props);
        if (ev->codes && ev->count) {
            e->count = ev->count;
            memcpy(e->codes, ev->codes, ev->count < sizeof e->codes ? ev->count : sizeof e->codes);
        } else {
            e->count = ev->count;
        }
    }
    if (f->on_event)
        f->on_event(f, ev);
}

void pb_client_setup(pb_client_t *f, mqtls_version_t v)
{
    mock_free(&f->m); /* frees a previous test's buffers; mock_init() inside */
    memset(&f->c, 0, sizeof f->c);
    memset(&f->cfg, 0, sizeof f->cfg);
    memset(&f->opts, 0, sizeof f->opts);
    memset(f->rx, 0, sizeof f->rx);
    memset(f->tx, 0, sizeof f->tx);
    memset(f->inflight, 0, sizeof f->inflight);
    memset(f->qos2_in, 0, sizeof f->qos2_in);
    memset(f->alias, 0, sizeof f->alias);
    f->v = v;
    f->nev = 0;
    f->ev_overflow = 0;
    f->on_event = NULL;
    f->user = NULL;
    mock_clock_set(1000);
    mqtls_ram_store_init(&f->store, f->store_mem, 4096);

    f->cfg.transport = &mock_transport_ops;
    f->cfg.transport_ctx = &f->m;
    f->cfg.platform = &mock_platform;
    f->cfg.rx_buf = f->rx;
    f->cfg.rx_size = 512;
    f->cfg.tx_buf = f->tx;
    f->cfg.tx_size = 256;
    f->cfg.inflight = f->inflight;
    f->cfg.inflight_cap = 8;
    f->cfg.qos2_in = f->qos2_in;
    f->cfg.qos2_in_cap = 4;
    f->cfg.store = &mqtls_ram_store;
    f->cfg.store_ctx = &f->store;
    f->cfg.alias_buf = f->alias;
    f->cfg.alias_slots = 4;
    f->cfg.alias_slot_size = 34;
    f->cfg.tx_coalesce = false;
    f->cfg.on_event = fixture_event;
    f->cfg.user = f;

    f->opts.host = "broker";
    f->opts.port = 1883;
    f->opts.connect.version = v;
    f->opts.connect.clean_start = true;
    f->opts.connect.keep_alive = 60;
    f->opts.connect.client_id = mqtls_str("cid");
}

void pb_client_start(pb_client_t *f)
{
    mqtls_client_init(&f->c, &f->cfg);
}

mqtls_status_t pb_client_connect(pb_client_t *f, bool session_present,
                                 const mqtls_props_t *connack_props)
{
    mqtls_status_t st = mqtls_connect(&f->c, &f->opts);
    if (st != MQTLS_OK)
        return st;
    if ((st = mqtls_step(&f->c)) != MQTLS_OK)
        return st;
    if (mqtls_state(&f->c) != MQTLS_STATE_WAIT_CONNACK)
        return MQTLS_ERR_STATE;
    pb_push_connack(&f->m, f->v, session_present, 0, connack_props);
    if ((st = mqtls_step(&f->c)) != MQTLS_OK)
        return st;
    if (mqtls_state(&f->c) != MQTLS_STATE_CONNECTED)
        return MQTLS_ERR_STATE;
    mock_sent_clear(&f->m);
    mock_iov_log_clear(&f->m);
    pb_client_clear_events(f);
    return MQTLS_OK;
}

void pb_client_clear_events(pb_client_t *f)
{
    f->nev = 0;
    f->ev_overflow = 0;
}

int pb_client_find_event(const pb_client_t *f, mqtls_event_type_t type, int from)
{
    for (int i = from < 0 ? 0 : from; i < f->nev; i++)
        if (f->ev[i].type == type)
            return i;
    return -1;
}

int pb_client_count_events(const pb_client_t *f, mqtls_event_type_t type)
{
    int n = 0;
    for (int i = 0; i < f->nev; i++)
        n += f->ev[i].type == type;
    return n;
}

void pb_client_teardown(pb_client_t *f)
{
    mqtls_client_free(&f->c);
    mock_free(&f->m);
}

/* ---- the scripted broker ---- */

void pb_broker_init(pb_broker_t *b, mqtls_version_t v)
{
    memset(b, 0, sizeof *b);
    b->v = v;
    b->answer_connect = true;
    b->answer_publish = true;
    b->answer_pubrel = true;
    b->answer_subscribe = true;
    b->answer_unsubscribe = true;
    b->answer_ping = true;
}

static void answer_one(pb_broker_t *b, const mqtls_packet_t *p, pb_buf_t *out)
{
    switch (p->type) {
    case MQTLS_CONNECT:
        b->connects++;
        if (b->answer_connect)
            pb_add_connack(out, b->v, b->connack_reason == 0 && b->session_present,
                           b->connack_reason, b->connack_props);
        break;
    case MQTLS_PUBLISH:
        b->publishes++;
        if (b->answer_publish && p->u.publish.qos)
            pb_add_ack(out, b->v, p->u.publish.qos == 1 ? MQTLS_PUBACK : MQTLS_PUBREC,
                       p->u.publish.packet_id, b->publish_reason, NULL);
        break;
    case MQTLS_PUBREL:
        b->pubrels++;
        if (b->answer_pubrel)
            pb_add_ack(out, b->v, MQTLS_PUBCOMP, p->u.ack.packet_id, 0, NULL);
        break;
    case MQTLS_SUBSCRIBE: {
        b->subscribes++;
        if (!b->answer_subscribe)
            break;
        uint8_t codes[64];
        uint16_t n = 0;
        if (b->suback_codes) {
            n = b->suback_count;
            memcpy(codes, b->suback_codes, n);
        } else {
            uint32_t pos = 0;
            mqtls_subscription_t s;
            while (n < 64 && mqtls_sub_next(&p->u.subscribe, false, &pos, &s))
                codes[n++] = s.options & MQTLS_SUB_QOS_MASK;
        }
        pb_add_suback(out, b->v, MQTLS_SUBACK, p->u.subscribe.packet_id, codes, n);
        break;
    }
    case MQTLS_UNSUBSCRIBE: {
        b->unsubscribes++;
        if (!b->answer_unsubscribe)
            break;
        uint8_t codes[64] = {0};
        uint16_t n = p->u.subscribe.count < 64 ? p->u.subscribe.count : 64;
        pb_add_suback(out, b->v, MQTLS_UNSUBACK, p->u.subscribe.packet_id, codes, n);
        break;
    }
    case MQTLS_PINGREQ:
        b->pings++;
        if (b->answer_ping)
            pb_add_pingresp(out);
        break;
    case MQTLS_DISCONNECT:
        b->disconnects++;
        break;
    default:
        break;
    }
}

void pb_broker_answer(pb_broker_t *b, mock_transport_t *m)
{
    static pb_buf_t out;
    size_t len;
    const uint8_t *p = mock_sent(m, &len);
    out.len = 0;
    /* The new bytes are the last ones recorded (the test may have cleared the record). */
    long long fresh = m->sent_total - b->seen_total;
    b->seen_total = m->sent_total;
    b->off = fresh >= 0 && (size_t)fresh <= len ? len - (size_t)fresh : 0;
    while (b->off < len) {
        mqtls_packet_t pkt;
        size_t used = 0;
        if (mqtls_decode(p + b->off, len - b->off, b->v, &pkt, &used) != MQTLS_OK) {
            b->bad_input = true;
            b->off = len;
            break;
        }
        b->off += used;
        answer_one(b, &pkt, &out);
    }
    if (b->extra.len) {
        pb_add_raw(&out, b->extra.data, b->extra.len);
        b->extra.len = 0;
    }
    if (out.len)
        pb_push(m, &out);
}

void pb_broker_hook(mock_transport_t *m, mock_hook_point_t at, void *user)
{
    pb_broker_t *b = user;
    if (at != MOCK_AT_WAIT)
        return;
    b->waits++;
    if (b->waits <= b->answer_after)
        return;
    pb_broker_answer(b, m);
}
