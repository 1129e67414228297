/**
 * @file test_json.c
 * @brief tools/common/tool_json.c, the writer of `mqtls doctor --json`: string escaping
 *        (quotes, backslashes, control characters, DEL, bytes that are not UTF-8 as U+FFFD,
 *        overlong forms and surrogates too), nesting and its two-space layout, every value
 *        kind, and what happens past the tracked depth.
 */
#include <stdint.h>
#include <string.h>

#include "common/tool_json.h"
#include "test.h"

/* The JSON string literal tool_json_quote() makes of @p s (NUL-terminated). */
static const char *quote(const char *s)
{
    static tool_buf_t b;
    b.len = 0;
    tool_json_quote(&b, s);
    tool_buf_addc(&b, '\0');
    return b.p;
}

/* The document so far, NUL-terminated (the terminator is not kept in the document). */
static const char *text(tool_json_t *j)
{
    tool_buf_addc(&j->out, '\0');
    j->out.len--;
    return j->out.p;
}

TEST(plain_strings)
{
    CHECK_EQ_STR(quote(""), "\"\"");
    CHECK_EQ_STR(quote("abc 123"), "\"abc 123\"");
    CHECK_EQ_STR(quote("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
    CHECK_EQ_STR(quote("a/b"), "\"a/b\""); /* '/' need not be escaped */
}

TEST(control_characters)
{
    CHECK_EQ_STR(quote("a\nb\tc"), "\"a\\nb\\tc\"");
    CHECK_EQ_STR(quote("\x01\x1f\r\b\f\x7f"), "\"\\u0001\\u001f\\u000d\\u0008\\u000c\\u007f\"");
    CHECK_EQ_STR(quote("\x1b[31m"), "\"\\u001b[31m\"");
}

/* Valid UTF-8 of every length passes as it is. */
TEST(valid_utf8_is_kept)
{
    static const char s[] = "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf";
    char want[sizeof s + 2];
    want[0] = '"';
    memcpy(want + 1, s, sizeof s - 1);
    want[sizeof s] = '"';
    want[sizeof s + 1] = '\0';
    CHECK_EQ_STR(quote(s), want);
}

/* Each byte that does not start a valid sequence becomes U+FFFD, and the bytes after it are
 * looked at again: overlong forms, surrogates, code points past U+10FFFF, stray
 * continuation bytes and sequences cut short. */
TEST(invalid_utf8_becomes_fffd)
{
    CHECK_EQ_STR(quote("a\xff" "b"), "\"a\\ufffdb\"");
    CHECK_EQ_STR(quote("\x80"), "\"\\ufffd\"");
    CHECK_EQ_STR(quote("\xc0\x80"), "\"\\ufffd\\ufffd\"");         /* overlong NUL */
    CHECK_EQ_STR(quote("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\""); /* overlong '/' */
    CHECK_EQ_STR(quote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); /* U+D800 */
    CHECK_EQ_STR(quote("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
    CHECK_EQ_STR(quote("\xe2\x82"), "\"\\ufffd\\ufffd\"");          /* cut short at the end */
    CHECK_EQ_STR(quote("\xe2\x82x"), "\"\\ufffd\\ufffdx\"");        /* cut short by 'x' */
    CHECK_EQ_STR(quote("\xf8\x88\x80\x80\x80"),
                 "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");       /* 5-byte form */
}

TEST(empty_document_and_containers)
{
    tool_json_t j = {0};
    tool_json_obj(&j, NULL);
    tool_json_end(&j);
    CHECK_EQ_STR(text(&j), "{}");
    tool_json_free(&j);
    CHECK(j.out.p == NULL && j.depth == 0);
    tool_json_obj(&j, NULL);
    tool_json_arr(&j, "a");
    tool_json_end(&j);
    tool_json_obj(&j, "o");
    tool_json_end(&j);
    tool_json_end(&j);
    CHECK_EQ_STR(text(&j), "{\n  \"a\": [],\n  \"o\": {}\n}");
    tool_json_free(&j);
}

TEST(values_and_nesting)
{
    tool_json_t j = {0};
    tool_json_obj(&j, NULL);
    tool_json_str(&j, "s", "x\"y");
    tool_json_str(&j, "none", NULL);
    tool_json_strf(&j, "f", "%d-%s", 7, "z");
    tool_json_int(&j, "min", INT64_MIN);
    tool_json_int(&j, "max", INT64_MAX);
    tool_json_bool(&j, "t", true);
    tool_json_bool(&j, "f2", false);
    tool_json_null(&j, "n");
    tool_json_arr(&j, "list");
    tool_json_int(&j, NULL, 1);
    tool_json_obj(&j, NULL);
    tool_json_str(&j, "k\n", "v");
    tool_json_end(&j);
    tool_json_arr(&j, NULL);
    tool_json_end(&j);
    tool_json_end(&j);
    tool_json_end(&j);
    CHECK_EQ_INT(j.depth, 0);
    CHECK_EQ_STR(text(&j), "{\n"
                           "  \"s\": \"x\\\"y\",\n"
                           "  \"none\": null,\n"
                           "  \"f\": \"7-z\",\n"
                           "  \"min\": -9223372036854775808,\n"
                           "  \"max\": 9223372036854775807,\n"
                           "  \"t\": true,\n"
                           "  \"f2\": false,\n"
                           "  \"n\": null,\n"
                           "  \"list\": [\n"
                           "    1,\n"
                           "    {\n"
                           "      \"k\\n\": \"v\"\n"
                           "    },\n"
                           "    []\n"
                           "  ]\n"
                           "}");
    tool_json_free(&j);
}

/* The tracked depth is TOOL_JSON_DEPTH: up to it the document is balanced; an extra end()
 * at the top does nothing. */
TEST(deepest_tracked_nesting)
{
    tool_json_t j = {0};
    for (int i = 0; i < TOOL_JSON_DEPTH; i++)
        tool_json_arr(&j, NULL);
    for (int i = 0; i < TOOL_JSON_DEPTH; i++)
        tool_json_end(&j);
    tool_json_end(&j);
    CHECK_EQ_INT(j.depth, 0);
    const char *t = text(&j);
    size_t open = 0, close = 0;
    for (const char *p = t; *p; p++) {
        open += *p == '[';
        close += *p == ']';
    }
    CHECK_EQ_INT(open, TOOL_JSON_DEPTH);
    CHECK_EQ_INT(close, TOOL_JSON_DEPTH);
    CHECK(t[strlen(t) - 1] == ']');
    tool_json_free(&j);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(plain_strings);
    RUN(control_characters);
    RUN(valid_utf8_is_kept);
    RUN(invalid_utf8_becomes_fffd);
    RUN(empty_document_and_containers);
    RUN(values_and_nesting);
    RUN(deepest_tracked_nesting);
    return test_main_end();
}
