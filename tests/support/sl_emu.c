/**
 * @file sl_emu.c
 * @brief The host emulation of the SimpleLink network processor (see sl_emu.h): sockets,
 *        the secure connect and its codes, select, DNS, random numbers. Tests only.
 *
 * Each emulated secure socket wraps an mqtls_tls_t that runs the real handshake with
 * verification optional, so that a "connected, but" outcome can be emulated: the session
 * is up and the emulation then judges the chain the way the device does, from the
 * evidence alone (MQTLS_TLS_BAD_*, the chain kept), whichever TLS backend is linked.
 *
 * Every number here is written from TI's documentation (sources: sl_emu_internal.h), not
 * taken from the port's simplelink_api.h: a wrong constant in the port then fails the
 * integration test instead of agreeing with itself. The port's header gives only the
 * types and the function signatures the emulation must implement.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sl_emu_internal.h"

/* The codes that differ (sl_emu_internal.h). CC3220: B-err; CC3200: A12 (TLS), A12b
 * `netapp.h` (DNS), CC3200 `fs.h` index id 676028055 (files). */
static const sl_emu_codes_t codes_cc3220 = {
    .sig_confirm = -688,       /* SL_ERROR_BSD_ESEC_ASN_NO_SIGNER_E; E2E 1055151 "Wrong Root CA" */
    .domain_mismatch = -722,   /* SL_ERROR_BSD_ESEC_DOMAIN_NAME_MISMATCH */
    .unsupported_suite = -790, /* SL_ERROR_BSD_ESEC_UNSUPPORTED_SUITE */
    .dns_failed = -6154,       /* SL_ERROR_NET_APP_DNS_QUERY_FAILED */
    .fs_not_exists = -10341,   /* SL_ERROR_FS_FILE_NOT_EXISTS */
    .fs_name_exist = -10293,   /* SL_ERROR_FS_FILE_NAME_EXIST */
    .fs_invalid_handle = -10335, /* SL_ERROR_FS_INVALID_HANDLE (-10349 is INVALID_MAGIC_NUM) */
    .fs_max_opened = -10316,   /* SL_ERROR_FS_MAX_OPENED_FILE_EXCEEDED */
};
static const sl_emu_codes_t codes_cc3200 = {
    .sig_confirm = -155,       /* SL_ESEC_ASN_SIG_CONFIRM_E; field report E2E 363643 */
    .domain_mismatch = -222,   /* SL_ESEC_DOMAIN_NAME_MISMATCH (host driver 1.0.1.6) */
    .unsupported_suite = -290, /* SL_ESEC_UNSUPPORTED_SUITE (host driver 1.0.1.6) */
    .dns_failed = -163,        /* SL_NET_APP_DNS_QUERY_FAILED */
    .fs_not_exists = -11,      /* SL_FS_ERR_FILE_NOT_EXISTS */
    .fs_name_exist = -59,      /* SL_FS_FILE_NAME_EXIST */
    .fs_invalid_handle = -17,  /* SL_FS_ERR_INVALID_HANDLE */
    .fs_max_opened = -6,       /* no CC3200 code for this found (ports/simplelink/SOURCES.md §3a):
                                  SL_FS_ERR_UNKNOWN, the emulation's choice */
};

/* sl_Socket's arguments and the socket options (level SL_SOL_SOCKET), the same numbers in
 * A12 and B-sock (ports/simplelink/SOURCES.md §4a) except where a chip is named. */
enum {
    N_AF_INET = 2,
    N_SOCK_STREAM = 1,
    N_SEC_SOCKET = 100,
    N_SOL_SOCKET = 1,
    O_NONBLOCKING = 24,   /* SlSockNonblocking_t */
    O_SECMETHOD = 25,     /* SlSockSecureMethod(_t): one byte */
    O_SECURE_MASK = 26,   /* SlSockSecureMask(_t): _u32 */
    O_SECURE_FILES = 27,  /* SlSockSecureFiles_t: ids [0] key [1] cert [2] CA [3] DH */
    O_KEY_FILE_NAME = 30, /* SL_SO_SECURE_FILES_PRIVATE_KEY_FILE_NAME (both chips) */
    O_CERT_FILE_NAME = 31,
    O_CA_FILE_NAME = 32,
    O_35 = 35,            /* CC3200 1.0.1.6: SO_SECURE_DOMAIN_NAME_VERIFICATION (no SL_
                             prefix, A12); CC3220: SL_SO_STARTTLS (B-sock) */
    O_DISABLE_STORE = 38, /* CC3220: SL_SO_SECURE_DISABLE_CERTIFICATE_STORE */
    O_ALPN = 40,          /* CC3220: SL_SO_SECURE_ALPN */
    O_DOMAIN_3220 = 42,   /* CC3220: SL_SO_SECURE_DOMAIN_NAME_VERIFICATION */
    N_METHOD_DEFAULT = 4  /* SL_SO_SEC_METHOD_SSLv3_TLSV1_2, the documented default */
};

