/**
 * @file tls.c
 * @brief The TLS transport, whatever the TLS library: states, TCP, the handshake timeout,
 *        the watch on plaintext records, the evidence. The library itself is behind
 *        backend.h.
 *
 * The handshake is driven by repeated connect calls (the session's step). While it runs,
 * every byte goes through mqtls__tls_io_send/recv, which count what the server sent and
 * follow the records both ways: that is how an alert sent in the clear is seen whatever
 * the backend reports, and how a server that is not speaking TLS is told apart.
 */
#include "backend.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#if MQTLS_TLS_POSIX
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

enum { ST_CLOSED, ST_TCP, ST_HANDSHAKE, ST_OPEN };

#define REC_CCS 20
#define REC_ALERT 21

#if MQTLS_TLS_POSIX
static uint32_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}
#else
static uint32_t now_ms(void)
{
    return mqtls_tls_board_ms(); /* no clock_gettime() on a firmware: its tick */
}
#endif

void mqtls__tls_grace_start(const mqtls_tls_t *t, mqtls_tls_grace_t *g)
{
    if (g->started)
        return;
    g->started = true;
    g->from_ms = now_ms();
    uint32_t took = g->from_ms - t->hs_start_ms;
    g->ms = took > 1000u ? 2050u : 2u * took + 50u;
}

uint32_t mqtls__tls_grace_left(const mqtls_tls_grace_t *g)
{
    uint32_t spent = now_ms() - g->from_ms;
    return spent >= g->ms ? 0 : g->ms - spent;
}

void mqtls__tls_wipe(void *p, size_t len)
{
    volatile unsigned char *v = p;
    while (len--)
        *v++ = 0;
}

/* ---- evidence ---------------------------------------------------------------------- */

static void ev_clear(mqtls_tls_evidence_t *ev, bool insecure)
{
    memset(ev, 0, sizeof *ev);
    ev->alert_received = ev->alert_sent = ev->first_byte = -1;
    ev->insecure = insecure;
    ev->backend = mqtls__tlsb_name();
}

mqtls_status_t mqtls__tls_fail(mqtls_tls_evidence_t *ev, mqtls_tls_stage_t stage,
                               mqtls_status_t st, int raw, mqtls_tls_item_t item,
                               const char *fmt, ...)
{
    if (!ev)
        return st;
    ev->stage = stage;
    ev->status = st;
    ev->raw_error = raw;
    ev->item = item;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ev->detail, sizeof ev->detail, fmt, ap);
        va_end(ap);
    }
    return st;
}

#if MQTLS_TLS_POSIX
mqtls_status_t mqtls__tls_file_check(mqtls_tls_evidence_t *ev, const char *path,
                                     mqtls_tls_item_t item)
{
    struct stat st;
    int err = stat(path, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EISDIR : 0;
    if (err == EISDIR && !S_ISDIR(st.st_mode))
        err = EINVAL; /* a FIFO or device: a parser would read it without end */
    if (err == 0 && access(path, R_OK) == 0)
        return MQTLS_OK;
    if (err == 0)
        err = errno;
    if (ev)
        ev->cred_problem = MQTLS_TLS_CRED_UNREADABLE;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, 0, item,
                           "%s: %s", path, strerror(err));
}

/* A credential file larger than this is not one (and would only cost memory). */
#define CRED_FILE_MAX (16L * 1024 * 1024)

