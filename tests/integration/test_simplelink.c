/**
 * @file test_simplelink.c
 * @brief The SimpleLink transport driven by the real client against mosquitto's mutual-TLS
 *        listeners over the emulated network processor (support/sl_emu.h, either chip), and
 *        every code it produces explained for the chip that produced it.
 *
 * The motivating devices (issue 14): a CC3200 with DER files by id (126 key, 127 cert, 128
 * CA) publishes; a bad CA gives -456, a rejected device certificate -342, another CA -155. A
 * CC3220 with the development catalog gives -468, kept with MQTLS_SL_KEEP_UNKNOWN_ROOT. And
 * the codes of every other failure. Built twice: CC32xx SDK, CC3200 SDK 1.x (_cc3200).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker.h"
#include "mqtls/diagnose.h"
#include "mqtls/transport_simplelink.h"
#include "sensor_node.h"
#include "sl_emu.h"
#include "test.h"
#include "tls_fixture.h"

#define T_MS 8000u
#define WAIT_MS 5000u

enum { L_MAIN, L_EXPIRED, L_TLS13, L_COUNT };

static test_broker_t broker;
static tf_listener_t lis[L_COUNT];
static char store_dir[512];

/* Store names the tests use (CC3220 style). */
#define CA_NAME "/cert/ca.der"
#define CERT_NAME "/cert/dev1.der"
#define KEY_NAME "/cert/dev1-key.der"

/* ------------------------------------------------------------------ a device client */

typedef struct sl_client {
    mqtls_client_t cli;
    mqtls_simplelink_t sl;
    mqtls_client_cfg_t cfg;
    mqtls_connect_opts_t opts;
    char id[64];
    uint8_t rx[4096];
    uint8_t tx[1024];
    uint8_t store_buf[4096];
    mqtls_inflight_t inflight[8];
    uint16_t qos2_in[8];
    mqtls_ram_store_t store;
    unsigned done;
    mqtls_status_t end_status;
} sl_client_t;

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    sl_client_t *d = user;
    (void)c;
    if (ev->type == MQTLS_EV_PUBLISH_DONE)
        d->done++;
    if (ev->type == MQTLS_EV_CONNECT_FAILED || ev->type == MQTLS_EV_DISCONNECTED)
        d->end_status = ev->status;
}

static void slc_init(sl_client_t *d, const char *id, const mqtls_simplelink_cfg_t *cfg)
{
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", id);
    mqtls_simplelink_init(&d->sl, cfg);
    mqtls_ram_store_init(&d->store, d->store_buf, sizeof d->store_buf);
    d->cfg.transport = &mqtls_simplelink_transport;
    d->cfg.transport_ctx = &d->sl;
    d->cfg.platform = &mqtls_platform_posix;
    d->cfg.rx_buf = d->rx;
    d->cfg.rx_size = sizeof d->rx;
    d->cfg.tx_buf = d->tx;
    d->cfg.tx_size = sizeof d->tx;
    d->cfg.inflight = d->inflight;
    d->cfg.inflight_cap = 8;
    d->cfg.qos2_in = d->qos2_in;
    d->cfg.qos2_in_cap = 8;
    d->cfg.store = &mqtls_ram_store;
    d->cfg.store_ctx = &d->store;
    d->cfg.on_event = on_event;
    d->cfg.user = d;
    d->opts.connect.version = MQTLS_V311;
    d->opts.connect.clean_start = true;
    d->opts.connect.keep_alive = 30;
    d->opts.connect.client_id = mqtls_str(d->id);
    mqtls_client_init(&d->cli, &d->cfg);
}

static mqtls_status_t slc_connect(sl_client_t *d, const char *host, uint16_t port)
{
    uint8_t reason = 0;
    d->opts.host = host;
    d->opts.port = port;
    d->opts.connect_timeout_ms = T_MS;
    return mqtls_sync_connect(&d->cli, &d->opts, &reason);
}

static void slc_free(sl_client_t *d)
{
    if (mqtls_state(&d->cli) == MQTLS_STATE_CONNECTED)
        (void)mqtls_disconnect(&d->cli, 0, NULL);
    mqtls_client_free(&d->cli);
    mqtls_simplelink_transport.close(&d->sl);
}

/* ------------------------------------------------------------------ setup */

static mqtls_simplelink_cfg_t cc3220_cfg(void)
{
    mqtls_simplelink_cfg_t c;
    memset(&c, 0, sizeof c);
    c.device = MQTLS_SL_CC3220;
    c.ca_file = CA_NAME;
    c.cert_file = CERT_NAME;
    c.key_file = KEY_NAME;
    return c;
}

/* A fresh CC3220 with the base PKI's files: the CA as PEM (the CC3220 takes it), the
 * device's certificate and key as DER; the catalog trusts the test CA. */
static int device_3220(void)
{
    if (sl_emu_reset(store_dir, SL_EMU_CC3220) != 0 ||
        sl_emu_put(CA_NAME, tf_path("ca/ca.crt")) != 0 ||
        sl_emu_put(CERT_NAME, tf_path("ca/dev1/cert.der")) != 0 ||
        sl_emu_put(KEY_NAME, tf_path("ca/dev1/private.der")) != 0)
        return -1;
    return sl_emu_catalog_add(tf_path("ca/ca.crt"));
}

