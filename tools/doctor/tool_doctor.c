/**
 * @file tool_doctor.c
 * @brief `mqtls doctor` (see tool_doctor.h, docs/doctor.md).
 *
 * Each step gathers facts into the run's record and into mqtls_diag_facts_t; the first
 * step that fails asks mqtls_diagnose() for the cause. Step 3 connects with the TCP
 * transport to each address of step 2 in turn. Without TLS that connection goes on; with
 * TLS, step 4 drives the TLS transport to the address that answered (a second TCP connect,
 * so that the handshake starts on a connection of its own while the server name stays the
 * host's). Step 5 then hands the open transport to an MQTT client, whose connect finds it
 * open and sends CONNECT at once.
 */
#include "doctor/tool_doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "common/tool_util.h"

const char tool_doctor_exit_help[] =
    "Exit status:\n"
    "  0   every step passed\n"
    "  1   interrupted\n"
    "  2   bad arguments\n"
    "  11  step 1 failed: local credentials (files, key, dates, TLS settings)\n"
    "  12  step 2 failed: DNS\n"
    "  13  step 3 failed: TCP connect\n"
    "  14  step 4 failed: TLS handshake\n"
    "  15  step 5 failed: MQTT CONNECT/CONNACK\n"
    "  16  step 6 failed: subscribe/publish round trip\n"
    "  17  every step passed, but --device found what that device cannot do\n";

static void doctor_init(doctor_t *d)
{
    static const char *const titles[] = {"", "credentials", "DNS", "TCP connect",
                                         "TLS handshake", "MQTT CONNECT", "round trip"};
    static const char *const keys[] = {"", "credentials", "dns", "tcp", "tls", "mqtt",
                                       "roundtrip"};
    memset(d, 0, sizeof *d);
    for (int n = 1; n <= N_STAGES; n++) {
        d->st[n].title = titles[n];
        d->st[n].key = keys[n];
    }
    d->probe_first = -1;
    mqtls_tcp_init(&d->tcp, 0);
    d->now = time(NULL);
}

static void doctor_free(doctor_t *d)
{
    if (d->rx) {
        if (mqtls_state(&d->client) == MQTLS_STATE_CONNECTED)
            mqtls_disconnect(&d->client, MQTLS_RC_SUCCESS, NULL);
        mqtls_client_free(&d->client);
    }
    if (d->tr)
        d->tr->close(d->tr_ctx);
    if (d->tls) {
        tool_tls_free(d->tls);
        free(d->tls);
    }
    for (int n = 1; n <= N_STAGES; n++) {
        for (size_t i = 0; i < d->st[n].n_lines; i++)
            free(d->st[n].lines[i].text);
        free(d->st[n].lines);
        free(d->st[n].summary);
    }
    for (int i = 0; i < d->n_steps; i++)
        free(d->steps[i].text);
    doctor_list_free(&d->cause_facts);
    doctor_list_free(&d->ca_subjects);
    doctor_list_free(&d->addrs);
    doctor_list_free(&d->explain);
    doctor_list_free(&d->props);
    doctor_device_free(d);
    free(d->rx);
    free(d->tx);
    free(d->store_mem);
    free(d->conn_host);
    free(d->topic);
    free(d->setup_error);
    free(d->dns_error);
    free(d->tcp_error);
    free(d->mqtt_error);
    free(d->server_ref);
    tool_cfg_free(&d->cfg);
}

int tool_doctor_main(int argc, char **argv)
{
    doctor_t *d = tool_xcalloc(1, sizeof *d);
    doctor_init(d);
    int rc = doctor_parse(d, argc, argv);
    if (rc) {
        doctor_free(d);
        free(d);
        return rc == TOOL_HELP_SHOWN ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
    }
    doctor_print_header(d);
    bool ok = doctor_stage_credentials(d) && doctor_stage_dns(d) && doctor_stage_tcp(d) &&
              doctor_stage_tls(d) && doctor_stage_mqtt(d) && doctor_stage_roundtrip(d);
    (void)ok;
    if (tool_stop) {
        fputs("mqtls doctor: interrupted\n", stderr);
        doctor_free(d);
        free(d);
        return TOOL_EXIT_ERROR;
    }
    if (d->failed) {
        doctor_cause_facts(d);
        doctor_mqtt5_facts(d);
    }
    doctor_device_run(d);
    int exit_code = d->failed ? 10 + d->failed : d->dev_failures ? 17 : TOOL_EXIT_OK;
    doctor_print_cause(d);
    doctor_print_device(d);
    if (d->json)
        doctor_print_json(d, exit_code);
    doctor_free(d);
    free(d);
    return exit_code;
}
