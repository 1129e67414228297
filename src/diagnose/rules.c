/**
 * @file rules.c
 * @brief The doctor's rules: from what an attempt showed to the one cause that explains it.
 *
 * The patterns, and the failures they come from, are in docs/troubleshooting.md. The order
 * of the tests matters where one symptom has several readings: each rule says why it comes
 * first.
 */
#include "mqtls/diagnose.h"
#include "mqtls/reason.h"

#include "findings.h"

/* record_overflow: the alert we send for a record larger than we can take (RFC 8446, 6.2). */
enum { A_RECORD_OVERFLOW = 22 };

static mqtls_cause_t credentials(const mqtls_diag_facts_t *f)
{
    const mqtls_tls_evidence_t *e = f->tls;
    mqtls_tls_item_t item = e ? e->item : MQTLS_TLS_ITEM_NONE;
    mqtls_tls_cred_problem_t problem = e ? e->cred_problem : MQTLS_TLS_CRED_NONE;
    switch (f->status) {
    case MQTLS_OK:
        break;
    case MQTLS_ERR_TLS_KEY_MISMATCH:
        return MQTLS_CAUSE_KEY_MISMATCH;
    case MQTLS_ERR_BAD_PARAM:
        return item == MQTLS_TLS_ITEM_CA ? MQTLS_CAUSE_CA_MISSING : MQTLS_CAUSE_SETTINGS;
    case MQTLS_ERR_UNSUPPORTED:
        return item == MQTLS_TLS_ITEM_KEY ? MQTLS_CAUSE_KEY_UNSUPPORTED : MQTLS_CAUSE_SETTINGS;
    default:
        switch (problem) {
        case MQTLS_TLS_CRED_LIBRARY:
            return MQTLS_CAUSE_OPENSSL_CONFIG;
        case MQTLS_TLS_CRED_UNREADABLE:
            return MQTLS_CAUSE_FILE_UNREADABLE;
        case MQTLS_TLS_CRED_PASS_NEEDED:
        case MQTLS_TLS_CRED_PASS_WRONG:
            return MQTLS_CAUSE_KEY_PASSPHRASE;
        case MQTLS_TLS_CRED_KEY_UNSUPPORTED:
            return MQTLS_CAUSE_KEY_UNSUPPORTED;
        case MQTLS_TLS_CRED_KEY_MISMATCH:
            return MQTLS_CAUSE_KEY_MISMATCH;
        default:
            return MQTLS_CAUSE_FILE_WRONG_KIND;
        }
    }
    /* Files are fine; what the local checks found about them. */
    if (f->key_too_small)
        return MQTLS_CAUSE_KEY_UNSUPPORTED;
    if ((f->client_cert_flags & (MQTLS_TLS_BAD_FUTURE | MQTLS_TLS_BAD_EXPIRED)) &&
        mqtls_chain_clock_wrong(f))
        return f->clock_unset ? MQTLS_CAUSE_CLOCK_UNSET : MQTLS_CAUSE_CLOCK_WRONG;
    if (f->client_cert_flags & MQTLS_TLS_BAD_FUTURE)
        return f->clock_unset ? MQTLS_CAUSE_CLOCK_UNSET : MQTLS_CAUSE_CLIENT_CERT_NOT_YET_VALID;
    if (f->client_cert_flags & MQTLS_TLS_BAD_EXPIRED)
        return MQTLS_CAUSE_CLIENT_CERT_EXPIRED;
    return MQTLS_CAUSE_NONE;
}

static mqtls_cause_t tcp(const mqtls_diag_facts_t *f)
{
    switch (f->status) {
    case MQTLS_ERR_CONNECT_REFUSED:
        return MQTLS_CAUSE_TCP_REFUSED;
    case MQTLS_ERR_TIMEOUT:
        return MQTLS_CAUSE_TCP_TIMEOUT;
    case MQTLS_ERR_DNS:
        return MQTLS_CAUSE_DNS_FAILURE;
    default:
        return MQTLS_CAUSE_TCP_UNREACHABLE;
    }
}

/* The server's certificate failed our verification. A clock near 1970 explains "not yet
 * valid" everywhere, so it is named first; an untrusted root is next because renewing or
 * renaming the certificate would not help while the root is not trusted. */
