/**
 * @file test_topic.c
 * @brief Topic matching (MQTT 3.1.1 section 4.7 / 5.0 section 4.7 and 4.8.2), topic name
 *        and filter checks, and the UTF-8 rules of section 1.5.3 / 1.5.4.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqtls/codec.h"
#include "test.h"

static int matches(const char *filter, const char *topic)
{
    return mqtls_topic_matches(filter, strlen(filter), topic, strlen(topic));
}

static const struct {
    const char *filter;
    const char *topic;
    int match;
} match_table[] = {
    /* 4.7.1.2: multi-level wildcard. */
    {"sport/tennis/player1/#", "sport/tennis/player1", 1},
    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", 1},
    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", 1},
    {"sport/tennis/player1/#", "sport/tennis/player2", 0},
    {"sport/tennis/player1/#", "sport/tennis/player10", 0},
    {"sport/#", "sport", 1},
    {"sport/#", "sport/", 1},
    {"sport/#", "sports", 0},
    {"#", "sport/tennis", 1},
    {"#", "/", 1},
    /* 4.7.1.3: single-level wildcard. */
    {"sport/tennis/+", "sport/tennis/player1", 1},
    {"sport/tennis/+", "sport/tennis/player2", 1},
    {"sport/tennis/+", "sport/tennis/player1/ranking", 0},
    {"sport/+", "sport", 0},
    {"sport/+", "sport/", 1},
    {"+", "a", 1},
    {"+", "a/b", 0},
    {"+/+", "/finance", 1},
    {"/+", "/finance", 1},
    {"+", "/finance", 0},
    {"+/tennis/#", "sport/tennis/x", 1},
    {"+/tennis/#", "sport/tennis", 1},
    {"+/tennis/#", "sport/golf", 0},
    {"a/+/c", "a//c", 1},
    {"a/+/c", "a/b/c/d", 0},
    {"+/#", "a", 1},
    {"+/+/+", "a/b", 0},
    /* Literal levels, and case sensitivity (4.7.3). */
    {"ACCOUNTS", "Accounts", 0},
    {"a/b", "a/b", 1},
    {"a/b", "a/b/", 0},
    {"a/b", "a", 0},
    {"a", "a/b", 0},
    {"ab", "abc", 0},
    {"abc", "ab", 0},
    {"/", "/", 1},
    {"a//b", "a//b", 1},
    {"a/ /b", "a/ /b", 1},
    /* 4.7.2: topics beginning with $. */
    {"#", "$SYS/monitor/Clients", 0},
    {"+/monitor/Clients", "$SYS/monitor/Clients", 0},
    {"$SYS/#", "$SYS/monitor/Clients", 1},
    {"$SYS/monitor/+", "$SYS/monitor/Clients", 1},
    {"+", "$SYS", 0},
    {"#", "$", 0},
    {"a/#", "a/$x", 1}, /* only the first level is special */
    {"+/$x", "a/$x", 1},
    /* 5.0 4.8.2: shared subscriptions match on the filter after $share/<name>/. */
    {"$share/g/sport/#", "sport/tennis", 1},
    {"$share/g/+", "a", 1},
    {"$share/g/+", "a/b", 0},
    {"$share/g/#", "$SYS/x", 0},
    {"$share/group/a/b", "a/b", 1},
    {"$share/group/a/b", "$share/group/a/b", 0},
    {"$share//a", "a", 0}, /* malformed: no share name */
    /* Multibyte characters are just bytes to the matcher. */
    {"\xc3\xa9t\xc3\xa9/+", "\xc3\xa9t\xc3\xa9/chaud", 1},
};

TEST(topic_matching_table)
{
    for (size_t i = 0; i < sizeof match_table / sizeof match_table[0]; i++) {
        if (!CHECK_EQ_INT(matches(match_table[i].filter, match_table[i].topic),
                          match_table[i].match))
            test_note("filter \"%s\" topic \"%s\"", match_table[i].filter,
                      match_table[i].topic);
    }
}

