#!/usr/bin/env bash
# Issue #11, the command-line points: usage errors before connecting, bounded input, the
# receive buffer option, output safety and pipes, server DISCONNECT, refused CONNECTs,
# QoS 2 against brokers that do not do it, Ctrl-C during a blocked send, and `sub -C` not
# acknowledging what it does not print. Hostile brokers are tests/brokers/mqtls_fake_broker.
. "$(dirname "$0")/lib.sh"


# A port nothing listens on: a usage error must be found before connecting (exit 2, not 3).
NOPORT=$(free_port)
N=(-p "$NOPORT")

# ---- 11. usage errors before connecting -------------------------------------------------
expect 2 "the host name is empty" pub -h '' "${N[@]}" -t a -m x
expect 2 "the host name is empty" sub -h '' "${N[@]}" -t a
expect 2 "invalid publish topic" pub "${N[@]}" -t $'bad\xff/topic' -m x
expect 2 "invalid publish topic" pub "${N[@]}" -t $'nul\xc0\x80' -m x
expect 2 "--cafile is empty" pub "${N[@]}" -t a -m x --cafile ''
: > "$WORK/empty.pem"
expect 2 "the CA file '$WORK/empty.pem' (--cafile) is empty (0 bytes)" \
    sub "${N[@]}" -t a --cafile "$WORK/empty.pem"
expect 2 "the CA directory '$WORK/nodir' cannot be used: No such file" \
    pub "${N[@]}" -t a -m x --capath "$WORK/nodir"
expect 2 "(--capath) is not a directory" pub "${N[@]}" -t a -m x --capath "$WORK/empty.pem"
PKI=$WORK/pki
mqtls pki init "$PKI" > /dev/null || die "pki init failed"
mqtls pki device "$PKI" dev1 > /dev/null || die "pki device failed"
CA=(--cafile "$PKI/ca.crt")
[ -f "$PKI/ca.crt" ] || CA=(--cafile "$(ls "$PKI"/*.crt | head -1)")
expect 2 "--cert and --key are swapped" pub "${N[@]}" -t a -m x "${CA[@]}" \
    --cert "$PKI/dev1/private.key" --key "$PKI/dev1/cert.crt"
expect 2 "--cert and --key are swapped" sub "${N[@]}" -t a "${CA[@]}" \
    --cert "$PKI/dev1/private.der" --key "$PKI/dev1/cert.der"
expect 2 "it holds a private key, not a certificate" pub "${N[@]}" -t a -m x "${CA[@]}" \
    --cert "$PKI/dev1/private.key" --key "$PKI/dev1/private.key"
expect 2 "it holds a certificate, not a private key" pub "${N[@]}" -t a -m x "${CA[@]}" \
    --cert "$PKI/dev1/cert.crt" --key "$PKI/dev1/cert.crt"
# The right order passes the checks: the failure is then the connection (exit 3).
expect 3 "could not connect" pub "${N[@]}" -h 127.0.0.1 -t a -m x "${CA[@]}" \
    --cert "$PKI/dev1/cert.crt" --key "$PKI/dev1/private.key"

# ---- 6. pub -f / -s read no more than the protocol allows ---------------------------------
# Topic "a", QoS 0, 3.1.1: 268435455 - 3 bytes of payload at most.
# In 1 GB of address space: reading on and on would run out of memory instead of failing.
# (Not under AddressSanitizer, which reserves terabytes of shadow address space at start.)
if grep -qa __asan_init "$MQTLS_BIN"; then
    limited() { timeout "$T" "$MQTLS_BIN" "$@"; }
else
    limited() { ( ulimit -v 1000000; exec timeout "$T" "$MQTLS_BIN" "$@" ); }
fi
RUN=limited
expect 2 "at most 268435452 bytes of payload" pub "${N[@]}" -t a -f /dev/zero
assert_contains "$ERR" "268435455" "the protocol's limit is named"
limited pub "${N[@]}" -t a -s < /dev/zero > /dev/null 2> "$WORK/stdin.err"
assert_status 2 $? "-s from an endless stdin"
assert_contains "$(cat "$WORK/stdin.err")" "stdin is too large" "stdin: says so"
# QoS 1 and a longer topic leave less room.
expect 2 "at most 268435444 bytes" pub "${N[@]}" -t abcdefg -q 1 -f /dev/zero
# Exactly the largest payload is not a usage error: the tool goes on to connect.
truncate -s 268435452 "$WORK/max"
expect 3 "could not connect" pub "${N[@]}" -h 127.0.0.1 -t a -f "$WORK/max"
truncate -s 268435453 "$WORK/max"
expect 2 "is too large" pub "${N[@]}" -h 127.0.0.1 -t a -f "$WORK/max"
rm -f "$WORK/max"
RUN=mqtls

