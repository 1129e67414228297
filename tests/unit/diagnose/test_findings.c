/* Step-1 findings as the cause (src/diagnose/findings.c, through mqtls_diagnose()): each
 * finding names its cause when the failure that follows is the one it leads to, and stays
 * a warning (the other rules' reading) when it is not. tests/cli/test_doctor_findings.sh
 * reproduces them against mosquitto. Also: the catalog's words presume no AWS IoT host;
 * the AWS IoT reading is a separate text (mqtls_cause_aws_fix). */
#include <stdio.h>
#include <string.h>

#include "mqtls/diagnose.h"
#include "mqtls/reason.h"
#include "test.h"

static mqtls_tls_evidence_t ev;
static mqtls_diag_facts_t f;

static void reset(mqtls_diag_stage_t stage, mqtls_status_t st, uint32_t findings)
{
    memset(&ev, 0, sizeof ev);
    ev.alert_received = ev.alert_sent = ev.first_byte = -1;
    memset(&f, 0, sizeof f);
    f.stage = stage;
    f.status = st;
    f.tls = &ev;
    f.tls_used = true;
    f.port = 8883;
    f.version = MQTLS_V311;
    f.findings = findings;
}

static const char *id(void)
{
    return mqtls_cause_info(mqtls_diagnose(&f))->id;
}

TEST(swapped_and_wrong_kind_files)
{
    const uint32_t both = MQTLS_FINDING_CERT_IS_KEY | MQTLS_FINDING_KEY_IS_CERT;
    reset(MQTLS_DIAG_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, both);
    ev.item = MQTLS_TLS_ITEM_CERT;
    ev.cred_problem = MQTLS_TLS_CRED_MALFORMED;
    CHECK_EQ_STR(id(), "cred.cert_key_swapped");
    f.findings = MQTLS_FINDING_CERT_IS_KEY;
    CHECK_EQ_STR(id(), "cred.cert_file_is_key");
    f.findings = MQTLS_FINDING_KEY_IS_CERT;
    ev.item = MQTLS_TLS_ITEM_KEY;
    CHECK_EQ_STR(id(), "cred.key_file_is_cert");
    /* Without the finding, the same failure is a file of the wrong kind. */
    f.findings = 0;
    CHECK_EQ_STR(id(), "cred.file_wrong_kind");
    /* The setup failed on the CA file: swapped certificate and key do not explain that. */
    f.findings = both;
    ev.item = MQTLS_TLS_ITEM_CA;
    ev.cred_problem = MQTLS_TLS_CRED_UNREADABLE;
    CHECK_EQ_STR(id(), "cred.file_unreadable");
    /* The setup accepted the files: nothing to explain. */
    reset(MQTLS_DIAG_CREDENTIALS, MQTLS_OK, both);
    CHECK_EQ_STR(id(), "ok");
    /* A later failure of another kind is not theirs. */
    reset(MQTLS_DIAG_TCP, MQTLS_ERR_CONNECT_REFUSED, both);
    CHECK_EQ_STR(id(), "tcp.refused");
}

TEST(no_client_auth)
{
    reset(MQTLS_DIAG_TLS, MQTLS_ERR_TLS_ALERT, MQTLS_FINDING_NO_CLIENT_AUTH);
    ev.verified = true;
    ev.cert_requested = ev.cert_sent = true;
    ev.alert_received = 43; /* unsupported_certificate: mosquitto on OpenSSL 3 */
    CHECK_EQ_STR(id(), "tls.client_cert_no_client_auth");
    ev.alert_received = 42;
    CHECK_EQ_STR(id(), "tls.client_cert_no_client_auth");
    ev.alert_received = 46;
    CHECK_EQ_STR(id(), "tls.client_cert_no_client_auth");
    /* unknown_ca is about the issuer, which clientAuth does not change. */
    ev.alert_received = 48;
    CHECK_EQ_STR(id(), "tls.client_cert_rejected");
    /* Without the finding: each alert's own reading (alerts.c, issue 15 point 2). */
    f.findings = 0;
    ev.alert_received = 43;
    CHECK_EQ_STR(id(), "tls.client_cert_unsupported");
    ev.alert_received = 42;
    CHECK_EQ_STR(id(), "tls.client_cert_bad");
    /* No certificate sent: the finding cannot explain the refusal. */
    f.findings = MQTLS_FINDING_NO_CLIENT_AUTH;
    ev.cert_sent = false;
    CHECK_EQ_STR(id(), "tls.client_cert_required");
    /* keyUsage without digitalSignature: its own id; clientAuth, when both, is named. */
    f.findings = MQTLS_FINDING_NO_DIGITAL_SIGNATURE;
    ev.cert_sent = true;
    ev.alert_received = 43;
    CHECK_EQ_STR(id(), "tls.client_cert_key_usage");
    ev.alert_received = 48;
    CHECK_EQ_STR(id(), "tls.client_cert_rejected");
    ev.alert_received = 43;
    f.findings |= MQTLS_FINDING_NO_CLIENT_AUTH;
    CHECK_EQ_STR(id(), "tls.client_cert_no_client_auth");
    /* TLS 1.3: the alert arrives instead of the CONNACK. */
    reset(MQTLS_DIAG_MQTT, MQTLS_ERR_TLS_ALERT, MQTLS_FINDING_NO_CLIENT_AUTH);
    ev.cert_requested = ev.cert_sent = true;
    ev.alert_received = 43;
    CHECK_EQ_STR(id(), "tls.client_cert_no_client_auth");
    /* Failures it does not explain: a refused port, a refused CONNECT, an untrusted root. */
    reset(MQTLS_DIAG_TCP, MQTLS_ERR_CONNECT_REFUSED, MQTLS_FINDING_NO_CLIENT_AUTH);
    CHECK_EQ_STR(id(), "tcp.refused");
    reset(MQTLS_DIAG_MQTT, MQTLS_ERR_CONNACK_REFUSED, MQTLS_FINDING_NO_CLIENT_AUTH);
    f.userpass_given = true;
    f.connack_reason = MQTLS_RC311_NOT_AUTHORIZED;
    CHECK_EQ_STR(id(), "mqtt.refused_not_authorized");
    reset(MQTLS_DIAG_TLS, MQTLS_ERR_TLS_VERIFY,
          MQTLS_FINDING_NO_CLIENT_AUTH | MQTLS_FINDING_NO_DIGITAL_SIGNATURE);
    ev.problems = MQTLS_TLS_BAD_UNTRUSTED;
    CHECK_EQ_STR(id(), "tls.server_untrusted_root");
    reset(MQTLS_DIAG_TCP, MQTLS_ERR_CONNECT_REFUSED, MQTLS_FINDING_NO_DIGITAL_SIGNATURE);
    CHECK_EQ_STR(id(), "tcp.refused");
}

