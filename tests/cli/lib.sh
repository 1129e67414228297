# Shared helpers for the command-line tests (tests/cli/test_*.sh). Source it first.
#
# Environment (set by ctest, see tests/CMakeLists.txt):
#   MQTLS_BIN          the built mqtls tool
#   MQTLS_BROKER_BIN   the mqtls_test_broker helper (start/stop a private mosquitto)
#   MQTLS_SOURCE_DIR   the source tree (optional)
#   MQTLS_FAKE_BROKER_BIN  the mqtls_fake_broker helper (a server that fails on purpose;
#                      only the tests that call start_fake need it)
#
# Every command runs under `timeout`, so a hang fails the test instead of blocking it.

set -u

: "${MQTLS_BIN:?MQTLS_BIN must name the built mqtls tool}"
: "${MQTLS_BROKER_BIN:?MQTLS_BROKER_BIN must name the mqtls_test_broker helper}"

T=${MQTLS_CLI_TIMEOUT:-20}           # seconds any one command may take
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mqtls-$TEST_NAME-XXXXXX")
CHECKS=0
FAILS=0
BROKER_DIRS=()
BG_PIDS=()

# Stops what the test started: background clients, brokers, the scratch directory.
cleanup() {
    local p d
    for p in "${BG_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for d in "${BROKER_DIRS[@]}"; do
        "$MQTLS_BROKER_BIN" stop "$d" >/dev/null 2>&1
    done
    if [ "$FAILS" -eq 0 ] || [ -z "${MQTLS_CLI_KEEP:-}" ]; then
        rm -rf "$WORK"
    else
        echo "scratch directory kept: $WORK"
    fi
}
trap cleanup EXIT

pass() { CHECKS=$((CHECKS + 1)); echo "ok   - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL - $*"; }

# die MESSAGE: the test cannot go on.
die() { echo "FATAL - $*"; exit 1; }

# start_broker [CONFIG-LINE...]: starts a private mosquitto; sets PORT, BROKER_DIR, BROKER_LOG.
# (Un)subscriptions are logged, so wait_subscribed can tell when a subscriber is ready.
start_broker() {
    local dir conf
    dir=$(mktemp -d "$WORK/broker-XXXXXX")
    conf="$dir.conf"
    printf '%s\n' "log_type subscribe" "log_type unsubscribe" "$@" > "$conf"
    PORT=$(timeout "$T" "$MQTLS_BROKER_BIN" start "$dir" "$conf") || die "cannot start a broker"
    BROKER_DIRS+=("$dir")
    BROKER_DIR=$dir
    BROKER_LOG=$dir/mosquitto.log
}

# free_port: a port that was free a moment ago (brokers retry when it was taken meanwhile).
free_port() {
    if command -v python3 > /dev/null; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

# start_tls_broker CONFIG-LINE...: a broker with a plain listener ($PORT) and a TLS listener
# ($TLS_PORT, on 127.0.0.1) configured by the lines given; sets BROKER_LOG.
start_tls_broker() {
    local dir
    for _ in 1 2 3 4 5; do
        TLS_PORT=$(free_port)
        dir=$(mktemp -d "$WORK/broker-XXXXXX")
        printf '%s\n' "log_type subscribe" "log_type unsubscribe" \
            "listener $TLS_PORT 127.0.0.1" "$@" > "$dir.conf"
        if PORT=$(timeout "$T" "$MQTLS_BROKER_BIN" start "$dir" "$dir.conf" 2> "$dir.err"); then
            BROKER_DIRS+=("$dir")
            BROKER_LOG=$dir/mosquitto.log
            return 0
        fi
    done
    cat "$dir.err" "$dir/mosquitto.log" 2> /dev/null
    die "cannot start a TLS broker"
}

# start_fake MODE [ARG] [OPTION...]: starts mqtls_fake_broker (tests/brokers) in the background;
# sets FAKE_PORT, FAKE_PID and FAKE_ERR (its stderr). It is stopped at the end (or with stop_fake).
start_fake() {
    : "${MQTLS_FAKE_BROKER_BIN:?MQTLS_FAKE_BROKER_BIN must name the mqtls_fake_broker helper}"
    local out i
    out=$(mktemp "$WORK/fake-XXXXXX")
    "$MQTLS_FAKE_BROKER_BIN" "$@" --lifetime 120 > "$out" 2> "$out.err" &
    FAKE_PID=$!
    BG_PIDS+=("$FAKE_PID")
    for i in $(seq 1 200); do
        [ -s "$out" ] && break
        sleep 0.02
    done
    FAKE_PORT=$(head -1 "$out")
    FAKE_ERR=$out.err
    [ -n "$FAKE_PORT" ] || die "mqtls_fake_broker $* did not start: $(cat "$out.err")"
}

# stop_fake: stops the last fake broker.
stop_fake() {
    kill "$FAKE_PID" 2> /dev/null
    wait "$FAKE_PID" 2> /dev/null
}

# The TLS library the tool was built with ("OpenSSL 3.0.19", "Mbed TLS 3.6.6"), and the TLS
# version it negotiates with a broker that speaks both (1.3 with either).
TLS_LIBRARY=$("$MQTLS_BIN" --version 2> /dev/null | sed -n 's/^TLS: //p')
TLS_BEST=TLSv1.3
tls_is_openssl() { case "$TLS_LIBRARY" in OpenSSL*) return 0 ;; esac; return 1; }

