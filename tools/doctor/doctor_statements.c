/**
 * @file doctor_statements.c
 * @brief The report's claims about the world as data: the "statements" of the JSON report.
 *
 * Each statement has a stable "kind" and the values it claims, taken from the same record
 * the text and the facts are written from, so that a checker that shares none of this code
 * (tests/support/doctor_facts_check.py) can re-derive each one from the scenario's inputs:
 * the files with the openssl CLI, the host name by AWS's endpoint pattern, the address by a
 * real connect, the server by `openssl s_client`. Only what the report states is emitted
 * (a claim about the client's own settings is not a fact to check). docs/doctor.md,
 * "Statement kinds", lists them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "common/tool_json.h"

static void sha_hex(const uint8_t sha[32], char out[65])
{
    for (size_t k = 0; k < 32; k++)
        snprintf(out + 2 * k, 3, "%02x", sha[k]);
}

static void begin(tool_json_t *j, const char *kind)
{
    tool_json_obj(j, NULL);
    tool_json_str(j, "kind", kind);
}

/* The host is an AWS IoT endpoint: the AWS readings of a cause, the ALPN rule of port 443
 * and the automatic ALPN all say so. */
static void st_host(tool_json_t *j, const doctor_t *d)
{
    bool alpn_rule = d->failed && d->cause == MQTLS_CAUSE_ALPN_REQUIRED;
    if (d->facts.host_is_aws || alpn_rule) {
        begin(j, "host_is_aws_iot");
        tool_json_str(j, "host", d->host);
        tool_json_end(j);
    }
    if (d->tls && d->tls->alpn_auto && d->alpn && d->alpn[0]) {
        begin(j, d->facts.host_is_aws ? "alpn_auto_aws_iot_443" : "alpn_auto_amazonaws_443");
        tool_json_str(j, "host", d->host);
        tool_json_int(j, "port", d->port);
        tool_json_str(j, "alpn", d->alpn[0]);
        tool_json_end(j);
    }
}

/* The local files: what the CA file holds, each certificate's dates, the key's fit. */
static void st_files(tool_json_t *j, const doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    bool ca_only = c->cafile && !c->capath; /* else the list mixes files */
    if (ca_only && d->check_ran && d->check.files_ok) {
        begin(j, "ca_file_subjects");
        tool_json_str(j, "file", c->cafile);
        tool_json_arr(j, "subjects");
        for (size_t i = 0; i < d->ca_subjects.n; i++)
            tool_json_str(j, NULL, d->ca_subjects.v[i]);
        tool_json_end(j);
        tool_json_end(j);
    }
    if (c->cert && d->check_ran && d->check.files_ok) {
        begin(j, "file_cert_count");
        tool_json_str(j, "file", c->cert);
        tool_json_int(j, "count", d->facts.dev_len);
        tool_json_end(j);
    }
    unsigned n = (unsigned)d->facts.ca_len + d->facts.dev_len;
    for (unsigned i = 0; i < n && i < LOCAL_CERTS_MAX; i++) {
        bool dev = i >= d->facts.ca_len;
        if (!dev && !ca_only)
            continue;
        begin(j, "cert_dates");
        tool_json_str(j, "file", dev ? c->cert : c->cafile);
        tool_json_int(j, "index", dev ? i - d->facts.ca_len : i);
        tool_json_str(j, "subject", d->local[i].subject);
        tool_json_str(j, "not_before", d->local[i].not_before);
        tool_json_str(j, "not_after", d->local[i].not_after);
        tool_json_end(j);
    }
}

/* What step 1's checks concluded about the device's certificate and key. */
static void st_check(tool_json_t *j, const doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    if (!d->check_ran || !d->check.files_ok)
        return;
    if (c->cert && d->check.cert_flags & (MQTLS_TLS_BAD_EXPIRED | MQTLS_TLS_BAD_FUTURE)) {
        begin(j, "cert_time_invalid");
        tool_json_str(j, "file", c->cert);
        tool_json_str(j, "state", d->check.cert_flags & MQTLS_TLS_BAD_EXPIRED ? "expired"
                                                                             : "not_yet_valid");
        tool_json_end(j);
    }
    if (c->cert && c->key) {
        begin(j, "key_matches_cert");
        tool_json_str(j, "cert", c->cert);
        tool_json_str(j, "key", c->key);
        tool_json_bool(j, "matches", !d->check.key_mismatch);
        tool_json_end(j);
    }
    if (c->cert || c->key) {
        begin(j, "key_rsa_below_2048");
        tool_json_str(j, "file", c->cert ? c->cert : c->key);
        tool_json_bool(j, "below", d->check.key_too_small);
        tool_json_end(j);
    }
}

