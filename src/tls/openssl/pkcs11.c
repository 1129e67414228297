/**
 * @file pkcs11.c
 * @brief Keys held in a PKCS#11 token (an HSM, a smart card, softhsm2), named by an RFC
 *        7512 URI ("pkcs11:token=gw;object=device-key"), used through OpenSSL's PKCS#11
 *        engine (Debian: libengine-pkcs11-openssl, from libp11). The key never leaves the
 *        token: OpenSSL asks the engine for each signature.
 *
 * The ENGINE API is deprecated in OpenSSL 3.0, but Debian's PKCS#11 support for OpenSSL 3.0
 * is this engine (a PKCS#11 provider is not packaged for it). So the API is used here and
 * only here, and only the deprecation warning is silenced, around its calls: defining
 * OPENSSL_SUPPRESS_DEPRECATED would hide the declarations themselves, and an older
 * OPENSSL_API_COMPAT would apply to the whole file.
 */
#include "ossl.h"

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/ui.h>
#include <stdio.h>
#include <string.h>

#define ENGINE_PACKAGE "libengine-pkcs11-openssl"

bool mqtls__ossl_is_pkcs11(const char *key_file)
{
    return key_file && strncmp(key_file, "pkcs11:", 7) == 0;
}

/* The URI as it may be shown: a pin-value in it is masked. */
static void shown_uri(char *out, size_t size, const char *uri)
{
    const char *pin = strstr(uri, "pin-value=");
    if (!pin) {
        snprintf(out, size, "%s", uri);
        return;
    }
    const char *end = pin + 10 + strcspn(pin + 10, ";?&");
    snprintf(out, size, "%.*s***%s", (int)(pin + 10 - uri), uri, end);
}

static mqtls_status_t token_fail(mqtls_tls_evidence_t *ev, mqtls_status_t st,
                                 mqtls_tls_cred_problem_t problem, const char *uri,
                                 const char *what)
{
    char words[120] = "";
    unsigned long code = ERR_peek_last_error();
    if (code)
        ERR_error_string_n(code, words, sizeof words);
    ERR_clear_error();
    char shown[96];
    shown_uri(shown, sizeof shown, uri);
    if (ev)
        ev->cred_problem = problem;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, st, (int)code, MQTLS_TLS_ITEM_KEY,
                           "%s: %s%s%s", shown, what, code ? ": " : "", words);
}

/* No PIN given: the engine must not ask for one on a terminal (a service has none). */
static int no_prompt(UI *ui, UI_STRING *s)
{
    (void)ui;
    (void)s;
    return 0;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static ENGINE *open_engine(const mqtls_tls_ctx_t *ctx, mqtls_tls_evidence_t *ev)
{
    const mqtls_tls_cfg_t *cfg = &ctx->cfg;
    ENGINE *e = ENGINE_by_id("pkcs11");
    if (!e) {
        token_fail(ev, MQTLS_ERR_UNSUPPORTED, MQTLS_TLS_CRED_KEY_UNSUPPORTED, cfg->key_file,
                   "OpenSSL's PKCS#11 engine is not installed (Debian: " ENGINE_PACKAGE ")");
        return NULL;
    }
    bool ok = !cfg->pkcs11_module ||
              ENGINE_ctrl_cmd_string(e, "MODULE_PATH", cfg->pkcs11_module, 0);
    if (ok && !ENGINE_init(e))
        ok = false;
    else if (ok && cfg->key_pass && !ENGINE_ctrl_cmd_string(e, "PIN", cfg->key_pass, 0)) {
        ENGINE_finish(e);
        ok = false;
    }
    if (!ok) {
        token_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_CRED_TOKEN, cfg->key_file,
                   cfg->pkcs11_module ? "the PKCS#11 module could not be loaded"
                                      : "the PKCS#11 engine could not start");
        ENGINE_free(e);
        return NULL;
    }
    return e;
}

mqtls_status_t mqtls__ossl_pkcs11_key(const mqtls_tls_ctx_t *ctx, EVP_PKEY **key, void **engine,
                               mqtls_tls_evidence_t *ev)
{
    ERR_clear_error();
    ENGINE *e = open_engine(ctx, ev);
    if (!e)
        return ev ? ev->status : MQTLS_ERR_TLS_CREDENTIALS;
    UI_METHOD *ui = UI_create_method("mqtls: no PIN prompt");
    if (ui)
        UI_method_set_reader(ui, no_prompt);
    *key = ENGINE_load_private_key(e, ctx->cfg.key_file, ui, NULL);
    UI_destroy_method(ui);
    if (!*key) {
        mqtls_status_t st = token_fail(ev, MQTLS_ERR_TLS_CREDENTIALS, MQTLS_TLS_CRED_TOKEN,
                                       ctx->cfg.key_file, "the token's key cannot be used");
        ENGINE_finish(e);
        ENGINE_free(e);
        return st;
    }
    *engine = e;
    return MQTLS_OK;
}

void mqtls__ossl_pkcs11_release(void *engine)
{
    if (!engine)
        return;
    ENGINE_finish(engine);
    ENGINE_free(engine);
}

#pragma GCC diagnostic pop
