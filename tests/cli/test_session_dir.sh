#!/usr/bin/env bash
# pub --session-dir: a publisher killed with SIGKILL mid-stream loses no message it had
# accepted. "Accepted" is what it reported stored (-d) before it died; each of those must
# reach a persistent subscriber once a new run with the same directory has resent them.
. "$(dirname "$0")/lib.sh"

start_broker
SD="$WORK/session"
N=3000

for q in 1 2; do
    rm -rf "$SD"
    bg "$WORK/sub-$q" "$MQTLS_BIN" sub -p "$PORT" -c -i "keeper-$q" -q 2 -t "dur/$q" -W 60
    sub=$BG
    wait_subscribed "keeper-$q" "dur/$q"

    # The stream: N numbered lines, written into a FIFO the publisher reads.
    mkfifo "$WORK/fifo-$q"
    "$MQTLS_BIN" pub -p "$PORT" -q "$q" -t "dur/$q" -l -d --session-dir "$SD" -i "pd-$q" \
        < "$WORK/fifo-$q" > "$WORK/pub-$q" 2> "$WORK/pub-$q.err" &
    pub=$!
    BG_PIDS+=("$pub")
    seq 1 $N > "$WORK/fifo-$q" &
    feeder=$!
    # Kill it hard once it has accepted part of the stream.
    for i in $(seq 1 400); do
        [ "$(grep -c ' stored PUBLISH' "$WORK/pub-$q" 2>/dev/null)" -ge 400 ] && break
        sleep 0.01
    done
    kill -9 "$pub" 2>/dev/null
    wait "$pub" 2>/dev/null
    kill "$feeder" 2>/dev/null
    wait "$feeder" 2>/dev/null
    accepted=$(grep -c ' stored PUBLISH' "$WORK/pub-$q")
    [ "$accepted" -ge 400 ] || fail "QoS $q: the publisher accepted only $accepted lines before the kill"

    # A new run with the same directory resends what the dead one left.
    mqtls pub -p "$PORT" -q "$q" -t "dur/$q" -l --session-dir "$SD" -i "pd-$q" \
        < /dev/null > "$WORK/pub2-$q" 2> "$WORK/pub2-$q.err"
    assert_status 0 $? "QoS $q: the restarted publisher drained the session directory"
    left=$(find "$SD" -name '*.msg' -o -name '*.rel' | wc -l)
    assert_eq 0 "$left" "QoS $q: nothing left in the session directory"

    # Every accepted line arrived (QoS 2: exactly once).
    for i in $(seq 1 50); do
        [ "$(sort -un "$WORK/sub-$q" | head -n "$accepted" | wc -l)" -ge "$accepted" ] && break
        sleep 0.1
    done
    kill "$sub" 2>/dev/null
    wait "$sub" 2>/dev/null
    missing=$(seq 1 "$accepted" | sort > "$WORK/want-$q"; sort -u "$WORK/sub-$q" | comm -23 "$WORK/want-$q" - | wc -l)
    dups=$(( $(wc -l < "$WORK/sub-$q") - $(sort -u "$WORK/sub-$q" | wc -l) ))
    echo "QoS $q: accepted $accepted before SIGKILL, resent $(grep -c . "$WORK/pub2-$q.err" || true) notice line(s), received $(sort -u "$WORK/sub-$q" | wc -l) distinct, $dups duplicate(s), $missing missing"
    assert_eq 0 "$missing" "QoS $q: no accepted message lost across SIGKILL"
    if [ "$q" = 2 ]; then
        assert_eq 0 "$dups" "QoS 2: no message delivered twice"
    fi
done

# Files damaged or put there behind the publisher's back are dropped and named, not resent
# (a packet the broker refuses would end every connection), and the rest still goes out.
rm -rf "$SD"
mqtls pub -p "$PORT" -q 1 -t dur/x -m first --session-dir "$SD" -i pd-x 2>/dev/null
assert_status 0 $? "a first run made the session"
printf 'not a packet' > "$SD/00000001-0001.msg"
printf '\x32\x0a\x00\x03a/b\x00\x02' > "$SD/00000002-0002.msg"          # cut short
printf '\x32\x0d\x00\x05dur/x\x00\x04kept' > "$SD/00000003-0003.msg"     # id 3 inside, 4 outside
printf '\x32\x0d\x00\x05dur/x\x00\x05kept' > "$SD/00000004-0005.msg"     # sound
bg "$WORK/sub-x" "$MQTLS_BIN" sub -p "$PORT" -i keeper-x -t dur/x -C 2 -W 20
sub=$BG
wait_subscribed keeper-x dur/x
mqtls pub -p "$PORT" -q 1 -t dur/x -m new --session-dir "$SD" -i pd-x 2> "$WORK/pub-x.err"
assert_status 1 $? "a run that had to drop stored messages says so in its exit status"
err=$(cat "$WORK/pub-x.err")
for mid in 1 2 3; do
    assert_contains "$err" "message (mid $mid) dropped: the session directory's copy cannot be read back" \
        "the damaged record $mid is named"
done
assert_contains "$err" "1 message(s) from $SD will be sent again" "the sound record is resent"
wait_bg "$sub"
assert_eq "kept
new" "$(cat "$WORK/sub-x")" "the sound record and the new message arrived"
assert_eq 0 "$(find "$SD" -name '*.msg' -o -name '*.rel' | wc -l)" "the damaged records are gone"

# Misuse is refused up front.
expect_rc=$(mqtls pub -p "$PORT" -q 1 -t x -m y --session-dir "$SD" 2>&1 >/dev/null; echo "rc=$?")
assert_contains "$expect_rc" "needs a client id" "--session-dir without -i is refused"
assert_contains "$expect_rc" "rc=2" "with the usage exit status"

finish
