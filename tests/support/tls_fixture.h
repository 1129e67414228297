/**
 * @file tls_fixture.h
 * @brief A fixture for the TLS integration tests: a PKI made per run (`mqtls pki` and the
 *        openssl command line), mosquitto with TLS listeners, a client on the TLS
 *        transport, and a tiny raw TCP server for peers mosquitto cannot imitate.
 *
 * Everything lives in one temporary directory per test process (tf_begin()), removed by
 * tf_end() unless MQTLS_KEEP_TEST_DIRS is set. Shell commands run with that directory as
 * their working directory, `$MQTLS_BIN` in their environment, their output appended to
 * `commands.log` there, and a time limit. Every wait is bounded.
 */
#ifndef MQTLS_TLS_FIXTURE_H
#define MQTLS_TLS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "broker.h"
#include "mqtls/client.h"
#include "mqtls/transport_tcp.h"
#include "mqtls/transport_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest shell command tf_sh() runs. */
#define TF_CMD_MAX 4096
/** How long one shell command may take (RSA key generation under ASan included). */
#define TF_CMD_TIMEOUT_MS 60000u

/**
 * Creates the run directory ($TMPDIR or /tmp, "mqtls-tls-XXXXXX") and checks that
 * $MQTLS_BIN and openssl can be run. @return 0, or -1 with the reason printed.
 */
int tf_begin(void);

/** Removes the run directory (unless MQTLS_KEEP_TEST_DIRS is set). */
void tf_end(void);

/** The run directory (absolute), "" before tf_begin(). */
const char *tf_dir(void);

/**
 * A path in the run directory, printf-style ("%s" relative parts). The result lives in a
 * ring of static buffers: it stays valid for the next 127 calls, so copy what a test keeps
 * for longer.
 */
