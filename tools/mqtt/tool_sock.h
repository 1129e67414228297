/**
 * @file tool_sock.h
 * @brief The socket I/O that the tool's own stream transports share (-A's binding TCP,
 *        --unix): gathered non-blocking sends, receives, waits and the pending-connect check,
 *        with errno translated to mqtls statuses once.
 */
#ifndef TOOL_SOCK_H
#define TOOL_SOCK_H

#include <stddef.h>
#include <stdint.h>

#include "mqtls/transport.h"

/** The status for a socket error (a missing Unix socket file counts as refused). */
mqtls_status_t tool_sock_status(int err);

/** Sets O_NONBLOCK on @p fd; returns 0, or the errno. */
int tool_sock_nonblock(int fd);

/**
 * A connect in progress on @p fd: MQTLS_IN_PROGRESS while it is, MQTLS_OK once done; 0 in
 * *err then, or the socket's error (the connect failed).
 */
mqtls_status_t tool_sock_connect_done(int fd, int *err);

/** The transport's send (see transport.h) on @p fd; on a failure errno is left set. */
int32_t tool_sock_send(int fd, const mqtls_iov_t *iov, size_t iovcnt);

/** The transport's recv (see transport.h) on @p fd; on a failure errno is left set (0 at
 *  the orderly end of the stream). */
int32_t tool_sock_recv(int fd, uint8_t *buf, size_t len);

/** The transport's wait (see transport.h) on @p fd (none open: just the time). */
mqtls_status_t tool_sock_wait(int fd, int for_write, uint32_t timeout_ms);

/** Closes @p fd after reading away unread input, so that the peer gets an orderly end and
 *  every byte written (as src/transport/tcp_posix.c does). */
void tool_sock_close(int fd);

#endif
