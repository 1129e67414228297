#!/usr/bin/env bash
# --tls-use-os-certs: the broker is verified against the system's trusted CAs, found the way
# OpenSSL's default verify paths find them, so that SSL_CERT_FILE and SSL_CERT_DIR work as
# users expect (and a private CA not in them is refused).
. "$(dirname "$0")/lib.sh"

P=$WORK/pki
mqtls pki init "$P" > /dev/null || die "pki init failed"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key"
T_ARGS=(-h localhost -p "$TLS_PORT" -t os/certs -m hello)

# SSL_CERT_FILE names the trusted bundle: here, the private CA.
SSL_CERT_FILE=$P/ca.crt mqtls pub --tls-use-os-certs "${T_ARGS[@]}" 2> "$WORK/err"
assert_status 0 $? "SSL_CERT_FILE with the broker's CA: verified"
assert_eq "" "$(cat "$WORK/err")" "no error with SSL_CERT_FILE"

# SSL_CERT_DIR names a directory of trusted CAs.
mkdir -p "$WORK/cadir"
cp "$P/ca.crt" "$WORK/cadir/private-ca.pem"
# (a missing SSL_CERT_FILE is named)
SSL_CERT_FILE=$WORK/none.pem SSL_CERT_DIR=$WORK/cadir \
    expect 2 "none.pem" pub --tls-use-os-certs "${T_ARGS[@]}"
env -u SSL_CERT_FILE SSL_CERT_DIR="$WORK/cadir" timeout "$T" "$MQTLS_BIN" pub --tls-use-os-certs \
    "${T_ARGS[@]}" 2> "$WORK/err"
assert_status 0 $? "SSL_CERT_DIR with the broker's CA: verified"

# The system's own store does not hold the private CA: the broker is not trusted, and the
# message says so (exit 3: the TLS handshake failed).
if [ -d /etc/ssl/certs ]; then
    env -u SSL_CERT_FILE -u SSL_CERT_DIR timeout "$T" "$MQTLS_BIN" pub --tls-use-os-certs \
        "${T_ARGS[@]}" > /dev/null 2> "$WORK/err"
    assert_status 3 $? "the system store does not trust a private CA"
    assert_contains "$(cat "$WORK/err")" "not trusted" "the refusal names the trust problem"
else
    echo "skip - no /etc/ssl/certs on this machine"
fi

# With --cafile too: the private CA from the file, the system's through its directory.
env -u SSL_CERT_FILE -u SSL_CERT_DIR timeout "$T" "$MQTLS_BIN" pub --tls-use-os-certs \
    --cafile "$P/ca.crt" "${T_ARGS[@]}" 2> "$WORK/err"
assert_status 0 $? "--tls-use-os-certs with --cafile"

# With --cafile and --capath too: all three sources are trusted.
env -u SSL_CERT_FILE -u SSL_CERT_DIR timeout "$T" "$MQTLS_BIN" pub --tls-use-os-certs \
    --cafile "$P/ca.crt" --capath "$WORK/cadir" "${T_ARGS[@]}" 2> "$WORK/err"
assert_status 0 $? "--tls-use-os-certs with --cafile and --capath"

# SSL_CERT_DIR that is not a directory is named too.
SSL_CERT_DIR=$P/ca.crt expect 2 "SSL_CERT_DIR" pub --tls-use-os-certs "${T_ARGS[@]}"

finish
