/**
 * @file platform_freertos.h
 * @brief The platform (clock and randomness, platform.h) on FreeRTOS: milliseconds from the
 *        scheduler's tick count, random numbers from a hardware source of your board.
 *
 * Source: ports/freertos/ (needs FreeRTOS; see its README.md). No heap: the context is the
 * caller's, and it holds the mqtls_platform_t to hand to the client:
 *
 * @code
 * static mqtls_freertos_platform_t plat;
 * mqtls_platform_freertos_init(&plat, board_trng_read, NULL);
 * cfg.platform = &plat.platform;
 * @endcode
 */
#ifndef MQTLS_PLATFORM_FREERTOS_H
#define MQTLS_PLATFORM_FREERTOS_H

#include <stdint.h>

#include "mqtls/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A hardware random number source: writes 32 random bits to *@p out and returns 0, or
 * returns non-zero when it has none (the platform then falls back to a generator seeded
 * from the tick count: good enough for backoff jitter, never for keys).
 */
typedef int (*mqtls_freertos_rng_fn)(void *ctx, uint32_t *out);

/** The FreeRTOS platform's context. Fields other than @c platform are private. */
typedef struct mqtls_freertos_platform {
    mqtls_platform_t platform; /**< give &this->platform to mqtls_client_cfg_t */
    mqtls_freertos_rng_fn rng;
    void *rng_ctx;
    uint32_t last_tick; /* for tick rates that do not divide 1000 */
    uint32_t ms;
    uint32_t rem;
    uint32_t fallback;  /* xorshift state when the hardware source fails */
} mqtls_freertos_platform_t;

/**
 * Prepares @p p. @p rng may be NULL (the fallback generator only).
 *
 * now_ms() reads xTaskGetTickCount(): with a 32-bit TickType_t and a tick rate dividing
 * 1000 it is ticks * portTICK_PERIOD_MS, which wraps at 2^32 ms as platform.h asks. With
 * other rates (or 16-bit ticks) it accumulates the elapsed ticks in @p p, so one context
 * belongs to one task, and now_ms() must run at least once per tick counter wrap (the
 * client calls it on every step).
 */
MQTLS_API void mqtls_platform_freertos_init(mqtls_freertos_platform_t *p, mqtls_freertos_rng_fn rng,
                                            void *rng_ctx);

#ifdef __cplusplus
}
#endif
#endif
