#!/usr/bin/env bash
# Large messages: the receive buffer limit of mqtls sub (3.1.1: reported with the size;
# 5.0: advertised as Maximum Packet Size, raised with -D connect maximum-packet-size) and
# the broker's limit for mqtls pub.
. "$(dirname "$0")/lib.sh"

start_broker
head -c 300000 /dev/urandom > "$WORK/big"

# (The default buffer, 64 MiB, takes these; test_hardening_cli.sh has 16 MB messages.)
# 3.1.1: the broker sends it anyway; mqtls sub says how large it was and exits 1.
bg "$WORK/311" mqtls sub -p "$PORT" -i big311 -t big/311 --max-packet-size 262144
wait_subscribed big311 big/311
mpub -t big/311 -f "$WORK/big"
wait_bg "$BG"
assert_status 1 "$RC" "3.1.1: message larger than the receive buffer"
err=$(cat "$WORK/311.err")
assert_contains "$err" "packet of 300013 bytes" "the size of the packet is reported"
assert_contains "$err" "262144 bytes" "the receive buffer size is reported"
assert_contains "$err" "--max-packet-size" "says how to raise it"

# 5.0: the broker knows our limit and does not send it; a small message still arrives.
bg "$WORK/5" mqtls sub -p "$PORT" -V 5 -i big5 -t big/5 -C 1 -F '%l' --max-packet-size 262144
wait_subscribed big5 big/5
mpub -V 5 -t big/5 -f "$WORK/big"
mpub -V 5 -t big/5 -m small
wait_bg "$BG"
assert_status 0 "$RC" "5.0: oversized message withheld by the broker"
assert_eq 5 "$(cat "$WORK/5")" "5.0: only the small message arrives"

# 5.0 with a larger limit: it arrives intact.
bg "$WORK/5big" mqtls sub -p "$PORT" -V 5 -i big5b -t big/5b -C 1 -N \
    -D connect maximum-packet-size 1000000
wait_subscribed big5b big/5b
mpub -V 5 -t big/5b -f "$WORK/big"
wait_bg "$BG"
assert_status 0 "$RC" "5.0 with -D connect maximum-packet-size 1000000"
assert_file_eq "$WORK/big" "$WORK/5big" "300000-byte message intact"

# 5.0 with a tiny limit.
bg "$WORK/tiny" mqtls sub -p "$PORT" -V 5 -i tiny -t big/tiny -C 1 \
    -D connect maximum-packet-size 64
wait_subscribed tiny big/tiny
mpub -V 5 -t big/tiny -m "$(printf '%0100d' 0)"
mpub -V 5 -t big/tiny -m fits
wait_bg "$BG"
assert_eq fits "$(cat "$WORK/tiny")" "maximum-packet-size 64"

# The broker's own limit (5.0 CONNACK Maximum Packet Size): mqtls pub refuses, exit 5.
start_broker "max_packet_size 2000"
head -c 5000 /dev/urandom > "$WORK/5k"
mqtls pub -p "$PORT" -V 5 -t big/limit -f "$WORK/5k" 2> "$WORK/limit.err"
assert_status 5 $? "message above the broker's maximum packet size"
assert_contains "$(cat "$WORK/limit.err")" "publish failed" "says the publish failed"
mqtls pub -p "$PORT" -V 5 -t big/limit -m small
assert_status 0 $? "a small message is still fine"

finish
