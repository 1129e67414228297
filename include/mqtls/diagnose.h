/**
 * @file diagnose.h
 * @brief Why a connection failed: stable cause ids, their explanation and fix, and the rules
 *        that pick one from what a connection attempt showed.
 *
 * `mqtls doctor` gathers the facts stage by stage (credentials, DNS, TCP, TLS, MQTT, round
 * trip) and asks mqtls_diagnose() for the cause. The ids are stable: scripts and the
 * documentation (docs/troubleshooting.md) rely on them.
 *
 * A host library of its own: link libmqtls-diag (-lmqtls-diag) as well as libmqtls. The
 * device library does not carry it.
 */
#ifndef MQTLS_DIAGNOSE_H
#define MQTLS_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/codec.h"
#include "mqtls/status.h"
#include "mqtls/transport_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The stages of a connection, in order. */
typedef enum mqtls_diag_stage {
    MQTLS_DIAG_CREDENTIALS = 1,
    MQTLS_DIAG_DNS,
    MQTLS_DIAG_TCP,
    MQTLS_DIAG_TLS,
    MQTLS_DIAG_MQTT,
    MQTLS_DIAG_ROUNDTRIP
} mqtls_diag_stage_t;

/** Every cause the rules can name. The order is not part of the API; the id strings are. */
typedef enum mqtls_cause {
    MQTLS_CAUSE_NONE = 0,
    /* Local credentials. */
    MQTLS_CAUSE_CA_MISSING,
    MQTLS_CAUSE_FILE_UNREADABLE,
    MQTLS_CAUSE_FILE_WRONG_KIND,
    MQTLS_CAUSE_KEY_PASSPHRASE,
    MQTLS_CAUSE_KEY_MISMATCH,
    MQTLS_CAUSE_KEY_UNSUPPORTED,
    MQTLS_CAUSE_CLIENT_CERT_EXPIRED,
    MQTLS_CAUSE_CLIENT_CERT_NOT_YET_VALID,
    MQTLS_CAUSE_CLOCK_UNSET,
    MQTLS_CAUSE_SETTINGS,
    MQTLS_CAUSE_OPENSSL_CONFIG,
    /* Network. */
    MQTLS_CAUSE_DNS_FAILURE,
    MQTLS_CAUSE_TCP_REFUSED,
    MQTLS_CAUSE_TCP_TIMEOUT,
    MQTLS_CAUSE_TCP_UNREACHABLE,
    /* TLS. */
    MQTLS_CAUSE_SERVER_UNTRUSTED_ROOT,
    MQTLS_CAUSE_SERVER_CERT_EXPIRED,
    MQTLS_CAUSE_SERVER_CERT_NOT_YET_VALID,
    MQTLS_CAUSE_HOSTNAME_MISMATCH,
    MQTLS_CAUSE_CLIENT_CERT_REQUIRED,
    MQTLS_CAUSE_CLIENT_CERT_REJECTED,
    MQTLS_CAUSE_NO_COMMON_CIPHER,
    MQTLS_CAUSE_TLS_VERSION_MISMATCH,
    MQTLS_CAUSE_ALPN_REQUIRED,
    MQTLS_CAUSE_NOT_A_TLS_PORT,
    MQTLS_CAUSE_TLS_PORT_WITHOUT_TLS,
    MQTLS_CAUSE_TLS_HANDSHAKE_TIMEOUT,
    MQTLS_CAUSE_TLS_RECORD_TOO_LARGE,
    MQTLS_CAUSE_TLS_HANDSHAKE_FAILED,
    /* TLS: the chain and the clock (src/diagnose/chain.c). */
    MQTLS_CAUSE_SERVER_MISSING_INTERMEDIATE,
    MQTLS_CAUSE_CLIENT_MISSING_INTERMEDIATE,
    MQTLS_CAUSE_CHAIN_NOT_CA,
    MQTLS_CAUSE_CHAIN_PATH_LEN,
    MQTLS_CAUSE_CLOCK_WRONG,
    /* MQTT. */
    MQTLS_CAUSE_CONNACK_PROTOCOL_VERSION,
    MQTLS_CAUSE_CONNACK_CLIENT_ID,
    MQTLS_CAUSE_CONNACK_SERVER_UNAVAILABLE,
    MQTLS_CAUSE_CONNACK_BAD_CREDENTIALS,
    MQTLS_CAUSE_CONNACK_NOT_AUTHORIZED,
    MQTLS_CAUSE_CONNACK_OTHER,
    MQTLS_CAUSE_CLOSED_AFTER_CONNECT,
    MQTLS_CAUSE_NO_CONNACK,
    /* MQTT, MQTT 5 reason codes and AWS IoT (issue 15, point 4). */
    MQTLS_CAUSE_USE_ANOTHER_SERVER,
    MQTLS_CAUSE_CONNACK_CERT_IDENTITY,
    MQTLS_CAUSE_V5_NOT_SUPPORTED,
    MQTLS_CAUSE_SUBSCRIBE_REFUSED,
    MQTLS_CAUSE_CLOSED_AFTER_REQUEST,
    MQTLS_CAUSE_MESSAGE_NOT_RETURNED,
    /* Round trip, MQTT 5 reason codes and AWS IoT (issue 15, point 4). */
    MQTLS_CAUSE_SESSION_TAKEN_OVER,
    MQTLS_CAUSE_CLOSED_AFTER_SUBSCRIBE,
    MQTLS_CAUSE_CLOSED_AFTER_PUBLISH,
    MQTLS_CAUSE_SERVER_DISCONNECT,
    /* step-1 findings (issue 15, point 3) */
    MQTLS_CAUSE_CERT_KEY_SWAPPED,
    MQTLS_CAUSE_CERT_FILE_IS_KEY,
    MQTLS_CAUSE_KEY_FILE_IS_CERT,
    MQTLS_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH,
    MQTLS_CAUSE_CLIENT_CERT_KEY_USAGE,
    MQTLS_CAUSE_CA_FILE_NOT_CA,
    MQTLS_CAUSE_CA_FILE_IS_DEVICE_CERT,
    /* Device profiles, `mqtls doctor --device` (issue 15, point 7). */
    MQTLS_CAUSE_DEVICE_ROOT_NOT_IN_CATALOG,
    MQTLS_CAUSE_DEVICE_CHAIN_TOO_DEEP,
    /* alerts and verification outcomes (issue 15, point 2) */
    MQTLS_CAUSE_CLIENT_CERT_BAD,          /* 42 after our certificate */
    MQTLS_CAUSE_CLIENT_CERT_UNSUPPORTED,  /* 43 */
    MQTLS_CAUSE_CLIENT_CERT_REVOKED,      /* 44 */
    MQTLS_CAUSE_CLIENT_CERT_EXPIRED_THERE, /* 45: expired by the broker's clock */
    MQTLS_CAUSE_CLIENT_CERT_UNKNOWN,      /* 46 */
    MQTLS_CAUSE_CLIENT_CERT_SIGNATURE,    /* 51 after our certificate */
    MQTLS_CAUSE_ACCESS_DENIED,            /* 49 */
    MQTLS_CAUSE_ILLEGAL_PARAMETER,        /* 47 received */
    MQTLS_CAUSE_DECODE_ERROR,             /* 50 received */
    MQTLS_CAUSE_HANDSHAKE_CRYPTO,         /* 51 before any certificate of ours */
    MQTLS_CAUSE_SERVER_PROTOCOL_ERROR,    /* 47 or 50 sent: the server's message was bad */
    MQTLS_CAUSE_SERVER_TLS_TOO_OLD,       /* 70: the server is capped below TLS 1.2 */
    MQTLS_CAUSE_INSUFFICIENT_SECURITY,    /* 71 */
    MQTLS_CAUSE_SERVER_INTERNAL_ERROR,    /* 80 received */
    MQTLS_CAUSE_INAPPROPRIATE_FALLBACK,   /* 86 */
    MQTLS_CAUSE_USER_CANCELED,            /* 90 */
    MQTLS_CAUSE_MISSING_EXTENSION,        /* 109 */
    MQTLS_CAUSE_UNRECOGNIZED_NAME,        /* 112 */
    MQTLS_CAUSE_ALPN_MISMATCH,            /* 120 to an ALPN protocol offered */
    MQTLS_CAUSE_SERVER_WEAK_HASH,         /* verification: MQTLS_TLS_BAD_WEAK_HASH */
    MQTLS_CAUSE_SERVER_WEAK_KEY,          /* MQTLS_TLS_BAD_WEAK_KEY */
    MQTLS_CAUSE_SERVER_WRONG_PURPOSE,     /* MQTLS_TLS_BAD_EXT_KEY_USAGE */
    MQTLS_CAUSE_SERVER_KEY_USAGE,         /* MQTLS_TLS_BAD_KEY_USAGE */
    MQTLS_CAUSE_SERVER_CERT_REVOKED,      /* MQTLS_TLS_BAD_REVOKED */
    MQTLS_CAUSE_SERVER_BAD_SIGNATURE,     /* MQTLS_TLS_BAD_SIGNATURE */
    MQTLS_CAUSE_UNKNOWN,
    MQTLS_CAUSE_COUNT
} mqtls_cause_t;

