/**
 * @file devices.c
 * @brief Device profiles for `mqtls doctor --device`: what a device's TLS stack offers and
 *        accepts, one row per stack, each fact with the document it comes from.
 *
 * A host library's table (libmqtls-diag): a device does not check itself against other
 * devices' profiles, the host that diagnoses it does. Where no source says a value, the
 * profile says "unknown" (NULL, -1) and the doctor says it could not check that; nothing
 * here is inferred from another chip or from what "usually" holds. docs/doctor.md has the
 * same table with the full citations (repositories and commits of the TI header copies).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mqtls/diagnose.h"

#define UNKNOWN_FACT {NULL, NULL}

/* The CC3200's default SL_SEC_MASK (bits 0-9, host driver 1.0.1.6) without RC4 and MD5,
 * which OpenSSL 3 cannot offer: bits 2, 3, 4, 6, 7, 8, 9. */
#define CC3200_SUITES                                                                          \
    "TLS_RSA_WITH_AES_256_CBC_SHA:TLS_DHE_RSA_WITH_AES_256_CBC_SHA:"                           \
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:TLS_RSA_WITH_AES_128_CBC_SHA256:"                      \
    "TLS_RSA_WITH_AES_256_CBC_SHA256:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:"                   \
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"

/* The CC3220's default SL_SEC_MASK (bits 0-22) without RC4 and MD5: the CC3200's and bits
 * 10-22 (ECDHE-ECDSA CBC, AES-GCM, ChaCha20-Poly1305). */
#define CC3220_SUITES                                                                          \
    CC3200_SUITES ":TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:" \
    "TLS_RSA_WITH_AES_128_GCM_SHA256:TLS_RSA_WITH_AES_256_GCM_SHA384:"                         \
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256:TLS_DHE_RSA_WITH_AES_256_GCM_SHA384:"                 \
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:"             \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:"         \
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:"                                           \
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"

/* The suites of config/mbedtls_device.h, TLS 1.3's and 1.2's (Mbed TLS 3.6's default order). */
#define MBEDTLS_DEVICE_SUITES                                                                  \
    "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:"                                           \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:"         \
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"

#define TI_SOCK_3220                                                                           \
    "TI CC32xx SDK sl_socket.h (zephyrproject-rtos/hal_ti "                                    \
    "simplelink/source/ti/drivers/net/wifi/sl_socket.h)"
#define TI_SOCK_3200                                                                           \
    "TI CC3200 SDK socket.h, host driver 1.0.1.6 (SiarheiVolkau/CC3200-Linux-SDK "             \
    "src/simplelink/include/socket.h)"

