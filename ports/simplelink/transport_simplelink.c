/**
 * @file transport_simplelink.c
 * @brief The SimpleLink transport: a secure socket of the CC3220's or CC3200's network
 *        processor, configured with the credential files of its file system, connected
 *        without blocking (see mqtls/transport_simplelink.h).
 *
 * One source for both SDK generations (CC32xx SDK by default, CC3200 SDK 1.x with
 * MQTLS_SL_SDK_CC3200): the names that differ come from sl_compat.h. Option values are
 * passed as the plain integers and byte arrays the option structures hold
 * (SlSockSecureMethod_t is one _u8, SlSockSecureFiles_t four), so the code does not depend
 * on field names that differ between the generations.
 *
 * Connection life: closed (sd == -1) -> connecting (sl_Connect answered EALREADY; it is
 * called again until it answers) -> open. A "connected, but" answer (-453, -461, -467,
 * -468) means the TLS session is up while a check failed: it is kept only where the
 * configuration says so (insecure, keep), otherwise the socket is closed (fail closed).
 */
#include "mqtls/transport_simplelink.h"

#include <stddef.h>
#include <string.h>

#include "sl_compat.h"

enum { ST_CLOSED, ST_CONNECTING, ST_OPEN };

#define SL_SEND_DEFAULT 1460u  /* sl_Send's documented range: 1-1460 bytes */
#define SL_RECV_MAX 16000u     /* sl_Recv's documented range: 1-16000 bytes */
#define SL_WRITE_WAIT_MS 10u   /* sl_Select cannot watch writes; its minimum timeout */

/* Small pieces (a header and its payload) are gathered so they leave as one TLS record.
 * It lives on the caller's stack for the duration of one send. */
#ifndef MQTLS_SL_STAGE_SIZE
#define MQTLS_SL_STAGE_SIZE 256u
#endif

static int32_t neg(mqtls_status_t s)
{
    return -(int32_t)s;
}

void mqtls_simplelink_init(mqtls_simplelink_t *t, const mqtls_simplelink_cfg_t *cfg)
{
    memset(t, 0, sizeof *t);
    if (cfg != NULL)
        t->cfg = *cfg;
    t->sd = -1;
    t->state = ST_CLOSED;
}

int16_t mqtls_simplelink_last_code(const mqtls_simplelink_t *t)
{
    if (t == NULL)
        return 0;
    return t->last_code;
}

int16_t mqtls_simplelink_warning(const mqtls_simplelink_t *t)
{
    if (t == NULL)
        return 0;
    return t->warning;
}

int mqtls_simplelink_sd(const mqtls_simplelink_t *t)
{
    return t != NULL ? t->sd : -1;
}

static void close_socket(mqtls_simplelink_t *t)
{
    if (t->sd >= 0)
        (void)sl_Close(t->sd);
    t->sd = -1;
    t->state = ST_CLOSED;
}

/* Records @p code, closes, and reports what it means. */
static mqtls_status_t fail(mqtls_simplelink_t *t, int code)
{
    mqtls_simplelink_explanation_t e = mqtls_simplelink_explain(t->cfg.device, code);
    t->last_code = (int16_t)code;
    close_socket(t);
    /* A code that does not read as a failure on its own still ended this attempt. */
    return (e.status == MQTLS_OK || e.status == MQTLS_IN_PROGRESS) ? MQTLS_ERR_IO : e.status;
}

/* "a.b.c.d" to a host-order address; false if @p s is not one. */
static bool parse_ipv4(const char *s, uint32_t *out)
{
    uint32_t addr = 0;
    for (int part = 0; part < 4; part++) {
        uint32_t v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10u + (uint32_t)(*s++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255u)
            return false;
        addr = (addr << 8) | v;
        if (part < 3 && *s++ != '.')
            return false;
    }
    if (*s != '\0')
        return false;
    *out = addr;
    return true;
}

