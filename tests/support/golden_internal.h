/**
 * @file golden_internal.h
 * @brief Between the golden-vector reader (golden.c: files, records, values) and the field
 *        table (golden_fields.c: which key sets which member of an mqtls_packet_t).
 */
#ifndef MQTLS_TEST_GOLDEN_INTERNAL_H
#define MQTLS_TEST_GOLDEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mqtls/codec.h"

/** Prints "file:line: message" for the entry being read and exits the program. */
void golden_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

/** Zeroed memory that lives as long as the program; exits if there is none. */
void *golden_alloc(size_t n);

/** An unsigned number (decimal or 0x hex) no larger than @p max; the whole of @p v. */
uint32_t golden_parse_uint(const char *v, uint32_t max);

/**
 * A quoted string at @p v (leading blanks skipped) with the escapes \\ \" and \xNN, at most
 * 65535 bytes. Sets @p out (NUL-terminated copy) and @p len; returns what follows it.
 */
const char *golden_parse_quoted(const char *v, uint8_t **out, uint16_t *len);

/** Two-digit hex bytes separated by blanks: the whole of @p v. Returns a copy, sets @p len. */
uint8_t *golden_parse_hex(const char *v, size_t *len);

/** `type = NAME`: starts @p p afresh as a packet of that type. */
void golden_set_type(mqtls_packet_t *p, const char *value);

/** Any other key of a record: the field of @p p it names, for @p p's type. */
void golden_set_field(mqtls_packet_t *p, const char *key, const char *value);

#endif /* MQTLS_TEST_GOLDEN_INTERNAL_H */
