/**
 * @file aws_session.c
 * @brief One request/answer session of the device commands over the connection pub and sub
 *        use (mqtt/tool_conn.h): subscribe to the answer topics first, publish the request
 *        at QoS 1, then take the answer that carries the request's clientToken
 *        (device-shadow-mqtt.html and jobs-mqtt-api.html: the service echoes clientToken).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws_internal.h"

#define DEFAULT_ANSWER_S 10u

static void on_event(void *user, const mqtls_event_t *ev)
{
    aws_t *a = user;
    if (ev->type == MQTLS_EV_MESSAGE) {
        const mqtls_publish_t *m = ev->message;
        a->q = tool_xrealloc(a->q, (a->nq + 1) * sizeof *a->q);
        aws_msg_t *e = &a->q[a->nq++];
        memset(e, 0, sizeof *e);
        e->topic = tool_xmalloc(m->topic.len + 1);
        memcpy(e->topic, m->topic.data, m->topic.len);
        e->topic[m->topic.len] = '\0';
        tool_buf_add(&e->body, m->payload, m->payload_len);
        tool_buf_addc(&e->body, '\0');
        e->body.len--; /* the NUL is there, not counted */
    } else if (ev->type == MQTLS_EV_SUBACK && ev->packet_id == a->sub_mid) {
        a->suback = true;
        for (uint16_t i = 0; i < ev->count; i++)
            if (tool_reason_failed(ev->codes[i]))
                a->sub_failed = true;
    }
}

int aws_open(aws_t *a)
{
    tool_conn_sizes_t sz;
    memset(&sz, 0, sizeof sz);
    sz.rx = 1024 * 1024;
    sz.tx = tool_conn_tx_size(&a->cfg) + 256 * 1024;
    sz.store = 1024 * 1024;
    sz.inflight = 4;
    sz.qos2_in = 4;
    int rc = tool_conn_open(&a->conn, &a->cfg, &sz, on_event, a, 0, false);
    a->open = rc == TOOL_EXIT_OK;
    return rc;
}

