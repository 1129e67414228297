/**
 * @file aws_json.h
 * @brief AWS IoT device helpers: a zero-heap JSON reader that finds the fields of the
 * services' documents, and a writer for the requests. Included by aws.h.
 *
 * The reader works on the payload in place (RFC 8259 JSON, UTF-8): every call first checks
 * that the whole document is well-formed, then walks to the value a path names and returns
 * its span; typed getters convert a span (a string is unescaped into a caller buffer). The
 * writer builds into a caller buffer, escaping strings; a buffer too small is an error,
 * never a truncated document. Neither allocates, and neither recurses: nesting is tracked in
 * a bit stack, MQTLS_AWS_JSON_MAX_DEPTH levels deep.
 *
 * Document formats:
 *  - shadow: https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-document.html
 *  - jobs:   https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html
 *  - provisioning:
 *            https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html
 */
#ifndef MQTLS_AWS_JSON_H
#define MQTLS_AWS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/config.h"
#include "mqtls/export.h"
#include "mqtls/status.h"

#if MQTLS_CFG_AWS

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest nesting of objects and arrays the reader accepts and the writer builds. */
#define MQTLS_AWS_JSON_MAX_DEPTH 32u

/** The type of a JSON value. */
typedef enum mqtls_aws_json_type {
    MQTLS_AWS_JSON_NULL,
    MQTLS_AWS_JSON_FALSE,
    MQTLS_AWS_JSON_TRUE,
    MQTLS_AWS_JSON_NUMBER,
    MQTLS_AWS_JSON_STRING,
    MQTLS_AWS_JSON_OBJECT,
    MQTLS_AWS_JSON_ARRAY
} mqtls_aws_json_type_t;

/** A value found in a document: its raw text (a string's with its quotes) and type. It
 *  points into the document and lives as long as the document does. The getters and
 *  mqtls_aws_json_next() take values that the reader gave (checked JSON), not made ones. */
typedef struct mqtls_aws_json_value {
    const char *raw;
    size_t len;
    mqtls_aws_json_type_t type;
} mqtls_aws_json_value_t;

/**
 * Checks that @p len bytes at @p doc are one well-formed JSON value (white space around it
 * allowed), in UTF-8 (RFC 8259 sections 2 to 8), nested at most MQTLS_AWS_JSON_MAX_DEPTH.
 * @retval MQTLS_OK                 well-formed
 * @retval MQTLS_ERR_BAD_PARAM      NULL @p doc
 * @retval MQTLS_ERR_JSON_MALFORMED anything else (including a lone surrogate escape)
 */
MQTLS_API mqtls_status_t mqtls_aws_json_check(const char *doc, size_t len);

/**
 * Finds the value at @p path in the document (checked whole first, as mqtls_aws_json_check()).
 * A path is object member names joined by '.', each optionally followed by array indexes in
 * brackets: "state.delta", "execution.jobId", "inProgressJobs[0].jobId"; "" is the whole
 * document. Member names compare after unescaping; of repeated names the first counts.
 * @retval MQTLS_OK                 @p *out is the value
 * @retval MQTLS_ERR_BAD_PARAM      NULL argument, or a path that is not of that form
 * @retval MQTLS_ERR_JSON_MALFORMED the document is not well-formed JSON
 * @retval MQTLS_ERR_JSON_NOT_FOUND no such member or index (also: a step into a value that
 *                                  is not an object or array)
 */
MQTLS_API mqtls_status_t mqtls_aws_json_find(const char *doc, size_t len, const char *path,
                                             mqtls_aws_json_value_t *out);

/**
 * Steps through the members of an object or the elements of an array @p c (a value that
 * mqtls_aws_json_find() or this function gave): which keys a shadow delta carries, each job
 * of a list. Start with @p *cursor 0; each call gives the next member's name in @p key (a
 * string value; NULL allowed, and unused for arrays) and its value in @p value, and moves
 * @p *cursor on.
 * @retval MQTLS_OK                 @p *value (and @p *key) is the next member or element
 * @retval MQTLS_ERR_JSON_NOT_FOUND there is none left
 * @retval MQTLS_ERR_JSON_TYPE      @p c is not an object or array
 * @retval MQTLS_ERR_JSON_MALFORMED @p c is not well-formed (checked when @p *cursor is 0)
 * @retval MQTLS_ERR_BAD_PARAM      NULL @p c, @p cursor or @p value, or a cursor past @p c
 */
