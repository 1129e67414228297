#!/usr/bin/env bash
# mqtls doctor and MQTT 5 reason codes, AWS IoT behaviours (issue 15, point 4): for every
# cause of that part, a scenario that reproduces it (the cause id from --json, the exit
# status, the facts in the human report) and a check that the neighbouring cause is NOT
# named. Real mosquitto where it shows the behaviour (a second client with the same id,
# access rules), RabbitMQ for a broker without MQTT 5 (skipped when not installed), and
# mqtls_fake_broker for the CONNACK/DISCONNECT codes and properties mosquitto does not send.
. "$(dirname "$0")/lib.sh"

command -v python3 > /dev/null || die "python3 is needed to read the --json output"
PY=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"

# doctor_case EXIT CAUSE ARGS...: `mqtls doctor ARGS` fails with that cause and exit status
# (with --json and as people read it); the human report is left in $OUT, the JSON's facts in
# $FACTS.
doctor_case() {
    local want_rc=$1 want=$2 rc got
    shift 2
    timeout "$T" "$MQTLS_BIN" doctor --json "$@" > "$WORK/case.json" 2> "$WORK/case.json.err"
    rc=$?
    got=$("$PY" - "$WORK/case.json" <<'EOF' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
print(d["cause"]["id"], d["exit_code"], d["failed_stage"] if d["failed_stage"] else 0)
EOF
)
    FACTS=$("$PY" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["cause"]["facts"]))' \
        "$WORK/case.json" 2>&1)
    local stage=$((want_rc > 10 ? want_rc - 10 : 0))
    assert_eq "$want $want_rc $stage" "$got" "doctor $*: --json names $want"
    assert_status "$want_rc" "$rc" "doctor --json $*"
    timeout "$T" "$MQTLS_BIN" doctor "$@" > "$WORK/case.out" 2> "$WORK/case.err"
    rc=$?
    OUT=$(cat "$WORK/case.out")
    assert_status "$want_rc" "$rc" "doctor $*"
    assert_contains "$OUT" "cause: $want" "the report names $want"
    assert_not_contains "$(cat "$WORK/case.err" "$WORK/case.json.err")" "Sanitizer" \
        "doctor $*: no sanitizer report"
}

has() { assert_contains "$OUT" "$1" "$2"; }
hasnt() { assert_not_contains "$OUT" "$1" "$2"; }
# not_cause ID: the last report does not name ID (the neighbouring cause).
not_cause() { assert_not_contains "$OUT" "cause: $1" "not $1"; }

# ---- certificates ----------------------------------------------------------------------------
P=$WORK/pki
AWS=a1b2c3-ats.iot.eu-west-1.amazonaws.com
mqtls pki init "$P" > /dev/null || die "pki init"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
mqtls pki server "$P" --name "$AWS" --out "$WORK/aws" > /dev/null || die "pki server (AWS name)"
mqtls pki device "$P" dev1 > /dev/null || die "pki device dev1"
DEV1=(--cert "$P/dev1/cert.crt" --key "$P/dev1/private.key")
LOC=(-h 127.0.0.1 --timeout 2)

# ---- use another server / server moved (0x9C, 0x9D): the Server Reference, the command -------
start_fake connack 0x9c --server-ref other.example.com:18830
doctor_case 15 mqtt.use_another_server "${LOC[@]}" -p "$FAKE_PORT" -V 5 -i dev-a
has "Server Reference: 'other.example.com:18830'" "0x9C: the Server Reference"
has "try it: mqtls doctor -h other.example.com -p 18830 -V 5 -i 'dev-a'" "0x9C: the command"
has "CONNACK reason 0x9c (Use another server): connect to the server in the Server Reference" \
    "0x9C: what to do about the code"
not_cause mqtt.refused
assert_contains "$FACTS" "try it: mqtls doctor -h other.example.com -p 18830" \
    "0x9C: the command is among the JSON report's facts"
stop_fake
start_fake connack 0x9d --server-ref "[::1]:1884 backup.example.com:1885"
doctor_case 15 mqtt.use_another_server "${LOC[@]}" -p "$FAKE_PORT" -V 5 -i dev-a
has "try it: mqtls doctor -h ::1 -p 1884 -V 5" "0x9D: the first server of the reference"
has "the server moved: connect to the Server Reference from now on" "0x9D: for good"
stop_fake
# The same code in a DISCONNECT during the round trip.
start_fake disconnect 0x9c --server-ref other.example.com
doctor_case 16 mqtt.use_another_server "${LOC[@]}" -p "$FAKE_PORT" -V 5 -i dev-a
has "try it: mqtls doctor -h other.example.com -p $FAKE_PORT -V 5" \
    "DISCONNECT 0x9C: a reference without a port keeps the port"
