/**
 * @file shadow_device.c
 * @brief A device on a host (Linux) that publishes telemetry and keeps its classic Device
 *        Shadow in sync, over mutual TLS: the sensor node's shadow logic
 *        (examples/sensor-node/shadow.c) on the library's TLS transport. `make demo` runs it
 *        against `mqtls awslocal`; with an AWS IoT endpoint, its root CA and a thing's
 *        certificate it runs against AWS IoT Core the same way.
 *
 *   shadow-device HOST PORT CAFILE CERT KEY THING [DELTAS [SECONDS]]
 *
 * It connects with the thing's name as client id, subscribes to its shadow's
 * `/update/delta`, reports its state (`state.reported`), then publishes a reading to
 * `things/<thing>/telemetry` every period_ms. Each delta it receives is applied (the keys
 * it knows: period_ms, led) and reported back. It exits 0 once it has applied and reported
 * DELTAS deltas (0, the default: never), 1 when SECONDS pass first (default 60) or the
 * connection fails, and 0 on SIGINT/SIGTERM after disconnecting.
 *
 * Memory is the caller's, as on a microcontroller: static buffers, no heap in the client
 * (the TLS backend, OpenSSL, allocates its own).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtls/aws.h"
#include "mqtls/client.h"
#include "mqtls/platform.h"
#include "mqtls/transport_tls.h"
#include "shadow.h"

static uint8_t rx_buf[2048]; /* a delta carries state, metadata, version, timestamp */
static uint8_t tx_buf[512];
static uint8_t store_buf[4096];
static mqtls_inflight_t inflight[8];
static uint16_t qos2_in[4];

static struct device {
    const char *thing;
    sensor_shadow_state_t shadow;
    unsigned pending;        /* SENSOR_SHADOW_* bits applied but not yet reported */
    unsigned deltas_applied; /* deltas applied and reported */
    uint32_t seq;
    char delta_topic[MQTLS_AWS_TOPIC_MAX + 1];
    char update_topic[MQTLS_AWS_TOPIC_MAX + 1];
    char telemetry_topic[MQTLS_AWS_THING_NAME_MAX + 32];
} dev = {.shadow = {1000u, false}};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint32_t now_ms(void)
{
    return mqtls_platform_posix.now_ms(mqtls_platform_posix.ctx);
}

/* What a delta changed, in words: "period_ms 1000 -> 500, led off -> on". */
static void say_applied(const sensor_shadow_state_t *before, unsigned changed)
{
    printf("applied:");
    if (changed & SENSOR_SHADOW_PERIOD)
        printf(" period_ms %u -> %u", (unsigned)before->period_ms, (unsigned)dev.shadow.period_ms);
    if (changed & SENSOR_SHADOW_LED)
        printf("%s led %s -> %s", (changed & SENSOR_SHADOW_PERIOD) ? "," : "",
               before->led ? "on" : "off", dev.shadow.led ? "on" : "off");
    printf("\n");
}

/* In the callback: the message (and its payload) is valid during the call only, so the
 * delta is applied here and the report is sent from the main loop. */
static void on_delta(const mqtls_publish_t *m)
{
    sensor_shadow_state_t before = dev.shadow;
    unsigned changed = 0;
    printf("delta received: %.*s\n", (int)m->payload_len, (const char *)m->payload);
    mqtls_status_t st =
        sensor_shadow_apply_delta(&dev.shadow, (const char *)m->payload, m->payload_len, &changed);
    if (st != MQTLS_OK) {
        printf("delta ignored: %s\n", mqtls_strerror(st));
        return;
    }
    if (changed == 0) {
        printf("delta ignored: no setting this device knows\n");
        return;
    }
    say_applied(&before, changed);
    dev.pending |= changed;
}

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    (void)c;
    (void)user;
    if (ev->type == MQTLS_EV_MESSAGE &&
        sensor_shadow_is_delta(dev.thing, ev->message->topic.data, ev->message->topic.len))
        on_delta(ev->message);
    else if (ev->type == MQTLS_EV_DISCONNECTED && ev->status != MQTLS_OK)
        printf("connection lost: %s\n", mqtls_strerror(ev->status));
}

/* Publishes at QoS 1 and waits for the PUBACK. */
static mqtls_status_t publish(mqtls_client_t *c, const char *topic, const char *payload,
                              size_t len)
{
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str(topic);
    p.payload = (const uint8_t *)payload;
    p.payload_len = (uint32_t)len;
    p.qos = 1;
    return mqtls_sync_publish(c, &p, 10000);
}

static mqtls_status_t report(mqtls_client_t *c)
{
    char doc[SENSOR_SHADOW_DOC_MAX];
    size_t len = 0;
    mqtls_status_t st = sensor_shadow_report(&dev.shadow, doc, sizeof doc, &len);
    if (st == MQTLS_OK)
        st = publish(c, dev.update_topic, doc, len);
    if (st == MQTLS_OK)
        printf("reported: %s\n", doc);
    return st;
}

/* A plausible indoor temperature that drifts a little. */
static mqtls_status_t publish_reading(mqtls_client_t *c)
{
    char doc[96];
    int centi = 2150 + rand() % 100 - 50;
    int n = snprintf(doc, sizeof doc, "{\"seq\":%u,\"temp_c\":%d.%02d,\"led\":%s}",
                     (unsigned)++dev.seq, centi / 100, centi % 100, dev.shadow.led ? "true" : "false");
    mqtls_status_t st = publish(c, dev.telemetry_topic, doc, (size_t)n);
    if (st == MQTLS_OK)
        printf("telemetry: %s\n", doc);
    return st;
}