static mqtls_cause_t verify(const mqtls_diag_facts_t *f, uint32_t flags)
{
    if ((flags & MQTLS_TLS_BAD_FUTURE) && f->clock_unset)
        return MQTLS_CAUSE_CLOCK_UNSET;
    /* What the chain as a whole says (chain.c) comes before the first flag's reading: an
     * intermediate the server did not send also shows as an untrusted issuer. */
    mqtls_cause_t c = mqtls_chain_verify_cause(f, NULL);
    if (c != MQTLS_CAUSE_NONE)
        return c;
    if (flags & (MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_NO_ISSUER | MQTLS_TLS_BAD_SELF_SIGNED))
        return MQTLS_CAUSE_SERVER_UNTRUSTED_ROOT;
    /* Revoked first: renewing or renaming a revoked certificate's holder is not the fix. */
    if (flags & MQTLS_TLS_BAD_REVOKED)
        return MQTLS_CAUSE_SERVER_CERT_REVOKED;
    if (flags & MQTLS_TLS_BAD_EXPIRED)
        return MQTLS_CAUSE_SERVER_CERT_EXPIRED;
    if (flags & MQTLS_TLS_BAD_FUTURE)
        return MQTLS_CAUSE_SERVER_CERT_NOT_YET_VALID;
    if (flags & MQTLS_TLS_BAD_NAME)
        return MQTLS_CAUSE_HOSTNAME_MISMATCH;
    /* The neutral outcomes of issue 15, point 2: each its own cause. */
    static const struct { uint32_t flag; mqtls_cause_t cause; } outcome[] = {
        {MQTLS_TLS_BAD_EXT_KEY_USAGE, MQTLS_CAUSE_SERVER_WRONG_PURPOSE},
        {MQTLS_TLS_BAD_KEY_USAGE, MQTLS_CAUSE_SERVER_KEY_USAGE},
        {MQTLS_TLS_BAD_WEAK_HASH, MQTLS_CAUSE_SERVER_WEAK_HASH},
        {MQTLS_TLS_BAD_WEAK_KEY, MQTLS_CAUSE_SERVER_WEAK_KEY},
        {MQTLS_TLS_BAD_SIGNATURE, MQTLS_CAUSE_SERVER_BAD_SIGNATURE},
    };
    for (unsigned i = 0; i < sizeof outcome / sizeof outcome[0]; i++)
        if (flags & outcome[i].flag)
            return outcome[i].cause;
    return MQTLS_CAUSE_TLS_HANDSHAKE_FAILED;
}

static bool aws_443_without_alpn(const mqtls_diag_facts_t *f)
{
    return f->host_is_aws && f->port == 443 && !f->alpn_offered;
}

/* An alert, either way: its reading is alerts.c's (issue 15, point 2). */
static mqtls_cause_t alert(const mqtls_diag_facts_t *f)
{
    mqtls_cause_t c = mqtls_alert_cause(f);
    return c != MQTLS_CAUSE_NONE ? c : MQTLS_CAUSE_TLS_HANDSHAKE_FAILED;
}

/* The connection ended inside the handshake without an alert we could read. */
static mqtls_cause_t closed(const mqtls_diag_facts_t *f, const mqtls_tls_evidence_t *e)
{
    if (e->bytes_received == 0)
        return aws_443_without_alpn(f) ? MQTLS_CAUSE_ALPN_REQUIRED : MQTLS_CAUSE_NOT_A_TLS_PORT;
    if (e->cert_requested && !e->cert_sent)
        return MQTLS_CAUSE_CLIENT_CERT_REQUIRED;
    if (e->cert_sent && e->problems == 0)
        return MQTLS_CAUSE_CLIENT_CERT_REJECTED;
    return MQTLS_CAUSE_TLS_HANDSHAKE_FAILED;
}

static mqtls_cause_t tls(const mqtls_diag_facts_t *f)
{
    const mqtls_tls_evidence_t *e = f->tls;
    if (!e)
        return MQTLS_CAUSE_TLS_HANDSHAKE_FAILED;
    bool tls_reply = e->first_byte >= 20 && e->first_byte <= 23;
    if (e->bytes_received > 0 && !tls_reply)
        return MQTLS_CAUSE_NOT_A_TLS_PORT;
    switch (f->status) {
    case MQTLS_ERR_TLS_VERIFY:
        return verify(f, e->problems);
    case MQTLS_ERR_TLS_ALERT:
        return alert(f);
    case MQTLS_ERR_TIMEOUT:
        return MQTLS_CAUSE_TLS_HANDSHAKE_TIMEOUT;
    case MQTLS_ERR_CLOSED:
    case MQTLS_ERR_IO:
        return closed(f, e);
    default:
        /* A record larger than we can take: we said so with record_overflow. */
        if (e->alert_sent == A_RECORD_OVERFLOW && tls_reply)
            return MQTLS_CAUSE_TLS_RECORD_TOO_LARGE;
        return alert(f);
    }
}

