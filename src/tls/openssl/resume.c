/**
 * @file resume.c
 * @brief Session resumption for a context (mqtls_tls_cfg_t::resume_sessions): the last
 *        session a server gave is offered again on the next connection to the same name.
 *
 * A resumed handshake skips the certificates: no chain to verify, no signature with the
 * client's key, which is most of a connect's CPU. What the first handshake verified (the
 * server's chain and name, under this context's settings) still stands, because a session is
 * only offered to the name it was made with, from the same context. One slot per context:
 * the case it serves is many connections (a gateway, a fleet simulator) to one broker.
 */
#include "ossl.h"

#include <pthread.h>
#include <string.h>

#include <openssl/x509v3.h>

struct ossl_resume {
    pthread_mutex_t lock; /**< connections of several threads may share the context */
    SSL_SESSION *sess;    /**< the newest session, NULL before the first */
    char name[256];       /**< the server name (or address) it was made with */
};

/* The name a connection verifies: its SNI, or the IP address it checks. */
static void peer_name(SSL *ssl, char *out, size_t size)
{
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    char *ip = sni ? NULL : X509_VERIFY_PARAM_get1_ip_asc(SSL_get0_param(ssl));
    snprintf(out, size, "%s", sni ? sni : ip ? ip : "");
    OPENSSL_free(ip);
}

/* OpenSSL hands over each new session (a TLS 1.3 ticket, a TLS 1.2 session id). */
static int new_session(SSL *ssl, SSL_SESSION *sess)
{
    mqtls_tls_t *t = mqtls__ossl_conn_of(ssl);
    struct ossl_ctx *be = t && t->ctx ? t->ctx->be : NULL;
    struct ossl_resume *r = be ? be->resume : NULL;
    if (!r || !SSL_SESSION_is_resumable(sess))
        return 0; /* not kept: OpenSSL frees it */
    char name[sizeof r->name];
    peer_name(ssl, name, sizeof name);
    if (!name[0])
        return 0;
    pthread_mutex_lock(&r->lock);
    SSL_SESSION_free(r->sess);
    r->sess = sess;
    memcpy(r->name, name, sizeof name);
    pthread_mutex_unlock(&r->lock);
    return 1; /* kept: ours to free */
}

mqtls_status_t mqtls__ossl_resume_setup(mqtls_tls_ctx_t *ctx, SSL_CTX *ssl)
{
    struct ossl_ctx *be = ctx->be;
    if (!ctx->cfg.resume_sessions)
        return MQTLS_OK;
    if (!(be->resume = OPENSSL_zalloc(sizeof *be->resume)))
        return MQTLS_ERR_TLS;
    pthread_mutex_init(&be->resume->lock, NULL);
    SSL_CTX_clear_options(ssl, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ssl, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ssl, new_session);
    return MQTLS_OK;
}

void mqtls__ossl_resume_offer(const mqtls_tls_ctx_t *ctx, SSL *ssl)
{
    const struct ossl_ctx *be = ctx->be;
    struct ossl_resume *r = be->resume;
    if (!r)
        return;
    char name[sizeof r->name];
    peer_name(ssl, name, sizeof name);
    pthread_mutex_lock(&r->lock);
    if (r->sess && name[0] && strcmp(name, r->name) == 0 && SSL_SESSION_is_resumable(r->sess))
        (void)SSL_set_session(ssl, r->sess); /* takes its own reference */
    pthread_mutex_unlock(&r->lock);
}

void mqtls__ossl_resume_free(struct ossl_ctx *be)
{
    if (!be->resume)
        return;
    SSL_SESSION_free(be->resume->sess); /* clears its secrets */
    pthread_mutex_destroy(&be->resume->lock);
    OPENSSL_free(be->resume);
    be->resume = NULL;
}
