/* The chain's reasoning (src/diagnose/chain.c) and the rules that use it, on hand-built
 * evidence: root -> sub-CA -> broker / device. For each cause, its neighbours are shown
 * not to be named. tests/cli/test_doctor_chain.sh reproduces them with real mosquitto. */
#include <string.h>

#include "mqtls/diagnose.h"
#include "test.h"

#define ROOT "CN=root"
#define SUB "CN=sub"
#define NOW "2026-12-05 12:00:00"

static mqtls_tls_evidence_t ev;
static mqtls_tls_cert_info_t chain[MQTLS_TLS_CHAIN_MAX], sent[MQTLS_TLS_CHAIN_MAX];
static mqtls_diag_facts_t f;
static mqtls_diag_cert_t ca[4], dev[4];

static void cert(mqtls_tls_cert_info_t *c, const char *subj, const char *iss, bool is_ca)
{
    memset(c, 0, sizeof *c);
    strcpy(c->subject, subj);
    strcpy(c->issuer, iss);
    strcpy(c->not_before, "2026-01-01 00:00:00");
    strcpy(c->not_after, "2027-01-01 00:00:00");
    c->is_ca = is_ca;
    c->sha256[0] = (uint8_t)subj[3];
}

static mqtls_diag_cert_t local(const char *subj, const char *iss, bool is_ca)
{
    mqtls_diag_cert_t c = {subj, iss, "2026-01-01 00:00:00", "2036-01-01 00:00:00", is_ca};
    return c;
}

/* The server's verification failed with @p problems; it sent @p n_sent certificates and
 * verification built @p n_chain of the standard chain. */
static void reset(uint32_t problems, unsigned n_sent, unsigned n_chain)
{
    memset(&ev, 0, sizeof ev);
    memset(&f, 0, sizeof f);
    ev.alert_received = ev.alert_sent = ev.first_byte = -1;
    cert(&chain[0], "CN=broker", SUB, false);
    cert(&chain[1], SUB, ROOT, true);
    cert(&chain[2], ROOT, ROOT, true);
    memcpy(sent, chain, sizeof chain);
    ev.verified = true;
    ev.problems = problems;
    ev.chain = chain;
    ev.chain_len = (uint8_t)n_chain;
    ev.sent = sent;
    ev.sent_len = (uint8_t)n_sent;
    ev.bytes_received = 3000;
    ev.first_byte = 22;
    ca[0] = local(ROOT, ROOT, true);
    f.ca_certs = ca;
    f.ca_len = 1;
    f.stage = MQTLS_DIAG_TLS;
    f.status = problems ? MQTLS_ERR_TLS_VERIFY : MQTLS_ERR_TLS_ALERT;
    f.tls = &ev;
    f.tls_used = true;
    f.port = 8883;
    f.now_utc = NOW;
}

static const char *id(void)
{
    return mqtls_cause_info(mqtls_diagnose(&f))->id;
}

TEST(server_missing_intermediate_vs_untrusted_root)
{
    /* The broker sends its leaf only; the device's file carries the sub-CA (a CA, not a
     * root): the missing certificate is that intermediate, named by subject. */
    reset(MQTLS_TLS_BAD_NO_ISSUER, 1, 1);
    dev[0] = local("CN=device", SUB, false);
    dev[1] = local(SUB, ROOT, true);
    f.dev_certs = dev;
    f.dev_len = 2;
    CHECK_EQ_STR(id(), "tls.server_missing_intermediate");
    const char *name = NULL;
    mqtls_chain_verify_cause(&f, &name);
    CHECK_EQ_STR(name, SUB);
    /* Nothing says the issuer is an intermediate: a root this client does not trust. */
    f.dev_len = 1;
    CHECK_EQ_STR(id(), "tls.server_untrusted_root");
    /* The broker sends leaf and sub-CA; the CA file holds another root: untrusted root,
     * never the sub-CA called missing, even with the device's file carrying it. */
    reset(MQTLS_TLS_BAD_NO_ISSUER, 2, 2);
    ca[0] = local("CN=other root", "CN=other root", true);
    f.dev_certs = dev;
    f.dev_len = 2;
    CHECK_EQ_STR(id(), "tls.server_untrusted_root");
    /* The root itself sent and not trusted. */
    reset(MQTLS_TLS_BAD_UNTRUSTED, 3, 3);
    CHECK_EQ_STR(id(), "tls.server_untrusted_root");
}

TEST(not_a_ca_and_path_length)
{
    reset(MQTLS_TLS_BAD_NOT_CA, 2, 3);
    chain[1].is_ca = false;
    chain[1].problems = MQTLS_TLS_BAD_NOT_CA;
    CHECK_EQ_STR(id(), "tls.chain_not_ca");
    const char *name = NULL;
    mqtls_chain_verify_cause(&f, &name);
    CHECK_EQ_STR(name, SUB);
    /* Not called missing, not an untrusted root, even when those flags come with it. */
    ev.problems |= MQTLS_TLS_BAD_NO_ISSUER;
    CHECK_EQ_STR(id(), "tls.chain_not_ca");
    /* Mbed TLS flags the certificate whose issuer it refused, and stops the chain there:
     * the issuer is the one named. */
    reset(MQTLS_TLS_BAD_NOT_CA, 2, 1);
    chain[0].problems = MQTLS_TLS_BAD_NOT_CA;
    CHECK_EQ_STR(id(), "tls.chain_not_ca");
    mqtls_chain_verify_cause(&f, &name);
    CHECK_EQ_STR(name, SUB);
    reset(MQTLS_TLS_BAD_PATH_LEN, 2, 2);
    chain[1].problems = MQTLS_TLS_BAD_PATH_LEN;
    CHECK_EQ_STR(id(), "tls.chain_path_len");
    mqtls_chain_verify_cause(&f, &name);
    CHECK_EQ_STR(name, ROOT);
    reset(MQTLS_TLS_BAD_PATH_LEN, 2, 3);
    chain[2].problems = MQTLS_TLS_BAD_PATH_LEN;
    CHECK_EQ_STR(id(), "tls.chain_path_len");
    mqtls_chain_verify_cause(&f, &name);
    CHECK_EQ_STR(name, ROOT);
}

