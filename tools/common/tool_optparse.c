/**
 * @file tool_optparse.c
 * @brief The one option parser: walks a command family's table (tool_optparse.h), and prints
 *        each command's --help from the same table.
 */
#include "common/tool_optparse.h"

#include <stdarg.h>
#include <string.h>

#include "common/tool_util.h"

/* Long names are short ("protocol-version"); a longer one is no option of any table. */
#define NAME_MAX_LEN 40

const tool_cmddef_t *tool_optset_cmd(const tool_optset_t *set, const char *name)
{
    for (size_t i = 0; i < set->n_cmds; i++)
        if (!strcmp(set->cmds[i].name, name))
            return &set->cmds[i];
    return NULL;
}

int tool_optparse_err(const tool_optparse_t *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc;
    if (p->set->family) {
        rc = tool_vbad(p->set->family, p->cmd->name, fmt, ap);
    } else {
        char msg[1024];
        vsnprintf(msg, sizeof msg, fmt, ap);
        rc = tool_usage_err("%s", msg);
    }
    va_end(ap);
    return rc;
}

/* The entry that @p cmd takes under the long name @p lname (or, if NULL, the letter @p sname).
 * *other tells that only other commands of the family take it. */
static const tool_opt_t *lookup(const tool_optset_t *set, unsigned cmd, const char *lname,
                                char sname, bool *other)
{
    *other = false;
    for (size_t i = 0; i < set->n_opts; i++) {
        const tool_opt_t *o = &set->opts[i];
        if (lname ? strcmp(o->lname, lname) != 0 : !o->sname || o->sname != sname)
            continue;
        if (o->cmds & cmd)
            return o;
        *other = true;
    }
    return NULL;
}

/* Finds the entry of "--name", "--name=value" (*inl: the value) or "-x"; @p given receives
 * the option as written without its value, for messages. */
static const tool_opt_t *find(const tool_optparse_t *p, const char *arg, char given[],
                              const char **inl, bool *other)
{
    *inl = NULL;
    *other = false;
    if (arg[1] != '-') {
        snprintf(given, NAME_MAX_LEN + 3, "%s", arg);
        return arg[2] ? NULL : lookup(p->set, p->cmd->bit, NULL, arg[1], other);
    }
    const char *eq = strchr(arg + 2, '=');
    size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
    if (len > NAME_MAX_LEN)
        return NULL;
    memcpy(given, arg, len + 2);
    given[len + 2] = '\0';
    *inl = eq ? eq + 1 : NULL;
    return lookup(p->set, p->cmd->bit, given + 2, 0, other);
}

/* "mqtls pub" or "mqtls cert show": the command, as messages name it. */
static const char *family_space(const tool_optparse_t *p)
{
    return p->set->family ? " " : "";
}

/* Runs the option at argv[*i] and advances *i past it and its values. */
static int parse_opt(tool_optparse_t *p, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *inl;
    char given[NAME_MAX_LEN + 3];
    bool other;
    const tool_opt_t *o = find(p, arg, given, &inl, &other);
    if (!o && other)
        return tool_optparse_err(p, "option '%s' is not valid for mqtls %s%s%s", given,
                                 p->set->family ? p->set->family : "", family_space(p),
                                 p->cmd->name);
    if (!o)
        return tool_optparse_err(p, "unknown option '%s'", arg);
    if (inl && o->nargs != 1)
        return tool_optparse_err(p, "option '%s' does not take a value", given);
    char *inl_v[1] = {(char *)inl};
    tool_optval_t val = {o, given, inl ? inl_v : argv + *i + 1, inl ? 1 : argc - *i - 1,
                         o->nargs};
    if (val.avail < o->nargs && o->nargs > 1)
        return tool_optparse_err(p, "option '%s' needs %u arguments", given,
                                 (unsigned)o->nargs);
    if (val.avail < o->nargs)
        return tool_optparse_err(p, "option '%s' needs an argument", given);
    int rc = o->fn(p, &val);
    *i += 1 + (inl ? 0 : val.used);
    return rc;
}

