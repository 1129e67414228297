#!/usr/bin/env bash
# The integration tests under valgrind memcheck: no invalid access, no use of uninitialised
# memory, no definite leak, in the library or the tests.
#
#   scripts/valgrind_tests.sh [-B build-dir] [test ...]
#
#   -B dir    a build tree configured WITHOUT sanitizers (default: $MQTLS_VALGRIND_BUILD, or
#             build/ in the checkout)
#   test      names like test_pubsub (integration/ and .c are optional); default: the eight
#             in ALL, in this script
#
# Each test binary runs under
#   valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no
# without --trace-children: mosquitto and the other programs the tests start are not traced
# (a child forked by a test and not exec'd, like the raw TLS peer of tls_fixture.c, is still
# checked, and reports into the same log). Tests run $JOBS at a time (default: the number of
# cores). Logs go to <build-dir>/valgrind/<test>.log, and a failing test's log is printed.
# Ends with one summary line; exits 1 if any test failed or valgrind found an error, 2 on bad
# usage or a missing build.
#
# Environment: MQTLS_VALGRIND_TIMEOUT (seconds per test, default 900), JOBS, MQTLS_BIN (the
# CLI the TLS fixture uses; default <build-dir>/tools/mqtls), VALGRIND_OPTS (more options).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

ALL=(test_pubsub test_session test_retained_will test_limits test_interop test_keepalive test_tls
  test_tls_fail)

build=${MQTLS_VALGRIND_BUILD:-$root/build}
tests=()
while (($#)); do
  case $1 in
    -B) build=${2:?-B needs a directory}; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "valgrind_tests: unknown option $1" >&2; exit 2 ;;
    *) t=${1#integration/}; tests+=("${t%.c}"); shift ;;
  esac
done
((${#tests[@]})) || tests=("${ALL[@]}")

[[ $build = /* ]] || build=$PWD/$build
command -v valgrind >/dev/null ||
  { echo "valgrind_tests: valgrind not found (run scripts/bootstrap.sh)" >&2; exit 2; }
if grep -qs '^MQTLS_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "valgrind_tests: $build is a sanitizer build; valgrind needs one without" >&2
  exit 2
fi
for t in "${tests[@]}"; do
  [[ -x $build/tests/integration_$t ]] ||
    { echo "valgrind_tests: $build/tests/integration_$t not built" >&2; exit 2; }
done

export MQTLS_BIN=${MQTLS_BIN:-$build/tools/mqtls}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
timeout_s=${MQTLS_VALGRIND_TIMEOUT:-900}
logs=$build/valgrind
mkdir -p "$logs"

# One test: its output and valgrind's report in one log; "<test> <status> <seconds>" on stdout.
run_one() {
  local t=$1 log=$logs/$1.log start rc
  start=$(date +%s)
  set +e
  # shellcheck disable=SC2086 # VALGRIND_OPTS is split into words on purpose
  timeout -k 10 "$timeout_s" valgrind --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite --track-fds=no --num-callers=30 ${VALGRIND_OPTS:-} \
    "$build/tests/integration_$t" >"$log" 2>&1
  rc=$?
  set -e
  local status=ok
  if ((rc == 124 || rc == 137)); then
    status="timeout(${timeout_s}s)"
  elif grep -q '== ERROR SUMMARY: [1-9]' "$log"; then
    status=valgrind-errors
  elif ! grep -q '== ERROR SUMMARY: ' "$log"; then
    status="no-valgrind-report(exit=$rc)"
  elif ((rc != 0)); then
    status="test-failed(exit=$rc)"
  fi
  echo "$t $status $(($(date +%s) - start))"
}
export -f run_one
export build logs timeout_s

echo "valgrind_tests: ${#tests[@]} test(s) from $build, $jobs at a time"
start=$(date +%s)
# shellcheck disable=SC2016 # the inner shell expands it
results=$(printf '%s\n' "${tests[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {})

bad=()
while read -r t status secs; do
  printf '  %-20s %-22s %4ss\n' "$t" "$status" "$secs"
  [[ $status == ok ]] || bad+=("$t")
done <<<"$results"
for t in "${bad[@]}"; do
  echo "---- $logs/$t.log"
  cat "$logs/$t.log"
done
total=$(($(date +%s) - start))
if ((${#bad[@]})); then
  echo "valgrind_tests: FAIL: ${#bad[@]} of ${#tests[@]} test(s): ${bad[*]} (${total}s)"
  exit 1
fi
echo "valgrind_tests: PASS: ${#tests[@]} test(s) memcheck clean (${total}s)"
