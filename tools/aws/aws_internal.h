/**
 * @file aws_internal.h
 * @brief What the device commands of AWS IoT (`mqtls shadow`, `mqtls jobs`, `mqtls provision`)
 *        share: their own flags (aws_opts.c), and one request/answer session over the
 *        connection pub and sub use (aws_session.c). The topics and documents come from the
 *        library's device helpers (mqtls/aws.h), never from strings built here.
 */
#ifndef AWS_INTERNAL_H
#define AWS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/tool_opts.h"
#include "common/tool_util.h"
#include "mqtt/tool_conn.h"
#include "mqtls/aws.h"

/** The service answered the request with a rejection (its code and message are printed). */
#define AWS_EXIT_REJECTED TOOL_EXIT_REJECTED

/** The flags of the device commands that are not connection flags. */
typedef struct aws_opts {
    const char *thing;        /**< --thing */
    const char *name;         /**< --name: a named shadow */
    const char *message;      /**< -m: the shadow update's request document */
    const char *job_id;       /**< --job-id */
    const char *status;       /**< --status */
    const char *details;      /**< --details: statusDetails, a JSON object of strings */
    const char *run;          /**< --run: the job handler's command */
    bool start;               /**< jobs next --start: StartNextPendingJobExecution */
    const char *template_name; /**< --template */
    tool_strlist_t params;    /**< --param K=V */
    const char *claim_cert;   /**< --claim-cert */
    const char *claim_key;    /**< --claim-key */
    const char *out;          /**< --out DIR */
    const char *csr;          /**< --csr FILE */
    uint32_t count;           /**< -C: watch stops after N (0: never) */
    uint32_t timeout_s;       /**< -W: time to wait for an answer (watch: in all; 0 none) */
} aws_opts_t;

/** One received message, copied out of the client's buffer. */
typedef struct aws_msg {
    char *topic;
    tool_buf_t body;          /**< NUL-terminated (not counted in len) */
} aws_msg_t;

/** One run of a device command: its settings, the connection, the messages received. */
typedef struct aws {
    const char *family;       /**< "shadow", "jobs", "provision" */
    const char *sub;          /**< the subcommand ("get", "next"; provision: "") */
    tool_cfg_t cfg;
    aws_opts_t o;
    tool_conn_t conn;
    bool open;
    aws_msg_t *q;             /**< received, not yet taken */
    size_t nq;
    uint16_t sub_mid;         /**< the SUBSCRIBE awaited */
    bool suback;              /**< its SUBACK arrived */
    bool sub_failed;          /**< ... refusing a filter */
    unsigned token_seq;       /**< the clientTokens made so far */
} aws_t;

/**
 * Parses @p argv (argv[0] is the subcommand): the family's own flags into @p a->o, the rest
 * as the connection flags of pub and sub. --help prints the family's page (tool_aws.h) and
 * the connection flags.
 * @return TOOL_EXIT_OK, TOOL_EXIT_USAGE (printed) or TOOL_HELP_SHOWN
 */
int aws_parse(aws_t *a, int argc, char **argv);

/** The --help page of @p family: its usage, its flags, its exit status, then the connection
 *  flags. */
void aws_help(const char *family, FILE *out);

/** Prints "Error: ...", the --help hint, and returns TOOL_EXIT_USAGE. */
int aws_usage(const aws_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Checks a name (--thing, --name, --job-id, --template) against its AWS rule. */
int aws_check_name(const aws_t *a, mqtls_aws_name_kind_t kind, const char *flag,
                   const char *v);

/** Connects. @return an exit status */
int aws_open(aws_t *a);

/** Services the connection once (at most @p max_ms); an exit status when it is lost or
 *  interrupted (Ctrl-C). */
int aws_poll(aws_t *a, uint32_t max_ms);

/** Subscribes (QoS 1) to @p n topics and waits for the SUBACK. @return an exit status */
int aws_subscribe(aws_t *a, char topics[][MQTLS_AWS_TOPIC_MAX + 1], size_t n);

/** Publishes @p len bytes at @p doc on @p topic at QoS 1 and waits for the PUBACK. */
int aws_publish(aws_t *a, const char *topic, const char *doc, size_t len);

/**
 * Waits for the next message until @p deadline_ms (tool_now_ms(); 0: none) and moves it to
 * @p *out (free with aws_msg_free()). @return TOOL_EXIT_OK, TOOL_EXIT_TIMEOUT, or the
 * exit status of a lost connection or an interruption
 */
int aws_next(aws_t *a, uint64_t deadline_ms, aws_msg_t *out);

/** The deadline of one answer: now + -W (default 10 s). */
uint64_t aws_answer_deadline(const aws_t *a);

/**
 * Waits for the answer to a request: the first message on @p accepted or @p rejected
 * (whose clientToken, when @p token is not NULL, is @p token; other messages are dropped).
 * On the rejected topic prints the rejection's code and message.
 * @return TOOL_EXIT_OK (accepted; @p *out holds it), AWS_EXIT_REJECTED, TOOL_EXIT_TIMEOUT, ...
 */
int aws_await(aws_t *a, const char *accepted, const char *rejected, const char *token,
              aws_msg_t *out);

/** A fresh clientToken for this run ("mqtls-<pid>-<n>") in @p buf. */
void aws_token(aws_t *a, char *buf, size_t size);

/** Prints @p m's body and a newline on stdout, and flushes. */
void aws_print(const aws_msg_t *m);

void aws_msg_free(aws_msg_t *m);

/** Disconnects, frees everything; returns @p rc (TOOL_HELP_SHOWN: 0). */
int aws_close(aws_t *a, int rc);

/** jobs watch --run: starts @p cmd with the job's document (aws_jobs_run.c), its process id
 *  in @p *pid. @return 0, or the errno that kept it from starting */
int aws_job_start(const char *cmd, const char *job_id, const char *doc, size_t len,
                  pid_t *pid);

#endif
