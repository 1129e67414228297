/**
 * @file test_tls_fail.c
 * @brief The TLS transport fails closed: every way a connection can go wrong, against real
 *        mosquitto TLS listeners and a tiny raw TCP server, with the status and the
 *        handshake evidence each one leaves.
 *
 * Server verification (untrusted root, expired, not yet valid, wrong name, wrong IP), client
 * authentication (no certificate, one from another CA), credentials (key mismatch; corrupt,
 * truncated, empty, garbage, missing files; the wrong kind of file; encrypted keys),
 * settings (TLS 1.3, ciphers, no CA), the wrong protocol on either side, peers that close or
 * never answer, and `insecure`. No failed attempt may reach MQTT: the broker's log must not
 * show the client's CONNECT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "test.h"
#include "tls_fixture.h"

#define T_MS 8000u /* a whole connection attempt may take at most this long */

enum { L_MAIN, L_EXPIRED, L_FUTURE, L_OTHER_NAME, L_NO_IP, L_TLS13, L_CIPHERS, L_COUNT };

static test_broker_t broker;
static tf_listener_t lis[L_COUNT];

static char ca_crt[512], dev_crt[512], dev_key[512], other_ca[512], other_crt[512],
    other_key[512], cred[512];

static const char *cred_file(const char *name)
{
    snprintf(cred, sizeof cred, "%s/cred/%s", tf_dir(), name);
    return cred;
}

/* ------------------------------------------------------------------------ setup */

/* Copies @p src to cred/@p name with the base64 character at body offset @p at replaced
 * by @p with (the body starts after the first line). */
static int flip_base64(const char *src, const char *name, size_t at, int with)
{
    size_t len;
    uint8_t *buf = tf_read_file(src, &len);
    if (!buf)
        return -1;
    char *body = strchr((char *)buf, '\n');
    int rc = -1;
    if (body && (size_t)(body + 1 + at - (char *)buf) < len) {
        char *p = body + 1 + at;
        *p = (char)(with ? with : (*p == 'z' ? 'y' : *p + 1));
        rc = tf_write_file(cred_file(name), buf, len);
    }
    free(buf);
    return rc;
}

/* The first @p keep bytes of @p src. */
static int truncate_to(const char *src, const char *name, size_t keep_bytes)
{
    size_t len;
    uint8_t *buf = tf_read_file(src, &len);
    int rc = buf && keep_bytes < len ? tf_write_file(cred_file(name), buf, keep_bytes) : -1;
    free(buf);
    return rc;
}

static int make_credentials(void)
{
    static const char garbage[] = "this is not a certificate\n\x01\x02\x03\xff\xfe garbage";
    if (tf_sh("mkdir -p cred") != 0)
        return -1;
    if (flip_base64(dev_crt, "badchar.crt", 100, '*') || flip_base64(dev_crt, "flip.crt", 1, 0) ||
        flip_base64(dev_key, "badchar.key", 40, '*') || flip_base64(dev_key, "flip.key", 1, 0) ||
        flip_base64(ca_crt, "flip-ca.crt", 1, 0) || truncate_to(dev_crt, "trunc.crt", 300) ||
        truncate_to(dev_key, "trunc.key", 100) ||
        truncate_to(tf_path("ca/dev1/cert.der"), "trunc.der", 200) ||
        tf_write_file(cred_file("empty.crt"), "", 0) ||
        tf_write_file(cred_file("empty.key"), "", 0) ||
        tf_write_file(cred_file("garbage.crt"), garbage, sizeof garbage - 1) ||
        tf_write_file(cred_file("garbage.key"), garbage, sizeof garbage - 1))
        return -1;
    /* Encrypted forms of dev1's key: traditional PEM (Proc-Type/DEK-Info), `openssl pkey
     * -aes256` (PKCS#8 PBES2 in OpenSSL 3) and `openssl pkcs8 -topk8 -v2` with AES-256 and
     * with 3DES. */
    return tf_sh("openssl pkey -traditional -in ca/dev1/private.key -aes256 "
                 "  -passout pass:secret -out cred/enc-trad.key && "
                 "openssl pkey -in ca/dev1/private.key -aes256 -passout pass:secret "
                 "  -out cred/enc-pkey.key && "
                 "openssl pkcs8 -topk8 -v2 aes256 -in ca/dev1/private.key -passout pass:secret "
                 "  -out cred/enc-p8-aes.key && "
                 "openssl pkcs8 -topk8 -v2 des3 -in ca/dev1/private.key -passout pass:secret "
                 "  -out cred/enc-p8-des3.key");
}

