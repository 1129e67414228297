/**
 * @file test_tls_mbedtls.c
 * @brief What a TLS backend tells through the seam (transport_tls.h), against mosquitto's
 *        TLS listeners: verification outcomes in neutral terms (untrusted root, missing
 *        intermediate, self-signed), the chains as built and as sent and how each
 *        certificate is described; what is wrong with a credential (cred_problem); the
 *        system's trust store through SSL_CERT_FILE / SSL_CERT_DIR; IANA suite names; one
 *        context shared by many connections, reused across reconnects.
 *
 * The neutral expectations hold for either backend. Where the backends differ by design
 * (Mbed TLS in the device configuration decrypts no key, takes IANA suite names only, has no
 * PKCS#11), the Mbed TLS expectation is checked when Mbed TLS is linked.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker.h"
#include "test.h"
#include "tls_fixture.h"

#define T_MS 8000u

enum { L_MAIN, L_NO_ISSUER, L_SELF, L_TLS13, L_NOT_CA, L_PATH_LEN, L_RSA, L_BIG, L_COUNT };

static test_broker_t broker;
static tf_listener_t lis[L_COUNT];
static bool mbed; /* Mbed TLS is the linked backend */

static char ca_crt[512], dev_crt[512], dev_key[512], other_ca[512], other_key[512],
    nois_root[512], bad_root[512], bad_root0[512], rsa_root[512];

/* ------------------------------------------------------------------------ setup */

/* root -> intermediate -> localhost, by the openssl CLI; the server will send the leaf
 * alone, so a client trusting the root lacks the intermediate. */
static int make_no_issuer_pki(void)
{
    return tf_sh(
        "mkdir -p nois && cd nois && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 "
        "  -keyout root.key -out root.crt -subj '/CN=NoIssuer Root' "
        "  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key "
        "  -out int.csr -subj '/CN=NoIssuer Intermediate' && "
        "printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n' > ca.ext && "
        "openssl x509 -req -in int.csr -CA root.crt -CAkey root.key -CAcreateserial -days 30 "
        "  -extfile ca.ext -out int.crt && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key "
        "  -out server.csr -subj '/CN=localhost' && "
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' "
        "  > leaf.ext && "
        "openssl x509 -req -in server.csr -CA int.crt -CAkey int.key -CAcreateserial -days 30 "
        "  -extfile leaf.ext -out server.crt");
}

/* Chains whose intermediate is sent but cannot issue: "Not A CA" (cA false) under
 * bad/root.crt, and a CA under bad/root0.crt, whose pathLenConstraint 0 allows none. */
static int make_bad_issuers(void)
{
    static const char ec[] = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    return tf_sh(
        "mkdir -p bad && cd bad && "
        "printf 'basicConstraints=critical,CA:FALSE\n' > notca.ext && "
        "printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' > ca.ext && "
        "printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' > leaf.ext && "
        "openssl req -x509 %s -days 30 -keyout root.key -out root.crt -subj '/CN=Bad Root' "
        "  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign && "
        "openssl req -x509 %s -days 30 -keyout root0.key -out root0.crt -subj '/CN=Root0' "
        "  -addext basicConstraints=critical,CA:TRUE,pathlen:0 "
        "  -addext keyUsage=critical,keyCertSign && "
        "openssl req %s -keyout notca.key -out notca.csr -subj '/CN=Not A CA' && "
        "openssl x509 -req -in notca.csr -CA root.crt -CAkey root.key -CAcreateserial "
        "  -days 30 -extfile notca.ext -out notca.crt && "
        "openssl req %s -keyout int0.key -out int0.csr -subj '/CN=Under Root0' && "
        "openssl x509 -req -in int0.csr -CA root0.crt -CAkey root0.key -CAcreateserial "
        "  -days 30 -extfile ca.ext -out int0.crt && "
        "for n in notca int0; do "
        "  openssl req %s -keyout leaf-$n.key -out leaf-$n.csr -subj /CN=localhost && "
        "  openssl x509 -req -in leaf-$n.csr -CA $n.crt -CAkey $n.key -CAcreateserial "
        "    -days 30 -extfile leaf.ext -out leaf-$n.crt && "
        "  cat leaf-$n.crt $n.crt > chain-$n.pem || exit 1; "
        "done",
        ec, ec, ec, ec, ec);
}

/* An RSA root and an RSA server certificate it signs with SHA-256, by the openssl CLI. */
static int make_rsa(void)
{
    return tf_sh("mkdir -p rsa && cd rsa && "
                 "openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 -keyout root.key "
                 "  -out root.crt -subj '/CN=RSA Root' "
                 "  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign && "
                 "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
                 "  -subj /CN=localhost && "
                 "printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' > leaf.ext && "
                 "openssl x509 -req -sha256 -in server.csr -CA root.crt -CAkey root.key "
                 "  -CAcreateserial -days 30 -extfile leaf.ext -out server.crt");
}

