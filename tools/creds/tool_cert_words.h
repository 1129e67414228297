/**
 * @file tool_cert_words.h
 * @brief A certificate in words, for `mqtls cert show` and `check`: its names, dates,
 *        validity against a time, subjectAltNames and usages, all read through OpenSSL
 *        (X509_get_ext_d2i() and the typed extension structures).
 */
#ifndef TOOL_CERT_WORDS_H
#define TOOL_CERT_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/tool_util.h"

/** "" for one, "s" for any other count. */
const char *tool_cert_plural(int64_t n);

/** The certificate's notBefore as Unix time (0 if OpenSSL cannot read it). */
int64_t tool_cert_not_before(const X509 *crt);

/** The certificate's notAfter as Unix time (0 if OpenSSL cannot read it). */
int64_t tool_cert_not_after(const X509 *crt);

/** Validity against @p now in words; *state: 0 valid, 1 expired, -1 not yet valid. */
void tool_cert_validity(const X509 *crt, int64_t now, char *out, size_t size, int *state);

/** The subject as tool_x509_name() writes it. */
void tool_cert_subject(const X509 *crt, char *out, size_t size);

/** The issuer as tool_x509_name() writes it. */
void tool_cert_issuer(const X509 *crt, char *out, size_t size);

/** The subjectAltNames: "DNS:a, IP:127.0.0.1, email:x, URI:y"; empty when none. */
void tool_cert_san(const X509 *crt, tool_buf_t *b);

/* The keyUsage bits in RFC 5280's order (bit 0 = digitalSignature). */
enum { KU_DIGSIG = 0, KU_KEYAGREE = 4, KU_N = 9 };

/** The keyUsage extension: false when absent; *malformed when OpenSSL cannot read it. */
bool tool_cert_key_usage(const X509 *crt, bool bits[KU_N], bool *malformed);

/** The keyUsage bits set, by their RFC 5280 names ("(none set)", "(malformed keyUsage)"). */
void tool_cert_ku_words(const bool bits[KU_N], bool malformed, tool_buf_t *b);

/**
 * The extendedKeyUsage in words. @return false when the certificate has none; *client:
 * whether it allows TLS client authentication (clientAuth or anyExtendedKeyUsage).
 */
bool tool_cert_eku_words(const X509 *crt, tool_buf_t *b, bool *client);

/** basicConstraints in words ("CA:TRUE, path length 0", "absent (not a CA)"); *is_ca. */
void tool_cert_bc_words(const X509 *crt, char *out, size_t size, bool *is_ca);

#endif
