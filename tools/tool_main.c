/**
 * @file tool_main.c
 * @brief `mqtls`: dispatches to a subcommand (pub, sub, pki, cert, doctor, explain,
 *        shadow, jobs, provision, awslocal); --help and --version.
 */
#include <stdio.h>
#include <string.h>

#include "awslocal/tool_awslocal.h"
#include "creds/tool_cert.h"
#include "tool_cmds.h"
#include "doctor/tool_doctor.h"
#include "explain/tool_explain.h"
#include "common/tool_opts.h"
#include "creds/tool_pki.h"
#include "mqtt/tool_tls.h"
#include "common/tool_util.h"

/** One subcommand. */
typedef struct tool_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} tool_command_t;

static const tool_command_t commands[] = {
    {"pub", tool_pub_main, "publish a message (like mosquitto_pub)"},
    {"sub", tool_sub_main, "subscribe and print messages (like mosquitto_sub)"},
    {"pki", tool_pki_main, "make a local CA and broker/device certificates"},
    {"cert", tool_cert_main, "show, convert, check and embed certificates and keys"},
    {"doctor", tool_doctor_main, "connect step by step and name why a connection fails"},
    {"explain", tool_explain_main, "what a device TLS stack's error code means, and the fix"},
    {"shadow", tool_shadow_main, "AWS IoT Device Shadow: get, update, delete, watch deltas"},
    {"jobs", tool_jobs_main, "AWS IoT Jobs: the next job, report status, run each job"},
    {"provision", tool_provision_main, "AWS IoT Fleet Provisioning by claim: a new certificate"},
    {"awslocal", tool_awslocal_main, "AWS IoT Core on your desk: a local broker that acts like it"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fputs("Usage: mqtls COMMAND [options]\n"
          "       mqtls COMMAND --help\n"
          "       mqtls --help | --version\n\n"
          "An MQTT 3.1.1 / 5.0 command-line client.\n\nCommands:\n", out);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\n", out);
    fputs(tool_exit_help, out);
}

/* `mqtls --selftest-alpn HOST PORT`: prints the ALPN protocol that pub/sub offer on their
 * own for HOST and PORT ("none" if none). Not in --help: it lets tests check the AWS rule
 * without a network (tests/cli/test_tls_cli.sh). */
static int selftest_alpn(int argc, char **argv)
{
    uint32_t port;
    if (argc != 4 || !tool_parse_u32(argv[3], 1, 65535, &port)) {
        fputs("usage: mqtls --selftest-alpn HOST PORT\n", stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *alpn = tool_tls_default_alpn(argv[2], (uint16_t)port);
    printf("%s\n", alpn ? alpn : "none");
    return TOOL_EXIT_OK;
}

/** Entry point of the `mqtls` tool. */
int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return TOOL_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        tool_version_print(stdout);
        return TOOL_EXIT_OK;
    }
    if (!strcmp(cmd, "--selftest-alpn"))
        return selftest_alpn(argc, argv);
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(cmd, commands[i].name)) {
            tool_signals_init();
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "mqtls: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return TOOL_EXIT_USAGE;
}
