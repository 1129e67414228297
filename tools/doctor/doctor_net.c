/**
 * @file doctor_net.c
 * @brief Steps 2 and 3 of the doctor: DNS, then a TCP connect to each address in turn.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"

/* ---- step 2: DNS ---------------------------------------------------------------------- */

static void sockaddr_text(const struct sockaddr *sa, char *out, size_t size, uint16_t *port)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    *port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        *port = ntohs(a->sin_port);
        snprintf(out, size, "%s", ip);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        *port = ntohs(a->sin6_port);
        snprintf(out, size, "%s", ip);
    } else {
        snprintf(out, size, "(family %d)", sa->sa_family);
    }
}

/* The addresses of the answer, each once (getaddrinfo() gives one per socket type). */
static void add_addresses(doctor_t *d, const struct addrinfo *res)
{
    for (const struct addrinfo *a = res; a; a = a->ai_next) {
        char ip[INET6_ADDRSTRLEN + 8];
        uint16_t port;
        bool dup = false;
        sockaddr_text(a->ai_addr, ip, sizeof ip, &port);
        for (size_t i = 0; i < d->addrs.n; i++)
            dup = dup || !strcmp(d->addrs.v[i], ip);
        if (!dup)
            tool_strlist_add(&d->addrs, tool_xstrdup(ip));
    }
}

/* Step 2 passed: the addresses in a line, then one line each. */
static bool dns_ok(doctor_t *d, uint64_t t0)
{
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < d->addrs.n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 d->addrs.v[i]);
    for (size_t i = 0; i < d->addrs.n; i++)
        EVID(d, 2, "address: %s (%s)", d->addrs.v[i], strchr(d->addrs.v[i], ':') ? "IPv6" : "IPv4");
    doctor_stage_done(d, 2, R_OK, t0, "%s \xE2\x86\x92 %s", d->conn_host, list); /* → */
    return true;
}

bool doctor_stage_dns(doctor_t *d)
{
    uint64_t t0 = tool_now_ms();
    struct addrinfo hints, *res = NULL;
    char service[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof service, "%u", (unsigned)d->conn_port);
    if (d->mapped)
        EVID(d, 2, "--connect-to: %s port %u is reached at %s port %u; TLS names '%s'", d->host,
             (unsigned)d->port, d->conn_host, (unsigned)d->conn_port, d->host);
    int rc = getaddrinfo(d->conn_host, service, &hints, &res);
    if (rc != 0 || !res) {
        d->dns_error = doctor_xfmt("%s", rc ? gai_strerror(rc) : "no address");
        EVID(d, 2, "getaddrinfo('%s'): %s", d->conn_host, d->dns_error);
        d->facts.status = MQTLS_ERR_DNS;
        if (res)
            freeaddrinfo(res);
        return !doctor_diagnose(d, 2, t0);
    }
    add_addresses(d, res);
    freeaddrinfo(res);
    return dns_ok(d, t0);
}

/* ---- step 3: TCP ---------------------------------------------------------------------- */

static void peer_text(const char *ip, uint16_t port, char *out, size_t size)
{
    if (strchr(ip, ':'))
        snprintf(out, size, "[%s]:%u", ip, (unsigned)port);
    else
        snprintf(out, size, "%s:%u", ip, (unsigned)port);
}

/* Connects @p t to one address; MQTLS_OK, a failure, or MQTLS_ERR_TIMEOUT at @p deadline. */
static mqtls_status_t tcp_attempt(mqtls_tcp_t *t, const char *ip, uint16_t port,
                                  uint64_t deadline)
{
    mqtls_tcp_init(t, 0);
    mqtls_status_t st = mqtls_tcp_transport.connect(t, ip, port);
    while (st == MQTLS_IN_PROGRESS) {
        uint64_t now = tool_now_ms();
        if (now >= deadline || tool_stop) {
            mqtls_tcp_transport.close(t);
            return MQTLS_ERR_TIMEOUT;
        }
        uint64_t left = deadline - now;
        if (mqtls_tcp_transport.wait(t, 1, left < 100 ? (uint32_t)left : 100u) == MQTLS_ERR_STATE)
            doctor_wait_poll(10);
        st = mqtls_tcp_transport.connect(t, ip, port);
    }
    return st;
}

