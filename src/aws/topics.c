/**
 * @file topics.c
 * @brief The services' reserved topics: the words of each operation, which answers each
 * has, and the builder. The matcher (topic_match.c) reads topics by the same rules.
 *
 * Topic shapes (AWS IoT developer guide, https://docs.aws.amazon.com/iot/latest/developerguide/):
 *  - reserved-topics.html and device-shadow-mqtt.html:
 *    `$aws/things/T/shadow[/name/S]/{get,update,delete}[/accepted|/rejected]`,
 *    `.../update/delta`, `.../update/documents`;
 *  - jobs-mqtt-api.html: `$aws/things/T/jobs/{notify,notify-next}`,
 *    `$aws/things/T/jobs/{get,start-next}[/accepted|/rejected]`,
 *    `$aws/things/T/jobs/<jobId>/{get,update}[/accepted|/rejected]`;
 *  - fleet-provision-api.html: `$aws/certificates/{create,create-from-csr}/json[/accepted|
 *    /rejected]`, `$aws/provisioning-templates/<name>/provision/json[/accepted|/rejected]`.
 */
#include "aws_internal.h"

#if MQTLS_CFG_AWS

#include <string.h>

const char *mqtls__aws_op_word(mqtls_aws_op_t op)
{
    static const char *const words[] = {
        [MQTLS_AWS_SHADOW_GET] = "get",
        [MQTLS_AWS_SHADOW_UPDATE] = "update",
        [MQTLS_AWS_SHADOW_DELETE] = "delete",
        [MQTLS_AWS_JOBS_NOTIFY] = "notify",
        [MQTLS_AWS_JOBS_NOTIFY_NEXT] = "notify-next",
        [MQTLS_AWS_JOBS_GET_PENDING] = "get",
        [MQTLS_AWS_JOBS_START_NEXT] = "start-next",
        [MQTLS_AWS_JOBS_DESCRIBE] = "get",
        [MQTLS_AWS_JOBS_UPDATE] = "update",
        [MQTLS_AWS_PROV_CREATE_KEYS] = "create",
        [MQTLS_AWS_PROV_CREATE_FROM_CSR] = "create-from-csr",
        [MQTLS_AWS_PROV_REGISTER_THING] = "provision",
    };
    if ((unsigned)op >= sizeof words / sizeof words[0])
        return NULL;
    return words[op];
}

const char *mqtls__aws_suffix_word(mqtls_aws_suffix_t s)
{
    static const char *const words[] = {
        [MQTLS_AWS_REQUEST] = "",
        [MQTLS_AWS_ACCEPTED] = "accepted",
        [MQTLS_AWS_REJECTED] = "rejected",
        [MQTLS_AWS_DELTA] = "delta",
        [MQTLS_AWS_DOCUMENTS] = "documents",
    };
    if ((unsigned)s >= sizeof words / sizeof words[0])
        return NULL;
    return words[s];
}

bool mqtls__aws_suffix_ok(mqtls_aws_op_t op, mqtls_aws_suffix_t s)
{
    if (!mqtls__aws_op_word(op) || !mqtls__aws_suffix_word(s))
        return false;
    /* The notifications are the service's own messages: nothing answers them. */
    if (op == MQTLS_AWS_JOBS_NOTIFY || op == MQTLS_AWS_JOBS_NOTIFY_NEXT)
        return s == MQTLS_AWS_REQUEST;
    /* delta and documents follow an accepted update only (device-shadow-mqtt.html). */
    if (op == MQTLS_AWS_SHADOW_UPDATE)
        return true;
    return s == MQTLS_AWS_REQUEST || s == MQTLS_AWS_ACCEPTED || s == MQTLS_AWS_REJECTED;
}

bool mqtls__aws_is_shadow(mqtls_aws_op_t op)
{
    return op >= MQTLS_AWS_SHADOW_GET && op <= MQTLS_AWS_SHADOW_DELETE;
}

bool mqtls__aws_is_jobs(mqtls_aws_op_t op)
{
    return op >= MQTLS_AWS_JOBS_NOTIFY && op <= MQTLS_AWS_JOBS_UPDATE;
}

/* Present exactly when wanted; when present, valid for its kind. */
static mqtls_status_t check_part(const char *s, size_t len, bool wanted, bool optional,
                                 mqtls_aws_name_kind_t kind)
{
    if (!s)
        return (wanted && !optional) ? MQTLS_ERR_BAD_PARAM : MQTLS_OK;
    if (!wanted)
        return MQTLS_ERR_BAD_PARAM;
    return mqtls_aws_name_check(kind, s, len);
}