static void st_finding(tool_json_t *j, const char *what, const char *file)
{
    begin(j, "finding");
    tool_json_str(j, "finding", what);
    tool_json_str(j, "file", file);
    tool_json_end(j);
}

/* Step 1's findings (mqtls_diag_facts_t::findings): each is a warning or, when a later
 * failure is theirs, the cause; either way the report says it of a file. */
static void st_findings(tool_json_t *j, const doctor_t *d)
{
    const tool_cfg_t *c = &d->cfg;
    uint32_t f = d->facts.findings;
    if (!d->check_ran)
        return;
    if (f & MQTLS_FINDING_CERT_IS_KEY && c->cert)
        st_finding(j, "cert_file_is_key", c->cert);
    if (f & MQTLS_FINDING_KEY_IS_CERT && c->key)
        st_finding(j, "key_file_is_cert", c->key);
    if (f & MQTLS_FINDING_NO_CLIENT_AUTH && c->cert)
        st_finding(j, "no_client_auth", c->cert);
    if (f & MQTLS_FINDING_NO_DIGITAL_SIGNATURE && c->cert)
        st_finding(j, "no_digital_signature", c->cert);
    if (!c->cafile || c->capath) /* a directory mixes in files the statement cannot name */
        return;
    if (f & MQTLS_FINDING_CA_NOT_CA)
        st_finding(j, "ca_file_not_ca", c->cafile);
    if (f & MQTLS_FINDING_CA_IS_DEVICE && c->cert)
        st_finding(j, "ca_file_is_device_cert", c->cafile);
}

/* Steps 2 and 3: the name resolves (to these addresses) or not; the port answers or not. */
static void st_net(tool_json_t *j, const doctor_t *d)
{
    if (d->st[2].result == R_OK || d->st[2].result == R_FAILED) {
        begin(j, d->st[2].result == R_OK ? "dns_resolves" : "dns_fails");
        tool_json_str(j, "name", d->conn_host);
        tool_json_arr(j, "addresses");
        for (size_t i = 0; i < d->addrs.n; i++)
            tool_json_str(j, NULL, d->addrs.v[i]);
        tool_json_end(j);
        tool_json_end(j);
    }
    if (d->st[3].result == R_OK) {
        begin(j, "tcp_connects");
        tool_json_str(j, "address", d->conn_ip);
        tool_json_int(j, "port", d->conn_port);
        tool_json_end(j);
    } else if (d->st[3].result == R_FAILED) { /* the failure kept: one of the addresses */
        begin(j, "tcp_fails");
        tool_json_str(j, "name", d->conn_host);
        tool_json_int(j, "port", d->conn_port);
        tool_json_str(j, "how", d->tcp_errno == ECONNREFUSED ? "refused"
                                : d->tcp_errno == 0          ? "timeout" : "error");
        tool_json_end(j);
    }
}

/* Step 4's answer to the ClientHello: its first byte, and whether that is TLS. */
static void st_tls_answer(tool_json_t *j, const doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    begin(j, "tls_answer");
    tool_json_str(j, "address", d->conn_ip);
    tool_json_int(j, "port", d->conn_port);
    if (ev->first_byte >= 0)
        tool_json_int(j, "first_byte", ev->first_byte);
    else
        tool_json_null(j, "first_byte");
    tool_json_bool(j, "is_tls", ev->first_byte >= 20 && ev->first_byte <= 23);
    /* Not a claim: what was offered, for a checker to offer the same. */
    tool_json_arr(j, "offered");
    if (d->cfg.tls_min_version != MQTLS_TLS_V1_3)
        tool_json_str(j, NULL, "TLSv1.2");
    if (d->cfg.tls_min_version == MQTLS_TLS_V1_3 || mqtls_tls_max_version() >= MQTLS_TLS_V1_3)
        tool_json_str(j, NULL, "TLSv1.3");
    tool_json_end(j);
    tool_json_end(j);
    begin(j, "client_cert");
    tool_json_bool(j, "requested", ev->cert_requested);
    tool_json_bool(j, "sent", ev->cert_sent);
    tool_json_end(j);
    if (ev->alert_received >= 0) {
        begin(j, "alert_received");
        tool_json_int(j, "code", ev->alert_received);
        tool_json_end(j);
    }
    if (ev->alert_sent >= 0) {
        begin(j, "alert_sent");
        tool_json_int(j, "code", ev->alert_sent);
        tool_json_end(j);
    }
    if (ev->stage == MQTLS_TLS_STAGE_ESTABLISHED) {
        begin(j, "tls_negotiated");
        tool_json_str(j, "version", ev->version);
        tool_json_str(j, "ciphersuite", ev->ciphersuite);
        if (ev->alpn[0])
            tool_json_str(j, "alpn", ev->alpn);
        else
            tool_json_null(j, "alpn");
        tool_json_end(j);
    }
}

