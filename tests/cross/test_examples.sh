#!/usr/bin/env bash
# The cross build (Cortex-M4, arm-none-eabi-gcc): configures a fresh build directory, builds
# the core, the AWS IoT device helpers (src/aws/), the ports (the SimpleLink transport both
# ways: CC32xx SDK and CC3200 SDK 1.x), the TLS transport on Mbed TLS 3.6 in the device
# configuration, and the example firmware for a CC3220, for a CC3200 and over lwIP (TLS on
# Mbed TLS linked in), whose link checks (examples/sensor-node/check-symbols.cmake) must
# pass. Run by ctest as cross/examples when arm-none-eabi-gcc is installed.
# Usage: test_examples.sh SOURCE_DIR [BUILD_TYPE [MBEDTLS_SOURCE_DIR]]
set -euo pipefail
src=${1:?source directory}
type=${2:-MinSizeRel}
mbed=${3:-$src/.deps/mbedtls/src}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mqtls-cross-XXXXXX")
trap 'rm -rf "$dir"' EXIT
cmake -S "$src" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchain-arm-none-eabi.cmake" \
  -DCMAKE_BUILD_TYPE="$type" -DMQTLS_MBEDTLS_SOURCE_DIR="$mbed"
cmake --build "$dir" --parallel 2
for t in mqtls_core mqtls_aws mqtls_port_freertos mqtls_port_simplelink mqtls_port_simplelink_cc3200 \
  mqtls_port_lwip mqtls_mbedtls_device mqtls_tls sensor_node sensor_node_cc3200 sensor_node_lwip; do
  f=$(find "$dir" -name "lib$t.a" | head -n 1)
  if [ -z "$f" ]; then
    echo "FAIL: lib$t.a was not built"
    [ "$t" = mqtls_port_lwip ] && echo "  (lwIP's headers are missing: apt-get install liblwip-dev, see scripts/bootstrap.sh)"
    [ "$t" = mqtls_mbedtls_device ] && echo "  (Mbed TLS 3.6's sources are missing in $mbed: scripts/fetch-mbedtls.sh)"
    exit 1
  fi
done
# Each SimpleLink library was compiled for its SDK: the select helpers it calls say which.
nm_=$(command -v arm-none-eabi-nm)
sl_uses() { "$nm_" -u "$(find "$dir" -name "lib$1.a" | head -n 1)" | grep -w "$2" >/dev/null; }
sl_uses mqtls_port_simplelink SL_SOCKET_FD_SET || { echo "FAIL: mqtls_port_simplelink is not a CC32xx SDK build"; exit 1; }
sl_uses mqtls_port_simplelink_cc3200 SL_FD_SET || { echo "FAIL: mqtls_port_simplelink_cc3200 is not a CC3200 SDK build"; exit 1; }
for o in sensor-node.o sensor-node-cc3200.o sensor-node-lwip.o; do
  test -f "$dir/examples/sensor-node/$o" || { echo "FAIL: examples/sensor-node/$o was not linked"; exit 1; }
done
# The lwIP firmware carries Mbed TLS (linked in, not left to the board).
"$nm_" --defined-only "$dir/examples/sensor-node/sensor-node-lwip.o" | grep -w mbedtls_ssl_handshake_step >/dev/null ||
  { echo "FAIL: sensor-node-lwip.o does not carry Mbed TLS"; exit 1; }
echo "cross build of the core, the AWS IoT device helpers, the ports (SimpleLink: CC32xx and CC3200 SDK), the TLS transport on Mbed TLS 3.6 and examples/sensor-node (CC3220, CC3200, lwIP + Mbed TLS): ok"
