/**
 * @file gen_corpus.c
 * @brief Writes the seed corpora of the fuzz targets into ROOT/<target>/ (committed as
 *        tests/fuzz/corpus/<target>/), from the golden vectors of tests/data/golden (golden.h)
 *        and a few hand-written inputs. The x509 seeds come from `mqtls pki` instead
 *        (tests/fuzz/gen_x509_corpus.sh).
 *
 *   fuzz_gen_corpus tests/fuzz/corpus            every target below
 *   fuzz_gen_corpus tests/fuzz/corpus TARGET     one: decode, props, url, dprop, client
 *
 * The input formats are described at the top of each fuzz_<target>.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "golden.h"

static const char *root;
static size_t written;

static void write_seed(const char *target, const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    written++;
}

/* A growable byte string. */
typedef struct bytes {
    uint8_t b[8192];
    size_t n;
} bytes_t;

static void add(bytes_t *s, const void *p, size_t n)
{
    if (n > sizeof s->b - s->n) {
        fprintf(stderr, "gen_corpus: a seed is too long\n");
        exit(1);
    }
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void add1(bytes_t *s, uint8_t v)
{
    add(s, &v, 1);
}

/* ---- decode: the golden vectors as they are --------------------------------------------- */

static void gen_decode(void)
{
    for (size_t i = 0; i < golden_count; i++)
        write_seed("decode", golden_vectors[i].name, golden_vectors[i].bytes,
                   golden_vectors[i].len);
}

/* ---- props: [context][property block], see fuzz_props.c --------------------------------- */

enum { P_CONNECT, P_WILL, P_CONNACK, P_PUBLISH, P_PUBACK, P_PUBREC, P_PUBREL, P_PUBCOMP,
       P_SUBSCRIBE, P_SUBACK, P_UNSUBSCRIBE, P_UNSUBACK, P_DISCONNECT, P_AUTH };

static void props_seed(const char *name, int ctx, const mqtls_props_t *p)
{
    bytes_t s = {.n = 0};
    add1(&s, (uint8_t)ctx);
    if (p->raw_len)
        add(&s, p->raw, p->raw_len);
    write_seed("props", name, s.b, s.n);
}

static int ctx_of(mqtls_packet_type_t t)
{
    switch (t) {
    case MQTLS_CONNACK: return P_CONNACK;
    case MQTLS_PUBLISH: return P_PUBLISH;
    case MQTLS_PUBACK: return P_PUBACK;
    case MQTLS_PUBREC: return P_PUBREC;
    case MQTLS_PUBREL: return P_PUBREL;
    case MQTLS_PUBCOMP: return P_PUBCOMP;
    case MQTLS_SUBSCRIBE: return P_SUBSCRIBE;
    case MQTLS_SUBACK: return P_SUBACK;
    case MQTLS_UNSUBSCRIBE: return P_UNSUBSCRIBE;
    case MQTLS_UNSUBACK: return P_UNSUBACK;
    case MQTLS_DISCONNECT: return P_DISCONNECT;
    case MQTLS_AUTH: return P_AUTH;
    default: return P_CONNECT;
    }
}

static void gen_props(void)
{
    /* Every non-empty property block of a 5.0 golden vector, in its own context. */
    for (size_t i = 0; i < golden_count; i++) {
        const golden_t *g = &golden_vectors[i];
        mqtls_packet_t pk;
        size_t used;
        char name[200];
        if (g->version != MQTLS_V5 || mqtls_decode(g->bytes, g->len, MQTLS_V5, &pk, &used))
            continue;
        const mqtls_props_t *p = NULL;
        switch (pk.type) {
        case MQTLS_CONNECT:
            if (pk.u.connect.will_props.raw_len) {
                snprintf(name, sizeof name, "%s_will", g->name);
                props_seed(name, P_WILL, &pk.u.connect.will_props);
            }
            p = &pk.u.connect.props;
            break;
        case MQTLS_CONNACK: p = &pk.u.connack.props; break;
        case MQTLS_PUBLISH: p = &pk.u.publish.props; break;
        case MQTLS_SUBSCRIBE:
        case MQTLS_UNSUBSCRIBE: p = &pk.u.subscribe.props; break;
        case MQTLS_SUBACK:
        case MQTLS_UNSUBACK: p = &pk.u.suback.props; break;
        case MQTLS_PINGREQ:
        case MQTLS_PINGRESP: break;
        default: p = &pk.u.ack.props; break;
        }
        if (p && p->raw_len)
            props_seed(g->name, ctx_of(pk.type), p);
    }
    /* Hand-made: each property once where it belongs, and the repeatable ones repeated. */
    static const struct {
        const char *name;
        int ctx;
        const char *bytes;
        size_t n;
    } hand[] = {
#define H(name, ctx, lit) {name, ctx, lit, sizeof lit - 1}
        H("h_will_all", P_WILL,
          "\x01\x01\x02\x00\x00\x00\x3c\x03\x00\x04text\x08\x00\x03r/t\x09\x00\x02\x00\xff"
          "\x18\x00\x00\x00\x0a\x26\x00\x01k\x00\x01v"),
        H("h_connect_all", P_CONNECT,
          "\x11\x00\x00\x0e\x10\x15\x00\x05SCRAM\x16\x00\x02\x01\x02\x17\x01\x19\x01\x21\x00"
          "\x14\x22\x00\x0a\x27\x00\x00\x10\x00\x26\x00\x01" "a\x00\x01" "b"),
        H("h_connack_all", P_CONNACK,
          "\x11\x00\x00\x00\x3c\x12\x00\x03" "cid\x13\x00\x1e\x15\x00\x01m\x16\x00\x01" "d\x1a\x00"
          "\x02ri\x1c\x00\x03srv\x1f\x00\x02ok\x21\x00\x05\x22\x00\x03\x24\x01\x25\x00\x27\x00"
          "\x00\x01\x00\x28\x01\x29\x00\x2a\x01"),
        H("h_publish_two_sub_ids_users", P_PUBLISH,
          "\x0b\x01\x0b\xff\xff\xff\x7f\x26\x00\x01" "a\x00\x00\x26\x00\x00\x00\x01" "b\x23\x00\x02"),
        H("h_publish_alias_zero", P_PUBLISH, "\x23\x00\x00"),
        H("h_publish_alias_empty_topic", P_PUBLISH | 0x40, "\x23\x00\x05"),
        H("h_subscribe_sub_id", P_SUBSCRIBE, "\x0b\x80\x01\x26\x00\x01k\x00\x01v"),
        H("h_puback_reason", P_PUBACK, "\x1f\x00\x06reason\x26\x00\x01k\x00\x01v"),
        H("h_disconnect_all", P_DISCONNECT,
          "\x11\x00\x00\x00\x00\x1c\x00\x04host\x1f\x00\x03" "bye"),
        H("h_auth_all", P_AUTH, "\x15\x00\x05SCRAM\x16\x00\x03" "abc\x1f\x00\x01r"),
        H("h_suback_reason", P_SUBACK, "\x1f\x00\x01x"),
        H("h_unsubscribe_user", P_UNSUBSCRIBE, "\x26\x00\x01k\x00\x01v"),
        H("h_unsuback_reason", P_UNSUBACK, "\x1f\x00\x01x"),
        H("h_pubrec", P_PUBREC, "\x1f\x00\x01x"),
        H("h_pubrel", P_PUBREL, "\x1f\x00\x01x"),
        H("h_pubcomp", P_PUBCOMP, "\x1f\x00\x01x"),
        H("h_raw_length", P_CONNACK | 0x80, "\x05\x24\x00\x25\x01\x28"),
#undef H
    };
    for (size_t i = 0; i < sizeof hand / sizeof hand[0]; i++) {
        bytes_t s = {.n = 0};
        add1(&s, (uint8_t)hand[i].ctx);
        add(&s, hand[i].bytes, hand[i].n);
        write_seed("props", hand[i].name, s.b, s.n);
    }
}

/* ---- url and dprop: command-line strings ------------------------------------------------- */

static void gen_url(void)
{
    static const char *const urls[] = {
        "mqtt://localhost",
        "mqtt://broker.example.com:1883/sensors/temp",
        "mqtts://user:secret@broker.example.com:8883/a/b/c",
        "mqtts://device@host/t",
        "mqtt://[::1]:1884/topic",
        "mqtt://[fe80::1%25eth0]/x",
        "mqtt://u:p@q@127.0.0.1:65535/",
        "mqtt://:1883",
        "mqtt://host:0",
        "mqtt://host:65536",
        "mqtt://[::1",
        "http://host/",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "url_%02zu", i);
        write_seed("url", name, urls[i], strlen(urls[i]));
    }
}

