/**
 * @file test.h
 * @brief A tiny assertion framework for the C tests of mqtls.
 *
 * A test file defines its tests with TEST(), runs them from main() with RUN(), and ends
 * with `return test_main_end();`:
 *
 * @code
 * TEST(encodes_pingreq) {
 *     uint8_t buf[2];
 *     CHECK_STATUS(encode_ping(buf), MQTLS_OK);
 *     CHECK_EQ_MEM(buf, "\xC0\x00", 2);
 * }
 * int main(int argc, char **argv) {
 *     test_main_begin(argc, argv);   // optional: argv[1] runs only tests whose name has it
 *     RUN(encodes_pingreq);
 *     return test_main_end();
 * }
 * @endcode
 *
 * CHECK_* macros record a failure and let the test go on, so one run shows every broken
 * expectation. REQUIRE() and the REQUIRE_* forms also leave the test at once: use them when
 * what follows would crash on failure (a NULL pointer, a failed connect). All output goes to
 * stdout, flushed, so that it interleaves correctly with the code under test.
 */
#ifndef MQTLS_TEST_H
#define MQTLS_TEST_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Defines a test function: `TEST(name) { ... }`. */
#define TEST(name) static void name(void)

/** Runs the test function @p fn (a TEST() or any `void fn(void)`), counting its result. */
#define RUN(fn) test_run_(#fn, fn)

/** Records a failure unless @p cond holds. Evaluates to 1 if it held, else 0. */
#define CHECK(cond) test_check_((cond) ? 1 : 0, __FILE__, __LINE__, #cond)

/** Integers (any integer type, compared as long long); prints both values on failure. */
#define CHECK_EQ_INT(a, b) \
    test_check_int_((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b)

/** @p n bytes at @p a and @p b are equal; on failure prints a hex dump around the first
 *  difference. */
#define CHECK_EQ_MEM(a, b, n) \
    test_check_mem_((const void *)(a), (const void *)(b), (size_t)(n), __FILE__, __LINE__, #a, #b)

/** NUL-terminated strings are equal (NULL equals only NULL). */
#define CHECK_EQ_STR(a, b) test_check_str_((a), (b), __FILE__, __LINE__, #a, #b)

/**
 * @p expr gives the status @p expected (an mqtls_status_t). Negative values, as transports
 * return them, are shown as "-(name)". Failures print mqtls_strerror() texts.
 */
#define CHECK_STATUS(expr, expected) \
    test_check_status_((long long)(expr), (long long)(expected), __FILE__, __LINE__, #expr)

/** Like CHECK(), but leaves the current test function on failure. */
#define REQUIRE(cond) do { if (!CHECK(cond)) return; } while (0)
/** Like CHECK_EQ_INT(), but leaves the current test function on failure. */
#define REQUIRE_EQ_INT(a, b) do { if (!CHECK_EQ_INT(a, b)) return; } while (0)
/** Like CHECK_STATUS(), but leaves the current test function on failure. */
#define REQUIRE_STATUS(expr, expected) do { if (!CHECK_STATUS(expr, expected)) return; } while (0)

/** Marks the current test skipped (it counts neither as passed nor failed) and leaves it. */
#define SKIP(why) do { test_skip_(__FILE__, __LINE__, (why)); return; } while (0)

/** Optional: argv[1], if given, runs only the tests whose name contains it. */
void test_main_begin(int argc, char **argv);

/**
 * Prints "N passed, N failed" (and ", N skipped" if any).
 * @return 0 if nothing failed (checks made outside a test count too), else 1: return it
 *         from main().
 */
int test_main_end(void);

/** Prints a note (printf-style) prefixed with the running test's name. */
void test_note(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/** @cond INTERNAL: called through the macros above. */
void test_run_(const char *name, void (*fn)(void));
int test_check_(int ok, const char *file, int line, const char *expr);
int test_check_int_(long long a, long long b, const char *file, int line, const char *ea,
                    const char *eb);
int test_check_mem_(const void *a, const void *b, size_t n, const char *file, int line,
                    const char *ea, const char *eb);
int test_check_str_(const char *a, const char *b, const char *file, int line, const char *ea,
                    const char *eb);
int test_check_status_(long long got, long long expected, const char *file, int line,
                       const char *expr);
void test_skip_(const char *file, int line, const char *why);
/** @endcond */

#ifdef __cplusplus
}
#endif
#endif
