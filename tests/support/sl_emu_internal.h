/**
 * @file sl_emu_internal.h
 * @brief What the parts of the SimpleLink emulation share (sl_emu.c: sockets; sl_emu_fs.c:
 *        the file store and sl_Fs*; sl_emu_catalog.c: the trusted-root catalog). Tests only.
 *
 * TI sources cited in the emulation (tags of ports/simplelink/SOURCES.md, §0):
 *  - A12: CC3200 SDK 1.x `socket.h`, host driver 1.0.1.6 (SiarheiVolkau/CC3200-Linux-SDK
 *    src/simplelink/include/socket.h); A12b: the same SDK's `socket.h`/`netapp.h`
 *    (yhpan0613/SimpleLink-CC3200 simplelink/include/); CC3200 `fs.h`: index id 676028055.
 *  - B-err: CC32xx SDK `errors.h` (index id 1153060292); B-sock: CC32xx SDK `sl_socket.h`
 *    (zephyrproject-rtos/hal_ti simplelink/source/ti/drivers/net/wifi/sl_socket.h).
 *  - SWRU455M: CC3x20 Network Processor Programmer's Guide, Table 8-4.
 *  - E2E nnn: TI's E2E forum thread nnn (e2e.ti.com/.../wi-fi-forum/nnn/).
 */
#ifndef MQTLS_SL_EMU_INTERNAL_H
#define MQTLS_SL_EMU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_emu.h"

#include "mqtls/transport_tcp.h"
#include "tls_fixture.h" /* tf_read_file(): a whole host file */

/* Codes with the same number on both chips: A12 `socket.h` (SL_E…, CC3200) and B-err
 * `errors.h` (SL_ERROR_BSD_…, CC3220); ports/simplelink/SOURCES.md §1a-§1c. */
enum {
    E_SOC_ERROR = -1,           /* SL_SOC_ERROR "Failure." */
    E_BADF = -9,                /* SL_EBADF "Bad file number" */
    E_ENSOCK = -10,             /* SL_ENSOCK "system limit on … open socket" */
    E_NOMEM = -12,              /* SL_ENOMEM "Out of memory" */
    E_INVAL = -22,              /* SL_EINVAL "Invalid argument" */
    E_NOPROTOOPT = -92,         /* SL_ENOPROTOOPT "Protocol not available" */
    E_PROTONOSUPPORT = -93,     /* SL_EPROTONOSUPPORT "Protocol not supported" */
    E_NETUNREACH = -101,        /* SL_ENETUNREACH */
    E_ISCONN = -106,            /* SL_EISCONN */
    E_NOTCONN = -107,           /* SL_ENOTCONN */
    E_TIMEDOUT = -110,          /* SL_ETIMEDOUT */
    E_CONNREFUSED = -111,       /* SL_ECONNREFUSED */
    E_AGAIN = -11,              /* SL_EAGAIN: "using a non-blocking recv … SL_EAGAIN" (A12) */
    E_ALREADY = -114,           /* SL_EALREADY: "On a non-blocking connect a possible
                                   negative value is SL_EALREADY" (A12, B-sock) */
    E_SEC_ALERT_BASE = -300,    /* "ssl tls security start with -300 offset" (A12) */
    E_SECGENERAL = -450,        /* "error secure level general error" */
    E_SECCLOSED = -452,         /* "secure layrer is closed by other size" */
    E_SECSNOVERIFY = -453,      /* "Connected without server verification" */
    E_SECNOCAFILE = -454,       /* "CA file not found"; SWRU455M: "not in the file system" */
    E_SECBADCAFILE = -456,      /* "bad CA file" */
    E_SECBADCERTFILE = -457,    /* "bad Certificate file" */
    E_SECBADPRIVATEFILE = -458, /* "bad private file" */
    E_SECDATEERROR = -461,      /* "connected with certificate date verification error" */
    E_SECHANDSHAKETIMEDOUT = -462, /* "connection timed out due to handshake time" */
    E_SECUNKNOWNROOTCA = -468   /* CC3220 only (B-err): "connected but the root CA used to
                                   validate the peer is unknown"; no -468 in A10/A12 */
};

