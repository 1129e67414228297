/* The Device Shadow service of `mqtls awslocal` (tools/awslocal/svc_shadow.c and
 * svc_shadow_doc.c), driven through awl_shadow_handle() as the broker plugin drives it, on a
 * fixed clock, against a fresh state directory per test. Each expected document is written
 * out whole and compared as JSON; the request documents and the behaviour come from the AWS
 * IoT developer guide pages cited at each test (docs/aws-iot.md lists them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svc_internal.h"
#include "test.h"

#define T0 1591057529LL /* the timestamp of AWS's own /delete example */
#define CLASSIC "$aws/things/lamp/shadow"
#define NAMED "$aws/things/lamp/shadow/name/cfg"

static char dir[64];
static long long now = T0;
static awl_replies_t R;

static long long fixed_clock(void) { return now; }

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/mqtls-awl-XXXXXX");
    if (!mkdtemp(dir))
        printf("  mkdtemp failed\n");
    now = T0;
    awl_svc_set_clock(fixed_clock);
}

static void teardown(void)
{
    char cmd[96];

    awl_replies_free(&R);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("  could not remove %s\n", dir);
}

/* Publishes @p payload on @p op of the shadow @p prefix ("/update"...) as the thing "lamp". */
static int req(const char *prefix, const char *op, const char *payload)
{
    char topic[128];

    awl_replies_free(&R);
    snprintf(topic, sizeof topic, "%s%s", prefix, op);
    return awl_shadow_handle(dir, "lamp", topic, payload, strlen(payload), &R);
}

/* The reply on @p prefix + @p suffix, parsed (NULL when there is none). */
static cJSON *reply(const char *prefix, const char *suffix)
{
    char topic[160];

    snprintf(topic, sizeof topic, "%s%s", prefix, suffix);
    for (int i = 0; i < R.n; i++) {
        if (strcmp(R.v[i].topic, topic) == 0)
            return cJSON_Parse(R.v[i].payload);
    }
    return NULL;
}

static bool has_reply(const char *prefix, const char *suffix)
{
    cJSON *doc = reply(prefix, suffix);
    bool found = doc != NULL;

    cJSON_Delete(doc);
    return found;
}

/* The reply on @p topic equals the JSON text @p want (member order aside); %T in @p want
 * stands for the clock's current time. */
static void expect(const char *prefix, const char *suffix, const char *want)
{
    char text[4096], stamp[32];
    const char *p;
    size_t n = 0;
    cJSON *got = reply(prefix, suffix), *exp;

    snprintf(stamp, sizeof stamp, "%lld", now);
    for (p = want; *p && n + 32 < sizeof text; p++) {
        if (p[0] == '%' && p[1] == 'T') {
            n += (size_t)snprintf(text + n, sizeof text - n, "%s", stamp);
            p++;
        } else {
            text[n++] = *p;
        }
    }
    text[n] = '\0';
    exp = cJSON_Parse(text);
    if (!CHECK(exp != NULL) || !CHECK(got != NULL)) {
        printf("  no reply on %s%s (or bad expectation)\n", prefix, suffix);
    } else if (!CHECK(cJSON_Compare(got, exp, 1))) {
        char *g = cJSON_PrintUnformatted(got);
        printf("  on %s%s\n  got  %s\n  want %s\n", prefix, suffix, g, text);
        free(g);
    }
    cJSON_Delete(got);
    cJSON_Delete(exp);
}

/* A rejection on @p prefix/rejected with @p code and @p message, and nothing else. */
static void expect_rejected(const char *prefix, int code, const char *message)
{
    char want[512];

    snprintf(want, sizeof want, "{\"code\":%d,\"message\":\"%s\",\"timestamp\":%%T}", code,
             message);
    CHECK_EQ_INT(R.n, 1);
    expect(prefix, "/rejected", want);
}

/* device-shadow-mqtt.html, /update: an app's desired document; the answer is /accepted with
 * the request's state and its metadata, /delta (nothing is reported yet: every desired key
 * differs) and /documents with no previous shadow. */