mqtls_status_t mqtls__tls_read_file(mqtls_tls_evidence_t *ev, const char *path,
                                    mqtls_tls_item_t item, uint8_t **out, size_t *len)
{
    mqtls_status_t st = mqtls__tls_file_check(ev, path, item);
    if (st != MQTLS_OK)
        return st;
    FILE *f = fopen(path, "rb");
    struct stat sb;
    uint8_t *buf = NULL;
    size_t n = 0;
    int err = EIO;
    if (!f || fstat(fileno(f), &sb) != 0)
        err = errno ? errno : EIO;
    else if (sb.st_size < 0 || sb.st_size > CRED_FILE_MAX)
        err = EFBIG;
    else if (!(buf = mqtls__tlsb_zalloc((size_t)sb.st_size + 1)))
        err = ENOMEM;
    else if ((n = fread(buf, 1, (size_t)sb.st_size, f)) == (size_t)sb.st_size)
        err = 0;
    if (f)
        fclose(f);
    if (err == 0) {
        *out = buf;
        *len = n;
        return MQTLS_OK;
    }
    mqtls__tls_drop(buf, n);
    if (ev)
        ev->cred_problem = MQTLS_TLS_CRED_UNREADABLE;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS_CREDENTIALS, 0, item,
                           "%s: %s", path, strerror(err));
}
#else
/* No file system on a firmware: credentials are given in memory. */
mqtls_status_t mqtls__tls_file_check(mqtls_tls_evidence_t *ev, const char *path,
                                     mqtls_tls_item_t item)
{
    if (ev)
        ev->cred_problem = MQTLS_TLS_CRED_UNREADABLE;
    return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_UNSUPPORTED, 0, item,
                           "%s: no files on this target (give the credential in memory)",
                           path);
}

mqtls_status_t mqtls__tls_read_file(mqtls_tls_evidence_t *ev, const char *path,
                                    mqtls_tls_item_t item, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    return mqtls__tls_file_check(ev, path, item);
}
#endif

void mqtls__tls_drop(uint8_t *buf, size_t len)
{
    if (!buf)
        return;
    mqtls__tls_wipe(buf, len);
    mqtls__tlsb_free(buf);
}

bool mqtls__tls_looks_pem(const uint8_t *buf, size_t len)
{
    static const char tag[] = "-----BEGIN";
    for (size_t i = 0; i + sizeof tag - 1 <= len; i++)
        if (buf[i] == '-' && memcmp(buf + i, tag, sizeof tag - 1) == 0)
            return true;
    return false;
}

mqtls_tls_cert_info_t *mqtls__tls_cert_slot(mqtls_tls_t *t, bool sent, unsigned index)
{
    if (index >= MQTLS_TLS_CHAIN_MAX)
        return NULL;
    if (!t->certs && !(t->certs = mqtls__tlsb_zalloc(sizeof *t->certs)))
        return NULL;
    mqtls_tls_cert_info_t *list = sent ? t->certs->sent : t->certs->chain;
    uint8_t *len = sent ? &t->ev.sent_len : &t->ev.chain_len;
    if (sent)
        t->ev.sent = list;
    else
        t->ev.chain = list;
    if (index + 1u > *len)
        *len = (uint8_t)(index + 1u);
    memset(&list[index], 0, sizeof list[index]);
    return &list[index];
}

/* Certificates are kept after a failure (the doctor explains it) and, by request, after a
 * success; an idle connection of a fleet does not carry them. */
static void drop_certs(mqtls_tls_t *t)
{
    mqtls__tlsb_free(t->certs);
    t->certs = NULL;
    t->ev.chain = t->ev.sent = NULL;
    t->ev.chain_len = t->ev.sent_len = 0;
}

void mqtls__tls_serial_hex(char *out, size_t size, const uint8_t *p, size_t len)
{
    while (len > 1 && p[0] == 0) {
        p++;
        len--;
    }
    out[0] = '\0';
    if (size < 2 * len + 1)
        return;
    for (size_t i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02X", p[i]);
    if (len == 0)
        snprintf(out, size, "00");
}

bool mqtls__tls_add_name(char *out, size_t size, size_t *used, const char *name)
{
    size_t len = strlen(name), need = len + (*used ? 2 : 0);
    if (*used + need + 5 >= size) { /* room for ", ..." stays */
        snprintf(out + *used, size - *used, "%s...", *used ? ", " : "");
        *used = strlen(out);
        return false;
    }
    if (*used) {
        out[(*used)++] = ',';
        out[(*used)++] = ' ';
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        out[(*used)++] = (char)(c < 0x20 || c > 0x7E ? '?' : c);
    }
    out[*used] = '\0';
    return true;
}

const char *mqtls_tls_alert_name(int a)
{
    switch (a) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "unknown_alert";
    }
}

