/**
 * @file test_explain.c
 * @brief `mqtls explain` (tools/explain/): the stack table, how CODE is read, what the
 *        report says per chip and per stack (Mbed TLS errors and verify flags, TLS alerts,
 *        X509_V_ERR), that every cause named is in the doctor's catalog, the guess without
 *        --stack, --json, and the exit statuses of the command line (a negative CODE is a
 *        CODE, not an option).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/tool_util.h"
#include "explain/tool_explain.h"
#include "mqtls/diagnose.h"
#include "test.h"

/* The report of @p code on stack @p name, in a static buffer; *rc its return. */
static const char *report(const char *name, long code, int *rc)
{
    static char buf[4096];
    const tool_explain_stack_t *s = tool_explain_stack(name);
    FILE *f = tmpfile();
    if (s == NULL || f == NULL)
        return "";
    *rc = tool_explain_print(s, code, false, f);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Runs `mqtls explain ARGS...` (NULL-terminated), its stdout discarded; returns the exit
 * status (-1 if stdout could not be redirected). */
static int run(const char *first, ...)
{
    char *argv[8] = {(char *)"explain"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 7; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
    if (saved < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0)
        return -1;
    int rc = tool_explain_main(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(null);
    return rc;
}

TEST(stacks_are_rows_of_one_table)
{
    CHECK(tool_explain_n_stacks >= 3);
    const tool_explain_stack_t *c20 = tool_explain_stack("cc3220");
    const tool_explain_stack_t *c00 = tool_explain_stack("cc3200");
    const tool_explain_stack_t *sl = tool_explain_stack("simplelink");
    REQUIRE(c20 && c00 && sl);
    CHECK(c20 == &tool_explain_stacks[0]); /* the default */
    CHECK_EQ_INT(sl->chip, c20->chip);     /* simplelink means the CC3220 */
    CHECK(c00->chip != c20->chip);
    CHECK(tool_explain_stack("CC3220") == NULL);
    CHECK(tool_explain_stack("") == NULL);
    for (size_t i = 0; i < tool_explain_n_stacks; i++)
        CHECK(tool_explain_stacks[i].explain != NULL && tool_explain_stacks[i].about[0]);
}

TEST(codes_are_read_as_the_stack_numbers_them)
{
    const tool_explain_stack_t *s = tool_explain_stack("cc3220");
    long c = 1;
    REQUIRE(s);
    CHECK(tool_explain_parse_code(s, "-468", &c) && c == -468);
    CHECK(tool_explain_parse_code(s, "468", &c) && c == -468); /* the sign left out */
    CHECK(tool_explain_parse_code(s, "+468", &c) && c == -468);
    CHECK(tool_explain_parse_code(s, "0", &c) && c == 0);
    CHECK(tool_explain_parse_code(s, "-32768", &c) && c == -32768);
    CHECK(!tool_explain_parse_code(s, "-32769", &c));
    CHECK(!tool_explain_parse_code(s, "99999999999999999999", &c));
    CHECK(!tool_explain_parse_code(s, "abc", &c));
    CHECK(!tool_explain_parse_code(s, "-", &c));
    CHECK(!tool_explain_parse_code(s, "", &c));
    CHECK(!tool_explain_parse_code(s, "-46x", &c));
    CHECK(!tool_explain_parse_code(s, " 468", &c));
    CHECK(!tool_explain_parse_code(s, "0x1d4", &c));
}

TEST(the_report_is_the_chips)
{
    int rc = -1;
    const char *r = report("cc3220", -468, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "SL_ERROR_BSD_ESECUNKNOWNROOTCA") != NULL);
    CHECK(strstr(r, "cause:   tls.server_untrusted_root") != NULL);
    CHECK(strstr(r, "connected, but") != NULL);
    CHECK(strstr(r, "flash") != NULL);
    r = report("cc3200", -468, &rc);
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN); /* the CC3200 SDK has no -468 */
    CHECK(strstr(r, "no entry in the cc3200 table") != NULL);
    CHECK(strstr(r, "not a CC3200 code") != NULL);
    r = report("cc3200", -222, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "SL_ESEC_DOMAIN_NAME_MISMATCH") != NULL);
    CHECK(strstr(r, "tls.hostname_mismatch") != NULL);
    r = report("cc3220", -222, &rc);
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN);
    r = report("cc3200", -456, &rc);
    CHECK(strstr(r, "SL_ESECBADCAFILE") != NULL && strstr(r, "given by id") != NULL);
    r = report("simplelink", -456, &rc);
    CHECK(strstr(r, "SL_ERROR_BSD_ESECBADCAFILE") != NULL && strstr(r, "given by id") == NULL);
    r = report("cc3220", -348, &rc); /* errors.h names no -348 */
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "-348 (the SDK gives it no name)") != NULL);
    r = report("cc3220", 0, &rc);
    CHECK_EQ_INT(rc, 0);
    /* Every line fits 80 columns. */
    for (const char *l = report("cc3200", -461, &rc); *l;) {
        size_t n = strcspn(l, "\n");
        CHECK(n <= 80);
        l += n + (l[n] == '\n');
    }
}

