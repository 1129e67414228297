/**
 * @file bench_rawtls.h
 * @brief The plain OpenSSL reference client of the TLS connect benchmark (bench_rawtls.c).
 */
#ifndef BENCH_RAWTLS_H
#define BENCH_RAWTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Whether the reference client is built in (the bench links OpenSSL 3). */
bool bench_raw_available(void);

/**
 * Makes the one SSL_CTX of this process: trusted @p ca, our @p cert and @p key (PEM files),
 * TLS version @p ver only (12 or 13). @return 0, or -1 with @p err filled
 */
int bench_raw_open(const char *ca, const char *cert, const char *key, int ver, char *err,
                   size_t errsize);

/** Frees the SSL_CTX. */
void bench_raw_close(void);

/**
 * One connect to 127.0.0.1:@p port: TCP, handshake (the server's IP verified), MQTT CONNECT
 * and CONNACK, DISCONNECT, close_notify, close. @p version / @p suite (may be NULL) receive
 * what was negotiated. @return 0, or -1 with @p err filled
 */
int bench_raw_connect_once(uint16_t port, char *version, size_t vsize, char *suite,
                           size_t ssize, char *err, size_t errsize);

#endif
