/**
 * @file mqtls_test_broker.c
 * @brief Starts and stops private mosquitto brokers for shell tests (tests/cli, demo).
 *
 *     mqtls_test_broker start DIR [EXTRA_CONF_FILE]   prints the port; broker keeps running
 *     mqtls_test_broker stop DIR
 *     mqtls_test_broker restart DIR                   same port, config and persistence
 *     mqtls_test_broker kill DIR                      SIGKILL: no persistence save
 *
 * DIR is the broker's state directory (created if missing, never removed): it receives
 * mosquitto.conf, mosquitto.log, the port and pid files and persistence. Exit status: 0 on
 * success, 1 on failure, 2 on a usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"

/* Extra configuration files are small; this bounds what is read. */
#define EXTRA_CONF_MAX (64 * 1024)

/* The real stdout: only the port goes there (see main). */
static int port_out = 1;

static void print_port(const test_broker_t *b)
{
    dprintf(port_out, "%u\n", (unsigned)b->port);
}

static int usage(void)
{
    fprintf(stderr, "usage: mqtls_test_broker start DIR [EXTRA_CONF_FILE]\n"
                    "       mqtls_test_broker stop|restart|kill DIR\n");
    return 2;
}

/* Reads the whole extra configuration file into a NUL-terminated heap string. */
static char *read_conf(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text;
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "mqtls_test_broker: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    text = malloc(EXTRA_CONF_MAX + 1);
    if (text == NULL) {
        fclose(f);
        return NULL;
    }
    n = fread(text, 1, EXTRA_CONF_MAX, f);
    text[n] = '\0';
    if (!feof(f)) {
        fprintf(stderr, "mqtls_test_broker: %s: larger than %d bytes\n", path, EXTRA_CONF_MAX);
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

static int cmd_start(const char *dir, const char *conf_file)
{
    test_broker_t b;
    char *extra = NULL;
    int rc;

    if (test_broker_load(&b, dir) == 0 && b.pid > 0 && kill(b.pid, 0) == 0) {
        fprintf(stderr, "mqtls_test_broker: %s already has a broker (pid %ld); stop it first\n",
                dir, (long)b.pid);
        return 1;
    }
    if (conf_file != NULL && (extra = read_conf(conf_file)) == NULL) {
        return 1;
    }
    rc = test_broker_start_in(&b, dir, extra, 1);
    free(extra);
    if (rc != 0) {
        return 1;
    }
    print_port(&b);
    return 0;
}

/* Loads the broker of @p dir, for the commands that act on a running one. */
static int load(test_broker_t *b, const char *dir)
{
    if (test_broker_load(b, dir) != 0) {
        fprintf(stderr, "mqtls_test_broker: no broker was started in %s\n", dir);
        return -1;
    }
    return 0;
}

static int cmd_restart(const char *dir)
{
    test_broker_t b;
    if (load(&b, dir) != 0 || test_broker_restart(&b) != 0) {
        return 1;
    }
    print_port(&b);
    return 0;
}

int main(int argc, char **argv)
{
    test_broker_t b;
    const char *cmd;
    const char *dir;

    if (argc < 3) {
        return usage();
    }
    /* broker.c reports on stdout (right for C tests); here stdout carries the port for
     * `port=$(mqtls_test_broker start DIR)`, so its messages are sent to stderr. */
    fflush(stdout);
    port_out = dup(1);
    if (port_out < 0 || dup2(2, 1) < 0) {
        port_out = 1;
    }
    cmd = argv[1];
    dir = argv[2];
    if (strcmp(cmd, "start") == 0 && argc <= 4) {
        return cmd_start(dir, argc == 4 ? argv[3] : NULL);
    }
    if (argc != 3) {
        return usage();
    }
    if (strcmp(cmd, "restart") == 0) {
        return cmd_restart(dir);
    }
    if (strcmp(cmd, "stop") == 0) {
        /* Stopping what is not running succeeds: cleanup traps may call it twice. */
        return (test_broker_load(&b, dir) != 0 || test_broker_stop(&b) == 0) ? 0 : 1;
    }
    if (strcmp(cmd, "kill") == 0) {
        return (load(&b, dir) == 0 && test_broker_kill(&b) == 0) ? 0 : 1;
    }
    return usage();
}
