#!/usr/bin/env bash
# mqtls doctor: step-1 findings that become the cause (issue 15, point 3), against real
# mosquitto listeners with credentials made by the openssl CLI. For each new cause: the id
# from --json, the exit status, the facts, and the neighbouring causes asserted absent; for
# each finding also a failure it does not explain, where it must stay a warning. Then the
# AWS IoT reading (point 4's last sentence): the same failure against 127.0.0.1 names no
# AWS thing, against an AWS IoT host name (--connect-to: nothing leaves the machine) it
# does. (mqtls_fake_broker, when given, sends alert 120 for the ALPN case.)
. "$(dirname "$0")/lib.sh"

command -v python3 > /dev/null || die "python3 is needed to read the --json output"
command -v openssl > /dev/null || die "the openssl CLI makes this test's certificates"

# case_id EXIT CAUSE ARGS...: `mqtls doctor --json ARGS` names CAUSE and exits with EXIT;
# the human report is left in $OUT.
case_id() {
    local want_rc=$1 want=$2 rc got
    shift 2
    timeout "$T" "$MQTLS_BIN" doctor --json "$@" > "$WORK/case.json" 2> "$WORK/case.err"
    rc=$?
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["cause"]["id"])' \
        "$WORK/case.json" 2>&1)
    assert_eq "$want" "$got" "doctor $*: names $want"
    assert_status "$want_rc" "$rc" "doctor --json $*"
    OUT=$(timeout "$T" "$MQTLS_BIN" doctor "$@" 2>&1)
    if [ "$want" = ok ]; then
        assert_contains "$OUT" "result: ok" "the report says ok"
    else
        assert_contains "$OUT" "cause: $want" "the report names $want"
    fi
}
has() { assert_contains "$OUT" "$1" "$2"; }
hasnt() { assert_not_contains "$OUT" "$1" "$2"; }
# not_cause ID...: the last --json and report name none of these causes.
not_cause() {
    local id
    for id in "$@"; do
        assert_not_contains "$(cat "$WORK/case.json")" "\"id\": \"$id\"" "--json: not $id"
        assert_not_contains "$OUT" "cause: $id" "report: not $id"
    done
}

# ---- certificates (openssl CLI) ------------------------------------------------------------------
C=$WORK/pki
mkdir -p "$C"
# mkcert NAME SUBJECT EXT [ISSUER]: a P-256 key and certificate; self-signed without ISSUER.
mkcert() {
    local name=$1 subj=$2 ext=$3 issuer=${4:-}
    openssl ecparam -name prime256v1 -genkey -noout -out "$C/$name.key" 2> /dev/null || return 1
    printf '%b\n' "$ext" > "$C/$name.ext"
    if [ -z "$issuer" ]; then
        openssl req -new -x509 -key "$C/$name.key" -subj "$subj" -days 30 \
            -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n%b\n' \
            "$ext") -out "$C/$name.crt" 2> /dev/null
    else
        openssl req -new -key "$C/$name.key" -subj "$subj" -out "$C/$name.csr" 2> /dev/null &&
            openssl x509 -req -in "$C/$name.csr" -CA "$C/$issuer.crt" -CAkey "$C/$issuer.key" \
                -CAcreateserial -days 20 -extfile "$C/$name.ext" -out "$C/$name.crt" 2> /dev/null
    fi
}
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign'
SRV_EXT='basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'
DEV_EXT='basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth'
NOAUTH_EXT='basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth'
NOSIGN_EXT='basicConstraints=CA:FALSE\nkeyUsage=critical,nonRepudiation\nextendedKeyUsage=clientAuth'
mkcert root "/CN=Findings Root" "$CA_EXT" || die "openssl: root"
mkcert other "/CN=Findings Other Root" "$CA_EXT" || die "openssl: other root"
mkcert server "/CN=localhost" "$SRV_EXT" root || die "openssl: server"
mkcert dev "/CN=findings-device" "$DEV_EXT" root || die "openssl: device"
mkcert peer "/CN=findings-peer" "$DEV_EXT" root || die "openssl: another device"
# A device certificate for servers only (extendedKeyUsage serverAuth, no clientAuth).
mkcert noauth "/CN=findings-noauth" "$NOAUTH_EXT" root || die "openssl: device without clientAuth"
# The same mistake from a CA the broker does not trust: the issuer is refused first.
mkcert noauth_other "/CN=findings-noauth-other" "$NOAUTH_EXT" other ||
    die "openssl: device without clientAuth, other CA"
# A device certificate whose keyUsage does not allow signing the handshake.
mkcert nosign "/CN=findings-nosign" "$NOSIGN_EXT" root || die "openssl: device without digitalSignature"
printf 'not a key at all\n' > "$C/garbage.key"

