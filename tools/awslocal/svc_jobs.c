/**
 * @file svc_jobs.c
 * @brief The Jobs service of `mqtls awslocal`, device side: GetPendingJobExecutions,
 *        StartNextPendingJobExecution, DescribeJobExecution and UpdateJobExecution over
 *        `$aws/things/<thing>/jobs/...`, with the notify and notify-next messages; and the
 *        queuing of a new job execution (svc.h).
 *
 * API:           https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html
 * Data types:    https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-https-api.html
 * Notifications: https://docs.aws.amazon.com/iot/latest/developerguide/jobs-comm-notifications.html
 * The executions' files and documents are svc_jobs_exec.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_internal.h"
#include "svc_jobs_exec.h"
#include "svc_store.h"

#define THING_MAX 128

/** A request: its topic's parts, its payload, and what it is answered with. */
typedef struct jobs_req {
    char thing[THING_MAX + 1];
    char job[AWL_JOB_ID_MAX + 2]; /**< the job id of <jobId>/get and <jobId>/update */
    const char *op;               /**< "get", "start-next", "describe" or "update" */
    const char *topic;
    const char *state_dir;
    const cJSON *req;             /**< the request document ({} for an empty payload) */
    const char *token;            /**< its clientToken, or NULL */
    awl_replies_t *out;
} jobs_req_t;

static int reply_to(jobs_req_t *r, const char *suffix, cJSON *doc)
{
    size_t n = strlen(r->topic) + strlen(suffix) + 1;
    char *t = malloc(n);
    int rc;

    if (!t) {
        cJSON_Delete(doc);
        return -1;
    }
    snprintf(t, n, "%s%s", r->topic, suffix);
    rc = awl_reply_json(r->out, t, doc);
    free(t);
    return rc;
}

/* An ErrorResponse (jobs-mqtt-api.html): {"code", "message", "clientToken", "timestamp"} and,
 * for InvalidStateTransition and VersionMismatch, "executionState". */
static int reject(jobs_req_t *r, const char *code, const char *message, const cJSON *exec)
{
    cJSON *doc = cJSON_CreateObject();

    cJSON_AddStringToObject(doc, "code", code);
    cJSON_AddStringToObject(doc, "message", message);
    cJSON_AddNumberToObject(doc, "timestamp", (double)awl_svc_now());
    awl_add_token(doc, r->token);
    if (exec)
        cJSON_AddItemToObject(doc, "executionState", awl_jobs_state(exec));
    return reply_to(r, "/rejected", doc);
}

/* A success document: the timestamp and the clientToken around @p doc's own members. */
static int accept(jobs_req_t *r, cJSON *doc)
{
    cJSON_AddNumberToObject(doc, "timestamp", (double)awl_svc_now());
    awl_add_token(doc, r->token);
    return reply_to(r, "/accepted", doc);
}

static int notify(jobs_req_t *r, const char *which, cJSON *doc)
{
    char topic[THING_MAX + 40];

    snprintf(topic, sizeof topic, "$aws/things/%s/jobs/%s", r->thing, which);
    return awl_reply_json(r->out, topic, doc);
}

/* The notifications after a change: notify when an execution changed status (queued, started
 * or ended), notify-next when the first pending execution is another one than @p next_before
 * (jobs-comm-notifications.html: ListNotification and NextNotification criteria). */
static void announce(jobs_req_t *r, bool status_changed, const char *next_before)
{
    long long now = awl_svc_now();
    cJSON *all = awl_jobs_all(r->state_dir, r->thing);
    const cJSON *next = awl_jobs_next(all);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(next, "jobId");
    const char *next_now = cJSON_IsString(id) ? id->valuestring : "";

    if (all && status_changed)
        notify(r, "notify", awl_jobs_list_doc(all, now));
    if (all && strcmp(next_before, next_now) != 0)
        notify(r, "notify-next", awl_jobs_next_doc(all, now));
    cJSON_Delete(all);
}

/* The id of the next pending execution of @p all, copied into @p buf ("" when none). */
static const char *next_id(const cJSON *all, char *buf, size_t size)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(awl_jobs_next(all), "jobId");

    snprintf(buf, size, "%s", cJSON_IsString(id) ? id->valuestring : "");
    return buf;
}

