/**
 * @file svc_shadow.c
 * @brief The Device Shadow service of `mqtls awslocal`: get, update and delete of classic
 *        and named shadows over the reserved topics, answered on /accepted or /rejected,
 *        with /update/delta and /update/documents (svc.h).
 *
 * Topics: https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-mqtt.html
 * Flows:  https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-data-flow.html
 * Errors: https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-error-messages.html
 * The document rules are svc_shadow_doc.c's; the files svc_store.c's. A shadow is the file
 * STATE/shadows/<thing>/classic.json or STATE/shadows/<thing>/named/<name>.json:
 *   {"state": {"desired": ..., "reported": ...}, "metadata": {...}, "version": n}
 * and, once deleted, {"version": n, "deleted": time}: the version goes on from n when the
 * shadow is made again within 48 hours (device-shadow-data-flow.html, "DELETE").
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_internal.h"
#include "svc_shadow_doc.h"
#include "svc_store.h"

#define THING_MAX 128  /* thing names: 1 to 128 bytes */
#define SHADOW_MAX 64  /* shadow names: 1 to 64 bytes, '$' allowed */
#define REVIVE_WINDOW (48LL * 3600)

/** A request, from its topic. */
typedef struct shadow_req {
    char thing[THING_MAX + 1];
    char name[SHADOW_MAX + 1]; /**< empty for the classic shadow */
    const char *op;            /**< "get", "update" or "delete" */
    const char *topic;         /**< the request topic: replies are topic + "/accepted"... */
    char *path;                /**< the shadow's file */
} shadow_req_t;

/* Copies the topic level that starts at @p s (up to '/' or the end) into @p dst if it is a
 * valid name; returns the rest of the topic after it, or NULL. */
static const char *take_name(const char *s, char *dst, size_t max, const char *extra)
{
    size_t n = strcspn(s, "/");

    if (!awl_name_ok(s, n, max, extra))
        return NULL;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return s + n;
}

static int parse_topic(const char *topic, shadow_req_t *r)
{
    static const char *const ops[] = {"get", "update", "delete"};
    const char *p = topic;

    if (strncmp(p, "$aws/things/", 12) != 0 || !(p = take_name(p + 12, r->thing, THING_MAX, NULL)))
        return -1;
    if (strncmp(p, "/shadow/", 8) != 0)
        return -1;
    p += 8;
    r->name[0] = '\0';
    if (strncmp(p, "name/", 5) == 0) {
        if (!(p = take_name(p + 5, r->name, SHADOW_MAX, "$")) || *p++ != '/')
            return -1;
    }
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strcmp(p, ops[i]) == 0) {
            r->op = ops[i];
            r->topic = topic;
            return 0;
        }
    }
    return -1;
}

static char *reply_topic(const shadow_req_t *r, const char *suffix)
{
    size_t n = strlen(r->topic) + strlen(suffix) + 1;
    char *t = malloc(n);

    if (t)
        snprintf(t, n, "%s%s", r->topic, suffix);
    return t;
}

static int reply(awl_replies_t *out, const shadow_req_t *r, const char *suffix, cJSON *doc)
{
    char *t = reply_topic(r, suffix);
    int rc = t ? awl_reply_json(out, t, doc) : (cJSON_Delete(doc), -1);

    free(t);
    return rc;
}

static int reject(awl_replies_t *out, const shadow_req_t *r, int code, const char *message,
                  const char *token)
{
    char *t = reply_topic(r, "/rejected");
    int rc = t ? awl_reply_error(out, t, code, message, token) : -1;

    free(t);
    return rc;
}

/* The 404 of get and delete: "No shadow exists with name: shadowName" (for the classic
 * shadow the name is the thing's: AWS documents no other text). */
static int reject_missing(awl_replies_t *out, const shadow_req_t *r, const char *token)
{
    char msg[64 + THING_MAX];

    snprintf(msg, sizeof msg, "No shadow exists with name: %s", r->name[0] ? r->name : r->thing);
    return reject(out, r, 404, msg, token);
}

static long long version_of(const cJSON *doc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "version");
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

