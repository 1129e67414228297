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
 *
 * The host emulation (tests/support/sl_emu*.c) writes its numbers from TI's documentation
 * too, not from the port's header: they are checked against the same table, for the chip
 * whose SDK the build declares (CC3220 by default, CC3200 with MQTLS_SL_SDK_CC3200).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simplelink_api.h"
#include "sl_emu_internal.h"
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
                test_note("%s (ours: %lld) is not in the TI table %s: transcribe TI's value "
                          "and name the source", p[i].name, p[i].value, SL_TI_TABLE);
        } else if (c->value != p[i].value) {
            bad++;
            if (report)
                test_note("%s: ours is %lld, TI's %lld (%s, table line %u)", p[i].name,
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

/* The emulation's codes, by TI's name for the chip of this build's SDK. */
#ifdef MQTLS_SL_SDK_CC3200
#define EMU_CHIP SL_EMU_CC3200
#define TI(cc3200, cc3220) cc3200
#else
#define EMU_CHIP SL_EMU_CC3220
#define TI(cc3200, cc3220) cc3220
#endif

TEST(the_emulation_answers_tis_codes)
{
    REQUIRE(load_table(SL_TI_TABLE));
    sl_emu__device = EMU_CHIP;
    const sl_emu_codes_t *c = sl_emu__codes();
    const port_const_t emu[] = {
        {TI("SL_SOC_ERROR", "SL_ERROR_BSD_SOC_ERROR"), E_SOC_ERROR},
        {TI("SL_EBADF", "SL_ERROR_BSD_EBADF"), E_BADF},
        {TI("SL_ENSOCK", "SL_ERROR_BSD_ENSOCK"), E_ENSOCK},
        {TI("SL_ENOMEM", "SL_ERROR_BSD_ENOMEM"), E_NOMEM},
        {TI("SL_EINVAL", "SL_ERROR_BSD_EINVAL"), E_INVAL},
        {TI("SL_ENOPROTOOPT", "SL_ERROR_BSD_ENOPROTOOPT"), E_NOPROTOOPT},
        {TI("SL_EPROTONOSUPPORT", "SL_ERROR_BSD_EPROTONOSUPPORT"), E_PROTONOSUPPORT},
        {TI("SL_ENETUNREACH", "SL_ERROR_BSD_ENETUNREACH"), E_NETUNREACH},
        {TI("SL_EISCONN", "SL_ERROR_BSD_EISCONN"), E_ISCONN},
        {TI("SL_ENOTCONN", "SL_ERROR_BSD_ENOTCONN"), E_NOTCONN},
        {TI("SL_ETIMEDOUT", "SL_ERROR_BSD_ETIMEDOUT"), E_TIMEDOUT},
        {TI("SL_ECONNREFUSED", "SL_ERROR_BSD_ECONNREFUSED"), E_CONNREFUSED},
        {TI("SL_EAGAIN", "SL_ERROR_BSD_EAGAIN"), E_AGAIN},
        {TI("SL_EALREADY", "SL_ERROR_BSD_EALREADY"), E_ALREADY},
        {TI("SL_ESEC_CLOSE_NOTIFY", "SL_ERROR_BSD_ESEC_CLOSE_NOTIFY"), E_SEC_ALERT_BASE},
        {TI("SL_ESECGENERAL", "SL_ERROR_BSD_ESECGENERAL"), E_SECGENERAL},
        {TI("SL_ESECCLOSED", "SL_ERROR_BSD_ESECCLOSED"), E_SECCLOSED},
        {TI("SL_ESECSNOVERIFY", "SL_ERROR_BSD_ESECSNOVERIFY"), E_SECSNOVERIFY},
        {TI("SL_ESECNOCAFILE", "SL_ERROR_BSD_ESECNOCAFILE"), E_SECNOCAFILE},
        {TI("SL_ESECBADCAFILE", "SL_ERROR_BSD_ESECBADCAFILE"), E_SECBADCAFILE},
        {TI("SL_ESECBADCERTFILE", "SL_ERROR_BSD_ESECBADCERTFILE"), E_SECBADCERTFILE},
        {TI("SL_ESECBADPRIVATEFILE", "SL_ERROR_BSD_ESECBADPRIVATEFILE"), E_SECBADPRIVATEFILE},
        {TI("SL_ESECDATEERROR", "SL_ERROR_BSD_ESECDATEERROR"), E_SECDATEERROR},
        {TI("SL_ESECHANDSHAKETIMEDOUT", "SL_ERROR_BSD_ESECHANDSHAKETIMEDOUT"),
         E_SECHANDSHAKETIMEDOUT},
        {TI("SL_ESEC_ASN_SIG_CONFIRM_E", "SL_ERROR_BSD_ESEC_ASN_NO_SIGNER_E"), c->sig_confirm},
        {TI("SL_ESEC_DOMAIN_NAME_MISMATCH", "SL_ERROR_BSD_ESEC_DOMAIN_NAME_MISMATCH"),
         c->domain_mismatch},
        {TI("SL_ESEC_UNSUPPORTED_SUITE", "SL_ERROR_BSD_ESEC_UNSUPPORTED_SUITE"),
         c->unsupported_suite},
        {TI("SL_NET_APP_DNS_QUERY_FAILED", "SL_ERROR_NET_APP_DNS_QUERY_FAILED"), c->dns_failed},
        {TI("SL_FS_ERR_FILE_NOT_EXISTS", "SL_ERROR_FS_FILE_NOT_EXISTS"), c->fs_not_exists},
        {TI("SL_FS_FILE_NAME_EXIST", "SL_ERROR_FS_FILE_NAME_EXIST"), c->fs_name_exist},
        {TI("SL_FS_ERR_INVALID_HANDLE", "SL_ERROR_FS_INVALID_HANDLE"), c->fs_invalid_handle},
        /* CC3200: no code for it found; SL_FS_ERR_UNKNOWN is the emulation's choice. */
        {TI("SL_FS_ERR_UNKNOWN", "SL_ERROR_FS_MAX_OPENED_FILE_EXCEEDED"), c->fs_max_opened},
    };
    CHECK_EQ_INT(compare(emu, sizeof emu / sizeof emu[0], table, table_len, true), 0);
#ifndef MQTLS_SL_SDK_CC3200 /* a CC3220 code only: no -468 in the CC3200 SDK */
    const port_const_t root = {"SL_ERROR_BSD_ESECUNKNOWNROOTCA", E_SECUNKNOWNROOTCA};
    CHECK_EQ_INT(compare(&root, 1, table, table_len, true), 0);
#endif
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(table_is_well_formed);
    RUN(every_port_constant_is_tis);
    RUN(a_wrong_or_missing_constant_is_caught);
    RUN(the_emulation_answers_tis_codes);
    return test_main_end();
}
