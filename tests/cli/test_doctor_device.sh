#!/usr/bin/env bash
# mqtls doctor --device: the credentials and the broker against a device's profile
# (src/diagnose/devices.c), against real mosquitto listeners this test configures, with
# credentials made with the openssl CLI (a private root). For each failure the device's code
# and the cause id are asserted, and so is the absence of the neighbouring cause; a setup the
# device can handle reports no failure.
. "$(dirname "$0")/lib.sh"

command -v python3 > /dev/null || die "python3 is needed to read the --json output"
command -v openssl > /dev/null || die "the openssl CLI makes this test's certificates"

# ---- certificates (openssl CLI) ------------------------------------------------------------------
C=$WORK/pki
mkdir -p "$C"
cnf() { printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n%b\n' "$1"; }
# leaf NAME SUBJECT EXT KEYOPTS...: a key (openssl genpkey KEYOPTS) and a certificate the root
# signs.
leaf() {
    local name=$1 subj=$2 ext=$3
    shift 3
    openssl genpkey "$@" -out "$C/$name.key" 2> /dev/null || return 1
    printf '%b\n' "$ext" > "$C/$name.ext"
    openssl req -new -key "$C/$name.key" -subj "$subj" -out "$C/$name.csr" 2> /dev/null &&
        openssl x509 -req -in "$C/$name.csr" -CA "$C/root.crt" -CAkey "$C/root.key" \
            -CAcreateserial -days 20 -extfile "$C/$name.ext" -out "$C/$name.crt" 2> /dev/null
}
RSA2048=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048)
openssl genpkey "${RSA2048[@]}" -out "$C/root.key" 2> /dev/null || die "openssl: root key"
openssl req -new -x509 -key "$C/root.key" -subj "/CN=Device Test Private Root" -days 30 \
    -extensions v3 -config <(cnf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign') \
    -out "$C/root.crt" 2> /dev/null || die "openssl: root"
SRV_EXT='basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth'
DEV_EXT='basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth'
leaf server "/CN=localhost" "$SRV_EXT" "${RSA2048[@]}" || die "openssl: server"
leaf dev "/CN=device-rsa2048" "$DEV_EXT" "${RSA2048[@]}" || die "openssl: device"
leaf ed "/CN=device-ed25519" "$DEV_EXT" -algorithm ED25519 || die "openssl: Ed25519 device"
leaf small "/CN=device-rsa1024" "$DEV_EXT" -algorithm RSA -pkeyopt rsa_keygen_bits:1024 ||
    die "openssl: RSA-1024 device"

# A chain of 9 intermediate CAs below the root (EC keys: fast), and two broker certificates:
# one issued by the 8th (8 intermediates, Mbed TLS's limit), one by the 9th.
EC=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign'
# sub N ISSUER: intermediate N, signed by ISSUER.
sub() {
    openssl genpkey "${EC[@]}" -out "$C/i$1.key" 2> /dev/null &&
        openssl req -new -key "$C/i$1.key" -subj "/CN=Device Test Intermediate $1" \
            -out "$C/i$1.csr" 2> /dev/null &&
        printf '%b\n' "$CA_EXT" > "$C/i$1.ext" &&
        openssl x509 -req -in "$C/i$1.csr" -CA "$C/$2.crt" -CAkey "$C/$2.key" \
            -CAcreateserial -days 20 -extfile "$C/i$1.ext" -out "$C/i$1.crt" 2> /dev/null
}
prev=root
for n in 1 2 3 4 5 6 7 8 9; do
    sub "$n" "$prev" || die "openssl: intermediate $n"
    prev=i$n
done
# deep N: a broker certificate issued by intermediate N, in deepN-chain.crt with I_N..I_1.
deep() {
    local n=$1 k
    openssl genpkey "${EC[@]}" -out "$C/deep$n.key" 2> /dev/null &&
        openssl req -new -key "$C/deep$n.key" -subj "/CN=localhost" -out "$C/deep$n.csr" \
            2> /dev/null &&
        printf '%b\n' "$SRV_EXT" > "$C/deep$n.ext" &&
        openssl x509 -req -in "$C/deep$n.csr" -CA "$C/i$n.crt" -CAkey "$C/i$n.key" \
            -CAcreateserial -days 20 -extfile "$C/deep$n.ext" -out "$C/deep$n.crt" 2> /dev/null ||
        return 1
    cp "$C/deep$n.crt" "$C/deep$n-chain.crt"
    for ((k = n; k >= 1; k--)); do cat "$C/i$k.crt" >> "$C/deep$n-chain.crt"; done
}
deep 8 || die "openssl: broker under 8 intermediates"
deep 9 || die "openssl: broker under 9 intermediates"

# ---- brokers ------------------------------------------------------------------------------------
SRV=("cafile $C/root.crt" "certfile $C/server.crt" "keyfile $C/server.key" "allow_anonymous true")
start_tls_broker "${SRV[@]}"                                           # TLS 1.2 and 1.3
ANY=$TLS_PORT
start_tls_broker "${SRV[@]}" "tls_version tlsv1.3"                     # TLS 1.3 only
V13=$TLS_PORT
start_tls_broker "${SRV[@]}" "tls_version tlsv1.2" "ciphers ECDHE-RSA-AES128-GCM-SHA256"
GCM=$TLS_PORT
start_tls_broker "cafile $C/root.crt" "certfile $C/deep8-chain.crt" "keyfile $C/deep8.key" \
    "allow_anonymous true"
DEEP8=$TLS_PORT
start_tls_broker "cafile $C/root.crt" "certfile $C/deep9-chain.crt" "keyfile $C/deep9.key" \
    "allow_anonymous true"
DEEP9=$TLS_PORT

BASE=(-h localhost --cafile "$C/root.crt" --cert "$C/dev.crt" --key "$C/dev.key" --no-roundtrip)

# dev EXIT DEVICE PORT [ARGS...]: `mqtls doctor --device DEVICE` exits with EXIT; the text
# report is left in $OUT, the --json one in $WORK/dev.json.
dev() {
    local want_rc=$1 device=$2 port=$3 rc
    shift 3
    OUT=$(timeout "$T" "$MQTLS_BIN" doctor "${BASE[@]}" -p "$port" --device "$device" "$@" 2>&1)
    rc=$?
    assert_status "$want_rc" "$rc" "doctor --device $device -p $port $*"
    timeout "$T" "$MQTLS_BIN" doctor --json "${BASE[@]}" -p "$port" --device "$device" "$@" \
        > "$WORK/dev.json" 2> "$WORK/dev.err"
    assert_status "$want_rc" "$?" "doctor --json --device $device -p $port $*"
}
# rc HOST DEVICE: the exit status when this host's own run ends with HOST (0: passes) and the
# device check finds a failure (DEVICE 1) or none (0). The Mbed TLS backend's host (the device
# configuration) fails where OpenSSL's passes (Ed25519 keys, 9 intermediate CAs); the device
# checks run anyway.
rc() { if [ "$1" -ne 0 ]; then echo "$1"; elif [ "$2" -ne 0 ]; then echo 17; else echo 0; fi; }
if tls_is_openssl; then H_ED=0 H_DEEP=0; else H_ED=11 H_DEEP=14; fi
has() { assert_contains "$OUT" "$1" "$2"; }
hasnt() { assert_not_contains "$OUT" "$1" "$2"; }
# jcheck CHECK FIELD: the FIELD of the --json report's device check CHECK ("" if none).
jcheck() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))["device"]
print(next((str(c[sys.argv[3]]) for c in d["checks"] if c["check"] == sys.argv[2]), ""))' \
        "$WORK/dev.json" "$1" "$2" 2>&1
}
jresult() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["device"]["result"])' \
    "$WORK/dev.json" 2>&1; }

