/* The file-backed message store (src/store/store_file.c): durable records that a new
 * process reads back, and a client restored from them resending on resume. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqtls/store_file.h"
#include "packet_builder.h"
#include "test.h"

static char dir[64];
static mqtls_file_entry_t ents[16];
static uint8_t rbuf[256];
#define OPEN(fs, d) mqtls_file_store_open((fs), (d), ents, 16, rbuf, sizeof rbuf)

static void fresh_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/mqtls-store-XXXXXX");
    REQUIRE(mkdtemp(dir) != NULL);
}

static void cleanup_dir(void)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("  could not remove %s\n", dir);
}

/* Stores a 3.1.1 PUBLISH of @p id to "t/a" with @p payload, as the client would: header,
 * then payload. @p hdr receives the header (9 bytes). */
static mqtls_status_t put(mqtls_file_store_t *fs, uint16_t id, uint8_t qos, const char *payload,
                          uint8_t hdr[9])
{
    size_t n = strlen(payload);
    const uint8_t h[9] = {(uint8_t)(0x30 | qos << 1), (uint8_t)(7 + n), 0, 3, 't', '/', 'a',
                          (uint8_t)(id >> 8), (uint8_t)id};
    memcpy(hdr, h, sizeof h);
    mqtls_iov_t iov[2] = {{hdr, sizeof h}, {payload, n}};
    return mqtls_file_store.put(fs, id, iov, 2);
}

static void write_file(const char *name, const void *data, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, data, len) == (ssize_t)len);
    close(fd);
}

static void collect(void *arg, uint16_t id, bool released)
{
    char *out = arg;
    char one[16];
    snprintf(one, sizeof one, "%u%s ", (unsigned)id, released ? "r" : "");
    strcat(out, one);
}

TEST(records_survive_a_reopen_in_order)
{
    fresh_dir();
    mqtls_file_store_t fs;
    uint8_t h7[9], h[9];
    REQUIRE_STATUS(OPEN(&fs, dir), MQTLS_OK);
    CHECK_STATUS(put(&fs, 7, 1, "hello", h7), MQTLS_OK);
    CHECK_STATUS(put(&fs, 3, 2, "world", h), MQTLS_OK);
    CHECK_STATUS(put(&fs, 9, 1, "x", h), MQTLS_OK);
    mqtls_file_store.released(&fs, 3);
    mqtls_file_store.remove(&fs, 9);
    mqtls_file_store.remove(&fs, 1234); /* unknown: no error */
    mqtls_file_store_close(&fs);
    /* a write that never finished is not a record */
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%s/put.tmp", dir);
    int fd = open(tmp, O_WRONLY | O_CREAT, 0600);
    REQUIRE(fd >= 0);
    close(fd);

    REQUIRE_STATUS(OPEN(&fs, dir), MQTLS_OK);
    CHECK_EQ_INT(mqtls_file_store_count(&fs), 2);
    char order[64] = "";
    mqtls_file_store.each(&fs, collect, order);
    CHECK_EQ_STR(order, "7 3r ");
    const uint8_t *pkt;
    size_t len;
    CHECK_STATUS(mqtls_file_store.get(&fs, 7, &pkt, &len), MQTLS_OK);
    CHECK_EQ_INT(len, 14);
    CHECK_EQ_MEM(pkt, h7, 9);
    CHECK_EQ_MEM(pkt + 9, "hello", 5);
    CHECK_STATUS(mqtls_file_store.get(&fs, 3, &pkt, &len), MQTLS_ERR_STORE); /* released */
    CHECK(access(tmp, F_OK) != 0);
    /* new records come after the old ones */
    CHECK_STATUS(put(&fs, 1, 1, "y", h), MQTLS_OK);
    order[0] = '\0';
    mqtls_file_store.each(&fs, collect, order);
    CHECK_EQ_STR(order, "7 3r 1 ");
    mqtls_file_store_close(&fs);
    mqtls_file_store_close(&fs); /* twice is safe */
    cleanup_dir();
}

