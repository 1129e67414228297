/**
 * @file test_sensor_node_cc3200.c
 * @brief The CC3200 variant of the example firmware's provisioning
 *        (examples/sensor-node/provision.c built for the CC3200 SDK 1.x file API) over the
 *        emulated network processor in the CC3200 SDK's shapes (mqtls_sl_host_cc3200):
 *        the files land as "/cert/<id>.der" with their content, are written once, and a
 *        file whose allocation is too small for its new content is an error, not a
 *        silent truncation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor_node.h"
#include "sl_emu.h"
#include "test.h"

static char store[64];

static const unsigned char ca[] = "CA certificate bytes (DER in real life)";
static const unsigned char cert[] = "device certificate bytes";
static const unsigned char key[] = "device key bytes";

static const sensor_node_file_t files[] = {
    {SENSOR_NODE_ID_FILE(128), ca, sizeof ca, false},
    {SENSOR_NODE_ID_FILE(127), cert, sizeof cert, false},
    {SENSOR_NODE_ID_FILE(126), key, sizeof key, true},
};

/* The store holds exactly @p data under @p name. */
static bool holds(const char *name, const unsigned char *data, size_t len)
{
    size_t got = 0;
    uint8_t *b = sl_emu_get(name, &got);
    bool same = b != NULL && got == len && memcmp(b, data, len) == 0;
    free(b);
    return same;
}

TEST(files_by_id_are_written_once)
{
    char name[32];
    REQUIRE(sl_emu_reset(store, SL_EMU_CC3200) == 0);
    REQUIRE_EQ_INT(sensor_node_provision(files, 3, false), 0);
    CHECK(strcmp(files[0].name, sl_emu_id_name(128, name, sizeof name)) == 0);
    CHECK(holds(sl_emu_id_name(128, name, sizeof name), ca, sizeof ca));
    CHECK(holds(sl_emu_id_name(127, name, sizeof name), cert, sizeof cert));
    CHECK(holds(sl_emu_id_name(126, name, sizeof name), key, sizeof key));
    CHECK_EQ_INT(sl_emu_open_files(), 0);
    unsigned writes = sl_emu_fs_writes();
    CHECK(writes >= 3);
    REQUIRE_EQ_INT(sensor_node_provision(files, 3, false), 0); /* all there: no write */
    CHECK_EQ_INT((int)sl_emu_fs_writes(), (int)writes);
}

TEST(a_file_that_does_not_fit_is_an_error)
{
    static const unsigned char longer[] = "a CA certificate longer than the file it replaces";
    const sensor_node_file_t f = {SENSOR_NODE_ID_FILE(128), longer, sizeof longer, false};
    REQUIRE(sl_emu_reset(store, SL_EMU_CC3200) == 0);
    REQUIRE_EQ_INT(sensor_node_provision(files, 1, false), 0);
    CHECK_EQ_INT(sensor_node_provision(&f, 1, false), -1);
    CHECK(holds(files[0].name, ca, sizeof ca)); /* the old copy is untouched */
    CHECK_EQ_INT(sl_emu_open_files(), 0);
}

int main(int argc, char **argv)
{
    test_main_begin(argc, argv);
    snprintf(store, sizeof store, "/tmp/mqtls-snc3200-%ld", (long)getpid());
    RUN(files_by_id_are_written_once);
    RUN(a_file_that_does_not_fit_is_an_error);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", store);
    return test_main_end();
}
