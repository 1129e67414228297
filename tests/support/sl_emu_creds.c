/**
 * @file sl_emu_creds.c
 * @brief What the emulated secure socket offers and loads (see sl_emu.h): its credential
 *        files, read as the device reads them, and its cipher suites and ALPN list. Tests
 *        only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_emu_internal.h"

static bool is_pem(const uint8_t *b, size_t n)
{
    return n >= 10 && memcmp(b, "-----BEGIN", 10) == 0;
}

/* Loads one credential file. 0, 1 (none named), or @p missing / @p bad (the device's code).
 * CC3200 PEM refused: TI's only word on the CC3200's format is the "/cert/%d.der" naming;
 * "DER only" is third-party (Energia WiFiClientSecure: "SL_ESECBADCAFILE - Bad RootCA file
 * (needs DER binary format, not PEM)", index id 179322386). The CC3x20 takes "a valid
 * DER/PEM CA file" (SWRU455M Table 8-4). */
static int load_file(emu_sock_t *s, int slot, const char *name, uint8_t **buf, size_t *len,
                     int missing, int bad)
{
    char idname[32];
    if (s->by_id) {
        if (s->ids[slot] == 0)
            return 1; /* "0 = unused" (TI's SimpleLink Programmer readme example) */
        name = sl_emu_id_name(s->ids[slot], idname, sizeof idname);
    } else if (!name[0]) {
        return 1;
    }
    *buf = sl_emu_get(name, len);
    if (!*buf)
        return missing;
    if (sl_emu__device == SL_EMU_CC3200 && is_pem(*buf, *len))
        return bad;
    return 0;
}

/* SL_SEC_MASK_* bit -> suite (B-sock; bits 0-9 also A12, ports/simplelink/SOURCES.md §4b). Bits 0, 1
 * and 5 are RC4/MD5 suites no backend offers any more. */
static const struct {
    uint8_t bit;
    const char *iana;
} suites[] = {
    {2, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {3, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {4, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {6, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {7, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {8, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {9, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {10, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {11, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {12, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {13, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {14, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {15, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {16, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {17, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {18, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {19, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {20, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {21, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {22, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
};

/* The suites the socket offers that the linked TLS backend knows ("" if none; NULL: the
 * backend's default, for a CC3220 without a mask). A CC3200 offers bits 0-9 only, its
 * default mask (A12). */
const char *sl_emu__cipher_list(emu_sock_t *s)
{
    uint32_t mask = s->mask;
    size_t n = 0;
    if (sl_emu__device == SL_EMU_CC3200)
        mask = (mask ? mask : CC3200_MASK_BITS) & CC3200_MASK_BITS;
    else if (mask == 0)
        return NULL;
    s->ciphers[0] = '\0';
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (!(mask & (1u << suites[i].bit)) || !mqtls_tls_cipher_known(suites[i].iana))
            continue;
        n += (size_t)snprintf(s->ciphers + n, sizeof s->ciphers - n, "%s%s", n ? ":" : "",
                              suites[i].iana);
    }
    return s->ciphers;
}

/* SL_SECURE_ALPN_H1 … H2_16 = bits 0-4 (B-sock). */
void sl_emu__alpn_list(emu_sock_t *s)
{
    static const char *const names[] = {"http/1.1", "h2", "h2c", "h2-14", "h2-16"};
    int n = 0;
    for (int i = 0; i < 5; i++)
        if (s->alpn & (1u << i))
            s->alpn_list[n++] = names[i];
    s->alpn_list[n] = NULL;
}

/* The credential files, in the secure-files slots or by name. 0, or the device's code:
 * -454 for a CA file named but missing (TI: "CA file not found"; SWRU455M: "not in the
 * file system"); -456 for a CA id with no file (no TI text: a CC3200 field report, E2E
 * 363643: "If I set the secure files to a non-existing number, I get a different error
 * (-456)") and for a bad CA file; -457/-458 for a missing or bad certificate/key (TI names
 * only "bad Certificate file"/"bad private file"; nothing on missing ones). */
int sl_emu__load_files(emu_sock_t *s)
{
    int rc = load_file(s, SLOT_CA, s->ca, &s->ca_buf, &s->ca_len,
                       s->by_id ? E_SECBADCAFILE : E_SECNOCAFILE, E_SECBADCAFILE);
    if (rc < 0)
        return rc;
    rc = load_file(s, SLOT_CERT, s->cert, &s->cert_buf, &s->cert_len, E_SECBADCERTFILE,
                   E_SECBADCERTFILE);
    if (rc < 0)
        return rc;
    rc = load_file(s, SLOT_KEY, s->key, &s->key_buf, &s->key_len, E_SECBADPRIVATEFILE,
                   E_SECBADPRIVATEFILE);
    return rc < 0 ? rc : 0;
}
