/**
 * @file broker.c
 * @brief Runs private mosquitto brokers for tests (see broker.h).
 */
#include "broker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#define READY_TIMEOUT_MS 5000   /* how long a starting broker may take */
#define STOP_TIMEOUT_MS 5000    /* how long SIGTERM may take before SIGKILL */
#define START_ATTEMPTS 5        /* fresh ports tried when the chosen one was taken */
#define RESTART_TIMEOUT_MS 5000 /* how long a restart waits for its old port to be free */
#define POLL_MS 20
#define FILE_PATH_LEN (TEST_BROKER_DIR_MAX + 32) /* the directory plus a file name */
#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* launch() results. */
#define LAUNCH_OK 0
#define LAUNCH_EXITED 1 /* the broker ended early because its port was taken */
#define LAUNCH_FATAL -1

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void path_in(const test_broker_t *b, const char *name, char *out)
{
    snprintf(out, FILE_PATH_LEN, "%s/%s", b->dir, name);
}

uint16_t test_free_port(void)
{
    for (int attempt = 0; attempt < 10; attempt++) {
        struct sockaddr_in sa;
        socklen_t len = sizeof sa;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        uint16_t port = 0;

        if (fd < 0) {
            return 0;
        }
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
            getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
            port = ntohs(sa.sin_port);
        }
        close(fd);
        /* The kernel picks from the ephemeral range, but a strange range must still never
         * hand us a system broker's port. */
        if (port >= 1024 && port != 1883 && port != 8883) {
            return port;
        }
    }
    return 0;
}

