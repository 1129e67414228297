/**
 * @file tool_opts.h
 * @brief The settings of `mqtls pub`, `mqtls sub` and `mqtls doctor`, and the option table
 *        that fills them (tool_optparse.h: the connection flags are shared, each command has
 *        its own besides). `mqtls shadow|jobs|provision` take the connection flags from it
 *        too (command TOOL_AWS; their own flags: aws/tool_aws.h).
 */
#ifndef TOOL_OPTS_H
#define TOOL_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/tool_optparse.h"
#include "mqtls/codec.h"
#include "mqtt/tool_props.h"

/** The subcommands (bit values: an option lists the commands it applies to). */
typedef enum tool_cmd {
    TOOL_PUB = 1u,
    TOOL_SUB = 2u,
    TOOL_DOCTOR = 4u, /**< `mqtls doctor`: the connection flags, and its own (tool_doctor.h) */
    TOOL_AWS = 8u     /**< `mqtls shadow|jobs|provision`: the connection flags alone; their own
                           flags are aws/aws_opts.c's */
} tool_cmd_t;

/** Where pub takes the message from. */
typedef enum tool_msg_mode {
    TOOL_MSG_NONE,
    TOOL_MSG_ARG,    /**< -m */
    TOOL_MSG_FILE,   /**< -f */
    TOOL_MSG_LINES,  /**< -l */
    TOOL_MSG_STDIN,  /**< -s */
    TOOL_MSG_NULL    /**< -n */
} tool_msg_mode_t;

/** A list of strings (pointers into argv or tool-owned copies). */
typedef struct tool_strlist {
    const char **v;
    size_t n;
} tool_strlist_t;

/** tool_cfg_t::url_scheme */
#define TOOL_URL_MQTT 1
#define TOOL_URL_MQTTS 2

/** --random-filter's "print every message" (100 %, in thousandths of a percent). */
#define TOOL_RANDOM_ALL 100000u

/** Every setting of one run. */
typedef struct tool_cfg {
    tool_cmd_t cmd;
    /* Connection. */
    const char *host;
    uint16_t port;            /**< 0 until chosen: -p, the URL, or 1883 / 8883 (TLS) */
    const char *bind_addr;
    const char *unix_path;    /**< --unix: a Unix stream socket instead of TCP (mqtls_tcp_unix) */
    const char *session_dir; /**< pub: durable message store (implies -c) */
    mqtls_version_t version;
    uint16_t keepalive;
    const char *id;
    const char *id_prefix;
    char *client_id;          /**< the id used (computed by tool_opts_check) */
    bool no_clean;            /**< -c */
    bool session_expiry_set;  /**< -x */
    uint32_t session_expiry;
    const char *username;
    const char *password;
    bool debug;
    bool quiet;
    bool nodelay;
    const char *will_topic;
    const char *will_payload;
    uint8_t will_qos;
    bool will_retain;
    bool will_opts;           /**< a --will-* option other than --will-topic */
    uint8_t qos;
    bool qos_set;
    tool_strlist_t topics;
    tool_props_t props;
    /* pub */
    tool_msg_mode_t msg_mode;
    int msg_sources;          /**< how many of -m -f -l -s -n were given */
    const char *message;
    const char *file;
    bool retain;
    uint32_t repeat;
    uint32_t repeat_delay_ms;
    uint16_t max_inflight;
    uint32_t ack_timeout_s;   /**< --ack-timeout: time without acknowledgement progress (0: none) */
    /* sub */
    bool verbose;
    bool no_retained;         /**< -R */
    bool retained_only;
    bool exit_after_sub;      /**< -E */
    bool no_eol;              /**< -N */
    uint32_t count;           /**< -C, 0: unlimited */
    uint32_t timeout_s;       /**< -W, 0: none */
    const char *format;       /**< -F */
    tool_strlist_t filter_out; /**< -T */
    tool_strlist_t unsub;     /**< -U */
    uint32_t max_packet;      /**< --max-packet-size: receive buffer (0: the default) */
    bool pretty;              /**< --pretty: %j indented (cJSON's layout, as mosquitto_sub) */
    bool remove_retained;     /**< --remove-retained: clear each retained message received */
    uint32_t random_filter;   /**< --random-filter in thousandths of a percent (100000: all) */
    /* doctor */
    bool json;                /**< --json */
    bool no_roundtrip;        /**< --no-roundtrip */
    const char *connect_to;   /**< --connect-to HOST:PORT:HOST2:PORT2 (checked by the doctor) */
    const char *device;       /**< --device NAME: a device profile (checked by the doctor) */
    /* TLS (tool_tls.h). */
    bool tls;                 /**< TLS is used (decided by tool_tls_check) */
    int url_scheme;           /**< the last -L: 0 none, TOOL_URL_MQTT or TOOL_URL_MQTTS */
    const char *cafile;
    const char *capath;
    const char *crlfile;      /**< --crlfile: certificate revocation list(s), PEM or DER */
    const char *cert;
    const char *key;
    char *keypass;            /**< heap copy of --keypass / MQTLS_KEYPASS, wiped after use */
    bool keypass_opt;         /**< given with --keypass (not from the environment) */
    int tls_min_version;      /**< --tls-version: MQTLS_TLS_V1_2 / _3, 0: default */
    const char *ciphers;
    tool_strlist_t alpn;      /**< --alpn, in order */
    bool insecure;
    bool use_os_certs;           /**< --tls-use-os-certs: the system's trusted CAs */
    const char *pkcs11_module;   /**< --pkcs11-module: the PKCS#11 module of a pkcs11: key */
    bool keyform_engine;         /**< --keyform engine (mosquitto's way to say: a token key) */
    const char *server_name;  /**< the name sent as SNI and verified, when connecting to
                                   another address (doctor --connect-to); NULL: the host */
    uint32_t tls_timeout_ms;  /**< TLS handshake time limit (0: the library's 10 s) */
    /* Memory the settings point into (URL parts). */
    tool_strlist_t owned;
} tool_cfg_t;

/** The option table of pub, sub and doctor (docs/cli.md documents each flag of it). */
extern const tool_optset_t tool_opts_set;

/** Sets the defaults for @p cmd. */
void tool_cfg_init(tool_cfg_t *cfg, tool_cmd_t cmd);

/** Frees what parsing allocated. */
void tool_cfg_free(tool_cfg_t *cfg);

/** "pub", "sub", "doctor" or "aws". */
const char *tool_cmd_name(tool_cmd_t cmd);

/**
 * Parses the options of a subcommand (@p argv[0] is the subcommand's name) and runs the
 * checks shared by pub, sub and doctor (tool_opts_check()).
 * @return TOOL_EXIT_OK, TOOL_EXIT_USAGE (message printed), or TOOL_HELP_SHOWN
 */
int tool_opts_parse(tool_cfg_t *cfg, int argc, char **argv);

/**
 * Prints `mqtls VERSION` (the CMake project version), the MQTT versions compiled in and the
 * TLS library's version (`mqtls --version`, `mqtls pub|sub|doctor --version`).
 */
void tool_version_print(FILE *out);

/** Appends @p s to @p l. */
void tool_strlist_add(tool_strlist_t *l, const char *s);

#endif
