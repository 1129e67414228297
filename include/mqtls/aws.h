/**
 * @file aws.h
 * @brief AWS IoT device helpers: the reserved topics of the Device Shadow, Jobs and Fleet
 * Provisioning services, built and recognised, and the names they carry checked.
 *
 * Pure string functions over caller buffers: no heap, no I/O, no clock; freestanding. The
 * whole of it is compiled out with MQTLS_CFG_AWS=0 (config.h). The JSON reader and writer
 * for the documents these topics carry are in aws_json.h (included here).
 *
 * Sources (AWS IoT Core developer guide and API reference):
 *  - reserved topics: https://docs.aws.amazon.com/iot/latest/developerguide/reserved-topics.html
 *  - shadow topics:   https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-mqtt.html
 *  - jobs topics:     https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html
 *  - provisioning:    https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html
 *  - names: thingName and shadowName in
 *    https://docs.aws.amazon.com/iot/latest/apireference/API_iotdata_UpdateThingShadow.html,
 *    jobId in https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeJobExecution.html,
 *    templateName in
 *    https://docs.aws.amazon.com/iot/latest/apireference/API_CreateProvisioningTemplate.html
 *
 * Strings the matcher returns point into the topic it was given (not NUL-terminated: use
 * the lengths); they live as long as that topic does. Every function is reentrant: no
 * state is kept between calls.
 *
 * A device keeping its classic shadow in sync (error handling left out; the unit test
 * tests/unit/aws/test_documents.c, delta_then_report, runs these steps):
 * @code
 * char topic[MQTLS_AWS_TOPIC_MAX + 1], state[64], doc[128];
 * // once connected: subscribe to the deltas
 * mqtls_aws_shadow_topic("lamp", NULL, MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DELTA,
 *                        topic, sizeof topic, NULL);
 * // in the event callback, for a received PUBLISH m:
 * mqtls_aws_topic_t t;
 * char color[16];
 * if (mqtls_aws_topic_match(m->topic.data, m->topic.len, &t) == MQTLS_OK &&
 *     t.op == MQTLS_AWS_SHADOW_UPDATE && t.suffix == MQTLS_AWS_DELTA &&
 *     mqtls_aws_json_get_string((const char *)m->payload, m->payload_len, "state.color",
 *                               color, sizeof color, NULL) == MQTLS_OK) {
 *     set_color(color);
 *     // report the state the device now has
 *     mqtls_aws_jw_t w;
 *     mqtls_aws_shadow_update_t u = {0};
 *     mqtls_aws_jw_init(&w, state, sizeof state);
 *     mqtls_aws_jw_object(&w, NULL);
 *     mqtls_aws_jw_string(&w, "color", color);
 *     mqtls_aws_jw_end(&w);
 *     mqtls_aws_jw_finish(&w, &u.reported_len);
 *     u.reported = state;
 *     size_t len;
 *     mqtls_aws_shadow_update_doc(&u, doc, sizeof doc, &len);
 *     mqtls_aws_shadow_topic("lamp", NULL, MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_REQUEST,
 *                            topic, sizeof topic, NULL);
 *     // publish doc (len bytes) on topic, QoS 1
 * }
 * @endcode
 */
#ifndef MQTLS_AWS_H
#define MQTLS_AWS_H

#include <stddef.h>

#include "mqtls/config.h"
#include "mqtls/export.h"
#include "mqtls/status.h"

#if MQTLS_CFG_AWS

#include "mqtls/aws_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The kinds of names the services' topics carry, each with its documented rule. */
typedef enum mqtls_aws_name_kind {
    /** Thing name: 1 to 128 characters of `[a-zA-Z0-9:_-]` (API_iotdata_UpdateThingShadow). */
    MQTLS_AWS_THING_NAME,
    /** Named shadow: 1 to 64 characters of `[$a-zA-Z0-9:_-]` (the same page's shadowName). */
    MQTLS_AWS_SHADOW_NAME,
    /**
     * Job id: 1 to 64 characters of `[a-zA-Z0-9_-]` (API_DescribeJobExecution), or `$next`,
     * which DescribeJobExecution over MQTT takes for "the next pending execution"
     * (jobs-mqtt-api.html).
     */
    MQTLS_AWS_JOB_ID,
    /** Provisioning template: 1 to 36 characters of `[0-9A-Za-z_-]`
     *  (API_CreateProvisioningTemplate). */
    MQTLS_AWS_TEMPLATE_NAME
} mqtls_aws_name_kind_t;

