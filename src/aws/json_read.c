/**
 * @file json_read.c
 * @brief The JSON reader: a whole document checked, then a value found by its path
 * ("state.delta", "execution.jobId", "queuedJobs[0].jobId") and converted by the getters.
 *
 * The document is checked whole before any value is taken from it, so that a truncated or
 * corrupted payload is refused rather than half read; the walk after that can trust the
 * structure and hops over values with the scanner.
 */
#include "aws_internal.h"

#if MQTLS_CFG_AWS

#include "mqtls/codec.h"

mqtls_status_t mqtls_aws_json_check(const char *doc, size_t len)
{
    if (!doc)
        return MQTLS_ERR_BAD_PARAM;
    /* RFC 8259 section 8.1: JSON text is UTF-8. A raw U+0000 cannot be JSON either. */
    if (mqtls_utf8_check(doc, len) != MQTLS_OK)
        return MQTLS_ERR_JSON_MALFORMED;
    const char *end = doc + len;
    const char *p = mqtls__json_ws(doc, end);
    if (!mqtls__json_skip(&p, end) || mqtls__json_ws(p, end) != end)
        return MQTLS_ERR_JSON_MALFORMED;
    return MQTLS_OK;
}

/* The end of the checked value at @p p. */
static const char *value_end(const char *p, const char *end)
{
    (void)mqtls__json_skip(&p, end);
    return p;
}

/* Whether the checked string at @p p (on its quote) unescapes to the @p n bytes at @p s. */
static bool key_equals(const char *p, const char *s, size_t n)
{
    char ch[4];
    size_t k, i = 0;
    p++;
    while ((k = mqtls__json_char(&p, ch)) > 0) {
        for (size_t j = 0; j < k; j++, i++) {
            if (i == n || ch[j] != s[i])
                return false;
        }
    }
    return i == n;
}

/* The member @p name (@p n bytes) of the checked object at @p p, or NULL. */
static const char *member(const char *p, const char *end, const char *name, size_t n)
{
    if (*p != '{')
        return NULL;
    p = mqtls__json_ws(p + 1, end);
    while (*p == '"') {
        bool match = key_equals(p, name, n);
        p = mqtls__json_ws(value_end(p, end), end); /* past the name, on the colon */
        p = mqtls__json_ws(p + 1, end);
        if (match)
            return p;
        p = mqtls__json_ws(value_end(p, end), end); /* on ',' or '}' */
        if (*p != ',')
            return NULL;
        p = mqtls__json_ws(p + 1, end);
    }
    return NULL;
}

/* Element @p index of the checked array at @p p, or NULL. */
static const char *element(const char *p, const char *end, size_t index)
{
    if (*p != '[')
        return NULL;
    p = mqtls__json_ws(p + 1, end);
    if (*p == ']')
        return NULL;
    for (; index > 0; index--) {
        p = mqtls__json_ws(value_end(p, end), end);
        if (*p != ',')
            return NULL;
        p = mqtls__json_ws(p + 1, end);
    }
    return p;
}

/* "[n]" at @p *path: moves past it and gives n; false if it is not of that form. */
static bool parse_index(const char **path, size_t *index)
{
    const char *s = *path + 1;
    size_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > ((size_t)-1 - 9) / 10)
            return false;
        v = v * 10 + (size_t)(*s - '0');
    }
    if (*s != ']')
        return false;
    *path = s + 1;
    *index = v;
    return true;
}

/* Walks @p path from the value at @p *p, leaving @p *p on the value it names or NULL when
 * there is none. The whole path is read even then, so that whether it is well-formed does
 * not depend on the document. Returns false for a path that is not of the documented form. */
static bool walk(const char *path, const char **p, const char *end)
{
    const char *start = path;
    while (*path) {
        const char *name = path;
        while (*path && *path != '.' && *path != '[')
            path++;
        size_t n = (size_t)(path - name);
        if (n == 0 && (name != start || *path != '['))
            return false;
        if (n > 0 && *p)
            *p = member(*p, end, name, n);
        while (*path == '[') {
            size_t index;
            if (!parse_index(&path, &index))
                return false;
            if (*p)
                *p = element(*p, end, index);
        }
        if (*path == '.' && path[1] != '\0')
            path++;
        else if (*path != '\0')
            return false;
    }
    return true;
}

