/**
 * @file aws_jobs_watch.c
 * @brief `mqtls jobs watch --run CMD`: the device workflow of
 *        https://docs.aws.amazon.com/iot/latest/developerguide/jobs-workflow-device-online.html
 *        — subscribe to notify-next, StartNextPendingJobExecution, run the job, report it
 *        with UpdateJobExecution, start the next — with CMD as the job handler, the way the
 *        AWS IoT Device Client's Jobs feature runs a handler as a child process and reports
 *        the execution SUCCEEDED or FAILED by its outcome (awslabs/aws-iot-device-client,
 *        source/jobs/README.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "aws/aws_jobs_internal.h"



/* StartNextPendingJobExecution: @p *got is whether an execution came; its id and
 * document go to @p id and @p doc. */
static int start_next(aws_t *a, char t[][MQTLS_AWS_TOPIC_MAX + 1], bool *got, char *id,
                      tool_buf_t *doc)
{
    char token[64], req[128];
    size_t len = 0;
    aws_msg_t m;
    aws_token(a, token, sizeof token);
    mqtls_aws_token_doc(token, req, sizeof req, &len);
    int rc = aws_publish(a, t[2], req, len);
    if (!rc)
        rc = aws_await(a, t[0], t[1], token, &m);
    if (rc)
        return rc;
    mqtls_aws_json_value_t jd;
    *got = mqtls_aws_json_get_string(m.body.p, m.body.len, "execution.jobId", id,
                                     MQTLS_AWS_JOB_ID_MAX + 1, NULL) == MQTLS_OK;
    if (*got && mqtls_aws_json_find(m.body.p, m.body.len, "execution.jobDocument", &jd) ==
                    MQTLS_OK)
        tool_buf_add(doc, jd.raw, jd.len);
    tool_buf_addc(doc, '\0');
    doc->len--;
    aws_msg_free(&m);
    return TOOL_EXIT_OK;
}

/* Reports the outcome of @p id: SUCCEEDED on exit 0, else FAILED with the exit status
 * (or the signal) in statusDetails. */
static int report(aws_t *a, const char *id, int status)
{
    char t[3][MQTLS_AWS_TOPIC_MAX + 1], token[64], doc[1024], num[16];
    mqtls_aws_kv_t kv[1];
    mqtls_aws_job_update_t u;
    memset(&u, 0, sizeof u);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    u.status = ok ? MQTLS_AWS_JOB_SUCCEEDED : MQTLS_AWS_JOB_FAILED;
    if (!ok) {
        bool sig = WIFSIGNALED(status);
        snprintf(num, sizeof num, "%d", sig ? WTERMSIG(status) : WEXITSTATUS(status));
        kv[0].key = sig ? "signal" : "exitCode";
        kv[0].value = num;
        u.details = kv;
        u.n_details = 1;
    }
    aws_token(a, token, sizeof token);
    u.client_token = token;
    size_t len = 0;
    mqtls_aws_job_update_doc(&u, doc, sizeof doc, &len);
    aws_msg_t m;
    int rc = aws_jobs_topics(a, id, MQTLS_AWS_JOBS_UPDATE, t);
    if (!rc)
        rc = aws_jobs_call(a, t, doc, len, token, &m);
    if (rc)
        return rc;
    printf("%s %s\n", id, ok ? "SUCCEEDED" : "FAILED");
    fflush(stdout);
    aws_msg_free(&m);
    return TOOL_EXIT_OK;
}

/* Runs --run for job @p id and waits for it, servicing the connection meanwhile (keep-alive
 * pings; answers queue up). Its status, as waitpid() gives it, goes to @p *status. */
static int run_job(aws_t *a, const char *id, const tool_buf_t *doc, int *status)
{
    pid_t pid;
    int err = aws_job_start(a->o.run, id, doc->p, doc->len, &pid);
    if (err) {
        tool_err("cannot run --run '%s': %s", a->o.run, strerror(err));
        *status = 127 << 8; /* as the shell reports a command it could not run */
        return TOOL_EXIT_OK;
    }
    int rc = TOOL_EXIT_OK;
    for (;;) {
        pid_t r = waitpid(pid, status, rc ? 0 : WNOHANG);
        if (r == pid)
            return rc;
        if (r < 0 && errno != EINTR) {
            tool_err("cannot wait for --run: %s", strerror(errno));
            return TOOL_EXIT_ERROR;
        }
        if (!rc)
            rc = aws_poll(a, 100); /* lost or Ctrl-C: wait for the command, then stop */
    }
}

/* Runs the jobs that are pending now, one after the other; @p *done counts them. */
static int run_pending(aws_t *a, char t[][MQTLS_AWS_TOPIC_MAX + 1], uint32_t *done)
{
    for (;;) {
        char id[MQTLS_AWS_JOB_ID_MAX + 1];
        tool_buf_t doc = {0};
        bool got = false;
        int rc = start_next(a, t, &got, id, &doc);
        int status = 0;
        if (!rc && got)
            rc = run_job(a, id, &doc, &status);
        if (!rc && got)
            rc = report(a, id, status);
        tool_buf_free(&doc);
        if (rc || !got)
            return rc;
        if (a->o.count && ++*done >= a->o.count)
            return TOOL_EXIT_OK;
    }
}

int aws_jobs_watch(aws_t *a)
{
    char t[3][MQTLS_AWS_TOPIC_MAX + 1], nn[1][MQTLS_AWS_TOPIC_MAX + 1];
    uint32_t done = 0;
    int rc = aws_jobs_topics(a, NULL, MQTLS_AWS_JOBS_START_NEXT, t);
    if (!rc)
        rc = mqtls_aws_jobs_topic(a->o.thing, NULL, MQTLS_AWS_JOBS_NOTIFY_NEXT,
                                  MQTLS_AWS_REQUEST, nn[0], sizeof nn[0], NULL) == MQTLS_OK
                 ? TOOL_EXIT_OK : TOOL_EXIT_ERROR;
    if (!rc)
        rc = aws_open(a);
    if (!rc)
        rc = aws_subscribe(a, nn, 1);
    if (!rc)
        rc = aws_subscribe(a, t, 2);
    uint64_t end = a->o.timeout_s ? tool_now_ms() + a->o.timeout_s * 1000ull : 0;
    /* Whatever is pending first; then each notify-next that names an execution. */
    for (bool more = true; !rc && more;) {
        rc = run_pending(a, t, &done);
        if (rc || (a->o.count && done >= a->o.count))
            break;
        aws_msg_t m;
        for (more = false; !rc && !more;) {
            rc = aws_next(a, end, &m);
            if (rc)
                break;
            mqtls_aws_json_value_t v;
            more = !strcmp(m.topic, nn[0]) &&
                   mqtls_aws_json_find(m.body.p, m.body.len, "execution", &v) == MQTLS_OK;
            aws_msg_free(&m);
        }
    }
    return rc;
}
