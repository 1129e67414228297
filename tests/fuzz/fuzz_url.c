/**
 * @file fuzz_url.c
 * @brief libFuzzer target for the -L URL parser (tools/common/tool_url.c).
 *
 * The input, cut at its first NUL as a command-line argument would be, is parsed with
 * tool_url_parse(). Checks:
 *  - failure leaves an error message and no strings (and frees what it had: LeakSanitizer);
 *  - success: the scheme decides tls and the default port, a host is there and is not
 *    empty, a host outside brackets has no ':', the user has no ':', the topic is not empty,
 *    and every part is a piece of the input (user, password, host, port, topic in order);
 *  - the parts, written back as a URL, parse to the same parts (the parser's inverse).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tool_url.h"
#include "common/tool_util.h"

#define FAIL(...)                                                                            \
    do {                                                                                     \
        fprintf(stderr, "fuzz_url: " __VA_ARGS__);                                           \
        fputc('\n', stderr);                                                                 \
        abort();                                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_parts(const char *url, const tool_url_t *u)
{
    bool tls = strncmp(url, "mqtts://", 8) == 0;
    if (!tls && strncmp(url, "mqtt://", 7) != 0)
        FAIL("'%s' parsed without an mqtt:// or mqtts:// scheme", url);
    if (u->tls != tls)
        FAIL("'%s': tls is %d", url, u->tls);
    if (!u->port_given && u->port != (tls ? 8883 : 1883))
        FAIL("'%s': default port %u", url, u->port);
    if (u->port == 0)
        FAIL("'%s': port 0 accepted", url);
    if (!u->host || !u->host[0])
        FAIL("'%s': no host, yet success", url);
    if (u->topic && !u->topic[0])
        FAIL("'%s': an empty topic instead of none", url);
    if (u->user && strchr(u->user, ':'))
        FAIL("'%s': user '%s' holds the ':' that separates the password", url, u->user);
    if (u->password && !u->user)
        FAIL("'%s': a password without a user", url);
    /* The parts appear in the URL in order. */
    const char *at = url + (tls ? 8 : 7);
    const char *parts[4] = {u->user, u->password, u->host, u->topic};
    for (int i = 0; i < 4; i++) {
        if (!parts[i])
            continue;
        const char *f = strstr(at, parts[i]);
        if (!f)
            FAIL("'%s': part %d '%s' is not in the URL (in order)", url, i, parts[i]);
        at = f + strlen(parts[i]);
    }
    const char *slash = strchr(url + (tls ? 8 : 7), '/');
    if (u->topic && (!slash || strcmp(slash + 1, u->topic) != 0))
        FAIL("'%s': topic '%s' is not all after the first '/'", url, u->topic);
    if (u->host && strchr(u->host, '/'))
        FAIL("'%s': host '%s' holds a '/'", url, u->host);
}

/* The URL that gives @p u. */
static char *write_url(const tool_url_t *u)
{
    size_t n = 32 + (u->user ? strlen(u->user) : 0) + (u->password ? strlen(u->password) : 0) +
               strlen(u->host) + (u->topic ? strlen(u->topic) : 0);
    char *s = malloc(n);
    if (!s)
        abort();
    int k = snprintf(s, n, "%s://", u->tls ? "mqtts" : "mqtt");
    if (u->user)
        k += snprintf(s + k, n - (size_t)k, "%s%s%s@", u->user, u->password ? ":" : "",
                      u->password ? u->password : "");
    /* A host that holds ':' or starts with '[' came from brackets. */
    if (strchr(u->host, ':') || u->host[0] == '[')
        k += snprintf(s + k, n - (size_t)k, "[%s]", u->host);
    else
        k += snprintf(s + k, n - (size_t)k, "%s", u->host);
    if (u->port_given)
        k += snprintf(s + k, n - (size_t)k, ":%u", u->port);
    if (u->topic)
        snprintf(s + k, n - (size_t)k, "/%s", u->topic);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *url = malloc(size + 1);
    if (!url)
        abort();
    memcpy(url, data, size);
    url[size] = '\0';

    tool_url_t u;
    char err[200];
    err[0] = '\0';
    if (!tool_url_parse(url, &u, err, sizeof err)) {
        if (!err[0])
            FAIL("'%s' refused without a message", url);
        if (u.user || u.password || u.host || u.topic)
            FAIL("'%s' refused, but parts are left", url);
        free(url);
        return 0;
    }
    check_parts(url, &u);

    char *again = write_url(&u);
    tool_url_t v;
    if (!tool_url_parse(again, &v, err, sizeof err))
        FAIL("'%s' parsed, but its parts written back ('%s') do not: %s", url, again, err);
    if (v.tls != u.tls || v.port != u.port || v.port_given != u.port_given ||
        !str_eq(v.user, u.user) || !str_eq(v.password, u.password) ||
        !str_eq(v.host, u.host) || !str_eq(v.topic, u.topic))
        FAIL("'%s' and its parts written back ('%s') parse differently", url, again);
    tool_url_free(&v);
    free(again);
    tool_url_free(&u);
    if (u.user || u.host)
        FAIL("tool_url_free left pointers");
    free(url);
    return 0;
}
