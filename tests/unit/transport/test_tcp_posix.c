/**
 * @file test_tcp_posix.c
 * @brief The POSIX TCP transport against sockets of the test itself, on loopback only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mqtls/platform.h"
#include "mqtls/transport_tcp.h"
#include "test.h"

#define IO_TIMEOUT_MS 5000

static const mqtls_transport_t *const tcp = &mqtls_tcp_transport;

/* A listening socket on @p addr (numeric, of @p family), port chosen by the kernel. */
static int listen_on(int family, const char *addr, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int one = 1;
    int fd = socket(family, SOCK_STREAM, 0);

    if (fd < 0) {
        return -1;
    }
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET) {
        struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
        sa->sin_family = AF_INET;
        len = sizeof *sa;
        inet_pton(AF_INET, addr, &sa->sin_addr);
    } else {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
        sa->sin6_family = AF_INET6;
        len = sizeof *sa;
        inet_pton(AF_INET6, addr, &sa->sin6_addr);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* A port on 127.0.0.1 where nothing listens (bound, then released). */
static uint16_t closed_port(void)
{
    uint16_t port = 0;
    int fd = listen_on(AF_INET, "127.0.0.1", &port);
    close(fd);
    return port;
}

/* Drives the non-blocking connect the way the session does: call, wait, call again. */
static mqtls_status_t drive_connect(mqtls_tcp_t *t, const char *host, uint16_t port)
{
    mqtls_status_t s = tcp->connect(t, host, port);
    for (int i = 0; s == MQTLS_IN_PROGRESS && i < 100; i++) {
        (void)tcp->wait(t, 1, 50);
        s = tcp->connect(t, host, port);
    }
    return s;
}

static int accept_timeout(int lfd)
{
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, IO_TIMEOUT_MS) != 1) {
        return -1;
    }
    return accept(lfd, NULL, NULL);
}

/* Reads exactly @p n bytes from a plain socket, or fails after IO_TIMEOUT_MS. */
static int read_exact(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t r;
        if (poll(&p, 1, IO_TIMEOUT_MS) != 1) {
            return -1;
        }
        r = recv(fd, buf + got, n - got, 0);
        if (r <= 0) {
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

/* Receives exactly @p n bytes through the transport, waiting between tries. */
static int32_t transport_read_exact(mqtls_tcp_t *t, uint8_t *buf, size_t n)
{
    size_t got = 0;
    for (int i = 0; got < n && i < 200; i++) {
        int32_t r = tcp->recv(t, buf + got, n - got);
        if (r < 0) {
            return r;
        }
        got += (size_t)r;
        if (got < n) {
            (void)tcp->wait(t, 0, 50);
        }
    }
    return (int32_t)got;
}

/* Checks bytes both ways between the connected transport @p t and the peer socket @p sfd. */
static void exchange(mqtls_tcp_t *t, int sfd)
{
    static const uint8_t head[] = {0x30, 0x0d};
    static const char topic[] = "\x00\x03" "a/b";
    static const char payload[] = "payload!";
    mqtls_iov_t iov[3] = {{head, sizeof head}, {topic, 5}, {payload, 8}};
    uint8_t expect[15];
    uint8_t got[15];

    memcpy(expect, head, 2);
    memcpy(expect + 2, topic, 5);
    memcpy(expect + 7, payload, 8);
    CHECK_EQ_INT(tcp->send(t, iov, 3), 15); /* 15 bytes always fit an empty socket buffer */
    CHECK_EQ_INT(read_exact(sfd, got, 15), 0);
    CHECK_EQ_MEM(got, expect, 15);

    /* Nothing to read yet: recv says so without blocking. */
    CHECK_EQ_INT(tcp->recv(t, got, sizeof got), 0);
    CHECK_EQ_INT(send(sfd, expect, 15, MSG_NOSIGNAL), 15);
    memset(got, 0, sizeof got);
    CHECK_EQ_INT(transport_read_exact(t, got, 15), 15);
    CHECK_EQ_MEM(got, expect, 15);
}

/* Connects to a listener of @p family on @p addr and checks bytes both ways. */
static void roundtrip(int family, const char *addr)
{
    uint16_t port = 0;
    int lfd = listen_on(family, addr, &port);
    int sfd;
    mqtls_tcp_t t;

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    REQUIRE_STATUS(drive_connect(&t, addr, port), MQTLS_OK);
    CHECK(mqtls_tcp_fd(&t) >= 0);
    sfd = accept_timeout(lfd);
    REQUIRE(sfd >= 0);
    exchange(&t, sfd);
    tcp->close(&t);
    close(sfd);
    close(lfd);
}

TEST(ipv4_roundtrip_with_gathered_send)
{
    roundtrip(AF_INET, "127.0.0.1");
}

TEST(ipv6_roundtrip_with_gathered_send)
{
    uint16_t port;
    int fd = listen_on(AF_INET6, "::1", &port);
    if (fd < 0) {
        SKIP("IPv6 loopback ::1 is not available here");
    }
    close(fd);
    roundtrip(AF_INET6, "::1");
}

TEST(localhost_resolves_and_falls_back_between_addresses)
{
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    mqtls_tcp_t t;

    REQUIRE(lfd >= 0);
    /* If localhost also maps to ::1 (tried first on most systems), that address is
     * refused and the transport must move on to 127.0.0.1. */
    mqtls_tcp_init(&t, 0);
    CHECK_STATUS(drive_connect(&t, "localhost", port), MQTLS_OK);
    CHECK(t.addrs == NULL);
    tcp->close(&t);
    close(lfd);
}

TEST(family_is_honoured)
{
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    mqtls_tcp_t t;

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, AF_INET);
    CHECK_STATUS(drive_connect(&t, "localhost", port), MQTLS_OK);
    tcp->close(&t);

    /* An IPv4 literal cannot be reached when IPv6 is forced. */
    mqtls_tcp_init(&t, AF_INET6);
    CHECK_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_ERR_DNS);
    CHECK(t.last_errno != 0);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    tcp->close(&t);

    mqtls_tcp_init(&t, 12345);
    CHECK_STATUS(tcp->connect(&t, "127.0.0.1", port), MQTLS_ERR_BAD_PARAM);
    close(lfd);
}

