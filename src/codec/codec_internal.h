/**
 * @file codec_internal.h
 * @brief Cursors and helpers shared by the encoder, decoder and property code.
 *
 * The writer is bounded and can also just count: with no buffer it writes nothing and only
 * adds up sizes, so the encoder finds a packet's size by running the very code that writes
 * it, and validates the fields in that first pass. A write that does not fit is dropped and
 * leaves n > cap, so one check at the end covers a whole packet. The reader is a
 * {cur, end} pair that returns a status on every read, because malformed input is the
 * normal case it exists to catch.
 */
#ifndef MQTLS_CODEC_INTERNAL_H
#define MQTLS_CODEC_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "mqtls/codec.h"

/* For a helper that -Os would otherwise copy into each of its callers (a device image
 * counts every byte; the call is cheaper than the copies). */
#define MQTLS__NOINLINE __attribute__((noinline))

typedef struct wcur {
    uint8_t *buf; /* NULL: count only */
    size_t cap;
    size_t n;     /* bytes written (or counted) so far */
} wcur_t;

typedef struct rcur {
    const uint8_t *cur;
    const uint8_t *end;
} rcur_t;

/** The fixed-header flags of packet type @p t other than PUBLISH: 0010 for PUBREL, SUBSCRIBE
 *  and UNSUBSCRIBE, 0000 for the rest [MQTT-2.2.2-1]. */
static inline uint8_t mqtls__type_flags(unsigned t)
{
    return (uint8_t)((((1u << MQTLS_PUBREL) | (1u << MQTLS_SUBSCRIBE) |
                       (1u << MQTLS_UNSUBSCRIBE)) >> t & 1u) << 1);
}

/** Packet contexts for the property table: the packet type, or 0 for will properties. */
#define MQTLS_PCTX_WILL 0

/* Sizes. */
size_t mqtls__vbi_size(uint32_t v);

/* Writers (bounded). */
void mqtls__w_u8(wcur_t *w, uint8_t v);
void mqtls__w_u16(wcur_t *w, uint16_t v);
void mqtls__w_u32(wcur_t *w, uint32_t v);
void mqtls__w_vbi(wcur_t *w, uint32_t v);
void mqtls__w_bytes(wcur_t *w, const void *p, size_t n);
void mqtls__w_str(wcur_t *w, const char *p, uint16_t n); /* 2-byte length + bytes */

/* Readers: MQTLS_OK or MQTLS_ERR_MALFORMED_LENGTH when the data runs out. */
mqtls_status_t mqtls__r_u8(rcur_t *r, uint8_t *v);
mqtls_status_t mqtls__r_u16(rcur_t *r, uint16_t *v);
mqtls_status_t mqtls__r_u32(rcur_t *r, uint32_t *v);
mqtls_status_t mqtls__r_vbi(rcur_t *r, uint32_t *v);
mqtls_status_t mqtls__r_bin(rcur_t *r, mqtls_bin_t *b);
/** A 2-byte-length string, its UTF-8 not checked (the caller checks more than that). */
mqtls_status_t mqtls__r_strn(rcur_t *r, mqtls_str_t *s);
/** A 2-byte-length UTF-8 string, checked. */
mqtls_status_t mqtls__r_str(rcur_t *r, mqtls_str_t *s);

/**
 * Writes (or counts) the property length and block of @p p for context @p ctx. With
 * @p check, first refuses what cannot be sent.
 * @retval MQTLS_ERR_PROPERTY_NOT_ALLOWED, MQTLS_ERR_MALFORMED_*, MQTLS_ERR_BAD_PARAM
 */
mqtls_status_t mqtls__props_put(wcur_t *w, const mqtls_props_t *p, int ctx, int check);
/** Reads a property length and block from @p r into @p p, which the caller has zeroed. */
mqtls_status_t mqtls__props_read(rcur_t *r, int ctx, mqtls_props_t *p);

/** Checks one SUBSCRIBE options byte for filter @p f (QoS, reserved bits, retain handling,
 *  no-local on a shared subscription). */
mqtls_status_t mqtls__sub_options_check(uint8_t o, const mqtls_str_t *f, mqtls_version_t v);

/** Is @p code valid in a packet of @p type (5.0 reason codes)? */
int mqtls__rc5_valid(mqtls_packet_type_t type, uint8_t code);

#endif
