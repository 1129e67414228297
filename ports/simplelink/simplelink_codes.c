/**
 * @file simplelink_codes.c
 * @brief What SimpleLink result codes mean, per chip: the status mqtls reports, the doctor's
 *        cause id, and the fix in words (mqtls_simplelink_explain()). This file holds the
 *        codes both SDK generations number and name alike, the lookup, and the rules by
 *        range for codes no table names; simplelink_codes_cc3200.c and
 *        simplelink_codes_cc3220.c hold each chip's own codes.
 *
 * Sources (ports/simplelink/SOURCES.md, section 0; cited per entry by tag):
 *  - A12: CC3200 SDK 1.x socket.h, host driver 1.0.1.6 (SiarheiVolkau/CC3200-Linux-SDK
 *    src/simplelink/include/socket.h @ 0a5088fcf1533531cc4a66308b59b3e60e4a4239)
 *  - B-err: CC32xx SDK errors.h (stored index file id 1153060292)
 *  - B-sock: CC32xx SDK sl_socket.h (zephyrproject-rtos/hal_ti
 *    simplelink/source/ti/drivers/net/wifi/sl_socket.h @ f8ea3d4d97a738ed03adcdc5e2dc553c34c4156d)
 *  - device.h (CC3200): yhpan0613/SimpleLink-CC3200 simplelink/include/device.h @ 8e058a3f...
 * Pure C, no SDK: it builds on any target. With MQTLS_CFG_TEXT=0 (config.h) the names and
 * sentences are left out of the image; the status and the cause id remain.
 */
#include "simplelink_codes.h"

#include <stddef.h>

#define NO_TEXT "(texts compiled out, MQTLS_CFG_TEXT=0: explain the code on a host)"

#define E MQTLS__SL_E
#define BSD MQTLS__SL_BSD_NAME