static int make_self_signed(void)
{
    return tf_sh("mkdir -p self && openssl req -x509 -newkey ec -pkeyopt "
                 "ec_paramgen_curve:P-256 -nodes -days 30 -keyout self/server.key "
                 "-out self/server.crt -subj /CN=localhost "
                 "-addext subjectAltName=DNS:localhost,IP:127.0.0.1");
}

/* A server certificate of the test CA whose 260 names make it about 6 KB: its Certificate
 * message does not fit the 4 KB records the device configuration takes in, and fits
 * OpenSSL's. */
static int make_big(void)
{
    return tf_sh("mkdir -p big && cd big && "
                 "{ printf 'subjectAltName=DNS:localhost'; i=0; while [ $i -lt 260 ]; do "
                 "  printf ',DNS:sensor-%%03d.devices.example.net' $i; i=$((i+1)); done; "
                 "  printf '\nextendedKeyUsage=serverAuth\n'; } > leaf.ext && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                 "  -keyout server.key -out server.csr -subj /CN=localhost && "
                 "openssl x509 -req -in server.csr -CA ../ca/ca.crt -CAkey ../ca/ca.key "
                 "  -CAcreateserial -days 30 -extfile leaf.ext -out server.crt");
}

/* Broken and encrypted credentials, in cred/. */
static int make_credentials(void)
{
    static const char garbage[] = "this is not a certificate\n\x01\x02\x03\xff\xfe garbage";
    if (tf_sh("mkdir -p cred") != 0 || tf_write_file(tf_path("cred/empty"), "", 0) != 0 ||
        tf_write_file(tf_path("cred/garbage"), garbage, sizeof garbage - 1) != 0)
        return -1;
    return tf_sh("openssl pkey -traditional -in ca/dev1/private.key -aes256 "
                 "  -passout pass:secret -out cred/enc-trad.key && "
                 "openssl pkey -in ca/dev1/private.key -aes256 -passout pass:secret "
                 "  -out cred/enc-p8-aes.key && "
                 "openssl pkcs8 -topk8 -v2 aes256 -in ca/dev1/private.key -passout pass:secret "
                 "  -outform DER -out cred/enc-p8-aes.der && "
                 "mkdir -p cadir && cp ca/ca.crt cadir/ && openssl rehash cadir");
}

static int setup(void)
{
    if (tf_begin() != 0 || tf_pki_base() != 0 || make_no_issuer_pki() != 0 ||
        make_self_signed() != 0 || make_bad_issuers() != 0 || make_rsa() != 0 ||
        make_big() != 0 ||
        make_credentials() != 0)
        return -1;
    tf_keep(ca_crt, tf_path("ca/ca.crt"));
    tf_keep(dev_crt, tf_path("ca/dev1/cert.crt"));
    tf_keep(dev_key, tf_path("ca/dev1/private.key"));
    tf_keep(other_ca, tf_path("other/ca.crt"));
    tf_keep(other_key, tf_path("other/dev-other/private.key"));
    tf_keep(nois_root, tf_path("nois/root.crt"));
    tf_keep(bad_root, tf_path("bad/root.crt"));
    tf_keep(bad_root0, tf_path("bad/root0.crt"));
    tf_keep(rsa_root, tf_path("rsa/root.crt"));
    static char crt[L_COUNT][512], key[L_COUNT][512];
    static const char *const names[L_COUNT][2] = {
        {"ca/server.crt", "ca/server.key"},           {"nois/server.crt", "nois/server.key"},
        {"self/server.crt", "self/server.key"},       {"ca/server.crt", "ca/server.key"},
        {"bad/chain-notca.pem", "bad/leaf-notca.key"}, {"bad/chain-int0.pem", "bad/leaf-int0.key"},
        {"rsa/server.crt", "rsa/server.key"},         {"big/server.crt", "big/server.key"}};
    for (int i = 0; i < L_COUNT; i++) {
        tf_keep(crt[i], tf_path("%s", names[i][0]));
        tf_keep(key[i], tf_path("%s", names[i][1]));
        lis[i] = (tf_listener_t){.cafile = ca_crt, .certfile = crt[i], .keyfile = key[i],
                                 .require_certificate = i == L_MAIN};
    }
    lis[L_TLS13].tls_version = "tlsv1.3";
    return tf_broker_start(&broker, lis, L_COUNT);
}

/* ---------------------------------------------------------------------- helpers */