static int do_get_pending(jobs_req_t *r, const cJSON *all)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *running = cJSON_AddArrayToObject(doc, "inProgressJobs");
    cJSON *queued = cJSON_AddArrayToObject(doc, "queuedJobs");
    awl_jobs_split(all, running, queued);
    return accept(r, doc);
}

/* statusDetails must be a map of strings (JobExecution: "statusDetails": {"string":
 * "string"}). */
static bool details_ok(const cJSON *d)
{
    const cJSON *e;

    if (!d)
        return true;
    if (!cJSON_IsObject(d))
        return false;
    cJSON_ArrayForEach(e, d) {
        if (!cJSON_IsString(e))
            return false;
    }
    return true;
}

static void set_number(cJSON *o, const char *key, double v)
{
    if (cJSON_GetObjectItemCaseSensitive(o, key))
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key), v);
    else
        cJSON_AddNumberToObject(o, key, v);
}

/* Moves @p exec to @p status (with the request's statusDetails, if any): startedAt when it
 * starts, lastUpdatedAt, and one more version ("Job execution versions are incremented each
 * time AWS IoT Jobs receives an update from a device"). */
static void apply(cJSON *exec, const char *status, const cJSON *details, long long now)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(exec, "versionNumber");

    if (strcmp(awl_jobs_status(exec), "QUEUED") == 0 && strcmp(status, "QUEUED") != 0)
        set_number(exec, "startedAt", (double)now);
    cJSON_ReplaceItemInObjectCaseSensitive(exec, "status", cJSON_CreateString(status));
    if (details) {
        cJSON_DeleteItemFromObjectCaseSensitive(exec, "statusDetails");
        cJSON_AddItemToObject(exec, "statusDetails", cJSON_Duplicate(details, 1));
    }
    set_number(exec, "lastUpdatedAt", (double)now);
    set_number(exec, "versionNumber", (cJSON_IsNumber(version) ? version->valuedouble : 0) + 1);
}

static int save(jobs_req_t *r, const cJSON *exec)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(exec, "jobId");
    char *path = awl_jobs_path(r->state_dir, r->thing, id->valuestring);
    int rc = path ? awl_store_save(path, exec) : -1;

    free(path);
    return rc;
}

/* StartNextPendingJobExecution: the next pending execution, started if it was queued. */
static int do_start_next(jobs_req_t *r, const cJSON *all)
{
    const cJSON *details = cJSON_GetObjectItemCaseSensitive(r->req, "statusDetails");
    cJSON *exec = (cJSON *)awl_jobs_next(all), *doc;
    bool started;
    char before[AWL_JOB_ID_MAX + 1];

    if (!details_ok(details))
        return reject(r, "InvalidRequest", "statusDetails must map names to strings", NULL);
    if (!exec) /* nothing pending: an answer without an execution */
        return accept(r, cJSON_CreateObject());
    next_id(all, before, sizeof before);
    started = strcmp(awl_jobs_status(exec), "QUEUED") == 0;
    if (started || details) {
        apply(exec, "IN_PROGRESS", details, awl_svc_now());
        if (save(r, exec) != 0)
            return reject(r, "InternalError", "the job execution could not be stored", NULL);
    }
    doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "execution", cJSON_Duplicate(exec, 1));
    accept(r, doc);
    announce(r, started, before);
    return 0;
}

/* The execution a <jobId>/get or <jobId>/update request names, or a rejection answered. */
static cJSON *named_execution(jobs_req_t *r, const cJSON *all)
{
    const cJSON *number = cJSON_GetObjectItemCaseSensitive(r->req, "executionNumber");
    cJSON *exec = strcmp(r->job, "$next") == 0 && strcmp(r->op, "describe") == 0
                      ? (cJSON *)awl_jobs_next(all)
                      : awl_jobs_find(all, r->job);
    const cJSON *have = cJSON_GetObjectItemCaseSensitive(exec, "executionNumber");

    if (exec && cJSON_IsNumber(number) && (!cJSON_IsNumber(have) ||
                                           number->valuedouble != have->valuedouble))
        exec = NULL;
    return exec;
}

/* DescribeJobExecution: includeJobDocument "Unless set to false, the response contains the
 * job document. The default is true"; $next is the next pending execution. */
