/**
 * @file sensor_node.h
 * @brief Example firmware: a sensor node that publishes a reading periodically over MQTT
 *        with TLS on a CC3220, or with MQTLS_SL_SDK_CC3200 on a CC3200 (SimpleLink
 *        transport, FreeRTOS platform).
 *
 * Settings are compile-time macros (SENSOR_NODE_*) with the defaults below; pass your own
 * with -D. See README.md.
 */
#ifndef SENSOR_NODE_H
#define SENSOR_NODE_H

#include <stdbool.h>
#include <stddef.h>

#ifndef SENSOR_NODE_BROKER_HOST
#define SENSOR_NODE_BROKER_HOST "mqtt.example.net"
#endif
#ifndef SENSOR_NODE_BROKER_PORT
#define SENSOR_NODE_BROKER_PORT 8883
#endif
#ifndef SENSOR_NODE_CLIENT_ID
#define SENSOR_NODE_CLIENT_ID "sensor-node-1" /* the device certificate's CN */
#endif
#ifndef SENSOR_NODE_THING
#define SENSOR_NODE_THING "sensor-node-1" /* the thing whose classic shadow the node keeps */
#endif
#ifndef SENSOR_NODE_TOPIC
#define SENSOR_NODE_TOPIC "sensors/sensor-node-1/temperature"
#endif
#ifndef SENSOR_NODE_PERIOD_MS
#define SENSOR_NODE_PERIOD_MS 10000u /* one reading every 10 s, until the shadow says otherwise */
#endif
#ifndef SENSOR_NODE_KEEP_ALIVE_S
#define SENSOR_NODE_KEEP_ALIVE_S 60u
#endif
#ifndef SENSOR_NODE_BACKOFF_MIN_MS
#define SENSOR_NODE_BACKOFF_MIN_MS 1000u /* first retry after 0.5-1 s ... */
#endif
#ifndef SENSOR_NODE_BACKOFF_MAX_MS
#define SENSOR_NODE_BACKOFF_MAX_MS 60000u /* ... doubling up to 30-60 s */
#endif
/* CC3220 (CC32xx SDK): names of the credential files in the network processor's file
 * system. */
#ifndef SENSOR_NODE_CA_FILE
#define SENSOR_NODE_CA_FILE "/cert/sensor-ca.der"
#endif
#ifndef SENSOR_NODE_CERT_FILE
#define SENSOR_NODE_CERT_FILE "/cert/sensor-node.der"
#endif
#ifndef SENSOR_NODE_KEY_FILE
#define SENSOR_NODE_KEY_FILE "/cert/sensor-node-key.der"
#endif

/* CC3200 (CC3200 SDK 1.x): ids of the credential files, passed in the secure-files slots;
 * id N is the file "/cert/N.der". The ids are free (1-255); TI's example uses 128 for a CA. */
#ifndef SENSOR_NODE_KEY_ID
#define SENSOR_NODE_KEY_ID 126
#endif
#ifndef SENSOR_NODE_CERT_ID
#define SENSOR_NODE_CERT_ID 127
#endif
#ifndef SENSOR_NODE_CA_ID
#define SENSOR_NODE_CA_ID 128
#endif
/** The file name of secure-file id @p id: "/cert/<id>.der". */
#define SENSOR_NODE_ID_FILE(id) SENSOR_NODE_ID_FILE_(id)
#define SENSOR_NODE_ID_FILE_(id) "/cert/" #id ".der"

/** One file to put into the network processor's file system. */
typedef struct sensor_node_file {
    const char *name;
    const unsigned char *data;
    size_t len;
    bool secret; /**< a private key: stored as a secure (encrypted) file */
} sensor_node_file_t;

/**
 * Writes each file that is missing from the file system, or stored with another size,
 * (every file with @p force) with sl_FsOpen/sl_FsWrite/sl_FsClose. Flash wears: files
 * already there are left alone. provision.c does it with the CC32xx SDK, or with the CC3200
 * SDK 1.x (MQTLS_SL_SDK_CC3200), which cannot grow a file: one whose allocation is too small for
 * its new content is an error (-1).
 * @return 0, a negative SimpleLink code, or -1 when a write was short or did not fit
 */
int sensor_node_provision(const sensor_node_file_t *files, size_t count, bool force);

/**
 * The node's task: provisions the credentials embedded in credentials.c, then connects,
 * keeps the classic shadow of SENSOR_NODE_THING in sync (reports period_ms and led, applies
 * each delta: shadow.h), publishes a reading every period_ms (SENSOR_NODE_PERIOD_MS at
 * start) at QoS 1 and reconnects with an exponential backoff and jitter when the connection
 * is lost. Never returns.
 *
 * The board's startup code creates it once the SimpleLink driver task runs (TI's
 * main_freertos.c creates the application thread the same way), e.g. with
 * xTaskCreateStatic(sensor_node_task, "sensor", 1024, NULL, 2, stack, &tcb).
 */
void sensor_node_task(void *arg);

#endif
