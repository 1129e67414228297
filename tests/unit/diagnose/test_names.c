/* Which RFC 6125 rule a host name failed (src/diagnose/names.c), and that names which match
 * give no rule. */
#include <string.h>

#include "mqtls/diagnose.h"
#include "test.h"

static char out[512];

static bool rule(const char *host, const char *names, const char *subject)
{
    return mqtls_diag_name_rule(host, names, subject, out, sizeof out);
}

TEST(matching_names_give_no_rule)
{
    CHECK(!rule("localhost", "DNS:localhost", "CN=localhost"));
    CHECK(!rule("LocalHost.", "DNS:localhost", "CN=x"));
    CHECK(!rule("a.example.test", "DNS:other, DNS:*.example.test", "CN=x"));
    CHECK(!rule("127.0.0.1", "DNS:localhost, IP:127.0.0.1", "CN=x"));
    CHECK(!rule("::1", "IP:0:0:0:0:0:0:0:1", "CN=x"));
    CHECK(!rule("broker", "", "O=Org, CN=broker")); /* no DNS SAN: the CN counts */
    CHECK_EQ_STR(out, "");
}

TEST(wildcard_one_label_deep)
{
    CHECK(rule("a.b.example.test", "DNS:*.example.test", "CN=x"));
    CHECK(strstr(out, "covers one label only") != NULL);
    CHECK(strstr(out, "6.4.3") != NULL);
    CHECK(rule("example.test", "DNS:*.example.test", "CN=x")); /* not the domain itself */
    CHECK(strstr(out, "none of the certificate's names") != NULL);
    CHECK(rule("a.example.test", "DNS:a.*.test", "CN=x"));
    CHECK(strstr(out, "outside the whole left-most label") != NULL);
}

TEST(addresses_match_only_ip_names)
{
    CHECK(rule("127.0.0.1", "DNS:127.0.0.1", "CN=x"));
    CHECK(strstr(out, "never a DNS name or a wildcard") != NULL);
    CHECK(rule("10.0.0.1", "DNS:*.0.0.1", "CN=x"));
    CHECK(strstr(out, "never a DNS name or a wildcard") != NULL);
    CHECK(rule("127.0.0.1", "DNS:localhost", "CN=127.0.0.1"));
    CHECK(strstr(out, "only in the subject's CN") != NULL);
    CHECK(rule("127.0.0.2", "IP:127.0.0.1", "CN=x"));
    CHECK(strstr(out, "no iPAddress subjectAltName") != NULL);
}

TEST(cn_ignored_with_a_dns_san)
{
    CHECK(rule("broker.test", "DNS:other.test", "O=Org, CN=broker.test"));
    CHECK(strstr(out, "ignored when the certificate has DNS subjectAltNames") != NULL);
    CHECK(strstr(out, "6.4.4") != NULL);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(matching_names_give_no_rule);
    RUN(wildcard_one_label_deep);
    RUN(addresses_match_only_ip_names);
    RUN(cn_ignored_with_a_dns_san);
    return test_main_end();
}
