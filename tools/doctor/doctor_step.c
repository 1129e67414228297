/**
 * @file doctor_step.c
 * @brief The end of a doctor step (its summary, time and diagnosis), and the small helpers
 *        the steps and reports share.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"

char *doctor_xfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = tool_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void doctor_list_free(tool_strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free((void *)l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void doctor_add_line(stage_t *s, int kind, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s->lines = tool_xrealloc(s->lines, (s->n_lines + 1) * sizeof *s->lines);
    s->lines[s->n_lines].kind = kind;
    s->lines[s->n_lines].text = tool_xstrdup(buf);
    s->n_lines++;
}

void doctor_utc_text(time_t t, char *out, size_t size)
{
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, size, "(unknown)");
        return;
    }
    strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

const char *doctor_version_name(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "5.0" : "3.1.1";
}

void doctor_hex_bytes(const uint8_t *p, size_t n, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 4 < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%02x", i ? " " : "", p[i]);
}

/* Printable ASCII of @p p, other bytes as '.', for "what came back". */
void doctor_ascii_bytes(const uint8_t *p, size_t n, char *out, size_t size)
{
    size_t i;
    for (i = 0; i < n && i + 1 < size; i++)
        out[i] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '.';
    out[i] = '\0';
}

bool doctor_wait_poll(uint32_t ms)
{
    (void)poll(NULL, 0, (int)ms);
    return !tool_stop;
}

void doctor_stage_done(doctor_t *d, int n, result_t r, uint64_t t0, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    stage_t *s = &d->st[n];
    s->result = r;
    s->ms = t0 ? tool_now_ms() - t0 : 0;
    free(s->summary);
    s->summary = tool_xstrdup(buf);
    doctor_print_stage(d, n);
}

/* Asks the rules; a named cause fails step @p n with the cause's summary. */
bool doctor_diagnose(doctor_t *d, int n, uint64_t t0)
{
    d->facts.stage = (mqtls_diag_stage_t)n;
    d->cause = mqtls_diagnose(&d->facts);
    if (d->cause == MQTLS_CAUSE_NONE)
        return false;
    d->failed = n;
    doctor_stage_done(d, n, R_FAILED, t0, "%s", mqtls_cause_info(d->cause)->summary);
    return true;
}
