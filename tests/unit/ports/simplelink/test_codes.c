/**
 * @file test_codes.c
 * @brief The SimpleLink code tables (ports/simplelink/simplelink_codes*.c): one table per
 *        chip, so the same number is explained by the chip's own SDK (-222, -290, -456,
 *        -468, DNS ...); unknown codes by the chip's ranges; every entry complete; the
 *        "connected, but" codes say what was not verified and what the choice is.
 *
 * Built twice (tests/CMakeLists.txt): as is, and with MQTLS_CFG_TEXT=0, where the texts and
 * names are compiled out and the statuses and cause ids must stay.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mqtls/diagnose.h"
#include "simplelink_codes.h"
#include "test.h"

#define C3200 MQTLS_SL_CC3200
#define C3220 MQTLS_SL_CC3220

static mqtls_simplelink_explanation_t ex(mqtls_sl_device_t chip, int code)
{
    return mqtls_simplelink_explain(chip, code);
}

/* @p text holds @p part (only checked when the texts are compiled in). */
static bool says(const char *text, const char *part)
{
    if (!MQTLS_CFG_TEXT)
        return true;
    if (strstr(text, part) != NULL)
        return true;
    test_note("'%s' not in: %s", part, text);
    return false;
}

static bool lacks(const char *text, const char *part)
{
    if (!MQTLS_CFG_TEXT || strstr(text, part) == NULL)
        return true;
    test_note("'%s' should not be in: %s", part, text);
    return false;
}

/* TI's name of @p code on @p chip, prefix and rest joined; "" if none. */
static const char *name_of(mqtls_sl_device_t chip, int code)
{
    static char buf[96];
    const char *prefix;
    const char *rest = mqtls__sl_code_name(chip, mqtls__sl_code_find(chip, code), &prefix);
    snprintf(buf, sizeof buf, "%s%s", rest ? prefix : "", rest ? rest : "");
    return buf;
}

TEST(tls_library_codes_are_the_chips_own)
{
    /* -222: the CC3200's domain-name mismatch; the CC32xx SDK has it as -722. */
    CHECK_STATUS(ex(C3200, -222).status, MQTLS_ERR_TLS_VERIFY);
    CHECK_EQ_STR(ex(C3200, -222).cause, "tls.hostname_mismatch");
    CHECK_EQ_STR(ex(C3220, -722).cause, "tls.hostname_mismatch");
    CHECK(ex(C3220, -222).status != MQTLS_ERR_TLS_VERIFY);
    CHECK(ex(C3200, -722).status != MQTLS_ERR_TLS_VERIFY);
    /* -290/-291 and -790/-791: suites; only a CC3220 is told to allow AES-GCM. */
    CHECK_EQ_STR(ex(C3200, -290).cause, "tls.no_common_cipher");
    CHECK_EQ_STR(ex(C3200, -291).cause, "tls.no_common_cipher");
    CHECK(lacks(ex(C3200, -290).text, "allow ECDHE with AES-GCM"));
    CHECK(says(ex(C3200, -290).text, "no AES-GCM"));
    CHECK(says(ex(C3220, -790).text, "allow ECDHE with AES-GCM"));
    CHECK_STATUS(ex(C3220, -290).status, MQTLS_ERR_IO);
    CHECK_STATUS(ex(C3200, -790).status, MQTLS_ERR_IO);
    /* Dates: -150/-151 against -650/-651. */
    CHECK_EQ_STR(ex(C3200, -151).cause, "tls.server_cert_expired");
    CHECK_EQ_STR(ex(C3220, -651).cause, "tls.server_cert_expired");
    CHECK_EQ_STR(ex(C3200, -150).cause, "tls.server_cert_not_yet_valid");
    CHECK(says(ex(C3200, -150).text, "sl_DevSet"));
    CHECK(says(ex(C3220, -650).text, "sl_DeviceSet"));
    /* The chain not signed by the CA file: -155 (CC3200), -655 and -688 (CC3220). */
    CHECK_EQ_STR(ex(C3200, -155).cause, "tls.server_untrusted_root");
    CHECK_EQ_STR(ex(C3220, -655).cause, "tls.server_untrusted_root");
    CHECK_EQ_STR(ex(C3220, -688).cause, "tls.server_untrusted_root");
    CHECK_STATUS(ex(C3220, -155).status, MQTLS_ERR_IO);
    CHECK_STATUS(ex(C3200, -688).status, MQTLS_ERR_IO);
}