/* ---- MQTT 5 reason codes and AWS IoT (issue 15, point 4) ---- */

/* A refusal of the identity: with no -u/-P sent the broker judged the client certificate,
 * so advice about the user name and password would mislead. */
static bool identity_refusal(const mqtls_diag_facts_t *f, mqtls_cause_t c)
{
    bool cert = f->tls_used && f->tls && f->tls->cert_sent;
    return cert && !f->userpass_given &&
           (c == MQTLS_CAUSE_CONNACK_NOT_AUTHORIZED || c == MQTLS_CAUSE_CONNACK_BAD_CREDENTIALS);
}

/* The broker ended the round trip: a DISCONNECT's reason code says why when it names
 * something; otherwise the step the close answered tells a subscribe from a publish. */
static mqtls_cause_t closed_in_roundtrip(const mqtls_diag_facts_t *f)
{
    if (f->status == MQTLS_ERR_SERVER_DISCONNECT && f->version == MQTLS_V5) {
        switch (f->disconnect_reason) {
        case MQTLS_RC_SESSION_TAKEN_OVER: return MQTLS_CAUSE_SESSION_TAKEN_OVER;
        case MQTLS_RC_USE_ANOTHER_SERVER:
        case MQTLS_RC_SERVER_MOVED: return MQTLS_CAUSE_USE_ANOTHER_SERVER;
        case MQTLS_RC_SUCCESS: /* "normal disconnection" says no more than a close */
        case MQTLS_RC_NOT_AUTHORIZED:
        case MQTLS_RC_UNSPECIFIED_ERROR:
        case MQTLS_RC_IMPLEMENTATION_SPECIFIC: break; /* a refusal: the step says of what */
        default: return MQTLS_CAUSE_SERVER_DISCONNECT;
        }
    }
    switch (f->rt_step) {
    case MQTLS_DIAG_RT_SUBSCRIBE: return MQTLS_CAUSE_CLOSED_AFTER_SUBSCRIBE;
    case MQTLS_DIAG_RT_PUBLISH: return MQTLS_CAUSE_CLOSED_AFTER_PUBLISH;
    default: return MQTLS_CAUSE_CLOSED_AFTER_REQUEST;
    }
}

/* ---- end of the MQTT 5 / AWS IoT block ---- */

static mqtls_cause_t connack_code(const mqtls_diag_facts_t *f)
{
    uint8_t r = f->connack_reason;
    if (f->version == MQTLS_V311) {
        switch (r) {
        case MQTLS_RC311_BAD_PROTOCOL_VERSION: return MQTLS_CAUSE_CONNACK_PROTOCOL_VERSION;
        case MQTLS_RC311_IDENTIFIER_REJECTED: return MQTLS_CAUSE_CONNACK_CLIENT_ID;
        case MQTLS_RC311_SERVER_UNAVAILABLE: return MQTLS_CAUSE_CONNACK_SERVER_UNAVAILABLE;
        case MQTLS_RC311_BAD_USERNAME_OR_PASSWORD: return MQTLS_CAUSE_CONNACK_BAD_CREDENTIALS;
        case MQTLS_RC311_NOT_AUTHORIZED: return MQTLS_CAUSE_CONNACK_NOT_AUTHORIZED;
        default: return MQTLS_CAUSE_CONNACK_OTHER;
        }
    }
    switch (r) {
    case MQTLS_RC_UNSUPPORTED_PROTOCOL_VERSION: return MQTLS_CAUSE_CONNACK_PROTOCOL_VERSION;
    case MQTLS_RC_CLIENT_ID_NOT_VALID: return MQTLS_CAUSE_CONNACK_CLIENT_ID;
    case MQTLS_RC_SERVER_UNAVAILABLE:
    case MQTLS_RC_SERVER_BUSY: return MQTLS_CAUSE_CONNACK_SERVER_UNAVAILABLE;
    case MQTLS_RC_BAD_USERNAME_OR_PASSWORD:
    case MQTLS_RC_BAD_AUTH_METHOD: return MQTLS_CAUSE_CONNACK_BAD_CREDENTIALS;
    case MQTLS_RC_NOT_AUTHORIZED:
    case MQTLS_RC_BANNED: return MQTLS_CAUSE_CONNACK_NOT_AUTHORIZED;
    case MQTLS_RC_USE_ANOTHER_SERVER:
    case MQTLS_RC_SERVER_MOVED: return MQTLS_CAUSE_USE_ANOTHER_SERVER;
    default: return MQTLS_CAUSE_CONNACK_OTHER;
    }
}

