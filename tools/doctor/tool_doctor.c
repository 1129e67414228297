/**
 * @file tool_doctor.c
 * @brief `mqtls doctor` (see tool_doctor.h, docs/doctor.md).
 *
 * Each step gathers facts into the run's record and into mqtls_diag_facts_t; the first
 * step that fails asks mqtls_diagnose() for the cause. Step 3 connects with the TCP
 * transport to each address of step 2 in turn. Without TLS that connection goes on; with
 * TLS, step 4 drives the TLS transport to the address that answered (a second TCP connect,
 * so that the handshake starts on a connection of its own while the server name stays the
 * host's). Step 5 then hands the open transport to an MQTT client, whose connect finds it
 * open and sends CONNECT at once.
 */
#include "doctor/tool_doctor.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/x509.h>

#include "mqtls/client.h"
#include "mqtls/diagnose.h"
#include "mqtls/mqtls.h"
#include "mqtls/reason.h"
#include "mqtls/transport_tcp.h"
#include "mqtls/transport_tls.h"
#include "creds/tool_cert.h"
#include "common/tool_json.h"
#include "common/tool_opts.h"
#include "mqtt/tool_props.h"
#include "mqtt/tool_tls.h"
#include "common/tool_util.h"
#include "creds/tool_x509.h"

#define MARK_OK "\xE2\x9C\x93"   /* ✓ */
#define MARK_FAIL "\xE2\x9C\x97" /* ✗ */

/* A clock before this (2020-01-01 UTC) is taken as unset. */
#define CLOCK_SANE 1577836800LL
#define DEFAULT_TIMEOUT_S 10u
/* The TLS probe of a port where plain MQTT failed: a short look, not a connection. */
#define PROBE_TIMEOUT_MS 3000u
/* Receive buffer of the MQTT client: CONNACK, SUBACK, PUBACK and the test message. */
#define RX_SIZE 16384u
#define FIRST_BYTES 16u

const char tool_doctor_exit_help[] =
    "Exit status:\n"
    "  0   every step passed\n"
    "  1   interrupted\n"
    "  2   bad arguments\n"
    "  11  step 1 failed: local credentials (files, key, dates, TLS settings)\n"
    "  12  step 2 failed: DNS\n"
    "  13  step 3 failed: TCP connect\n"
    "  14  step 4 failed: TLS handshake\n"
    "  15  step 5 failed: MQTT CONNECT/CONNACK\n"
    "  16  step 6 failed: subscribe/publish round trip\n";

enum { N_STAGES = 6 };

typedef enum result { R_NOT_RUN, R_OK, R_FAILED, R_SKIPPED } result_t;

/* A plain evidence line, or a line of the credential checks (its tool_check_kind_t). */
#define LINE_PLAIN (-1)

typedef struct line {
    int kind;
    char *text;
} line_t;

typedef struct stage {
    const char *title; /* "TCP connect" */
    const char *key;   /* "tcp": the JSON name */
    result_t result;
    uint64_t ms;
    char *summary;
    line_t *lines;
    size_t n_lines;
} stage_t;

/* One step of the round trip. */
typedef struct rt_step {
    const char *name; /* "subscribe", "publish", "receive" */
    bool ok;
    uint64_t ms;
    int code;         /* the SUBACK / PUBACK code, -1 when none */
    char *text;
} rt_step_t;

/* Wraps the transport the MQTT client uses, to keep the first bytes the server sent. */
typedef struct rec {
    const mqtls_transport_t *inner;
    void *ctx;
    uint8_t first[FIRST_BYTES];
    size_t n_first;
    uint32_t total;
} rec_t;

typedef struct doctor {
    tool_cfg_t cfg;
    const char *host;      /* the broker's name: TLS names it, the rules reason about it */
    uint16_t port;
    char *conn_host;       /* where the connection goes (differs with --connect-to) */
    uint16_t conn_port;
    bool mapped;           /* --connect-to applies */
    uint32_t timeout_ms;
    char *topic;
    bool json;
    stage_t st[N_STAGES + 1]; /* [1]..[6] */
    int failed;            /* the step that failed, 0: none */
    mqtls_diag_facts_t facts;
    mqtls_cause_t cause;
    tool_strlist_t cause_facts;
    time_t now;
    /* 1: credentials */
    tool_cert_check_result_t check;
    bool check_ran;
    tool_strlist_t ca_subjects;
    tool_tls_t *tls;
    char *setup_error;
    int setup_raw;
    const char **alpn;     /* offered (points into tls) */
    /* 2: DNS */
    tool_strlist_t addrs;
    char *dns_error;
    /* 3: TCP */
    mqtls_tcp_t tcp;
    const mqtls_transport_t *tr;
    void *tr_ctx;
    char peer[80];         /* "127.0.0.1:8883" */
    char conn_ip[INET6_ADDRSTRLEN + 8]; /* the address that answered */
    int tcp_errno;
    char *tcp_error;
    /* 4: TLS */
    mqtls_tls_evidence_t ev;
    mqtls_tls_cert_info_t ev_chain[MQTLS_TLS_CHAIN_MAX]; /* ev's certificates, copied */
    mqtls_tls_cert_info_t ev_sent[MQTLS_TLS_CHAIN_MAX];
    bool ev_valid;
    tool_strlist_t explain;
    /* 5: MQTT */
    mqtls_client_t client;
    rec_t rec;
    uint8_t *rx, *tx, *store_mem;
    mqtls_inflight_t inflight[4];
    uint16_t qos2[4];
    mqtls_ram_store_t store;
    mqtls_connect_opts_t opts;
    bool connected, conn_failed, lost;
    mqtls_status_t mqtt_status;
    uint8_t connack_code;
    bool connack_seen;
    bool session_present;
    tool_strlist_t props;
    uint64_t connect_sent_ms;
    bool probe_ran, speaks_tls;
    int probe_first;
    uint32_t probe_bytes;
    char *mqtt_error;
    /* 6: round trip */
    uint16_t sub_id, pub_id;
    bool suback;
    uint8_t suback_code;
    bool pub_done;
    mqtls_status_t pub_status;
    uint8_t pub_reason;
    bool msg_back;
    char payload[160];
    mqtls_status_t lost_status;
    uint8_t lost_reason;
    rt_step_t steps[3];
    int n_steps;
} doctor_t;

/* ---- small helpers ------------------------------------------------------------------- */

