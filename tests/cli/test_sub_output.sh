#!/usr/bin/env bash
# mqtls sub: -v, -N, -F formats, retained handling (-R, --retained-only, %r), -T, -U, -E,
# -C and -W exit statuses.
. "$(dirname "$0")/lib.sh"

start_broker

# sub_one ID FILTER OUTFILE SUB-ARGS... -- PUB-ARGS...: mqtls sub -C 1 receives one message
# published by mosquitto_pub.
sub_one() {
    local id=$1 filter=$2 out=$3
    shift 3
    local sargs=() pargs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do sargs+=("$1"); shift; done
    shift
    pargs=("$@")
    bg "$out" mqtls sub -p "$PORT" -i "$id" -t "$filter" -C 1 "${sargs[@]}"
    wait_subscribed "$id" "$filter"
    mpub "${pargs[@]}"
    wait_bg "$BG"
}

# Default output: the payload and a newline.
sub_one s1 'out/#' "$WORK/plain" -- -t out/plain -m 'just the payload'
assert_eq "just the payload" "$(cat "$WORK/plain")" "payload only"

# -v: topic, space, payload; an empty payload prints (null).
sub_one s2 'out/#' "$WORK/v" -v -- -t out/v -m 'hello there'
assert_eq "out/v hello there" "$(cat "$WORK/v")" "-v"
sub_one s3 'out/#' "$WORK/vnull" -v -- -t out/vnull -n
assert_eq "out/vnull (null)" "$(cat "$WORK/vnull")" "-v with a zero-length message"

# -N: no newline.
sub_one s4 'out/#' "$WORK/n" -N -- -t out/n -m abc
assert_eq "abc_" "$(cat "$WORK/n"; printf _)" "-N"

# -F with the message fields.
sub_one s5 'out/#' "$WORK/f1" -q 1 -F '%t|%p|%q|%r|%l|%x|%X|%m|%%' -- -t out/f -m 'Hi!' -q 1
assert_eq "out/f|Hi!|1|0|3|486921|486921|1|%" "$(cat "$WORK/f1")" "-F %t %p %q %r %l %x %X %m %%"
sub_one s6 'out/#' "$WORK/f2" -F '%i' -- -t out/f2 -m x
assert_eq "s6" "$(cat "$WORK/f2")" "-F %i (client id)"

# Escapes and widths.
sub_one s7 'out/#' "$WORK/f3" -F '[%8t]\t[%-8l]\\[%05l]\n[%.3t]' -- -t out/w -m 12345
assert_eq "$(printf '[   out/w]\t[5       ]\\[00005]\n[out]')" "$(cat "$WORK/f3")" \
    "-F widths, precision and \\t \\\\ \\n"

# %I (ISO 8601), %U (Unix time) and @ strftime fields.
sub_one s8 'out/#' "$WORK/f4" -F '%I|%U|@Y' -- -t out/t -m x
IFS='|' read -r iso unix year < "$WORK/f4"
if [[ "$iso" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}$ ]]; then
    pass "-F %I is ISO 8601 ($iso)"; else fail "-F %I: [$iso]"; fi
if [[ "$unix" =~ ^[0-9]+\.[0-9]{9}$ ]] && [ $(( ${unix%.*} - $(date +%s) )) -le 5 ]; then
    pass "-F %U is a Unix time ($unix)"; else fail "-F %U: [$unix]"; fi
assert_eq "$(date +%Y)" "$year" "-F @Y"

# %j: JSON with the topic, QoS, retain flag and an escaped payload.
sub_one s9 'out/#' "$WORK/j" -F '%j' -- -t out/j -m 'say "hi"\ok'
j=$(cat "$WORK/j")
assert_contains "$j" '"topic":"out/j","qos":0,"retain":0,"payloadlen":11' "-F %j fields"
assert_contains "$j" '"payload":"say \"hi\"\\ok"}' "-F %j escaped payload"
assert_contains "$j" '{"tst":"' "-F %j timestamp"
if command -v python3 >/dev/null; then
    if python3 -c 'import json,sys; json.load(sys.stdin)' < "$WORK/j"; then
        pass "-F %j is valid JSON"; else fail "-F %j is not valid JSON: $j"; fi
fi

