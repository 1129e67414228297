/**
 * @file stack_openssl.c
 * @brief `mqtls explain --stack openssl` (TLS alert numbers, as OpenSSL prints them: "SSL
 *        alert number 48") and `--stack openssl-verify` (X509_V_ERR codes, as `openssl
 *        verify` and SSL_get_verify_result() give them: "error 20 at 0 depth lookup").
 *
 * Two rows because the numbers overlap (20 is the alert bad_record_mac and the verify error
 * "unable to get local issuer certificate") and OpenSSL prints them in different messages.
 * Sources (docs/troubleshooting.md, "OpenSSL"): the alert names and numbers of RFC 8446
 * section 6 and RFC 5246 section 7.2 (the "_RESERVED" ones are TLS 1.2 and older only); the
 * X509_V_ERR numbers of OpenSSL 3.0's include/openssl/x509_vfy.h and openssl-verify(1).
 * An alert has two directions: the text says what it means received by the device (the
 * server sent it) and sent by it.
 */
#include <stdio.h>

#include "explain/tool_explain.h"

static const tool_explain_entry_t alerts[] = {
    {0, "close_notify", "", "The peer closed the TLS session; not an error by itself."},
    {10, "unexpected_message", "tls.handshake_failed",
     "A message arrived out of order: a TLS implementation bug or a middlebox."},
    {20, "bad_record_mac", "tls.handshake_failed",
     "A record failed its integrity check: data changed on the way (a middlebox, a bad "
     "link) or a broken cipher implementation."},
    {21, "decryption_failed_RESERVED", "tls.handshake_failed",
     "Old TLS only (before 1.2): a record could not be decrypted."},
    {22, "record_overflow", "tls.record_too_large",
     "A record was longer than allowed, or than the receiver's buffer: a device with "
     "small TLS buffers must negotiate max_fragment_length or get a larger buffer."},
    {30, "decompression_failure_RESERVED", "tls.handshake_failed",
     "Old TLS only: TLS compression failed."},
    {40, "handshake_failure", "tls.handshake_failed",
     "The sender found no acceptable set of parameters: usually no common cipher suite, "
     "curve or signature algorithm; some servers send it for a refused client "
     "certificate too. Compare the suites both sides offer (openssl s_client -connect)."},
    {41, "no_certificate_RESERVED", "tls.client_cert_required",
     "SSL 3.0 only: no certificate was sent."},
    {42, "bad_certificate", "tls.client_cert_bad",
     "Received from the server: it refused the device's certificate (damaged, or signed "
     "by a CA it does not accept). Sent by the device: the server's certificate is bad."},
    {43, "unsupported_certificate", "tls.client_cert_unsupported",
     "The certificate is of a type the peer does not support (key type, key usage or "
     "extended key usage): a device certificate needs clientAuth, a server's serverAuth."},
    {44, "certificate_revoked", "tls.client_cert_revoked",
     "The certificate was revoked by its issuer (on AWS IoT: the certificate is REVOKED "
     "or INACTIVE). Issue or activate another."},
    {45, "certificate_expired", "tls.client_cert_expired",
     "Received: the server says the device's certificate has expired (or is not yet "
     "valid). Sent by the device: check its clock first (tls.clock_unset)."},
    {46, "certificate_unknown", "tls.client_cert_unknown",
     "The peer refused the certificate for another reason; its log says which."},
    {47, "illegal_parameter", "tls.illegal_parameter",
     "A handshake field was out of range or inconsistent: often an unsupported curve or "
     "signature algorithm."},
    {48, "unknown_ca", "tls.client_cert_rejected",
     "Received from the server: it does not know the CA that issued the device's "
     "certificate (AWS IoT: the CA is not registered, or the sub-CA was not sent with the "
     "certificate). Sent by the device: the server's root is not in its CA file "
     "(tls.server_untrusted_root)."},
    {49, "access_denied", "tls.access_denied",
     "The certificate is valid but the peer's access control refused it."},
    {50, "decode_error", "tls.decode_error",
     "A message could not be decoded: a malformed message or a field out of range."},
    {51, "decrypt_error", "tls.handshake_failed",
     "A signature or key exchange check failed: often a certificate and private key that "
     "do not belong together (cred.key_mismatch)."},
    {60, "export_restriction_RESERVED", "tls.handshake_failed", "Old TLS only."},
    {70, "protocol_version", "tls.version_mismatch",
     "The peer does not support the offered TLS version: allow TLS 1.2 (and 1.3) on "
     "both sides."},
    {71, "insufficient_security", "tls.insufficient_security",
     "The peer wants stronger cipher suites than offered: enable ECDHE with AES-GCM."},
    {80, "internal_error", "tls.server_internal_error",
     "The peer failed internally (not a protocol fault): see its log."},
    {86, "inappropriate_fallback", "tls.inappropriate_fallback",
     "A fallback to an older TLS version was refused: the client retried with a lower "
     "version than both support."},
    {90, "user_canceled", "tls.user_canceled", "The peer cancelled the handshake."},
    {100, "no_renegotiation_RESERVED", "tls.handshake_failed",
     "TLS 1.2 and older: the peer refuses to renegotiate."},
    {109, "missing_extension", "tls.missing_extension",
     "TLS 1.3: a required extension was not sent (e.g. supported_groups or "
     "signature_algorithms)."},
    {110, "unsupported_extension", "tls.handshake_failed",
     "An extension came back that was not offered."},
    {111, "certificate_unobtainable_RESERVED", "tls.handshake_failed",
     "Old TLS only: a certificate URL could not be fetched."},
    {112, "unrecognized_name", "tls.unrecognized_name",
     "The server has no service for the SNI name sent: connect by the host name the "
     "broker expects (not by IP address) and send SNI."},
    {113, "bad_certificate_status_response", "tls.handshake_failed",
     "The OCSP status the server sent is invalid."},
    {114, "bad_certificate_hash_value_RESERVED", "tls.handshake_failed", "Old TLS only."},
    {115, "unknown_psk_identity", "cred.settings_invalid",
     "The server does not know the PSK identity sent: check the identity and key."},
    {116, "certificate_required", "tls.client_cert_required",
     "TLS 1.3: the server requires a client certificate and none was sent: give the "
     "device's certificate and key."},
    {120, "no_application_protocol", "tls.alpn_required",
     "No ALPN protocol in common: on AWS IoT port 443 the device must offer "
     "x-amzn-mqtt-ca; elsewhere offer what the broker expects (mqtt)."},
};

