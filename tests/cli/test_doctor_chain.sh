#!/usr/bin/env bash
# mqtls doctor: the chain analysis (src/diagnose/chain.c) and the clock, against real
# mosquitto listeners. A PKI made with the openssl CLI: root -> sub-CA -> broker / device,
# plus a certificate that is not a CA used as an issuer, and a root whose pathLenConstraint
# forbids the sub-CA below it. For each cause the id is asserted, and so is the absence of
# its neighbours (untrusted root vs missing intermediate vs device side).
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
}
has() { assert_contains "$OUT" "$1" "$2"; }
hasnt() { assert_not_contains "$OUT" "$1" "$2"; }

# ---- certificates (openssl CLI) ------------------------------------------------------------------
C=$WORK/pki
mkdir -p "$C"
# ca NAME SUBJECT EXT [ISSUER]: a key and certificate; self-signed without ISSUER.
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
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash'
SRV_EXT='basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth'
DEV_EXT='basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth'
mkcert root "/CN=Chain Test Root" "$CA_EXT" || die "openssl: root"
mkcert sub "/CN=Chain Test Sub CA" "$CA_EXT" root || die "openssl: sub-CA"
mkcert server "/CN=localhost" "$SRV_EXT" sub || die "openssl: server"
mkcert device "/CN=chain-device" "$DEV_EXT" sub || die "openssl: device"
mkcert other "/CN=Other Root" "$CA_EXT" || die "openssl: other root"
# A certificate that is not a CA (a leaf of the root) signing the broker's certificate.
mkcert notca "/CN=Not A CA" 'basicConstraints=critical,CA:FALSE' root || die "openssl: not-a-CA"
mkcert srv_notca "/CN=localhost" "$SRV_EXT" notca || die "openssl: server under not-a-CA"
# A root that allows no CA below it (pathlen 0), its sub-CA, the broker's certificate.
mkcert proot "/CN=Pathlen Root" \
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign' ||
    die "openssl: pathlen root"
mkcert psub "/CN=Pathlen Sub CA" "$CA_EXT" proot || die "openssl: pathlen sub"
mkcert psrv "/CN=localhost" "$SRV_EXT" psub || die "openssl: pathlen server"
cat "$C/server.crt" "$C/sub.crt" > "$C/server-chain.crt"
cat "$C/device.crt" "$C/sub.crt" > "$C/device-chain.crt"
cat "$C/root.crt" "$C/sub.crt" > "$C/root-sub.crt"
cat "$C/srv_notca.crt" "$C/notca.crt" > "$C/srv_notca-chain.crt"
cat "$C/psrv.crt" "$C/psub.crt" > "$C/psrv-chain.crt"
# A device of another root, for the device-side neighbour.
mkcert stranger "/CN=stranger" "$DEV_EXT" other || die "openssl: stranger"

# ---- brokers ------------------------------------------------------------------------------------
# LEAF: sends its certificate without the sub-CA.
start_tls_broker "cafile $C/root.crt" "certfile $C/server.crt" "keyfile $C/server.key" \
    "allow_anonymous true"
LEAF=$TLS_PORT
# FULL: sends the sub-CA too, and requires a device certificate (trusting the root only).
start_tls_broker "cafile $C/root.crt" "certfile $C/server-chain.crt" "keyfile $C/server.key" \
    "require_certificate true" "allow_anonymous true"
FULL=$TLS_PORT
start_tls_broker "certfile $C/srv_notca-chain.crt" "keyfile $C/srv_notca.key" \
    "allow_anonymous true"
NOTCA=$TLS_PORT
start_tls_broker "certfile $C/psrv-chain.crt" "keyfile $C/psrv.key" "allow_anonymous true"
PLEN=$TLS_PORT

# OLD: everything of a PKI valid in the first half of 2020 only (`mqtls pki`): as seen by a
# clock years ahead. STALE: only the broker's certificate expired, its CA valid.
Q=$WORK/old
mqtls pki init "$Q" --not-before 2020-01-01 --not-after 2020-06-30 > /dev/null 2>&1 ||
    die "pki init (2020)"
