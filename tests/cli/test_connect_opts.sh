#!/usr/bin/env bash
# Connection options: -L URLs, -u/-P, -A, --nodelay, -I, -i, -k, -h localhost, and -c
# persistent sessions (queued QoS 1/2 messages delivered on reconnect).
. "$(dirname "$0")/lib.sh"

mosquitto_passwd -c -b "$WORK/passwd" bob 's3cret' 2>/dev/null
start_broker "allow_anonymous false" "password_file $WORK/passwd"

# -L with user, password, port and topic, for pub and sub.
bg "$WORK/url" mqtls sub -L "mqtt://bob:s3cret@127.0.0.1:$PORT/url/topic" -i urlsub -C 1 -v
wait_subscribed urlsub url/topic
mqtls pub -L "mqtt://bob:s3cret@127.0.0.1:$PORT/url/topic" -m "via url"
assert_status 0 $? "mqtls pub -L"
wait_bg "$BG"
assert_status 0 "$RC" "mqtls sub -L"
assert_eq "url/topic via url" "$(cat "$WORK/url")" "-L message"

# -L topic plus -t adds a second filter; -u/-P given separately work too.
bg "$WORK/url2" mqtls sub -L "mqtt://127.0.0.1:$PORT/url/one" -t url/two -u bob -P s3cret \
    -i urlsub2 -C 2 -v
wait_subscribed urlsub2 url/two
mqtls pub -h 127.0.0.1 -p "$PORT" -u bob -P s3cret -t url/one -m 1
mqtls pub -h 127.0.0.1 -p "$PORT" -u bob -P s3cret -t url/two -m 2
wait_bg "$BG"
assert_eq "url/one 1|url/two 2" "$(paste -sd'|' "$WORK/url2")" "-L topic and -t together"

# Options after -L override it.
mqtls pub -L "mqtt://bob:wrong@127.0.0.1:$PORT/url/x" -P s3cret -m x
assert_status 0 $? "-P after -L overrides the URL's password"

start_broker
AUTH=(-u bob -P s3cret)

# -h localhost (may resolve to ::1 first; the broker listens on 127.0.0.1 only).
mqtls pub -h localhost -p "$PORT" -t opt/localhost -m x
assert_status 0 $? "-h localhost"

# -A binds the local address.
bg "$WORK/bind" mqtls sub -h 127.0.0.1 -p "$PORT" -A 127.0.0.1 -i bindsub -t opt/bind -C 1
wait_subscribed bindsub opt/bind
mqtls pub -h 127.0.0.1 -p "$PORT" -A 127.0.0.1 -t opt/bind -m bound -q 1 --nodelay
assert_status 0 $? "mqtls pub -A 127.0.0.1 --nodelay"
wait_bg "$BG"
assert_eq "bound" "$(cat "$WORK/bind")" "-A message"
grep -q "New connection from 127.0.0.1" "$BROKER_LOG" && pass "-A connection logged" || \
    fail "-A connection not seen"

# -i and -I set the client id; the default is mqtls_<cmd>_<pid>.
mqtls pub -p "$PORT" -i explicit-id -t opt/id -m x
grep -q "as explicit-id " "$BROKER_LOG" && pass "-i" || fail "-i explicit-id not seen"
mqtls pub -p "$PORT" -I pfx- -t opt/id -m x
grep -qE "as pfx-[0-9]+ " "$BROKER_LOG" && pass "-I prefix" || fail "-I pfx- not seen"
mqtls pub -p "$PORT" -t opt/id -m x
grep -qE "as mqtls_pub_[0-9]+ " "$BROKER_LOG" && pass "default pub id" || fail "no mqtls_pub_ id"
mqtls sub -p "$PORT" -t opt/id -E
grep -qE "as mqtls_sub_[0-9]+ " "$BROKER_LOG" && pass "default sub id" || fail "no mqtls_sub_ id"

# -k is sent in CONNECT (the broker logs it as k<seconds>).
mqtls pub -p "$PORT" -i keep -k 17 -t opt/k -m x
grep -q "as keep (p2, c1, k17)" "$BROKER_LOG" && pass "-k 17" || fail "-k 17 not in CONNECT"
mqtls pub -p "$PORT" -i keep5 -V 5 -t opt/k -m x
grep -q "as keep5 (p5, c1, k60)" "$BROKER_LOG" && pass "-V 5 and default keepalive 60" || \
    fail "p5/k60 not seen"

# -c: a persistent session keeps QoS 1 and 2 messages while the client is away.
for v in 311 5; do
    mqtls sub -p "$PORT" -V "$v" -i "persist-$v" -c -q 2 -t "opt/persist/$v" -E
    assert_status 0 $? "-c subscription (-V $v)"
    grep -q "as persist-$v (p[0-9], c0," "$BROKER_LOG" && pass "clean session off (-V $v)" || \
        fail "-c did not clear the clean flag (-V $v)"
    mqtls pub -p "$PORT" -V "$v" -q 1 -t "opt/persist/$v" -m "while away 1"
    mqtls pub -p "$PORT" -V "$v" -q 2 -t "opt/persist/$v" -m "while away 2"
    mqtls sub -p "$PORT" -V "$v" -i "persist-$v" -c -q 2 -t "opt/persist/$v" -C 2 -F '%q %p' \
        > "$WORK/persist-$v"
    assert_status 0 $? "-c reconnect (-V $v)"
    assert_eq "1 while away 1|2 while away 2" "$(paste -sd'|' "$WORK/persist-$v")" \
        "queued messages delivered (-V $v)"
done

# Without -c the session is clean: nothing is queued.
mqtls sub -p "$PORT" -i clean -q 1 -t opt/clean -E
mqtls pub -p "$PORT" -q 1 -t opt/clean -m lost
mqtls sub -p "$PORT" -i clean -q 1 -t opt/clean -W 1 > "$WORK/clean" 2>/dev/null
assert_status 27 $? "clean session: nothing arrives"
assert_eq "" "$(cat "$WORK/clean")" "clean session output"

finish
