/**
 * @file names.c
 * @brief Which rule of host name matching a certificate failed (issue 15, point 2): the
 *        evidence line of tls.hostname_mismatch.
 *
 * The rules are RFC 6125's: a wildcard only as the whole left-most label, matching one
 * label (6.4.3); the subject's CN only when the certificate has no DNS subjectAltName
 * (6.4.4); an IP address only against an iPAddress subjectAltName, never a DNS name, a
 * wildcard or the CN (RFC 6125 leaves addresses out, 1.7.2; RFC 5280, 4.2.1.6 and RFC 9525,
 * 6.3 hold them to iPAddress). Names compare without case and without a trailing dot.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mqtls/diagnose.h"

#define NAME_MAX_LEN 256

/* The names as the evidence writes them: "DNS:a, IP:1.2.3.4". */
typedef struct names {
    char dns[16][NAME_MAX_LEN];
    char ip[16][48];
    unsigned n_dns, n_ip;
} names_t;

static void put(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    if (len > 0 && dst[len - 1] == '.') /* "host." is "host" */
        dst[len - 1] = '\0';
}

static void parse_names(const char *s, names_t *n)
{
    memset(n, 0, sizeof *n);
    while (s && *s) {
        const char *end = strstr(s, ", ");
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len > 4 && !strncmp(s, "DNS:", 4) && n->n_dns < 16)
            put(n->dns[n->n_dns++], NAME_MAX_LEN, s + 4, len - 4);
        else if (len > 3 && !strncmp(s, "IP:", 3) && n->n_ip < 16)
            put(n->ip[n->n_ip++], sizeof n->ip[0], s + 3, len - 3);
        s = end ? end + 2 : NULL;
    }
}

/* The subject's (last) CN, as the evidence writes subjects ("C=US, O=Org, CN=Name"). */
static void subject_cn(const char *subject, char *out, size_t size)
{
    out[0] = '\0';
    for (const char *p = subject; p && (p = strstr(p, "CN=")) != NULL; p += 3) {
        if (p != subject && p[-1] != ' ')
            continue;
        const char *end = strstr(p, ", ");
        put(out, size, p + 3, end ? (size_t)(end - p - 3) : strlen(p + 3));
    }
}

static bool is_ip(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static bool same_ip(const char *a, const char *b)
{
    unsigned char x[16], y[16];
    int fa = strchr(a, ':') ? AF_INET6 : AF_INET, fb = strchr(b, ':') ? AF_INET6 : AF_INET;
    return fa == fb && inet_pton(fa, a, x) == 1 && inet_pton(fb, b, y) == 1 &&
           !memcmp(x, y, fa == AF_INET ? 4 : 16);
}

static bool ip_rule(const char *host, const names_t *n, const char *cn, char *out, size_t size)
{
    for (unsigned i = 0; i < n->n_ip; i++)
        if (same_ip(host, n->ip[i]))
            return false;
    bool in_dns = false;
    for (unsigned i = 0; i < n->n_dns; i++)
        in_dns = in_dns || !strcasecmp(n->dns[i], host) || n->dns[i][0] == '*';
    if (in_dns)
        snprintf(out, size, "'%s' is an IP address: it matches only an iPAddress "
                 "subjectAltName, never a DNS name or a wildcard (RFC 5280, 4.2.1.6)", host);
    else if (!strcasecmp(cn, host))
        snprintf(out, size, "'%s' is an IP address and is only in the subject's CN, which is "
                 "not checked for addresses: it must be an iPAddress subjectAltName", host);
    else
        snprintf(out, size, "'%s' is an IP address and no iPAddress subjectAltName of the "
                 "certificate is that address (%u listed)", host, n->n_ip);
    return true;
}

/* A wildcard name "*.rest": true when it matches @p host; @p deep is set when the host
 * ends in ".rest" but is more than one label below it. */
static bool wildcard_match(const char *pattern, const char *host, bool *deep)
{
    const char *rest = pattern + 1; /* ".example.com" */
    const char *dot = strchr(host, '.');
    if (!dot || dot == host)
        return false;
    if (!strcasecmp(dot, rest))
        return true;
    size_t hl = strlen(host), rl = strlen(rest);
    if (hl > rl && !strcasecmp(host + hl - rl, rest))
        *deep = true;
    return false;
}

static bool dns_rule(const char *host, const names_t *n, const char *cn, char *out, size_t size)
{
    bool deep = false, bad_wild = false;
    const char *wild = NULL, *misplaced = NULL;
    for (unsigned i = 0; i < n->n_dns; i++) {
        const char *d = n->dns[i];
        if (!strcasecmp(d, host))
            return false;
        if (!strncmp(d, "*.", 2) && !strchr(d + 1, '*')) {
            bool was = deep;
            if (wildcard_match(d, host, &deep))
                return false;
            if (deep && !was)
                wild = d;
        } else if (strchr(d, '*')) {
            bad_wild = true;
            misplaced = d;
        }
    }
    /* The CN counts only without a DNS subjectAltName (RFC 6125, 6.4.4). */
    if (n->n_dns == 0 && !strcasecmp(cn, host))
        return false;
    if (wild)
        snprintf(out, size, "the wildcard '%s' covers one label only: '%s' is more than one "
                 "label below it (RFC 6125, 6.4.3)", wild, host);
    else if (bad_wild)
        snprintf(out, size, "'%s' has its wildcard outside the whole left-most label, which "
                 "is never matched (RFC 6125, 6.4.3)", misplaced);
    else if (n->n_dns > 0 && !strcasecmp(cn, host))
        snprintf(out, size, "'%s' is only in the subject's CN, which is ignored when the "
                 "certificate has DNS subjectAltNames (RFC 6125, 6.4.4)", host);
    else
        snprintf(out, size, "'%s' is none of the certificate's names (%s)", host,
                 n->n_dns ? "its DNS subjectAltNames" : "it has no DNS subjectAltName; its CN");
    return true;
}

bool mqtls_diag_name_rule(const char *host, const char *names, const char *subject, char *out,
                          size_t size)
{
    if (!out || size == 0)
        return false;
    out[0] = '\0';
    if (!host || !*host)
        return false;
    names_t n; /* 5 KiB: a host library (libmqtls-diag), never on a device's stack */
    char h[NAME_MAX_LEN], cn[NAME_MAX_LEN];
    parse_names(names, &n);
    subject_cn(subject, cn, sizeof cn);
    put(h, sizeof h, host, strlen(host));
    return is_ip(h) ? ip_rule(h, &n, cn, out, size) : dns_rule(h, &n, cn, out, size);
}
