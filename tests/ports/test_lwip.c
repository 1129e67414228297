/**
 * @file test_lwip.c
 * @brief The lwIP transport (ports/lwip) on a real lwIP stack: Debian's liblwip (the unix
 *        port, built without DNS), a netif that loops packets to its own address, and a
 *        relay from an lwIP listening socket to a private mosquitto. The real client talks
 *        MQTT through lwIP's TCP to the broker:
 *
 *   client --mqtls_lwip_transport--> lwIP 10.0.0.1:1883 --relay--> mosquitto 127.0.0.1
 *
 * And mutual TLS over lwIP (the TLS transport on mqtls_lwip_transport, mqtls_tls_set_lower()),
 * through the same relay to a TLS listener of that mosquitto, with the library's backend
 * (Mbed TLS 3.6 in the device configuration in the -DMQTLS_TLS=mbedtls build).
 *
 * Also: refused connects, a silent peer abandoned at the connect timeout, and a host name
 * without lwIP DNS.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <unistd.h>

#include "lwip/sockets.h"

#include "broker.h"
#include "lwip_net.h"
#include "mqtls/client.h"
#include "mqtls/transport_lwip.h"
#include "mqtls/transport_tls.h"
#include "test.h"
#include "tls_fixture.h"

#define LWIP_ADDR LWIP_NET_ADDR
#define RELAY_PORT 1883
#define T_MS 5000u

static test_broker_t broker;
static tf_listener_t tls_lis;           /* the broker's mutual-TLS listener */
static char pki[64];                    /* its credentials (made with openssl) */

/* ------------------------------------------------------------------ a client on lwIP */

typedef struct lw_client {
    mqtls_client_t cli;
    mqtls_lwip_t lw;
    mqtls_client_cfg_t cfg;
    mqtls_connect_opts_t opts;
    char id[32];
    uint8_t rx[8192], tx[1024], store_buf[16384];
    mqtls_inflight_t inflight[16];
    uint16_t qos2_in[16];
    mqtls_ram_store_t store;
    unsigned msgs, bytes, done;
} lw_client_t;

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    lw_client_t *d = user;
    (void)c;
    if (ev->type == MQTLS_EV_MESSAGE) {
        d->msgs++;
        d->bytes += ev->message->payload_len;
    } else if (ev->type == MQTLS_EV_PUBLISH_DONE) {
        d->done++;
    }
}

/* A client on @p transport (NULL: straight on lwIP). */
static void lwc_init_on(lw_client_t *d, const char *id, const mqtls_transport_t *transport,
                        void *transport_ctx)
{
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", id);
    mqtls_lwip_init(&d->lw);
    mqtls_ram_store_init(&d->store, d->store_buf, sizeof d->store_buf);
    d->cfg.transport = transport ? transport : &mqtls_lwip_transport;
    d->cfg.transport_ctx = transport ? transport_ctx : &d->lw;
    d->cfg.platform = &mqtls_platform_posix;
    d->cfg.rx_buf = d->rx;
    d->cfg.rx_size = sizeof d->rx;
    d->cfg.tx_buf = d->tx;
    d->cfg.tx_size = sizeof d->tx;
    d->cfg.inflight = d->inflight;
    d->cfg.inflight_cap = 16;
    d->cfg.qos2_in = d->qos2_in;
    d->cfg.qos2_in_cap = 16;
    d->cfg.store = &mqtls_ram_store;
    d->cfg.store_ctx = &d->store;
    d->cfg.on_event = on_event;
    d->cfg.user = d;
    d->opts.connect.version = MQTLS_V5;
    d->opts.connect.clean_start = true;
    d->opts.connect.keep_alive = 30;
    d->opts.connect.client_id = mqtls_str(d->id);
    mqtls_client_init(&d->cli, &d->cfg);
}

static void lwc_init(lw_client_t *d, const char *id)
{
    lwc_init_on(d, id, NULL, NULL);
}

static mqtls_status_t lwc_connect(lw_client_t *d, const char *host, uint16_t port,
                                  uint32_t timeout_ms)
{
    uint8_t reason = 0;
    d->opts.host = host;
    d->opts.port = port;
    d->opts.connect_timeout_ms = timeout_ms;
    return mqtls_sync_connect(&d->cli, &d->opts, &reason);
}

static void lwc_free(lw_client_t *d)
{
    if (mqtls_state(&d->cli) == MQTLS_STATE_CONNECTED)
        (void)mqtls_disconnect(&d->cli, 0, NULL);
    mqtls_client_free(&d->cli);
}

/* Publishes @p n copies of @p payload to @p topic at @p qos, then runs the client until it
 * has received @p want messages in all (at most 10 s). */
