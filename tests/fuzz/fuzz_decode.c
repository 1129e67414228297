/**
 * @file fuzz_decode.c
 * @brief libFuzzer target for the codec.
 *
 * Each input is decoded as MQTT 3.1.1 and as MQTT 5.0. Whenever a decode succeeds:
 *  - the packet, copied alone into a buffer of exactly its size, decodes to the same fields
 *    (AddressSanitizer then catches any read past the packet), and its shorter prefixes
 *    are incomplete;
 *  - the decoded fields re-encode (the encoder accepts whatever the decoder accepted, but
 *    for Topic Alias 0, which the session refuses), into no more bytes than the input
 *    took, never past a buffer one byte too short;
 *  - the re-encoding decodes to the same fields, and encoding that again gives the same
 *    bytes (the encoder's output is a fixed point);
 *  - for PUBLISH, the header-only encoding followed by the payload is the whole packet.
 * The input is also split in two as a topic filter and a topic name: mqtls_topic_matches()
 * is compared with a plain reference matcher, and mqtls_utf8_check() with a reference
 * UTF-8 validator.
 *
 * Any disagreement aborts with a message, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_packet.h"
#include "mqtls/codec.h"

#define FAIL(...)                                                                            \
    do {                                                                                     \
        fprintf(stderr, "fuzz_decode: " __VA_ARGS__);                                        \
        fputc('\n', stderr);                                                                 \
        abort();                                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static golden_store_t store;

static const char *vname(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "5.0" : "3.1.1";
}

/* Re-encodes the decoded @p pkt (version @p ev) and checks everything about the result. */
static void check_reencode(const mqtls_packet_t *pkt, mqtls_version_t ev, size_t used)
{
    char why[200];
    mqtls_packet_t enc = *pkt, again, enc2;
    size_t need = 0, w = 0, used2 = 0;
    mqtls_status_t st;

    if (!golden_encodable(&enc, &store))
        return; /* more entries than the store holds: nothing to say */
    /* Topic Alias 0 is decoded for the session to refuse (DISCONNECT 0x94); the encoder
     * never sends it. The one intended asymmetry. */
    if (pkt->type == MQTLS_PUBLISH &&
        (pkt->u.publish.props.present & MQTLS_PROPBIT(MQTLS_PROP_TOPIC_ALIAS)) &&
        pkt->u.publish.props.topic_alias == 0)
        return;
    st = mqtls_encode_size(&enc, ev, &need);
    if (st != MQTLS_OK)
        FAIL("%s type %d decoded but does not re-encode: %s", vname(ev), (int)pkt->type,
             mqtls_strerror(st));
    if (need > used)
        FAIL("%s type %d re-encodes into %zu bytes, more than the %zu it came in", vname(ev),
             (int)pkt->type, need, used);

    uint8_t *out = malloc(need);
    uint8_t *shortbuf = malloc(need > 1 ? need - 1 : 1);
    if (!out || !shortbuf)
        abort();
    st = mqtls_encode(&enc, ev, out, need, &w);
    if (st != MQTLS_OK || w != need)
        FAIL("%s type %d: encode gave %s, %zu of %zu bytes", vname(ev), (int)pkt->type,
             mqtls_strerror(st), w, need);
    st = mqtls_encode(&enc, ev, shortbuf, need - 1, &w);
    if (st != MQTLS_ERR_NO_SPACE)
        FAIL("%s type %d: one byte short gave %s", vname(ev), (int)pkt->type,
             mqtls_strerror(st));

    st = mqtls_decode(out, need, ev, &again, &used2);
    if (st != MQTLS_OK || used2 != need)
        FAIL("%s type %d: the re-encoding does not decode: %s", vname(ev), (int)pkt->type,
             mqtls_strerror(st));
    if (!golden_packet_eq(&again, &enc, ev, why, sizeof why))
        FAIL("%s type %d: the re-encoding decodes differently: %s", vname(ev), (int)pkt->type,
             why);

    if (pkt->type == MQTLS_PUBLISH) {
        size_t hw = 0;
        uint8_t *hdr = malloc(need);
        if (!hdr)
            abort();
        st = mqtls_encode_publish_header(&enc.u.publish, ev, hdr, need, &hw);
        if (st != MQTLS_OK || hw + enc.u.publish.payload_len != need ||
            memcmp(hdr, out, hw) != 0 ||
            (enc.u.publish.payload_len &&
             memcmp(out + hw, enc.u.publish.payload, enc.u.publish.payload_len) != 0))
            FAIL("%s PUBLISH: header + payload is not the packet (%s)", vname(ev),
                 mqtls_strerror(st));
        free(hdr);
    }

    /* Fixed point: encode(decode(encode(x))) == encode(x). */
    enc2 = again;
    if (golden_encodable(&enc2, &store)) {
        uint8_t *out2 = malloc(need);
        size_t w2 = 0;
        if (!out2)
            abort();
        st = mqtls_encode(&enc2, ev, out2, need, &w2);
        if (st != MQTLS_OK || w2 != need || memcmp(out, out2, need) != 0)
            FAIL("%s type %d: encoding is not stable (%s)", vname(ev), (int)pkt->type,
                 mqtls_strerror(st));
        free(out2);
    }
    free(shortbuf);
    free(out);
}

