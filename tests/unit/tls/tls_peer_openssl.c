/**
 * @file tls_peer_openssl.c
 * @brief The in-process TLS server's TLS part on OpenSSL (tls_peer.h), for the default
 *        build (-DMQTLS_TLS=openssl).
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>

#include "tls_peer.h"

static SSL_CTX *make_ctx(const tls_peer_cfg_t *cfg)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (cfg->max_version)
        SSL_CTX_set_max_proto_version(ctx, cfg->max_version == 12 ? TLS1_2_VERSION
                                                                  : TLS1_3_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->chain) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) != 1 ||
        (cfg->client_ca && SSL_CTX_load_verify_locations(ctx, cfg->client_ca, NULL) != 1)) {
        ERR_print_errors_fp(stderr);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (cfg->client_ca)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return ctx;
}

static void echo(SSL *ssl, tls_peer_result_t *r)
{
    char buf[1024];
    int n;
    while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) {
        if (SSL_write(ssl, buf, n) != n)
            break;
        r->echoed += n;
    }
}

void tls_peer_serve(const tls_peer_cfg_t *cfg, int fd, tls_peer_result_t *r)
{
    SSL_CTX *ctx = make_ctx(cfg);
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    if (ssl != NULL && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1) {
        X509 *peer = SSL_get1_peer_certificate(ssl);
        r->handshake_ok = true;
        r->client_cert = peer != NULL && SSL_get_verify_result(ssl) == X509_V_OK;
        X509_free(peer);
        snprintf(r->suite, sizeof r->suite, "%s",
                 SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl)));
        echo(ssl, r);
        SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}
