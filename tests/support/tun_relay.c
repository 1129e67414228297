/**
 * @file tun_relay.c
 * @brief See tun_relay.h.
 */
#include "tun_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#endif

#define SLOT_BYTES 2048u /* TUN's MTU is 1500 */

typedef struct slot {
    uint64_t due_us;
    uint16_t len;
    uint8_t data[SLOT_BYTES];
} slot_t;

/* The packets waiting to be written to one interface. */
typedef struct queue {
    slot_t *slots;
    unsigned n;
} queue_t;

struct tun_relay {
    int fd[2];   /* a, b */
    int wake[2]; /* a pipe: stop */
    queue_t q[2]; /* q[i]: waiting to be written to fd[i] */
    pthread_t thread;
    pthread_mutex_t lock; /* the fields below */
    unsigned loss_pct, delay_ms, jitter_ms;
    bool partitioned, stop;
    uint64_t rng;
    tun_relay_stats_t st;
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint32_t next_rnd(tun_relay_t *r)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return (uint32_t)(r->rng >> 16);
}

/* A packet read from fd[1 - to]: dropped, or queued for fd[to]. */
static void take(tun_relay_t *r, int to, const uint8_t *p, size_t len)
{
    pthread_mutex_lock(&r->lock);
    queue_t *q = &r->q[to];
    if (r->partitioned) {
        r->st.partitioned++;
    } else if (r->loss_pct > 0 && next_rnd(r) % 100u < r->loss_pct) {
        r->st.lost++;
    } else if (q->n >= TUN_RELAY_LIMIT || len > SLOT_BYTES) {
        r->st.overflow++;
    } else {
        int64_t d = (int64_t)r->delay_ms * 1000;
        if (r->jitter_ms > 0) {
            uint32_t span = r->jitter_ms * 2000u + 1u;
            d += (int64_t)(next_rnd(r) % span) - (int64_t)r->jitter_ms * 1000;
        }
        slot_t *s = &q->slots[q->n++];
        s->due_us = now_us() + (uint64_t)(d > 0 ? d : 0);
        s->len = (uint16_t)len;
        memcpy(s->data, p, len);
    }
    pthread_mutex_unlock(&r->lock);
}

/* Writes what is due, earliest first. @return microseconds until the next packet is due,
 * or -1 if none waits. */
static int64_t deliver(tun_relay_t *r)
{
    int64_t next = -1;
    for (int to = 0; to < 2; to++) {
        queue_t *q = &r->q[to];
        for (;;) {
            pthread_mutex_lock(&r->lock);
            unsigned best = q->n;
            for (unsigned i = 0; i < q->n; i++) {
                if (best == q->n || q->slots[i].due_us < q->slots[best].due_us) {
                    best = i;
                }
            }
            uint64_t t = now_us();
            if (best == q->n || q->slots[best].due_us > t) {
                if (best != q->n) {
                    int64_t wait = (int64_t)(q->slots[best].due_us - t);
                    next = next < 0 || wait < next ? wait : next;
                }
                pthread_mutex_unlock(&r->lock);
                break;
            }
            slot_t s = q->slots[best];
            q->slots[best] = q->slots[--q->n];
            r->st.forwarded++;
            pthread_mutex_unlock(&r->lock);
            /* A TUN write hands the packet to the stack; a failure is a lost packet. */
            if (write(r->fd[to], s.data, s.len) < 0) {
                pthread_mutex_lock(&r->lock);
                r->st.forwarded--;
                r->st.overflow++;
                pthread_mutex_unlock(&r->lock);
            }
        }
    }
    return next;
}

