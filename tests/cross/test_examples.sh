#!/usr/bin/env bash
# The cross build (Cortex-M4, arm-none-eabi-gcc): configures a fresh build directory, builds
# the core, the ports and the example firmware, whose link check (examples/sensor-node/
# check-symbols.cmake) must pass. Run by ctest as cross/examples when arm-none-eabi-gcc is
# installed.   Usage: test_examples.sh SOURCE_DIR [BUILD_TYPE]
set -euo pipefail
src=${1:?source directory}
type=${2:-MinSizeRel}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mqtls-cross-XXXXXX")
trap 'rm -rf "$dir"' EXIT
cmake -S "$src" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchain-arm-none-eabi.cmake" \
  -DCMAKE_BUILD_TYPE="$type"
cmake --build "$dir" --parallel 2
for t in mqtls_core mqtls_port_freertos mqtls_port_simplelink mqtls_port_lwip sensor_node; do
  f=$(find "$dir" -name "lib$t.a" | head -n 1)
  if [ -z "$f" ]; then
    echo "FAIL: lib$t.a was not built"
    [ "$t" = mqtls_port_lwip ] && echo "  (lwIP's headers are missing: apt-get install liblwip-dev, see scripts/bootstrap.sh)"
    exit 1
  fi
done
test -f "$dir/examples/sensor-node/sensor-node.o"
echo "cross build of the core, the ports and examples/sensor-node: ok"