/* One certificate of the chain verification built, as its evidence lines describe it. */
static void st_chain_cert(tool_json_t *j, const mqtls_tls_cert_info_t *ci)
{
    char hex[65];
    sha_hex(ci->sha256, hex);
    begin(j, "server_cert");
    tool_json_str(j, "sha256", hex);
    tool_json_str(j, "subject", ci->subject);
    tool_json_str(j, "issuer", ci->issuer);
    tool_json_str(j, "not_before", ci->not_before);
    tool_json_str(j, "not_after", ci->not_after);
    tool_json_str(j, "names", ci->names);
    tool_json_str(j, "key", ci->key[0] ? ci->key : NULL);
    tool_json_str(j, "sig_alg", ci->key[0] ? ci->sig_alg : NULL);
    tool_json_bool(j, "is_ca", ci->is_ca);
    tool_json_str(j, "state", ci->problems & MQTLS_TLS_BAD_EXPIRED  ? "expired"
                              : ci->problems & MQTLS_TLS_BAD_FUTURE ? "not_yet_valid"
                                                                    : NULL);
    tool_json_end(j);
}

/* The chain analysis named an intermediate CA (the server's or the device's missing one)
 * and where it was seen. */
static void st_intermediate(tool_json_t *j, const doctor_t *d)
{
    static const char *const where[] = {"device_file", "ca_file", "server_chain"};
    const char *name = NULL;
    if (d->failed && d->cause == MQTLS_CAUSE_SERVER_MISSING_INTERMEDIATE)
        mqtls_chain_verify_cause(&d->facts, &name);
    else if (d->failed && d->cause == MQTLS_CAUSE_CLIENT_MISSING_INTERMEDIATE)
        mqtls_chain_device_missing(&d->facts, &name);
    if (!name)
        return;
    begin(j, "cert_is_intermediate");
    tool_json_str(j, "subject", name);
    tool_json_str(j, "seen_in", where[doctor_seen_in(d, name)]);
    tool_json_end(j);
}

/* The rule of host name matching the report says failed (src/diagnose/names.c), as an id:
 * each rule's words start or go on differently, and say which it is. */
