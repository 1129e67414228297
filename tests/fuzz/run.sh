#!/usr/bin/env bash
# Runs the fuzz targets built in a build directory (what `make fuzz` calls), two at a time,
# each for a time or a number of executions, and prints one line per target: executions,
# seconds, executions per second, result. Exits 1 if any target found something.
#
#   tests/fuzz/run.sh [-B BUILD_DIR] [-t SECONDS | -n RUNS [-m MAX_SECONDS]] [-j JOBS] [TARGET...]
#
#   -B   the build directory (default build-fuzz), configured with CC=clang -DMQTLS_FUZZ=ON
#   -t   seconds per target (default: $FUZZ_SECONDS, else 60)
#   -n   executions per target instead of a time (-runs=N; default: $FUZZ_RUNS if set)
#   -m   with -n: stop anyway after this many seconds (for a slow target)
#   -j   targets at a time (default: $FUZZ_JOBS, else 2)
#   TARGET  decode props x509 url dprop client store (default: all)
#
# Each target grows its own corpus in BUILD_DIR/fuzz/<target>/ (kept between runs) from the
# committed seeds in tests/fuzz/corpus/<target>/; logs and anything found go to
# BUILD_DIR/fuzz/<target>.log and BUILD_DIR/fuzz/<target>-crash-* (-leak-, -timeout-).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=build-fuzz
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}
max=
jobs=${FUZZ_JOBS:-2}
while getopts "B:t:n:m:j:" o; do
    case $o in
    B) build=$OPTARG ;;
    t) seconds=$OPTARG; runs= ;;
    n) runs=$OPTARG ;;
    m) max=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,19p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode props x509 url dprop client store)
build=$(cd "$build" && pwd) || { echo "no build directory $build" >&2; exit 2; }
out=$build/fuzz
mkdir -p "$out"

dict_of() {
    case $1 in
    x509) echo "$here/x509.dict" ;;
    url | dprop) echo "$here/cli.dict" ;;
    aws) echo "$here/aws.dict" ;;
    *) echo "$here/mqtt.dict" ;;
    esac
}

# One target: its stats line goes to $out/<target>.result.
run_one() {
    local t=$1 bin=$build/tests/fuzz/fuzz_$1 limit start end rc
    [ -x "$bin" ] || { echo "$t: $bin is not built" > "$out/$t.result"; return; }
    mkdir -p "$out/$t"
    if [ -n "$runs" ]; then
        limit=(-runs="$runs")
        [ -z "$max" ] || limit+=(-max_total_time="$max")
    else
        limit=(-max_total_time="$seconds")
    fi
    start=$(date +%s.%N)
    "$bin" "${limit[@]}" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="$(dict_of "$t")" -artifact_prefix="$out/$t-" "$out/$t" "$here/corpus/$t" \
        > "$out/$t.log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    local n sec rate res
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
    sec=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    rate=$(awk -v n="${n:-0}" -v s="$sec" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
    if [ $rc -eq 0 ]; then
        res=ok
    else
        res="FOUND (exit $rc): $(grep -m1 -E '^fuzz_[a-z0-9]+:|ERROR: [A-Za-z]+|runtime error' \
            "$out/$t.log" | cut -c1-120)"
    fi
    printf '%-8s %12s execs %9.1f s %9s exec/s  %s\n' "$t" "${n:-?}" "$sec" "$rate" "$res" \
        > "$out/$t.result"
}

running=0
for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

status=0
if [ -n "$runs" ]; then what="$runs executions${max:+, at most $max s}"; else what="$seconds s"; fi
echo "fuzz results (build $build; $what per target):"
for t in "${targets[@]}"; do
    cat "$out/$t.result"
    grep -q ' ok$' "$out/$t.result" || status=1
done
exit $status
