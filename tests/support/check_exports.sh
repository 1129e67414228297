#!/bin/sh
# The library exports its public API and nothing else (docs/design.md, "Layout"):
#  - every symbol `nm -D --defined-only` finds in the shared library is declared with
#    MQTLS_API in include/mqtls/ (the build's -fvisibility=hidden hides the rest);
#  - every global symbol of the static library is either such a public name or an internal
#    one with the internal prefix mqtls__ (so that a name says which it is, and none can
#    clash with the TLS library's own names, e.g. OpenSSL's ossl_*).
# Usage: check_exports.sh libmqtls.so libmqtls.a include/mqtls
set -eu
so=$1 a=$2 inc=$3
for f in "$so" "$a"; do [ -f "$f" ] || { echo "no such library: $f"; exit 1; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Public names: identifiers in a declaration that carries MQTLS_API (one line each).
grep -h 'MQTLS_API' "$inc"/*.h | grep -o 'mqtls_[a-z0-9_]*' | sort -u >"$tmp/public"
[ -s "$tmp/public" ] || { echo "no MQTLS_API declaration under $inc"; exit 1; }
nm -D --defined-only "$so" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/exported"
[ -s "$tmp/exported" ] || { echo "$so exports nothing: nothing was checked"; exit 1; }
nm -g --defined-only "$a" | awk 'NF == 3 && $2 ~ /[TDRBC]/ { print $3 }' | sort -u >"$tmp/global"
status=0
extra=$(comm -23 "$tmp/exported" "$tmp/public")
if [ -n "$extra" ]; then
  echo "exported by $so but not public API:"; echo "$extra" | sed 's/^/  /'; status=1
fi
unprefixed=$(comm -23 "$tmp/global" "$tmp/public" | grep -v '^mqtls__' || true)
if [ -n "$unprefixed" ]; then
  echo "global in $a, not public API and without the internal prefix mqtls__:"
  echo "$unprefixed" | sed 's/^/  /'; status=1
fi
[ $status -eq 0 ] && echo "$(wc -l <"$tmp/exported") exported symbols, all public API;" \
  "$(grep -c '^mqtls__' "$tmp/global" || true) internal ones hidden, all mqtls__"
exit $status
