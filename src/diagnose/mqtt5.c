/**
 * @file mqtt5.c
 * @brief MQTT 5.0 reason codes in the doctor's words (what to do about each CONNACK and
 *        DISCONNECT code), and the AWS IoT readings, given only for an AWS IoT host.
 *
 * The codes each packet may carry are the tables of MQTT Version 5.0 (OASIS Standard,
 * 7 March 2019), 3.2.2.2 (CONNACK) and 3.14.2.1 (DISCONNECT). The AWS IoT behaviours are
 * those of docs/aws-iot.md (with their sources): a refused connect, subscribe or publish closes
 * the connection; a second connection with the same client id disconnects the first.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "mqtls/diagnose.h"
#include "mqtls/reason.h"

enum { IN_CONNACK = 1, IN_DISCONNECT = 2, IN_BOTH = 3 };

typedef struct reason_fix {
    uint8_t code;
    uint8_t in; /* IN_CONNACK / IN_DISCONNECT: the packets that may carry it */
    const char *fix;
} reason_fix_t;

static const reason_fix_t fixes[] = {
    {0x00, IN_BOTH, "nothing: success (CONNACK) or a normal disconnection (DISCONNECT)."},
    {0x04, IN_DISCONNECT, "nothing: the client ended the connection and asked for its Will."},
    {0x80, IN_BOTH, "the broker gives no reason: read its log and the Reason String."},
    {0x81, IN_BOTH, "the broker could not parse a packet: report it with a capture (-d)."},
    {0x82, IN_BOTH, "a packet broke the protocol's rules: report it with a capture (-d)."},
    {0x83, IN_BOTH, "the broker refused for a reason of its own: read the Reason String and "
                    "the broker's documentation."},
    {0x84, IN_CONNACK, "the broker does not speak this MQTT version: try -V 311."},
    {0x85, IN_CONNACK, "use a client id the broker accepts (-i: unique, [0-9a-zA-Z], up to "
                       "23 characters are always allowed)."},
    {0x86, IN_CONNACK, "check the user name and password (-u, -P)."},
    {0x87, IN_BOTH, "allow this client (user, certificate, client id) in the broker's access "
                    "rules."},
    {0x88, IN_CONNACK, "the broker cannot serve now: try again later."},
    {0x89, IN_BOTH, "the broker is busy: try again later, with a back-off."},
    {0x8A, IN_CONNACK, "the broker's administrator banned this client: ask them."},
    {0x8B, IN_DISCONNECT, "the broker is shutting down: reconnect later."},
    {0x8C, IN_CONNACK, "use an authentication method the broker supports (or none)."},
    {0x8D, IN_DISCONNECT, "the broker heard nothing for 1.5 keep-alive periods: send PINGREQ "
                          "in time or raise the keep alive (-k)."},
    {0x8E, IN_DISCONNECT, "another connection uses this client id: give each client its own "
                          "id (-i)."},
    {0x8F, IN_DISCONNECT, "a topic filter is malformed or not allowed here: correct it."},
    {0x90, IN_BOTH, "a topic name is malformed or not allowed here (the Will topic in "
                    "CONNACK): correct it."},
    {0x93, IN_DISCONNECT, "more QoS 1/2 messages were in flight than the broker's Receive "
                          "Maximum allows: wait for acknowledgements."},
    {0x94, IN_DISCONNECT, "a topic alias was out of range: use aliases up to the broker's "
                          "Topic Alias Maximum."},
    {0x95, IN_BOTH, "a packet was larger than the broker's Maximum Packet Size: send less."},
    {0x96, IN_DISCONNECT, "the message rate is too high: publish more slowly."},
    {0x97, IN_BOTH, "a quota (messages, connections, data) is used up: wait, or raise it."},
    {0x98, IN_DISCONNECT, "an administrator ended the connection: ask them."},
    {0x99, IN_BOTH, "the payload does not match its Payload Format Indicator (UTF-8): "
                    "correct the payload or the indicator."},
    {0x9A, IN_BOTH, "the broker does not support retained messages: publish without -r."},
    {0x9B, IN_BOTH, "the QoS is above the broker's Maximum QoS: use a lower -q."},
    {0x9C, IN_BOTH, "connect to the server in the Server Reference, for now."},
    {0x9D, IN_BOTH, "the server moved: connect to the Server Reference from now on."},
    {0x9E, IN_DISCONNECT, "the broker has no shared subscriptions: subscribe without "
                          "$share/."},
    {0x9F, IN_BOTH, "connections come too fast: wait longer between attempts."},
    {0xA0, IN_DISCONNECT, "the broker's limit on connection time was reached: reconnect."},
    {0xA1, IN_DISCONNECT, "the broker has no subscription identifiers: subscribe without "
                          "one."},
    {0xA2, IN_DISCONNECT, "the broker has no wildcard subscriptions: subscribe to full topic "
                          "names."},
};

