/**
 * @file test_tls_backend.c
 * @brief What the OpenSSL backend brought, against real mosquitto TLS listeners, with what
 *        each backend must do where they differ (checked per backend, never skipped):
 *        a TLS 1.3-only broker, encrypted PKCS#8 keys as OpenSSL 3 writes them, the
 *        system's trust store through SSL_CERT_FILE, OpenSSL and IANA cipher names, a key
 *        held in a softhsm2 token (PKCS#11) for mutual TLS, a missing intermediate, IP
 *        literals against iPAddress SANs, 200 connections sharing one context, and what
 *        a context remembers of the chains it verified.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "test.h"
#include "tls_fixture.h"

#define T_MS 8000u
#define MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define MANY 200

enum { L_MAIN, L_TLS13, L_C12, L_LEAF, L_IP_OTHER, L_SELF, L_EKU, L_NOT_CA, L_ED, L_COUNT };

static test_broker_t broker;
static tf_listener_t lis[L_COUNT];
static char ca_crt[512], other_ca[512], dev_crt[512], dev_key[512], ossl_root[512];
static char gen_crt[512], gen_key[512], p8_key[512], empty_dir[512], hsm_conf[512];

/* ------------------------------------------------------------------------ setup */

/* Root -> intermediate -> server by the openssl command line; the server will send its
 * own certificate only (a missing intermediate). */
static int leaf_only_pki(void)
{
    static const char int_ext[] = "basicConstraints=critical,CA:TRUE\n"
                                  "keyUsage=critical,keyCertSign,cRLSign\n";
    static const char srv_ext[] = "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                  "extendedKeyUsage=serverAuth\n";
    if (tf_sh("mkdir -p leaf") != 0 ||
        tf_write_file(tf_path("leaf/int.ext"), int_ext, strlen(int_ext)) != 0 ||
        tf_write_file(tf_path("leaf/srv.ext"), srv_ext, strlen(srv_ext)) != 0)
        return -1;
    return tf_sh("cd leaf && "
                 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout root.key -out root.crt -days 5 -subj '/CN=Leaf Test Root' "
                 "  -addext basicConstraints=critical,CA:TRUE && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout int.key -out int.csr -subj '/CN=Leaf Test Intermediate' && "
                 "openssl x509 -req -in int.csr -CA root.crt -CAkey root.key -set_serial 2 "
                 "  -days 5 -extfile int.ext -out int.crt && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout server.key -out server.csr -subj '/CN=localhost' && "
                 "openssl x509 -req -in server.csr -CA int.crt -CAkey int.key -set_serial 3 "
                 "  -days 5 -extfile srv.ext -out server.crt");
}

/* Server certificates with one fault each, by the openssl command line: self-signed;
 * signed by our CA for clientAuth only; issued by a certificate of our CA that is no CA. */
static int faulty_servers(void)
{
    static const char cli_ext[] = "subjectAltName=DNS:localhost\n"
                                  "extendedKeyUsage=clientAuth\n";
    static const char noca_ext[] = "basicConstraints=critical,CA:FALSE\n";
    static const char srv_ext[] = "subjectAltName=DNS:localhost\n";
    if (tf_sh("mkdir -p bad") != 0 ||
        tf_write_file(tf_path("bad/cli.ext"), cli_ext, strlen(cli_ext)) != 0 ||
        tf_write_file(tf_path("bad/noca.ext"), noca_ext, strlen(noca_ext)) != 0 ||
        tf_write_file(tf_path("bad/srv.ext"), srv_ext, strlen(srv_ext)) != 0)
        return -1;
    return tf_sh("cd bad && "
                 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout self.key -out self.crt -days 5 -subj /CN=localhost "
                 "  -addext subjectAltName=DNS:localhost && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout eku.key -out eku.csr -subj /CN=localhost && "
                 "openssl x509 -req -in eku.csr -CA ../ca/ca.crt -CAkey ../ca/ca.key "
                 "  -set_serial 11 -days 5 -extfile cli.ext -out eku.crt && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout noca.key -out noca.csr -subj '/CN=Not A CA' && "
                 "openssl x509 -req -in noca.csr -CA ../ca/ca.crt -CAkey ../ca/ca.key "
                 "  -set_serial 12 -days 5 -extfile noca.ext -out noca.crt && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout leaf.key -out leaf.csr -subj /CN=localhost && "
                 "openssl x509 -req -in leaf.csr -CA noca.crt -CAkey noca.key "
                 "  -set_serial 13 -days 5 -extfile srv.ext -out leaf.crt && "
                 "cat leaf.crt noca.crt > leaf-chain.crt && "
                 "openssl genpkey -algorithm ed25519 -out ed-srv.key && "
                 "openssl req -new -key ed-srv.key -subj /CN=localhost -out ed-srv.csr && "
                 "openssl x509 -req -in ed-srv.csr -CA ../ca/ca.crt -CAkey ../ca/ca.key "
                 "  -set_serial 14 -days 5 -extfile srv.ext -out ed-srv.crt && "
                 "openssl genpkey -algorithm ed25519 -out ed-cli.key && "
                 "openssl req -new -key ed-cli.key -subj /CN=ed-client -out ed-cli.csr && "
                 "openssl x509 -req -in ed-cli.csr -CA ../ca/ca.crt -CAkey ../ca/ca.key "
                 "  -set_serial 15 -days 5 -out ed-cli.crt");
}

/* Encrypted keys as OpenSSL 3 writes them: `genpkey -aes-256-cbc` (a new key, with a
 * certificate from our CA) and `pkcs8 -topk8 -v2 aes-128-cbc` (dev1's key). */
