/**
 * @file test_tls.c
 * @brief The TLS transport against real mosquitto TLS listeners: connections that must
 *        succeed, and what their evidence shows.
 *
 * A PKI is made for this run (`mqtls pki`, and once entirely with the openssl command
 * line), one mosquitto is started with a TLS listener per server identity, and the real
 * client (mqtls_client_t on mqtls_tls_transport, mqtls_sync_connect) connects with PEM,
 * DER, in-memory, RSA and EC credentials, a multi-root bundle, a CA directory, an IP
 * literal and ALPN. Then QoS 1 goes through, and mqtls_tls_free is shown safe twice.
 * The failures are in test_tls_fail.c.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "test.h"
#include "tls_fixture.h"

#define T_MS 8000u /* a whole connection attempt may take at most this long */

enum { L_EC, L_RSA, L_OSSL, L_COUNT };

static test_broker_t broker;
static tf_listener_t lis[L_COUNT];
static bool ready;

/* Paths kept for the whole run (a context keeps the pointers of its settings). */
static char ca_crt[512], ca_der[512], dev_crt[512], dev_key[512], dev_der[512], dev_kder[512];
static char rsa_crt[512], rsa_key[512], other_ca[512], bundle[512], capath[512];
static char ossl_ca[512], ossl_cli_crt[512], ossl_cli_key[512];

/* ------------------------------------------------------------------------ setup */

/* Root -> intermediate -> server (SAN localhost, 127.0.0.1), and an RSA client, all made
 * by the openssl command line alone. */
static int openssl_pki(void)
{
    static const char server_ext[] = "basicConstraints=CA:FALSE\n"
                                     "keyUsage=critical,digitalSignature\n"
                                     "extendedKeyUsage=serverAuth\n"
                                     "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    static const char client_ext[] = "basicConstraints=CA:FALSE\n"
                                     "keyUsage=critical,digitalSignature,keyEncipherment\n"
                                     "extendedKeyUsage=clientAuth\n";
    static const char int_ext[] = "basicConstraints=critical,CA:TRUE,pathlen:0\n"
                                  "keyUsage=critical,keyCertSign,cRLSign\n"
                                  "subjectKeyIdentifier=hash\n"
                                  "authorityKeyIdentifier=keyid\n";
    if (tf_sh("mkdir -p ossl") != 0 ||
        tf_write_file(tf_path("ossl/server.ext"), server_ext, strlen(server_ext)) != 0 ||
        tf_write_file(tf_path("ossl/client.ext"), client_ext, strlen(client_ext)) != 0 ||
        tf_write_file(tf_path("ossl/int.ext"), int_ext, strlen(int_ext)) != 0)
        return -1;
    return tf_sh("cd ossl && "
                 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout root.key -out root.crt -days 30 "
                 "  -subj '/O=OpenSSL Test/CN=OpenSSL Root' "
                 "  -addext basicConstraints=critical,CA:TRUE "
                 "  -addext keyUsage=critical,keyCertSign,cRLSign && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes "
                 "  -keyout int.key -out int.csr "
                 "  -subj '/O=OpenSSL Test/CN=OpenSSL Intermediate' && "
                 "openssl x509 -req -in int.csr -CA root.crt -CAkey root.key -set_serial 2 "
                 "  -days 30 -sha256 -extfile int.ext -out int.crt && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout server.key -out server.csr -subj '/CN=localhost' && "
                 "openssl x509 -req -in server.csr -CA int.crt -CAkey int.key -set_serial 3 "
                 "  -days 30 -sha256 -extfile server.ext -out server.crt && "
                 "cat server.crt int.crt > server-chain.crt && "
                 "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
                 "  -subj '/CN=openssl-client' && "
                 "openssl x509 -req -in client.csr -CA root.crt -CAkey root.key -set_serial 4 "
                 "  -days 30 -sha256 -extfile client.ext -out client.crt && "
                 "openssl verify -CAfile root.crt -untrusted int.crt server.crt");
}

