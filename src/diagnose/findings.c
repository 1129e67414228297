/**
 * @file findings.c
 * @brief Step 1's findings as the cause (issue 15, point 3): swapped certificate and key
 *        files, a device certificate without clientAuth or digitalSignature, a CA file with
 *        no CA in it.
 *
 * Step 1 only warns about these: a certificate without clientAuth may be meant for a broker
 * that does not look at the purpose. Each becomes the cause only when the later failure is
 * the one it leads to; anything else (a refused TCP connection, an untrusted root while the
 * CA file does hold a CA) is read by the other rules, and the finding stays a warning.
 */
#include "findings.h"

/* The alerts a server sends when it refuses the client certificate itself (RFC 8446, 6.2;
 * RFC 5246, 7.2.2). OpenSSL's server answers a certificate whose purpose is not TLS client
 * (X509_V_ERR_INVALID_PURPOSE) with unsupported_certificate: mosquitto 2 on OpenSSL 3.0 does
 * (tests/cli/test_doctor_findings.sh). Others say bad_certificate or certificate_unknown. */
enum {
    A_BAD_CERTIFICATE = 42,
    A_UNSUPPORTED_CERTIFICATE = 43,
    A_CERTIFICATE_UNKNOWN = 46
};

/* What verification reports when it finds no trusted issuer for the server's chain. */
#define NO_ANCHOR (MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_NO_ISSUER | \
                   MQTLS_TLS_BAD_SELF_SIGNED | MQTLS_TLS_BAD_NOT_CA)

/* The TLS setup refused the certificate or the key: swapped files explain it, unless the
 * setup failed on the CA file first. */
static mqtls_cause_t files(const mqtls_diag_facts_t *f)
{
    uint32_t k = f->findings & (MQTLS_FINDING_CERT_IS_KEY | MQTLS_FINDING_KEY_IS_CERT);
    if (f->status == MQTLS_OK || k == 0)
        return MQTLS_CAUSE_NONE;
    if (f->tls && f->tls->item == MQTLS_TLS_ITEM_CA)
        return MQTLS_CAUSE_NONE;
    if (k == (MQTLS_FINDING_CERT_IS_KEY | MQTLS_FINDING_KEY_IS_CERT))
        return MQTLS_CAUSE_CERT_KEY_SWAPPED;
    return k == MQTLS_FINDING_CERT_IS_KEY ? MQTLS_CAUSE_CERT_FILE_IS_KEY
                                          : MQTLS_CAUSE_KEY_FILE_IS_CERT;
}

/* The broker refused the certificate we sent, with an alert about the certificate itself
 * (not unknown_ca: that is the issuer, which clientAuth does not change). In TLS 1.3 the
 * alert comes after the handshake, at the MQTT step. */
static bool cert_refused(const mqtls_diag_facts_t *f)
{
    const mqtls_tls_evidence_t *e = f->tls;
    if (!f->tls_used || !e || !e->cert_sent)
        return false;
    return e->alert_received == A_BAD_CERTIFICATE ||
           e->alert_received == A_UNSUPPORTED_CERTIFICATE ||
           e->alert_received == A_CERTIFICATE_UNKNOWN;
}

/* The server's chain found no trusted issuer, and the CA file holds no CA to be one. */
static mqtls_cause_t ca_file(const mqtls_diag_facts_t *f)
{
    const mqtls_tls_evidence_t *e = f->tls;
    if (!(f->findings & MQTLS_FINDING_CA_NOT_CA) || f->status != MQTLS_ERR_TLS_VERIFY || !e ||
        !(e->problems & NO_ANCHOR))
        return MQTLS_CAUSE_NONE;
    return (f->findings & MQTLS_FINDING_CA_IS_DEVICE) ? MQTLS_CAUSE_CA_FILE_IS_DEVICE_CERT
                                                      : MQTLS_CAUSE_CA_FILE_NOT_CA;
}

/* A certificate whose usages exclude TLS client authentication: OpenSSL's purpose check for
 * a TLS client wants clientAuth in an extendedKeyUsage and digitalSignature (or
 * keyAgreement) in a keyUsage, and fails both with X509_V_ERR_INVALID_PURPOSE (alert 43). */
static mqtls_cause_t client_auth(const mqtls_diag_facts_t *f)
{
    if (!cert_refused(f))
        return MQTLS_CAUSE_NONE;
    if (f->findings & MQTLS_FINDING_NO_CLIENT_AUTH)
        return MQTLS_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH;
    return (f->findings & MQTLS_FINDING_NO_DIGITAL_SIGNATURE) ? MQTLS_CAUSE_CLIENT_CERT_KEY_USAGE
                                                              : MQTLS_CAUSE_NONE;
}

mqtls_cause_t mqtls__findings_cause(const mqtls_diag_facts_t *f)
{
    mqtls_cause_t c;
    if (!f || !f->findings)
        return MQTLS_CAUSE_NONE;
    switch (f->stage) {
    case MQTLS_DIAG_CREDENTIALS:
        return files(f);
    case MQTLS_DIAG_TLS:
        c = ca_file(f);
        return c != MQTLS_CAUSE_NONE ? c : client_auth(f);
    case MQTLS_DIAG_MQTT:
        return client_auth(f);
    default:
        return MQTLS_CAUSE_NONE;
    }
}