const char *mqtls_tls_problem_words(uint32_t bit)
{
    switch (bit) {
    case MQTLS_TLS_BAD_UNTRUSTED: return "the chain ends at a root that is not trusted";
    case MQTLS_TLS_BAD_NO_ISSUER: return "its issuer was neither sent nor trusted";
    case MQTLS_TLS_BAD_SELF_SIGNED: return "self-signed and not trusted";
    case MQTLS_TLS_BAD_EXPIRED: return "expired";
    case MQTLS_TLS_BAD_FUTURE: return "not valid yet";
    case MQTLS_TLS_BAD_NAME: return "the host name is not among its names";
    case MQTLS_TLS_BAD_KEY_USAGE: return "its key usage forbids this use";
    case MQTLS_TLS_BAD_EXT_KEY_USAGE: return "its extended key usage lacks serverAuth";
    case MQTLS_TLS_BAD_WEAK_HASH: return "signed with a hash too weak";
    case MQTLS_TLS_BAD_WEAK_KEY: return "its key is too short";
    case MQTLS_TLS_BAD_NOT_CA: return "an issuer that is not a CA";
    case MQTLS_TLS_BAD_PATH_LEN: return "the chain is longer than a CA allows";
    case MQTLS_TLS_BAD_REVOKED: return "revoked";
    case MQTLS_TLS_BAD_SIGNATURE: return "a signature does not verify";
    case MQTLS_TLS_BAD_OTHER: return "another verification failure";
    default: return NULL;
    }
}

const char *mqtls_tls_backend(void)
{
    return mqtls__tlsb_name();
}

int mqtls_tls_max_version(void)
{
    return mqtls__tlsb_max_version();
}

bool mqtls_tls_library_usable(char *why, size_t size)
{
    if (!why)
        size = 0;
    if (size)
        why[0] = '\0';
    return mqtls__tlsb_usable(why, size);
}

bool mqtls_tls_cipher_known(const char *name)
{
    return name && *name && mqtls__tlsb_cipher_known(name);
}

/* Follows TLS record boundaries in one direction and notes an alert sent in the clear
 * (before that side's ChangeCipherSpec: later alerts are encrypted). */
static void watch(struct mqtls_tls_rec *r, const uint8_t *p, size_t n, int *alert)
{
    for (size_t i = 0; i < n;) {
        if (r->got < 5) {
            r->hdr[r->got++] = p[i++];
            if (r->got == 5) {
                r->left = (uint16_t)((r->hdr[3] << 8) | r->hdr[4]);
                r->alert_got = 0;
                if (r->left == 0)
                    r->got = 0;
            }
            continue;
        }
        if (r->hdr[0] == REC_ALERT && !r->ccs_seen && r->alert_got < 2 && r->alert_got++ == 1)
            *alert = p[i];
        /* The rest of a record's body, at once: only an alert's bytes are looked at. */
        size_t take = r->hdr[0] == REC_ALERT ? 1 : (n - i < r->left ? n - i : r->left);
        i += take;
        r->left = (uint16_t)(r->left - take);
        if (r->left == 0) {
            r->ccs_seen = r->ccs_seen || r->hdr[0] == REC_CCS;
            r->got = 0;
        }
    }
}

static void note_received(mqtls_tls_t *t, const uint8_t *buf, size_t n)
{
    if (t->ev.bytes_received == 0)
        t->ev.first_byte = buf[0];
    t->ev.bytes_received += (uint32_t)n;
    watch(&t->in_rec, buf, n, &t->ev.alert_received);
}

