/**
 * @file lwip_net.c
 * @brief A real lwIP network in a test process (lwip_net.h).
 */
#include "lwip_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"

static struct netif nif;
static volatile uint16_t relay_target; /* the host port the relay connects to */
static uint16_t relay_port;
static volatile int stopping;
static volatile int relay_up; /* 1 listening, -1 failed */
static pthread_t relay;

/* ------------------------------------------------------------------ the lwIP side */

/* Packets to other hosts go nowhere (a silent network); to our own address lwIP loops
 * them back itself (LWIP_NETIF_LOOPBACK). */
static err_t drop_output(struct netif *n, struct pbuf *p, const ip4_addr_t *a)
{
    (void)n;
    (void)p;
    (void)a;
    return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
    n->output = drop_output;
    n->mtu = 1500;
    n->name[0] = 't';
    n->name[1] = '0';
    return ERR_OK;
}

static sys_sem_t ready;

static void tcpip_ready(void *arg)
{
    (void)arg;
    sys_sem_signal(&ready);
}

static void start_lwip(void)
{
    ip4_addr_t ip, mask, gw;
    sys_sem_new(&ready, 0);
    tcpip_init(tcpip_ready, NULL);
    sys_sem_wait(&ready);
    IP4_ADDR(&ip, 10, 0, 0, 1);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 0, 254);
    LOCK_TCPIP_CORE();
    netif_add(&nif, &ip, &mask, &gw, NULL, nif_init, tcpip_input);
    netif_set_default(&nif);
    netif_set_up(&nif);
    netif_set_link_up(&nif);
    UNLOCK_TCPIP_CORE();
}

/* ------------------------------------------------------------------ the relay */

/* Bytes on their way in one direction of the relay. */
typedef struct pipe_buf {
    char data[65536];
    size_t len;
    bool eof; /* the source has closed */
} pipe_buf_t;

/* Reads what is there into @p b (eof once the source is gone). */
static void fill(pipe_buf_t *b, int fd, bool from_lwip)
{
    size_t room = sizeof b->data - b->len;
    if (room == 0 || b->eof)
        return;
    ssize_t n = from_lwip ? lwip_recv(fd, b->data + b->len, room, MSG_DONTWAIT)
                          : recv(fd, b->data + b->len, room, MSG_DONTWAIT);
    if (n > 0)
        b->len += (size_t)n;
    else if (n == 0 || (errno != EWOULDBLOCK && errno != EAGAIN))
        b->eof = true;
}

/* Writes what the other side accepts now; false on a write failure. */
static bool drain(pipe_buf_t *b, int fd, bool to_lwip)
{
    if (b->len == 0)
        return true;
    ssize_t w = to_lwip ? lwip_send(fd, b->data, b->len, MSG_DONTWAIT)
                        : send(fd, b->data, b->len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w < 0)
        return errno == EWOULDBLOCK || errno == EAGAIN;
    memmove(b->data, b->data + w, b->len - (size_t)w);
    b->len -= (size_t)w;
    return true;
}

/* One relayed connection, in one thread and without blocking: lwIP does not allow one
 * thread to shut a socket down while another blocks in a receive on it, and blocking
 * sends in both directions could wait on each other. */
static void *conn_run(void *arg)
{
    int lw = (int)(intptr_t)arg;
    int host = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    pipe_buf_t *bufs = calloc(2, sizeof *bufs);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(relay_target);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bufs && host >= 0 && connect(host, (struct sockaddr *)&a, sizeof a) == 0) {
        pipe_buf_t *up = &bufs[0], *down = &bufs[1]; /* lwIP -> broker, broker -> lwIP */
        while (!stopping) {
            struct pollfd pl = {lw, (short)(POLLIN | (down->len ? POLLOUT : 0)), 0};
            struct pollfd ph = {host, (short)(POLLIN | (up->len ? POLLOUT : 0)), 0};
            (void)lwip_poll(&pl, 1, 1);
            (void)poll(&ph, 1, 1);
            fill(up, lw, true);
            fill(down, host, false);
            if (!drain(up, host, false) || !drain(down, lw, true))
                break;
            if ((up->eof && up->len == 0) || (down->eof && down->len == 0))
                break; /* one side closed and all it sent was passed on */
        }
    }
    free(bufs);
    if (host >= 0)
        close(host);
    lwip_close(lw);
    return NULL;
}

static void *relay_run(void *arg)
{
    (void)arg;
    int l = lwip_socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(relay_port);
    a.sin_addr.s_addr = inet_addr(LWIP_NET_ADDR);
    if (l < 0 || lwip_bind(l, (struct sockaddr *)&a, sizeof a) != 0 || lwip_listen(l, 4) != 0) {
        relay_up = -1;
        return NULL;
    }
    relay_up = 1;
    while (!stopping) {
        struct pollfd p = {l, POLLIN, 0};
        if (lwip_poll(&p, 1, 100) <= 0)
            continue;
        int c = lwip_accept(l, NULL, NULL);
        if (c < 0)
            continue;
        pthread_t t;
        pthread_create(&t, NULL, conn_run, (void *)(intptr_t)c);
        pthread_detach(t);
    }
    lwip_close(l);
    return NULL;
}

/* ------------------------------------------------------------------ the API */

int lwip_net_start(uint16_t port, uint16_t target)
{
    relay_port = port;
    relay_target = target;
    start_lwip();
    if (pthread_create(&relay, NULL, relay_run, NULL) != 0)
        return -1;
    while (relay_up == 0)
        usleep(1000);
    return relay_up == 1 ? 0 : -1;
}

void lwip_net_retarget(uint16_t target)
{
    relay_target = target;
}

void lwip_net_stop(void)
{
    stopping = 1;
    pthread_join(relay, NULL);
}
