/**
 * @file provision.c
 * @brief Puts embedded credentials into the CC3220's file system, where its TLS finds them
 *        by name (see sensor_node.h).
 */
#include <stdint.h>

#include "sensor_node.h"
#include "simplelink_api.h"

/* Already there with the same size: a rewrite would only wear the flash. */
static bool stored(const sensor_node_file_t *f)
{
    SlFsFileInfo_t info;
    return sl_FsGetInfo((const _u8 *)f->name, 0, &info) == 0 && info.Len == f->len;
}

static int write_file(const sensor_node_file_t *f)
{
    _u32 mode = SL_FS_CREATE | SL_FS_OVERWRITE | SL_FS_CREATE_MAX_SIZE(f->len);
    _u32 token = 0;
    if (f->secret) /* encrypted on flash, no signature, writable without the token */
        mode |= SL_FS_CREATE_SECURE | SL_FS_CREATE_NOSIGNATURE | SL_FS_CREATE_PUBLIC_WRITE;
    _i32 fd = sl_FsOpen((const _u8 *)f->name, mode, &token);
    if (fd < 0)
        return (int)fd;
    /* The SDK takes the data as non-const _u8 *; it only reads it. The uintptr_t round
     * trip only drops const. NOLINTNEXTLINE(performance-no-int-to-ptr) */
    _i32 n = sl_FsWrite(fd, 0, (_u8 *)(uintptr_t)f->data, (_u32)f->len);
    _i16 rc = sl_FsClose(fd, NULL, NULL, 0);
    if (n < 0)
        return (int)n;
    if ((size_t)n != f->len)
        return -1;
    return rc < 0 ? rc : 0;
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
