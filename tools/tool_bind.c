/**
 * @file tool_bind.c
 * @brief The -A transport (see tool_bind.h): non-blocking TCP with bind() before connect().
 */
#include "tool_bind.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tool_sock.h"

void tool_bind_init(tool_bind_t *b, const char *bind_addr)
{
    memset(b, 0, sizeof *b);
    b->fd = -1;
    b->bind_addr = bind_addr;
}

int tool_bind_fd(const tool_bind_t *b)
{
    return b->fd;
}

const char *tool_bind_error(const tool_bind_t *b)
{
    return b->why[0] ? b->why : NULL;
}

static mqtls_status_t fail(tool_bind_t *b, int e, mqtls_status_t st)
{
    b->last_errno = e;
    b->last_status = st;
    snprintf(b->why, sizeof b->why, "%s", st == MQTLS_ERR_DNS ? gai_strerror(e) : strerror(e));
    return st;
}

/* The -A address could not be used: an I/O failure, explained in b->why. */
static mqtls_status_t fail_bind(tool_bind_t *b, const char *text)
{
    b->last_status = MQTLS_ERR_IO;
    snprintf(b->why, sizeof b->why, "cannot bind to %s: %s", b->bind_addr, text);
    return MQTLS_ERR_IO;
}

static void drop_addrs(tool_bind_t *b)
{
    if (b->addrs)
        freeaddrinfo(b->addrs);
    b->addrs = b->next = NULL;
}

static void close_fd(tool_bind_t *b)
{
    if (b->fd >= 0)
        tool_sock_close(b->fd);
    b->fd = -1;
}

/* Binds the socket to the -A address, in the family of the address being tried. */
static int bind_local(tool_bind_t *b, int family)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(b->bind_addr, NULL, &hints, &res);
    if (rc != 0) {
        fail_bind(b, gai_strerror(rc));
        return -1;
    }
    rc = bind(b->fd, res->ai_addr, res->ai_addrlen);
    if (rc != 0)
        fail_bind(b, strerror(errno));
    freeaddrinfo(res);
    return rc;
}

/* Starts connecting to the current address: OK, IN_PROGRESS or an error for this address. */
static mqtls_status_t start_one(tool_bind_t *b)
{
    struct addrinfo *ai = b->next;
    b->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (b->fd < 0)
        return fail(b, errno, MQTLS_ERR_IO);
    int e = tool_sock_nonblock(b->fd);
    if (e)
        return fail(b, e, MQTLS_ERR_IO);
    if (bind_local(b, ai->ai_family) != 0)
        return b->last_status;
    if (connect(b->fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return MQTLS_OK;
    if (errno == EINPROGRESS)
        return MQTLS_IN_PROGRESS;
    return fail(b, errno, tool_sock_status(errno));
}

/* The socket is connecting: has it finished? */
static mqtls_status_t check_pending(tool_bind_t *b)
{
    int err;
    if (tool_sock_connect_done(b->fd, &err) == MQTLS_IN_PROGRESS)
        return MQTLS_IN_PROGRESS;
    return err ? fail(b, err, tool_sock_status(err)) : MQTLS_OK;
}

static mqtls_status_t resolve(tool_bind_t *b, const char *host, uint16_t port)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0)
        return fail(b, rc, MQTLS_ERR_DNS);
    b->addrs = b->next = res;
    return MQTLS_OK;
}

static mqtls_status_t bt_connect(void *ctx, const char *host, uint16_t port)
{
    tool_bind_t *b = ctx;
    if (!b->addrs) {
        mqtls_status_t st = resolve(b, host, port);
        if (st != MQTLS_OK)
            return st;
    }
    for (;;) {
        mqtls_status_t st = b->fd < 0 ? start_one(b) : check_pending(b);
        if (st == MQTLS_OK || st == MQTLS_IN_PROGRESS) {
            if (st == MQTLS_OK)
                drop_addrs(b);
            return st;
        }
        close_fd(b);
        b->next = ((struct addrinfo *)b->next)->ai_next;
        if (!b->next) {
            drop_addrs(b);
            return st;
        }
    }
}

static int32_t bt_send(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    tool_bind_t *b = ctx;
    int32_t r = tool_sock_send(b->fd, iov, iovcnt);
    if (r < 0) /* kept for the error message */
        fail(b, errno, (mqtls_status_t)-r);
    return r;
}

static int32_t bt_recv(void *ctx, uint8_t *buf, size_t len)
{
    tool_bind_t *b = ctx;
    int32_t r = tool_sock_recv(b->fd, buf, len);
    if (r < 0 && errno) /* kept for the error message (not at the stream's orderly end) */
        fail(b, errno, (mqtls_status_t)-r);
    return r;
}

static mqtls_status_t bt_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    return tool_sock_wait(((tool_bind_t *)ctx)->fd, for_write, timeout_ms);
}

static void bt_close(void *ctx)
{
    tool_bind_t *b = ctx;
    close_fd(b);
    drop_addrs(b);
}

const mqtls_transport_t tool_bind_transport = {
    bt_connect, bt_send, bt_recv, bt_wait, bt_close
};
