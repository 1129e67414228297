/**
 * @file tool_pki_internal.h
 * @brief What the files of `mqtls pki` share. tool_pki.c reads the command line into a
 *        pki_args_t and runs the command: it loads the CA (tool_pki_ca.c), makes the key and
 *        the certificate (tool_pki_make.c, with the extensions of tool_pki_ext.c), writes the
 *        files (tool_pki_files.c) and prints what it made (tool_pki_print.c).
 */
#ifndef TOOL_PKI_INTERNAL_H
#define TOOL_PKI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "creds/tool_x509.h"

/** The pki commands (bit values: an option lists the commands it applies to). */
enum pki_cmd { PKI_INIT = 1u, PKI_SERVER = 2u, PKI_DEVICE = 4u };

/** An --ip address. */
typedef struct pki_ip {
    const char *text;
    uint8_t addr[16];
    uint8_t len; /* 4 or 16 */
} pki_ip_t;

/** Everything a command line gave. */
typedef struct pki_args {
    unsigned cmd;
    const char *cmd_name;
    const char *dir;
    const char *name;        /* device NAME */
    unsigned rsa_bits;       /* 0: EC P-256 */
    bool rsa_set, ec_set;
    const char *cn;          /* init --cn */
    uint32_t days;
    bool days_set;
    int64_t not_before, not_after;
    bool nb_set, na_set;
    const char **names;      /* server --name, in order */
    size_t n_names;
    pki_ip_t *ips;           /* server --ip, in order */
    size_t n_ips;
    const char *out;         /* server --out PREFIX */
    const char *ca_dir;      /* device --ca-dir */
    bool force;
} pki_args_t;

/** One file to write. */
typedef struct pki_file {
    char *path;
    const tool_blob_t *data;
    bool secret;     /* a private key: mode 0600 */
    const char *label; /* for the summary printed at the end */
    bool written;
} pki_file_t;

/* The private key as DER and PEM (PKCS#1 for RSA, SEC1 for EC: i2d_PrivateKey's
 * type-specific form, what `openssl rsa|ec -traditional` writes), and the public key PEM. */
typedef struct pki_keyfiles {
    tool_blob_t der, pem, pub_pem;
} pki_keyfiles_t;

/** A CA as loaded from a directory. */
typedef struct pki_ca {
    X509 *crt;
    EVP_PKEY *key;
    char *crt_path;
    char *key_path;
} pki_ca_t;

/** What to certify. */
typedef struct pki_spec {
    unsigned kind;      /* PKI_INIT (the CA itself), PKI_SERVER or PKI_DEVICE */
    const char *cn;
    EVP_PKEY *key;      /* the subject's key */
    EVP_PKEY *ca_key;   /* the signer's key (== key for the CA) */
    X509 *ca;           /* the issuer, NULL when self-signed */
    const pki_args_t *args;
} pki_spec_t;

/* What a command makes: the key, its certificate (DER, PEM and parsed) and the key files. */
typedef struct pki_made {
    EVP_PKEY *key;
    X509 *crt;
    tool_blob_t der, pem;
    pki_keyfiles_t kf;
} pki_made_t;


/* ---- files (tool_pki_files.c) ------------------------------------------------------------ */

/** @p dir / @p name (malloc'd), with one '/' between them. */
char *tool_pki_path_join(const char *dir, const char *name);

/** @p prefix followed by @p suffix (malloc'd). */
char *tool_pki_path_cat(const char *prefix, const char *suffix);

/** mkdir -p: creates @p path and its missing parents. @return TOOL_EXIT_OK or
 *  TOOL_EXIT_ERROR (printed) */
int tool_pki_make_dirs(const char *path);

/** Fails (TOOL_EXIT_ERROR, printed) when an output file exists and --force was not given;
 *  @p what is what --force would replace. */
int tool_pki_check_outputs(const pki_args_t *a, const pki_file_t *f, size_t n, const char *what);

/** Writes every file; on a failure removes the ones this run wrote. */
int tool_pki_write_all(const pki_args_t *a, pki_file_t *f, size_t n);

/** Frees the paths of @p n files. */
void tool_pki_files_free(pki_file_t *f, size_t n);

/** The output files of server and device (@p out_dir: a device's directory, NULL for a
 *  server) holding what @p m made; returns how many (at most 5). */
size_t tool_pki_leaf_files(const pki_args_t *a, const char *out_dir, pki_made_t *m,
                           pki_file_t *f);

/* ---- making (tool_pki_make.c, tool_pki_ext.c) ------------------------------------------- */

/** OpenSSL's reason for the last failure, or @p fallback when its queue is empty; the queue
 *  is emptied. @return @p buf */
const char *tool_pki_ossl_why(char *buf, size_t size, const char *fallback);

/** Adds the extensions of @p s->kind to @p x (the table in docs/pki.md). */
bool tool_pki_add_extensions(X509 *x, const pki_spec_t *s);

/**
 * Makes a key and its certificate for @p cn signed by @p ca (self-signed when NULL),
 * verifies the certificate and encodes everything; writes nothing.
 * @return TOOL_EXIT_OK, or TOOL_EXIT_ERROR (printed)
 */
int tool_pki_make_all(const pki_args_t *a, const char *cn, pki_ca_t *ca, pki_made_t *m);

/** Frees what tool_pki_make_all() made (keys are wiped); safe on a zeroed one. */
void tool_pki_made_free(pki_made_t *m);

/* ---- the CA (tool_pki_ca.c) --------------------------------------------------------------- */

/** Loads DIR/ca.crt and DIR/ca.key. @return TOOL_EXIT_OK, or TOOL_EXIT_USAGE (printed: a CA
 *  that is missing, broken, encrypted, not a CA or whose key does not match) */
int tool_pki_load_ca(pki_ca_t *ca, const char *dir);

/** tool_pki_load_ca() of the files @p crt_name and @p key_name in @p dir (`mqtls awslocal`
 *  keeps its root as DIR/ca.pem). */
int tool_pki_load_ca_named(pki_ca_t *ca, const char *dir, const char *crt_name,
                           const char *key_name);

/** Frees @p ca (the key is wiped); safe on a zeroed one. */
void tool_pki_ca_free(pki_ca_t *ca);

/* ---- output (tool_pki_print.c) ------------------------------------------------------------ */

/** The certificate made: its id (SHA-256 of @p der), names, serial, dates and key. */
void tool_pki_print_cert(const X509 *crt, const tool_blob_t *der);

/** Each file written, by its label. */
void tool_pki_print_files(const pki_file_t *f, size_t n);

/** Warns of dates that make the certificate unusable now, or outlive the CA @p ca (NULL: a
 *  new CA). */
void tool_pki_warn_dates(const pki_args_t *a, const X509 *ca);

#endif
