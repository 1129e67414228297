/**
 * @file x509.h
 * @brief X.509 helpers on Mbed TLS shared by the TLS transport and the tools.
 */
#ifndef MQTLS_X509_H
#define MQTLS_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Finds the extension whose OID body is @p oid (e.g. {0x55, 0x1D, 0x11} for
 * subjectAltName) in @p crt. Mbed TLS 2.28 parses only some extensions itself.
 * @return true with *val and *len set to the extnValue contents (inside its OCTET STRING),
 *         pointing into @p crt; false if absent or malformed.
 */
bool mqtls_x509_find_extension(const mbedtls_x509_crt *crt, const uint8_t *oid, size_t oid_len,
                               const unsigned char **val, size_t *len);

/** Does @p crt carry @p ip (4 or 16 bytes) among its iPAddress subjectAltNames? */
bool mqtls_x509_has_ip_san(const mbedtls_x509_crt *crt, const uint8_t *ip, size_t ip_len);

#ifdef __cplusplus
}
#endif
#endif