# ---- 15. big messages: sub's receive buffer comes from --max-packet-size ------------------
start_broker
head -c 16777216 /dev/urandom > "$WORK/16m"
mpub -t big/16m -r -f "$WORK/16m" || die "mosquitto_pub of 16 MB failed"
mqtls sub -p "$PORT" -t big/16m -C 1 -N > "$WORK/16m.out" 2> "$WORK/16m.err"
assert_status 0 $? "3.1.1: a 16 MB retained message with the default buffer"
assert_file_eq "$WORK/16m" "$WORK/16m.out" "the 16 MB message arrives whole"
mqtls sub -p "$PORT" -V 5 -t big/16m -C 1 -N > "$WORK/16m5.out" 2> "$WORK/16m5.err"
assert_status 0 $? "5.0: the same with the default buffer"
assert_file_eq "$WORK/16m" "$WORK/16m5.out" "5.0: the 16 MB message arrives whole"
expect 1 "raise it with --max-packet-size BYTES" sub -p "$PORT" -t big/16m -C 1 \
    --max-packet-size 100000
assert_contains "$ERR" "packet of 16777230 bytes" "the packet's size is named"
assert_contains "$ERR" "(100000 bytes)" "the buffer's size is named"
expect 2 "invalid maximum packet size '10'" sub -p "$PORT" -t a --max-packet-size 10
mpub -t big/16m -r -n

# ---- 10. output safety and pipes ----------------------------------------------------------
# `| head -1`: the closed pipe ends sub normally (exit 0, as mosquitto_sub).
start_broker
( mqtls sub -p "$PORT" -i pipe -t pipe/t | head -1 > "$WORK/head.out"; echo "${PIPESTATUS[0]}" > "$WORK/head.rc" ) &
BG_PIDS+=($!)
wait_subscribed pipe pipe/t
mpub -t pipe/t -m first
for i in $(seq 1 100); do [ -s "$WORK/head.out" ] && break; sleep 0.05; done
sleep 0.3 # head has exited: the next write meets a closed pipe
mpub -t pipe/t -m second
mpub -t pipe/t -m third
for i in $(seq 1 100); do [ -s "$WORK/head.rc" ] && break; sleep 0.1; done
assert_eq first "$(cat "$WORK/head.out")" "| head -1 gets the first message"
assert_eq 0 "$(cat "$WORK/head.rc" 2> /dev/null)" "sub | head -1 exits 0"

# in_pty ARGS...: runs mqtls in a pseudo-terminal; prints what it wrote, repr()'d by Python
# (raw ESC shows as \x1b, an escaped one as \\x1b).
in_pty() {
    timeout "$T" python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
os.waitpid(pid, 0)
print(repr(out))' "$MQTLS_BIN" "$@"
}
start_fake ctl-topic
# The fake broker's topic: "ctl/" ESC "[2J" ESC "]0;owned" BEL "/" U+009B "31m"; payload
# "p" ESC "[0m".
out=$(in_pty sub -p "$FAKE_PORT" -t a -v -C 1)
assert_contains "$out" 'ctl/\\x1b[2J\\x1b]0;owned\\x07/\\u009b31m p\x1b[0m' \
    "terminal, -v: control characters of the topic escaped, the payload raw"
out=$(in_pty sub -p "$FAKE_PORT" -t a -F '%t|%p' -C 1 -V 5)
assert_contains "$out" 'ctl/\\x1b[2J\\x1b]0;owned\\x07/\\u009b31m|p\x1b[0m' \
    "terminal, -F %t: the same"
mqtls sub -p "$FAKE_PORT" -t a -v -C 1 > "$WORK/ctl.out"
printf 'ctl/\033[2J\033]0;owned\007/\302\23331m p\033[0m\n' > "$WORK/ctl.want"
assert_file_eq "$WORK/ctl.want" "$WORK/ctl.out" "not a terminal: the topic as it came"
stop_fake