static mqtls_tls_cfg_t base_cfg(void)
{
    return tf_pem_cfg(ca_crt, dev_crt, dev_key);
}

/* Drives the handshake of @p t to its end (bounded). */
static mqtls_status_t handshake(mqtls_tls_t *t, const char *host, uint16_t port)
{
    for (unsigned i = 0; i < T_MS / 50; i++) {
        mqtls_status_t st = mqtls_tls_transport.connect(t, host, port);
        if (st != MQTLS_IN_PROGRESS)
            return st;
        (void)mqtls_tls_transport.wait(t, 1, 50); /* during the handshake: what it awaits */
    }
    return MQTLS_ERR_TIMEOUT;
}

static void note(const mqtls_tls_evidence_t *e, mqtls_status_t st)
{
    test_note("%s: stage %d, problems 0x%04X, chain %u, sent %u, item %d, cred %d, detail: %s",
              mqtls_strerror(st), (int)e->stage, (unsigned)e->problems, e->chain_len,
              e->sent_len, (int)e->item, (int)e->cred_problem, e->detail);
    for (unsigned i = 0; e->chain && i < e->chain_len; i++)
        test_note("  chain[%u] %s (by %s) problems 0x%04X, key %s, %s, ca %d, names %s", i,
                  e->chain[i].subject, e->chain[i].issuer, (unsigned)e->chain[i].problems,
                  e->chain[i].key, e->chain[i].sig_alg, e->chain[i].is_ca, e->chain[i].names);
}

/* One connection with a context of its own; the evidence is copied out with its chains. */
typedef struct attempt {
    mqtls_tls_t t;
    mqtls_status_t setup, st;
} attempt_t;

static const mqtls_tls_evidence_t *attempt(attempt_t *a, const mqtls_tls_cfg_t *cfg,
                                           const char *host, int listener)
{
    mqtls_tls_init(&a->t);
    a->setup = mqtls_tls_setup(&a->t, cfg);
    a->st = a->setup == MQTLS_OK ? handshake(&a->t, host, lis[listener].port) : a->setup;
    note(mqtls_tls_evidence(&a->t), a->st);
    return mqtls_tls_evidence(&a->t);
}

/* ----------------------------------------------------------- verification, neutral */

/* The evidence describes each certificate the same way whichever backend: key, signature
 * algorithm, names, CA or not; the chain as sent starts with the server's own. */
TEST(chain_kept_and_described)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.keep_chain = true;
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_MAIN);
    if (CHECK_STATUS(a.st, MQTLS_OK) && CHECK_EQ_INT(e->chain_len, 2) && CHECK(e->chain) &&
        CHECK(e->sent) && CHECK(e->sent_len >= 1)) {
        CHECK(e->verified);
        CHECK_EQ_INT(e->problems, 0);
        CHECK_EQ_STR(e->chain[0].key, "EC P-256");
        CHECK_EQ_STR(e->chain[0].sig_alg, "ecdsa-with-SHA256");
        CHECK(strstr(e->chain[0].names, "DNS:localhost") != NULL);
        CHECK(strstr(e->chain[0].names, "IP:127.0.0.1") != NULL);
        CHECK(!e->chain[0].is_ca);
        CHECK(e->chain[1].is_ca);
        CHECK(strstr(e->chain[1].subject, "mqtls test CA") != NULL);
        CHECK_EQ_MEM(e->sent[0].sha256, e->chain[0].sha256, 32);
        CHECK(e->cert_requested && e->cert_sent);
        /* mosquitto speaks both: the highest the backend has is chosen. */
        CHECK_EQ_STR(e->version, mqtls_tls_max_version() == MQTLS_TLS_V1_3 ? "TLSv1.3"
                                                                            : "TLSv1.2");
    }
    mqtls_tls_free(&a.t);

    /* Without keep_chain an established connection does not carry its certificates. */
    cfg.keep_chain = false;
    e = attempt(&a, &cfg, "localhost", L_MAIN);
    CHECK_STATUS(a.st, MQTLS_OK);
    CHECK(e->verified);
    CHECK(e->chain == NULL && e->sent == NULL);
    CHECK_EQ_INT(e->chain_len, 0);
    mqtls_tls_free(&a.t);
}

/* RSA keys and RSA signatures are described in the same words too. */
TEST(rsa_chain_described)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.ca_file = rsa_root;
    cfg.keep_chain = true;
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_RSA);
    if (CHECK_STATUS(a.st, MQTLS_OK) && CHECK(e->chain) && CHECK_EQ_INT(e->chain_len, 2)) {
        CHECK_EQ_STR(e->chain[0].key, "RSA 2048");
        CHECK_EQ_STR(e->chain[0].sig_alg, "sha256WithRSAEncryption");
        CHECK_EQ_STR(e->chain[1].key, "RSA 2048");
        CHECK(e->chain[1].is_ca);
    }
    mqtls_tls_free(&a.t);
}

