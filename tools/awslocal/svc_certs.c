/**
 * @file svc_certs.c
 * @brief The certificates Fleet Provisioning issued: one file per certificate,
 *        STATE/certificates/<certificateId>.json, from its creation (PENDING_ACTIVATION, with
 *        its ownership token) to its registration (ACTIVE or INACTIVE, with its thing); and
 *        which thing a certificate is (svc.h, awl_provision_thing_of).
 *
 *   {"certificateId": "...", "certificatePem": "...", "status": "PENDING_ACTIVATION",
 *    "certificateOwnershipToken": "...", "tokenExpiresAt": t, "creationDate": t,
 *    "thingName": "..."}
 *
 * Source: https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html
 * ("the certificateOwnershipToken ... expires after one hour"; "The new certificate has a
 * PENDING_ACTIVATION status").
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc_certs.h"
#include "svc_internal.h"
#include "svc_store.h"

#define TOKEN_LIFETIME 3600LL

static char *cert_path(const char *state_dir, const char *cert_id)
{
    char file[80];

    if (!awl_name_ok(cert_id, strlen(cert_id), 64, NULL))
        return NULL;
    snprintf(file, sizeof file, "%s.json", cert_id);
    return awl_path(state_dir, "certificates", file);
}

int awl_certs_add(const char *state_dir, const char *cert_id, const char *cert_pem,
                  const char *token, long long now)
{
    char *path = cert_path(state_dir, cert_id);
    cJSON *c = cJSON_CreateObject();
    int rc;

    cJSON_AddStringToObject(c, "certificateId", cert_id);
    cJSON_AddStringToObject(c, "certificatePem", cert_pem);
    cJSON_AddStringToObject(c, "status", "PENDING_ACTIVATION");
    cJSON_AddStringToObject(c, "certificateOwnershipToken", token);
    cJSON_AddNumberToObject(c, "tokenExpiresAt", (double)(now + TOKEN_LIFETIME));
    cJSON_AddNumberToObject(c, "creationDate", (double)now);
    rc = path ? awl_store_save(path, c) : -1;
    cJSON_Delete(c);
    free(path);
    return rc;
}

/* The certificate of @p dir/@p name when its token is @p token. */
static cJSON *match(const char *dir, const char *name, const char *token)
{
    size_t len = strlen(name);
    char *path;
    cJSON *c;
    const cJSON *t;
    int missing;

    if (len < 6 || strcmp(name + len - 5, ".json") != 0)
        return NULL;
    path = awl_path(dir, name);
    c = path ? awl_store_load(path, &missing) : NULL;
    free(path);
    t = cJSON_GetObjectItemCaseSensitive(c, "certificateOwnershipToken");
    if (cJSON_IsString(t) && strcmp(t->valuestring, token) == 0)
        return c;
    cJSON_Delete(c);
    return NULL;
}

cJSON *awl_certs_by_token(const char *state_dir, const char *token, long long now)
{
    char *dir = awl_path(state_dir, "certificates");
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    cJSON *found = NULL;

    while (d && !found && (e = readdir(d)) != NULL)
        found = match(dir, e->d_name, token);
    if (d)
        closedir(d);
    free(dir);
    if (found && now > (long long)cJSON_GetNumberValue(
                           cJSON_GetObjectItemCaseSensitive(found, "tokenExpiresAt"))) {
        /* "If the certificate ... has not been activated ... by the time the token expires,
         * the certificate is deleted." */
        char *path = cert_path(state_dir, cJSON_GetStringValue(
                                              cJSON_GetObjectItemCaseSensitive(found, "certificateId")));
        if (path)
            unlink(path);
        free(path);
        cJSON_Delete(found);
        found = NULL;
    }
    return found;
}

int awl_certs_register(const char *state_dir, cJSON *cert, const char *thing, bool active)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cert, "certificateId"));
    char *path = id ? cert_path(state_dir, id) : NULL;
    int rc;

    /* The token proves ownership once: it goes with the registration. */
    cJSON_DeleteItemFromObjectCaseSensitive(cert, "certificateOwnershipToken");
    cJSON_DeleteItemFromObjectCaseSensitive(cert, "tokenExpiresAt");
    cJSON_ReplaceItemInObjectCaseSensitive(cert, "status",
                                           cJSON_CreateString(active ? "ACTIVE" : "INACTIVE"));
    cJSON_DeleteItemFromObjectCaseSensitive(cert, "thingName");
    if (thing)
        cJSON_AddStringToObject(cert, "thingName", thing);
    rc = path ? awl_store_save(path, cert) : -1;
    free(path);
    return rc;
}

int awl_provision_thing_of(const char *state_dir, const char *cert_id, char *thing, size_t size)
{
    char *path = cert_id ? cert_path(state_dir, cert_id) : NULL;
    int missing;
    cJSON *c = path ? awl_store_load(path, &missing) : NULL;
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "thingName"));
    int rc = -1;

    if (status && strcmp(status, "ACTIVE") == 0 && name && strlen(name) < size) {
        strcpy(thing, name);
        rc = 0;
    }
    cJSON_Delete(c);
    free(path);
    return rc;
}
