/**
 * @file net_simplelink.c
 * @brief The sensor node's network on a SimpleLink Wi-Fi MCU (net.h): the network
 *        processor does TCP and TLS with the credentials stored on its file system.
 *
 * Built for a CC3220 (CC32xx SDK) by default, for a CC3200 (CC3200 SDK 1.x) with
 * MQTLS_SL_SDK_CC3200: the two differ in how credentials are named (file names, or ids in
 * the secure-files slots) and where random numbers come from (the network processor, or
 * the board).
 */
#include "board.h"
#include "credentials.h"
#include "mqtls/transport_simplelink.h"
#include "net.h"
#include "sensor_node.h"
#include "simplelink_api.h"

static mqtls_simplelink_t net;
static bool provisioned;

/* The credentials on the network processor: by name on a CC3220, by id on a CC3200. */
static const mqtls_simplelink_cfg_t net_cfg = {
#ifdef MQTLS_SL_SDK_CC3200
    .device = MQTLS_SL_CC3200,
    .secure_files = {[MQTLS_SL_FILE_KEY] = SENSOR_NODE_KEY_ID,
                     [MQTLS_SL_FILE_CERT] = SENSOR_NODE_CERT_ID,
                     [MQTLS_SL_FILE_CA] = SENSOR_NODE_CA_ID},
#else
    .device = MQTLS_SL_CC3220,
    .ca_file = SENSOR_NODE_CA_FILE,
    .cert_file = SENSOR_NODE_CERT_FILE,
    .key_file = SENSOR_NODE_KEY_FILE,
#endif
};

/* The arrays credentials.c embeds (made by `mqtls cert embed`), under the names the
 * processor's TLS looks for. */
#ifdef MQTLS_SL_SDK_CC3200
#define CA_FILE SENSOR_NODE_ID_FILE(SENSOR_NODE_CA_ID)
#define CERT_FILE SENSOR_NODE_ID_FILE(SENSOR_NODE_CERT_ID)
#define KEY_FILE SENSOR_NODE_ID_FILE(SENSOR_NODE_KEY_ID)
#else
#define CA_FILE SENSOR_NODE_CA_FILE
#define CERT_FILE SENSOR_NODE_CERT_FILE
#define KEY_FILE SENSOR_NODE_KEY_FILE
#endif

void sensor_net_init(mqtls_client_cfg_t *cfg)
{
    mqtls_simplelink_init(&net, &net_cfg);
    cfg->transport = &mqtls_simplelink_transport;
    cfg->transport_ctx = &net;
}

#ifdef MQTLS_SL_SDK_CC3200
int sensor_net_random(void *ctx, uint32_t *out)
{
    (void)ctx;
    return board_random(out) ? 0 : -1; /* the CC3200 SDK has no sl_NetUtilGet */
}
#else
/* The network processor's true random numbers. */
int sensor_net_random(void *ctx, uint32_t *out)
{
    _u8 b[4];
    _u16 len = sizeof b;
    (void)ctx;
    if (sl_NetUtilGet(SL_NETUTIL_TRUE_RANDOM, 0, b, &len) != 0 || len != sizeof b)
        return -1;
    *out = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
    return 0;
}
#endif

bool sensor_net_prepare(void)
{
    if (provisioned)
        return true;
    const sensor_node_file_t files[] = {
        {CA_FILE, sensor_ca, sensor_ca_len, false},
        {CERT_FILE, sensor_cert, sensor_cert_len, false},
        {KEY_FILE, sensor_private, sensor_private_len, true},
    };
    int rc = sensor_node_provision(files, sizeof files / sizeof files[0], false);
    if (rc != 0) {
        line_t l = {{0}, 0};
        line_put(&l, "storing the credentials failed: SimpleLink ");
        line_put_int(&l, rc);
        board_log(l.buf);
        return false;
    }
    provisioned = true;
    return true;
}

/* The network processor's own code, explained. */
void sensor_net_log_failure(line_t *l)
{
    int16_t code = mqtls_simplelink_last_code(&net);
    if (code == 0) {
        board_log(l->buf);
        return;
    }
    mqtls_simplelink_explanation_t e = mqtls_simplelink_explain(net.cfg.device, code);
    line_put(l, " [SimpleLink ");
    line_put_int(l, code);
    if (e.cause[0]) {
        line_put(l, ", ");
        line_put(l, e.cause);
    }
    line_put(l, "]");
    board_log(l->buf);
    board_log(e.text); /* the fix, in words */
}

bool sensor_net_wait(uint32_t ms)
{
    if (mqtls_simplelink_sd(&net) < 0)
        return false;
    (void)mqtls_simplelink_transport.wait(&net, 0, ms);
    return true;
}
