/**
 * @file test.c
 * @brief The assertion framework behind test.h.
 */
#include "test.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mqtls/status.h"

/* Bytes shown on each side of the first difference in CHECK_EQ_MEM's dump. */
#define DUMP_CONTEXT 16u

static int passed;
static int failed;
static int skipped;
static int stray_failures;   /* checks that failed outside any test */
static const char *current;  /* the running test, NULL between tests */
static int current_failed;
static int current_skipped;
static const char *filter;

void test_main_begin(int argc, char **argv)
{
    filter = argc > 1 ? argv[1] : NULL;
}

void test_run_(const char *name, void (*fn)(void))
{
    if (filter != NULL && strstr(name, filter) == NULL) {
        return;
    }
    current = name;
    current_failed = 0;
    current_skipped = 0;
    fn();
    if (current_failed) {
        failed++;
        printf("FAIL %s\n", name);
    } else if (current_skipped) {
        skipped++;
    } else {
        passed++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
    current = NULL;
}

int test_main_end(void)
{
    if (stray_failures > 0) {
        failed++;
    }
    if (skipped > 0) {
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    } else {
        printf("%d passed, %d failed\n", passed, failed);
    }
    fflush(stdout);
    return failed != 0 ? 1 : 0;
}

void test_note(const char *fmt, ...)
{
    va_list ap;
    printf("     [%s] ", current != NULL ? current : "-");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* Prints the location line that every failure report starts with. */
static void fail_header(const char *file, int line)
{
    if (current != NULL) {
        current_failed = 1;
    } else {
        stray_failures++;
    }
    printf("  %s:%d: [%s] check failed: ", file, line, current != NULL ? current : "-");
}

int test_check_(int ok, const char *file, int line, const char *expr)
{
    if (!ok) {
        fail_header(file, line);
        printf("%s\n", expr);
        fflush(stdout);
    }
    return ok;
}

int test_check_int_(long long a, long long b, const char *file, int line, const char *ea,
                    const char *eb)
{
    if (a == b) {
        return 1;
    }
    fail_header(file, line);
    printf("%s == %s\n      got %lld (0x%llx), expected %lld (0x%llx)\n", ea, eb, a,
           (unsigned long long)a, b, (unsigned long long)b);
    fflush(stdout);
    return 0;
}

/* One dump line: offset, then the bytes, with '*' after each byte that differs. */
static void dump_line(const char *label, const unsigned char *p, const unsigned char *other,
                      size_t from, size_t to)
{
    printf("      %-8s %06zx:", label, from);
    for (size_t i = from; i < to; i++) {
        printf(" %02x%c", p[i], p[i] != other[i] ? '*' : ' ');
    }
    printf("\n");
}

int test_check_mem_(const void *a, const void *b, size_t n, const char *file, int line,
                    const char *ea, const char *eb)
{
    const unsigned char *pa = a;
    const unsigned char *pb = b;
    size_t first = 0;
    size_t diffs = 0;

    if (n == 0 || (a != NULL && b != NULL && memcmp(a, b, n) == 0)) {
        return 1;
    }
    fail_header(file, line);
    if (a == NULL || b == NULL) {
        printf("%s == %s (%zu bytes): %s is NULL\n", ea, eb, n, a == NULL ? ea : eb);
        fflush(stdout);
        return 0;
    }
    for (size_t i = n; i-- > 0;) {
        if (pa[i] != pb[i]) {
            first = i;
            diffs++;
        }
    }
    printf("%s == %s (%zu bytes): %zu differ, first at offset %zu\n", ea, eb, n, diffs, first);
    for (size_t from = first - first % DUMP_CONTEXT; from < n && from < first + 2 * DUMP_CONTEXT;
         from += DUMP_CONTEXT) {
        size_t to = from + DUMP_CONTEXT < n ? from + DUMP_CONTEXT : n;
        dump_line("got", pa, pb, from, to);
        dump_line("expected", pb, pa, from, to);
    }
    fflush(stdout);
    return 0;
}

int test_check_str_(const char *a, const char *b, const char *file, int line, const char *ea,
                    const char *eb)
{
    if (a == b || (a != NULL && b != NULL && strcmp(a, b) == 0)) {
        return 1;
    }
    fail_header(file, line);
    printf("%s == %s\n      got      \"%s\"\n      expected \"%s\"\n", ea, eb,
           a != NULL ? a : "(null)", b != NULL ? b : "(null)");
    fflush(stdout);
    return 0;
}

/* "3 (text)" or "-3 (-(text))" for a transport-style negative status. */
static void print_status(long long v)
{
    long long mag = v < 0 ? -v : v;
    const char *text = "not a status";
    if (mag < (long long)MQTLS_STATUS_COUNT) {
        text = mqtls_strerror((mqtls_status_t)mag);
    }
    if (v < 0) {
        printf("%lld (-(%s))", v, text);
    } else {
        printf("%lld (%s)", v, text);
    }
}

int test_check_status_(long long got, long long expected, const char *file, int line,
                       const char *expr)
{
    if (got == expected) {
        return 1;
    }
    fail_header(file, line);
    printf("%s\n      got ", expr);
    print_status(got);
    printf(", expected ");
    print_status(expected);
    printf("\n");
    fflush(stdout);
    return 0;
}

void test_skip_(const char *file, int line, const char *why)
{
    current_skipped = 1;
    printf("skip %s (%s:%d): %s\n", current != NULL ? current : "-", file, line, why);
    fflush(stdout);
}
