/**
 * @file test_cli_doc.c
 * @brief docs/cli.md against the option tables of pub/sub/doctor, cert, pki, explain,
 *        awslocal and shadow/jobs/provision: every option of a command is documented in the
 *        sections of docs/cli.md about that command (its long and its short form), and every
 *        option those sections name exists for the commands they are about.
 *
 * Why a unit test that reads the Markdown (through MQTLS_SOURCE_DIR) rather than a hidden
 * `mqtls --list-options` and a script: the test sees the tables themselves (no listing format
 * to keep in step, nothing hidden shipped in the tool), runs without a broker or a shell, and
 * names the option and the line of docs/cli.md that disagree. The sections and the commands
 * they are about are listed below; renaming a heading fails the test until the list follows.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tool_opts.h"
#include "aws/tool_aws.h"
#include "awslocal/tool_awslocal.h"
#include "creds/tool_cert.h"
#include "creds/tool_pki.h"
#include "explain/tool_explain.h"
#include "test.h"

/** A heading of docs/cli.md and the commands its text is about. A "###" heading listed here
 *  overrides its "##" section; one not listed belongs to it. */
typedef struct section {
    const char *heading;
    const tool_optset_t *set;
    const char *cmds; /**< the commands' names, separated by spaces */
} section_t;

#define CONN "pub sub doctor"
#define CERT "show convert check embed"

static const section_t sections[] = {
    {"## Exit status", &tool_opts_set, CONN},
    {"## Options shared by `pub` and `sub`", &tool_opts_set, "pub sub"},
    {"## `mqtls pub`", &tool_opts_set, "pub"},
    {"## `mqtls sub`", &tool_opts_set, "sub"},
    {"### When the broker goes away", &tool_opts_set, "pub sub"},
    {"### `pub --session-dir DIR`: nothing accepted is lost", &tool_opts_set, "pub"},
    {"## 5.0 properties: `-D CMD NAME VALUE`", &tool_opts_set, "pub sub"},
    {"## TLS", &tool_opts_set, CONN},
    {"## `-d` output", &tool_opts_set, "pub sub"},
    {"## `mqtls pki`: a local CA", &tool_pki_optset, "init server device"},
    {"## `mqtls cert`: certificates and keys", &tool_cert_optset, CERT},
    {"### `mqtls cert show FILE...`", &tool_cert_optset, "show"},
    {"### `mqtls cert convert IN OUT`", &tool_cert_optset, "convert"},
    {"### `mqtls cert check`", &tool_cert_optset, "check"},
    {"### `mqtls cert embed FILE... --name PREFIX`", &tool_cert_optset, "embed"},
    {"### Exit status of `mqtls cert`", &tool_cert_optset, CERT},
    {"## `mqtls doctor`", &tool_opts_set, "doctor"},
    {"## `mqtls explain`", &tool_explain_optset, "explain"},
    {"## `mqtls awslocal`: AWS IoT Core on your desk", &tool_awslocal_optset, "up thing job"},
    {"## `mqtls shadow`, `mqtls jobs`, `mqtls provision`: AWS IoT services", &tool_aws_optset,
     "shadow jobs provision"},
    {"### Connection flags of `shadow`, `jobs` and `provision`", &tool_opts_set, "aws"},
    /* Not checked: "The AWS IoT commands against `awslocal`" is examples, whose lines mix
     * the connection flags with the commands' own. */
    {"## Files", &tool_opts_set, CONN},
    {"## Limits, timeouts and output safety", &tool_opts_set, "pub sub"},
    /* Not checked: "Coming from mosquitto_pub / mosquitto_sub" names mosquitto's options,
     * some of which mqtls does not have. */
};

#define N_SECTIONS (sizeof sections / sizeof sections[0])

static const tool_optset_t *const sets[] = {&tool_opts_set, &tool_cert_optset, &tool_pki_optset,
                                            &tool_explain_optset, &tool_awslocal_optset,
                                            &tool_aws_optset};

/* The commands of a section as bits of its table; 0 if a name is none of its commands. */
static unsigned mask_of(const section_t *s)
{
    unsigned mask = 0;
    char names[64];
    snprintf(names, sizeof names, "%s", s->cmds);
    for (char *save, *n = strtok_r(names, " ", &save); n; n = strtok_r(NULL, " ", &save)) {
        const tool_cmddef_t *c = tool_optset_cmd(s->set, n);
        if (!c)
            return 0;
        mask |= c->bit;
    }
    return mask;
}

/* Options docs/cli.md names that belong to no command's table. */
static const char *const not_ours[] = {
    "--selftest-alpn", /* `mqtls --selftest-alpn HOST PORT`: the tool's, before any command */
    "--first-ok",      /* tests/brokers/mqtls_fake_broker's, in the paragraph about tests */
};

static bool is_not_ours(const char *tok)
{
    for (size_t i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++)
        if (!strcmp(tok, not_ours[i]))
            return true;
    return false;
}

static char *doc;
static char **lines;
static const section_t **line_sec; /* the section each line belongs to, NULL: not checked */
static size_t n_lines;
static bool found[N_SECTIONS];
static unsigned masks[N_SECTIONS];

static const section_t *section_of(const char *heading)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (!strcmp(sections[i].heading, heading)) {
            found[i] = true;
            masks[i] = mask_of(&sections[i]);
            return &sections[i];
        }
    return NULL;
}

