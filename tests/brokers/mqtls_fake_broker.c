/**
 * @file mqtls_fake_broker.c
 * @brief A server that fails on purpose, for the scenario tests of `mqtls doctor` and of
 *        the hostile-broker cases of `mqtls pub`/`sub`: the failures mosquitto cannot be
 *        configured to show (tests/cli/test_doctor.sh, tests/cli/test_hardening_cli.sh).
 *
 *     mqtls_fake_broker MODE [ARG] [options]
 *
 * Listens on 127.0.0.1 (a free port), prints the port on stdout, then serves one
 * connection at a time until it is killed or --lifetime seconds have passed.
 *
 * Modes (TLS):
 *   alert N        reads the ClientHello, answers with the fatal alert N as a raw record
 *                  (15 03 03 00 02 02 NN), closes
 *   bigrecord      reads the ClientHello, answers with a handshake record of 16484 bytes:
 *                  more than Mbed TLS's input buffer takes (MBEDTLS_SSL_IN_CONTENT_LEN 16384)
 *   tls            an Mbed TLS server (--cert, --key; --ca with --verify optional|required
 *                  asks for a client certificate); after the handshake it reads CONNECT and
 *                  closes without CONNACK (how AWS IoT refuses a policy). With --alpn P it
 *                  offers P and, as AWS IoT on port 443, answers a ClientHello that does not
 *                  offer P with alert 40 (handshake_failure). With --connack CODE it
 *                  answers the CONNECT with CONNACK CODE instead (a broker that judges the
 *                  client certificate and refuses it)
 * Modes (plain MQTT; 3.1.1 or 5.0 as the CONNECT says):
 *   connack CODE   answers CONNECT with CONNACK CODE (3.1.1 return code or 5.0 reason code);
 *                  with --first-ok the first connection is accepted instead (CONNACK 0,
 *                  SUBACK granted) and closed after 0.5 s of silence, so that the client's
 *                  reconnect meets the refusal
 *   suback CODE    CONNACK 0, then SUBACK CODE for every filter of every SUBSCRIBE
 *   swallow        CONNACK 0, SUBACK granted, PUBACK for every PUBLISH, never delivers
 *   close-on-sub   CONNACK 0, closes the connection when SUBSCRIBE arrives
 *   disconnect CODE  CONNACK 0, SUBACK granted, then DISCONNECT with reason CODE and the
 *                  Reason String "fake broker: disconnect CODE" (5.0; 3.1.1: just closes)
 *   ctl-topic      CONNACK 0, SUBACK granted, then a QoS 0 PUBLISH whose topic holds control
 *                  characters (ESC sequences, BEL, the C1 CSI) and payload "p ESC [0m"
 *   puback-qos2    as swallow, but every QoS 1 or 2 PUBLISH is answered with PUBACK (as
 *                  RabbitMQ's MQTT plugin answers QoS 2)
 *   no-ack         as swallow, but no PUBLISH is ever acknowledged (as AWS IoT Core treats
 *                  QoS 2)
 *   no-read        CONNACK 0, then never reads again: the client's sends fill the socket
 *                  buffers and block
 *   close-on-pub   CONNACK 0, SUBACK granted, closes the connection when PUBLISH arrives
 *                  (AWS IoT when a policy denies iot:Publish)
 *   v5-close       closes the connection when a 5.0 CONNECT arrives, without CONNACK; a
 *                  3.1.1 CONNECT is served as swallow does (RabbitMQ 3.10's MQTT plugin)
 *   talk-after-disconnect  as swallow; after the client's DISCONNECT it sends two PINGRESPs
 *                  0.1 s apart before closing, as a broker still delivering does, and prints
 *                  on stderr "lingered" when the client read them (both sends succeeded) or
 *                  "reset" when the client had closed already (its RST failed a send)
 *   With --server-ref S, the 5.0 CONNACK of connack and the DISCONNECT of disconnect carry
 *   the Server Reference S (for 0x9C "use another server", 0x9D "server moved").
 * Modes (any protocol):
 *   stall          accepts, reads, never answers
 *   http           answers the first bytes with "HTTP/1.1 400 Bad Request"
 *   backlog        listen backlog 0, fills the accept queue itself and never accepts: a
 *                  connect to the port times out, as behind a firewall that drops packets
 *
 * Options: --cert F, --key F, --ca F, --verify none|optional|required, --alpn P,
 * --lifetime S (default 60). Exit status: 2 on a usage error, 1 when it cannot start.
 */
