#!/usr/bin/env bash
# The mosquitto_pub/sub flags mqtls took over for people switching (docs/cli.md, "Coming
# from mosquitto_pub/sub"): --version, --tls-alpn, -k's range, sub --pretty,
# --remove-retained and --random-filter, --unix, -V mqttv31. Where both tools can do the
# same thing, mqtls' result is compared with mosquitto_pub/sub's.
. "$(dirname "$0")/lib.sh"

SOCK=$WORK/mq.sock
start_broker "listener 0 $SOCK"
P=(-h 127.0.0.1 -p "$PORT")

# expect STATUS MESSAGE-FRAGMENT ARGS...: runs mqtls ARGS, checks the status and stderr.
expect() {
    local want=$1 frag=$2
    shift 2
    mqtls "$@" > "$WORK/out" 2> "$WORK/err"
    local rc=$?
    assert_status "$want" "$rc" "mqtls $*"
    assert_contains "$(cat "$WORK/err")" "$frag" "mqtls $* says why"
}

# --- --version: the CMake project version and the TLS library, exit 0 -------------------
want_version=$(sed -n 's/^project(mqtls VERSION \([0-9.]*\).*/\1/p' \
    "${MQTLS_SOURCE_DIR:-$(dirname "$0")/../..}/CMakeLists.txt")
[ -n "$want_version" ] || die "no project version in CMakeLists.txt"
for c in "" pub sub doctor; do
    # shellcheck disable=SC2086
    out=$(mqtls $c --version 2> "$WORK/err")
    assert_status 0 $? "mqtls $c --version"
    assert_eq "mqtls $want_version (MQTT 3.1, 3.1.1, 5.0)" "$(head -1 <<< "$out")" \
        "mqtls $c --version names the project version"
    if grep -qE '^TLS: (OpenSSL|Mbed TLS) [0-9]+\.[0-9]+\.[0-9]+$' <<< "$out"; then
        pass "mqtls $c --version names the TLS library and its version"
    else
        fail "mqtls $c --version: no 'TLS: OpenSSL X.Y.Z' or 'TLS: Mbed TLS X.Y.Z' line in [$out]"
    fi
done

# --- --tls-alpn: mosquitto's name for --alpn -----------------------------------------------
closed=$(free_port)
mqtls pub -h 127.0.0.1 -p "$closed" --insecure --tls-alpn mqtt --alpn x-other -t a -m x -d \
    > "$WORK/alpn" 2> "$WORK/alpn.err"
assert_status 3 $? "--tls-alpn to a closed port"
assert_contains "$(cat "$WORK/alpn")" "ALPN offered:   mqtt, x-other" \
    "--tls-alpn and --alpn add to the same list, in order"
expect 2 "is a TLS option, but TLS is not in use" pub "${P[@]}" --tls-alpn mqtt -t a -m x

# --- -k: 5 to 65535, as mosquitto_pub/sub 2.0 -------------------------------------------
for k in 0 4 65536 abc; do
    mosquitto_pub "${P[@]}" -k "$k" -t a -m x > /dev/null 2>&1
    [ $? -ne 0 ] && pass "mosquitto_pub refuses -k $k" || fail "mosquitto_pub accepted -k $k"
    expect 2 "invalid keepalive '$k' (must be a number from 5 to 65535)" pub "${P[@]}" -k "$k" -t a -m x
done
expect 2 "invalid keepalive '1'" sub "${P[@]}" -k 1 -t a
for k in 5 65535; do
    mqtls pub "${P[@]}" -i "ka$k" -k "$k" -t k/a -m x
    assert_status 0 $? "mqtls pub -k $k"
    wait_log "as ka$k (p2, c1, k$k"
done