# mqtls ARGS...: the tool under test, with a time limit.
mqtls() { timeout "$T" "$MQTLS_BIN" "$@"; }

# mpub / msub ARGS...: mosquitto's own clients against the test broker.
mpub() { timeout "$T" mosquitto_pub -h 127.0.0.1 -p "$PORT" "$@"; }
msub() { timeout "$T" mosquitto_sub -h 127.0.0.1 -p "$PORT" "$@"; }

# bg OUTFILE COMMAND...: runs COMMAND in the background, stdout to OUTFILE, stderr to
# OUTFILE.err; sets BG (its pid).
bg() {
    local out=$1
    shift
    "$@" > "$out" 2> "$out.err" &
    BG=$!
    BG_PIDS+=("$BG")
}

# wait_bg PID: waits for a background command; sets RC to its exit status.
wait_bg() {
    wait "$1"
    RC=$?
}

# wait_subscribed CLIENT-ID FILTER: waits until the broker logged the subscription.
wait_subscribed() {
    local i
    for i in $(seq 1 200); do
        if awk -v id="$1" -v f="$2" '$2 == id && $4 == f { found = 1 } END { exit !found }' \
            "$BROKER_LOG" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    fail "$1 never subscribed to '$2' (broker log: $BROKER_LOG)"
    return 1
}

# wait_unsubscribed CLIENT-ID FILTER: waits until the broker logged the unsubscription.
wait_unsubscribed() {
    local i
    for i in $(seq 1 200); do
        if awk -v id="$1" -v f="$2" 'NF == 3 && $2 == id && $3 == f { found = 1 }
            END { exit !found }' "$BROKER_LOG" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    fail "$1 never unsubscribed from '$2' (broker log: $BROKER_LOG)"
    return 1
}

# wait_file FILE TEXT [WHAT]: waits (up to 10 s) until FILE contains TEXT; fails saying WHAT.
wait_file() {
    local i
    for i in $(seq 1 200); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "${3:-"'$2' never appeared in $1"}"
    return 1
}

# wait_log TEXT: waits until the broker's log contains TEXT.
wait_log() {
    wait_file "$BROKER_LOG" "$1" "the broker never logged '$1' (broker log: $BROKER_LOG)"
}

# expect STATUS MESSAGE-FRAGMENT ARGS...: runs mqtls ARGS (or $RUN ARGS), checks the exit
# status and that stderr holds the fragment and no sanitizer report; stderr is left in $ERR.
expect() {
    local want=$1 frag=$2
    shift 2
    ${RUN:-mqtls} "$@" > "$WORK/out" 2> "$WORK/err"
    local rc=$?
    ERR=$(cat "$WORK/err")
    if [ "$rc" -eq "$want" ]; then
        pass "mqtls $* -> exit $rc"
    else
        fail "mqtls $*: expected exit $want, got $rc (stderr: $ERR)"
    fi
    assert_contains "$ERR" "$frag" "mqtls $* says '$frag'"
    assert_not_contains "$ERR" "Sanitizer" "mqtls $*: no sanitizer report"
}

# assert_eq EXPECTED ACTUAL WHAT
assert_eq() {
    if [ "$1" == "$2" ]; then
        pass "$3"
    else
        fail "$3: expected [$1], got [$2]"
    fi
}

# assert_status EXPECTED ACTUAL WHAT: an exit status.
assert_status() {
    if [ "$1" -eq "$2" ]; then
        pass "$3 (exit $2)"
    else
        fail "$3: expected exit status $1, got $2"
    fi
}

# assert_contains HAYSTACK NEEDLE WHAT
assert_contains() {
    case "$1" in
        *"$2"*) pass "$3" ;;
        *) fail "$3: [$2] not found in [$1]" ;;
    esac
}

# assert_not_contains HAYSTACK NEEDLE WHAT
assert_not_contains() {
    case "$1" in
        *"$2"*) fail "$3: [$2] found in [$1]" ;;
        *) pass "$3" ;;
    esac
}

# assert_file_eq EXPECTED-FILE ACTUAL-FILE WHAT: byte for byte.
assert_file_eq() {
    if cmp -s "$1" "$2"; then
        pass "$3"
    else
        fail "$3: $2 differs from $1 ($(wc -c < "$1") vs $(wc -c < "$2") bytes)"
    fi
}

# finish: checks that no background command reported a sanitizer error, prints the summary
# and exits with the result.
finish() {
    local f
    for f in "$WORK"/*.err "$WORK"/err; do
        [ -f "$f" ] || continue
        if grep -qE 'Sanitizer|runtime error:' "$f"; then
            fail "sanitizer report in $(basename "$f"): $(grep -m1 -E 'Sanitizer|runtime error:' "$f")"
        fi
    done
    echo "# $TEST_NAME: $((CHECKS - FAILS))/$CHECKS checks passed"
    [ "$FAILS" -eq 0 ]
    exit $?
}