/* The chip's socket limit: SL_MAX_SOCKETS (_u8)(16) in B-sock, (_u8)(8) in A12. */
#define CHIP_MAX_SOCKETS (sl_emu__device == SL_EMU_CC3200 ? 8 : 16)
sl_emu_device_t sl_emu__device;
static emu_sock_t *socks[SL_MAX_SOCKETS];
static mqtls_tls_evidence_t last_ev;
static mqtls_tls_cert_info_t last_chain[MQTLS_TLS_CHAIN_MAX], last_sent[MQTLS_TLS_CHAIN_MAX];
/* TI documents -462 but no duration (ports/simplelink/SOURCES.md §10): the test sets one. */
static uint32_t handshake_timeout_ms = SL_EMU_NO_HANDSHAKE_LIMIT;

const sl_emu_codes_t *sl_emu__codes(void)
{
    return sl_emu__device == SL_EMU_CC3200 ? &codes_cc3200 : &codes_cc3220;
}

void sl_emu_set_handshake_timeout(uint32_t ms)
{
    handshake_timeout_ms = ms;
}

/* ------------------------------------------------------------------ the device */

static void free_sock(int sd)
{
    emu_sock_t *s = socks[sd];
    if (!s)
        return;
    mqtls_tls_free(&s->tls);
    mqtls_tcp_transport.close(&s->tcp);
    free(s->ca_buf);
    free(s->cert_buf);
    free(s->key_buf);
    free(s);
    socks[sd] = NULL;
}

int sl_emu_reset(const char *store_dir, sl_emu_device_t dev)
{
    for (int i = 0; i < SL_MAX_SOCKETS; i++)
        free_sock(i);
    sl_emu_catalog_clear();
    memset(&last_ev, 0, sizeof last_ev);
    handshake_timeout_ms = SL_EMU_NO_HANDSHAKE_LIMIT;
    sl_emu__device = dev;
    return sl_emu__fs_reset(store_dir);
}

const mqtls_tls_evidence_t *sl_emu_evidence(void)
{
    return &last_ev;
}

int sl_emu_open_sockets(void)
{
    int n = 0;
    for (int i = 0; i < SL_MAX_SOCKETS; i++)
        n += socks[i] != NULL;
    return n;
}

static emu_sock_t *get_sock(_i16 sd)
{
    return (sd >= 0 && sd < SL_MAX_SOCKETS) ? socks[sd] : NULL;
}

/* ------------------------------------------------------------------ sockets */

_i16 sl_Socket(_i16 Domain, _i16 Type, _i16 Protocol)
{
    if (Domain != N_AF_INET || Type != N_SOCK_STREAM)
        return E_PROTONOSUPPORT;
    if (Protocol != N_SEC_SOCKET)
        return E_PROTONOSUPPORT; /* the emulation has secure sockets only */
    /* No free socket: SL_ENSOCK "The system limit on the total number of open socket, has
     * been reached" (A12, B-err); the limit is the chip's SL_MAX_SOCKETS. */
    for (int i = 0; i < CHIP_MAX_SOCKETS && i < SL_MAX_SOCKETS; i++) {
        if (socks[i])
            continue;
        emu_sock_t *s = calloc(1, sizeof *s);
        if (!s)
            return E_NOMEM;
        mqtls_tls_init(&s->tls);
        mqtls_tcp_init(&s->tcp, AF_INET);
        s->method = N_METHOD_DEFAULT;
        socks[i] = s;
        return (_i16)i;
    }
    return E_ENSOCK;
}

_i16 sl_Close(_i16 sd)
{
    if (!get_sock(sd))
        return E_BADF;
    free_sock(sd);
    return 0;
}

