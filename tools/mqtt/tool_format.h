/**
 * @file tool_format.h
 * @brief How `mqtls sub` prints a message: payload only, -v, or an -F format string.
 */
#ifndef TOOL_FORMAT_H
#define TOOL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "mqtls/codec.h"
#include "common/tool_util.h"

/**
 * Checks an -F format string before connecting.
 * @return true, or false with the reason in @p err
 */
bool tool_format_check(const char *fmt, char *err, size_t errlen);

/** What a format can print about one message besides the message itself. */
typedef struct tool_msg_ctx {
    const char *client_id;
    mqtls_version_t version;
    bool escape_topic; /**< show control characters of topics escaped (output is a terminal) */
    bool pretty;      /**< --pretty: %j spread over lines and indented */
} tool_msg_ctx_t;

/**
 * Appends the topic @p t (@p len bytes). With @p escape, control characters (C0, DEL and
 * the UTF-8 encoded C1 range) are written as \xHH or \u00HH, so that a broker cannot send
 * escape sequences to the user's terminal; otherwise the bytes are copied as they are.
 */
void tool_format_topic(tool_buf_t *out, const char *t, size_t len, bool escape);

/** Appends @p m formatted with @p fmt (already checked) to @p out. */
void tool_format_message(tool_buf_t *out, const char *fmt, const mqtls_publish_t *m,
                         const tool_msg_ctx_t *ctx);

/**
 * Appends the compact JSON text @p json (@p len bytes, as tool_format_json() writes it)
 * laid out as mosquitto_sub --pretty does (cJSON's formatted output): one member per line,
 * indented with tabs, a tab after each ':', arrays on one line with ", " between values.
 */
void tool_format_json_pretty(tool_buf_t *out, const char *json, size_t len);

/** Appends @p m as the JSON object of %j. */
void tool_format_json(tool_buf_t *out, const mqtls_publish_t *m);

#endif
