/* The device profiles (src/diagnose/devices.c): found by name, every fact either with its
 * source or unknown (never a value without one), and the verdicts on keys and chain depth
 * that `mqtls doctor --device` gives. tests/cli/test_doctor_device.sh runs them against
 * mosquitto. */
#include <string.h>

#include "mqtls/diagnose.h"
#include "test.h"

TEST(profiles_by_name)
{
    static const char *const names[] = {"cc3220", "cc3200", "mbedtls-device", "openssl"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const mqtls_device_profile_t *p = mqtls_device_profile(names[i]);
        REQUIRE(p != NULL);
        CHECK_EQ_STR(p->name, names[i]);
        CHECK(mqtls_device_profile_at(i) == p);
    }
    CHECK(mqtls_device_profile("CC3220") == mqtls_device_profile("cc3220"));
    CHECK(mqtls_device_profile("cc3235") == NULL);
    CHECK(mqtls_device_profile(NULL) == NULL);
    CHECK(mqtls_device_profile_at(4) == NULL);
}

/* A fact is a value with its source, or neither ("unknown"). */
static void fact_ok(const mqtls_device_fact_t *f)
{
    CHECK((f->value == NULL) == (f->source == NULL));
}

TEST(every_fact_has_a_source_or_is_unknown)
{
    const mqtls_device_profile_t *p;
    for (size_t i = 0; (p = mqtls_device_profile_at(i)) != NULL; i++) {
        fact_ok(&p->versions);
        fact_ok(&p->suites_fact);
        fact_ok(&p->keys);
        fact_ok(&p->formats);
        fact_ok(&p->depth);
        fact_ok(&p->trust);
        fact_ok(&p->sni);
        fact_ok(&p->alpn_fact);
        fact_ok(&p->sizes);
        CHECK(p->versions.value != NULL && p->trust.value != NULL);
        /* Unknown key facts give unknown limits, and the reverse. */
        CHECK((p->keys.value == NULL) == (p->rsa_min < 0));
        CHECK((p->depth.value == NULL) == (p->max_intermediates < 0));
        CHECK((p->sizes.value == NULL) == (p->max_cert_msg < 0));
    }
    /* TI publishes neither key sizes nor a chain depth for the CC32xx that we found. */
    CHECK(mqtls_device_profile("cc3220")->keys.value == NULL);
    CHECK(mqtls_device_profile("cc3200")->depth.value == NULL);
    /* Only the CC3220 has a catalog; the CC3200 has no ALPN and no AES-GCM. */
    CHECK(mqtls_device_profile("cc3220")->catalog);
    CHECK(!mqtls_device_profile("cc3200")->catalog);
    CHECK(!mqtls_device_profile("cc3200")->alpn);
    CHECK(strstr(mqtls_device_profile("cc3200")->suites, "GCM") == NULL);
    CHECK(strstr(mqtls_device_profile("cc3220")->suites, "GCM") != NULL);
    CHECK(strstr(mqtls_device_profile("cc3220")->suites, "RC4") == NULL); /* not offerable */
}

TEST(key_verdicts)
{
    const mqtls_device_profile_t *o = mqtls_device_profile("openssl");
    const mqtls_device_profile_t *m = mqtls_device_profile("mbedtls-device");
    const mqtls_device_profile_t *ti = mqtls_device_profile("cc3220");
    const char *why = NULL;
    CHECK_EQ_INT(mqtls_device_key_verdict(o, "RSA 1024", 1024, &why), MQTLS_DEVICE_REFUSES);
    CHECK(why && *why);
    CHECK_EQ_INT(mqtls_device_key_verdict(o, "RSA 2048", 2048, NULL), MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_key_verdict(o, "EC P-192", 192, NULL), MQTLS_DEVICE_REFUSES);
    CHECK_EQ_INT(mqtls_device_key_verdict(o, "EC P-224", 224, NULL), MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_key_verdict(o, "Ed25519", 256, NULL), MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_key_verdict(m, "Ed25519", 256, NULL), MQTLS_DEVICE_REFUSES);
    CHECK_EQ_INT(mqtls_device_key_verdict(m, "RSA 1024", 1024, NULL), MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_key_verdict(m, "RSA 16384", 16384, NULL), MQTLS_DEVICE_REFUSES);
    CHECK_EQ_INT(mqtls_device_key_verdict(m, "EC P-384", 384, NULL), MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_key_verdict(m, "EC P-38", 384, NULL), MQTLS_DEVICE_REFUSES);
    CHECK_EQ_INT(mqtls_device_key_verdict(m, "Ed448", 448, NULL), MQTLS_DEVICE_UNKNOWN);
    CHECK_EQ_INT(mqtls_device_key_verdict(ti, "RSA 4096", 4096, NULL), MQTLS_DEVICE_UNKNOWN);
    CHECK_EQ_INT(mqtls_device_key_verdict(ti, "EC P-384", 384, NULL), MQTLS_DEVICE_UNKNOWN);
    CHECK_EQ_INT(mqtls_device_key_verdict(ti, "Ed25519", 256, NULL), MQTLS_DEVICE_UNKNOWN);
    CHECK_EQ_INT(mqtls_device_key_verdict(NULL, "RSA 2048", 2048, NULL), MQTLS_DEVICE_UNKNOWN);
}

TEST(depth_verdicts)
{
    const mqtls_device_profile_t *m = mqtls_device_profile("mbedtls-device");
    CHECK_EQ_INT(mqtls_device_depth_verdict(m, 8), MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_depth_verdict(m, 9), MQTLS_DEVICE_REFUSES);
    CHECK_EQ_INT(mqtls_device_depth_verdict(mqtls_device_profile("openssl"), 100),
                 MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_depth_verdict(mqtls_device_profile("cc3220"), 1),
                 MQTLS_DEVICE_UNKNOWN);
    CHECK_EQ_INT(mqtls_device_depth_verdict(m, -1), MQTLS_DEVICE_UNKNOWN);
}

/* The server's Certificate message against what the device takes in (Mbed TLS's device
 * configuration: one 4,096-byte input buffer). */
TEST(cert_msg_verdicts)
{
    const mqtls_device_profile_t *m = mqtls_device_profile("mbedtls-device");
    CHECK_EQ_INT(mqtls_device_cert_msg_verdict(m, 4096), MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_cert_msg_verdict(m, 4097), MQTLS_DEVICE_REFUSES);
    CHECK_EQ_INT(mqtls_device_cert_msg_verdict(mqtls_device_profile("openssl"), 9000),
                 MQTLS_DEVICE_TAKES);
    CHECK_EQ_INT(mqtls_device_cert_msg_verdict(mqtls_device_profile("cc3200"), 100),
                 MQTLS_DEVICE_UNKNOWN);
    CHECK_EQ_INT(mqtls_device_cert_msg_verdict(m, -1), MQTLS_DEVICE_UNKNOWN);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(profiles_by_name);
    RUN(cert_msg_verdicts);
    RUN(every_fact_has_a_source_or_is_unknown);
    RUN(key_verdicts);
    RUN(depth_verdicts);
    return test_main_end();
}
