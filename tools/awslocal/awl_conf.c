/**
 * @file awl_conf.c
 * @brief The mosquitto that `mqtls awslocal up` runs: where its plugin is, the configuration
 *        it reads (DIR/mosquitto.conf, written at each start), and, run as root, the file
 *        ownership that lets it read and write DIR after it drops to the user `mosquitto`.
 *
 * The configuration is AWS IoT's way of connecting (developer guide, "Device communication
 * protocols": MQTT with an X.509 client certificate on port 8883, TLS 1.2 and 1.3): mutual
 * TLS only (require_certificate, no plain listener, no anonymous clients), TLS 1.2 at the
 * least, the certificate's CN as the identity (use_identity_as_username), and the plugin for
 * the policy and the services.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "awslocal/awl_internal.h"
#include "common/tool_util.h"
#include "creds/tool_pki_internal.h"
#include "creds/tool_x509.h"

#define PLUGIN_FILE "awslocal_plugin.so"

static bool is_file(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directory of the running mqtls (the build puts the plugin there). */
static char *self_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return tool_xstrdup(buf);
}

/* The plugin in @p dir (joined to @p sub when not NULL), malloc'd, or NULL if it is not there. */
static char *plugin_in(const char *dir, const char *sub)
{
    char *d = sub ? tool_pki_path_join(dir, sub) : tool_xstrdup(dir);
    char *p = tool_pki_path_join(d, PLUGIN_FILE);
    free(d);
    if (is_file(p))
        return p;
    free(p);
    return NULL;
}

char *awl_plugin_path(void)
{
    const char *env = getenv("MQTLS_AWSLOCAL_PLUGIN");
    if (env && *env) {
        if (is_file(env))
            return realpath(env, NULL);
        tool_err("MQTLS_AWSLOCAL_PLUGIN: '%s' is not a file", env);
        return NULL;
    }
    /* Next to mqtls (the build tree), LIBDIR/mqtls relative to it, then as installed. */
    char *self = self_dir();
    char *p = self ? plugin_in(self, NULL) : NULL;
    if (!p && self)
        p = plugin_in(self, MQTLS_AWSLOCAL_PLUGIN_RELDIR);
    if (!p)
        p = plugin_in(MQTLS_AWSLOCAL_PLUGIN_DIR, NULL);
    free(self);
    if (!p)
        tool_err("the awslocal mosquitto plugin (%s) is not next to mqtls nor in %s: build "
                 "mqtls with mosquitto's plugin headers (Debian: mosquitto-dev), or name it "
                 "with MQTLS_AWSLOCAL_PLUGIN", PLUGIN_FILE, MQTLS_AWSLOCAL_PLUGIN_DIR);
    return p;
}

static void conf_print(FILE *f, const char *dir, uint16_t port, const char *plugin)
{
    fprintf(f, "# Written by `mqtls awslocal up` at each start: edits are lost.\n"
               "per_listener_settings false\n"
               "allow_anonymous false\n"
               "persistence false\n"
               "log_dest stderr\n"
               "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
               "log_type subscribe\nlog_type unsubscribe\n"
               "connection_messages true\n"
               "plugin %s\n"
               "plugin_opt_state_dir %s/state\n"
               "plugin_opt_ca_cert %s/ca.pem\n"
               "plugin_opt_ca_key %s/ca.key\n"
               "plugin_opt_templates_dir %s/templates\n"
               "listener %u localhost\n"
               "cafile %s/ca.pem\n"
               "certfile %s/broker/cert.pem\n"
               "keyfile %s/broker/private.key\n"
               "tls_version tlsv1.2\n"
               "require_certificate true\n"
               "use_identity_as_username true\n",
            plugin, dir, dir, dir, dir, (unsigned)port, dir, dir, dir);
}

int awl_give_to_broker(const char *path)
{
    struct passwd *pw = getpwnam("mosquitto");
    if (geteuid() != 0 || !pw || chown(path, pw->pw_uid, pw->pw_gid) == 0)
        return TOOL_EXIT_OK;
    tool_err("cannot give '%s' to the user mosquitto (it runs as that user when started by "
             "root): %s", path, strerror(errno));
    return TOOL_EXIT_ERROR;
}

/* Can the user @p pw read DIR's root and the broker's key, and write the state? Asked as
 * that user, in a child, so that every directory above DIR counts. */