/* The motivating CC3200's file ids (TI's example has the CA as /cert/128.der; ids are free). */
enum { ID_KEY = 126, ID_CERT = 127, ID_CA = 128 };

/* Stores host file @p path (under the fixture) as CC3200 file id @p id. 0, or -1. */
static int put_id(uint8_t id, const char *path)
{
    char n[32];
    return sl_emu_put(sl_emu_id_name(id, n, sizeof n), tf_path("%s", path));
}

/* A fresh CC3200 with DER files flashed by id: 126 key, 127 certificate, 128 CA. */
static int device_3200(bool pem_ca)
{
    if (sl_emu_reset(store_dir, SL_EMU_CC3200) != 0 ||
        put_id(ID_CA, pem_ca ? "ca/ca.crt" : "ca/ca.der") != 0 ||
        put_id(ID_CERT, "ca/dev1/cert.der") != 0 || put_id(ID_KEY, "ca/dev1/private.der") != 0)
        return -1;
    return 0;
}

static mqtls_simplelink_cfg_t cc3200_cfg(uint8_t key, uint8_t cert, uint8_t ca)
{
    mqtls_simplelink_cfg_t c;
    memset(&c, 0, sizeof c);
    c.device = MQTLS_SL_CC3200;
    c.secure_files[MQTLS_SL_FILE_KEY] = key;
    c.secure_files[MQTLS_SL_FILE_CERT] = cert;
    c.secure_files[MQTLS_SL_FILE_CA] = ca;
    return c;
}

static int setup(void)
{
    if (tf_begin() != 0 || tf_pki_base() != 0)
        return -1;
    if (tf_pki("server ca --name localhost --ip 127.0.0.1 --not-before 2020-01-01 "
               "--not-after 2020-06-30 --out ca/expired") != 0 ||
        tf_pki("device ca dev-future --not-before 2099-01-01 --days 30") != 0 ||
        tf_sh("printf 'this is not a certificate' > garbage.der") != 0)
        return -1;
    snprintf(store_dir, sizeof store_dir, "%s", tf_path("sl-store"));
    static char ca[512], crt[L_COUNT][512], key[L_COUNT][512];
    static const char *const names[L_COUNT] = {"server", "expired", "server"};
    snprintf(ca, sizeof ca, "%s", tf_path("ca/ca.crt"));
    for (int i = 0; i < L_COUNT; i++) {
        snprintf(crt[i], sizeof crt[i], "%s", tf_path("ca/%s.crt", names[i]));
        snprintf(key[i], sizeof key[i], "%s", tf_path("ca/%s.key", names[i]));
        lis[i] = (tf_listener_t){.cafile = ca, .certfile = crt[i], .keyfile = key[i],
                                 .require_certificate = true};
    }
    lis[L_TLS13].tls_version = "tlsv1.3";
    return tf_broker_start(&broker, lis, L_COUNT);
}

/* ------------------------------------------------------------------ checks */

/* @p code's explanation: its cause id exists in the doctor's catalog, the text says how. */
static void check_explained_on(mqtls_sl_device_t chip, int code, mqtls_status_t status,
                               const char *cause, const char *text_has)
{
    mqtls_simplelink_explanation_t e = mqtls_simplelink_explain(chip, code);
    test_note("%d -> %s, %s: %s", code, mqtls_strerror(e.status), e.cause, e.text);
    CHECK_STATUS(e.status, status);
    CHECK_EQ_STR(e.cause, cause);
    if (cause[0])
        CHECK(mqtls_cause_by_id(e.cause) != MQTLS_CAUSE_NONE);
    CHECK(e.text != NULL && e.text[0] != '\0');
    if (text_has && !CHECK(strstr(e.text, text_has) != NULL))
        test_note("expected '%s' in the text", text_has);
}

#ifndef MQTLS_SL_SDK_CC3200
/* check_explained_on() for a CC3220. */
static void check_explained(int code, mqtls_status_t status, const char *cause,
                            const char *text_has)
{
    check_explained_on(MQTLS_SL_CC3220, code, status, cause, text_has);
}
#endif

/* One attempt that must fail with SimpleLink code @p code, reported as @p status. */
static void check_fails(const char *id, const mqtls_simplelink_cfg_t *cfg, const char *host,
                        uint16_t port, int code, mqtls_status_t status, const char *cause,
                        const char *text_has)
{
    sl_client_t d;
    slc_init(&d, id, cfg);
    mqtls_status_t st = slc_connect(&d, host, port);
    test_note("%s: status %s, SimpleLink %d", id, mqtls_strerror(st),
              mqtls_simplelink_last_code(&d.sl));
    CHECK_STATUS(st, status);
    CHECK_EQ_INT(mqtls_simplelink_last_code(&d.sl), code);
    CHECK_EQ_INT(mqtls_state(&d.cli), MQTLS_STATE_DISCONNECTED);
    CHECK_EQ_INT(mqtls_simplelink_sd(&d.sl), -1);
    CHECK_EQ_INT(sl_emu_open_sockets(), 0); /* the transport closed what it opened */
    CHECK(!tf_broker_saw_client(&broker, id));
    check_explained_on(cfg->device, code, status, cause, text_has);
    slc_free(&d);
}

