/**
 * @file tool_pkcs8.h
 * @brief Encrypted PKCS#8 private keys opened with OpenSSL's libcrypto: every scheme OpenSSL 3
 *        writes (PBES2 with AES, its default, as well as DES/3DES and PKCS#12 PBE), where the
 *        linked Mbed TLS 2.28 decrypts PKCS#8 only with DES/3DES.
 */
#ifndef TOOL_PKCS8_H
#define TOOL_PKCS8_H

#include <stddef.h>

#include "tool_x509.h"

/** What tool_pkcs8_decrypt() found. */
typedef enum tool_pkcs8_result {
    TOOL_PKCS8_OK,          /**< *out holds the key as unencrypted PKCS#8 DER */
    TOOL_PKCS8_WRONG_PASS,  /**< well formed, but the passphrase does not open it */
    TOOL_PKCS8_UNREADABLE   /**< not an EncryptedPrivateKeyInfo, or a scheme OpenSSL lacks */
} tool_pkcs8_result_t;

/**
 * Decrypts the EncryptedPrivateKeyInfo @p der (@p len bytes) with @p pass. On success *out
 * (wiped and freed by tool_blob_free) holds the unencrypted PKCS#8 DER; no copy of the
 * plaintext is left elsewhere.
 */
tool_pkcs8_result_t tool_pkcs8_decrypt(const unsigned char *der, size_t len, const char *pass,
                                       tool_blob_t *out);

#endif
