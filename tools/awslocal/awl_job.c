/**
 * @file awl_job.c
 * @brief `mqtls awslocal job create`: a job for one thing, queued by the Jobs service's own
 *        awl_jobs_create() (svc_jobs.c), so that the file is the one the service reads:
 *        DIR/state/jobs/THING/JOBID.json, AWS's JobExecution document (svc.h). The running
 *        broker notices the new file and publishes the notify messages (plugin/awl_tick.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "awslocal/awl_internal.h"
#include "awslocal/svc.h"
#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"

/* A job document larger than this is refused (a file read whole into memory). */
#define DOC_MAX (1024 * 1024)

/* The document's text, checked to be a JSON object (said here in words; the service would
 * only refuse it). */
static char *read_document(const char *path)
{
    tool_buf_t b = {NULL, 0, 0};
    if (tool_read_file_max(path, &b, DOC_MAX) != 0) {
        tool_err("cannot read the job document '%s': %s", path,
                 errno ? strerror(errno) : "larger than 1 MiB");
        return NULL;
    }
    tool_buf_addc(&b, '\0');
    cJSON *doc = cJSON_Parse(b.p);
    bool ok = cJSON_IsObject(doc);
    cJSON_Delete(doc);
    if (!ok) {
        tool_err("the job document '%s' is not a JSON object", path);
        tool_buf_free(&b);
        return NULL;
    }
    return b.p;
}

/* Run as root: the state the job touched becomes the broker's (the service updates it). */
static int give_job_to_broker(const awl_args_t *a, const char *state)
{
    char *jobs = tool_pki_path_join(state, "jobs");
    char *dir = tool_pki_path_join(jobs, a->thing);
    char *name = tool_pki_path_cat(a->job_id, ".json");
    char *path = tool_pki_path_join(dir, name);
    int rc = awl_give_to_broker(state);
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

int awl_job_create(const awl_args_t *a)
{
    char *state = tool_pki_path_join(a->dir, "state");
    char *doc = read_document(a->document);
    int rc = doc ? tool_pki_make_dirs(state) : TOOL_EXIT_ERROR;
    if (!rc) {
        int r = awl_jobs_create(state, a->thing, a->job_id, doc, NULL);
        if (r == -1)
            tool_err("the thing '%s' has a job '%s' already", a->thing, a->job_id);
        else if (r != 0)
            tool_err("cannot write the job in '%s/jobs/%s'", state, a->thing);
        rc = r == 0 ? TOOL_EXIT_OK : TOOL_EXIT_ERROR;
    }
    if (!rc)
        rc = give_job_to_broker(a, state);
    free(doc);
    free(state);
    return rc;
}
