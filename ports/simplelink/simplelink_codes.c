/**
 * @file simplelink_codes.c
 * @brief What SimpleLink result codes mean: the status mqtls reports, the doctor's cause
 *        id, and the fix in words (mqtls_simplelink_explain()).
 *
 * The codes and their one-line meanings are TI's (errors.h of the CC32xx SDKs; see
 * ../shared/reference/tls-failures.md). Pure C, no SDK: it builds on any target.
 * With MQTLS_CFG_TEXT=0 (config.h) the sentences are left out of the image (some 7 KB);
 * the status and the cause id remain.
 */
#include <stddef.h>

#include "mqtls/config.h"
#include "mqtls/transport_simplelink.h"

#if MQTLS_CFG_TEXT
#define TXT(s) s
#else
#define TXT(s) ""
#endif
#define NO_TEXT "(texts compiled out, MQTLS_CFG_TEXT=0: explain the code on a host)"

typedef struct code_entry {
    int16_t code;
    uint8_t status;   /* mqtls_status_t */
    bool connected;   /* "connected, but" */
    const char *cause;
    const char *text;
} code_entry_t;

#define E(code, st, conn, cause, text) {code, (uint8_t)(st), conn, cause, TXT(text)}

static const code_entry_t codes[] = {
    /* ---- the processor's own TLS layer (SL_ERROR_BSD_ESEC*) ---- */
    E(-450, MQTLS_ERR_TLS_HANDSHAKE, false, "tls.handshake_failed",
      "general TLS error of the network processor: check the broker's TLS port and the "
      "processor's service pack"),
    E(-451, MQTLS_ERR_TLS, false, "tls.handshake_failed",
      "a received TLS record could not be decrypted: the connection is corrupted; reconnect"),
    E(-452, MQTLS_ERR_CLOSED, false, "",
      "the server closed the TLS session (TCP is still up): reconnect"),
    E(-453, MQTLS_ERR_TLS_VERIFY, true, "cred.ca_missing",
      "connected WITHOUT verifying the server: no CA file is named on the socket; name the "
      "broker's root CA file (SL_SO_SECURE_FILES_CA_FILE_NAME, or CC3200 secure-files slot "
      "[2]) so the server is verified"),
    E(-454, MQTLS_ERR_TLS_CREDENTIALS, false, "cred.ca_missing",
      "the CA file named on the socket is not in the device's file system: flash the "
      "broker's root CA under exactly that name (UniFlash, or sl_FsOpen/sl_FsWrite)"),
    E(-455, MQTLS_ERR_IO, false, "",
      "the network processor ran out of memory for TLS: close other secure sockets, or use "
      "a smaller certificate chain"),
    E(-456, MQTLS_ERR_TLS_CREDENTIALS, false, "cred.file_wrong_kind",
      "bad CA file: CA file missing, PEM where DER is required, or in the wrong "
      "secure-files slot (a CC3200 takes DER only: 'mqtls cert convert ca.crt ca.der'; "
      "its array is [0] private key, [1] certificate, [2] CA, [3] DH)"),
    E(-457, MQTLS_ERR_TLS_CREDENTIALS, false, "cred.file_wrong_kind",
      "bad certificate file: the device certificate file is missing, not a certificate, "
      "PEM where DER is required (CC3200), or in the wrong secure-files slot ([1]); "
      "check it with 'mqtls cert show'"),
    E(-458, MQTLS_ERR_TLS_CREDENTIALS, false, "cred.file_wrong_kind",
      "bad private key file: missing, not a private key, encrypted, PEM where DER is "
      "required (CC3200), in the wrong slot ([0]), or not the key of the certificate; check "
      "the pair with 'mqtls cert check --cert CERT --key KEY'"),
    E(-459, MQTLS_ERR_TLS_CREDENTIALS, false, "cred.file_wrong_kind",
      "bad DH parameters file (secure-files slot [3]): a client needs none; leave the slot 0"),
    E(-460, MQTLS_ERR_IO, false, "",
      "too many secure sockets are open on the network processor: close one first"),
    E(-461, MQTLS_ERR_TLS_VERIFY, true, "tls.server_cert_not_yet_valid",
      "connected, but a certificate's dates did not check out against the device's clock: "
      "set the network processor's date and time before connecting (sl_DeviceSet "
      "SL_DEVICE_GENERAL_DATE_TIME, from SNTP); with the clock right, the broker's "
      "certificate is expired or not yet valid and must be renewed"),
    E(-462, MQTLS_ERR_TIMEOUT, false, "tls.handshake_timeout",
      "the TLS handshake timed out: check that the port is the broker's TLS port and that "
      "nothing between holds the traffic"),
    E(-463, MQTLS_ERR_STATE, false, "",
      "TLS cannot start while the socket's send buffer holds data"),
    E(-464, MQTLS_ERR_STATE, false, "",
      "TLS cannot start while the socket's receive buffer holds data"),
    E(-465, MQTLS_ERR_STATE, false, "", "the socket is still in its TLS handshake"),
    E(-467, MQTLS_ERR_TLS_VERIFY, true, "",
      "connected, but a certificate of the server's chain is revoked according to the "
      "device's trusted-root catalog: the broker must use a chain that is not revoked (or "
      "flash the current production catalog)"),
    E(-468, MQTLS_ERR_TLS_VERIFY, true, "tls.server_untrusted_root",
      "the root CA is not in the device's trusted-root catalog; flash the production "
      "catalog, not the development one (for a private CA no catalog holds, disable the "
      "catalog on the socket: SL_SO_SECURE_DISABLE_CERTIFICATE_STORE)"),
    E(-469, MQTLS_ERR_TLS_VERIFY, false, "tls.server_untrusted_root",
      "wrong peer certificate: the server's certificate is not the one the device expects "
      "(the peer certificate file pinned on the socket); pin the broker's current "
      "certificate or remove the pin"),
    E(-470, MQTLS_ERR_CLOSED, false, "",
      "the server closed TCP in the middle of a TLS record: reconnect"),
    /* ---- certificate parsing and verification in the processor's TLS library ---- */
    E(-155, MQTLS_ERR_TLS_VERIFY, false, "tls.server_untrusted_root",
      "the server's chain does not verify with the CA file (older firmware's code): the CA "
      "file is not the root the broker's chain ends at; flash that root"),
    E(-650, MQTLS_ERR_TLS_VERIFY, false, "tls.server_cert_not_yet_valid",
      "a certificate is not valid yet for the device's clock: set the date and time "
      "(sl_DeviceSet SL_DEVICE_GENERAL_DATE_TIME) before connecting"),
    E(-651, MQTLS_ERR_TLS_VERIFY, false, "tls.server_cert_expired",
      "a certificate has expired for the device's clock: renew it (or set the clock)"),
    E(-655, MQTLS_ERR_TLS_VERIFY, false, "tls.server_untrusted_root",
      "a signature in the server's chain does not verify with the CA file: the CA file is "
      "not the root the broker's chain ends at; flash that root"),
    E(-688, MQTLS_ERR_TLS_VERIFY, false, "tls.server_untrusted_root",
      "no signer for the server's chain: the CA file does not sign it; flash the root CA the "
      "broker's chain ends at (AWS IoT ATS: Amazon Root CA 1 or 3)"),
    E(-722, MQTLS_ERR_TLS_VERIFY, false, "tls.hostname_mismatch",
      "the server's certificate is not issued for the name checked "
      "(SL_SO_SECURE_DOMAIN_NAME_VERIFICATION): connect with a name the certificate lists"),
    E(-790, MQTLS_ERR_TLS_HANDSHAKE, false, "tls.no_common_cipher",
      "the cipher suite is not supported: allow ECDHE with AES-GCM in SL_SO_SECURE_MASK"),
    E(-791, MQTLS_ERR_TLS_HANDSHAKE, false, "tls.no_common_cipher",
      "device and broker share no cipher suite: allow ECDHE with AES-GCM in "
      "SL_SO_SECURE_MASK (or leave the mask at the default)"),
    /* ---- TLS alerts the server sent: -(300 + alert) ---- */
    E(-300, MQTLS_ERR_CLOSED, false, "", "the server closed the TLS session (close_notify)"),
    E(-340, MQTLS_ERR_TLS_ALERT, false, "tls.no_common_cipher",
      "the server refused the handshake (alert 40 handshake_failure): usually no common "
      "cipher suite, or a missing client certificate where one is required"),
    E(-342, MQTLS_ERR_TLS_ALERT, false, "tls.client_cert_rejected",
      "the broker rejected the device certificate (alert 42 bad_certificate): register and "
      "activate it at the broker (AWS IoT: in that account and region, with a policy), or "
      "have it issued by the CA the broker trusts; check its dates"),
    E(-343, MQTLS_ERR_TLS_ALERT, false, "cred.key_unsupported",
      "the broker does not accept the certificate's key type (alert 43): use RSA 2048+ or "
      "ECDSA P-256/P-384"),
    E(-344, MQTLS_ERR_TLS_ALERT, false, "tls.client_cert_rejected",
      "the broker says the device certificate is revoked (alert 44): issue a new one"),
    E(-345, MQTLS_ERR_TLS_ALERT, false, "cred.client_cert_expired",
      "the broker says the device certificate has expired (alert 45): issue a new one, and "
      "check the dates against the broker's clock"),
    E(-346, MQTLS_ERR_TLS_ALERT, false, "tls.client_cert_rejected",
      "the broker does not accept the device certificate (alert 46 certificate_unknown): "
      "register and activate it there, or have it issued by the CA the broker trusts"),
    E(-348, MQTLS_ERR_TLS_ALERT, false, "tls.client_cert_rejected",
      "the broker does not know the CA of the device certificate (alert 48 unknown_ca): "
      "have it issued by a CA the broker trusts, or register that CA at the broker"),
    E(-349, MQTLS_ERR_TLS_ALERT, false, "tls.client_cert_rejected",
      "the broker denied access (alert 49 access_denied)"),
    E(-351, MQTLS_ERR_TLS_ALERT, false, "cred.key_mismatch",
      "the broker could not verify our handshake signature (alert 51 decrypt_error): the "
      "private key file does not belong to the certificate file"),
    E(-370, MQTLS_ERR_TLS_ALERT, false, "tls.version_mismatch",
      "the broker refused the TLS version (alert 70 protocol_version): use TLS 1.2 "
      "(SL_SO_SEC_METHOD_TLSV1_2); a broker that requires TLS 1.3 cannot serve this device"),
    E(-371, MQTLS_ERR_TLS_ALERT, false, "tls.no_common_cipher",
      "the broker wants stronger cipher suites (alert 71 insufficient_security): allow "
      "ECDHE with AES-GCM in SL_SO_SECURE_MASK"),
    E(-412, MQTLS_ERR_TLS_ALERT, false, "tls.hostname_mismatch",
      "the broker does not serve the name sent as SNI (alert 112 unrecognized_name): "
      "connect with the broker's exact host name"),
    E(-416, MQTLS_ERR_TLS_ALERT, false, "tls.client_cert_required",
      "the broker requires a device certificate (alert 116): name the certificate and key "
      "files on the socket"),
    E(-420, MQTLS_ERR_TLS_ALERT, false, "tls.alpn_required",
      "the broker requires an ALPN protocol this device did not offer (alert 120): AWS IoT "
      "on port 443 needs 'x-amzn-mqtt-ca', which the SL_SECURE_ALPN_* list lacks; use "
      "port 8883"),
    /* ---- sockets and DNS ---- */
    E(-10, MQTLS_ERR_IO, false, "", "no free socket on the network processor: close one"),
    E(-11, MQTLS_IN_PROGRESS, false, "", "would block: try again (SL_ERROR_BSD_EAGAIN)"),
    E(-12, MQTLS_ERR_IO, false, "", "the network processor is out of memory"),
    E(-92, MQTLS_ERR_UNSUPPORTED, false, "cred.settings_invalid",
      "this network processor firmware does not know the socket option: update the service "
      "pack, or leave the option unset"),
    E(-101, MQTLS_ERR_UNREACHABLE, false, "tcp.unreachable",
      "the network is unreachable: is the device connected to the access point with an IP "
      "address?"),
    E(-107, MQTLS_ERR_CLOSED, false, "", "the socket is not connected"),
    E(-110, MQTLS_ERR_TIMEOUT, false, "tcp.timeout",
      "the TCP connection timed out: a firewall drops the traffic or the host is down"),
    E(-111, MQTLS_ERR_CONNECT_REFUSED, false, "tcp.refused",
      "the broker's host refused the connection: wrong port (MQTT over TLS: 8883) or the "
      "broker is not running"),
    E(-114, MQTLS_IN_PROGRESS, false, "", "the non-blocking connect is in progress"),
};

