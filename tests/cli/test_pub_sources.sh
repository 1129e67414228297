#!/usr/bin/env bash
# Where mqtls pub takes messages from: -m, -f, -s, -n, -l (line mode), --repeat.
. "$(dirname "$0")/lib.sh"

start_broker

# -f: a binary file (with NUL bytes) arrives byte for byte; checked with mosquitto_sub -N.
head -c 70000 /dev/urandom > "$WORK/blob"
for q in 0 1 2; do
    bg "$WORK/file-$q" msub -i "fsub-$q" -t "src/file/$q" -C 1 -N
    wait_subscribed "fsub-$q" "src/file/$q"
    mqtls pub -p "$PORT" -q "$q" -t "src/file/$q" -f "$WORK/blob"
    assert_status 0 $? "mqtls pub -f (QoS $q)"
    wait_bg "$BG"
    assert_file_eq "$WORK/blob" "$WORK/file-$q" "-f payload intact (QoS $q)"
done

# -f of a 1 MiB file at QoS 1 (larger than the default buffers); size via %l.
head -c 1048576 /dev/urandom > "$WORK/big"
bg "$WORK/big-out" msub -i bigsub -t src/big -C 1 -F '%l'
wait_subscribed bigsub src/big
mqtls pub -p "$PORT" -q 1 -V 5 -t src/big -f "$WORK/big"
assert_status 0 $? "mqtls pub -f 1 MiB"
wait_bg "$BG"
assert_eq 1048576 "$(cat "$WORK/big-out")" "1 MiB message size"

# -s: all of stdin as one message, newlines included.
bg "$WORK/stdin" msub -i ssub -t src/stdin -C 1 -N
wait_subscribed ssub src/stdin
printf 'line one\nline two\n' | mqtls pub -p "$PORT" -t src/stdin -s
assert_status 0 $? "mqtls pub -s"
wait_bg "$BG"
assert_eq "$(printf 'line one\nline two\n_')" "$(cat "$WORK/stdin"; printf _)" "-s payload"

# -n: a zero-length message (mosquitto_sub -v prints "(null)").
bg "$WORK/null" msub -i nsub -t src/null -C 1 -F '%t:%l'
wait_subscribed nsub src/null
mqtls pub -p "$PORT" -t src/null -n
assert_status 0 $? "mqtls pub -n"
wait_bg "$BG"
assert_eq "src/null:0" "$(cat "$WORK/null")" "-n sends zero bytes"

# -l: one message per line; a blank line is an empty message; the last line needs no \n.
for q in 0 1 2; do
    bg "$WORK/lines-$q" msub -i "lsub-$q" -t "src/lines/$q" -C 4 -F '[%p]'
    wait_subscribed "lsub-$q" "src/lines/$q"
    printf 'alpha\n\nbeta gamma\ndelta' | mqtls pub -p "$PORT" -q "$q" -t "src/lines/$q" -l
    assert_status 0 $? "mqtls pub -l (QoS $q)"
    wait_bg "$BG"
    assert_eq "[alpha] [] [beta gamma] [delta]" "$(tr '\n' ' ' < "$WORK/lines-$q" | sed 's/ $//')" \
        "-l messages (QoS $q)"
done

# -l with many lines (exercises coalescing at QoS 0 and the in-flight window at QoS 1).
for q in 0 1; do
    bg "$WORK/many-$q" msub -i "msub-$q" -t "src/many/$q" -C 1000 -q "$q"
    wait_subscribed "msub-$q" "src/many/$q"
    seq 1 1000 | mqtls pub -p "$PORT" -q "$q" -t "src/many/$q" -l
    assert_status 0 $? "mqtls pub -l 1000 lines (QoS $q)"
    wait_bg "$BG"
    assert_status 0 "$RC" "all 1000 lines arrived (QoS $q)"
    assert_eq "$(seq 1 1000 | md5sum)" "$(md5sum < "$WORK/many-$q")" "1000 lines in order (QoS $q)"
done

# -l keeps the connection while stdin is idle.
bg "$WORK/slow" msub -i slowsub -t src/slow -C 2
wait_subscribed slowsub src/slow
(echo first; sleep 6; echo second) | mqtls pub -p "$PORT" -t src/slow -l -k 5
assert_status 0 $? "mqtls pub -l with a pause longer than the keepalive"
wait_bg "$BG"
assert_eq "first second" "$(tr '\n' ' ' < "$WORK/slow" | sed 's/ $//')" "-l paused lines"

# --repeat N --repeat-delay S
bg "$WORK/rep" msub -i repsub -t src/rep -C 3 -F '%p'
wait_subscribed repsub src/rep
start=$(date +%s%N)
mqtls pub -p "$PORT" -q 1 -t src/rep -m again --repeat 3 --repeat-delay 0.3
assert_status 0 $? "mqtls pub --repeat 3"
elapsed=$((($(date +%s%N) - start) / 1000000))
wait_bg "$BG"
assert_eq "again again again" "$(tr '\n' ' ' < "$WORK/rep" | sed 's/ $//')" "--repeat messages"
if [ "$elapsed" -ge 550 ]; then pass "--repeat-delay waited (${elapsed} ms)"; else
    fail "--repeat-delay 0.3 x 2 took only ${elapsed} ms"; fi

# -m with an empty string is a zero-length message too.
bg "$WORK/empty" msub -i esub -t src/empty -C 1 -F '%l'
wait_subscribed esub src/empty
mqtls pub -p "$PORT" -t src/empty -m ''
wait_bg "$BG"
assert_eq 0 "$(cat "$WORK/empty")" "-m '' is zero bytes"

finish
