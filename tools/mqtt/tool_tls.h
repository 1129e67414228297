/**
 * @file tool_tls.h
 * @brief TLS for `mqtls pub` and `mqtls sub`: the checks of the TLS options (when TLS is
 *        used, the default port, the AWS IoT ALPN), the setup of libmqtls' TLS transport
 *        from them, and its evidence put into words: the -d handshake report and the
 *        plain-words explanation of a failed handshake.
 *
 * Only the public API is used (mqtls/transport_tls.h): the same code explains either TLS
 * backend. One concern per file: tool_tls.c (the setup, the -d wrapper), tool_tls_check.c
 * (the option checks), tool_tls_report.c (the -d report), tool_tls_explain.c (failures in
 * plain words); tool_tls_internal.h is what they share.
 */
#ifndef TOOL_TLS_H
#define TOOL_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mqtls/transport_tls.h"
#include "common/tool_opts.h"

/** The ALPN protocol AWS IoT Core wants for MQTT with a client certificate on port 443. */
#define TOOL_TLS_AWS_ALPN "x-amzn-mqtt-ca"

/**
 * The ALPN protocol to offer when none is given with --alpn: "x-amzn-mqtt-ca" on port 443
 * to a host named "amazonaws.com" or "*.amazonaws.com" (any case, a trailing dot allowed),
 * NULL otherwise. Pure: no I/O.
 */
const char *tool_tls_default_alpn(const char *host, uint16_t port);

/**
 * Decides whether @p cfg uses TLS (--cafile, --capath, --cert, --insecure or mqtts://),
 * fills in the default port (8883 with TLS, 1883 without) and checks the combination of
 * TLS options. Called by tool_opts_parse() once every option is read.
 * @return TOOL_EXIT_OK or TOOL_EXIT_USAGE (message printed)
 */
int tool_tls_check(tool_cfg_t *cfg);

/** The TLS side of one connection. */
typedef struct tool_tls {
    mqtls_tls_t tls;
    const tool_cfg_t *cfg;
    const char **alpn;   /**< NULL-terminated list offered (NULL: none) */
    bool alpn_auto;      /**< chosen by tool_tls_default_alpn() */
    FILE *log;           /**< -d: the handshake report goes here (NULL: no report) */
    bool attempt_open;   /**< a connect attempt has started and not ended */
} tool_tls_t;

/**
 * Wraps mqtls_tls_transport (context: a tool_tls_t) to report every connect attempt under
 * -d: what is about to be tried, then the evidence when the attempt ends.
 */
extern const mqtls_transport_t tool_tls_transport;

/**
 * Loads the credentials and prepares the transport (mqtls_tls_setup()). Prints the
 * --insecure warning. On failure prints which credential failed, the file and Mbed TLS's
 * words. The key passphrase (cfg->keypass) is wiped afterwards either way.
 * @return TOOL_EXIT_OK or TOOL_EXIT_USAGE
 */
int tool_tls_setup(tool_tls_t *t, const tool_cfg_t *cfg, FILE *log);

/** Receives one plain-words line of a report (without the "Error: " prefix). */
typedef void (*tool_tls_say_fn)(void *ctx, const char *line);

/** tool_tls_setup(), with the failure report given to @p say instead of stderr. */
int tool_tls_setup_to(tool_tls_t *t, const tool_cfg_t *cfg, FILE *log, tool_tls_say_fn say,
                      void *ctx);

/** Frees what tool_tls_setup() made (safe on a zeroed or freed context). */
void tool_tls_free(tool_tls_t *t);

/** The socket, or -1. */
int tool_tls_fd(const tool_tls_t *t);

/** Whether the TLS handshake runs now (the socket is then polled for reading only). */
bool tool_tls_handshaking(const tool_tls_t *t);

/** Whether mqtls_step() should run without waiting (Mbed TLS may hold decrypted bytes). */
bool tool_tls_ready(tool_tls_t *t);

/**
 * Explains a failed connection attempt from the evidence when the failure is TLS's (the
 * handshake, or a close right after it): prints plain-words "Error: ..." lines.
 * @param st the status the client reported
 * @return TOOL_EXIT_CONNECT when it explained the failure, -1 when it is not a TLS matter
 *         (DNS, TCP: the caller reports it)
 */
int tool_tls_explain(const tool_tls_t *t, mqtls_status_t st);

/** tool_tls_explain(), with the lines given to @p say instead of stderr. */
int tool_tls_explain_to(const tool_tls_t *t, mqtls_status_t st, tool_tls_say_fn say, void *ctx);

/** The words for the MQTLS_TLS_BAD_* bits of @p problems, separated by @p sep. */
void tool_tls_problem_words(uint32_t problems, const char *sep, char *out, size_t size);

/** Prints the evidence of one attempt (the -d report). */
void tool_tls_print_evidence(FILE *out, const mqtls_tls_evidence_t *ev, const char *host,
                             uint16_t port);

#endif
