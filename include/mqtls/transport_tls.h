/**
 * @file transport_tls.h
 * @brief Mutually authenticated TLS over TCP, on Mbed TLS, with handshake evidence.
 *
 * Verification of the server is always on unless @c insecure is set. Every connection
 * attempt, successful or not, leaves a record (mqtls_tls_evidence()) of what happened:
 * the server's chain, the verify flags, what was negotiated, alerts either way, and the
 * stage that failed. `mqtls doctor` explains failures from it.
 */
#ifndef MQTLS_TRANSPORT_TLS_H
#define MQTLS_TRANSPORT_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

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
    MQTLS_TLS_STAGE_CREDENTIALS, /**< loading CA, certificate, key (mqtls_tls_setup) */
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
    MQTLS_TLS_ITEM_SETTINGS /**< ciphers, versions, ALPN */
} mqtls_tls_item_t;

/** One certificate of the server's chain as verification saw it. */
typedef struct mqtls_tls_cert_info {
    char subject[192];
    char issuer[192];
    char not_before[20]; /**< "YYYY-MM-DD HH:MM:SS" (UTC) */
    char not_after[20];
    uint8_t sha256[32];  /**< of the DER certificate */
    uint32_t flags;      /**< MBEDTLS_X509_BADCERT_* found on this certificate */
    char names[256];     /**< its subjectAltNames: "DNS:a, DNS:b, IP:127.0.0.1" ("" if none;
                              cut at a name boundary, with ", ..." when they do not fit) */
} mqtls_tls_cert_info_t;

#define MQTLS_TLS_CHAIN_MAX 8

/** What one connection attempt showed. Strings are NUL-terminated, empty when unknown. */
typedef struct mqtls_tls_evidence {
    mqtls_tls_stage_t stage;   /**< reached (success) or failed at */
    mqtls_status_t status;     /**< MQTLS_OK or the failure */
    int raw_error;             /**< the Mbed TLS code (negative) or errno */
    char detail[160];          /**< the library's words for raw_error */
    mqtls_tls_item_t item;     /**< the credential a CREDENTIALS failure is about */
    uint32_t verify_flags;     /**< mbedtls_ssl_get_verify_result() */
    uint8_t chain_len;         /**< certificates seen; [0] is the server's own */
    mqtls_tls_cert_info_t chain[MQTLS_TLS_CHAIN_MAX]; /**< last entry: the top of the chain */
    char version[16];          /**< "TLSv1.2" */
    char ciphersuite[64];      /**< IANA name */
    char alpn[32];
    bool cert_requested;       /**< the server sent CertificateRequest */
    bool cert_sent;            /**< and we answered with a certificate */
    int alert_received;        /**< alert description from the server, -1 if none */
    int alert_sent;            /**< alert we sent, -1 if none */
    uint32_t bytes_received;   /**< during the handshake (0: the server never answered) */
    int first_byte;            /**< first byte the server sent, -1 if none (TLS: 20..23) */
    bool insecure;             /**< verification was disabled for this attempt */
} mqtls_tls_evidence_t;

/**
 * Settings and credentials. Credentials come from a file or from memory (PEM or DER, told
 * apart by content). Pointers must stay valid until mqtls_tls_free().
 */
typedef struct mqtls_tls_cfg {
    const char *ca_file;      /**< one or more trusted roots (PEM bundle or DER) */
    const char *ca_path;      /**< a directory of trusted roots */
    const uint8_t *ca_mem;
    size_t ca_mem_len;
    const char *cert_file;    /**< our certificate (with its chain) */
    const uint8_t *cert_mem;
    size_t cert_mem_len;
    const char *key_file;     /**< its private key: PKCS#1, SEC1 or PKCS#8, may be encrypted */
    const uint8_t *key_mem;
    size_t key_mem_len;
    const char *key_pass;     /**< passphrase of an encrypted key */
    int min_version;          /**< MQTLS_TLS_V1_2 (default) or MQTLS_TLS_V1_3 */
    int max_version;          /**< 0: the highest the linked Mbed TLS supports */
    const char *ciphers;      /**< IANA names separated by ':' (NULL: library defaults) */
    const char *const *alpn;  /**< NULL-terminated list of protocols to offer */
    uint16_t max_fragment_len; /**< 0, 512, 1024, 2048 or 4096 (RFC 6066) */
    uint32_t handshake_timeout_ms; /**< 0: 10 s */
    const char *server_name;  /**< SNI and the name verified; NULL: the host connected to */
    bool insecure;            /**< skip chain and host name checks (never by default) */
} mqtls_tls_cfg_t;

/** The TLS transport's context. Fields are private. */
typedef struct mqtls_tls {
    mqtls_tcp_t tcp;
    mqtls_tls_cfg_t cfg;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    int suites[48];
    int state;
    bool ready;
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

/** Zeroes @p t (nothing allocated). Cannot fail. */
void mqtls_tls_init(mqtls_tls_t *t);

/**
 * Loads the credentials of @p cfg, checks that the key belongs to the certificate, and
 * prepares Mbed TLS. On failure the evidence names the item and the reason.
 * @retval MQTLS_ERR_TLS_CREDENTIALS  a file is missing, unreadable, corrupt, or of the wrong
 *                                    kind; an encrypted key without or with a wrong passphrase
 * @retval MQTLS_ERR_TLS_KEY_MISMATCH the key does not belong to the certificate
 * @retval MQTLS_ERR_BAD_PARAM        no CA and not insecure; an unknown cipher name; ...
 * @retval MQTLS_ERR_UNSUPPORTED      a TLS version the linked Mbed TLS lacks
 */
mqtls_status_t mqtls_tls_setup(mqtls_tls_t *t, const mqtls_tls_cfg_t *cfg);

/** Closes and frees everything, wiping keys; safe on an init'ed context, and twice. */
void mqtls_tls_free(mqtls_tls_t *t);

/** The evidence of the last attempt (valid until the next connect or free). */
const mqtls_tls_evidence_t *mqtls_tls_evidence(const mqtls_tls_t *t);

/** The TLS alert's name ("bad_certificate") for a description number. */
const char *mqtls_tls_alert_name(int alert);

/** The socket, or -1 (to poll it in an event loop). */
int mqtls_tls_fd(const mqtls_tls_t *t);

/** The transport operations; pass with a mqtls_tls_t as the context. */
extern const mqtls_transport_t mqtls_tls_transport;

#ifdef __cplusplus
}
#endif
#endif