int32_t mqtls__tls_io_send(mqtls_tls_t *t, const uint8_t *buf, size_t len)
{
    mqtls_iov_t iov = {buf, len};
    int32_t n = t->lower->send(t->lower_ctx, &iov, 1);
    if (n > 0 && t->state == ST_HANDSHAKE)
        watch(&t->out_rec, buf, (size_t)n, &t->ev.alert_sent);
    return n;
}

int32_t mqtls__tls_io_recv(mqtls_tls_t *t, uint8_t *buf, size_t len)
{
    int32_t n = t->lower->recv(t->lower_ctx, buf, len);
    if (n > 0 && t->state == ST_HANDSHAKE)
        note_received(t, buf, (size_t)n);
    return n;
}

/* ---- life cycle -------------------------------------------------------------------- */

static void ctx_unref(mqtls_tls_ctx_t *ctx)
{
    if (!ctx || atomic_fetch_sub(&ctx->refs, 1) > 1)
        return;
    mqtls__tlsb_ctx_free(ctx);
    mqtls__tls_wipe(ctx, sizeof *ctx);
    mqtls__tlsb_free(ctx);
}

mqtls_status_t mqtls_tls_ctx_new(mqtls_tls_ctx_t **out, const mqtls_tls_cfg_t *cfg,
                                 mqtls_tls_evidence_t *ev)
{
    if (ev) {
        ev_clear(ev, cfg && cfg->insecure);
        ev->stage = MQTLS_TLS_STAGE_CREDENTIALS;
    }
    if (!out || !cfg)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                               MQTLS_TLS_ITEM_NONE, "no context or settings given");
    *out = NULL;
    mqtls_tls_ctx_t *ctx = mqtls__tlsb_zalloc(sizeof *ctx);
    if (!ctx)
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, 0,
                               MQTLS_TLS_ITEM_NONE, "out of memory");
    atomic_init(&ctx->refs, 1);
    ctx->cfg = *cfg;
    bool has_cert = cfg->cert_file || cfg->cert_mem, has_key = cfg->key_file || cfg->key_mem;
    if (has_cert != has_key) {
        mqtls__tlsb_free(ctx);
        return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_BAD_PARAM, 0,
                               has_cert ? MQTLS_TLS_ITEM_KEY : MQTLS_TLS_ITEM_CERT,
                               "a client certificate needs its key, and a key its certificate");
    }
    ctx->has_identity = has_cert;
    mqtls_status_t st = mqtls__tlsb_ctx_init(ctx, ev);
    if (st != MQTLS_OK) {
        mqtls__tlsb_free(ctx);
#if MQTLS_TLS_POSIX /* (a firmware's library has no configuration file to get wrong) */
        if (ev && !mqtls__tlsb_usable(ev->detail, sizeof ev->detail)) {
            /* Not the files' fault, whatever the failure looked like. */
            ev->cred_problem = MQTLS_TLS_CRED_LIBRARY;
            return mqtls__tls_fail(ev, MQTLS_TLS_STAGE_CREDENTIALS, MQTLS_ERR_TLS, 0,
                                   MQTLS_TLS_ITEM_NONE, NULL);
        }
#endif
        return st;
    }
    if (ev)
        ev->stage = MQTLS_TLS_STAGE_NONE;
    *out = ctx;
    return MQTLS_OK;
}

void mqtls_tls_ctx_free(mqtls_tls_ctx_t *ctx)
{
    ctx_unref(ctx);
}

#if MQTLS_TLS_POSIX
/* TLS over the built-in TCP transport unless the caller gives another. */
#define BUILTIN_TCP(t) (&mqtls_tcp_transport)
#define BUILTIN_TCP_CTX(t) (&(t)->tcp)
#else
/* A firmware has no built-in TCP: until mqtls_tls_set_lower() gives its network stack's
 * transport, a connect fails saying so. */
static mqtls_status_t no_lower_connect(void *ctx, const char *host, uint16_t port)
{
    (void)ctx;
    (void)host;
    (void)port;
    return MQTLS_ERR_BAD_PARAM;
}

