/**
 * @file stack_mbedtls.c
 * @brief `mqtls explain --stack mbedtls`: Mbed TLS error codes and X.509 verify flags.
 *
 * Values from Mbed TLS's own headers (docs/troubleshooting.md, "Mbed TLS"): 2.28.3's
 * include/mbedtls/{ssl,x509,pk,pem,asn1,net_sockets}.h, and for 3.x include/mbedtls/ssl.h,
 * whose SSL module reuses some numbers with other names (both names are given). An error is
 * negative: a high-level module's code (SSL, X509, PK, PEM: bits 0x7F80) plus, optionally, a
 * low-level one (ASN1, NET, ...: bits 0x007F), split the way mbedtls_strerror() splits it. A
 * positive hex CODE is the flags word of mbedtls_x509_crt_verify() /
 * mbedtls_ssl_get_verify_result(): each bit set is named.
 */
#include <stdio.h>
#include <string.h>

#include "explain/tool_explain.h"

/* High-level codes (-0x1080 ... -0x7F80). */
static const tool_explain_entry_t high[] = {
    {-0x1080, "MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT", "cred.file_wrong_kind",
     "The file has no PEM header and footer (-----BEGIN ...-----): it is DER, or not the "
     "file you meant. Convert it (openssl x509 -inform der -in F -out F.pem) or give the "
     "right file."},
    {-0x1100, "MBEDTLS_ERR_PEM_INVALID_DATA", "cred.file_wrong_kind",
     "The PEM block's base64 is damaged: copy the file again, byte for byte (no added "
     "spaces or line breaks; a C string needs its \\n and the final NUL in the length)."},
    {-0x1300, "MBEDTLS_ERR_PEM_PASSWORD_REQUIRED", "cred.key_passphrase",
     "The PEM key is encrypted and no password was given: give it, or store the key "
     "unencrypted (openssl pkey -in k.pem -out plain.pem)."},
    {-0x1380, "MBEDTLS_ERR_PEM_PASSWORD_MISMATCH", "cred.key_passphrase",
     "The password does not decrypt the PEM key: give the right one."},
    {-0x2080, "MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE", "cred.key_unsupported",
     "The certificate uses something this Mbed TLS build leaves out (an algorithm or key "
     "type): enable it in the configuration, or use an RSA/ECDSA P-256 certificate."},
    {-0x2180, "MBEDTLS_ERR_X509_INVALID_FORMAT", "cred.file_wrong_kind",
     "The certificate's DER structure is wrong: the file is not a certificate (a key? a "
     "CSR?) or is damaged. Check it with openssl x509 -in F -noout -text."},
    {-0x2400, "MBEDTLS_ERR_X509_INVALID_DATE", "cred.file_wrong_kind",
     "A validity date of the certificate cannot be read (this is its encoding, not its "
     "being expired)."},
    {-0x2600, "MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG", "cred.key_unsupported",
     "The certificate is signed with an algorithm this build does not know (e.g. RSA-PSS "
     "or Ed25519): enable it, or issue the certificate with SHA-256 RSA or ECDSA."},
    {-0x2700, "MBEDTLS_ERR_X509_CERT_VERIFY_FAILED", "",
     "The peer's certificate failed verification. Why is in the flags word: print "
     "mbedtls_ssl_get_verify_result() in hex and run mqtls explain --stack mbedtls 0xFLAGS "
     "(0x08 not trusted: the CA file lacks the root; 0x04 name mismatch; 0x01 expired)."},
    {-0x2780, "MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT", "cred.file_wrong_kind",
     "The data is neither a PEM nor a DER certificate: a PEM buffer must include its "
     "final NUL in the length given to mbedtls_x509_crt_parse()."},
    {-0x2900, "MBEDTLS_ERR_X509_FILE_IO_ERROR", "cred.file_unreadable",
     "The certificate file cannot be read: check the path and the permissions."},
    {-0x3B80, "MBEDTLS_ERR_PK_PASSWORD_MISMATCH", "cred.key_passphrase",
     "The password does not decrypt the private key."},
    {-0x3C00, "MBEDTLS_ERR_PK_PASSWORD_REQUIRED", "cred.key_passphrase",
     "The private key is encrypted and no password was given."},
    {-0x3C80, "MBEDTLS_ERR_PK_UNKNOWN_PK_ALG", "cred.key_unsupported",
     "The key's algorithm is unknown to this build (or the file is not a key): use an RSA "
     "or EC P-256 key in PKCS#1, SEC1 or PKCS#8 form."},
    {-0x3D00, "MBEDTLS_ERR_PK_KEY_INVALID_FORMAT", "cred.file_wrong_kind",
     "The key file cannot be parsed as a key: it is another kind of file (a certificate?) "
     "or damaged."},
    {-0x3A00, "MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE", "cred.key_unsupported",
     "The EC key's curve is not enabled in this build: use P-256 or enable the curve."},
    {-0x3E00, "MBEDTLS_ERR_PK_FILE_IO_ERROR", "cred.file_unreadable",
     "The key file cannot be read: check the path and the permissions."},
    {-0x3F00, "MBEDTLS_ERR_PK_TYPE_MISMATCH", "cred.key_mismatch",
     "The key is of another type than the operation needs (e.g. an EC key where RSA is "
     "expected): check that the key belongs to the certificate."},
    {-0x6800, "MBEDTLS_ERR_SSL_TIMEOUT", "tls.handshake_timeout",
     "A read timed out (mbedtls_ssl_conf_read_timeout): the server did not answer in time. "
     "Check that the port is the broker's TLS port and raise the timeout."},
    {-0x6880, "MBEDTLS_ERR_SSL_WANT_WRITE", "",
     "Not an error: the non-blocking socket cannot send now; call the function again."},
    {-0x6900, "MBEDTLS_ERR_SSL_WANT_READ", "",
     "Not an error: no data yet on a non-blocking socket; call the function again."},
    {-0x6980, "MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE (2.28; no code in 3.x)",
     "tls.no_common_cipher",
     "No suite of the configuration fits the certificate and key: e.g. only ECDHE-ECDSA "
     "suites with an RSA certificate. Enable suites for the key type."},
    {-0x6A00, "MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL", "tls.record_too_large",
     "A buffer is too small for a message: raise MBEDTLS_SSL_IN_CONTENT_LEN / "
     "OUT_CONTENT_LEN, or negotiate a smaller max fragment length."},
    {-0x6C00, "MBEDTLS_ERR_SSL_INTERNAL_ERROR", "tls.handshake_failed",
     "A lower-level module failed inside the handshake: turn on the debug log "
     "(mbedtls_debug_set_threshold(3)) to see which."},
    {-0x6D00, "MBEDTLS_ERR_SSL_PK_TYPE_MISMATCH", "tls.no_common_cipher",
     "The key type does not fit the negotiated suite (an EC key with an RSA suite)."},
    {-0x6E00, "MBEDTLS_ERR_SSL_BAD_HS_NEW_SESSION_TICKET (2.28) / "
              "MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE (3.x)", "tls.handshake_failed",
     "On 3.x: the handshake negotiation failed (no common suite, group or signature "
     "algorithm; see the debug log). On 2.28: a bad NewSessionTicket message."},
    {-0x6E80, "MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION (2.28) / "
              "MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION (3.x)", "tls.version_mismatch",
     "The server's TLS version is outside the configured minimum and maximum: the broker "
     "may offer only TLS 1.3 (Mbed TLS 2.28 has none) or only TLS 1.0/1.1."},
    {-0x7080, "MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE", "tls.handshake_failed",
     "The handshake needs a feature this build leaves out (a TLS version, a key exchange): "
     "enable it in the configuration."},
    {-0x7100, "MBEDTLS_ERR_SSL_BAD_INPUT_DATA", "tls.record_too_large",
     "Bad input to a function; in a handshake on Mbed TLS 3.x it is mostly a record larger "
     "than the input buffer (MBEDTLS_SSL_IN_CONTENT_LEN): the server's certificate chain, "
     "or the CA list of its certificate request (a broker CA file of many CAs), does not "
     "fit. Send a shorter chain or CA list, or raise MBEDTLS_SSL_IN_CONTENT_LEN."},
    {-0x7180, "MBEDTLS_ERR_SSL_INVALID_MAC", "tls.handshake_failed",
     "A record's MAC is wrong: data was changed on the way, or a middlebox interferes."},
    {-0x7200, "MBEDTLS_ERR_SSL_INVALID_RECORD", "tls.not_a_tls_port",
     "What came back is not a TLS record: the port speaks plain MQTT or something else. "
     "Use the broker's TLS port (8883)."},
    {-0x7280, "MBEDTLS_ERR_SSL_CONN_EOF", "",
     "The connection was closed without a TLS close: see what the server logged; during "
     "the handshake, often a client certificate or SNI the server refused."},
    {-0x7300, "MBEDTLS_ERR_SSL_UNKNOWN_CIPHER (2.28) / MBEDTLS_ERR_SSL_DECODE_ERROR (3.x)",
     "tls.handshake_failed",
     "2.28: the server chose a suite not offered. 3.x: a message could not be parsed."},
    {-0x7380, "MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN (2.28; no code in 3.x)",
     "tls.no_common_cipher",
     "The two sides share no cipher suite: enable suites the broker offers (ECDHE with "
     "AES-GCM for AWS IoT and most brokers)."},
    {-0x7480, "MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE", "tls.client_cert_required",
     "(A server's code.) The client sent no certificate though one is required: give the "
     "device its certificate and key (mbedtls_ssl_conf_own_cert)."},
    {-0x7500, "MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE (2.28) / "
              "MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION (3.x)", "",
     "2.28: the own certificate exceeds the output buffer (raise OUT_CONTENT_LEN). 3.x: the "
     "server answered with an extension the client did not offer."},
    {-0x7580, "MBEDTLS_ERR_SSL_CERTIFICATE_REQUIRED (2.28) / "
              "MBEDTLS_ERR_SSL_NO_APPLICATION_PROTOCOL (3.x)", "",
     "2.28: a certificate is required but none is set. 3.x: no ALPN protocol in common "
     "(tls.alpn_required: on AWS IoT port 443 offer x-amzn-mqtt-ca)."},
    {-0x7600, "MBEDTLS_ERR_SSL_PRIVATE_KEY_REQUIRED", "cred.settings_invalid",
     "A certificate is set without its private key: set both."},
    {-0x7680, "MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED", "cred.ca_missing",
     "Verification is required but no CA chain is set: mbedtls_ssl_conf_ca_chain() with "
     "the broker's root CA."},
    {-0x7700, "MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE", "tls.handshake_failed",
     "The peer sent a message out of order: often a server that wants TLS 1.3 or "
     "renegotiation this build does not do; see the debug log."},
    {-0x7780, "MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE", "tls.handshake_failed",
     "The server sent a fatal alert: its number is in the debug log (\"got an alert "
     "message\", level 2, then the number). Run mqtls explain --stack openssl NUMBER."},
    {-0x7800, "MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED (2.28) / "
              "MBEDTLS_ERR_SSL_UNRECOGNIZED_NAME (3.x)", "",
     "2.28: the peer's verification failed. 3.x: no server matches the SNI name: set the "
     "host name with mbedtls_ssl_set_hostname()."},
    {-0x7880, "MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY", "",
     "The peer closed the TLS session cleanly. After CONNECT: the broker refused the "
     "client (policy, client id in use); see mqtt.closed_after_connect."},
    {-0x7A00, "MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE (2.28) / "
              "MBEDTLS_ERR_SSL_BAD_CERTIFICATE (3.x)", "tls.handshake_failed",
     "The server's Certificate message could not be processed (too large for the input "
     "buffer, or malformed)."},
    {-0x7F00, "MBEDTLS_ERR_SSL_ALLOC_FAILED", "",
     "Out of heap: a TLS session needs two buffers of up to 16 KB; give more heap or "
     "reduce MBEDTLS_SSL_IN_CONTENT_LEN (the broker must then agree on the size)."},
};

