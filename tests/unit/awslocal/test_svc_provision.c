/* The Fleet Provisioning service of `mqtls awslocal` (tools/awslocal/svc_provision.c,
 * svc_x509.c, svc_certs.c, svc_template.c), driven through awl_provision_handle() as the
 * broker plugin drives it. The CA and the CSRs are made by the `openssl` command (another
 * tool than the code under test), and every certificate the service issues is checked with
 * OpenSSL: signed by that CA, matching its key, its id the SHA-256 of its DER. Sources:
 * fleet-provision-api.html and provision-template.html of the AWS IoT developer guide. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "svc_internal.h"
#include "test.h"

#define T0 1700000000LL
#define CREATE "$aws/certificates/create/json"
#define CSR "$aws/certificates/create-from-csr/json"
#define REGISTER(t) "$aws/provisioning-templates/" t "/provision/json"

/* The default template: ThingName and SerialNumber, the thing named from ThingName. */
static const char default_template[] =
    "{\"Parameters\":{\"ThingName\":{\"Type\":\"String\"},\"SerialNumber\":{\"Type\":\"String\"}},"
    "\"Resources\":{\"thing\":{\"Type\":\"AWS::IoT::Thing\",\"Properties\":{\"ThingName\":{\"Ref\":\"ThingName\"},"
    "\"AttributePayload\":{\"serialNumber\":{\"Ref\":\"SerialNumber\"}}}},"
    "\"certificate\":{\"Type\":\"AWS::IoT::Certificate\",\"Properties\":{\"CertificateId\":"
    "{\"Ref\":\"AWS::IoT::Certificate::Id\"},\"Status\":\"ACTIVE\"}}}}";

/* provision-template.html's fleet example, reduced to what awslocal evaluates: Fn::Join, a
 * Default, DeviceConfiguration with a Ref, and an INACTIVE certificate. */
static const char joined_template[] =
    "{\"Parameters\":{\"SerialNumber\":{\"Type\":\"String\"},\"Location\":{\"Type\":\"String\",\"Default\":\"WA\"}},"
    "\"Resources\":{\"thing\":{\"Type\":\"AWS::IoT::Thing\",\"Properties\":{\"ThingName\":"
    "{\"Fn::Join\":[\"\",[\"ThingPrefix_\",{\"Ref\":\"SerialNumber\"}]]}}},"
    "\"certificate\":{\"Type\":\"AWS::IoT::Certificate\",\"Properties\":{\"Status\":\"Inactive\"}}},"
    "\"DeviceConfiguration\":{\"FallbackUrl\":\"https://www.example.com/test-site\",\"Where\":{\"Ref\":\"Location\"}}}";

static char dir[64], state[96];
static long long now = T0;
static awl_replies_t R;

static long long fixed_clock(void) { return now; }

static int sh(const char *fmt, const char *arg)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, fmt, arg); /* each format has one %s: the directory */
    return system(cmd);
}

