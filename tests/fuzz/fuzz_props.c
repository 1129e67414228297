/**
 * @file fuzz_props.c
 * @brief libFuzzer target for MQTT 5.0 property blocks, in every packet that carries one.
 *
 * Input: byte 0 picks the context (CONNECT, the will, CONNACK, PUBLISH, PUBACK, PUBREC,
 * PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH: byte0 % 14)
 * and two options: 0x40 gives a PUBLISH an empty topic (legal only with a Topic Alias), 0x80
 * takes the rest of the input as the property length *and* block (otherwise the rest is the
 * block and its length is written in front of it). The block is put into a packet that is
 * valid apart from it, in a heap buffer of exactly the packet's size, and decoded as 5.0.
 *
 * Checks (any failure aborts, which libFuzzer reports):
 *  - the decoder accepts the block exactly when a reference reader written here from the
 *    MQTT 5.0 specification (section 2.2.2.2, 3.x.2.3) does: identifiers as minimal variable
 *    byte integers, the packets each property may appear in, no repeats but user properties
 *    and (PUBLISH) subscription identifiers, booleans 0/1, the values that must not be 0,
 *    UTF-8 strings, a Response Topic without wildcards;
 *  - on success every field equals the reference's, mqtls_props_next_user() gives exactly
 *    the user_count pairs in order (pointing into the block), mqtls_props_next_sub_id() the
 *    subscription identifiers in order;
 *  - the decoded packet re-encodes and decodes back to the same fields (not when the encode
 *    API cannot express it: two subscription identifiers, Topic Alias 0);
 *  - the tool's printing of decoded properties (tool_props_lines(), `mqtls sub -d`) runs
 *    over them;
 *  - the iterators, run over the raw input as if it were a decoded block (it is not
 *    validated), stay inside it and end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_packet.h"
#include "mqtls/codec.h"
#include "prop_ctx.h"
#include "mqtt/tool_props.h"
#include "common/tool_util.h"

#define FAIL(...)                                                                            \
    do {                                                                                     \
        fprintf(stderr, "fuzz_props: " __VA_ARGS__);                                         \
        fputc('\n', stderr);                                                                 \
        abort();                                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the reference: MQTT 5.0 section 2.2.2.2, Table 2-4 -------------------------------- */

enum rtype { R_BYTE, R_U16, R_U32, R_VBI, R_STR, R_BIN, R_PAIR };
#define V_BOOL 1u    /* "It is a Protocol Error to include a value other than 0 or 1" */
#define V_NONZERO 2u /* "It is a Protocol Error to include the value 0" */
#define V_TOPIC 4u   /* a Topic Name: no wildcard characters */

typedef struct ref_def {
    uint8_t id;
    uint8_t type;
    uint8_t rules;
    uint32_t where; /* B(ctx) of the packets it may appear in */
} ref_def_t;