/* Reads docs/cli.md into lines, each with its section. */
static bool load_doc(void)
{
    FILE *f = fopen(MQTLS_SOURCE_DIR "/docs/cli.md", "rb");
    if (!f)
        return false;
    size_t cap = 1 << 20, len = 0;
    doc = calloc(1, cap + 1);
    len = fread(doc, 1, cap, f);
    fclose(f);
    doc[len] = '\0';
    lines = calloc(len + 1, sizeof *lines);
    line_sec = calloc(len + 1, sizeof *line_sec);
    const section_t *h2 = NULL, *h3 = NULL;
    for (char *s = doc, *nl; s && *s; s = nl ? nl + 1 : NULL) {
        nl = strchr(s, '\n');
        if (nl)
            *nl = '\0';
        if (!strncmp(s, "## ", 3)) {
            h2 = section_of(s);
            h3 = NULL;
        } else if (!strncmp(s, "### ", 4)) {
            h3 = section_of(s);
        }
        lines[n_lines] = s;
        line_sec[n_lines++] = h3 ? h3 : h2;
    }
    return true;
}

static bool flag_char(char c)
{
    return isalnum((unsigned char)c) || c == '-';
}

/* @p tok ("--host", "-h") occurs in @p line as a word of its own. */
static bool has_token(const char *line, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = strstr(line, tok); p; p = strstr(p + 1, tok))
        if ((p == line || !flag_char(p[-1])) && !flag_char(p[n]))
            return true;
    return false;
}

/* @p tok is documented in a section about command @p bit of @p set. */
static bool documented(const tool_optset_t *set, unsigned bit, const char *tok)
{
    for (size_t i = 0; i < n_lines; i++)
        if (line_sec[i] && line_sec[i]->set == set && (masks[line_sec[i] - sections] & bit) &&
            has_token(lines[i], tok))
            return true;
    return false;
}

/* Direction one: each option, for each command that takes it, long and short form. */
static void check_table_documented(const tool_optset_t *set)
{
    for (size_t i = 0; i < set->n_opts; i++) {
        const tool_opt_t *o = &set->opts[i];
        for (size_t c = 0; c < set->n_cmds; c++) {
            if (!(o->cmds & set->cmds[c].bit))
                continue;
            char tok[48];
            snprintf(tok, sizeof tok, "--%s", o->lname);
            if (!CHECK(documented(set, set->cmds[c].bit, tok)))
                test_note("%s of mqtls %s%s%s is not in docs/cli.md's sections about it", tok,
                          set->family ? set->family : "", set->family ? " " : "",
                          set->cmds[c].name);
            snprintf(tok, sizeof tok, "-%c", o->sname);
            if (o->sname && !CHECK(documented(set, set->cmds[c].bit, tok)))
                test_note("%s (--%s) of mqtls %s%s%s is not in docs/cli.md's sections about it",
                          tok, o->lname, set->family ? set->family : "",
                          set->family ? " " : "", set->cmds[c].name);
        }
    }
}

/* @p tok ("--x" or "-x") is an option of @p set for one of the commands @p cmds. */
static bool exists(const tool_optset_t *set, unsigned cmds, const char *tok)
{
    for (size_t i = 0; i < set->n_opts; i++) {
        const tool_opt_t *o = &set->opts[i];
        bool same = tok[1] == '-' ? !strcmp(o->lname, tok + 2) : o->sname == tok[1];
        if (same && (o->cmds & cmds))
            return true;
    }
    return false;
}

/* The option at @p p ("--name" or "-x" as a word), copied to @p tok; false if none. */
static bool option_at(const char *line, const char *p, char tok[48])
{
    if (p[0] != '-' || (p > line && flag_char(p[-1])))
        return false;
    if (p[1] == '-' && islower((unsigned char)p[2])) {
        size_t n = 2;
        while (n < 47 && flag_char(p[n]))
            n++;
        while (p[n - 1] == '-')
            n--;
        memcpy(tok, p, n);
        tok[n] = '\0';
        return true;
    }
    if (isalpha((unsigned char)p[1]) && !flag_char(p[2])) {
        memcpy(tok, p, 2);
        tok[2] = '\0';
        return true;
    }
    return false;
}

/* Direction two: each option named in a section exists for the commands it is about. */
static void check_doc_exists(void)
{
    for (size_t i = 0; i < n_lines; i++) {
        const section_t *s = line_sec[i];
        char tok[48];
        for (const char *p = lines[i]; s && *p; p++)
            if (option_at(lines[i], p, tok) && !is_not_ours(tok) &&
                !CHECK(exists(s->set, masks[s - sections], tok)))
                test_note("docs/cli.md:%zu: %s is no option of the commands of '%s'", i + 1,
                          tok, s->heading);
    }
}

TEST(every_section_listed_is_in_the_doc)
{
    for (size_t i = 0; i < N_SECTIONS; i++) {
        if (!CHECK(found[i]))
            test_note("docs/cli.md has no heading '%s'", sections[i].heading);
        else if (!CHECK(masks[i] != 0))
            test_note("'%s': a command of '%s' is unknown", sections[i].heading,
                      sections[i].cmds);
    }
}

TEST(every_option_of_every_command_is_documented)
{
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        check_table_documented(sets[i]);
}

TEST(every_option_the_doc_names_exists)
{
    check_doc_exists();
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    if (!CHECK(load_doc()))
        return test_main_end();
    RUN(every_section_listed_is_in_the_doc);
    RUN(every_option_of_every_command_is_documented);
    RUN(every_option_the_doc_names_exists);
    free(line_sec);
    free(lines);
    free(doc);
    return test_main_end();
}
