/**
 * @file x509_ext.h
 * @brief X.509 helpers on Mbed TLS shared by the TLS transport and the tools.
 *
 * Mbed TLS 2.28 parses only some certificate extensions, and lists only dNSName and
 * otherName subjectAltNames. These helpers read what it leaves out directly from the
 * certificate's DER (nothing is allocated; results point into the certificate), and tell
 * the common DER structures of certificates and keys apart by their shape.
 */
#ifndef MQTLS_X509_H
#define MQTLS_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Finds the extension whose OID body is @p oid (e.g. {0x55, 0x1D, 0x11} for
 * subjectAltName) in @p crt. Mbed TLS 2.28 parses only some extensions itself.
 * @return true with *val and *len set to the extnValue contents (inside its OCTET STRING),
 *         pointing into @p crt; false if absent or malformed.
 */
bool mqtls__x509_find_extension(const mbedtls_x509_crt *crt, const uint8_t *oid, size_t oid_len,
                               const unsigned char **val, size_t *len);

/** Does @p crt carry @p ip (4 or 16 bytes) among its iPAddress subjectAltNames? */
bool mqtls__x509_has_ip_san(const mbedtls_x509_crt *crt, const uint8_t *ip, size_t ip_len);

/** @name GeneralName types (RFC 5280 tag numbers) of subjectAltName entries */
/**@{*/
#define MQTLS_X509_SAN_OTHER 0   /**< otherName */
#define MQTLS_X509_SAN_EMAIL 1   /**< rfc822Name (IA5String) */
#define MQTLS_X509_SAN_DNS 2     /**< dNSName (IA5String) */
#define MQTLS_X509_SAN_X400 3    /**< x400Address */
#define MQTLS_X509_SAN_DIRNAME 4 /**< directoryName (a Name, DER) */
#define MQTLS_X509_SAN_EDI 5     /**< ediPartyName */
#define MQTLS_X509_SAN_URI 6     /**< uniformResourceIdentifier (IA5String) */
#define MQTLS_X509_SAN_IP 7      /**< iPAddress: 4 or 16 bytes */
#define MQTLS_X509_SAN_RID 8     /**< registeredID (OID body) */
/**@}*/

/**
 * Walks the entries of a SEQUENCE-valued extension (subjectAltName, extendedKeyUsage).
 * Zero it (`mqtls_x509_iter_t it = {0}`) before the first call.
 */
typedef struct mqtls_x509_iter {
    const unsigned char *p;
    const unsigned char *end;
    bool started;
    bool malformed; /**< the walk stopped at an entry that does not parse */
} mqtls_x509_iter_t;

/** One subjectAltName entry. */
typedef struct mqtls_x509_san {
    int type;                 /**< MQTLS_X509_SAN_* */
    const unsigned char *val; /**< the entry's contents, pointing into the certificate */
    size_t len;
} mqtls_x509_san_t;

/**
 * The next subjectAltName entry of @p crt (every GeneralName type, in certificate order).
 * @return true with *san filled; false at the end, when there is no subjectAltName, or when
 *         the extension is malformed (then it->malformed is set).
 */
bool mqtls__x509_san_next(const mbedtls_x509_crt *crt, mqtls_x509_iter_t *it,
                         mqtls_x509_san_t *san);

/**
 * The next KeyPurposeId of @p crt's extendedKeyUsage.
 * @return true with *oid / *oid_len (the OID body, pointing into @p crt); false at the end,
 *         when there is no extendedKeyUsage, or when it is malformed (it->malformed).
 */
bool mqtls__x509_eku_next(const mbedtls_x509_crt *crt, mqtls_x509_iter_t *it,
                         const unsigned char **oid, size_t *oid_len);

/**
 * The keyUsage bits of @p crt as Mbed TLS numbers them (MBEDTLS_X509_KU_DIGITAL_SIGNATURE
 * 0x80 ... MBEDTLS_X509_KU_DECIPHER_ONLY 0x8000).
 * @return true with *bits; false when absent or malformed.
 */
bool mqtls__x509_key_usage(const mbedtls_x509_crt *crt, uint32_t *bits);

/**
 * The basicConstraints of @p crt.
 * @return true with *ca and *path_len (-1: no pathLenConstraint); false when absent or
 *         malformed.
 */
bool mqtls__x509_basic_constraints(const mbedtls_x509_crt *crt, bool *ca, int *path_len);

/** The shape of a DER object, from its first elements (see mqtls__x509_der_kind()). */
typedef enum mqtls__x509_der_kind {
    MQTLS_X509_DER_UNKNOWN = 0,   /**< none of the shapes below (or not DER at all) */
    MQTLS_X509_DER_SIGNED,        /**< SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING }: a
                                       certificate, a CSR or a CRL */
    MQTLS_X509_DER_KEY_PKCS1,     /**< RSAPrivateKey (PKCS#1) */
    MQTLS_X509_DER_KEY_SEC1,      /**< ECPrivateKey (SEC1, RFC 5915) */
    MQTLS_X509_DER_KEY_PKCS8,     /**< PrivateKeyInfo (PKCS#8, RFC 5208) */
    MQTLS_X509_DER_KEY_PKCS8_ENC, /**< EncryptedPrivateKeyInfo (PKCS#8) */
    MQTLS_X509_DER_PUB_SPKI,      /**< SubjectPublicKeyInfo ("PUBLIC KEY") */
    MQTLS_X509_DER_PUB_PKCS1,     /**< RSAPublicKey (PKCS#1, "RSA PUBLIC KEY") */
    MQTLS_X509_DER_TRUNCATED      /**< a SEQUENCE whose length runs past the end */
} mqtls_x509_der_kind_t;

/**
 * Tells which DER structure @p der (@p len bytes) holds, by the tags of its outer SEQUENCE
 * and first elements. It does not parse the object: the matching Mbed TLS parser decides
 * whether it is valid.
 * @param total if not NULL: the size of the outer SEQUENCE (header and contents) as its
 *              header declares it, or 0 when @p der does not start with a SEQUENCE. Less
 *              than @p len: bytes follow the object; more (TRUNCATED): bytes are missing.
 */
mqtls_x509_der_kind_t mqtls__x509_der_kind(const unsigned char *der, size_t len, size_t *total);

#ifdef __cplusplus
}
#endif
#endif