#define ACKS (B(C_PUBACK) | B(C_PUBREC) | B(C_PUBREL) | B(C_PUBCOMP))
static const ref_def_t ref_defs[] = {
    {0x01, R_BYTE, V_BOOL, B(C_PUBLISH) | B(C_WILL)},
    {0x02, R_U32, 0, B(C_PUBLISH) | B(C_WILL)},
    {0x03, R_STR, 0, B(C_PUBLISH) | B(C_WILL)},
    {0x08, R_STR, V_TOPIC, B(C_PUBLISH) | B(C_WILL)},
    {0x09, R_BIN, 0, B(C_PUBLISH) | B(C_WILL)},
    {0x0B, R_VBI, V_NONZERO, B(C_PUBLISH) | B(C_SUBSCRIBE)},
    {0x11, R_U32, 0, B(C_CONNECT) | B(C_CONNACK) | B(C_DISCONNECT)},
    {0x12, R_STR, 0, B(C_CONNACK)},
    {0x13, R_U16, 0, B(C_CONNACK)},
    {0x15, R_STR, 0, B(C_CONNECT) | B(C_CONNACK) | B(C_AUTH)},
    {0x16, R_BIN, 0, B(C_CONNECT) | B(C_CONNACK) | B(C_AUTH)},
    {0x17, R_BYTE, V_BOOL, B(C_CONNECT)},
    {0x18, R_U32, 0, B(C_WILL)},
    {0x19, R_BYTE, V_BOOL, B(C_CONNECT)},
    {0x1A, R_STR, 0, B(C_CONNACK)},
    {0x1C, R_STR, 0, B(C_CONNACK) | B(C_DISCONNECT)},
    {0x1F, R_STR, 0,
     B(C_CONNACK) | ACKS | B(C_SUBACK) | B(C_UNSUBACK) | B(C_DISCONNECT) | B(C_AUTH)},
    {0x21, R_U16, V_NONZERO, B(C_CONNECT) | B(C_CONNACK)},
    {0x22, R_U16, 0, B(C_CONNECT) | B(C_CONNACK)},
    {0x23, R_U16, 0, B(C_PUBLISH)}, /* 0 is the session's to refuse (DISCONNECT 0x94) */
    {0x24, R_BYTE, V_BOOL, B(C_CONNACK)},
    {0x25, R_BYTE, V_BOOL, B(C_CONNACK)},
    {0x26, R_PAIR, 0, (1u << C_COUNT) - 1u},
    {0x27, R_U32, V_NONZERO, B(C_CONNECT) | B(C_CONNACK)},
    {0x28, R_BYTE, V_BOOL, B(C_CONNACK)},
    {0x29, R_BYTE, V_BOOL, B(C_CONNACK)},
    {0x2A, R_BYTE, V_BOOL, B(C_CONNACK)},
};
#define REF_NDEFS (sizeof ref_defs / sizeof ref_defs[0])

#define REF_MAX_LIST 4096

/* What the reference read: every value by identifier, the lists in order. */
typedef struct ref_result {
    uint64_t present;
    uint32_t num[64];
    const uint8_t *sdata[64];
    uint16_t slen[64];
    uint32_t sub_ids[REF_MAX_LIST];
    size_t n_sub_ids;
    const uint8_t *ukey[REF_MAX_LIST], *uval[REF_MAX_LIST];
    uint16_t uklen[REF_MAX_LIST], uvlen[REF_MAX_LIST];
    size_t n_users;
    bool too_many; /* more list entries than kept: values are not compared */
} ref_result_t;

static const ref_def_t *ref_find(uint32_t id)
{
    for (size_t i = 0; i < REF_NDEFS; i++)
        if (ref_defs[i].id == id)
            return &ref_defs[i];
    return NULL;
}

/* A variable byte integer, minimal, at most 4 bytes [MQTT-1.5.5-1]. */
static bool ref_vbi(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint32_t v = 0, mul = 1;
    for (int i = 0; i < 4; i++) {
        if (*p >= end)
            return false;
        uint8_t b = *(*p)++;
        v += (uint32_t)(b & 0x7F) * mul;
        mul *= 128;
        if (!(b & 0x80)) {
            if (i > 0 && b == 0)
                return false;
            *out = v;
            return true;
        }
    }
    return false;
}

static bool ref_bytes(const uint8_t **p, const uint8_t *end, const uint8_t **s, uint16_t *n)
{
    if (end - *p < 2)
        return false;
    uint16_t len = (uint16_t)((*p)[0] << 8 | (*p)[1]);
    if ((size_t)(end - *p) - 2 < len)
        return false;
    *s = *p + 2;
    *n = len;
    *p += 2 + len;
    return true;
}

static bool ref_utf8(const uint8_t *s, uint16_t n, bool topic)
{
    if (topic)
        return mqtls_topic_check((const char *)s, n) == MQTLS_OK;
    return mqtls_utf8_check((const char *)s, n) == MQTLS_OK;
}

