#!/usr/bin/env bash
# Static checks of the library (src/ and include/): cppcheck and clang-tidy, both must be clean.
#
#   scripts/static_check.sh              both
#   scripts/static_check.sh cppcheck     cppcheck only
#   scripts/static_check.sh clang-tidy   clang-tidy only
#
# cppcheck checks every source file in four configurations (the hosted default and the three
# device configurations of scripts/size.sh) with the project's include path; its system and
# Mbed TLS headers are not parsed (the usual cppcheck practice). clang-tidy uses the checks
# in .clang-tidy and the compile commands of a CMake configure of the library alone in
# $MQTLS_STATIC_DIR (default build-static; configure only, nothing is built).
#
# A false positive is suppressed where it is reported, with its reason in the same comment:
#   /* cppcheck-suppress <id> ; <reason> */   on the line before, for cppcheck
#   /* NOLINT(<check>) */ or NOLINTNEXTLINE(<check>) with the reason, for clang-tidy
#
# Prints every finding, then one summary line; exits 1 on findings, 2 when a tool is missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${MQTLS_STATIC_DIR:-$root/build-static}
[[ $dir = /* ]] || dir=$PWD/$dir
cd "$root"

what=${1:-all}
case $what in
  all | cppcheck | clang-tidy) ;;
  *) echo "usage: $0 [cppcheck|clang-tidy]" >&2; exit 2 ;;
esac
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
logs="$dir/static-logs"
mkdir -p "$logs"

mapfile -t sources < <(find src -name '*.c' | sort)
summary=()
failed=0

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "static_check: $1 not found (run scripts/bootstrap.sh)" >&2
  exit 2
}

# ---- cppcheck ----------------------------------------------------------------------------
run_cppcheck() {
  need cppcheck
  local device="-DMQTLS_CFG_SYNC=0 -DMQTLS_CFG_TEXT=0 -DMQTLS_CFG_SERVER_CODEC=0"
  local -a names=(default device 3.1.1-only qos1)
  local -A defs=(
    [default]=""
    [device]="$device"
    [3.1.1-only]="$device -DMQTLS_CFG_MQTT5=0"
    [qos1]="$device -DMQTLS_CFG_QOS2=0"
  )
  local n=0 c cfg log rc
  for cfg in "${names[@]}"; do
    log="$logs/cppcheck-$cfg.txt"
    # shellcheck disable=SC2086 # the definitions are split into words on purpose
    cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
      --library=posix --inline-suppr --error-exitcode=1 -j "$jobs" \
      --suppress=missingIncludeSystem \
      -I include -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D__linux__ ${defs[$cfg]} \
      --template='{file}:{line}:{column}: {severity}: {message} [{id}] ('"$cfg"')' \
      "${sources[@]}" include >"$log" 2>&1 && rc=0 || rc=$?
    ((rc == 0 || rc == 1)) || echo "cppcheck exit $rc ($cfg)" >>"$log"
    # cppcheck writes findings only (--quiet): anything in the log is one
    if [[ -s $log ]]; then
      cat "$log"
      c=$(grep -c '\[[A-Za-z0-9_]*\] (' "$log" || true)
      n=$((n + (c > 0 ? c : 1))) # output without an id (cppcheck failed) still fails
    fi
  done
  summary+=("cppcheck: $n finding(s) in ${#sources[@]} files x ${#names[@]} configurations")
  [[ $n -eq 0 ]] || failed=1
}

# ---- clang-tidy --------------------------------------------------------------------------
run_clang_tidy() {
  need clang-tidy
  need cmake
  need python3
  # Configure only: compile_commands.json is written at generate time. Twice: the default
  # backend (OpenSSL) and the mbedtls one, whose files need Mbed TLS 3.6's headers and the
  # device configuration (scripts/fetch-mbedtls.sh).
  local b
  for b in openssl mbedtls; do
    cmake -S . -B "$dir/$b" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DMQTLS_BUILD_TOOLS=OFF \
      -DMQTLS_BUILD_TESTS=OFF -DMQTLS_BUILD_BENCH=OFF -DMQTLS_SANITIZE=OFF -DMQTLS_TLS=$b \
      >"$logs/cmake-$b.txt" 2>&1 ||
      { cat "$logs/cmake-$b.txt"; echo "static_check: cmake configure failed ($b)" >&2; exit 2; }
  done
  # Each file is in three targets (core, static, shared): keep the mqtls_static commands,
  # which cover every library file with its POSIX definitions; a file both configures
  # compile (all but the backends) is taken from the first.
  mkdir -p "$dir/tidy-db"
  python3 - "$dir/tidy-db/compile_commands.json" "$dir/openssl/compile_commands.json" \
    "$dir/mbedtls/compile_commands.json" <<'EOF'
import json, sys
keep, seen = [], set()
for path in sys.argv[2:]:
    for e in json.load(open(path)):
        if "/mqtls_static.dir/" in e.get("command", " ".join(e.get("arguments", []))) \
                and e["file"] not in seen:
            seen.add(e["file"])
            keep.append(e)
json.dump(keep, open(sys.argv[1], "w"), indent=1)
EOF
  rm -f "$logs"/tidy-*.txt
  # One clang-tidy per file, $jobs at a time, each into its own log.
  # shellcheck disable=SC2016 # the inner shell expands them
  printf '%s\0' "${sources[@]}" | xargs -0 -P "$jobs" -I{} sh -c '
    log="$1/tidy-$(echo "$2" | tr / _).txt"
    clang-tidy --quiet -p "$3" --header-filter="^$4/(src|include)/" "$2" >"$log" 2>&1 ||
      echo "clang-tidy exit $? on $2" >>"$log"' _ "$logs" {} "$dir/tidy-db" "$root" || true
  local n=0 c log
  for log in "$logs"/tidy-*.txt; do
    # Drop the "N warnings generated." chatter; what is left is findings (with context).
    if grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log" | grep -q .; then
      grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log"
      c=$(grep -c -E ': (warning|error): ' "$log" || true)
      n=$((n + (c > 0 ? c : 1))) # a failure without a diagnostic line still fails
    fi
  done
  summary+=("clang-tidy: $n finding(s) in ${#sources[@]} files")
  [[ $n -eq 0 ]] || failed=1
}

[[ $what == clang-tidy ]] || run_cppcheck
[[ $what == cppcheck ]] || run_clang_tidy

result=$([[ $failed -eq 0 ]] && echo PASS || echo FAIL)
joined=$(printf '%s; ' "${summary[@]}")
echo "static_check: $result: ${joined%; }"
exit $failed