# Retained messages: delivered with %r = 1 ...
mpub -t out/ret -m stale -r -q 1
sub_one s10 'out/ret' "$WORK/r1" -F '%t %p %r' -- -t out/ret/x -m unused
assert_eq "out/ret stale 1" "$(cat "$WORK/r1")" "retained message delivered, %r = 1"
# ... suppressed by -R (the live message is printed, %r = 0) ...
sub_one s11 'out/ret' "$WORK/r2" -R -F '%p %r' -- -t out/ret -m fresh
assert_eq "fresh 0" "$(cat "$WORK/r2")" "-R skips the retained message"
# ... and --retained-only prints only them and exits at the first live message.
bg "$WORK/r3" mqtls sub -p "$PORT" -i s12 -t out/ret --retained-only -F '%p %r'
wait_subscribed s12 out/ret
mpub -t out/ret -m live
wait_bg "$BG"
assert_status 0 "$RC" "--retained-only exits at the first live message"
assert_eq "stale 1" "$(cat "$WORK/r3")" "--retained-only output"
mpub -t out/ret -r -n   # clear it

# -T: filtered-out topics are not printed (and not counted by -C).
bg "$WORK/T" mqtls sub -p "$PORT" -i s13 -t 'out/T/#' -T 'out/T/skip/#' -C 2 -v
wait_subscribed s13 'out/T/#'
mpub -t out/T/skip/1 -m no
mpub -t out/T/a -m yes1
mpub -t out/T/skip -m no
mpub -t out/T/b -m yes2
wait_bg "$BG"
assert_eq "out/T/a yes1|out/T/b yes2" "$(paste -sd'|' "$WORK/T")" "-T filter-out"

# -U: unsubscribe a persistent session's old filter while subscribing to a new one.
mqtls sub -p "$PORT" -i s14 -c -q 1 -t out/U/old -E
assert_status 0 $? "-c -E subscribes and exits"
bg "$WORK/U" mqtls sub -p "$PORT" -i s14 -c -q 1 -t out/U/new -U out/U/old -C 1 -v
wait_subscribed s14 out/U/new
wait_unsubscribed s14 out/U/old
mpub -t out/U/old -m old -q 1
mpub -t out/U/new -m new -q 1
wait_bg "$BG"
assert_eq "out/U/new new" "$(cat "$WORK/U")" "-U removes the old subscription"

# -E: exits once subscribed, status 0.
mqtls sub -p "$PORT" -t out/E -E
assert_status 0 $? "-E"

# -C N: exits 0 after N messages.
bg "$WORK/C" mqtls sub -p "$PORT" -i s15 -t out/C -C 3
wait_subscribed s15 out/C
for i in 1 2 3 4; do mpub -t out/C -m "c$i"; done
wait_bg "$BG"
assert_status 0 "$RC" "-C 3"
assert_eq "c1 c2 c3" "$(paste -sd' ' "$WORK/C")" "-C 3 prints exactly three"

# -W: nothing arrives, exit status 27 and "Timed out" on stderr.
start=$(date +%s)
mqtls sub -p "$PORT" -t out/nothing -W 1 > "$WORK/W" 2> "$WORK/W.err"
rc=$?
assert_status 27 "$rc" "-W 1 with no messages"
assert_contains "$(cat "$WORK/W.err")" "Timed out" "-W message"
[ $(( $(date +%s) - start )) -le 4 ] && pass "-W 1 returned promptly" || fail "-W 1 took too long"
# -W with -C satisfied first: status 0.
bg "$WORK/WC" mqtls sub -p "$PORT" -i s16 -t out/WC -C 1 -W 10
wait_subscribed s16 out/WC
mpub -t out/WC -m quick
wait_bg "$BG"
assert_status 0 "$RC" "-C reached before -W"
# --quiet silences the message but not the status.
mqtls sub -p "$PORT" -t out/nothing -W 1 --quiet 2> "$WORK/Wq.err"
assert_status 27 $? "-W --quiet"
assert_eq "" "$(cat "$WORK/Wq.err")" "--quiet prints nothing"

# Several -t filters in one SUBSCRIBE.
bg "$WORK/multi" mqtls sub -p "$PORT" -i s17 -t out/m1 -t out/m2 -t 'out/m3/+' -C 3 -v
wait_subscribed s17 'out/m3/+'
mpub -t out/m1 -m a; mpub -t out/m2 -m b; mpub -t out/m3/x -m c
wait_bg "$BG"
assert_eq "out/m1 a|out/m2 b|out/m3/x c" "$(paste -sd'|' "$WORK/multi")" "three filters"

# SIGINT: a clean exit with status 0.
bg "$WORK/int" "$MQTLS_BIN" sub -p "$PORT" -i s18 -t out/int
wait_subscribed s18 out/int
kill -INT "$BG"
wait_bg "$BG"
assert_status 0 "$RC" "SIGINT ends mqtls sub cleanly"
wait_log "Client s18 disconnected" && pass "SIGINT sends DISCONNECT"

finish
