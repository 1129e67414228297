/**
 * @file tool_tls_report.c
 * @brief The -d handshake report: what an attempt is about to offer, then the evidence of
 *        the attempt (tool_tls_print_evidence()), from mqtls_tls_evidence() only.
 */
#include <string.h>

#include "mqtt/tool_tls_internal.h"

static const char *stage_name(mqtls_tls_stage_t s)
{
    switch (s) {
    case MQTLS_TLS_STAGE_CREDENTIALS: return "credentials";
    case MQTLS_TLS_STAGE_TCP: return "TCP connect";
    case MQTLS_TLS_STAGE_HANDSHAKE: return "TLS handshake";
    case MQTLS_TLS_STAGE_ESTABLISHED: return "established";
    default: return "not started";
    }
}

void tool_tls_problem_words(uint32_t problems, const char *sep, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t bit = 1; bit && used < size; bit <<= 1) {
        if (!(problems & bit))
            continue;
        const char *w = mqtls_tls_problem_words(bit);
        int n = snprintf(out + used, size - used, "%s%s", used ? sep : "",
                         w ? w : "another verification failure");
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static void print_flags(FILE *out, uint32_t flags, const char *indent)
{
    char buf[1024];
    if (!flags)
        return;
    tool_tls_problem_words(flags, "\n", buf, sizeof buf);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        fprintf(out, "%s! %s\n", indent, line);
}

static void print_cert(FILE *out, unsigned i, const mqtls_tls_cert_info_t *ci)
{
    fprintf(out, "    [%u] subject:      %s\n", i, ci->subject);
    fprintf(out, "        issuer:       %s\n", ci->issuer);
    fprintf(out, "        valid:        %s to %s UTC\n", ci->not_before, ci->not_after);
    if (ci->names[0])
        fprintf(out, "        names:        %s\n", ci->names);
    if (ci->key[0] || ci->sig_alg[0])
        fprintf(out, "        key:          %s%s, signed %s\n", ci->key[0] ? ci->key : "?",
                ci->is_ca ? " (a CA)" : "", ci->sig_alg[0] ? ci->sig_alg : "?");
    fputs("        sha256:       ", out);
    for (size_t k = 0; k < sizeof ci->sha256; k++)
        fprintf(out, "%02x", ci->sha256[k]);
    fprintf(out, "\n        problems:     0x%04x%s\n", (unsigned)ci->problems,
            ci->problems ? "" : " (none)");
    print_flags(out, ci->problems, "                      ");
}

/* Was the certificate with this SHA-256 sent by the server? */
static bool was_sent(const mqtls_tls_evidence_t *ev, const uint8_t sha[32])
{
    for (unsigned i = 0; ev->sent && i < ev->sent_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        if (!memcmp(ev->sent[i].sha256, sha, 32))
            return true;
    return false;
}

static void print_alert(FILE *out, const char *label, int alert)
{
    if (alert < 0)
        fprintf(out, "%s none", label);
    else
        fprintf(out, "%s %d %s", label, alert, mqtls_tls_alert_name(alert));
}

/* The certificates: the chain as verification built it, then those sent but not used. */
static void print_chain(FILE *out, const mqtls_tls_evidence_t *ev)
{
    fprintf(out, "    server sent:    %u certificate(s)\n", (unsigned)ev->sent_len);
    fprintf(out, "    server chain:   %u certificate(s) as verification built it, [0] is the "
                 "server's own\n", (unsigned)ev->chain_len);
    for (unsigned i = 0; ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
        print_cert(out, i, &ev->chain[i]);
        if (ev->sent && !was_sent(ev, ev->chain[i].sha256))
            fputs("        from:         the trust store (not sent by the server)\n", out);
    }
    for (unsigned i = 0; ev->sent && i < ev->sent_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
        bool in_chain = false;
        for (unsigned k = 0; ev->chain && k < ev->chain_len && k < MQTLS_TLS_CHAIN_MAX; k++)
            in_chain = in_chain || !memcmp(ev->chain[k].sha256, ev->sent[i].sha256, 32);
        if (!in_chain) {
            fprintf(out, "    sent, not used: [%u]\n", i);
            print_cert(out, i, &ev->sent[i]);
        }
    }
}

void tool_tls_print_evidence(FILE *out, const mqtls_tls_evidence_t *ev, const char *host,
                             uint16_t port)
{
    bool ok = ev->stage == MQTLS_TLS_STAGE_ESTABLISHED && ev->status == MQTLS_OK;
    fprintf(out, "TLS handshake with %s port %u: %s", host, (unsigned)port,
            ok ? "established" : "FAILED");
    if (!ok)
        fprintf(out, " at the %s stage: %s", stage_name(ev->stage),
                ev->status ? mqtls_strerror(ev->status) : "abandoned (connect timeout)");
    fputc('\n', out);
    char code[48];
    tool_tls__raw_words(ev, code, sizeof code);
    if (ev->stage == MQTLS_TLS_STAGE_TCP && ev->raw_error > 0)
        fprintf(out, "    error:          %s (errno %d)\n", ev->detail, ev->raw_error);
    else if (ev->detail[0] || code[0])
        fprintf(out, "    error:          %s%s\n", ev->detail, code);
    fprintf(out, "    TLS library:    %s\n", ev->backend ? ev->backend : mqtls_tls_backend());
    if (ev->stage < MQTLS_TLS_STAGE_HANDSHAKE)
        return;
    fprintf(out, "    version:        %s\n", ev->version[0] ? ev->version : "(none)");
    fprintf(out, "    cipher suite:   %s\n", ev->ciphersuite[0] ? ev->ciphersuite : "(none)");
    fprintf(out, "    ALPN:           %s\n", ev->alpn[0] ? ev->alpn : "(none agreed)");
    if (ev->resumed)
        fputs("    session:        resumed (no certificates exchanged: the server's were "
              "verified when the session was made)\n", out);
    print_chain(out, ev);
    fprintf(out, "    verification:   %s, problems 0x%04x%s\n",
            ev->insecure ? "DISABLED (--insecure), would have been" : "on",
            (unsigned)ev->problems,
            ev->problems ? "" : ev->verified ? " (chain and host name ok)" : "");
    print_flags(out, ev->problems, "                    ");
    fprintf(out, "    client cert:    %s, %s\n",
            ev->cert_requested ? "requested by the server" : "not requested",
            ev->cert_sent ? "sent" : "none sent");
    print_alert(out, "    alerts:         received", ev->alert_received);
    print_alert(out, ", sent", ev->alert_sent);
    fputc('\n', out);
    fprintf(out, "    bytes received: %lu", (unsigned long)ev->bytes_received);
    if (ev->first_byte >= 0)
        fprintf(out, " (first byte 0x%02x%s)", (unsigned)ev->first_byte,
                ev->first_byte >= 20 && ev->first_byte <= 23 ? ", TLS" : ", NOT TLS");
    fputc('\n', out);
}

/* What is about to be tried (-d). */
void tool_tls__print_attempt(tool_tls_t *t, const char *host, uint16_t port)
{
    const tool_cfg_t *cfg = t->cfg;
    FILE *o = t->log;
    char ca[512];
    tool_tls__ca_words(cfg, ca, sizeof ca);
    fprintf(o, "TLS connecting to %s port %u\n", host, (unsigned)port);
    fprintf(o, "    trusted CAs:    %s\n", ca);
    if (cfg->cert)
        fprintf(o, "    client cert:    %s (key %s%s)\n", cfg->cert, cfg->key,
                cfg->keypass ? ", passphrase given" : "");
    else
        fputs("    client cert:    none\n", o);
    fputs("    ALPN offered:   ", o);
    for (size_t i = 0; t->alpn && t->alpn[i]; i++)
        fprintf(o, "%s%s", i ? ", " : "", t->alpn[i]);
    if (!t->alpn)
        fputs("none", o);
    if (t->alpn_auto)
        fputs(" (automatic: port 443 on an amazonaws.com host)", o);
    fputc('\n', o);
    fprintf(o, "    TLS versions:   %s\n",
            cfg->tls_min_version == MQTLS_TLS_V1_3 ? "TLS 1.3" : tool_tls__offered_versions());
    if (cfg->ciphers)
        fprintf(o, "    cipher suites:  %s\n", cfg->ciphers);
    fprintf(o, "    verification:   %s\n",
            cfg->insecure ? "DISABLED (--insecure)" : "server certificate chain and host name");
    fflush(o);
}
