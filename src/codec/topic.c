/**
 * @file topic.c
 * @brief UTF-8 rules, topic name and filter checks, and filter matching.
 */
#include "codec_internal.h"

/* MQTT strings are UTF-8 as in RFC 3629 (no overlong forms, no surrogates, nothing above
 * U+10FFFF), and must not contain U+0000 [MQTT-1.5.4-1..2]. One pass also refuses the
 * wildcards when @p topic: topic checks are on the publish path. */
static mqtls_status_t utf8_scan(const char *str, size_t len, int topic)
{
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0;
    if (!s && len) /* (the encoders rely on this check for the strings they are given) */
        return MQTLS_ERR_BAD_PARAM;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80u) {
            if (c == 0)
                return MQTLS_ERR_MALFORMED_UTF8_NUL;
            if (topic && (c == '+' || c == '#'))
                return MQTLS_ERR_MALFORMED_TOPIC;
            i++;
            continue;
        }
        if (c < 0xC2u || c > 0xF4u) /* (C0, C1: overlong; F5..FF: above U+10FFFF) */
            return MQTLS_ERR_MALFORMED_UTF8;
        size_t n = 1u + (c >= 0xE0u) + (c >= 0xF0u); /* continuation bytes */
        uint32_t cp = c & (0x3Fu >> n);
        if (len - i - 1 < n)
            return MQTLS_ERR_MALFORMED_UTF8;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0u) != 0x80u)
                return MQTLS_ERR_MALFORMED_UTF8;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        /* The shortest form only: n continuation bytes carry at least 2^(7, 11, 16). */
        if ((cp >> (n == 1 ? 7u : n == 2 ? 11u : 16u)) == 0 || cp > 0x10FFFFu ||
            (cp >= 0xD800u && cp <= 0xDFFFu))
            return MQTLS_ERR_MALFORMED_UTF8;
        i += n + 1;
    }
    return MQTLS_OK;
}

mqtls_status_t mqtls_utf8_check(const char *s, size_t len)
{
    return utf8_scan(s, len, 0);
}

mqtls_status_t mqtls_topic_check(const char *s, size_t len)
{
    return len > 65535u ? MQTLS_ERR_MALFORMED_TOPIC : utf8_scan(s, len, 1);
}

/* The wildcard rules of one filter, without the $share prefix. */
static mqtls_status_t filter_levels_check(const char *s, size_t len)
{
    if (len == 0)
        return MQTLS_ERR_MALFORMED_FILTER;
    for (size_t i = 0; i < len; i++) {
        int starts_level = i == 0 || s[i - 1] == '/';
        int ends_level = i + 1 == len || s[i + 1] == '/';
        if (s[i] == '#' && !(starts_level && i + 1 == len))
            return MQTLS_ERR_MALFORMED_FILTER;
        if (s[i] == '+' && !(starts_level && ends_level))
            return MQTLS_ERR_MALFORMED_FILTER;
    }
    return MQTLS_OK;
}

/* "$share/<name>/<filter>": returns the offset of <filter>, 0 if not a shared filter, or
 * SIZE_MAX if it is one but malformed (empty name, wildcard or missing filter). */
static size_t shared_prefix(const char *s, size_t len)
{
    static const char pfx[] = "$share/";
    if (len < sizeof pfx - 1 || memcmp(s, pfx, sizeof pfx - 1) != 0)
        return 0;
    size_t i = sizeof pfx - 1, start = i;
    while (i < len && s[i] != '/') {
        if (s[i] == '+' || s[i] == '#')
            return SIZE_MAX;
        i++;
    }
    if (i == start || i + 1 >= len)
        return SIZE_MAX;
    return i + 1;
}

mqtls_status_t mqtls_filter_check(const char *s, size_t len)
{
    if (len > 65535u)
        return MQTLS_ERR_MALFORMED_FILTER;
    size_t off = shared_prefix(s, len);
    if (off == SIZE_MAX)
        return MQTLS_ERR_MALFORMED_FILTER;
    mqtls_status_t st = filter_levels_check(s + off, len - off);
    return st != MQTLS_OK ? st : mqtls_utf8_check(s, len);
}

bool mqtls_topic_matches(const char *f, size_t flen, const char *t, size_t tlen)
{
    size_t off = shared_prefix(f, flen);
    if (off == SIZE_MAX)
        return false;
    f += off;
    flen -= off;
    /* Wildcards at the first level do not match '$' topics [MQTT-4.7.2-1]. */
    if (tlen > 0 && t[0] == '$' && flen > 0 && (f[0] == '+' || f[0] == '#'))
        return false;
    size_t fi = 0, ti = 0;
    while (fi < flen) {
        if (f[fi] == '#')
            return true;
        if (f[fi] == '+') {
            while (ti < tlen && t[ti] != '/')
                ti++;
            fi++;
        } else {
            while (fi < flen && f[fi] != '/') {
                if (ti >= tlen || t[ti] != f[fi])
                    return false;
                fi++;
                ti++;
            }
        }
        if (fi == flen)
            return ti == tlen;
        /* f[fi] == '/': the topic must end its level here too. "a/#" matches "a". */
        if (ti == tlen)
            return flen - fi == 2 && f[fi + 1] == '#';
        if (t[ti] != '/')
            return false;
        fi++;
        ti++;
    }
    return ti == tlen;
}

mqtls_str_t mqtls_str(const char *s)
{
    mqtls_str_t r = {s, 0};
    if (s) {
        size_t n = strlen(s);
        if (n > 65535u) /* not an MQTT string: NULL with a length is rejected by encoders */
            r.data = NULL, n = 65535u;
        r.len = (uint16_t)n;
    }
    return r;
}
