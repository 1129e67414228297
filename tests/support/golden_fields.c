/**
 * @file golden_fields.c
 * @brief Which key of a golden-vector record sets which member of an mqtls_packet_t
 *        (tests/data/golden/README.md lists them). A key the packet type does not have is an
 *        error, so a typo cannot leave a field unchecked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "golden_internal.h"

typedef enum kind { K_BOOL, K_U8, K_U16, K_U32, K_STR, K_BIN } kind_t;

#define T(t) (1u << MQTLS_##t)
#define ACKS (T(PUBACK) | T(PUBREC) | T(PUBREL) | T(PUBCOMP))
#define OFF(m) offsetof(mqtls_packet_t, u.m)
#define NO_FLAG ((size_t)-1)

/* A packet field: for which types, what it holds, where, and which bool it turns on. */
typedef struct field {
    const char *key;
    uint32_t types;
    kind_t kind;
    size_t off;
    size_t flag;
} field_t;

static const field_t fields[] = {
    {"clean_start", T(CONNECT), K_BOOL, OFF(connect.clean_start), NO_FLAG},
    {"keep_alive", T(CONNECT), K_U16, OFF(connect.keep_alive), NO_FLAG},
    {"client_id", T(CONNECT), K_STR, OFF(connect.client_id), NO_FLAG},
    {"will_qos", T(CONNECT), K_U8, OFF(connect.will_qos), OFF(connect.will)},
    {"will_retain", T(CONNECT), K_BOOL, OFF(connect.will_retain), OFF(connect.will)},
    {"will_topic", T(CONNECT), K_STR, OFF(connect.will_topic), OFF(connect.will)},
    {"will_payload", T(CONNECT), K_BIN, OFF(connect.will_payload), OFF(connect.will)},
    {"username", T(CONNECT), K_STR, OFF(connect.username), OFF(connect.has_username)},
    {"password", T(CONNECT), K_BIN, OFF(connect.password), OFF(connect.has_password)},
    {"session_present", T(CONNACK), K_BOOL, OFF(connack.session_present), NO_FLAG},
    {"reason", T(CONNACK), K_U8, OFF(connack.reason), NO_FLAG},
    {"topic", T(PUBLISH), K_STR, OFF(publish.topic), NO_FLAG},
    {"qos", T(PUBLISH), K_U8, OFF(publish.qos), NO_FLAG},
    {"retain", T(PUBLISH), K_BOOL, OFF(publish.retain), NO_FLAG},
    {"dup", T(PUBLISH), K_BOOL, OFF(publish.dup), NO_FLAG},
    {"packet_id", T(PUBLISH), K_U16, OFF(publish.packet_id), NO_FLAG},
    {"packet_id", ACKS, K_U16, OFF(ack.packet_id), NO_FLAG},
    {"reason", ACKS | T(DISCONNECT) | T(AUTH), K_U8, OFF(ack.reason), NO_FLAG},
    {"packet_id", T(SUBSCRIBE) | T(UNSUBSCRIBE), K_U16, OFF(subscribe.packet_id), NO_FLAG},
    {"packet_id", T(SUBACK) | T(UNSUBACK), K_U16, OFF(suback.packet_id), NO_FLAG},
};

/* A property: its identifier (the bit in `present`), what it holds and where. */
typedef struct prop {
    const char *name;
    uint8_t id;
    kind_t kind;
    size_t off;
} prop_t;

