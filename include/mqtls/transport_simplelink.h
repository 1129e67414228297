/**
 * @file transport_simplelink.h
 * @brief TLS on a TI SimpleLink Wi-Fi network processor (CC3220, CC3200), and what its
 *        result codes mean.
 *
 * The network processor runs TLS itself: the transport opens a secure socket
 * (sl_Socket(SL_AF_INET, SL_SOCK_STREAM, SL_SEC_SOCKET)), names the credential files that
 * are stored in the processor's file system, and connects without blocking. Credentials
 * are never in this context: put them into the file system first (UniFlash, or
 * sl_FsOpen/sl_FsWrite as examples/sensor-node does).
 *
 * Two generations, two SDKs. The SDK is chosen when the port is compiled (the CC32xx SDK by
 * default, the CC3200 SDK 1.x with MQTLS_SL_SDK_CC3200, see ports/simplelink/README.md);
 * mqtls_simplelink_cfg_t::device says which chip runs (which code table explains its codes).
 *  - CC3220 (CC32xx SDK): files by name (SL_SO_SECURE_FILES_CA_FILE_NAME and friends). The
 *    CA file may be PEM or DER. After the CA file verified the server, the processor also
 *    looks the chain's root up in its trusted-root catalog: a root missing there gives -468
 *    (the development "playground" catalog lacks production roots). A private CA that no
 *    catalog holds needs @c disable_cert_store.
 *  - CC3200 (CC3200 SDK 1.x): files by name as on the CC3220 (options 30-32, as TI's own
 *    CC3200 network layer names them), or by id in a four-slot array (SL_SO_SECURE_FILES):
 *    [0] private key, [1] certificate, [2] CA, [3] DH; file id N is "/cert/N.der" in the
 *    file system. One way or the other, not both. There is no trusted-root catalog (no -467/-468), no ALPN and no AES-GCM
 *    suite (mask bits 0-9 only); the host name is checked with option 35
 *    (SO_SECURE_DOMAIN_NAME_VERIFICATION) when the SDK has it (host driver 1.0.1.6).
 *    What a CC3200 lacks is refused at connect with MQTLS_ERR_UNSUPPORTED, never skipped.
 *
 * "Connected, but" codes: sl_Connect can succeed at TLS while a check failed: -453 (the
 * server was not verified), -461 (a certificate date did not check out, e.g. the clock is
 * not set), -467 (a certificate in the chain is revoked, CC3220), -468 (the root is not in
 * the trusted-root catalog, CC3220). By default every one of them closes the connection.
 * @c keep and @c insecure keep some of them knowingly (as TI's own HTTP client and OTA
 * library do); @c on_kept then says which check was skipped. -467 is never kept.
 *
 * Every failure keeps the raw SimpleLink code (mqtls_simplelink_last_code());
 * mqtls_simplelink_explain() turns a code into a status, the doctor's cause id and the fix
 * in words. The explanation needs no SDK and runs anywhere, e.g. on a code a user pasted.
 *
 * Source: ports/simplelink/ (the transport needs the SimpleLink SDK; see its README.md).
 * No heap: the context is the caller's.
 */
#ifndef MQTLS_TRANSPORT_SIMPLELINK_H
#define MQTLS_TRANSPORT_SIMPLELINK_H

#include <stdbool.h>
#include <stdint.h>

#include "mqtls/status.h"
#include "mqtls/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which generation of network processor: how credentials are named on the socket, and
 *  which chip's numbers its codes are. */
typedef enum mqtls_sl_device {
    MQTLS_SL_CC3220 = 0, /**< files by name; trusted-root catalog; domain name check; ALPN */
    MQTLS_SL_CC3200      /**< files by name or id (secure_files); no catalog, no ALPN, no
                              AES-GCM */
} mqtls_sl_device_t;

/** Slots of mqtls_simplelink_cfg_t::secure_files (TI's SL_BSD_SECURED_*_IDX order). */
enum {
    MQTLS_SL_FILE_KEY = 0,
    MQTLS_SL_FILE_CERT = 1,
    MQTLS_SL_FILE_CA = 2,
    MQTLS_SL_FILE_DH = 3
};

/** Bits of mqtls_simplelink_cfg_t::keep: "connected, but" codes kept instead of closing. */
enum {
    /** Keep a -461 connection: certificate dates were not verified (a device whose clock
     *  cannot be set). An expired or not yet valid certificate is then accepted. */
    MQTLS_SL_KEEP_DATE_ERROR = 0x01,
    /** Keep a -468 connection (CC3220): the CA file verified the chain, but its root is not
     *  in the device's trusted-root catalog (e.g. the development catalog). The catalog's
     *  check is what was skipped. A CC3200 never reports -468. */
    MQTLS_SL_KEEP_UNKNOWN_ROOT = 0x02
};

