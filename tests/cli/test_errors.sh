#!/usr/bin/env bash
# Bad input and failures: each gives a clear message on stderr and its documented exit
# status (0 ok, 1 other, 2 usage, 3 connect failed, 4 CONNACK refused, 5 rejected, 27 -W).
# TLS failures with real certificates are in test_tls_cli.sh.
. "$(dirname "$0")/lib.sh"

start_broker

P=(-p "$PORT")

# Usage errors: exit 2.
expect 2 "unknown option '--bogus'" pub "${P[@]}" -t a -m x --bogus
expect 2 "unknown option '-Z'" sub "${P[@]}" -t a -Z
expect 2 "unexpected argument 'stray'" pub "${P[@]}" -t a -m x stray
expect 2 "'-t' needs an argument" pub "${P[@]}" -m x -t
expect 2 "'-D' needs 3 arguments" pub "${P[@]}" -t a -m x -V 5 -D
expect 2 "not valid for mqtls sub" sub "${P[@]}" -t a -m x
expect 2 "not valid for mqtls pub" pub "${P[@]}" -t a -m x -v
expect 2 "invalid QoS '3'" pub "${P[@]}" -t a -m x -q 3
expect 2 "invalid QoS '-1'" sub "${P[@]}" -t a -q -1
expect 2 "invalid port '0'" pub -p 0 -t a -m x
expect 2 "invalid port '65536'" pub -p 65536 -t a -m x
expect 2 "invalid port 'http'" sub -p http -t a
expect 2 "invalid keepalive '70000'" pub "${P[@]}" -k 70000 -t a -m x
expect 2 "invalid publish topic 'a/#'" pub "${P[@]}" -t 'a/#' -m x
expect 2 "invalid publish topic 'a/+/b'" pub "${P[@]}" -t 'a/+/b' -m x
expect 2 "invalid subscription filter 'a/#/b'" sub "${P[@]}" -t 'a/#/b'
expect 2 "invalid subscription filter 'a+'" sub "${P[@]}" -t 'a+'
expect 2 "no topic given" pub "${P[@]}" -m x
expect 2 "no topic given" sub "${P[@]}"
expect 2 "no message given" pub "${P[@]}" -t a
expect 2 "only one of -m, -f, -l, -s and -n" pub "${P[@]}" -t a -m x -n
expect 2 "one topic" pub "${P[@]}" -t a -t b -m x
expect 2 "cannot read file '$WORK/missing'" pub "${P[@]}" -t a -f "$WORK/missing"
expect 2 "cannot read file '$WORK'" pub "${P[@]}" -t a -f "$WORK"
expect 2 "invalid protocol version 'mqttv4'" pub "${P[@]}" -t a -m x -V mqttv4
expect 2 "invalid protocol version 'mqttv6'" pub "${P[@]}" -t a -m x -V mqttv6
expect 2 "-c needs a client id" sub "${P[@]}" -t a -c
expect 2 "needs MQTT 5.0" sub "${P[@]}" -t a -x 60
expect 2 "invalid property name 'colour'" pub "${P[@]}" -V 5 -t a -m x -D publish colour red
expect 2 "invalid command 'publsh'" pub "${P[@]}" -V 5 -t a -m x -D publsh content-type t
expect 2 "needs two values" pub "${P[@]}" -V 5 -t a -m x -D publish user-property k
expect 2 "invalid value 'abc'" pub "${P[@]}" -V 5 -t a -m x -D publish message-expiry-interval abc
expect 2 "invalid -F format: unknown format sequence '%Z'" sub "${P[@]}" -t a -F '%Z'
expect 2 "unknown escape" sub "${P[@]}" -t a -F 'x\q'
expect 2 "invalid message count '0'" sub "${P[@]}" -t a -C 0
expect 2 "invalid timeout 'soon'" sub "${P[@]}" -t a -W soon
expect 2 "--repeat cannot be used with -l" pub "${P[@]}" -t a -l --repeat 2
expect 2 "invalid repeat delay" pub "${P[@]}" -t a -m x --repeat 2 --repeat-delay -1
expect 2 "-R and --retained-only" sub "${P[@]}" -t a -R --retained-only
expect 2 "unsupported scheme" pub -L http://host/t -m x
expect 2 "invalid port" pub -L mqtt://host:0/t -m x
expect 2 "no host name" sub -L mqtt:///t
# TLS options: what is missing or contradictory is named before connecting.
expect 2 "TLS needs a CA to verify the broker's certificate: pass --cafile FILE" \
    pub -L "mqtts://127.0.0.1:$PORT/t" -m x
