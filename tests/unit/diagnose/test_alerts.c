/* The readings of TLS alerts either way and of the verification outcomes
 * (src/diagnose/alerts.c, rules.c verify(); issue 15, point 2). Each alert: the cause it
 * names, and where one alert has several readings, that the evidence picks the other one.
 * tests/cli/test_doctor_alerts.sh reproduces them against real servers. */
#include <string.h>

#include "mqtls/diagnose.h"
#include "test.h"

static mqtls_tls_evidence_t ev;
static mqtls_diag_facts_t f;

static void reset(mqtls_status_t st)
{
    memset(&ev, 0, sizeof ev);
    ev.alert_received = ev.alert_sent = ev.first_byte = -1;
    ev.bytes_received = 7;
    ev.first_byte = 21;
    memset(&f, 0, sizeof f);
    f.stage = MQTLS_DIAG_TLS;
    f.status = st;
    f.tls = &ev;
    f.tls_used = true;
    f.port = 8883;
    f.tls_min_offered = MQTLS_TLS_V1_2;
    f.tls_max_offered = MQTLS_TLS_V1_3;
}

static const char *id(void)
{
    return mqtls_cause_info(mqtls_diagnose(&f))->id;
}

static const char *received(int alert)
{
    ev.alert_received = alert;
    return id();
}

TEST(certificate_alerts_after_our_certificate)
{
    reset(MQTLS_ERR_TLS_ALERT);
    ev.cert_requested = ev.cert_sent = true;
    CHECK_EQ_STR(received(42), "tls.client_cert_bad");
    CHECK_EQ_STR(received(43), "tls.client_cert_unsupported");
    CHECK_EQ_STR(received(44), "tls.client_cert_revoked");
    CHECK_EQ_STR(received(45), "tls.client_cert_expired");
    CHECK_EQ_STR(received(46), "tls.client_cert_unknown");
    CHECK_EQ_STR(received(48), "tls.client_cert_rejected");
    CHECK_EQ_STR(received(49), "tls.access_denied");
    CHECK_EQ_STR(received(51), "tls.client_cert_signature");
    CHECK_EQ_STR(received(116), "tls.client_cert_rejected");
    /* Expired by our clock too: the local finding's id, not the broker's clock. */
    f.client_cert_flags = MQTLS_TLS_BAD_EXPIRED;
    CHECK_EQ_STR(received(45), "cred.client_cert_expired");
}

TEST(certificate_alerts_without_our_certificate)
{
    reset(MQTLS_ERR_TLS_ALERT);
    ev.cert_requested = true; /* asked for, none sent */
    for (int a = 42; a <= 46; a++)
        CHECK_EQ_STR(received(a), "tls.client_cert_required");
    CHECK_EQ_STR(received(116), "tls.client_cert_required");
    ev.cert_requested = false; /* never asked: not about a certificate of ours */
    CHECK_EQ_STR(received(42), "tls.handshake_failed");
    CHECK_EQ_STR(received(51), "tls.handshake_crypto_failed");
    CHECK_EQ_STR(received(40), "tls.no_common_cipher");
}