static int setup(void)
{
    if (tf_begin() != 0 || tf_pki_base() != 0)
        return -1;
    if (tf_pki("server ca --name localhost --ip 127.0.0.1 --not-before 2020-01-01 "
               "--not-after 2020-06-30 --out ca/expired") != 0 ||
        tf_pki("server ca --name localhost --ip 127.0.0.1 --not-before 2099-01-01 --days 30 "
               "--out ca/future") != 0 ||
        tf_pki("server ca --name other.example --out ca/other-name") != 0 ||
        tf_pki("server ca --name localhost --out ca/no-ip") != 0)
        return -1;
    tf_keep(ca_crt, tf_path("ca/ca.crt"));
    tf_keep(dev_crt, tf_path("ca/dev1/cert.crt"));
    tf_keep(dev_key, tf_path("ca/dev1/private.key"));
    tf_keep(other_ca, tf_path("other/ca.crt"));
    tf_keep(other_crt, tf_path("other/dev-other/cert.crt"));
    tf_keep(other_key, tf_path("other/dev-other/private.key"));
    if (make_credentials() != 0)
        return -1;

    static char crt[L_COUNT][512], key[L_COUNT][512];
    static const char *const names[L_COUNT] = {"server",   "expired", "future", "other-name",
                                                "no-ip",    "server",  "server"};
    for (int i = 0; i < L_COUNT; i++) {
        tf_keep(crt[i], tf_path("ca/%s.crt", names[i]));
        tf_keep(key[i], tf_path("ca/%s.key", names[i]));
        lis[i] = (tf_listener_t){.cafile = ca_crt, .certfile = crt[i], .keyfile = key[i],
                                 .require_certificate = true};
    }
    lis[L_TLS13].tls_version = "tlsv1.3";
    lis[L_CIPHERS].ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384";
    return tf_broker_start(&broker, lis, L_COUNT);
}

/* ---------------------------------------------------------------------- helpers */

static mqtls_tls_cfg_t pem_cfg(void)
{
    return tf_pem_cfg(ca_crt, dev_crt, dev_key);
}

/* A handshake that failed: nothing negotiated, the client disconnected, no MQTT at all. */
static void check_failed_handshake(tf_client_t *c, mqtls_status_t st, mqtls_status_t want)
{
    const mqtls_tls_evidence_t *e = tf_ev(c);
    tf_note_evidence(c, st);
    CHECK_STATUS(c->setup_status, MQTLS_OK);
    CHECK_STATUS(st, want);
    CHECK_STATUS(e->status, want);
    CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_HANDSHAKE);
    CHECK_EQ_INT(e->item, MQTLS_TLS_ITEM_NONE);
    CHECK(tf_openssl() ? e->raw_error != 0 : e->raw_error < 0);
    CHECK(e->detail[0] != '\0');
    /* Both backends tell what was negotiated before the failure, if the server got that far. */
    if (e->version[0] == '\0') {
        CHECK_EQ_STR(e->version, "");
        CHECK_EQ_STR(e->ciphersuite, "");
    } else {
        CHECK(strncmp(e->version, "TLSv1.", 6) == 0);
        CHECK(strncmp(e->ciphersuite, "TLS_", 4) == 0);
    }
    CHECK_EQ_INT(mqtls_state(&c->cli), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(mqtls_tls_fd(&c->tls), -1);
    CHECK(c->elapsed_ms < 3000u);
    CHECK(!tf_broker_saw_client(&broker, c->id));
}

/* The client rejected the server's certificate: the chain it saw (server first), the
 * problems (each on the certificate it belongs to), the alert it sent (@p alert with Mbed
 * TLS, @p ossl_alert with OpenSSL, which maps some errors to other alerts). */
static void check_verify_failure(const char *id, const mqtls_tls_cfg_t *cfg, const char *host,
                                 int listener, const char *subject, uint32_t flags, int alert,
                                 int ossl_alert)
{
    tf_client_t c;
    tf_client_init(&c, id);
    mqtls_status_t st = tf_connect(&c, cfg, host, lis[listener].port, T_MS);
    check_failed_handshake(&c, st, MQTLS_ERR_TLS_VERIFY);
    const mqtls_tls_evidence_t *e = tf_ev(&c);
    if (tf_openssl())
        CHECK_EQ_INT(e->raw_error & 0xFFF, 134); /* SSL_R_CERTIFICATE_VERIFY_FAILED */
    else
        CHECK_EQ_INT(e->raw_error, -0x2700); /* MBEDTLS_ERR_X509_CERT_VERIFY_FAILED */
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, flags);
    CHECK_EQ_INT(e->alert_sent, tf_openssl() ? ossl_alert : alert);
    CHECK_EQ_INT(e->alert_received, -1);
    CHECK_EQ_INT(e->first_byte, 22);
    CHECK(e->bytes_received > 0);
    /* TLS 1.2: verification ends the handshake before the request; TLS 1.3 asks first. */
    CHECK_EQ_INT(e->cert_requested, strcmp(e->version, "TLSv1.3") == 0);
    CHECK(e->chain_len >= 1 && e->chain_len <= MQTLS_TLS_CHAIN_MAX);
    CHECK(e->sent_len >= 1);
    CHECK_EQ_STR(e->chain[0].subject, subject);
    if (e->sent && e->sent_len >= 1)
        CHECK_EQ_STR(e->sent[0].subject, subject);
    uint32_t seen = 0;
    for (unsigned i = 0; i < e->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        seen |= e->chain[i].problems;
    CHECK_EQ_INT(seen, flags);
    if (!(flags & MQTLS_TLS_BAD_UNTRUSTED))
        CHECK_EQ_INT(e->chain[0].problems, flags); /* the server's own certificate is at fault */
    tf_client_free(&c);
}

