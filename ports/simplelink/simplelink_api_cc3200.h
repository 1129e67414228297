/**
 * @file simplelink_api_cc3200.h
 * @brief The part of TI's SimpleLink host driver API of the CC3200 SDK 1.x (host driver
 *        1.0.1.6) that mqtls uses, declared without the SDK.
 *
 * Included by simplelink_api.h when `MQTLS_SL_SDK_CC3200` is defined and
 * `MQTLS_HAVE_SIMPLELINK_SDK` is not. Names and values are those of TI's CC3200 SDK 1.x
 * headers, written here from them (nothing copied):
 *  - `socket.h` and `simplelink.h` of host driver `SL_DRIVER_VERSION "1.0.1.6"`
 *    (SiarheiVolkau/CC3200-Linux-SDK src/simplelink/include/socket.h @
 *    0a5088fcf1533531cc4a66308b59b3e60e4a4239, simplelink.h @
 *    696f4ab77bfd4c150c0b41c42ce0747deaaa6b1e; the same constants in yhpan0613/SimpleLink-CC3200
 *    simplelink/include/socket.h @ 8e058a3f72054644980174fcd624e3121b235244);
 *  - `netapp.h` (yhpan0613/SimpleLink-CC3200 simplelink/include/netapp.h @ 8e058a3f...);
 *  - `fs.h` (TI, (C) 2014, "fs.h - CC31xx/CC32xx Host Driver Implementation").
 *
 * What the CC3200 SDK differs in from the CC32xx SDK (and what the transport therefore
 * cannot do with it): codes are named SL_E... (SL_EALREADY, SL_ESECSNOVERIFY, ...), the
 * select helpers SL_FD_*, SL_MAX_SOCKETS is 8, the cipher mask has bits 0-9 only (no
 * AES-GCM, no ChaCha20), there is no ALPN option, no trusted-root catalog (so no option to
 * disable it, and no -467/-468), domain-name verification is option 35 without the SL_
 * prefix (absent from the older 2014 headers), sl_FsOpen returns the handle through a fourth
 * argument, and there is no netutil.h (no sl_NetUtilGet) in the SDK copies read.
 *
 * Nothing here implements an SDK function: in the cross build they stay undefined for the
 * board's SDK, on the host the emulation (tests/support/sl_emu.c) implements them.
 */
#ifndef MQTLS_SIMPLELINK_API_CC3200_H
#define MQTLS_SIMPLELINK_API_CC3200_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- base types (simplelink.h) ---------------------------------------------------- */
typedef uint8_t _u8;
typedef int8_t _i8;
typedef uint16_t _u16;
typedef int16_t _i16;
typedef uint32_t _u32;
typedef int32_t _i32;

/* ---- sockets (socket.h) ----------------------------------------------------------- */
#define SL_MAX_SOCKETS (_u8)(8) /* simplelink.h; the CC32xx SDK has 16 */
#define SL_FD_SETSIZE SL_MAX_SOCKETS

#define SL_AF_INET (2)
#define SL_SOCK_STREAM (1)
#define SL_IPPROTO_TCP (6)
#define SL_SEC_SOCKET (100) /* "Secured Socket Layer (SSL,TLS)" */

#define SL_SOL_SOCKET (1)
#define SL_SO_NONBLOCKING (24)
#define SL_SO_SECMETHOD (25)
#define SL_SO_SECURE_MASK (26)
#define SL_SO_SECURE_FILES (27)
#define SL_SO_SECURE_FILES_PRIVATE_KEY_FILE_NAME (30)
#define SL_SO_SECURE_FILES_CERTIFICATE_FILE_NAME (31)
#define SL_SO_SECURE_FILES_CA_FILE_NAME (32)
#define SL_SO_SECURE_FILES_DH_KEY_FILE_NAME (33)
/* Host driver 1.0.1.6 only, and without the SL_ prefix. 35 is SL_SO_STARTTLS on a CC32xx. */
#define SO_SECURE_DOMAIN_NAME_VERIFICATION (35)
/* No SL_SO_SECURE_DISABLE_CERTIFICATE_STORE (38), SL_SO_SECURE_ALPN (40) or option 42. */

#define SL_SO_SEC_METHOD_SSLV3 (0)
#define SL_SO_SEC_METHOD_TLSV1 (1)
#define SL_SO_SEC_METHOD_TLSV1_1 (2)
#define SL_SO_SEC_METHOD_TLSV1_2 (3)
#define SL_SO_SEC_METHOD_SSLv3_TLSV1_2 (4)
#define SL_SO_SEC_METHOD_DLSV1 (5)

