/**
 * @file shadow.c
 * @brief The sensor node's Device Shadow (shadow.h): its reported document and its reaction
 *        to a delta, with the library's zero-heap JSON reader and writer.
 */
#include "shadow.h"

#include <string.h>

mqtls_status_t sensor_shadow_report(const sensor_shadow_state_t *s, char *doc, size_t size,
                                    size_t *len)
{
    mqtls_aws_jw_t w;
    char state[SENSOR_SHADOW_DOC_MAX];
    mqtls_aws_shadow_update_t u;

    if (s == NULL || doc == NULL)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_aws_jw_init(&w, state, sizeof state);
    mqtls_aws_jw_object(&w, NULL);
    mqtls_aws_jw_int(&w, "period_ms", (int64_t)s->period_ms);
    mqtls_aws_jw_bool(&w, "led", s->led);
    mqtls_aws_jw_end(&w);
    memset(&u, 0, sizeof u);
    mqtls_status_t st = mqtls_aws_jw_finish(&w, &u.reported_len);
    if (st != MQTLS_OK)
        return st;
    u.reported = state;
    return mqtls_aws_shadow_update_doc(&u, doc, size, len);
}

/* The delta's `state.period_ms`, if it is a whole number of milliseconds in range. */
static bool take_period(const mqtls_aws_json_value_t *state, uint32_t *out)
{
    mqtls_aws_json_value_t v;
    int64_t ms;
    if (mqtls_aws_json_find(state->raw, state->len, "period_ms", &v) != MQTLS_OK ||
        mqtls_aws_json_int(&v, &ms) != MQTLS_OK)
        return false;
    if (ms < (int64_t)SENSOR_SHADOW_PERIOD_MIN_MS || ms > (int64_t)SENSOR_SHADOW_PERIOD_MAX_MS)
        return false;
    *out = (uint32_t)ms;
    return true;
}

static bool take_led(const mqtls_aws_json_value_t *state, bool *out)
{
    mqtls_aws_json_value_t v;
    return mqtls_aws_json_find(state->raw, state->len, "led", &v) == MQTLS_OK &&
           mqtls_aws_json_bool(&v, out) == MQTLS_OK;
}

mqtls_status_t sensor_shadow_apply_delta(sensor_shadow_state_t *s, const char *doc, size_t len,
                                         unsigned *changed)
{
    mqtls_aws_json_value_t state;

    if (s == NULL || doc == NULL || changed == NULL)
        return MQTLS_ERR_BAD_PARAM;
    *changed = 0;
    mqtls_status_t st = mqtls_aws_json_find(doc, len, "state", &state);
    if (st != MQTLS_OK)
        return st;
    if (state.type != MQTLS_AWS_JSON_OBJECT)
        return MQTLS_ERR_JSON_NOT_FOUND;
    /* A delta "includes only the desired attributes that differ between the desired and
     * reported" states (device-shadow-mqtt.html, /update/delta): every key taken is a change. */
    if (take_period(&state, &s->period_ms))
        *changed |= SENSOR_SHADOW_PERIOD;
    if (take_led(&state, &s->led))
        *changed |= SENSOR_SHADOW_LED;
    return MQTLS_OK;
}

bool sensor_shadow_is_delta(const char *thing, const char *topic, size_t topic_len)
{
    mqtls_aws_topic_t t;
    if (thing == NULL || mqtls_aws_topic_match(topic, topic_len, &t) != MQTLS_OK)
        return false;
    return t.op == MQTLS_AWS_SHADOW_UPDATE && t.suffix == MQTLS_AWS_DELTA && t.name == NULL &&
           t.thing_len == strlen(thing) && memcmp(t.thing, thing, t.thing_len) == 0;
}