# --- sub --pretty: %j laid out as mosquitto_sub lays it out --------------------------------
# Both subscribe at QoS 1 and get the same messages; only the time stamps differ.
bg "$WORK/pretty-m" msub -i prettym -q 1 -t 'pr/#' -F '%j' --pretty -C 3
PM=$BG
wait_subscribed prettym 'pr/#'
bg "$WORK/pretty-q" mqtls sub "${P[@]}" -i prettyq -q 1 -t 'pr/#' -F '%j' --pretty -C 3
PQ=$BG
wait_subscribed prettyq 'pr/#'
bg "$WORK/verbose-q" mqtls sub "${P[@]}" -i verboseq -t 'pr/#' -v --pretty -C 3
VQ=$BG
wait_subscribed verboseq 'pr/#'
mpub -t pr/a -q 1 -m '{"a":[1,2],"b":{"c":"d"},"e":{}}'
mpub -t pr/b -q 0 -m 'tab	and "quotes" \ and
newline'
mpub -t pr/c -q 1 -n
wait_bg "$PQ"
assert_status 0 "$RC" "mqtls sub --pretty -C 3"
wait_bg "$VQ"
wait_bg "$PM"
for f in pretty-m pretty-q; do
    grep -v '^	"tst":	' "$WORK/$f" > "$WORK/$f.cmp"
done
assert_file_eq "$WORK/pretty-m.cmp" "$WORK/pretty-q.cmp" "--pretty -F %j is mosquitto_sub's layout"
assert_eq 3 "$(grep -c '^	"tst":	"' "$WORK/pretty-q")" "--pretty: one tst member per message"
printf '%s\n' 'pr/a {"a":[1,2],"b":{"c":"d"},"e":{}}' 'pr/b tab	and "quotes" \ and' 'newline' \
    'pr/c (null)' > "$WORK/verbose-want"
assert_file_eq "$WORK/verbose-want" "$WORK/verbose-q" "--pretty leaves -v alone (as mosquitto_sub)"

# --- sub --remove-retained -------------------------------------------------------------------
retain_three() {
    mpub -t rr/a -m A -r && mpub -t rr/b -m B -r && mpub -t rr/keep -m K -r
}
retained_now() { msub -t 'rr/#' -v -W 1 2> /dev/null; }
retain_three
mqtls sub "${P[@]}" -t 'rr/#' -T rr/keep --remove-retained --retained-only -v > "$WORK/rr-q"
assert_status 0 $? "mqtls sub --remove-retained --retained-only"
assert_eq "rr/keep K" "$(retained_now)" "--remove-retained cleared every retained message but -T's"
retain_three
msub -t 'rr/#' -T rr/keep --remove-retained --retained-only -v > "$WORK/rr-m"
assert_file_eq "$WORK/rr-m" "$WORK/rr-q" "same output as mosquitto_sub --remove-retained"
retain_three
mqtls sub "${P[@]}" -t 'rr/#' --remove-retained -R -v -W 2 > "$WORK/rr-r"
assert_status 27 $? "mqtls sub --remove-retained -R -W 2"
assert_eq "" "$(retained_now)" "with -R the retained messages are still cleared (mosquitto_sub(1))"
assert_eq "rr/a (null) rr/b (null) rr/keep (null)" "$(sort "$WORK/rr-r" | tr '\n' ' ' | sed 's/ $//')" \
    "with -R only the (live) empty messages print"

# --- sub --random-filter -----------------------------------------------------------------
for c in 0 0.05 100.1 1000 abc -5; do
    expect 2 "invalid --random-filter chance '$c' (must be a percentage from 0.1 to 100)" \
        sub "${P[@]}" -t a --random-filter "$c"
done
# random_run CHANCE: sets n to how many of 400 messages --random-filter CHANCE printed.
random_run() {
    bg "$WORK/rf" mqtls sub "${P[@]}" -i "rf$1" -q 1 -t rf/x --random-filter "$1" -W 4
    local pid=$BG
    wait_subscribed "rf$1" rf/x
    seq 1 400 | mpub -t rf/x -q 1 -l
    wait_bg "$pid"
    assert_status 27 "$RC" "mqtls sub --random-filter $1 -W 4"
    n=$(wc -l < "$WORK/rf")
}
random_run 100
assert_eq 400 "$n" "--random-filter 100 prints every message"
random_run 50
# Binomial(400, 0.5): outside 130..270 has a probability below 1e-11.
[ "$n" -ge 130 ] && [ "$n" -le 270 ] && pass "--random-filter 50 printed $n of 400" ||
    fail "--random-filter 50 printed $n of 400"
random_run 0.1
# Binomial(400, 0.001): 10 or more has a probability below 1e-13.
[ "$n" -lt 10 ] && pass "--random-filter 0.1 printed $n of 400" ||
    fail "--random-filter 0.1 printed $n of 400"

