/**
 * @file test_interop.c
 * @brief mqtls against the reference command-line clients (mosquitto_sub, mosquitto_pub
 *        2.0.11) through a real mosquitto, MQTT 3.1.1 and 5.0, QoS 0/1/2.
 *
 *  - mqtls publishes, `mosquitto_sub -C N -W T -v` prints exactly the payloads;
 *  - `mosquitto_pub` (each QoS, -r, -n, -f with binary data) reaches an mqtls subscriber;
 *  - 5.0 properties set by `mosquitto_pub -D publish ...` arrive in mqtls's event
 *    properties, and those set by mqtls are printed by `mosquitto_sub -F` (%C %R %D %E %F
 *    %P: content type, response topic, correlation data, message expiry, payload format,
 *    user properties as "key:value" separated by spaces).
 *
 * mosquitto_sub has subscribed once the broker logs "Sending SUBACK to <id>" (the broker
 * runs with log_type all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "integ_client.h"
#include "test.h"

#define CHILD_WAIT_MS 10000u

static test_broker_t broker;
static char port_s[16];
static bool have_tools;

static const char *vname(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "v5" : "v311";
}

static const char *varg(mqtls_version_t v)
{
    return v == MQTLS_V5 ? "5" : "311";
}

static int make(ic_client_t *c, mqtls_version_t v, const char *role)
{
    char id[64];
    ic_setup_t s = {0};
    snprintf(id, sizeof id, "io-%s-%s", role, vname(v));
    s.version = v;
    s.client_id = id;
    s.port = broker.port;
    return ic_init(c, &s);
}

/* Starts mosquitto_sub with the given extra arguments (NULL-terminated) and waits until the
 * broker has acknowledged its subscription. */
static bool start_sub(ic_proc_t *p, mqtls_version_t v, const char *id, const char *qos,
                      const char *topic, const char *count, const char *fmt)
{
    char *argv[32];
    int n = 0;
    char needle[128];
    argv[n++] = "mosquitto_sub";
    argv[n++] = "-h";
    argv[n++] = "127.0.0.1";
    argv[n++] = "-p";
    argv[n++] = port_s;
    argv[n++] = "-V";
    argv[n++] = (char *)varg(v);
    argv[n++] = "-i";
    argv[n++] = (char *)id;
    argv[n++] = "-q";
    argv[n++] = (char *)qos;
    argv[n++] = "-t";
    argv[n++] = (char *)topic;
    argv[n++] = "-C";
    argv[n++] = (char *)count;
    argv[n++] = "-W";
    argv[n++] = "10";
    if (fmt != NULL) {
        argv[n++] = "-F";
        argv[n++] = (char *)fmt;
    } else {
        argv[n++] = "-v";
    }
    argv[n] = NULL;
    if (ic_spawn(p, argv, NULL) != 0) {
        return false;
    }
    snprintf(needle, sizeof needle, "Sending SUBACK to %s\n", id);
    if (!ic_log_wait(&broker, needle, 1, IC_WAIT_MS)) {
        printf("     mosquitto_sub %s did not subscribe\n", id);
        return false;
    }
    return true;
}

/* Runs mosquitto_pub with @p args (NULL-terminated, after the connection arguments) and
 * waits for it. @return its exit code. */
static int run_pub(mqtls_version_t v, char *const *args)
{
    char *argv[48];
    int n = 0;
    ic_proc_t p;
    argv[n++] = "mosquitto_pub";
    argv[n++] = "-h";
    argv[n++] = "127.0.0.1";
    argv[n++] = "-p";
    argv[n++] = port_s;
    argv[n++] = "-V";
    argv[n++] = (char *)varg(v);
    while (*args != NULL && n < 47) {
        argv[n++] = *args++;
    }
    argv[n] = NULL;
    if (ic_spawn(&p, argv, NULL) != 0) {
        return -1;
    }
    int rc = ic_proc_wait(&p, CHILD_WAIT_MS);
    ic_proc_free(&p);
    return rc;
}

