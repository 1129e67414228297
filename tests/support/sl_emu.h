/**
 * @file sl_emu.h
 * @brief A host emulation of the SimpleLink network processor, for tests only: the sl_
 *        calls the SimpleLink transport (ports/simplelink) and the example firmware make,
 *        implemented on POSIX sockets and the TLS transport (mqtls/transport_tls.h, on
 *        whichever backend is linked).
 *
 * It is not TI's SDK and is never linked into firmware. It models what the CC32xx
 * documentation and field reports say the processor does, so that the transport and the
 * code explanations can be tested against real brokers:
 *
 *  - a file store (a directory): credential files by name (CC3220) or by id (CC3200, the
 *    file "/cert/<id>.der"), written by sl_emu_put() or by sl_FsOpen/sl_FsWrite;
 *  - a trusted-root catalog (CC3220): the roots the device trusts besides the CA file.
 *
 * sl_Connect on a secure socket answers with the processor's codes in these situations:
 *  - CA file named but missing: -454 (by name) or -456 (CC3200 id, as reported on TI's
 *    forum); PEM CA where DER is required (CC3200) or not a certificate: -456
 *  - certificate file missing, PEM on a CC3200, or not a certificate: -457
 *  - key file missing, PEM on a CC3200, not a key, or not the certificate's key: -458
 *  - TCP refused/unreachable/timeout: -111/-101/-110; handshake timeout (10 s): -462
 *  - the server sent TLS alert N: -(300 + N)
 *  - then the server's chain, verified with the CA file:
 *    no CA named: -453 (connected without verification);
 *    the CA file does not sign the chain: -688 (CC3200: -155), closed;
 *    the domain name set and not in the certificate: -722, closed;
 *    a date out of range: -461 (connected, but);
 *    CC3220 with the catalog in use: the chain verified again with the catalog, and
 *    NOT_TRUSTED there gives -468 (connected, but).
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
