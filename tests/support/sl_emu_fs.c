/**
 * @file sl_emu_fs.c
 * @brief The emulated network processor's file system (see sl_emu.h): a host directory as
 *        the serial flash, and the sl_Fs calls the example firmware's provisioning makes.
 *        Tests only.
 *
 * The calls follow the CC32xx SDK's `fs.h` shape (sl_FsOpen returns the handle; the
 * SL_FS_CREATE/WRITE/OVERWRITE/READ bits above the 17 size and 10 flag bits: the CC32xx-style
 * `fs.h`, e.g. hello/kitsune simplelink/include/fs.h, ti-research.md §8a), which is what the
 * port declares. The codes are the emulated chip's (sl_emu__codes()): CC3220 from B-err
 * (§3b), CC3200 from its `fs.h` (index id 676028055, §3a).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl_emu_internal.h"

/* The open-mode bits of the CC32xx `fs.h` (SL_NUM_OF_MAXSIZE_BIT 17 + SL_NUM_OF_FLAGS_BIT
 * 10 = 27): written here from TI's layout, not taken from the port's header. */
#define FS_MODE_SHIFT 27
#define FS_CREATE ((uint32_t)0x1 << FS_MODE_SHIFT)
#define FS_WRITE ((uint32_t)0x2 << FS_MODE_SHIFT)
#define FS_OVERWRITE ((uint32_t)0x4 << FS_MODE_SHIFT)

#define MAX_FILES 4 /* the emulation's limit; TI states the device's nowhere we found */

typedef struct emu_file {
    bool used;
    int fd;
} emu_file_t;

static char store[512];
static emu_file_t files[MAX_FILES];
static unsigned fs_writes;

/* ------------------------------------------------------------------ the store */

/* A store name as a file in the store directory ('/' cannot be part of a file name). */
void sl_emu__store_path(const char *name, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "%s/", store);
    for (const char *p = name; *p && n + 4 < size; p++) {
        if (*p == '/' || *p == '%') {
            n += (size_t)snprintf(out + n, size - n, "%%%02X", (unsigned char)*p);
        } else {
            out[n++] = *p;
            out[n] = '\0';
        }
    }
}

uint8_t *sl_emu__read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

bool sl_emu__is_pem_text(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 10 <= n; i++)
        if (memcmp(b + i, "-----BEGIN", 10) == 0)
            return true;
    return false;
}

int sl_emu_put_mem(const char *name, const void *data, size_t len)
{
    char path[1024];
    sl_emu__store_path(name, path, sizeof path);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

int sl_emu_put(const char *name, const char *path)
{
    size_t len;
    uint8_t *buf = sl_emu__read_all(path, &len);
    if (!buf)
        return -1;
    int rc = sl_emu_put_mem(name, buf, len);
    free(buf);
    return rc;
}

void sl_emu_remove(const char *name)
{
    char path[1024];
    sl_emu__store_path(name, path, sizeof path);
    (void)unlink(path);
}

uint8_t *sl_emu_get(const char *name, size_t *len)
{
    char path[1024];
    sl_emu__store_path(name, path, sizeof path);
    return sl_emu__read_all(path, len);
}

/* TI, SimpleLink Programmer v0.5 readme (index id 8632234914): "use filename in the
 * following syntax: /cert/%d.der where %d denotes a file number. The file number should be
 * used via setsockopt()". */
const char *sl_emu_id_name(uint8_t id, char *buf, size_t size)
{
    snprintf(buf, size, "/cert/%u.der", (unsigned)id);
    return buf;
}

int sl_emu__fs_reset(const char *store_dir)
{
    for (int i = 0; i < MAX_FILES; i++) {
        if (files[i].used)
            close(files[i].fd);
        files[i].used = false;
    }
    fs_writes = 0;
    snprintf(store, sizeof store, "%s", store_dir);
    if (mkdir(store, 0700) != 0 && errno != EEXIST)
        return -1;
    DIR *d = opendir(store);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char p[1024];
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", store, e->d_name);
        (void)unlink(p);
    }
    closedir(d);
    return 0;
}

int sl_emu_open_files(void)
{
    int n = 0;
    for (int i = 0; i < MAX_FILES; i++)
        n += files[i].used;
    return n;
}

unsigned sl_emu_fs_writes(void)
{
    return fs_writes;
}

/* ------------------------------------------------------------------ the sl_Fs calls */

static bool open_handle(_i32 h)
{
    return h >= 0 && h < MAX_FILES && files[h].used;
}

static int open_flags(uint32_t mode)
{
    if (mode & FS_CREATE)
        return O_WRONLY | O_CREAT | O_TRUNC | ((mode & FS_OVERWRITE) ? 0 : O_EXCL);
    if (mode & FS_WRITE)
        return O_WRONLY | O_TRUNC;
    return O_RDONLY;
}

_i32 sl_FsOpen(const _u8 *pFileName, const _u32 AccessModeAndMaxSize, _u32 *pToken)
{
    char path[1024];
    int slot = -1;
    (void)pToken;
    for (int i = 0; i < MAX_FILES && slot < 0; i++)
        if (!files[i].used)
            slot = i;
    if (slot < 0)
        return sl_emu__codes()->fs_max_opened;
    sl_emu__store_path((const char *)pFileName, path, sizeof path);
    int fd = open(path, open_flags(AccessModeAndMaxSize), 0600);
    if (fd < 0)
        return errno == EEXIST ? sl_emu__codes()->fs_name_exist : sl_emu__codes()->fs_not_exists;
    files[slot].used = true;
    files[slot].fd = fd;
    return slot;
}

_i16 sl_FsClose(const _i32 FileHdl, const _u8 *pCeritificateFileName, const _u8 *pSignature,
                const _u32 SignatureLen)
{
    (void)pCeritificateFileName;
    (void)pSignature;
    (void)SignatureLen;
    if (!open_handle(FileHdl))
        return sl_emu__codes()->fs_invalid_handle;
    close(files[FileHdl].fd);
    files[FileHdl].used = false;
    return 0;
}

_i32 sl_FsWrite(const _i32 FileHdl, _u32 Offset, _u8 *pData, _u32 Len)
{
    if (!open_handle(FileHdl))
        return sl_emu__codes()->fs_invalid_handle;
    ssize_t n = pwrite(files[FileHdl].fd, pData, Len, (off_t)Offset);
    fs_writes++;
    return n < 0 ? -1 : (_i32)n;
}

_i16 sl_FsGetInfo(const _u8 *pFileName, const _u32 Token, SlFsFileInfo_t *pFsFileInfo)
{
    char path[1024];
    struct stat st;
    (void)Token;
    sl_emu__store_path((const char *)pFileName, path, sizeof path);
    if (stat(path, &st) != 0)
        return sl_emu__codes()->fs_not_exists;
    memset(pFsFileInfo, 0, sizeof *pFsFileInfo);
    pFsFileInfo->Len = (_u32)st.st_size;
    pFsFileInfo->MaxSize = (_u32)st.st_size;
    return 0;
}
