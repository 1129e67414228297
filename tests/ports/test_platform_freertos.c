/**
 * @file test_platform_freertos.c
 * @brief The FreeRTOS platform (ports/freertos) against a tick counter the test moves:
 *        milliseconds from ticks at the configured rate (compiled at 1000 Hz, which
 *        divides 1000, and at 1024 Hz, which does not), across the tick counter's wrap,
 *        and the hardware RNG hook with its fallback.
 */
#include <string.h>

#include "freertos_api.h"
#include "mqtls/platform_freertos.h"
#include "test.h"

/* The tick counter of this test (FreeRTOS's task.h function, as a test double). */
static TickType_t ticks;

TickType_t xTaskGetTickCount(void)
{
    return ticks;
}

static uint32_t now(mqtls_freertos_platform_t *p)
{
    return p->platform.now_ms(p->platform.ctx);
}

/* Milliseconds in @p n ticks at this rate, rounded down. */
static uint32_t ms_of(uint64_t n)
{
    return (uint32_t)(n * 1000u / configTICK_RATE_HZ);
}

TEST(one_second_of_ticks_is_1000_ms)
{
    mqtls_freertos_platform_t p;
    ticks = 12345;
    mqtls_platform_freertos_init(&p, NULL, NULL);
    uint32_t t0 = now(&p);
    ticks += configTICK_RATE_HZ;
    CHECK_EQ_INT(now(&p) - t0, 1000);
    ticks += 10u * configTICK_RATE_HZ;
    CHECK_EQ_INT(now(&p) - t0, 11000);
}

TEST(single_ticks_do_not_drift)
{
    mqtls_freertos_platform_t p;
    ticks = 0;
    mqtls_platform_freertos_init(&p, NULL, NULL);
    uint32_t t0 = now(&p);
    for (unsigned i = 1; i <= 3u * configTICK_RATE_HZ; i++) {
        ticks++;
        uint32_t t = now(&p) - t0;
        if (!CHECK_EQ_INT(t, ms_of(i))) /* the remainder is carried, never lost */
            break;
    }
    CHECK_EQ_INT(now(&p) - t0, 3000);
}

TEST(differences_hold_across_the_tick_wrap)
{
    mqtls_freertos_platform_t p;
    ticks = (TickType_t)(0xFFFFFFFFu - 5u * configTICK_RATE_HZ);
    mqtls_platform_freertos_init(&p, NULL, NULL);
    uint32_t before = now(&p);
    ticks = (TickType_t)(ticks + 10u * configTICK_RATE_HZ); /* wraps past zero */
    CHECK_EQ_INT((uint32_t)(now(&p) - before), 10000);
    ticks = (TickType_t)(ticks + configTICK_RATE_HZ / 2u);
    CHECK_EQ_INT((uint32_t)(now(&p) - before), 10000 + ms_of(configTICK_RATE_HZ / 2u));
}

static int hook_calls;

static int good_rng(void *ctx, uint32_t *out)
{
    hook_calls++;
    *out = *(uint32_t *)ctx;
    return 0;
}

static int broken_rng(void *ctx, uint32_t *out)
{
    (void)ctx;
    (void)out;
    hook_calls++;
    return -1;
}

TEST(random_comes_from_the_hook)
{
    mqtls_freertos_platform_t p;
    uint32_t value = 0xC0FFEE42u;
    hook_calls = 0;
    mqtls_platform_freertos_init(&p, good_rng, &value);
    CHECK_EQ_INT(p.platform.random(p.platform.ctx), 0xC0FFEE42u);
    CHECK_EQ_INT(hook_calls, 1);
}

TEST(random_falls_back_when_the_hook_fails)
{
    mqtls_freertos_platform_t p;
    uint32_t seen[64];
    hook_calls = 0;
    ticks = 777;
    mqtls_platform_freertos_init(&p, broken_rng, NULL);
    for (int i = 0; i < 64; i++) {
        seen[i] = p.platform.random(p.platform.ctx);
        CHECK(seen[i] != 0);
        for (int k = 0; k < i; k++)
            CHECK(seen[k] != seen[i]);
    }
    CHECK_EQ_INT(hook_calls, 64);
    mqtls_platform_freertos_init(&p, NULL, NULL); /* no hook at all */
    CHECK(p.platform.random(p.platform.ctx) != p.platform.random(p.platform.ctx));
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    test_note("configTICK_RATE_HZ %u, portTICK_PERIOD_MS %u", (unsigned)configTICK_RATE_HZ,
              (unsigned)portTICK_PERIOD_MS);
    RUN(one_second_of_ticks_is_1000_ms);
    RUN(single_ticks_do_not_drift);
    RUN(differences_hold_across_the_tick_wrap);
    RUN(random_comes_from_the_hook);
    RUN(random_falls_back_when_the_hook_fails);
    return test_main_end();
}
