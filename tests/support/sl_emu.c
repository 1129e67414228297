/**
 * @file sl_emu.c
 * @brief The host emulation of the SimpleLink network processor (see sl_emu.h). Tests only.
 *
 * Each emulated secure socket wraps an mqtls_tls_t that runs the real handshake with
 * verification optional, so that a "connected, but" outcome can be emulated: the session
 * is up and the emulation then judges the chain the way the device does, from the
 * evidence alone (MQTLS_TLS_BAD_*, the chain kept), whichever TLS backend is linked.
 */
#include "sl_emu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>


/* The codes the emulation answers with (TI's errors.h). */
enum {
    E_SOC_ERROR = -1,
    E_BADF = -9,
    E_INVAL = -22,
    E_NOPROTOOPT = -92,
    E_PROTONOSUPPORT = -93,
    E_NETUNREACH = -101,
    E_ISCONN = -106,
    E_NOTCONN = -107,
    E_TIMEDOUT = -110,
    E_CONNREFUSED = -111,
    E_ALREADY = -114,
    E_SEC_ALERT_BASE = -300,
    E_SECGENERAL = -450,
    E_SECCLOSED = -452,
    E_SECSNOVERIFY = -453,
    E_SECNOCAFILE = -454,
    E_SECBADCAFILE = -456,
    E_SECBADCERTFILE = -457,
    E_SECBADPRIVATEFILE = -458,
    E_SECDATEERROR = -461,
    E_SECHANDSHAKETIMEDOUT = -462,
    E_SECUNKNOWNROOTCA = -468,
    E_SEC_ASN_NO_SIGNER = -688,
    E_SEC_ASN_SIG_CONFIRM_OLD = -155,
    E_SEC_DOMAIN_NAME_MISMATCH = -722,
    E_SEC_UNSUPPORTED_SUITE = -790,
    E_DNS_QUERY_FAILED = -6154,
    E_FS_FILE_NAME_EXIST = -10293,
    E_FS_FILE_NOT_EXISTS = -10341,
    E_FS_INVALID_HANDLE = -10349
};

enum { ES_NEW, ES_CONNECTING, ES_CONNECTED, ES_FAILED };

#define NAME_MAX_LEN 180 /* SL_FS_MAX_FILE_NAME_LENGTH */
#define MAX_FILES 4

typedef struct emu_sock {
    int state;
    bool nonblocking;
    bool store_off;
    bool by_id;
    uint8_t method;
    uint32_t mask;
    uint32_t alpn;
    uint8_t ids[4];
    char ca[NAME_MAX_LEN + 1], cert[NAME_MAX_LEN + 1], key[NAME_MAX_LEN + 1];
    char domain[256];
    char host[32];
    uint16_t port;
    mqtls_tls_t tls;
    mqtls_tls_cfg_t cfg;
    uint8_t *ca_buf, *cert_buf, *key_buf;
    size_t ca_len, cert_len, key_len;
    char ciphers[2048];
    const char *alpn_list[6];
    int16_t result;
} emu_sock_t;

typedef struct emu_file {
    bool used;
    int fd;
} emu_file_t;

static char store[512];
static sl_emu_device_t device;
static emu_sock_t *socks[SL_MAX_SOCKETS];
static emu_file_t files[MAX_FILES];
/* The trusted-root catalog: the SHA-256 of each root's DER. */
#define CATALOG_MAX 64
static uint8_t catalog[CATALOG_MAX][32];
static size_t catalog_len;
static mqtls_tls_evidence_t last_ev;
static mqtls_tls_cert_info_t last_chain[MQTLS_TLS_CHAIN_MAX], last_sent[MQTLS_TLS_CHAIN_MAX];
static unsigned fs_writes;

/* ------------------------------------------------------------------ the store */

/* A store name as a file in the store directory ('/' cannot be part of a file name). */
static void store_path(const char *name, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "%s/", store);
    for (const char *p = name; *p && n + 4 < size; p++) {
        if (*p == '/' || *p == '%') {
            n += (size_t)snprintf(out + n, size - n, "%%%02X", (unsigned char)*p);
        } else {
            out[n++] = *p;
            out[n] = '\0';
        }
    }
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