expect 2 "TLS needs a CA" sub "${P[@]}" -t a --cert "$WORK/c.crt" --key "$WORK/c.key"
expect 2 "--cert needs --key" pub "${P[@]}" -t a -m x --cafile "$WORK/ca.crt" --cert "$WORK/c.crt"
expect 2 "--key needs --cert" pub "${P[@]}" -t a -m x --cafile "$WORK/ca.crt" --key "$WORK/c.key"
expect 2 "--key needs --cert" sub "${P[@]}" -t a --key "$WORK/c.key"
expect 2 "--ciphers is a TLS option, but TLS is not in use" pub "${P[@]}" -t a -m x --ciphers X
expect 2 "--alpn is a TLS option" sub "${P[@]}" -t a --alpn mqtt
expect 2 "--tls-version is a TLS option" sub "${P[@]}" -t a --tls-version tlsv1.2
expect 2 "--keypass is a TLS option" pub "${P[@]}" -t a -m x --keypass pw
expect 2 "--keypass needs --key" pub "${P[@]}" -t a -m x --cafile "$WORK/ca.crt" --keypass pw
expect 2 "invalid TLS version 'tls1.2' (use tlsv1.2 or tlsv1.3)" \
    pub "${P[@]}" -t a -m x --insecure --tls-version tls1.2
expect 2 "TLS version 'tlsv1.1' is not supported" sub "${P[@]}" -t a --insecure --tls-version tlsv1.1
expect 2 "invalid --alpn ''" pub "${P[@]}" -t a -m x --insecure --alpn ''
expect 2 "the -L URL says mqtt:// (plain MQTT) but TLS options were given" \
    pub -L "mqtt://127.0.0.1:$PORT/t" --cafile "$WORK/ca.crt" -m x
expect 2 "the CA file '$WORK/ca.crt' cannot be used: No such file or directory" \
    pub "${P[@]}" -t a -m x --cafile "$WORK/ca.crt"
expect 2 "'--cafile' needs an argument" pub "${P[@]}" -t a -m x --cafile
expect 2 "use -i or -I, not both" pub "${P[@]}" -t a -m x -i one -I two
expect 2 "password (-P) needs a user name" pub "${P[@]}" -t a -m x -P secret
expect 2 "unknown command 'publish'" publish -t a -m x
expect 2 "Usage: mqtls COMMAND"

# Usage errors point at --help.
mqtls pub -t a -m x -q 9 2> "$WORK/err"
assert_contains "$(cat "$WORK/err")" "mqtls pub --help" "usage errors point at --help"

# --help and --version: exit 0, on stdout, with the exit-status table.
for c in "--help" "pub --help" "sub --help"; do
    mqtls $c > "$WORK/help" 2>&1
    assert_status 0 $? "mqtls $c"
    h=$(cat "$WORK/help")
    assert_contains "$h" "Exit status:" "mqtls $c lists exit statuses"
    assert_contains "$h" "27  sub -W" "mqtls $c documents 27"
done
assert_contains "$(mqtls pub --help)" "--will-topic" "pub --help lists options"
assert_contains "$(mqtls sub --help)" "--retained-only" "sub --help lists sub options"
for c in pub sub; do
    h=$(mqtls $c --help)
    for o in --cafile --capath --cert --key --keypass --tls-version --ciphers --alpn --insecure \
        "mqtt[s]://"; do
        assert_contains "$h" "$o" "$c --help lists $o"
    done