/* ---- step-1 findings (issue 15, point 3) ------------------------------------------------
 * What the local checks of step 1 found, as bits of mqtls_diag_facts_t::findings. Each is a
 * warning until a later failure is one it explains: then it is the cause (findings.c). */
#define MQTLS_FINDING_CERT_IS_KEY 0x0001u  /**< the certificate file holds a private key and
                                                no certificate */
#define MQTLS_FINDING_KEY_IS_CERT 0x0002u  /**< the key file holds a certificate and no
                                                private key (both bits: swapped) */
#define MQTLS_FINDING_NO_CLIENT_AUTH 0x0004u /**< the device certificate has an
                                                  extendedKeyUsage without clientAuth */
#define MQTLS_FINDING_CA_NOT_CA 0x0008u    /**< the CA file (and directory) holds certificates,
                                                none of them a CA */
#define MQTLS_FINDING_CA_IS_DEVICE 0x0010u /**< the CA file holds the device's own
                                                certificate */
#define MQTLS_FINDING_NO_DIGITAL_SIGNATURE 0x0020u /**< the device certificate has a keyUsage
                                                        without digitalSignature (nor
                                                        keyAgreement) */

/** The step of the round trip (stage 6) that failed. */
typedef enum mqtls_diag_rt_step {
    MQTLS_DIAG_RT_UNKNOWN = 0,
    MQTLS_DIAG_RT_SUBSCRIBE, /**< SUBSCRIBE sent, waiting for SUBACK */
    MQTLS_DIAG_RT_PUBLISH,   /**< QoS 1 PUBLISH sent, waiting for PUBACK */
    MQTLS_DIAG_RT_RECEIVE    /**< PUBACK received, waiting for the message to come back */
} mqtls_diag_rt_step_t;

