/**
 * @file transport_tls.h
 * @brief Mutually authenticated TLS over TCP, with handshake evidence, on either of two
 *        backends: OpenSSL 3 (hosts, the default) or Mbed TLS (devices, -DMQTLS_TLS=mbedtls).
 *
 * Nothing here depends on the backend: the same program builds against either, and the
 * evidence (what the doctor explains) is told in the same neutral terms by both.
 *
 * Credentials and settings live in a TLS context (mqtls_tls_ctx_t): parsed once, with one
 * random generator, shared by every connection a process opens. A connection
 * (mqtls_tls_t) holds only what it needs of its own. mqtls_tls_setup() is the short form for
 * one connection with a context of its own.
 *
 * Threads: a connection is used by one thread at a time. With OpenSSL a context may be
 * shared by connections in several threads; with Mbed TLS only when it is built with
 * MBEDTLS_THREADING_C (its random generator is shared).
 *
 * Verification of the server is always on unless @c insecure is set. Every connection
 * attempt, successful or not, leaves a record (mqtls_tls_evidence()) of what happened.
 */
#ifndef MQTLS_TRANSPORT_TLS_H
#define MQTLS_TRANSPORT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/transport_tcp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** TLS protocol versions for mqtls_tls_cfg_t::min_version / max_version. */
#define MQTLS_TLS_V1_2 12
#define MQTLS_TLS_V1_3 13

/** How far a connection attempt got. */
typedef enum mqtls_tls_stage {
    MQTLS_TLS_STAGE_NONE = 0,
    MQTLS_TLS_STAGE_CREDENTIALS, /**< loading CA, certificate, key (context creation) */
    MQTLS_TLS_STAGE_TCP,         /**< DNS and TCP connect */
    MQTLS_TLS_STAGE_HANDSHAKE,   /**< the TLS handshake */
    MQTLS_TLS_STAGE_ESTABLISHED  /**< handshake done */
} mqtls_tls_stage_t;

/** Which credential a CREDENTIALS failure is about. */
typedef enum mqtls_tls_item {
    MQTLS_TLS_ITEM_NONE = 0,
    MQTLS_TLS_ITEM_CA,
    MQTLS_TLS_ITEM_CERT,
    MQTLS_TLS_ITEM_KEY,
    MQTLS_TLS_ITEM_SETTINGS, /**< ciphers, versions, ALPN */
    MQTLS_TLS_ITEM_CRL       /**< the certificate revocation list (crl_file) */
} mqtls_tls_item_t;

/** What was wrong with a credential, when context creation failed (CREDENTIALS stage). */
typedef enum mqtls_tls_cred_problem {
    MQTLS_TLS_CRED_NONE = 0,
    MQTLS_TLS_CRED_UNREADABLE,     /**< the file is missing, unreadable, or not a file */
    MQTLS_TLS_CRED_MALFORMED,      /**< neither PEM nor DER of the kind expected, or corrupt */
    MQTLS_TLS_CRED_EMPTY,          /**< readable, but holds no certificate (or no key) */
    MQTLS_TLS_CRED_PASS_NEEDED,    /**< an encrypted key, and no passphrase given */
    MQTLS_TLS_CRED_PASS_WRONG,     /**< an encrypted key, and the passphrase does not open it */
    MQTLS_TLS_CRED_KEY_UNSUPPORTED, /**< a key algorithm or encryption the backend lacks */
    MQTLS_TLS_CRED_KEY_MISMATCH,   /**< the key does not belong to the certificate */
    MQTLS_TLS_CRED_TOKEN,          /**< a PKCS#11 token or its key could not be used */
    MQTLS_TLS_CRED_LIBRARY         /**< not a credential: the TLS library cannot work here
                                        (see mqtls_tls_library_usable()) */
} mqtls_tls_cred_problem_t;