/* Low-level codes (-0x0001 ... -0x007F) that explain an MQTT device's failures. */
static const tool_explain_entry_t low[] = {
    {-0x0042, "MBEDTLS_ERR_NET_SOCKET_FAILED", "", "No socket could be opened."},
    {-0x0044, "MBEDTLS_ERR_NET_CONNECT_FAILED", "tcp.refused",
     "The TCP connection failed (refused, unreachable or timed out): check host, port and "
     "the network."},
    {-0x004C, "MBEDTLS_ERR_NET_RECV_FAILED", "", "Reading from the socket failed."},
    {-0x004E, "MBEDTLS_ERR_NET_SEND_FAILED", "", "Writing to the socket failed."},
    {-0x0050, "MBEDTLS_ERR_NET_CONN_RESET", "",
     "The peer reset the connection: during the handshake, often a refused client "
     "certificate or SNI."},
    {-0x0052, "MBEDTLS_ERR_NET_UNKNOWN_HOST", "dns.not_found",
     "The host name does not resolve: check its spelling and the DNS server."},
    {-0x0060, "MBEDTLS_ERR_ASN1_OUT_OF_DATA", "", "The DER data ends too early (truncated)."},
    {-0x0062, "MBEDTLS_ERR_ASN1_UNEXPECTED_TAG", "",
     "The DER data has another structure than expected: often another kind of file."},
    {-0x0064, "MBEDTLS_ERR_ASN1_INVALID_LENGTH", "", "A DER length is invalid (damaged)."},
    {-0x0066, "MBEDTLS_ERR_ASN1_LENGTH_MISMATCH", "", "A DER length does not fit the data."},
    {-0x0068, "MBEDTLS_ERR_ASN1_INVALID_DATA", "", "A DER value is invalid."},
};