static int encrypted_keys(void)
{
    return tf_sh("mkdir -p enc && "
                 "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc "
                 "  -pass pass:secret -out enc/gen.key && "
                 "openssl req -new -key enc/gen.key -passin pass:secret -subj /CN=gen-dev "
                 "  -out enc/gen.csr && "
                 "openssl x509 -req -in enc/gen.csr -CA ca/ca.crt -CAkey ca/ca.key "
                 "  -set_serial 77 -days 5 -out enc/gen.crt && "
                 "openssl pkcs8 -topk8 -v2 aes-128-cbc -in ca/dev1/private.key "
                 "  -passout pass:secret -out enc/p8-aes128.key && "
                 "openssl pkcs8 -topk8 -v1 PBE-MD5-DES -provider legacy -provider default "
                 "  -in ca/dev1/private.key -passout pass:secret -out enc/p8-legacy.key");
}

/* A softhsm2 token of this run holding dev1's key (PIN 1234). */
static int token(void)
{
    tf_keep(hsm_conf, tf_path("hsm/softhsm2.conf"));
    char conf[700];
    snprintf(conf, sizeof conf, "directories.tokendir = %s/hsm/tokens\n"
                                "objectstore.backend = file\nlog.level = ERROR\n", tf_dir());
    if (tf_sh("mkdir -p hsm/tokens") != 0 || tf_write_file(hsm_conf, conf, strlen(conf)) != 0)
        return -1;
    setenv("SOFTHSM2_CONF", hsm_conf, 1);
    return tf_sh("openssl pkcs8 -topk8 -nocrypt -in ca/dev1/private.key -out hsm/dev1.p8 && "
                 "softhsm2-util --init-token --free --label mqtls-test --pin 1234 "
                 "  --so-pin 56781234 && "
                 "softhsm2-util --import hsm/dev1.p8 --token mqtls-test --label dev1 --id 01 "
                 "  --pin 1234");
}

static int setup(void)
{
    if (tf_begin() != 0 || tf_pki_base() != 0 || leaf_only_pki() != 0 ||
        encrypted_keys() != 0 || token() != 0 || faulty_servers() != 0 ||
        tf_pki("server ca --name localhost --ip 10.0.0.1 --out ca/ip-other") != 0 ||
        tf_sh("mkdir -p empty-dir") != 0)
        return -1;
    tf_keep(ca_crt, tf_path("ca/ca.crt"));
    tf_keep(other_ca, tf_path("other/ca.crt"));
    tf_keep(dev_crt, tf_path("ca/dev1/cert.crt"));
    tf_keep(dev_key, tf_path("ca/dev1/private.key"));
    tf_keep(ossl_root, tf_path("leaf/root.crt"));
    tf_keep(gen_crt, tf_path("enc/gen.crt"));
    tf_keep(gen_key, tf_path("enc/gen.key"));
    tf_keep(p8_key, tf_path("enc/p8-aes128.key"));
    tf_keep(empty_dir, tf_path("empty-dir"));
    static char crt[7][512], key[7][512];
    tf_keep(crt[0], tf_path("ca/server.crt"));
    tf_keep(key[0], tf_path("ca/server.key"));
    tf_keep(crt[1], tf_path("leaf/server.crt"));
    tf_keep(key[1], tf_path("leaf/server.key"));
    tf_keep(crt[2], tf_path("ca/ip-other.crt"));
    tf_keep(key[2], tf_path("ca/ip-other.key"));
    tf_keep(crt[3], tf_path("bad/self.crt"));
    tf_keep(key[3], tf_path("bad/self.key"));
    tf_keep(crt[4], tf_path("bad/eku.crt"));
    tf_keep(key[4], tf_path("bad/eku.key"));
    tf_keep(crt[5], tf_path("bad/leaf-chain.crt"));
    tf_keep(key[5], tf_path("bad/leaf.key"));
    tf_keep(crt[6], tf_path("bad/ed-srv.crt"));
    tf_keep(key[6], tf_path("bad/ed-srv.key"));
    for (int i = 0; i < L_COUNT; i++)
        lis[i] = (tf_listener_t){.cafile = ca_crt, .certfile = crt[0], .keyfile = key[0],
                                 .require_certificate = true};
    lis[L_TLS13].tls_version = "tlsv1.3";
    lis[L_C12].tls_version = "tlsv1.2";
    lis[L_C12].ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
    lis[L_LEAF].certfile = crt[1];
    lis[L_LEAF].keyfile = key[1];
    lis[L_IP_OTHER].certfile = crt[2];
    lis[L_IP_OTHER].keyfile = key[2];
    for (int i = 0; i < 4; i++) {
        lis[L_SELF + i].certfile = crt[3 + i];
        lis[L_SELF + i].keyfile = key[3 + i];
    }
    return tf_broker_start(&broker, lis, L_COUNT);
}

/* ---------------------------------------------------------------------- helpers */

static mqtls_tls_cfg_t pem_cfg(void)
{
    return tf_pem_cfg(ca_crt, dev_crt, dev_key);
}

/* One attempt: its status, the evidence noted; the client is freed by the caller. */
static mqtls_status_t attempt(tf_client_t *c, const char *id, const mqtls_tls_cfg_t *cfg,
                              const char *host, int listener)
{
    tf_client_init(c, id);
    mqtls_status_t st = tf_connect(c, cfg, host, lis[listener].port, T_MS);
    tf_note_evidence(c, st);
    return st;
}

static void connects(const char *id, const mqtls_tls_cfg_t *cfg, int listener,
                     const char *version, const char *suite)
{
    tf_client_t c;
    mqtls_status_t st = attempt(&c, id, cfg, "localhost", listener);
    CHECK_STATUS(st, MQTLS_OK);
    if (version)
        CHECK_EQ_STR(tf_ev(&c)->version, version);
    if (suite)
        CHECK_EQ_STR(tf_ev(&c)->ciphersuite, suite);
    CHECK(tf_broker_saw_client(&broker, id));
    tf_client_free(&c);
}

