/* The Jobs service of `mqtls awslocal` (tools/awslocal/svc_jobs.c, svc_jobs_exec.c): jobs
 * queued with awl_jobs_create() as `awslocal job create` queues them, then driven through
 * awl_jobs_handle() as the broker plugin drives it, on a fixed clock, against a fresh state
 * directory per test. Each expected document is written out whole and compared as JSON; the
 * behaviour comes from the AWS IoT developer guide pages cited at each test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc_internal.h"
#include "test.h"

#define T0 10011LL /* the timestamp of jobs-comm-notifications.html's notify example */
#define JOBS "$aws/things/lamp/jobs"
#define DOC "{\"operation\":\"reboot\"}"

static char dir[64];
static long long now = T0;
static awl_replies_t R;

static long long fixed_clock(void) { return now; }

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/mqtls-awl-XXXXXX");
    if (!mkdtemp(dir))
        printf("  mkdtemp failed\n");
    now = T0;
    awl_svc_set_clock(fixed_clock);
}

static void teardown(void)
{
    char cmd[96];

    awl_replies_free(&R);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("  could not remove %s\n", dir);
}

static int create(const char *job)
{
    awl_replies_free(&R);
    return awl_jobs_create(dir, "lamp", job, DOC, &R);
}

/* Publishes @p payload on JOBS + @p op as the thing "lamp". */
static int req(const char *op, const char *payload)
{
    char topic[128];

    awl_replies_free(&R);
    snprintf(topic, sizeof topic, "%s%s", JOBS, op);
    return awl_jobs_handle(dir, "lamp", topic, payload, strlen(payload), &R);
}

static cJSON *reply(const char *suffix)
{
    char topic[160];

    snprintf(topic, sizeof topic, "%s%s", JOBS, suffix);
    for (int i = 0; i < R.n; i++) {
        if (strcmp(R.v[i].topic, topic) == 0)
            return cJSON_Parse(R.v[i].payload);
    }
    return NULL;
}

static bool has_reply(const char *suffix)
{
    cJSON *doc = reply(suffix);
    bool found = doc != NULL;

    cJSON_Delete(doc);
    return found;
}

/* The reply on JOBS + @p suffix equals the JSON @p want (member order aside). */
static void expect(const char *suffix, const char *want)
{
    cJSON *got = reply(suffix), *exp = cJSON_Parse(want);

    if (!CHECK(exp != NULL) || !CHECK(got != NULL)) {
        printf("  no reply on %s%s (or bad expectation)\n", JOBS, suffix);
    } else if (!CHECK(cJSON_Compare(got, exp, 1))) {
        char *g = cJSON_PrintUnformatted(got);
        printf("  on %s%s\n  got  %s\n  want %s\n", JOBS, suffix, g, want);
        free(g);
    }
    cJSON_Delete(got);
    cJSON_Delete(exp);
}

/* The rejection's code (the only reply), and the rest of it when @p want is not NULL. */
static void expect_code(const char *suffix, const char *code, const char *want_state)
{
    cJSON *got = reply(suffix);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(got, "code");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(got, "executionState");
    cJSON *exp = want_state ? cJSON_Parse(want_state) : NULL;

    CHECK_EQ_INT(R.n, 1);
    REQUIRE(got != NULL);
    CHECK_EQ_STR(cJSON_IsString(c) ? c->valuestring : NULL, code);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(got, "message")));
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(got, "timestamp")));
    if (want_state)
        CHECK(st && cJSON_Compare(st, exp, 1));
    else
        CHECK(st == NULL);
    cJSON_Delete(exp);
    cJSON_Delete(got);
}

/* jobs-comm-notifications.html: queuing a job publishes a ListNotification and, when it is
 * the first in the list, a NextNotification; the lists hold JobExecutionSummary. */
TEST(create_publishes_notify_and_notify_next)
{
    setup();
    CHECK_EQ_INT(create("this-job"), 0);
    CHECK_EQ_INT(R.n, 2);
    expect("/notify", "{\"timestamp\":10011,\"jobs\":{\"QUEUED\":[{\"jobId\":\"this-job\","
                      "\"queuedAt\":10011,\"lastUpdatedAt\":10011,\"versionNumber\":1,\"executionNumber\":1}]}}");
    expect("/notify-next", "{\"timestamp\":10011,\"execution\":{\"jobId\":\"this-job\",\"thingName\":\"lamp\","
                           "\"jobDocument\":" DOC ",\"status\":\"QUEUED\",\"queuedAt\":10011,"
                           "\"lastUpdatedAt\":10011,\"versionNumber\":1,\"executionNumber\":1}}");
    now++;
    CHECK_EQ_INT(create("later-job"), 0);
    CHECK(has_reply("/notify"));
    CHECK(!has_reply("/notify-next")); /* this-job is still the first */
    CHECK_EQ_INT(create("later-job"), -1);
    awl_replies_free(&R);
    CHECK_EQ_INT(awl_jobs_create(dir, "lamp", "bad.id", DOC, &R), -1);
    CHECK_EQ_INT(awl_jobs_create(dir, "lamp", "x", "[1]", &R), -1);
    CHECK_EQ_INT(R.n, 0);
    teardown();
}

