/**
 * @file bench.h
 * @brief What the benchmark's files share: options, timing helpers, result records.
 */
#ifndef MQTLS_BENCH_H
#define MQTLS_BENCH_H

#include <stdbool.h>
#include <stdint.h>

/** Which library a publisher (or the subscriber) uses. */
typedef enum bench_client {
    BENCH_MQTLS = 0,
    BENCH_MOSQ = 1
} bench_client_t;

/** Everything the command line sets. */
typedef struct bench_opts {
    bool codec;               /**< run the codec table */
    bool e2e;                 /**< run the end-to-end table */
    bool tls;                 /**< run the TLS section (connect cost, handshake heap) */
    uint32_t iterations;      /**< codec: operations per timed run */
    uint32_t codec_runs;      /**< codec: best of this many runs */
    uint32_t qos0_messages;   /**< e2e: messages in a QoS 0 run */
    uint32_t qos1_messages;   /**< e2e: messages in a QoS 1 run */
    uint32_t runs;            /**< e2e: repetitions of each row (the median is printed) */
    uint16_t window;          /**< e2e: QoS 1 messages in flight, both clients */
    uint32_t payload;         /**< e2e: payload bytes */
    uint32_t tx_size;         /**< e2e: mqtls tx buffer (the coalescing room) */
    uint32_t service_every;   /**< e2e QoS 0: service the network every N publishes */
    uint16_t refill;          /**< e2e QoS 1: publish again only when this many slots are free
                                   (1: keep the window full, the default) */
    int only_client;          /**< -1: both, else a bench_client_t */
    int only_qos;             /**< -1: both, else 0 or 1 */
    bench_client_t subscriber; /**< the counting subscriber's library */
    bool mosq_nodelay;        /**< libmosquitto publisher: MOSQ_OPT_TCP_NODELAY */
    bool verbose;             /**< print every run, not only the medians */
    bool exp_short_read;      /**< experiment: mqtls publisher's transport stops reading
                                   after a short read (what receive.c could do itself) */
    uint32_t tls_connects;    /**< TLS: connections per row and run */
    uint32_t tls_runs;        /**< TLS: interleaved runs of every row (CPU: min/median/max
                                   over the runs; the latencies are pooled) */
    bool tls_mosq13;          /**< TLS: also the TLS 1.3 rows (both clients; connect, idle) */
    bool idle;                /**< run the idle-connections section (only on request) */
    uint32_t idle_counts[8];  /**< idle: connections held per row */
    uint32_t idle_ncounts;
    uint32_t idle_runs;       /**< idle: interleaved repetitions of every row */
    uint32_t idle_batch;      /**< idle: handshakes in flight at most */
    bool idle_rsa;            /**< idle: also the RSA-2048 key set */
    bool devheap;             /**< run the device TLS heap table (Mbed TLS builds) */
} bench_opts_t;

/** One publisher configuration of the end-to-end table. */
typedef struct bench_pub_cfg {
    bench_client_t client;
    uint8_t qos;
    bool coalesce;            /**< mqtls only: tx_coalesce */
    uint32_t messages;
    const char *topic;
} bench_pub_cfg_t;

/** What a publisher child reports through its pipe. */
typedef struct bench_pub_result {
    int ok;                   /**< 1: every message was handed over / acknowledged */
    uint32_t sent;            /**< messages accepted by the library */
    uint32_t completed;       /**< QoS 0: left the client; QoS 1: acknowledged */
    uint64_t t_start_ns;      /**< CLOCK_MONOTONIC at the first publish */
    uint64_t t_end_ns;        /**< ... when the last one was out / acknowledged */
    double loop_cpu_s;        /**< CPU of the publish loop alone (getrusage deltas) */
    char error[96];
} bench_pub_result_t;

/** What the subscriber child reports. */
typedef struct bench_sub_result {
    int ok;
    uint32_t received;        /**< messages counted */
    uint32_t unique;          /**< distinct sequence numbers among them */
    uint64_t t_first_ns;
    uint64_t t_last_ns;
    char error[96];
} bench_sub_result_t;

/** Set by SIGINT/SIGTERM: finish the current run, stop the broker, print what there is. */
extern volatile int bench_stop;

/** CLOCK_MONOTONIC in nanoseconds (comparable between processes). */
uint64_t bench_now_ns(void);

/** User + system CPU seconds of this process so far. */
double bench_self_cpu_s(void);

/** The codec table. @return 0 */
int bench_codec_run(const bench_opts_t *o);

/** The end-to-end table. @return 0, or 1 if a run failed or lost messages */
int bench_e2e_run(const bench_opts_t *o);

/**
 * The TLS section (bench_tls.c): mutual-TLS connect cost of mqtls and libmosquitto, and the
 * heap of an mqtls handshake. @return 0, or 1 if a connect or the set-up failed
 */
int bench_tls_run(const bench_opts_t *o);

/**
 * The idle-connections section (bench_idle.c): N mutual-TLS connections held by one process,
 * memory per connection, connect rate. @return 0, or 1 if a connection or the set-up failed
 */
int bench_idle_run(const bench_opts_t *o);

/**
 * The device TLS heap table (bench_devheap.c): the handshake peak heap of the device
 * configuration, counted through Mbed TLS's calloc/free hooks. A build on another backend
 * prints that it skipped. @return 0, or 1 if the set-up, a handshake at the device setting
 * or its large PUBLISH failed
 */
int bench_devheap_run(const bench_opts_t *o);

/** Whether the allocator wrappers of bench_tls.c are built in (not under a sanitizer). */
bool bench_tls_heap_available(void);

/**
 * Child processes. Both talk to the parent through two pipes: @p res_fd (results; the
 * subscriber first sends one byte, 'R' when subscribed or '!' when it failed) and @p ctl_fd
 * (one byte from the parent: publisher "disconnect now", subscriber "the publisher is done").
 * They return the process exit code.
 */
int bench_publisher_main(const bench_opts_t *o, const bench_pub_cfg_t *cfg, uint16_t port,
                         int res_fd, int ctl_fd);
int bench_subscriber_main(const bench_opts_t *o, uint8_t qos, uint32_t expected,
                          const char *topic, uint16_t port, int res_fd, int ctl_fd);

/** Whether libmosquitto was found at build time. */
bool bench_have_mosquitto(void);

#endif