/* Connects, publishes at QoS 1 and checks that a subscriber on the host got it. */
static void check_publishes(sl_client_t *d, const char *host, uint16_t port)
{
    tf_client_t sub;
    mqtls_tls_cfg_t tcfg;
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.ca_file = tf_path("ca/ca.crt");
    tcfg.cert_file = tf_path("ca/dev1/cert.crt");
    tcfg.key_file = tf_path("ca/dev1/private.key");
    char sub_id[80], topic[96];
    snprintf(sub_id, sizeof sub_id, "%s-sub", d->id);
    snprintf(topic, sizeof topic, "sl/%s", d->id);
    tf_client_init(&sub, sub_id);
    REQUIRE_STATUS(tf_connect(&sub, &tcfg, "localhost", lis[L_MAIN].port, T_MS), MQTLS_OK);
    mqtls_subscription_t s = {mqtls_str(topic), 1};
    uint8_t code = 0xFF;
    REQUIRE_STATUS(mqtls_sync_subscribe(&sub.cli, &s, 1, NULL, &code, WAIT_MS), MQTLS_OK);

    mqtls_status_t st = slc_connect(d, host, port);
    test_note("%s: %s, SimpleLink %d, warning %d", d->id, mqtls_strerror(st),
              mqtls_simplelink_last_code(&d->sl), mqtls_simplelink_warning(&d->sl));
    if (CHECK_STATUS(st, MQTLS_OK)) {
        mqtls_publish_t p;
        memset(&p, 0, sizeof p);
        p.topic = mqtls_str(topic);
        p.payload = (const uint8_t *)"{\"temp_c\":21.50}";
        p.payload_len = (uint32_t)strlen((const char *)p.payload);
        p.qos = 1;
        CHECK_STATUS(mqtls_sync_publish(&d->cli, &p, WAIT_MS), MQTLS_OK);
        CHECK_EQ_INT(d->done, 1);
        uint64_t end = tf_now_ms() + WAIT_MS;
        while (sub.nmsgs == 0 && tf_now_ms() < end)
            (void)mqtls_sync_run(&sub.cli, 50);
        CHECK_EQ_INT(sub.nmsgs, 1);
        CHECK_EQ_STR(sub.last_payload, "{\"temp_c\":21.50}");
        CHECK(tf_broker_saw_client(&broker, d->id));
        CHECK_EQ_INT(mqtls_simplelink_last_code(&d->sl), 0);
    }
    slc_free(d);
    CHECK_EQ_INT(sl_emu_open_sockets(), 0);
    tf_client_free(&sub);
}

/* ------------------------------------------------------------------ the motivating CC3200 */

static mqtls_simplelink_cfg_t motivating_3200(void)
{
    return cc3200_cfg(ID_KEY, ID_CERT, ID_CA);
}

/* DER files flashed by id, passed through SlSockSecureFiles_t: it publishes, on a suite of
 * the CC3200's mask (bits 0-9: no AES-GCM). */
TEST(cc3200_connects_by_file_id)
{
    REQUIRE(device_3200(false) == 0);
    mqtls_simplelink_cfg_t cfg = motivating_3200();
    sl_client_t d;
    slc_init(&d, "sl-3200-ok", &cfg);
    check_publishes(&d, "localhost", lis[L_MAIN].port);
    CHECK(sl_emu_evidence()->cert_sent); /* mutual TLS: the device certificate went out */
    CHECK(strstr(sl_emu_evidence()->ciphersuite, "GCM") == NULL);
}

