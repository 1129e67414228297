/**
 * @file tool_sock.c
 * @brief Socket I/O shared by the tool's stream transports (see tool_sock.h).
 */
#include "mqtt/tool_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_IOV 16

mqtls_status_t tool_sock_status(int err)
{
    switch (err) {
    case ECONNREFUSED:
    case ENOENT: return MQTLS_ERR_CONNECT_REFUSED;
    case ENETUNREACH:
    case EHOSTUNREACH: return MQTLS_ERR_UNREACHABLE;
    case ETIMEDOUT: return MQTLS_ERR_TIMEOUT;
    case EPIPE:
    case ECONNRESET: return MQTLS_ERR_CLOSED;
    default: return MQTLS_ERR_IO;
    }
}

int tool_sock_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ? errno : 0;
}

mqtls_status_t tool_sock_connect_done(int fd, int *err)
{
    struct pollfd p = {fd, POLLOUT, 0};
    *err = 0;
    if (poll(&p, 1, 0) == 0)
        return MQTLS_IN_PROGRESS;
    socklen_t len = sizeof *err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) != 0)
        *err = errno;
    return MQTLS_OK;
}

int32_t tool_sock_send(int fd, const mqtls_iov_t *iov, size_t iovcnt)
{
    struct iovec v[MAX_IOV];
    size_t n = iovcnt < MAX_IOV ? iovcnt : MAX_IOV;
    for (size_t i = 0; i < n; i++) {
        v[i].iov_base = (void *)iov[i].base;
        v[i].iov_len = iov[i].len;
    }
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = v;
    msg.msg_iovlen = n;
    ssize_t r = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (r >= 0)
        return r > INT32_MAX ? INT32_MAX : (int32_t)r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -(int32_t)tool_sock_status(errno);
}

int32_t tool_sock_recv(int fd, uint8_t *buf, size_t len)
{
    if (len > INT32_MAX)
        len = INT32_MAX;
    ssize_t r = recv(fd, buf, len, 0);
    if (r > 0)
        return (int32_t)r;
    if (r == 0) {
        errno = 0; /* an orderly end, no error */
        return -(int32_t)MQTLS_ERR_CLOSED;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -(int32_t)tool_sock_status(errno);
}

mqtls_status_t tool_sock_wait(int fd, int for_write, uint32_t timeout_ms)
{
    struct pollfd p = {fd, (short)(for_write ? POLLOUT : POLLIN), 0};
    int r = poll(&p, fd >= 0 ? 1 : 0, timeout_ms > INT32_MAX ? INT32_MAX : (int)timeout_ms);
    return r == 0 ? MQTLS_ERR_TIMEOUT : MQTLS_OK;
}

void tool_sock_close(int fd)
{
    uint8_t sink[1024]; /* unread input first: a close with it would reset the connection */
    for (int i = 0; i < 1024 && recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; i++)
        ;
    close(fd);
}
