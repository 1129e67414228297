/**
 * @file golden_packet.c
 * @brief Field-by-field comparison of two packets, and decoded form -> encode form
 *        (golden_packet.h).
 */
#include "golden_packet.h"

#include <stdio.h>

/* Walks the user properties of either form: the encode array, or the decoded raw block. */
typedef struct golden_user_it {
    const mqtls_props_t *p;
    uint32_t pos;
    uint32_t idx;
} golden_user_it_t;

static bool golden_user_next(golden_user_it_t *it, mqtls_user_prop_t *out)
{
    if (it->p->raw == NULL) {
        if (it->p->user == NULL || it->idx >= it->p->user_count)
            return false;
        *out = it->p->user[it->idx++];
        return true;
    }
    return mqtls_props_next_user(it->p, &it->pos, out);
}

/* Walks the entries of a SUBSCRIBE/UNSUBSCRIBE of either form. */
typedef struct golden_sub_it {
    const mqtls_subscribe_t *s;
    bool unsub;
    uint32_t pos;
    uint32_t idx;
} golden_sub_it_t;

static bool golden_sub_next(golden_sub_it_t *it, mqtls_subscription_t *out)
{
    if (it->s->raw == NULL) {
        if (it->idx >= it->s->count)
            return false;
        if (it->unsub) {
            out->filter = it->s->filters[it->idx];
            out->options = 0;
        } else {
            *out = it->s->subs[it->idx];
        }
        it->idx++;
        return true;
    }
    return mqtls_sub_next(it->s, it->unsub, &it->pos, out);
}

bool golden_props_eq(const mqtls_props_t *a, const mqtls_props_t *b,
                     const char *where, char *why, size_t n)
{
    const uint64_t mask = ~MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY);
    uint64_t pa = a->present & mask, pb = b->present & mask;
#define GP_FAIL(what)                                                                        \
    do {                                                                                     \
        snprintf(why, n, "%s: %s differs", where, what);                                     \
        return false;                                                                        \
    } while (0)