mqtls pki server "$Q" --name localhost --not-before 2020-01-01 --not-after 2020-06-30 \
    > /dev/null 2>&1 || die "pki server (2020)"
mqtls pki device "$Q" olddev --not-before 2020-01-01 --not-after 2020-06-30 > /dev/null 2>&1 ||
    die "pki device (2020)"
start_tls_broker "certfile $Q/server.crt" "keyfile $Q/server.key" "allow_anonymous true"
OLD=$TLS_PORT
R=$WORK/fresh
mqtls pki init "$R" > /dev/null || die "pki init"
mqtls pki server "$R" --name localhost --out "$WORK/stale" --not-before 2020-01-01 \
    --not-after 2020-06-30 > /dev/null 2>&1 || die "pki server (expired)"
mqtls pki device "$R" stale --not-before 2020-01-01 --not-after 2020-06-30 > /dev/null 2>&1 ||
    die "pki device (expired)"
start_tls_broker "certfile $WORK/stale.crt" "keyfile $WORK/stale.key" "allow_anonymous true"
STALE=$TLS_PORT

LOC=(-h localhost --timeout 3)
DEVCHAIN=(--cert "$C/device-chain.crt" --key "$C/device.key")
DEVLEAF=(--cert "$C/device.crt" --key "$C/device.key")

# ---- the server does not send its intermediate ------------------------------------------------------
# The device's file carries the sub-CA: the missing issuer is known to be an intermediate.
case_id 14 tls.server_missing_intermediate "${LOC[@]}" -p "$LEAF" --cafile "$C/root.crt" \
    "${DEVCHAIN[@]}"
has "'CN=Chain Test Sub CA' is an intermediate CA, not a root" "missing: the intermediate named"
has "the certificate to add: 'CN=Chain Test Sub CA', to the broker's certificate file" \
    "missing: which file must carry it"
has "whose issuer 'CN=Chain Test Sub CA' the server did not send; your CA file holds: 'CN=Chain Test Root'" \
    "missing: what was sent and what the CA file holds"
has "chain stops at: the issuer 'CN=Chain Test Sub CA', an intermediate" "missing: evidence"
hasnt "untrusted_root" "missing: not called an untrusted root"
hasnt "chain ends at: " "missing: the intermediate is not called the end of the chain"
# Nothing local says what the issuer is: the old reading, an untrusted root, stays.
case_id 14 tls.server_untrusted_root "${LOC[@]}" -p "$LEAF" --cafile "$C/root.crt"
assert_not_contains "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cause"]["id"])' \
    "$WORK/case.json")" "missing_intermediate" "no evidence of an intermediate: not called missing"
has "the server sent only its own certificate: 'CN=Chain Test Sub CA' is a root or an intermediate CA" \
    "no evidence of an intermediate: both readings said"
# The client's CA file holds the sub-CA: the chain is completed here, and that is said.
case_id 0 ok "${LOC[@]}" -p "$LEAF" --cafile "$C/root-sub.crt"
has "incomplete chain, completed here: the server did not send the intermediate 'CN=Chain Test Sub CA'" \
    "completed: the CA file supplied the intermediate"
# A broker that sends it: no such line.
case_id 0 ok "${LOC[@]}" -p "$FULL" --cafile "$C/root.crt" "${DEVCHAIN[@]}"
hasnt "incomplete chain" "complete chain: nothing said about completing it"

# ---- an untrusted root is not a missing intermediate -----------------------------------------------
case_id 14 tls.server_untrusted_root "${LOC[@]}" -p "$FULL" --cafile "$C/other.crt" \
    "${DEVCHAIN[@]}"
has "ends at 'CN=Chain Test Root'" "untrusted root: the root named"
hasnt "missing_intermediate" "untrusted root: not a missing intermediate"
hasnt "client_missing" "untrusted root: not the device side"