/* A bad CA file under id 128: -456 "bad CA file", and the CC3200's cause. */
TEST(cc3200_bad_ca_file_456)
{
    REQUIRE(device_3200(false) == 0);
    REQUIRE(put_id(ID_CA, "garbage.der") == 0);
    mqtls_simplelink_cfg_t cfg = motivating_3200();
    check_fails("sl-3200-456", &cfg, "localhost", lis[L_MAIN].port, -456,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", "bad CA file");
    /* Named as Paho's CC3200 port names them (options 30-32), the CA as PEM: "Bad CA file"
     * of the motivating case; a CC3200 takes DER. */
    REQUIRE(sl_emu_put("/cert/ca.pem", tf_path("ca/ca.crt")) == 0);
    REQUIRE(sl_emu_put("/cert/dev.der", tf_path("ca/dev1/cert.der")) == 0);
    REQUIRE(sl_emu_put("/cert/dev.key", tf_path("ca/dev1/private.der")) == 0);
    cfg = cc3200_cfg(0, 0, 0);
    cfg.ca_file = "/cert/ca.pem", cfg.cert_file = "/cert/dev.der", cfg.key_file = "/cert/dev.key";
    check_fails("sl-3200-456-pem", &cfg, "localhost", lis[L_MAIN].port, -456,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", "not DER");
    REQUIRE(sl_emu_put("/cert/ca.pem", tf_path("ca/ca.der")) == 0); /* DER, same name */
    sl_client_t d;
    slc_init(&d, "sl-3200-names", &cfg);
    check_publishes(&d, "localhost", lis[L_MAIN].port);
    cfg = motivating_3200();
    /* The key's id in the CA slot: what sits there is no certificate. */
    cfg = cc3200_cfg(ID_KEY, ID_CERT, ID_KEY);
    check_fails("sl-3200-456-slot", &cfg, "localhost", lis[L_MAIN].port, -456,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", "wrong secure-files slot");
    /* An id with no file behind it (E2E 363643: "a non-existing number" gave -456). */
    cfg = cc3200_cfg(ID_KEY, ID_CERT, 200);
    check_fails("sl-3200-456-noid", &cfg, "localhost", lis[L_MAIN].port, -456,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", "no file has that id");
}

/* A device certificate the broker rejects (not yet valid for the broker's OpenSSL): the
 * broker's alert 42 arrives as -(300 + 42), with its cause. */
TEST(cc3200_device_certificate_rejected_342)
{
    REQUIRE(device_3200(false) == 0);
    REQUIRE(put_id(ID_CERT, "ca/dev-future/cert.der") == 0);
    REQUIRE(put_id(ID_KEY, "ca/dev-future/private.der") == 0);
    mqtls_simplelink_cfg_t cfg = motivating_3200();
    check_fails("sl-3200-342", &cfg, "localhost", lis[L_MAIN].port, -342, MQTLS_ERR_TLS_ALERT,
                "tls.client_cert_rejected", "rejected the device certificate");
    CHECK(sl_emu_evidence()->cert_sent && sl_emu_evidence()->problems == 0);
}

/* The CA file is another CA's: the CC3200's -155 (a CC3220 says -688). */
TEST(cc3200_ca_does_not_sign_the_chain_155)
{
    REQUIRE(device_3200(false) == 0);
    REQUIRE(put_id(ID_CA, "other/ca.der") == 0);
    mqtls_simplelink_cfg_t cfg = motivating_3200();
    check_fails("sl-3200-155", &cfg, "localhost", lis[L_MAIN].port, -155, MQTLS_ERR_TLS_VERIFY,
                "tls.server_untrusted_root", "slot [2]");
}

/* The server's name: option 35 of the CC3200 SDK (host driver 1.0.1.6) checks it, -222 on
 * a mismatch; over the CC32xx SDK a CC3200 has no option for it and the name is refused. */
TEST(cc3200_domain_name)
{
    REQUIRE(device_3200(false) == 0);
    mqtls_simplelink_cfg_t cfg = motivating_3200();
    cfg.server_name = "other.example";
#ifdef MQTLS_SL_SDK_CC3200
    check_fails("sl-3200-222", &cfg, "localhost", lis[L_MAIN].port, -222, MQTLS_ERR_TLS_VERIFY,
                "tls.hostname_mismatch", "option 35");
    cfg.server_name = "localhost";
    sl_client_t d;
    slc_init(&d, "sl-3200-name", &cfg);
    check_publishes(&d, "127.0.0.1", lis[L_MAIN].port);
#else
    sl_client_t d;
    slc_init(&d, "sl-3200-name", &cfg);
    CHECK_STATUS(slc_connect(&d, "localhost", lis[L_MAIN].port), MQTLS_ERR_UNSUPPORTED);
    CHECK_EQ_INT(sl_emu_open_sockets(), 0);
    slc_free(&d);
#endif
}

/* ------------------------------------------------------------------ either chip */

/* A mask of suites the device cannot offer (RC4 and MD5 only): the chip's "unsupported
 * cipher suite" once TCP is up; with nothing listening, TCP's own code first. */
static void no_suite_on(sl_emu_device_t emu, mqtls_simplelink_cfg_t cfg, int code)
{
    REQUIRE(emu == SL_EMU_CC3200 ? device_3200(false) == 0 : device_3220() == 0);
    cfg.cipher_mask = SL_SEC_MASK_SSL_RSA_WITH_RC4_128_SHA | SL_SEC_MASK_SSL_RSA_WITH_RC4_128_MD5;
    check_fails("sl-no-suite", &cfg, "localhost", lis[L_MAIN].port, code,
                MQTLS_ERR_TLS_HANDSHAKE, "tls.no_common_cipher", NULL);
    CHECK_EQ_INT(sl_emu_evidence()->stage, MQTLS_TLS_STAGE_HANDSHAKE); /* TCP was up */
    uint16_t port = test_free_port();
    REQUIRE(port != 0);
    check_fails("sl-no-suite-refused", &cfg, "127.0.0.1", port, -111,
                MQTLS_ERR_CONNECT_REFUSED, "tcp.refused", NULL);
}

TEST(no_common_suite)
{
#ifndef MQTLS_SL_SDK_CC3200
    no_suite_on(SL_EMU_CC3220, cc3220_cfg(), -790);
#endif
    no_suite_on(SL_EMU_CC3200, motivating_3200(), -290);
}

/* A server that accepts TCP and never answers the handshake: -462 after the emulation's
 * handshake limit (TI documents no duration; the test sets one). */
TEST(handshake_timeout_462)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    REQUIRE(fd >= 0);
    if (CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 4) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &alen) == 0)) {
        REQUIRE(device_3200(false) == 0);
        sl_emu_set_handshake_timeout(300);
        mqtls_simplelink_cfg_t cfg = motivating_3200();
        uint64_t t0 = tf_now_ms();
        check_fails("sl-462", &cfg, "127.0.0.1", ntohs(a.sin_port), -462, MQTLS_ERR_TIMEOUT,
                    "tls.handshake_timeout", NULL);
        CHECK(tf_now_ms() - t0 < T_MS / 2); /* the limit ended it, not the client's timeout */
    }
    close(fd);
}

