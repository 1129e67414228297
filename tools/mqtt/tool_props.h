/**
 * @file tool_props.h
 * @brief `-D command identifier value`: MQTT 5.0 properties given on the command line, and
 *        the names of properties for printing them (-d, -F %j).
 */
#ifndef TOOL_PROPS_H
#define TOOL_PROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtls/codec.h"
#include "common/tool_util.h"

/** The packets (and the will) that -D can put properties on. */
typedef enum tool_pcmd {
    TOOL_P_CONNECT,
    TOOL_P_PUBLISH,
    TOOL_P_SUBSCRIBE,
    TOOL_P_UNSUBSCRIBE,
    TOOL_P_DISCONNECT,
    TOOL_P_WILL,
    TOOL_P_COUNT
} tool_pcmd_t;

/** The properties of one packet, with room for any number of user properties. */
typedef struct tool_propset {
    mqtls_props_t p;
    mqtls_user_prop_t *users;
    size_t n_users;
    size_t cap_users;
} tool_propset_t;

/** All properties given with -D. */
typedef struct tool_props {
    tool_propset_t set[TOOL_P_COUNT];
    bool any;   /**< at least one -D was given */
} tool_props_t;

/** How a property's value is written. */
typedef enum tool_ptype {
    TOOL_PT_BYTE,
    TOOL_PT_U16,
    TOOL_PT_U32,
    TOOL_PT_VBI,
    TOOL_PT_STR,
    TOOL_PT_BIN,
    TOOL_PT_PAIR
} tool_ptype_t;

/** One MQTT 5.0 property as the tool knows it. */
typedef struct tool_prop_def {
    const char *name;  /**< mosquitto's name, e.g. "content-type" */
    uint8_t id;        /**< MQTLS_PROP_* */
    uint8_t type;      /**< tool_ptype_t */
    uint8_t allowed;   /**< bit (1 << tool_pcmd_t) for each command that may carry it */
    uint32_t min;      /**< numeric range */
    uint32_t max;
} tool_prop_def_t;

/** Every property, in identifier order; ends with an entry whose name is NULL. */
extern const tool_prop_def_t tool_prop_defs[];

/**
 * Adds one -D property. @p args holds what follows -D: command, name, value (and a second
 * value for user-property); @p avail is how many there are.
 * @param[out] used how many of @p args the property took
 * @return TOOL_EXIT_OK, or TOOL_EXIT_USAGE after printing why
 */
int tool_props_add(tool_props_t *pr, char **args, int avail, int *used);

/** Makes each set's user-property pointers final; call after the last tool_props_add(). */
void tool_props_finish(tool_props_t *pr);

/** Does any -D name @p cmd? */
bool tool_props_has(const tool_props_t *pr, tool_pcmd_t cmd);

/** The name of @p cmd as -D spells it. */
const char *tool_pcmd_name(tool_pcmd_t cmd);

/** Frees the user-property arrays. */
void tool_props_free(tool_props_t *pr);

/**
 * Appends the value of property @p def from @p p to @p out as text (user properties and
 * subscription identifiers not included: they can repeat). Binary data is copied as is.
 * @return false when @p p does not hold the property
 */
bool tool_prop_text(const mqtls_props_t *p, const tool_prop_def_t *def, tool_buf_t *out);

/**
 * Appends every property of @p p, one "<indent>name: value" line each (user properties as
 * "user-property: key=value"). Used by -d.
 */
void tool_props_lines(const mqtls_props_t *p, const char *indent, tool_buf_t *out);

#endif
