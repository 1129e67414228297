/**
 * @file tool_trace.h
 * @brief -d: a transport that wraps another one and prints every MQTT packet that goes
 *        through it ("Client ID sending CONNECT", "Client ID received CONNACK (0)", ...).
 *
 * The client library has no logging hook, so the tool watches the byte stream instead and
 * decodes it with the public codec.
 */
#ifndef TOOL_TRACE_H
#define TOOL_TRACE_H

#include <stdbool.h>

#include "mqtls/codec.h"
#include "mqtls/transport.h"
#include "tool_util.h"

/** One direction of the stream: bytes of the packet being assembled. */
typedef struct tool_stream {
    tool_buf_t buf;
} tool_stream_t;

/** The wrapper's context. */
typedef struct tool_trace {
    const mqtls_transport_t *inner;
    void *inner_ctx;
    mqtls_version_t version;
    char *client_id;      /**< shown in every line; replaced by an assigned id */
    tool_stream_t in;
    tool_stream_t out;
    FILE *log;
} tool_trace_t;

/** The wrapping operations; pass with a tool_trace_t as the context. */
extern const mqtls_transport_t tool_trace_transport;

/** Wraps @p inner / @p inner_ctx; lines go to @p log. */
void tool_trace_init(tool_trace_t *t, const mqtls_transport_t *inner, void *inner_ctx,
                     mqtls_version_t version, const char *client_id, FILE *log);

/** Changes the id shown (the broker assigned one). */
void tool_trace_set_id(tool_trace_t *t, const char *id, size_t len);

/** Frees the buffers. */
void tool_trace_free(tool_trace_t *t);

#endif
