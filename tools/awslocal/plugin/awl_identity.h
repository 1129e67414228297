/**
 * @file awl_identity.h
 * @brief Which thing a connection is: the thing Fleet Provisioning registered its certificate
 *        to, else the CN of its certificate (a certificate made by `thing add` names its
 *        thing in its CN).
 *
 * A certificate made by CreateKeysAndCertificate exists before RegisterThing names its thing
 * (developer guide, "Fleet provisioning"); the provisioning service keeps the attachment,
 * keyed by the certificate's id (svc.h: awl_provision_thing_of()), and the policy then
 * applies to that thing, as AWS's does to the thing a certificate is attached to.
 */
#ifndef AWL_IDENTITY_H
#define AWL_IDENTITY_H

#include <stddef.h>

struct mosquitto;

/** The longest thing name AWS IoT accepts (CreateThing: 128). */
#define AWL_THING_MAX 128

/** @p client's thing, in @p buf or mosquitto's own storage; NULL (the policy allows
 *  nothing) for a provisioned certificate not registered to a thing, or INACTIVE. */
const char *awl_identity(const char *state_dir, struct mosquitto *client, char *buf,
                         size_t size);

#endif