/* mqtls publishes N messages at each QoS; mosquitto_sub -v prints exactly them. */
static void mqtls_to_mosquitto_sub(mqtls_version_t v)
{
    ic_client_t pub;
    if (!have_tools) {
        SKIP("mosquitto_sub/mosquitto_pub not installed");
    }
    REQUIRE(make(&pub, v, "pub") == 0);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    for (int q = 0; q <= 2; q++) {
        ic_proc_t p;
        char id[64], topic[64], qs[4], payload[64], expect[1024] = "";
        const int n = 5;
        snprintf(id, sizeof id, "msub-%s-q%d", vname(v), q);
        snprintf(topic, sizeof topic, "im/%s/q%d", vname(v), q);
        snprintf(qs, sizeof qs, "%d", q);
        if (!CHECK(start_sub(&p, v, id, qs, topic, "5", NULL))) {
            ic_proc_free(&p);
            continue;
        }
        for (int i = 0; i < n; i++) {
            snprintf(payload, sizeof payload, "from mqtls q%d #%d", q, i);
            CHECK_STATUS(ic_publish(&pub, topic, payload, (uint8_t)q, false), MQTLS_OK);
            size_t len = strlen(expect);
            snprintf(expect + len, sizeof expect - len, "%s %s\n", topic, payload);
        }
        CHECK_EQ_INT(ic_proc_wait(&p, CHILD_WAIT_MS), 0);
        CHECK_EQ_STR(p.out, expect);
        ic_proc_free(&p);
    }
    ic_free(&pub);
}

TEST(mqtls_to_mosquitto_sub_311)
{
    mqtls_to_mosquitto_sub(MQTLS_V311);
}

TEST(mqtls_to_mosquitto_sub_5)
{
    mqtls_to_mosquitto_sub(MQTLS_V5);
}

/* A retained QoS 1 message from mqtls reaches a later mosquitto_sub with QoS 1 and the
 * retain flag. */
static void mqtls_retained_to_mosquitto_sub(mqtls_version_t v)
{
    ic_client_t pub;
    ic_proc_t p;
    char id[64], topic[64], expect[128];
    if (!have_tools) {
        SKIP("mosquitto_sub/mosquitto_pub not installed");
    }
    REQUIRE(make(&pub, v, "rpub") == 0);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    snprintf(id, sizeof id, "msub-%s-ret", vname(v));
    snprintf(topic, sizeof topic, "im/%s/retained", vname(v));
    CHECK_STATUS(ic_publish(&pub, topic, "kept value", 1, true), MQTLS_OK);
    if (CHECK(start_sub(&p, v, id, "2", topic, "1", "%t %q %r %p"))) {
        snprintf(expect, sizeof expect, "%s 1 1 kept value\n", topic);
        CHECK_EQ_INT(ic_proc_wait(&p, CHILD_WAIT_MS), 0);
        CHECK_EQ_STR(p.out, expect);
    }
    ic_proc_free(&p);
    CHECK_STATUS(ic_publish(&pub, topic, "", 1, true), MQTLS_OK);
    ic_free(&pub);
}

TEST(mqtls_retained_to_mosquitto_sub_311)
{
    mqtls_retained_to_mosquitto_sub(MQTLS_V311);
}

TEST(mqtls_retained_to_mosquitto_sub_5)
{
    mqtls_retained_to_mosquitto_sub(MQTLS_V5);
}

/* mosquitto_pub at each QoS, a binary file payload, and a retained message (set, then
 * cleared with -n) reach mqtls subscribers. */
