/**
 * @file fuzz_aws.c
 * @brief libFuzzer target for the AWS IoT device helpers (src/aws/): the JSON reader, the
 * writer and the topic matcher, on what the network could send.
 *
 * The input is "path NUL document" (no NUL: the whole input is the document, path "").
 * Checks:
 *  - mqtls_aws_json_find() returns only its documented statuses; when the document is
 *    malformed, so says find for any path;
 *  - a value found lies inside the document and is itself well-formed JSON; stepping through
 *    an object or array (mqtls_aws_json_next()) gives values inside it, in order, then ends;
 *    a string value unescapes (or is refused as holding U+0000, or is too large for the
 *    buffer), and the writer escapes it back into a string that reads back to the same bytes;
 *  - a well-formed document copied through mqtls_aws_jw_raw() is unchanged, and one whose
 *    value is an object or array is malformed without its last byte;
 *  - the document taken as a topic: when mqtls_aws_topic_match() accepts it, the builder
 *    makes the same topic back from what the matcher said.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtls/aws.h"

#define FAIL(...)                                                                            \
    do {                                                                                     \
        fprintf(stderr, "fuzz_aws: " __VA_ARGS__);                                           \
        fputc('\n', stderr);                                                                 \
        abort();                                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char str_buf[1 << 16];
static char out_buf[6 * (1 << 16) + 16]; /* a string escaped: up to 6 bytes each */

static void check_string(const mqtls_aws_json_value_t *v)
{
    size_t n = 0;
    mqtls_status_t st = mqtls_aws_json_string(v, str_buf, sizeof str_buf, &n);
    if (st == MQTLS_ERR_JSON_TYPE || st == MQTLS_ERR_NO_SPACE)
        return;
    if (st != MQTLS_OK || strlen(str_buf) != n)
        FAIL("string value: status %d, length %zu", (int)st, n);
    mqtls_aws_jw_t w;
    mqtls_aws_jw_init(&w, out_buf, sizeof out_buf);
    mqtls_aws_jw_string(&w, NULL, str_buf);
    size_t len = 0;
    if ((st = mqtls_aws_jw_finish(&w, &len)) != MQTLS_OK)
        FAIL("the writer refused a string the reader gave: %d", (int)st);
    mqtls_aws_json_value_t back;
    if (mqtls_aws_json_find(out_buf, len, "", &back) != MQTLS_OK ||
        back.type != MQTLS_AWS_JSON_STRING)
        FAIL("the writer's string does not read back");
    static char again[sizeof str_buf];
    size_t m = 0;
    if (mqtls_aws_json_string(&back, again, sizeof again, &m) != MQTLS_OK || m != n ||
        memcmp(again, str_buf, n) != 0)
        FAIL("a string changed through the writer");
}

/* Stepping through a container gives values inside it, in order, and then ends. */
static void check_members(const mqtls_aws_json_value_t *c)
{
    size_t cursor = 0, n = 0;
    const char *last = c->raw;
    mqtls_aws_json_value_t key, value;
    mqtls_status_t st;
    while ((st = mqtls_aws_json_next(c, &cursor, &key, &value)) == MQTLS_OK) {
        if (value.raw <= last || value.raw + value.len > c->raw + c->len || ++n > c->len)
            FAIL("json_next gave a value outside its container or out of order");
        if (c->type == MQTLS_AWS_JSON_OBJECT && key.type != MQTLS_AWS_JSON_STRING)
            FAIL("json_next gave a member name that is not a string");
        last = value.raw;
    }
    if (st != MQTLS_ERR_JSON_NOT_FOUND)
        FAIL("json_next ended with %d", (int)st);
}

static void check_value(const char *doc, size_t len, const mqtls_aws_json_value_t *v)
{
    if (v->raw < doc || v->raw + v->len > doc + len || v->len == 0)
        FAIL("value span outside the document");
    if (mqtls_aws_json_check(v->raw, v->len) != MQTLS_OK)
        FAIL("a value found is not well-formed by itself");
    if (v->type == MQTLS_AWS_JSON_STRING)
        check_string(v);
    if (v->type == MQTLS_AWS_JSON_OBJECT || v->type == MQTLS_AWS_JSON_ARRAY)
        check_members(v);
    int64_t i;
    mqtls_status_t st = mqtls_aws_json_int(v, &i);
    if (st != MQTLS_OK && st != MQTLS_ERR_JSON_TYPE)
        FAIL("json_int status %d", (int)st);
    if (st == MQTLS_OK && v->type != MQTLS_AWS_JSON_NUMBER)
        FAIL("an integer from a value that is not a number");
}

static void check_document(const char *doc, size_t len)
{
    mqtls_aws_json_value_t v;
    if (mqtls_aws_json_find(doc, len, "", &v) != MQTLS_OK)
        FAIL("a well-formed document has no value at \"\"");
    check_value(doc, len, &v);
    if (len + 1 <= sizeof out_buf) {
        mqtls_aws_jw_t w;
        size_t n = 0;
        mqtls_aws_jw_init(&w, out_buf, sizeof out_buf);
        mqtls_aws_jw_raw(&w, NULL, doc, len);
        if (mqtls_aws_jw_finish(&w, &n) != MQTLS_OK || n != len || memcmp(out_buf, doc, len))
            FAIL("a well-formed document changed through jw_raw");
    }
    if ((v.type == MQTLS_AWS_JSON_OBJECT || v.type == MQTLS_AWS_JSON_ARRAY) &&
        mqtls_aws_json_check(v.raw, v.len - 1) != MQTLS_ERR_JSON_MALFORMED)
        FAIL("an object or array without its closing byte was accepted");
}

static void check_topic(const char *topic, size_t len)
{
    mqtls_aws_topic_t t;
    mqtls_status_t st = mqtls_aws_topic_match(topic, len, &t);
    if (st == MQTLS_ERR_AWS_TOPIC || st == MQTLS_ERR_AWS_NAME)
        return;
    if (st != MQTLS_OK)
        FAIL("topic_match status %d", (int)st);
    char buf[MQTLS_AWS_TOPIC_MAX + 1];
    size_t n = 0;
    st = mqtls_aws_topic_build(&t, buf, sizeof buf, &n);
    if (st != MQTLS_OK || n != len || memcmp(buf, topic, len) != 0)
        FAIL("a matched topic does not build back to itself (status %d)", (int)st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nul = memchr(in, '\0', size);
    char path[64] = "";
    const char *doc = in;
    size_t len = size;
    if (nul) {
        size_t plen = (size_t)(nul - in);
        if (plen >= sizeof path)
            return 0;
        memcpy(path, in, plen);
        path[plen] = '\0';
        doc = nul + 1;
        len = size - plen - 1;
    }
    mqtls_status_t whole = mqtls_aws_json_check(doc, len);
    mqtls_aws_json_value_t v;
    mqtls_status_t st = mqtls_aws_json_find(doc, len, path, &v);
    if (whole != MQTLS_OK && st != whole)
        FAIL("find on a malformed document gave %d", (int)st);
    if (st == MQTLS_OK)
        check_value(doc, len, &v);
    else if (st != MQTLS_ERR_JSON_NOT_FOUND && st != MQTLS_ERR_BAD_PARAM &&
             st != MQTLS_ERR_JSON_MALFORMED)
        FAIL("find status %d", (int)st);
    if (whole == MQTLS_OK)
        check_document(doc, len);
    check_topic(doc, len);
    return 0;
}