static const char *name_rule_id(const char *words)
{
    static const struct {
        const char *phrase, *id;
    } rules[] = {
        {"is an IP address: it matches only an iPAddress", "ip_needs_ip_san"},
        {"is an IP address and is only in the subject's CN", "ip_only_in_cn"},
        {"is an IP address and no iPAddress", "ip_not_listed"},
        {"covers one label only", "wildcard_one_label"},
        {"has its wildcard outside the whole left-most label", "wildcard_misplaced"},
        {"is only in the subject's CN, which is ignored", "cn_ignored"},
        {"is none of the certificate's names", "not_listed"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strstr(words, rules[i].phrase))
            return rules[i].id;
    return NULL;
}

static void st_name_rule(tool_json_t *j, const doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char words[1024], hex[65];
    if (d->failed != 4 || d->cause != MQTLS_CAUSE_HOSTNAME_MISMATCH || !ev->chain ||
        !ev->chain_len ||
        !mqtls_diag_name_rule(d->host, ev->chain[0].names, ev->chain[0].subject, words,
                              sizeof words) ||
        !name_rule_id(words))
        return;
    sha_hex(ev->chain[0].sha256, hex);
    begin(j, "name_rule");
    tool_json_str(j, "name", d->host);
    tool_json_str(j, "sha256", hex);
    tool_json_str(j, "rule", name_rule_id(words));
    tool_json_end(j);
}

/* The server's certificates: what it sent, their dates, the root, the name. */
static void st_chain(tool_json_t *j, const doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    char hex[65];
    /* The evidence keeps MQTLS_TLS_CHAIN_MAX certificates: a full list may be cut, and
     * "the server sent these" would not hold (a broker under 9 intermediate CAs). */
    if (ev->sent && ev->sent_len && ev->sent_len < MQTLS_TLS_CHAIN_MAX) {
        begin(j, "server_sent");
        tool_json_arr(j, "sha256");
        for (unsigned i = 0; i < ev->sent_len && i < MQTLS_TLS_CHAIN_MAX; i++) {
            sha_hex(ev->sent[i].sha256, hex);
            tool_json_str(j, NULL, hex);
        }
        tool_json_end(j);
        tool_json_end(j);
    }
    for (unsigned i = 0; ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        st_chain_cert(j, &ev->chain[i]);
    bool sent = false;
    const char *root = doctor_chain_root(ev, &sent);
    if (root && d->cfg.cafile && !d->cfg.capath) {
        begin(j, "ca_file_holds");
        tool_json_str(j, "file", d->cfg.cafile);
        tool_json_str(j, "subject", root);
        tool_json_bool(j, "holds", doctor_ca_holds(d, root));
        tool_json_end(j);
    }
    bool named = d->failed == 4 && d->cause == MQTLS_CAUSE_HOSTNAME_MISMATCH;
    if (ev->chain && ev->chain_len && (named || (ev->verified && !ev->problems))) {
        sha_hex(ev->chain[0].sha256, hex);
        begin(j, "server_name_matches");
        tool_json_str(j, "name", d->host);
        tool_json_str(j, "sha256", hex);
        tool_json_bool(j, "matches", !named);
        tool_json_end(j);
    }
}

/* The chain's readings the cause rests on: a CA whose path length the chain below it
 * exceeds; every certificate seen outside its validity at this machine's time. */
static void st_chain_reading(tool_json_t *j, const doctor_t *d)
{
    const char *name = NULL;
    if (d->failed && d->cause == MQTLS_CAUSE_CHAIN_PATH_LEN &&
        mqtls_chain_verify_cause(&d->facts, &name) == MQTLS_CAUSE_CHAIN_PATH_LEN && name) {
        begin(j, "path_len");
        tool_json_str(j, "subject", name);
        tool_json_end(j);
    }
    if (d->failed && d->cause == MQTLS_CAUSE_CLOCK_WRONG) {
        begin(j, "clock_suspect");
        tool_json_str(j, "utc", d->now_utc);
        tool_json_end(j);
    }
}

/* Step 5: what answered the CONNECT, and the TLS probe of a plain port. */
static void st_mqtt(tool_json_t *j, const doctor_t *d)
{
    if (d->st[5].result != R_OK && d->st[5].result != R_FAILED)
        return;
    bool silent = !d->rec.total && d->mqtt_status == MQTLS_ERR_TIMEOUT;
    bool closed = !d->rec.total && (d->mqtt_status == MQTLS_ERR_CLOSED ||
                                    d->mqtt_status == MQTLS_ERR_IO);
    if (d->connack_seen || silent || closed || (d->rec.total && !d->connack_seen)) {
        char hex[64];
        begin(j, "connect_answer");
        tool_json_str(j, "version", doctor_version_name(d->cfg.version));
        tool_json_str(j, "answer", d->connack_seen ? "connack" : silent ? "silence"
                                   : closed        ? "closed"  : "other");
        if (d->connack_seen)
            tool_json_int(j, "code", d->connack_code);
        doctor_hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
        tool_json_str(j, "first_bytes", !d->connack_seen && d->rec.n_first ? hex : NULL);
        tool_json_end(j);
    }
    if (d->connack_seen && d->server_ref) {
        begin(j, "server_reference");
        tool_json_str(j, "packet", "CONNACK");
        tool_json_str(j, "reference", d->server_ref);
        tool_json_end(j);
    }
    if (d->facts.v311_accepted) {
        begin(j, "connect_answer");
        tool_json_str(j, "version", "3.1.1");
        tool_json_str(j, "answer", "connack");
        tool_json_int(j, "code", 0);
        tool_json_null(j, "first_bytes");
        tool_json_end(j);
    }
    if (d->probe_ran) {
        begin(j, "port_speaks_tls");
        tool_json_str(j, "address", d->conn_ip);
        tool_json_int(j, "port", d->conn_port);
        tool_json_bool(j, "speaks_tls", d->speaks_tls);
        tool_json_end(j);
    }
}

/* Step 6: what answered the SUBSCRIBE, the PUBLISH, whether the message came back, and
 * how the connection ended (a DISCONNECT and its reason, or a close, during which step). */
static void st_roundtrip(tool_json_t *j, const doctor_t *d)
{
    if (d->st[6].result == R_NOT_RUN || d->st[6].result == R_SKIPPED || !d->n_steps)
        return;
    bool acked = d->pub_done && (d->pub_status == MQTLS_OK || d->pub_status == MQTLS_ERR_REFUSED);
    bool disc = d->lost && d->lost_status == MQTLS_ERR_SERVER_DISCONNECT;
    bool closed = d->lost && (d->lost_status == MQTLS_ERR_CLOSED || d->lost_status == MQTLS_ERR_IO);
    const rt_step_t *last = &d->steps[d->n_steps - 1];
    begin(j, "roundtrip");
    tool_json_str(j, "version", doctor_version_name(d->cfg.version));
    tool_json_str(j, "topic", d->topic);
    if (d->suback)
        tool_json_int(j, "suback", d->suback_code);
    else
        tool_json_null(j, "suback");
    if (acked)
        tool_json_int(j, "puback", d->pub_reason);
    else
        tool_json_null(j, "puback");
    if (d->n_steps == 3)
        tool_json_bool(j, "returned", d->msg_back);
    else
        tool_json_null(j, "returned");
    if (disc)
        tool_json_int(j, "disconnect_reason", d->lost_reason);
    else
        tool_json_null(j, "disconnect_reason");
    tool_json_str(j, "closed_during", closed && !last->ok ? last->name : NULL);
    tool_json_end(j);
}

/* --device: the checks whose result is a claim about the broker (ok or failed; "could not
 * check" claims nothing): the versions it takes, the intermediates of its chain, the size of
 * the message that carried the chain, its root outside any catalog. */
static void st_device(tool_json_t *j, const doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    for (size_t i = 0; d->device && i < d->n_dev; i++) {
        const dev_check_t *c = &d->dev[i];
        bool depth = !strcmp(c->what, "chain depth"), cat = !strcmp(c->what, "root catalog");
        bool msg = !strcmp(c->what, "certificate message");
        if ((c->result != DEV_OK && c->result != DEV_FAILED) ||
            (!depth && !cat && !msg && strcmp(c->what, "TLS version") != 0))
            continue;
        begin(j, "device_check");
        tool_json_str(j, "profile", d->device->name);
        tool_json_str(j, "check", c->what);
        tool_json_str(j, "result", doctor_device_result_name(c->result));
        tool_json_str(j, "code", c->code);
        if (depth)
            tool_json_int(j, "intermediates", d->dev_intermediates);
        if (msg)
            tool_json_int(j, "bytes", d->dev_cert_msg);
        if (cat)
            tool_json_str(j, "root", ev->chain && ev->chain_len
                                         ? ev->chain[ev->chain_len - 1].subject : NULL);
        tool_json_end(j);
    }
}

void doctor_json_statements(tool_json_t *j, const doctor_t *d)
{
    tool_json_arr(j, "statements");
    begin(j, "clock");
    tool_json_str(j, "utc", d->now_utc);
    tool_json_end(j);
    st_host(j, d);
    st_files(j, d);
    st_check(j, d);
    st_findings(j, d);
    st_net(j, d);
    if (d->cfg.tls && d->ev_valid && d->st[4].result != R_NOT_RUN) {
        st_tls_answer(j, d);
        st_chain(j, d);
        st_intermediate(j, d);
        st_name_rule(j, d);
    }
    st_chain_reading(j, d);
    st_mqtt(j, d);
    st_roundtrip(j, d);
    st_device(j, d);
    tool_json_end(j);
}
