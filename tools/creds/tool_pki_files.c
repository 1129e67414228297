/**
 * @file tool_pki_files.c
 * @brief What `mqtls pki` writes: paths, directories, the output files of each command,
 *        written all or none.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"
#include "creds/tool_x509.h"

char *tool_pki_path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    char *p = tool_xmalloc(dl + nl + 2);
    memcpy(p, dir, dl);
    if (!slash)
        p[dl++] = '/';
    memcpy(p + dl, name, nl + 1);
    return p;
}

char *tool_pki_path_cat(const char *prefix, const char *suffix)
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    char *p = tool_xmalloc(pl + sl + 1);
    memcpy(p, prefix, pl);
    memcpy(p + pl, suffix, sl + 1);
    return p;
}

/* mkdir -p: creates @p path and its missing parents. */
int tool_pki_make_dirs(const char *path)
{
    char *p = tool_xstrdup(path);
    int rc = TOOL_EXIT_OK;
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';
        if (*s != '/' && !end)
            continue;
        char keep = *s;
        *s = '\0';
        struct stat st;
        if (mkdir(p, 0755) != 0) {
            int err = errno;
            if (err != EEXIST) {
                tool_err("cannot create directory '%s': %s", p, strerror(err));
                rc = TOOL_EXIT_ERROR;
                break;
            }
            if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
                tool_err("cannot create directory '%s': %s", p, strerror(ENOTDIR));
                rc = TOOL_EXIT_ERROR;
                break;
            }
        }
        *s = keep;
        if (end)
            break;
        while (s[1] == '/')
            s++;
        if (s[1] == '\0')
            break;
    }
    free(p);
    return rc;
}

/* Fails when an output file exists and --force was not given. */
int tool_pki_check_outputs(const pki_args_t *a, const pki_file_t *f, size_t n, const char *what)
{
    if (a->force)
        return TOOL_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (lstat(f[i].path, &st) == 0) {
            tool_err("'%s' already exists: use --force to replace %s", f[i].path, what);
            return TOOL_EXIT_ERROR;
        }
    }
    return TOOL_EXIT_OK;
}

static int write_one(const pki_args_t *a, pki_file_t *f)
{
    return tool_x509_write_file(f->path, f->data->p, f->data->len, f->secret, a->force,
                                &f->written);
}

/* Writes every file; on a failure removes the ones this run wrote. */
int tool_pki_write_all(const pki_args_t *a, pki_file_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (write_one(a, &f[i]) == TOOL_EXIT_OK)
            continue;
        for (size_t k = 0; k <= i; k++)
            if (f[k].written)
                unlink(f[k].path);
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

void tool_pki_files_free(pki_file_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i].path);
}

/* The output files of server and device; returns how many. */
size_t tool_pki_leaf_files(const pki_args_t *a, const char *out_dir, pki_made_t *m, pki_file_t *f)
{
    size_t nf = 0;
    if (out_dir) {
        f[nf++] = (pki_file_t){tool_pki_path_join(out_dir, "cert.crt"), &m->pem, false, "certificate:", false};
        f[nf++] = (pki_file_t){tool_pki_path_join(out_dir, "private.key"), &m->kf.pem, true, "private-key:", false};
        f[nf++] = (pki_file_t){tool_pki_path_join(out_dir, "public.key"), &m->kf.pub_pem, false, "public-key:", false};
        f[nf++] = (pki_file_t){tool_pki_path_join(out_dir, "cert.der"), &m->der, false, "certificate-der:", false};
        f[nf++] = (pki_file_t){tool_pki_path_join(out_dir, "private.der"), &m->kf.der, true, "private-key-der:", false};
    } else {
        char *prefix = a->out ? tool_xstrdup(a->out) : tool_pki_path_join(a->dir, "server");
        f[nf++] = (pki_file_t){tool_pki_path_cat(prefix, ".crt"), &m->pem, false, "certificate:", false};
        f[nf++] = (pki_file_t){tool_pki_path_cat(prefix, ".key"), &m->kf.pem, true, "private-key:", false};
        free(prefix);
    }
    return nf;
}