/* Context creation refuses @p cfg: status, item, what is wrong, and (if given) words. */
static void refused(const mqtls_tls_cfg_t *cfg, mqtls_status_t want, mqtls_tls_item_t item,
                    mqtls_tls_cred_problem_t problem, const char *words)
{
    mqtls_tls_ctx_t *ctx = NULL;
    mqtls_tls_evidence_t ev;
    mqtls_status_t st = mqtls_tls_ctx_new(&ctx, cfg, &ev);
    test_note("%s: item %d, cred_problem %d, detail: %s", mqtls_strerror(st), (int)ev.item,
              (int)ev.cred_problem, ev.detail);
    CHECK_STATUS(st, want);
    CHECK_STATUS(ev.status, want);
    CHECK(ctx == NULL);
    CHECK_EQ_INT(ev.stage, MQTLS_TLS_STAGE_CREDENTIALS);
    CHECK_EQ_INT(ev.item, item);
    CHECK_EQ_INT(ev.cred_problem, problem);
    CHECK(ev.detail[0] != '\0');
    if (words && !CHECK(strstr(ev.detail, words) != NULL))
        test_note("expected '%s' in the detail", words);
    mqtls_tls_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ tests */

TEST(tls13_only_broker)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    mqtls_status_t st = attempt(&c, "b-tls13", &cfg, "localhost", L_TLS13);
    if (tf_tls13()) {
        CHECK_STATUS(st, MQTLS_OK);
        CHECK_EQ_STR(tf_ev(&c)->version, "TLSv1.3");
        CHECK(strncmp(tf_ev(&c)->ciphersuite, "TLS_AES_", 8) == 0 ||
              strncmp(tf_ev(&c)->ciphersuite, "TLS_CHACHA20_", 13) == 0);
        CHECK(tf_ev(&c)->cert_requested && tf_ev(&c)->cert_sent);
    } else {
        CHECK_STATUS(st, MQTLS_ERR_TLS_ALERT); /* a backend without TLS 1.3 */
    }
    tf_client_free(&c);
    /* Kept to TLS 1.2, the broker refuses with protocol_version, in the clear. */
    cfg.max_version = MQTLS_TLS_V1_2;
    st = attempt(&c, "b-tls13-12", &cfg, "localhost", L_TLS13);
    CHECK_STATUS(st, MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_INT(tf_ev(&c)->stage, MQTLS_TLS_STAGE_HANDSHAKE);
    CHECK_EQ_INT(tf_ev(&c)->alert_received, 70);
    CHECK_EQ_STR(mqtls_tls_alert_name(tf_ev(&c)->alert_received), "protocol_version");
    CHECK_EQ_INT(tf_ev(&c)->first_byte, 21);
    CHECK(!tf_broker_saw_client(&broker, "b-tls13-12"));
    tf_client_free(&c);
}

/* A broker that speaks TLS 1.2 only: a second mosquitto, capped by OpenSSL's configuration
 * (mosquitto's tls_version is a minimum). Both backends agree TLS 1.2 with an AES-GCM suite;
 * asked for TLS 1.3 only, the client meets protocol_version, in the clear. */
TEST(tls12_only_broker)
{
    const char *conf = tf_path("tls12.cnf");
    FILE *f = fopen(conf, "w");
    REQUIRE(f != NULL);
    fputs("openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
          "[sys]\nMaxProtocol = TLSv1.2\n", f);
    fclose(f);
    test_broker_t b12;
    tf_listener_t l = lis[L_MAIN];
    setenv("OPENSSL_CONF", conf, 1); /* for the broker's process only */
    int started = tf_broker_start(&b12, &l, 1);
    unsetenv("OPENSSL_CONF");
    REQUIRE(started == 0);
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    tf_client_init(&c, "b-tls12");
    mqtls_status_t st = tf_connect(&c, &cfg, "localhost", l.port, T_MS);
    tf_note_evidence(&c, st);
    CHECK_STATUS(st, MQTLS_OK);
    CHECK_EQ_STR(tf_ev(&c)->version, "TLSv1.2");
    CHECK(strstr(tf_ev(&c)->ciphersuite, "_WITH_AES_") && strstr(tf_ev(&c)->ciphersuite, "GCM"));
    CHECK(tf_ev(&c)->cert_requested && tf_ev(&c)->cert_sent);
    tf_client_free(&c);
    cfg.min_version = MQTLS_TLS_V1_3;
    tf_client_init(&c, "b-tls12-13");
    st = tf_connect(&c, &cfg, "localhost", l.port, T_MS);
    tf_note_evidence(&c, st);
    CHECK_STATUS(st, MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_INT(tf_ev(&c)->alert_received, 70);
    tf_client_free(&c);
    test_broker_stop(&b12);
}

/* One encrypted key: right passphrase connects, wrong and none are told apart. */
static void encrypted(const char *id, const char *crt, const char *key)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.cert_file = crt;
    cfg.key_file = key;
    cfg.key_pass = "secret";
    bool readable = tf_openssl(); /* Mbed TLS's device configuration has no PKCS#5 */
    if (readable)
        connects(id, &cfg, L_MAIN, NULL, NULL);
    else
        refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY,
                MQTLS_TLS_CRED_KEY_UNSUPPORTED, NULL);
    cfg.key_pass = "not-the-secret";
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY,
            readable ? MQTLS_TLS_CRED_PASS_WRONG : MQTLS_TLS_CRED_KEY_UNSUPPORTED, NULL);
    cfg.key_pass = NULL;
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_PASS_NEEDED,
            NULL);
}

/* Keys from memory are not NUL-terminated: the exact bytes on the heap (valgrind/ASan see
 * a read past them), a certificate given as the key, and garbage. */
