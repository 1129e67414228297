/**
 * @file test_tls.c
 * @brief The TLS transport (src/tls/tls.c) and its backend seam (src/tls/backend.h), without
 *        a broker: handshakes over loopback against an in-process server made with the same
 *        TLS library (tls_peer.h), and the evidence each one leaves: version, suite, the
 *        chain as sent and as built, the neutral problem flags for an expired, wrong-name or
 *        untrusted server certificate, a client certificate requested and sent, an alert
 *        received; then application data both ways. Runs on either backend (label tls).
 *
 * The certificates are tests/data/tls (made by its make_certs.sh).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mqtls/transport_tls.h"
#include "test.h"
#include "tls_peer.h"

#define DATA MQTLS_SOURCE_DIR "/tests/data/tls/"
#define ROOT DATA "root.crt"
#define SERVER_KEY DATA "server.key"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One connection attempt against a server of its own. */
typedef struct attempt {
    mqtls_tls_t t;
    tls_peer_t peer;
    mqtls_status_t st;
    tls_peer_result_t seen; /* what the server saw (after finish()) */
} attempt_t;

static attempt_t a;

static mqtls_tls_cfg_t client_cfg(void)
{
    mqtls_tls_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = ROOT;
    cfg.keep_chain = true;
    cfg.handshake_timeout_ms = 5000;
    return cfg;
}

static tls_peer_cfg_t server_cfg(const char *chain)
{
    tls_peer_cfg_t s = {chain, SERVER_KEY, NULL, 0};
    return s;
}

/* Drives the transport's connect as the session does, bounded. */
static mqtls_status_t connect_loop(mqtls_tls_t *t, const char *host, uint16_t port)
{
    uint64_t end = now_ms() + 8000u;
    mqtls_status_t st;
    while ((st = mqtls_tls_transport.connect(t, host, port)) == MQTLS_IN_PROGRESS) {
        if (now_ms() > end)
            return MQTLS_ERR_TIMEOUT;
        mqtls_tls_transport.wait(t, 0, 50);
    }
    return st;
}

/* Starts the server, then connects to it as @p host with @p cfg. */
static const mqtls_tls_evidence_t *attempt(const tls_peer_cfg_t *srv, const mqtls_tls_cfg_t *cfg,
                                           const char *host)
{
    memset(&a, 0, sizeof a);
    mqtls_tls_init(&a.t);
    if (tls_peer_start(&a.peer, srv) != 0) {
        a.st = MQTLS_ERR_IO;
        return mqtls_tls_evidence(&a.t);
    }
    a.st = mqtls_tls_setup(&a.t, cfg);
    if (a.st == MQTLS_OK)
        a.st = connect_loop(&a.t, host, a.peer.port);
    return mqtls_tls_evidence(&a.t);
}

/* Closes our side, collects what the server saw, frees the connection. */
static void finish(void)
{
    mqtls_tls_transport.close(&a.t);
    a.seen = tls_peer_stop(&a.peer);
    mqtls_tls_free(&a.t);
}

/* Sends @p msg and reads it back from the echoing server. */
static bool echo_round_trip(const char *msg)
{
    size_t len = strlen(msg), got = 0;
    char back[64] = {0};
    mqtls_iov_t iov[2] = {{msg, 3}, {msg + 3, len - 3}};
    if (mqtls_tls_transport.send(&a.t, iov, 2) != (int32_t)len)
        return false;
    for (uint64_t end = now_ms() + 5000u; got < len && now_ms() < end;) {
        int32_t n = mqtls_tls_transport.recv(&a.t, (uint8_t *)back + got, sizeof back - 1 - got);
        if (n < 0)
            return false;
        if (n == 0)
            mqtls_tls_transport.wait(&a.t, 0, 50);
        got += (size_t)n;
    }
    return got == len && memcmp(back, msg, len) == 0;
}

/* What every completed handshake of the server in server.pem shows. */
static void check_good_chain(const mqtls_tls_evidence_t *e)
{
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, 0);
    REQUIRE(e->sent != NULL && e->chain != NULL);
    REQUIRE_EQ_INT(e->sent_len, 2); /* as sent: its own and the intermediate */
    CHECK_EQ_STR(e->sent[0].subject, "CN=localhost");
    CHECK_EQ_STR(e->sent[0].issuer, "CN=mqtls unit Intermediate");
    CHECK_EQ_STR(e->sent[0].names, "DNS:localhost, IP:127.0.0.1");
    CHECK_EQ_STR(e->sent[0].key, "EC P-256");
    CHECK_EQ_STR(e->sent[0].not_before, "2024-01-01 00:00:00");
    CHECK_EQ_STR(e->sent[0].not_after, "2126-01-01 00:00:00");
    CHECK(!e->sent[0].is_ca);
    CHECK_EQ_STR(e->sent[0].serial, "1002"); /* `openssl x509 -serial` of server.pem */
    CHECK_EQ_STR(e->sent[1].subject, "CN=mqtls unit Intermediate");
    CHECK(e->sent[1].is_ca);
    REQUIRE_EQ_INT(e->chain_len, 3); /* as built: up to the trusted root */
    CHECK_EQ_MEM(e->chain[0].sha256, e->sent[0].sha256, 32);
    CHECK_EQ_STR(e->chain[2].subject, "CN=mqtls unit Root");
    CHECK_EQ_INT(e->chain[0].problems | e->chain[1].problems | e->chain[2].problems, 0);
}

