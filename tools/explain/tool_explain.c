/**
 * @file tool_explain.c
 * @brief `mqtls explain [--stack S] CODE`: the command line (its option table on the one
 *        parser, its help, the checks of the arguments); the stacks and the report are in
 *        tool_explain_stacks.c.
 */
#include "explain/tool_explain.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/tool_json.h"
#include "common/tool_util.h"

/** The command line as parsed. */
typedef struct explain_args {
    const char *stack;
    bool json;
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
     "the stack that returned CODE (default: the one stack whose\ntable has CODE); the "
     "stacks are listed below"},
    {"json", 0, 0, C_EXPLAIN, tool_opt_true, offsetof(explain_args_t, json), NULL,
     "one JSON object instead of the text"},
    {"help", 'h', 0, C_EXPLAIN, tool_opt_help, 0, NULL, "show this help"},
};

static const char explain_exit_help[] =
    "Exit status:\n"
    "  0   the code is in the stack's table (or is 0, success)\n"
    "  1   the code is in no table: what its range tells is printed\n"
    "  2   bad arguments: no CODE, not a number, out of the stack's range, an unknown\n"
    "      stack\n"
    "  3   no --stack and several stacks have CODE: they are listed; give --stack\n";

/* The stacks, listed from tool_explain_stacks[] when --help first asks. */
static char stacks_help[2048];

static tool_cmddef_t explain_cmds[] = {
    {"explain", C_EXPLAIN,
     "Usage: mqtls explain [--stack S] [--json] CODE\n"
     "\n"
     "What an error code of a device's TLS stack means: the stack's name for it, the\n"
     "status mqtls reports, the doctor's cause id (docs/troubleshooting.md) and the fix,\n"
     "for that stack (one number can mean different things on two stacks). Offline.\n"
     "CODE is a decimal number (mbedtls: hex too, -0x2700; a positive hex CODE is a\n"
     "verify-flags word). SimpleLink, Mbed TLS and wolfSSL codes are negative, so\n"
     "468 is read as -468 there, and -468 is taken as CODE, not as an option.\n"
     "Without --stack, the one stack whose table has CODE explains it.\n"
     "\n",
     stacks_help, explain_exit_help},
};

const tool_optset_t tool_explain_optset = TOOL_OPTSET(NULL, explain_opts, explain_cmds, 19,
                                                      true);

static void fill_stacks_help(void)
{
    size_t n = (size_t)snprintf(stacks_help, sizeof stacks_help, "\nStacks (--stack):\n");
    for (size_t i = 0; i < tool_explain_n_stacks && n < sizeof stacks_help; i++)
        n += (size_t)snprintf(stacks_help + n, sizeof stacks_help - n, "  %-15s %s\n",
                              tool_explain_stacks[i].name, tool_explain_stacks[i].about);
    if (n < sizeof stacks_help)
        snprintf(stacks_help + n, sizeof stacks_help - n, "\n");
}

/* A negative number ("-468", "-0x2700"): a CODE, which the parser would take for an
 * option. */
