/**
 * @file test_store_ram.c
 * @brief The RAM message store: records [id:2][len:4][packet] in arrival order, gathered
 *        puts, compaction on removal, replacement, and refusal when full.
 */
#include <string.h>

#include "mqtls/client.h"
#include "test.h"

static uint8_t mem[256];
static mqtls_ram_store_t rs;
static const mqtls_store_t *const st = &mqtls_ram_store;

static void init(size_t size)
{
    memset(mem, 0xEE, sizeof mem);
    mqtls_ram_store_init(&rs, mem, size);
}

static mqtls_status_t put_str(uint16_t id, const char *s)
{
    mqtls_iov_t iov = {s, strlen(s)};
    return st->put(&rs, id, &iov, 1);
}

/* The record for @p id holds exactly @p s. */
static int holds(uint16_t id, const char *s)
{
    const uint8_t *p = NULL;
    size_t len = 0;
    if (st->get(&rs, id, &p, &len) != MQTLS_OK)
        return 0;
    return len == strlen(s) && (len == 0 || memcmp(p, s, len) == 0);
}

TEST(init_gives_an_empty_store)
{
    init(100);
    CHECK(rs.buf == mem);
    CHECK_EQ_INT(rs.size, 100);
    CHECK_EQ_INT(rs.used, 0);
    const uint8_t *p;
    size_t len;
    CHECK_STATUS(st->get(&rs, 1, &p, &len), MQTLS_ERR_STORE);
}