static void *relay_main(void *arg)
{
    tun_relay_t *r = arg;
    uint8_t buf[SLOT_BYTES + 1];
    for (;;) {
        int64_t next = deliver(r);
        struct pollfd p[3] = {{r->fd[0], POLLIN, 0}, {r->fd[1], POLLIN, 0},
                              {r->wake[0], POLLIN, 0}};
        int timeout = next < 0 ? 1000 : (int)((next + 999) / 1000);
        if (poll(p, 3, timeout) < 0 && errno != EINTR) {
            break;
        }
        pthread_mutex_lock(&r->lock);
        bool stop = r->stop;
        pthread_mutex_unlock(&r->lock);
        if (stop) {
            break;
        }
        for (int from = 0; from < 2; from++) {
            if (!(p[from].revents & POLLIN)) {
                continue;
            }
            for (;;) {
                ssize_t n = read(r->fd[from], buf, sizeof buf);
                if (n <= 0) {
                    break;
                }
                take(r, 1 - from, buf, (size_t)n);
            }
        }
    }
    return NULL;
}

#if defined(__linux__)
static int open_tun(const char *name, char *why, size_t cap)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, cap, "cannot open /dev/net/tun: %s", strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        snprintf(why, cap, "cannot create TUN interface %s: %s", name, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
#endif

tun_relay_t *tun_relay_start(const char *name_a, const char *name_b, char *why, size_t cap)
{
#if defined(__linux__)
    tun_relay_t *r = calloc(1, sizeof *r);
    if (r == NULL) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    r->fd[0] = r->fd[1] = r->wake[0] = r->wake[1] = -1;
    r->q[0].slots = calloc(TUN_RELAY_LIMIT, sizeof(slot_t));
    r->q[1].slots = calloc(TUN_RELAY_LIMIT, sizeof(slot_t));
    r->rng = now_us() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ull;
    if (r->q[0].slots == NULL || r->q[1].slots == NULL) {
        snprintf(why, cap, "out of memory");
        goto fail;
    }
    if ((r->fd[0] = open_tun(name_a, why, cap)) < 0 ||
        (r->fd[1] = open_tun(name_b, why, cap)) < 0) {
        goto fail;
    }
    if (pipe(r->wake) != 0) {
        snprintf(why, cap, "pipe: %s", strerror(errno));
        goto fail;
    }
    pthread_mutex_init(&r->lock, NULL);
    if (pthread_create(&r->thread, NULL, relay_main, r) != 0) {
        snprintf(why, cap, "cannot start the relay thread");
        pthread_mutex_destroy(&r->lock);
        goto fail;
    }
    return r;
fail:
    for (int i = 0; i < 2; i++) {
        if (r->fd[i] >= 0) {
            close(r->fd[i]);
        }
        if (r->wake[i] >= 0) {
            close(r->wake[i]);
        }
        free(r->q[i].slots);
    }
    free(r);
    return NULL;
#else
    (void)name_a, (void)name_b;
    snprintf(why, cap, "TUN interfaces are Linux only");
    return NULL;
#endif
}

void tun_relay_impair(tun_relay_t *r, unsigned loss_pct, unsigned delay_ms, unsigned jitter_ms)
{
    pthread_mutex_lock(&r->lock);
    r->loss_pct = loss_pct > 100u ? 100u : loss_pct;
    r->delay_ms = delay_ms;
    r->jitter_ms = jitter_ms > delay_ms ? delay_ms : jitter_ms;
    pthread_mutex_unlock(&r->lock);
}

void tun_relay_partition(tun_relay_t *r, bool on)
{
    pthread_mutex_lock(&r->lock);
    r->partitioned = on;
    if (on) {
        r->st.partitioned += r->q[0].n + r->q[1].n;
        r->q[0].n = r->q[1].n = 0;
    }
    pthread_mutex_unlock(&r->lock);
}

void tun_relay_stats(tun_relay_t *r, tun_relay_stats_t *out)
{
    pthread_mutex_lock(&r->lock);
    *out = r->st;
    pthread_mutex_unlock(&r->lock);
}

void tun_relay_stop(tun_relay_t *r)
{
    if (r == NULL) {
        return;
    }
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_mutex_unlock(&r->lock);
    ssize_t w = write(r->wake[1], "x", 1);
    (void)w;
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->lock);
    for (int i = 0; i < 2; i++) {
        close(r->fd[i]);
        close(r->wake[i]);
        free(r->q[i].slots);
    }
    free(r);
}
