/**
 * @file aws_jobs.c
 * @brief `mqtls jobs next|update|watch`: the Jobs device MQTT API
 *        (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html).
 *        next is DescribeJobExecution of `$next` (with --start: StartNextPendingJobExecution);
 *        update is UpdateJobExecution; watch follows the device workflow of
 *        jobs-workflow-device-online.html (notify-next, start-next, run, update).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_jobs_internal.h"
#include "tool_cmds.h"

int aws_jobs_topics(aws_t *a, const char *job, mqtls_aws_op_t op,
                    char t[][MQTLS_AWS_TOPIC_MAX + 1])
{
    static const mqtls_aws_suffix_t sfx[3] = {MQTLS_AWS_ACCEPTED, MQTLS_AWS_REJECTED,
                                              MQTLS_AWS_REQUEST};
    for (int i = 0; i < 3; i++) {
        mqtls_status_t s = mqtls_aws_jobs_topic(a->o.thing, job, op, sfx[i], t[i],
                                                MQTLS_AWS_TOPIC_MAX + 1, NULL);
        if (s != MQTLS_OK) {
            tool_err("cannot make the jobs topic: %s", mqtls_strerror(s));
            return TOOL_EXIT_ERROR;
        }
    }
    return TOOL_EXIT_OK;
}

int aws_jobs_call(aws_t *a, char t[][MQTLS_AWS_TOPIC_MAX + 1], const char *doc, size_t len,
                  const char *token, aws_msg_t *out)
{
    int rc = aws_subscribe(a, t, 2);
    if (!rc)
        rc = aws_publish(a, t[2], doc, len);
    if (!rc)
        rc = aws_await(a, t[0], t[1], token, out);
    return rc;
}

/* Connects, sends one request and prints the accepted answer (next, update). */
static int call_and_print(aws_t *a, char t[][MQTLS_AWS_TOPIC_MAX + 1], const char *doc,
                          size_t len, const char *token)
{
    int rc = aws_open(a);
    aws_msg_t m;
    if (!rc && (rc = aws_jobs_call(a, t, doc, len, token, &m)) == TOOL_EXIT_OK) {
        aws_print(&m);
        aws_msg_free(&m);
    }
    return rc;
}

static int next(aws_t *a)
{
    char t[3][MQTLS_AWS_TOPIC_MAX + 1], token[64], doc[128];
    size_t len = 0;
    aws_token(a, token, sizeof token);
    mqtls_aws_token_doc(token, doc, sizeof doc, &len);
    int rc = a->o.start ? aws_jobs_topics(a, NULL, MQTLS_AWS_JOBS_START_NEXT, t)
                        : aws_jobs_topics(a, "$next", MQTLS_AWS_JOBS_DESCRIBE, t);
    return rc ? rc : call_and_print(a, t, doc, len, token);
}

/* --status in words. */
static bool status_of(const char *s, mqtls_aws_job_status_t *out)
{
    static const char *const names[] = {"IN_PROGRESS", "FAILED", "SUCCEEDED", "REJECTED"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (mqtls_aws_job_status_t)i;
            return true;
        }
    return false;
}

/* --details: an object whose values are strings (UpdateJobExecution's statusDetails is a
 * map of strings, jobs-mqtt-api.html). Keys and values are copied into @p store. */
static int details_of(aws_t *a, mqtls_aws_kv_t *kv, size_t *n, char *store, size_t size)
{
    const char *d = a->o.details;
    mqtls_aws_json_value_t obj, k, v;
    size_t cur = 0, used = 0;
    *n = 0;
    if (mqtls_aws_json_find(d, strlen(d), "", &obj) != MQTLS_OK ||
        obj.type != MQTLS_AWS_JSON_OBJECT)
        return aws_usage(a, "--details must be a JSON object of strings: %s", d);
    while (mqtls_aws_json_next(&obj, &cur, &k, &v) == MQTLS_OK) {
        size_t kl = 0, vl = 0;
        if (*n == AWS_JOBS_MAX_DETAILS)
            return aws_usage(a, "--details: at most %u entries", AWS_JOBS_MAX_DETAILS);
        if (mqtls_aws_json_string(&k, store + used, size - used, &kl) != MQTLS_OK ||
            mqtls_aws_json_string(&v, store + used + kl + 1, size - used - kl - 1, &vl) !=
                MQTLS_OK)
            return aws_usage(a, "--details: every value must be a string: %s", d);
        kv[*n].key = store + used;
        kv[*n].value = store + used + kl + 1;
        used += kl + vl + 2;
        (*n)++;
    }
    return TOOL_EXIT_OK;
}

