/**
 * @file tool_bind.h
 * @brief -A: a TCP transport whose socket is bound to a local address before it connects.
 *
 * The library's TCP transport (transport_tcp.h) has no way to bind the socket, so the tool
 * brings this small one for -A only; without -A the tool uses mqtls_tcp_transport.
 */
#ifndef TOOL_BIND_H
#define TOOL_BIND_H

#include "mqtls/transport.h"

/** Context of the binding transport. */
typedef struct tool_bind {
    int fd;
    const char *bind_addr;
    void *addrs;       /**< struct addrinfo list while connecting */
    void *next;        /**< the address being tried */
    int last_errno;    /**< errno (or getaddrinfo code) of the last failure */
    mqtls_status_t last_status;
    char why[192];     /**< the last failure in words */
} tool_bind_t;

/** The operations; pass with a tool_bind_t as the context. */
extern const mqtls_transport_t tool_bind_transport;

/** Prepares @p b (closed) to bind to @p bind_addr. */
void tool_bind_init(tool_bind_t *b, const char *bind_addr);

/** The socket, or -1. */
int tool_bind_fd(const tool_bind_t *b);

/** The last failure in words ("cannot bind to ADDR: ..."), or NULL. */
const char *tool_bind_error(const tool_bind_t *b);

#endif
