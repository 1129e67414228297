/**
 * @file test_golden_data.c
 * @brief The reader of the golden vectors (tests/support/golden.c, format in
 *        tests/data/golden/README.md): what a record becomes, and that every fault in the
 *        files stops the program with the file and line instead of dropping a vector or a
 *        field quietly. Each load runs in a child process (the reader exits on a fault).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "golden.h"
#include "test.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        perror(path);
}

/* A data directory with @p packets as its only packets file. */
static void make_dir(const char *packets)
{
    char sub[96];
    snprintf(dir, sizeof dir, "/tmp/mqtls-golden-XXXXXX");
    if (mkdtemp(dir) == NULL)
        perror("mkdtemp");
    snprintf(sub, sizeof sub, "%s/packets", dir);
    mkdir(sub, 0700);
    write_file("remaining_length.txt", "# value = bytes\n0 = 00\n128 = 80 01\n");
    if (packets != NULL)
        write_file("packets/a.txt", packets);
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        test_note("could not remove %s", dir);
}

/* Loads the directory in a child; returns its exit status (0: loaded), its stderr in @p err. */
static int load_in_child(char *err, size_t n)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 2);
        setenv("MQTLS_GOLDEN_DIR", dir, 1);
        golden_load("/nonexistent");
        _exit(golden_count == 1 ? 0 : 3);
    }
    close(pipefd[1]);
    size_t used = 0;
    for (ssize_t got; used + 1 < n && (got = read(pipefd[0], err + used, n - 1 - used)) > 0;)
        used += (size_t)got;
    err[used] = '\0';
    close(pipefd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char head[] = "[v]\nabout = a test\nversion = 5.0\nform = exact\n"
                           "bytes = e0 00\n";

/* @p body after the record's header must be refused with @p words in the message. */
static void refused(const char *body, const char *words, int line)
{
    char text[512], err[512];
    snprintf(text, sizeof text, "%s%s", head, body);
    make_dir(text);
    if (!CHECK_EQ_INT(load_in_child(err, sizeof err), 1) || !CHECK(strstr(err, words) != NULL))
        test_note("case at line %d: stderr '%s'", line, err);
    CHECK(strstr(err, "/packets/a.txt:") != NULL); /* the file, and a line, are named */
    remove_dir();
}
#define REFUSED(body, words) refused(body, words, __LINE__)

TEST(a_record_becomes_a_vector)
{
    setenv("MQTLS_GOLDEN_DIR", "", 1); /* an empty value: the directory given is used */
    make_dir("# comment\n"
             "[pub]\n"
             "about = line one\n"
             "        line two\n"
             "version = 5.0\n"
             "form = reordered\n"
             "bytes = 30 0a 00 01\n"
             "        74 05 0b 01 0b 82 01 78\n"
             "type = PUBLISH\n"
             "topic = \"t\\x41\\\"\"\n"
             "qos = 0x1\n"
             "packet_id = 65535\n"
             "payload = \"\"\n"
             "props.subscription_id = 1\n"
             "props.user = \"k\" \"v\"\n"
             "props.user = \"k\" \"v2\"\n");
    golden_load(dir);
    REQUIRE_EQ_INT(golden_count, 1);
    const golden_t *g = golden_find("pub");
    CHECK_EQ_STR(g->about, "line one\nline two");
    CHECK_EQ_INT(g->version, MQTLS_V5);
    CHECK_EQ_INT(g->form, GOLDEN_REORDERED);
    CHECK_EQ_INT(g->len, 12);
    CHECK_EQ_MEM(g->bytes, "\x30\x0a\x00\x01\x74\x05\x0b\x01\x0b\x82\x01\x78", 12);
    const mqtls_publish_t *p = &g->want.u.publish;
    CHECK_EQ_INT(g->want.type, MQTLS_PUBLISH);
    CHECK_EQ_INT(p->topic.len, 3);
    CHECK_EQ_MEM(p->topic.data, "tA\"", 3);
    CHECK_EQ_INT(p->qos, 1);
    CHECK_EQ_INT(p->packet_id, 65535);
    CHECK(p->payload != NULL && p->payload_len == 0);
    CHECK_EQ_INT(p->props.present, MQTLS_PROPBIT(MQTLS_PROP_SUBSCRIPTION_ID));
    CHECK_EQ_INT(p->props.subscription_id, 1);
    REQUIRE_EQ_INT(p->props.user_count, 2);
    CHECK_EQ_MEM(p->props.user[1].value.data, "v2", 2);
    REQUIRE_EQ_INT(golden_rl_count, 2);
    CHECK_EQ_INT(golden_rl[1].value, 128);
    CHECK_EQ_INT(golden_rl[1].n, 2);
    remove_dir();
}

TEST(faults_stop_the_program)
{
    REFUSED("type = PUBLISH\ntopc = \"t\"\n", "has no field 'topc'");
    REFUSED("type = PUBLISH\nclient_id = \"c\"\n", "has no field 'client_id'");
    REFUSED("qos = 1\ntype = PUBLISH\n", "qos before type");
    REFUSED("type = PUBLISH\nqos = 256\n", "not a number");
    REFUSED("type = PUBLISH\nqos = 1x\n", "not a number");
    REFUSED("type = PUBLISH\ntopic = t\n", "quoted string");
    REFUSED("type = PUBLISH\ntopic = \"t\n", "unterminated");
    REFUSED("type = PUBLISH\ntopic = \"\\q\"\n", "bad escape");
    REFUSED("type = PUBLISH\nprops.no_such = 1\n", "no property 'no_such'");
    REFUSED("type = PUBLISH\nprops.topic_alias = 1\nprops.topic_alias = 2\n", "twice");
    REFUSED("type = PUBLISH\nwill_props.content_type = \"x\"\n", "has no 'will_props'");
    REFUSED("type = PINGREQ\nprops.user = \"k\" \"v\"\n", "has no 'props'");
    REFUSED("type = NOPE\n", "not a packet type");
    REFUSED("type = PUBLISH\nversion = 3.1.1\n", "version is given twice");
    REFUSED("\n  stray\ntype = AUTH\n", "continues nothing");
    REFUSED("type = PUBLISH\njust words\n", "neither [name] nor key = value");
    REFUSED("type = PUBLISH\n[v]\nabout = x\nversion = 5.0\nform = exact\nbytes = e0 00\n"
            "type = DISCONNECT\n",
            "there twice");
    REFUSED("", "needs about, version, form, bytes and type");
}

TEST(header_faults)
{
    static const struct {
        const char *text, *words;
    } cases[] = {
        {"[v]\nabout = a\nversion = 4\nform = exact\nbytes = 00\ntype = AUTH\n", "version"},
        {"[v]\nabout = a\nversion = 5.0\nform = best\nbytes = 00\ntype = AUTH\n", "form"},
        {"[v]\nabout = a\nversion = 5.0\nform = exact\nbytes = 0g\ntype = AUTH\n", "hex byte"},
        {"[v]\nabout = a\nversion = 5.0\nform = exact\nbytes = 123\ntype = AUTH\n", "hex byte"},
        {"[v]\nabout = a\nversion = 5.0\nform = exact\nbytes =\ntype = AUTH\n", "no bytes"},
        {"about = a\n", "before the first [name]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512];
        make_dir(cases[i].text);
        if (!CHECK_EQ_INT(load_in_child(err, sizeof err), 1) ||
            !CHECK(strstr(err, cases[i].words) != NULL))
            test_note("case %zu: '%s'", i, err);
        remove_dir();
    }
}

/* No data at all is a fault too, not zero vectors checked. */
TEST(missing_or_empty_data)
{
    char err[512];
    make_dir(NULL);
    CHECK_EQ_INT(load_in_child(err, sizeof err), 1);
    if (!CHECK(strstr(err, "no golden vectors") != NULL))
        test_note("stderr: '%s'", err);
    remove_dir();
    snprintf(dir, sizeof dir, "/nonexistent/golden");
    CHECK_EQ_INT(load_in_child(err, sizeof err), 1);
    CHECK(strstr(err, "cannot open the directory") != NULL);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(faults_stop_the_program);
    RUN(header_faults);
    RUN(missing_or_empty_data);
    RUN(a_record_becomes_a_vector); /* last: it loads in this process */
    return test_main_end();
}
