#!/usr/bin/env bash
# Encrypted PKCS#8 keys as OpenSSL 3 writes them (`openssl genpkey ... -aes-256-cbc`, `openssl
# pkcs8 -topk8`: PBES2 with AES-256-CBC by default), PEM and DER, used for mutual TLS with
# the right passphrase; a wrong or missing passphrase is a usage error that says so.
. "$(dirname "$0")/lib.sh"
command -v openssl > /dev/null || { echo "skip - no openssl command"; exit 77; }

P=$WORK/pki
mqtls pki init "$P" > /dev/null || die "pki init failed"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
mqtls pki device "$P" dev > /dev/null || die "pki device"
K=$P/dev/private.key
openssl pkcs8 -topk8 -in "$K" -passout pass:s3cret -out "$WORK/aes.pem" ||
    die "openssl pkcs8 (default scheme)"
openssl pkcs8 -topk8 -in "$K" -passout pass:s3cret -outform DER -out "$WORK/aes.der" ||
    die "openssl pkcs8 DER"
openssl pkcs8 -topk8 -in "$K" -v2 aes-128-cbc -v2prf hmacWithSHA512 -passout pass:s3cret \
    -out "$WORK/aes128.pem" || die "openssl pkcs8 aes-128-cbc"
openssl pkcs8 -topk8 -in "$K" -v2 des3 -passout pass:s3cret -out "$WORK/des3.pem" ||
    die "openssl pkcs8 des3"
grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$WORK/aes.pem" || die "not an encrypted PKCS#8 key"

start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "require_certificate true"
C=(-h localhost -p "$TLS_PORT" --cafile "$P/ca.crt" --cert "$P/dev/cert.crt" -q 1 -t p8/k)

for k in aes.pem aes.der aes128.pem des3.pem; do
    mqtls pub "${C[@]}" --key "$WORK/$k" --keypass s3cret -m "$k" 2> "$WORK/err"
    assert_status 0 $? "mutual TLS with the encrypted PKCS#8 key $k"
    MQTLS_KEYPASS=s3cret mqtls pub "${C[@]}" --key "$WORK/$k" -m "$k" 2> "$WORK/err"
    assert_status 0 $? "the passphrase of $k from MQTLS_KEYPASS"
done
expect 2 "wrong passphrase" pub "${C[@]}" --key "$WORK/aes.pem" --keypass nope -m x
expect 2 "give its passphrase" pub "${C[@]}" --key "$WORK/aes.pem" -m x
# The passphrase does not outlive the setup in the process's memory of the argument.
expect 2 "wrong passphrase" sub "${C[@]}" --key "$WORK/aes.der" --keypass nope -E

finish
