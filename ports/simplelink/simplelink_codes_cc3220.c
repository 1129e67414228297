/**
 * @file simplelink_codes_cc3220.c
 * @brief The CC3220's own codes (CC32xx SDK, names SL_ERROR_*): those the CC3200 SDK 1.x
 *        numbers differently or lacks, and those whose fix differs on a CC3220. The codes
 *        both chips share are in simplelink_codes.c.
 *
 * Sources (ports/simplelink/SOURCES.md; cited per entry by tag):
 *  - B-err: the CC32xx SDK's errors.h (stored index file id 1153060292). Its TLS library
 *    codes are the CC3200's minus 500 (-150 -> -650 ...), DNS -6150 ..., FS -10241 ...
 *  - SWRU455M: CC3x20 Network Processor programmer's guide, Table 8-4,
 *    https://www.ti.com/document-viewer/ja-jp/lit/html/SWRU455M/GUID-6D5F997C-6476-4DA0-A10F-9C0D86BEB779.html
 *  - E2E 633280 (TI, the trusted-root catalog), E2E 946718 (TI, -456), E2E 1563121 (-468
 *    with the playground catalog), E2E 1055151 (-688 "Wrong Root CA"): e2e.ti.com wi-fi forum.
 *  - TI's own libraries keep -453/-461/-468 (CC32xx HTTP client, SlNetSock glue, OTA
 *    library), TI's MQTT layer keeps -453 only; none keeps -467 (SOURCES.md 5b).
 */
#include "simplelink_codes.h"

#define E MQTLS__SL_E
#define CONN MQTLS__SL_CONNECTED