static void gen_dprop(void)
{
    /* Arguments separated by NUL, as the shell hands them over. */
    static const struct {
        const char *name;
        const char *args;
        size_t n;
    } seeds[] = {
#define D(name, lit) {name, lit, sizeof lit - 1}
        D("user_property", "publish\0user-property\0key\0value"),
        D("publish_all",
          "publish\0payload-format-indicator\0" "1\0publish\0message-expiry-interval\0" "60\0"
          "publish\0content-type\0text/plain\0publish\0response-topic\0r/t\0"
          "publish\0correlation-data\0abc\0publish\0topic-alias\0" "3"),
        D("connect_all",
          "connect\0session-expiry-interval\0" "3600\0connect\0authentication-method\0SCRAM\0"
          "connect\0authentication-data\0d\0connect\0request-problem-information\0" "0\0"
          "connect\0request-response-information\0" "1\0connect\0receive-maximum\0" "10\0"
          "connect\0topic-alias-maximum\0" "5\0connect\0maximum-packet-size\0" "2000\0"
          "connect\0user-property\0a\0b"),
        D("will_all", "will\0will-delay-interval\0" "10\0will\0content-type\0x\0"
                      "will\0payload-format-indicator\0" "0"),
        D("subscribe_id", "subscribe\0subscription-identifier\0" "268435455"),
        D("unsubscribe_user", "unsubscribe\0user-property\0k\0v"),
        D("disconnect_all", "disconnect\0session-expiry-interval\0" "0\0disconnect\0"
                            "reason-string\0bye"),
        D("bad_range", "connect\0receive-maximum\0" "0"),
        D("bad_command", "puback\0reason-string\0x"),
        D("bad_twice", "publish\0topic-alias\0" "1\0publish\0topic-alias\0" "2"),
        D("bad_not_allowed", "publish\0maximum-qos\0" "1"),
#undef D
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        write_seed("dprop", seeds[i].name, seeds[i].args, seeds[i].n);
}

/* ---- client: configuration, then operations (see fuzz_client.c) ------------------------- */

enum { OP_FEED = 0, OP_STEP = 1, OP_CLOCK = 2, OP_PUBLISH = 3, OP_SUBSCRIBE = 4,
       OP_UNSUBSCRIBE = 5, OP_RECONNECT = 6, OP_AUTH = 7, OP_FLUSH = 8, OP_DISCONNECT = 9,
       OP_BROKER = 10, OP_CLOCK_LONG = 11, OP_SYNC_PUBLISH = 12, OP_SYNC_SUBSCRIBE = 13,
       OP_SYNC_UNSUBSCRIBE = 14, OP_SYNC_RUN = 15, OP_SYNC_DRAIN = 16, OP_SYNC_CONNECT = 17 };

/* What the broker sends when a blocking call waits: a length byte, then the bytes. */
static void on_wait(bytes_t *s, const void *p, size_t n)
{
    add1(s, (uint8_t)n);
    add(s, p, n);
}

/* c0..c5: everything large, no faults (see fuzz_client.c for the bits). */
static void client_config(bytes_t *s, mqtls_version_t v, uint8_t c3)
{
    add1(s, (uint8_t)(0xE0 | (v == MQTLS_V5 ? 1 : 0))); /* rx 4096, persistent session */
    add1(s, 0xFF);                                       /* window 7, QoS 2 table 7, 4 aliases */
    add1(s, 0xFE);                                       /* slots of 64, store 16K, tx 4096 */
    add1(s, c3);
    add1(s, 0x18); /* 5.0 CONNACK: Topic Alias Maximum 64 */
    add1(s, 0x00); /* no transport failures */
    add1(s, 0x00); /* no automatic reconnect */
}

static void op_feed(bytes_t *s, const uint8_t *p, size_t n)
{
    if (n > 255) {
        add1(s, OP_FEED | 0x10);
        add1(s, (uint8_t)n);
        add1(s, (uint8_t)(n >> 8));
    } else {
        add1(s, OP_FEED);
        add1(s, (uint8_t)n);
    }
    add(s, p, n);
}

static void op3(bytes_t *s, uint8_t op, uint8_t a, uint8_t b, uint8_t c)
{
    add1(s, op);
    add1(s, a);
    add1(s, b);
    add1(s, c);
}

static bool client_receives(const golden_t *g)
{
    unsigned t = g->bytes[0] >> 4;
    return t == MQTLS_CONNACK || t == MQTLS_PUBLISH || (t >= MQTLS_PUBACK && t <= MQTLS_PUBCOMP) ||
           t == MQTLS_SUBACK || t == MQTLS_UNSUBACK || t == MQTLS_PINGRESP ||
           t == MQTLS_DISCONNECT || t == MQTLS_AUTH;
}

static void gen_client(void)
{
    /* Each packet a client receives, after a QoS 1 and a QoS 2 publish (ids 1 and 2) and a
     * subscribe, so that its acknowledgements find something to acknowledge. A CONNACK is
     * fed after a reconnect that waits for the broker's. */
    for (size_t i = 0; i < golden_count; i++) {
        const golden_t *g = &golden_vectors[i];
        char name[200];
        if (!client_receives(g))
            continue;
        bytes_t s = {.n = 0};
        client_config(&s, g->version, 0);
        op3(&s, OP_PUBLISH, 0x21, 0x00, 0x10); /* QoS 1 "a/b", 16 bytes */
        op3(&s, OP_PUBLISH, 0x22, 0x00, 0x20); /* QoS 2 "a/b", 32 bytes */
        add1(&s, OP_SUBSCRIBE);
        add1(&s, 0x00); /* one filter, "a/#" */
        add1(&s, 0x01); /* QoS 1 */
        if ((g->bytes[0] >> 4) == MQTLS_CONNACK) {
            add1(&s, OP_RECONNECT);
            add1(&s, 0x00);
        }
        op_feed(&s, g->bytes, g->len);
        add1(&s, OP_STEP);
        snprintf(name, sizeof name, "%s", g->name);
        write_seed("client", name, s.b, s.n);
    }

    /* A whole session per version: publishes completed, a QoS 2 message received and
     * released, keep-alive, a reconnect that resumes the session, a disconnect. */
    for (int v5 = 0; v5 <= 1; v5++) {
        mqtls_version_t v = v5 ? MQTLS_V5 : MQTLS_V311;
        bytes_t s = {.n = 0};
        client_config(&s, v, 0x40); /* keep alive 5 s */
        static const uint8_t puback1[] = {0x40, 0x02, 0x00, 0x01};
        static const uint8_t pubrec2[] = {0x50, 0x02, 0x00, 0x02};
        static const uint8_t pubcomp2[] = {0x70, 0x02, 0x00, 0x02};
        static const uint8_t suback3[] = {0x90, 0x03, 0x00, 0x03, 0x01};
        static const uint8_t pingresp[] = {0xd0, 0x00};
        static const uint8_t pub_q2_311[] = {0x34, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x07,
                                             'x'};
        static const uint8_t pub_q2_5[] = {0x34, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x07,
                                           0x00, 'x'};
        static const uint8_t pubrel7[] = {0x62, 0x02, 0x00, 0x07};
        op3(&s, OP_PUBLISH, 0x21, 0x00, 0x08);
        op_feed(&s, puback1, sizeof puback1);
        op3(&s, OP_PUBLISH, 0x22, 0x00, 0x08);
        op_feed(&s, pubrec2, sizeof pubrec2);
        op_feed(&s, pubcomp2, sizeof pubcomp2);
        add1(&s, OP_SUBSCRIBE);
        add1(&s, 0x00); /* one filter, "a/#" */
        add1(&s, 0x01); /* QoS 1 */
        op_feed(&s, suback3, sizeof suback3);
        if (v5)
            op_feed(&s, pub_q2_5, sizeof pub_q2_5);
        else
            op_feed(&s, pub_q2_311, sizeof pub_q2_311);
        op_feed(&s, pubrel7, sizeof pubrel7);
        add1(&s, OP_CLOCK);
        add1(&s, 60); /* 6 s: PINGREQ */
        op_feed(&s, pingresp, sizeof pingresp);
        op3(&s, OP_PUBLISH, 0x21, 0x00, 0x08); /* id 4, then the connection drops */
        add1(&s, OP_RECONNECT);
        add1(&s, 0x06); /* abort, canned CONNACK with session present */
        add1(&s, 0x18);
        add1(&s, OP_BROKER);
        add1(&s, 0x00); /* PUBACK for the record in flight */
        add1(&s, 0x00);
        add1(&s, OP_DISCONNECT);
        write_seed("client", v5 ? "session_5" : "session_311", s.b, s.n);

        /* The same with faults: byte-by-byte receive, would-block both ways, short sends,
         * coalescing, and the echo publish from the callback. */
        s.b[0] |= 0x02 | 0x10;
        s.b[3] = 0x40 | 0x01 | 0x04 | 0x08 | 0x10;
        s.b[6] = 0x01 | 0x04; /* reconnect by itself, 5.0 session expiry */
        write_seed("client", v5 ? "session_5_faults" : "session_311_faults", s.b, s.n);

        /* The blocking layer: each call answered while it waits. */
        static const uint8_t connack_311[] = {0x20, 0x02, 0x00, 0x00};
        static const uint8_t connack_5[] = {0x20, 0x03, 0x00, 0x00, 0x00};
        static const uint8_t unsuback_311[] = {0xb0, 0x02, 0x00, 0x03};
        static const uint8_t unsuback_5[] = {0xb0, 0x04, 0x00, 0x03, 0x00, 0x00};
        s.n = 0;
        client_config(&s, v, 0x40);
        op3(&s, OP_SYNC_PUBLISH, 0x21, 0x08, 50); /* QoS 1, 10 s */
        on_wait(&s, puback1, sizeof puback1);
        op3(&s, OP_SYNC_SUBSCRIBE, 0x00, 0x01, 50);
        static const uint8_t suback2[] = {0x90, 0x03, 0x00, 0x02, 0x01};
        on_wait(&s, suback2, sizeof suback2);
        op3(&s, OP_SYNC_UNSUBSCRIBE, 0x00, 0x00, 50);
        if (v5)
            on_wait(&s, unsuback_5, sizeof unsuback_5);
        else
            on_wait(&s, unsuback_311, sizeof unsuback_311);
        op3(&s, OP_PUBLISH, 0x22, 0x00, 0x08); /* QoS 2, id 4 */
        op3(&s, OP_SYNC_DRAIN, 0x00, 0x00, 50);
        static const uint8_t pubrec4[] = {0x50, 0x02, 0x00, 0x04};
        static const uint8_t pubcomp4[] = {0x70, 0x02, 0x00, 0x04};
        on_wait(&s, pubrec4, sizeof pubrec4);
        on_wait(&s, pubcomp4, sizeof pubcomp4);
        op3(&s, OP_SYNC_RUN, 0x00, 0x00, 5); /* 1 s */
        add1(&s, 0);                         /* nothing arrives */
        op3(&s, OP_SYNC_CONNECT, 0x00, 0x00, 0);
        if (v5)
            on_wait(&s, connack_5, sizeof connack_5);
        else
            on_wait(&s, connack_311, sizeof connack_311);
        write_seed("client", v5 ? "sync_5" : "sync_311", s.b, s.n);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s CORPUS_ROOT [decode|props|url|dprop|client]\n", argv[0]);
        return 2;
    }
    root = argv[1];
    golden_load(GOLDEN_DEFAULT_DIR);
    const char *only = argc == 3 ? argv[2] : NULL;
    static const struct {
        const char *name;
        void (*fn)(void);
    } targets[] = {{"decode", gen_decode}, {"props", gen_props}, {"url", gen_url},
                   {"dprop", gen_dprop},   {"client", gen_client}};
    bool any = false;
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        if (!only || strcmp(only, targets[i].name) == 0) {
            targets[i].fn();
            any = true;
        }
    if (!any) {
        fprintf(stderr, "%s: unknown target '%s'\n", argv[0], only);
        return 2;
    }
    printf("%zu seeds written under %s\n", written, root);
    return 0;
}
