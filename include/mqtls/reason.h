/**
 * @file reason.h
 * @brief MQTT 5.0 reason codes and 3.1.1 CONNACK return codes, with their meaning in words.
 */
#ifndef MQTLS_REASON_H
#define MQTLS_REASON_H

#include <stdint.h>

#include "mqtls/codec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name MQTT 5.0 reason codes */
/**@{*/
#define MQTLS_RC_SUCCESS 0x00 /**< also Normal disconnection, Granted QoS 0 */
#define MQTLS_RC_GRANTED_QOS_1 0x01
#define MQTLS_RC_GRANTED_QOS_2 0x02
#define MQTLS_RC_DISCONNECT_WITH_WILL 0x04
#define MQTLS_RC_NO_MATCHING_SUBSCRIBERS 0x10
#define MQTLS_RC_NO_SUBSCRIPTION_EXISTED 0x11
#define MQTLS_RC_CONTINUE_AUTHENTICATION 0x18
#define MQTLS_RC_REAUTHENTICATE 0x19
#define MQTLS_RC_UNSPECIFIED_ERROR 0x80
#define MQTLS_RC_MALFORMED_PACKET 0x81
#define MQTLS_RC_PROTOCOL_ERROR 0x82
#define MQTLS_RC_IMPLEMENTATION_SPECIFIC 0x83
#define MQTLS_RC_UNSUPPORTED_PROTOCOL_VERSION 0x84
#define MQTLS_RC_CLIENT_ID_NOT_VALID 0x85
#define MQTLS_RC_BAD_USERNAME_OR_PASSWORD 0x86
#define MQTLS_RC_NOT_AUTHORIZED 0x87
#define MQTLS_RC_SERVER_UNAVAILABLE 0x88
#define MQTLS_RC_SERVER_BUSY 0x89
#define MQTLS_RC_BANNED 0x8A
#define MQTLS_RC_SERVER_SHUTTING_DOWN 0x8B
#define MQTLS_RC_BAD_AUTH_METHOD 0x8C
#define MQTLS_RC_KEEP_ALIVE_TIMEOUT 0x8D
#define MQTLS_RC_SESSION_TAKEN_OVER 0x8E
#define MQTLS_RC_TOPIC_FILTER_INVALID 0x8F
#define MQTLS_RC_TOPIC_NAME_INVALID 0x90
#define MQTLS_RC_PACKET_ID_IN_USE 0x91
#define MQTLS_RC_PACKET_ID_NOT_FOUND 0x92
#define MQTLS_RC_RECEIVE_MAXIMUM_EXCEEDED 0x93
#define MQTLS_RC_TOPIC_ALIAS_INVALID 0x94
#define MQTLS_RC_PACKET_TOO_LARGE 0x95
#define MQTLS_RC_MESSAGE_RATE_TOO_HIGH 0x96
#define MQTLS_RC_QUOTA_EXCEEDED 0x97
#define MQTLS_RC_ADMINISTRATIVE_ACTION 0x98
#define MQTLS_RC_PAYLOAD_FORMAT_INVALID 0x99
#define MQTLS_RC_RETAIN_NOT_SUPPORTED 0x9A
#define MQTLS_RC_QOS_NOT_SUPPORTED 0x9B
#define MQTLS_RC_USE_ANOTHER_SERVER 0x9C
#define MQTLS_RC_SERVER_MOVED 0x9D
#define MQTLS_RC_SHARED_SUBS_NOT_SUPPORTED 0x9E
#define MQTLS_RC_CONNECTION_RATE_EXCEEDED 0x9F
#define MQTLS_RC_MAXIMUM_CONNECT_TIME 0xA0
#define MQTLS_RC_SUB_IDS_NOT_SUPPORTED 0xA1
#define MQTLS_RC_WILDCARD_SUBS_NOT_SUPPORTED 0xA2
/**@}*/

/** @name MQTT 3.1.1 CONNACK return codes */
/**@{*/
#define MQTLS_RC311_ACCEPTED 0
#define MQTLS_RC311_BAD_PROTOCOL_VERSION 1
#define MQTLS_RC311_IDENTIFIER_REJECTED 2
#define MQTLS_RC311_SERVER_UNAVAILABLE 3
#define MQTLS_RC311_BAD_USERNAME_OR_PASSWORD 4
#define MQTLS_RC311_NOT_AUTHORIZED 5
/** 3.1.1 SUBACK failure code. */
#define MQTLS_RC311_SUBACK_FAILURE 0x80
/**@}*/

/**
 * The name of a reason code as the specification gives it ("Not authorized"), or
 * "Unknown reason code". For 3.1.1, @p type selects CONNACK return codes and SUBACK codes;
 * other 3.1.1 packets carry no reason codes.
 */
MQTLS_API const char *mqtls_reason_text(mqtls_version_t v, mqtls_packet_type_t type, uint8_t code);

/** Is @p code a reason code the specification allows in a packet of @p type?
 *  @return 1 if it is, 0 if not. A 3.1.1 packet without reason codes allows only 0. */
MQTLS_API int mqtls_reason_valid(mqtls_version_t v, mqtls_packet_type_t type, uint8_t code);

#ifdef __cplusplus
}
#endif
#endif