/* ===================================================================================== */

TEST(backend_seam)
{
    const char *name = mqtls_tls_backend();
    CHECK(strncmp(name, "OpenSSL 3", 9) == 0 || strncmp(name, "Mbed TLS ", 9) == 0);
    CHECK(mqtls_tls_max_version() == MQTLS_TLS_V1_2 || mqtls_tls_max_version() == MQTLS_TLS_V1_3);
    CHECK(mqtls_tls_cipher_known("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    CHECK(!mqtls_tls_cipher_known("TLS_NO_SUCH_SUITE"));
    CHECK_EQ_STR(mqtls_tls_alert_name(48), "unknown_ca");
    CHECK(mqtls_tls_problem_words(MQTLS_TLS_BAD_EXPIRED) != NULL);
}

/* Credentials are loaded through the seam before any connection; a fault is named. */
TEST(credential_faults)
{
    mqtls_tls_ctx_t *ctx = NULL;
    mqtls_tls_evidence_t ev;
    mqtls_tls_cfg_t cfg = client_cfg();
    cfg.ca_file = DATA "no-such-file.crt";
    memset(&ev, 0, sizeof ev);
    CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, &ev), MQTLS_ERR_TLS_CREDENTIALS);
    CHECK(ctx == NULL);
    CHECK_EQ_INT(ev.stage, MQTLS_TLS_STAGE_CREDENTIALS);
    CHECK_EQ_INT(ev.item, MQTLS_TLS_ITEM_CA);
    CHECK_EQ_INT(ev.cred_problem, MQTLS_TLS_CRED_UNREADABLE);
    cfg = client_cfg();
    cfg.cert_file = DATA "client.pem";
    cfg.key_file = SERVER_KEY; /* not the device's key */
    memset(&ev, 0, sizeof ev);
    CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, &ev), MQTLS_ERR_TLS_KEY_MISMATCH);
    CHECK_EQ_INT(ev.item, MQTLS_TLS_ITEM_KEY);
    CHECK_EQ_INT(ev.cred_problem, MQTLS_TLS_CRED_KEY_MISMATCH);
    cfg.key_file = DATA "client.key";
    REQUIRE_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, &ev), MQTLS_OK);
    mqtls_tls_ctx_free(ctx);
}

/* A CRL file that cannot be used is a credential fault about the CRL, told like a CA file's
 * (the revocation itself: tests/cli/test_crl.sh, with a CA that revokes). */
TEST(crl_file_faults)
{
    static const struct {
        const char *file;
        mqtls_tls_cred_problem_t problem;
    } cases[] = {
        {DATA "no-such-file.crl", MQTLS_TLS_CRED_UNREADABLE},
        {DATA "server.pem", MQTLS_TLS_CRED_EMPTY},          /* PEM, but no CRL in it */
        {MQTLS_SOURCE_DIR "/README.md", MQTLS_TLS_CRED_MALFORMED}, /* neither PEM nor DER */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mqtls_tls_ctx_t *ctx = NULL;
        mqtls_tls_evidence_t ev;
        mqtls_tls_cfg_t cfg = client_cfg();
        cfg.crl_file = cases[i].file;
        memset(&ev, 0, sizeof ev);
        CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, &ev), MQTLS_ERR_TLS_CREDENTIALS);
        CHECK(ctx == NULL);
        CHECK_EQ_INT(ev.item, MQTLS_TLS_ITEM_CRL);
        CHECK_EQ_INT(ev.cred_problem, cases[i].problem);
        CHECK(strstr(ev.detail, cases[i].file) != NULL || i == 0);
    }
}

