/**
 * @file fuzz_dprop.c
 * @brief libFuzzer target for the -D property parser (tools/mqtt/tool_props.c).
 *
 * The input is split at NUL bytes into arguments, as the shell would hand them to
 * `mqtls pub -D command name value [value]`; the parser is called on them the way
 * tool_opts.c does: each -D takes what tool_props_add() says it used, a refused one is
 * skipped. Checks:
 *  - a refused -D changes nothing; an accepted one takes 3 arguments (4 for user-property),
 *    names a known command and property, and sets its bit in that command's set;
 *  - a value is what the argument said: a number in the property's range, a string of the
 *    argument's bytes;
 *  - what -D accepted, the codec sends: each set encodes in its packet (CONNECT with the
 *    will, PUBLISH, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT) unless a string is not UTF-8 (or a
 *    Response Topic holds a wildcard), never with "property not allowed"; the encoding
 *    decodes back to the same properties, and the tool prints them (tool_props_lines()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_packet.h"
#include "mqtls/codec.h"
#include "mqtt/tool_props.h"
#include "common/tool_util.h"

#define FAIL(...)                                                                            \
    do {                                                                                     \
        fprintf(stderr, "fuzz_dprop: " __VA_ARGS__);                                         \
        fputc('\n', stderr);                                                                 \
        abort();                                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

static const tool_prop_def_t *def_named(const char *name)
{
    for (const tool_prop_def_t *d = tool_prop_defs; d->name; d++)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

static int cmd_named(const char *name)
{
    for (int i = 0; i < TOOL_P_COUNT; i++)
        if (strcmp(tool_pcmd_name((tool_pcmd_t)i), name) == 0)
            return i;
    return -1;
}

/* The numeric value of property @p id in @p p. Written out here rather than taken from
 * tool_props.c: this is the oracle's own statement of which field each id fills, so a
 * parser that stores a value in the wrong field is caught. */
static uint32_t num_of(const mqtls_props_t *p, uint8_t id)
{
    switch (id) {
    case MQTLS_PROP_PAYLOAD_FORMAT: return p->payload_format;
    case MQTLS_PROP_MESSAGE_EXPIRY: return p->message_expiry;
    case MQTLS_PROP_SUBSCRIPTION_ID: return p->subscription_id;
    case MQTLS_PROP_SESSION_EXPIRY: return p->session_expiry;
    case MQTLS_PROP_SERVER_KEEP_ALIVE: return p->server_keep_alive;
    case MQTLS_PROP_REQUEST_PROBLEM_INFO: return p->request_problem_info;
    case MQTLS_PROP_WILL_DELAY: return p->will_delay;
    case MQTLS_PROP_REQUEST_RESPONSE_INFO: return p->request_response_info;
    case MQTLS_PROP_RECEIVE_MAXIMUM: return p->receive_maximum;
    case MQTLS_PROP_TOPIC_ALIAS_MAXIMUM: return p->topic_alias_maximum;
    case MQTLS_PROP_TOPIC_ALIAS: return p->topic_alias;
    case MQTLS_PROP_MAXIMUM_QOS: return p->maximum_qos;
    case MQTLS_PROP_RETAIN_AVAILABLE: return p->retain_available;
    case MQTLS_PROP_MAXIMUM_PACKET_SIZE: return p->maximum_packet_size;
    case MQTLS_PROP_WILDCARD_SUB_AVAILABLE: return p->wildcard_sub_available;
    case MQTLS_PROP_SUB_ID_AVAILABLE: return p->sub_id_available;
    case MQTLS_PROP_SHARED_SUB_AVAILABLE: return p->shared_sub_available;
    default: return 0xFFFFFFFFu;
    }
}

/* The string or binary value of property @p id in @p p (NULL if it has none). */
static const void *bytes_of(const mqtls_props_t *p, uint8_t id, size_t *n)
{
    switch (id) {
    case MQTLS_PROP_CONTENT_TYPE: *n = p->content_type.len; return p->content_type.data;
    case MQTLS_PROP_RESPONSE_TOPIC: *n = p->response_topic.len; return p->response_topic.data;
    case MQTLS_PROP_CORRELATION_DATA:
        *n = p->correlation_data.len;
        return p->correlation_data.data;
    case MQTLS_PROP_ASSIGNED_CLIENT_ID:
        *n = p->assigned_client_id.len;
        return p->assigned_client_id.data;
    case MQTLS_PROP_AUTH_METHOD: *n = p->auth_method.len; return p->auth_method.data;
    case MQTLS_PROP_AUTH_DATA: *n = p->auth_data.len; return p->auth_data.data;
    case MQTLS_PROP_RESPONSE_INFO: *n = p->response_info.len; return p->response_info.data;
    case MQTLS_PROP_SERVER_REFERENCE:
        *n = p->server_reference.len;
        return p->server_reference.data;
    case MQTLS_PROP_REASON_STRING: *n = p->reason_string.len; return p->reason_string.data;
    default: *n = 0; return NULL;
    }
}