TEST(exit_statuses_of_the_command_line)
{
    CHECK_EQ_INT(run("--stack", "cc3220", "-468", NULL), 0);
    CHECK_EQ_INT(run("-468", "--stack", "cc3220", NULL), 0);
    CHECK_EQ_INT(run("--stack=cc3200", "-456", NULL), 0);
    CHECK_EQ_INT(run("468", NULL), 0);
    CHECK_EQ_INT(run("--", "-468", NULL), 0);
    CHECK_EQ_INT(run("--stack", "cc3200", "-468", NULL), TOOL_EXPLAIN_EXIT_UNKNOWN);
    CHECK_EQ_INT(run("-9999", NULL), TOOL_EXPLAIN_EXIT_UNKNOWN);
    CHECK_EQ_INT(run(NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("abc", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--stack", "opensl", "42", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--stack", "openssl", "256", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--stack", "-468", NULL), TOOL_EXIT_USAGE); /* no stack given */
    CHECK_EQ_INT(run("--stack", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("-1", "-2", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--bogus", "-1", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("-40000", NULL), TOOL_EXIT_USAGE);
    CHECK_EQ_INT(run("--help", NULL), 0);
}

/* The cause line of a report ("" if none), in a static buffer. */
static const char *cause_of(const char *name, long code)
{
    static char c[64];
    int rc;
    const char *r = strstr(report(name, code, &rc), "cause:   ");
    c[0] = '\0';
    if (r)
        sscanf(r + 9, "%63s", c);
    return c;
}

TEST(mbedtls_codes_are_read_in_hex_and_decimal)
{
    const tool_explain_stack_t *s = tool_explain_stack("mbedtls");
    long c = 1;
    REQUIRE(s);
    CHECK(tool_explain_parse_code(s, "-0x2700", &c) && c == -0x2700);
    CHECK(tool_explain_parse_code(s, "-0X2700", &c) && c == -0x2700);
    CHECK(tool_explain_parse_code(s, "-9984", &c) && c == -0x2700);
    CHECK(tool_explain_parse_code(s, "9984", &c) && c == -0x2700); /* the sign left out */
    CHECK(tool_explain_parse_code(s, "0x08", &c) && c == 8);       /* a flags word */
    CHECK(tool_explain_parse_code(s, "0x80000", &c) && c == 0x80000);
    CHECK(!tool_explain_parse_code(s, "0x100000", &c));
    CHECK(!tool_explain_parse_code(s, "-0x8000", &c));
    CHECK(!tool_explain_parse_code(s, "0x", &c));
    CHECK(!tool_explain_parse_code(s, "-0xg", &c));
    CHECK(!tool_explain_parse_code(tool_explain_stack("cc3220"), "-0x1d4", &c));
}

TEST(mbedtls_errors_split_and_flags_named)
{
    int rc = -1;
    const char *r = report("mbedtls", -0x2700, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "code:    -0x2700 (-9984) MBEDTLS_ERR_X509_CERT_VERIFY_FAILED") != NULL);
    CHECK(strstr(r, "cause:") == NULL); /* the flags word tells which */
    /* A high-level code plus a low-level one, as mbedtls_strerror() splits them. */
    r = report("mbedtls", -0x2180 - 0x62, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "MBEDTLS_ERR_X509_INVALID_FORMAT + MBEDTLS_ERR_ASN1_UNEXPECTED_TAG"));
    CHECK_EQ_STR(cause_of("mbedtls", -0x2180 - 0x62), "cred.file_wrong_kind");
    r = report("mbedtls", -0x2700 - 0x0F, &rc); /* a low part no table names */
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN);
    CHECK(strstr(r, "no entry in the mbedtls table") != NULL);
    /* 3.x reuses numbers of 2.28: both names. */
    r = report("mbedtls", -0x7580, &rc);
    CHECK(strstr(r, "CERTIFICATE_REQUIRED (2.28)") && strstr(r, "NO_APPLICATION_PROTOCOL"));
    CHECK_EQ_STR(cause_of("mbedtls", -0x6E80), "tls.version_mismatch");
    CHECK_EQ_STR(cause_of("mbedtls", -0x7380), "tls.no_common_cipher");
    CHECK_EQ_STR(cause_of("mbedtls", -0x0052), "dns.not_found");
    CHECK_EQ_STR(cause_of("mbedtls", -0x3C00), "cred.key_passphrase");
    /* Flags: each bit named; the cause is the bit's, not a neighbour's. */
    r = report("mbedtls", 0x08, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "MBEDTLS_X509_BADCERT_NOT_TRUSTED") && !strstr(r, "CN_MISMATCH"));
    CHECK_EQ_STR(cause_of("mbedtls", 0x08), "tls.server_untrusted_root");
    CHECK_EQ_STR(cause_of("mbedtls", 0x04), "tls.hostname_mismatch");
    CHECK_EQ_STR(cause_of("mbedtls", 0x01), "tls.server_cert_expired");
    CHECK_EQ_STR(cause_of("mbedtls", 0x200), "tls.server_cert_not_yet_valid");
    r = report("mbedtls", 0x0C, &rc);
    CHECK(strstr(r, "MBEDTLS_X509_BADCERT_CN_MISMATCH | MBEDTLS_X509_BADCERT_NOT_TRUSTED"));
    r = report("mbedtls", 0x14000, &rc);
    CHECK(strstr(r, "BAD_MD | MBEDTLS_X509_BADCERT_BAD_KEY") != NULL);
    report("mbedtls", 0x100008, &rc);
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN);
}

TEST(openssl_alerts_and_verify_errors)
{
    int rc = -1;
    const char *r = report("openssl", 48, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "code:    48 unknown_ca") != NULL);
    CHECK_EQ_STR(cause_of("openssl", 48), "tls.client_cert_rejected");
    CHECK_EQ_STR(cause_of("openssl", 42), "tls.client_cert_bad"); /* as the doctor reads it */
    CHECK_EQ_STR(cause_of("openssl", 70), "tls.version_mismatch");
    CHECK_EQ_STR(cause_of("openssl", 116), "tls.client_cert_required");
    CHECK_EQ_STR(cause_of("openssl", 120), "tls.alpn_required");
    CHECK_EQ_STR(cause_of("openssl", 22), "tls.record_too_large");
    static const long listed[] = {40, 42, 43, 44, 45, 46, 47, 48, 49, 50,
                                  51, 70, 71, 80, 86, 90, 109, 112, 116, 120};
    for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++) {
        report("openssl", listed[i], &rc);
        CHECK_EQ_INT(rc, 0);
    }
    report("openssl", 255, &rc);
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN);
    r = report("openssl-verify", 20, &rc);
    CHECK(strstr(r, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY") != NULL);
    CHECK_EQ_STR(cause_of("openssl-verify", 20), "tls.server_untrusted_root");
    CHECK_EQ_STR(cause_of("openssl-verify", 21), "tls.server_untrusted_root");
    CHECK_EQ_STR(cause_of("openssl-verify", 10), "tls.server_cert_expired");
    CHECK_EQ_STR(cause_of("openssl-verify", 9), "tls.server_cert_not_yet_valid");
    CHECK_EQ_STR(cause_of("openssl-verify", 62), "tls.hostname_mismatch");
    CHECK_EQ_STR(cause_of("openssl-verify", 26), "tls.server_wrong_purpose");
}

TEST(paho_and_coremqtt_codes)
{
    int rc = -1;
    const char *r = report("paho", -10, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "MQTTCLIENT_SSL_NOT_SUPPORTED") && strstr(r, "paho-mqtt3cs"));
    CHECK_EQ_STR(cause_of("paho", 5), "mqtt.refused_not_authorized");
    CHECK_EQ_STR(cause_of("paho", 4), "mqtt.refused_bad_credentials"); /* not 5's */
    CHECK_EQ_STR(cause_of("paho", 1), "mqtt.refused_protocol_version");
    CHECK_EQ_STR(cause_of("paho", -1), "");
    report("paho", -12, &rc);
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN);
    r = report("coremqtt", 4, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "code:    4 MQTTRecvFailed") != NULL);
    CHECK_EQ_STR(cause_of("coremqtt", 4), "mqtt.closed_after_connect");
    CHECK_EQ_STR(cause_of("coremqtt", 6), "mqtt.refused");
    CHECK_EQ_STR(cause_of("coremqtt", 5), "mqtt.no_connack");
    CHECK_EQ_STR(cause_of("coremqtt", 3), ""); /* send failed: no one cause */
    r = report("coremqtt", 16, &rc);
    CHECK(strstr(r, "MQTTPublishRetrieveFailed") != NULL);
    const tool_explain_stack_t *c = tool_explain_stack("coremqtt");
    long v;
    REQUIRE(c);
    CHECK(!tool_explain_parse_code(c, "17", &v) && !tool_explain_parse_code(c, "-1", &v));
}

