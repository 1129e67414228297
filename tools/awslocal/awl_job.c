/**
 * @file awl_job.c
 * @brief `mqtls awslocal job create`: a job for one thing, stored where the Jobs service
 *        (svc_jobs.c) reads it.
 *
 * The format, one file per job execution, DIR/state/jobs/THING/JOBID.json: a JSON object
 * with the fields of AWS's JobExecution data type (developer guide, "Jobs device MQTT and
 * HTTPS API operations and data types"), as a newly queued execution has them:
 *     {"jobId": ID, "thingName": THING, "jobDocument": {the --document},
 *      "status": "QUEUED", "queuedAt": T, "lastUpdatedAt": T,
 *      "versionNumber": 1, "executionNumber": 1}
 * T is in seconds since the Unix epoch. The Jobs service owns the file from then on (it
 * updates status, statusDetails, startedAt, lastUpdatedAt and versionNumber).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "awslocal/awl_internal.h"
#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"

/* A job document larger than this is refused (a file read whole into memory). */
#define DOC_MAX (1024 * 1024)

static cJSON *read_document(const char *path)
{
    tool_buf_t b = {NULL, 0, 0};
    if (tool_read_file_max(path, &b, DOC_MAX) != 0) {
        tool_err("cannot read the job document '%s': %s", path,
                 errno ? strerror(errno) : "larger than 1 MiB");
        return NULL;
    }
    cJSON *doc = cJSON_ParseWithLength(b.p ? b.p : "", b.len);
    tool_buf_free(&b);
    if (!cJSON_IsObject(doc)) {
        tool_err("the job document '%s' is not a JSON object", path);
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static cJSON *execution(const awl_args_t *a, cJSON *doc)
{
    double now = (double)time(NULL);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "jobId", a->job_id);
    cJSON_AddStringToObject(j, "thingName", a->thing);
    cJSON_AddItemToObject(j, "jobDocument", doc);
    cJSON_AddStringToObject(j, "status", "QUEUED");
    cJSON_AddNumberToObject(j, "queuedAt", now);
    cJSON_AddNumberToObject(j, "lastUpdatedAt", now);
    cJSON_AddNumberToObject(j, "versionNumber", 1);
    cJSON_AddNumberToObject(j, "executionNumber", 1);
    return j;
}

/* Writes @p text as @p path, created (an existing job is not replaced) then renamed into
 * place, so the service never reads half a file. */
static int write_new(const char *path, const char *text)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        tool_err("the job '%s' exists already", path);
        return TOOL_EXIT_ERROR;
    }
    char *tmp = tool_pki_path_cat(path, ".new");
    FILE *f = fopen(tmp, "w");
    bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = (f && fclose(f) == 0) && ok && rename(tmp, path) == 0;
    if (!ok) {
        tool_err("cannot write '%s': %s", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return ok ? TOOL_EXIT_OK : TOOL_EXIT_ERROR;
}

int awl_job_create(const awl_args_t *a)
{
    char *jobs = tool_pki_path_join(a->dir, "state/jobs");
    char *dir = tool_pki_path_join(jobs, a->thing);
    char *name = tool_pki_path_cat(a->job_id, ".json");
    char *path = tool_pki_path_join(dir, name);
    cJSON *doc = read_document(a->document);
    int rc = doc ? tool_pki_make_dirs(dir) : TOOL_EXIT_ERROR;
    if (!rc) {
        cJSON *j = execution(a, doc);
        char *text = cJSON_Print(j);
        rc = write_new(path, text);
        cJSON_free(text);
        cJSON_Delete(j);
    } else {
        cJSON_Delete(doc);
    }
    if (!rc)
        rc = awl_give_to_broker(jobs);
    if (!rc)
        rc = awl_give_to_broker(dir);
    if (!rc)
        rc = awl_give_to_broker(path);
    if (!rc)
        printf("%s\n", path);
    free(jobs);
    free(dir);
    free(name);
    free(path);
    return rc;
}
