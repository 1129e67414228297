/**
 * @file json_iter.c
 * @brief Stepping through an object's members or an array's elements, for what a path cannot
 * name in advance: the keys of a shadow delta, the jobs of a GetPendingJobExecutions list.
 *
 * The cursor is the offset in the container of the byte after the last value given, so the
 * caller holds all the state; every step stays within the container's span.
 */
#include "aws_internal.h"

#if MQTLS_CFG_AWS

/* The checked value at @p p: its span and type into @p out; false if none is there. */
static bool take(const char *p, const char *end, mqtls_aws_json_value_t *out)
{
    const char *q = p;
    if (p >= end || !mqtls__json_skip(&q, end))
        return false;
    out->raw = p;
    out->len = (size_t)(q - p);
    out->type = mqtls__json_type(p);
    return true;
}

/* A member's name at @p *p: into @p key, and @p *p moved to its value. */
static bool take_key(const char **p, const char *end, mqtls_aws_json_value_t *key)
{
    mqtls_aws_json_value_t k;
    if (*p >= end || **p != '"' || !take(*p, end, &k))
        return false;
    const char *q = mqtls__json_ws(*p + k.len, end);
    if (q == end || *q != ':')
        return false;
    *p = mqtls__json_ws(q + 1, end);
    if (key)
        *key = k;
    return true;
}

mqtls_status_t mqtls_aws_json_next(const mqtls_aws_json_value_t *c, size_t *cursor,
                                   mqtls_aws_json_value_t *key, mqtls_aws_json_value_t *value)
{
    if (!c || !c->raw || !cursor || !value || *cursor > c->len)
        return MQTLS_ERR_BAD_PARAM;
    if (c->type != MQTLS_AWS_JSON_OBJECT && c->type != MQTLS_AWS_JSON_ARRAY)
        return MQTLS_ERR_JSON_TYPE;
    if (*cursor == 0 && mqtls_aws_json_check(c->raw, c->len) != MQTLS_OK)
        return MQTLS_ERR_JSON_MALFORMED;
    const char *end = c->raw + c->len;
    const char *p = mqtls__json_ws(c->raw + (*cursor == 0 ? 1 : *cursor), end);
    if (*cursor != 0 && p < end && *p == ',')
        p = mqtls__json_ws(p + 1, end);
    if (p >= end || *p == '}' || *p == ']')
        return MQTLS_ERR_JSON_NOT_FOUND;
    if (c->type == MQTLS_AWS_JSON_OBJECT && !take_key(&p, end, key))
        return MQTLS_ERR_BAD_PARAM;
    if (!take(p, end, value))
        return MQTLS_ERR_BAD_PARAM;
    *cursor = (size_t)(value->raw + value->len - c->raw);
    return MQTLS_OK;
}

#endif /* MQTLS_CFG_AWS */
