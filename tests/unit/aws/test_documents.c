/**
 * @file test_documents.c
 * @brief The request documents (src/aws/documents.c) in the formats of the AWS IoT developer
 *        guide (https://docs.aws.amazon.com/iot/latest/developerguide/): the shadow "Request
 *        state document" (device-shadow-document.html), UpdateJobExecution and the
 *        client-token requests (jobs-mqtt-api.html), CreateCertificateFromCsr and
 *        RegisterThing (fleet-provision-api.html).
 */
#include <string.h>

#include "mqtls/aws.h"
#include "test.h"

TEST(shadow_update)
{
    char buf[160];
    size_t len = 0;
    mqtls_aws_shadow_update_t u = {0};
    u.reported = "{\"color\":\"GREEN\"}";
    u.reported_len = strlen(u.reported);
    u.client_token = "UniqueClientToken";
    REQUIRE_STATUS(mqtls_aws_shadow_update_doc(&u, buf, sizeof buf, &len), MQTLS_OK);
    CHECK_EQ_STR(buf, "{\"state\":{\"reported\":{\"color\":\"GREEN\"}},"
                      "\"clientToken\":\"UniqueClientToken\"}");
    CHECK_EQ_INT(len, strlen(buf));
    /* Both sections, null to clear one, and the version the update is made against. */
    u.desired = "null";
    u.desired_len = 4;
    u.client_token = NULL;
    u.has_version = true;
    u.version = 10;
    REQUIRE_STATUS(mqtls_aws_shadow_update_doc(&u, buf, sizeof buf, NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, "{\"state\":{\"desired\":null,\"reported\":{\"color\":\"GREEN\"}},"
                      "\"version\":10}");
    /* What it wrote reads back. */
    char color[8];
    CHECK_STATUS(mqtls_aws_json_get_string(buf, strlen(buf), "state.reported.color", color,
                                           sizeof color, NULL), MQTLS_OK);
    CHECK_EQ_STR(color, "GREEN");
}

TEST(shadow_update_refusals)
{
    char buf[64];
    mqtls_aws_shadow_update_t u = {0};
    CHECK_STATUS(mqtls_aws_shadow_update_doc(&u, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    u.desired = "[1]";
    u.desired_len = 3;
    CHECK_STATUS(mqtls_aws_shadow_update_doc(&u, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    u.desired = "{\"a\":";
    u.desired_len = 5;
    CHECK_STATUS(mqtls_aws_shadow_update_doc(&u, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    u.desired = "{\"a\":1}";
    u.desired_len = 7;
    CHECK_STATUS(mqtls_aws_shadow_update_doc(NULL, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(mqtls_aws_shadow_update_doc(&u, NULL, 0, NULL), MQTLS_ERR_BAD_PARAM);
    /* `{"state":{"desired":{"a":1}}}` is 29 bytes: 30 fit it, 29 do not. */
    CHECK_STATUS(mqtls_aws_shadow_update_doc(&u, buf, 30, NULL), MQTLS_OK);
    CHECK_STATUS(mqtls_aws_shadow_update_doc(&u, buf, 29, NULL), MQTLS_ERR_NO_SPACE);
}

TEST(job_update)
{
    char buf[200];
    const mqtls_aws_kv_t details[] = {{"progress", "100%"}, {"note", "said \"ok\""}};
    mqtls_aws_job_update_t u = {0};
    u.status = MQTLS_AWS_JOB_SUCCEEDED;
    u.details = details;
    u.n_details = 2;
    u.has_expected_version = true;
    u.expected_version = 2;
    u.has_execution_number = true;
    u.execution_number = 1;
    u.client_token = "client-001";
    REQUIRE_STATUS(mqtls_aws_job_update_doc(&u, buf, sizeof buf, NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, "{\"status\":\"SUCCEEDED\",\"statusDetails\":{\"progress\":\"100%\","
                      "\"note\":\"said \\\"ok\\\"\"},\"expectedVersion\":2,"
                      "\"executionNumber\":1,\"clientToken\":\"client-001\"}");
    static const struct {
        mqtls_aws_job_status_t s;
        const char *doc;
    } statuses[] = {{MQTLS_AWS_JOB_IN_PROGRESS, "{\"status\":\"IN_PROGRESS\"}"},
                    {MQTLS_AWS_JOB_FAILED, "{\"status\":\"FAILED\"}"},
                    {MQTLS_AWS_JOB_REJECTED, "{\"status\":\"REJECTED\"}"}};
    for (size_t i = 0; i < 3; i++) {
        mqtls_aws_job_update_t s = {0};
        s.status = statuses[i].s;
        CHECK_STATUS(mqtls_aws_job_update_doc(&s, buf, sizeof buf, NULL), MQTLS_OK);
        CHECK_EQ_STR(buf, statuses[i].doc);
    }
    u.status = (mqtls_aws_job_status_t)7;
    CHECK_STATUS(mqtls_aws_job_update_doc(&u, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    u.status = MQTLS_AWS_JOB_FAILED;
    u.details = NULL; /* n_details 2 with no list */
    CHECK_STATUS(mqtls_aws_job_update_doc(&u, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
    const mqtls_aws_kv_t no_value[] = {{"k", NULL}};
    u.details = no_value;
    u.n_details = 1;
    CHECK_STATUS(mqtls_aws_job_update_doc(&u, buf, sizeof buf, NULL), MQTLS_ERR_BAD_PARAM);
}

TEST(token_and_csr)
{
    char buf[96];
    CHECK_STATUS(mqtls_aws_token_doc(NULL, buf, sizeof buf, NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, "{}");
    CHECK_STATUS(mqtls_aws_token_doc("abc", buf, sizeof buf, NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, "{\"clientToken\":\"abc\"}");
    CHECK_STATUS(mqtls_aws_token_doc("abc", buf, 21, NULL), MQTLS_ERR_NO_SPACE);
    const char *csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
    CHECK_STATUS(mqtls_aws_csr_doc(csr, buf, sizeof buf, NULL), MQTLS_ERR_NO_SPACE);
    char big[160];
    CHECK_STATUS(mqtls_aws_csr_doc(csr, big, sizeof big, NULL), MQTLS_OK);
    CHECK_EQ_STR(big, "{\"certificateSigningRequest\":\"-----BEGIN CERTIFICATE REQUEST-----\\n"
                      "MIIB\\n-----END CERTIFICATE REQUEST-----\\n\"}");
    CHECK_STATUS(mqtls_aws_csr_doc(NULL, big, sizeof big, NULL), MQTLS_ERR_BAD_PARAM);
}

TEST(register_thing)
{
    char buf[160];
    const mqtls_aws_kv_t params[] = {{"ThingName", "sensor-1"}, {"SerialNumber", "123"}};
    CHECK_STATUS(mqtls_aws_register_thing_doc("eyJ0b2tlbiI6MX0=", params, 2, buf, sizeof buf,
                                              NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, "{\"certificateOwnershipToken\":\"eyJ0b2tlbiI6MX0=\","
                      "\"parameters\":{\"ThingName\":\"sensor-1\",\"SerialNumber\":\"123\"}}");
    CHECK_STATUS(mqtls_aws_register_thing_doc("t", NULL, 0, buf, sizeof buf, NULL), MQTLS_OK);
    CHECK_EQ_STR(buf, "{\"certificateOwnershipToken\":\"t\"}");
    CHECK_STATUS(mqtls_aws_register_thing_doc(NULL, params, 2, buf, sizeof buf, NULL),
                 MQTLS_ERR_BAD_PARAM);
}

/* The steps of the example in aws.h: a delta received, its color read, the new state
 * reported. */
TEST(delta_then_report)
{
    static const char delta_topic[] = "$aws/things/lamp/shadow/update/delta";
    static const char delta[] = "{\"version\":7,\"timestamp\":1591317490,"
                                "\"state\":{\"color\":\"red\"},"
                                "\"metadata\":{\"color\":{\"timestamp\":1591317490}}}";
    char topic[MQTLS_AWS_TOPIC_MAX + 1], state[64], doc[128], color[16];
    REQUIRE_STATUS(mqtls_aws_shadow_topic("lamp", NULL, MQTLS_AWS_SHADOW_UPDATE,
                                          MQTLS_AWS_DELTA, topic, sizeof topic, NULL),
                   MQTLS_OK);
    CHECK_EQ_STR(topic, delta_topic);
    mqtls_aws_topic_t t;
    REQUIRE_STATUS(mqtls_aws_topic_match(delta_topic, strlen(delta_topic), &t), MQTLS_OK);
    CHECK(t.op == MQTLS_AWS_SHADOW_UPDATE && t.suffix == MQTLS_AWS_DELTA);
    REQUIRE_STATUS(mqtls_aws_json_get_string(delta, strlen(delta), "state.color", color,
                                             sizeof color, NULL), MQTLS_OK);
    mqtls_aws_jw_t w;
    mqtls_aws_shadow_update_t u = {0};
    mqtls_aws_jw_init(&w, state, sizeof state);
    mqtls_aws_jw_object(&w, NULL);
    mqtls_aws_jw_string(&w, "color", color);
    mqtls_aws_jw_end(&w);
    REQUIRE_STATUS(mqtls_aws_jw_finish(&w, &u.reported_len), MQTLS_OK);
    u.reported = state;
    size_t len = 0;
    REQUIRE_STATUS(mqtls_aws_shadow_update_doc(&u, doc, sizeof doc, &len), MQTLS_OK);
    CHECK_EQ_STR(doc, "{\"state\":{\"reported\":{\"color\":\"red\"}}}");
    CHECK_EQ_INT(len, strlen(doc));
    CHECK_STATUS(mqtls_aws_shadow_topic("lamp", NULL, MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_REQUEST,
                                        topic, sizeof topic, NULL), MQTLS_OK);
    CHECK_EQ_STR(topic, "$aws/things/lamp/shadow/update");
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(shadow_update);
    RUN(shadow_update_refusals);
    RUN(job_update);
    RUN(token_and_csr);
    RUN(register_thing);
    RUN(delta_then_report);
    return test_main_end();
}
