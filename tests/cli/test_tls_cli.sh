#!/usr/bin/env bash
# mqtls pub/sub over TLS against private mosquitto brokers with certificates made by
# `mqtls pki`: mutual TLS with PEM and DER credentials, mqtts:// URLs, the default port,
# --insecure, and every failure with its plain-words message and exit status (2: unusable
# credentials or options, 3: the TLS handshake failed).
. "$(dirname "$0")/lib.sh"

# ---- the PKI ----------------------------------------------------------------------------
P=$WORK/pki
O=$WORK/other
mqtls pki init "$P" > /dev/null || die "pki init failed"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > "$WORK/server.out" || die "pki server"
mqtls pki device "$P" dev1 > /dev/null || die "pki device dev1"
mqtls pki device "$P" dev2 > /dev/null || die "pki device dev2"
mqtls pki init "$O" --cn "other CA" > /dev/null || die "pki init other"
mqtls pki device "$O" intruder > /dev/null || die "pki device intruder"
# A broker certificate of the other CA, for "localhost" only (no IP address in it).
mqtls pki server "$O" --name localhost > /dev/null || die "pki server other"
server_id=$(awk '$1 == "certificate-id:" { print $2 }' "$WORK/server.out")

DEV1=(--cert "$P/dev1/cert.crt" --key "$P/dev1/private.key")
DEV2_DER=(--cert "$P/dev2/cert.der" --key "$P/dev2/private.der")

# ---- broker M: mutual TLS, the client certificate's CN is the user name --------------------
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "require_certificate true" "use_identity_as_username true"
M_TLS=$TLS_PORT
M_PLAIN=$PORT
M_LOG=$BROKER_LOG
TLS=(-h localhost -p "$M_TLS" --cafile "$P/ca.crt")

# pub -> sub over mutual TLS: the subscriber with its PEM device certificate, publishers
# with PEM and with DER credentials (and the CA as DER).
bg "$WORK/sub" mqtls sub "${TLS[@]}" "${DEV1[@]}" -i tls-sub -t tls/# -v -q 1 -C 3
sub_pid=$BG
wait_subscribed tls-sub 'tls/#'
mqtls pub "${TLS[@]}" "${DEV1[@]}" -t tls/pem -q 1 -m "over PEM"
assert_status 0 $? "pub with PEM certificate and key"
mqtls pub -h localhost -p "$M_TLS" --cafile "$P/ca.der" "${DEV2_DER[@]}" -t tls/der -q 1 \
    -m "over DER" --nodelay
assert_status 0 $? "pub with DER certificate, key and CA"
mqtls pub -h 127.0.0.1 -p "$M_TLS" --cafile "$P/ca.crt" "${DEV2_DER[@]}" -t tls/ip -q 1 \
    -m "by address"
assert_status 0 $? "pub to 127.0.0.1 (IP address subjectAltName)"
mqtls pub -h 127.0.0.1 -p "$M_TLS" --cafile "$P/ca.crt" "${DEV2_DER[@]}" -A 127.0.0.1 \
    -t tls/ip -q 1 -m "bound"
assert_status 0 $? "pub over TLS from a bound local address (-A)"
wait_bg "$sub_pid"
assert_status 0 "$RC" "sub over mutual TLS received 3 messages"
assert_eq "tls/pem over PEM
tls/der over DER
tls/ip by address" "$(cat "$WORK/sub")" "messages arrived over mutual TLS"
if grep -q "u'dev2'" "$M_LOG"; then
    pass "the broker took the DER device's CN as its user name (dev2)"
else
    fail "the broker log does not show user dev2 (use_identity_as_username): $M_LOG"
fi

# mqtts:// URL: host, port, topic (and user name, which this broker replaces by the CN).
bg "$WORK/urlsub" mqtls sub -L "mqtts://localhost:$M_TLS/tls/url" --cafile "$P/ca.crt" \
    "${DEV1[@]}" -i url-sub -C 1
wait_subscribed url-sub tls/url
mqtls pub -L "mqtts://someone:secret@localhost:$M_TLS/tls/url" --cafile "$P/ca.crt" \
    "${DEV1[@]}" -m "via URL"
assert_status 0 $? "pub -L mqtts://user:pass@host:port/topic"
wait_bg "$BG"
assert_eq "via URL" "$(cat "$WORK/urlsub")" "sub -L mqtts:// received the message"