static void no_lower_close(void *ctx)
{
    (void)ctx;
}

static const mqtls_transport_t no_lower = {no_lower_connect, NULL, NULL, NULL, no_lower_close};
#define BUILTIN_TCP(t) (&no_lower)
#define BUILTIN_TCP_CTX(t) NULL
#endif

void mqtls_tls_init(mqtls_tls_t *t)
{
    memset(t, 0, sizeof *t);
#if MQTLS_TLS_POSIX
    mqtls_tcp_init(&t->tcp, 0);
#endif
    mqtls_tls_set_lower(t, NULL, NULL);
    ev_clear(&t->ev, false);
}

void mqtls_tls_set_lower(mqtls_tls_t *t, const mqtls_transport_t *lower, void *lower_ctx)
{
    t->lower = lower ? lower : BUILTIN_TCP(t);
    t->lower_ctx = lower ? lower_ctx : BUILTIN_TCP_CTX(t);
}

mqtls_status_t mqtls_tls_setup_ctx(mqtls_tls_t *t, mqtls_tls_ctx_t *ctx)
{
    if (!t || !ctx)
        return MQTLS_ERR_BAD_PARAM;
    atomic_fetch_add(&ctx->refs, 1); /* first: freeing t must not free a context it is
                                         given again */
    mqtls_tls_free(t);
    t->ctx = ctx;
    t->ev.insecure = ctx->cfg.insecure;
    return MQTLS_OK;
}

mqtls_status_t mqtls_tls_setup(mqtls_tls_t *t, const mqtls_tls_cfg_t *cfg)
{
    if (!t || !cfg)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_tls_free(t);
    mqtls_tls_ctx_t *ctx;
    mqtls_status_t st = mqtls_tls_ctx_new(&ctx, cfg, &t->ev);
    if (st != MQTLS_OK)
        return st;
    st = mqtls_tls_setup_ctx(t, ctx);
    mqtls_tls_ctx_free(ctx); /* t holds the only reference now */
    return st;
}

void mqtls_tls_free(mqtls_tls_t *t)
{
    if (!t)
        return;
    mqtls_tls_transport.close(t);
    mqtls__tlsb_conn_free(t);
    drop_certs(t);
    ctx_unref(t->ctx);
    mqtls__tls_wipe(t, sizeof *t);
    mqtls_tls_init(t);
}

const mqtls_tls_evidence_t *mqtls_tls_evidence(const mqtls_tls_t *t)
{
    return &t->ev;
}

void mqtls_tls_bind(mqtls_tls_t *t, const char *addr)
{
#if MQTLS_TLS_POSIX
    if (t)
        mqtls_tcp_bind(&t->tcp, addr);
#else
    (void)t;
    (void)addr; /* the lower transport's business */
#endif
}

int mqtls_tls_fd(const mqtls_tls_t *t)
{
#if MQTLS_TLS_POSIX
    if (t->lower == &mqtls_tcp_transport)
        return mqtls_tcp_fd(&t->tcp);
#endif
    (void)t;
    return -1;
}

/* ---- the transport ----------------------------------------------------------------- */

/* The peer may have sent an alert and closed while we were still writing our flight: the
 * write fails (EPIPE/ECONNRESET) but the alert still waits in the socket. */
static void drain_alert(mqtls_tls_t *t)
{
    uint8_t buf[256];
    for (int i = 0; i < 64; i++)
        if (mqtls__tls_io_recv(t, buf, sizeof buf) <= 0)
            break;
}

/* Milliseconds the handshake may still take. */
static uint32_t hs_left_ms(const mqtls_tls_t *t)
{
    uint32_t limit = t->ctx->cfg.handshake_timeout_ms ? t->ctx->cfg.handshake_timeout_ms : 10000u;
    uint32_t spent = now_ms() - t->hs_start_ms;
    return spent >= limit ? 0 : limit - spent;
}

