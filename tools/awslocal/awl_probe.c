/**
 * @file awl_probe.c
 * @brief Is the mosquitto of `mqtls awslocal up` accepting connections? A TCP connect is not
 *        enough: mosquitto opens its listening socket before it loads its certificates and
 *        may still fail then. A TLS handshake with the claim certificate, verified against
 *        DIR's root, is answered only by a running mosquitto with DIR's credentials.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "awslocal/awl_internal.h"
#include "creds/tool_pki_internal.h"

/* A connected TCP socket to 127.0.0.1:@p port that gives up reading after 2 s, or -1. */
static int tcp_to(uint16_t port)
{
    struct sockaddr_in sa;
    struct timeval tv = {2, 0};
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A client context that trusts DIR's root only and shows the claim certificate. */
static SSL_CTX *client_ctx(const char *dir)
{
    char *ca = tool_pki_path_join(dir, "ca.pem");
    char *crt = tool_pki_path_join(dir, "claim/cert.pem");
    char *key = tool_pki_path_join(dir, "claim/private.key");
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    bool ok = ctx && SSL_CTX_load_verify_locations(ctx, ca, NULL) == 1 &&
              SSL_CTX_use_certificate_file(ctx, crt, SSL_FILETYPE_PEM) == 1 &&
              SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1;
    if (ok)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    free(ca);
    free(crt);
    free(key);
    if (!ok) {
        SSL_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

bool awl_probe(const char *dir, uint16_t port)
{
    int fd = tcp_to(port);
    if (fd < 0)
        return false;
    SSL_CTX *ctx = client_ctx(dir);
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    bool ok = ssl && SSL_set_fd(ssl, fd) == 1 && SSL_set1_host(ssl, "localhost") == 1 &&
              SSL_connect(ssl) == 1;
    if (ok)
        SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    ERR_clear_error();
    return ok;
}
