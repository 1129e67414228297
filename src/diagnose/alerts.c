/**
 * @file alerts.c
 * @brief What a TLS alert means: the one the server sent, or the one this client sent when
 *        that says more (issue 15, point 2).
 *
 * The alert numbers and their meaning: RFC 8446, 6.2 and B.2 (TLS 1.3), RFC 5246, 7.2
 * (TLS 1.2), RFC 7507, 3 (inappropriate_fallback), RFC 6066, 3 (unrecognized_name), RFC 7301,
 * 3.2 (no_application_protocol). Which alert an OpenSSL server sends for which failure of
 * its verification of our certificate: OpenSSL's ssl/statem/statem_lib.c (x509table:
 * X509_V_ERR_CERT_REVOKED -> 44, X509_V_ERR_CERT_HAS_EXPIRED -> 45, X509_V_ERR_INVALID_PURPOSE
 * -> 43, X509_V_ERR_CERT_SIGNATURE_FAILURE -> 51, the unlisted ones -> 46, ...).
 *
 * A certificate alert (42-46, 48) can only be about our certificate when we sent one: before
 * that it has no reading of its own (handshake_failed, as before).
 */
#include "mqtls/diagnose.h"

enum {
    A_UNEXPECTED_MESSAGE = 10,
    A_HANDSHAKE_FAILURE = 40,
    A_BAD_CERTIFICATE = 42,
    A_UNSUPPORTED_CERTIFICATE = 43,
    A_CERTIFICATE_REVOKED = 44,
    A_CERTIFICATE_EXPIRED = 45,
    A_CERTIFICATE_UNKNOWN = 46,
    A_ILLEGAL_PARAMETER = 47,
    A_UNKNOWN_CA = 48,
    A_ACCESS_DENIED = 49,
    A_DECODE_ERROR = 50,
    A_DECRYPT_ERROR = 51,
    A_PROTOCOL_VERSION = 70,
    A_INSUFFICIENT_SECURITY = 71,
    A_INTERNAL_ERROR = 80,
    A_INAPPROPRIATE_FALLBACK = 86,
    A_USER_CANCELED = 90,
    A_MISSING_EXTENSION = 109,
    A_UNRECOGNIZED_NAME = 112,
    A_CERTIFICATE_REQUIRED = 116,
    A_NO_APPLICATION_PROTOCOL = 120
};

static bool aws_443_without_alpn(const mqtls_diag_facts_t *f)
{
    return f->host_is_aws && f->port == 443 && !f->alpn_offered;
}

/* 40 has four readings, told apart by how far the handshake got: a certificate asked for
 * and not sent; AWS IoT on 443 without its ALPN; after the request, our certificate; before
 * it, the cipher suites. */
static mqtls_cause_t handshake_failure(const mqtls_diag_facts_t *f,
                                       const mqtls_tls_evidence_t *e)
{
    if (e->cert_requested && !e->cert_sent)
        return MQTLS_CAUSE_CLIENT_CERT_REQUIRED;
    if (aws_443_without_alpn(f))
        return MQTLS_CAUSE_ALPN_REQUIRED;
    return e->cert_requested ? MQTLS_CAUSE_CLIENT_CERT_REJECTED : MQTLS_CAUSE_NO_COMMON_CIPHER;
}

/* An alert about our certificate, once it was sent. */
static mqtls_cause_t about_our_certificate(const mqtls_diag_facts_t *f, int alert)
{
    /* A device certificate whose file lacks its sub-CA: the server cannot build the path to
     * the root it trusts, whichever of these alerts its library picks for that. */
    bool no_sub_ca = mqtls_chain_device_missing(f, NULL);
    switch (alert) {
    case A_BAD_CERTIFICATE:
        return no_sub_ca ? MQTLS_CAUSE_CLIENT_MISSING_INTERMEDIATE : MQTLS_CAUSE_CLIENT_CERT_BAD;
    case A_UNSUPPORTED_CERTIFICATE:
        return MQTLS_CAUSE_CLIENT_CERT_UNSUPPORTED;
    case A_CERTIFICATE_REVOKED:
        return MQTLS_CAUSE_CLIENT_CERT_REVOKED;
    case A_CERTIFICATE_EXPIRED:
        /* Expired by our clock too: step 1 says so; otherwise by the broker's clock. */
        return (f->client_cert_flags & MQTLS_TLS_BAD_EXPIRED)
                   ? MQTLS_CAUSE_CLIENT_CERT_EXPIRED
                   : MQTLS_CAUSE_CLIENT_CERT_EXPIRED_THERE;
    case A_CERTIFICATE_UNKNOWN:
        return no_sub_ca ? MQTLS_CAUSE_CLIENT_MISSING_INTERMEDIATE
                         : MQTLS_CAUSE_CLIENT_CERT_UNKNOWN;
    case A_DECRYPT_ERROR:
        /* Step 1 checked that the key belongs to the certificate (cred.key_mismatch stops
         * there); what fails after it is the signature on the certificate by its issuer. */
        return MQTLS_CAUSE_CLIENT_CERT_SIGNATURE;
    default: /* unknown_ca */
        return no_sub_ca ? MQTLS_CAUSE_CLIENT_MISSING_INTERMEDIATE
                         : MQTLS_CAUSE_CLIENT_CERT_REJECTED;
    }
}