/* The stored shadow in *@p doc (NULL when there is no file); *@p live is false for a
 * deleted one. -1 when the file cannot be read. */
static int load(const shadow_req_t *r, cJSON **doc, bool *live)
{
    int missing;

    *doc = awl_store_load(r->path, &missing);
    if (!*doc && !missing)
        return -1;
    *live = *doc && !cJSON_GetObjectItemCaseSensitive(*doc, "deleted");
    return 0;
}

static cJSON *section(const cJSON *doc, const char *part, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, part), name);
}

/* {"desired": ..., "reported": ...} of @p part ("state" or "metadata"), copied. */
static cJSON *copy_sections(const cJSON *doc, const char *part)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *d = section(doc, part, "desired"), *rep = section(doc, part, "reported");

    if (d)
        cJSON_AddItemToObject(o, "desired", cJSON_Duplicate(d, 1));
    if (rep)
        cJSON_AddItemToObject(o, "reported", cJSON_Duplicate(rep, 1));
    return o;
}

static int do_get(const shadow_req_t *r, const cJSON *req, awl_replies_t *out)
{
    const char *token = awl_client_token(req);
    cJSON *doc, *resp, *state, *delta;
    bool live;

    if (load(r, &doc, &live) != 0)
        return reject(out, r, 500, "Internal service failure", token);
    if (!live) {
        cJSON_Delete(doc);
        return reject_missing(out, r, token);
    }
    resp = cJSON_CreateObject();
    state = copy_sections(doc, "state");
    delta = awl_shadow_delta(section(doc, "state", "desired"), section(doc, "state", "reported"));
    if (delta)
        cJSON_AddItemToObject(state, "delta", delta);
    cJSON_AddItemToObject(resp, "state", state);
    cJSON_AddItemToObject(resp, "metadata", copy_sections(doc, "metadata"));
    cJSON_AddNumberToObject(resp, "version", (double)version_of(doc));
    cJSON_AddNumberToObject(resp, "timestamp", (double)awl_svc_now());
    awl_add_token(resp, token);
    cJSON_Delete(doc);
    return reply(out, r, "/accepted", resp);
}

/* "The content of the message is ignored" (device-shadow-mqtt.html, /delete), but for a
 * clientToken: it "is reflected in the response" (the AWS IoT Device SDK v2's
 * DeleteShadowRequest and DeleteShadowResponse, generated from AWS's service model). */
static int do_delete(const shadow_req_t *r, const char *token, awl_replies_t *out)
{
    long long now = awl_svc_now(), version;
    cJSON *doc, *resp;
    bool live;

    if (load(r, &doc, &live) != 0)
        return reject(out, r, 500, "Internal service failure", token);
    if (!live) {
        cJSON_Delete(doc);
        return reject_missing(out, r, token);
    }
    version = version_of(doc);
    cJSON_Delete(doc);
    doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "version", (double)version);
    cJSON_AddNumberToObject(doc, "deleted", (double)now);
    if (awl_store_save(r->path, doc) != 0) {
        cJSON_Delete(doc);
        return reject(out, r, 500, "Internal service failure", token);
    }
    cJSON_Delete(doc);
    resp = cJSON_CreateObject();
    cJSON_AddNumberToObject(resp, "version", (double)version);
    cJSON_AddNumberToObject(resp, "timestamp", (double)now);
    awl_add_token(resp, token);
    return reply(out, r, "/accepted", resp);
}

/* The version the next update must name (when it names one) and follows: the stored one,
 * also for a shadow deleted less than 48 hours ago; 0 for a new shadow. */
static long long current_version(const cJSON *doc, bool live, long long now)
{
    const cJSON *deleted = cJSON_GetObjectItemCaseSensitive(doc, "deleted");

    if (!doc || (!live && now - (long long)deleted->valuedouble > REVIVE_WINDOW))
        return 0;
    return version_of(doc);
}

/* {"state": ..., "metadata": ..., "version": n} of a stored shadow: the halves of an
 * /update/documents message. */
