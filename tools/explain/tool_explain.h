/**
 * @file tool_explain.h
 * @brief `mqtls explain [--stack S] CODE`: what an error code of a device's TLS stack means,
 *        the doctor's cause id (docs/troubleshooting.md) and the fix, offline.
 *
 * The stacks are rows of one table (tool_explain_stacks.c): a name, what it covers, the
 * range of its codes and a function that explains a code. The TI SimpleLink network
 * processors (`cc3220`, `cc3200`; `simplelink` is the CC3220) read the port's code tables
 * (ports/simplelink/simplelink_codes*.c); the other stacks have a table of entries in a file
 * of their own (stack_mbedtls.c, stack_openssl.c, stack_wolfssl.c, stack_paho.c,
 * stack_coremqtt.c, stack_awssdk.c), their vendor documents cited in docs/troubleshooting.md.
 */
#ifndef TOOL_EXPLAIN_H
#define TOOL_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/tool_optparse.h"

/** Exit status of `mqtls explain` for a code no table names (explained by its range). */
#define TOOL_EXPLAIN_EXIT_UNKNOWN 1
/** Exit status of `mqtls explain CODE` without --stack when several stacks know CODE. */
#define TOOL_EXPLAIN_EXIT_AMBIGUOUS 3

/** One code of a stack's table: its number, the stack's name for it, the doctor's cause id
 * ("" if none fits) and what it means with the fix. */
typedef struct tool_explain_entry {
    long code;
    const char *name;
    const char *cause;
    const char *text;
} tool_explain_entry_t;

/** The entry of @p code in @p table (@p n entries), NULL if none. */
const tool_explain_entry_t *tool_explain_find(const tool_explain_entry_t *table, size_t n,
                                              long code);

/** What a stack says about one code. Strings are static (never NULL). */
typedef struct tool_explain_result {
    bool known;          /**< a table names the code (else: explained by its range) */
    const char *name;    /**< the stack's own name for the code, "" if none */
    const char *status;  /**< the mqtls status it maps to (mqtls_strerror()), "" if none */
    const char *cause;   /**< the doctor's cause id, "" if none fits */
    const char *text;    /**< what it means and the fix */
    bool connected;      /**< a "connected, but" code: the session is up, a check failed */
} tool_explain_result_t;

/** What @p table says of @p code into @p out, or @p none when it has no entry for it: the
 *  whole explanation of a stack that is one table. */
void tool_explain_from_table(const tool_explain_entry_t *table, size_t n, long code,
                             const char *none, tool_explain_result_t *out);

/** One stack `mqtls explain --stack` knows. */
typedef struct tool_explain_stack {
    const char *name;  /**< the --stack value */
    const char *about; /**< one line for --help and the output's first line */
    long min, max;     /**< the codes it has (a number outside is refused) */
    bool negative;     /**< its codes are negative: "468" is read as -468 */
    bool hex;          /**< CODE may be hex ("-0x2700"); a positive hex CODE keeps its sign */
    /** Explains @p code into @p out; @p name_buf holds a name built from parts. */
    void (*explain)(const struct tool_explain_stack *s, long code, tool_explain_result_t *out,
                    char *name_buf, size_t name_size);
    int chip;          /**< for explain(): which table (mqtls_sl_device_t for SimpleLink) */
    bool alias;        /**< another name of the row before it (left out when guessing) */
} tool_explain_stack_t;

/** The stacks, in --help order; the first is the default. */
extern const tool_explain_stack_t tool_explain_stacks[];
/** Their number. */
extern const size_t tool_explain_n_stacks;

/** The stack called @p name, NULL if none. */
const tool_explain_stack_t *tool_explain_stack(const char *name);

/**
 * Reads @p arg as a code of @p s: decimal, optionally signed; for a stack of negative codes
 * a positive number is read as its negative.
 * @return true and *@p code, or false (not a number, or outside the stack's range)
 */
bool tool_explain_parse_code(const tool_explain_stack_t *s, const char *arg, long *code);

/** What @p s says about @p code into @p r; @p name_buf (of @p name_size) backs r->name. */
void tool_explain_run(const tool_explain_stack_t *s, long code, tool_explain_result_t *r,
                      char *name_buf, size_t name_size);

/** Prints what @p s says about @p code to @p out, as text or (@p json) one JSON object;
 * returns 0, or TOOL_EXPLAIN_EXIT_UNKNOWN. */
int tool_explain_print(const tool_explain_stack_t *s, long code, bool json, FILE *out);

/** The Mbed TLS row's explain function (stack_mbedtls.c). */
void tool_explain_mbedtls(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                          char *name_buf, size_t name_size);
/** The OpenSSL rows' explain functions (stack_openssl.c): TLS alerts, X509_V_ERR codes. */
void tool_explain_openssl_alert(const tool_explain_stack_t *s, long code,
                                tool_explain_result_t *out, char *name_buf, size_t name_size);
void tool_explain_openssl_verify(const tool_explain_stack_t *s, long code,
                                 tool_explain_result_t *out, char *name_buf, size_t name_size);
/** Paho MQTT C / Embedded-C return codes (stack_paho.c). */
void tool_explain_paho(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                       char *name_buf, size_t name_size);
/** wolfSSL's error codes (stack_wolfssl.c). */
void tool_explain_wolfssl(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                          char *name_buf, size_t name_size);
/** The AWS IoT Device SDK for Embedded C v3's IoT_Error_t (stack_awssdk.c). */
void tool_explain_awssdk(const tool_explain_stack_t *s, long code, tool_explain_result_t *out,
                         char *name_buf, size_t name_size);
/** coreMQTT's MQTTStatus_t (stack_coremqtt.c). */
void tool_explain_coremqtt(const tool_explain_stack_t *s, long code,
                           tool_explain_result_t *out, char *name_buf, size_t name_size);

/** The option table of `mqtls explain` (docs/cli.md is checked against it). */
extern const tool_optset_t tool_explain_optset;

/** `mqtls explain`: @p argv[0] is "explain". Returns the exit status. */
int tool_explain_main(int argc, char **argv);

#endif