/* Reads the block [p, end) for context @p c. */
static bool ref_read(const uint8_t *p, const uint8_t *end, int c, ref_result_t *r)
{
    memset(r, 0, sizeof *r);
    while (p < end) {
        uint32_t id, v = 0;
        if (!ref_vbi(&p, end, &id))
            return false;
        const ref_def_t *d = ref_find(id);
        if (!d || !(d->where & B(c)))
            return false;
        uint64_t bit = (uint64_t)1 << id;
        bool repeatable = d->type == R_PAIR || (d->id == 0x0B && c == C_PUBLISH);
        if ((r->present & bit) && !repeatable)
            return false;
        switch (d->type) {
        case R_BYTE:
            if (end - p < 1)
                return false;
            v = *p++;
            break;
        case R_U16:
            if (end - p < 2)
                return false;
            v = (uint32_t)p[0] << 8 | p[1];
            p += 2;
            break;
        case R_U32:
            if (end - p < 4)
                return false;
            v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            p += 4;
            break;
        case R_VBI:
            if (!ref_vbi(&p, end, &v))
                return false;
            break;
        case R_STR:
        case R_BIN: {
            const uint8_t *s;
            uint16_t n;
            if (!ref_bytes(&p, end, &s, &n))
                return false;
            if (d->type == R_STR && !ref_utf8(s, n, (d->rules & V_TOPIC) != 0))
                return false;
            r->sdata[id] = s;
            r->slen[id] = n;
            break;
        }
        default: { /* a user property: two strings */
            const uint8_t *k, *val;
            uint16_t kn, vn;
            if (!ref_bytes(&p, end, &k, &kn) || !ref_utf8(k, kn, false) ||
                !ref_bytes(&p, end, &val, &vn) || !ref_utf8(val, vn, false))
                return false;
            if (r->n_users < REF_MAX_LIST) {
                r->ukey[r->n_users] = k;
                r->uklen[r->n_users] = kn;
                r->uval[r->n_users] = val;
                r->uvlen[r->n_users] = vn;
            } else {
                r->too_many = true;
            }
            r->n_users++;
            break;
        }
        }
        if (((d->rules & V_BOOL) && v > 1) || ((d->rules & V_NONZERO) && v == 0))
            return false;
        if (d->id == 0x0B) {
            if (r->n_sub_ids < REF_MAX_LIST)
                r->sub_ids[r->n_sub_ids] = v;
            else
                r->too_many = true;
            r->n_sub_ids++;
            if (r->n_sub_ids > 1)
                v = r->num[id]; /* the field keeps the first */
        }
        r->num[id] = v;
        r->present |= bit;
    }
    return true;
}

/* ---- building the packet ----------------------------------------------------------------- */

typedef struct out {
    uint8_t *p;
    size_t n, cap;
} out_t;

static void put(out_t *o, const void *s, size_t n)
{
    if (o->n + n > o->cap) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap < o->n + n)
            cap *= 2;
        o->p = realloc(o->p, cap);
        if (!o->p)
            abort();
        o->cap = cap;
    }
    if (n)
        memcpy(o->p + o->n, s, n);
    o->n += n;
}

static void put_u8(out_t *o, uint8_t b)
{
    put(o, &b, 1);
}

static void put_vbi(out_t *o, uint32_t v)
{
    do {
        uint8_t d = (uint8_t)(v % 128);
        v /= 128;
        put_u8(o, v ? (uint8_t)(d | 0x80) : d);
    } while (v);
}

static void put_str(out_t *o, const char *s)
{
    size_t n = strlen(s);
    put_u8(o, (uint8_t)(n >> 8));
    put_u8(o, (uint8_t)n);
    put(o, s, n);
}

/* The property field (length and block) as the input gives it. */
static void put_props(out_t *o, const uint8_t *blk, size_t n, bool raw)
{
    if (!raw)
        put_vbi(o, (uint32_t)n);
    put(o, blk, n);
}