# ---- the option ---------------------------------------------------------------------------------
OUT=$(timeout "$T" "$MQTLS_BIN" doctor --device help 2>&1)
assert_status 0 $? "--device help"
for p in cc3220 cc3200 mbedtls-device openssl; do has "$p" "--device help lists $p"; done
OUT=$(timeout "$T" "$MQTLS_BIN" doctor --device cc9999 2>&1)
assert_status 2 $? "--device cc9999: a usage error"
has "unknown device 'cc9999'" "a bad name is named"
has "mbedtls-device" "a bad name lists the profiles"

# ---- TLS 1.3 only: a CC3200 offers TLS 1.2 at most ----------------------------------------------
# Both backends speak TLS 1.3: this host's own run passes, the device check fails.
dev 17 cc3200 "$V13"
has "result: ok" "TLS 1.3 broker: the doctor's own run passes"
has "the device prints: -370 (SL_ESEC_PROTOCOL_VERSION)" "CC3200: alert 70 is -370"
has "cause: tls.version_mismatch" "TLS 1.3 only: tls.version_mismatch"
hasnt "tls.no_common_cipher" "TLS 1.3 only: not the suites"
assert_eq "failed" "$(jresult)" "--json: device result failed"
assert_eq "tls.version_mismatch" "$(jcheck 'TLS version' cause)" "--json: the version's cause"
assert_eq "-370 (SL_ESEC_PROTOCOL_VERSION)" "$(jcheck 'TLS version' code)" "--json: the code"
for d in mbedtls-device openssl; do # Mbed TLS 3.6 (the device configuration) and OpenSSL
    dev 0 "$d" "$V13"
    has "device result: no failure found" "$d (TLS 1.3) takes the TLS 1.3 broker"
    hasnt "tls.version_mismatch" "$d: no version mismatch"