TEST(trust_codes_follow_the_chips_trust_model)
{
    /* -468 exists on the CC32xx SDK only: the catalog. */
    mqtls_simplelink_explanation_t e = ex(C3220, -468);
    CHECK(e.connected);
    CHECK_EQ_STR(e.cause, "device.root_not_in_catalog");
    CHECK(says(e.text, "the root is not in the device's trusted-root catalog: flash the SDK's "
                       "real certificate catalog"));
    e = ex(C3200, -468);
    CHECK(!e.connected);
    CHECK(says(e.text, "not a CC3200 code"));
    CHECK(lacks(e.text, "catalog:"));
    /* -456: the CA file by id on a CC3200, a DER/PEM file by name on a CC3220. */
    e = ex(C3200, -456);
    CHECK_STATUS(e.status, MQTLS_ERR_TLS_CREDENTIALS);
    CHECK(says(e.text, "given by id"));
    CHECK(says(e.text, "not DER"));
    e = ex(C3220, -456);
    CHECK_STATUS(e.status, MQTLS_ERR_TLS_CREDENTIALS);
    CHECK(says(e.text, "DER or PEM"));
    CHECK(lacks(e.text, "given by id"));
}

TEST(dns_and_file_codes_are_the_chips_own)
{
    CHECK_STATUS(ex(C3200, -159).status, MQTLS_ERR_DNS);
    CHECK_STATUS(ex(C3200, -163).status, MQTLS_ERR_DNS);
    CHECK(says(ex(C3200, -159).text, "sl_Connect")); /* the number TLS shares */
    CHECK_STATUS(ex(C3220, -6154).status, MQTLS_ERR_DNS);
    CHECK_STATUS(ex(C3220, -6150).status, MQTLS_ERR_DNS);
    CHECK(ex(C3220, -163).status != MQTLS_ERR_DNS);
    CHECK(ex(C3200, -6154).status != MQTLS_ERR_DNS);
    /* File codes: CC3200 -17/-3/-11, CC3220 -10335/-10349/-10341. */
    CHECK_EQ_STR(name_of(C3200, -17), MQTLS_CFG_TEXT ? "SL_FS_ERR_INVALID_HANDLE" : "");
    CHECK_EQ_STR(name_of(C3220, -10335), MQTLS_CFG_TEXT ? "SL_ERROR_FS_INVALID_HANDLE" : "");
    CHECK_EQ_STR(name_of(C3220, -10349), MQTLS_CFG_TEXT ? "SL_ERROR_FS_INVALID_MAGIC_NUM" : "");
    CHECK_EQ_STR(name_of(C3200, -3), MQTLS_CFG_TEXT ? "SL_FS_ERR_INVALID_MAGIC_NUM" : "");
    CHECK(says(ex(C3200, -11).text, "sl_FsOpen")); /* SL_EAGAIN and FILE_NOT_EXISTS */
    CHECK(lacks(ex(C3220, -11).text, "sl_FsOpen"));
    CHECK_STATUS(ex(C3200, -11).status, MQTLS_IN_PROGRESS);
    CHECK_STATUS(ex(C3220, -10341).status, MQTLS_ERR_TLS_CREDENTIALS);
}