TEST(key_from_memory_that_is_no_key)
{
    size_t len;
    uint8_t *pem = tf_read_file(dev_crt, &len);
    REQUIRE(pem != NULL);
    uint8_t *exact = malloc(len);
    REQUIRE(exact != NULL);
    memcpy(exact, pem, len);
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.key_file = NULL;
    cfg.key_mem = exact;
    cfg.key_mem_len = len;
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_EMPTY, NULL);
    memset(exact, 'k', len);
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_MALFORMED, NULL);
    free(exact);
    free(pem);
}

/* Files that cannot be read are told with the system's words, whatever the item. */
TEST(unreadable_credential_files)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = empty_dir;
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA, MQTLS_TLS_CRED_UNREADABLE,
            "Is a directory");
    cfg = pem_cfg();
    cfg.cert_file = tf_path("no-such.crt");
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CERT, MQTLS_TLS_CRED_UNREADABLE,
            "No such file");
    cfg = pem_cfg();
    cfg.ca_file = NULL;
    cfg.ca_path = tf_path("no-such-dir");
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA, MQTLS_TLS_CRED_UNREADABLE,
            "No such file");
    cfg.ca_path = empty_dir;
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CA, MQTLS_TLS_CRED_EMPTY,
            "no certificate found");
}

TEST(encrypted_pkcs8_genpkey_aes256)
{
    encrypted("b-genpkey", gen_crt, gen_key);
}

TEST(encrypted_pkcs8_topk8_aes128)
{
    encrypted("b-topk8", dev_crt, p8_key);
}

/* PBES1 with single DES needs OpenSSL's legacy provider, which a library does not load: the
 * right passphrase cannot open it, and that is told as an encryption not available, not as
 * a wrong passphrase. */
TEST(encrypted_pkcs8_legacy_des)
{
    static char legacy[512];
    tf_keep(legacy, tf_path("enc/p8-legacy.key"));
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.key_file = legacy;
    cfg.key_pass = "secret";
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_KEY_UNSUPPORTED,
            NULL);
    cfg.key_pass = NULL;
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_PASS_NEEDED,
            NULL);
}

/* The system's store is OpenSSL's default paths, which follow SSL_CERT_FILE/SSL_CERT_DIR. */
TEST(system_trust_store)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = NULL;
    cfg.use_os_ca = true;
    setenv("SSL_CERT_DIR", empty_dir, 1);
    setenv("SSL_CERT_FILE", ca_crt, 1);
    connects("b-os-ca", &cfg, L_MAIN, NULL, NULL);
    /* Pointed at another CA, the same server is untrusted. */
    setenv("SSL_CERT_FILE", other_ca, 1);
    tf_client_t c;
    mqtls_status_t st = attempt(&c, "b-os-other", &cfg, "localhost", L_MAIN);
    CHECK_STATUS(st, MQTLS_ERR_TLS_VERIFY);
    CHECK(tf_ev(&c)->verified);
    CHECK_EQ_INT(tf_ev(&c)->problems, MQTLS_TLS_BAD_UNTRUSTED);
    tf_client_free(&c);
    /* SSL_CERT_DIR with the CA as a plain file (no `openssl rehash` links). */
    REQUIRE(tf_sh("mkdir -p certdir && cp ca/ca.crt certdir/private-ca.pem") == 0);
    unsetenv("SSL_CERT_FILE");
    setenv("SSL_CERT_DIR", tf_path("certdir"), 1);
    connects("b-os-dir", &cfg, L_MAIN, NULL, NULL);
    setenv("SSL_CERT_DIR", empty_dir, 1);
    /* Not asked for, the system's store is not consulted. */
    setenv("SSL_CERT_FILE", ca_crt, 1);
    cfg.use_os_ca = false;
    cfg.ca_file = other_ca;
    CHECK_STATUS(attempt(&c, "b-os-unasked", &cfg, "localhost", L_MAIN), MQTLS_ERR_TLS_VERIFY);
    CHECK_EQ_INT(tf_ev(&c)->problems, MQTLS_TLS_BAD_UNTRUSTED);
    tf_client_free(&c);
    unsetenv("SSL_CERT_FILE");
    unsetenv("SSL_CERT_DIR");
}

/* A TLS 1.2 listener that allows one suite: by OpenSSL's name, its IANA name, a rule. */
TEST(cipher_names)
{
    static const char iana[] = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ciphers = iana;
    connects("b-c-iana", &cfg, L_C12, "TLSv1.2", iana);
    cfg.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
    if (tf_openssl())
        connects("b-c-ossl", &cfg, L_C12, "TLSv1.2", iana);
    else
        refused(&cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_SETTINGS, MQTLS_TLS_CRED_NONE, NULL);
    cfg.ciphers = "HIGH:!aNULL:!kRSA";
    if (tf_openssl())
        connects("b-c-rule", &cfg, L_C12, "TLSv1.2", iana);
    /* A suite the listener lacks fails at the handshake; an unknown name at once. */
    cfg.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305";
    tf_client_t c;
    if (tf_openssl()) {
        CHECK_STATUS(attempt(&c, "b-c-none", &cfg, "localhost", L_C12), MQTLS_ERR_TLS_ALERT);
        CHECK_EQ_INT(tf_ev(&c)->alert_received, 40);
        tf_client_free(&c);
    }
    cfg.ciphers = "NO-SUCH-CIPHER";
    refused(&cfg, MQTLS_ERR_BAD_PARAM, MQTLS_TLS_ITEM_SETTINGS, MQTLS_TLS_CRED_NONE,
            "NO-SUCH-CIPHER");
}

