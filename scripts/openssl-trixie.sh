#!/usr/bin/env bash
# Runs a command on Debian 13 "trixie"'s OpenSSL (3.5) instead of this machine's (Debian 12:
# 3.0): its libraries, its `openssl` program, its legacy provider, with this machine's
# PKCS#11 engine. What is built here against Debian 12's headers runs on it unchanged (one
# soname, libssl.so.3), as it does on a machine upgraded to Debian 13; so do libmosquitto,
# mosquitto and softhsm2, which the tests and the bench start.
#
#   scripts/openssl-trixie.sh COMMAND [ARG...]
#     scripts/openssl-trixie.sh ctest --test-dir build --output-on-failure
#     scripts/openssl-trixie.sh build/bench/mqtls_bench --tls-only
#
# The first run fetches the `openssl` source package (scripts/trixie-source.sh) and builds
# it with OpenSSL's default configuration into .deps/openssl-trixie (MQTLS_DEPS_DIR moves
# .deps): about five minutes on two cores, which is why `make test` does not do it.
set -euo pipefail

[[ $# -gt 0 ]] || { sed -n '8,10p' "$0" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${MQTLS_DEPS_DIR:-$root/.deps}/openssl-trixie
src=$dir/src

if [[ ! -f $dir/built ]]; then
  "$root/scripts/trixie-source.sh" openssl 3. "$dir"
  echo "openssl-trixie: building OpenSSL $(cat "$dir/VERSION") in $src (log: $dir/build.log)"
  # Its compiled-in directories (configuration, providers, engines) are under $dir/inst,
  # so nothing of this machine's OpenSSL is read by mistake.
  (cd "$src" && ./Configure --prefix="$dir/inst" --libdir=lib --openssldir="$dir/inst/ssl" \
    shared no-tests no-docs && make -j"$(nproc)" build_libs apps/openssl build_modules) \
    >"$dir/build.log" 2>&1 ||
    { tail -20 "$dir/build.log" >&2; echo "openssl-trixie: the build failed" >&2; exit 1; }
  mkdir -p "$dir/inst/ssl" "$dir/inst/lib/ossl-modules" "$dir/inst/lib/engines-3"
  cp "$src/apps/openssl.cnf" "$dir/inst/ssl/"
  cp "$src/providers/legacy.so" "$dir/inst/lib/ossl-modules/"
  # The PKCS#11 engine (libengine-pkcs11-openssl) is built for Debian 12's libcrypto.so.3,
  # the same ABI.
  engines=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
  for e in "$engines"/*.so; do
    [[ -e $e ]] && ln -sf "$e" "$dir/inst/lib/engines-3/"
  done
  touch "$dir/built"
fi

export PATH=$src/apps:$PATH
export LD_LIBRARY_PATH=$src${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "openssl-trixie: $(openssl version)" >&2
exec "$@"
