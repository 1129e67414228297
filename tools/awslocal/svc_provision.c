/**
 * @file svc_provision.c
 * @brief The Fleet Provisioning service of `mqtls awslocal`: CreateKeysAndCertificate,
 *        CreateCertificateFromCsr and RegisterThing over MQTT, JSON payloads (svc.h).
 *
 * Source: https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html
 * Certificates are issued by svc_x509.c (signed by awslocal's CA), recorded by svc_certs.c;
 * templates are evaluated by svc_template.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_certs.h"
#include "svc_internal.h"
#include "svc_store.h"
#include "svc_template.h"
#include "svc_x509.h"

#define TEMPLATE_MAX 36 /* template names: 1 to 36 characters */

static struct {
    char *ca_cert, *ca_key, *templates_dir;
} cfg;

static void set(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? strdup(src) : NULL;
}

void awl_provision_configure(const awl_provision_cfg_t *c)
{
    set(&cfg.ca_cert, c ? c->ca_cert : NULL);
    set(&cfg.ca_key, c ? c->ca_key : NULL);
    set(&cfg.templates_dir, c ? c->templates_dir : NULL);
}

static int reply(awl_replies_t *out, const char *topic, const char *suffix, cJSON *doc)
{
    size_t n = strlen(topic) + strlen(suffix) + 1;
    char *t = malloc(n);
    int rc;

    if (!t) {
        cJSON_Delete(doc);
        return -1;
    }
    snprintf(t, n, "%s%s", topic, suffix);
    rc = awl_reply_json(out, t, doc);
    free(t);
    return rc;
}

/* The error payload of all three calls: {"statusCode", "errorCode", "errorMessage"}. */
static int reject(awl_replies_t *out, const char *topic, int status, const char *code,
                  const char *message)
{
    cJSON *doc = cJSON_CreateObject();

    cJSON_AddNumberToObject(doc, "statusCode", status);
    cJSON_AddStringToObject(doc, "errorCode", code);
    cJSON_AddStringToObject(doc, "errorMessage", message);
    return reply(out, topic, "/rejected", doc);
}

/* Issues a certificate (for @p csr, or with a new key), records it with a new ownership token
 * and answers with the documented members. */
static int create(const char *state_dir, const char *topic, const char *csr, awl_replies_t *out)
{
    long long now = awl_svc_now();
    awl_issued_t is;
    awl_issue_err_t err;
    char token[65];
    cJSON *doc;

    if (!cfg.ca_cert || !cfg.ca_key)
        return reject(out, topic, 500, "InternalFailure", "no CA is configured");
    err = awl_issue(cfg.ca_cert, cfg.ca_key, csr, now, &is);
    if (err == AWL_ISSUE_BAD_CSR)
        return reject(out, topic, 400, "InvalidPayload", "the certificate signing request is not valid");
    if (err != AWL_ISSUE_OK)
        return reject(out, topic, 500, "InternalFailure", "the certificate could not be issued");
    if (awl_random_hex(token) != 0 || awl_certs_add(state_dir, is.cert_id, is.cert_pem, token, now) != 0) {
        awl_issued_free(&is);
        return reject(out, topic, 500, "InternalFailure", "the certificate could not be recorded");
    }
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "certificateId", is.cert_id);
    cJSON_AddStringToObject(doc, "certificatePem", is.cert_pem);
    if (is.key_pem)
        cJSON_AddStringToObject(doc, "privateKey", is.key_pem);
    cJSON_AddStringToObject(doc, "certificateOwnershipToken", token);
    awl_issued_free(&is);
    return reply(out, topic, "/accepted", doc);
}

static cJSON *load_template(const char *name)
{
    char file[TEMPLATE_MAX + 8], *path;
    cJSON *t;
    int missing;

    snprintf(file, sizeof file, "%s.json", name);
    path = cfg.templates_dir ? awl_path(cfg.templates_dir, file) : NULL;
    t = path ? awl_store_load(path, &missing) : NULL;
    free(path);
    return t;
}