static bool negative_number(const char *s)
{
    if (s[0] != '-' || s[1] < '0' || s[1] > '9')
        return false;
    const char *p = s + 1;
    bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    for (p += hex ? 2 : 0; *p; p++)
        if (!(hex ? isxdigit((unsigned char)*p) : *p >= '0' && *p <= '9'))
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

/* Without --stack: the stacks whose table has @p arg (aliases left out) into @p hit; their
 * count. *parsed: whether any stack could read @p arg at all. */
static size_t stacks_knowing(const char *arg, const tool_explain_stack_t **hit, long *codes,
                             bool *parsed)
{
    size_t n = 0;
    *parsed = false;
    for (size_t i = 0; i < tool_explain_n_stacks; i++) {
        const tool_explain_stack_t *s = &tool_explain_stacks[i];
        tool_explain_result_t r;
        char name[512];
        long code;
        if (s->alias || !tool_explain_parse_code(s, arg, &code))
            continue;
        *parsed = true;
        tool_explain_run(s, code, &r, name, sizeof name);
        if (r.known) {
            hit[n] = s;
            codes[n++] = code;
        }
    }
    return n;
}

/* Several stacks have CODE: each, with its name for it, and the question; with @p json one
 * object {"ambiguous": true, "code": ARG, "stacks": [{"stack", "code", "name"}...]}. */
static int ambiguous(const char *arg, const tool_explain_stack_t **hit, const long *codes,
                     size_t n, bool json)
{
    tool_json_t j;
    memset(&j, 0, sizeof j);
    tool_json_obj(&j, NULL);
    tool_json_bool(&j, "ambiguous", true);
    tool_json_str(&j, "code", arg);
    tool_json_arr(&j, "stacks");
    if (!json)
        printf("CODE %s is in the tables of %zu stacks; give --stack with one of them:\n", arg,
               n);
    for (size_t i = 0; i < n; i++) {
        tool_explain_result_t r;
        char name[512];
        tool_explain_run(hit[i], codes[i], &r, name, sizeof name);
        if (!json)
            printf("  --stack %-14s %ld %s\n", hit[i]->name, codes[i], r.name);
        tool_json_obj(&j, NULL);
        tool_json_str(&j, "stack", hit[i]->name);
        tool_json_int(&j, "code", codes[i]);
        tool_json_str(&j, "name", r.name);
        tool_json_end(&j);
    }
    tool_json_end(&j);
    tool_json_end(&j);
    if (json)
        printf("%.*s\n", (int)j.out.len, j.out.p);
    tool_json_free(&j);
    return TOOL_EXPLAIN_EXIT_AMBIGUOUS;
}

/* CODE without --stack: the one stack that has it; several: ask; none: the default's range
 * explanation (cc3220), or a usage error when no stack reads it. */
static int guess(const char *arg, bool json)
{
    const tool_explain_stack_t *hit[16];
    long codes[16];
    bool parsed;
    size_t n = stacks_knowing(arg, hit, codes, &parsed);
    if (n == 1)
        return tool_explain_print(hit[0], codes[0], json, stdout);
    if (n > 1)
        return ambiguous(arg, hit, codes, n, json);
    long code;
    if (tool_explain_parse_code(&tool_explain_stacks[0], arg, &code))
        return tool_explain_print(&tool_explain_stacks[0], code, json, stdout);
    tool_usage_err("invalid CODE '%s': %s", arg,
                   parsed ? "no stack's table has it; give --stack"
                          : "not a code of any stack (see --help for their ranges)");
    fputs("Use 'mqtls explain --help' to see usage.\n", stderr);
    return TOOL_EXIT_USAGE;
}

/* Parses, checks and explains; the arguments in @p args. */
static int run(int argc, char **argv, char **args)
{
    explain_args_t a = {NULL, false};
    const char *pos[2];
    int n = codes_last(argc, argv, args);
    tool_optparse_t p = {&tool_explain_optset, &explain_cmds[0], &a, pos, 2, 0};
    int rc = tool_optparse_run(&p, n, args);
    if (rc == TOOL_HELP_SHOWN)
        return TOOL_EXIT_OK;
    if (rc == TOOL_EXIT_OK && p.n_pos != 1)
        rc = p.n_pos ? tool_usage_err("one CODE only: unexpected argument '%s'", pos[1])
                     : tool_usage_err("missing CODE: mqtls explain [--stack S] [--json] CODE");
    if (rc == TOOL_EXIT_OK && a.stack == NULL)
        return guess(pos[0], a.json);
    const tool_explain_stack_t *s = tool_explain_stack(a.stack ? a.stack : "cc3220");
    long code = 0;
    if (rc == TOOL_EXIT_OK && !tool_explain_parse_code(s, pos[0], &code))
        rc = tool_usage_err("invalid CODE '%s': a number from %ld to %ld for %s%s", pos[0],
                            s->min, s->max, s->name,
                            s->negative ? " (468 is read as -468)" : "");
    if (rc != TOOL_EXIT_OK) {
        fputs("Use 'mqtls explain --help' to see usage.\n", stderr);
        return rc;
    }
    return tool_explain_print(s, code, a.json, stdout);
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
