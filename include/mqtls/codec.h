/**
 * @file codec.h
 * @brief Pure MQTT 3.1.1 / 5.0 packet codec: no I/O, no clock, no heap.
 *
 * Encoding is two steps: mqtls_encode_size() tells how many bytes a packet needs, then
 * mqtls_encode() writes it into a caller buffer and never past its end. Decoding works on
 * one whole packet in a caller buffer; every string, binary and property in the result points
 * into that buffer, so the result lives exactly as long as the buffer's bytes do.
 *
 * Strings are length-delimited (not NUL-terminated) everywhere.
 */
#ifndef MQTLS_CODEC_H
#define MQTLS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/config.h"
#include "mqtls/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Protocol version, chosen per connection. The values are the CONNECT protocol levels. */
typedef enum mqtls_version {
    MQTLS_V31 = 3,  /**< MQTT 3.1 ("MQIsdp"): only in builds with MQTLS_CFG_MQTT31 */
    MQTLS_V311 = 4,
    MQTLS_V5 = 5
} mqtls_version_t;

/** Control packet types (the high nibble of the fixed header). */
typedef enum mqtls_packet_type {
    MQTLS_CONNECT = 1,
    MQTLS_CONNACK = 2,
    MQTLS_PUBLISH = 3,
    MQTLS_PUBACK = 4,
    MQTLS_PUBREC = 5,
    MQTLS_PUBREL = 6,
    MQTLS_PUBCOMP = 7,
    MQTLS_SUBSCRIBE = 8,
    MQTLS_SUBACK = 9,
    MQTLS_UNSUBSCRIBE = 10,
    MQTLS_UNSUBACK = 11,
    MQTLS_PINGREQ = 12,
    MQTLS_PINGRESP = 13,
    MQTLS_DISCONNECT = 14,
    MQTLS_AUTH = 15 /**< MQTT 5.0 only */
} mqtls_packet_type_t;

/** Largest value of the variable byte integer (remaining length, subscription id). */
#define MQTLS_VBI_MAX 268435455u

/** A UTF-8 string, not NUL-terminated. */
typedef struct mqtls_str {
    const char *data;
    uint16_t len;
} mqtls_str_t;

/** Binary data (correlation data, passwords, will payloads). */
typedef struct mqtls_bin {
    const uint8_t *data;
    uint16_t len;
} mqtls_bin_t;

/** An MQTT 5 user property: a name/value pair of strings. */
typedef struct mqtls_user_prop {
    mqtls_str_t key;
    mqtls_str_t value;
} mqtls_user_prop_t;

/** @name MQTT 5 property identifiers */
/**@{*/
#define MQTLS_PROP_PAYLOAD_FORMAT 0x01
#define MQTLS_PROP_MESSAGE_EXPIRY 0x02
#define MQTLS_PROP_CONTENT_TYPE 0x03
#define MQTLS_PROP_RESPONSE_TOPIC 0x08
#define MQTLS_PROP_CORRELATION_DATA 0x09
#define MQTLS_PROP_SUBSCRIPTION_ID 0x0B
#define MQTLS_PROP_SESSION_EXPIRY 0x11
#define MQTLS_PROP_ASSIGNED_CLIENT_ID 0x12
#define MQTLS_PROP_SERVER_KEEP_ALIVE 0x13
#define MQTLS_PROP_AUTH_METHOD 0x15
#define MQTLS_PROP_AUTH_DATA 0x16
#define MQTLS_PROP_REQUEST_PROBLEM_INFO 0x17
#define MQTLS_PROP_WILL_DELAY 0x18
#define MQTLS_PROP_REQUEST_RESPONSE_INFO 0x19
#define MQTLS_PROP_RESPONSE_INFO 0x1A
#define MQTLS_PROP_SERVER_REFERENCE 0x1C
#define MQTLS_PROP_REASON_STRING 0x1F
#define MQTLS_PROP_RECEIVE_MAXIMUM 0x21
#define MQTLS_PROP_TOPIC_ALIAS_MAXIMUM 0x22
#define MQTLS_PROP_TOPIC_ALIAS 0x23
#define MQTLS_PROP_MAXIMUM_QOS 0x24
#define MQTLS_PROP_RETAIN_AVAILABLE 0x25
#define MQTLS_PROP_USER_PROPERTY 0x26
#define MQTLS_PROP_MAXIMUM_PACKET_SIZE 0x27
#define MQTLS_PROP_WILDCARD_SUB_AVAILABLE 0x28
#define MQTLS_PROP_SUB_ID_AVAILABLE 0x29
#define MQTLS_PROP_SHARED_SUB_AVAILABLE 0x2A
/**@}*/

