#!/usr/bin/env bash
# MQTT 5.0 properties with -D: sent by mqtls pub (seen by mosquitto_sub -F and by -d),
# received by mqtls sub (-F %P %C %R %E %D %F %j, -d), and will/connect/subscribe ones.
. "$(dirname "$0")/lib.sh"

start_broker

# mqtls pub -D publish ... -> mosquitto_sub -F
bg "$WORK/m" msub -V 5 -i p1 -t props/a -C 1 -F '%P|%C|%R|%D|%E|%F'
wait_subscribed p1 props/a
mqtls pub -p "$PORT" -V 5 -q 1 -t props/a -m '{"x":1}' \
    -D publish user-property color blue -D publish user-property size XL \
    -D publish content-type application/json -D publish response-topic reply/here \
    -D publish correlation-data abc123 -D publish message-expiry-interval 300 \
    -D publish payload-format-indicator 1
assert_status 0 $? "mqtls pub with publish properties"
wait_bg "$BG"
assert_eq "color:blue size:XL|application/json|reply/here|abc123|300|1" "$(cat "$WORK/m")" \
    "mosquitto_sub sees the properties"

# mosquitto_pub -D publish ... -> mqtls sub -F
bg "$WORK/q" mqtls sub -p "$PORT" -V 5 -i p2 -t props/b -C 1 -F '%P|%C|%R|%D|%E|%F|%p'
wait_subscribed p2 props/b
mpub -V 5 -t props/b -m payload -D publish user-property k1 v1 -D publish user-property k2 v2 \
    -D publish content-type text/plain -D publish response-topic r/t \
    -D publish correlation-data cd -D publish message-expiry-interval 60 \
    -D publish payload-format-indicator 1
wait_bg "$BG"
assert_status 0 "$RC" "mqtls sub -V 5"
out=$(cat "$WORK/q")
assert_eq "k1:v1 k2:v2|text/plain|r/t|cd|" "${out%%60|1|payload}" "mqtls sub -F %P %C %R %D"
assert_contains "$out" "|1|payload" "mqtls sub -F %F %p"
# message expiry counts down in the broker: 59 or 60
[[ "$out" =~ \|(59|60)\|1\|payload$ ]] && pass "-F %E" || fail "-F %E in [$out]"

# ... and in %j
bg "$WORK/j" mqtls sub -p "$PORT" -V 5 -i p3 -t props/c -C 1 -F '%j'
wait_subscribed p3 props/c
mpub -V 5 -t props/c -m v -D publish user-property name value -D publish content-type ct
wait_bg "$BG"
j=$(cat "$WORK/j")
assert_contains "$j" '"content-type":"ct"' "%j content-type"
assert_contains "$j" '"user-properties":{"name":"value"}' "%j user properties"

# -d prints the properties of packets as they arrive.
bg "$WORK/d" mqtls sub -p "$PORT" -V 5 -i p4 -t props/d -C 1 -d
wait_subscribed p4 props/d
mpub -V 5 -t props/d -m dd -D publish user-property who me -D publish content-type x/y
wait_bg "$BG"
d=$(cat "$WORK/d")
assert_contains "$d" "Client p4 received PUBLISH (d0, q0, r0, m0, 'props/d', ... (2 bytes))" \
    "-d PUBLISH line"
assert_contains "$d" "    content-type: x/y" "-d shows content-type"
assert_contains "$d" "    user-property: who=me" "-d shows the user property"

# pub -d shows what it sends.
mqtls pub -p "$PORT" -V 5 -i p5 -t props/e -m e -d -D publish user-property a b \
    -D connect session-expiry-interval 30 > "$WORK/pd"
d=$(cat "$WORK/pd")
assert_contains "$d" "Client p5 sending CONNECT" "pub -d CONNECT"
assert_contains "$d" "    session-expiry-interval: 30" "pub -d CONNECT properties"
assert_contains "$d" "    user-property: a=b" "pub -d PUBLISH properties"

# Subscription identifier (subscribe) comes back with the message (%S).
bg "$WORK/S" mqtls sub -p "$PORT" -V 5 -i p6 -t props/s -C 1 -F '%S %p' \
    -D subscribe subscription-identifier 42