static void copy_name(char *dst, size_t size, const void *val, SlSocklen_t len)
{
    size_t n = len < size - 1 ? len : size - 1;
    if (n)
        memcpy(dst, val, n);
    dst[n] = '\0';
}

static uint32_t u32_of(const void *val, SlSocklen_t len)
{
    uint32_t v = 0;
    if (val)
        memcpy(&v, val, len < sizeof v ? len : sizeof v);
    return v;
}

/* The options only one chip has. What a CC3200 answers for an option its SDK does not
 * define is not documented (ports/simplelink/SOURCES.md §10): the emulation answers SL_ENOPROTOOPT. */
static int set_chip_opt(emu_sock_t *s, _i16 optname, const void *optval, SlSocklen_t optlen)
{
    bool cc3200 = sl_emu__device == SL_EMU_CC3200;
    switch (optname) {
    case O_35: /* CC3200: domain-name verification; CC3220: STARTTLS, not emulated */
        if (!cc3200)
            return E_NOPROTOOPT;
        copy_name(s->domain, sizeof s->domain, optval, optlen);
        return 0;
    case O_DOMAIN_3220:
        if (cc3200)
            return E_NOPROTOOPT;
        copy_name(s->domain, sizeof s->domain, optval, optlen);
        return 0;
    case O_DISABLE_STORE:
        if (cc3200)
            return E_NOPROTOOPT;
        s->store_off = true;
        return 0;
    case O_ALPN:
        if (cc3200)
            return E_NOPROTOOPT;
        s->alpn = u32_of(optval, optlen);
        return 0;
    default:
        return E_NOPROTOOPT;
    }
}

_i16 sl_SetSockOpt(_i16 sd, _i16 level, _i16 optname, const void *optval, SlSocklen_t optlen)
{
    emu_sock_t *s = get_sock(sd);
    if (!s)
        return E_BADF;
    if (level != N_SOL_SOCKET || (!optval && optlen))
        return E_INVAL;
    switch (optname) {
    case O_NONBLOCKING:
        s->nonblocking = u32_of(optval, optlen) != 0;
        return 0;
    case O_SECMETHOD: /* one byte: SlSockSecureMethod(_t) in both SDKs */
        if (optlen != 1)
            return E_INVAL;
        s->method = *(const uint8_t *)optval;
        return 0;
    case O_SECURE_MASK:
        s->mask = u32_of(optval, optlen);
        return 0;
    case O_SECURE_FILES: /* SlSockSecureFiles_t: four _u8 ids */
        if (optlen != 4)
            return E_INVAL;
        memcpy(s->ids, optval, 4);
        s->by_id = true;
        return 0;
    case O_KEY_FILE_NAME:
        copy_name(s->key, sizeof s->key, optval, optlen);
        return 0;
    case O_CERT_FILE_NAME:
        copy_name(s->cert, sizeof s->cert, optval, optlen);
        return 0;
    case O_CA_FILE_NAME:
        copy_name(s->ca, sizeof s->ca, optval, optlen);
        return 0;
    default:
        return (_i16)set_chip_opt(s, optname, optval, optlen);
    }
}

/* Reads the files and sets up the TLS context. 0, or the device's code. */
static int prepare(emu_sock_t *s)
{
    int rc = sl_emu__load_files(s);
    if (rc < 0)
        return rc;
    memset(&s->cfg, 0, sizeof s->cfg);
    s->cfg.ciphers = sl_emu__cipher_list(s);
    if (s->cfg.ciphers && s->ciphers[0] == '\0') {
        s->no_suite = true; /* nothing to offer: the handshake cannot start (step_no_suite) */
        return 0;
    }
    s->cfg.ca_mem = s->ca_buf;
    s->cfg.ca_mem_len = s->ca_len;
    s->cfg.cert_mem = s->cert_buf;
    s->cfg.cert_mem_len = s->cert_len;
    s->cfg.key_mem = s->key_buf;
    s->cfg.key_mem_len = s->key_len;
    /* TLS 1.2 whatever SL_SO_SECMETHOD says: every method TI lists ends at TLS 1.2 (the
     * default SL_SO_SEC_METHOD_SSLv3_TLSV1_2, "use highest possible version from SSLv3 -
     * TLS 1.2"), and the older versions alone are not emulated. */
    s->cfg.min_version = s->cfg.max_version = MQTLS_TLS_V1_2;
    sl_emu__alpn_list(s);
    s->cfg.alpn = s->alpn_list[0] ? s->alpn_list : NULL;
    s->cfg.server_name = s->domain[0] ? s->domain : NULL;
    s->cfg.handshake_timeout_ms = handshake_timeout_ms;
    s->cfg.insecure = true; /* the emulation judges the chain itself, after the handshake */
    s->cfg.keep_chain = true; /* from the evidence: the catalog check needs the chain */
    mqtls_status_t st = mqtls_tls_setup(&s->tls, &s->cfg);
    if (st == MQTLS_OK)
        return 0;
    switch (mqtls_tls_evidence(&s->tls)->item) {
    case MQTLS_TLS_ITEM_CA: return E_SECBADCAFILE;
    case MQTLS_TLS_ITEM_CERT: return E_SECBADCERTFILE;
    case MQTLS_TLS_ITEM_KEY: return E_SECBADPRIVATEFILE;
    default: return E_SECGENERAL;
    }
}