/* PEM anywhere in @p b (a bundle may start with comments). */
static bool is_pem_text(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 10 <= n; i++)
        if (memcmp(b + i, "-----BEGIN", 10) == 0)
            return true;
    return false;
}

int sl_emu_put_mem(const char *name, const void *data, size_t len)
{
    char path[1024];
    store_path(name, path, sizeof path);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

int sl_emu_put(const char *name, const char *path)
{
    size_t len;
    uint8_t *buf = read_all(path, &len);
    if (!buf)
        return -1;
    int rc = sl_emu_put_mem(name, buf, len);
    free(buf);
    return rc;
}

void sl_emu_remove(const char *name)
{
    char path[1024];
    store_path(name, path, sizeof path);
    (void)unlink(path);
}

uint8_t *sl_emu_get(const char *name, size_t *len)
{
    char path[1024];
    store_path(name, path, sizeof path);
    return read_all(path, len);
}

const char *sl_emu_id_name(uint8_t id, char *buf, size_t size)
{
    snprintf(buf, size, "/cert/%u.der", (unsigned)id);
    return buf;
}

/* ------------------------------------------------------------------ the device */

static void free_sock(int sd)
{
    emu_sock_t *s = socks[sd];
    if (!s)
        return;
    mqtls_tls_free(&s->tls);
    free(s->ca_buf);
    free(s->cert_buf);
    free(s->key_buf);
    free(s);
    socks[sd] = NULL;
}

void sl_emu_catalog_clear(void)
{
    catalog_len = 0;
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

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
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
    sha256(der, len, catalog[catalog_len++]);
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
    uint8_t *buf = read_all(path, &len);
    if (!buf)
        return -1;
    int rc = is_pem_text(buf, len) ? catalog_add_pem((const char *)buf) : catalog_put(buf, len);
    free(buf);
    return rc;
}

int sl_emu_reset(const char *store_dir, sl_emu_device_t dev)
{
    for (int i = 0; i < SL_MAX_SOCKETS; i++)
        free_sock(i);
    for (int i = 0; i < MAX_FILES; i++) {
        if (files[i].used)
            close(files[i].fd);
        files[i].used = false;
    }
    sl_emu_catalog_clear();
    memset(&last_ev, 0, sizeof last_ev);
    fs_writes = 0;
    device = dev;
    snprintf(store, sizeof store, "%s", store_dir);
    if (mkdir(store, 0700) != 0 && errno != EEXIST)
        return -1;
    DIR *d = opendir(store);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char p[1024];
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", store, e->d_name);
        (void)unlink(p);
    }
    closedir(d);
    return 0;
}

const mqtls_tls_evidence_t *sl_emu_evidence(void)
{
    return &last_ev;
}

int sl_emu_open_sockets(void)
{
    int n = 0;
    for (int i = 0; i < SL_MAX_SOCKETS; i++)
        n += socks[i] != NULL;
    return n;
}

int sl_emu_open_files(void)
{
    int n = 0;
    for (int i = 0; i < MAX_FILES; i++)
        n += files[i].used;
    return n;
}

unsigned sl_emu_fs_writes(void)
{
    return fs_writes;
}

static emu_sock_t *get_sock(_i16 sd)
{
    return (sd >= 0 && sd < SL_MAX_SOCKETS) ? socks[sd] : NULL;
}

/* ------------------------------------------------------------------ sockets */

_i16 sl_Socket(_i16 Domain, _i16 Type, _i16 Protocol)
{
    if (Domain != SL_AF_INET || Type != SL_SOCK_STREAM)
        return E_PROTONOSUPPORT;
    if (Protocol != SL_SEC_SOCKET)
        return E_PROTONOSUPPORT; /* the emulation has secure sockets only */
    for (int i = 0; i < SL_MAX_SOCKETS; i++) {
        if (socks[i])
            continue;
        emu_sock_t *s = calloc(1, sizeof *s);
        if (!s)
            return -12;
        mqtls_tls_init(&s->tls);
        s->method = SL_SO_SEC_METHOD_SSLv3_TLSV1_2;
        socks[i] = s;
        return (_i16)i;
    }
    return -10; /* SL_ERROR_BSD_ENSOCK */
}

