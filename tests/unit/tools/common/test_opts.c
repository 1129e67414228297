/**
 * @file test_opts.c
 * @brief The option parser (tools/common/tool_optparse.c) on a table of its own and on the
 *        table of pub, sub and doctor (tools/common/tool_opts.c): long, short and inline
 *        forms, missing values, unknown options and options of another command, `--`,
 *        positional arguments, repeats, ranges, and the --help page built from a table.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/tool_optparse.h"
#include "common/tool_opts.h"
#include "common/tool_util.h"
#include "test.h"

/* ---- what the parser printed on stderr ----------------------------------------------------- */

static char err_text[4096];
static int saved_fd = -1;
static FILE *err_file;

static void capture_begin(void)
{
    fflush(stderr);
    err_file = tmpfile();
    saved_fd = dup(2);
    dup2(fileno(err_file), 2);
}

/* Ends the capture; the text is in err_text. */
static void capture_end(void)
{
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    rewind(err_file);
    size_t n = fread(err_text, 1, sizeof err_text - 1, err_file);
    err_text[n] = '\0';
    fclose(err_file);
}

/* ---- a table of its own: two commands, A and B --------------------------------------------- */

enum { CMD_A = 1u, CMD_B = 2u };

typedef struct ctx {
    const char *name;
    bool flag;
    int count;          /* --count: how many times given */
    const char *pair[2];
    int extra;          /* --pair took a third value "+" */
} ctx_t;

static int opt_count(tool_optparse_t *p, tool_optval_t *val)
{
    (void)val;
    ((ctx_t *)p->ctx)->count++;
    return TOOL_EXIT_OK;
}

/* Two values, and a third if it is "+" (as -D user-property takes one more). */
static int opt_pair(tool_optparse_t *p, tool_optval_t *val)
{
    ctx_t *c = p->ctx;
    c->pair[0] = val->v[0];
    c->pair[1] = val->v[1];
    if (val->avail > 2 && !strcmp(val->v[2], "+")) {
        c->extra++;
        val->used = 3;
    }
    return TOOL_EXIT_OK;
}

static int opt_label(tool_optparse_t *p, tool_optval_t *val)
{
    return tool_opt_nonempty(p, val, "label");
}

static const tool_opt_t test_opts[] = {
    {"count", 'c', 0, CMD_A | CMD_B, opt_count, 0, NULL, "count it"},
    {"flag", 0, 0, CMD_A, tool_opt_true, offsetof(ctx_t, flag), NULL, "a flag of A"},
    {"help", 'h', 0, CMD_A | CMD_B, tool_opt_help, 0, NULL, "show this help"},
    {"name", 'n', 1, CMD_A, tool_opt_str, offsetof(ctx_t, name), "NAME",
     "the name\nover two lines"},
    {"name", 'n', 1, CMD_B, tool_opt_str, offsetof(ctx_t, name), "NAME", "B's name"},
    {"pair", 'p', 2, CMD_B, opt_pair, 0, "X Y", "two values"},
    {"set-flag", 0, 0, CMD_A, tool_opt_true, offsetof(ctx_t, flag), NULL, NULL}, /* alias */
    {"label", 0, 1, CMD_A, opt_label, offsetof(ctx_t, name), "L", NULL},
};

#define N_TEST_OPTS (sizeof test_opts / sizeof test_opts[0])

static const tool_cmddef_t test_cmds[] = {
    {"a", CMD_A, "Usage: a\n\n", NULL, "Exit status: A\n"},
    {"b", CMD_B, "Usage: b\n\n", "\nNotes of B.\n\n", "Exit status: B\n"},
};

static const tool_optset_t plain_set = {NULL, test_opts, N_TEST_OPTS, test_cmds, 2, 20, false};
static const tool_optset_t family_set = {"fam", test_opts, N_TEST_OPTS, test_cmds, 2, 20, true};

static char argbuf[16][64];
static char *argvv[17];

/* Parses "CMD ARG..." (NULL-terminated) with @p set into *c, up to @p max_pos positionals. */
static int parse_with(const tool_optset_t *set, ctx_t *c, const char **pos, size_t max_pos,
                      size_t *n_pos, const char *cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    int argc = 0;
    for (const char *s = cmd; s && argc < 16; s = va_arg(ap, const char *), argc++) {
        snprintf(argbuf[argc], sizeof argbuf[argc], "%s", s);
        argvv[argc] = argbuf[argc];
    }
    va_end(ap);
    memset(c, 0, sizeof *c);
    tool_optparse_t p = {set, tool_optset_cmd(set, cmd), c, pos, max_pos, 0};
    capture_begin();
    int rc = tool_optparse_run(&p, argc, argvv);
    capture_end();
    if (n_pos)
        *n_pos = p.n_pos;
    return rc;
}

