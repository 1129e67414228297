/**
 * @file test_simplelink_cfg.c
 * @brief What the SimpleLink transport refuses at connect, for the SDK it was compiled with
 *        (built twice: over mqtls_sl_host, the CC32xx SDK, and over mqtls_sl_host_cc3200,
 *        the CC3200 SDK 1.x, when that library exists).
 *
 * A CC3200 lacks ALPN, the trusted-root catalog and AES-GCM; asking for any of them is
 * MQTLS_ERR_UNSUPPORTED before a socket is opened, never skipped. Its files are named by
 * name or by id, not both; a CC3220 has no ids. A server name
 * is refused only where the SDK has no domain-name option for the chip. The same settings
 * without the missing feature do reach the (emulated) processor, which shows that the
 * refusal is the feature's, not the configuration's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqtls/transport_simplelink.h"
#include "sl_emu.h"
#include "test.h"

/* A closed port on the loopback: a configuration that passes the checks fails there. */
#define HOST "127.0.0.1"
#define CLOSED_PORT 9

static char store[64];

static mqtls_simplelink_cfg_t cc3200(void)
{
    mqtls_simplelink_cfg_t c;
    memset(&c, 0, sizeof c);
    c.device = MQTLS_SL_CC3200;
    c.secure_files[MQTLS_SL_FILE_KEY] = 126;
    c.secure_files[MQTLS_SL_FILE_CERT] = 127;
    c.secure_files[MQTLS_SL_FILE_CA] = 128;
    return c;
}

/* Connects once; the status, with the socket count and code checked for a refusal. */
static mqtls_status_t try_connect(const mqtls_simplelink_cfg_t *c)
{
    mqtls_simplelink_t t;
    mqtls_simplelink_init(&t, c);
    mqtls_status_t st = mqtls_simplelink_transport.connect(&t, HOST, CLOSED_PORT);
    if (st == MQTLS_ERR_UNSUPPORTED || st == MQTLS_ERR_BAD_PARAM) {
        CHECK_EQ_INT(sl_emu_open_sockets(), 0);       /* refused before sl_Socket */
        CHECK_EQ_INT(mqtls_simplelink_last_code(&t), 0); /* nothing asked of the processor */
    }
    mqtls_simplelink_transport.close(&t);
    return st;
}

/* The configuration is not refused: it reached the processor (and failed at the port). */
static void check_reaches_processor(const mqtls_simplelink_cfg_t *c)
{
    mqtls_status_t st = try_connect(c);
    CHECK(st != MQTLS_ERR_UNSUPPORTED);
    CHECK(st != MQTLS_ERR_BAD_PARAM);
}

TEST(cc3200_lacks_are_refused)
{
    REQUIRE(sl_emu_reset(store, SL_EMU_CC3200) == 0);
    mqtls_simplelink_cfg_t c = cc3200();
    check_reaches_processor(&c);

    c = cc3200();
    c.alpn = 1; /* SL_SECURE_ALPN_H1 */
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_UNSUPPORTED);
    c = cc3200();
    c.disable_cert_store = true;
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_UNSUPPORTED);
    c = cc3200();
    c.cipher_mask = 1u << 16; /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (CC32xx bit 16) */
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_UNSUPPORTED);
    c = cc3200();
    c.cipher_mask = 1u << 9; /* TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: the CC3200's top bit */
    check_reaches_processor(&c);
}

/* The CC3200 SDK has the by-name options 30-32 too (TI's own CC3200 network layer, and
 * Paho's CC3200 port in the motivating case, name files so): names or ids, not both. */
TEST(cc3200_files_by_name_or_by_id)
{
    REQUIRE(sl_emu_reset(store, SL_EMU_CC3200) == 0);
    mqtls_simplelink_cfg_t c;
    memset(&c, 0, sizeof c);
    c.device = MQTLS_SL_CC3200;
    c.ca_file = "/cert/ca.der";
    c.cert_file = "/cert/client.der";
    c.key_file = "/cert/client.key";
    check_reaches_processor(&c);
    c.key_file = NULL; /* a certificate without its key */
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_BAD_PARAM);
    c = cc3200();
    c.ca_file = "/cert/ca.der"; /* names and ids at once: which one counts? */
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_BAD_PARAM);
}

TEST(cc3220_has_no_file_ids)
{
    REQUIRE(sl_emu_reset(store, SL_EMU_CC3220) == 0);
    mqtls_simplelink_cfg_t c;
    memset(&c, 0, sizeof c);
    c.device = MQTLS_SL_CC3220;
    c.secure_files[MQTLS_SL_FILE_CA] = 128;
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_UNSUPPORTED);
}

TEST(server_name_needs_the_sdks_option)
{
    REQUIRE(sl_emu_reset(store, SL_EMU_CC3200) == 0);
    mqtls_simplelink_cfg_t c = cc3200();
    c.server_name = "broker.example";
#ifdef MQTLS_SL_SDK_CC3200
    /* CC3200 SDK host driver 1.0.1.6: SO_SECURE_DOMAIN_NAME_VERIFICATION (35). */
    check_reaches_processor(&c);
#else
    /* A CC3200 under the CC32xx SDK: option 35 is STARTTLS there, 42 is not the CC3200's. */
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_UNSUPPORTED);
#endif
    c.server_name = ""; /* no name check, knowingly */
    check_reaches_processor(&c);
}

TEST(cc3220_needs_the_cc32xx_sdk)
{
    REQUIRE(sl_emu_reset(store, SL_EMU_CC3220) == 0);
    mqtls_simplelink_cfg_t c;
    memset(&c, 0, sizeof c);
    c.device = MQTLS_SL_CC3220;
    c.ca_file = "/cert/ca.der";
    c.alpn = 1;
#ifdef MQTLS_SL_SDK_CC3200
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_UNSUPPORTED);
#else
    check_reaches_processor(&c);
#endif
}

TEST(bad_settings_are_bad_params)
{
    REQUIRE(sl_emu_reset(store, SL_EMU_CC3200) == 0);
    mqtls_simplelink_cfg_t c = cc3200();
    c.keep = 0x04; /* no such MQTLS_SL_KEEP_* bit */
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_BAD_PARAM);
    c = cc3200();
    c.keep = MQTLS_SL_KEEP_DATE_ERROR | MQTLS_SL_KEEP_UNKNOWN_ROOT;
    check_reaches_processor(&c);
    c = cc3200();
    c.secure_files[MQTLS_SL_FILE_CA] = 0; /* no CA and not insecure */
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_BAD_PARAM);
    c.insecure = true;
    check_reaches_processor(&c);
    c.device = (mqtls_sl_device_t)7;
    CHECK_STATUS(try_connect(&c), MQTLS_ERR_BAD_PARAM);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    snprintf(store, sizeof store, "/tmp/mqtls-slcfg-%ld", (long)getpid());
    RUN(cc3200_lacks_are_refused);
    RUN(cc3200_files_by_name_or_by_id);
    RUN(cc3220_has_no_file_ids);
    RUN(server_name_needs_the_sdks_option);
    RUN(cc3220_needs_the_cc32xx_sdk);
    RUN(bad_settings_are_bad_params);
    (void)sl_emu_reset(store, SL_EMU_CC3220); /* closes what is open */
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", store);
    return test_main_end();
}