/* mqtls_tls_setup refuses a credential: status, the item, and a detail text. */
static const mqtls_tls_evidence_t *check_setup(tf_client_t *c, const mqtls_tls_cfg_t *cfg,
                                               mqtls_status_t want, mqtls_tls_item_t item)
{
    mqtls_status_t st = tf_connect(c, cfg, "localhost", lis[L_MAIN].port, T_MS);
    const mqtls_tls_evidence_t *e = tf_ev(c);
    unsigned raw = (unsigned)(e->raw_error < 0 ? -e->raw_error : e->raw_error);
    test_note("%s: item %d, raw %s0x%04X, detail: %s", mqtls_strerror(st), (int)e->item,
              e->raw_error < 0 ? "-" : "", raw, e->detail);
    CHECK_STATUS(st, want);
    CHECK_STATUS(c->setup_status, want);
    CHECK_STATUS(e->status, want);
    CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_CREDENTIALS);
    CHECK_EQ_INT(e->item, item);
    CHECK(e->detail[0] != '\0');
    CHECK_EQ_INT(mqtls_tls_fd(&c->tls), -1);
    /* Not set up, so connecting is refused at once. */
    CHECK_STATUS(mqtls_tls_transport.connect(&c->tls, "localhost", lis[L_MAIN].port),
                 MQTLS_ERR_BAD_PARAM);
    return e;
}

static void setup_fails(const char *id, const mqtls_tls_cfg_t *cfg, mqtls_status_t want,
                        mqtls_tls_item_t item, const char *detail_has)
{
    tf_client_t c;
    tf_client_init(&c, id);
    const mqtls_tls_evidence_t *e = check_setup(&c, cfg, want, item);
    if (detail_has && !CHECK(strstr(e->detail, detail_has) != NULL))
        test_note("expected '%s' in the detail", detail_has);
    tf_client_free(&c);
}

/* ----------------------------------------------------------- server verification */

TEST(untrusted_server_root)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = other_ca; /* the client trusts another CA only */
    check_verify_failure("fail-untrusted", &cfg, "localhost", L_MAIN, "CN=localhost",
                         MQTLS_TLS_BAD_UNTRUSTED, 48, 48);
    tf_client_t c;
    tf_client_init(&c, "fail-untrusted2");
    (void)tf_connect(&c, &cfg, "localhost", lis[L_MAIN].port, T_MS);
    const mqtls_tls_evidence_t *e = tf_ev(&c);
    CHECK_EQ_STR(mqtls_tls_alert_name(e->alert_sent), "unknown_ca");
    /* mosquitto's OpenSSL completes the chain from its cafile, so the root comes along;
     * it is that root, not in our trust store, that carries NOT_TRUSTED. */
    CHECK_EQ_INT(e->chain_len, 2);
    CHECK_EQ_STR(e->chain[0].subject, "CN=localhost");
    CHECK_EQ_STR(e->chain[0].issuer, "CN=mqtls test CA");
    CHECK_EQ_INT(e->chain[0].problems, 0);
    CHECK_EQ_STR(e->chain[1].subject, "CN=mqtls test CA");
    CHECK_EQ_INT(e->chain[1].problems, MQTLS_TLS_BAD_UNTRUSTED);
    CHECK(e->chain[1].is_ca);
    CHECK_EQ_STR(mqtls_tls_problem_words(e->chain[1].problems),
                 "the chain ends at a root that is not trusted");
    tf_client_free(&c);
}

TEST(ca_directory_without_the_root)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    REQUIRE(tf_sh("mkdir -p capath-other && cp other/ca.crt capath-other/") == 0);
    static char dir[512];
    tf_keep(dir, tf_path("capath-other"));
    cfg.ca_file = NULL;
    cfg.ca_path = dir;
    check_verify_failure("fail-capath", &cfg, "localhost", L_MAIN, "CN=localhost",
                         MQTLS_TLS_BAD_UNTRUSTED, 48, 48);
}

TEST(expired_server_certificate)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    check_verify_failure("fail-expired", &cfg, "localhost", L_EXPIRED, "CN=localhost",
                         MQTLS_TLS_BAD_EXPIRED, 45, 45);
}

TEST(future_server_certificate)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    check_verify_failure("fail-future", &cfg, "localhost", L_FUTURE, "CN=localhost",
                         MQTLS_TLS_BAD_FUTURE, 46, 42);
}

