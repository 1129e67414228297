/**
 * @file doctor_creds.c
 * @brief Step 1 of the doctor: the local credentials (`mqtls cert check`'s checks, the
 *        subjects of the CA certificates for step 4, then the TLS setup).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"
#include "creds/tool_x509.h"

static void check_sink(void *ctx, tool_check_kind_t kind, const char *text)
{
    doctor_t *d = ctx;
    doctor_add_line(&d->st[1], (int)kind, "%s", text);
}

static void setup_sink(void *ctx, const char *text)
{
    doctor_t *d = ctx;
    free(d->setup_error);
    d->setup_error = tool_xstrdup(text);
    EVID(d, 1, "%s", text);
}

/* A name as the TLS evidence writes it ("C=US, O=Org, CN=Name", in the certificate's
 * order), so that the two compare. */
static void name_text(const X509_NAME *name, char *s, size_t size)
{
    snprintf(s, size, "(unreadable name)");
    BIO *mem = BIO_new(BIO_s_mem());
    const unsigned long flags = (XN_FLAG_RFC2253 & ~(XN_FLAG_SEP_MASK | XN_FLAG_DN_REV |
                                                     ASN1_STRFLGS_ESC_MSB)) |
                                XN_FLAG_SEP_CPLUS_SPC; /* as the OpenSSL backend writes it */
    if (mem && X509_NAME_print_ex(mem, name, 0, flags) >= 0) {
        int n = BIO_read(mem, s, (int)size - 1);
        s[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
}

/* Keeps a certificate of a local file for the chain analysis and the clock; false when the
 * room is full. */
static bool keep_cert(doctor_t *d, X509 *x, uint8_t *count)
{
    unsigned n = (unsigned)d->facts.ca_len + d->facts.dev_len;
    if (n >= LOCAL_CERTS_MAX)
        return false;
    local_cert_t *l = &d->local[n];
    name_text(X509_get_subject_name(x), l->subject, sizeof l->subject);
    name_text(X509_get_issuer_name(x), l->issuer, sizeof l->issuer);
    doctor_utc_text((time_t)tool_x509_time_to_unix(X509_get0_notBefore(x)), l->not_before,
                    sizeof l->not_before);
    doctor_utc_text((time_t)tool_x509_time_to_unix(X509_get0_notAfter(x)), l->not_after,
                    sizeof l->not_after);
    mqtls_diag_cert_t *c = &d->diag_certs[n];
    c->subject = l->subject;
    c->issuer = l->issuer;
    c->not_before = l->not_before;
    c->not_after = l->not_after;
    c->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
    (*count)++;
    return true;
}

/* The subjects of every certificate in one PEM or DER file (unreadable ones are skipped:
 * the setup names that problem); each kept for the chain analysis too. */
static void ca_file_subjects(doctor_t *d, const char *path)
{
    tool_credfile_t f;
    tool_credfile_load(&f, path, NULL);
    for (size_t i = 0; i < f.n_objs; i++)
        if (f.objs[i].kind == TOOL_OBJ_CERT && f.objs[i].crt) {
            char s[256];
            name_text(X509_get_subject_name(f.objs[i].crt), s, sizeof s);
            tool_strlist_add(&d->ca_subjects, tool_xstrdup(s));
            keep_cert(d, f.objs[i].crt, &d->facts.ca_len);
        }
    tool_credfile_free(&f);
}

/* The device's certificate file, in its order ([0] the device's own): does it carry the
 * sub-CA that issued it? Read after the CA files, so that the two lists follow each other. */
static void device_file_certs(doctor_t *d)
{
    if (!d->cfg.cert)
        return;
    tool_credfile_t f;
    tool_credfile_load(&f, d->cfg.cert, NULL);
    for (size_t i = 0; i < f.n_objs; i++)
        if (f.objs[i].kind == TOOL_OBJ_CERT && f.objs[i].crt)
            keep_cert(d, f.objs[i].crt, &d->facts.dev_len);
    tool_credfile_free(&f);
}

static void load_ca_subjects(doctor_t *d)
{
    if (d->cfg.cafile)
        ca_file_subjects(d, d->cfg.cafile);
    DIR *dir = d->cfg.capath ? opendir(d->cfg.capath) : NULL;
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char *path = doctor_xfmt("%s/%s", d->cfg.capath, e->d_name);
        ca_file_subjects(d, path);
        free(path);
    }
    if (dir)
        closedir(dir);
    device_file_certs(d);
    d->facts.ca_certs = d->facts.ca_len ? d->diag_certs : NULL;
    d->facts.dev_certs = d->facts.dev_len ? &d->diag_certs[d->facts.ca_len] : NULL;
}

/* The same certificate, as far as the names and dates the rules see tell. */
static bool same_cert(const mqtls_diag_cert_t *a, const mqtls_diag_cert_t *b)
{
    return !strcmp(a->subject, b->subject) && !strcmp(a->issuer, b->issuer) &&
           !strcmp(a->not_before, b->not_before) && !strcmp(a->not_after, b->not_after);
}

/* Step 1's findings that the rules make the cause when a later failure is theirs
 * (src/diagnose/findings.c): the files' kinds and clientAuth from the checks, a CA file
 * (and directory) without a CA in it from the certificates kept for the chain. */
static uint32_t findings(const doctor_t *d)
{
    const mqtls_diag_facts_t *f = &d->facts;
    uint32_t found = (d->check.cert_is_key ? MQTLS_FINDING_CERT_IS_KEY : 0u) |
                     (d->check.key_is_cert ? MQTLS_FINDING_KEY_IS_CERT : 0u) |
                     (d->check.no_client_auth ? MQTLS_FINDING_NO_CLIENT_AUTH : 0u) |
                     (d->check.no_digital_signature ? MQTLS_FINDING_NO_DIGITAL_SIGNATURE : 0u);
    bool any_ca = false, device = false;
    for (unsigned i = 0; i < f->ca_len; i++) {
        any_ca = any_ca || f->ca_certs[i].is_ca;
        device = device || (f->dev_len && same_cert(&f->ca_certs[i], &f->dev_certs[0]));
    }
    if (f->ca_len && !any_ca)
        found |= MQTLS_FINDING_CA_NOT_CA;
    return found | (device ? MQTLS_FINDING_CA_IS_DEVICE : 0u);
}

void doctor_alpn_words(const doctor_t *d, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; d->alpn && d->alpn[i] && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", d->alpn[i]);
    if (!out[0])
        snprintf(out, size, "none");
}

/* The fact the rules use: an ALPN protocol was offered; for AWS IoT on 443, the one it
 * needs for client certificates. */
static bool alpn_offered(const doctor_t *d)
{
    bool aws443 = tool_tls_default_alpn(d->host, d->port) != NULL;
    for (size_t i = 0; d->alpn && d->alpn[i]; i++)
        if (!aws443 || !strcmp(d->alpn[i], TOOL_TLS_AWS_ALPN))
            return true;
    return false;
}

/* A directory, FIFO or device where a file belongs: Mbed TLS would read a directory as a
 * file of absurd size and a FIFO would block, so such paths are refused here first. */
static bool special_file(doctor_t *d, const char *path, const char *words,
                         mqtls_tls_item_t item)
{
    struct stat sb;
    if (!path || stat(path, &sb) != 0 || S_ISREG(sb.st_mode))
        return false;
    free(d->setup_error);
    d->setup_error = doctor_xfmt("%s '%s' is %s, not a file%s", words, path,
                                 S_ISDIR(sb.st_mode) ? "a directory" : "a special file",
                                 S_ISDIR(sb.st_mode) && item == MQTLS_TLS_ITEM_CA
                              ? " (a directory of CA certificates goes with --capath)" : "");
    doctor_add_line(&d->st[1], TOOL_CHECK_FAIL, "%s", d->setup_error);
    memset(&d->ev, 0, sizeof d->ev);
    d->ev.status = MQTLS_ERR_TLS_CREDENTIALS;
    d->ev.item = item;
    d->ev.cred_problem = MQTLS_TLS_CRED_UNREADABLE;
    d->ev.alert_received = d->ev.alert_sent = d->ev.first_byte = -1;
    return true;
}

/* `mqtls cert check`'s checks of the files given; its lines become step 1's. */
static void run_cert_check(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    if (!c->cafile && !c->cert && !c->key)
        return;
    tool_cert_check_opts_t o;
    memset(&o, 0, sizeof o);
    o.cafile = c->cafile;
    o.certfile = c->cert;
    o.keyfile = c->key;
    o.pass = c->keypass;
    o.host = d->host;
    o.now = (int64_t)d->now;
    o.chain_warn_only = true;
    o.sink = check_sink;
    o.ctx = d;
    tool_cert_check(&o, &d->check);
    d->check_ran = true;
}

/* The CA subjects (step 4 compares the server's root with them), then the TLS setup as pub
 * and sub make it; its evidence is the rules' facts until step 1 ends. */
static void tls_setup(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    load_ca_subjects(d);
    d->tls = tool_xcalloc(1, sizeof *d->tls);
    int rc = tool_tls_setup_to(d->tls, c, NULL, setup_sink, d);
    d->alpn = d->tls->alpn;
    const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&d->tls->tls);
    d->facts.tls = ev;
    d->facts.status = rc == TOOL_EXIT_OK ? MQTLS_OK : ev->status;
    d->setup_raw = ev->raw_error;
    d->facts.key_too_small = d->check.key_too_small;
    d->facts.client_cert_flags = d->check.cert_flags;
    d->facts.alpn_offered = alpn_offered(d);
    d->facts.findings = findings(d);
    if (rc == TOOL_EXIT_OK) {
        char alpn[256];
        doctor_alpn_words(d, alpn, sizeof alpn);
        EVID(d, 1, "TLS setup: %s accepted the credentials and settings",
             mqtls_tls_backend());
        EVID(d, 1, "will offer: %s, ALPN %s%s, server name '%s'",
             c->tls_min_version == MQTLS_TLS_V1_3           ? "TLS 1.3"
             : mqtls_tls_max_version() >= MQTLS_TLS_V1_3 ? "TLS 1.2 and 1.3"
                                                           : "TLS 1.2", alpn,
             !d->tls->alpn_auto     ? ""
             : d->facts.host_is_aws ? " (automatic: AWS IoT on port 443)"
                                    : " (automatic: port 443 of an amazonaws.com host)", d->host);
    }
}

