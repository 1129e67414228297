/**
 * @file tool_unix.c
 * @brief The --unix transport (see tool_unix.h): a non-blocking Unix stream socket with
 *        gathered sends, in the shape of the TCP transport.
 */
#include "tool_unix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_IOV 16

void tool_unix_init(tool_unix_t *u, const char *path)
{
    memset(u, 0, sizeof *u);
    u->fd = -1;
    u->path = path;
}

bool tool_unix_path_fits(const char *path)
{
    struct sockaddr_un sa;
    return strlen(path) < sizeof sa.sun_path;
}

int tool_unix_fd(const tool_unix_t *u)
{
    return u->fd;
}

const char *tool_unix_error(const tool_unix_t *u)
{
    return u->why[0] ? u->why : NULL;
}

/* A missing socket file is "nobody listens here", as a refused TCP port is. */
static mqtls_status_t errno_status(int e)
{
    switch (e) {
    case ECONNREFUSED:
    case ENOENT: return MQTLS_ERR_CONNECT_REFUSED;
    case EPIPE:
    case ECONNRESET: return MQTLS_ERR_CLOSED;
    default: return MQTLS_ERR_IO;
    }
}

static void close_fd(tool_unix_t *u)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    u->connecting = false;
}

static mqtls_status_t fail(tool_unix_t *u, int e)
{
    snprintf(u->why, sizeof u->why, "%s", strerror(e));
    close_fd(u);
    return errno_status(e);
}

/* Opens the socket and starts connecting: OK, IN_PROGRESS or the failure. */
static mqtls_status_t start(tool_unix_t *u)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (!tool_unix_path_fits(u->path))
        return fail(u, ENAMETOOLONG);
    memcpy(sa.sun_path, u->path, strlen(u->path));
    u->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (u->fd < 0)
        return fail(u, errno);
    if (fcntl(u->fd, F_SETFL, fcntl(u->fd, F_GETFL) | O_NONBLOCK) != 0)
        return fail(u, errno);
    if (connect(u->fd, (struct sockaddr *)&sa, sizeof sa) == 0)
        return MQTLS_OK;
    if (errno == EINPROGRESS) {
        u->connecting = true;
        return MQTLS_IN_PROGRESS;
    }
    if (errno == EAGAIN) { /* the listener's backlog is full: try again on the next call */
        close_fd(u);
        return MQTLS_IN_PROGRESS;
    }
    return fail(u, errno);
}

/* A pending connect: finished once the socket is writable. */
static mqtls_status_t check_pending(tool_unix_t *u)
{
    struct pollfd p = {u->fd, POLLOUT, 0};
    if (poll(&p, 1, 0) == 0)
        return MQTLS_IN_PROGRESS;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err)
        return fail(u, err);
    u->connecting = false;
    return MQTLS_OK;
}

static mqtls_status_t ux_connect(void *ctx, const char *host, uint16_t port)
{
    tool_unix_t *u = ctx;
    (void)host, (void)port; /* the path is the address */
    if (u->fd >= 0)
        return u->connecting ? check_pending(u) : MQTLS_OK;
    u->why[0] = '\0';
    return start(u);
}

static int32_t ux_send(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    tool_unix_t *u = ctx;
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
    ssize_t r = sendmsg(u->fd, &msg, MSG_NOSIGNAL);
    if (r >= 0)
        return r > INT32_MAX ? INT32_MAX : (int32_t)r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -(int32_t)errno_status(errno);
}

static int32_t ux_recv(void *ctx, uint8_t *buf, size_t len)
{
    tool_unix_t *u = ctx;
    if (len > INT32_MAX)
        len = INT32_MAX;
    ssize_t r = recv(u->fd, buf, len, 0);
    if (r > 0)
        return (int32_t)r;
    if (r == 0)
        return -(int32_t)MQTLS_ERR_CLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -(int32_t)errno_status(errno);
}

static mqtls_status_t ux_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    tool_unix_t *u = ctx;
    struct pollfd p = {u->fd, (short)(for_write ? POLLOUT : POLLIN), 0};
    int r = poll(&p, u->fd >= 0 ? 1 : 0, timeout_ms > INT32_MAX ? INT32_MAX : (int)timeout_ms);
    return r == 0 ? MQTLS_ERR_TIMEOUT : MQTLS_OK;
}

static void ux_close(void *ctx)
{
    close_fd(ctx);
}

const mqtls_transport_t tool_unix_transport = {
    ux_connect, ux_send, ux_recv, ux_wait, ux_close
};