/* jobs-mqtt-api.html, GetPendingJobExecutions: inProgressJobs and queuedJobs, clientToken
 * echoed. */
TEST(get_pending_lists_both_kinds)
{
    setup();
    create("a");
    now++;
    create("b");
    req("/get", "{\"clientToken\":\"client-001\"}");
    expect("/get/accepted", "{\"inProgressJobs\":[],\"queuedJobs\":["
           "{\"jobId\":\"a\",\"queuedAt\":10011,\"lastUpdatedAt\":10011,\"versionNumber\":1,\"executionNumber\":1},"
           "{\"jobId\":\"b\",\"queuedAt\":10012,\"lastUpdatedAt\":10012,\"versionNumber\":1,\"executionNumber\":1}],"
           "\"timestamp\":10012,\"clientToken\":\"client-001\"}");
    teardown();
}

/* StartNextPendingJobExecution starts the first queued execution (IN_PROGRESS, startedAt,
 * one more version) and answers with it; the list changed (ListNotification: "changes to a
 * non-terminal status"), the first did not. With nothing pending the answer has no
 * execution. */
TEST(start_next_starts_the_first)
{
    setup();
    create("a");
    now++;
    create("b");
    now = T0 + 5;
    req("/start-next", "{\"statusDetails\":{\"step\":\"download\"},\"clientToken\":\"s1\"}");
    CHECK_EQ_INT(R.n, 2);
    expect("/start-next/accepted", "{\"execution\":{\"jobId\":\"a\",\"thingName\":\"lamp\",\"jobDocument\":" DOC ","
           "\"status\":\"IN_PROGRESS\",\"statusDetails\":{\"step\":\"download\"},\"queuedAt\":10011,"
           "\"startedAt\":10016,\"lastUpdatedAt\":10016,\"versionNumber\":2,\"executionNumber\":1},"
           "\"timestamp\":10016,\"clientToken\":\"s1\"}");
    expect("/notify", "{\"timestamp\":10016,\"jobs\":{\"IN_PROGRESS\":[{\"jobId\":\"a\",\"queuedAt\":10011,"
           "\"startedAt\":10016,\"lastUpdatedAt\":10016,\"versionNumber\":2,\"executionNumber\":1}],"
           "\"QUEUED\":[{\"jobId\":\"b\",\"queuedAt\":10012,\"lastUpdatedAt\":10012,\"versionNumber\":1,"
           "\"executionNumber\":1}]}}");
    req("/a/update", "{\"status\":\"SUCCEEDED\"}");
    req("/b/update", "{\"status\":\"REJECTED\"}");
    req("/start-next", "");
    CHECK_EQ_INT(R.n, 1);
    expect("/start-next/accepted", "{\"timestamp\":10016}");
    teardown();
}

/* jobs-api.md, NextJobExecutionChanged: "Consider job executions J1 and J2 with state QUEUED.
 * J1 is next ... If the state of J2 is changed to IN_PROGRESS while the state of J1 remains
 * unchanged, then this notification is sent and contains details of J2." */
TEST(next_changes_when_a_later_job_starts)
{
    cJSON *next;
    const cJSON *id;

    setup();
    create("J1");
    now++;
    create("J2");
    req("/J2/update", "{\"status\":\"IN_PROGRESS\"}");
    CHECK_EQ_INT(R.n, 3);
    next = reply("/notify-next");
    id = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(next, "execution"), "jobId");
    CHECK_EQ_STR(cJSON_IsString(id) ? id->valuestring : NULL, "J2");
    cJSON_Delete(next);
    teardown();
}

/* UpdateJobExecution to a terminal status: executionState and the job document when asked
 * for; the execution leaves the pending list (notify) and the next one changes
 * (notify-next, here to nothing pending). statusDetails given once stay ("If not specified,
 * the statusDetails are unchanged"). */
TEST(update_to_succeeded)
{
    setup();
    create("a");
    req("/a/update", "{\"status\":\"IN_PROGRESS\",\"statusDetails\":{\"progress\":\"50%\"}}");
    expect("/a/update/accepted", "{\"timestamp\":10011}");
    now++;
    req("/a/update", "{\"status\":\"SUCCEEDED\",\"expectedVersion\":2,\"includeJobExecutionState\":true,"
                     "\"includeJobDocument\":true,\"clientToken\":\"u2\"}");
    CHECK_EQ_INT(R.n, 3);
    expect("/a/update/accepted", "{\"executionState\":{\"status\":\"SUCCEEDED\",\"statusDetails\":"
           "{\"progress\":\"50%\"},\"versionNumber\":3},\"jobDocument\":" DOC ",\"timestamp\":10012,"
           "\"clientToken\":\"u2\"}");
    expect("/notify", "{\"timestamp\":10012,\"jobs\":{}}");
    expect("/notify-next", "{\"timestamp\":10012}");
    teardown();
}

/* jobs-api.md, ErrorResponse: VersionMismatch and InvalidStateTransition carry the
 * executionState; a describe of an ended execution is TerminalStateReached. */
