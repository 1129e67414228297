/**
 * @file fuzz_store.c
 * @brief libFuzzer target for the file message store (src/store/store_file.c) and
 *        mqtls_client_restore(): a session directory that a crash, a full disk or another
 *        program left in any state, read back by a restarted publisher.
 *
 * Input: byte 0 configures the run: bits 0-1 the in-flight window (4, 8, 16, 64; the store
 * gets room for one more), bit 2 the version of the resumed connection (3.1.1 / 5.0), bit 3
 * the CONNACK's session present, bits 4-6 the store's read buffer (8 to 4096 bytes). Then
 * files, each: a header byte (bits 0-1: 0 "SEQ-ID.msg", 1 "SEQ-ID.rel", 2 a name that is not
 * a record (put.tmp, a short or long name, no extension), 3 a well-formed QoS 1/2 PUBLISH
 * made from the bytes that follow, as the client stores one; bits 2-7: the sequence number),
 * a 16-bit packet id, a length byte and that many bytes of content. The files are written
 * into an empty directory (under /dev/shm when it exists: fsync costs nothing there).
 *
 * Checks:
 *  - mqtls_file_store_open() succeeds unless more records than its room are there; then
 *    entries are sorted by sequence number, ids are unique and not 0, each has its file;
 *  - get() gives out only a whole QoS 1/2 PUBLISH of the id asked for (in 3.1.1 or 5.0),
 *    never more than the read buffer holds;
 *  - mqtls_client_restore() puts every record the store gives back into the window or
 *    reports it (MQTLS_EV_PUBLISH_DROPPED, MQTLS_ERR_STORE) and removes it from the store;
 *    the window then holds unique ids with QoS 1/2, all in the store; it says
 *    MQTLS_ERR_INFLIGHT_FULL only when the store holds more than the window;
 *  - on the resumed connection the client writes CONNECT, then only PUBLISH (DUP, of a
 *    window id) and PUBREL (of a released id); with session present 0 every restored record
 *    is dropped and reported instead;
 *  - acknowledging everything empties the window, the store and the directory (no record
 *    file left; files that are not records stay).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqtls/codec.h"
#include "mqtls/store_file.h"
#include "packet_builder.h"

#define FAIL(...)                                                                            \
    do {                                                                                     \
        fprintf(stderr, "fuzz_store: " __VA_ARGS__);                                         \
        fputc('\n', stderr);                                                                 \
        abort();                                                                             \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WINDOW 64u

static char dir[128];
static pb_client_t f;
static mqtls_file_entry_t ents[MAX_WINDOW + 1];
static uint8_t rbuf[4096];
static uint16_t dropped[1024];
static unsigned n_dropped, n_dropped_other;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/mqtls-fuzz-store-%ld", base, (long)getpid());
    if (mkdir(dir, 0700) != 0)
        abort();
    return 0;
}

static void empty_dir(void)
{
    DIR *d = opendir(dir);
    if (!d)
        abort();
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, ".."))
            unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
}

static void write_file(const char *name, const void *p, size_t n)
{
    char path[192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return; /* e.g. a name that is a directory entry we cannot make */
    if (n && write(fd, p, n) != (ssize_t)n)
        abort();
    close(fd);
}

