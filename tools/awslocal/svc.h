/**
 * @file svc.h
 * @brief The contract between the broker plugin (plugin/, which routes requests) and the
 *        services of `mqtls awslocal` (svc_*.c: Device Shadow, Jobs, Fleet Provisioning),
 *        which are pure functions over cJSON: a request in, the replies to publish out.
 *
 * The plugin calls a service with a message a client published on one of the services'
 * request topics and publishes each reply (QoS 1, not retained) once the handler returns.
 * Handlers run on mosquitto's one thread: they must not block.
 */
#ifndef AWL_SVC_H
#define AWL_SVC_H

#include <stddef.h>

/** One reply: its topic and its payload (a NUL-terminated JSON text), both malloc'd. */
typedef struct awl_reply {
    char *topic;
    char *payload;
} awl_reply_t;

/** The replies to one request (AWS answers a request with at most a few messages:
 *  accepted + delta + documents for a shadow update). */
typedef struct awl_replies {
    awl_reply_t v[4];
    int n;
} awl_replies_t;

/**
 * A service's handler. @p state_dir is DIR/state (the service keeps its files there),
 * @p thing the caller's thing name (the CN of its certificate, never the client id),
 * @p topic and @p payload (@p len bytes, not NUL-terminated) the request.
 * @return 0 with the replies in @p out (possibly none), or -1 when @p topic is not this
 *         service's (the next service is asked)
 */
typedef int (*awl_svc_fn)(const char *state_dir, const char *thing, const char *topic,
                          const char *payload, size_t len, awl_replies_t *out);

/** Device Shadow (svc_shadow.c): `$aws/things/<thing>/shadow/...`. */
int awl_shadow_handle(const char *state_dir, const char *thing, const char *topic,
                      const char *payload, size_t len, awl_replies_t *out);

/** Jobs (svc_jobs.c): `$aws/things/<thing>/jobs/...`. */
int awl_jobs_handle(const char *state_dir, const char *thing, const char *topic,
                    const char *payload, size_t len, awl_replies_t *out);

/** Fleet Provisioning (svc_provision.c): `$aws/certificates/create...` and
 *  `$aws/provisioning-templates/...`. */
int awl_provision_handle(const char *state_dir, const char *thing, const char *topic,
                         const char *payload, size_t len, awl_replies_t *out);

/*
 * Jobs' files, shared by the service and `mqtls awslocal job create`: each execution of a
 * job on a thing is the file STATE/jobs/<thing>/<jobId>.json, holding AWS's JobExecution
 * document itself (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-https-api.html):
 *   {"jobId": "...", "thingName": "...", "jobDocument": {...}, "status": "QUEUED",
 *    "statusDetails": {"k": "v"}, "queuedAt": t, "startedAt": t, "lastUpdatedAt": t,
 *    "versionNumber": n, "executionNumber": 1}
 * Times are seconds since the Epoch; statusDetails and startedAt appear once set. Files are
 * replaced atomically (written beside, then renamed). Create them with awl_jobs_create().
 */

/**
 * Queues the job @p job_id (1 to 64 of [a-zA-Z0-9_-]) for @p thing with the job document
 * @p document (a JSON object's text): writes its execution (QUEUED, versionNumber 1,
 * executionNumber 1) and, in @p out when not NULL, the notify message and, when the new
 * execution is the next one, the notify-next message AWS publishes then.
 * @return 0; -1 when a name or the document is invalid or the thing already has that job;
 *         -2 when the state cannot be read or written
 */
int awl_jobs_create(const char *state_dir, const char *thing, const char *job_id,
                    const char *document, awl_replies_t *out);

/**
 * The notify and notify-next messages of @p thing's executions as they are now (for the
 * plugin to publish when `job create` queued a job from another process).
 * @return 0, or -1 when @p thing is not a valid thing name
 */
int awl_jobs_notify(const char *state_dir, const char *thing, awl_replies_t *out);

/** Where Fleet Provisioning finds what it needs; the plugin sets it once, at start. */
typedef struct awl_provision_cfg {
    const char *ca_cert;       /**< the CA certificate that signs new certificates (PEM) */
    const char *ca_key;        /**< its private key (PEM) */
    const char *templates_dir; /**< provisioning templates: <templates_dir>/<name>.json */
} awl_provision_cfg_t;

/** Copies @p cfg (NULL forgets it). Until it is set, certificate creation answers 500. */
void awl_provision_configure(const awl_provision_cfg_t *cfg);

/**
 * The thing a provisioned certificate acts as: @p cert_id is the certificate's id (lower-case
 * hex SHA-256 of its DER, as Fleet Provisioning returned it); its record is
 * STATE/certificates/<cert_id>.json. Copies the thing name into @p thing.
 * @return 0, or -1 when the certificate is unknown, not ACTIVE, registered to no thing, or
 *         the name does not fit in @p size bytes
 */
int awl_provision_thing_of(const char *state_dir, const char *cert_id, char *thing, size_t size);

/**
 * The certificate id of the DER certificate @p der (@p len bytes): its SHA-256 in lower-case
 * hex, as Fleet Provisioning returns it and awl_provision_thing_of() takes it (the plugin
 * gets the DER of a client's certificate with i2d_X509(mosquitto_client_certificate())).
 * @return 0 with the id in @p id, or -1
 */
int awl_cert_id_of_der(const unsigned char *der, size_t len, char id[65]);

/** Frees every reply of @p r and empties it; safe on an empty one. */
void awl_replies_free(awl_replies_t *r);

#endif
