/**
 * @file tls_peer_mbedtls.c
 * @brief The in-process TLS server's TLS part on Mbed TLS (tls_peer.h), for the build with
 *        -DMQTLS_TLS=mbedtls.
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <string.h>

#include "tls_peer.h"

typedef struct server {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt chain, ca;
    mbedtls_pk_context key;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
} server_t;

static int parse_key(server_t *s, const char *path)
{
#if MBEDTLS_VERSION_MAJOR >= 3
    return mbedtls_pk_parse_keyfile(&s->key, path, NULL, mbedtls_ctr_drbg_random, &s->drbg);
#else
    return mbedtls_pk_parse_keyfile(&s->key, path, NULL);
#endif
}

/* Asks for a client certificate and requires one issued by @p ca. */
static int require_client_cert(server_t *s, const char *ca)
{
    int ret = mbedtls_x509_crt_parse_file(&s->ca, ca);
    mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&s->conf, &s->ca, NULL);
    return ret;
}

static int setup(server_t *s, const tls_peer_cfg_t *cfg)
{
    static const unsigned char label[] = "mqtls unit tls peer";
    int ret = mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER,
                                          MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret == 0)
        ret = mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func, &s->entropy, label,
                                    sizeof label - 1);
    mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->drbg);
    mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_NONE);
    if (ret == 0)
        ret = mbedtls_x509_crt_parse_file(&s->chain, cfg->chain);
    if (ret == 0)
        ret = parse_key(s, cfg->key);
    if (ret == 0)
        ret = mbedtls_ssl_conf_own_cert(&s->conf, &s->chain, &s->key);
    if (ret == 0 && cfg->client_ca != NULL)
        ret = require_client_cert(s, cfg->client_ca);
    return ret != 0 ? ret : mbedtls_ssl_setup(&s->ssl, &s->conf);
}

static void echo(server_t *s, tls_peer_result_t *r)
{
    unsigned char buf[1024];
    int n;
    while ((n = mbedtls_ssl_read(&s->ssl, buf, sizeof buf)) > 0) {
        if (mbedtls_ssl_write(&s->ssl, buf, (size_t)n) != n)
            break;
        r->echoed += n;
    }
}

/* Mbed TLS names suites with '-' where IANA has '_'. */
static void iana_name(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s", name ? name : "");
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

void tls_peer_serve(const tls_peer_cfg_t *cfg, int fd, tls_peer_result_t *r)
{
    server_t s;
    mbedtls_net_context net = {fd};
    int ret;
    mbedtls_entropy_init(&s.entropy);
    mbedtls_ctr_drbg_init(&s.drbg);
    mbedtls_x509_crt_init(&s.chain);
    mbedtls_x509_crt_init(&s.ca);
    mbedtls_pk_init(&s.key);
    mbedtls_ssl_config_init(&s.conf);
    mbedtls_ssl_init(&s.ssl);
    if ((ret = setup(&s, cfg)) != 0) {
        fprintf(stderr, "tls_peer: Mbed TLS setup failed (-0x%04x)\n", (unsigned)-ret);
    } else {
        mbedtls_ssl_set_bio(&s.ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
        if (mbedtls_ssl_handshake(&s.ssl) == 0) {
            r->handshake_ok = true;
            r->client_cert = mbedtls_ssl_get_peer_cert(&s.ssl) != NULL &&
                             mbedtls_ssl_get_verify_result(&s.ssl) == 0;
            iana_name(mbedtls_ssl_get_ciphersuite(&s.ssl), r->suite, sizeof r->suite);
            echo(&s, r);
            mbedtls_ssl_close_notify(&s.ssl);
        }
    }
    mbedtls_ssl_free(&s.ssl);
    mbedtls_ssl_config_free(&s.conf);
    mbedtls_pk_free(&s.key);
    mbedtls_x509_crt_free(&s.ca);
    mbedtls_x509_crt_free(&s.chain);
    mbedtls_ctr_drbg_free(&s.drbg);
    mbedtls_entropy_free(&s.entropy);
}
