/**
 * @file bench_codec.c
 * @brief Codec micro-benchmark: encode and decode of one PUBLISH with a 64-byte payload.
 *
 * Each case is timed as four loops over the same packet: the full encode (payload copied),
 * the header-only encode the client uses (payload left in place), the decode, and an encode
 * followed by a decode of its output. Every loop runs opts->iterations times and the best of
 * opts->codec_runs runs is printed. A compiler barrier after every call makes the compiler
 * treat the buffers and the packet as read and written by unknown code, so no call can be
 * hoisted out of its loop or dropped; the packet id changes every iteration as well.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "mqtls/codec.h"

#define PAYLOAD_LEN 64u
#define CODEC_TOPIC "sensors/building-7/floor-3/temp"

/* The compiler must assume that *p is read and changed here. */
static inline void escape(const void *p)
{
    __asm__ __volatile__("" : : "g"(p) : "memory");
}

typedef struct codec_case {
    const char *name;
    mqtls_version_t version;
    uint8_t qos;
    bool user_prop;
} codec_case_t;

static const codec_case_t CASES[] = {
    {"3.1.1 QoS 0", MQTLS_V311, 0, false},
    {"3.1.1 QoS 1", MQTLS_V311, 1, false},
    {"5.0 QoS 0, no properties", MQTLS_V5, 0, false},
    {"5.0 QoS 1, no properties", MQTLS_V5, 1, false},
    {"5.0 QoS 0, 1 user property", MQTLS_V5, 0, true},
    {"5.0 QoS 1, 1 user property", MQTLS_V5, 1, true},
};

static const mqtls_user_prop_t USER_PROP = {{"trace-id", 8}, {"4bf92f3577b34da6", 16}};

static void make_packet(const codec_case_t *k, const uint8_t *payload, mqtls_packet_t *p)
{
    memset(p, 0, sizeof *p);
    p->type = MQTLS_PUBLISH;
    p->u.publish.topic.data = CODEC_TOPIC;
    p->u.publish.topic.len = (uint16_t)strlen(CODEC_TOPIC);
    p->u.publish.payload = payload;
    p->u.publish.payload_len = PAYLOAD_LEN;
    p->u.publish.qos = k->qos;
    p->u.publish.packet_id = k->qos ? 1 : 0;
    if (k->user_prop) {
        p->u.publish.props.user = &USER_PROP;
        p->u.publish.props.user_count = 1;
        p->u.publish.props.present |= MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY);
    }
}

/* A packet id that changes every iteration and is never 0. */
static inline uint16_t next_id(uint32_t i)
{
    return (uint16_t)((i & 0x7FFFu) + 1u);
}

typedef enum loop_kind { L_ENCODE, L_HEADER, L_DECODE, L_BOTH } loop_kind_t;

/* One timed loop; returns ns per iteration, or a negative value if a call failed. */
static double time_loop(loop_kind_t kind, const codec_case_t *k, mqtls_packet_t *pkt,
                        uint8_t *buf, size_t size, size_t wire_len, uint32_t iterations)
{
    mqtls_packet_t out;
    size_t n = 0;
    uint32_t failures = 0;
    uint64_t sink = 0;
    uint64_t t0 = bench_now_ns();

    switch (kind) {
    case L_ENCODE:
        for (uint32_t i = 0; i < iterations; i++) {
            if (k->qos)
                pkt->u.publish.packet_id = next_id(i);
            escape(pkt);
            failures += mqtls_encode(pkt, k->version, buf, size, &n) != MQTLS_OK;
            escape(buf);
            sink += n;
        }
        break;
    case L_HEADER:
        for (uint32_t i = 0; i < iterations; i++) {
            if (k->qos)
                pkt->u.publish.packet_id = next_id(i);
            escape(pkt);
            failures += mqtls_encode_publish_header(&pkt->u.publish, k->version, buf, size,
                                                    &n) != MQTLS_OK;
            escape(buf);
            sink += n;
        }
        break;
    case L_DECODE:
        for (uint32_t i = 0; i < iterations; i++) {
            escape(buf);
            failures += mqtls_decode(buf, wire_len, k->version, &out, &n) != MQTLS_OK;
            escape(&out);
            sink += out.u.publish.payload_len + n;
        }
        break;
    case L_BOTH:
        for (uint32_t i = 0; i < iterations; i++) {
            if (k->qos)
                pkt->u.publish.packet_id = next_id(i);
            escape(pkt);
            failures += mqtls_encode(pkt, k->version, buf, size, &n) != MQTLS_OK;
            escape(buf);
            failures += mqtls_decode(buf, n, k->version, &out, &n) != MQTLS_OK;
            escape(&out);
            sink += out.u.publish.payload_len + out.u.publish.packet_id;
        }
        break;
    }
    uint64_t t1 = bench_now_ns();
    escape(&sink);
    if (failures)
        return -1.0;
    return (double)(t1 - t0) / (double)iterations;
}