/** A cause in words. */
typedef struct mqtls_cause_info {
    const char *id;      /**< stable, e.g. "tls.server_untrusted_root" */
    mqtls_diag_stage_t stage;
    const char *summary; /**< one line: what is wrong */
    const char *why;     /**< why it happens */
    const char *fix;     /**< what to do */
} mqtls_cause_info_t;

/** A certificate read from a local file: the CA file's, or the device's certificate file's. */
typedef struct mqtls_diag_cert {
    const char *subject;    /**< as the TLS evidence writes names ("C=US, O=Org, CN=Name") */
    const char *issuer;
    const char *not_before; /**< "YYYY-MM-DD HH:MM:SS" (UTC) */
    const char *not_after;
    bool is_ca;             /**< basicConstraints cA */
} mqtls_diag_cert_t;

/** What a failed attempt showed. Zero what you do not know. */
typedef struct mqtls_diag_facts {
    mqtls_diag_stage_t stage;           /**< the stage that failed */
    mqtls_status_t status;              /**< its status */
    const mqtls_tls_evidence_t *tls;    /**< TLS evidence, NULL when TLS was not used */
    bool tls_used;
    uint16_t port;
    bool host_is_aws;                   /**< the host ends in amazonaws.com */
    bool alpn_offered;                  /**< an ALPN protocol was offered (AWS IoT on 443:
                                             the one it needs, x-amzn-mqtt-ca) */
    bool clock_unset;                   /**< the local clock reads before 2020 */
    uint32_t client_cert_flags;         /**< MQTLS_TLS_BAD_EXPIRED / _FUTURE, found locally */
    bool key_too_small;                 /**< RSA below 2048 bits */
    mqtls_version_t version;
    uint8_t connack_reason;             /**< with MQTLS_ERR_CONNACK_REFUSED */
    bool port_speaks_tls;               /**< plain MQTT failed, and a probe found TLS there */
    bool reply_not_connack;             /**< CONNECT was answered with bytes that are not a
                                             CONNACK (an HTTP server, a TLS alert, ...) */
    mqtls_diag_rt_step_t rt_step;       /**< round trip: the step that failed */
    /* MQTT 5 reason codes and AWS IoT (issue 15, point 4). */
    bool userpass_given;                /**< -u or -P given: the broker had a user name or
                                             password to judge, not only the certificate */
    uint8_t disconnect_reason;          /**< with MQTLS_ERR_SERVER_DISCONNECT (5.0) */
    bool v311_accepted;                 /**< a 5.0 CONNECT was closed without CONNACK, and
                                             a 3.1.1 CONNECT on a new connection got
                                             CONNACK 0 */
    /* For the chain and the clock (src/diagnose/chain.c). */
    const mqtls_diag_cert_t *ca_certs;  /**< the CA file's (and directory's) certificates */
    uint8_t ca_len;
    const mqtls_diag_cert_t *dev_certs; /**< the device's certificate file: [0] its own, then
                                             what else the file carries, in its order */
    uint8_t dev_len;
    const char *now_utc;                /**< this machine's clock, "YYYY-MM-DD HH:MM:SS" UTC
                                             (NULL: no clock check) */
    /* step-1 findings (issue 15, point 3) */
    uint32_t findings;                  /**< MQTLS_FINDING_* bits step 1 found */
    /* alerts and verification outcomes (issue 15, point 2) */
    int tls_min_offered;                /**< the TLS versions this client offered:
                                             MQTLS_TLS_V1_2 / _3 (0: unknown) */
    int tls_max_offered;
} mqtls_diag_facts_t;

