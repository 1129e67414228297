#!/usr/bin/env bash
# mqtls doctor: every TLS alert either way and every verification outcome (issue 15, point
# 2; src/diagnose/alerts.c, rules.c verify(), names.c). Credentials from the openssl CLI.
# For each: `mqtls doctor --json` names the expected cause id, and the neighbouring causes
# (those the same symptom could be confused with) are asserted absent.
#
# Where each alert comes from, by preference:
#   REAL     a real mosquitto (its OpenSSL) configured for it
#   OPENSSL  tests/brokers/mqtls_tls_script: an OpenSSL server whose callback fails the way a
#            real server's does (servername -> 112, ALPN -> 120, a verify callback failing
#            with an X509 error -> the alert OpenSSL itself picks for that error)
#   RAW      no real server can be made to send it on purpose: a server writes the alert
#            record after the ClientHello (mqtls_fake_broker alert N), or a ServerHello below
#            TLS 1.2 (mqtls_tls_script hello)
. "$(dirname "$0")/lib.sh"

command -v python3 > /dev/null || die "python3 is needed to read the --json output"
command -v openssl > /dev/null || die "the openssl CLI makes this test's certificates"
: "${MQTLS_FAKE_BROKER_BIN:?MQTLS_FAKE_BROKER_BIN must name the mqtls_fake_broker helper}"
if [ -z "${MQTLS_TLS_SCRIPT_BIN:-}" ] || [ ! -x "$MQTLS_TLS_SCRIPT_BIN" ]; then
    echo "skip - mqtls_tls_script is not built (no OpenSSL 3 development files)"
    exit 77
fi

# case_id EXIT CAUSE NOT-CAUSES ARGS...: `mqtls doctor --json ARGS` names CAUSE, none of the
# space-separated NOT-CAUSES, and exits with EXIT; the human report is left in $OUT.
case_id() {
    local want_rc=$1 want=$2 nots=$3 rc got n
    shift 3
    timeout "$T" "$MQTLS_BIN" doctor --json "$@" > "$WORK/case.json" 2> "$WORK/case.err"
    rc=$?
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["cause"]["id"])' \
        "$WORK/case.json" 2>&1)
    assert_eq "$want" "$got" "doctor $*: names $want"
    for n in $nots; do
        assert_not_contains "$got" "$n" "doctor $*: not $n"
    done
    assert_status "$want_rc" "$rc" "doctor --json $*"
    OUT=$(timeout "$T" "$MQTLS_BIN" doctor "$@" 2>&1)
    for n in $nots; do
        assert_not_contains "$OUT" "cause: $n" "doctor $* (text): not $n"
    done
}
has() { assert_contains "$OUT" "$1" "$2"; }

# script MODE [ARG] [OPTION...]: starts mqtls_tls_script; sets SCRIPT_PORT.
script() {
    local out i
    out=$(mktemp "$WORK/script-XXXXXX")
    "$MQTLS_TLS_SCRIPT_BIN" "$@" --lifetime 120 > "$out" 2> "$out.err" &
    BG_PIDS+=("$!")
    SCRIPT_PID=$!
    for i in $(seq 1 200); do
        [ -s "$out" ] && break
        sleep 0.02
    done
    SCRIPT_PORT=$(head -1 "$out")
    [ -n "$SCRIPT_PORT" ] || die "mqtls_tls_script $* did not start: $(cat "$out.err")"
}
stop_script() { kill "$SCRIPT_PID" 2> /dev/null; wait "$SCRIPT_PID" 2> /dev/null; }

