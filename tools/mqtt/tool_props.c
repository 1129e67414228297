/**
 * @file tool_props.c
 * @brief -D properties: which exist, which packet may carry which, and their values.
 */
#include "mqtt/tool_props.h"

#include <stdlib.h>
#include <string.h>

#define C_ (1u << TOOL_P_CONNECT)
#define P_ (1u << TOOL_P_PUBLISH)
#define S_ (1u << TOOL_P_SUBSCRIBE)
#define U_ (1u << TOOL_P_UNSUBSCRIBE)
#define D_ (1u << TOOL_P_DISCONNECT)
#define W_ (1u << TOOL_P_WILL)
#define ALL_ (C_ | P_ | S_ | U_ | D_ | W_)
#define U32MAX 0xFFFFFFFFu

const tool_prop_def_t tool_prop_defs[] = {
    {"payload-format-indicator", MQTLS_PROP_PAYLOAD_FORMAT, TOOL_PT_BYTE, P_ | W_, 0, 1},
    {"message-expiry-interval", MQTLS_PROP_MESSAGE_EXPIRY, TOOL_PT_U32, P_ | W_, 0, U32MAX},
    {"content-type", MQTLS_PROP_CONTENT_TYPE, TOOL_PT_STR, P_ | W_, 0, 0},
    {"response-topic", MQTLS_PROP_RESPONSE_TOPIC, TOOL_PT_STR, P_ | W_, 0, 0},
    {"correlation-data", MQTLS_PROP_CORRELATION_DATA, TOOL_PT_BIN, P_ | W_, 0, 0},
    {"subscription-identifier", MQTLS_PROP_SUBSCRIPTION_ID, TOOL_PT_VBI, S_, 1, MQTLS_VBI_MAX},
    {"session-expiry-interval", MQTLS_PROP_SESSION_EXPIRY, TOOL_PT_U32, C_ | D_, 0, U32MAX},
    {"assigned-client-identifier", MQTLS_PROP_ASSIGNED_CLIENT_ID, TOOL_PT_STR, 0, 0, 0},
    {"server-keep-alive", MQTLS_PROP_SERVER_KEEP_ALIVE, TOOL_PT_U16, 0, 0, 65535},
    {"authentication-method", MQTLS_PROP_AUTH_METHOD, TOOL_PT_STR, C_, 0, 0},
    {"authentication-data", MQTLS_PROP_AUTH_DATA, TOOL_PT_BIN, C_, 0, 0},
    {"request-problem-information", MQTLS_PROP_REQUEST_PROBLEM_INFO, TOOL_PT_BYTE, C_, 0, 1},
    {"will-delay-interval", MQTLS_PROP_WILL_DELAY, TOOL_PT_U32, W_, 0, U32MAX},
    {"request-response-information", MQTLS_PROP_REQUEST_RESPONSE_INFO, TOOL_PT_BYTE, C_, 0, 1},
    {"response-information", MQTLS_PROP_RESPONSE_INFO, TOOL_PT_STR, 0, 0, 0},
    {"server-reference", MQTLS_PROP_SERVER_REFERENCE, TOOL_PT_STR, 0, 0, 0},
    {"reason-string", MQTLS_PROP_REASON_STRING, TOOL_PT_STR, D_, 0, 0},
    {"receive-maximum", MQTLS_PROP_RECEIVE_MAXIMUM, TOOL_PT_U16, C_, 1, 65535},
    {"topic-alias-maximum", MQTLS_PROP_TOPIC_ALIAS_MAXIMUM, TOOL_PT_U16, C_, 0, 65535},
    {"topic-alias", MQTLS_PROP_TOPIC_ALIAS, TOOL_PT_U16, P_, 1, 65535},
    {"maximum-qos", MQTLS_PROP_MAXIMUM_QOS, TOOL_PT_BYTE, 0, 0, 1},
    {"retain-available", MQTLS_PROP_RETAIN_AVAILABLE, TOOL_PT_BYTE, 0, 0, 1},
    {"user-property", MQTLS_PROP_USER_PROPERTY, TOOL_PT_PAIR, ALL_, 0, 0},
    {"maximum-packet-size", MQTLS_PROP_MAXIMUM_PACKET_SIZE, TOOL_PT_U32, C_, 1, U32MAX},
    {"wildcard-subscription-available", MQTLS_PROP_WILDCARD_SUB_AVAILABLE, TOOL_PT_BYTE, 0, 0, 1},
    {"subscription-identifier-available", MQTLS_PROP_SUB_ID_AVAILABLE, TOOL_PT_BYTE, 0, 0, 1},
    {"shared-subscription-available", MQTLS_PROP_SHARED_SUB_AVAILABLE, TOOL_PT_BYTE, 0, 0, 1},
    {NULL, 0, 0, 0, 0, 0}
};

