/**
 * @file board.c
 * @brief A stand-in for the board under the device bill's firmware: registers of a
 *        Cortex-M4 (SysTick-fed tick, a TRNG data register) and a network stack's TCP as a
 *        transport the TLS transport runs over (mqtls_tls_set_lower()). Not part of the bill: a real board brings its
 *        own (lwIP, a Wi-Fi module's sockets), and scripts/size_device.sh counts this file
 *        apart. The credentials are placeholders of a realistic size (a provisioned device
 *        holds its root, certificate and key in flash).
 */
#include <string.h>

#include "board.h"
#include "mqtls/transport_tls.h"

#define TRNG_DR (*(volatile uint32_t *)0x50060808u) /* an STM32F4's RNG data register */
#define NET_REG (*(volatile uint32_t *)0x40000000u) /* the "network stack" */

/* PEM of the sizes AWS IoT hands out: Amazon Root CA 1 (1,188 B), a device certificate
 * (1,220 B), a P-256 key (227 B). */
#define PEM(name, size) const uint8_t name[size] = "-----BEGIN CERTIFICATE-----\n"; \
    const size_t name##_len = size
PEM(board_ca, 1188);
PEM(board_cert, 1220);
PEM(board_key, 227);

static volatile uint32_t ticks; /* SysTick's interrupt adds to it */

void board_init(void)
{
    ticks = 0;
}

uint32_t mqtls_tls_board_ms(void)
{
    return ticks;
}

void board_sleep_ms(uint32_t ms)
{
    uint32_t until = ticks + ms;
    while ((int32_t)(ticks - until) < 0) {
    }
}

size_t board_reading(uint8_t *out, size_t size)
{
    uint32_t v = ticks;
    size_t n = 0;
    do
        out[n++] = (uint8_t)('0' + v % 10u);
    while ((v /= 10u) && n < size);
    return n;
}

void board_command(const uint8_t *cmd, size_t len)
{
    for (size_t i = 0; i < len; i++)
        NET_REG = cmd[i];
}

int board_random(unsigned char *out, size_t len, size_t *olen)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)TRNG_DR;
    *olen = len;
    return 0;
}

/* Mbed TLS's millisecond clock (MBEDTLS_PLATFORM_MS_TIME_ALT on a firmware). */
#include <mbedtls/platform_time.h>
mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return (mbedtls_ms_time_t)ticks;
}

/* Mbed TLS's entropy (MBEDTLS_ENTROPY_HARDWARE_ALT in config/mbedtls_device.h). */
int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen);
int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
    (void)data;
    return board_random(out, len, olen);
}

/* ---- the network stack's TCP, the transport under TLS ------------------------------ */

static mqtls_status_t net_connect(void *ctx, const char *host, uint16_t port)
{
    int *fd = ctx;
    NET_REG = (uint32_t)(uintptr_t)host ^ port;
    *fd = (int)NET_REG;
    return *fd >= 0 ? MQTLS_OK : MQTLS_ERR_CONNECT_REFUSED;
}

static int32_t net_send(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    (void)ctx;
    int32_t n = 0;
    for (size_t i = 0; i < iovcnt; i++)
        for (size_t k = 0; k < iov[i].len; k++, n++)
            NET_REG = ((const uint8_t *)iov[i].base)[k];
    return n;
}

static int32_t net_recv(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)NET_REG;
    return (int32_t)len;
}

static mqtls_status_t net_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    (void)ctx;
    (void)for_write;
    board_sleep_ms(timeout_ms);
    return MQTLS_OK;
}

static void net_close(void *ctx)
{
    *(int *)ctx = -1;
}

const mqtls_transport_t board_tcp_transport = {net_connect, net_send, net_recv, net_wait,
                                               net_close};
int board_tcp_socket = -1;
