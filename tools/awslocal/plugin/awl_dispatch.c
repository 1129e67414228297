/**
 * @file awl_dispatch.c
 * @brief The service table of the awslocal plugin: {topic prefix, handler, who gets the
 *        replies}. A service is compiled in when its file exists (CMake defines
 *        AWL_SVC_SHADOW, AWL_SVC_JOBS, AWL_SVC_PROVISION); without any, requests are allowed
 *        by the policy but unanswered.
 *
 * Who gets the replies: AWS IoT publishes the Jobs and Fleet Provisioning responses to the
 * connection that made the request, subscribed or not, and nobody else can subscribe to them
 * ("Jobs device MQTT API operations"; "Fleet provisioning MQTT API": answers go over "the
 * same MQTT connection used to publish the API request"; docs/aws-iot.md). The Device
 * Shadow's answers go to whoever subscribed to their topics.
 */
#include "awslocal/plugin/awl_dispatch.h"

#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>

typedef struct awl_service {
    const char *prefix; /* the topics it answers start with this */
    awl_svc_fn handle;
    bool to_requester;  /* replies to the requesting connection alone */
    const char *name;   /* for the log */
} awl_service_t;

static const awl_service_t services[] = {
#ifdef AWL_SVC_SHADOW
    {"$aws/things/", awl_shadow_handle, false, "shadow"},
#endif
#ifdef AWL_SVC_JOBS
    {"$aws/things/", awl_jobs_handle, true, "jobs"},
#endif
#ifdef AWL_SVC_PROVISION
    {"$aws/certificates/", awl_provision_handle, true, "provisioning"},
    {"$aws/provisioning-templates/", awl_provision_handle, true, "provisioning"},
#endif
    {NULL, NULL, false, NULL}, /* the end (and an array that is never empty) */
};

static bool prefixed(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

void awl_dispatch_configure(const char *ca_cert, const char *ca_key, const char *templates_dir)
{
#ifdef AWL_SVC_PROVISION
    awl_provision_cfg_t cfg = {ca_cert, ca_key, templates_dir};
    awl_provision_configure(ca_cert && ca_key && templates_dir ? &cfg : NULL);
#else
    (void)ca_cert, (void)ca_key, (void)templates_dir;
#endif
}

bool awl_dispatch_wants(const char *topic)
{
    for (const awl_service_t *s = services; s->prefix; s++)
        if (prefixed(topic, s->prefix))
            return true;
    return false;
}

#if defined(AWL_SVC_SHADOW) || defined(AWL_SVC_JOBS) || defined(AWL_SVC_PROVISION)
void awl_publish_replies(const awl_replies_t *r, const char *client_id)
{
    for (int i = 0; i < r->n; i++) {
        const awl_reply_t *m = &r->v[i];
        int rc = mosquitto_broker_publish_copy(client_id, m->topic, (int)strlen(m->payload),
                                               m->payload, 1, false, NULL);
        if (rc != MOSQ_ERR_SUCCESS)
            mosquitto_log_printf(MOSQ_LOG_WARNING, "awslocal: cannot publish to %s: %s",
                                 m->topic, mosquitto_strerror(rc));
    }
}

bool awl_dispatch(const char *state_dir, const char *client_id, const char *thing,
                  const char *topic, const void *payload, size_t len)
{
    for (const awl_service_t *s = services; s->prefix; s++) {
        if (!prefixed(topic, s->prefix))
            continue;
        awl_replies_t r;
        memset(&r, 0, sizeof r);
        if (s->handle(state_dir, thing, topic, payload, len, &r) != 0)
            continue;
        mosquitto_log_printf(MOSQ_LOG_DEBUG, "awslocal: %s answered %s from %s with %d "
                             "message(s)", s->name, topic, thing, r.n);
        awl_publish_replies(&r, s->to_requester ? client_id : NULL);
        awl_replies_free(&r);
        return true;
    }
    return false;
}
#else
void awl_publish_replies(const awl_replies_t *r, const char *client_id)
{
    (void)r, (void)client_id;
}

bool awl_dispatch(const char *state_dir, const char *client_id, const char *thing,
                  const char *topic, const void *payload, size_t len)
{
    (void)state_dir, (void)client_id, (void)thing, (void)topic, (void)payload, (void)len;
    return false;
}
#endif
