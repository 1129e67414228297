#!/usr/bin/env bash
# mqtls doctor: no false facts. Every scenario of the list below (the setups of
# test_doctor*.sh: all passing, each wrong file, each broker failure, localhost, AWS-looking
# hosts through --connect-to) runs `mqtls doctor --json`; tests/support/doctor_facts_check.py
# then re-derives every statement of the report from the scenario's inputs without the
# doctor's code (openssl CLI, a real resolve and connect, s_client, a CONNECT of its own)
# and fails on any that does not hold or whose kind it does not know. A self-test first
# shows the checker catches a deliberately wrong statement in a test-only copy of a report.
. "$(dirname "$0")/lib.sh"

SRC=${MQTLS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 > /dev/null || die "python3 is needed for the checker"
command -v openssl > /dev/null || die "the openssl CLI is needed for the checker"
PY=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"
CHECK=$SRC/tests/support/doctor_facts_check.py

# ---- certificates (as test_doctor.sh makes them) ---------------------------------------------
P=$WORK/pki
O=$WORK/other
AWS=a1b2c3-ats.iot.eu-west-1.amazonaws.com
S3=s3.eu-west-1.amazonaws.com
mqtls pki init "$P" > /dev/null || die "pki init"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
mqtls pki server "$P" --name "$AWS" --out "$WORK/aws" > /dev/null || die "pki server (AWS)"
mqtls pki server "$P" --name "$S3" --out "$WORK/s3" > /dev/null || die "pki server (S3)"
mqtls pki server "$P" --name localhost --out "$WORK/expired" --not-before 2020-01-01 \
    --not-after 2020-06-30 > /dev/null 2>&1 || die "pki server (expired)"
mqtls pki server "$P" --name localhost --out "$WORK/future" --not-before 2099-01-01 \
    --not-after 2099-12-31 > /dev/null 2>&1 || die "pki server (future)"
for dev in dev1 dev2; do
    mqtls pki device "$P" $dev > /dev/null || die "pki device $dev"
done
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
    openssl x509 -req -in "$WORK/weak.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" \
        -CAcreateserial -days 30 -out "$WORK/weak.crt" 2> /dev/null ||
    die "openssl: an RSA 1024 device certificate"
# A chain of the openssl CLI (as test_doctor_chain.sh makes it): root -> sub-CA -> broker and
# device; a non-CA used as an issuer; a root with pathlen 0 above a sub-CA.
C=$WORK/chain
mkdir -p "$C"
mkcert() { # NAME SUBJECT EXT [ISSUER]: self-signed without ISSUER
    local name=$1 subj=$2 ext=$3 issuer=${4:-}
    openssl ecparam -name prime256v1 -genkey -noout -out "$C/$name.key" 2> /dev/null || return 1
    printf '%b\n' "$ext" > "$C/$name.ext"
    if [ -z "$issuer" ]; then
        openssl req -new -x509 -key "$C/$name.key" -subj "$subj" -days 30 -extensions v3 \
            -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n%b\n' "$ext") \
            -out "$C/$name.crt" 2> /dev/null
    else
        openssl req -new -key "$C/$name.key" -subj "$subj" -out "$C/$name.csr" 2> /dev/null &&
            openssl x509 -req -in "$C/$name.csr" -CA "$C/$issuer.crt" -CAkey "$C/$issuer.key" \
                -CAcreateserial -days 20 -extfile "$C/$name.ext" -out "$C/$name.crt" 2> /dev/null
    fi
}
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign'
SRV_EXT='basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth'
DEV_EXT='basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth'
mkcert root "/CN=Chain Test Root" "$CA_EXT" && mkcert sub "/CN=Chain Test Sub CA" "$CA_EXT" root &&
    mkcert server "/CN=localhost" "$SRV_EXT" sub && mkcert device "/CN=chain-device" "$DEV_EXT" sub &&
    mkcert notca "/CN=Not A CA" 'basicConstraints=critical,CA:FALSE' root &&
    mkcert srv_notca "/CN=localhost" "$SRV_EXT" notca &&
    mkcert proot "/CN=Pathlen Root" 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign' &&
    mkcert psub "/CN=Pathlen Sub CA" "$CA_EXT" proot && mkcert psrv "/CN=localhost" "$SRV_EXT" psub ||
    die "openssl: the chain certificates"
# Step 1's findings (as test_doctor_findings.sh makes them), issued by the root the FULL
# broker trusts: a device for servers only, one whose keyUsage does not sign, another device.
mkcert noauth "/CN=facts-noauth" 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth' root &&
    mkcert nosign "/CN=facts-nosign" 'basicConstraints=CA:FALSE\nkeyUsage=critical,nonRepudiation\nextendedKeyUsage=clientAuth' root &&
    mkcert rdev "/CN=facts-device" "$DEV_EXT" root && mkcert peer "/CN=facts-peer" "$DEV_EXT" root ||
    die "openssl: the findings' certificates"
# --device: a broker under 9 intermediate CAs (as test_doctor_device.sh makes it), one more
# than Mbed TLS follows.
mkcert i1 "/CN=Deep CA 1" "$CA_EXT" root || die "openssl: Deep CA 1"
for k in 2 3 4 5 6 7 8 9; do
    mkcert i$k "/CN=Deep CA $k" "$CA_EXT" i$((k - 1)) || die "openssl: Deep CA $k"
done
mkcert deep "/CN=localhost" "$SRV_EXT" i9 || die "openssl: the broker under 9 CAs"
cp "$C/deep.crt" "$C/deep-chain.crt"
for k in 9 8 7 6 5 4 3 2 1; do cat "$C/i$k.crt" >> "$C/deep-chain.crt"; done
# The names (RFC 6125): a wildcard one label above the host; a host only in the CN.
mkcert wild "/CN=wild" 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:*.example.test' root &&
    mkcert cnonly "/CN=cn.example.test" 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:other.example.test' root ||
    die "openssl: the names' certificates"
cat "$C/server.crt" "$C/sub.crt" > "$C/server-chain.crt"
cat "$C/device.crt" "$C/sub.crt" > "$C/device-chain.crt"
cat "$C/root.crt" "$C/sub.crt" > "$C/root-sub.crt"
cat "$C/srv_notca.crt" "$C/notca.crt" > "$C/srv_notca-chain.crt"
cat "$C/psrv.crt" "$C/psub.crt" > "$C/psrv-chain.crt"
# Everything of a PKI valid in the first half of 2020 only: the clock reading.
Q=$WORK/old
mqtls pki init "$Q" --not-before 2020-01-01 --not-after 2020-06-30 > /dev/null 2>&1 &&
    mqtls pki server "$Q" --name localhost --not-before 2020-01-01 --not-after 2020-06-30 \
        > /dev/null 2>&1 || die "pki (2020)"

# ---- brokers ---------------------------------------------------------------------------------
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "require_certificate true"
M_TLS=$TLS_PORT M_PLAIN=$PORT
start_tls_broker "cafile $O/ca.crt" "certfile $O/server.crt" "keyfile $O/server.key"
U_TLS=$TLS_PORT
start_tls_broker "cafile $P/ca.crt" "certfile $WORK/expired.crt" "keyfile $WORK/expired.key"
X_TLS=$TLS_PORT
start_tls_broker "cafile $P/ca.crt" "certfile $WORK/future.crt" "keyfile $WORK/future.key"
F_TLS=$TLS_PORT
start_tls_broker "cafile $C/root.crt" "certfile $C/server.crt" "keyfile $C/server.key"
LEAF=$TLS_PORT
start_tls_broker "cafile $C/root.crt" "certfile $C/server-chain.crt" "keyfile $C/server.key" \
    "require_certificate true"
FULL=$TLS_PORT
start_tls_broker "cafile $C/root.crt" "certfile $C/server-chain.crt" "keyfile $C/server.key" \
    "tls_version tlsv1.3"
V13=$TLS_PORT
start_tls_broker "cafile $C/root.crt" "certfile $C/deep-chain.crt" "keyfile $C/deep.key"
DEEP=$TLS_PORT
start_tls_broker "certfile $C/srv_notca-chain.crt" "keyfile $C/srv_notca.key"
NOTCA=$TLS_PORT
start_tls_broker "certfile $C/psrv-chain.crt" "keyfile $C/psrv.key"
PLEN=$TLS_PORT
start_tls_broker "certfile $Q/server.crt" "keyfile $Q/server.key"
OLD=$TLS_PORT
start_broker
A_PORT=$PORT
mosquitto_passwd -c -b "$WORK/passwd" alice secret > /dev/null 2>&1 || die "mosquitto_passwd"
start_broker "allow_anonymous false" "password_file $WORK/passwd"
N_PORT=$PORT
# fake NAME MODE [ARG...]: a mqtls_fake_broker for the scenarios that name it; its port in
# FAKE_NAME. As lib.sh's start_fake, but living as long as this test may (ctest: 600 s).
fake() {
    local name=$1 out i
    shift
    out=$(mktemp "$WORK/fake-XXXXXX")
    "$MQTLS_FAKE_BROKER_BIN" "$@" --lifetime 600 > "$out" 2> "$out.err" &
    BG_PIDS+=("$!")
    for i in $(seq 1 200); do
        [ -s "$out" ] && break
        sleep 0.02
    done
    [ -s "$out" ] || die "mqtls_fake_broker $* did not start: $(cat "$out.err")"
    printf -v "FAKE_$name" '%s' "$(head -1 "$out")"
}
fake backlog backlog
fake aws tls --cert "$WORK/aws.crt" --key "$WORK/aws.key" --ca "$P/ca.crt" --verify required \
    --alpn x-amzn-mqtt-ca
fake s3 tls --cert "$WORK/s3.crt" --key "$WORK/s3.key" --ca "$P/ca.crt" --verify required
fake http http
fake stall stall
fake alert alert 80
fake connack4 connack 4
fake connack86 connack 0x86
fake suback suback 0x80
fake v5close v5-close
fake ref connack 0x9c --server-ref other.example.com:18830
fake takeover disconnect 0x8e
fake local tls --cert "$P/server.crt" --key "$P/server.key"
fake swallow swallow
fake closesub close-on-sub
fake closepub close-on-pub
fake disc97 disconnect 0x97
fake wild tls --cert "$C/wild.crt" --key "$C/wild.key"
fake cnonly tls --cert "$C/cnonly.crt" --key "$C/cnonly.key"
DEAD=$(free_port)

# ---- the scenarios: one line each, "label|arguments" (word-split; no spaces in values) -------
LOC="-h localhost --timeout 2"
D1="--cert $P/dev1/cert.crt --key $P/dev1/private.key"
SCENARIOS=(
    "ok(mutual_tls)|$LOC -p $M_TLS --cafile $P/ca.crt $D1"
    "ok(plain_localhost)|$LOC -p $A_PORT"
    "ok(plain_ip)|-h 127.0.0.1 -p $A_PORT --timeout 2 -V 5"
    "cred.ca_missing|$LOC -p $M_TLS $D1"
    "cred.file_unreadable|$LOC -p $M_TLS --cafile $WORK/nope.crt"
    "cred.file_wrong_kind|$LOC -p $M_TLS --cafile $P/dev1/private.key"
    "cred.key_passphrase|$LOC -p $M_TLS --cafile $P/ca.crt --cert $P/dev1/cert.crt --key $WORK/enc.key"
    "cred.key_mismatch|$LOC -p $M_TLS --cafile $P/ca.crt --cert $P/dev1/cert.crt --key $P/dev2/private.key"
    "cred.key_unsupported|$LOC -p $M_TLS --cafile $P/ca.crt --cert $WORK/weak.crt --key $WORK/weak.key"
    "cred.client_cert_expired|$LOC -p $M_TLS --cafile $P/ca.crt --cert $P/old/cert.crt --key $P/old/private.key"
    "cred.settings_invalid|$LOC -p $M_TLS --cafile $P/ca.crt --ciphers TLS_NOPE"
    "cred.client_cert_not_yet_valid|$LOC -p $M_TLS --cafile $P/ca.crt --cert $P/later/cert.crt --key $P/later/private.key"
    "dns.not_found|-h no-such-host..example -p 1883 --timeout 2"
    "tcp.refused|-h 127.0.0.1 -p $DEAD --timeout 2"
    "tcp.timeout|-h 127.0.0.1 -p $FAKE_backlog --timeout 1"
    "tls.server_untrusted_root|$LOC -p $U_TLS --cafile $P/ca.crt"
    "tls.server_cert_expired|$LOC -p $X_TLS --cafile $P/ca.crt"
    "tls.server_cert_not_yet_valid|$LOC -p $F_TLS --cafile $P/ca.crt"
    "tls.hostname_mismatch|-h 127.0.0.1 -p $U_TLS --cafile $O/ca.crt --timeout 2"
    "tls.client_cert_required|$LOC -p $M_TLS --cafile $P/ca.crt"
    "tls.client_cert_rejected|$LOC -p $M_TLS --cafile $P/ca.crt --cert $O/intruder/cert.crt --key $O/intruder/private.key"
    "tls.no_common_cipher|$LOC -p $M_TLS --cafile $P/ca.crt $D1 --ciphers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    "tls.alpn_required(aws)|-h $AWS -p 443 --connect-to $AWS:443:127.0.0.1:$FAKE_aws --cafile $P/ca.crt $D1 --timeout 2 --alpn mqtt"
    "mqtt.closed_after_connect(aws)|-h $AWS -p 443 --connect-to $AWS:443:127.0.0.1:$FAKE_aws --cafile $P/ca.crt $D1 --timeout 2"
    "mqtt.closed_after_connect(s3)|-h $S3 -p 443 --connect-to $S3:443:127.0.0.1:$FAKE_s3 --cafile $P/ca.crt $D1 --timeout 2"
    "tls.not_a_tls_port(mosquitto)|$LOC -p $M_PLAIN --cafile $P/ca.crt"
    "tls.not_a_tls_port(http)|$LOC -p $FAKE_http --cafile $P/ca.crt"
    "tls.handshake_timeout|$LOC -p $FAKE_stall --cafile $P/ca.crt"
    "tls.server_internal_error(alert80)|$LOC -p $FAKE_alert --cafile $P/ca.crt"
    "mqtt.tls_port_without_tls|-h 127.0.0.1 -p $M_TLS --timeout 2"
    "mqtt.refused_bad_credentials|-h 127.0.0.1 -p $FAKE_connack4 -u bob -P pw --timeout 2"
    "mqtt.refused_bad_credentials(5.0)|-h 127.0.0.1 -p $FAKE_connack86 -V 5 --timeout 2"
    "mqtt.refused_not_authorized|-h 127.0.0.1 -p $N_PORT --timeout 2"
    "mqtt.no_connack(silence)|-h 127.0.0.1 -p $FAKE_stall --timeout 1"
    "mqtt.no_connack(http)|-h 127.0.0.1 -p $FAKE_http --timeout 2"
    "mqtt.v5_not_supported|-h 127.0.0.1 -p $FAKE_v5close -V 5 --timeout 2"
    "mqtt.subscribe_refused|-h 127.0.0.1 -p $FAKE_suback --timeout 2"
    "mqtt.message_not_returned|-h 127.0.0.1 -p $FAKE_swallow -V 5 --timeout 1"
    "mqtt.closed_after_subscribe|-h 127.0.0.1 -p $FAKE_closesub --timeout 2"
    "mqtt.closed_after_publish|-h 127.0.0.1 -p $FAKE_closepub -V 5 --timeout 2"
    "mqtt.server_disconnect|-h 127.0.0.1 -p $FAKE_disc97 -V 5 --timeout 2"
    "mqtt.use_another_server|$LOC -p $FAKE_ref -V 5"
    "mqtt.session_taken_over|$LOC -p $FAKE_takeover -V 5 -i dev-dup"
    "mqtt.closed_after_connect(localhost:443)|-h localhost -p 443 --connect-to localhost:443:127.0.0.1:$FAKE_local --cafile $P/ca.crt --timeout 2"
    "tls.server_missing_intermediate|$LOC -p $LEAF --cafile $C/root.crt --cert $C/device-chain.crt --key $C/device.key"
    "tls.server_untrusted_root(leaf_only)|$LOC -p $LEAF --cafile $C/root.crt"
    "ok(completed_by_ca_file)|$LOC -p $LEAF --cafile $C/root-sub.crt"
    "tls.client_missing_intermediate|$LOC -p $FULL --cafile $C/root.crt --cert $C/device.crt --key $C/device.key"
    "ok(device_chain)|$LOC -p $FULL --cafile $C/root.crt --cert $C/device-chain.crt --key $C/device.key"
    "tls.chain_not_ca|$LOC -p $NOTCA --cafile $C/root.crt"
    "tls.chain_path_len|$LOC -p $PLEN --cafile $C/proot.crt"
    "tls.clock_wrong|$LOC -p $OLD --cafile $Q/ca.crt"
    "cred.cert_key_swapped|$LOC -p $FULL --cafile $C/root.crt --cert $C/rdev.key --key $C/rdev.crt"
    "cred.cert_file_is_key|$LOC -p $FULL --cafile $C/root.crt --cert $C/rdev.key --key $C/rdev.key"
    "cred.key_file_is_cert|$LOC -p $FULL --cafile $C/root.crt --cert $C/rdev.crt --key $C/rdev.crt"
    "tls.client_cert_no_client_auth|$LOC -p $FULL --cafile $C/root.crt --cert $C/noauth.crt --key $C/noauth.key"
    "tls.client_cert_key_usage|$LOC -p $FULL --cafile $C/root.crt --cert $C/nosign.crt --key $C/nosign.key"
    "tls.ca_file_not_ca|$LOC -p $FULL --cafile $C/peer.crt --cert $C/rdev.crt --key $C/rdev.key"
    "tls.hostname_mismatch(wildcard)|-h a.b.example.test -p 8883 --connect-to a.b.example.test:8883:127.0.0.1:$FAKE_wild --cafile $C/root.crt --timeout 2"
    "tls.hostname_mismatch(cn)|-h cn.example.test -p 8883 --connect-to cn.example.test:8883:127.0.0.1:$FAKE_cnonly --cafile $C/root.crt --timeout 2"
    "ok(device_openssl)|$LOC -p $FULL --cafile $C/root.crt --cert $C/device-chain.crt --key $C/device.key --no-roundtrip --device openssl"
    "ok(device_root_not_in_catalog)|$LOC -p $FULL --cafile $C/root.crt --cert $C/device-chain.crt --key $C/device.key --no-roundtrip --device cc3220"
    "ok(device_version_mismatch)|$LOC -p $V13 --cafile $C/root.crt --no-roundtrip --device cc3200"
    "ok(device_chain_too_deep)|$LOC -p $DEEP --cafile $C/root.crt --no-roundtrip --device mbedtls-device"
    "tls.ca_file_is_device_cert|$LOC -p $FULL --cafile $C/rdev.crt --cert $C/rdev.crt --key $C/rdev.key"
)

# check_report LABEL REPORT ARGS...: the checker must pass every statement of REPORT.
check_report() {
    local label=$1 report=$2 out
    shift 2
    out=$(timeout 120 "$PY" "$CHECK" "$report" -- "$@" 2>&1)
    if [ $? -eq 0 ]; then
        pass "$label: $(grep -c '^ok' <<< "$out") statements hold ($((SECONDS - T0)) s)"
    else
        fail "$label: statements that do not hold:"
        grep -v '^ok' <<< "$out" | sed 's/^/    /'
    fi
}

# ---- the checker's self-test: a wrong statement in a copy of a report must be caught ---------
IFS='|' read -r _ args <<< "${SCENARIOS[0]}"
# shellcheck disable=SC2086
mqtls doctor --json $args > "$WORK/good.json" 2> /dev/null
"$PY" "$CHECK" "$WORK/good.json" -- $args > "$WORK/self.out" 2>&1 ||
    { cat "$WORK/self.out"; die "the checker rejects the all-passing scenario"; }
# mutate KIND EXPRESSION: a copy of the report with the first statement of KIND changed.
mutate() {
    "$PY" - "${GOOD:-$WORK/good.json}" "$WORK/bad.json" "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = next(x for x in d["statements"] if x["kind"] == sys.argv[3])
exec(sys.argv[4])
json.dump(d, open(sys.argv[2], "w"))
EOF
}
# self_test KIND|EXPRESSION: the checker must reject exactly the changed statement of a copy
# of ${GOOD:-$WORK/good.json} (the report of the scenario whose arguments are $args).
self_test() {
    local m=$1 kind=${1%%|*} rc
    mutate "$kind" "${m#*|}" || die "self-test: cannot change $kind"
    # shellcheck disable=SC2086
    "$PY" "$CHECK" "$WORK/bad.json" -- $args > "$WORK/self.out" 2>&1
    rc=$?
    # Exactly one statement rejected: the changed one, not a check that broke.
    if [ $rc -eq 1 ] && [ "$(grep -c -E '^(FALSE|UNKNOWN)' "$WORK/self.out")" = 1 ] &&
        ! grep -q 'the check failed' "$WORK/self.out"; then
        pass "self-test: caught ${m#*|}"
    else
        fail "self-test: the checker did not reject exactly the wrong statement (${m#*|}):"
        grep -v '^ok' "$WORK/self.out" | sed 's/^/    /'
    fi
}
for m in 'clock|d["statements"].append({"kind": "host_is_aws_iot", "host": "localhost"})' \
    'clock|s["utc"] = "2031-01-01 00:00:00"' \
    'key_matches_cert|s["matches"] = False' \
    'ca_file_subjects|s["subjects"] = ["CN=Amazon Root CA 1"]' \
    'cert_dates|s["not_after"] = "2099-01-01 00:00:00"' \
    'server_sent|s["sha256"] = s["sha256"] * 2' \
    'server_name_matches|s["name"] = "broker.example"' \
    'tls_negotiated|s["version"] = "TLSv1.1"' \
    'connect_answer|s["code"] = 5' \
    'roundtrip|s["returned"] = False' \
    'client_cert|s["sent"] = False' \
    'server_cert|s["is_ca"] = not s["is_ca"]' \
    'server_cert|s["key"] = "RSA 1024"' \
    'tcp_connects|s["port"] = '"$DEAD" \
    'clock|d["statements"].append({"kind": "made_up", "value": 1})'; do
    self_test "$m"
done

# The kinds the later work added, each in the report of a scenario that states it: the
# scenario's label, then the change.
GOOD=$WORK/good2.json
for lm in 'tls.server_untrusted_root|alert_sent|s["code"] = 42' \
    'cred.cert_key_swapped|finding|s["file"] = s["file"][:-4] + ".crt"' \
    'tls.client_cert_no_client_auth|finding|s["finding"] = "no_digital_signature"' \
    'tls.client_cert_key_usage|finding|s["finding"] = "no_client_auth"' \
    'tls.ca_file_not_ca|finding|s["finding"] = "ca_file_is_device_cert"' \
    'tls.ca_file_is_device_cert|finding|t = [x for x in d["statements"] if x.get("finding") == "ca_file_is_device_cert"][0]; t["file"] = t["file"].replace("rdev", "peer")' \
    'tls.chain_path_len|path_len|s["subject"] = "CN=Pathlen Sub CA"' \
    'tls.clock_wrong|clock_suspect|s["utc"] = "2020-03-01 00:00:00"' \
    'tls.hostname_mismatch(wildcard)|name_rule|s["rule"] = "not_listed"' \
    'tls.hostname_mismatch(cn)|name_rule|s["rule"] = "wildcard_one_label"' \
    'ok(device_chain_too_deep)|device_check|t = [x for x in d["statements"] if x.get("check") == "chain depth"][0]; t["intermediates"] = 8' \
    'ok(device_chain_too_deep)|device_check|t = [x for x in d["statements"] if x.get("check") == "certificate message"][0]; t["bytes"] -= 1000' \
    'ok(device_root_not_in_catalog)|device_check|t = [x for x in d["statements"] if x.get("check") == "root catalog"][0]; t.update(result="ok", code=None)' \
    'ok(device_version_mismatch)|device_check|t = [x for x in d["statements"] if x.get("check") == "TLS version"][0]; t.update(result="ok", code=None)'; do
    label=${lm%%|*}
    args=
    for sc in "${SCENARIOS[@]}"; do
        [ "${sc%%|*}" = "$label" ] && args=${sc#*|}
    done
    [ -n "$args" ] || die "self-test: no scenario $label"
    # shellcheck disable=SC2086
    mqtls doctor --json $args > "$GOOD" 2> /dev/null
    self_test "${lm#*|}"
done
unset GOOD

# ---- every scenario ----------------------------------------------------------------------------
for sc in "${SCENARIOS[@]}"; do
    IFS='|' read -r label args <<< "$sc"
    T0=$SECONDS
    # shellcheck disable=SC2086
    mqtls doctor --json $args > "$WORK/case.json" 2> "$WORK/case.err"
    id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["cause"]["id"])' \
        "$WORK/case.json" 2> /dev/null)
    want=${label%%(*}
    assert_eq "$want" "$id" "$label: the doctor names $want"
    # shellcheck disable=SC2086
    check_report "$label" "$WORK/case.json" $args
done

finish