/** Bit in mqtls_props_t::present for property identifier @p id (all ids are < 64). */
#define MQTLS_PROPBIT(id) ((uint64_t)1u << (id))

/**
 * The MQTT 5 properties of one packet (or of a will message).
 *
 * Encoding: set the fields you want and their bits in @c present (MQTLS_PROPBIT(id));
 * user properties come from @c user / @c user_count, at most one subscription identifier
 * from @c subscription_id. Decoding fills the same fields and bits; user properties and
 * (in PUBLISH) several subscription identifiers are read with mqtls_props_next_user() and
 * mqtls_props_next_sub_id() from the raw block, which points into the packet.
 * A zero-initialised struct means "no properties".
 */
typedef struct mqtls_props {
    uint64_t present;
    uint32_t message_expiry;
    uint32_t session_expiry;
    uint32_t will_delay;
    uint32_t maximum_packet_size;
    uint32_t subscription_id;
    uint16_t server_keep_alive;
    uint16_t receive_maximum;
    uint16_t topic_alias_maximum;
    uint16_t topic_alias;
    uint8_t payload_format;
    uint8_t request_problem_info;
    uint8_t request_response_info;
    uint8_t maximum_qos;
    uint8_t retain_available;
    uint8_t wildcard_sub_available;
    uint8_t sub_id_available;
    uint8_t shared_sub_available;
    mqtls_str_t content_type;
    mqtls_str_t response_topic;
    mqtls_bin_t correlation_data;
    mqtls_str_t assigned_client_id;
    mqtls_str_t auth_method;
    mqtls_bin_t auth_data;
    mqtls_str_t response_info;
    mqtls_str_t server_reference;
    mqtls_str_t reason_string;
    const mqtls_user_prop_t *user; /**< encode: user properties to send */
    uint16_t user_count;           /**< encode: entries in @c user; decode: how many arrived */
    const uint8_t *raw;            /**< decode: the property block (after its length) */
    uint32_t raw_len;
} mqtls_props_t;

/** Iterator over the user properties of a decoded property block. Start with *pos = 0.
 *  @return true and the next pair, or false at the end. */
MQTLS_API bool mqtls_props_next_user(const mqtls_props_t *props, uint32_t *pos,
                                     mqtls_user_prop_t *out);

/** Iterator over the subscription identifiers of a decoded PUBLISH. Start with *pos = 0.
 *  @return true and the next identifier, or false at the end. */
MQTLS_API bool mqtls_props_next_sub_id(const mqtls_props_t *props, uint32_t *pos, uint32_t *out);

/** CONNECT. Also the set of options the client sends when it connects. */
typedef struct mqtls_connect {
    mqtls_version_t version;
    bool clean_start;      /**< 3.1.1 "clean session" */
    uint16_t keep_alive;   /**< seconds, 0 = off */
    mqtls_str_t client_id; /**< may be empty (the broker assigns one, or 3.1.1 needs clean) */
    bool will;
    uint8_t will_qos;
    bool will_retain;
    mqtls_str_t will_topic;
    mqtls_bin_t will_payload;
    bool has_username;
    mqtls_str_t username;
    bool has_password;
    mqtls_bin_t password;
    mqtls_props_t props;
    mqtls_props_t will_props;
} mqtls_connect_t;

/** CONNACK. @c reason is the 3.1.1 return code (0-5) or the 5.0 reason code. */
typedef struct mqtls_connack {
    bool session_present;
    uint8_t reason;
    mqtls_props_t props;
} mqtls_connack_t;

/** PUBLISH. @c payload is not copied by the encoder's header-only form. */
typedef struct mqtls_publish {
    mqtls_str_t topic; /**< may be empty in 5.0 when a topic alias is set */
    const uint8_t *payload;
    uint32_t payload_len;
    uint8_t qos;
    bool retain;
    bool dup;
    uint16_t packet_id; /**< QoS > 0 only */
    mqtls_props_t props;
} mqtls_publish_t;