#define PARSE(c, ...) parse_with(&plain_set, c, NULL, 0, NULL, __VA_ARGS__, (const char *)NULL)

TEST(long_short_and_inline_forms)
{
    ctx_t c;
    CHECK_EQ_INT(PARSE(&c, "a", "--name", "x"), TOOL_EXIT_OK);
    CHECK_EQ_STR(c.name, "x");
    CHECK_EQ_INT(PARSE(&c, "a", "-n", "y"), TOOL_EXIT_OK);
    CHECK_EQ_STR(c.name, "y");
    CHECK_EQ_INT(PARSE(&c, "a", "--name=z=1"), TOOL_EXIT_OK);
    CHECK_EQ_STR(c.name, "z=1");
    CHECK_EQ_INT(PARSE(&c, "a", "--name="), TOOL_EXIT_OK);
    CHECK_EQ_STR(c.name, "");
    CHECK_EQ_INT(PARSE(&c, "a", "--flag"), TOOL_EXIT_OK);
    CHECK(c.flag);
    CHECK_EQ_INT(PARSE(&c, "a", "--set-flag"), TOOL_EXIT_OK); /* not in --help, taken */
    CHECK(c.flag);
    /* A value is taken as it is, even when it looks like an option. */
    CHECK_EQ_INT(PARSE(&c, "a", "-n", "--flag"), TOOL_EXIT_OK);
    CHECK_EQ_STR(c.name, "--flag");
    CHECK(!c.flag);
}