static cJSON *snapshot(const cJSON *doc)
{
    cJSON *s = cJSON_CreateObject();

    cJSON_AddItemToObject(s, "state", copy_sections(doc, "state"));
    cJSON_AddItemToObject(s, "metadata", copy_sections(doc, "metadata"));
    cJSON_AddNumberToObject(s, "version", (double)version_of(doc));
    return s;
}

/* Applies one section ("desired" or "reported") of the request to the new document. */
static void apply_section(cJSON *doc, const cJSON *state, const char *name, long long now)
{
    const cJSON *upd = cJSON_GetObjectItemCaseSensitive(state, name);
    cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "state");
    cJSON *md = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
    cJSON *cur, *meta;

    if (!upd && cJSON_IsObject(state))
        return;
    cur = cJSON_DetachItemFromObjectCaseSensitive(st, name);
    meta = cJSON_DetachItemFromObjectCaseSensitive(md, name);
    if (cJSON_IsObject(upd)) {
        awl_shadow_merge(&cur, &meta, upd, now);
    } else { /* null: the section goes ("desired": null, or "state": null for both) */
        cJSON_Delete(cur);
        cJSON_Delete(meta);
        cur = meta = NULL;
    }
    if (cur)
        cJSON_AddItemToObject(st, name, cur);
    if (meta)
        cJSON_AddItemToObject(md, name, meta);
}

/* The document after the update, from the stored one (NULL or deleted: a new one). */
static cJSON *updated(const cJSON *old, bool live, const cJSON *state, long long version,
                      long long now)
{
    cJSON *doc = cJSON_CreateObject();

    cJSON_AddItemToObject(doc, "state", live ? copy_sections(old, "state") : cJSON_CreateObject());
    cJSON_AddItemToObject(doc, "metadata",
                          live ? copy_sections(old, "metadata") : cJSON_CreateObject());
    apply_section(doc, state, "desired", now);
    apply_section(doc, state, "reported", now);
    cJSON_AddNumberToObject(doc, "version", (double)version);
    return doc;
}

/* The /update/accepted document: the request's state, the metadata of what it wrote. */
static cJSON *accepted(const cJSON *state, long long version, long long now, const char *token)
{
    cJSON *resp = cJSON_CreateObject(), *meta = cJSON_CreateObject();
    const cJSON *c;

    cJSON_AddItemToObject(resp, "state", cJSON_Duplicate(state, 1));
    cJSON_ArrayForEach(c, state)
        cJSON_AddItemToObject(meta, c->string, awl_shadow_meta_of(c, now));
    cJSON_AddItemToObject(resp, "metadata", meta);
    cJSON_AddNumberToObject(resp, "version", (double)version);
    cJSON_AddNumberToObject(resp, "timestamp", (double)now);
    awl_add_token(resp, token);
    return resp;
}

/* The /update/delta document, or NULL when desired and reported agree. */
static cJSON *delta_doc(const cJSON *doc, long long now, const char *token)
{
    cJSON *delta = awl_shadow_delta(section(doc, "state", "desired"),
                                    section(doc, "state", "reported"));
    cJSON *resp;

    if (!delta)
        return NULL;
    resp = cJSON_CreateObject();
    cJSON_AddItemToObject(resp, "state", delta);
    cJSON_AddItemToObject(resp, "metadata",
                          awl_shadow_meta_for(section(doc, "metadata", "desired"), delta));
    cJSON_AddNumberToObject(resp, "version", (double)version_of(doc));
    cJSON_AddNumberToObject(resp, "timestamp", (double)now);
    awl_add_token(resp, token);
    return resp;
}

/* The three messages of an accepted update. /update/documents carries "previous" only when
 * there was a shadow before; /update/delta goes out when the request wrote desired state
 * and the shadow has a delta (the flows of device-shadow-data-flow.html: a desired change
 * gives accepted + delta, a device's report gives accepted). */