#define _GNU_SOURCE /* POLLRDHUP: no-read sees the client hang up without reading its data */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#define FB_PARSE_KEYFILE(pk, path, drbg)                                                       \
    mbedtls_pk_parse_keyfile(pk, path, NULL, mbedtls_ctr_drbg_random, drbg)

enum mode {
    M_ALERT,
    M_BIGRECORD,
    M_TLS,
    M_CONNACK,
    M_SUBACK,
    M_SWALLOW,
    M_CLOSE_ON_SUB,
    M_DISCONNECT,
    M_CTL_TOPIC,
    M_PUBACK_QOS2,
    M_NO_ACK,
    M_NO_READ,
    M_CLOSE_ON_PUB,
    M_TALK_AFTER_DISCONNECT,
    M_V5_CLOSE,
    M_STALL,
    M_HTTP,
    M_BACKLOG
};

static const struct {
    const char *name;
    enum mode mode;
    bool arg;
} modes[] = {
    {"alert", M_ALERT, true},     {"bigrecord", M_BIGRECORD, false},
    {"tls", M_TLS, false},        {"connack", M_CONNACK, true},
    {"suback", M_SUBACK, true},   {"swallow", M_SWALLOW, false},
    {"close-on-sub", M_CLOSE_ON_SUB, false}, {"stall", M_STALL, false},
    {"disconnect", M_DISCONNECT, true}, {"ctl-topic", M_CTL_TOPIC, false},
    {"puback-qos2", M_PUBACK_QOS2, false}, {"no-ack", M_NO_ACK, false},
    {"no-read", M_NO_READ, false}, {"close-on-pub", M_CLOSE_ON_PUB, false},
    {"talk-after-disconnect", M_TALK_AFTER_DISCONNECT, false},
    {"v5-close", M_V5_CLOSE, false},
    {"http", M_HTTP, false},      {"backlog", M_BACKLOG, false},
};

typedef struct opts {
    enum mode mode;
    unsigned arg;
    const char *cert, *key, *ca, *alpn;
    const char *server_ref; /**< --server-ref: the Server Reference of CONNACK/DISCONNECT */
    int tls_connack;        /**< tls --connack CODE: refuse CONNECT with it; -1: hang up */
    int verify;
    unsigned lifetime;
    bool first_ok;   /**< connack: accept the first connection */
    unsigned conns;  /**< connections served so far */
} opts_t;

/* The TLS server's state, set up once. */
typedef struct tls_srv {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt cert, ca;
    mbedtls_pk_context key;
    mbedtls_ssl_config conf;
    const char *alpn_list[2];
} tls_srv_t;

static int usage(void)
{
    fputs("usage: mqtls_fake_broker MODE [ARG] [--cert F --key F] [--ca F --verify MODE]\n"
          "                         [--alpn P] [--lifetime S] [--first-ok]\n"
          "modes: alert N | bigrecord | tls | connack CODE | suback CODE | swallow |\n"
          "       close-on-sub | disconnect CODE | ctl-topic | puback-qos2 | no-ack |\n"
          "       no-read | close-on-pub | v5-close | stall | http | backlog\n"
          "       [--server-ref S] (connack, disconnect) [--connack CODE] (tls)\n",
          stderr);
    return 2;
}

static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return false;
    *out = (unsigned)v;
    return true;
}

