/**
 * @file tool_pki_ext.c
 * @brief The extensions of the certificates `mqtls pki` makes (the table in docs/pki.md),
 *        added from OpenSSL's typed structures with X509_add1_ext_i2d().
 */
#include <stdbool.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"
#include "creds/tool_x509.h"

/* Adds one extension from its typed value; OpenSSL encodes it. */
static bool add_ext(X509 *x, int nid, void *value, bool critical)
{
    return X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) == 1;
}

/* basicConstraints: critical CA:TRUE for the CA; CA:FALSE (an empty SEQUENCE) otherwise. */
static bool set_basic_constraints(X509 *x, bool ca)
{
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
    bool ok = bc != NULL;
    if (ok) {
        bc->ca = ca ? 0xFF : 0;
        ok = add_ext(x, NID_basic_constraints, bc, ca);
    }
    BASIC_CONSTRAINTS_free(bc);
    return ok;
}

/* KeyUsage bit numbers (RFC 5280 4.2.1.3). */
enum {
    KU_DIGITAL_SIGNATURE_BIT = 0,
    KU_KEY_ENCIPHERMENT_BIT = 2,
    KU_KEY_CERT_SIGN_BIT = 5,
    KU_CRL_SIGN_BIT = 6
};

/* keyUsage (critical) with the bits set in @p mask (1 << bit number). */
static bool set_key_usage(X509 *x, unsigned mask)
{
    ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
    bool ok = ku != NULL;
    for (int bit = 0; ok && bit < 9; bit++)
        if (mask & (1u << bit))
            ok = ASN1_BIT_STRING_set_bit(ku, bit, 1) == 1;
    ok = ok && add_ext(x, NID_key_usage, ku, true);
    ASN1_BIT_STRING_free(ku);
    return ok;
}

/* extKeyUsage with one purpose: serverAuth or clientAuth. */
static bool set_eku(X509 *x, int purpose_nid)
{
    EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
    ASN1_OBJECT *oid = OBJ_nid2obj(purpose_nid);
    bool ok = eku && oid && sk_ASN1_OBJECT_push(eku, oid) > 0 &&
              add_ext(x, NID_ext_key_usage, eku, false);
    sk_ASN1_OBJECT_free(eku); /* the OID is OpenSSL's static one */
    return ok;
}

/* Adds @p g to @p gens, or frees it. */
static bool push_name(GENERAL_NAMES *gens, GENERAL_NAME *g)
{
    if (g && sk_GENERAL_NAME_push(gens, g) > 0)
        return true;
    GENERAL_NAME_free(g);
    return false;
}

/* A GeneralName of @p type (GEN_DNS: an IA5String, GEN_IPADD: 4 or 16 bytes). */
static GENERAL_NAME *general_name(int type, const void *value, size_t len)
{
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_STRING *s = ASN1_STRING_type_new(type == GEN_DNS ? V_ASN1_IA5STRING : V_ASN1_OCTET_STRING);
    if (!g || !s || ASN1_STRING_set(s, value, (int)len) != 1) {
        GENERAL_NAME_free(g);
        ASN1_STRING_free(s);
        return NULL;
    }
    GENERAL_NAME_set0_value(g, type, s);
    return g;
}

/* subjectAltName: the --name entries as dNSName, then the --ip entries as iPAddress. */
static bool set_san(X509 *x, const pki_args_t *a)
{
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    bool ok = gens != NULL;
    for (size_t i = 0; ok && i < a->n_names; i++)
        ok = push_name(gens, general_name(GEN_DNS, a->names[i], strlen(a->names[i])));
    for (size_t i = 0; ok && i < a->n_ips; i++)
        ok = push_name(gens, general_name(GEN_IPADD, a->ips[i].addr, a->ips[i].len));
    ok = ok && add_ext(x, NID_subject_alt_name, gens, false);
    GENERAL_NAMES_free(gens);
    return ok;
}

/* The key identifier of @p x's public key: the SHA-1 of its subjectPublicKey bits (RFC 5280
 * 4.2.1.2, method 1), as `openssl x509 -extfile` computes subjectKeyIdentifier=hash. */
static ASN1_OCTET_STRING *key_id(const X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
    if (id && X509_pubkey_digest(x, EVP_sha1(), md, &len) == 1 &&
        ASN1_OCTET_STRING_set(id, md, (int)len) == 1)
        return id;
    ASN1_OCTET_STRING_free(id);
    return NULL;
}

/* authorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] } with the issuer's own
 * subjectKeyIdentifier @p id: chain builders (OpenSSL) match the two byte for byte. */
static bool set_aki(X509 *x, const ASN1_OCTET_STRING *id)
{
    if (!id)
        return true; /* no SKI on the CA: leave the AKI out rather than guess */
    AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
    bool ok = akid && (akid->keyid = ASN1_OCTET_STRING_dup(id)) != NULL &&
              add_ext(x, NID_authority_key_identifier, akid, false);
    AUTHORITY_KEYID_free(akid);
    return ok;
}

/* The extensions of each kind (the table in docs/pki.md). */
bool tool_pki_add_extensions(X509 *x, const pki_spec_t *s)
{
    unsigned ku = 1u << KU_DIGITAL_SIGNATURE_BIT;
    ASN1_OCTET_STRING *ski = key_id(x);
    bool ok = ski && set_basic_constraints(x, s->kind == PKI_INIT) &&
              add_ext(x, NID_subject_key_identifier, ski, false);
    if (s->kind == PKI_INIT) {
        ok = ok && set_key_usage(x, 1u << KU_KEY_CERT_SIGN_BIT | 1u << KU_CRL_SIGN_BIT) &&
             set_aki(x, ski);
    } else {
        /* RSA key exchange (TLS 1.2 RSA suites) encrypts to the server's key. */
        if (s->kind == PKI_SERVER && EVP_PKEY_is_a(s->key, "RSA"))
            ku |= 1u << KU_KEY_ENCIPHERMENT_BIT;
        ok = ok && set_key_usage(x, ku) &&
             set_eku(x, s->kind == PKI_SERVER ? NID_server_auth : NID_client_auth) &&
             (s->kind != PKI_SERVER || set_san(x, s->args)) &&
             set_aki(x, X509_get0_subject_key_id(s->ca));
    }
    ASN1_OCTET_STRING_free(ski);
    return ok;
}
