/**
 * @file transport_lwip.h
 * @brief TCP on lwIP's sockets API (LWIP_SOCKET=1, NO_SYS=0): non-blocking connect,
 *        gathered sends, non-blocking receives, poll() or select() waits.
 *
 * Plain TCP: MQTT without TLS (a broker on a trusted network, or TLS done elsewhere).
 * Host names are resolved with lwip_getaddrinfo() when lwIP has DNS (LWIP_DNS=1); an IPv4
 * or IPv6 address is used as is. The first address returned is tried.
 *
 * Source: ports/lwip/ (needs lwIP's headers and your lwipopts.h; see its README.md).
 * No heap: the context is the caller's (the resolver's result comes from lwIP's pools).
 */
#ifndef MQTLS_TRANSPORT_LWIP_H
#define MQTLS_TRANSPORT_LWIP_H

#include <stdbool.h>

#include "mqtls/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The lwIP transport's context. Fields are private. */
typedef struct mqtls_lwip {
    int fd;          /**< the lwIP socket, -1 when closed */
    bool connecting; /**< a non-blocking connect is pending on fd */
    int last_errno;  /**< errno of the last failure (or the resolver's EAI_ code) */
} mqtls_lwip_t;

/** Prepares @p t (closed). Cannot fail. */
MQTLS_API void mqtls_lwip_init(mqtls_lwip_t *t);

/** The socket, or -1 when closed (to watch it with lwip_poll/lwip_select of your own). */
MQTLS_API int mqtls_lwip_fd(const mqtls_lwip_t *t);

/** The transport operations; pass with a mqtls_lwip_t as the context. */
MQTLS_API extern const mqtls_transport_t mqtls_lwip_transport;

#ifdef __cplusplus
}
#endif
#endif
