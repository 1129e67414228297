/**
 * @file lwipopts.h
 * @brief An lwIP configuration for a Cortex-M4 running FreeRTOS, with the sockets API.
 *
 * It is what the cross build compiles ports/lwip/transport_lwip.c against (lwIP 2.1
 * headers from Debian's liblwip-dev). A board brings its own lwipopts.h with its lwIP
 * port; the transport needs only LWIP_SOCKET=1, LWIP_TCP=1 and NO_SYS=0, and uses DNS
 * when LWIP_DNS=1. Everything lives in lwIP's static pools: no C library heap.
 */
#ifndef MQTLS_PORT_LWIPOPTS_H
#define MQTLS_PORT_LWIPOPTS_H

/* An RTOS (FreeRTOS) runs lwIP's tcpip thread; the application calls the sockets API. */
#define NO_SYS 0
#define LWIP_TCPIP_CORE_LOCKING 1
#define SYS_LIGHTWEIGHT_PROT 1

/* The sockets API under lwip_* names only (no macros over the C library's names). */
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_POLL 1
#define LWIP_SOCKET_SELECT 1
#define LWIP_SO_RCVTIMEO 0
#define LWIP_SO_SNDTIMEO 0

/* Protocols: IPv4, TCP, UDP for DNS, DHCP. */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_TCP 1
#define LWIP_UDP 1
#define LWIP_DNS 1
#define LWIP_DHCP 1
#define LWIP_ICMP 1
#define LWIP_RAW 0

/* Memory: lwIP's own static heap and pools, never malloc(). */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 4
#define MEM_SIZE (12 * 1024)
#define MEMP_NUM_NETCONN 4
#define MEMP_NUM_TCP_PCB 4
#define MEMP_NUM_UDP_PCB 4
#define MEMP_NUM_NETBUF 4
#define PBUF_POOL_SIZE 12
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF) / TCP_MSS)

/* The tcpip thread and the mailboxes of the sequential API. */
#define TCPIP_THREAD_NAME "tcpip"
#define TCPIP_THREAD_STACKSIZE 1024
#define TCPIP_THREAD_PRIO 3
#define TCPIP_MBOX_SIZE 8
#define DEFAULT_TCP_RECVMBOX_SIZE 8
#define DEFAULT_UDP_RECVMBOX_SIZE 4
#define DEFAULT_ACCEPTMBOX_SIZE 4

#define LWIP_STATS 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1

#endif