TEST(hostname_mismatch)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    check_verify_failure("fail-name", &cfg, "localhost", L_OTHER_NAME, "CN=other.example",
                         MQTLS_TLS_BAD_NAME, 42, 42);
}

TEST(ip_not_in_certificate)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    check_verify_failure("fail-ip", &cfg, "127.0.0.1", L_NO_IP, "CN=localhost",
                         MQTLS_TLS_BAD_NAME, 42, 42);
    /* The same certificate is fine by its name: the IP is what was wrong. */
    tf_client_t c;
    tf_client_init(&c, "ok-no-ip-by-name");
    CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_NO_IP].port, T_MS), MQTLS_OK);
    tf_client_free(&c);
    /* A name-only certificate is not matched against the address by its CN either. */
    check_verify_failure("fail-ip-name", &cfg, "127.0.0.1", L_OTHER_NAME,
                         "CN=other.example", MQTLS_TLS_BAD_NAME, 42, 42);
}

TEST(insecure_connects_to_untrusted_server)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = other_ca;
    cfg.insecure = true;
    tf_client_t c;
    tf_client_init(&c, "insecure-untrusted");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_MAIN].port, T_MS);
    tf_note_evidence(&c, st);
    const mqtls_tls_evidence_t *e = tf_ev(&c);
    CHECK_STATUS(st, MQTLS_OK);
    CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_ESTABLISHED);
    CHECK(e->insecure);
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, MQTLS_TLS_BAD_UNTRUSTED);
    CHECK_EQ_INT(e->alert_sent, -1);
    CHECK_EQ_STR(e->version, tf_tls13() ? "TLSv1.3" : "TLSv1.2");
    CHECK(tf_broker_saw_client(&broker, c.id));
    tf_client_free(&c);

    /* Insecure without any CA at all: still connects, and says nothing was trusted. */
    cfg.ca_file = NULL;
    tf_client_init(&c, "insecure-no-ca");
    st = tf_connect(&c, &cfg, "localhost", lis[L_EXPIRED].port, T_MS);
    tf_note_evidence(&c, st);
    CHECK_STATUS(st, MQTLS_OK);
    CHECK(tf_ev(&c)->insecure);
    /* Nothing trusted: with OpenSSL, the issuer of the server's certificate is nowhere. */
    CHECK(tf_ev(&c)->problems & (MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_NO_ISSUER));
    CHECK(tf_ev(&c)->problems & MQTLS_TLS_BAD_EXPIRED);
    tf_client_free(&c);
}

/* ------------------------------------------------------------ client authentication */

TEST(no_client_certificate)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.cert_file = NULL;
    cfg.key_file = NULL;
    tf_client_t c;
    tf_client_init(&c, "fail-nocert");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_MAIN].port, T_MS);
    check_failed_handshake(&c, st, MQTLS_ERR_TLS_ALERT);
    const mqtls_tls_evidence_t *e = tf_ev(&c);
    /* OpenSSL 3 with TLS 1.2 answers an empty Certificate with handshake_failure (openssl
     * s_client sees the same) and closes at once, often while we still write the rest of
     * our flight: the write then fails (EPIPE) but the alert waits in the socket, and the
     * evidence must still report it. With TLS 1.3 (both backends) the server says
     * certificate_required after our Finished, encrypted: the handshake waits for the
     * server's word after its request, so this is still a handshake failure. */
    if (tf_tls13()) {
        CHECK_EQ_STR(e->version, "TLSv1.3");
        CHECK_EQ_INT(e->alert_received, 116);
        CHECK_EQ_STR(mqtls_tls_alert_name(e->alert_received), "certificate_required");
    } else {
        CHECK_EQ_INT(e->alert_received, 40);
        CHECK_EQ_STR(mqtls_tls_alert_name(e->alert_received), "handshake_failure");
    }
    CHECK_EQ_INT(e->alert_sent, -1);
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, 0); /* the server itself was fine */
    CHECK(e->cert_requested);
    CHECK(!e->cert_sent);
    CHECK_EQ_STR(e->chain[0].subject, "CN=localhost");
    tf_client_free(&c);
}

TEST(client_certificate_from_another_ca)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.cert_file = other_crt;
    cfg.key_file = other_key;
    tf_client_t c;
    tf_client_init(&c, "fail-othercert");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_MAIN].port, T_MS);
    check_failed_handshake(&c, st, MQTLS_ERR_TLS_ALERT);
    const mqtls_tls_evidence_t *e = tf_ev(&c);
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, 0); /* we verified the server first */
    CHECK_EQ_INT(e->chain_len, 2);
    /* OpenSSL's verify error "unable to get local issuer" becomes unknown_ca; as above it
     * may arrive while our write fails. */
    CHECK_EQ_INT(e->alert_received, 48);
    CHECK_EQ_STR(mqtls_tls_alert_name(e->alert_received), "unknown_ca");
    CHECK_EQ_INT(e->alert_sent, -1);
    CHECK(e->cert_requested);
    CHECK(e->cert_sent);
    tf_client_free(&c);
}

