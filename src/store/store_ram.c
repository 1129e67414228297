/**
 * @file store_ram.c
 * @brief A message store in a caller-provided RAM area: [id:2][len:4][packet] records,
 *        kept in arrival order and compacted on removal.
 */
#include <string.h>

#include "mqtls/client.h"

#define REC_HDR 6u

static size_t rec_len(const uint8_t *r)
{
    return ((size_t)r[2] << 24) | ((size_t)r[3] << 16) | ((size_t)r[4] << 8) | r[5];
}

static uint8_t *find(mqtls_ram_store_t *rs, uint16_t id)
{
    size_t off = 0;
    while (off < rs->used) {
        uint8_t *r = rs->buf + off;
        if ((uint16_t)((r[0] << 8) | r[1]) == id)
            return r;
        off += REC_HDR + rec_len(r);
    }
    return NULL;
}

static void ram_remove(void *ctx, uint16_t id)
{
    mqtls_ram_store_t *rs = ctx;
    uint8_t *r = find(rs, id);
    if (!r)
        return;
    size_t n = REC_HDR + rec_len(r);
    size_t tail = rs->used - (size_t)(r - rs->buf) - n;
    memmove(r, r + n, tail);
    rs->used -= n;
}

static mqtls_status_t ram_put(void *ctx, uint16_t id, const mqtls_iov_t *iov, size_t n)
{
    mqtls_ram_store_t *rs = ctx;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += iov[i].len;
    uint8_t *old = find(rs, id);
    size_t freed = old ? REC_HDR + rec_len(old) : 0;
    if (REC_HDR + len > rs->size - rs->used + freed)
        return MQTLS_ERR_STORE; /* refused: the old record stays */
    ram_remove(ctx, id);
    uint8_t *r = rs->buf + rs->used;
    r[0] = (uint8_t)(id >> 8);
    r[1] = (uint8_t)id;
    r[2] = (uint8_t)(len >> 24);
    r[3] = (uint8_t)(len >> 16);
    r[4] = (uint8_t)(len >> 8);
    r[5] = (uint8_t)len;
    r += REC_HDR;
    for (size_t i = 0; i < n; i++) {
        if (iov[i].len)
            memcpy(r, iov[i].base, iov[i].len);
        r += iov[i].len;
    }
    rs->used += REC_HDR + len;
    return MQTLS_OK;
}

static mqtls_status_t ram_get(void *ctx, uint16_t id, const uint8_t **pkt, size_t *len)
{
    uint8_t *r = find(ctx, id);
    if (!r)
        return MQTLS_ERR_STORE;
    *pkt = r + REC_HDR;
    *len = rec_len(r);
    return MQTLS_OK;
}

const mqtls_store_t mqtls_ram_store = {ram_put, ram_get, ram_remove, NULL, NULL};

void mqtls_ram_store_init(mqtls_ram_store_t *rs, uint8_t *buf, size_t size)
{
    rs->buf = buf;
    rs->size = buf ? size : 0;
    rs->used = 0;
}
