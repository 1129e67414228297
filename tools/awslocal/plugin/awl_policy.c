/**
 * @file awl_policy.c
 * @brief The per-thing policy of `mqtls awslocal` (see awl_policy.h): a topic or a filter is
 *        allowed when it lies inside one of the identity's prefixes, literally, so that a
 *        wildcard can never reach above them (`things/+/x` is not `things/<thing>/x`).
 */
#include "awslocal/plugin/awl_policy.h"

#include <stdio.h>
#include <string.h>

/* @p s starts with @p prefix and has something after it. */
static bool below(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 && s[n] != '\0';
}

/* `things/<thing>` itself or anything below it (what `things/<thing>/#` matches). */
static bool in_things_tree(const char *s, const char *thing)
{
    size_t n = strlen(thing);
    if (strncmp(s, "things/", 7) != 0 || strncmp(s + 7, thing, n) != 0)
        return false;
    return s[7 + n] == '\0' || s[7 + n] == '/';
}

/* A thing's own `$aws/things/<thing>/...` (the shadow and jobs topics). */
static bool in_aws_thing(const char *s, const char *thing)
{
    char prefix[200];
    int n = snprintf(prefix, sizeof prefix, "$aws/things/%s/", thing);
    return n > 0 && (size_t)n < sizeof prefix && below(s, prefix);
}

static bool claim_may(const char *s)
{
    return below(s, "$aws/certificates/create/") ||
           below(s, "$aws/certificates/create-from-csr/") ||
           below(s, "$aws/provisioning-templates/");
}

/* An identity that cannot be a thing name: empty, or holding a wildcard or a slash (the
 * name is put inside a topic). */
static bool usable_identity(const char *id)
{
    return id && *id && !strpbrk(id, "/+#");
}

static bool may_use(const char *identity, const char *s)
{
    if (!usable_identity(identity))
        return false;
    if (!strcmp(identity, AWL_CLAIM_CN))
        return claim_may(s);
    return in_aws_thing(s, identity) || in_things_tree(s, identity);
}

bool awl_policy_may_publish(const char *identity, const char *topic)
{
    return !strpbrk(topic, "+#") && may_use(identity, topic);
}

bool awl_policy_may_subscribe(const char *identity, const char *filter)
{
    return may_use(identity, filter);
}
