/**
 * @file sl_emu_catalog.c
 * @brief The emulated CC3220's trusted-root catalog (see sl_emu.h). Tests only.
 *
 * TI: the catalog is a TI-signed list of root-CA digests flashed with the image; "The
 * catalog doesn't contain the full content of the certificate but only its digest" (TI,
 * E2E 1208862). The emulation keeps the SHA-256 of each root's DER, so a root is known by
 * its fingerprint whatever TLS backend is linked. The CC3200 has no catalog (no -467/-468
 * in its SDK headers A10/A12); sl_emu.c consults it only in CC3220 mode.
 */
#include <stdlib.h>
#include <string.h>

#include "sl_emu_internal.h"

/* The trusted-root catalog: the SHA-256 of each root's DER. */
#define CATALOG_MAX 64
static uint8_t catalog[CATALOG_MAX][32];
static size_t catalog_len;

void sl_emu_catalog_clear(void)
{
    catalog_len = 0;
}

bool sl_emu__catalog_has(const uint8_t fingerprint[32])
{
    for (size_t k = 0; k < catalog_len; k++)
        if (memcmp(fingerprint, catalog[k], 32) == 0)
            return true;
    return false;
}

/* ---- SHA-256 (FIPS 180-4), to know a root by its fingerprint whatever the backend ---- */

typedef struct sha256 {
    uint32_t h[8];
    uint8_t block[64];
    size_t used;
    uint64_t bits;
} sha256_t;

static uint32_t ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_block(sha256_t *c)
{
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64], v[8];
    for (size_t i = 0; i < 16; i++)
        w[i] = (uint32_t)c->block[4 * i] << 24 | (uint32_t)c->block[4 * i + 1] << 16 |
               (uint32_t)c->block[4 * i + 2] << 8 | c->block[4 * i + 3];
    for (int i = 16; i < 64; i++)
        w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 7] +
               (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
    memcpy(v, c->h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
                      ((v[4] & v[5]) ^ (~v[4] & v[6])) + k[i] + w[i];
        uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
                      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        c->h[i] += v[i];
}

static void sha256_add(sha256_t *c, const uint8_t *p, size_t n)
{
    c->bits += (uint64_t)n * 8;
    while (n--) {
        c->block[c->used++] = *p++;
        if (c->used == 64) {
            sha256_block(c);
            c->used = 0;
        }
    }
}

static void sha256_of(const uint8_t *p, size_t n, uint8_t out[32])
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    sha256_t c = {.used = 0, .bits = 0};
    memcpy(c.h, h0, sizeof h0);
    sha256_add(&c, p, n);
    uint64_t bits = c.bits;
    uint8_t pad = 0x80, len[8];
    sha256_add(&c, &pad, 1);
    pad = 0;
    while (c.used != 56)
        sha256_add(&c, &pad, 1);
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_add(&c, len, 8);
    for (size_t i = 0; i < 8; i++)
        for (size_t j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(c.h[i] >> (24 - 8 * j));
}

/* ---- the catalog's roots: PEM certificates (or one DER) to fingerprints ---- */

static int b64_value(char ch)
{
    const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *at = ch ? strchr(abc, ch) : NULL;
    return at ? (int)(at - abc) : -1;
}

/* Base64 from @p p to @p end into @p out (white space skipped, '=' ends). */
static size_t b64_decode(const char *p, const char *end, uint8_t *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; p < end && *p != '='; p++) {
        int v = b64_value(*p);
        if (v < 0)
            continue;
        acc = acc << 6 | (uint32_t)v;
        if ((bits += 6) >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return n;
}

static int catalog_put(const uint8_t *der, size_t len)
{
    if (catalog_len == CATALOG_MAX || len == 0)
        return -1;
    sha256_of(der, len, catalog[catalog_len++]);
    return 0;
}

static int catalog_add_pem(const char *text)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----", end_tag[] = "-----END";
    int added = 0;
    for (const char *p = strstr(text, begin); p; p = strstr(p, begin)) {
        p += sizeof begin - 1;
        const char *end = strstr(p, end_tag);
        if (!end)
            return -1;
        uint8_t *der = malloc((size_t)(end - p));
        int rc = der ? catalog_put(der, b64_decode(p, end, der)) : -1;
        free(der);
        if (rc != 0)
            return -1;
        added++;
        p = end;
    }
    return added ? 0 : -1;
}

int sl_emu_catalog_add(const char *path)
{
    size_t len;
    uint8_t *buf = tf_read_file(path, &len);
    if (!buf)
        return -1;
    int rc = sl_emu__is_pem_text(buf, len) ? catalog_add_pem((const char *)buf)
                                           : catalog_put(buf, len);
    free(buf);
    return rc;
}
