/**
 * @file mqtls_tls_script.c
 * @brief A TLS server built on OpenSSL that fails the way a real server does, for the alerts
 *        mosquitto cannot be configured to send (tests/cli/test_doctor_alerts.sh).
 *
 * Usage: mqtls_tls_script MODE [ARG] --cert F --key F [--ca F] [--tls-max 1.2|1.3]
 *                         [--lifetime S]
 * Prints the port it listens on (127.0.0.1) as its first line, then serves connections one
 * after the other until its lifetime (default 60 s) is over.
 *
 * Modes, each a failure of OpenSSL's own making unless said otherwise:
 *   ok             a plain handshake, then the connection is read until the client closes
 *   sni NAME       a servername callback that knows NAME only: any other name, or none,
 *                  gets OpenSSL's fatal alert 112 unrecognized_name (RFC 6066, 3)
 *   alpn PROTO     an ALPN callback that speaks PROTO only: a client offering others gets
 *                  OpenSSL's alert 120 no_application_protocol (RFC 7301, 3.2)
 *   verify ERR     asks for a client certificate and fails its verification with the X509
 *                  error ERR (X509_V_ERR_* number): OpenSSL sends its own alert for it
 *   hello VERSION[:SUITE]
 *                  raw, no OpenSSL: answers the ClientHello with a ServerHello of the legacy
 *                  version VERSION (hex: 0302 is what a server capped at TLS 1.1 that does
 *                  not know TLS 1.3's supported_versions answers) and the cipher suite SUITE
 *                  (hex, default 002f; 0000, TLS_NULL_WITH_NULL_NULL, is one no client
 *                  offers: a broken server)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum mode { M_OK, M_SNI, M_ALPN, M_VERIFY, M_HELLO };

typedef struct opts {
    enum mode mode;
    const char *arg;
    const char *cert, *key, *ca;
    int tls_max;
    unsigned lifetime;
} opts_t;

static opts_t o = {.tls_max = TLS1_3_VERSION, .lifetime = 60};

static int usage(void)
{
    fputs("usage: mqtls_tls_script ok|sni NAME|alpn PROTO|verify ERR|hello VERSION\n"
          "                        --cert F --key F [--ca F] [--tls-max 1.2|1.3]"
          " [--lifetime S]\n",
          stderr);
    return 2;
}

static bool parse_mode(const char *name)
{
    static const struct {
        const char *name;
        enum mode mode;
    } modes[] = {{"ok", M_OK}, {"sni", M_SNI}, {"alpn", M_ALPN}, {"verify", M_VERIFY},
                 {"hello", M_HELLO}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(name, modes[i].name)) {
            o.mode = modes[i].mode;
            return true;
        }
    return false;
}

static bool parse_args(int argc, char **argv)
{
    if (argc < 2 || !parse_mode(argv[1]))
        return false;
    int i = 2;
    if (o.mode != M_OK) {
        if (argc < 3)
            return false;
        o.arg = argv[i++];
    }
    for (; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--cert"))
            o.cert = v;
        else if (!strcmp(k, "--key"))
            o.key = v;
        else if (!strcmp(k, "--ca"))
            o.ca = v;
        else if (!strcmp(k, "--tls-max"))
            o.tls_max = !strcmp(v, "1.2") ? TLS1_2_VERSION : TLS1_3_VERSION;
        else if (!strcmp(k, "--lifetime"))
            o.lifetime = (unsigned)strtoul(v, NULL, 10);
        else
            return false;
    }
    return i == argc && (o.mode == M_HELLO || (o.cert && o.key));
}

/* ---- the callbacks that fail --------------------------------------------------------- */

static int on_servername(SSL *ssl, int *alert, void *arg)
{
    (void)arg;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name && !strcmp(name, o.arg))
        return SSL_TLSEXT_ERR_OK;
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static int on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    size_t want = strlen(o.arg);
    for (unsigned at = 0; at < inlen; at += 1u + in[at]) {
        if (in[at] == want && at + 1u + want <= inlen && !memcmp(in + at + 1, o.arg, want)) {
            *out = in + at + 1;
            *outlen = in[at];
            return SSL_TLSEXT_ERR_OK;
        }
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL; /* OpenSSL sends no_application_protocol */
}

/* The device certificate fails with the error asked for, at its own depth (0). */
static int on_verify(int ok, X509_STORE_CTX *store)
{
    (void)ok;
    if (X509_STORE_CTX_get_error_depth(store) != 0)
        return 1;
    X509_STORE_CTX_set_error(store, atoi(o.arg));
    return 0;
}

static SSL_CTX *make_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, o.cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, o.key, SSL_FILETYPE_PEM) != 1 ||
        !SSL_CTX_set_max_proto_version(ctx, o.tls_max)) {
        ERR_print_errors_fp(stderr);
        return NULL;
    }
    if (o.ca && SSL_CTX_load_verify_locations(ctx, o.ca, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return NULL;
    }
    if (o.mode == M_SNI)
        SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
    else if (o.mode == M_ALPN)
        SSL_CTX_set_alpn_select_cb(ctx, on_alpn, NULL);
    else if (o.mode == M_VERIFY)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, on_verify);
    return ctx;
}

/* ---- serving ------------------------------------------------------------------------ */

static bool read_all(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

/* A ServerHello of the legacy version and suite asked for: fixed "random" bytes, no session
 * id, no compression (RFC 5246, 7.4.1.3). */
static void serve_hello(int fd)
{
    unsigned char hdr[5], body[16384];
    if (!read_all(fd, hdr, 5) || hdr[0] != 22)
        return;
    size_t len = ((size_t)hdr[3] << 8) | hdr[4];
    if (len > sizeof body || !read_all(fd, body, len))
        return;
    char *end;
    unsigned v = (unsigned)strtoul(o.arg, &end, 16);
    unsigned suite = *end == ':' ? (unsigned)strtoul(end + 1, NULL, 16) : 0x002Fu;
    unsigned char rec[5 + 4 + 38] = {22, 3, 1, 0, 42, 2, 0, 0, 38, (unsigned char)(v >> 8),
                                     (unsigned char)v};
    for (int i = 0; i < 32; i++)
        rec[11 + i] = (unsigned char)(i * 7 + 1);
    rec[43] = 0;    /* session id length */
    rec[44] = (unsigned char)(suite >> 8);
    rec[45] = (unsigned char)suite;
    rec[46] = 0;    /* compression: null */
    if (write(fd, rec, sizeof rec) != (ssize_t)sizeof rec)
        return;
    unsigned char drain[512];
    while (read(fd, drain, sizeof drain) > 0) {
    }
}

static void serve_tls(SSL_CTX *ctx, int fd)
{
    SSL *ssl = SSL_new(ctx);
    if (!ssl)
        return;
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
        char buf[512];
        while (SSL_read(ssl, buf, sizeof buf) > 0) {
        }
    }
    SSL_free(ssl);
}

static int listen_local(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 8) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    printf("%u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    return s;
}

int main(int argc, char **argv)
{
    if (!parse_args(argc, argv))
        return usage();
    signal(SIGPIPE, SIG_IGN);
    SSL_CTX *ctx = o.mode == M_HELLO ? NULL : make_ctx();
    if (o.mode != M_HELLO && !ctx)
        return 1;
    int s = listen_local();
    if (s < 0)
        return 1;
    alarm(o.lifetime);
    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0)
            continue;
        struct timeval tv = {.tv_sec = 5};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (o.mode == M_HELLO)
            serve_hello(fd);
        else
            serve_tls(ctx, fd);
        close(fd);
    }
}