# ---- certificates (openssl CLI) ------------------------------------------------------------------
C=$WORK/pki
mkdir -p "$C"
# mkcert NAME SUBJECT EXT ISSUER [KEYSPEC] [DIGEST]: a key and a certificate issued by ISSUER
# (self-signed when ISSUER is "-"). KEYSPEC: ec (P-256, the default) or rsa:BITS.
mkcert() {
    local name=$1 subj=$2 ext=$3 issuer=$4 keyspec=${5:-ec} md=${6:-sha256}
    case $keyspec in
    ec) openssl ecparam -name prime256v1 -genkey -noout -out "$C/$name.key" 2> /dev/null ;;
    rsa:*) openssl genrsa -out "$C/$name.key" "${keyspec#rsa:}" 2> /dev/null ;;
    esac || return 1
    printf '%b\n' "$ext" > "$C/$name.ext"
    if [ "$issuer" = - ]; then
        openssl req -new -x509 -key "$C/$name.key" -subj "$subj" -days 30 "-$md" \
            -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n%b\n' \
            "$ext") -out "$C/$name.crt" 2> /dev/null
    else
        openssl req -new -key "$C/$name.key" -subj "$subj" -out "$C/$name.csr" 2> /dev/null &&
            openssl x509 -req -in "$C/$name.csr" -CA "$C/$issuer.crt" -CAkey "$C/$issuer.key" \
                -CAcreateserial -days 20 "-$md" -extfile "$C/$name.ext" \
                -out "$C/$name.crt" 2> /dev/null
    fi
}
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign'
SRV_EXT='basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth'
DEV_EXT='basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth'
mkcert ca "/CN=Alerts Test CA" "$CA_EXT" - || die "openssl: CA"
mkcert server "/CN=localhost" "$SRV_EXT" ca || die "openssl: server"
mkcert device "/CN=alerts-device" "$DEV_EXT" ca || die "openssl: device"

mkcert revoked "/CN=alerts-revoked" "$DEV_EXT" ca || die "openssl: revoked device"
# The CA's revocation list, with the device 'revoked' on it (openssl ca -revoke, -gencrl).
mkdir -p "$C/db" && : > "$C/db/index.txt" && echo 01 > "$C/db/crlnumber"
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s\ncrlnumber=%s\ndefault_md=sha256\n%s\n' \
    "$C/db/index.txt" "$C/db/crlnumber" "default_crl_days=30" > "$C/ca.cnf"
openssl ca -config "$C/ca.cnf" -cert "$C/ca.crt" -keyfile "$C/ca.key" -revoke "$C/revoked.crt" \
    > /dev/null 2>&1 || die "openssl ca -revoke"
openssl ca -config "$C/ca.cnf" -cert "$C/ca.crt" -keyfile "$C/ca.key" -gencrl \
    -out "$C/ca.crl" > /dev/null 2>&1 || die "openssl ca -gencrl"

LOC=(-h localhost --timeout 3)
DEV=(--cert "$C/device.crt" --key "$C/device.key")
SRV=(--cert "$C/server.crt" --key "$C/server.key")

# ---- the broker refuses our certificate (OPENSSL: a verify callback failing with the X509
# error, and the alert OpenSSL picks for it; TLS 1.2, so the alert ends the handshake) ------------
# The neighbours: the generic refusal, the one id the old rules gave them all, and the
# local readings of the same words.
CERT_NOTS="tls.client_cert_rejected tls.handshake_failed tls.client_cert_required"
verify_case() { # X509-ERROR ALERT CAUSE [NOT-CAUSES]
    script verify "$1" "${SRV[@]}" --ca "$C/ca.crt" --tls-max 1.2
    case_id 14 "$3" "$CERT_NOTS ${4:-}" "${LOC[@]}" -p "$SCRIPT_PORT" --cafile "$C/ca.crt" "${DEV[@]}"
    has "the broker sent alert $2 " "$3: alert $2"
    has "after receiving the client certificate '$C/device.crt'" "$3: after our certificate"
    stop_script
}
# X509_V_ERR_CERT_REJECTED (28) -> 42 bad_certificate
verify_case 28 42 tls.client_cert_bad "tls.client_missing_intermediate"
# X509_V_ERR_INVALID_PURPOSE (26) -> 43 unsupported_certificate
verify_case 26 43 tls.client_cert_unsupported "cred.key_unsupported"
# X509_V_ERR_CERT_REVOKED (23) -> 44 certificate_revoked
verify_case 23 44 tls.client_cert_revoked "tls.client_cert_expired"
# X509_V_ERR_CERT_HAS_EXPIRED (10) -> 45: the device certificate is valid by our clock
verify_case 10 45 tls.client_cert_expired "cred.client_cert_expired tls.clock_wrong"
has "'CN=alerts-device' (device certificate file) is valid from" \
    "client_cert_expired: the device certificate's dates"
