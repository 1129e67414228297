/**
 * @file sl_compat.h
 * @brief Internal: the few SimpleLink names that differ between the CC32xx SDK and the
 *        CC3200 SDK 1.x, under one spelling (MQTLS_SLC_*), so that transport_simplelink.c
 *        is one source for both. Not a public header.
 *
 * The spellings follow TI's own mapping between the generations (TI's MQTT client network
 * layer cc32xx_sl_net.c switches on `SL_MAJOR_VERSION_NUM < 2`: SL_ERROR_BSD_EAGAIN ->
 * SL_EAGAIN, SL_SOCKET_FD_SET -> SL_FD_SET, ...). The values are the same on both
 * generations except where noted; what a CC3200 SDK does not have is left undefined and
 * tested with #ifdef, so the code that needs it compiles out.
 */
#ifndef MQTLS_SL_COMPAT_H
#define MQTLS_SL_COMPAT_H

#include "simplelink_api.h"

#ifdef MQTLS_SL_SDK_CC3200
/* ---- CC3200 SDK 1.x (socket.h) ---- */
#define MQTLS_SLC_SDK_CHIP MQTLS_SL_CC3200 /* the only chip this SDK drives */
#define MQTLS_SLC_EAGAIN SL_EAGAIN                 /* -11 */
#define MQTLS_SLC_EALREADY SL_EALREADY             /* -114 */
#define MQTLS_SLC_ESECSNOVERIFY SL_ESECSNOVERIFY   /* -453 */
#define MQTLS_SLC_ESECDATEERROR SL_ESECDATEERROR   /* -461 */
/* No -467 / -468: the CC3200 has no trusted-root catalog and no revocation code. */
#define MQTLS_SLC_FD_ZERO SL_FD_ZERO
#define MQTLS_SLC_FD_SET SL_FD_SET
/* Domain-name verification: option 35 from host driver 1.0.1.6 on (absent before). */
#ifdef SO_SECURE_DOMAIN_NAME_VERIFICATION
#define MQTLS_SLC_SO_DOMAIN_NAME SO_SECURE_DOMAIN_NAME_VERIFICATION
#endif
/* No ALPN (40), no trusted-root catalog to disable (38), no files by name on this port's
 * CC3200 path (the transport names the CC3200's files by id: SL_SO_SECURE_FILES). */
#else
/* ---- CC32xx SDK (sl_socket.h, errors.h) ---- */
#define MQTLS_SLC_SDK_CHIP MQTLS_SL_CC3220
#define MQTLS_SLC_EAGAIN SL_ERROR_BSD_EAGAIN
#define MQTLS_SLC_EALREADY SL_ERROR_BSD_EALREADY
#define MQTLS_SLC_ESECSNOVERIFY SL_ERROR_BSD_ESECSNOVERIFY
#define MQTLS_SLC_ESECDATEERROR SL_ERROR_BSD_ESECDATEERROR
#define MQTLS_SLC_ESECCERTIFICATEREVOKED SL_ERROR_BSD_ESECCERTIFICATEREVOKED /* -467 */
#define MQTLS_SLC_ESECUNKNOWNROOTCA SL_ERROR_BSD_ESECUNKNOWNROOTCA           /* -468 */
#define MQTLS_SLC_FD_ZERO SL_SOCKET_FD_ZERO
#define MQTLS_SLC_FD_SET SL_SOCKET_FD_SET
#define MQTLS_SLC_SO_DOMAIN_NAME SL_SO_SECURE_DOMAIN_NAME_VERIFICATION /* 42 */
#define MQTLS_SLC_SO_ALPN SL_SO_SECURE_ALPN                            /* 40 */
#define MQTLS_SLC_SO_DISABLE_CERT_STORE SL_SO_SECURE_DISABLE_CERTIFICATE_STORE /* 38 */
#define MQTLS_SLC_FILES_BY_NAME 1
#endif

/* The cipher-suite bits a CC3200 knows: 0-9 (its SL_SEC_MASK_SECURE_DEFAULT, 0x3FF, in host
 * driver 1.0.1.6; the CC32xx SDK goes to bit 22, AES-GCM from bit 12). Written as a number
 * because the older CC3200 header's SL_SEC_MASK_SECURE_DEFAULT does not compile. */
#define MQTLS_SLC_CC3200_MASK_BITS 0x3FFu

#endif
