/**
 * @file tool_trace.h
 * @brief -d: a transport that wraps another one and prints every MQTT packet that goes
 *        through it ("Client ID sending CONNECT", "Client ID received CONNACK (0)", ...).
 *
 * The client library has no logging hook, so the tool watches the byte stream instead and
 * decodes it with the public codec. Without -d the wrapper only follows the packet framing
 * (payloads are not copied) to know when incoming QoS 2 exchanges are complete, so that
 * `mqtls sub -C` can finish them before it disconnects.
 */
#ifndef TOOL_TRACE_H
#define TOOL_TRACE_H

#include <stdbool.h>

#include "mqtls/codec.h"
#include "mqtls/transport.h"
#include "common/tool_util.h"

/** One direction of the stream: where the current packet's framing stands. */
typedef struct tool_stream {
    uint8_t hdr[5];     /**< fixed header bytes read so far */
    size_t hdr_len;
    bool in_body;       /**< the fixed header is complete */
    uint32_t left;      /**< body bytes still to come */
    tool_buf_t buf;     /**< -d: the whole packet, for decoding */
} tool_stream_t;

/** The wrapper's context. */
typedef struct tool_trace {
    const mqtls_transport_t *inner;
    void *inner_ctx;
    mqtls_version_t version;
    char *client_id;      /**< shown in every line; replaced by an assigned id */
    tool_stream_t in;
    tool_stream_t out;
    FILE *log;            /**< NULL: no printing, only the framing and the counter below */
    uint32_t qos2_open;   /**< incoming QoS 2 PUBLISHes whose PUBCOMP has not been sent */
} tool_trace_t;

/** The wrapping operations; pass with a tool_trace_t as the context. */
extern const mqtls_transport_t tool_trace_transport;

/** Wraps @p inner / @p inner_ctx; lines go to @p log (NULL: print nothing). */
void tool_trace_init(tool_trace_t *t, const mqtls_transport_t *inner, void *inner_ctx,
                     mqtls_version_t version, const char *client_id, FILE *log);

/** Changes the id shown (the broker assigned one). */
void tool_trace_set_id(tool_trace_t *t, const char *id, size_t len);

/** Incoming QoS 2 messages whose exchange (PUBREL, PUBCOMP) is not finished. */
uint32_t tool_trace_qos2_open(const tool_trace_t *t);

/** Frees the buffers. */
void tool_trace_free(tool_trace_t *t);

#endif