/* The flag bits (x509.h, the same in 2.28 and 3.x). */
static const tool_explain_entry_t flags[] = {
    {0x01, "MBEDTLS_X509_BADCERT_EXPIRED", "tls.server_cert_expired",
     "a certificate has expired (or the device's clock is ahead)"},
    {0x02, "MBEDTLS_X509_BADCERT_REVOKED", "tls.server_cert_revoked", "a certificate is revoked by the CRL given"},
    {0x04, "MBEDTLS_X509_BADCERT_CN_MISMATCH", "tls.hostname_mismatch",
     "the host name set with mbedtls_ssl_set_hostname() is not in the certificate's names"},
    {0x08, "MBEDTLS_X509_BADCERT_NOT_TRUSTED", "tls.server_untrusted_root",
     "the chain does not end at a CA of the CA file: add the server's root (or the "
     "missing intermediate) to the CA chain"},
    {0x10, "MBEDTLS_X509_BADCRL_NOT_TRUSTED", "", "the CRL is not signed by a trusted CA"},
    {0x20, "MBEDTLS_X509_BADCRL_EXPIRED", "", "the CRL has expired"},
    {0x40, "MBEDTLS_X509_BADCERT_MISSING", "", "the peer sent no certificate"},
    {0x80, "MBEDTLS_X509_BADCERT_SKIP_VERIFY", "", "verification was skipped"},
    {0x100, "MBEDTLS_X509_BADCERT_OTHER", "", "another reason (see the debug log)"},
    {0x200, "MBEDTLS_X509_BADCERT_FUTURE", "tls.server_cert_not_yet_valid",
     "a certificate is not yet valid (or the device's clock is behind: set it by SNTP)"},
    {0x400, "MBEDTLS_X509_BADCRL_FUTURE", "", "the CRL is not yet valid"},
    {0x800, "MBEDTLS_X509_BADCERT_KEY_USAGE", "tls.server_key_usage", "a key usage does not allow the use"},
    {0x1000, "MBEDTLS_X509_BADCERT_EXT_KEY_USAGE", "tls.server_wrong_purpose",
     "the extended key usage lacks serverAuth (or clientAuth)"},
    {0x2000, "MBEDTLS_X509_BADCERT_NS_CERT_TYPE", "", "the Netscape cert type forbids it"},
    {0x4000, "MBEDTLS_X509_BADCERT_BAD_MD", "tls.server_weak_hash",
     "a signature hash the profile refuses (SHA-1, MD5)"},
    {0x8000, "MBEDTLS_X509_BADCERT_BAD_PK", "", "a key type the profile refuses"},
    {0x10000, "MBEDTLS_X509_BADCERT_BAD_KEY", "tls.server_weak_key",
     "a key too short for the profile (RSA under 2048 bits)"},
    {0x20000, "MBEDTLS_X509_BADCRL_BAD_MD", "", "the CRL's hash is refused"},
    {0x40000, "MBEDTLS_X509_BADCRL_BAD_PK", "", "the CRL's key type is refused"},
    {0x80000, "MBEDTLS_X509_BADCRL_BAD_KEY", "", "the CRL's key is too short"},
};