TEST(update_desired_gives_accepted_delta_documents)
{
    setup();
    CHECK_EQ_INT(req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"color\":\"red\",\"power\":\"on\"}}}"), 0);
    CHECK_EQ_INT(R.n, 3);
    expect(CLASSIC, "/update/accepted",
           "{\"state\":{\"desired\":{\"color\":\"red\",\"power\":\"on\"}},"
           "\"metadata\":{\"desired\":{\"color\":{\"timestamp\":%T},\"power\":{\"timestamp\":%T}}},"
           "\"version\":1,\"timestamp\":%T}");
    expect(CLASSIC, "/update/delta",
           "{\"state\":{\"color\":\"red\",\"power\":\"on\"},"
           "\"metadata\":{\"color\":{\"timestamp\":%T},\"power\":{\"timestamp\":%T}},"
           "\"version\":1,\"timestamp\":%T}");
    expect(CLASSIC, "/update/documents",
           "{\"current\":{\"state\":{\"desired\":{\"color\":\"red\",\"power\":\"on\"}},"
           "\"metadata\":{\"desired\":{\"color\":{\"timestamp\":%T},\"power\":{\"timestamp\":%T}}},"
           "\"version\":1},\"timestamp\":%T}");
    teardown();
}

/* The device reports what was desired: version 2, no delta, /documents with both halves. */
TEST(report_that_matches_gives_no_delta)
{
    setup();
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"color\":\"red\"}}}");
    now = T0 + 5;
    CHECK_EQ_INT(req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"color\":\"red\"}}}"), 0);
    CHECK_EQ_INT(R.n, 2);
    CHECK(!has_reply(CLASSIC, "/update/delta"));
    expect(CLASSIC, "/update/accepted",
           "{\"state\":{\"reported\":{\"color\":\"red\"}},"
           "\"metadata\":{\"reported\":{\"color\":{\"timestamp\":%T}}},\"version\":2,\"timestamp\":%T}");
    expect(CLASSIC, "/update/documents",
           "{\"previous\":{\"state\":{\"desired\":{\"color\":\"red\"}},"
           "\"metadata\":{\"desired\":{\"color\":{\"timestamp\":1591057529}}},\"version\":1},"
           "\"current\":{\"state\":{\"desired\":{\"color\":\"red\"},\"reported\":{\"color\":\"red\"}},"
           "\"metadata\":{\"desired\":{\"color\":{\"timestamp\":1591057529}},"
           "\"reported\":{\"color\":{\"timestamp\":%T}}},\"version\":2},\"timestamp\":%T}");
    teardown();
}

/* device-shadow-data-flow.html, "Optimistic locking": the example's documents; version 9
 * against 10 is rejected with 409 "Version conflict" (clientToken echoed), the matching
 * version is accepted, and the array is replaced whole. */
TEST(optimistic_locking_example)
{
    setup();
    for (int i = 0; i < 10; i++)
        req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"colors\":[\"RED\",\"GREEN\",\"BLUE\"]}}}");
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"colors\":[\"BLUE\"]}},\"version\":9,"
                            "\"clientToken\":\"426bfd96-e720-46d3-95cd-014e3ef12bb6\"}");
    CHECK_EQ_INT(R.n, 1);
    expect(CLASSIC, "/update/rejected",
           "{\"code\":409,\"message\":\"Version conflict\",\"timestamp\":%T,"
           "\"clientToken\":\"426bfd96-e720-46d3-95cd-014e3ef12bb6\"}");
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"colors\":[\"BLUE\"]}},\"version\":10}");
    CHECK(has_reply(CLASSIC, "/update/accepted"));
    req(CLASSIC, "/get", "");
    expect(CLASSIC, "/get/accepted",
           "{\"state\":{\"desired\":{\"colors\":[\"BLUE\"]},\"delta\":{\"colors\":[\"BLUE\"]}},"
           "\"metadata\":{\"desired\":{\"colors\":{\"timestamp\":%T}}},\"version\":11,\"timestamp\":%T}");
    teardown();
}

/* device-shadow-error-messages.html: 404 "No shadow exists with name: shadowName". */
TEST(get_and_delete_of_no_shadow_are_404)
{
    setup();
    CHECK_EQ_INT(req(CLASSIC, "/get", ""), 0);
    expect_rejected(CLASSIC "/get", 404, "No shadow exists with name: lamp");
    req(NAMED, "/get", "");
    expect_rejected(NAMED "/get", 404, "No shadow exists with name: cfg");
    req(NAMED, "/delete", "");
    expect_rejected(NAMED "/delete", 404, "No shadow exists with name: cfg");
    teardown();
}

