/**
 * @file documents.c
 * @brief The request documents a device sends to the services, on the JSON writer.
 *
 * Field names and shapes:
 *  - shadow update: device-shadow-document.html, "Request state document";
 *  - UpdateJobExecution and the client-token-only requests: jobs-mqtt-api.html;
 *  - CreateCertificateFromCsr and RegisterThing: fleet-provision-api.html
 * (https://docs.aws.amazon.com/iot/latest/developerguide/).
 */
#include "aws_internal.h"

#if MQTLS_CFG_AWS

/* A shadow state section must be an object, or null to delete the whole section
 * (device-shadow-document.html: "null" removes). NULL: absent. */
static bool state_ok(const char *json, size_t len)
{
    if (!json)
        return true;
    mqtls_aws_json_value_t v;
    return mqtls_aws_json_find(json, len, "", &v) == MQTLS_OK &&
           (v.type == MQTLS_AWS_JSON_OBJECT || v.type == MQTLS_AWS_JSON_NULL);
}

mqtls_status_t mqtls_aws_shadow_update_doc(const mqtls_aws_shadow_update_t *u, char *buf,
                                           size_t size, size_t *len)
{
    if (!u || !buf || (!u->desired && !u->reported) ||
        !state_ok(u->desired, u->desired_len) || !state_ok(u->reported, u->reported_len))
        return MQTLS_ERR_BAD_PARAM;
    mqtls_aws_jw_t w;
    mqtls_aws_jw_init(&w, buf, size);
    mqtls_aws_jw_object(&w, NULL);
    mqtls_aws_jw_object(&w, "state");
    if (u->desired)
        mqtls_aws_jw_raw(&w, "desired", u->desired, u->desired_len);
    if (u->reported)
        mqtls_aws_jw_raw(&w, "reported", u->reported, u->reported_len);
    mqtls_aws_jw_end(&w);
    if (u->client_token)
        mqtls_aws_jw_string(&w, "clientToken", u->client_token);
    if (u->has_version)
        mqtls_aws_jw_int(&w, "version", u->version);
    mqtls_aws_jw_end(&w);
    return mqtls_aws_jw_finish(&w, len);
}

/* The statuses a device may set (UpdateJobExecution, jobs-mqtt-api.html). */
static const char *job_status_name(mqtls_aws_job_status_t s)
{
    switch (s) {
    case MQTLS_AWS_JOB_IN_PROGRESS:
        return "IN_PROGRESS";
    case MQTLS_AWS_JOB_FAILED:
        return "FAILED";
    case MQTLS_AWS_JOB_SUCCEEDED:
        return "SUCCEEDED";
    case MQTLS_AWS_JOB_REJECTED:
        return "REJECTED";
    }
    return NULL;
}

/* An object of string members, under @p key. */
static void put_map(mqtls_aws_jw_t *w, const char *key, const mqtls_aws_kv_t *kv, size_t n)
{
    mqtls_aws_jw_object(w, key);
    for (size_t i = 0; i < n; i++)
        mqtls_aws_jw_string(w, kv[i].key, kv[i].value);
    mqtls_aws_jw_end(w);
}

/* A key/value list: NULL with n 0, or n entries each with a key. */
static bool kv_ok(const mqtls_aws_kv_t *kv, size_t n)
{
    if (!kv)
        return n == 0;
    for (size_t i = 0; i < n; i++) {
        if (!kv[i].key || !kv[i].value)
            return false;
    }
    return true;
}

mqtls_status_t mqtls_aws_job_update_doc(const mqtls_aws_job_update_t *u, char *buf,
                                        size_t size, size_t *len)
{
    if (!u || !buf || !job_status_name(u->status) || !kv_ok(u->details, u->n_details))
        return MQTLS_ERR_BAD_PARAM;
    mqtls_aws_jw_t w;
    mqtls_aws_jw_init(&w, buf, size);
    mqtls_aws_jw_object(&w, NULL);
    mqtls_aws_jw_string(&w, "status", job_status_name(u->status));
    if (u->details)
        put_map(&w, "statusDetails", u->details, u->n_details);
    if (u->has_expected_version)
        mqtls_aws_jw_int(&w, "expectedVersion", u->expected_version);
    if (u->has_execution_number)
        mqtls_aws_jw_int(&w, "executionNumber", u->execution_number);
    if (u->client_token)
        mqtls_aws_jw_string(&w, "clientToken", u->client_token);
    mqtls_aws_jw_end(&w);
    return mqtls_aws_jw_finish(&w, len);
}

/* `{"<key>":"<value>"}`, or `{}` when @p value is NULL and may be left out. */
static mqtls_status_t one_string_doc(const char *key, const char *value, char *buf,
                                     size_t size, size_t *len)
{
    if (!buf)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_aws_jw_t w;
    mqtls_aws_jw_init(&w, buf, size);
    mqtls_aws_jw_object(&w, NULL);
    if (value)
        mqtls_aws_jw_string(&w, key, value);
    mqtls_aws_jw_end(&w);
    return mqtls_aws_jw_finish(&w, len);
}

mqtls_status_t mqtls_aws_token_doc(const char *client_token, char *buf, size_t size,
                                   size_t *len)
{
    return one_string_doc("clientToken", client_token, buf, size, len);
}

mqtls_status_t mqtls_aws_csr_doc(const char *csr_pem, char *buf, size_t size, size_t *len)
{
    if (!csr_pem)
        return MQTLS_ERR_BAD_PARAM;
    return one_string_doc("certificateSigningRequest", csr_pem, buf, size, len);
}

mqtls_status_t mqtls_aws_register_thing_doc(const char *ownership_token,
                                            const mqtls_aws_kv_t *params, size_t n_params,
                                            char *buf, size_t size, size_t *len)
{
    if (!ownership_token || !buf || !kv_ok(params, n_params))
        return MQTLS_ERR_BAD_PARAM;
    mqtls_aws_jw_t w;
    mqtls_aws_jw_init(&w, buf, size);
    mqtls_aws_jw_object(&w, NULL);
    mqtls_aws_jw_string(&w, "certificateOwnershipToken", ownership_token);
    if (params)
        put_map(&w, "parameters", params, n_params);
    mqtls_aws_jw_end(&w);
    return mqtls_aws_jw_finish(&w, len);
}

#endif /* MQTLS_CFG_AWS */