static int setup(void)
{
    if (tf_begin() != 0 || tf_pki_base() != 0)
        return -1;
    if (tf_pki("server ca --name localhost --ip 127.0.0.1 --rsa 2048 --out ca/server-rsa") != 0 ||
        tf_pki("device ca dev-rsa --rsa 2048") != 0 || openssl_pki() != 0)
        return -1;
    if (tf_sh("cat other/ca.crt ca/ca.crt > bundle.pem && mkdir capath && "
              "cp other/ca.crt capath/other.pem && cp ca/ca.crt capath/ours.pem && "
              "echo 'not a certificate' > capath/README") != 0)
        return -1;
    tf_keep(ca_crt, tf_path("ca/ca.crt"));
    tf_keep(ca_der, tf_path("ca/ca.der"));
    tf_keep(dev_crt, tf_path("ca/dev1/cert.crt"));
    tf_keep(dev_key, tf_path("ca/dev1/private.key"));
    tf_keep(dev_der, tf_path("ca/dev1/cert.der"));
    tf_keep(dev_kder, tf_path("ca/dev1/private.der"));
    tf_keep(rsa_crt, tf_path("ca/dev-rsa/cert.crt"));
    tf_keep(rsa_key, tf_path("ca/dev-rsa/private.key"));
    tf_keep(other_ca, tf_path("other/ca.crt"));
    tf_keep(bundle, tf_path("bundle.pem"));
    tf_keep(capath, tf_path("capath"));
    tf_keep(ossl_ca, tf_path("ossl/root.crt"));
    tf_keep(ossl_cli_crt, tf_path("ossl/client.crt"));
    tf_keep(ossl_cli_key, tf_path("ossl/client.key"));

    static char s_crt[512], s_key[512], r_crt[512], r_key[512], o_crt[512], o_key[512], o_ca[512];
    tf_keep(s_crt, tf_path("ca/server.crt"));
    tf_keep(s_key, tf_path("ca/server.key"));
    tf_keep(r_crt, tf_path("ca/server-rsa.crt"));
    tf_keep(r_key, tf_path("ca/server-rsa.key"));
    tf_keep(o_crt, tf_path("ossl/server-chain.crt"));
    tf_keep(o_key, tf_path("ossl/server.key"));
    tf_keep(o_ca, tf_path("ossl/root.crt"));
    lis[L_EC] = (tf_listener_t){.cafile = ca_crt, .certfile = s_crt, .keyfile = s_key,
                                .require_certificate = true};
    lis[L_RSA] = (tf_listener_t){.cafile = ca_crt, .certfile = r_crt, .keyfile = r_key,
                                 .require_certificate = true};
    lis[L_OSSL] = (tf_listener_t){.cafile = o_ca, .certfile = o_crt, .keyfile = o_key,
                                  .require_certificate = true};
    return tf_broker_start(&broker, lis, L_COUNT);
}

/* ---------------------------------------------------------------------- helpers */

static mqtls_tls_cfg_t pem_cfg(void)
{
    return tf_pem_cfg(ca_crt, dev_crt, dev_key);
}

