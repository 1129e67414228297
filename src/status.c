/**
 * @file status.c
 * @brief mqtls_strerror(): one plain sentence per status.
 */
#include "mqtls/status.h"

#include <stddef.h>

#include "mqtls/config.h"

#if MQTLS_CFG_TEXT
static const char *const texts[MQTLS_STATUS_COUNT] = {
    [MQTLS_OK] = "success",
    [MQTLS_IN_PROGRESS] = "in progress",
    [MQTLS_NEED_MORE] = "incomplete packet",
    [MQTLS_ERR_BAD_PARAM] = "invalid argument",
    [MQTLS_ERR_NO_SPACE] = "buffer too small",
    [MQTLS_ERR_STATE] = "not allowed in the current connection state",
    [MQTLS_ERR_UNSUPPORTED] = "feature not built into this library",
    [MQTLS_ERR_INTERRUPTED] = "interrupted by the application",
    [MQTLS_ERR_MALFORMED_REMAINING_LENGTH] =
        "malformed packet: remaining length longer than 4 bytes or not minimal",
    [MQTLS_ERR_MALFORMED_FLAGS] = "malformed packet: reserved flag bits set wrongly",
    [MQTLS_ERR_MALFORMED_QOS] = "malformed packet: invalid QoS",
    [MQTLS_ERR_MALFORMED_PACKET_ID] = "malformed packet: packet identifier 0",
    [MQTLS_ERR_MALFORMED_UTF8] = "malformed packet: string is not valid UTF-8",
    [MQTLS_ERR_MALFORMED_UTF8_NUL] = "malformed packet: string contains U+0000",
    [MQTLS_ERR_MALFORMED_TOPIC] = "invalid topic name (empty, or contains + or #)",
    [MQTLS_ERR_MALFORMED_FILTER] = "invalid topic filter (misplaced + or #)",
    [MQTLS_ERR_MALFORMED_LENGTH] = "malformed packet: lengths do not add up",
    [MQTLS_ERR_MALFORMED_PROPERTY] = "malformed packet: unknown property or invalid value",
    [MQTLS_ERR_DUPLICATE_PROPERTY] = "malformed packet: property repeated",
    [MQTLS_ERR_PROPERTY_NOT_ALLOWED] = "property not allowed in this packet",
    [MQTLS_ERR_MALFORMED_REASON_CODE] = "malformed packet: reason code not valid here",
    [MQTLS_ERR_PROTOCOL_NAME] = "malformed packet: protocol name is not MQTT",
    [MQTLS_ERR_PROTOCOL_LEVEL] = "unsupported protocol level",
    [MQTLS_ERR_MALFORMED_PACKET_TYPE] = "malformed packet: invalid packet type",
    [MQTLS_ERR_MALFORMED_PAYLOAD] = "malformed packet: invalid subscription list",
    [MQTLS_ERR_PROTOCOL] = "protocol error: unexpected packet from the peer",
    [MQTLS_ERR_PACKET_TOO_LARGE] = "incoming packet larger than the receive buffer",
    [MQTLS_ERR_SERVER_LIMIT] = "packet larger than the broker's maximum packet size",
    [MQTLS_ERR_INFLIGHT_FULL] = "too many messages awaiting acknowledgement",
    [MQTLS_ERR_RECEIVE_MAXIMUM] = "broker sent more unacknowledged QoS 2 messages than allowed",
    [MQTLS_ERR_QOS_NOT_SUPPORTED] = "QoS above the broker's maximum QoS",
    [MQTLS_ERR_RETAIN_NOT_SUPPORTED] = "broker does not support retained messages",
    [MQTLS_ERR_TOPIC_ALIAS] = "invalid topic alias",
    [MQTLS_ERR_NO_STORE] = "QoS 1/2 publish needs a message store",
    [MQTLS_ERR_STORE] = "message store full or failed",
    [MQTLS_ERR_CONNACK_REFUSED] = "connection refused by the broker",
    [MQTLS_ERR_REFUSED] = "refused by the broker",
    [MQTLS_ERR_QOS2_DOWNGRADED] =
        "the broker answered a QoS 2 message with PUBACK: it does not support QoS 2",
    [MQTLS_ERR_SESSION_STATE] = "broker claims a session this client does not have",
    [MQTLS_ERR_SERVER_DISCONNECT] = "broker closed the session (DISCONNECT)",
    [MQTLS_ERR_KEEPALIVE_TIMEOUT] = "no answer to keep-alive ping: connection lost",
    [MQTLS_ERR_TIMEOUT] = "timed out",
    [MQTLS_ERR_DNS] = "host name not found",
    [MQTLS_ERR_CONNECT_REFUSED] = "connection refused (nothing listening on that port)",
    [MQTLS_ERR_UNREACHABLE] = "network or host unreachable",
    [MQTLS_ERR_CLOSED] = "connection closed by the peer",
    [MQTLS_ERR_IO] = "network I/O error",
    [MQTLS_ERR_TLS] = "TLS error",
    [MQTLS_ERR_TLS_HANDSHAKE] = "TLS handshake failed",
    [MQTLS_ERR_TLS_VERIFY] = "server certificate verification failed",
    [MQTLS_ERR_TLS_ALERT] = "peer sent a fatal TLS alert",
    [MQTLS_ERR_TLS_CREDENTIALS] = "certificate, key or CA could not be loaded",
    [MQTLS_ERR_TLS_KEY_MISMATCH] = "private key does not match the certificate",
    [MQTLS_ERR_JSON_MALFORMED] = "malformed JSON document",
    [MQTLS_ERR_JSON_NOT_FOUND] = "no such field in the JSON document",
    [MQTLS_ERR_JSON_TYPE] = "JSON value of another type than expected",
    [MQTLS_ERR_AWS_NAME] = "name not allowed by AWS IoT (thing, shadow, job or template)",
    [MQTLS_ERR_AWS_TOPIC] = "not an AWS IoT Shadow, Jobs or Fleet Provisioning topic",
};

const char *mqtls_strerror(mqtls_status_t status)
{
    if ((unsigned)status < MQTLS_STATUS_COUNT && texts[status])
        return texts[status];
    return "unknown status";
}
#else
const char *mqtls_strerror(mqtls_status_t status)
{
    return status == MQTLS_OK ? "success" : "mqtls error (texts compiled out; see status.h)";
}
#endif