# -d: the handshake evidence before the packets.
mqtls pub "${TLS[@]}" "${DEV1[@]}" -i dbg -t tls/d -m x -d > "$WORK/dbg" 2>&1
assert_status 0 $? "pub -d over TLS"
d=$(cat "$WORK/dbg")
assert_contains "$d" "TLS connecting to localhost port $M_TLS" "-d: the attempt"
assert_contains "$d" "ALPN offered:   none" "-d: no ALPN offered to localhost:$M_TLS"
assert_contains "$d" "TLS handshake with localhost port $M_TLS: established" "-d: established"
assert_contains "$d" "version:        $TLS_BEST" "-d: version ($TLS_LIBRARY)"
assert_contains "$d" "cipher suite:   TLS_" "-d: cipher suite (IANA name)"
assert_contains "$d" "[0] subject:      CN=localhost" "-d: the server's certificate"
assert_contains "$d" "issuer:       CN=mqtls local CA" "-d: its issuer"
assert_contains "$d" "sha256:       $server_id" "-d: SHA-256 = pki's certificate-id"
assert_contains "$d" "valid:        " "-d: validity"
assert_contains "$d" "verification:   on, problems 0x0000 (chain and host name ok)" "-d: verified"
assert_contains "$d" "client cert:    requested by the server, sent" "-d: client cert sent"
assert_contains "$d" "alerts:         received none, sent none" "-d: no alerts"
assert_contains "$d" "Client dbg sending CONNECT" "-d: packets follow"
first=$(grep -n "TLS handshake with" "$WORK/dbg" | head -1 | cut -d: -f1)
connect=$(grep -n "sending CONNECT" "$WORK/dbg" | head -1 | cut -d: -f1)
if [ "$first" -lt "$connect" ]; then
    pass "-d: evidence before CONNECT"
else
    fail "-d: evidence not before CONNECT"
fi

# sub -d: the evidence, then the packets, then the message.
bg "$WORK/dsub" mqtls sub "${TLS[@]}" "${DEV1[@]}" -i dsub -t tls/ds -C 1 -d
wait_subscribed dsub tls/ds
mqtls pub "${TLS[@]}" "${DEV1[@]}" -t tls/ds -m "traced"
wait_bg "$BG"
d=$(cat "$WORK/dsub")
assert_contains "$d" "TLS handshake with localhost port $M_TLS: established" "sub -d: evidence"
assert_contains "$d" "Client dsub received PUBLISH (d0, q0, r0, m0, 'tls/ds', ... (6 bytes))
traced" "sub -d: packets in the clear above TLS"

# --alpn is offered as given (mosquitto does not negotiate ALPN: none agreed).
mqtls pub "${TLS[@]}" "${DEV1[@]}" --alpn x-amzn-mqtt-ca --alpn mqtt -t tls/a -m x -d \
    > "$WORK/alpn" 2>&1
assert_status 0 $? "--alpn twice"
assert_contains "$(cat "$WORK/alpn")" "ALPN offered:   x-amzn-mqtt-ca, mqtt" "-d shows --alpn list"

# The automatic AWS ALPN: the rule tool_tls_default_alpn() applies (no network needed).
for c in "a1b2c3-ats.iot.us-east-1.amazonaws.com 443 x-amzn-mqtt-ca" \
    "A1B2C3-ATS.IOT.EU-WEST-1.AMAZONAWS.COM 443 x-amzn-mqtt-ca" \
    "data.iot.eu-west-1.amazonaws.com. 443 x-amzn-mqtt-ca" \
    "amazonaws.com 443 x-amzn-mqtt-ca" \
    "a1b2c3-ats.iot.us-east-1.amazonaws.com 8883 none" \
    "notamazonaws.com 443 none" \
    "amazonaws.com.evil.example 443 none" \
    "localhost 443 none"; do
    read -r host port want <<< "$c"
    assert_eq "$want" "$(mqtls --selftest-alpn "$host" "$port")" "default ALPN for $host port $port"
done