/* Step 1 passed: its summary, with the count of warnings. */
static bool credentials_ok(doctor_t *d, uint64_t t0)
{
    const tool_cfg_t *c = &d->cfg;
    unsigned warn = d->check.warned + d->check.failed + (c->insecure ? 1u : 0u);
    const char *what = c->cert ? "CA, certificate and key usable"
                       : (c->cafile || c->capath) ? "CA usable; no client certificate"
                                                  : "no CA: --insecure";
    if (c->insecure)
        doctor_add_line(&d->st[1], TOOL_CHECK_WARN, "--insecure: the server's certificate and "
                        "name will be checked and reported, but a failure will not stop the "
                        "handshake");
    doctor_stage_done(d, 1, R_OK, t0, "%s%s", what,
                      warn ? (warn == 1 ? " (1 warning)" : " (warnings: see below)") : "");
    return true;
}

/* Plain MQTT: nothing to check but the user name. */
static bool credentials_plain(doctor_t *d, uint64_t t0)
{
    const tool_cfg_t *c = &d->cfg;
    EVID(d, 1, "plain MQTT: no CA, certificate or key to check");
    if (c->username)
        EVID(d, 1, "user name '%s'%s", c->username, c->password ? ", password given" : "");
    doctor_stage_done(d, 1, R_OK, t0, "not used: plain MQTT without TLS");
    return true;
}

