/**
 * @file test_format.c
 * @brief tools/mqtt/tool_format.c: what `mqtls sub` prints (docs/cli.md, "-F formats"):
 *        every % field with flags, width and precision, the \ escapes and @ time fields,
 *        %x/%X, the 5.0 property fields, %j and its --pretty layout, and the escaping of
 *        control characters in topics (-v and %t on a terminal).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqtls/codec.h"
#include "mqtt/tool_format.h"
#include "test.h"

static tool_buf_t out;
static mqtls_packet_t pkt;
static uint8_t wire[512];
static const tool_msg_ctx_t plain = {"cid-1", MQTLS_V311, false, false};

/* A 3.1.1 QoS 1 message on "a/b", id 7, payload "hello". */
static const mqtls_publish_t *msg311(void)
{
    static mqtls_publish_t m;
    memset(&m, 0, sizeof m);
    m.topic = mqtls_str("a/b");
    m.payload = (const uint8_t *)"hello";
    m.payload_len = 5;
    m.qos = 1;
    m.packet_id = 7;
    return &m;
}

/* Decodes @p n bytes of a 5.0 PUBLISH, as the tool sees messages (properties raw). */
static const mqtls_publish_t *decoded5(const void *bytes, size_t n)
{
    size_t used = 0;
    memcpy(wire, bytes, n);
    if (mqtls_decode(wire, n, MQTLS_V5, &pkt, &used) != MQTLS_OK)
        return NULL;
    return &pkt.u.publish;
}

/* Encodes then decodes a 5.0 message with every property %-field shows. */
static const mqtls_publish_t *msg5_props(void)
{
    static const mqtls_user_prop_t users[] = {{{"k", 1}, {"v", 1}}, {{"k2", 2}, {"w x", 3}}};
    mqtls_packet_t p;
    size_t n = 0;
    memset(&p, 0, sizeof p);
    p.type = MQTLS_PUBLISH;
    p.u.publish = *msg311();
    mqtls_props_t *pr = &p.u.publish.props;
    pr->present = MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS) | MQTLS_PROPBIT(MQTLS_PROP_CONTENT_TYPE) |
                  MQTLS_PROPBIT(MQTLS_PROP_CORRELATION_DATA) |
                  MQTLS_PROPBIT(MQTLS_PROP_MESSAGE_EXPIRY) |
                  MQTLS_PROPBIT(MQTLS_PROP_PAYLOAD_FORMAT) |
                  MQTLS_PROPBIT(MQTLS_PROP_RESPONSE_TOPIC);
    pr->topic_alias = 3;
    pr->content_type = mqtls_str("text/plain");
    pr->correlation_data = (mqtls_bin_t){(const uint8_t *)"c1", 2};
    pr->message_expiry = 60;
    pr->payload_format = 1;
    pr->response_topic = mqtls_str("re/ply");
    pr->user = users;
    pr->user_count = 2;
    if (mqtls_encode(&p, MQTLS_V5, wire, sizeof wire, &n) != MQTLS_OK)
        return NULL;
    uint8_t copy[sizeof wire];
    memcpy(copy, wire, n);
    return decoded5(copy, n);
}

/* Formats @p m with @p fmt into `out` (NUL-terminated for the checks). */
static const char *fmt(const char *f, const mqtls_publish_t *m, const tool_msg_ctx_t *ctx)
{
    out.len = 0;
    tool_format_message(&out, f, m, ctx);
    tool_buf_addc(&out, '\0');
    return out.p;
}

/* ===================================================================================== */

TEST(check_accepts_what_docs_list)
{
    char err[128];
    static const char *const good[] = {
        "%t %p %q %r %l %m %i %x %X %j %I %U %A %C %D %E %F %P %R %S %%",
        "%-10t|%05l|%.3t|%08.2C", "\\\\ \\0 \\a \\e \\n \\r \\t \\v", "@Y-@m-@d @N @@", "plain"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!CHECK(tool_format_check(good[i], err, sizeof err)))
            test_note("'%s': %s", good[i], err);
}

TEST(check_refuses_with_a_reason)
{
    char err[128];
    CHECK(!tool_format_check("%J", err, sizeof err));
    CHECK(strstr(err, "'%J'") != NULL);
    CHECK(!tool_format_check("ab%", err, sizeof err));
    CHECK(!tool_format_check("%5", err, sizeof err));
    CHECK(!tool_format_check("\\q", err, sizeof err));
    CHECK(strstr(err, "'\\q'") != NULL);
    CHECK(!tool_format_check("x\\", err, sizeof err));
    CHECK(!tool_format_check("time @", err, sizeof err));
    CHECK(strstr(err, "'@'") != NULL);
}

