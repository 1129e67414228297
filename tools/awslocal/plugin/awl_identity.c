/**
 * @file awl_identity.c
 * @brief A connection's thing (awl_identity.h): looked up by its certificate's id (the
 *        SHA-256 of its DER, as AWS IoT names certificates) in the provisioning service's
 *        records; else its CN, which mosquitto gives as the user name
 *        (use_identity_as_username).
 */
#include "awslocal/plugin/awl_identity.h"

#include <stdbool.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>

#include "awslocal/svc.h"

/* The provisioning service's thing for @p client's certificate, into @p buf. */
static bool provisioned_thing(const char *state_dir, struct mosquitto *client, char *buf,
                              size_t size)
{
#ifdef AWL_SVC_PROVISION
    X509 *crt = mosquitto_client_certificate(client);
    unsigned char *der = NULL;
    int len = crt ? i2d_X509(crt, &der) : -1;
    char id[65];
    bool ok = len > 0 && awl_cert_id_of_der(der, (size_t)len, id) == 0 &&
              awl_provision_thing_of(state_dir, id, buf, size) == 0;
    OPENSSL_free(der);
    X509_free(crt);
    return ok;
#else
    (void)state_dir, (void)client, (void)buf, (void)size;
    return false;
#endif
}

const char *awl_identity(const char *state_dir, struct mosquitto *client, char *buf,
                         size_t size)
{
    if (!client)
        return NULL;
    if (state_dir && provisioned_thing(state_dir, client, buf, size))
        return buf;
    return mosquitto_client_username(client);
}
