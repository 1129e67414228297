/**
 * @file tool_optparse.h
 * @brief The one option parser of the tool (curl's tool_getparam is the model): every
 *        subcommand describes its options in a table, and the same code parses a command
 *        line against it and prints its --help.
 *
 * A table (tool_optset_t) serves a family of commands: pub, sub and doctor share one (the
 * connection flags are common to them), cert's show/convert/check/embed another, pki's
 * init/server/device a third. Each option names the commands that take it (a bit mask); an
 * option whose help or handler differs between commands appears once per command group with
 * the same name. The table's order is the order of the --help list.
 *
 * What the parser accepts, for every command alike: `--name`, `--name=value` (options of
 * one value), `--name VALUE...`, `-x VALUE...` (no bundling, no `-xVALUE`), `--` (the rest
 * is positional), `-` (a positional). An option given again is handled again: the handler
 * decides whether the last one wins or the values add up.
 */
#ifndef TOOL_OPTPARSE_H
#define TOOL_OPTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tool_opt;
struct tool_optparse;

/** Returned by a parse when --help or --version was printed (the command then exits 0). */
#define TOOL_HELP_SHOWN (-1)

/** One occurrence of an option on the command line, as its handler sees it. */
typedef struct tool_optval {
    const struct tool_opt *opt; /**< the table entry */
    const char *given;          /**< the option as written, without "=value": "--at", "-q" */
    char **v;                   /**< its values: v[0] .. v[avail - 1] may be read */
    int avail;                  /**< values there are (at least opt->nargs) */
    int used;                   /**< values taken: opt->nargs; -D-like handlers raise it */
} tool_optval_t;

/** Applies one option to the parse's context; returns TOOL_EXIT_OK, TOOL_EXIT_USAGE (message
 *  printed, tool_optparse_err()) or TOOL_HELP_SHOWN. */
typedef int (*tool_opt_fn)(struct tool_optparse *p, tool_optval_t *val);

/** One option of a table. */
typedef struct tool_opt {
    const char *lname;   /**< long name, without "--" */
    char sname;          /**< short letter, 0: none */
    uint8_t nargs;       /**< values it takes (the least, for a handler that takes more) */
    unsigned cmds;       /**< the commands that take it (tool_cmddef_t::bit) */
    tool_opt_fn fn;      /**< its handler */
    size_t off;          /**< the field of the context that the generic handlers set */
    const char *argname; /**< --help: the value's name ("FILE"), NULL: none */
    const char *help;    /**< --help: its line ('\n' continues it, aligned); NULL: taken
                              but not listed (an alias the listed entry names) */
} tool_opt_t;

/** One command of a family and its --help page. */
typedef struct tool_cmddef {
    const char *name;  /**< "pub", "show" */
    unsigned bit;      /**< its bit in tool_opt_t::cmds */
    const char *usage; /**< --help: the text before "Options:" */
    const char *after; /**< --help: the text after the option list (NULL: an empty line) */
    const char *exits; /**< --help: the exit-status table, last */
} tool_cmddef_t;

/** The option table of a family of commands. */
typedef struct tool_optset {
    const char *family;         /**< "cert", "pki": errors end with "Use 'mqtls FAMILY CMD
                                     --help' to see usage."; NULL: pub, sub and doctor,
                                     which print that hint themselves */
    const tool_opt_t *opts;
    size_t n_opts;
    const tool_cmddef_t *cmds;
    size_t n_cmds;
    int col;                    /**< --help: the width of the option column */
    bool help_first;            /**< --help anywhere before "--" wins over every error */
} tool_optset_t;

/** A tool_optset_t of the arrays @p opts and @p cmds. */
#define TOOL_OPTSET(family, opts, cmds, col, help_first)                                       \
    {family, opts, sizeof opts / sizeof opts[0], cmds, sizeof cmds / sizeof cmds[0], col,       \
     help_first}

/** One parse: what the handlers fill, and where the positional arguments go. */
typedef struct tool_optparse {
    const tool_optset_t *set;
    const tool_cmddef_t *cmd;
    void *ctx;          /**< the command's settings (handlers cast it) */
    const char **pos;   /**< positional arguments, room for max_pos (NULL if max_pos is 0) */
    size_t max_pos;     /**< more is "unexpected argument" */
    size_t n_pos;
} tool_optparse_t;

/** The command of @p set called @p name, NULL if none. */
const tool_cmddef_t *tool_optset_cmd(const tool_optset_t *set, const char *name);

/**
 * Parses @p argv[1..] (@p argv[0] is the command's name) into @p p->ctx and @p p->pos.
 * @return TOOL_EXIT_OK, TOOL_EXIT_USAGE (the message printed), TOOL_HELP_SHOWN, or what a
 *         handler returned
 */
int tool_optparse_run(tool_optparse_t *p, int argc, char **argv);

/** Prints the --help page of @p cmd: its usage text, its options from the table, the rest. */
void tool_optparse_help(const tool_optset_t *set, const tool_cmddef_t *cmd, FILE *out);

/** Prints "Error: ..." (and the family's --help hint); returns TOOL_EXIT_USAGE. */
int tool_optparse_err(const tool_optparse_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Handler: the `const char *` at tool_opt_t::off is the value (the last one given wins). */
int tool_opt_str(tool_optparse_t *p, tool_optval_t *val);

/** For handlers: tool_opt_str() of a value that must not be empty; else the error
 *  "--out: the @p what is empty". */
int tool_opt_nonempty(tool_optparse_t *p, tool_optval_t *val, const char *what);

/** Handler: the `bool` at tool_opt_t::off becomes true. */
int tool_opt_true(tool_optparse_t *p, tool_optval_t *val);

/** Handler: prints the command's --help page on stdout; returns TOOL_HELP_SHOWN. */
int tool_opt_help(tool_optparse_t *p, tool_optval_t *val);

#endif
