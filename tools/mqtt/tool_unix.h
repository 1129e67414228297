/**
 * @file tool_unix.h
 * @brief --unix: MQTT over a Unix stream socket (mosquitto listens on one with
 *        `listener 0 /path/to/socket`), as a transport like the TCP one.
 *
 * The library's transports speak TCP and TLS; a local socket is a tool feature, so the tool
 * brings this small transport. The host and port the client passes to @c connect are not
 * used: the path is the address.
 */
#ifndef TOOL_UNIX_H
#define TOOL_UNIX_H

#include <stdbool.h>

#include "mqtls/transport.h"

/** Context of the Unix socket transport. */
typedef struct tool_unix {
    int fd;               /**< the socket, -1 when closed */
    bool connecting;      /**< connect() returned EINPROGRESS and has not finished */
    const char *path;     /**< the socket's path (not copied) */
    char why[160];        /**< the last failure in words, or "" */
} tool_unix_t;

/** The operations; pass with a tool_unix_t as the context. */
extern const mqtls_transport_t tool_unix_transport;

/** Prepares @p u (closed) to connect to the socket at @p path. */
void tool_unix_init(tool_unix_t *u, const char *path);

/** Tells whether @p path fits a socket address (sun_path holds 107 bytes and a NUL). */
bool tool_unix_path_fits(const char *path);

/** The socket, or -1. */
int tool_unix_fd(const tool_unix_t *u);

/** The last failure in words (strerror: "No such file or directory"), or NULL. */
const char *tool_unix_error(const tool_unix_t *u);

#endif
