/**
 * @file transport.h
 * @brief The one contract between the session layer and a byte stream (TCP, TLS, a mock).
 *
 * A transport is a table of functions and an opaque context the caller owns. The session
 * never looks inside the context. All functions are non-blocking except where noted.
 */
#ifndef MQTLS_TRANSPORT_H
#define MQTLS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mqtls/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One piece of a gathered send. */
typedef struct mqtls_iov {
    const void *base;
    size_t len;
} mqtls_iov_t;

/** The operations of a transport. @c wait may be NULL; the others may not. */
typedef struct mqtls_transport {
    /**
     * Starts or continues opening a connection to @p host : @p port (DNS, TCP, and for TLS
     * the handshake). Called again with the same arguments while it returns
     * MQTLS_IN_PROGRESS. The session enforces the overall timeout and calls @c close on it.
     * @retval MQTLS_OK          open and ready for MQTT
     * @retval MQTLS_IN_PROGRESS not yet: call again (after @c wait, if there is one)
     * @retval other             the failure (MQTLS_ERR_DNS, MQTLS_ERR_CONNECT_REFUSED, ...)
     */
    mqtls_status_t (*connect)(void *ctx, const char *host, uint16_t port);

    /**
     * Sends bytes gathered from @p iov (in order).
     * @return bytes accepted (0: would block, call again), or -(int32_t)status on failure.
     */
    int32_t (*send)(void *ctx, const mqtls_iov_t *iov, size_t iovcnt);

    /**
     * Receives up to @p len bytes.
     * @return bytes read (0: nothing available now), or -(int32_t)status: MQTLS_ERR_CLOSED
     *         when the peer closed the stream, another status on failure.
     */
    int32_t (*recv)(void *ctx, uint8_t *buf, size_t len);

    /**
     * Blocks until the transport can read (or write, if @p for_write), or @p timeout_ms
     * passes. Used only by the blocking convenience layer.
     * @retval MQTLS_OK           ready (or spurious wake-up: callers loop)
     * @retval MQTLS_ERR_TIMEOUT  the time passed
     */
    mqtls_status_t (*wait)(void *ctx, int for_write, uint32_t timeout_ms);

    /** Closes the connection; safe to call when not open, and twice. */
    void (*close)(void *ctx);
} mqtls_transport_t;

#ifdef __cplusplus
}
#endif
#endif
