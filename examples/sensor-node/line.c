/**
 * @file line.c
 * @brief Text without printf (line.h).
 */
#include "line.h"

static void put_char(line_t *l, char c)
{
    if (l->len + 1 < sizeof l->buf)
        l->buf[l->len++] = c;
    l->buf[l->len] = '\0';
}

void line_put(line_t *l, const char *s)
{
    while (*s)
        put_char(l, *s++);
    l->buf[l->len] = '\0';
}

/* The digits of @p u in @p base, most significant first. */
static void put_digits(line_t *l, uint32_t u, uint32_t base)
{
    char digits[12];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[u % base];
        u /= base;
    } while (u != 0);
    while (n > 0)
        put_char(l, digits[--n]);
}

static uint32_t magnitude(line_t *l, int32_t v)
{
    if (v >= 0)
        return (uint32_t)v;
    put_char(l, '-');
    return 0u - (uint32_t)v;
}

void line_put_int(line_t *l, int32_t v)
{
    put_digits(l, magnitude(l, v), 10u);
}

void line_put_hex(line_t *l, int32_t v)
{
    uint32_t u = magnitude(l, v);
    line_put(l, "0x");
    if (u < 0x10u)
        put_char(l, '0');
    put_digits(l, u, 16u);
}
