/**
 * @file test_reason.c
 * @brief Reason codes: the names and the packets each may appear in, checked against a
 *        table copied from MQTT 5.0 section 2.4 (Table 2-6) and the 3.1.1 return codes of
 *        sections 3.2.2.3 (Table 3.1) and 3.9.3; plus mqtls_strerror().
 */
#include <stdint.h>
#include <string.h>

#include "mqtls/reason.h"
#include "mqtls/status.h"
#include "test.h"

#define P(t) (1u << (t))
#define ACKS (P(MQTLS_PUBACK) | P(MQTLS_PUBREC))
#define ALL_TYPES 15

/* MQTT 5.0 Table 2-6 "Reason Codes". */
static const struct {
    uint8_t code;
    const char *name;
    unsigned packets;
} rc5[] = {
    {0x00, "Success",
     P(MQTLS_CONNACK) | ACKS | P(MQTLS_PUBREL) | P(MQTLS_PUBCOMP) | P(MQTLS_UNSUBACK) |
         P(MQTLS_AUTH) | P(MQTLS_DISCONNECT) | P(MQTLS_SUBACK)},
    {0x01, "Granted QoS 1", P(MQTLS_SUBACK)},
    {0x02, "Granted QoS 2", P(MQTLS_SUBACK)},
    {0x04, "Disconnect with Will Message", P(MQTLS_DISCONNECT)},
    {0x10, "No matching subscribers", ACKS},
    {0x11, "No subscription existed", P(MQTLS_UNSUBACK)},
    {0x18, "Continue authentication", P(MQTLS_AUTH)},
    {0x19, "Re-authenticate", P(MQTLS_AUTH)},
    {0x80, "Unspecified error",
     P(MQTLS_CONNACK) | ACKS | P(MQTLS_SUBACK) | P(MQTLS_UNSUBACK) | P(MQTLS_DISCONNECT)},
    {0x81, "Malformed Packet", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x82, "Protocol Error", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x83, "Implementation specific error",
     P(MQTLS_CONNACK) | ACKS | P(MQTLS_SUBACK) | P(MQTLS_UNSUBACK) | P(MQTLS_DISCONNECT)},
    {0x84, "Unsupported Protocol Version", P(MQTLS_CONNACK)},
    {0x85, "Client Identifier not valid", P(MQTLS_CONNACK)},
    {0x86, "Bad User Name or Password", P(MQTLS_CONNACK)},
    {0x87, "Not authorized",
     P(MQTLS_CONNACK) | ACKS | P(MQTLS_SUBACK) | P(MQTLS_UNSUBACK) | P(MQTLS_DISCONNECT)},
    {0x88, "Server unavailable", P(MQTLS_CONNACK)},
    {0x89, "Server busy", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x8A, "Banned", P(MQTLS_CONNACK)},
    {0x8B, "Server shutting down", P(MQTLS_DISCONNECT)},
    {0x8C, "Bad authentication method", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x8D, "Keep Alive timeout", P(MQTLS_DISCONNECT)},
    {0x8E, "Session taken over", P(MQTLS_DISCONNECT)},
    {0x8F, "Topic Filter invalid", P(MQTLS_SUBACK) | P(MQTLS_UNSUBACK) | P(MQTLS_DISCONNECT)},
    {0x90, "Topic Name invalid", P(MQTLS_CONNACK) | ACKS | P(MQTLS_DISCONNECT)},
    {0x91, "Packet Identifier in use", ACKS | P(MQTLS_SUBACK) | P(MQTLS_UNSUBACK)},
    {0x92, "Packet Identifier not found", P(MQTLS_PUBREL) | P(MQTLS_PUBCOMP)},
    {0x93, "Receive Maximum exceeded", P(MQTLS_DISCONNECT)},
    {0x94, "Topic Alias invalid", P(MQTLS_DISCONNECT)},
    {0x95, "Packet too large", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x96, "Message rate too high", P(MQTLS_DISCONNECT)},
    {0x97, "Quota exceeded",
     P(MQTLS_CONNACK) | ACKS | P(MQTLS_SUBACK) | P(MQTLS_DISCONNECT)},
    {0x98, "Administrative action", P(MQTLS_DISCONNECT)},
    {0x99, "Payload format invalid", P(MQTLS_CONNACK) | ACKS | P(MQTLS_DISCONNECT)},
    {0x9A, "Retain not supported", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x9B, "QoS not supported", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x9C, "Use another server", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x9D, "Server moved", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0x9E, "Shared Subscriptions not supported", P(MQTLS_SUBACK) | P(MQTLS_DISCONNECT)},
    {0x9F, "Connection rate exceeded", P(MQTLS_CONNACK) | P(MQTLS_DISCONNECT)},
    {0xA0, "Maximum connect time", P(MQTLS_DISCONNECT)},
    {0xA1, "Subscription Identifiers not supported", P(MQTLS_SUBACK) | P(MQTLS_DISCONNECT)},
    {0xA2, "Wildcard Subscriptions not supported", P(MQTLS_SUBACK) | P(MQTLS_DISCONNECT)},
};
#define N_RC5 (sizeof rc5 / sizeof rc5[0])