TEST(device_missing_sub_ca)
{
    /* The server verified, then refused our certificate (unknown_ca); the device's file
     * holds its own certificate only, and its issuer is a sub-CA the broker sent. */
    reset(0, 2, 3);
    ev.alert_received = 48;
    ev.cert_requested = ev.cert_sent = true;
    dev[0] = local("CN=device", SUB, false);
    f.dev_certs = dev;
    f.dev_len = 1;
    CHECK_EQ_STR(id(), "tls.client_missing_intermediate");
    const char *name = NULL;
    CHECK(mqtls_chain_device_missing(&f, &name));
    CHECK_EQ_STR(name, SUB);
    /* The same refusal in TLS 1.3 arrives at the MQTT step. */
    f.stage = MQTLS_DIAG_MQTT;
    f.status = MQTLS_ERR_CLOSED;
    CHECK_EQ_STR(id(), "tls.client_missing_intermediate");
    /* The file carries the sub-CA: the refusal is the certificate's. */
    f.stage = MQTLS_DIAG_TLS;
    f.status = MQTLS_ERR_TLS_ALERT;
    dev[1] = local(SUB, ROOT, true);
    f.dev_len = 2;
    CHECK_EQ_STR(id(), "tls.client_cert_rejected");
    /* Issued by the root directly: nothing is missing. */
    dev[0] = local("CN=device", ROOT, false);
    f.dev_len = 1;
    CHECK_EQ_STR(id(), "tls.client_cert_rejected");
    /* Issued by a name nobody knows as an intermediate: not called one. */
    dev[0] = local("CN=device", "CN=unknown", false);
    CHECK_EQ_STR(id(), "tls.client_cert_rejected");
}

TEST(completed_by_the_ca_file)
{
    /* Verified; the server sent its leaf only, the CA file supplied the sub-CA. */
    reset(0, 1, 3);
    f.status = MQTLS_OK;
    CHECK_EQ_STR(mqtls_chain_completed_locally(&ev), SUB);
    /* Sent complete (the root never needs sending). */
    reset(0, 2, 3);
    CHECK(mqtls_chain_completed_locally(&ev) == NULL);
    /* A failed verification is not "completed". */
    reset(MQTLS_TLS_BAD_NO_ISSUER, 1, 1);
    CHECK(mqtls_chain_completed_locally(&ev) == NULL);
}

static void all_dates(const char *nb, const char *na)
{
    for (unsigned i = 0; i < 3; i++) {
        strcpy(chain[i].not_before, nb);
        strcpy(chain[i].not_after, na);
    }
    ca[0].not_before = nb;
    ca[0].not_after = na;
}

TEST(clock)
{
    /* Every certificate, the root and the CA file's included, expired: the clock. */
    reset(MQTLS_TLS_BAD_EXPIRED, 2, 3);
    all_dates("2020-01-01 00:00:00", "2021-01-01 00:00:00");
    CHECK(mqtls_chain_clock_wrong(&f));
    CHECK_EQ_STR(id(), "tls.clock_wrong");
    /* All not yet valid, and the clock before 2020: the unset clock. */
    all_dates("2030-01-01 00:00:00", "2031-01-01 00:00:00");
    ev.problems = MQTLS_TLS_BAD_FUTURE;
    f.clock_unset = true;
    f.now_utc = "1970-01-01 00:00:10";
    CHECK_EQ_STR(id(), "tls.clock_unset");
    /* Only the broker's certificate expired: the certificate, not the clock. */
    reset(MQTLS_TLS_BAD_EXPIRED, 2, 3);
    strcpy(chain[0].not_after, "2026-06-01 00:00:00");
    CHECK(!mqtls_chain_clock_wrong(&f));
    CHECK_EQ_STR(id(), "tls.server_cert_expired");
    /* The chain expired but the CA file's root is valid: not the clock. */
    reset(MQTLS_TLS_BAD_EXPIRED, 2, 3);
    all_dates("2020-01-01 00:00:00", "2021-01-01 00:00:00");
    ca[0].not_after = "2036-01-01 00:00:00";
    CHECK_EQ_STR(id(), "tls.server_cert_expired");
    /* Step 1: the device certificate and the CA file both expired. */
    reset(0, 0, 0);
    f.tls = NULL;
    f.stage = MQTLS_DIAG_CREDENTIALS;
    f.status = MQTLS_OK;
    f.client_cert_flags = MQTLS_TLS_BAD_EXPIRED;
    all_dates("2020-01-01 00:00:00", "2021-01-01 00:00:00");
    dev[0] = local("CN=device", ROOT, false);
    dev[0].not_after = "2021-01-01 00:00:00";
    f.dev_certs = dev;
    f.dev_len = 1;
    CHECK_EQ_STR(id(), "tls.clock_wrong");
    ca[0].not_after = "2036-01-01 00:00:00"; /* the root still valid */
    CHECK_EQ_STR(id(), "cred.client_cert_expired");
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(server_missing_intermediate_vs_untrusted_root);
    RUN(not_a_ca_and_path_length);
    RUN(device_missing_sub_ca);
    RUN(completed_by_the_ca_file);
    RUN(clock);
    return test_main_end();
}
