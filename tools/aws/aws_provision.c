/**
 * @file aws_provision.c
 * @brief `mqtls provision`: Fleet Provisioning by claim over MQTT
 *        (https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html):
 *        CreateKeysAndCertificate (or CreateCertificateFromCsr with --csr), then
 *        RegisterThing with the certificate ownership token and the template's parameters.
 *        The new certificate and key are written unchanged, PEM text as the service sent
 *        it, as `aws iot create-keys-and-certificate --certificate-pem-outfile
 *        --private-key-outfile` writes them; the key is readable by its owner alone.
 *        Fleet Provisioning's answers carry no clientToken: each is the one answer on its
 *        topics to this connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/aws_internal.h"
#include "tool_cmds.h"

#define PEM_MAX 16384u
#define MAX_PARAMS 32u

/* Writes @p len bytes to DIR/@p name with @p mode (replacing the file). */
static int write_file(const char *dir, const char *name, const char *data, mode_t mode)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path); /* a new file gets @p mode, whatever the old one had */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    size_t len = strlen(data);
    bool ok = fd >= 0 && write(fd, data, len) == (ssize_t)len;
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (!ok) {
        tool_err("cannot write '%s': %s", path, strerror(errno));
        return TOOL_EXIT_ERROR;
    }
    return TOOL_EXIT_OK;
}

/* The topics of @p op: accepted, rejected, request. */
static int topics(const char *tmpl, mqtls_aws_op_t op, char t[][MQTLS_AWS_TOPIC_MAX + 1])
{
    static const mqtls_aws_suffix_t sfx[3] = {MQTLS_AWS_ACCEPTED, MQTLS_AWS_REJECTED,
                                              MQTLS_AWS_REQUEST};
    for (int i = 0; i < 3; i++)
        if (mqtls_aws_provisioning_topic(tmpl, op, sfx[i], t[i], MQTLS_AWS_TOPIC_MAX + 1,
                                         NULL) != MQTLS_OK)
            return TOOL_EXIT_ERROR;
    return TOOL_EXIT_OK;
}

static int call(aws_t *a, char t[][MQTLS_AWS_TOPIC_MAX + 1], const char *doc, size_t len,
                aws_msg_t *out)
{
    int rc = aws_subscribe(a, t, 2);
    if (!rc)
        rc = aws_publish(a, t[2], doc, len);
    return rc ? rc : aws_await(a, t[0], t[1], NULL, out);
}

/* A string field of an answer, or an error naming it. */
static int field(const aws_msg_t *m, const char *name, char *buf, size_t size)
{
    if (mqtls_aws_json_get_string(m->body.p, m->body.len, name, buf, size, NULL) == MQTLS_OK)
        return TOOL_EXIT_OK;
    tool_err("the answer on %s has no usable \"%s\"", m->topic, name);
    return TOOL_EXIT_ERROR;
}

/* CreateKeysAndCertificate / CreateCertificateFromCsr: writes the files, gives the
 * ownership token and the certificate id. */
static int create(aws_t *a, const char *csr, char *token, char *cert_id)
{
    char t[3][MQTLS_AWS_TOPIC_MAX + 1];
    char *doc = tool_xmalloc(PEM_MAX), *pem = tool_xmalloc(PEM_MAX);
    size_t len = 0;
    aws_msg_t m;
    int rc = topics(NULL, csr ? MQTLS_AWS_PROV_CREATE_FROM_CSR : MQTLS_AWS_PROV_CREATE_KEYS, t);
    if (!rc && (csr ? mqtls_aws_csr_doc(csr, doc, PEM_MAX, &len)
                    : mqtls_aws_token_doc(NULL, doc, PEM_MAX, &len)) != MQTLS_OK)
        rc = aws_usage(a, "the CSR is too large");
    if (!rc && (rc = call(a, t, doc, len, &m)) == TOOL_EXIT_OK) {
        rc = field(&m, "certificateOwnershipToken", token, 4096);
        if (!rc)
            rc = field(&m, "certificateId", cert_id, 256);
        if (!rc)
            rc = field(&m, "certificatePem", pem, PEM_MAX);
        if (!rc)
            rc = write_file(a->o.out, "cert.pem", pem, 0644);
        if (!rc && !csr && !(rc = field(&m, "privateKey", pem, PEM_MAX)))
            rc = write_file(a->o.out, "private.key", pem, 0600);
        aws_msg_free(&m);
    }
    free(doc);
    free(pem);
    return rc;
}