#define P(name, id, kind) {#name, MQTLS_PROP_##id, kind, offsetof(mqtls_props_t, name)}
static const prop_t props[] = {
    P(payload_format, PAYLOAD_FORMAT, K_U8),
    P(message_expiry, MESSAGE_EXPIRY, K_U32),
    P(content_type, CONTENT_TYPE, K_STR),
    P(response_topic, RESPONSE_TOPIC, K_STR),
    P(correlation_data, CORRELATION_DATA, K_BIN),
    P(subscription_id, SUBSCRIPTION_ID, K_U32),
    P(session_expiry, SESSION_EXPIRY, K_U32),
    P(assigned_client_id, ASSIGNED_CLIENT_ID, K_STR),
    P(server_keep_alive, SERVER_KEEP_ALIVE, K_U16),
    P(auth_method, AUTH_METHOD, K_STR),
    P(auth_data, AUTH_DATA, K_BIN),
    P(request_problem_info, REQUEST_PROBLEM_INFO, K_U8),
    P(will_delay, WILL_DELAY, K_U32),
    P(request_response_info, REQUEST_RESPONSE_INFO, K_U8),
    P(response_info, RESPONSE_INFO, K_STR),
    P(server_reference, SERVER_REFERENCE, K_STR),
    P(reason_string, REASON_STRING, K_STR),
    P(receive_maximum, RECEIVE_MAXIMUM, K_U16),
    P(topic_alias_maximum, TOPIC_ALIAS_MAXIMUM, K_U16),
    P(topic_alias, TOPIC_ALIAS, K_U16),
    P(maximum_qos, MAXIMUM_QOS, K_U8),
    P(retain_available, RETAIN_AVAILABLE, K_U8),
    P(maximum_packet_size, MAXIMUM_PACKET_SIZE, K_U32),
    P(wildcard_sub_available, WILDCARD_SUB_AVAILABLE, K_U8),
    P(sub_id_available, SUB_ID_AVAILABLE, K_U8),
    P(shared_sub_available, SHARED_SUB_AVAILABLE, K_U8),
};

static const char *const type_names[] = {
    NULL,     "CONNECT",     "CONNACK",  "PUBLISH", "PUBACK",   "PUBREC",
    "PUBREL", "PUBCOMP",     "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
    "PINGREQ", "PINGRESP",   "DISCONNECT", "AUTH"};

void golden_set_type(mqtls_packet_t *p, const char *value)
{
    for (int t = 1; t < (int)(sizeof type_names / sizeof type_names[0]); t++)
        if (strcmp(value, type_names[t]) == 0) {
            memset(p, 0, sizeof *p);
            p->type = (mqtls_packet_type_t)t;
            return;
        }
    golden_fail("type '%s' is not a packet type (CONNECT ... AUTH)", value);
}

/* A whole value of @p kind into @p dst. */
static void set_value(void *dst, kind_t kind, const char *v)
{
    uint8_t *s = NULL;
    uint16_t n = 0;
    switch (kind) {
    case K_BOOL: *(bool *)dst = golden_parse_uint(v, 1) != 0; return;
    case K_U8: *(uint8_t *)dst = (uint8_t)golden_parse_uint(v, UINT8_MAX); return;
    case K_U16: *(uint16_t *)dst = (uint16_t)golden_parse_uint(v, UINT16_MAX); return;
    case K_U32: *(uint32_t *)dst = golden_parse_uint(v, UINT32_MAX); return;
    case K_STR:
    case K_BIN: break;
    }
    const char *rest = golden_parse_quoted(v, &s, &n);
    if (*rest != '\0')
        golden_fail("'%s' after the string", rest);
    if (kind == K_STR)
        *(mqtls_str_t *)dst = (mqtls_str_t){(const char *)s, n};
    else
        *(mqtls_bin_t *)dst = (mqtls_bin_t){s, n};
}

/* The property block @p prefix ("props" or "will_props") names in @p p. */
static mqtls_props_t *props_of(mqtls_packet_t *p, const char *prefix, size_t len)
{
    bool will = len == 10 && strncmp(prefix, "will_props", len) == 0;
    if (!will && !(len == 5 && strncmp(prefix, "props", len) == 0))
        return NULL;
    switch (p->type) {
    case MQTLS_CONNECT: return will ? &p->u.connect.will_props : &p->u.connect.props;
    case MQTLS_CONNACK: return will ? NULL : &p->u.connack.props;
    case MQTLS_PUBLISH: return will ? NULL : &p->u.publish.props;
    case MQTLS_SUBSCRIBE:
    case MQTLS_UNSUBSCRIBE: return will ? NULL : &p->u.subscribe.props;
    case MQTLS_SUBACK:
    case MQTLS_UNSUBACK: return will ? NULL : &p->u.suback.props;
    case MQTLS_PINGREQ:
    case MQTLS_PINGRESP: return NULL;
    default: return will ? NULL : &p->u.ack.props;
    }
}

/* Grows the array at @p arr (@p n entries of @p size) by one; returns the new entry. */
static void *append(const void **arr, uint16_t *n, size_t size)
{
    if (*n == UINT16_MAX)
        golden_fail("too many entries");
    void *a = realloc((void *)*arr, (*n + 1u) * size);
    if (a == NULL)
        golden_fail("out of memory");
    *arr = a;
    return (char *)a + (*n)++ * size;
}