/* What every good connection to a listener requiring client certificates shows. */
static void check_established(tf_client_t *c, mqtls_status_t st, const char *server_cn,
                              const char *root_cn, uint8_t chain_len)
{
    const mqtls_tls_evidence_t *e = tf_ev(c);
    char subj[200];
    tf_note_evidence(c, st);
    CHECK_STATUS(c->setup_status, MQTLS_OK);
    CHECK_STATUS(st, MQTLS_OK);
    CHECK_EQ_INT(mqtls_state(&c->cli), MQTLS_STATE_CONNECTED);
    CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_ESTABLISHED);
    CHECK_STATUS(e->status, MQTLS_OK);
    CHECK_EQ_INT(e->item, MQTLS_TLS_ITEM_NONE);
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, 0);
    CHECK_EQ_STR(e->version, "TLSv1.3"); /* mosquitto allows TLS 1.3, and so do both backends */
    CHECK(strncmp(e->ciphersuite, "TLS_", 4) == 0);
    CHECK(strchr(e->ciphersuite, '-') == NULL);
    CHECK_EQ_INT(e->alert_received, -1);
    CHECK_EQ_INT(e->alert_sent, -1);
    CHECK_EQ_INT(e->first_byte, 22); /* handshake record */
    CHECK(e->bytes_received > 100);
    CHECK(e->cert_requested);
    CHECK(e->cert_sent);
    CHECK(!e->insecure);
    CHECK_EQ_INT(e->chain_len, chain_len);
    snprintf(subj, sizeof subj, "CN=%s", server_cn);
    CHECK_EQ_STR(e->chain[0].subject, subj);
    if (e->chain_len >= 1 && e->chain_len <= MQTLS_TLS_CHAIN_MAX) {
        const mqtls_tls_cert_info_t *top = &e->chain[e->chain_len - 1];
        CHECK(strstr(top->subject, root_cn) != NULL);
        CHECK_EQ_STR(top->subject, top->issuer); /* self-signed root */
        for (unsigned i = 0; i < e->chain_len; i++) {
            CHECK_EQ_INT(e->chain[i].problems, 0);
            CHECK(e->chain[i].key[0] != '\0');
            CHECK(e->chain[i].sig_alg[0] != '\0');
            CHECK_EQ_INT(e->chain[i].is_ca, i > 0);
            CHECK_EQ_INT(strlen(e->chain[i].not_before), 19);
            CHECK_EQ_INT(strlen(e->chain[i].not_after), 19);
        }
    }
    CHECK(e->sent_len >= 1);
    if (e->sent && e->sent_len >= 1)
        CHECK_EQ_STR(e->sent[0].subject, subj);
    CHECK(tf_broker_saw_client(&broker, c->id));
}

/* The key exchange and server key a TLS 1.2 suite names ("ECDHE_ECDSA", "ECDHE_RSA"); a
 * TLS 1.3 suite names neither, so then the server's key in the evidence is checked. */
static void check_suite(const mqtls_tls_evidence_t *e, const char *suite_part)
{
    if (strcmp(e->version, "TLSv1.3") != 0) {
        CHECK(strstr(e->ciphersuite, suite_part) != NULL);
        return;
    }
    CHECK(strncmp(e->ciphersuite, "TLS_AES_", 8) == 0 ||
          strncmp(e->ciphersuite, "TLS_CHACHA20_", 13) == 0);
    const char *key = strstr(suite_part, "ECDSA") ? "EC P-" : "RSA ";
    if (e->chain && !CHECK(strncmp(e->chain[0].key, key, strlen(key)) == 0))
        test_note("server key '%s', expected '%s...'", e->chain[0].key, key);
}

static void connect_ok(const char *id, const mqtls_tls_cfg_t *cfg, const char *host,
                       int listener, const char *server_cn, const char *root_cn,
                       uint8_t chain_len, const char *suite_part)
{
    tf_client_t c;
    tf_client_init(&c, id);
    mqtls_status_t st = tf_connect(&c, cfg, host, lis[listener].port, T_MS);
    check_established(&c, st, server_cn, root_cn, chain_len);
    if (suite_part)
        check_suite(tf_ev(&c), suite_part);
    tf_client_free(&c);
}

/* Exactly @p len bytes on the heap (no NUL after them), so an overread is caught by ASan. */
static uint8_t *exact_copy(const char *path, size_t *len, bool strip_nul)
{
    size_t n;
    uint8_t *buf = tf_read_file(path, &n);
    if (!buf)
        return NULL;
    while (strip_nul && n > 0 && buf[n - 1] == '\0')
        n--;
    uint8_t *out = malloc(n ? n : 1);
    if (out)
        memcpy(out, buf, n);
    free(buf);
    *len = n;
    return out;
}

/* ------------------------------------------------------------------------ tests */

TEST(pem_credentials)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    connect_ok("tls-pem", &cfg, "localhost", L_EC, "localhost", "mqtls test CA", 2,
               "ECDHE_ECDSA");
}

