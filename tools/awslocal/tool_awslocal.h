/**
 * @file tool_awslocal.h
 * @brief `mqtls awslocal`: AWS IoT Core on your desk, a mosquitto that behaves like it.
 *
 *     mqtls awslocal up DIR [--port P]          PKI in DIR (if missing), runs mosquitto
 *     mqtls awslocal thing add DIR NAME         DIR/things/NAME/{cert.pem,private.key}
 *     mqtls awslocal job create DIR --thing NAME --job-id ID --document FILE
 *
 * The broker side (the policy and the services) is a mosquitto plugin: plugin/. See
 * docs/cli.md ("awslocal").
 */
#ifndef TOOL_AWSLOCAL_H
#define TOOL_AWSLOCAL_H

#include "common/tool_optparse.h"

/**
 * `mqtls awslocal`: @p argv[0] is "awslocal", @p argv[1] the command (up, thing, job).
 * @return TOOL_EXIT_OK, TOOL_EXIT_USAGE (bad arguments) or TOOL_EXIT_ERROR (a file cannot
 *         be made, mosquitto cannot start or failed)
 */
int tool_awslocal_main(int argc, char **argv);

/** The option table of `mqtls awslocal`'s commands (docs/cli.md documents each flag). */
extern const tool_optset_t tool_awslocal_optset;

#endif