/** Longest names, in bytes (the documented maxima above). */
#define MQTLS_AWS_THING_NAME_MAX 128u
#define MQTLS_AWS_SHADOW_NAME_MAX 64u
#define MQTLS_AWS_JOB_ID_MAX 64u
#define MQTLS_AWS_TEMPLATE_NAME_MAX 36u

/**
 * The longest topic the builders make, without its NUL: a named shadow's
 * `$aws/things/<128>/shadow/name/<64>/update/documents` (234 bytes). A buffer of
 * MQTLS_AWS_TOPIC_MAX + 1 bytes holds any of them.
 */
#define MQTLS_AWS_TOPIC_MAX 234u

/** The operation a topic belongs to. Each is one request topic and its responses. */
typedef enum mqtls_aws_op {
    MQTLS_AWS_OP_NONE = 0,
    /* Device Shadow (device-shadow-mqtt.html): `$aws/things/T/shadow[/name/S]/<op>`. */
    MQTLS_AWS_SHADOW_GET,
    MQTLS_AWS_SHADOW_UPDATE,
    MQTLS_AWS_SHADOW_DELETE,
    /* Jobs (jobs-mqtt-api.html): `$aws/things/T/jobs/...`. */
    MQTLS_AWS_JOBS_NOTIFY,       /**< `jobs/notify` (the service publishes; no suffix) */
    MQTLS_AWS_JOBS_NOTIFY_NEXT,  /**< `jobs/notify-next` (the service publishes; no suffix) */
    MQTLS_AWS_JOBS_GET_PENDING,  /**< `jobs/get`: GetPendingJobExecutions */
    MQTLS_AWS_JOBS_START_NEXT,   /**< `jobs/start-next`: StartNextPendingJobExecution */
    MQTLS_AWS_JOBS_DESCRIBE,     /**< `jobs/<jobId>/get`: DescribeJobExecution */
    MQTLS_AWS_JOBS_UPDATE,       /**< `jobs/<jobId>/update`: UpdateJobExecution */
    /* Fleet Provisioning (fleet-provision-api.html), JSON payloads. */
    MQTLS_AWS_PROV_CREATE_KEYS,  /**< `$aws/certificates/create/json` */
    MQTLS_AWS_PROV_CREATE_FROM_CSR, /**< `$aws/certificates/create-from-csr/json` */
    MQTLS_AWS_PROV_REGISTER_THING /**< `$aws/provisioning-templates/<name>/provision/json` */
} mqtls_aws_op_t;

/** Which topic of an operation: the request, or one of the service's answers. */
typedef enum mqtls_aws_suffix {
    MQTLS_AWS_REQUEST = 0,  /**< no suffix: the request (or, for notify, the notification) */
    MQTLS_AWS_ACCEPTED,     /**< `/accepted` */
    MQTLS_AWS_REJECTED,     /**< `/rejected` */
    MQTLS_AWS_DELTA,        /**< `/delta`: shadow update only */
    MQTLS_AWS_DOCUMENTS     /**< `/documents`: shadow update only */
} mqtls_aws_suffix_t;

/**
 * One topic of the services, as the builder takes it and the matcher gives it. Strings are
 * spans (pointer and length); unused ones are NULL with length 0.
 */
typedef struct mqtls_aws_topic {
    mqtls_aws_op_t op;
    mqtls_aws_suffix_t suffix;
    const char *thing;    /**< shadow and jobs topics */
    size_t thing_len;
    const char *name;     /**< the shadow's name (NULL: the classic shadow), or the template */
    size_t name_len;
    const char *job_id;   /**< MQTLS_AWS_JOBS_DESCRIBE and MQTLS_AWS_JOBS_UPDATE */
    size_t job_id_len;
} mqtls_aws_topic_t;

