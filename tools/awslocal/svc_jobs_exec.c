/**
 * @file svc_jobs_exec.c
 * @brief The Jobs service's executions: their files, their order and the documents made
 *        from them (svc_jobs_exec.h, where the sources are listed).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_jobs_exec.h"
#include "svc_store.h"

char *awl_jobs_path(const char *state_dir, const char *thing, const char *job_id)
{
    char file[AWL_JOB_ID_MAX + 8];

    snprintf(file, sizeof file, "%s.json", job_id);
    return awl_path(state_dir, "jobs", thing, file);
}

const char *awl_jobs_status(const cJSON *exec)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(exec, "status");
    return cJSON_IsString(s) ? s->valuestring : "";
}

bool awl_jobs_pending(const cJSON *exec)
{
    const char *s = awl_jobs_status(exec);
    return strcmp(s, "QUEUED") == 0 || strcmp(s, "IN_PROGRESS") == 0;
}

bool awl_jobs_terminal(const char *status)
{
    static const char *const terminal[] = {"SUCCEEDED", "FAILED", "TIMED_OUT",
                                           "REJECTED", "REMOVED", "CANCELED"};

    for (size_t i = 0; i < sizeof terminal / sizeof terminal[0]; i++) {
        if (strcmp(status, terminal[i]) == 0)
            return true;
    }
    return false;
}

static double number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *job_id(const cJSON *exec)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(exec, "jobId");
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Pending first (IN_PROGRESS, then QUEUED), each by queuedAt, then by job id
 * (jobs-comm-notifications.html: "sorted by status (IN_PROGRESS job executions before QUEUED
 * job executions) and then by the times when they were queued"). */
static int rank(const cJSON *exec)
{
    const char *s = awl_jobs_status(exec);
    return strcmp(s, "IN_PROGRESS") == 0 ? 0 : strcmp(s, "QUEUED") == 0 ? 1 : 2;
}

static int compare(const void *pa, const void *pb)
{
    const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
    double qa = number(a, "queuedAt"), qb = number(b, "queuedAt");

    if (rank(a) != rank(b))
        return rank(a) - rank(b);
    if (qa != qb)
        return qa < qb ? -1 : 1;
    return strcmp(job_id(a), job_id(b));
}

/* The executions in @p dir, in @p *v (grown as needed), counted in @p *n. */
static int read_dir(const char *dir, cJSON ***v, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 0;

    if (!d) /* no directory yet is no job yet */
        return errno == ENOENT ? 0 : -1;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char *path;
        cJSON *exec;
        int missing;
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue; /* ".", "..", and the temporary files of a write under way */
        path = awl_path(dir, e->d_name);
        exec = path ? awl_store_load(path, &missing) : NULL;
        free(path);
        if (!cJSON_IsObject(exec)) {
            cJSON_Delete(exec);
            continue;
        }
        if (*n == cap) {
            cJSON **p = realloc(*v, (cap = cap ? 2 * cap : 16) * sizeof **v);
            if (!p) {
                cJSON_Delete(exec);
                break;
            }
            *v = p;
        }
        (*v)[(*n)++] = exec;
    }
    closedir(d);
    return 0;
}

cJSON *awl_jobs_all(const char *state_dir, const char *thing)
{
    char *dir = awl_path(state_dir, "jobs", thing);
    cJSON **v = NULL, *all;
    size_t n = 0;
    int rc = dir ? read_dir(dir, &v, &n) : -1;

    free(dir);
    all = cJSON_CreateArray();
    if (rc == 0 && n > 1)
        qsort(v, n, sizeof *v, compare);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(all, v[i]);
    free(v);
    if (rc != 0) {
        cJSON_Delete(all);
        return NULL;
    }
    return all;
}

const cJSON *awl_jobs_next(const cJSON *all)
{
    const cJSON *first = cJSON_GetArrayItem(all, 0);
    return first && awl_jobs_pending(first) ? first : NULL;
}

cJSON *awl_jobs_find(const cJSON *all, const char *id)
{
    cJSON *e;

    cJSON_ArrayForEach(e, all) {
        if (strcmp(job_id(e), id) == 0)
            return e;
    }
    return NULL;
}

static void copy_field(cJSON *dst, const cJSON *src, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, key);

    if (v)
        cJSON_AddItemToObject(dst, key, cJSON_Duplicate(v, 1));
}

cJSON *awl_jobs_summary(const cJSON *exec)
{
    static const char *const keys[] = {"jobId", "queuedAt", "startedAt", "lastUpdatedAt",
                                       "versionNumber", "executionNumber"};
    cJSON *s = cJSON_CreateObject();

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        copy_field(s, exec, keys[i]);
    return s;
}

cJSON *awl_jobs_state(const cJSON *exec)
{
    cJSON *s = cJSON_CreateObject();

    copy_field(s, exec, "status");
    copy_field(s, exec, "statusDetails");
    copy_field(s, exec, "versionNumber");
    return s;
}

void awl_jobs_split(const cJSON *all, cJSON *running, cJSON *queued)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, all) {
        if (strcmp(awl_jobs_status(e), "IN_PROGRESS") == 0)
            cJSON_AddItemToArray(running, awl_jobs_summary(e));
        else if (strcmp(awl_jobs_status(e), "QUEUED") == 0)
            cJSON_AddItemToArray(queued, awl_jobs_summary(e));
    }
}

cJSON *awl_jobs_list_doc(const cJSON *all, long long now)
{
    cJSON *doc = cJSON_CreateObject(), *jobs = cJSON_CreateObject();
    cJSON *running = cJSON_CreateArray(), *queued = cJSON_CreateArray();
    awl_jobs_split(all, running, queued);
    cJSON_AddNumberToObject(doc, "timestamp", (double)now);
    if (cJSON_GetArraySize(running) > 0)
        cJSON_AddItemToObject(jobs, "IN_PROGRESS", running);
    else
        cJSON_Delete(running);
    if (cJSON_GetArraySize(queued) > 0)
        cJSON_AddItemToObject(jobs, "QUEUED", queued);
    else
        cJSON_Delete(queued);
    cJSON_AddItemToObject(doc, "jobs", jobs);
    return doc;
}

cJSON *awl_jobs_next_doc(const cJSON *all, long long now)
{
    cJSON *doc = cJSON_CreateObject();
    const cJSON *next = awl_jobs_next(all);

    cJSON_AddNumberToObject(doc, "timestamp", (double)now);
    if (next)
        cJSON_AddItemToObject(doc, "execution", cJSON_Duplicate(next, 1));
    return doc;
}
