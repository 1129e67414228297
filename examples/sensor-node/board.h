/**
 * @file board.h
 * @brief What the sensor node needs from the board support code (not from an SDK).
 *
 * A board implements these four (five on a CC3200 and over lwIP) next to its network
 * bring-up (SimpleLink: sl_Start, the Wi-Fi connection and the event handlers the SDK
 * requires; lwIP: tcpip_init and the network interface) and its sensor driver.
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
 * lwIP variant: the network interface is up with an address, and the wall clock behind
 * time() is set (Mbed TLS checks the certificate dates with it).
 */
bool board_network_ready(void);

/** Reads the sensor: the temperature in hundredths of a degree Celsius. False on failure. */
bool board_read_temperature(int32_t *centi_celsius);

#if defined(MQTLS_SL_SDK_CC3200) || defined(SENSOR_NODE_LWIP)
/**
 * 32 random bits; false on failure. The CC3220 variant takes them from its network
 * processor (sl_NetUtilGet, SL_NETUTIL_TRUE_RANDOM), which the CC3200 SDK 1.x lacks.
 * - CC3200: for the client's jitter and packet ids, e.g. from the board's ADC noise or a
 *   seeded generator.
 * - lwIP (net_lwip.c): also Mbed TLS's entropy, the TLS keys: the microcontroller's true
 *   random number generator, nothing less.
 */
bool board_random(uint32_t *out);
#endif

/** Turns the board's LED on or off (the shadow's "led" setting). */
void board_set_led(bool on);

/** Writes one line of text to the board's log (a UART). */
void board_log(const char *line);

#endif
