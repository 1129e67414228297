#!/usr/bin/env bash
# --ciphers as mosquitto_pub/sub users write it: OpenSSL's names and rules
# (ECDHE-ECDSA-AES128-GCM-SHA256, HIGH:!aNULL), as well as IANA names; the suite the broker
# chose is the one asked for (-d shows it), and a name nobody knows is a usage error.
. "$(dirname "$0")/lib.sh"

P=$WORK/pki
mqtls pki init "$P" > /dev/null || die "pki init failed"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
openssl x509 -in "$P/server.crt" -noout -text 2> /dev/null | grep -q "id-ecPublicKey" ||
    die "the test expects mqtls pki to make EC (P-256) keys"
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key"
C=(-h localhost -p "$TLS_PORT" --cafile "$P/ca.crt" -t c/x -m x -d)

# suite WANT ARG: connects with --ciphers ARG and the broker chose WANT (IANA, as -d shows).
suite() {
    mqtls pub "${C[@]}" --ciphers "$2" > "$WORK/d" 2> "$WORK/err"
    assert_status 0 $? "--ciphers '$2' connects"
    assert_contains "$(grep -i 'cipher suite:' "$WORK/d")" "$1" "--ciphers '$2' gives $1"
}
suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256
suite TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384
if tls_is_openssl; then # Mbed TLS's device configuration has AES-GCM suites only
    suite TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-CHACHA20-POLY1305
else
    expect 2 "CHACHA20" pub "${C[@]}" --ciphers ECDHE-ECDSA-CHACHA20-POLY1305
fi
suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
# An OpenSSL rule: everything strong that authenticates with ECDSA.
mqtls pub "${C[@]}" --ciphers 'HIGH:!aNULL:!RSA:aECDSA' > "$WORK/d" 2> "$WORK/err"
assert_status 0 $? "an OpenSSL cipher rule connects"
# OpenSSL takes the rule itself; for the Mbed TLS backend the tool expands it to the suites
# that backend has.
assert_eq "" "$(cat "$WORK/err")" "an OpenSSL rule connects without a word"
# Mixed: IANA and OpenSSL names together.
suite TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 \
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:ECDHE-ECDSA-AES256-GCM-SHA384'

expect 2 "OpenSSL knows no cipher suite by 'NO-SUCH-CIPHER'" \
    pub -h localhost -p "$TLS_PORT" --cafile "$P/ca.crt" -t c/x -m x --ciphers NO-SUCH-CIPHER
# A suite the broker's key cannot serve (RSA authentication against an EC certificate): the
# handshake fails and says which suites were offered.
expect 3 "ciphers limited the offer" \
    pub -h localhost -p "$TLS_PORT" --cafile "$P/ca.crt" -t c/x -m x \
    --ciphers ECDHE-RSA-AES128-GCM-SHA256

finish