/* The chain ends at a root (self-issued, sent along by mosquitto) we do not trust. */
TEST(untrusted_root)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.ca_file = other_ca;
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_MAIN);
    CHECK_STATUS(a.st, MQTLS_ERR_TLS_VERIFY);
    CHECK(e->verified);
    CHECK(e->problems & MQTLS_TLS_BAD_UNTRUSTED);
    CHECK(!(e->problems & (MQTLS_TLS_BAD_NO_ISSUER | MQTLS_TLS_BAD_SELF_SIGNED)));
    if (CHECK(e->chain && e->chain_len >= 2)) {
        CHECK_EQ_INT(e->chain[0].problems, 0);
        CHECK(e->chain[e->chain_len - 1].problems & MQTLS_TLS_BAD_UNTRUSTED);
    }
    CHECK(e->sent != NULL && e->sent_len >= 1);
    mqtls_tls_free(&a.t);
}

/* The server sends its certificate without the intermediate that issued it. */
TEST(missing_intermediate)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.ca_file = nois_root;
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_NO_ISSUER);
    CHECK_STATUS(a.st, MQTLS_ERR_TLS_VERIFY);
    CHECK(e->problems & MQTLS_TLS_BAD_NO_ISSUER);
    CHECK(!(e->problems & (MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_SELF_SIGNED)));
    if (CHECK(e->chain && e->chain_len >= 1)) {
        CHECK(e->chain[0].problems & MQTLS_TLS_BAD_NO_ISSUER);
        CHECK(strstr(e->chain[0].issuer, "NoIssuer Intermediate") != NULL);
    }
    if (CHECK(e->sent && e->sent_len == 1))
        CHECK(strstr(e->sent[0].subject, "localhost") != NULL);
    mqtls_tls_free(&a.t);
}

/* A lone self-signed server certificate. */
TEST(self_signed_server)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_SELF);
    CHECK_STATUS(a.st, MQTLS_ERR_TLS_VERIFY);
    CHECK(e->problems & MQTLS_TLS_BAD_SELF_SIGNED);
    CHECK(!(e->problems & (MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_NO_ISSUER)));
    if (CHECK(e->chain && e->chain_len == 1))
        CHECK(e->chain[0].problems & MQTLS_TLS_BAD_SELF_SIGNED);
    mqtls_tls_free(&a.t);
}

/* An intermediate is sent, but cannot issue: the problem is named, not "missing". */
static void issuer_cannot_issue(const char *root, int listener, uint32_t want)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.ca_file = root;
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", listener);
    CHECK_STATUS(a.st, MQTLS_ERR_TLS_VERIFY);
    CHECK(e->problems & want);
    CHECK(!(e->problems & (MQTLS_TLS_BAD_NO_ISSUER | MQTLS_TLS_BAD_UNTRUSTED)));
    CHECK_EQ_INT(e->sent_len, 2);
    mqtls_tls_free(&a.t);
}

TEST(intermediate_not_a_ca)
{
    issuer_cannot_issue(bad_root, L_NOT_CA, MQTLS_TLS_BAD_NOT_CA);
}

TEST(path_length_exceeded)
{
    issuer_cannot_issue(bad_root0, L_PATH_LEN, MQTLS_TLS_BAD_PATH_LEN);
}

/* The server refuses the version before sending a certificate: nothing was verified. */
TEST(alert_before_verification)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.max_version = MQTLS_TLS_V1_2;
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_TLS13);
    CHECK_STATUS(a.st, MQTLS_ERR_TLS_ALERT);
    CHECK_EQ_INT(e->alert_received, 70);
    CHECK(!e->verified);
    CHECK_EQ_INT(e->problems, 0);
    CHECK_EQ_INT(e->chain_len, 0);
    CHECK(!e->cert_requested && !e->cert_sent);
    mqtls_tls_free(&a.t);
}

/* A server that answers the ClientHello with a handshake record longer than TLS allows
 * (16,489 > 2^14 bytes). @return the child's pid, the port in @p port; -1 on failure. */
