/**
 * @file store_file.c
 * @brief The file-backed message store: one file per message, named SEQ-ID.msg (or
 *        SEQ-ID.rel once its QoS 2 exchange is released), made durable before put returns.
 */
#include "mqtls/store_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h> /* qsort */
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_LEN 32

static void entry_name(const mqtls_file_entry_t *e, char *out)
{
    snprintf(out, NAME_MAX_LEN, "%08lx-%04x.%s", (unsigned long)e->seq, (unsigned)e->id,
             e->released ? "rel" : "msg");
}

static mqtls_file_entry_t *find(mqtls_file_store_t *fs, uint16_t id)
{
    for (size_t i = 0; i < fs->count; i++)
        if (fs->entries[i].id == id)
            return &fs->entries[i];
    return NULL;
}

static int sync_dir(const mqtls_file_store_t *fs)
{
    return fsync(fs->dirfd);
}

static int write_all(int fd, const mqtls_iov_t *iov, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = iov[i].base;
        size_t left = iov[i].len;
        while (left) {
            ssize_t w = write(fd, p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -1;
            p += w;
            left -= (size_t)w;
        }
    }
    return 0;
}

static int room(const mqtls_file_store_t *fs)
{
    return fs->count < fs->cap ? 0 : -1;
}

static size_t iov_len(const mqtls_iov_t *iov, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += iov[i].len;
    return len;
}

static void file_remove(void *ctx, uint16_t id);

/* Durable before it returns: a temporary file, fsync, rename, fsync of the directory. A
 * record replaced under the same id goes only once the new one is safe. */