/* Is a root of the catalog in the chain verification built (with the CA file)? That is
 * what verifying the chain again with the catalog as trust store finds: NOT_TRUSTED there
 * means -468. */
static bool catalog_trusts(const mqtls_tls_evidence_t *e)
{
    for (unsigned i = 0; e->chain && i < e->chain_len; i++)
        if (sl_emu__catalog_has(e->chain[i].sha256))
            return true;
    return false;
}

/* Verification failures that mean "the CA file does not sign the chain". */
#define BAD_CHAIN                                                                           \
    (MQTLS_TLS_BAD_UNTRUSTED | MQTLS_TLS_BAD_NO_ISSUER | MQTLS_TLS_BAD_SELF_SIGNED |        \
     MQTLS_TLS_BAD_SIGNATURE | MQTLS_TLS_BAD_NOT_CA | MQTLS_TLS_BAD_PATH_LEN |              \
     MQTLS_TLS_BAD_OTHER)

/* The session is up: how the device judges it. No CA: -453 "Connected without server
 * verification"; a chain the CA file does not sign: the chip's sig_confirm, closed; the
 * name set for verification not in the certificate: domain_mismatch; a date out of range:
 * -461 "connected with certificate date verification error" (both chips; which of -461 and
 * -150/-151 a CC3200 returns is not documented, ports/simplelink/SOURCES.md §10); CC3220 with the
 * catalog in use and the root not in it: -468 (B-err; TI E2E 633280 on the catalog). The
 * catalog is disabled per socket only (TI, E2E 633280); the CC3200 has none. */
static int judge(emu_sock_t *s)
{
    const mqtls_tls_evidence_t *e = mqtls_tls_evidence(&s->tls);
    uint32_t f = e->problems;
    if (s->ca_buf == NULL)
        return E_SECSNOVERIFY;
    if (f & BAD_CHAIN)
        return sl_emu__codes()->sig_confirm;
    if (s->domain[0] && (f & MQTLS_TLS_BAD_NAME))
        return sl_emu__codes()->domain_mismatch;
    if (f & (MQTLS_TLS_BAD_EXPIRED | MQTLS_TLS_BAD_FUTURE))
        return E_SECDATEERROR;
    if (sl_emu__device == SL_EMU_CC3220 && !s->store_off && !catalog_trusts(e))
        return E_SECUNKNOWNROOTCA;
    return 0;
}

/* A TCP failure in the device's words (SL_ECONNREFUSED, SL_ENETUNREACH, SL_ETIMEDOUT). */
static int tcp_code(mqtls_status_t st)
{
    switch (st) {
    case MQTLS_ERR_CONNECT_REFUSED: return E_CONNREFUSED;
    case MQTLS_ERR_UNREACHABLE: return E_NETUNREACH;
    case MQTLS_ERR_TIMEOUT: return E_TIMEDOUT;
    default: return E_SOC_ERROR;
    }
}

/* A failed attempt of the TLS transport in the device's words: a received alert N is
 * -(300 + N) (A12: "ssl tls security start with -300 offset"); no answer within the
 * emulation's handshake limit (sl_emu_set_handshake_timeout) is -462. */
