/**
 * @file awl_run.c
 * @brief `mqtls awslocal up` runs mosquitto as its child, in the foreground: it says `ready`
 *        once mosquitto accepts connections (found by a TLS handshake, awl_probe.c, not by
 *        waiting), stops it
 *        on SIGTERM or SIGINT, and when mosquitto fails says why in words, from its log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "awslocal/awl_internal.h"
#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"

#define READY_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 10000
#define POLL_MS 50

static void nap(void)
{
    struct timespec ts = {0, POLL_MS * 1000000L};
    nanosleep(&ts, NULL);
}

/* The child: mosquitto from PATH, its output in the log, in a process group of its own (a
 * Ctrl-C reaches `up`, which stops it), and killed if `up` dies. */
static void exec_mosquitto(const char *conf, int log_fd)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGPIPE, SIG_DFL);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execlp("mosquitto", "mosquitto", "-c", conf, (char *)NULL);
    dprintf(STDERR_FILENO, "awslocal: cannot run mosquitto: %s\n", strerror(errno));
    _exit(127);
}

/* mosquitto's own words for its failure: the first "Error:" line of its log (OpenSSL's
 * details follow it as "OpenSSL Error[n]" lines). */
static void report_failure(const char *log_path, int status)
{
    tool_buf_t log = {NULL, 0, 0};
    const char *why = NULL;
    if (tool_read_file(log_path, &log) == 0 && log.len) {
        tool_buf_addc(&log, '\0');
        for (char *save = NULL, *line = strtok_r(log.p, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save))
            if (!why && (strstr(line, "Error:") || strstr(line, "cannot run mosquitto")))
                why = line;
    }
    if (WIFEXITED(status))
        tool_err("mosquitto stopped (exit status %d): %s (its log: %s)", WEXITSTATUS(status),
                 why ? why : "it gave no reason", log_path);
    else
        tool_err("mosquitto was killed by signal %d (its log: %s)", WTERMSIG(status), log_path);
    tool_buf_free(&log);
}

/* Waits until mosquitto accepts connections. @return 1 ready, 0 stopped by a signal,
 * -1 mosquitto exited (reaped into *status) */
static int wait_ready(pid_t pid, const char *dir, uint16_t port, int *status)
{
    for (int waited = 0; waited < READY_TIMEOUT_MS; waited += POLL_MS) {
        if (tool_stop)
            return 0;
        if (waitpid(pid, status, WNOHANG) == pid)
            return -1;
        if (awl_probe(dir, port))
            return waitpid(pid, status, WNOHANG) == pid ? -1 : 1;
        nap();
    }
    tool_err("mosquitto does not accept connections on port %u after %d s", (unsigned)port,
             READY_TIMEOUT_MS / 1000);
    return 0;
}

/* SIGTERM, then SIGKILL if it does not go. */
static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int waited = 0; waited < STOP_TIMEOUT_MS; waited += POLL_MS) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        nap();
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Is @p port free on the loopback? mosquitto's own bind error comes later and in the log;
 * this says it first and plainly. */
static bool port_free(uint16_t port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true; /* let mosquitto say */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* as mosquitto does */
    bool ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 || errno != EADDRINUSE;
    close(fd);
    return ok;
}

static int supervise(pid_t pid, const char *dir, uint16_t port, const char *log_path)
{
    int status = 0;
    int r = wait_ready(pid, dir, port, &status);
    if (r == 1) {
        printf("ready\n");
        fflush(stdout);
        while (!tool_stop && waitpid(pid, &status, WNOHANG) != pid)
            nap();
        r = tool_stop ? 0 : -1;
    }
    if (r == -1) {
        report_failure(log_path, status);
        return TOOL_EXIT_ERROR;
    }
    stop_child(pid);
    return tool_stop ? TOOL_EXIT_OK : TOOL_EXIT_ERROR;
}

int awl_run(const char *dir, uint16_t port)
{
    if (!port_free(port)) {
        tool_err("port %u is already in use on 127.0.0.1 (another broker, or another "
                 "awslocal?): stop it or choose another with --port", (unsigned)port);
        return TOOL_EXIT_ERROR;
    }
    char *conf = tool_pki_path_join(dir, "mosquitto.conf");
    char *log_path = tool_pki_path_join(dir, "mosquitto.log");
    int rc = TOOL_EXIT_ERROR;
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_t pid = log_fd < 0 ? -1 : fork();
    if (log_fd < 0)
        tool_err("cannot write '%s': %s", log_path, strerror(errno));
    else if (pid < 0)
        tool_err("cannot start mosquitto: %s", strerror(errno));
    else if (pid == 0)
        exec_mosquitto(conf, log_fd);
    else
        rc = supervise(pid, dir, port, log_path);
    if (log_fd >= 0)
        close(log_fd);
    free(conf);
    free(log_path);
    return rc;
}
