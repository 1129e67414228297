/**
 * @file reason.c
 * @brief Reason codes: which packets may carry each, and their names in the specifications.
 */
#include "mqtls/reason.h"

#include "codec_internal.h"

#if MQTLS_CFG_MQTT5
/* Packet kinds a 5.0 reason code may appear in. */
#define K_CONNACK 0x01u
#define K_PUBACK 0x02u /* PUBACK, PUBREC */
#define K_PUBREL 0x04u /* PUBREL, PUBCOMP */
#define K_SUBACK 0x08u
#define K_UNSUBACK 0x10u
#define K_DISCONNECT 0x20u
#define K_AUTH 0x40u

/* The codes below 0x80, sorted; 0x80..0xA2 are all codes. Indexes: these 8, then
 * 0x80.. from 8 on (the names below follow the same order). */
static const uint8_t rc5_low[] = {0x00, 0x01, 0x02, 0x04, 0x10, 0x11, 0x18, 0x19};
#define NLOW (sizeof rc5_low)
#define RC5_HIGH_LAST 0xA2u

/* The packets each code may appear in, by index. */
static const uint8_t rc5_kinds[] = {
    0x7F, /* 0x00 */
    K_SUBACK, /* 0x01 */
    K_SUBACK, /* 0x02 */
    K_DISCONNECT, /* 0x04 */
    K_PUBACK, /* 0x10 */
    K_UNSUBACK, /* 0x11 */
    K_AUTH, /* 0x18 */
    K_AUTH, /* 0x19 */
    K_CONNACK | K_PUBACK | K_SUBACK | K_UNSUBACK | K_DISCONNECT, /* 0x80 */
    K_CONNACK | K_DISCONNECT, /* 0x81 */
    K_CONNACK | K_DISCONNECT, /* 0x82 */
    K_CONNACK | K_PUBACK | K_SUBACK | K_UNSUBACK | K_DISCONNECT, /* 0x83 */
    K_CONNACK, /* 0x84 */
    K_CONNACK, /* 0x85 */
    K_CONNACK, /* 0x86 */
    K_CONNACK | K_PUBACK | K_SUBACK | K_UNSUBACK | K_DISCONNECT, /* 0x87 */
    K_CONNACK, /* 0x88 */
    K_CONNACK | K_DISCONNECT, /* 0x89 */
    K_CONNACK, /* 0x8A */
    K_DISCONNECT, /* 0x8B */
    K_CONNACK | K_DISCONNECT, /* 0x8C */
    K_DISCONNECT, /* 0x8D */
    K_DISCONNECT, /* 0x8E */
    K_SUBACK | K_UNSUBACK | K_DISCONNECT, /* 0x8F */
    K_CONNACK | K_PUBACK | K_DISCONNECT, /* 0x90 */
    K_PUBACK | K_SUBACK | K_UNSUBACK, /* 0x91 */
    K_PUBREL, /* 0x92 */
    K_DISCONNECT, /* 0x93 */
    K_DISCONNECT, /* 0x94 */
    K_CONNACK | K_DISCONNECT, /* 0x95 */
    K_DISCONNECT, /* 0x96 */
    K_CONNACK | K_PUBACK | K_SUBACK | K_DISCONNECT, /* 0x97 */
    K_DISCONNECT, /* 0x98 */
    K_CONNACK | K_PUBACK | K_DISCONNECT, /* 0x99 */
    K_CONNACK | K_DISCONNECT, /* 0x9A */
    K_CONNACK | K_DISCONNECT, /* 0x9B */
    K_CONNACK | K_DISCONNECT, /* 0x9C */
    K_CONNACK | K_DISCONNECT, /* 0x9D */
    K_SUBACK | K_DISCONNECT, /* 0x9E */
    K_CONNACK | K_DISCONNECT, /* 0x9F */
    K_DISCONNECT, /* 0xA0 */
    K_SUBACK | K_DISCONNECT, /* 0xA1 */
    K_SUBACK | K_DISCONNECT, /* 0xA2 */
};
#define NRC (sizeof rc5_kinds)
_Static_assert(NRC == NLOW + RC5_HIGH_LAST - 0x80u + 1u, "one entry per reason code");