#define GP_NUM(id, f)                                                                        \
    if ((pa & MQTLS_PROPBIT(id)) && a->f != b->f)                                            \
    GP_FAIL(#f)
#define GP_STR(id, f)                                                                        \
    if ((pa & MQTLS_PROPBIT(id)) && !GOLDEN_STR_EQ(a->f, b->f))                              \
    GP_FAIL(#f)
    if (pa != pb) {
        snprintf(why, n, "%s: present 0x%llx != 0x%llx", where, (unsigned long long)pa,
                 (unsigned long long)pb);
        return false;
    }
    GP_NUM(MQTLS_PROP_PAYLOAD_FORMAT, payload_format);
    GP_NUM(MQTLS_PROP_MESSAGE_EXPIRY, message_expiry);
    GP_STR(MQTLS_PROP_CONTENT_TYPE, content_type);
    GP_STR(MQTLS_PROP_RESPONSE_TOPIC, response_topic);
    GP_STR(MQTLS_PROP_CORRELATION_DATA, correlation_data);
    GP_NUM(MQTLS_PROP_SUBSCRIPTION_ID, subscription_id);
    GP_NUM(MQTLS_PROP_SESSION_EXPIRY, session_expiry);
    GP_STR(MQTLS_PROP_ASSIGNED_CLIENT_ID, assigned_client_id);
    GP_NUM(MQTLS_PROP_SERVER_KEEP_ALIVE, server_keep_alive);
    GP_STR(MQTLS_PROP_AUTH_METHOD, auth_method);
    GP_STR(MQTLS_PROP_AUTH_DATA, auth_data);
    GP_NUM(MQTLS_PROP_REQUEST_PROBLEM_INFO, request_problem_info);
    GP_NUM(MQTLS_PROP_WILL_DELAY, will_delay);
    GP_NUM(MQTLS_PROP_REQUEST_RESPONSE_INFO, request_response_info);
    GP_STR(MQTLS_PROP_RESPONSE_INFO, response_info);
    GP_STR(MQTLS_PROP_SERVER_REFERENCE, server_reference);
    GP_STR(MQTLS_PROP_REASON_STRING, reason_string);
    GP_NUM(MQTLS_PROP_RECEIVE_MAXIMUM, receive_maximum);
    GP_NUM(MQTLS_PROP_TOPIC_ALIAS_MAXIMUM, topic_alias_maximum);
    GP_NUM(MQTLS_PROP_TOPIC_ALIAS, topic_alias);
    GP_NUM(MQTLS_PROP_MAXIMUM_QOS, maximum_qos);
    GP_NUM(MQTLS_PROP_RETAIN_AVAILABLE, retain_available);
    GP_NUM(MQTLS_PROP_MAXIMUM_PACKET_SIZE, maximum_packet_size);
    GP_NUM(MQTLS_PROP_WILDCARD_SUB_AVAILABLE, wildcard_sub_available);
    GP_NUM(MQTLS_PROP_SUB_ID_AVAILABLE, sub_id_available);
    GP_NUM(MQTLS_PROP_SHARED_SUB_AVAILABLE, shared_sub_available);
    if (a->user_count != b->user_count) {
        snprintf(why, n, "%s: user_count %u != %u", where, a->user_count, b->user_count);
        return false;
    }
    golden_user_it_t ia = {a, 0, 0}, ib = {b, 0, 0};
    for (uint32_t i = 0;; i++) {
        mqtls_user_prop_t ua, ub;
        bool ha = golden_user_next(&ia, &ua), hb = golden_user_next(&ib, &ub);
        if (ha != hb) {
            snprintf(why, n, "%s: user property list lengths differ at %u", where, i);
            return false;
        }
        if (!ha)
            break;
        if (!GOLDEN_STR_EQ(ua.key, ub.key) || !GOLDEN_STR_EQ(ua.value, ub.value)) {
            snprintf(why, n, "%s: user property %u differs", where, i);
            return false;
        }
    }
    if (a->raw != NULL && b->raw != NULL) {
        uint32_t qa = 0, qb = 0, va = 0, vb = 0;
        for (uint32_t i = 0;; i++) {
            bool ha = mqtls_props_next_sub_id(a, &qa, &va);
            bool hb = mqtls_props_next_sub_id(b, &qb, &vb);
            if (ha != hb || (ha && va != vb)) {
                snprintf(why, n, "%s: subscription identifier %u differs", where, i);
                return false;
            }
            if (!ha)
                break;
        }
    }
    return true;
#undef GP_STR
#undef GP_NUM
#undef GP_FAIL
}

bool golden_packet_eq(const mqtls_packet_t *a, const mqtls_packet_t *b,
                      mqtls_version_t v, char *why, size_t n)
{
#define GE_FAIL(what)                                                                        \
    do {                                                                                     \
        snprintf(why, n, "%s differs", what);                                                \
        return false;                                                                        \
    } while (0)
#define GE(cond, what)                                                                       \
    if (!(cond))                                                                             \
    GE_FAIL(what)
    why[0] = '\0';
    GE(a->type == b->type, "type");
    switch (a->type) {
    case MQTLS_CONNECT: {
        const mqtls_connect_t *x = &a->u.connect, *y = &b->u.connect;
        GE(x->version == y->version, "connect.version");
        GE(x->clean_start == y->clean_start, "connect.clean_start");
        GE(x->keep_alive == y->keep_alive, "connect.keep_alive");
        GE(GOLDEN_STR_EQ(x->client_id, y->client_id), "connect.client_id");
        GE(x->will == y->will, "connect.will");
        if (x->will) {
            GE(x->will_qos == y->will_qos, "connect.will_qos");
            GE(x->will_retain == y->will_retain, "connect.will_retain");
            GE(GOLDEN_STR_EQ(x->will_topic, y->will_topic), "connect.will_topic");
            GE(GOLDEN_STR_EQ(x->will_payload, y->will_payload), "connect.will_payload");
            if (x->version == MQTLS_V5 &&
                !golden_props_eq(&x->will_props, &y->will_props, "will_props", why, n))
                return false;
        }
        GE(x->has_username == y->has_username, "connect.has_username");
        if (x->has_username)
            GE(GOLDEN_STR_EQ(x->username, y->username), "connect.username");
        GE(x->has_password == y->has_password, "connect.has_password");
        if (x->has_password)
            GE(GOLDEN_STR_EQ(x->password, y->password), "connect.password");
        if (x->version == MQTLS_V5 && !golden_props_eq(&x->props, &y->props, "props", why, n))
            return false;
        return true;
    }
    case MQTLS_CONNACK:
        GE(a->u.connack.session_present == b->u.connack.session_present,
           "connack.session_present");
        GE(a->u.connack.reason == b->u.connack.reason, "connack.reason");
        if (v == MQTLS_V5 && !golden_props_eq(&a->u.connack.props, &b->u.connack.props,
                                              "connack.props", why, n))
            return false;
        return true;
    case MQTLS_PUBLISH: {
        const mqtls_publish_t *x = &a->u.publish, *y = &b->u.publish;
        GE(GOLDEN_STR_EQ(x->topic, y->topic), "publish.topic");
        GE(x->qos == y->qos, "publish.qos");
        GE(x->retain == y->retain, "publish.retain");
        GE(x->dup == y->dup, "publish.dup");
        if (x->qos)
            GE(x->packet_id == y->packet_id, "publish.packet_id");
        GE(golden_mem_eq(x->payload, x->payload_len, y->payload, y->payload_len),
           "publish.payload");
        if (v == MQTLS_V5 && !golden_props_eq(&x->props, &y->props, "publish.props", why, n))
            return false;
        return true;
    }
    case MQTLS_PUBACK:
    case MQTLS_PUBREC:
    case MQTLS_PUBREL:
    case MQTLS_PUBCOMP:
    case MQTLS_DISCONNECT:
    case MQTLS_AUTH:
        if (a->type <= MQTLS_PUBCOMP)
            GE(a->u.ack.packet_id == b->u.ack.packet_id, "ack.packet_id");
        if (v == MQTLS_V5) {
            GE(a->u.ack.reason == b->u.ack.reason, "ack.reason");
            if (!golden_props_eq(&a->u.ack.props, &b->u.ack.props, "ack.props", why, n))
                return false;
        }
        return true;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE: {
        const mqtls_subscribe_t *x = &a->u.subscribe, *y = &b->u.subscribe;
        bool unsub = a->type == MQTLS_UNSUBSCRIBE;
        GE(x->packet_id == y->packet_id, "subscribe.packet_id");
        GE(x->count == y->count, "subscribe.count");
        if (v == MQTLS_V5 && !golden_props_eq(&x->props, &y->props, "subscribe.props", why, n))
            return false;
        golden_sub_it_t ix = {x, unsub, 0, 0}, iy = {y, unsub, 0, 0};
        for (uint32_t i = 0;; i++) {
            mqtls_subscription_t sx, sy;
            bool hx = golden_sub_next(&ix, &sx), hy = golden_sub_next(&iy, &sy);
            if (hx != hy) {
                snprintf(why, n, "subscription list lengths differ at %u", i);
                return false;
            }
            if (!hx)
                break;
            if (!GOLDEN_STR_EQ(sx.filter, sy.filter) || sx.options != sy.options) {
                snprintf(why, n, "subscription %u differs", i);
                return false;
            }
        }
        return true;
    }
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK: {
        const mqtls_suback_t *x = &a->u.suback, *y = &b->u.suback;
        GE(x->packet_id == y->packet_id, "suback.packet_id");
        if (v == MQTLS_V5 || a->type == MQTLS_SUBACK)
            GE(golden_mem_eq(x->codes, x->count, y->codes, y->count), "suback.codes");
        if (v == MQTLS_V5 && !golden_props_eq(&x->props, &y->props, "suback.props", why, n))
            return false;
        return true;
    }
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP:
        return true;
    }
    GE_FAIL("type (unknown)");
#undef GE
#undef GE_FAIL
}


static bool golden_user_copy(mqtls_props_t *p, mqtls_user_prop_t *dst)
{
    uint32_t pos = 0, i = 0;
    mqtls_user_prop_t u;
    if (p->user_count > GOLDEN_MAX_USER)
        return false;
    while (mqtls_props_next_user(p, &pos, &u)) {
        if (i >= p->user_count)
            return false;
        dst[i++] = u;
    }
    if (i != p->user_count)
        return false;
    p->user = i ? dst : NULL;
    p->raw = NULL;
    p->raw_len = 0;
    return true;
}

bool golden_encodable(mqtls_packet_t *pkt, golden_store_t *st)
{
    mqtls_props_t *props = NULL;
    switch (pkt->type) {
    case MQTLS_CONNECT:
        if (!golden_user_copy(&pkt->u.connect.will_props, st->will_user))
            return false;
        props = &pkt->u.connect.props;
        break;
    case MQTLS_CONNACK:
        props = &pkt->u.connack.props;
        break;
    case MQTLS_PUBLISH:
        props = &pkt->u.publish.props;
        break;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE: {
        mqtls_subscribe_t *s = &pkt->u.subscribe;
        bool unsub = pkt->type == MQTLS_UNSUBSCRIBE;
        uint32_t pos = 0, i = 0;
        mqtls_subscription_t e;
        if (s->count > GOLDEN_MAX_SUBS)
            return false;
        while (mqtls_sub_next(s, unsub, &pos, &e)) {
            if (i >= s->count)
                return false;
            st->subs[i] = e;
            st->filters[i] = e.filter;
            i++;
        }
        if (i != s->count)
            return false;
        s->subs = unsub ? NULL : st->subs;
        s->filters = unsub ? st->filters : NULL;
        s->raw = NULL;
        s->raw_len = 0;
        props = &s->props;
        break;
    }
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK:
        props = &pkt->u.suback.props;
        break;
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP:
        return true;
    default:
        props = &pkt->u.ack.props;
        break;
    }
    return golden_user_copy(props, st->user);
}
