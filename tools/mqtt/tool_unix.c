/**
 * @file tool_unix.c
 * @brief The --unix transport (see tool_unix.h): a non-blocking Unix stream socket with
 *        gathered sends, in the shape of the TCP transport.
 */
#include "mqtt/tool_unix.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "mqtt/tool_sock.h"

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

static void close_fd(tool_unix_t *u)
{
    if (u->fd >= 0)
        tool_sock_close(u->fd);
    u->fd = -1;
    u->connecting = false;
}

static mqtls_status_t fail(tool_unix_t *u, int e)
{
    snprintf(u->why, sizeof u->why, "%s", strerror(e));
    close_fd(u);
    return tool_sock_status(e);
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
    int e = tool_sock_nonblock(u->fd);
    if (e)
        return fail(u, e);
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
    int err;
    if (tool_sock_connect_done(u->fd, &err) == MQTLS_IN_PROGRESS)
        return MQTLS_IN_PROGRESS;
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
    return tool_sock_send(((tool_unix_t *)ctx)->fd, iov, iovcnt);
}

static int32_t ux_recv(void *ctx, uint8_t *buf, size_t len)
{
    return tool_sock_recv(((tool_unix_t *)ctx)->fd, buf, len);
}

static mqtls_status_t ux_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    return tool_sock_wait(((tool_unix_t *)ctx)->fd, for_write, timeout_ms);
}

static void ux_close(void *ctx)
{
    close_fd(ctx);
}

const mqtls_transport_t tool_unix_transport = {
    ux_connect, ux_send, ux_recv, ux_wait, ux_close
};
