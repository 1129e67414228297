/**
 * @file stack_awssdk.c
 * @brief `mqtls explain --stack aws-sdk`: IoT_Error_t of the AWS IoT Device SDK for
 *        Embedded C v3 (aws_iot_mqtt_client_*()'s returns, -57 ... 8).
 *
 * Source (docs/troubleshooting.md, "aws-sdk"): aws/aws-iot-device-sdk-embedded-C v3
 * include/aws_iot_error.h. The SDK's later releases (202x) are built from coreMQTT and
 * return MQTTStatus_t: --stack coremqtt.
 */
#include "explain/tool_explain.h"

static const tool_explain_entry_t aws[] = {
    {-41, "MQTT_CONNACK_NOT_AUTHORIZED_ERROR", "mqtt.refused_not_authorized",
     "CONNACK 5: the broker does not allow this client."},
    {-40, "MQTT_CONNACK_BAD_USERDATA_ERROR", "mqtt.refused_bad_credentials",
     "CONNACK 4: bad user name or password."},
    {-39, "MQTT_CONNACK_SERVER_UNAVAILABLE_ERROR", "mqtt.refused_server_unavailable",
     "CONNACK 3: the broker refuses service now; retry later."},
    {-38, "MQTT_CONNACK_IDENTIFIER_REJECTED_ERROR", "mqtt.refused_client_id",
     "CONNACK 2: the client id was refused."},
    {-37, "MQTT_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION_ERROR",
     "mqtt.refused_protocol_version", "CONNACK 1: the MQTT version was refused."},
    {-36, "MQTT_CONNACK_UNKNOWN_ERROR", "mqtt.refused",
     "A CONNACK with a return code MQTT 3.1.1 does not define."},
    {-34, "MQTT_MAX_SUBSCRIPTIONS_REACHED_ERROR", "",
     "All subscription slots are used: raise AWS_IOT_MQTT_NUM_SUBSCRIBE_HANDLERS."},
    {-33, "MQTT_TX_BUFFER_TOO_SHORT_ERROR", "",
     "The outgoing packet does not fit the TX buffer: raise AWS_IOT_MQTT_TX_BUF_LEN."},
    {-32, "MQTT_RX_BUFFER_TOO_SHORT_ERROR", "",
     "An incoming message is larger than the RX buffer and was dropped: raise "
     "AWS_IOT_MQTT_RX_BUF_LEN."},
    {-28, "MQTT_REQUEST_TIMEOUT_ERROR", "",
     "A request (SUBSCRIBE, QoS 1 PUBLISH) got no acknowledgement in time. On AWS IoT a "
     "policy that denies the topic closes the connection instead "
     "(mqtt.closed_after_request)."},
    {-26, "MQTT_CONNECTION_ERROR", "",
     "The MQTT connection could not be made: see the network code logged before it."},
    {-24, "NETWORK_ERR_NET_CONNECT_FAILED", "tcp.refused",
     "The TCP connection failed: check the endpoint, port 8883 and the network."},
    {-23, "NETWORK_ERR_NET_UNKNOWN_HOST", "dns.not_found",
     "The endpoint does not resolve: copy it again from the AWS IoT console (Settings) or "
     "aws iot describe-endpoint --endpoint-type iot:Data-ATS."},
    {-22, "NETWORK_ERR_NET_SOCKET_FAILED", "", "No socket could be opened."},
    {-21, "NETWORK_PK_PRIVATE_KEY_PARSE_ERROR", "cred.file_wrong_kind",
     "The private key file could not be parsed: a wrong file, damaged, or encrypted."},
    {-20, "NETWORK_X509_DEVICE_CRT_PARSE_ERROR", "cred.file_wrong_kind",
     "The device certificate file could not be parsed: a wrong file or damaged."},
    {-19, "NETWORK_X509_ROOT_CRT_PARSE_ERROR", "cred.file_wrong_kind",
     "The root CA file could not be parsed: give Amazon Root CA 1 in PEM."},
    {-17, "NETWORK_SSL_UNKNOWN_ERROR", "tls.handshake_failed",
     "A TLS error without a specific code: see the TLS library's code logged before it."},
    {-16, "NETWORK_MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED", "",
     "The random generator could not be seeded: the platform's entropy source failed."},
    {-13, "NETWORK_DISCONNECTED_ERROR", "",
     "The connection is down and not being reconnected. Right after connecting, AWS IoT "
     "closed it: a policy that denies the action, or another connection with the same "
     "client id (mqtt.closed_after_connect)."},
    {-12, "NETWORK_SSL_READ_ERROR", "",
     "Reading from the TLS connection failed: the broker closed it (see -13)."},
    {-11, "NETWORK_SSL_READ_TIMEOUT_ERROR", "", "Reading from the TLS connection timed out."},
    {-9, "NETWORK_SSL_CERT_ERROR", "cred.file_unreadable",
     "The certificates could not be found or are badly formatted: check the paths of the "
     "root CA, device certificate and key."},
    {-6, "NETWORK_SSL_CONNECT_TIMEOUT_ERROR", "tls.handshake_timeout",
     "The TLS handshake did not finish in time: check the port (8883) and raise the "
     "timeout."},
    {-4, "SSL_CONNECTION_ERROR", "tls.handshake_failed",
     "The TLS handshake failed: the TLS library's code logged before it says why (for "
     "Mbed TLS: mqtls explain --stack mbedtls -0xNNNN)."},
    {-3, "TCP_CONNECTION_ERROR", "tcp.refused", "The TCP connection could not be made."},
    {-2, "NULL_VALUE_ERROR", "", "A required argument was NULL."},
    {-1, "FAILURE", "", "A failure without a specific code."},
    {0, "SUCCESS", "", "Success."},
    {1, "MQTT_CONNACK_CONNECTION_ACCEPTED", "", "Not an error: the connection was accepted."},
    {2, "MQTT_NOTHING_TO_READ", "", "Not an error: nothing to read."},
    {3, "NETWORK_RECONNECTED", "", "Not an error: the automatic reconnect succeeded."},
    {4, "NETWORK_ATTEMPTING_RECONNECT", "", "The connection is down; reconnecting."},
    {5, "NETWORK_MANUALLY_DISCONNECTED", "", "The application disconnected."},
};

void tool_explain_awssdk(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                         char *name_buf, size_t name_size)
{
    (void)s, (void)name_buf, (void)name_size;
    tool_explain_from_table(aws, sizeof aws / sizeof aws[0], code,
                            "An IoT_Error_t value this table does not have (see the SDK's "
                            "include/aws_iot_error.h).",
                            out);
}