TEST(ca_file_without_a_ca)
{
    reset(MQTLS_DIAG_TLS, MQTLS_ERR_TLS_VERIFY, MQTLS_FINDING_CA_NOT_CA);
    ev.verified = true;
    ev.problems = MQTLS_TLS_BAD_UNTRUSTED;
    CHECK_EQ_STR(id(), "tls.ca_file_not_ca");
    ev.problems = MQTLS_TLS_BAD_NO_ISSUER;
    CHECK_EQ_STR(id(), "tls.ca_file_not_ca");
    f.findings |= MQTLS_FINDING_CA_IS_DEVICE;
    CHECK_EQ_STR(id(), "tls.ca_file_is_device_cert");
    /* The CA file holds a CA (no finding): an untrusted root, as before. */
    f.findings = 0;
    ev.problems = MQTLS_TLS_BAD_UNTRUSTED;
    CHECK_EQ_STR(id(), "tls.server_untrusted_root");
    /* A verification failure that is not about the anchor is not the CA file's. */
    f.findings = MQTLS_FINDING_CA_NOT_CA;
    ev.problems = MQTLS_TLS_BAD_NAME;
    CHECK_EQ_STR(id(), "tls.hostname_mismatch");
    ev.problems = MQTLS_TLS_BAD_EXPIRED;
    CHECK_EQ_STR(id(), "tls.server_cert_expired");
    /* Nor a failure of another step. */
    reset(MQTLS_DIAG_TCP, MQTLS_ERR_CONNECT_REFUSED, MQTLS_FINDING_CA_NOT_CA);
    CHECK_EQ_STR(id(), "tcp.refused");
    reset(MQTLS_DIAG_TLS, MQTLS_ERR_CLOSED, MQTLS_FINDING_CA_NOT_CA);
    CHECK_EQ_STR(id(), "tls.not_a_tls_port");
}

static bool mentions_aws(const char *s)
{
    return strstr(s, "AWS") || strstr(s, "Amazon") || strstr(s, "amazonaws") ||
           strstr(s, "iot:") || strstr(s, "x-amzn");
}

TEST(catalog_words_presume_no_aws_host)
{
    for (int c = 0; c < MQTLS_CAUSE_COUNT; c++) {
        const mqtls_cause_info_t *ci = mqtls_cause_info((mqtls_cause_t)c);
        if (mentions_aws(ci->summary) || mentions_aws(ci->why) || mentions_aws(ci->fix))
            printf("  %s: its words presume AWS IoT\n", ci->id);
        CHECK(!mentions_aws(ci->summary) && !mentions_aws(ci->why) && !mentions_aws(ci->fix));
    }
    /* The AWS IoT reading of the TLS and credential causes, kept apart. */
    static const mqtls_cause_t aws[] = {
        MQTLS_CAUSE_CA_MISSING, MQTLS_CAUSE_SERVER_UNTRUSTED_ROOT, MQTLS_CAUSE_CA_FILE_NOT_CA,
        MQTLS_CAUSE_CA_FILE_IS_DEVICE_CERT, MQTLS_CAUSE_DNS_FAILURE, MQTLS_CAUSE_TCP_REFUSED,
        MQTLS_CAUSE_HOSTNAME_MISMATCH, MQTLS_CAUSE_ALPN_REQUIRED,
        MQTLS_CAUSE_CLIENT_CERT_REJECTED};
    for (size_t i = 0; i < sizeof aws / sizeof aws[0]; i++)
        CHECK(mqtls_cause_aws_fix(aws[i]) != NULL);
    CHECK(strstr(mqtls_cause_aws_fix(MQTLS_CAUSE_ALPN_REQUIRED), "x-amzn-mqtt-ca") != NULL);
    CHECK(strstr(mqtls_cause_aws_fix(MQTLS_CAUSE_SERVER_UNTRUSTED_ROOT), "Amazon Root CA 1"));
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(swapped_and_wrong_kind_files);
    RUN(no_client_auth);
    RUN(ca_file_without_a_ca);
    RUN(catalog_words_presume_no_aws_host);
    return test_main_end();
}
