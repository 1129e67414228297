/**
 * @file awl_internal.h
 * @brief What the files of `mqtls awslocal` share. tool_awslocal.c reads the command line;
 *        awl_pki.c makes the credentials in DIR, awl_conf.c the mosquitto configuration,
 *        awl_run.c runs mosquitto, awl_job.c stores jobs.
 *
 * DIR holds everything (docs/cli.md, "awslocal"):
 *     ca.pem, ca.key              the root: every certificate it signed is trusted
 *     broker/cert.pem, .../private.key   mosquitto's own (localhost, 127.0.0.1, ::1)
 *     claim/cert.pem, claim/private.key  the Fleet Provisioning claim (CN awslocal-claim)
 *     things/NAME/cert.pem, .../private.key   one per thing (CN = NAME)
 *     mosquitto.conf, mosquitto.log      written by `up`
 *     templates/default.json      Fleet Provisioning's template `default` (written if missing)
 *     state/                     the services' state (jobs in state/jobs/THING/ID.json; svc.h)
 */
#ifndef AWL_INTERNAL_H
#define AWL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/** The awslocal commands (bit values: an option lists the commands it applies to). */
enum awl_cmd { AWL_UP = 1u, AWL_THING = 2u, AWL_JOB = 4u };

/** The port of `up` without --port: AWS IoT's MQTT-over-TLS port. */
#define AWL_DEFAULT_PORT 8883

/** Everything a command line gave. */
typedef struct awl_args {
    unsigned cmd;
    const char *cmd_name;
    const char *dir;
    const char *name;     /* thing add NAME */
    uint32_t port;        /* up --port */
    const char *thing;    /* job create --thing */
    const char *job_id;   /* job create --job-id */
    const char *document; /* job create --document */
} awl_args_t;

/** A thing name as AWS IoT accepts it: 1 to 128 of [a-zA-Z0-9:_-] (CreateThing). */
bool awl_valid_thing_name(const char *s);

/* ---- credentials (awl_pki.c) ------------------------------------------------------------ */

/** Makes what is missing of DIR's root, broker and claim credentials. @return TOOL_EXIT_OK
 *  or TOOL_EXIT_ERROR (printed) */
int awl_pki_ensure(const char *dir);

/** `thing add`: DIR/things/NAME/{cert.pem,private.key} signed by DIR's root.
 *  @return TOOL_EXIT_OK, TOOL_EXIT_USAGE (no root in DIR) or TOOL_EXIT_ERROR */
int awl_thing_add(const char *dir, const char *name);

/* ---- mosquitto (awl_conf.c, awl_run.c) ---------------------------------------------------- */

/** The plugin's path (malloc'd): $MQTLS_AWSLOCAL_PLUGIN, next to the running mqtls, or the
 *  install directory; NULL (printed) if none exists. */
char *awl_plugin_path(void);

/** Writes DIR/mosquitto.conf for @p port and @p plugin, makes DIR/state, and, run as root,
 *  lets the user mosquitto drops to read and write what it needs. */
int awl_conf_write(const char *dir, uint16_t port, const char *plugin);

/** Run as root: makes @p path the user mosquitto's (mosquitto drops to it), so that the
 *  services running inside mosquitto can write it. Else does nothing.
 *  @return TOOL_EXIT_OK or TOOL_EXIT_ERROR (printed) */
int awl_give_to_broker(const char *path);

/** Does a mosquitto with DIR's credentials answer a TLS handshake on 127.0.0.1:@p port
 *  (awl_probe.c)? */
bool awl_probe(const char *dir, uint16_t port);

/** Runs mosquitto on DIR/mosquitto.conf until SIGTERM/SIGINT; prints `ready` once it
 *  accepts connections on @p port. @return TOOL_EXIT_OK after a clean stop, or
 *  TOOL_EXIT_ERROR with mosquitto's failure in words */
int awl_run(const char *dir, uint16_t port);

/* ---- jobs (awl_job.c) --------------------------------------------------------------------- */

/** `job create`: stores the job in DIR/state/jobs/THING/ID.json (format: awl_job.c). */
int awl_job_create(const awl_args_t *a);

#endif
