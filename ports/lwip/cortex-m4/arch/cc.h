/**
 * @file cc.h
 * @brief lwIP's compiler and platform definitions for arm-none-eabi-gcc with newlib on a
 *        Cortex-M4 (little endian).
 *
 * The board's lwIP port provides lwip_port_rand() (a hardware random number: DNS query ids
 * and port numbers) and lwip_port_assert() (what a failed lwIP assertion does).
 */
#ifndef MQTLS_PORT_LWIP_ARCH_CC_H
#define MQTLS_PORT_LWIP_ARCH_CC_H

#include <stdint.h>
#include <sys/time.h> /* struct timeval comes from newlib */

#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_STDINCLUDE 1 /* errno and its values from newlib's <errno.h> */

typedef uint32_t sys_prot_t;

uint32_t lwip_port_rand(void);
void lwip_port_assert(const char *msg, const char *file, int line);

#define LWIP_RAND() ((u32_t)lwip_port_rand())
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert((x), __FILE__, __LINE__)

#endif