static int rc5_row(unsigned code)
{
    for (size_t i = 0; i < N_RC5; i++)
        if (rc5[i].code == code)
            return (int)i;
    return -1;
}

static mqtls_packet_type_t first_packet(unsigned packets)
{
    for (int t = 1; t <= ALL_TYPES; t++)
        if (packets & P(t))
            return (mqtls_packet_type_t)t;
    return MQTLS_CONNACK;
}

TEST(v5_names)
{
    CHECK_EQ_INT(N_RC5, 43);
    for (size_t i = 0; i < N_RC5; i++) {
        mqtls_packet_type_t t = first_packet(rc5[i].packets);
        if (!CHECK_EQ_STR(mqtls_reason_text(MQTLS_V5, t, rc5[i].code), rc5[i].name))
            test_note("code 0x%02x", rc5[i].code);
    }
}

/* 0x00 has a name per packet. */
TEST(v5_names_of_zero)
{
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V5, MQTLS_DISCONNECT, 0), "Normal disconnection");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V5, MQTLS_SUBACK, 0), "Granted QoS 0");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V5, MQTLS_CONNACK, 0), "Success");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V5, MQTLS_PUBACK, 0), "Success");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V5, MQTLS_AUTH, 0), "Success");
}

TEST(v5_unknown_codes)
{
    for (unsigned c = 0; c < 256; c++) {
        if (rc5_row(c) >= 0)
            continue;
        if (!CHECK_EQ_STR(mqtls_reason_text(MQTLS_V5, MQTLS_DISCONNECT, (uint8_t)c),
                          "Unknown reason code"))
            test_note("code 0x%02x", c);
    }
}

/* Every code against every packet type, from the table above. (0x8C in DISCONNECT has its
 * own test below.) */
TEST(v5_validity_matrix)
{
    unsigned wrong = 0;
    for (unsigned c = 0; c < 256; c++) {
        int row = rc5_row(c);
        for (int t = 0; t <= ALL_TYPES; t++) {
            if (c == 0x8C && t == MQTLS_DISCONNECT)
                continue;
            int want = row >= 0 && (rc5[row].packets & P(t)) != 0;
            int got = mqtls_reason_valid(MQTLS_V5, (mqtls_packet_type_t)t, (uint8_t)c) != 0;
            if (got != want && wrong++ < 10)
                test_note("code 0x%02x in packet type %d: got %d, want %d", c, t, got, want);
        }
    }
    CHECK_EQ_INT(wrong, 0);
}

/* Spot checks, so a reader sees what the matrix holds. */
TEST(v5_validity_spot_checks)
{
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_PUBACK, 0x10));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_PUBACK, 0x01));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_PUBREL, 0x10));
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_PUBCOMP, 0x92));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_PUBACK, 0x92));
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_SUBACK, 0x02));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_UNSUBACK, 0x02));
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_UNSUBACK, 0x11));
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_CONNACK, 0x86));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_DISCONNECT, 0x86));
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_DISCONNECT, 0x8E));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_CONNACK, 0x8E));
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_AUTH, 0x18));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_AUTH, 0x80));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_PUBLISH, 0x00));
    CHECK(!mqtls_reason_valid(MQTLS_V5, MQTLS_SUBACK, 0x03));
}

/* Table 2-6 and the DISCONNECT table of section 3.14.2.1 list 0x8C "Bad authentication
 * method" for DISCONNECT as well as CONNACK. */
TEST(v5_bad_authentication_method_in_disconnect)
{
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_CONNACK, 0x8C));
    CHECK(mqtls_reason_valid(MQTLS_V5, MQTLS_DISCONNECT, 0x8C));
}

