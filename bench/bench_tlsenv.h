/**
 * @file bench_tlsenv.h
 * @brief What the TLS benchmarks (bench_tls.c, bench_idle.c) stand on: a PKI made with the
 *        built `mqtls pki` (an EC P-256 and an RSA-2048 set: CA, server, device), an OpenSSL
 *        configuration that holds libmosquitto to TLS 1.2, and one private mosquitto with a
 *        mutual-TLS listener per set, all in a temporary directory.
 */
#ifndef BENCH_TLSENV_H
#define BENCH_TLSENV_H

#include <limits.h>
#include <stdint.h>

#include "broker.h"

enum { BENCH_KEY_EC = 0, BENCH_KEY_RSA = 1, BENCH_KEY_COUNT = 2 };

/** "EC P-256", "RSA-2048". */
extern const char *const bench_key_name[BENCH_KEY_COUNT];

typedef struct bench_tlsenv {
    char dir[PATH_MAX];                        /**< the temporary directory */
    char ca[BENCH_KEY_COUNT][PATH_MAX + 32];   /**< per key set: PEM files */
    char cert[BENCH_KEY_COUNT][PATH_MAX + 32]; /**< the device's */
    char key[BENCH_KEY_COUNT][PATH_MAX + 32];
    char server_crt[BENCH_KEY_COUNT][PATH_MAX + 32];
    char server_key[BENCH_KEY_COUNT][PATH_MAX + 32];
    uint32_t der_ca[BENCH_KEY_COUNT];  /**< DER sizes (to name heap blocks that copy them) */
    uint32_t der_dev[BENCH_KEY_COUNT];
    uint32_t der_srv[BENCH_KEY_COUNT];
    uint16_t port[BENCH_KEY_COUNT];    /**< the mosquitto listener of each set */
    char openssl_conf[PATH_MAX + 32];  /**< OPENSSL_CONF that caps OpenSSL at TLS 1.2 */
    test_broker_t broker;
    const char *tool;                  /**< the mqtls tool that made the PKI */
    char toolbuf[PATH_MAX + 32];
    double pki_s;                      /**< seconds the PKI took */
} bench_tlsenv_t;

/**
 * Makes everything in a new temporary directory named after @p name; @p listener_extra
 * (NULL: none) is added to each listener's mosquitto configuration. Prints why on failure.
 * @return 0; 1 when the mqtls tool is not built (nothing was made); -1 on a failure (call
 *         bench_tlsenv_close() either way)
 */
int bench_tlsenv_open(bench_tlsenv_t *e, const char *name, const char *listener_extra);

/** Stops the broker and removes the directory (kept with MQTLS_KEEP_TEST_DIRS set). */
void bench_tlsenv_close(bench_tlsenv_t *e);

#endif
