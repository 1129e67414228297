/**
 * @file tls_mbedtls.c
 * @brief The Mbed TLS backend (see ../backend.h): one connection's TLS session, its
 *        handshake and application data. The shared context is creds_mbedtls.c's; what
 *        verification found is told by evidence_mbedtls.c.
 *
 * A connection holds only its mbedtls_ssl_context, made at its first handshake and reset
 * for the next; the configuration, credentials and DRBG are the context's.
 */
/* ssl_misc.h (below) is Mbed TLS's own and reads the private fields by their names. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include "mbedtls_be.h"

#include <stdio.h>
#if defined(__unix__)
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/platform.h>
#include <mbedtls/version.h>

/* Mbed TLS's own internal header, for handshake->client_auth alone (handshake_steps()). */
#include "ssl_misc.h"


const char *mqtls__tlsb_name(void)
{
    return "Mbed TLS " MBEDTLS_VERSION_STRING;
}

bool mqtls__tlsb_usable(char *why, size_t size)
{
    (void)why;
    (void)size;
    return true; /* no configuration of its own to get wrong */
}

int mqtls__tlsb_max_version(void)
{
    return MQTLS_MBEDTLS_TLS13 ? MQTLS_TLS_V1_3 : MQTLS_TLS_V1_2;
}

bool mqtls__tlsb_cipher_known(const char *name)
{
    return mqtls__mbedtls_suite_id(name, strlen(name)) != 0;
}

/* ---- I/O through the transport ----------------------------------------------------- */

static int bio_send(void *p, const unsigned char *buf, size_t len)
{
    int32_t n = mqtls__tls_io_send(p, buf, len);
    if (n == 0)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    return n < 0 ? MBEDTLS_ERR_NET_SEND_FAILED : (int)n;
}