static const mqtls_device_profile_t profiles[] = {
    {"cc3220", "TI SimpleLink CC3220 (CC32xx SDK, TLS in the network processor)",
     MQTLS_DEVSTACK_CC3220, MQTLS_TLS_V1_2, CC3220_SUITES, true, true,
     -1, -1, -1, NULL, -1, -1, -1,
     {"TLS 1.2 at most: TI's methods end at SL_SO_SEC_METHOD_TLSV1_2; mqtls's port sets "
      "TLS 1.2", TI_SOCK_3220},
     {"the default SL_SEC_MASK_SECURE_DEFAULT, bits 0-22 (RC4, AES-CBC, AES-GCM, "
      "ChaCha20-Poly1305; RSA, DHE-RSA, ECDHE-RSA, ECDHE-ECDSA)", TI_SOCK_3220},
     UNKNOWN_FACT,
     {"files by name; the CA file DER or PEM", "TI SWRU455M Table 8-4 (-456: 'Check if it "
      "is a valid DER/PEM CA file')"},
     UNKNOWN_FACT,
     {"the CA file, and a trusted-root catalog TI signs: a root not in it gives -468 "
      "(connected, root CA unknown); the development catalog certcatalogPlayGround20160911 "
      "holds no real root", "TI CC32xx SDK errors.h (SL_ERROR_BSD_ESECUNKNOWNROOTCA); TI E2E "
      "forum threads 633280, 845863, 1563121 (e2e.ti.com, wi-fi forum)"},
     UNKNOWN_FACT,
     {"SL_SO_SECURE_ALPN (40), a bitmap of h1/h2 names; SL_SO_SECURE_ALPN_GENERAL (44), one "
      "name by string, in newer SDKs", TI_SOCK_3220},
     UNKNOWN_FACT},
    {"cc3200", "TI SimpleLink CC3200 (CC3200 SDK 1.x, TLS in the network processor)",
     MQTLS_DEVSTACK_CC3200, MQTLS_TLS_V1_2, CC3200_SUITES, false, false,
     -1, -1, -1, NULL, -1, -1, -1,
     {"TLS 1.2 at most: TI's methods end at SL_SO_SEC_METHOD_TLSV1_2 (SSLv3 to TLS 1.2 by "
      "default); mqtls's port sets TLS 1.2", TI_SOCK_3200},
     {"the default SL_SEC_MASK_SECURE_DEFAULT, bits 0-9: RC4, AES-CBC (SHA, SHA256); no "
      "AES-GCM, no ChaCha20", TI_SOCK_3200 "; TI CC3200 SDK 1.5.0 example/ssl/README.html"},
     UNKNOWN_FACT,
     {"files by name, or by id as /cert/<id>.der; no TI document says whether PEM is "
      "refused", "TI SimpleLink Programmer v0.5 readme (2014): '/cert/%d.der'"},
     UNKNOWN_FACT,
     {"the CA file only: no catalog (the SDK defines no -467/-468)", TI_SOCK_3200},
     UNKNOWN_FACT,
     {"none: the CC3200 SDK has no ALPN option", TI_SOCK_3200},
     UNKNOWN_FACT},
    {"mbedtls-device", "mqtls's Mbed TLS backend over Mbed TLS 3.6 in the project's device "
     "configuration (config/mbedtls_device.h)",
     MQTLS_DEVSTACK_MBEDTLS, MQTLS_TLS_V1_3, MBEDTLS_DEVICE_SUITES, true, false,
     0, 4096, 0, " P-256 P-384 ", 0, 8, 4096,
     {"TLS 1.2 and 1.3 (MBEDTLS_SSL_PROTO_TLS1_2, MBEDTLS_SSL_PROTO_TLS1_3); with "
      "max_fragment_len, TLS 1.2 only", "config/mbedtls_device.h; "
      "src/tls/mbedtls/creds_mbedtls.c versions()"},
     {"ECDHE with ECDSA or RSA, AES-GCM only (MBEDTLS_KEY_EXCHANGE_ECDHE_*_ENABLED, "
      "MBEDTLS_GCM_C; no CBC, no ChaCha20); TLS 1.3: TLS_AES_128_GCM_SHA256, "
      "TLS_AES_256_GCM_SHA384", "config/mbedtls_device.h"},
     {"RSA up to 4096 bits (MBEDTLS_MPI_MAX_SIZE 512 bytes); EC on P-256 and P-384 only "
      "(MBEDTLS_ECP_DP_SECP256R1/384R1_ENABLED); no EdDSA (MBEDTLS_ERR_PK_UNKNOWN_PK_ALG); no "
      "encrypted key (no PKCS#5, no PEM ciphers)", "config/mbedtls_device.h; Mbed TLS 3.6 pk.h "
      "(mbedtls_pk_type_t)"},
     {"PEM or DER", "config/mbedtls_device.h (MBEDTLS_PEM_PARSE_C)"},
     {"8 intermediate CAs (MBEDTLS_X509_MAX_INTERMEDIATE_CA, the default)", "Mbed TLS 3.6 x509.h"},
     {"the CA file", "src/tls/mbedtls/creds_mbedtls.c (mbedtls_ssl_conf_ca_chain)"},
     {"sent: mbedtls_ssl_set_hostname", "src/tls/mbedtls/tls_mbedtls.c; config/mbedtls_device.h "
      "MBEDTLS_SSL_SERVER_NAME_INDICATION"},
     {"yes", "config/mbedtls_device.h (MBEDTLS_SSL_ALPN)"},
     {"records of up to 4096 bytes of content in (MBEDTLS_SSL_IN_CONTENT_LEN: the server's "
      "Certificate message and each MQTT packet it sends over TLS 1.3 must fit), 2048 out "
      "(MBEDTLS_SSL_OUT_CONTENT_LEN: our Certificate message must fit)",
      "config/mbedtls_device.h"}},
    {"openssl", "OpenSSL 3.0 as Debian 12 builds it (security level 2)",
     MQTLS_DEVSTACK_OPENSSL, MQTLS_TLS_V1_3, NULL, true, false,
     2048, 0, 224, "*", 1, 100, 102400,
     {"TLS 1.2 and 1.3 (mqtls's backend: TLS 1.2 at least)", "src/tls/openssl/"},
     {"OpenSSL's DEFAULT list", "openssl ciphers -s DEFAULT (Debian 12)"},
     {"RSA of 2048 bits or more, EC of 224 bits or more, Ed25519: level 2 prohibits RSA "
      "keys shorter than 2048 bits and ECC keys shorter than 224 bits (SSL_R_EE_KEY_TOO_SMALL)",
      "OpenSSL SSL_CTX_set_security_level(3); Debian 12 builds OPENSSL_TLS_SECURITY_LEVEL=2 "
      "('openssl version -a')"},
     {"PEM or DER", "mqtls's OpenSSL backend (src/tls/openssl/)"},
     {"100 intermediate CAs (the default verify depth)", "OpenSSL SSL_CTX_set_verify(3)"},
     {"the CA file (and the system's store with --tls-use-os-certs)", "src/tls/openssl/"},
     {"sent", "src/tls/openssl/"},
     {"yes", "src/tls/openssl/"},
     {"the server's certificate chain up to 100 kB (the default max_cert_list)",
      "OpenSSL SSL_CTX_set_max_cert_list(3)"}},
};

