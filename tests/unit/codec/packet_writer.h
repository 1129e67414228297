/**
 * @file packet_writer.h
 * @brief A small packet builder for the malformed-packet tests of test_decoder.c: the
 *        fixed header's remaining length and the property block lengths are filled in for
 *        you, so a test writes only the bytes it is about.
 */
#ifndef MQTLS_TEST_PACKET_WRITER_H
#define MQTLS_TEST_PACKET_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct pb {
    uint8_t first;
    uint8_t body[2048];
    size_t len;
    size_t marks[4]; /* starts of open property blocks */
    int depth;
    uint8_t out[2048 + 5];
    size_t out_len;
} gb_t;

static inline void gb_begin(gb_t *b, uint8_t first)
{
    b->first = first;
    b->len = 0;
    b->depth = 0;
    b->out_len = 0;
}
static inline void gb_raw(gb_t *b, const void *p, size_t n)
{
    if (n > sizeof b->body - b->len)
        n = sizeof b->body - b->len; /* a test bug; the packet will simply be wrong */
    memcpy(b->body + b->len, p, n);
    b->len += n;
}
static inline void gb_u8(gb_t *b, uint8_t v) { gb_raw(b, &v, 1); }
static inline void gb_u16(gb_t *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    gb_raw(b, x, 2);
}
static inline void gb_u32(gb_t *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    gb_raw(b, x, 4);
}
static inline size_t golden_vbi(uint32_t v, uint8_t out[4])
{
    size_t n = 0;
    do {
        uint8_t d = (uint8_t)(v % 128u);
        v /= 128u;
        out[n++] = (uint8_t)(v ? d | 0x80u : d);
    } while (v && n < 4);
    return n;
}
static inline void gb_vbi(gb_t *b, uint32_t v)
{
    uint8_t x[4];
    gb_raw(b, x, golden_vbi(v, x));
}
/** A 2-byte length and @p n bytes. */
static inline void gb_strn(gb_t *b, const void *p, size_t n)
{
    gb_u16(b, (uint16_t)n);
    gb_raw(b, p, n);
}
static inline void gb_str(gb_t *b, const char *s) { gb_strn(b, s, strlen(s)); }
/** Opens a property block; gb_props_end() writes its length in front of it. */
static inline void gb_props_begin(gb_t *b)
{
    if (b->depth < 4)
        b->marks[b->depth++] = b->len;
}
static inline void gb_props_end(gb_t *b)
{
    uint8_t x[4];
    size_t start = b->marks[--b->depth], n = golden_vbi((uint32_t)(b->len - start), x);
    memmove(b->body + start + n, b->body + start, b->len - start);
    memcpy(b->body + start, x, n);
    b->len += n;
}
/** An empty property block. */
static inline void gb_props_none(gb_t *b) { gb_u8(b, 0); }
/** Finishes the packet: fixed header with the remaining length, then the body. */
static inline const uint8_t *gb_end(gb_t *b)
{
    uint8_t x[4];
    size_t n = golden_vbi((uint32_t)b->len, x);
    b->out[0] = b->first;
    memcpy(b->out + 1, x, n);
    memcpy(b->out + 1 + n, b->body, b->len);
    b->out_len = 1 + n + b->len;
    return b->out;
}

#endif /* MQTLS_TEST_PACKET_WRITER_H */