/* The transport steps 4 and 5 go on with: TLS opens a connection of its own. */
static bool tcp_connected(doctor_t *d, uint64_t t0)
{
    if (d->cfg.tls) {
        mqtls_tcp_transport.close(&d->tcp);
        d->tr = &mqtls_tls_transport;
        d->tr_ctx = &d->tls->tls;
    } else {
        d->tr = &mqtls_tcp_transport;
        d->tr_ctx = &d->tcp;
    }
    doctor_stage_done(d, 3, R_OK, t0, "%s", d->peer);
    return true;
}

/* No address answered: the failure that says most, for the rules. */
static bool tcp_failed(doctor_t *d, uint64_t t0, mqtls_status_t st, int first_errno)
{
    d->tcp_errno = first_errno;
    if (st == MQTLS_ERR_TIMEOUT)
        d->tcp_error = doctor_xfmt("no answer within %u s", (unsigned)(d->timeout_ms / 1000u));
    else if (first_errno > 0)
        d->tcp_error = doctor_xfmt("%s (errno %d)", strerror(first_errno), first_errno);
    else
        d->tcp_error = doctor_xfmt("%s", mqtls_strerror(st));
    d->facts.status = st;
    if (!doctor_diagnose(d, 3, t0)) { /* cannot happen: a failed connect always has a cause */
        d->failed = 3;
        d->cause = MQTLS_CAUSE_UNKNOWN;
        doctor_stage_done(d, 3, R_FAILED, t0, "%s", mqtls_strerror(st));
    }
    return false;
}

/* Step 3 connects to the addresses of step 2 in turn, with the TCP transport. Plain MQTT
 * goes on on that connection; TLS closes it and opens its own to the address that
 * answered (its server name stays the host name). */
bool doctor_stage_tcp(doctor_t *d)
{
    uint64_t t0 = tool_now_ms(), deadline = t0 + d->timeout_ms;
    mqtls_status_t st = MQTLS_ERR_CONNECT_REFUSED, first_fail = MQTLS_OK;
    int first_errno = 0;
    for (size_t i = 0; i < d->addrs.n; i++) {
        const char *ip = d->addrs.v[i];
        char peer[80];
        peer_text(ip, d->conn_port, peer, sizeof peer);
        st = tcp_attempt(&d->tcp, ip, d->conn_port, deadline);
        if (st == MQTLS_OK) {
            snprintf(d->peer, sizeof d->peer, "%s", peer);
            snprintf(d->conn_ip, sizeof d->conn_ip, "%s", ip);
            EVID(d, 3, "%s: connected", peer);
            break;
        }
        int err = st == MQTLS_ERR_TIMEOUT ? 0 : d->tcp.last_errno;
        if (st == MQTLS_ERR_TIMEOUT)
            EVID(d, 3, "%s: no answer within %u s", peer, (unsigned)(d->timeout_ms / 1000u));
        else
            EVID(d, 3, "%s: %s", peer, err > 0 ? strerror(err) : mqtls_strerror(st));
        /* A refusal says most (the host is there, nothing listens); keep the first one. */
        if (first_fail == MQTLS_OK || (st == MQTLS_ERR_CONNECT_REFUSED &&
                                       first_fail != MQTLS_ERR_CONNECT_REFUSED)) {
            first_fail = st;
            first_errno = err;
        }
        if (st == MQTLS_ERR_TIMEOUT)
            break; /* the time is spent */
    }
    if (st == MQTLS_OK)
        return tcp_connected(d, t0);
    return tcp_failed(d, t0, first_fail, first_errno);
}
