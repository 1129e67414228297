/**
 * @file board.h
 * @brief What the sensor node needs from the board support code (not from an SDK).
 *
 * A board implements these three next to its SimpleLink bring-up (sl_Start, the Wi-Fi
 * connection and the SimpleLink event handlers the SDK requires) and its sensor driver.
 */
#ifndef SENSOR_NODE_BOARD_H
#define SENSOR_NODE_BOARD_H

#include <stdbool.h>
#include <stdint.h>

/**
 * True once the network processor is started, the Wi-Fi link is up with an IPv4 address,
 * and the processor's clock is set (sl_DeviceSet SL_DEVICE_GENERAL_DATE_TIME, e.g. from
 * SNTP): certificate dates cannot be checked before that (-461).
 */
bool board_network_ready(void);

/** Reads the sensor: the temperature in hundredths of a degree Celsius. False on failure. */
bool board_read_temperature(int32_t *centi_celsius);

/** Writes one line of text to the board's log (a UART). */
void board_log(const char *line);

#endif
