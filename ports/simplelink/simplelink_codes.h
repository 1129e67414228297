/**
 * @file simplelink_codes.h
 * @brief The code tables behind mqtls_simplelink_explain(), one per chip, and what
 *        `mqtls explain` reads from them beyond the public explanation (TI's name of a code,
 *        whether a table names it at all). Internal to the port and the tool.
 *
 * The two SDK generations number many codes differently (ports/simplelink/SOURCES.md, section 1): the
 * CC3200 SDK 1.x's TLS library codes are -130 ... -291, the CC32xx SDK's the same codes
 * minus 500; DNS and file-system codes differ entirely. A code is therefore looked up in
 * its chip's table (simplelink_codes_cc3200.c, simplelink_codes_cc3220.c) and then in the
 * table of codes both SDKs give the same number and meaning (simplelink_codes.c).
 */
#ifndef MQTLS_SIMPLELINK_CODES_H
#define MQTLS_SIMPLELINK_CODES_H

#include <stddef.h>
#include <stdint.h>

#include "mqtls/config.h"
#include "mqtls/transport_simplelink.h"

#if MQTLS_CFG_TEXT
#define MQTLS__SL_TXT(s) s
#else
#define MQTLS__SL_TXT(s) ""
#endif

/** mqtls__sl_code_t::flags: a "connected, but" code (the TLS session is up, a check failed). */
#define MQTLS__SL_CONNECTED 0x01u
/** mqtls__sl_code_t::flags (shared table): @c name is the part after the SDK's prefix,
 *  "SL_" on the CC3200 SDK 1.x, "SL_ERROR_BSD_" on the CC32xx SDK. */
#define MQTLS__SL_BSD_NAME 0x02u
/** mqtls__sl_code_t::flags (shared table): the CC32xx SDK's errors.h has no name for it
 *  (alerts -344, -345, -346, -348; SOURCES.md 1b). */
#define MQTLS__SL_NO_CC3220_NAME 0x04u

/** One code of a table. */
typedef struct mqtls__sl_code {
    int16_t code;
    uint8_t status;   /**< mqtls_status_t */
    uint8_t flags;    /**< MQTLS__SL_* */
    const char *name; /**< TI's name ("" if TI names none; "" with MQTLS_CFG_TEXT=0) */
    const char *cause; /**< the doctor's cause id, "" if none fits */
    const char *text; /**< meaning and fix ("" with MQTLS_CFG_TEXT=0) */
} mqtls__sl_code_t;

/** An entry of a table: the name and the text are compiled out with MQTLS_CFG_TEXT=0. */
#define MQTLS__SL_E(code, st, flags, name, cause, text)                                        \
    {code, (uint8_t)(st), flags, MQTLS__SL_TXT(name), cause, MQTLS__SL_TXT(text)}

/** The CC3200 SDK 1.x table and its length (simplelink_codes_cc3200.c). */
extern const mqtls__sl_code_t mqtls__sl_codes_cc3200[];
extern const size_t mqtls__sl_codes_cc3200_n;
/** The CC32xx SDK (CC3220) table and its length (simplelink_codes_cc3220.c). */
extern const mqtls__sl_code_t mqtls__sl_codes_cc3220[];
extern const size_t mqtls__sl_codes_cc3220_n;

/**
 * The @p i-th entry that explains codes of @p chip: its own table first, then the shared
 * one (an entry of the shared table that the chip's table overrides is skipped).
 * @return the entry, or NULL past the last one or for an unknown @p chip
 */
const mqtls__sl_code_t *mqtls__sl_code_at(mqtls_sl_device_t chip, size_t i);

/** The entry that names @p code for @p chip, or NULL if no table names it. */
const mqtls__sl_code_t *mqtls__sl_code_find(mqtls_sl_device_t chip, int code);

/**
 * TI's name of @p e's code on @p chip, in two parts to print one after the other: *prefix
 * ("", "SL_" or "SL_ERROR_BSD_") and the returned rest.
 * @return the rest, or NULL when the chip's SDK gives the code no name
 */
const char *mqtls__sl_code_name(mqtls_sl_device_t chip, const mqtls__sl_code_t *e,
                                const char **prefix);

#endif