static int bio_recv(void *p, unsigned char *buf, size_t len)
{
    int32_t n = mqtls__tls_io_recv(p, buf, len);
    if (n == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (n < 0) /* EOF (0 tells Mbed TLS so) or reset: the peer is gone */
        return n == -(int32_t)MQTLS_ERR_CLOSED ? 0 : MBEDTLS_ERR_NET_CONN_RESET;
    return (int)n;
}

/* ---- the handshake ----------------------------------------------------------------- */

static mqtls_status_t start_fail(mqtls_tls_t *t, int ret)
{
    char words[128];
    mbedtls_strerror(ret, words, sizeof words);
    return mqtls__tls_fail(&t->ev, MQTLS_TLS_STAGE_HANDSHAKE, MQTLS_ERR_TLS, ret,
                           MQTLS_TLS_ITEM_NONE, "%s", words);
}

mqtls_status_t mqtls__tlsb_start(mqtls_tls_t *t, const char *name)
{
    mqtls_mbedtls_ctx_t *be = t->ctx->be;
    int ret;
    if (t->conn) {
        ret = mbedtls_ssl_session_reset(&t->conn->ssl);
        memset(&t->conn->grace, 0, sizeof t->conn->grace);
        t->conn->verdict = t->conn->held = t->conn->described = false;
        t->conn->built_len = 0;
    } else {
        t->conn = mbedtls_calloc(1, sizeof *t->conn);
        if (!t->conn)
            return mqtls__tls_fail(&t->ev, MQTLS_TLS_STAGE_HANDSHAKE, MQTLS_ERR_TLS, 0,
                                   MQTLS_TLS_ITEM_NONE, "out of memory");
        mbedtls_ssl_init(&t->conn->ssl);
        if ((ret = mbedtls_ssl_setup(&t->conn->ssl, &be->conf)) != 0)
            mqtls__tlsb_conn_free(t); /* not set up: the next start makes it anew */
    }
    if (ret != 0)
        return start_fail(t, ret);
    mbedtls_ssl_context *ssl = &t->conn->ssl;
    mbedtls_ssl_set_bio(ssl, t, bio_send, bio_recv, NULL);
    mbedtls_ssl_set_verify(ssl, mqtls__mbedtls_verify_cb, t);
    /* SNI and the name check use a host name; an IP literal is checked by the verify
     * callback against iPAddress SANs and is not sent as SNI (RFC 6066, 3). NULL clears a
     * name left by an earlier connect. */
    if ((ret = mbedtls_ssl_set_hostname(ssl, t->host_is_ip ? NULL : name)) != 0)
        return start_fail(t, ret);
    return MQTLS_OK;
}

static void record_negotiated(mqtls_tls_t *t, bool done)
{
    mbedtls_ssl_context *ssl = &t->conn->ssl;
    if (!done) /* the doctor and the caller read the chain of a failure */
        mqtls__mbedtls_describe_chain(t);
    mqtls__mbedtls_verify_result(t, mbedtls_ssl_get_verify_result(ssl));
    t->ev.cert_sent = t->ev.cert_requested && t->ctx->has_identity;
    const char *v = mbedtls_ssl_get_version(ssl), *cs = mbedtls_ssl_get_ciphersuite(ssl);
    if (!done && ssl->session_negotiate && ssl->session_negotiate->ciphersuite)
        cs = mbedtls_ssl_get_ciphersuite_name(ssl->session_negotiate->ciphersuite); /* agreed
                                                          * in the ServerHello, before a failure */
    const char *alpn = mbedtls_ssl_get_alpn_protocol(ssl);
    /* The version is the server's answer once its ServerHello is in, done or not. */
    bool agreed = done || ssl->MBEDTLS_PRIVATE(state) > MBEDTLS_SSL_SERVER_HELLO;
    snprintf(t->ev.version, sizeof t->ev.version, "%s", v && agreed ? v : "");
    /* TLS 1.3's suites are TLS1-3-AES-... in Mbed TLS, TLS_AES_... in IANA's list */
    bool v13 = cs && strncmp(cs, "TLS1-3-", 7) == 0;
    snprintf(t->ev.ciphersuite, sizeof t->ev.ciphersuite, "%s%s", v13 ? "TLS-" : "",
             cs ? cs + (v13 ? 7 : 0) : "");
    for (char *p = t->ev.ciphersuite; *p; p++)
        if (*p == '-') /* Mbed TLS spells the IANA names with '-' */
            *p = '_';
    snprintf(t->ev.alpn, sizeof t->ev.alpn, "%s", alpn ? alpn : "");
}

static mqtls_status_t handshake_status(int ret)
{
    switch (ret) {
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
        return MQTLS_ERR_TLS_VERIFY;
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
        return MQTLS_ERR_TLS_ALERT;
    case MBEDTLS_ERR_SSL_CONN_EOF:
    case MBEDTLS_ERR_NET_CONN_RESET:
        return MQTLS_ERR_CLOSED;
    case MBEDTLS_ERR_NET_SEND_FAILED:
        return MQTLS_ERR_IO;
    default:
        return MQTLS_ERR_TLS_HANDSHAKE;
    }
}

/* The words for a failed handshake: for a verification failure, what verification found
 * (its first line), else Mbed TLS's words for the code. */
static void failure_words(mqtls_tls_t *t, int ret, char *out, size_t size)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&t->conn->ssl);
    out[0] = '\0';
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags && flags != (uint32_t)-1 &&
        mbedtls_x509_crt_verify_info(out, size, "", flags) > 0) {
        out[strcspn(out, "\n")] = '\0';
        return;
    }
    mbedtls_strerror(ret, out, size);
}

/* A record longer than our buffer takes (read whole, then refused): Mbed TLS gives up
 * without a word to the peer; RFC 8446 (5.1, 6.2) wants record_overflow, which also tells
 * the evidence (and so the doctor) what happened. The header of that record is the last
 * whole one tls.c watched (got 0: the record is complete; 5: its body is being read).
 * Mbed TLS's own words for it ("bad input parameters") do not help the developer, so
 * @p words gets what happened; false when it was not that. */
static bool say_record_overflow(mqtls_tls_t *t, int ret, char *words, size_t size)
{
    const struct mqtls_tls_rec *r = &t->in_rec;
    size_t len = (size_t)r->hdr[3] << 8 | r->hdr[4];
    bool whole = r->got == 0 || r->got == 5;
    /* 3.6 refuses a record longer than its buffer as BAD_INPUT_DATA ("more than fits"). */
    bool refused = ret == MBEDTLS_ERR_SSL_INVALID_RECORD || ret == MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    /* The input buffer's size, what the refusal was about (get_max_in_record_payload()
     * gives the smaller of the two buffers before a ServerHello settles the fragment
     * length). */
    int room = MBEDTLS_SSL_IN_CONTENT_LEN;
    if (!refused || !whole || len <= (size_t)room)
        return false;
    if (mbedtls_ssl_send_alert_message(&t->conn->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                       MBEDTLS_SSL_ALERT_MSG_RECORD_OVERFLOW) == 0)
        t->ev.alert_sent = MBEDTLS_SSL_ALERT_MSG_RECORD_OVERFLOW;
    /* In the handshake the big ones are the server's certificate chain and the CA names of
     * its certificate request (a broker whose CA file holds many CAs). */
    snprintf(words, size,
             "a record of %zu bytes, over the %d this device takes "
             "(MBEDTLS_SSL_IN_CONTENT_LEN): the server's certificate chain or CA list is too big",
             len, room);
    return true;
}

