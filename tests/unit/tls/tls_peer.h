/**
 * @file tls_peer.h
 * @brief An in-process TLS server for the unit tests of the TLS transport, made with
 *        OpenSSL whatever the backend under test (tls_peer_openssl.c; tls_peer.c has the
 *        socket and the thread).
 *
 * It listens on 127.0.0.1 (a free port), accepts one connection in a thread of its own,
 * runs the handshake, then echoes what it reads until the client closes.
 */
#ifndef MQTLS_TEST_TLS_PEER_H
#define MQTLS_TEST_TLS_PEER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/** How the server behaves. */
typedef struct tls_peer_cfg {
    const char *chain;     /**< PEM: its certificate and the ones it sends with it */
    const char *key;       /**< PEM: its key */
    const char *client_ca; /**< NULL: no client certificate asked; else required, from it */
    int max_version;       /**< 12 or 13 (TLS 1.2 / 1.3); 0: the library's highest */
} tls_peer_cfg_t;

/** What the server saw. */
typedef struct tls_peer_result {
    bool handshake_ok;
    bool client_cert;     /**< a client certificate was received and verified */
    char suite[64];       /**< the negotiated suite, IANA name ("TLS_AES_128_GCM_SHA256") */
    long echoed;          /**< application bytes read and sent back */
} tls_peer_result_t;

typedef struct tls_peer {
    tls_peer_cfg_t cfg;
    int listen_fd;
    uint16_t port;
    pthread_t thread;
    tls_peer_result_t result;
} tls_peer_t;

/** Starts listening and the serving thread. @return 0, or -1 (with the reason printed). */
int tls_peer_start(tls_peer_t *p, const tls_peer_cfg_t *cfg);

/** Waits for the thread to finish (the client closed, or ~10 s) and returns its result. */
tls_peer_result_t tls_peer_stop(tls_peer_t *p);

/**
 * Serves one accepted connection @p fd with the TLS library (per backend file): handshake,
 * then echo until the peer closes. Fills @p r. Does not close @p fd.
 */
void tls_peer_serve(const tls_peer_cfg_t *cfg, int fd, tls_peer_result_t *r);

#endif
