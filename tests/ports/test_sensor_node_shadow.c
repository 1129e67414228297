/**
 * @file test_sensor_node_shadow.c
 * @brief The example firmware's Device Shadow logic (examples/sensor-node/shadow.c) on the
 *        host: a delta document in (as the Device Shadow service publishes it on
 *        `/update/delta`, device-shadow-mqtt.html), the settings taken and the reported
 *        document out; keys the node does not know and values of the wrong type or range
 *        are left alone; the delta topic is recognised for its own thing only. Output
 *        buffers carry guard bytes.
 */
#include <string.h>

#include "shadow.h"
#include "test.h"

#define GUARD 0xA5

static bool guard_intact(const char *buf, size_t from, size_t size)
{
    for (size_t i = from; i < size; i++)
        if ((unsigned char)buf[i] != GUARD)
            return false;
    return true;
}

TEST(the_report_is_a_shadow_update_with_the_state_reported)
{
    const sensor_shadow_state_t s = {10000u, false};
    char doc[SENSOR_SHADOW_DOC_MAX + 8];
    size_t len = 0;
    memset(doc, GUARD, sizeof doc);
    REQUIRE_STATUS(sensor_shadow_report(&s, doc, SENSOR_SHADOW_DOC_MAX, &len), MQTLS_OK);
    CHECK_EQ_STR(doc, "{\"state\":{\"reported\":{\"period_ms\":10000,\"led\":false}}}");
    CHECK_EQ_INT((long long)len, (long long)strlen(doc));
    CHECK(guard_intact(doc, SENSOR_SHADOW_DOC_MAX, sizeof doc));
}

TEST(the_longest_report_fits_and_a_short_buffer_is_refused)
{
    const sensor_shadow_state_t s = {SENSOR_SHADOW_PERIOD_MAX_MS, true};
    char doc[SENSOR_SHADOW_DOC_MAX];
    size_t len = 0;
    REQUIRE_STATUS(sensor_shadow_report(&s, doc, sizeof doc, &len), MQTLS_OK);
    CHECK_EQ_STR(doc, "{\"state\":{\"reported\":{\"period_ms\":3600000,\"led\":true}}}");
    CHECK_STATUS(sensor_shadow_report(&s, doc, len, NULL), MQTLS_ERR_NO_SPACE);
    CHECK_STATUS(sensor_shadow_report(NULL, doc, sizeof doc, NULL), MQTLS_ERR_BAD_PARAM);
}

/* A delta as the service sends it: state, metadata, version, timestamp. */
static const char delta[] =
    "{\"version\":7,\"timestamp\":1765000000,\"state\":{\"period_ms\":2000,\"led\":true},"
    "\"metadata\":{\"period_ms\":{\"timestamp\":1765000000},\"led\":{\"timestamp\":1765000000}}}";

TEST(a_delta_in_the_reported_document_out)
{
    sensor_shadow_state_t s = {10000u, false};
    unsigned changed = 0;
    char doc[SENSOR_SHADOW_DOC_MAX];
    REQUIRE_STATUS(sensor_shadow_apply_delta(&s, delta, strlen(delta), &changed), MQTLS_OK);
    CHECK_EQ_INT(changed, SENSOR_SHADOW_PERIOD | SENSOR_SHADOW_LED);
    CHECK_EQ_INT(s.period_ms, 2000);
    CHECK(s.led);
    REQUIRE_STATUS(sensor_shadow_report(&s, doc, sizeof doc, NULL), MQTLS_OK);
    CHECK_EQ_STR(doc, "{\"state\":{\"reported\":{\"period_ms\":2000,\"led\":true}}}");
}

TEST(one_key_changes_only_that_setting)
{
    static const char d[] = "{\"version\":3,\"state\":{\"led\":true}}";
    sensor_shadow_state_t s = {5000u, false};
    unsigned changed = 0;
    REQUIRE_STATUS(sensor_shadow_apply_delta(&s, d, strlen(d), &changed), MQTLS_OK);
    CHECK_EQ_INT(changed, SENSOR_SHADOW_LED);
    CHECK_EQ_INT(s.period_ms, 5000);
    CHECK(s.led);
}

TEST(unknown_keys_and_bad_values_are_left_alone)
{
    static const char *const docs[] = {
        "{\"state\":{\"color\":\"red\"}}",           /* a key the node does not have */
        "{\"state\":{\"period_ms\":\"fast\"}}",      /* a string */
        "{\"state\":{\"period_ms\":2.5}}",           /* not whole milliseconds */
        "{\"state\":{\"period_ms\":499}}",           /* below the minimum */
        "{\"state\":{\"period_ms\":3600001}}",       /* above the maximum */
        "{\"state\":{\"led\":1}}",                   /* not a boolean */
        "{\"state\":{\"nested\":{\"period_ms\":2000}}}", /* not at the top of state */
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        sensor_shadow_state_t s = {10000u, false};
        unsigned changed = 99;
        CHECK_STATUS(sensor_shadow_apply_delta(&s, docs[i], strlen(docs[i]), &changed), MQTLS_OK);
        CHECK_EQ_INT(changed, 0);
        CHECK_EQ_INT(s.period_ms, 10000);
        CHECK(!s.led);
    }
}

TEST(a_payload_without_state_is_an_error)
{
    sensor_shadow_state_t s = {10000u, false};
    unsigned changed = 0;
    static const char no_state[] = "{\"version\":1}";
    static const char not_json[] = "{\"state\":{";
    static const char state_null[] = "{\"state\":null}";
    CHECK_STATUS(sensor_shadow_apply_delta(&s, no_state, strlen(no_state), &changed),
                 MQTLS_ERR_JSON_NOT_FOUND);
    CHECK_STATUS(sensor_shadow_apply_delta(&s, not_json, strlen(not_json), &changed),
                 MQTLS_ERR_JSON_MALFORMED);
    CHECK_STATUS(sensor_shadow_apply_delta(&s, state_null, strlen(state_null), &changed),
                 MQTLS_ERR_JSON_NOT_FOUND);
    CHECK_EQ_INT(s.period_ms, 10000);
}

TEST(the_delta_topic_of_its_own_classic_shadow_only)
{
    static const char *const other[] = {
        "$aws/things/node-2/shadow/update/delta",           /* another thing */
        "$aws/things/node-1/shadow/name/cfg/update/delta",  /* a named shadow */
        "$aws/things/node-1/shadow/update/accepted",        /* another answer */
        "things/node-1/shadow/update/delta",                /* not a reserved topic */
    };
    const char *own = "$aws/things/node-1/shadow/update/delta";
    CHECK(sensor_shadow_is_delta("node-1", own, strlen(own)));
    CHECK(!sensor_shadow_is_delta("node-", own, strlen(own)));
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        CHECK(!sensor_shadow_is_delta("node-1", other[i], strlen(other[i])));
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(the_report_is_a_shadow_update_with_the_state_reported);
    RUN(the_longest_report_fits_and_a_short_buffer_is_refused);
    RUN(a_delta_in_the_reported_document_out);
    RUN(one_key_changes_only_that_setting);
    RUN(unknown_keys_and_bad_values_are_left_alone);
    RUN(a_payload_without_state_is_an_error);
    RUN(the_delta_topic_of_its_own_classic_shadow_only);
    return test_main_end();
}