/* Mutual TLS with dev1's key inside a softhsm2 token: the key file is a pkcs11: URI. */
TEST(pkcs11_key_in_softhsm)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.key_file = "pkcs11:token=mqtls-test;object=dev1;type=private";
    cfg.pkcs11_module = MODULE;
    cfg.key_pass = "1234";
    if (!tf_openssl()) {
        refused(&cfg, MQTLS_ERR_UNSUPPORTED, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_KEY_UNSUPPORTED,
                NULL);
        return;
    }
    /* Without the engine (OpenSSL looks for it in $OPENSSL_ENGINES): the package to install
     * is named. First, before the engine is loaded into this process for good. */
    setenv("OPENSSL_ENGINES", empty_dir, 1);
    refused(&cfg, MQTLS_ERR_UNSUPPORTED, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_KEY_UNSUPPORTED,
            "libengine-pkcs11-openssl");
    unsetenv("OPENSSL_ENGINES");
    /* A wrong PIN first: PKCS#11 keeps a token logged in for the whole process once a
     * login succeeded, so later wrong PINs are not even tried. */
    cfg.key_pass = "9999";
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_TOKEN, NULL);
    cfg.key_pass = NULL;
    cfg.key_file = "pkcs11:token=mqtls-test;object=dev1;type=private?pin-value=4321";
    mqtls_tls_ctx_t *ctx = NULL;
    mqtls_tls_evidence_t ev;
    CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, &ev), MQTLS_ERR_TLS_CREDENTIALS);
    CHECK_EQ_INT(ev.cred_problem, MQTLS_TLS_CRED_TOKEN);
    test_note("detail: %s", ev.detail);
    CHECK(strstr(ev.detail, "4321") == NULL);
    mqtls_tls_ctx_free(ctx);
    cfg.key_file = "pkcs11:token=mqtls-test;object=dev1;type=private";
    cfg.key_pass = "1234";
    tf_client_t c;
    CHECK_STATUS(attempt(&c, "b-p11", &cfg, "localhost", L_MAIN), MQTLS_OK);
    CHECK(tf_ev(&c)->cert_sent);
    CHECK(tf_broker_saw_client(&broker, "b-p11"));
    tf_client_free(&c);
    /* The PIN in the URI instead; it must not show in any detail. */
    cfg.key_pass = NULL;
    cfg.key_file = "pkcs11:token=mqtls-test;object=dev1;type=private?pin-value=1234";
    connects("b-p11-uri-pin", &cfg, L_MAIN, NULL, NULL);
    cfg.key_pass = "1234";
    cfg.key_file = "pkcs11:token=mqtls-test;object=no-such-key;type=private";
    refused(&cfg, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_TOKEN,
            "no-such-key");
}

/* The server sends its own certificate only, and ours trusts the root only. */
TEST(missing_intermediate)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.ca_file = ossl_root;
    tf_client_t c;
    mqtls_status_t st = attempt(&c, "b-leaf", &cfg, "localhost", L_LEAF);
    const mqtls_tls_evidence_t *e = tf_ev(&c);
    CHECK_STATUS(st, MQTLS_ERR_TLS_VERIFY);
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, MQTLS_TLS_BAD_NO_ISSUER);
    CHECK_EQ_INT(e->sent_len, 1);
    CHECK_EQ_INT(e->chain_len, 1);
    if (e->chain) {
        CHECK_EQ_STR(e->chain[0].subject, "CN=localhost");
        CHECK_EQ_STR(e->chain[0].issuer, "CN=Leaf Test Intermediate");
        CHECK_EQ_INT(e->chain[0].problems, MQTLS_TLS_BAD_NO_ISSUER);
    }
    CHECK(!tf_broker_saw_client(&broker, "b-leaf"));
    tf_client_free(&c);
}

/* One fault of the server's chain: the problem on the certificate it belongs to. OpenSSL
 * builds the chain to the root past a fault; Mbed TLS 2.28 stops at an issuer that is no CA
 * (so the fault shows on the certificate it issued) and refuses a server certificate for
 * clients while reading it (a handshake failure, with the problem in the evidence). */
static void one_fault(const char *id, int listener, uint32_t problem, unsigned at,
                      uint8_t chain_len)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    mqtls_status_t st = attempt(&c, id, &cfg, "localhost", listener);
    const mqtls_tls_evidence_t *e = tf_ev(&c);
    if (tf_openssl() || problem != MQTLS_TLS_BAD_EXT_KEY_USAGE)
        CHECK_STATUS(st, MQTLS_ERR_TLS_VERIFY);
    else
        CHECK(st == MQTLS_ERR_TLS_VERIFY || st == MQTLS_ERR_TLS_HANDSHAKE);
    CHECK(e->verified);
    CHECK_EQ_INT(e->problems, problem);
    uint32_t seen = 0;
    for (unsigned i = 0; e->chain && i < e->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        seen |= e->chain[i].problems;
    CHECK_EQ_INT(seen, problem);
    if (tf_openssl()) {
        CHECK_EQ_INT(e->chain_len, chain_len);
        if (e->chain && at < e->chain_len)
            CHECK_EQ_INT(e->chain[at].problems, problem);
    }
    CHECK(mqtls_tls_problem_words(problem) != NULL);
    CHECK(!tf_broker_saw_client(&broker, id));
    tf_client_free(&c);
}

TEST(self_signed_server)
{
    one_fault("b-self", L_SELF, MQTLS_TLS_BAD_SELF_SIGNED, 0, 1);
}

TEST(server_certificate_for_clients_only)
{
    one_fault("b-eku", L_EKU, MQTLS_TLS_BAD_EXT_KEY_USAGE, 0, 2);
}

TEST(issuer_that_is_not_a_ca)
{
    one_fault("b-noca", L_NOT_CA, MQTLS_TLS_BAD_NOT_CA, 1, 3);
}