/* device-shadow-error-messages.html, the 400 and 415 messages, one request each. Nothing is
 * stored: the shadow stays missing. */
TEST(bad_requests_are_400_with_aws_messages)
{
    static const struct { const char *payload, *message; } cases[] = {
        {"{\"state\":", "Invalid JSON"},
        {"[1,2]", "Invalid JSON"},
        {"{\"desired\":{\"a\":1}}", "Missing required node: state"},
        {"{\"state\":5}", "State node must be an object"},
        {"{\"state\":{\"desired\":[1]}}", "Desired node must be an object"},
        {"{\"state\":{\"reported\":\"on\"}}", "Reported node must be an object"},
        {"{\"state\":{\"delta\":{\"a\":1}}}", "State contains an invalid node"},
        {"{\"state\":{\"desired\":{\"a\":1}},\"version\":\"3\"}", "Invalid version"},
        {"{\"state\":{\"desired\":{\"a\":1}},\"version\":1.5}", "Invalid version"},
        {"{\"state\":{\"desired\":{\"a\":1}},\"clientToken\":7}", "Invalid clientToken"},
        {"{\"state\":{\"desired\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":1}}}}}}}}}",
         "JSON contains too many levels of nesting; maximum is 6"},
        {"{\"state\":{\"desired\":{\"colors\":[null,\"RED\",\"GREEN\"]}}}",
         "State contains an invalid node"},
    };

    setup();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_note("%s", cases[i].payload);
        req(CLASSIC, "/update", cases[i].payload);
        expect_rejected(CLASSIC "/update", 400, cases[i].message);
    }
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"a\":\"\xC3\x28\"}}}");
    expect_rejected(CLASSIC "/update", 415,
                    "Unsupported documented encoding; supported encoding is UTF-8");
    req(CLASSIC, "/get", "");
    expect_rejected(CLASSIC "/get", 404, "No shadow exists with name: lamp");
    teardown();
}

/* device-shadow-document.html, client tokens: longer than 64 bytes is "Invalid clientToken";
 * 64 bytes is accepted; six levels of nesting are accepted. */
TEST(limits_at_the_edge_are_accepted)
{
    char payload[256], token[66];

    setup();
    memset(token, 'k', 65);
    token[65] = '\0';
    snprintf(payload, sizeof payload, "{\"state\":{\"desired\":{\"a\":1}},\"clientToken\":\"%s\"}", token);
    req(CLASSIC, "/update", payload);
    expect_rejected(CLASSIC "/update", 400, "Invalid clientToken");
    token[64] = '\0';
    snprintf(payload, sizeof payload, "{\"state\":{\"desired\":{\"a\":1}},\"clientToken\":\"%s\"}", token);
    req(CLASSIC, "/update", payload);
    CHECK(has_reply(CLASSIC, "/update/accepted"));
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":1}}}}}}}}");
    CHECK(has_reply(CLASSIC, "/update/accepted"));
    teardown();
}

/* device-shadow-mqtt.html, /update/delta: the delta holds every desired key that differs,
 * stored or new; a key only reported is not in it; nested objects give the path to the
 * difference (the guide's lights/engine example); arrays compare whole. */