/**
 * Checks @p len bytes at @p s against the rule of @p kind (see mqtls_aws_name_kind_t).
 * @retval MQTLS_OK           the name is valid
 * @retval MQTLS_ERR_AWS_NAME empty, too long, or a character the rule does not allow
 */
MQTLS_API mqtls_status_t mqtls_aws_name_check(mqtls_aws_name_kind_t kind, const char *s,
                                              size_t len);

/**
 * Writes the topic @p t describes into @p buf, NUL-terminated, and its length (without the
 * NUL) into @p *len (may be NULL).
 * @retval MQTLS_OK            written
 * @retval MQTLS_ERR_BAD_PARAM NULL @p t or @p buf, an unknown op, a suffix the op does not
 *                             have (delta/documents outside shadow update, any on notify),
 *                             or a name the op needs is missing
 * @retval MQTLS_ERR_AWS_NAME  a name breaks its rule (mqtls_aws_name_check())
 * @retval MQTLS_ERR_NO_SPACE  @p size cannot hold the topic and its NUL (nothing useful is
 *                             left in @p buf: never a truncated topic)
 */
MQTLS_API mqtls_status_t mqtls_aws_topic_build(const mqtls_aws_topic_t *t, char *buf,
                                               size_t size, size_t *len);

/**
 * A shadow topic: `$aws/things/<thing>/shadow[/name/<shadow>]/<get|update|delete>[/suffix]`.
 * @p thing and @p shadow are NUL-terminated; @p shadow NULL is the classic shadow.
 * Results as mqtls_aws_topic_build().
 */
MQTLS_API mqtls_status_t mqtls_aws_shadow_topic(const char *thing, const char *shadow,
                                                mqtls_aws_op_t op, mqtls_aws_suffix_t suffix,
                                                char *buf, size_t size, size_t *len);

/**
 * A jobs topic: `$aws/things/<thing>/jobs/...`; @p job_id (NUL-terminated) is used by
 * MQTLS_AWS_JOBS_DESCRIBE and MQTLS_AWS_JOBS_UPDATE and must be NULL for the others.
 * Results as mqtls_aws_topic_build().
 */
MQTLS_API mqtls_status_t mqtls_aws_jobs_topic(const char *thing, const char *job_id,
                                              mqtls_aws_op_t op, mqtls_aws_suffix_t suffix,
                                              char *buf, size_t size, size_t *len);

/**
 * A Fleet Provisioning topic; @p template_name (NUL-terminated) is used by
 * MQTLS_AWS_PROV_REGISTER_THING and must be NULL for the others.
 * Results as mqtls_aws_topic_build().
 */
MQTLS_API mqtls_status_t mqtls_aws_provisioning_topic(const char *template_name,
                                                      mqtls_aws_op_t op,
                                                      mqtls_aws_suffix_t suffix, char *buf,
                                                      size_t size, size_t *len);

/**
 * Says which service topic the received @p topic (@p len bytes, no NUL needed) is: its
 * operation, suffix and names (pointing into @p topic). On failure @p *out is zeroed.
 * A topic of the services with a name that breaks its rule is not one the services use.
 * @retval MQTLS_OK            @p *out describes the topic
 * @retval MQTLS_ERR_BAD_PARAM NULL @p topic or @p out
 * @retval MQTLS_ERR_AWS_TOPIC not a Shadow, Jobs or Fleet Provisioning topic
 * @retval MQTLS_ERR_AWS_NAME  shaped like one, but a name in it breaks its rule
 */
MQTLS_API mqtls_status_t mqtls_aws_topic_match(const char *topic, size_t len,
                                               mqtls_aws_topic_t *out);

#ifdef __cplusplus
}
#endif

#endif /* MQTLS_CFG_AWS */
#endif /* MQTLS_AWS_H */
