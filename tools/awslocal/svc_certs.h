/**
 * @file svc_certs.h
 * @brief The certificates Fleet Provisioning issued, as files under the state directory
 *        (svc_certs.c, where their format and sources are).
 */
#ifndef AWL_SVC_CERTS_H
#define AWL_SVC_CERTS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/** Records a new certificate (PENDING_ACTIVATION) and its ownership token, valid an hour
 *  from @p now. 0, or -1. */
int awl_certs_add(const char *state_dir, const char *cert_id, const char *cert_pem,
                  const char *token, long long now);

/** The certificate whose ownership token is @p token, still valid at @p now (an expired
 *  one is deleted), or NULL. The caller deletes it. */
cJSON *awl_certs_by_token(const char *state_dir, const char *token, long long now);

/** Registers @p cert (from awl_certs_by_token) to @p thing (may be NULL), ACTIVE or
 *  INACTIVE, and forgets its token. 0, or -1. */
int awl_certs_register(const char *state_dir, cJSON *cert, const char *thing, bool active);

#endif