TEST(one_process_at_a_time)
{
    fresh_dir();
    mqtls_file_store_t a, b;
    REQUIRE_STATUS(OPEN(&a, dir), MQTLS_OK);
    static mqtls_file_entry_t ents_b[4];
    static uint8_t buf_b[64];
    CHECK_STATUS(mqtls_file_store_open(&b, dir, ents_b, 4, buf_b, sizeof buf_b), MQTLS_ERR_STORE);
    mqtls_file_store_close(&a);
    CHECK_STATUS(mqtls_file_store_open(&b, dir, ents_b, 4, buf_b, sizeof buf_b), MQTLS_OK);
    mqtls_iov_t big = {rbuf, 100}; /* larger than b's read buffer: refused up front */
    CHECK_STATUS(mqtls_file_store.put(&b, 1, &big, 1), MQTLS_ERR_STORE);
    mqtls_file_store_close(&b);
    CHECK_STATUS(mqtls_file_store_open(&b, "/proc/no/such/dir", ents_b, 4, buf_b, 64),
                 MQTLS_ERR_STORE);
    cleanup_dir();
}

/* A publisher dies with messages in flight; a new one restores them from the directory
 * and resends them (DUP, in order; the released one as PUBREL) when the session resumes. */
TEST(a_restarted_client_resends_what_the_store_kept)
{
    fresh_dir();
    static pb_client_t f;
    mqtls_file_store_t fs;
    REQUIRE_STATUS(OPEN(&fs, dir), MQTLS_OK);
    pb_client_setup(&f, MQTLS_V311);
    f.cfg.store = &mqtls_file_store;
    f.cfg.store_ctx = &fs;
    f.opts.connect.clean_start = false;
    pb_client_start(&f);
    REQUIRE_STATUS(pb_client_connect(&f, false, NULL), MQTLS_OK);
    mqtls_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = mqtls_str("t/a");
    p.payload = (const uint8_t *)"one";
    p.payload_len = 3;
    uint16_t ids[3];
    p.qos = 1;
    REQUIRE_STATUS(mqtls_publish(&f.c, &p, &ids[0]), MQTLS_OK);
    p.qos = 2;
    REQUIRE_STATUS(mqtls_publish(&f.c, &p, &ids[1]), MQTLS_OK);
    REQUIRE_STATUS(mqtls_publish(&f.c, &p, &ids[2]), MQTLS_OK);
    pb_push_ack(&f.m, MQTLS_V311, MQTLS_PUBREC, ids[1], 0, NULL); /* -> PUBREL, released */
    mqtls_step(&f.c);
    /* the process dies here: nothing is closed cleanly */
    mqtls_file_store_close(&fs);
    pb_client_teardown(&f);

    REQUIRE_STATUS(OPEN(&fs, dir), MQTLS_OK);
    CHECK_EQ_INT(mqtls_file_store_count(&fs), 3);
    pb_client_setup(&f, MQTLS_V311);
    f.cfg.store = &mqtls_file_store;
    f.cfg.store_ctx = &fs;
    f.opts.connect.clean_start = false;
    pb_client_start(&f);
    CHECK_STATUS(mqtls_client_restore(&f.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_inflight(&f.c), 3);
    REQUIRE_STATUS(mqtls_connect(&f.c, &f.opts), MQTLS_OK);
    mqtls_step(&f.c);
    mock_sent_clear(&f.m);
    pb_push_connack(&f.m, MQTLS_V311, true, 0, NULL);
    mqtls_step(&f.c);
    pb_sent_t sent[8];
    REQUIRE(pb_sent_decode(&f.m, MQTLS_V311, sent, 8) == 3);
    CHECK_EQ_INT(sent[0].pkt.type, MQTLS_PUBLISH);
    CHECK_EQ_INT(sent[0].pkt.u.publish.packet_id, ids[0]);
    CHECK(sent[0].pkt.u.publish.dup);
    CHECK_EQ_INT(sent[1].pkt.type, MQTLS_PUBREL);
    CHECK_EQ_INT(sent[1].pkt.u.ack.packet_id, ids[1]);
    CHECK_EQ_INT(sent[2].pkt.type, MQTLS_PUBLISH);
    CHECK_EQ_INT(sent[2].pkt.u.publish.packet_id, ids[2]);
    /* acknowledgements empty the directory */
    pb_push_ack(&f.m, MQTLS_V311, MQTLS_PUBACK, ids[0], 0, NULL);
    pb_push_ack(&f.m, MQTLS_V311, MQTLS_PUBCOMP, ids[1], 0, NULL);
    pb_push_ack(&f.m, MQTLS_V311, MQTLS_PUBREC, ids[2], 0, NULL);
    pb_push_ack(&f.m, MQTLS_V311, MQTLS_PUBCOMP, ids[2], 0, NULL);
    mqtls_step(&f.c);
    CHECK_EQ_INT(mqtls_inflight(&f.c), 0);
    CHECK_EQ_INT(mqtls_file_store_count(&fs), 0);
    /* a new publish gets an id after the restored ones */
    uint16_t next;
    p.qos = 1;
    CHECK_STATUS(mqtls_publish(&f.c, &p, &next), MQTLS_OK);
    CHECK(next != ids[0] && next != ids[1] && next != ids[2]);
    pb_client_teardown(&f);
    mqtls_file_store_close(&fs);
    cleanup_dir();
}

/* Records damaged or put there by something else: get() does not give them out, and a
 * restore drops each (reported with MQTLS_ERR_STORE, removed) and keeps the rest. */
static unsigned dropped[8], n_dropped;

static void on_drop(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    (void)c, (void)user;
    if (ev->type == MQTLS_EV_PUBLISH_DROPPED && ev->status == MQTLS_ERR_STORE && n_dropped < 8)
        dropped[n_dropped++] = ev->packet_id;
}

TEST(damaged_records_are_dropped_and_reported)
{
    fresh_dir();
    mqtls_file_store_t fs;
    uint8_t h[9];
    REQUIRE_STATUS(OPEN(&fs, dir), MQTLS_OK);
    CHECK_STATUS(put(&fs, 2, 1, "good", h), MQTLS_OK);
    mqtls_file_store_close(&fs);
    static const uint8_t pub5[] = {0x32, 0x09, 0, 3, 't', '/', 'a', 0, 5, 'o', 'k'};
    static const uint8_t pub0[] = {0x30, 0x07, 0, 3, 't', '/', 'a', 0, 6}; /* QoS 0 */
    write_file("00000010-0004.msg", "not a packet", 12);
    write_file("00000011-0008.msg", pub5, sizeof pub5 - 1); /* cut short */
    write_file("00000012-0006.msg", pub0, sizeof pub0);
    write_file("00000013-0007.msg", pub5, sizeof pub5);    /* says id 5 */
    write_file("00000014-0000.rel", "", 0);                /* id 0: not ours, left alone */
    write_file("00000015-0005.msg", pub5, sizeof pub5);    /* sound */
    write_file("notes.txt", "x", 1);                       /* not ours: left alone */

    REQUIRE_STATUS(OPEN(&fs, dir), MQTLS_OK);
    CHECK_EQ_INT(mqtls_file_store_count(&fs), 6);
    const uint8_t *pkt;
    size_t len;
    CHECK_STATUS(mqtls_file_store.get(&fs, 4, &pkt, &len), MQTLS_ERR_STORE);
    CHECK_STATUS(mqtls_file_store.get(&fs, 7, &pkt, &len), MQTLS_ERR_STORE);
    CHECK_STATUS(mqtls_file_store.get(&fs, 5, &pkt, &len), MQTLS_OK);
    static pb_client_t f;
    pb_client_setup(&f, MQTLS_V311);
    f.cfg.store = &mqtls_file_store;
    f.cfg.store_ctx = &fs;
    f.cfg.on_event = on_drop;
    pb_client_start(&f);
    n_dropped = 0;
    CHECK_STATUS(mqtls_client_restore(&f.c), MQTLS_OK);
    CHECK_EQ_INT(mqtls_inflight(&f.c), 2);
    REQUIRE(n_dropped == 4);
    static const unsigned want[] = {4, 8, 6, 7};
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ_INT(dropped[i], want[i]);
    char order[64] = "";
    mqtls_file_store.each(&fs, collect, order);
    CHECK_EQ_STR(order, "2 5 ");
    pb_client_teardown(&f);
    mqtls_file_store_close(&fs);
    char path[128];
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    CHECK(access(path, F_OK) == 0);
    snprintf(path, sizeof path, "%s/00000014-0000.rel", dir);
    CHECK(access(path, F_OK) == 0);
    cleanup_dir();
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(records_survive_a_reopen_in_order);
    RUN(one_process_at_a_time);
    RUN(a_restarted_client_resends_what_the_store_kept);
    RUN(damaged_records_are_dropped_and_reported);
    return test_main_end();
}
