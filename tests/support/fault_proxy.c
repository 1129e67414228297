/**
 * @file fault_proxy.c
 * @brief The fault-injecting TCP proxy (see fault_proxy.h).
 */
#include "fault_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAIRS 8
#define BUF_SIZE 16384
#define POLL_MS 100
#define FLUSH_MS 500 /* how long a cut waits to write the bytes up to the cut */

/* Where a byte stream is in MQTT framing: first byte, remaining length, body. */
typedef struct framer {
    uint8_t phase; /* 0: at a packet boundary, 1: in the length, 2: in the body */
    uint32_t rl;
    uint32_t mult;
    uint32_t left;
} framer_t;

/* One direction of a connection: bytes read from one side, waiting for the other. */
typedef struct dir {
    uint8_t buf[BUF_SIZE];
    size_t len;
    size_t off;
    framer_t fr;
} dir_t;

typedef struct pair {
    int cfd; /* the client's socket (-1: slot free) */
    int bfd; /* ours to the broker */
    dir_t up;
    dir_t down;
} pair_t;

struct fault_proxy {
    pthread_t thread;
    pthread_mutex_t mu;
    int lfd;
    int wake[2];
    uint16_t port;
    struct sockaddr_in upstream;
    /* Under mu. */
    bool stop;
    bool armed;
    uint64_t budget;
    int close_mode;
    fault_proxy_stats_t st;
    /* The thread's own. */
    pair_t pairs[MAX_PAIRS];
};

static void framer_feed(framer_t *f, const uint8_t *d, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (f->phase == 0) {
            f->phase = 1;
            f->rl = 0;
            f->mult = 1;
            i++;
        } else if (f->phase == 1) {
            uint8_t b = d[i++];
            f->rl += (uint32_t)(b & 0x7Fu) * f->mult;
            if (b & 0x80u) {
                f->mult *= 128u;
                if (f->mult > 128u * 128u * 128u) {
                    f->phase = 0; /* not MQTT: start again */
                }
            } else {
                f->left = f->rl;
                f->phase = f->left ? 2 : 0;
            }
        } else {
            size_t k = n - i < f->left ? n - i : f->left;
            f->left -= (uint32_t)k;
            i += k;
            if (f->left == 0) {
                f->phase = 0;
            }
        }
    }
}

static void set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
        (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
}

