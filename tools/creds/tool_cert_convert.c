/**
 * @file tool_cert_convert.c
 * @brief `mqtls cert convert`: PEM to DER and back, keeping each key's structure (see
 *        tool_cert.h, docs/cli.md); also how `embed` encodes its input.
 */
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/tool_util.h"
#include "creds/tool_cert_internal.h"
#include "creds/tool_cert_words.h"
#include "creds/tool_x509.h"

/* The DER of @p o to write, and its structure (a decrypted PKCS#8 key is re-encoded by
 * OpenSSL as PKCS#1 or SEC1). @return 0, or -1 when OpenSSL cannot encode it. */
static int obj_der(const tool_obj_t *o, tool_blob_t *der, tool_form_t *form)
{
    if (o->kind == TOOL_OBJ_PRIVKEY && o->decrypted)
        return tool_obj_key_der(o, der, form);
    tool_blob_set(der, o->der.p, o->der.len);
    *form = o->form;
    return 0;
}

/* The structure a decrypted key is written in (see tool_obj_key_der()). */
static tool_form_t written_form(const tool_obj_t *o)
{
    if (o->form != TOOL_FORM_KEY_PKCS8_ENC || !o->pk_ok)
        return o->form;
    int id = EVP_PKEY_get_base_id(o->pk);
    return id == EVP_PKEY_RSA ? TOOL_FORM_KEY_PKCS1
           : id == EVP_PKEY_EC ? TOOL_FORM_KEY_SEC1 : TOOL_FORM_KEY_PKCS8;
}

bool tool_cert_usable(const tool_obj_t *o)
{
    return o->kind == TOOL_OBJ_CERT || o->kind == TOOL_OBJ_CSR || o->kind == TOOL_OBJ_PRIVKEY ||
           o->kind == TOOL_OBJ_PUBKEY;
}

/* Reports why a loaded file cannot be converted or embedded; TOOL_EXIT_OK if it can.
 * @p need_open: an encrypted key must have been opened. */
int tool_cert_input_problem(const tool_credfile_t *f, const char *path, bool need_open)
{
    char buf[200];
    if (!f->read_ok || f->why[0])
        return tool_usage_err("'%s': %s", path, f->why);
    for (size_t i = 0; i < f->n_objs; i++) {
        const tool_obj_t *o = &f->objs[i];
        if (o->kind == TOOL_OBJ_BROKEN)
            return tool_usage_err("'%s': %s", path, o->why);
        if (o->kind == TOOL_OBJ_PRIVKEY && o->err)
            return tool_usage_err("'%s': the private key: %s", path, o->why);
        if (need_open && o->kind == TOOL_OBJ_PRIVKEY && o->encrypted && !o->decrypted)
            return tool_usage_err("'%s' is an encrypted %s: give its passphrase with --passin "
                                  "(or MQTLS_KEYPASS)", path, tool_obj_describe(o, buf, sizeof buf));
    }
    return TOOL_EXIT_OK;
}

/* The objects of @p f as one output: DER (the first usable object) or PEM (all of them). */
int tool_cert_encode_output(const tool_credfile_t *f, bool to_der, tool_blob_t *out,
                            bool *secret, bool *decrypted, const char *in_path,
                            const char *out_path)
{
    tool_buf_t pem = {NULL, 0, 0};
    char e[200], d[200];
    size_t n_usable = 0;
    *secret = *decrypted = false;
    for (size_t i = 0; i < f->n_objs; i++)
        n_usable += tool_cert_usable(&f->objs[i]);
    for (size_t i = 0; i < f->n_objs; i++) {
        const tool_obj_t *o = &f->objs[i];
        if (!tool_cert_usable(o)) {
            tool_warn("'%s': the PEM '%s' block is not written (%s)", in_path, o->label, o->why);
            continue;
        }
        tool_blob_t der = {NULL, 0};
        tool_form_t form;
        int rc = obj_der(o, &der, &form);
        if (rc) {
            tool_buf_free(&pem);
            tool_err("cannot encode the %s: %s", tool_obj_describe(o, d, sizeof d),
                     tool_x509_ossl_error(e, sizeof e));
            return TOOL_EXIT_ERROR;
        }
        *secret = *secret || o->kind == TOOL_OBJ_PRIVKEY;
        *decrypted = *decrypted || o->decrypted;
        if (to_der) {
            if (n_usable > 1) {
                char what[300];
                if (o->kind == TOOL_OBJ_CERT) {
                    tool_cert_subject(o->crt, d, sizeof d);
                    snprintf(what, sizeof what, "the certificate %s", d);
                } else {
                    snprintf(what, sizeof what, "the %s", tool_obj_describe(o, d, sizeof d));
                }
                tool_warn("'%s' holds %zu objects, and DER holds one: only the first, %s, is "
                          "written to '%s'", in_path, n_usable, what, out_path);
            }
            *out = der;
            tool_buf_free(&pem);
            return TOOL_EXIT_OK;
        }
        tool_blob_t armoured = {NULL, 0};
        rc = tool_x509_der_to_pem(tool_x509_pem_label(o->kind, form), &der, &armoured);
        tool_blob_free(&der);
        if (rc) {
            tool_buf_free(&pem);
            tool_err("cannot encode PEM: %s", tool_x509_ossl_error(e, sizeof e));
            return TOOL_EXIT_ERROR;
        }
        tool_buf_add(&pem, armoured.p, armoured.len);
        tool_blob_free(&armoured);
    }
    tool_blob_set(out, pem.p, pem.len);
    if (pem.p)
        OPENSSL_cleanse(pem.p, pem.len);
    tool_buf_free(&pem);
    return TOOL_EXIT_OK;
}

bool tool_cert_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int tool_cert_convert(const cert_args_t *a)
{
    const char *in = a->pos[0], *out = a->pos[1];
    tool_credfile_t f;
    tool_blob_t data = {NULL, 0};
    char buf[200];
    bool secret = false, decrypted = false, opened = false;
    tool_credfile_load(&f, in, a->pass);
    int rc = tool_cert_input_problem(&f, in, true);
    if (rc)
        goto done;
    bool to_der = a->to ? a->to == 'd' : f.is_pem;
    if ((rc = tool_cert_encode_output(&f, to_der, &data, &secret, &decrypted, in, out)) != 0)
        goto done;
    if (a->pass && a->pass_opt) {
        bool any_enc = false;
        for (size_t i = 0; i < f.n_objs; i++)
            any_enc = any_enc || f.objs[i].encrypted;
        if (!any_enc)
            tool_warn("'%s' is not encrypted: --passin is not needed", in);
    }
    if (!a->force && tool_cert_exists(out)) {
        tool_err("'%s' already exists: use --force to replace it", out);
        rc = TOOL_EXIT_ERROR;
        goto done;
    }
    rc = tool_x509_write_file(out, data.p, data.len, secret, a->force, &opened);
    if (rc) {
        if (opened)
            unlink(out);
        goto done;
    }
    if (decrypted)
        tool_warn("the private key is written to '%s' UNENCRYPTED (as %s): protect the file",
                  out, tool_x509_form_name(written_form(tool_credfile_first(&f, TOOL_OBJ_PRIVKEY))));
    printf("%s (%s) -> %s (%s, %zu bytes%s)\n", in, tool_credfile_summary(&f, buf, sizeof buf),
           out, to_der ? "DER" : "PEM", data.len, secret ? ", mode 0600" : "");
done:
    tool_blob_free(&data);
    tool_credfile_free(&f);
    return rc;
}