static int failure_code(emu_sock_t *s, mqtls_status_t st)
{
    const mqtls_tls_evidence_t *e = mqtls_tls_evidence(&s->tls);
    if (e->stage == MQTLS_TLS_STAGE_TCP)
        return tcp_code(st);
    if (e->alert_received >= 0)
        return E_SEC_ALERT_BASE - e->alert_received;
    if (st == MQTLS_ERR_TIMEOUT)
        return E_SECHANDSHAKETIMEDOUT;
    if (st == MQTLS_ERR_CLOSED || st == MQTLS_ERR_IO)
        return E_SECCLOSED;
    return E_SECGENERAL;
}

/* A copy of @p e that outlives the socket (its certificates copied too). */
static void keep_evidence(const mqtls_tls_evidence_t *e)
{
    last_ev = *e;
    last_ev.chain = last_ev.sent = NULL;
    if (e->chain) {
        memcpy(last_chain, e->chain, e->chain_len * sizeof e->chain[0]);
        last_ev.chain = last_chain;
    }
    if (e->sent) {
        memcpy(last_sent, e->sent, e->sent_len * sizeof e->sent[0]);
        last_ev.sent = last_sent;
    }
}

/* A mask without a suite to offer: TI says nothing of when -790/-290 ("unsupported cipher
 * suite") comes; a handshake finds it out once TCP is up, so the emulation connects TCP
 * first (a TCP failure keeps its own code) and answers the chip's code then. */
static int step_no_suite(emu_sock_t *s)
{
    mqtls_status_t st = mqtls_tcp_transport.connect(&s->tcp, s->host, s->port);
    if (st == MQTLS_IN_PROGRESS)
        return E_ALREADY;
    mqtls_tcp_transport.close(&s->tcp);
    s->state = ES_FAILED;
    last_ev.stage = st == MQTLS_OK ? MQTLS_TLS_STAGE_HANDSHAKE : MQTLS_TLS_STAGE_TCP;
    return st == MQTLS_OK ? sl_emu__codes()->unsupported_suite : tcp_code(st);
}

/* One step of the handshake; the result once it is over. */
static int step(emu_sock_t *s)
{
    if (s->no_suite)
        return step_no_suite(s);
    mqtls_status_t st = mqtls_tls_transport.connect(&s->tls, s->host, s->port);
    if (st == MQTLS_IN_PROGRESS)
        return E_ALREADY;
    keep_evidence(mqtls_tls_evidence(&s->tls));
    if (st != MQTLS_OK) {
        s->state = ES_FAILED;
        return failure_code(s, st);
    }
    s->state = ES_CONNECTED;
    return judge(s);
}

/* The socket's descriptor for poll (the TLS one, or the bare TCP one when no_suite). */
static int sock_fd(emu_sock_t *s)
{
    return s->no_suite ? mqtls_tcp_fd(&s->tcp) : mqtls_tls_fd(&s->tls);
}

