/**
 * @file posix.c
 * @brief The POSIX platform: a monotonic millisecond clock and OS randomness.
 */
#include "mqtls/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/random.h>
#endif

/* CLOCK_MONOTONIC: wall-clock jumps (NTP, the user) must not fire keep-alives or timeouts.
 * The value is truncated to 32 bits on purpose; the core only compares differences. */
static uint32_t posix_now_ms(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* Reads exactly sizeof *out bytes from /dev/urandom; for systems without getrandom(). */
static int urandom_read(uint32_t *out)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t n;
    if (fd < 0) {
        return -1;
    }
    do {
        n = read(fd, out, sizeof *out);
    } while (n < 0 && errno == EINTR);
    close(fd);
    return n == (ssize_t)sizeof *out ? 0 : -1;
}

/* Last resort when the OS gives no randomness (chroot without /dev): the values only
 * have to differ between processes and calls (client ids, jitter), not be secret. */
static uint32_t weak_random(void)
{
    static uint32_t state;
    if (state == 0) {
        state = posix_now_ms(NULL) ^ ((uint32_t)getpid() << 16) ^ 0x9E3779B9u;
    }
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static uint32_t posix_random(void *ctx)
{
    uint32_t v = 0;
    (void)ctx;
#if defined(__linux__)
    /* GRND_NONBLOCK: early in boot the pool may not be ready; /dev/urandom never blocks. */
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v) {
        return v;
    }
#endif
    if (urandom_read(&v) == 0) {
        return v;
    }
    return weak_random();
}

static void posix_sleep_ms(void *ctx, uint32_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    (void)ctx;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

const mqtls_platform_t mqtls_platform_posix = {
    posix_now_ms,
    posix_random,
    NULL,
    posix_sleep_ms,
};
