#!/usr/bin/env bash
# Will messages: published by the broker when an mqtls client dies without DISCONNECT
# (kill -9), not published after a clean exit.
. "$(dirname "$0")/lib.sh"

start_broker

for v in 311 5; do
    # mosquitto_sub watches the will topic.
    bg "$WORK/will-$v" msub -V 5 -q 1 -i "watch-$v" -t "will/$v" -C 1 -F '%t|%p|%q|%r'
    watcher=$BG
    wait_subscribed "watch-$v" "will/$v"

    # An mqtls sub with a will, killed with SIGKILL.
    bg "$WORK/victim-$v" "$MQTLS_BIN" sub -p "$PORT" -V "$v" -i "victim-$v" -t will/ignored \
        --will-topic "will/$v" --will-payload "gone $v" --will-qos 1
    victim=$BG
    wait_subscribed "victim-$v" will/ignored
    kill -9 "$victim"
    wait "$victim" 2>/dev/null
    wait_bg "$watcher"
    assert_status 0 "$RC" "will arrives after kill -9 (-V $v)"
    assert_eq "will/$v|gone $v|1|0" "$(cat "$WORK/will-$v")" "will message (-V $v)"
done

# --will-retain: the will is kept by the broker.
bg "$WORK/victim-r" "$MQTLS_BIN" sub -p "$PORT" -i victim-r -t will/ignored \
    --will-topic will/retained --will-payload kept --will-retain
victim=$BG
wait_subscribed victim-r will/ignored
kill -9 "$victim"
wait "$victim" 2>/dev/null
wait_log "Client victim-r closed its connection"
msub -t will/retained -C 1 -F '%p %r' > "$WORK/ret"
assert_eq "kept 1" "$(cat "$WORK/ret")" "--will-retain"

# 5.0 will properties reach the will's subscribers.
bg "$WORK/will-p" msub -V 5 -i watch-p -t will/props -C 1 -F '%p|%C|%P'
watcher=$BG
wait_subscribed watch-p will/props
bg "$WORK/victim-p" "$MQTLS_BIN" sub -p "$PORT" -V 5 -i victim-p -t will/ignored \
    --will-topic will/props --will-payload bye -D will content-type text/plain \
    -D will user-property reason crash
victim=$BG
wait_subscribed victim-p will/ignored
kill -9 "$victim"
wait "$victim" 2>/dev/null
wait_bg "$watcher"
assert_eq "bye|text/plain|reason:crash" "$(cat "$WORK/will-p")" "will properties"

# A clean exit (SIGINT -> DISCONNECT) does not publish the will.
bg "$WORK/nowill" msub -i watch-n -t will/none -W 2
watcher=$BG
wait_subscribed watch-n will/none
bg "$WORK/victim-n" "$MQTLS_BIN" sub -p "$PORT" -i victim-n -t will/ignored \
    --will-topic will/none --will-payload "should not appear"
victim=$BG
wait_subscribed victim-n will/ignored
kill -INT "$victim"
wait_bg "$victim"
assert_status 0 "$RC" "mqtls sub exits 0 on SIGINT"
wait_bg "$watcher"
assert_eq "" "$(cat "$WORK/nowill")" "no will after a clean disconnect"

# mqtls pub's will: a clean publish does not send it either.
bg "$WORK/pubwill" msub -i watch-pw -t will/pub -W 2
watcher=$BG
wait_subscribed watch-pw will/pub
mqtls pub -p "$PORT" -t will/other -m x --will-topic will/pub --will-payload nope
assert_status 0 $? "mqtls pub with a will"
wait_bg "$watcher"
assert_eq "" "$(cat "$WORK/pubwill")" "no will from a clean mqtls pub"

# Will option errors.
mqtls pub -p "$PORT" -t a -m x --will-payload p 2> "$WORK/err"
assert_status 2 $? "--will-payload without --will-topic"
assert_contains "$(cat "$WORK/err")" "--will-topic" "names --will-topic"
mqtls pub -p "$PORT" -t a -m x --will-topic 'w/#' 2> "$WORK/err"
assert_status 2 $? "will topic with a wildcard"
mqtls pub -p "$PORT" -t a -m x --will-topic w --will-qos 3 2> "$WORK/err"
assert_status 2 $? "--will-qos 3"

finish
