/**
 * @file tool_family.c
 * @brief The shared entry point of cert and pki (tool_family.h).
 */
#include "common/tool_family.h"

#include <string.h>

#include "common/tool_util.h"

static void overview(const tool_family_t *f, FILE *out)
{
    fputs(f->overview, out);
    fputs(f->exits, out);
}

/* Prints "Error: ..." and the family's --help hint; returns TOOL_EXIT_USAGE. */
#define bad(f, ...) tool_bad((f)->set->family, NULL, __VA_ARGS__)

/* "unknown cert command 'x' (use ...)", and the hint at `mqtls cert --help`. */
static int unknown(const tool_family_t *f, const char *name)
{
    return bad(f, "unknown %s command '%s' (use %s)", f->set->family, name, f->names);
}

/* `mqtls FAMILY help [CMD]`. */
static int help(const tool_family_t *f, int argc, char **argv)
{
    if (argc < 3) {
        overview(f, stdout);
        return TOOL_EXIT_OK;
    }
    const tool_cmddef_t *cmd = tool_optset_cmd(f->set, argv[2]);
    if (!cmd)
        return unknown(f, argv[2]);
    tool_optparse_help(f->set, cmd, stdout);
    return TOOL_EXIT_OK;
}

static int dispatch(const tool_family_t *f, int argc, char **argv)
{
    if (argc < 2) {
        overview(f, stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        overview(f, stdout);
        return TOOL_EXIT_OK;
    }
    if (!strcmp(name, "help"))
        return help(f, argc, argv);
    const tool_cmddef_t *cmd = tool_optset_cmd(f->set, name);
    if (!cmd)
        return unknown(f, name);
    int rc = f->run(cmd, argc - 1, argv + 1);
    return rc == TOOL_HELP_SHOWN ? TOOL_EXIT_OK : rc;
}

int tool_family_main(const tool_family_t *f, int argc, char **argv)
{
    int rc = dispatch(f, argc, argv);
    if (fflush(stdout) != 0 && rc == TOOL_EXIT_OK)
        rc = TOOL_EXIT_ERROR;
    return rc;
}