# ---- brokers ------------------------------------------------------------------------------------
# MTLS: requires a device certificate of the root. ANON: asks for none.
start_tls_broker "cafile $C/root.crt" "certfile $C/server.crt" "keyfile $C/server.key" \
    "require_certificate true" "allow_anonymous true"
MTLS=$TLS_PORT
start_tls_broker "certfile $C/server.crt" "keyfile $C/server.key" "allow_anonymous true"
ANON=$TLS_PORT
CLOSED=$(free_port)

LOC=(-h 127.0.0.1 --timeout 3)
DEV=(--cert "$C/dev.crt" --key "$C/dev.key")
NOAUTH=(--cert "$C/noauth.crt" --key "$C/noauth.key")

# ---- swapped and wrong-kind files (step 1) -------------------------------------------------------
case_id 11 cred.cert_key_swapped "${LOC[@]}" -p "$MTLS" --cafile "$C/root.crt" \
    --cert "$C/dev.key" --key "$C/dev.crt"
has "the other way round: --cert $C/dev.crt --key $C/dev.key" "swapped: the corrected options"
not_cause cred.file_wrong_kind cred.cert_file_is_key cred.key_file_is_cert
case_id 11 cred.cert_file_is_key "${LOC[@]}" -p "$MTLS" --cafile "$C/root.crt" \
    --cert "$C/dev.key" --key "$C/dev.key"
has "'$C/dev.key' (--cert) holds a private key and no certificate" "cert is key: the file named"
not_cause cred.file_wrong_kind cred.cert_key_swapped cred.key_file_is_cert
case_id 11 cred.key_file_is_cert "${LOC[@]}" -p "$MTLS" --cafile "$C/root.crt" \
    --cert "$C/dev.crt" --key "$C/dev.crt"
has "holds a certificate and no private key: it is the --cert file again" \
    "key is cert: the same file twice said"
not_cause cred.file_wrong_kind cred.cert_key_swapped cred.key_mismatch
# A key file that is neither: a damaged file, no finding.
case_id 11 cred.file_wrong_kind "${LOC[@]}" -p "$MTLS" --cafile "$C/root.crt" \
    --cert "$C/dev.crt" --key "$C/garbage.key"
not_cause cred.key_file_is_cert cred.cert_key_swapped

# ---- a device certificate without clientAuth ---------------------------------------------------
# mosquitto (OpenSSL 3) refuses it with alert 43 unsupported_certificate.
case_id 14 tls.client_cert_no_client_auth "${LOC[@]}" -p "$MTLS" --cafile "$C/root.crt" \
    "${NOAUTH[@]}"
has "step 1 found: the device certificate 'CN=findings-noauth' does not allow TLS client authentication" \
    "no clientAuth: the finding is the evidence"
has "does not allow TLS client authentication (extendedKeyUsage: serverAuth)" \
    "no clientAuth: its extendedKeyUsage"
has "refused it with alert 43 unsupported_certificate" "no clientAuth: the broker's alert"
not_cause cred.key_unsupported tls.client_cert_rejected tls.client_missing_intermediate
# The finding does not explain these: it stays a warning.
case_id 13 tcp.refused "${LOC[@]}" -p "$CLOSED" --cafile "$C/root.crt" "${NOAUTH[@]}"
has "! extended key usage does not allow TLS client authentication" \
    "refused port: the finding is still a warning"
not_cause tls.client_cert_no_client_auth
case_id 0 ok "${LOC[@]}" -p "$ANON" --cafile "$C/root.crt" "${NOAUTH[@]}"
has "! extended key usage does not allow TLS client authentication" \
    "no certificate asked: the finding is still a warning"
not_cause tls.client_cert_no_client_auth
# Issued by a CA the broker does not trust: the issuer is refused (unknown_ca) first.
case_id 14 tls.client_cert_rejected "${LOC[@]}" -p "$MTLS" --cafile "$C/root.crt" \
    --cert "$C/noauth_other.crt" --key "$C/noauth_other.key"
has "alert 48 unknown_ca" "other CA: refused for its issuer"
not_cause tls.client_cert_no_client_auth
# With clientAuth, the same broker takes the device.
case_id 0 ok "${LOC[@]}" -p "$MTLS" --cafile "$C/root.crt" "${DEV[@]}"
hasnt "does not allow TLS client authentication" "clientAuth: no finding"

# ---- a device certificate whose keyUsage does not allow signing ----------------------------------
case_id 14 tls.client_cert_key_usage "${LOC[@]}" -p "$MTLS" --cafile "$C/root.crt" \
    --cert "$C/nosign.crt" --key "$C/nosign.key"
