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
#include "aws/tool_aws.h"

#define SHADOW 1u
#define JOBS 2u
#define PROV 4u
#define OPT(l, s, c, n, fn, off, arg, help) {l, s, n, c, fn, off, arg, help}
#define F(field) offsetof(aws_opts_t, field)

static int opt_value(tool_optparse_t *p, tool_optval_t *val)
{
    return tool_opt_nonempty(p, val, "value");
}

static int opt_list(tool_optparse_t *p, tool_optval_t *val)
{
    tool_strlist_add((tool_strlist_t *)((char *)p->ctx + val->opt->off), val->v[0]);
    return TOOL_EXIT_OK;
}

static int opt_num(tool_optparse_t *p, tool_optval_t *val)
{
    if (tool_parse_u32(val->v[0], 1, 86400, (uint32_t *)((char *)p->ctx + val->opt->off)))
        return TOOL_EXIT_OK;
    return tool_optparse_err(p, "invalid %s '%s' (must be a number from 1 to 86400)",
                             val->given, val->v[0]);
}

static const tool_opt_t opts[] = {
    OPT("claim-cert", 0, PROV, 1, opt_value, F(claim_cert), "FILE",
        "the claim certificate (the connection's client certificate)"),
    OPT("claim-key", 0, PROV, 1, opt_value, F(claim_key), "FILE", "the claim certificate's key"),
    OPT("count", 'C', SHADOW | JOBS, 1, opt_num, F(count), "N",
        "watch: exit after N deltas (shadow) or N jobs (jobs)"),
    OPT("csr", 0, PROV, 1, opt_value, F(csr), "FILE",
        "CreateCertificateFromCsr with this CSR (PEM): the key stays yours"),
    OPT("details", 0, JOBS, 1, opt_value, F(details), "JSON",
        "update: statusDetails, a JSON object of strings"),
    OPT("job-id", 0, JOBS, 1, opt_value, F(job_id), "ID", "update: the job"),
    OPT("message", 'm', SHADOW, 1, opt_value, F(message), "JSON",
        "update: the request state document ({\"state\":{\"desired\":{...}}})"),
    OPT("name", 0, SHADOW, 1, opt_value, F(name), "S",
        "a named shadow (default: the classic shadow)"),
    OPT("out", 0, PROV, 1, opt_value, F(out), "DIR",
        "where cert.pem and private.key go (made if missing)"),
    OPT("param", 0, PROV, 1, opt_list, F(params), "K=V", "a template parameter (repeatable)"),
    OPT("run", 0, JOBS, 1, opt_value, F(run), "CMD",
        "watch: the command (/bin/sh -c) that runs each job"),
    OPT("start", 0, JOBS, 0, tool_opt_true, F(start), NULL,
        "next: start the job (StartNextPendingJobExecution)"),
    OPT("status", 0, JOBS, 1, opt_value, F(status), "STATUS",
        "update: IN_PROGRESS, SUCCEEDED, FAILED or REJECTED"),
    OPT("template", 0, PROV, 1, opt_value, F(template_name), "NAME",
        "the provisioning template"),
    OPT("thing", 0, SHADOW | JOBS, 1, opt_value, F(thing), "T", "the thing (its AWS IoT name)"),
    OPT("timeout", 'W', SHADOW | JOBS | PROV, 1, opt_num, F(timeout_s), "SECONDS",
        "time to wait for each answer (default 10); watch: the whole run"),
};

static const char aws_exits[] =
    "Exit status:\n"
    "  0   accepted (provision: provisioned)\n"
    "  1   protocol or other error (the connection was lost or closed: with AWS IoT's\n"
    "      policy, a topic the certificate may not use)\n"
    "  2   bad arguments\n"
    "  3   could not connect      4   the broker refused the connection\n"
    "  5   the service rejected the request (its code and message are printed)\n"
    "  27  no answer within -W (watch: -W ran out)\n";

static const tool_cmddef_t cmds[] = {
    {"shadow", SHADOW,
     "Usage: mqtls shadow get    --thing T [--name S] [options]\n"
     "       mqtls shadow update --thing T [--name S] -m JSON [options]\n"
     "       mqtls shadow delete --thing T [--name S] [options]\n"
     "       mqtls shadow watch  --thing T [--name S] [-C N] [options]\n"
     "Device Shadow over MQTT: get, update and delete print the accepted document; a\n"
     "rejection prints its code and message. watch prints each delta document.\n\n",
     NULL, aws_exits},
    {"jobs", JOBS,
     "Usage: mqtls jobs next   --thing T [--start] [options]\n"
     "       mqtls jobs update --thing T --job-id ID --status STATUS [--details JSON]\n"
     "       mqtls jobs watch  --thing T --run CMD [-C N] [options]\n"
     "AWS IoT Jobs over MQTT. next prints the next pending job execution (no\n"
     "\"execution\" when none is pending). watch runs CMD for each job, the job document\n"
     "on its stdin and in MQTLS_JOB_DOCUMENT, the job id in MQTLS_JOB_ID, and reports\n"
     "SUCCEEDED on exit 0, else FAILED with the exit status in statusDetails.\n\n",
     NULL, aws_exits},
    {"provision", PROV,
     "Usage: mqtls provision --template NAME [--param K=V]... --claim-cert C\n"
     "                       --claim-key K --out DIR [--csr FILE] [options]\n"
     "Fleet Provisioning by claim: a new certificate (CreateKeysAndCertificate, or\n"
     "CreateCertificateFromCsr with --csr), then RegisterThing. Writes DIR/cert.pem and\n"
     "DIR/private.key (0600; not with --csr); prints the thing name and certificate id.\n\n",
     NULL, aws_exits},
};

