/* The cause catalog (src/diagnose/causes.c): ids unique, found again by id, each one
 * documented in docs/troubleshooting.md and listed with its summary in docs/doctor.md. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtls/diagnose.h"
#include "test.h"

/* A document of docs/, whole (NULL if it cannot be read or is larger than the buffer). */
static char *read_doc(const char *name)
{
    static char buf[2][1 << 18];
    static int which;
    char path[512];
    snprintf(path, sizeof path, "%s/docs/%s", MQTLS_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = buf[which ^= 1];
    size_t n = fread(b, 1, sizeof buf[0], f);
    fclose(f);
    if (n == sizeof buf[0])
        return NULL; /* too large for the buffer: a test that read half would mislead */
    b[n] = '\0';
    return b;
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
    const char *doc = read_doc("troubleshooting.md");
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

TEST(every_id_is_in_doctor_md_with_its_summary)
{
    const char *doc = read_doc("doctor.md");
    REQUIRE(doc != NULL);
    for (int i = 0; i < MQTLS_CAUSE_COUNT; i++) {
        const mqtls_cause_info_t *a = mqtls_cause_info((mqtls_cause_t)i);
        char row[96];
        snprintf(row, sizeof row, "\n| `%s` | ", a->id);
        const char *at = strstr(doc, row);
        const char *end = at ? strchr(at + 1, '\n') : NULL;
        /* the last cell, whole: "| summary |" just before the end of the row */
        size_t n = strlen(a->summary);
        bool ok = at && end && (size_t)(end - at) > n + 4 &&
                  strncmp(end - n - 2, a->summary, n) == 0 && strncmp(end - n - 4, "| ", 2) == 0 &&
                  strncmp(end - 2, " |", 2) == 0;
        if (!ok)
            printf("  docs/doctor.md (\"Every cause\") lacks the row of '%s' with '%s'\n", a->id,
                   a->summary);
        CHECK(ok);
    }
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(ids_are_unique_and_found_again);
    RUN(every_id_has_a_section_in_troubleshooting_md);
    RUN(every_id_is_in_doctor_md_with_its_summary);
    return test_main_end();
}