/** The words for @p cause (never NULL; MQTLS_CAUSE_UNKNOWN for out-of-range values). */
MQTLS_API const mqtls_cause_info_t *mqtls_cause_info(mqtls_cause_t cause);

/** Finds a cause by its id string; MQTLS_CAUSE_NONE if there is none. */
MQTLS_API mqtls_cause_t mqtls_cause_by_id(const char *id);

/**
 * The chain's reading of a failed verification of the server: a clock that makes every
 * certificate seen invalid, an issuer that is not a CA, a path length exceeded, or an
 * intermediate the server does not send. MQTLS_CAUSE_NONE when none of these explains it.
 * @p name (may be NULL) receives the subject of the certificate the fix is about.
 */
MQTLS_API mqtls_cause_t mqtls_chain_verify_cause(const mqtls_diag_facts_t *f, const char **name);

/**
 * The server refused our certificate: is it because the device's certificate file does not
 * carry the sub-CA that issued it? True, with that sub-CA's subject in @p name, when the
 * issuer is not in the file and is known (CA file or the server's chain) as a CA that is not
 * a root.
 */
MQTLS_API bool mqtls_chain_device_missing(const mqtls_diag_facts_t *f, const char **name);

/** Whether every certificate seen (the server's chain, the CA file's, the device's) is
 *  expired or not yet valid by f->now_utc: then the clock is wrong, not the certificates. */
MQTLS_API bool mqtls_chain_clock_wrong(const mqtls_diag_facts_t *f);

/** A verified chain the server sent incompletely: the subject of the first intermediate
 *  that verification took from the CA file, NULL if the server sent every one. */
MQTLS_API const char *mqtls_chain_completed_locally(const mqtls_tls_evidence_t *ev);

/** The rules: the one cause that explains @p f. */
MQTLS_API mqtls_cause_t mqtls_diagnose(const mqtls_diag_facts_t *f);

/* ---- alerts and verification outcomes (issue 15, point 2) ------------------------------ */

/**
 * The reading of a TLS alert (src/diagnose/alerts.c): the one the server sent
 * (@c f->tls->alert_received), or, when it says more, the one this client sent. The evidence
 * decides between readings (our certificate requested or sent, the versions offered, ALPN).
 * MQTLS_CAUSE_NONE when no alert of the handshake explains it.
 */
MQTLS_API mqtls_cause_t mqtls_alert_cause(const mqtls_diag_facts_t *f);

/**
 * Which rule of RFC 6125 keeps @p host from matching a certificate with the subjectAltNames
 * @p names (the evidence's "DNS:a, IP:b" form) and the subject @p subject: one sentence in
 * @p out. Returns false (and an empty @p out) when the host does match.
 */
MQTLS_API bool mqtls_diag_name_rule(const char *host, const char *names, const char *subject,
                                    char *out, size_t size);

/* ---- MQTT 5 reason codes and AWS IoT (issue 15, point 4) ------------------------------- */

/**
 * What to do about a 5.0 CONNACK (@p disconnect false) or DISCONNECT (true) reason code, one
 * sentence; NULL for a code the packet cannot carry (MQTT 5.0, 3.2.2.2 and 3.14.2.1).
 * The words for the code itself are mqtls_reason_text()'s.
 */
MQTLS_API const char *mqtls_reason_fix(bool disconnect, uint8_t code);

/**
 * Whether @p host is an AWS IoT data endpoint: "*.iot.REGION.amazonaws.com" (any case, a
 * trailing dot allowed; ".amazonaws.com.cn" too). "localhost", an address or another
 * amazonaws.com service is not.
 */