# ---- the device's file lacks its sub-CA --------------------------------------------------------------
# (In TLS 1.3 the refusal arrives after the handshake, at step 5; the exit status is the
# cause's step, 4, either way.)
case_id 14 tls.client_missing_intermediate "${LOC[@]}" -p "$FULL" \
    --cafile "$C/root.crt" "${DEVLEAF[@]}"
has "issued by 'CN=Chain Test Sub CA'" "device side: the sub-CA named"
has "the certificate to add: 'CN=Chain Test Sub CA', to the device's certificate file" \
    "device side: the device's file must carry it"
hasnt "server_missing_intermediate" "device side: not the server's"
hasnt "untrusted_root" "device side: not an untrusted root"
# A device of another CA: rejected, nothing missing.
case_id 14 tls.client_cert_rejected "${LOC[@]}" -p "$FULL" --cafile "$C/root.crt" \
    --cert "$C/stranger.crt" --key "$C/stranger.key"
assert_not_contains "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cause"]["id"])' \
    "$WORK/case.json")" "missing_intermediate" "stranger: not called a missing intermediate"
has "holds only the device certificate, issued by 'CN=Other Root': if that is a sub-CA" \
    "stranger: both readings of its issuer said"
# With the sub-CA in the file, the broker accepts the device: nothing to say.
case_id 0 ok "${LOC[@]}" -p "$FULL" --cafile "$C/root.crt" "${DEVCHAIN[@]}"
hasnt "holds only the device certificate" "device chain complete: no hint"

# ---- a certificate in the path that is not a CA; a path too long ------------------------------------
case_id 14 tls.chain_not_ca "${LOC[@]}" -p "$NOTCA" --cafile "$C/root.crt"
has "'CN=Not A CA' is in the broker's chain as an issuer, but it is not a CA" "not a CA: named"
hasnt "missing_intermediate" "not a CA: not called missing"
hasnt "untrusted_root" "not a CA: not an untrusted root"
has "chain refused at: 'CN=Not A CA', used as an issuer but not a CA" "not a CA: the evidence line"
hasnt "chain ends at: " "not a CA: not called the end of the chain"
case_id 14 tls.chain_path_len "${LOC[@]}" -p "$PLEN" --cafile "$C/proot.crt"
has "'CN=Pathlen Root' limits the CAs below it" "path length: the constraining CA named"
hasnt "untrusted_root" "path length: not an untrusted root"

# ---- the clock -------------------------------------------------------------------------------------
# Every certificate seen, the root included, expired: the clock, not the certificates.
case_id 14 tls.clock_wrong "${LOC[@]}" -p "$OLD" --cafile "$Q/ca.crt"
has "CA file's 'CN=mqtls local CA': valid from 2020-01-01 00:00:00 to 2020-06-30" \
    "clock: the CA file's dates"
has "server's 'CN=localhost': valid from 2020-01-01" "clock: the server's dates"
has "every certificate seen, the root included, is outside its validity" "clock: says so"
hasnt "server_cert_expired" "clock: not the server's certificate"
# The same at step 1: the device's certificate and the CA file, both expired.
case_id 11 tls.clock_wrong "${LOC[@]}" -p "$OLD" --cafile "$Q/ca.crt" \
    --cert "$Q/olddev/cert.crt" --key "$Q/olddev/private.key"
has "device file's 'CN=olddev': valid from 2020-01-01" "clock at step 1: the device's dates"
hasnt "cred.client_cert_expired" "clock at step 1: not the device certificate"
# Only the broker's certificate expired, its CA valid: the certificate, not the clock.
case_id 14 tls.server_cert_expired "${LOC[@]}" -p "$STALE" --cafile "$R/ca.crt"
hasnt "clock_wrong" "one expired certificate: not the clock"
case_id 11 cred.client_cert_expired "${LOC[@]}" -p "$STALE" --cafile "$R/ca.crt" \
    --cert "$R/stale/cert.crt" --key "$R/stale/private.key"
hasnt "clock_wrong" "one expired device certificate: not the clock"

finish