static pid_t big_record_server(uint16_t *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) != 0) {
        if (ls >= 0)
            close(ls);
        return -1;
    }
    *port = ntohs(a.sin_port);
    pid_t pid = fork();
    if (pid != 0) {
        close(ls);
        return pid;
    }
    alarm(10);
    int c = accept(ls, NULL, NULL);
    static uint8_t rec[5 + 0x4069] = {0x16, 0x03, 0x03, 0x40, 0x69};
    uint8_t buf[2048];
    struct pollfd p = {.fd = c, .events = POLLIN};
    if (c >= 0 && poll(&p, 1, 5000) == 1 && read(c, buf, sizeof buf) > 0) {
        for (size_t off = 0; off < sizeof rec;) {
            ssize_t n = write(c, rec + off, sizeof rec - off);
            if (n <= 0)
                break;
            off += (size_t)n;
        }
        while (poll(&p, 1, 3000) == 1 && read(c, buf, sizeof buf) > 0)
            ; /* until the client closes */
    }
    _exit(0);
}

/* A record too long: the client says record_overflow, whichever backend (Mbed TLS 2.28
 * itself would close without a word). */
TEST(record_too_large)
{
    uint16_t port = 0;
    pid_t pid = big_record_server(&port);
    REQUIRE(pid > 0);
    mqtls_tls_cfg_t cfg = base_cfg();
    mqtls_tls_t t;
    mqtls_tls_init(&t);
    mqtls_status_t st = mqtls_tls_setup(&t, &cfg);
    if (CHECK_STATUS(st, MQTLS_OK))
        st = handshake(&t, "localhost", port);
    const mqtls_tls_evidence_t *e = mqtls_tls_evidence(&t);
    note(e, st);
    CHECK(st != MQTLS_OK);
    CHECK_EQ_INT(e->first_byte, 0x16);
    CHECK_EQ_INT(e->alert_sent, 22);
    CHECK_EQ_STR(mqtls_tls_alert_name(e->alert_sent), "record_overflow");
    mqtls_tls_free(&t);
    (void)waitpid(pid, NULL, 0);
}

/* A server whose Certificate message is larger than the records the device configuration
 * takes in (MBEDTLS_SSL_IN_CONTENT_LEN 4096): the device refuses the record with
 * record_overflow and says why in words a developer can act on; OpenSSL takes it. */
TEST(chain_larger_than_the_device_takes)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = tf_pem_cfg(ca_crt, NULL, NULL);
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_BIG);
    if (!mbed) {
        CHECK_STATUS(a.st, MQTLS_OK);
    } else {
        CHECK_STATUS(a.st, MQTLS_ERR_TLS_HANDSHAKE);
        CHECK_EQ_INT(e->alert_sent, 22);
        CHECK(strstr(e->detail, "MBEDTLS_SSL_IN_CONTENT_LEN") != NULL);
        CHECK(strstr(e->detail, "certificate chain") != NULL);
    }
    mqtls_tls_free(&a.t);
}

/* ----------------------------------------------------------- credentials */

enum { ANY = 0, MBED_ONLY = 1, OSSL_ONLY = 2 };

typedef struct cred_case {
    const char *what, *cert, *key, *pass;
    mqtls_status_t status;
    mqtls_tls_item_t item;
    mqtls_tls_cred_problem_t problem;
    int scope; /* ANY: the neutral outcome; MBED_ONLY / OSSL_ONLY: one backend's by design */
} cred_case_t;

static void check_cred(const cred_case_t *k)
{
    if ((k->scope == MBED_ONLY && !mbed) || (k->scope == OSSL_ONLY && mbed))
        return;
    static char cert[512], key[512];
    mqtls_tls_cfg_t cfg = base_cfg();
    if (k->cert)
        tf_keep(cert, tf_path("%s", k->cert));
    if (k->key)
        tf_keep(key, strncmp(k->key, "pkcs11:", 7) == 0 ? k->key : tf_path("%s", k->key));
    cfg.cert_file = k->cert ? cert : dev_crt;
    cfg.key_file = k->key ? key : dev_key;
    cfg.key_pass = k->pass;
    mqtls_tls_ctx_t *ctx = NULL;
    mqtls_tls_evidence_t ev;
    mqtls_status_t st = mqtls_tls_ctx_new(&ctx, &cfg, &ev);
    test_note("%s: %s, item %d, cred_problem %d, detail: %s", k->what, mqtls_strerror(st),
              (int)ev.item, (int)ev.cred_problem, ev.detail);
    CHECK_STATUS(st, k->status);
    if (k->status != MQTLS_OK) {
        CHECK(ctx == NULL);
        CHECK_EQ_INT(ev.stage, MQTLS_TLS_STAGE_CREDENTIALS);
        CHECK_EQ_INT(ev.item, k->item);
        CHECK_EQ_INT(ev.cred_problem, k->problem);
        CHECK(ev.detail[0] != '\0');
    }
    mqtls_tls_ctx_free(ctx);
}

