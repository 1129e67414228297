/**
 * @file test_sl_constants.c
 * @brief Every integer constant the SimpleLink port declares (ports/simplelink/
 *        simplelink_api.h, as compiled) against a table transcribed from TI's headers
 *        (tests/data/ti/cc3220.txt, or cc3200.txt when built with MQTLS_SL_SDK_CC3200).
 *
 * The list of constants is not written here: the build extracts it from the preprocessed
 * header (sl_constants.awk), so a constant the port adds is checked too, and one the table
 * lacks fails ("transcribe it from TI, with its source"). The values are the compiler's.
 * A wrong constant is then caught by TI's numbers, not by the port's own header agreeing
 * with itself. The table's own shape is checked as well (every line has a declared source,
 * no name twice), and the comparison is shown to catch a changed value and a missing name.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simplelink_api.h"
#include "test.h"

#ifndef SL_TI_TABLE
#error "SL_TI_TABLE: the path of the transcribed TI table"
#endif

typedef struct port_const {
    const char *name;
    long long value;
} port_const_t;

static const port_const_t port_consts[] = {
#define X(name) {#name, (long long)(name)},
#include "sl_constants_gen.h"
#undef X
};
#define N_PORT (sizeof port_consts / sizeof port_consts[0])

/* One line of the table. */
typedef struct ti_const {
    char name[96];
    long long value;
    char source[32];
    unsigned line;
} ti_const_t;

#define TABLE_MAX 512
#define SOURCES_MAX 16
static ti_const_t table[TABLE_MAX];
static size_t table_len;
static char sources[SOURCES_MAX][32];
static size_t sources_len;

static const ti_const_t *table_find(const ti_const_t *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

static bool source_known(const char *tag)
{
    for (size_t i = 0; i < sources_len; i++)
        if (strcmp(sources[i], tag) == 0)
            return true;
    return false;
}

/* "# @source TAG text": a source the lines may name. */
static void parse_source(const char *line, unsigned no)
{
    char tag[32];
    if (sscanf(line, "# @source %31s", tag) != 1)
        return;
    if (!CHECK(sources_len < SOURCES_MAX))
        return;
    if (!CHECK(!source_known(tag)))
        test_note("line %u: source %s declared twice", no, tag);
    snprintf(sources[sources_len++], sizeof sources[0], "%s", tag);
}

/* "NAME VALUE SOURCE [note]". false (with a note) if the line is malformed. */
static bool parse_const(const char *line, unsigned no, ti_const_t *c)
{
    char value[40], *end = NULL;
    memset(c, 0, sizeof *c);
    c->line = no;
    if (sscanf(line, "%95s %39s %31s", c->name, value, c->source) != 3) {
        test_note("line %u: not NAME VALUE SOURCE: %s", no, line);
        return false;
    }
    c->value = strtoll(value, &end, 0);
    if (end == value || *end != '\0') {
        test_note("line %u: %s: '%s' is not an integer", no, c->name, value);
        return false;
    }
    return true;
}

static bool load_table(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    unsigned no = 0;
    if (!CHECK(f != NULL)) {
        test_note("cannot read %s", path);
        return false;
    }
    table_len = sources_len = 0;
    while (fgets(line, sizeof line, f)) {
        no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#') {
            parse_source(line, no);
            continue;
        }
        if (line[strspn(line, " \t")] == '\0')
            continue;
        ti_const_t c;
        if (!CHECK(parse_const(line, no, &c)) || !CHECK(table_len < TABLE_MAX))
            continue;
        table[table_len++] = c;
    }
    fclose(f);
    return true;
}

/* How many of the port's constants are not TI's: missing from @p t or another value. */
static unsigned compare(const port_const_t *p, size_t np, const ti_const_t *t, size_t nt,
                        bool report)
{
    unsigned bad = 0;
    for (size_t i = 0; i < np; i++) {
        const ti_const_t *c = table_find(t, nt, p[i].name);
        if (!c) {
            bad++;
            if (report)
                test_note("%s (port: %lld) is not in the TI table %s: transcribe TI's value "
                          "and name the source", p[i].name, p[i].value, SL_TI_TABLE);
        } else if (c->value != p[i].value) {
            bad++;
            if (report)
                test_note("%s: the port says %lld, TI %lld (%s, table line %u)", p[i].name,
                          p[i].value, c->value, c->source, c->line);
        }
    }
    return bad;
}

TEST(table_is_well_formed)
{
    REQUIRE(load_table(SL_TI_TABLE));
    test_note("%s: %zu constants, %zu sources", SL_TI_TABLE, table_len, sources_len);
    CHECK(table_len >= 50);
    CHECK(sources_len >= 1);
    for (size_t i = 0; i < table_len; i++) {
        if (!CHECK(source_known(table[i].source)))
            test_note("line %u: %s names source '%s', not declared by '# @source'",
                      table[i].line, table[i].name, table[i].source);
        if (!CHECK(table_find(table, i, table[i].name) == NULL))
            test_note("line %u: %s is in the table twice", table[i].line, table[i].name);
    }
}

TEST(every_port_constant_is_tis)
{
    REQUIRE(load_table(SL_TI_TABLE));
    test_note("the port declares %zu integer constants", N_PORT);
    /* An extraction that found (almost) nothing would compare nothing. */
    CHECK(N_PORT >= 40);
    CHECK(table_find(table, table_len, "SL_SO_SECURE_FILES") != NULL);
    CHECK_EQ_INT(compare(port_consts, N_PORT, table, table_len, true), 0);
}

/* The comparison itself: a value changed in the table, or a name taken out of it, is
 * found, and only that one. */
TEST(a_wrong_or_missing_constant_is_caught)
{
    REQUIRE(load_table(SL_TI_TABLE));
    REQUIRE(N_PORT > 0);
    static ti_const_t copy[TABLE_MAX];
    memcpy(copy, table, table_len * sizeof table[0]);
    ti_const_t *c = (ti_const_t *)table_find(copy, table_len, port_consts[0].name);
    REQUIRE(c != NULL);
    unsigned before = compare(port_consts, N_PORT, copy, table_len, false);
    c->value += 1;
    CHECK_EQ_INT(compare(port_consts, N_PORT, copy, table_len, false), before + 1);
    c->value -= 1;
    c->name[0] = '\0'; /* gone from the table */
    CHECK_EQ_INT(compare(port_consts, N_PORT, copy, table_len, false), before + 1);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(table_is_well_formed);
    RUN(every_port_constant_is_tis);
    RUN(a_wrong_or_missing_constant_is_caught);
    return test_main_end();
}