static mqtls_cause_t connack(const mqtls_diag_facts_t *f)
{
    mqtls_cause_t c = connack_code(f);
    return identity_refusal(f, c) ? MQTLS_CAUSE_CONNACK_CERT_IDENTITY : c;
}

/* Whatever went wrong with plain MQTT, a port that answers a TLS ClientHello explains it:
 * the TLS server saw our CONNECT as a broken record and closed, sent an alert (which the
 * MQTT decoder reads as a malformed packet), or kept waiting for more. */
static mqtls_cause_t mqtt(const mqtls_diag_facts_t *f)
{
    if (f->status == MQTLS_ERR_CONNACK_REFUSED)
        return connack(f);
    if (f->port_speaks_tls && !f->tls_used)
        return MQTLS_CAUSE_TLS_PORT_WITHOUT_TLS;
    /* In TLS 1.3 the server checks our certificate after our handshake is over: its refusal
     * is an alert that arrives instead of the CONNACK. */
    if (f->tls_used && f->tls && f->tls->alert_received > 0)
        return alert(f);
    switch (f->status) {
    case MQTLS_ERR_TIMEOUT:
        return MQTLS_CAUSE_NO_CONNACK;
    case MQTLS_ERR_CLOSED:
    case MQTLS_ERR_IO:
        /* A broker that refuses closes in silence; a server that answered something else
         * first is not an MQTT broker. */
        if (f->reply_not_connack)
            return MQTLS_CAUSE_NO_CONNACK;
        /* A silent close of 5.0 that 3.1.1 does not meet: the version, not a policy. */
        return f->version == MQTLS_V5 && f->v311_accepted ? MQTLS_CAUSE_V5_NOT_SUPPORTED
                                                         : MQTLS_CAUSE_CLOSED_AFTER_CONNECT;
    case MQTLS_ERR_PROTOCOL:
    case MQTLS_ERR_PACKET_TOO_LARGE:
        return MQTLS_CAUSE_NO_CONNACK; /* something came back, but not a CONNACK */
    default:
        if (f->status >= MQTLS_ERR_MALFORMED_REMAINING_LENGTH &&
            f->status <= MQTLS_ERR_MALFORMED_PAYLOAD)
            return MQTLS_CAUSE_NO_CONNACK;
        return MQTLS_CAUSE_UNKNOWN;
    }
}

/* A refusal is the subscription's unless the PUBLISH was refused (5.0 PUBACK >= 0x80): then
 * the message cannot come back. A missing SUBACK is none of the round trip's causes. */
static mqtls_cause_t roundtrip(const mqtls_diag_facts_t *f)
{
    switch (f->status) {
    case MQTLS_ERR_REFUSED:
        return f->rt_step == MQTLS_DIAG_RT_PUBLISH ? MQTLS_CAUSE_MESSAGE_NOT_RETURNED
                                                   : MQTLS_CAUSE_SUBSCRIBE_REFUSED;
    case MQTLS_ERR_TIMEOUT:
        return f->rt_step == MQTLS_DIAG_RT_SUBSCRIBE ? MQTLS_CAUSE_UNKNOWN
                                                     : MQTLS_CAUSE_MESSAGE_NOT_RETURNED;
    case MQTLS_ERR_CLOSED:
    case MQTLS_ERR_IO:
    case MQTLS_ERR_SERVER_DISCONNECT:
        return closed_in_roundtrip(f);
    default:
        return MQTLS_CAUSE_UNKNOWN;
    }
}

mqtls_cause_t mqtls_diagnose(const mqtls_diag_facts_t *f)
{
    if (!f)
        return MQTLS_CAUSE_UNKNOWN;
    if (f->status == MQTLS_OK && f->stage != MQTLS_DIAG_CREDENTIALS)
        return MQTLS_CAUSE_NONE;
    /* A step-1 finding that explains the failure is its cause (findings.c). */
    mqtls_cause_t found = mqtls__findings_cause(f);
    if (found != MQTLS_CAUSE_NONE)
        return found;
    switch (f->stage) {
    case MQTLS_DIAG_CREDENTIALS:
        return credentials(f);
    case MQTLS_DIAG_DNS:
        return MQTLS_CAUSE_DNS_FAILURE;
    case MQTLS_DIAG_TCP:
        return tcp(f);
    case MQTLS_DIAG_TLS:
        return tls(f);
    case MQTLS_DIAG_MQTT:
        return mqtt(f);
    case MQTLS_DIAG_ROUNDTRIP:
        return roundtrip(f);
    }
    return MQTLS_CAUSE_UNKNOWN;
}