static mqtls_status_t hs_end(mqtls_tls_t *t, mqtls_status_t st)
{
    if (st == MQTLS_OK) {
        t->state = ST_OPEN;
        t->ev.stage = MQTLS_TLS_STAGE_ESTABLISHED;
        t->ev.status = MQTLS_OK;
        if (!t->ctx->cfg.keep_chain)
            drop_certs(t);
        return MQTLS_OK;
    }
    if (st == MQTLS_ERR_CLOSED || st == MQTLS_ERR_IO)
        drain_alert(t);
    t->state = ST_CLOSED;
    t->lower->close(t->lower_ctx);
    if (st != MQTLS_ERR_TIMEOUT && t->ev.alert_received >= 0 && st != MQTLS_ERR_TLS_VERIFY)
        st = MQTLS_ERR_TLS_ALERT;
    t->ev.stage = MQTLS_TLS_STAGE_HANDSHAKE;
    t->ev.status = st;
    return st;
}

static mqtls_status_t continue_handshake(mqtls_tls_t *t)
{
    mqtls_status_t st = mqtls__tlsb_handshake(t);
    if (st == MQTLS_IN_PROGRESS) {
        if (hs_left_ms(t) > 0)
            return MQTLS_IN_PROGRESS;
        snprintf(t->ev.detail, sizeof t->ev.detail, "no answer within the handshake timeout");
        st = MQTLS_ERR_TIMEOUT;
    }
    return hs_end(t, st);
}

static void note_host(mqtls_tls_t *t, const char *host)
{
    t->host_is_ip = false;
#if !MQTLS_TLS_POSIX
    (void)host; /* no inet_pton(): an IP literal is checked as a name, and fails closed */
#else
    if (inet_pton(AF_INET, host, t->host_ip) == 1) {
        t->host_is_ip = true;
        t->host_ip_len = 4;
    } else if (inet_pton(AF_INET6, host, t->host_ip) == 1) {
        t->host_is_ip = true;
        t->host_ip_len = 16;
    }
#endif
}

/* The connection under TLS failed (@p st): the evidence says why as far as it is known. */
static mqtls_status_t lower_failed(mqtls_tls_t *t, mqtls_status_t st)
{
    t->state = ST_CLOSED;
#if MQTLS_TLS_POSIX
    if (t->lower == &mqtls_tcp_transport) {
        int berr = mqtls_tcp_bind_error(&t->tcp);
        if (st == MQTLS_ERR_IO && berr != 0)
            return mqtls__tls_fail(&t->ev, MQTLS_TLS_STAGE_TCP, st, berr, MQTLS_TLS_ITEM_NONE,
                                   "cannot bind to %s: %s", t->tcp.bind_addr,
                                   berr > 0 ? strerror(berr) : gai_strerror(berr));
        return mqtls__tls_fail(&t->ev, MQTLS_TLS_STAGE_TCP, st, t->tcp.last_errno,
                               MQTLS_TLS_ITEM_NONE, "%s",
                               t->tcp.last_errno > 0 ? strerror(t->tcp.last_errno) : "");
    }
#else
    if (t->lower == &no_lower)
        return mqtls__tls_fail(&t->ev, MQTLS_TLS_STAGE_TCP, st, 0, MQTLS_TLS_ITEM_NONE, "%s",
                               "no transport under TLS: give the network stack's with "
                               "mqtls_tls_set_lower()");
#endif
    return mqtls__tls_fail(&t->ev, MQTLS_TLS_STAGE_TCP, st, 0, MQTLS_TLS_ITEM_NONE,
                           "the connection under TLS failed");
}

