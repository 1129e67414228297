/**
 * @file tool_explain.c
 * @brief `mqtls explain [--stack S] CODE`: the command line (its option table on the one
 *        parser, its help, the checks of the arguments); the stacks and the report are in
 *        tool_explain_stacks.c.
 */
#include "explain/tool_explain.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/tool_util.h"

/** The command line as parsed. */
typedef struct explain_args {
    const char *stack;
} explain_args_t;

enum { C_EXPLAIN = 1u };

static int opt_stack(tool_optparse_t *p, tool_optval_t *val)
{
    if (tool_explain_stack(val->v[0]) == NULL) {
        char names[256] = "";
        for (size_t i = 0; i < tool_explain_n_stacks; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     i ? ", " : "", tool_explain_stacks[i].name);
        return tool_optparse_err(p, "unknown stack '%s' for %s (use one of: %s)", val->v[0],
                                 val->given, names);
    }
    return tool_opt_str(p, val);
}

static const tool_opt_t explain_opts[] = {
    {"stack", 0, 1, C_EXPLAIN, opt_stack, offsetof(explain_args_t, stack), "S",
     "the stack that returned CODE (default: cc3220); the stacks are\nlisted below"},
    {"help", 'h', 0, C_EXPLAIN, tool_opt_help, 0, NULL, "show this help"},
};

static const char explain_exit_help[] =
    "Exit status:\n"
    "  0   the code is in the stack's table (or is 0, success)\n"
    "  1   the code is in no table: what its range tells is printed\n"
    "  2   bad arguments: no CODE, not a number, out of the stack's range, an unknown\n"
    "      stack\n";

/* The stacks, listed from tool_explain_stacks[] when --help first asks. */
static char stacks_help[1024];

static tool_cmddef_t explain_cmds[] = {
    {"explain", C_EXPLAIN,
     "Usage: mqtls explain [--stack S] CODE\n"
     "\n"
     "What an error code of a device's TLS stack means: the stack's name for it, the\n"
     "status mqtls reports, the doctor's cause id (docs/troubleshooting.md) and the fix,\n"
     "for that stack (the same number can mean different things on two chips). Offline.\n"
     "CODE is a decimal number; the SimpleLink stacks' codes are negative, so 468 is read\n"
     "as -468, and -468 is taken as CODE, not as an option.\n"
     "\n",
     stacks_help, explain_exit_help},
};

const tool_optset_t tool_explain_optset = TOOL_OPTSET(NULL, explain_opts, explain_cmds, 19,
                                                      true);

static void fill_stacks_help(void)
{
    size_t n = (size_t)snprintf(stacks_help, sizeof stacks_help, "\nStacks (--stack):\n");
    for (size_t i = 0; i < tool_explain_n_stacks && n < sizeof stacks_help; i++)
        n += (size_t)snprintf(stacks_help + n, sizeof stacks_help - n, "  %-12s %s\n",
                              tool_explain_stacks[i].name, tool_explain_stacks[i].about);
    if (n < sizeof stacks_help)
        snprintf(stacks_help + n, sizeof stacks_help - n, "\n");
}

/* A negative number ("-468"): a CODE, which the parser would take for an option. */
static bool negative_number(const char *s)
{
    if (s[0] != '-' || s[1] == '\0')
        return false;
    for (const char *p = s + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* "--stack": an option of the table that takes a value (written without "="). */
static bool takes_value(const char *arg)
{
    for (size_t i = 0; i < sizeof explain_opts / sizeof explain_opts[0]; i++)
        if (explain_opts[i].nargs > 0 && arg[0] == '-' && arg[1] == '-' &&
            !strcmp(arg + 2, explain_opts[i].lname))
            return true;
    return false;
}

/* A CODE the parser must not see as an option: a negative number that is not the value of
 * the option before it. */
static bool code_arg(char **argv, int i)
{
    return i > 0 && negative_number(argv[i]) && !takes_value(argv[i - 1]);
}

/* @p argv with every negative-number CODE before "--" moved behind a "--" of its own, so
 * that the parser takes it as positional. @p out has room for argc + 1. Returns its count. */
static int codes_last(int argc, char **argv, char **out)
{
    int n = 0, k = 0, end = argc;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            end = i;
            break;
        }
    for (int i = 0; i < end; i++)
        if (!code_arg(argv, i))
            out[n++] = argv[i];
    out[n++] = (char *)"--";
    for (int i = 1; i < end; i++)
        if (code_arg(argv, i))
            out[n + k++] = argv[i];
    for (int i = end + 1; i < argc; i++)
        out[n + k++] = argv[i];
    return n + k;
}

/* Parses, checks and explains; the arguments in @p args. */
static int run(int argc, char **argv, char **args)
{
    explain_args_t a = {NULL};
    const char *pos[2];
    int n = codes_last(argc, argv, args);
    tool_optparse_t p = {&tool_explain_optset, &explain_cmds[0], &a, pos, 2, 0};
    int rc = tool_optparse_run(&p, n, args);
    if (rc == TOOL_HELP_SHOWN)
        return TOOL_EXIT_OK;
    if (rc == TOOL_EXIT_OK && p.n_pos != 1)
        rc = p.n_pos ? tool_usage_err("one CODE only: unexpected argument '%s'", pos[1])
                     : tool_usage_err("missing CODE: mqtls explain [--stack S] CODE");
    const tool_explain_stack_t *s = tool_explain_stack(a.stack ? a.stack : "cc3220");
    long code = 0;
    if (rc == TOOL_EXIT_OK && !tool_explain_parse_code(s, pos[0], &code))
        rc = tool_usage_err("invalid CODE '%s': a decimal number from %ld to %ld for %s%s",
                            pos[0], s->min, s->max, s->name,
                            s->negative ? " (468 is read as -468)" : "");
    if (rc != TOOL_EXIT_OK) {
        fputs("Use 'mqtls explain --help' to see usage.\n", stderr);
        return rc;
    }
    return tool_explain_print(s, code, stdout);
}

int tool_explain_main(int argc, char **argv)
{
    if (stacks_help[0] == '\0')
        fill_stacks_help();
    char **args = tool_xcalloc((size_t)argc + 1, sizeof *args);
    int rc = run(argc, argv, args);
    free(args);
    return rc;
}