/* A record name the store would parse: "%08x-%04x.msg|rel" with an id other than 0. */
static bool record_name(const char *s)
{
    if (strlen(s) != 17 || s[8] != '-' || (strcmp(s + 13, ".msg") && strcmp(s + 13, ".rel")))
        return false;
    for (int i = 0; i < 13; i++)
        if (i != 8 && !strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    return strtoul(s + 9, NULL, 16) != 0;
}

static unsigned count_record_files(void)
{
    DIR *d = opendir(dir);
    unsigned n = 0;
    struct dirent *de;
    if (!d)
        abort();
    while ((de = readdir(d)) != NULL)
        n += record_name(de->d_name);
    closedir(d);
    return n;
}

static bool is_publish_of(const uint8_t *p, size_t len, uint16_t id)
{
    mqtls_packet_t pk;
    size_t used;
    for (int v = 0; v < 2; v++)
        if (mqtls_decode(p, len, v ? MQTLS_V5 : MQTLS_V311, &pk, &used) == MQTLS_OK &&
            used == len && pk.type == MQTLS_PUBLISH && pk.u.publish.qos > 0 &&
            pk.u.publish.packet_id == id)
            return true;
    return false;
}

/* A PUBLISH as the client stores it (encoded for @p v, DUP clear). */
static size_t make_publish(uint8_t *out, size_t cap, mqtls_version_t v, uint8_t qos,
                           uint16_t id, const uint8_t *payload, size_t n)
{
    mqtls_packet_t pk;
    size_t len = 0;
    memset(&pk, 0, sizeof pk);
    pk.type = MQTLS_PUBLISH;
    pk.u.publish.topic = mqtls_str("fuzz/store");
    pk.u.publish.qos = qos;
    pk.u.publish.packet_id = id ? id : 1;
    pk.u.publish.payload = payload;
    pk.u.publish.payload_len = n;
    if (mqtls_encode(&pk, v, out, cap, &len) != MQTLS_OK)
        return 0;
    return len;
}

static void on_event(pb_client_t *c, const mqtls_event_t *ev)
{
    (void)c;
    if (ev->type != MQTLS_EV_PUBLISH_DROPPED)
        return;
    if (ev->status == MQTLS_ERR_STORE && n_dropped < sizeof dropped / sizeof dropped[0])
        dropped[n_dropped++] = ev->packet_id;
    else
        n_dropped_other++;
}

static int window_find(uint16_t id)
{
    for (uint16_t i = 0; i < mqtls_inflight(&f.c); i++)
        if (f.inflight[i].packet_id == id)
            return i;
    return -1;
}

/* MQTLS_FUZZ_TRACE=1: the store and (once there is a client) the window at each stage. */
static void trace(const char *at, const mqtls_file_store_t *fs, bool window)
{
    static int on = -1;
    if (on < 0)
        on = getenv("MQTLS_FUZZ_TRACE") != NULL;
    if (!on)
        return;
    fprintf(stderr, "%s: store", at);
    for (size_t i = 0; i < fs->count; i++)
        fprintf(stderr, " %u%s@%lx", (unsigned)fs->entries[i].id, fs->entries[i].released ? "r" : "",
                (unsigned long)fs->entries[i].seq);
    fprintf(stderr, "; window");
    for (uint16_t i = 0; window && i < mqtls_inflight(&f.c); i++)
        fprintf(stderr, " %u/q%u/s%x", (unsigned)f.inflight[i].packet_id, f.inflight[i].qos,
                f.inflight[i].state);
    fprintf(stderr, "; dropped %u + %u\n", n_dropped, n_dropped_other);
}

static bool store_has(const mqtls_file_store_t *fs, uint16_t id)
{
    for (size_t i = 0; i < fs->count; i++)
        if (fs->entries[i].id == id)
            return true;
    return false;
}

static void check_store(const mqtls_file_store_t *fs)
{
    for (size_t i = 0; i < fs->count; i++) {
        const mqtls_file_entry_t *e = &fs->entries[i];
        char path[192];
        if (e->id == 0)
            FAIL("entry %zu has id 0", i);
        if (i && fs->entries[i - 1].seq > e->seq)
            FAIL("entries out of order at %zu", i);
        for (size_t j = 0; j < i; j++)
            if (fs->entries[j].id == e->id)
                FAIL("id %u twice", (unsigned)e->id);
        snprintf(path, sizeof path, "%s/%08lx-%04x.%s", dir, (unsigned long)e->seq,
                 (unsigned)e->id, e->released ? "rel" : "msg");
        if (access(path, F_OK) != 0)
            FAIL("entry %s has no file", path);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t windows[] = {4, 8, 16, 64};
    static const size_t bufs[] = {8, 32, 64, 128, 256, 512, 1024, 4096};
    static const char *const junk[] = {"put.tmp", "0000000-0001.msg", "00000001-0001.msgx",
                                       "00000001-00001.msg", "00000001-0001", "zzzzzzzz-0001.msg",
                                       "00000001_0001.rel", "00000000-0000.msg"};
    if (size < 1)
        return 0;
    uint8_t cfg = data[0];
    uint16_t window = windows[cfg & 3];
    mqtls_version_t v = (cfg & 4) ? MQTLS_V5 : MQTLS_V311;
    bool present = (cfg & 8) != 0;
    size_t buf_size = bufs[(cfg >> 4) & 7];

    empty_dir();
    size_t pos = 1;
    unsigned files = 0;
    while (pos + 4 <= size && files < 200) {
        uint8_t h = data[pos];
        uint16_t id = (uint16_t)(data[pos + 1] << 8 | data[pos + 2]);
        size_t n = data[pos + 3];
        pos += 4;
        if (n > size - pos)
            n = size - pos;
        const uint8_t *content = data + pos;
        pos += n;
        files++;
        char name[32];
        unsigned seq = h >> 2;
        switch (h & 3) {
        case 0:
        case 1:
            snprintf(name, sizeof name, "%08x-%04x.%s", seq, (unsigned)id, (h & 3) ? "rel" : "msg");
            write_file(name, content, n);
            break;
        case 2:
            write_file(junk[id & 7], content, n);
            break;
        default: {
            uint8_t pkt[512];
            /* the first content byte: QoS, version, and whether the inside id differs */
            uint8_t b = n ? content[0] : 0;
            uint16_t inside = (b & 4) ? (uint16_t)(id + 1u) : id;
            size_t len = make_publish(pkt, sizeof pkt, (b & 2) ? MQTLS_V5 : MQTLS_V311,
                                      (uint8_t)(1 + (b & 1)), inside, content, n);
            snprintf(name, sizeof name, "%08x-%04x.msg", seq, (unsigned)id);
            write_file(name, pkt, len);
            break;
        }
        }
    }
    unsigned records_on_disk = count_record_files();

    mqtls_file_store_t fs;
    mqtls_status_t st = mqtls_file_store_open(&fs, dir, ents, window + 1u, rbuf, buf_size);
    if (st != MQTLS_OK) {
        if (st != MQTLS_ERR_STORE || records_on_disk <= window + 1u)
            FAIL("open: %s with %u record files for %u entries", mqtls_strerror(st),
                 records_on_disk, window + 1u);
        return 0;
    }
    check_store(&fs);
    trace("opened", &fs, false);
    size_t before = fs.count;
    for (size_t i = 0; i < fs.count; i++) {
        const uint8_t *pkt;
        size_t len;
        if (fs.entries[i].released)
            continue;
        if (mqtls_file_store.get(&fs, fs.entries[i].id, &pkt, &len) == MQTLS_OK &&
            (len > buf_size || !is_publish_of(pkt, len, fs.entries[i].id)))
            FAIL("get(%u) gave out %zu bytes that are not its QoS 1/2 PUBLISH",
                 (unsigned)fs.entries[i].id, len);
    }

    /* A restarted publisher. */
    pb_client_setup(&f, v);
    f.cfg.inflight_cap = window;
    f.cfg.qos2_in_cap = 8;
    f.cfg.rx_size = sizeof f.rx;
    f.cfg.tx_size = sizeof f.tx;
    f.cfg.store = &mqtls_file_store;
    f.cfg.store_ctx = &fs;
    f.opts.connect.clean_start = false;
    if (v == MQTLS_V5) {
        f.opts.connect.props.session_expiry = 3600;
        f.opts.connect.props.present |= MQTLS_PROPBIT(MQTLS_PROP_SESSION_EXPIRY);
    }
    f.on_event = on_event;
    pb_client_start(&f);
    n_dropped = n_dropped_other = 0;
    st = mqtls_client_restore(&f.c);
    uint16_t restored = mqtls_inflight(&f.c);
    if (st == MQTLS_ERR_INFLIGHT_FULL ? before <= window : st != MQTLS_OK)
        FAIL("restore: %s with %zu records for a window of %u", mqtls_strerror(st), before,
             (unsigned)window);
    if (n_dropped_other)
        FAIL("a record dropped for another reason than MQTLS_ERR_STORE");
    if (st == MQTLS_OK && restored + n_dropped != before)
        FAIL("%zu records: %u restored + %u dropped", before, (unsigned)restored, n_dropped);
    for (unsigned i = 0; i < n_dropped; i++)
        if (store_has(&fs, dropped[i]) || window_find(dropped[i]) >= 0)
            FAIL("dropped %u is still kept", (unsigned)dropped[i]);
    for (uint16_t i = 0; i < restored; i++) {
        const mqtls_inflight_t *r = &f.inflight[i];
        if (!r->packet_id || (r->qos != 1 && r->qos != 2) || window_find(r->packet_id) != i ||
            !store_has(&fs, r->packet_id))
            FAIL("window record %u: id %u qos %u", i, (unsigned)r->packet_id, r->qos);
    }
    check_store(&fs);
    trace("restored", &fs, true);
    if (st != MQTLS_OK) { /* a window too small for the directory: the caller stops here */
        pb_client_teardown(&f);
        mqtls_file_store_close(&fs);
        return 0;
    }

    /* The resumed connection. */
    if (mqtls_connect(&f.c, &f.opts) != MQTLS_OK || mqtls_step(&f.c) != MQTLS_OK)
        FAIL("cannot start the connection");
    pb_push_connack(&f.m, v, present, 0, NULL);
    mqtls_step(&f.c);
    trace("resumed", &fs, true);
    size_t sent_len, off = 0;
    const uint8_t *sent = mock_sent(&f.m, &sent_len);
    bool first = true;
    while (off < sent_len) {
        mqtls_packet_t pk;
        size_t used = 0;
        mqtls_status_t ds = MQTLS_NEED_MORE;
        for (int k = 0; k < 2 && ds != MQTLS_OK; k++)
            ds = mqtls_decode(sent + off, sent_len - off, k ? (v == MQTLS_V5 ? MQTLS_V311 : MQTLS_V5) : v,
                              &pk, &used);
        if (ds != MQTLS_OK)
            FAIL("written at %zu: not a packet (%s)", off, mqtls_strerror(ds));
        if (first) {
            if (pk.type != MQTLS_CONNECT)
                FAIL("first written packet is type %d", (int)pk.type);
        } else if (pk.type == MQTLS_PUBLISH) {
            if (!pk.u.publish.dup || pk.u.publish.qos == 0 || window_find(pk.u.publish.packet_id) < 0)
                FAIL("resent PUBLISH %u (dup %d qos %u) not from the window",
                     (unsigned)pk.u.publish.packet_id, pk.u.publish.dup, pk.u.publish.qos);
        } else if (pk.type == MQTLS_PUBREL) {
            int i = window_find(pk.u.ack.packet_id);
            if (i < 0 || f.inflight[i].qos != 2)
                FAIL("PUBREL %u not for a released record", (unsigned)pk.u.ack.packet_id);
        } else {
            FAIL("written packet of type %d on resume", (int)pk.type);
        }
        first = false;
        off += used;
    }
    if (!present && (mqtls_inflight(&f.c) != 0 || fs.count != 0 || n_dropped_other != restored))
        FAIL("session present 0: %u kept, %zu stored, %u reported of %u", mqtls_inflight(&f.c),
             fs.count, n_dropped_other, (unsigned)restored);

    /* The broker acknowledges everything, one packet at a time. */
    for (unsigned k = 0; k < 4u * MAX_WINDOW && mqtls_inflight(&f.c) &&
                         mqtls_state(&f.c) == MQTLS_STATE_CONNECTED;
         k++) {
        const mqtls_inflight_t *r = &f.inflight[0];
        uint8_t state = r->state & 0x0F;
        mqtls_packet_type_t t = state == 1 ? MQTLS_PUBACK : state == 2 ? MQTLS_PUBREC : MQTLS_PUBCOMP;
        pb_push_ack(&f.m, v, t, r->packet_id, 0, NULL);
        mqtls_step(&f.c);
        trace("acknowledged", &fs, true);
    }
    if (mqtls_state(&f.c) == MQTLS_STATE_CONNECTED) {
        if (mqtls_inflight(&f.c) || fs.count)
            FAIL("all acknowledged, %u still in the window, %zu in the store",
                 (unsigned)mqtls_inflight(&f.c), fs.count);
        if (count_record_files())
            FAIL("all acknowledged, %u record files left", count_record_files());
    }
    pb_client_teardown(&f);
    mqtls_file_store_close(&fs);
    return 0;
}
