/**
 * @file tool_explain_stacks.c
 * @brief The stacks of `mqtls explain` (one row each) and the report it prints. The
 *        SimpleLink rows read the port's code tables (ports/simplelink/simplelink_codes.h):
 *        the explanation the firmware itself gets from mqtls_simplelink_explain(), plus
 *        TI's name of the code in that chip's SDK.
 */
#include "explain/tool_explain.h"

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

/* SimpleLink calls return _i16: the codes are -32768 ... -1, and 0 for success. */
const tool_explain_stack_t tool_explain_stacks[] = {
    {"cc3220", "TI SimpleLink CC3220 network processor (CC32xx SDK)", -32768, 0, true,
     sl_explain, MQTLS_SL_CC3220},
    {"cc3200", "TI SimpleLink CC3200 network processor (CC3200 SDK 1.x)", -32768, 0, true,
     sl_explain, MQTLS_SL_CC3200},
    {"simplelink", "the same as cc3220 (the current SimpleLink SDK)", -32768, 0, true,
     sl_explain, MQTLS_SL_CC3220},
};

const size_t tool_explain_n_stacks = sizeof tool_explain_stacks / sizeof tool_explain_stacks[0];

const tool_explain_stack_t *tool_explain_stack(const char *name)
{
    for (size_t i = 0; i < tool_explain_n_stacks; i++)
        if (!strcmp(tool_explain_stacks[i].name, name))
            return &tool_explain_stacks[i];
    return NULL;
}

bool tool_explain_parse_code(const tool_explain_stack_t *s, const char *arg, long *code)
{
    const char *p = arg[0] == '-' || arg[0] == '+' ? arg + 1 : arg;
    if (*p < '0' || *p > '9')
        return false;
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return false;
    if (s->negative && v > 0)
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

int tool_explain_print(const tool_explain_stack_t *s, long code, FILE *out)
{
    tool_explain_result_t r;
    char name[96];
    memset(&r, 0, sizeof r);
    s->explain(s, code, &r, name, sizeof name);
    fprintf(out, "stack:   %s: %s\n", s->name, s->about);
    if (r.known)
        fprintf(out, "code:    %ld%s%s\n", code, r.name[0] ? " " : "",
                r.name[0] ? r.name : " (the SDK gives it no name)");
    else
        fprintf(out, "code:    %ld (no entry in the %s table: explained by its range)\n",
                code, s->name);
    fprintf(out, "status:  %s (what mqtls reports for it)\n", r.status);
    if (r.cause[0])
        fprintf(out, "cause:   %s (docs/troubleshooting.md)\n", r.cause);
    if (r.connected)
        fputs("kind:    connected, but: the TLS session was up and a check failed\n", out);
    fputs("meaning and fix:\n", out);
    wrap(r.text, out);
    return r.known ? 0 : TOOL_EXPLAIN_EXIT_UNKNOWN;
}
