/**
 * @file tool_x509.h
 * @brief Certificates and keys for the tools (`mqtls pki`, `mqtls cert`, the doctor), on
 *        OpenSSL 3's libcrypto whatever the library's TLS backend: dates, wiped byte
 *        strings, PEM armour, writing key and certificate files, and reading a credential
 *        file of any kind (PEM or DER, told by content) into a list of objects:
 *        certificates, CSRs, private and public keys.
 */
#ifndef TOOL_X509_H
#define TOOL_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/tool_util.h"

/* ---- errors, dates, key names ----------------------------------------------------------- */

/**
 * OpenSSL's words for the first error in its queue ("asn1 encoding routines: too long"), or
 * "unknown error"; the queue is cleared. @return @p buf
 */
const char *tool_x509_ossl_error(char *buf, size_t size);

/** Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t tool_x509_days_from_civil(int64_t y, unsigned m, unsigned d);

/**
 * Parses YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC, a trailing Z accepted, years 2000..9999)
 * into Unix time. @return false when @p s is not such a date.
 */
bool tool_x509_parse_date(const char *s, int64_t *out);

/** "YYYY-MM-DD HH:MM:SS UTC", or with @p compact "YYYYMMDDhhmmss". */
void tool_x509_format_time(int64_t t, bool compact, char *out, size_t size);

/** A certificate time as Unix time (0 if OpenSSL cannot read it). */
int64_t tool_x509_time_to_unix(const ASN1_TIME *t);

/** "RSA 2048", "EC P-256", "EC P-384", "Ed25519", ... */
void tool_x509_describe_key(const EVP_PKEY *pk, char *out, size_t size);

/** Whether @p pk is an RSA key below 2048 bits (refused by AWS IoT and by default TLS
 *  profiles). */
bool tool_x509_rsa_below_2048(const EVP_PKEY *pk);

/** The lowercase hex SHA-256 of @p len bytes (the AWS certificate id of a DER certificate). */
void tool_x509_sha256_hex(const unsigned char *p, size_t len, char hex[65]);

/** The SHA-256 (hex) of @p pk's SubjectPublicKeyInfo DER ("" if it cannot be encoded). */
void tool_x509_pubkey_sha256(const EVP_PKEY *pk, char hex[65]);

/**
 * A name as "CN=dev1, O=Example" (in certificate order, UTF-8), "(empty name)" when it has
 * no attribute, "(unreadable name)" when OpenSSL cannot print it.
 */
void tool_x509_name(const X509_NAME *name, char *out, size_t size);

/* ---- byte strings and files ------------------------------------------------------------- */

/** A heap byte string that is wiped when freed (it may hold a private key). */
typedef struct tool_blob {
    unsigned char *p;
    size_t len;
} tool_blob_t;

/** Wipes and frees @p b (safe on a zeroed blob). */
void tool_blob_free(tool_blob_t *b);

/** Copies @p len bytes into a new blob (one spare NUL byte after them). */
void tool_blob_set(tool_blob_t *b, const void *p, size_t len);

/** Keeps the last @p len bytes of @p buf (where end-first DER writers put their output)
 *  and wipes @p buf. */
void tool_blob_take_tail(tool_blob_t *b, unsigned char *buf, size_t cap, size_t len);

/**
 * PEM armour around DER ("-----BEGIN @p label-----", base64 in 64-column lines, the END
 * line, a final newline), written by OpenSSL's PEM writer as `openssl x509 -outform pem`
 * writes it. pem->len excludes the NUL that follows the text.
 * @return 0, or -1 when OpenSSL cannot write it (nothing allocated then)
 */
int tool_x509_der_to_pem(const char *label, const tool_blob_t *der, tool_blob_t *pem);

/**
 * Writes @p len bytes to @p path (not following a symlink there). A @p secret file (a
 * private key) gets mode 0600, also when it replaces an existing file; others 0644 before
 * the umask. An existing file is replaced only with @p force.
 * @param opened set when the file was created or truncated (the caller may remove it)
 * @return TOOL_EXIT_OK, or TOOL_EXIT_ERROR with "Error: cannot write 'path': reason" printed
 */
int tool_x509_write_file(const char *path, const void *data, size_t len, bool secret,
                         bool force, bool *opened);

/* ---- reading credential files ----------------------------------------------------------- */

/** What one object of a credential file is. */
typedef enum tool_obj_kind {
    TOOL_OBJ_CERT,    /**< an X.509 certificate */
    TOOL_OBJ_CSR,     /**< a certificate signing request (PKCS#10) */
    TOOL_OBJ_PRIVKEY, /**< a private key (PKCS#1, SEC1 or PKCS#8; maybe encrypted) */
    TOOL_OBJ_PUBKEY,  /**< a public key (SubjectPublicKeyInfo or PKCS#1) */
    TOOL_OBJ_OTHER,   /**< a PEM block that is none of these (EC PARAMETERS, X509 CRL, ...) */
    TOOL_OBJ_BROKEN   /**< should be one of the first four but does not parse */
} tool_obj_kind_t;

