/**
 * @file compat.h
 * @brief Every Mbed TLS call whose form differs between 2.28 and 3.x, in one place.
 */
#ifndef MQTLS_TLS_COMPAT_H
#define MQTLS_TLS_COMPAT_H

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define COMPAT_PK_PARSE_KEY(pk, buf, len, pw, pwlen, drbg)                                      \
    mbedtls_pk_parse_key(pk, buf, len, pw, pwlen, mbedtls_ctr_drbg_random, drbg)
#define COMPAT_PK_CHECK_PAIR(pub, prv, drbg)                                                    \
    mbedtls_pk_check_pair(pub, prv, mbedtls_ctr_drbg_random, drbg)
#define COMPAT_CLIENT_AUTH_REQUESTED(ssl) 0 /* no accessor in 3.x: not told yet (the 3.6 port) */
#else
#define COMPAT_PK_PARSE_KEY(pk, buf, len, pw, pwlen, drbg)                                      \
    ((void)(drbg), mbedtls_pk_parse_key(pk, buf, len, pw, pwlen))
#define COMPAT_PK_CHECK_PAIR(pub, prv, drbg) ((void)(drbg), mbedtls_pk_check_pair(pub, prv))
#define COMPAT_CLIENT_AUTH_REQUESTED(ssl) ((ssl)->client_auth)
#endif

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define COMPAT_SHA256(in, len, out) mbedtls_sha256(in, len, out, 0)
#define COMPAT_CRT_V3_EXT(crt) ((crt)->MBEDTLS_PRIVATE(v3_ext))
#define COMPAT_CRT_SIG_MD(crt) ((crt)->MBEDTLS_PRIVATE(sig_md))
#define COMPAT_CRT_SIG_PK(crt) ((crt)->MBEDTLS_PRIVATE(sig_pk))
#define COMPAT_PK_EC_GROUP_ID(pk) (mbedtls_pk_ec(*(pk))->MBEDTLS_PRIVATE(grp).id)
#else
#define COMPAT_SHA256(in, len, out) mbedtls_sha256_ret(in, len, out, 0)
#define COMPAT_CRT_V3_EXT(crt) ((crt)->v3_ext)
#define COMPAT_CRT_SIG_MD(crt) ((crt)->sig_md)
#define COMPAT_CRT_SIG_PK(crt) ((crt)->sig_pk)
#define COMPAT_PK_EC_GROUP_ID(pk) (mbedtls_pk_ec(*(pk))->grp.id)
#endif

/* TLS 1.3 needs Mbed TLS 3.x built with MBEDTLS_SSL_PROTO_TLS1_3. */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define COMPAT_HAS_TLS13 1
#else
#define COMPAT_HAS_TLS13 0
#endif

/* Sets the version range; 2.28 counts TLS 1.2 as minor version 3. */
static inline void compat_conf_versions(mbedtls_ssl_config *conf, int min12, int max12)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_ssl_conf_min_tls_version(conf, min12 == 13 ? MBEDTLS_SSL_VERSION_TLS1_3
                                                       : MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, max12 == 13 ? MBEDTLS_SSL_VERSION_TLS1_3
                                                       : MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, min12 - 9);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, max12 - 9);
#endif
}

#endif
