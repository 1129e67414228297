/**
 * @file awl_pki.c
 * @brief The credentials of an awslocal DIR, made with `mqtls pki`'s code (creds/): a root
 *        (DIR/ca.pem, DIR/ca.key), the broker's certificate, the claim certificate and one
 *        certificate per thing, each a cert.pem and a private.key in a directory of its own.
 *
 * The root is the trust, as a CA registered with AWS IoT is: mosquitto accepts any client
 * certificate it signed, so `thing add` needs no restart.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "awslocal/awl_internal.h"
#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"
#include "awslocal/plugin/awl_policy.h"

#define ROOT_CN "mqtls awslocal root"
#define ROOT_DAYS 3650
#define LEAF_DAYS 365

static bool exists(const char *dir, const char *name)
{
    struct stat st;
    char *p = tool_pki_path_join(dir, name);
    bool yes = stat(p, &st) == 0;
    free(p);
    return yes;
}

/* The validity and kind of what is made: from now, @p days long, an EC P-256 key. */
static void args_for(pki_args_t *a, unsigned kind, uint32_t days)
{
    memset(a, 0, sizeof *a);
    a->cmd = kind;
    a->cmd_name = "awslocal";
    a->not_before = (int64_t)time(NULL);
    a->not_after = a->not_before + (int64_t)days * 86400;
}

/* Writes @p m's certificate and key as @p dir/@p crt_name and @p dir/@p key_name (0600),
 * both or neither; an existing file is an error. */
static int write_pair(const pki_args_t *a, const char *dir, const char *crt_name,
                      const char *key_name, pki_made_t *m)
{
    pki_file_t f[] = {
        {tool_pki_path_join(dir, key_name), &m->kf.pem, true, "private-key:", false},
        {tool_pki_path_join(dir, crt_name), &m->pem, false, "certificate:", false},
    };
    int rc = tool_pki_check_outputs(a, f, 2, "it");
    if (!rc)
        rc = tool_pki_make_dirs(dir);
    if (!rc)
        rc = tool_pki_write_all(a, f, 2);
    tool_pki_files_free(f, 2);
    return rc;
}

static int make_root(const char *dir)
{
    pki_args_t a;
    pki_made_t m;
    args_for(&a, PKI_INIT, ROOT_DAYS);
    memset(&m, 0, sizeof m);
    int rc = tool_pki_make_all(&a, ROOT_CN, NULL, &m);
    if (!rc)
        rc = write_pair(&a, dir, "ca.pem", "ca.key", &m);
    tool_pki_made_free(&m);
    return rc;
}

/* A certificate of @p kind for @p cn in @p dir/@p sub (cert.pem, private.key), signed by
 * DIR's root. */
static int make_leaf(const char *dir, const char *sub, pki_args_t *a, const char *cn)
{
    pki_ca_t ca;
    pki_made_t m;
    memset(&ca, 0, sizeof ca);
    memset(&m, 0, sizeof m);
    char *out = tool_pki_path_join(dir, sub);
    int rc = tool_pki_load_ca_named(&ca, dir, "ca.pem", "ca.key");
    if (!rc)
        rc = tool_pki_make_all(a, cn, &ca, &m);
    if (!rc)
        rc = write_pair(a, out, "cert.pem", "private.key", &m);
    tool_pki_made_free(&m);
    tool_pki_ca_free(&ca);
    free(out);
    return rc;
}

/* mosquitto's certificate: the names a local client uses for it. */
static int make_broker(const char *dir)
{
    pki_args_t a;
    const char *names[] = {"localhost"};
    pki_ip_t ips[2] = {{"127.0.0.1", {0}, 4}, {"::1", {0}, 16}};
    inet_pton(AF_INET, ips[0].text, ips[0].addr);
    inet_pton(AF_INET6, ips[1].text, ips[1].addr);
    args_for(&a, PKI_SERVER, LEAF_DAYS);
    a.names = names;
    a.n_names = 1;
    a.ips = ips;
    a.n_ips = 2;
    return make_leaf(dir, "broker", &a, "localhost");
}

static int make_device(const char *dir, const char *sub, const char *cn)
{
    pki_args_t a;
    args_for(&a, PKI_DEVICE, LEAF_DAYS);
    return make_leaf(dir, sub, &a, cn);
}

int awl_pki_ensure(const char *dir)
{
    int rc = tool_pki_make_dirs(dir);
    bool crt = exists(dir, "ca.pem"), key = exists(dir, "ca.key");
    if (!rc && crt != key) {
        tool_err("'%s' holds %s but not %s: restore it, or remove it to start a new root "
                 "(certificates signed by the old one will no longer connect)", dir,
                 crt ? "ca.pem" : "ca.key", crt ? "ca.key" : "ca.pem");
        return TOOL_EXIT_ERROR;
    }
    if (!rc && !crt)
        rc = make_root(dir);
    if (!rc && !exists(dir, "broker/cert.pem"))
        rc = make_broker(dir);
    if (!rc && !exists(dir, "claim/cert.pem"))
        rc = make_device(dir, "claim", AWL_CLAIM_CN);
    return rc;
}

int awl_thing_add(const char *dir, const char *name)
{
    if (!exists(dir, "ca.pem"))
        return tool_usage_err("no awslocal root in '%s' (DIR/ca.pem): run 'mqtls awslocal up "
                              "%s' once first", dir, dir);
    char *sub = tool_pki_path_join("things", name);
    int rc = TOOL_EXIT_OK;
    if (exists(dir, sub)) {
        tool_err("the thing '%s' exists already (%s/%s)", name, dir, sub);
        rc = TOOL_EXIT_ERROR;
    }
    if (!rc)
        rc = make_device(dir, sub, name);
    if (!rc)
        printf("%s/%s/cert.pem\n%s/%s/private.key\n", dir, sub, dir, sub);
    free(sub);
    return rc;
}