/** The DER structure of a key (TOOL_FORM_NONE for certificates, CSRs and the rest). */
typedef enum tool_form {
    TOOL_FORM_NONE = 0,
    TOOL_FORM_KEY_PKCS1,     /**< RSAPrivateKey (PKCS#1, "RSA PRIVATE KEY") */
    TOOL_FORM_KEY_SEC1,      /**< ECPrivateKey (SEC1, RFC 5915, "EC PRIVATE KEY") */
    TOOL_FORM_KEY_PKCS8,     /**< PrivateKeyInfo (PKCS#8, "PRIVATE KEY") */
    TOOL_FORM_KEY_PKCS8_ENC, /**< EncryptedPrivateKeyInfo ("ENCRYPTED PRIVATE KEY") */
    TOOL_FORM_PUB_SPKI,      /**< SubjectPublicKeyInfo ("PUBLIC KEY") */
    TOOL_FORM_PUB_PKCS1      /**< RSAPublicKey ("RSA PUBLIC KEY") */
} tool_form_t;

/** One object: a PEM block, or the whole of a DER file. */
typedef struct tool_obj {
    tool_obj_kind_t kind;
    char label[48];        /**< the PEM label ("" for DER) */
    unsigned line;         /**< PEM: line of the BEGIN line (1-based) */
    tool_form_t form;      /**< the key's DER structure */
    tool_blob_t der;       /**< the DER bytes (exactly the object); for an encrypted key: as
                                stored (for traditional PEM encryption: the decrypted DER once
                                decrypted, empty before) */
    bool encrypted;        /**< a private key that needs a passphrase */
    bool decrypted;        /**< ... and the passphrase given opened it */
    char enc_alg[48];      /**< how it is encrypted: "PEM AES-256-CBC", "PBES2
                                AES-256-CBC", "PKCS#12 PBE 3DES" */
    bool enc_unsupported;  /**< a scheme OpenSSL cannot decrypt */
    int err;               /**< nonzero: a failure (BROKEN, or a key that stays locked) */
    char why[512];         /**< that failure in words */
    X509 *crt;             /**< CERT: parsed */
    X509_REQ *csr;         /**< CSR: parsed */
    EVP_PKEY *pk;          /**< the key: PRIVKEY (when readable), PUBKEY, and the public key
                                of a CERT or CSR */
    bool pk_ok;            /**< pk holds a key */
} tool_obj_t;

/** A credential file as read. */
typedef struct tool_credfile {
    const char *path;
    tool_buf_t raw;    /**< the file's bytes (NUL after them) */
    bool read_ok;      /**< the file was read */
    bool is_pem;       /**< PEM by content ("-----BEGIN" somewhere), else DER */
    tool_obj_t *objs;  /**< in file order */
    size_t n_objs;
    size_t trailing;   /**< DER: bytes after the object (TLS libraries ignore them) */
    char why[400];     /**< a problem of the whole file: unreadable, empty, not recognized */
    int status;        /**< TOOL_EXIT_OK, or TOOL_EXIT_USAGE when why is set or any object
                            is BROKEN or has err set */
} tool_credfile_t;

/**
 * Reads and parses @p path. Never fails as a call: problems are recorded in @p f (status,
 * why, and per object kind BROKEN / err / why). @p pass (may be NULL) opens encrypted
 * private keys; without it an encrypted key is recorded as encrypted, with no error.
 */
void tool_credfile_load(tool_credfile_t *f, const char *path, const char *pass);

/** Parses @p len bytes held in memory, named @p name in messages (as tool_credfile_load). */
void tool_credfile_parse(tool_credfile_t *f, const char *name, const void *data, size_t len,
                         const char *pass);

/** Frees @p f (keys are wiped). */
void tool_credfile_free(tool_credfile_t *f);

/** How many objects of @p kind @p f holds. */
size_t tool_credfile_count(const tool_credfile_t *f, tool_obj_kind_t kind);

/** The first object of @p kind, or NULL. */
const tool_obj_t *tool_credfile_first(const tool_credfile_t *f, tool_obj_kind_t kind);

/**
 * The plaintext DER of a private key @p o that is readable (pk_ok): as stored when it was
 * not encrypted or was traditional PEM encryption; a decrypted PKCS#8 key re-encoded in its
 * type's own structure (PKCS#1 for RSA, SEC1 for EC; PKCS#8 for the others), as `openssl
 * pkey -traditional` writes it. *der is wiped by tool_blob_free().
 * @param form if not NULL: the structure written
 * @return 0, or -1 (not a readable private key, or OpenSSL cannot encode it)
 */
int tool_obj_key_der(const tool_obj_t *o, tool_blob_t *der, tool_form_t *form);

/**
 * The object in words: "certificate", "EC P-256 private key (SEC1)", "RSA 2048 private key
 * (PKCS#1, encrypted: PEM AES-256-CBC)", "public key (SubjectPublicKeyInfo)", "CSR", ...
 */
const char *tool_obj_describe(const tool_obj_t *o, char *buf, size_t size);

/** "certificate", "CSR", "private key", "public key" ("object" for the others). */
const char *tool_obj_kind_name(tool_obj_kind_t kind);

/** The key form in words: "PKCS#1", "SEC1", "PKCS#8", ... ("" if none). */
const char *tool_x509_form_name(tool_form_t form);

/** The PEM label for a DER object of @p kind and @p form ("CERTIFICATE", "EC PRIVATE KEY"). */
const char *tool_x509_pem_label(tool_obj_kind_t kind, tool_form_t form);

/** The summary of a file: "PEM, 2 certificates", "DER, private key", "PEM, certificate
 *  and private key". */
const char *tool_credfile_summary(const tool_credfile_t *f, char *buf, size_t size);

#endif