/* The packet for context @p c around the block; returns the first byte. */
static uint8_t body(out_t *o, int c, const uint8_t *blk, size_t n, bool raw, bool empty_topic)
{
    static const uint8_t pid[2] = {0x00, 0x01};
    static const uint8_t connect_head[] = {0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05};
    switch (c) {
    case C_CONNECT:
        put(o, connect_head, sizeof connect_head);
        put_u8(o, 0x02); /* clean start */
        put_u8(o, 0x00);
        put_u8(o, 0x3c);
        put_props(o, blk, n, raw);
        put_str(o, "c");
        return 0x10;
    case C_WILL:
        put(o, connect_head, sizeof connect_head);
        put_u8(o, 0x06); /* clean start, will QoS 0 */
        put_u8(o, 0x00);
        put_u8(o, 0x3c);
        put_u8(o, 0x00); /* CONNECT properties: none */
        put_str(o, "c");
        put_props(o, blk, n, raw);
        put_str(o, "w/t");
        put_str(o, "x"); /* will payload (binary, same layout) */
        return 0x10;
    case C_CONNACK:
        put_u8(o, 0x00);
        put_u8(o, 0x00);
        put_props(o, blk, n, raw);
        return 0x20;
    case C_PUBLISH:
        put_str(o, empty_topic ? "" : "a/b");
        put(o, pid, 2);
        put_props(o, blk, n, raw);
        put(o, "pl", 2);
        return 0x32;
    case C_PUBACK:
    case C_PUBREC:
    case C_PUBREL:
    case C_PUBCOMP:
        put(o, pid, 2);
        put_u8(o, 0x00);
        put_props(o, blk, n, raw);
        return (uint8_t)((MQTLS_PUBACK + (c - C_PUBACK)) << 4 | (c == C_PUBREL ? 2 : 0));
    case C_SUBSCRIBE:
        put(o, pid, 2);
        put_props(o, blk, n, raw);
        put_str(o, "a/#");
        put_u8(o, 0x01);
        return 0x82;
    case C_SUBACK:
        put(o, pid, 2);
        put_props(o, blk, n, raw);
        put_u8(o, 0x00);
        return 0x90;
    case C_UNSUBSCRIBE:
        put(o, pid, 2);
        put_props(o, blk, n, raw);
        put_str(o, "a");
        return 0xA2;
    case C_UNSUBACK:
        put(o, pid, 2);
        put_props(o, blk, n, raw);
        put_u8(o, 0x00);
        return 0xB0;
    case C_DISCONNECT:
        put_u8(o, 0x00);
        put_props(o, blk, n, raw);
        return 0xE0;
    default: /* AUTH, Continue authentication */
        put_u8(o, 0x18);
        put_props(o, blk, n, raw);
        return 0xF0;
    }
}

/* ---- the checks ----------------------------------------------------------------------------- */

static golden_store_t store;

static bool inside(const void *s, size_t n, const uint8_t *lo, size_t len)
{
    const uint8_t *x = s;
    return n == 0 || (x != NULL && x >= lo && x + n <= lo + len);
}