static int parse_opts(opts_t *o, int argc, char **argv)
{
    int i;
    size_t m;
    memset(o, 0, sizeof o[0]);
    o->lifetime = 60;
    o->tls_connack = -1;
    o->verify = MBEDTLS_SSL_VERIFY_NONE;
    if (argc < 2)
        return usage();
    for (m = 0; m < sizeof modes / sizeof modes[0]; m++)
        if (!strcmp(argv[1], modes[m].name))
            break;
    if (m == sizeof modes / sizeof modes[0])
        return usage();
    o->mode = modes[m].mode;
    i = 2;
    if (modes[m].arg) {
        if (i >= argc || !parse_uint(argv[i], 255, &o->arg)) {
            fprintf(stderr, "mqtls_fake_broker: %s needs a number from 0 to 255\n", argv[1]);
            return 2;
        }
        i++;
    }
    while (i < argc) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--first-ok")) {
            o->first_ok = true;
            i++;
            continue;
        }
        if (!v)
            return usage();
        if (!strcmp(a, "--cert"))
            o->cert = v;
        else if (!strcmp(a, "--key"))
            o->key = v;
        else if (!strcmp(a, "--ca"))
            o->ca = v;
        else if (!strcmp(a, "--alpn"))
            o->alpn = v;
        else if (!strcmp(a, "--server-ref") && strlen(v) <= 200)
            o->server_ref = v;
        else if (!strcmp(a, "--connack")) {
            unsigned code;
            if (!parse_uint(v, 255, &code))
                return usage();
            o->tls_connack = (int)code;
        }
        else if (!strcmp(a, "--verify"))
            o->verify = !strcmp(v, "required") ? MBEDTLS_SSL_VERIFY_REQUIRED
                        : !strcmp(v, "optional") ? MBEDTLS_SSL_VERIFY_OPTIONAL
                                                 : MBEDTLS_SSL_VERIFY_NONE;
        else if (!strcmp(a, "--lifetime")) {
            if (!parse_uint(v, 3600, &o->lifetime) || !o->lifetime)
                return usage();
        } else
            return usage();
        i += 2;
    }
    if (o->mode == M_TLS && (!o->cert || !o->key)) {
        fputs("mqtls_fake_broker: tls needs --cert and --key\n", stderr);
        return 2;
    }
    if (o->verify != MBEDTLS_SSL_VERIFY_NONE && !o->ca) {
        fputs("mqtls_fake_broker: --verify needs --ca\n", stderr);
        return 2;
    }
    return 0;
}

/* ---- raw I/O ----------------------------------------------------------------------- */

static bool write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return false;
        }
        b += w;
        n -= (size_t)w;
    }
    return true;
}

static bool read_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    while (n) {
        ssize_t r = recv(fd, b, n, 0);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return false;
        }
        b += r;
        n -= (size_t)r;
    }
    return true;
}

/* Ends a connection without losing what was sent: no more writes, read until the client
 * closes (or the receive timeout), then close. A close with unread data would reset the
 * connection, and the client could lose our last record. */
static void finish(int fd)
{
    uint8_t buf[512];
    shutdown(fd, SHUT_WR);
    while (recv(fd, buf, sizeof buf, 0) > 0)
        ;
}

/* Reads one whole TLS record (the ClientHello); false when it is not one. */
static bool read_record(int fd, uint8_t *hdr, uint8_t *body, size_t cap, size_t *len)
{
    if (!read_all(fd, hdr, 5) || hdr[0] != 22)
        return false;
    *len = ((size_t)hdr[3] << 8) | hdr[4];
    return *len <= cap && read_all(fd, body, *len);
}

/* ---- TLS modes --------------------------------------------------------------------- */

static void send_alert(int fd, unsigned alert)
{
    const uint8_t rec[7] = {21, 3, 3, 0, 2, 2, (uint8_t)alert};
    write_all(fd, rec, sizeof rec);
}

static void serve_alert(int fd, const opts_t *o)
{
    uint8_t hdr[5], body[16384];
    size_t len;
    if (read_record(fd, hdr, body, sizeof body, &len))
        send_alert(fd, o->arg);
}

static void serve_bigrecord(int fd)
{
    enum { LEN = 16484 }; /* above 16384: no conforming server sends it; a small buffer
                             meets the same failure with a real 5 KB certificate chain */
    uint8_t hdr[5], body[16384];
    size_t len;
    if (!read_record(fd, hdr, body, sizeof body, &len))
        return;
    static uint8_t rec[5 + LEN];
    rec[0] = 22;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)(LEN >> 8);
    rec[4] = (uint8_t)(LEN & 0xFF);
    rec[5] = 2; /* a "ServerHello" that is far too long */
    write_all(fd, rec, sizeof rec);
}

