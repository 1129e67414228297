/**
 * @file properties.c
 * @brief MQTT 5 properties: one table says each property's type, where it lives in
 *        mqtls_props_t, and which packets may carry it; size, write and read all follow it.
 */
#include <stddef.h>

#include "codec_internal.h"

#if MQTLS_CFG_MQTT5

enum { PT_BYTE, PT_U16, PT_U32, PT_VBI, PT_STR, PT_BIN, PT_PAIR };

/* Value rules beyond the type. */
#define F_BOOL 1u    /* 0 or 1 only */
#define F_NONZERO 2u /* 0 is a protocol error */
#define F_NOWILD 4u  /* a topic name: no wildcards */
#define F_SEND_NONZERO 8u /* 0 is refused when sending; received, the session reports it */

#define X(t) (1u << (t))
#define X_WILL (1u << MQTLS_PCTX_WILL)
#define X_ACKS (X(MQTLS_PUBACK) | X(MQTLS_PUBREC) | X(MQTLS_PUBREL) | X(MQTLS_PUBCOMP))

typedef struct prop_def {
    uint8_t id;
    uint8_t type;
    uint8_t flags;
    uint8_t off; /* offset of the field in mqtls_props_t */
    uint16_t ctx;
} prop_def_t;

#define OFF(f) ((uint8_t)offsetof(mqtls_props_t, f))
_Static_assert(offsetof(mqtls_props_t, reason_string) < 256, "offsets must fit a byte");

static const prop_def_t defs[] = {
    {MQTLS_PROP_PAYLOAD_FORMAT, PT_BYTE, F_BOOL, OFF(payload_format), X(MQTLS_PUBLISH) | X_WILL},
    {MQTLS_PROP_MESSAGE_EXPIRY, PT_U32, 0, OFF(message_expiry), X(MQTLS_PUBLISH) | X_WILL},
    {MQTLS_PROP_CONTENT_TYPE, PT_STR, 0, OFF(content_type), X(MQTLS_PUBLISH) | X_WILL},
    {MQTLS_PROP_RESPONSE_TOPIC, PT_STR, F_NOWILD, OFF(response_topic), X(MQTLS_PUBLISH) | X_WILL},
    {MQTLS_PROP_CORRELATION_DATA, PT_BIN, 0, OFF(correlation_data), X(MQTLS_PUBLISH) | X_WILL},
    {MQTLS_PROP_SUBSCRIPTION_ID, PT_VBI, F_NONZERO, OFF(subscription_id),
     X(MQTLS_PUBLISH) | X(MQTLS_SUBSCRIBE)},
    {MQTLS_PROP_SESSION_EXPIRY, PT_U32, 0, OFF(session_expiry),
     X(MQTLS_CONNECT) | X(MQTLS_CONNACK) | X(MQTLS_DISCONNECT)},
    {MQTLS_PROP_ASSIGNED_CLIENT_ID, PT_STR, 0, OFF(assigned_client_id), X(MQTLS_CONNACK)},
    {MQTLS_PROP_SERVER_KEEP_ALIVE, PT_U16, 0, OFF(server_keep_alive), X(MQTLS_CONNACK)},
    {MQTLS_PROP_AUTH_METHOD, PT_STR, 0, OFF(auth_method),
     X(MQTLS_CONNECT) | X(MQTLS_CONNACK) | X(MQTLS_AUTH)},
    {MQTLS_PROP_AUTH_DATA, PT_BIN, 0, OFF(auth_data),
     X(MQTLS_CONNECT) | X(MQTLS_CONNACK) | X(MQTLS_AUTH)},
    {MQTLS_PROP_REQUEST_PROBLEM_INFO, PT_BYTE, F_BOOL, OFF(request_problem_info), X(MQTLS_CONNECT)},
    {MQTLS_PROP_WILL_DELAY, PT_U32, 0, OFF(will_delay), X_WILL},
    {MQTLS_PROP_REQUEST_RESPONSE_INFO, PT_BYTE, F_BOOL, OFF(request_response_info),
     X(MQTLS_CONNECT)},
    {MQTLS_PROP_RESPONSE_INFO, PT_STR, 0, OFF(response_info), X(MQTLS_CONNACK)},
    {MQTLS_PROP_SERVER_REFERENCE, PT_STR, 0, OFF(server_reference),
     X(MQTLS_CONNACK) | X(MQTLS_DISCONNECT)},
    {MQTLS_PROP_REASON_STRING, PT_STR, 0, OFF(reason_string),
     X(MQTLS_CONNACK) | X_ACKS | X(MQTLS_SUBACK) | X(MQTLS_UNSUBACK) | X(MQTLS_DISCONNECT) |
         X(MQTLS_AUTH)},
    {MQTLS_PROP_RECEIVE_MAXIMUM, PT_U16, F_NONZERO, OFF(receive_maximum),
     X(MQTLS_CONNECT) | X(MQTLS_CONNACK)},
    {MQTLS_PROP_TOPIC_ALIAS_MAXIMUM, PT_U16, 0, OFF(topic_alias_maximum),
     X(MQTLS_CONNECT) | X(MQTLS_CONNACK)},
    {MQTLS_PROP_TOPIC_ALIAS, PT_U16, F_SEND_NONZERO, OFF(topic_alias), X(MQTLS_PUBLISH)},
    {MQTLS_PROP_MAXIMUM_QOS, PT_BYTE, F_BOOL, OFF(maximum_qos), X(MQTLS_CONNACK)},
    {MQTLS_PROP_RETAIN_AVAILABLE, PT_BYTE, F_BOOL, OFF(retain_available), X(MQTLS_CONNACK)},
    {MQTLS_PROP_USER_PROPERTY, PT_PAIR, 0, 0, 0xFFFFu & ~(X(MQTLS_PINGREQ) | X(MQTLS_PINGRESP))},
    {MQTLS_PROP_MAXIMUM_PACKET_SIZE, PT_U32, F_NONZERO, OFF(maximum_packet_size),
     X(MQTLS_CONNECT) | X(MQTLS_CONNACK)},
    {MQTLS_PROP_WILDCARD_SUB_AVAILABLE, PT_BYTE, F_BOOL, OFF(wildcard_sub_available),
     X(MQTLS_CONNACK)},
    {MQTLS_PROP_SUB_ID_AVAILABLE, PT_BYTE, F_BOOL, OFF(sub_id_available), X(MQTLS_CONNACK)},
    {MQTLS_PROP_SHARED_SUB_AVAILABLE, PT_BYTE, F_BOOL, OFF(shared_sub_available),
     X(MQTLS_CONNACK)},
};
#define NDEFS (sizeof defs / sizeof defs[0])