#define N(t) (sizeof(t) / sizeof((t)[0]))

/* The text of the last explanation built from parts (the tool is single-threaded). */
static char text_buf[1536];

/* Appends @p s to @p buf (of @p size), separated by @p sep when buf is not empty. */
static void append(char *buf, size_t size, const char *sep, const char *s)
{
    size_t n = strlen(buf);
    if (n < size)
        snprintf(buf + n, size - n, "%s%s", n ? sep : "", s);
}

/* A flags word: each bit set, named; the cause of the first bit that has one. */
static void explain_flags(long code, tool_explain_result_t *out, char *name_buf,
                          size_t name_size)
{
    long rest = code;
    name_buf[0] = text_buf[0] = '\0';
    out->cause = "";
    for (size_t i = 0; i < N(flags); i++) {
        if (!(code & flags[i].code))
            continue;
        rest &= ~flags[i].code;
        append(name_buf, name_size, " | ", flags[i].name);
        append(text_buf, sizeof text_buf, "; ", flags[i].text);
        if (!out->cause[0])
            out->cause = flags[i].cause;
    }
    out->known = rest == 0;
    if (rest)
        append(text_buf, sizeof text_buf, "; ", "bits no Mbed TLS header defines are set");
    append(text_buf, sizeof text_buf, "", ".");
    out->text = text_buf;
}