/* Strings are length-delimited: bytes past the given length are not part of them. */
TEST(matching_uses_lengths_not_nul)
{
    CHECK(mqtls_topic_matches("a/bXYZ", 3, "a/bQQ", 3));
    CHECK(!mqtls_topic_matches("a/b", 3, "a/bc", 4));
    CHECK(mqtls_topic_matches("a/#", 3, "a/b/c", 5));
    CHECK(!mqtls_topic_matches("a/#", 2, "a/b/c", 5)); /* "a/" */
    CHECK(mqtls_topic_matches("+/x", 1, "abc/x", 3));  /* "+" against "abc" */
}

static const struct {
    const char *s;
    int ok;
} filters[] = {
    {"sport/tennis/player1", 1}, {"sport/#", 1},       {"#", 1},        {"+", 1},
    {"+/tennis/#", 1},           {"sport/+/player1", 1}, {"/", 1},      {"//", 1},
    {"/+", 1},                   {"+/+", 1},          {"$SYS/#", 1},    {"$share/g/a", 1},
    {"$share/g/#", 1},           {"$share/g//", 1},   {"$share", 1},    {"$sharex/+", 1},
    {"sport/tennis#", 0},        {"sport/tennis/#/ranking", 0},         {"a/#/b", 0},
    {"#/", 0},                   {"##", 0},           {"a+", 0},        {"+a", 0},
    {"a/b+/c", 0},               {"sport+", 0},       {"++", 0},        {"#a", 0},
    {"", 0},                     {"$share//x", 0},    {"$share/g", 0},  {"$share/g/", 0},
    {"$share/+/x", 0},           {"$share/g#/x", 0},  {"$share/", 0},   {"$share/g/a+", 0},
};

TEST(filter_check_table)
{
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        mqtls_status_t want = filters[i].ok ? MQTLS_OK : MQTLS_ERR_MALFORMED_FILTER;
        if (!CHECK_STATUS(mqtls_filter_check(filters[i].s, strlen(filters[i].s)), want))
            test_note("filter \"%s\"", filters[i].s);
    }
    /* UTF-8 rules apply to filters as well. */
    CHECK_STATUS(mqtls_filter_check("a/\xc0\x80", 4), MQTLS_ERR_MALFORMED_UTF8);
    CHECK_STATUS(mqtls_filter_check("a/\0", 3), MQTLS_ERR_MALFORMED_UTF8_NUL);
    CHECK_STATUS(mqtls_filter_check("\xf0\x9f\x98\x80/#", 6), MQTLS_OK);
}

TEST(topic_check_table)
{
    static const char *const good[] = {"sport/tennis", "/", "a//b", "$SYS/x", " ", "a b",
                                       "\xe2\x82\xac/\xf4\x8f\xbf\xbf"};
    static const char *const bad[] = {"a/+", "+", "#", "a/#", "a#b", "a+b"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!CHECK_STATUS(mqtls_topic_check(good[i], strlen(good[i])), MQTLS_OK))
            test_note("topic \"%s\"", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!CHECK_STATUS(mqtls_topic_check(bad[i], strlen(bad[i])), MQTLS_ERR_MALFORMED_TOPIC))
            test_note("topic \"%s\"", bad[i]);
    CHECK_STATUS(mqtls_topic_check("a\xed\xa0\x80", 4), MQTLS_ERR_MALFORMED_UTF8);
    CHECK_STATUS(mqtls_topic_check("a\0", 2), MQTLS_ERR_MALFORMED_UTF8_NUL);
    /* Empty is the caller's to judge (legal with a 5.0 topic alias). */
    CHECK_STATUS(mqtls_topic_check("", 0), MQTLS_OK);
}

TEST(names_longer_than_65535_bytes)
{
    char *s = malloc(65536);
    REQUIRE(s != NULL);
    memset(s, 'a', 65536);
    CHECK_STATUS(mqtls_topic_check(s, 65535), MQTLS_OK);
    CHECK_STATUS(mqtls_topic_check(s, 65536), MQTLS_ERR_MALFORMED_TOPIC);
    CHECK_STATUS(mqtls_filter_check(s, 65535), MQTLS_OK);
    CHECK_STATUS(mqtls_filter_check(s, 65536), MQTLS_ERR_MALFORMED_FILTER);
    free(s);
}

/* ===================================================================================== */
/* UTF-8                                                                                   */
/* ===================================================================================== */

