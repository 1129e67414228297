/**
 * @file tool_json.c
 * @brief The JSON writer (see tool_json.h).
 */
#include "common/tool_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at @p p (at most @p n bytes), 0 if it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len;
    uint32_t cp;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = p[0] & 0x1Fu;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = p[0] & 0x0Fu;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void tool_json_quote(tool_buf_t *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    tool_buf_addc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            tool_buf_addc(b, '\\');
            tool_buf_addc(b, (char)c);
            i++;
        } else if (c == '\n') {
            tool_buf_add(b, "\\n", 2);
            i++;
        } else if (c == '\t') {
            tool_buf_add(b, "\\t", 2);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            tool_buf_printf(b, "\\u%04x", (unsigned)c);
            i++;
        } else {
            size_t len = utf8_len(p + i, n - i);
            if (len == 0) {
                tool_buf_add(b, "\\ufffd", 6);
                i++;
            } else {
                tool_buf_add(b, p + i, len);
                i += len;
            }
        }
    }
    tool_buf_addc(b, '"');
}

/* Separator, newline and indentation before a value; then its key. */
static void begin_value(tool_json_t *j, const char *key)
{
    if (j->depth > 0 && j->depth <= TOOL_JSON_DEPTH) {
        if (j->has_items[j->depth - 1])
            tool_buf_addc(&j->out, ',');
        j->has_items[j->depth - 1] = true;
        tool_buf_addc(&j->out, '\n');
        for (int i = 0; i < j->depth; i++)
            tool_buf_add(&j->out, "  ", 2);
    }
    if (key) {
        tool_json_quote(&j->out, key);
        tool_buf_add(&j->out, ": ", 2);
    }
}

static void open_container(tool_json_t *j, const char *key, char c)
{
    begin_value(j, key);
    tool_buf_addc(&j->out, c);
    if (j->depth < TOOL_JSON_DEPTH) {
        j->has_items[j->depth] = false;
        j->closer[j->depth] = c == '{' ? '}' : ']';
    }
    j->depth++;
}

void tool_json_obj(tool_json_t *j, const char *key)
{
    open_container(j, key, '{');
}

void tool_json_arr(tool_json_t *j, const char *key)
{
    open_container(j, key, '[');
}

void tool_json_end(tool_json_t *j)
{
    if (j->depth <= 0)
        return;
    j->depth--;
    if (j->depth >= TOOL_JSON_DEPTH)
        return; /* deeper than tracked: the caller's bug; the document stays unbalanced */
    if (j->has_items[j->depth]) {
        tool_buf_addc(&j->out, '\n');
        for (int i = 0; i < j->depth; i++)
            tool_buf_add(&j->out, "  ", 2);
    }
    tool_buf_addc(&j->out, j->closer[j->depth]);
}

void tool_json_str(tool_json_t *j, const char *key, const char *s)
{
    begin_value(j, key);
    if (s)
        tool_json_quote(&j->out, s);
    else
        tool_buf_add(&j->out, "null", 4);
}

void tool_json_strf(tool_json_t *j, const char *key, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tool_json_str(j, key, buf);
}

void tool_json_int(tool_json_t *j, const char *key, int64_t v)
{
    begin_value(j, key);
    tool_buf_printf(&j->out, "%lld", (long long)v);
}

void tool_json_bool(tool_json_t *j, const char *key, bool v)
{
    begin_value(j, key);
    tool_buf_printf(&j->out, "%s", v ? "true" : "false");
}

void tool_json_null(tool_json_t *j, const char *key)
{
    begin_value(j, key);
    tool_buf_add(&j->out, "null", 4);
}

void tool_json_free(tool_json_t *j)
{
    tool_buf_free(&j->out);
    memset(j, 0, sizeof *j);
}