/* Checks one accepted -D against its arguments. */
static void check_added(const tool_props_t *pr, char **args, int used, size_t users_before)
{
    int c = cmd_named(args[0]);
    const tool_prop_def_t *d = def_named(args[1]);
    if (c < 0 || !d)
        FAIL("-D '%s' '%s' accepted: unknown command or property", args[0], args[1]);
    if (!(d->allowed & (1u << c)))
        FAIL("-D %s %s accepted, but the table does not allow it", args[0], args[1]);
    if (used != (d->type == TOOL_PT_PAIR ? 4 : 3))
        FAIL("-D %s %s used %d arguments", args[0], args[1], used);
    const tool_propset_t *s = &pr->set[c];
    if (!(s->p.present & MQTLS_PROPBIT(d->id)))
        FAIL("-D %s %s accepted, but its bit is not set", args[0], args[1]);
    if (d->type == TOOL_PT_PAIR) {
        if (s->n_users != users_before + 1)
            FAIL("-D %s user-property: %zu pairs after %zu", args[0], s->n_users, users_before);
        const mqtls_user_prop_t *u = &s->users[s->n_users - 1];
        if (u->key.len != strlen(args[2]) || memcmp(u->key.data, args[2], u->key.len) != 0 ||
            u->value.len != strlen(args[3]) ||
            memcmp(u->value.data, args[3], u->value.len) != 0)
            FAIL("-D %s user-property '%s' '%s' stored differently", args[0], args[2], args[3]);
        return;
    }
    if (d->type == TOOL_PT_STR || d->type == TOOL_PT_BIN) {
        size_t n;
        const void *b = bytes_of(&s->p, d->id, &n);
        if (n != strlen(args[2]) || (n && memcmp(b, args[2], n) != 0))
            FAIL("-D %s %s '%s' stored as %zu other bytes", args[0], args[1], args[2], n);
        return;
    }
    /* A number: digits only, in range, the same value. */
    const char *v = args[2];
    uint64_t x = 0;
    if (!*v)
        FAIL("-D %s %s: an empty number accepted", args[0], args[1]);
    for (const char *q = v; *q; q++) {
        if (*q < '0' || *q > '9')
            FAIL("-D %s %s '%s': not a decimal number, accepted", args[0], args[1], v);
        if (x <= 0xFFFFFFFFull)
            x = x * 10 + (uint64_t)(*q - '0');
    }
    if (x < d->min || x > d->max)
        FAIL("-D %s %s '%s': out of range %u..%u, accepted", args[0], args[1], v,
             (unsigned)d->min, (unsigned)d->max);
    if (num_of(&s->p, d->id) != (uint32_t)x)
        FAIL("-D %s %s '%s' stored as %u", args[0], args[1], v, (unsigned)num_of(&s->p, d->id));
}

/* The packet that carries command @p c's properties. */
static void packet_for(mqtls_packet_t *p, int c, const tool_props_t *pr)
{
    static const mqtls_subscription_t sub = {{"a/#", 3}, 1};
    static const mqtls_str_t filter = {"a", 1};
    memset(p, 0, sizeof *p);
    switch (c) {
    case TOOL_P_CONNECT:
    case TOOL_P_WILL:
        p->type = MQTLS_CONNECT;
        p->u.connect.version = MQTLS_V5;
        p->u.connect.clean_start = true;
        p->u.connect.client_id = (mqtls_str_t){"c", 1};
        p->u.connect.props = pr->set[TOOL_P_CONNECT].p;
        p->u.connect.will = true;
        p->u.connect.will_topic = (mqtls_str_t){"w", 1};
        p->u.connect.will_props = pr->set[TOOL_P_WILL].p;
        break;
    case TOOL_P_PUBLISH:
        p->type = MQTLS_PUBLISH;
        p->u.publish.topic = (mqtls_str_t){"t", 1};
        p->u.publish.props = pr->set[c].p;
        break;
    case TOOL_P_SUBSCRIBE:
        p->type = MQTLS_SUBSCRIBE;
        p->u.subscribe.packet_id = 1;
        p->u.subscribe.subs = &sub;
        p->u.subscribe.count = 1;
        p->u.subscribe.props = pr->set[c].p;
        break;
    case TOOL_P_UNSUBSCRIBE:
        p->type = MQTLS_UNSUBSCRIBE;
        p->u.subscribe.packet_id = 1;
        p->u.subscribe.filters = &filter;
        p->u.subscribe.count = 1;
        p->u.subscribe.props = pr->set[c].p;
        break;
    default:
        p->type = MQTLS_DISCONNECT;
        p->u.ack.props = pr->set[c].p;
        break;
    }
}