static const char *const pcmd_names[TOOL_P_COUNT] = {
    "connect", "publish", "subscribe", "unsubscribe", "disconnect", "will"
};

/* Packets whose properties mosquitto_pub/sub can set but mqtls never sends from the CLI. */
static const char *const foreign_cmds[] = {"auth", "puback", "pubrec", "pubrel", "pubcomp", NULL};

const char *tool_pcmd_name(tool_pcmd_t cmd)
{
    return cmd < TOOL_P_COUNT ? pcmd_names[cmd] : "?";
}

static int find_cmd(const char *name)
{
    for (int i = 0; i < TOOL_P_COUNT; i++)
        if (strcmp(name, pcmd_names[i]) == 0)
            return i;
    return -1;
}

static const tool_prop_def_t *find_def(const char *name)
{
    for (const tool_prop_def_t *d = tool_prop_defs; d->name; d++)
        if (strcmp(name, d->name) == 0)
            return d;
    return NULL;
}

static void set_num(mqtls_props_t *p, uint8_t id, uint32_t v)
{
    switch (id) {
    case MQTLS_PROP_PAYLOAD_FORMAT: p->payload_format = (uint8_t)v; break;
    case MQTLS_PROP_MESSAGE_EXPIRY: p->message_expiry = v; break;
    case MQTLS_PROP_SUBSCRIPTION_ID: p->subscription_id = v; break;
    case MQTLS_PROP_SESSION_EXPIRY: p->session_expiry = v; break;
    case MQTLS_PROP_REQUEST_PROBLEM_INFO: p->request_problem_info = (uint8_t)v; break;
    case MQTLS_PROP_WILL_DELAY: p->will_delay = v; break;
    case MQTLS_PROP_REQUEST_RESPONSE_INFO: p->request_response_info = (uint8_t)v; break;
    case MQTLS_PROP_RECEIVE_MAXIMUM: p->receive_maximum = (uint16_t)v; break;
    case MQTLS_PROP_TOPIC_ALIAS_MAXIMUM: p->topic_alias_maximum = (uint16_t)v; break;
    case MQTLS_PROP_TOPIC_ALIAS: p->topic_alias = (uint16_t)v; break;
    case MQTLS_PROP_MAXIMUM_PACKET_SIZE: p->maximum_packet_size = v; break;
    default: break;
    }
}

static uint32_t get_num(const mqtls_props_t *p, uint8_t id)
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
    default: return 0;
    }
}

/* The string-valued field for @p id, or NULL. */
static mqtls_str_t *str_field(mqtls_props_t *p, uint8_t id)
{
    switch (id) {
    case MQTLS_PROP_CONTENT_TYPE: return &p->content_type;
    case MQTLS_PROP_RESPONSE_TOPIC: return &p->response_topic;
    case MQTLS_PROP_ASSIGNED_CLIENT_ID: return &p->assigned_client_id;
    case MQTLS_PROP_AUTH_METHOD: return &p->auth_method;
    case MQTLS_PROP_RESPONSE_INFO: return &p->response_info;
    case MQTLS_PROP_SERVER_REFERENCE: return &p->server_reference;
    case MQTLS_PROP_REASON_STRING: return &p->reason_string;
    default: return NULL;
    }
}

