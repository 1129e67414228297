/**
 * @file test_family.c
 * @brief The entry point of cert and pki (tools/common/tool_family.c) on a family of its own:
 *        no command, --help, help CMD, unknown commands, and the command run with its
 *        arguments; and cert's and pki's tables through it (--help of each command).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/tool_family.h"
#include "common/tool_util.h"
#include "creds/tool_cert.h"
#include "creds/tool_pki.h"
#include "test.h"

static const tool_opt_t opts[] = {
    {"help", 'h', 0, 3u, tool_opt_help, 0, NULL, "show this help"},
};

static const tool_cmddef_t cmds[] = {
    {"one", 1u, "Usage: fam one\n\n", NULL, "Exits of one\n"},
    {"two", 2u, "Usage: fam two\n\n", NULL, "Exits of two\n"},
};

static const tool_optset_t set = {"fam", opts, 1, cmds, 2, 10, true};

static const tool_cmddef_t *ran;
static int ran_argc;
static char ran_arg1[32]; /* a copy: the arguments live in call()'s frame */

/* Records what it was given; returns 7, or --help's TOOL_HELP_SHOWN. */
static int run(const tool_cmddef_t *cmd, int argc, char **argv)
{
    ran = cmd;
    ran_argc = argc;
    snprintf(ran_arg1, sizeof ran_arg1, "%s", argc > 1 ? argv[1] : "");
    tool_optparse_t p = {&set, cmd, NULL, NULL, 0, 0};
    return argc > 1 && !strcmp(argv[1], "--help") ? tool_optparse_run(&p, argc, argv) : 7;
}

static const tool_family_t fam = {&set, "Overview\n", "Exits\n", "one or two", run};

static char out_text[8192], err_text[4096];

/* Runs @p f on "NAME ARGS..." (NULL-terminated) with stdout and stderr captured. */
static int call(const tool_family_t *f, const char *name, ...)
{
    char buf[8][32];
    char *argv[9];
    int argc = 0;
    va_list ap;
    va_start(ap, name);
    for (const char *s = name; s && argc < 8; s = va_arg(ap, const char *), argc++) {
        snprintf(buf[argc], sizeof buf[argc], "%s", s);
        argv[argc] = buf[argc];
    }
    va_end(ap);
    fflush(stdout);
    fflush(stderr);
    FILE *o = tmpfile(), *e = tmpfile();
    int so = dup(1), se = dup(2);
    dup2(fileno(o), 1);
    dup2(fileno(e), 2);
    ran = NULL;
    int rc = tool_family_main(f, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    rewind(o);
    rewind(e);
    out_text[fread(out_text, 1, sizeof out_text - 1, o)] = '\0';
    err_text[fread(err_text, 1, sizeof err_text - 1, e)] = '\0';
    fclose(o);
    fclose(e);
    return rc;
}

#define CALL(f, ...) call(f, __VA_ARGS__, (const char *)NULL)

TEST(no_command_is_a_usage_error_with_the_overview)
{
    CHECK_EQ_INT(CALL(&fam, "fam"), TOOL_EXIT_USAGE);
    CHECK_EQ_STR(err_text, "Overview\nExits\n");
    CHECK_EQ_STR(out_text, "");
    CHECK(ran == NULL);
}

TEST(help_prints_the_overview_or_a_commands_page)
{
    CHECK_EQ_INT(CALL(&fam, "fam", "--help"), TOOL_EXIT_OK);
    CHECK_EQ_STR(out_text, "Overview\nExits\n");
    CHECK_EQ_INT(CALL(&fam, "fam", "-h"), TOOL_EXIT_OK);
    CHECK_EQ_STR(out_text, "Overview\nExits\n");
    CHECK_EQ_INT(CALL(&fam, "fam", "help"), TOOL_EXIT_OK);
    CHECK_EQ_STR(out_text, "Overview\nExits\n");
    CHECK_EQ_INT(CALL(&fam, "fam", "help", "two"), TOOL_EXIT_OK);
    CHECK_EQ_STR(out_text, "Usage: fam two\n\nOptions:\n  -h, --help show this help\n\n"
                           "Exits of two\n");
    CHECK(ran == NULL);
    /* The command's own --help: exit 0 (not TOOL_HELP_SHOWN). */
    CHECK_EQ_INT(CALL(&fam, "fam", "one", "--help"), TOOL_EXIT_OK);
    CHECK(strstr(out_text, "Usage: fam one") != NULL);
}

TEST(unknown_commands)
{
    CHECK_EQ_INT(CALL(&fam, "fam", "three"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "Error: unknown fam command 'three' (use one or two)") != NULL);
    CHECK(strstr(err_text, "Use 'mqtls fam --help' to see usage.") != NULL);
    CHECK_EQ_INT(CALL(&fam, "fam", "help", "three"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "unknown fam command 'three'") != NULL);
    CHECK(ran == NULL);
}

TEST(the_command_runs_with_its_arguments)
{
    CHECK_EQ_INT(CALL(&fam, "fam", "two", "x", "y"), 7);
    REQUIRE(ran != NULL);
    CHECK_EQ_STR(ran->name, "two");
    CHECK_EQ_INT(ran_argc, 3);
    CHECK_EQ_STR(ran_arg1, "x");
}

TEST(cert_and_pki_pages_come_from_their_tables)
{
    CHECK_EQ_INT(CALL(&(tool_family_t){&tool_cert_optset, "", "", "", run}, "cert", "help",
                      "check"),
                 TOOL_EXIT_OK);
    CHECK(strstr(out_text, "Usage: mqtls cert check") != NULL);
    CHECK(strstr(out_text, "      --keypass PASS  the key's passphrase") != NULL);
    CHECK(strstr(out_text, "--passin PASS") == NULL); /* the alias is not listed */
    CHECK_EQ_INT(CALL(&(tool_family_t){&tool_pki_optset, "", "", "", run}, "pki", "help",
                      "init"),
                 TOOL_EXIT_OK);
    CHECK(strstr(out_text, "(default: 3650)") != NULL);
    CHECK(strstr(out_text, "--ec") == NULL); /* server's and device's */
    CHECK(strstr(out_text, "DATE is YYYY-MM-DD") != NULL);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(no_command_is_a_usage_error_with_the_overview);
    RUN(help_prints_the_overview_or_a_commands_page);
    RUN(unknown_commands);
    RUN(the_command_runs_with_its_arguments);
    RUN(cert_and_pki_pages_come_from_their_tables);
    return test_main_end();
}
