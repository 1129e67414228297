/**
 * @file stack_paho.c
 * @brief `mqtls explain --stack paho`: the return codes of Eclipse Paho MQTT C's
 *        synchronous MQTTClient (MQTTCLIENT_*, negative; MQTTClient_connect()'s 1-5, the
 *        refusing CONNACK's return code) and of Paho Embedded-C (enum returnCode:
 *        BUFFER_OVERFLOW -2, FAILURE -1). MQTTAsync's MQTTASYNC_* codes were not compared
 *        and are not claimed.
 *
 * Sources (docs/troubleshooting.md, "paho"): eclipse/paho.mqtt.c src/MQTTClient.h (the
 * MQTTCLIENT_* defines and MQTTClient_connect()'s documented return values),
 * src/MQTTClientPersistence.h (MQTTCLIENT_PERSISTENCE_ERROR -2) and Paho Embedded-C's
 * MQTTClient-C/src/MQTTClient.h (enum returnCode).
 */
#include "explain/tool_explain.h"

static const tool_explain_entry_t paho[] = {
    {-17, "MQTTCLIENT_0_LEN_WILL_TOPIC", "cred.settings_invalid",
     "A will message was given with an empty topic: set the will's topic."},
    {-16, "MQTTCLIENT_WRONG_MQTT_VERSION", "cred.settings_invalid",
     "A call of another MQTT version (a _5 call on a 3.1.1 client, or the reverse): create "
     "the client with MQTTClient_createWithOptions() and MQTTVersion 5 to use 5.0 calls."},
    {-15, "MQTTCLIENT_BAD_MQTT_OPTION", "cred.settings_invalid",
     "An option that does not apply to the MQTT version (e.g. cleansession with 5.0: use "
     "cleanstart)."},
    {-14, "MQTTCLIENT_BAD_PROTOCOL", "cred.settings_invalid",
     "The server URI's prefix is not tcp://, ssl://, ws:// or wss:// (mqtts:// is accepted "
     "only by newer releases), or a TLS prefix with a library built without TLS."},
    {-11, "MQTTCLIENT_BAD_MQTT_VERSION", "cred.settings_invalid",
     "An MQTT version the library does not know: use 3 (3.1), 4 (3.1.1) or 5."},
    {-10, "MQTTCLIENT_SSL_NOT_SUPPORTED", "cred.settings_invalid",
     "An ssl:// URI or SSL options with the library without TLS: link paho-mqtt3cs (or "
     "paho-mqtt3as), not paho-mqtt3c."},
    {-9, "MQTTCLIENT_BAD_QOS", "", "A QoS other than 0, 1 or 2."},
    {-8, "MQTTCLIENT_BAD_STRUCTURE", "",
     "A structure without its initializer's eyecatcher and version: start every options "
     "struct from its _initializer macro."},
    {-7, "MQTTCLIENT_TOPICNAME_TRUNCATED", "", "A topic with an embedded NUL was truncated."},
    {-6, "MQTTCLIENT_NULL_PARAMETER", "", "A required argument was NULL."},
    {-5, "MQTTCLIENT_BAD_UTF8_STRING", "", "A string (topic, client id) is not valid UTF-8."},
    {-4, "MQTTCLIENT_MAX_MESSAGES_INFLIGHT", "",
     "Too many QoS 1/2 messages wait for their acknowledgement: raise maxInflight or wait."},
    {-3, "MQTTCLIENT_DISCONNECTED", "",
     "The client is not connected (any more). Right after a successful connect, the broker "
     "closed the connection: on AWS IoT a policy that denies the topic, or another "
     "connection with the same client id (mqtt.closed_after_connect, "
     "mqtt.closed_after_request)."},
    {-2, "MQTTCLIENT_PERSISTENCE_ERROR / BUFFER_OVERFLOW (Embedded-C)", "",
     "Paho C: the application's persistence functions failed. Paho Embedded-C: a packet "
     "does not fit the send or read buffer given to MQTTClientInit(): enlarge it (a "
     "PUBLISH with its topic, or the CONNECT with will and credentials)."},
    {-1, "MQTTCLIENT_FAILURE / FAILURE (Embedded-C)", "",
     "A failure without detail: for a connect, the TCP or TLS connection or the CONNACK "
     "failed. Paho C prints the reason with the environment MQTT_C_CLIENT_TRACE=ON and "
     "MQTT_C_CLIENT_TRACE_LEVEL=ERROR; then run mqtls doctor with the same host, port and "
     "files."},
    {0, "MQTTCLIENT_SUCCESS", "", "Success."},
    {1, "CONNACK 1: unacceptable protocol version", "mqtt.refused_protocol_version",
     "The broker does not speak the requested MQTT version: use MQTTVERSION_3_1_1."},
    {2, "CONNACK 2: identifier rejected", "mqtt.refused_client_id",
     "The broker refused the client id (empty, too long, or characters it does not allow)."},
    {3, "CONNACK 3: server unavailable", "mqtt.refused_server_unavailable",
     "The broker is up but refuses service now: retry later."},
    {4, "CONNACK 4: bad user name or password", "mqtt.refused_bad_credentials",
     "The user name or password is wrong."},
    {5, "CONNACK 5: not authorized", "mqtt.refused_not_authorized",
     "The broker does not allow this client: check its ACL or policy for the client id and "
     "user (or certificate)."},
};

void tool_explain_paho(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                       char *name_buf, size_t name_size)
{
    (void)s, (void)name_buf, (void)name_size;
    tool_explain_from_table(paho, sizeof paho / sizeof paho[0], code,
                            "Not a code of this table (MQTTClient.h defines none at -12 and "
                            "-13; CONNACK codes 6-255 are reserved by MQTT 3.1.1).",
                            out);
}
