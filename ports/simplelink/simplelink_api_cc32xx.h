/**
 * @file simplelink_api_cc32xx.h
 * @brief The part of TI's SimpleLink Wi-Fi host driver API of the CC32xx SDK (CC3220,
 *        host driver 2.x) that mqtls uses, declared without the SDK.
 *
 * Included by simplelink_api.h when neither `MQTLS_HAVE_SIMPLELINK_SDK` nor
 * `MQTLS_SL_SDK_CC3200` is defined. It declares the names with the values TI documents in
 * the CC32xx SDK's `sl_socket.h`, `errors.h`, `netapp.h`, `netutil.h` and `fs.h`
 * (`sl_socket.h` as in zephyrproject-rtos/hal_ti simplelink/source/ti/drivers/net/wifi/
 * sl_socket.h @ f8ea3d4d97a738ed03adcdc5e2dc553c34c4156d; TI's CC32xx `errors.h`, (C) 2017),
 * so that the transport compiles without the SDK: in the cross build the functions stay
 * undefined (the board SDK provides them), and on the host the test emulation
 * (tests/support/sl_emu.c) implements them. Nothing here implements an SDK function.
 *
 * Only what mqtls and the example firmware call is declared; the SDK has far more.
 */
#ifndef MQTLS_SIMPLELINK_API_CC32XX_H
#define MQTLS_SIMPLELINK_API_CC32XX_H

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

/* ---- sockets (sl_socket.h) -------------------------------------------------------- */
#define SL_MAX_SOCKETS (16)
#define SL_FD_SETSIZE SL_MAX_SOCKETS

#define SL_AF_INET (2)
#define SL_SOCK_STREAM (1)
#define SL_IPPROTO_TCP (6)
#define SL_SEC_SOCKET (100) /* a TLS socket: the network processor runs TLS */

#define SL_SOL_SOCKET (1)
#define SL_SO_NONBLOCKING (24)
#define SL_SO_SECMETHOD (25)
#define SL_SO_SECURE_MASK (26)
#define SL_SO_SECURE_FILES (27) /* CC3200: secure-file ids, SlSockSecureFiles_t */
#define SL_SO_SECURE_FILES_PRIVATE_KEY_FILE_NAME (30)
#define SL_SO_SECURE_FILES_CERTIFICATE_FILE_NAME (31)
#define SL_SO_SECURE_FILES_CA_FILE_NAME (32)
#define SL_SO_SECURE_DISABLE_CERTIFICATE_STORE (38)
#define SL_SO_SECURE_ALPN (40)
#define SL_SO_SECURE_DOMAIN_NAME_VERIFICATION (42)

#define SL_SO_SEC_METHOD_SSLV3 (0)
#define SL_SO_SEC_METHOD_TLSV1 (1)
#define SL_SO_SEC_METHOD_TLSV1_1 (2)
#define SL_SO_SEC_METHOD_TLSV1_2 (3)
#define SL_SO_SEC_METHOD_SSLv3_TLSV1_2 (4)

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
#define SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (1 << 10)
#define SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA (1 << 11)
#define SL_SEC_MASK_TLS_RSA_WITH_AES_128_GCM_SHA256 (1 << 12)
#define SL_SEC_MASK_TLS_RSA_WITH_AES_256_GCM_SHA384 (1 << 13)
#define SL_SEC_MASK_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 (1 << 14)
#define SL_SEC_MASK_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 (1 << 15)
#define SL_SEC_MASK_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (1 << 16)
#define SL_SEC_MASK_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (1 << 17)
#define SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (1 << 18)
#define SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (1 << 19)
#define SL_SEC_MASK_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (1 << 20)
#define SL_SEC_MASK_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (1 << 21)
#define SL_SEC_MASK_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (1 << 22)
#define SL_SEC_MASK_SECURE_DEFAULT ((SL_SEC_MASK_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 << 1) - 1)

#define SL_SECURE_ALPN_H1 (1 << 0)
#define SL_SECURE_ALPN_H2 (1 << 1)
#define SL_SECURE_ALPN_H2C (1 << 2)
#define SL_SECURE_ALPN_H2_14 (1 << 3)
#define SL_SECURE_ALPN_H2_16 (1 << 4)
#define SL_SECURE_ALPN_FULL_LIST ((SL_SECURE_ALPN_H2_16 << 1) - 1)

/* The CC3200 secure-files array: which slot holds which file id. */
typedef enum {
    SL_BSD_SECURED_PRIVATE_KEY_IDX = 0,
    SL_BSD_SECURED_CERTIFICATE_IDX,
    SL_BSD_SECURED_CA_IDX,
    SL_BSD_SECURED_DH_IDX
} SlSockSecureSocketFilesIndex_e;

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

typedef _i32 SlTime_t;
typedef _i32 SlSuseconds_t;

typedef struct SlTimeval_t {
    SlTime_t tv_sec;
    SlSuseconds_t tv_usec;
} SlTimeval_t;

typedef struct SlFdSet_t {
    _u32 fd_array[(SL_FD_SETSIZE + (_u8)31) / (_u8)32];
} SlFdSet_t;

typedef struct {
    _u32 NonBlockingEnabled; /* SDK 1.x spells it NonblockingEnabled */
} SlSockNonblocking_t;

typedef struct {
    _u8 SecureMethod;
} SlSockSecureMethod_t;

typedef struct {
    _u32 SecureMask;
} SlSockSecureMask_t;