static mqtls_bin_t *bin_field(mqtls_props_t *p, uint8_t id)
{
    if (id == MQTLS_PROP_CORRELATION_DATA)
        return &p->correlation_data;
    if (id == MQTLS_PROP_AUTH_DATA)
        return &p->auth_data;
    return NULL;
}

static int bad_value(const tool_prop_def_t *d, const char *v)
{
    if (d->type == TOOL_PT_STR || d->type == TOOL_PT_BIN || d->type == TOOL_PT_PAIR)
        tool_err("-D %s: value is longer than 65535 bytes", d->name);
    else
        tool_err("-D %s: invalid value '%s' (must be a number from %lu to %lu)", d->name, v,
                 (unsigned long)d->min, (unsigned long)d->max);
    return TOOL_EXIT_USAGE;
}

static void add_user(tool_propset_t *s, const char *k, const char *v)
{
    if (s->n_users == s->cap_users) {
        s->cap_users = s->cap_users ? s->cap_users * 2 : 4;
        s->users = tool_xrealloc(s->users, s->cap_users * sizeof *s->users);
    }
    s->users[s->n_users].key = mqtls_str(k);
    s->users[s->n_users].value = mqtls_str(v);
    s->n_users++;
    s->p.present |= MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY);
}

/* Stores one value (v2 only for user-property) into @p s. */
static int store_value(tool_propset_t *s, const tool_prop_def_t *d, const char *v,
                       const char *v2)
{
    if (d->type == TOOL_PT_PAIR) {
        if (strlen(v) > 65535 || strlen(v2) > 65535)
            return bad_value(d, v);
        add_user(s, v, v2);
        return TOOL_EXIT_OK;
    }
    if (d->type == TOOL_PT_STR || d->type == TOOL_PT_BIN) {
        size_t len = strlen(v);
        if (len > 65535)
            return bad_value(d, v);
        if (d->type == TOOL_PT_STR)
            *str_field(&s->p, d->id) = (mqtls_str_t){v, (uint16_t)len};
        else
            *bin_field(&s->p, d->id) = (mqtls_bin_t){(const uint8_t *)v, (uint16_t)len};
    } else {
        uint32_t num;
        if (!tool_parse_u32(v, d->min, d->max, &num))
            return bad_value(d, v);
        set_num(&s->p, d->id, num);
    }
    s->p.present |= MQTLS_PROPBIT(d->id);
    return TOOL_EXIT_OK;
}

static int check_cmd(const char *cmd)
{
    for (int i = 0; foreign_cmds[i]; i++)
        if (strcmp(cmd, foreign_cmds[i]) == 0) {
            tool_err("-D: properties for '%s' packets cannot be set with mqtls", cmd);
            return -1;
        }
    int c = find_cmd(cmd);
    if (c < 0)
        tool_err("-D: invalid command '%s' (use connect, publish, subscribe, unsubscribe, "
                 "disconnect or will)", cmd);
    return c;
}

int tool_props_add(tool_props_t *pr, char **args, int avail, int *used)
{
    if (avail < 3) {
        tool_err("-D needs three arguments: command identifier value");
        return TOOL_EXIT_USAGE;
    }
    int c = check_cmd(args[0]);
    if (c < 0)
        return TOOL_EXIT_USAGE;
    const tool_prop_def_t *d = find_def(args[1]);
    if (!d) {
        tool_err("-D: invalid property name '%s'", args[1]);
        return TOOL_EXIT_USAGE;
    }
    if (!(d->allowed & (1u << c))) {
        tool_err("-D: %s property not allowed for %s", d->name, args[0]);
        return TOOL_EXIT_USAGE;
    }
    *used = d->type == TOOL_PT_PAIR ? 4 : 3;
    if (avail < *used) {
        tool_err("-D %s %s needs two values: name and value", args[0], d->name);
        return TOOL_EXIT_USAGE;
    }
    tool_propset_t *s = &pr->set[c];
    if (d->type != TOOL_PT_PAIR && (s->p.present & MQTLS_PROPBIT(d->id))) {
        tool_err("-D: %s property given twice for %s", d->name, args[0]);
        return TOOL_EXIT_USAGE;
    }
    pr->any = true;
    return store_value(s, d, args[2], d->type == TOOL_PT_PAIR ? args[3] : NULL);
}