TEST(missing_values)
{
    ctx_t c;
    CHECK_EQ_INT(PARSE(&c, "a", "--name"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "Error: option '--name' needs an argument") != NULL);
    CHECK_EQ_INT(PARSE(&c, "b", "-p", "1"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '-p' needs 2 arguments") != NULL);
    CHECK_EQ_INT(PARSE(&c, "b", "--pair=1"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '--pair' does not take a value") != NULL);
    CHECK_EQ_INT(PARSE(&c, "a", "--flag=yes"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '--flag' does not take a value") != NULL);
    CHECK(strstr(err_text, "yes") == NULL); /* the value is not echoed */
}

TEST(values_that_must_not_be_empty)
{
    ctx_t c;
    CHECK_EQ_INT(PARSE(&c, "a", "--label", "x"), TOOL_EXIT_OK);
    CHECK_EQ_STR(c.name, "x");
    CHECK_EQ_INT(PARSE(&c, "a", "--label="), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "Error: --label: the label is empty") != NULL);
}

TEST(unknown_options_and_options_of_another_command)
{
    ctx_t c;
    CHECK_EQ_INT(PARSE(&c, "a", "--bogus"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "unknown option '--bogus'") != NULL);
    CHECK_EQ_INT(PARSE(&c, "a", "-Z"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "unknown option '-Z'") != NULL);
    CHECK_EQ_INT(PARSE(&c, "a", "-nx"), TOOL_EXIT_USAGE); /* no -xVALUE */
    CHECK(strstr(err_text, "unknown option '-nx'") != NULL);
    CHECK_EQ_INT(PARSE(&c, "a", "--fla"), TOOL_EXIT_USAGE); /* no abbreviations */
    CHECK_EQ_INT(PARSE(&c, "a", "--pair", "1", "2"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '--pair' is not valid for mqtls a") != NULL);
    CHECK_EQ_INT(PARSE(&c, "b", "--flag=1"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '--flag' is not valid for mqtls b") != NULL);
    CHECK(strstr(err_text, "--help") == NULL); /* pub, sub, doctor add the hint themselves */
    char long_name[80];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[0] = long_name[1] = '-';
    long_name[sizeof long_name - 1] = '\0';
    CHECK_EQ_INT(PARSE(&c, "a", long_name), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "unknown option '--xxx") != NULL);
}

TEST(family_errors_point_at_the_commands_help)
{
    ctx_t c;
    CHECK_EQ_INT(parse_with(&family_set, &c, NULL, 0, NULL, "b", "--flag", (const char *)NULL),
                 TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '--flag' is not valid for mqtls fam b") != NULL);
    CHECK(strstr(err_text, "Use 'mqtls fam b --help' to see usage.") != NULL);
}

TEST(positionals_and_double_dash)
{
    ctx_t c;
    const char *pos[4];
    size_t n = 0;
    CHECK_EQ_INT(parse_with(&plain_set, &c, pos, 4, &n, "a", "x", "-", "--", "--flag", "-n",
                            (const char *)NULL),
                 TOOL_EXIT_OK);
    REQUIRE_EQ_INT(n, 4);
    CHECK_EQ_STR(pos[0], "x");
    CHECK_EQ_STR(pos[1], "-");
    CHECK_EQ_STR(pos[2], "--flag");
    CHECK_EQ_STR(pos[3], "-n");
    CHECK(!c.flag);
    CHECK_EQ_INT(parse_with(&plain_set, &c, pos, 1, &n, "a", "x", "y", (const char *)NULL),
                 TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "unexpected argument 'y'") != NULL);
    CHECK_EQ_INT(PARSE(&c, "a", "stray"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "unexpected argument 'stray'") != NULL);
    /* A lone "--" ends the options and is not itself an argument. */
    CHECK_EQ_INT(PARSE(&c, "a", "--flag", "--"), TOOL_EXIT_OK);
}

TEST(repeated_options_are_handled_again)
{
    ctx_t c;
    CHECK_EQ_INT(PARSE(&c, "b", "-c", "--count", "-c"), TOOL_EXIT_OK);
    CHECK_EQ_INT(c.count, 3);
    CHECK_EQ_INT(PARSE(&c, "a", "-n", "one", "--name", "two"), TOOL_EXIT_OK);
    CHECK_EQ_STR(c.name, "two");
    /* A handler may take more values than the least: they are then skipped. */
    CHECK_EQ_INT(PARSE(&c, "b", "-p", "1", "2", "+", "-p", "3", "4", "-c"), TOOL_EXIT_OK);
    CHECK_EQ_INT(c.extra, 1);
    CHECK_EQ_STR(c.pair[0], "3");
    CHECK_EQ_INT(c.count, 1);
}

/* The --help page of @p cmd, as printed. */
static void help_of(const tool_optset_t *set, const char *cmd, char *out, size_t size)
{
    FILE *f = tmpfile();
    tool_optparse_help(set, tool_optset_cmd(set, cmd), f);
    rewind(f);
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    fclose(f);
}

TEST(help_is_built_from_the_table)
{
    char h[1024];
    help_of(&plain_set, "a", h, sizeof h);
    CHECK_EQ_STR(h, "Usage: a\n\n"
                    "Options:\n"
                    "  -c, --count          count it\n"
                    "      --flag           a flag of A\n"
                    "  -h, --help           show this help\n"
                    "  -n, --name NAME      the name\n"
                    "                       over two lines\n"
                    "\n"
                    "Exit status: A\n");
    help_of(&plain_set, "b", h, sizeof h);
    CHECK_EQ_STR(h, "Usage: b\n\n"
                    "Options:\n"
                    "  -c, --count          count it\n"
                    "  -h, --help           show this help\n"
                    "  -n, --name NAME      B's name\n"
                    "  -p, --pair X Y       two values\n"
                    "\nNotes of B.\n\n"
                    "Exit status: B\n");
}

TEST(help_first_wins_over_errors_only_when_the_set_says_so)
{
    ctx_t c;
    int out = dup(1), null = open("/dev/null", 1);
    dup2(null, 1); /* the help page */
    CHECK_EQ_INT(parse_with(&family_set, &c, NULL, 0, NULL, "a", "--bogus", "-h",
                            (const char *)NULL),
                 TOOL_HELP_SHOWN);
    CHECK_EQ_INT(PARSE(&c, "a", "--bogus", "-h"), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(PARSE(&c, "a", "-h", "--bogus"), TOOL_HELP_SHOWN);
    /* After "--" it is an argument. */
    CHECK_EQ_INT(parse_with(&family_set, &c, NULL, 0, NULL, "a", "--", "-h", (const char *)NULL),
                 TOOL_EXIT_USAGE);
    fflush(stdout);
    dup2(out, 1);
    close(out);
    close(null);
}

/* ---- the table of pub, sub and doctor ------------------------------------------------------ */

static tool_cfg_t cfg;

/* tool_opts_parse() of @p cmd on the NULL-terminated arguments; cfg keeps the result. */
static int opts(tool_cmd_t cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    int argc = 1;
    snprintf(argbuf[0], sizeof argbuf[0], "%s", tool_cmd_name(cmd));
    argvv[0] = argbuf[0];
    for (const char *s; (s = va_arg(ap, const char *)) && argc < 16; argc++) {
        snprintf(argbuf[argc], sizeof argbuf[argc], "%s", s);
        argvv[argc] = argbuf[argc];
    }
    va_end(ap);
    tool_cfg_free(&cfg);
    tool_cfg_init(&cfg, cmd);
    capture_begin();
    int rc = tool_opts_parse(&cfg, argc, argvv);
    capture_end();
    return rc;
}

#define OPTS(cmd, ...) opts(cmd, __VA_ARGS__, (const char *)NULL)

TEST(pub_sub_doctor_numbers_and_their_ranges)
{
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "-p", "65535", "--keepalive=5"),
                 TOOL_EXIT_OK);
    CHECK_EQ_INT(cfg.port, 65535);
    CHECK_EQ_INT(cfg.keepalive, 5);
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "-p", "0"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "invalid port '0' (must be a number from 1 to 65535)") != NULL);
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "--port", "65536"), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "-p", "12x"), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(OPTS(TOOL_SUB, "-t", "a", "-k", "4"), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(OPTS(TOOL_SUB, "-t", "a", "-q", "3"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "invalid QoS '3' (must be 0, 1 or 2)") != NULL);
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "--repeat-delay", "0.25"), TOOL_EXIT_OK);
    CHECK_EQ_INT(cfg.repeat_delay_ms, 250);
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "--repeat-delay", "-1"), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(OPTS(TOOL_SUB, "-t", "a", "--random-filter", "0.05"), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(OPTS(TOOL_SUB, "-t", "a", "--random-filter", "12.5"), TOOL_EXIT_OK);
    CHECK_EQ_INT(cfg.random_filter, 12500);
}

TEST(pub_sub_doctor_each_takes_its_own_options)
{
    CHECK_EQ_INT(OPTS(TOOL_SUB, "-t", "a", "-m", "x"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '-m' is not valid for mqtls sub") != NULL);
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "-v"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '-v' is not valid for mqtls pub") != NULL);
    CHECK_EQ_INT(OPTS(TOOL_DOCTOR, "--unix", "/tmp/s"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '--unix' is not valid for mqtls doctor") != NULL);
    CHECK_EQ_INT(OPTS(TOOL_DOCTOR, "-t", "d/x", "-W", "3", "--json"), TOOL_EXIT_OK);
    CHECK(cfg.json);
    CHECK_EQ_INT(cfg.timeout_s, 3);
    /* -V 31 is pub's and sub's, not the doctor's. */
    CHECK_EQ_INT(OPTS(TOOL_DOCTOR, "-V", "31"), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(OPTS(TOOL_SUB, "-t", "a", "-V", "5"), TOOL_EXIT_OK);
    CHECK_EQ_INT(cfg.version, MQTLS_V5);
}

TEST(pub_sub_repeats_add_up_or_the_last_wins)
{
    CHECK_EQ_INT(OPTS(TOOL_SUB, "-t", "a", "--topic", "b", "-t", "c/#", "-h", "h1", "-h", "h2"),
                 TOOL_EXIT_OK);
    REQUIRE_EQ_INT(cfg.topics.n, 3);
    CHECK_EQ_STR(cfg.topics.v[2], "c/#");
    CHECK_EQ_STR(cfg.host, "h2");
    /* -D user-property takes four values, the others three. */
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-V", "5", "-t", "a", "-D", "publish", "user-property", "k", "v",
                      "-D", "connect", "receive-maximum", "9", "-m", "x"),
                 TOOL_EXIT_OK);
    CHECK_EQ_INT(cfg.msg_mode, TOOL_MSG_ARG);
    CHECK_EQ_STR(cfg.message, "x");
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "-D"), TOOL_EXIT_USAGE);
    CHECK(strstr(err_text, "option '-D' needs 3 arguments") != NULL);
}

TEST(pub_keypass_is_blanked_in_argv)
{
    CHECK_EQ_INT(OPTS(TOOL_PUB, "-t", "a", "-m", "x", "--keypass=secret", "--insecure",
                      "--cert", "c", "--key", "k"),
                 TOOL_EXIT_OK);
    CHECK_EQ_STR(cfg.keypass, "secret");
    CHECK(strstr(argbuf[5], "secret") == NULL);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(long_short_and_inline_forms);
    RUN(missing_values);
    RUN(values_that_must_not_be_empty);
    RUN(unknown_options_and_options_of_another_command);
    RUN(family_errors_point_at_the_commands_help);
    RUN(positionals_and_double_dash);
    RUN(repeated_options_are_handled_again);
    RUN(help_is_built_from_the_table);
    RUN(help_first_wins_over_errors_only_when_the_set_says_so);
    RUN(pub_sub_doctor_numbers_and_their_ranges);
    RUN(pub_sub_doctor_each_takes_its_own_options);
    RUN(pub_sub_repeats_add_up_or_the_last_wins);
    RUN(pub_keypass_is_blanked_in_argv);
    tool_cfg_free(&cfg);
    return test_main_end();
}
