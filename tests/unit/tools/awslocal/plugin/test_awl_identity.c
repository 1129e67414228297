/**
 * @file test_awl_identity.c
 * @brief A connection's thing (tools/awslocal/plugin/awl_identity.c): the CN, unless the
 *        state directory attaches that certificate to a thing; names that are not plain are
 *        never looked up, and a broken attachment falls back to the CN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awslocal/plugin/awl_identity.h"
#include "test.h"

static char state[64];

/* Writes @p text as state/principals/@p name. */
static void attach(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/%s", state, AWL_PRINCIPALS_DIR, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(the_cn_is_the_thing_when_nothing_is_attached)
{
    char buf[AWL_THING_MAX + 1];
    CHECK_EQ_STR(awl_identity(state, "dev1", buf, sizeof buf), "dev1");
    CHECK(awl_identity(state, NULL, buf, sizeof buf) == NULL);
}

TEST(an_attached_certificate_is_its_thing)
{
    char buf[AWL_THING_MAX + 1];
    attach("c0ffee", "sensor-7\n");
    CHECK_EQ_STR(awl_identity(state, "c0ffee", buf, sizeof buf), "sensor-7");
}

TEST(only_plain_names_are_looked_up_or_returned)
{
    char buf[AWL_THING_MAX + 1];
    attach("bad-target", "a/b\n");
    CHECK_EQ_STR(awl_identity(state, "bad-target", buf, sizeof buf), "bad-target");
    attach("empty", "\n");
    CHECK_EQ_STR(awl_identity(state, "empty", buf, sizeof buf), "empty");
    /* A CN that would leave the directory is the CN, unread. */
    CHECK_EQ_STR(awl_identity(state, "../principals/c0ffee", buf, sizeof buf),
                 "../principals/c0ffee");
}

int main(int argc, char **argv)
{
    char dir[256];
    snprintf(state, sizeof state, "/tmp/awl-identity-XXXXXX");
    if (!mkdtemp(state))
        return 1;
    snprintf(dir, sizeof dir, "%s/%s", state, AWL_PRINCIPALS_DIR);
    mkdir(dir, 0700);
    test_main_begin(argc, argv);
    RUN(the_cn_is_the_thing_when_nothing_is_attached);
    RUN(an_attached_certificate_is_its_thing);
    RUN(only_plain_names_are_looked_up_or_returned);
    int rc = test_main_end();
    const char *names[] = {"c0ffee", "bad-target", "empty"};
    for (size_t i = 0; i < 3; i++) {
        char p[320];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    rmdir(state);
    return rc;
}