_i16 sl_Close(_i16 sd)
{
    if (!get_sock(sd))
        return E_BADF;
    free_sock(sd);
    return 0;
}

static void copy_name(char *dst, size_t size, const void *val, SlSocklen_t len)
{
    size_t n = len < size - 1 ? len : size - 1;
    if (n)
        memcpy(dst, val, n);
    dst[n] = '\0';
}

static uint32_t u32_of(const void *val, SlSocklen_t len)
{
    uint32_t v = 0;
    if (val)
        memcpy(&v, val, len < sizeof v ? len : sizeof v);
    return v;
}

_i16 sl_SetSockOpt(_i16 sd, _i16 level, _i16 optname, const void *optval, SlSocklen_t optlen)
{
    emu_sock_t *s = get_sock(sd);
    if (!s)
        return E_BADF;
    if (level != SL_SOL_SOCKET || (!optval && optlen))
        return E_INVAL;
    bool cc3220 = device == SL_EMU_CC3220;
    switch (optname) {
    case SL_SO_NONBLOCKING:
        s->nonblocking = u32_of(optval, optlen) != 0;
        return 0;
    case SL_SO_SECMETHOD:
        if (optlen != 1)
            return E_INVAL;
        s->method = *(const uint8_t *)optval;
        return 0;
    case SL_SO_SECURE_MASK:
        s->mask = u32_of(optval, optlen);
        return 0;
    case SL_SO_SECURE_FILES:
        if (optlen != 4)
            return E_INVAL;
        memcpy(s->ids, optval, 4);
        s->by_id = true;
        return 0;
    case SL_SO_SECURE_FILES_PRIVATE_KEY_FILE_NAME:
        copy_name(s->key, sizeof s->key, optval, optlen);
        return 0;
    case SL_SO_SECURE_FILES_CERTIFICATE_FILE_NAME:
        copy_name(s->cert, sizeof s->cert, optval, optlen);
        return 0;
    case SL_SO_SECURE_FILES_CA_FILE_NAME:
        copy_name(s->ca, sizeof s->ca, optval, optlen);
        return 0;
    case SL_SO_SECURE_DISABLE_CERTIFICATE_STORE:
        if (!cc3220)
            return E_NOPROTOOPT;
        s->store_off = true;
        return 0;
    case SL_SO_SECURE_ALPN:
        if (!cc3220)
            return E_NOPROTOOPT;
        s->alpn = u32_of(optval, optlen);
        return 0;
    case SL_SO_SECURE_DOMAIN_NAME_VERIFICATION:
        if (!cc3220)
            return E_NOPROTOOPT;
        copy_name(s->domain, sizeof s->domain, optval, optlen);
        return 0;
    default:
        return E_NOPROTOOPT;
    }
}

/* ---- credentials as the device checks them ---- */

static bool is_pem(const uint8_t *b, size_t n)
{
    return n >= 10 && memcmp(b, "-----BEGIN", 10) == 0;
}

/* Loads one credential file. 0, or @p missing / @p bad (the device's code). */
static int load_file(emu_sock_t *s, int slot, const char *name, uint8_t **buf, size_t *len,
                     int missing, int bad)
{
    char idname[32];
    if (s->by_id) {
        if (s->ids[slot] == 0)
            return 1; /* not named */
        name = sl_emu_id_name(s->ids[slot], idname, sizeof idname);
    } else if (!name[0]) {
        return 1;
    }
    *buf = sl_emu_get(name, len);
    if (!*buf)
        return missing;
    if (device == SL_EMU_CC3200 && is_pem(*buf, *len))
        return bad; /* DER only */
    return 0;
}

