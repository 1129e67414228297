/**
 * @file simplelink_codes_cc3200.c
 * @brief The CC3200's own codes (CC3200 SDK 1.x, names SL_E*, SL_NET_APP_DNS_*, SL_FS_*):
 *        those the CC32xx SDK numbers differently, and those whose fix differs on a CC3200
 *        (files by id, DER, no trusted-root catalog, no AES-GCM). The codes both chips
 *        share are in simplelink_codes.c.
 *
 * Sources (ports/simplelink/SOURCES.md; cited per entry by tag):
 *  - A12: socket.h of host driver 1.0.1.6 (SiarheiVolkau/CC3200-Linux-SDK
 *    src/simplelink/include/socket.h @ 0a5088fcf1533531cc4a66308b59b3e60e4a4239). The
 *    -203 ... -291 block (-222, -290, -291) exists only from this driver; the older A10
 *    (nqd/cc3200 simplelink/include/socket.h @ d65675aa125ab89b959b2c0aaf8c2958fe6dcd5e)
 *    lacks it.
 *  - A12b: netapp.h (yhpan0613/SimpleLink-CC3200 simplelink/include/netapp.h @
 *    8e058a3f72054644980174fcd624e3121b235244): DNS -159 ... -182, numbers that the TLS
 *    library's codes share; the call that returned a code tells which was meant.
 *  - fs.h: CC3200 SDK fs.h (stored index file id 676028055): SL_FS_ERR_* -1 ... -67, numbers
 *    that socket codes share (-11, -12).
 *  - device.h: yhpan0613/SimpleLink-CC3200 simplelink/include/device.h @ 8e058a3f...
 *  - E2E 363643 (a CC3200 user's field report, not TI): secure files set to a non-existing
 *    id gave -456; a CA that does not sign the chain gave -155.
 *  - The CC3200 SDK 1.x defines no -463 ... -470: no -467, no -468 (no trusted-root catalog).
 */
#include "simplelink_codes.h"

#define E MQTLS__SL_E
#define CONN MQTLS__SL_CONNECTED

