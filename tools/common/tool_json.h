/**
 * @file tool_json.h
 * @brief A small JSON writer for the tool's machine-readable output (`mqtls doctor --json`):
 *        objects and arrays nested up to 32 deep, strings escaped (bytes that are not valid
 *        UTF-8 become U+FFFD), two-space indentation.
 */
#ifndef TOOL_JSON_H
#define TOOL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tool_util.h"

#define TOOL_JSON_DEPTH 32

/** The document being written. */
typedef struct tool_json {
    tool_buf_t out;
    int depth;
    bool has_items[TOOL_JSON_DEPTH]; /**< the container at each depth has members already */
    char closer[TOOL_JSON_DEPTH];    /**< '}' or ']' for the container at each depth */
} tool_json_t;

/* In an object every value needs its @p key; in an array @p key is NULL. */

/** Starts an object (the document itself: tool_json_obj(j, NULL) on an empty writer). */
void tool_json_obj(tool_json_t *j, const char *key);
/** Starts an array. */
void tool_json_arr(tool_json_t *j, const char *key);
/** Ends the innermost object or array. */
void tool_json_end(tool_json_t *j);

/** A string, or null when @p s is NULL. */
void tool_json_str(tool_json_t *j, const char *key, const char *s);
/** A formatted string. */
void tool_json_strf(tool_json_t *j, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tool_json_int(tool_json_t *j, const char *key, int64_t v);
void tool_json_bool(tool_json_t *j, const char *key, bool v);
void tool_json_null(tool_json_t *j, const char *key);

/** Appends @p s to @p b as a JSON string literal (quotes included). */
void tool_json_quote(tool_buf_t *b, const char *s);

/** Frees the document. */
void tool_json_free(tool_json_t *j);

#endif
