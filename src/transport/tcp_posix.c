/**
 * @file tcp_posix.c
 * @brief The POSIX TCP transport: getaddrinfo, non-blocking connect over every address,
 *        gathered sends, non-blocking receives, poll()-based waiting.
 *
 * Connection life, as seen in the context:
 *  - closed:      fd == -1, addrs == NULL
 *  - connecting:  addrs != NULL (fd is the socket of next_addr while its connect is pending)
 *  - open:        fd >= 0, addrs == NULL
 */
#include "mqtls/transport_tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* POSIX guarantees at least 16 (_XOPEN_IOV_MAX); more pieces are sent by a later call,
 * which the "bytes accepted" contract allows. It also bounds the stack copy below. */
#define TCP_IOV_MAX 16

#ifdef MSG_NOSIGNAL
#define TCP_SEND_FLAGS MSG_NOSIGNAL
#else
#define TCP_SEND_FLAGS 0 /* SO_NOSIGPIPE is set on the socket instead */
#endif

static int32_t neg(mqtls_status_t s)
{
    return -(int32_t)s;
}

/* One place maps errno to a status, so every operation reports the same way. */
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
        return MQTLS_ERR_CLOSED; /* the peer went away while we were talking */
    default:
        return MQTLS_ERR_IO;
    }
}

static bool would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

void mqtls_tcp_init(mqtls_tcp_t *t, int family)
{
    t->fd = -1;
    t->family = family;
    t->last_errno = 0;
    t->addrs = NULL;
    t->next_addr = NULL;
    t->bind_addr = NULL;
    t->bind_errno = 0;
    t->unix_path = NULL;
    t->unix_pending = false;
}

void mqtls_tcp_unix(mqtls_tcp_t *t, const char *path)
{
    if (t != NULL) {
        t->unix_path = path;
    }
}

int mqtls_tcp_error(const mqtls_tcp_t *t)
{
    return t != NULL ? t->last_errno : 0;
}

void mqtls_tcp_bind(mqtls_tcp_t *t, const char *addr)
{
    if (t != NULL) {
        t->bind_addr = addr;
    }
}

int mqtls_tcp_bind_error(const mqtls_tcp_t *t)
{
    return t != NULL ? t->bind_errno : 0;
}

/* Binds the new socket to the local address, in the family of the address being tried.
 * The family decides: "127.0.0.1" cannot serve a connection to ::1 (the next address is
 * tried then). */
static int bind_local(mqtls_tcp_t *t, int family)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(t->bind_addr, NULL, &hints, &res);
    if (rc != 0 || res == NULL) {
        t->bind_errno = rc != 0 ? (rc < 0 ? rc : -rc) : EAI_NONAME;
        return -1;
    }
    rc = bind(t->fd, res->ai_addr, res->ai_addrlen);
    t->bind_errno = rc != 0 ? errno : 0;
    freeaddrinfo(res);
    return rc;
}

int mqtls_tcp_fd(const mqtls_tcp_t *t)
{
    return t != NULL ? t->fd : -1;
}

/* Input left unread (a client that paused, or stopped reading before its DISCONNECT) is
 * read away first: closing a socket with unread input resets the connection, and a reset
 * can destroy what we wrote last before the peer reads it (a PUBACK, our DISCONNECT, so
 * the broker would resend the message and publish the will). Bounded: a peer still
 * sending megabytes gets its reset. */
static void drain_input(int fd)
{
    uint8_t sink[1024];
    for (int i = 0; i < 1024; i++)
        if (recv(fd, sink, sizeof sink, MSG_DONTWAIT) <= 0)
            return;
}

static void close_socket(mqtls_tcp_t *t)
{
    if (t->fd >= 0) {
        drain_input(t->fd);
        close(t->fd);
        t->fd = -1;
    }
    t->unix_pending = false;
}

static void free_addrs(mqtls_tcp_t *t)
{
    if (t->addrs != NULL) {
        freeaddrinfo((struct addrinfo *)t->addrs);
    }
    t->addrs = NULL;
    t->next_addr = NULL;
}

/* When several addresses fail, a refusal is the most telling: it proves the host is there
 * and nothing listens, while the other addresses' errors (e.g. no IPv6 route) are noise. */
static void record_failure(mqtls_tcp_t *t, int err)
{
    if (t->last_errno != ECONNREFUSED) {
        t->last_errno = err;
    }
}

/* A non-blocking socket that programs the application starts do not inherit: in the one
 * call where the system has the flags (Linux, the BSDs), else set afterwards. */
static int new_socket(int family, int type, int protocol)
{
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    return socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
#else
    int fd = socket(family, type, protocol);
    int fl = fd >= 0 ? fcntl(fd, F_GETFL, 0) : -1;
    if (fd >= 0 && (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
                    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
#endif
}

/* Options for an established connection. Failures are harmless, so they are ignored. */
static void tune_socket(int fd)
{
    int one = 1;
    /* MQTT packets are small and answered one by one: Nagle would delay each of them. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
    /* Where MSG_NOSIGNAL is missing (BSD, macOS), a write to a dead peer must not kill us. */
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
}

static mqtls_status_t resolve(mqtls_tcp_t *t, const char *host, uint16_t port)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    char service[8];
    int rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = t->family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    /* No AI_ADDRCONFIG: it drops loopback-only families, and brokers on ::1 are common. */
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof service, "%u", (unsigned)port);

    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0 || res == NULL) {
        t->last_errno = rc != 0 ? rc : EAI_NONAME;
        return MQTLS_ERR_DNS;
    }
    t->addrs = res;
    t->next_addr = res;
    return MQTLS_OK;
}