/* An error: the whole code, else its high-level and low-level parts. */
static void explain_error(long code, tool_explain_result_t *out, char *name_buf,
                          size_t name_size)
{
    long h = -((-code) & 0xFF80), l = -((-code) & 0x7F);
    const tool_explain_entry_t *eh = h ? tool_explain_find(high, N(high), h) : NULL;
    const tool_explain_entry_t *el = l ? tool_explain_find(low, N(low), l) : NULL;
    name_buf[0] = text_buf[0] = '\0';
    out->known = (h == 0 || eh != NULL) && (l == 0 || el != NULL);
    out->cause = eh && eh->cause[0] ? eh->cause : el ? el->cause : "";
    if (eh)
        append(name_buf, name_size, " + ", eh->name);
    if (el)
        append(name_buf, name_size, " + ", el->name);
    if (eh)
        append(text_buf, sizeof text_buf, " ", eh->text);
    if (el)
        append(text_buf, sizeof text_buf, " ", el->text);
    if (!out->known)
        append(text_buf, sizeof text_buf, " ",
               "Not an Mbed TLS code this table names: the high-level part (code & 0x7F80: "
               "SSL 0x5E80-0x7F80, X509 0x2080-0x2980, PK 0x3880-0x3F80, PEM 0x1080-0x1480) "
               "tells the module; mbedtls_strerror() on the device prints its name.");
    out->text = text_buf;
}

void tool_explain_mbedtls(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                          char *name_buf, size_t name_size)
{
    (void)s;
    out->status = "";
    out->connected = false;
    if (code == 0) {
        out->known = true;
        out->name = "0";
        out->cause = "";
        out->text = "Success.";
        return;
    }
    if (code > 0)
        explain_flags(code, out, name_buf, name_size);
    else
        explain_error(code, out, name_buf, name_size);
    out->name = name_buf;
}