static bool mem_is(const void *a, size_t an, const uint8_t *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* Every field of the decoded block against the reference. */
static void compare(const mqtls_props_t *p, const ref_result_t *r, const char *cn)
{
    const uint64_t mask = ~MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY);
    if ((p->present & mask) != (r->present & mask) ||
        ((p->present & MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY)) != 0) != (r->n_users > 0))
        FAIL("%s: present 0x%llx, reference 0x%llx", cn, (unsigned long long)p->present,
             (unsigned long long)r->present);
    if (p->user_count != r->n_users)
        FAIL("%s: user_count %u, reference %zu", cn, p->user_count, r->n_users);
    for (size_t i = 0; i < REF_NDEFS; i++) {
        const ref_def_t *d = &ref_defs[i];
        if (!(r->present & ((uint64_t)1 << d->id)))
            continue;
        uint32_t v = 0;
        const void *s = NULL;
        size_t sn = 0;
        switch (d->id) {
        case 0x01: v = p->payload_format; break;
        case 0x02: v = p->message_expiry; break;
        case 0x03: s = p->content_type.data, sn = p->content_type.len; break;
        case 0x08: s = p->response_topic.data, sn = p->response_topic.len; break;
        case 0x09: s = p->correlation_data.data, sn = p->correlation_data.len; break;
        case 0x0B: v = p->subscription_id; break;
        case 0x11: v = p->session_expiry; break;
        case 0x12: s = p->assigned_client_id.data, sn = p->assigned_client_id.len; break;
        case 0x13: v = p->server_keep_alive; break;
        case 0x15: s = p->auth_method.data, sn = p->auth_method.len; break;
        case 0x16: s = p->auth_data.data, sn = p->auth_data.len; break;
        case 0x17: v = p->request_problem_info; break;
        case 0x18: v = p->will_delay; break;
        case 0x19: v = p->request_response_info; break;
        case 0x1A: s = p->response_info.data, sn = p->response_info.len; break;
        case 0x1C: s = p->server_reference.data, sn = p->server_reference.len; break;
        case 0x1F: s = p->reason_string.data, sn = p->reason_string.len; break;
        case 0x21: v = p->receive_maximum; break;
        case 0x22: v = p->topic_alias_maximum; break;
        case 0x23: v = p->topic_alias; break;
        case 0x24: v = p->maximum_qos; break;
        case 0x25: v = p->retain_available; break;
        case 0x27: v = p->maximum_packet_size; break;
        case 0x28: v = p->wildcard_sub_available; break;
        case 0x29: v = p->sub_id_available; break;
        case 0x2A: v = p->shared_sub_available; break;
        default: continue; /* user properties: below */
        }
        if (d->type == R_STR || d->type == R_BIN) {
            if (!mem_is(s, sn, r->sdata[d->id], r->slen[d->id]) ||
                !inside(s, sn, p->raw, p->raw_len))
                FAIL("%s: property 0x%02x is %zu bytes, reference %u", cn, d->id, sn,
                     r->slen[d->id]);
        } else if (v != r->num[d->id]) {
            FAIL("%s: property 0x%02x is %u, reference %u", cn, d->id, (unsigned)v,
                 (unsigned)r->num[d->id]);
        }
    }

    /* The iterators. */
    uint32_t pos = 0, last = 0;
    size_t n = 0;
    mqtls_user_prop_t u;
    while (mqtls_props_next_user(p, &pos, &u)) {
        if (pos <= last && n > 0)
            FAIL("%s: next_user did not advance (%u)", cn, (unsigned)pos);
        last = pos;
        if (n >= r->n_users)
            FAIL("%s: next_user gives more than %zu pairs", cn, r->n_users);
        if (!inside(u.key.data, u.key.len, p->raw, p->raw_len) ||
            !inside(u.value.data, u.value.len, p->raw, p->raw_len))
            FAIL("%s: user property %zu points outside the block", cn, n);
        if (!r->too_many && (!mem_is(u.key.data, u.key.len, r->ukey[n], r->uklen[n]) ||
                             !mem_is(u.value.data, u.value.len, r->uval[n], r->uvlen[n])))
            FAIL("%s: user property %zu differs from the reference", cn, n);
        n++;
    }
    if (n != r->n_users)
        FAIL("%s: next_user gave %zu pairs, reference %zu", cn, n, r->n_users);
    pos = 0;
    n = 0;
    uint32_t id;
    while (mqtls_props_next_sub_id(p, &pos, &id)) {
        if (n >= r->n_sub_ids)
            FAIL("%s: next_sub_id gives more than %zu", cn, r->n_sub_ids);
        if (!r->too_many && id != r->sub_ids[n])
            FAIL("%s: subscription identifier %zu is %u, reference %u", cn, n, (unsigned)id,
                 (unsigned)r->sub_ids[n]);
        n++;
    }
    if (n != r->n_sub_ids)
        FAIL("%s: next_sub_id gave %zu, reference %zu", cn, n, r->n_sub_ids);
}

/* Re-encodes the decoded packet and decodes it back. */
static void round_trip(const mqtls_packet_t *pkt, const mqtls_props_t *p, const ref_result_t *r,
                       const char *cn)
{
    mqtls_packet_t enc = *pkt, back;
    char why[200];
    size_t need = 0, w = 0, used = 0;
    if (r->n_sub_ids > 1)
        return; /* the encode API carries one subscription identifier */
    if ((p->present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)) && p->topic_alias == 0)
        return; /* never sent; the session refuses it when received */
    if (!golden_encodable(&enc, &store))
        return;
    mqtls_status_t st = mqtls_encode_size(&enc, MQTLS_V5, &need);
    if (st != MQTLS_OK)
        FAIL("%s: decoded, but does not re-encode: %s", cn, mqtls_strerror(st));
    uint8_t *buf = malloc(need);
    if (!buf)
        abort();
    st = mqtls_encode(&enc, MQTLS_V5, buf, need, &w);
    if (st != MQTLS_OK || w != need)
        FAIL("%s: encode gave %s, %zu of %zu bytes", cn, mqtls_strerror(st), w, need);
    st = mqtls_decode(buf, need, MQTLS_V5, &back, &used);
    if (st != MQTLS_OK || used != need)
        FAIL("%s: the re-encoding does not decode: %s", cn, mqtls_strerror(st));
    if (!golden_packet_eq(&back, pkt, MQTLS_V5, why, sizeof why))
        FAIL("%s: the re-encoding decodes differently: %s", cn, why);
    free(buf);
}