/* Does any string of @p p fail the codec's string rules? (Then encoding may refuse it.) */
static bool strings_bad(const mqtls_props_t *p)
{
    static const uint8_t ids[] = {MQTLS_PROP_CONTENT_TYPE, MQTLS_PROP_RESPONSE_TOPIC,
                                  MQTLS_PROP_ASSIGNED_CLIENT_ID, MQTLS_PROP_AUTH_METHOD,
                                  MQTLS_PROP_RESPONSE_INFO, MQTLS_PROP_SERVER_REFERENCE,
                                  MQTLS_PROP_REASON_STRING};
    for (size_t i = 0; i < sizeof ids; i++) {
        size_t n;
        const char *s = bytes_of(p, ids[i], &n);
        if (!(p->present & MQTLS_PROPBIT(ids[i])))
            continue;
        if (ids[i] == MQTLS_PROP_RESPONSE_TOPIC ? mqtls_topic_check(s, n) != MQTLS_OK
                                                : mqtls_utf8_check(s, n) != MQTLS_OK)
            return true;
    }
    for (uint16_t i = 0; i < p->user_count; i++)
        if (mqtls_utf8_check(p->user[i].key.data, p->user[i].key.len) != MQTLS_OK ||
            mqtls_utf8_check(p->user[i].value.data, p->user[i].value.len) != MQTLS_OK)
            return true;
    return false;
}

static void check_encodes(const tool_props_t *pr, int c)
{
    mqtls_packet_t p, back;
    size_t need = 0, w = 0, used = 0;
    char why[200];
    bool bad = strings_bad(&pr->set[c].p);
    if (c == TOOL_P_CONNECT || c == TOOL_P_WILL)
        bad = strings_bad(&pr->set[TOOL_P_CONNECT].p) || strings_bad(&pr->set[TOOL_P_WILL].p);
    packet_for(&p, c, pr);
    mqtls_status_t st = mqtls_encode_size(&p, MQTLS_V5, &need);
    if (st != MQTLS_OK) {
        if (!bad || st == MQTLS_ERR_PROPERTY_NOT_ALLOWED)
            FAIL("-D %s properties were accepted but do not encode: %s",
                 tool_pcmd_name((tool_pcmd_t)c), mqtls_strerror(st));
        return;
    }
    uint8_t *buf = malloc(need);
    if (!buf)
        abort();
    st = mqtls_encode(&p, MQTLS_V5, buf, need, &w);
    if (st != MQTLS_OK || w != need)
        FAIL("-D %s: encode gave %s", tool_pcmd_name((tool_pcmd_t)c), mqtls_strerror(st));
    st = mqtls_decode(buf, need, MQTLS_V5, &back, &used);
    if (st != MQTLS_OK || used != need)
        FAIL("-D %s: the encoding does not decode: %s", tool_pcmd_name((tool_pcmd_t)c),
             mqtls_strerror(st));
    if (!golden_packet_eq(&back, &p, MQTLS_V5, why, sizeof why))
        FAIL("-D %s: the encoding decodes differently: %s", tool_pcmd_name((tool_pcmd_t)c),
             why);
    tool_buf_t text = {NULL, 0, 0};
    const mqtls_props_t *dp = c == TOOL_P_WILL ? &back.u.connect.will_props
                              : c == TOOL_P_CONNECT ? &back.u.connect.props
                              : back.type == MQTLS_PUBLISH ? &back.u.publish.props
                              : back.type == MQTLS_DISCONNECT ? &back.u.ack.props
                                                              : &back.u.subscribe.props;
    tool_props_lines(dp, "  ", &text);
    tool_props_lines(&pr->set[c].p, "  ", &text);
    tool_buf_free(&text);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    tool_set_quiet(true);
    /* Arguments: the input split at NUL bytes (a final piece without NUL counts too). */
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *args[MAX_ARGS];
    int argc = 0;
    for (size_t i = 0; i < size && argc < MAX_ARGS;) {
        args[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }

    tool_props_t pr;
    memset(&pr, 0, sizeof pr);
    for (int i = 0; i < argc;) {
        tool_props_t before = pr;
        int used = -1;
        int c = cmd_named(args[i]);
        size_t users_before = c >= 0 ? pr.set[c].n_users : 0;
        int rc = tool_props_add(&pr, args + i, argc - i, &used);
        if (rc == TOOL_EXIT_OK) {
            check_added(&pr, args + i, used, users_before);
            i += used;
        } else {
            if (rc != TOOL_EXIT_USAGE)
                FAIL("tool_props_add returned %d", rc);
            for (int k = 0; k < TOOL_P_COUNT; k++)
                if (memcmp(&before.set[k].p, &pr.set[k].p, sizeof pr.set[k].p) != 0 ||
                    before.set[k].n_users != pr.set[k].n_users)
                    FAIL("a refused -D changed the %s set", tool_pcmd_name((tool_pcmd_t)k));
            i++;
        }
    }
    tool_props_finish(&pr);
    for (int c = 0; c < TOOL_P_COUNT; c++) {
        if (pr.set[c].n_users > 65535)
            continue;
        if (tool_props_has(&pr, (tool_pcmd_t)c) != (pr.set[c].p.present != 0))
            FAIL("tool_props_has disagrees for %s", tool_pcmd_name((tool_pcmd_t)c));
        if (pr.set[c].p.present)
            check_encodes(&pr, c);
    }
    tool_props_free(&pr);
    free(copy);
    return 0;
}
