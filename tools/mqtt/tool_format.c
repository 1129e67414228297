/**
 * @file tool_format.c
 * @brief -F output formats as mosquitto_sub knows them: % message fields with optional
 *        flags, width and precision, @ time fields (strftime) and \ escapes.
 */
#include "mqtt/tool_format.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mqtt/tool_props.h"

/* Message fields: %A %C %D %E %F %I %P %R %S %U %i %j %l %m %p %q %r %t %x %X %%. */
static const char fields[] = "ACDEFIPRSUijlmpqrtxX%";
/* Fields that pad with zeros under the 0 flag. */
static const char numeric[] = "AEFlmSxX";
static const char escapes[] = "\\\\0\0a\ae\033n\nr\rt\tv\v";

/* One parsed % sequence. */
typedef struct spec {
    bool left;
    bool zero;
    int width;
    int prec;   /* -1: none */
    char conv;
} spec_t;

typedef struct fctx {
    const mqtls_publish_t *m;
    const tool_msg_ctx_t *ctx;
    struct timespec now;
} fctx_t;

static const char *parse_num(const char *p, int *out)
{
    int v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v < 100000)
            v = v * 10 + (*p - '0');
        p++;
    }
    *out = v;
    return p;
}

/* Reads "[-0]*[width][.prec]conv" after a '%'; returns the character after it. */
static const char *parse_spec(const char *p, spec_t *s)
{
    memset(s, 0, sizeof *s);
    s->prec = -1;
    for (; *p == '-' || *p == '0'; p++) {
        if (*p == '-')
            s->left = true;
        else
            s->zero = true;
    }
    p = parse_num(p, &s->width);
    if (*p == '.')
        p = parse_num(p + 1, &s->prec);
    s->conv = *p;
    return *p ? p + 1 : p;
}

static char escape_char(char c, bool *ok)
{
    for (size_t i = 0; i + 1 < sizeof escapes; i += 2)
        if (escapes[i] == c) {
            *ok = true;
            return escapes[i + 1];
        }
    *ok = false;
    return 0;
}

bool tool_format_check(const char *fmt, char *err, size_t errlen)
{
    for (const char *p = fmt; *p;) {
        char c = *p++;
        if (c == '%') {
            spec_t s;
            p = parse_spec(p, &s);
            if (!s.conv || !strchr(fields, s.conv)) {
                snprintf(err, errlen, "unknown format sequence '%%%c'", s.conv ? s.conv : ' ');
                return false;
            }
        } else if (c == '\\') {
            bool ok;
            escape_char(*p, &ok);
            if (!ok) {
                snprintf(err, errlen, "unknown escape '\\%c'", *p ? *p : ' ');
                return false;
            }
            p++;
        } else if (c == '@' && !*p++) {
            snprintf(err, errlen, "'@' at the end of the format");
            return false;
        }
    }
    return true;
}

static void add_hex(tool_buf_t *f, const mqtls_publish_t *m, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (uint32_t i = 0; i < m->payload_len; i++) {
        tool_buf_addc(f, digits[m->payload[i] >> 4]);
        tool_buf_addc(f, digits[m->payload[i] & 15]);
    }
}