static mqtls_simplelink_explanation_t make(mqtls_status_t st, const char *cause,
                                           const char *text, bool connected)
{
    mqtls_simplelink_explanation_t e;
    e.status = st;
    e.cause = cause;
    e.text = text[0] != '\0' ? text : NO_TEXT;
    e.connected = connected;
    return e;
}

/* A code no entry names: the range tells what kind it is. */
static mqtls_simplelink_explanation_t by_range(int c)
{
    if (c <= -300 && c >= -420)
        return make(MQTLS_ERR_TLS_ALERT, "tls.handshake_failed",
                    TXT("the server ended the handshake with a TLS alert: the alert number is "
                        "-(code) - 300 (RFC 8446, section 6)"),
                    false);
    if (c <= -6145 && c >= -6220)
        return make(MQTLS_ERR_DNS, "dns.not_found",
                    TXT("the broker's host name did not resolve (SL_ERROR_NET_APP_DNS_*): "
                        "check the name and that the access point gave the device a DNS "
                        "server"),
                    false);
    if ((c <= -450 && c >= -470) || (c <= -600 && c >= -800))
        return make(MQTLS_ERR_TLS_HANDSHAKE, "tls.handshake_failed",
                    TXT("the network processor's TLS layer failed: compare the code with TI's "
                        "errors.h (SL_ERROR_BSD_ESEC_*)"),
                    false);
    return make(MQTLS_ERR_IO, "", TXT("a SimpleLink error: see TI's errors.h for the code"),
                false);
}

mqtls_simplelink_explanation_t mqtls_simplelink_explain(int sl_code)
{
    if (sl_code >= 0)
        return make(MQTLS_OK, "", TXT("success"), false);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i].code == sl_code)
            return make((mqtls_status_t)codes[i].status, codes[i].cause, codes[i].text,
                        codes[i].connected);
    return by_range(sl_code);
}
