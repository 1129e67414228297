/**
 * @file aws_jobs_internal.h
 * @brief What `mqtls jobs` (aws_jobs.c) and its watch loop (aws_jobs_watch.c) share.
 */
#ifndef AWS_JOBS_INTERNAL_H
#define AWS_JOBS_INTERNAL_H

#include "aws/aws_internal.h"

/** The most statusDetails entries --details takes: our own bound (the buffers here), not
 *  an AWS limit; the service applies its own. */
#define AWS_JOBS_MAX_DETAILS 16u

/** The accepted, rejected and request topics of @p op (for @p job, or NULL) in @p t. */
int aws_jobs_topics(aws_t *a, const char *job, mqtls_aws_op_t op,
                    char t[][MQTLS_AWS_TOPIC_MAX + 1]);

/** Subscribes to t[0] and t[1], publishes @p doc on t[2], awaits the answer with @p token. */
int aws_jobs_call(aws_t *a, char t[][MQTLS_AWS_TOPIC_MAX + 1], const char *doc, size_t len,
                  const char *token, aws_msg_t *out);

/** `mqtls jobs watch`. */
int aws_jobs_watch(aws_t *a);

#endif