has "valid here, expired by the broker's clock" "client_cert_expired: the clock compared"
# X509_V_ERR_SUBJECT_ISSUER_MISMATCH (29), not in OpenSSL's table -> 46 certificate_unknown
verify_case 29 46 tls.client_cert_unknown "tls.client_missing_intermediate"
# X509_V_ERR_CERT_SIGNATURE_FAILURE (7) -> 51 decrypt_error
verify_case 7 51 tls.client_cert_signature "cred.key_mismatch tls.handshake_crypto_failed"
# X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY (20) -> 48 unknown_ca: the refusal it always was
script verify 20 "${SRV[@]}" --ca "$C/ca.crt" --tls-max 1.2
case_id 14 tls.client_cert_rejected "tls.client_cert_bad tls.client_cert_unknown" "${LOC[@]}" \
    -p "$SCRIPT_PORT" --cafile "$C/ca.crt" "${DEV[@]}"
has "alert 48 unknown_ca" "client_cert_rejected: alert 48"
stop_script
# TLS 1.3 (both backends): the same refusal arrives after our Finished; the TLS layer waits
# for the server's verdict, so it still ends step 4.
script verify 23 "${SRV[@]}" --ca "$C/ca.crt"
case_id 14 tls.client_cert_revoked "$CERT_NOTS mqtt.closed_after_connect" "${LOC[@]}" \
    -p "$SCRIPT_PORT" --cafile "$C/ca.crt" "${DEV[@]}"
stop_script
# The same server without a certificate from us: a certificate alert is not about ours.
script verify 23 "${SRV[@]}" --ca "$C/ca.crt" --tls-max 1.2
case_id 14 tls.client_cert_required "tls.client_cert_revoked" "${LOC[@]}" -p "$SCRIPT_PORT" \
    --cafile "$C/ca.crt"
stop_script

# ---- the server name and ALPN (OPENSSL: its servername and ALPN callbacks) -----------------------
script sni broker.alerts.test "${SRV[@]}"
case_id 14 tls.unrecognized_name "tls.hostname_mismatch tls.handshake_failed" "${LOC[@]}" \
    -p "$SCRIPT_PORT" --cafile "$C/ca.crt"
has "alert 112 unrecognized_name in answer to the ClientHello" "unrecognized_name: the alert"
has "server name sent (SNI): 'localhost'" "unrecognized_name: the name sent"
# By address: no SNI at all, and that is said.
case_id 14 tls.unrecognized_name "tls.hostname_mismatch" -h 127.0.0.1 --timeout 3 \
    -p "$SCRIPT_PORT" --cafile "$C/ca.crt"
has "no server name (SNI) was sent: '127.0.0.1' is an IP address" "unrecognized_name: no SNI"
stop_script
# The neighbour: a name the server knows passes the handshake (the server says no more).
script sni localhost "${SRV[@]}"
case_id 15 mqtt.no_connack "tls.unrecognized_name" "${LOC[@]}" -p "$SCRIPT_PORT" \
    --cafile "$C/ca.crt"
stop_script
script alpn mqtt "${SRV[@]}"
case_id 14 tls.alpn_mismatch "tls.alpn_required tls.handshake_failed" "${LOC[@]}" \
    -p "$SCRIPT_PORT" --cafile "$C/ca.crt" --alpn x-other
has "alert 120 no_application_protocol" "alpn_mismatch: the alert"
has "ALPN offered: x-other" "alpn_mismatch: what was offered"
# The neighbour: the protocol it speaks.
case_id 15 mqtt.no_connack "tls.alpn_mismatch" "${LOC[@]}" -p "$SCRIPT_PORT" \
    --cafile "$C/ca.crt" --alpn mqtt
stop_script

# ---- a server capped below TLS 1.2 ----------------------------------------------------------------
# RAW: a ServerHello of TLS 1.1, as an old server that does not know TLS 1.3's
# supported_versions answers a ClientHello; this client refuses it with its own alert 70.
script hello 0302
case_id 14 tls.server_tls_too_old "tls.version_mismatch tls.handshake_failed" "${LOC[@]}" \
    -p "$SCRIPT_PORT" --cafile "$C/ca.crt"
