/**
 * @file awl_jobwatch.h
 * @brief Jobs queued while the broker runs: `mqtls awslocal job create` is another process
 *        and cannot publish, so the plugin watches DIR/state/jobs and announces a new job
 *        with the notify messages AWS publishes when a job is queued (svc.h:
 *        awl_jobs_notify()).
 */
#ifndef AWL_JOBWATCH_H
#define AWL_JOBWATCH_H

/** Called on mosquitto's ticks; looks at @p state_dir/jobs about once a second. The first
 *  look records what is there without announcing it. */
void awl_jobwatch_tick(const char *state_dir);

#endif