static void mosquitto_pub_to_mqtls(mqtls_version_t v)
{
    ic_client_t sub, late, later;
    char filter[64], topic[64], qs[4], payload[64], retopic[64];
    char path[] = "/tmp/mqtls-interop-XXXXXX";
    uint8_t bin[3000];
    if (!have_tools) {
        SKIP("mosquitto_sub/mosquitto_pub not installed");
    }
    REQUIRE(make(&sub, v, "sub") == 0);
    REQUIRE(make(&late, v, "late") == 0);
    REQUIRE(make(&later, v, "later") == 0);
    ic_client_t *all[] = {&sub, &late, &later};
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    snprintf(filter, sizeof filter, "mp/%s/#", vname(v));
    CHECK_STATUS(ic_subscribe(&sub, filter, 2), MQTLS_OK);

    for (int q = 0; q <= 2; q++) {
        snprintf(topic, sizeof topic, "mp/%s/q%d", vname(v), q);
        snprintf(qs, sizeof qs, "%d", q);
        snprintf(payload, sizeof payload, "from mosquitto_pub q%d", q);
        char *args[] = {"-q", qs, "-t", topic, "-m", payload, NULL};
        CHECK_EQ_INT(run_pub(v, args), 0);
    }
    /* Binary data through -f. */
    for (size_t i = 0; i < sizeof bin; i++) {
        bin[i] = (uint8_t)(i * 31u + 7u);
    }
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    CHECK(write(fd, bin, sizeof bin) == (ssize_t)sizeof bin);
    close(fd);
    snprintf(topic, sizeof topic, "mp/%s/bin", vname(v));
    char *bargs[] = {"-q", "1", "-t", topic, "-f", path, NULL};
    CHECK_EQ_INT(run_pub(v, bargs), 0);
    unlink(path);

    CHECK(ic_wait_msgs(all, 3, &sub, 4, IC_WAIT_MS));
    ic_run(all, 3, 100);
    CHECK_EQ_INT(sub.nmsgs, 4);
    for (int q = 0; q <= 2; q++) {
        snprintf(topic, sizeof topic, "mp/%s/q%d", vname(v), q);
        snprintf(payload, sizeof payload, "from mosquitto_pub q%d", q);
        CHECK_EQ_INT(ic_count(&sub, topic, payload), 1);
        const ic_msg_t *m = ic_find(&sub, topic, payload);
        if (CHECK(m != NULL)) {
            CHECK_EQ_INT(m->qos, q);
            CHECK(!m->retain);
        }
    }
    snprintf(topic, sizeof topic, "mp/%s/bin", vname(v));
    const ic_msg_t *m = ic_find(&sub, topic, NULL);
    if (CHECK(m != NULL)) {
        CHECK_EQ_INT(m->len, sizeof bin);
        CHECK_EQ_MEM(m->payload, bin, sizeof bin);
        CHECK_EQ_INT(m->qos, 1);
    }

    /* -r: a later subscriber gets it with the retain flag; -r -n clears it. */
    snprintf(retopic, sizeof retopic, "mpr/%s/status", vname(v));
    char *rargs[] = {"-q", "1", "-r", "-t", retopic, "-m", "retained by mosquitto_pub", NULL};
    CHECK_EQ_INT(run_pub(v, rargs), 0);
    REQUIRE_STATUS(ic_connect(&late), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&late, retopic, 2), MQTLS_OK);
    CHECK(ic_wait_msgs(all, 3, &late, 1, IC_WAIT_MS));
    m = ic_find(&late, retopic, "retained by mosquitto_pub");
    if (CHECK(m != NULL)) {
        CHECK(m->retain);
        CHECK_EQ_INT(m->qos, 1);
    }
    char *cargs[] = {"-q", "1", "-r", "-n", "-t", retopic, NULL};
    CHECK_EQ_INT(run_pub(v, cargs), 0);
    REQUIRE_STATUS(ic_connect(&later), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&later, retopic, 2), MQTLS_OK);
    /* A message published after the SUBACK comes after any retained one. */
    char *margs[] = {"-q", "1", "-t", retopic, "-m", "marker", NULL};
    CHECK_EQ_INT(run_pub(v, margs), 0);
    CHECK(ic_wait_msgs(all, 3, &later, 1, IC_WAIT_MS));
    CHECK_EQ_INT(later.nmsgs, 1);
    CHECK_EQ_INT(ic_count(&later, retopic, "marker"), 1);
    ic_free(&sub);
    ic_free(&late);
    ic_free(&later);
}

TEST(mosquitto_pub_to_mqtls_311)
{
    mosquitto_pub_to_mqtls(MQTLS_V311);
}

TEST(mosquitto_pub_to_mqtls_5)
{
    mosquitto_pub_to_mqtls(MQTLS_V5);
}

/* Properties set with mosquitto_pub -D arrive in the event's props. */
TEST(mosquitto_pub_properties_to_mqtls_5)
{
    ic_client_t sub;
    if (!have_tools) {
        SKIP("mosquitto_sub/mosquitto_pub not installed");
    }
    REQUIRE(make(&sub, MQTLS_V5, "psub") == 0);
    ic_client_t *one[] = {&sub};
    REQUIRE_STATUS(ic_connect(&sub), MQTLS_OK);
    CHECK_STATUS(ic_subscribe(&sub, "mprop/t", 1), MQTLS_OK);
    char *args[] = {"-q", "1", "-t", "mprop/t", "-m", "with props",
                    "-D", "publish", "user-property", "k1", "v1",
                    "-D", "publish", "user-property", "k2", "second value",
                    "-D", "publish", "content-type", "text/plain",
                    "-D", "publish", "response-topic", "mprop/reply",
                    "-D", "publish", "correlation-data", "corr-42",
                    "-D", "publish", "message-expiry-interval", "60",
                    "-D", "publish", "payload-format-indicator", "1",
                    NULL};
    CHECK_EQ_INT(run_pub(MQTLS_V5, args), 0);
    CHECK(ic_wait_msgs(one, 1, &sub, 1, IC_WAIT_MS));
    const ic_msg_t *m = ic_find(&sub, "mprop/t", "with props");
    REQUIRE(m != NULL);
    REQUIRE_EQ_INT(m->user_count, 2);
    CHECK_EQ_STR(m->user_key[0], "k1");
    CHECK_EQ_STR(m->user_value[0], "v1");
    CHECK_EQ_STR(m->user_key[1], "k2");
    CHECK_EQ_STR(m->user_value[1], "second value");
    CHECK(m->present & MQTLS_PROPBIT(MQTLS_PROP_USER_PROPERTY));
    CHECK(m->present & MQTLS_PROPBIT(MQTLS_PROP_CONTENT_TYPE));
    CHECK_EQ_STR(m->content_type, "text/plain");
    CHECK(m->present & MQTLS_PROPBIT(MQTLS_PROP_RESPONSE_TOPIC));
    CHECK_EQ_STR(m->response_topic, "mprop/reply");
    CHECK(m->present & MQTLS_PROPBIT(MQTLS_PROP_CORRELATION_DATA));
    CHECK_EQ_INT(m->correlation_len, 7);
    CHECK_EQ_MEM(m->correlation, "corr-42", 7);
    CHECK(m->present & MQTLS_PROPBIT(MQTLS_PROP_MESSAGE_EXPIRY));
    CHECK(m->message_expiry >= 58 && m->message_expiry <= 60); /* what is left of it */
    CHECK(m->present & MQTLS_PROPBIT(MQTLS_PROP_PAYLOAD_FORMAT));
    CHECK_EQ_INT(m->payload_format, 1);
    ic_free(&sub);
}