/**
 * @name What verification found wrong with a certificate (mqtls_tls_cert_info_t::problems)
 * or with the chain as a whole (mqtls_tls_evidence_t::problems). The same bits from either
 * backend.
 */
/**@{*/
#define MQTLS_TLS_BAD_UNTRUSTED 0x0001u   /**< the chain ends at a root that is not trusted */
#define MQTLS_TLS_BAD_NO_ISSUER 0x0002u   /**< an issuer is neither sent nor trusted (a
                                               missing intermediate) */
#define MQTLS_TLS_BAD_SELF_SIGNED 0x0004u /**< the server's own certificate signs itself and
                                               is not trusted */
#define MQTLS_TLS_BAD_EXPIRED 0x0008u     /**< past notAfter */
#define MQTLS_TLS_BAD_FUTURE 0x0010u      /**< before notBefore */
#define MQTLS_TLS_BAD_NAME 0x0020u        /**< the server's name is not in the certificate */
#define MQTLS_TLS_BAD_KEY_USAGE 0x0040u   /**< keyUsage forbids this use */
#define MQTLS_TLS_BAD_EXT_KEY_USAGE 0x0080u /**< extendedKeyUsage lacks serverAuth */
#define MQTLS_TLS_BAD_WEAK_HASH 0x0100u   /**< signed with a hash too weak (MD5, SHA-1) */
#define MQTLS_TLS_BAD_WEAK_KEY 0x0200u    /**< a key too short (RSA < 2048 bits, ...) */
#define MQTLS_TLS_BAD_NOT_CA 0x0400u      /**< an issuer that is not a CA */
#define MQTLS_TLS_BAD_PATH_LEN 0x0800u    /**< a pathLenConstraint exceeded */
#define MQTLS_TLS_BAD_REVOKED 0x1000u     /**< revoked */
#define MQTLS_TLS_BAD_SIGNATURE 0x2000u   /**< a signature that does not verify */
#define MQTLS_TLS_BAD_OTHER 0x8000u       /**< anything else (detail has the words) */
/**@}*/

/** One certificate of the server's chain. */
typedef struct mqtls_tls_cert_info {
    char subject[192];
    char issuer[192];
    char not_before[20]; /**< "YYYY-MM-DD HH:MM:SS" (UTC) */
    char not_after[20];
    uint8_t sha256[32];  /**< of the DER certificate */
    uint32_t problems;   /**< MQTLS_TLS_BAD_* found on this certificate */
    char names[256];     /**< its subjectAltNames: "DNS:a, DNS:b, IP:127.0.0.1" ("" if none;
                              cut at a name boundary, with ", ..." when they do not fit) */
    char key[24];        /**< its public key: "RSA 2048", "EC P-256", "Ed25519" */
    char sig_alg[32];    /**< how it is signed: "sha256WithRSAEncryption", "ecdsa-with-SHA256" */
    bool is_ca;          /**< basicConstraints cA */
    char serial[44];     /**< its serial number in hex, as `openssl x509 -serial` writes
                              it ("5A17C3"; "" if unknown): what a CRL lists */
} mqtls_tls_cert_info_t;

#define MQTLS_TLS_CHAIN_MAX 8

/**
 * What one connection attempt showed. Strings are NUL-terminated, empty when unknown.
 * Valid until the next connect or free of its connection.
 */