/* Does the ClientHello waiting in the socket offer ALPN @p want? Peeks, reads nothing. */
static bool hello_offers_alpn(int fd, const char *want)
{
    static uint8_t buf[5 + 16384];
    size_t need = 5, have = 0;
    for (int tries = 0; tries < 100; tries++) {
        ssize_t r = recv(fd, buf, sizeof buf, MSG_PEEK);
        if (r <= 0)
            return false;
        have = (size_t)r;
        if (have >= 5)
            need = 5 + (((size_t)buf[3] << 8) | buf[4]);
        if (have >= need)
            break;
        usleep(10000);
    }
    if (have < need || buf[0] != 22 || need < 5 + 4 + 2 + 32 + 1)
        return false;
    const uint8_t *p = buf + 5, *end = buf + need;
    if (p[0] != 1) /* ClientHello */
        return false;
    p += 4 + 2 + 32;                                  /* header, version, random */
    if (p >= end || (p += 1 + p[0]) + 2 > end)        /* session id */
        return false;
    if ((p += 2 + ((p[0] << 8) | p[1])) + 1 > end)    /* cipher suites */
        return false;
    if ((p += 1 + p[0]) + 2 > end)                    /* compression methods */
        return false;
    const uint8_t *ext_end = p + 2 + ((p[0] << 8) | p[1]);
    p += 2;
    if (ext_end > end)
        return false;
    while (p + 4 <= ext_end) {
        unsigned type = (unsigned)((p[0] << 8) | p[1]), len = (unsigned)((p[2] << 8) | p[3]);
        const uint8_t *e = p + 4, *e_end = e + len;
        if (e_end > ext_end)
            return false;
        if (type == 16 && len >= 2) { /* application_layer_protocol_negotiation */
            const uint8_t *q = e + 2;
            while (q < e_end) {
                size_t n = q[0];
                if (q + 1 + n > e_end)
                    return false;
                if (n == strlen(want) && !memcmp(q + 1, want, n))
                    return true;
                q += 1 + n;
            }
        }
        p = e_end;
    }
    return false;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    ssize_t n = send(*(int *)ctx, buf, len, MSG_NOSIGNAL);
    return n < 0 ? MBEDTLS_ERR_SSL_INTERNAL_ERROR : (int)n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n = recv(*(int *)ctx, buf, len, 0);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? MBEDTLS_ERR_SSL_TIMEOUT
                                                       : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    return (int)n;
}

static int tls_setup(tls_srv_t *s, const opts_t *o)
{
    char err[128];
    int ret;
    mbedtls_entropy_init(&s->entropy);
    mbedtls_ctr_drbg_init(&s->drbg);
    mbedtls_x509_crt_init(&s->cert);
    mbedtls_x509_crt_init(&s->ca);
    mbedtls_pk_init(&s->key);
    mbedtls_ssl_config_init(&s->conf);
    if ((ret = mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func, &s->entropy,
                                     (const unsigned char *)"fake", 4)) != 0 ||
        (ret = mbedtls_x509_crt_parse_file(&s->cert, o->cert)) != 0 ||
        (ret = FB_PARSE_KEYFILE(&s->key, o->key, &s->drbg)) != 0 ||
        (o->ca && (ret = mbedtls_x509_crt_parse_file(&s->ca, o->ca)) != 0) ||
        (ret = mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER,
                                           MBEDTLS_SSL_TRANSPORT_STREAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0 ||
        (ret = mbedtls_ssl_conf_own_cert(&s->conf, &s->cert, &s->key)) != 0)
        goto fail;
    mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->drbg);
    mbedtls_ssl_conf_authmode(&s->conf, o->verify);
    if (o->ca)
        mbedtls_ssl_conf_ca_chain(&s->conf, &s->ca, NULL);
    if (o->alpn) {
        s->alpn_list[0] = o->alpn;
        s->alpn_list[1] = NULL;
        if ((ret = mbedtls_ssl_conf_alpn_protocols(&s->conf, s->alpn_list)) != 0)
            goto fail;
    }
    return 0;
fail:
    mbedtls_strerror(ret, err, sizeof err);
    fprintf(stderr, "mqtls_fake_broker: TLS setup: %s (-0x%04X)\n", err, (unsigned)-ret);
    return -1;
}

/* tls --connack CODE: CONNACK CODE (3.1.1 or 5.0 as the CONNECT in @p c says), then the
 * close. */
static void tls_refuse(mbedtls_ssl_context *ssl, const uint8_t *c, size_t n, uint8_t code)
{
    size_t i = 1, nl;
    while (i < n && i < 5 && (c[i] & 0x80)) /* the remaining length */
        i++;
    i++;
    nl = i + 1 < n ? (size_t)((c[i] << 8) | c[i + 1]) : 0;
    bool v5 = i + 2 + nl < n && c[i + 2 + nl] == 5;
    uint8_t ack[5] = {0x20, (uint8_t)(v5 ? 3 : 2), 0, code, 0};
    (void)mbedtls_ssl_write(ssl, ack, v5 ? 5u : 4u);
}

