/**
 * @file test_explain.c
 * @brief `mqtls explain` (tools/explain/): the stack table, how CODE is read, what the
 *        report says per chip, and the exit statuses of the command line (a negative CODE
 *        is a CODE, not an option).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/tool_util.h"
#include "explain/tool_explain.h"
#include "test.h"

/* The report of @p code on stack @p name, in a static buffer; *rc its return. */
static const char *report(const char *name, long code, int *rc)
{
    static char buf[4096];
    const tool_explain_stack_t *s = tool_explain_stack(name);
    FILE *f = tmpfile();
    if (s == NULL || f == NULL)
        return "";
    *rc = tool_explain_print(s, code, f);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Runs `mqtls explain ARGS...` (NULL-terminated), its stdout discarded; returns the exit
 * status (-1 if stdout could not be redirected). */
static int run(const char *first, ...)
{
    char *argv[8] = {(char *)"explain"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 7; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
    if (saved < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0)
        return -1;
    int rc = tool_explain_main(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(null);
    return rc;
}

TEST(stacks_are_rows_of_one_table)
{
    CHECK(tool_explain_n_stacks >= 3);
    const tool_explain_stack_t *c20 = tool_explain_stack("cc3220");
    const tool_explain_stack_t *c00 = tool_explain_stack("cc3200");
    const tool_explain_stack_t *sl = tool_explain_stack("simplelink");
    REQUIRE(c20 && c00 && sl);
    CHECK(c20 == &tool_explain_stacks[0]); /* the default */
    CHECK_EQ_INT(sl->chip, c20->chip);     /* simplelink means the CC3220 */
    CHECK(c00->chip != c20->chip);
    CHECK(tool_explain_stack("CC3220") == NULL);
    CHECK(tool_explain_stack("") == NULL);
    for (size_t i = 0; i < tool_explain_n_stacks; i++)
        CHECK(tool_explain_stacks[i].explain != NULL && tool_explain_stacks[i].about[0]);
}

TEST(codes_are_read_as_the_stack_numbers_them)
{
    const tool_explain_stack_t *s = tool_explain_stack("cc3220");
    long c = 1;
    REQUIRE(s);
    CHECK(tool_explain_parse_code(s, "-468", &c) && c == -468);
    CHECK(tool_explain_parse_code(s, "468", &c) && c == -468); /* the sign left out */
    CHECK(tool_explain_parse_code(s, "+468", &c) && c == -468);
    CHECK(tool_explain_parse_code(s, "0", &c) && c == 0);
    CHECK(tool_explain_parse_code(s, "-32768", &c) && c == -32768);
    CHECK(!tool_explain_parse_code(s, "-32769", &c));
    CHECK(!tool_explain_parse_code(s, "99999999999999999999", &c));
    CHECK(!tool_explain_parse_code(s, "abc", &c));
    CHECK(!tool_explain_parse_code(s, "-", &c));
    CHECK(!tool_explain_parse_code(s, "", &c));
    CHECK(!tool_explain_parse_code(s, "-46x", &c));
    CHECK(!tool_explain_parse_code(s, " 468", &c));
    CHECK(!tool_explain_parse_code(s, "0x1d4", &c));
}

TEST(the_report_is_the_chips)
{
    int rc = -1;
    const char *r = report("cc3220", -468, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "SL_ERROR_BSD_ESECUNKNOWNROOTCA") != NULL);
    CHECK(strstr(r, "cause:   tls.server_untrusted_root") != NULL);
    CHECK(strstr(r, "connected, but") != NULL);
    CHECK(strstr(r, "flash") != NULL);
    r = report("cc3200", -468, &rc);
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN); /* the CC3200 SDK has no -468 */
    CHECK(strstr(r, "no entry in the cc3200 table") != NULL);
    CHECK(strstr(r, "not a CC3200 code") != NULL);
    r = report("cc3200", -222, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "SL_ESEC_DOMAIN_NAME_MISMATCH") != NULL);
    CHECK(strstr(r, "tls.hostname_mismatch") != NULL);
    r = report("cc3220", -222, &rc);
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN);
    r = report("cc3200", -456, &rc);
    CHECK(strstr(r, "SL_ESECBADCAFILE") != NULL && strstr(r, "given by id") != NULL);
    r = report("simplelink", -456, &rc);
    CHECK(strstr(r, "SL_ERROR_BSD_ESECBADCAFILE") != NULL && strstr(r, "given by id") == NULL);
    r = report("cc3220", -348, &rc); /* errors.h names no -348 */
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "-348 (the SDK gives it no name)") != NULL);
    r = report("cc3220", 0, &rc);
    CHECK_EQ_INT(rc, 0);
    /* Every line fits 80 columns. */
    for (const char *l = report("cc3200", -461, &rc); *l;) {
        size_t n = strcspn(l, "\n");
        CHECK(n <= 80);
        l += n + (l[n] == '\n');
    }
}

TEST(exit_statuses_of_the_command_line)
{
    CHECK_EQ_INT(run("--stack", "cc3220", "-468", NULL), 0);
    CHECK_EQ_INT(run("-468", "--stack", "cc3220", NULL), 0);
    CHECK_EQ_INT(run("--stack=cc3200", "-456", NULL), 0);
    CHECK_EQ_INT(run("468", NULL), 0);
    CHECK_EQ_INT(run("--", "-468", NULL), 0);
    CHECK_EQ_INT(run("--stack", "cc3200", "-468", NULL), TOOL_EXPLAIN_EXIT_UNKNOWN);
    CHECK_EQ_INT(run("-9999", NULL), TOOL_EXPLAIN_EXIT_UNKNOWN);
    CHECK_EQ_INT(run(NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("abc", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--stack", "openssl", "42", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--stack", "-468", NULL), TOOL_EXIT_USAGE); /* no stack given */
    CHECK_EQ_INT(run("--stack", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("-1", "-2", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--bogus", "-1", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("-40000", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--help", NULL), 0);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(stacks_are_rows_of_one_table);
    RUN(codes_are_read_as_the_stack_numbers_them);
    RUN(the_report_is_the_chips);
    RUN(exit_statuses_of_the_command_line);
    return test_main_end();
}