/*
 * Starts a connect to next_addr, moving on while addresses fail at once.
 * MQTLS_IN_PROGRESS: the connect is pending on t->fd.
 */
static mqtls_status_t start_next(mqtls_tcp_t *t)
{
    while (t->next_addr != NULL) {
        struct addrinfo *ai = (struct addrinfo *)t->next_addr;
        int rc;

        t->fd = new_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (t->fd < 0) {
            record_failure(t, errno);
            close_socket(t);
            t->next_addr = ai->ai_next;
            continue;
        }
        if (t->bind_addr != NULL && bind_local(t, ai->ai_family) != 0) {
            record_failure(t, EADDRNOTAVAIL);
            close_socket(t);
            t->next_addr = ai->ai_next;
            continue;
        }
        rc = connect(t->fd, ai->ai_addr, ai->ai_addrlen);
        /* EINTR: the connect goes on asynchronously, exactly like EINPROGRESS. */
        if (rc != 0 && (errno == EINPROGRESS || errno == EINTR)) {
            return MQTLS_IN_PROGRESS;
        }
        if (rc == 0) {
            return MQTLS_OK;
        }
        record_failure(t, errno);
        close_socket(t);
        t->next_addr = ai->ai_next;
    }
    /* No address could even bind: the local address is the trouble, not the broker. */
    return t->bind_errno != 0 && t->last_errno == EADDRNOTAVAIL ? MQTLS_ERR_IO
                                                                : status_from_errno(t->last_errno);
}

/* 1: the pending connect has finished (*err says how); 0: still pending. */
static int pending_done(const mqtls_tcp_t *t, int *err)
{
    struct pollfd p;
    socklen_t len = sizeof *err;
    int rc;

    p.fd = t->fd;
    p.events = POLLOUT;
    p.revents = 0;
    rc = poll(&p, 1, 0);
    if (rc < 0) {
        *err = errno;
        return errno == EINTR ? 0 : 1;
    }
    if (rc == 0) {
        return 0;
    }
    *err = 0;
    if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, err, &len) != 0) {
        *err = errno;
    }
    return 1;
}

/* Called while connecting: checks the pending connect and moves to the next address. */
static mqtls_status_t continue_connect(mqtls_tcp_t *t)
{
    int err = 0;

    if (t->fd >= 0) {
        if (!pending_done(t, &err)) {
            return MQTLS_IN_PROGRESS;
        }
        if (err == 0) {
            return MQTLS_OK;
        }
        record_failure(t, err);
        close_socket(t);
        t->next_addr = ((struct addrinfo *)t->next_addr)->ai_next;
    }
    return start_next(t);
}

/* ---- a Unix stream socket (mqtls_tcp_unix) ---------------------------------------------- */

/* A socket file without a listener behind it, or none at all, is a refusal: nothing
 * listens there, as with a closed TCP port. */
static mqtls_status_t unix_failed(mqtls_tcp_t *t, int err)
{
    t->last_errno = err;
    close_socket(t);
    return err == ENOENT ? MQTLS_ERR_CONNECT_REFUSED : status_from_errno(err);
}

static mqtls_status_t unix_start(mqtls_tcp_t *t)
{
    struct sockaddr_un sa;
    size_t n = strlen(t->unix_path);
    memset(&sa, 0, sizeof sa);
    if (n == 0 || n >= sizeof sa.sun_path) {
        t->last_errno = ENAMETOOLONG;
        return MQTLS_ERR_BAD_PARAM;
    }
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, t->unix_path, n);
    t->fd = new_socket(AF_UNIX, SOCK_STREAM, 0);
    if (t->fd < 0) {
        return unix_failed(t, errno);
    }
    if (connect(t->fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
        return MQTLS_OK;
    }
    if (errno == EINPROGRESS || errno == EINTR) {
        t->unix_pending = true;
        return MQTLS_IN_PROGRESS;
    }
    if (errno == EAGAIN) { /* the listener's backlog is full: start again on the next call */
        close_socket(t);
        return MQTLS_IN_PROGRESS;
    }
    return unix_failed(t, errno);
}

static mqtls_status_t unix_connect(mqtls_tcp_t *t)
{
    int err = 0;
    if (t->fd >= 0 && !t->unix_pending) {
        return MQTLS_OK; /* already open */
    }
    if (t->fd < 0) {
        t->last_errno = 0;
        return unix_start(t);
    }
    if (!pending_done(t, &err)) {
        return MQTLS_IN_PROGRESS;
    }
    t->unix_pending = false;
    return err == 0 ? MQTLS_OK : unix_failed(t, err);
}

static bool valid_family(int family)
{
    return family == 0 || family == AF_INET || family == AF_INET6;
}

