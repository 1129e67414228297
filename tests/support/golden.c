/**
 * @file golden.c
 * @brief Reads the golden vectors of tests/data/golden (golden.h): the files, their records
 *        and the value syntax. Which key sets which field is golden_fields.c.
 *
 * A file is a list of entries: `[name]` starts a record, `key = value` sets something, a
 * line that starts with a blank continues the value above it, `#` starts a comment line
 * and blank lines separate. Everything allocated here is reachable from golden_vectors
 * until the program ends.
 */
#include "golden.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_internal.h"

const golden_t *golden_vectors;
size_t golden_count;
const golden_rl_t *golden_rl;
size_t golden_rl_count;

static golden_t *vecs;
static golden_rl_t *rls;
/* Where the entry being applied is, for golden_fail(). */
static const char *at_file = "(golden)";
static int at_line;

void golden_fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", at_file, at_line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void *golden_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL)
        golden_fail("out of memory");
    return p;
}

static char *copy_str(const char *s)
{
    size_t n = strlen(s);
    char *c = golden_alloc(n + 1);
    memcpy(c, s, n);
    return c;
}

/* ---- values ---------------------------------------------------------------------------- */

uint32_t golden_parse_uint(const char *v, uint32_t max)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 0);
    while (end != NULL && isspace((unsigned char)*end))
        end++;
    if (!isdigit((unsigned char)*v) || errno != 0 || end == NULL || *end != '\0' || n > max)
        golden_fail("'%s' is not a number from 0 to %lu", v, (unsigned long)max);
    return (uint32_t)n;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One character of a quoted string at *s (an escape or itself); advances *s. */
static uint8_t quoted_char(const char **s)
{
    const char *p = *s;
    if (*p != '\\') {
        *s = p + 1;
        return (uint8_t)*p;
    }
    if (p[1] == '\\' || p[1] == '"') {
        *s = p + 2;
        return (uint8_t)p[1];
    }
    if (p[1] == 'x' && hex_digit(p[2]) >= 0 && hex_digit(p[3]) >= 0) {
        *s = p + 4;
        return (uint8_t)(hex_digit(p[2]) * 16 + hex_digit(p[3]));
    }
    golden_fail("bad escape in a string (\\\\, \\\" and \\xNN are known)");
}

const char *golden_parse_quoted(const char *v, uint8_t **out, uint16_t *len)
{
    while (isspace((unsigned char)*v))
        v++;
    if (*v != '"')
        golden_fail("a quoted string was expected at '%s'", v);
    const char *p = v + 1;
    size_t n = 0;
    uint8_t *buf = golden_alloc(strlen(p) + 1);
    while (*p != '"') {
        if (*p == '\0' || *p == '\n')
            golden_fail("unterminated string");
        buf[n++] = quoted_char(&p);
    }
    if (n > UINT16_MAX)
        golden_fail("string longer than 65535 bytes");
    *out = buf;
    *len = (uint16_t)n;
    return p + 1;
}

uint8_t *golden_parse_hex(const char *v, size_t *len)
{
    uint8_t *buf = golden_alloc(strlen(v) / 2 + 1);
    size_t n = 0;
    for (const char *p = v;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);
        if (lo < 0 || (p[2] != '\0' && !isspace((unsigned char)p[2])))
            golden_fail("'%.8s' is not a hex byte (two digits, blank-separated)", p);
        buf[n++] = (uint8_t)(hi * 16 + lo);
        p += 2;
    }
    *len = n;
    return buf;
}

/* ---- records ------------------------------------------------------------------------- */

/* The header keys of a record, each allowed once. */
enum { H_ABOUT = 1, H_VERSION = 2, H_FORM = 4, H_BYTES = 8, H_TYPE = 16, H_ALL = 31 };
static unsigned seen;

static golden_t *current(void)
{
    if (golden_count == 0)
        golden_fail("an entry before the first [name]");
    return &vecs[golden_count - 1];
}

static void finish_record(void)
{
    if (golden_count == 0)
        return;
    golden_t *g = current();
    if (seen != H_ALL)
        golden_fail("[%s] needs about, version, form, bytes and type", g->name);
    if (g->want.type == MQTLS_CONNECT)
        g->want.u.connect.version = g->version;
    for (size_t i = 0; i + 1 < golden_count; i++)
        if (strcmp(vecs[i].name, g->name) == 0)
            golden_fail("[%s] is there twice (also in %s)", g->name, vecs[i].file);
}

static void start_record(const char *name)
{
    finish_record();
    vecs = realloc(vecs, (golden_count + 1) * sizeof *vecs);
    if (vecs == NULL)
        golden_fail("out of memory");
    golden_t *g = &vecs[golden_count++];
    memset(g, 0, sizeof *g);
    g->name = copy_str(name);
    g->file = at_file;
    seen = 0;
}

static void header_once(unsigned bit, const char *key)
{
    if (seen & bit)
        golden_fail("%s is given twice", key);
    seen |= bit;
}

static mqtls_version_t parse_version(const char *v)
{
    if (strcmp(v, "3.1.1") == 0)
        return MQTLS_V311;
    if (strcmp(v, "5.0") == 0)
        return MQTLS_V5;
    golden_fail("version '%s': 3.1.1 or 5.0", v);
}

static golden_form_t parse_form(const char *v)
{
    if (strcmp(v, "exact") == 0)
        return GOLDEN_EXACT;
    if (strcmp(v, "reordered") == 0)
        return GOLDEN_REORDERED;
    if (strcmp(v, "lossy") == 0)
        return GOLDEN_LOSSY;
    golden_fail("form '%s': exact, reordered or lossy", v);
}

