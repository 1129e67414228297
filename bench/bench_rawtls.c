/**
 * @file bench_rawtls.c
 * @brief A reference row for the TLS connect benchmark: the least a client on OpenSSL 3 can
 *        spend on one mutual-TLS MQTT connect, written plainly against OpenSSL's API.
 *
 * One SSL_CTX (credentials loaded once, SSL_MODE_RELEASE_BUFFERS), and per connect: a
 * blocking TCP socket, SSL_new(), SSL_connect() with the server's IP checked, the MQTT 3.1.1
 * CONNECT written and the CONNACK read, DISCONNECT, close_notify, SSL_free(). No evidence, no
 * event loop, no timeouts: what is left is OpenSSL's handshake and the kernel's TCP. It shows
 * how much of mqtls's CPU per connect is the TLS library itself, and so what the 0.4x target
 * leaves to mqtls. Built only when the bench links OpenSSL (MQTLS_BENCH_HAVE_OPENSSL).
 */
#include "bench_rawtls.h"

#include <stdio.h>
#include <string.h>

#ifndef MQTLS_BENCH_HAVE_OPENSSL
#define MQTLS_BENCH_HAVE_OPENSSL 0
#endif

#if MQTLS_BENCH_HAVE_OPENSSL

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static SSL_CTX *raw_ctx;

bool bench_raw_available(void)
{
    return true;
}

/* OpenSSL's words for the last error, or @p what. */
static void raw_err(char *err, size_t size, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[160] = "";
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, size, "%s%s%s", what, buf[0] ? ": " : "", buf);
    ERR_clear_error();
}

int bench_raw_open(const char *ca, const char *cert, const char *key, int ver, char *err,
                   size_t errsize)
{
    int v = ver == 13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    raw_ctx = SSL_CTX_new(TLS_client_method());
    if (!raw_ctx) {
        raw_err(err, errsize, "SSL_CTX_new");
        return -1;
    }
    SSL_CTX_set_mode(raw_ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_verify(raw_ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_min_proto_version(raw_ctx, v) != 1 ||
        SSL_CTX_set_max_proto_version(raw_ctx, v) != 1 ||
        SSL_CTX_load_verify_locations(raw_ctx, ca, NULL) != 1 ||
        SSL_CTX_use_certificate_chain_file(raw_ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(raw_ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(raw_ctx) != 1) {
        raw_err(err, errsize, "SSL_CTX set-up");
        bench_raw_close();
        return -1;
    }
    return 0;
}

void bench_raw_close(void)
{
    SSL_CTX_free(raw_ctx);
    raw_ctx = NULL;
}

static int raw_socket(uint16_t port)
{
    struct sockaddr_in a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* CONNECT (MQTT 3.1.1, clean session, keep-alive 60 s), then the CONNACK: accepted? */
static int raw_mqtt_connect(SSL *ssl)
{
    static const uint8_t connect_pkt[] = {0x10, 22, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60,
                                          0, 10, 'b', 'e', 'n', 'c', 'h', '-', 'r', 'a', 'w', '0'};
    uint8_t ack[4];
    int got = 0;
    if (SSL_write(ssl, connect_pkt, sizeof connect_pkt) != (int)sizeof connect_pkt)
        return -1;
    while (got < 4) {
        int n = SSL_read(ssl, ack + got, 4 - got);
        if (n <= 0)
            return -1;
        got += n;
    }
    return ack[0] == 0x20 && ack[1] == 2 && ack[3] == 0 ? 0 : -1;
}

int bench_raw_connect_once(uint16_t port, char *version, size_t vsize, char *suite,
                           size_t ssize, char *err, size_t errsize)
{
    static const uint8_t disconnect_pkt[] = {0xE0, 0};
    int rc = -1;
    int fd = raw_socket(port);
    SSL *ssl = fd >= 0 ? SSL_new(raw_ctx) : NULL;
    if (!ssl) {
        snprintf(err, errsize, fd < 0 ? "TCP connect failed" : "SSL_new failed");
    } else if (SSL_set_fd(ssl, fd) != 1 ||
               X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1") != 1) {
        raw_err(err, errsize, "SSL set-up");
    } else if (SSL_connect(ssl) != 1) {
        raw_err(err, errsize, "SSL_connect");
    } else if (raw_mqtt_connect(ssl) != 0) {
        raw_err(err, errsize, "MQTT CONNECT/CONNACK");
    } else {
        if (version && vsize)
            snprintf(version, vsize, "%s", SSL_get_version(ssl));
        if (suite && ssize)
            snprintf(suite, ssize, "%s", SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl)));
        (void)SSL_write(ssl, disconnect_pkt, sizeof disconnect_pkt);
        (void)SSL_shutdown(ssl);
        rc = 0;
    }
    SSL_free(ssl);
    if (fd >= 0)
        close(fd);
    return rc;
}

#else /* no OpenSSL in the bench: no reference row */

bool bench_raw_available(void)
{
    return false;
}

int bench_raw_open(const char *ca, const char *cert, const char *key, int ver, char *err,
                   size_t errsize)
{
    (void)ca;
    (void)cert;
    (void)key;
    (void)ver;
    snprintf(err, errsize, "built without OpenSSL");
    return -1;
}

void bench_raw_close(void)
{
}

int bench_raw_connect_once(uint16_t port, char *version, size_t vsize, char *suite,
                           size_t ssize, char *err, size_t errsize)
{
    (void)port;
    (void)version;
    (void)vsize;
    (void)suite;
    (void)ssize;
    snprintf(err, errsize, "built without OpenSSL");
    return -1;
}

#endif