MQTLS__NOINLINE static const prop_def_t *find_def(uint32_t id)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (defs[i].id == id)
            return &defs[i];
    return NULL;
}

/* Whether property @p id is present: a 64-bit mask, tested on the word that holds the bit
 * (a 64-bit shift by a variable costs Thumb a dozen instructions at each use). */
MQTLS__NOINLINE static int has(const mqtls_props_t *p, unsigned id)
{
    uint32_t word = id < 32u ? (uint32_t)p->present : (uint32_t)(p->present >> 32);
    return (int)((word >> (id & 31u)) & 1u);
}

/* Field access through the table's offsets. */
#define FIELD(p, d, T) ((T *)(void *)((uint8_t *)(p) + (d)->off))
#define CFIELD(p, d, T) ((const T *)(const void *)((const uint8_t *)(p) + (d)->off))

/* The bytes of a string or binary field. */
static void field_bytes(const mqtls_props_t *p, const prop_def_t *d, const void **data,
                        uint16_t *len)
{
    if (d->type == PT_BIN) {
        *data = CFIELD(p, d, mqtls_bin_t)->data;
        *len = CFIELD(p, d, mqtls_bin_t)->len;
    } else {
        *data = CFIELD(p, d, mqtls_str_t)->data;
        *len = CFIELD(p, d, mqtls_str_t)->len;
    }
}

static uint32_t numeric_value(const mqtls_props_t *p, const prop_def_t *d)
{
    switch (d->type) {
    case PT_BYTE:
        return *CFIELD(p, d, uint8_t);
    case PT_U16:
        return *CFIELD(p, d, uint16_t);
    default:
        return *CFIELD(p, d, uint32_t);
    }
}

/* Checks a value against its rules; shared by the encoder (what we send) and decoder. */
static mqtls_status_t value_check(const mqtls_props_t *p, const prop_def_t *d, int sending)
{
    if (d->type == PT_STR || d->type == PT_BIN) {
        const void *data;
        uint16_t len;
        field_bytes(p, d, &data, &len);
        if (d->type == PT_BIN) /* (the checks of strings refuse a NULL with a length too) */
            return !data && len ? MQTLS_ERR_BAD_PARAM : MQTLS_OK;
        return (d->flags & F_NOWILD) ? mqtls_topic_check(data, len) : mqtls_utf8_check(data, len);
    }
    uint32_t v = numeric_value(p, d);
    uint8_t nonzero = F_NONZERO | (sending ? F_SEND_NONZERO : 0u);
    if (((d->flags & F_BOOL) && v > 1u) || ((d->flags & nonzero) && v == 0u) ||
        (d->type == PT_VBI && v > MQTLS_VBI_MAX))
        return MQTLS_ERR_MALFORMED_PROPERTY;
    return MQTLS_OK;
}

