/**
 * @file sl_emu.h
 * @brief A host emulation of the SimpleLink network processor, for tests only: the sl_
 *        calls the SimpleLink transport (ports/simplelink) and the example firmware make,
 *        implemented on POSIX sockets and the TLS transport (mqtls/transport_tls.h, on
 *        whichever backend is linked).
 *
 * It is not TI's SDK and is never linked into firmware. It emulates either chip and
 * follows what TI's headers, programmer's guide and forum answers say (each behaviour
 * cites its source in sl_emu*.c; the tags are listed in sl_emu_internal.h). Its numbers
 * are its own, written from TI's documentation, so a wrong constant in the port's header
 * fails against it.
 *
 *  - CC3220: credential files by name, DER or PEM; a trusted-root catalog besides the CA
 *    file; the CC32xx SDK's codes (-6xx/-7xx TLS library, -61xx DNS, -10xxx files).
 *  - CC3200: files by id in the secure-files slots ("/cert/<id>.der", DER only) or by name;
 *    no catalog; the CC3200 SDK 1.x's codes (SL_E…: -1xx/-2xx TLS library, -1xx DNS, small
 *    file-system numbers); SL_SEC_MASK_* bits 0-9 only; domain-name verification by option
 *    35 (host driver 1.0.1.6), no ALPN or catalog options.
 *
 * sl_Connect on a secure socket answers with the processor's codes (CC3220 / CC3200):
 *  - CA file named but missing: -454; a CA id with no file: -456; a bad CA file (PEM on a
 *    CC3200, not a certificate): -456
 *  - certificate file missing or bad: -457; key file missing, bad or not the
 *    certificate's key: -458
 *  - TCP refused/unreachable/timeout: -111/-101/-110
 *  - no suite of the mask to offer: -790 / -290, once TCP is connected
 *  - no answer within the handshake limit (sl_emu_set_handshake_timeout): -462
 *  - the server sent TLS alert N: -(300 + N)
 *  - then the server's chain, verified with the CA file:
 *    no CA named: -453 (connected without verification);
 *    the CA file does not sign the chain: -688 / -155, closed;
 *    the domain name set and not in the certificate: -722 / -222, closed;
 *    a date out of range: -461 (connected, but);
 *    CC3220 with the catalog in use: the root not in the catalog gives -468 (connected,
 *    but).
 * "Connected, but" sockets stay connected, as on the device; the caller decides.
 */
#ifndef MQTLS_SL_EMU_H
#define MQTLS_SL_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "mqtls/transport_tls.h"
#include "simplelink_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which processor to emulate. */
typedef enum sl_emu_device {
    SL_EMU_CC3220 = 0,
    SL_EMU_CC3200
} sl_emu_device_t;

/**
 * Starts a fresh device: closes every emulated socket and file, empties the catalog and
 * uses @p store_dir (created if missing, emptied) as the file store.
 * @return 0, or -1
 */
int sl_emu_reset(const char *store_dir, sl_emu_device_t device);

/** Copies the host file @p path into the store as @p name. @return 0, or -1 */
int sl_emu_put(const char *name, const char *path);

/** Stores @p len bytes as @p name. @return 0, or -1 */
int sl_emu_put_mem(const char *name, const void *data, size_t len);

/** Removes @p name from the store (no error if missing). */
void sl_emu_remove(const char *name);

/** Reads @p name from the store (malloc'd, NUL after the content). NULL if missing. */
uint8_t *sl_emu_get(const char *name, size_t *len);

/** The store's name of CC3200 secure-file id @p id: "/cert/<id>.der". */
const char *sl_emu_id_name(uint8_t id, char *buf, size_t size);

/** Adds the roots in @p path (PEM bundle or DER) to the trusted-root catalog. 0 or -1. */
int sl_emu_catalog_add(const char *path);

/** Empties the catalog. */
void sl_emu_catalog_clear(void);

/** The handshake evidence of the last secure connect that got that far (else zeroed). */
const mqtls_tls_evidence_t *sl_emu_evidence(void);

/** sl_emu_set_handshake_timeout(): no limit of the emulation's own (the default). */
#define SL_EMU_NO_HANDSHAKE_LIMIT UINT32_MAX

/**
 * How long an emulated TLS handshake may wait for the server before sl_Connect answers
 * -462 ("connection timed out due to handshake time"). TI documents the code but no
 * duration, so the emulation has none unless a test sets one; sl_emu_reset() restores
 * SL_EMU_NO_HANDSHAKE_LIMIT.
 */
void sl_emu_set_handshake_timeout(uint32_t ms);

/** Sockets currently open (sl_Socket without sl_Close). */
int sl_emu_open_sockets(void);

/** sl_FsOpen handles currently open. */
int sl_emu_open_files(void);

/** Calls of sl_FsWrite since the last reset (to see a re-provisioning). */
unsigned sl_emu_fs_writes(void);

#ifdef __cplusplus
}
#endif
#endif