void tool_props_finish(tool_props_t *pr)
{
    for (int i = 0; i < TOOL_P_COUNT; i++) {
        tool_propset_t *s = &pr->set[i];
        s->p.user = s->users;
        s->p.user_count = (uint16_t)s->n_users;
    }
}

bool tool_props_has(const tool_props_t *pr, tool_pcmd_t cmd)
{
    return pr->set[cmd].p.present != 0;
}

void tool_props_free(tool_props_t *pr)
{
    for (int i = 0; i < TOOL_P_COUNT; i++) {
        free(pr->set[i].users);
        pr->set[i].users = NULL;
    }
}

bool tool_prop_text(const mqtls_props_t *p, const tool_prop_def_t *def, tool_buf_t *out)
{
    if (!(p->present & MQTLS_PROPBIT(def->id)))
        return false;
    mqtls_props_t *mp = (mqtls_props_t *)p; /* the field getters are shared with setting */
    switch (def->type) {
    case TOOL_PT_STR: {
        const mqtls_str_t *s = str_field(mp, def->id);
        tool_buf_add(out, s->data, s->len);
        return true;
    }
    case TOOL_PT_BIN: {
        const mqtls_bin_t *b = bin_field(mp, def->id);
        tool_buf_add(out, b->data, b->len);
        return true;
    }
    case TOOL_PT_PAIR:
        return false;
    default:
        tool_buf_printf(out, "%lu", (unsigned long)get_num(p, def->id));
        return true;
    }
}

static void user_lines(const mqtls_props_t *p, const char *indent, tool_buf_t *out)
{
    mqtls_user_prop_t u;
    if (p->raw) {
        uint32_t pos = 0;
        while (mqtls_props_next_user(p, &pos, &u))
            tool_buf_printf(out, "%suser-property: %.*s=%.*s\n", indent, (int)u.key.len,
                            u.key.data, (int)u.value.len, u.value.data);
        return;
    }
    for (uint16_t i = 0; p->user && i < p->user_count; i++)
        tool_buf_printf(out, "%suser-property: %.*s=%.*s\n", indent, (int)p->user[i].key.len,
                        p->user[i].key.data, (int)p->user[i].value.len, p->user[i].value.data);
}

static void sub_id_lines(const mqtls_props_t *p, const char *indent, tool_buf_t *out)
{
    uint32_t pos = 0, id;
    if (p->raw && p->raw_len) {
        while (mqtls_props_next_sub_id(p, &pos, &id))
            tool_buf_printf(out, "%ssubscription-identifier: %lu\n", indent, (unsigned long)id);
    } else if (p->present & MQTLS_PROPBIT(MQTLS_PROP_SUBSCRIPTION_ID)) {
        tool_buf_printf(out, "%ssubscription-identifier: %lu\n", indent,
                        (unsigned long)p->subscription_id);
    }
}

void tool_props_lines(const mqtls_props_t *p, const char *indent, tool_buf_t *out)
{
    if (!p || !p->present)
        return;
    for (const tool_prop_def_t *d = tool_prop_defs; d->name; d++) {
        if (d->id == MQTLS_PROP_USER_PROPERTY) {
            if (p->present & MQTLS_PROPBIT(d->id))
                user_lines(p, indent, out);
            continue;
        }
        if (d->id == MQTLS_PROP_SUBSCRIPTION_ID) {
            sub_id_lines(p, indent, out);
            continue;
        }
        if (!(p->present & MQTLS_PROPBIT(d->id)))
            continue;
        tool_buf_printf(out, "%s%s: ", indent, d->name);
        tool_prop_text(p, d, out);
        tool_buf_addc(out, '\n');
    }
}