TEST(credential_problems)
{
    static const cred_case_t cases[] = {
        {"missing cert", "cred/missing", NULL, NULL, MQTLS_ERR_TLS_CREDENTIALS,
         MQTLS_TLS_ITEM_CERT, MQTLS_TLS_CRED_UNREADABLE, ANY},
        {"missing key", NULL, "cred/missing", NULL, MQTLS_ERR_TLS_CREDENTIALS,
         MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_UNREADABLE, ANY},
        {"empty cert", "cred/empty", NULL, NULL, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_CERT,
         MQTLS_TLS_CRED_EMPTY, ANY},
        {"empty key", NULL, "cred/empty", NULL, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY,
         MQTLS_TLS_CRED_EMPTY, ANY},
        {"key as cert", "ca/dev1/private.key", NULL, NULL, MQTLS_ERR_TLS_CREDENTIALS,
         MQTLS_TLS_ITEM_CERT, MQTLS_TLS_CRED_EMPTY, ANY},
        {"cert as key", NULL, "ca/dev1/cert.crt", NULL, MQTLS_ERR_TLS_CREDENTIALS,
         MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_EMPTY, ANY},
        {"garbage cert", "cred/garbage", NULL, NULL, MQTLS_ERR_TLS_CREDENTIALS,
         MQTLS_TLS_ITEM_CERT, MQTLS_TLS_CRED_MALFORMED, ANY},
        {"garbage key", NULL, "cred/garbage", NULL, MQTLS_ERR_TLS_CREDENTIALS,
         MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_MALFORMED, ANY},
        {"traditional PEM, right pass", NULL, "cred/enc-trad.key", "secret", MQTLS_OK,
         MQTLS_TLS_ITEM_NONE, MQTLS_TLS_CRED_NONE, OSSL_ONLY},
        {"traditional PEM, no pass", NULL, "cred/enc-trad.key", NULL, MQTLS_ERR_TLS_CREDENTIALS,
         MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_PASS_NEEDED, ANY},
        {"traditional PEM, wrong pass", NULL, "cred/enc-trad.key", "wrong",
         MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_PASS_WRONG, OSSL_ONLY},
        {"PKCS#8 PBES2-AES, no pass", NULL, "cred/enc-p8-aes.key", NULL,
         MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_PASS_NEEDED, ANY},
        {"PKCS#8 PBES2-AES DER, no pass", NULL, "cred/enc-p8-aes.der", NULL,
         MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_PASS_NEEDED, ANY},
        /* Mbed TLS in the device configuration decrypts no key (no PEM ciphers, no
         * PKCS#5/#12: config/mbedtls_device.h): with a passphrase it says so. */
        {"traditional PEM, right pass", NULL, "cred/enc-trad.key", "secret",
         MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_KEY_UNSUPPORTED, MBED_ONLY},
        {"PKCS#8 PBES2-AES, right pass", NULL, "cred/enc-p8-aes.key", "secret",
         MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_KEY_UNSUPPORTED,
         MBED_ONLY},
        {"PKCS#8 PBES2-AES DER, right pass", NULL, "cred/enc-p8-aes.der", "secret",
         MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_KEY_UNSUPPORTED,
         MBED_ONLY},
        {"another device's key", NULL, "other/dev-other/private.key", NULL,
         MQTLS_ERR_TLS_KEY_MISMATCH, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_KEY_MISMATCH, ANY},
        {"a PKCS#11 key", NULL, "pkcs11:token=gw;object=device-key", NULL,
         MQTLS_ERR_UNSUPPORTED, MQTLS_TLS_ITEM_KEY, MQTLS_TLS_CRED_KEY_UNSUPPORTED, MBED_ONLY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_cred(&cases[i]);
}

/* A wrong password decrypts to garbage that ends in valid CBC padding about once in 256
 * tries; the decoder then finds no key in it. That is still a wrong password, never "not
 * supported": 1,024 wrong passwords meet the case with a probability of 98 %. */
TEST(wrong_passwords_say_wrong)
{
    if (mbed)
        return; /* the device configuration decrypts no key (credential_problems) */
    static char key[512];
    tf_keep(key, tf_path("cred/enc-trad.key"));
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.cert_file = dev_crt;
    cfg.key_file = key;
    int padded = 0;
    for (int i = 0; i < 1024; i++) {
        char pass[32];
        snprintf(pass, sizeof pass, "wrong-%d", i);
        cfg.key_pass = pass;
        mqtls_tls_ctx_t *ctx = NULL;
        mqtls_tls_evidence_t ev;
        mqtls_status_t st = mqtls_tls_ctx_new(&ctx, &cfg, &ev);
        CHECK_STATUS(st, MQTLS_ERR_TLS_CREDENTIALS);
        CHECK_EQ_INT(ev.cred_problem, MQTLS_TLS_CRED_PASS_WRONG);
        padded += ERR_GET_LIB((unsigned long)ev.raw_error) == ERR_LIB_OSSL_DECODER;
        mqtls_tls_ctx_free(ctx);
        if (ev.cred_problem != MQTLS_TLS_CRED_PASS_WRONG)
            break;
    }
    test_note("%d of 1024 wrong passwords decrypted to well-padded garbage", padded);
}

TEST(pkcs11_key_needs_openssl)
{
    if (!mbed)
        SKIP("the OpenSSL backend takes pkcs11: keys");
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.key_file = "pkcs11:token=gw;object=device-key";
    mqtls_tls_evidence_t ev;
    mqtls_tls_ctx_t *ctx = NULL;
    CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, &ev), MQTLS_ERR_UNSUPPORTED);
    CHECK_EQ_STR(ev.detail, "PKCS#11 keys need the OpenSSL backend");
}