mqtls_status_t mqtls__aws_topic_check(const mqtls_aws_topic_t *t)
{
    if (!mqtls__aws_suffix_ok(t->op, t->suffix))
        return MQTLS_ERR_BAD_PARAM;
    bool shadow = mqtls__aws_is_shadow(t->op), jobs = mqtls__aws_is_jobs(t->op);
    bool has_job = t->op == MQTLS_AWS_JOBS_DESCRIBE || t->op == MQTLS_AWS_JOBS_UPDATE;
    bool tmpl = t->op == MQTLS_AWS_PROV_REGISTER_THING;
    mqtls_status_t st =
        check_part(t->thing, t->thing_len, shadow || jobs, false, MQTLS_AWS_THING_NAME);
    if (st == MQTLS_OK)
        st = check_part(t->name, t->name_len, shadow || tmpl, shadow,
                        shadow ? MQTLS_AWS_SHADOW_NAME : MQTLS_AWS_TEMPLATE_NAME);
    if (st == MQTLS_OK)
        st = check_part(t->job_id, t->job_id_len, has_job, false, MQTLS_AWS_JOB_ID);
    /* `$next` stands for a job only where DescribeJobExecution reads it. */
    if (st == MQTLS_OK && t->op == MQTLS_AWS_JOBS_UPDATE && t->job_id[0] == '$')
        st = MQTLS_ERR_AWS_NAME;
    return st;
}

/* An output that counts all it is given and stores what fits with a NUL after it. */
typedef struct out {
    char *buf;
    size_t size;
    size_t len;
} out_t;

static void add(out_t *o, const char *s, size_t n)
{
    if (o->len < o->size && o->size - o->len > n)
        memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void add_str(out_t *o, const char *s)
{
    add(o, s, strlen(s));
}

static void add_level(out_t *o, const char *word)
{
    if (word[0]) {
        add(o, "/", 1);
        add_str(o, word);
    }
}

static void build(const mqtls_aws_topic_t *t, out_t *o)
{
    if (mqtls__aws_is_shadow(t->op) || mqtls__aws_is_jobs(t->op)) {
        add_str(o, "$aws/things/");
        add(o, t->thing, t->thing_len);
        add_str(o, mqtls__aws_is_shadow(t->op) ? "/shadow" : "/jobs");
        if (t->name) {
            add_str(o, "/name/");
            add(o, t->name, t->name_len);
        }
        if (t->job_id) {
            add(o, "/", 1);
            add(o, t->job_id, t->job_id_len);
        }
        add_level(o, mqtls__aws_op_word(t->op));
    } else if (t->op == MQTLS_AWS_PROV_REGISTER_THING) {
        add_str(o, "$aws/provisioning-templates/");
        add(o, t->name, t->name_len);
        add_str(o, "/provision/json");
    } else {
        add_str(o, "$aws/certificates/");
        add_str(o, mqtls__aws_op_word(t->op));
        add_str(o, "/json");
    }
    add_level(o, mqtls__aws_suffix_word(t->suffix));
}

mqtls_status_t mqtls_aws_topic_build(const mqtls_aws_topic_t *t, char *buf, size_t size,
                                     size_t *len)
{
    if (!t || !buf)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_status_t st = mqtls__aws_topic_check(t);
    if (st != MQTLS_OK)
        return st;
    out_t o = {buf, size, 0};
    build(t, &o);
    if (o.len >= size) {
        if (size > 0)
            buf[0] = '\0';
        return MQTLS_ERR_NO_SPACE;
    }
    buf[o.len] = '\0';
    if (len)
        *len = o.len;
    return MQTLS_OK;
}

static size_t span_len(const char *s)
{
    return s ? strlen(s) : 0;
}

mqtls_status_t mqtls_aws_shadow_topic(const char *thing, const char *shadow,
                                      mqtls_aws_op_t op, mqtls_aws_suffix_t suffix,
                                      char *buf, size_t size, size_t *len)
{
    if (!mqtls__aws_is_shadow(op))
        return MQTLS_ERR_BAD_PARAM;
    mqtls_aws_topic_t t = {op, suffix, thing, span_len(thing), shadow, span_len(shadow),
                           NULL, 0};
    return mqtls_aws_topic_build(&t, buf, size, len);
}

mqtls_status_t mqtls_aws_jobs_topic(const char *thing, const char *job_id, mqtls_aws_op_t op,
                                    mqtls_aws_suffix_t suffix, char *buf, size_t size,
                                    size_t *len)
{
    if (!mqtls__aws_is_jobs(op))
        return MQTLS_ERR_BAD_PARAM;
    mqtls_aws_topic_t t = {op, suffix, thing, span_len(thing), NULL, 0, job_id,
                           span_len(job_id)};
    return mqtls_aws_topic_build(&t, buf, size, len);
}

mqtls_status_t mqtls_aws_provisioning_topic(const char *template_name, mqtls_aws_op_t op,
                                            mqtls_aws_suffix_t suffix, char *buf,
                                            size_t size, size_t *len)
{
    if (op < MQTLS_AWS_PROV_CREATE_KEYS || op > MQTLS_AWS_PROV_REGISTER_THING)
        return MQTLS_ERR_BAD_PARAM;
    mqtls_aws_topic_t t = {op, suffix, NULL, 0, template_name, span_len(template_name),
                           NULL, 0};
    return mqtls_aws_topic_build(&t, buf, size, len);
}

#endif /* MQTLS_CFG_AWS */
