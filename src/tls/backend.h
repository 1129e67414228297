/**
 * @file backend.h
 * @brief The contract between the TLS transport (tls.c) and a TLS library (a backend).
 *
 * tls.c owns everything that does not depend on the TLS library: the public API, the
 * connection's states, TCP, the handshake timeout, the watch on plaintext records, the
 * evidence and its certificate storage. A backend (openssl/, mbedtls/; exactly one is
 * linked, chosen by MQTLS_TLS in CMake) loads credentials into a context, runs the
 * handshake and moves application data, doing its I/O through mqtls__tls_io_send/recv and
 * telling what it saw in the neutral terms of transport_tls.h.
 */
#ifndef MQTLS_TLS_BACKEND_H
#define MQTLS_TLS_BACKEND_H

#include "mqtls/transport_tls.h"

#include <stdarg.h>
#include <stdatomic.h>

/**
 * 1 on a POSIX system: credentials may come from files, CA directories and the system's
 * trust store, and an IP literal host is recognised by inet_pton(). A firmware build
 * (freestanding, no file system: cmake/toolchain-arm-none-eabi.cmake) has none of these:
 * credentials come from memory (cfg.*_mem); a file, a CA directory or the system's store
 * is refused (MQTLS_ERR_UNSUPPORTED), and the host is always checked as a name. Nor is
 * there a built-in TCP under TLS: the firmware gives its network stack's transport with
 * mqtls_tls_set_lower() (ports/lwip's, for one).
 */
#ifndef MQTLS_TLS_POSIX
#if defined(__unix__) || defined(__APPLE__)
#define MQTLS_TLS_POSIX 1
#else
#define MQTLS_TLS_POSIX 0
#endif
#endif

/** The shared context. tls.c owns the counting and the settings; @c be is the backend's. */
struct mqtls_tls_ctx {
    atomic_int refs;     /**< the creator's reference and one per connection (atomic: the
                              threads of a gateway may share a context) */
    mqtls_tls_cfg_t cfg; /**< a copy; the strings and buffers are the caller's */
    bool has_identity;   /**< a client certificate and key are configured */
    void *be;            /**< the backend's loaded credentials and configuration */
};

/** Storage of the evidence's certificates (allocated by tls.c on first need). */
struct mqtls_tls_certs {
    mqtls_tls_cert_info_t chain[MQTLS_TLS_CHAIN_MAX];
    mqtls_tls_cert_info_t sent[MQTLS_TLS_CHAIN_MAX];
};

/* ---- what a backend provides ------------------------------------------------------- */

/** The library and its version, e.g. "OpenSSL 3.0.19". */
const char *mqtls__tlsb_name(void);

/** The highest TLS version the linked library speaks (MQTLS_TLS_V1_2 or _3). */
int mqtls__tlsb_max_version(void);

/** See mqtls_tls_library_usable(); writes @p why (may be NULL with @p size 0) only when false. */
bool mqtls__tlsb_usable(char *why, size_t size);

/** Does the library know the cipher suite @p name (see mqtls_tls_cipher_known())? */
bool mqtls__tlsb_cipher_known(const char *name);

/**
 * Loads ctx->cfg into ctx->be (versions, suites, ALPN, CA, identity, key check). On failure
 * fills @p ev through mqtls__tls_fail() (stage CREDENTIALS, with the item) and leaves
 * nothing allocated.
 */
mqtls_status_t mqtls__tlsb_ctx_init(mqtls_tls_ctx_t *ctx, mqtls_tls_evidence_t *ev);

/** Frees ctx->be, wiping key material. */
void mqtls__tlsb_ctx_free(mqtls_tls_ctx_t *ctx);

/**
 * Starts a handshake on the open TCP connection of @p t: makes t->conn if needed (or resets
 * it), sets SNI (not for an IP literal, RFC 6066) and the name to verify, @p name.
 * @retval MQTLS_OK or a failure (filled into t->ev by the backend).
 */
mqtls_status_t mqtls__tlsb_start(mqtls_tls_t *t, const char *name);

/**
 * Advances the handshake.
 * @retval MQTLS_OK          done
 * @retval MQTLS_IN_PROGRESS waiting for the network; t->hs_want_write says which way
 * @retval other             failed: MQTLS_ERR_TLS_VERIFY, MQTLS_ERR_TLS_ALERT,
 *                           MQTLS_ERR_CLOSED, MQTLS_ERR_IO or MQTLS_ERR_TLS_HANDSHAKE, with
 *                           ev.raw_error and ev.detail set
 * Either way once it ends, the backend has filled the negotiated parameters it knows
 * (version, suite, ALPN, cert_requested/sent) and, when verification ran, ev.verified,
 * ev.problems and the chains (mqtls__tls_cert_slot()).
 */
mqtls_status_t mqtls__tlsb_handshake(mqtls_tls_t *t);

/**
 * While the handshake runs: how long the transport may wait on the socket before it asks
 * the backend again (a backend with a deadline of its own, such as a grace period for the
 * server's last word, says so here). UINT32_MAX: no limit of the backend's.
 */
uint32_t mqtls__tlsb_wait_ms(const mqtls_tls_t *t);

/**
 * Zeroed memory from the TLS library's own allocator (OpenSSL: CRYPTO_zalloc; Mbed TLS:
 * mbedtls_calloc, which a device points at a pool of its own with
 * mbedtls_platform_set_calloc_free()). Everything the TLS layer keeps comes from here, so
 * that it allocates as the library it drives does, never behind its back. NULL: no memory.
 */