static void publish_and_wait(lw_client_t *d, const char *topic, const uint8_t *payload,
                             uint32_t len, uint8_t qos, int n, unsigned want)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = payload;
    p.payload_len = len;
    p.qos = qos;
    for (int i = 0; i < n; i++)
        if (!CHECK_STATUS(mqtls_sync_publish(&d->cli, &p, T_MS), MQTLS_OK))
            break;
    uint64_t end = (uint64_t)mqtls_platform_posix.now_ms(NULL) + 10000u;
    while (d->msgs < want && (int64_t)(end - mqtls_platform_posix.now_ms(NULL)) > 0)
        (void)mqtls_sync_run(&d->cli, 50);
}

/* ------------------------------------------------------------------ tests */

TEST(mqtt_through_lwip_to_mosquitto)
{
    static lw_client_t d;
    lwc_init(&d, "lwip-client");
    REQUIRE_STATUS(lwc_connect(&d, LWIP_ADDR, RELAY_PORT, T_MS), MQTLS_OK);
    CHECK(mqtls_lwip_fd(&d.lw) >= 0);
    mqtls_subscription_t s = {mqtls_str("lwip/#"), 1};
    uint8_t code = 0xFF;
    REQUIRE_STATUS(mqtls_sync_subscribe(&d.cli, &s, 1, NULL, &code, T_MS), MQTLS_OK);
    CHECK_EQ_INT(code, 1);

    /* QoS 1 to ourselves, through the broker. */
    publish_and_wait(&d, "lwip/one", (const uint8_t *)"over lwIP", 9, 1, 1, 0);

    /* Many payloads larger than a segment: partial writes and split reads. */
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7u);
    publish_and_wait(&d, "lwip/big", big, sizeof big, 0, 100, 101);
    test_note("received %u messages, %u bytes", d.msgs, d.bytes);
    CHECK_EQ_INT(d.msgs, 101);
    CHECK_EQ_INT(d.bytes, 9 + 100 * sizeof big);
    CHECK_EQ_INT(d.done, 1);
    CHECK_STATUS(mqtls_disconnect(&d.cli, 0, NULL), MQTLS_OK);
    CHECK_EQ_INT(mqtls_lwip_fd(&d.lw), -1);
    lwc_free(&d);
}

/* Mutual TLS over lwIP: the TLS transport's lower transport is the lwIP one. */
TEST(mutual_tls_through_lwip)
{
    static lw_client_t d;
    static mqtls_tls_t tls;
    static char ca[96], crt[96], key[96];
    snprintf(ca, sizeof ca, "%s/ca.crt", pki);
    snprintf(crt, sizeof crt, "%s/dev.crt", pki);
    snprintf(key, sizeof key, "%s/dev.key", pki);
    mqtls_tls_cfg_t tc;
    memset(&tc, 0, sizeof tc);
    tc.ca_file = ca;
    tc.cert_file = crt;
    tc.key_file = key;
    tc.server_name = "localhost"; /* the broker's name; we reach it by lwIP's address */
    mqtls_tls_init(&tls);
    REQUIRE_STATUS(mqtls_tls_setup(&tls, &tc), MQTLS_OK);
    lwc_init_on(&d, "lwip-tls", &mqtls_tls_transport, &tls);
    mqtls_tls_set_lower(&tls, &mqtls_lwip_transport, &d.lw);
    lwip_net_retarget(tls_lis.port);
    mqtls_status_t st = lwc_connect(&d, LWIP_ADDR, RELAY_PORT, T_MS);
    const mqtls_tls_evidence_t *e = mqtls_tls_evidence(&tls);
    test_note("%s: %s %s, detail '%s'", mqtls_strerror(st), e->version, e->ciphersuite,
              e->detail);
    if (CHECK_STATUS(st, MQTLS_OK)) {
        CHECK(e->verified && e->problems == 0);
        CHECK(e->cert_requested && e->cert_sent);
        CHECK_EQ_STR(e->version, mqtls_tls_max_version() == MQTLS_TLS_V1_3 ? "TLSv1.3"
                                                                            : "TLSv1.2");
        CHECK(mqtls_lwip_fd(&d.lw) >= 0);
        CHECK_EQ_INT(mqtls_tls_fd(&tls), -1); /* not the built-in TCP */
        mqtls_subscription_t s = {mqtls_str("lwip-tls/#"), 1};
        uint8_t code = 0xFF;
        CHECK_STATUS(mqtls_sync_subscribe(&d.cli, &s, 1, NULL, &code, T_MS), MQTLS_OK);
        static uint8_t big[3000];
        memset(big, 't', sizeof big);
        publish_and_wait(&d, "lwip-tls/big", big, sizeof big, 1, 20, 20);
        CHECK_EQ_INT(d.msgs, 20);
        CHECK_EQ_INT(d.bytes, 20 * sizeof big);
        CHECK_STATUS(mqtls_disconnect(&d.cli, 0, NULL), MQTLS_OK);
        CHECK_EQ_INT(mqtls_lwip_fd(&d.lw), -1);
    }
    CHECK(tf_broker_saw_client(&broker, "lwip-tls"));
    lwc_free(&d);
    mqtls_tls_free(&tls);
    lwip_net_retarget(broker.port);
}