static int update(aws_t *a)
{
    char t[3][MQTLS_AWS_TOPIC_MAX + 1], token[64], doc[8192], store[4096];
    mqtls_aws_kv_t kv[AWS_JOBS_MAX_DETAILS];
    mqtls_aws_job_update_t u;
    memset(&u, 0, sizeof u);
    if (!status_of(a->o.status, &u.status))
        return aws_usage(a, "invalid --status '%s' (IN_PROGRESS, SUCCEEDED, FAILED or "
                            "REJECTED)", a->o.status);
    int rc = a->o.details ? details_of(a, kv, &u.n_details, store, sizeof store) : 0;
    if (rc)
        return rc;
    u.details = kv;
    aws_token(a, token, sizeof token);
    u.client_token = token;
    size_t len = 0;
    if (mqtls_aws_job_update_doc(&u, doc, sizeof doc, &len) != MQTLS_OK)
        return aws_usage(a, "--details is too long");
    rc = aws_jobs_topics(a, a->o.job_id, MQTLS_AWS_JOBS_UPDATE, t);
    return rc ? rc : call_and_print(a, t, doc, len, token);
}

static int check(aws_t *a)
{
    const aws_opts_t *o = &a->o;
    bool upd = !strcmp(a->sub, "update"), w = !strcmp(a->sub, "watch");
    if (!o->thing)
        return aws_usage(a, "--thing is required");
    int rc = aws_check_name(a, MQTLS_AWS_THING_NAME, "--thing", o->thing);
    if (!rc && o->job_id)
        rc = aws_check_name(a, MQTLS_AWS_JOB_ID, "--job-id", o->job_id);
    if (rc)
        return rc;
    if (upd && (!o->job_id || !o->status))
        return aws_usage(a, "update needs --job-id and --status");
    if (!upd && (o->job_id || o->status || o->details))
        return aws_usage(a, "--job-id, --status and --details are for jobs update only");
    if (w != (o->run != NULL))
        return aws_usage(a, w ? "watch needs --run CMD" : "--run is for jobs watch only");
    if ((o->count && !w) || (o->start && strcmp(a->sub, "next")))
        return aws_usage(a, "-C is for jobs watch, --start for jobs next");
    if (o->name || o->message || o->template_name || o->params.n || o->claim_cert ||
        o->claim_key || o->out || o->csr)
        return aws_usage(a, "that option is not a jobs option (see --help)");
    return TOOL_EXIT_OK;
}

int tool_jobs_main(int argc, char **argv)
{
    static const char *const subs[] = {"next", "update", "watch"};
    aws_t a;
    memset(&a, 0, sizeof a);
    a.family = "jobs";
    a.sub = "";
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        aws_help(a.family, argc < 2 ? stderr : stdout);
        return argc < 2 ? TOOL_EXIT_USAGE : TOOL_EXIT_OK;
    }
    size_t i = 0;
    while (i < 3 && strcmp(argv[1], subs[i]))
        i++;
    if (i == 3)
        return aws_usage(&a, "unknown jobs command '%s' (next, update, watch)", argv[1]);
    a.sub = subs[i];
    int rc = aws_parse(&a, argc - 1, argv + 1);
    if (!rc)
        rc = check(&a);
    if (!rc) {
        tool_set_quiet(a.cfg.quiet);
        rc = i == 0 ? next(&a) : i == 1 ? update(&a) : aws_jobs_watch(&a);
    }
    return aws_close(&a, rc);
}