/* -------------------------------------------------------------------- credentials */

TEST(key_does_not_match_certificate)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.key_file = other_key;
    setup_fails("fail-mismatch", &cfg, MQTLS_ERR_TLS_KEY_MISMATCH, MQTLS_TLS_ITEM_KEY,
                "does not belong");
}

TEST(bad_certificate_files)
{
    static const struct {
        const char *file;
        const char *detail;
    } cases[] = {
        {"badchar.crt", NULL}, {"flip.crt", NULL},    {"trunc.crt", NULL},
        {"trunc.der", NULL},   {"empty.crt", NULL},   {"garbage.crt", NULL},
        {"missing.crt", "No such file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mqtls_tls_cfg_t cfg = pem_cfg();
        static char path[512];
        tf_keep(path, cred_file(cases[i].file));
        cfg.cert_file = path;
        test_note("cert_file %s", cases[i].file);
        setup_fails("fail-cert", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CERT,
                    cases[i].detail);
    }
    /* A key given as the certificate. */
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.cert_file = dev_key;
    test_note("cert_file = the private key");
    setup_fails("fail-cert", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CERT, NULL);
}

TEST(bad_key_files)
{
    static const char *const files[] = {"badchar.key", "flip.key",    "trunc.key",
                                        "empty.key",   "garbage.key", "missing.key"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        mqtls_tls_cfg_t cfg = pem_cfg();
        static char path[512];
        tf_keep(path, cred_file(files[i]));
        cfg.key_file = path;
        test_note("key_file %s", files[i]);
        setup_fails("fail-key", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY,
                    i == 5 ? "No such file" : NULL);
    }
    /* A certificate given as the key. */
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.key_file = dev_crt;
    test_note("key_file = the certificate");
    setup_fails("fail-key", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, NULL);
    /* A certificate without its key, and a key without its certificate. */
    cfg = pem_cfg();
    cfg.key_file = NULL;
    setup_fails("fail-key", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_KEY, NULL);
    cfg = pem_cfg();
    cfg.cert_file = NULL;
    setup_fails("fail-key", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_CERT, NULL);
}

TEST(bad_ca_files)
{
    static char path[512];
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_keep(path, cred_file("flip-ca.crt"));
    cfg.ca_file = path;
    setup_fails("fail-ca", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA, NULL);
    tf_keep(path, cred_file("missing-ca.crt"));
    setup_fails("fail-ca", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA, "No such file");
    tf_keep(path, cred_file("empty.crt"));
    setup_fails("fail-ca", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA, NULL);
    /* A directory with no certificate in it. */
    REQUIRE(tf_sh("mkdir -p empty-capath") == 0);
    tf_keep(path, tf_path("empty-capath"));
    cfg.ca_file = NULL;
    cfg.ca_path = path;
    setup_fails("fail-ca", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA, NULL);
}

/* A bundle in which one of two certificates is broken is refused as a whole, and the
 * evidence counts the broken ones. raw_error is "the Mbed TLS code (negative) or errno":
 * Mbed TLS's positive count of failed PEM blocks must not land there, where it would read
 * as errno 1 (EPERM). */
TEST(ca_bundle_partly_broken)
{
    static char path[512];
    REQUIRE(tf_sh("cat cred/flip.crt ca/ca.crt > cred/half-bundle.crt") == 0);
    tf_keep(path, cred_file("half-bundle.crt"));
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = path;
    tf_client_t c;
    tf_client_init(&c, "fail-half-bundle");
    const mqtls_tls_evidence_t *e =
        check_setup(&c, &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA);
    CHECK(strstr(e->detail, "1 certificate(s) could not be parsed") != NULL);
    CHECK(e->raw_error <= 0);
    tf_client_free(&c);
}

TEST(no_ca_and_not_insecure)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = NULL;
    setup_fails("fail-noca", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_CA, "no CA");
}

/* OpenSSL reads every encrypted form. Mbed TLS in the device configuration reads none (no
 * PEM ciphers, no PKCS#5/#12: config/mbedtls_device.h): a device keeps no passphrase. */
#define DECRYPTS tf_openssl()

/* One encrypted key form: right passphrase connects; none and a wrong one are refused.
 * A library that cannot decrypt refuses it with any passphrase, saying so; without one it
 * says a passphrase is needed (a caller that decrypts then hands over the plain key). */