/* The emulated file system answers with the chip's own numbers. */
TEST(file_system_codes)
{
    SlFsFileInfo_t info;
    REQUIRE(sl_emu_reset(store_dir, SL_EMU_CC3220) == 0);
    CHECK_EQ_INT(sl_FsClose(3, NULL, NULL, 0), -10335); /* SL_ERROR_FS_INVALID_HANDLE */
    CHECK_EQ_INT(sl_FsWrite(3, 0, (_u8 *)"x", 1), -10335);
    CHECK_EQ_INT(sl_FsGetInfo((const _u8 *)"/cert/none.der", 0, &info), -10341);
    REQUIRE(sl_emu_reset(store_dir, SL_EMU_CC3200) == 0);
    CHECK_EQ_INT(sl_FsClose(3, NULL, NULL, 0), -17); /* SL_FS_ERR_INVALID_HANDLE */
    CHECK_EQ_INT(sl_FsGetInfo((const _u8 *)"/cert/none.der", 0, &info), -11);
}

/* DNS failures in the chip's numbers: CC3220 -6154, CC3200 -163. */
TEST(dns_failure_per_chip)
{
    REQUIRE(device_3200(false) == 0);
    mqtls_simplelink_cfg_t cfg = motivating_3200();
    sl_client_t d;
    slc_init(&d, "sl-3200-dns", &cfg);
    CHECK_STATUS(slc_connect(&d, "no-such-host..example", 8883), MQTLS_ERR_DNS);
    CHECK_EQ_INT(mqtls_simplelink_last_code(&d.sl), -163);
    check_explained_on(MQTLS_SL_CC3200, -163, MQTLS_ERR_DNS, "dns.not_found", NULL);
    slc_free(&d);
}

