# A thin wrapper over CMake for the everyday tasks; the build itself is in CMakeLists.txt.
#
#   make build   release build (RelWithDebInfo, gcc) in build/
#   make test    build/ with gcc + ctest, then build-asan/ with clang, ASan+UBSan and the
#                fuzz targets + ctest; stops at the first failure
#   make demo    scripts/demo.sh: a device publishing telemetry over mutual TLS to a private broker
#   make bench   the benchmarks (build/bench/mqtls_bench)
#   make size    Cortex-M4 code size, RAM and stack tables (scripts/size.sh --check)
#   make clean   removes build/ and build-asan/
#
# Every target first runs scripts/bootstrap.sh, which installs missing Debian packages.

JOBS ?= 2
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
BUILD_TYPE ?= RelWithDebInfo
CMAKE_ARGS ?= # more -D options for both build directories (they come last, so they win)

# CC only matters when a build directory is configured for the first time; later runs
# keep the compiler recorded in its cache.
CMAKE_GCC = CC=gcc cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)
CMAKE_ASAN = CC=clang cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	-DMQTLS_SANITIZE=ON -DMQTLS_FUZZ=ON $(CMAKE_ARGS)
CTEST = ctest --output-on-failure -j$(JOBS)

# Sanitizer reports must fail the test and say where: stacks, symbolized.
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

# cmake --build runs make below us: keep its "Entering directory" lines out of the log.
MAKEFLAGS += --no-print-directory

.PHONY: all bootstrap build test demo bench size clean

all: build

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	$(CMAKE_GCC)
	cmake --build $(BUILD_DIR) --parallel $(JOBS)

test: build
	cd $(BUILD_DIR) && $(CTEST)
	$(CMAKE_ASAN)
	cmake --build $(ASAN_DIR) --parallel $(JOBS)
	cd $(ASAN_DIR) && $(CTEST)

demo: build
	scripts/demo.sh

bench: build
	$(BUILD_DIR)/bench/mqtls_bench

size: bootstrap
	scripts/size.sh --check

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