/* Secure-files slots: slBsd_secureSocketFilesIndex_e (A12) = SlSockSecureSocketFilesIndex_e
 * (B-sock): SL_BSD_SECURED_PRIVATE_KEY_IDX 0, _CERTIFICATE_IDX 1, _CA_IDX 2, _DH_IDX 3. */
enum { SLOT_KEY = 0, SLOT_CERT = 1, SLOT_CA = 2 };

/* The suites a CC3200 can select: SL_SEC_MASK_* bits 0-9 (A12; default 0x3FF). */
#define CC3200_MASK_BITS 0x3FFu

enum { ES_NEW, ES_CONNECTING, ES_CONNECTED, ES_FAILED };

#define NAME_MAX_LEN 180 /* SL_FS_MAX_FILE_NAME_LENGTH */

/* One emulated socket. */
typedef struct emu_sock {
    int state;
    bool nonblocking;
    bool store_off;
    bool by_id;
    bool no_suite; /* the mask leaves nothing to offer: fail once TCP is up */
    uint8_t method;
    uint32_t mask;
    uint32_t alpn;
    uint8_t ids[4];
    char ca[NAME_MAX_LEN + 1], cert[NAME_MAX_LEN + 1], key[NAME_MAX_LEN + 1];
    char domain[256];
    char host[32];
    uint16_t port;
    mqtls_tls_t tls;
    mqtls_tcp_t tcp; /* the TCP connection alone, when no_suite */
    mqtls_tls_cfg_t cfg;
    uint8_t *ca_buf, *cert_buf, *key_buf;
    size_t ca_len, cert_len, key_len;
    char ciphers[2048];
    const char *alpn_list[6];
} emu_sock_t;

/** The credential files of @p s (sl_emu_creds.c): 0, or the device's code. */
int sl_emu__load_files(emu_sock_t *s);

/** The suites @p s offers that the TLS backend knows ("" none; NULL the backend's default). */
const char *sl_emu__cipher_list(emu_sock_t *s);

/** @p s's ALPN bits as protocol names (NULL-terminated, in s->alpn_list). */
void sl_emu__alpn_list(emu_sock_t *s);

/* The codes that differ between the chips: the CC3220 moved the TLS library's codes by
 * -500 and the DNS and file-system codes to their own blocks (ports/simplelink/SOURCES.md
 * §1b, §2, §3). */
typedef struct sl_emu_codes {
    int16_t sig_confirm;       /* the CA file does not sign the server's chain */
    int16_t domain_mismatch;   /* the name set for verification is not the certificate's */
    int16_t unsupported_suite; /* the mask leaves no suite to offer */
    int16_t dns_failed;        /* no DNS server sent an answer */
    int16_t fs_not_exists;     /* sl_FsOpen/sl_FsGetInfo: no such file */
    int16_t fs_name_exist;     /* sl_FsOpen create without overwrite: the name exists */
    int16_t fs_invalid_handle; /* sl_FsWrite/sl_FsClose: not an open file */
    int16_t fs_max_opened;     /* sl_FsOpen: every file slot in use */
} sl_emu_codes_t;

/** The emulated chip (sl_emu_reset). */
extern sl_emu_device_t sl_emu__device;

/** The codes of the emulated chip. */
const sl_emu_codes_t *sl_emu__codes(void);

/** The host path of store name @p name. */
void sl_emu__store_path(const char *name, char *out, size_t size);


/** PEM text anywhere in @p b (a bundle may start with comments). */
bool sl_emu__is_pem_text(const uint8_t *b, size_t n);

/** Empties the store directory and closes the open files. 0, or -1. */
int sl_emu__fs_reset(const char *store_dir);

/** Is the root with this SHA-256 fingerprint (of its DER) in the catalog? */
bool sl_emu__catalog_has(const uint8_t fingerprint[32]);

#endif