static bool reaches(const char *dir, const struct passwd *pw)
{
    char *ca = tool_pki_path_join(dir, "ca.pem");
    char *key = tool_pki_path_join(dir, "broker/private.key");
    char *state = tool_pki_path_join(dir, "state");
    int status = -1;
    pid_t pid = fork();
    if (pid == 0) {
        bool ok = setgroups(0, NULL) == 0 && setgid(pw->pw_gid) == 0 && setuid(pw->pw_uid) == 0 &&
                  access(ca, R_OK) == 0 && access(key, R_OK) == 0 && access(state, W_OK | X_OK) == 0;
        _exit(ok ? 0 : 1);
    }
    if (pid > 0)
        waitpid(pid, &status, 0);
    free(ca);
    free(key);
    free(state);
    return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Run as root, mosquitto drops to the user `mosquitto` (mosquitto.conf(5), "user"): DIR
 * must let it in (its group becomes mosquitto's, with g+rx), and the broker's key, the
 * state and the root's key (Fleet Provisioning signs new certificates inside mosquitto)
 * become its, still mode 0600. The things' and the claim's keys stay root's. */
static int let_mosquitto_in(const char *dir)
{
    struct passwd *pw = getpwnam("mosquitto");
    struct stat st;
    if (geteuid() != 0 || !pw)
        return TOOL_EXIT_OK;
    if (stat(dir, &st) != 0 || chown(dir, (uid_t)-1, pw->pw_gid) != 0 ||
        chmod(dir, (st.st_mode & 07777) | 0050) != 0) {
        tool_err("cannot let the user mosquitto into '%s' (it runs as that user when started "
                 "by root): %s", dir, strerror(errno));
        return TOOL_EXIT_ERROR;
    }
    const char *own[] = {"broker/private.key", "ca.key", "state", "state/jobs"};
    int rc = TOOL_EXIT_OK;
    for (size_t i = 0; !rc && i < sizeof own / sizeof own[0]; i++) {
        char *p = tool_pki_path_join(dir, own[i]);
        rc = awl_give_to_broker(p);
        free(p);
    }
    if (!rc && !reaches(dir, pw)) {
        tool_err("mosquitto, which runs as the user mosquitto when started by root, cannot "
                 "reach '%s': a directory above it is closed to that user (chmod o+x it, or "
                 "choose a DIR elsewhere)", dir);
        rc = TOOL_EXIT_ERROR;
    }
    return rc;
}

/* Fleet Provisioning's template `default` (docs/aws-iot.md): the parameters ThingName and
 * SerialNumber, the thing named from ThingName, an ACTIVE certificate. */
static const char default_template[] =
    "{\n"
    "  \"Parameters\": {\n"
    "    \"ThingName\": {\"Type\": \"String\"},\n"
    "    \"SerialNumber\": {\"Type\": \"String\"}\n"
    "  },\n"
    "  \"Resources\": {\n"
    "    \"thing\": {\n"
    "      \"Type\": \"AWS::IoT::Thing\",\n"
    "      \"Properties\": {\n"
    "        \"ThingName\": {\"Ref\": \"ThingName\"},\n"
    "        \"AttributePayload\": {\"serialNumber\": {\"Ref\": \"SerialNumber\"}}\n"
    "      }\n"
    "    },\n"
    "    \"certificate\": {\n"
    "      \"Type\": \"AWS::IoT::Certificate\",\n"
    "      \"Properties\": {\n"
    "        \"CertificateId\": {\"Ref\": \"AWS::IoT::Certificate::Id\"},\n"
    "        \"Status\": \"ACTIVE\"\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

/* DIR/templates/default.json unless it exists (a user's edits stay). */
static int write_default_template(const char *dir)
{
    char *tdir = tool_pki_path_join(dir, "templates");
    char *path = tool_pki_path_join(tdir, "default.json");
    struct stat st;
    bool opened = false;
    int rc = tool_pki_make_dirs(tdir);
    if (!rc && stat(path, &st) != 0)
        rc = tool_x509_write_file(path, default_template, sizeof default_template - 1, false,
                                  false, &opened);
    free(tdir);
    free(path);
    return rc;
}

int awl_conf_write(const char *dir, uint16_t port, const char *plugin)
{
    char *jobs = tool_pki_path_join(dir, "state/jobs");
    char *path = tool_pki_path_join(dir, "mosquitto.conf");
    int rc = tool_pki_make_dirs(jobs);
    if (!rc)
        rc = write_default_template(dir);
    FILE *f = rc ? NULL : fopen(path, "w");
    if (!rc && !f) {
        tool_err("cannot write '%s': %s", path, strerror(errno));
        rc = TOOL_EXIT_ERROR;
    }
    if (f) {
        conf_print(f, dir, port, plugin);
        if (fclose(f) != 0) {
            tool_err("cannot write '%s': %s", path, strerror(errno));
            rc = TOOL_EXIT_ERROR;
        }
    }
    if (!rc)
        rc = let_mosquitto_in(dir);
    free(jobs);
    free(path);
    return rc;
}
