/**
 * @file svc_jobs_exec.h
 * @brief The Jobs service's job executions (svc_jobs_exec.c): one file per execution,
 *        STATE/jobs/<thing>/<jobId>.json, holding the JobExecution document itself (the
 *        format svc.h describes); the order of the pending ones; and the documents built
 *        from them (summaries, the notify and notify-next messages).
 *
 * Sources: https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-https-api.html
 * (JobExecution, JobExecutionState, JobExecutionSummary) and jobs-comm-notifications.html
 * (ListNotification, NextNotification and their order).
 */
#ifndef AWL_SVC_JOBS_EXEC_H
#define AWL_SVC_JOBS_EXEC_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/** Job ids awslocal accepts: 1 to 64 of [a-zA-Z0-9_-] (as file names they are safe). */
#define AWL_JOB_ID_MAX 64

/** The file of @p job_id of @p thing (malloc'd), or NULL. */
char *awl_jobs_path(const char *state_dir, const char *thing, const char *job_id);

/**
 * Every execution of @p thing, the pending ones first in AWS's order (IN_PROGRESS before
 * QUEUED, then by the time they were queued, then by job id), then the others.
 * @return an array (the caller deletes it; empty when there is none), or NULL when the
 *         directory cannot be read
 */
cJSON *awl_jobs_all(const char *state_dir, const char *thing);

/** The first pending execution of @p all (awl_jobs_all's order), or NULL. */
const cJSON *awl_jobs_next(const cJSON *all);

/** The execution of @p job_id in @p all, or NULL. */
cJSON *awl_jobs_find(const cJSON *all, const char *job_id);

/** QUEUED or IN_PROGRESS. */
bool awl_jobs_pending(const cJSON *exec);

/** A status string's being terminal: SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED,
 *  CANCELED. */
bool awl_jobs_terminal(const char *status);

/** JobExecutionSummary of @p exec: jobId, queuedAt, startedAt (when started), lastUpdatedAt,
 *  versionNumber, executionNumber. */
cJSON *awl_jobs_summary(const cJSON *exec);
/** Appends the summary of each IN_PROGRESS execution of @p all to @p running and of each
 *  QUEUED one to @p queued (others are left out). */
void awl_jobs_split(const cJSON *all, cJSON *running, cJSON *queued);

/** JobExecutionState of @p exec: status, statusDetails (when any), versionNumber. */
cJSON *awl_jobs_state(const cJSON *exec);

/** The notify message: `{"timestamp", "jobs": {"IN_PROGRESS": [...], "QUEUED": [...]}}`,
 *  each list of summaries present only when not empty. */
cJSON *awl_jobs_list_doc(const cJSON *all, long long now);

/** The notify-next message: `{"timestamp", "execution": <next JobExecution>}`, without
 *  "execution" when nothing is pending. */
cJSON *awl_jobs_next_doc(const cJSON *all, long long now);

/** The status of @p exec ("" when it has none). */
const char *awl_jobs_status(const cJSON *exec);

#endif