typedef struct mqtls_tls_evidence {
    mqtls_tls_stage_t stage;   /**< reached (success) or failed at */
    mqtls_status_t status;     /**< MQTLS_OK or the failure */
    int raw_error;             /**< the backend's code (for the record), or errno at TCP */
    char detail[160];          /**< the backend's words for the failure */
    const char *backend;       /**< "OpenSSL 3.0.19", "Mbed TLS 2.28.3" */
    mqtls_tls_item_t item;     /**< the credential a CREDENTIALS failure is about */
    mqtls_tls_cred_problem_t cred_problem; /**< and what is wrong with it */
    bool verified;             /**< verification ran over the server's chain */
    uint32_t problems;         /**< MQTLS_TLS_BAD_* of the whole chain (0 with verified: ok) */
    uint8_t chain_len;         /**< entries in @c chain */
    uint8_t sent_len;          /**< entries in @c sent */
    /** The chain as verification built it: [0] the server's own, last the top reached
     *  (a trusted root when it verified). NULL when not kept (see keep_chain). */
    const mqtls_tls_cert_info_t *chain;
    /** The certificates as the server sent them, in its order. NULL when not kept. */
    const mqtls_tls_cert_info_t *sent;
    char version[16];          /**< "TLSv1.2", "TLSv1.3" */
    char ciphersuite[64];      /**< IANA name */
    char alpn[32];
    bool resumed;              /**< a session resumed: no certificates were exchanged (the
                                    server's were verified when the session was made) */
    bool cert_requested;       /**< the server asked for a client certificate */
    bool cert_sent;            /**< and we answered with one */
    int alert_received;        /**< alert description from the server, -1 if none */
    int alert_sent;            /**< alert we sent, -1 if none */
    uint32_t bytes_received;   /**< during the handshake (0: the server never answered) */
    int first_byte;            /**< first byte the server sent, -1 if none (TLS: 20..23) */
    bool insecure;             /**< verification was disabled for this attempt */
} mqtls_tls_evidence_t;

/**
 * Settings and credentials. Credentials come from a file or from memory (PEM or DER, told
 * apart by content). Pointers must stay valid while a context made from them lives.
 */
typedef struct mqtls_tls_cfg {
    const char *ca_file;      /**< one or more trusted roots (PEM bundle or DER) */
    const char *ca_path;      /**< a directory of trusted roots (every file in it is read) */
    const uint8_t *ca_mem;
    size_t ca_mem_len;
    bool use_os_ca;           /**< also trust the system's store (OpenSSL's default paths,
                                   which follow SSL_CERT_FILE and SSL_CERT_DIR) */
    /** One or more certificate revocation lists (PEM, or one DER CRL). Every certificate of
     *  the server's chain whose issuer has a CRL in the file is checked against it, and a
     *  listed one fails verification (MQTLS_TLS_BAD_REVOKED); a certificate whose issuer
     *  has no CRL in the file is not checked (both backends). A CRL past its nextUpdate
     *  fails verification (MQTLS_TLS_BAD_OTHER). NULL: no revocation check. */
    const char *crl_file;
    const char *cert_file;    /**< our certificate (with its chain) */
    const uint8_t *cert_mem;
    size_t cert_mem_len;
    /** Its private key: PKCS#1, SEC1 or PKCS#8, may be encrypted; or, with OpenSSL, an
     *  RFC 7512 URI ("pkcs11:token=gw;object=device-key") of a key held in a PKCS#11 token
     *  (the PIN as pin-value in the URI, or as key_pass). */
    const char *key_file;
    const uint8_t *key_mem;
    size_t key_mem_len;
    const char *key_pass;     /**< passphrase of an encrypted key, PIN of a token */
    const char *pkcs11_module; /**< the PKCS#11 module for a pkcs11: key (NULL: p11-kit's) */
    int min_version;          /**< MQTLS_TLS_V1_2 (default) or MQTLS_TLS_V1_3 */
    int max_version;          /**< 0: the highest the backend supports */
    /** Cipher suites separated by ':': IANA names (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
     *  TLS_AES_128_GCM_SHA256); with OpenSSL also its names and rules (ECDHE-ECDSA-AES128-
     *  GCM-SHA256, HIGH:!aNULL). NULL: the backend's defaults. */
    const char *ciphers;
    const char *const *alpn;  /**< NULL-terminated list of protocols to offer */
    uint16_t max_fragment_len; /**< 0, 512, 1024, 2048 or 4096 (RFC 6066) */
    uint32_t handshake_timeout_ms; /**< 0: 10 s */
    const char *server_name;  /**< SNI and the name verified; NULL: the host connected to */
    bool insecure;            /**< skip chain and host name checks (never by default) */
    bool keep_chain;          /**< keep the certificates in the evidence after a successful
                                   handshake too (they are always kept after a failure) */
    /** Resume sessions: the next connection of this context to the same server name offers
     *  the last session that server gave, and a server that takes it skips the certificates
     *  (much less CPU per connect). OpenSSL backend; a server may decline (AWS IoT sends no
     *  tickets), which costs nothing. */
    bool resume_sessions;
} mqtls_tls_cfg_t;

