/**
 * @file board.h
 * @brief What the device bill's firmware (device_client.c) takes from its board: the
 *        credentials in flash, a reading, the tick, the TRNG, the network stack's TCP
 *        (board_tcp_transport over board_tcp_socket, which the TLS transport runs over).
 *        board.c stands in for it.
 */
#ifndef MQTLS_SIZE_BOARD_H
#define MQTLS_SIZE_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "mqtls/transport.h"

#define BOARD_BROKER "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com"

extern const uint8_t board_ca[], board_cert[], board_key[];
extern const size_t board_ca_len, board_cert_len, board_key_len;

void board_init(void);
size_t board_reading(uint8_t *out, size_t size);
void board_command(const uint8_t *cmd, size_t len);
void board_sleep_ms(uint32_t ms);
int board_random(unsigned char *out, size_t len, size_t *olen);
extern const mqtls_transport_t board_tcp_transport;
extern int board_tcp_socket;

#endif