const tool_optset_t tool_aws_optset = TOOL_OPTSET(NULL, opts, cmds, 22, true);

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

/* The entry of @p cmd that @p arg names ("--thing", "--thing=x", "-m"); @p *inline_v the
 * "=value" part. */
static const tool_opt_t *own_flag(unsigned cmd, const char *arg, const char **inline_v)
{
    *inline_v = NULL;
    for (size_t i = 0; i < tool_aws_optset.n_opts; i++) {
        const tool_opt_t *o = &tool_aws_optset.opts[i];
        if (!(o->cmds & cmd))
            continue;
        if (arg[1] != '-') {
            if (o->sname && arg[1] == o->sname && !arg[2])
                return o;
            continue;
        }
        size_t n = strlen(o->lname);
        if (strncmp(arg + 2, o->lname, n) != 0)
            continue;
        if (arg[2 + n] == '\0')
            return o;
        if (arg[2 + n] == '=' && o->nargs == 1) {
            *inline_v = arg + 3 + n;
            return o;
        }
    }
    return NULL;
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

void aws_help(const char *family, FILE *out)
{
    tool_optparse_help(&tool_aws_optset, tool_optset_cmd(&tool_aws_optset, family), out);
    tool_optparse_help(&tool_opts_set, tool_optset_cmd(&tool_opts_set, "aws"), out);
}

/* Applies the own flag @p o given as @p argv[*i] (value inline in @p v, or next). */
static int apply(tool_optparse_t *p, const tool_opt_t *o, int argc, char **argv, int *i,
                 const char *v)
{
    char *inline_v[1] = {(char *)v};
    tool_optval_t val = {o, argv[*i], v ? inline_v : argv + *i + 1, 0, o->nargs};
    val.avail = v ? 1 : argc - *i - 1;
    if (val.avail < o->nargs)
        return tool_optparse_err(p, "%s needs a value", argv[*i]);
    if (!v)
        *i += o->nargs;
    return o->fn(p, &val);
}

/* Sorts @p argv into the own flags and @p rest (rest[0] is the command's name). */
static int split(tool_optparse_t *p, int argc, char **argv, char **rest, int *n_rest)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (!strcmp(arg, "--")) {
            while (i < argc)
                rest[(*n_rest)++] = argv[i++];
            break;
        }
        const tool_opt_t *o = arg[0] == '-' && arg[1] ? own_flag(p->cmd->bit, arg, &v) : NULL;
        if (!o) {
            rest[(*n_rest)++] = argv[i];
            for (int k = arg[0] == '-' ? conn_nargs(arg) : 0; k > 0 && i + 1 < argc; k--)
                rest[(*n_rest)++] = argv[++i];
            continue;
        }
        int rc = apply(p, o, argc, argv, &i, v);
        if (rc)
            return rc;
    }
    return TOOL_EXIT_OK;
}

/* The claim certificate is the connection's client certificate. */
static void add_claim(const aws_t *a, char **rest, int *n)
{
    if (a->o.claim_cert) {
        rest[(*n)++] = (char *)"--cert";
        rest[(*n)++] = (char *)a->o.claim_cert;
    }
    if (a->o.claim_key) {
        rest[(*n)++] = (char *)"--key";
        rest[(*n)++] = (char *)a->o.claim_key;
    }
}

int aws_parse(aws_t *a, int argc, char **argv)
{
    tool_optparse_t p = {&tool_aws_optset, tool_optset_cmd(&tool_aws_optset, a->family), &a->o,
                         NULL, 0, 0};
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help")) {
            aws_help(a->family, stdout);
            return TOOL_HELP_SHOWN;
        }
    char **rest = tool_xcalloc((size_t)argc + 5, sizeof *rest);
    int n_rest = 0;
    rest[n_rest++] = argv[0];
    int rc = split(&p, argc, argv, rest, &n_rest);
    add_claim(a, rest, &n_rest);
    tool_cfg_init(&a->cfg, TOOL_AWS);
    if (!rc)
        rc = tool_opts_parse(&a->cfg, n_rest, rest);
    if (!rc)
        rc = tool_conn_check(&a->cfg);
    if (rc == TOOL_EXIT_USAGE)
        fprintf(stderr, "Use 'mqtls %s%s%s --help' to see usage.\n", a->family,
                a->sub[0] ? " " : "", a->sub);
    free(rest);
    return rc;
}
