/**
 * @file tool_awslocal.c
 * @brief `mqtls awslocal`: the command line of up, thing add and job create (see
 *        tool_awslocal.h); the work is in awl_pki.c, awl_conf.c, awl_run.c and awl_job.c.
 */
#include "awslocal/tool_awslocal.h"

#include <stdlib.h>
#include <string.h>

#include "awslocal/awl_internal.h"
#include "awslocal/plugin/awl_policy.h"
#include "common/tool_family.h"
#include "common/tool_optparse.h"
#include "common/tool_util.h"
#include "creds/tool_ossl.h"

#define AWL_ALL (AWL_UP | AWL_THING | AWL_JOB)
#define STR_(x) #x
#define STR(x) STR_(x)
/* A certificate's CN holds at most 64 characters (RFC 5280 ub-common-name), fewer than the
 * 128 AWS IoT allows in a thing name. */
#define THING_MAX 64
#define JOB_ID_MAX 64

static const char awl_exit_help[] =
    "Exit status:\n"
    "  0   success (up: stopped by SIGTERM or SIGINT)\n"
    "  1   runtime failure: a file cannot be made, the thing or job exists already,\n"
    "      mosquitto cannot start or stopped by itself (the reason is printed)\n"
    "  2   bad arguments\n";

#define bad(a, ...) tool_bad("awslocal", (a)->cmd_name, __VA_ARGS__)
#define F(field) offsetof(awl_args_t, field)

static bool valid_chars(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || strchr(extra, *s)))
            return false;
    return true;
}

/* AWS IoT's thing name characters ([a-zA-Z0-9:_-], CreateThing), up to THING_MAX. */
bool awl_valid_thing_name(const char *s)
{
    return valid_chars(s, THING_MAX, ":_-");
}

static int opt_port(tool_optparse_t *p, tool_optval_t *val)
{
    awl_args_t *a = p->ctx;
    if (!tool_parse_u32(val->v[0], 1, 65535, &a->port))
        return tool_optparse_err(p, "invalid port '%s' for %s (1..65535)", val->v[0],
                                 val->given);
    return TOOL_EXIT_OK;
}

static int opt_thing(tool_optparse_t *p, tool_optval_t *val)
{
    if (!awl_valid_thing_name(val->v[0]))
        return tool_optparse_err(p, "invalid thing name '%s' for %s (1 to %d of letters, "
                                    "digits, ':', '_' and '-')", val->v[0], val->given, THING_MAX);
    return tool_opt_str(p, val);
}

static int opt_job_id(tool_optparse_t *p, tool_optval_t *val)
{
    if (!valid_chars(val->v[0], JOB_ID_MAX, "_-"))
        return tool_optparse_err(p, "invalid job id '%s' for %s (1 to %d of letters, digits, "
                                    "'_' and '-')", val->v[0], val->given, JOB_ID_MAX);
    return tool_opt_str(p, val);
}

static int opt_document(tool_optparse_t *p, tool_optval_t *val)
{
    return tool_opt_nonempty(p, val, "file name");
}

static const tool_opt_t awl_opts[] = {
    {"port", 'p', 1, AWL_UP, opt_port, 0, "P",
     "the port to listen on, on localhost (default: " STR(AWL_DEFAULT_PORT) ")"},
    {"thing", 0, 1, AWL_JOB, opt_thing, F(thing), "NAME", "the thing that runs the job"},
    {"job-id", 0, 1, AWL_JOB, opt_job_id, F(job_id), "ID", "the job's id"},
    {"document", 0, 1, AWL_JOB, opt_document, F(document), "FILE",
     "the job document (a JSON object)"},
    {"help", 'h', 0, AWL_ALL, tool_opt_help, 0, NULL, "show this help"},
};

static const tool_cmddef_t awl_cmds[] = {
    {"up", AWL_UP,
     "Usage: mqtls awslocal up DIR [--port P]\n"
     "\n"
     "Runs a local stand-in for AWS IoT Core: a mosquitto (from PATH) that takes only\n"
     "mutual TLS, takes a certificate's CN as the thing's name, closes the connection\n"
     "of a thing that touches another thing's topics, and answers the services'\n"
     "requests. Makes what is missing in DIR first: the root (ca.pem, ca.key), the\n"
     "broker's certificate (broker/), the claim certificate (claim/cert.pem and\n"
     "claim/private.key). Prints 'ready' once it accepts connections; stops on\n"
     "SIGTERM or Ctrl-C. mosquitto's log: DIR/mosquitto.log.\n"
     "\n",
     NULL, awl_exit_help},
    {"thing", AWL_THING,
     "Usage: mqtls awslocal thing add DIR NAME\n"
     "\n"
     "Makes DIR/things/NAME/cert.pem and private.key, a certificate for the thing NAME\n"
     "signed by DIR's root (works while 'up' runs). NAME: 1 to " STR(THING_MAX) " of\n"
     "letters, digits, ':', '_' and '-'.\n"
     "\n",
     NULL, awl_exit_help},
    {"job", AWL_JOB,
     "Usage: mqtls awslocal job create DIR --thing NAME --job-id ID --document FILE\n"
     "\n"
     "Queues a job for the thing NAME: DIR/state/jobs/NAME/ID.json (works while 'up'\n"
     "runs).\n"
     "\n",
     NULL, awl_exit_help},
};

