/**
 * @file golden.h
 * @brief The golden vectors: whole MQTT packets with the fields they carry, read at run time
 *        from the text files of tests/data/golden (format: tests/data/golden/README.md).
 *
 * The vectors are data so that capturing new ones (scripts/capture_golden.sh) or reviewing
 * them needs no C, and so that a test can be pointed at a deliberately broken copy
 * (MQTLS_GOLDEN_DIR) to see it fail. Any fault in the files (an unknown key, a field the
 * packet type does not have, a bad hex byte, a missing file) ends the program with the file
 * and line: a vector is never skipped quietly.
 *
 * @code
 * golden_load(GOLDEN_DEFAULT_DIR);      // once, in main()
 * for (size_t i = 0; i < golden_count; i++) {
 *     const golden_t *g = &golden_vectors[i];
 *     ... mqtls_decode(g->bytes, g->len, g->version, ...), compare with g->want ...
 * }
 * @endcode
 */
#ifndef MQTLS_TEST_GOLDEN_H
#define MQTLS_TEST_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

#include "mqtls/codec.h"

#ifdef MQTLS_SOURCE_DIR
/** Where the vectors are in the source tree. */
#define GOLDEN_DEFAULT_DIR MQTLS_SOURCE_DIR "/tests/data/golden"
#endif

/** How mqtls_encode() of the expected fields relates to the vector's bytes. */
typedef enum golden_form {
    GOLDEN_EXACT,     /**< the same bytes */
    GOLDEN_REORDERED, /**< same length, properties in the encoder's order */
    GOLDEN_LOSSY      /**< the encode API cannot express all of it (decode-only) */
} golden_form_t;

/** One vector: its bytes and the packet they carry, in the form mqtls_encode() takes. */
typedef struct golden {
    const char *name;    /**< the record's [name], unique */
    const char *about;   /**< where the bytes come from (command, specification section) */
    const char *file;    /**< the data file, for messages */
    mqtls_version_t version;
    golden_form_t form;
    const uint8_t *bytes;
    size_t len;
    mqtls_packet_t want; /**< the fields; strings and arrays live as long as the program */
} golden_t;

/** A remaining length / variable byte integer example and its encoding. */
typedef struct golden_rl {
    uint32_t value;
    uint8_t bytes[4];
    uint8_t n;
} golden_rl_t;

/** The packet vectors, in file then record order (filled by golden_load()). */
extern const golden_t *golden_vectors;
extern size_t golden_count;
/** The remaining length examples (filled by golden_load()). */
extern const golden_rl_t *golden_rl;
extern size_t golden_rl_count;

/**
 * Reads every DIR/packets/ *.txt (in name order) and DIR/remaining_length.txt, where DIR is
 * $MQTLS_GOLDEN_DIR if set, else @p dir. Exits the program with a message on any fault,
 * or if no vector was found. Calling it again does nothing.
 */
void golden_load(const char *dir);

/** The vector named @p name; exits the program if there is none. */
const golden_t *golden_find(const char *name);

#endif /* MQTLS_TEST_GOLDEN_H */
