/**
 * @file net_lwip.c
 * @brief The sensor node's network on a microcontroller without a TLS network processor
 *        (net.h): TCP on lwIP's sockets (ports/lwip), TLS in mqtls's TLS transport on
 *        Mbed TLS 3.6 in the project's device configuration (config/mbedtls_device.h), the
 *        credentials from flash (credentials.c).
 *
 * What the board brings besides board.h: lwIP with its sockets API (LWIP_SOCKET, NO_SYS=0)
 * and the network interface up; FreeRTOS; the C library's heap (newlib's malloc over the
 * board's _sbrk), where Mbed TLS takes its handshake memory (under 24 KiB: docs/size.md);
 * and the wall clock behind time() (newlib's _gettimeofday, set from SNTP), without which
 * certificate dates cannot be checked.
 */
#include <string.h>

#include "board.h"
#include "credentials.h"
#include "mqtls/platform_freertos.h"
#include "mqtls/transport_lwip.h"
#include "mqtls/transport_tls.h"
#include "net.h"

#if !defined(__unix__)
#include <mbedtls/platform_time.h>
#endif

static mqtls_lwip_t tcp;
static mqtls_tls_t tls;
static mqtls_tls_ctx_t *tls_ctx;      /* made once from the credentials, kept */
static mqtls_freertos_platform_t clock_; /* the TLS transport's and Mbed TLS's milliseconds */

void sensor_net_init(mqtls_client_cfg_t *cfg)
{
    mqtls_platform_freertos_init(&clock_, NULL, NULL);
    mqtls_lwip_init(&tcp);
    mqtls_tls_init(&tls);
    cfg->transport = &mqtls_tls_transport;
    cfg->transport_ctx = &tls;
}

int sensor_net_random(void *ctx, uint32_t *out)
{
    (void)ctx;
    return board_random(out) ? 0 : -1;
}

/* The TLS evidence of the last attempt, in words, with what to look up on a computer. */
static void put_evidence(line_t *l, const mqtls_tls_evidence_t *ev)
{
    if (ev->detail[0]) {
        line_put(l, " [TLS: ");
        line_put(l, ev->detail);
        line_put(l, "]");
    }
    if (ev->raw_error < 0) { /* Mbed TLS's code; at the TCP stage, a positive errno */
        line_put(l, " [Mbed TLS ");
        line_put_hex(l, ev->raw_error);
        line_put(l, ": mqtls explain --stack mbedtls ");
        line_put_hex(l, ev->raw_error);
        line_put(l, "]");
    }
    if (ev->alert_received >= 0) {
        line_put(l, " [the broker's alert ");
        line_put_int(l, ev->alert_received);
        line_put(l, ": mqtls explain --stack openssl ");
        line_put_int(l, ev->alert_received);
        line_put(l, "]");
    }
}

bool sensor_net_prepare(void)
{
    if (tls_ctx)
        return true;
    mqtls_tls_cfg_t cfg;
    mqtls_tls_evidence_t ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_mem = sensor_ca;
    cfg.ca_mem_len = sensor_ca_len;
    cfg.cert_mem = sensor_cert;
    cfg.cert_mem_len = sensor_cert_len;
    cfg.key_mem = sensor_private;
    cfg.key_mem_len = sensor_private_len;
    cfg.min_version = MQTLS_TLS_V1_2;
    cfg.max_version = MQTLS_TLS_V1_3;
    mqtls_status_t st = mqtls_tls_ctx_new(&tls_ctx, &cfg, &ev);
    if (st == MQTLS_OK)
        st = mqtls_tls_setup_ctx(&tls, tls_ctx);
    if (st != MQTLS_OK) {
        line_t l = {{0}, 0};
        line_put(&l, "the TLS credentials: ");
        line_put(&l, mqtls_strerror(st));
        put_evidence(&l, &ev);
        board_log(l.buf);
        mqtls_tls_ctx_free(tls_ctx);
        tls_ctx = NULL;
        return false;
    }
    mqtls_tls_set_lower(&tls, &mqtls_lwip_transport, &tcp);
    return true;
}

void sensor_net_log_failure(line_t *l)
{
    put_evidence(l, mqtls_tls_evidence(&tls));
    board_log(l->buf);
}

bool sensor_net_wait(uint32_t ms)
{
    if (mqtls_lwip_fd(&tcp) < 0)
        return false;
    (void)mqtls_tls_transport.wait(&tls, 0, ms);
    return true;
}

/* ---- what the TLS transport and Mbed TLS take from the firmware --------------------- */
/* (On a POSIX host, where tests/ports/test_sensor_node_lwip.c runs this firmware, the TLS
 * transport and Mbed TLS's device configuration take them from the OS instead.) */

/* The TLS transport's clock (handshake timeouts), off POSIX. */
uint32_t mqtls_tls_board_ms(void)
{
    return clock_.platform.now_ms(clock_.platform.ctx);
}

#if !defined(__unix__)
/* Mbed TLS's milliseconds (MBEDTLS_PLATFORM_MS_TIME_ALT: TLS 1.3 ticket ages). */
mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return (mbedtls_ms_time_t)mqtls_tls_board_ms();
}

/* Mbed TLS's entropy (MBEDTLS_ENTROPY_HARDWARE_ALT): the board's true random numbers. */
int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen);
int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
    (void)data;
    *olen = 0;
    while (*olen < len) {
        uint32_t r;
        if (!board_random(&r))
            return -1;
        size_t n = len - *olen < sizeof r ? len - *olen : sizeof r;
        memcpy(out + *olen, &r, n);
        *olen += n;
    }
    return 0;
}
#endif
