#!/usr/bin/env bash
# mqtls doctor: one real scenario for every cause id in docs/troubleshooting.md's list
# "Reproduced by the tests". Each scenario runs the doctor twice: with --json (the cause id,
# the failed step and the exit status, parsed by python3) and as people read it (the exit
# status again, and the facts that matter in the message). Brokers are private mosquittos
# configured for the failure, and mqtls_fake_broker for what mosquitto cannot do.
. "$(dirname "$0")/lib.sh"

SRC=${MQTLS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 > /dev/null || die "python3 is needed to read the --json output"
# The interpreter itself: a version manager's shim (pyenv) costs a shell start per call.
PY=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"

SEEN=" "
DOCTOR_PREFIX=() # a command the doctor runs under (faketime)

# doctor_case EXIT CAUSE ARGS...: `mqtls doctor ARGS` must fail (or pass) with the cause and
# exit status given; the human report is left in $OUT for the checks that follow.
doctor_case() {
    local want_rc=$1 want=$2 rc got
    shift 2
    timeout "$T" "${DOCTOR_PREFIX[@]}" "$MQTLS_BIN" doctor --json "$@" > "$WORK/case.json" \
        2> "$WORK/case.json.err"
    rc=$?
    got=$("$PY" - "$WORK/case.json" <<'EOF' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
print(d["cause"]["id"], d["exit_code"], d["failed_stage"] if d["failed_stage"] else 0)
EOF
)
    local stage=$((want_rc > 10 ? want_rc - 10 : 0))
    assert_eq "$want $want_rc $stage" "$got" "doctor $*: --json names $want"
    assert_status "$want_rc" "$rc" "doctor --json $*"
    timeout "$T" "${DOCTOR_PREFIX[@]}" "$MQTLS_BIN" doctor "$@" > "$WORK/case.out" \
        2> "$WORK/case.err"
    rc=$?
    OUT=$(cat "$WORK/case.out")
    assert_status "$want_rc" "$rc" "doctor $*"
    if [ "$want" != ok ]; then
        assert_contains "$OUT" "cause: $want" "the report names $want"
        assert_contains "$OUT" "why: " "the report says why"
        assert_contains "$OUT" "fix: " "the report says what to do"
    fi
    assert_not_contains "$(cat "$WORK/case.err" "$WORK/case.json.err")" "Sanitizer" \
        "doctor $*: no sanitizer report"
    SEEN="$SEEN$want "
}

# has TEXT WHAT: the last human report contains TEXT.
has() { assert_contains "$OUT" "$1" "$2"; }

# ---- certificates ----------------------------------------------------------------------------
P=$WORK/pki
O=$WORK/other
AWS=a1b2c3-ats.iot.eu-west-1.amazonaws.com
mqtls pki init "$P" > /dev/null || die "pki init"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
mqtls pki server "$P" --name "$AWS" --out "$WORK/aws" > /dev/null || die "pki server (AWS name)"
mqtls pki server "$P" --name localhost --out "$WORK/expired" --not-before 2020-01-01 \
    --not-after 2020-06-30 > /dev/null 2>&1 || die "pki server (expired)"
mqtls pki server "$P" --name localhost --out "$WORK/future" --not-before 2099-01-01 \
    --not-after 2099-12-31 > /dev/null 2>&1 || die "pki server (future)"
mqtls pki device "$P" dev1 > /dev/null || die "pki device dev1"
mqtls pki device "$P" dev2 > /dev/null || die "pki device dev2"
mqtls pki device "$P" old --not-before 2020-01-01 --not-after 2020-06-30 > /dev/null 2>&1 ||
    die "pki device (expired)"
mqtls pki device "$P" later --not-before 2099-01-01 --not-after 2099-12-31 > /dev/null 2>&1 ||
    die "pki device (future)"
mqtls pki init "$O" --cn "other CA" > /dev/null || die "pki init other"
mqtls pki device "$O" intruder > /dev/null || die "pki device intruder"
mqtls pki server "$O" --name localhost > /dev/null || die "pki server other"
openssl ec -in "$P/dev1/private.key" -aes256 -passout pass:s3cret -out "$WORK/enc.key" \
    2> /dev/null || die "openssl ec -aes256"
openssl genrsa -out "$WORK/weak.key" 1024 2> /dev/null &&
    openssl req -new -key "$WORK/weak.key" -subj /CN=weak -out "$WORK/weak.csr" 2> /dev/null &&
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' > "$WORK/weak.ext" &&
    openssl x509 -req -in "$WORK/weak.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" \
        -CAcreateserial -days 30 -extfile "$WORK/weak.ext" -out "$WORK/weak.crt" 2> /dev/null ||
    die "openssl: an RSA 1024 device certificate"

DEV1=(--cert "$P/dev1/cert.crt" --key "$P/dev1/private.key")

# ---- brokers -----------------------------------------------------------------------------------
# M: mutual TLS with the CA of $P ($M_TLS), and a plain listener ($M_PLAIN).
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "require_certificate true"
M_TLS=$TLS_PORT
M_PLAIN=$PORT
# U: a certificate of the other CA, for "localhost" only.
start_tls_broker "cafile $O/ca.crt" "certfile $O/server.crt" "keyfile $O/server.key"
U_TLS=$TLS_PORT
# X, F: the right CA, but the broker's certificate expired / not valid yet.
start_tls_broker "cafile $P/ca.crt" "certfile $WORK/expired.crt" "keyfile $WORK/expired.key"
X_TLS=$TLS_PORT
start_tls_broker "cafile $P/ca.crt" "certfile $WORK/future.crt" "keyfile $WORK/future.key"
F_TLS=$TLS_PORT
# V: a TLS version the client does not speak: TLS 1.2 only against a client asked for 1.3
# only (both backends speak 1.3).
# mosquitto's tls_version is only a minimum: OpenSSL's own configuration caps the broker.
printf '%s\n' "openssl_conf = conf" "[conf]" "ssl_conf = ssl" "[ssl]" \
    "system_default = sys" "[sys]" "MaxProtocol = TLSv1.2" > "$WORK/tls12.cnf"
export OPENSSL_CONF=$WORK/tls12.cnf
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key"
unset OPENSSL_CONF
V_ARGS=(--tls-version tlsv1.3)
V_TLS=$TLS_PORT
# A: plain, with an ACL (the doctor's topics readable and writable, ronly/# readable only)
# and no empty client ids.
printf '%s\n' "topic readwrite mqtls/doctor/#" "topic read ronly/#" > "$WORK/acl"
start_broker "allow_zero_length_clientid false" "acl_file $WORK/acl"
A_PORT=$PORT
# N: plain, no anonymous clients.
mosquitto_passwd -c -b "$WORK/passwd" alice secret > /dev/null 2>&1 || die "mosquitto_passwd"
start_broker "allow_anonymous false" "password_file $WORK/passwd"
N_PORT=$PORT

LOC=(-h localhost --timeout 2)

# ---- step 1: credentials (exit 11) ---------------------------------------------------------------
doctor_case 11 cred.ca_missing "${LOC[@]}" -p "$M_TLS" "${DEV1[@]}"
has "neither --cafile nor --capath is given" "ca_missing: says no CA was given"
doctor_case 11 cred.file_unreadable "${LOC[@]}" -p "$M_TLS" --cafile "$WORK/nope.crt"
has "$WORK/nope.crt" "file_unreadable: names the file"
has "No such file or directory" "file_unreadable: says why"
# A directory where the CA file belongs (Mbed TLS itself would read it as a huge file).
doctor_case 11 cred.file_unreadable "${LOC[@]}" -p "$M_TLS" --cafile "$P"
has "the CA file '$P' is a directory, not a file" "file_unreadable: a directory"
doctor_case 11 cred.file_wrong_kind "${LOC[@]}" -p "$M_TLS" --cafile "$P/dev1/private.key"
has "CA file '$P/dev1/private.key' holds no certificate" "wrong_kind: the CA file holds a key"
doctor_case 11 cred.key_passphrase "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" \
    --cert "$P/dev1/cert.crt" --key "$WORK/enc.key"
has "is encrypted" "key_passphrase: the key is encrypted"
has "--keypass" "key_passphrase: names --keypass"
doctor_case 11 cred.key_mismatch "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" \
    --cert "$P/dev1/cert.crt" --key "$P/dev2/private.key"
has "the private key does not belong to the certificate" "key_mismatch: says so"
has "the private key's public key: EC P-256, sha256" "key_mismatch: both public keys shown"
doctor_case 11 cred.key_unsupported "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" \
    --cert "$WORK/weak.crt" --key "$WORK/weak.key"
has "RSA 1024, below 2048 bits" "key_unsupported: the key size"
doctor_case 11 cred.client_cert_expired "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" \
    --cert "$P/old/cert.crt" --key "$P/old/private.key"
has "certificate CN=old: expired" "client_cert_expired: names the certificate"
has "valid from 2020-01-01 00:00:00 UTC to 2020-06-30" "client_cert_expired: its dates"
doctor_case 11 cred.client_cert_not_yet_valid "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" \
    --cert "$P/later/cert.crt" --key "$P/later/private.key"
has "certificate CN=later: not yet valid" "not_yet_valid: names the certificate"
has "this machine's clock says" "not_yet_valid: the local clock"
doctor_case 11 cred.settings_invalid "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" \
    --ciphers TLS_NOPE
has "unknown or unsupported cipher suite in 'TLS_NOPE'" "settings_invalid: names the setting"

# ---- steps 2 and 3: DNS (12), TCP (13) ---------------------------------------------------------
# An empty label: getaddrinfo refuses it before any query leaves (only loopback here).
doctor_case 12 dns.not_found -h no-such-host..example -p 1883 --timeout 2
has "'no-such-host..example' does not resolve" "dns.not_found: names the host"
dead=$(free_port)
doctor_case 13 tcp.refused -h 127.0.0.1 -p "$dead" --timeout 2
has "127.0.0.1:$dead: Connection refused" "tcp.refused: the address and the refusal"
start_fake backlog
doctor_case 13 tcp.timeout -h 127.0.0.1 -p "$FAKE_PORT" --timeout 1
has "no answer within 1 s" "tcp.timeout: says how long it waited"
stop_fake
# No route: a network namespace of its own with no interface up (unshare -n), so the address
# is unreachable and nothing can leave the machine.
if unshare -n true 2> /dev/null; then
    DOCTOR_PREFIX=(unshare -n)
    doctor_case 13 tcp.unreachable -h 10.255.255.1 -p 8883 --timeout 2
    has "10.255.255.1:8883: Network is unreachable" "tcp.unreachable: the address and the errno"
    assert_not_contains "$OUT" "cause: tcp.timeout" "tcp.unreachable: not a timeout"
    assert_not_contains "$OUT" "cause: tcp.refused" "tcp.unreachable: not a refusal"
    DOCTOR_PREFIX=()
else
    echo "SKIP - tcp.unreachable: no network namespace can be made here (unshare -n)"
    SEEN="${SEEN}tcp.unreachable "
fi

# ---- step 4: TLS handshake (14) ----------------------------------------------------------------
# The motivating case (b): the server's root is not among the trusted roots.
doctor_case 14 tls.server_untrusted_root "${LOC[@]}" -p "$U_TLS" --cafile "$P/ca.crt"
has "the server's chain ends at 'CN=other CA'; your CA file holds: 'CN=mqtls local CA'" \
    "untrusted_root: names the root and the CA file's roots"
has "sent 48 unknown_ca" "untrusted_root: the alert we sent"
doctor_case 14 tls.server_cert_expired "${LOC[@]}" -p "$X_TLS" --cafile "$P/ca.crt"
has "'CN=localhost' is valid from 2020-01-01 00:00:00 to 2020-06-30" "expired: the dates"
doctor_case 14 tls.server_cert_not_yet_valid "${LOC[@]}" -p "$F_TLS" --cafile "$P/ca.crt"
has "'CN=localhost' is valid from 2099-01-01" "not_yet_valid: the dates"
# The device's clock at 1970-01-02 (libfaketime): the TLS library finds every certificate
# "not yet valid". The monotonic clock stays real, so that timeouts keep working.
if command -v faketime > /dev/null &&
    [ "$(FAKETIME_DONT_FAKE_MONOTONIC=1 faketime '1970-01-02 00:00:00' date -u +%Y 2> /dev/null)" = 1970 ]; then
    export FAKETIME_DONT_FAKE_MONOTONIC=1
    # An ASan runtime wants to come first; libfaketime is preloaded before it.
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
    DOCTOR_PREFIX=(faketime '1970-01-02 00:00:00')
    doctor_case 14 tls.clock_unset "${LOC[@]}" -p "$U_TLS" --cafile "$O/ca.crt"
    # faketime's clock runs on from its start: the seconds are whatever a busy machine made them.
    has "this machine's clock says 1970-01-02 00:0" "clock_unset: the clock"
    has "UTC (before 2020: not set)" "clock_unset: the clock is called unset"
    has "problems (0x0010): not valid yet" "clock_unset: the TLS layer's not-yet-valid problem"
    # With a device certificate the credentials step sees it first.
    doctor_case 11 tls.clock_unset "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" "${DEV1[@]}"
    has "certificate CN=dev1: not yet valid" "clock_unset (step 1): the device certificate"
    DOCTOR_PREFIX=()
    unset FAKETIME_DONT_FAKE_MONOTONIC
else
    echo "SKIP - tls.clock_unset: faketime is not installed or does not work here" \
        "(scripts/bootstrap.sh installs the Debian package faketime)"
    SEEN="${SEEN}tls.clock_unset "
fi
doctor_case 14 tls.hostname_mismatch -h 127.0.0.1 -p "$U_TLS" --cafile "$O/ca.crt" --timeout 2
has "you connected as '127.0.0.1'; the server's certificate 'CN=localhost' is for: DNS:localhost" \
    "hostname_mismatch: the name used and the certificate's names"
doctor_case 14 tls.client_cert_required "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt"
has "none is configured (--cert, --key)" "client_cert_required: no certificate configured"
# The motivating case (a): the server's chain verifies, then the broker rejects the device.
doctor_case 14 tls.client_cert_rejected "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" \
    --cert "$O/intruder/cert.crt" --key "$O/intruder/private.key"
has "verification: server chain verified (no problems)" "rejected: the chain verified"
has "the server chain verified" "rejected: the fact"
has "$O/intruder/cert.crt" "rejected: names the device certificate"
doctor_case 14 tls.no_common_cipher "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" "${DEV1[@]}" \
    --ciphers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
has "alert 40 handshake_failure before asking for a client certificate" "no_common_cipher: alert 40"
has "cipher suites offered: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" "no_common_cipher: the offer"
doctor_case 14 tls.version_mismatch "${LOC[@]}" -p "$V_TLS" --cafile "$P/ca.crt" "${V_ARGS[@]}"
has "alert 70 protocol_version" "version_mismatch: alert 70"
# AWS IoT's rule for port 443, on loopback: --connect-to keeps the name and the port 443.
start_fake tls --cert "$WORK/aws.crt" --key "$WORK/aws.key" --ca "$P/ca.crt" --verify required \
    --alpn x-amzn-mqtt-ca
AWSMAP=(-h "$AWS" -p 443 --connect-to "$AWS:443:127.0.0.1:$FAKE_PORT" --cafile "$P/ca.crt"
    "${DEV1[@]}" --timeout 2)
doctor_case 14 tls.alpn_required "${AWSMAP[@]}" --alpn mqtt
has "is an AWS IoT host and the port is 443; ALPN offered: mqtt (needed: x-amzn-mqtt-ca)" \
    "alpn_required: the rule and what was offered"
# The same, with the ALPN mqtls offers by itself: the handshake passes and the server hangs
# up after CONNECT, as AWS IoT does when a policy denies iot:Connect.
doctor_case 15 mqtt.closed_after_connect "${AWSMAP[@]}"
has "ALPN x-amzn-mqtt-ca (automatic: AWS IoT on port 443)" "closed_after_connect: ALPN chosen"
has "negotiated: TLSv1.3" "closed_after_connect: the handshake passed (the fake broker speaks 1.3)"
has "CONNECT was sent, and the broker closed the connection without CONNACK" \
    "closed_after_connect: the fact"
stop_fake
doctor_case 14 tls.not_a_tls_port "${LOC[@]}" -p "$M_PLAIN" --cafile "$P/ca.crt"
has "closed the connection after the ClientHello without sending anything" \
    "not_a_tls_port: mosquitto's plain port hangs up"
start_fake http
doctor_case 14 tls.not_a_tls_port "${LOC[@]}" -p "$FAKE_PORT" --cafile "$P/ca.crt"
has "not TLS (first byte 0x48 'H')" "not_a_tls_port: an HTTP answer"
stop_fake
start_fake stall
doctor_case 14 tls.handshake_timeout -h localhost -p "$FAKE_PORT" --cafile "$P/ca.crt" --timeout 1
has "no end of the handshake within 1 s (0 bytes received)" "handshake_timeout: silence"
stop_fake
start_fake bigrecord
doctor_case 14 tls.record_too_large "${LOC[@]}" -p "$FAKE_PORT" --cafile "$P/ca.crt"
has "a record larger than" "record_too_large: the fact"
if tls_is_openssl; then
    has "TLS allows" "record_too_large: the limit"
else
    has "MBEDTLS_SSL_IN_CONTENT_LEN" "record_too_large: names the buffer"
fi
stop_fake
# An alert no rule reads (80 has its own cause since issue 15: tests/cli/test_doctor_alerts.sh).
start_fake alert 10
doctor_case 14 tls.handshake_failed "${LOC[@]}" -p "$FAKE_PORT" --cafile "$P/ca.crt"
has "alert received: 10 unexpected_message" "handshake_failed: the alert"
stop_fake

# ---- step 5: MQTT CONNECT (15) -------------------------------------------------------------------
doctor_case 15 mqtt.tls_port_without_tls -h 127.0.0.1 -p "$M_TLS" --timeout 2
has "the server answered with a TLS handshake record (0x16): this port speaks TLS" \
    "tls_port_without_tls: the probe"
for c in "1 mqtt.refused_protocol_version Connection Refused, unacceptable protocol version" \
    "3 mqtt.refused_server_unavailable Connection Refused, Server unavailable" \
    "4 mqtt.refused_bad_credentials Connection Refused, bad user name or password"; do
    read -r code id text <<< "$c"
    start_fake connack "$code"
    doctor_case 15 "$id" -h 127.0.0.1 -p "$FAKE_PORT" -u bob -P pw --timeout 2
    has "CONNACK return code $code (0x0$code): $text" "$id: the return code in words"
    stop_fake
done
start_fake connack 0x86
doctor_case 15 mqtt.refused_bad_credentials -h 127.0.0.1 -p "$FAKE_PORT" -V 5 --timeout 2
has "CONNACK reason code 134 (0x86): Bad User Name or Password" "5.0 0x86: the reason text"
stop_fake
start_fake connack 0x9c
doctor_case 15 mqtt.use_another_server -h 127.0.0.1 -p "$FAKE_PORT" -V 5 --timeout 2
has "CONNACK reason code 156 (0x9c): Use another server" "5.0 0x9C: the reason text"
has "the broker sent no Server Reference" "5.0 0x9C: no reference, and it says so"
stop_fake
doctor_case 15 mqtt.refused_client_id -h 127.0.0.1 -p "$A_PORT" -i "" --timeout 2
has "CONNACK return code 2 (0x02)" "refused_client_id: return code 2"
has "client id ''" "refused_client_id: the empty id"
doctor_case 15 mqtt.refused_not_authorized -h 127.0.0.1 -p "$N_PORT" --timeout 2
has "CONNACK return code 5 (0x05)" "refused_not_authorized: return code 5"
start_fake stall
doctor_case 15 mqtt.no_connack -h 127.0.0.1 -p "$FAKE_PORT" --timeout 1
has "no answer to CONNECT within 1 s" "no_connack: silence"
stop_fake
start_fake http
doctor_case 15 mqtt.no_connack -h 127.0.0.1 -p "$FAKE_PORT" --timeout 2
has "48 54 54 50" "no_connack: the HTTP answer in hex"
has "'HTTP/1.1 400 Bad'" "no_connack: ... and as text"
stop_fake

# ---- step 6: round trip (16) -------------------------------------------------------------------
start_fake suback 0x80
doctor_case 16 mqtt.subscribe_refused -h 127.0.0.1 -p "$FAKE_PORT" --timeout 2
has "SUBACK 0x80 (Failure): refused" "subscribe_refused: 3.1.1 0x80"
stop_fake
start_fake suback 0x87
doctor_case 16 mqtt.subscribe_refused -h 127.0.0.1 -p "$FAKE_PORT" -V 5 --timeout 2
has "SUBACK 0x87 (Not authorized): refused" "subscribe_refused: 5.0 0x87"
stop_fake
start_fake close-on-sub
doctor_case 16 mqtt.closed_after_subscribe -h 127.0.0.1 -p "$FAKE_PORT" --timeout 2
has "SUBSCRIBE 'mqtls/doctor/" "closed_after_subscribe: after SUBSCRIBE"
has "the connection closed" "closed_after_subscribe: the close"
stop_fake
doctor_case 16 mqtt.message_not_returned -h 127.0.0.1 -p "$A_PORT" --topic ronly/doctor \
    --timeout 1
has "SUBACK 0x01 (Granted QoS 1)" "message_not_returned: subscribed"
has "PUBLISH QoS 1 (" "message_not_returned: published"
has "the message did not come back on 'ronly/doctor' within 1 s" "message_not_returned: lost"
start_fake swallow
doctor_case 16 mqtt.message_not_returned -h 127.0.0.1 -p "$FAKE_PORT" -V 5 --timeout 1
has "PUBLISH QoS 1 (" "swallowed: published and acknowledged"
has "did not come back" "swallowed: never delivered"
stop_fake

# ---- every step passes -------------------------------------------------------------------------
doctor_case 0 ok "${LOC[@]}" -p "$M_TLS" --cafile "$P/ca.crt" "${DEV1[@]}"
for n in "1 credentials" "2 DNS" "3 TCP connect" "4 TLS handshake" "5 MQTT CONNECT" "6 round trip"; do
    has "✓ $n  " "mutual TLS: step $n passed"
done
has "client certificate: requested by the server, sent" "mutual TLS: certificate sent"
has "result: ok" "mutual TLS: result ok"
doctor_case 0 ok -h 127.0.0.1 -p "$A_PORT" --timeout 2
for n in "1 credentials" "2 DNS" "3 TCP connect" "4 TLS handshake" "5 MQTT CONNECT" "6 round trip"; do
    has "✓ $n  " "plain TCP: step $n passed"
done
has "the message came back on 'mqtls/doctor/" "plain TCP: the round trip"

# ---- every cause of the list has its scenario ------------------------------------------------------
listed=$(sed -n '/<!-- reachable: begin -->/,/<!-- reachable: end -->/p' \
    "$SRC/docs/troubleshooting.md" | sed -n 's/^- `\([a-z0-9_.]*\)`.*/\1/p')
[ -n "$listed" ] || fail "docs/troubleshooting.md has no list of reproduced causes"
for id in $listed; do
    case "$SEEN" in
        *" $id "*) pass "scenario for $id" ;;
        *) fail "docs/troubleshooting.md lists $id, but no scenario here reproduced it" ;;
    esac
done

finish