done

# ---- AES-GCM only: a CC3200 has no GCM suite; a CC3220 has --------------------------------------
# A host on Mbed TLS's device configuration (GCM only) cannot offer a CC3200's CBC suites: it
# says it could not check them rather than guess.
if tls_is_openssl; then
    dev 17 cc3200 "$GCM"
    has "the device prints: -340 (SL_ESEC_HANDSHAKE_FAILURE)" "CC3200: alert 40 is -340"
    has "cause: tls.no_common_cipher" "GCM only: tls.no_common_cipher for a CC3200"
else
    dev 0 cc3200 "$GCM"
    assert_eq "unknown" "$(jcheck 'cipher suites' result)" \
        "Mbed TLS host: a CC3200's CBC suites are not judged"
fi
hasnt "tls.version_mismatch" "GCM only: not the version"
hasnt "the device prints: -468" "a CC3200 has no catalog: no -468"
hasnt "device.root_not_in_catalog" "a CC3200 has no catalog: no catalog cause"
dev 17 cc3220 "$GCM"
hasnt "tls.no_common_cipher" "CC3220: a GCM suite in common"
assert_eq "ok" "$(jcheck 'cipher suites' result)" "--json: CC3220's suites ok"
assert_eq "unknown" "$(jcheck key result)" "CC3220: no source for its key sizes: unknown"

# ---- a private root: in no CC3220 catalog (-468) ----------------------------------------------
has "the device prints: -468 (SL_ERROR_BSD_ESECUNKNOWNROOTCA)" "CC3220: private root is -468"
has "cause: device.root_not_in_catalog" "private root: device.root_not_in_catalog"
hasnt "tls.server_untrusted_root" "the CA file trusts the root: not an untrusted root"
assert_eq "device.root_not_in_catalog" "$(jcheck 'root catalog' cause)" "--json: catalog cause"
# The same root in this machine's trust store (SSL_CERT_FILE): a public root, which the
# production catalog may hold: the doctor cannot tell, and does not claim -468.
OUT=$(SSL_CERT_FILE=$C/root.crt timeout "$T" "$MQTLS_BIN" doctor "${BASE[@]}" -p "$ANY" \
    --device cc3220 2>&1)
assert_status 0 $? "CC3220, a root of the trust store, a broker it can use"
has "root catalog: could not check" "public root: the catalog could not be checked"
hasnt "the device prints: -468" "public root: no -468 claimed"
hasnt "device.root_not_in_catalog" "public root: no catalog cause"

# ---- keys: what the device's stack takes -----------------------------------------------------
ED=(--cert "$C/ed.crt" --key "$C/ed.key")
dev "$(rc "$H_ED" 1)" mbedtls-device "$ANY" "${ED[@]}"
has "the device prints: -0x3C80 (MBEDTLS_ERR_PK_UNKNOWN_PK_ALG)" "Mbed TLS: no Ed25519"
has "cause: cred.key_unsupported" "Ed25519 on Mbed TLS: cred.key_unsupported"
dev "$(rc "$H_ED" 0)" openssl "$ANY" "${ED[@]}"
assert_eq "ok" "$(jcheck key result)" "OpenSSL takes an Ed25519 device key"
SMALL=(--cert "$C/small.crt" --key "$C/small.key")
OUT=$(timeout "$T" "$MQTLS_BIN" doctor "${BASE[@]}" -p "$ANY" --device openssl "${SMALL[@]}" 2>&1)
has "SSL_R_EE_KEY_TOO_SMALL" "OpenSSL level 2: an RSA-1024 key is too small"
has "cause: cred.key_unsupported" "RSA-1024 on OpenSSL: cred.key_unsupported"
OUT=$(timeout "$T" "$MQTLS_BIN" doctor "${BASE[@]}" -p "$ANY" --device mbedtls-device \
    "${SMALL[@]}" 2>&1)
