/**
 * @file awl_plugin.c
 * @brief The mosquitto 2.0 plugin (plugin API version 5) that makes a mosquitto behave like
 *        AWS IoT Core for `mqtls awslocal up`: it enforces the per-thing policy
 *        (awl_policy.c) and routes the services' requests (awl_dispatch.c).
 *
 * Identity: mosquitto runs with `use_identity_as_username`, so a client's user name is the
 * CN of its certificate: the thing. The client id plays no part (as with a permissive
 * iot:Connect); a second connection with the same client id closes the first, which
 * mosquitto does by itself as AWS IoT does ("AWS IoT Core policy actions", iot:Connect).
 *
 * A denial closes the connection without an answer, as AWS IoT does: its lifecycle events
 * name the reason AUTH_ERROR, "the client failed to authenticate or authorization failed",
 * for a disconnection (developer guide, "Lifecycle events"; docs/aws-iot.md). mosquitto's
 * own answer to a denied ACL check is to drop the message and still acknowledge it (PUBACK,
 * or a SUBACK of 0x80). An ACL check that fails with any other error ends the packet's
 * handling with that error, and mosquitto then closes the socket without sending anything
 * (handle__publish and handle__subscribe return it to the network loop, which calls
 * do_disconnect; no MQTT 5 DISCONNECT either). So a denied publish or subscribe returns
 * MOSQ_ERR_AUTH, which mosquitto logs as "disconnected, not authorised".
 *
 * Options (mosquitto.conf): plugin_opt_state_dir DIR/state, where the services keep state;
 * plugin_opt_ca_cert, plugin_opt_ca_key (the root that signs provisioned certificates) and
 * plugin_opt_templates_dir (the provisioning templates).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "awslocal/plugin/awl_dispatch.h"
#include "awslocal/plugin/awl_identity.h"
#include "awslocal/plugin/awl_jobwatch.h"
#include "awslocal/plugin/awl_policy.h"

static mosquitto_plugin_id_t *plugin_id;
static char *state_dir;

static const char *access_name(int access)
{
    return access == MOSQ_ACL_SUBSCRIBE ? "subscribe to" : "publish to";
}

/* Denied: logged with the identity, then the connection is closed (see the file comment). */
static int deny(struct mosquitto *client, const char *who, int access, const char *topic)
{
    mosquitto_log_printf(MOSQ_LOG_NOTICE, "awslocal: policy: '%s' (client id '%s') may not "
                         "%s '%s': closing the connection", who ? who : "",
                         mosquitto_client_id(client), access_name(access), topic);
    return MOSQ_ERR_AUTH;
}

/* The client's thing (awl_identity.c). */
static const char *thing_of(struct mosquitto *client, char *buf, size_t size)
{
    return awl_identity(state_dir, client, buf, size);
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
    struct mosquitto_evt_acl_check *ed = event_data;
    char buf[AWL_THING_MAX + 1];
    const char *who = thing_of(ed->client, buf, sizeof buf);
    (void)event, (void)userdata;
    switch (ed->access) {
    case MOSQ_ACL_WRITE:
        return awl_policy_may_publish(who, ed->topic) ? MOSQ_ERR_SUCCESS
                                                      : deny(ed->client, who, ed->access, ed->topic);
    case MOSQ_ACL_SUBSCRIBE:
        return awl_policy_may_subscribe(who, ed->topic) ? MOSQ_ERR_SUCCESS
                                                        : deny(ed->client, who, ed->access, ed->topic);
    case MOSQ_ACL_READ:
        /* Delivery to a subscriber: its filters were checked when it subscribed. A plain
         * denial here drops the one message (a close would punish the reader for what
         * somebody else published). */
        return awl_policy_may_subscribe(who, ed->topic) ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
    default: /* unsubscribing touches nothing */
        return MOSQ_ERR_SUCCESS;
    }
}

/* A message that passed the policy: a service request is answered (the replies go to the
 * subscribers of their topics, which the policy limits to the thing's own connections);
 * mosquitto still routes the request itself to any subscriber of its topic. */
static int on_message(int event, void *event_data, void *userdata)
{
    struct mosquitto_evt_message *ed = event_data;
    char buf[AWL_THING_MAX + 1];
    const char *who = thing_of(ed->client, buf, sizeof buf);
    (void)event, (void)userdata;
    if (who && ed->topic && awl_dispatch_wants(ed->topic))
        awl_dispatch(state_dir, mosquitto_client_id(ed->client), who, ed->topic, ed->payload,
                     ed->payloadlen);
    return MOSQ_ERR_SUCCESS;
}

/* Now and then: jobs queued by `mqtls awslocal job create` (another process) are announced
 * (awl_jobwatch.c). */
static int on_tick(int event, void *event_data, void *userdata)
{
    (void)event, (void)event_data, (void)userdata;
    awl_jobwatch_tick(state_dir);
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
    for (int i = 0; i < supported_version_count; i++)
        if (supported_versions[i] == 5)
            return 5;
    return -1;
}

/* plugin_opt_state_dir (required); plugin_opt_ca_cert, plugin_opt_ca_key and
 * plugin_opt_templates_dir for Fleet Provisioning. */
static int read_options(struct mosquitto_opt *opts, int n)
{
    const char *ca_cert = NULL, *ca_key = NULL, *templates = NULL;
    for (int i = 0; i < n; i++) {
        if (!strcmp(opts[i].key, "state_dir"))
            state_dir = mosquitto_strdup(opts[i].value);
        else if (!strcmp(opts[i].key, "ca_cert"))
            ca_cert = opts[i].value;
        else if (!strcmp(opts[i].key, "ca_key"))
            ca_key = opts[i].value;
        else if (!strcmp(opts[i].key, "templates_dir"))
            templates = opts[i].value;
    }
    if (!state_dir) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "awslocal: plugin_opt_state_dir is missing");
        return MOSQ_ERR_INVAL;
    }
    awl_dispatch_configure(ca_cert, ca_key, templates);
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
                          struct mosquitto_opt *opts, int opt_count)
{
    int rc = read_options(opts, opt_count);
    plugin_id = identifier;
    *userdata = NULL;
    if (!rc)
        rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, NULL);
    if (!rc)
        rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL, NULL);
    if (!rc)
        rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_TICK, on_tick, NULL, NULL);
    if (!rc)
        mosquitto_log_printf(MOSQ_LOG_INFO, "awslocal: policy and services loaded (state in %s)",
                             state_dir);
    return rc;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *opts, int opt_count)
{
    (void)userdata, (void)opts, (void)opt_count;
    if (plugin_id) {
        mosquitto_callback_unregister(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
        mosquitto_callback_unregister(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL);
        mosquitto_callback_unregister(plugin_id, MOSQ_EVT_TICK, on_tick, NULL);
    }
    awl_dispatch_configure(NULL, NULL, NULL);
    mosquitto_free(state_dir);
    state_dir = NULL;
    return MOSQ_ERR_SUCCESS;
}
