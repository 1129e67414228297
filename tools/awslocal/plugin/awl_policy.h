/**
 * @file awl_policy.h
 * @brief The IoT policy that `mqtls awslocal` applies to every connection: what a
 *        certificate's identity may publish and subscribe to. Pure string checks.
 *
 * A thing (any CN but the claim's) may use `$aws/things/<thing>/...` and
 * `things/<thing>/#`, the policy the AWS IoT developer guide gives as its example of policy
 * variables ("Basic job policy examples"/"Device Shadow policy examples": resources
 * `topic/$aws/things/${iot:Connection.Thing.ThingName}/...`). The claim certificate may use
 * only the Fleet Provisioning topics, as the guide's claim policy does
 * ("Provisioning devices that don't have device certificates using fleet provisioning":
 * `$aws/certificates/create/` + `*`, `$aws/certificates/create-from-csr/` + `*`,
 * `$aws/provisioning-templates/<templateName>/provision/` + `*`).
 */
#ifndef AWL_POLICY_H
#define AWL_POLICY_H

#include <stdbool.h>

/** The CN of the claim certificate that `awslocal up` makes (DIR/claim/cert.pem). */
#define AWL_CLAIM_CN "awslocal-claim"

/** May @p identity (the certificate's CN) publish to @p topic? */
bool awl_policy_may_publish(const char *identity, const char *topic);

/** May @p identity subscribe to @p filter (wildcards allowed only below its own prefix)? */
bool awl_policy_may_subscribe(const char *identity, const char *filter);

#endif
