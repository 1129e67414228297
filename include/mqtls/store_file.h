/**
 * @file store_file.h
 * @brief A message store in a directory, for hosted systems: outgoing QoS 1/2 messages
 *        survive a crash or kill of the process and are resent after a restart.
 *
 * Each message is one file, written to a temporary name, fsync'ed, renamed into place and
 * the directory fsync'ed before put() returns: a publish is accepted only once it is on
 * disk. mqtls_client_restore() reads the directory back after a restart. One process at a
 * time may use a directory.
 */
#ifndef MQTLS_STORE_FILE_H
#define MQTLS_STORE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "mqtls/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One message the directory holds. */
typedef struct mqtls_file_entry {
    uint32_t seq; /**< order of arrival */
    uint16_t id;
    uint8_t released;
} mqtls_file_entry_t;

/** The file store's context. Fields are private. */
typedef struct mqtls_file_store {
    char dir[240];
    int dirfd;
    uint32_t next_seq;
    mqtls_file_entry_t *entries; /**< the caller's, sorted by seq */
    size_t count, cap;
    uint8_t *buf; /**< the caller's: holds the last get()'s bytes */
    size_t buf_cap;
} mqtls_file_store_t;

/**
 * Opens (and creates) the store in @p dir and reads what it holds. The memory is the
 * caller's: @p entries for up to @p max messages (the in-flight window, plus one: a process
 * killed inside an update leaves one id twice until the next open settles it), and
 * @p buf for reading one back (the largest message that will be stored).
 * @retval MQTLS_ERR_STORE the directory cannot be created, read or locked, or holds more
 *                         than @p max messages
 */
MQTLS_API mqtls_status_t mqtls_file_store_open(mqtls_file_store_t *fs, const char *dir,
                                               mqtls_file_entry_t *entries, size_t max,
                                               uint8_t *buf, size_t buf_size);

/** Closes the store (its files stay); safe twice. */
MQTLS_API void mqtls_file_store_close(mqtls_file_store_t *fs);

/** Messages the store holds now. */
MQTLS_API size_t mqtls_file_store_count(const mqtls_file_store_t *fs);

/** The store's operations; pass with a mqtls_file_store_t as the context. */
MQTLS_API extern const mqtls_store_t mqtls_file_store;

#ifdef __cplusplus
}
#endif
#endif
