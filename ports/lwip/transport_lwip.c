/**
 * @file transport_lwip.c
 * @brief The lwIP transport: TCP on lwIP's sockets API (see mqtls/transport_lwip.h).
 *
 * It mirrors src/transport/tcp_posix.c with lwIP's names (lwip_socket, lwip_connect,
 * lwip_writev, lwip_recv, lwip_poll or lwip_select, lwip_fcntl, lwip_getaddrinfo), which
 * exist whatever LWIP_COMPAT_SOCKETS says. errno comes through lwip/errno.h: lwIP's own
 * values (LWIP_PROVIDE_ERRNO) or the C library's (LWIP_ERRNO_STDINCLUDE).
 *
 * Connection life: closed (fd == -1) -> connecting (fd >= 0, connecting) -> open.
 */
#include "mqtls/transport_lwip.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "lwip/opt.h"

#if !LWIP_SOCKET
#error "the lwIP transport needs the sockets API: LWIP_SOCKET=1 in lwipopts.h"
#endif
#if !LWIP_TCP
#error "the lwIP transport needs TCP: LWIP_TCP=1 in lwipopts.h"
#endif

#include "lwip/errno.h"
#include "lwip/sockets.h"
#if LWIP_DNS
#include "lwip/netdb.h"
#endif

/* lwIP's writev takes at most IOV_MAX pieces; more are sent by a later call, which the
 * "bytes accepted" contract allows. It also bounds the stack copy below. */
#define LWIP_T_IOV_MAX 8

static int32_t neg(mqtls_status_t s)
{
    return -(int32_t)s;
}

static mqtls_status_t status_from_errno(int err)
{
    switch (err) {
    case ECONNREFUSED:
        return MQTLS_ERR_CONNECT_REFUSED;
    case ENETUNREACH:
    case EHOSTUNREACH:
        return MQTLS_ERR_UNREACHABLE;
    case ETIMEDOUT:
        return MQTLS_ERR_TIMEOUT;
    case EPIPE:
    case ECONNRESET:
    case ECONNABORTED:
    case ENOTCONN:
        return MQTLS_ERR_CLOSED;
    default:
        return MQTLS_ERR_IO;
    }
}

/* lwIP reports the reset that answers a connect as ECONNRESET: a refusal all the same. */
static mqtls_status_t connect_status(int err)
{
    return err == ECONNRESET ? MQTLS_ERR_CONNECT_REFUSED : status_from_errno(err);
}

static bool would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

void mqtls_lwip_init(mqtls_lwip_t *t)
{
    t->fd = -1;
    t->connecting = false;
    t->last_errno = 0;
}

int mqtls_lwip_fd(const mqtls_lwip_t *t)
{
    return t != NULL ? t->fd : -1;
}

/* Unread input is read away before closing: lwIP answers a close with data the application
 * never took with a reset, and a reset can destroy what we wrote last (a PUBACK, the
 * DISCONNECT) before the broker reads it. Bounded; the socket is non-blocking. */
static void close_socket(mqtls_lwip_t *t)
{
    uint8_t sink[256];
    for (int i = 0; t->fd >= 0 && !t->connecting && i < 256; i++)
        if (lwip_recv(t->fd, sink, sizeof sink, 0) <= 0)
            break;
    if (t->fd >= 0)
        (void)lwip_close(t->fd);
    t->fd = -1;
    t->connecting = false;
}

static mqtls_status_t fail(mqtls_lwip_t *t, int err, mqtls_status_t st)
{
    t->last_errno = err;
    close_socket(t);
    return st;
}

/* Stores @p port in network byte order, whatever the host's order. */
static void set_port(void *field, uint16_t port)
{
    uint8_t *p = field;
    p[0] = (uint8_t)(port >> 8);
    p[1] = (uint8_t)port;
}

/* The server's address: an address literal as is, a name through lwIP's resolver. */
static mqtls_status_t resolve(mqtls_lwip_t *t, const char *host, uint16_t port,
                              struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)ss;
    if (lwip_inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        set_port(&in4->sin_port, port);
        *len = (socklen_t)sizeof *in4;
        return MQTLS_OK;
    }
#if LWIP_IPV6
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;
    if (lwip_inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        set_port(&in6->sin6_port, port);
        *len = (socklen_t)sizeof *in6;
        return MQTLS_OK;
    }
#endif
#if LWIP_DNS
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = lwip_getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL || res->ai_addrlen > sizeof *ss) {
        if (res != NULL)
            lwip_freeaddrinfo(res);
        t->last_errno = rc != 0 ? rc : EAI_FAIL;
        return MQTLS_ERR_DNS;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = (socklen_t)res->ai_addrlen;
    lwip_freeaddrinfo(res);
    if (ss->ss_family == AF_INET)
        set_port(&in4->sin_port, port);
#if LWIP_IPV6
    else
        set_port(&in6->sin6_port, port);
#endif
    return MQTLS_OK;
#else
    (void)port;
    t->last_errno = 0;
    return MQTLS_ERR_DNS; /* LWIP_DNS=0: addresses only */
#endif
}

/* Waits up to @p timeout_ms for @p fd; 1 ready, 0 not yet, -1 with errno on failure. */
static int wait_fd(int fd, bool for_write, uint32_t timeout_ms)
{
    int ms = timeout_ms > (uint32_t)INT_MAX ? INT_MAX : (int)timeout_ms;
#if LWIP_SOCKET_POLL
    struct pollfd p;
    p.fd = fd;
    p.events = (short)(for_write ? POLLOUT : POLLIN);
    p.revents = 0;
    return lwip_poll(&p, 1, ms);
#else
    fd_set set, err;
    struct timeval tv;
    FD_ZERO(&set);
    FD_ZERO(&err);
    FD_SET(fd, &set);
    FD_SET(fd, &err);
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return lwip_select(fd + 1, for_write ? NULL : &set, for_write ? &set : NULL, &err, &tv);
#endif
}

