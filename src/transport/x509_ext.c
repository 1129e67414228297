/**
 * @file x509_ext.c
 * @brief Walking a certificate's extensions for what Mbed TLS 2.28 does not parse.
 */
#include "mqtls/x509.h"

#include <string.h>

#include <mbedtls/asn1.h>

#include "tls_compat.h"

#define SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

bool mqtls_x509_find_extension(const mbedtls_x509_crt *crt, const uint8_t *oid, size_t oid_len,
                               const unsigned char **val, size_t *len)
{
    /* Extensions ::= SEQUENCE OF SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
     *                                       extnValue OCTET STRING } */
    const mbedtls_x509_buf *ext = &COMPAT_CRT_V3_EXT(crt);
    unsigned char *p = ext->p, *end = ext->p + ext->len;
    size_t n;
    if (!p || mbedtls_asn1_get_tag(&p, end, &n, SEQ))
        return false;
    end = p + n;
    while (p < end) {
        if (mbedtls_asn1_get_tag(&p, end, &n, SEQ))
            return false;
        unsigned char *ext_end = p + n;
        if (mbedtls_asn1_get_tag(&p, ext_end, &n, MBEDTLS_ASN1_OID))
            return false;
        if (n != oid_len || memcmp(p, oid, n) != 0) {
            p = ext_end;
            continue;
        }
        p += n;
        int critical;
        (void)mbedtls_asn1_get_bool(&p, ext_end, &critical);
        if (mbedtls_asn1_get_tag(&p, ext_end, &n, MBEDTLS_ASN1_OCTET_STRING))
            return false;
        *val = p;
        *len = n;
        return true;
    }
    return false;
}

bool mqtls_x509_has_ip_san(const mbedtls_x509_crt *crt, const uint8_t *ip, size_t ip_len)
{
    static const uint8_t san_oid[] = {0x55, 0x1D, 0x11};
    const unsigned char *v;
    size_t n;
    if (!mqtls_x509_find_extension(crt, san_oid, sizeof san_oid, &v, &n))
        return false;
    unsigned char *p = (unsigned char *)v, *end = p + n;
    if (mbedtls_asn1_get_tag(&p, end, &n, SEQ))
        return false;
    end = p + n;
    while (p < end) { /* GeneralName: [7] iPAddress OCTET STRING */
        unsigned char tag = *p++;
        if (mbedtls_asn1_get_len(&p, end, &n))
            return false;
        if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && n == ip_len && !memcmp(p, ip, ip_len))
            return true;
        p += n;
    }
    return false;
}