int aws_poll(aws_t *a, uint32_t max_ms)
{
    tool_conn_poll(&a->conn, -1, max_ms, NULL);
    if (a->conn.lost)
        return tool_conn_lost_exit(&a->conn);
    if (tool_stop) {
        tool_err("interrupted");
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

uint64_t aws_answer_deadline(const aws_t *a)
{
    return tool_now_ms() + 1000ull * (a->o.timeout_s ? a->o.timeout_s : DEFAULT_ANSWER_S);
}

static int timed_out(const aws_t *a, const char *what)
{
    tool_err("no %s within %lu s (-W)", what,
             (unsigned long)(a->o.timeout_s ? a->o.timeout_s : DEFAULT_ANSWER_S));
    return TOOL_EXIT_TIMEOUT;
}

int aws_subscribe(aws_t *a, char topics[][MQTLS_AWS_TOPIC_MAX + 1], size_t n)
{
    mqtls_subscription_t subs[8];
    for (size_t i = 0; i < n && i < 8; i++) {
        subs[i].filter = mqtls_str(topics[i]);
        subs[i].options = 1; /* QoS 1 */
    }
    a->suback = a->sub_failed = false;
    mqtls_status_t st = mqtls_subscribe(&a->conn.client, subs, (uint16_t)n, NULL, &a->sub_mid);
    if (st != MQTLS_OK) {
        tool_err("subscribe failed: %s", mqtls_strerror(st));
        return TOOL_EXIT_ERROR;
    }
    uint64_t end = aws_answer_deadline(a);
    while (!a->suback) {
        if (tool_now_ms() >= end)
            return timed_out(a, "SUBACK");
        int rc = aws_poll(a, 200);
        if (rc)
            return rc;
    }
    if (a->sub_failed) {
        tool_err("the broker refused a subscription to %s", topics[0]);
        return TOOL_EXIT_REJECTED;
    }
    return TOOL_EXIT_OK;
}

int aws_publish(aws_t *a, const char *topic, const char *doc, size_t len)
{
    mqtls_publish_t m;
    memset(&m, 0, sizeof m);
    m.topic = mqtls_str(topic);
    m.payload = (const uint8_t *)doc;
    m.payload_len = (uint32_t)len;
    m.qos = 1;
    uint16_t mid = 0;
    mqtls_status_t st = mqtls_publish(&a->conn.client, &m, &mid);
    if (st != MQTLS_OK) {
        tool_err("publish to %s failed: %s", topic, mqtls_strerror(st));
        return TOOL_EXIT_ERROR;
    }
    uint64_t end = aws_answer_deadline(a);
    while (mqtls_inflight(&a->conn.client) > 0) {
        if (tool_now_ms() >= end)
            return timed_out(a, "PUBACK");
        int rc = aws_poll(a, 200);
        if (rc)
            return rc;
    }
    return TOOL_EXIT_OK;
}

int aws_next(aws_t *a, uint64_t deadline_ms, aws_msg_t *out)
{
    while (a->nq == 0) {
        uint64_t now = tool_now_ms();
        if (deadline_ms && now >= deadline_ms)
            return TOOL_EXIT_TIMEOUT;
        uint64_t wait = deadline_ms ? deadline_ms - now : 1000;
        int rc = aws_poll(a, wait > 1000 ? 1000 : (uint32_t)wait);
        if (rc)
            return rc;
    }
    *out = a->q[0];
    memmove(a->q, a->q + 1, (a->nq - 1) * sizeof *a->q);
    a->nq--;
    return TOOL_EXIT_OK;
}

/* Prints a rejection: `code` and `message` (device-shadow-error-messages.html; the same
 * shape in Jobs, ErrorResponse, and Fleet Provisioning: statusCode, errorCode,
 * errorMessage). */
static void print_rejection(const aws_t *a, const aws_msg_t *m)
{
    char code[64] = "", msg[512] = "";
    const char *b = m->body.p;
    size_t n = m->body.len;
    int64_t num;
    if (mqtls_aws_json_get_int(b, n, "code", &num) == MQTLS_OK ||
        mqtls_aws_json_get_int(b, n, "statusCode", &num) == MQTLS_OK)
        snprintf(code, sizeof code, "%lld", (long long)num);
    else if (mqtls_aws_json_get_string(b, n, "code", code, sizeof code, NULL) != MQTLS_OK)
        mqtls_aws_json_get_string(b, n, "errorCode", code, sizeof code, NULL);
    if (mqtls_aws_json_get_string(b, n, "message", msg, sizeof msg, NULL) != MQTLS_OK)
        mqtls_aws_json_get_string(b, n, "errorMessage", msg, sizeof msg, NULL);
    tool_err("%s%s%s rejected: %s%s%s", a->family, a->sub[0] ? " " : "", a->sub,
             code[0] ? code : "(no code)", msg[0] ? ": " : "", msg);
    fprintf(stdout, "%s\n", b);
}

static bool token_is(const aws_msg_t *m, const char *token)
{
    char got[128];
    return !token || (mqtls_aws_json_get_string(m->body.p, m->body.len, "clientToken", got,
                                                sizeof got, NULL) == MQTLS_OK &&
                      !strcmp(got, token));
}

int aws_await(aws_t *a, const char *accepted, const char *rejected, const char *token,
              aws_msg_t *out)
{
    uint64_t end = aws_answer_deadline(a);
    for (;;) {
        aws_msg_t m;
        int rc = aws_next(a, end, &m);
        if (rc == TOOL_EXIT_TIMEOUT)
            return timed_out(a, "answer");
        if (rc)
            return rc;
        bool acc = !strcmp(m.topic, accepted), rej = !strcmp(m.topic, rejected);
        if ((acc || rej) && token_is(&m, token)) {
            if (acc) {
                *out = m;
                return TOOL_EXIT_OK;
            }
            print_rejection(a, &m);
            aws_msg_free(&m);
            return AWS_EXIT_REJECTED;
        }
        aws_msg_free(&m); /* another run's answer, or another kind of message */
    }
}

void aws_token(aws_t *a, char *buf, size_t size)
{
    snprintf(buf, size, "mqtls-%ld-%u", (long)getpid(), ++a->token_seq);
}

void aws_print(const aws_msg_t *m)
{
    fwrite(m->body.p, 1, m->body.len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

void aws_msg_free(aws_msg_t *m)
{
    free(m->topic);
    tool_buf_free(&m->body);
    memset(m, 0, sizeof *m);
}

int aws_close(aws_t *a, int rc)
{
    if (a->open)
        tool_conn_close(&a->conn);
    for (size_t i = 0; i < a->nq; i++)
        aws_msg_free(&a->q[i]);
    free(a->q);
    free(a->o.params.v);
    tool_cfg_free(&a->cfg);
    return rc == TOOL_HELP_SHOWN ? TOOL_EXIT_OK : rc;
}