void *mqtls__tlsb_zalloc(size_t size);

/** Returns memory of mqtls__tlsb_zalloc() (NULL: nothing). */
void mqtls__tlsb_free(void *p);

/** Application data out: bytes taken (> 0), 0 would block, -(int32_t)status. */
int32_t mqtls__tlsb_send(mqtls_tls_t *t, const uint8_t *buf, size_t len);

/** Application data in: bytes read (> 0), 0 nothing now, -(int32_t)status (CLOSED at EOF). */
int32_t mqtls__tlsb_recv(mqtls_tls_t *t, uint8_t *buf, size_t len);

/** Decrypted bytes already wait inside the backend (a poll on the socket would miss them). */
bool mqtls__tlsb_pending(const mqtls_tls_t *t);

/** Sends close_notify, best effort, without blocking. */
void mqtls__tlsb_close_notify(mqtls_tls_t *t);

/** Frees t->conn (the per-connection state), wiping secrets. */
void mqtls__tlsb_conn_free(mqtls_tls_t *t);

/* ---- what tls.c provides to a backend ---------------------------------------------- */

/** Sends through TCP, watching records during the handshake: as the transport's send. */
int32_t mqtls__tls_io_send(mqtls_tls_t *t, const uint8_t *buf, size_t len);

/** Receives from TCP, counting and watching during the handshake: as the transport's recv. */
int32_t mqtls__tls_io_recv(mqtls_tls_t *t, uint8_t *buf, size_t len);

/**
 * Records a failure in @p ev: stage, status, raw code, item, and (if @p fmt is not NULL)
 * the detail. Returns @p st.
 */
mqtls_status_t mqtls__tls_fail(mqtls_tls_evidence_t *ev, mqtls_tls_stage_t stage,
                               mqtls_status_t st, int raw, mqtls_tls_item_t item,
                               const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/**
 * A credential file that cannot be read is told with the system's words: checks that
 * @p path is a readable regular file, else records the failure for @p item (with
 * cred_problem MQTLS_TLS_CRED_UNREADABLE).
 */
mqtls_status_t mqtls__tls_file_check(mqtls_tls_evidence_t *ev, const char *path,
                                     mqtls_tls_item_t item);

/**
 * Reads the credential file @p path whole, after mqtls__tls_file_check(), into memory of
 * mqtls__tlsb_zalloc() with a NUL after its @p *len bytes (PEM parsers want one). A failure
 * is recorded for @p item (cred_problem UNREADABLE). Give the bytes back with
 * mqtls__tls_drop().
 */
mqtls_status_t mqtls__tls_read_file(mqtls_tls_evidence_t *ev, const char *path,
                                    mqtls_tls_item_t item, uint8_t **out, size_t *len);

/** Wipes @p len bytes at @p buf (a key may be in them) and frees them; NULL: nothing. */
void mqtls__tls_drop(uint8_t *buf, size_t len);

/** Does @p buf hold PEM ("-----BEGIN")? Anything else is taken for DER. */
bool mqtls__tls_looks_pem(const uint8_t *buf, size_t len);

/**
 * The entry @p index of the built chain (@p sent false) or of the chain as sent (@p sent
 * true), zeroed, with the length raised to cover it; NULL when @p index is past
 * MQTLS_TLS_CHAIN_MAX or there is no memory. Points ev.chain / ev.sent at the storage.
 */
mqtls_tls_cert_info_t *mqtls__tls_cert_slot(mqtls_tls_t *t, bool sent, unsigned index);

/**
 * Appends one subjectAltName ("DNS:x", "IP:1.2.3.4") to the list @p out of @p size bytes
 * with @p *used filled: ", "-separated, whole names only, ", ..." when the next does not
 * fit (then returns false: stop). Non-printable bytes become '?'.
 */
/** The serial number of @p len big-endian bytes at @p p in upper-case hex, leading zero
 *  bytes dropped ("00" for zero; "" if it does not fit). */
void mqtls__tls_serial_hex(char *out, size_t size, const uint8_t *p, size_t len);

bool mqtls__tls_add_name(char *out, size_t size, size_t *used, const char *name);

/** Wipes @p len bytes at @p p in a way the compiler keeps. */
void mqtls__tls_wipe(void *p, size_t len);

/**
 * TLS 1.3 lets the client finish first: a server that asked for our certificate and rejects
 * it says so after our Finished. Both backends wait for its next word (a session ticket,
 * data, or the alert) before they call the handshake done; a server that sends no ticket
 * says nothing when it accepts, so after a grace of twice the handshake's own time (its
 * round trips) plus 50 ms (at most 2,050 ms), silence is taken for acceptance.
 */
typedef struct mqtls_tls_grace {
    bool started;
    uint32_t from_ms; /**< when our Finished went out (CLOCK_MONOTONIC ms) */
    uint32_t ms;      /**< how long the verdict may take */
} mqtls_tls_grace_t;

/** Starts @p g (once: later calls keep the first start) for the handshake of @p t. */
void mqtls__tls_grace_start(const mqtls_tls_t *t, mqtls_tls_grace_t *g);

/** Milliseconds of @p g still left, 0 when it is over. */
uint32_t mqtls__tls_grace_left(const mqtls_tls_grace_t *g);

#endif
