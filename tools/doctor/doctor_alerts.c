/**
 * @file doctor_alerts.c
 * @brief The facts behind the causes of issue 15, point 2: an alert either way (which one,
 *        who sent it, how far the handshake had got) and a verification outcome (which
 *        certificate, its key and signature).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"

static void fact(doctor_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fact(doctor_t *d, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tool_strlist_add(&d->cause_facts, tool_xstrdup(buf));
}

/* How far the handshake had got when the broker's alert came: what tells the readings of
 * one alert apart. */
static void received_fact(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    const char *when = ev->cert_sent        ? "after receiving the client certificate"
                       : ev->cert_requested ? "after asking for a client certificate, none sent"
                       : ev->first_byte == 21 ? "in answer to the ClientHello"
                                              : "before asking for a client certificate";
    fact(d, "the broker sent alert %d %s %s%s%s%s", ev->alert_received,
         mqtls_tls_alert_name(ev->alert_received), when, ev->cert_sent ? " '" : "",
         ev->cert_sent && d->cfg.cert ? d->cfg.cert : "", ev->cert_sent ? "'" : "");
}

static void offered_fact(doctor_t *d)
{
    const mqtls_diag_facts_t *f = &d->facts;
    fact(d, "this client offered %s (%s)",
         f->tls_min_offered == MQTLS_TLS_V1_3   ? "TLS 1.3 only"
         : f->tls_max_offered == MQTLS_TLS_V1_3 ? "TLS 1.2 and 1.3"
                                                : "TLS 1.2 only",
         mqtls_tls_backend());
}

static bool alert_facts(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char buf[256];
    switch (d->cause) {
    case MQTLS_CAUSE_SERVER_TLS_TOO_OLD:
        if (ev->alert_received > 0)
            received_fact(d);
        else
            fact(d, "the server answered with a TLS version below 1.2; this client sent alert "
                 "%d %s", ev->alert_sent, mqtls_tls_alert_name(ev->alert_sent));
        offered_fact(d);
        return true;
    case MQTLS_CAUSE_SERVER_PROTOCOL_ERROR:
        fact(d, "this client sent alert %d %s: %s", ev->alert_sent,
             mqtls_tls_alert_name(ev->alert_sent), ev->detail[0] ? ev->detail : "?");
        return true;
    case MQTLS_CAUSE_UNRECOGNIZED_NAME:
        received_fact(d);
        if (mqtls_diag_name_rule(d->host, "", "", buf, sizeof buf) && strstr(buf, "IP address"))
            fact(d, "no server name (SNI) was sent: '%s' is an IP address, and SNI carries "
                 "only host names (RFC 6066, 3)", d->host);
        else
            fact(d, "server name sent (SNI): '%s'", d->host);
        return true;
    case MQTLS_CAUSE_CLIENT_CERT_EXPIRED_THERE:
        received_fact(d);
        for (unsigned i = 0; d->facts.dev_certs && i < d->facts.dev_len; i++)
            fact(d, "'%s' (device certificate file) is valid from %s to %s UTC",
                 d->facts.dev_certs[i].subject, d->facts.dev_certs[i].not_before,
                 d->facts.dev_certs[i].not_after);
        fact(d, "this machine's clock says %s UTC: valid here, expired by the broker's clock "
             "or for another certificate it checked", d->now_utc);
        return true;
    case MQTLS_CAUSE_ALPN_MISMATCH:
        received_fact(d);
        doctor_alpn_words(d, buf, sizeof buf);
        fact(d, "ALPN offered: %s", buf);
        return true;
    default:
        return false;
    }
}

/* The alerts whose one fact is the alert itself, with how far the handshake had got. */
static bool plain_alert(mqtls_cause_t c)
{
    switch (c) {
    case MQTLS_CAUSE_CLIENT_CERT_BAD:
    case MQTLS_CAUSE_CLIENT_CERT_UNSUPPORTED:
    case MQTLS_CAUSE_CLIENT_CERT_REVOKED:
    case MQTLS_CAUSE_CLIENT_CERT_UNKNOWN:
    case MQTLS_CAUSE_CLIENT_CERT_SIGNATURE:
    case MQTLS_CAUSE_ACCESS_DENIED:
    case MQTLS_CAUSE_ILLEGAL_PARAMETER:
    case MQTLS_CAUSE_DECODE_ERROR:
    case MQTLS_CAUSE_HANDSHAKE_CRYPTO:
    case MQTLS_CAUSE_INSUFFICIENT_SECURITY:
    case MQTLS_CAUSE_SERVER_INTERNAL_ERROR:
    case MQTLS_CAUSE_INAPPROPRIATE_FALLBACK:
    case MQTLS_CAUSE_USER_CANCELED:
    case MQTLS_CAUSE_MISSING_EXTENSION: return true;
    default: return false;
    }
}

static uint32_t outcome_flag(mqtls_cause_t c)
{
    switch (c) {
    case MQTLS_CAUSE_SERVER_WEAK_HASH: return MQTLS_TLS_BAD_WEAK_HASH;
    case MQTLS_CAUSE_SERVER_WEAK_KEY: return MQTLS_TLS_BAD_WEAK_KEY;
    case MQTLS_CAUSE_SERVER_WRONG_PURPOSE: return MQTLS_TLS_BAD_EXT_KEY_USAGE;
    case MQTLS_CAUSE_SERVER_KEY_USAGE: return MQTLS_TLS_BAD_KEY_USAGE;
    case MQTLS_CAUSE_SERVER_CERT_REVOKED: return MQTLS_TLS_BAD_REVOKED;
    case MQTLS_CAUSE_SERVER_BAD_SIGNATURE: return MQTLS_TLS_BAD_SIGNATURE;
    default: return 0;
    }
}

/* A verification outcome: the certificate it is about, with its key and signature. */
static bool outcome_facts(doctor_t *d, uint32_t flag)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    const mqtls_tls_cert_info_t *ci = NULL;
    for (unsigned i = 0; ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX && !ci; i++)
        if (ev->chain[i].problems & flag)
            ci = &ev->chain[i];
    char words[256];
    doctor_flag_words(flag, words, sizeof words);
    if (ci)
        fact(d, "'%s' (key %s, signed %s): %s", ci->subject, ci->key[0] ? ci->key : "?",
             ci->sig_alg[0] ? ci->sig_alg : "?", words);
    else
        fact(d, "the server's chain: %s", words);
    if (flag == MQTLS_TLS_BAD_REVOKED)
        (void)doctor_crl_fact(d, ci);
    if (ev->alert_sent >= 0)
        fact(d, "this client sent alert %d %s", ev->alert_sent,
             mqtls_tls_alert_name(ev->alert_sent));
    return true;
}

bool doctor_alert_facts(doctor_t *d)
{
    uint32_t flag = outcome_flag(d->cause);
    if (flag)
        return outcome_facts(d, flag);
    if (alert_facts(d))
        return true;
    if (!plain_alert(d->cause))
        return false;
    received_fact(d);
    if (d->ev.detail[0])
        fact(d, "%s: %s", mqtls_tls_backend(), d->ev.detail);
    return true;
}
