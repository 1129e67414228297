/**
 * @file svc_shadow_doc.h
 * @brief The Device Shadow service's document rules, as pure functions over cJSON (no files,
 *        no topics): what a request state document may hold, how an update merges into the
 *        stored state and its metadata, and the delta between desired and reported.
 *
 * Sources (AWS IoT Core developer guide):
 * - https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-document.html
 * - https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-mqtt.html
 * - https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-error-messages.html
 * - https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-data-flow.html
 */
#ifndef AWL_SVC_SHADOW_DOC_H
#define AWL_SVC_SHADOW_DOC_H

#include <cjson/cJSON.h>

/** The longest clientToken AWS accepts, in bytes ("Invalid clientToken" beyond). */
#define AWL_SHADOW_TOKEN_MAX 64
/** The deepest nesting of a desired or reported section ("maximum is 6"). */
#define AWL_SHADOW_DEPTH_MAX 6
/** The largest state (desired and reported, metadata excluded) a shadow may hold. */
#define AWL_SHADOW_STATE_MAX 8192

/**
 * Checks an /update request document against AWS's 400 rules, in this order: clientToken,
 * version, the state node, its desired and reported nodes, any other node, the nesting
 * depth, null inside an array.
 * @return NULL when the request is acceptable, else AWS's message for the 400 rejection
 */
const char *awl_shadow_check(const cJSON *req);

/**
 * Applies the request's section @p upd (an object) to the stored section @p *cur and its
 * metadata @p *meta (either may be NULL: created), stamping each value written with
 * @p now. A null value deletes its key (and its metadata); a nested object merges into the
 * stored object; any other value (arrays included) replaces the stored one whole. An
 * object that the update's deletions leave empty is removed, and so is the section.
 */
void awl_shadow_merge(cJSON **cur, cJSON **meta, const cJSON *upd, long long now);

/** The metadata an /accepted response carries for @p upd: its shape, each value (null
 *  included) replaced by `{"timestamp": now}`. */
cJSON *awl_shadow_meta_of(const cJSON *upd, long long now);

/**
 * The delta: each key of @p desired whose value differs from @p reported's or that
 * @p reported lacks; nested objects are compared key by key (the delta holds the path to
 * each difference), anything else (arrays included) as a whole.
 * @return the delta object, or NULL when there is no difference
 */
cJSON *awl_shadow_delta(const cJSON *desired, const cJSON *reported);

/** The part of the metadata @p meta (of the desired section) that covers @p delta's keys. */
cJSON *awl_shadow_meta_for(const cJSON *meta, const cJSON *delta);

/** The size of @p state (desired and reported) as AWS counts it for its limit: printed
 *  without whitespace. */
size_t awl_shadow_state_size(const cJSON *state);

#endif
