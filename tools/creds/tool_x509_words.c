/**
 * @file tool_x509_words.c
 * @brief Credential objects and files in words (see tool_x509.h): kinds, key structures,
 *        PEM labels, one object, a whole file.
 */
#include <stdio.h>

#include "common/tool_util.h"
#include "creds/tool_x509.h"
#include "creds/tool_x509_internal.h"

const char *tool_obj_kind_name(tool_obj_kind_t k)
{
    switch (k) {
    case TOOL_OBJ_CERT: return "certificate";
    case TOOL_OBJ_CSR: return "CSR";
    case TOOL_OBJ_PRIVKEY: return "private key";
    case TOOL_OBJ_PUBKEY: return "public key";
    default: return "object";
    }
}

const char *tool_x509_form_name(tool_form_t form)
{
    switch (form) {
    case TOOL_FORM_KEY_PKCS1: return "PKCS#1";
    case TOOL_FORM_KEY_SEC1: return "SEC1";
    case TOOL_FORM_KEY_PKCS8: return "PKCS#8";
    case TOOL_FORM_KEY_PKCS8_ENC: return "PKCS#8";
    case TOOL_FORM_PUB_SPKI: return "SubjectPublicKeyInfo";
    case TOOL_FORM_PUB_PKCS1: return "PKCS#1 RSAPublicKey";
    default: return "";
    }
}

const char *tool_x509_pem_label(tool_obj_kind_t kind, tool_form_t form)
{
    switch (kind) {
    case TOOL_OBJ_CERT: return "CERTIFICATE";
    case TOOL_OBJ_CSR: return "CERTIFICATE REQUEST";
    case TOOL_OBJ_PRIVKEY:
        return form == TOOL_FORM_KEY_PKCS1  ? "RSA PRIVATE KEY"
               : form == TOOL_FORM_KEY_SEC1 ? "EC PRIVATE KEY"
               : form == TOOL_FORM_KEY_PKCS8_ENC ? "ENCRYPTED PRIVATE KEY"
                                                      : "PRIVATE KEY";
    case TOOL_OBJ_PUBKEY: return form == TOOL_FORM_PUB_PKCS1 ? "RSA PUBLIC KEY" : "PUBLIC KEY";
    default: return "";
    }
}

const char *tool_obj_describe(const tool_obj_t *o, char *buf, size_t size)
{
    char key[64];
    switch (o->kind) {
    case TOOL_OBJ_CERT:
        snprintf(buf, size, "certificate");
        break;
    case TOOL_OBJ_CSR:
        snprintf(buf, size, "certificate signing request (CSR)");
        break;
    case TOOL_OBJ_PRIVKEY:
        if (o->pk_ok)
            tool_x509_describe_key(o->pk, key, sizeof key);
        else
            snprintf(key, sizeof key, "%s", o->form == TOOL_FORM_KEY_PKCS1 ? "RSA"
                                            : o->form == TOOL_FORM_KEY_SEC1 ? "EC" : "");
        if (o->decrypted)
            snprintf(buf, size, "%s%sprivate key (%s, decrypted from %s)", key, *key ? " " : "",
                     tool_x509_form_name(o->form), o->enc_alg);
        else if (o->encrypted)
            snprintf(buf, size, "%s%sprivate key (%s, encrypted: %s)", key, *key ? " " : "",
                     tool_x509_form_name(o->form), o->enc_alg);
        else
            snprintf(buf, size, "%s%sprivate key (%s)", key, *key ? " " : "",
                     tool_x509_form_name(o->form));
        break;
    case TOOL_OBJ_PUBKEY:
        if (o->pk_ok)
            tool_x509_describe_key(o->pk, key, sizeof key);
        else
            key[0] = '\0';
        snprintf(buf, size, "%s%spublic key (%s)", key, *key ? " " : "",
                 tool_x509_form_name(o->form));
        break;
    case TOOL_OBJ_OTHER:
        snprintf(buf, size, "PEM '%s' block", o->label);
        break;
    case TOOL_OBJ_BROKEN:
        if (o->label[0])
            snprintf(buf, size, "broken PEM '%s' block", o->label);
        else
            snprintf(buf, size, "broken object");
        break;
    }
    return buf;
}

const char *tool_credfile_summary(const tool_credfile_t *f, char *buf, size_t size)
{
    static const struct {
        tool_obj_kind_t kind;
        const char *one, *many;
    } names[] = {
        {TOOL_OBJ_CERT, "certificate", "certificates"},
        {TOOL_OBJ_CSR, "CSR", "CSRs"},
        {TOOL_OBJ_PRIVKEY, "private key", "private keys"},
        {TOOL_OBJ_PUBKEY, "public key", "public keys"},
        {TOOL_OBJ_BROKEN, "broken block", "broken blocks"},
        {TOOL_OBJ_OTHER, "other block", "other blocks"},
    };
    size_t k = (size_t)snprintf(buf, size, "%s", f->is_pem ? "PEM" : "DER");
    for (size_t i = 0; i < sizeof names / sizeof names[0] && k < size; i++) {
        size_t n = tool_credfile_count(f, names[i].kind);
        if (n == 1)
            k += (size_t)snprintf(buf + k, size - k, ", %s", names[i].one);
        else if (n > 1)
            k += (size_t)snprintf(buf + k, size - k, ", %zu %s", n, names[i].many);
    }
    return buf;
}