TEST(der_credentials)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = ca_der;
    cfg.cert_file = dev_der;
    cfg.key_file = dev_kder;
    connect_ok("tls-der", &cfg, "localhost", L_EC, "localhost", "mqtls test CA", 2, NULL);
}

TEST(rsa_server_rsa_device)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.cert_file = rsa_crt;
    cfg.key_file = rsa_key;
    connect_ok("tls-rsa-rsa", &cfg, "localhost", L_RSA, "localhost", "mqtls test CA", 2,
               "ECDHE_RSA");
}

TEST(rsa_server_ec_device)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    connect_ok("tls-rsa-ec", &cfg, "localhost", L_RSA, "localhost", "mqtls test CA", 2,
               "ECDHE_RSA");
}

TEST(ec_server_rsa_device)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.cert_file = rsa_crt;
    cfg.key_file = rsa_key;
    connect_ok("tls-ec-rsa", &cfg, "localhost", L_EC, "localhost", "mqtls test CA", 2,
               "ECDHE_ECDSA");
}

TEST(multi_root_bundle)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = bundle; /* an unrelated root first, then ours */
    connect_ok("tls-bundle", &cfg, "localhost", L_EC, "localhost", "mqtls test CA", 2, NULL);
}

TEST(ca_directory)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = NULL;
    cfg.ca_path = capath; /* ours, an unrelated root, and a file that is no certificate */
    connect_ok("tls-capath", &cfg, "localhost", L_EC, "localhost", "mqtls test CA", 2, NULL);
}

TEST(memory_pem_without_nul)
{
    size_t ca_len = 0, crt_len = 0, key_len = 0;
    uint8_t *ca = exact_copy(ca_crt, &ca_len, true);
    uint8_t *crt = exact_copy(dev_crt, &crt_len, true);
    uint8_t *key = exact_copy(dev_key, &key_len, true);
    if (CHECK(ca && crt && key)) {
        CHECK(ca[ca_len - 1] != '\0' && crt[crt_len - 1] != '\0' && key[key_len - 1] != '\0');
        mqtls_tls_cfg_t cfg = {0};
        cfg.ca_mem = ca;
        cfg.ca_mem_len = ca_len;
        cfg.cert_mem = crt;
        cfg.cert_mem_len = crt_len;
        cfg.key_mem = key;
        cfg.key_mem_len = key_len;
        connect_ok("tls-mem-pem", &cfg, "localhost", L_EC, "localhost", "mqtls test CA", 2,
                   NULL);
    }
    free(ca);
    free(crt);
    free(key);
}

TEST(memory_der)
{
    size_t ca_len = 0, crt_len = 0, key_len = 0;
    uint8_t *ca = exact_copy(ca_der, &ca_len, false);
    uint8_t *crt = exact_copy(dev_der, &crt_len, false);
    uint8_t *key = exact_copy(dev_kder, &key_len, false);
    if (CHECK(ca && crt && key)) {
        CHECK_EQ_INT(ca[0], 0x30);
        CHECK_EQ_INT(key[0], 0x30);
        mqtls_tls_cfg_t cfg = {0};
        cfg.ca_mem = ca;
        cfg.ca_mem_len = ca_len;
        cfg.cert_mem = crt;
        cfg.cert_mem_len = crt_len;
        cfg.key_mem = key;
        cfg.key_mem_len = key_len;
        connect_ok("tls-mem-der", &cfg, "localhost", L_EC, "localhost", "mqtls test CA", 2,
                   NULL);
    }
    free(ca);
    free(crt);
    free(key);
}

/* A CA bundle (an unrelated root first) from memory, PEM without a trailing NUL. */
TEST(memory_ca_bundle)
{
    size_t len = 0;
    uint8_t *ca = exact_copy(bundle, &len, true);
    if (CHECK(ca != NULL)) {
        mqtls_tls_cfg_t cfg = pem_cfg();
        cfg.ca_file = NULL;
        cfg.ca_mem = ca;
        cfg.ca_mem_len = len;
        connect_ok("tls-mem-bundle", &cfg, "localhost", L_EC, "localhost", "mqtls test CA", 2,
                   NULL);
    }
    free(ca);
}