static void check_version(const uint8_t *data, size_t size, mqtls_version_t v)
{
    mqtls_packet_t pkt, alone;
    size_t used = 0, used2 = 0;
    uint8_t first = 0;
    uint32_t rl = 0;
    size_t hl = 0;
    char why[200];

    mqtls_status_t st = mqtls_decode(data, size, v, &pkt, &used);
    if ((unsigned)st >= MQTLS_STATUS_COUNT || st == MQTLS_IN_PROGRESS ||
        st == MQTLS_ERR_BAD_PARAM || st == MQTLS_ERR_NO_SPACE)
        FAIL("%s decode returned %d", vname(v), (int)st);
    mqtls_status_t fh = mqtls_decode_fixed_header(data, size, &first, &rl, &hl);
    if (st == MQTLS_NEED_MORE) {
        if (!(fh == MQTLS_NEED_MORE || (fh == MQTLS_OK && (uint64_t)hl + rl > size)))
            FAIL("%s decode wants more, but the fixed header says %s (%zu + %u of %zu)",
                 vname(v), mqtls_strerror(fh), hl, (unsigned)rl, size);
        return;
    }
    if (st != MQTLS_OK)
        return;
    if (fh != MQTLS_OK || used != hl + rl || used > size)
        FAIL("%s decode consumed %zu bytes, fixed header says %zu + %u", vname(v), used, hl,
             (unsigned)rl);

    /* The packet alone, in a buffer of exactly its size. */
    uint8_t *exact = malloc(used);
    if (!exact)
        abort();
    memcpy(exact, data, used);
    st = mqtls_decode(exact, used, v, &alone, &used2);
    if (st != MQTLS_OK || used2 != used)
        FAIL("%s the packet alone decodes as %s", vname(v), mqtls_strerror(st));
    if (!golden_packet_eq(&alone, &pkt, v, why, sizeof why))
        FAIL("%s the packet alone decodes differently: %s", vname(v), why);
    /* Its prefixes are incomplete (the first, a middle one and the last). */
    size_t pre[3] = {0, used / 2, used - 1};
    for (int i = 0; i < 3; i++) {
        mqtls_packet_t scratch;
        st = mqtls_decode(exact, pre[i], v, &scratch, &used2);
        if (st != MQTLS_NEED_MORE)
            FAIL("%s a prefix of %zu of %zu bytes gives %s", vname(v), pre[i], used,
                 mqtls_strerror(st));
    }

    check_reencode(&alone, alone.type == MQTLS_CONNECT ? alone.u.connect.version : v, used);
    free(exact);
}

