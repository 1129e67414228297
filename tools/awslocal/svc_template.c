/**
 * @file svc_template.c
 * @brief Evaluating a fleet provisioning template (svc_template.h, where the source is).
 *
 * What awslocal evaluates: Parameters (Type String, optional Default), `Ref` (to a parameter
 * or to AWS::IoT::Certificate::Id) and `Fn::Join`; the Thing resource's ThingName, the
 * Certificate resource's Status, and DeviceConfiguration. Other intrinsic functions
 * (Fn::FindInMap, Fn::Select, Fn::Split, Fn::Sub) and pre-provisioning hooks are not
 * evaluated: a template that uses them where awslocal reads is refused with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "svc_internal.h"
#include "svc_template.h"

#define THING_MAX 128

typedef struct eval {
    const cJSON *params;   /**< the request's parameters */
    const cJSON *declared; /**< the template's Parameters */
    const char *cert_id;
    const char *why;       /**< the first failure */
} eval_t;

static cJSON *resolve(eval_t *e, const cJSON *v);

/* The value of parameter @p name: the request's, else the template's Default. */
static cJSON *ref(eval_t *e, const char *name)
{
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(e->params, name);
    const cJSON *decl = cJSON_GetObjectItemCaseSensitive(e->declared, name);
    const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(decl, "Default");

    if (strcmp(name, "AWS::IoT::Certificate::Id") == 0)
        return cJSON_CreateString(e->cert_id);
    if (!decl) {
        e->why = "the template refers to a parameter it does not declare";
        return NULL;
    }
    if (cJSON_IsString(given))
        return cJSON_CreateString(given->valuestring);
    if (cJSON_IsString(dflt))
        return cJSON_CreateString(dflt->valuestring);
    e->why = "a parameter the template needs has no value";
    return NULL;
}

/* {"Fn::Join": [separator, [values...]]}: the values, resolved, joined by separator. */
static cJSON *join(eval_t *e, const cJSON *args)
{
    const cJSON *sep = cJSON_GetArrayItem(args, 0), *list = cJSON_GetArrayItem(args, 1), *v;
    cJSON *parts, *out = NULL;
    size_t len = 1;
    char *s;

    if (!cJSON_IsString(sep) || !cJSON_IsArray(list)) {
        e->why = "Fn::Join takes a separator and a list";
        return NULL;
    }
    parts = cJSON_CreateArray();
    cJSON_ArrayForEach(v, list) {
        cJSON *r = resolve(e, v);
        if (!r || !cJSON_IsString(r)) {
            e->why = e->why ? e->why : "Fn::Join joins strings";
            cJSON_Delete(r);
            cJSON_Delete(parts);
            return NULL;
        }
        len += strlen(r->valuestring) + strlen(sep->valuestring);
        cJSON_AddItemToArray(parts, r);
    }
    if ((s = calloc(1, len)) != NULL) {
        cJSON_ArrayForEach(v, parts) {
            if (v != parts->child)
                strcat(s, sep->valuestring);
            strcat(s, v->valuestring);
        }
        out = cJSON_CreateString(s);
        free(s);
    }
    cJSON_Delete(parts);
    return out;
}

/* @p v with every Ref and Fn::Join replaced by its value (NULL and e->why on failure).
 * Recursive over the template's nesting, which cJSON's parser bounds (1000 levels). */
static cJSON *resolve(eval_t *e, const cJSON *v)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(v, "Ref");
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(v, "Fn::Join");
    cJSON *out, *c;

    if (cJSON_IsObject(v) && cJSON_GetArraySize(v) == 1 && cJSON_IsString(r))
        return ref(e, r->valuestring);
    if (cJSON_IsObject(v) && cJSON_GetArraySize(v) == 1 && j)
        return join(e, j);
    if (cJSON_IsObject(v) && v->child && strncmp(v->child->string, "Fn::", 4) == 0) {
        e->why = "the template uses an intrinsic function awslocal does not evaluate";
        return NULL;
    }
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return cJSON_Duplicate(v, 1);
    out = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
    cJSON_ArrayForEach(c, v) {
        cJSON *rc = resolve(e, c);
        if (!rc) {
            cJSON_Delete(out);
            return NULL;
        }
        if (cJSON_IsObject(v))
            cJSON_AddItemToObject(out, c->string, rc);
        else
            cJSON_AddItemToArray(out, rc);
    }
    return out;
}

/* The Properties of the first resource of @p type. */
static const cJSON *properties_of(const cJSON *tmpl, const char *type)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(tmpl, "Resources"), *r;

    cJSON_ArrayForEach(r, res) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "Type");
        if (cJSON_IsString(t) && strcmp(t->valuestring, type) == 0)
            return cJSON_GetObjectItemCaseSensitive(r, "Properties");
    }
    return NULL;
}

static void thing_name(eval_t *e, const cJSON *tmpl, awl_provisioned_t *out)
{
    const cJSON *props = properties_of(tmpl, "AWS::IoT::Thing");
    const cJSON *tn = cJSON_GetObjectItemCaseSensitive(props, "ThingName");
    cJSON *name;

    if (!props)
        return;
    name = tn ? resolve(e, tn) : NULL;
    if (!e->why && (!cJSON_IsString(name) ||
                    !awl_name_ok(name->valuestring, strlen(name->valuestring), THING_MAX, NULL)))
        e->why = "the thing name is not a valid thing name";
    if (!e->why)
        out->thing_name = strdup(name->valuestring);
    cJSON_Delete(name);
}

/* The Certificate resource's Status: ACTIVE unless it says INACTIVE ("Defaults to ACTIVE";
 * the guide's own example writes "Active"). */
static void cert_status(eval_t *e, const cJSON *tmpl, awl_provisioned_t *out)
{
    const cJSON *props = properties_of(tmpl, "AWS::IoT::Certificate");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(props, "Status");
    cJSON *v = st && !e->why ? resolve(e, st) : NULL;

    out->active = !(cJSON_IsString(v) && strcasecmp(v->valuestring, "INACTIVE") == 0);
    cJSON_Delete(v);
}

const char *awl_template_eval(const cJSON *tmpl, const cJSON *params, const char *cert_id,
                              awl_provisioned_t *out)
{
    eval_t e = {params, cJSON_GetObjectItemCaseSensitive(tmpl, "Parameters"), cert_id, NULL};
    const cJSON *dc = cJSON_GetObjectItemCaseSensitive(tmpl, "DeviceConfiguration");

    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(tmpl) || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(tmpl, "Resources")))
        return "the template has no Resources";
    if (params && !cJSON_IsObject(params))
        return "parameters must be an object";
    thing_name(&e, tmpl, out);
    cert_status(&e, tmpl, out);
    out->device_config = e.why ? NULL : dc ? resolve(&e, dc) : cJSON_CreateObject();
    if (!e.why && !cJSON_IsObject(out->device_config))
        e.why = "DeviceConfiguration must be an object";
    if (e.why)
        awl_provisioned_free(out);
    return e.why;
}

void awl_provisioned_free(awl_provisioned_t *p)
{
    free(p->thing_name);
    cJSON_Delete(p->device_config);
    p->thing_name = NULL;
    p->device_config = NULL;
}
