/* The cause catalog (src/diagnose/causes.c): ids unique, found again by id, each one
 * documented in docs/troubleshooting.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtls/diagnose.h"
#include "test.h"

static char *read_doc(void)
{
    FILE *f = fopen(MQTLS_SOURCE_DIR "/docs/troubleshooting.md", "rb");
    if (!f)
        return NULL;
    static char buf[1 << 17];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

TEST(ids_are_unique_and_found_again)
{
    for (int i = 0; i < MQTLS_CAUSE_COUNT; i++) {
        const mqtls_cause_info_t *a = mqtls_cause_info((mqtls_cause_t)i);
        REQUIRE(a->id && a->summary && a->why && a->fix);
        CHECK_EQ_INT(mqtls_cause_by_id(a->id), i);
        for (int j = i + 1; j < MQTLS_CAUSE_COUNT; j++)
            CHECK(strcmp(a->id, mqtls_cause_info((mqtls_cause_t)j)->id) != 0);
    }
    CHECK_EQ_INT(mqtls_cause_by_id("no.such_cause"), MQTLS_CAUSE_NONE);
    CHECK_EQ_STR(mqtls_cause_info((mqtls_cause_t)9999)->id, "unknown");
}

TEST(every_id_has_a_section_in_troubleshooting_md)
{
    const char *doc = read_doc();
    REQUIRE(doc != NULL);
    for (int i = 0; i < MQTLS_CAUSE_COUNT; i++) {
        char heading[96];
        const char *id = mqtls_cause_info((mqtls_cause_t)i)->id;
        snprintf(heading, sizeof heading, "\n### %s\n", id);
        if (!strstr(doc, heading))
            printf("  docs/troubleshooting.md lacks a section '### %s'\n", id);
        CHECK(strstr(doc, heading) != NULL);
    }
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(ids_are_unique_and_found_again);
    RUN(every_id_has_a_section_in_troubleshooting_md);
    return test_main_end();
}