/* mqtls_tcp_bind(): the connection leaves from the local address asked for; an address
 * that is not this host's fails the connect as an I/O error, and says why. */
TEST(bind_to_a_local_address)
{
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    mqtls_tcp_t t;

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    mqtls_tcp_bind(&t, "127.0.0.2"); /* all of 127/8 is this host's */
    CHECK_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_OK);
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    REQUIRE(getsockname(mqtls_tcp_fd(&t), (struct sockaddr *)&me, &len) == 0);
    char ip[INET_ADDRSTRLEN] = "";
    inet_ntop(AF_INET, &me.sin_addr, ip, sizeof ip);
    CHECK_EQ_STR(ip, "127.0.0.2");
    CHECK_EQ_INT(mqtls_tcp_bind_error(&t), 0);
    tcp->close(&t);

    mqtls_tcp_init(&t, 0);
    mqtls_tcp_bind(&t, "192.0.2.1"); /* TEST-NET-1: no host has it */
    CHECK_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_ERR_IO);
    CHECK_EQ_INT(mqtls_tcp_bind_error(&t), EADDRNOTAVAIL);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    tcp->close(&t);

    mqtls_tcp_init(&t, 0);
    mqtls_tcp_bind(&t, "no-such-host..example");
    CHECK_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_ERR_IO);
    CHECK(mqtls_tcp_bind_error(&t) < 0); /* getaddrinfo's code */
    tcp->close(&t);
    close(lfd);
}

TEST(refused_connection)
{
    mqtls_tcp_t t;
    uint16_t port = closed_port();

    REQUIRE(port != 0);
    mqtls_tcp_init(&t, 0);
    CHECK_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_ERR_CONNECT_REFUSED);
    CHECK_EQ_INT(t.last_errno, ECONNREFUSED);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    CHECK(t.addrs == NULL);
    tcp->close(&t);
}

TEST(unknown_host_is_a_dns_error)
{
    mqtls_tcp_t t;

    mqtls_tcp_init(&t, 0);
    /* An empty label is refused inside the resolver library: no query leaves the machine. */
    CHECK_STATUS(tcp->connect(&t, "no-such-host..example", 1883), MQTLS_ERR_DNS);
    CHECK(t.last_errno != 0);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    tcp->close(&t);
}