/* The iterators over bytes that were never validated: inside, and they end. */
static void unvalidated(const uint8_t *blk, size_t n)
{
    mqtls_props_t p;
    memset(&p, 0, sizeof p);
    p.raw = blk;
    p.raw_len = (uint32_t)n;
    uint32_t pos = 0, id;
    size_t steps = 0;
    mqtls_user_prop_t u;
    while (mqtls_props_next_user(&p, &pos, &u)) {
        if (!inside(u.key.data, u.key.len, blk, n) || !inside(u.value.data, u.value.len, blk, n))
            FAIL("unvalidated block: a user property points outside it");
        if (pos > n || ++steps > n)
            FAIL("unvalidated block: next_user runs on (pos %u of %zu)", (unsigned)pos, n);
    }
    pos = 0;
    steps = 0;
    while (mqtls_props_next_sub_id(&p, &pos, &id))
        if (pos > n || ++steps > n)
            FAIL("unvalidated block: next_sub_id runs on (pos %u of %zu)", (unsigned)pos, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 70000)
        return 0;
    tool_set_quiet(true);
    int c = data[0] % C_COUNT;
    bool raw = (data[0] & 0x80) != 0;
    bool empty_topic = c == C_PUBLISH && (data[0] & 0x40) != 0;
    const uint8_t *blk = data + 1;
    size_t n = size - 1;
    const char *cn = ctx_name[c];

    out_t b = {NULL, 0, 0};
    uint8_t first = body(&b, c, blk, n, raw, empty_topic);
    /* The whole packet in a buffer of its exact size: reads past it are caught. */
    out_t pk = {NULL, 0, 0};
    put_u8(&pk, first);
    put_vbi(&pk, (uint32_t)b.n);
    put(&pk, b.p, b.n);
    uint8_t *exact = malloc(pk.n);
    if (!exact)
        abort();
    memcpy(exact, pk.p, pk.n);

    mqtls_packet_t pkt;
    size_t used = 0;
    mqtls_status_t st = mqtls_decode(exact, pk.n, MQTLS_V5, &pkt, &used);
    if (st == MQTLS_OK && used != pk.n)
        FAIL("%s: decode used %zu of %zu bytes", cn, used, pk.n);
    if (!raw) {
        static ref_result_t ref;
        bool ok = ref_read(blk, blk + n, c, &ref);
        if (ok && empty_topic && !(ref.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)))
            ok = false; /* an empty topic needs a Topic Alias */
        if (ok != (st == MQTLS_OK))
            FAIL("%s: decode says %s, the reference %s", cn, mqtls_strerror(st),
                 ok ? "valid" : "invalid");
        if (st == MQTLS_OK) {
            const mqtls_props_t *p = ctx_props(&pkt, c);
            if (p->raw_len != n || (n && !inside(p->raw, n, exact, pk.n)))
                FAIL("%s: raw block is %u bytes, %zu given", cn, (unsigned)p->raw_len, n);
            compare(p, &ref, cn);
            round_trip(&pkt, p, &ref, cn);
        }
    }
    if (st == MQTLS_OK) {
        tool_buf_t text = {NULL, 0, 0};
        tool_props_lines(ctx_props(&pkt, c), "  ", &text);
        tool_buf_free(&text);
    }
    unvalidated(blk, n);
    free(exact);
    free(pk.p);
    free(b.p);
    return 0;
}
