/**
 * @file app.c
 * @brief The sensor node's task (see sensor_node.h): connect, keep the classic Device Shadow
 *        in sync (report the settings, apply each delta and report it back: shadow.c),
 *        publish a reading every period at QoS 1, reconnect with backoff. Static memory
 *        only, no heap, no printf (over lwIP, Mbed TLS has a heap of its own: net_lwip.c).
 *
 * It drives the client without the blocking layer: mqtls_connect() starts a connection,
 * mqtls_step() does the work, and the task sleeps in the transport's wait() until the
 * socket has data or the client's next deadline (keep-alive, timeouts) or the next
 * reading is due.
 *
 * The network is net.h's: a SimpleLink network processor's TLS (net_simplelink.c: CC3220,
 * CC3200), or TLS on Mbed TLS over lwIP (net_lwip.c).
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "freertos_api.h"
#include "line.h"
#include "mqtls/client.h"
#include "mqtls/platform_freertos.h"
#include "net.h"
#include "sensor_node.h"
#include "shadow.h"

/* ---- the client's memory ---------------------------------------------------------- */

static mqtls_freertos_platform_t plat;
static mqtls_client_t client;
static mqtls_connect_opts_t opts;
static uint8_t rx_buf[1024];      /* the shadow's deltas: state, metadata, version, timestamp */
static uint8_t tx_buf[256];
static uint8_t store_buf[1024];   /* unacknowledged readings, kept for a resend */
static mqtls_inflight_t inflight[4];
static uint16_t qos2_in[2];
static mqtls_ram_store_t store;

static struct node {
    uint32_t retry_at;   /* ms: no connection attempt before */
    uint32_t backoff_ms; /* the next retry's delay before jitter */
    uint32_t next_reading;
    uint32_t seq;
    sensor_shadow_state_t shadow; /* the settings the shadow keeps: period, LED */
    bool report_due;              /* the settings changed (or we connected): report them */
    bool subscribe_due;           /* connected: subscribe to the shadow's deltas */
} node = {.shadow = {SENSOR_NODE_PERIOD_MS, false}};

/* The shadow's topics, built at setup: exactly their size (with the NUL), not the
 * MQTLS_AWS_TOPIC_MAX any thing name would need. */
static char delta_topic[sizeof("$aws/things/" SENSOR_NODE_THING "/shadow/update/delta")];
static char update_topic[sizeof("$aws/things/" SENSOR_NODE_THING "/shadow/update")];

/* ---- time --------------------------------------------------------------------------- */

static uint32_t now_ms(void)
{
    return plat.platform.now_ms(plat.platform.ctx);
}

static bool reached(uint32_t now, uint32_t when)
{
    return (int32_t)(now - when) >= 0;
}

/* For the short sleeps of this task (up to a few seconds): no 64-bit arithmetic. */
static void sleep_ms(uint32_t ms)
{
    uint32_t ticks = (ms * (uint32_t)configTICK_RATE_HZ + 999u) / 1000u;
    vTaskDelay((TickType_t)(ticks ? ticks : 1u));
}

/* ---- reconnecting ------------------------------------------------------------------- */

/* Exponential backoff with "equal jitter": half the delay fixed, half random, so a fleet
 * that lost its broker at once does not come back at once. */
static void schedule_retry(void)
{
    uint32_t d = node.backoff_ms;
    uint32_t jitter = plat.platform.random(plat.platform.ctx) % (d / 2u + 1u);
    node.retry_at = now_ms() + d / 2u + jitter;
    node.backoff_ms = d >= SENSOR_NODE_BACKOFF_MAX_MS / 2u ? SENSOR_NODE_BACKOFF_MAX_MS : d * 2u;
}

/* Why the connection failed or ended, with what the network knows of it. */
static void log_failure(const char *what, mqtls_status_t st)
{
    line_t l = {{0}, 0};
    line_put(&l, what);
    line_put(&l, ": ");
    line_put(&l, mqtls_strerror(st));
    sensor_net_log_failure(&l);
}

/* A delta of our shadow: take the settings we know, report them from the task (the message
 * lives during the callback only; the report is sent outside it). */
