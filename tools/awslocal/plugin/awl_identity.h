/**
 * @file awl_identity.h
 * @brief Which thing a connection is: the CN of its certificate, or the thing that
 *        certificate was attached to later.
 *
 * A certificate made by `thing add` names its thing in its CN. One made by Fleet
 * Provisioning's CreateKeysAndCertificate exists before RegisterThing names its thing (the
 * developer guide's "Fleet provisioning" flow), so the provisioning service records the
 * attachment in DIR/state/principals/<CN>: a file holding the thing's name. The policy then
 * applies to that thing, as AWS's does to the thing a certificate is attached to.
 */
#ifndef AWL_IDENTITY_H
#define AWL_IDENTITY_H

#include <stddef.h>

/** The longest thing name AWS IoT accepts (CreateThing: 128). */
#define AWL_THING_MAX 128

/** The directory, under the state directory, of the attachments. */
#define AWL_PRINCIPALS_DIR "principals"

/**
 * The thing of the certificate whose CN is @p cn: the name in
 * @p state_dir/principals/@p cn if that file exists (up to @p size - 1 characters, into
 * @p buf), else @p cn itself. A CN that is not a plain name ([A-Za-z0-9:_-]) is never looked
 * up. @return @p buf or @p cn; NULL if @p cn is NULL
 */
const char *awl_identity(const char *state_dir, const char *cn, char *buf, size_t size);

#endif