static int announce(const shadow_req_t *r, const cJSON *old, bool live, const cJSON *doc,
                    const cJSON *state, const char *token, awl_replies_t *out)
{
    long long now = awl_svc_now();
    cJSON *docs = cJSON_CreateObject(), *delta = NULL;

    reply(out, r, "/accepted", accepted(state, version_of(doc), now, token));
    if (!cJSON_IsObject(state) || cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(state, "desired")))
        delta = delta_doc(doc, now, token);
    if (delta)
        reply(out, r, "/delta", delta);
    if (live)
        cJSON_AddItemToObject(docs, "previous", snapshot(old));
    cJSON_AddItemToObject(docs, "current", snapshot(doc));
    cJSON_AddNumberToObject(docs, "timestamp", (double)now);
    return reply(out, r, "/documents", docs);
}

static int do_update(const shadow_req_t *r, const cJSON *req, awl_replies_t *out)
{
    const char *why = awl_shadow_check(req);
    const char *token = strcmp(why ? why : "", "Invalid clientToken") ? awl_client_token(req) : NULL;
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(req, "state");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(req, "version");
    long long now = awl_svc_now(), version;
    cJSON *old, *doc;
    bool live;
    int rc;

    if (why)
        return reject(out, r, 400, why, token);
    if (load(r, &old, &live) != 0)
        return reject(out, r, 500, "Internal service failure", token);
    version = current_version(old, live, now);
    if (want && (long long)want->valuedouble != version) {
        cJSON_Delete(old);
        return reject(out, r, 409, "Version conflict", token);
    }
    doc = updated(old, live, state, version + 1, now);
    if (awl_shadow_state_size(cJSON_GetObjectItemCaseSensitive(doc, "state")) > AWL_SHADOW_STATE_MAX)
        rc = reject(out, r, 413, "The payload exceeds the maximum size allowed", token);
    else if (awl_store_save(r->path, doc) != 0)
        rc = reject(out, r, 500, "Internal service failure", token);
    else
        rc = announce(r, old, live, doc, state, token, out);
    cJSON_Delete(old);
    cJSON_Delete(doc);
    return rc;
}

static char *shadow_path(const char *state_dir, const shadow_req_t *r)
{
    if (r->name[0]) {
        char file[SHADOW_MAX + 8];
        snprintf(file, sizeof file, "%s.json", r->name);
        return awl_path(state_dir, "shadows", r->thing, "named", file);
    }
    return awl_path(state_dir, "shadows", r->thing, "classic.json");
}

/* The request document: NULL for an empty get (AWS documents an empty message); a
 * rejection is answered here, and *@p done set, when the payload is not UTF-8 JSON. */
static cJSON *parse_request(const shadow_req_t *r, const char *payload, size_t len,
                            awl_replies_t *out, bool *done)
{
    cJSON *req;

    *done = false;
    if (len == 0 && strcmp(r->op, "get") == 0)
        return NULL;
    *done = true;
    if (!awl_utf8_ok(payload, len)) {
        reject(out, r, 415, "Unsupported documented encoding; supported encoding is UTF-8", NULL);
        return NULL;
    }
    req = cJSON_ParseWithLength(payload, len);
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        reject(out, r, 400, "Invalid JSON", NULL);
        return NULL;
    }
    *done = false;
    return req;
}

int awl_shadow_handle(const char *state_dir, const char *thing, const char *topic,
                      const char *payload, size_t len, awl_replies_t *out)
{
    shadow_req_t r;
    cJSON *req = NULL;
    bool done = false;

    /* A thing may only reach its own shadows; the plugin enforces that first, so a
     * mismatch here is a routing error, not a request to answer. */
    if (!topic || parse_topic(topic, &r) != 0 || (thing && strcmp(thing, r.thing) != 0))
        return -1;
    r.path = shadow_path(state_dir, &r);
    if (!r.path)
        return reject(out, &r, 500, "Internal service failure", NULL), 0;
    if (strcmp(r.op, "delete") == 0) {
        /* Any payload is accepted; only a JSON object's clientToken is read from it. */
        req = cJSON_ParseWithLength(payload ? payload : "", len);
        do_delete(&r, cJSON_IsObject(req) ? awl_client_token(req) : NULL, out);
    } else if (req = parse_request(&r, payload, len, out, &done), !done) {
        if (strcmp(r.op, "get") == 0)
            do_get(&r, req, out);
        else
            do_update(&r, req, out);
    }
    cJSON_Delete(req);
    free(r.path);
    return 0;
}
