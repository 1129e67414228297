/**
 * @file tool_cert_host.c
 * @brief The --host checks of `mqtls cert check`: a server certificate's names against the
 *        host (RFC 6125 through OpenSSL), and the root an AWS IoT endpoint chains to.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mqtls/diagnose.h"

#include "common/tool_util.h"
#include "creds/tool_cert_words.h"
#include "creds/tool_check_internal.h"

/* Whether the certificate's extendedKeyUsage names serverAuth: a certificate meant for a
 * broker, whose names a client checks against the host it connects to. */
static bool for_servers(const X509 *crt)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(crt, NID_ext_key_usage, NULL, NULL);
    bool server = false;
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++)
        server = server || OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == NID_server_auth;
    EXTENDED_KEY_USAGE_free(eku);
    ERR_clear_error();
    return server;
}

/* --host and a server certificate: do its names cover the host, as a TLS client checks them
 * (RFC 6125 through X509_check_host; an IP literal against the iPAddress names)? */
void tool_cert_check_host_names(check_t *c, const X509 *crt, const char *host)
{
    char h[256];
    tool_buf_t names = {NULL, 0, 0};
    if (!for_servers(crt))
        return;
    snprintf(h, sizeof h, "%s", host);
    size_t n = strlen(h);
    if (n > 1 && h[n - 1] == '.')
        h[n - 1] = '\0';
    int r = X509_check_ip_asc((X509 *)crt, h, 0);
    bool ip = r != -2;
    if (!ip)
        r = X509_check_host((X509 *)crt, h, 0, 0, NULL);
    ERR_clear_error();
    tool_cert_san(crt, &names);
    if (r == 1) {
        tool_check_mark(c, CK_OK, "the certificate's names cover --host %s", host);
    } else {
        tool_check_mark(c, CK_FAIL, "the certificate's names do not cover --host %s", host);
        tool_check_evid(c, "a client connecting to %s refuses a broker that presents it (%s)", host,
                        ip ? "an IP address must be an iPAddress subjectAltName"
                        : "the host must match a DNS subjectAltName");
    }
    tool_check_evid(c, "subjectAltName: %s", names.len ? names.p : "(none)");
    tool_buf_free(&names);
}

/* --host: for AWS IoT endpoints, whether the CA file holds the root they chain to. */
void tool_cert_check_host(check_t *c, const char *host, const tool_credfile_t *ca)
{
    char h[256];
    snprintf(h, sizeof h, "%s", host);
    size_t n = strlen(h);
    if (n && h[n - 1] == '.')
        h[n - 1] = '\0';
    if (!mqtls_diag_host_is_aws_iot(h)) /* not S3 or another amazonaws.com service */
        return;
    if (!ca || !ca->read_ok || ca->why[0]) {
        tool_check_mark(c, CK_WARN, "--host %s is an AWS IoT endpoint: give --cafile to check its root", host);
        return;
    }
    const char *first_dot = strchr(h, '.');
    size_t label = first_dot ? (size_t)(first_dot - h) : n;
    bool ats = label >= 4 && strncasecmp(h + label - 4, "-ats", 4) == 0;
    bool amazon = false, starfield = false, verisign = false;
    size_t n_ca = 0;
    for (size_t i = 0; i < ca->n_objs; i++) {
        const tool_obj_t *o = &ca->objs[i];
        char s[512];
        if (o->kind != TOOL_OBJ_CERT)
            continue;
        n_ca++;
        tool_cert_subject(o->crt, s, sizeof s);
        if (strstr(s, "CN=Amazon Root CA 1") || strstr(s, "CN=Amazon Root CA 3"))
            amazon = true;
        else if (strstr(s, "Starfield Services Root Certificate Authority - G2"))
            starfield = true;
        else if (strstr(s, "VeriSign Class 3 Public Primary Certification Authority - G5"))
            verisign = true;
    }
    if (ats) {
        if (amazon || starfield) {
            tool_check_mark(c, CK_OK, "--host %s is an AWS IoT ATS endpoint, and the CA file holds %s", host,
                            amazon ? "Amazon Root CA 1/3" : "Starfield Services Root G2");
        } else if (verisign && n_ca == 1) {
            tool_check_mark(c, CK_WARN, "--host %s is an AWS IoT ATS endpoint, but the CA file holds only the "
                            "VeriSign Class 3 G5 root of the legacy endpoints", host);
            tool_check_evid(c, "ATS endpoints chain to Amazon Root CA 1 (RSA) or 3 (ECC), cross-signed by "
                            "Starfield G2: trust AmazonRootCA1.pem (https://www.amazontrust.com/repository/)");
        } else {
            tool_check_mark(c, CK_WARN, "--host %s is an AWS IoT ATS endpoint, but the CA file holds none of "
                            "Amazon Root CA 1/3 or Starfield Services Root G2", host);
            tool_check_evid(c, "the handshake will fail with 'server certificate not trusted': trust "
                            "AmazonRootCA1.pem (https://www.amazontrust.com/repository/)");
        }
    } else if (verisign) {
        tool_check_mark(c, CK_WARN, "--host %s is a legacy (non-ATS) AWS IoT endpoint: it chains to VeriSign "
                        "Class 3 G5, which the CA file holds, but AWS recommends the -ats endpoint", host);
        tool_check_evid(c, "`aws iot describe-endpoint --endpoint-type iot:Data-ATS` gives its name; it "
                        "chains to Amazon Root CA 1/3");
    } else {
        tool_check_mark(c, CK_WARN, "--host %s looks like a legacy (non-ATS) AWS IoT endpoint, which chains "
                        "to VeriSign Class 3 G5: the CA file does not hold it", host);
        tool_check_evid(c, "use the -ats endpoint (`aws iot describe-endpoint --endpoint-type "
                        "iot:Data-ATS`), which chains to Amazon Root CA 1/3%s",
                        amazon || starfield ? " (in the CA file)" : "");
    }
}