static mqtls_status_t resolve(mqtls_simplelink_t *t, const char *host)
{
    size_t len = strlen(host);
    _u32 ip = 0;
    if (parse_ipv4(host, &t->ip))
        return MQTLS_OK;
    if (len > 255u)
        return MQTLS_ERR_BAD_PARAM;
    /* The SDK takes the name as non-const _i8 *; it only reads it. The uintptr_t round
     * trip only drops const. NOLINTNEXTLINE(performance-no-int-to-ptr) */
    _i16 rc = sl_NetAppDnsGetHostByName((_i8 *)(uintptr_t)host, (_u16)len, &ip, SL_AF_INET);
    if (rc < 0 || ip == 0) {
        t->last_code = (int16_t)(rc < 0 ? rc : 0);
        return MQTLS_ERR_DNS;
    }
    t->ip = (uint32_t)ip;
    return MQTLS_OK;
}

static bool set_opt(mqtls_simplelink_t *t, _i16 name, const void *val, size_t len, int *code)
{
    _i16 rc = sl_SetSockOpt(t->sd, SL_SOL_SOCKET, name, val, (SlSocklen_t)len);
    if (rc < 0) {
        *code = rc;
        return false;
    }
    return true;
}

static bool set_name(mqtls_simplelink_t *t, _i16 opt, const char *name, int *code)
{
    return name == NULL || name[0] == '\0' || set_opt(t, opt, name, strlen(name), code);
}

static bool is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* The files are given by name (ca_file, cert_file, key_file). */
static bool by_name(const mqtls_simplelink_cfg_t *c)
{
    return is_set(c->ca_file) || is_set(c->cert_file) || is_set(c->key_file);
}

/* The files are given by id (secure_files: a CC3200 only). */
static bool by_id(const mqtls_simplelink_cfg_t *c)
{
    return c->secure_files[0] || c->secure_files[1] || c->secure_files[2] || c->secure_files[3];
}

/* The credential files: by name (options 30-32, both SDKs: TI's own CC3200 network layer
 * names them so), or on a CC3200 by id in the four-slot array (/cert/<id>.der). */
static bool set_files(mqtls_simplelink_t *t, int *code)
{
    const mqtls_simplelink_cfg_t *c = &t->cfg;
    if (c->device == MQTLS_SL_CC3200 && by_id(c)) {
        _u8 files[4]; /* SlSockSecureFiles_t */
        memcpy(files, c->secure_files, sizeof files);
        return set_opt(t, SL_SO_SECURE_FILES, files, sizeof files, code);
    }
    return set_name(t, SL_SO_SECURE_FILES_PRIVATE_KEY_FILE_NAME, c->key_file, code) &&
           set_name(t, SL_SO_SECURE_FILES_CERTIFICATE_FILE_NAME, c->cert_file, code) &&
           set_name(t, SL_SO_SECURE_FILES_CA_FILE_NAME, c->ca_file, code);
}

/* Whether the compiled SDK has a domain-name option for the configured chip: option 42 of
 * the CC32xx SDK for a CC3220, option 35 of CC3200 host driver 1.0.1.6 for a CC3200 (on a
 * CC32xx SDK, 35 is STARTTLS: never passed for a CC3200 there). */
static bool has_name_option(const mqtls_simplelink_cfg_t *c)
{
#ifdef MQTLS_SLC_SO_DOMAIN_NAME
    return c->device == MQTLS_SLC_SDK_CHIP;
#else
    (void)c;
    return false;
#endif
}

/* The server's name, checked by the processor: the configured one, or the host unless it
 * is an address. */
static bool set_name_check(mqtls_simplelink_t *t, const char *host, int *code)
{
#ifdef MQTLS_SLC_SO_DOMAIN_NAME
    uint32_t ignored;
    const char *name = t->cfg.server_name;
    if (!has_name_option(&t->cfg))
        return true; /* cfg_check() refused a name: NULL, and no option to check the host */
    if (name == NULL && !parse_ipv4(host, &ignored))
        name = host;
    return set_name(t, MQTLS_SLC_SO_DOMAIN_NAME, name, code);
#else
    (void)t;
    (void)host;
    (void)code;
    return true;
#endif
}

