/**
 * @file tool_trace.h
 * @brief -d: prints every MQTT packet the client sends or receives ("Client ID sending
 *        CONNECT", "Client ID received CONNACK (0)", ...), from the library's trace hook
 *        (mqtls_client_cfg_t.trace). Line formats follow mosquitto's clients.
 */
#ifndef TOOL_TRACE_H
#define TOOL_TRACE_H

#include <stdio.h>

#include "mqtls/client.h"

/** The printer's context. */
typedef struct tool_trace {
    mqtls_version_t version;
    char *client_id;      /**< shown in every line; replaced by an assigned id */
    FILE *log;            /**< where the lines go */
} tool_trace_t;

/** Prints lines to @p log for a client of @p version known as @p client_id. */
void tool_trace_init(tool_trace_t *t, mqtls_version_t version, const char *client_id,
                     FILE *log);

/** Changes the id shown (the broker assigned one). */
void tool_trace_set_id(tool_trace_t *t, const char *id, size_t len);

/** The trace hook: prints the packet @p tr (pass a tool_trace_t as @p ctx). */
void tool_trace_packet(mqtls_client_t *c, const mqtls_trace_t *tr, void *ctx);

/** Frees the id. */
void tool_trace_free(tool_trace_t *t);

#endif