/* Writes (or counts) the properties of @p p, checking them first when @p check. */
static mqtls_status_t props_block(wcur_t *w, const mqtls_props_t *p, int ctx, int check)
{
    for (size_t i = 0; i < NDEFS; i++) {
        const prop_def_t *d = &defs[i];
        if (d->type == PT_PAIR || !has(p, d->id))
            continue;
        if (check) {
            if (!(d->ctx & (1u << ctx)))
                return MQTLS_ERR_PROPERTY_NOT_ALLOWED;
            mqtls_status_t st = value_check(p, d, 1);
            if (st != MQTLS_OK)
                return st;
        }
        mqtls__w_u8(w, d->id);
        if (d->type >= PT_STR) {
            const void *data;
            uint16_t len;
            field_bytes(p, d, &data, &len);
            mqtls__w_str(w, data, len);
            continue;
        }
        uint32_t v = numeric_value(p, d);
        if (d->type == PT_BYTE)
            mqtls__w_u8(w, (uint8_t)v);
        else if (d->type == PT_U16)
            mqtls__w_u16(w, (uint16_t)v);
        else if (d->type == PT_U32)
            mqtls__w_u32(w, v);
        else
            mqtls__w_vbi(w, v);
    }
    if (p->user_count && check &&
        (ctx == MQTLS_PINGREQ || ctx == MQTLS_PINGRESP || !p->user))
        return p->user ? MQTLS_ERR_PROPERTY_NOT_ALLOWED : MQTLS_ERR_BAD_PARAM;
    for (uint16_t i = 0; i < p->user_count; i++) {
        const mqtls_user_prop_t *u = &p->user[i];
        if (check) { /* (NULL with a length: MQTLS_ERR_BAD_PARAM) */
            mqtls_status_t st = mqtls_utf8_check(u->key.data, u->key.len);
            if (st == MQTLS_OK)
                st = mqtls_utf8_check(u->value.data, u->value.len);
            if (st != MQTLS_OK)
                return st;
            if (w->n > MQTLS_VBI_MAX) /* before 65535 long pairs could wrap the count */
                return MQTLS_ERR_BAD_PARAM;
        }
        mqtls__w_u8(w, MQTLS_PROP_USER_PROPERTY);
        mqtls__w_str(w, u->key.data, u->key.len);
        mqtls__w_str(w, u->value.data, u->value.len);
    }
    return MQTLS_OK;
}

mqtls_status_t mqtls__props_put(wcur_t *w, const mqtls_props_t *p, int ctx, int check)
{
    if (p->present == 0 && p->user_count == 0) { /* the common case, on the publish path */
        mqtls__w_u8(w, 0);
        return MQTLS_OK;
    }
    wcur_t len = {NULL, 0, 0};
    mqtls_status_t st = props_block(&len, p, ctx, check);
    if (st != MQTLS_OK)
        return st;
    if (len.n > MQTLS_VBI_MAX)
        return MQTLS_ERR_BAD_PARAM;
    mqtls__w_vbi(w, (uint32_t)len.n);
    return props_block(w, p, ctx, 0);
}

/* Reads one value of type d->type from r into p's field (or a scratch for pairs). */
static mqtls_status_t read_value(rcur_t *r, const prop_def_t *d, mqtls_props_t *p)
{
    mqtls_status_t st;
    switch (d->type) {
    case PT_BYTE:
        return mqtls__r_u8(r, FIELD(p, d, uint8_t));
    case PT_U16:
        return mqtls__r_u16(r, FIELD(p, d, uint16_t));
    case PT_U32:
        return mqtls__r_u32(r, FIELD(p, d, uint32_t));
    case PT_VBI: {
        uint32_t v;
        st = mqtls__r_vbi(r, &v);
        if (st == MQTLS_OK && v == 0)
            return MQTLS_ERR_MALFORMED_PROPERTY; /* subscription id 0 */
        /* Later subscription identifiers of a PUBLISH are read with the iterator. */
        if (st == MQTLS_OK && !has(p, d->id))
            *FIELD(p, d, uint32_t) = v;
        return st;
    }
    case PT_STR:
        return mqtls__r_str(r, FIELD(p, d, mqtls_str_t));
    case PT_BIN:
        return mqtls__r_bin(r, FIELD(p, d, mqtls_bin_t));
    default: {
        mqtls_str_t k, v;
        st = mqtls__r_str(r, &k);
        return st != MQTLS_OK ? st : mqtls__r_str(r, &v);
    }
    }
}