/* The first sl_Connect: the address, the files, the TLS context. 0, or the device's code. */
static int begin(emu_sock_t *s, const SlSockAddr_t *addr, _i16 addrlen)
{
    const SlSockAddrIn_t *in = (const SlSockAddrIn_t *)(const void *)addr;
    if (!addr || addrlen < (_i16)sizeof *in || in->sin_family != N_AF_INET)
        return E_INVAL;
    const uint8_t *ip = (const uint8_t *)&in->sin_addr.s_addr;
    const uint8_t *pt = (const uint8_t *)&in->sin_port;
    snprintf(s->host, sizeof s->host, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
    s->port = (uint16_t)((pt[0] << 8) | pt[1]);
    memset(&last_ev, 0, sizeof last_ev);
    return prepare(s);
}

_i16 sl_Connect(_i16 sd, const SlSockAddr_t *addr, _i16 addrlen)
{
    emu_sock_t *s = get_sock(sd);
    if (!s)
        return E_BADF;
    if (s->state == ES_CONNECTED)
        return E_ISCONN;
    if (s->state == ES_FAILED)
        return E_SOC_ERROR;
    if (s->state == ES_NEW) {
        int rc = begin(s, addr, addrlen);
        if (rc != 0) {
            s->state = rc == E_INVAL ? ES_NEW : ES_FAILED;
            return (_i16)rc;
        }
        s->state = ES_CONNECTING;
    }
    int rc = step(s);
    while (rc == E_ALREADY && !s->nonblocking) {
        struct pollfd p = {sock_fd(s), POLLOUT, 0};
        if (s->no_suite)
            (void)poll(&p, 1, 100);
        else
            (void)mqtls_tls_transport.wait(&s->tls, 0, 100);
        rc = step(s);
    }
    return (_i16)rc;
}

_i16 sl_Send(_i16 sd, const void *pBuf, _i16 Len, _i16 flags)
{
    emu_sock_t *s = get_sock(sd);
    (void)flags;
    if (!s)
        return E_BADF;
    if (s->state != ES_CONNECTED)
        return E_NOTCONN;
    if (Len <= 0)
        return E_INVAL;
    for (;;) {
        mqtls_iov_t iov = {pBuf, (size_t)Len};
        int32_t n = mqtls_tls_transport.send(&s->tls, &iov, 1);
        if (n > 0)
            return (_i16)n;
        if (n < 0) /* closed by the server: -452 "secure layrer is closed by other size" */
            return n == -(int32_t)MQTLS_ERR_CLOSED ? E_SECCLOSED : E_SOC_ERROR;
        if (s->nonblocking)
            return E_AGAIN;
        (void)mqtls_tls_transport.wait(&s->tls, 1, 100);
    }
}

_i16 sl_Recv(_i16 sd, void *pBuf, _i16 Len, _i16 flags)
{
    emu_sock_t *s = get_sock(sd);
    (void)flags;
    if (!s)
        return E_BADF;
    if (s->state != ES_CONNECTED)
        return E_NOTCONN;
    if (Len <= 0)
        return E_INVAL;
    for (;;) {
        int32_t n = mqtls_tls_transport.recv(&s->tls, pBuf, (size_t)Len);
        if (n > 0)
            return (_i16)n;
        if (n < 0) /* closed: 0, as a BSD recv (TI's text on it is not in the research) */
            return n == -(int32_t)MQTLS_ERR_CLOSED ? 0 : E_SOC_ERROR;
        if (s->nonblocking)
            return E_AGAIN; /* "using a non-blocking recv a possible negative value is
                               SL_EAGAIN" (A12) */
        (void)mqtls_tls_transport.wait(&s->tls, 0, 100);
    }
}

/* The select helpers: SL_SOCKET_FD_* in the CC32xx SDK (B-sockc), SL_FD_* in the CC3200
 * SDK 1.x (A12): the emulation defines the ones the port's SDK declares. */
#ifdef MQTLS_SL_SDK_CC3200
#define EMU_FD_SET SL_FD_SET
#define EMU_FD_CLR SL_FD_CLR
#define EMU_FD_ISSET SL_FD_ISSET
#define EMU_FD_ZERO SL_FD_ZERO
#else
#define EMU_FD_SET SL_SOCKET_FD_SET
#define EMU_FD_CLR SL_SOCKET_FD_CLR
#define EMU_FD_ISSET SL_SOCKET_FD_ISSET
#define EMU_FD_ZERO SL_SOCKET_FD_ZERO
#endif

void EMU_FD_SET(_i16 fd, SlFdSet_t *fdset)
{
    if (fdset && fd >= 0 && fd < SL_FD_SETSIZE)
        fdset->fd_array[fd / 32] |= (_u32)1u << (fd % 32);
}

void EMU_FD_CLR(_i16 fd, SlFdSet_t *fdset)
{
    if (fdset && fd >= 0 && fd < SL_FD_SETSIZE)
        fdset->fd_array[fd / 32] &= ~((_u32)1u << (fd % 32));
}

_i16 EMU_FD_ISSET(_i16 fd, SlFdSet_t *fdset)
{
    if (!fdset || fd < 0 || fd >= SL_FD_SETSIZE)
        return 0;
    return (fdset->fd_array[fd / 32] & ((_u32)1u << (fd % 32))) ? 1 : 0;
}

void EMU_FD_ZERO(SlFdSet_t *fdset)
{
    memset(fdset, 0, sizeof *fdset);
}

/* What poll must watch for socket @p s; false if nothing can become ready. */
static bool poll_events(emu_sock_t *s, bool rd, bool wr, short *events, bool *ready_now)
{
    *events = 0;
    *ready_now = false;
    if (s->state == ES_CONNECTING) {
        if (!wr)
            return false;
        /* The handshake waits for what it wants next; a TCP connect waits to be writable. */
        bool want_write =
            s->no_suite || s->tls.state == 1 /* ST_TCP */ || s->tls.hs_want_write;
        *events = want_write ? POLLOUT : POLLIN;
    } else if (s->state == ES_CONNECTED) {
        /* Decrypted bytes may already wait inside the TLS library: a zero wait tells. */
        if (rd && mqtls_tls_transport.wait(&s->tls, 0, 0) == MQTLS_OK)
            *ready_now = true;
        *events = (short)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0));
    } else {
        return false;
    }
    return sock_fd(s) >= 0;
}

