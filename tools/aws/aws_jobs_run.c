/**
 * @file aws_jobs_run.c
 * @brief The job handler of `mqtls jobs watch --run CMD`: CMD starts under /bin/sh -c with
 *        the job document on its stdin and in MQTLS_JOB_DOCUMENT, the job id in MQTLS_JOB_ID;
 *        its stdout and stderr are the tool's. The watch loop waits for it while it keeps
 *        the connection alive (aws_jobs_watch.c).
 */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/aws_internal.h"

/* The child: stdin from @p in, the environment, then the shell. Never returns. */
static void child(int in, const char *cmd, const char *job_id, const char *doc)
{
    if (dup2(in, 0) < 0)
        _exit(127);
    close(in);
    signal(SIGPIPE, SIG_DFL);
    if (setenv("MQTLS_JOB_ID", job_id, 1) || setenv("MQTLS_JOB_DOCUMENT", doc, 1))
        _exit(127);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

/* Writes the document to the child's stdin; a child that does not read it is no error. */
static void feed(int fd, const char *doc, size_t len)
{
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    while (len > 0) {
        ssize_t n = write(fd, doc, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        doc += n;
        len -= (size_t)n;
    }
    close(fd);
    signal(SIGPIPE, old);
}

int aws_job_start(const char *cmd, const char *job_id, const char *doc, size_t len,
                  pid_t *pid)
{
    int p[2];
    fflush(stdout);
    if (pipe(p) != 0)
        return errno;
    *pid = fork();
    if (*pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return e;
    }
    if (*pid == 0) {
        close(p[1]);
        child(p[0], cmd, job_id, doc);
    }
    close(p[0]);
    feed(p[1], doc, len);
    return 0;
}