/* Mbed TLS sends each handshake message of a flight on its own. A server that rejects our
 * certificate closes after its alert, and our next message then fails to go: the alert
 * waits unread, encrypted under keys we do not have yet (TLS 1.3). On a POSIX host the
 * flight is corked into one, as OpenSSL writes it, so our side finishes and reads the alert. */
static void cork(mqtls_tls_t *t, int on)
{
#if defined(TCP_CORK)
    int fd = mqtls_tls_fd(t);
    if (fd >= 0)
        (void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
#else
    (void)t;
    (void)on;
#endif
}

/* mbedtls_ssl_handshake(), one step at a time, so that a CertificateRequest is seen while
 * the handshake's state still exists: Mbed TLS 3.6 says whether the server asked for our
 * certificate only there (handshake->client_auth, ssl_misc.h), and frees it at the end. */
static int handshake_steps(mqtls_tls_t *t)
{
    mbedtls_ssl_context *ssl = &t->conn->ssl;
    int ret = 0;
    cork(t, 1);
    while (ret == 0 && !mbedtls_ssl_is_handshake_over(ssl)) {
        ret = mbedtls_ssl_handshake_step(ssl);
        const struct mbedtls_ssl_handshake_params *hs = ssl->MBEDTLS_PRIVATE(handshake);
        if (hs && hs->client_auth)
            t->ev.cert_requested = true;
    }
    cork(t, 0);
    return ret;
}

/* TLS 1.3: the server's verdict on our certificate (mqtls_tls_grace_t, backend.h). A record
 * after our Finished is the verdict: an alert fails the read; a session ticket is taken in
 * without a byte for us; application data (one byte, held for the first read) too. */
static int await_verdict(mqtls_tls_t *t)
{
    struct mqtls_tls_conn *c = t->conn;
    mbedtls_ssl_context *ssl = &c->ssl;
    if (!t->ev.cert_requested || c->verdict ||
        mbedtls_ssl_get_version_number(ssl) != MBEDTLS_SSL_VERSION_TLS1_3)
        return 0;
    mqtls__tls_grace_start(t, &c->grace);
    uint32_t before = t->ev.bytes_received;
    int ret = mbedtls_ssl_read(ssl, &c->byte, 1);
    if (ret == 1)
        c->held = true;
    /* cppcheck-suppress knownConditionTrueFalse ; mbedtls_ssl_read() reads through bio_recv(),
     * which counts t->ev.bytes_received */
    if (ret == 1 || (ret == MBEDTLS_ERR_SSL_WANT_READ && t->ev.bytes_received != before &&
                     t->in_rec.got == 0))
        c->verdict = true;
    if (ret == MBEDTLS_ERR_SSL_WANT_READ && !c->verdict && mqtls__tls_grace_left(&c->grace))
        return ret;
    return ret < 0 && ret != MBEDTLS_ERR_SSL_WANT_READ ? ret : 0;
}

/* The alert behind MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: after the handshake (TLS 1.3's
 * verdict) it came encrypted, so tls.c's watch of the records could not see it. */
static void note_alert(mqtls_tls_t *t, int ret)
{
    mbedtls_ssl_context *ssl = &t->conn->ssl;
    if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && t->ev.alert_received < 0 &&
        ssl->in_msgtype == MBEDTLS_SSL_MSG_ALERT && ssl->in_msg)
        t->ev.alert_received = ssl->in_msg[1];
}

/* An alert Mbed TLS sent itself: after the ServerHello of TLS 1.3 it goes out encrypted,
 * so tls.c's watch of the records could not see it. */
