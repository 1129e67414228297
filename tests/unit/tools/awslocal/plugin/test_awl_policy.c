/**
 * @file test_awl_policy.c
 * @brief The IoT policy of `mqtls awslocal` (tools/awslocal/plugin/awl_policy.c): a thing's
 *        own prefixes, literally; wildcards never reach above them; the claim certificate's
 *        provisioning topics; identities that cannot be a thing.
 */
#include <stddef.h>

#include "awslocal/plugin/awl_policy.h"
#include "test.h"

TEST(a_thing_uses_its_own_topics)
{
    CHECK(awl_policy_may_publish("dev1", "things/dev1"));
    CHECK(awl_policy_may_publish("dev1", "things/dev1/temp"));
    CHECK(awl_policy_may_publish("dev1", "things/dev1/a/b/c"));
    CHECK(awl_policy_may_publish("dev1", "$aws/things/dev1/shadow/update"));
    CHECK(awl_policy_may_publish("dev1", "$aws/things/dev1/shadow/name/cfg/get"));
    CHECK(awl_policy_may_publish("dev1", "$aws/things/dev1/jobs/start-next"));
    CHECK(awl_policy_may_subscribe("dev1", "things/dev1/#"));
    CHECK(awl_policy_may_subscribe("dev1", "things/dev1/+"));
    CHECK(awl_policy_may_subscribe("dev1", "$aws/things/dev1/shadow/+/accepted"));
    CHECK(awl_policy_may_subscribe("dev1", "$aws/things/dev1/#"));
}

TEST(another_things_topics_are_refused)
{
    CHECK(!awl_policy_may_publish("dev1", "things/dev2/temp"));
    CHECK(!awl_policy_may_publish("dev1", "things/dev1x/temp")); /* a longer name */
    CHECK(!awl_policy_may_publish("dev1", "things/dev"));        /* a shorter one */
    CHECK(!awl_policy_may_publish("dev1", "$aws/things/dev2/shadow/update"));
    CHECK(!awl_policy_may_publish("dev1", "$aws/things/dev1"));  /* nothing of its own */
    CHECK(!awl_policy_may_publish("dev1", "$aws/things/dev1/"));
    CHECK(!awl_policy_may_publish("dev1", "dev1/temp"));
    CHECK(!awl_policy_may_publish("dev1", "$aws/certificates/create/json"));
    CHECK(!awl_policy_may_subscribe("dev1", "things/dev2/#"));
    CHECK(!awl_policy_may_subscribe("dev1", "$aws/things/dev2/shadow/get/accepted"));
}

TEST(wildcards_stay_below_the_own_prefix)
{
    CHECK(!awl_policy_may_subscribe("dev1", "#"));
    CHECK(!awl_policy_may_subscribe("dev1", "things/#"));
    CHECK(!awl_policy_may_subscribe("dev1", "things/+/temp"));
    CHECK(!awl_policy_may_subscribe("dev1", "$aws/things/+/shadow/update/delta"));
    CHECK(!awl_policy_may_subscribe("dev1", "+/dev1/temp"));
    /* A topic name has no wildcards: a publish with one is no topic of its own. */
    CHECK(!awl_policy_may_publish("dev1", "things/dev1/+"));
    CHECK(!awl_policy_may_publish("dev1", "things/dev1/#"));
}

TEST(the_claim_certificate_may_only_provision)
{
    CHECK(awl_policy_may_publish(AWL_CLAIM_CN, "$aws/certificates/create/json"));
    CHECK(awl_policy_may_subscribe(AWL_CLAIM_CN, "$aws/certificates/create/json/accepted"));
    CHECK(awl_policy_may_publish(AWL_CLAIM_CN, "$aws/certificates/create-from-csr/json"));
    CHECK(awl_policy_may_publish(AWL_CLAIM_CN,
                                 "$aws/provisioning-templates/default/provision/json"));
    CHECK(awl_policy_may_subscribe(AWL_CLAIM_CN,
                                   "$aws/provisioning-templates/default/provision/json/+"));
    CHECK(!awl_policy_may_publish(AWL_CLAIM_CN, "$aws/certificates/createx"));
    CHECK(!awl_policy_may_publish(AWL_CLAIM_CN, "$aws/certificates/create/"));
    CHECK(!awl_policy_may_publish(AWL_CLAIM_CN, "things/" AWL_CLAIM_CN "/x"));
    CHECK(!awl_policy_may_publish(AWL_CLAIM_CN, "$aws/things/" AWL_CLAIM_CN "/shadow/get"));
    CHECK(!awl_policy_may_subscribe(AWL_CLAIM_CN, "#"));
}

TEST(identities_that_cannot_be_a_thing_get_nothing)
{
    CHECK(!awl_policy_may_publish(NULL, "things//x"));
    CHECK(!awl_policy_may_publish("", "things//x"));
    CHECK(!awl_policy_may_publish("a/b", "things/a/b/x"));
    CHECK(!awl_policy_may_subscribe("+", "things/+/x"));
    CHECK(!awl_policy_may_subscribe("#", "things/#"));
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(a_thing_uses_its_own_topics);
    RUN(another_things_topics_are_refused);
    RUN(wildcards_stay_below_the_own_prefix);
    RUN(the_claim_certificate_may_only_provision);
    RUN(identities_that_cannot_be_a_thing_get_nothing);
    return test_main_end();
}
