/**
 * @file test_sensor_node_lwip.c
 * @brief The example firmware's lwIP variant run on the host: examples/sensor-node's task
 *        (app.c, net_lwip.c, shadow.c, line.c: compiled as the cross build compiles them)
 *        on Debian's lwIP (lwip_net.h), with the TLS transport on this build's backend
 *        (Mbed TLS 3.6 in the device configuration in the -DMQTLS_TLS=mbedtls build),
 *        against a private mosquitto's mutual-TLS listener:
 *
 *   sensor_node_task --TLS over lwIP--> 10.0.0.1:8883 --relay--> mosquitto (TLS)
 *
 * This file is the board: FreeRTOS's two functions (tick and delay, on the host's
 * clock) and board.h's hooks. The credentials are the firmware's own kind, C arrays linked
 * in, made at build time (sensor_node_pki.sh: `mqtls pki`, `mqtls cert embed`).
 *
 * Checked from a second client on the broker: readings arrive at QoS 1, the Device Shadow
 * is reported, a delta is applied (the LED) and reported back; and when the broker's
 * address stops speaking TLS, the failure is logged with the TLS evidence.
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "freertos_api.h"
#include "integ_client.h"
#include "lwip_net.h"
#include "sensor_node.h"
#include "test.h"
#include "tls_fixture.h"

#define T_MS 20000u

/* ------------------------------------------------------------------ the board */

static pthread_mutex_t board_lock = PTHREAD_MUTEX_INITIALIZER;
static char board_log_text[16384];
static int led = -1; /* -1: never set */

TickType_t xTaskGetTickCount(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (TickType_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void vTaskDelay(TickType_t ticks)
{
    usleep((useconds_t)ticks * 1000u); /* configTICK_RATE_HZ is 1000 */
}

/* At the end the network "goes down", so that the task sleeps, away from TLS and lwIP,
 * while the process exits (a firmware task never returns). */
static volatile int network_down, idle_polls;

bool board_network_ready(void)
{
    if (!network_down)
        return true;
    idle_polls++;
    return false;
}

bool board_read_temperature(int32_t *centi_celsius)
{
    *centi_celsius = 2345;
    return true;
}

void board_set_led(bool on)
{
    pthread_mutex_lock(&board_lock);
    led = on;
    pthread_mutex_unlock(&board_lock);
}

void board_log(const char *line)
{
    pthread_mutex_lock(&board_lock);
    size_t n = strlen(board_log_text);
    snprintf(board_log_text + n, sizeof board_log_text - n, "%s\n", line);
    pthread_mutex_unlock(&board_lock);
}

bool board_random(uint32_t *out)
{
    return getrandom(out, sizeof *out, 0) == (ssize_t)sizeof *out;
}

/* Has the firmware logged a line with all of @p a and @p b (b may be NULL)? */
static bool logged(const char *a, const char *b)
{
    bool found = false;
    pthread_mutex_lock(&board_lock);
    for (const char *l = board_log_text; *l && !found;) {
        const char *end = strchr(l, '\n');
        size_t n = end ? (size_t)(end - l) : strlen(l);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)n, l);
        found = strstr(line, a) && (!b || strstr(line, b));
        l += n + (end ? 1 : 0);
    }
    pthread_mutex_unlock(&board_lock);
    return found;
}

static int led_now(void)
{
    pthread_mutex_lock(&board_lock);
    int v = led;
    pthread_mutex_unlock(&board_lock);
    return v;
}

/* ------------------------------------------------------------------ the test */

static test_broker_t broker;
static tf_listener_t tls_lis;

static void *task_run(void *arg)
{
    sensor_node_task(arg);
    return NULL;
}

typedef struct watch {
    ic_client_t *obs;
    const char *topic;
    const char *payload;
    bool (*extra)(void);
} watch_t;

static bool seen(void *arg)
{
    const watch_t *w = arg;
    return ic_find(w->obs, w->topic, w->payload) != NULL && (!w->extra || w->extra());
}

static bool led_on(void)
{
    return led_now() == 1;
}

#define REPORT_TOPIC "$aws/things/" SENSOR_NODE_THING "/shadow/update"
#define DELTA_TOPIC "$aws/things/" SENSOR_NODE_THING "/shadow/update/delta"