static void add_time_iso(tool_buf_t *f, const struct timespec *ts, bool usec)
{
    struct tm tm;
    char b[64], z[16];
    localtime_r(&ts->tv_sec, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(z, sizeof z, "%z", &tm);
    if (usec)
        tool_buf_printf(f, "%s.%06ld%s", b, ts->tv_nsec / 1000, z);
    else
        tool_buf_printf(f, "%s%s", b, z);
}

static void add_user_props(tool_buf_t *f, const mqtls_props_t *p)
{
    mqtls_user_prop_t u;
    uint32_t pos = 0;
    bool first = true;
    while (p->raw && mqtls_props_next_user(p, &pos, &u)) {
        tool_buf_printf(f, "%s%.*s:%.*s", first ? "" : " ", (int)u.key.len, u.key.data,
                        (int)u.value.len, u.value.data);
        first = false;
    }
}

static void add_sub_ids(tool_buf_t *f, const mqtls_props_t *p)
{
    uint32_t pos = 0, id;
    bool first = true;
    while (p->raw && mqtls_props_next_sub_id(p, &pos, &id)) {
        tool_buf_printf(f, "%s%lu", first ? "" : ",", (unsigned long)id);
        first = false;
    }
}

static void add_prop(tool_buf_t *f, const mqtls_props_t *p, uint8_t id)
{
    for (const tool_prop_def_t *d = tool_prop_defs; d->name; d++)
        if (d->id == id) {
            tool_prop_text(p, d, f);
            return;
        }
}

void tool_format_topic(tool_buf_t *out, const char *t, size_t len, bool escape)
{
    const uint8_t *p = (const uint8_t *)t;
    if (!escape) {
        tool_buf_add(out, t, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f) {
            tool_buf_printf(out, "\\x%02x", p[i]);
        } else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
            tool_buf_printf(out, "\\u%04x", p[i + 1]); /* C1: 0x9b alone is a CSI */
            i++;
        } else {
            tool_buf_addc(out, (char)p[i]);
        }
    }
}

/* Properties: %A %C %D %E %F %P %R %S. */
static void field_prop(tool_buf_t *f, char conv, const mqtls_props_t *p)
{
    switch (conv) {
    case 'A': add_prop(f, p, MQTLS_PROP_TOPIC_ALIAS); break;
    case 'C': add_prop(f, p, MQTLS_PROP_CONTENT_TYPE); break;
    case 'D': add_prop(f, p, MQTLS_PROP_CORRELATION_DATA); break;
    case 'E': add_prop(f, p, MQTLS_PROP_MESSAGE_EXPIRY); break;
    case 'F': add_prop(f, p, MQTLS_PROP_PAYLOAD_FORMAT); break;
    case 'P': add_user_props(f, p); break;
    case 'R': add_prop(f, p, MQTLS_PROP_RESPONSE_TOPIC); break;
    default: add_sub_ids(f, p); break;
    }
}

/* %j, compact or (--pretty) laid out over lines. */
static void add_json(tool_buf_t *f, const fctx_t *x)
{
    if (!x->ctx->pretty) {
        tool_format_json(f, x->m);
        return;
    }
    tool_buf_t compact = {0};
    tool_format_json(&compact, x->m);
    tool_format_json_pretty(f, compact.p, compact.len);
    tool_buf_free(&compact);
}

/* Writes the value of field @p conv (unpadded) into @p f. */
static void field(tool_buf_t *f, char conv, const fctx_t *x)
{
    const mqtls_publish_t *m = x->m;
    switch (conv) {
    case '%': tool_buf_addc(f, '%'); break;
    case 'I': add_time_iso(f, &x->now, false); break;
    case 'U': tool_buf_printf(f, "%lld.%09ld", (long long)x->now.tv_sec, x->now.tv_nsec); break;
    case 'i': tool_buf_add(f, x->ctx->client_id, strlen(x->ctx->client_id)); break;
    case 'j': add_json(f, x); break;
    case 'l': tool_buf_printf(f, "%lu", (unsigned long)m->payload_len); break;
    case 'm': tool_buf_printf(f, "%u", (unsigned)m->packet_id); break;
    case 'p': tool_buf_add(f, m->payload, m->payload_len); break;
    case 'q': tool_buf_printf(f, "%u", (unsigned)m->qos); break;
    case 'r': tool_buf_addc(f, m->retain ? '1' : '0'); break;
    case 't': tool_format_topic(f, m->topic.data, m->topic.len, x->ctx->escape_topic); break;
    case 'x': add_hex(f, m, false); break;
    case 'X': add_hex(f, m, true); break;
    default: field_prop(f, conv, &m->props); break;
    }
}

/* Appends @p f to @p out, cut to the precision and padded to the width of @p s. */
static void pad(tool_buf_t *out, const tool_buf_t *f, const spec_t *s)
{
    size_t len = f->len;
    if (s->prec >= 0 && strchr("CIRt", s->conv) && len > (size_t)s->prec)
        len = (size_t)s->prec;
    size_t fill = s->width > 0 && (size_t)s->width > len ? (size_t)s->width - len : 0;
    char padc = s->zero && !s->left && strchr(numeric, s->conv) ? '0' : ' ';
    for (size_t i = 0; !s->left && i < fill; i++)
        tool_buf_addc(out, padc);
    tool_buf_add(out, f->p ? f->p : "", len);
    for (size_t i = 0; s->left && i < fill; i++)
        tool_buf_addc(out, ' ');
}