# ---- the port: 8883 with TLS, 1883 without, -p and the URL win -----------------------------
# A name that cannot resolve: -d shows the port chosen, nothing is ever sent.
NX=no-such-host..example  # an empty label: refused locally, no DNS query is sent
expect 3 "could not connect to $NX port 8883" pub -h "$NX" --cafile "$P/ca.crt" -t a -m x -d
assert_contains "$(cat "$WORK/out")" "TLS connecting to $NX port 8883" "TLS default port 8883 (-d)"
expect 3 "port 8883" pub -L "mqtts://$NX/t" --cafile "$P/ca.crt" -m x -d
assert_contains "$(cat "$WORK/out")" "TLS connecting to $NX port 8883" "mqtts:// default port 8883"
expect 3 "port 8883" sub -h "$NX" --insecure -t a -d
expect 3 "port 1234" pub -h "$NX" -p 1234 --cafile "$P/ca.crt" -t a -m x -d
assert_contains "$(cat "$WORK/out")" "TLS connecting to $NX port 1234" "-p wins over 8883"
expect 3 "port 4321" pub -L "mqtts://$NX:4321/t" --cafile "$P/ca.crt" -m x
expect 3 "could not connect to $NX port 1883" pub -h "$NX" -t a -m x
expect 3 "port 1883" sub -L "mqtt://$NX/t"
mqtls pub -h "$NX" -t a -m x -d > "$WORK/out" 2>&1
assert_not_contains "$(cat "$WORK/out")" "TLS" "plain MQTT without TLS lines in -d"
# The -d evidence of a failed TCP stage.
assert_contains "$(mqtls pub -h "$NX" --cafile "$P/ca.crt" -t a -m x -d 2>&1)" \
    "FAILED at the TCP connect stage" "-d: evidence of a DNS failure"

# ---- credentials and options: exit 2 ---------------------------------------------------------
expect 2 "TLS needs a CA to verify the broker's certificate: pass --cafile FILE" \
    pub -h localhost -p "$M_TLS" "${DEV1[@]}" -t a -m x
expect 2 "TLS needs a CA" sub -L "mqtts://localhost:$M_TLS/t"
expect 2 "--cert needs --key" pub "${TLS[@]}" --cert "$P/dev1/cert.crt" -t a -m x
expect 2 "--key needs --cert" pub "${TLS[@]}" --key "$P/dev1/private.key" -t a -m x
expect 2 "--key needs --cert" pub -p "$M_TLS" --key "$P/dev1/private.key" -t a -m x
expect 2 "the CA file '$WORK/nope.crt' cannot be used: No such file or directory" \
    pub -h localhost -p "$M_TLS" --cafile "$WORK/nope.crt" -t a -m x
expect 2 "the CA file '$P/dev1/private.key' cannot be used: " \
    pub -h localhost -p "$M_TLS" --cafile "$P/dev1/private.key" -t a -m x
assert_contains "$ERR" "it holds a private key, not a certificate" "a key given as the CA: said so"
expect 2 "the CA directory '$WORK/nodir' cannot be used" \
    pub -h localhost -p "$M_TLS" --capath "$WORK/nodir" -t a -m x
expect 2 "the client certificate '$P/dev1/private.key' cannot be used" \
    pub "${TLS[@]}" --cert "$P/dev1/private.key" --key "$P/dev1/private.key" -t a -m x
expect 2 "the private key '$WORK/none.key' cannot be used: No such file or directory" \
    pub "${TLS[@]}" --cert "$P/dev1/cert.crt" --key "$WORK/none.key" -t a -m x
# The key of another device: named as the culprit.
expect 2 "the private key '$P/dev2/private.key' (--key) does not belong to the certificate '$P/dev1/cert.crt'" \
    pub "${TLS[@]}" --cert "$P/dev1/cert.crt" --key "$P/dev2/private.key" -t a -m x
expect 2 "does not belong to the certificate" \
    sub "${TLS[@]}" --cert "$P/dev1/cert.der" --key "$P/dev2/private.der" -t a