#define N_PROFILES (sizeof profiles / sizeof profiles[0])

const mqtls_device_profile_t *mqtls_device_profile(const char *name)
{
    for (size_t i = 0; name && i < N_PROFILES; i++)
        if (strcasecmp(profiles[i].name, name) == 0)
            return &profiles[i];
    return NULL;
}

const mqtls_device_profile_t *mqtls_device_profile_at(size_t i)
{
    return i < N_PROFILES ? &profiles[i] : NULL;
}

static mqtls_device_verdict_t say(const char **why, const char *words, mqtls_device_verdict_t v)
{
    if (why)
        *why = words;
    return v;
}

static mqtls_device_verdict_t rsa_verdict(const mqtls_device_profile_t *p, int bits,
                                          const char **why)
{
    if (p->rsa_min < 0 || p->rsa_max < 0)
        return say(why, "no source gives the RSA key sizes it takes", MQTLS_DEVICE_UNKNOWN);
    if (p->rsa_min && bits < p->rsa_min)
        return say(why, "RSA key shorter than the profile's minimum", MQTLS_DEVICE_REFUSES);
    if (p->rsa_max && bits > p->rsa_max)
        return say(why, "RSA key longer than the profile's maximum", MQTLS_DEVICE_REFUSES);
    return say(why, "RSA key within the profile's sizes", MQTLS_DEVICE_TAKES);
}

static mqtls_device_verdict_t ec_verdict(const mqtls_device_profile_t *p, const char *curve,
                                         int bits, const char **why)
{
    char word[48];
    if (!p->curves || p->ec_min < 0)
        return say(why, "no source gives the curves it takes", MQTLS_DEVICE_UNKNOWN);
    if (p->ec_min && bits < p->ec_min)
        return say(why, "EC key shorter than the profile's minimum", MQTLS_DEVICE_REFUSES);
    snprintf(word, sizeof word, " %s ", curve);
    if (strcmp(p->curves, "*") != 0 && !strstr(p->curves, word))
        return say(why, "a curve the profile's library does not enable", MQTLS_DEVICE_REFUSES);
    return say(why, "a curve the profile takes", MQTLS_DEVICE_TAKES);
}

mqtls_device_verdict_t mqtls_device_key_verdict(const mqtls_device_profile_t *p,
                                                const char *key, int bits, const char **why)
{
    if (!p || !key)
        return say(why, "no key", MQTLS_DEVICE_UNKNOWN);
    if (strncmp(key, "RSA ", 4) == 0)
        return rsa_verdict(p, bits, why);
    if (strncmp(key, "EC ", 3) == 0)
        return ec_verdict(p, key + 3, bits, why);
    if (strcmp(key, "Ed25519") == 0) {
        if (p->ed25519 < 0)
            return say(why, "no source says whether it takes Ed25519", MQTLS_DEVICE_UNKNOWN);
        return p->ed25519 ? say(why, "Ed25519 is taken", MQTLS_DEVICE_TAKES)
                          : say(why, "the library has no EdDSA", MQTLS_DEVICE_REFUSES);
    }
    return say(why, "a key type the profile does not describe", MQTLS_DEVICE_UNKNOWN);
}

mqtls_device_verdict_t mqtls_device_cert_msg_verdict(const mqtls_device_profile_t *p,
                                                     long bytes)
{
    if (!p || p->max_cert_msg < 0 || bytes < 0)
        return MQTLS_DEVICE_UNKNOWN;
    return p->max_cert_msg && bytes > p->max_cert_msg ? MQTLS_DEVICE_REFUSES
                                                      : MQTLS_DEVICE_TAKES;
}

mqtls_device_verdict_t mqtls_device_depth_verdict(const mqtls_device_profile_t *p,
                                                  int intermediates)
{
    if (!p || p->max_intermediates < 0 || intermediates < 0)
        return MQTLS_DEVICE_UNKNOWN;
    return intermediates > p->max_intermediates ? MQTLS_DEVICE_REFUSES : MQTLS_DEVICE_TAKES;
}
