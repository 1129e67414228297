/**
 * @file names.c
 * @brief The names the services' topics carry, checked against the rules AWS documents
 * (AWS IoT API reference, https://docs.aws.amazon.com/iot/latest/apireference/):
 *  - thingName  [a-zA-Z0-9:_-]+, 1 to 128   (API_iotdata_UpdateThingShadow.html)
 *  - shadowName [$a-zA-Z0-9:_-]+, 1 to 64   (the same page)
 *  - jobId      [a-zA-Z0-9_-]+, 1 to 64     (API_DescribeJobExecution.html); `$next` also
 *               names "the next pending execution" in DescribeJobExecution (developer guide,
 *               jobs-mqtt-api.html)
 *  - templateName [0-9A-Za-z_-]+, 1 to 36   (API_CreateProvisioningTemplate.html)
 * A name that passes cannot contain '/', '+', '#' or a NUL, so it is one topic level.
 */
#include "aws_internal.h"

#if MQTLS_CFG_AWS

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The characters beyond letters, digits, '_' and '-' that each kind allows. */
static bool allowed(mqtls_aws_name_kind_t kind, char c)
{
    if (alnum(c) || c == '_' || c == '-')
        return true;
    switch (kind) {
    case MQTLS_AWS_THING_NAME:
        return c == ':';
    case MQTLS_AWS_SHADOW_NAME:
        return c == ':' || c == '$';
    default:
        return false;
    }
}

static size_t max_len(mqtls_aws_name_kind_t kind)
{
    static const size_t max[] = {
        [MQTLS_AWS_THING_NAME] = MQTLS_AWS_THING_NAME_MAX,
        [MQTLS_AWS_SHADOW_NAME] = MQTLS_AWS_SHADOW_NAME_MAX,
        [MQTLS_AWS_JOB_ID] = MQTLS_AWS_JOB_ID_MAX,
        [MQTLS_AWS_TEMPLATE_NAME] = MQTLS_AWS_TEMPLATE_NAME_MAX,
    };
    return (unsigned)kind < sizeof max / sizeof max[0] ? max[kind] : 0;
}

mqtls_status_t mqtls_aws_name_check(mqtls_aws_name_kind_t kind, const char *s, size_t len)
{
    if (!s || len == 0 || len > max_len(kind))
        return MQTLS_ERR_AWS_NAME;
    if (kind == MQTLS_AWS_JOB_ID && len == 5 && s[0] == '$' && s[1] == 'n' && s[2] == 'e' &&
        s[3] == 'x' && s[4] == 't')
        return MQTLS_OK;
    for (size_t i = 0; i < len; i++) {
        if (!allowed(kind, s[i]))
            return MQTLS_ERR_AWS_NAME;
    }
    return MQTLS_OK;
}

#endif /* MQTLS_CFG_AWS */