/* Bits 0-9 only; bits 6-9 exist from host driver 1.0.1.6 (the 2014 header stops at 5). */
#define SL_SEC_MASK_SSL_RSA_WITH_RC4_128_SHA (1 << 0)
#define SL_SEC_MASK_SSL_RSA_WITH_RC4_128_MD5 (1 << 1)
#define SL_SEC_MASK_TLS_RSA_WITH_AES_256_CBC_SHA (1 << 2)
#define SL_SEC_MASK_TLS_DHE_RSA_WITH_AES_256_CBC_SHA (1 << 3)
#define SL_SEC_MASK_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA (1 << 4)
#define SL_SEC_MASK_TLS_ECDHE_RSA_WITH_RC4_128_SHA (1 << 5)
#define SL_SEC_MASK_TLS_RSA_WITH_AES_128_CBC_SHA256 (1 << 6)
#define SL_SEC_MASK_TLS_RSA_WITH_AES_256_CBC_SHA256 (1 << 7)
#define SL_SEC_MASK_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 (1 << 8)
#define SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 (1 << 9)
#define SL_SEC_MASK_SECURE_DEFAULT ((SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 << 1) - 1)

/* The secure-files array SL_SO_SECURE_FILES takes: which slot holds which file id. */
typedef enum {
    SL_BSD_SECURED_PRIVATE_KEY_IDX = 0,
    SL_BSD_SECURED_CERTIFICATE_IDX,
    SL_BSD_SECURED_CA_IDX,
    SL_BSD_SECURED_DH_IDX
} slBsd_secureSocketFilesIndex_e;

typedef _u16 SlSocklen_t;

typedef struct SlInAddr_t {
    _u32 s_addr; /* network byte order */
} SlInAddr_t;

typedef struct SlSockAddr_t {
    _u16 sa_family;
    _u8 sa_data[14];
} SlSockAddr_t;

typedef struct SlSockAddrIn_t {
    _u16 sin_family;
    _u16 sin_port; /* network byte order */
    SlInAddr_t sin_addr;
    _i8 sin_zero[8];
} SlSockAddrIn_t;

typedef _u32 SlTime_t; /* unsigned here, _i32 in the CC32xx SDK */
typedef _u32 SlSuseconds_t;

typedef struct SlTimeval_t {
    SlTime_t tv_sec;
    SlSuseconds_t tv_usec;
} SlTimeval_t;

typedef struct SlFdSet_t {
    _u32 fd_array[(SL_FD_SETSIZE + 31) / 32];
} SlFdSet_t;

typedef struct {
    _u32 NonblockingEnabled; /* the CC32xx SDK spells it NonBlockingEnabled */
} SlSockNonblocking_t;

typedef struct {
    _u8 secureMethod;
} SlSockSecureMethod;

typedef struct {
    _u32 secureMask;
} SlSockSecureMask;

typedef struct sock_secureFiles {
    _u8 secureFiles[4];
} SlSockSecureFiles_t;

_i16 sl_Socket(_i16 Domain, _i16 Type, _i16 Protocol);
_i16 sl_Close(_i16 sd);
_i16 sl_Connect(_i16 sd, const SlSockAddr_t *addr, _i16 addrlen);
_i16 sl_SetSockOpt(_i16 sd, _i16 level, _i16 optname, const void *optval, SlSocklen_t optlen);
_i16 sl_Send(_i16 sd, const void *pBuf, _i16 Len, _i16 flags);
_i16 sl_Recv(_i16 sd, void *pBuf, _i16 Len, _i16 flags);
_i16 sl_Select(_i16 nfds, SlFdSet_t *readsds, SlFdSet_t *writesds, SlFdSet_t *exceptsds,
               struct SlTimeval_t *timeout);
void SL_FD_SET(_i16 fd, SlFdSet_t *fdset);
void SL_FD_CLR(_i16 fd, SlFdSet_t *fdset);
_i16 SL_FD_ISSET(_i16 fd, SlFdSet_t *fdset);
void SL_FD_ZERO(SlFdSet_t *fdset);

/* ---- DNS (netapp.h) ------------------------------------------------------------- */
/** Blocks until resolved; *OutIpAddr is in host byte order. 0 on success. */
_i16 sl_NetAppDnsGetHostByName(_i8 *pHostName, const _u16 NameLen, _u32 *OutIpAddr,
                               const _u8 Family);