static int executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Searches $PATH for mosquitto; writes the hit into out. */
static int search_path(char *out, size_t size)
{
    const char *p = getenv("PATH");
    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, ':');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n > 0 && (size_t)snprintf(out, size, "%.*s/mosquitto", (int)n, p) < size &&
            executable(out)) {
            return 1;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

const char *test_mosquitto_path(void)
{
    static char found[1024];
    static const char *const fixed[] = {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto",
                                        "/sbin/mosquitto"};
    const char *env = getenv("MQTLS_MOSQUITTO");

    if (env != NULL && *env != '\0') {
        if (executable(env)) {
            return env;
        }
        printf("test broker: MQTLS_MOSQUITTO=%s is not an executable file\n", env);
        return NULL;
    }
    if (search_path(found, sizeof found)) {
        return found;
    }
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (executable(fixed[i])) {
            return fixed[i];
        }
    }
    printf("test broker: mosquitto is not installed (not in PATH, /usr/sbin, "
           "/usr/local/sbin); run scripts/bootstrap.sh or apt-get install mosquitto\n");
    fflush(stdout);
    return NULL;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int ok;
    if (f == NULL) {
        return -1;
    }
    ok = fputs(text, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : -1;
}

static int write_conf(const test_broker_t *b, const char *extra_conf)
{
    char path[FILE_PATH_LEN];
    FILE *f;
    int ok;

    path_in(b, "mosquitto.conf", path);
    f = fopen(path, "w");
    if (f == NULL) {
        printf("test broker: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "# Written by tests/support/broker.c for one test run.\n"
               "listener %u %s\n"
               "allow_anonymous true\n"
               "persistence false\n"
               "persistence_location %s/\n"
               "log_dest file %s/mosquitto.log\n"
               "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
               "connection_messages true\n"
               "set_tcp_nodelay true\n",
            (unsigned)b->port, b->addr, b->dir, b->dir);
    /* As root, mosquitto would switch to the "mosquitto" user, who cannot write here. */
    if (geteuid() == 0) {
        fprintf(f, "user root\n");
    }
    if (extra_conf != NULL) {
        fprintf(f, "# extra configuration\n%s\n", extra_conf);
    }
    ok = !ferror(f);
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : -1;
}

static void write_state(const test_broker_t *b)
{
    char path[FILE_PATH_LEN];
    char num[32];

    path_in(b, "port", path);
    snprintf(num, sizeof num, "%u\n", (unsigned)b->port);
    (void)write_file(path, num);
    path_in(b, "pid", path);
    snprintf(num, sizeof num, "%ld\n", (long)b->pid);
    (void)write_file(path, num);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Does the log, from byte @p from on, contain @p needle? */
static int log_says(const test_broker_t *b, long from, const char *needle)
{
    char path[FILE_PATH_LEN];
    char buf[4096];
    size_t n;
    FILE *f;

    path_in(b, "mosquitto.log", path);
    f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    if (fseek(f, from, SEEK_SET) != 0) {
        fclose(f);
        return 0;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static int port_accepts(const test_broker_t *b)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int ok;

    if (fd < 0) {
        return 0;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(b->port);
    ok = inet_pton(AF_INET, b->addr, &sa.sin_addr) == 1 &&
         connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

/* In the child, before exec: only what mosquitto needs, nothing of the test leaks in. */
static void child_setup(const test_broker_t *b, pid_t parent)
{
    char out[FILE_PATH_LEN];
    sigset_t none;
    int fd;

    if (b->detached) {
        (void)setsid(); /* no terminal or process-group signals from the caller's shell */
    } else {
#if defined(__linux__)
        /* A test that crashes or is killed by ctest must not leave its broker behind. */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(1);
        }
#endif
    }
    (void)parent;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);

    /* Pipes from the caller (e.g. `port=$(mqtls_test_broker start DIR)`) must not be held
     * open by the broker, or the caller would wait for it to exit. */
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
        dup2(fd, 0);
    }
    path_in(b, "mosquitto.out", out);
    fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
    }
    /* Sockets of the test (clients, listeners) must close when the test closes them. */
    for (fd = 3; fd < 4096; fd++) {
        close(fd);
    }
}

/* Waits until the broker is ready, has ended, or the time is up. */
static int wait_ready(test_broker_t *b, long log_from)
{
    for (int waited = 0; waited < READY_TIMEOUT_MS; waited += POLL_MS) {
        pid_t r = waitpid(b->pid, NULL, WNOHANG);
        if (r == b->pid) {
            b->pid = -1;
            /* Only a port taken meanwhile is worth another try; a bad configuration or a
             * failed exec (see mosquitto.out) would fail again. */
            return log_says(b, log_from, "in use") ? LAUNCH_EXITED : LAUNCH_FATAL;
        }
        /* The log check proves that *our* broker opened the port: a connect alone could
         * reach another test's broker that took the port first. */
        if (log_says(b, log_from, " running") && port_accepts(b)) {
            return LAUNCH_OK;
        }
        sleep_ms(POLL_MS);
    }
    printf("test broker: mosquitto on port %u not ready after %d ms\n", (unsigned)b->port,
           READY_TIMEOUT_MS);
    kill(b->pid, SIGKILL);
    waitpid(b->pid, NULL, 0);
    b->pid = -1;
    return LAUNCH_FATAL;
}

/* Runs mosquitto with the configuration already in b->dir. */
static int launch(test_broker_t *b)
{
    const char *bin = test_mosquitto_path();
    char conf[FILE_PATH_LEN];
    char log[FILE_PATH_LEN];
    pid_t parent = getpid();
    long log_from;

    if (bin == NULL) {
        return LAUNCH_FATAL;
    }
    path_in(b, "mosquitto.conf", conf);
    path_in(b, "mosquitto.log", log);
    log_from = file_size(log);
    fflush(NULL); /* the child must not write our buffered output a second time */
    b->pid = fork();
    if (b->pid < 0) {
        printf("test broker: fork: %s\n", strerror(errno));
        b->pid = -1;
        return LAUNCH_FATAL;
    }
    if (b->pid == 0) {
        char *const argv[] = {"ip", "netns", "exec", b->netns, (char *)bin, "-c", conf, NULL};
        child_setup(b, parent);
        if (b->netns[0] != '\0') {
            execvp("ip", argv);
        } else {
            execv(bin, argv + 4);
        }
        _exit(127);
    }
    return wait_ready(b, log_from);
}

static int mkdir_p(const char *dir)
{
    char tmp[TEST_BROKER_DIR_MAX];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof tmp) {
        return -1;
    }
    memcpy(tmp, dir, n + 1);
    for (char *p = tmp + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return (mkdir(tmp, 0700) == 0 || errno == EEXIST) ? 0 : -1;
}

/* Picks ports until a broker comes up on one. */
static int start_on_free_port(test_broker_t *b, const char *extra_conf)
{
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        int r;
        b->port = test_free_port();
        if (b->port == 0 || write_conf(b, extra_conf) != 0) {
            return -1;
        }
        r = launch(b);
        if (r == LAUNCH_OK) {
            write_state(b);
            return 0;
        }
        if (r == LAUNCH_FATAL) {
            break;
        }
    }
    printf("test broker: mosquitto did not start (directory %s)\n", b->dir);
    test_broker_dump_log(b);
    return -1;
}

static void broker_reset(test_broker_t *b)
{
    memset(b, 0, sizeof *b);
    b->pid = -1;
    memcpy(b->addr, "127.0.0.1", sizeof "127.0.0.1");
}

int test_broker_start_in(test_broker_t *b, const char *dir, const char *extra_conf,
                         int detached)
{
    char abs[PATH_MAX];

    broker_reset(b);
    if (dir == NULL || strlen(dir) >= sizeof b->dir || mkdir_p(dir) != 0) {
        printf("test broker: cannot create directory %s\n", dir != NULL ? dir : "(null)");
        return -1;
    }
    if (test_mosquitto_path() == NULL) {
        return -1;
    }
    /* Absolute, because the configuration names files in it and a later restart may run
     * from another working directory. */
    if (realpath(dir, abs) == NULL || strlen(abs) >= sizeof b->dir) {
        printf("test broker: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    memcpy(b->dir, abs, strlen(abs) + 1);
    b->detached = detached;
    return start_on_free_port(b, extra_conf);
}

static void remove_tree(const char *path);

/* Starts @p b, already reset and placed, in a new temporary directory. */
static int start_in_temp(test_broker_t *b, const char *extra_conf)
{
    const char *tmp = getenv("TMPDIR");
    char dir[TEST_BROKER_DIR_MAX];

    if (test_mosquitto_path() == NULL) {
        return -1;
    }
    if (tmp == NULL || *tmp == '\0') {
        tmp = "/tmp";
    }
    snprintf(dir, sizeof dir, "%s/mqtls-broker-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL) {
        printf("test broker: mkdtemp in %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    memcpy(b->dir, dir, strlen(dir) + 1);
    b->own_dir = 1;
    if (start_on_free_port(b, extra_conf) != 0) {
        remove_tree(b->dir);
        return -1;
    }
    return 0;
}

int test_broker_start(test_broker_t *b, const char *extra_conf)
{
    broker_reset(b);
    return start_in_temp(b, extra_conf);
}

int test_broker_start_netns(test_broker_t *b, const char *netns, const char *addr,
                            const char *extra_conf)
{
    broker_reset(b);
    if (strlen(netns) >= sizeof b->netns || strlen(addr) >= sizeof b->addr) {
        printf("test broker: namespace or address too long\n");
        return -1;
    }
    memcpy(b->netns, netns, strlen(netns) + 1);
    memcpy(b->addr, addr, strlen(addr) + 1);
    return start_in_temp(b, extra_conf);
}

static long read_number(const test_broker_t *b, const char *name)
{
    char path[FILE_PATH_LEN];
    long v = -1;
    FILE *f;

    path_in(b, name, path);
    f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    if (fscanf(f, "%ld", &v) != 1) {
        v = -1;
    }
    fclose(f);
    return v;
}

int test_broker_load(test_broker_t *b, const char *dir)
{
    long port;
    long pid;

    broker_reset(b);
    if (dir == NULL || strlen(dir) >= sizeof b->dir) {
        return -1;
    }
    memcpy(b->dir, dir, strlen(dir) + 1);
    port = read_number(b, "port");
    pid = read_number(b, "pid");
    if (port <= 0 || port > 65535) {
        return -1;
    }
    b->port = (uint16_t)port;
    b->pid = pid > 0 ? (pid_t)pid : -1;
    b->detached = 1; /* whoever started it, it is not our child */
    return 0;
}

/* Is the process still there? A zombie that is not our child counts as gone. */
static int still_running(pid_t pid)
{
    char path[64];
    char buf[512];
    const char *paren;
    size_t n;
    FILE *f;
    pid_t r = waitpid(pid, NULL, WNOHANG);

    if (r == pid) {
        return 0; /* our child, now reaped */
    }
    if (kill(pid, 0) != 0 && errno == ESRCH) {
        return 0;
    }
    /* Reparented zombies wait for init to reap them; where init is slow (containers) they
     * would look alive to kill(pid, 0). /proc tells their state. */
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    f = fopen(path, "r");
    if (f == NULL) {
        return 1;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    paren = strrchr(buf, ')');
    return !(paren != NULL && paren[1] == ' ' && paren[2] == 'Z');
}

static int wait_gone(pid_t pid, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += POLL_MS) {
        if (!still_running(pid)) {
            return 1;
        }
        sleep_ms(POLL_MS);
    }
    return 0;
}

/* Ends the process with @p sig (escalating to SIGKILL); the directory is left alone. */
static int end_process(test_broker_t *b, int sig)
{
    int rc = 0;

    if (b->pid <= 0) {
        return 0;
    }
    if (kill(b->pid, sig) == 0 && !wait_gone(b->pid, STOP_TIMEOUT_MS)) {
        printf("test broker: pid %ld ignored signal %d, killing it\n", (long)b->pid, sig);
        kill(b->pid, SIGKILL);
        rc = wait_gone(b->pid, STOP_TIMEOUT_MS) ? 0 : -1;
    } else {
        (void)wait_gone(b->pid, 0); /* reap it if it had already ended */
    }
    if (rc == 0) {
        char path[FILE_PATH_LEN];
        path_in(b, "pid", path);
        (void)unlink(path);
        b->pid = -1;
    }
    return rc;
}

static void remove_tree(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;

    if (lstat(path, &st) != 0) {
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        (void)unlink(path);
        return;
    }
    d = opendir(path);
    while (d != NULL && (e = readdir(d)) != NULL) {
        char child[FILE_PATH_LEN + 256];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        remove_tree(child);
    }
    if (d != NULL) {
        closedir(d);
    }
    (void)rmdir(path);
}

int test_broker_stop(test_broker_t *b)
{
    int rc = end_process(b, SIGTERM);
    const char *keep = getenv("MQTLS_KEEP_TEST_DIRS");

    if (b->own_dir && b->dir[0] != '\0') {
        if (keep != NULL && *keep != '\0') {
            printf("test broker: kept %s\n", b->dir);
        } else {
            remove_tree(b->dir);
        }
        b->own_dir = 0;
    }
    return rc;
}

int test_broker_kill(test_broker_t *b)
{
    return end_process(b, SIGKILL);
}

int test_broker_restart(test_broker_t *b)
{
    if (end_process(b, SIGTERM) != 0) {
        return -1;
    }
    /* The same port is kept (clients reconnect to it); it may need a moment to be free. */
    for (int waited = 0; waited < RESTART_TIMEOUT_MS; waited += 100) {
        int r = launch(b);
        if (r == LAUNCH_OK) {
            write_state(b);
            return 0;
        }
        if (r == LAUNCH_FATAL) {
            break;
        }
        sleep_ms(100);
    }
    printf("test broker: restart on port %u failed\n", (unsigned)b->port);
    test_broker_dump_log(b);
    return -1;
}

void test_broker_dump_log(const test_broker_t *b)
{
    static const char *const names[] = {"mosquitto.log", "mosquitto.out"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[FILE_PATH_LEN];
        char line[1024];
        FILE *f;

        path_in(b, names[i], path);
        f = fopen(path, "r");
        if (f == NULL) {
            continue;
        }
        printf("---- %s\n", path);
        while (fgets(line, sizeof line, f) != NULL) {
            fputs(line, stdout);
        }
        fclose(f);
    }
    fflush(stdout);
}