TEST(delta_of_nested_objects_and_arrays)
{
    setup();
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"lights\":{\"color\":\"GREEN\"},\"engine\":\"ON\","
                            "\"seq\":[1,2],\"temp\":21}}}");
    CHECK(!has_reply(CLASSIC, "/update/delta"));
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"lights\":{\"color\":\"RED\"},\"engine\":\"ON\"}}}");
    expect(CLASSIC, "/update/delta",
           "{\"state\":{\"lights\":{\"color\":\"RED\"}},"
           "\"metadata\":{\"lights\":{\"color\":{\"timestamp\":%T}}},\"version\":2,\"timestamp\":%T}");
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"seq\":[2,1]}}}");
    expect(CLASSIC, "/update/delta",
           "{\"state\":{\"lights\":{\"color\":\"RED\"},\"seq\":[2,1]},"
           "\"metadata\":{\"lights\":{\"color\":{\"timestamp\":%T}},\"seq\":{\"timestamp\":%T}},"
           "\"version\":3,\"timestamp\":%T}");
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"lights\":{\"color\":\"RED\"},\"seq\":[2,1]}}}");
    req(CLASSIC, "/get", "");
    expect(CLASSIC, "/get/accepted",
           "{\"state\":{\"desired\":{\"lights\":{\"color\":\"RED\"},\"engine\":\"ON\",\"seq\":[2,1]},"
           "\"reported\":{\"lights\":{\"color\":\"RED\"},\"engine\":\"ON\",\"seq\":[2,1],\"temp\":21}},"
           "\"metadata\":{\"desired\":{\"lights\":{\"color\":{\"timestamp\":%T}},\"engine\":{\"timestamp\":%T},"
           "\"seq\":{\"timestamp\":%T}},\"reported\":{\"lights\":{\"color\":{\"timestamp\":%T}},"
           "\"engine\":{\"timestamp\":%T},\"seq\":{\"timestamp\":%T},\"temp\":{\"timestamp\":%T}}},"
           "\"version\":4,\"timestamp\":%T}");
    teardown();
}

/* device-shadow-data-flow.html, "Deleting a property": null deletes a key and its metadata;
 * device-shadow-document.html, "Empty sections": "desired": null removes the section. */
TEST(null_deletes_keys_and_sections)
{
    setup();
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"engine\":\"ON\",\"color\":{\"r\":10,\"g\":3}}}}");
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"engine\":null,\"color\":{\"g\":null}}}}");
    expect(CLASSIC, "/update/accepted",
           "{\"state\":{\"desired\":{\"engine\":null,\"color\":{\"g\":null}}},"
           "\"metadata\":{\"desired\":{\"engine\":{\"timestamp\":%T},\"color\":{\"g\":{\"timestamp\":%T}}}},"
           "\"version\":2,\"timestamp\":%T}");
    req(CLASSIC, "/get", "");
    expect(CLASSIC, "/get/accepted",
           "{\"state\":{\"desired\":{\"color\":{\"r\":10}},\"delta\":{\"color\":{\"r\":10}}},"
           "\"metadata\":{\"desired\":{\"color\":{\"r\":{\"timestamp\":%T}}}},\"version\":2,\"timestamp\":%T}");
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"color\":\"red\"},\"desired\":null}}");
    req(CLASSIC, "/get", "");
    expect(CLASSIC, "/get/accepted",
           "{\"state\":{\"reported\":{\"color\":\"red\"}},"
           "\"metadata\":{\"reported\":{\"color\":{\"timestamp\":%T}}},\"version\":3,\"timestamp\":%T}");
    teardown();
}

/* Metadata keeps each key's own time: a key written earlier keeps its timestamp. */
TEST(metadata_timestamps_per_key)
{
    setup();
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"a\":1}}}");
    now = T0 + 60;
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"b\":2}}}");
    now = T0 + 120;
    req(CLASSIC, "/get", "{\"clientToken\":\"t-1\"}");
    expect(CLASSIC, "/get/accepted",
           "{\"state\":{\"reported\":{\"a\":1,\"b\":2}},\"metadata\":{\"reported\":{"
           "\"a\":{\"timestamp\":1591057529},\"b\":{\"timestamp\":1591057589}}},"
           "\"version\":2,\"timestamp\":%T,\"clientToken\":\"t-1\"}");
    teardown();
}

/* A value replaced by an object, and an object by a value: the metadata follows the shape
 * (an object's metadata is its members'; a value's is {"timestamp"}). */
TEST(metadata_follows_a_change_of_shape)
{
    setup();
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"a\":1,\"b\":{\"c\":2}}}}");
    now = T0 + 1;
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"a\":{\"x\":3},\"b\":4}}}");
    req(CLASSIC, "/get", "");
    expect(CLASSIC, "/get/accepted",
           "{\"state\":{\"reported\":{\"a\":{\"x\":3},\"b\":4}},\"metadata\":{\"reported\":{"
           "\"a\":{\"x\":{\"timestamp\":%T}},\"b\":{\"timestamp\":%T}}},\"version\":2,\"timestamp\":%T}");
    teardown();
}

/* device-shadow-mqtt.html: named and classic shadows differ only in the topic prefix, and
 * each is its own document with its own version. */