/** Credentials and settings shared by connections (opaque; counted references). */
typedef struct mqtls_tls_ctx mqtls_tls_ctx_t;

/** The TLS transport's per-connection context. Fields are private. */
typedef struct mqtls_tls {
    mqtls_tcp_t tcp;
    const mqtls_transport_t *lower; /**< what TLS runs over: &mqtls_tcp_transport (tcp) */
    void *lower_ctx;
    mqtls_tls_ctx_t *ctx;        /**< a counted reference */
    struct mqtls_tls_conn *conn; /**< the backend's state of this connection */
    struct mqtls_tls_certs *certs; /**< storage of the evidence's certificates */
    int state;
    bool hs_want_write;
    bool host_is_ip;
    uint8_t host_ip[16];
    uint8_t host_ip_len;
    uint32_t hs_start_ms;
    struct mqtls_tls_rec {
        uint8_t hdr[5];
        uint8_t got;
        uint16_t left;
        uint8_t alert_got;
        bool ccs_seen;
    } in_rec, out_rec;
    mqtls_tls_evidence_t ev;
} mqtls_tls_t;

#if !defined(__unix__) && !defined(__APPLE__)
/**
 * Firmware builds only (no POSIX clock): monotonic milliseconds, wrapping at 2^32, for the
 * handshake timeout. The board provides it (e.g. from xTaskGetTickCount()), as it provides
 * mbedtls_hardware_poll().
 */
uint32_t mqtls_tls_board_ms(void);
#endif

/** The backend this library was built with: "OpenSSL 3.0.19" or "Mbed TLS 3.6.6". */
MQTLS_API const char *mqtls_tls_backend(void);

/** The highest TLS version the backend can speak: MQTLS_TLS_V1_3 or MQTLS_TLS_V1_2. */
MQTLS_API int mqtls_tls_max_version(void);

/**
 * Can the backend work at all in this process? With OpenSSL, a configuration file
 * (OPENSSL_CONF, or the system's openssl.cnf) whose providers section leaves out the default
 * provider leaves no SHA-256, AES or EC keys: every file, key and handshake would then fail
 * for a reason that is not theirs. mqtls_tls_ctx_new() asks this when it fails and reports
 * MQTLS_TLS_CRED_LIBRARY instead. Mbed TLS: always true.
 * @param why  when false, the reason in words (file and providers); may be NULL
 */
MQTLS_API bool mqtls_tls_library_usable(char *why, size_t size);

/**
 * Does the backend know the cipher suite @p name (an IANA name; with OpenSSL also its own
 * names)? For tools that expand cipher rules themselves.
 */
MQTLS_API bool mqtls_tls_cipher_known(const char *name);

/**
 * Makes a context: loads the credentials of @p cfg, checks that the key belongs to the
 * certificate, and prepares the backend. @p cfg is copied; what it points to is not.
 * @param ev if not NULL: on failure, names the item and the reason
 * @retval MQTLS_ERR_TLS_CREDENTIALS  a file is missing, unreadable, corrupt, or of the wrong
 *                                    kind; an encrypted key without or with a wrong passphrase
 * @retval MQTLS_ERR_TLS_KEY_MISMATCH the key does not belong to the certificate
 * @retval MQTLS_ERR_BAD_PARAM        no CA and not insecure; an unknown cipher name; ...
 * @retval MQTLS_ERR_UNSUPPORTED      something the backend lacks (TLS 1.3, a PKCS#11 key)
 * @retval MQTLS_ERR_TLS              out of memory, or the backend failed to start
 */