static mqtls_cause_t certificate_alert(const mqtls_diag_facts_t *f,
                                       const mqtls_tls_evidence_t *e, int alert)
{
    if (e->cert_sent)
        return about_our_certificate(f, alert);
    if (e->cert_requested)
        return MQTLS_CAUSE_CLIENT_CERT_REQUIRED;
    /* No certificate of ours was asked for: decrypt_error is then about the handshake's own
     * cryptography (a Finished or key exchange signature); the others have no reading. */
    return alert == A_DECRYPT_ERROR ? MQTLS_CAUSE_HANDSHAKE_CRYPTO
                                    : MQTLS_CAUSE_TLS_HANDSHAKE_FAILED;
}

/* protocol_version: when this client offered both TLS 1.2 and 1.3, a server that refuses
 * both speaks only older versions; when it offered one of them, the server may want the
 * other, and the version_mismatch reading (which names what was offered) stays. */
static mqtls_cause_t protocol_version(const mqtls_diag_facts_t *f)
{
    bool both = f->tls_min_offered == MQTLS_TLS_V1_2 && f->tls_max_offered == MQTLS_TLS_V1_3;
    return both ? MQTLS_CAUSE_SERVER_TLS_TOO_OLD : MQTLS_CAUSE_TLS_VERSION_MISMATCH;
}

/* no_application_protocol: AWS IoT needs x-amzn-mqtt-ca (alpn_required says so); any other
 * server that was offered a protocol does not speak it. */
static mqtls_cause_t no_application_protocol(const mqtls_diag_facts_t *f)
{
    if (f->host_is_aws || !f->alpn_offered)
        return MQTLS_CAUSE_ALPN_REQUIRED;
    return MQTLS_CAUSE_ALPN_MISMATCH;
}

static mqtls_cause_t received(const mqtls_diag_facts_t *f, const mqtls_tls_evidence_t *e)
{
    int a = e->alert_received;
    switch (a) {
    case A_HANDSHAKE_FAILURE: return handshake_failure(f, e);
    case A_BAD_CERTIFICATE:
    case A_UNSUPPORTED_CERTIFICATE:
    case A_CERTIFICATE_REVOKED:
    case A_CERTIFICATE_EXPIRED:
    case A_CERTIFICATE_UNKNOWN:
    case A_UNKNOWN_CA:
    case A_DECRYPT_ERROR: return certificate_alert(f, e, a);
    /* access_denied: a valid certificate (or none asked for), refused by access control. */
    case A_ACCESS_DENIED: return MQTLS_CAUSE_ACCESS_DENIED;
    case A_ILLEGAL_PARAMETER: return MQTLS_CAUSE_ILLEGAL_PARAMETER;
    case A_DECODE_ERROR: return MQTLS_CAUSE_DECODE_ERROR;
    case A_PROTOCOL_VERSION: return protocol_version(f);
    case A_INSUFFICIENT_SECURITY: return MQTLS_CAUSE_INSUFFICIENT_SECURITY;
    case A_INTERNAL_ERROR: return MQTLS_CAUSE_SERVER_INTERNAL_ERROR;
    case A_INAPPROPRIATE_FALLBACK: return MQTLS_CAUSE_INAPPROPRIATE_FALLBACK;
    case A_USER_CANCELED: return MQTLS_CAUSE_USER_CANCELED;
    case A_MISSING_EXTENSION: return MQTLS_CAUSE_MISSING_EXTENSION;
    case A_UNRECOGNIZED_NAME: return MQTLS_CAUSE_UNRECOGNIZED_NAME;
    case A_CERTIFICATE_REQUIRED:
        return e->cert_sent ? MQTLS_CAUSE_CLIENT_CERT_REJECTED : MQTLS_CAUSE_CLIENT_CERT_REQUIRED;
    case A_NO_APPLICATION_PROTOCOL: return no_application_protocol(f);
    default: return MQTLS_CAUSE_TLS_HANDSHAKE_FAILED;
    }
}

/* Our own alert says something about the server only when the server's message was what we
 * refused: a version below what we speak, or a message we could not parse or accept. The
 * alerts of our verification of its certificate are read from the verification's flags
 * (rules.c verify()); others (internal_error, ...) are ours and explain nothing. */
static mqtls_cause_t sent(const mqtls_diag_facts_t *f, const mqtls_tls_evidence_t *e)
{
    switch (e->alert_sent) {
    case A_PROTOCOL_VERSION:
        /* The server answered with an older version than we offered: below 1.2 it is too
         * old; when we asked for 1.3 only, it may well speak 1.2. */
        return f->tls_min_offered == MQTLS_TLS_V1_3 ? MQTLS_CAUSE_TLS_VERSION_MISMATCH
                                                    : MQTLS_CAUSE_SERVER_TLS_TOO_OLD;
    case A_UNEXPECTED_MESSAGE:
    case A_ILLEGAL_PARAMETER:
    case A_DECODE_ERROR: return MQTLS_CAUSE_SERVER_PROTOCOL_ERROR;
    default: return MQTLS_CAUSE_NONE;
    }
}

mqtls_cause_t mqtls_alert_cause(const mqtls_diag_facts_t *f)
{
    const mqtls_tls_evidence_t *e = f ? f->tls : NULL;
    if (!e)
        return MQTLS_CAUSE_NONE;
    if (e->alert_received > 0) /* 0, close_notify, is no refusal */
        return received(f, e);
    if (e->alert_sent > 0)
        return sent(f, e);
    return MQTLS_CAUSE_NONE;
}