TEST(refused_connect)
{
    lw_client_t *d = calloc(1, sizeof *d);
    REQUIRE(d != NULL);
    lwc_init(d, "lwip-refused");
    CHECK_STATUS(lwc_connect(d, LWIP_ADDR, RELAY_PORT + 1, T_MS), MQTLS_ERR_CONNECT_REFUSED);
    CHECK_EQ_INT(mqtls_lwip_fd(&d->lw), -1);
    lwc_free(d);
    free(d);
}

TEST(silent_peer_is_abandoned_at_the_timeout)
{
    lw_client_t *d = calloc(1, sizeof *d);
    REQUIRE(d != NULL);
    lwc_init(d, "lwip-silent");
    uint32_t t0 = mqtls_platform_posix.now_ms(NULL);
    CHECK_STATUS(lwc_connect(d, "10.0.0.77", RELAY_PORT, 1500), MQTLS_ERR_TIMEOUT);
    uint32_t took = mqtls_platform_posix.now_ms(NULL) - t0;
    test_note("gave up after %u ms", (unsigned)took);
    CHECK(took >= 1400 && took < 4000);
    CHECK_EQ_INT(mqtls_lwip_fd(&d->lw), -1); /* the pending connect was closed */
    lwc_free(d);
    free(d);
}

TEST(host_name_without_lwip_dns)
{
    mqtls_lwip_t t;
    mqtls_lwip_init(&t);
    /* Debian's liblwip has LWIP_DNS=0: names cannot be resolved, addresses can. */
    CHECK_STATUS(mqtls_lwip_transport.connect(&t, "broker.invalid", 1883), MQTLS_ERR_DNS);
    CHECK_EQ_INT(mqtls_lwip_fd(&t), -1);
    CHECK_STATUS(mqtls_lwip_transport.connect(&t, "", 1883), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_lwip_transport.connect(&t, LWIP_ADDR, 0), MQTLS_ERR_BAD_PARAM);
    uint8_t b[4];
    CHECK_STATUS(mqtls_lwip_transport.recv(&t, b, sizeof b), -(int32_t)MQTLS_ERR_STATE);
    CHECK_STATUS(mqtls_lwip_transport.wait(&t, 0, 10), MQTLS_ERR_STATE);
    mqtls_lwip_transport.close(&t);
    mqtls_lwip_transport.close(&t);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    /* The broker's mutual-TLS credentials: a CA, its server (CN and SAN localhost) and a
     * device, P-256, made with openssl's command line. */
    snprintf(pki, sizeof pki, "/tmp/mqtls-lwip-XXXXXX");
    if (!CHECK(mkdtemp(pki) != NULL))
        return test_main_end();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "(cd %s && K='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes' && "
             "openssl req -x509 $K -keyout ca.key -out ca.crt -subj /CN=lwip-test-CA -days 2 "
             "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
             "&& printf 'subjectAltName=DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > s.ext "
             "&& printf 'extendedKeyUsage=clientAuth\\n' > d.ext "
             "&& openssl req $K -keyout srv.key -out srv.csr -subj /CN=localhost "
             "&& openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile s.ext -out srv.crt "
             "&& openssl req $K -keyout dev.key -out dev.csr -subj /CN=lwip-device "
             "&& openssl x509 -req -in dev.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile d.ext -out dev.crt) > /dev/null 2>&1",
             pki);
    if (!CHECK(system(cmd) == 0))
        return test_main_end();
    static char ca[96], srv_crt[96], srv_key[96];
    snprintf(ca, sizeof ca, "%s/ca.crt", pki);
    snprintf(srv_crt, sizeof srv_crt, "%s/srv.crt", pki);
    snprintf(srv_key, sizeof srv_key, "%s/srv.key", pki);
    tls_lis = (tf_listener_t){.cafile = ca, .certfile = srv_crt, .keyfile = srv_key,
                              .require_certificate = true};
    if (!CHECK(tf_broker_start(&broker, &tls_lis, 1) == 0))
        return test_main_end();
    if (CHECK(lwip_net_start(RELAY_PORT, broker.port) == 0)) {
        RUN(mqtt_through_lwip_to_mosquitto);
        RUN(mutual_tls_through_lwip);
        RUN(refused_connect);
        RUN(silent_peer_is_abandoned_at_the_timeout);
        RUN(host_name_without_lwip_dns);
    }
    lwip_net_stop();
    test_broker_stop(&broker);
    snprintf(cmd, sizeof cmd, "rm -rf %s", pki);
    if (system(cmd) != 0)
        test_note("could not remove %s", pki);
    return test_main_end();
}