# ---- 9. a broker's DISCONNECT is shown; taken over: no reconnect; shutting down: reconnect --
start_fake disconnect 142
expect 1 'Session taken over (reason code 0x8E): "fake broker: disconnect 142"' \
    sub -V 5 -p "$FAKE_PORT" -t a
assert_contains "$ERR" "not reconnecting" "taken over: says it does not reconnect"
stop_fake
start_fake disconnect 139
expect 27 'the broker disconnected: Server shutting down (reason code 0x8B): "fake broker: disconnect 139"' \
    sub -V 5 -p "$FAKE_PORT" -t a -W 2
assert_contains "$ERR" "reconnected" "shutting down: sub reconnects"
stop_fake
start_fake disconnect 152
expect 1 'Administrative action (reason code 0x98): "fake broker: disconnect 152"' \
    sub -V 5 -p "$FAKE_PORT" -t a -W 5
stop_fake
# mosquitto: a second client with the same id takes the session over. Mosquitto sends the
# DISCONNECT 0x8E since 2.0.15 (mosquitto issue #2607); before, it only closes the connection.
mver=$(mosquitto -h 2>/dev/null | awk '/version/ { print $3; exit }')
if [ "$(printf '%s\n' 2.0.15 "$mver" | sort -V | head -1)" = 2.0.15 ]; then
    bg "$WORK/taken" mqtls sub -p "$PORT" -V 5 -i twin -t twin/t
    wait_subscribed twin twin/t
    mqtls sub -p "$PORT" -V 5 -i twin -t twin/t -E > /dev/null 2>&1
    wait_bg "$BG"
    assert_status 1 "$RC" "mosquitto: the first of two clients with one id ends"
    assert_contains "$(cat "$WORK/taken.err")" "Session taken over (reason code 0x8E)" \
        "mosquitto: session taken over, in words"
else
    echo "skip - mosquitto $mver does not send DISCONNECT 0x8E on a takeover (2.0.15 does)"
fi

# ---- 2. sub -C N acknowledges only what it prints -----------------------------------------
# Messages queued for an offline persistent session arrive in one read; -C 1 takes one and
# leaves the others unacknowledged, so the next run of the session gets them.
for q in 1 2; do
    mqtls sub -p "$PORT" -c -i keep$q -q $q -t keep/$q -E > /dev/null 2>&1 \
        || fail "QoS $q: cannot make the session"
    for i in 1 2 3 4 5; do mpub -q $q -t keep/$q -m "m$i"; done
    mqtls sub -p "$PORT" -c -i keep$q -q $q -t keep/$q -C 1 > "$WORK/c1" 2> "$WORK/c1.err"
    assert_status 0 $? "QoS $q: -C 1"
    assert_eq m1 "$(cat "$WORK/c1")" "QoS $q: -C 1 prints the first message"
    mqtls sub -p "$PORT" -c -i keep$q -q $q -t keep/$q -C 4 -W 5 > "$WORK/c4" 2> "$WORK/c4.err"
    assert_status 0 $? "QoS $q: the next run gets the rest"
    assert_eq "m2 m3 m4 m5" "$(tr '\n' ' ' < "$WORK/c4" | sed 's/ $//')" \
        "QoS $q: the 4 messages -C 1 did not print, in order"
done
# After its DISCONNECT the client reads until the broker closes: closing at once would
# answer what the broker still sends with a reset, and a broker may drop a reset connection
# without reading what it had not yet read (the last PUBREC, the DISCONNECT): the message
# came again on the next run (seen in CI for the QoS 2 case above).
for cmd in "pub -t a -m x -q 1" "sub -t a -E"; do
    start_fake talk-after-disconnect
    # shellcheck disable=SC2086
    mqtls $cmd -p "$FAKE_PORT" > /dev/null 2>&1
    for i in $(seq 1 100); do [ -s "$FAKE_ERR" ] && break; sleep 0.02; done
    assert_eq lingered "$(cat "$FAKE_ERR")" "${cmd%% *}: reads until the broker closes after DISCONNECT"
    stop_fake
done
# --retained-only ends at the first live message without taking it.
mqtls sub -p "$PORT" -c -i ronly -q 1 -t ronly/t -E > /dev/null 2>&1
mpub -q 1 -t ronly/t -m live
mqtls sub -p "$PORT" -c -i ronly -q 1 -t ronly/t --retained-only -W 5 > "$WORK/ro" 2>&1
assert_status 0 $? "--retained-only ends at a live message"
mqtls sub -p "$PORT" -c -i ronly -q 1 -t ronly/t -C 1 -W 5 > "$WORK/ro2" 2>&1
assert_eq live "$(cat "$WORK/ro2")" "the live message is left to the next run"

