/**
 * @file doctor_text.c
 * @brief The doctor's text report: the header line, each step as it ends, the cause.
 */
#include <stdio.h>

#include "doctor/doctor_internal.h"

#define MARK_OK "\xE2\x9C\x93"   /* ✓ */
#define MARK_FAIL "\xE2\x9C\x97" /* ✗ */

void doctor_print_header(const doctor_t *d)
{
    if (d->json)
        return;
    printf("mqtls doctor: %s port %u", d->host, (unsigned)d->port);
    if (d->mapped)
        printf(" (connecting to %s port %u)", d->conn_host, (unsigned)d->conn_port);
    printf(", %s, MQTT %s, client id '%s'\n", d->cfg.tls ? "TLS" : "plain TCP (no TLS)",
           doctor_version_name(d->cfg.version), d->cfg.client_id);
    fflush(stdout);
}

const char *doctor_line_mark(const stage_t *s, const line_t *l)
{
    switch (l->kind) {
    case TOOL_CHECK_OK: return MARK_OK " ";
    case TOOL_CHECK_FAIL: /* a failed check that is not the step's failure warns only */
        return s->result == R_FAILED ? MARK_FAIL " " : "! ";
    case TOOL_CHECK_WARN: return "! ";
    case TOOL_CHECK_DETAIL: return "    ";
    default: return "";
    }
}

void doctor_print_stage(const doctor_t *d, int n)
{
    const stage_t *s = &d->st[n];
    if (d->json || s->result == R_NOT_RUN)
        return;
    const char *mark = s->result == R_OK ? MARK_OK : s->result == R_FAILED ? MARK_FAIL : "-";
    printf("%s %d %s  %s", mark, n, s->title, s->summary ? s->summary : "");
    if (s->result != R_SKIPPED)
        printf(" (%llu ms)", (unsigned long long)s->ms);
    putchar('\n');
    for (size_t i = 0; i < s->n_lines; i++)
        printf("    %s%s\n", doctor_line_mark(s, &s->lines[i]), s->lines[i].text);
    fflush(stdout);
}

void doctor_print_cause(const doctor_t *d)
{
    if (d->json)
        return;
    if (!d->failed) {
        printf("\nresult: ok, no problem found%s\n",
               d->cfg.no_roundtrip ? " (round trip skipped)" : "");
        return;
    }
    const mqtls_cause_info_t *ci = mqtls_cause_info(d->cause);
    printf("\ncause: %s\n  %s\n", ci->id, ci->summary);
    for (size_t i = 0; i < d->cause_facts.n; i++)
        printf("  - %s\n", d->cause_facts.v[i]);
    printf("why: %s\n", ci->why);
    printf("fix: %s\n", ci->fix);
    printf("see: docs/troubleshooting.md, section %s\n", ci->id);
}

/* The device profile's checks: each with its mark; a failure with the device's code, the
 * cause id and the fix for that device. */
void doctor_print_device(const doctor_t *d)
{
    static const char *const marks[] = {MARK_OK " ", MARK_FAIL " ", "? ", "- "};
    if (d->json || !d->device)
        return;
    printf("\ndevice %s: %s\n", d->device->name, d->device->title);
    for (size_t i = 0; i < d->n_dev; i++) {
        const dev_check_t *c = &d->dev[i];
        printf("    %s%s: %s\n", marks[c->result], c->what, c->text);
        if (c->result != DEV_FAILED)
            continue;
        printf("        the device prints: %s\n", c->code ? c->code : "not known (no source)");
        printf("        cause: %s\n", mqtls_cause_info(c->cause)->id);
        printf("        fix: %s\n", c->fix);
    }
    if (d->dev_failures)
        printf("device result: %d failure(s) that device would meet\n", d->dev_failures);
    else
        printf("device result: no failure found for this device\n");
}
