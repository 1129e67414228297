/**
 * @file tool_tls.c
 * @brief TLS for pub and sub (see tool_tls.h): the setup of libmqtls' TLS transport from
 *        the options, and the -d wrapper around it. The option checks, the -d report and
 *        the plain-words explanations are tool_tls_check.c, tool_tls_report.c and
 *        tool_tls_explain.c.
 */
#include "mqtt/tool_tls.h"

#include <stdlib.h>
#include <string.h>

#include "mqtt/tool_tls_internal.h"
#include "common/tool_util.h"
#include "creds/tool_x509.h"

static void usage_sink(void *ctx, const char *line)
{
    (void)ctx;
    tool_usage_err("%s", line);
}

/* The library's TLS backend is Mbed TLS (not OpenSSL): it takes IANA suite names only, and
 * opens fewer encrypted keys. */
bool tool_tls__backend_is_mbedtls(void)
{
    return strncmp(mqtls_tls_backend(), "Mbed TLS", 8) == 0;
}

/* What the client offers by default: the backend decides whether 1.3 is there. */
const char *tool_tls__offered_versions(void)
{
    return mqtls_tls_max_version() >= MQTLS_TLS_V1_3 ? "TLS 1.2 and 1.3"
                                                      : "TLS 1.2; the TLS library has no TLS 1.3";
}

/* ---- setup ------------------------------------------------------------------------ */

static void wipe(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
}

static const char **make_alpn(tool_tls_t *t, const tool_cfg_t *cfg)
{
    if (cfg->alpn.n) {
        const char **v = tool_xcalloc(cfg->alpn.n + 1, sizeof *v);
        for (size_t i = 0; i < cfg->alpn.n; i++)
            v[i] = cfg->alpn.v[i];
        return v;
    }
    const char *dflt = tool_tls_default_alpn(cfg->host, cfg->port);
    if (!dflt)
        return NULL;
    const char **v = tool_xcalloc(2, sizeof *v);
    v[0] = dflt;
    t->alpn_auto = true;
    return v;
}

int tool_tls_setup(tool_tls_t *t, const tool_cfg_t *cfg, FILE *log)
{
    return tool_tls_setup_to(t, cfg, log, usage_sink, NULL);
}

/* With the Mbed TLS backend, an encrypted key (PKCS#8, OpenSSL 3's default, or traditional
 * PEM) is opened here by the tool's credential reader (OpenSSL: every scheme; Mbed TLS in the
 * device configuration decrypts no key) and handed to the transport as plain DER in *der, to
 * be wiped once parsed. The OpenSSL backend opens such keys itself.
 * @return TOOL_EXIT_OK, or TOOL_EXIT_USAGE after saying why the key does not open */
static int open_encrypted_key(const say_t *o, const tool_cfg_t *cfg, mqtls_tls_cfg_t *c,
                          tool_blob_t *der)
{
    if (!cfg->key || !cfg->keypass || !tool_tls__backend_is_mbedtls())
        return TOOL_EXIT_OK;
    tool_credfile_t f;
    tool_credfile_load(&f, cfg->key, cfg->keypass);
    const tool_obj_t *k = tool_credfile_first(&f, TOOL_OBJ_PRIVKEY);
    int rc = TOOL_EXIT_OK;
    if (k && (k->form == TOOL_FORM_KEY_PKCS8_ENC || k->encrypted)) {
        if (tool_obj_key_der(k, der, NULL) == 0) {
            c->key_file = NULL;
            c->key_mem = der->p;
            c->key_mem_len = der->len;
            c->key_pass = NULL;
        } else {
            tool_tls__report_key(o, cfg, k->why[0] ? k->why : "it does not open");
            rc = TOOL_EXIT_USAGE;
        }
    }
    tool_credfile_free(&f);
    return rc;
}