done
assert_not_contains "$(mqtls pub --help)" "--retained-only" "pub --help omits sub options"
assert_contains "$(mqtls --version)" "mqtls 0.1" "--version"

# Connection failures: exit 3.
free_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect 3 "could not connect to 127.0.0.1 port $free_port" pub -h 127.0.0.1 -p "$free_port" -t a -m x
expect 3 "could not connect" sub -h 127.0.0.1 -p "$free_port" -t a
expect 3 "could not connect to 127.0.0.1 port $free_port" \
    pub -h 127.0.0.1 -p "$free_port" --insecure -t a -m x
# TLS to a plain MQTT port: the server hangs up without a word of TLS.
expect 3 "may not be a TLS port" pub "${P[@]}" -h 127.0.0.1 --insecure -t a -m x
expect 3 "could not connect to no-such-host..example" pub -h no-such-host..example -t a -m x
# -A with an address that is not ours: named, with and without TLS.
expect 3 "cannot bind to 192.0.2.1" pub -h 127.0.0.1 "${P[@]}" -A 192.0.2.1 -t a -m x
expect 3 "cannot bind to 192.0.2.1" pub -h 127.0.0.1 "${P[@]}" -A 192.0.2.1 --insecure -t a -m x

# CONNACK refused: exit 4 with the broker's reason.
mosquitto_passwd -c -b "$WORK/passwd" alice wonderland 2>/dev/null
start_broker "allow_anonymous false" "password_file $WORK/passwd"
AUTH_PORT=$PORT
expect 4 "not authorized (return code 5)" pub -p "$AUTH_PORT" -t a -m x
expect 4 "Not authorized (reason code 135)" pub -p "$AUTH_PORT" -V 5 -t a -m x
expect 4 "refused by the broker" sub -p "$AUTH_PORT" -u alice -P wrong -t a
mqtls pub -p "$AUTH_PORT" -u alice -P wonderland -t a -m x
assert_status 0 $? "right password accepted"

# Publish rejected by the broker (5.0 PUBACK reason >= 0x80): exit 5.
printf 'topic readwrite open/#\ntopic read ro/#\n' > "$WORK/acl"
start_broker "acl_file $WORK/acl"
expect 5 "rejected the message (mid 1): Not authorized" pub -p "$PORT" -V 5 -q 1 -t ro/x -m x
expect 5 "Not authorized" pub -p "$PORT" -V 5 -q 2 -t ro/x -m x
mqtls pub -p "$PORT" -V 5 -q 1 -t open/x -m x
assert_status 0 $? "allowed topic published"

# The broker restarting under sub (like mosquitto_sub, it stays): it says the connection was
# lost, reconnects with backoff, subscribes again, and the next message arrives.
bg "$WORK/lost" mqtls sub -p "$PORT" -i lost -t open/lost -C 1 -W 30
wait_subscribed lost open/lost
"$MQTLS_BROKER_BIN" restart "$BROKER_DIR" >/dev/null
for i in $(seq 1 300); do  # the same subscription logged a second time: it came back
    n=$(awk '$2 == "lost" && $4 == "open/lost"' "$BROKER_LOG" 2>/dev/null | wc -l)
    [ "$n" -ge 2 ] && break
    sleep 0.05
done
[ "$n" -ge 2 ] || fail "sub did not subscribe again after the broker restarted"
mqtls pub -p "$PORT" -q 1 -t open/lost -m after-restart
wait_bg "$BG"
assert_status 0 "$RC" "sub survived the broker restart"
assert_contains "$(cat "$WORK/lost")" "after-restart" "the message after the restart arrived"
assert_contains "$(cat "$WORK/lost.err")" "connection lost" "says the connection was lost"
assert_contains "$(cat "$WORK/lost.err")" "reconnecting in" "says it reconnects"

finish