# ---- 7. a refused reconnect that retrying cannot heal ends sub and pub -l -------------------
# The fake broker accepts the first connection, closes it, then refuses with CODE.
refused() { # VERSION CODE WORDS COMMAND...
    local v=$1 code=$2 words=$3
    shift 3
    start_fake connack "$code" --first-ok
    local t0=$SECONDS
    expect 4 "$words" "$@" -V "$v" -p "$FAKE_PORT"
    [ $((SECONDS - t0)) -le 4 ] && pass "promptly" || fail "took $((SECONDS - t0)) s"
    assert_contains "$ERR" "not retrying" "-V $v code $code: says it stops"
    stop_fake
}
refused 311 5 "Connection Refused, not authorized (return code 5)" sub -t a
refused 311 4 "bad user name or password (return code 4)" sub -t a
refused 5 0x87 "Not authorized (reason code 135)" sub -t a
refused 5 0x85 "Client Identifier not valid (reason code 133)" sub -t a
refused 311 2 "identifier rejected (return code 2)" pub -t a -l < <(sleep 8)
refused 5 0x86 "Bad User Name or Password (reason code 134)" pub -t a -l < <(sleep 8)

# ---- 14. QoS 2 against brokers that do not do it -------------------------------------------
start_fake puback-qos2
expect 1 "the broker does not support QoS 2" pub -p "$FAKE_PORT" -t a -q 2 -m x
assert_contains "$ERR" "took it at QoS 1" "PUBACK for QoS 2: downgrade named"
expect 1 "the broker does not support QoS 2" pub -p "$FAKE_PORT" -V 5 -t a -q 2 -l < <(seq 1 5)
expect 0 "" pub -p "$FAKE_PORT" -t a -q 1 -m x
stop_fake
start_fake no-ack
t0=$SECONDS
expect 1 "no acknowledgement from the broker for 2 s (--ack-timeout): 1 message(s) not acknowledged" \
    pub -p "$FAKE_PORT" -t a -q 2 -m x --ack-timeout 2
assert_contains "$ERR" "does not support QoS 2" "no answer to QoS 2: the likely cause"
[ $((SECONDS - t0)) -le 5 ] && pass "gave up after the ack timeout" || fail "took $((SECONDS - t0)) s"
expect 1 "3 message(s) not acknowledged" pub -p "$FAKE_PORT" -t a -q 1 -l -M 3 \
    --ack-timeout 1 < <(seq 1 10)
expect 2 "invalid acknowledgement timeout 'x'" pub -p "$FAKE_PORT" -t a -m x --ack-timeout x
stop_fake

# ---- 3. Ctrl-C during a blocked send -------------------------------------------------------
head -c 30000000 /dev/zero > "$WORK/30m"
for q in 0 1; do
    start_fake no-read
    "$MQTLS_BIN" pub -p "$FAKE_PORT" -t a -q $q -f "$WORK/30m" > /dev/null 2> "$WORK/int.err" &
    pid=$!
    BG_PIDS+=("$pid")
    # Ctrl-C once the send is blocked: bytes wait in the kernel's send queue towards the
    # broker that does not read (a fixed sleep was too short for a loaded sanitizer build,
    # which was still reading the file or connecting).
    for i in $(seq 1 300); do
        sendq=$(ss -tnH state established "( dport = :$FAKE_PORT )" 2> /dev/null |
                awk '{ print $2; exit }')
        [ "${sendq:-0}" -gt 0 ] && break
        sleep 0.05
    done
    sleep 0.3
    t0=$(date +%s%N)
    kill -INT "$pid"
    for i in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.05; done
    took=$((($(date +%s%N) - t0) / 1000000))
    wait "$pid"
    rc=$?
    [ "$took" -le 1500 ] && pass "QoS $q: exits ${took} ms after SIGINT" \
        || fail "QoS $q: still running ${took} ms after SIGINT"
    [ "$rc" -ne 0 ] && pass "QoS $q: non-zero exit ($rc)" || fail "QoS $q: exit 0 after SIGINT"
    assert_contains "$(cat "$WORK/int.err")" "interrupted while sending" "QoS $q: says why"
    stop_fake
done
rm -f "$WORK/30m"

finish