/* CC3220 only: the catalog, ALPN (cfg_check() refused them for a CC3200). */
static bool set_cc3220_options(mqtls_simplelink_t *t, int *code)
{
#ifdef MQTLS_SLC_FILES_BY_NAME
    const mqtls_simplelink_cfg_t *c = &t->cfg;
    if (c->disable_cert_store) {
        _u32 on = 1; /* the value is not looked at; the option's presence disables */
        if (!set_opt(t, MQTLS_SLC_SO_DISABLE_CERT_STORE, &on, sizeof on, code))
            return false;
    }
    if (c->alpn != 0) {
        _u32 alpn = c->alpn; /* SlSockSecureALPN_t */
        if (!set_opt(t, MQTLS_SLC_SO_ALPN, &alpn, sizeof alpn, code))
            return false;
    }
#else
    (void)t;
    (void)code;
#endif
    return true;
}

static mqtls_status_t open_socket(mqtls_simplelink_t *t, const char *host)
{
    const mqtls_simplelink_cfg_t *c = &t->cfg;
    int code = 0;
    _i16 sd = sl_Socket(SL_AF_INET, SL_SOCK_STREAM, SL_SEC_SOCKET);
    if (sd < 0)
        return fail(t, sd);
    t->sd = sd;
    _u8 method = SL_SO_SEC_METHOD_TLSV1_2; /* SlSockSecureMethod_t */
    _u32 mask = c->cipher_mask;            /* SlSockSecureMask_t */
    _u32 nonblocking = 1;                  /* SlSockNonblocking_t */
    bool ok = set_opt(t, SL_SO_SECMETHOD, &method, sizeof method, &code) &&
              (mask == 0 || set_opt(t, SL_SO_SECURE_MASK, &mask, sizeof mask, &code)) &&
              set_files(t, &code) && set_name_check(t, host, &code) &&
              (c->device != MQTLS_SL_CC3220 || set_cc3220_options(t, &code)) &&
              set_opt(t, SL_SO_NONBLOCKING, &nonblocking, sizeof nonblocking, &code);
    return ok ? MQTLS_OK : fail(t, code);
}

/* What a CC3200 lacks, asked for anyway: refused, never skipped. */
static bool cc3200_lacks(const mqtls_simplelink_cfg_t *c)
{
    return c->alpn != 0 || c->disable_cert_store ||
           (c->cipher_mask & ~(uint32_t)MQTLS_SLC_CC3200_MASK_BITS) != 0 ||
           (is_set(c->server_name) && !has_name_option(c));
}

/* A CA (or insecure, knowingly), the credentials the generation names files by, and
 * nothing the chip or the compiled SDK lacks. */
static mqtls_status_t cfg_check(const mqtls_simplelink_cfg_t *c)
{
    bool has_ca;
    if (c->keep & ~(MQTLS_SL_KEEP_DATE_ERROR | MQTLS_SL_KEEP_UNKNOWN_ROOT))
        return MQTLS_ERR_BAD_PARAM;
    if (c->device == MQTLS_SL_CC3200) {
        if (cc3200_lacks(c))
            return MQTLS_ERR_UNSUPPORTED;
        if (by_id(c) && by_name(c))
            return MQTLS_ERR_BAD_PARAM; /* one way of naming the files, not two */
        if (by_id(c)) {
            has_ca = c->secure_files[MQTLS_SL_FILE_CA] != 0;
            if ((c->secure_files[MQTLS_SL_FILE_KEY] != 0) !=
                (c->secure_files[MQTLS_SL_FILE_CERT] != 0))
                return MQTLS_ERR_BAD_PARAM;
            return has_ca || c->insecure ? MQTLS_OK : MQTLS_ERR_BAD_PARAM;
        }
    } else if (c->device == MQTLS_SL_CC3220) {
        if (MQTLS_SLC_SDK_CHIP != MQTLS_SL_CC3220)
            return MQTLS_ERR_UNSUPPORTED; /* a CC3200 SDK cannot drive a CC3220 */
        if (by_id(c))
            return MQTLS_ERR_UNSUPPORTED; /* the CC32xx SDK has no secure-files slots */
    } else {
        return MQTLS_ERR_BAD_PARAM;
    }
    has_ca = is_set(c->ca_file);
    if ((c->cert_file != NULL) != (c->key_file != NULL))
        return MQTLS_ERR_BAD_PARAM;
    return has_ca || c->insecure ? MQTLS_OK : MQTLS_ERR_BAD_PARAM;
}