static const tool_explain_entry_t verify[] = {
    {0, "X509_V_OK", "", "Verification succeeded."},
    {1, "X509_V_ERR_UNSPECIFIED", "", "An unspecified verification error."},
    {2, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT", "tls.server_untrusted_root",
     "The issuer of a certificate in the chain is not found: the server did not send an "
     "intermediate and the CA file does not have it. Add the intermediate (server side: "
     "to the server's chain file) or the root named by the last issuer."},
    {3, "X509_V_ERR_UNABLE_TO_GET_CRL", "", "A CRL was required and is not available."},
    {4, "X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE", "", "A signature cannot be read."},
    {6, "X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", "", "The issuer's key is unreadable."},
    {7, "X509_V_ERR_CERT_SIGNATURE_FAILURE", "tls.server_bad_signature",
     "A signature does not verify: a certificate with the same issuer name but another "
     "key is in the CA file (an old or wrong root), or the certificate is damaged."},
    {9, "X509_V_ERR_CERT_NOT_YET_VALID", "tls.server_cert_not_yet_valid",
     "A certificate is not yet valid: if every certificate looks so, the clock of the "
     "verifying machine is behind (tls.clock_unset)."},
    {10, "X509_V_ERR_CERT_HAS_EXPIRED", "tls.server_cert_expired",
     "A certificate has expired (or the verifying machine's clock is ahead): renew it."},
    {13, "X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD", "", "The notBefore date is malformed."},
    {14, "X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD", "", "The notAfter date is malformed."},
    {17, "X509_V_ERR_OUT_OF_MEM", "", "Out of memory while verifying."},
    {18, "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT", "tls.server_untrusted_root",
     "The server's certificate is self-signed and not in the CA file: give that "
     "certificate itself as the CA file (--cafile) if you trust it."},
    {19, "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN", "tls.server_untrusted_root",
     "The chain ends at a self-signed root that is not in the CA file: add that root "
     "(its subject is the chain's last issuer)."},
    {20, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "tls.server_untrusted_root",
     "The issuer of the last certificate the server sent is not in the CA file: add the "
     "root CA (or the missing intermediate) it names as issuer."},
    {21, "X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls.server_untrusted_root",
     "Only one certificate came and its issuer is unknown: the server sends its leaf "
     "without the intermediate, and the CA file lacks it too. Add the intermediate to "
     "the server's chain file (or to the CA file)."},
    {22, "X509_V_ERR_CERT_CHAIN_TOO_LONG", "", "The chain is longer than the depth allowed."},
    {23, "X509_V_ERR_CERT_REVOKED", "tls.server_cert_revoked", "A certificate of the chain is revoked."},
    {24, "X509_V_ERR_NO_ISSUER_PUBLIC_KEY", "", "The issuer's public key is missing."},
    {25, "X509_V_ERR_PATH_LENGTH_EXCEEDED", "",
     "A CA's pathLenConstraint is exceeded: too many intermediates below it."},
    {26, "X509_V_ERR_INVALID_PURPOSE", "tls.server_wrong_purpose",
     "A certificate may not be used for this purpose: its extended key usage lacks "
     "serverAuth (server) or clientAuth (device)."},
    {27, "X509_V_ERR_CERT_UNTRUSTED", "tls.server_untrusted_root",
     "The root is not trusted for this purpose."},
    {28, "X509_V_ERR_CERT_REJECTED", "", "The root is marked to reject this purpose."},
    {29, "X509_V_ERR_SUBJECT_ISSUER_MISMATCH", "", "A subject does not match its issuer."},
    {32, "X509_V_ERR_KEYUSAGE_NO_CERTSIGN", "tls.server_key_usage",
     "A certificate in the issuer's place may not sign certificates (its keyUsage lacks "
     "keyCertSign): a leaf was put where a CA belongs."},
    {62, "X509_V_ERR_HOSTNAME_MISMATCH", "tls.hostname_mismatch",
     "The host name is not in the certificate's subjectAltName (nor its CN, where that "
     "still counts): connect by a name the certificate carries, or reissue it."},
    {64, "X509_V_ERR_IP_ADDRESS_MISMATCH", "tls.hostname_mismatch",
     "The IP address connected to is not an IP entry of the certificate's "
     "subjectAltName: connect by host name."},
    {66, "X509_V_ERR_EE_KEY_TOO_SMALL", "tls.server_weak_key", "The leaf's key is too short for the security level."},
    {67, "X509_V_ERR_CA_KEY_TOO_SMALL", "tls.server_weak_key", "A CA's key is too short for the security level."},
    {68, "X509_V_ERR_CA_MD_TOO_WEAK", "tls.server_weak_hash",
     "A CA signed with a hash too weak for the security level (SHA-1, MD5)."},
    {79, "X509_V_ERR_INVALID_CA", "",
     "A certificate in a CA's place is not a CA (basicConstraints CA:FALSE or none)."},
};

#define N(t) (sizeof(t) / sizeof((t)[0]))

void tool_explain_openssl_alert(const tool_explain_stack_t *s, long code,
                                tool_explain_result_t *out, char *name_buf, size_t name_size)
{
    (void)s, (void)name_buf, (void)name_size;
    tool_explain_from_table(alerts, N(alerts), code, "No TLS alert has this number (RFC 8446, RFC 5246).",
               out);
}

void tool_explain_openssl_verify(const tool_explain_stack_t *s, long code,
                                 tool_explain_result_t *out, char *name_buf, size_t name_size)
{
    (void)s, (void)name_buf, (void)name_size;
    tool_explain_from_table(verify, N(verify), code,
               "This table does not have that X509_V_ERR number: X509_verify_cert_error_string"
               "() or `openssl verify` prints its text.",
               out);
}
