/**
 * @file doctor_device_chain.c
 * @brief --device: the length of the broker's chain, counted with OpenSSL directly, and
 *        the size of the Certificate message that carried it.
 *
 * Why not the TLS evidence of step 4: it keeps at most MQTLS_TLS_CHAIN_MAX (8)
 * certificates, and a device's limit can lie beyond (Mbed TLS 2.28 follows 8 intermediate
 * CAs, i.e. 10 certificates with the leaf and the root). Here one handshake with the tool's
 * OpenSSL builds the chain against the same CA file and counts it whole. Verification does
 * not stop the handshake (the chain was step 4's question); a handshake that fails after
 * the server's certificates (a client certificate required) still counts them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "doctor/doctor_internal.h"

/* Deep enough to build any chain a device profile could refuse (OpenSSL's own is 100). */
#define COUNT_DEPTH 1000

static SSL_CTX *count_ctx(const doctor_t *d)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_verify_depth(ctx, COUNT_DEPTH);
    bool ok = true;
    if (d->cfg.cafile || d->cfg.capath)
        ok = SSL_CTX_load_verify_locations(ctx, d->cfg.cafile, d->cfg.capath) == 1;
    if (ok && d->cfg.use_os_certs)
        ok = SSL_CTX_set_default_verify_paths(ctx) == 1;
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* A blocking connection to the address step 3 reached, with the step's time limit on each
 * read and write. */
static BIO *count_bio(const doctor_t *d)
{
    char target[INET6_ADDRSTRLEN + 16];
    snprintf(target, sizeof target, strchr(d->conn_ip, ':') ? "[%s]:%u" : "%s:%u",
             d->conn_ip, (unsigned)d->conn_port);
    BIO *bio = BIO_new_connect(target);
    if (!bio)
        return NULL;
    if (BIO_do_connect(bio) != 1) {
        BIO_free_all(bio);
        return NULL;
    }
    int fd = -1;
    BIO_get_fd(bio, &fd);
    struct timeval tv = {(time_t)(d->timeout_ms / 1000u),
                         (suseconds_t)(d->timeout_ms % 1000u) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return bio;
}

/* The chain verification built: its length, and whether it ends at a self-issued root. */
static int count_verified(SSL *ssl, bool *root)
{
    STACK_OF(X509) *chain = SSL_get0_verified_chain(ssl);
    int n = chain ? sk_X509_num(chain) : 0;
    if (n <= 0)
        return -1;
    X509 *top = sk_X509_value(chain, n - 1);
    *root = X509_NAME_cmp(X509_get_subject_name(top), X509_get_issuer_name(top)) == 0;
    return n;
}

/* The server's Certificate message as it came: its certificates' DER in the message's
 * framing (RFC 5246, 7.4.2; RFC 8446, 4.4.2 adds a context byte and two bytes of extensions
 * per certificate, which a server rarely fills: a lower bound then). -1 without a chain. */
static long cert_msg_bytes(SSL *ssl)
{
    STACK_OF(X509) *sent = SSL_get_peer_cert_chain(ssl);
    int n = sent ? sk_X509_num(sent) : 0;
    if (n <= 0)
        return -1;
    bool v13 = SSL_version(ssl) == TLS1_3_VERSION;
    long bytes = 4 + (v13 ? 1 : 0) + 3;
    for (int i = 0; i < n; i++) {
        int len = i2d_X509(sk_X509_value(sent, i), NULL);
        if (len < 0)
            return -1;
        bytes += 3 + len + (v13 ? 2 : 0);
    }
    return bytes;
}

static bool is_address(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int doctor_device_chain_len(const doctor_t *d, bool *root, long *cert_msg)
{
    int n = -1;
    *cert_msg = -1;
    SSL_CTX *ctx = count_ctx(d);
    BIO *bio = ctx ? count_bio(d) : NULL;
    SSL *ssl = bio ? SSL_new(ctx) : NULL;
    if (ssl) {
        SSL_set_bio(ssl, bio, bio); /* the SSL owns the BIO now */
        bio = NULL;
        if (!is_address(d->host))
            SSL_set_tlsext_host_name(ssl, d->host);
        (void)SSL_connect(ssl); /* a later failure leaves the chain counted */
        n = count_verified(ssl, root);
        *cert_msg = cert_msg_bytes(ssl);
        SSL_free(ssl);
    }
    BIO_free_all(bio);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return n;
}