has "key: the certificate's key, RSA 1024" "Mbed TLS: the RSA-1024 key is judged"
hasnt "EE_KEY_TOO_SMALL" "Mbed TLS sets no lower limit on its own key"

# ---- chain depth: Mbed TLS follows 8 intermediate CAs -----------------------------------
dev "$(rc "$H_DEEP" 1)" mbedtls-device "$DEEP9"
tls_is_openssl && has "result: ok" "9 intermediates: this host (OpenSSL, depth 100) verifies the chain"
has "the broker's chain has 9 intermediate CA(s)" "the whole chain is counted (past the evidence's 8)"
has "the device prints: -0x3000 (MBEDTLS_ERR_X509_FATAL_ERROR)" "Mbed TLS: the chain is too deep"
has "cause: device.chain_too_deep" "9 intermediates: device.chain_too_deep"
hasnt "tls.chain_path_len" "not a pathLenConstraint"
# 8 intermediates are within Mbed TLS's depth, but that chain's Certificate message (about
# 4.5 KB) does not fit the device configuration's 4 KB input buffer: the device check says
# so from any host (a host on that configuration fails its own run there too).
dev "$(rc "$H_DEEP" 1)" mbedtls-device "$DEEP8"
assert_eq "ok" "$(jcheck 'chain depth' result)" "8 intermediates: within Mbed TLS's limit"
assert_eq "failed" "$(jcheck 'certificate message' result)" "8 intermediates: too big for 4 KB"
assert_eq "tls.record_too_large" "$(jcheck 'certificate message' cause)" \
    "a Certificate message over the input buffer: tls.record_too_large"
has "more than the 4096 the device takes in" "the size and the limit, in words"
has "the device prints: -0x7100 (MBEDTLS_ERR_SSL_BAD_INPUT_DATA)" "Mbed TLS 3.6's code for it"
dev "$(rc "$H_DEEP" 0)" openssl "$DEEP9"
assert_eq "ok" "$(jcheck 'chain depth' result)" "9 intermediates: within OpenSSL's 100"
assert_eq "ok" "$(jcheck 'certificate message' result)" "OpenSSL takes up to 100 kB"
dev "$(rc "$H_DEEP" 0)" cc3200 "$DEEP9"
assert_eq "unknown" "$(jcheck 'chain depth' result)" "CC3200: no source for its depth: unknown"
assert_eq "unknown" "$(jcheck 'certificate message' result)" "CC3200: no source for its buffer"

# ---- plain MQTT: nothing of TLS to check ------------------------------------------------------
OUT=$(timeout "$T" "$MQTLS_BIN" doctor -h 127.0.0.1 -p "$PORT" --no-roundtrip --device cc3200 2>&1)
assert_status 0 $? "plain MQTT with --device: no failure"
has "broker: not checked: plain MQTT, no TLS" "plain MQTT: the broker is not checked"
hasnt "the device prints" "plain MQTT: no device code"

# ---- setups the device can handle ---------------------------------------------------------------
dev 0 cc3200 "$ANY"
has "device result: no failure found" "CC3200 on a TLS 1.2 broker with CBC suites: no failure"
assert_eq "ok" "$(jresult)" "--json: CC3200 device result ok"
if tls_is_openssl; then # (a host on Mbed TLS's device configuration cannot offer them)
    assert_eq "ok" "$(jcheck 'cipher suites' result)" "CC3200: a CBC suite in common"
fi
dev 0 mbedtls-device "$ANY"
assert_eq "ok" "$(jcheck 'chain depth' result)" "Mbed TLS: a chain without intermediates"
assert_eq "ok" "$(jcheck 'certificate message' result)" "Mbed TLS: one certificate fits 4 KB"
has "device result: no failure found" "Mbed TLS device on a TLS 1.2 broker: no failure"

finish