has "the server answered with a TLS version below 1.2; this client sent alert 70" \
    "server_tls_too_old: our alert"
stop_script

# ---- alerts this client sends about the server's messages (RAW: a broken ServerHello) ------------
# A cipher suite nobody offers (TLS_NULL_WITH_NULL_NULL): this client answers illegal_parameter.
# Mbed TLS (3.6 too) answers a suite it does not know with internal_error (its own fault, by its
# alert): no reading about the server, the generic cause stays.
script hello 0303:0000
if tls_is_openssl; then
    case_id 14 tls.server_protocol_error "tls.illegal_parameter tls.handshake_failed tls.no_common_cipher" \
        "${LOC[@]}" -p "$SCRIPT_PORT" --cafile "$C/ca.crt"
    has "this client sent alert 47 illegal_parameter" "server_protocol_error: our alert"
else
    case_id 14 tls.handshake_failed "tls.server_protocol_error tls.server_internal_error" \
        "${LOC[@]}" -p "$SCRIPT_PORT" --cafile "$C/ca.crt"
    has "sent 80 internal_error" "Mbed TLS: its own alert"
fi
stop_script
# ---- alerts no real server can be made to send on purpose (RAW: the alert record after the
# ClientHello, mqtls_fake_broker alert N) --------------------------------------------------------
raw_case() { # ALERT NAME CAUSE [NOT-CAUSES]
    start_fake alert "$1"
    case_id 14 "$3" "tls.handshake_failed ${4:-}" "${LOC[@]}" -p "$FAKE_PORT" --cafile "$C/ca.crt"
    has "the broker sent alert $1 $2 in answer to the ClientHello" "$3: the alert, when"
    stop_fake
}
raw_case 47 illegal_parameter tls.illegal_parameter "tls.server_protocol_error"
raw_case 49 access_denied tls.access_denied "tls.client_cert_rejected"
raw_case 50 decode_error tls.decode_error "tls.server_protocol_error"
raw_case 51 decrypt_error tls.handshake_crypto_failed "cred.key_mismatch tls.client_cert_signature"
raw_case 71 insufficient_security tls.insufficient_security "tls.no_common_cipher"
raw_case 80 internal_error tls.server_internal_error ""
raw_case 86 inappropriate_fallback tls.inappropriate_fallback "tls.version_mismatch"
raw_case 90 user_canceled tls.user_canceled ""
raw_case 109 missing_extension tls.missing_extension ""
# 70 from the server although TLS 1.2 and 1.3 were offered (both backends): too old; with
# 1.3 only offered, a mismatch.
raw_case 70 protocol_version tls.server_tls_too_old "tls.version_mismatch"
start_fake alert 70
case_id 14 tls.version_mismatch "tls.server_tls_too_old" "${LOC[@]}" -p "$FAKE_PORT" \
    --cafile "$C/ca.crt" --tls-version tlsv1.3
has "this client offered TLS 1.3 only" "version_mismatch: 1.3 only offered"
stop_fake
# AWS IoT's 120 stays alpn_required (the id tells it needs x-amzn-mqtt-ca), not a mismatch.
start_fake alert 120
AWS=a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com
case_id 14 tls.alpn_required "tls.alpn_mismatch" -h "$AWS" -p 443 \
    --connect-to "$AWS:443:127.0.0.1:$FAKE_PORT" --cafile "$C/ca.crt" --timeout 3 --alpn mqtt
stop_fake

# ---- REAL: mosquitto ----------------------------------------------------------------------------
# 44: mosquitto's crlfile revokes the device certificate; the neighbours are a good device of
# the same CA (accepted) and no certificate at all (116 over TLS 1.3, or 40 over TLS 1.2).
start_tls_broker "cafile $C/ca.crt" "certfile $C/server.crt" "keyfile $C/server.key" \
    "require_certificate true" "crlfile $C/ca.crl" "allow_anonymous true"
CRL_TLS=$TLS_PORT
case_id 14 tls.client_cert_revoked "$CERT_NOTS tls.client_cert_bad" "${LOC[@]}" -p "$CRL_TLS" \
    --cafile "$C/ca.crt" --cert "$C/revoked.crt" --key "$C/revoked.key"