mqtls_status_t mqtls__props_read(rcur_t *r, int ctx, mqtls_props_t *p)
{
    uint32_t len;
    mqtls_status_t st = mqtls__r_vbi(r, &len);
    if (st != MQTLS_OK)
        return st;
    if ((size_t)(r->end - r->cur) < len)
        return MQTLS_ERR_MALFORMED_LENGTH;
    rcur_t b = {r->cur, r->cur + len};
    p->raw = b.cur;
    p->raw_len = len;
    r->cur += len;
    while (b.cur < b.end) {
        uint32_t id;
        if ((st = mqtls__r_vbi(&b, &id)) != MQTLS_OK)
            return st;
        const prop_def_t *d = find_def(id);
        if (!d)
            return MQTLS_ERR_MALFORMED_PROPERTY;
        if (!(d->ctx & (1u << ctx)))
            return MQTLS_ERR_PROPERTY_NOT_ALLOWED;
        int multi = d->type == PT_PAIR || (d->type == PT_VBI && ctx == MQTLS_PUBLISH);
        if (!multi && has(p, d->id))
            return MQTLS_ERR_DUPLICATE_PROPERTY;
        if ((st = read_value(&b, d, p)) != MQTLS_OK)
            return st;
        if (d->type == PT_PAIR)
            p->user_count++;
        else if ((st = value_check(p, d, 0)) != MQTLS_OK)
            return st;
        p->present |= MQTLS_PROPBIT(d->id);
    }
    return MQTLS_OK;
}

/* Walks a validated property block to the next property with identifier @p want. */
static bool next_prop(const mqtls_props_t *p, uint32_t *pos, uint8_t want, rcur_t *val)
{
    if (!p->raw)
        return false;
    rcur_t r = {p->raw + *pos, p->raw + p->raw_len};
    mqtls_props_t scratch;
    scratch.present = ~(uint64_t)0; /* values are skipped, not kept */
    while (r.cur < r.end) {
        uint32_t id;
        if (mqtls__r_vbi(&r, &id) != MQTLS_OK)
            return false;
        const prop_def_t *d = find_def(id);
        const uint8_t *start = r.cur;
        if (!d || read_value(&r, d, &scratch) != MQTLS_OK)
            return false;
        if (id == want) {
            val->cur = start;
            val->end = r.cur;
            *pos = (uint32_t)(r.cur - p->raw);
            return true;
        }
    }
    *pos = p->raw_len;
    return false;
}

bool mqtls_props_next_user(const mqtls_props_t *p, uint32_t *pos, mqtls_user_prop_t *out)
{
    rcur_t v;
    if (!next_prop(p, pos, MQTLS_PROP_USER_PROPERTY, &v))
        return false;
    return mqtls__r_str(&v, &out->key) == MQTLS_OK && mqtls__r_str(&v, &out->value) == MQTLS_OK;
}

bool mqtls_props_next_sub_id(const mqtls_props_t *p, uint32_t *pos, uint32_t *out)
{
    rcur_t v;
    return next_prop(p, pos, MQTLS_PROP_SUBSCRIPTION_ID, &v) && mqtls__r_vbi(&v, out) == MQTLS_OK;
}

#else /* 3.1.1 only: no property ever crosses the wire */

mqtls_status_t mqtls__props_put(wcur_t *w, const mqtls_props_t *p, int ctx, int check)
{
    (void)w, (void)p, (void)ctx, (void)check;
    return MQTLS_OK;
}

mqtls_status_t mqtls__props_read(rcur_t *r, int ctx, mqtls_props_t *p)
{
    (void)r, (void)ctx, (void)p;
    return MQTLS_ERR_UNSUPPORTED;
}

bool mqtls_props_next_user(const mqtls_props_t *p, uint32_t *pos, mqtls_user_prop_t *out)
{
    (void)p, (void)pos, (void)out;
    return false;
}

bool mqtls_props_next_sub_id(const mqtls_props_t *p, uint32_t *pos, uint32_t *out)
{
    (void)p, (void)pos, (void)out;
    return false;
}

#endif