const mqtls__sl_code_t mqtls__sl_codes_cc3200[] = {
    /* ---- the processor's own TLS layer (A12 SL_ESEC*) ---- */
    E(-453, MQTLS_ERR_TLS_VERIFY, CONN, "SL_ESECSNOVERIFY", "cred.ca_missing",
      /* A12 "Connected without server verification" */
      "connected, but the server was NOT verified: no CA file was given (by name, or by id "
      "in secure-files slot [2]), so anyone between the device and the broker can pose as "
      "the broker. mqtls closes the connection. Fix: flash the broker's root CA (DER) and "
      "name it on the socket (ca_file, or its id in slot [2]). The alternative, the 'insecure' setting, keeps the "
      "connection unverified: for a lab only, never in production"),
    E(-454, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ESECNOCAFILE", "cred.ca_missing",
      /* A12 "error secure level CA file not found" */
      "the CA file named on the socket is not in the device's file system: flash the "
      "broker's root CA (DER) under the name given, or as /cert/<id>.der with the id in "
      "secure-files slot [2]"),
    E(-456, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ESECBADCAFILE", "cred.file_wrong_kind",
      /* A12 "error secure level bad CA file"; E2E 363643 (a non-existing id gave -456) */
      "bad CA file: the CA file named on the socket (by name, or given by id in "
      "secure-files slot [2], /cert/<id>.der) cannot be used: not DER (convert: 'mqtls cert "
      "convert ca.crt ca.der'), not a certificate, no file has that id, or the ids are in "
      "the wrong secure-files slot ([0] key, [1] certificate, [2] CA, [3] DH). A CC3200 "
      "trusts this CA file alone (it has no trusted-root catalog): flash the root the "
      "broker's chain ends at"),
    E(-457, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ESECBADCERTFILE", "cred.file_wrong_kind",
      /* A12 "error secure level bad Certificate file" */
      "bad certificate file: the device certificate (by name, or by id in slot [1]) is "
      "missing or not a DER certificate; check it with 'mqtls cert show'"),
    E(-458, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_ESECBADPRIVATEFILE", "cred.file_wrong_kind",
      /* A12 "error secure level bad private file" */
      "bad private key file: the key (by name, or by id in slot [0]) is missing, not a DER "
      "private key, encrypted, or not the certificate's key; check the pair with 'mqtls "
      "cert check --cert CERT --key KEY'"),
    E(-461, MQTLS_ERR_TLS_VERIFY, CONN, "SL_ESECDATEERROR", "tls.server_cert_not_yet_valid",
      /* A12 "connected with certificate date verification error"; device.h */
      "connected, but the certificates' dates were NOT verified: they did not check out "
      "against the device's clock, most often because the clock was never set. mqtls "
      "closes the connection. Fix: set the date and time before connecting (sl_DevSet "
      "SL_DEVICE_GENERAL_CONFIGURATION, SL_DEVICE_GENERAL_CONFIGURATION_DATE_TIME, "
      "SlDateTime_t, from SNTP); with the clock right, the broker's certificate is expired "
      "or not yet valid and must be renewed. The alternative, keep bit "
      "MQTLS_SL_KEEP_DATE_ERROR, keeps the connection: an expired certificate, e.g. one of "
      "a retired key, is then accepted"),
    /* ---- TLS alerts whose fix or name differs on a CC3200 ---- */
    E(-351, MQTLS_ERR_TLS_ALERT, 0, "SL_ESEC_DECRYPT_ERROR", "cred.key_mismatch", /* A12 */
      "the broker could not verify our handshake signature (alert 51 decrypt_error): the "
      "private key file (slot [0]) does not belong to the certificate file (slot [1])"),
    E(-371, MQTLS_ERR_TLS_ALERT, 0, "SL_ESEC_INSUFFICIENT_SECURITY", "tls.no_common_cipher",
      /* A12; mask bits 0-9 only, no GCM */
      "the broker wants stronger cipher suites (alert 71 insufficient_security) than a "
      "CC3200 has (its mask, bits 0-9, has no AES-GCM): allow ECDHE-RSA-AES128-CBC-SHA256 "
      "and ECDHE-ECDSA-AES128-CBC-SHA256 (mask bits 8 and 9), or have the broker accept "
      "CBC suites"),
    E(-420, MQTLS_ERR_TLS_ALERT, 0, "", "tls.alpn_required",
      /* no TI name; -(300 + 120) by TI's rule; A12 has no ALPN option */
      "the broker requires an ALPN protocol (alert 120): a CC3200 cannot offer ALPN at all; "
      "use a port without ALPN (AWS IoT: 8883)"),
    /* ---- the TLS library (A12 SL_ESEC_*; the CC32xx SDK numbers these -500 lower) ---- */
    E(-140, MQTLS_ERR_TLS_VERIFY, 0, "SL_ESEC_ASN_PARSE_E", "tls.handshake_failed", /* A12 */
      "a certificate of the server's chain could not be parsed"),
    E(-150, MQTLS_ERR_TLS_VERIFY, 0, "SL_ESEC_ASN_BEFORE_DATE_E",
      "tls.server_cert_not_yet_valid", /* A12 "ASN date error, current date before" */
      "a certificate is not valid yet for the device's clock: set the date and time "
      "(sl_DevSet SL_DEVICE_GENERAL_CONFIGURATION_DATE_TIME) before connecting"),
    E(-151, MQTLS_ERR_TLS_VERIFY, 0, "SL_ESEC_ASN_AFTER_DATE_E", "tls.server_cert_expired",
      /* A12 "ASN date error, current date after" */
      "a certificate has expired for the device's clock: renew it (or set the clock)"),
    E(-155, MQTLS_ERR_TLS_VERIFY, 0, "SL_ESEC_ASN_SIG_CONFIRM_E", "tls.server_untrusted_root",
      /* A12 "ASN sig error, confirm failure"; E2E 363643 */
      "the server's chain does not verify with the CA file in slot [2]: it is not the root "
      "the broker's chain ends at; flash that root (DER) under the id in slot [2]"),
    E(-159, MQTLS_ERR_DNS, 0, "SL_NET_APP_DNS_QUERY_NO_RESPONSE / SL_ESEC_ASN_NTRU_KEY_E",
      "dns.not_found", /* A12b, A12: one number, two codes */
      "from sl_NetAppDnsGetHostByName: no DNS server answered; check that the access point "
      "gave the device a DNS server. (From sl_Connect the same number is the TLS library's "
      "'ASN ntru key decode error': the CC3200 SDK gives both this number.)"),
    E(-161, MQTLS_ERR_DNS, 0, "SL_NET_APP_DNS_NO_SERVER", "dns.not_found", /* A12b */
      "no DNS server is set: the access point's DHCP gave none; set one"),
    E(-163, MQTLS_ERR_DNS, 0, "SL_NET_APP_DNS_QUERY_FAILED", "dns.not_found",
      /* A12b "no DNS server sent an 'answer'" */
      "the broker's host name did not resolve: check the name"),
    E(-166, MQTLS_ERR_DNS, 0, "SL_NET_APP_DNS_MALFORMED_PACKET", "dns.not_found", /* A12b */
      "a corrupted DNS answer was received: retry, or use another DNS server"),
    E(-222, MQTLS_ERR_TLS_VERIFY, 0, "SL_ESEC_DOMAIN_NAME_MISMATCH", "tls.hostname_mismatch",
      /* A12 "peer subject name mismatch" (host driver 1.0.1.6 only) */
      "the server's certificate is not issued for the name checked "
      "(SO_SECURE_DOMAIN_NAME_VERIFICATION, option 35 of host driver 1.0.1.6): connect with "
      "a name the certificate lists"),
    E(-257, MQTLS_ERR_TLS_VERIFY, 0, "SL_ESEC_NOT_CA_ERROR", "tls.server_untrusted_root",
      /* A12 "Not a CA cert error" */
      "a certificate used as a CA is not a CA certificate: the CA file holds the broker's "
      "own certificate instead of its root"),
    E(-268, MQTLS_ERR_TLS_VERIFY, 0, "SL_ESEC_MAX_CHAIN_ERROR", "tls.server_untrusted_root",
      /* A12 "max chain depth exceeded" */
      "the server's chain is longer than the processor verifies: serve a shorter chain"),
    E(-290, MQTLS_ERR_TLS_HANDSHAKE, 0, "SL_ESEC_UNSUPPORTED_SUITE", "tls.no_common_cipher",
      /* A12 "unsupported cipher suite"; mask bits 0-9 */
      "the cipher suite is not supported: a CC3200 has no AES-GCM or ChaCha20 suites (mask "
      "bits 0-9 only): leave cipher_mask at the default (0x3FF) and have the broker accept "
      "a CBC suite such as ECDHE-RSA-AES128-SHA256"),
    E(-291, MQTLS_ERR_TLS_HANDSHAKE, 0, "SL_ESEC_MATCH_SUITE_ERROR", "tls.no_common_cipher",
      /* A12 "can't match cipher suite" */
      "device and broker share no cipher suite: a CC3200 offers only the CBC and RC4 suites "
      "of mask bits 0-9 (no AES-GCM); have the broker accept ECDHE-RSA-AES128-SHA256 or "
      "AES256-SHA, and leave cipher_mask at the default"),
    /* ---- numbers that socket and file-system codes share (A12, fs.h) ---- */
    E(-3, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_FS_ERR_INVALID_MAGIC_NUM", "cred.file_unreadable",
      /* fs.h */
      "invalid magic number: the file system or the file is corrupted; format the "
      "device's file system and flash the files again"),
    E(-11, MQTLS_IN_PROGRESS, 0, "SL_EAGAIN / SL_FS_ERR_FILE_NOT_EXISTS", "",
      /* A12, fs.h: one number, two codes */
      "from a socket call: would block, try again. (From sl_FsOpen the same number means "
      "the file does not exist: flash it as /cert/<id>.der or under the name given.)"),
    E(-12, MQTLS_ERR_IO, 0, "SL_ENOMEM / SL_FS_ERR_INVALID_FILE_ID", "",
      /* A12, fs.h: one number, two codes */
      "from a socket call: the network processor is out of memory. (From an sl_Fs call the "
      "same number means an invalid file id.)"),
    E(-17, MQTLS_ERR_BAD_PARAM, 0, "SL_FS_ERR_INVALID_HANDLE", "", /* fs.h */
      "invalid file handle: the file was not opened, or was closed already"),
    E(-59, MQTLS_ERR_TLS_CREDENTIALS, 0, "SL_FS_FILE_NAME_EXIST", "", /* fs.h */
      "a file of that name exists already: open it for writing instead of creating it"),
    E(-100, MQTLS_ERR_IO, 0, "SL_API_ABORTED", "", /* device.h (CC32xx: -2005) */
      "the host driver aborted the call (the network processor was stopped or reset)"),
};

const size_t mqtls__sl_codes_cc3200_n = sizeof mqtls__sl_codes_cc3200 /
                                        sizeof mqtls__sl_codes_cc3200[0];
