/**
 * @file svc_shadow_doc.c
 * @brief The shadow document rules: request checks, merge with metadata, delta
 *        (svc_shadow_doc.h, where the sources are listed).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "svc_shadow_doc.h"

/* Levels of objects and arrays in @p v: 0 for a plain value, 1 for {"a": 1}. This and the
 * other functions here recurse over a document's nesting, which cJSON's parser bounds
 * (CJSON_NESTING_LIMIT, 1000 levels); what is stored is at most 6 levels deep. */
static int depth_of(const cJSON *v)
{
    int max = 0;
    const cJSON *c;

    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return 0;
    cJSON_ArrayForEach(c, v) {
        int d = depth_of(c);
        if (d > max)
            max = d;
    }
    return max + 1;
}

/* "Arrays can't have null values" (device-shadow-document.html, "Array values"). */
static bool has_null_in_array(const cJSON *v, bool in_array)
{
    const cJSON *c;

    if (cJSON_IsNull(v))
        return in_array;
    cJSON_ArrayForEach(c, v) {
        if (has_null_in_array(c, cJSON_IsArray(v)))
            return true;
    }
    return false;
}

static const char *check_token_version(const cJSON *req)
{
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(req, "clientToken");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(req, "version");

    if (token && (!cJSON_IsString(token) || strlen(token->valuestring) > AWL_SHADOW_TOKEN_MAX))
        return "Invalid clientToken";
    if (version && (!cJSON_IsNumber(version) || version->valuedouble < 0 ||
                    version->valuedouble != floor(version->valuedouble) ||
                    version->valuedouble > 9007199254740991.0))
        return "Invalid version";
    return NULL;
}

static const char *check_sections(const cJSON *state)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, state) {
        bool desired = strcmp(c->string, "desired") == 0;
        if (!desired && strcmp(c->string, "reported") != 0)
            return "State contains an invalid node";
        if (!cJSON_IsObject(c) && !cJSON_IsNull(c))
            return desired ? "Desired node must be an object" : "Reported node must be an object";
    }
    cJSON_ArrayForEach(c, state) {
        if (depth_of(c) > AWL_SHADOW_DEPTH_MAX)
            return "JSON contains too many levels of nesting; maximum is 6";
    }
    /* Not a documented message: AWS documents the rejection, not its text. */
    if (has_null_in_array(state, false))
        return "State contains an invalid node";
    return NULL;
}

const char *awl_shadow_check(const cJSON *req)
{
    const cJSON *state;
    const char *why = check_token_version(req);

    if (why)
        return why;
    state = cJSON_GetObjectItemCaseSensitive(req, "state");
    if (!state)
        return "Missing required node: state";
    /* "Setting the device's shadow state to null does not delete the shadow": a null state
     * is a request (it empties both sections), not an error. */
    if (cJSON_IsNull(state))
        return NULL;
    if (!cJSON_IsObject(state))
        return "State node must be an object";
    return check_sections(state);
}

static cJSON *stamp(long long now)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "timestamp", (double)now);
    return m;
}

static void set_item(cJSON *obj, const char *key, cJSON *v)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
    else
        cJSON_AddItemToObject(obj, key, v);
}

/* The object stored under @p key of @p parent, made (replacing any other value) if need be. */
static cJSON *object_at(cJSON *parent, const char *key)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(parent, key);

    if (cJSON_IsObject(c))
        return c;
    c = cJSON_CreateObject();
    set_item(parent, key, c);
    return c;
}

static void merge_into(cJSON *cur, cJSON *meta, const cJSON *upd, long long now)
{
    const cJSON *u;

    cJSON_ArrayForEach(u, upd) {
        const char *k = u->string;
        if (cJSON_IsNull(u)) {
            cJSON_DeleteItemFromObjectCaseSensitive(cur, k);
            cJSON_DeleteItemFromObjectCaseSensitive(meta, k);
        } else if (cJSON_IsObject(u)) {
            /* A value that becomes an object loses its {"timestamp"}: the object's metadata
             * is its members'. */
            if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cur, k)))
                set_item(meta, k, cJSON_CreateObject());
            cJSON *c = object_at(cur, k), *m = object_at(meta, k);
            merge_into(c, m, u, now);
            /* Deletions that empty an object remove it; an empty object written as such
             * ({"k": {}}) stays. */
            if (!c->child && u->child) {
                cJSON_DeleteItemFromObjectCaseSensitive(cur, k);
                cJSON_DeleteItemFromObjectCaseSensitive(meta, k);
            }
        } else {
            set_item(cur, k, cJSON_Duplicate(u, 1));
            set_item(meta, k, stamp(now));
        }
    }
}

void awl_shadow_merge(cJSON **cur, cJSON **meta, const cJSON *upd, long long now)
{
    if (!*cur)
        *cur = cJSON_CreateObject();
    if (!cJSON_IsObject(*meta)) {
        cJSON_Delete(*meta);
        *meta = cJSON_CreateObject();
    }
    merge_into(*cur, *meta, upd, now);
    if (!(*cur)->child) {
        cJSON_Delete(*cur);
        cJSON_Delete(*meta);
        *cur = *meta = NULL;
    }
}

cJSON *awl_shadow_meta_of(const cJSON *upd, long long now)
{
    cJSON *m;
    const cJSON *u;

    if (!cJSON_IsObject(upd))
        return stamp(now);
    m = cJSON_CreateObject();
    cJSON_ArrayForEach(u, upd)
        cJSON_AddItemToObject(m, u->string, awl_shadow_meta_of(u, now));
    return m;
}

cJSON *awl_shadow_delta(const cJSON *desired, const cJSON *reported)
{
    cJSON *delta = NULL;
    const cJSON *d;

    cJSON_ArrayForEach(d, desired) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(reported, d->string);
        cJSON *diff = NULL;
        if (cJSON_IsObject(d) && cJSON_IsObject(r))
            diff = awl_shadow_delta(d, r);
        else if (!r || !cJSON_Compare(d, r, 1))
            diff = cJSON_Duplicate(d, 1);
        if (!diff)
            continue;
        if (!delta)
            delta = cJSON_CreateObject();
        cJSON_AddItemToObject(delta, d->string, diff);
    }
    return delta;
}

cJSON *awl_shadow_meta_for(const cJSON *meta, const cJSON *delta)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *d;

    cJSON_ArrayForEach(d, delta) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(meta, d->string);
        if (!m)
            continue;
        /* A value's metadata is {"timestamp": n}; an object's mirrors its members. */
        if (cJSON_IsObject(d) && !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(m, "timestamp")))
            cJSON_AddItemToObject(out, d->string, awl_shadow_meta_for(m, d));
        else
            cJSON_AddItemToObject(out, d->string, cJSON_Duplicate(m, 1));
    }
    return out;
}

size_t awl_shadow_state_size(const cJSON *state)
{
    char *text = state ? cJSON_PrintUnformatted(state) : NULL;
    size_t n = text ? strlen(text) : 0;

    free(text);
    return n;
}
