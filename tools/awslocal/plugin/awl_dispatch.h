/**
 * @file awl_dispatch.h
 * @brief The service dispatch of the awslocal plugin: a request published on a service's
 *        topic goes to the service's handler (../svc.h), whose replies the broker publishes.
 */
#ifndef AWL_DISPATCH_H
#define AWL_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "awslocal/svc.h"

/** Where Fleet Provisioning finds the root that signs and the templates (NULLs: forget). */
void awl_dispatch_configure(const char *ca_cert, const char *ca_key, const char *templates_dir);

/** Is @p topic one a service of this build answers? */
bool awl_dispatch_wants(const char *topic);

/**
 * Hands the request @p topic / @p payload (@p len bytes) from @p thing, connected as
 * @p client_id, to the first service that takes it and publishes its replies: to that
 * connection alone for Jobs and Fleet Provisioning, to the subscribers of each reply's topic
 * for the Device Shadow. @p state_dir: DIR/state.
 * @return true if a service took it
 */
bool awl_dispatch(const char *state_dir, const char *client_id, const char *thing,
                  const char *topic, const void *payload, size_t len);

/** Publishes @p r (QoS 1, not retained) to @p client_id alone, or to the subscribers of each
 *  topic when NULL. */
void awl_publish_replies(const awl_replies_t *r, const char *client_id);

#endif