/* MQTT 3.1.1 Table 3.1 "Connect Return code values". */
TEST(v311_connack_names)
{
    static const char *const names[] = {
        "Connection Accepted",
        "Connection Refused, unacceptable protocol version",
        "Connection Refused, identifier rejected",
        "Connection Refused, Server unavailable",
        "Connection Refused, bad user name or password",
        "Connection Refused, not authorized",
    };
    for (uint8_t c = 0; c <= 5; c++) {
        CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_CONNACK, c), names[c]);
        CHECK(mqtls_reason_valid(MQTLS_V311, MQTLS_CONNACK, c));
    }
    for (unsigned c = 6; c < 256; c++) {
        if (!CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_CONNACK, (uint8_t)c),
                          "Unknown reason code") ||
            !CHECK(!mqtls_reason_valid(MQTLS_V311, MQTLS_CONNACK, (uint8_t)c)))
            test_note("code %u", c);
    }
    /* The 5.0 meaning of the same numbers is different. */
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V5, MQTLS_CONNACK, 0x86), "Bad User Name or Password");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_CONNACK, 0x86), "Unknown reason code");
}

/* MQTT 3.1.1 section 3.9.3: SUBACK return codes 0x00, 0x01, 0x02 and 0x80. */
TEST(v311_suback_codes)
{
    for (unsigned c = 0; c < 256; c++) {
        int want = c <= 2 || c == 0x80;
        if (!CHECK_EQ_INT(mqtls_reason_valid(MQTLS_V311, MQTLS_SUBACK, (uint8_t)c) != 0, want))
            test_note("code 0x%02x", c);
    }
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_SUBACK, 0x80), "Failure");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_SUBACK, 0x01), "Granted QoS 1");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_SUBACK, 0x02), "Granted QoS 2");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_SUBACK, 0x03), "Unknown reason code");
}

/* The success codes of a 3.1.1 SUBACK are "Success - Maximum QoS 0/1/2"; the library
 * names 1 and 2 "Granted QoS 1/2", so 0 should read "Granted QoS 0" as in 5.0, not the
 * bare "Success". */
TEST(v311_suback_name_of_zero)
{
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_SUBACK, 0x00), "Granted QoS 0");
}

/* Other 3.1.1 packets have no reason codes. */
TEST(v311_other_packets)
{
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_PUBACK, 0), "Unknown reason code");
    CHECK_EQ_STR(mqtls_reason_text(MQTLS_V311, MQTLS_DISCONNECT, 0x80), "Unknown reason code");
    CHECK(!mqtls_reason_valid(MQTLS_V311, MQTLS_PUBACK, 0x10));
    CHECK(!mqtls_reason_valid(MQTLS_V311, MQTLS_UNSUBACK, 0x11));
    CHECK(!mqtls_reason_valid(MQTLS_V311, MQTLS_DISCONNECT, 0x04));
}

/* ===================================================================================== */
/* mqtls_strerror()                                                                        */
/* ===================================================================================== */

TEST(strerror_texts)
{
    CHECK_EQ_STR(mqtls_strerror(MQTLS_OK), "success");
    for (int s = 0; s < MQTLS_STATUS_COUNT; s++) {
        const char *t = mqtls_strerror((mqtls_status_t)s);
        if (!CHECK(t != NULL && t[0] != '\0' && strcmp(t, "unknown status") != 0)) {
            test_note("status %d has no text", s);
            continue;
        }
        for (int o = 0; o < s; o++)
            if (!CHECK(strcmp(t, mqtls_strerror((mqtls_status_t)o)) != 0))
                test_note("statuses %d and %d share the text \"%s\"", o, s, t);
    }
    CHECK_EQ_STR(mqtls_strerror(MQTLS_STATUS_COUNT), "unknown status");
    CHECK_EQ_STR(mqtls_strerror((mqtls_status_t)-1), "unknown status");
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(v5_names);
    RUN(v5_names_of_zero);
    RUN(v5_unknown_codes);
    RUN(v5_validity_matrix);
    RUN(v5_validity_spot_checks);
    RUN(v5_bad_authentication_method_in_disconnect);
    RUN(v311_connack_names);
    RUN(v311_suback_codes);
    RUN(v311_suback_name_of_zero);
    RUN(v311_other_packets);
    RUN(strerror_texts);
    return test_main_end();
}
