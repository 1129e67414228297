/**
 * @file test_cursor.c
 * @brief src/codec/cursor.c: the bounded writers (every one, at and past the end of the
 *        buffer, and in count-only mode), the checked readers (every one, on short input),
 *        and variable byte integers at the edges of each size.
 */
#include <stdint.h>
#include <string.h>

#include "codec/codec_internal.h"
#include "test.h"

#define GUARD 8u
#define GUARD_BYTE 0xA5u

/* A writer over @p cap bytes of a buffer with guard bytes after them. */
static uint8_t area[64 + GUARD];

static wcur_t writer(size_t cap)
{
    memset(area, GUARD_BYTE, sizeof area);
    return (wcur_t){area, cap, 0};
}

/* Nothing was written at or after @p from. */
static int untouched_from(size_t from)
{
    for (size_t i = from; i < sizeof area; i++)
        if (area[i] != GUARD_BYTE)
            return 0;
    return 1;
}

static rcur_t reader(const void *p, size_t n)
{
    return (rcur_t){(const uint8_t *)p, (const uint8_t *)p + n};
}

/* ===================================================================================== */
/* Writers                                                                                 */
/* ===================================================================================== */

TEST(writers_are_big_endian)
{
    wcur_t w = writer(16);
    mqtls__w_u8(&w, 0x01);
    mqtls__w_u16(&w, 0x0203);
    mqtls__w_u32(&w, 0x04050607u);
    mqtls__w_bytes(&w, "\x08\x09", 2);
    mqtls__w_str(&w, "ab", 2);
    CHECK_EQ_INT(w.n, 13);
    CHECK_EQ_MEM(area, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x00\x02" "ab", 13);
    CHECK(untouched_from(13));
}

TEST(writers_fill_the_buffer_exactly)
{
    wcur_t w = writer(7);
    mqtls__w_u8(&w, 0xAA);
    mqtls__w_u16(&w, 0xBBCC);
    mqtls__w_u32(&w, 0xDDEEFF11u);
    CHECK_EQ_INT(w.n, 7);
    CHECK_EQ_MEM(area, "\xAA\xBB\xCC\xDD\xEE\xFF\x11", 7);
    CHECK(untouched_from(7));
}

/* Past the end nothing is written but n keeps counting, so one check of n > cap at the end
 * covers a whole packet: the overflow sticks. */
TEST(overflow_sticks)
{
    wcur_t w = writer(3);
    mqtls__w_u16(&w, 0x0102);
    mqtls__w_u16(&w, 0x0304); /* straddles the end: only its first byte fits */
    CHECK_EQ_INT(w.n, 4);
    CHECK_EQ_MEM(area, "\x01\x02\x03", 3);
    CHECK(untouched_from(3));
    mqtls__w_u8(&w, 0x05);
    mqtls__w_u32(&w, 0x06070809u);
    mqtls__w_vbi(&w, 16384);
    mqtls__w_bytes(&w, "xyz", 3);
    mqtls__w_str(&w, "s", 1);
    CHECK_EQ_INT(w.n, 4 + 1 + 4 + 3 + 3 + 3);
    CHECK(w.n > w.cap);
    CHECK(untouched_from(3));
}

/* A block of bytes that does not fit is not written in part. */
TEST(bytes_that_do_not_fit_are_dropped_whole)
{
    wcur_t w = writer(4);
    mqtls__w_u8(&w, 0x01);
    mqtls__w_bytes(&w, "abcd", 4);
    CHECK_EQ_INT(w.n, 5);
    CHECK(untouched_from(1));
    w = writer(4);
    mqtls__w_str(&w, "abc", 3); /* length fits, the bytes do not */
    CHECK_EQ_INT(w.n, 5);
    CHECK_EQ_MEM(area, "\x00\x03", 2);
    CHECK(untouched_from(2));
    w = writer(4);
    mqtls__w_bytes(&w, NULL, 0);
    CHECK_EQ_INT(w.n, 0);
    CHECK(untouched_from(0));
}

/* With no buffer the writer only counts (the encoder's size pass). */
TEST(count_only_mode)
{
    wcur_t w = {NULL, 0, 0};
    mqtls__w_u8(&w, 1);
    mqtls__w_u16(&w, 2);
    mqtls__w_u32(&w, 3);
    mqtls__w_vbi(&w, 268435455u);
    mqtls__w_bytes(&w, "abc", 3);
    mqtls__w_str(&w, "de", 2);
    CHECK_EQ_INT(w.n, 1 + 2 + 4 + 4 + 3 + 4);
}

/* ===================================================================================== */
/* Variable byte integers                                                                  */
/* ===================================================================================== */

static const struct {
    uint32_t value;
    const char *bytes;
    size_t n;
} vbis[] = {
    {0u, "\x00", 1},
    {127u, "\x7f", 1},
    {128u, "\x80\x01", 2},
    {16383u, "\xff\x7f", 2},
    {16384u, "\x80\x80\x01", 3},
    {2097151u, "\xff\xff\x7f", 3},
    {2097152u, "\x80\x80\x80\x01", 4},
    {268435455u, "\xff\xff\xff\x7f", 4},
};
#define VBI_COUNT (sizeof vbis / sizeof vbis[0])

TEST(vbi_edges_write_size_and_read)
{
    for (size_t i = 0; i < VBI_COUNT; i++) {
        wcur_t w = writer(8);
        uint32_t back = 12345;
        mqtls__w_vbi(&w, vbis[i].value);
        if (!CHECK_EQ_INT(w.n, vbis[i].n) || !CHECK_EQ_MEM(area, vbis[i].bytes, vbis[i].n))
            test_note("value %lu", (unsigned long)vbis[i].value);
        CHECK(untouched_from(vbis[i].n));
        CHECK_EQ_INT(mqtls__vbi_size(vbis[i].value), vbis[i].n);
        rcur_t r = reader(vbis[i].bytes, vbis[i].n);
        CHECK_STATUS(mqtls__r_vbi(&r, &back), MQTLS_OK);
        CHECK_EQ_INT(back, vbis[i].value);
        CHECK(r.cur == r.end);
    }
}

/* Every shorter prefix of an encoding is cut short (the data ran out), not a bad value. */
TEST(vbi_truncated_is_a_length_error)
{
    for (size_t i = 0; i < VBI_COUNT; i++)
        for (size_t n = 0; n < vbis[i].n; n++) {
            uint32_t v = 0;
            rcur_t r = reader(vbis[i].bytes, n);
            if (!CHECK_STATUS(mqtls__r_vbi(&r, &v), MQTLS_ERR_MALFORMED_LENGTH))
                test_note("value %lu, %zu bytes", (unsigned long)vbis[i].value, n);
        }
}

/* One too big: 268435456 takes five bytes, which no reader accepts; the writer only counts
 * them (the encoder refuses such a length before writing, test_encoder.c). */
TEST(vbi_one_too_big)
{
    uint32_t v = 0;
    wcur_t w = writer(8);
    mqtls__w_vbi(&w, 268435456u);
    CHECK_EQ_INT(w.n, 5);
    CHECK_EQ_MEM(area, "\x80\x80\x80\x80\x01", 5);
    rcur_t r = reader("\x80\x80\x80\x80\x01", 5);
    CHECK_STATUS(mqtls__r_vbi(&r, &v), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    r = reader("\xff\xff\xff\xff\x7f", 5);
    CHECK_STATUS(mqtls__r_vbi(&r, &v), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    CHECK_EQ_INT(mqtls__vbi_size(UINT32_MAX), 4); /* the size saturates: callers check */
}

/* A value written in more bytes than it needs is malformed [MQTT-1.5.5-1]. */
TEST(vbi_not_minimal)
{
    static const char *const longer[] = {"\x80\x00", "\xff\x00", "\x80\x80\x00",
                                         "\x80\x80\x80\x00"};
    static const size_t len[] = {2, 2, 3, 4};
    for (size_t i = 0; i < 4; i++) {
        uint32_t v = 0;
        rcur_t r = reader(longer[i], len[i]);
        CHECK_STATUS(mqtls__r_vbi(&r, &v), MQTLS_ERR_MALFORMED_REMAINING_LENGTH);
    }
}

/* ===================================================================================== */
/* Readers                                                                                 */
/* ===================================================================================== */

TEST(integer_readers)
{
    static const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
    rcur_t r = reader(in, sizeof in);
    uint8_t a = 0;
    uint16_t b = 0;
    uint32_t c = 0;
    REQUIRE_STATUS(mqtls__r_u8(&r, &a), MQTLS_OK);
    REQUIRE_STATUS(mqtls__r_u16(&r, &b), MQTLS_OK);
    REQUIRE_STATUS(mqtls__r_u32(&r, &c), MQTLS_OK);
    CHECK_EQ_INT(a, 0x01);
    CHECK_EQ_INT(b, 0x0203);
    CHECK_EQ_INT(c, 0x04050607u);
    CHECK(r.cur == r.end);
    r = reader("\xff\xff\xff\xff\xff\xff", 6);
    REQUIRE_STATUS(mqtls__r_u16(&r, &b), MQTLS_OK);
    REQUIRE_STATUS(mqtls__r_u32(&r, &c), MQTLS_OK);
    CHECK_EQ_INT(b, 0xFFFF);
    CHECK_EQ_INT(c, 0xFFFFFFFFu);
}

/* A read that does not fit fails, leaves the cursor where it was and the output alone. */
TEST(integer_readers_at_the_end)
{
    static const uint8_t in[] = {0x11, 0x22, 0x33};
    uint8_t a = 7;
    uint16_t b = 7;
    uint32_t c = 7;
    rcur_t r = reader(in, 0);
    CHECK_STATUS(mqtls__r_u8(&r, &a), MQTLS_ERR_MALFORMED_LENGTH);
    r = reader(in, 1);
    CHECK_STATUS(mqtls__r_u16(&r, &b), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK(r.cur == in);
    r = reader(in, 3);
    CHECK_STATUS(mqtls__r_u32(&r, &c), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK(r.cur == in);
    CHECK_EQ_INT(a, 7);
    CHECK_EQ_INT(b, 7);
    CHECK_EQ_INT(c, 7);
}

/* Binary data and strings point into the input (zero copy). */
TEST(bin_and_str_readers)
{
    static const uint8_t in[] = {0x00, 0x02, 'h', 'i', 0x00, 0x00, 0x00, 0x01, 'x'};
    rcur_t r = reader(in, sizeof in);
    mqtls_bin_t b;
    mqtls_str_t s;
    REQUIRE_STATUS(mqtls__r_bin(&r, &b), MQTLS_OK);
    CHECK(b.data == in + 2);
    CHECK_EQ_INT(b.len, 2);
    REQUIRE_STATUS(mqtls__r_strn(&r, &s), MQTLS_OK);
    CHECK_EQ_INT(s.len, 0);
    REQUIRE_STATUS(mqtls__r_str(&r, &s), MQTLS_OK);
    CHECK(s.data == (const char *)in + 8);
    CHECK_EQ_INT(s.len, 1);
    CHECK(r.cur == r.end);
}

/* A length that runs past the end (by one byte, or with no length at all). */
TEST(bin_and_str_past_the_end)
{
    mqtls_bin_t b = {(const uint8_t *)"x", 9};
    mqtls_str_t s = {"x", 9};
    rcur_t r = reader("\x00\x03" "ab", 4);
    CHECK_STATUS(mqtls__r_bin(&r, &b), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK(b.data == NULL);
    CHECK_EQ_INT(b.len, 0);
    r = reader("\x00", 1);
    CHECK_STATUS(mqtls__r_bin(&r, &b), MQTLS_ERR_MALFORMED_LENGTH);
    r = reader("\xff\xff" "ab", 4);
    CHECK_STATUS(mqtls__r_strn(&r, &s), MQTLS_ERR_MALFORMED_LENGTH);
    CHECK_EQ_INT(s.len, 0);
    r = reader("\x00\x02" "a", 3);
    CHECK_STATUS(mqtls__r_str(&r, &s), MQTLS_ERR_MALFORMED_LENGTH);
}

/* r_strn leaves UTF-8 to its caller; r_str checks it. */
TEST(str_checks_utf8_strn_does_not)
{
    static const uint8_t bad[] = {0x00, 0x02, 0xc0, 0x80}; /* overlong NUL */
    static const uint8_t nul[] = {0x00, 0x01, 0x00};
    mqtls_str_t s;
    rcur_t r = reader(bad, sizeof bad);
    CHECK_STATUS(mqtls__r_strn(&r, &s), MQTLS_OK);
    CHECK_EQ_INT(s.len, 2);
    r = reader(bad, sizeof bad);
    CHECK_STATUS(mqtls__r_str(&r, &s), MQTLS_ERR_MALFORMED_UTF8);
    r = reader(nul, sizeof nul);
    CHECK_STATUS(mqtls__r_str(&r, &s), MQTLS_ERR_MALFORMED_UTF8_NUL);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(writers_are_big_endian);
    RUN(writers_fill_the_buffer_exactly);
    RUN(overflow_sticks);
    RUN(bytes_that_do_not_fit_are_dropped_whole);
    RUN(count_only_mode);
    RUN(vbi_edges_write_size_and_read);
    RUN(vbi_truncated_is_a_length_error);
    RUN(vbi_one_too_big);
    RUN(vbi_not_minimal);
    RUN(integer_readers);
    RUN(integer_readers_at_the_end);
    RUN(bin_and_str_readers);
    RUN(bin_and_str_past_the_end);
    RUN(str_checks_utf8_strn_does_not);
    return test_main_end();
}
