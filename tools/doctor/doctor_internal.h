/**
 * @file doctor_internal.h
 * @brief What the files of `mqtls doctor` share: the run's record (doctor_t) and the steps'
 *        common ends. Private to tools/doctor/.
 *
 * The files, one concern each:
 *   tool_doctor.c      the run: the steps in order, the exit status, the record freed
 *   doctor_opts.c      the doctor's own checks of its options (--connect-to, --topic)
 *   doctor_step.c      the end of a step (summary, time, diagnosis) and small helpers
 *   doctor_creds.c     step 1, local credentials        doctor_net.c   steps 2 and 3, DNS, TCP
 *   doctor_crl.c       --crlfile: step 1's look at the CRLs, the facts of a revoked server
 *   doctor_tls.c       step 4, the TLS handshake and its evidence in lines
 *   doctor_client.c    the MQTT client steps 5 and 6 drive, and what it records
 *   doctor_mqtt.c      step 5, CONNECT/CONNACK          doctor_roundtrip.c  step 6
 *   doctor_cause.c     the facts that back the cause mqtls_diagnose() named
 *   doctor_alerts.c    those facts for an alert either way and a verification outcome
 *                      (issue 15, point 2)
 *   doctor_mqtt5.c     MQTT 5 reason codes (what to do, the Server Reference) and the AWS
 *                      IoT reading of a cause, for an AWS IoT host only
 *   doctor_findings.c  the facts of a cause a step-1 finding became (swapped files, no
 *                      clientAuth, a CA file without a CA)
 *   doctor_text.c      the text report                  doctor_json.c  the JSON report
 *   doctor_device.c    --device: the credentials and the broker against a device's
 *                      profile (src/diagnose/devices.c), with the codes that device prints
 *   doctor_device_chain.c  --device: the broker's chain counted whole, with OpenSSL
 *   doctor_statements.c  the report's claims as data (JSON "statements"), for a checker
 */
#ifndef DOCTOR_INTERNAL_H
#define DOCTOR_INTERNAL_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mqtls/client.h"
#include "mqtls/diagnose.h"
#include "mqtls/mqtls.h"
#include "mqtls/transport_tcp.h"
#include "mqtls/transport_tls.h"
#include "creds/tool_cert.h"
#include "common/tool_opts.h"
#include "mqtt/tool_tls.h"

/* A clock before this (2020-01-01 UTC) is taken as unset. */
#define CLOCK_SANE 1577836800LL
/* How many certificates of the CA file(s) and of the device's certificate file step 1 keeps
 * for the chain analysis and the clock (mqtls_diag_facts_t::ca_certs, dev_certs). */
#define LOCAL_CERTS_MAX 24u
/* How many of the first bytes the server sent after CONNECT step 5 keeps. */
#define FIRST_BYTES 16u

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

/* A certificate of a local file, in the words of the TLS evidence (doctor_creds.c). */
typedef struct local_cert {
    char subject[192], issuer[192], not_before[20], not_after[20];
} local_cert_t;

/* What a check of the device profile found (doctor_device.c). */
typedef enum dev_result { DEV_OK, DEV_FAILED, DEV_UNKNOWN, DEV_NOTE } dev_result_t;

/* One check of the device profile. */
typedef struct dev_check {
    const char *what;      /* "TLS version", "cipher suites", "key", "root catalog", ... */
    dev_result_t result;
    char *text;            /* what was found, in words */
    char *code;            /* DEV_FAILED: what that device prints (NULL: not known) */
    char *fix;             /* DEV_FAILED: what to do for that device */
    mqtls_cause_t cause;   /* DEV_FAILED: the cause id */
} dev_check_t;

#define DEV_CHECKS_MAX 10u

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
    local_cert_t local[LOCAL_CERTS_MAX]; /* the CA files' first, then the device's file's */
    mqtls_diag_cert_t diag_certs[LOCAL_CERTS_MAX]; /* the same, as the rules see them */
    char now_utc[20];
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
    /* MQTT 5 (doctor_mqtt5.c) */
    char *server_ref;      /* the Server Reference of a CONNACK or DISCONNECT */
    /* --device (doctor_device.c) */
    const mqtls_device_profile_t *device;
    dev_check_t dev[DEV_CHECKS_MAX];
    size_t n_dev;
    int dev_failures;
    int dev_intermediates; /* the chain depth check's count (its statement, device_check) */
    long dev_cert_msg;     /* the certificate message check's bytes (likewise) */
} doctor_t;

/* ---- the end of a step (doctor_step.c) -------------------------------------------------- */

