/**
 * @file device_client.c
 * @brief The device bill's firmware (issue 17): a minimal mutual-TLS MQTT client, so that
 *        the linked image counts only what such a client uses.
 *
 * It does what a sensor does: makes a TLS context from credentials in flash, connects
 * (TCP through the board's network stack, given to the TLS transport with
 * mqtls_tls_set_lower(); the TLS 1.2/1.3 handshake, CONNECT), subscribes
 * to its command topic, publishes a reading at QoS 1 and handles traffic. mqtls's core, the
 * TLS transport (src/tls/tls.c, src/tls/mbedtls/) and Mbed TLS in config/mbedtls_device.h
 * are linked from their own archives, so that scripts/size_device.sh can split the flash by
 * archive in the map file. board.c is what a board brings (network stack, tick, TRNG):
 * a stand-in, counted apart, not part of the bill.
 */
#include <string.h>

#include "board.h"
#include "mqtls/client.h"
#include "mqtls/transport_tls.h"

/* What one connected client needs of the caller's RAM: context, buffers, QoS window. The
 * receive buffer is the Maximum Packet Size the client advertises (the TLS input record of
 * config/mbedtls_device.h takes it whole). */
static mqtls_tls_t tls;
static mqtls_client_t client;
static uint8_t rx[4096];
static uint8_t tx[512];
static mqtls_inflight_t inflight[4];
static mqtls_ram_store_t store;
static uint8_t store_buf[1024];
static volatile int connected;

static uint32_t now_ms(void *ctx)
{
    (void)ctx;
    return mqtls_tls_board_ms();
}

static uint32_t random32(void *ctx)
{
    (void)ctx;
    uint32_t r = 0;
    size_t got = 0;
    (void)board_random((unsigned char *)&r, sizeof r, &got);
    return r;
}

static const mqtls_platform_t platform = {now_ms, random32, NULL, NULL};

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    (void)c;
    (void)user;
    if (ev->type == MQTLS_EV_CONNECTED)
        connected = 1;
    else if (ev->type == MQTLS_EV_MESSAGE)
        board_command(ev->message->payload, ev->message->payload_len);
}

static mqtls_status_t tls_context(mqtls_tls_ctx_t **ctx)
{
    mqtls_tls_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_mem = board_ca;
    cfg.ca_mem_len = board_ca_len;
    cfg.cert_mem = board_cert;
    cfg.cert_mem_len = board_cert_len;
    cfg.key_mem = board_key;
    cfg.key_mem_len = board_key_len;
    cfg.max_version = MQTLS_TLS_V1_3;
    /* Counted as a device sets it; but offered with TLS 1.3 it fails today against an
     * OpenSSL server that picks 1.3 (docs/size.md, "The two traps"). */
    cfg.max_fragment_len = 2048;
    return mqtls_tls_ctx_new(ctx, &cfg, NULL);
}

static void client_setup(void)
{
    mqtls_client_cfg_t cc;
    memset(&cc, 0, sizeof cc);
    cc.transport = &mqtls_tls_transport;
    cc.transport_ctx = &tls;
    cc.platform = &platform;
    cc.rx_buf = rx;
    cc.rx_size = sizeof rx;
    cc.tx_buf = tx;
    cc.tx_size = sizeof tx;
    cc.inflight = inflight;
    cc.inflight_cap = 4;
    mqtls_ram_store_init(&store, store_buf, sizeof store_buf);
    cc.store = &mqtls_ram_store;
    cc.store_ctx = &store;
    cc.on_event = on_event;
    mqtls_client_init(&client, &cc);
}

static void run(void)
{
    static const mqtls_connect_opts_t opts = {
        .host = BOARD_BROKER,
        .port = 8883,
        .connect = {.version = MQTLS_V5, .clean_start = true, .keep_alive = 60,
                    .client_id = {"sensor-1", 8}},
    };
    if (mqtls_connect(&client, &opts) != MQTLS_OK)
        return;
    while (!connected)
        if (mqtls_step(&client) != MQTLS_OK)
            return;
    mqtls_subscription_t sub = {{"sensor-1/cmd", 12}, 1};
    (void)mqtls_subscribe(&client, &sub, 1, NULL, NULL);
    for (;;) {
        uint8_t reading[16];
        size_t n = board_reading(reading, sizeof reading);
        mqtls_publish_t pub;
        memset(&pub, 0, sizeof pub);
        pub.topic = (mqtls_str_t){"sensor-1/data", 13};
        pub.payload = reading;
        pub.payload_len = (uint32_t)n;
        pub.qos = 1;
        (void)mqtls_publish(&client, &pub, NULL);
        if (mqtls_step(&client) != MQTLS_OK)
            break;
        board_sleep_ms(mqtls_next_timeout_ms(&client));
    }
    (void)mqtls_disconnect(&client, 0, NULL);
}

int main(void)
{
    mqtls_tls_ctx_t *ctx = NULL;
    board_init();
    if (tls_context(&ctx) != MQTLS_OK)
        return 1;
    mqtls_tls_init(&tls);
    if (mqtls_tls_setup_ctx(&tls, ctx) != MQTLS_OK)
        return 1;
    mqtls_tls_set_lower(&tls, &board_tcp_transport, &board_tcp_socket);
    client_setup();
    for (;;)
        run();
}