static const char *do_percent(tool_buf_t *out, const char *p, const fctx_t *x)
{
    spec_t s;
    tool_buf_t f = {0};
    p = parse_spec(p, &s);
    field(&f, s.conv, x);
    pad(out, &f, &s);
    tool_buf_free(&f);
    return p;
}

static const char *do_at(tool_buf_t *out, const char *p, const fctx_t *x)
{
    char c = *p++;
    if (c == '@') {
        tool_buf_addc(out, '@');
    } else if (c == 'N') {
        tool_buf_printf(out, "%09ld", x->now.tv_nsec);
    } else {
        char f[3] = {'%', c, '\0'}, b[128];
        struct tm tm;
        localtime_r(&x->now.tv_sec, &tm);
        size_t n = strftime(b, sizeof b, f, &tm);
        tool_buf_add(out, b, n);
    }
    return p;
}

void tool_format_message(tool_buf_t *out, const char *fmt, const mqtls_publish_t *m,
                         const tool_msg_ctx_t *ctx)
{
    fctx_t x = {m, ctx, {0, 0}};
    clock_gettime(CLOCK_REALTIME, &x.now);
    for (const char *p = fmt; *p;) {
        char c = *p++;
        bool ok;
        if (c == '%') {
            p = do_percent(out, p, &x);
        } else if (c == '@' && *p) {
            p = do_at(out, p, &x);
        } else if (c == '\\' && *p) {
            tool_buf_addc(out, escape_char(*p++, &ok));
        } else {
            tool_buf_addc(out, c);
        }
    }
}

/* JSON string contents of @p n bytes (control characters and invalid UTF-8 escaped). */
static void json_str(tool_buf_t *f, const uint8_t *s, size_t n)
{
    bool utf8 = mqtls_utf8_check((const char *)s, n) == MQTLS_OK;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\')
            tool_buf_printf(f, "\\%c", c);
        else if (c == '\n')
            tool_buf_add(f, "\\n", 2);
        else if (c == '\r')
            tool_buf_add(f, "\\r", 2);
        else if (c == '\t')
            tool_buf_add(f, "\\t", 2);
        else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
            tool_buf_printf(f, "\\u%04x", c);
        else
            tool_buf_addc(f, (char)c);
    }
}

static void json_props(tool_buf_t *f, const mqtls_props_t *p)
{
    tool_buf_t v = {0};
    bool first = true;
    for (const tool_prop_def_t *d = tool_prop_defs; d->name; d++) {
        v.len = 0;
        if (d->id == MQTLS_PROP_SUBSCRIPTION_ID || !tool_prop_text(p, d, &v))
            continue;
        bool num = d->type != TOOL_PT_STR && d->type != TOOL_PT_BIN;
        tool_buf_printf(f, "%s\"%s\":%s", first ? "" : ",", d->name, num ? "" : "\"");
        if (num)
            tool_buf_add(f, v.p, v.len);
        else
            json_str(f, (const uint8_t *)v.p, v.len);
        tool_buf_add(f, "\"", num ? 0 : 1);
        first = false;
    }
    tool_buf_free(&v);
    mqtls_user_prop_t u;
    uint32_t pos = 0;
    if (!p->raw || !(p->present & MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY)))
        return;
    tool_buf_printf(f, "%s\"user-properties\":{", first ? "" : ",");
    for (bool ufirst = true; mqtls_props_next_user(p, &pos, &u); ufirst = false) {
        tool_buf_add(f, ufirst ? "\"" : ",\"", ufirst ? 1 : 2);
        json_str(f, (const uint8_t *)u.key.data, u.key.len);
        tool_buf_add(f, "\":\"", 3);
        json_str(f, (const uint8_t *)u.value.data, u.value.len);
        tool_buf_addc(f, '"');
    }
    tool_buf_addc(f, '}');
}

