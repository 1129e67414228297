/**
 * @file freertos_api.h
 * @brief The FreeRTOS API that mqtls's FreeRTOS port and the example firmware use.
 *
 * With `MQTLS_HAVE_FREERTOS` defined, the real headers are used ("FreeRTOS.h" and
 * "task.h", with your FreeRTOSConfig.h). Without it, the prototypes below are declared
 * exactly as FreeRTOS's task.h and portmacro.h document them, for a port with 32-bit ticks
 * (configUSE_16_BIT_TICKS 0), so the code compiles where FreeRTOS is not installed (the
 * cross build's compile check). The functions are FreeRTOS's: nothing here defines them.
 */
#ifndef MQTLS_FREERTOS_API_H
#define MQTLS_FREERTOS_API_H

#ifdef MQTLS_HAVE_FREERTOS

#include "FreeRTOS.h"
#include "task.h"

#else

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t TickType_t;

/** FreeRTOSConfig.h's tick rate; define it to yours (the default of most ports is 1000). */
#ifndef configTICK_RATE_HZ
#define configTICK_RATE_HZ ((TickType_t)1000)
#endif

/** portmacro.h: milliseconds per tick. */
#define portTICK_PERIOD_MS ((TickType_t)1000 / configTICK_RATE_HZ)

/** task.h: ticks since the scheduler started. */
TickType_t xTaskGetTickCount(void);

/** task.h: blocks the calling task for @p xTicksToDelay ticks. */
void vTaskDelay(const TickType_t xTicksToDelay);

#ifdef __cplusplus
}
#endif

#endif /* MQTLS_HAVE_FREERTOS */
#endif
