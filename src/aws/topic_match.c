/**
 * @file topic_match.c
 * @brief The matcher: which service, operation and answer a received topic is, and the
 * thing, shadow, job or template it names (topics.c has the shapes and their sources).
 *
 * The topic is cut into its levels first; a services topic has at most 8
 * (`$aws/things/T/shadow/name/S/update/documents`), so the levels fit in a fixed array.
 * Jobs topics are the one place two shapes overlap: `jobs/get/accepted` is
 * GetPendingJobExecutions' answer while `jobs/get/update` is job "get" being updated. The
 * fixed operations are tried first, with the answers they have, then a job id.
 */
#include "aws_internal.h"

#if MQTLS_CFG_AWS

#define MAX_LEVELS 8

typedef struct level {
    const char *s;
    size_t n;
} level_t;

/* Compared by hand: the helpers ask of the C library only what the core does (memcpy,
 * memmove, strlen), so a freestanding image needs nothing more for them. */
static bool is(const level_t *l, const char *word)
{
    size_t i = 0;
    for (; i < l->n && word[i]; i++) {
        if (l->s[i] != word[i])
            return false;
    }
    return i == l->n && word[i] == '\0';
}

/* The levels of @p topic into @p lv: their count, or 0 if there are more than MAX_LEVELS. */
static int split(const char *topic, size_t len, level_t *lv)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && topic[i] != '/')
            continue;
        if (n == MAX_LEVELS)
            return 0;
        lv[n].s = topic + start;
        lv[n].n = i - start;
        n++;
        start = i + 1;
    }
    return n;
}

/* The operation of @p l among @p first..@p last, and the answer the @p m levels after it
 * name; true if that operation has that answer. */
static bool op_and_suffix(const level_t *l, int m, mqtls_aws_op_t first, mqtls_aws_op_t last,
                          mqtls_aws_topic_t *out)
{
    if (m < 1 || m > 2)
        return false;
    for (int op = (int)first; op <= (int)last; op++) {
        if (!is(l, mqtls__aws_op_word((mqtls_aws_op_t)op)))
            continue;
        for (int s = MQTLS_AWS_REQUEST; s <= MQTLS_AWS_DOCUMENTS; s++) {
            bool none = s == MQTLS_AWS_REQUEST;
            if (none != (m == 1) || (!none && !is(l + 1, mqtls__aws_suffix_word(s))))
                continue;
            if (!mqtls__aws_suffix_ok((mqtls_aws_op_t)op, (mqtls_aws_suffix_t)s))
                return false;
            out->op = (mqtls_aws_op_t)op;
            out->suffix = (mqtls_aws_suffix_t)s;
            return true;
        }
        return false;
    }
    return false;
}

/* `$aws/things/T/shadow/...`: @p r is what follows "shadow", @p m levels. */
static bool match_shadow(const level_t *r, int m, mqtls_aws_topic_t *out)
{
    if (m >= 3 && is(r, "name")) {
        out->name = r[1].s;
        out->name_len = r[1].n;
        r += 2;
        m -= 2;
    }
    return op_and_suffix(r, m, MQTLS_AWS_SHADOW_GET, MQTLS_AWS_SHADOW_DELETE, out);
}

/* `$aws/things/T/jobs/...`: @p r is what follows "jobs", @p m levels. */
static bool match_jobs(const level_t *r, int m, mqtls_aws_topic_t *out)
{
    if (op_and_suffix(r, m, MQTLS_AWS_JOBS_NOTIFY, MQTLS_AWS_JOBS_START_NEXT, out))
        return true;
    if (m < 2)
        return false;
    out->job_id = r[0].s;
    out->job_id_len = r[0].n;
    return op_and_suffix(r + 1, m - 1, MQTLS_AWS_JOBS_DESCRIBE, MQTLS_AWS_JOBS_UPDATE, out);
}

static bool match_things(const level_t *lv, int n, mqtls_aws_topic_t *out)
{
    if (n < 5)
        return false;
    out->thing = lv[2].s;
    out->thing_len = lv[2].n;
    if (is(&lv[3], "shadow"))
        return match_shadow(lv + 4, n - 4, out);
    if (is(&lv[3], "jobs"))
        return match_jobs(lv + 4, n - 4, out);
    return false;
}

/* `$aws/certificates/<op>/json[/answer]`, `$aws/provisioning-templates/<T>/provision/json
 * [/answer]`. Only the JSON payload format is handled (not `cbor`). */
static bool match_provisioning(const level_t *lv, int n, mqtls_aws_topic_t *out)
{
    if (is(&lv[1], "certificates") && n >= 4 && is(&lv[3], "json")) {
        level_t two[2] = {lv[2], n > 4 ? lv[4] : lv[2]};
        return op_and_suffix(two, n - 3, MQTLS_AWS_PROV_CREATE_KEYS,
                             MQTLS_AWS_PROV_CREATE_FROM_CSR, out);
    }
    if (is(&lv[1], "provisioning-templates") && n >= 5 && is(&lv[4], "json")) {
        out->name = lv[2].s;
        out->name_len = lv[2].n;
        level_t two[2] = {lv[3], n > 5 ? lv[5] : lv[3]};
        return op_and_suffix(two, n - 4, MQTLS_AWS_PROV_REGISTER_THING,
                             MQTLS_AWS_PROV_REGISTER_THING, out);
    }
    return false;
}

mqtls_status_t mqtls_aws_topic_match(const char *topic, size_t len, mqtls_aws_topic_t *out)
{
    static const mqtls_aws_topic_t none = {MQTLS_AWS_OP_NONE, MQTLS_AWS_REQUEST, NULL, 0,
                                           NULL, 0, NULL, 0};
    if (!topic || !out)
        return MQTLS_ERR_BAD_PARAM;
    *out = none;
    level_t lv[MAX_LEVELS];
    int n = split(topic, len, lv);
    bool shaped = false;
    if (n >= 4 && is(&lv[0], "$aws"))
        shaped = is(&lv[1], "things") ? match_things(lv, n, out)
                                      : match_provisioning(lv, n, out);
    mqtls_status_t st = shaped ? mqtls__aws_topic_check(out) : MQTLS_ERR_AWS_TOPIC;
    if (st != MQTLS_OK) {
        *out = none;
        return st == MQTLS_ERR_AWS_NAME ? st : MQTLS_ERR_AWS_TOPIC;
    }
    return MQTLS_OK;
}

#endif /* MQTLS_CFG_AWS */