static void on_message(const mqtls_publish_t *m)
{
    unsigned changed = 0;
    if (!sensor_shadow_is_delta(SENSOR_NODE_THING, m->topic.data, m->topic.len))
        return;
    if (sensor_shadow_apply_delta(&node.shadow, (const char *)m->payload, m->payload_len,
                                  &changed) != MQTLS_OK || changed == 0) {
        board_log("shadow delta ignored"); /* nothing we can honour: no report, no loop */
        return;
    }
    if (changed & SENSOR_SHADOW_LED)
        board_set_led(node.shadow.led);
    if (changed & SENSOR_SHADOW_PERIOD)
        node.next_reading = now_ms() + node.shadow.period_ms;
    board_log("shadow delta applied");
    node.report_due = true;
}

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    line_t l = {{0}, 0};
    (void)c;
    (void)user;
    switch (ev->type) {
    case MQTLS_EV_CONNECTED:
        board_log("connected");
        node.backoff_ms = SENSOR_NODE_BACKOFF_MIN_MS;
        node.next_reading = now_ms();
        node.subscribe_due = true; /* a clean session or not: subscribing again is harmless */
        node.report_due = true;
        break;
    case MQTLS_EV_MESSAGE:
        on_message(ev->message);
        break;
    case MQTLS_EV_CONNECT_FAILED:
        log_failure("connect failed", ev->status);
        schedule_retry();
        break;
    case MQTLS_EV_DISCONNECTED:
        log_failure("connection lost", ev->status);
        schedule_retry();
        break;
    case MQTLS_EV_PUBLISH_DONE:
        line_put(&l, "delivered (a reading or a shadow report), packet id ");
        line_put_int(&l, ev->packet_id);
        board_log(l.buf);
        break;
    case MQTLS_EV_PUBLISH_DROPPED:
        board_log("a reading was dropped (the broker kept no session)");
        break;
    default:
        break;
    }
}

/* ---- the work ------------------------------------------------------------------------ */

static void setup(void)
{
    mqtls_client_cfg_t cfg;

    mqtls_platform_freertos_init(&plat, sensor_net_random, NULL);
    mqtls_ram_store_init(&store, store_buf, sizeof store_buf);
    memset(&cfg, 0, sizeof cfg);
    sensor_net_init(&cfg);
    cfg.platform = &plat.platform;
    cfg.rx_buf = rx_buf;
    cfg.rx_size = sizeof rx_buf;
    cfg.tx_buf = tx_buf;
    cfg.tx_size = sizeof tx_buf;
    cfg.inflight = inflight;
    cfg.inflight_cap = (uint16_t)(sizeof inflight / sizeof inflight[0]);
    cfg.qos2_in = qos2_in;
    cfg.qos2_in_cap = (uint16_t)(sizeof qos2_in / sizeof qos2_in[0]);
    cfg.store = &mqtls_ram_store;
    cfg.store_ctx = &store;
    cfg.on_event = on_event;
    mqtls_client_init(&client, &cfg);

    memset(&opts, 0, sizeof opts);
    opts.host = SENSOR_NODE_BROKER_HOST;
    opts.port = SENSOR_NODE_BROKER_PORT;
    opts.connect.version = MQTLS_V311;
    opts.connect.client_id = mqtls_str(SENSOR_NODE_CLIENT_ID);
    opts.connect.keep_alive = SENSOR_NODE_KEEP_ALIVE_S;
    opts.connect.clean_start = false; /* unacknowledged readings survive a reconnect */

    node.backoff_ms = SENSOR_NODE_BACKOFF_MIN_MS;
    node.retry_at = now_ms();
    /* A thing name the helpers refuse is a build setting to fix: the shadow stays off. */
    if (mqtls_aws_shadow_topic(SENSOR_NODE_THING, NULL, MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DELTA,
                               delta_topic, sizeof delta_topic, NULL) != MQTLS_OK ||
        mqtls_aws_shadow_topic(SENSOR_NODE_THING, NULL, MQTLS_AWS_SHADOW_UPDATE,
                               MQTLS_AWS_REQUEST, update_topic, sizeof update_topic,
                               NULL) != MQTLS_OK) {
        board_log("SENSOR_NODE_THING is not a valid thing name: no shadow");
        delta_topic[0] = update_topic[0] = '\0';
    }
}

