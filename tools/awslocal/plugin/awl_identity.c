/**
 * @file awl_identity.c
 * @brief A connection's thing: its certificate's CN, or the thing the provisioning service
 *        attached that certificate to (awl_identity.h).
 */
#include "awslocal/plugin/awl_identity.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Letters, digits, ':', '_', '-': a thing name, and safe as a file name. */
static bool plain_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || strchr(":_-", *s)))
            return false;
    return true;
}

/* The first line of @p path into @p buf; false if there is none or it is not a name. */
static bool read_name(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\r\n")] = '\0';
    return ok && plain_name(buf);
}

const char *awl_identity(const char *state_dir, const char *cn, char *buf, size_t size)
{
    char path[4096];
    if (!cn || !state_dir || !plain_name(cn) || size < 2)
        return cn;
    int n = snprintf(path, sizeof path, "%s/%s/%s", state_dir, AWL_PRINCIPALS_DIR, cn);
    if (n < 0 || (size_t)n >= sizeof path || !read_name(path, buf, size))
        return cn;
    return buf;
}