/* The "connected, but" codes the configuration keeps (ports/simplelink/README.md says why
 * each default is to close). -467 (revoked) is never kept. */
static bool kept(const mqtls_simplelink_cfg_t *c, int code)
{
    if (code == MQTLS_SLC_ESECSNOVERIFY)
        return c->insecure;
    if (code == MQTLS_SLC_ESECDATEERROR)
        return (c->keep & MQTLS_SL_KEEP_DATE_ERROR) != 0;
#ifdef MQTLS_SLC_ESECUNKNOWNROOTCA
    if (code == MQTLS_SLC_ESECUNKNOWNROOTCA)
        return (c->keep & MQTLS_SL_KEEP_UNKNOWN_ROOT) != 0;
#endif
    return false;
}

/* What one sl_Connect answer means for the attempt. */
static mqtls_status_t connect_result(mqtls_simplelink_t *t, int rc)
{
    if (rc == MQTLS_SLC_EALREADY)
        return MQTLS_IN_PROGRESS;
    if (rc >= 0 || kept(&t->cfg, rc)) {
        t->warning = (int16_t)(rc < 0 ? rc : 0);
        t->state = ST_OPEN;
        if (t->warning != 0 && t->cfg.on_kept != NULL)
            t->cfg.on_kept(t->cfg.on_kept_ctx, t->warning);
        return MQTLS_OK;
    }
    return fail(t, rc); /* "connected, but" included: the session is not trusted */
}

static mqtls_status_t sl_connect_op(void *ctx, const char *host, uint16_t port)
{
    mqtls_simplelink_t *t = ctx;
    if (t == NULL || host == NULL || host[0] == '\0' || port == 0)
        return MQTLS_ERR_BAD_PARAM;
    if (t->state == ST_OPEN)
        return MQTLS_OK;
    if (t->state == ST_CLOSED) {
        mqtls_status_t st = cfg_check(&t->cfg);
        if (st != MQTLS_OK)
            return st;
        t->last_code = 0;
        t->warning = 0;
        st = resolve(t, host);
        if (st == MQTLS_OK)
            st = open_socket(t, host);
        if (st != MQTLS_OK)
            return st;
        t->port = port;
        t->state = ST_CONNECTING;
    }
    SlSockAddrIn_t addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = SL_AF_INET;
    /* Network byte order, written bytewise so the host's byte order does not matter. */
    uint8_t *p = (uint8_t *)&addr.sin_port;
    p[0] = (uint8_t)(t->port >> 8);
    p[1] = (uint8_t)t->port;
    p = (uint8_t *)&addr.sin_addr.s_addr;
    p[0] = (uint8_t)(t->ip >> 24);
    p[1] = (uint8_t)(t->ip >> 16);
    p[2] = (uint8_t)(t->ip >> 8);
    p[3] = (uint8_t)t->ip;
    _i16 rc = sl_Connect(t->sd, (const SlSockAddr_t *)&addr, (_i16)sizeof addr);
    return connect_result(t, rc);
}

/* The bytes of one send: the first piece alone, or small pieces gathered in @p stage. */
static size_t gather(const mqtls_iov_t *iov, size_t n, uint8_t *stage, const uint8_t **out)
{
    size_t i = 0;
    while (i < n && iov[i].len == 0)
        i++;
    if (i == n)
        return 0;
    if (iov[i].len >= MQTLS_SL_STAGE_SIZE || i + 1 == n) {
        *out = iov[i].base;
        return iov[i].len;
    }
    size_t used = 0;
    for (; i < n && used < MQTLS_SL_STAGE_SIZE; i++) {
        size_t take = iov[i].len;
        if (take > MQTLS_SL_STAGE_SIZE - used)
            take = MQTLS_SL_STAGE_SIZE - used; /* the rest goes with a later call */
        memcpy(stage + used, iov[i].base, take);
        used += take;
    }
    *out = stage;
    return used;
}

