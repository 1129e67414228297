/**
 * @file tool_url.h
 * @brief `-L mqtt://[user[:password]@]host[:port]/topic` (and `mqtts://`: MQTT over TLS).
 */
#ifndef TOOL_URL_H
#define TOOL_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The parts of an MQTT URL. Strings are heap copies (tool_url_free). */
typedef struct tool_url {
    bool tls;        /**< mqtts:// */
    char *user;      /**< NULL when absent */
    char *password;  /**< NULL when absent */
    char *host;
    uint16_t port;   /**< 1883 (mqtt) or 8883 (mqtts) when absent */
    bool port_given; /**< the URL names a port */
    char *topic;     /**< NULL when the URL has no path */
} tool_url_t;

/**
 * Parses @p url. On failure writes the reason into @p err.
 * @return true on success
 */
bool tool_url_parse(const char *url, tool_url_t *out, char *err, size_t errlen);

/** Frees the strings of @p u. */
void tool_url_free(tool_url_t *u);

#endif