/** Records step @p n's result and summary, its time since @p t0 (0: none), and prints it. */
void doctor_stage_done(doctor_t *d, int n, result_t r, uint64_t t0, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/** Asks the rules; a named cause fails step @p n with the cause's summary (then true). */
bool doctor_diagnose(doctor_t *d, int n, uint64_t t0);
/** Adds a line of evidence (@p kind: LINE_PLAIN or a tool_check_kind_t) to step @p s. */
void doctor_add_line(stage_t *s, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define EVID(d, n, ...) doctor_add_line(&(d)->st[n], LINE_PLAIN, __VA_ARGS__)

/** A formatted string on the heap. */
char *doctor_xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Frees a list whose strings it owns. */
void doctor_list_free(tool_strlist_t *l);
/** "2026-12-05 21:30:00" (UTC). */
void doctor_utc_text(time_t t, char *out, size_t size);
/** "5.0" or "3.1.1". */
const char *doctor_version_name(mqtls_version_t v);
/** "10 02 00 00". */
void doctor_hex_bytes(const uint8_t *p, size_t n, char *out, size_t size);
/** Printable ASCII of @p p, other bytes as '.', for "what came back". */
void doctor_ascii_bytes(const uint8_t *p, size_t n, char *out, size_t size);
/** Sleeps @p ms; false once the run is interrupted. */
bool doctor_wait_poll(uint32_t ms);

/* ---- the steps --------------------------------------------------------------------------- */

/** The doctor's options (tool_opts_parse() and the doctor's own checks). */
int doctor_parse(doctor_t *d, int argc, char **argv);
/** Steps 1 to 6: each returns false when it failed (the run ends there). */
bool doctor_stage_credentials(doctor_t *d);
bool doctor_stage_dns(doctor_t *d);
bool doctor_stage_tcp(doctor_t *d);
bool doctor_stage_tls(doctor_t *d);
bool doctor_stage_mqtt(doctor_t *d);
bool doctor_stage_roundtrip(doctor_t *d);

/* ---- TLS evidence, shared by step 4 and the reports (doctor_creds.c, doctor_tls.c) -------- */

/** The ALPN protocols offered, "a, b", or "none". */
void doctor_alpn_words(const doctor_t *d, char *out, size_t size);
/** The root the server's chain ends at (NULL: no chain); *sent: the server sent it. */
const char *doctor_chain_root(const mqtls_tls_evidence_t *ev, bool *sent);
/** Whether the CA file or directory holds a certificate with this subject. */
bool doctor_ca_holds(const doctor_t *d, const char *subject);
/** The CA subjects, quoted, at most 8. */
void doctor_ca_list(const doctor_t *d, char *out, size_t size);
/** "your CA file holds" and the like. */
const char *doctor_ca_words(const doctor_t *d);
/** The words for MQTLS_TLS_BAD_* bits, "; " between them. */
void doctor_flag_words(uint32_t flags, char *out, size_t size);

/* ---- the MQTT client of steps 5 and 6 (doctor_client.c) ------------------------------------ */

/** Makes the client on the open transport, its buffers and the CONNECT options. */
void doctor_setup_client(doctor_t *d);
/** Runs the client for at most @p ms, until @p until says stop. */
void doctor_run_client(doctor_t *d, uint32_t ms, bool (*until)(const doctor_t *));

/* ---- MQTT 5 reason codes and AWS IoT (doctor_mqtt5.c) --------------------------------------- */

/** Keeps what the doctor reports of a CONNACK's or DISCONNECT's properties. */
void doctor_mqtt5_record(doctor_t *d, const mqtls_props_t *p);
/** Step @p n's evidence for 5.0 reason @p code: what to do, the Server Reference. */
void doctor_mqtt5_lines(doctor_t *d, int n, bool disconnect, uint8_t code);
/** The cause's facts of this part (the duplicate client id, the command to try the other
 *  server, the AWS IoT reading on an AWS IoT host). */
void doctor_mqtt5_facts(doctor_t *d);

/* ---- --device (doctor_device.c) ------------------------------------------------------------ */

/** Checks --device: TOOL_EXIT_OK, TOOL_HELP_SHOWN after listing the profiles (--device help),
 *  or TOOL_EXIT_USAGE for a name that is none of them. */
int doctor_device_parse(doctor_t *d);
/** Runs the profile's checks, after the steps. */
void doctor_device_run(doctor_t *d);
/** Frees the checks. */
void doctor_device_free(doctor_t *d);
/** The length of the chain OpenSSL builds for the broker (with the CA file), the leaf
 *  included; *root: it ends at a self-issued root. -1 when no chain was seen. *cert_msg:
 *  the bytes of the server's Certificate message (-1 unknown). */
int doctor_device_chain_len(const doctor_t *d, bool *root, long *cert_msg);
/** "ok", "failed", "unknown", "note". */
const char *doctor_device_result_name(dev_result_t r);

/* ---- the reports -------------------------------------------------------------------------- */

/** The facts of a cause a step-1 finding became (doctor_findings.c); false: not one. */
bool doctor_findings_facts(doctor_t *d);
/** Where the chain analysis saw an intermediate of this subject (the device's certificate
 *  file first, then the CA file; else the server's chain), as the cause's facts say it. */
typedef enum doctor_seen { SEEN_DEVICE_FILE, SEEN_CA_FILE, SEEN_SERVER_CHAIN } doctor_seen_t;
doctor_seen_t doctor_seen_in(const doctor_t *d, const char *subject);
/** Gathers the facts that back the cause (after a failed step). */
void doctor_cause_facts(doctor_t *d);
/** Step 1: what the CRLs of --crlfile are (issuer, dates), a warning for one past its next
 *  update (doctor_crl.c). Nothing without --crlfile or when the file holds no CRL. */
void doctor_crl_step1(doctor_t *d);
/** A fact naming @p ci's serial and the CRL of --crlfile that lists it; false: none does. */
bool doctor_crl_fact(doctor_t *d, const mqtls_tls_cert_info_t *ci);
/* The facts of a cause of issue 15, point 2 (doctor_alerts.c); false: not such a cause. */
bool doctor_alert_facts(doctor_t *d);
/** Text: the header line, one step, the cause (nothing with --json). */
void doctor_print_header(const doctor_t *d);
void doctor_print_stage(const doctor_t *d, int n);
void doctor_print_cause(const doctor_t *d);
/** Text: the device profile's checks (nothing without --device or with --json). */
void doctor_print_device(const doctor_t *d);
/** The mark before an evidence line ("✓ ", "! ", ...), the same in text and JSON. */
const char *doctor_line_mark(const stage_t *s, const line_t *l);
/** The JSON report's "statements": each claim with its kind and values (docs/doctor.md). */
struct tool_json;
void doctor_json_statements(struct tool_json *j, const doctor_t *d);
/** The whole run as one JSON object (docs/doctor.md). */
void doctor_print_json(const doctor_t *d, int exit_code);

#endif