/* The highest version both speak, verified up to our root, then data both ways. */
TEST(handshake_and_its_evidence)
{
    tls_peer_cfg_t srv = server_cfg(DATA "server.pem");
    mqtls_tls_cfg_t cfg = client_cfg();
    const mqtls_tls_evidence_t *e = attempt(&srv, &cfg, "localhost");
    if (CHECK_STATUS(a.st, MQTLS_OK)) {
        CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_ESTABLISHED);
        CHECK_STATUS(e->status, MQTLS_OK);
        CHECK_EQ_STR(e->backend, mqtls_tls_backend());
        CHECK_EQ_STR(e->version,
                     mqtls_tls_max_version() == MQTLS_TLS_V1_3 ? "TLSv1.3" : "TLSv1.2");
        CHECK(e->ciphersuite[0] != '\0');
        check_good_chain(e);
        CHECK(!e->cert_requested);
        CHECK(!e->cert_sent);
        CHECK_EQ_INT(e->alert_received, -1);
        CHECK_EQ_INT(e->alert_sent, -1);
        CHECK_EQ_INT(e->first_byte, 22); /* a handshake record */
        CHECK(e->bytes_received > 0);
        CHECK(!e->insecure && !e->resumed);
        CHECK(mqtls_tls_fd(&a.t) >= 0);
        CHECK(echo_round_trip("hello over tls"));
    }
    char suite[64];
    snprintf(suite, sizeof suite, "%s", e->ciphersuite);
    finish();
    CHECK(a.seen.handshake_ok);
    CHECK_EQ_STR(suite, a.seen.suite); /* the suite the server chose, by its IANA name */
    CHECK_EQ_INT(a.seen.echoed, 14);
}

/* TLS 1.2 with one suite named: the evidence names the same suite. */
TEST(tls12_with_a_chosen_suite)
{
    static const char suite[] = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    tls_peer_cfg_t srv = server_cfg(DATA "server.pem");
    mqtls_tls_cfg_t cfg = client_cfg();
    cfg.max_version = MQTLS_TLS_V1_2;
    cfg.ciphers = suite;
    const mqtls_tls_evidence_t *e = attempt(&srv, &cfg, "127.0.0.1");
    if (CHECK_STATUS(a.st, MQTLS_OK)) {
        CHECK_EQ_STR(e->version, "TLSv1.2");
        CHECK_EQ_STR(e->ciphersuite, suite);
        check_good_chain(e); /* 127.0.0.1 against the IP address in the certificate */
    }
    finish();
    CHECK_EQ_STR(a.seen.suite, suite);
}

/* A verification failure: the status, the flags of the chain and of the certificate at
 * fault, and the alert we sent (both backends name the same one). */
static const mqtls_tls_evidence_t *verify_failure(const char *chain, const char *server_name,
                                                  uint32_t flags, int alert)
{
    tls_peer_cfg_t srv = server_cfg(chain);
    mqtls_tls_cfg_t cfg = client_cfg();
    cfg.server_name = server_name;
    const mqtls_tls_evidence_t *e = attempt(&srv, &cfg, "localhost");
    CHECK_STATUS(a.st, MQTLS_ERR_TLS_VERIFY);
    CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_HANDSHAKE);
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, flags);
    CHECK_EQ_INT(e->alert_sent, alert);
    CHECK_EQ_INT(e->alert_received, -1);
    CHECK(e->sent != NULL && e->sent_len == 2);
    CHECK(e->chain != NULL && e->chain_len >= 1);
    return e;
}

TEST(expired_server_certificate)
{
    const mqtls_tls_evidence_t *e =
        verify_failure(DATA "expired.pem", NULL, MQTLS_TLS_BAD_EXPIRED, 45);
    if (e->chain != NULL && e->chain_len >= 1) {
        CHECK_EQ_INT(e->chain[0].problems, MQTLS_TLS_BAD_EXPIRED);
        CHECK_EQ_STR(e->chain[0].not_after, "2020-06-30 00:00:00");
    }
    finish();
    CHECK(!a.seen.handshake_ok);
}

TEST(wrong_server_name)
{
    const mqtls_tls_evidence_t *e =
        verify_failure(DATA "server.pem", "wrong.example", MQTLS_TLS_BAD_NAME, 42);
    if (e->chain != NULL && e->chain_len >= 1)
        CHECK_EQ_INT(e->chain[0].problems, MQTLS_TLS_BAD_NAME);
    finish();
    CHECK(!a.seen.handshake_ok);
}

/* The server sends its certificate and a root of its own, which we do not trust. */
TEST(untrusted_root)
{
    const mqtls_tls_evidence_t *e =
        verify_failure(DATA "other.pem", NULL, MQTLS_TLS_BAD_UNTRUSTED, 48);
    if (e->chain != NULL && e->chain_len >= 2) {
        CHECK_EQ_INT(e->chain[0].problems, 0);
        CHECK_EQ_STR(e->chain[e->chain_len - 1].subject, "CN=mqtls unit Other Root");
        CHECK_EQ_INT(e->chain[e->chain_len - 1].problems, MQTLS_TLS_BAD_UNTRUSTED);
    }
    if (e->sent != NULL && e->sent_len == 2)
        CHECK_EQ_STR(e->sent[1].subject, "CN=mqtls unit Other Root");
    finish();
    CHECK(!a.seen.handshake_ok);
}