# --- --unix: MQTT over the broker's Unix socket listener ---------------------------------
bg "$WORK/ux-m" msub -i uxm -t ux/a -C 1 -v
wait_subscribed uxm ux/a
mqtls pub --unix "$SOCK" -i uxpub -t ux/a -m 'over unix' -q 1 -d > "$WORK/ux-d"
assert_status 0 $? "mqtls pub --unix"
wait_bg "$BG"
assert_eq "ux/a over unix" "$(cat "$WORK/ux-m")" "a message published over --unix arrives"
assert_contains "$(cat "$WORK/ux-d")" "Client uxpub received PUBACK" "-d traces over --unix"
bg "$WORK/ux-q" mqtls sub --unix "$SOCK" -i uxsub -t ux/b -C 1 -v
wait_subscribed uxsub ux/b
mpub -t ux/b -m back
wait_bg "$BG"
assert_status 0 "$RC" "mqtls sub --unix -C 1"
assert_eq "ux/b back" "$(cat "$WORK/ux-q")" "mqtls sub --unix receives"
mpub -t ux/r -m R -r
assert_eq "R" "$(mqtls sub --unix "$SOCK" -t ux/r -C 1)" "-h/-p are not needed with --unix"
expect 3 "could not connect to unix socket $WORK/none.sock: No such file or directory" \
    pub --unix "$WORK/none.sock" -t a -m x
expect 3 "could not connect to unix socket $WORK: Connection refused" pub --unix "$WORK" -t a -m x
expect 2 "--unix cannot be combined with TLS" pub --unix "$SOCK" --insecure -t a -m x
expect 2 "--unix cannot be combined with TLS" sub --unix "$SOCK" -L "mqtts://localhost/a" --cafile "$WORK/ca.pem"
expect 2 "--unix cannot be combined with -A" pub --unix "$SOCK" -A 127.0.0.1 -t a -m x
expect 2 "invalid --unix path" pub --unix "$WORK/$(printf 'x%.0s' $(seq 1 120))" -t a -m x
expect 2 "not valid for mqtls doctor" doctor --unix "$SOCK"

# --- -V mqttv31: MQTT 3.1 ("MQIsdp", level 3; mosquitto logs it as p1) --------------------
bg "$WORK/v31-m" msub -V mqttv31 -i v31m -t v31/a -C 2 -v
wait_subscribed v31m v31/a
mqtls pub "${P[@]}" -V mqttv31 -i v31pub -t v31/a -m one -q 1
assert_status 0 $? "mqtls pub -V mqttv31 -q 1"
wait_log "as v31pub (p1, c1, k60)"
mqtls pub "${P[@]}" -V 31 -i v31pub2 -t v31/a -m two -q 2 -d > "$WORK/v31-d"
assert_status 0 $? "mqtls pub -V 31 -q 2"
wait_bg "$BG"
assert_eq "v31/a one v31/a two" "$(tr '\n' ' ' < "$WORK/v31-m" | sed 's/ $//')" \
    "mosquitto_sub -V mqttv31 gets mqtls' 3.1 messages"
assert_contains "$(cat "$WORK/v31-d")" "Client v31pub2 received PUBCOMP" "-d traces 3.1"
assert_not_contains "$(cat "$WORK/v31-d")" "not decoded" "-d decodes the 3.1 CONNECT"
bg "$WORK/v31-q" mqtls sub "${P[@]}" -V mqttv31 -i v31sub -q 1 -t 'v31/#' -C 1 -F '%t %q %p'
wait_subscribed v31sub 'v31/#'
wait_log "as v31sub (p1, c1, k60)"
mpub -V mqttv31 -t v31/b -q 1 -m three
wait_bg "$BG"
assert_status 0 "$RC" "mqtls sub -V mqttv31 -C 1"
assert_eq "v31/b 1 three" "$(cat "$WORK/v31-q")" "mqtls sub -V mqttv31 receives"
expect 2 "MQTT 3.1 (-V mqttv31) needs a client id of 1 to 23 bytes, not 24" \
    pub "${P[@]}" -V mqttv31 -i abcdefghijklmnopqrstuvwx -t a -m x
expect 2 "not supported by mqtls doctor" doctor "${P[@]}" -V mqttv31

finish