/* RFC 6066 max_fragment_length. OpenSSL 3 honours it, so with 4096 (2048 for Mbed TLS's
 * device configuration) every record of both sides is at most that and a payload larger
 * still goes through. With 512 the
 * server's Certificate message is split over records, which both libraries reassemble
 * (Mbed TLS since 3.6.4). The Mbed TLS backend keeps a context with a fragment length to
 * TLS 1.2 (its TLS 1.3 client refuses the server's echo of the extension). An invalid length
 * is refused by setup. */
TEST(max_fragment_length)
{
    tf_client_t pub, sub;
    mqtls_tls_cfg_t cfg = pem_cfg();
    /* Mbed TLS's device configuration sends records of 2 KB at most: 2048 is its largest. */
    cfg.max_fragment_len = tf_openssl() ? 4096 : 2048;
    if (!tf_openssl()) {
        mqtls_tls_cfg_t big = cfg;
        big.max_fragment_len = 4096;
        mqtls_tls_ctx_t *ctx = NULL;
        mqtls_tls_evidence_t ev;
        CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &big, &ev), MQTLS_ERR_BAD_PARAM);
        CHECK(strstr(ev.detail, "MBEDTLS_SSL_OUT_CONTENT_LEN") != NULL);
        mqtls_tls_ctx_free(ctx);
    }
    tf_client_init(&pub, "tls-mfl-pub");
    tf_client_init(&sub, "tls-mfl-sub");
    if (CHECK_STATUS(tf_connect(&pub, &cfg, "localhost", lis[L_EC].port, T_MS), MQTLS_OK) &&
        CHECK_STATUS(tf_connect(&sub, &cfg, "localhost", lis[L_RSA].port, T_MS), MQTLS_OK)) {
        static char big[10000];
        memset(big, 'm', sizeof big - 1);
        CHECK_STATUS(tf_roundtrip(&pub, &sub, "tls/mfl", big), MQTLS_OK);
    }
    tf_client_free(&pub);
    tf_client_free(&sub);

    tf_client_t c;
    cfg.max_fragment_len = 512;
    tf_client_init(&c, "tls-mfl-512");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_EC].port, T_MS);
    tf_note_evidence(&c, st);
    CHECK_STATUS(st, MQTLS_OK);
    CHECK(tf_broker_saw_client(&broker, c.id));
    if (!tf_openssl())
        CHECK_EQ_STR(tf_ev(&c)->version, "TLSv1.2");
    tf_client_free(&c);
}

/* Setup refuses a length RFC 6066 does not have, and says why. */
TEST(max_fragment_length_invalid)
{
    tf_client_t c;
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.max_fragment_len = 777;
    tf_client_init(&c, "tls-mfl-bad");
    CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_EC].port, T_MS), MQTLS_ERR_BAD_PARAM);
    CHECK_EQ_INT(tf_ev(&c)->item, MQTLS_TLS_ITEM_SETTINGS);
    CHECK_EQ_INT(tf_ev(&c)->stage, MQTLS_TLS_STAGE_CREDENTIALS);
    if (!CHECK(tf_ev(&c)->detail[0] != '\0'))
        test_note("no detail text for max_fragment_len 777");
    tf_client_free(&c);
}

TEST(ip_literal_with_ip_san)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    connect_ok("tls-ip", &cfg, "127.0.0.1", L_EC, "localhost", "mqtls test CA", 2, NULL);
}