TEST(rejections_with_execution_state)
{
    setup();
    create("a");
    req("/a/update", "{\"status\":\"IN_PROGRESS\",\"expectedVersion\":7}");
    expect_code("/a/update/rejected", "VersionMismatch", "{\"status\":\"QUEUED\",\"versionNumber\":1}");
    req("/a/update", "{\"status\":\"FAILED\",\"statusDetails\":{\"why\":\"disk\"}}");
    req("/a/update", "{\"status\":\"IN_PROGRESS\"}");
    expect_code("/a/update/rejected", "InvalidStateTransition",
                "{\"status\":\"FAILED\",\"statusDetails\":{\"why\":\"disk\"},\"versionNumber\":2}");
    req("/a/get", "");
    expect_code("/a/get/rejected", "TerminalStateReached", NULL);
    teardown();
}

/* Requests that are not valid: InvalidJson, InvalidRequest (a status a device may not set,
 * statusDetails that are not strings), ResourceNotFound (unknown job, other execution
 * number). None changes the execution. */
TEST(invalid_requests)
{
    setup();
    create("a");
    req("/a/update", "{\"status\":");
    expect_code("/a/update/rejected", "InvalidJson", NULL);
    req("/a/update", "{\"status\":\"QUEUED\"}");
    expect_code("/a/update/rejected", "InvalidRequest", NULL);
    req("/a/update", "{}");
    expect_code("/a/update/rejected", "InvalidRequest", NULL);
    req("/a/update", "{\"status\":\"IN_PROGRESS\",\"statusDetails\":{\"n\":1}}");
    expect_code("/a/update/rejected", "InvalidRequest", NULL);
    req("/nope/update", "{\"status\":\"IN_PROGRESS\"}");
    expect_code("/nope/update/rejected", "ResourceNotFound", NULL);
    req("/a/get", "{\"executionNumber\":2}");
    expect_code("/a/get/rejected", "ResourceNotFound", NULL);
    req("/a/get", "{\"includeJobDocument\":false}");
    expect("/a/get/accepted", "{\"execution\":{\"jobId\":\"a\",\"thingName\":\"lamp\",\"status\":\"QUEUED\","
           "\"queuedAt\":10011,\"lastUpdatedAt\":10011,\"versionNumber\":1,\"executionNumber\":1},"
           "\"timestamp\":10011}");
    teardown();
}

/* DescribeJobExecution with $next: "any job executions with status IN_PROGRESS are returned
 * first"; the job document is included unless includeJobDocument is false. */
TEST(describe_next_prefers_in_progress)
{
    cJSON *got;
    const cJSON *ex;

    setup();
    create("old");
    now++;
    create("new");
    req("/new/update", "{\"status\":\"IN_PROGRESS\"}");
    req("/$next/get", "{\"clientToken\":\"d\"}");
    got = reply("/$next/get/accepted");
    ex = cJSON_GetObjectItemCaseSensitive(got, "execution");
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ex, "jobId")), "new");
    CHECK(cJSON_GetObjectItemCaseSensitive(ex, "jobDocument") != NULL);
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(got, "clientToken")), "d");
    cJSON_Delete(got);
    teardown();
}

/* The executions are files: another reader (a new process) sees the same state, and
 * awl_jobs_notify() gives the plugin both messages for what `job create` wrote. */
TEST(notify_of_what_is_stored)
{
    setup();
    CHECK_EQ_INT(awl_jobs_create(dir, "lamp", "a", DOC, NULL), 0);
    awl_replies_free(&R);
    CHECK_EQ_INT(awl_jobs_notify(dir, "lamp", &R), 0);
    CHECK_EQ_INT(R.n, 2);
    CHECK(has_reply("/notify"));
    CHECK(has_reply("/notify-next"));
    teardown();
}

/* Only the caller's own request topics are the service's. */
TEST(topics_that_are_not_requests_are_not_answered)
{
    static const char *const topics[] = {
        JOBS "/notify", JOBS "/notify-next", JOBS "/get/accepted", JOBS "/a/update/accepted",
        JOBS "/a/b/update", JOBS "/a.b/get", "$aws/things/other/jobs/get", "$aws/things/lamp/shadow/get",
        JOBS "/$next/update",
    };

    setup();
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        test_note("%s", topics[i]);
        awl_replies_free(&R);
        CHECK_EQ_INT(awl_jobs_handle(dir, "lamp", topics[i], "{}", 2, &R), -1);
        CHECK_EQ_INT(R.n, 0);
    }
    teardown();
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(create_publishes_notify_and_notify_next);
    RUN(get_pending_lists_both_kinds);
    RUN(start_next_starts_the_first);
    RUN(next_changes_when_a_later_job_starts);
    RUN(update_to_succeeded);
    RUN(rejections_with_execution_state);
    RUN(invalid_requests);
    RUN(describe_next_prefers_in_progress);
    RUN(notify_of_what_is_stored);
    RUN(topics_that_are_not_requests_are_not_answered);
    return test_main_end();
}