TEST(names_follow_each_sdk)
{
    if (!MQTLS_CFG_TEXT)
        return;
    CHECK_EQ_STR(name_of(C3200, -450), "SL_ESECGENERAL");
    CHECK_EQ_STR(name_of(C3220, -450), "SL_ERROR_BSD_ESECGENERAL");
    CHECK_EQ_STR(name_of(C3200, -114), "SL_EALREADY");
    CHECK_EQ_STR(name_of(C3220, -114), "SL_ERROR_BSD_EALREADY");
    CHECK_EQ_STR(name_of(C3200, -460), "SL_ESECT00MANYSSLOPENED");
    CHECK_EQ_STR(name_of(C3200, -348), "SL_ESEC_UNKNOWN_CA");
    CHECK_EQ_STR(name_of(C3220, -348), ""); /* errors.h names no -348 */
    CHECK_EQ_STR(name_of(C3220, -351), "SL_ERROR_BSD_ESEC_DECRYPT_ERROR1");
    CHECK_EQ_STR(name_of(C3200, -351), "SL_ESEC_DECRYPT_ERROR");
    CHECK_EQ_STR(name_of(C3220, -468), "SL_ERROR_BSD_ESECUNKNOWNROOTCA");
    CHECK_EQ_STR(name_of(C3200, -222), "SL_ESEC_DOMAIN_NAME_MISMATCH");
    CHECK_EQ_STR(name_of(C3220, -100), ""); /* no entry */
}

TEST(unknown_codes_by_the_chips_ranges)
{
    CHECK_STATUS(ex(C3200, -347).status, MQTLS_ERR_TLS_ALERT); /* -(300 + 47), both */
    CHECK_STATUS(ex(C3220, -347).status, MQTLS_ERR_TLS_ALERT);
    CHECK_STATUS(ex(C3200, -135).status, MQTLS_ERR_TLS_HANDSHAKE); /* TLS library */
    CHECK(says(ex(C3200, -172).text, "netapp.h"));                 /* shared with DNS */
    CHECK_STATUS(ex(C3200, -465).status, MQTLS_ERR_TLS_HANDSHAKE);
    CHECK(says(ex(C3200, -465).text, "not a CC3200 code"));
    CHECK_STATUS(ex(C3220, -465).status, MQTLS_ERR_STATE);         /* a CC3220 entry */
    CHECK_STATUS(ex(C3220, -6160).status, MQTLS_ERR_DNS);
    CHECK_STATUS(ex(C3220, -6147).status, MQTLS_ERR_IO); /* device name, not DNS */
    CHECK_STATUS(ex(C3220, -10300).status, MQTLS_ERR_TLS_CREDENTIALS);
    CHECK_STATUS(ex(C3220, -699).status, MQTLS_ERR_TLS_HANDSHAKE);
    CHECK_STATUS(ex(C3200, -699).status, MQTLS_ERR_IO);
    CHECK_STATUS(ex(C3200, -30000).status, MQTLS_ERR_IO);
    CHECK_STATUS(ex(C3200, 0).status, MQTLS_OK);
    CHECK_STATUS(ex(C3220, 12).status, MQTLS_OK);
    CHECK_STATUS(ex((mqtls_sl_device_t)7, -468).status, MQTLS_ERR_BAD_PARAM);
    CHECK(mqtls__sl_code_at((mqtls_sl_device_t)7, 0) == NULL);
    CHECK(mqtls__sl_code_find((mqtls_sl_device_t)7, -450) == NULL);
}

