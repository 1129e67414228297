/**
 * @file awl_dispatch.c
 * @brief The service table of the awslocal plugin: {topic prefix, handler}. A service is
 *        compiled in when its file exists (CMake defines AWL_SVC_SHADOW, AWL_SVC_JOBS,
 *        AWL_SVC_PROVISION); without any, requests are allowed by the policy but unanswered.
 */
#include "awslocal/plugin/awl_dispatch.h"

#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>

#include "awslocal/svc.h"

typedef struct awl_service {
    const char *prefix; /* the topics it answers start with this */
    awl_svc_fn handle;
    const char *name;   /* for the log */
} awl_service_t;

static const awl_service_t services[] = {
#ifdef AWL_SVC_SHADOW
    {"$aws/things/", awl_shadow_handle, "shadow"},
#endif
#ifdef AWL_SVC_JOBS
    {"$aws/things/", awl_jobs_handle, "jobs"},
#endif
#ifdef AWL_SVC_PROVISION
    {"$aws/certificates/", awl_provision_handle, "provisioning"},
    {"$aws/provisioning-templates/", awl_provision_handle, "provisioning"},
#endif
    {NULL, NULL, NULL}, /* the end (and an array that is never empty) */
};

static bool prefixed(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool awl_dispatch_wants(const char *topic)
{
    for (const awl_service_t *s = services; s->prefix; s++)
        if (prefixed(topic, s->prefix))
            return true;
    return false;
}

#if defined(AWL_SVC_SHADOW) || defined(AWL_SVC_JOBS) || defined(AWL_SVC_PROVISION)
/* Publishes each reply to whoever subscribed (QoS 1, not retained), as AWS does. */
static void publish_replies(const awl_replies_t *r)
{
    for (int i = 0; i < r->n; i++) {
        const awl_reply_t *m = &r->v[i];
        int rc = mosquitto_broker_publish_copy(NULL, m->topic, (int)strlen(m->payload),
                                               m->payload, 1, false, NULL);
        if (rc != MOSQ_ERR_SUCCESS)
            mosquitto_log_printf(MOSQ_LOG_WARNING, "awslocal: cannot publish to %s: %s",
                                 m->topic, mosquitto_strerror(rc));
    }
}

bool awl_dispatch(const char *state_dir, const char *thing, const char *topic,
                  const void *payload, size_t len)
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
        publish_replies(&r);
        awl_replies_free(&r);
        return true;
    }
    return false;
}
#else
bool awl_dispatch(const char *state_dir, const char *thing, const char *topic,
                  const void *payload, size_t len)
{
    (void)state_dir, (void)thing, (void)topic, (void)payload, (void)len;
    return false;
}
#endif
