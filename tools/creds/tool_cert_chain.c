/**
 * @file tool_cert_chain.c
 * @brief The chain check of `mqtls cert check`: OpenSSL's X509_verify_cert() of the
 *        certificate against the CA file, and when it fails, why in words.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "creds/tool_cert_words.h"
#include "creds/tool_check_internal.h"

/* Every certificate of @p f but @p skip, as a stack (file order); NULL if none. */
static STACK_OF(X509) *certs_of(const tool_credfile_t *f, const X509 *skip)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    for (size_t i = 0; sk && i < f->n_objs; i++)
        if (f->objs[i].kind == TOOL_OBJ_CERT && f->objs[i].crt != skip)
            (void)sk_X509_push(sk, f->objs[i].crt);
    return sk;
}

static bool aws_issued(const X509 *crt)
{
    char issuer[512];
    tool_cert_issuer(crt, issuer, sizeof issuer);
    return strstr(issuer, "OU=Amazon Web Services") != NULL;
}

/* OpenSSL's verification of @p leaf (the rest of @p cert as untrusted intermediates)
 * against the certificates of @p ca, dates aside (they are checked one by one below). */
typedef struct chain_result {
    int error;                 /* X509_V_OK or the first error */
    int error_depth;
    STACK_OF(X509) *built;     /* the chain as built (on success) */
} chain_result_t;

static void verify_chain(const X509 *leaf, const tool_credfile_t *cert,
                         const tool_credfile_t *ca, chain_result_t *res)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = certs_of(cert, leaf);
    res->error = X509_V_ERR_UNSPECIFIED;
    res->error_depth = 0;
    res->built = NULL;
    for (size_t i = 0; store && i < ca->n_objs; i++)
        if (ca->objs[i].kind == TOOL_OBJ_CERT)
            (void)X509_STORE_add_cert(store, ca->objs[i].crt);
    ERR_clear_error(); /* a CA given twice is no error */
    if (store && ctx && X509_STORE_CTX_init(ctx, store, (X509 *)leaf, untrusted) == 1) {
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
        /* Dates are judged one by one below (against --at); a CA file that holds an
         * intermediate is an anchor, as the TLS backends take it. */
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
        if (X509_verify_cert(ctx) == 1) {
            res->error = X509_V_OK;
            res->built = X509_STORE_CTX_get1_chain(ctx);
        } else {
            res->error = X509_STORE_CTX_get_error(ctx);
            res->error_depth = X509_STORE_CTX_get_error_depth(ctx);
        }
    }
    ERR_clear_error();
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
}

/* Why the chain does not verify: the certificates, the CA file, a same-name CA. */
static void chain_evidence(check_t *c, const X509 *leaf, const tool_credfile_t *cert,
                           const tool_credfile_t *ca, const chain_result_t *res, bool aws)
{
    char s[512];
    for (size_t i = 0; i < cert->n_objs; i++) {
        const X509 *x = cert->objs[i].crt;
        if (cert->objs[i].kind != TOOL_OBJ_CERT)
            continue;
        tool_cert_subject(x, s, sizeof s);
        tool_check_evid(c, "%s %s", x == leaf ? "certificate:" : "chain cert: ", s);
        tool_cert_issuer(x, s, sizeof s);
        tool_check_evid(c, "  issued by: %s", s);
    }
    for (size_t i = 0; i < ca->n_objs; i++)
        if (ca->objs[i].kind == TOOL_OBJ_CERT) {
            tool_cert_subject(ca->objs[i].crt, s, sizeof s);
            tool_check_evid(c, "CA file:     %s", s);
        }
    bool no_issuer = res->error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                     res->error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
                     res->error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
                     res->error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
                     res->error == X509_V_ERR_CERT_SIGNATURE_FAILURE;
    bool named = false;
    for (size_t i = 0; no_issuer && !named && i < cert->n_objs; i++)
        for (size_t k = 0; cert->objs[i].kind == TOOL_OBJ_CERT && !named && k < ca->n_objs; k++)
            if (ca->objs[k].kind == TOOL_OBJ_CERT &&
                X509_NAME_cmp(X509_get_issuer_name(cert->objs[i].crt),
                              X509_get_subject_name(ca->objs[k].crt)) == 0 &&
                X509_verify(cert->objs[i].crt, X509_get0_pubkey(ca->objs[k].crt)) != 1) {
                named = true;
                tool_cert_subject(ca->objs[k].crt, s, sizeof s);
                tool_check_evid(c, "the CA file holds a CA named '%s', but its key did not sign the "
                                "certificate: a different CA with the same name (made again?)", s);
            }
    ERR_clear_error();
    if (no_issuer && !named && !aws)
        tool_check_evid(c, "none of the CA file's certificates is the certificate's issuer: use the CA "
                        "that issued it (or add the missing intermediate to --cert)");
    tool_check_evid(c, "OpenSSL: %s (at depth %d)", X509_verify_cert_error_string(res->error),
                    res->error_depth);
}

bool tool_cert_check_chain(check_t *c, const X509 *leaf, const tool_credfile_t *cert,
                        const tool_credfile_t *ca)
{
    chain_result_t res;
    char s[512];
    verify_chain(leaf, cert, ca, &res);
    if (res.error == X509_V_OK) {
        int n = sk_X509_num(res.built);
        tool_check_mark(c, CK_OK, "the certificate chains to the CA file (dates aside: see below)");
        for (int d = 0; d < n; d++) {
            tool_cert_subject(sk_X509_value(res.built, d), s, sizeof s);
            tool_check_evid(c, "%s%s%s", d ? "issued by " : "", s, d == n - 1 ? " (in the CA file)" : "");
        }
        sk_X509_pop_free(res.built, X509_free);
        return true;
    }
    bool aws = (res.error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                res.error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) && aws_issued(leaf);
    if (aws)
        tool_check_mark(c, CK_WARN, "the certificate was issued by AWS IoT, whose issuing CA is not in "
                        "the CA file: AWS checks it; the CA file verifies the broker");
    else if (c->chain_warn_only)
        tool_check_mark(c, CK_WARN, "the certificate does not chain to the CA file (the broker may "
                        "trust another CA for its clients)");
    else
        tool_check_mark(c, CK_FAIL, "the certificate does not chain to the CA file");
    chain_evidence(c, leaf, cert, ca, &res, aws);
    return false;
}