const char *mqtls_reason_fix(bool disconnect, uint8_t code)
{
    int in = disconnect ? IN_DISCONNECT : IN_CONNACK;
    for (size_t i = 0; i < sizeof fixes / sizeof fixes[0]; i++)
        if (fixes[i].code == code)
            return (fixes[i].in & in) ? fixes[i].fix : NULL;
    return NULL;
}

/* The label before @p end in @p host (end exclusive): its start. */
static size_t label_start(const char *host, size_t end)
{
    while (end > 0 && host[end - 1] != '.')
        end--;
    return end;
}

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* "<prefix>.iot.<region>.amazonaws.com[.cn][.]": AWS IoT's data endpoints
 * (aws iot describe-endpoint). Another amazonaws.com service or a look-alike is not. */
bool mqtls_diag_host_is_aws_iot(const char *host)
{
    if (!host)
        return false;
    size_t n = strlen(host);
    if (n && host[n - 1] == '.')
        n--;
    if (ends_with_ci(host, n, ".amazonaws.com.cn"))
        n -= 3;
    if (!ends_with_ci(host, n, ".amazonaws.com"))
        return false;
    size_t region_end = n - strlen(".amazonaws.com");
    size_t region = label_start(host, region_end);
    if (region == 0 || region == region_end)
        return false;
    size_t iot_end = region - 1, iot = label_start(host, iot_end);
    return iot > 1 && iot_end - iot == 3 && strncasecmp(host + iot, "iot", 3) == 0;
}

typedef struct aws_fix {
    mqtls_cause_t cause;
    const char *fix;
} aws_fix_t;