/** Settings. Strings must stay valid while the context is used. */
typedef struct mqtls_simplelink_cfg {
    mqtls_sl_device_t device;
    const char *ca_file;      /**< the CA file's name in the file system */
    const char *cert_file;    /**< our certificate's file (NULL: none) */
    const char *key_file;     /**< its private key's file */
    /** CC3200, instead of the names: file ids by MQTLS_SL_FILE_* slot, 0 = none. Names and
     *  ids together are MQTLS_ERR_BAD_PARAM; ids on a CC3220 MQTLS_ERR_UNSUPPORTED. */
    uint8_t secure_files[4];
    /** SL_SEC_MASK_* bits (SL_SO_SECURE_MASK); 0: the processor's default. A CC3200 knows
     *  bits 0-9 only: a higher bit (AES-GCM, ChaCha20) is MQTLS_ERR_UNSUPPORTED. */
    uint32_t cipher_mask;
    uint32_t alpn;            /**< CC3220: SL_SECURE_ALPN_* bits; 0: none offered */
    /** The name the server's certificate must carry (CC3220:
     *  SL_SO_SECURE_DOMAIN_NAME_VERIFICATION; CC3200 SDK 1.x: SO_SECURE_DOMAIN_NAME_VERIFICATION,
     *  host driver 1.0.1.6); NULL: the host connected to, unless it is an IP address (then no
     *  name is checked); "": no name check. Where the SDK has no such option, a name is
     *  MQTLS_ERR_UNSUPPORTED and NULL checks nothing. */
    const char *server_name;
    /** CC3220: trust the CA file alone, without the trusted-root catalog
     *  (SL_SO_SECURE_DISABLE_CERTIFICATE_STORE): for a private CA no catalog holds. */
    bool disable_cert_store;
    /** Connect without a CA, so without verifying the server (-453 is then kept).
     *  Never in production. Without it, a missing CA is refused before connecting. */
    bool insecure;
    /** MQTLS_SL_KEEP_* bits: "connected, but" codes to keep; 0 (the default) closes on
     *  each. -467 (revoked) is never kept. */
    uint8_t keep;
    uint16_t send_max;        /**< bytes per sl_Send; 0: 1460 */
    /** Called once when a kept code (-453, -461, -468) lets a connection stay up, with
     *  that code, before the connect reports success; NULL: not called. */
    void (*on_kept)(void *ctx, int16_t code);
    void *on_kept_ctx;        /**< passed to on_kept */
} mqtls_simplelink_cfg_t;

/** The transport's context. Fields are private. */
typedef struct mqtls_simplelink {
    mqtls_simplelink_cfg_t cfg;
    int16_t sd;          /**< the socket, -1 when closed */
    uint8_t state;
    int16_t last_code;   /**< SimpleLink code of the last failure, 0 if none */
    int16_t warning;     /**< a "connected, but" code that was accepted, 0 if none */
    uint32_t ip;         /**< the server's IPv4 address (host order) while connecting */
    uint16_t port;
} mqtls_simplelink_t;

/** A SimpleLink result code in words. */
typedef struct mqtls_simplelink_explanation {
    mqtls_status_t status; /**< what the transport reports for it (MQTLS_OK for 0) */
    /** The doctor's cause id (diagnose.h, docs/troubleshooting.md), e.g.
     *  "tls.server_untrusted_root"; "" when no cause fits. */
    const char *cause;
    const char *text;      /**< what it means and what to do (never NULL) */
    bool connected;        /**< a "connected, but" code: the TLS session is up, a check failed */
} mqtls_simplelink_explanation_t;

/**
 * Explains @p sl_code, a value a SimpleLink call of @p chip returned (sl_Connect, sl_Recv,
 * sl_NetAppDnsGetHostByName, sl_FsOpen ...), with that chip's SDK's numbers: the two
 * generations number many codes differently (CC3200 SDK 1.x: TLS library -130 ... -291,
 * DNS -159 ..., files -1 ... -67; CC32xx SDK: the TLS library 500 lower, -650 ..., DNS
 * -6150 ..., files -10241 ...). Both: -450 ... -462 (the processor's own TLS codes; the
 * CC3220 adds -463 ... -470) and -(300 + alert) for a TLS alert the server sent. A code no
 * table names gets a generic text by range. On the CC3200 some numbers mean two things
 * (a DNS and a TLS code, a socket and a file code): the text names both. Pure: no SDK.
 * @return the explanation; MQTLS_OK for @p sl_code >= 0; status MQTLS_ERR_BAD_PARAM for a
 *         @p chip that is neither MQTLS_SL_CC3220 nor MQTLS_SL_CC3200
 */
MQTLS_API mqtls_simplelink_explanation_t mqtls_simplelink_explain(mqtls_sl_device_t chip,
                                                                  int sl_code);

/** Prepares @p t (closed) with a copy of @p cfg. Cannot fail. */
MQTLS_API void mqtls_simplelink_init(mqtls_simplelink_t *t, const mqtls_simplelink_cfg_t *cfg);

/** The SimpleLink code of the last failure (0 if none): pass to mqtls_simplelink_explain(). */
MQTLS_API int16_t mqtls_simplelink_last_code(const mqtls_simplelink_t *t);

/**
 * The "connected, but" code the open connection was kept with, 0 if none: -453 (kept by
 * @c insecure: the server was not verified), -461 (MQTLS_SL_KEEP_DATE_ERROR: certificate
 * dates not verified), -468 (MQTLS_SL_KEEP_UNKNOWN_ROOT: the root is not in the trusted-root
 * catalog). The same code on_kept was called with; cleared by the next connect.
 */
MQTLS_API int16_t mqtls_simplelink_warning(const mqtls_simplelink_t *t);

/** The socket descriptor, or -1 (to add it to an sl_Select of your own). */
MQTLS_API int mqtls_simplelink_sd(const mqtls_simplelink_t *t);

/**
 * The transport operations; pass with a mqtls_simplelink_t as the context.
 * connect: MQTLS_ERR_BAD_PARAM without CA (unless insecure) or credential names;
 * MQTLS_ERR_UNSUPPORTED for what the chip or the compiled SDK lacks (on a CC3200: file
 * names, ALPN, disable_cert_store, cipher_mask bits above 9, server_name without a domain
 * name option; a CC3220 configuration in a CC3200 SDK build); the failures of
 * mqtls_simplelink_explain(). wait(): the processor's sl_Select watches
 * reads and a pending connect only, so a wait for writing sleeps up to 10 ms and
 * returns MQTLS_OK (callers loop).
 */
MQTLS_API extern const mqtls_transport_t mqtls_simplelink_transport;

#ifdef __cplusplus
}
#endif
#endif
