/**
 * @file tool_doctor.h
 * @brief `mqtls doctor`: connects step by step and names why a connection fails.
 *
 *     mqtls doctor [connection flags of pub/sub] [--topic T] [--no-roundtrip] [--json]
 *                  [--timeout S] [--connect-to HOST:PORT:HOST2:PORT2]
 *
 * The steps: (1) local credentials (`mqtls cert check`'s checks, then the TLS setup),
 * (2) DNS, (3) TCP connect, (4) TLS handshake, (5) MQTT CONNECT/CONNACK, (6) a subscribe +
 * QoS 1 publish round trip. The first step that fails ends the run; the facts gathered go
 * to mqtls_diagnose() (mqtls/diagnose.h), which names one cause with a stable id
 * (docs/troubleshooting.md). The exit status names the step. See docs/doctor.md.
 *
 * The code is in tools/doctor/, one file per step or report; doctor_internal.h lists them.
 */
#ifndef TOOL_DOCTOR_H
#define TOOL_DOCTOR_H

/** Exit status of `mqtls doctor`: 10 + the number of the step that failed. */
enum tool_doctor_exit {
    TOOL_DOCTOR_EXIT_CREDENTIALS = 11,
    TOOL_DOCTOR_EXIT_DNS = 12,
    TOOL_DOCTOR_EXIT_TCP = 13,
    TOOL_DOCTOR_EXIT_TLS = 14,
    TOOL_DOCTOR_EXIT_MQTT = 15,
    TOOL_DOCTOR_EXIT_ROUNDTRIP = 16
};

/** The exit-status table printed by `mqtls doctor --help`. */
extern const char tool_doctor_exit_help[];

/** `mqtls doctor`: @p argv[0] is "doctor". Returns the exit status. */
int tool_doctor_main(int argc, char **argv);

#endif
