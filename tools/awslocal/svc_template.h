/**
 * @file svc_template.h
 * @brief Fleet provisioning templates (svc_template.c): what a template gives for a
 *        RegisterThing request's parameters: the thing's name, the certificate's status and
 *        the device configuration.
 *
 * Source: https://docs.aws.amazon.com/iot/latest/developerguide/provision-template.html
 * ("Parameters", "Resources", "Device configuration", "Intrinsic functions").
 */
#ifndef AWL_SVC_TEMPLATE_H
#define AWL_SVC_TEMPLATE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/** What a template evaluates to. */
typedef struct awl_provisioned {
    char *thing_name;     /**< ThingName of the AWS::IoT::Thing resource, or NULL (none) */
    bool active;          /**< the certificate's Status: ACTIVE (default) or INACTIVE */
    cJSON *device_config; /**< DeviceConfiguration, resolved ({} when the template has none) */
} awl_provisioned_t;

/**
 * Evaluates @p tmpl for the request's @p params (an object of strings, or NULL) and the
 * certificate @p cert_id (`{"Ref": "AWS::IoT::Certificate::Id"}`): each `{"Ref": name}` is
 * the parameter's value, else its Default; `{"Fn::Join": [sep, [values]]}` joins values.
 * @return NULL, with @p out filled (awl_provisioned_free), or the reason the template cannot
 *         be evaluated (a parameter without value, a thing name AWS would refuse...)
 */
const char *awl_template_eval(const cJSON *tmpl, const cJSON *params, const char *cert_id,
                              awl_provisioned_t *out);

void awl_provisioned_free(awl_provisioned_t *p);

#endif
