/**
 * @file sl_emu_fs.c
 * @brief The emulated network processor's file system (see sl_emu.h): a host directory as
 *        the serial flash, and the sl_Fs calls the example firmware's provisioning makes.
 *        Tests only.
 *
 * The calls have the shape of the SDK generation the port is compiled for:
 *  - CC32xx SDK (default): sl_FsOpen returns the handle; the mode has the SL_FS_CREATE/
 *    WRITE/OVERWRITE/READ bits above 17 size and 10 flag bits (the CC32xx-style `fs.h`, e.g.
 *    hello/kitsune simplelink/include/fs.h, ports/simplelink/SOURCES.md §8a);
 *  - CC3200 SDK 1.x (MQTLS_SL_SDK_CC3200): sl_FsOpen returns 0 or an error and the handle
 *    through its fourth argument; the mode's access type (read 0, write 1, create 2) sits at
 *    bit 12 (`_FS_MODE_ACCESS_OFFSET`), CC3200 `fs.h` index id 676028055.
 * The codes are the emulated chip's (sl_emu__codes()): CC3220 from B-err (§3b), CC3200
 * from its `fs.h` (§3a).
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

/* The open modes, written here from TI's layout, not taken from the port's header. */
#ifdef MQTLS_SL_SDK_CC3200
#define FS_ACCESS(mode) (((mode) >> 12) & 0xFu) /* _FS_MODE_ACCESS_OFFSET, _MASK */
#define FS_IS_CREATE(mode) (FS_ACCESS(mode) == 2u || FS_ACCESS(mode) == 3u)
#define FS_IS_WRITE(mode) (FS_ACCESS(mode) == 1u)
#define FS_IS_OVERWRITE(mode) (FS_ACCESS(mode) == 3u) /* WRITE_CREATE_IF_NOT_EXIST */
#else
/* SL_NUM_OF_MAXSIZE_BIT 17 + SL_NUM_OF_FLAGS_BIT 10 = 27. */
#define FS_IS_CREATE(mode) (((mode) & ((uint32_t)0x1 << 27)) != 0)
#define FS_IS_WRITE(mode) (((mode) & ((uint32_t)0x2 << 27)) != 0)
#define FS_IS_OVERWRITE(mode) (((mode) & ((uint32_t)0x4 << 27)) != 0)
#endif

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
    uint8_t *buf = tf_read_file(path, &len);
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
    return tf_read_file(path, len);
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
    if (FS_IS_CREATE(mode))
        return O_WRONLY | O_CREAT | O_TRUNC | (FS_IS_OVERWRITE(mode) ? 0 : O_EXCL);
    if (FS_IS_WRITE(mode))
        return O_WRONLY | O_TRUNC;
    return O_RDONLY;
}

/* Opens @p name: the handle, or the chip's code. */
static _i32 fs_open(const _u8 *name, _u32 mode)
{
    char path[1024];
    int slot = -1;
    for (int i = 0; i < MAX_FILES && slot < 0; i++)
        if (!files[i].used)
            slot = i;
    if (slot < 0)
        return sl_emu__codes()->fs_max_opened;
    sl_emu__store_path((const char *)name, path, sizeof path);
    int fd = open(path, open_flags(mode), 0600);
    if (fd < 0)
        return errno == EEXIST ? sl_emu__codes()->fs_name_exist : sl_emu__codes()->fs_not_exists;
    files[slot].used = true;
    files[slot].fd = fd;
    return slot;
}

#ifdef MQTLS_SL_SDK_CC3200
_i32 sl_FsOpen(const _u8 *pFileName, const _u32 AccessModeAndMaxSize, _u32 *pToken,
               _i32 *pFileHandle)
{
    (void)pToken;
    _i32 h = fs_open(pFileName, AccessModeAndMaxSize);
    if (h < 0)
        return h;
    *pFileHandle = h;
    return 0; /* "On success, zero is returned" (CC3200 fs.h) */
}

/* The SDK computes the create mode in fs.c; the emulation keeps the access type (create,
 * 2, at _FS_MODE_ACCESS_OFFSET 12) and the flags (at _FS_MODE_ACCESS_FLAGS_OFFSET 16), not
 * the size: its files grow as written. */
_u32 _sl_GetCreateFsMode(_u32 maxSizeInBytes, _u32 accessFlags)
{
    (void)maxSizeInBytes;
    return ((_u32)2 << 12) | ((accessFlags & 0xFFu) << 16);
}
#else
_i32 sl_FsOpen(const _u8 *pFileName, const _u32 AccessModeAndMaxSize, _u32 *pToken)
{
    (void)pToken;
    return fs_open(pFileName, AccessModeAndMaxSize);
}
#endif

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
#ifdef MQTLS_SL_SDK_CC3200
    pFsFileInfo->FileLen = (_u32)st.st_size;
    pFsFileInfo->AllocatedLen = (_u32)st.st_size;
#else
    pFsFileInfo->Len = (_u32)st.st_size;
    pFsFileInfo->MaxSize = (_u32)st.st_size;
#endif
    return 0;
}
