/**
 * @file json_write.c
 * @brief The JSON writer: members and elements appended to a caller buffer with the commas,
 * key placement and string escaping that RFC 8259 requires, the first failure kept.
 *
 * A NUL byte is kept free at every step, so that a document that fits is always a C string
 * and one that does not is an error rather than a truncation. With no buffer it counts.
 */
#include "aws_internal.h"

#if MQTLS_CFG_AWS

#include "mqtls/codec.h"

void mqtls_aws_jw_init(mqtls_aws_jw_t *w, char *buf, size_t size)
{
    w->buf = buf;
    w->size = size;
    w->len = 0;
    w->status = (buf == NULL && size != 0) ? MQTLS_ERR_BAD_PARAM : MQTLS_OK;
    w->in_array = 0;
    w->has_items = 0;
    w->depth = 0;
}

static void fail(mqtls_aws_jw_t *w, mqtls_status_t st)
{
    if (w->status == MQTLS_OK)
        w->status = st;
}

static void put(mqtls_aws_jw_t *w, const char *s, size_t n)
{
    if (w->status != MQTLS_OK)
        return;
    if (w->buf) {
        if (w->size - w->len <= n) {
            fail(w, MQTLS_ERR_NO_SPACE);
            return;
        }
        for (size_t i = 0; i < n; i++)
            w->buf[w->len + i] = s[i];
    }
    w->len += n;
}

static void put_escaped_char(mqtls_aws_jw_t *w, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    static const char from[] = "\"\\\b\f\n\r\t";
    static const char to[] = "\"\\bfnrt";
    for (size_t i = 0; i < sizeof from - 1; i++) {
        if (c == (unsigned char)from[i]) {
            char e[2] = {'\\', to[i]};
            put(w, e, 2);
            return;
        }
    }
    if (c < 0x20) {
        char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        put(w, e, 6);
        return;
    }
    put(w, (const char *)&c, 1);
}

/* A string in quotes, escaped (RFC 8259 section 7: the quote, the backslash and the control
 * characters must be). Anything else passes as it is; it must be UTF-8. */
static void put_string(mqtls_aws_jw_t *w, const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    if (mqtls_utf8_check(s, n) != MQTLS_OK) {
        fail(w, MQTLS_ERR_BAD_PARAM);
        return;
    }
    put(w, "\"", 1);
    for (size_t i = 0; i < n; i++)
        put_escaped_char(w, (unsigned char)s[i]);
    put(w, "\"", 1);
}

/* What goes before a value: the comma after a sibling and the member's name, after checking
 * that a key is given exactly where one belongs. */
static void prefix(mqtls_aws_jw_t *w, const char *key)
{
    if (w->status != MQTLS_OK)
        return;
    if (w->depth == 0) {
        if (key || w->len > 0)
            fail(w, MQTLS_ERR_BAD_PARAM);
        return;
    }
    uint32_t bit = 1u << (w->depth - 1);
    if ((w->in_array & bit) ? key != NULL : key == NULL) {
        fail(w, MQTLS_ERR_BAD_PARAM);
        return;
    }
    if (w->has_items & bit)
        put(w, ",", 1);
    w->has_items |= bit;
    if (key) {
        put_string(w, key);
        put(w, ":", 1);
    }
}

static void open_nest(mqtls_aws_jw_t *w, const char *key, bool array)
{
    prefix(w, key);
    if (w->status == MQTLS_OK && w->depth == MQTLS_AWS_JSON_MAX_DEPTH)
        fail(w, MQTLS_ERR_BAD_PARAM);
    put(w, array ? "[" : "{", 1);
    if (w->status != MQTLS_OK)
        return;
    uint32_t bit = 1u << w->depth;
    w->in_array = array ? (w->in_array | bit) : (w->in_array & ~bit);
    w->has_items &= ~bit;
    w->depth++;
}

void mqtls_aws_jw_object(mqtls_aws_jw_t *w, const char *key)
{
    open_nest(w, key, false);
}

void mqtls_aws_jw_array(mqtls_aws_jw_t *w, const char *key)
{
    open_nest(w, key, true);
}

void mqtls_aws_jw_end(mqtls_aws_jw_t *w)
{
    if (w->status == MQTLS_OK && w->depth == 0)
        fail(w, MQTLS_ERR_BAD_PARAM);
    if (w->status != MQTLS_OK)
        return;
    put(w, (w->in_array >> (w->depth - 1)) & 1u ? "]" : "}", 1);
    w->depth--;
}

void mqtls_aws_jw_string(mqtls_aws_jw_t *w, const char *key, const char *value)
{
    if (!value)
        fail(w, MQTLS_ERR_BAD_PARAM);
    prefix(w, key);
    if (w->status == MQTLS_OK)
        put_string(w, value);
}

void mqtls_aws_jw_int(mqtls_aws_jw_t *w, const char *key, int64_t value)
{
    char digits[20];
    size_t n = 0;
    /* The magnitude as unsigned: -INT64_MIN does not fit in int64_t. */
    uint64_t m = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + m % 10);
        m /= 10;
    } while (m > 0);
    prefix(w, key);
    if (value < 0)
        put(w, "-", 1);
    put(w, digits + sizeof digits - n, n);
}

void mqtls_aws_jw_bool(mqtls_aws_jw_t *w, const char *key, bool value)
{
    prefix(w, key);
    put(w, value ? "true" : "false", value ? 4 : 5);
}

void mqtls_aws_jw_null(mqtls_aws_jw_t *w, const char *key)
{
    prefix(w, key);
    put(w, "null", 4);
}

void mqtls_aws_jw_raw(mqtls_aws_jw_t *w, const char *key, const char *json, size_t len)
{
    mqtls_status_t st = mqtls_aws_json_check(json, len);
    if (st != MQTLS_OK)
        fail(w, st);
    prefix(w, key);
    put(w, json, len);
}

mqtls_status_t mqtls_aws_jw_finish(mqtls_aws_jw_t *w, size_t *len)
{
    if (w->status == MQTLS_OK && (w->depth != 0 || w->len == 0))
        fail(w, MQTLS_ERR_BAD_PARAM);
    if (w->status != MQTLS_OK)
        return w->status;
    if (w->buf)
        w->buf[w->len] = '\0';
    if (len)
        *len = w->len;
    return MQTLS_OK;
}

#endif /* MQTLS_CFG_AWS */
