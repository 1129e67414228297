/**
 * @file tool_util.h
 * @brief Small helpers of the mqtls command-line tool: exit codes, error messages, number
 *        parsing, growable buffers and whole-file reading.
 */
#ifndef TOOL_UTIL_H
#define TOOL_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

/** Exit codes of `mqtls` (documented in docs/cli.md and in --help). */
enum tool_exit {
    TOOL_EXIT_OK = 0,        /**< success */
    TOOL_EXIT_ERROR = 1,     /**< protocol or other error, connection lost */
    TOOL_EXIT_USAGE = 2,     /**< bad arguments or unusable input */
    TOOL_EXIT_CONNECT = 3,   /**< could not connect: DNS, refused, unreachable, timeout */
    TOOL_EXIT_REFUSED = 4,   /**< the broker refused the connection (CONNACK) */
    TOOL_EXIT_REJECTED = 5,  /**< the broker rejected a publish or a subscription */
    TOOL_EXIT_TIMEOUT = 27   /**< sub -W: the time ran out (as mosquitto_sub) */
};

/** The exit-code table as printed by --help. */
extern const char tool_exit_help[];

/** Set by SIGINT/SIGTERM: loops end and the tool disconnects cleanly. */
extern volatile sig_atomic_t tool_stop;

/** Installs the SIGINT/SIGTERM handlers (no SA_RESTART, so poll() wakes up). */
void tool_signals_init(void);

struct mqtls_client;

/**
 * Makes SIGINT/SIGTERM also interrupt @p c (mqtls_interrupt()), so that a send blocked on a
 * broker that does not read gives up at once instead of after the send timeout. At most
 * TOOL_MAX_WATCHED clients; call tool_signals_unwatch() before freeing @p c.
 */
void tool_signals_watch(struct mqtls_client *c);

/** Stops interrupting @p c on a signal. */
void tool_signals_unwatch(struct mqtls_client *c);

/** How many clients tool_signals_watch() can hold. */
#define TOOL_MAX_WATCHED 4

/** Silences tool_err() (--quiet). */
void tool_set_quiet(bool quiet);

/** Prints "Error: <message>" on stderr unless --quiet was given. */
void tool_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Prints "Error: <message>" on stderr (always) and returns TOOL_EXIT_USAGE. */
int tool_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Prints "Error: ..." and the hint "Use 'mqtls CMD [SUB] --help' to see usage." (SUB may be
 * NULL); returns TOOL_EXIT_USAGE. For commands with their own subcommands (cert, pki).
 */
int tool_vbad(const char *cmd, const char *sub, const char *fmt, va_list ap);

/** Wipes and frees a secret string (a passphrase) and sets *@p s to NULL; NULL is fine. */
void tool_secret_free(char **s);

/** Keeps a copy of the secret @p arg in *@p slot (wiping the one there before) and blanks
 *  @p arg itself, so that `ps` no longer shows it on the command line. */
void tool_secret_take(char **slot, char *arg);

/** tool_vbad() with the arguments in place. */
int tool_bad(const char *cmd, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Prints a plain line on stderr unless --quiet was given. */
void tool_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Prints "Warning: <message>" on stderr unless --quiet was given. */
void tool_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** malloc() that ends the program with a message when memory runs out. */
void *tool_xmalloc(size_t n);
/** calloc() that ends the program when memory runs out. */
void *tool_xcalloc(size_t n, size_t size);
/** realloc() that ends the program when memory runs out. */
void *tool_xrealloc(void *p, size_t n);
/** strdup() that ends the program when memory runs out. */
char *tool_xstrdup(const char *s);

/**
 * Parses a whole decimal number in [min, max] (no sign, no trailing characters).
 * @return true and *out, or false when @p s is not such a number.
 */
bool tool_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/** Milliseconds of a monotonic clock. */
uint64_t tool_now_ms(void);

/** A growable byte buffer. */
typedef struct tool_buf {
    char *p;
    size_t len;
    size_t cap;
} tool_buf_t;

/** Appends @p n bytes. */
void tool_buf_add(tool_buf_t *b, const void *data, size_t n);
/** Appends one byte. */
void tool_buf_addc(tool_buf_t *b, char c);
/** Appends formatted text. */
void tool_buf_printf(tool_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Drops the first @p n bytes. */
void tool_buf_consume(tool_buf_t *b, size_t n);
/** Frees the memory. */
void tool_buf_free(tool_buf_t *b);

/**
 * Reads everything from @p fd into @p b (appending).
 * @return 0, or the errno of the failure.
 */
int tool_read_fd(int fd, tool_buf_t *b);

/**
 * Reads the whole file @p path into @p b.
 * @return 0, or the errno of the failure.
 */
int tool_read_file(const char *path, tool_buf_t *b);

/**
 * Reads from @p fd into @p b (appending) until end of file, but never more than
 * @p max + 1 bytes: input larger than @p max is then recognisable (b->len > max) without
 * reading, or holding in memory, the rest of it (`-f /dev/zero`).
 * @return 0, or the errno of the failure.
 */
int tool_read_fd_max(int fd, tool_buf_t *b, size_t max);

/** tool_read_fd_max() on the file @p path. */
int tool_read_file_max(const char *path, tool_buf_t *b, size_t max);

#endif
