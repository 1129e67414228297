/**
 * @file tool_util.c
 * @brief Helpers of the mqtls command-line tool (see tool_util.h).
 */
#include "common/tool_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mqtls/client.h"

const char tool_exit_help[] =
    "Exit status:\n"
    "  0   success\n"
    "  1   protocol or other error (connection lost, broker sent DISCONNECT, ...)\n"
    "  2   bad arguments or unusable input (unknown option, bad value, unreadable file,\n"
    "      TLS certificate/key/CA that cannot be used)\n"
    "  3   could not connect (DNS failure, connection refused, unreachable, timeout,\n"
    "      TLS handshake failed: the reason is printed)\n"
    "  4   the broker refused the connection (CONNACK reason code)\n"
    "  5   the broker rejected a publish or a subscription\n"
    "  11-16  doctor: 10 + the number of the step that failed (mqtls doctor --help)\n"
    "  27  sub -W: the timeout expired\n";

volatile sig_atomic_t tool_stop;

static bool quiet_mode;

/* The live clients a signal interrupts (read by the handler: set before it can run). */
static struct mqtls_client *volatile watched[TOOL_MAX_WATCHED];

static void on_signal(int sig)
{
    (void)sig;
    tool_stop = 1;
    for (size_t i = 0; i < TOOL_MAX_WATCHED; i++) {
        mqtls_client_t *c = watched[i];
        if (c)
            mqtls_interrupt(c); /* async-signal-safe: it sets a flag */
    }
}

void tool_signals_watch(struct mqtls_client *c)
{
    for (size_t i = 0; i < TOOL_MAX_WATCHED; i++)
        if (!watched[i]) {
            watched[i] = c;
            return;
        }
}

void tool_signals_unwatch(struct mqtls_client *c)
{
    for (size_t i = 0; i < TOOL_MAX_WATCHED; i++)
        if (watched[i] == c)
            watched[i] = NULL;
}

void tool_signals_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

void tool_set_quiet(bool quiet)
{
    quiet_mode = quiet;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
    if (quiet_mode)
        return;
    fflush(stdout);
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void tool_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("Error: ", fmt, ap);
    va_end(ap);
}

int tool_usage_err(const char *fmt, ...)
{
    va_list ap;
    bool q = quiet_mode;
    quiet_mode = false;
    va_start(ap, fmt);
    vreport("Error: ", fmt, ap);
    va_end(ap);
    quiet_mode = q;
    return TOOL_EXIT_USAGE;
}

void tool_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void tool_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("Warning: ", fmt, ap);
    va_end(ap);
}

static void *oom(void *p)
{
    if (!p) {
        fputs("mqtls: out of memory\n", stderr);
        exit(TOOL_EXIT_ERROR);
    }
    return p;
}

void *tool_xmalloc(size_t n)
{
    return oom(malloc(n ? n : 1));
}

void *tool_xcalloc(size_t n, size_t size)
{
    return oom(calloc(n ? n : 1, size ? size : 1));
}

void *tool_xrealloc(void *p, size_t n)
{
    return oom(realloc(p, n ? n : 1));
}

char *tool_xstrdup(const char *s)
{
    return oom(strdup(s));
}

bool tool_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

uint64_t tool_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void buf_reserve(tool_buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = tool_xrealloc(b->p, cap);
    b->cap = cap;
}

void tool_buf_add(tool_buf_t *b, const void *data, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void tool_buf_addc(tool_buf_t *b, char c)
{
    tool_buf_add(b, &c, 1);
}

void tool_buf_printf(tool_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tool_buf_consume(tool_buf_t *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->p, b->p + n, b->len - n);
        b->len -= n;
    }
    if (b->p)
        b->p[b->len] = '\0';
}

void tool_buf_free(tool_buf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int tool_read_fd(int fd, tool_buf_t *b)
{
    return tool_read_fd_max(fd, b, SIZE_MAX);
}

/* Room for @p want more bytes, the buffer never growing past @p limit bytes of data. */
static size_t reserve_upto(tool_buf_t *b, size_t want, size_t limit)
{
    if (b->len >= limit)
        return 0;
    if (want > limit - b->len)
        want = limit - b->len;
    if (b->len + want + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + want + 1)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        if (cap - 1 > limit) /* doubling would overshoot: exactly what the limit needs */
            cap = limit + 1;
        b->p = tool_xrealloc(b->p, cap);
        b->cap = cap;
    }
    return b->cap - b->len - 1;
}

int tool_read_fd_max(int fd, tool_buf_t *b, size_t max)
{
    /* One byte more than max shows that there was more. */
    size_t limit = max >= SIZE_MAX - 2 - b->len ? SIZE_MAX - 1 : b->len + max + 1;
    for (;;) {
        size_t room = reserve_upto(b, 65536, limit);
        if (room == 0)
            break;
        ssize_t n = read(fd, b->p + b->len, room);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR && !tool_stop)
                continue;
            return errno ? errno : EIO;
        }
        b->len += (size_t)n;
    }
    if (b->p)
        b->p[b->len] = '\0';
    return 0;
}

int tool_read_file(const char *path, tool_buf_t *b)
{
    return tool_read_file_max(path, b, SIZE_MAX);
}

int tool_read_file_max(const char *path, tool_buf_t *b, size_t max)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int err = tool_read_fd_max(fd, b, max);
    close(fd);
    return err;
}

int tool_vbad(const char *cmd, const char *sub, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    tool_usage_err("%s", msg);
    fprintf(stderr, "Use 'mqtls %s%s%s --help' to see usage.\n", cmd, sub ? " " : "",
            sub ? sub : "");
    return TOOL_EXIT_USAGE;
}

int tool_bad(const char *cmd, const char *sub, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tool_vbad(cmd, sub, fmt, ap);
    va_end(ap);
    return rc;
}

void tool_secret_free(char **s)
{
    if (*s) {
        explicit_bzero(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

void tool_secret_take(char **slot, char *arg)
{
    tool_secret_free(slot);
    *slot = tool_xstrdup(arg);
    explicit_bzero(arg, strlen(arg));
}