TEST(the_firmware_reports_publishes_and_takes_a_delta)
{
    static ic_client_t obs;
    ic_setup_t s = {.version = MQTLS_V311, .client_id = "sensor-observer", .port = broker.port};
    REQUIRE(ic_init(&obs, &s) == 0);
    REQUIRE_STATUS(ic_connect(&obs), MQTLS_OK);
    REQUIRE_STATUS(ic_subscribe(&obs, SENSOR_NODE_TOPIC, 1), MQTLS_OK);
    REQUIRE_STATUS(ic_subscribe(&obs, REPORT_TOPIC, 1), MQTLS_OK);
    ic_client_t *cs[] = {&obs};

    pthread_t task;
    REQUIRE(pthread_create(&task, NULL, task_run, NULL) == 0);
    pthread_detach(task); /* a firmware task does not return */

    /* Connected over mutual TLS through lwIP: the settings reported, readings coming. */
    watch_t report = {&obs, REPORT_TOPIC,
                      "{\"state\":{\"reported\":{\"period_ms\":500,\"led\":false}}}", NULL};
    CHECK(ic_run_until(cs, 1, seen, &report, T_MS));
    watch_t third = {&obs, SENSOR_NODE_TOPIC, "{\"seq\":2,\"temp_c\":23.45}", NULL};
    CHECK(ic_run_until(cs, 1, seen, &third, T_MS));
    CHECK(ic_find(&obs, SENSOR_NODE_TOPIC, "{\"seq\":0,\"temp_c\":23.45}") != NULL);
    CHECK(logged("connected", NULL));
    CHECK(tf_broker_saw_client(&broker, SENSOR_NODE_CLIENT_ID));

    /* A delta of its shadow: the LED goes on, and the new settings are reported. */
    REQUIRE_STATUS(ic_publish(&obs, DELTA_TOPIC,
                              "{\"version\":2,\"timestamp\":1,\"state\":{\"led\":true}}", 1,
                              false),
                   MQTLS_OK);
    watch_t applied = {&obs, REPORT_TOPIC,
                       "{\"state\":{\"reported\":{\"period_ms\":500,\"led\":true}}}", led_on};
    CHECK(ic_run_until(cs, 1, seen, &applied, T_MS));
    CHECK(logged("shadow delta applied", NULL));

    /* The broker's address stops speaking TLS, and the connection is taken over: the
     * firmware's reconnects fail, logged with what TLS saw. */
    lwip_net_retarget(broker.port);
    static ic_client_t thief;
    ic_setup_t t = {.version = MQTLS_V311, .client_id = SENSOR_NODE_CLIENT_ID,
                    .port = broker.port};
    REQUIRE(ic_init(&thief, &t) == 0);
    CHECK_STATUS(ic_connect(&thief), MQTLS_OK);
    uint64_t end = (uint64_t)xTaskGetTickCount() + T_MS;
    while (!logged("connect failed", "[TLS: ") && (int64_t)(end - xTaskGetTickCount()) > 0)
        ic_run(cs, 1, 100);
    CHECK(logged("connection lost", NULL));
    CHECK(logged("connect failed", "[TLS: "));
    pthread_mutex_lock(&board_lock);
    test_note("the firmware's log:\n%s", board_log_text);
    pthread_mutex_unlock(&board_lock);
    network_down = 1;
    end = (uint64_t)xTaskGetTickCount() + T_MS;
    while (idle_polls < 2 && (int64_t)(end - xTaskGetTickCount()) > 0)
        usleep(10000);
    CHECK(idle_polls >= 2); /* the task waits for the network, between connects */
    ic_free(&thief);
    ic_free(&obs);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    tls_lis = (tf_listener_t){.cafile = SN_PKI "/ca.crt", .certfile = SN_PKI "/server.crt",
                              .keyfile = SN_PKI "/server.key", .require_certificate = true};
    if (!CHECK(tf_broker_start(&broker, &tls_lis, 1) == 0))
        return test_main_end();
    if (CHECK(lwip_net_start(SENSOR_NODE_BROKER_PORT, tls_lis.port) == 0))
        RUN(the_firmware_reports_publishes_and_takes_a_delta);
    /* The task sleeps, waiting for the network: the process ends with it. */
    lwip_net_stop();
    test_broker_stop(&broker);
    return test_main_end();
}