has "does not allow signing the handshake (keyUsage: nonRepudiation)" \
    "no digitalSignature: the finding is the evidence"
has "refused it with alert 43 unsupported_certificate" "no digitalSignature: the broker's alert"
not_cause cred.key_unsupported tls.client_cert_rejected tls.client_cert_no_client_auth
case_id 0 ok "${LOC[@]}" -p "$ANON" --cafile "$C/root.crt" --cert "$C/nosign.crt" \
    --key "$C/nosign.key"
has "! key usage does not allow digitalSignature" "no certificate asked: still a warning"
not_cause tls.client_cert_key_usage

# ---- a CA file without a CA --------------------------------------------------------------------
case_id 14 tls.ca_file_not_ca "${LOC[@]}" -p "$MTLS" --cafile "$C/peer.crt" "${DEV[@]}"
has "your CA file holds 'CN=findings-peer', issued by 'CN=Findings Root': not a CA" \
    "CA file not a CA: what it holds"
has "the server's chain ends at 'CN=Findings Root'" "CA file not a CA: the CA to trust named"
not_cause tls.server_untrusted_root tls.ca_file_is_device_cert tls.chain_not_ca
case_id 14 tls.ca_file_is_device_cert "${LOC[@]}" -p "$MTLS" --cafile "$C/dev.crt" "${DEV[@]}"
has "(it is your device certificate, the one --cert gives)" "CA file is the device's: said"
not_cause tls.server_untrusted_root tls.ca_file_not_ca
# A CA file that holds a CA, only the wrong one: an untrusted root, as before.
case_id 14 tls.server_untrusted_root "${LOC[@]}" -p "$MTLS" --cafile "$C/other.crt" "${DEV[@]}"
not_cause tls.ca_file_not_ca tls.ca_file_is_device_cert
# The finding and a failure it does not explain: a refused port.
case_id 13 tcp.refused "${LOC[@]}" -p "$CLOSED" --cafile "$C/dev.crt" "${DEV[@]}"
has "in the CA file is not a CA certificate" "refused port: the CA finding is a warning"
not_cause tls.ca_file_is_device_cert tls.ca_file_not_ca

# ---- AWS IoT readings only for AWS IoT hosts -------------------------------------------------------
AWS=a1b2c3-ats.iot.eu-west-1.amazonaws.com
no_aws() {
    local w
    for w in AWS Amazon amazonaws iot: x-amzn; do
        assert_not_contains "$OUT" "$w" "$1: no '$w' in the report"
        assert_not_contains "$(cat "$WORK/case.json")" "$w" "$1: no '$w' in --json"
    done
}
case_id 14 tls.server_untrusted_root "${LOC[@]}" -p "$ANON" --cafile "$C/other.crt"
no_aws "untrusted root on 127.0.0.1"
case_id 14 tls.server_untrusted_root -h "$AWS" -p 8883 --connect-to "$AWS:8883:127.0.0.1:$ANON" \
    --timeout 3 --cafile "$C/other.crt"
has "$AWS is an AWS IoT endpoint: AWS IoT's iot:Data-ATS endpoints chain to Amazon Root CA 1" \
    "untrusted root on an AWS IoT host: the AWS reading"
case_id 13 tcp.refused "${LOC[@]}" -p "$CLOSED" --cafile "$C/root.crt"
no_aws "refused port on 127.0.0.1"
case_id 13 tcp.refused -h "$AWS" -p 8883 --connect-to "$AWS:8883:127.0.0.1:$CLOSED" \
    --timeout 3 --cafile "$C/root.crt"
has "AWS IoT takes MQTT with a client certificate on port 8883, or on 443 with ALPN x-amzn-mqtt-ca" \
    "refused port on an AWS IoT host: the AWS reading"
case_id 14 tls.ca_file_is_device_cert "${LOC[@]}" -p "$MTLS" --cafile "$C/dev.crt" "${DEV[@]}"
no_aws "CA file is the device's on 127.0.0.1"
# A server that wants an ALPN name it was not offered (alert 120) is not AWS IoT's.
if [ -n "${MQTLS_FAKE_BROKER_BIN:-}" ]; then
    start_fake alert 120
    case_id 14 tls.alpn_required "${LOC[@]}" -p "$FAKE_PORT" --cafile "$C/root.crt"
    has "ALPN offered: none" "alert 120 on 127.0.0.1: what was offered"
    no_aws "alert 120 on 127.0.0.1"
    stop_fake
else
    echo "SKIP - alert 120: MQTLS_FAKE_BROKER_BIN not set"
fi

finish