const mqtls__sl_code_t mqtls__sl_codes_cc3220[] = {
    /* ---- the processor's own TLS layer (B-err SL_ERROR_BSD_ESEC*) ---- */
    E(-453, MQTLS_ERR_TLS_VERIFY, CONN, "SL_ERROR_BSD_ESECSNOVERIFY", "cred.ca_missing",
      /* B-err "Connected without server verification"; SWRU455M */
      "connected, but the server was NOT verified: no CA file is named on the socket, so "
      "anyone between the device and the broker can pose as the broker. mqtls closes the "
      "connection. Fix: name the broker's root CA file (ca_file, "
      "SL_SO_SECURE_FILES_CA_FILE_NAME). The alternative, the 'insecure' setting, keeps "
      "the connection unverified: for a lab only, never in production"),
    E(-454, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_BSD_ESECNOCAFILE", "cred.ca_missing",
      /* B-err "CA file not found"; SWRU455M "not in the file system" */
      "the CA file named on the socket is not in the device's file system: flash the "
      "broker's root CA under exactly that name (UniFlash, or sl_FsOpen/sl_FsWrite)"),
    E(-456, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_BSD_ESECBADCAFILE", "cred.file_wrong_kind",
      /* B-err "bad CA file"; SWRU455M "Check if it is a valid DER/PEM CA file"; E2E 946718 */
      "bad CA file: the file named as CA is not a valid DER or PEM certificate (corrupted, "
      "truncated, or another kind of file); check it with 'mqtls cert show' and flash the "
      "broker's root CA again"),
    E(-457, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_BSD_ESECBADCERTFILE",
      "cred.file_wrong_kind", /* B-err "bad Certificate file"; SWRU455M */
      "bad certificate file: the device certificate file is missing or not a valid DER/PEM "
      "certificate; check it with 'mqtls cert show'"),
    E(-458, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_BSD_ESECBADPRIVATEFILE",
      "cred.file_wrong_kind", /* B-err "bad private file"; SWRU455M */
      "bad private key file: missing, not a private key, encrypted, or not the key of the "
      "certificate; check the pair with 'mqtls cert check --cert CERT --key KEY'"),
    E(-461, MQTLS_ERR_TLS_VERIFY, CONN, "SL_ERROR_BSD_ESECDATEERROR",
      "tls.server_cert_not_yet_valid",
      /* B-err "connected with certificate date verification error"; SWRU455M */
      "connected, but the certificates' dates were NOT verified: they did not check out "
      "against the device's clock, most often because the clock was never set. mqtls "
      "closes the connection. Fix: set the date and time before connecting (sl_DeviceSet "
      "SL_DEVICE_GENERAL, SL_DEVICE_GENERAL_DATE_TIME, from SNTP); with the clock right, the "
      "broker's certificate is expired or not yet valid and must be renewed. The "
      "alternative, keep bit MQTLS_SL_KEEP_DATE_ERROR (as TI's HTTP client and OTA library "
      "do), keeps the connection: an expired certificate, e.g. one of a retired key, is "
      "then accepted"),
    E(-463, MQTLS_ERR_STATE, 0, "SL_ERROR_BSD_ESECTXBUFFERNOTEMPTY", "", /* B-err */
      "TLS cannot start while the socket's send buffer holds data"),
    E(-464, MQTLS_ERR_STATE, 0, "SL_ERROR_BSD_ESECRXBUFFERNOTEMPTY", "", /* B-err */
      "TLS cannot start while the socket's receive buffer holds data"),
    E(-465, MQTLS_ERR_STATE, 0, "SL_ERROR_BSD_ESECSSLDURINGHANDSHAKE", "", /* B-err */
      "the socket is still in its TLS handshake"),
    E(-466, MQTLS_ERR_STATE, 0, "SL_ERROR_BSD_ESECNOTALLOWEDWHENLISTENING", "", /* B-err */
      "not allowed on a listening socket"),
    E(-467, MQTLS_ERR_TLS_VERIFY, CONN, "SL_ERROR_BSD_ESECCERTIFICATEREVOKED", "",
      /* B-err "connected but on of the certificates in the chain is revoked" */
      "connected, but a certificate of the server's chain is REVOKED (by the device's "
      "trusted-root catalog). mqtls closes the connection, and no setting keeps it: its CA "
      "withdrew that certificate, typically because its key leaked, so the server may be "
      "an impostor (none of TI's own libraries keeps -467 either). Fix: the broker needs a "
      "chain that is not revoked; flash the current production catalog"),
    E(-468, MQTLS_ERR_TLS_VERIFY, CONN, "SL_ERROR_BSD_ESECUNKNOWNROOTCA",
      "device.root_not_in_catalog", /* the doctor's --device cc3220 names it so too */
      /* B-err "connected but the root CA used to validate the peer is unknown";
       * E2E 633280 (catalog signed by TI), E2E 1563121 (playground catalog) */
      "connected, but the root is not in the device's trusted-root catalog: flash the "
      "SDK's real certificate catalog (tools/cc32xx_tools/certificate-catalog; the "
      "development 'playground' catalog lacks production roots). The CA file did verify "
      "the server's chain; the catalog does not know its root. mqtls closes the "
      "connection. For a private CA no catalog holds: disable_cert_store "
      "(SL_SO_SECURE_DISABLE_CERTIFICATE_STORE). The alternative, keep bit "
      "MQTLS_SL_KEEP_UNKNOWN_ROOT (as TI's HTTP client and OTA library do), keeps the "
      "connection: the trust then rests on the CA file alone, without the catalog's "
      "revocation list"),
    E(-469, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESECWRONGPEERCERT",
      "tls.server_untrusted_root", /* B-err "wrong peer cert (server cert) was received" */
      "wrong peer certificate: the server's certificate is not the one pinned on the socket; "
      "pin the broker's current certificate or remove the pin"),
    E(-470, MQTLS_ERR_CLOSED, 0, "SL_ERROR_BSD_ESECTCPDISCONNECTEDUNCOMPLETERECORD", "",
      /* B-err */ "the server closed TCP in the middle of a TLS record: reconnect"),
    /* ---- TLS alerts whose fix or name differs on a CC3220 ---- */
    E(-351, MQTLS_ERR_TLS_ALERT, 0, "SL_ERROR_BSD_ESEC_DECRYPT_ERROR1", "cred.key_mismatch",
      /* B-err (TI's name ends in 1) */
      "the broker could not verify our handshake signature (alert 51 decrypt_error): the "
      "private key file does not belong to the certificate file"),
    E(-371, MQTLS_ERR_TLS_ALERT, 0, "SL_ERROR_BSD_ESEC_INSUFFICIENT_SECURITY",
      "tls.no_common_cipher", /* B-err; mask bits 12-19 are GCM (B-sock) */
      "the broker wants stronger cipher suites (alert 71 insufficient_security): allow "
      "ECDHE with AES-GCM (SL_SEC_MASK_TLS_ECDHE_*_GCM_*) in cipher_mask, or leave the mask "
      "at the default"),
    E(-420, MQTLS_ERR_TLS_ALERT, 0, "", "tls.alpn_required",
      /* no TI name (last TI alert constant -414); -(300 + 120) by TI's rule; B-sock:
       * SL_SO_SECURE_ALPN (40) bits, SL_SO_SECURE_ALPN_GENERAL (44) in newer copies */
      "the broker requires an ALPN protocol this device did not offer (alert 120): AWS IoT "
      "on port 443 needs 'x-amzn-mqtt-ca', which the SL_SECURE_ALPN_* bits lack (newer "
      "CC32xx SDKs set one name by string, SL_SO_SECURE_ALPN_GENERAL); use port 8883"),
    /* ---- the TLS library (B-err: the CC3200's numbers minus 500) ---- */
    E(-640, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_ASN_PARSE_E", "tls.handshake_failed",
      /* B-err */ "a certificate of the server's chain could not be parsed"),
    E(-650, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_ASN_BEFORE_DATE_E",
      "tls.server_cert_not_yet_valid", /* B-err "current date before" */
      "a certificate is not valid yet for the device's clock: set the date and time "
      "(sl_DeviceSet SL_DEVICE_GENERAL_DATE_TIME) before connecting"),
    E(-651, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_ASN_AFTER_DATE_E",
      "tls.server_cert_expired", /* B-err "current date after" */
      "a certificate has expired for the device's clock: renew it (or set the clock)"),
    E(-655, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_ASN_SIG_CONFIRM_E",
      "tls.server_untrusted_root", /* B-err "ASN sig error, confirm failure" */
      "a signature in the server's chain does not verify with the CA file: the CA file is "
      "not the root the broker's chain ends at; flash that root"),
    E(-688, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_ASN_NO_SIGNER_E",
      "tls.server_untrusted_root", /* B-err "ASN no signer"; E2E 1055151 "Wrong Root CA" */
      "no signer for the server's chain: the CA file does not sign it; flash the root CA the "
      "broker's chain ends at (AWS IoT ATS: Amazon Root CA 1 or 3)"),
    E(-722, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_DOMAIN_NAME_MISMATCH",
      "tls.hostname_mismatch", /* B-err "peer subject name mismatch"; option 42 (B-sock) */
      "the server's certificate is not issued for the name checked "
      "(SL_SO_SECURE_DOMAIN_NAME_VERIFICATION): connect with a name the certificate lists"),
    E(-757, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_NOT_CA_ERROR",
      "tls.server_untrusted_root", /* B-err "Not a CA cert error" */
      "a certificate used as a CA is not a CA certificate: the CA file holds the broker's "
      "own certificate instead of its root"),
    E(-760, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_OCSP_CERT_REVOKED",
      "tls.server_untrusted_root", /* B-err "OCSP Certificate revoked" */
      "OCSP says a certificate of the server's chain is revoked: the broker needs a new one"),
    E(-768, MQTLS_ERR_TLS_VERIFY, 0, "SL_ERROR_BSD_ESEC_MAX_CHAIN_ERROR",
      "tls.server_untrusted_root", /* B-err "max chain depth exceeded" */
      "the server's chain is longer than the processor verifies: serve a shorter chain"),
    E(-790, MQTLS_ERR_TLS_HANDSHAKE, 0, "SL_ERROR_BSD_ESEC_UNSUPPORTED_SUITE",
      "tls.no_common_cipher", /* B-err "unsupported cipher suite" */
      "the cipher suite is not supported: allow ECDHE with AES-GCM in cipher_mask "
      "(SL_SO_SECURE_MASK), or leave the mask at the default"),
    E(-791, MQTLS_ERR_TLS_HANDSHAKE, 0, "SL_ERROR_BSD_ESEC_MATCH_SUITE_ERROR",
      "tls.no_common_cipher", /* B-err "can't match cipher suite" */
      "device and broker share no cipher suite: allow ECDHE with AES-GCM in cipher_mask "
      "(SL_SO_SECURE_MASK), or leave the mask at the default"),
    /* ---- DNS, sl_NetAppDnsGetHostByName (B-err; -6145 ... -6149 are not DNS) ---- */
    E(-6150, MQTLS_ERR_DNS, 0, "SL_ERROR_NET_APP_DNS_QUERY_NO_RESPONSE", "dns.not_found",
      /* B-err */ "no DNS server answered: check that the access point gave the device a "
                  "DNS server and that it is reachable"),
    E(-6151, MQTLS_ERR_DNS, 0, "SL_ERROR_NET_APP_DNS_ERROR", "dns.not_found", /* B-err */
      "DNS internal error of the network processor: retry"),
    E(-6152, MQTLS_ERR_DNS, 0, "SL_ERROR_NET_APP_DNS_NO_SERVER", "dns.not_found", /* B-err */
      "no DNS server is set: the access point's DHCP gave none; set one"),
    E(-6154, MQTLS_ERR_DNS, 0, "SL_ERROR_NET_APP_DNS_QUERY_FAILED", "dns.not_found",
      /* B-err "no DNS server sent an 'answer'" */
      "the broker's host name did not resolve: check the name"),
    E(-6157, MQTLS_ERR_DNS, 0, "SL_ERROR_NET_APP_DNS_MALFORMED_PACKET", "dns.not_found",
      /* B-err */ "a corrupted DNS answer was received: retry, or use another DNS server"),
    E(-6165, MQTLS_ERR_DNS, 0, "SL_ERROR_NET_APP_DNS_MISMATCHED_RESPONSE", "dns.not_found",
      /* B-err */ "the DNS answer does not match the query: retry"),
    /* ---- file system, when a credential file is opened (B-err) ---- */
    E(-10242, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_FS_NO_CERTIFICATE_STORE",
      "tls.server_untrusted_root", /* B-err */
      "the device has no trusted-root catalog: flash the SDK's certificate catalog (or use "
      "disable_cert_store for a private CA)"),
    E(-10287, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_FS_ROOT_CA_IS_UNKOWN",
      "tls.server_untrusted_root", /* B-err (TI's spelling) */
      "the root CA of a signed file is not in the trusted-root catalog: flash the SDK's real "
      "certificate catalog"),
    E(-10293, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_FS_FILE_NAME_EXIST", "", /* B-err */
      "a file of that name exists already: open it for writing instead of creating it"),
    E(-10316, MQTLS_ERR_IO, 0, "SL_ERROR_FS_MAX_OPENED_FILE_EXCEEDED", "", /* B-err */
      "too many files are open: close one"),
    E(-10335, MQTLS_ERR_BAD_PARAM, 0, "SL_ERROR_FS_INVALID_HANDLE", "", /* B-err */
      "invalid file handle: the file was not opened, or was closed already"),
    E(-10341, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_FS_FILE_NOT_EXISTS",
      "cred.file_unreadable", /* B-err */
      "the file does not exist in the device's file system: flash it under exactly that "
      "name"),
    E(-10349, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ERROR_FS_INVALID_MAGIC_NUM",
      "cred.file_unreadable", /* B-err */
      "invalid magic number: the file system or the file is corrupted; format the "
      "device's file system and flash the files again"),
    E(-2005, MQTLS_ERR_IO, 0, "SL_API_ABORTED", "", /* B-err (CC3200: -100) */
      "the host driver aborted the call (the network processor was stopped or reset)"),
};

const size_t mqtls__sl_codes_cc3220_n = sizeof mqtls__sl_codes_cc3220 /
                                        sizeof mqtls__sl_codes_cc3220[0];
