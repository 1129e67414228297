/**
 * @file cursor.c
 * @brief Bounded writers and checked readers for the MQTT wire types.
 */
#include "codec_internal.h"

size_t mqtls__vbi_size(uint32_t v)
{
    return v < 128u ? 1u : v < 16384u ? 2u : v < 2097152u ? 3u : 4u;
}

void mqtls__w_u8(wcur_t *w, uint8_t v)
{
    if (w->n < w->cap)
        w->buf[w->n] = v;
    w->n++;
}

void mqtls__w_u16(wcur_t *w, uint16_t v)
{
    mqtls__w_u8(w, (uint8_t)(v >> 8));
    mqtls__w_u8(w, (uint8_t)v);
}

void mqtls__w_u32(wcur_t *w, uint32_t v)
{
    mqtls__w_u16(w, (uint16_t)(v >> 16));
    mqtls__w_u16(w, (uint16_t)v);
}

void mqtls__w_vbi(wcur_t *w, uint32_t v)
{
    do {
        uint8_t b = (uint8_t)(v & 0x7Fu);
        v >>= 7;
        mqtls__w_u8(w, v ? (uint8_t)(b | 0x80u) : b);
    } while (v);
}

void mqtls__w_bytes(wcur_t *w, const void *p, size_t n)
{
    if (n && w->n <= w->cap && n <= w->cap - w->n)
        memcpy(w->buf + w->n, p, n);
    w->n += n;
}

void mqtls__w_str(wcur_t *w, const char *p, uint16_t n)
{
    mqtls__w_u16(w, n);
    mqtls__w_bytes(w, p, n);
}

mqtls_status_t mqtls__r_u8(rcur_t *r, uint8_t *v)
{
    if (r->cur >= r->end)
        return MQTLS_ERR_MALFORMED_LENGTH;
    *v = *r->cur++;
    return MQTLS_OK;
}

mqtls_status_t mqtls__r_u16(rcur_t *r, uint16_t *v)
{
    if (r->end - r->cur < 2)
        return MQTLS_ERR_MALFORMED_LENGTH;
    *v = (uint16_t)((r->cur[0] << 8) | r->cur[1]);
    r->cur += 2;
    return MQTLS_OK;
}

mqtls_status_t mqtls__r_u32(rcur_t *r, uint32_t *v)
{
    if (r->end - r->cur < 4)
        return MQTLS_ERR_MALFORMED_LENGTH;
    *v = ((uint32_t)r->cur[0] << 24) | ((uint32_t)r->cur[1] << 16) |
         ((uint32_t)r->cur[2] << 8) | r->cur[3];
    r->cur += 4;
    return MQTLS_OK;
}

/* A variable byte integer inside a packet (properties length, subscription id). The same
 * rules as the remaining length: at most 4 bytes, minimal encoding. */
mqtls_status_t mqtls__r_vbi(rcur_t *r, uint32_t *v)
{
    uint32_t val = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (r->cur >= r->end)
            return MQTLS_ERR_MALFORMED_LENGTH;
        uint8_t b = *r->cur++;
        val |= (uint32_t)(b & 0x7Fu) << (7 * i);
        if (!(b & 0x80u)) {
            if (i > 0 && b == 0)
                return MQTLS_ERR_MALFORMED_REMAINING_LENGTH; /* not minimal */
            *v = val;
            return MQTLS_OK;
        }
    }
    return MQTLS_ERR_MALFORMED_REMAINING_LENGTH;
}

mqtls_status_t mqtls__r_bin(rcur_t *r, mqtls_bin_t *b)
{
    uint16_t n;
    b->data = NULL;
    b->len = 0;
    if (mqtls__r_u16(r, &n) != MQTLS_OK || (size_t)(r->end - r->cur) < n)
        return MQTLS_ERR_MALFORMED_LENGTH;
    b->data = r->cur;
    b->len = n;
    r->cur += n;
    return MQTLS_OK;
}

mqtls_status_t mqtls__r_strn(rcur_t *r, mqtls_str_t *s)
{
    mqtls_bin_t b;
    mqtls_status_t st = mqtls__r_bin(r, &b);
    s->data = (const char *)b.data;
    s->len = b.len;
    return st;
}

mqtls_status_t mqtls__r_str(rcur_t *r, mqtls_str_t *s)
{
    mqtls_status_t st = mqtls__r_strn(r, s);
    return st != MQTLS_OK ? st : mqtls_utf8_check(s->data, s->len);
}
