/**
 * @file doctor_findings.c
 * @brief The facts behind a cause that a step-1 finding became (src/diagnose/findings.c):
 *        the finding itself, and the later failure it explains.
 */
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"

#define FACT(...) tool_strlist_add(&d->cause_facts, doctor_xfmt(__VA_ARGS__))

static const char *or_q(const char *s)
{
    return s ? s : "?";
}

/* Step 1's evidence line that starts with @p prefix ("extendedKeyUsage: ..."), or NULL. */
static const char *step1_line(const doctor_t *d, const char *prefix)
{
    for (size_t i = 0; i < d->st[1].n_lines; i++)
        if (!strncmp(d->st[1].lines[i].text, prefix, strlen(prefix)))
            return d->st[1].lines[i].text;
    return NULL;
}

static void facts_files(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    switch (d->cause) {
    case MQTLS_CAUSE_CERT_KEY_SWAPPED:
        FACT("'%s' (--cert) holds a private key and no certificate; '%s' (--key) holds a "
             "certificate and no private key", or_q(c->cert), or_q(c->key));
        FACT("the other way round: --cert %s --key %s", or_q(c->key), or_q(c->cert));
        break;
    case MQTLS_CAUSE_CERT_FILE_IS_KEY:
        FACT("'%s' (--cert) holds a private key and no certificate", or_q(c->cert));
        break;
    default: /* MQTLS_CAUSE_KEY_FILE_IS_CERT */
        FACT("'%s' (--key) holds a certificate and no private key%s", or_q(c->key),
             c->cert && c->key && !strcmp(c->cert, c->key) ? ": it is the --cert file again"
                                                          : "");
        break;
    }
    if (d->setup_error)
        FACT("%s", d->setup_error);
}

/* The device certificate's usages: the step-1 line that shows them, without the check's
 * comment in parentheses. */
static void facts_usage(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    bool eku = d->cause == MQTLS_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH;
    const char *line = step1_line(d, eku ? "extendedKeyUsage: " : "keyUsage: ");
    if (!line)
        line = eku ? "extendedKeyUsage without clientAuth" : "keyUsage without digitalSignature";
    const char *more = strstr(line, " (");
    FACT("step 1 found: the device certificate '%s' does not allow %s (%.*s)",
         d->facts.dev_len ? d->facts.dev_certs[0].subject : "?",
         eku ? "TLS client authentication" : "signing the handshake",
         (int)(more ? (size_t)(more - line) : strlen(line)), line);
    if (ev->verified && !ev->problems)
        FACT("the server chain verified; the broker asked for our certificate and got it");
    FACT("then the broker refused it with alert %d %s: a certificate it will not take for "
         "this use", ev->alert_received, mqtls_tls_alert_name(ev->alert_received));
}

/* The CA file's certificates, none of them a CA, and the root the server's chain ends at. */
static void facts_ca_file(doctor_t *d)
{
    const mqtls_diag_facts_t *f = &d->facts;
    bool sent = false;
    const char *root = doctor_chain_root(&d->ev, &sent);
    for (unsigned i = 0; i < f->ca_len && i < 8; i++)
        FACT("your CA file holds '%s', issued by '%s': not a CA%s", f->ca_certs[i].subject,
             f->ca_certs[i].issuer,
             d->cause == MQTLS_CAUSE_CA_FILE_IS_DEVICE_CERT && f->dev_len &&
                     !strcmp(f->ca_certs[i].subject, f->dev_certs[0].subject)
                 ? " (it is your device certificate, the one --cert gives)"
                 : "");
    if (root)
        FACT("the server's chain ends at '%s'%s: the CA to put in the CA file", root,
             sent ? "" : " (the issuer of the last certificate it sent)");
}

bool doctor_findings_facts(doctor_t *d)
{
    switch (d->cause) {
    case MQTLS_CAUSE_CERT_KEY_SWAPPED:
    case MQTLS_CAUSE_CERT_FILE_IS_KEY:
    case MQTLS_CAUSE_KEY_FILE_IS_CERT:
        facts_files(d);
        return true;
    case MQTLS_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH:
    case MQTLS_CAUSE_CLIENT_CERT_KEY_USAGE:
        facts_usage(d);
        return true;
    case MQTLS_CAUSE_CA_FILE_NOT_CA:
    case MQTLS_CAUSE_CA_FILE_IS_DEVICE_CERT:
        facts_ca_file(d);
        return true;
    default:
        return false;
    }
}
