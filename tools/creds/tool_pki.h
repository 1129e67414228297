/**
 * @file tool_pki.h
 * @brief `mqtls pki`: a local certificate authority for tests and small deployments.
 *
 *     mqtls pki init DIR      a root CA: DIR/ca.key, DIR/ca.crt, DIR/ca.der
 *     mqtls pki server DIR    a broker certificate signed by that CA (DNS and IP names)
 *     mqtls pki device DIR NAME
 *                             a device certificate laid out like
 *                             `aws iot create-keys-and-certificate` writes it
 *
 * Keys and certificates are made with OpenSSL 3's libcrypto and verified against the CA
 * before anything is written. See docs/pki.md.
 */
#ifndef TOOL_PKI_H
#define TOOL_PKI_H

#include "common/tool_optparse.h"

/**
 * `mqtls pki`: @p argv[0] is "pki", @p argv[1] the pki command (init, server, device).
 * @return TOOL_EXIT_OK, TOOL_EXIT_USAGE (bad arguments, unusable input such as a missing
 *         or broken CA) or TOOL_EXIT_ERROR (a file cannot be written, an existing file
 *         would be replaced without --force, key generation or signing failed, the new
 *         certificate does not verify against the CA)
 */
int tool_pki_main(int argc, char **argv);

/** The option table of `mqtls pki`'s commands (docs/cli.md documents each flag of it). */
extern const tool_optset_t tool_pki_optset;

#endif
