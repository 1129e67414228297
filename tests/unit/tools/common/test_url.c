/**
 * @file test_url.c
 * @brief tools/common/tool_url.c: the -L URL forms of docs/cli.md,
 *        `mqtt://[user[:password]@]host[:port]/topic` and `mqtts://` (default port 8883),
 *        IPv6 literals, and a clear reason for every URL it refuses.
 */
#include <string.h>

#include "common/tool_url.h"
#include "test.h"

static tool_url_t u;
static char err[160];

static int parse(const char *url)
{
    err[0] = '\0';
    return tool_url_parse(url, &u, err, sizeof err);
}

TEST(host_only_takes_the_scheme_default_port)
{
    REQUIRE(parse("mqtt://broker.example"));
    CHECK(!u.tls);
    CHECK_EQ_STR(u.host, "broker.example");
    CHECK_EQ_INT(u.port, 1883);
    CHECK(!u.port_given);
    CHECK(u.user == NULL && u.password == NULL && u.topic == NULL);
    tool_url_free(&u);
    REQUIRE(parse("mqtts://broker.example/"));
    CHECK(u.tls);
    CHECK_EQ_INT(u.port, 8883);
    CHECK(!u.port_given);
    CHECK(u.topic == NULL); /* an empty path is no topic */
    tool_url_free(&u);
}

TEST(every_part)
{
    REQUIRE(parse("mqtt://user:secret@broker.example:1884/sensors/kitchen"));
    CHECK_EQ_STR(u.user, "user");
    CHECK_EQ_STR(u.password, "secret");
    CHECK_EQ_STR(u.host, "broker.example");
    CHECK_EQ_INT(u.port, 1884);
    CHECK(u.port_given);
    CHECK_EQ_STR(u.topic, "sensors/kitchen");
    tool_url_free(&u);
    CHECK(u.host == NULL && u.user == NULL); /* freed and cleared */
}

/* The topic is everything after the first '/', wildcards and all; a user without a
 * password; the last '@' before the path ends the user information. */
TEST(topics_and_user_information)
{
    REQUIRE(parse("mqtts://me@h/sensors/#"));
    CHECK_EQ_STR(u.user, "me");
    CHECK(u.password == NULL);
    CHECK_EQ_STR(u.topic, "sensors/#");
    tool_url_free(&u);
    REQUIRE(parse("mqtt://a@b:p:w@h:2/t/+/x@y"));
    CHECK_EQ_STR(u.user, "a@b");
    CHECK_EQ_STR(u.password, "p:w");
    CHECK_EQ_STR(u.host, "h");
    CHECK_EQ_INT(u.port, 2);
    CHECK_EQ_STR(u.topic, "t/+/x@y");
    tool_url_free(&u);
    REQUIRE(parse("mqtt://:@h"));
    CHECK_EQ_STR(u.user, "");
    CHECK_EQ_STR(u.password, "");
    tool_url_free(&u);
}

TEST(ipv6_literals)
{
    REQUIRE(parse("mqtt://[::1]:1999/t"));
    CHECK_EQ_STR(u.host, "::1");
    CHECK_EQ_INT(u.port, 1999);
    CHECK_EQ_STR(u.topic, "t");
    tool_url_free(&u);
    REQUIRE(parse("mqtts://u:p@[fe80::1%25eth0]"));
    CHECK_EQ_STR(u.host, "fe80::1%25eth0");
    CHECK_EQ_INT(u.port, 8883);
    tool_url_free(&u);
}

TEST(ports_at_the_edges)
{
    REQUIRE(parse("mqtt://h:1"));
    CHECK_EQ_INT(u.port, 1);
    tool_url_free(&u);
    REQUIRE(parse("mqtt://h:65535"));
    CHECK_EQ_INT(u.port, 65535);
    tool_url_free(&u);
    static const char *const bad[] = {"mqtt://h:0",  "mqtt://h:65536", "mqtt://h:",
                                      "mqtt://h:-1", "mqtt://h:12ab",  "mqtt://h:123456",
                                      "mqtt://[::1]x", "mqtt://[::1]:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (!CHECK(!parse(bad[i]))) {
            test_note("%s was taken", bad[i]);
            tool_url_free(&u);
            continue;
        }
        CHECK(strstr(err, "invalid port") != NULL);
        CHECK(u.host == NULL); /* nothing left allocated on failure */
    }
}

TEST(refusals_say_why)
{
    CHECK(!parse("http://h/t"));
    CHECK(strstr(err, "mqtt:// or mqtts://") != NULL);
    CHECK(!parse("MQTT://h"));
    CHECK(!parse("mqtt:/h"));
    CHECK(!parse("mqtt://"));
    CHECK(strstr(err, "no host") != NULL);
    CHECK(!parse("mqtt://user@/t"));
    CHECK(strstr(err, "no host") != NULL);
    CHECK(!parse("mqtt://:1883"));
    CHECK(strstr(err, "no host") != NULL);
    CHECK(!parse("mqtt://[::1/t"));
    CHECK(strstr(err, "']'") != NULL);
    CHECK(!parse("mqtt://[]:1"));
    CHECK(strstr(err, "no host") != NULL);
    CHECK(u.user == NULL); /* the user information parsed before the fault is freed */
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(host_only_takes_the_scheme_default_port);
    RUN(every_part);
    RUN(topics_and_user_information);
    RUN(ipv6_literals);
    RUN(ports_at_the_edges);
    RUN(refusals_say_why);
    return test_main_end();
}