static mqtls_status_t tcp_connect(void *ctx, const char *host, uint16_t port)
{
    mqtls_tcp_t *t = ctx;
    mqtls_status_t s;

    if (t != NULL && t->unix_path != NULL) {
        return unix_connect(t);
    }
    if (t == NULL || host == NULL || host[0] == '\0' || port == 0 || !valid_family(t->family)) {
        return MQTLS_ERR_BAD_PARAM;
    }
    if (t->fd >= 0 && t->addrs == NULL) {
        return MQTLS_OK; /* already open */
    }
    if (t->addrs == NULL) {
        t->last_errno = 0;
        t->bind_errno = 0;
        s = resolve(t, host, port);
        if (s != MQTLS_OK) {
            return s;
        }
        s = start_next(t);
    } else {
        s = continue_connect(t);
    }
    if (s == MQTLS_OK) {
        tune_socket(t->fd);
        t->last_errno = 0;
        t->bind_errno = 0; /* another address bound: the bind was no trouble after all */
    }
    if (s != MQTLS_IN_PROGRESS) {
        /* Done either way: the list is only needed while addresses remain to be tried. */
        free_addrs(t);
    }
    return s;
}

/* Copies up to TCP_IOV_MAX pieces, keeping the total representable in the int32_t result. */
static int gather(const mqtls_iov_t *iov, size_t iovcnt, struct iovec *out)
{
    size_t total = 0;
    int n = 0;

    for (size_t i = 0; i < iovcnt && n < TCP_IOV_MAX && total < (size_t)INT32_MAX; i++) {
        size_t len = iov[i].len;
        if (len > (size_t)INT32_MAX - total) {
            len = (size_t)INT32_MAX - total;
        }
        /* POSIX iovec is not const; sendmsg only reads through it. The uintptr_t round trip
         * only drops const. NOLINTNEXTLINE(performance-no-int-to-ptr) */
        out[n].iov_base = (void *)(uintptr_t)iov[i].base;
        out[n].iov_len = len;
        total += len;
        n++;
    }
    return n;
}

static int32_t tcp_send(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    mqtls_tcp_t *t = ctx;
    struct iovec vec[TCP_IOV_MAX];
    struct msghdr msg;
    ssize_t n;

    if (t == NULL || (iov == NULL && iovcnt > 0)) {
        return neg(MQTLS_ERR_BAD_PARAM);
    }
    if (t->fd < 0 || t->addrs != NULL) {
        return neg(MQTLS_ERR_STATE);
    }
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = vec;
    msg.msg_iovlen = gather(iov, iovcnt, vec);
    if (msg.msg_iovlen == 0) {
        return 0;
    }
    n = sendmsg(t->fd, &msg, TCP_SEND_FLAGS);
    if (n >= 0) {
        return (int32_t)n;
    }
    if (would_block(errno)) {
        return 0;
    }
    t->last_errno = errno;
    return neg(status_from_errno(errno));
}

static int32_t tcp_recv(void *ctx, uint8_t *buf, size_t len)
{
    mqtls_tcp_t *t = ctx;
    ssize_t n;

    if (t == NULL || buf == NULL) {
        return neg(MQTLS_ERR_BAD_PARAM);
    }
    if (t->fd < 0 || t->addrs != NULL) {
        return neg(MQTLS_ERR_STATE);
    }
    if (len == 0) {
        return 0; /* recv() would return 0, which would look like end of stream */
    }
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX;
    }
    n = recv(t->fd, buf, len, 0);
    if (n > 0) {
        return (int32_t)n;
    }
    if (n == 0) {
        return neg(MQTLS_ERR_CLOSED);
    }
    if (would_block(errno)) {
        return 0;
    }
    t->last_errno = errno;
    return neg(status_from_errno(errno));
}

static mqtls_status_t tcp_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    mqtls_tcp_t *t = ctx;
    struct pollfd p;
    int rc;

    if (t == NULL || t->fd < 0) {
        return MQTLS_ERR_STATE;
    }
    p.fd = t->fd;
    /* A pending connect becomes writable when it ends; readability would not say so. */
    p.events = (short)((for_write || t->addrs != NULL) ? POLLOUT : POLLIN);
    p.revents = 0;
    rc = poll(&p, 1, timeout_ms > (uint32_t)INT_MAX ? INT_MAX : (int)timeout_ms);
    if (rc > 0) {
        return MQTLS_OK; /* includes POLLERR/POLLHUP: the next call reports the error */
    }
    if (rc == 0) {
        return MQTLS_ERR_TIMEOUT;
    }
    if (errno == EINTR) {
        return MQTLS_OK; /* a spurious wake-up; callers loop */
    }
    t->last_errno = errno;
    return MQTLS_ERR_IO;
}

static void tcp_close(void *ctx)
{
    mqtls_tcp_t *t = ctx;
    if (t == NULL) {
        return;
    }
    close_socket(t);
    free_addrs(t);
}

const mqtls_transport_t mqtls_tcp_transport = {
    tcp_connect,
    tcp_send,
    tcp_recv,
    tcp_wait,
    tcp_close,
};