static int32_t sl_send_op(void *ctx, const mqtls_iov_t *iov, size_t iovcnt)
{
    mqtls_simplelink_t *t = ctx;
    uint8_t stage[MQTLS_SL_STAGE_SIZE];
    const uint8_t *data = NULL;
    if (t == NULL || (iov == NULL && iovcnt > 0))
        return neg(MQTLS_ERR_BAD_PARAM);
    if (t->state != ST_OPEN)
        return neg(MQTLS_ERR_STATE);
    size_t len = gather(iov, iovcnt, stage, &data);
    size_t max = t->cfg.send_max ? t->cfg.send_max : SL_SEND_DEFAULT;
    if (len == 0)
        return 0;
    if (len > max)
        len = max;
    _i16 rc = sl_Send(t->sd, data, (_i16)len, 0);
    if (rc > 0)
        return rc;
    if (rc == 0 || rc == MQTLS_SLC_EAGAIN)
        return 0;
    t->last_code = rc;
    return neg(mqtls_simplelink_explain(t->cfg.device, rc).status == MQTLS_ERR_CLOSED
                   ? MQTLS_ERR_CLOSED
                   : MQTLS_ERR_IO);
}

static int32_t sl_recv_op(void *ctx, uint8_t *buf, size_t len)
{
    mqtls_simplelink_t *t = ctx;
    if (t == NULL || buf == NULL)
        return neg(MQTLS_ERR_BAD_PARAM);
    if (t->state != ST_OPEN)
        return neg(MQTLS_ERR_STATE);
    if (len == 0)
        return 0;
    if (len > SL_RECV_MAX)
        len = SL_RECV_MAX;
    _i16 rc = sl_Recv(t->sd, buf, (_i16)len, 0);
    if (rc > 0)
        return rc;
    if (rc == MQTLS_SLC_EAGAIN)
        return 0;
    if (rc == 0)
        return neg(MQTLS_ERR_CLOSED);
    t->last_code = rc;
    mqtls_status_t st = mqtls_simplelink_explain(t->cfg.device, rc).status;
    return neg(st == MQTLS_ERR_CLOSED || st == MQTLS_ERR_TIMEOUT ? MQTLS_ERR_CLOSED
                                                                 : MQTLS_ERR_IO);
}

static mqtls_status_t sl_wait_op(void *ctx, int for_write, uint32_t timeout_ms)
{
    mqtls_simplelink_t *t = ctx;
    SlFdSet_t set;
    SlTimeval_t tv;
    if (t == NULL || t->sd < 0)
        return MQTLS_ERR_STATE;
    /* Only a pending connect can be watched for writing; otherwise a write wait is a short
     * sleep that a read wakes early. */
    bool connecting = t->state == ST_CONNECTING;
    bool short_sleep = for_write && !connecting;
    if (short_sleep && timeout_ms > SL_WRITE_WAIT_MS)
        timeout_ms = SL_WRITE_WAIT_MS;
    MQTLS_SLC_FD_ZERO(&set);
    MQTLS_SLC_FD_SET(t->sd, &set);
    tv.tv_sec = (SlTime_t)(timeout_ms / 1000u);
    tv.tv_usec = (SlSuseconds_t)((timeout_ms % 1000u) * 1000u);
    _i16 rc = sl_Select((_i16)(t->sd + 1), connecting ? NULL : &set, connecting ? &set : NULL,
                        NULL, &tv);
    if (rc > 0 || short_sleep || rc == MQTLS_SLC_EAGAIN)
        return MQTLS_OK;
    if (rc == 0)
        return MQTLS_ERR_TIMEOUT;
    t->last_code = rc;
    return MQTLS_ERR_IO;
}

static void sl_close_op(void *ctx)
{
    mqtls_simplelink_t *t = ctx;
    if (t != NULL)
        close_socket(t);
}

const mqtls_transport_t mqtls_simplelink_transport = {
    sl_connect_op, sl_send_op, sl_recv_op, sl_wait_op, sl_close_op,
};
