/**
 * @file gen_corpus.c
 * @brief Writes every golden vector of tests/unit/golden.h as one file into a directory:
 *        the seed corpus of fuzz_decode (tests/fuzz/corpus/decode/, committed).
 *
 *   fuzz_gen_corpus tests/fuzz/corpus/decode
 */
#include <stdio.h>

#include "golden.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < GOLDEN_COUNT; i++) {
        const golden_t *g = &golden_vectors[i];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], g->name);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(g->bytes, 1, g->len, f) != g->len || fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    printf("%zu seeds written to %s\n", (size_t)GOLDEN_COUNT, argv[1]);
    return 0;
}