static int register_thing(aws_t *a, const char *token, const char *cert_id)
{
    char t[3][MQTLS_AWS_TOPIC_MAX + 1], thing[MQTLS_AWS_THING_NAME_MAX + 1];
    mqtls_aws_kv_t kv[MAX_PARAMS];
    char *copy[MAX_PARAMS];
    size_t n = a->o.params.n, len = 0;
    for (size_t i = 0; i < n; i++) {
        copy[i] = tool_xstrdup(a->o.params.v[i]);
        char *eq = strchr(copy[i], '='); /* checked by check() */
        *eq = '\0';
        kv[i].key = copy[i];
        kv[i].value = eq + 1;
    }
    char *doc = tool_xmalloc(PEM_MAX);
    aws_msg_t m;
    int rc = topics(a->o.template_name, MQTLS_AWS_PROV_REGISTER_THING, t);
    if (!rc && mqtls_aws_register_thing_doc(token, kv, n, doc, PEM_MAX, &len) != MQTLS_OK)
        rc = aws_usage(a, "the --param values are too long");
    if (!rc && (rc = call(a, t, doc, len, &m)) == TOOL_EXIT_OK) {
        if (!(rc = field(&m, "thingName", thing, sizeof thing)))
            printf("thingName: %s\ncertificateId: %s\n", thing, cert_id);
        aws_msg_free(&m);
    }
    for (size_t i = 0; i < n; i++)
        free(copy[i]);
    free(doc);
    return rc;
}

static int check(aws_t *a)
{
    const aws_opts_t *o = &a->o;
    if (!o->template_name || !o->claim_cert || !o->claim_key || !o->out)
        return aws_usage(a, "provision needs --template, --claim-cert, --claim-key and --out");
    int rc = aws_check_name(a, MQTLS_AWS_TEMPLATE_NAME, "--template", o->template_name);
    if (rc)
        return rc;
    if (o->params.n > MAX_PARAMS)
        return aws_usage(a, "at most %u --param", MAX_PARAMS);
    for (size_t i = 0; i < o->params.n; i++) {
        const char *eq = strchr(o->params.v[i], '=');
        if (!eq || eq == o->params.v[i])
            return aws_usage(a, "invalid --param '%s' (KEY=VALUE)", o->params.v[i]);
    }
    if (o->thing || o->name || o->message || o->job_id || o->status || o->details ||
        o->run || o->start || o->count)
        return aws_usage(a, "that option is not a provision option (see --help)");
    if (mkdir(o->out, 0755) != 0 && errno != EEXIST)
        return aws_usage(a, "cannot make --out '%s': %s", o->out, strerror(errno));
    return TOOL_EXIT_OK;
}

static int provision(aws_t *a)
{
    tool_buf_t csr = {0};
    char *token = tool_xmalloc(4096), cert_id[256];
    int rc = TOOL_EXIT_OK;
    if (a->o.csr) {
        int err = tool_read_file_max(a->o.csr, &csr, PEM_MAX / 2);
        if (err || csr.len > PEM_MAX / 2)
            rc = aws_usage(a, "cannot read --csr '%s': %s", a->o.csr,
                           err ? strerror(err) : "too large");
        else
            tool_buf_addc(&csr, '\0');
    }
    if (!rc)
        rc = aws_open(a);
    if (!rc)
        rc = create(a, a->o.csr ? csr.p : NULL, token, cert_id);
    if (!rc)
        rc = register_thing(a, token, cert_id);
    tool_buf_free(&csr);
    free(token);
    return rc;
}

int tool_provision_main(int argc, char **argv)
{
    aws_t a;
    memset(&a, 0, sizeof a);
    a.family = "provision";
    a.sub = "";
    int rc = aws_parse(&a, argc, argv);
    if (!rc)
        rc = check(&a);
    if (!rc) {
        tool_set_quiet(a.cfg.quiet);
        rc = provision(&a);
    }
    return aws_close(&a, rc);
}
