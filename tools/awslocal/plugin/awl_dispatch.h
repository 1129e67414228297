/**
 * @file awl_dispatch.h
 * @brief The service dispatch of the awslocal plugin: a request published on a service's
 *        topic goes to the service's handler (../svc.h), whose replies the broker publishes.
 */
#ifndef AWL_DISPATCH_H
#define AWL_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

/** Is @p topic one a service of this build answers? */
bool awl_dispatch_wants(const char *topic);

/**
 * Hands the request @p topic / @p payload (@p len bytes) from @p thing to the first service
 * that takes it and publishes its replies. @p state_dir: DIR/state.
 * @return true if a service took it
 */
bool awl_dispatch(const char *state_dir, const char *thing, const char *topic,
                  const void *payload, size_t len);

#endif
