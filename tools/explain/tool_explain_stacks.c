/**
 * @file tool_explain_stacks.c
 * @brief The stacks of `mqtls explain` (one row each) and the report it prints, as text or
 *        JSON. The SimpleLink rows read the port's code tables
 *        (ports/simplelink/simplelink_codes.h): the explanation the firmware itself gets
 *        from mqtls_simplelink_explain(), plus TI's name of the code in that chip's SDK. The
 *        other stacks' tables are in stack_<name>.c.
 */
#include "explain/tool_explain.h"

#include "common/tool_json.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mqtls/status.h"
#include "mqtls/transport_simplelink.h"
#include "simplelink_codes.h"

/* A SimpleLink chip's code: the table of that chip (tool_explain_stack_t::chip). */
static void sl_explain(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                       char *name_buf, size_t name_size)
{
    mqtls_sl_device_t chip = (mqtls_sl_device_t)s->chip;
    mqtls_simplelink_explanation_t e = mqtls_simplelink_explain(chip, (int)code);
    const mqtls__sl_code_t *entry = mqtls__sl_code_find(chip, (int)code);
    const char *prefix;
    const char *rest = mqtls__sl_code_name(chip, entry, &prefix);
    snprintf(name_buf, name_size, "%s%s", rest ? prefix : "", rest ? rest : "");
    out->known = entry != NULL || code == 0;
    out->name = name_buf;
    out->status = mqtls_strerror(e.status);
    out->cause = e.cause;
    out->text = e.text;
    out->connected = e.connected;
}

/* SimpleLink calls return _i16: the codes are -32768 ... -1, and 0 for success. Mbed TLS
 * errors are -0x7FFF ... -1 and its verify flags (positive, in hex) use bits up to 0x80000;
 * TLS alerts are one byte; the X509_V_ERR numbers of OpenSSL 3.0 end below 100; Paho's
 * codes are -17 ... -1 and the CONNACK codes 1-5; MQTTStatus_t is 0 ... 16; wolfSSL's are
 * negative, above -1000. */
const tool_explain_stack_t tool_explain_stacks[] = {
    {"cc3220", "TI SimpleLink CC3220 network processor (CC32xx SDK)", -32768, 0, true, false,
     sl_explain, MQTLS_SL_CC3220, false},
    {"cc3200", "TI SimpleLink CC3200 network processor (CC3200 SDK 1.x)", -32768, 0, true,
     false, sl_explain, MQTLS_SL_CC3200, false},
    {"simplelink", "the same as cc3220 (the current SimpleLink SDK)", -32768, 0, true, false,
     sl_explain, MQTLS_SL_CC3220, true},
    {"mbedtls", "Mbed TLS 2.28/3.x errors (-0x2700), X.509 verify flags (0x08)", -0x7FFF,
     0xFFFFF, true, true, tool_explain_mbedtls, 0, false},
    {"openssl", "TLS alert numbers (OpenSSL: \"SSL alert number 48\")", 0, 255, false, false,
     tool_explain_openssl_alert, 0, false},
    {"openssl-verify", "OpenSSL X509_V_ERR codes (openssl verify: \"error 20\")", 0, 99,
     false, false, tool_explain_openssl_verify, 0, false},
    {"wolfssl", "wolfSSL error codes (wolfSSL_get_error(): -501 ... -101)", -999, 0, true,
     false, tool_explain_wolfssl, 0, false},
    {"paho", "Eclipse Paho MQTT C (MQTTCLIENT_*, CONNACK 1-5) and Embedded-C", -17, 5,
     false, false, tool_explain_paho, 0, false},
    {"coremqtt", "FreeRTOS coreMQTT MQTTStatus_t (MQTT_Status_strerror())", 0, 16, false,
     false, tool_explain_coremqtt, 0, false},
    {"aws-sdk", "AWS IoT Device SDK for Embedded C v3 IoT_Error_t", -57, 8, false, false,
     tool_explain_awssdk, 0, false},
};

const size_t tool_explain_n_stacks = sizeof tool_explain_stacks / sizeof tool_explain_stacks[0];

const tool_explain_stack_t *tool_explain_stack(const char *name)
{
    for (size_t i = 0; i < tool_explain_n_stacks; i++)
        if (!strcmp(tool_explain_stacks[i].name, name))
            return &tool_explain_stacks[i];
    return NULL;
}

const tool_explain_entry_t *tool_explain_find(const tool_explain_entry_t *table, size_t n,
                                              long code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return &table[i];
    return NULL;
}

