/**
 * @file stack_coremqtt.c
 * @brief `mqtls explain --stack coremqtt`: coreMQTT's MQTTStatus_t (what
 *        MQTT_Status_strerror() names), 0 ... 16.
 *
 * Source (docs/troubleshooting.md, "coremqtt"): FreeRTOS/coreMQTT
 * source/include/core_mqtt_serializer.h, enum MQTTStatus: 0-11 since v1.1, 12-16 added in
 * v2.x. A device's log usually prints the name (MQTT_Status_strerror()); prefer it to the
 * number, whose order early releases did not keep.
 */
#include "explain/tool_explain.h"

static const tool_explain_entry_t core[] = {
    {0, "MQTTSuccess", "", "Success."},
    {1, "MQTTBadParameter", "", "An argument was invalid (NULL, zero length, bad QoS)."},
    {2, "MQTTNoMemory", "",
     "The network buffer given to MQTT_Init() is too small for the packet (CONNECT with "
     "credentials, or a PUBLISH): enlarge it."},
    {3, "MQTTSendFailed", "",
     "The transport's send failed: the connection is closed or the TLS session broken. "
     "After a PUBLISH or SUBSCRIBE on AWS IoT: a policy that denies the topic "
     "(mqtt.closed_after_request)."},
    {4, "MQTTRecvFailed", "mqtt.closed_after_connect",
     "The transport's receive failed. In MQTT_Connect(): the broker closed the connection "
     "instead of sending CONNACK (AWS IoT: a policy that denies iot:Connect for this "
     "client id, an inactive certificate, or the same client id in use)."},
    {5, "MQTTBadResponse", "mqtt.no_connack",
     "What came back is not a valid MQTT packet: the port is not an MQTT broker's (an HTTP "
     "server?), or a packet was damaged."},
    {6, "MQTTServerRefused", "mqtt.refused",
     "The broker refused CONNECT (the log line before names the CONNACK code) or a "
     "subscription (SUBACK failure: mqtt.subscribe_refused)."},
    {7, "MQTTNoDataAvailable", "mqtt.no_connack",
     "Nothing was received in time: in MQTT_Connect() no CONNACK within its timeout; in "
     "the process loop it is not an error."},
    {8, "MQTTIllegalState", "", "A QoS 1/2 state record is in an illegal state."},
    {9, "MQTTStateCollision", "", "A packet id is already in use by a state record."},
    {10, "MQTTKeepAliveTimeout", "",
     "No PINGRESP within the timeout: the connection is dead though the socket said "
     "nothing; reconnect."},
    {11, "MQTTNeedMoreBytes", "",
     "Not an error: a packet arrived in part; call the loop again."},
    {12, "MQTTStatusConnected", "", "(v2.x) The connection is established."},
    {13, "MQTTStatusNotConnected", "", "(v2.x) There is no connection: connect first."},
    {14, "MQTTStatusDisconnectPending", "",
     "(v2.x) The transport failed and the connection must be closed and made again."},
    {15, "MQTTPublishStoreFailed", "",
     "(v2.x) The application's callback that stores an outgoing PUBLISH for resending "
     "failed."},
    {16, "MQTTPublishRetrieveFailed", "",
     "(v2.x) The application's callback that gives back a stored PUBLISH failed."},
};

void tool_explain_coremqtt(const tool_explain_stack_t *s, long code,
                           tool_explain_result_t *out, char *name_buf, size_t name_size)
{
    (void)s, (void)name_buf, (void)name_size;
    tool_explain_from_table(core, sizeof core / sizeof core[0], code,
                            "Not an MQTTStatus_t value.", out);
}
