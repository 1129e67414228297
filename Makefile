# A thin wrapper over CMake for the everyday tasks; the build itself is in CMakeLists.txt.
#
#   make build   release build (RelWithDebInfo, gcc) in build/
#   make test    build/ with gcc + ctest (which includes the static checks and the integration
#                tests under valgrind: labels static, valgrind), then build-asan/ with clang,
#                ASan+UBSan and the fuzz targets + ctest, then build-mbedtls/ with the Mbed TLS
#                backend (-DMQTLS_TLS=mbedtls) + the TLS and doctor tests (label tls); stops at
#                the first failure
#   make check-static    cppcheck + clang-tidy on the library (scripts/static_check.sh)
#   make check-valgrind  the integration tests under valgrind memcheck (scripts/valgrind_tests.sh)
#   make demo    scripts/demo.sh: a device publishing telemetry over mutual TLS to a private broker;
#                then scripts/demo-aws.sh: a device (examples/shadow-device) keeping its Device
#                Shadow in sync against `mqtls awslocal`; builds only what they run (the tool,
#                the broker launcher, the awslocal plugin, the device) and installs only the
#                packages they need (scripts/bootstrap.sh demo)
#   make bench   the benchmarks (build/bench/mqtls_bench), then the device TLS heap table:
#                mqtls_bench --device-heap built on Mbed TLS in the device configuration
#                (build-bench-mbedtls/: -DMQTLS_TLS=mbedtls -DMQTLS_BUILD_BENCH=ON)
#   make size    Cortex-M4 code size, RAM and stack tables (scripts/size.sh --check), then the
#                device bill: the linked minimal mutual-TLS client image, flash and static RAM
#                per part, its stack (scripts/size_device.sh --check)
#   make fuzz    builds the libFuzzer targets in build-fuzz/ (clang) and runs each one for
#                FUZZ_SECONDS (default 60) or FUZZ_RUNS executions, two at a time
#                (tests/fuzz/run.sh; docs/reliability.md, "Fuzzing")
#   make clean   removes build/, build-asan/, build-mbedtls/ and build-bench-mbedtls/
#
# Every target first runs scripts/bootstrap.sh, which installs missing Debian packages.
#
# Warnings are errors here (WERROR=ON: -DMQTLS_WERROR=ON), as in CI: this Makefile is the
# developers' entry point. A plain `cmake -B b && cmake --build b` leaves them warnings.

JOBS ?= 2
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
MBEDTLS_DIR ?= build-mbedtls
BUILD_TYPE ?= RelWithDebInfo
WERROR ?= ON
CMAKE_ARGS ?= # more -D options for both build directories (they come last, so they win)

# CC only matters when a build directory is configured for the first time; later runs
# keep the compiler recorded in its cache.
CMAKE_GCC = CC=gcc cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	-DMQTLS_WERROR=$(WERROR) $(CMAKE_ARGS)
CMAKE_ASAN = CC=clang cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	-DMQTLS_WERROR=$(WERROR) -DMQTLS_SANITIZE=ON -DMQTLS_FUZZ=ON $(CMAKE_ARGS)
CMAKE_MBEDTLS = CC=gcc cmake -S . -B $(MBEDTLS_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	-DMQTLS_WERROR=$(WERROR) -DMQTLS_TLS=mbedtls -DMQTLS_BUILD_BENCH=OFF $(CMAKE_ARGS)
BENCH_MBEDTLS_DIR ?= build-bench-mbedtls
CMAKE_BENCH_MBEDTLS = CC=gcc cmake -S . -B $(BENCH_MBEDTLS_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	-DMQTLS_WERROR=$(WERROR) -DMQTLS_TLS=mbedtls -DMQTLS_BUILD_BENCH=ON -DMQTLS_BUILD_TESTS=OFF \
	-DMQTLS_BUILD_TOOLS=OFF $(CMAKE_ARGS)
CTEST = ctest --output-on-failure -j$(JOBS)

# Sanitizer reports must fail the test and say where: stacks, symbolized.
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

# cmake --build runs make below us: keep its "Entering directory" lines out of the log.
MAKEFLAGS += --no-print-directory

.PHONY: all bootstrap build test check-static check-valgrind demo bench size fuzz clean

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
	$(CMAKE_MBEDTLS)
	cmake --build $(MBEDTLS_DIR) --parallel $(JOBS)
	cd $(MBEDTLS_DIR) && $(CTEST) -L tls

check-static: bootstrap
	MQTLS_STATIC_DIR=$(BUILD_DIR)/static JOBS=$(JOBS) scripts/static_check.sh

check-valgrind: build
	JOBS=$(JOBS) scripts/valgrind_tests.sh -B $(BUILD_DIR)

# What scripts/demo.sh runs. They are built in $(BUILD_DIR) with its usual configuration,
# so a `make test` afterwards builds only the rest.
DEMO_TARGETS = mqtls mqtls_test_broker awslocal_plugin shadow-device

# A newcomer's first run: another compiler's new warning must not stop it (DEMO_WERROR=OFF);
# the next `make test` turns -Werror back on (a reconfigure; only these targets rebuild).
DEMO_WERROR ?= OFF

demo:
	@scripts/bootstrap.sh demo
	$(CMAKE_GCC) -DMQTLS_WERROR=$(DEMO_WERROR)
	cmake --build $(BUILD_DIR) --parallel $(JOBS) --target $(DEMO_TARGETS)
	MQTLS_BIN=$(BUILD_DIR)/tools/mqtls MQTLS_BROKER_BIN=$(BUILD_DIR)/tests/mqtls_test_broker \
		scripts/demo.sh
	MQTLS_BIN=$(BUILD_DIR)/tools/mqtls \
		MQTLS_SHADOW_DEVICE_BIN=$(BUILD_DIR)/examples/shadow-device/shadow-device \
		scripts/demo-aws.sh

# Both parts run even when the first reports a failure; make fails if either did.
bench: build
	$(CMAKE_BENCH_MBEDTLS)
	cmake --build $(BENCH_MBEDTLS_DIR) --parallel $(JOBS) --target mqtls_bench
	rc=0; $(BUILD_DIR)/bench/mqtls_bench || rc=1; \
		$(BENCH_MBEDTLS_DIR)/bench/mqtls_bench --device-heap || rc=1; exit $$rc

# Both tables print even when the first misses its target; the exit status is the first
# failure's (77: a target missed, with its figure).
size: bootstrap
	rc=0; scripts/size.sh --check || rc=$$?; scripts/size_device.sh --check || \
		{ r=$$?; [ $$rc -ne 0 ] || rc=$$r; }; exit $$rc

FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_TARGETS ?= decode props x509 url dprop client store aws

fuzz: bootstrap
	CC=clang cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DMQTLS_FUZZ=ON \
		-DMQTLS_BUILD_BENCH=OFF -DMQTLS_WERROR=$(WERROR) $(CMAKE_ARGS)
	cmake --build $(FUZZ_DIR) --parallel $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	tests/fuzz/run.sh -B $(FUZZ_DIR) -j $(JOBS) -t $(FUZZ_SECONDS) \
		$(if $(FUZZ_RUNS),-n $(FUZZ_RUNS)) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(MBEDTLS_DIR) $(BENCH_MBEDTLS_DIR)