/* ----------------------------------------------------------- settings */

TEST(iana_suite_names)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.ciphers = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_MAIN);
    CHECK_STATUS(a.st, MQTLS_OK);
    CHECK_EQ_STR(e->ciphersuite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    mqtls_tls_free(&a.t);

    cfg.ciphers = "TLS_NO_SUCH_SUITE_WITH_NOTHING";
    e = attempt(&a, &cfg, "localhost", L_MAIN);
    CHECK_STATUS(a.setup, MQTLS_ERR_BAD_PARAM);
    CHECK_EQ_INT(e->item, MQTLS_TLS_ITEM_SETTINGS);
    mqtls_tls_free(&a.t);
}

/* What the tool asks before it expands cipher rules or offers TLS 1.3. */
TEST(capabilities)
{
    CHECK(mqtls_tls_cipher_known("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    CHECK(!mqtls_tls_cipher_known("TLS_NO_SUCH_SUITE_WITH_NOTHING"));
    CHECK(!mqtls_tls_cipher_known(""));
    if (mbed) {
        CHECK(!mqtls_tls_cipher_known("ECDHE-ECDSA-AES128-GCM-SHA256"));
        CHECK(!mqtls_tls_cipher_known("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:"));
        mqtls_tls_cfg_t cfg = base_cfg();
        cfg.max_version = mqtls_tls_max_version(); /* what it says it has, it takes */
        mqtls_tls_ctx_t *ctx = NULL;
        CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, NULL), MQTLS_OK);
        mqtls_tls_ctx_free(ctx);
        cfg.max_version = MQTLS_TLS_V1_3;
        mqtls_status_t want = mqtls_tls_max_version() == MQTLS_TLS_V1_3 ? MQTLS_OK
                                                                        : MQTLS_ERR_UNSUPPORTED;
        CHECK_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, NULL), want);
        mqtls_tls_ctx_free(ctx);
    }
}

/* With Mbed TLS the tool expands OpenSSL's names; the library says so when given one. */
TEST(openssl_suite_names_refused_by_mbedtls)
{
    if (!mbed)
        SKIP("the OpenSSL backend takes its own names");
    static const char *const lists[] = {"ECDHE-ECDSA-AES128-GCM-SHA256", "HIGH:!aNULL",
                                        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:AES128-SHA"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        attempt_t a;
        mqtls_tls_cfg_t cfg = base_cfg();
        cfg.ciphers = lists[i];
        const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_MAIN);
        CHECK_STATUS(a.setup, MQTLS_ERR_BAD_PARAM);
        CHECK_EQ_INT(e->item, MQTLS_TLS_ITEM_SETTINGS);
        CHECK(strstr(e->detail, "OpenSSL") != NULL);
        mqtls_tls_free(&a.t);
    }
}

/* use_os_ca follows SSL_CERT_FILE, else SSL_CERT_DIR, as OpenSSL's default paths do. */
TEST(system_trust_store_from_the_environment)
{
    attempt_t a;
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.ca_file = NULL;
    cfg.use_os_ca = true;
    unsetenv("SSL_CERT_DIR");
    setenv("SSL_CERT_FILE", ca_crt, 1);
    const mqtls_tls_evidence_t *e = attempt(&a, &cfg, "localhost", L_MAIN);
    CHECK_STATUS(a.st, MQTLS_OK);
    mqtls_tls_free(&a.t);

    setenv("SSL_CERT_FILE", other_ca, 1); /* the store is what the variable says */
    e = attempt(&a, &cfg, "localhost", L_MAIN);
    CHECK_STATUS(a.st, MQTLS_ERR_TLS_VERIFY);
    CHECK(e->problems & MQTLS_TLS_BAD_UNTRUSTED);
    mqtls_tls_free(&a.t);

    unsetenv("SSL_CERT_FILE");
    setenv("SSL_CERT_DIR", tf_path("cadir"), 1);
    e = attempt(&a, &cfg, "localhost", L_MAIN);
    CHECK_STATUS(a.st, MQTLS_OK);
    mqtls_tls_free(&a.t);
    unsetenv("SSL_CERT_DIR");
}

