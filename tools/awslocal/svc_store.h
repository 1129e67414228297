/**
 * @file svc_store.h
 * @brief Where the services of `mqtls awslocal` keep their state: one JSON file per object
 *        (a shadow, a job execution) under the state directory, each replaced atomically
 *        (written beside, then renamed), so that a crash or a reader running at the same
 *        time (`mqtls awslocal job create` while `up` runs) sees the old file or the new
 *        one, never half of one.
 */
#ifndef AWL_SVC_STORE_H
#define AWL_SVC_STORE_H

#include <cjson/cJSON.h>

/**
 * Joins the path components, a list ended by a null pointer, with '/' (the first is used as
 * is). Called through awl_path(), which ends the list.
 * @return the path, malloc'd, or NULL when memory ran out
 */
char *awl_path_join(const char *first, ...);

/** awl_path(dir, "jobs", thing) is "dir/jobs/thing" (malloc'd, or NULL). The end of the list
 *  is a typed null pointer: a bare NULL may be an int where a variadic function reads it. */
#define awl_path(...) awl_path_join(__VA_ARGS__, (const char *)NULL)

/**
 * Reads and parses the JSON file at @p path.
 * @return the document (the caller deletes it), or NULL: then *@p missing is 1 when the
 *         file does not exist, 0 when it could not be read or is not JSON
 */
cJSON *awl_store_load(const char *path, int *missing);

/**
 * Writes @p doc to @p path atomically, making the directories above it as needed (mode
 * 0700: the state is the broker's alone).
 * @return 0, or -1 (errno set) when a directory, the temporary file or the rename failed
 */
int awl_store_save(const char *path, const cJSON *doc);

#endif
