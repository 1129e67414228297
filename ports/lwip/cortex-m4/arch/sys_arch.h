/**
 * @file sys_arch.h
 * @brief The types of lwIP's OS layer (semaphores, mutexes, mailboxes, threads) on
 *        FreeRTOS, as handles.
 *
 * Only the types: lwIP's headers need them to compile. The functions (sys_sem_new,
 * sys_mbox_post, ...) are the board's lwIP port for FreeRTOS; mqtls calls none of them.
 */
#ifndef MQTLS_PORT_LWIP_ARCH_SYS_ARCH_H
#define MQTLS_PORT_LWIP_ARCH_SYS_ARCH_H

#include <stddef.h>

typedef struct sys_sem_h {
    void *handle; /* SemaphoreHandle_t */
} sys_sem_t;

typedef struct sys_mutex_h {
    void *handle; /* SemaphoreHandle_t (a mutex) */
} sys_mutex_t;

typedef struct sys_mbox_h {
    void *handle; /* QueueHandle_t */
} sys_mbox_t;

typedef struct sys_thread_h {
    void *handle; /* TaskHandle_t */
} sys_thread_t;

#define sys_sem_valid(s) ((s) != NULL && (s)->handle != NULL)
#define sys_sem_set_invalid(s) \
    do {                       \
        if ((s) != NULL)       \
            (s)->handle = NULL; \
    } while (0)
#define sys_mutex_valid(m) ((m) != NULL && (m)->handle != NULL)
#define sys_mutex_set_invalid(m) \
    do {                         \
        if ((m) != NULL)         \
            (m)->handle = NULL;  \
    } while (0)
#define sys_mbox_valid(b) ((b) != NULL && (b)->handle != NULL)
#define sys_mbox_set_invalid(b) \
    do {                        \
        if ((b) != NULL)        \
            (b)->handle = NULL; \
    } while (0)

#endif