/* The shadow's work, once per loop: subscribe to the deltas after a connect, then report the
 * settings (after a connect and after each delta applied). */
static void shadow_step(void)
{
    static char doc[SENSOR_SHADOW_DOC_MAX];
    mqtls_publish_t pub;
    if (delta_topic[0] == '\0')
        return;
    if (node.subscribe_due) {
        const mqtls_subscription_t sub = {mqtls_str(delta_topic), 1};
        if (mqtls_subscribe(&client, &sub, 1, NULL, NULL) == MQTLS_OK)
            node.subscribe_due = false;
        return;
    }
    size_t len = 0;
    if (!node.report_due || sensor_shadow_report(&node.shadow, doc, sizeof doc, &len) != MQTLS_OK)
        return;
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str(update_topic);
    pub.payload = (const uint8_t *)doc;
    pub.payload_len = (uint32_t)len;
    pub.qos = 1; /* stored before it is sent: doc may change afterwards */
    mqtls_status_t st = mqtls_publish(&client, &pub, NULL);
    if (st == MQTLS_OK)
        node.report_due = false; /* else: the window is full, try again next loop */
}

/* {"seq":12,"temp_c":23.45} */
static void publish_reading(void)
{
    int32_t centi = 0;
    line_t l = {{0}, 0};
    mqtls_publish_t pub;
    if (!board_read_temperature(&centi)) {
        board_log("sensor read failed");
        return;
    }
    uint32_t mag = centi < 0 ? 0u - (uint32_t)centi : (uint32_t)centi;
    line_put(&l, "{\"seq\":");
    line_put_int(&l, (int32_t)(node.seq & 0x7FFFFFFFu));
    line_put(&l, ",\"temp_c\":");
    if (centi < 0)
        line_put(&l, "-");
    line_put_int(&l, (int32_t)(mag / 100u));
    line_put(&l, mag % 100u < 10u ? ".0" : ".");
    line_put_int(&l, (int32_t)(mag % 100u));
    line_put(&l, "}");

    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str(SENSOR_NODE_TOPIC);
    pub.payload = (const uint8_t *)l.buf;
    pub.payload_len = (uint32_t)l.len;
    pub.qos = 1;
    /* QoS 1: the client stores the packet before sending, so l may go out of scope. */
    mqtls_status_t st = mqtls_publish(&client, &pub, NULL);
    if (st == MQTLS_OK)
        node.seq++;
    else
        log_failure("publish refused", st); /* e.g. the window is full: skip this reading */
}

static bool try_connect(void)
{
    if (!sensor_net_prepare()) {
        schedule_retry();
        return false;
    }
    mqtls_status_t st = mqtls_connect(&client, &opts);
    if (st != MQTLS_OK) {
        log_failure("connect refused", st);
        schedule_retry();
        return false;
    }
    return true;
}

/* Sleeps until the socket has data, the client's next deadline, or the next reading. */
static void wait_for_work(uint32_t now)
{
    uint32_t t = mqtls_next_timeout_ms(&client);
    if (mqtls_state(&client) == MQTLS_STATE_CONNECTED) {
        uint32_t to_reading = reached(now, node.next_reading) ? 0u : node.next_reading - now;
        if (to_reading < t)
            t = to_reading;
    }
    if (!sensor_net_wait(t))
        sleep_ms(t < 100u ? t : 100u);
}

void sensor_node_task(void *arg)
{
    (void)arg;
    setup();
    for (;;) {
        uint32_t now = now_ms();
        if (mqtls_state(&client) == MQTLS_STATE_DISCONNECTED) {
            if (!board_network_ready() || !reached(now, node.retry_at) || !try_connect()) {
                sleep_ms(200);
                continue;
            }
        }
        (void)mqtls_step(&client); /* failures arrive as events */
        now = now_ms();
        if (mqtls_state(&client) == MQTLS_STATE_CONNECTED)
            shadow_step();
        if (mqtls_state(&client) == MQTLS_STATE_CONNECTED && reached(now, node.next_reading)) {
            publish_reading();
            node.next_reading = now + node.shadow.period_ms;
        }
        if (mqtls_state(&client) != MQTLS_STATE_DISCONNECTED)
            wait_for_work(now);
    }
}