static bool make_topics(const char *thing)
{
    dev.thing = thing;
    int n = snprintf(dev.telemetry_topic, sizeof dev.telemetry_topic, "things/%s/telemetry",
                     thing);
    return mqtls_aws_shadow_topic(thing, NULL, MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DELTA,
                                  dev.delta_topic, sizeof dev.delta_topic, NULL) == MQTLS_OK &&
           mqtls_aws_shadow_topic(thing, NULL, MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_REQUEST,
                                  dev.update_topic, sizeof dev.update_topic, NULL) == MQTLS_OK &&
           n > 0 && (size_t)n < sizeof dev.telemetry_topic;
}

static void client_setup(mqtls_client_t *c, mqtls_tls_t *tls, mqtls_ram_store_t *store)
{
    mqtls_client_cfg_t cfg;
    mqtls_ram_store_init(store, store_buf, sizeof store_buf);
    memset(&cfg, 0, sizeof cfg);
    cfg.transport = &mqtls_tls_transport;
    cfg.transport_ctx = tls;
    cfg.platform = &mqtls_platform_posix;
    cfg.rx_buf = rx_buf;
    cfg.rx_size = sizeof rx_buf;
    cfg.tx_buf = tx_buf;
    cfg.tx_size = sizeof tx_buf;
    cfg.inflight = inflight;
    cfg.inflight_cap = (uint16_t)(sizeof inflight / sizeof inflight[0]);
    cfg.qos2_in = qos2_in;
    cfg.qos2_in_cap = (uint16_t)(sizeof qos2_in / sizeof qos2_in[0]);
    cfg.store = &mqtls_ram_store;
    cfg.store_ctx = store;
    cfg.on_event = on_event;
    mqtls_client_init(c, &cfg);
}

/* Connects, subscribes to the deltas and reports the state the device starts with. */
static mqtls_status_t start(mqtls_client_t *c, mqtls_connect_opts_t *opts)
{
    uint8_t reason = 0, granted = 0;
    mqtls_status_t st = mqtls_sync_connect(c, opts, &reason);
    if (st != MQTLS_OK)
        return st;
    printf("connected to %s:%u over mutual TLS as %s\n", opts->host, (unsigned)opts->port,
           dev.thing);
    mqtls_subscription_t sub = {mqtls_str(dev.delta_topic), 1};
    st = mqtls_sync_subscribe(c, &sub, 1, NULL, &granted, 10000);
    if (st == MQTLS_OK && granted > 1)
        st = MQTLS_ERR_REFUSED;
    if (st != MQTLS_OK)
        return st;
    printf("subscribed to %s\n", dev.delta_topic);
    return report(c);
}

/* Telemetry every period_ms, the deltas' reports, until done, stopped or out of time. */
static mqtls_status_t run(mqtls_client_t *c, unsigned deltas, uint32_t seconds)
{
    uint32_t t0 = now_ms(), next_reading = t0;
    mqtls_status_t st = MQTLS_OK;
    while (!stop && st == MQTLS_OK) {
        if (deltas > 0 && dev.deltas_applied >= deltas)
            return MQTLS_OK;
        if (now_ms() - t0 >= seconds * 1000u) {
            fprintf(stderr, "shadow-device: %u s passed before %u delta(s) came\n",
                    (unsigned)seconds, deltas);
            return MQTLS_ERR_TIMEOUT;
        }
        if (dev.pending != 0) {
            dev.pending = 0;
            st = report(c);
            dev.deltas_applied += st == MQTLS_OK;
            continue;
        }
        if ((int32_t)(now_ms() - next_reading) >= 0) {
            st = publish_reading(c);
            next_reading = now_ms() + dev.shadow.period_ms;
            continue;
        }
        st = mqtls_sync_run(c, 50);
    }
    return st;
}

static int usage(void)
{
    fprintf(stderr, "usage: shadow-device HOST PORT CAFILE CERT KEY THING [DELTAS [SECONDS]]\n");
    return 2;
}

int main(int argc, char **argv)
{
    static mqtls_client_t client;
    static mqtls_tls_t tls;
    static mqtls_ram_store_t store;
    static mqtls_connect_opts_t opts;
    mqtls_tls_cfg_t tcfg;

    if (argc < 7 || argc > 9 || !make_topics(argv[6]))
        return usage();
    unsigned deltas = argc > 7 ? (unsigned)strtoul(argv[7], NULL, 10) : 0u;
    uint32_t seconds = argc > 8 ? (uint32_t)strtoul(argv[8], NULL, 10) : 60u;
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.ca_file = argv[3];
    tcfg.cert_file = argv[4];
    tcfg.key_file = argv[5];
    mqtls_tls_init(&tls);
    mqtls_status_t st = mqtls_tls_setup(&tls, &tcfg);
    if (st != MQTLS_OK) {
        fprintf(stderr, "shadow-device: credentials: %s\n", mqtls_strerror(st));
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* each line when it happens, also into a pipe */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    client_setup(&client, &tls, &store);
    opts.host = argv[1];
    opts.port = (uint16_t)strtoul(argv[2], NULL, 10);
    opts.connect.version = MQTLS_V311;
    opts.connect.client_id = mqtls_str(dev.thing);
    opts.connect.keep_alive = 30;
    opts.connect.clean_start = true;
    st = start(&client, &opts);
    if (st == MQTLS_OK)
        st = run(&client, deltas, seconds);
    if (st != MQTLS_OK)
        fprintf(stderr, "shadow-device: %s\n", mqtls_strerror(st));
    mqtls_disconnect(&client, 0, NULL);
    mqtls_client_free(&client);
    mqtls_tls_free(&tls);
    return st == MQTLS_OK ? 0 : 1;
}