static void serve_tls(int fd, tls_srv_t *s, const opts_t *o)
{
    if (o->alpn && !hello_offers_alpn(fd, o->alpn)) {
        uint8_t hdr[5], body[16384];
        size_t len;
        if (read_record(fd, hdr, body, sizeof body, &len))
            send_alert(fd, 40);
        return;
    }
    mbedtls_ssl_context ssl;
    mbedtls_ssl_init(&ssl);
    int cfd = fd, ret;
    if (mbedtls_ssl_setup(&ssl, &s->conf) == 0) {
        mbedtls_ssl_set_bio(&ssl, &cfd, bio_send, bio_recv, NULL);
        while ((ret = mbedtls_ssl_handshake(&ssl)) == MBEDTLS_ERR_SSL_WANT_READ ||
               ret == MBEDTLS_ERR_SSL_WANT_WRITE)
            ;
        if (ret == 0) {
            unsigned char buf[1024];
            /* The CONNECT arrives; the answer is to hang up, no CONNACK, no close_notify. */
            int n = mbedtls_ssl_read(&ssl, buf, sizeof buf);
            if (n > 0 && o->tls_connack >= 0) /* --connack: refuse it instead */
                tls_refuse(&ssl, buf, (size_t)n, (uint8_t)o->tls_connack);
        }
    }
    mbedtls_ssl_free(&ssl);
}

/* ---- plain MQTT modes -------------------------------------------------------------- */

/* Reads one MQTT packet: first byte and body (up to @p cap bytes). */
static bool read_packet(int fd, uint8_t *type, uint8_t *body, size_t cap, size_t *len)
{
    uint8_t b;
    size_t n = 0, mult = 1;
    if (!read_all(fd, type, 1))
        return false;
    for (int i = 0; i < 4; i++) {
        if (!read_all(fd, &b, 1))
            return false;
        n += (size_t)(b & 0x7F) * mult;
        mult *= 128;
        if (!(b & 0x80))
            break;
    }
    *len = n;
    return n <= cap && read_all(fd, body, n);
}

/* Skips a 5.0 property block (a variable byte integer length, then the properties). */
static size_t skip_props(const uint8_t *p, size_t avail)
{
    size_t n = 0, mult = 1, i = 0;
    while (i < avail && i < 4) {
        n += (size_t)(p[i] & 0x7F) * mult;
        mult *= 128;
        if (!(p[i++] & 0x80))
            break;
    }
    return i + n;
}

/* 5.0 DISCONNECT with reason @p code and a Reason String naming it. */
static void send_disconnect(int fd, unsigned code, const char *ref)
{
    char rs[48];
    uint8_t pkt[7 + sizeof rs + 3 + 200];
    int n = snprintf(rs, sizeof rs, "fake broker: disconnect %u", code);
    size_t rl = ref ? strlen(ref) : 0, extra = ref ? 3 + rl : 0;
    pkt[0] = 0xE0;
    pkt[1] = (uint8_t)(2 + 3 + n + extra); /* reason, property length, properties */
    pkt[2] = (uint8_t)code;
    pkt[3] = (uint8_t)(3 + n + extra);
    pkt[4] = 0x1F;
    pkt[5] = 0;
    pkt[6] = (uint8_t)n;
    memcpy(pkt + 7, rs, (size_t)n);
    if (ref) { /* Server Reference (0x1C), a UTF-8 string */
        pkt[7 + n] = 0x1C;
        pkt[8 + n] = 0;
        pkt[9 + n] = (uint8_t)rl;
        memcpy(pkt + 10 + n, ref, rl);
    }
    write_all(fd, pkt, 7u + (size_t)n + extra);
}

/* A QoS 0 PUBLISH whose topic would drive a terminal: clear screen, set the title, bell,
 * and the C1 control CSI (U+009B) in UTF-8. */
static void send_ctl_topic(int fd, bool v5)
{
    static const char topic[] = "ctl/\x1b[2J\x1b]0;owned\x07/\xc2\x9b" "31m";
    size_t tl = sizeof topic - 1, n = 0;
    uint8_t pkt[64];
    pkt[n++] = 0x30;
    static const char payload[] = "p\x1b[0m"; /* raw: sub does not touch payloads */
    size_t pl = sizeof payload - 1;
    pkt[n++] = (uint8_t)(2 + tl + (v5 ? 1 : 0) + pl);
    pkt[n++] = 0;
    pkt[n++] = (uint8_t)tl;
    memcpy(pkt + n, topic, tl);
    n += tl;
    if (v5)
        pkt[n++] = 0; /* no properties */
    memcpy(pkt + n, payload, pl);
    write_all(fd, pkt, n + pl);
}

