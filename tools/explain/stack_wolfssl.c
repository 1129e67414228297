/**
 * @file stack_wolfssl.c
 * @brief `mqtls explain --stack wolfssl`: wolfSSL's error codes (wolfSSL_get_error()): the
 *        TLS layer's -301 ... -501 and wolfCrypt's -101 ... -299 that verification and key
 *        loading return.
 *
 * Sources (docs/troubleshooting.md, "wolfssl"): wolfSSL/wolfssl wolfssl/error-ssl.h (enum
 * wolfSSL_ErrorCodes; read in its 3.x form, -301 ... -397, -500, -501: codes added later
 * are not in this table) and wolfssl/wolfcrypt/error-crypt.h (the current enum, -101 ...
 * -299). The CC3200 SDK's TLS codes have the same numbers and names with an SL_ESEC_ prefix
 * (SL_ESEC_ASN_BEFORE_DATE_E -150 ...), so without --stack such a code is offered for both.
 */
#include "explain/tool_explain.h"

static const tool_explain_entry_t wolf[] = {
    {0, "0", "", "Success."},
    {-501, "MATCH_SUITE_ERROR", "tls.no_common_cipher",
     "No cipher suite in common: enable suites the broker offers (ECDHE with AES-GCM)."},
    {-500, "UNSUPPORTED_SUITE", "tls.no_common_cipher",
     "The suite chosen is not supported by this build."},
    {-397, "SOCKET_PEER_CLOSED_E", "",
     "The peer closed the connection: during the handshake often a refused client "
     "certificate; after CONNECT the broker refused the client (mqtt.closed_after_connect)."},
    {-386, "EXTKEYUSE_AUTH_E", "",
     "The certificate's extended key usage lacks serverAuth (server) or clientAuth "
     "(device)."},
    {-381, "UNKNOWN_SNI_HOST_NAME_E", "tls.handshake_failed",
     "The server knows no service for the SNI name: connect by the broker's host name."},
    {-372, "SSL_NO_PEM_HEADER", "cred.file_wrong_kind",
     "No PEM header in the file: load it as DER (SSL_FILETYPE_ASN1) or give the PEM file."},
    {-368, "MAX_CHAIN_ERROR", "", "The chain is deeper than the build's maximum depth."},
    {-361, "CRL_CERT_REVOKED", "", "The certificate is revoked by a loaded CRL."},
    {-360, "OCSP_CERT_REVOKED", "", "The certificate is revoked (OCSP)."},
    {-357, "NOT_CA_ERROR", "",
     "A certificate loaded as a CA is not a CA (basicConstraints): the CA file holds a "
     "leaf."},
    {-345, "NO_PEER_CERT", "tls.client_cert_required",
     "The peer sent no certificate where one is required."},
    {-343, "ZERO_RETURN", "", "The peer closed the TLS session (close_notify)."},
    {-329, "VERIFY_CERT_ERROR", "",
     "The peer's certificate did not verify; the wolfCrypt code in the log (e.g. -188, "
     "-151, -150, -155) tells why."},
    {-328, "BUFFER_ERROR", "tls.handshake_failed", "A malformed message came in."},
    {-327, "WANT_WRITE", "", "Not an error: call again when the socket can send."},
    {-326, "VERSION_ERROR", "tls.version_mismatch",
     "The record layer's TLS version does not match: allow TLS 1.2 (and 1.3) on both "
     "sides."},
    {-323, "WANT_READ", "", "Not an error: call again when data has arrived."},
    {-322, "DOMAIN_NAME_MISMATCH", "tls.hostname_mismatch",
     "The host name checked (wolfSSL_check_domain_name()) is not in the server's "
     "certificate."},
    {-317, "NO_PRIVATE_KEY", "cred.settings_invalid",
     "The certificate is loaded without its private key."},
    {-313, "FATAL_ERROR", "tls.handshake_failed",
     "The peer sent a fatal alert: wolfSSL_get_alert_history() gives its number; run "
     "mqtls explain --stack openssl NUMBER."},
    {-308, "SOCKET_ERROR_E", "",
     "The socket failed (reset or closed): during the handshake, often a refused client "
     "certificate or a port that is not TLS."},
    {-303, "MEMORY_ERROR", "", "Out of memory."},
    {-275, "ASN_SELF_SIGNED_E", "tls.server_untrusted_root",
     "A self-signed certificate that is not loaded as trusted."},
    {-234, "WC_KEY_SIZE_E", "cred.key_unsupported",
     "A key too small (or too large) for the build's limits: use RSA 2048 or EC P-256."},
    {-188, "ASN_NO_SIGNER_E", "tls.server_untrusted_root",
     "The CA that signed the peer's certificate is not loaded: load the broker's root CA "
     "(and a missing intermediate) with wolfSSL_CTX_load_verify_locations()."},
    {-174, "NOT_COMPILED_IN", "", "A feature this build leaves out."},
    {-173, "BAD_FUNC_ARG", "", "A bad argument to a function."},
    {-162, "ASN_NO_PEM_HEADER", "cred.file_wrong_kind",
     "No PEM header: the data is DER or another kind of file."},
    {-157, "ASN_SIG_KEY_E", "cred.key_unsupported",
     "A certificate is signed with a key type the build does not support."},
    {-156, "ASN_SIG_HASH_E", "cred.key_unsupported",
     "A certificate is signed with a hash the build does not support."},
    {-155, "ASN_SIG_CONFIRM_E", "tls.server_untrusted_root",
     "A signature does not verify with the loaded CA: a CA with the same name but another "
     "key (an old or wrong root)."},
    {-151, "ASN_AFTER_DATE_E", "tls.server_cert_expired",
     "A certificate has expired, or the device's clock is ahead."},
    {-150, "ASN_BEFORE_DATE_E", "tls.server_cert_not_yet_valid",
     "A certificate is not yet valid, or the device's clock is behind (not set: "
     "tls.clock_unset)."},
    {-140, "ASN_PARSE_E", "cred.file_wrong_kind",
     "The DER data cannot be parsed: not a certificate or key, or damaged."},
    {-125, "MEMORY_E", "", "Out of memory."},
};

void tool_explain_wolfssl(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                          char *name_buf, size_t name_size)
{
    (void)s, (void)name_buf, (void)name_size;
    tool_explain_from_table(wolf, sizeof wolf / sizeof wolf[0], code,
                            code <= -301 ? "A TLS-layer code this table does not have: "
                                           "wolfSSL_ERR_error_string() on the device names it."
                                         : "A wolfCrypt code this table does not have: "
                                           "wc_GetErrorString() on the device names it.",
                            out);
}