int tool_tls_setup_to(tool_tls_t *t, const tool_cfg_t *cfg, FILE *log, tool_tls_say_fn fn,
                      void *ctx)
{
    const say_t o = {fn, ctx};
    memset(t, 0, sizeof *t);
    mqtls_tls_init(&t->tls);
    t->cfg = cfg;
    t->log = log;
    if (cfg->insecure) {
        /* Always, even with --quiet: nobody should forget that it is on. */
        fflush(stdout);
        fputs("WARNING: --insecure: the server's certificate and host name are NOT verified; "
              "anyone on the network path can pose as the broker and read everything sent, "
              "credentials included. Use it for tests only.\n", stderr);
    }
    t->alpn = make_alpn(t, cfg);
    mqtls_tls_cfg_t c;
    memset(&c, 0, sizeof c);
    c.ca_file = cfg->cafile;
    c.ca_path = cfg->capath;
    c.crl_file = cfg->crlfile;
    c.use_os_ca = cfg->use_os_certs;
    c.pkcs11_module = cfg->pkcs11_module;
    c.keep_chain = log != NULL || cfg->cmd == TOOL_DOCTOR; /* -d and the doctor show it */
    c.cert_file = cfg->cert;
    c.key_file = cfg->key;
    c.key_pass = cfg->keypass;
    c.min_version = cfg->tls_min_version;
    /* tlsv1.3 means 1.3 only: asking for it explicitly lets the library say whether the
     * TLS library has it. */
    c.max_version = cfg->tls_min_version == MQTLS_TLS_V1_3 ? MQTLS_TLS_V1_3 : 0;
    c.ciphers = cfg->ciphers;
    c.alpn = t->alpn;
    c.insecure = cfg->insecure;
    c.server_name = cfg->server_name;
    c.handshake_timeout_ms = cfg->tls_timeout_ms;
    tool_blob_t key_der = {0};
    if (open_encrypted_key(&o, cfg, &c, &key_der) != TOOL_EXIT_OK) {
        wipe(cfg->keypass);
        return TOOL_EXIT_USAGE;
    }
    mqtls_status_t st = mqtls_tls_setup(&t->tls, &c);
    /* The key is parsed: its plaintext and the passphrase are not needed any more. */
    tool_blob_free(&key_der);
    wipe(cfg->keypass);
    if (st == MQTLS_OK)
        return TOOL_EXIT_OK;
    tool_tls__report_setup(&o, cfg, mqtls_tls_evidence(&t->tls), st);
    return TOOL_EXIT_USAGE;
}

void tool_tls_free(tool_tls_t *t)
{
    if (!t->cfg)
        return;
    mqtls_tls_free(&t->tls);
    free(t->alpn);
    memset(t, 0, sizeof *t);
}

int tool_tls_fd(const tool_tls_t *t)
{
    return mqtls_tls_fd(&t->tls);
}

bool tool_tls_handshaking(const tool_tls_t *t)
{
    return mqtls_tls_evidence(&t->tls)->stage == MQTLS_TLS_STAGE_HANDSHAKE;
}

bool tool_tls_ready(tool_tls_t *t)
{
    /* The TLS transport's wait says at once when the TLS library holds decrypted bytes,
     * which a poll() of the socket alone would not show. */
    return mqtls_tls_evidence(&t->tls)->stage == MQTLS_TLS_STAGE_ESTABLISHED &&
           mqtls_tls_transport.wait(&t->tls, 0, 0) == MQTLS_OK;
}

/* ---- the transport wrapper ---------------------------------------------------------- */

static void attempt_end(tool_tls_t *t, const char *host, uint16_t port)
{
    t->attempt_open = false;
    if (!t->log)
        return;
    tool_tls_print_evidence(t->log, mqtls_tls_evidence(&t->tls), host, port);
    fflush(t->log);
}

static mqtls_status_t w_connect(void *ctx, const char *host, uint16_t port)
{
    tool_tls_t *t = ctx;
    if (!t->attempt_open) {
        t->attempt_open = true;
        if (t->log)
            tool_tls__print_attempt(t, host, port);
    }
    mqtls_status_t st = mqtls_tls_transport.connect(&t->tls, host, port);
    if (st != MQTLS_IN_PROGRESS)
        attempt_end(t, host, port);
    return st;
}

static int32_t w_send(void *ctx, const mqtls_iov_t *iov, size_t n)
{
    tool_tls_t *t = ctx;
    return mqtls_tls_transport.send(&t->tls, iov, n);
}

static int32_t w_recv(void *ctx, uint8_t *buf, size_t len)
{
    tool_tls_t *t = ctx;
    return mqtls_tls_transport.recv(&t->tls, buf, len);
}

static mqtls_status_t w_wait(void *ctx, int for_write, uint32_t timeout_ms)
{
    tool_tls_t *t = ctx;
    return mqtls_tls_transport.wait(&t->tls, for_write, timeout_ms);
}

static void w_close(void *ctx)
{
    tool_tls_t *t = ctx;
    mqtls_tls_transport.close(&t->tls);
    if (t->attempt_open) /* the client gave up (connect timeout) before the handshake ended */
        attempt_end(t, t->cfg->host, t->cfg->port);
}

const mqtls_transport_t tool_tls_transport = {w_connect, w_send, w_recv, w_wait, w_close};