static char *xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = tool_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static void list_addf(tool_strlist_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void list_addf(tool_strlist_t *l, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tool_strlist_add(l, tool_xstrdup(buf));
}

static void list_free(tool_strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free((void *)l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void add_line(stage_t *s, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_line(stage_t *s, int kind, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s->lines = tool_xrealloc(s->lines, (s->n_lines + 1) * sizeof *s->lines);
    s->lines[s->n_lines].kind = kind;
    s->lines[s->n_lines].text = tool_xstrdup(buf);
    s->n_lines++;
}

#define EVID(d, n, ...) add_line(&(d)->st[n], LINE_PLAIN, __VA_ARGS__)

static void utc_text(time_t t, char *out, size_t size)
{
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, size, "(unknown)");
        return;
    }
    strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *version_name(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "5.0" : "3.1.1";
}

static void hex_bytes(const uint8_t *p, size_t n, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 4 < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%02x", i ? " " : "", p[i]);
}

/* Printable ASCII of @p p, other bytes as '.', for "what came back". */
static void ascii_bytes(const uint8_t *p, size_t n, char *out, size_t size)
{
    size_t i;
    for (i = 0; i < n && i + 1 < size; i++)
        out[i] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '.';
    out[i] = '\0';
}

static bool host_is_aws(const char *host)
{
    return tool_tls_default_alpn(host, 443) != NULL;
}

static bool wait_poll(uint32_t ms)
{
    (void)poll(NULL, 0, (int)ms);
    return !tool_stop;
}

/* ---- options ------------------------------------------------------------------------- */

/* One field of --connect-to: "host", "[v6::addr]" or "" up to the next ':'. */
static const char *ct_field(const char *p, char *out, size_t size, bool *ok)
{
    size_t n = 0;
    *ok = true;
    if (*p == '[') {
        const char *end = strchr(p, ']');
        if (!end || (end[1] != ':' && end[1] != '\0')) {
            *ok = false;
            return p;
        }
        n = (size_t)(end - p - 1);
        if (n >= size) {
            *ok = false;
            return p;
        }
        memcpy(out, p + 1, n);
        out[n] = '\0';
        return end + 1;
    }
    n = strcspn(p, ":");
    if (n >= size) {
        *ok = false;
        return p;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return p + n;
}

static bool ct_port(const char *s, uint16_t *out)
{
    uint32_t v;
    if (!*s) {
        *out = 0;
        return true;
    }
    if (!tool_parse_u32(s, 1, 65535, &v))
        return false;
    *out = (uint16_t)v;
    return true;
}

/* --connect-to HOST:PORT:HOST2:PORT2, as curl: an empty HOST or PORT matches any, an empty
 * HOST2 or PORT2 keeps the original. */
static int parse_connect_to(doctor_t *d)
{
    const char *arg = d->cfg.connect_to, *p = arg;
    char h1[256], p1[8], h2[256], p2[8];
    bool ok1, ok2, ok3, ok4;
    uint16_t port1, port2;
    p = ct_field(p, h1, sizeof h1, &ok1);
    if (ok1 && *p == ':')
        p = ct_field(p + 1, p1, sizeof p1, &ok2);
    else
        ok2 = false;
    if (ok2 && *p == ':')
        p = ct_field(p + 1, h2, sizeof h2, &ok3);
    else
        ok3 = false;
    if (ok3 && *p == ':')
        p = ct_field(p + 1, p2, sizeof p2, &ok4);
    else
        ok4 = false;
    if (!ok4 || *p || !ct_port(p1, &port1) || !ct_port(p2, &port2))
        return tool_usage_err("invalid --connect-to '%s' (HOST:PORT:HOST2:PORT2, e.g. "
                              "example.com:443:127.0.0.1:8443; IPv6 in brackets)", arg);
    if ((h1[0] && strcasecmp(h1, d->host) != 0) || (port1 && port1 != d->port))
        return tool_usage_err("--connect-to '%s' does not apply to %s port %u: give -h %s "
                              "-p %s (the name and port to diagnose)", arg, d->host,
                              (unsigned)d->port, h1[0] ? h1 : d->host,
                              p1[0] ? p1 : "PORT");
    free(d->conn_host);
    d->conn_host = tool_xstrdup(h2[0] ? h2 : d->host);
    d->conn_port = port2 ? port2 : d->port;
    d->mapped = true;
    return TOOL_EXIT_OK;
}

static bool valid_topic(const char *t)
{
    return t[0] && !strpbrk(t, "+#") && strlen(t) <= 65535;
}

static int parse(doctor_t *d, int argc, char **argv)
{
    tool_cfg_init(&d->cfg, TOOL_DOCTOR);
    int rc = tool_opts_parse(&d->cfg, argc, argv);
    if (rc)
        return rc;
    d->host = d->cfg.host;
    d->port = d->cfg.port;
    d->conn_host = tool_xstrdup(d->host);
    d->conn_port = d->port;
    d->json = d->cfg.json;
    if (d->cfg.timeout_s > 3600)
        return tool_usage_err("invalid timeout '%lu' (at most 3600 seconds per step)",
                              (unsigned long)d->cfg.timeout_s);
    d->timeout_ms = (d->cfg.timeout_s ? d->cfg.timeout_s : DEFAULT_TIMEOUT_S) * 1000u;
    if (!d->host[0])
        return tool_usage_err("the host name is empty");
    if (d->cfg.connect_to && (rc = parse_connect_to(d)) != TOOL_EXIT_OK)
        return rc;
    if (d->cfg.topics.n > 1)
        return tool_usage_err("doctor takes one --topic (the round trip's topic)");
    if (d->cfg.topics.n == 1) {
        if (!valid_topic(d->cfg.topics.v[0]))
            return tool_usage_err("invalid topic '%s' (a topic name: not empty, no + or #)",
                                  d->cfg.topics.v[0]);
        d->topic = tool_xstrdup(d->cfg.topics.v[0]);
    } else {
        d->topic = xfmt("mqtls/doctor/%s", d->cfg.client_id);
        for (char *p = d->topic + strlen("mqtls/doctor/"); *p; p++)
            if (*p == '+' || *p == '#') /* wildcards have no place in a topic name */
                *p = '_';
    }
    d->cfg.server_name = d->host;
    d->cfg.tls_timeout_ms = d->timeout_ms;
    return TOOL_EXIT_OK;
}

/* ---- the end of a step --------------------------------------------------------------- */

static void print_stage(const doctor_t *d, int n)
{
    const stage_t *s = &d->st[n];
    if (d->json || s->result == R_NOT_RUN)
        return;
    const char *mark = s->result == R_OK ? MARK_OK : s->result == R_FAILED ? MARK_FAIL : "-";
    printf("%s %d %s  %s", mark, n, s->title, s->summary ? s->summary : "");
    if (s->result != R_SKIPPED)
        printf(" (%llu ms)", (unsigned long long)s->ms);
    putchar('\n');
    for (size_t i = 0; i < s->n_lines; i++) {
        const line_t *l = &s->lines[i];
        switch (l->kind) {
        case TOOL_CHECK_OK: printf("    " MARK_OK " %s\n", l->text); break;
        case TOOL_CHECK_FAIL: /* a failed check that is not the step's failure warns only */
            printf("    %s %s\n", s->result == R_FAILED ? MARK_FAIL : "!", l->text);
            break;
        case TOOL_CHECK_WARN: printf("    ! %s\n", l->text); break;
        case TOOL_CHECK_DETAIL: printf("        %s\n", l->text); break;
        default: printf("    %s\n", l->text); break;
        }
    }
    fflush(stdout);
}

static void stage_done(doctor_t *d, int n, result_t r, uint64_t t0, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void stage_done(doctor_t *d, int n, result_t r, uint64_t t0, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    stage_t *s = &d->st[n];
    s->result = r;
    s->ms = t0 ? tool_now_ms() - t0 : 0;
    free(s->summary);
    s->summary = tool_xstrdup(buf);
    print_stage(d, n);
}

/* Asks the rules; a named cause fails step @p n with the cause's summary. */
static bool diagnose(doctor_t *d, int n, uint64_t t0)
{
    d->facts.stage = (mqtls_diag_stage_t)n;
    d->cause = mqtls_diagnose(&d->facts);
    if (d->cause == MQTLS_CAUSE_NONE)
        return false;
    d->failed = n;
    stage_done(d, n, R_FAILED, t0, "%s", mqtls_cause_info(d->cause)->summary);
    return true;
}

/* ---- 1: credentials ------------------------------------------------------------------ */

static void check_sink(void *ctx, tool_check_kind_t kind, const char *text)
{
    doctor_t *d = ctx;
    add_line(&d->st[1], (int)kind, "%s", text);
}

static void setup_sink(void *ctx, const char *text)
{
    doctor_t *d = ctx;
    free(d->setup_error);
    d->setup_error = tool_xstrdup(text);
    EVID(d, 1, "%s", text);
}

/* A certificate's subject as the TLS evidence writes it ("C=US, O=Org, CN=Name", in the
 * certificate's order), so that the two compare. */
static void add_subject(doctor_t *d, X509 *x)
{
    char s[256] = "(unreadable name)";
    BIO *mem = BIO_new(BIO_s_mem());
    const unsigned long flags = (XN_FLAG_RFC2253 & ~(XN_FLAG_SEP_MASK | XN_FLAG_DN_REV |
                                                     ASN1_STRFLGS_ESC_MSB)) |
                                XN_FLAG_SEP_CPLUS_SPC; /* as the OpenSSL backend writes it */
    if (mem && X509_NAME_print_ex(mem, X509_get_subject_name(x), 0, flags) >= 0) {
        int n = BIO_read(mem, s, (int)sizeof s - 1);
        s[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
    tool_strlist_add(&d->ca_subjects, tool_xstrdup(s));
}

/* The subjects of every certificate in one PEM or DER file (unreadable ones are skipped:
 * the setup names that problem). */
static void ca_file_subjects(doctor_t *d, const char *path)
{
    tool_credfile_t f;
    tool_credfile_load(&f, path, NULL);
    for (size_t i = 0; i < f.n_objs; i++)
        if (f.objs[i].kind == TOOL_OBJ_CERT && f.objs[i].crt)
            add_subject(d, f.objs[i].crt);
    tool_credfile_free(&f);
}

static void load_ca_subjects(doctor_t *d)
{
    if (d->cfg.cafile)
        ca_file_subjects(d, d->cfg.cafile);
    DIR *dir = d->cfg.capath ? opendir(d->cfg.capath) : NULL;
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xfmt("%s/%s", d->cfg.capath, e->d_name);
        ca_file_subjects(d, path);
        free(path);
    }
    if (dir)
        closedir(dir);
}

static void alpn_words(const doctor_t *d, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; d->alpn && d->alpn[i] && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", d->alpn[i]);
    if (!out[0])
        snprintf(out, size, "none");
}

/* The fact the rules use: an ALPN protocol was offered; for AWS IoT on 443, the one it
 * needs for client certificates. */
static bool alpn_offered(const doctor_t *d)
{
    bool aws443 = host_is_aws(d->host) && d->port == 443;
    for (size_t i = 0; d->alpn && d->alpn[i]; i++)
        if (!aws443 || !strcmp(d->alpn[i], TOOL_TLS_AWS_ALPN))
            return true;
    return false;
}

/* A directory, FIFO or device where a file belongs: Mbed TLS would read a directory as a
 * file of absurd size and a FIFO would block, so such paths are refused here first. */
static bool special_file(doctor_t *d, const char *path, const char *words,
                         mqtls_tls_item_t item)
{
    struct stat sb;
    if (!path || stat(path, &sb) != 0 || S_ISREG(sb.st_mode))
        return false;
    free(d->setup_error);
    d->setup_error = xfmt("%s '%s' is %s, not a file%s", words, path,
                          S_ISDIR(sb.st_mode) ? "a directory" : "a special file",
                          S_ISDIR(sb.st_mode) && item == MQTLS_TLS_ITEM_CA
                              ? " (a directory of CA certificates goes with --capath)" : "");
    add_line(&d->st[1], TOOL_CHECK_FAIL, "%s", d->setup_error);
    memset(&d->ev, 0, sizeof d->ev);
    d->ev.status = MQTLS_ERR_TLS_CREDENTIALS;
    d->ev.item = item;
    d->ev.cred_problem = MQTLS_TLS_CRED_UNREADABLE;
    d->ev.alert_received = d->ev.alert_sent = d->ev.first_byte = -1;
    return true;
}

/* The evidence outlives the connection: its certificates are copied with it. */
static void copy_evidence(doctor_t *d, const mqtls_tls_evidence_t *ev)
{
    d->ev = *ev;
    d->ev.chain = d->ev.sent = NULL;
    if (ev->chain) {
        memcpy(d->ev_chain, ev->chain, sizeof d->ev_chain);
        d->ev.chain = d->ev_chain;
    }
    if (ev->sent) {
        memcpy(d->ev_sent, ev->sent, sizeof d->ev_sent);
        d->ev.sent = d->ev_sent;
    }
    d->ev_valid = true;
}

static bool stage_credentials(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    const tool_cfg_t *c = &d->cfg;
    d->facts.tls_used = c->tls;
    d->facts.port = d->port;
    d->facts.host_is_aws = host_is_aws(d->host);
    d->facts.version = c->version;
    d->facts.clock_unset = (long long)d->now < CLOCK_SANE;
    if (!c->tls) {
        EVID(d, 1, "plain MQTT: no CA, certificate or key to check");
        if (c->username)
            EVID(d, 1, "user name '%s'%s", c->username, c->password ? ", password given" : "");
        stage_done(d, 1, R_OK, t0, "not used: plain MQTT without TLS");
        return true;
    }
    char now[32];
    utc_text(d->now, now, sizeof now);
    EVID(d, 1, "this machine's clock: %s UTC%s", now,
         d->facts.clock_unset ? " (before 2020: it looks unset)" : "");
    if (special_file(d, c->cafile, "the CA file", MQTLS_TLS_ITEM_CA) ||
        special_file(d, c->cert, "the client certificate", MQTLS_TLS_ITEM_CERT) ||
        special_file(d, c->key, "the private key", MQTLS_TLS_ITEM_KEY)) {
        d->facts.tls = &d->ev; /* no TLS setup: its evidence would be this */
        d->facts.status = MQTLS_ERR_TLS_CREDENTIALS;
        diagnose(d, 1, t0);
        d->facts.tls = NULL;
        return false;
    }
    if (c->cafile || c->cert || c->key) {
        tool_cert_check_opts_t o;
        memset(&o, 0, sizeof o);
        o.cafile = c->cafile;
        o.certfile = c->cert;
        o.keyfile = c->key;
        o.pass = c->keypass;
        o.host = d->host;
        o.now = (int64_t)d->now;
        o.chain_warn_only = true;
        o.sink = check_sink;
        o.ctx = d;
        tool_cert_check(&o, &d->check);
        d->check_ran = true;
    }
    load_ca_subjects(d);
    d->tls = tool_xcalloc(1, sizeof *d->tls);
    int rc = tool_tls_setup_to(d->tls, c, NULL, setup_sink, d);
    d->alpn = d->tls->alpn;
    const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(&d->tls->tls);
    d->facts.tls = ev;
    d->facts.status = rc == TOOL_EXIT_OK ? MQTLS_OK : ev->status;
    d->setup_raw = ev->raw_error;
    d->facts.key_too_small = d->check.key_too_small;
    d->facts.client_cert_flags = d->check.cert_flags;
    d->facts.alpn_offered = alpn_offered(d);
    if (rc == TOOL_EXIT_OK) {
        char alpn[256];
        alpn_words(d, alpn, sizeof alpn);
        EVID(d, 1, "TLS setup: %s accepted the credentials and settings",
             mqtls_tls_backend());
        EVID(d, 1, "will offer: TLS 1.2%s, ALPN %s%s, server name '%s'",
             c->tls_min_version == MQTLS_TLS_V1_3 ? " (1.3 asked)" : "", alpn,
             d->tls->alpn_auto ? " (automatic: AWS IoT on port 443)" : "", d->host);
    }
    if (diagnose(d, 1, t0)) {
        d->facts.tls = NULL;
        return false;
    }
    d->facts.tls = NULL;
    unsigned warn = d->check.warned + d->check.failed + (c->insecure ? 1u : 0u);
    const char *what = c->cert ? "CA, certificate and key usable"
                       : (c->cafile || c->capath) ? "CA usable; no client certificate"
                                                  : "no CA: --insecure";
    if (c->insecure)
        add_line(&d->st[1], TOOL_CHECK_WARN, "--insecure: the server's certificate and name will "
                 "be checked and reported, but a failure will not stop the handshake");
    stage_done(d, 1, R_OK, t0, "%s%s", what,
               warn ? (warn == 1 ? " (1 warning)" : " (warnings: see below)") : "");
    return true;
}

/* ---- 2: DNS -------------------------------------------------------------------------- */

static void sockaddr_text(const struct sockaddr *sa, char *out, size_t size, uint16_t *port)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    *port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        *port = ntohs(a->sin_port);
        snprintf(out, size, "%s", ip);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        *port = ntohs(a->sin6_port);
        snprintf(out, size, "%s", ip);
    } else {
        snprintf(out, size, "(family %d)", sa->sa_family);
    }
}

static bool stage_dns(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    struct addrinfo hints, *res = NULL;
    char service[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof service, "%u", (unsigned)d->conn_port);
    if (d->mapped)
        EVID(d, 2, "--connect-to: %s port %u is reached at %s port %u; TLS names '%s'", d->host,
             (unsigned)d->port, d->conn_host, (unsigned)d->conn_port, d->host);
    int rc = getaddrinfo(d->conn_host, service, &hints, &res);
    if (rc != 0 || !res) {
        d->dns_error = xfmt("%s", rc ? gai_strerror(rc) : "no address");
        EVID(d, 2, "getaddrinfo('%s'): %s", d->conn_host, d->dns_error);
        d->facts.status = MQTLS_ERR_DNS;
        if (res)
            freeaddrinfo(res);
        return !diagnose(d, 2, t0);
    }
    for (const struct addrinfo *a = res; a; a = a->ai_next) {
        char ip[INET6_ADDRSTRLEN + 8];
        uint16_t port;
        bool dup = false;
        sockaddr_text(a->ai_addr, ip, sizeof ip, &port);
        for (size_t i = 0; i < d->addrs.n; i++)
            dup = dup || !strcmp(d->addrs.v[i], ip);
        if (!dup)
            tool_strlist_add(&d->addrs, tool_xstrdup(ip));
    }
    freeaddrinfo(res);
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < d->addrs.n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 d->addrs.v[i]);
    for (size_t i = 0; i < d->addrs.n; i++)
        EVID(d, 2, "address: %s (%s)", d->addrs.v[i], strchr(d->addrs.v[i], ':') ? "IPv6" : "IPv4");
    stage_done(d, 2, R_OK, t0, "%s \xE2\x86\x92 %s", d->conn_host, list); /* → */
    return true;
}

/* ---- 3: TCP -------------------------------------------------------------------------- */

static void peer_text(const char *ip, uint16_t port, char *out, size_t size)
{
    if (strchr(ip, ':'))
        snprintf(out, size, "[%s]:%u", ip, (unsigned)port);
    else
        snprintf(out, size, "%s:%u", ip, (unsigned)port);
}

/* Connects @p t to one address; MQTLS_OK, a failure, or MQTLS_ERR_TIMEOUT at @p deadline. */
static mqtls_status_t tcp_attempt(mqtls_tcp_t *t, const char *ip, uint16_t port,
                                  uint64_t deadline)
{
    mqtls_tcp_init(t, 0);
    mqtls_status_t st = mqtls_tcp_transport.connect(t, ip, port);
    while (st == MQTLS_IN_PROGRESS) {
        uint64_t now = tool_now_ms();
        if (now >= deadline || tool_stop) {
            mqtls_tcp_transport.close(t);
            return MQTLS_ERR_TIMEOUT;
        }
        uint64_t left = deadline - now;
        if (mqtls_tcp_transport.wait(t, 1, left < 100 ? (uint32_t)left : 100u) == MQTLS_ERR_STATE)
            wait_poll(10);
        st = mqtls_tcp_transport.connect(t, ip, port);
    }
    return st;
}

/* Step 3 connects to the addresses of step 2 in turn, with the TCP transport. Plain MQTT
 * goes on on that connection; TLS closes it and opens its own to the address that
 * answered (its server name stays the host name). */
static bool stage_tcp(doctor_t *d)
{
    uint64_t t0 = tool_now_ms(), deadline = t0 + d->timeout_ms;
    mqtls_status_t st = MQTLS_ERR_CONNECT_REFUSED, first_fail = MQTLS_OK;
    int first_errno = 0;
    for (size_t i = 0; i < d->addrs.n; i++) {
        const char *ip = d->addrs.v[i];
        char peer[80];
        peer_text(ip, d->conn_port, peer, sizeof peer);
        st = tcp_attempt(&d->tcp, ip, d->conn_port, deadline);
        if (st == MQTLS_OK) {
            snprintf(d->peer, sizeof d->peer, "%s", peer);
            snprintf(d->conn_ip, sizeof d->conn_ip, "%s", ip);
            EVID(d, 3, "%s: connected", peer);
            break;
        }
        int err = st == MQTLS_ERR_TIMEOUT ? 0 : d->tcp.last_errno;
        if (st == MQTLS_ERR_TIMEOUT)
            EVID(d, 3, "%s: no answer within %u s", peer, (unsigned)(d->timeout_ms / 1000u));
        else
            EVID(d, 3, "%s: %s", peer, err > 0 ? strerror(err) : mqtls_strerror(st));
        /* A refusal says most (the host is there, nothing listens); keep the first one. */
        if (first_fail == MQTLS_OK || (st == MQTLS_ERR_CONNECT_REFUSED &&
                                       first_fail != MQTLS_ERR_CONNECT_REFUSED)) {
            first_fail = st;
            first_errno = err;
        }
        if (st == MQTLS_ERR_TIMEOUT)
            break; /* the time is spent */
    }
    if (st == MQTLS_OK) {
        if (d->cfg.tls) {
            mqtls_tcp_transport.close(&d->tcp);
            d->tr = &mqtls_tls_transport;
            d->tr_ctx = &d->tls->tls;
        } else {
            d->tr = &mqtls_tcp_transport;
            d->tr_ctx = &d->tcp;
        }
        stage_done(d, 3, R_OK, t0, "%s", d->peer);
        return true;
    }
    st = first_fail;
    d->tcp_errno = first_errno;
    if (st == MQTLS_ERR_TIMEOUT)
        d->tcp_error = xfmt("no answer within %u s", (unsigned)(d->timeout_ms / 1000u));
    else if (first_errno > 0)
        d->tcp_error = xfmt("%s (errno %d)", strerror(first_errno), first_errno);
    else
        d->tcp_error = xfmt("%s", mqtls_strerror(st));
    d->facts.status = st;
    if (!diagnose(d, 3, t0)) { /* cannot happen: a failed connect always has a cause */
        d->failed = 3;
        d->cause = MQTLS_CAUSE_UNKNOWN;
        stage_done(d, 3, R_FAILED, t0, "%s", mqtls_strerror(st));
    }
    return false;
}

/* ---- 4: TLS -------------------------------------------------------------------------- */

static void explain_sink(void *ctx, const char *line)
{
    doctor_t *d = ctx;
    tool_strlist_add(&d->explain, tool_xstrdup(line));
}

/* The root the server's chain ends at: the top certificate if it is self-issued, else the
 * name of its issuer (which the server did not send). */
static const char *chain_root(const mqtls_tls_evidence_t *ev, bool *sent)
{
    if (!ev->chain || !ev->chain_len)
        return NULL;
    const mqtls_tls_cert_info_t *top = &ev->chain[ev->chain_len - 1];
    *sent = !strcmp(top->subject, top->issuer);
    return *sent ? top->subject : top->issuer;
}

static bool ca_holds(const doctor_t *d, const char *subject)
{
    for (size_t i = 0; subject && i < d->ca_subjects.n; i++)
        if (!strcmp(d->ca_subjects.v[i], subject))
            return true;
    return false;
}

static void ca_list(const doctor_t *d, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->ca_subjects.n && used < size; i++) {
        if (i == 8) {
            snprintf(out + used, size - used, ", ... (%zu in all)", d->ca_subjects.n);
            return;
        }
        used += (size_t)snprintf(out + used, size - used, "%s'%s'", i ? ", " : "",
                                 d->ca_subjects.v[i]);
    }
    if (!d->ca_subjects.n)
        snprintf(out, size, "no certificate");
}

static const char *ca_words(const doctor_t *d)
{
    return d->cfg.cafile && d->cfg.capath ? "your CA file and directory hold"
           : d->cfg.capath               ? "your CA directory holds"
                                         : "your CA file holds";
}

static void flag_words(uint32_t flags, char *out, size_t size)
{
    tool_tls_problem_words(flags, "; ", out, size);
}

static void tls_evidence_lines(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char buf[1024];
    bool ip = false;
    unsigned char tmp[16];
    ip = inet_pton(AF_INET, d->host, tmp) == 1 || inet_pton(AF_INET6, d->host, tmp) == 1;
    EVID(d, 4, "server name: '%s' (%s)", d->host,
         ip ? "an IP address: no SNI sent; checked against the certificate's IP addresses"
            : "sent as SNI and checked against the certificate");
    alpn_words(d, buf, sizeof buf);
    EVID(d, 4, "offered: %s, ALPN %s%s%s", d->cfg.tls_min_version == MQTLS_TLS_V1_3
                                            ? "TLS 1.3"
                                            : mqtls_tls_max_version() >= MQTLS_TLS_V1_3
                                                  ? "TLS 1.2 and 1.3" : "TLS 1.2",
         buf, d->cfg.ciphers ? ", cipher suites " : "", d->cfg.ciphers ? d->cfg.ciphers : "");
    if (ev->stage == MQTLS_TLS_STAGE_ESTABLISHED)
        EVID(d, 4, "negotiated: %s, %s, ALPN %s", ev->version, ev->ciphersuite,
             ev->alpn[0] ? ev->alpn : "none");
    if (ev->chain && ev->chain_len) {
        EVID(d, 4, "server chain: the server sent %u certificate(s); verification built a "
             "chain of %u ([0] is the server's own)", (unsigned)ev->sent_len,
             (unsigned)ev->chain_len);
        for (unsigned i = 0; i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
            const mqtls_tls_cert_info_t *ci = &ev->chain[i];
            EVID(d, 4, "  [%u] %s", i, ci->subject);
            EVID(d, 4, "      issuer: %s", ci->issuer);
            EVID(d, 4, "      valid:  %s to %s UTC", ci->not_before, ci->not_after);
            if (ci->names[0])
                EVID(d, 4, "      names:  %s", ci->names);
            if (ci->key[0])
                EVID(d, 4, "      key:    %s%s, signed %s", ci->key, ci->is_ca ? " (a CA)" : "",
                     ci->sig_alg);
            if (ci->problems) {
                flag_words(ci->problems, buf, sizeof buf);
                EVID(d, 4, "      problems (0x%04x): %s", (unsigned)ci->problems, buf);
            }
        }
        bool sent = false;
        const char *root = chain_root(ev, &sent);
        EVID(d, 4, "chain ends at: '%s'%s, %s", root, sent ? "" : " (not sent by the server)",
             ca_holds(d, root) ? "a root your CA file holds" : "NOT in your CA file");
    } else {
        EVID(d, 4, "server chain: none received");
    }
    ca_list(d, buf, sizeof buf);
    EVID(d, 4, "%s: %s", ca_words(d), d->cfg.cafile || d->cfg.capath ? buf : "nothing (--insecure)");
    if (ev->verified && !ev->problems)
        EVID(d, 4, "verification: server chain verified (no problems)%s",
             ev->insecure ? " (--insecure: not enforced)" : "");
    else if (ev->verified) {
        flag_words(ev->problems, buf, sizeof buf);
        EVID(d, 4, "verification: %s, problems 0x%04x: %s",
             ev->insecure ? "failed but not enforced (--insecure)" : "FAILED",
             (unsigned)ev->problems, buf);
    } else {
        EVID(d, 4, "verification: not reached (no server certificate)");
    }
    EVID(d, 4, "client certificate: %s, %s", ev->cert_requested ? "requested by the server"
                                                                : "not requested",
         ev->cert_sent ? "sent" : d->cfg.cert ? "not sent" : "none configured");
    char ar[64] = "none", as[64] = "none";
    if (ev->alert_received >= 0)
        snprintf(ar, sizeof ar, "%d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
    if (ev->alert_sent >= 0)
        snprintf(as, sizeof as, "%d %s", ev->alert_sent, mqtls_tls_alert_name(ev->alert_sent));
    EVID(d, 4, "alerts: received %s, sent %s", ar, as);
    if (ev->first_byte >= 0)
        EVID(d, 4, "from the server: %lu bytes, first byte 0x%02x (%s)",
             (unsigned long)ev->bytes_received, (unsigned)ev->first_byte,
             ev->first_byte >= 20 && ev->first_byte <= 23 ? "a TLS record" : "NOT TLS");
    else
        EVID(d, 4, "from the server: nothing");
    if (ev->raw_error < 0)
        EVID(d, 4, "Mbed TLS: %s (-0x%04X)", ev->detail, (unsigned)-ev->raw_error);
    for (size_t i = 0; i < d->explain.n; i++)
        EVID(d, 4, "%s", d->explain.v[i]);
}

static bool stage_tls(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    if (!d->cfg.tls) {
        EVID(d, 4, "plain MQTT: no TLS handshake");
        stage_done(d, 4, R_OK, t0, "not used: plain MQTT without TLS");
        return true;
    }
    EVID(d, 4, "connecting again to %s for the handshake", d->peer);
    /* The TCP connect is part of the transport's limit; its handshake limit comes first. */
    uint64_t deadline = t0 + 2u * d->timeout_ms + 1000u;
    mqtls_status_t st = d->tr->connect(d->tr_ctx, d->conn_ip, d->conn_port);
    while (st == MQTLS_IN_PROGRESS) {
        if (tool_now_ms() > deadline || tool_stop) {
            d->tr->close(d->tr_ctx);
            st = MQTLS_ERR_TIMEOUT;
            break;
        }
        if (d->tr->wait(d->tr_ctx, 0, 100) == MQTLS_ERR_STATE)
            wait_poll(10);
        st = d->tr->connect(d->tr_ctx, d->conn_ip, d->conn_port);
    }
    copy_evidence(d, mqtls_tls_evidence(&d->tls->tls));
    if (st != MQTLS_OK) {
        tool_tls_explain_to(d->tls, st, explain_sink, d);
        tls_evidence_lines(d);
        d->facts.tls = &d->ev;
        d->facts.status = d->ev.status ? d->ev.status : st;
        if (!diagnose(d, 4, t0)) {
            d->failed = 4;
            d->cause = MQTLS_CAUSE_TLS_HANDSHAKE_FAILED;
            stage_done(d, 4, R_FAILED, t0, "%s", mqtls_strerror(st));
        }
        return false;
    }
    tls_evidence_lines(d);
    stage_done(d, 4, R_OK, t0, "%s, %s, ALPN %s", d->ev.version, d->ev.ciphersuite,
               d->ev.alpn[0] ? d->ev.alpn : "none");
    return true;
}

/* ---- 5: MQTT ------------------------------------------------------------------------- */

static mqtls_status_t rec_connect(void *ctx, const char *host, uint16_t port)
{
    rec_t *r = ctx;
    return r->inner->connect(r->ctx, host, port);
}

static int32_t rec_send(void *ctx, const mqtls_iov_t *iov, size_t n)
{
    rec_t *r = ctx;
    return r->inner->send(r->ctx, iov, n);
}

static int32_t rec_recv(void *ctx, uint8_t *buf, size_t len)
{
    rec_t *r = ctx;
    int32_t n = r->inner->recv(r->ctx, buf, len);
    for (int32_t i = 0; i < n && r->n_first < FIRST_BYTES; i++)
        r->first[r->n_first++] = buf[i];
    if (n > 0)
        r->total += (uint32_t)n;
    return n;
}

static mqtls_status_t rec_wait(void *ctx, int for_write, uint32_t ms)
{
    rec_t *r = ctx;
    return r->inner->wait ? r->inner->wait(r->ctx, for_write, ms) : MQTLS_OK;
}

static void rec_close(void *ctx)
{
    rec_t *r = ctx;
    r->inner->close(r->ctx);
}

static const mqtls_transport_t rec_transport = {rec_connect, rec_send, rec_recv, rec_wait,
                                                rec_close};

static void keep_props(doctor_t *d, const mqtls_props_t *p)
{
    tool_buf_t b = {NULL, 0, 0};
    list_free(&d->props);
    tool_props_lines(p, "", &b);
    for (char *s = b.p, *nl; s && *s; s = nl + 1) {
        nl = strchr(s, '\n');
        if (!nl)
            break;
        *nl = '\0';
        tool_strlist_add(&d->props, tool_xstrdup(s));
    }
    tool_buf_free(&b);
}

static bool same_str(mqtls_str_t a, const char *b)
{
    return a.len == strlen(b) && !memcmp(a.data, b, a.len);
}

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    doctor_t *d = user;
    (void)c;
    switch (ev->type) {
    case MQTLS_EV_CONNECTED:
        d->connected = d->connack_seen = true;
        d->connack_code = ev->reason;
        d->session_present = ev->session_present;
        keep_props(d, ev->props);
        break;
    case MQTLS_EV_CONNECT_FAILED:
        d->conn_failed = true;
        d->mqtt_status = ev->status;
        d->connack_code = ev->reason;
        d->connack_seen = ev->status == MQTLS_ERR_CONNACK_REFUSED;
        keep_props(d, ev->props);
        break;
    case MQTLS_EV_SUBACK:
        if (ev->packet_id == d->sub_id) {
            d->suback = true;
            d->suback_code = ev->count && ev->codes ? ev->codes[0] : 0x80;
        }
        break;
    case MQTLS_EV_PUBLISH_DONE:
    case MQTLS_EV_PUBLISH_DROPPED:
        if (ev->packet_id == d->pub_id) {
            d->pub_done = true;
            d->pub_status = ev->type == MQTLS_EV_PUBLISH_DONE ? ev->status : MQTLS_ERR_CLOSED;
            d->pub_reason = ev->reason;
        }
        break;
    case MQTLS_EV_MESSAGE:
        if (ev->message && same_str(ev->message->topic, d->topic) &&
            ev->message->payload_len == strlen(d->payload) &&
            !memcmp(ev->message->payload, d->payload, ev->message->payload_len))
            d->msg_back = true;
        break;
    case MQTLS_EV_DISCONNECTED:
        d->lost = true;
        d->lost_status = ev->status;
        d->lost_reason = ev->reason;
        break;
    default:
        break;
    }
}

/* Runs the client for at most @p ms, until @p until says stop. */
static void run_client(doctor_t *d, uint32_t ms, bool (*until)(const doctor_t *))
{
    uint64_t end = tool_now_ms() + ms;
    for (;;) {
        (void)mqtls_step(&d->client);
        uint64_t now = tool_now_ms();
        if (until(d) || tool_stop || now >= end)
            break;
        uint32_t w = mqtls_next_timeout_ms(&d->client);
        if (w > end - now)
            w = (uint32_t)(end - now);
        if (w > 50)
            w = 50;
        mqtls_status_t ws = mqtls_state(&d->client) != MQTLS_STATE_DISCONNECTED
                                ? rec_wait(&d->rec, 0, w)
                                : MQTLS_ERR_STATE;
        if (ws != MQTLS_OK && ws != MQTLS_ERR_TIMEOUT)
            wait_poll(w < 10 ? w : 10);
    }
}

static bool connack_done(const doctor_t *d)
{
    return d->connected || d->conn_failed || d->lost;
}

/* A TLS ClientHello (no verification, short time limit) to the port where plain MQTT
 * failed: a TLS record in answer means the port speaks TLS. */
static void probe_tls(doctor_t *d)
{
    mqtls_tls_t *p = tool_xcalloc(1, sizeof *p);
    mqtls_tls_cfg_t c;
    memset(&c, 0, sizeof c);
    c.insecure = true;
    c.server_name = d->host;
    c.handshake_timeout_ms = d->timeout_ms < PROBE_TIMEOUT_MS ? d->timeout_ms : PROBE_TIMEOUT_MS;
    mqtls_tls_init(p);
    d->probe_ran = true;
    d->probe_first = -1;
    if (mqtls_tls_setup(p, &c) == MQTLS_OK) {
        uint64_t end = tool_now_ms() + c.handshake_timeout_ms + 1000u;
        mqtls_status_t st = mqtls_tls_transport.connect(p, d->conn_ip, d->conn_port);
        while (st == MQTLS_IN_PROGRESS && tool_now_ms() < end && !tool_stop) {
            if (mqtls_tls_transport.wait(p, 0, 50) == MQTLS_ERR_STATE)
                wait_poll(10);
            st = mqtls_tls_transport.connect(p, d->conn_ip, d->conn_port);
        }
        const mqtls_tls_evidence_t *ev = mqtls_tls_evidence(p);
        d->probe_first = ev->first_byte;
        d->probe_bytes = ev->bytes_received;
        d->speaks_tls = ev->bytes_received > 0 && ev->first_byte == 22;
    }
    mqtls_tls_free(p);
    free(p);
}

static void setup_client(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    size_t tx = 4096 + strlen(c->client_id) + strlen(d->topic) * 2 +
                (c->username ? strlen(c->username) : 0) + (c->password ? strlen(c->password) : 0);
    d->rx = tool_xmalloc(RX_SIZE);
    d->tx = tool_xmalloc(tx);
    d->store_mem = tool_xmalloc(4096 + strlen(d->topic));
    mqtls_ram_store_init(&d->store, d->store_mem, 4096 + strlen(d->topic));
    d->rec.inner = d->tr;
    d->rec.ctx = d->tr_ctx;
    mqtls_client_cfg_t cc;
    memset(&cc, 0, sizeof cc);
    cc.transport = &rec_transport;
    cc.transport_ctx = &d->rec;
    cc.platform = &mqtls_platform_posix;
    cc.rx_buf = d->rx;
    cc.rx_size = RX_SIZE;
    cc.tx_buf = d->tx;
    cc.tx_size = tx;
    cc.inflight = d->inflight;
    cc.inflight_cap = 4;
    cc.qos2_in = d->qos2;
    cc.qos2_in_cap = 4;
    cc.store = &mqtls_ram_store;
    cc.store_ctx = &d->store;
    cc.on_event = on_event;
    cc.user = d;
    mqtls_client_init(&d->client, &cc);
    mqtls_connect_opts_t *o = &d->opts;
    o->host = d->conn_ip;
    o->port = d->conn_port;
    o->connect_timeout_ms = d->timeout_ms;
    o->connect.version = c->version;
    o->connect.clean_start = true;
    o->connect.keep_alive = c->keepalive;
    o->connect.client_id = mqtls_str(c->client_id);
    if (c->username) {
        o->connect.has_username = true;
        o->connect.username = mqtls_str(c->username);
    }
    if (c->password) {
        o->connect.has_password = true;
        o->connect.password = (mqtls_bin_t){(const uint8_t *)c->password,
                                            (uint16_t)strlen(c->password)};
    }
}

static void what_came_back(doctor_t *d)
{
    char hex[64], txt[24];
    if (!d->rec.total) {
        EVID(d, 5, "from the server after CONNECT: nothing");
        return;
    }
    hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
    ascii_bytes(d->rec.first, d->rec.n_first, txt, sizeof txt);
    EVID(d, 5, "from the server after CONNECT: %lu bytes: %s%s ('%s')",
         (unsigned long)d->rec.total, hex, d->rec.total > d->rec.n_first ? " ..." : "", txt);
}

static bool stage_mqtt(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    const tool_cfg_t *c = &d->cfg;
    setup_client(d);
    EVID(d, 5, "CONNECT: MQTT %s, client id '%s', clean %s, keep alive %u s, %s%s%s",
         version_name(c->version), c->client_id, c->version == MQTLS_V5 ? "start" : "session",
         (unsigned)c->keepalive, c->username ? "user name '" : "no user name",
         c->username ? c->username : "", c->username ? (c->password ? "', password given" : "'")
                                                    : "");
    mqtls_status_t st = mqtls_connect(&d->client, &d->opts);
    if (st != MQTLS_OK) {
        d->mqtt_error = xfmt("the CONNECT cannot be sent with these settings: %s",
                             mqtls_strerror(st));
        EVID(d, 5, "%s", d->mqtt_error);
        d->mqtt_status = st;
    } else {
        d->connect_sent_ms = tool_now_ms();
        run_client(d, d->timeout_ms + 2000u, connack_done);
        if (!connack_done(d)) { /* the client's own timer should have fired */
            mqtls_abort(&d->client);
            d->conn_failed = true;
            d->mqtt_status = tool_stop ? MQTLS_ERR_CLOSED : MQTLS_ERR_TIMEOUT;
        }
    }
    if (d->connected) {
        EVID(d, 5, "CONNACK: %s %u (%s), session present %d",
             c->version == MQTLS_V5 ? "reason code" : "return code", (unsigned)d->connack_code,
             mqtls_reason_text(c->version, MQTLS_CONNACK, d->connack_code),
             d->session_present ? 1 : 0);
        if (d->props.n)
            EVID(d, 5, "server properties:");
        for (size_t i = 0; i < d->props.n; i++)
            EVID(d, 5, "  %s", d->props.v[i]);
        stage_done(d, 5, R_OK, t0, "CONNACK %u (%s), session present %d",
                   (unsigned)d->connack_code,
                   mqtls_reason_text(c->version, MQTLS_CONNACK, d->connack_code),
                   d->session_present ? 1 : 0);
        return true;
    }
    uint64_t after = tool_now_ms() - (d->connect_sent_ms ? d->connect_sent_ms : t0);
    if (d->mqtt_status == MQTLS_ERR_CONNACK_REFUSED) {
        EVID(d, 5, "CONNACK: %s %u (0x%02x): %s", c->version == MQTLS_V5 ? "reason code"
                                                                         : "return code",
             (unsigned)d->connack_code, (unsigned)d->connack_code,
             mqtls_reason_text(c->version, MQTLS_CONNACK, d->connack_code));
        for (size_t i = 0; i < d->props.n; i++)
            EVID(d, 5, "  %s", d->props.v[i]);
    } else if (d->mqtt_status == MQTLS_ERR_TIMEOUT) {
        EVID(d, 5, "no CONNACK within %u s", (unsigned)(d->timeout_ms / 1000u));
        what_came_back(d);
    } else if (d->mqtt_status == MQTLS_ERR_CLOSED || d->mqtt_status == MQTLS_ERR_IO) {
        EVID(d, 5, "the server closed the connection %llu ms after CONNECT, without CONNACK",
             (unsigned long long)after);
        what_came_back(d);
    } else if (!d->mqtt_error) {
        EVID(d, 5, "the answer to CONNECT is not a CONNACK: %s", mqtls_strerror(d->mqtt_status));
        what_came_back(d);
    }
    if (!c->tls && d->mqtt_status != MQTLS_ERR_CONNACK_REFUSED && !d->mqtt_error) {
        probe_tls(d);
        if (d->speaks_tls)
            EVID(d, 5, "TLS probe of %s (a ClientHello): the server answered with a TLS "
                 "handshake record (0x16): this port speaks TLS", d->peer);
        else if (d->probe_bytes)
            EVID(d, 5, "TLS probe of %s (a ClientHello): the answer is not TLS (first byte "
                 "0x%02x)", d->peer, (unsigned)d->probe_first);
        else
            EVID(d, 5, "TLS probe of %s (a ClientHello): no answer: not a TLS port", d->peer);
    }
    d->facts.status = d->mqtt_status;
    d->facts.connack_reason = d->connack_code;
    d->facts.port_speaks_tls = d->speaks_tls;
    d->facts.reply_not_connack = d->rec.total > 0 && (d->rec.first[0] >> 4) != MQTLS_CONNACK;
    if (d->ev_valid && d->tls) { /* TLS 1.3: a refusal of our certificate comes now */
        const mqtls_tls_evidence_t *live = mqtls_tls_evidence(&d->tls->tls);
        d->ev.alert_received = live->alert_received;
        d->ev.alert_sent = live->alert_sent;
        if (live->alert_received > 0)
            EVID(d, 5, "the broker sent TLS alert %d %s after the handshake",
                 live->alert_received, mqtls_tls_alert_name(live->alert_received));
    }
    d->facts.tls = d->ev_valid ? &d->ev : NULL;
    if (!diagnose(d, 5, t0)) {
        d->failed = 5;
        d->cause = MQTLS_CAUSE_UNKNOWN;
        stage_done(d, 5, R_FAILED, t0, "%s", mqtls_strerror(d->mqtt_status));
    }
    return false;
}

/* ---- 6: round trip ------------------------------------------------------------------- */

static bool suback_done(const doctor_t *d)
{
    return d->suback || d->lost;
}

static bool puback_done(const doctor_t *d)
{
    return d->pub_done || d->lost;
}

static bool message_done(const doctor_t *d)
{
    return d->msg_back || d->lost;
}

static void rt_step(doctor_t *d, const char *name, bool ok, uint64_t t0, int code,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void rt_step(doctor_t *d, const char *name, bool ok, uint64_t t0, int code,
                    const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rt_step_t *s = &d->steps[d->n_steps++];
    s->name = name;
    s->ok = ok;
    s->ms = tool_now_ms() - t0;
    s->code = code;
    s->text = tool_xstrdup(buf);
    EVID(d, 6, "%s (%llu ms)", buf, (unsigned long long)s->ms);
}

static void lost_words(const doctor_t *d, char *out, size_t size)
{
    if (d->lost_status == MQTLS_ERR_SERVER_DISCONNECT)
        snprintf(out, size, "the broker sent DISCONNECT %u (%s)", (unsigned)d->lost_reason,
                 mqtls_reason_text(d->cfg.version, MQTLS_DISCONNECT, d->lost_reason));
    else
        snprintf(out, size, "the connection closed (%s)", mqtls_strerror(d->lost_status));
}

static bool roundtrip_fail(doctor_t *d, uint64_t t0, mqtls_status_t st, mqtls_diag_rt_step_t step)
{
    d->facts.status = st;
    d->facts.rt_step = step;
    if (!diagnose(d, 6, t0)) {
        d->failed = 6;
        d->cause = MQTLS_CAUSE_UNKNOWN;
        stage_done(d, 6, R_FAILED, t0, "%s", mqtls_strerror(st));
    }
    return false;
}

static bool stage_roundtrip(doctor_t *d)
{
    uint64_t t0 = tool_now_ms(), t;
    const tool_cfg_t *c = &d->cfg;
    char why[256];
    if (c->no_roundtrip) {
        stage_done(d, 6, R_SKIPPED, 0, "skipped (--no-roundtrip)");
        return true;
    }
    /* SUBSCRIBE */
    t = tool_now_ms();
    mqtls_subscription_t sub = {mqtls_str(d->topic), 1};
    mqtls_status_t st = mqtls_subscribe(&d->client, &sub, 1, NULL, &d->sub_id);
    if (st == MQTLS_OK)
        run_client(d, d->timeout_ms, suback_done);
    if (st != MQTLS_OK || !d->suback) {
        if (d->lost || st != MQTLS_OK) {
            lost_words(d, why, sizeof why);
            rt_step(d, "subscribe", false, t, -1, "SUBSCRIBE '%s' QoS 1: %s", d->topic,
                    st != MQTLS_OK ? mqtls_strerror(st) : why);
            return roundtrip_fail(d, t0, st != MQTLS_OK ? st : d->lost_status,
                                  MQTLS_DIAG_RT_SUBSCRIBE);
        }
        rt_step(d, "subscribe", false, t, -1, "SUBSCRIBE '%s' QoS 1: no SUBACK within %u s",
                d->topic, (unsigned)(d->timeout_ms / 1000u));
        return roundtrip_fail(d, t0, MQTLS_ERR_TIMEOUT, MQTLS_DIAG_RT_SUBSCRIBE);
    }
    const char *sname = mqtls_reason_text(c->version, MQTLS_SUBACK, d->suback_code);
    if (d->suback_code >= 0x80) {
        rt_step(d, "subscribe", false, t, d->suback_code,
                "SUBSCRIBE '%s' QoS 1 -> SUBACK 0x%02x (%s): refused", d->topic,
                (unsigned)d->suback_code, sname);
        return roundtrip_fail(d, t0, MQTLS_ERR_REFUSED, MQTLS_DIAG_RT_SUBSCRIBE);
    }
    rt_step(d, "subscribe", true, t, d->suback_code, "SUBSCRIBE '%s' QoS 1 -> SUBACK 0x%02x (%s)",
            d->topic, (unsigned)d->suback_code, sname);
    /* PUBLISH */
    t = tool_now_ms();
    snprintf(d->payload, sizeof d->payload, "mqtls doctor %s %llu", c->client_id,
             (unsigned long long)tool_now_ms());
    mqtls_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str(d->topic);
    pub.payload = (const uint8_t *)d->payload;
    pub.payload_len = (uint32_t)strlen(d->payload);
    pub.qos = 1;
    st = mqtls_publish(&d->client, &pub, &d->pub_id);
    if (st != MQTLS_OK) {
        rt_step(d, "publish", false, t, -1, "PUBLISH QoS 1 (%u bytes): %s",
                (unsigned)pub.payload_len, mqtls_strerror(st));
        return roundtrip_fail(d, t0, st, MQTLS_DIAG_RT_PUBLISH);
    }
    run_client(d, d->timeout_ms, puback_done);
    if (!d->pub_done && !d->lost) {
        rt_step(d, "publish", false, t, -1, "PUBLISH QoS 1 (%u bytes): no PUBACK within %u s",
                (unsigned)pub.payload_len, (unsigned)(d->timeout_ms / 1000u));
        return roundtrip_fail(d, t0, MQTLS_ERR_TIMEOUT, MQTLS_DIAG_RT_PUBLISH);
    }
    if (!d->pub_done || (d->pub_status != MQTLS_OK && d->pub_status != MQTLS_ERR_REFUSED)) {
        lost_words(d, why, sizeof why);
        rt_step(d, "publish", false, t, -1, "PUBLISH QoS 1 (%u bytes): %s",
                (unsigned)pub.payload_len, why);
        return roundtrip_fail(d, t0, d->lost && d->lost_status ? d->lost_status : MQTLS_ERR_CLOSED,
                              MQTLS_DIAG_RT_PUBLISH);
    }
    const char *pname = mqtls_reason_text(c->version, MQTLS_PUBACK, d->pub_reason);
    if (d->pub_status == MQTLS_ERR_REFUSED) {
        rt_step(d, "publish", false, t, d->pub_reason,
                "PUBLISH QoS 1 (%u bytes) -> PUBACK 0x%02x (%s): refused",
                (unsigned)pub.payload_len, (unsigned)d->pub_reason, pname);
        return roundtrip_fail(d, t0, MQTLS_ERR_REFUSED, MQTLS_DIAG_RT_PUBLISH);
    }
    rt_step(d, "publish", true, t, d->pub_reason, "PUBLISH QoS 1 (%u bytes) -> PUBACK%s%s%s",
            (unsigned)pub.payload_len, c->version == MQTLS_V5 ? " (" : "",
            c->version == MQTLS_V5 ? pname : "", c->version == MQTLS_V5 ? ")" : "");
    /* The message back. */
    t = tool_now_ms();
    if (!d->msg_back)
        run_client(d, d->timeout_ms, message_done);
    if (!d->msg_back) {
        if (d->lost) {
            lost_words(d, why, sizeof why);
            rt_step(d, "receive", false, t, -1, "waiting for the message on '%s': %s", d->topic,
                    why);
            return roundtrip_fail(d, t0, d->lost_status, MQTLS_DIAG_RT_RECEIVE);
        }
        rt_step(d, "receive", false, t, -1,
                "the message did not come back on '%s' within %u s", d->topic,
                (unsigned)(d->timeout_ms / 1000u));
        return roundtrip_fail(d, t0, MQTLS_ERR_TIMEOUT, MQTLS_DIAG_RT_RECEIVE);
    }
    rt_step(d, "receive", true, t, -1, "the message came back on '%s'", d->topic);
    stage_done(d, 6, R_OK, t0, "subscribed, published (QoS 1) and received the message back");
    return true;
}

/* ---- the cause in words -------------------------------------------------------------- */

#define FACT(...) list_addf(&d->cause_facts, __VA_ARGS__)

static const mqtls_tls_cert_info_t *cert_flagged(const mqtls_tls_evidence_t *ev, uint32_t flag)
{
    for (unsigned i = 0; ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        if (ev->chain[i].problems & flag)
            return &ev->chain[i];
    return ev->chain && ev->chain_len ? &ev->chain[0] : NULL;
}

static void facts_credentials(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    char now[32];
    utc_text(d->now, now, sizeof now);
    switch (d->cause) {
    case MQTLS_CAUSE_CA_MISSING:
        FACT("TLS is used (%s), but neither --cafile nor --capath is given",
             c->cert ? "--cert was given" : c->url_scheme == TOOL_URL_MQTTS ? "an mqtts:// URL"
                                                                           : "a TLS option");
        break;
    case MQTLS_CAUSE_CLIENT_CERT_EXPIRED:
    case MQTLS_CAUSE_CLIENT_CERT_NOT_YET_VALID:
    case MQTLS_CAUSE_CLOCK_UNSET:
    case MQTLS_CAUSE_KEY_UNSUPPORTED:
    case MQTLS_CAUSE_KEY_MISMATCH:
        /* The failed checks say it best. */
        for (size_t i = 0; i < d->st[1].n_lines; i++)
            if (d->st[1].lines[i].kind == TOOL_CHECK_FAIL)
                FACT("%s", d->st[1].lines[i].text);
        if (d->cause == MQTLS_CAUSE_CLOCK_UNSET || d->cause == MQTLS_CAUSE_CLIENT_CERT_EXPIRED ||
            d->cause == MQTLS_CAUSE_CLIENT_CERT_NOT_YET_VALID)
            FACT("this machine's clock says %s UTC", now);
        if (d->setup_error && d->cause == MQTLS_CAUSE_KEY_MISMATCH)
            FACT("%s", d->setup_error);
        if (d->setup_error && d->cause == MQTLS_CAUSE_KEY_UNSUPPORTED)
            FACT("%s", d->setup_error);
        break;
    default:
        /* What `cert check` found wrong with the file, then what Mbed TLS said. */
        for (size_t i = 0; i < d->st[1].n_lines; i++) {
            const line_t *l = &d->st[1].lines[i];
            bool under_fail = false;
            for (size_t k = i; k > 0 && d->st[1].lines[k].kind == TOOL_CHECK_DETAIL; k--)
                under_fail = d->st[1].lines[k - 1].kind == TOOL_CHECK_FAIL;
            if (l->kind == TOOL_CHECK_FAIL || (l->kind == TOOL_CHECK_DETAIL && under_fail))
                FACT("%s", l->text);
        }
        bool said = false;
        for (size_t i = 0; d->setup_error && i < d->cause_facts.n; i++)
            said = said || !strcmp(d->cause_facts.v[i], d->setup_error);
        if (d->setup_error && !said)
            FACT("%s", d->setup_error);
        break;
    }
}

static void facts_tls(doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char buf[1024], now[32];
    utc_text(d->now, now, sizeof now);
    bool sent = false;
    const char *root = chain_root(ev, &sent);
    switch (d->cause) {
    case MQTLS_CAUSE_SERVER_UNTRUSTED_ROOT:
        ca_list(d, buf, sizeof buf);
        FACT("the server's chain ends at '%s'%s; %s: %s", root ? root : "?",
             sent ? "" : " (the issuer of the last certificate it sent)", ca_words(d), buf);
        break;
    case MQTLS_CAUSE_HOSTNAME_MISMATCH:
        FACT("you connected as '%s'; the server's certificate '%s' is for: %s", d->host,
             ev->chain && ev->chain_len ? ev->chain[0].subject : "?",
             ev->chain && ev->chain_len && ev->chain[0].names[0] ? ev->chain[0].names
                                                    : "(no subjectAltName)");
        break;
    case MQTLS_CAUSE_SERVER_CERT_EXPIRED:
    case MQTLS_CAUSE_SERVER_CERT_NOT_YET_VALID:
    case MQTLS_CAUSE_CLOCK_UNSET: {
        const mqtls_tls_cert_info_t *ci = cert_flagged(ev, d->cause == MQTLS_CAUSE_SERVER_CERT_EXPIRED
                                                               ? MQTLS_TLS_BAD_EXPIRED
                                                               : MQTLS_TLS_BAD_FUTURE);
        if (ci)
            FACT("'%s' is valid from %s to %s UTC", ci->subject, ci->not_before, ci->not_after);
        FACT("this machine's clock says %s UTC%s", now,
             d->cause == MQTLS_CAUSE_CLOCK_UNSET ? " (before 2020: not set)" : "");
        break;
    }
    case MQTLS_CAUSE_CLIENT_CERT_REJECTED:
        if (ev->verified && !ev->problems)
            FACT("the server chain verified: the server is the one your CA file trusts");
        if (ev->alert_received >= 0)
            FACT("then, after receiving the client certificate '%s', the broker sent alert %d "
                 "%s", d->cfg.cert ? d->cfg.cert : "?", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        else
            FACT("then, after receiving the client certificate '%s', the broker closed the "
                 "connection without an alert that could be read", d->cfg.cert ? d->cfg.cert : "?");
        break;
    case MQTLS_CAUSE_CLIENT_CERT_REQUIRED:
        FACT("the server asked for a client certificate (CertificateRequest) and none is "
             "configured (--cert, --key)");
        if (ev->alert_received >= 0)
            FACT("it answered with alert %d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        break;
    case MQTLS_CAUSE_NO_COMMON_CIPHER:
        FACT("the broker sent alert %d %s before asking for a client certificate",
             ev->alert_received, mqtls_tls_alert_name(ev->alert_received));
        FACT("cipher suites offered: %s%s", d->cfg.ciphers ? d->cfg.ciphers
                                                           : "the defaults of ",
             d->cfg.ciphers ? "" : mqtls_tls_backend());
        break;
    case MQTLS_CAUSE_TLS_VERSION_MISMATCH:
        FACT("the broker sent alert %d %s; this client offered %s (%s)",
             ev->alert_received, mqtls_tls_alert_name(ev->alert_received),
             d->cfg.tls_min_version == MQTLS_TLS_V1_3 ? "TLS 1.3 only"
             : mqtls_tls_max_version() >= MQTLS_TLS_V1_3 ? "TLS 1.2 and 1.3"
                                                           : "TLS 1.2 only",
             mqtls_tls_backend());
        break;
    case MQTLS_CAUSE_ALPN_REQUIRED:
        alpn_words(d, buf, sizeof buf);
        FACT("'%s' is an AWS IoT host and the port is %u; ALPN offered: %s (needed: %s)",
             d->host, (unsigned)d->port, buf, TOOL_TLS_AWS_ALPN);
        if (ev->alert_received >= 0)
            FACT("the server sent alert %d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        else
            FACT("the server closed the connection without an answer");
        break;
    case MQTLS_CAUSE_NOT_A_TLS_PORT:
        if (ev->bytes_received && ev->first_byte >= 0) {
            char txt[8];
            uint8_t b = (uint8_t)ev->first_byte;
            ascii_bytes(&b, 1, txt, sizeof txt);
            FACT("the server answered the ClientHello with %lu bytes that are not TLS (first "
                 "byte 0x%02x '%s')", (unsigned long)ev->bytes_received, (unsigned)b, txt);
        } else {
            FACT("the server closed the connection after the ClientHello without sending "
                 "anything");
        }
        break;
    case MQTLS_CAUSE_TLS_HANDSHAKE_TIMEOUT:
        FACT("TCP connected to %s, then no end of the handshake within %u s (%lu bytes "
             "received)", d->peer, (unsigned)(d->timeout_ms / 1000u),
             (unsigned long)ev->bytes_received);
        break;
    case MQTLS_CAUSE_TLS_RECORD_TOO_LARGE:
        FACT("%s: %s after %lu bytes from the server: a record larger than %s",
             mqtls_tls_backend(), ev->detail, (unsigned long)ev->bytes_received,
             strncmp(mqtls_tls_backend(), "Mbed TLS", 8) == 0
                 ? "its input buffer (MBEDTLS_SSL_IN_CONTENT_LEN)"
                 : "TLS allows (16 KiB of data, plus its protection)");
        break;
    default:
        if (ev->alert_received >= 0)
            FACT("alert received: %d %s", ev->alert_received,
                 mqtls_tls_alert_name(ev->alert_received));
        if (ev->detail[0])
            FACT("%s: %s", mqtls_tls_backend(), ev->detail);
        break;
    }
}

static void facts_mqtt(doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    char hex[64];
    switch (d->cause) {
    case MQTLS_CAUSE_TLS_PORT_WITHOUT_TLS:
        if (d->rec.total) {
            hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
            FACT("plain MQTT CONNECT was answered with %lu bytes that are not MQTT: %s%s",
                 (unsigned long)d->rec.total, hex, d->rec.first[0] == 0x15 ? " (a TLS alert)" : "");
        } else {
            FACT("plain MQTT CONNECT got no CONNACK (%s)", mqtls_strerror(d->mqtt_status));
        }
        FACT("a TLS ClientHello to %s got a TLS handshake record: the port expects TLS",
             d->peer);
        break;
    case MQTLS_CAUSE_CLOSED_AFTER_CONNECT:
        if (c->tls)
            FACT("the TLS handshake succeeded (%s, ALPN %s), CONNECT was sent, and the broker "
                 "closed the connection without CONNACK", d->ev.version,
                 d->ev.alpn[0] ? d->ev.alpn : "none");
        else
            FACT("CONNECT was sent, and the broker closed the connection without CONNACK");
        FACT("client id '%s' (%zu bytes)", c->client_id, strlen(c->client_id));
        break;
    case MQTLS_CAUSE_NO_CONNACK:
        if (d->mqtt_status == MQTLS_ERR_TIMEOUT && !d->rec.total) {
            FACT("no answer to CONNECT within %u s", (unsigned)(d->timeout_ms / 1000u));
        } else {
            hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
            FACT("the server answered CONNECT with %lu bytes that are not a CONNACK: %s (%s)",
                 (unsigned long)d->rec.total, hex, mqtls_strerror(d->mqtt_status));
        }
        break;
    case MQTLS_CAUSE_UNKNOWN:
        FACT("status: %s", mqtls_strerror(d->mqtt_status));
        break;
    default: /* a CONNACK refusal */
        FACT("CONNACK %s %u (0x%02x): %s", c->version == MQTLS_V5 ? "reason code" : "return code",
             (unsigned)d->connack_code, (unsigned)d->connack_code,
             mqtls_reason_text(c->version, MQTLS_CONNACK, d->connack_code));
        if (c->username)
            FACT("user name '%s'%s", c->username, c->password ? ", password given" : "");
        FACT("client id '%s'", c->client_id);
        break;
    }
}

static void cause_facts(doctor_t *d)
{
    switch (d->failed) {
    case 1:
        facts_credentials(d);
        break;
    case 2:
        FACT("'%s' does not resolve: %s", d->conn_host, d->dns_error ? d->dns_error : "?");
        break;
    case 3:
        FACT("%s port %u: %s", d->conn_host, (unsigned)d->conn_port,
             d->tcp_error ? d->tcp_error : "?");
        if (d->addrs.n > 1)
            FACT("%zu addresses tried (see step 3's evidence)", d->addrs.n);
        break;
    case 4:
        facts_tls(d);
        break;
    case 5:
        facts_mqtt(d);
        break;
    case 6:
        for (int i = 0; i < d->n_steps; i++)
            if (!d->steps[i].ok)
                FACT("%s", d->steps[i].text);
        break;
    default:
        break;
    }
}

static void print_cause(doctor_t *d)
{
    if (d->json)
        return;
    if (!d->failed) {
        printf("\nresult: ok, no problem found%s\n",
               d->cfg.no_roundtrip ? " (round trip skipped)" : "");
        return;
    }
    const mqtls_cause_info_t *ci = mqtls_cause_info(d->cause);
    printf("\ncause: %s\n  %s\n", ci->id, ci->summary);
    for (size_t i = 0; i < d->cause_facts.n; i++)
        printf("  - %s\n", d->cause_facts.v[i]);
    printf("why: %s\n", ci->why);
    printf("fix: %s\n", ci->fix);
    printf("see: docs/troubleshooting.md, section %s\n", ci->id);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void json_strlist(tool_json_t *j, const char *key, const tool_strlist_t *l)
{
    tool_json_arr(j, key);
    for (size_t i = 0; i < l->n; i++)
        tool_json_str(j, NULL, l->v[i]);
    tool_json_end(j);
}

static void json_alpn(tool_json_t *j, const doctor_t *d)
{
    tool_json_arr(j, "alpn_offered");
    for (size_t i = 0; d->alpn && d->alpn[i]; i++)
        tool_json_str(j, NULL, d->alpn[i]);
    tool_json_end(j);
}

static void json_credentials(tool_json_t *j, const doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    char now[32];
    utc_text(d->now, now, sizeof now);
    tool_json_bool(j, "used", c->tls);
    tool_json_str(j, "cafile", c->cafile);
    tool_json_str(j, "capath", c->capath);
    tool_json_str(j, "cert", c->cert);
    tool_json_str(j, "key", c->key);
    tool_json_bool(j, "insecure", c->insecure);
    tool_json_strf(j, "clock", "%s UTC", now);
    tool_json_bool(j, "clock_unset", (long long)d->now < CLOCK_SANE);
    tool_json_arr(j, "checks");
    const stage_t *s = &d->st[1];
    for (size_t i = 0; i < s->n_lines;) {
        const line_t *l = &s->lines[i++];
        if (l->kind == LINE_PLAIN || l->kind == TOOL_CHECK_DETAIL)
            continue;
        tool_json_obj(j, NULL);
        tool_json_str(j, "result", l->kind == TOOL_CHECK_OK ? "ok"
                                   : l->kind == TOOL_CHECK_FAIL ? "fail" : "warn");
        tool_json_str(j, "text", l->text);
        tool_json_arr(j, "evidence");
        while (i < s->n_lines && s->lines[i].kind == TOOL_CHECK_DETAIL)
            tool_json_str(j, NULL, s->lines[i++].text);
        tool_json_end(j);
        tool_json_end(j);
    }
    tool_json_end(j);
    tool_json_str(j, "setup_error", d->setup_error);
    if (d->setup_raw != 0)
        tool_json_int(j, "tls_error", d->setup_raw);
    else
        tool_json_null(j, "tls_error");
    tool_json_str(j, "tls_library", c->tls ? mqtls_tls_backend() : NULL);
    json_alpn(j, d);
    tool_json_str(j, "server_name", c->tls ? d->host : NULL);
}

static void json_alert(tool_json_t *j, const char *key, int a)
{
    if (a < 0) {
        tool_json_null(j, key);
        return;
    }
    tool_json_obj(j, key);
    tool_json_int(j, "code", a);
    tool_json_str(j, "name", mqtls_tls_alert_name(a));
    tool_json_end(j);
}

static void json_tls(tool_json_t *j, const doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    bool have = d->ev_valid;
    bool est = have && ev->stage == MQTLS_TLS_STAGE_ESTABLISHED;
    char buf[1024];
    tool_json_bool(j, "used", d->cfg.tls);
    tool_json_str(j, "server_name", d->cfg.tls ? d->host : NULL);
    tool_json_str(j, "version", est ? ev->version : NULL);
    tool_json_str(j, "ciphersuite", est ? ev->ciphersuite : NULL);
    json_alpn(j, d);
    tool_json_str(j, "alpn", est && ev->alpn[0] ? ev->alpn : NULL);
    tool_json_arr(j, "chain");
    for (unsigned i = 0; have && ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
        const mqtls_tls_cert_info_t *ci = &ev->chain[i];
        char hex[65];
        for (size_t k = 0; k < sizeof ci->sha256; k++)
            snprintf(hex + 2 * k, 3, "%02x", ci->sha256[k]);
        tool_json_obj(j, NULL);
        tool_json_str(j, "subject", ci->subject);
        tool_json_str(j, "issuer", ci->issuer);
        tool_json_str(j, "not_before", ci->not_before);
        tool_json_str(j, "not_after", ci->not_after);
        tool_json_str(j, "names", ci->names);
        tool_json_str(j, "sha256", hex);
        tool_json_str(j, "key", ci->key);
        tool_json_str(j, "sig_alg", ci->sig_alg);
        tool_json_bool(j, "is_ca", ci->is_ca);
        tool_json_int(j, "problems", ci->problems);
        tool_json_end(j);
    }
    tool_json_end(j);
    bool sent = false;
    const char *root = have ? chain_root(ev, &sent) : NULL;
    tool_json_str(j, "chain_root", root);
    tool_json_bool(j, "chain_root_trusted", root && ca_holds(d, root));
    json_strlist(j, "ca_subjects", &d->ca_subjects);
    tool_json_int(j, "sent_len", have ? ev->sent_len : 0);
    tool_json_bool(j, "verified", have && ev->verified);
    tool_json_int(j, "problems", have ? ev->problems : 0);
    tool_json_arr(j, "verify");
    if (have && ev->problems) {
        flag_words(ev->problems, buf, sizeof buf);
        for (char *p = strtok(buf, ";"); p; p = strtok(NULL, ";"))
            tool_json_str(j, NULL, p + (*p == ' '));
    }
    tool_json_end(j);
    tool_json_bool(j, "insecure", d->cfg.insecure);
    tool_json_bool(j, "cert_requested", have && ev->cert_requested);
    tool_json_bool(j, "cert_sent", have && ev->cert_sent);
    json_alert(j, "alert_received", have ? ev->alert_received : -1);
    json_alert(j, "alert_sent", have ? ev->alert_sent : -1);
    tool_json_int(j, "bytes_received", have ? ev->bytes_received : 0);
    if (have && ev->first_byte >= 0)
        tool_json_int(j, "first_byte", ev->first_byte);
    else
        tool_json_null(j, "first_byte");
    if (have && ev->raw_error != 0 && ev->stage >= MQTLS_TLS_STAGE_HANDSHAKE)
        tool_json_int(j, "tls_error", ev->raw_error);
    else
        tool_json_null(j, "tls_error");
    tool_json_str(j, "tls_error_words", have && ev->detail[0] ? ev->detail : NULL);
    tool_json_str(j, "tls_library", d->cfg.tls ? mqtls_tls_backend() : NULL);
    tool_json_str(j, "error", have && ev->status ? mqtls_strerror(ev->status) : NULL);
    json_strlist(j, "explanation", &d->explain);
}

static void json_mqtt(tool_json_t *j, const doctor_t *d)
{
    char hex[64];
    tool_json_str(j, "version", version_name(d->cfg.version));
    tool_json_str(j, "client_id", d->cfg.client_id);
    if (d->connack_seen) {
        tool_json_obj(j, "connack");
        tool_json_int(j, "code", d->connack_code);
        tool_json_str(j, "reason", mqtls_reason_text(d->cfg.version, MQTLS_CONNACK,
                                                     d->connack_code));
        tool_json_bool(j, "session_present", d->session_present);
        tool_json_end(j);
    } else {
        tool_json_null(j, "connack");
    }
    tool_json_obj(j, "server_properties");
    for (size_t i = 0; i < d->props.n; i++) {
        const char *s = d->props.v[i], *colon = strstr(s, ": ");
        size_t n = colon ? (size_t)(colon - s) : strlen(s);
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strncmp(d->props.v[k], s, n) && !strncmp(d->props.v[k] + n, ": ", 2);
        if (seen)
            continue;
        /* A property that repeats (user-property) becomes one value, "; " between them. */
        tool_buf_t v = {NULL, 0, 0};
        for (size_t k = i; k < d->props.n; k++)
            if (!strncmp(d->props.v[k], s, n) && !strncmp(d->props.v[k] + n, ": ", 2))
                tool_buf_printf(&v, "%s%s", v.len ? "; " : "", d->props.v[k] + n + 2);
        char name[64];
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, s, n);
        name[n] = '\0';
        tool_json_str(j, name, v.p ? v.p : "");
        tool_buf_free(&v);
    }
    tool_json_end(j);
    tool_json_int(j, "bytes_received", d->rec.total);
    hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
    tool_json_str(j, "first_bytes", d->rec.n_first ? hex : NULL);
    tool_json_str(j, "error", d->connected ? NULL : d->mqtt_error ? d->mqtt_error
                                                  : mqtls_strerror(d->mqtt_status));
    tool_json_obj(j, "tls_probe");
    tool_json_bool(j, "ran", d->probe_ran);
    tool_json_bool(j, "port_speaks_tls", d->speaks_tls);
    if (d->probe_ran && d->probe_first >= 0)
        tool_json_int(j, "first_byte", d->probe_first);
    else
        tool_json_null(j, "first_byte");
    tool_json_int(j, "bytes_received", d->probe_bytes);
    tool_json_end(j);
}

static void json_details(tool_json_t *j, const doctor_t *d, int n)
{
    tool_json_obj(j, "details");
    if (d->st[n].result == R_OK || d->st[n].result == R_FAILED) {
        switch (n) {
        case 1:
            json_credentials(j, d);
            break;
        case 2:
            tool_json_str(j, "name", d->conn_host);
            json_strlist(j, "addresses", &d->addrs);
            tool_json_str(j, "error", d->dns_error);
            break;
        case 3:
            tool_json_str(j, "address", d->st[3].result == R_OK ? d->conn_ip : NULL);
            tool_json_int(j, "port", d->conn_port);
            if (d->tcp_errno > 0)
                tool_json_int(j, "errno", d->tcp_errno);
            else
                tool_json_null(j, "errno");
            tool_json_str(j, "error", d->tcp_error);
            break;
        case 4:
            json_tls(j, d);
            break;
        case 5:
            json_mqtt(j, d);
            break;
        default:
            tool_json_str(j, "topic", d->topic);
            tool_json_arr(j, "steps");
            for (int i = 0; i < d->n_steps; i++) {
                const rt_step_t *s = &d->steps[i];
                tool_json_obj(j, NULL);
                tool_json_str(j, "step", s->name);
                tool_json_str(j, "status", s->ok ? "ok" : "failed");
                tool_json_int(j, "ms", (int64_t)s->ms);
                if (s->code >= 0)
                    tool_json_int(j, "code", s->code);
                else
                    tool_json_null(j, "code");
                tool_json_str(j, "text", s->text);
                tool_json_end(j);
            }
            tool_json_end(j);
            break;
        }
    }
    tool_json_end(j);
}

static const char *result_name(result_t r)
{
    switch (r) {
    case R_OK: return "ok";
    case R_FAILED: return "failed";
    case R_SKIPPED: return "skipped";
    default: return "not_run";
    }
}

static void print_json(const doctor_t *d, int exit_code)
{
    tool_json_t j;
    memset(&j, 0, sizeof j);
    tool_json_obj(&j, NULL);
    tool_json_str(&j, "schema", "mqtls-doctor/1");
    tool_json_str(&j, "mqtls_version", MQTLS_VERSION_STRING);
    tool_json_obj(&j, "target");
    tool_json_str(&j, "host", d->host);
    tool_json_int(&j, "port", d->port);
    tool_json_str(&j, "connect_host", d->conn_host);
    tool_json_int(&j, "connect_port", d->conn_port);
    tool_json_bool(&j, "tls", d->cfg.tls);
    tool_json_str(&j, "mqtt_version", version_name(d->cfg.version));
    tool_json_str(&j, "client_id", d->cfg.client_id);
    tool_json_str(&j, "topic", d->topic);
    tool_json_bool(&j, "roundtrip", !d->cfg.no_roundtrip);
    tool_json_int(&j, "timeout_s", d->timeout_ms / 1000u);
    tool_json_end(&j);
    tool_json_arr(&j, "stages");
    for (int n = 1; n <= N_STAGES; n++) {
        const stage_t *s = &d->st[n];
        tool_json_obj(&j, NULL);
        tool_json_int(&j, "number", n);
        tool_json_str(&j, "name", s->key);
        tool_json_str(&j, "title", s->title);
        tool_json_str(&j, "status", result_name(s->result));
        if (s->result == R_OK || s->result == R_FAILED)
            tool_json_int(&j, "ms", (int64_t)s->ms);
        else
            tool_json_null(&j, "ms");
        tool_json_str(&j, "summary", s->summary ? s->summary : "");
        tool_json_arr(&j, "evidence");
        for (size_t i = 0; i < s->n_lines; i++) {
            const line_t *l = &s->lines[i];
            const char *mark = l->kind == TOOL_CHECK_OK ? MARK_OK " "
                               : l->kind == TOOL_CHECK_FAIL ? (s->result == R_FAILED ? MARK_FAIL " " : "! ")
                               : l->kind == TOOL_CHECK_WARN ? "! "
                               : l->kind == TOOL_CHECK_DETAIL ? "    " : "";
            tool_json_strf(&j, NULL, "%s%s", mark, l->text);
        }
        tool_json_end(&j);
        json_details(&j, d, n);
        tool_json_end(&j);
    }
    tool_json_end(&j);
    tool_json_str(&j, "result", d->failed ? "failed" : "ok");
    if (d->failed)
        tool_json_int(&j, "failed_stage", d->failed);
    else
        tool_json_null(&j, "failed_stage");
    tool_json_int(&j, "exit_code", exit_code);
    const mqtls_cause_info_t *ci = mqtls_cause_info(d->failed ? d->cause : MQTLS_CAUSE_NONE);
    tool_json_obj(&j, "cause");
    tool_json_str(&j, "id", ci->id);
    tool_json_str(&j, "stage", d->failed ? d->st[d->failed].key : NULL);
    tool_json_str(&j, "summary", ci->summary);
    json_strlist(&j, "facts", &d->cause_facts);
    tool_json_str(&j, "why", ci->why);
    tool_json_str(&j, "fix", ci->fix);
    tool_json_str(&j, "doc", d->failed ? "docs/troubleshooting.md" : NULL);
    tool_json_end(&j);
    tool_json_end(&j);
    tool_buf_addc(&j.out, '\n');
    fwrite(j.out.p, 1, j.out.len, stdout);
    fflush(stdout);
    tool_json_free(&j);
}

/* ---- the run ------------------------------------------------------------------------- */

static void doctor_init(doctor_t *d)
{
    static const char *const titles[] = {"", "credentials", "DNS", "TCP connect",
                                         "TLS handshake", "MQTT CONNECT", "round trip"};
    static const char *const keys[] = {"", "credentials", "dns", "tcp", "tls", "mqtt",
                                       "roundtrip"};
    memset(d, 0, sizeof *d);
    for (int n = 1; n <= N_STAGES; n++) {
        d->st[n].title = titles[n];
        d->st[n].key = keys[n];
    }
    d->probe_first = -1;
    mqtls_tcp_init(&d->tcp, 0);
    d->now = time(NULL);
}

static void doctor_free(doctor_t *d)
{
    if (d->rx) {
        if (mqtls_state(&d->client) == MQTLS_STATE_CONNECTED)
            mqtls_disconnect(&d->client, MQTLS_RC_SUCCESS, NULL);
        mqtls_client_free(&d->client);
    }
    if (d->tr)
        d->tr->close(d->tr_ctx);
    if (d->tls) {
        tool_tls_free(d->tls);
        free(d->tls);
    }
    for (int n = 1; n <= N_STAGES; n++) {
        for (size_t i = 0; i < d->st[n].n_lines; i++)
            free(d->st[n].lines[i].text);
        free(d->st[n].lines);
        free(d->st[n].summary);
    }
    for (int i = 0; i < d->n_steps; i++)
        free(d->steps[i].text);
    list_free(&d->cause_facts);
    list_free(&d->ca_subjects);
    list_free(&d->addrs);
    list_free(&d->explain);
    list_free(&d->props);
    free(d->rx);
    free(d->tx);
    free(d->store_mem);
    free(d->conn_host);
    free(d->topic);
    free(d->setup_error);
    free(d->dns_error);
    free(d->tcp_error);
    free(d->mqtt_error);
    tool_cfg_free(&d->cfg);
}

static void print_header(const doctor_t *d)
{
    if (d->json)
        return;
    printf("mqtls doctor: %s port %u", d->host, (unsigned)d->port);
    if (d->mapped)
        printf(" (connecting to %s port %u)", d->conn_host, (unsigned)d->conn_port);
    printf(", %s, MQTT %s, client id '%s'\n", d->cfg.tls ? "TLS" : "plain TCP (no TLS)",
           version_name(d->cfg.version), d->cfg.client_id);
    fflush(stdout);
}

int tool_doctor_main(int argc, char **argv)
{
    doctor_t *d = tool_xcalloc(1, sizeof *d);
    doctor_init(d);
    int rc = parse(d, argc, argv);
    if (rc) {
        doctor_free(d);
        free(d);
        return rc == TOOL_HELP_SHOWN ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
    }
    print_header(d);
    bool ok = stage_credentials(d) && stage_dns(d) && stage_tcp(d) && stage_tls(d) &&
              stage_mqtt(d) && stage_roundtrip(d);
    (void)ok;
    if (tool_stop) {
        fputs("mqtls doctor: interrupted\n", stderr);
        doctor_free(d);
        free(d);
        return TOOL_EXIT_ERROR;
    }
    if (d->failed)
        cause_facts(d);
    int exit_code = d->failed ? 10 + d->failed : TOOL_EXIT_OK;
    print_cause(d);
    if (d->json)
        print_json(d, exit_code);
    doctor_free(d);
    free(d);
    return exit_code;
}