TEST(bad_parameters)
{
    mqtls_tcp_t t;
    uint8_t b[4];
    mqtls_iov_t iov = {b, sizeof b};

    mqtls_tcp_init(&t, 0);
    CHECK_STATUS(tcp->connect(&t, NULL, 1883), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(tcp->connect(&t, "127.0.0.1", 0), MQTLS_ERR_BAD_PARAM);
    CHECK_STATUS(tcp->connect(&t, "", 1883), MQTLS_ERR_BAD_PARAM);
    /* Not open: I/O is refused, not attempted on fd -1. */
    CHECK_STATUS(tcp->send(&t, &iov, 1), -(int32_t)MQTLS_ERR_STATE);
    CHECK_STATUS(tcp->recv(&t, b, sizeof b), -(int32_t)MQTLS_ERR_STATE);
    CHECK_STATUS(tcp->wait(&t, 0, 10), MQTLS_ERR_STATE);
    CHECK_EQ_INT(mqtls_tcp_fd(NULL), -1);
}

TEST(peer_close_is_reported_as_closed)
{
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    int sfd;
    mqtls_tcp_t t;
    uint8_t buf[8];

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    REQUIRE_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_OK);
    sfd = accept_timeout(lfd);
    REQUIRE(sfd >= 0);
    CHECK_EQ_INT(send(sfd, "hi", 2, MSG_NOSIGNAL), 2);
    close(sfd);
    /* The data sent before the close still arrives, then the end of the stream. */
    CHECK_EQ_INT(transport_read_exact(&t, buf, 2), 2);
    CHECK_EQ_MEM(buf, "hi", 2);
    CHECK_STATUS(tcp->wait(&t, 0, IO_TIMEOUT_MS), MQTLS_OK);
    CHECK_STATUS(tcp->recv(&t, buf, sizeof buf), -(int32_t)MQTLS_ERR_CLOSED);
    tcp->close(&t);
    close(lfd);
}

/* A client that stops reading (mqtls_pause(), sub -C N) and then closes must not reset the
 * connection: a reset may make the broker throw away what we wrote last (the PUBACK of the
 * message taken, the DISCONNECT), so it would resend that message and publish our will.
 * The peer must see our last bytes and then an orderly end, not ECONNRESET. */
TEST(close_with_unread_input_ends_the_stream_in_order)
{
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    mqtls_tcp_t t;
    uint8_t buf[8];
    static uint8_t unread[4096];

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    REQUIRE_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_OK);
    int sfd = accept_timeout(lfd);
    REQUIRE(sfd >= 0);
    CHECK_EQ_INT(send(sfd, unread, sizeof unread, MSG_NOSIGNAL), (ssize_t)sizeof unread);
    CHECK_STATUS(tcp->wait(&t, 0, IO_TIMEOUT_MS), MQTLS_OK); /* it has arrived, unread */
    mqtls_iov_t iov = {"bye", 3};
    CHECK_EQ_INT(tcp->send(&t, &iov, 1), 3);
    tcp->close(&t);
    CHECK_EQ_INT(read_exact(sfd, buf, 3), 0);
    CHECK_EQ_MEM(buf, "bye", 3);
    errno = 0;
    CHECK_EQ_INT(recv(sfd, buf, sizeof buf, 0), 0); /* FIN, not RST */
    CHECK_EQ_INT(errno, 0);
    close(sfd);
    close(lfd);
}

TEST(close_twice_and_reconnect)
{
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    mqtls_tcp_t t;

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    tcp->close(&t); /* never opened */
    REQUIRE_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_OK);
    /* Connect on an open transport changes nothing. */
    CHECK_STATUS(tcp->connect(&t, "127.0.0.1", port), MQTLS_OK);
    tcp->close(&t);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    tcp->close(&t);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    /* The same context connects again. */
    CHECK_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_OK);
    tcp->close(&t);
    /* Closing while a connect is under way frees the address list. */
    CHECK(tcp->connect(&t, "localhost", port) != MQTLS_ERR_DNS);
    tcp->close(&t);
    CHECK(t.addrs == NULL);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    close(lfd);
}

