/**
 * @file aws_shadow.c
 * @brief `mqtls shadow get|update|delete|watch`: the Device Shadow service's MQTT API
 *        (https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-mqtt.html):
 *        subscribe to `<op>/accepted` and `<op>/rejected`, publish the request with a
 *        clientToken, print the answer that echoes it; watch prints each `/update/delta`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_internal.h"
#include "tool_cmds.h"

#define DOC_MAX (64u * 1024u) /* the request we build; AWS applies its own size limits */

/* The update request: state.desired, state.reported and version of -m, with @p token. */
static int update_doc(aws_t *a, const char *token, char *doc, size_t *len)
{
    const char *m = a->o.message;
    size_t n = strlen(m);
    mqtls_aws_json_value_t d, r, st;
    mqtls_aws_shadow_update_t u;
    memset(&u, 0, sizeof u);
    if (mqtls_aws_json_check(m, n) != MQTLS_OK)
        return aws_usage(a, "-m is not valid JSON: %s", m);
    if (mqtls_aws_json_find(m, n, "state", &st) != MQTLS_OK)
        return aws_usage(a, "-m has no \"state\" (AWS's request state document: "
                            "{\"state\":{\"desired\":{...}}})");
    if (mqtls_aws_json_find(m, n, "state.desired", &d) == MQTLS_OK) {
        u.desired = d.raw;
        u.desired_len = d.len;
    }
    if (mqtls_aws_json_find(m, n, "state.reported", &r) == MQTLS_OK) {
        u.reported = r.raw;
        u.reported_len = r.len;
    }
    u.has_version = mqtls_aws_json_get_int(m, n, "version", &u.version) == MQTLS_OK;
    u.client_token = token;
    if (!u.desired && !u.reported)
        return aws_usage(a, "-m's state has neither \"desired\" nor \"reported\"");
    mqtls_status_t s = mqtls_aws_shadow_update_doc(&u, doc, DOC_MAX, len);
    if (s != MQTLS_OK)
        return aws_usage(a, "-m cannot be sent: %s", mqtls_strerror(s));
    return TOOL_EXIT_OK;
}

static int topic(aws_t *a, mqtls_aws_op_t op, mqtls_aws_suffix_t sfx, char *buf)
{
    mqtls_status_t s = mqtls_aws_shadow_topic(a->o.thing, a->o.name, op, sfx, buf,
                                              MQTLS_AWS_TOPIC_MAX + 1, NULL);
    if (s == MQTLS_OK)
        return TOOL_EXIT_OK;
    tool_err("cannot make the shadow topic: %s", mqtls_strerror(s));
    return TOOL_EXIT_ERROR;
}

/* get, update, delete: one request, one answer. */
static int request(aws_t *a, mqtls_aws_op_t op)
{
    char t[3][MQTLS_AWS_TOPIC_MAX + 1], token[64];
    char *doc = tool_xmalloc(DOC_MAX);
    size_t len = 0;
    aws_token(a, token, sizeof token);
    int rc = op == MQTLS_AWS_SHADOW_UPDATE ? update_doc(a, token, doc, &len)
                                           : (mqtls_aws_token_doc(token, doc, DOC_MAX, &len),
                                              TOOL_EXIT_OK);
    if (!rc)
        rc = topic(a, op, MQTLS_AWS_ACCEPTED, t[0]);
    if (!rc)
        rc = topic(a, op, MQTLS_AWS_REJECTED, t[1]);
    if (!rc)
        rc = topic(a, op, MQTLS_AWS_REQUEST, t[2]);
    if (!rc)
        rc = aws_open(a);
    if (!rc)
        rc = aws_subscribe(a, t, 2);
    if (!rc)
        rc = aws_publish(a, t[2], doc, len);
    /* "The content of the message is ignored" on /delete (device-shadow-mqtt.html): its
     * answers carry no clientToken, so the first answer on its topics is taken. */
    const char *want = op == MQTLS_AWS_SHADOW_DELETE ? NULL : token;
    aws_msg_t m;
    if (!rc && (rc = aws_await(a, t[0], t[1], want, &m)) == TOOL_EXIT_OK) {
        aws_print(&m);
        aws_msg_free(&m);
    }
    free(doc);
    return rc;
}

static int watch(aws_t *a)
{
    char t[1][MQTLS_AWS_TOPIC_MAX + 1];
    int rc = topic(a, MQTLS_AWS_SHADOW_UPDATE, MQTLS_AWS_DELTA, t[0]);
    if (!rc)
        rc = aws_open(a);
    if (!rc)
        rc = aws_subscribe(a, t, 1);
    uint64_t end = a->o.timeout_s ? tool_now_ms() + a->o.timeout_s * 1000ull : 0;
    for (uint32_t n = 0; !rc && (!a->o.count || n < a->o.count); n++) {
        aws_msg_t m;
        rc = aws_next(a, end, &m);
        if (rc)
            break;
        aws_print(&m);
        aws_msg_free(&m);
    }
    return rc;
}

static int check(aws_t *a)
{
    const aws_opts_t *o = &a->o;
    bool upd = !strcmp(a->sub, "update"), w = !strcmp(a->sub, "watch");
    if (!o->thing)
        return aws_usage(a, "--thing is required");
    int rc = aws_check_name(a, MQTLS_AWS_THING_NAME, "--thing", o->thing);
    if (!rc && o->name)
        rc = aws_check_name(a, MQTLS_AWS_SHADOW_NAME, "--name", o->name);
    if (rc)
        return rc;
    if (upd != (o->message != NULL))
        return aws_usage(a, upd ? "update needs -m JSON" : "-m is for shadow update only");
    if (o->count && !w)
        return aws_usage(a, "-C is for shadow watch only");
    if (o->job_id || o->status || o->details || o->run || o->start || o->template_name ||
        o->params.n || o->claim_cert || o->claim_key || o->out || o->csr)
        return aws_usage(a, "only --thing, --name, -m, -C and -W are shadow options");
    return TOOL_EXIT_OK;
}

int tool_shadow_main(int argc, char **argv)
{
    static const struct {
        const char *name;
        mqtls_aws_op_t op;
    } subs[] = {{"get", MQTLS_AWS_SHADOW_GET}, {"update", MQTLS_AWS_SHADOW_UPDATE},
                {"delete", MQTLS_AWS_SHADOW_DELETE}, {"watch", MQTLS_AWS_OP_NONE}};
    aws_t a;
    memset(&a, 0, sizeof a);
    a.family = "shadow";
    a.sub = "";
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        aws_help(a.family, argc < 2 ? stderr : stdout);
        return argc < 2 ? TOOL_EXIT_USAGE : TOOL_EXIT_OK;
    }
    size_t i = 0;
    while (i < 4 && strcmp(argv[1], subs[i].name))
        i++;
    if (i == 4)
        return aws_usage(&a, "unknown shadow command '%s' (get, update, delete, watch)",
                         argv[1]);
    a.sub = subs[i].name;
    int rc = aws_parse(&a, argc - 1, argv + 1);
    if (!rc)
        rc = check(&a);
    if (!rc) {
        tool_set_quiet(a.cfg.quiet);
        rc = subs[i].op == MQTLS_AWS_OP_NONE ? watch(&a) : request(&a, subs[i].op);
    }
    return aws_close(&a, rc);
}
