/**
 * @file chain.c
 * @brief The chain's reasoning: what a failed verification means once the certificates the
 *        server sent, the ones verification built and the ones the local files hold are
 *        put side by side; and whether the clock, not the certificates, is wrong.
 *
 * The TLS evidence cannot say whether an issuer that was neither sent nor trusted is a root
 * or an intermediate: only its name is known. A certificate with that subject seen
 * elsewhere (the device's certificate file, the CA file, the server's own chain) that is not
 * self-issued is what tells an intermediate; without one the issuer stays "a root this
 * client does not trust" (the reading that was always given).
 */
#include <string.h>

#include "mqtls/diagnose.h"

static bool self_issued(const char *subject, const char *issuer)
{
    return subject && issuer && !strcmp(subject, issuer);
}

/* A CA that is not a root, with this subject, among the local files and the chain. */
static bool known_intermediate(const mqtls_diag_facts_t *f, const char *subject)
{
    for (unsigned i = 0; f->dev_certs && i < f->dev_len; i++)
        if (!strcmp(f->dev_certs[i].subject, subject))
            return !self_issued(f->dev_certs[i].subject, f->dev_certs[i].issuer);
    for (unsigned i = 0; f->ca_certs && i < f->ca_len; i++)
        if (!strcmp(f->ca_certs[i].subject, subject))
            return !self_issued(f->ca_certs[i].subject, f->ca_certs[i].issuer);
    const mqtls_tls_evidence_t *e = f->tls;
    for (unsigned i = 0; e && e->chain && i < e->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        if (!strcmp(e->chain[i].subject, subject))
            return e->chain[i].is_ca && !self_issued(e->chain[i].subject, e->chain[i].issuer);
    return false;
}

/* The certificate a NOT_CA or PATH_LEN flag is about. OpenSSL puts the flag on the offending
 * issuer itself; Mbed TLS (src/tls/mbedtls/evidence_mbedtls.c) on the certificate whose
 * issuer it refused, which then tops the built chain without that issuer: then the issuer
 * is named. */
static const char *flagged(const mqtls_tls_evidence_t *e, uint32_t flag)
{
    unsigned n = e->chain ? e->chain_len : 0u;
    for (unsigned i = 0; i < n && i < MQTLS_TLS_CHAIN_MAX; i++) {
        const mqtls_tls_cert_info_t *c = &e->chain[i];
        if (!(c->problems & flag))
            continue;
        bool top = i + 1 == n;
        return top && !self_issued(c->subject, c->issuer) ? c->issuer : c->subject;
    }
    return NULL;
}

/* Outside its validity by @p now; dates compare as text ("YYYY-MM-DD HH:MM:SS"). An
 * unknown date does not count as outside. */
static bool outside(const char *now, const char *not_before, const char *not_after)
{
    if (!not_before || !not_after || strlen(not_before) != 19 || strlen(not_after) != 19)
        return false;
    return strcmp(now, not_before) < 0 || strcmp(now, not_after) > 0;
}

/* Every certificate seen is outside its validity (at least two seen, one of them a root or
 * a CA, so that one bad certificate is never blamed on the clock). */
bool mqtls_chain_clock_wrong(const mqtls_diag_facts_t *f)
{
    if (!f || !f->now_utc || strlen(f->now_utc) != 19)
        return false;
    unsigned seen = 0;
    bool ca_seen = false;
    const mqtls_tls_evidence_t *e = f->tls;
    for (unsigned i = 0; e && e->chain && i < e->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
        if (!outside(f->now_utc, e->chain[i].not_before, e->chain[i].not_after))
            return false;
        seen++;
        ca_seen = ca_seen || e->chain[i].is_ca;
    }
    const mqtls_diag_cert_t *lists[2] = {f->ca_certs, f->dev_certs};
    const unsigned lens[2] = {f->ca_certs ? f->ca_len : 0u, f->dev_certs ? f->dev_len : 0u};
    for (unsigned l = 0; l < 2; l++)
        for (unsigned i = 0; i < lens[l]; i++) {
            if (!outside(f->now_utc, lists[l][i].not_before, lists[l][i].not_after))
                return false;
            seen++;
            ca_seen = ca_seen || lists[l][i].is_ca;
        }
    return seen >= 2 && ca_seen;
}

/* Neither sent nor trusted: the issuer of the top of the built chain, when it is known to
 * be an intermediate. */
static const char *missing_intermediate(const mqtls_diag_facts_t *f)
{
    const mqtls_tls_evidence_t *e = f->tls;
    if (!e->chain || !e->chain_len)
        return NULL;
    const mqtls_tls_cert_info_t *top = &e->chain[e->chain_len - 1];
    if (self_issued(top->subject, top->issuer))
        return NULL;
    return known_intermediate(f, top->issuer) ? top->issuer : NULL;
}

mqtls_cause_t mqtls_chain_verify_cause(const mqtls_diag_facts_t *f, const char **name)
{
    const char *dummy = NULL;
    const char **out = name ? name : &dummy;
    *out = NULL;
    if (!f || !f->tls)
        return MQTLS_CAUSE_NONE;
    const mqtls_tls_evidence_t *e = f->tls;
    if ((e->problems & (MQTLS_TLS_BAD_EXPIRED | MQTLS_TLS_BAD_FUTURE)) &&
        mqtls_chain_clock_wrong(f))
        return f->clock_unset ? MQTLS_CAUSE_CLOCK_UNSET : MQTLS_CAUSE_CLOCK_WRONG;
    if (e->problems & MQTLS_TLS_BAD_NOT_CA) {
        *out = flagged(e, MQTLS_TLS_BAD_NOT_CA);
        return MQTLS_CAUSE_CHAIN_NOT_CA;
    }
    if (e->problems & MQTLS_TLS_BAD_PATH_LEN) {
        *out = flagged(e, MQTLS_TLS_BAD_PATH_LEN);
        return MQTLS_CAUSE_CHAIN_PATH_LEN;
    }
    if (e->problems & (MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_NO_ISSUER)) {
        *out = missing_intermediate(f);
        if (*out)
            return MQTLS_CAUSE_SERVER_MISSING_INTERMEDIATE;
    }
    return MQTLS_CAUSE_NONE;
}

bool mqtls_chain_device_missing(const mqtls_diag_facts_t *f, const char **name)
{
    const char *dummy = NULL;
    const char **out = name ? name : &dummy;
    *out = NULL;
    if (!f || !f->dev_certs || !f->dev_len)
        return false;
    const mqtls_diag_cert_t *own = &f->dev_certs[0];
    if (self_issued(own->subject, own->issuer))
        return false;
    for (unsigned i = 1; i < f->dev_len; i++)
        if (!strcmp(f->dev_certs[i].subject, own->issuer))
            return false; /* the file carries its issuer */
    if (!known_intermediate(f, own->issuer))
        return false;
    *out = own->issuer;
    return true;
}

const char *mqtls_chain_completed_locally(const mqtls_tls_evidence_t *ev)
{
    if (!ev || !ev->verified || ev->problems || !ev->chain || !ev->sent)
        return NULL;
    for (unsigned i = 1; i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
        const mqtls_tls_cert_info_t *c = &ev->chain[i];
        if (self_issued(c->subject, c->issuer))
            continue; /* a root comes from the trust store by design */
        bool sent = false;
        for (unsigned k = 0; k < ev->sent_len && k < MQTLS_TLS_CHAIN_MAX; k++)
            sent = sent || !memcmp(ev->sent[k].sha256, c->sha256, sizeof c->sha256);
        if (!sent)
            return c->subject;
    }
    return NULL;
}