/* The poll timeout for sl_Select's @p timeout. "The minimum timeout is 10 milliseconds,
 * less than 10 milliseconds will be set automatically to 10 milliseconds" (B-sock; A12's
 * note says 5 ms). A handshake waits for a server that may never answer; the device's
 * processor ends it itself (-462), so with a handshake limit set the wait is cut there and
 * *cut says so. */
static int select_ms(const struct SlTimeval_t *timeout, bool handshaking, bool *cut)
{
    int ms = -1;
    *cut = false;
    if (timeout) {
        long t = (long)timeout->tv_sec * 1000L + (long)timeout->tv_usec / 1000L;
        ms = t < 10 ? 10 : (int)t;
    }
    if (handshaking && handshake_timeout_ms != SL_EMU_NO_HANDSHAKE_LIMIT &&
        (ms < 0 || (uint32_t)ms > handshake_timeout_ms)) {
        ms = handshake_timeout_ms < 10 ? 10 : (int)handshake_timeout_ms;
        *cut = true;
    }
    return ms;
}

/* Marks what poll found in @p readsds/@p writesds (a connecting socket is writable when
 * its connect step can go on; after a @p cut wait, every handshaking one is, so that
 * sl_Connect can answer -462). The number of sockets ready. */
static int select_results(const struct pollfd *p, const int *sd_of, int n, bool cut,
                          SlFdSet_t *rin, SlFdSet_t *readsds, SlFdSet_t *writesds)
{
    int ready = 0;
    for (int i = 0; i < n; i++) {
        emu_sock_t *s = socks[sd_of[i]];
        bool connecting = s->state == ES_CONNECTING;
        if (!p[i].revents && !(cut && connecting))
            continue;
        bool rd = EMU_FD_ISSET((_i16)sd_of[i], rin);
        if (connecting || !rd) {
            EMU_FD_SET((_i16)sd_of[i], writesds);
            ready++;
        } else if (!EMU_FD_ISSET((_i16)sd_of[i], readsds)) {
            EMU_FD_SET((_i16)sd_of[i], readsds);
            ready++;
        }
    }
    return ready;
}

_i16 sl_Select(_i16 nfds, SlFdSet_t *readsds, SlFdSet_t *writesds, SlFdSet_t *exceptsds,
               struct SlTimeval_t *timeout)
{
    struct pollfd p[SL_MAX_SOCKETS];
    int sd_of[SL_MAX_SOCKETS], n = 0, ready = 0;
    bool handshaking = false, cut = false;
    SlFdSet_t rin, win, none;
    EMU_FD_ZERO(&rin);
    EMU_FD_ZERO(&win);
    if (readsds) {
        rin = *readsds;
        EMU_FD_ZERO(readsds);
    }
    if (writesds) {
        win = *writesds;
        EMU_FD_ZERO(writesds);
    }
    if (exceptsds)
        EMU_FD_ZERO(exceptsds);
    for (int sd = 0; sd < nfds && sd < SL_MAX_SOCKETS; sd++) {
        bool rd = EMU_FD_ISSET((_i16)sd, &rin), wr = EMU_FD_ISSET((_i16)sd, &win);
        emu_sock_t *s = socks[sd];
        short ev;
        bool now;
        if ((!rd && !wr) || !s || !poll_events(s, rd, wr, &ev, &now))
            continue;
        if (now) {
            EMU_FD_SET((_i16)sd, readsds);
            ready++;
        }
        handshaking |= s->state == ES_CONNECTING && !s->no_suite;
        p[n] = (struct pollfd){sock_fd(s), ev, 0};
        sd_of[n++] = sd;
    }
    int ms = ready ? 0 : select_ms(timeout, handshaking, &cut);
    int got = poll(p, (nfds_t)n, ms);
    if (got < 0)
        return errno == EINTR ? 0 : E_SOC_ERROR;
    EMU_FD_ZERO(&none);
    return (_i16)(ready + select_results(p, sd_of, n, ready == 0 && got == 0 && cut, &rin,
                                         readsds ? readsds : &none,
                                         writesds ? writesds : &none));
}