TEST(wait_times_out)
{
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    mqtls_tcp_t t;
    uint32_t start;
    uint32_t elapsed;

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    REQUIRE_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_OK);
    start = mqtls_platform_posix.now_ms(mqtls_platform_posix.ctx);
    CHECK_STATUS(tcp->wait(&t, 0, 100), MQTLS_ERR_TIMEOUT);
    elapsed = mqtls_platform_posix.now_ms(mqtls_platform_posix.ctx) - start;
    CHECK(elapsed >= 90 && elapsed < 2000);
    CHECK_STATUS(tcp->wait(&t, 1, 100), MQTLS_OK); /* an idle socket is writable */
    tcp->close(&t);
    close(lfd);
}

/* Many small pieces and a full socket buffer: every byte arrives once, in order. */
TEST(many_pieces_and_full_buffers)
{
    static uint8_t data[64];
    static uint8_t big[256 * 1024];
    static uint8_t seen[sizeof data];
    mqtls_iov_t iov[sizeof data];
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    int sfd;
    int small = 4096;
    size_t off = 0;
    mqtls_tcp_t t;

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    REQUIRE_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_OK);
    sfd = accept_timeout(lfd);
    REQUIRE(sfd >= 0);
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)i;
        iov[i].base = &data[i];
        iov[i].len = 1;
    }
    /* More pieces than one sendmsg takes: the caller loops on the count accepted. */
    for (int i = 0; off < sizeof data && i < 100; i++) {
        size_t k = 0;
        size_t skip = off;
        int32_t n;
        while (skip >= iov[k].len) {
            skip -= iov[k].len;
            k++;
        }
        n = tcp->send(&t, &iov[k], sizeof data - k);
        REQUIRE(n >= 0);
        off += (size_t)n;
    }
    CHECK_EQ_INT(off, sizeof data);
    CHECK_EQ_INT(read_exact(sfd, seen, sizeof seen), 0);
    CHECK_EQ_MEM(seen, data, sizeof data);

    /* Nobody reads: the socket fills and send reports would-block as 0. */
    setsockopt(mqtls_tcp_fd(&t), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(sfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    {
        mqtls_iov_t one = {big, sizeof big};
        int32_t n = 1;
        for (int i = 0; n > 0 && i < 1000; i++) {
            n = tcp->send(&t, &one, 1);
        }
        CHECK_EQ_INT(n, 0);
    }
    tcp->close(&t);
    close(sfd);
    close(lfd);
}

TEST(send_to_a_closed_peer_fails)
{
    static uint8_t chunk[64 * 1024];
    uint16_t port = 0;
    int lfd = listen_on(AF_INET, "127.0.0.1", &port);
    int sfd;
    mqtls_tcp_t t;
    mqtls_iov_t iov = {chunk, sizeof chunk};
    int32_t n = 0;

    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    REQUIRE_STATUS(drive_connect(&t, "127.0.0.1", port), MQTLS_OK);
    sfd = accept_timeout(lfd);
    REQUIRE(sfd >= 0);
    close(sfd);
    /* The first writes may still be accepted; the reset then fails them (no SIGPIPE). */
    for (int i = 0; n >= 0 && i < 200; i++) {
        n = tcp->send(&t, &iov, 1);
        if (n == 0) {
            (void)tcp->wait(&t, 1, 10);
        }
        (void)poll(NULL, 0, 1);
    }
    CHECK_STATUS(n, -(int32_t)MQTLS_ERR_CLOSED);
    CHECK(t.last_errno == EPIPE || t.last_errno == ECONNRESET);
    tcp->close(&t);
    close(lfd);
}

/* ---- a Unix stream socket instead of TCP (mqtls_tcp_unix) -------------------------------- */

/* A listening Unix socket at @p path (which must not exist); -1 on failure. */
static int listen_unix(const char *path)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* A fresh directory for socket files, and the path @p name in it. */
static void socket_path(char *dir, size_t dir_size, char *path, size_t size, const char *name)
{
    snprintf(dir, dir_size, "/tmp/mqtls-tcp-XXXXXX");
    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(path, size, "%s/%s", dir, name);
}

TEST(unix_socket_roundtrip_ignores_host_and_port)
{
    char dir[64], path[96];
    mqtls_tcp_t t;
    socket_path(dir, sizeof dir, path, sizeof path, "broker.sock");
    int lfd = listen_unix(path);
    REQUIRE(lfd >= 0);
    mqtls_tcp_init(&t, 0);
    mqtls_tcp_unix(&t, path);
    REQUIRE_STATUS(drive_connect(&t, NULL, 0), MQTLS_OK);
    CHECK_EQ_INT(mqtls_tcp_error(&t), 0);
    int sfd = accept_timeout(lfd);
    REQUIRE(sfd >= 0);
    exchange(&t, sfd);
    /* Closed and opened again: the same socket file, a new connection. */
    tcp->close(&t);
    close(sfd);
    REQUIRE_STATUS(drive_connect(&t, "ignored", 1), MQTLS_OK);
    sfd = accept_timeout(lfd);
    REQUIRE(sfd >= 0);
    exchange(&t, sfd);
    tcp->close(&t);
    close(sfd);
    close(lfd);
    unlink(path);
    rmdir(dir);
}

TEST(unix_socket_without_a_listener_is_refused)
{
    char dir[64], path[96];
    mqtls_tcp_t t;
    socket_path(dir, sizeof dir, path, sizeof path, "none.sock");
    mqtls_tcp_init(&t, 0);
    mqtls_tcp_unix(&t, path);
    /* No such file. */
    CHECK_STATUS(drive_connect(&t, NULL, 0), MQTLS_ERR_CONNECT_REFUSED);
    CHECK_EQ_INT(mqtls_tcp_error(&t), ENOENT);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    /* A stale socket file: its listener is gone. */
    int lfd = listen_unix(path);
    REQUIRE(lfd >= 0);
    close(lfd);
    CHECK_STATUS(drive_connect(&t, NULL, 0), MQTLS_ERR_CONNECT_REFUSED);
    CHECK_EQ_INT(mqtls_tcp_error(&t), ECONNREFUSED);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    tcp->close(&t);
    unlink(path);
    rmdir(dir);
}

TEST(unix_socket_path_the_system_cannot_hold)
{
    char path[300];
    mqtls_tcp_t t;
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    mqtls_tcp_init(&t, 0);
    mqtls_tcp_unix(&t, path);
    CHECK_STATUS(tcp->connect(&t, NULL, 0), MQTLS_ERR_BAD_PARAM);
    CHECK_EQ_INT(mqtls_tcp_fd(&t), -1);
    mqtls_tcp_unix(&t, "");
    CHECK_STATUS(tcp->connect(&t, NULL, 0), MQTLS_ERR_BAD_PARAM);
    /* Back to TCP: host and port are needed again. */
    mqtls_tcp_unix(&t, NULL);
    CHECK_STATUS(tcp->connect(&t, NULL, 1883), MQTLS_ERR_BAD_PARAM);
}

int main(int argc, char **argv)
{
    /* SIGPIPE keeps its default action on purpose: a transport that wrote to a closed peer
     * without MSG_NOSIGNAL/SO_NOSIGPIPE would kill this test (send_to_a_closed_peer_fails). */
    test_main_begin(argc, argv);
    RUN(ipv4_roundtrip_with_gathered_send);
    RUN(ipv6_roundtrip_with_gathered_send);
    RUN(localhost_resolves_and_falls_back_between_addresses);
    RUN(family_is_honoured);
    RUN(bind_to_a_local_address);
    RUN(refused_connection);
    RUN(unknown_host_is_a_dns_error);
    RUN(bad_parameters);
    RUN(peer_close_is_reported_as_closed);
    RUN(close_twice_and_reconnect);
    RUN(close_with_unread_input_ends_the_stream_in_order);
    RUN(wait_times_out);
    RUN(many_pieces_and_full_buffers);
    RUN(send_to_a_closed_peer_fails);
    RUN(unix_socket_roundtrip_ignores_host_and_port);
    RUN(unix_socket_without_a_listener_is_refused);
    RUN(unix_socket_path_the_system_cannot_hold);
    return test_main_end();
}