# An encrypted key (traditional PEM encryption; with the Mbed TLS backend the tool opens it).
if openssl ec -in "$P/dev1/private.key" -aes256 -passout pass:right-one \
    -out "$WORK/enc.key" 2> /dev/null; then
    ENC=(--cert "$P/dev1/cert.crt" --key "$WORK/enc.key")
    expect 2 "the private key '$WORK/enc.key' cannot be used" pub "${TLS[@]}" "${ENC[@]}" -t a -m x
    assert_contains "$ERR" "give its passphrase with --keypass or MQTLS_KEYPASS" "no passphrase: hint"
    expect 2 "wrong passphrase" pub "${TLS[@]}" "${ENC[@]}" --keypass wrong -t a -m x
    if tls_is_openssl; then
        assert_contains "$ERR" "(OpenSSL error 0x" "wrong passphrase: OpenSSL's code"
    else
        assert_contains "$ERR" "does not decrypt with it" "wrong passphrase: the tool opened it"
    fi
    MQTLS_KEYPASS=wrong expect 2 "wrong passphrase" pub "${TLS[@]}" "${ENC[@]}" -t a -m x
    mqtls pub "${TLS[@]}" "${ENC[@]}" --keypass right-one -t tls/enc -m x
    assert_status 0 $? "right passphrase (--keypass)"
    MQTLS_KEYPASS=right-one mqtls pub "${TLS[@]}" "${ENC[@]}" -t tls/enc -m x
    assert_status 0 $? "right passphrase (MQTLS_KEYPASS)"
    # The passphrase does not stay visible in the process's arguments.
    bg "$WORK/kp" "$MQTLS_BIN" sub "${TLS[@]}" "${ENC[@]}" --keypass right-one -i kp-sub \
        -t tls/kp -W 20
    wait_subscribed kp-sub tls/kp
    cmdline=$(tr '\0' ' ' < "/proc/$BG/cmdline" 2> /dev/null)
    assert_contains "$cmdline" "--keypass" "cmdline read"
    assert_not_contains "$cmdline" "right-one" "--keypass argument blanked after reading"
    kill "$BG" 2> /dev/null
    wait_bg "$BG"
    assert_status 0 "$RC" "sub with an encrypted key stopped by SIGTERM"
else
    fail "openssl could not encrypt a key: passphrase tests skipped"
fi

expect 2 "unknown or unsupported cipher suite in 'TLS_NOPE'" \
    pub "${TLS[@]}" "${DEV1[@]}" --ciphers TLS_NOPE -t a -m x
# TLS 1.3 needs an Mbed TLS that has it: either it works or it says so.
mqtls pub "${TLS[@]}" "${DEV1[@]}" --tls-version tlsv1.3 -t a -m x 2> "$WORK/err"
rc=$?
if [ "$rc" -eq 2 ]; then
    assert_contains "$(cat "$WORK/err")" "TLS 1.3 is not available in the linked Mbed TLS" \
        "--tls-version tlsv1.3 without TLS 1.3 in Mbed TLS (exit 2)"
else
    assert_status 0 "$rc" "--tls-version tlsv1.3"
fi
mqtls pub "${TLS[@]}" "${DEV1[@]}" --tls-version tlsv1.2 -t a -m x
assert_status 0 $? "--tls-version tlsv1.2"

# ---- handshake failures: exit 3 with the reason in plain words -------------------------------
# A device of another CA: the broker rejects the client certificate. (Whether its alert can
# be read depends on timing; either way the line says so.)
expect 3 "rejected this client certificate" pub "${TLS[@]}" \
    --cert "$O/intruder/cert.crt" --key "$O/intruder/private.key" -t a -m x
assert_contains "$ERR" "the server's certificate verified, then the broker" \
    "the server side was fine"
assert_contains "$ERR" "'$O/intruder/cert.crt'" "names the rejected certificate"
expect 3 "rejected this client certificate" sub "${TLS[@]}" \
    --cert "$O/intruder/cert.der" --key "$O/intruder/private.der" -t a
# No client certificate where the broker requires one.
expect 3 "the broker requires a client certificate" pub "${TLS[@]}" -t a -m x
# TLS to the plain MQTT listener.
expect 3 "may not be a TLS port" pub -h localhost -p "$M_PLAIN" --cafile "$P/ca.crt" -t a -m x
# Only RSA suites offered to a broker with an EC certificate.
expect 3 "alert received 40 handshake_failure: no common cipher suite" pub "${TLS[@]}" \
    "${DEV1[@]}" --ciphers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 -t a -m x

# ---- broker U: a certificate from a CA the client does not trust, for "localhost" only -------
start_tls_broker "cafile $O/ca.crt" "certfile $O/server.crt" "keyfile $O/server.key"
U_TLS=$TLS_PORT
expect 3 "server certificate not trusted: the server's chain ends at" \
    pub -h localhost -p "$U_TLS" --cafile "$P/ca.crt" -t a -m x
