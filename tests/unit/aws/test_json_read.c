/**
 * @file test_json_read.c
 * @brief The JSON reader (src/aws/json_read.c, json_scan.c) on the documents the AWS IoT
 *        developer guide shows (https://docs.aws.amazon.com/iot/latest/developerguide/):
 *        device-shadow-document.html ("Document properties" example, the response formats),
 *        device-shadow-error-messages.html, jobs-mqtt-api.html and jobs-mqtt-https-api.html
 *        (JobExecution), fleet-provision-api.html; and on RFC 8259's grammar.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "mqtls/aws.h"
#include "test.h"

/* The developer guide's shadow document example (device-shadow-document.html). */
static const char shadow_doc[] =
    "{\n"
    "  \"state\" : {\n"
    "    \"desired\" : { \"color\" : \"RED\", \"sequence\" : [ \"RED\", \"GREEN\", \"BLUE\" ] },\n"
    "    \"reported\" : { \"color\" : \"GREEN\" }\n"
    "  },\n"
    "  \"metadata\" : {\n"
    "    \"desired\" : { \"color\" : { \"timestamp\" : 12345 },\n"
    "                  \"sequence\" : { \"timestamp\" : 12345 } },\n"
    "    \"reported\" : { \"color\" : { \"timestamp\" : 12345 } }\n"
    "  },\n"
    "  \"version\" : 10,\n"
    "  \"clientToken\" : \"UniqueClientToken\",\n"
    "  \"timestamp\": 123456789\n"
    "}\n";

/* A /update/delta document in the guide's format: state holds the delta itself, nested
 * objects included, with its metadata. */
static const char delta_doc[] =
    "{\"version\":11,\"timestamp\":1591317490,"
    "\"state\":{\"color\":\"RED\",\"lights\":{\"brightness\":80,\"on\":true},\"fan\":null},"
    "\"metadata\":{\"color\":{\"timestamp\":1591317490}}}";

/* A rejection (device-shadow-error-messages.html: 409 "Version conflict"). */
static const char rejected_doc[] =
    "{\"code\":409,\"message\":\"Version conflict\",\"timestamp\":1591317490,"
    "\"clientToken\":\"token-7\"}";

static mqtls_status_t get_str(const char *doc, const char *path, char *buf, size_t size)
{
    return mqtls_aws_json_get_string(doc, strlen(doc), path, buf, size, NULL);
}

static int64_t get_int(const char *doc, const char *path)
{
    int64_t v = -999;
    CHECK_STATUS(mqtls_aws_json_get_int(doc, strlen(doc), path, &v), MQTLS_OK);
    return v;
}