wait_subscribed p6 props/s
mpub -V 5 -t props/s -m sid
wait_bg "$BG"
assert_eq "42 sid" "$(cat "$WORK/S")" "subscription identifier"

# Topic alias: repeated publishes with an alias still arrive with their topic.
bg "$WORK/A" msub -V 5 -i p7 -t props/alias -C 3
wait_subscribed p7 props/alias
mqtls pub -p "$PORT" -V 5 -t props/alias -m aliased --repeat 3 -D publish topic-alias 1
assert_status 0 $? "mqtls pub with a topic alias"
wait_bg "$BG"
assert_eq "aliased aliased aliased" "$(paste -sd' ' "$WORK/A")" "topic alias messages"

# The same at QoS 1 and 2: after the first, each PUBLISH carries the alias alone (valid at
# any QoS), and all three arrive with their topic.
for q in 1 2; do
    bg "$WORK/AQ$q" msub -V 5 -i p7q$q -t props/alias$q -q $q -C 3
    wait_subscribed p7q$q props/alias$q
    mqtls pub -p "$PORT" -V 5 -q $q -i p7p$q -t props/alias$q -m "q$q" --repeat 3 \
        -D publish topic-alias 1 -d > "$WORK/AQ$q.d" 2> "$WORK/AQ$q.err"
    assert_status 0 $? "mqtls pub -q $q --repeat 3 with a topic alias"
    assert_eq "" "$(cat "$WORK/AQ$q.err")" "no error at QoS $q with a topic alias"
    wait_bg "$BG"
    assert_eq "q$q q$q q$q" "$(paste -sd' ' "$WORK/AQ$q")" "QoS $q alias messages arrive"
    assert_eq 2 "$(grep -c "PUBLISH (d0, q$q, r0, m[0-9]*, '', " "$WORK/AQ$q.d")" \
        "QoS $q: two PUBLISHes with the alias alone"
done

# Connect properties: session-expiry (-x) keeps the session after a disconnect.
mqtls sub -p "$PORT" -V 5 -i p8 -x 60 -q 1 -t props/x -E
mpub -V 5 -q 1 -t props/x -m queued
mqtls sub -p "$PORT" -V 5 -i p8 -x 60 -c -q 1 -t props/x -C 1 > "$WORK/x"
assert_eq "queued" "$(cat "$WORK/x")" "-x 60: queued message delivered on reconnect"

# Request problem/response information and receive-maximum are accepted by the broker.
mqtls pub -p "$PORT" -V 5 -t props/r -m r -D connect request-problem-information 1 \
    -D connect request-response-information 0 -D connect receive-maximum 10 \
    -D connect maximum-packet-size 100000 -D connect user-property c d
assert_status 0 $? "connect properties"

# Properties the command cannot carry are refused before connecting.
for bad in "connect content-type x" "publish session-expiry-interval 1" \
           "publish subscription-identifier 1" "will topic-alias 1" \
           "subscribe content-type x" "disconnect topic-alias 1"; do
    mqtls pub -p "$PORT" -V 5 -t props/z -m z -D $bad 2> "$WORK/err"
    rc=$?
    assert_status 2 "$rc" "-D $bad refused"
    assert_contains "$(cat "$WORK/err")" "not allowed for" "-D $bad message"
done
mqtls pub -p "$PORT" -V 5 -t props/z -m z -D publish payload-format-indicator 2 2> "$WORK/err"
assert_status 2 $? "payload-format-indicator 2 refused"
mqtls pub -p "$PORT" -V 5 -t props/z -m z -D publish topic-alias 0 2> "$WORK/err"
assert_status 2 $? "topic-alias 0 refused"
mqtls pub -p "$PORT" -t props/z -m z -D publish content-type x 2> "$WORK/err"
assert_status 2 $? "-D without -V 5 refused"
assert_contains "$(cat "$WORK/err")" "MQTT 5.0" "-D without -V 5 message"
mqtls pub -p "$PORT" -V 5 -t props/z -m z -D publish content-type a \
    -D publish content-type b 2> "$WORK/err"
assert_status 2 $? "a property given twice refused"
mqtls sub -p "$PORT" -V 5 -t props/z -D publish content-type a 2> "$WORK/err"
assert_status 2 $? "publish properties refused by sub"

finish