static void note_alert_sent(mqtls_tls_t *t)
{
    mbedtls_ssl_context *ssl = &t->conn->ssl;
    if (t->ev.alert_sent < 0 && ssl->alert_type && !ssl->send_alert &&
        mbedtls_ssl_get_version_number(ssl) == MBEDTLS_SSL_VERSION_TLS1_3)
        t->ev.alert_sent = ssl->alert_type;
}

mqtls_status_t mqtls__tlsb_handshake(mqtls_tls_t *t)
{
    int ret = handshake_steps(t);
    if (ret == 0)
        ret = await_verdict(t);
    note_alert(t, ret);
    if (ret != 0 && ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
        note_alert_sent(t);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        t->hs_want_write = ret == MBEDTLS_ERR_SSL_WANT_WRITE;
        return MQTLS_IN_PROGRESS;
    }
    record_negotiated(t, ret == 0);
    if (ret == 0)
        return MQTLS_OK;
    /* Mbed TLS checks the server certificate's keyUsage and extendedKeyUsage for the suite
     * after verification and fails those as BAD_CERTIFICATE: a verification outcome all
     * the same (its flags are in the evidence), as OpenSSL reports it. */
    bool usage = ret == MBEDTLS_ERR_SSL_BAD_CERTIFICATE && t->ev.verified &&
                 t->ev.problems && !t->ev.insecure;
    char words[sizeof t->ev.detail];
    if (!say_record_overflow(t, ret, words, sizeof words))
        failure_words(t, usage ? MBEDTLS_ERR_X509_CERT_VERIFY_FAILED : ret, words, sizeof words);
    return mqtls__tls_fail(&t->ev, MQTLS_TLS_STAGE_HANDSHAKE,
                           usage ? MQTLS_ERR_TLS_VERIFY : handshake_status(ret), ret,
                           MQTLS_TLS_ITEM_NONE, "%s", words);
}

/* ---- application data -------------------------------------------------------------- */

int32_t mqtls__tlsb_send(mqtls_tls_t *t, const uint8_t *buf, size_t len)
{
    int ret = mbedtls_ssl_write(&t->conn->ssl, buf, len);
    if (ret == MBEDTLS_ERR_SSL_WANT_WRITE || ret == MBEDTLS_ERR_SSL_WANT_READ)
        return 0;
    if (ret < 0) {
        t->ev.raw_error = ret;
        return -(int32_t)(ret == MBEDTLS_ERR_NET_SEND_FAILED ? MQTLS_ERR_IO : MQTLS_ERR_TLS);
    }
    return ret;
}

int32_t mqtls__tlsb_recv(mqtls_tls_t *t, uint8_t *buf, size_t len)
{
    if (t->conn->held && len > 0) { /* read while waiting for the verdict */
        t->conn->held = false;
        buf[0] = t->conn->byte;
        return 1;
    }
    int ret = mbedtls_ssl_read(&t->conn->ssl, buf, len);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
        return 0;
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF ||
        ret == MBEDTLS_ERR_NET_CONN_RESET)
        return -(int32_t)MQTLS_ERR_CLOSED;
    if (ret < 0) {
        t->ev.raw_error = ret;
        return -(int32_t)MQTLS_ERR_TLS;
    }
    return ret;
}

void *mqtls__tlsb_zalloc(size_t size)
{
    return mbedtls_calloc(1, size);
}

void mqtls__tlsb_free(void *p)
{
    mbedtls_free(p);
}

uint32_t mqtls__tlsb_wait_ms(const mqtls_tls_t *t)
{
    const struct mqtls_tls_conn *c = t->conn;
    if (!c || !c->grace.started || c->verdict)
        return UINT32_MAX; /* Mbed TLS keeps no deadline of its own during the handshake */
    uint32_t left = mqtls__tls_grace_left(&c->grace);
    return left ? left : 1;
}

bool mqtls__tlsb_pending(const mqtls_tls_t *t)
{
    return t->conn && (t->conn->held || mbedtls_ssl_get_bytes_avail(&t->conn->ssl) > 0);
}

void mqtls__tlsb_close_notify(mqtls_tls_t *t)
{
    if (t->conn)
        (void)mbedtls_ssl_close_notify(&t->conn->ssl);
}

void mqtls__tlsb_conn_free(mqtls_tls_t *t)
{
    if (!t->conn)
        return;
    mbedtls_ssl_free(&t->conn->ssl); /* zeroizes the session's keys */
    mbedtls_free(t->conn);
    t->conn = NULL;
}
