#!/usr/bin/env bash
# TLS 1.3: a broker that speaks TLS 1.3 only (mosquitto `tls_version tlsv1.3`), with mutual
# TLS. With OpenSSL the tool connects with TLS 1.3 (also when asked for 1.3 only); a client
# certificate the broker refuses after the handshake (TLS 1.3 checks it then) is still
# named. Both backends speak TLS 1.3 (Mbed TLS 3.6 in the device configuration, whose suites
# are AES-GCM only).
. "$(dirname "$0")/lib.sh"

P=$WORK/pki
O=$WORK/other
mqtls pki init "$P" > /dev/null || die "pki init failed"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
mqtls pki device "$P" dev1 > /dev/null || die "pki device"
mqtls pki init "$O" --cn "other CA" > /dev/null || die "pki init other"
mqtls pki device "$O" intruder > /dev/null || die "pki device other"
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "require_certificate true" "tls_version tlsv1.3"
TLS=(-h localhost -p "$TLS_PORT" --cafile "$P/ca.crt")
DEV1=(--cert "$P/dev1/cert.crt" --key "$P/dev1/private.key")

mqtls pub "${TLS[@]}" "${DEV1[@]}" -t t13/a -m one -d > "$WORK/dbg" 2>&1
assert_status 0 $? "TLS 1.3-only broker: connected"
assert_contains "$(cat "$WORK/dbg")" "version:        TLSv1.3" "-d: TLS 1.3 negotiated"
assert_contains "$(cat "$WORK/dbg")" "cipher suite:   TLS_AES_" "-d: a TLS 1.3 suite"
mqtls pub "${TLS[@]}" "${DEV1[@]}" --tls-version tlsv1.3 -t t13/b -m two
assert_status 0 $? "--tls-version tlsv1.3: connected"
S13=TLS_CHACHA20_POLY1305_SHA256
tls_is_openssl || S13=TLS_AES_128_GCM_SHA256 # (not the broker's first choice either)
mqtls pub "${TLS[@]}" "${DEV1[@]}" --ciphers "$S13" -t t13/c -m three -d > "$WORK/dbg" 2>&1
assert_status 0 $? "a TLS 1.3 suite chosen by its IANA name"
assert_contains "$(cat "$WORK/dbg")" "cipher suite:   $S13" "-d: the suite asked for"

# TLS 1.3: the broker checks the client certificate after the client's handshake is done.
expect 3 "rejected this client certificate" pub "${TLS[@]}" \
    --cert "$O/intruder/cert.crt" --key "$O/intruder/private.key" -t t13/x -m x
mqtls doctor "${TLS[@]}" --cert "$O/intruder/cert.crt" --key "$O/intruder/private.key" \
    --timeout 5 > "$WORK/doc" 2>&1
assert_contains "$(cat "$WORK/doc")" "cause: tls.client_cert_rejected" \
    "doctor: a refused certificate under TLS 1.3"
expect 3 "requires a client certificate" pub "${TLS[@]}" -t t13/x -m x
mqtls doctor "${TLS[@]}" --timeout 5 > "$WORK/doc" 2>&1
assert_contains "$(cat "$WORK/doc")" "cause: tls.client_cert_required" \
    "doctor: no certificate under TLS 1.3"

finish