void tool_format_json(tool_buf_t *f, const mqtls_publish_t *m)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    tool_buf_add(f, "{\"tst\":\"", 8);
    add_time_iso(f, &now, true);
    tool_buf_add(f, "\",\"topic\":\"", 11);
    json_str(f, (const uint8_t *)m->topic.data, m->topic.len);
    tool_buf_printf(f, "\",\"qos\":%u,\"retain\":%u,\"payloadlen\":%lu", (unsigned)m->qos,
                    m->retain ? 1u : 0u, (unsigned long)m->payload_len);
    if (m->qos)
        tool_buf_printf(f, ",\"mid\":%u", (unsigned)m->packet_id);
    if (m->props.present) {
        tool_buf_add(f, ",\"properties\":{", 15);
        json_props(f, &m->props);
        tool_buf_addc(f, '}');
    }
    if (m->payload_len == 0) {
        tool_buf_add(f, ",\"payload\":null}", 16);
        return;
    }
    tool_buf_add(f, ",\"payload\":\"", 12);
    json_str(f, m->payload, m->payload_len);
    tool_buf_add(f, "\"}", 2);
}

/* The state of the --pretty layout: nesting, and whether each open level is an array. */
typedef struct pretty {
    tool_buf_t *out;
    int depth;
    uint64_t arrays; /* bit d: level d + 1 is an array (deeper levels count as objects) */
} pretty_t;

static bool in_array(const pretty_t *p)
{
    return p->depth > 0 && p->depth <= 64 && (p->arrays >> (p->depth - 1)) & 1u;
}

static void newline(pretty_t *p, int depth)
{
    tool_buf_addc(p->out, '\n');
    for (int i = 0; i < depth; i++)
        tool_buf_addc(p->out, '\t');
}

/* An opening bracket; an empty object or array is written whole ("{\n}" as cJSON does). */
static size_t pretty_open(pretty_t *p, const char *json, size_t i, size_t len)
{
    char c = json[i];
    bool array = c == '[';
    tool_buf_addc(p->out, c);
    if (i + 1 < len && json[i + 1] == (array ? ']' : '}')) {
        if (!array)
            newline(p, p->depth);
        tool_buf_addc(p->out, json[i + 1]);
        return i + 2;
    }
    if (p->depth < 64) /* cJSON limits nesting too; deeper JSON is not made by %j */
        p->arrays = array ? p->arrays | (1ull << p->depth) : p->arrays & ~(1ull << p->depth);
    p->depth++;
    if (!array)
        newline(p, p->depth);
    return i + 1;
}

static void pretty_close(pretty_t *p, char c)
{
    bool array = in_array(p);
    if (p->depth > 0)
        p->depth--;
    if (!array)
        newline(p, p->depth);
    tool_buf_addc(p->out, c);
}

/* A string, copied with its escapes; returns the index after its closing quote. */
static size_t pretty_string(pretty_t *p, const char *json, size_t i, size_t len)
{
    size_t start = i++;
    while (i < len && json[i] != '"')
        i += json[i] == '\\' ? 2 : 1;
    if (i < len)
        i++;
    else
        i = len;
    tool_buf_add(p->out, json + start, i - start);
    return i;
}

/* Anything outside strings but an opening bracket. */
static void pretty_char(pretty_t *p, char c)
{
    switch (c) {
    case '}':
    case ']':
        pretty_close(p, c);
        break;
    case ',':
        if (in_array(p)) {
            tool_buf_add(p->out, ", ", 2);
        } else {
            tool_buf_addc(p->out, ',');
            newline(p, p->depth);
        }
        break;
    case ':':
        tool_buf_add(p->out, ":\t", 2);
        break;
    default:
        tool_buf_addc(p->out, c);
        break;
    }
}

void tool_format_json_pretty(tool_buf_t *out, const char *json, size_t len)
{
    pretty_t p = {out, 0, 0};
    for (size_t i = 0; i < len;) {
        if (json[i] == '"')
            i = pretty_string(&p, json, i, len);
        else if (json[i] == '{' || json[i] == '[')
            i = pretty_open(&p, json, i, len);
        else
            pretty_char(&p, json[i++]);
    }
}
