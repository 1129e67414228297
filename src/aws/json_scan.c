/**
 * @file json_scan.c
 * @brief The JSON grammar of RFC 8259 (sections 2 to 7), checked in place: white space,
 * literals, numbers, strings with their escapes, and objects and arrays walked without
 * recursion, so that a device's stack use does not depend on what the network sends.
 */
#include "aws_internal.h"

#if MQTLS_CFG_AWS

#include <stdint.h>

const char *mqtls__json_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_val(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The 4 hex digits of a \u escape at @p p (after the "\u"), or -1. */
static long hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_val(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* A \u escape at @p p (on the 'u'); a high surrogate must be followed by an escaped low
 * one and a low one must not stand alone (RFC 8259 section 7, the text must be Unicode). */
static const char *scan_u_escape(const char *p, const char *end)
{
    long cp = hex4(p + 1, end);
    if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
        return NULL;
    p += 5;
    if (cp < 0xD800 || cp > 0xDBFF)
        return p;
    if (end - p < 2 || p[0] != '\\' || p[1] != 'u')
        return NULL;
    long lo = hex4(p + 2, end);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return NULL;
    return p + 6;
}

/* A string at @p p (on its opening quote): the byte after its closing quote, or NULL. */
static const char *scan_string(const char *p, const char *end)
{
    for (p++; p < end;) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL;
        if (c != '\\') {
            p++;
            continue;
        }
        if (++p == end)
            return NULL;
        if (*p == 'u') {
            p = scan_u_escape(p, end);
            if (!p)
                return NULL;
        } else if (*p == '"' || *p == '\\' || *p == '/' || *p == 'b' || *p == 'f' ||
                   *p == 'n' || *p == 'r' || *p == 't') {
            p++;
        } else {
            return NULL;
        }
    }
    return NULL;
}

static const char *scan_digits(const char *p, const char *end)
{
    if (p == end || !is_digit(*p))
        return NULL;
    while (p < end && is_digit(*p))
        p++;
    return p;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static const char *scan_number(const char *p, const char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0')
        p++;
    else if (!(p = scan_digits(p, end)))
        return NULL;
    if (p < end && *p == '.' && !(p = scan_digits(p + 1, end)))
        return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        p = scan_digits(p, end);
    }
    return p;
}

static const char *scan_literal(const char *p, const char *end, const char *word)
{
    for (; *word; word++, p++) {
        if (p == end || *p != *word)
            return NULL;
    }
    return p;
}

/* A value that is not an object or array. */
static const char *scan_scalar(const char *p, const char *end)
{
    switch (*p) {
    case '"':
        return scan_string(p, end);
    case 't':
        return scan_literal(p, end, "true");
    case 'f':
        return scan_literal(p, end, "false");
    case 'n':
        return scan_literal(p, end, "null");
    default:
        return scan_number(p, end);
    }
}

/* A member's name and its colon, at @p p: the start of its value, or NULL. */
static const char *scan_key(const char *p, const char *end)
{
    if (p == end || *p != '"' || !(p = scan_string(p, end)))
        return NULL;
    p = mqtls__json_ws(p, end);
    if (p == end || *p != ':')
        return NULL;
    return mqtls__json_ws(p + 1, end);
}

/* The nesting the walk is in: bit d of arrays says whether level d is an array. */
typedef struct nest {
    uint32_t arrays;
    unsigned depth;
} nest_t;

static bool top_is_array(const nest_t *n)
{
    return (n->arrays >> (n->depth - 1)) & 1u;
}

/* After a value: closes what ends here, then steps past a comma (and the next member's
 * name). Returns the start of the next value, @p p itself once the outermost value is
 * complete (depth 0), or NULL. */
static const char *after_value(const char *p, const char *end, nest_t *n)
{
    while (n->depth > 0) {
        p = mqtls__json_ws(p, end);
        if (p == end)
            return NULL;
        bool array = top_is_array(n);
        if (*p == ',') {
            p = mqtls__json_ws(p + 1, end);
            return array ? p : scan_key(p, end);
        }
        if (*p != (array ? ']' : '}'))
            return NULL;
        p++;
        n->depth--;
    }
    return p;
}

/* Opens the object or array at @p p: the start of its first value, the byte after it when
 * it is empty (@p *closed set), or NULL. */
static const char *open_nest(const char *p, const char *end, nest_t *n, bool *closed)
{
    bool array = *p == '[';
    if (n->depth == MQTLS_AWS_JSON_MAX_DEPTH)
        return NULL;
    p = mqtls__json_ws(p + 1, end);
    if (p < end && *p == (array ? ']' : '}')) {
        *closed = true;
        return p + 1;
    }
    n->arrays = (n->arrays & ~(1u << n->depth)) | ((uint32_t)array << n->depth);
    n->depth++;
    *closed = false;
    return array ? p : scan_key(p, end);
}

bool mqtls__json_skip(const char **pp, const char *end)
{
    nest_t n = {0, 0};
    const char *p = *pp;
    do {
        if (p == end)
            return false;
        bool closed = true;
        if (*p == '{' || *p == '[')
            p = open_nest(p, end, &n, &closed);
        else
            p = scan_scalar(p, end);
        if (p && closed)
            p = after_value(p, end, &n);
        if (!p)
            return false;
    } while (n.depth > 0);
    *pp = p;
    return true;
}

mqtls_aws_json_type_t mqtls__json_type(const char *p)
{
    switch (*p) {
    case 'n':
        return MQTLS_AWS_JSON_NULL;
    case 'f':
        return MQTLS_AWS_JSON_FALSE;
    case 't':
        return MQTLS_AWS_JSON_TRUE;
    case '"':
        return MQTLS_AWS_JSON_STRING;
    case '{':
        return MQTLS_AWS_JSON_OBJECT;
    case '[':
        return MQTLS_AWS_JSON_ARRAY;
    default:
        return MQTLS_AWS_JSON_NUMBER;
    }
}

static size_t utf8_put(unsigned long cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The escape at @p *p (on the character after the backslash), checked by scan_string. */
static size_t unescape(const char **p, char out[4])
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    char c = *(*p)++;
    if (c != 'u') {
        for (size_t i = 0; from[i]; i++) {
            if (from[i] == c)
                out[0] = to[i];
        }
        return 1;
    }
    unsigned long cp = (unsigned long)hex4(*p, *p + 4);
    *p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned long lo = (unsigned long)hex4(*p + 2, *p + 6);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *p += 6;
    }
    return utf8_put(cp, out);
}

size_t mqtls__json_char(const char **p, char out[4])
{
    char c = **p;
    if (c == '"')
        return 0;
    (*p)++;
    if (c != '\\') {
        out[0] = c;
        return 1;
    }
    return unescape(p, out);
}

#endif /* MQTLS_CFG_AWS */
