/**
 * @file shadow.h
 * @brief The sensor node's Device Shadow: the settings it keeps in sync with its classic
 *        shadow, the reported document it publishes, and what it does with a delta.
 *
 * Pure functions over caller buffers on top of the library's AWS IoT helpers
 * (include/mqtls/aws.h): no heap, no I/O, so the same code runs in the firmware (app.c) and
 * on a host (examples/shadow-device, the `make demo` device), and is tested on the host
 * (tests/ports/test_sensor_node_shadow.c).
 *
 * The protocol (AWS IoT developer guide, device-shadow-mqtt.html and
 * device-shadow-document.html): the device subscribes to
 * `$aws/things/<thing>/shadow/update/delta` and publishes its state as `state.reported` to
 * `$aws/things/<thing>/shadow/update`. When someone sets `state.desired` to values that differ
 * from the reported ones, the service publishes the differences, under `state`, on
 * `/update/delta`; the device applies those it knows and reports them back, which ends the
 * difference.
 */
#ifndef SENSOR_NODE_SHADOW_H
#define SENSOR_NODE_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/aws.h"

/** Shortest and longest reporting period a delta may set: values outside are not applied. */
#define SENSOR_SHADOW_PERIOD_MIN_MS 500u
#define SENSOR_SHADOW_PERIOD_MAX_MS 3600000u

/** Room for the reported document of sensor_shadow_report() (the longest is 58 bytes). */
#define SENSOR_SHADOW_DOC_MAX 96u

/** What the node keeps in its shadow: the keys of `state.reported` and `state.desired`. */
typedef struct sensor_shadow_state {
    uint32_t period_ms; /**< "period_ms": one reading every so many milliseconds */
    bool led;           /**< "led": the board's LED on or off */
} sensor_shadow_state_t;

/** Which settings a delta changed (bits), so that the caller acts on them. */
#define SENSOR_SHADOW_PERIOD 1u
#define SENSOR_SHADOW_LED 2u

/**
 * Writes the shadow update that reports @p s:
 * `{"state":{"reported":{"period_ms":10000,"led":false}}}`, NUL-terminated, its length
 * (without the NUL) in @p *len (may be NULL).
 * @retval MQTLS_OK, MQTLS_ERR_BAD_PARAM (NULL argument), MQTLS_ERR_NO_SPACE (@p size too small)
 */
mqtls_status_t sensor_shadow_report(const sensor_shadow_state_t *s, char *doc, size_t size,
                                    size_t *len);

/**
 * Applies a delta document (@p len bytes, the payload of `/update/delta`) to @p s: each key
 * of `state` that the node knows, with a value of the right type and range, is taken; other
 * keys and values are left alone (they stay in the delta: the node cannot honour them).
 * @param changed the SENSOR_SHADOW_* bits of what was taken (0: nothing; report nothing, or
 *                the same delta would come back)
 * @retval MQTLS_OK                 done (even when nothing was taken)
 * @retval MQTLS_ERR_BAD_PARAM      NULL argument
 * @retval MQTLS_ERR_JSON_MALFORMED the payload is not JSON
 * @retval MQTLS_ERR_JSON_NOT_FOUND it has no `state` object
 */
mqtls_status_t sensor_shadow_apply_delta(sensor_shadow_state_t *s, const char *doc, size_t len,
                                         unsigned *changed);

/**
 * True if the received @p topic (@p topic_len bytes) is the delta topic of @p thing's classic
 * shadow.
 */
bool sensor_shadow_is_delta(const char *thing, const char *topic, size_t topic_len);

#endif