TEST(wolfssl_codes)
{
    int rc = -1;
    const char *r = report("wolfssl", -188, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "code:    -188 ASN_NO_SIGNER_E") != NULL);
    CHECK_EQ_STR(cause_of("wolfssl", -188), "tls.server_untrusted_root");
    CHECK_EQ_STR(cause_of("wolfssl", -322), "tls.hostname_mismatch");
    CHECK_EQ_STR(cause_of("wolfssl", -151), "tls.server_cert_expired");
    CHECK_EQ_STR(cause_of("wolfssl", -150), "tls.server_cert_not_yet_valid");
    CHECK_EQ_STR(cause_of("wolfssl", -501), "tls.no_common_cipher");
    CHECK_EQ_STR(cause_of("wolfssl", -326), "tls.version_mismatch");
    r = report("wolfssl", -398, &rc); /* a newer TLS-layer code */
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN);
    CHECK(strstr(r, "wolfSSL_ERR_error_string") != NULL);
    /* The CC3200's TLS codes are wolfSSL's numbers: -151 is both. */
    CHECK_EQ_INT(run("-151", NULL), TOOL_EXPLAIN_EXIT_AMBIGUOUS);
    CHECK_EQ_INT(run("-188", NULL), 0);
}

/* Every cause a table names is one of the doctor's catalog; every known code has a name and
 * text. Walks each stack's whole range (and each flag bit). */