static void encrypted_key(const char *file)
{
    bool readable = DECRYPTS;
    static char path[512];
    tf_keep(path, cred_file(file));
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.key_file = path;
    test_note("%s with the right passphrase", file);
    cfg.key_pass = "secret";
    if (readable) {
        tf_client_t c;
        tf_client_init(&c, "enc-key-ok");
        mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_MAIN].port, T_MS);
        if (st != MQTLS_OK)
            test_note("detail: %s", tf_ev(&c)->detail);
        CHECK_STATUS(st, MQTLS_OK);
        CHECK(tf_ev(&c)->cert_sent);
        tf_client_free(&c);
    } else {
        setup_fails("enc-key", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, NULL);
    }
    tf_client_t c;
    test_note("%s without a passphrase", file);
    cfg.key_pass = NULL;
    tf_client_init(&c, "enc-key");
    CHECK_EQ_INT(check_setup(&c, &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY)->cred_problem,
                 MQTLS_TLS_CRED_PASS_NEEDED);
    CHECK(strstr(tf_ev(&c)->detail, "password") != NULL);
    tf_client_free(&c);
    test_note("%s with a wrong passphrase", file);
    cfg.key_pass = "wrong";
    tf_client_init(&c, "enc-key");
    CHECK_EQ_INT(check_setup(&c, &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY)->cred_problem,
                 readable ? MQTLS_TLS_CRED_PASS_WRONG : MQTLS_TLS_CRED_KEY_UNSUPPORTED);
    tf_client_free(&c);
}

TEST(encrypted_key_traditional_pem)
{
    encrypted_key("enc-trad.key");
}

TEST(encrypted_key_openssl_pkey_aes256)
{
    encrypted_key("enc-pkey.key");
}

TEST(encrypted_key_pkcs8_v2_aes256)
{
    encrypted_key("enc-p8-aes.key");
}

TEST(encrypted_key_pkcs8_v2_des3)
{
    encrypted_key("enc-p8-des3.key");
}

/* An encrypted key from memory, PEM without a trailing NUL. */
TEST(encrypted_key_from_memory)
{
    size_t len;
    uint8_t *pem = tf_read_file(cred_file("enc-trad.key"), &len);
    REQUIRE(pem != NULL);
    uint8_t *exact = malloc(len);
    REQUIRE(exact != NULL);
    memcpy(exact, pem, len);
    free(pem);
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.key_file = NULL;
    cfg.key_mem = exact;
    cfg.key_mem_len = len;
    cfg.key_pass = "secret";
    tf_client_t c;
    if (DECRYPTS) {
        tf_client_init(&c, "enc-key-mem");
        CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_MAIN].port, T_MS), MQTLS_OK);
        tf_client_free(&c);
    } else {
        setup_fails("enc-key-mem", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, NULL);
    }
    cfg.key_pass = NULL;
    setup_fails("enc-key-mem", &cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, "password");
    free(exact);
}

/* ---------------------------------------------------------------------- settings */

TEST(server_requires_tls13)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    if (tf_tls13()) { /* it connects; and fails as a TLS 1.2-only client would when kept to 1.2 */
        tf_client_init(&c, "ok-tls13");
        CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_TLS13].port, T_MS), MQTLS_OK);
        CHECK_EQ_STR(tf_ev(&c)->version, "TLSv1.3");
        tf_client_free(&c);
        cfg.max_version = MQTLS_TLS_V1_2;
    }
    tf_client_init(&c, "fail-tls13");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_TLS13].port, T_MS);
    check_failed_handshake(&c, st, MQTLS_ERR_TLS_ALERT);
    const mqtls_tls_evidence_t *e = tf_ev(&c);
    CHECK_EQ_INT(e->alert_received, 70);
    CHECK_EQ_STR(mqtls_tls_alert_name(e->alert_received), "protocol_version");
    CHECK_EQ_INT(e->alert_sent, -1);
    CHECK_EQ_INT(e->first_byte, 21); /* the alert is all the server sent */
    CHECK_EQ_INT(e->chain_len, 0);
    tf_client_free(&c);
}

TEST(tls13_settings)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    if (tf_tls13()) { /* 1.3 is there; only versions that do not exist are refused */
        cfg.min_version = MQTLS_TLS_V1_3;
        tf_client_t c;
        tf_client_init(&c, "ok-want13");
        CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_TLS13].port, T_MS), MQTLS_OK);
        CHECK_EQ_STR(tf_ev(&c)->version, "TLSv1.3");
        tf_client_free(&c);
        cfg.min_version = 11;
        setup_fails("fail-want11", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_SETTINGS, NULL);
        cfg.min_version = MQTLS_TLS_V1_3;
        cfg.max_version = MQTLS_TLS_V1_2;
        setup_fails("fail-13-12", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_SETTINGS, NULL);
        return;
    }
    cfg.max_version = MQTLS_TLS_V1_3;
    setup_fails("fail-want13", &cfg, MQTLS_ERR_UNSUPPORTED, MQTLS_TLS_ITEM_SETTINGS, "1.3");
    cfg.min_version = MQTLS_TLS_V1_3;
    setup_fails("fail-want13", &cfg, MQTLS_ERR_UNSUPPORTED, MQTLS_TLS_ITEM_SETTINGS, "1.3");
    cfg.max_version = 0; /* "the highest available", which is 1.2 here */
    setup_fails("fail-want13", &cfg, MQTLS_ERR_UNSUPPORTED, MQTLS_TLS_ITEM_SETTINGS, "1.3");
    cfg.min_version = 11;
    setup_fails("fail-want11", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_SETTINGS, NULL);
}

