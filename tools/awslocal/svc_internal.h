/**
 * @file svc_internal.h
 * @brief What the services of `mqtls awslocal` share (svc_reply.c): the clock their
 *        timestamps come from, building replies, AWS's error response document, and the
 *        checks every request starts with (names, UTF-8).
 *
 * Not part of the contract with the plugin (svc.h): only the svc_*.c files and their unit
 * tests include it.
 */
#ifndef AWL_SVC_INTERNAL_H
#define AWL_SVC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "svc.h"

/** A clock: seconds since the Epoch, as AWS's `timestamp` fields carry them. */
typedef long long (*awl_clock_fn)(void);

/**
 * Replaces the services' clock (NULL restores time()). The unit tests set a fixed clock so
 * that every timestamp of a reply is known.
 */
void awl_svc_set_clock(awl_clock_fn fn);

/** Now, by the services' clock. */
long long awl_svc_now(void);

/**
 * Appends a reply: @p topic is copied, @p doc is printed (unformatted, as AWS sends it) and
 * then deleted, whatever the outcome.
 * @return 0, or -1 when @p out is full or memory ran out (nothing appended)
 */
int awl_reply_json(awl_replies_t *out, const char *topic, cJSON *doc);

/**
 * Appends an error response document to @p topic: `{"code": code, "message": message,
 * "timestamp": now, "clientToken": token}`, the token only when @p token is not NULL.
 * Source: https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-document.html
 * ("Error response document").
 */
int awl_reply_error(awl_replies_t *out, const char *topic, int code, const char *message,
                    const char *token);

/** The same with a string code (the Jobs service's codes are words: "InvalidJson"...). */
int awl_reply_error_word(awl_replies_t *out, const char *topic, const char *code,
                         const char *message, const char *token);

/**
 * A name AWS accepts and that is safe as a file name: 1 to @p max bytes of
 * `[a-zA-Z0-9:_-]` or of @p extra (NULL for none). AWS's patterns: thing names
 * `[a-zA-Z0-9:_-]+`, 1 to 128 (API_CreateThing); shadow names `[$a-zA-Z0-9:_-]+`, 1 to 64
 * (API_iotdata_GetThingShadow). Neither has '/' or '.': a name never leaves its directory.
 */
bool awl_name_ok(const char *s, size_t len, size_t max, const char *extra);

/** @p len bytes at @p s are well-formed UTF-8 (no overlongs, no surrogates). */
bool awl_utf8_ok(const char *s, size_t len);

/** `clientToken` of @p req when it is a string, else NULL. */
const char *awl_client_token(const cJSON *req);

/** Adds `"clientToken": token` to @p doc when @p token is not NULL. */
void awl_add_token(cJSON *doc, const char *token);

#endif
