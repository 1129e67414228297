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

/**
 * `mqtls cert`: @p argv[0] is "cert", @p argv[1] the cert command.
 * @return TOOL_EXIT_OK; TOOL_EXIT_USAGE (bad arguments, a file that is missing or is not a
 *         usable certificate/key/CSR); TOOL_EXIT_ERROR (an output cannot be written or
 *         exists without --force; `check`: a check failed)
 */
int tool_cert_main(int argc, char **argv);

#endif
