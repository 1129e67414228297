#!/usr/bin/env bash
# OpenSSL's configuration file (OPENSSL_CONF). One that activates another provider next to the
# default one keeps the OpenSSL backend in the process's default library context (see
# src/tls/openssl/libctx.c), and mutual TLS works there as anywhere. One whose providers
# section leaves out the default provider (written to enable the legacy provider, or naming
# one that does not load) leaves OpenSSL without the algorithms TLS needs: pub names the file
# and the doctor the cause (cred.openssl_config), and neither blames the credentials.
. "$(dirname "$0")/lib.sh"
tls_is_openssl || { echo "SKIP: the library's TLS backend is $TLS_LIBRARY"; exit 77; }

P=$WORK/pki
mqtls pki init "$P" > /dev/null || die "pki init failed"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
mqtls pki device "$P" dev1 > /dev/null || die "pki device"
# A second broker held at TLS 1.2 by its own OpenSSL configuration (mosquitto's tls_version
# is only a minimum).
printf '%s\n' "openssl_conf = conf" "[conf]" "ssl_conf = ssl" "[ssl]" \
    "system_default = sys" "[sys]" "MaxProtocol = TLSv1.2" > "$WORK/tls12.cnf"
OPENSSL_CONF=$WORK/tls12.cnf start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" \
    "keyfile $P/server.key" "require_certificate true"
PORT12=$TLS_PORT
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "require_certificate true"
PORT13=$TLS_PORT
TLS=(-h localhost --cafile "$P/ca.crt" --cert "$P/dev1/cert.crt" --key "$P/dev1/private.key")

# conf NAME PROVIDER...: a configuration file that activates these providers, and only them.
conf() {
    local f=$WORK/$1.cnf p
    shift
    {
        printf '%s\n' "openssl_conf = openssl_init" "[openssl_init]" "providers = provider_sect" \
            "[provider_sect]"
        for p in "$@"; do echo "$p = ${p}_sect"; done
        for p in "$@"; do printf '%s\n' "[${p}_sect]" "activate = 1"; done
    } > "$f"
    echo "$f"
}
BOTH=$(conf both default legacy)
LEGACY=$(conf legacy legacy)
NONE=$(conf none nonesuch)

# The default provider and the legacy one: both TLS versions, a message there and back.
for v in 1.2 1.3; do
    port=$PORT12
    [ $v = 1.3 ] && port=$PORT13
    OPENSSL_CONF=$BOTH mqtls pub "${TLS[@]}" -p "$port" -t oc/$v -m "via $v" -q 1 -r \
        -d > "$WORK/dbg" 2>&1
    assert_status 0 $? "default + legacy providers, TLS $v: published"
    assert_contains "$(cat "$WORK/dbg")" "version:        TLSv$v" "TLS $v negotiated"
    assert_contains "$(cat "$WORK/dbg")" "requested by the server, sent" "TLS $v: mutual TLS"
    OPENSSL_CONF=$BOTH mqtls sub "${TLS[@]}" -p "$port" -t oc/$v -C 1 -W 5 > "$WORK/got" \
        2> "$WORK/err"
    assert_status 0 $? "default + legacy providers, TLS $v: subscribed"
    assert_eq "via $v" "$(cat "$WORK/got")" "TLS $v: the retained message came back"
done

# The legacy provider alone: the configuration is named, and what to add to it.
OPENSSL_CONF=$LEGACY expect 2 "loads the provider legacy but not the default one" \
    pub "${TLS[@]}" -p "$PORT13" -t oc/x -m x
assert_contains "$ERR" "OPENSSL_CONF=$LEGACY" "the file is named"
assert_contains "$ERR" "default = default_sect" "what to add to it"
assert_not_contains "$ERR" "$P/" "no credential file is blamed"
OPENSSL_CONF=$LEGACY mqtls doctor "${TLS[@]}" -p "$PORT13" --timeout 5 > "$WORK/doc" 2>&1
assert_contains "$(cat "$WORK/doc")" "cause: cred.openssl_config" "doctor: the cause"
assert_not_contains "$(cat "$WORK/doc")" "does not belong to the certificate" \
    "doctor: the key is not said to be another certificate's"
assert_not_contains "$(cat "$WORK/doc")" "does not chain to the CA file" \
    "doctor: the certificate is not said to come from another CA"
OPENSSL_CONF=$LEGACY mqtls doctor "${TLS[@]}" -p "$PORT13" --timeout 5 --json > "$WORK/doc.json" 2>&1
assert_contains "$(cat "$WORK/doc.json")" '"cred.openssl_config"' "doctor --json: the cause"

# The certificate tools and awslocal say the same before they read or write a file.
OPENSSL_CONF=$LEGACY expect 1 "but not the default one" \
    cert check --cafile "$P/ca.crt" --cert "$P/dev1/cert.crt" --key "$P/dev1/private.key"
assert_not_contains "$(cat "$WORK/out")" "does not belong" "cert check blames no file"
OPENSSL_CONF=$LEGACY expect 1 "but not the default one" pki init "$WORK/pki2"
[ ! -e "$WORK/pki2/ca.key" ]
assert_status 0 $? "pki init wrote no key"
OPENSSL_CONF=$LEGACY expect 1 "but not the default one" awslocal thing add "$WORK/awl" t1

# A provider that does not load, and no other: nothing at all.
OPENSSL_CONF=$NONE expect 2 "loads no provider, not even the default one" \
    pub "${TLS[@]}" -p "$PORT13" -t oc/x -m x
OPENSSL_CONF=$NONE mqtls doctor "${TLS[@]}" -p "$PORT13" --timeout 5 > "$WORK/doc" 2>&1
assert_contains "$(cat "$WORK/doc")" "cause: cred.openssl_config" "doctor: the same cause"

finish