MQTLS_API bool mqtls_diag_host_is_aws_iot(const char *host);

/** The AWS IoT reading of @p cause, for an AWS IoT host only; NULL when there is none. */
MQTLS_API const char *mqtls_cause_aws_fix(mqtls_cause_t cause);

/* ---- Device profiles, `mqtls doctor --device` (issue 15, point 7) --------------------- */

/** The TLS stack a device profile describes. */
typedef enum mqtls_device_stack {
    MQTLS_DEVSTACK_CC3220,  /**< TI SimpleLink CC3220 (CC32xx SDK): TLS in the network processor */
    MQTLS_DEVSTACK_CC3200,  /**< TI SimpleLink CC3200 (CC3200 SDK 1.x) */
    MQTLS_DEVSTACK_MBEDTLS, /**< mqtls's Mbed TLS backend over Mbed TLS 2.28 */
    MQTLS_DEVSTACK_OPENSSL  /**< OpenSSL 3.0 as Debian 12 builds it (security level 2) */
} mqtls_device_stack_t;

/** One fact of a profile in words, and the document it comes from. @c value NULL: no
 *  source says it; the doctor then says it could not check that. */
typedef struct mqtls_device_fact {
    const char *value;
    const char *source;
} mqtls_device_fact_t;

/** What a device's TLS stack does (src/diagnose/devices.c; docs/doctor.md cites each row). */
typedef struct mqtls_device_profile {
    const char *name;      /**< "cc3220", the --device argument */
    const char *title;
    mqtls_device_stack_t stack;
    int tls_max;           /**< the highest version it offers: MQTLS_TLS_V1_2 or _V1_3 */
    /** The suites it offers by default (TLS 1.2's, and 1.3's for a TLS 1.3 stack), IANA
     *  names separated by ':'; NULL: the stack's own default list (not restricted). The
     *  doctor offers those the host's TLS library has too. */
    const char *suites;
    bool alpn;             /**< it can offer ALPN */
    bool catalog;          /**< a trusted-root catalog besides the CA file (CC3220) */
    int rsa_min, rsa_max;  /**< its own RSA key, bits: -1 unknown, 0 no limit */
    int ec_min;            /**< its own EC key, bits: -1 unknown, 0 no limit */
    const char *curves;    /**< the curves its own EC key may use, " P-256 P-384 ", NULL:
                                unknown */
    int ed25519;           /**< an Ed25519 key: 1 taken, 0 refused, -1 unknown */
    int max_intermediates; /**< intermediate CAs verification follows, -1: unknown */
    /** The largest Certificate message of the server it takes, bytes (its TLS input buffer
     *  when it does not reassemble a message across records): -1 unknown, 0 no limit
     *  worth checking. The "sizes" fact says where it comes from. */
    long max_cert_msg;
    mqtls_device_fact_t versions, suites_fact, keys, formats, depth, trust, sni, alpn_fact,
        sizes;
} mqtls_device_profile_t;

/** What a profile says of something: taken, refused, or no source says. */
typedef enum mqtls_device_verdict {
    MQTLS_DEVICE_TAKES = 0,
    MQTLS_DEVICE_REFUSES,
    MQTLS_DEVICE_UNKNOWN
} mqtls_device_verdict_t;

/** The profile named @p name (any case); NULL if there is none. */
MQTLS_API const mqtls_device_profile_t *mqtls_device_profile(const char *name);

/** The @p i-th profile, NULL past the last. */
MQTLS_API const mqtls_device_profile_t *mqtls_device_profile_at(size_t i);

/**
 * Whether @p p's stack takes its own key @p key ("RSA 2048", "EC P-384", "Ed25519": the
 * words of mqtls_tls_cert_info_t::key) of @p bits bits. @p why (may be NULL) receives the
 * rule that decided, in words.
 */
MQTLS_API mqtls_device_verdict_t mqtls_device_key_verdict(const mqtls_device_profile_t *p,
                                                          const char *key, int bits,
                                                          const char **why);

/** Whether @p p's stack takes a server Certificate message of @p bytes bytes. */
MQTLS_API mqtls_device_verdict_t mqtls_device_cert_msg_verdict(const mqtls_device_profile_t *p,
                                                               long bytes);

/** Whether @p p's verification follows a chain with @p intermediates intermediate CAs. */
MQTLS_API mqtls_device_verdict_t mqtls_device_depth_verdict(const mqtls_device_profile_t *p,
                                                            int intermediates);

#ifdef __cplusplus
}
#endif
#endif
