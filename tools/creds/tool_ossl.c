/**
 * @file tool_ossl.c
 * @brief Encrypted PKCS#8 keys and cipher names, with OpenSSL (see tool_ossl.h).
 */
#include "creds/tool_ossl.h"

#include "common/tool_util.h"

#include <mqtls/diagnose.h>
#include <mqtls/transport_tls.h>

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

int tool_ossl_require(void)
{
    char why[200];
    if (mqtls_tls_library_usable(why, sizeof why))
        return TOOL_EXIT_OK;
    tool_err("%s; %s", why, mqtls_cause_info(MQTLS_CAUSE_OPENSSL_CONFIG)->fix);
    return TOOL_EXIT_ERROR;
}

tool_pkcs8_result_t tool_pkcs8_decrypt(const unsigned char *der, size_t len, const char *pass,
                                       tool_blob_t *out)
{
    const unsigned char *p = der;
    if (len > LONG_MAX || !pass || strlen(pass) > INT_MAX)
        return TOOL_PKCS8_UNREADABLE;
    X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)len);
    if (!sig)
        return TOOL_PKCS8_UNREADABLE;
    PKCS8_PRIV_KEY_INFO *p8 = PKCS8_decrypt(sig, pass, (int)strlen(pass));
    X509_SIG_free(sig);
    if (!p8) {
        /* A scheme OpenSSL does not have says so; anything else is a wrong passphrase (the
         * padding or the inner DER came out wrong). */
        unsigned long e = ERR_peek_last_error();
        ERR_clear_error();
        return ERR_GET_REASON(e) == EVP_R_UNSUPPORTED_CIPHER ||
                       ERR_GET_REASON(e) == EVP_R_UNKNOWN_PBE_ALGORITHM
                   ? TOOL_PKCS8_UNREADABLE
                   : TOOL_PKCS8_WRONG_PASS;
    }
    unsigned char *plain = NULL;
    int n = i2d_PKCS8_PRIV_KEY_INFO(p8, &plain);
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (n <= 0)
        return TOOL_PKCS8_UNREADABLE;
    tool_blob_set(out, plain, (size_t)n);
    OPENSSL_clear_free(plain, (size_t)n);
    return TOOL_PKCS8_OK;
}

char *tool_ossl_ciphers(const char *rule, int (*known)(const char *iana), size_t max,
                        size_t *dropped)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return NULL;
    char *out = NULL;
    /* TLS 1.3 suites are chosen apart (SSL_CTX_set_ciphersuites): leave them out here. */
    if (SSL_CTX_set_ciphersuites(ctx, "") == 1 && SSL_CTX_set_cipher_list(ctx, rule) == 1) {
        STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
        tool_buf_t b = {0};
        size_t n = 0;
        *dropped = 0;
        for (int i = 0; sk && i < sk_SSL_CIPHER_num(sk); i++) {
            const char *iana = SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(sk, i));
            if (!iana || !known(iana))
                continue;
            if (n++ < max)
                tool_buf_printf(&b, "%s%s", b.len ? ":" : "", iana);
            else
                (*dropped)++;
        }
        out = b.p ? b.p : tool_xstrdup("");
    }
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return out;
}