TEST(named_and_classic_shadows_are_independent)
{
    setup();
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"a\":1}}}");
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"a\":2}}}");
    req(NAMED, "/update", "{\"state\":{\"desired\":{\"mode\":\"eco\"}},\"clientToken\":\"n1\"}");
    expect(NAMED, "/update/accepted",
           "{\"state\":{\"desired\":{\"mode\":\"eco\"}},\"metadata\":{\"desired\":{\"mode\":{\"timestamp\":%T}}},"
           "\"version\":1,\"timestamp\":%T,\"clientToken\":\"n1\"}");
    expect(NAMED, "/update/delta",
           "{\"state\":{\"mode\":\"eco\"},\"metadata\":{\"mode\":{\"timestamp\":%T}},"
           "\"version\":1,\"timestamp\":%T,\"clientToken\":\"n1\"}");
    req(CLASSIC, "/delete", "");
    req(NAMED, "/get", "");
    CHECK(has_reply(NAMED, "/get/accepted"));
    req(CLASSIC, "/get", "");
    expect_rejected(CLASSIC "/get", 404, "No shadow exists with name: lamp");
    teardown();
}

/* device-shadow-data-flow.html, "DELETE" and "Deleting a shadow": the accepted delete message
 * is {"version", "timestamp"}; deleting does not reset the version (a shadow made again
 * within 48 hours follows it); after 48 hours the count starts again. */
TEST(delete_keeps_the_version_for_48_hours)
{
    setup();
    for (int i = 0; i < 4; i++)
        req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"n\":1}}}");
    req(CLASSIC, "/delete", "");
    CHECK_EQ_INT(R.n, 1);
    expect(CLASSIC, "/delete/accepted", "{\"version\":4,\"timestamp\":%T}");
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"n\":2}},\"version\":3}");
    expect_rejected(CLASSIC "/update", 409, "Version conflict");
    now = T0 + 48 * 3600;
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"n\":2}}}");
    expect(CLASSIC, "/update/accepted",
           "{\"state\":{\"reported\":{\"n\":2}},\"metadata\":{\"reported\":{\"n\":{\"timestamp\":%T}}},"
           "\"version\":5,\"timestamp\":%T}");
    CHECK(has_reply(CLASSIC, "/update/documents"));
    req(CLASSIC, "/delete", "");
    now += 48 * 3600 + 1;
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"n\":3}}}");
    expect(CLASSIC, "/update/accepted",
           "{\"state\":{\"reported\":{\"n\":3}},\"metadata\":{\"reported\":{\"n\":{\"timestamp\":%T}}},"
           "\"version\":1,\"timestamp\":%T}");
    teardown();
}

/* The delete's message is ignored but for its clientToken, which "is reflected in the
 * response" (AWS IoT Device SDK v2, DeleteShadowRequest / DeleteShadowResponse), on
 * /delete/accepted and /delete/rejected alike; a payload that is not JSON still deletes. */
TEST(delete_echoes_its_client_token)
{
    setup();
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"n\":1}}}");
    req(CLASSIC, "/delete", "{\"clientToken\":\"d-1\"}");
    expect(CLASSIC, "/delete/accepted", "{\"version\":1,\"timestamp\":%T,\"clientToken\":\"d-1\"}");
    req(CLASSIC, "/delete", "{\"clientToken\":\"d-2\"}");
    expect(CLASSIC, "/delete/rejected",
           "{\"code\":404,\"message\":\"No shadow exists with name: lamp\",\"timestamp\":%T,"
           "\"clientToken\":\"d-2\"}");
    req(NAMED, "/update", "{\"state\":{\"reported\":{\"n\":1}}}");
    req(NAMED, "/delete", "not json");
    expect(NAMED, "/delete/accepted", "{\"version\":1,\"timestamp\":%T}");
    teardown();
}

/* "Setting the device's shadow state to null does not delete the shadow. The shadow version
 * will be incremented" (device-shadow-data-flow.html). */
