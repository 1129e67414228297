/**
 * @file sl_emu_netapp.c
 * @brief The emulated network processor's DNS client and true random numbers (see
 *        sl_emu.h). Tests only.
 */
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sl_emu_internal.h"

enum {
    N_AF_INET = 2,            /* SL_AF_INET (A12, B-sock) */
    N_NETUTIL_TRUE_RANDOM = 3 /* SL_NETUTIL_TRUE_RANDOM: CC32xx netutil.h, index id 683313152 */
};

_i16 sl_NetAppDnsGetHostByName(_i8 *pHostName, const _u16 NameLen, _u32 *OutIpAddr,
                               const _u8 Family)
{
    char name[256];
    struct addrinfo hints, *res = NULL;
    if (Family != N_AF_INET || NameLen >= sizeof name)
        return E_INVAL;
    memcpy(name, pHostName, NameLen);
    name[NameLen] = '\0';
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
        return sl_emu__codes()->dns_failed; /* "no DNS server sent an 'answer'" */
    const uint8_t *a = (const uint8_t *)&((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr;
    *OutIpAddr = ((_u32)a[0] << 24) | ((_u32)a[1] << 16) | ((_u32)a[2] << 8) | a[3];
    freeaddrinfo(res);
    return 0;
}

#ifndef MQTLS_SL_SDK_CC3200 /* no netutil.h in the CC3200 SDK copies read */
_i16 sl_NetUtilGet(const _u16 Option, const _u32 ObjID, _u8 *pValues, _u16 *pValueLen)
{
    (void)ObjID;
    if (Option != N_NETUTIL_TRUE_RANDOM || !pValues || !pValueLen)
        return E_INVAL;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0)
        return E_SOC_ERROR;
    ssize_t n = read(fd, pValues, *pValueLen);
    close(fd);
    if (n < 0)
        return E_SOC_ERROR;
    *pValueLen = (_u16)n;
    return 0;
}
#endif
