/**
 * @file doctor_json.c
 * @brief The doctor's JSON report (--json; schema "mqtls-doctor/1", docs/doctor.md).
 */
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "mqtls/reason.h"
#include "common/tool_json.h"
#include "common/tool_util.h"

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
    doctor_utc_text(d->now, now, sizeof now);
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

/* One certificate of the chain the verification built. */
static void json_cert(tool_json_t *j, const mqtls_tls_cert_info_t *ci)
{
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

/* The client certificate, the alerts, the bytes received and the TLS library's error. */
static void json_tls_wire(tool_json_t *j, const doctor_t *d)
{
    const mqtls_tls_evidence_t *ev = &d->ev;
    bool have = d->ev_valid;
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
    for (unsigned i = 0; have && ev->chain && i < ev->chain_len && i < MQTLS_TLS_CHAIN_MAX; i++)
        json_cert(j, &ev->chain[i]);
    tool_json_end(j);
    bool sent = false;
    const char *root = have ? doctor_chain_root(ev, &sent) : NULL;
    tool_json_str(j, "chain_root", root);
    tool_json_bool(j, "chain_root_trusted", root && doctor_ca_holds(d, root));
    json_strlist(j, "ca_subjects", &d->ca_subjects);
    tool_json_int(j, "sent_len", have ? ev->sent_len : 0);
    tool_json_bool(j, "verified", have && ev->verified);
    tool_json_int(j, "problems", have ? ev->problems : 0);
    tool_json_arr(j, "verify");
    if (have && ev->problems) {
        doctor_flag_words(ev->problems, buf, sizeof buf);
        for (char *p = strtok(buf, ";"); p; p = strtok(NULL, ";"))
            tool_json_str(j, NULL, p + (*p == ' '));
    }
    tool_json_end(j);
    json_tls_wire(j, d);
    json_strlist(j, "explanation", &d->explain);
}

/* The CONNACK's properties as lines of tool_props_lines(), one member each. */
static void json_server_props(tool_json_t *j, const doctor_t *d)
{
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
}

static void json_mqtt(tool_json_t *j, const doctor_t *d)
{
    char hex[64];
    tool_json_str(j, "version", doctor_version_name(d->cfg.version));
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
    json_server_props(j, d);
    tool_json_int(j, "bytes_received", d->rec.total);
    doctor_hex_bytes(d->rec.first, d->rec.n_first, hex, sizeof hex);
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

/* Step 6: the topic and each step of the round trip. */
static void json_roundtrip(tool_json_t *j, const doctor_t *d)
{
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
            json_roundtrip(j, d);
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

/* What was diagnosed, and how. */
static void json_target(tool_json_t *j, const doctor_t *d)
{
    tool_json_obj(j, "target");
    tool_json_str(j, "host", d->host);
    tool_json_int(j, "port", d->port);
    tool_json_str(j, "connect_host", d->conn_host);
    tool_json_int(j, "connect_port", d->conn_port);
    tool_json_bool(j, "tls", d->cfg.tls);
    tool_json_str(j, "mqtt_version", doctor_version_name(d->cfg.version));
    tool_json_str(j, "client_id", d->cfg.client_id);
    tool_json_str(j, "topic", d->topic);
    tool_json_bool(j, "roundtrip", !d->cfg.no_roundtrip);
    tool_json_int(j, "timeout_s", d->timeout_ms / 1000u);
    tool_json_end(j);
}

/* One step: its result, time, summary, evidence lines and details. */
static void json_stage(tool_json_t *j, const doctor_t *d, int n)
{
    const stage_t *s = &d->st[n];
    tool_json_obj(j, NULL);
    tool_json_int(j, "number", n);
    tool_json_str(j, "name", s->key);
    tool_json_str(j, "title", s->title);
    tool_json_str(j, "status", result_name(s->result));
    if (s->result == R_OK || s->result == R_FAILED)
        tool_json_int(j, "ms", (int64_t)s->ms);
    else
        tool_json_null(j, "ms");
    tool_json_str(j, "summary", s->summary ? s->summary : "");
    tool_json_arr(j, "evidence");
    for (size_t i = 0; i < s->n_lines; i++)
        tool_json_strf(j, NULL, "%s%s", doctor_line_mark(s, &s->lines[i]), s->lines[i].text);
    tool_json_end(j);
    json_details(j, d, n);
    tool_json_end(j);
}

/* The cause the rules named ("none" when every step passed), with its facts. */
static void json_cause(tool_json_t *j, const doctor_t *d)
{
    const mqtls_cause_info_t *ci = mqtls_cause_info(d->failed ? d->cause : MQTLS_CAUSE_NONE);
    tool_json_obj(j, "cause");
    tool_json_str(j, "id", ci->id);
    tool_json_str(j, "stage", d->failed ? d->st[d->failed].key : NULL);
    tool_json_str(j, "summary", ci->summary);
    json_strlist(j, "facts", &d->cause_facts);
    tool_json_str(j, "why", ci->why);
    tool_json_str(j, "fix", ci->fix);
    tool_json_str(j, "doc", d->failed ? "docs/troubleshooting.md" : NULL);
    tool_json_end(j);
}

/* One fact of the device's profile: its value and source (null: no source says it). */
static void json_dev_fact(tool_json_t *j, const char *fact, const mqtls_device_fact_t *f)
{
    tool_json_obj(j, NULL);
    tool_json_str(j, "fact", fact);
    tool_json_str(j, "value", f->value);
    tool_json_str(j, "source", f->source);
    tool_json_end(j);
}

static void json_dev_profile(tool_json_t *j, const mqtls_device_profile_t *p)
{
    tool_json_arr(j, "profile");
    json_dev_fact(j, "versions", &p->versions);
    json_dev_fact(j, "suites", &p->suites_fact);
    json_dev_fact(j, "keys", &p->keys);
    json_dev_fact(j, "formats", &p->formats);
    json_dev_fact(j, "chain_depth", &p->depth);
    json_dev_fact(j, "trust", &p->trust);
    json_dev_fact(j, "sni", &p->sni);
    json_dev_fact(j, "alpn", &p->alpn_fact);
    json_dev_fact(j, "sizes", &p->sizes);
    tool_json_end(j);
}

/* --device: the profile and each check (null without --device). */
static void json_device(tool_json_t *j, const doctor_t *d)
{
    if (!d->device) {
        tool_json_null(j, "device");
        return;
    }
    tool_json_obj(j, "device");
    tool_json_str(j, "name", d->device->name);
    tool_json_str(j, "title", d->device->title);
    tool_json_str(j, "result", d->dev_failures ? "failed" : "ok");
    tool_json_arr(j, "checks");
    for (size_t i = 0; i < d->n_dev; i++) {
        const dev_check_t *c = &d->dev[i];
        tool_json_obj(j, NULL);
        tool_json_str(j, "check", c->what);
        tool_json_str(j, "result", doctor_device_result_name(c->result));
        tool_json_str(j, "text", c->text);
        tool_json_str(j, "code", c->code);
        tool_json_str(j, "cause", c->result == DEV_FAILED ? mqtls_cause_info(c->cause)->id
                                                          : NULL);
        tool_json_str(j, "fix", c->fix);
        tool_json_end(j);
    }
    tool_json_end(j);
    json_dev_profile(j, d->device);
    tool_json_end(j);
}

void doctor_print_json(const doctor_t *d, int exit_code)
{
    tool_json_t j;
    memset(&j, 0, sizeof j);
    tool_json_obj(&j, NULL);
    tool_json_str(&j, "schema", "mqtls-doctor/1");
    tool_json_str(&j, "mqtls_version", MQTLS_VERSION_STRING);
    json_target(&j, d);
    tool_json_arr(&j, "stages");
    for (int n = 1; n <= N_STAGES; n++)
        json_stage(&j, d, n);
    tool_json_end(&j);
    tool_json_str(&j, "result", d->failed ? "failed" : "ok");
    if (d->failed)
        tool_json_int(&j, "failed_stage", d->failed);
    else
        tool_json_null(&j, "failed_stage");
    tool_json_int(&j, "exit_code", exit_code);
    json_cause(&j, d);
    json_device(&j, d);
    doctor_json_statements(&j, d);
    tool_json_end(&j);
    tool_buf_addc(&j.out, '\n');
    fwrite(j.out.p, 1, j.out.len, stdout);
    fflush(stdout);
    tool_json_free(&j);
}