/* Certificates made by openssl alone: root -> intermediate -> server; RSA PKCS#8 client. */
TEST(openssl_made_pki)
{
    mqtls_tls_cfg_t cfg = {0};
    cfg.ca_file = ossl_ca;
    cfg.cert_file = ossl_cli_crt;
    cfg.key_file = ossl_cli_key;
    connect_ok("tls-ossl", &cfg, "localhost", L_OSSL, "localhost", "CN=OpenSSL Root", 3,
               "ECDHE_ECDSA");
    connect_ok("tls-ossl-ip", &cfg, "127.0.0.1", L_OSSL, "localhost", "CN=OpenSSL Root", 3,
               NULL);

    /* The intermediate is in the middle of the chain the evidence shows. */
    tf_client_t c;
    tf_client_init(&c, "tls-ossl-chain");
    if (CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_OSSL].port, T_MS), MQTLS_OK)) {
        const mqtls_tls_evidence_t *e = tf_ev(&c);
        CHECK(strstr(e->chain[1].subject, "CN=OpenSSL Intermediate") != NULL);
        CHECK(strstr(e->chain[1].issuer, "CN=OpenSSL Root") != NULL);
        CHECK(strstr(e->chain[0].issuer, "CN=OpenSSL Intermediate") != NULL);
    }
    tf_client_free(&c);
}

/* The evidence's SHA-256 of the server certificate is the one openssl computes. */
TEST(chain_fingerprint_matches_openssl)
{
    tf_client_t c;
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_init(&c, "tls-fpr");
    REQUIRE(tf_sh("openssl x509 -in ca/server.crt -noout -fingerprint -sha256 > fpr.txt") == 0);
    size_t len;
    char *txt = (char *)tf_read_file(tf_path("fpr.txt"), &len);
    if (CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_EC].port, T_MS), MQTLS_OK) &&
        CHECK(txt != NULL)) {
        char hex[3 * 32 + 1] = "";
        for (int i = 0; i < 32; i++)
            snprintf(hex + 3 * i, 4, "%02X%s", tf_ev(&c)->chain[0].sha256[i], i < 31 ? ":" : "");
        char *eq = strchr(txt, '=');
        CHECK(eq != NULL && strncmp(eq + 1, hex, strlen(hex)) == 0);
        test_note("openssl %s", eq ? eq + 1 : txt);
    }
    free(txt);
    tf_client_free(&c);
}

/* mosquitto 2.0.11 has no ALPN setting: whatever it answers, the handshake stands and the
 * evidence reports what openssl s_client sees for the same offer. */
TEST(alpn_offered)
{
    static const char *const alpn[] = {"mqtt", "x-amzn-mqtt-ca", NULL};
    tf_client_t c;
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.alpn = alpn;
    tf_client_init(&c, "tls-alpn");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", lis[L_EC].port, T_MS);
    check_established(&c, st, "localhost", "mqtls test CA", 2);
    int rc = tf_sh("openssl s_client -connect 127.0.0.1:%u -servername localhost -tls1_2 "
                   "-alpn mqtt,x-amzn-mqtt-ca -CAfile %s -cert %s -key %s > alpn.txt 2>&1",
                   (unsigned)lis[L_EC].port, ca_crt, dev_crt, dev_key);
    size_t len;
    char *out = (char *)tf_read_file(tf_path("alpn.txt"), &len);
    CHECK_EQ_INT(rc, 0);
    if (CHECK(out != NULL)) {
        const char *p = strstr(out, "ALPN protocol: ");
        if (p) {
            char want[32];
            sscanf(p + strlen("ALPN protocol: "), "%31s", want);
            test_note("openssl s_client: ALPN protocol %s", want);
            CHECK_EQ_STR(tf_ev(&c)->alpn, want);
        } else {
            CHECK(strstr(out, "No ALPN negotiated") != NULL);
            test_note("openssl s_client: No ALPN negotiated");
            CHECK_EQ_STR(tf_ev(&c)->alpn, "");
        }
    }
    free(out);
    tf_client_free(&c);
}

