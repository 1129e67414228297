/**
 * @file test_topics.c
 * @brief The AWS IoT topic builder and matcher (src/aws/topics.c, topic_match.c) and the
 *        name rules (src/aws/names.c), against the topics the developer guide lists:
 *        reserved-topics.html, device-shadow-mqtt.html, jobs-mqtt-api.html,
 *        fleet-provision-api.html (https://docs.aws.amazon.com/iot/latest/developerguide/).
 */
#include <string.h>

#include "mqtls/aws.h"
#include "test.h"

/* Every topic of the services as the guide spells it, with what it is. */
static const struct {
    const char *topic;
    mqtls_aws_op_t op;
    mqtls_aws_suffix_t suffix;
    const char *thing, *name, *job_id;
} topics[] = {
    {"$aws/things/myThing/shadow/get", MQTLS_AWS_SHADOW_GET, MQTLS_AWS_REQUEST, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/get/accepted", MQTLS_AWS_SHADOW_GET, MQTLS_AWS_ACCEPTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/get/rejected", MQTLS_AWS_SHADOW_GET, MQTLS_AWS_REJECTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/update", MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_REQUEST, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/update/accepted", MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_ACCEPTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/update/rejected", MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_REJECTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/update/delta", MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DELTA, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/update/documents", MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DOCUMENTS, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/delete", MQTLS_AWS_SHADOW_DELETE, MQTLS_AWS_REQUEST, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/delete/accepted", MQTLS_AWS_SHADOW_DELETE, MQTLS_AWS_ACCEPTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/delete/rejected", MQTLS_AWS_SHADOW_DELETE, MQTLS_AWS_REJECTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/shadow/name/myShadow/get", MQTLS_AWS_SHADOW_GET, MQTLS_AWS_REQUEST, "myThing", "myShadow", NULL},
    {"$aws/things/myThing/shadow/name/myShadow/update/delta", MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DELTA, "myThing", "myShadow", NULL},
    {"$aws/things/myThing/shadow/name/myShadow/update/documents", MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DOCUMENTS, "myThing", "myShadow", NULL},
    {"$aws/things/myThing/shadow/name/myShadow/delete/rejected", MQTLS_AWS_SHADOW_DELETE, MQTLS_AWS_REJECTED, "myThing", "myShadow", NULL},
    {"$aws/things/myThing/jobs/notify", MQTLS_AWS_JOBS_NOTIFY, MQTLS_AWS_REQUEST, "myThing", NULL, NULL},
    {"$aws/things/myThing/jobs/notify-next", MQTLS_AWS_JOBS_NOTIFY_NEXT, MQTLS_AWS_REQUEST, "myThing", NULL, NULL},
    {"$aws/things/myThing/jobs/get", MQTLS_AWS_JOBS_GET_PENDING, MQTLS_AWS_REQUEST, "myThing", NULL, NULL},
    {"$aws/things/myThing/jobs/get/accepted", MQTLS_AWS_JOBS_GET_PENDING, MQTLS_AWS_ACCEPTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/jobs/get/rejected", MQTLS_AWS_JOBS_GET_PENDING, MQTLS_AWS_REJECTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/jobs/start-next", MQTLS_AWS_JOBS_START_NEXT, MQTLS_AWS_REQUEST, "myThing", NULL, NULL},
    {"$aws/things/myThing/jobs/start-next/accepted", MQTLS_AWS_JOBS_START_NEXT, MQTLS_AWS_ACCEPTED, "myThing", NULL, NULL},
    {"$aws/things/myThing/jobs/job-1/get", MQTLS_AWS_JOBS_DESCRIBE, MQTLS_AWS_REQUEST, "myThing", NULL, "job-1"},
    {"$aws/things/myThing/jobs/$next/get/accepted", MQTLS_AWS_JOBS_DESCRIBE, MQTLS_AWS_ACCEPTED, "myThing", NULL, "$next"},
    {"$aws/things/myThing/jobs/job-1/update", MQTLS_AWS_JOBS_UPDATE, MQTLS_AWS_REQUEST, "myThing", NULL, "job-1"},
    {"$aws/things/myThing/jobs/job-1/update/rejected", MQTLS_AWS_JOBS_UPDATE, MQTLS_AWS_REJECTED, "myThing", NULL, "job-1"},
    /* Job ids that are also the words of other operations: the shape decides. */
    {"$aws/things/myThing/jobs/get/update", MQTLS_AWS_JOBS_UPDATE, MQTLS_AWS_REQUEST, "myThing", NULL, "get"},
    {"$aws/things/myThing/jobs/notify/get/accepted", MQTLS_AWS_JOBS_DESCRIBE, MQTLS_AWS_ACCEPTED, "myThing", NULL, "notify"},
    {"$aws/things/myThing/jobs/start-next/update", MQTLS_AWS_JOBS_UPDATE, MQTLS_AWS_REQUEST, "myThing", NULL, "start-next"},
    {"$aws/certificates/create/json", MQTLS_AWS_PROV_CREATE_KEYS, MQTLS_AWS_REQUEST, NULL, NULL, NULL},
    {"$aws/certificates/create/json/accepted", MQTLS_AWS_PROV_CREATE_KEYS, MQTLS_AWS_ACCEPTED, NULL, NULL, NULL},
    {"$aws/certificates/create/json/rejected", MQTLS_AWS_PROV_CREATE_KEYS, MQTLS_AWS_REJECTED, NULL, NULL, NULL},
    {"$aws/certificates/create-from-csr/json", MQTLS_AWS_PROV_CREATE_FROM_CSR, MQTLS_AWS_REQUEST, NULL, NULL, NULL},
    {"$aws/certificates/create-from-csr/json/accepted", MQTLS_AWS_PROV_CREATE_FROM_CSR, MQTLS_AWS_ACCEPTED, NULL, NULL, NULL},
    {"$aws/provisioning-templates/FleetTemplate/provision/json", MQTLS_AWS_PROV_REGISTER_THING, MQTLS_AWS_REQUEST, NULL, "FleetTemplate", NULL},
    {"$aws/provisioning-templates/FleetTemplate/provision/json/rejected", MQTLS_AWS_PROV_REGISTER_THING, MQTLS_AWS_REJECTED, NULL, "FleetTemplate", NULL},
};
#define N_TOPICS (sizeof topics / sizeof topics[0])

static int span_is(const char *s, size_t n, const char *want)
{
    if (!want)
        return s == NULL && n == 0;
    return s != NULL && n == strlen(want) && memcmp(s, want, n) == 0;
}

static size_t slen(const char *s)
{
    return s ? strlen(s) : 0;
}

TEST(builds_every_documented_topic)
{
    for (size_t i = 0; i < N_TOPICS; i++) {
        mqtls_aws_topic_t t = {topics[i].op, topics[i].suffix, topics[i].thing,
                               slen(topics[i].thing), topics[i].name, slen(topics[i].name),
                               topics[i].job_id, slen(topics[i].job_id)};
        char buf[MQTLS_AWS_TOPIC_MAX + 1];
        size_t len = 0;
        CHECK_STATUS(mqtls_aws_topic_build(&t, buf, sizeof buf, &len), MQTLS_OK);
        CHECK_EQ_STR(buf, topics[i].topic);
        CHECK_EQ_INT(len, strlen(topics[i].topic));
    }
}

TEST(matches_every_documented_topic)
{
    for (size_t i = 0; i < N_TOPICS; i++) {
        mqtls_aws_topic_t t;
        const char *s = topics[i].topic;
        if (!CHECK_STATUS(mqtls_aws_topic_match(s, strlen(s), &t), MQTLS_OK)) {
            test_note("topic %s", s);
            continue;
        }
        CHECK_EQ_INT(t.op, topics[i].op);
        CHECK_EQ_INT(t.suffix, topics[i].suffix);
        CHECK(span_is(t.thing, t.thing_len, topics[i].thing));
        CHECK(span_is(t.name, t.name_len, topics[i].name));
        CHECK(span_is(t.job_id, t.job_id_len, topics[i].job_id));
    }
}

TEST(typed_builders)
{
    char buf[MQTLS_AWS_TOPIC_MAX + 1];
    size_t len;
    CHECK_STATUS(mqtls_aws_shadow_topic("lamp", "cfg", MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DELTA,
                                        buf, sizeof buf, &len), MQTLS_OK);
    CHECK_EQ_STR(buf, "$aws/things/lamp/shadow/name/cfg/update/delta");
    CHECK_STATUS(mqtls_aws_jobs_topic("lamp", NULL, MQTLS_AWS_JOBS_NOTIFY_NEXT, MQTLS_AWS_REQUEST,
                                      buf, sizeof buf, NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, "$aws/things/lamp/jobs/notify-next");
    CHECK_STATUS(mqtls_aws_provisioning_topic(NULL, MQTLS_AWS_PROV_CREATE_KEYS, MQTLS_AWS_ACCEPTED,
                                              buf, sizeof buf, NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, "$aws/certificates/create/json/accepted");
    /* An op of another service is refused by each typed builder. */
    CHECK_STATUS(mqtls_aws_shadow_topic("lamp", NULL, MQTLS_AWS_JOBS_GET_PENDING,
                                        MQTLS_AWS_REQUEST, buf, sizeof buf, NULL),
                 MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_jobs_topic("lamp", NULL, MQTLS_AWS_SHADOW_GET, MQTLS_AWS_REQUEST, buf,
                                      sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_provisioning_topic("t", MQTLS_AWS_SHADOW_GET, MQTLS_AWS_REQUEST, buf,
                                              sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
}

TEST(builder_refuses_wrong_shapes)
{
    char buf[MQTLS_AWS_TOPIC_MAX + 1];
    /* delta/documents belong to shadow update alone; notify has no answers. */
    CHECK_STATUS(mqtls_aws_shadow_topic("t", NULL, MQTLS_AWS_SHADOW_GET, MQTLS_AWS_DELTA, buf,
                                        sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_jobs_topic("t", NULL, MQTLS_AWS_JOBS_NOTIFY, MQTLS_AWS_ACCEPTED, buf,
                                      sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_jobs_topic("t", NULL, MQTLS_AWS_JOBS_GET_PENDING, MQTLS_AWS_DOCUMENTS,
                                      buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    /* Names missing where needed, or given where none belongs. */
    CHECK_STATUS(mqtls_aws_shadow_topic(NULL, NULL, MQTLS_AWS_SHADOW_GET, MQTLS_AWS_REQUEST, buf,
                                        sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_jobs_topic("t", NULL, MQTLS_AWS_JOBS_UPDATE, MQTLS_AWS_REQUEST, buf,
                                      sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_jobs_topic("t", "j", MQTLS_AWS_JOBS_START_NEXT, MQTLS_AWS_REQUEST, buf,
                                      sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_provisioning_topic(NULL, MQTLS_AWS_PROV_REGISTER_THING,
                                              MQTLS_AWS_REQUEST, buf, sizeof buf, NULL),
                 MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_provisioning_topic("t", MQTLS_AWS_PROV_CREATE_KEYS, MQTLS_AWS_REQUEST,
                                              buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    mqtls_aws_topic_t bad = {MQTLS_AWS_OP_NONE, MQTLS_AWS_REQUEST, "t", 1, NULL, 0, NULL, 0};
    CHECK_STATUS(mqtls_aws_topic_build(&bad, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    bad.op = (mqtls_aws_op_t)99;
    CHECK_STATUS(mqtls_aws_topic_build(&bad, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    bad.op = MQTLS_AWS_SHADOW_GET;
    bad.suffix = (mqtls_aws_suffix_t)9;
    CHECK_STATUS(mqtls_aws_topic_build(&bad, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_topic_build(NULL, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    /* `$next` names a job for DescribeJobExecution only. */
    CHECK_STATUS(mqtls_aws_jobs_topic("t", "$next", MQTLS_AWS_JOBS_UPDATE, MQTLS_AWS_REQUEST, buf,
                                      sizeof buf, NULL), MQTLS_ERR_AWS_NAME);
    CHECK_STATUS(mqtls_aws_shadow_topic("a/b", NULL, MQTLS_AWS_SHADOW_GET, MQTLS_AWS_REQUEST, buf,
                                        sizeof buf, NULL), MQTLS_ERR_AWS_NAME);
}

/* The longest topic fits MQTLS_AWS_TOPIC_MAX + 1 exactly; one byte less is an error, with
 * nothing that looks like a topic left behind. */
TEST(longest_topic_and_too_small_buffers)
{
    char thing[MQTLS_AWS_THING_NAME_MAX + 1], shadow[MQTLS_AWS_SHADOW_NAME_MAX + 1];
    memset(thing, 'T', sizeof thing - 1);
    thing[sizeof thing - 1] = '\0';
    memset(shadow, 's', sizeof shadow - 1);
    shadow[sizeof shadow - 1] = '\0';
    char buf[MQTLS_AWS_TOPIC_MAX + 2];
    size_t len = 0;
    CHECK_STATUS(mqtls_aws_shadow_topic(thing, shadow, MQTLS_AWS_SHADOW_UPDATE,
                                        MQTLS_AWS_DOCUMENTS, buf, MQTLS_AWS_TOPIC_MAX + 1, &len),
                 MQTLS_OK);
    CHECK_EQ_INT(len, MQTLS_AWS_TOPIC_MAX);
    for (size_t size = 0; size <= MQTLS_AWS_TOPIC_MAX; size++) {
        memset(buf, 'x', sizeof buf);
        if (!CHECK_STATUS(mqtls_aws_shadow_topic(thing, shadow, MQTLS_AWS_SHADOW_UPDATE,
                                                 MQTLS_AWS_DOCUMENTS, buf, size, &len),
                          MQTLS_ERR_NO_SPACE))
            break;
        CHECK(size == 0 ? buf[0] == 'x' : buf[0] == '\0');
        CHECK_EQ_INT(buf[size], 'x'); /* nothing written past the buffer */
    }
}

static const struct {
    mqtls_aws_name_kind_t kind;
    const char *name;
    mqtls_status_t want;
} names[] = {
    {MQTLS_AWS_THING_NAME, "my-Thing_01:a", MQTLS_OK},
    {MQTLS_AWS_THING_NAME, "", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_THING_NAME, "a b", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_THING_NAME, "a.b", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_THING_NAME, "a$b", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_THING_NAME, "a+", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_THING_NAME, "#", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_SHADOW_NAME, "$cfg:1_-x", MQTLS_OK},
    {MQTLS_AWS_SHADOW_NAME, "a/b", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_JOB_ID, "job_1-A", MQTLS_OK},
    {MQTLS_AWS_JOB_ID, "$next", MQTLS_OK},
    {MQTLS_AWS_JOB_ID, "$nex", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_JOB_ID, "a:b", MQTLS_ERR_AWS_NAME},
    {MQTLS_AWS_TEMPLATE_NAME, "Fleet_Template-1", MQTLS_OK},
    {MQTLS_AWS_TEMPLATE_NAME, "a:b", MQTLS_ERR_AWS_NAME},
};

TEST(name_rules)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        mqtls_status_t st = mqtls_aws_name_check(names[i].kind, names[i].name,
                                                 strlen(names[i].name));
        if (!CHECK_STATUS(st, names[i].want))
            test_note("name '%s' of kind %d", names[i].name, (int)names[i].kind);
    }
    CHECK_STATUS(mqtls_aws_name_check(MQTLS_AWS_THING_NAME, NULL, 0), MQTLS_ERR_AWS_NAME);
    CHECK_STATUS(mqtls_aws_name_check((mqtls_aws_name_kind_t)9, "a", 1), MQTLS_ERR_AWS_NAME);
    CHECK_STATUS(mqtls_aws_name_check(MQTLS_AWS_THING_NAME, "ab\0c", 4), MQTLS_ERR_AWS_NAME);
}

/* Each kind's documented maximum is allowed and one more is not. */
TEST(name_lengths)
{
    static const struct {
        mqtls_aws_name_kind_t kind;
        size_t max;
    } lim[] = {{MQTLS_AWS_THING_NAME, 128}, {MQTLS_AWS_SHADOW_NAME, 64},
               {MQTLS_AWS_JOB_ID, 64}, {MQTLS_AWS_TEMPLATE_NAME, 36}};
    char s[200];
    memset(s, 'a', sizeof s);
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        CHECK_STATUS(mqtls_aws_name_check(lim[i].kind, s, lim[i].max), MQTLS_OK);
        CHECK_STATUS(mqtls_aws_name_check(lim[i].kind, s, lim[i].max + 1), MQTLS_ERR_AWS_NAME);
    }
}

static const char *const not_services[] = {
    "", "$aws", "$aws/things", "$aws/things/t", "$aws/things/t/shadow",
    "$aws/things/t/shadow/list", "$aws/things/t/shadow/get/delta",
    "$aws/things/t/shadow/get/accepted/x", "$aws/things/t/shadow/name/s",
    "$aws/things/t/shadow/name/s/update/accepted/x", "$aws/things/t/jobs",
    "$aws/things/t/jobs/notify/accepted", "$aws/things/t/jobs/j/start", "$aws/things/t/jobs/j/get/delta",
    "$aws/things/t/jobs/j/k/get", "$aws/things/t/streams/s/get", "things/t/shadow/get",
    "$AWS/things/t/shadow/get", "$aws/things/t/shadow/get/", "$aws/certificates/create",
    "$aws/certificates/create/cbor", "$aws/certificates/delete/json",
    "$aws/provisioning-templates/T/provision", "$aws/provisioning-templates/T/provision/json/x",
    "$aws/events/presence/connected/t", "a/b/c/d/e/f/g/h/i",
};

TEST(matcher_refuses_other_topics)
{
    for (size_t i = 0; i < sizeof not_services / sizeof not_services[0]; i++) {
        mqtls_aws_topic_t t;
        memset(&t, 0x55, sizeof t);
        const char *s = not_services[i];
        if (!CHECK_STATUS(mqtls_aws_topic_match(s, strlen(s), &t), MQTLS_ERR_AWS_TOPIC))
            test_note("topic '%s'", s);
        CHECK(t.op == MQTLS_AWS_OP_NONE && t.thing == NULL);
    }
}

TEST(matcher_checks_names_and_lengths)
{
    mqtls_aws_topic_t t;
    const char *s = "$aws/things/a.b/shadow/get";
    CHECK_STATUS(mqtls_aws_topic_match(s, strlen(s), &t), MQTLS_ERR_AWS_NAME);
    s = "$aws/things//shadow/get";
    CHECK_STATUS(mqtls_aws_topic_match(s, strlen(s), &t), MQTLS_ERR_AWS_NAME);
    s = "$aws/things/t/jobs/$next/update";
    CHECK_STATUS(mqtls_aws_topic_match(s, strlen(s), &t), MQTLS_ERR_AWS_NAME);
    s = "$aws/provisioning-templates/a:b/provision/json";
    CHECK_STATUS(mqtls_aws_topic_match(s, strlen(s), &t), MQTLS_ERR_AWS_NAME);
    /* The length counts, not a NUL: a prefix of a topic is matched as itself. */
    s = "$aws/things/t/shadow/update/accepted";
    CHECK_STATUS(mqtls_aws_topic_match(s, strlen(s) - 9, &t), MQTLS_OK);
    CHECK_EQ_INT(t.suffix, MQTLS_AWS_REQUEST);
    CHECK_STATUS(mqtls_aws_topic_match(NULL, 0, &t), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_topic_match(s, strlen(s), NULL), MQTLS_ERR_BAD_PARAM);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(builds_every_documented_topic);
    RUN(matches_every_documented_topic);
    RUN(typed_builders);
    RUN(builder_refuses_wrong_shapes);
    RUN(longest_topic_and_too_small_buffers);
    RUN(name_rules);
    RUN(name_lengths);
    RUN(matcher_refuses_other_topics);
    RUN(matcher_checks_names_and_lengths);
    return test_main_end();
}