/* ---- the file system (fs.h): files by name, or by id as "/cert/<id>.der" ------------ */
#define _FS_MODE_ACCESS_FLAGS_OFFSET (16)
#define _FS_MODE_ACCESS_FLAGS_MASK (0xFF)
#define _FS_MODE_ACCESS_OFFSET (12)
#define _FS_MODE_ACCESS_MASK (0xF)
#define _FS_MODE_OPEN_SIZE_GRAN_OFFSET (8)
#define _FS_MODE_OPEN_SIZE_GRAN_MASK (0xF)
#define _FS_MODE_OPEN_SIZE_OFFSET (0)
#define _FS_MODE_OPEN_SIZE_MASK (0xFF)
#define _FS_MODE(Access, SizeGran, Size, Flags)                                              \
    (_u32)(((_u32)((Access) & _FS_MODE_ACCESS_MASK) << _FS_MODE_ACCESS_OFFSET) |              \
           ((_u32)((SizeGran) & _FS_MODE_OPEN_SIZE_GRAN_MASK) << _FS_MODE_OPEN_SIZE_GRAN_OFFSET) | \
           ((_u32)((Size) & _FS_MODE_OPEN_SIZE_MASK) << _FS_MODE_OPEN_SIZE_OFFSET) |          \
           ((_u32)((Flags) & _FS_MODE_ACCESS_FLAGS_MASK) << _FS_MODE_ACCESS_FLAGS_OFFSET))

typedef enum {
    _FS_MODE_OPEN_READ = 0,
    _FS_MODE_OPEN_WRITE,
    _FS_MODE_OPEN_CREATE,
    _FS_MODE_OPEN_WRITE_CREATE_IF_NOT_EXIST
} SlFsFileOpenAccessType_e;

typedef enum {
    _FS_FILE_OPEN_FLAG_COMMIT = 0x1,
    _FS_FILE_OPEN_FLAG_SECURE = 0x2,
    _FS_FILE_OPEN_FLAG_NO_SIGNATURE_TEST = 0x4,
    _FS_FILE_OPEN_FLAG_STATIC = 0x8,
    _FS_FILE_OPEN_FLAG_VENDOR = 0x10,
    _FS_FILE_PUBLIC_WRITE = 0x20,
    _FS_FILE_PUBLIC_READ = 0x40
} SlFileOpenFlags_e;

#define FS_MODE_OPEN_READ _FS_MODE(_FS_MODE_OPEN_READ, 0, 0, 0)
#define FS_MODE_OPEN_WRITE _FS_MODE(_FS_MODE_OPEN_WRITE, 0, 0, 0)
/* The mode word for creating a file: the SDK computes it in a function (fs.c). */
#define FS_MODE_OPEN_CREATE(maxSizeInBytes, accessModeFlags) \
    _sl_GetCreateFsMode(maxSizeInBytes, accessModeFlags)
_u32 _sl_GetCreateFsMode(_u32 maxSizeInBytes, _u32 accessFlags);

typedef struct {
    _u16 flags;
    _u32 FileLen;      /* bytes in the file */
    _u32 AllocatedLen; /* bytes it may hold */
    _u32 Token[4];
} SlFsFileInfo_t;

/** 0 or an error; the handle comes back through @p pFileHandle (CC32xx: the return value). */
_i32 sl_FsOpen(const _u8 *pFileName, const _u32 AccessModeAndMaxSize, _u32 *pToken,
               _i32 *pFileHandle);
_i16 sl_FsClose(const _i32 FileHdl, const _u8 *pCeritificateFileName, const _u8 *pSignature,
                const _u32 SignatureLen);
_i32 sl_FsWrite(const _i32 FileHdl, _u32 Offset, _u8 *pData, _u32 Len);
_i16 sl_FsGetInfo(const _u8 *pFileName, const _u32 Token, SlFsFileInfo_t *pFsFileInfo);

/* ---- result codes used by name (socket.h, fs.h) ------------------------------------ */
#define SL_EAGAIN (-11)
#define SL_EALREADY (-114)      /* "Non blocking connect in progress, try again" */
#define SL_ENOPROTOOPT (-92)    /* "Protocol not available" */
#define SL_ESECSNOVERIFY (-453) /* "Connected without server verification" */
#define SL_ESECNOCAFILE (-454)  /* "error secure level CA file not found" */
#define SL_ESECBADCAFILE (-456) /* "error secure level bad CA file" */
#define SL_ESECDATEERROR (-461) /* "connected with certificate date verification error" */
/* No -463 ... -470: the CC3200 SDK defines neither "revoked" (-467) nor "unknown root" (-468). */
#define SL_FS_ERR_FILE_NOT_EXISTS (-11) /* sl_FsGetInfo: no such file (CC32xx: -10341) */

#ifdef __cplusplus
}
#endif

#endif
