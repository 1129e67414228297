/**
 * @file broker.h
 * @brief A private mosquitto 2.x for tests: its own directory, a free loopback port (or an
 *        address in a network namespace the test made).
 *
 * Tests never use a system broker or the well-known ports (1883, 8883): each start picks a
 * free port on 127.0.0.1, writes a configuration into a fresh directory and runs
 * `mosquitto -c DIR/mosquitto.conf` as a child process. The directory holds:
 *
 *  - mosquitto.conf  the configuration (kept, so a restart runs the same broker)
 *  - mosquitto.log   the broker's log (printed by test_broker_dump_log())
 *  - mosquitto.out   its stdout/stderr
 *  - mosquitto.db    persistence, when the extra configuration sets `persistence true`
 *  - port, pid       the listener port and the process id, one number each
 *
 * The configuration allows anonymous clients, keeps persistence off and sets
 * persistence_location to the directory; @p extra_conf lines are appended, so they win.
 * Extra listeners need ports from test_free_port(). With `per_listener_settings true`, the
 * extra configuration must also set allow_anonymous for each listener.
 *
 * The mosquitto binary is searched for in $MQTLS_MOSQUITTO, then $PATH, then /usr/sbin,
 * /usr/local/sbin and /sbin.
 */
#ifndef MQTLS_TEST_BROKER_H
#define MQTLS_TEST_BROKER_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Room for the broker's directory path. */
#define TEST_BROKER_DIR_MAX 512

/** A running (or stopped) private broker. */
typedef struct test_broker {
    pid_t pid;                      /**< mosquitto's process id, -1 when not running */
    uint16_t port;                  /**< the 127.0.0.1 listener */
    char dir[TEST_BROKER_DIR_MAX];  /**< the broker's directory (see the file comment) */
    int own_dir;                    /**< created here: removed by test_broker_stop() */
    int detached;                   /**< outlives this process (own session, no death signal) */
    char netns[32];                 /**< the network namespace it runs in, "" for ours */
    char addr[16];                  /**< the listener's IPv4 address (127.0.0.1 by default) */
} test_broker_t;

/**
 * A TCP port that is free on 127.0.0.1 right now (never 1883 or 8883), or 0 on failure.
 * Another process may take it before it is used: callers retry when binding fails.
 */
uint16_t test_free_port(void);

/** The mosquitto binary to run, or NULL (with a message printed) if none is installed. */
const char *test_mosquitto_path(void);

/**
 * Starts a broker in a new temporary directory ($TMPDIR or /tmp) and waits (up to ~5 s)
 * until it accepts connections. If the broker dies because its port was taken meanwhile,
 * another port is tried. On Linux the broker is killed when the calling thread ends (so a
 * crashed or timed-out test leaves none behind): call it from the test's main thread.
 * @param extra_conf  configuration lines appended to the generated file, or NULL
 * @return 0 with b->port, b->pid and b->dir filled; -1 on failure (reason printed)
 */
int test_broker_start(test_broker_t *b, const char *extra_conf);

/**
 * Like test_broker_start(), inside the network namespace @p netns (`ip netns exec`, so root
 * is needed), listening on @p addr there, which must be reachable from here. The port comes
 * from test_free_port(): free here, and nothing else listens in a namespace a test made.
 */
int test_broker_start_netns(test_broker_t *b, const char *netns, const char *addr,
                            const char *extra_conf);

/**
 * Like test_broker_start(), in the caller's directory @p dir (created if missing, never
 * removed). @p detached: the broker runs in its own session and survives this process.
 */
int test_broker_start_in(test_broker_t *b, const char *dir, const char *extra_conf,
                         int detached);

/**
 * Fills @p b from a directory where a broker was started (its port and pid files), so that
 * another process can stop or restart it. @return 0, or -1 if @p dir holds no broker.
 */
int test_broker_load(test_broker_t *b, const char *dir);

/**
 * Stops the broker: SIGTERM (it saves persistence), then SIGKILL if it has not ended after
 * ~5 s. Removes a directory made by test_broker_start() unless the environment variable
 * MQTLS_KEEP_TEST_DIRS is set. Safe when already stopped or killed.
 * @return 0, or -1 if the process could not be ended
 */
int test_broker_stop(test_broker_t *b);

/**
 * Stops the broker (if running) and starts it again with the same directory, configuration
 * and port, so persistent sessions and retained messages survive (with persistence on).
 * Also brings back a broker ended by test_broker_kill(). @return 0, or -1
 */
int test_broker_restart(test_broker_t *b);

/** Kills the broker with SIGKILL (no persistence save) and reaps it; the directory stays. */
int test_broker_kill(test_broker_t *b);

/** Prints the broker's log to stdout (to explain a failure). */
void test_broker_dump_log(const test_broker_t *b);

#ifdef __cplusplus
}
#endif
#endif
