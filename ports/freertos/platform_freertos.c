/**
 * @file platform_freertos.c
 * @brief The platform on FreeRTOS: the tick count as milliseconds, a hardware RNG hook
 *        (see mqtls/platform_freertos.h).
 */
#include "mqtls/platform_freertos.h"

#include <stdbool.h>
#include <stddef.h>

#include "freertos_api.h"

/* 32-bit ticks at a rate dividing 1000: ticks * period wraps exactly like milliseconds. */
static bool ticks_are_exact(void)
{
    return sizeof(TickType_t) >= sizeof(uint32_t) && configTICK_RATE_HZ <= 1000u &&
           1000u % (uint32_t)configTICK_RATE_HZ == 0u;
}

static uint32_t freertos_now_ms(void *ctx)
{
    mqtls_freertos_platform_t *p = ctx;
    TickType_t now = xTaskGetTickCount();
    if (ticks_are_exact())
        return (uint32_t)now * (uint32_t)portTICK_PERIOD_MS;
    /* Accumulate: the elapsed ticks (TickType_t arithmetic handles its own wrap) become
     * milliseconds, keeping the remainder so nothing drifts. Split to stay in 32 bits. */
    const uint32_t rate = (uint32_t)configTICK_RATE_HZ;
    uint32_t elapsed = (uint32_t)(TickType_t)(now - (TickType_t)p->last_tick);
    p->last_tick = (uint32_t)now;
    p->ms += (elapsed / rate) * 1000u;
    uint32_t part = (elapsed % rate) * 1000u + p->rem;
    p->ms += part / rate;
    p->rem = part % rate;
    return p->ms;
}

static uint32_t freertos_random(void *ctx)
{
    mqtls_freertos_platform_t *p = ctx;
    uint32_t v;
    if (p->rng != NULL && p->rng(p->rng_ctx, &v) == 0)
        return v;
    /* xorshift32, stirred with the tick count: jitter only. */
    uint32_t x = p->fallback ^ (uint32_t)xTaskGetTickCount();
    if (x == 0)
        x = 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p->fallback = x;
    return x;
}

void mqtls_platform_freertos_init(mqtls_freertos_platform_t *p, mqtls_freertos_rng_fn rng,
                                  void *rng_ctx)
{
    p->platform.now_ms = freertos_now_ms;
    p->platform.random = freertos_random;
    p->platform.ctx = p;
    p->rng = rng;
    p->rng_ctx = rng_ctx;
    p->last_tick = (uint32_t)xTaskGetTickCount();
    p->ms = 0;
    p->rem = 0;
    p->fallback = 0x2545F491u;
}