static int do_describe(jobs_req_t *r, const cJSON *all)
{
    cJSON *exec = named_execution(r, all), *doc, *copy;

    if (!exec && strcmp(r->job, "$next") == 0)
        return accept(r, cJSON_CreateObject());
    if (!exec)
        return reject(r, "ResourceNotFound", "no such job execution for this thing", NULL);
    if (awl_jobs_terminal(awl_jobs_status(exec)))
        return reject(r, "TerminalStateReached", "the job execution has ended", NULL);
    copy = cJSON_Duplicate(exec, 1);
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r->req, "includeJobDocument")))
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "jobDocument");
    doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "execution", copy);
    return accept(r, doc);
}

/* The status an UpdateJobExecution may set: "IN_PROGRESS, FAILED, SUCCEEDED, or REJECTED. This
 * must be specified on every update." */
static const char *update_status(const cJSON *req)
{
    static const char *const ok[] = {"IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"};
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(req, "status");

    for (size_t i = 0; cJSON_IsString(s) && i < sizeof ok / sizeof ok[0]; i++) {
        if (strcmp(s->valuestring, ok[i]) == 0)
            return ok[i];
    }
    return NULL;
}

/* The /update/accepted document: executionState and jobDocument when asked for. */
static cJSON *update_accepted(const jobs_req_t *r, const cJSON *exec)
{
    cJSON *doc = cJSON_CreateObject();
    const cJSON *jd = cJSON_GetObjectItemCaseSensitive(exec, "jobDocument");

    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->req, "includeJobExecutionState")))
        cJSON_AddItemToObject(doc, "executionState", awl_jobs_state(exec));
    if (jd && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->req, "includeJobDocument")))
        cJSON_AddItemToObject(doc, "jobDocument", cJSON_Duplicate(jd, 1));
    return doc;
}

static int do_update(jobs_req_t *r, const cJSON *all)
{
    const cJSON *details = cJSON_GetObjectItemCaseSensitive(r->req, "statusDetails");
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(r->req, "expectedVersion");
    const char *status = update_status(r->req);
    cJSON *exec = named_execution(r, all);
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(exec, "versionNumber");
    char before[AWL_JOB_ID_MAX + 1];
    bool changed;

    if (!exec)
        return reject(r, "ResourceNotFound", "no such job execution for this thing", NULL);
    if (!status)
        return reject(r, "InvalidRequest", "status must be IN_PROGRESS, SUCCEEDED, FAILED or REJECTED", NULL);
    if (!details_ok(details))
        return reject(r, "InvalidRequest", "statusDetails must map names to strings", NULL);
    if (expected && (!cJSON_IsNumber(expected) || !cJSON_IsNumber(version) ||
                     expected->valuedouble != version->valuedouble))
        return reject(r, "VersionMismatch", "expectedVersion is not the execution's version", exec);
    if (awl_jobs_terminal(awl_jobs_status(exec)))
        return reject(r, "InvalidStateTransition", "the job execution has ended", exec);
    next_id(all, before, sizeof before);
    changed = strcmp(awl_jobs_status(exec), status) != 0;
    apply(exec, status, details, awl_svc_now());
    if (save(r, exec) != 0)
        return reject(r, "InternalError", "the job execution could not be stored", NULL);
    accept(r, update_accepted(r, exec));
    announce(r, changed, before);
    return 0;
}

/* "$aws/things/<thing>/jobs/" + get | start-next | <jobId>/get | <jobId>/update. */
static int parse_topic(const char *topic, jobs_req_t *r)
{
    const char *p = topic, *slash;
    size_t n;

    if (strncmp(p, "$aws/things/", 12) != 0)
        return -1;
    p += 12;
    n = strcspn(p, "/");
    if (!awl_name_ok(p, n, THING_MAX, NULL) || strncmp(p + n, "/jobs/", 6) != 0)
        return -1;
    memcpy(r->thing, p, n);
    r->thing[n] = '\0';
    p += n + 6;
    r->topic = topic;
    if (strcmp(p, "get") == 0 || strcmp(p, "start-next") == 0) {
        r->op = strcmp(p, "get") == 0 ? "get" : "start-next";
        return 0;
    }
    slash = strchr(p, '/');
    n = slash ? (size_t)(slash - p) : 0;
    if (!slash || (strcmp(slash, "/get") != 0 && strcmp(slash, "/update") != 0))
        return -1;
    /* "$next" names the next pending execution for DescribeJobExecution alone. */
    if (!awl_name_ok(p, n, AWL_JOB_ID_MAX, NULL) &&
        !(n == 5 && strncmp(p, "$next", 5) == 0 && strcmp(slash, "/get") == 0))
        return -1;
    memcpy(r->job, p, n);
    r->job[n] = '\0';
    r->op = strcmp(slash, "/get") == 0 ? "describe" : "update";
    return 0;
}