/* Same number, same meaning and (after the SDK's prefix) the same name on both chips. */
static const mqtls__sl_code_t shared[] = {
    /* ---- the processor's own TLS layer: A12 SL_ESEC*, B-err SL_ERROR_BSD_ESEC* ---- */
    E(-450, MQTLS_ERR_TLS_HANDSHAKE, BSD, "ESECGENERAL", "tls.handshake_failed", /* A12, B-err */
      "general TLS error of the network processor (TI: 'error secure level general error'): "
      "check the broker's TLS port and the processor's service pack"),
    E(-451, MQTLS_ERR_TLS, BSD, "ESECDECRYPT", "tls.handshake_failed", /* A12, B-err */
      "a received TLS record could not be decrypted: the connection is corrupted; reconnect"),
    E(-452, MQTLS_ERR_CLOSED, BSD, "ESECCLOSED", "", /* A12, B-err */
      "the server closed the TLS session (TCP is still up): reconnect"),
    E(-455, MQTLS_ERR_IO, BSD, "ESECMEMORY", "", /* A12, B-err */
      "the network processor ran out of memory for TLS: close other secure sockets, or use "
      "a smaller certificate chain"),
    E(-459, MQTLS_ERR_TLS_CREDENTIALS, BSD, "ESECBADDHFILE", "cred.file_wrong_kind", /* A12 */
      "bad DH parameters file (secure-files slot [3]): a client needs none; leave it unset"),
    E(-460, MQTLS_ERR_IO, BSD, "ESECT00MANYSSLOPENED", "", /* A12, B-err (TI spells T00) */
      "too many secure sockets are open on the network processor (TI: 'MAX SSL Sockets are "
      "opened'): close one first"),
    E(-462, MQTLS_ERR_TIMEOUT, BSD, "ESECHANDSHAKETIMEDOUT", "tls.handshake_timeout", /* A12 */
      "the TLS handshake timed out (TI: 'connection timed out due to handshake time'): check "
      "that the port is the broker's TLS port and that nothing between holds the traffic"),
    /* ---- TLS alerts the server sent: -(300 + alert), A12 "ssl tls security start with
     *      -300 offset"; B-err names all but -344/-345/-346/-348 ---- */
    E(-300, MQTLS_ERR_CLOSED, BSD, "ESEC_CLOSE_NOTIFY", "", /* A12, B-err */
      "the server closed the TLS session (alert 0 close_notify)"),
    E(-340, MQTLS_ERR_TLS_ALERT, BSD, "ESEC_HANDSHAKE_FAILURE", "tls.no_common_cipher", /* A12 */
      "the server refused the handshake (alert 40 handshake_failure): usually no common "
      "cipher suite, or a missing client certificate where one is required"),
    E(-342, MQTLS_ERR_TLS_ALERT, BSD, "ESEC_BAD_CERTIFICATE", "tls.client_cert_rejected",
      /* A12, B-err */
      "the broker rejected the device certificate (alert 42 bad_certificate): register and "
      "activate it at the broker (AWS IoT: in that account and region, with a policy), or "
      "have it issued by the CA the broker trusts; check its dates"),
    E(-343, MQTLS_ERR_TLS_ALERT, BSD, "ESEC_UNSUPPORTED_CERTIFICATE", "cred.key_unsupported",
      /* A12, B-err */
      "the broker does not accept the certificate's key type (alert 43): use RSA 2048+ or "
      "ECDSA P-256/P-384"),
    E(-344, MQTLS_ERR_TLS_ALERT, BSD | MQTLS__SL_NO_CC3220_NAME, "ESEC_CERTIFICATE_REVOKED",
      "tls.client_cert_rejected", /* A12; B-err: no name */
      "the broker says the device certificate is revoked (alert 44): issue a new one"),
    E(-345, MQTLS_ERR_TLS_ALERT, BSD | MQTLS__SL_NO_CC3220_NAME, "ESEC_CERTIFICATE_EXPIRED",
      "cred.client_cert_expired", /* A12; B-err: no name */
      "the broker says the device certificate has expired (alert 45): issue a new one, and "
      "check the dates against the broker's clock"),
    E(-346, MQTLS_ERR_TLS_ALERT, BSD | MQTLS__SL_NO_CC3220_NAME, "ESEC_CERTIFICATE_UNKNOWN",
      "tls.client_cert_rejected", /* A12; B-err: no name */
      "the broker does not accept the device certificate (alert 46 certificate_unknown): "
      "register and activate it there, or have it issued by the CA the broker trusts"),
    E(-348, MQTLS_ERR_TLS_ALERT, BSD | MQTLS__SL_NO_CC3220_NAME, "ESEC_UNKNOWN_CA",
      "tls.client_cert_rejected", /* A12; B-err: no name */
      "the broker does not know the CA of the device certificate (alert 48 unknown_ca): "
      "have it issued by a CA the broker trusts, or register that CA at the broker"),
    E(-349, MQTLS_ERR_TLS_ALERT, BSD, "ESEC_ACCESS_DENIED", "tls.client_cert_rejected",
      /* A12, B-err */ "the broker denied access (alert 49 access_denied)"),
    E(-370, MQTLS_ERR_TLS_ALERT, BSD, "ESEC_PROTOCOL_VERSION", "tls.version_mismatch",
      /* A12, B-err */
      "the broker refused the TLS version (alert 70 protocol_version): use TLS 1.2 "
      "(SL_SO_SEC_METHOD_TLSV1_2); a broker that requires TLS 1.3 cannot serve this device"),
    E(-412, MQTLS_ERR_TLS_ALERT, BSD, "ESEC_UNRECOGNIZED_NAME", "tls.hostname_mismatch",
      /* A12, B-err */
      "the broker does not serve the name sent as SNI (alert 112 unrecognized_name): "
      "connect with the broker's exact host name"),
    E(-416, MQTLS_ERR_TLS_ALERT, 0, "", "tls.client_cert_required",
      /* no TI name (TI's last alert constant is -414); -(300 + 116) by TI's rule */
      "the broker requires a device certificate (alert 116 certificate_required): give the "
      "device certificate and key on the socket"),
    /* ---- sockets: A12 SL_E*, B-err SL_ERROR_BSD_E*, same values (SOURCES.md 1c) ---- */
    E(-10, MQTLS_ERR_IO, BSD, "ENSOCK", "", /* A12, B-err */
      "no free socket on the network processor: close one"),
    E(-11, MQTLS_IN_PROGRESS, BSD, "EAGAIN", "", /* A12, B-err */
      "would block: try again"),
    E(-12, MQTLS_ERR_IO, BSD, "ENOMEM", "", /* A12, B-err */
      "the network processor is out of memory"),
    E(-92, MQTLS_ERR_UNSUPPORTED, BSD, "ENOPROTOOPT", "cred.settings_invalid", /* A12, B-err */
      "this network processor firmware does not know the socket option: update the service "
      "pack, or leave the option unset"),
    E(-101, MQTLS_ERR_UNREACHABLE, BSD, "ENETUNREACH", "tcp.unreachable", /* A12, B-err */
      "the network is unreachable: is the device connected to the access point with an IP "
      "address?"),
    E(-106, MQTLS_ERR_STATE, BSD, "EISCONN", "", /* A12, B-err */
      "the socket is already connected"),
    E(-107, MQTLS_ERR_CLOSED, BSD, "ENOTCONN", "", /* A12, B-err */
      "the socket is not connected"),
    E(-110, MQTLS_ERR_TIMEOUT, BSD, "ETIMEDOUT", "tcp.timeout", /* A12, B-err */
      "the TCP connection timed out: a firewall drops the traffic or the host is down"),
    E(-111, MQTLS_ERR_CONNECT_REFUSED, BSD, "ECONNREFUSED", "tcp.refused", /* A12, B-err */
      "the broker's host refused the connection: wrong port (MQTT over TLS: 8883) or the "
      "broker is not running"),
    E(-114, MQTLS_IN_PROGRESS, BSD, "EALREADY", "", /* A12, B-err; sl_Connect's docs */
      "the non-blocking connect is in progress"),
    E(-2000, MQTLS_ERR_IO, 0, "SL_POOL_IS_EMPTY", "", /* device.h (CC3200), B-err */
      "the host driver has no free resource for the command: too many calls at once; retry"),
};

