/**
 * @file ossl.h
 * @brief What the files of the OpenSSL backend share (internal to src/tls/openssl/).
 *
 * tls_openssl.c: the context's settings, the connection, data; verify.c: verification and
 * the evidence of the server's chain; creds.c: trust and our identity; pkcs11.c: keys held in
 * a PKCS#11 token (the only file that touches OpenSSL's deprecated ENGINE API); resume.c:
 * session resumption; crl.c: certificate revocation lists; libctx.c: the library context the
 * SSL_CTXs are made in; vcache.c: the chains a context has verified.
 */
#ifndef MQTLS_TLS_OSSL_H
#define MQTLS_TLS_OSSL_H

#include "../backend.h"

#include <openssl/ssl.h>

/** The backend's half of a context (mqtls_tls_ctx_t::be). */
struct ossl_ctx {
    SSL_CTX *ssl; /**< one for every connection made from the context */
    void *p11;    /**< the engine holding a pkcs11: key, NULL without one */
    struct ossl_resume *resume; /**< sessions to resume (resume.c), NULL when not asked */
    struct ossl_vcache *vcache; /**< chains verified before (vcache.c), NULL: none kept */
};

/** Per connection (mqtls_tls_t::conn): the SSL and what verification found. */
struct mqtls_tls_conn {
    SSL *ssl;
    int io_status;     /**< the last failure of the BIO (a mqtls_status_t), 0 none */
    int first_err;     /**< the first X509_V_ERR_* verification met, 0 none */
    bool verdict;      /**< TLS 1.3: the server spoke after our Finished (tls_openssl.c) */
    mqtls_tls_grace_t grace; /**< TLS 1.3: waiting for the verdict since our Finished */
    uint32_t all;      /**< MQTLS_TLS_BAD_* of the whole chain */
    uint32_t at[MQTLS_TLS_CHAIN_MAX]; /**< MQTLS_TLS_BAD_* per depth of the built chain */
};

/** The library context for an SSL_CTX of @p cfg (libctx.c): one with only the decoders a
 *  certificate's public key needs, or NULL (the default context). */
OSSL_LIB_CTX *mqtls__ossl_libctx(const mqtls_tls_cfg_t *cfg);

/** A context's memory of the chains it verified (vcache.c); NULL when out of memory. */
struct ossl_vcache *mqtls__ossl_vcache_new(void);

/** Frees what mqtls__ossl_vcache_new() made (NULL: nothing). */
void mqtls__ossl_vcache_free(struct ossl_vcache *vc);

/** The key of what @p store is about to verify for @p t: the name and the chain the server
 *  sent. false: nothing to look up (no cache, CRLs checked, no memory). */
bool mqtls__ossl_vcache_key(const struct ossl_vcache *vc, const mqtls_tls_t *t,
                            X509_STORE_CTX *store, unsigned char key[32]);

/** The chain verified before under @p key, with @p leaf (this connection's copy of the
 *  server's certificate) first: a new stack the caller owns, or NULL (none, or stale). On
 *  a find, the chains of @p t's evidence are told as they were then. */
STACK_OF(X509) *mqtls__ossl_vcache_find(struct ossl_vcache *vc, const unsigned char key[32],
                                        X509 *leaf, mqtls_tls_t *t);

/** Remembers @p built, the chain verified without a problem under @p key, and the chains
 *  @p t's evidence tells. */
void mqtls__ossl_vcache_add(struct ossl_vcache *vc, const unsigned char key[32],
                            STACK_OF(X509) *built, const mqtls_tls_t *t);

/** Installs the verification callback and the message callback on a new SSL_CTX. */
void mqtls__ossl_verify_setup(SSL_CTX *ssl);

/** The connection an SSL belongs to (set by tls_openssl.c with SSL_set_app_data). */
mqtls_tls_t *mqtls__ossl_conn_of(const SSL *ssl);

/** Loads the trusted CAs of ctx->cfg into @p ssl. */
mqtls_status_t mqtls__ossl_load_trust(mqtls_tls_ctx_t *ctx, SSL_CTX *ssl, mqtls_tls_evidence_t *ev);

/** One block of a PEM text: its label ("CERTIFICATE", "X509 CRL", ...) and DER contents.
 *  Returns false when the block was of the kind wanted but could not be used. */
typedef bool (*mqtls__ossl_pem_fn)(void *ctx, const char *label, const unsigned char *der,
                                   long len);
/** Hands each block of the PEM text @p buf to @p fn; *bad counts the blocks that did not
 *  parse (broken base64, no end line) and those @p fn refused. */
void mqtls__ossl_pem_each(const uint8_t *buf, size_t len, mqtls__ossl_pem_fn fn, void *ctx,
                          int *bad);

/** Adds the CRLs of ctx->cfg.crl_file (if any) to the store of @p ssl and turns CRL checks
 *  on (crl.c). */
mqtls_status_t mqtls__ossl_load_crl(const mqtls_tls_ctx_t *ctx, SSL_CTX *ssl,
                                    mqtls_tls_evidence_t *ev);

/** Loads our certificate (and chain) and key into @p ssl, and checks that they match. */
mqtls_status_t mqtls__ossl_load_identity(mqtls_tls_ctx_t *ctx, SSL_CTX *ssl,
                                  mqtls_tls_evidence_t *ev);

/** Is @p key_file an RFC 7512 URI of a key in a PKCS#11 token? */
bool mqtls__ossl_is_pkcs11(const char *key_file);

/**
 * Loads the key named by the pkcs11: URI ctx->cfg.key_file through OpenSSL's PKCS#11
 * engine into *@p key (the key stays in the token); *@p engine is the handle to release
 * with mqtls__ossl_pkcs11_release() once the key is no longer used.
 */
mqtls_status_t mqtls__ossl_pkcs11_key(const mqtls_tls_ctx_t *ctx, EVP_PKEY **key, void **engine,
                               mqtls_tls_evidence_t *ev);

/** Releases what mqtls__ossl_pkcs11_key() kept (NULL: nothing). */
void mqtls__ossl_pkcs11_release(void *engine);

/** Sets @p ssl up to keep sessions for resumption when ctx->cfg.resume_sessions asks. */
mqtls_status_t mqtls__ossl_resume_setup(mqtls_tls_ctx_t *ctx, SSL_CTX *ssl);

/** Offers the session kept for the name @p ssl is about to verify, if there is one. */
void mqtls__ossl_resume_offer(const mqtls_tls_ctx_t *ctx, SSL *ssl);

/** Frees the kept session. */
void mqtls__ossl_resume_free(struct ossl_ctx *be);

/** OpenSSL's words for the oldest error of this thread's queue, which is then emptied.
 *  Returns its code (0 if the queue was empty: @p out is then left alone). */
unsigned long mqtls__ossl_take_error(char *out, size_t size);

#endif
