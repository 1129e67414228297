/**
 * @file mbedtls_be.h
 * @brief What the files of the Mbed TLS backend share: the context's and the connection's
 *        state, and the helpers one file gives the others.
 *
 * tls_mbedtls.c runs connections, creds_mbedtls.c loads a context (credentials and
 * settings), crl_mbedtls.c the revocation lists, evidence_mbedtls.c tells what verification found, in neutral terms.
 */
#ifndef MQTLS_TLS_MBEDTLS_BE_H
#define MQTLS_TLS_MBEDTLS_BE_H

#include "../backend.h"

#include <mbedtls/pk.h>
#include <mbedtls/psa_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

/* (Checked only where Mbed TLS's headers are read: static checkers skip them.) */
#if defined(MBEDTLS_VERSION_NUMBER) &&                                                         \
    (MBEDTLS_VERSION_NUMBER < 0x03060000 || !defined(MBEDTLS_PSA_CRYPTO_C))
#error "the mbedtls backend needs Mbed TLS 3.6 with MBEDTLS_PSA_CRYPTO_C (config/mbedtls_device.h)"
#endif

/** 1 when the linked Mbed TLS speaks TLS 1.3 (MBEDTLS_SSL_PROTO_TLS1_3). */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define MQTLS_MBEDTLS_TLS13 1
#else
#define MQTLS_MBEDTLS_TLS13 0
#endif

/** Random bytes for Mbed TLS's f_rng parameters: PSA's generator, the one TLS 1.3 uses, so
 *  that a device runs one entropy source and one DRBG (seeded by mbedtls_hardware_poll()). */
#define MQTLS_MBEDTLS_RNG mbedtls_psa_get_random, MBEDTLS_PSA_RANDOM_STATE

/** Cipher suites one context can be limited to (ids, 0-terminated). */
#define MQTLS_MBEDTLS_SUITES_MAX 64

/**
 * What connections of one context share (ctx->be): the configuration, the trusted roots,
 * our certificate and key. Randomness is PSA's (one generator per process, MQTLS_MBEDTLS_RNG):
 * connections must be used from one thread, unless Mbed TLS is built with
 * MBEDTLS_THREADING_C.
 */
typedef struct mqtls_mbedtls_ctx {
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_x509_crl crl; /**< the CRLs of cfg.crl_file (crl_mbedtls.c), empty without */
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
    int *suites; /**< --ciphers as ids, 0-terminated (allocated only then), NULL: the default */
    bool suites12, suites13; /**< the list names TLS 1.2 / TLS 1.3 suites */
} mqtls_mbedtls_ctx_t;

/** What one connection needs of its own (t->conn): the TLS session. */
struct mqtls_tls_conn {
    mbedtls_ssl_context ssl;
    mqtls_tls_grace_t grace; /**< TLS 1.3: waiting for the verdict since our Finished */
    bool verdict;            /**< TLS 1.3: the server spoke after our Finished */
    bool held;               /**< @c byte is application data read while waiting for it */
    uint8_t byte;
    /** The chain verification built (depth 0 first) and what it found at each depth. The
     *  evidence's descriptions (820 bytes each) are made from it only when they will be
     *  read: a problem, a failed handshake, or keep_chain (evidence_mbedtls.c). */
    const mbedtls_x509_crt *built[MQTLS_TLS_CHAIN_MAX];
    uint32_t built_bad[MQTLS_TLS_CHAIN_MAX];
    uint8_t built_len;
    bool described;
};

/**
 * The Mbed TLS id of the suite whose IANA name is the @p len bytes at @p name
 * ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"); 0 when it is not an IANA name or the linked
 * library does not have it.
 */
int mqtls__mbedtls_suite_id(const char *name, size_t len);

/**
 * The verify callback (set per connection, @p p is the mqtls_tls_t): fills the built
 * chain's entry @p depth and, at depth 0, the chain as sent; checks an IP literal against
 * the iPAddress subjectAltNames (Mbed TLS matches DNS names only).
 */
int mqtls__mbedtls_verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags);

/**
 * Adds what Mbed TLS checks after the verify callback (key usage, extended key usage, the
 * key's curve) from the session's verify result @p flags to the evidence, when the callback
 * ran (ev.verified).
 */
void mqtls__mbedtls_verify_result(mqtls_tls_t *t, uint32_t flags);

/** Describes the chain the verify callback kept into the evidence, if not done yet (a
 *  failed handshake: its certificates are still the session's). */
void mqtls__mbedtls_describe_chain(mqtls_tls_t *t);

/** The MQTLS_TLS_BAD_* bits of Mbed TLS's verify @p flags (NOT_TRUSTED excepted). */
uint32_t mqtls__mbedtls_problems(uint32_t flags);

/** Parses the CRLs of @p c->crl_file (if any) into be->crl; a file that cannot be read or
 *  holds no CRL is a credential failure (MQTLS_TLS_ITEM_CRL). */
mqtls_status_t mqtls__mbedtls_load_crl(mqtls_mbedtls_ctx_t *be, const mqtls_tls_cfg_t *c,
                                       mqtls_tls_evidence_t *ev);

#endif