assert_contains "$ERR" "CN=other CA" "names the top of the server's chain"
assert_contains "$ERR" "the CA file '$P/ca.crt' does not contain" "says the CA file lacks it"
expect 3 "not trusted" sub -h localhost -p "$U_TLS" --capath "$P" -t a
mqtls pub -h localhost -p "$U_TLS" --cafile "$P/ca.crt" -t a -m x -d > "$WORK/out" 2>&1
d=$(cat "$WORK/out")
assert_contains "$d" "FAILED at the TLS handshake stage" "-d: failed handshake evidence"
assert_contains "$d" "sent 48 unknown_ca" "-d: the alert we sent"
assert_contains "$d" "! the chain ends at a root that is not trusted" "-d: the problem in words"
# Right CA, wrong name: the certificate is for "localhost", not 127.0.0.1.
expect 3 "host name mismatch" pub -h 127.0.0.1 -p "$U_TLS" --cafile "$O/ca.crt" -t a -m x
assert_contains "$ERR" "not issued for '127.0.0.1'" "names the host"
mqtls pub -h localhost -p "$U_TLS" --cafile "$O/ca.crt" -t a -m x
assert_status 0 $? "the right CA and name connect"

# --insecure: warned about every time, connects without a CA, never implied.
bg "$WORK/isub" mqtls sub -h 127.0.0.1 -p "$U_TLS" --insecure -i insecure-sub -t tls/i -C 1
wait_subscribed insecure-sub tls/i
mqtls pub -h 127.0.0.1 -p "$U_TLS" --insecure -t tls/i -m "not verified" 2> "$WORK/ierr"
assert_status 0 $? "pub --insecure to an untrusted server"
wait_bg "$BG"
assert_eq "not verified" "$(cat "$WORK/isub")" "message arrived with --insecure"
w="WARNING: --insecure: the server's certificate and host name are NOT verified"
assert_contains "$(cat "$WORK/ierr")" "$w" "pub --insecure warns"
assert_contains "$(cat "$WORK/isub.err")" "$w" "sub --insecure warns"
mqtls pub -h localhost -p "$U_TLS" --insecure --quiet -t tls/i -m x 2> "$WORK/ierr"
assert_contains "$(cat "$WORK/ierr")" "$w" "--insecure warns even with --quiet"
mqtls pub -h localhost -p "$U_TLS" --insecure --cafile "$P/ca.crt" -t tls/i -m x -d \
    > "$WORK/out" 2> "$WORK/ierr"
assert_status 0 $? "--insecure with a CA that does not match"
assert_contains "$(cat "$WORK/ierr")" "$w" "warns with --cafile too"
assert_contains "$(cat "$WORK/out")" "verification:   DISABLED (--insecure), would have been" \
    "-d: shows what verification would have said"

# ---- broker X: an expired certificate of the trusted CA ---------------------------------------
mqtls pki server "$P" --name localhost --out "$WORK/expired" --not-before 2020-01-01 \
    --not-after 2020-06-30 > /dev/null 2>&1 || die "pki server (expired)"
start_tls_broker "cafile $P/ca.crt" "certfile $WORK/expired.crt" "keyfile $WORK/expired.key"
expect 3 "server certificate expired: 'CN=localhost' was valid from 2020-01-01 00:00:00 to 2020-06-30" \
    pub -h localhost -p "$TLS_PORT" --cafile "$P/ca.crt" -t a -m x
assert_contains "$ERR" "this machine's clock says" "expired: says the local time"
assert_not_contains "$ERR" "not trusted" "expired: not mistaken for an untrusted chain"

# ---- broker V: TLS 1.3 only (alert 70 for a TLS 1.2 client) ----------------------------------
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "tls_version tlsv1.3"
mqtls pub -h localhost -p "$TLS_PORT" --cafile "$P/ca.crt" -t a -m x 2> "$WORK/err"
rc=$?
if [ "$rc" -eq 0 ]; then
    pass "TLS 1.3 broker: this Mbed TLS speaks TLS 1.3"
else
    assert_status 3 "$rc" "TLS 1.3-only broker"
    assert_contains "$(cat "$WORK/err")" "alert received 70 protocol_version" "alert 70 named"
    assert_contains "$(cat "$WORK/err")" "TLS version" "alert 70 explained as the TLS version"
fi

finish