static mqtls_status_t file_put(void *ctx, uint16_t id, const mqtls_iov_t *iov, size_t n)
{
    mqtls_file_store_t *fs = ctx;
    /* Refused now rather than accepted and unreadable later. */
    if (room(fs) != 0 || iov_len(iov, n) > fs->buf_cap)
        return MQTLS_ERR_STORE;
    mqtls_file_entry_t e = {fs->next_seq, id, 0};
    char name[NAME_MAX_LEN];
    entry_name(&e, name);
    int fd = openat(fs->dirfd, "put.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return MQTLS_ERR_STORE;
    int bad = write_all(fd, iov, n) != 0 || fsync(fd) != 0;
    bad |= close(fd) != 0;
    if (bad || renameat(fs->dirfd, "put.tmp", fs->dirfd, name) != 0 || sync_dir(fs) != 0) {
        unlinkat(fs->dirfd, "put.tmp", 0);
        return MQTLS_ERR_STORE;
    }
    file_remove(ctx, id);
    fs->entries[fs->count++] = e;
    fs->next_seq++;
    return MQTLS_OK;
}

/* What put() stored: a QoS 1/2 PUBLISH of @p id, whole, in either version. A file damaged
 * or replaced behind our back is not given out (resending it would fail every connection). */
static bool is_publish(const uint8_t *p, size_t len, uint16_t id)
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

static mqtls_status_t file_get(void *ctx, uint16_t id, const uint8_t **pkt, size_t *len)
{
    mqtls_file_store_t *fs = ctx;
    mqtls_file_entry_t *e = find(fs, id);
    char name[NAME_MAX_LEN];
    struct stat st;
    if (!e || e->released)
        return MQTLS_ERR_STORE;
    entry_name(e, name);
    int fd = openat(fs->dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
        if (fd >= 0)
            close(fd);
        return MQTLS_ERR_STORE;
    }
    size_t size = (size_t)st.st_size;
    if (size > fs->buf_cap) {
        close(fd);
        return MQTLS_ERR_STORE;
    }
    ssize_t r = pread(fd, fs->buf, size, 0);
    close(fd);
    if (r != (ssize_t)size || !is_publish(fs->buf, size, id))
        return MQTLS_ERR_STORE;
    *pkt = fs->buf;
    *len = size;
    return MQTLS_OK;
}

/* A removed message must stay removed across a crash: a QoS 2 message coming back after its
 * PUBCOMP would be delivered twice. Hence the fsync of the directory. */
static void file_remove(void *ctx, uint16_t id)
{
    mqtls_file_store_t *fs = ctx;
    mqtls_file_entry_t *e = find(fs, id);
    char name[NAME_MAX_LEN];
    if (!e)
        return;
    entry_name(e, name);
    unlinkat(fs->dirfd, name, 0);
    sync_dir(fs);
    memmove(e, e + 1, (size_t)(fs->entries + fs->count - (e + 1)) * sizeof *e);
    fs->count--;
}

/* The payload is no longer needed; the id is, until PUBCOMP: the file becomes empty. */
static void file_released(void *ctx, uint16_t id)
{
    mqtls_file_store_t *fs = ctx;
    mqtls_file_entry_t *e = find(fs, id);
    char from[NAME_MAX_LEN], to[NAME_MAX_LEN];
    if (!e || e->released)
        return;
    entry_name(e, from);
    e->released = 1;
    entry_name(e, to);
    int fd = openat(fs->dirfd, to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    unlinkat(fs->dirfd, from, 0);
    sync_dir(fs);
}

/* fn may remove the entry it is given: then the next one has moved to index i. */
static void file_each(void *ctx, void (*fn)(void *arg, uint16_t id, bool released), void *arg)
{
    mqtls_file_store_t *fs = ctx;
    for (size_t i = 0; i < fs->count;) {
        uint16_t id = fs->entries[i].id; /* unique once opened (settle_duplicates) */
        fn(arg, id, fs->entries[i].released != 0);
        i += i < fs->count && fs->entries[i].id == id;
    }
}

const mqtls_store_t mqtls_file_store = {file_put, file_get, file_remove, file_released,
                                        file_each};

static int by_seq(const void *a, const void *b)
{
    const mqtls_file_entry_t *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A kill between two steps of an update leaves one id twice: a .msg beside its .rel (killed
 * inside released()), or an old copy beside a new one (inside a replacing put()). The later
 * state wins, the release or the newer copy, and the other file goes. Entries are sorted. */
static void settle_duplicates(mqtls_file_store_t *fs)
{
    for (size_t i = 0; i < fs->count; i++) {
        for (size_t j = i + 1; j < fs->count; j++) {
            if (fs->entries[j].id != fs->entries[i].id)
                continue;
            size_t lose = fs->entries[i].released && !fs->entries[j].released ? j : i;
            char name[NAME_MAX_LEN];
            entry_name(&fs->entries[lose], name);
            unlinkat(fs->dirfd, name, 0);
            memmove(&fs->entries[lose], &fs->entries[lose + 1],
                    (fs->count - lose - 1) * sizeof fs->entries[0]);
            fs->count--;
            i = (size_t)-1; /* start over: the array moved */
            break;
        }
    }
    sync_dir(fs);
}

/* Parses "SEQ-ID.msg" / "SEQ-ID.rel" (hex); anything else is not ours (id 0 included:
 * put() never gets it). */
static bool parse_name(const char *name, mqtls_file_entry_t *e)
{
    char *end;
    errno = 0;
    unsigned long seq = strtoul(name, &end, 16);
    if (errno || end != name + 8 || *end != '-')
        return false;
    const char *idp = end + 1;
    unsigned long id = strtoul(idp, &end, 16);
    if (errno || end != idp + 4 || id == 0 || id > 0xFFFFu || seq > 0xFFFFFFFFu)
        return false;
    if (strcmp(end, ".msg") != 0 && strcmp(end, ".rel") != 0)
        return false;
    *e = (mqtls_file_entry_t){(uint32_t)seq, (uint16_t)id, (uint8_t)(end[1] == 'r')};
    return true;
}

/* Reads the directory: every SEQ-ID.msg / .rel; a leftover put.tmp was never accepted. */
static mqtls_status_t scan(mqtls_file_store_t *fs)
{
    int fd = dup(fs->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return MQTLS_ERR_STORE;
    }
    struct dirent *de;
    /* cppcheck-suppress readdirCalled ; a stream of our own: readdir_r() is deprecated */
    while ((de = readdir(d)) != NULL) {
        mqtls_file_entry_t e;
        if (!parse_name(de->d_name, &e))
            continue;
        if (room(fs) != 0) {
            closedir(d);
            return MQTLS_ERR_STORE; /* more than the caller made room for */
        }
        fs->entries[fs->count++] = e;
        if (e.seq + 1u > fs->next_seq)
            fs->next_seq = e.seq + 1u;
    }
    closedir(d);
    unlinkat(fs->dirfd, "put.tmp", 0);
    qsort(fs->entries, fs->count, sizeof *fs->entries, by_seq);
    settle_duplicates(fs);
    return MQTLS_OK;
}

mqtls_status_t mqtls_file_store_open(mqtls_file_store_t *fs, const char *dir,
                                     mqtls_file_entry_t *entries, size_t max, uint8_t *buf,
                                     size_t buf_size)
{
    memset(fs, 0, sizeof *fs);
    fs->dirfd = -1;
    if (!dir || strlen(dir) >= sizeof fs->dir || !entries || !max || !buf)
        return MQTLS_ERR_BAD_PARAM;
    fs->entries = entries;
    fs->cap = max;
    fs->buf = buf;
    fs->buf_cap = buf_size;
    snprintf(fs->dir, sizeof fs->dir, "%s", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return MQTLS_ERR_STORE;
    fs->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* Two processes on one directory would resend each other's messages. */
    if (fs->dirfd < 0 || flock(fs->dirfd, LOCK_EX | LOCK_NB) != 0) {
        mqtls_file_store_close(fs);
        return MQTLS_ERR_STORE;
    }
    mqtls_status_t st = scan(fs);
    if (st != MQTLS_OK)
        mqtls_file_store_close(fs);
    return st;
}

void mqtls_file_store_close(mqtls_file_store_t *fs)
{
    if (!fs)
        return;
    if (fs->dirfd >= 0)
        close(fs->dirfd);
    fs->dirfd = -1;
    fs->entries = NULL;
    fs->buf = NULL;
    fs->count = fs->cap = fs->buf_cap = 0;
}

size_t mqtls_file_store_count(const mqtls_file_store_t *fs)
{
    return fs->count;
}
