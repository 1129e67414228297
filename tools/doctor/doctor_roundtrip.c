/**
 * @file doctor_roundtrip.c
 * @brief Step 6 of the doctor: subscribe, publish at QoS 1 and receive the message back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "mqtls/reason.h"
#include "common/tool_util.h"

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
    d->facts.disconnect_reason = d->lost_reason;
    if (st == MQTLS_ERR_SERVER_DISCONNECT && d->cfg.version == MQTLS_V5)
        doctor_mqtt5_lines(d, 6, true, d->lost_reason);
    if (!doctor_diagnose(d, 6, t0)) {
        d->failed = 6;
        d->cause = MQTLS_CAUSE_UNKNOWN;
        doctor_stage_done(d, 6, R_FAILED, t0, "%s", mqtls_strerror(st));
    }
    return false;
}

/* SUBSCRIBE to the topic at QoS 1, and its SUBACK. */
static bool rt_subscribe(doctor_t *d, uint64_t t0)
{
    uint64_t t = tool_now_ms();
    const tool_cfg_t *c = &d->cfg;
    char why[256];
    mqtls_subscription_t sub = {mqtls_str(d->topic), 1};
    mqtls_status_t st = mqtls_subscribe(&d->client, &sub, 1, NULL, &d->sub_id);
    if (st == MQTLS_OK)
        doctor_run_client(d, d->timeout_ms, suback_done);
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
    return true;
}

/* PUBLISH at QoS 1 to the topic, and its PUBACK. */
static bool rt_publish(doctor_t *d, uint64_t t0)
{
    uint64_t t = tool_now_ms();
    const tool_cfg_t *c = &d->cfg;
    char why[256];
    snprintf(d->payload, sizeof d->payload, "mqtls doctor %s %llu", c->client_id,
             (unsigned long long)tool_now_ms());
    mqtls_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str(d->topic);
    pub.payload = (const uint8_t *)d->payload;
    pub.payload_len = (uint32_t)strlen(d->payload);
    pub.qos = 1;
    mqtls_status_t st = mqtls_publish(&d->client, &pub, &d->pub_id);
    if (st != MQTLS_OK) {
        rt_step(d, "publish", false, t, -1, "PUBLISH QoS 1 (%u bytes): %s",
                (unsigned)pub.payload_len, mqtls_strerror(st));
        return roundtrip_fail(d, t0, st, MQTLS_DIAG_RT_PUBLISH);
    }
    doctor_run_client(d, d->timeout_ms, puback_done);
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
    return true;
}

/* The message back, on the subscription. */
static bool rt_receive(doctor_t *d, uint64_t t0)
{
    uint64_t t = tool_now_ms();
    char why[256];
    if (!d->msg_back)
        doctor_run_client(d, d->timeout_ms, message_done);
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
    return true;
}

bool doctor_stage_roundtrip(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    if (d->cfg.no_roundtrip) {
        doctor_stage_done(d, 6, R_SKIPPED, 0, "skipped (--no-roundtrip)");
        return true;
    }
    if (!rt_subscribe(d, t0) || !rt_publish(d, t0) || !rt_receive(d, t0))
        return false;
    doctor_stage_done(d, 6, R_OK, t0,
                      "subscribed, published (QoS 1) and received the message back");
    return true;
}
