/**
 * @file awl_jobwatch.c
 * @brief The plugin's watch on DIR/state/jobs (awl_jobwatch.h): per thing, the number of job
 *        files; more than last time means `job create` queued one, and the thing's notify
 *        messages go out to its subscribers. The service's own updates replace files (same
 *        count) and announce themselves.
 */
#include "awslocal/plugin/awl_jobwatch.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>

#include "awslocal/plugin/awl_dispatch.h"
#include "awslocal/plugin/awl_identity.h"

#define MAX_WATCHED 256 /* things with jobs; more are not announced */

typedef struct watched {
    char thing[AWL_THING_MAX + 1];
    int jobs;
} watched_t;

static watched_t watched[MAX_WATCHED];
static int n_watched;
static bool primed;
static time_t last_look;

/* The number of job files (*.json) in @p dir. */
static int count_jobs(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".json"))
            n++;
    }
    closedir(d);
    return n;
}

static watched_t *find(const char *thing)
{
    for (int i = 0; i < n_watched; i++)
        if (!strcmp(watched[i].thing, thing))
            return &watched[i];
    if (n_watched == MAX_WATCHED || strlen(thing) > AWL_THING_MAX)
        return NULL;
    watched_t *w = &watched[n_watched++];
    snprintf(w->thing, sizeof w->thing, "%s", thing);
    w->jobs = 0;
    return w;
}

static void announce(const char *state_dir, const char *thing)
{
#ifdef AWL_SVC_JOBS
    awl_replies_t r;
    memset(&r, 0, sizeof r);
    if (awl_jobs_notify(state_dir, thing, &r) == 0) {
        mosquitto_log_printf(MOSQ_LOG_INFO, "awslocal: a new job for %s: notified", thing);
        awl_publish_replies(&r, NULL);
    }
    awl_replies_free(&r);
#else
    (void)state_dir, (void)thing;
#endif
}

static void look(const char *state_dir)
{
    char jobs[4096], dir[4096 + AWL_THING_MAX + 2];
    if (snprintf(jobs, sizeof jobs, "%s/jobs", state_dir) >= (int)sizeof jobs)
        return; /* a path too long to hold: nothing of it is watched */
    DIR *d = opendir(jobs);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        watched_t *w = e->d_name[0] == '.' ? NULL : find(e->d_name);
        if (!w)
            continue;
        if (snprintf(dir, sizeof dir, "%s/%s", jobs, e->d_name) >= (int)sizeof dir)
            continue;
        int n = count_jobs(dir);
        if (n > w->jobs && primed)
            announce(state_dir, w->thing);
        w->jobs = n;
    }
    closedir(d);
    primed = true;
}

void awl_jobwatch_tick(const char *state_dir)
{
    time_t now = time(NULL);
    if (!state_dir || now == last_look)
        return;
    last_look = now;
    look(state_dir);
}
