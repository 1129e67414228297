/**
 * @file tool_family.h
 * @brief The entry point of a command that has commands of its own (`mqtls cert show|...`,
 *        `mqtls pki init|...`): one implementation of `--help`, `help [CMD]`, unknown
 *        commands and the exit status, which each family fills with its table and its run.
 */
#ifndef TOOL_FAMILY_H
#define TOOL_FAMILY_H

#include "common/tool_optparse.h"

/** A family of commands: its option table (tool_optset_t::family is its name) and its run. */
typedef struct tool_family {
    const tool_optset_t *set;
    const char *overview; /**< `mqtls FAMILY --help`: usage lines and the commands */
    const char *exits;    /**< the exit-status table, after the overview */
    const char *names;    /**< the commands in words, for errors: "init, server or device" */
    /** Parses @p argv (argv[0]: the command's name) and runs @p cmd; returns the exit status
     *  (TOOL_HELP_SHOWN: --help was printed). */
    int (*run)(const tool_cmddef_t *cmd, int argc, char **argv);
} tool_family_t;

/**
 * `mqtls FAMILY ARGS...` (@p argv[0] is the family's name): no command prints the overview
 * on stderr (exit 2); `--help`, `-h`, `help` print it on stdout; `help CMD` prints CMD's
 * --help; an unknown command is a usage error; else @p f->run. A failed write of stdout
 * turns success into TOOL_EXIT_ERROR.
 */
int tool_family_main(const tool_family_t *f, int argc, char **argv);

#endif
