#!/usr/bin/env bash
# Fetches Mbed TLS 3.6 LTS, the device TLS library, as Debian ships it: the `mbedtls` source
# package of Debian 13 "trixie" (and its security updates), unpacked with Debian's patches
# (scripts/trixie-source.sh: apt with a private configuration, checked against trixie's
# signed Release file and the .dsc).
#
#   scripts/fetch-mbedtls.sh [DIR]     (DIR: .deps/mbedtls; MQTLS_DEPS_DIR=... moves .deps)
#
# The tree ends up in DIR/src (library/, include/), which CMake compiles with the project's
# own configuration header (cmake/mbedtls.cmake); DIR/VERSION names the Debian version it
# came from.
#
# Does nothing when DIR/VERSION exists. A firmware project that has its SDK's Mbed TLS 3.6
# skips this and points CMake at it: -DMQTLS_MBEDTLS_SOURCE_DIR=/path/to/mbedtls.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dir=${1:-${MQTLS_DEPS_DIR:-$PWD/.deps}/mbedtls}
if [[ -f "$dir/VERSION" && -f "$dir/src/include/mbedtls/ssl.h" ]]; then
  echo "fetch-mbedtls: Mbed TLS $(cat "$dir/VERSION") in $dir/src"
  exit 0
fi
# The LTS branch only: the newest 3.6.x that trixie (or its security suite) has.
scripts/trixie-source.sh mbedtls 3.6. "$dir"
grep -q '#define MBEDTLS_VERSION_STRING *"3\.6\.' "$dir/src/include/mbedtls/build_info.h" ||
  { rm -f "$dir/VERSION"; echo "fetch-mbedtls: $dir/src is not Mbed TLS 3.6" >&2; exit 1; }
echo "fetch-mbedtls: Mbed TLS $(cat "$dir/VERSION") (Debian trixie) in $dir/src"