void tool_explain_from_table(const tool_explain_entry_t *table, size_t n, long code,
                             const char *none, tool_explain_result_t *out)
{
    const tool_explain_entry_t *e = tool_explain_find(table, n, code);
    out->known = e != NULL;
    out->name = e ? e->name : "";
    out->cause = e ? e->cause : "";
    out->text = e ? e->text : none;
    out->status = "";
    out->connected = false;
}

bool tool_explain_parse_code(const tool_explain_stack_t *s, const char *arg, long *code)
{
    const char *p = arg[0] == '-' || arg[0] == '+' ? arg + 1 : arg;
    bool hex = s->hex && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    if (*p < '0' || *p > '9' || (hex && !isxdigit((unsigned char)p[2])))
        return false;
    char *end;
    errno = 0;
    long v = strtol(p, &end, hex ? 16 : 10);
    if (*end != '\0' || errno == ERANGE)
        return false;
    if (arg[0] == '-' || (s->negative && !hex))
        v = -v;
    if (v < s->min || v > s->max)
        return false;
    *code = v;
    return true;
}

/* @p text on lines of at most 78 columns, each indented by two spaces. */
static void wrap(const char *text, FILE *out)
{
    const int width = 76;
    while (*text) {
        size_t n = strlen(text);
        if (n > (size_t)width) {
            n = (size_t)width;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = strcspn(text, " ");
        }
        fprintf(out, "  %.*s\n", (int)n, text);
        text += n;
        while (*text == ' ')
            text++;
    }
}

void tool_explain_run(const tool_explain_stack_t *s, long code, tool_explain_result_t *r,
                      char *name_buf, size_t name_size)
{
    memset(r, 0, sizeof *r);
    name_buf[0] = '\0';
    s->explain(s, code, r, name_buf, name_size);
}

/* @p code as the stack writes it: "-0x2700 (-9984)" for a hex stack, else decimal. */
static void code_text(const tool_explain_stack_t *s, long code, char *buf, size_t size)
{
    if (s->hex && code != 0)
        snprintf(buf, size, "%s0x%lX (%ld)", code < 0 ? "-" : "", code < 0 ? -code : code,
                 code);
    else
        snprintf(buf, size, "%ld", code);
}

static void print_json(const tool_explain_stack_t *s, long code, const tool_explain_result_t *r,
                       FILE *out)
{
    tool_json_t j;
    char num[48];
    memset(&j, 0, sizeof j);
    code_text(s, code, num, sizeof num);
    tool_json_obj(&j, NULL);
    tool_json_str(&j, "stack", s->name);
    tool_json_int(&j, "code", code);
    tool_json_str(&j, "code_text", num);
    tool_json_bool(&j, "known", r->known);
    tool_json_str(&j, "name", r->name[0] ? r->name : NULL);
    tool_json_str(&j, "status", r->status[0] ? r->status : NULL);
    tool_json_str(&j, "cause", r->cause[0] ? r->cause : NULL);
    tool_json_bool(&j, "connected", r->connected);
    tool_json_str(&j, "text", r->text);
    tool_json_str(&j, "source", "docs/troubleshooting.md");
    tool_json_end(&j);
    fwrite(j.out.p, 1, j.out.len, out);
    fputc('\n', out);
    tool_json_free(&j);
}

static void print_text(const tool_explain_stack_t *s, long code, const tool_explain_result_t *r,
                       FILE *out)
{
    char num[48];
    code_text(s, code, num, sizeof num);
    fprintf(out, "stack:   %s: %s\n", s->name, s->about);
    if (r->known)
        fprintf(out, "code:    %s%s%s\n", num, r->name[0] ? " " : "",
                r->name[0] ? r->name : " (the SDK gives it no name)");
    else
        fprintf(out, "code:    %s (no entry in the %s table: explained by its range)\n", num,
                s->name);
    if (r->status[0])
        fprintf(out, "status:  %s (what mqtls reports for it)\n", r->status);
    if (r->cause[0])
        fprintf(out, "cause:   %s (docs/troubleshooting.md)\n", r->cause);
    if (r->connected)
        fputs("kind:    connected, but: the TLS session was up and a check failed\n", out);
    fputs("meaning and fix:\n", out);
    wrap(r->text, out);
    if (s->explain != sl_explain)
        fprintf(out, "source:  docs/troubleshooting.md, the %s section\n", s->name);
}

int tool_explain_print(const tool_explain_stack_t *s, long code, bool json, FILE *out)
{
    tool_explain_result_t r;
    char name[512];
    tool_explain_run(s, code, &r, name, sizeof name);
    if (json)
        print_json(s, code, &r, out);
    else
        print_text(s, code, &r, out);
    return r.known ? 0 : TOOL_EXPLAIN_EXIT_UNKNOWN;
}
