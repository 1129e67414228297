/**
 * @file platform.h
 * @brief What the core needs from the operating system: a clock and randomness.
 *
 * The core calls nothing else of the OS. Sockets sit behind transport.h.
 */
#ifndef MQTLS_PLATFORM_H
#define MQTLS_PLATFORM_H

#include "mqtls/export.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mqtls_platform {
    /** Milliseconds from any fixed point; wraps at 2^32 (the core compares differences). */
    uint32_t (*now_ms)(void *ctx);
    /** A random 32-bit value (for client ids and backoff jitter; not for keys). */
    uint32_t (*random)(void *ctx);
    void *ctx;
    /** Optional: sleeps @p ms (the blocking layer waits out a reconnect delay with it). */
    void (*sleep_ms)(void *ctx, uint32_t ms);
} mqtls_platform_t;

/** The POSIX platform: CLOCK_MONOTONIC and getrandom()/rand. Only in hosted builds. */
MQTLS_API extern const mqtls_platform_t mqtls_platform_posix;

#ifdef __cplusplus
}
#endif
#endif