TEST(null_state_empties_but_keeps_the_shadow)
{
    setup();
    req(CLASSIC, "/update", "{\"state\":{\"desired\":{\"a\":1},\"reported\":{\"a\":2}}}");
    req(CLASSIC, "/update", "{\"state\":null}");
    CHECK(has_reply(CLASSIC, "/update/accepted"));
    CHECK(!has_reply(CLASSIC, "/update/delta"));
    req(CLASSIC, "/get", "");
    expect(CLASSIC, "/get/accepted", "{\"state\":{},\"metadata\":{},\"version\":2,\"timestamp\":%T}");
    teardown();
}

/* The 8 KB state limit: an update that would make the state bigger is 413 and changes
 * nothing. */
TEST(state_over_8k_is_413)
{
    static char payload[9000];
    int n;

    setup();
    req(CLASSIC, "/update", "{\"state\":{\"reported\":{\"a\":1}}}");
    n = snprintf(payload, sizeof payload, "{\"state\":{\"reported\":{\"big\":\"");
    memset(payload + n, 'x', 8200);
    strcpy(payload + n + 8200, "\"}}}");
    req(CLASSIC, "/update", payload);
    expect_rejected(CLASSIC "/update", 413, "The payload exceeds the maximum size allowed");
    req(CLASSIC, "/get", "");
    expect(CLASSIC, "/get/accepted", "{\"state\":{\"reported\":{\"a\":1}},"
           "\"metadata\":{\"reported\":{\"a\":{\"timestamp\":%T}}},\"version\":1,\"timestamp\":%T}");
    teardown();
}

/* Only request topics of the caller's own shadows are the service's: response topics, other
 * things' shadows, other services and names that are not AWS names are not answered. */
TEST(topics_that_are_not_requests_are_not_answered)
{
    static const char *const topics[] = {
        CLASSIC "/update/accepted", CLASSIC "/get/rejected", CLASSIC "/update/delta",
        "$aws/things/other/shadow/update", "$aws/things/lamp/jobs/get",
        "$aws/things/lamp/shadow/name/a.b/get", "$aws/things/lamp/shadow/name//get",
        "$aws/things/lamp/shadow/name/cfg", "$aws/things/lamp/shadow/list", "things/lamp/shadow/get",
    };

    setup();
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        test_note("%s", topics[i]);
        awl_replies_free(&R);
        CHECK_EQ_INT(awl_shadow_handle(dir, "lamp", topics[i], "{}", 2, &R), -1);
        CHECK_EQ_INT(R.n, 0);
    }
    teardown();
}

/* The state survives the process: it is in the file, and a new reader sees it. */
TEST(state_is_kept_in_the_state_directory)
{
    char path[128];
    struct stat st;

    setup();
    req(NAMED, "/update", "{\"state\":{\"reported\":{\"a\":1}}}");
    snprintf(path, sizeof path, "%s/shadows/lamp/named/cfg.json", dir);
    CHECK(stat(path, &st) == 0);
    snprintf(path, sizeof path, "%s/shadows/lamp/classic.json", dir);
    CHECK(stat(path, &st) != 0);
    /* Shadow names may hold '$' (API_iotdata_GetThingShadow: [$a-zA-Z0-9:_-]+). */
    req("$aws/things/lamp/shadow/name/$package", "/update", "{\"state\":{\"reported\":{\"a\":1}}}");
    CHECK(has_reply("$aws/things/lamp/shadow/name/$package", "/update/accepted"));
    snprintf(path, sizeof path, "%s/shadows/lamp/named/$package.json", dir);
    CHECK(stat(path, &st) == 0);
    teardown();
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(update_desired_gives_accepted_delta_documents);
    RUN(report_that_matches_gives_no_delta);
    RUN(optimistic_locking_example);
    RUN(get_and_delete_of_no_shadow_are_404);
    RUN(bad_requests_are_400_with_aws_messages);
    RUN(limits_at_the_edge_are_accepted);
    RUN(delta_of_nested_objects_and_arrays);
    RUN(null_deletes_keys_and_sections);
    RUN(metadata_timestamps_per_key);
    RUN(metadata_follows_a_change_of_shape);
    RUN(named_and_classic_shadows_are_independent);
    RUN(delete_keeps_the_version_for_48_hours);
    RUN(delete_echoes_its_client_token);
    RUN(null_state_empties_but_keeps_the_shadow);
    RUN(state_over_8k_is_413);
    RUN(topics_that_are_not_requests_are_not_answered);
    RUN(state_is_kept_in_the_state_directory);
    return test_main_end();
}
