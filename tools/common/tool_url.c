/**
 * @file tool_url.c
 * @brief MQTT URL parsing for -L (see tool_url.h).
 */
#include "common/tool_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tool_util.h"

static char *dup_n(const char *s, size_t n)
{
    char *d = tool_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* "user[:password]" */
static void parse_userinfo(const char *s, size_t n, tool_url_t *out)
{
    const char *colon = memchr(s, ':', n);
    if (!colon) {
        out->user = dup_n(s, n);
        return;
    }
    out->user = dup_n(s, (size_t)(colon - s));
    out->password = dup_n(colon + 1, n - (size_t)(colon - s) - 1);
}

static bool parse_port(const char *s, size_t n, uint16_t *port)
{
    char tmp[8];
    uint32_t v;
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (!tool_parse_u32(tmp, 1, 65535, &v))
        return false;
    *port = (uint16_t)v;
    return true;
}

/* "host[:port]" or "[v6addr][:port]" */
static bool parse_hostport(const char *s, size_t n, tool_url_t *out, char *err, size_t errlen)
{
    const char *hs = s, *he, *rest;
    if (n && *s == '[') {
        he = memchr(s, ']', n);
        if (!he) {
            snprintf(err, errlen, "missing ']' after IPv6 address");
            return false;
        }
        hs = s + 1;
        rest = he + 1;
    } else {
        he = memchr(s, ':', n);
        if (!he)
            he = s + n;
        rest = he;
    }
    if (he == hs) {
        snprintf(err, errlen, "no host name");
        return false;
    }
    out->host = dup_n(hs, (size_t)(he - hs));
    size_t left = n - (size_t)(rest - s);
    if (left == 0)
        return true;
    if (*rest != ':' || !parse_port(rest + 1, left - 1, &out->port)) {
        snprintf(err, errlen, "invalid port '%.*s'", (int)left, rest);
        return false;
    }
    out->port_given = true;
    return true;
}

static const char *parse_scheme(const char *url, tool_url_t *out)
{
    if (strncmp(url, "mqtt://", 7) == 0) {
        out->port = 1883;
        return url + 7;
    }
    if (strncmp(url, "mqtts://", 8) == 0) {
        out->tls = true;
        out->port = 8883;
        return url + 8;
    }
    return NULL;
}

bool tool_url_parse(const char *url, tool_url_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *p = parse_scheme(url, out);
    if (!p) {
        snprintf(err, errlen, "unsupported scheme (the URL must start with mqtt:// or mqtts://)");
        return false;
    }
    const char *slash = strchr(p, '/');
    size_t auth_len = slash ? (size_t)(slash - p) : strlen(p);
    const char *at = NULL;
    for (const char *q = p; q < p + auth_len; q++)
        if (*q == '@')
            at = q;
    if (at) {
        parse_userinfo(p, (size_t)(at - p), out);
        auth_len -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (!parse_hostport(p, auth_len, out, err, errlen)) {
        tool_url_free(out);
        return false;
    }
    if (slash && slash[1])
        out->topic = tool_xstrdup(slash + 1);
    return true;
}

void tool_url_free(tool_url_t *u)
{
    free(u->user);
    free(u->password);
    free(u->host);
    free(u->topic);
    memset(u, 0, sizeof *u);
}
