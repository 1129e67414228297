/**
 * @file config.h
 * @brief Compile-time configuration: every knob has a default here.
 *
 * To override, put `#define`s in a header of your own and build with
 * `-DMQTLS_CONFIG_FILE='"my_mqtls_config.h"'`; it is included before the defaults, so any
 * macro it defines wins. config_check.h then rejects impossible combinations.
 */
#ifndef MQTLS_CONFIG_H
#define MQTLS_CONFIG_H

#ifdef MQTLS_CONFIG_FILE
#include MQTLS_CONFIG_FILE
#endif

/** 1: MQTT 5.0 support (properties, reason codes, AUTH, topic aliases). 0: 3.1.1 only. */
#ifndef MQTLS_CFG_MQTT5
#define MQTLS_CFG_MQTT5 1
#endif

/**
 * 1: MQTT 3.1 (protocol name "MQIsdp", level 3: MQTLS_V31) can be chosen per connection, for
 * old brokers and the tool's `-V mqttv31`. It adds a few bytes to the codec and the session,
 * so it is a host feature: the default is 0 on ARM and freestanding targets (the device
 * images of scripts/size.sh), 1 elsewhere.
 */
#ifndef MQTLS_CFG_MQTT31
#if defined(__arm__) || (defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0)
#define MQTLS_CFG_MQTT31 0
#else
#define MQTLS_CFG_MQTT31 1
#endif
#endif

/** 1: QoS 2 (PUBREC/PUBREL/PUBCOMP both ways). 0: QoS 0 and 1 only. */
#ifndef MQTLS_CFG_QOS2
#define MQTLS_CFG_QOS2 1
#endif

/** 1: the blocking convenience layer (mqtls_sync_*). */
#ifndef MQTLS_CFG_SYNC
#define MQTLS_CFG_SYNC 1
#endif

/**
 * 1: the packet trace hook (mqtls_client_cfg_t.trace): the client hands every packet it
 * sends or receives to an optional callback, for debugging and tools (`mqtls -d`). A host
 * feature: the default is 0 on ARM and freestanding targets (the device images of
 * scripts/size.sh), so that the hook costs them no code, 1 elsewhere.
 */
#ifndef MQTLS_CFG_TRACE
#if defined(__arm__) || (defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0)
#define MQTLS_CFG_TRACE 0
#else
#define MQTLS_CFG_TRACE 1
#endif
#endif

/** Default time to wait for the transport connect and the CONNACK, in ms. */
#ifndef MQTLS_CFG_CONNECT_TIMEOUT_MS
#define MQTLS_CFG_CONNECT_TIMEOUT_MS 10000u
#endif

/** Default time to wait for a PINGRESP before the connection is declared dead, in ms. */
#ifndef MQTLS_CFG_PING_TIMEOUT_MS
#define MQTLS_CFG_PING_TIMEOUT_MS 5000u
#endif

/**
 * How long a write may make no progress before the connection is declared dead, in ms. It
 * counts from the last byte the transport took, not from the packet's start: a large
 * message over a slow link takes as long as it needs while bytes keep leaving.
 */
#ifndef MQTLS_CFG_SEND_TIMEOUT_MS
#define MQTLS_CFG_SEND_TIMEOUT_MS 10000u
#endif

/**
 * After its DISCONNECT, how long mqtls_disconnect() reads away what the broker still sends,
 * until the broker closes, in ms (0: not at all). A socket closed with input unread, or
 * receiving input after it closed, resets the connection, and a reset makes the broker's
 * side discard what it has not read yet: our last acknowledgements and the DISCONNECT
 * itself (the broker then resends the message and publishes the will). Only transports
 * with a @c wait operation linger; the broker closes on DISCONNECT, so the wait is usually
 * one round trip.
 */
#ifndef MQTLS_CFG_DISCONNECT_LINGER_MS
#define MQTLS_CFG_DISCONNECT_LINGER_MS 500u
#endif

/** A write waiting for the network looks at mqtls_interrupt() at least this often, in ms. */
#ifndef MQTLS_CFG_SEND_WAIT_SLICE_MS
#define MQTLS_CFG_SEND_WAIT_SLICE_MS 200u
#endif

/** Largest number of filters in one SUBSCRIBE/UNSUBSCRIBE result reported by the client. */
#ifndef MQTLS_CFG_MAX_SUBACK_CODES
#define MQTLS_CFG_MAX_SUBACK_CODES 32u
#endif

/**
 * 1: the codec also handles the packets only a broker receives or sends (decoding CONNECT,
 * SUBSCRIBE, UNSUBSCRIBE, PINGREQ; encoding CONNACK, SUBACK, UNSUBACK, PINGRESP), for test
 * brokers, fuzzers and tools. A device client needs none of it: 0 drops it from the image.
 */
#ifndef MQTLS_CFG_SERVER_CODEC
#define MQTLS_CFG_SERVER_CODEC 1
#endif

/**
 * 1: mqtls_strerror() and mqtls_reason_text() return sentences. 0: they return one short
 * fixed text, and some 3 KB of strings leave the image (print the numbers instead).
 */
#ifndef MQTLS_CFG_TEXT
#define MQTLS_CFG_TEXT 1
#endif

/**
 * 1: the AWS IoT device helpers (aws.h, src/aws/): the Shadow, Jobs and Fleet Provisioning
 * topics, and a JSON reader and writer for their documents. 0: none of it is compiled.
 */
#ifndef MQTLS_CFG_AWS
#define MQTLS_CFG_AWS 1
#endif

#include "mqtls/config_check.h"

#endif