static void write_file(const char *name, const char *text)
{
    char path[160];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void setup(void)
{
    char ca[128], key[128], tdir[128];
    awl_provision_cfg_t cfg = {ca, key, tdir};

    snprintf(dir, sizeof dir, "/tmp/mqtls-awl-XXXXXX");
    if (!mkdtemp(dir))
        printf("  mkdtemp failed\n");
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    snprintf(key, sizeof key, "%s/ca.key", dir);
    snprintf(tdir, sizeof tdir, "%s/templates", dir);
    if (sh("cd '%s' && mkdir templates && openssl req -x509 -newkey ec -pkeyopt "
           "ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -subj /CN=awslocal-test-ca "
           "-days 2 2>/dev/null", dir) != 0)
        printf("  openssl could not make the CA\n");
    write_file("templates/default.json", default_template);
    write_file("templates/joined.json", joined_template);
    now = T0;
    awl_svc_set_clock(fixed_clock);
    awl_provision_configure(&cfg);
}

static void teardown(void)
{
    awl_replies_free(&R);
    if (sh("rm -rf '%s'", dir) != 0)
        printf("  could not remove %s\n", dir);
}

static int req(const char *topic, const char *payload)
{
    awl_replies_free(&R);
    return awl_provision_handle(state, "claim", topic, payload, strlen(payload), &R);
}

/* The only reply, on @p topic, parsed. */
static cJSON *only_reply(const char *topic)
{
    if (!CHECK_EQ_INT(R.n, 1) || !CHECK_EQ_STR(R.v[0].topic, topic))
        return NULL;
    return cJSON_Parse(R.v[0].payload);
}

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* A rejection {"statusCode", "errorCode", "errorMessage"} on @p topic/rejected. */
static void expect_error(const char *topic, int status, const char *code)
{
    char t[160];
    cJSON *doc;

    snprintf(t, sizeof t, "%s/rejected", topic);
    doc = only_reply(t);
    CHECK_EQ_INT(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "statusCode")), status);
    CHECK_EQ_STR(str(doc, "errorCode"), code);
    CHECK(str(doc, "errorMessage") != NULL);
    CHECK_EQ_INT(cJSON_GetArraySize(doc), 3);
    cJSON_Delete(doc);
}

static X509 *read_cert(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

    BIO_free(b);
    return x;
}

/* @p pem is signed by the test CA and @p id is the SHA-256 of its DER. */
static void check_cert(const char *pem, const char *id, X509 **out)
{
    char path[128], hex[65];
    unsigned char md[32];
    unsigned int n = 0;
    FILE *f;
    X509 *ca, *x = pem ? read_cert(pem) : NULL;

    snprintf(path, sizeof path, "%s/ca.pem", dir);
    f = fopen(path, "r");
    ca = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    REQUIRE(x != NULL && ca != NULL);
    CHECK_EQ_INT(X509_verify(x, X509_get0_pubkey(ca)), 1);
    CHECK_EQ_INT(X509_digest(x, EVP_sha256(), md, &n), 1);
    for (unsigned int i = 0; i < n && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    CHECK_EQ_STR(id, hex);
    {   /* what the plugin computes from a client's certificate names the same record */
        unsigned char *der = NULL;
        int dlen = i2d_X509(x, &der);
        char id2[65] = "";
        CHECK(dlen > 0 && awl_cert_id_of_der(der, (size_t)dlen, id2) == 0);
        CHECK_EQ_STR(id2, hex);
        OPENSSL_free(der);
    }
    X509_free(ca);
    *out = x;
}

/* CreateKeysAndCertificate: certificateId, certificatePem, privateKey and
 * certificateOwnershipToken; the certificate is pending: it acts as no thing yet. */
TEST(create_keys_and_certificate)
{
    cJSON *doc;
    X509 *x = NULL;
    BIO *b;
    EVP_PKEY *key;
    char thing[129];

    setup();
    CHECK_EQ_INT(req(CREATE, ""), 0);
    doc = only_reply(CREATE "/accepted");
    REQUIRE(doc != NULL);
    CHECK_EQ_INT(cJSON_GetArraySize(doc), 4);
    CHECK(str(doc, "certificateOwnershipToken") && strlen(str(doc, "certificateOwnershipToken")) >= 32);
    check_cert(str(doc, "certificatePem"), str(doc, "certificateId"), &x);
    b = BIO_new_mem_buf(str(doc, "privateKey") ? str(doc, "privateKey") : "", -1);
    key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    CHECK(key != NULL && x != NULL && X509_check_private_key(x, key) == 1);
    CHECK_EQ_INT(awl_provision_thing_of(state, str(doc, "certificateId"), thing, sizeof thing), -1);
    EVP_PKEY_free(key);
    BIO_free(b);
    X509_free(x);
    cJSON_Delete(doc);
    teardown();
}

/* The PEM of a CSR `openssl req` made for a new key, or NULL. */
static char *make_csr(void)
{
    char path[128];
    static char pem[4096];
    size_t n;
    FILE *f;

    if (sh("cd '%s' && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
           "-keyout dev.key -out dev.csr -subj /CN=dev 2>/dev/null", dir) != 0)
        return NULL;
    snprintf(path, sizeof path, "%s/dev.csr", dir);
    f = fopen(path, "r");
    n = f ? fread(pem, 1, sizeof pem - 1, f) : 0;
    if (f)
        fclose(f);
    pem[n] = '\0';
    return n ? pem : NULL;
}

/* CreateCertificateFromCsr: certificateOwnershipToken, certificateId, certificatePem, for the
 * CSR's own key; a CSR that is not one, or none, is rejected. */
TEST(create_certificate_from_csr)
{
    char *pem, path[128];
    cJSON *body, *doc;
    char *payload;
    X509 *x = NULL;
    EVP_PKEY *key;
    FILE *f;

    setup();
    pem = make_csr();
    REQUIRE(pem != NULL);
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "certificateSigningRequest", pem);
    payload = cJSON_PrintUnformatted(body);
    req(CSR, payload);
    doc = only_reply(CSR "/accepted");
    CHECK_EQ_INT(cJSON_GetArraySize(doc), 3);
    CHECK(str(doc, "certificateOwnershipToken") != NULL);
    check_cert(str(doc, "certificatePem"), str(doc, "certificateId"), &x);
    snprintf(path, sizeof path, "%s/dev.key", dir);
    f = fopen(path, "r");
    key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    CHECK(key && x && X509_check_private_key(x, key) == 1);
    req(CSR, "{\"certificateSigningRequest\":\"-----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n\"}");
    expect_error(CSR, 400, "InvalidPayload");
    req(CSR, "{}");
    expect_error(CSR, 400, "InvalidPayload");
    req(CSR, "{");
    expect_error(CSR, 400, "InvalidPayload");
    EVP_PKEY_free(key);
    X509_free(x);
    cJSON_Delete(doc);
    cJSON_Delete(body);
    free(payload);
    teardown();
}