static mqtls_status_t tls_connect(void *ctx, const char *host, uint16_t port)
{
    mqtls_tls_t *t = ctx;
    if (!t->ctx)
        return MQTLS_ERR_BAD_PARAM;
    if (t->state == ST_OPEN)
        return MQTLS_OK;
    const char *name = t->ctx->cfg.server_name ? t->ctx->cfg.server_name : host;
    if (t->state == ST_CLOSED) {
        drop_certs(t);
        ev_clear(&t->ev, t->ctx->cfg.insecure);
        memset(&t->in_rec, 0, sizeof t->in_rec);
        memset(&t->out_rec, 0, sizeof t->out_rec);
        note_host(t, name);
        t->ev.stage = MQTLS_TLS_STAGE_TCP;
        t->state = ST_TCP;
    }
    if (t->state == ST_TCP) {
        mqtls_status_t st = t->lower->connect(t->lower_ctx, host, port);
        if (st == MQTLS_IN_PROGRESS)
            return st;
        if (st != MQTLS_OK)
            return lower_failed(t, st);
        t->state = ST_HANDSHAKE;
        t->ev.stage = MQTLS_TLS_STAGE_HANDSHAKE;
        t->hs_start_ms = now_ms();
        t->hs_want_write = false;
        if ((st = mqtls__tlsb_start(t, name)) != MQTLS_OK) {
            t->state = ST_CLOSED;
            t->lower->close(t->lower_ctx);
            t->ev.stage = MQTLS_TLS_STAGE_HANDSHAKE;
            t->ev.status = st;
            return st;
        }
    }
    return continue_handshake(t);
}

static int32_t tls_send(void *ctx, const mqtls_iov_t *iov, size_t n)
{
    mqtls_tls_t *t = ctx;
    uint8_t stage[1024];
    size_t total = 0;
    if (t->state != ST_OPEN)
        return -(int32_t)MQTLS_ERR_CLOSED;
    for (size_t i = 0; i < n; i++)
        total += iov[i].len;
    /* Small pieces (a header and its payload) leave as one record, not one each. */
    if (n > 1 && total <= sizeof stage) {
        uint8_t *p = stage;
        for (size_t i = 0; i < n; i++) {
            memcpy(p, iov[i].base, iov[i].len);
            p += iov[i].len;
        }
        return mqtls__tlsb_send(t, stage, total);
    }
    return mqtls__tlsb_send(t, iov[0].base, iov[0].len);
}

static int32_t tls_recv(void *ctx, uint8_t *buf, size_t len)
{
    mqtls_tls_t *t = ctx;
    if (t->state != ST_OPEN)
        return -(int32_t)MQTLS_ERR_CLOSED;
    return mqtls__tlsb_recv(t, buf, len);
}

static mqtls_status_t tls_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    mqtls_tls_t *t = ctx;
    if (!for_write && t->state == ST_OPEN && mqtls__tlsb_pending(t))
        return MQTLS_OK; /* decrypted bytes already wait in the backend */
    if (t->state == ST_HANDSHAKE) { /* the session cannot know what the handshake awaits */
        for_write = t->hs_want_write;
        uint32_t left = hs_left_ms(t), own = mqtls__tlsb_wait_ms(t);
        if (timeout_ms > left)
            timeout_ms = left;
        if (timeout_ms > own)
            timeout_ms = own;
    }
    return t->lower->wait ? t->lower->wait(t->lower_ctx, for_write, timeout_ms) : MQTLS_OK;
}

static void tls_close(void *ctx)
{
    mqtls_tls_t *t = ctx;
    if (t->state == ST_TCP || t->state == ST_HANDSHAKE) {
        bool tcp = t->state == ST_TCP;
        mqtls__tls_fail(&t->ev, tcp ? MQTLS_TLS_STAGE_TCP : MQTLS_TLS_STAGE_HANDSHAKE,
                        MQTLS_ERR_TIMEOUT, 0, MQTLS_TLS_ITEM_NONE,
                        "abandoned by the caller during the %s (connect timeout)",
                        tcp ? "TCP connect" : "handshake");
    }
    if (t->state == ST_OPEN)
        mqtls__tlsb_close_notify(t);
    t->state = ST_CLOSED;
    t->lower->close(t->lower_ctx);
}

const mqtls_transport_t mqtls_tls_transport = {tls_connect, tls_send, tls_recv, tls_wait,
                                               tls_close};