TEST(every_cause_is_in_the_catalog)
{
    for (size_t i = 0; i < tool_explain_n_stacks; i++) {
        const tool_explain_stack_t *s = &tool_explain_stacks[i];
        long lo = s->min < -0x7FFF ? -0x7FFF : s->min, hi = s->max > 255 ? 0 : s->max;
        for (long c = lo; c <= (s->hex ? hi + 20 : hi); c++) {
            long code = c <= hi ? c : 1L << (c - hi - 1);
            tool_explain_result_t r;
            char name[512];
            tool_explain_run(s, code, &r, name, sizeof name);
            REQUIRE(r.text != NULL && r.cause != NULL && r.name != NULL && r.status != NULL);
            if (r.cause[0] && mqtls_cause_by_id(r.cause) == MQTLS_CAUSE_NONE) {
                fprintf(stderr, "%s %ld: cause '%s' is not in the catalog\n", s->name, code,
                        r.cause);
                CHECK(false);
            }
            if (r.known && code != 0)
                CHECK(r.text[0] != '\0');
        }
    }
}

/* Runs `mqtls explain ARGS...` with stdout into a static buffer; *rc its exit. */
static const char *run_out(int *rc, const char *a, const char *b, const char *c)
{
    static char buf[4096];
    char *argv[] = {(char *)"explain", (char *)a, (char *)b, (char *)c, NULL};
    int argc = c ? 4 : b ? 3 : 2;
    FILE *f = tmpfile();
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (f == NULL || saved < 0 || dup2(fileno(f), STDOUT_FILENO) < 0)
        return "";
    *rc = tool_explain_main(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

TEST(without_stack_the_one_stack_that_knows_code)
{
    int rc = -1;
    const char *o = run_out(&rc, "-0x2700", NULL, NULL);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(o, "stack:   mbedtls") != NULL);
    o = run_out(&rc, "-456", NULL, NULL); /* both SimpleLink chips: ask */
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_AMBIGUOUS);
    CHECK(strstr(o, "--stack cc3220") && strstr(o, "--stack cc3200"));
    CHECK(strstr(o, "--stack simplelink") == NULL); /* an alias is not another stack */
    o = run_out(&rc, "20", NULL, NULL); /* an alert and a verify error */
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_AMBIGUOUS);
    CHECK(strstr(o, "--stack openssl ") && strstr(o, "--stack openssl-verify"));
    o = run_out(&rc, "120", NULL, NULL);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(o, "no_application_protocol") != NULL);
    o = run_out(&rc, "--json", "--stack", "openssl-verify");
    CHECK_EQ_INT(rc, TOOL_EXIT_USAGE); /* no CODE */
    o = run_out(&rc, "--json", "--stack=mbedtls", "0x04");
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(o, "\"cause\": \"tls.hostname_mismatch\"") != NULL);
    CHECK(strstr(o, "\"name\": \"MBEDTLS_X509_BADCERT_CN_MISMATCH\"") != NULL);
    CHECK(strstr(o, "\"known\": true") != NULL);
    CHECK(strstr(o, "stack:") == NULL); /* no text */
    o = run_out(&rc, "--json", "-456", NULL);
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_AMBIGUOUS);
    CHECK(strstr(o, "\"ambiguous\": true") && strstr(o, "\"stack\": \"cc3200\""));
    CHECK(strstr(o, "give --stack") == NULL);
}