TEST(message_fields)
{
    const mqtls_publish_t *m = msg311();
    CHECK_EQ_STR(fmt("%t|%p|%q|%r|%l|%m|%i|%%", m, &plain), "a/b|hello|1|0|5|7|cid-1|%");
    CHECK_EQ_STR(fmt("%x %X", m, &plain), "68656c6c6f 68656C6C6F");
    CHECK_EQ_STR(fmt("no fields", m, &plain), "no fields");
    mqtls_publish_t r = *m;
    r.retain = true;
    r.qos = 0;
    r.packet_id = 0;
    CHECK_EQ_STR(fmt("%r %q %m", &r, &plain), "1 0 0");
}

TEST(width_flags_and_precision)
{
    const mqtls_publish_t *m = msg311();
    CHECK_EQ_STR(fmt("[%5q]", m, &plain), "[    1]");
    CHECK_EQ_STR(fmt("[%-5q]", m, &plain), "[1    ]");
    CHECK_EQ_STR(fmt("[%05l]", m, &plain), "[00005]");
    CHECK_EQ_STR(fmt("[%-05l]", m, &plain), "[5    ]"); /* left wins over 0 */
    CHECK_EQ_STR(fmt("[%05t]", m, &plain), "[  a/b]"); /* 0 pads numeric fields only */
    CHECK_EQ_STR(fmt("[%.2t]", m, &plain), "[a/]");
    CHECK_EQ_STR(fmt("[%6.2t]", m, &plain), "[    a/]");
    CHECK_EQ_STR(fmt("[%.2p]", m, &plain), "[hello]"); /* precision cuts %C %I %R %t only */
    CHECK_EQ_STR(fmt("[%2p]", m, &plain), "[hello]");
}

TEST(backslash_escapes)
{
    const mqtls_publish_t *m = msg311();
    fmt("\\\\\\a\\e\\n\\r\\t\\v|\\0|", m, &plain);
    CHECK_EQ_INT(out.len, 11);
    CHECK_EQ_MEM(out.p, "\\\a\033\n\r\t\v|\0|", 10);
}

/* @X is strftime's %X of the local time; @N nanoseconds; @@ an @. */
TEST(time_fields)
{
    const mqtls_publish_t *m = msg311();
    char year[8];
    time_t now = time(NULL);
    strftime(year, sizeof year, "%Y", localtime(&now));
    CHECK_EQ_STR(fmt("@Y", m, &plain), year);
    CHECK_EQ_STR(fmt("a@@b", m, &plain), "a@b");
    fmt("@N", m, &plain);
    CHECK_EQ_INT(out.len, 10);
    for (size_t i = 0; i + 1 < out.len; i++)
        CHECK(isdigit((unsigned char)out.p[i]));
    /* %U: seconds, a dot and nine digits; %I: 2024-05-06T22:12:00+0100 */
    char *dot = strchr(fmt("%U", m, &plain), '.');
    REQUIRE(dot != NULL);
    CHECK_EQ_INT(strlen(dot + 1), 9);
    CHECK(labs(strtol(out.p, NULL, 10) - (long)now) <= 2);
    fmt("%I", m, &plain);
    CHECK_EQ_INT(strlen(out.p), 24);
    CHECK_EQ_MEM(out.p, year, 4);
    CHECK(out.p[10] == 'T' && (out.p[19] == '+' || out.p[19] == '-'));
    CHECK_EQ_STR(fmt("%.4I", m, &plain), year);
}

TEST(property_fields)
{
    const mqtls_publish_t *m = msg5_props();
    REQUIRE(m != NULL);
    CHECK_EQ_STR(fmt("%A|%C|%D|%E|%F|%R", m, &plain), "3|text/plain|c1|60|1|re/ply");
    CHECK_EQ_STR(fmt("%P", m, &plain), "k:v k2:w x");
    CHECK_EQ_STR(fmt("[%.4C][%03E][%-4A]", m, &plain), "[text][060][3   ]");
    CHECK_EQ_STR(fmt("[%S]", m, &plain), "[]");
    /* Absent properties print nothing. */
    CHECK_EQ_STR(fmt("[%A%C%D%E%F%P%R%S]", msg311(), &plain), "[]");
}

/* A server PUBLISH matching two subscriptions: %S lists both identifiers. */
TEST(subscription_identifiers)
{
    static const uint8_t two_ids[] = {0x30, 0x0a, 0x00, 0x01, 0x74, 0x05, 0x0b,
                                      0x01, 0x0b, 0x82, 0x01, 0x78};
    const mqtls_publish_t *m = decoded5(two_ids, sizeof two_ids);
    REQUIRE(m != NULL);
    CHECK_EQ_STR(fmt("%S", m, &plain), "1,130");
}

