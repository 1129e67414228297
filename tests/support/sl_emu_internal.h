/**
 * @file sl_emu_internal.h
 * @brief What the parts of the SimpleLink emulation share (sl_emu.c: sockets; sl_emu_fs.c:
 *        the file store and sl_Fs*; sl_emu_catalog.c: the trusted-root catalog). Tests only.
 *
 * TI sources cited in the emulation (tags of /work/prompts/ti-research.md, §0):
 *  - A12: CC3200 SDK 1.x `socket.h`, host driver 1.0.1.6 (SiarheiVolkau/CC3200-Linux-SDK
 *    src/simplelink/include/socket.h); A12b: the same SDK's `socket.h`/`netapp.h`
 *    (yhpan0613/SimpleLink-CC3200 simplelink/include/); CC3200 `fs.h`: index id 676028055.
 *  - B-err: CC32xx SDK `errors.h` (index id 1153060292); B-sock: CC32xx SDK `sl_socket.h`
 *    (zephyrproject-rtos/hal_ti simplelink/source/ti/drivers/net/wifi/sl_socket.h).
 *  - SWRU455M: CC3x20 Network Processor Programmer's Guide, Table 8-4.
 *  - E2E nnn: TI's E2E forum thread nnn (e2e.ti.com/.../wi-fi-forum/nnn/).
 */
#ifndef MQTLS_SL_EMU_INTERNAL_H
#define MQTLS_SL_EMU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_emu.h"

/* The codes that differ between the chips: the CC3220 moved the TLS library's codes by
 * -500 and the DNS and file-system codes to their own blocks (ti-research.md §1b, §2, §3). */
typedef struct sl_emu_codes {
    int16_t sig_confirm;       /* the CA file does not sign the server's chain */
    int16_t domain_mismatch;   /* the name set for verification is not the certificate's */
    int16_t unsupported_suite; /* the mask leaves no suite to offer */
    int16_t dns_failed;        /* no DNS server sent an answer */
    int16_t fs_not_exists;     /* sl_FsOpen/sl_FsGetInfo: no such file */
    int16_t fs_name_exist;     /* sl_FsOpen create without overwrite: the name exists */
    int16_t fs_invalid_handle; /* sl_FsWrite/sl_FsClose: not an open file */
    int16_t fs_max_opened;     /* sl_FsOpen: every file slot in use */
} sl_emu_codes_t;

/** The emulated chip (sl_emu_reset). */
extern sl_emu_device_t sl_emu__device;

/** The codes of the emulated chip. */
const sl_emu_codes_t *sl_emu__codes(void);

/** The host path of store name @p name. */
void sl_emu__store_path(const char *name, char *out, size_t size);

/** A whole host file (malloc'd, NUL after the content), or NULL. */
uint8_t *sl_emu__read_all(const char *path, size_t *len);

/** PEM text anywhere in @p b (a bundle may start with comments). */
bool sl_emu__is_pem_text(const uint8_t *b, size_t n);

/** Empties the store directory and closes the open files. 0, or -1. */
int sl_emu__fs_reset(const char *store_dir);

/** Is the root with this SHA-256 fingerprint (of its DER) in the catalog? */
bool sl_emu__catalog_has(const uint8_t fingerprint[32]);

#endif