not_cause mqtt.server_disconnect
stop_fake
# Another CONNACK code stays mqtt.refused, with what to do about it.
start_fake connack 0x97
doctor_case 15 mqtt.refused "${LOC[@]}" -p "$FAKE_PORT" -V 5
has "CONNACK reason 0x97 (Quota exceeded): a quota" "0x97: what to do"
not_cause mqtt.use_another_server
hasnt "Server Reference" "0x97: no Server Reference is made up"
stop_fake

# ---- session taken over (0x8E), and what a real mosquitto does ---------------------------------
start_fake disconnect 0x8e
doctor_case 16 mqtt.session_taken_over "${LOC[@]}" -p "$FAKE_PORT" -V 5 -i dev-dup
has "client id 'dev-dup' is in use by another connection" "0x8E: names the client id"
has "DISCONNECT 142 (Session taken over)" "0x8E: the reason code"
not_cause mqtt.closed_after_request
not_cause mqtt.server_disconnect
stop_fake
# mosquitto 2.0 closes the older connection without a DISCONNECT 0x8E: the doctor cannot
# know it was a takeover and must not say so; it names the client id as a possibility.
printf '%s\n' "topic readwrite mqtls/doctor/#" "topic write wonly/#" > "$WORK/acl"
start_broker "acl_file $WORK/acl" "log_type debug"
bg "$WORK/takeover.out" timeout "$T" "$MQTLS_BIN" doctor --json -h 127.0.0.1 -p "$PORT" -V 5 \
    -i dup-id --topic wonly/t --timeout 6
DOC=$BG
wait_log "Sending PUBACK to dup-id" &&
    mqtls sub -h 127.0.0.1 -p "$PORT" -i dup-id -t other/x -W 1 > /dev/null 2>&1
wait_bg "$DOC"
assert_status 16 "$RC" "takeover on mosquitto: step 6 fails"
got=$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["cause"]["id"]); print("\n".join(d["cause"]["facts"]))' \
    "$WORK/takeover.out" 2>&1)
assert_contains "$got" "mqtt.closed_after_request" "takeover on mosquitto: a close while waiting"
assert_contains "$got" "another connection with client id 'dup-id' closes this one too" \
    "takeover on mosquitto: the client id as a reading"
assert_not_contains "$got" "mqtt.session_taken_over" \
    "takeover on mosquitto: no DISCONNECT 0x8E came, so no takeover is claimed"

# ---- other DISCONNECT codes: words and what to do -----------------------------------------------
start_fake disconnect 0x97
doctor_case 16 mqtt.server_disconnect "${LOC[@]}" -p "$FAKE_PORT" -V 5
has "DISCONNECT 151 (Quota exceeded)" "0x97: the code in words"
has "what to do about DISCONNECT 0x97: a quota" "0x97: what to do"
not_cause mqtt.closed_after_publish
stop_fake
start_fake disconnect 0x8b
doctor_case 16 mqtt.server_disconnect "${LOC[@]}" -p "$FAKE_PORT" -V 5
has "the broker is shutting down: reconnect later" "0x8B: what to do"
stop_fake

# ---- a close after SUBSCRIBE, after PUBLISH ------------------------------------------------------
start_fake close-on-sub
doctor_case 16 mqtt.closed_after_subscribe "${LOC[@]}" -p "$FAKE_PORT" -V 5
not_cause mqtt.closed_after_publish
hasnt "AWS IoT endpoint" "127.0.0.1 is not AWS's: no AWS reading"
stop_fake
start_fake close-on-pub
doctor_case 16 mqtt.closed_after_publish "${LOC[@]}" -p "$FAKE_PORT" -V 5
has "SUBACK 0x01" "closed_after_publish: the subscription was granted"
not_cause mqtt.closed_after_subscribe
stop_fake
# A real mosquitto that refuses a publish answers with PUBACK 0x87, not a close: that stays
# mqtt.message_not_returned (the neighbour), never closed_after_publish.
printf '%s\n' "topic readwrite mqtls/doctor/#" "topic read ronly/#" > "$WORK/acl2"
start_broker "acl_file $WORK/acl2"
doctor_case 16 mqtt.message_not_returned "${LOC[@]}" -p "$PORT" -V 5 --topic ronly/t
has "PUBACK 0x87 (Not authorized): refused" "mosquitto: PUBACK 0x87"
not_cause mqtt.closed_after_publish

# ---- AWS IoT readings: for an AWS IoT host only, never localhost ---------------------------------
start_fake tls --cert "$WORK/aws.crt" --key "$WORK/aws.key"
AWSMAP=(-h "$AWS" -p 8883 --connect-to "$AWS:8883:127.0.0.1:$FAKE_PORT" --cafile "$P/ca.crt"
    --timeout 2 -V 311)
doctor_case 15 mqtt.closed_after_connect "${AWSMAP[@]}"
has "$AWS is an AWS IoT endpoint: AWS IoT closes the connection without CONNACK" \
    "AWS host: the AWS reading"