/* Ed25519 keys on both sides (TLS 1.3), told as such in the evidence. */
TEST(ed25519_keys)
{
    static char crt[512], key[512];
    tf_keep(crt, tf_path("bad/ed-cli.crt"));
    tf_keep(key, tf_path("bad/ed-cli.key"));
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.cert_file = crt;
    cfg.key_file = key;
    tf_client_t c;
    mqtls_status_t st = attempt(&c, "b-ed", &cfg, "localhost", L_ED);
    if (tf_openssl()) {
        CHECK_STATUS(st, MQTLS_OK);
        if (CHECK(tf_ev(&c)->chain != NULL)) {
            CHECK_EQ_STR(tf_ev(&c)->chain[0].key, "Ed25519");
            CHECK_EQ_STR(tf_ev(&c)->chain[0].sig_alg, "ecdsa-with-SHA256");
            CHECK_EQ_STR(tf_ev(&c)->chain[1].key, "EC P-256");
        }
        CHECK(tf_ev(&c)->cert_sent);
    } else { /* Mbed TLS 2.28 has no Ed25519 */
        CHECK(st != MQTLS_OK);
    }
    tf_client_free(&c);
}

/* An IP literal is checked against the iPAddress SANs, and SNI is not sent for it. */
TEST(ip_literal_against_ip_san)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    tf_client_t c;
    CHECK_STATUS(attempt(&c, "b-ip-ok", &cfg, "127.0.0.1", L_MAIN), MQTLS_OK);
    if (tf_ev(&c)->chain)
        CHECK(strstr(tf_ev(&c)->chain[0].names, "IP:127.0.0.1") != NULL);
    tf_client_free(&c);
    mqtls_status_t st = attempt(&c, "b-ip-other", &cfg, "127.0.0.1", L_IP_OTHER);
    CHECK_STATUS(st, MQTLS_ERR_TLS_VERIFY);
    CHECK_EQ_INT(tf_ev(&c)->problems, MQTLS_TLS_BAD_NAME);
    if (tf_ev(&c)->chain) {
        CHECK_EQ_STR(tf_ev(&c)->chain[0].names, "DNS:localhost, IP:10.0.0.1");
        CHECK_EQ_INT(tf_ev(&c)->chain[0].problems, MQTLS_TLS_BAD_NAME);
    }
    tf_client_free(&c);
    /* By its name the same certificate is fine. */
    connects("b-ip-name", &cfg, L_IP_OTHER, NULL, NULL);
}

/* ---------------------------------------- a TLS 1.3 server that sends no session ticket */

/* openssl s_server on a free port: TLS 1.3 only, a client certificate required, no
 * tickets (so it says nothing after our Finished when it accepts us). */
static uint16_t start_s_server(void)
{
    uint16_t port = test_free_port();
    if (port == 0 ||
        tf_sh("(openssl s_server -accept 127.0.0.1:%u -tls1_3 -num_tickets 0 -Verify 1 "
              " -CAfile ca/ca.crt -cert ca/server.crt -key ca/server.key -www -naccept 4 "
              " > s_server.log 2>&1 < /dev/null & echo $! > s_server.pid)",
              (unsigned)port) != 0)
        return 0;
    for (int i = 0; i < 50; i++) { /* until it listens */
        if (tf_sh("grep -q ACCEPT s_server.log") == 0)
            return port;
        usleep(100 * 1000);
    }
    return 0;
}

/* The TLS transport alone (no MQTT): connect, waiting on the socket between steps. */
static mqtls_status_t tls_only(mqtls_tls_t *t, const mqtls_tls_cfg_t *cfg, uint16_t port,
                               uint32_t *ms)
{
    mqtls_tls_init(t);
    mqtls_status_t st = mqtls_tls_setup(t, cfg);
    uint64_t t0 = tf_now_ms();
    if (st == MQTLS_OK)
        while ((st = mqtls_tls_transport.connect(t, "localhost", port)) == MQTLS_IN_PROGRESS &&
               tf_now_ms() - t0 < 8000)
            (void)mqtls_tls_transport.wait(t, 0, 5000);
    *ms = (uint32_t)(tf_now_ms() - t0);
    test_note("%s after %u ms; version %s, alert_received %d, detail %s", mqtls_strerror(st),
              (unsigned)*ms, t->ev.version, t->ev.alert_received, t->ev.detail);
    return st;
}

