/**
 * @file tool_check_internal.h
 * @brief What the files of tool_cert_check() share: the lines of a check as they are
 *        emitted and counted (tool_cert_check.c), and the checks kept in their own files:
 *        the chain (tool_cert_chain.c) and --host (tool_cert_host.c).
 */
#ifndef TOOL_CHECK_INTERNAL_H
#define TOOL_CHECK_INTERNAL_H

#include <stdbool.h>

#include <openssl/x509.h>

#include "creds/tool_cert.h"
#include "creds/tool_x509.h"

/** A check in progress: its counts, and where its lines go. */
typedef struct check {
    unsigned passed, failed, warned;
    tool_check_sink_t sink;
    void *ctx;
    bool chain_warn_only;
} check_t;

enum { CK_OK = TOOL_CHECK_OK, CK_FAIL = TOOL_CHECK_FAIL, CK_WARN = TOOL_CHECK_WARN };

/** One check line (@p kind CK_OK, CK_FAIL or CK_WARN), counted as passed, failed or warned. */
void tool_check_mark(check_t *c, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Evidence for the check line before it (not counted). */
void tool_check_evid(check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * Whether @p leaf (with the rest of @p cert as intermediates) chains to the certificates of
 * @p ca, dates aside, with the chain or the reasons it does not as evidence.
 */
bool tool_cert_check_chain(check_t *c, const X509 *leaf, const tool_credfile_t *cert,
                           const tool_credfile_t *ca);

/** --host and a server certificate (extendedKeyUsage serverAuth): do its names cover it? */
void tool_cert_check_host_names(check_t *c, const X509 *crt, const char *host);

/** --host: for AWS IoT endpoints, whether the CA file @p ca (NULL: none given) holds the
 *  root they chain to. */
void tool_cert_check_host(check_t *c, const char *host, const tool_credfile_t *ca);

#endif
