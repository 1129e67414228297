/**
 * @file tun_relay.h
 * @brief An impaired IP link for tests where the kernel has no sch_netem: two TUN
 *        interfaces joined by a thread that forwards every IP packet from one to the other
 *        with netem's loss and delay, or drops everything (a partition).
 *
 * The interfaces are made in the caller's namespace; the caller moves one into another
 * namespace (`ip link set NAME netns NS`, the open descriptor follows it) and gives both
 * their addresses, as it would a veth pair. Each packet read from one interface is dropped
 * with the loss probability, else written to the other after delay +- jitter (uniform, as
 * netem's default distribution; packets may be reordered, as with netem). At most
 * TUN_RELAY_LIMIT packets wait per direction (netem's default limit); more are dropped.
 * The interfaces disappear when the relay stops (they are not persistent).
 */
#ifndef MQTLS_TEST_TUN_RELAY_H
#define MQTLS_TEST_TUN_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TUN_RELAY_LIMIT 1000u

/** What the relay has done so far (both directions). */
typedef struct tun_relay_stats {
    uint64_t forwarded;      /**< packets written to the other side */
    uint64_t lost;           /**< dropped by the loss probability */
    uint64_t partitioned;    /**< dropped while partitioned */
    uint64_t overflow;       /**< dropped with TUN_RELAY_LIMIT packets waiting, or not
                                  taken by the other interface (its write failed) */
} tun_relay_stats_t;

typedef struct tun_relay tun_relay_t;

/**
 * Creates TUN interfaces @p name_a and @p name_b (IFF_TUN, no packet information) and
 * starts the relay between them, unimpaired. Needs CAP_NET_ADMIN and /dev/net/tun.
 * @return the relay, or NULL with a reason in @p why
 */
tun_relay_t *tun_relay_start(const char *name_a, const char *name_b, char *why, size_t cap);

/** Sets the impairment: @p loss_pct percent of packets dropped, the others delayed
 *  @p delay_ms +- @p jitter_ms. */
void tun_relay_impair(tun_relay_t *r, unsigned loss_pct, unsigned delay_ms, unsigned jitter_ms);

/** Drops every packet (@p on) or goes back to the impairment. Packets already waiting
 *  are dropped too when the partition starts. */
void tun_relay_partition(tun_relay_t *r, bool on);

void tun_relay_stats(tun_relay_t *r, tun_relay_stats_t *out);

/** Stops the thread and closes the interfaces (which removes them). NULL is ignored. */
void tun_relay_stop(tun_relay_t *r);

#ifdef __cplusplus
}
#endif

#endif