/* Creates keys and a certificate; its token into @p token, its id into @p id. */
static void create_keys(char token[80], char id[80])
{
    cJSON *doc;

    req(CREATE, "");
    doc = only_reply(CREATE "/accepted");
    snprintf(token, 80, "%s", str(doc, "certificateOwnershipToken") ? str(doc, "certificateOwnershipToken") : "");
    snprintf(id, 80, "%s", str(doc, "certificateId") ? str(doc, "certificateId") : "");
    cJSON_Delete(doc);
}

static void register_with(const char *topic, const char *token, const char *params)
{
    char payload[512];

    snprintf(payload, sizeof payload, "{\"certificateOwnershipToken\":\"%s\",\"parameters\":%s}", token,
             params);
    req(topic, payload);
}

/* RegisterThing with the default template: {"deviceConfiguration", "thingName"}; the
 * certificate then acts as that thing; the token proves ownership once. */
TEST(register_thing_with_the_default_template)
{
    char token[80], id[80], thing[129];
    cJSON *doc, *want;

    setup();
    create_keys(token, id);
    register_with(REGISTER("default"), token, "{\"ThingName\":\"dev-1\",\"SerialNumber\":\"123\"}");
    doc = only_reply(REGISTER("default") "/accepted");
    want = cJSON_Parse("{\"deviceConfiguration\":{},\"thingName\":\"dev-1\"}");
    CHECK(doc && cJSON_Compare(doc, want, 1));
    CHECK_EQ_INT(awl_provision_thing_of(state, id, thing, sizeof thing), 0);
    CHECK_EQ_STR(thing, "dev-1");
    register_with(REGISTER("default"), token, "{\"ThingName\":\"dev-2\",\"SerialNumber\":\"124\"}");
    expect_error(REGISTER("default"), 400, "InvalidCertificateOwnershipToken");
    cJSON_Delete(want);
    cJSON_Delete(doc);
    teardown();
}

