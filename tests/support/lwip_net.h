/**
 * @file lwip_net.h
 * @brief A real lwIP network in a test process: Debian's liblwip (the unix port, no DNS),
 *        one netif at LWIP_NET_ADDR that loops packets to its own address (others go
 *        nowhere: a silent network), and a relay from an lwIP listening socket on that
 *        address to a TCP port of the host's loopback (a private mosquitto):
 *
 *   client on lwIP --> LWIP_NET_ADDR:port --relay--> 127.0.0.1:target
 *
 * Used by tests/ports/test_lwip.c (the transport) and test_sensor_node_lwip.c (the
 * example firmware). Compiled into each (it needs liblwip, which the harness does not).
 */
#ifndef MQTLS_TEST_LWIP_NET_H
#define MQTLS_TEST_LWIP_NET_H

#include <stdint.h>

#define LWIP_NET_ADDR "10.0.0.1"

/** Starts lwIP and the relay listening on LWIP_NET_ADDR:@p port, relaying to
 * 127.0.0.1:@p target. 0 on success, -1 if the relay could not listen. Once per process. */
int lwip_net_start(uint16_t port, uint16_t target);

/** Where the relay's next connections go. */
void lwip_net_retarget(uint16_t target);

/** Stops the relay (lwIP's own thread stays until the process ends). */
void lwip_net_stop(void);

#endif
