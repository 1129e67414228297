/**
 * @file awl_identity.c
 * @brief A connection's thing (awl_identity.h): looked up by its certificate's id (the
 *        SHA-256 of its DER, as AWS IoT names certificates) in the provisioning service's
 *        records; else its CN, which mosquitto gives as the user name
 *        (use_identity_as_username).
 */
#include "awslocal/plugin/awl_identity.h"

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>

#include "awslocal/svc.h"

/* The provisioning service's thing for @p client's certificate, into @p buf: 1 found,
 * 0 not a provisioned certificate, -1 a provisioned one that acts as no thing (not yet
 * registered, or INACTIVE). */
static int provisioned_thing(const char *state_dir, struct mosquitto *client, char *buf,
                             size_t size)
{
#ifdef AWL_SVC_PROVISION
    X509 *crt = mosquitto_client_certificate(client);
    unsigned char *der = NULL;
    int len = crt ? i2d_X509(crt, &der) : -1;
    char id[65], record[4200];
    int found = 0;
    if (len > 0 && awl_cert_id_of_der(der, (size_t)len, id) == 0) {
        if (awl_provision_thing_of(state_dir, id, buf, size) == 0) {
            found = 1;
        } else {
            /* Its record (svc.h: STATE/certificates/<id>.json) says it was provisioned. */
            snprintf(record, sizeof record, "%s/certificates/%s.json", state_dir, id);
            found = access(record, F_OK) == 0 ? -1 : 0;
        }
    }
    OPENSSL_free(der);
    X509_free(crt);
    return found;
#else
    (void)state_dir, (void)client, (void)buf, (void)size;
    return 0;
#endif
}

const char *awl_identity(const char *state_dir, struct mosquitto *client, char *buf,
                         size_t size)
{
    if (!client)
        return NULL;
    int p = state_dir ? provisioned_thing(state_dir, client, buf, size) : 0;
    if (p != 0)
        return p > 0 ? buf : NULL; /* an unregistered certificate may do nothing */
    return mosquitto_client_username(client);
}