TEST(client_certificate_requested_and_sent)
{
    tls_peer_cfg_t srv = server_cfg(DATA "server.pem");
    srv.client_ca = ROOT;
    mqtls_tls_cfg_t cfg = client_cfg();
    cfg.cert_file = DATA "client.pem";
    cfg.key_file = DATA "client.key";
    const mqtls_tls_evidence_t *e = attempt(&srv, &cfg, "localhost");
    if (CHECK_STATUS(a.st, MQTLS_OK)) {
        CHECK(e->cert_requested);
        CHECK(e->cert_sent);
        check_good_chain(e);
        CHECK(echo_round_trip("mutual"));
    }
    finish();
    CHECK(a.seen.handshake_ok);
    CHECK(a.seen.client_cert);
}

/* The server does not trust our certificate (it trusts only the other PKI, whose bundle
 * other.pem it takes as its CAs): its alert unknown_ca is reported, by both libraries as
 * servers (with TLS 1.3 after our Finished: the handshake waits for the server's word). */
TEST(alert_received)
{
    tls_peer_cfg_t srv = server_cfg(DATA "server.pem");
    srv.client_ca = DATA "other.pem";
    mqtls_tls_cfg_t cfg = client_cfg();
    cfg.cert_file = DATA "client.pem";
    cfg.key_file = DATA "client.key";
    const mqtls_tls_evidence_t *e = attempt(&srv, &cfg, "localhost");
    CHECK_STATUS(a.st, MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_HANDSHAKE);
    CHECK_EQ_INT(e->alert_received, 48);
    CHECK_EQ_STR(mqtls_tls_alert_name(e->alert_received), "unknown_ca");
    CHECK_EQ_INT(e->alert_sent, -1);
    CHECK(e->cert_requested);
    CHECK(e->cert_sent);
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, 0); /* the server itself was fine */
    finish();
    CHECK(!a.seen.handshake_ok);
}

/* The server wants a certificate and we have none. An OpenSSL server says so with an alert
 * (certificate_required in TLS 1.3, handshake_failure in 1.2); Mbed TLS 2 hangs up. */
TEST(client_certificate_requested_not_sent)
{
    tls_peer_cfg_t srv = server_cfg(DATA "server.pem");
    srv.client_ca = ROOT;
    mqtls_tls_cfg_t cfg = client_cfg();
    const mqtls_tls_evidence_t *e = attempt(&srv, &cfg, "localhost");
    CHECK(a.st != MQTLS_OK);
    CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_HANDSHAKE);
    CHECK(e->cert_requested);
    CHECK(!e->cert_sent);
    CHECK_EQ_INT(e->problems, 0);
    if (strncmp(mqtls_tls_backend(), "OpenSSL", 7) == 0) {
        CHECK_STATUS(a.st, MQTLS_ERR_TLS_ALERT);
        CHECK_EQ_INT(e->alert_received, mqtls_tls_max_version() == MQTLS_TLS_V1_3 ? 116 : 40);
    }
    finish();
    CHECK(!a.seen.handshake_ok);
}

/* Nobody listens: the attempt stops at the TCP stage. */
TEST(nothing_listening)
{
    tls_peer_t peer;
    tls_peer_cfg_t srv = server_cfg(DATA "server.pem");
    REQUIRE(tls_peer_start(&peer, &srv) == 0);
    uint16_t port = peer.port;
    tls_peer_stop(&peer); /* the port is closed again */
    mqtls_tls_t t;
    mqtls_tls_cfg_t cfg = client_cfg();
    mqtls_tls_init(&t);
    REQUIRE_STATUS(mqtls_tls_setup(&t, &cfg), MQTLS_OK);
    CHECK_STATUS(connect_loop(&t, "127.0.0.1", port), MQTLS_ERR_CONNECT_REFUSED);
    CHECK_EQ_INT(mqtls_tls_evidence(&t)->stage, MQTLS_TLS_STAGE_TCP);
    CHECK_EQ_INT(mqtls_tls_evidence(&t)->bytes_received, 0);
    mqtls_tls_free(&t);
    mqtls_tls_free(&t); /* twice is safe */
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    test_note("backend: %s", mqtls_tls_backend());
    RUN(backend_seam);
    RUN(credential_faults);
    RUN(crl_file_faults);
    RUN(handshake_and_its_evidence);
    RUN(tls12_with_a_chosen_suite);
    RUN(expired_server_certificate);
    RUN(wrong_server_name);
    RUN(untrusted_root);
    RUN(client_certificate_requested_and_sent);
    RUN(alert_received);
    RUN(client_certificate_requested_not_sent);
    RUN(nothing_listening);
    return test_main_end();
}