TEST(aws_sdk_codes)
{
    int rc = -1;
    const char *r = report("aws-sdk", -23, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(r, "NETWORK_ERR_NET_UNKNOWN_HOST") != NULL);
    CHECK_EQ_STR(cause_of("aws-sdk", -23), "dns.not_found");
    CHECK_EQ_STR(cause_of("aws-sdk", -41), "mqtt.refused_not_authorized");
    CHECK_EQ_STR(cause_of("aws-sdk", -40), "mqtt.refused_bad_credentials");
    CHECK_EQ_STR(cause_of("aws-sdk", -6), "tls.handshake_timeout");
    CHECK_EQ_STR(cause_of("aws-sdk", -13), "");
    report("aws-sdk", -50, &rc); /* MAX_SIZE_ERROR: not in the table */
    CHECK_EQ_INT(rc, TOOL_EXPLAIN_EXIT_UNKNOWN);
    long v;
    CHECK(!tool_explain_parse_code(tool_explain_stack("aws-sdk"), "-58", &v));
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(stacks_are_rows_of_one_table);
    RUN(codes_are_read_as_the_stack_numbers_them);
    RUN(the_report_is_the_chips);
    RUN(exit_statuses_of_the_command_line);
    RUN(mbedtls_codes_are_read_in_hex_and_decimal);
    RUN(mbedtls_errors_split_and_flags_named);
    RUN(openssl_alerts_and_verify_errors);
    RUN(paho_and_coremqtt_codes);
    RUN(wolfssl_codes);
    RUN(aws_sdk_codes);
    RUN(every_cause_is_in_the_catalog);
    RUN(without_stack_the_one_stack_that_knows_code);
    return test_main_end();
}