MQTLS_API mqtls_status_t mqtls_aws_json_next(const mqtls_aws_json_value_t *c, size_t *cursor,
                                             mqtls_aws_json_value_t *key,
                                             mqtls_aws_json_value_t *value);

/**
 * Unescapes the string value @p v into @p buf, NUL-terminated; its length without the NUL
 * goes to @p *out_len (may be NULL). `\u0000` is refused: the result is a C string.
 * @retval MQTLS_OK             done
 * @retval MQTLS_ERR_BAD_PARAM  NULL @p v or @p buf
 * @retval MQTLS_ERR_JSON_TYPE  @p v is not a string, or holds `\u0000`
 * @retval MQTLS_ERR_NO_SPACE   @p size cannot hold the string and its NUL
 */
MQTLS_API mqtls_status_t mqtls_aws_json_string(const mqtls_aws_json_value_t *v, char *buf,
                                               size_t size, size_t *out_len);

/**
 * The integer value @p v (versions, timestamps, execution numbers).
 * @retval MQTLS_OK            done
 * @retval MQTLS_ERR_BAD_PARAM NULL argument
 * @retval MQTLS_ERR_JSON_TYPE not a number, a number with a fraction or exponent, or one
 *                             outside int64_t
 */
MQTLS_API mqtls_status_t mqtls_aws_json_int(const mqtls_aws_json_value_t *v, int64_t *out);

/**
 * The boolean value @p v.
 * @retval MQTLS_OK, MQTLS_ERR_BAD_PARAM (NULL argument), MQTLS_ERR_JSON_TYPE (not a boolean)
 */
MQTLS_API mqtls_status_t mqtls_aws_json_bool(const mqtls_aws_json_value_t *v, bool *out);

/** True if @p v is the literal null (a shadow's deleted key, `"desired": null`). */
MQTLS_API bool mqtls_aws_json_is_null(const mqtls_aws_json_value_t *v);

/** mqtls_aws_json_find() then mqtls_aws_json_string(): results of either. */
MQTLS_API mqtls_status_t mqtls_aws_json_get_string(const char *doc, size_t len,
                                                   const char *path, char *buf, size_t size,
                                                   size_t *out_len);

/** mqtls_aws_json_find() then mqtls_aws_json_int(): results of either. */
MQTLS_API mqtls_status_t mqtls_aws_json_get_int(const char *doc, size_t len, const char *path,
                                                int64_t *out);

/**
 * A JSON writer over a caller buffer. Calls after a failure do nothing and the first
 * failure is kept; mqtls_aws_jw_finish() reports it. With @p buf NULL and @p size 0 it only
 * counts: finish then gives the size the document needs (two-step encoding).
 * Members of an object take a key; values in an array or at the top take NULL.
 */
typedef struct mqtls_aws_jw {
    char *buf;
    size_t size;
    size_t len;           /**< bytes written (or counted) so far, without a NUL */
    mqtls_status_t status;
    uint32_t in_array;    /**< bit d: level d is an array */
    uint32_t has_items;   /**< bit d: level d already has a member or element */
    uint8_t depth;
} mqtls_aws_jw_t;

/** Starts a document in @p buf (@p size bytes, room for the NUL included). Cannot fail. */
MQTLS_API void mqtls_aws_jw_init(mqtls_aws_jw_t *w, char *buf, size_t size);
/** `{` as the value of @p key (NULL: in an array or at the top). */
MQTLS_API void mqtls_aws_jw_object(mqtls_aws_jw_t *w, const char *key);
/** `[` as the value of @p key. */
MQTLS_API void mqtls_aws_jw_array(mqtls_aws_jw_t *w, const char *key);
/** Closes the innermost object or array. */
MQTLS_API void mqtls_aws_jw_end(mqtls_aws_jw_t *w);
/** A string (NUL-terminated UTF-8, escaped as RFC 8259 section 7 requires). */
MQTLS_API void mqtls_aws_jw_string(mqtls_aws_jw_t *w, const char *key, const char *value);
/** An integer. */
MQTLS_API void mqtls_aws_jw_int(mqtls_aws_jw_t *w, const char *key, int64_t value);
/** true or false. */
MQTLS_API void mqtls_aws_jw_bool(mqtls_aws_jw_t *w, const char *key, bool value);
/** null. */
MQTLS_API void mqtls_aws_jw_null(mqtls_aws_jw_t *w, const char *key);
/** A ready JSON value (@p len bytes), checked with mqtls_aws_json_check() and copied. */
MQTLS_API void mqtls_aws_jw_raw(mqtls_aws_jw_t *w, const char *key, const char *json,
                                size_t len);