TEST(tls13_server_without_tickets)
{
    if (!tf_tls13()) {
        test_note("no TLS 1.3 in this backend; covered by tls13_only_broker");
        CHECK(mqtls_tls_max_version() == MQTLS_TLS_V1_2);
        return;
    }
    uint16_t port = start_s_server();
    REQUIRE(port != 0);
    mqtls_tls_cfg_t cfg = pem_cfg();
    mqtls_tls_t t;
    uint32_t ms = 0;
    /* Accepted in silence: the handshake ends after the grace, not the 5 s wait. */
    CHECK_STATUS(tls_only(&t, &cfg, port, &ms), MQTLS_OK);
    CHECK_EQ_STR(t.ev.version, "TLSv1.3");
    CHECK(t.ev.cert_requested && t.ev.cert_sent);
    CHECK(ms < 1500u);
    mqtls_tls_free(&t);
    /* Refused: the alert comes within the grace, and the handshake fails with it. */
    cfg.cert_file = cfg.key_file = NULL;
    CHECK_STATUS(tls_only(&t, &cfg, port, &ms), MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_INT(t.ev.alert_received, 116);
    CHECK_EQ_INT(t.ev.stage, MQTLS_TLS_STAGE_HANDSHAKE);
    mqtls_tls_free(&t);
    (void)tf_sh("kill $(cat s_server.pid) 2>/dev/null");
}

/* ---------------------------------------------------- many connections, one context */

/* A small client: what an idle connection of a fleet holds, and no more. */
typedef struct small {
    mqtls_client_t cli;
    mqtls_tls_t tls;
    mqtls_client_cfg_t cfg;
    mqtls_connect_opts_t opts;
    char id[24];
    char topic[24];
    uint8_t rx[512];
    uint8_t tx[256];
    unsigned got;
} small_t;

static void small_event(mqtls_client_t *cli, const mqtls_event_t *ev, void *user)
{
    (void)cli;
    small_t *s = user;
    if (ev->type == MQTLS_EV_MESSAGE && ev->message->topic.len == strlen(s->topic) &&
        memcmp(ev->message->topic.data, s->topic, strlen(s->topic)) == 0)
        s->got++;
}

static mqtls_status_t small_connect_to(small_t *s, unsigned i, mqtls_tls_ctx_t *ctx,
                                       const char *host, int listener)
{
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "b-many-%u", i);
    snprintf(s->topic, sizeof s->topic, "many/%u", i);
    mqtls_tls_init(&s->tls);
    mqtls_status_t st = mqtls_tls_setup_ctx(&s->tls, ctx);
    if (st != MQTLS_OK)
        return st;
    s->cfg.transport = &mqtls_tls_transport;
    s->cfg.transport_ctx = &s->tls;
    s->cfg.platform = &mqtls_platform_posix;
    s->cfg.rx_buf = s->rx;
    s->cfg.rx_size = sizeof s->rx;
    s->cfg.tx_buf = s->tx;
    s->cfg.tx_size = sizeof s->tx;
    s->cfg.on_event = small_event;
    s->cfg.user = s;
    mqtls_client_init(&s->cli, &s->cfg);
    s->opts.connect.version = MQTLS_V311;
    s->opts.connect.clean_start = true;
    s->opts.connect.keep_alive = 60;
    s->opts.connect.client_id = mqtls_str(s->id);
    s->opts.host = host;
    s->opts.port = lis[listener].port;
    s->opts.connect_timeout_ms = T_MS;
    uint8_t reason = 0;
    return mqtls_sync_connect(&s->cli, &s->opts, &reason);
}

static mqtls_status_t small_connect(small_t *s, unsigned i, mqtls_tls_ctx_t *ctx)
{
    return small_connect_to(s, i, ctx, "localhost", L_MAIN);
}

static void small_close(small_t *s)
{
    (void)mqtls_disconnect(&s->cli, 0, NULL);
    mqtls_client_free(&s->cli);
    mqtls_tls_free(&s->tls);
}

/* Publishes to its own topic (QoS 0) and waits until the broker sends it back. */
static mqtls_status_t small_echo(small_t *s)
{
    mqtls_subscription_t sub = {mqtls_str(s->topic), 0};
    uint8_t code = 0xFF;
    mqtls_status_t st = mqtls_sync_subscribe(&s->cli, &sub, 1, NULL, &code, T_MS);
    if (st != MQTLS_OK || code != 0)
        return st != MQTLS_OK ? st : MQTLS_ERR_REFUSED;
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(s->topic);
    p.payload = (const uint8_t *)s->id;
    p.payload_len = (uint32_t)strlen(s->id);
    if ((st = mqtls_sync_publish(&s->cli, &p, T_MS)) != MQTLS_OK)
        return st;
    uint64_t end = tf_now_ms() + T_MS;
    while (s->got == 0 && tf_now_ms() < end)
        if ((st = mqtls_sync_run(&s->cli, 50)) != MQTLS_OK && st != MQTLS_ERR_TIMEOUT)
            return st;
    return s->got ? MQTLS_OK : MQTLS_ERR_TIMEOUT;
}

static long rss_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    if (f)
        fclose(f);
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

TEST(many_connections_one_context)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    mqtls_tls_ctx_t *ctx = NULL;
    mqtls_tls_evidence_t ev;
    REQUIRE(mqtls_tls_ctx_new(&ctx, &cfg, &ev) == MQTLS_OK);
    small_t *s = calloc(MANY, sizeof *s);
    REQUIRE(s != NULL);
    long rss0 = rss_kib();
    clock_t cpu0 = clock();
    unsigned connected = 0;
    for (unsigned i = 0; i < MANY; i++) {
        mqtls_status_t st = small_connect(&s[i], i, ctx);
        if (!CHECK_STATUS(st, MQTLS_OK)) {
            test_note("connection %u: %s", i, mqtls_tls_evidence(&s[i].tls)->detail);
            break;
        }
        connected++;
    }
    double cpu_ms = (double)(clock() - cpu0) * 1000.0 / CLOCKS_PER_SEC;
    long rss1 = rss_kib();
    CHECK_EQ_INT(connected, MANY);
    /* Their creator lets go of the context: the connections keep it alive. */
    mqtls_tls_ctx_free(ctx);
    test_note("%u mutual-TLS connections on one context: RSS +%ld KiB (%.1f KiB each, the "
              "client's own %zu-byte struct included); CPU %.2f ms per connect (client side)",
              connected, rss1 - rss0, connected ? (double)(rss1 - rss0) / connected : 0.0,
              sizeof(small_t), connected ? cpu_ms / connected : 0.0);
    unsigned echoed = 0;
    for (unsigned i = 0; i < connected; i++)
        echoed += small_echo(&s[i]) == MQTLS_OK;
    CHECK_EQ_INT(echoed, connected);
    for (unsigned i = 0; i < connected; i++) {
        CHECK_EQ_STR(mqtls_tls_evidence(&s[i].tls)->version, tf_tls13() ? "TLSv1.3" : "TLSv1.2");
        small_close(&s[i]); /* the last one frees the context */
    }
    free(s);
}