static int add_pos(tool_optparse_t *p, const char *arg)
{
    if (p->n_pos == p->max_pos)
        return tool_optparse_err(p, "unexpected argument '%s'", arg);
    p->pos[p->n_pos++] = arg;
    return TOOL_EXIT_OK;
}

/* tool_optset_t::help_first: whether --help (or its short form) is among the options. */
static bool help_asked(const tool_optparse_t *p, int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        char given[NAME_MAX_LEN + 3];
        const char *inl;
        bool other;
        const tool_opt_t *o = argv[i][0] == '-' && argv[i][1] ? find(p, argv[i], given, &inl,
                                                                     &other)
                                                              : NULL;
        if (o && o->fn == tool_opt_help)
            return true;
    }
    return false;
}

int tool_optparse_run(tool_optparse_t *p, int argc, char **argv)
{
    if (p->set->help_first && help_asked(p, argc, argv)) {
        tool_optparse_help(p->set, p->cmd, stdout);
        return TOOL_HELP_SHOWN;
    }
    bool opts_done = false;
    for (int i = 1; i < argc;) {
        const char *arg = argv[i];
        int rc;
        if (!opts_done && !strcmp(arg, "--")) {
            opts_done = true;
            i++;
            continue;
        }
        if (opts_done || arg[0] != '-' || !arg[1])
            rc = add_pos(p, argv[i++]);
        else
            rc = parse_opt(p, argc, argv, &i);
        if (rc)
            return rc;
    }
    return TOOL_EXIT_OK;
}

/* "  -x, --name ARG   help", continuation lines aligned under the help. */
static void help_line(const tool_optset_t *set, const tool_opt_t *o, FILE *out)
{
    char left[64];
    const char *sp = o->argname ? " " : "", *an = o->argname ? o->argname : "";
    if (o->sname)
        snprintf(left, sizeof left, "-%c, --%s%s%s", o->sname, o->lname, sp, an);
    else
        snprintf(left, sizeof left, "    --%s%s%s", o->lname, sp, an);
    fprintf(out, "  %-*s ", set->col, left);
    for (const char *h = o->help; *h;) {
        size_t n = strcspn(h, "\n");
        fwrite(h, 1, n, out);
        h += n;
        if (*h == '\n' && *++h)
            fprintf(out, "\n%*s", set->col + 3, "");
    }
    fputc('\n', out);
}

void tool_optparse_help(const tool_optset_t *set, const tool_cmddef_t *cmd, FILE *out)
{
    fputs(cmd->usage, out);
    fputs("Options:\n", out);
    for (size_t i = 0; i < set->n_opts; i++)
        if ((set->opts[i].cmds & cmd->bit) && set->opts[i].help)
            help_line(set, &set->opts[i], out);
    fputs(cmd->after ? cmd->after : "\n", out);
    fputs(cmd->exits, out);
}

int tool_opt_str(tool_optparse_t *p, tool_optval_t *val)
{
    *(const char **)((char *)p->ctx + val->opt->off) = val->v[0];
    return TOOL_EXIT_OK;
}

int tool_opt_nonempty(tool_optparse_t *p, tool_optval_t *val, const char *what)
{
    if (!*val->v[0])
        return tool_optparse_err(p, "%s: the %s is empty", val->given, what);
    return tool_opt_str(p, val);
}

int tool_opt_true(tool_optparse_t *p, tool_optval_t *val)
{
    *(bool *)((char *)p->ctx + val->opt->off) = true;
    return TOOL_EXIT_OK;
}

int tool_opt_help(tool_optparse_t *p, tool_optval_t *val)
{
    (void)val;
    tool_optparse_help(p->set, p->cmd, stdout);
    return TOOL_HELP_SHOWN;
}