static uint8_t kind_of(mqtls_packet_type_t t)
{
    switch (t) {
    case MQTLS_CONNACK:
        return K_CONNACK;
    case MQTLS_PUBACK:
    case MQTLS_PUBREC:
        return K_PUBACK;
    case MQTLS_PUBREL:
    case MQTLS_PUBCOMP:
        return K_PUBREL;
    case MQTLS_SUBACK:
        return K_SUBACK;
    case MQTLS_UNSUBACK:
        return K_UNSUBACK;
    case MQTLS_DISCONNECT:
        return K_DISCONNECT;
    case MQTLS_AUTH:
        return K_AUTH;
    default:
        return 0;
    }
}

static int rc5_index(uint8_t code)
{
    if (code >= 0x80u)
        return code <= RC5_HIGH_LAST ? (int)(NLOW + code - 0x80u) : -1;
    for (size_t i = 0; i < NLOW; i++)
        if (rc5_low[i] == code)
            return (int)i;
    return -1;
}

int mqtls__rc5_valid(mqtls_packet_type_t type, uint8_t code)
{
    int i = rc5_index(code);
    return i >= 0 && (rc5_kinds[i] & kind_of(type)) != 0;
}

#endif

int mqtls_reason_valid(mqtls_version_t v, mqtls_packet_type_t type, uint8_t code)
{
    if (MQTLS_CFG_MQTT5 && v == MQTLS_V5)
        return mqtls__rc5_valid(type, code);
    if (type == MQTLS_CONNACK)
        return code <= 5;
    if (type == MQTLS_SUBACK)
        return code <= 2 || code == 0x80;
    return code == 0;
}

#if !MQTLS_CFG_MQTT5
int mqtls__rc5_valid(mqtls_packet_type_t type, uint8_t code)
{
    (void)type, (void)code;
    return 0; /* no 5.0 packets in this build */
}
#endif

#if MQTLS_CFG_TEXT
static const char *const rc311_connack[] = {
    "Connection Accepted",
    "Connection Refused, unacceptable protocol version",
    "Connection Refused, identifier rejected",
    "Connection Refused, Server unavailable",
    "Connection Refused, bad user name or password",
    "Connection Refused, not authorized",
};

static const char *const granted[] = {"Granted QoS 0", "Granted QoS 1", "Granted QoS 2"};

#if MQTLS_CFG_MQTT5
static const char *const rc5_names[] = {
    "Success",
    "Granted QoS 1",
    "Granted QoS 2",
    "Disconnect with Will Message",
    "No matching subscribers",
    "No subscription existed",
    "Continue authentication",
    "Re-authenticate",
    "Unspecified error",
    "Malformed Packet",
    "Protocol Error",
    "Implementation specific error",
    "Unsupported Protocol Version",
    "Client Identifier not valid",
    "Bad User Name or Password",
    "Not authorized",
    "Server unavailable",
    "Server busy",
    "Banned",
    "Server shutting down",
    "Bad authentication method",
    "Keep Alive timeout",
    "Session taken over",
    "Topic Filter invalid",
    "Topic Name invalid",
    "Packet Identifier in use",
    "Packet Identifier not found",
    "Receive Maximum exceeded",
    "Topic Alias invalid",
    "Packet too large",
    "Message rate too high",
    "Quota exceeded",
    "Administrative action",
    "Payload format invalid",
    "Retain not supported",
    "QoS not supported",
    "Use another server",
    "Server moved",
    "Shared Subscriptions not supported",
    "Connection rate exceeded",
    "Maximum connect time",
    "Subscription Identifiers not supported",
    "Wildcard Subscriptions not supported",
};
_Static_assert(sizeof rc5_names / sizeof rc5_names[0] == NRC, "one name per reason code");
#endif

const char *mqtls_reason_text(mqtls_version_t v, mqtls_packet_type_t type, uint8_t code)
{
    if (type == MQTLS_SUBACK && code <= 2)
        return granted[code];
    if (v != MQTLS_V5) { /* 3.1.1, and 3.1 whose return codes it kept */
        if (type == MQTLS_CONNACK && code <= 5)
            return rc311_connack[code];
        if (type == MQTLS_SUBACK && code == 0x80)
            return "Failure";
        return "Unknown reason code";
    }
#if MQTLS_CFG_MQTT5
    if (code == 0 && type == MQTLS_DISCONNECT)
        return "Normal disconnection";
    int i = rc5_index(code);
    if (i >= 0)
        return rc5_names[i];
#endif
    return "Unknown reason code";
}
#else
const char *mqtls_reason_text(mqtls_version_t v, mqtls_packet_type_t type, uint8_t code)
{
    (void)v, (void)type;
    return code == 0 ? "Success" : "reason code (texts compiled out)";
}
#endif
