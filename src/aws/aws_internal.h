/**
 * @file aws_internal.h
 * @brief What the files of src/aws/ share: the JSON scanner (json_scan.c) that the reader,
 * the writer and the request builders all stand on.
 */
#ifndef MQTLS_AWS_INTERNAL_H
#define MQTLS_AWS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "mqtls/aws.h"

#if MQTLS_CFG_AWS

/** The first byte at or after @p p that is not JSON white space (RFC 8259 section 2). */
const char *mqtls__json_ws(const char *p, const char *end);

/**
 * Checks the one JSON value that starts at @p *p (no white space before it) and moves
 * @p *p past it. Iterative: nesting is tracked in a bit stack, MQTLS_AWS_JSON_MAX_DEPTH deep.
 * Bytes are taken as they are: the caller checks UTF-8 (mqtls_utf8_check()).
 * @return true if well-formed.
 */
bool mqtls__json_skip(const char **p, const char *end);

/**
 * One character of a string that mqtls__json_skip() has checked: @p *p points inside it
 * (after the opening quote or a previous character). Writes the character's UTF-8 bytes to
 * @p out, moves @p *p past it and returns their count (1 to 4), or 0 at the closing quote
 * (@p *p is then left on it).
 */
size_t mqtls__json_char(const char **p, char out[4]);

/** The type of the checked value starting at @p p. */
mqtls_aws_json_type_t mqtls__json_type(const char *p);

/* The topics' rules (topics.c), shared by the builder and the matcher. */

/** The level that names @p op ("get", "start-next", "create-from-csr"...), NULL if none. */
const char *mqtls__aws_op_word(mqtls_aws_op_t op);
/** The level of @p s ("" for the request), NULL if @p s is not a suffix. */
const char *mqtls__aws_suffix_word(mqtls_aws_suffix_t s);
/** Whether topics of @p op have the suffix @p s. */
bool mqtls__aws_suffix_ok(mqtls_aws_op_t op, mqtls_aws_suffix_t s);
bool mqtls__aws_is_shadow(mqtls_aws_op_t op);
bool mqtls__aws_is_jobs(mqtls_aws_op_t op);
/**
 * Whether @p t names one topic: a known op and a suffix it has, each name it needs there and
 * valid, none it does not need. MQTLS_ERR_BAD_PARAM for the shape, MQTLS_ERR_AWS_NAME for a
 * name that breaks its rule.
 */
mqtls_status_t mqtls__aws_topic_check(const mqtls_aws_topic_t *t);

#endif /* MQTLS_CFG_AWS */
#endif /* MQTLS_AWS_INTERNAL_H */