#define N_SHARED (sizeof shared / sizeof shared[0])

/* A CC3200 firmware (built for the CC3200 SDK 1.x: it drives a CC3200 and nothing else)
 * carries the CC3200's table only (MQTLS_SL_CODES_CC3200_ONLY, set by ports/CMakeLists.txt
 * for a CC3200 port): the CC3220's would cost it about 8 KB of the RAM it runs from. Hosts
 * (the tool, the tests) carry both. */
static const mqtls__sl_code_t *own_table(mqtls_sl_device_t chip, size_t *n)
{
    switch (chip) {
    case MQTLS_SL_CC3200: *n = mqtls__sl_codes_cc3200_n; return mqtls__sl_codes_cc3200;
#ifndef MQTLS_SL_CODES_CC3200_ONLY
    case MQTLS_SL_CC3220: *n = mqtls__sl_codes_cc3220_n; return mqtls__sl_codes_cc3220;
#endif
    default: *n = 0; return NULL;
    }
}

static const mqtls__sl_code_t *find_in(const mqtls__sl_code_t *t, size_t n, int code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return &t[i];
    return NULL;
}

const mqtls__sl_code_t *mqtls__sl_code_at(mqtls_sl_device_t chip, size_t i)
{
    size_t n;
    const mqtls__sl_code_t *own = own_table(chip, &n);
    if (own == NULL)
        return NULL;
    if (i < n)
        return &own[i];
    for (size_t k = 0; k < N_SHARED; k++) {
        if (find_in(own, n, shared[k].code) != NULL)
            continue; /* the chip's own entry explains it */
        if (i-- == n)
            return &shared[k];
    }
    return NULL;
}

const mqtls__sl_code_t *mqtls__sl_code_find(mqtls_sl_device_t chip, int code)
{
    size_t n;
    const mqtls__sl_code_t *own = own_table(chip, &n);
    if (own == NULL)
        return NULL;
    const mqtls__sl_code_t *e = find_in(own, n, code);
    return e != NULL ? e : find_in(shared, N_SHARED, code);
}

const char *mqtls__sl_code_name(mqtls_sl_device_t chip, const mqtls__sl_code_t *e,
                                const char **prefix)
{
    *prefix = "";
    if (e == NULL || e->name[0] == '\0')
        return NULL;
    if (!(e->flags & MQTLS__SL_BSD_NAME))
        return e->name;
    if (chip == MQTLS_SL_CC3220 && (e->flags & MQTLS__SL_NO_CC3220_NAME))
        return NULL;
    *prefix = chip == MQTLS_SL_CC3200 ? "SL_" : "SL_ERROR_BSD_";
    return e->name;
}

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

#define RANGE(st, cause, text) make(st, cause, MQTLS__SL_TXT(text), false)