/** PUBACK, PUBREC, PUBREL, PUBCOMP (and, for the reason and properties, DISCONNECT/AUTH). */
typedef struct mqtls_ack {
    uint16_t packet_id; /**< unused by DISCONNECT and AUTH */
    uint8_t reason;     /**< 5.0 reason code; 0 in 3.1.1 */
    mqtls_props_t props;
} mqtls_ack_t;

/** @name Subscription option bits (the 5.0 options byte; 3.1.1 uses only the QoS) */
/**@{*/
#define MQTLS_SUB_QOS_MASK 0x03u
#define MQTLS_SUB_NO_LOCAL 0x04u
#define MQTLS_SUB_RETAIN_AS_PUBLISHED 0x08u
#define MQTLS_SUB_RETAIN_HANDLING_SHIFT 4u /**< 0 send, 1 send if new, 2 do not send */
/**@}*/

/** One topic filter with its options, for SUBSCRIBE. */
typedef struct mqtls_subscription {
    mqtls_str_t filter;
    uint8_t options; /**< QoS | MQTLS_SUB_* bits */
} mqtls_subscription_t;

/**
 * SUBSCRIBE (entries are mqtls_subscription_t) and UNSUBSCRIBE (entries are mqtls_str_t).
 * Encoding reads @c subs or @c filters; decoding validates every entry, sets @c count and
 * @c raw (the payload) and leaves the entries to mqtls_sub_next().
 */
typedef struct mqtls_subscribe {
    uint16_t packet_id;
    mqtls_props_t props;
    const mqtls_subscription_t *subs; /**< SUBSCRIBE, encode */
    const mqtls_str_t *filters;       /**< UNSUBSCRIBE, encode */
    uint16_t count;
    const uint8_t *raw; /**< decode: the payload */
    uint32_t raw_len;
} mqtls_subscribe_t;

/** Iterator over the entries of a decoded SUBSCRIBE/UNSUBSCRIBE (options 0 for the latter). */
MQTLS_API bool mqtls_sub_next(const mqtls_subscribe_t *s, bool unsubscribe, uint32_t *pos,
                              mqtls_subscription_t *out);

/** SUBACK and UNSUBACK: one code per filter (3.1.1 UNSUBACK has none). */
typedef struct mqtls_suback {
    uint16_t packet_id;
    mqtls_props_t props;
    const uint8_t *codes;
    uint16_t count;
} mqtls_suback_t;

/** Any packet. Which member is valid follows @c type. */
typedef struct mqtls_packet {
    mqtls_packet_type_t type;
    union {
        mqtls_connect_t connect;
        mqtls_connack_t connack;
        mqtls_publish_t publish;
        mqtls_ack_t ack;             /**< PUBACK PUBREC PUBREL PUBCOMP DISCONNECT AUTH */
        mqtls_subscribe_t subscribe; /**< SUBSCRIBE UNSUBSCRIBE */
        mqtls_suback_t suback;       /**< SUBACK UNSUBACK */
    } u;
} mqtls_packet_t;

/**
 * Bytes needed to encode @p pkt for protocol @p v (fixed header included). Every field is
 * checked here, with the status the decoder would give the same fault.
 * @retval MQTLS_OK                  *total is set
 * @retval MQTLS_ERR_MALFORMED_*     QoS 3, packet id 0 with QoS > 0, a wildcard topic, a
 *                                   string that is not UTF-8, DUP with QoS 0, ...
 * @retval MQTLS_ERR_PROPERTY_NOT_ALLOWED a property this packet may not carry
 * @retval MQTLS_ERR_BAD_PARAM       a NULL pointer with a length, or more than the
 *                                   remaining length can express
 * @retval MQTLS_ERR_UNSUPPORTED     a 5.0 packet or feature in a build without it
 */
MQTLS_API mqtls_status_t mqtls_encode_size(const mqtls_packet_t *pkt, mqtls_version_t v,
                                           size_t *total);

/**
 * Encodes @p pkt into @p buf. Never writes past @p buf + @p size.
 * @retval MQTLS_ERR_NO_SPACE the packet needs more than @p size bytes (nothing useful written)
 * Other errors as mqtls_encode_size().
 */
MQTLS_API mqtls_status_t mqtls_encode(const mqtls_packet_t *pkt, mqtls_version_t v, uint8_t *buf,
                                      size_t size, size_t *written);