/* RegisterThing: the token names the certificate; the template names the thing. */
static int register_thing(const char *state_dir, const char *topic, const char *tname,
                          const cJSON *req, awl_replies_t *out)
{
    const char *token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "certificateOwnershipToken"));
    cJSON *tmpl = load_template(tname), *cert = NULL, *doc;
    awl_provisioned_t p = {0};
    const char *why = NULL;
    int rc;

    if (!tmpl)
        rc = reject(out, topic, 404, "ResourceNotFound", "no provisioning template of that name");
    else if (!token || !(cert = awl_certs_by_token(state_dir, token, awl_svc_now())))
        rc = reject(out, topic, 400, "InvalidCertificateOwnershipToken",
                    "the certificate ownership token is not valid or has expired");
    else if ((why = awl_template_eval(tmpl, cJSON_GetObjectItemCaseSensitive(req, "parameters"),
                                      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cert, "certificateId")),
                                      &p)) != NULL)
        rc = reject(out, topic, 400, "InvalidParameters", why);
    else if (awl_certs_register(state_dir, cert, p.thing_name, p.active) != 0)
        rc = reject(out, topic, 500, "InternalFailure", "the registration could not be recorded");
    else {
        doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "deviceConfiguration", p.device_config);
        p.device_config = NULL;
        if (p.thing_name)
            cJSON_AddStringToObject(doc, "thingName", p.thing_name);
        rc = reply(out, topic, "/accepted", doc);
    }
    awl_provisioned_free(&p);
    cJSON_Delete(cert);
    cJSON_Delete(tmpl);
    return rc;
}

/* "$aws/provisioning-templates/<name>/provision/json": the template's name into @p name. */
static int template_topic(const char *topic, char name[TEMPLATE_MAX + 1])
{
    const char *p = topic + strlen("$aws/provisioning-templates/");
    size_t n = strcspn(p, "/");

    if (strncmp(topic, "$aws/provisioning-templates/", 28) != 0 ||
        !awl_name_ok(p, n, TEMPLATE_MAX, NULL) || strcmp(p + n, "/provision/json") != 0)
        return -1;
    memcpy(name, p, n);
    name[n] = '\0';
    return 0;
}

/* The request document: {} for an empty payload, NULL (and a rejection) for one that is not
 * a UTF-8 JSON object. */
static cJSON *request(const char *topic, const char *payload, size_t len, awl_replies_t *out)
{
    cJSON *req = len == 0 ? cJSON_CreateObject()
                          : awl_utf8_ok(payload, len) ? cJSON_ParseWithLength(payload, len) : NULL;

    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        reject(out, topic, 400, "InvalidPayload", "the request is not a UTF-8 JSON object");
        return NULL;
    }
    return req;
}

int awl_provision_handle(const char *state_dir, const char *thing, const char *topic,
                         const char *payload, size_t len, awl_replies_t *out)
{
    char tname[TEMPLATE_MAX + 1];
    bool keys = topic && strcmp(topic, "$aws/certificates/create/json") == 0;
    bool csr = topic && strcmp(topic, "$aws/certificates/create-from-csr/json") == 0;
    bool reg = topic && !keys && !csr && template_topic(topic, tname) == 0;
    cJSON *req;

    (void)thing; /* any certificate the broker let in (the claim) may provision */
    if (!keys && !csr && !reg)
        return -1; /* the cbor payload format is not served, nor any other topic */
    if (keys) /* "with an empty message payload": whatever it holds is not read */
        return create(state_dir, topic, NULL, out), 0;
    if (!(req = request(topic, payload, len, out)))
        return 0;
    if (csr) {
        const char *pem = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "certificateSigningRequest"));
        if (pem)
            create(state_dir, topic, pem, out);
        else
            reject(out, topic, 400, "InvalidPayload", "certificateSigningRequest is missing");
    } else {
        register_thing(state_dir, topic, tname, req, out);
    }
    cJSON_Delete(req);
    return 0;
}