/* One `key = value` of a packets file. */
static void packet_entry(const char *key, const char *value)
{
    golden_t *g = current();
    if (strcmp(key, "about") == 0) {
        header_once(H_ABOUT, key);
        g->about = copy_str(value);
    } else if (strcmp(key, "version") == 0) {
        header_once(H_VERSION, key);
        g->version = parse_version(value);
    } else if (strcmp(key, "form") == 0) {
        header_once(H_FORM, key);
        g->form = parse_form(value);
    } else if (strcmp(key, "bytes") == 0) {
        header_once(H_BYTES, key);
        g->bytes = golden_parse_hex(value, &g->len);
        if (g->len == 0)
            golden_fail("no bytes");
    } else if (strcmp(key, "type") == 0) {
        header_once(H_TYPE, key);
        golden_set_type(&g->want, value);
    } else if (!(seen & H_TYPE)) {
        golden_fail("%s before type", key);
    } else {
        golden_set_field(&g->want, key, value);
    }
}

/* One `value = bytes` of remaining_length.txt. */
static void rl_entry(const char *key, const char *value)
{
    size_t n = 0;
    uint8_t *b = golden_parse_hex(value, &n);
    if (n < 1 || n > 4)
        golden_fail("a remaining length has 1 to 4 bytes");
    rls = realloc(rls, (golden_rl_count + 1) * sizeof *rls);
    if (rls == NULL)
        golden_fail("out of memory");
    golden_rl_t *r = &rls[golden_rl_count++];
    r->value = golden_parse_uint(key, UINT32_MAX);
    memcpy(r->bytes, b, n);
    r->n = (uint8_t)n;
    free(b);
}

/* ---- files ----------------------------------------------------------------------------- */

typedef struct entry_sink {
    void (*record)(const char *name);        /**< NULL: the file has no records */
    void (*entry)(const char *key, const char *value);
} entry_sink_t;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        golden_fail("cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (cap - n - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    if (buf == NULL || ferror(f))
        golden_fail("cannot read %s", path);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* The pending `key = value` (continuations joined with '\n'), handed on when complete. */
typedef struct pending {
    char *key;
    char *value;
    int line;
} pending_t;

static void flush(pending_t *p, const entry_sink_t *sink)
{
    if (p->key == NULL)
        return;
    int line = at_line;
    at_line = p->line;
    sink->entry(p->key, p->value);
    at_line = line;
    free(p->value);
    p->key = NULL;
}

static void continue_value(pending_t *p, const char *more)
{
    if (p->key == NULL)
        golden_fail("an indented line continues nothing");
    size_t a = strlen(p->value), b = strlen(more);
    p->value = realloc(p->value, a + b + 2);
    if (p->value == NULL)
        golden_fail("out of memory");
    p->value[a] = '\n';
    memcpy(p->value + a + 1, more, b + 1);
}

static void one_line(char *line, pending_t *p, const entry_sink_t *sink)
{
    if (line[0] == '#')
        return;
    if (line[0] == ' ' || line[0] == '\t') {
        char *more = trim(line);
        if (*more == '\0')
            flush(p, sink);
        else
            continue_value(p, more);
        return;
    }
    flush(p, sink);
    char *s = trim(line), *eq = strchr(s, '=');
    if (*s == '\0')
        return;
    if (*s == '[' && sink->record != NULL && s[strlen(s) - 1] == ']') {
        s[strlen(s) - 1] = '\0';
        sink->record(trim(s + 1));
        return;
    }
    if (eq == NULL)
        golden_fail("'%s': neither [name] nor key = value", s);
    *eq = '\0';
    p->key = trim(s);
    p->value = copy_str(trim(eq + 1));
    p->line = at_line;
}

static void read_entries(const char *path, const entry_sink_t *sink)
{
    char *text = read_file(path);
    pending_t p = {NULL, NULL, 0};
    at_file = copy_str(path);
    at_line = 0;
    for (char *line = text; line != NULL;) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        at_line++;
        one_line(line, &p, sink);
        line = nl != NULL ? nl + 1 : NULL;
    }
    flush(&p, sink);
    free(text);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.txt files of @p dir, sorted, as full paths. */
static size_t list_txt(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        golden_fail("cannot open the directory %s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0)
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        char *path = names != NULL ? malloc(strlen(dir) + len + 2) : NULL;
        if (path == NULL)
            golden_fail("out of memory");
        sprintf(path, "%s/%s", dir, e->d_name);
        names[n++] = path;
    }
    closedir(d);
    if (n > 1) /* qsort() wants an array, even of none */
        qsort(names, n, sizeof *names, by_name);
    *out = names;
    return n;
}

void golden_load(const char *dir)
{
    static const entry_sink_t packets = {start_record, packet_entry}, rl = {NULL, rl_entry};
    const char *env = getenv("MQTLS_GOLDEN_DIR");
    char path[4096], **files = NULL;
    if (golden_vectors != NULL)
        return;
    if (env != NULL && *env != '\0')
        dir = env;
    snprintf(path, sizeof path, "%s/packets", dir);
    size_t n = list_txt(path, &files);
    for (size_t i = 0; i < n; i++) {
        read_entries(files[i], &packets);
        finish_record(); /* while its file and line are still the ones reported */
        free(files[i]);
    }
    free(files);
    snprintf(path, sizeof path, "%s/remaining_length.txt", dir);
    read_entries(path, &rl);
    if (golden_count == 0 || golden_rl_count == 0)
        golden_fail("no golden vectors under %s", dir);
    golden_vectors = vecs;
    golden_rl = rls;
}

const golden_t *golden_find(const char *name)
{
    for (size_t i = 0; i < golden_count; i++)
        if (strcmp(golden_vectors[i].name, name) == 0)
            return &golden_vectors[i];
    golden_fail("no golden vector [%s]", name);
}
