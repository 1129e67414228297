/**
 * @file prop_ctx.h
 * @brief The packets an MQTT 5.0 property block sits in (the columns of MQTT 5.0 Table 2-4),
 *        shared by the property tests: tests/unit/test_properties.c and
 *        tests/fuzz/fuzz_props.c.
 */
#ifndef MQTLS_TEST_PROP_CTX_H
#define MQTLS_TEST_PROP_CTX_H

#include "mqtls/codec.h"

enum ctx {
    C_CONNECT, C_WILL, C_CONNACK, C_PUBLISH, C_PUBACK, C_PUBREC, C_PUBREL, C_PUBCOMP,
    C_SUBSCRIBE, C_SUBACK, C_UNSUBSCRIBE, C_UNSUBACK, C_DISCONNECT, C_AUTH, C_COUNT
};

static const char *const ctx_name[C_COUNT] = {
    "CONNECT", "will", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
    "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "DISCONNECT", "AUTH"};

/* A set of contexts: B(C_PUBLISH) | B(C_WILL). */
#define B(c) (1u << (c))

/* The property block of context @p c in a decoded packet. */
static inline const mqtls_props_t *ctx_props(const mqtls_packet_t *p, int c)
{
    switch (c) {
    case C_CONNECT: return &p->u.connect.props;
    case C_WILL: return &p->u.connect.will_props;
    case C_CONNACK: return &p->u.connack.props;
    case C_PUBLISH: return &p->u.publish.props;
    case C_SUBSCRIBE:
    case C_UNSUBSCRIBE: return &p->u.subscribe.props;
    case C_SUBACK:
    case C_UNSUBACK: return &p->u.suback.props;
    default: return &p->u.ack.props;
    }
}

#endif