static const struct {
    const char *what;
    const char *s;
    size_t len;
    mqtls_status_t st;
} utf8[] = {
    {"empty", "", 0, MQTLS_OK},
    {"ASCII", "hello/world", 11, MQTLS_OK},
    {"U+0001", "\x01", 1, MQTLS_OK},
    {"U+007F", "\x7f", 1, MQTLS_OK},
    {"U+0080", "\xc2\x80", 2, MQTLS_OK},
    {"U+07FF", "\xdf\xbf", 2, MQTLS_OK},
    {"U+0800", "\xe0\xa0\x80", 3, MQTLS_OK},
    {"U+D7FF", "\xed\x9f\xbf", 3, MQTLS_OK},
    {"U+E000", "\xee\x80\x80", 3, MQTLS_OK},
    {"U+FEFF (BOM)", "\xef\xbb\xbf", 3, MQTLS_OK},
    {"U+FFFF", "\xef\xbf\xbf", 3, MQTLS_OK},
    {"U+10000", "\xf0\x90\x80\x80", 4, MQTLS_OK},
    {"U+2A6D4 (spec example)", "A\xf0\xaa\x9b\x94", 5, MQTLS_OK},
    {"U+10FFFF (largest)", "\xf4\x8f\xbf\xbf", 4, MQTLS_OK},
    {"U+0000", "\0", 1, MQTLS_ERR_MALFORMED_UTF8_NUL},
    {"U+0000 inside", "ab\0cd", 5, MQTLS_ERR_MALFORMED_UTF8_NUL},
    {"overlong U+0000", "\xc0\x80", 2, MQTLS_ERR_MALFORMED_UTF8},
    {"overlong C1", "\xc1\xbf", 2, MQTLS_ERR_MALFORMED_UTF8},
    {"overlong 3-byte U+07FF", "\xe0\x9f\xbf", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"overlong 3-byte U+0000", "\xe0\x80\x80", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"overlong 4-byte U+FFFF", "\xf0\x8f\xbf\xbf", 4, MQTLS_ERR_MALFORMED_UTF8},
    {"surrogate U+D800", "\xed\xa0\x80", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"surrogate U+DBFF", "\xed\xaf\xbf", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"surrogate U+DC00", "\xed\xb0\x80", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"surrogate U+DFFF", "\xed\xbf\xbf", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"surrogate pair CESU-8", "\xed\xa0\xbd\xed\xb8\x80", 6, MQTLS_ERR_MALFORMED_UTF8},
    {"U+110000", "\xf4\x90\x80\x80", 4, MQTLS_ERR_MALFORMED_UTF8},
    {"U+13FFFF", "\xf4\xbf\xbf\xbf", 4, MQTLS_ERR_MALFORMED_UTF8},
    {"lead F5", "\xf5\x80\x80\x80", 4, MQTLS_ERR_MALFORMED_UTF8},
    {"lead F7", "\xf7\xbf\xbf\xbf", 4, MQTLS_ERR_MALFORMED_UTF8},
    {"5-byte form", "\xf8\x88\x80\x80\x80", 5, MQTLS_ERR_MALFORMED_UTF8},
    {"6-byte form", "\xfc\x84\x80\x80\x80\x80", 6, MQTLS_ERR_MALFORMED_UTF8},
    {"byte FE", "\xfe", 1, MQTLS_ERR_MALFORMED_UTF8},
    {"byte FF", "\xff", 1, MQTLS_ERR_MALFORMED_UTF8},
    {"lone continuation", "\x80", 1, MQTLS_ERR_MALFORMED_UTF8},
    {"continuation after ASCII", "a\xbf", 2, MQTLS_ERR_MALFORMED_UTF8},
    {"truncated 2-byte at end", "ab\xc3", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"truncated 3-byte at end", "\xe2\x82", 2, MQTLS_ERR_MALFORMED_UTF8},
    {"truncated 4-byte at end", "\xf0\x9f\x98", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"ASCII where a continuation belongs", "\xe2" "a" "\xac", 3, MQTLS_ERR_MALFORMED_UTF8},
    {"lead byte where a continuation belongs", "\xc3\xc3\xa9", 3, MQTLS_ERR_MALFORMED_UTF8},
};