mqtls_status_t mqtls_aws_json_find(const char *doc, size_t len, const char *path,
                                   mqtls_aws_json_value_t *out)
{
    if (!path || !out)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_status_t st = mqtls_aws_json_check(doc, len);
    if (st != MQTLS_OK)
        return st;
    const char *end = doc + len;
    const char *p = mqtls__json_ws(doc, end);
    if (!walk(path, &p, end))
        return MQTLS_ERR_BAD_PARAM;
    if (!p)
        return MQTLS_ERR_JSON_NOT_FOUND;
    out->raw = p;
    out->len = (size_t)(value_end(p, end) - p);
    out->type = mqtls__json_type(p);
    return MQTLS_OK;
}

mqtls_status_t mqtls_aws_json_string(const mqtls_aws_json_value_t *v, char *buf, size_t size,
                                     size_t *out_len)
{
    if (!v || !buf)
        return MQTLS_ERR_BAD_PARAM;
    if (v->type != MQTLS_AWS_JSON_STRING)
        return MQTLS_ERR_JSON_TYPE;
    const char *p = v->raw + 1;
    size_t n = 0, k;
    char ch[4];
    while ((k = mqtls__json_char(&p, ch)) > 0) {
        if (k == 1 && ch[0] == '\0')
            return MQTLS_ERR_JSON_TYPE;
        if (size - n <= k)
            return MQTLS_ERR_NO_SPACE;
        for (size_t j = 0; j < k; j++)
            buf[n++] = ch[j];
    }
    if (size == 0)
        return MQTLS_ERR_NO_SPACE;
    buf[n] = '\0';
    if (out_len)
        *out_len = n;
    return MQTLS_OK;
}

/* Digits of a checked integer into a magnitude; false on a fraction, exponent or overflow
 * of @p limit. */
static bool magnitude(const char *p, const char *end, uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

mqtls_status_t mqtls_aws_json_int(const mqtls_aws_json_value_t *v, int64_t *out)
{
    if (!v || !out)
        return MQTLS_ERR_BAD_PARAM;
    if (v->type != MQTLS_AWS_JSON_NUMBER || v->len == 0)
        return MQTLS_ERR_JSON_TYPE;
    bool neg = v->raw[0] == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t m;
    if (!magnitude(v->raw + neg, v->raw + v->len, limit, &m))
        return MQTLS_ERR_JSON_TYPE;
    /* -(2^63) is written without overflow as -(2^63 - 1) - 1. */
    *out = neg ? (m == 0 ? 0 : -(int64_t)(m - 1u) - 1) : (int64_t)m;
    return MQTLS_OK;
}

mqtls_status_t mqtls_aws_json_bool(const mqtls_aws_json_value_t *v, bool *out)
{
    if (!v || !out)
        return MQTLS_ERR_BAD_PARAM;
    if (v->type != MQTLS_AWS_JSON_TRUE && v->type != MQTLS_AWS_JSON_FALSE)
        return MQTLS_ERR_JSON_TYPE;
    *out = v->type == MQTLS_AWS_JSON_TRUE;
    return MQTLS_OK;
}

bool mqtls_aws_json_is_null(const mqtls_aws_json_value_t *v)
{
    return v && v->type == MQTLS_AWS_JSON_NULL;
}

mqtls_status_t mqtls_aws_json_get_string(const char *doc, size_t len, const char *path,
                                         char *buf, size_t size, size_t *out_len)
{
    mqtls_aws_json_value_t v;
    mqtls_status_t st = mqtls_aws_json_find(doc, len, path, &v);
    return st != MQTLS_OK ? st : mqtls_aws_json_string(&v, buf, size, out_len);
}

mqtls_status_t mqtls_aws_json_get_int(const char *doc, size_t len, const char *path,
                                      int64_t *out)
{
    mqtls_aws_json_value_t v;
    mqtls_status_t st = mqtls_aws_json_find(doc, len, path, &v);
    return st != MQTLS_OK ? st : mqtls_aws_json_int(&v, out);
}

#endif /* MQTLS_CFG_AWS */
