/**
 * @file line.h
 * @brief Text without printf: one log line, built piece by piece (the task's and the
 *        network's words for the board's log).
 */
#ifndef SENSOR_NODE_LINE_H
#define SENSOR_NODE_LINE_H

#include <stddef.h>
#include <stdint.h>

typedef struct line {
    char buf[200];
    size_t len;
} line_t;

/** Appends @p s (cut at the line's end). */
void line_put(line_t *l, const char *s);

/** Appends @p v in decimal. */
void line_put_int(line_t *l, int32_t v);

/** Appends @p v as C writes a negative hex code: "-0x2700" (Mbed TLS's errors), "0x08". */
void line_put_hex(line_t *l, int32_t v);

#endif
