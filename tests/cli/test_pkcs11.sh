#!/usr/bin/env bash
# Mutual TLS with the device key held in a PKCS#11 token (SoftHSM, a private token directory
# of this test): `--key pkcs11:...` (RFC 7512), the PIN from --keypass or the URI, the module
# from --pkcs11-module or p11-kit; mosquitto's --keyform engine / --tls-engine pkcs11 spelling;
# a wrong PIN, a wrong object and a build without token support say so (exit 2).
. "$(dirname "$0")/lib.sh"

command -v softhsm2-util > /dev/null || { echo "skip - softhsm2 is not installed"; exit 77; }
MODULE=/usr/lib/softhsm/libsofthsm2.so
[ -f "$MODULE" ] || { echo "skip - $MODULE is missing"; exit 77; }

P=$WORK/pki
mqtls pki init "$P" > /dev/null || die "pki init failed"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
mqtls pki device "$P" dev1 > /dev/null || die "pki device"
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "require_certificate true"

# A token of this test's own: SOFTHSM2_CONF points SoftHSM (directly, or through p11-kit) at it.
mkdir -p "$WORK/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$WORK/tokens" > "$WORK/softhsm2.conf"
export SOFTHSM2_CONF=$WORK/softhsm2.conf
softhsm2-util --init-token --free --label mqtls-test --pin 1234 --so-pin 5678 > /dev/null \
    || die "softhsm2-util --init-token"
openssl pkcs8 -topk8 -nocrypt -in "$P/dev1/private.key" -out "$WORK/dev1.p8" \
    || die "openssl pkcs8"
softhsm2-util --import "$WORK/dev1.p8" --token mqtls-test --label dev1-key --id 01 --pin 1234 \
    > /dev/null || die "softhsm2-util --import"
rm -f "$WORK/dev1.p8"

URI="pkcs11:token=mqtls-test;object=dev1-key;type=private"
TLS=(-h localhost -p "$TLS_PORT" --cafile "$P/ca.crt" --cert "$P/dev1/cert.crt")

if ! tls_is_openssl; then
    # The Mbed TLS backend has no token support: a clear refusal, not a crash.
    expect 2 "PKCS#11" pub "${TLS[@]}" --key "$URI" --keypass 1234 \
        --pkcs11-module "$MODULE" -t hsm/x -m x
    finish
fi

bg "$WORK/sub" mqtls sub -h 127.0.0.1 -p "$PORT" -i hsm-sub -t 'hsm/#' -C 3 -v
sub_pid=$BG
wait_subscribed hsm-sub 'hsm/#'

mqtls pub "${TLS[@]}" --key "$URI" --keypass 1234 --pkcs11-module "$MODULE" \
    -t hsm/module -m one 2> "$WORK/err"
assert_status 0 $? "token key, PIN by --keypass, module by --pkcs11-module: connected"
assert_eq "" "$(cat "$WORK/err")" "token key: no error"

mqtls pub "${TLS[@]}" --key "$URI;pin-value=1234" --keyform engine --pkcs11-module "$MODULE" \
    -t hsm/uri -m two 2> "$WORK/err"
assert_status 0 $? "PIN in the URI, --keyform engine (mosquitto's spelling): connected"

# Without --pkcs11-module: p11-kit's proxy loads the modules registered with it (SoftHSM's).
if [ -f /usr/share/p11-kit/modules/softhsm2.module ]; then
    mqtls pub "${TLS[@]}" --key "$URI" --keypass 1234 --tls-engine pkcs11 -t hsm/p11kit -m three \
        2> "$WORK/err"
    assert_status 0 $? "module found through p11-kit"
else
    mqtls pub "${TLS[@]}" --key "$URI" --keypass 1234 --pkcs11-module "$MODULE" -t hsm/p11kit \
        -m three
    echo "skip - SoftHSM is not registered with p11-kit here"
fi
wait_bg "$sub_pid"
assert_eq "hsm/module one
hsm/uri two
hsm/p11kit three" "$(cat "$WORK/sub")" "the broker took all three publishes"

# Failures name the token problem, exit 2, before any connection. (After a failed login the
# engine (libp11 0.4.12) never frees the method tables it made when it was bound: RSA_meth_dup,
# EC_KEY_METHOD_new under ENGINE_by_id, as valgrind shows. LeakSanitizer's leak check is off
# for these two runs only, so that a sanitizer build still checks everything else they do.)
NOLEAK=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
ASAN_OPTIONS=$NOLEAK expect 2 "the private key 'pkcs11:" pub "${TLS[@]}" --key "$URI" \
    --keypass 9999 --pkcs11-module "$MODULE" -t hsm/x -m x
assert_contains "$ERR" "PIN" "wrong PIN: the hint names the PIN"
ASAN_OPTIONS=$NOLEAK expect 2 "cannot be used" pub "${TLS[@]}" \
    --key "pkcs11:token=mqtls-test;object=nokey" --keypass 1234 --pkcs11-module "$MODULE" \
    -t hsm/x -m x
expect 2 "--keyform engine" pub "${TLS[@]}" --key "$P/dev1/private.key" --keyform engine \
    -t hsm/x -m x
expect 2 "--tls-engine" pub "${TLS[@]}" --key "$URI" --tls-engine dynamic -t hsm/x -m x
expect 2 "pkcs11: URI" pub "${TLS[@]}" --key "$P/dev1/private.key" --pkcs11-module "$MODULE" \
    -t hsm/x -m x

# The doctor uses the token key too, and finds nothing wrong.
mqtls doctor "${TLS[@]}" --key "$URI" --keypass 1234 --pkcs11-module "$MODULE" --timeout 10 \
    > "$WORK/doc" 2>&1
assert_status 0 $? "doctor with the token key: every step passes"

finish
