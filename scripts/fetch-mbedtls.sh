#!/usr/bin/env bash
# Fetches Mbed TLS 3.6 LTS, the device TLS library, as Debian ships it: the `mbedtls` source
# package of Debian 13 "trixie" (and its security updates), unpacked with Debian's patches.
#
#   scripts/fetch-mbedtls.sh [DIR]     (DIR: .deps/mbedtls; MQTLS_DEPS_DIR=... moves .deps)
#
# apt does the fetch, through a private configuration kept in DIR/apt: its own source list,
# lists and cache, so the machine's apt sources are not changed and no root is needed. apt
# checks the source package against trixie's signed Release file (Debian's archive keyring),
# and dpkg-source checks the files against the .dsc before unpacking. The tree ends up in
# DIR/src (library/, include/), which CMake compiles with the project's own configuration
# header (cmake/mbedtls.cmake); DIR/VERSION names the Debian version it came from.
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
for tool in apt-get dpkg-source; do
  command -v "$tool" >/dev/null || { echo "fetch-mbedtls: $tool not found (Debian: apt, dpkg-dev)" >&2; exit 1; }
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $keyring ]] || { echo "fetch-mbedtls: $keyring missing (Debian: debian-archive-keyring)" >&2; exit 1; }

apt=$dir/apt
rm -rf "$apt" "$dir/src" "$dir/VERSION"
mkdir -p "$apt/sources" "$apt/prefs" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/get"
cat >"$apt/sources/trixie.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: $keyring

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: $keyring
EOF
cat >"$apt/apt.conf" <<EOF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$apt/sources";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$apt/prefs";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
EOF
export APT_CONFIG=$apt/apt.conf

echo "fetch-mbedtls: reading Debian trixie's source index (private apt configuration in $apt)"
apt-get -q update -o Debug::NoLocking=1 >"$apt/update.log" 2>&1 ||
  { cat "$apt/update.log" >&2; echo "fetch-mbedtls: apt-get update failed" >&2; exit 1; }
# The newest 3.6.x that trixie (or its security suite) has: the LTS branch only.
version=$(apt-cache -o Debug::NoLocking=1 showsrc mbedtls 2>/dev/null |
  sed -n 's/^Version: \(3\.6\.[^ ]*\)$/\1/p' | sort -V | tail -1)
[[ -n $version ]] || { echo "fetch-mbedtls: no mbedtls 3.6 source package in trixie" >&2; exit 1; }
(cd "$apt/get" && apt-get -q -o Debug::NoLocking=1 source --download-only "mbedtls=$version") \
  >"$apt/source.log" 2>&1 ||
  { cat "$apt/source.log" >&2; echo "fetch-mbedtls: apt-get source mbedtls=$version failed" >&2; exit 1; }
dsc=$(ls "$apt"/get/mbedtls_*.dsc)
dpkg-source -x "$dsc" "$dir/src" >"$apt/unpack.log" 2>&1 ||
  { cat "$apt/unpack.log" >&2; echo "fetch-mbedtls: dpkg-source -x failed" >&2; exit 1; }
grep -q '#define MBEDTLS_VERSION_STRING *"3\.6\.' "$dir/src/include/mbedtls/build_info.h" ||
  { echo "fetch-mbedtls: $dsc is not Mbed TLS 3.6" >&2; exit 1; }
rm -f "$apt"/get/*.orig.tar.* # the unpacked tree is what the build uses
echo "$version" >"$dir/VERSION"
echo "fetch-mbedtls: Mbed TLS $version (Debian trixie) in $dir/src"