/* One entry of @p chip checked on its own and against explain(). */
static void check_entry(mqtls_sl_device_t chip, const mqtls__sl_code_t *e)
{
    mqtls_simplelink_explanation_t x = ex(chip, e->code);
    if (!CHECK(e->code < 0 && e->status != MQTLS_OK && e->cause != NULL))
        test_note("chip %d, code %d", (int)chip, e->code);
    CHECK(x.text != NULL && x.text[0] != '\0');
    CHECK(MQTLS_CFG_TEXT ? e->text[0] != '\0' : strstr(x.text, "compiled out") != NULL);
    if (e->cause[0] && !CHECK(mqtls_cause_by_id(e->cause) != MQTLS_CAUSE_NONE))
        test_note("code %d names the unknown cause '%s'", e->code, e->cause);
    CHECK(mqtls__sl_code_find(chip, e->code) == e); /* no second entry hides it */
    CHECK_STATUS(x.status, (mqtls_status_t)e->status);
    CHECK(x.connected == ((e->flags & MQTLS__SL_CONNECTED) != 0));
    if (chip == C3200 && !CHECK(lacks(e->text, "AES-GCM in") && lacks(e->text, "sl_DeviceSet")))
        test_note("CC3200 code %d gives CC3220 advice", e->code);
    if (chip == C3220 && !CHECK(lacks(e->text, "sl_DevSet") && lacks(e->text, "slot [2]")))
        test_note("CC3220 code %d gives CC3200 advice", e->code);
    const char *prefix;
    bool unnamed = e->code == -416 || e->code == -420 ||
                   (chip == C3220 && (e->flags & MQTLS__SL_NO_CC3220_NAME));
    if (MQTLS_CFG_TEXT && !unnamed && !CHECK(mqtls__sl_code_name(chip, e, &prefix) != NULL))
        test_note("code %d has no TI name", e->code);
}

TEST(every_entry_has_a_status_a_text_and_a_known_cause)
{
    const mqtls_sl_device_t chips[] = {C3200, C3220};
    for (size_t c = 0; c < 2; c++) {
        size_t n = 0;
        for (const mqtls__sl_code_t *e; (e = mqtls__sl_code_at(chips[c], n)) != NULL; n++)
            check_entry(chips[c], e);
        CHECK(n > 40);
    }
    CHECK(mqtls__sl_code_at(C3200, 0) == &mqtls__sl_codes_cc3200[0]);
    CHECK(mqtls__sl_code_at(C3220, mqtls__sl_codes_cc3220_n - 1) ==
          &mqtls__sl_codes_cc3220[mqtls__sl_codes_cc3220_n - 1]);
}

TEST(connected_but_codes_say_what_and_the_choice)
{
    /* Exactly TI's four "connected, but" codes (-467/-468 on the CC3220 only). */
    for (int code = -1; code >= -11000; code--) {
        bool want3200 = code == -453 || code == -461;
        bool want3220 = want3200 || code == -467 || code == -468;
        if (!CHECK(ex(C3200, code).connected == want3200) ||
            !CHECK(ex(C3220, code).connected == want3220))
            test_note("code %d", code);
    }
    const mqtls_sl_device_t chips[] = {C3200, C3220};
    for (size_t c = 0; c < 2; c++) {
        const char *t453 = ex(chips[c], -453).text, *t461 = ex(chips[c], -461).text;
        CHECK(says(t453, "NOT verified") && says(t453, "mqtls closes") &&
              says(t453, "'insecure'") && says(t453, "never in production"));
        CHECK(says(t461, "dates were NOT verified") && says(t461, "mqtls closes") &&
              says(t461, "MQTLS_SL_KEEP_DATE_ERROR") && says(t461, "is then accepted"));
    }
    const char *t467 = ex(C3220, -467).text, *t468 = ex(C3220, -468).text;
    CHECK(says(t467, "REVOKED") && says(t467, "no setting keeps it") && says(t467, "impostor"));
    CHECK(says(t468, "mqtls closes") && says(t468, "MQTLS_SL_KEEP_UNKNOWN_ROOT") &&
          says(t468, "CA file alone"));
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(tls_library_codes_are_the_chips_own);
    RUN(trust_codes_follow_the_chips_trust_model);
    RUN(dns_and_file_codes_are_the_chips_own);
    RUN(names_follow_each_sdk);
    RUN(unknown_codes_by_the_chips_ranges);
    RUN(every_entry_has_a_status_a_text_and_a_known_cause);
    RUN(connected_but_codes_say_what_and_the_choice);
    return test_main_end();
}
