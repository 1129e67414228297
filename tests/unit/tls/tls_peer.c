/**
 * @file tls_peer.c
 * @brief The socket and the thread of the in-process TLS server (tls_peer.h); the TLS part
 *        is tls_peer_openssl.c (OpenSSL, whatever the backend under test).
 */
#include "tls_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void *serve(void *arg)
{
    tls_peer_t *p = arg;
    sigset_t pipe;
    /* A client that gives up mid-handshake closes: the server's next write must fail with
     * EPIPE in this thread, not end the test with SIGPIPE. */
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, NULL);
    struct pollfd pfd = {p->listen_fd, POLLIN, 0};
    if (poll(&pfd, 1, 10000) != 1)
        return NULL;
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    /* Bounded: a test that goes wrong must not hang in the server. */
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    tls_peer_serve(&p->cfg, fd, &p->result);
    close(fd);
    return NULL;
}

int tls_peer_start(tls_peer_t *p, const tls_peer_cfg_t *cfg)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(p, 0, sizeof *p);
    memset(&a, 0, sizeof a);
    p->cfg = *cfg;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(p->listen_fd, 1) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&a, &len) != 0) {
        perror("tls_peer: listen");
        if (p->listen_fd >= 0)
            close(p->listen_fd);
        return -1;
    }
    p->port = ntohs(a.sin_port);
    if (pthread_create(&p->thread, NULL, serve, p) != 0) {
        perror("tls_peer: thread");
        close(p->listen_fd);
        return -1;
    }
    return 0;
}

tls_peer_result_t tls_peer_stop(tls_peer_t *p)
{
    shutdown(p->listen_fd, SHUT_RDWR); /* wakes a thread still waiting for its client */
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    return p->result;
}