TEST(shadow_document_fields)
{
    char buf[64];
    CHECK_EQ_INT(get_int(shadow_doc, "version"), 10);
    CHECK_EQ_INT(get_int(shadow_doc, "timestamp"), 123456789);
    CHECK_EQ_INT(get_int(shadow_doc, "metadata.reported.color.timestamp"), 12345);
    CHECK_STATUS(get_str(shadow_doc, "clientToken", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "UniqueClientToken");
    CHECK_STATUS(get_str(shadow_doc, "state.reported.color", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "GREEN");
    CHECK_STATUS(get_str(shadow_doc, "state.desired.sequence[2]", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "BLUE");
    CHECK_STATUS(get_str(shadow_doc, "state.desired.sequence[3]", buf, sizeof buf),
                 MQTLS_ERR_JSON_NOT_FOUND);
    CHECK_STATUS(get_str(shadow_doc, "state.delta", buf, sizeof buf), MQTLS_ERR_JSON_NOT_FOUND);
    /* A value of another type than asked for. */
    CHECK_STATUS(get_str(shadow_doc, "version", buf, sizeof buf), MQTLS_ERR_JSON_TYPE);
    int64_t v;
    CHECK_STATUS(mqtls_aws_json_get_int(shadow_doc, strlen(shadow_doc), "clientToken", &v),
                 MQTLS_ERR_JSON_TYPE);
}

TEST(spans_and_types)
{
    mqtls_aws_json_value_t v;
    REQUIRE_STATUS(mqtls_aws_json_find(delta_doc, strlen(delta_doc), "state", &v), MQTLS_OK);
    CHECK_EQ_INT(v.type, MQTLS_AWS_JSON_OBJECT);
    const char *want = "{\"color\":\"RED\",\"lights\":{\"brightness\":80,\"on\":true},\"fan\":null}";
    CHECK_EQ_INT(v.len, strlen(want));
    CHECK_EQ_MEM(v.raw, want, strlen(want));
    REQUIRE_STATUS(mqtls_aws_json_find(delta_doc, strlen(delta_doc), "state.lights.on", &v),
                   MQTLS_OK);
    bool b = false;
    CHECK_STATUS(mqtls_aws_json_bool(&v, &b), MQTLS_OK);
    CHECK(b);
    REQUIRE_STATUS(mqtls_aws_json_find(delta_doc, strlen(delta_doc), "state.fan", &v), MQTLS_OK);
    CHECK(mqtls_aws_json_is_null(&v));
    CHECK_STATUS(mqtls_aws_json_bool(&v, &b), MQTLS_ERR_JSON_TYPE);
    CHECK_EQ_INT(get_int(delta_doc, "state.lights.brightness"), 80);
    /* The whole document, and a step into a value that has no members. */
    REQUIRE_STATUS(mqtls_aws_json_find(delta_doc, strlen(delta_doc), "", &v), MQTLS_OK);
    CHECK_EQ_INT(v.len, strlen(delta_doc));
    CHECK_STATUS(mqtls_aws_json_find(delta_doc, strlen(delta_doc), "version.x", &v),
                 MQTLS_ERR_JSON_NOT_FOUND);
    CHECK_STATUS(mqtls_aws_json_find(delta_doc, strlen(delta_doc), "state[0]", &v),
                 MQTLS_ERR_JSON_NOT_FOUND);
}

TEST(rejection_fields)
{
    char buf[32];
    CHECK_EQ_INT(get_int(rejected_doc, "code"), 409);
    CHECK_STATUS(get_str(rejected_doc, "message", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "Version conflict");
}

/* StartNextPendingJobExecution's answer (jobs-mqtt-api.html) with a JobExecution
 * (jobs-mqtt-https-api.html); the job document is the job's own JSON. */
TEST(jobs_execution_fields)
{
    static const char doc[] =
        "{\"execution\":{\"jobId\":\"022\",\"thingName\":\"MyThing\","
        "\"jobDocument\":{\"operation\":\"install\",\"url\":\"https://example.com/fw?a=1\"},"
        "\"status\":\"IN_PROGRESS\",\"statusDetails\":{\"step\":\"download\"},"
        "\"queuedAt\":1489096123309,\"startedAt\":1489096123310,"
        "\"lastUpdatedAt\":1489096123311,\"versionNumber\":2,\"executionNumber\":1},"
        "\"timestamp\":1489096425069,\"clientToken\":\"client-001\"}";
    char buf[64];
    CHECK_STATUS(get_str(doc, "execution.jobId", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "022");
    CHECK_STATUS(get_str(doc, "execution.status", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "IN_PROGRESS");
    CHECK_EQ_INT(get_int(doc, "execution.versionNumber"), 2);
    CHECK_EQ_INT(get_int(doc, "execution.executionNumber"), 1);
    CHECK_EQ_INT(get_int(doc, "timestamp"), 1489096425069LL);
    mqtls_aws_json_value_t v;
    REQUIRE_STATUS(mqtls_aws_json_find(doc, strlen(doc), "execution.jobDocument", &v), MQTLS_OK);
    CHECK_EQ_INT(v.type, MQTLS_AWS_JSON_OBJECT);
    CHECK_STATUS(get_str(doc, "execution.jobDocument.url", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "https://example.com/fw?a=1");
    /* GetPendingJobExecutions' lists, by index. */
    static const char pending[] =
        "{\"inProgressJobs\":[],\"queuedJobs\":[{\"jobId\":\"a\",\"executionNumber\":1},"
        "{\"jobId\":\"b\",\"executionNumber\":7}],\"timestamp\":1489096425069}";
    CHECK_STATUS(get_str(pending, "queuedJobs[1].jobId", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "b");
    CHECK_STATUS(get_str(pending, "inProgressJobs[0].jobId", buf, sizeof buf),
                 MQTLS_ERR_JSON_NOT_FOUND);
}

/* CreateKeysAndCertificate's answer and RegisterThing's (fleet-provision-api.html): the
 * PEM strings carry their line ends escaped. */
TEST(provisioning_fields)
{
    static const char keys[] =
        "{\"certificateId\":\"4e5f6a\",\"certificatePem\":\"-----BEGIN CERTIFICATE-----\\n"
        "MIIB\\/x==\\n-----END CERTIFICATE-----\\n\",\"privateKey\":\"-----BEGIN RSA PRIVATE KEY"
        "-----\\nMIIE\\n-----END RSA PRIVATE KEY-----\\n\",\"certificateOwnershipToken\":"
        "\"eyJ0b2tlbiI6MX0=\"}";
    char buf[128];
    CHECK_STATUS(get_str(keys, "certificatePem", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "-----BEGIN CERTIFICATE-----\nMIIB/x==\n-----END CERTIFICATE-----\n");
    CHECK_STATUS(get_str(keys, "privateKey", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n");
    CHECK_STATUS(get_str(keys, "certificateOwnershipToken", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "eyJ0b2tlbiI6MX0=");
    static const char reg[] = "{\"deviceConfiguration\":{\"Fallback\":\"yes\"},"
                              "\"thingName\":\"ThingPrefix_SN123\"}";
    CHECK_STATUS(get_str(reg, "thingName", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "ThingPrefix_SN123");
    static const char err[] = "{\"statusCode\":400,\"errorCode\":\"InvalidParameters\","
                              "\"errorMessage\":\"Missing parameter\"}";
    CHECK_EQ_INT(get_int(err, "statusCode"), 400);
}

TEST(string_unescaping)
{
    static const char doc[] =
        "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\",\"u\":\"\\u00e9\\u20AC\\ud83d\\ude00x\","
        "\"raw\":\"\xc3\xa9\",\"nul\":\"a\\u0000b\",\"k\\u0065y\":1,\"\":2}";
    char buf[32];
    CHECK_STATUS(get_str(doc, "s", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "a\"b\\c/d\b\f\n\r\t");
    size_t n = 0;
    CHECK_STATUS(mqtls_aws_json_get_string(doc, strlen(doc), "u", buf, sizeof buf, &n), MQTLS_OK);
    CHECK_EQ_STR(buf, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x");
    CHECK_EQ_INT(n, 10);
    CHECK_STATUS(get_str(doc, "raw", buf, sizeof buf), MQTLS_OK);
    CHECK_EQ_STR(buf, "\xc3\xa9");
    /* A C string cannot hold U+0000. */
    CHECK_STATUS(get_str(doc, "nul", buf, sizeof buf), MQTLS_ERR_JSON_TYPE);
    /* Member names compare unescaped. */
    CHECK_EQ_INT(get_int(doc, "key"), 1);
}

/* The buffer must hold the string and its NUL: one byte less is an error, and nothing is
 * written past the size given. */
TEST(string_buffer_sizes)
{
    static const char doc[] = "{\"t\":\"abc\\u00e9\"}";
    char buf[8];
    size_t n = 0;
    CHECK_STATUS(mqtls_aws_json_get_string(doc, strlen(doc), "t", buf, 6, &n), MQTLS_OK);
    CHECK_EQ_INT(n, 5);
    for (size_t size = 0; size < 6; size++) {
        memset(buf, 'x', sizeof buf);
        CHECK_STATUS(mqtls_aws_json_get_string(doc, strlen(doc), "t", buf, size, NULL),
                     MQTLS_ERR_NO_SPACE);
        CHECK_EQ_INT(buf[size], 'x');
    }
}

TEST(integers)
{
    static const char doc[] = "{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
                              "\"over\":9223372036854775808,\"under\":-9223372036854775809,"
                              "\"frac\":1.5,\"exp\":1e3,\"zero\":-0}";
    CHECK(get_int(doc, "max") == INT64_MAX);
    CHECK(get_int(doc, "min") == INT64_MIN);
    CHECK_EQ_INT(get_int(doc, "zero"), 0);
    int64_t v;
    const char *bad[] = {"over", "under", "frac", "exp"};
    for (size_t i = 0; i < 4; i++)
        CHECK_STATUS(mqtls_aws_json_get_int(doc, strlen(doc), bad[i], &v), MQTLS_ERR_JSON_TYPE);
}

static const char *const malformed[] = {
    "", " ", "{", "}", "{\"a\":1", "{\"a\":1}}", "{\"a\" 1}", "{\"a\":}", "{a:1}", "{'a':1}",
    "{\"a\":1,}", "[1,]", "[,1]", "[1 2]", "{\"a\":1 \"b\":2}", "01", "1.", ".5", "-", "1e",
    "+1", "0x10", "tru", "nul", "True", "\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\uZZZZ\"",
    "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\tb\"", "\"\x01\"", "{} {}",
    "1 2", "\"\xc3\"", "\"\xff\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
};

TEST(malformed_documents_are_refused)
{
    mqtls_aws_json_value_t v;
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        const char *d = malformed[i];
        if (!CHECK_STATUS(mqtls_aws_json_check(d, strlen(d)), MQTLS_ERR_JSON_MALFORMED))
            test_note("document '%s'", d);
        CHECK_STATUS(mqtls_aws_json_find(d, strlen(d), "a", &v), MQTLS_ERR_JSON_MALFORMED);
    }
    /* A NUL inside the length is not JSON; the same document without it is. */
    CHECK_STATUS(mqtls_aws_json_check("{\"a\":1}\0", 8), MQTLS_ERR_JSON_MALFORMED);
    CHECK_STATUS(mqtls_aws_json_check("{\"a\":1}\0", 7), MQTLS_OK);
    /* A document cut anywhere is refused, not half read. */
    for (size_t n = 0; n < strlen(delta_doc); n++)
        CHECK_STATUS(mqtls_aws_json_find(delta_doc, n, "version", &v), MQTLS_ERR_JSON_MALFORMED);
}

TEST(well_formed_documents)
{
    static const char *const ok[] = {
        "0", "-0", "1.5e-3", "-12E+2", "true", "false", "null", "\"\"", "[]", "{}",
        " \t\r\n{ \"a\" : [ 1 , { } , [ ] , \"x\" ] } \n", "\"\\ud83d\\ude00\"",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (!CHECK_STATUS(mqtls_aws_json_check(ok[i], strlen(ok[i])), MQTLS_OK))
            test_note("document '%s'", ok[i]);
    }
}

TEST(paths)
{
    mqtls_aws_json_value_t v;
    static const char doc[] = "[{\"a\":[10,[20,21]]},5]";
    REQUIRE_STATUS(mqtls_aws_json_find(doc, strlen(doc), "[0].a[1][1]", &v), MQTLS_OK);
    CHECK_EQ_MEM(v.raw, "21", 2);
    CHECK_EQ_INT(v.len, 2);
    static const char *const bad[] = {".a", "a.", "a..b", "a[", "a[]", "a[x]", "a[0]b", "a.[0]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (!CHECK_STATUS(mqtls_aws_json_find(shadow_doc, strlen(shadow_doc), bad[i], &v),
                          MQTLS_ERR_BAD_PARAM))
            test_note("path '%s'", bad[i]);
    }
    CHECK_STATUS(mqtls_aws_json_find(NULL, 0, "a", &v), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_json_find(doc, strlen(doc), NULL, &v), MQTLS_ERR_BAD_PARAM);
    /* Of repeated names, the first counts. */
    CHECK_EQ_INT(get_int("{\"a\":1,\"a\":2}", "a"), 1);
}

/* The keys a delta carries, in order, and the elements of an array. */
TEST(stepping_through_members)
{
    mqtls_aws_json_value_t state, key, value;
    REQUIRE_STATUS(mqtls_aws_json_find(delta_doc, strlen(delta_doc), "state", &state), MQTLS_OK);
    static const char *const keys[] = {"color", "lights", "fan"};
    static const mqtls_aws_json_type_t types[] = {MQTLS_AWS_JSON_STRING, MQTLS_AWS_JSON_OBJECT,
                                                  MQTLS_AWS_JSON_NULL};
    size_t cursor = 0;
    char name[16];
    for (size_t i = 0; i < 3; i++) {
        REQUIRE_STATUS(mqtls_aws_json_next(&state, &cursor, &key, &value), MQTLS_OK);
        CHECK_STATUS(mqtls_aws_json_string(&key, name, sizeof name, NULL), MQTLS_OK);
        CHECK_EQ_STR(name, keys[i]);
        CHECK_EQ_INT(value.type, types[i]);
    }
    CHECK_STATUS(mqtls_aws_json_next(&state, &cursor, &key, &value), MQTLS_ERR_JSON_NOT_FOUND);
    CHECK_STATUS(mqtls_aws_json_next(&state, &cursor, &key, &value), MQTLS_ERR_JSON_NOT_FOUND);
    /* An array's elements, the key left alone; an empty one. */
    mqtls_aws_json_value_t seq;
    REQUIRE_STATUS(mqtls_aws_json_find(shadow_doc, strlen(shadow_doc), "state.desired.sequence",
                                       &seq), MQTLS_OK);
    static const char *const colors[] = {"RED", "GREEN", "BLUE"};
    cursor = 0;
    for (size_t i = 0; i < 3; i++) {
        REQUIRE_STATUS(mqtls_aws_json_next(&seq, &cursor, NULL, &value), MQTLS_OK);
        CHECK_STATUS(mqtls_aws_json_string(&value, name, sizeof name, NULL), MQTLS_OK);
        CHECK_EQ_STR(name, colors[i]);
    }
    CHECK_STATUS(mqtls_aws_json_next(&seq, &cursor, NULL, &value), MQTLS_ERR_JSON_NOT_FOUND);
    mqtls_aws_json_value_t empty = {"{ }", 3, MQTLS_AWS_JSON_OBJECT};
    cursor = 0;
    CHECK_STATUS(mqtls_aws_json_next(&empty, &cursor, &key, &value), MQTLS_ERR_JSON_NOT_FOUND);
}

TEST(stepping_refusals)
{
    mqtls_aws_json_value_t v, key;
    size_t cursor = 0;
    mqtls_aws_json_value_t str = {"\"a\"", 3, MQTLS_AWS_JSON_STRING};
    CHECK_STATUS(mqtls_aws_json_next(&str, &cursor, &key, &v), MQTLS_ERR_JSON_TYPE);
    mqtls_aws_json_value_t bad = {"{\"a\":}", 6, MQTLS_AWS_JSON_OBJECT};
    CHECK_STATUS(mqtls_aws_json_next(&bad, &cursor, &key, &v), MQTLS_ERR_JSON_MALFORMED);
    mqtls_aws_json_value_t ok = {"[1]", 3, MQTLS_AWS_JSON_ARRAY};
    cursor = 4;
    CHECK_STATUS(mqtls_aws_json_next(&ok, &cursor, &key, &v), MQTLS_ERR_BAD_PARAM);
    cursor = 0;
    CHECK_STATUS(mqtls_aws_json_next(&ok, &cursor, &key, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_json_next(NULL, &cursor, &key, &v), MQTLS_ERR_BAD_PARAM);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(shadow_document_fields);
    RUN(spans_and_types);
    RUN(rejection_fields);
    RUN(jobs_execution_fields);
    RUN(provisioning_fields);
    RUN(string_unescaping);
    RUN(string_buffer_sizes);
    RUN(integers);
    RUN(malformed_documents_are_refused);
    RUN(well_formed_documents);
    RUN(paths);
    RUN(stepping_through_members);
    RUN(stepping_refusals);
    return test_main_end();
}