/**
 * Encodes a PUBLISH without its payload: the fixed header (whose remaining length counts
 * the payload), topic, packet id and properties. The payload is then sent from the caller's
 * memory as it is, so it is never copied. *written is the header length.
 * @retval MQTLS_OK            *written is set
 * @retval MQTLS_ERR_BAD_PARAM @p pub or @p buf is NULL
 * @retval MQTLS_ERR_NO_SPACE  the header needs more than @p size bytes
 * Other errors as mqtls_encode_size() (the PUBLISH's own checks).
 */
MQTLS_API mqtls_status_t mqtls_encode_publish_header(const mqtls_publish_t *pub, mqtls_version_t v,
                                                     uint8_t *buf, size_t size, size_t *written);

/**
 * Reads a fixed header: packet type and flags byte, remaining length.
 * @param[out] first      the first byte (type << 4 | flags)
 * @param[out] remaining  the remaining length
 * @param[out] hdr_len    bytes the fixed header takes (2 to 5)
 * @retval MQTLS_NEED_MORE                      @p len is too short to tell yet
 * @retval MQTLS_ERR_MALFORMED_REMAINING_LENGTH more than 4 length bytes, or not minimal
 */
MQTLS_API mqtls_status_t mqtls_decode_fixed_header(const uint8_t *buf, size_t len, uint8_t *first,
                                                   uint32_t *remaining, size_t *hdr_len);

/**
 * Decodes the one whole packet at the start of @p buf and checks every malformed-packet
 * rule of the version's specification. @p out points into @p buf afterwards.
 * @param[out] consumed bytes the packet took
 * @retval MQTLS_NEED_MORE   @p buf holds only part of a packet
 * @retval MQTLS_ERR_MALFORMED_* the rule that was broken
 */
MQTLS_API mqtls_status_t mqtls_decode(const uint8_t *buf, size_t len, mqtls_version_t v,
                                      mqtls_packet_t *out, size_t *consumed);

/** Checks a UTF-8 string as MQTT requires (well-formed, no surrogates, no U+0000).
 *  @retval MQTLS_OK                     valid
 *  @retval MQTLS_ERR_MALFORMED_UTF8     ill-formed, overlong, a surrogate or above U+10FFFF
 *  @retval MQTLS_ERR_MALFORMED_UTF8_NUL a U+0000
 *  @retval MQTLS_ERR_BAD_PARAM          @p s is NULL and @p len is not 0 */
MQTLS_API mqtls_status_t mqtls_utf8_check(const char *s, size_t len);

/** Checks a topic name for PUBLISH: no wildcards, valid UTF-8 (an empty topic is the
 *  caller's to judge: it is legal only in 5.0 with a topic alias).
 *  @retval MQTLS_OK                  valid
 *  @retval MQTLS_ERR_MALFORMED_TOPIC a '+' or '#', or longer than 65,535 bytes
 *  @retval MQTLS_ERR_MALFORMED_UTF8, MQTLS_ERR_MALFORMED_UTF8_NUL, MQTLS_ERR_BAD_PARAM as
 *          mqtls_utf8_check() */
MQTLS_API mqtls_status_t mqtls_topic_check(const char *s, size_t len);

/** Checks a topic filter: '#' only last and alone in its level, '+' alone in its level.
 *  @retval MQTLS_OK                   valid
 *  @retval MQTLS_ERR_MALFORMED_FILTER longer than 65,535 bytes, a malformed $share/ prefix,
 *                                     or a misplaced wildcard
 *  @retval MQTLS_ERR_MALFORMED_UTF8, MQTLS_ERR_MALFORMED_UTF8_NUL as mqtls_utf8_check() */
MQTLS_API mqtls_status_t mqtls_filter_check(const char *s, size_t len);

/**
 * Does @p topic match @p filter? Follows the spec, including the rule that a filter
 * starting with a wildcard does not match topics starting with '$'.
 * Shared subscriptions ($share/group/filter) are matched on their filter part.
 */
MQTLS_API bool mqtls_topic_matches(const char *filter, size_t filter_len, const char *topic,
                                   size_t topic_len);

/** Makes an mqtls_str_t from a NUL-terminated string (NULL gives an empty string). A string
 *  over 65535 bytes gives {NULL, 65535}, which every encoder rejects (MQTLS_ERR_BAD_PARAM). */
MQTLS_API mqtls_str_t mqtls_str(const char *s);

#ifdef __cplusplus
}
#endif
#endif
