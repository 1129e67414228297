/**
 * @file test_json_write.c
 * @brief The JSON writer (src/aws/json_write.c): separators, escaping (RFC 8259 section 7),
 *        the misuse it refuses, counting, and buffers one byte short. Every document it
 *        writes is read back with the reader.
 */
#include <stdint.h>
#include <string.h>

#include "mqtls/aws.h"
#include "test.h"

static void write_sample(mqtls_aws_jw_t *w)
{
    mqtls_aws_jw_object(w, NULL);
    mqtls_aws_jw_string(w, "s", "x\"\\\n\x01\xc3\xa9");
    mqtls_aws_jw_int(w, "i", -42);
    mqtls_aws_jw_int(w, "min", INT64_MIN);
    mqtls_aws_jw_bool(w, "t", true);
    mqtls_aws_jw_null(w, "n");
    mqtls_aws_jw_array(w, "a");
    mqtls_aws_jw_int(w, NULL, 1);
    mqtls_aws_jw_object(w, NULL);
    mqtls_aws_jw_end(w);
    mqtls_aws_jw_raw(w, NULL, "{\"k\": [true]}", 13);
    mqtls_aws_jw_end(w);
    mqtls_aws_jw_end(w);
}

static const char sample[] =
    "{\"s\":\"x\\\"\\\\\\n\\u0001\xc3\xa9\",\"i\":-42,\"min\":-9223372036854775808,\"t\":true,"
    "\"n\":null,\"a\":[1,{},{\"k\": [true]}]}";

TEST(writes_members_elements_and_escapes)
{
    char buf[256];
    mqtls_aws_jw_t w;
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    write_sample(&w);
    size_t len = 0;
    REQUIRE_STATUS(mqtls_aws_jw_finish(&w, &len), MQTLS_OK);
    CHECK_EQ_STR(buf, sample);
    CHECK_EQ_INT(len, strlen(sample));
    /* What it wrote reads back. */
    char s[16];
    CHECK_STATUS(mqtls_aws_json_get_string(buf, len, "s", s, sizeof s, NULL), MQTLS_OK);
    CHECK_EQ_STR(s, "x\"\\\n\x01\xc3\xa9");
    int64_t v;
    CHECK_STATUS(mqtls_aws_json_get_int(buf, len, "min", &v), MQTLS_OK);
    CHECK(v == INT64_MIN);
}

/* Counting (no buffer) gives the exact size; with that size plus the NUL it fits, and with
 * any smaller buffer it is MQTLS_ERR_NO_SPACE with nothing written past the end. */
TEST(counting_and_every_short_buffer)
{
    mqtls_aws_jw_t w;
    mqtls_aws_jw_init(&w, NULL, 0);
    write_sample(&w);
    size_t need = 0;
    REQUIRE_STATUS(mqtls_aws_jw_finish(&w, &need), MQTLS_OK);
    CHECK_EQ_INT(need, strlen(sample));
    char buf[256];
    for (size_t size = 0; size <= need; size++) {
        memset(buf, 'x', sizeof buf);
        mqtls_aws_jw_init(&w, buf, size);
        write_sample(&w);
        if (!CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_NO_SPACE))
            break;
        CHECK_EQ_INT(buf[size], 'x');
    }
    mqtls_aws_jw_init(&w, buf, need + 1);
    write_sample(&w);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, sample);
}

TEST(refuses_misuse)
{
    char buf[64];
    mqtls_aws_jw_t w;
    /* A key inside an array, none inside an object, one at the top. */
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_array(&w, NULL);
    mqtls_aws_jw_int(&w, "k", 1);
    mqtls_aws_jw_end(&w);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_object(&w, NULL);
    mqtls_aws_jw_int(&w, NULL, 1);
    mqtls_aws_jw_end(&w);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_object(&w, "k");
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    /* Left open, closed twice, two top-level values, nothing at all. */
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_object(&w, NULL);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_object(&w, NULL);
    mqtls_aws_jw_end(&w);
    mqtls_aws_jw_end(&w);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_int(&w, NULL, 1);
    mqtls_aws_jw_int(&w, NULL, 2);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    /* A string that is not UTF-8; a raw value that is not JSON; a NULL string. */
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_string(&w, NULL, "\xff");
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_raw(&w, NULL, "{\"a\":}", 6);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_JSON_MALFORMED);
    mqtls_aws_jw_init(&w, buf, sizeof buf);
    mqtls_aws_jw_string(&w, NULL, NULL);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
    /* A size without a buffer. */
    mqtls_aws_jw_init(&w, NULL, 10);
    mqtls_aws_jw_int(&w, NULL, 1);
    CHECK_STATUS(mqtls_aws_jw_finish(&w, NULL), MQTLS_ERR_BAD_PARAM);
}

/* MQTLS_AWS_JSON_MAX_DEPTH levels are written; one more is refused. The reader takes what
 * the writer makes. */
TEST(depth_limit)
{
    char buf[128];
    mqtls_aws_jw_t w;
    for (unsigned depth = MQTLS_AWS_JSON_MAX_DEPTH; depth <= MQTLS_AWS_JSON_MAX_DEPTH + 1;
         depth++) {
        mqtls_aws_jw_init(&w, buf, sizeof buf);
        for (unsigned i = 0; i < depth; i++)
            mqtls_aws_jw_array(&w, NULL);
        for (unsigned i = 0; i < depth; i++)
            mqtls_aws_jw_end(&w);
        size_t len = 0;
        mqtls_status_t st = mqtls_aws_jw_finish(&w, &len);
        if (depth == MQTLS_AWS_JSON_MAX_DEPTH) {
            CHECK_STATUS(st, MQTLS_OK);
            CHECK_EQ_INT(len, 2 * depth);
            CHECK_STATUS(mqtls_aws_json_check(buf, len), MQTLS_OK);
        } else {
            CHECK_STATUS(st, MQTLS_ERR_BAD_PARAM);
        }
    }
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(writes_members_elements_and_escapes);
    RUN(counting_and_every_short_buffer);
    RUN(refuses_misuse);
    RUN(depth_limit);
    return test_main_end();
}
