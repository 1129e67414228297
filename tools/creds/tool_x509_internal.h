/**
 * @file tool_x509_internal.h
 * @brief What the files of the credential reader share: tool_x509_read.c frames a file
 *        (PEM blocks, or one DER object) and tool_x509_obj.c parses each object.
 */
#ifndef TOOL_X509_INTERNAL_H
#define TOOL_X509_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "creds/tool_x509.h"

/** The outer element of a DER object as its header declares it. */
typedef struct der_shape {
    bool seq;       /* a definite-length SEQUENCE */
    size_t total;   /* its declared size, header included */
} der_shape_t;

/** The outer element of @p n bytes at @p p as its header declares it (read by
 *  ASN1_get_object without parsing the rest): how long a truncated object should be. */
der_shape_t tool_obj_der_shape(const unsigned char *p, size_t n);

/** Frees what @p o holds (keys are wiped) and clears its pointers. */
void tool_obj_free(tool_obj_t *o);

/** Marks @p o BROKEN, with why in words. */
void tool_obj_set_broken(tool_obj_t *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Parses o->der as what o->kind says (a PEM block's label); BROKEN with why when it does
 *  not. @p pass (may be NULL) opens an encrypted PKCS#8 key. */
void tool_obj_parse_der(tool_obj_t *o, const char *pass);

/**
 * A key encrypted the traditional PEM way (Proc-Type/DEK-Info in @p header): @p data is the
 * decoded body (@p len bytes), decrypted here when @p pass is given (and then wiped).
 */
void tool_obj_pem_encrypted(tool_obj_t *o, char *header, unsigned char *data, long len,
                            const char *pass);

/**
 * Which structure the DER object @p o is: OpenSSL's parsers in turn, the first that takes
 * it whole decides (o->kind, o->form). @p cert_err: why it is not a certificate, in
 * OpenSSL's words. @return false when none takes it
 */
bool tool_obj_classify_der(tool_obj_t *o, const char *pass, char *cert_err, size_t size);

/** Whether @p o is an X.509 CRL (a DER file that is none of the objects read). */
bool tool_obj_is_crl(const tool_obj_t *o);

#endif