/* Properties set by mqtls are printed by mosquitto_sub -F. */
TEST(mqtls_properties_to_mosquitto_sub_5)
{
    ic_client_t pub;
    ic_proc_t p;
    static const mqtls_user_prop_t up[] = {{{"k1", 2}, {"v1", 2}}, {{"k2", 2}, {"v2", 2}}};
    static const uint8_t corr[] = "corr-7";
    if (!have_tools) {
        SKIP("mosquitto_sub/mosquitto_pub not installed");
    }
    REQUIRE(make(&pub, MQTLS_V5, "ppub") == 0);
    REQUIRE_STATUS(ic_connect(&pub), MQTLS_OK);
    REQUIRE(start_sub(&p, MQTLS_V5, "msub-props", "1", "iprop/t", "1",
                      "%t|%q|%C|%R|%D|%E|%F|%P|%p"));
    mqtls_publish_t m;
    memset(&m, 0, sizeof m);
    m.topic = mqtls_str("iprop/t");
    m.payload = (const uint8_t *)"payload";
    m.payload_len = 7;
    m.qos = 1;
    m.props.present = MQTLS_PROPBIT(MQTLS_PROP_CONTENT_TYPE) |
                      MQTLS_PROPBIT(MQTLS_PROP_RESPONSE_TOPIC) |
                      MQTLS_PROPBIT(MQTLS_PROP_CORRELATION_DATA) |
                      MQTLS_PROPBIT(MQTLS_PROP_MESSAGE_EXPIRY) |
                      MQTLS_PROPBIT(MQTLS_PROP_PAYLOAD_FORMAT);
    m.props.content_type = mqtls_str("application/x-test");
    m.props.response_topic = mqtls_str("iprop/reply");
    m.props.correlation_data.data = corr;
    m.props.correlation_data.len = 6;
    m.props.message_expiry = 120;
    m.props.payload_format = 1;
    m.props.user = up;
    m.props.user_count = 2;
    CHECK_STATUS(mqtls_sync_publish(&pub.cli, &m, IC_WAIT_MS), MQTLS_OK);
    CHECK_EQ_INT(ic_proc_wait(&p, CHILD_WAIT_MS), 0);
    /* The expiry printed is what is left when the broker forwards it: 120, or 119 if a
     * second boundary passed. */
    const char *e120 = "iprop/t|1|application/x-test|iprop/reply|corr-7|120|1|k1:v1 k2:v2|payload\n";
    const char *e119 = "iprop/t|1|application/x-test|iprop/reply|corr-7|119|1|k1:v1 k2:v2|payload\n";
    if (strcmp(p.out, e119) != 0) {
        CHECK_EQ_STR(p.out, e120);
    }
    ic_proc_free(&p);
    ic_free(&pub);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    have_tools = ic_have_program("mosquitto_sub") && ic_have_program("mosquitto_pub");
    if (test_broker_start(&broker, "log_type all") != 0) {
        printf("cannot start mosquitto\n");
        return 1;
    }
    snprintf(port_s, sizeof port_s, "%u", (unsigned)broker.port);
    RUN(mqtls_to_mosquitto_sub_311);
    RUN(mqtls_to_mosquitto_sub_5);
    RUN(mqtls_retained_to_mosquitto_sub_311);
    RUN(mqtls_retained_to_mosquitto_sub_5);
    RUN(mosquitto_pub_to_mqtls_311);
    RUN(mosquitto_pub_to_mqtls_5);
    RUN(mosquitto_pub_properties_to_mqtls_5);
    RUN(mqtls_properties_to_mosquitto_sub_5);
    int rc = test_main_end();
    if (rc != 0) {
        test_broker_dump_log(&broker);
    }
    test_broker_stop(&broker);
    return rc;
}
