/**
 * @file net.h
 * @brief The sensor node's network, one of two (the task, app.c, is the same over both):
 *        - net_simplelink.c: a CC3220 or CC3200, whose network processor does TCP and TLS
 *          (credentials stored on its file system);
 *        - net_lwip.c: any Cortex-M without such a processor: TCP on lwIP's sockets, TLS in
 *          mqtls's TLS transport on Mbed TLS 3.6 (config/mbedtls_device.h), credentials
 *          from flash.
 */
#ifndef SENSOR_NODE_NET_H
#define SENSOR_NODE_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "line.h"
#include "mqtls/client.h"

/** Puts the network's transport into @p cfg (transport, transport_ctx). Once, at start. */
void sensor_net_init(mqtls_client_cfg_t *cfg);

/** The hardware's random numbers for the platform (mqtls_platform_freertos_init). */
int sensor_net_random(void *ctx, uint32_t *out);

/**
 * Before a connect: what must be in place once (the credentials stored on the network
 * processor; the TLS context made from them). False if it failed: the reason is logged,
 * and the task tries again after its backoff.
 */
bool sensor_net_prepare(void);

/**
 * Ends and logs @p l, a failure the task described ("connect failed: <status>"), with what
 * the network knows of it (the network processor's code, the TLS evidence) and the fix.
 */
void sensor_net_log_failure(line_t *l);

/** Waits until the connection has data or @p ms pass; false without a connection (the
 * task then sleeps). */
bool sensor_net_wait(uint32_t ms);

#endif