static mqtls_status_t start_connect(mqtls_lwip_t *t, const char *host, uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    mqtls_status_t st = resolve(t, host, port, &ss, &len);
    if (st != MQTLS_OK)
        return st;
    t->fd = lwip_socket(ss.ss_family, SOCK_STREAM, IPPROTO_TCP);
    if (t->fd < 0)
        return fail(t, errno, MQTLS_ERR_IO);
    int fl = lwip_fcntl(t->fd, F_GETFL, 0);
    if (fl < 0 || lwip_fcntl(t->fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return fail(t, errno, MQTLS_ERR_IO);
    if (lwip_connect(t->fd, (const struct sockaddr *)(const void *)&ss, len) == 0)
        return MQTLS_OK;
    if (errno == EINPROGRESS || errno == EINTR) {
        t->connecting = true;
        return MQTLS_IN_PROGRESS;
    }
    return fail(t, errno, connect_status(errno));
}

static mqtls_status_t continue_connect(mqtls_lwip_t *t)
{
    int err = 0;
    socklen_t len = (socklen_t)sizeof err;
    int rc = wait_fd(t->fd, true, 0);
    if (rc < 0)
        return fail(t, errno, MQTLS_ERR_IO);
    if (rc == 0)
        return MQTLS_IN_PROGRESS;
    if (lwip_getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err != 0)
        return fail(t, err, connect_status(err));
    t->connecting = false;
    return MQTLS_OK;
}

static mqtls_status_t lwip_t_connect(void *ctx, const char *host, uint16_t port)
{
    mqtls_lwip_t *t = ctx;
    mqtls_status_t st;
    if (t == NULL || host == NULL || host[0] == '\0' || port == 0)
        return MQTLS_ERR_BAD_PARAM;
    if (t->fd >= 0 && !t->connecting)
        return MQTLS_OK;
    st = t->fd < 0 ? start_connect(t, host, port) : continue_connect(t);
    if (st == MQTLS_OK) {
        int one = 1;
        t->connecting = false;
        t->last_errno = 0;
        /* MQTT packets are small and answered one by one: Nagle would delay each. */
        (void)lwip_setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, (socklen_t)sizeof one);
    }
    return st;
}

static int32_t lwip_t_send(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    mqtls_lwip_t *t = ctx;
    struct iovec vec[LWIP_T_IOV_MAX];
    size_t total = 0;
    int n = 0;
    if (t == NULL || (iov == NULL && iovcnt > 0))
        return neg(MQTLS_ERR_BAD_PARAM);
    if (t->fd < 0 || t->connecting)
        return neg(MQTLS_ERR_STATE);
    for (size_t i = 0; i < iovcnt && n < LWIP_T_IOV_MAX && total < (size_t)INT32_MAX; i++) {
        size_t len = iov[i].len;
        if (len > (size_t)INT32_MAX - total)
            len = (size_t)INT32_MAX - total;
        /* iovec is not const; writev only reads through it. The uintptr_t round trip only
         * drops const. NOLINTNEXTLINE(performance-no-int-to-ptr) */
        vec[n].iov_base = (void *)(uintptr_t)iov[i].base;
        vec[n].iov_len = len;
        total += len;
        n++;
    }
    if (total == 0)
        return 0;
    ssize_t w = lwip_writev(t->fd, vec, n);
    if (w >= 0)
        return (int32_t)w;
    if (would_block(errno))
        return 0;
    t->last_errno = errno;
    return neg(status_from_errno(errno));
}

static int32_t lwip_t_recv(void *ctx, uint8_t *buf, size_t len)
{
    mqtls_lwip_t *t = ctx;
    if (t == NULL || buf == NULL)
        return neg(MQTLS_ERR_BAD_PARAM);
    if (t->fd < 0 || t->connecting)
        return neg(MQTLS_ERR_STATE);
    if (len == 0)
        return 0; /* recv() would return 0, which would look like end of stream */
    if (len > (size_t)INT32_MAX)
        len = (size_t)INT32_MAX;
    ssize_t r = lwip_recv(t->fd, buf, len, 0);
    if (r > 0)
        return (int32_t)r;
    if (r == 0)
        return neg(MQTLS_ERR_CLOSED);
    if (would_block(errno))
        return 0;
    t->last_errno = errno;
    return neg(status_from_errno(errno));
}

static mqtls_status_t lwip_t_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    mqtls_lwip_t *t = ctx;
    if (t == NULL || t->fd < 0)
        return MQTLS_ERR_STATE;
    /* A pending connect becomes writable when it ends. */
    int rc = wait_fd(t->fd, for_write || t->connecting, timeout_ms);
    if (rc > 0)
        return MQTLS_OK; /* includes errors: the next call reports them */
    if (rc == 0)
        return MQTLS_ERR_TIMEOUT;
    if (errno == EINTR)
        return MQTLS_OK;
    t->last_errno = errno;
    return MQTLS_ERR_IO;
}

static void lwip_t_close(void *ctx)
{
    mqtls_lwip_t *t = ctx;
    if (t != NULL)
        close_socket(t);
}

const mqtls_transport_t mqtls_lwip_transport = {
    lwip_t_connect, lwip_t_send, lwip_t_recv, lwip_t_wait, lwip_t_close,
};