#ifdef MQTLS_SL_SDK_CC3200
/* A CC3200 SDK drives a CC3200 only: a CC3220 configuration is refused, before any socket. */
TEST(cc3220_needs_the_cc32xx_sdk)
{
    REQUIRE(device_3220() == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    sl_client_t d;
    slc_init(&d, "sl-3220-on-3200-sdk", &cfg);
    CHECK_STATUS(slc_connect(&d, "localhost", lis[L_MAIN].port), MQTLS_ERR_UNSUPPORTED);
    CHECK_EQ_INT(sl_emu_open_sockets(), 0);
    slc_free(&d);
}
#else /* the CC3220 cases: the CC32xx SDK */

/* ------------------------------------------------------------------ good paths */

TEST(cc3220_connects_and_publishes)
{
    REQUIRE(device_3220() == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    sl_client_t d;
    slc_init(&d, "sl-3220-ok", &cfg);
    check_publishes(&d, "localhost", lis[L_MAIN].port);
    CHECK_EQ_STR(sl_emu_evidence()->version, "TLSv1.2");
    CHECK(sl_emu_evidence()->cert_sent);
}

TEST(cc3220_private_ca_with_catalog_disabled)
{
    REQUIRE(device_3220() == 0);
    sl_emu_catalog_clear(); /* no catalog holds a private CA */
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    cfg.disable_cert_store = true;
    sl_client_t d;
    slc_init(&d, "sl-3220-private-ca", &cfg);
    check_publishes(&d, "localhost", lis[L_MAIN].port);
}

TEST(cc3220_cipher_mask_and_address)
{
    REQUIRE(device_3220() == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    cfg.cipher_mask = SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 |
                      SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    cfg.server_name = "localhost"; /* connecting by address, verifying the name */
    sl_client_t d;
    slc_init(&d, "sl-3220-mask", &cfg);
    check_publishes(&d, "127.0.0.1", lis[L_MAIN].port);
    CHECK(strstr(sl_emu_evidence()->ciphersuite, "ECDHE_ECDSA") != NULL);
    CHECK(strstr(sl_emu_evidence()->ciphersuite, "GCM") != NULL);
}

/* The example firmware's provisioning writes the files; a second run leaves them alone. */
TEST(files_provisioned_by_the_example_firmware)
{
    size_t ca_len, cert_len, key_len;
    uint8_t *ca = tf_read_file(tf_path("ca/ca.der"), &ca_len);
    uint8_t *cert = tf_read_file(tf_path("ca/dev1/cert.der"), &cert_len);
    uint8_t *key = tf_read_file(tf_path("ca/dev1/private.der"), &key_len);
    REQUIRE(sl_emu_reset(store_dir, SL_EMU_CC3220) == 0);
    REQUIRE(sl_emu_catalog_add(tf_path("ca/ca.crt")) == 0);
    if (ca && cert && key) {
        const sensor_node_file_t files[] = {
            {CA_NAME, ca, ca_len, false},
            {CERT_NAME, cert, cert_len, false},
            {KEY_NAME, key, key_len, true},
        };
        CHECK_EQ_INT(sensor_node_provision(files, 3, false), 0);
        CHECK_EQ_INT(sl_emu_fs_writes(), 3);
        CHECK_EQ_INT(sensor_node_provision(files, 3, false), 0);
        CHECK_EQ_INT(sl_emu_fs_writes(), 3); /* stored already: no flash writes */
        CHECK_EQ_INT(sensor_node_provision(files, 3, true), 0);
        CHECK_EQ_INT(sl_emu_fs_writes(), 6);
        CHECK_EQ_INT(sl_emu_open_files(), 0);
        size_t got_len = 0;
        uint8_t *got = sl_emu_get(KEY_NAME, &got_len);
        CHECK(got && got_len == key_len && memcmp(got, key, key_len) == 0);
        free(got);
        mqtls_simplelink_cfg_t cfg = cc3220_cfg();
        sl_client_t d;
        slc_init(&d, "sl-provisioned", &cfg);
        check_publishes(&d, "localhost", lis[L_MAIN].port);
    } else {
        CHECK(!"reading the DER files failed");
    }
    free(ca);
    free(cert);
    free(key);
}

/* ------------------------------------------------------------------ the root CA */

/* The CC3220 case: the CA file is right and the TLS session comes up, but the device's
 * catalog is a development one without that root. The transport must not trust it. */
TEST(root_not_in_catalog_468)
{
    REQUIRE(device_3220() == 0);
    sl_emu_catalog_clear();
    REQUIRE(sl_emu_catalog_add(tf_path("other/ca.crt")) == 0); /* "the playground catalog" */
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-468", &cfg, "localhost", lis[L_MAIN].port, -468, MQTLS_ERR_TLS_VERIFY,
                "device.root_not_in_catalog",
                "the root is not in the device's trusted-root catalog: flash the SDK's real "
                "certificate catalog");
    const mqtls_tls_evidence_t *e = sl_emu_evidence();
    CHECK_EQ_INT(e->stage, MQTLS_TLS_STAGE_ESTABLISHED); /* the session was up */
    CHECK_EQ_INT(e->problems, 0);                        /* and the CA file verified it */
    CHECK(mqtls_simplelink_explain(MQTLS_SL_CC3220, -468).connected);
}

/* The keep policy: asked to (MQTLS_SL_KEEP_UNKNOWN_ROOT), the -468 connection stays up,
 * on_kept says so once, and MQTT works over it. Keeping date errors does not keep it. */
static void on_kept(void *ctx, int16_t code)
{
    int *calls_and_code = ctx;
    calls_and_code[0]++;
    calls_and_code[1] = code;
}

TEST(keep_unknown_root_468)
{
    REQUIRE(device_3220() == 0);
    sl_emu_catalog_clear();
    REQUIRE(sl_emu_catalog_add(tf_path("other/ca.crt")) == 0); /* "the playground catalog" */
    int k[2] = {0, 0}; /* on_kept's calls, and its code */
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    cfg.on_kept = on_kept;
    cfg.on_kept_ctx = k;
    cfg.keep = MQTLS_SL_KEEP_DATE_ERROR;
    check_fails("sl-468-not-kept", &cfg, "localhost", lis[L_MAIN].port, -468,
                MQTLS_ERR_TLS_VERIFY, "device.root_not_in_catalog", NULL);
    CHECK_EQ_INT(k[0], 0);
    cfg.keep = MQTLS_SL_KEEP_UNKNOWN_ROOT;
    sl_client_t d;
    slc_init(&d, "sl-468-kept", &cfg);
    check_publishes(&d, "localhost", lis[L_MAIN].port);
    CHECK_EQ_INT(k[0], 1);
    CHECK_EQ_INT(k[1], -468);
    CHECK_EQ_INT(mqtls_simplelink_warning(&d.sl), -468);
}

TEST(ca_file_does_not_sign_the_chain_688)
{
    REQUIRE(device_3220() == 0);
    REQUIRE(sl_emu_put(CA_NAME, tf_path("other/ca.crt")) == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-688", &cfg, "localhost", lis[L_MAIN].port, -688, MQTLS_ERR_TLS_VERIFY,
                "tls.server_untrusted_root", "does not sign");
}

/* ------------------------------------------------------------------ the files */

TEST(ca_file_missing_454)
{
    REQUIRE(device_3220() == 0);
    sl_emu_remove(CA_NAME);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-454", &cfg, "localhost", lis[L_MAIN].port, -454,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.ca_missing", "not in the device's file system");
    REQUIRE(sl_emu_put(CA_NAME, tf_path("garbage.der")) == 0); /* there, but bad: -456 */
    check_fails("sl-456", &cfg, "localhost", lis[L_MAIN].port, -456,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", NULL);
}

TEST(bad_certificate_file_457)
{
    REQUIRE(device_3220() == 0);
    REQUIRE(sl_emu_put(CERT_NAME, tf_path("garbage.der")) == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-457", &cfg, "localhost", lis[L_MAIN].port, -457,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", "bad certificate file");
    sl_emu_remove(CERT_NAME);
    check_fails("sl-457-missing", &cfg, "localhost", lis[L_MAIN].port, -457,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", "missing");
}

TEST(bad_key_file_458)
{
    REQUIRE(device_3220() == 0);
    REQUIRE(sl_emu_put(KEY_NAME, tf_path("garbage.der")) == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-458", &cfg, "localhost", lis[L_MAIN].port, -458,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", "bad private key file");
    /* Another device's key: not the key of this certificate. */
    REQUIRE(sl_emu_put(KEY_NAME, tf_path("other/dev-other/private.der")) == 0);
    check_fails("sl-458-mismatch", &cfg, "localhost", lis[L_MAIN].port, -458,
                MQTLS_ERR_TLS_CREDENTIALS, "cred.file_wrong_kind", "not the key of the certificate");
}

TEST(no_ca_is_refused_unless_insecure_453)
{
    REQUIRE(device_3220() == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    cfg.ca_file = NULL;
    sl_client_t d;
    slc_init(&d, "sl-no-ca", &cfg);
    CHECK_STATUS(slc_connect(&d, "localhost", lis[L_MAIN].port), MQTLS_ERR_BAD_PARAM);
    CHECK_EQ_INT(sl_emu_open_sockets(), 0); /* refused before any socket */
    slc_free(&d);
    /* Knowingly insecure: connects without verification, and says so. */
    cfg.insecure = true;
    slc_init(&d, "sl-453", &cfg);
    check_publishes(&d, "localhost", lis[L_MAIN].port);
    CHECK_EQ_INT(mqtls_simplelink_warning(&d.sl), -453);
    check_explained(-453, MQTLS_ERR_TLS_VERIFY, "cred.ca_missing", "NOT verified");
}

/* ------------------------------------------------------------------ the broker's side */

TEST(broker_rejects_the_device_certificate_342)
{
    REQUIRE(device_3220() == 0);
    /* A certificate the broker's OpenSSL finds not yet valid: alert 42 bad_certificate. */
    REQUIRE(sl_emu_put(CERT_NAME, tf_path("ca/dev-future/cert.der")) == 0);
    REQUIRE(sl_emu_put(KEY_NAME, tf_path("ca/dev-future/private.der")) == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-342", &cfg, "localhost", lis[L_MAIN].port, -342, MQTLS_ERR_TLS_ALERT,
                "tls.client_cert_rejected", "rejected the device certificate");
    CHECK_EQ_INT(sl_emu_evidence()->problems, 0);     /* the server itself was fine */
    CHECK(sl_emu_evidence()->cert_sent);
}

TEST(broker_does_not_know_the_device_ca_348)
{
    REQUIRE(device_3220() == 0);
    REQUIRE(sl_emu_put(CERT_NAME, tf_path("other/dev-other/cert.der")) == 0);
    REQUIRE(sl_emu_put(KEY_NAME, tf_path("other/dev-other/private.der")) == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-348", &cfg, "localhost", lis[L_MAIN].port, -348, MQTLS_ERR_TLS_ALERT,
                "tls.client_cert_rejected", "unknown_ca");
}

TEST(expired_server_certificate_461)
{
    REQUIRE(device_3220() == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-461", &cfg, "localhost", lis[L_EXPIRED].port, -461, MQTLS_ERR_TLS_VERIFY,
                "tls.server_cert_not_yet_valid", "date and time");
    CHECK(mqtls_simplelink_explain(MQTLS_SL_CC3220, -461).connected);
    /* A device without a clock may accept the date error, knowingly. */
    cfg.keep = MQTLS_SL_KEEP_DATE_ERROR;
    sl_client_t d;
    slc_init(&d, "sl-461-accepted", &cfg);
    check_publishes(&d, "localhost", lis[L_EXPIRED].port);
    CHECK_EQ_INT(mqtls_simplelink_warning(&d.sl), -461);
}

TEST(broker_requires_tls13_370)
{
    REQUIRE(device_3220() == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    check_fails("sl-370", &cfg, "localhost", lis[L_TLS13].port, -370, MQTLS_ERR_TLS_ALERT,
                "tls.version_mismatch", "TLS 1.2");
}

TEST(wrong_domain_name_722)
{
    REQUIRE(device_3220() == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    cfg.server_name = "other.example";
    check_fails("sl-722", &cfg, "localhost", lis[L_MAIN].port, -722, MQTLS_ERR_TLS_VERIFY,
                "tls.hostname_mismatch", "name");
}

/* ------------------------------------------------------------------ the network */

TEST(dns_and_tcp_failures)
{
    REQUIRE(device_3220() == 0);
    mqtls_simplelink_cfg_t cfg = cc3220_cfg();
    sl_client_t d;
    slc_init(&d, "sl-dns", &cfg);
    CHECK_STATUS(slc_connect(&d, "no-such-host..example", 8883), MQTLS_ERR_DNS);
    CHECK_EQ_INT(mqtls_simplelink_last_code(&d.sl), -6154);
    CHECK_EQ_INT(sl_emu_open_sockets(), 0);
    check_explained(-6154, MQTLS_ERR_DNS, "dns.not_found", "did not resolve");
    slc_free(&d);

    uint16_t port = test_free_port();
    REQUIRE(port != 0);
    check_fails("sl-refused", &cfg, "127.0.0.1", port, -111, MQTLS_ERR_CONNECT_REFUSED,
                "tcp.refused", "refused");
}

/* ------------------------------------------------------------------ the explanations */

TEST(every_code_is_explained)
{
    /* What the brief of the issue lists, beyond what the connections above produced. */
    check_explained(-462, MQTLS_ERR_TIMEOUT, "tls.handshake_timeout", "timed out");
    check_explained(-467, MQTLS_ERR_TLS_VERIFY, "", "revoked");
    check_explained(-469, MQTLS_ERR_TLS_VERIFY, "tls.server_untrusted_root", "pinned");
    check_explained(-346, MQTLS_ERR_TLS_ALERT, "tls.client_cert_rejected", "certificate_unknown");
    check_explained(-655, MQTLS_ERR_TLS_VERIFY, "tls.server_untrusted_root", "CA");
    /* An alert without an entry is still an alert: -(300 + alert). */
    check_explained(-347, MQTLS_ERR_TLS_ALERT, "tls.handshake_failed", "-(code) - 300");
    check_explained(-6160, MQTLS_ERR_DNS, "dns.not_found", NULL);
    check_explained(-600 - 99, MQTLS_ERR_TLS_HANDSHAKE, "tls.handshake_failed", NULL);
    check_explained(-2049, MQTLS_ERR_IO, "", NULL);
    check_explained(0, MQTLS_OK, "", NULL);
    check_explained(-114, MQTLS_IN_PROGRESS, "", NULL);
    /* Every cause the table can name is one the doctor knows. */
    for (int c = -1; c >= -7000; c--) {
        mqtls_simplelink_explanation_t e = mqtls_simplelink_explain(MQTLS_SL_CC3220, c);
        if (!CHECK(e.text && e.text[0] && e.cause))
            break;
        if (e.cause[0] && !CHECK(mqtls_cause_by_id(e.cause) != MQTLS_CAUSE_NONE))
            test_note("code %d names unknown cause '%s'", c, e.cause);
        if (e.connected && !CHECK(e.status == MQTLS_ERR_TLS_VERIFY))
            test_note("code %d is 'connected, but' without failing verification", c);
    }
}

#endif /* MQTLS_SL_SDK_CC3200 */

int main(int argc, char **argv)
{
    if (!tf_main_start(argc, argv, setup, &broker))
        return test_main_end();
    /* The motivating CC3200, and what either chip answers. */
    RUN(cc3200_connects_by_file_id);
    RUN(cc3200_bad_ca_file_456);
    RUN(cc3200_device_certificate_rejected_342);
    RUN(cc3200_ca_does_not_sign_the_chain_155);
    RUN(cc3200_domain_name);
    RUN(no_common_suite);
    RUN(handshake_timeout_462);
    RUN(file_system_codes);
    RUN(dns_failure_per_chip);
#ifdef MQTLS_SL_SDK_CC3200
    RUN(cc3220_needs_the_cc32xx_sdk);
#else
    RUN(cc3220_connects_and_publishes);
    RUN(cc3220_private_ca_with_catalog_disabled);
    RUN(cc3220_cipher_mask_and_address);
    RUN(files_provisioned_by_the_example_firmware);
    RUN(root_not_in_catalog_468);
    RUN(keep_unknown_root_468);
    RUN(ca_file_does_not_sign_the_chain_688);
    RUN(ca_file_missing_454);
    RUN(bad_certificate_file_457);
    RUN(bad_key_file_458);
    RUN(no_ca_is_refused_unless_insecure_453);
    RUN(broker_rejects_the_device_certificate_342);
    RUN(broker_does_not_know_the_device_ca_348);
    RUN(expired_server_certificate_461);
    RUN(broker_requires_tls13_370);
    RUN(wrong_domain_name_722);
    RUN(dns_and_tcp_failures);
    RUN(every_code_is_explained);
#endif
    (void)sl_emu_reset(store_dir, SL_EMU_CC3220);
    test_broker_stop(&broker);
    tf_end();
    return test_main_end();
}