static const struct {
    uint32_t bit;
    const char *iana;
} suites[] = {
    {SL_SEC_MASK_TLS_RSA_WITH_AES_256_CBC_SHA, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {SL_SEC_MASK_TLS_DHE_RSA_WITH_AES_256_CBC_SHA, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {SL_SEC_MASK_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {SL_SEC_MASK_TLS_RSA_WITH_AES_128_CBC_SHA256, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {SL_SEC_MASK_TLS_RSA_WITH_AES_256_CBC_SHA256, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {SL_SEC_MASK_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
     "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {SL_SEC_MASK_TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {SL_SEC_MASK_TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {SL_SEC_MASK_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {SL_SEC_MASK_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {SL_SEC_MASK_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {SL_SEC_MASK_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {SL_SEC_MASK_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {SL_SEC_MASK_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
     "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
};

/* The cipher suites of the mask that the linked TLS backend knows (NULL: the default). */
static const char *cipher_list(emu_sock_t *s)
{
    size_t n = 0;
    if (s->mask == 0)
        return NULL;
    s->ciphers[0] = '\0';
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (!(s->mask & suites[i].bit) || !mqtls_tls_cipher_known(suites[i].iana))
            continue;
        n += (size_t)snprintf(s->ciphers + n, sizeof s->ciphers - n, "%s%s", n ? ":" : "",
                              suites[i].iana);
    }
    return s->ciphers;
}

static void alpn_list(emu_sock_t *s)
{
    static const char *const names[] = {"http/1.1", "h2", "h2c", "h2-14", "h2-16"};
    int n = 0;
    for (int i = 0; i < 5; i++)
        if (s->alpn & (1u << i))
            s->alpn_list[n++] = names[i];
    s->alpn_list[n] = NULL;
}

/* Reads the files and sets up the TLS context. 0, or the device's code. */
static int prepare(emu_sock_t *s)
{
    int rc = load_file(s, SL_BSD_SECURED_CA_IDX, s->ca, &s->ca_buf, &s->ca_len,
                       s->by_id ? E_SECBADCAFILE : E_SECNOCAFILE, E_SECBADCAFILE);
    if (rc < 0)
        return rc;
    rc = load_file(s, SL_BSD_SECURED_CERTIFICATE_IDX, s->cert, &s->cert_buf, &s->cert_len,
                   E_SECBADCERTFILE, E_SECBADCERTFILE);
    if (rc < 0)
        return rc;
    rc = load_file(s, SL_BSD_SECURED_PRIVATE_KEY_IDX, s->key, &s->key_buf, &s->key_len,
                   E_SECBADPRIVATEFILE, E_SECBADPRIVATEFILE);
    if (rc < 0)
        return rc;
    memset(&s->cfg, 0, sizeof s->cfg);
    s->cfg.ca_mem = s->ca_buf;
    s->cfg.ca_mem_len = s->ca_len;
    s->cfg.cert_mem = s->cert_buf;
    s->cfg.cert_mem_len = s->cert_len;
    s->cfg.key_mem = s->key_buf;
    s->cfg.key_mem_len = s->key_len;
    s->cfg.min_version = s->cfg.max_version = MQTLS_TLS_V1_2;
    s->cfg.ciphers = cipher_list(s);
    if (s->ciphers[0] == '\0' && s->mask != 0)
        return E_SEC_UNSUPPORTED_SUITE;
    alpn_list(s);
    s->cfg.alpn = s->alpn_list[0] ? s->alpn_list : NULL;
    s->cfg.server_name = s->domain[0] ? s->domain : NULL;
    s->cfg.handshake_timeout_ms = 10000;
    s->cfg.insecure = true; /* the emulation judges the chain itself, after the handshake */
    s->cfg.keep_chain = true; /* from the evidence: the catalog check needs the chain */
    mqtls_status_t st = mqtls_tls_setup(&s->tls, &s->cfg);
    if (st == MQTLS_OK)
        return 0;
    switch (mqtls_tls_evidence(&s->tls)->item) {
    case MQTLS_TLS_ITEM_CA: return E_SECBADCAFILE;
    case MQTLS_TLS_ITEM_CERT: return E_SECBADCERTFILE;
    case MQTLS_TLS_ITEM_KEY: return E_SECBADPRIVATEFILE;
    default: return E_SECGENERAL;
    }
}

/* Is a root of the catalog in the chain verification built (with the CA file)? That is
 * what verifying the chain again with the catalog as trust store finds: NOT_TRUSTED there
 * means -468. */
static bool catalog_trusts(const mqtls_tls_evidence_t *e)
{
    for (unsigned i = 0; e->chain && i < e->chain_len; i++)
        for (size_t k = 0; k < catalog_len; k++)
            if (memcmp(e->chain[i].sha256, catalog[k], 32) == 0)
                return true;
    return false;
}

/* Verification failures that mean "the CA file does not sign the chain". */
#define BAD_CHAIN                                                                           \
    (MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_NO_ISSUER | MQTLS_TLS_BAD_SELF_SIGNED |        \
     MQTLS_TLS_BAD_SIGNATURE | MQTLS_TLS_BAD_NOT_CA | MQTLS_TLS_BAD_PATH_LEN |              \
     MQTLS_TLS_BAD_OTHER)

/* The session is up: how the device judges it. */
static int judge(emu_sock_t *s)
{
    const mqtls_tls_evidence_t *e = mqtls_tls_evidence(&s->tls);
    uint32_t f = e->problems;
    bool has_ca = s->ca_buf != NULL;
    if (!has_ca)
        return E_SECSNOVERIFY;
    if (f & BAD_CHAIN)
        return device == SL_EMU_CC3200 ? E_SEC_ASN_SIG_CONFIRM_OLD : E_SEC_ASN_NO_SIGNER;
    if (s->domain[0] && (f & MQTLS_TLS_BAD_NAME))
        return E_SEC_DOMAIN_NAME_MISMATCH;
    if (f & (MQTLS_TLS_BAD_EXPIRED | MQTLS_TLS_BAD_FUTURE))
        return E_SECDATEERROR;
    if (device == SL_EMU_CC3220 && !s->store_off && !catalog_trusts(e))
        return E_SECUNKNOWNROOTCA;
    return 0;
}

/* A failed attempt of the TLS transport in the device's words. */
static int failure_code(emu_sock_t *s, mqtls_status_t st)
{
    const mqtls_tls_evidence_t *e = mqtls_tls_evidence(&s->tls);
    if (e->stage == MQTLS_TLS_STAGE_TCP) {
        switch (st) {
        case MQTLS_ERR_CONNECT_REFUSED: return E_CONNREFUSED;
        case MQTLS_ERR_UNREACHABLE: return E_NETUNREACH;
        case MQTLS_ERR_TIMEOUT: return E_TIMEDOUT;
        default: return E_SOC_ERROR;
        }
    }
    if (e->alert_received >= 0)
        return E_SEC_ALERT_BASE - e->alert_received;
    if (st == MQTLS_ERR_TIMEOUT)
        return E_SECHANDSHAKETIMEDOUT;
    if (st == MQTLS_ERR_CLOSED || st == MQTLS_ERR_IO)
        return E_SECCLOSED;
    return E_SECGENERAL;
}

/* A copy of @p e that outlives the socket (its certificates copied too). */
static void keep_evidence(const mqtls_tls_evidence_t *e)
{
    last_ev = *e;
    last_ev.chain = last_ev.sent = NULL;
    if (e->chain) {
        memcpy(last_chain, e->chain, e->chain_len * sizeof e->chain[0]);
        last_ev.chain = last_chain;
    }
    if (e->sent) {
        memcpy(last_sent, e->sent, e->sent_len * sizeof e->sent[0]);
        last_ev.sent = last_sent;
    }
}

/* One step of the handshake; the result once it is over. */
static int step(emu_sock_t *s)
{
    mqtls_status_t st = mqtls_tls_transport.connect(&s->tls, s->host, s->port);
    if (st == MQTLS_IN_PROGRESS)
        return E_ALREADY;
    keep_evidence(mqtls_tls_evidence(&s->tls));
    if (st != MQTLS_OK) {
        s->state = ES_FAILED;
        return failure_code(s, st);
    }
    s->state = ES_CONNECTED;
    return judge(s);
}

_i16 sl_Connect(_i16 sd, const SlSockAddr_t *addr, _i16 addrlen)
{
    emu_sock_t *s = get_sock(sd);
    if (!s)
        return E_BADF;
    if (s->state == ES_CONNECTED)
        return E_ISCONN;
    if (s->state == ES_FAILED)
        return E_SOC_ERROR;
    if (s->state == ES_NEW) {
        const SlSockAddrIn_t *in = (const SlSockAddrIn_t *)(const void *)addr;
        if (!addr || addrlen < (_i16)sizeof *in || in->sin_family != SL_AF_INET)
            return E_INVAL;
        const uint8_t *ip = (const uint8_t *)&in->sin_addr.s_addr;
        const uint8_t *pt = (const uint8_t *)&in->sin_port;
        snprintf(s->host, sizeof s->host, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        s->port = (uint16_t)((pt[0] << 8) | pt[1]);
        memset(&last_ev, 0, sizeof last_ev);
        int rc = prepare(s);
        if (rc != 0) {
            s->state = ES_FAILED;
            return (_i16)rc;
        }
        s->state = ES_CONNECTING;
    }
    int rc = step(s);
    while (rc == E_ALREADY && !s->nonblocking) {
        (void)mqtls_tls_transport.wait(&s->tls, 0, 100);
        rc = step(s);
    }
    return (_i16)rc;
}

_i16 sl_Send(_i16 sd, const void *pBuf, _i16 Len, _i16 flags)
{
    emu_sock_t *s = get_sock(sd);
    (void)flags;
    if (!s)
        return E_BADF;
    if (s->state != ES_CONNECTED)
        return E_NOTCONN;
    if (Len <= 0)
        return E_INVAL;
    for (;;) {
        mqtls_iov_t iov = {pBuf, (size_t)Len};
        int32_t n = mqtls_tls_transport.send(&s->tls, &iov, 1);
        if (n > 0)
            return (_i16)n;
        if (n < 0)
            return n == -(int32_t)MQTLS_ERR_CLOSED ? E_SECCLOSED : E_SOC_ERROR;
        if (s->nonblocking)
            return SL_ERROR_BSD_EAGAIN;
        (void)mqtls_tls_transport.wait(&s->tls, 1, 100);
    }
}

_i16 sl_Recv(_i16 sd, void *pBuf, _i16 Len, _i16 flags)
{
    emu_sock_t *s = get_sock(sd);
    (void)flags;
    if (!s)
        return E_BADF;
    if (s->state != ES_CONNECTED)
        return E_NOTCONN;
    if (Len <= 0)
        return E_INVAL;
    for (;;) {
        int32_t n = mqtls_tls_transport.recv(&s->tls, pBuf, (size_t)Len);
        if (n > 0)
            return (_i16)n;
        if (n < 0)
            return n == -(int32_t)MQTLS_ERR_CLOSED ? 0 : E_SOC_ERROR;
        if (s->nonblocking)
            return SL_ERROR_BSD_EAGAIN;
        (void)mqtls_tls_transport.wait(&s->tls, 0, 100);
    }
}

void SL_SOCKET_FD_SET(_i16 fd, SlFdSet_t *fdset)
{
    if (fdset && fd >= 0 && fd < SL_FD_SETSIZE)
        fdset->fd_array[fd / 32] |= (_u32)1u << (fd % 32);
}

void SL_SOCKET_FD_CLR(_i16 fd, SlFdSet_t *fdset)
{
    if (fdset && fd >= 0 && fd < SL_FD_SETSIZE)
        fdset->fd_array[fd / 32] &= ~((_u32)1u << (fd % 32));
}

_i16 SL_SOCKET_FD_ISSET(_i16 fd, SlFdSet_t *fdset)
{
    if (!fdset || fd < 0 || fd >= SL_FD_SETSIZE)
        return 0;
    return (fdset->fd_array[fd / 32] & ((_u32)1u << (fd % 32))) ? 1 : 0;
}

void SL_SOCKET_FD_ZERO(SlFdSet_t *fdset)
{
    memset(fdset, 0, sizeof *fdset);
}

/* What poll must watch for socket @p s; false if nothing can become ready. */
static bool poll_events(emu_sock_t *s, bool rd, bool wr, short *events, bool *ready_now)
{
    *events = 0;
    *ready_now = false;
    if (s->state == ES_CONNECTING) {
        if (!wr)
            return false;
        /* The handshake waits for what it wants next; a TCP connect waits to be writable. */
        bool want_write = s->tls.state == 1 /* ST_TCP */ || s->tls.hs_want_write;
        *events = want_write ? POLLOUT : POLLIN;
    } else if (s->state == ES_CONNECTED) {
        /* Decrypted bytes may already wait inside the TLS library: a zero wait tells. */
        if (rd && mqtls_tls_transport.wait(&s->tls, 0, 0) == MQTLS_OK)
            *ready_now = true;
        *events = (short)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0));
    } else {
        return false;
    }
    return mqtls_tls_fd(&s->tls) >= 0;
}

_i16 sl_Select(_i16 nfds, SlFdSet_t *readsds, SlFdSet_t *writesds, SlFdSet_t *exceptsds,
               struct SlTimeval_t *timeout)
{
    struct pollfd p[SL_MAX_SOCKETS];
    int sd_of[SL_MAX_SOCKETS], n = 0, ready = 0;
    SlFdSet_t rin, win;
    SL_SOCKET_FD_ZERO(&rin);
    SL_SOCKET_FD_ZERO(&win);
    if (readsds) {
        rin = *readsds;
        SL_SOCKET_FD_ZERO(readsds);
    }
    if (writesds) {
        win = *writesds;
        SL_SOCKET_FD_ZERO(writesds);
    }
    if (exceptsds)
        SL_SOCKET_FD_ZERO(exceptsds);
    for (int sd = 0; sd < nfds && sd < SL_MAX_SOCKETS; sd++) {
        bool rd = SL_SOCKET_FD_ISSET((_i16)sd, &rin), wr = SL_SOCKET_FD_ISSET((_i16)sd, &win);
        emu_sock_t *s = socks[sd];
        short ev;
        bool now;
        if ((!rd && !wr) || !s || !poll_events(s, rd, wr, &ev, &now))
            continue;
        if (now) {
            SL_SOCKET_FD_SET((_i16)sd, readsds);
            ready++;
        }
        p[n].fd = mqtls_tls_fd(&s->tls);
        p[n].events = ev;
        p[n].revents = 0;
        sd_of[n++] = sd;
    }
    int ms = -1;
    if (timeout) {
        long t = (long)timeout->tv_sec * 1000L + (long)timeout->tv_usec / 1000L;
        ms = t < 10 ? 10 : (int)t; /* the device's minimum is 10 ms */
    }
    if (ready)
        ms = 0;
    if (poll(p, (nfds_t)n, ms) < 0)
        return errno == EINTR ? 0 : E_SOC_ERROR;
    for (int i = 0; i < n; i++) {
        if (!p[i].revents)
            continue;
        emu_sock_t *s = socks[sd_of[i]];
        bool rd = SL_SOCKET_FD_ISSET((_i16)sd_of[i], &rin);
        if (s->state == ES_CONNECTING || !rd) {
            SL_SOCKET_FD_SET((_i16)sd_of[i], writesds);
            ready++;
        } else if (!SL_SOCKET_FD_ISSET((_i16)sd_of[i], readsds)) {
            SL_SOCKET_FD_SET((_i16)sd_of[i], readsds);
            ready++;
        }
    }
    return (_i16)ready;
}

/* ------------------------------------------------------------------ DNS, random */

_i16 sl_NetAppDnsGetHostByName(_i8 *pHostName, const _u16 NameLen, _u32 *OutIpAddr,
                               const _u8 Family)
{
    char name[256];
    struct addrinfo hints, *res = NULL;
    if (Family != SL_AF_INET || NameLen >= sizeof name)
        return E_INVAL;
    memcpy(name, pHostName, NameLen);
    name[NameLen] = '\0';
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
        return E_DNS_QUERY_FAILED;
    const uint8_t *a = (const uint8_t *)&((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr;
    *OutIpAddr = ((_u32)a[0] << 24) | ((_u32)a[1] << 16) | ((_u32)a[2] << 8) | a[3];
    freeaddrinfo(res);
    return 0;
}

_i16 sl_NetUtilGet(const _u16 Option, const _u32 ObjID, _u8 *pValues, _u16 *pValueLen)
{
    (void)ObjID;
    if (Option != SL_NETUTIL_TRUE_RANDOM || !pValues || !pValueLen)
        return E_INVAL;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0)
        return E_SOC_ERROR;
    ssize_t n = read(fd, pValues, *pValueLen);
    close(fd);
    if (n < 0)
        return E_SOC_ERROR;
    *pValueLen = (_u16)n;
    return 0;
}

/* ------------------------------------------------------------------ the file system */

_i32 sl_FsOpen(const _u8 *pFileName, const _u32 AccessModeAndMaxSize, _u32 *pToken)
{
    char path[1024];
    int slot = -1, flags;
    (void)pToken;
    for (int i = 0; i < MAX_FILES && slot < 0; i++)
        if (!files[i].used)
            slot = i;
    if (slot < 0)
        return -10316; /* SL_ERROR_FS_MAX_OPENED_FILE_EXCEEDED */
    store_path((const char *)pFileName, path, sizeof path);
    if (AccessModeAndMaxSize & SL_FS_CREATE) {
        flags = O_WRONLY | O_CREAT | O_TRUNC;
        if (!(AccessModeAndMaxSize & SL_FS_OVERWRITE))
            flags |= O_EXCL;
    } else if (AccessModeAndMaxSize & SL_FS_WRITE) {
        flags = O_WRONLY | O_TRUNC;
    } else {
        flags = O_RDONLY;
    }
    int fd = open(path, flags, 0600);
    if (fd < 0)
        return errno == EEXIST ? E_FS_FILE_NAME_EXIST : E_FS_FILE_NOT_EXISTS;
    files[slot].used = true;
    files[slot].fd = fd;
    return slot;
}

_i16 sl_FsClose(const _i32 FileHdl, const _u8 *pCeritificateFileName, const _u8 *pSignature,
                const _u32 SignatureLen)
{
    (void)pCeritificateFileName;
    (void)pSignature;
    (void)SignatureLen;
    if (FileHdl < 0 || FileHdl >= MAX_FILES || !files[FileHdl].used)
        return E_FS_INVALID_HANDLE;
    close(files[FileHdl].fd);
    files[FileHdl].used = false;
    return 0;
}

_i32 sl_FsWrite(const _i32 FileHdl, _u32 Offset, _u8 *pData, _u32 Len)
{
    if (FileHdl < 0 || FileHdl >= MAX_FILES || !files[FileHdl].used)
        return E_FS_INVALID_HANDLE;
    ssize_t n = pwrite(files[FileHdl].fd, pData, Len, (off_t)Offset);
    fs_writes++;
    return n < 0 ? E_SOC_ERROR : (_i32)n;
}

_i16 sl_FsGetInfo(const _u8 *pFileName, const _u32 Token, SlFsFileInfo_t *pFsFileInfo)
{
    char path[1024];
    struct stat st;
    (void)Token;
    store_path((const char *)pFileName, path, sizeof path);
    if (stat(path, &st) != 0)
        return (_i16)E_FS_FILE_NOT_EXISTS;
    memset(pFsFileInfo, 0, sizeof *pFsFileInfo);
    pFsFileInfo->Len = (_u32)st.st_size;
    pFsFileInfo->MaxSize = (_u32)st.st_size;
    return 0;
}