TEST(qos1_roundtrip_over_tls)
{
    tf_client_t pub, sub;
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_init(&pub, "tls-pub");
    tf_client_init(&sub, "tls-sub");
    if (CHECK_STATUS(tf_connect(&sub, &cfg, "localhost", lis[L_EC].port, T_MS), MQTLS_OK) &&
        CHECK_STATUS(tf_connect(&pub, &cfg, "127.0.0.1", lis[L_EC].port, T_MS), MQTLS_OK)) {
        CHECK_STATUS(tf_roundtrip(&pub, &sub, "tls/rt", "hello over tls"), MQTLS_OK);
        CHECK_EQ_INT(sub.nmsgs, 1);
        CHECK_EQ_STR(sub.last_topic, "tls/rt");
        CHECK_EQ_STR(sub.last_payload, "hello over tls");
        CHECK_EQ_INT(sub.last_qos, 1);
        CHECK_EQ_INT(pub.npublish_done, 1);
        CHECK_EQ_INT(mqtls_inflight(&pub.cli), 0);
        /* A larger message, several TLS records' worth in one PUBLISH. */
        static char big[3000];
        memset(big, 'x', sizeof big - 1);
        CHECK_STATUS(tf_roundtrip(&pub, &sub, "tls/rt2", big), MQTLS_OK);
        CHECK_EQ_INT(strlen(sub.last_payload), sizeof sub.last_payload - 1); /* truncated copy */
        CHECK_STATUS(mqtls_disconnect(&pub.cli, 0, NULL), MQTLS_OK);
    }
    tf_client_free(&pub);
    tf_client_free(&sub);
}

/* Reconnecting the same context runs a fresh handshake with fresh evidence. */
TEST(reconnect_same_context)
{
    tf_client_t c;
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_init(&c, "tls-again");
    if (CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_EC].port, T_MS), MQTLS_OK)) {
        CHECK_STATUS(mqtls_disconnect(&c.cli, 0, NULL), MQTLS_OK);
        uint8_t reason = 0;
        c.opts.host = "127.0.0.1";
        CHECK_STATUS(mqtls_sync_connect(&c.cli, &c.opts, &reason), MQTLS_OK);
        CHECK_EQ_INT(tf_ev(&c)->stage, MQTLS_TLS_STAGE_ESTABLISHED);
        CHECK_EQ_INT(tf_ev(&c)->chain_len, 2);
        CHECK_EQ_INT(tf_ev(&c)->alert_sent, -1);
    }
    tf_client_free(&c);
}

TEST(tls_free_twice)
{
    mqtls_tls_t t;
    mqtls_tls_init(&t);
    mqtls_tls_free(&t); /* on an init'ed context */
    mqtls_tls_free(&t);
    mqtls_tls_free(NULL);

    tf_client_t c;
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_init(&c, "tls-free");
    CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_EC].port, T_MS), MQTLS_OK);
    mqtls_client_free(&c.cli);
    mqtls_tls_free(&c.tls);
    mqtls_tls_free(&c.tls);
    CHECK_EQ_INT(mqtls_tls_fd(&c.tls), -1);
    CHECK_EQ_INT(tf_ev(&c)->stage, MQTLS_TLS_STAGE_NONE);
    /* A freed context can be set up and used again. */
    mqtls_client_init(&c.cli, &c.cfg);
    CHECK_STATUS(tf_connect(&c, &cfg, "localhost", lis[L_EC].port, T_MS), MQTLS_OK);
    tf_client_free(&c);
    mqtls_tls_free(&c.tls);
}

int main(int argc, char **argv)
{
    ready = tf_main_start(argc, argv, setup, &broker);
    if (!ready)
        return test_main_end();
    RUN(pem_credentials);
    RUN(der_credentials);
    RUN(rsa_server_rsa_device);
    RUN(rsa_server_ec_device);
    RUN(ec_server_rsa_device);
    RUN(multi_root_bundle);
    RUN(ca_directory);
    RUN(memory_pem_without_nul);
    RUN(memory_der);
    RUN(memory_ca_bundle);
    RUN(max_fragment_length);
    RUN(max_fragment_length_invalid);
    RUN(ip_literal_with_ip_san);
    RUN(openssl_made_pki);
    RUN(chain_fingerprint_matches_openssl);
    RUN(alpn_offered);
    RUN(qos1_roundtrip_over_tls);
    RUN(reconnect_same_context);
    RUN(tls_free_twice);
    test_broker_stop(&broker);
    tf_end();
    return test_main_end();
}
