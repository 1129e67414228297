/**
 * @file aws_opts.c
 * @brief The flags of `mqtls shadow|jobs|provision`: their own (--thing, -m, --run, ...)
 *        are taken here; every other argument goes, in order, to the option table of pub
 *        and sub (tool_opts.c, command TOOL_AWS), so that the connection flags are the same
 *        flags with the same checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_internal.h"

/** One flag of the device commands. */
typedef struct aws_flag {
    const char *lname;
    char sname;
    size_t off;  /**< the `const char *` (or, for -C -W, uint32_t; --start: bool) it sets */
    char kind;   /**< 's' string, 'n' number, 'b' no value, 'l' list */
} aws_flag_t;

#define F(field) offsetof(aws_opts_t, field)

static const aws_flag_t flags[] = {
    {"thing", 0, F(thing), 's'},       {"name", 0, F(name), 's'},
    {"message", 'm', F(message), 's'}, {"job-id", 0, F(job_id), 's'},
    {"status", 0, F(status), 's'},     {"details", 0, F(details), 's'},
    {"run", 0, F(run), 's'},           {"start", 0, F(start), 'b'},
    {"template", 0, F(template_name), 's'}, {"param", 0, F(params), 'l'},
    {"claim-cert", 0, F(claim_cert), 's'},  {"claim-key", 0, F(claim_key), 's'},
    {"out", 0, F(out), 's'},           {"csr", 0, F(csr), 's'},
    {"count", 'C', F(count), 'n'},     {"timeout", 'W', F(timeout_s), 'n'},
};

int aws_usage(const aws_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("Error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nUse 'mqtls %s%s%s --help' to see usage.\n", a->family,
            a->sub[0] ? " " : "", a->sub);
    return TOOL_EXIT_USAGE;
}

int aws_check_name(const aws_t *a, mqtls_aws_name_kind_t kind, const char *flag,
                   const char *v)
{
    static const char *const rules[] = {
        "1 to 128 characters of a-z A-Z 0-9 : _ -", "1 to 64 characters of a-z A-Z 0-9 $ : _ -",
        "1 to 64 characters of a-z A-Z 0-9 _ -", "1 to 36 characters of a-z A-Z 0-9 _ -"};
    if (mqtls_aws_name_check(kind, v, strlen(v)) == MQTLS_OK)
        return TOOL_EXIT_OK;
    return aws_usage(a, "invalid %s '%s' (AWS IoT allows %s)", flag, v, rules[kind]);
}

/* The flag @p arg names ("--thing", "--thing=x", "-m"); @p *inline_v the "=value" part. */
static const aws_flag_t *own_flag(const char *arg, const char **inline_v)
{
    *inline_v = NULL;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const aws_flag_t *f = &flags[i];
        if (arg[1] != '-') {
            if (f->sname && arg[1] == f->sname && !arg[2])
                return f;
            continue;
        }
        size_t n = strlen(f->lname);
        if (strncmp(arg + 2, f->lname, n) != 0)
            continue;
        if (arg[2 + n] == '\0')
            return f;
        if (arg[2 + n] == '=' && f->kind != 'b') {
            *inline_v = arg + 3 + n;
            return f;
        }
    }
    return NULL;
}

static int set_flag(aws_t *a, const aws_flag_t *f, const char *given, const char *v)
{
    char *field = (char *)&a->o + f->off;
    if (f->kind == 'b') {
        *(bool *)field = true;
    } else if (f->kind == 'l') {
        tool_strlist_add((tool_strlist_t *)field, v);
    } else if (f->kind == 'n') {
        if (!tool_parse_u32(v, 1, 86400, (uint32_t *)field))
            return aws_usage(a, "invalid %s '%s' (must be a number from 1 to 86400)", given, v);
    } else {
        if (!*v)
            return aws_usage(a, "%s: the value is empty", given);
        *(const char **)field = v;
    }
    return TOOL_EXIT_OK;
}

/* How many values the connection flag @p arg takes (0 for --x=v or an unknown one). */
static int conn_nargs(const char *arg)
{
    if (strchr(arg, '='))
        return 0;
    for (size_t i = 0; i < tool_opts_set.n_opts; i++) {
        const tool_opt_t *o = &tool_opts_set.opts[i];
        if (!(o->cmds & TOOL_AWS))
            continue;
        if ((arg[1] == '-' && !strcmp(arg + 2, o->lname)) ||
            (arg[1] != '-' && o->sname == arg[1] && !arg[2]))
            return o->nargs;
    }
    return 0;
}

static void print_help(const aws_t *a, const aws_help_t *help, size_t n_help)
{
    for (size_t i = 0; i < n_help; i++)
        if (!strcmp(help[i].sub, a->sub) || !help[i].sub[0])
            fputs(help[i].text, stdout);
    tool_optparse_help(&tool_opts_set, tool_optset_cmd(&tool_opts_set, "aws"), stdout);
}

/* Sorts @p argv into the own flags and @p rest (rest[0] is the command's name). */
static int split(aws_t *a, int argc, char **argv, char **rest, int *n_rest)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (!strcmp(arg, "--")) {
            while (i < argc)
                rest[(*n_rest)++] = argv[i++];
            break;
        }
        const aws_flag_t *f = arg[0] == '-' && arg[1] ? own_flag(arg, &v) : NULL;
        if (!f) {
            rest[(*n_rest)++] = argv[i];
            for (int k = arg[0] == '-' ? conn_nargs(arg) : 0; k > 0 && i + 1 < argc; k--)
                rest[(*n_rest)++] = argv[++i];
            continue;
        }
        if (f->kind != 'b' && !v) {
            if (i + 1 >= argc)
                return aws_usage(a, "%s needs a value", arg);
            v = argv[++i];
        }
        int rc = set_flag(a, f, arg, v);
        if (rc)
            return rc;
    }
    return TOOL_EXIT_OK;
}

int aws_parse(aws_t *a, int argc, char **argv, const aws_help_t *help, size_t n_help)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help")) {
            print_help(a, help, n_help);
            return TOOL_HELP_SHOWN;
        }
    char **rest = tool_xcalloc((size_t)argc + 5, sizeof *rest);
    int n_rest = 0;
    rest[n_rest++] = argv[0];
    int rc = split(a, argc, argv, rest, &n_rest);
    /* The claim certificate is the connection's client certificate. */
    if (!rc && a->o.claim_cert) {
        rest[n_rest++] = (char *)"--cert";
        rest[n_rest++] = (char *)a->o.claim_cert;
    }
    if (!rc && a->o.claim_key) {
        rest[n_rest++] = (char *)"--key";
        rest[n_rest++] = (char *)a->o.claim_key;
    }
    tool_cfg_init(&a->cfg, TOOL_AWS);
    if (!rc) {
        rc = tool_opts_parse(&a->cfg, n_rest, rest);
        if (rc == TOOL_EXIT_USAGE)
            fprintf(stderr, "Use 'mqtls %s%s%s --help' to see usage.\n", a->family,
                    a->sub[0] ? " " : "", a->sub);
    }
    if (!rc)
        rc = tool_conn_check(&a->cfg);
    free(rest);
    return rc;
}