TEST(utf8_table)
{
    for (size_t i = 0; i < sizeof utf8 / sizeof utf8[0]; i++)
        if (!CHECK_STATUS(mqtls_utf8_check(utf8[i].s, utf8[i].len), utf8[i].st))
            test_note("%s", utf8[i].what);
}

/* The length bounds the check: a valid string followed by garbage is valid, and a string
 * that ends inside a character is not, whatever follows in memory. */
TEST(utf8_respects_the_length)
{
    CHECK_STATUS(mqtls_utf8_check("ok\xff\xff", 2), MQTLS_OK);
    CHECK_STATUS(mqtls_utf8_check("\xe2\x82\xac", 2), MQTLS_ERR_MALFORMED_UTF8);
    CHECK_STATUS(mqtls_utf8_check("\xf4\x8f\xbf\xbf", 3), MQTLS_ERR_MALFORMED_UTF8);
    CHECK_STATUS(mqtls_utf8_check("a\0", 1), MQTLS_OK);
}

/* A NULL string with a length is refused, not read (the encoders rely on it for the strings
 * a caller gives them); with length 0 it is the empty string. */
TEST(null_with_a_length_is_refused)
{
    CHECK_STATUS(mqtls_utf8_check(NULL, 3), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_topic_check(NULL, 1), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_utf8_check(NULL, 0), MQTLS_OK);
    CHECK_STATUS(mqtls_topic_check(NULL, 0), MQTLS_OK);
}

/* Every code point from U+0001 to U+10FFFF, encoded by hand: the surrogates are refused and
 * everything else accepted. */
TEST(utf8_every_code_point)
{
    unsigned bad_accepted = 0, good_refused = 0;
    for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
        char s[4];
        size_t n;
        if (cp < 0x80) {
            s[0] = (char)cp;
            n = 1;
        } else if (cp < 0x800) {
            s[0] = (char)(0xC0 | (cp >> 6));
            s[1] = (char)(0x80 | (cp & 0x3F));
            n = 2;
        } else if (cp < 0x10000) {
            s[0] = (char)(0xE0 | (cp >> 12));
            s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[2] = (char)(0x80 | (cp & 0x3F));
            n = 3;
        } else {
            s[0] = (char)(0xF0 | (cp >> 18));
            s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[3] = (char)(0x80 | (cp & 0x3F));
            n = 4;
        }
        int surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        mqtls_status_t st = mqtls_utf8_check(s, n);
        if (surrogate && st != MQTLS_ERR_MALFORMED_UTF8)
            bad_accepted++;
        if (!surrogate && st != MQTLS_OK)
            good_refused++;
    }
    CHECK_EQ_INT(bad_accepted, 0);
    CHECK_EQ_INT(good_refused, 0);
}

/* Every 2-byte string: valid exactly when it is two ASCII characters other than NUL, or
 * C2..DF followed by 80..BF; a NUL among ASCII gives the NUL status. */
TEST(utf8_every_two_byte_string)
{
    unsigned wrong = 0;
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned c = 0; c < 256; c++) {
            char s[2] = {(char)a, (char)c};
            mqtls_status_t want;
            if (a == 0 || (a < 0x80 && c == 0))
                want = MQTLS_ERR_MALFORMED_UTF8_NUL;
            else if (a < 0x80 && c < 0x80)
                want = MQTLS_OK;
            else if (a >= 0xC2 && a <= 0xDF && c >= 0x80 && c <= 0xBF)
                want = MQTLS_OK;
            else
                want = MQTLS_ERR_MALFORMED_UTF8;
            mqtls_status_t got = mqtls_utf8_check(s, 2);
            if (got != want) {
                if (wrong++ < 5)
                    test_note("bytes %02x %02x: got %d, want %d", a, c, (int)got, (int)want);
            }
        }
    }
    CHECK_EQ_INT(wrong, 0);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(topic_matching_table);
    RUN(matching_uses_lengths_not_nul);
    RUN(filter_check_table);
    RUN(topic_check_table);
    RUN(names_longer_than_65535_bytes);
    RUN(utf8_table);
    RUN(utf8_respects_the_length);
    RUN(null_with_a_length_is_refused);
    RUN(utf8_every_code_point);
    RUN(utf8_every_two_byte_string);
    return test_main_end();
}
