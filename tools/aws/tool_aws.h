/**
 * @file tool_aws.h
 * @brief The device commands of AWS IoT, `mqtls shadow`, `mqtls jobs` and `mqtls provision`
 *        (their entry points are in tool_cmds.h): the table of their own flags, which
 *        prints their --help and which tests/unit/tools/common/test_cli_doc.c checks
 *        docs/cli.md against. Their connection flags are pub's and sub's (tool_opts.h,
 *        command TOOL_AWS).
 */
#ifndef TOOL_AWS_H
#define TOOL_AWS_H

#include "common/tool_optparse.h"

/** The flags of shadow, jobs and provision (commands "shadow", "jobs", "provision"). */
extern const tool_optset_t tool_aws_optset;

#endif