typedef struct {
    _u32 SecureALPN;
} SlSockSecureALPN_t;

typedef struct {
    _u8 SecureFiles[4];
} SlSockSecureFiles_t;

_i16 sl_Socket(_i16 Domain, _i16 Type, _i16 Protocol);
_i16 sl_Close(_i16 sd);
_i16 sl_Connect(_i16 sd, const SlSockAddr_t *addr, _i16 addrlen);
_i16 sl_SetSockOpt(_i16 sd, _i16 level, _i16 optname, const void *optval, SlSocklen_t optlen);
_i16 sl_Send(_i16 sd, const void *pBuf, _i16 Len, _i16 flags);
_i16 sl_Recv(_i16 sd, void *pBuf, _i16 Len, _i16 flags);
_i16 sl_Select(_i16 nfds, SlFdSet_t *readsds, SlFdSet_t *writesds, SlFdSet_t *exceptsds,
               struct SlTimeval_t *timeout);
void SL_SOCKET_FD_SET(_i16 fd, SlFdSet_t *fdset);
void SL_SOCKET_FD_CLR(_i16 fd, SlFdSet_t *fdset);
_i16 SL_SOCKET_FD_ISSET(_i16 fd, SlFdSet_t *fdset);
void SL_SOCKET_FD_ZERO(SlFdSet_t *fdset);

/* ---- DNS (netapp.h) ------------------------------------------------------------- */
/** Blocks until resolved; *OutIpAddr is in host byte order. 0 on success. */
_i16 sl_NetAppDnsGetHostByName(_i8 *pHostName, const _u16 NameLen, _u32 *OutIpAddr,
                               const _u8 Family);

/* ---- true random numbers (netutil.h) ---------------------------------------------- */
#define SL_NETUTIL_TRUE_RANDOM (3)
_i16 sl_NetUtilGet(const _u16 Option, const _u32 ObjID, _u8 *pValues, _u16 *pValueLen);

/* ---- the file system (fs.h) ------------------------------------------------------- */
#define SL_NUM_OF_MAXSIZE_BIT (17)
#define SL_NUM_OF_FLAGS_BIT (10)
#define SL_FS_OPEN_MAXSIZE_BIT_MASK (0x1FFFF)
#define SL_FS_CREATE ((_u32)0x1 << (SL_NUM_OF_MAXSIZE_BIT + SL_NUM_OF_FLAGS_BIT))
#define SL_FS_WRITE ((_u32)0x2 << (SL_NUM_OF_MAXSIZE_BIT + SL_NUM_OF_FLAGS_BIT))
#define SL_FS_OVERWRITE ((_u32)0x4 << (SL_NUM_OF_MAXSIZE_BIT + SL_NUM_OF_FLAGS_BIT))
#define SL_FS_READ ((_u32)0x8 << (SL_NUM_OF_MAXSIZE_BIT + SL_NUM_OF_FLAGS_BIT))
#define SL_FS_CREATE_FAILSAFE ((_u32)0x1 << SL_NUM_OF_MAXSIZE_BIT)
#define SL_FS_CREATE_SECURE ((_u32)0x2 << SL_NUM_OF_MAXSIZE_BIT)
#define SL_FS_CREATE_NOSIGNATURE ((_u32)0x4 << SL_NUM_OF_MAXSIZE_BIT)
#define SL_FS_CREATE_PUBLIC_WRITE ((_u32)0x20 << SL_NUM_OF_MAXSIZE_BIT)
#define SL_FS_CREATE_PUBLIC_READ ((_u32)0x40 << SL_NUM_OF_MAXSIZE_BIT)
#define SL_FS_CREATE_MAX_SIZE(MaxFileSize) \
    ((((_u32)(MaxFileSize) + 255) / 256) & SL_FS_OPEN_MAXSIZE_BIT_MASK)

typedef struct {
    _u16 Flags;
    _u32 Len;     /* bytes in the file */
    _u32 MaxSize; /* bytes it may hold */
    _u32 Token[4];
    _u32 StorageSize;
    _u32 WriteCounter;
} SlFsFileInfo_t;

_i32 sl_FsOpen(const _u8 *pFileName, const _u32 AccessModeAndMaxSize, _u32 *pToken);
_i16 sl_FsClose(const _i32 FileHdl, const _u8 *pCeritificateFileName, const _u8 *pSignature,
                const _u32 SignatureLen);
_i32 sl_FsWrite(const _i32 FileHdl, _u32 Offset, _u8 *pData, _u32 Len);
_i16 sl_FsGetInfo(const _u8 *pFileName, const _u32 Token, SlFsFileInfo_t *pFsFileInfo);

/* ---- result codes (errors.h) used by name ------------------------------------------ */
#define SL_ERROR_BSD_EAGAIN (-11L)
#define SL_ERROR_BSD_EALREADY (-114L)       /* non-blocking connect in progress */
#define SL_ERROR_BSD_ESECSNOVERIFY (-453L)  /* connected without server verification */
#define SL_ERROR_BSD_ESECDATEERROR (-461L)  /* connected, certificate date check failed */
#define SL_ERROR_BSD_ESECCERTIFICATEREVOKED (-467L) /* connected, a chain certificate revoked */
#define SL_ERROR_BSD_ESECUNKNOWNROOTCA (-468L)      /* connected, root CA not in the catalog */
#define SL_ERROR_FS_FILE_NOT_EXISTS (-10341L) /* sl_FsGetInfo: no such file */

#ifdef __cplusplus
}
#endif

#endif