MQTLS_API mqtls_status_t mqtls_tls_ctx_new(mqtls_tls_ctx_t **out, const mqtls_tls_cfg_t *cfg,
                                           mqtls_tls_evidence_t *ev);

/**
 * Drops the caller's reference; the context goes when its last connection is freed too.
 * Keys are wiped. Safe with NULL.
 */
MQTLS_API void mqtls_tls_ctx_free(mqtls_tls_ctx_t *ctx);

/** Zeroes @p t (nothing allocated). Cannot fail. */
MQTLS_API void mqtls_tls_init(mqtls_tls_t *t);

/**
 * Prepares @p t to connect with the credentials and settings of @p ctx (taking a
 * reference to it).
 * @retval MQTLS_ERR_TLS       out of memory
 * @retval MQTLS_ERR_BAD_PARAM NULL argument
 */
MQTLS_API mqtls_status_t mqtls_tls_setup_ctx(mqtls_tls_t *t, mqtls_tls_ctx_t *ctx);

/**
 * The short form for one connection: mqtls_tls_ctx_new() with @p cfg, then
 * mqtls_tls_setup_ctx(). On failure, mqtls_tls_evidence() tells why; the return values are
 * those of mqtls_tls_ctx_new().
 */
MQTLS_API mqtls_status_t mqtls_tls_setup(mqtls_tls_t *t, const mqtls_tls_cfg_t *cfg);

/** Closes and frees the connection (and its reference to the context); safe on an
 *  init'ed context, and twice. */
MQTLS_API void mqtls_tls_free(mqtls_tls_t *t);

/**
 * Runs TLS over @p lower (its context @p lower_ctx) instead of the built-in TCP transport:
 * a network stack of the device's (ports/lwip's mqtls_lwip_transport, a modem's sockets).
 * NULL goes back to TCP. Call it after mqtls_tls_setup() / mqtls_tls_setup_ctx() and before
 * the connect; mqtls_tls_bind() and mqtls_tls_fd() concern the built-in TCP only (-1 here).
 * A firmware build (no POSIX sockets) has no built-in TCP: there this call is required,
 * and a connect without it fails (MQTLS_ERR_BAD_PARAM, the evidence says why).
 */
MQTLS_API void mqtls_tls_set_lower(mqtls_tls_t *t, const mqtls_transport_t *lower,
                                   void *lower_ctx);

/**
 * Binds the connection's socket to the local address @p addr before each connect (see
 * mqtls_tcp_bind()). Call it after mqtls_tls_setup() / mqtls_tls_setup_ctx(), which start
 * from a closed connection without one.
 */
MQTLS_API void mqtls_tls_bind(mqtls_tls_t *t, const char *addr);

/** The evidence of the last attempt (valid until the next connect or free). */
MQTLS_API const mqtls_tls_evidence_t *mqtls_tls_evidence(const mqtls_tls_t *t);

/** The TLS alert's name ("bad_certificate") for a description number. */
MQTLS_API const char *mqtls_tls_alert_name(int alert);

/** The words for one MQTLS_TLS_BAD_* bit ("the certificate has expired"); NULL if unknown. */
MQTLS_API const char *mqtls_tls_problem_words(uint32_t bit);

/** The socket, or -1 (to poll it in an event loop). */
MQTLS_API int mqtls_tls_fd(const mqtls_tls_t *t);

/** The transport operations; pass with a mqtls_tls_t as the context. */
MQTLS_API extern const mqtls_transport_t mqtls_tls_transport;

#ifdef __cplusplus
}
#endif
#endif
