/**
 * @file tool_cmds.h
 * @brief The subcommands of `mqtls`.
 */
#ifndef TOOL_CMDS_H
#define TOOL_CMDS_H

/** `mqtls pub`: @p argv[0] is "pub". Returns the exit status. */
int tool_pub_main(int argc, char **argv);

/** `mqtls sub`: @p argv[0] is "sub". Returns the exit status. */
int tool_sub_main(int argc, char **argv);

/** `mqtls explain`: @p argv[0] is "explain". Returns the exit status (explain/tool_explain.h). */
int tool_explain_main(int argc, char **argv);

/** `mqtls shadow get|update|delete|watch` (aws/aws_shadow.c). Returns the exit status. */
int tool_shadow_main(int argc, char **argv);

/** `mqtls jobs next|update|watch` (aws/aws_jobs.c). Returns the exit status. */
int tool_jobs_main(int argc, char **argv);

/** `mqtls provision` (aws/aws_provision.c). Returns the exit status. */
int tool_provision_main(int argc, char **argv);

#endif
