/**
 * @file tool_cert.h
 * @brief `mqtls cert`: look at, convert, check and embed certificates and keys.
 *
 *     mqtls cert show FILE...              what each file is: certificates (subject, issuer,
 *                                          dates, names, usages, SHA-256 / AWS id), keys, CSRs
 *     mqtls cert convert IN OUT            PEM <-> DER, certificates and keys
 *     mqtls cert check --cafile F --cert F --key F
 *                                          offline pre-flight of TLS credentials
 *     mqtls cert embed FILE... --name P    C arrays for mqtls_tls_cfg_t's *_mem fields
 *
 * See docs/cli.md ("mqtls cert").
 */
#ifndef TOOL_CERT_H
#define TOOL_CERT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/tool_optparse.h"

/**
 * `mqtls cert`: @p argv[0] is "cert", @p argv[1] the cert command.
 * @return TOOL_EXIT_OK; TOOL_EXIT_USAGE (bad arguments, a file that is missing or is not a
 *         usable certificate/key/CSR); TOOL_EXIT_ERROR (an output cannot be written or
 *         exists without --force; `check`: a check failed)
 */
int tool_cert_main(int argc, char **argv);

/** The option table of `mqtls cert`'s commands (docs/cli.md documents each flag of it). */
extern const tool_optset_t tool_cert_optset;

/** What one line of a credential check says. */
typedef enum tool_check_kind {
    TOOL_CHECK_OK,     /**< a check passed (printed with a check mark) */
    TOOL_CHECK_FAIL,   /**< a check failed (a cross) */
    TOOL_CHECK_WARN,   /**< something to know ("!") */
    TOOL_CHECK_DETAIL  /**< evidence for the check line before it */
} tool_check_kind_t;

/** Receives the lines of a check in order (@p text without mark or indentation). */
typedef void (*tool_check_sink_t)(void *ctx, tool_check_kind_t kind, const char *text);

/** What to check, and where the lines go. */
typedef struct tool_cert_check_opts {
    const char *cafile;    /**< NULL: not checked */
    const char *certfile;
    const char *keyfile;
    const char *pass;      /**< opens an encrypted key (NULL: none) */
    const char *host;      /**< AWS IoT endpoint checks (NULL: none) */
    int64_t now;           /**< the time to check dates against (Unix time) */
    bool at_set;           /**< @p now was given by the user (--at), not read from the clock */
    bool chain_warn_only;  /**< a certificate that does not chain to the CA file is a warning
                                (doctor: the broker may trust another CA for its clients) */
    tool_check_sink_t sink; /**< NULL: printed on stdout as `mqtls cert check` shows them */
    void *ctx;
} tool_cert_check_opts_t;

/** What the check found, for callers that act on it (`mqtls doctor`). */
typedef struct tool_cert_check_result {
    unsigned passed, failed, warned;
    bool clock_unset;      /**< @p now is before 2020 */
    bool files_ok;         /**< every file given was read and holds what its role needs */
    bool key_mismatch;     /**< the key does not belong to the certificate */
    bool chain_ok;         /**< the certificate chains to the CA file (dates aside) */
    uint32_t cert_flags;   /**< the certificate's dates: MQTLS_TLS_BAD_EXPIRED or
                                MQTLS_TLS_BAD_FUTURE (mqtls/transport_tls.h), 0 when valid (or
                                not checked) */
    bool key_too_small;    /**< the certificate's key (or the key alone) is RSA below 2048 bits */
    bool cert_is_key;      /**< the certificate file holds a private key and no certificate */
    bool key_is_cert;      /**< the key file holds a certificate and no private key */
    bool no_client_auth;   /**< the certificate's extendedKeyUsage lacks clientAuth */
    bool no_digital_signature; /**< its keyUsage has neither digitalSignature nor
                                    keyAgreement */
} tool_cert_check_result_t;

/**
 * The checks of `mqtls cert check`: each file parses and holds what its role needs, the
 * key belongs to the certificate, the certificate chains to the CA file, the dates against
 * @p now (with a clock check), RSA below 2048 bits, the key usages, file names that
 * contradict the content, and (with @p host) the AWS IoT root. Never fails as a call.
 */
void tool_cert_check(const tool_cert_check_opts_t *o, tool_cert_check_result_t *r);

#endif