/* ----------------------------------------------------------- one context, many connections */

#define N_CONN 8

/* The credentials are read once, into the context: with the files gone, every connection
 * made from it still authenticates, and so does each again after a reconnect. */
TEST(one_context_many_connections)
{
    REQUIRE(tf_sh("cp ca/dev1/cert.crt cred/shared.crt && "
                  "cp ca/dev1/private.key cred/shared.key") == 0);
    static char crt[512], key[512];
    tf_keep(crt, tf_path("cred/shared.crt"));
    tf_keep(key, tf_path("cred/shared.key"));
    mqtls_tls_cfg_t cfg = base_cfg();
    cfg.cert_file = crt;
    cfg.key_file = key;
    mqtls_tls_ctx_t *ctx = NULL;
    REQUIRE_STATUS(mqtls_tls_ctx_new(&ctx, &cfg, NULL), MQTLS_OK);
    REQUIRE(tf_sh("rm cred/shared.crt cred/shared.key") == 0);

    static mqtls_tls_t conns[N_CONN];
    for (int i = 0; i < N_CONN; i++) {
        mqtls_tls_init(&conns[i]);
        CHECK_STATUS(mqtls_tls_setup_ctx(&conns[i], ctx), MQTLS_OK);
    }
    mqtls_tls_ctx_free(ctx); /* the connections hold it now */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N_CONN; i++) {
            mqtls_status_t st = handshake(&conns[i], i % 2 ? "127.0.0.1" : "localhost",
                                          lis[L_MAIN].port);
            const mqtls_tls_evidence_t *e = mqtls_tls_evidence(&conns[i]);
            if (!CHECK_STATUS(st, MQTLS_OK))
                note(e, st);
            CHECK(e->cert_sent);
            CHECK(e->verified && e->problems == 0);
        }
        for (int i = 0; i < N_CONN; i++)
            mqtls_tls_transport.close(&conns[i]);
    }
    for (int i = 0; i < N_CONN; i++)
        mqtls_tls_free(&conns[i]);
}

/* A connection reused for another host: the name checked is the new one (an IP literal
 * after a host name: no SNI and no DNS-name check left over from before). */
TEST(reconnect_checks_the_new_name)
{
    mqtls_tls_cfg_t cfg = base_cfg();
    mqtls_tls_t t;
    mqtls_tls_init(&t);
    REQUIRE_STATUS(mqtls_tls_setup(&t, &cfg), MQTLS_OK);
    CHECK_STATUS(handshake(&t, "localhost", lis[L_MAIN].port), MQTLS_OK);
    mqtls_tls_transport.close(&t);
    CHECK_STATUS(handshake(&t, "127.0.0.1", lis[L_MAIN].port), MQTLS_OK);
    mqtls_tls_transport.close(&t);
    /* The self-signed listener lists both names too, but is not trusted: still refused. */
    CHECK_STATUS(handshake(&t, "127.0.0.1", lis[L_SELF].port), MQTLS_ERR_TLS_VERIFY);
    CHECK(mqtls_tls_evidence(&t)->problems & MQTLS_TLS_BAD_SELF_SIGNED);
    mqtls_tls_free(&t);
}

int main(int argc, char **argv)
{
    mbed = strncmp(mqtls_tls_backend(), "Mbed TLS", 8) == 0;
    if (!tf_main_start(argc, argv, setup, &broker))
        return test_main_end();
    test_note("backend %s", mqtls_tls_backend());
    RUN(chain_kept_and_described);
    RUN(rsa_chain_described);
    RUN(untrusted_root);
    RUN(missing_intermediate);
    RUN(self_signed_server);
    RUN(intermediate_not_a_ca);
    RUN(path_length_exceeded);
    RUN(alert_before_verification);
    RUN(record_too_large);
    RUN(chain_larger_than_the_device_takes);
    RUN(credential_problems);
    RUN(wrong_passwords_say_wrong);
    RUN(pkcs11_key_needs_openssl);
    RUN(iana_suite_names);
    RUN(capabilities);
    RUN(openssl_suite_names_refused_by_mbedtls);
    RUN(system_trust_store_from_the_environment);
    RUN(one_context_many_connections);
    RUN(reconnect_checks_the_new_name);
    test_broker_stop(&broker);
    tf_end();
    return test_main_end();
}