/* ---- Reference topic matcher: levels split on '/', compared one by one. ---- */
static int ref_match(const char *f, size_t fl, const char *t, size_t tl)
{
    if (fl >= 7 && memcmp(f, "$share/", 7) == 0) {
        size_t i = 7;
        while (i < fl && f[i] != '/')
            i++;
        f += i + 1;
        fl -= i + 1;
    }
    if (tl > 0 && t[0] == '$' && fl > 0 && (f[0] == '+' || f[0] == '#'))
        return 0;
    size_t fi = 0, ti = 0;
    for (;;) {
        size_t fe = fi, te = ti;
        while (fe < fl && f[fe] != '/')
            fe++;
        while (te < tl && t[te] != '/')
            te++;
        if (fe - fi == 1 && f[fi] == '#')
            return 1;
        if (!(fe - fi == 1 && f[fi] == '+') &&
            (fe - fi != te - ti || memcmp(f + fi, t + ti, fe - fi) != 0))
            return 0;
        int flast = fe == fl, tlast = te == tl;
        if (flast && tlast)
            return 1;
        if (flast)
            return 0;
        if (tlast) /* "a/#" matches "a": only a final "/#" may be left */
            return fl - (fe + 1) == 1 && f[fe + 1] == '#';
        fi = fe + 1;
        ti = te + 1;
    }
}

/* ---- Reference UTF-8 validator (RFC 3629 Table 3-7 well-formed byte sequences). ---- */
static mqtls_status_t ref_utf8(const uint8_t *s, size_t n)
{
    mqtls_status_t nul = MQTLS_OK;
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0) {
            if (nul == MQTLS_OK)
                nul = MQTLS_ERR_MALFORMED_UTF8_NUL;
            i++;
            continue;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c == 0xE0)
            k = 2, lo = 0xA0;
        else if (c == 0xED)
            k = 2, hi = 0x9F;
        else if (c >= 0xE1 && c <= 0xEF)
            k = 2;
        else if (c == 0xF0)
            k = 3, lo = 0x90;
        else if (c == 0xF4)
            k = 3, hi = 0x8F;
        else if (c >= 0xF1 && c <= 0xF3)
            k = 3;
        else
            return MQTLS_ERR_MALFORMED_UTF8;
        if (n - i - 1 < k || s[i + 1] < lo || s[i + 1] > hi)
            return MQTLS_ERR_MALFORMED_UTF8;
        for (size_t j = 2; j <= k; j++)
            if (s[i + j] < 0x80 || s[i + j] > 0xBF)
                return MQTLS_ERR_MALFORMED_UTF8;
        i += k + 1;
    }
    return nul;
}

static void check_topics(const uint8_t *data, size_t size)
{
    mqtls_status_t ref = ref_utf8(data, size), got = mqtls_utf8_check((const char *)data, size);
    /* The library stops at the first problem; the reference reports a NUL only when the
     * rest is well-formed. Both must agree on valid / invalid, and on the kind when the
     * string has no NUL. */
    if ((ref == MQTLS_OK) != (got == MQTLS_OK) ||
        (memchr(data, 0, size) == NULL && ref != got))
        FAIL("utf8_check gives %s, reference %s", mqtls_strerror(got), mqtls_strerror(ref));
    if (size < 2)
        return;
    size_t split = 1 + data[0] % (size - 1);
    const char *f = (const char *)data + 1, *t = (const char *)data + split;
    size_t fl = split - 1, tl = size - split;
    if (tl == 0 || fl == 0 || mqtls_filter_check(f, fl) != MQTLS_OK ||
        mqtls_topic_check(t, tl) != MQTLS_OK)
        return;
    int a = mqtls_topic_matches(f, fl, t, tl), b = ref_match(f, fl, t, tl);
    if (a != b)
        FAIL("topic_matches(\"%.*s\", \"%.*s\") = %d, reference %d", (int)fl, f, (int)tl, t, a,
             b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_version(data, size, MQTLS_V311);
    check_version(data, size, MQTLS_V5);
    check_topics(data, size);
    return 0;
}
