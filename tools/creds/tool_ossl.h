/**
 * @file tool_ossl.h
 * @brief What the tool asks of OpenSSL besides reading credentials (tool_x509.h), whatever the
 *        library's TLS backend:
 *        - encrypted PKCS#8 private keys of every scheme OpenSSL 3 writes (PBES2 with AES, its
 *          default, as well as DES/3DES and PKCS#12 PBE), opened into plaintext PKCS#8 (the
 *          Mbed TLS backend decrypts PKCS#8 only with DES/3DES);
 *        - cipher suites given in OpenSSL's names and rules (`--ciphers`), as mosquitto's
 *          clients take them.
 */
#ifndef TOOL_OSSL_H
#define TOOL_OSSL_H

#include <stddef.h>

#include "creds/tool_x509.h"

/**
 * Before a command that reads or writes certificates and keys with OpenSSL: when OpenSSL
 * cannot work here (mqtls_tls_library_usable(): a configuration without the default
 * provider), says why and how to mend it (the fix of cause cred.openssl_config), and returns
 * TOOL_EXIT_ERROR; else TOOL_EXIT_OK.
 * Every file would otherwise look damaged. (With the Mbed TLS backend the library answers
 * for Mbed TLS, and this always passes.)
 */
int tool_ossl_require(void);

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

/**
 * Expands the OpenSSL cipher string @p rule (`ECDHE-ECDSA-AES128-GCM-SHA256`, `HIGH:!aNULL`)
 * into the TLS 1.2 suites it selects, in OpenSSL's order of preference, as IANA names
 * separated by ':', keeping the first @p max of those @p known accepts (the TLS library's
 * own; *dropped counts the others). Returns a malloc'd string, or NULL when OpenSSL selects
 * nothing for it (an unknown name). An empty string: suites selected, none of them known.
 */
char *tool_ossl_ciphers(const char *rule, int (*known)(const char *iana), size_t max,
                        size_t *dropped);

#endif