has "alert 44 certificate_revoked after receiving the client certificate '$C/revoked.crt'" \
    "client_cert_revoked (mosquitto crlfile): the alert"
case_id 0 ok "tls.client_cert_revoked" "${LOC[@]}" -p "$CRL_TLS" --cafile "$C/ca.crt" "${DEV[@]}"
case_id 14 tls.client_cert_required "tls.client_cert_revoked tls.client_cert_rejected" \
    "${LOC[@]}" -p "$CRL_TLS" --cafile "$C/ca.crt"
if tls_is_openssl; then
    has "alert 116 certificate_required" "client_cert_required: mosquitto's TLS 1.3 alert"
fi
# 70: a broker capped below TLS 1.2 by OpenSSL's own configuration (mosquitto's tls_version is
# a minimum only). The client offers 1.2 and 1.3 and gets the broker's alert 70 (or a TLS 1.1
# ServerHello, and sends 70 itself): the same cause either way.
printf '%s\n' "openssl_conf = conf" "[conf]" "ssl_conf = ssl" "[ssl]" \
    "system_default = sys" "[sys]" "MinProtocol = TLSv1" "MaxProtocol = TLSv1.1" \
    "CipherString = DEFAULT@SECLEVEL=0" > "$WORK/tls11.cnf"
OPENSSL_CONF=$WORK/tls11.cnf start_tls_broker "certfile $C/server.crt" "keyfile $C/server.key" \
    "tls_version tlsv1.1" "allow_anonymous true"
OLD_TLS=$TLS_PORT
case_id 14 tls.server_tls_too_old "tls.version_mismatch tls.handshake_failed" "${LOC[@]}" \
    -p "$OLD_TLS" --cafile "$C/ca.crt"
has "alert 70 protocol_version" "server_tls_too_old (mosquitto capped at TLS 1.1): alert 70"

# ---- verification outcomes of the broker's certificate (REAL: mosquitto) -------------------------
# The broker's own OpenSSL must accept to serve what ours refuses: security level 0 for it.
printf '%s\n' "openssl_conf = conf" "[conf]" "ssl_conf = ssl" "[ssl]" \
    "system_default = sys" "[sys]" "CipherString = DEFAULT@SECLEVEL=0" > "$WORK/sec0.cnf"
# serve NAME: a mosquitto serving the certificate NAME (its own key); sets OUT_PORT.
serve() {
    OPENSSL_CONF=$WORK/sec0.cnf start_tls_broker "certfile $C/$1.crt" "keyfile $C/$1.key" \
        "allow_anonymous true"
    OUT_PORT=$TLS_PORT
}
# The neighbours of every outcome: the generic failure and the other outcomes' ids.
OUTCOMES="tls.server_weak_hash tls.server_weak_key tls.server_wrong_purpose
    tls.server_key_usage tls.server_bad_signature tls.hostname_mismatch tls.handshake_failed
    tls.server_untrusted_root"
not_but() { local n out=""; for n in $OUTCOMES; do [ "$n" = "$1" ] || out="$out $n"; done; echo "$out"; }
# Weak hash: signed with SHA-1.
mkcert sha1 "/CN=localhost" "$SRV_EXT" ca ec sha1 || die "openssl: SHA-1 server"
serve sha1
case_id 14 tls.server_weak_hash "$(not_but tls.server_weak_hash)" "${LOC[@]}" -p "$OUT_PORT" \
    --cafile "$C/ca.crt"
has "'CN=localhost' (key EC P-256, signed ecdsa-with-SHA1)" "weak_hash: the certificate named"
# Weak key: RSA 1024.
mkcert rsa1024 "/CN=localhost" "$SRV_EXT" ca rsa:1024 || die "openssl: RSA 1024 server"
serve rsa1024
case_id 14 tls.server_weak_key "$(not_but tls.server_weak_key)" "${LOC[@]}" -p "$OUT_PORT" \
    --cafile "$C/ca.crt"
has "(key RSA 1024," "weak_key: the key named"
# Wrong purpose: extendedKeyUsage clientAuth only (a device certificate on the broker).
mkcert eku "/CN=localhost" 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=clientAuth' \
    ca || die "openssl: clientAuth server"
