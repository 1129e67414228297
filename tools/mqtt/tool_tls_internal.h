/**
 * @file tool_tls_internal.h
 * @brief What the files of the tool's TLS share (private to tools/mqtt/tool_tls*.c):
 *   tool_tls.c          the setup of the TLS transport and the -d wrapper around it
 *   tool_tls_check.c    the checks of the TLS options (tool_tls_check())
 *   tool_tls_report.c   the -d report: what an attempt offers, then its evidence
 *   tool_tls_explain.c  failures in plain words: the setup's, then the handshake's
 */
#ifndef TOOL_TLS_INTERNAL_H
#define TOOL_TLS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "mqtt/tool_tls.h"

/* Where the plain-words lines go: "Error: ..." on stderr, or a caller's sink (doctor). */
/* Where the plain-words lines go: "Error: ..." on stderr, or a caller's sink (doctor). */
typedef struct say {
    tool_tls_say_fn fn;
    void *ctx;
} say_t;

/** Whether the library's TLS backend is Mbed TLS (else OpenSSL). */
bool tool_tls__backend_is_mbedtls(void);

/** The TLS versions the client offers by default, in words. */
const char *tool_tls__offered_versions(void);

/** Counts the certificates and private keys of a credential file (false: unreadable). */
bool tool_tls__cred_kinds(const char *path, size_t *certs, size_t *keys);

/** The trusted CAs in words: "the CA file 'x'", the system's, ... */
void tool_tls__ca_words(const tool_cfg_t *cfg, char *out, size_t size);

/** " (OpenSSL error 0x0A000086)", " (Mbed TLS -0x2700)" or "": the library's code. */
void tool_tls__raw_words(const mqtls_tls_evidence_t *ev, char *out, size_t size);

/** Says why mqtls_tls_setup() failed: the item, its file, the TLS library's words. */
void tool_tls__report_setup(const say_t *o, const tool_cfg_t *cfg,
                            const mqtls_tls_evidence_t *ev, mqtls_status_t st);

/** Says that the encrypted key (PKCS#8) the tool opens for Mbed TLS does not open: @p why. */
void tool_tls__report_key(const say_t *o, const tool_cfg_t *cfg, const char *why);

/** -d: what the attempt to @p host is about to offer. */
void tool_tls__print_attempt(tool_tls_t *t, const char *host, uint16_t port);

#endif
