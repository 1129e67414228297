/**
 * @file svc_reply.c
 * @brief The services' shared pieces: the clock, building replies and error documents, and
 *        the checks on names and encodings (svc_internal.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svc_internal.h"

static awl_clock_fn clock_fn;

void awl_svc_set_clock(awl_clock_fn fn) { clock_fn = fn; }

long long awl_svc_now(void) { return clock_fn ? clock_fn() : (long long)time(NULL); }

void awl_replies_free(awl_replies_t *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++) {
        free(r->v[i].topic);
        free(r->v[i].payload);
        r->v[i].topic = r->v[i].payload = NULL;
    }
    r->n = 0;
}

int awl_reply_json(awl_replies_t *out, const char *topic, cJSON *doc)
{
    int n = (int)(sizeof out->v / sizeof out->v[0]);
    char *payload = doc ? cJSON_PrintUnformatted(doc) : NULL;
    char *t = strdup(topic);

    cJSON_Delete(doc);
    if (out->n >= n || !payload || !t) {
        free(payload);
        free(t);
        return -1;
    }
    out->v[out->n].topic = t;
    out->v[out->n].payload = payload;
    out->n++;
    return 0;
}

static int reply_error(awl_replies_t *out, const char *topic, cJSON *code,
                       const char *message, const char *token)
{
    cJSON *doc = cJSON_CreateObject();

    if (!doc || !code) {
        cJSON_Delete(doc);
        cJSON_Delete(code);
        return -1;
    }
    cJSON_AddItemToObject(doc, "code", code);
    cJSON_AddStringToObject(doc, "message", message);
    cJSON_AddNumberToObject(doc, "timestamp", (double)awl_svc_now());
    awl_add_token(doc, token);
    return awl_reply_json(out, topic, doc);
}

int awl_reply_error(awl_replies_t *out, const char *topic, int code, const char *message,
                    const char *token)
{
    return reply_error(out, topic, cJSON_CreateNumber(code), message, token);
}

int awl_reply_error_word(awl_replies_t *out, const char *topic, const char *code,
                         const char *message, const char *token)
{
    return reply_error(out, topic, cJSON_CreateString(code), message, token);
}

bool awl_name_ok(const char *s, size_t len, size_t max, const char *extra)
{
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == ':' || c == '_' || c == '-' || (extra && c && strchr(extra, c));
        if (!ok)
            return false;
    }
    return true;
}

/* The length of the UTF-8 sequence that starts with @p c and the smallest code point it may
 * carry (anything smaller is an overlong form); 0 for a byte that cannot start one. */
static int utf8_lead(unsigned char c, unsigned long *min)
{
    if (c >= 0xC2 && c <= 0xDF) {
        *min = 0x80;
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        *min = 0x800;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        *min = 0x10000;
        return 4;
    }
    return 0;
}

bool awl_utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned long cp, min;
        int n;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        n = utf8_lead(p[i], &min);
        if (n == 0 || len - i < (size_t)n)
            return false;
        cp = p[i] & (0x7F >> n);
        for (int k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += (size_t)n;
    }
    return true;
}

const char *awl_client_token(const cJSON *req)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(req, "clientToken");
    return cJSON_IsString(t) ? t->valuestring : NULL;
}

void awl_add_token(cJSON *doc, const char *token)
{
    if (token)
        cJSON_AddStringToObject(doc, "clientToken", token);
}
