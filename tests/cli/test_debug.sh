#!/usr/bin/env bash
# -d prints every packet the way mosquitto's clients do.
. "$(dirname "$0")/lib.sh"

start_broker

# lines FILE: the debug lines without the property lines.
lines() { grep -v '^    ' "$1"; }

for v in 311 5; do
    mqtls pub -p "$PORT" -V "$v" -i dbg -t dbg/t -m hello -q 0 -d > "$WORK/q0-$v"
    assert_eq "Client dbg sending CONNECT
Client dbg received CONNACK (0)
Client dbg sending PUBLISH (d0, q0, r0, m0, 'dbg/t', ... (5 bytes))
Client dbg sending DISCONNECT" "$(lines "$WORK/q0-$v")" "pub -d QoS 0 (-V $v)"

    # 5.0 PUBACK says 0x10 "No matching subscribers" (nobody listens on dbg/t).
    rc=0
    [ "$v" = 5 ] && rc=16
    mqtls pub -p "$PORT" -V "$v" -i dbg -t dbg/t -m hello -q 1 -r -d > "$WORK/q1-$v"
    assert_eq "Client dbg sending CONNECT
Client dbg received CONNACK (0)
Client dbg sending PUBLISH (d0, q1, r1, m1, 'dbg/t', ... (5 bytes))
Client dbg received PUBACK (Mid: 1, RC:$rc)
Client dbg sending DISCONNECT" "$(lines "$WORK/q1-$v")" "pub -d QoS 1 (-V $v)"

    mqtls pub -p "$PORT" -V "$v" -i dbg -t dbg/t -m hello -q 2 -d > "$WORK/q2-$v"
    assert_eq "Client dbg sending CONNECT
Client dbg received CONNACK (0)
Client dbg sending PUBLISH (d0, q2, r0, m1, 'dbg/t', ... (5 bytes))
Client dbg received PUBREC (Mid: 1)
Client dbg sending PUBREL (m1)
Client dbg received PUBCOMP (Mid: 1, RC:0)
Client dbg sending DISCONNECT" "$(lines "$WORK/q2-$v")" "pub -d QoS 2 (-V $v)"

    # mqtls delivers a QoS 2 message when the PUBLISH arrives (mosquitto: after PUBREL).
    # -C 1 still finishes the QoS 2 exchange (PUBREL, PUBCOMP) before it disconnects.
    bg "$WORK/sub-$v" mqtls sub -p "$PORT" -V "$v" -i dsub -q 2 -t "dbg/s$v" -C 1 -d
    wait_subscribed dsub "dbg/s$v"
    mpub -V "$v" -q 2 -t "dbg/s$v" -m payload
    wait_bg "$BG"
    assert_eq "Client dsub sending CONNECT
Client dsub received CONNACK (0)
Client dsub sending SUBSCRIBE (Mid: 1, Topic: dbg/s$v, QoS: 2, Options: 0x00)
Client dsub received SUBACK
Subscribed (mid: 1): 2
Client dsub received PUBLISH (d0, q2, r0, m1, 'dbg/s$v', ... (7 bytes))
payload
Client dsub sending PUBREC (m1, rc0)
Client dsub received PUBREL (Mid: 1)
Client dsub sending PUBCOMP (m1)
Client dsub sending DISCONNECT" "$(lines "$WORK/sub-$v")" "sub -d QoS 2 (-V $v)"
done

# 5.0: CONNECT carries the limits the client advertises; CONNACK's properties are shown.
d=$(cat "$WORK/q0-5")
assert_contains "$d" "    maximum-packet-size: " "CONNECT advertises Maximum Packet Size"
assert_contains "$d" "    receive-maximum: " "CONNECT advertises Receive Maximum"

# Keep-alive: PINGREQ/PINGRESP appear with -k 5 (the shortest mosquitto's clients allow).
bg "$WORK/ping" mqtls sub -p "$PORT" -i ping -k 5 -t dbg/ping -W 7 -d
wait_bg "$BG"
assert_status 27 "$RC" "-W 7 ends the keep-alive run"
assert_contains "$(cat "$WORK/ping")" "Client ping sending PINGREQ" "PINGREQ traced"
assert_contains "$(cat "$WORK/ping")" "Client ping received PINGRESP" "PINGRESP traced"

# UNSUBSCRIBE is traced too.
mqtls sub -p "$PORT" -i unsub -t dbg/a -U dbg/b -E -d > "$WORK/unsub"
assert_contains "$(cat "$WORK/unsub")" "Client unsub sending UNSUBSCRIBE (Mid: 2, Topic: dbg/b)" \
    "UNSUBSCRIBE traced"
assert_contains "$(cat "$WORK/unsub")" "Client unsub received UNSUBACK" "UNSUBACK traced"

finish