/* CONNECT: the answer; false when the connection ends here. */
static bool on_connect(int fd, const opts_t *o, const uint8_t *body, size_t len, bool *v5)
{
    size_t nl = len >= 2 ? (size_t)((body[0] << 8) | body[1]) : 0;
    *v5 = len > 2 + nl && body[2 + nl] == 5;
    uint8_t code = o->mode == M_CONNACK ? (uint8_t)o->arg : 0;
    if (o->first_ok && o->conns == 1) { /* the refusal waits for the reconnect */
        struct timeval tv = {0, 500000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        code = 0;
    }
    if (o->mode == M_V5_CLOSE && *v5)
        return false; /* no CONNACK: the 5.0 CONNECT is not understood */
    size_t rl = *v5 && o->server_ref && code ? strlen(o->server_ref) : 0;
    uint8_t ack[8 + 200] = {0x20, (uint8_t)(*v5 ? 3 : 2), 0, code, 0};
    if (rl) { /* 5.0: the Server Reference property (0x1C) */
        ack[1] = (uint8_t)(3 + 3 + rl);
        ack[4] = (uint8_t)(3 + rl);
        ack[5] = 0x1C;
        ack[6] = 0;
        ack[7] = (uint8_t)rl;
        memcpy(ack + 8, o->server_ref, rl);
    }
    write_all(fd, ack, rl ? 8u + rl : *v5 ? 5u : 4u);
    return code == 0;
}

/* SUBSCRIBE: SUBACK (granted, or the suback mode's code), then what the mode sends next;
 * false when the connection ends here. */
static bool on_subscribe(int fd, const opts_t *o, const uint8_t *body, size_t len, bool v5)
{
    if (o->mode == M_CLOSE_ON_SUB || len < 2)
        return false;
    uint8_t out[5 + 256];
    size_t pos = 2, n = 0, hdr = v5 ? 5 : 4;
    if (v5)
        pos += skip_props(body + 2, len - 2);
    while (pos + 2 <= len && n < 120) {
        size_t fl = (size_t)((body[pos] << 8) | body[pos + 1]);
        if (pos + 2 + fl + 1 > len)
            break;
        uint8_t qos = body[pos + 2 + fl] & 3;
        out[hdr + n++] = o->mode == M_SUBACK ? (uint8_t)o->arg : qos;
        pos += 2 + fl + 1;
    }
    out[0] = 0x90;
    out[1] = (uint8_t)(hdr - 2 + n); /* packet id, 5.0 properties (none), codes */
    out[2] = body[0];
    out[3] = body[1];
    if (v5)
        out[4] = 0;
    write_all(fd, out, hdr + n);
    if (o->mode == M_CTL_TOPIC)
        send_ctl_topic(fd, v5);
    if (o->mode != M_DISCONNECT)
        return true;
    if (v5)
        send_disconnect(fd, o->arg, o->server_ref);
    return false;
}

/* talk-after-disconnect: the client that closes at once after its DISCONNECT answers our
 * late PINGRESPs with a reset, which fails the second send; one that reads until we close
 * takes both. */
static void talk_after_disconnect(int fd)
{
    static const uint8_t pingresp[2] = {0xD0, 0};
    bool ok = true;
    for (int i = 0; i < 2 && ok; i++) {
        usleep(100000);
        ok = write_all(fd, pingresp, sizeof pingresp);
    }
    fputs(ok ? "lingered\n" : "reset\n", stderr);
    fflush(stderr);
}

/* PUBLISH: acknowledged as the mode says, never delivered. */
static void on_publish(int fd, const opts_t *o, uint8_t type, const uint8_t *body, size_t len)
{
    unsigned qos = (type >> 1) & 3;
    size_t tl = len >= 2 ? (size_t)((body[0] << 8) | body[1]) : 0;
    if (!qos || len < 2 + tl + 2 || o->mode == M_NO_ACK)
        return;
    bool puback = qos == 1 || o->mode == M_PUBACK_QOS2;
    uint8_t ack[4] = {(uint8_t)(puback ? 0x40 : 0x50), 2, body[2 + tl], body[3 + tl]};
    write_all(fd, ack, sizeof ack);
}

static void serve_mqtt(int fd, const opts_t *o)
{
    static uint8_t body[65536];
    uint8_t type;
    size_t len;
    bool v5 = false;
    while (read_packet(fd, &type, body, sizeof body, &len)) {
        switch (type >> 4) {
        case 1: /* CONNECT */
            if (!on_connect(fd, o, body, len, &v5))
                return;
            break;
        case 8: /* SUBSCRIBE */
            if (!on_subscribe(fd, o, body, len, v5))
                return;
            break;
        case 3:
            if (o->mode == M_CLOSE_ON_PUB)
                return;
            on_publish(fd, o, type, body, len);
            break;
        case 6: /* PUBREL */
            if (len >= 2) {
                uint8_t ack[4] = {0x70, 2, body[0], body[1]};
                write_all(fd, ack, sizeof ack);
            }
            break;
        case 12: { /* PINGREQ */
            uint8_t ack[2] = {0xD0, 0};
            write_all(fd, ack, sizeof ack);
            break;
        }
        case 14: /* DISCONNECT */
            if (o->mode == M_TALK_AFTER_DISCONNECT)
                talk_after_disconnect(fd);
            return;
        default: /* something this server does not do */
            return;
        }
    }
}

/* no-read: CONNACK, then nothing is read: the client's writes block once the socket
 * buffers are full. Ends when the client hangs up (or after a minute). */
static void serve_no_read(int fd)
{
    static uint8_t body[65536];
    uint8_t type;
    size_t len;
    if (!read_packet(fd, &type, body, sizeof body, &len) || (type >> 4) != 1)
        return;
    size_t nl = len >= 2 ? (size_t)((body[0] << 8) | body[1]) : 0;
    bool v5 = len > 2 + nl && body[2 + nl] == 5;
    uint8_t ack[5] = {0x20, (uint8_t)(v5 ? 3 : 2), 0, 0, 0};
    write_all(fd, ack, v5 ? 5u : 4u);
    for (int i = 0; i < 600; i++) {
        struct pollfd pf = {fd, POLLRDHUP, 0};
        if (poll(&pf, 1, 100) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR)))
            return;
    }
}