has "iot:Connect on client/<client id>" "AWS host: names iot:Connect"
assert_contains "$FACTS" "is an AWS IoT endpoint" "AWS host: the reading is a JSON fact too"
stop_fake
start_fake tls --cert "$P/server.crt" --key "$P/server.key"
doctor_case 15 mqtt.closed_after_connect -h localhost -p "$FAKE_PORT" --cafile "$P/ca.crt" \
    --timeout 2 -V 311
hasnt "AWS IoT endpoint" "localhost: not an AWS IoT host"
hasnt "iot:" "localhost: no AWS policy advice"
# localhost on port 443 (the port AWS IoT's rules use): still not AWS's.
doctor_case 15 mqtt.closed_after_connect -h localhost -p 443 \
    --connect-to "localhost:443:127.0.0.1:$FAKE_PORT" --cafile "$P/ca.crt" --timeout 2 -V 311
hasnt "AWS" "localhost:443: the report never calls it AWS IoT"
# 5.0: the broker hangs up on 3.1.1 too, so it is not the version.
doctor_case 15 mqtt.closed_after_connect -h localhost -p "$FAKE_PORT" --cafile "$P/ca.crt" \
    --timeout 2 -V 5
has "MQTT 3.1.1: no CONNACK either" "5.0 and 3.1.1 both closed: says so"
not_cause mqtt.v5_not_supported
stop_fake

# ---- not authorized when the certificate was the identity -----------------------------------------
for code in 5 0x87; do
    [ "$code" = 5 ] && V=311 || V=5
    start_fake tls --cert "$P/server.crt" --key "$P/server.key" --ca "$P/ca.crt" \
        --verify required --connack "$code"
    doctor_case 15 mqtt.refused_certificate_identity -h localhost -p "$FAKE_PORT" \
        --cafile "$P/ca.crt" "${DEV1[@]}" --timeout 2 -V "$V"
    has "no user name or password was sent (-u, -P); the client certificate $P/dev1/cert.crt" \
        "CONNACK $code, no -u/-P: the certificate was judged"
    hasnt "check -u" "CONNACK $code, no -u/-P: no -u/-P advice"
    not_cause mqtt.refused_not_authorized
    # The neighbour: with a user name the user name is what was refused.
    doctor_case 15 mqtt.refused_not_authorized -h localhost -p "$FAKE_PORT" \
        --cafile "$P/ca.crt" "${DEV1[@]}" --timeout 2 -V "$V" -u bob -P pw
    not_cause mqtt.refused_certificate_identity
    stop_fake
done

# Without a certificate and without -u/-P, the user name and password are what is missing.
start_fake connack 0x86
doctor_case 15 mqtt.refused_bad_credentials "${LOC[@]}" -p "$FAKE_PORT" -V 5
has "no user name or password was sent (-u, -P) and no client certificate" \
    "0x86, nothing sent: says that no identity was sent"
not_cause mqtt.refused_certificate_identity
stop_fake

# ---- a broker without MQTT 5: closes a 5.0 CONNECT, accepts 3.1.1 ---------------------------------
start_fake v5-close
doctor_case 15 mqtt.v5_not_supported "${LOC[@]}" -p "$FAKE_PORT" -V 5
has "trying MQTT 3.1.1 on a new connection" "v5-close: the doctor tries 3.1.1"
has "MQTT 3.1.1 CONNECT on a new connection, same client id: CONNACK 0 (accepted)" \
    "v5-close: and says so"
not_cause mqtt.closed_after_connect
hasnt "CONNACK reason code 0" "v5-close: no CONNACK of 5.0 is claimed"
stop_fake

RABBITMQ_SH=$(dirname "$0")/../support/rabbitmq.sh
if bash "$RABBITMQ_SH" available; then
    RMQ_DIR=$WORK/rabbitmq
    trap 'bash "$RABBITMQ_SH" stop "$RMQ_DIR"; cleanup' EXIT
    RPORT=$(bash "$RABBITMQ_SH" start "$RMQ_DIR" $$) || die "cannot start a RabbitMQ node"
    doctor_case 15 mqtt.v5_not_supported -h 127.0.0.1 -p "$RPORT" -V 5 --timeout 5
    has "MQTT 3.1.1: CONNACK 0 (accepted)" "RabbitMQ: 3.1.1 accepted"
    not_cause mqtt.closed_after_connect
    # The neighbour: 3.1.1 from the start passes.
    timeout "$T" "$MQTLS_BIN" doctor -h 127.0.0.1 -p "$RPORT" -V 311 --timeout 5 \
        > "$WORK/rmq311.out" 2>&1
    assert_status 0 $? "RabbitMQ with -V 311: every step passes"
    assert_not_contains "$(cat "$WORK/rmq311.out")" "v5_not_supported" "RabbitMQ -V 311: no v5 cause"
else
    echo "SKIP - RabbitMQ part: rabbitmq-server (with its MQTT plugin) is not installed"
fi

finish
