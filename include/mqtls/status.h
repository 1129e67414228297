/**
 * @file status.h
 * @brief The one status type of mqtls: 0 is success, every failure has its own value.
 *
 * Foreign codes (errno, Mbed TLS) are translated once, at the transport boundary; the raw
 * code stays available from the transport for diagnosis.
 */
#ifndef MQTLS_STATUS_H
#define MQTLS_STATUS_H

#include "mqtls/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every mqtls call that can fail. */
typedef enum mqtls_status {
    MQTLS_OK = 0,

    /* Not failures: the operation is not finished yet. */
    MQTLS_IN_PROGRESS,          /**< call again (non-blocking connect/handshake) */
    MQTLS_NEED_MORE,            /**< decoder: the buffer does not hold a whole packet yet */

    /* Caller errors. */
    MQTLS_ERR_BAD_PARAM,        /**< a NULL or out-of-range argument */
    MQTLS_ERR_NO_SPACE,         /**< the output buffer is too small */
    MQTLS_ERR_STATE,            /**< not allowed in the client's current state */
    MQTLS_ERR_UNSUPPORTED,      /**< feature compiled out (MQTT 5, QoS 2), or one the TLS
                                     library or the device lacks */
    MQTLS_ERR_INTERRUPTED,      /**< the caller interrupted a blocked write (mqtls_interrupt) */

    /* Malformed packets: each rule of the specifications has its own status. */
    MQTLS_ERR_MALFORMED_REMAINING_LENGTH, /**< > 4 bytes, or not in minimal form */
    MQTLS_ERR_MALFORMED_FLAGS,  /**< reserved fixed-header or CONNECT flag bits wrong */
    MQTLS_ERR_MALFORMED_QOS,    /**< QoS 3, or a QoS where none may be */
    MQTLS_ERR_MALFORMED_PACKET_ID, /**< packet identifier 0 */
    MQTLS_ERR_MALFORMED_UTF8,   /**< a string is not well-formed UTF-8 (or holds a surrogate) */
    MQTLS_ERR_MALFORMED_UTF8_NUL, /**< a string contains U+0000 */
    MQTLS_ERR_MALFORMED_TOPIC,  /**< a PUBLISH topic is empty or contains '+' or '#' */
    MQTLS_ERR_MALFORMED_FILTER, /**< a topic filter breaks the wildcard rules */
    MQTLS_ERR_MALFORMED_LENGTH, /**< a length field runs past the packet, or bytes are left over */
    MQTLS_ERR_MALFORMED_PROPERTY, /**< unknown property id, or a value out of range */
    MQTLS_ERR_DUPLICATE_PROPERTY, /**< a property that may appear once appears twice */
    MQTLS_ERR_PROPERTY_NOT_ALLOWED, /**< a property not permitted in this packet */
    MQTLS_ERR_MALFORMED_REASON_CODE, /**< a reason/return code not defined for this packet */
    MQTLS_ERR_PROTOCOL_NAME,    /**< CONNECT protocol name is not "MQTT" */
    MQTLS_ERR_PROTOCOL_LEVEL,   /**< CONNECT protocol level is not 4 or 5 */
    MQTLS_ERR_MALFORMED_PACKET_TYPE, /**< reserved type 0, or AUTH in 3.1.1 */
    MQTLS_ERR_MALFORMED_PAYLOAD, /**< SUBSCRIBE/UNSUBSCRIBE without filters, bad options */

    /* Session and protocol errors. */
    MQTLS_ERR_PROTOCOL,         /**< the peer sent a packet that is valid but not expected now */
    MQTLS_ERR_PACKET_TOO_LARGE, /**< an incoming packet is larger than the receive buffer */
    MQTLS_ERR_SERVER_LIMIT,     /**< a packet would exceed the server's Maximum Packet Size */
    MQTLS_ERR_INFLIGHT_FULL,    /**< no free in-flight slot or the broker's Receive Maximum is reached */
    MQTLS_ERR_RECEIVE_MAXIMUM,  /**< the broker sent more QoS 2 messages than we allowed */
    MQTLS_ERR_QOS_NOT_SUPPORTED, /**< QoS above the broker's Maximum QoS */
    MQTLS_ERR_RETAIN_NOT_SUPPORTED, /**< retain requested, broker says Retain Available = 0 */
    MQTLS_ERR_TOPIC_ALIAS,      /**< topic alias 0, above the maximum, or unknown */
    MQTLS_ERR_NO_STORE,         /**< QoS > 0 publish without a message store configured */
    MQTLS_ERR_STORE,            /**< the message store refused or lost a message */
    MQTLS_ERR_CONNACK_REFUSED,  /**< the broker refused the connection (see the reason code) */
    MQTLS_ERR_REFUSED,          /**< the broker refused a publish or subscription (reason code) */
    MQTLS_ERR_QOS2_DOWNGRADED,  /**< a QoS 2 publish was answered with PUBACK: the broker took it
                                     at QoS 1 (it does not do QoS 2) */
    MQTLS_ERR_SESSION_STATE,    /**< session present = 1 but we hold no session */
    MQTLS_ERR_SERVER_DISCONNECT, /**< the broker sent DISCONNECT */
    MQTLS_ERR_KEEPALIVE_TIMEOUT, /**< no PINGRESP within the ping timeout: connection dead */
    MQTLS_ERR_TIMEOUT,          /**< a blocking call or connect ran out of time */

    /* Transport errors. */
    MQTLS_ERR_DNS,              /**< host name did not resolve */
    MQTLS_ERR_CONNECT_REFUSED,  /**< TCP connection refused (RST) */
    MQTLS_ERR_UNREACHABLE,      /**< network or host unreachable */
    MQTLS_ERR_CLOSED,           /**< the peer closed the connection */
    MQTLS_ERR_IO,               /**< any other socket error (see the transport's raw code) */

    /* TLS transport errors (filled in by the TLS transport). */
    MQTLS_ERR_TLS,              /**< TLS failure not covered below (see the raw code) */
    MQTLS_ERR_TLS_HANDSHAKE,    /**< handshake failed; the evidence says why */
    MQTLS_ERR_TLS_VERIFY,       /**< server certificate verification failed */
    MQTLS_ERR_TLS_ALERT,        /**< the peer sent a fatal alert */
    MQTLS_ERR_TLS_CREDENTIALS,  /**< a certificate, key or CA could not be loaded */
    MQTLS_ERR_TLS_KEY_MISMATCH, /**< the private key does not belong to the certificate */

    /* AWS IoT device helpers (aws.h). */
    MQTLS_ERR_JSON_MALFORMED,   /**< a document is not well-formed JSON */
    MQTLS_ERR_JSON_NOT_FOUND,   /**< no value at that path in the document */
    MQTLS_ERR_JSON_TYPE,        /**< the value is not of the type asked for */
    MQTLS_ERR_AWS_NAME,         /**< a thing, shadow, job or template name AWS does not allow */
    MQTLS_ERR_AWS_TOPIC,        /**< not a topic of the Shadow, Jobs or Provisioning services */

    MQTLS_STATUS_COUNT
} mqtls_status_t;

/** A short, stable, human-readable text for @p status (never NULL). */
MQTLS_API const char *mqtls_strerror(mqtls_status_t status);

#ifdef __cplusplus
}
#endif
#endif