static void set_nodelay(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Closes both sockets; @p reset makes the close abortive (RST instead of FIN). */
static void pair_close(pair_t *pr, bool reset)
{
    int fds[2] = {pr->cfd, pr->bfd};
    for (int i = 0; i < 2; i++) {
        if (fds[i] < 0) {
            continue;
        }
        if (reset) {
            struct linger lg = {1, 0};
            (void)setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        close(fds[i]);
    }
    pr->cfd = -1;
    pr->bfd = -1;
}

/* Writes what waits in @p d to @p fd without blocking. @return 0, or -1 if @p fd failed. */
static int flush_dir(dir_t *d, int fd)
{
    while (d->off < d->len) {
        ssize_t w = send(fd, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        d->off += (size_t)w;
    }
    d->len = 0;
    d->off = 0;
    return 0;
}

/* The same, waiting (bounded) until everything is written. */
static void flush_dir_wait(dir_t *d, int fd)
{
    for (int waited = 0; d->len > d->off && waited < FLUSH_MS; waited += 10) {
        if (flush_dir(d, fd) != 0) {
            return;
        }
        if (d->len > d->off) {
            struct pollfd p = {fd, POLLOUT, 0};
            (void)poll(&p, 1, 10);
        }
    }
}

static void accept_one(fault_proxy_t *p)
{
    int cfd = accept(p->lfd, NULL, NULL);
    if (cfd < 0) {
        return;
    }
    pair_t *pr = NULL;
    for (int i = 0; i < MAX_PAIRS; i++) {
        if (p->pairs[i].cfd < 0) {
            pr = &p->pairs[i];
            break;
        }
    }
    pthread_mutex_lock(&p->mu);
    p->st.accepted++;
    pthread_mutex_unlock(&p->mu);
    int bfd = pr != NULL ? socket(AF_INET, SOCK_STREAM, 0) : -1;
    if (bfd < 0 || connect(bfd, (const struct sockaddr *)&p->upstream, sizeof p->upstream) != 0) {
        if (bfd >= 0) {
            close(bfd);
        }
        close(cfd); /* the broker is not there (restarting): so is the proxy */
        pthread_mutex_lock(&p->mu);
        p->st.refused++;
        pthread_mutex_unlock(&p->mu);
        return;
    }
    set_nonblocking(cfd);
    set_nonblocking(bfd);
    set_nodelay(cfd);
    set_nodelay(bfd);
    memset(pr, 0, sizeof *pr);
    pr->cfd = cfd;
    pr->bfd = bfd;
}

/* Reads from @p from into @p d, applying the armed cut. @return 1 read, 0 nothing,
 * -1 the side ended (EOF or error), 2 read and the cut is due now. */
static int read_side(fault_proxy_t *p, int from, dir_t *d, bool up)
{
    ssize_t n = recv(from, d->buf, sizeof d->buf, 0);
    if (n < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    }
    if (n == 0) {
        return -1;
    }
    size_t take = (size_t)n;
    int cut = 0;
    pthread_mutex_lock(&p->mu);
    if (p->armed) {
        if (p->budget <= (uint64_t)n) {
            take = (size_t)p->budget;
            p->armed = false;
            cut = 1;
        } else {
            p->budget -= (uint64_t)n;
        }
    }
    if (up) {
        p->st.bytes_up += take;
    } else {
        p->st.bytes_down += take;
    }
    pthread_mutex_unlock(&p->mu);
    framer_feed(&d->fr, d->buf, take);
    d->len = take;
    d->off = 0;
    return cut ? 2 : 1;
}

/* The armed cut is due: the bytes up to it are written, then both sides are closed. */
static void do_cut(fault_proxy_t *p, pair_t *pr, bool up)
{
    dir_t *d = up ? &pr->up : &pr->down;
    flush_dir_wait(d, up ? pr->bfd : pr->cfd);
    pthread_mutex_lock(&p->mu);
    p->st.cuts++;
    if (d->fr.phase != 0) {
        p->st.cuts_mid_packet++;
    }
    if (up) {
        p->st.cuts_up++;
    } else {
        p->st.cuts_down++;
    }
    bool reset = p->close_mode == 1 || (p->close_mode == 0 && (p->st.cuts & 1u) != 0);
    pthread_mutex_unlock(&p->mu);
    pair_close(pr, reset);
}

static void peer_closed(fault_proxy_t *p, pair_t *pr)
{
    /* What the other side had sent is passed on before its end is. */
    flush_dir_wait(&pr->up, pr->bfd);
    flush_dir_wait(&pr->down, pr->cfd);
    pair_close(pr, false);
    pthread_mutex_lock(&p->mu);
    p->st.peer_closed++;
    pthread_mutex_unlock(&p->mu);
}

static void service(fault_proxy_t *p, pair_t *pr, short crev, short brev)
{
    /* Output first: it makes room for the input below. */
    if ((brev & (POLLOUT | POLLERR | POLLHUP)) && pr->up.len > pr->up.off &&
        flush_dir(&pr->up, pr->bfd) != 0) {
        peer_closed(p, pr);
        return;
    }
    if ((crev & (POLLOUT | POLLERR | POLLHUP)) && pr->down.len > pr->down.off &&
        flush_dir(&pr->down, pr->cfd) != 0) {
        peer_closed(p, pr);
        return;
    }
    if ((crev & (POLLIN | POLLERR | POLLHUP)) && pr->up.len == 0) {
        int r = read_side(p, pr->cfd, &pr->up, true);
        if (r < 0) {
            peer_closed(p, pr);
            return;
        }
        if (r == 2) {
            do_cut(p, pr, true);
            return;
        }
        if (r == 1 && flush_dir(&pr->up, pr->bfd) != 0) {
            peer_closed(p, pr);
            return;
        }
    }
    if ((brev & (POLLIN | POLLERR | POLLHUP)) && pr->down.len == 0) {
        int r = read_side(p, pr->bfd, &pr->down, false);
        if (r < 0) {
            peer_closed(p, pr);
            return;
        }
        if (r == 2) {
            do_cut(p, pr, false);
            return;
        }
        if (r == 1 && flush_dir(&pr->down, pr->cfd) != 0) {
            peer_closed(p, pr);
            return;
        }
    }
}

static void *proxy_main(void *arg)
{
    fault_proxy_t *p = arg;
    for (;;) {
        struct pollfd pf[2 + 2 * MAX_PAIRS];
        int at[MAX_PAIRS];
        nfds_t n = 0;
        pf[n++] = (struct pollfd){p->wake[0], POLLIN, 0};
        pf[n++] = (struct pollfd){p->lfd, POLLIN, 0};
        for (int i = 0; i < MAX_PAIRS; i++) {
            pair_t *pr = &p->pairs[i];
            at[i] = -1;
            if (pr->cfd < 0) {
                continue;
            }
            at[i] = (int)n;
            pf[n++] = (struct pollfd){pr->cfd,
                                      (short)((pr->up.len == 0 ? POLLIN : 0) |
                                              (pr->down.len > pr->down.off ? POLLOUT : 0)),
                                      0};
            pf[n++] = (struct pollfd){pr->bfd,
                                      (short)((pr->down.len == 0 ? POLLIN : 0) |
                                              (pr->up.len > pr->up.off ? POLLOUT : 0)),
                                      0};
        }
        if (poll(pf, n, POLL_MS) < 0 && errno != EINTR) {
            break;
        }
        if (pf[0].revents) {
            char b[16];
            ssize_t r = read(p->wake[0], b, sizeof b);
            (void)r;
            pthread_mutex_lock(&p->mu);
            bool stop = p->stop;
            pthread_mutex_unlock(&p->mu);
            if (stop) {
                break;
            }
        }
        for (int i = 0; i < MAX_PAIRS; i++) {
            if (at[i] >= 0 && p->pairs[i].cfd >= 0) {
                service(p, &p->pairs[i], pf[at[i]].revents, pf[at[i] + 1].revents);
            }
        }
        if (pf[1].revents & POLLIN) {
            accept_one(p);
        }
    }
    for (int i = 0; i < MAX_PAIRS; i++) {
        pair_close(&p->pairs[i], false);
    }
    return NULL;
}

fault_proxy_t *fault_proxy_start(const char *host, uint16_t port)
{
    fault_proxy_t *p = calloc(1, sizeof *p);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (p == NULL) {
        printf("fault proxy: out of memory\n");
        return NULL;
    }
    p->lfd = -1;
    p->wake[0] = p->wake[1] = -1;
    for (int i = 0; i < MAX_PAIRS; i++) {
        p->pairs[i].cfd = p->pairs[i].bfd = -1;
    }
    memset(&p->upstream, 0, sizeof p->upstream);
    p->upstream.sin_family = AF_INET;
    p->upstream.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &p->upstream.sin_addr) != 1) {
        printf("fault proxy: %s is not an IPv4 address\n", host);
        free(p);
        return NULL;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(p->lfd, 16) != 0 || getsockname(p->lfd, (struct sockaddr *)&sa, &len) != 0 ||
        pipe(p->wake) != 0) {
        printf("fault proxy: cannot listen: %s\n", strerror(errno));
        fault_proxy_stop(p);
        return NULL;
    }
    set_nonblocking(p->lfd);
    p->port = ntohs(sa.sin_port);
    pthread_mutex_init(&p->mu, NULL);
    if (pthread_create(&p->thread, NULL, proxy_main, p) != 0) {
        printf("fault proxy: cannot start its thread\n");
        pthread_mutex_destroy(&p->mu);
        close(p->lfd);
        close(p->wake[0]);
        close(p->wake[1]);
        free(p);
        return NULL;
    }
    return p;
}

uint16_t fault_proxy_port(const fault_proxy_t *p)
{
    return p->port;
}

void fault_proxy_cut_after(fault_proxy_t *p, uint64_t bytes)
{
    pthread_mutex_lock(&p->mu);
    p->armed = true;
    p->budget = bytes ? bytes : 1;
    pthread_mutex_unlock(&p->mu);
}

void fault_proxy_set_close_mode(fault_proxy_t *p, int mode)
{
    pthread_mutex_lock(&p->mu);
    p->close_mode = mode;
    pthread_mutex_unlock(&p->mu);
}

void fault_proxy_disarm(fault_proxy_t *p)
{
    pthread_mutex_lock(&p->mu);
    p->armed = false;
    pthread_mutex_unlock(&p->mu);
}

bool fault_proxy_armed(fault_proxy_t *p)
{
    pthread_mutex_lock(&p->mu);
    bool a = p->armed;
    pthread_mutex_unlock(&p->mu);
    return a;
}

void fault_proxy_get_stats(fault_proxy_t *p, fault_proxy_stats_t *out)
{
    pthread_mutex_lock(&p->mu);
    *out = p->st;
    pthread_mutex_unlock(&p->mu);
}

void fault_proxy_stop(fault_proxy_t *p)
{
    if (p == NULL) {
        return;
    }
    if (p->wake[1] >= 0 && p->lfd >= 0 && p->port != 0) { /* the thread runs */
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_mutex_unlock(&p->mu);
        ssize_t w = write(p->wake[1], "x", 1);
        (void)w;
        pthread_join(p->thread, NULL);
        pthread_mutex_destroy(&p->mu);
    }
    if (p->lfd >= 0) {
        close(p->lfd);
    }
    if (p->wake[0] >= 0) {
        close(p->wake[0]);
    }
    if (p->wake[1] >= 0) {
        close(p->wake[1]);
    }
    free(p);
}