/* Fn::Join, a parameter's Default, DeviceConfiguration resolved; Status INACTIVE: the
 * certificate is registered but acts as no thing. */
TEST(register_thing_evaluates_the_template)
{
    char token[80], id[80], thing[129];
    cJSON *doc, *want;

    setup();
    create_keys(token, id);
    register_with(REGISTER("joined"), token, "{\"SerialNumber\":\"42\"}");
    doc = only_reply(REGISTER("joined") "/accepted");
    want = cJSON_Parse("{\"deviceConfiguration\":{\"FallbackUrl\":\"https://www.example.com/test-site\","
                       "\"Where\":\"WA\"},\"thingName\":\"ThingPrefix_42\"}");
    CHECK(doc && cJSON_Compare(doc, want, 1));
    CHECK_EQ_INT(awl_provision_thing_of(state, id, thing, sizeof thing), -1);
    cJSON_Delete(want);
    cJSON_Delete(doc);
    teardown();
}

/* What RegisterThing refuses: no such template (404), a token nobody issued, a parameter the
 * template needs and does not get, a thing name AWS would refuse, a token past its hour
 * ("expires after one hour"). */
TEST(register_thing_rejections)
{
    char token[80], id[80], thing[129], path[256];

    setup();
    create_keys(token, id);
    register_with(REGISTER("nope"), token, "{}");
    expect_error(REGISTER("nope"), 404, "ResourceNotFound");
    register_with(REGISTER("default"), "not-a-token", "{\"ThingName\":\"x\"}");
    expect_error(REGISTER("default"), 400, "InvalidCertificateOwnershipToken");
    register_with(REGISTER("default"), token, "{\"SerialNumber\":\"1\"}");
    expect_error(REGISTER("default"), 400, "InvalidParameters");
    register_with(REGISTER("default"), token, "{\"ThingName\":\"a/b\",\"SerialNumber\":\"1\"}");
    expect_error(REGISTER("default"), 400, "InvalidParameters");
    now += 3601;
    register_with(REGISTER("default"), token, "{\"ThingName\":\"late\",\"SerialNumber\":\"1\"}");
    expect_error(REGISTER("default"), 400, "InvalidCertificateOwnershipToken");
    CHECK_EQ_INT(awl_provision_thing_of(state, id, thing, sizeof thing), -1);
    /* "the certificate is deleted" */
    snprintf(path, sizeof path, "%s/certificates/%s.json", state, id);
    CHECK(access(path, F_OK) != 0);
    teardown();
}

/* Without a configured CA nothing can be issued: 500. */
TEST(no_ca_is_500)
{
    setup();
    awl_provision_configure(NULL);
    req(CREATE, "");
    expect_error(CREATE, 500, "InternalFailure");
    teardown();
}

/* Only the JSON request topics are the service's. */
TEST(topics_that_are_not_requests_are_not_answered)
{
    static const char *const topics[] = {
        "$aws/certificates/create/cbor", CREATE "/accepted", "$aws/certificates/create-from-csr/cbor",
        REGISTER("default") "/accepted", "$aws/provisioning-templates/default/provision/cbor",
        "$aws/provisioning-templates/a.b/provision/json", "$aws/things/claim/shadow/get",
    };

    setup();
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        test_note("%s", topics[i]);
        awl_replies_free(&R);
        CHECK_EQ_INT(awl_provision_handle(state, "claim", topics[i], "{}", 2, &R), -1);
        CHECK_EQ_INT(R.n, 0);
    }
    teardown();
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    RUN(create_keys_and_certificate);
    RUN(create_certificate_from_csr);
    RUN(register_thing_with_the_default_template);
    RUN(register_thing_evaluates_the_template);
    RUN(register_thing_rejections);
    RUN(no_ca_is_500);
    RUN(topics_that_are_not_requests_are_not_answered);
    awl_provision_configure(NULL);
    return test_main_end();
}