TEST(handshake_alerts)
{
    reset(MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_STR(received(47), "tls.illegal_parameter");
    CHECK_EQ_STR(received(50), "tls.decode_error");
    CHECK_EQ_STR(received(71), "tls.insufficient_security");
    CHECK_EQ_STR(received(80), "tls.server_internal_error");
    CHECK_EQ_STR(received(86), "tls.inappropriate_fallback");
    CHECK_EQ_STR(received(90), "tls.user_canceled");
    CHECK_EQ_STR(received(109), "tls.missing_extension");
    CHECK_EQ_STR(received(112), "tls.unrecognized_name");
    CHECK_EQ_STR(received(10), "tls.handshake_failed"); /* unexpected_message from them */
}

TEST(protocol_version_either_way)
{
    reset(MQTLS_ERR_TLS_ALERT);
    /* 1.2 and 1.3 offered and refused: the server is below 1.2. */
    CHECK_EQ_STR(received(70), "tls.server_tls_too_old");
    f.tls_min_offered = MQTLS_TLS_V1_3; /* 1.3 only: it may want 1.2 */
    CHECK_EQ_STR(received(70), "tls.version_mismatch");
    f.tls_min_offered = MQTLS_TLS_V1_2;
    f.tls_max_offered = MQTLS_TLS_V1_2; /* 1.2 only (Mbed TLS 2.28): it may want 1.3 */
    CHECK_EQ_STR(received(70), "tls.version_mismatch");
    /* Sent by us: the server answered with an older version. */
    reset(MQTLS_ERR_TLS_HANDSHAKE);
    ev.alert_sent = 70;
    CHECK_EQ_STR(id(), "tls.server_tls_too_old");
    f.tls_min_offered = MQTLS_TLS_V1_3;
    CHECK_EQ_STR(id(), "tls.version_mismatch");
}

TEST(alerts_we_sent)
{
    reset(MQTLS_ERR_TLS_HANDSHAKE);
    ev.alert_sent = 50;
    CHECK_EQ_STR(id(), "tls.server_protocol_error");
    ev.alert_sent = 47;
    CHECK_EQ_STR(id(), "tls.server_protocol_error");
    ev.alert_sent = 80; /* our own trouble: no reading */
    CHECK_EQ_STR(id(), "tls.handshake_failed");
    ev.alert_sent = 22;
    CHECK_EQ_STR(id(), "tls.record_too_large");
}

TEST(alpn_alert)
{
    reset(MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_STR(received(120), "tls.alpn_required"); /* nothing offered */
    f.alpn_offered = true;
    CHECK_EQ_STR(received(120), "tls.alpn_mismatch");
    f.host_is_aws = true; /* AWS IoT: it is x-amzn-mqtt-ca it needs */
    CHECK_EQ_STR(received(120), "tls.alpn_required");
}

TEST(alert_after_the_tls13_handshake)
{
    reset(MQTLS_ERR_CLOSED);
    f.stage = MQTLS_DIAG_MQTT;
    ev.cert_requested = ev.cert_sent = true;
    CHECK_EQ_STR(received(44), "tls.client_cert_revoked");
    CHECK_EQ_STR(received(43), "tls.client_cert_unsupported");
}

TEST(verification_outcomes)
{
    static const struct {
        uint32_t flag;
        const char *id;
    } cases[] = {
        {MQTLS_TLS_BAD_WEAK_HASH, "tls.server_weak_hash"},
        {MQTLS_TLS_BAD_WEAK_KEY, "tls.server_weak_key"},
        {MQTLS_TLS_BAD_EXT_KEY_USAGE, "tls.server_wrong_purpose"},
        {MQTLS_TLS_BAD_KEY_USAGE, "tls.server_key_usage"},
        {MQTLS_TLS_BAD_REVOKED, "tls.server_cert_revoked"},
        {MQTLS_TLS_BAD_SIGNATURE, "tls.server_bad_signature"},
        {MQTLS_TLS_BAD_NAME, "tls.hostname_mismatch"},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset(MQTLS_ERR_TLS_VERIFY);
        ev.alert_sent = 42;
        ev.verified = true;
        ev.problems = cases[i].flag;
        CHECK_EQ_STR(id(), cases[i].id);
    }
    /* A revoked certificate that also expired: revocation is what renewal does not fix. */
    ev.problems = MQTLS_TLS_BAD_REVOKED | MQTLS_TLS_BAD_EXPIRED;
    CHECK_EQ_STR(id(), "tls.server_cert_revoked");
    /* The name before the profile's judgements: connecting by the right name is the fix. */
    ev.problems = MQTLS_TLS_BAD_NAME | MQTLS_TLS_BAD_WEAK_HASH;
    CHECK_EQ_STR(id(), "tls.hostname_mismatch");
}

TEST(every_new_id_is_in_the_catalog)
{
    for (int c = MQTLS_CAUSE_CLIENT_CERT_BAD; c < MQTLS_CAUSE_UNKNOWN; c++) {
        const mqtls_cause_info_t *ci = mqtls_cause_info((mqtls_cause_t)c);
        CHECK(strncmp(ci->id, "tls.", 4) == 0);
        CHECK(ci->stage == MQTLS_DIAG_TLS);
        CHECK(ci->summary[0] && ci->why[0] && ci->fix[0]);
    }
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(certificate_alerts_after_our_certificate);
    RUN(certificate_alerts_without_our_certificate);
    RUN(handshake_alerts);
    RUN(protocol_version_either_way);
    RUN(alerts_we_sent);
    RUN(alpn_alert);
    RUN(alert_after_the_tls13_handshake);
    RUN(verification_outcomes);
    RUN(every_new_id_is_in_the_catalog);
    return test_main_end();
}