TEST(no_common_cipher_client_side)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ciphers = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"; /* an RSA server key; ours is EC */
    tf_client_t c;
    tf_client_init(&c, "fail-cipher");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_MAIN].port, T_MS);
    check_failed_handshake(&c, st, MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_INT(tf_ev(&c)->alert_received, 40);
    CHECK_EQ_STR(mqtls_tls_alert_name(tf_ev(&c)->alert_received), "handshake_failure");
    CHECK_EQ_INT(tf_ev(&c)->first_byte, 21);
    tf_client_free(&c);
}

TEST(no_common_cipher_server_side)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ciphers = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    tf_client_t c;
    tf_client_init(&c, "fail-cipher2");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_CIPHERS].port, T_MS);
    check_failed_handshake(&c, st, MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_INT(tf_ev(&c)->alert_received, 40);
    tf_client_free(&c);
    /* The one suite the listener allows does connect. */
    cfg.ciphers = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    tf_client_init(&c, "ok-cipher2");
    CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_CIPHERS].port, T_MS), MQTLS_OK);
    CHECK_EQ_STR(tf_ev(&c)->ciphersuite, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    tf_client_free(&c);
}

TEST(unknown_cipher_name)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ciphers = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_NO_SUCH_SUITE";
    setup_fails("fail-ciphername", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_SETTINGS,
                "TLS_NO_SUCH_SUITE");
    cfg.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:NO-SUCH-CIPHER"; /* OpenSSL's names */
    setup_fails("fail-ciphername", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_SETTINGS,
                tf_openssl() ? "NO-SUCH-CIPHER" : NULL);
    cfg.ciphers = "TLS_AES_128_GCM_SHA256:TLS_AES_999_GCM_SHA256";
    setup_fails("fail-ciphername", &cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_SETTINGS,
                "TLS_AES_999_GCM_SHA256");
}

/* ------------------------------------------------------------- wrong peer or protocol */

TEST(tls_to_plain_mqtt_port)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    tf_client_init(&c, "fail-tls-plain");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", broker.port, T_MS);
    /* mosquitto reads the ClientHello as a malformed MQTT packet and closes, silently. */
    check_failed_handshake(&c, st, MQTLS_ERR_CLOSED);
    CHECK_EQ_INT(tf_ev(&c)->bytes_received, 0);
    CHECK_EQ_INT(tf_ev(&c)->first_byte, -1);
    CHECK_EQ_INT(tf_ev(&c)->alert_received, -1);
    tf_client_free(&c);
}

TEST(plain_mqtt_to_tls_port)
{
    tf_client_t c;
    tf_client_init(&c, "fail-plain-tls");
    mqtls_status_t st = tf_connect_tcp(&c, "localhost", lis[L_MAIN].port, 2000);
    test_note("status %s after %u ms (end_status %s)", mqtls_strerror(st),
              (unsigned)c.elapsed_ms, mqtls_strerror(c.end_status));
    CHECK_STATUS(st, MQTLS_ERR_CLOSED);
    CHECK(c.elapsed_ms < 1500u);
    CHECK_EQ_INT(mqtls_state(&c.cli), MQTLS_STATE_DISCONNECTED);
    CHECK(!tf_broker_saw_client(&broker, c.id));
    tf_client_free(&c);
}

TEST(peer_closes_during_handshake)
{
    tf_raw_t raw;
    REQUIRE(tf_raw_start(&raw, TF_RAW_CLOSE_AFTER_HELLO) == 0);
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    tf_client_init(&c, "fail-raw-close");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", raw.port, T_MS);
    CHECK_EQ_INT(tf_raw_stop(&raw, 3000), 0);
    test_note("the server read %ld bytes, first %d", raw.bytes_read, raw.first_byte);
    CHECK_EQ_INT(raw.first_byte, 22); /* our ClientHello */
    CHECK(raw.bytes_read > 50);
    check_failed_handshake(&c, st, MQTLS_ERR_CLOSED);
    CHECK_EQ_INT(tf_ev(&c)->bytes_received, 0);
    CHECK_EQ_INT(tf_ev(&c)->first_byte, -1);
    CHECK_EQ_INT(tf_ev(&c)->alert_received, -1);
    tf_client_free(&c);
}