static const aws_fix_t aws_fixes[] = {
    {MQTLS_CAUSE_CLOSED_AFTER_CONNECT,
     "AWS IoT closes the connection without CONNACK when the policy attached to the "
     "certificate does not allow iot:Connect on client/<client id>, when the certificate is "
     "inactive (aws iot describe-certificate: status ACTIVE), or when it has no policy "
     "attached (aws iot list-attached-policies)."},
    {MQTLS_CAUSE_CLOSED_AFTER_SUBSCRIBE,
     "AWS IoT closes the connection when the policy does not allow iot:Subscribe on "
     "topicfilter/<topic>: add it (and iot:Receive on topic/<topic>)."},
    {MQTLS_CAUSE_CLOSED_AFTER_PUBLISH,
     "AWS IoT closes the connection when the policy does not allow iot:Publish on "
     "topic/<topic>: add it."},
    {MQTLS_CAUSE_CLOSED_AFTER_REQUEST,
     "AWS IoT closes the connection when the policy denies iot:Subscribe, iot:Receive or "
     "iot:Publish on the topic, and closes the older of two connections with the same "
     "client id."},
    {MQTLS_CAUSE_CONNACK_CLIENT_ID,
     "AWS IoT takes client ids of up to 128 bytes that do not begin with '$'."},
    {MQTLS_CAUSE_SUBSCRIBE_REFUSED,
     "allow iot:Subscribe on topicfilter/<topic> and iot:Receive on topic/<topic> in the "
     "policy attached to the certificate."},
    {MQTLS_CAUSE_MESSAGE_NOT_RETURNED,
     "a policy that allows iot:Subscribe but not iot:Receive on topic/<topic> (or not "
     "iot:Publish) lets the subscription through and does not deliver the message."},
    {MQTLS_CAUSE_SESSION_TAKEN_OVER,
     "AWS IoT disconnects the older of two connections with the same client id: another "
     "device, a second instance of this program, or a test client uses this id."},
    {MQTLS_CAUSE_CONNACK_NOT_AUTHORIZED,
     "on AWS IoT: a policy allowing iot:Connect on client/<client id>, attached to the "
     "certificate, and the certificate ACTIVE."},
    {MQTLS_CAUSE_CONNACK_CERT_IDENTITY,
     "on AWS IoT: attach a policy allowing iot:Connect on client/<client id> to this "
     "certificate, and activate the certificate."},
    /* The credential and TLS causes (issue 15, points 3 and 4: their generic fixes live in
     * causes.c). Sources: AWS IoT Core Developer Guide, "Server authentication" (iot:Data-ATS
     * endpoints chain to Amazon Trust Services roots, Amazon Root CA 1 for RSA and 3 for ECC;
     * `aws iot describe-endpoint --endpoint-type iot:Data-ATS`; the legacy iot:Data endpoints
     * used VeriSign Class 3 G5), "Device communication protocols" (MQTT with an X.509 client
     * certificate on 8883, or on 443 with ALPN x-amzn-mqtt-ca), "X.509 client certificates"
     * and "Activate or deactivate a client certificate" (registered in the account and
     * region, ACTIVE, a policy attached). */
    {MQTLS_CAUSE_CA_MISSING,
     "AWS IoT's iot:Data-ATS endpoints chain to Amazon Root CA 1 (RSA) or Amazon Root CA 3 "
     "(ECC), from https://www.amazontrust.com/repository/: put both in --cafile."},
    {MQTLS_CAUSE_SERVER_UNTRUSTED_ROOT,
     "AWS IoT's iot:Data-ATS endpoints chain to Amazon Root CA 1 (RSA) or Amazon Root CA 3 "
     "(ECC): trust both; the VeriSign Class 3 G5 root was for the legacy iot:Data endpoints."},
    {MQTLS_CAUSE_CA_FILE_NOT_CA,
     "AWS IoT's iot:Data-ATS endpoints chain to Amazon Root CA 1 (RSA) or Amazon Root CA 3 "
     "(ECC): those belong in the CA file."},
    {MQTLS_CAUSE_CA_FILE_IS_DEVICE_CERT,
     "AWS IoT's iot:Data-ATS endpoints chain to Amazon Root CA 1 (RSA) or Amazon Root CA 3 "
     "(ECC): give those with --cafile, and the certificate AWS IoT issued with --cert."},
    {MQTLS_CAUSE_DNS_FAILURE,
     "the account's endpoint is the name 'aws iot describe-endpoint --endpoint-type "
     "iot:Data-ATS' prints (it differs per account and region)."},
    {MQTLS_CAUSE_TCP_REFUSED,
     "AWS IoT takes MQTT with a client certificate on port 8883, or on 443 with ALPN "
     "x-amzn-mqtt-ca."},
    {MQTLS_CAUSE_HOSTNAME_MISMATCH,
     "connect with the exact endpoint name 'aws iot describe-endpoint --endpoint-type "
     "iot:Data-ATS' prints."},
    {MQTLS_CAUSE_UNRECOGNIZED_NAME, /* issue 15, point 2 */
     "connect with the exact endpoint name 'aws iot describe-endpoint --endpoint-type "
     "iot:Data-ATS' prints."},
    {MQTLS_CAUSE_ALPN_REQUIRED,
     "AWS IoT takes MQTT with a client certificate on port 443 only with ALPN "
     "x-amzn-mqtt-ca: offer --alpn x-amzn-mqtt-ca, or use port 8883."},
    {MQTLS_CAUSE_CLIENT_CERT_REJECTED,
     "register the certificate in the account and region of this endpoint, set it ACTIVE "
     "(aws iot update-certificate --new-status ACTIVE) and attach a policy to it."},
};

const char *mqtls_cause_aws_fix(mqtls_cause_t cause)
{
    for (size_t i = 0; i < sizeof aws_fixes / sizeof aws_fixes[0]; i++)
        if (aws_fixes[i].cause == cause)
            return aws_fixes[i].fix;
    return NULL;
}