/**
 * Ends the document: NUL-terminates it and gives its length without the NUL (@p len may be
 * NULL); when counting, the length it would have.
 * @retval MQTLS_OK            complete
 * @retval MQTLS_ERR_NO_SPACE  the buffer was too small
 * @retval MQTLS_ERR_BAD_PARAM a key where none belongs or none where one does, a string
 *                             that is not UTF-8, an object or array left open or closed
 *                             twice, a second top-level value, or deeper than
 *                             MQTLS_AWS_JSON_MAX_DEPTH
 * @retval MQTLS_ERR_JSON_MALFORMED a raw value that is not well-formed
 */
MQTLS_API mqtls_status_t mqtls_aws_jw_finish(mqtls_aws_jw_t *w, size_t *len);

/** A key and a string value: statusDetails entries, provisioning parameters. */
typedef struct mqtls_aws_kv {
    const char *key;
    const char *value;
} mqtls_aws_kv_t;

/**
 * A shadow update request (device-shadow-document.html, "Request state document"):
 * `{"state":{"desired":…,"reported":…},"clientToken":…,"version":…}`.
 */
typedef struct mqtls_aws_shadow_update {
    const char *desired;      /**< JSON object or null (NULL: no "desired") */
    size_t desired_len;
    const char *reported;     /**< JSON object or null (NULL: no "reported") */
    size_t reported_len;
    const char *client_token; /**< NULL: none */
    bool has_version;         /**< send "version": the update applies only to that version */
    int64_t version;
} mqtls_aws_shadow_update_t;

/** The status a device reports for a job execution (jobs-mqtt-api.html,
 *  UpdateJobExecution: IN_PROGRESS, FAILED, SUCCEEDED or REJECTED). */
typedef enum mqtls_aws_job_status {
    MQTLS_AWS_JOB_IN_PROGRESS,
    MQTLS_AWS_JOB_FAILED,
    MQTLS_AWS_JOB_SUCCEEDED,
    MQTLS_AWS_JOB_REJECTED
} mqtls_aws_job_status_t;

/** An UpdateJobExecution request (jobs-mqtt-api.html). */
typedef struct mqtls_aws_job_update {
    mqtls_aws_job_status_t status;
    const mqtls_aws_kv_t *details; /**< statusDetails (string to string); NULL: none */
    size_t n_details;
    bool has_expected_version;     /**< send "expectedVersion" */
    int64_t expected_version;
    bool has_execution_number;     /**< send "executionNumber" */
    int64_t execution_number;
    const char *client_token;      /**< NULL: none */
} mqtls_aws_job_update_t;

/**
 * The request builders: each writes its document into @p buf (NUL-terminated) and its
 * length into @p *len (may be NULL), with the results of mqtls_aws_jw_finish(); a NULL
 * request or @p buf, or a state that is neither an object nor null, is MQTLS_ERR_BAD_PARAM.
 */
MQTLS_API mqtls_status_t mqtls_aws_shadow_update_doc(const mqtls_aws_shadow_update_t *u,
                                                     char *buf, size_t size, size_t *len);
/** UpdateJobExecution. */
MQTLS_API mqtls_status_t mqtls_aws_job_update_doc(const mqtls_aws_job_update_t *u, char *buf,
                                                  size_t size, size_t *len);
/**
 * `{"clientToken":…}`, or `{}` for @p client_token NULL: the body of shadow get and delete,
 * GetPendingJobExecutions, StartNextPendingJobExecution, DescribeJobExecution and
 * CreateKeysAndCertificate.
 */
MQTLS_API mqtls_status_t mqtls_aws_token_doc(const char *client_token, char *buf, size_t size,
                                             size_t *len);
/** CreateCertificateFromCsr: `{"certificateSigningRequest":…}` (the CSR in PEM). */
MQTLS_API mqtls_status_t mqtls_aws_csr_doc(const char *csr_pem, char *buf, size_t size,
                                           size_t *len);
/** RegisterThing: `{"certificateOwnershipToken":…,"parameters":{…}}`. */
MQTLS_API mqtls_status_t mqtls_aws_register_thing_doc(const char *ownership_token,
                                                      const mqtls_aws_kv_t *params,
                                                      size_t n_params, char *buf, size_t size,
                                                      size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* MQTLS_CFG_AWS */
#endif /* MQTLS_AWS_JSON_H */