const tool_optset_t tool_awslocal_optset = TOOL_OPTSET("awslocal", awl_opts, awl_cmds, 24, true);

/* The positional arguments: up DIR | thing add DIR NAME | job create DIR. */
static int take_positionals(awl_args_t *a, const char *const *pos, size_t n)
{
    const char *verb = a->cmd == AWL_THING ? "add" : a->cmd == AWL_JOB ? "create" : NULL;
    size_t want = a->cmd == AWL_THING ? 3 : verb ? 2 : 1;
    if (verb && (n < 1 || strcmp(pos[0], verb) != 0))
        return bad(a, "mqtls awslocal %s needs '%s' (mqtls awslocal %s %s DIR ...)",
                   a->cmd_name, verb, a->cmd_name, verb);
    if (n < want)
        return bad(a, "missing %s", n + 1 < want || !verb ? "DIR" : "NAME");
    a->dir = pos[verb ? 1 : 0];
    if (!*a->dir)
        return bad(a, "DIR is empty");
    if (strpbrk(a->dir, "\n\r")) /* its paths are lines of mosquitto.conf */
        return bad(a, "DIR may not hold a line break");
    if (a->cmd != AWL_THING)
        return TOOL_EXIT_OK;
    a->name = pos[2];
    if (!awl_valid_thing_name(a->name) || !strcmp(a->name, AWL_CLAIM_CN))
        return bad(a, "invalid thing name '%s' (1 to %d of letters, digits, ':', '_' and '-'; "
                      "not '%s')", a->name, THING_MAX, AWL_CLAIM_CN);
    return TOOL_EXIT_OK;
}

static int parse_args(awl_args_t *a, const tool_cmddef_t *cmd, int argc, char **argv)
{
    const char *pos[3] = {NULL, NULL, NULL};
    size_t max = a->cmd == AWL_THING ? 3 : a->cmd == AWL_JOB ? 2 : 1;
    tool_optparse_t p = {&tool_awslocal_optset, cmd, a, pos, max, 0};
    int rc = tool_optparse_run(&p, argc, argv);
    if (!rc)
        rc = take_positionals(a, pos, p.n_pos);
    if (!rc && a->cmd == AWL_JOB && (!a->thing || !a->job_id || !a->document))
        rc = bad(a, "job create needs --thing NAME, --job-id ID and --document FILE");
    return rc;
}

static int cmd_up(const awl_args_t *a)
{
    char *plugin = awl_plugin_path();
    char *dir = NULL;
    int rc = plugin ? awl_pki_ensure(a->dir) : TOOL_EXIT_ERROR;
    /* mosquitto reads the paths of its configuration: absolute ones, wherever it runs. */
    if (!rc && !(dir = realpath(a->dir, NULL))) {
        tool_err("cannot find '%s'", a->dir);
        rc = TOOL_EXIT_ERROR;
    }
    if (!rc)
        rc = awl_conf_write(dir, (uint16_t)a->port, plugin);
    if (!rc)
        rc = awl_run(dir, (uint16_t)a->port);
    free(dir);
    free(plugin);
    return rc;
}

static int awl_run_cmd(const tool_cmddef_t *cmd, int argc, char **argv)
{
    awl_args_t a;
    memset(&a, 0, sizeof a);
    a.cmd = cmd->bit;
    a.cmd_name = cmd->name;
    a.port = AWL_DEFAULT_PORT;
    int rc = parse_args(&a, cmd, argc, argv);
    if (!rc)
        rc = tool_ossl_require(); /* every command makes or reads certificates */
    if (rc)
        return rc;
    if (a.cmd == AWL_UP)
        return cmd_up(&a);
    return a.cmd == AWL_THING ? awl_thing_add(a.dir, a.name) : awl_job_create(&a);
}

static const tool_family_t awl_family = {
    &tool_awslocal_optset,
    "Usage: mqtls awslocal up DIR [--port P]\n"
    "       mqtls awslocal thing add DIR NAME\n"
    "       mqtls awslocal job create DIR --thing NAME --job-id ID --document FILE\n"
    "       mqtls awslocal COMMAND --help\n"
    "\n"
    "AWS IoT Core on your desk: a local mosquitto that behaves like it (mutual TLS,\n"
    "things named by their certificates, a per-thing policy that closes offenders,\n"
    "the services), with everything kept in DIR.\n"
    "\n"
    "Commands:\n"
    "  up       make DIR's certificates if missing and run the broker\n"
    "  thing    add a thing: its certificate and key in DIR/things/NAME\n"
    "  job      create a job for a thing\n"
    "\n",
    awl_exit_help, "up, thing or job", awl_run_cmd};

int tool_awslocal_main(int argc, char **argv)
{
    return tool_family_main(&awl_family, argc, argv);
}