const char *tf_path(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/**
 * Runs a shell command (printf-style) in the run directory with a time limit.
 * @return its exit status, or -1 (could not run, killed, timed out)
 */
int tf_sh(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/** Runs `$MQTLS_BIN pki ARGS` (printf-style) like tf_sh(). */
int tf_pki(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/**
 * Makes the PKI most tests share, with `mqtls pki`, under the run directory:
 *  - ca/     root "mqtls test CA" (EC P-256); ca/server.crt, ca/server.key for localhost and
 *            127.0.0.1; device ca/dev1/ (cert.crt, private.key, cert.der, private.der)
 *  - other/  an unrelated root "other test CA" with its own device other/dev-other/
 * @return 0, or -1 (see commands.log)
 */
int tf_pki_base(void);

/**
 * Reads a whole file into a malloc'd buffer (with one NUL after the content, not counted
 * in *len). @return the buffer, or NULL.
 */
uint8_t *tf_read_file(const char *path, size_t *len);

/** Writes @p len bytes to @p path (replacing it). @return 0 or -1. */
int tf_write_file(const char *path, const void *data, size_t len);

/* ------------------------------------------------------------------- the broker */

/** One TLS listener of the broker (on 127.0.0.1). NULL strings are left out. */
typedef struct tf_listener {
    const char *cafile;
    const char *capath;
    const char *certfile;
    const char *keyfile;
    bool require_certificate;
    const char *tls_version; /**< "tlsv1.2", "tlsv1.3" (NULL: mosquitto's default) */
    const char *ciphers;     /**< OpenSSL cipher list for TLS 1.2 */
    const char *extra;       /**< more lines for this listener */
    uint16_t port;           /**< out: the listener's port */
} tf_listener_t;

/**
 * Starts a private mosquitto (broker.h: its plain listener on b->port) with @p n TLS
 * listeners on free ports (written to ls[i].port). Retries with new ports when one was
 * taken meanwhile. @return 0, or -1 (the broker's log printed).
 */
int tf_broker_start(test_broker_t *b, tf_listener_t *ls, size_t n);

/** Did a client with this id complete an MQTT CONNECT at the broker (its log says so)? */
bool tf_broker_saw_client(const test_broker_t *b, const char *client_id);

/* ------------------------------------------------------------------- the client */

/** A client with everything it needs, on the TLS transport (or plain TCP). */
typedef struct tf_client {
    mqtls_client_t cli;
    mqtls_tls_t tls;
    mqtls_tcp_t tcp;
    bool use_tcp;
    mqtls_client_cfg_t cfg;
    mqtls_connect_opts_t opts;
    char id[64];
    uint8_t rx[16384];
    uint8_t tx[1024];
    uint8_t store_buf[16384];
    mqtls_inflight_t inflight[16];
    uint16_t qos2_in[16];
    mqtls_ram_store_t store;
    mqtls_status_t setup_status; /**< what mqtls_tls_setup returned (MQTLS_OK if not run) */
    uint32_t elapsed_ms;         /**< how long the last tf_connect() took */
    /* what the events reported */
    unsigned nmsgs;
    char last_topic[128];
    char last_payload[256];
    uint8_t last_qos;
    unsigned npublish_done;
    mqtls_status_t end_status;
} tf_client_t;

/** Paths kept for the whole run: a context keeps the pointers of its settings. */
#define TF_PATH_MAX 512

/**
 * The start of a TLS test's main(): the harness (test_main_begin), SIGPIPE ignored, then
 * @p setup (which makes the run directory and starts @p broker). When setup fails it says so,
 * stops the broker, removes the run directory and returns false: main then returns
 * test_main_end().
 */
bool tf_main_start(int argc, char **argv, int (*setup)(void), test_broker_t *broker);

/** Copies @p src into @p dst (TF_PATH_MAX bytes), for paths a test keeps. */
void tf_keep(char *dst, const char *src);

/** Mutual-TLS settings from files: the CA, our certificate and key; a 5 s handshake limit. */
mqtls_tls_cfg_t tf_pem_cfg(const char *ca, const char *cert, const char *key);

/** Prepares @p c (TLS transport, MQTT 3.1.1, keep-alive 30 s, client id @p id). */
void tf_client_init(tf_client_t *c, const char *id);

/**
 * mqtls_tls_setup(@p cfg, with keep_chain) then mqtls_sync_connect() to @p host : @p port, giving the whole
 * attempt @p timeout_ms (connect_timeout_ms). A setup failure is returned (and kept in
 * setup_status) without connecting.
 */
mqtls_status_t tf_connect(tf_client_t *c, const mqtls_tls_cfg_t *cfg, const char *host,
                          uint16_t port, uint32_t timeout_ms);

/** Is the library on OpenSSL (else Mbed TLS)? For checks where the backends differ. */
bool tf_openssl(void);

/** True when the backend speaks TLS 1.3 (both do now: OpenSSL 3, and Mbed TLS 3.6 in the
 *  device configuration). */
bool tf_tls13(void);

/** Like tf_connect() on the plain TCP transport (no TLS at all). */
mqtls_status_t tf_connect_tcp(tf_client_t *c, const char *host, uint16_t port,
                              uint32_t timeout_ms);

/** The TLS evidence of the last attempt. */
const mqtls_tls_evidence_t *tf_ev(const tf_client_t *c);

/** Prints the evidence as a note of the running test (what each scenario observed). */
void tf_note_evidence(const tf_client_t *c, mqtls_status_t st);

/** Disconnects (if connected) and frees the client and its TLS context. */
void tf_client_free(tf_client_t *c);

/**
 * Subscribes @p sub to @p topic at QoS 1, publishes @p payload at QoS 1 from @p pub and
 * waits (bounded) until @p sub has it. @return MQTLS_OK or the first failure.
 */
mqtls_status_t tf_roundtrip(tf_client_t *pub, tf_client_t *sub, const char *topic,
                            const char *payload);

/* ------------------------------------------------------------------- the raw server */

/** What the raw server does with the one connection it accepts. */
typedef enum tf_raw_mode {
    TF_RAW_CLOSE_AFTER_HELLO, /**< reads the first whole TLS record, then closes */
    TF_RAW_SILENT,            /**< reads and never answers, until the client closes */
    TF_RAW_GARBAGE            /**< reads the first record, answers with an HTTP error line */
} tf_raw_mode_t;

/** A tiny TCP server in a child process on 127.0.0.1. */
typedef struct tf_raw {
    pid_t pid;
    uint16_t port;
    int report_fd;       /**< the child reports what it read here */
    long bytes_read;     /**< out (tf_raw_stop): bytes the child read from the client */
    int first_byte;      /**< out: the first of them, -1 if none */
} tf_raw_t;

/** Starts the server (it lives at most ~30 s). @return 0, or -1. */
int tf_raw_start(tf_raw_t *r, tf_raw_mode_t mode);

/**
 * Collects the report (waiting up to @p wait_ms for the child to finish on its own), then
 * ends the child. @return 0 if a report arrived, else -1.
 */
int tf_raw_stop(tf_raw_t *r, uint32_t wait_ms);

/** Milliseconds of CLOCK_MONOTONIC. */
uint64_t tf_now_ms(void);

#ifdef __cplusplus
}
#endif
#endif