serve eku
case_id 14 tls.server_wrong_purpose "$(not_but tls.server_wrong_purpose)" "${LOC[@]}" \
    -p "$OUT_PORT" --cafile "$C/ca.crt"
# Key usage: an RSA broker certificate whose keyUsage allows neither signing nor key
# encipherment (its extendedKeyUsage is right).
mkcert ku "/CN=localhost" 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,nonRepudiation' \
    ca rsa:2048 || die "openssl: keyUsage server"
serve ku
case_id 14 tls.server_key_usage "$(not_but tls.server_key_usage)" "${LOC[@]}" -p "$OUT_PORT" \
    --cafile "$C/ca.crt"
# Bad signature: issued by a CA of the same name with another key (a CA made again), no key
# identifiers to tell them apart.
mkcert ca2 "/CN=Alerts Test CA" "$CA_EXT" - || die "openssl: second CA"
mkcert badsig "/CN=localhost" "$SRV_EXT\nauthorityKeyIdentifier=none\nsubjectKeyIdentifier=none" \
    ca2 || die "openssl: server of the second CA"
serve badsig
case_id 14 tls.server_bad_signature "$(not_but tls.server_bad_signature)" "${LOC[@]}" \
    -p "$OUT_PORT" --cafile "$C/ca.crt"

# ---- the host name, per RFC 6125: the evidence says which rule failed (REAL: mosquitto) ----------
# to NAME PORT: connect as NAME (kept for SNI and the check) to the broker on 127.0.0.1:PORT.
to() { echo "-h $1 -p 8883 --connect-to $1:8883:127.0.0.1:$2 --timeout 3"; }
NAME_NOTS="tls.unrecognized_name tls.server_untrusted_root tls.handshake_failed"
# A wildcard covers one label: *.alerts.test is a.alerts.test, not a.b.alerts.test.
mkcert wild "/CN=wild" 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:*.alerts.test' ca ||
    die "openssl: wildcard server"
serve wild
# shellcheck disable=SC2046
case_id 14 tls.hostname_mismatch "$NAME_NOTS" $(to a.b.alerts.test "$OUT_PORT") --cafile "$C/ca.crt"
has "the rule that failed: the wildcard '*.alerts.test' covers one label only: 'a.b.alerts.test' is more than one label below it (RFC 6125, 6.4.3)" \
    "hostname_mismatch: the wildcard rule"
# shellcheck disable=SC2046
case_id 0 ok "tls.hostname_mismatch" $(to a.alerts.test "$OUT_PORT") --cafile "$C/ca.crt"
# The CN is ignored when a DNS subjectAltName exists.
mkcert cn "/CN=broker.alerts.test" 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:other.alerts.test' \
    ca || die "openssl: CN server"
serve cn
# shellcheck disable=SC2046
case_id 14 tls.hostname_mismatch "$NAME_NOTS" $(to broker.alerts.test "$OUT_PORT") \
    --cafile "$C/ca.crt"
has "'broker.alerts.test' is only in the subject's CN, which is ignored when the certificate has DNS subjectAltNames (RFC 6125, 6.4.4)" \
    "hostname_mismatch: the CN rule"
# shellcheck disable=SC2046
case_id 0 ok "tls.hostname_mismatch" $(to other.alerts.test "$OUT_PORT") --cafile "$C/ca.crt"
# An address matches only an iPAddress subjectAltName, not the same text as a DNS name.
mkcert ipdns "/CN=127.0.0.1" 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:127.0.0.1' ca ||
    die "openssl: DNS-named address server"
serve ipdns
case_id 14 tls.hostname_mismatch "$NAME_NOTS" -h 127.0.0.1 -p "$OUT_PORT" --timeout 3 \
    --cafile "$C/ca.crt"
has "'127.0.0.1' is an IP address: it matches only an iPAddress subjectAltName, never a DNS name or a wildcard" \
    "hostname_mismatch: the address rule"
mkcert ipsan "/CN=ip" 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1' ca ||
    die "openssl: address server"
serve ipsan
case_id 0 ok "tls.hostname_mismatch" -h 127.0.0.1 -p "$OUT_PORT" --timeout 3 --cafile "$C/ca.crt"

finish
