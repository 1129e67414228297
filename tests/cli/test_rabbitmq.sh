#!/usr/bin/env bash
# mqtls against a second broker: RabbitMQ's MQTT plugin (Debian's rabbitmq-server, MQTT
# 3.1.1 only), as a private node started for this test (tests/support/rabbitmq.sh). Checks
# where RabbitMQ differs from mosquitto (docs/brokers.md): no MQTT 5, QoS 2 downgraded to
# QoS 1 (a QoS 2 PUBLISH is answered with PUBACK, a QoS 2 SUBSCRIBE granted QoS 1), and a
# persistent session that holds every queued message until it is acknowledged.
# Skipped (exit 77) when rabbitmq-server is not installed.
. "$(dirname "$0")/lib.sh"

RABBITMQ_SH=$(dirname "$0")/../support/rabbitmq.sh
if ! bash "$RABBITMQ_SH" available; then
    echo "SKIP - rabbitmq-server (with its MQTT plugin) is not installed"
    exit 77
fi

RMQ_DIR=$WORK/rabbitmq
stop_rabbitmq() {
    bash "$RABBITMQ_SH" stop "$RMQ_DIR"
    cleanup
}
trap stop_rabbitmq EXIT

PORT=$(bash "$RABBITMQ_SH" start "$RMQ_DIR" $$) || die "cannot start a RabbitMQ node"

# wait_output FILE TEXT: waits until FILE (a background command's output) contains TEXT.
# RabbitMQ does not log subscriptions: the subscriber's -d line "Subscribed" says the
# SUBACK came, so the binding exists.
wait_output() {
    wait_file "$1" "$2" || { cat "$1" "$1.err" 2> /dev/null; return 1; }
}

# messages FILE: the lines printed with -F 'msg|...', without the -d lines around them.
messages() { grep '^msg|' "$1" | tr '\n' ' ' | sed 's/ $//'; }

# --- QoS 0 and 1 round trips, MQTT 3.1.1
for q in 0 1; do
    bg "$WORK/sub$q" mqtls sub -p "$PORT" -q "$q" -t "rmq/rt/$q" -C 1 -d -F "msg|%t|%p|%q"
    wait_output "$WORK/sub$q" "Subscribed"
    mqtls pub -p "$PORT" -q "$q" -t "rmq/rt/$q" -m "hello $q"
    assert_status 0 $? "mqtls pub -q $q to RabbitMQ"
    wait_bg "$BG"
    assert_status 0 "$RC" "mqtls sub -q $q -C 1 from RabbitMQ"
    assert_eq "msg|rmq/rt/$q|hello $q|$q" "$(messages "$WORK/sub$q")" "round trip at QoS $q"
done

# --- A retained message reaches a later subscriber, with the retain flag.
mqtls pub -p "$PORT" -q 1 -r -t rmq/retained -m kept
assert_status 0 $? "mqtls pub -r to RabbitMQ"
out=$(mqtls sub -p "$PORT" -q 1 -t rmq/retained -C 1 -F 'msg|%r|%p')
assert_status 0 $? "mqtls sub gets the retained message"
assert_eq "msg|1|kept" "$out" "retained message and its flag"

# --- MQTT 5: RabbitMQ 3.x cannot parse the CONNECT and closes the connection without
# CONNACK. mqtls must end at once with the connect failure (exit 3), saying so.
for cmd in "pub -m x" "sub -C 1"; do
    out=$(mqtls ${cmd%% *} -p "$PORT" -V 5 -t rmq/v5 ${cmd#* } 2>&1)
    assert_status 3 $? "mqtls ${cmd%% *} -V 5 is refused"
    assert_contains "$out" "could not connect" "mqtls ${cmd%% *} -V 5 says it could not connect"
    assert_contains "$out" "closed by the peer" "mqtls ${cmd%% *} -V 5 says the broker closed"
done

# --- QoS 2 publish (issue #11 point 14): RabbitMQ answers PUBACK. mqtls must end within
# the time limit with a non-zero exit and a message naming QoS 2, not wait for a PUBREC
# that never comes. The broker took the message at QoS 1: a subscriber gets it.
bg "$WORK/q2" mqtls sub -p "$PORT" -q 1 -t rmq/q2 -C 1 -d -F 'msg|%p|%q'
wait_output "$WORK/q2" "Subscribed"
# qos2_refused WHAT COMMAND...: COMMAND (an `mqtls pub -q 2`) ends with an error within the
# command time limit and says that the broker does not do QoS 2.
qos2_refused() {
    local what=$1 out rc
    shift
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
        pass "$what to RabbitMQ ends with an error (exit $rc)"
    else
        fail "$what to RabbitMQ: expected a non-zero exit within ${T} s, got $rc ($([ "$rc" -eq 124 ] && echo "it hung"))"
    fi
    assert_contains "$out" "QoS 2" "$what says the broker does not do QoS 2"
}
qos2_refused "mqtls pub -q 2" mqtls pub -p "$PORT" -q 2 -t rmq/q2 -m two
wait_bg "$BG"
assert_eq "msg|two|1" "$(messages "$WORK/q2")" "RabbitMQ delivered the QoS 2 message at QoS 1"

# The same with a stream of lines, more than the in-flight window (20 by default).
seq 1 30 > "$WORK/lines"
qos2_refused "mqtls pub -q 2 -l" mqtls pub -p "$PORT" -q 2 -t rmq/q2l -l < "$WORK/lines"

# --- QoS 2 subscription: granted QoS 1, and messages still arrive (at QoS 1).
bg "$WORK/sq2" mqtls sub -p "$PORT" -q 2 -t rmq/sq2 -C 1 -d -F 'msg|%p|%q'
wait_output "$WORK/sq2" "Subscribed"
assert_contains "$(cat "$WORK/sq2")" "Subscribed (mid: 1): 1" "-d shows SUBACK granting QoS 1"
mqtls pub -p "$PORT" -q 1 -t rmq/sq2 -m granted
wait_bg "$BG"
assert_status 0 "$RC" "mqtls sub -q 2 -C 1 from RabbitMQ"
assert_eq "msg|granted|1" "$(messages "$WORK/sq2")" "message received on the QoS 1 grant"

# --- A persistent session (issue #11 point 2): messages queued while the subscriber was
# away. `sub -C 1` prints one and must acknowledge only that one; RabbitMQ sends the
# queue at once, and whatever was acknowledged is gone. The next run gets the rest.
mqtls sub -p "$PORT" -c -i rmq-persist -q 1 -t rmq/persist -E
assert_status 0 $? "persistent subscription made (-c -E)"
for i in 1 2 3; do
    mqtls pub -p "$PORT" -q 1 -t rmq/persist -m "p$i" || fail "mqtls pub p$i"
done
out=$(mqtls sub -p "$PORT" -c -i rmq-persist -q 1 -t rmq/persist -C 1)
assert_status 0 $? "first run of the persistent subscriber (-C 1)"
assert_eq "p1" "$out" "the first run prints the oldest queued message"
out=$(mqtls sub -p "$PORT" -c -i rmq-persist -q 1 -t rmq/persist -C 2 -W 10)
assert_status 0 $? "second run of the persistent subscriber (-C 2)"
assert_eq "p2 p3" "$(echo $out)" "the second run gets the messages the first did not print"

finish
