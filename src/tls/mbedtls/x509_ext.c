/**
 * @file x509_ext.c
 * @brief Walking a certificate's extensions for what Mbed TLS 2.28 does not parse, and
 *        telling DER structures apart by their shape (see x509_ext.h).
 */
#include "x509_ext.h"

#include <string.h>

#include <mbedtls/asn1.h>


#define SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

static const uint8_t oid_san[] = {0x55, 0x1D, 0x11};
static const uint8_t oid_key_usage[] = {0x55, 0x1D, 0x0F};
static const uint8_t oid_basic_constraints[] = {0x55, 0x1D, 0x13};
static const uint8_t oid_eku[] = {0x55, 0x1D, 0x25};

bool mqtls__x509_find_extension(const mbedtls_x509_crt *crt, const uint8_t *oid, size_t oid_len,
                               const unsigned char **val, size_t *len)
{
    /* Extensions ::= SEQUENCE OF SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
     *                                       extnValue OCTET STRING } */
    const mbedtls_x509_buf *ext = &crt->v3_ext;
    if (!ext->p) /* an X.509 v1 certificate has no extensions */
        return false;
    unsigned char *p = ext->p, *end = ext->p + ext->len;
    size_t n;
    if (mbedtls_asn1_get_tag(&p, end, &n, SEQ))
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

/* The next element (any tag) of the SEQUENCE that is the value of extension @p oid. */
static bool seq_next(const mbedtls_x509_crt *crt, const uint8_t *oid, size_t oid_len,
                     mqtls_x509_iter_t *it, unsigned char *tag, const unsigned char **val,
                     size_t *len)
{
    if (!it->started) {
        const unsigned char *v;
        size_t n;
        it->started = true;
        it->malformed = false;
        it->p = it->end = NULL;
        if (!mqtls__x509_find_extension(crt, oid, oid_len, &v, &n))
            return false;
        unsigned char *p = (unsigned char *)v;
        if (mbedtls_asn1_get_tag(&p, v + n, &n, SEQ)) {
            it->malformed = true;
            return false;
        }
        it->p = p;
        it->end = p + n;
    }
    if (!it->p || it->p >= it->end)
        return false;
    unsigned char *p = (unsigned char *)it->p;
    size_t n;
    *tag = *p++;
    if (mbedtls_asn1_get_len(&p, it->end, &n)) {
        it->malformed = true;
        it->p = it->end;
        return false;
    }
    *val = p;
    *len = n;
    it->p = p + n;
    return true;
}

bool mqtls__x509_san_next(const mbedtls_x509_crt *crt, mqtls_x509_iter_t *it,
                         mqtls_x509_san_t *san)
{
    unsigned char tag;
    if (!seq_next(crt, oid_san, sizeof oid_san, it, &tag, &san->val, &san->len))
        return false;
    /* GeneralName: context-specific tags [0]..[8], constructed for otherName, x400Address,
     * directoryName and ediPartyName. */
    if ((tag & 0xC0) != MBEDTLS_ASN1_CONTEXT_SPECIFIC || (tag & 0x1F) > MQTLS_X509_SAN_RID) {
        it->malformed = true;
        it->p = it->end;
        return false;
    }
    san->type = tag & 0x1F;
    return true;
}

bool mqtls__x509_has_ip_san(const mbedtls_x509_crt *crt, const uint8_t *ip, size_t ip_len)
{
    mqtls_x509_iter_t it = {0};
    mqtls_x509_san_t san;
    while (mqtls__x509_san_next(crt, &it, &san))
        if (san.type == MQTLS_X509_SAN_IP && san.len == ip_len && !memcmp(san.val, ip, ip_len))
            return true;
    return false;
}

bool mqtls__x509_eku_next(const mbedtls_x509_crt *crt, mqtls_x509_iter_t *it,
                         const unsigned char **oid, size_t *oid_len)
{
    unsigned char tag;
    if (!seq_next(crt, oid_eku, sizeof oid_eku, it, &tag, oid, oid_len))
        return false;
    if (tag != MBEDTLS_ASN1_OID) {
        it->malformed = true;
        it->p = it->end;
        return false;
    }
    return true;
}

bool mqtls__x509_key_usage(const mbedtls_x509_crt *crt, uint32_t *bits)
{
    const unsigned char *v;
    size_t n;
    if (!mqtls__x509_find_extension(crt, oid_key_usage, sizeof oid_key_usage, &v, &n))
        return false;
    unsigned char *p = (unsigned char *)v;
    mbedtls_asn1_bitstring bs;
    if (mbedtls_asn1_get_bitstring(&p, v + n, &bs) || bs.len < 1)
        return false;
    /* As Mbed TLS's own parser: the first byte is the low byte (digitalSignature = 0x80). */
    *bits = 0;
    for (size_t i = 0; i < bs.len && i < 4; i++)
        *bits |= (uint32_t)bs.p[i] << (8 * i);
    return true;
}

bool mqtls__x509_basic_constraints(const mbedtls_x509_crt *crt, bool *ca, int *path_len)
{
    const unsigned char *v;
    size_t n;
    if (!mqtls__x509_find_extension(crt, oid_basic_constraints, sizeof oid_basic_constraints,
                                   &v, &n))
        return false;
    unsigned char *p = (unsigned char *)v, *end;
    if (mbedtls_asn1_get_tag(&p, v + n, &n, SEQ))
        return false;
    end = p + n;
    int is_ca = 0, len = -1;
    if (p < end && *p == MBEDTLS_ASN1_BOOLEAN && mbedtls_asn1_get_bool(&p, end, &is_ca))
        return false;
    if (p < end && (mbedtls_asn1_get_int(&p, end, &len) || len < 0))
        return false;
    if (p != end)
        return false;
    *ca = is_ca != 0;
    *path_len = len;
    return true;
}

/* The outer header: a SEQUENCE tag and a definite length (short form or 1..4 bytes). */
static bool outer_header(const unsigned char *der, size_t len, size_t *hdr, size_t *body)
{
    if (len < 2 || der[0] != SEQ)
        return false;
    if (der[1] < 0x80) {
        *hdr = 2;
        *body = der[1];
        return true;
    }
    size_t nb = der[1] & 0x7F;
    if (nb == 0 || nb > 4 || len < 2 + nb)
        return false;
    size_t v = 0;
    for (size_t i = 0; i < nb; i++)
        v = (v << 8) | der[2 + i];
    *hdr = 2 + nb;
    *body = v;
    return true;
}

mqtls_x509_der_kind_t mqtls__x509_der_kind(const unsigned char *der, size_t len, size_t *total)
{
    size_t hdr, body;
    if (total)
        *total = 0;
    if (!der || !outer_header(der, len, &hdr, &body))
        return MQTLS_X509_DER_UNKNOWN;
    if (total)
        *total = hdr + body;
    if (body > len - hdr)
        return MQTLS_X509_DER_TRUNCATED;

    unsigned char *p = (unsigned char *)der + hdr, *end = p + body;
    unsigned char tags[3] = {0, 0, 0};
    int count = 0;
    /* The tags of the first three elements. */
    while (p < end && count < 3) {
        size_t n;
        tags[count] = *p++;
        if (mbedtls_asn1_get_len(&p, end, &n))
            return MQTLS_X509_DER_UNKNOWN;
        p += n;
        count++;
    }
    const unsigned char INT = MBEDTLS_ASN1_INTEGER, OCT = MBEDTLS_ASN1_OCTET_STRING,
                        BIT = MBEDTLS_ASN1_BIT_STRING;
    if (count >= 3 && tags[0] == SEQ && tags[1] == SEQ && tags[2] == BIT)
        return MQTLS_X509_DER_SIGNED;
    if (count >= 3 && tags[0] == INT && tags[1] == INT && tags[2] == INT)
        return MQTLS_X509_DER_KEY_PKCS1;
    if (count == 2 && tags[0] == INT && tags[1] == INT)
        return MQTLS_X509_DER_PUB_PKCS1;
    if (count >= 2 && tags[0] == INT && tags[1] == OCT)
        return MQTLS_X509_DER_KEY_SEC1;
    if (count >= 3 && tags[0] == INT && tags[1] == SEQ && tags[2] == OCT)
        return MQTLS_X509_DER_KEY_PKCS8;
    if (count == 2 && tags[0] == SEQ && tags[1] == OCT)
        return MQTLS_X509_DER_KEY_PKCS8_ENC;
    if (count == 2 && tags[0] == SEQ && tags[1] == BIT)
        return MQTLS_X509_DER_PUB_SPKI;
    return MQTLS_X509_DER_UNKNOWN;
}
