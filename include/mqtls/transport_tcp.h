/**
 * @file transport_tcp.h
 * @brief POSIX TCP transport: DNS, IPv4 and IPv6, non-blocking connect and I/O.
 */
#ifndef MQTLS_TRANSPORT_TCP_H
#define MQTLS_TRANSPORT_TCP_H

#include <stdbool.h>

#include "mqtls/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The TCP transport's context. Fields are private. */
typedef struct mqtls_tcp {
    int fd;
    int family;       /**< 0: any; AF_INET or AF_INET6 to force one */
    int last_errno;   /**< the raw errno (or getaddrinfo code) of the last failure */
    void *addrs;      /**< struct addrinfo list while connecting */
    void *next_addr;  /**< the address being tried */
    const char *bind_addr; /**< the local address to bind before connecting, or NULL */
    int bind_errno;   /**< why the local address could not be used (errno, or getaddrinfo's
                           code), 0 when it could */
    const char *unix_path; /**< mqtls_tcp_unix(): a Unix stream socket instead of TCP */
    bool unix_pending;     /**< a connect to @c unix_path is in progress */
} mqtls_tcp_t;

/** Prepares @p t (closed). @p family: 0, AF_INET or AF_INET6. */
MQTLS_API void mqtls_tcp_init(mqtls_tcp_t *t, int family);

/**
 * Binds the socket to the local address @p addr (a numeric address or a name; the port is
 * chosen by the system) before each connect: the interface a multi-homed host sends from.
 * @p addr must stay valid while @p t is used; NULL: no bind (the default). An address the
 * system cannot bind (not one of this host's, another family than the broker's) fails the
 * connect with MQTLS_ERR_IO, and mqtls_tcp_bind_error() tells why.
 */
MQTLS_API void mqtls_tcp_bind(mqtls_tcp_t *t, const char *addr);

/** Why the last connect could not bind the local address: errno, or getaddrinfo()'s code
 *  (negative); 0 when the bind was not the trouble. */
MQTLS_API int mqtls_tcp_bind_error(const mqtls_tcp_t *t);

/**
 * Connects to the Unix stream socket at @p path instead of TCP: a broker on the same
 * machine (mosquitto's `listener 0 PATH`). The host and port given to connect are then
 * ignored. @p path must stay valid while @p t is used; NULL: TCP again. A path the system
 * cannot hold (empty, or over 107 bytes on Linux) fails the connect with
 * MQTLS_ERR_BAD_PARAM; a path where nothing listens (no such file, or a stale socket file)
 * with MQTLS_ERR_CONNECT_REFUSED, and mqtls_tcp_error() gives the errno.
 */
MQTLS_API void mqtls_tcp_unix(mqtls_tcp_t *t, const char *path);

/** The raw code of the last failure: errno, or getaddrinfo()'s code after MQTLS_ERR_DNS;
 *  0 after a success. */
MQTLS_API int mqtls_tcp_error(const mqtls_tcp_t *t);

/** The socket, or -1 when closed (to poll it in an event loop). */
MQTLS_API int mqtls_tcp_fd(const mqtls_tcp_t *t);

/** The transport operations; pass with a mqtls_tcp_t as the context. */
MQTLS_API extern const mqtls_transport_t mqtls_tcp_transport;

#ifdef __cplusplus
}
#endif
#endif