static double best_of(loop_kind_t kind, const codec_case_t *k, mqtls_packet_t *pkt, uint8_t *buf,
                      size_t size, size_t wire_len, const bench_opts_t *o)
{
    double best = -1.0;
    for (uint32_t r = 0; r < o->codec_runs; r++) {
        double ns = time_loop(kind, k, pkt, buf, size, wire_len, o->iterations);
        if (ns < 0)
            return ns;
        if (best < 0 || ns < best)
            best = ns;
    }
    return best;
}

int bench_codec_run(const bench_opts_t *o)
{
    uint8_t payload[PAYLOAD_LEN];
    uint8_t buf[512];
    int rc = 0;

    for (unsigned i = 0; i < PAYLOAD_LEN; i++)
        payload[i] = (uint8_t)(i * 7u + 1u);

    printf("## Codec: PUBLISH, topic \"%s\" (%zu bytes), %u-byte payload\n\n", CODEC_TOPIC,
           strlen(CODEC_TOPIC), PAYLOAD_LEN);
    printf("%u iterations per run, best of %u runs; ns per operation.\n\n", o->iterations,
           o->codec_runs);
    printf("| packet | wire bytes | encode ns | header-only encode ns | decode ns "
           "| encode+decode ns | encode+decode M/s |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    fflush(stdout);

    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        const codec_case_t *k = &CASES[c];
        mqtls_packet_t pkt;
        size_t wire = 0;

        make_packet(k, payload, &pkt);
        if (mqtls_encode(&pkt, k->version, buf, sizeof buf, &wire) != MQTLS_OK) {
            printf("| %s | encode failed | | | | | |\n", k->name);
            rc = 1;
            continue;
        }
        /* Warm-up: caches, branch predictors, CPU frequency. */
        (void)time_loop(L_BOTH, k, &pkt, buf, sizeof buf, wire, o->iterations / 10u + 1u);
        double enc = best_of(L_ENCODE, k, &pkt, buf, sizeof buf, wire, o);
        double hdr = best_of(L_HEADER, k, &pkt, buf, sizeof buf, wire, o);
        /* The decode loop needs the whole packet in buf again. */
        make_packet(k, payload, &pkt);
        (void)mqtls_encode(&pkt, k->version, buf, sizeof buf, &wire);
        double dec = best_of(L_DECODE, k, &pkt, buf, sizeof buf, wire, o);
        double both = best_of(L_BOTH, k, &pkt, buf, sizeof buf, wire, o);
        if (enc < 0 || hdr < 0 || dec < 0 || both < 0) {
            printf("| %s | %zu | a call failed | | | | |\n", k->name, wire);
            rc = 1;
            continue;
        }
        printf("| %s | %zu | %.1f | %.1f | %.1f | %.1f | %.2f |\n", k->name, wire, enc, hdr, dec,
               both, 1000.0 / both);
        fflush(stdout);
    }
    printf("\n");
    return rc;
}