/* A credential path that is not a file fails step 1 before any setup. */
static bool special_files(doctor_t *d, uint64_t t0)
{
    const tool_cfg_t *c = &d->cfg;
    if (!special_file(d, c->cafile, "the CA file", MQTLS_TLS_ITEM_CA) &&
        !special_file(d, c->cert, "the client certificate", MQTLS_TLS_ITEM_CERT) &&
        !special_file(d, c->key, "the private key", MQTLS_TLS_ITEM_KEY) &&
        !special_file(d, c->crlfile, "the CRL file", MQTLS_TLS_ITEM_CRL))
        return false;
    d->facts.tls = &d->ev; /* no TLS setup: its evidence would be this */
    d->facts.status = MQTLS_ERR_TLS_CREDENTIALS;
    doctor_diagnose(d, 1, t0);
    d->facts.tls = NULL;
    return true;
}

bool doctor_stage_credentials(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    const tool_cfg_t *c = &d->cfg;
    d->facts.tls_used = c->tls;
    d->facts.port = d->port;
    d->facts.host_is_aws = mqtls_diag_host_is_aws_iot(d->host); /* never localhost */
    d->facts.version = c->version;
    d->facts.clock_unset = (long long)d->now < CLOCK_SANE;
    doctor_utc_text(d->now, d->now_utc, sizeof d->now_utc);
    d->facts.now_utc = d->now_utc;
    if (!c->tls)
        return credentials_plain(d, t0);
    char now[32];
    doctor_utc_text(d->now, now, sizeof now);
    EVID(d, 1, "this machine's clock: %s UTC%s", now,
         d->facts.clock_unset ? " (before 2020: it looks unset)" : "");
    if (special_files(d, t0))
        return false;
    /* A TLS library that cannot work makes every check below blame a good file; the setup
     * then says why (cred.openssl_config). */
    if (mqtls_tls_library_usable(NULL, 0))
        run_cert_check(d);
    tls_setup(d); /* reads the CA subjects, which the CRLs' issuers are compared with */
    doctor_crl_step1(d);
    bool failed = doctor_diagnose(d, 1, t0);
    d->facts.tls = NULL;
    return !failed && credentials_ok(d, t0);
}
