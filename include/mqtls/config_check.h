/**
 * @file config_check.h
 * @brief Rejects configurations that cannot work. Included by config.h.
 */
#ifndef MQTLS_CONFIG_CHECK_H
#define MQTLS_CONFIG_CHECK_H

#if MQTLS_CFG_MQTT5 != 0 && MQTLS_CFG_MQTT5 != 1
#error "MQTLS_CFG_MQTT5 must be 0 or 1"
#endif
#if MQTLS_CFG_MQTT31 != 0 && MQTLS_CFG_MQTT31 != 1
#error "MQTLS_CFG_MQTT31 must be 0 or 1"
#endif
#if MQTLS_CFG_QOS2 != 0 && MQTLS_CFG_QOS2 != 1
#error "MQTLS_CFG_QOS2 must be 0 or 1"
#endif
#if MQTLS_CFG_SYNC != 0 && MQTLS_CFG_SYNC != 1
#error "MQTLS_CFG_SYNC must be 0 or 1"
#endif
#if MQTLS_CFG_TRACE != 0 && MQTLS_CFG_TRACE != 1
#error "MQTLS_CFG_TRACE must be 0 or 1"
#endif
#if MQTLS_CFG_SERVER_CODEC != 0 && MQTLS_CFG_SERVER_CODEC != 1
#error "MQTLS_CFG_SERVER_CODEC must be 0 or 1"
#endif
#if MQTLS_CFG_TEXT != 0 && MQTLS_CFG_TEXT != 1
#error "MQTLS_CFG_TEXT must be 0 or 1"
#endif
#if MQTLS_CFG_AWS != 0 && MQTLS_CFG_AWS != 1
#error "MQTLS_CFG_AWS must be 0 or 1"
#endif
#if MQTLS_CFG_MAX_SUBACK_CODES < 1 || MQTLS_CFG_MAX_SUBACK_CODES > 255
#error "MQTLS_CFG_MAX_SUBACK_CODES must be 1..255"
#endif
#if MQTLS_CFG_PING_TIMEOUT_MS == 0
#error "MQTLS_CFG_PING_TIMEOUT_MS must be > 0: a dead connection would never be noticed"
#endif

#endif
