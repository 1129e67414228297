/**
 * @file svc_store.c
 * @brief The services' files: one JSON document per object, replaced atomically
 *        (svc_store.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svc_store.h"

char *awl_path_join(const char *first, ...)
{
    va_list ap;
    size_t len = strlen(first) + 1;
    const char *s;
    char *path;

    va_start(ap, first);
    while ((s = va_arg(ap, const char *)) != NULL)
        len += strlen(s) + 1;
    va_end(ap);
    path = malloc(len);
    if (!path)
        return NULL;
    strcpy(path, first);
    va_start(ap, first);
    while ((s = va_arg(ap, const char *)) != NULL) {
        strcat(path, "/");
        strcat(path, s);
    }
    va_end(ap);
    return path;
}

/* The whole file, NUL-terminated; NULL with errno set when it cannot be read. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;

    if (!f)
        return NULL;
    for (;;) {
        if (cap - len < 4096) {
            char *p = realloc(buf, cap + 65536);
            if (!p)
                break;
            buf = p;
            cap += 65536;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            buf[len] = '\0';
            fclose(f);
            return buf;
        }
    }
    fclose(f);
    free(buf);
    errno = ENOMEM;
    return NULL;
}

cJSON *awl_store_load(const char *path, int *missing)
{
    char *text = read_all(path);
    cJSON *doc;

    *missing = !text && errno == ENOENT;
    if (!text)
        return NULL;
    doc = cJSON_Parse(text);
    free(text);
    return doc;
}

/* mkdir -p of the directory that holds @p path. */
static int make_parents(const char *path)
{
    char *dir = strdup(path);
    int rc = 0;

    if (!dir)
        return -1;
    for (char *p = dir + 1; *p && rc == 0; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    free(dir);
    return rc;
}

/* Writes @p text to @p tmp and makes it durable before the rename publishes it. */
static int write_file(const char *tmp, const char *text)
{
    FILE *f = fopen(tmp, "wb");
    int rc;

    if (!f)
        return -1;
    rc = fputs(text, f) < 0 ? -1 : 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

int awl_store_save(const char *path, const cJSON *doc)
{
    /* The temporary name carries the process id: `awslocal job create` and the broker may
     * write under the same directory at the same time. */
    size_t n = strlen(path) + 32;
    char *text = cJSON_PrintUnformatted(doc);
    char *tmp = malloc(n);
    int rc = -1;

    if (text && tmp && make_parents(path) == 0) {
        snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
        rc = write_file(tmp, text);
        if (rc == 0 && rename(tmp, path) != 0)
            rc = -1;
        if (rc != 0)
            unlink(tmp);
    }
    free(text);
    free(tmp);
    return rc;
}