/* The -v / %t topic on a terminal: C0, DEL and C1 controls escaped, the rest as it is. */
TEST(topic_escapes)
{
    static const char t[] = "a\x1b[2J\x7f\xc2\x9b\xc3\xa9\t";
    out.len = 0;
    tool_format_topic(&out, t, sizeof t - 1, true);
    tool_buf_addc(&out, '\0');
    CHECK_EQ_STR(out.p, "a\\x1b[2J\\x7f\\u009b\xc3\xa9\\x09");
    out.len = 0;
    tool_format_topic(&out, t, sizeof t - 1, false);
    CHECK_EQ_INT(out.len, sizeof t - 1);
    CHECK_EQ_MEM(out.p, t, sizeof t - 1);
    mqtls_publish_t m = *msg311();
    m.topic = (mqtls_str_t){t, (uint16_t)(sizeof t - 1)};
    tool_msg_ctx_t tty = plain;
    tty.escape_topic = true;
    CHECK_EQ_STR(fmt("%t", &m, &tty), "a\\x1b[2J\\x7f\\u009b\xc3\xa9\\x09");
}

/* %j: the members mosquitto_sub prints, the tst first (its time varies). */
TEST(json_object)
{
    const char *j = fmt("%j", msg311(), &plain);
    REQUIRE(strncmp(j, "{\"tst\":\"", 8) == 0);
    const char *rest = strchr(j + 8, '"');
    REQUIRE(rest != NULL);
    CHECK_EQ_INT(rest - (j + 8), 31); /* 2024-05-06T22:12:00.123456+0100 */
    CHECK_EQ_STR(rest, "\",\"topic\":\"a/b\",\"qos\":1,\"retain\":0,\"payloadlen\":5,"
                       "\"mid\":7,\"payload\":\"hello\"}");
    mqtls_publish_t m = *msg311();
    m.qos = 0;
    m.retain = true;
    m.payload_len = 0;
    rest = strchr(fmt("%j", &m, &plain) + 8, '"');
    CHECK_EQ_STR(rest, "\",\"topic\":\"a/b\",\"qos\":0,\"retain\":1,\"payloadlen\":0,"
                       "\"payload\":null}");
}

/* Quotes, backslashes and controls escaped; bytes that are not UTF-8 as \u00XX. */
TEST(json_escapes)
{
    mqtls_publish_t m = *msg311();
    m.topic = mqtls_str("t\"\\");
    m.payload = (const uint8_t *)"\x01\n\r\t\x7f\"\xff";
    m.payload_len = 7;
    const char *rest = strchr(fmt("%j", &m, &plain) + 8, '"');
    CHECK_EQ_STR(rest, "\",\"topic\":\"t\\\"\\\\\",\"qos\":1,\"retain\":0,\"payloadlen\":7,"
                       "\"mid\":7,\"payload\":\"\\u0001\\n\\r\\t\\u007f\\\"\\u00ff\"}");
    m.payload = (const uint8_t *)"\xc3\xa9";
    m.payload_len = 2;
    CHECK(strstr(fmt("%j", &m, &plain), "\"payload\":\"\xc3\xa9\"}") != NULL);
}

TEST(json_properties)
{
    const mqtls_publish_t *m = msg5_props();
    REQUIRE(m != NULL);
    const char *j = fmt("%j", m, &plain);
    CHECK(strstr(j, ",\"properties\":{\"payload-format-indicator\":1,"
                    "\"message-expiry-interval\":60,\"content-type\":\"text/plain\","
                    "\"response-topic\":\"re/ply\",\"correlation-data\":\"c1\","
                    "\"topic-alias\":3,\"user-properties\":{\"k\":\"v\",\"k2\":\"w x\"}},"
                    "\"payload\":\"hello\"}") != NULL);
}

/* --pretty: cJSON's layout, as mosquitto_sub --pretty prints it. */
TEST(json_pretty_layout)
{
    static const char compact[] = "{\"a\":1,\"b\":[1,2],\"c\":{},\"d\":[],\"e\":{\"f\":\"x,y:{\"}}";
    out.len = 0;
    tool_format_json_pretty(&out, compact, sizeof compact - 1);
    tool_buf_addc(&out, '\0');
    CHECK_EQ_STR(out.p, "{\n\t\"a\":\t1,\n\t\"b\":\t[1, 2],\n\t\"c\":\t{\n\t},\n"
                        "\t\"d\":\t[],\n\t\"e\":\t{\n\t\t\"f\":\t\"x,y:{\"\n\t}\n}");
    tool_msg_ctx_t pretty = plain;
    pretty.pretty = true;
    const char *j = fmt("%j", msg311(), &pretty);
    CHECK(strncmp(j, "{\n\t\"tst\":\t\"", 11) == 0);
    CHECK(strstr(j, ",\n\t\"payload\":\t\"hello\"\n}") != NULL);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(check_accepts_what_docs_list);
    RUN(check_refuses_with_a_reason);
    RUN(message_fields);
    RUN(width_flags_and_precision);
    RUN(backslash_escapes);
    RUN(time_fields);
    RUN(property_fields);
    RUN(subscription_identifiers);
    RUN(topic_escapes);
    RUN(json_object);
    RUN(json_escapes);
    RUN(json_properties);
    RUN(json_pretty_layout);
    tool_buf_free(&out);
    return test_main_end();
}