/* A context remembers the chains it verified without a problem (OpenSSL: vcache.c) and does
 * not verify them again: what a reconnect is told must not change, the name verified is part
 * of what is remembered, and a chain with a problem is refused every time. */
static bool same_chains(const mqtls_tls_evidence_t *a, const mqtls_tls_evidence_t *b)
{
    bool same = a->chain && b->chain && a->sent && b->sent && a->chain_len == b->chain_len &&
                a->sent_len == b->sent_len && a->chain_len > 0;
    for (unsigned i = 0; same && i < a->chain_len; i++)
        same = memcmp(&a->chain[i], &b->chain[i], sizeof a->chain[i]) == 0;
    for (unsigned i = 0; same && i < a->sent_len; i++)
        same = memcmp(&a->sent[i], &b->sent[i], sizeof a->sent[i]) == 0;
    return same;
}

TEST(verified_chains_remembered)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.keep_chain = true;
    mqtls_tls_ctx_t *ctx = NULL;
    mqtls_tls_evidence_t ev;
    REQUIRE(mqtls_tls_ctx_new(&ctx, &cfg, &ev) == MQTLS_OK);
    static small_t a, b;
    /* The same broker twice, by its name: the same chains told, both verified. */
    CHECK_STATUS(small_connect_to(&a, 950, ctx, "localhost", L_IP_OTHER), MQTLS_OK);
    CHECK_STATUS(small_connect_to(&b, 951, ctx, "localhost", L_IP_OTHER), MQTLS_OK);
    const mqtls_tls_evidence_t *ea = mqtls_tls_evidence(&a.tls), *eb = mqtls_tls_evidence(&b.tls);
    CHECK(ea->verified && eb->verified && ea->problems == 0 && eb->problems == 0);
    CHECK(same_chains(ea, eb));
    CHECK_STATUS(small_echo(&b), MQTLS_OK);
    small_close(&a);
    small_close(&b);
    /* The same chain for an address it does not name: refused, after one that passed. */
    for (unsigned k = 0; k < 2; k++) {
        CHECK_STATUS(small_connect_to(&a, 952 + k, ctx, "127.0.0.1", L_IP_OTHER),
                     MQTLS_ERR_TLS_VERIFY);
        CHECK_EQ_INT(mqtls_tls_evidence(&a.tls)->problems, MQTLS_TLS_BAD_NAME);
        small_close(&a);
    }
    /* A chain with a problem, twice: refused twice, told alike. */
    for (unsigned k = 0; k < 2; k++) {
        CHECK_STATUS(small_connect_to(&a, 954 + k, ctx, "localhost", L_SELF),
                     MQTLS_ERR_TLS_VERIFY);
        CHECK_EQ_INT(mqtls_tls_evidence(&a.tls)->problems, MQTLS_TLS_BAD_SELF_SIGNED);
        small_close(&a);
    }
    /* And the broker's own name still passes. */
    CHECK_STATUS(small_connect_to(&a, 956, ctx, "localhost", L_IP_OTHER), MQTLS_OK);
    CHECK(mqtls_tls_evidence(&a.tls)->problems == 0);
    small_close(&a);
    mqtls_tls_ctx_free(ctx);
}

/* resume_sessions: the second and later connections of a context to the same broker resume
 * the session (OpenSSL), skip the certificates, and still work as MQTT connections with the
 * broker's mutual TLS; without it, or with Mbed TLS, every handshake is full. */
static unsigned resumed_of(bool resume, unsigned n)
{
    mqtls_tls_cfg_t cfg = pem_cfg();
    cfg.resume_sessions = resume;
    mqtls_tls_ctx_t *ctx = NULL;
    mqtls_tls_evidence_t ev;
    if (!CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, &ev), MQTLS_OK))
        return 0;
    unsigned resumed = 0;
    for (unsigned i = 0; i < n; i++) {
        small_t s;
        mqtls_status_t st = small_connect(&s, 900 + i, ctx);
        CHECK_STATUS(st, MQTLS_OK);
        const mqtls_tls_evidence_t *e = mqtls_tls_evidence(&s.tls);
        if (e->resumed) {
            resumed++;
            CHECK(!e->verified); /* nothing to verify: the session was verified when made */
        } else {
            CHECK(e->verified && e->problems == 0);
        }
        if (st == MQTLS_OK)
            CHECK_STATUS(small_echo(&s), MQTLS_OK);
        small_close(&s);
    }
    mqtls_tls_ctx_free(ctx);
    return resumed;
}

TEST(session_resumption)
{
    unsigned with = resumed_of(true, 4), without = resumed_of(false, 2);
    CHECK_EQ_INT(without, 0);
    CHECK_EQ_INT(with, tf_openssl() ? 3 : 0); /* all but the first (OpenSSL backend) */
}

int main(int argc, char **argv)
{
    if (!tf_main_start(argc, argv, setup, &broker))
        return test_main_end();
    RUN(tls13_only_broker);
    RUN(tls12_only_broker);
    RUN(session_resumption);
    RUN(key_from_memory_that_is_no_key);
    RUN(unreadable_credential_files);
    RUN(encrypted_pkcs8_genpkey_aes256);
    RUN(encrypted_pkcs8_topk8_aes128);
    RUN(encrypted_pkcs8_legacy_des);
    RUN(system_trust_store);
    RUN(cipher_names);
    RUN(pkcs11_key_in_softhsm);
    RUN(missing_intermediate);
    RUN(ip_literal_against_ip_san);
    RUN(tls13_server_without_tickets);
    RUN(self_signed_server);
    RUN(ed25519_keys);
    RUN(server_certificate_for_clients_only);
    RUN(issuer_that_is_not_a_ca);
    RUN(many_connections_one_context);
    RUN(verified_chains_remembered);
    test_broker_stop(&broker);
    tf_end();
    return test_main_end();
}
