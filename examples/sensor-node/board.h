/**
 * @file board.h
 * @brief What the sensor node needs from the board support code (not from an SDK).
 *
 * A board implements these four (five on a CC3200) next to its SimpleLink bring-up
 * (sl_Start, the Wi-Fi connection and the SimpleLink event handlers the SDK requires) and
 * its sensor driver.
 */
#ifndef SENSOR_NODE_BOARD_H
#define SENSOR_NODE_BOARD_H

#include <stdbool.h>
#include <stdint.h>

/**
 * True once the network processor is started, the Wi-Fi link is up with an IPv4 address,
 * and the processor's clock is set (e.g. from SNTP; CC32xx SDK: sl_DeviceSet(
 * SL_DEVICE_GENERAL, SL_DEVICE_GENERAL_DATE_TIME, ...), CC3200 SDK 1.x: sl_DevSet(
 * SL_DEVICE_GENERAL_CONFIGURATION, SL_DEVICE_GENERAL_CONFIGURATION_DATE_TIME, ...)):
 * certificate dates cannot be checked before that (-461).
 */
bool board_network_ready(void);

/** Reads the sensor: the temperature in hundredths of a degree Celsius. False on failure. */
bool board_read_temperature(int32_t *centi_celsius);

#ifdef MQTLS_SL_SDK_CC3200
/**
 * CC3200 only: 32 random bits for the client's jitter and packet ids, e.g. from the
 * board's ADC noise or a seeded generator. The CC3200 SDK 1.x has no sl_NetUtilGet
 * (SL_NETUTIL_TRUE_RANDOM), which the CC3220 variant uses. False on failure.
 */
bool board_random(uint32_t *out);
#endif

/** Turns the board's LED on or off (the shadow's "led" setting). */
void board_set_led(bool on);

/** Writes one line of text to the board's log (a UART). */
void board_log(const char *line);

#endif