TEST(peer_never_answers)
{
    tf_raw_t raw;
    REQUIRE(tf_raw_start(&raw, TF_RAW_SILENT) == 0);
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.handshake_timeout_ms = 600;
    tf_client_t c;
    tf_client_init(&c, "fail-raw-silent");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", raw.port, 5000);
    tf_note_evidence(&c, st);
    CHECK_EQ_INT(tf_raw_stop(&raw, 3000), 0);
    test_note("the server read %ld bytes, first %d", raw.bytes_read, raw.first_byte);
    CHECK_EQ_INT(raw.first_byte, 22);
    CHECK_STATUS(st, MQTLS_ERR_TIMEOUT);
    /* Within the handshake timeout (plus scheduling slack), not the connect timeout. */
    CHECK(c.elapsed_ms >= 550u);
    if (!CHECK(c.elapsed_ms < 1500u))
        test_note("took %u ms with handshake_timeout_ms 600 and connect_timeout_ms 5000",
                  (unsigned)c.elapsed_ms);
    CHECK_STATUS(tf_ev(&c)->status, MQTLS_ERR_TIMEOUT);
    CHECK_EQ_INT(tf_ev(&c)->stage, MQTLS_TLS_STAGE_HANDSHAKE);
    CHECK_EQ_INT(tf_ev(&c)->bytes_received, 0);
    tf_client_free(&c);
}

/* The connect timeout of the session bounds a silent peer too (default handshake timeout). */
TEST(peer_never_answers_connect_timeout)
{
    tf_raw_t raw;
    REQUIRE(tf_raw_start(&raw, TF_RAW_SILENT) == 0);
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.handshake_timeout_ms = 0; /* 10 s */
    tf_client_t c;
    tf_client_init(&c, "fail-raw-silent2");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", raw.port, 700);
    tf_note_evidence(&c, st);
    (void)tf_raw_stop(&raw, 3000);
    CHECK_STATUS(st, MQTLS_ERR_TIMEOUT);
    CHECK(c.elapsed_ms >= 650u && c.elapsed_ms < 1500u);
    CHECK_EQ_INT(mqtls_tls_fd(&c.tls), -1);
    /* The attempt failed, and its record must not say otherwise. */
    CHECK_EQ_INT(tf_ev(&c)->stage, MQTLS_TLS_STAGE_HANDSHAKE);
    CHECK(tf_ev(&c)->status != MQTLS_OK);
    CHECK(tf_ev(&c)->detail[0] != '\0');
    tf_client_free(&c);
}

TEST(peer_answers_garbage)
{
    tf_raw_t raw;
    REQUIRE(tf_raw_start(&raw, TF_RAW_GARBAGE) == 0);
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    tf_client_init(&c, "fail-raw-http");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", raw.port, T_MS);
    (void)tf_raw_stop(&raw, 3000);
    check_failed_handshake(&c, st, MQTLS_ERR_TLS_HANDSHAKE);
    CHECK_EQ_INT(tf_ev(&c)->first_byte, 'H');
    CHECK(tf_ev(&c)->bytes_received > 0);
    tf_client_free(&c);
}

TEST(nothing_listening)
{
    uint16_t port = test_free_port();
    REQUIRE(port != 0);
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    tf_client_init(&c, "fail-refused");
    mqtls_status_t st = tf_connect(&c, &cfg, "127.0.0.1", port, T_MS);
    tf_note_evidence(&c, st);
    CHECK_STATUS(st, MQTLS_ERR_CONNECT_REFUSED);
    CHECK_EQ_INT(tf_ev(&c)->stage, MQTLS_TLS_STAGE_TCP);
    CHECK_EQ_INT(tf_ev(&c)->bytes_received, 0);
    CHECK(tf_ev(&c)->detail[0] != '\0');
    tf_client_free(&c);
}

int main(int argc, char **argv)
{
    if (!tf_main_start(argc, argv, setup, &broker))
        return test_main_end();
    RUN(untrusted_server_root);
    RUN(ca_directory_without_the_root);
    RUN(expired_server_certificate);
    RUN(future_server_certificate);
    RUN(hostname_mismatch);
    RUN(ip_not_in_certificate);
    RUN(insecure_connects_to_untrusted_server);
    RUN(no_client_certificate);
    RUN(client_certificate_from_another_ca);
    RUN(key_does_not_match_certificate);
    RUN(bad_certificate_files);
    RUN(bad_key_files);
    RUN(bad_ca_files);
    RUN(ca_bundle_partly_broken);
    RUN(no_ca_and_not_insecure);
    RUN(encrypted_key_traditional_pem);
    RUN(encrypted_key_openssl_pkey_aes256);
    RUN(encrypted_key_pkcs8_v2_aes256);
    RUN(encrypted_key_pkcs8_v2_des3);
    RUN(encrypted_key_from_memory);
    RUN(server_requires_tls13);
    RUN(tls13_settings);
    RUN(no_common_cipher_client_side);
    RUN(no_common_cipher_server_side);
    RUN(unknown_cipher_name);
    RUN(tls_to_plain_mqtt_port);
    RUN(plain_mqtt_to_tls_port);
    RUN(peer_closes_during_handshake);
    RUN(peer_never_answers);
    RUN(peer_never_answers_connect_timeout);
    RUN(peer_answers_garbage);
    RUN(nothing_listening);
    test_broker_stop(&broker);
    tf_end();
    return test_main_end();
}