/* A CC3200 code no entry names: the range tells what kind it is (A12, netapp.h, fs.h). */
static mqtls_simplelink_explanation_t cc3200_range(int c)
{
    if (c <= -463 && c >= -470)
        return RANGE(MQTLS_ERR_TLS_HANDSHAKE, "",
                     "not a CC3200 code: the CC3200 SDK 1.x's secure-socket codes end at -462 "
                     "(-463 ... -470 are CC32xx SDK codes; explain it for a CC3220)");
    if (c <= -450 && c >= -462)
        return RANGE(MQTLS_ERR_TLS_HANDSHAKE, "tls.handshake_failed",
                     "the network processor's TLS layer failed (SL_ESEC*, socket.h)");
    if ((c <= -159 && c >= -182) || (c <= -200 && c >= -209))
        return RANGE(MQTLS_ERR_TLS_HANDSHAKE, "tls.handshake_failed",
                     "from sl_Connect: a TLS library error (SL_ESEC_*, socket.h); from "
                     "sl_NetAppDnsGetHostByName: a DNS or mDNS error (SL_NET_APP_DNS_*, "
                     "netapp.h). The CC3200 SDK gives both families these numbers: the call "
                     "that returned the code tells which");
    if (c <= -130 && c >= -291)
        return RANGE(MQTLS_ERR_TLS_HANDSHAKE, "tls.handshake_failed",
                     "the processor's TLS library failed (SL_ESEC_*, socket.h; -203 ... -291 "
                     "only from host driver 1.0.1.6)");
    if (c <= -1 && c >= -67)
        return RANGE(MQTLS_ERR_IO, "",
                     "a socket code (SL_E*, socket.h) or, from an sl_Fs call, a file-system "
                     "code (SL_FS_ERR_*, fs.h): the CC3200 SDK numbers both from -1");
    return RANGE(MQTLS_ERR_IO, "", "a SimpleLink error: see the CC3200 SDK's socket.h, "
                                   "netapp.h and fs.h for the code");
}

/* A CC3220 code no entry names (B-err). */
static mqtls_simplelink_explanation_t cc3220_range(int c)
{
    if ((c <= -6150 && c >= -6170) || (c <= -6205 && c >= -6209))
        return RANGE(MQTLS_ERR_DNS, "dns.not_found",
                     "the broker's host name did not resolve (SL_ERROR_NET_APP_DNS_*): check "
                     "the name and that the access point gave the device a DNS server");
    if (c <= -10241 && c >= -10372)
        return RANGE(MQTLS_ERR_TLS_CREDENTIALS, "cred.file_unreadable",
                     "a file-system error (SL_ERROR_FS_*): a credential file could not be "
                     "used; check it is flashed under the name given");
    if ((c <= -450 && c >= -470) || (c <= -600 && c >= -800))
        return RANGE(MQTLS_ERR_TLS_HANDSHAKE, "tls.handshake_failed",
                     "the network processor's TLS layer failed (SL_ERROR_BSD_ESEC*, "
                     "errors.h)");
    return RANGE(MQTLS_ERR_IO, "", "a SimpleLink error: see the CC32xx SDK's errors.h");
}

mqtls_simplelink_explanation_t mqtls_simplelink_explain(mqtls_sl_device_t chip, int sl_code)
{
    if (chip != MQTLS_SL_CC3200 && chip != MQTLS_SL_CC3220)
        return make(MQTLS_ERR_BAD_PARAM, "",
                    MQTLS__SL_TXT("unknown chip: use MQTLS_SL_CC3220 or MQTLS_SL_CC3200"), false);
    if (sl_code >= 0)
        return make(MQTLS_OK, "", MQTLS__SL_TXT("success"), false);
    const mqtls__sl_code_t *e = mqtls__sl_code_find(chip, sl_code);
    if (e != NULL)
        return make((mqtls_status_t)e->status, e->cause, e->text,
                    (e->flags & MQTLS__SL_CONNECTED) != 0);
    if (sl_code <= -300 && sl_code >= -420)
        return RANGE(MQTLS_ERR_TLS_ALERT, "tls.handshake_failed",
                     "the server ended the handshake with a TLS alert: the alert number is "
                     "-(code) - 300 (TI: 'ssl tls security start with -300 offset')");
    return chip == MQTLS_SL_CC3200 ? cc3200_range(sl_code) : cc3220_range(sl_code);
}
