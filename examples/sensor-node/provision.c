/**
 * @file provision.c
 * @brief Puts embedded credentials into the network processor's file system, where its TLS
 *        finds them (see sensor_node.h): on a CC3220 by name (CC32xx SDK); on a CC3200
 *        (CC3200 SDK 1.x, MQTLS_SL_SDK_CC3200) as file id N, the file "/cert/N.der" (TI's
 *        SimpleLink Programmer readme: "/cert/%d.der where %d denotes a file number. The
 *        file number should be used via setsockopt()").
 *
 * The two SDKs differ in how a file is looked up (SlFsFileInfo_t's Len or FileLen) and
 * opened: the CC32xx SDK's sl_FsOpen returns the handle and takes SL_FS_CREATE_* mode bits;
 * the CC3200 SDK's returns it through its fourth argument and takes
 * FS_MODE_OPEN_CREATE(max size, flags) (fs.h, (C) 2014). Writing and the loop are the same.
 */
#include <stdint.h>

#include "sensor_node.h"
#include "simplelink_api.h"

#ifdef MQTLS_SL_SDK_CC3200
/* Already there with the same size: a rewrite would only wear the flash. */
static bool stored(const sensor_node_file_t *f)
{
    SlFsFileInfo_t info;
    return sl_FsGetInfo((const _u8 *)f->name, 0, &info) == 0 && info.FileLen == f->len;
}

/* Opens @p f for writing: created with room for its size when missing; an existing file
 * (of another size) opened for writing, which needs its allocation to be large enough. */
static _i32 open_for_write(const sensor_node_file_t *f, _i32 *fd)
{
    SlFsFileInfo_t info;
    _u32 token = 0;
    _u32 flags = 0;
    if (sl_FsGetInfo((const _u8 *)f->name, 0, &info) == 0) {
        if (info.AllocatedLen < f->len)
            return -1; /* too small: delete it (UniFlash) and provision again */
        return sl_FsOpen((const _u8 *)f->name, FS_MODE_OPEN_WRITE, &token, fd);
    }
    /* A key: encrypted on flash, no signature, writable without the token; fs.h's
     * SL_FS_SECURE_FILE_MUST_BE_COMMIT (-57) says a secure file needs the commit flag. */
    if (f->secret)
        flags = _FS_FILE_OPEN_FLAG_SECURE | _FS_FILE_OPEN_FLAG_NO_SIGNATURE_TEST |
                _FS_FILE_OPEN_FLAG_COMMIT | _FS_FILE_PUBLIC_WRITE;
    return sl_FsOpen((const _u8 *)f->name, FS_MODE_OPEN_CREATE((_u32)f->len, flags), &token, fd);
}
#else
/* Already there with the same size: a rewrite would only wear the flash. */
static bool stored(const sensor_node_file_t *f)
{
    SlFsFileInfo_t info;
    return sl_FsGetInfo((const _u8 *)f->name, 0, &info) == 0 && info.Len == f->len;
}

/* Opens @p f for writing, created or overwritten with room for its size; *fd, or the
 * negative code. */
static _i32 open_for_write(const sensor_node_file_t *f, _i32 *fd)
{
    _u32 mode = SL_FS_CREATE | SL_FS_OVERWRITE | SL_FS_CREATE_MAX_SIZE(f->len);
    _u32 token = 0;
    if (f->secret) /* encrypted on flash, no signature, writable without the token */
        mode |= SL_FS_CREATE_SECURE | SL_FS_CREATE_NOSIGNATURE | SL_FS_CREATE_PUBLIC_WRITE;
    *fd = sl_FsOpen((const _u8 *)f->name, mode, &token);
    return *fd;
}
#endif

static int write_file(const sensor_node_file_t *f)
{
    _i32 fd = -1;
    _i32 rc = open_for_write(f, &fd);
    if (rc < 0)
        return (int)rc;
    /* The SDK takes the data as non-const _u8 *; it only reads it. The uintptr_t round
     * trip only drops const. NOLINTNEXTLINE(performance-no-int-to-ptr) */
    _i32 n = sl_FsWrite(fd, 0, (_u8 *)(uintptr_t)f->data, (_u32)f->len);
    _i16 closed = sl_FsClose(fd, NULL, NULL, 0);
    if (n < 0)
        return (int)n;
    if ((size_t)n != f->len)
        return -1;
    return closed < 0 ? closed : 0;
}

int sensor_node_provision(const sensor_node_file_t *files, size_t count, bool force)
{
    for (size_t i = 0; i < count; i++) {
        if (!force && stored(&files[i]))
            continue;
        int rc = write_file(&files[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}
