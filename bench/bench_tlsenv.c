/**
 * @file bench_tlsenv.c
 * @brief The TLS benchmarks' PKI, OpenSSL configuration and broker (see bench_tlsenv.h).
 */
#define _GNU_SOURCE /* nftw's FTW_DEPTH, FTW_PHYS */
#include "bench_tlsenv.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const bench_key_name[BENCH_KEY_COUNT] = {"EC P-256", "RSA-2048"};
static const char *const key_dir[BENCH_KEY_COUNT] = {"ec", "rsa"};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *find_tool(char *buf, size_t size)
{
    const char *env = getenv("MQTLS_BIN");
    if (env && *env)
        return access(env, X_OK) == 0 ? env : NULL;
#ifdef MQTLS_BENCH_TOOL
    if (access(MQTLS_BENCH_TOOL, X_OK) == 0)
        return MQTLS_BENCH_TOOL;
#endif
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    if ((size_t)snprintf(buf, size, "%s/../tools/mqtls", self) >= size)
        return NULL;
    return access(buf, X_OK) == 0 ? buf : NULL;
}

static int run_tool(const bench_tlsenv_t *e, const char *tool, const char *const *args)
{
    char log[PATH_MAX + 32];
    char *argv[16];
    size_t n = 0;
    argv[n++] = (char *)"mqtls";
    for (; args[n - 1] && n < 15; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    snprintf(log, sizeof log, "%s/pki.log", e->dir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(tool, argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static uint32_t file_size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint32_t)st.st_size : 0;
}

/* The DER size of the first certificate in a PEM file, from its base64 body (3 bytes per 4
 * characters, less the padding), so that no TLS library is needed here; 0 on failure. */
static uint32_t pem_der_size(const char *pem)
{
    char line[256];
    uint32_t chars = 0, pad = 0;
    int in = 0;
    FILE *f = fopen(pem, "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0) {
            in = 1;
            continue;
        }
        if (in && strncmp(line, "-----END", 8) == 0)
            break;
        for (const char *c = line; in && *c; c++) {
            if (*c == '=')
                pad++;
            else if (*c != '\n' && *c != '\r')
                chars++;
        }
    }
    if (f)
        fclose(f);
    return (chars + pad) % 4 ? 0 : (chars + pad) / 4 * 3 - pad;
}

static int make_pki(bench_tlsenv_t *e, const char *tool)
{
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        char d[PATH_MAX + 8];
        snprintf(d, sizeof d, "%s/%s", e->dir, key_dir[k]);
        const char *rsa = k == BENCH_KEY_RSA ? "--rsa" : NULL;
        const char *init[] = {"pki", "init", d, rsa, "2048", NULL};
        const char *srv[] = {"pki", "server", d, "--name", "localhost", "--ip", "127.0.0.1",
                             rsa, "2048", NULL};
        const char *dev[] = {"pki", "device", d, "dev", rsa, "2048", NULL};
        if (run_tool(e, tool, init) || run_tool(e, tool, srv) || run_tool(e, tool, dev)) {
            printf("`mqtls pki` failed for the %s set (see %s/pki.log)\n", bench_key_name[k], e->dir);
            return -1;
        }
        snprintf(e->ca[k], sizeof e->ca[k], "%s/ca.crt", d);
        snprintf(e->cert[k], sizeof e->cert[k], "%s/dev/cert.crt", d);
        snprintf(e->key[k], sizeof e->key[k], "%s/dev/private.key", d);
        snprintf(e->server_crt[k], sizeof e->server_crt[k], "%s/server.crt", d);
        snprintf(e->server_key[k], sizeof e->server_key[k], "%s/server.key", d);
        char der[PATH_MAX + 32];
        snprintf(der, sizeof der, "%s/ca.der", d);
        e->der_ca[k] = file_size_of(der);
        snprintf(der, sizeof der, "%s/dev/cert.der", d);
        e->der_dev[k] = file_size_of(der);
        e->der_srv[k] = pem_der_size(e->server_crt[k]);
    }
    return 0;
}

static int write_openssl_conf(bench_tlsenv_t *e)
{
    snprintf(e->openssl_conf, sizeof e->openssl_conf, "%s/openssl-tls12.cnf", e->dir);
    FILE *f = fopen(e->openssl_conf, "w");
    if (!f)
        return -1;
    fputs("# libmosquitto's TLS 1.2 rows: every SSL_CTX gets MaxProtocol TLSv1.2\n"
          "openssl_conf = openssl_init\n"
          "[openssl_init]\nssl_conf = ssl_sect\n"
          "[ssl_sect]\nsystem_default = system_default_sect\n"
          "[system_default_sect]\nMaxProtocol = TLSv1.2\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

static int start_broker(bench_tlsenv_t *e, const char *extra)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        char conf[8192];
        size_t len = 0;
        for (int k = 0; k < BENCH_KEY_COUNT; k++) {
            e->port[k] = test_free_port();
            if (k == 1 && e->port[1] == e->port[0])
                e->port[1] = test_free_port();
            len += (size_t)snprintf(conf + len, sizeof conf - len,
                                    "listener %u 127.0.0.1\n"
                                    "cafile %s\ncertfile %s\nkeyfile %s\n"
                                    "require_certificate true\n%s%s",
                                    (unsigned)e->port[k], e->ca[k], e->server_crt[k],
                                    e->server_key[k], extra ? extra : "", extra ? "\n" : "");
        }
        if (len >= sizeof conf)
            return -1;
        if (e->port[0] && e->port[1] && e->port[0] != e->port[1] &&
            test_broker_start(&e->broker, conf) == 0)
            return 0;
    }
    return -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *where)
{
    (void)st;
    (void)flag;
    (void)where;
    (void)remove(path);
    return 0;
}

void bench_tlsenv_close(bench_tlsenv_t *e)
{
    if (e->broker.pid > 0)
        test_broker_stop(&e->broker);
    if (e->dir[0]) {
        const char *keep = getenv("MQTLS_KEEP_TEST_DIRS");
        if (keep && *keep)
            printf("kept %s\n", e->dir);
        else
            (void)nftw(e->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
}

int bench_tlsenv_open(bench_tlsenv_t *e, const char *name, const char *listener_extra)
{
    memset(e, 0, sizeof *e);
    e->broker.pid = -1;
    e->tool = find_tool(e->toolbuf, sizeof e->toolbuf);
    if (!e->tool) {
        printf("skipped: the mqtls tool was not found (build the `mqtls` target, or set "
               "MQTLS_BIN)\n\n");
        return 1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(e->dir, sizeof e->dir, "%s/mqtls-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    if (!mkdtemp(e->dir)) {
        printf("cannot create a temporary directory: %s\n\n", strerror(errno));
        e->dir[0] = '\0';
        return -1;
    }
    double t0 = now_s();
    if (make_pki(e, e->tool) != 0 || write_openssl_conf(e) != 0)
        return -1;
    e->pki_s = now_s() - t0;
    if (start_broker(e, listener_extra) != 0) {
        printf("could not start mosquitto with the TLS listeners\n\n");
        return -1;
    }
    return 0;
}