static int dispatch(jobs_req_t *r)
{
    cJSON *all = awl_jobs_all(r->state_dir, r->thing);
    int rc;

    if (!all)
        return reject(r, "InternalError", "the job executions could not be read", NULL);
    if (strcmp(r->op, "get") == 0)
        rc = do_get_pending(r, all);
    else if (strcmp(r->op, "start-next") == 0)
        rc = do_start_next(r, all);
    else if (strcmp(r->op, "describe") == 0)
        rc = do_describe(r, all);
    else
        rc = do_update(r, all);
    cJSON_Delete(all);
    return rc;
}

int awl_jobs_handle(const char *state_dir, const char *thing, const char *topic,
                    const char *payload, size_t len, awl_replies_t *out)
{
    jobs_req_t r = {.state_dir = state_dir, .out = out};
    cJSON *req;

    if (!topic || parse_topic(topic, &r) != 0 || (thing && strcmp(thing, r.thing) != 0))
        return -1;
    /* An empty payload is an empty request ({}); anything else must be a JSON object. */
    req = len == 0 ? cJSON_CreateObject()
                   : awl_utf8_ok(payload, len) ? cJSON_ParseWithLength(payload, len) : NULL;
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        reject(&r, "InvalidJson", "the request is not a UTF-8 JSON object", NULL);
        return 0;
    }
    r.req = req;
    r.token = awl_client_token(req);
    dispatch(&r);
    cJSON_Delete(req);
    return 0;
}

/* A new QUEUED JobExecution (jobs-mqtt-https-api.html, JobExecution). */
static cJSON *new_execution(const char *thing, const char *job_id, cJSON *document, long long now)
{
    cJSON *e = cJSON_CreateObject();

    cJSON_AddStringToObject(e, "jobId", job_id);
    cJSON_AddStringToObject(e, "thingName", thing);
    cJSON_AddItemToObject(e, "jobDocument", document);
    cJSON_AddStringToObject(e, "status", "QUEUED");
    cJSON_AddNumberToObject(e, "queuedAt", (double)now);
    cJSON_AddNumberToObject(e, "lastUpdatedAt", (double)now);
    cJSON_AddNumberToObject(e, "versionNumber", 1);
    cJSON_AddNumberToObject(e, "executionNumber", 1);
    return e;
}

int awl_jobs_create(const char *state_dir, const char *thing, const char *job_id,
                    const char *document, awl_replies_t *out)
{
    jobs_req_t r = {.state_dir = state_dir, .out = out};
    cJSON *doc = document ? cJSON_Parse(document) : NULL, *all, *exec;
    char before[AWL_JOB_ID_MAX + 1];
    int rc = -1;

    if (!thing || !job_id || !awl_name_ok(thing, strlen(thing), THING_MAX, NULL) ||
        !awl_name_ok(job_id, strlen(job_id), AWL_JOB_ID_MAX, NULL) || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return -1;
    }
    snprintf(r.thing, sizeof r.thing, "%s", thing);
    all = awl_jobs_all(state_dir, thing);
    if (!all || awl_jobs_find(all, job_id)) {
        cJSON_Delete(doc);
        cJSON_Delete(all);
        return all ? -1 : -2;
    }
    next_id(all, before, sizeof before);
    exec = new_execution(thing, job_id, doc, awl_svc_now());
    rc = save(&r, exec) == 0 ? 0 : -2;
    if (rc == 0 && out)
        announce(&r, true, before);
    cJSON_Delete(exec);
    cJSON_Delete(all);
    return rc;
}

int awl_jobs_notify(const char *state_dir, const char *thing, awl_replies_t *out)
{
    jobs_req_t r = {.state_dir = state_dir, .out = out};

    if (!thing || !awl_name_ok(thing, strlen(thing), THING_MAX, NULL))
        return -1;
    snprintf(r.thing, sizeof r.thing, "%s", thing);
    /* Announced as if nothing had been next before: both messages go out. */
    announce(&r, true, "\x01");
    return 0;
}
