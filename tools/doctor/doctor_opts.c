/**
 * @file doctor_opts.c
 * @brief The doctor's own checks of its options: the per-step timeout, --connect-to, the
 *        round trip's topic and --device (the flags themselves are tool_opts.c's).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"

#define DEFAULT_TIMEOUT_S 10u

/* One field of --connect-to: "host", "[v6::addr]" or "" up to the next ':'. */
static const char *ct_field(const char *p, char *out, size_t size, bool *ok)
{
    size_t n = 0;
    *ok = true;
    if (*p == '[') {
        const char *end = strchr(p, ']');
        if (!end || (end[1] != ':' && end[1] != '\0')) {
            *ok = false;
            return p;
        }
        n = (size_t)(end - p - 1);
        if (n >= size) {
            *ok = false;
            return p;
        }
        memcpy(out, p + 1, n);
        out[n] = '\0';
        return end + 1;
    }
    n = strcspn(p, ":");
    if (n >= size) {
        *ok = false;
        return p;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return p + n;
}

static bool ct_port(const char *s, uint16_t *out)
{
    uint32_t v;
    if (!*s) {
        *out = 0;
        return true;
    }
    if (!tool_parse_u32(s, 1, 65535, &v))
        return false;
    *out = (uint16_t)v;
    return true;
}

/* --connect-to HOST:PORT:HOST2:PORT2, as curl: an empty HOST or PORT matches any, an empty
 * HOST2 or PORT2 keeps the original. */
static int parse_connect_to(doctor_t *d)
{
    const char *arg = d->cfg.connect_to, *p = arg;
    char h1[256], p1[8], h2[256], p2[8];
    bool ok1, ok2, ok3, ok4;
    uint16_t port1, port2;
    p = ct_field(p, h1, sizeof h1, &ok1);
    if (ok1 && *p == ':')
        p = ct_field(p + 1, p1, sizeof p1, &ok2);
    else
        ok2 = false;
    if (ok2 && *p == ':')
        p = ct_field(p + 1, h2, sizeof h2, &ok3);
    else
        ok3 = false;
    if (ok3 && *p == ':')
        p = ct_field(p + 1, p2, sizeof p2, &ok4);
    else
        ok4 = false;
    if (!ok4 || *p || !ct_port(p1, &port1) || !ct_port(p2, &port2))
        return tool_usage_err("invalid --connect-to '%s' (HOST:PORT:HOST2:PORT2, e.g. "
                              "example.com:443:127.0.0.1:8443; IPv6 in brackets)", arg);
    if ((h1[0] && strcasecmp(h1, d->host) != 0) || (port1 && port1 != d->port))
        return tool_usage_err("--connect-to '%s' does not apply to %s port %u: give -h %s "
                              "-p %s (the name and port to diagnose)", arg, d->host,
                              (unsigned)d->port, h1[0] ? h1 : d->host,
                              p1[0] ? p1 : "PORT");
    free(d->conn_host);
    d->conn_host = tool_xstrdup(h2[0] ? h2 : d->host);
    d->conn_port = port2 ? port2 : d->port;
    d->mapped = true;
    return TOOL_EXIT_OK;
}

static bool valid_topic(const char *t)
{
    return t[0] && !strpbrk(t, "+#") && strlen(t) <= 65535;
}

int doctor_parse(doctor_t *d, int argc, char **argv)
{
    tool_cfg_init(&d->cfg, TOOL_DOCTOR);
    int rc = tool_opts_parse(&d->cfg, argc, argv);
    if (rc)
        return rc;
    d->host = d->cfg.host;
    d->port = d->cfg.port;
    d->conn_host = tool_xstrdup(d->host);
    d->conn_port = d->port;
    d->json = d->cfg.json;
    if (d->cfg.timeout_s > 3600)
        return tool_usage_err("invalid timeout '%lu' (at most 3600 seconds per step)",
                              (unsigned long)d->cfg.timeout_s);
    d->timeout_ms = (d->cfg.timeout_s ? d->cfg.timeout_s : DEFAULT_TIMEOUT_S) * 1000u;
    if (!d->host[0])
        return tool_usage_err("the host name is empty");
    if (d->cfg.connect_to && (rc = parse_connect_to(d)) != TOOL_EXIT_OK)
        return rc;
    if (d->cfg.topics.n > 1)
        return tool_usage_err("doctor takes one --topic (the round trip's topic)");
    if (d->cfg.topics.n == 1) {
        if (!valid_topic(d->cfg.topics.v[0]))
            return tool_usage_err("invalid topic '%s' (a topic name: not empty, no + or #)",
                                  d->cfg.topics.v[0]);
        d->topic = tool_xstrdup(d->cfg.topics.v[0]);
    } else {
        d->topic = doctor_xfmt("mqtls/doctor/%s", d->cfg.client_id);
        for (char *p = d->topic + strlen("mqtls/doctor/"); *p; p++)
            if (*p == '+' || *p == '#') /* wildcards have no place in a topic name */
                *p = '_';
    }
    d->cfg.server_name = d->host;
    d->cfg.tls_timeout_ms = d->timeout_ms;
    return doctor_device_parse(d);
}