/* ---- the listener ------------------------------------------------------------------ */

/* Connects to our own listener until its accept queue (backlog 0) is full. */
static void fill_backlog(uint16_t port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 4; i++) {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (c >= 0)
            (void)connect(c, (struct sockaddr *)&a, sizeof a); /* kept open, never used */
        usleep(20000);
    }
}

int main(int argc, char **argv)
{
    opts_t o;
    int rc = parse_opts(&o, argc, argv);
    if (rc)
        return rc;
    signal(SIGPIPE, SIG_IGN);
    alarm(o.lifetime); /* never outlives a test that forgot it */
    static tls_srv_t srv;
    if (o.mode == M_TLS && tls_setup(&srv, &o) != 0)
        return 1;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(ls, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(ls, o.mode == M_BACKLOG ? 0 : 16) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) != 0) {
        perror("mqtls_fake_broker: listen");
        return 1;
    }
    printf("%u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    if (o.mode == M_BACKLOG) {
        fill_backlog(ntohs(a.sin_port));
        for (;;)
            pause();
    }
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            perror("mqtls_fake_broker: accept");
            return 1;
        }
        o.conns++;
        struct timeval tv = {15, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        switch (o.mode) {
        case M_ALERT: serve_alert(fd, &o); break;
        case M_BIGRECORD: serve_bigrecord(fd); break;
        case M_TLS: serve_tls(fd, &srv, &o); break;
        case M_HTTP: {
            uint8_t buf[4096];
            static const char resp[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                       "Connection: close\r\n\r\n";
            if (recv(fd, buf, sizeof buf, 0) > 0)
                write_all(fd, resp, sizeof resp - 1);
            break;
        }
        case M_NO_READ:
            serve_no_read(fd);
            close(fd);
            continue;
        case M_STALL: { /* reads until the client gives up, answers nothing, not even FIN */
            uint8_t buf[4096];
            while (recv(fd, buf, sizeof buf, 0) > 0)
                ;
            break;
        }
        default:
            serve_mqtt(fd, &o);
            break;
        }
        finish(fd);
        close(fd);
    }
}