TEST(put_then_get)
{
    init(100);
    CHECK_STATUS(put_str(7, "hello"), MQTLS_OK);
    CHECK_EQ_INT(rs.used, 6 + 5); /* each record costs its size plus 6 bytes */
    CHECK(holds(7, "hello"));
    /* the record layout: id (big endian), length (32-bit big endian), packet */
    static const uint8_t want[11] = {0, 7, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
    CHECK_EQ_MEM(mem, want, sizeof want);
    CHECK_EQ_INT(mem[11], 0xEE); /* nothing written past it */
    const uint8_t *p;
    size_t len;
    CHECK_STATUS(st->get(&rs, 8, &p, &len), MQTLS_ERR_STORE);
    CHECK_STATUS(st->get(&rs, 0x0700, &p, &len), MQTLS_ERR_STORE); /* byte order matters */
}

TEST(put_gathers_the_pieces)
{
    init(100);
    mqtls_iov_t iov[4] = {{"ab", 2}, {NULL, 0}, {"cde", 3}, {"f", 1}};
    CHECK_STATUS(st->put(&rs, 0xBEEF, iov, 4), MQTLS_OK);
    CHECK(holds(0xBEEF, "abcdef"));
    CHECK_EQ_INT(mem[0], 0xBE);
    CHECK_EQ_INT(mem[1], 0xEF);
    CHECK_EQ_INT(rs.used, 12);
    /* an empty packet is a record too */
    CHECK_STATUS(st->put(&rs, 2, iov, 0), MQTLS_OK);
    CHECK(holds(2, ""));
    CHECK_EQ_INT(rs.used, 18);
}

TEST(records_are_kept_in_arrival_order)
{
    init(200);
    CHECK_STATUS(put_str(3, "three"), MQTLS_OK);
    CHECK_STATUS(put_str(1, "one"), MQTLS_OK);
    CHECK_STATUS(put_str(2, "two!"), MQTLS_OK);
    CHECK_EQ_INT(mem[1], 3);
    CHECK_EQ_INT(mem[6 + 5 + 1], 1);
    CHECK_EQ_INT(mem[6 + 5 + 6 + 3 + 1], 2);
    CHECK(holds(1, "one"));
    CHECK(holds(2, "two!"));
    CHECK(holds(3, "three"));
}

TEST(remove_compacts)
{
    init(200);
    CHECK_STATUS(put_str(1, "aaaa"), MQTLS_OK);
    CHECK_STATUS(put_str(2, "bb"), MQTLS_OK);
    CHECK_STATUS(put_str(3, "cccccc"), MQTLS_OK);
    CHECK_EQ_INT(rs.used, 10 + 8 + 12);
    st->remove(&rs, 2); /* from the middle */
    CHECK_EQ_INT(rs.used, 10 + 12);
    CHECK(holds(1, "aaaa"));
    CHECK(holds(3, "cccccc"));
    CHECK(!holds(2, "bb"));
    static const uint8_t want[22] = {0, 1, 0, 0, 0, 4, 'a', 'a', 'a', 'a', 0, 3,
                                     0, 0, 0, 6, 'c', 'c', 'c', 'c', 'c', 'c'};
    CHECK_EQ_MEM(mem, want, sizeof want);
    st->remove(&rs, 1); /* the first */
    CHECK_EQ_INT(rs.used, 12);
    CHECK(holds(3, "cccccc"));
    st->remove(&rs, 3); /* the last */
    CHECK_EQ_INT(rs.used, 0);
    st->remove(&rs, 3); /* unknown: nothing happens */
    st->remove(&rs, 99);
    CHECK_EQ_INT(rs.used, 0);
}

TEST(full_store_refuses)
{
    init(30);
    CHECK_STATUS(put_str(1, "0123456789"), MQTLS_OK); /* 16 */
    CHECK_STATUS(put_str(2, "01234567"), MQTLS_OK);   /* 14: exactly full */
    CHECK_EQ_INT(rs.used, 30);
    CHECK_STATUS(put_str(3, ""), MQTLS_ERR_STORE);
    CHECK_EQ_INT(rs.used, 30);
    CHECK(holds(1, "0123456789"));
    CHECK(holds(2, "01234567"));
    CHECK(!holds(3, ""));
    CHECK_EQ_INT(mem[30], 0xEE);
    /* room again after a removal */
    st->remove(&rs, 1);
    CHECK_STATUS(put_str(3, "abcdefghij"), MQTLS_OK);
    CHECK(holds(3, "abcdefghij"));
    CHECK(holds(2, "01234567"));
}

TEST(a_packet_larger_than_the_whole_store)
{
    init(10);
    CHECK_STATUS(put_str(1, "12345"), MQTLS_ERR_STORE);
    CHECK_EQ_INT(rs.used, 0);
    CHECK_STATUS(put_str(1, "1234"), MQTLS_OK);
    CHECK_EQ_INT(rs.used, 10);
}

TEST(no_memory_refuses_everything)
{
    mqtls_ram_store_init(&rs, NULL, 100);
    CHECK_EQ_INT(rs.size, 0);
    CHECK_STATUS(put_str(1, ""), MQTLS_ERR_STORE);
    const uint8_t *p;
    size_t len;
    CHECK_STATUS(st->get(&rs, 1, &p, &len), MQTLS_ERR_STORE);
    st->remove(&rs, 1);
}

TEST(put_replaces_the_same_id)
{
    init(100);
    CHECK_STATUS(put_str(1, "old"), MQTLS_OK);
    CHECK_STATUS(put_str(2, "other"), MQTLS_OK);
    CHECK_STATUS(put_str(1, "newer"), MQTLS_OK);
    CHECK(holds(1, "newer"));
    CHECK(holds(2, "other"));
    CHECK_EQ_INT(rs.used, 11 + 11); /* one record per id */
    st->remove(&rs, 1);
    CHECK(!holds(1, "newer"));
    CHECK(!holds(1, "old"));
    CHECK(holds(2, "other"));
}

TEST(replacement_that_fits_only_without_the_old_record)
{
    init(20);
    CHECK_STATUS(put_str(1, "abcdefgh"), MQTLS_OK); /* 14 */
    CHECK_STATUS(put_str(1, "ABCDEFGHIJKLMN"), MQTLS_OK); /* 20: fits once the old goes */
    CHECK(holds(1, "ABCDEFGHIJKLMN"));
    CHECK_EQ_INT(rs.used, 20);
}

TEST(refused_replacement_keeps_the_old_record)
{
    /* "Anything but MQTLS_OK refuses it": a refused put leaves the store as it was. */
    init(20);
    CHECK_STATUS(put_str(1, "abcdefgh"), MQTLS_OK);
    CHECK_STATUS(put_str(1, "this will never fit"), MQTLS_ERR_STORE);
    CHECK(holds(1, "abcdefgh"));
    CHECK_EQ_INT(rs.used, 14);
}

TEST(fill_and_drain_many_times)
{
    init(256);
    uint16_t next = 1, oldest = 1;
    char buf[40];
    for (int round = 0; round < 500; round++) {
        size_t n = (size_t)(round * 7 % 30);
        memset(buf, 'a' + round % 26, n);
        buf[n] = '\0';
        if (put_str(next, buf) == MQTLS_OK) {
            next++;
        } else {
            /* full: the oldest goes, and everything else is still intact */
            CHECK(rs.used + 6 + n > rs.size);
            CHECK(oldest < next);
            st->remove(&rs, oldest++);
        }
        CHECK(rs.used <= rs.size);
    }
    /* What is left can all be read back, in order, and removed. */
    size_t total = 0;
    for (uint16_t id = oldest; id < next; id++) {
        const uint8_t *p;
        size_t len;
        REQUIRE_STATUS(st->get(&rs, id, &p, &len), MQTLS_OK);
        total += 6 + len;
    }
    CHECK_EQ_INT(total, rs.used);
    for (uint16_t id = oldest; id < next; id++)
        st->remove(&rs, id);
    CHECK_EQ_INT(rs.used, 0);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(init_gives_an_empty_store);
    RUN(put_then_get);
    RUN(put_gathers_the_pieces);
    RUN(records_are_kept_in_arrival_order);
    RUN(remove_compacts);
    RUN(full_store_refuses);
    RUN(a_packet_larger_than_the_whole_store);
    RUN(no_memory_refuses_everything);
    RUN(put_replaces_the_same_id);
    RUN(replacement_that_fits_only_without_the_old_record);
    RUN(refused_replacement_keeps_the_old_record);
    RUN(fill_and_drain_many_times);
    return test_main_end();
}