/* `user = "key" "value"`, one user property more. */
static void add_user(mqtls_props_t *pr, const char *v)
{
    uint8_t *k = NULL, *val = NULL;
    uint16_t kn = 0, vn = 0;
    const char *rest = golden_parse_quoted(golden_parse_quoted(v, &k, &kn), &val, &vn);
    if (*rest != '\0')
        golden_fail("user = \"key\" \"value\", not more");
    mqtls_user_prop_t *u = append((const void **)&pr->user, &pr->user_count, sizeof *u);
    *u = (mqtls_user_prop_t){{(const char *)k, kn}, {(const char *)val, vn}};
}

static void set_prop(mqtls_props_t *pr, const char *name, const char *v)
{
    if (strcmp(name, "user") == 0) {
        add_user(pr, v);
        return;
    }
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        if (strcmp(name, props[i].name) == 0) {
            if (pr->present & MQTLS_PROPBIT(props[i].id))
                golden_fail("property %s is given twice", name);
            pr->present |= MQTLS_PROPBIT(props[i].id);
            set_value((char *)pr + props[i].off, props[i].kind, v);
            return;
        }
    golden_fail("no property '%s'", name);
}

/* `payload = "..."`, `subscription = "filter" options`, `filter = "filter"`,
 * `codes = hex...`: the fields that are not a single member. */
static bool set_special(mqtls_packet_t *p, const char *key, const char *v)
{
    uint8_t *s = NULL;
    uint16_t n = 0;
    if (p->type == MQTLS_PUBLISH && strcmp(key, "payload") == 0) {
        if (*golden_parse_quoted(v, &s, &n) != '\0')
            golden_fail("payload = \"...\", not more");
        p->u.publish.payload = s;
        p->u.publish.payload_len = n;
        return true;
    }
    if (p->type == MQTLS_SUBSCRIBE && strcmp(key, "subscription") == 0) {
        mqtls_subscribe_t *sub = &p->u.subscribe;
        const char *rest = golden_parse_quoted(v, &s, &n);
        mqtls_subscription_t *e = append((const void **)&sub->subs, &sub->count, sizeof *e);
        e->filter = (mqtls_str_t){(const char *)s, n};
        e->options = (uint8_t)golden_parse_uint(rest + strspn(rest, " \t\n"), UINT8_MAX);
        return true;
    }
    if (p->type == MQTLS_UNSUBSCRIBE && strcmp(key, "filter") == 0) {
        mqtls_subscribe_t *sub = &p->u.subscribe;
        if (*golden_parse_quoted(v, &s, &n) != '\0')
            golden_fail("filter = \"filter\", not more");
        mqtls_str_t *e = append((const void **)&sub->filters, &sub->count, sizeof *e);
        *e = (mqtls_str_t){(const char *)s, n};
        return true;
    }
    if ((p->type == MQTLS_SUBACK || p->type == MQTLS_UNSUBACK) && strcmp(key, "codes") == 0) {
        size_t len = 0;
        if (p->u.suback.codes != NULL)
            golden_fail("codes is given twice");
        p->u.suback.codes = golden_parse_hex(v, &len);
        if (len > UINT16_MAX)
            golden_fail("too many codes");
        p->u.suback.count = (uint16_t)len;
        return true;
    }
    return false;
}

void golden_set_field(mqtls_packet_t *p, const char *key, const char *value)
{
    const char *dot = strchr(key, '.');
    if (dot != NULL) {
        mqtls_props_t *pr = props_of(p, key, (size_t)(dot - key));
        if (pr == NULL)
            golden_fail("a %s has no '%.*s'", type_names[p->type], (int)(dot - key), key);
        set_prop(pr, dot + 1, value);
        return;
    }
    if (set_special(p, key, value))
        return;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const field_t *f = &fields[i];
        if (strcmp(key, f->key) != 0 || !(f->types & (1u << p->type)))
            continue;
        set_value((char *)p + f->off, f->kind, value);
        if (f->flag != NO_FLAG)
            *(bool *)((char *)p + f->flag) = true;
        return;
    }
    golden_fail("a %s has no field '%s'", type_names[p->type], key);
}
