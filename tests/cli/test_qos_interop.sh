#!/usr/bin/env bash
# mqtls pub -> mosquitto_sub and mosquitto_pub -> mqtls sub, QoS 0/1/2 x MQTT 3.1.1/5.0.
. "$(dirname "$0")/lib.sh"

start_broker

for v in 311 5; do
    for q in 0 1 2; do
        # mqtls pub -> mosquitto_sub
        id=msub-$v-$q
        bg "$WORK/msub-$v-$q" msub -V "$v" -q "$q" -i "$id" -t "interop/a/$v/$q" -C 1 -F '%t|%p|%q'
        wait_subscribed "$id" "interop/a/$v/$q"
        mqtls pub -p "$PORT" -V "$v" -q "$q" -t "interop/a/$v/$q" -m "hello $v $q"
        assert_status 0 $? "mqtls pub -V $v -q $q"
        wait_bg "$BG"
        assert_status 0 "$RC" "mosquitto_sub got the message from mqtls pub (-V $v -q $q)"
        assert_eq "interop/a/$v/$q|hello $v $q|$q" "$(cat "$WORK/msub-$v-$q")" \
            "mosquitto_sub output (-V $v -q $q)"

        # mosquitto_pub -> mqtls sub
        id=qsub-$v-$q
        bg "$WORK/qsub-$v-$q" mqtls sub -p "$PORT" -V "$v" -q "$q" -i "$id" \
            -t "interop/b/$v/$q" -C 1 -F '%t|%p|%q'
        wait_subscribed "$id" "interop/b/$v/$q"
        mpub -V "$v" -q "$q" -t "interop/b/$v/$q" -m "world $v $q"
        wait_bg "$BG"
        assert_status 0 "$RC" "mqtls sub -C 1 (-V $v -q $q)"
        assert_eq "interop/b/$v/$q|world $v $q|$q" "$(cat "$WORK/qsub-$v-$q")" \
            "mqtls sub output (-V $v -q $q)"
        assert_eq "" "$(cat "$WORK/qsub-$v-$q.err")" "mqtls sub stderr empty (-V $v -q $q)"
    done
done

# mqtls pub -> mqtls sub, both at QoS 2, several messages in order.
bg "$WORK/self" mqtls sub -p "$PORT" -V 5 -q 2 -i self-sub -t 'interop/self' -C 5
wait_subscribed self-sub interop/self
for i in 1 2 3 4 5; do
    mqtls pub -p "$PORT" -V 5 -q 2 -t interop/self -m "m$i" || fail "mqtls pub m$i"
done
wait_bg "$BG"
assert_status 0 "$RC" "mqtls sub -C 5 from mqtls pub"
assert_eq "m1 m2 m3 m4 m5" "$(tr '\n' ' ' < "$WORK/self" | sed 's/ $//')" "messages in order"

# The granted QoS is the lower of the two: QoS 2 publish to a QoS 0 subscription.
bg "$WORK/down" mqtls sub -p "$PORT" -q 0 -i down-sub -t interop/down -C 1 -F '%q %p'
wait_subscribed down-sub interop/down
mqtls pub -p "$PORT" -q 2 -t interop/down -m x
wait_bg "$BG"
assert_eq "0 x" "$(cat "$WORK/down")" "QoS downgraded to the subscription's"

finish
