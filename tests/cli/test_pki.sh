#!/usr/bin/env bash
# mqtls pki: a local CA, broker and device certificates (EC and RSA 2048), checked with the
# openssl command-line tool; the device files laid out like
# `aws iot create-keys-and-certificate`; dates, overwrite refusal, CAs made by openssl (DER,
# P-384, intermediate, and ones it must refuse or whose certificates would not verify), usage
# and runtime errors; and a real mutual-TLS handshake with mosquitto (mosquitto_pub) using the
# files.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || die "the openssl tool is needed to check certificates"

# pki ARGS...: `mqtls pki ARGS`, stdout to $WORK/out, stderr to $WORK/err; sets RC.
pki() {
    mqtls pki "$@" > "$WORK/out" 2> "$WORK/err"
    RC=$?
}

# expect STATUS MESSAGE-FRAGMENT ARGS...: runs `mqtls pki ARGS`, checks status and stderr.
expect() {
    local want=$1 frag=$2
    shift 2
    pki "$@"
    local err
    err=$(cat "$WORK/err")
    if [ "$RC" -eq "$want" ]; then
        pass "pki $* -> exit $RC"
    else
        fail "pki $*: expected exit $want, got $RC (stderr: $err)"
    fi
    assert_contains "$err" "$frag" "pki $* names the problem"
    assert_not_contains "$err" "Sanitizer" "pki $* no sanitizer report"
}

# field NAME: a "name: value" line of the last pki run's output.
field() { awk -v k="$1:" '$1 == k { print $2 }' "$WORK/out"; }

mode_of() { stat -c %a "$1"; }
epoch() { date -u -d "$1" +%s; }
# validity_days CERT: notAfter - notBefore in days.
validity_days() {
    local nb na
    nb=$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)
    na=$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)
    echo $(( ($(epoch "$na") - $(epoch "$nb")) / 86400 ))
}
# same_key KEY CERT WHAT: the private key belongs to the certificate.
same_key() {
    local a b
    a=$(openssl x509 -in "$2" -noout -pubkey 2>&1)
    b=$(openssl pkey -in "$1" -pubout 2>&1)
    if [ -n "$a" ] && [ "$a" == "$b" ]; then pass "$3"; else fail "$3: [$a] vs [$b]"; fi
}
# ext CERT NAME: one extension as openssl prints it.
ext() { openssl x509 -in "$1" -noout -ext "$2" 2>&1; }

# ---- help ----------------------------------------------------------------------------
pki --help
assert_status 0 "$RC" "pki --help"
assert_contains "$(cat "$WORK/out")" "mqtls pki device DIR NAME" "pki --help lists the commands"
for c in init server device; do
    pki "$c" --help
    assert_status 0 "$RC" "pki $c --help"
    assert_contains "$(cat "$WORK/out")" "Usage: mqtls pki $c" "pki $c --help shows its usage"
done
pki
assert_status 2 "$RC" "pki without a command"
assert_contains "$(cat "$WORK/err")" "Usage: mqtls pki" "pki without a command prints usage"

# ---- CA, server and device, EC and RSA 2048 ------------------------------------------
for kind in ec rsa; do
    D=$WORK/$kind
    KEYOPT=()
    [ "$kind" = rsa ] && KEYOPT=(--rsa 2048)
    if [ "$kind" = rsa ]; then ALG=rsaEncryption; else ALG=id-ecPublicKey; fi

    # The CA.
    pki init "$D" "${KEYOPT[@]}" --cn "Test CA $kind"
    assert_status 0 "$RC" "[$kind] pki init"
    for f in ca.key ca.crt ca.der; do
        [ -s "$D/$f" ] && pass "[$kind] $f written" || fail "[$kind] $f missing"
    done
    assert_eq 600 "$(mode_of "$D/ca.key")" "[$kind] ca.key mode"
    text=$(openssl x509 -in "$D/ca.crt" -noout -text 2>&1)
    assert_contains "$text" "Basic Constraints: critical" "[$kind] CA basicConstraints critical"
    assert_contains "$text" "CA:TRUE" "[$kind] CA:TRUE"
    assert_contains "$(ext "$D/ca.crt" keyUsage)" "Certificate Sign, CRL Sign" "[$kind] CA keyUsage"
    assert_contains "$(ext "$D/ca.crt" subjectKeyIdentifier)" ":" "[$kind] CA subject key identifier"
    assert_contains "$text" "Public Key Algorithm: $ALG" "[$kind] CA key type"
    [ "$kind" = rsa ] && assert_contains "$text" "Public-Key: (2048 bit)" "[$kind] CA key size"
    assert_contains "$text" "Signature Algorithm: " "[$kind] CA signature"
    assert_eq "subject=CN=Test CA $kind" "$(openssl x509 -in "$D/ca.crt" -noout -subject -nameopt RFC2253)" \
        "[$kind] CA subject"
    assert_eq "$(openssl x509 -in "$D/ca.crt" -noout -issuer | sed 's/^issuer=//')" \
        "$(openssl x509 -in "$D/ca.crt" -noout -subject | sed 's/^subject=//')" "[$kind] CA self-signed"
    openssl verify -x509_strict -CAfile "$D/ca.crt" "$D/ca.crt" > "$WORK/v" 2>&1
    assert_status 0 $? "[$kind] CA verifies strictly against itself ($(cat "$WORK/v"))"
    openssl x509 -in "$D/ca.crt" -outform der -out "$WORK/ca.der.ossl"
    assert_file_eq "$WORK/ca.der.ossl" "$D/ca.der" "[$kind] ca.der = openssl x509 -outform der"
    same_key "$D/ca.key" "$D/ca.crt" "[$kind] CA key matches CA certificate"
    assert_eq 3650 "$(validity_days "$D/ca.crt")" "[$kind] CA valid 3650 days"

    # The broker.
    pki server "$D" --name localhost --name broker.test --ip 127.0.0.1 --ip ::1 "${KEYOPT[@]}"
    assert_status 0 "$RC" "[$kind] pki server"
    assert_eq 600 "$(mode_of "$D/server.key")" "[$kind] server.key mode"
    assert_eq "$D/server.crt: OK" "$(openssl verify -CAfile "$D/ca.crt" "$D/server.crt" 2>&1)" \
        "[$kind] openssl verify server.crt"
    openssl verify -x509_strict -purpose sslserver -CAfile "$D/ca.crt" "$D/server.crt" > "$WORK/v" 2>&1
    assert_status 0 $? "[$kind] server.crt verifies strictly for sslserver ($(cat "$WORK/v"))"
    san=$(ext "$D/server.crt" subjectAltName)
    assert_contains "$san" "DNS:localhost, DNS:broker.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" \
        "[$kind] server subjectAltName"
    assert_contains "$(ext "$D/server.crt" extendedKeyUsage)" "TLS Web Server Authentication" \
        "[$kind] server EKU serverAuth"
    ku=$(ext "$D/server.crt" keyUsage)
    assert_contains "$ku" "Digital Signature" "[$kind] server keyUsage"
    if [ "$kind" = rsa ]; then
        assert_contains "$ku" "Key Encipherment" "[$kind] server keyUsage keyEncipherment"
    else
        assert_not_contains "$ku" "Key Encipherment" "[$kind] server keyUsage without keyEncipherment"
    fi
    assert_contains "$(ext "$D/server.crt" basicConstraints)" "CA:FALSE" "[$kind] server CA:FALSE"
    assert_eq "subject=CN=localhost" "$(openssl x509 -in "$D/server.crt" -noout -subject -nameopt RFC2253)" \
        "[$kind] server CN = first name"
    same_key "$D/server.key" "$D/server.crt" "[$kind] server key matches certificate"
    assert_eq 365 "$(validity_days "$D/server.crt")" "[$kind] server valid 365 days"

    # A device, as create-keys-and-certificate lays it out.
    N=dev-$kind
    pki device "$D" "$N" "${KEYOPT[@]}"
    assert_status 0 "$RC" "[$kind] pki device"
    for f in cert.crt private.key public.key cert.der private.der; do
        [ -s "$D/$N/$f" ] && pass "[$kind] $N/$f written" || fail "[$kind] $N/$f missing"
    done
    assert_eq 600 "$(mode_of "$D/$N/private.key")" "[$kind] private.key mode"
    assert_eq 600 "$(mode_of "$D/$N/private.der")" "[$kind] private.der mode"
    assert_eq "$D/$N/cert.crt" "$(field certificate)" "[$kind] output names cert.crt"
    assert_eq "$D/$N/private.key" "$(field private-key)" "[$kind] output names private.key"
    assert_eq "$D/$N/public.key" "$(field public-key)" "[$kind] output names public.key"
    assert_eq "$D/$N/cert.crt: OK" "$(openssl verify -CAfile "$D/ca.crt" "$D/$N/cert.crt" 2>&1)" \
        "[$kind] openssl verify device cert"
    openssl verify -x509_strict -purpose sslclient -CAfile "$D/ca.crt" "$D/$N/cert.crt" > "$WORK/v" 2>&1
    assert_status 0 $? "[$kind] device cert verifies strictly for sslclient ($(cat "$WORK/v"))"
    assert_contains "$(ext "$D/$N/cert.crt" extendedKeyUsage)" "TLS Web Client Authentication" \
        "[$kind] device EKU clientAuth"
    assert_eq "subject=CN=$N" "$(openssl x509 -in "$D/$N/cert.crt" -noout -subject -nameopt RFC2253)" \
        "[$kind] device CN = NAME"
    assert_eq "issuer=CN=Test CA $kind" "$(openssl x509 -in "$D/$N/cert.crt" -noout -issuer -nameopt RFC2253)" \
        "[$kind] device issuer = CA subject"
    same_key "$D/$N/private.key" "$D/$N/cert.crt" "[$kind] device key matches certificate"
    openssl pkey -in "$D/$N/private.key" -pubout -out "$WORK/pub.ossl" 2>/dev/null
    assert_file_eq "$WORK/pub.ossl" "$D/$N/public.key" "[$kind] public.key = openssl pkey -pubout"
    if [ "$kind" = rsa ]; then
        assert_eq "-----BEGIN RSA PRIVATE KEY-----" "$(head -1 "$D/$N/private.key")" \
            "[$kind] private.key is PKCS#1 (as AWS writes it)"
        openssl rsa -in "$D/$N/private.key" -traditional -outform der -out "$WORK/key.der.ossl" 2>/dev/null
    else
        assert_eq "-----BEGIN EC PRIVATE KEY-----" "$(head -1 "$D/$N/private.key")" \
            "[$kind] private.key is SEC1"
        openssl ec -in "$D/$N/private.key" -outform der -out "$WORK/key.der.ossl" 2>/dev/null
    fi
    assert_eq "-----BEGIN PUBLIC KEY-----" "$(head -1 "$D/$N/public.key")" "[$kind] public.key PEM"
    assert_file_eq "$WORK/key.der.ossl" "$D/$N/private.der" "[$kind] private.der = openssl $kind -outform der"
    sed '/^-----/d' "$D/$N/private.key" | base64 -d > "$WORK/key.der.b64"
    assert_file_eq "$WORK/key.der.b64" "$D/$N/private.der" "[$kind] private.der = private.key's DER"
    openssl x509 -in "$D/$N/cert.crt" -outform der -out "$WORK/cert.der.ossl"
    assert_file_eq "$WORK/cert.der.ossl" "$D/$N/cert.der" "[$kind] cert.der = openssl x509 -outform der"
    id=$(openssl x509 -in "$D/$N/cert.crt" -outform der | sha256sum | cut -d' ' -f1)
    assert_eq "$id" "$(field certificate-id)" "[$kind] certificate id = sha256 of the DER certificate"
    serial=$(openssl x509 -in "$D/$N/cert.crt" -noout -serial | cut -d= -f2)
    assert_eq 32 "${#serial}" "[$kind] serial is 16 bytes"
    case "$serial" in [0-7]*) pass "[$kind] serial is positive" ;; *) fail "[$kind] serial $serial" ;; esac
    assert_eq "$serial" "$(field serial | tr -d :)" "[$kind] serial printed as in the certificate"
    if [ "$kind" = rsa ]; then want_key="RSA 2048"; else want_key="EC P-256"; fi
    assert_eq "key:              $want_key" "$(grep '^key:' "$WORK/out")" "[$kind] key printed"
    assert_eq "subject:          CN=$N" "$(grep '^subject:' "$WORK/out")" "[$kind] subject printed"
    nb=$(openssl x509 -in "$D/$N/cert.crt" -noout -startdate | cut -d= -f2)
    assert_eq "not-before:       $(date -u -d "$nb" '+%Y-%m-%d %H:%M:%S UTC')" \
        "$(grep '^not-before:' "$WORK/out")" "[$kind] not-before printed as in the certificate"
    assert_eq 365 "$(validity_days "$D/$N/cert.crt")" "[$kind] device valid 365 days"
done

# Serial numbers differ.
s1=$(openssl x509 -in "$WORK/ec/dev-ec/cert.crt" -noout -serial)
s2=$(openssl x509 -in "$WORK/ec/server.crt" -noout -serial)
[ "$s1" != "$s2" ] && pass "serials are random" || fail "same serial twice: $s1"

# ---- dates ----------------------------------------------------------------------------
D=$WORK/ec
pki device "$D" expired --not-before 2020-01-01 --not-after 2020-06-30T12:00:00
assert_status 0 "$RC" "expired device"
dates=$(openssl x509 -in "$D/expired/cert.crt" -noout -dates)
assert_contains "$dates" "notBefore=Jan  1 00:00:00 2020 GMT" "expired: notBefore"
assert_contains "$dates" "notAfter=Jun 30 12:00:00 2020 GMT" "expired: notAfter"
assert_contains "$(cat "$WORK/err")" "already expired" "expired: warned"
assert_contains "$(openssl verify -CAfile "$D/ca.crt" "$D/expired/cert.crt" 2>&1)" "certificate has expired" \
    "openssl sees the expired certificate"

pki device "$D" future --not-before 2099-01-01T08:30:00Z --days 30
assert_status 0 "$RC" "not-yet-valid device"
dates=$(openssl x509 -in "$D/future/cert.crt" -noout -dates)
assert_contains "$dates" "notBefore=Jan  1 08:30:00 2099 GMT" "future: notBefore"
assert_contains "$dates" "notAfter=Jan 31 08:30:00 2099 GMT" "future: notAfter (--days 30)"
assert_contains "$(cat "$WORK/err")" "not valid yet" "future: warned"
assert_contains "$(openssl verify -CAfile "$D/ca.crt" "$D/future/cert.crt" 2>&1)" "not yet valid" \
    "openssl sees the not-yet-valid certificate"

pki device "$D" short --days 7
assert_status 0 "$RC" "device --days 7"
assert_eq 7 "$(validity_days "$D/short/cert.crt")" "--days 7"

pki init "$WORK/ca2050" --not-before 2049-12-01 --not-after 2051-01-01
assert_status 0 "$RC" "CA across 2050 (UTCTime -> GeneralizedTime)"
assert_contains "$(openssl x509 -in "$WORK/ca2050/ca.crt" -noout -dates)" "notAfter=Jan  1 00:00:00 2051 GMT" \
    "GeneralizedTime after 2049"

# ---- --out, --ca-dir --------------------------------------------------------------------
mkdir -p "$WORK/broker-files"
pki server "$D" --name mqtt.example.com --out "$WORK/broker-files/mqtt"
assert_status 0 "$RC" "server --out"
[ -s "$WORK/broker-files/mqtt.crt" ] && [ -s "$WORK/broker-files/mqtt.key" ] &&
    pass "--out writes PREFIX.crt and PREFIX.key" || fail "--out files missing"
assert_eq "$WORK/broker-files/mqtt.crt: OK" \
    "$(openssl verify -CAfile "$D/ca.crt" "$WORK/broker-files/mqtt.crt" 2>&1)" "--out certificate verifies"

pki server "$D" --ip 10.0.0.1 --out "$WORK/broker-files/iponly"
assert_status 0 "$RC" "server with --ip only"
assert_eq "subject=CN=10.0.0.1" "$(openssl x509 -in "$WORK/broker-files/iponly.crt" -noout -subject -nameopt RFC2253)" \
    "--ip only: CN = the address"

pki device "$WORK/fleet" sensor-7 --ca-dir "$D" --rsa 2048
assert_status 0 "$RC" "device --ca-dir"
assert_eq "$WORK/fleet/sensor-7/cert.crt: OK" \
    "$(openssl verify -CAfile "$D/ca.crt" "$WORK/fleet/sensor-7/cert.crt" 2>&1)" "--ca-dir: signed by that CA"
[ ! -e "$WORK/fleet/ca.crt" ] && pass "--ca-dir: no CA copied" || fail "--ca-dir: ca.crt appeared"

# A CA from elsewhere (openssl) signs through --ca-dir too: the issuer name is copied as is.
mkdir -p "$WORK/osslca"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -subj "/C=DE/O=Example, Inc./CN=Other Root" -keyout "$WORK/osslca/ca.key" \
    -out "$WORK/osslca/ca.crt" > /dev/null 2>&1
pki device "$WORK/fleet" foreign --ca-dir "$WORK/osslca"
assert_status 0 "$RC" "device signed by an openssl-made CA"
assert_eq 'issuer:           C=DE, O=Example\, Inc., CN=Other Root' "$(grep '^issuer:' "$WORK/out")" \
    "openssl-made CA: the issuer printed in order, its comma escaped (RFC 4514)"
assert_eq "$WORK/fleet/foreign/cert.crt: OK" \
    "$(openssl verify -x509_strict -CAfile "$WORK/osslca/ca.crt" "$WORK/fleet/foreign/cert.crt" 2>&1)" \
    "openssl-made CA: chain verifies"

# ---- CAs from elsewhere: every new certificate is verified (OpenSSL's verifier) before any
# file is written, for the purpose it is made for, as a TLS peer will check it ------------
# mkca DIR SUBJ [openssl req options...]: a CA made by `openssl req -x509` (P-256 unless told).
mkca() {
    local d=$1 subj=$2
    shift 2
    mkdir -p "$d"
    [ $# -eq 0 ] && set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256
    openssl req -x509 "$@" -nodes -days 30 -subj "$subj" -keyout "$d/ca.key" -out "$d/ca.crt" \
        > "$WORK/mkca.err" 2>&1 || die "openssl req failed: $(cat "$WORK/mkca.err")"
}
# A CA whose extendedKeyUsage allows clientAuth only: OpenSSL clients (mosquitto_pub) refuse a
# broker certificate it signs, so pki server refuses to make one; device certificates are fine.
mkca "$WORK/cliauth" "/CN=Client-only CA" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "extendedKeyUsage=clientAuth"
expect 1 "unsuitable certificate purpose, found in the CA certificate '$WORK/cliauth/ca.crt'" \
    server "$WORK/cliauth" --name localhost
[ ! -e "$WORK/cliauth/server.crt" ] && [ ! -e "$WORK/cliauth/server.key" ] &&
    pass "a broker certificate that does not verify is not written" ||
    fail "pki server wrote a broker certificate that openssl rejects: $(ls "$WORK/cliauth")"
pki device "$WORK/cliauth" dev
assert_status 0 "$RC" "client-only CA: device certificate made"
openssl verify -purpose sslclient -CAfile "$WORK/cliauth/ca.crt" "$WORK/cliauth/dev/cert.crt" > "$WORK/v" 2>&1
assert_status 0 $? "client-only CA: device certificate verifies for sslclient ($(cat "$WORK/v"))"

# A CA whose keyUsage does not allow keyCertSign: nothing it signs verifies.
mkca "$WORK/nosign" "/CN=No-sign CA" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -addext "keyUsage=critical,digitalSignature"
expect 1 "does not verify against the CA" device "$WORK/nosign" d
[ ! -e "$WORK/nosign/d/cert.crt" ] && [ ! -e "$WORK/nosign/d/private.key" ] &&
    pass "no device files from a CA that cannot sign" || fail "device files written: $(ls "$WORK/nosign/d")"

# An intermediate CA (signed by the EC CA) is the anchor all the same.
mkdir -p "$WORK/inter"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=Intermediate" \
    -keyout "$WORK/inter/ca.key" -out "$WORK/inter/ca.csr" > /dev/null 2>&1
printf '%s\n' "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > "$WORK/inter/ext"
openssl x509 -req -in "$WORK/inter/ca.csr" -CA "$WORK/ec/ca.crt" -CAkey "$WORK/ec/ca.key" \
    -set_serial 7 -days 30 -extfile "$WORK/inter/ext" -out "$WORK/inter/ca.crt" > /dev/null 2>&1
pki server "$WORK/inter" --name localhost
assert_status 0 "$RC" "server certificate from an intermediate CA ($(cat "$WORK/err"))"
assert_eq "$WORK/inter/server.crt: OK" "$(openssl verify -x509_strict -purpose sslserver \
    -CAfile "$WORK/ec/ca.crt" -untrusted "$WORK/inter/ca.crt" "$WORK/inter/server.crt" 2>&1)" \
    "intermediate CA: the chain to the root verifies"

# A CA in DER (certificate and PKCS#8 key), and a P-384 CA: read by content.
mkdir -p "$WORK/derca"
openssl x509 -in "$WORK/ec/ca.crt" -outform der -out "$WORK/derca/ca.crt"
openssl pkcs8 -topk8 -nocrypt -in "$WORK/ec/ca.key" -outform der -out "$WORK/derca/ca.key"
pki device "$WORK/derca" d
assert_status 0 "$RC" "CA in DER with a PKCS#8 DER key ($(cat "$WORK/err"))"
assert_eq "$WORK/derca/d/cert.crt: OK" "$(openssl verify -CAfile "$WORK/ec/ca.crt" "$WORK/derca/d/cert.crt" 2>&1)" \
    "DER CA: the device certificate verifies"
mkca "$WORK/p384" "/O=Example/CN=P-384 CA" -newkey ec -pkeyopt ec_paramgen_curve:P-384 \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
pki device "$WORK/p384" d --rsa 2048
assert_status 0 "$RC" "P-384 CA signs an RSA device ($(cat "$WORK/err"))"
assert_eq "issuer:           O=Example, CN=P-384 CA" "$(grep '^issuer:' "$WORK/out")" "P-384 CA: issuer printed"
assert_eq "$WORK/p384/d/cert.crt: OK" "$(openssl verify -x509_strict -CAfile "$WORK/p384/ca.crt" \
    "$WORK/p384/d/cert.crt" 2>&1)" "P-384 CA: the device certificate verifies"

# CA keys it cannot use: encrypted (OpenSSL 3's default PKCS#8 with AES), Ed25519, public only.
mkdir -p "$WORK/enc"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc -pass pass:secret \
    -out "$WORK/enc/ca.key" 2>/dev/null
openssl req -x509 -key "$WORK/enc/ca.key" -passin pass:secret -subj "/CN=Enc CA" -days 30 \
    -out "$WORK/enc/ca.crt" 2>/dev/null
expect 2 "the CA key '$WORK/enc/ca.key' is encrypted" device "$WORK/enc" d
mkca "$WORK/ed" "/CN=Ed CA" -newkey ed25519
expect 2 "is an ED25519 key: mqtls pki signs with RSA or EC keys" device "$WORK/ed" d
mkdir -p "$WORK/pubonly"
cp "$D/ca.crt" "$WORK/pubonly/ca.crt"
openssl pkey -in "$D/ca.key" -pubout -out "$WORK/pubonly/ca.key" 2>/dev/null
expect 2 "the CA key '$WORK/pubonly/ca.key' is not a usable private key" device "$WORK/pubonly" d
mkdir -p "$WORK/keyonly"
cp "$D/ca.key" "$WORK/keyonly/ca.crt"
cp "$D/ca.key" "$WORK/keyonly/ca.key"
expect 2 "'$WORK/keyonly/ca.crt' is not a usable certificate: its first CERTIFICATE block is missing" \
    device "$WORK/keyonly" d
mkdir -p "$WORK/huge"
head -c 2000000 /dev/zero > "$WORK/huge/ca.crt"
cp "$D/ca.key" "$WORK/huge/ca.key"
expect 2 "the CA certificate '$WORK/huge/ca.crt' is too large" device "$WORK/huge" d
mkdir -p "$WORK/empty"
cp "$D/ca.crt" "$WORK/empty/ca.crt"
: > "$WORK/empty/ca.key"
expect 2 "the CA private key '$WORK/empty/ca.key' is empty" device "$WORK/empty" d
for d in enc ed pubonly keyonly huge empty; do
    [ ! -e "$WORK/$d/d" ] && pass "$d: no device directory" || fail "$d: $WORK/$d/d created"
done

# ---- overwriting -------------------------------------------------------------------------
cp "$D/ca.crt" "$WORK/ca.before"
expect 1 "already exists: use --force" init "$D"
assert_file_eq "$WORK/ca.before" "$D/ca.crt" "the CA was left alone"
expect 1 "already exists: use --force" server "$D" --name localhost
expect 1 "'$D/dev-ec/cert.crt' already exists" device "$D" dev-ec
cp "$D/dev-ec/cert.crt" "$WORK/dev.before"
chmod 644 "$D/dev-ec/private.key"
pki device "$D" dev-ec --force
assert_status 0 "$RC" "device --force"
cmp -s "$WORK/dev.before" "$D/dev-ec/cert.crt" && fail "--force did not replace" || pass "--force replaced cert.crt"
assert_eq 600 "$(mode_of "$D/dev-ec/private.key")" "--force makes a replaced key 0600 again"
same_key "$D/dev-ec/private.key" "$D/dev-ec/cert.crt" "--force: new key matches new certificate"
cp "$WORK/ca2050/ca.crt" "$WORK/ca2050.before"
pki init "$WORK/ca2050" --force
assert_status 0 "$RC" "init --force"
cmp -s "$WORK/ca2050.before" "$WORK/ca2050/ca.crt" && fail "init --force kept the old CA" ||
    pass "init --force replaced the CA"

# ---- usage errors (exit 2) -----------------------------------------------------------------
expect 2 "missing DIR" init
expect 2 "missing DIR" server --name x
expect 2 "missing device NAME" device "$D"
expect 2 "unknown pki command 'create'" create "$D"
expect 2 "unknown option '--bogus'" init "$WORK/x" --bogus
expect 2 "unknown option '-x'" init "$WORK/x" -x
expect 2 "unexpected argument 'extra'" init "$WORK/x" extra
expect 2 "option '--name' is not valid for mqtls pki init" init "$WORK/x" --name a
expect 2 "option '--ca-dir' is not valid for mqtls pki server" server "$D" --name a --ca-dir "$D"
expect 2 "option '--days' needs an argument" init "$WORK/x" --days
expect 2 "invalid RSA key size '1024'" init "$WORK/x" --rsa 1024
expect 2 "invalid RSA key size '8192'" device "$D" d --rsa 8192
expect 2 "invalid RSA key size '2047'" server "$D" --name a --rsa 2047
expect 2 "invalid RSA key size 'big'" init "$WORK/x" --rsa big
expect 2 "use --rsa or --ec, not both" device "$D" d --rsa 2048 --ec
expect 2 "invalid date '2024-13-01'" init "$WORK/x" --not-before 2024-13-01
expect 2 "invalid date '2023-02-29'" device "$D" d --not-after 2023-02-29
expect 2 "invalid date 'tomorrow'" device "$D" d --not-before tomorrow
expect 2 "invalid date '2024-01-01T25:00:00'" device "$D" d --not-before 2024-01-01T25:00:00
expect 2 "invalid date '1999-12-31'" device "$D" d --not-before 1999-12-31
expect 2 "invalid number of days '0'" device "$D" d --days 0
expect 2 "invalid number of days '-5'" device "$D" d --days -5
expect 2 "use --days or --not-after, not both" device "$D" d --days 3 --not-after 2030-01-01
expect 2 "ends (2020-01-01 00:00:00 UTC) before it starts" device "$D" d --not-before 2021-01-01 --not-after 2020-01-01
expect 2 "needs at least one --name" server "$D"
expect 2 "invalid IP address '300.1.1.1'" server "$D" --name a --ip 300.1.1.1
expect 2 "invalid IP address 'localhost'" server "$D" --name a --ip localhost
expect 2 "invalid host name 'bad name'" server "$D" --name 'bad name'
expect 2 "invalid host name 'a..b'" server "$D" --name a..b
expect 2 "invalid device name '../escape'" device "$D" ../escape
expect 2 "invalid device name 'a/b'" device "$D" a/b
expect 2 "invalid CA name" init "$WORK/x" --cn 'A,B'
expect 2 "no CA in '$WORK/none'" server "$WORK/none" --name a
expect 2 "create one with 'mqtls pki init $WORK/none'" device "$WORK/none" d
mkdir -p "$WORK/broken"
echo garbage > "$WORK/broken/ca.crt"
cp "$D/ca.key" "$WORK/broken/ca.key"
expect 2 "'$WORK/broken/ca.crt' is not a usable certificate" device "$WORK/broken" d
cp "$D/ca.crt" "$WORK/broken/ca.crt"
cp "$WORK/rsa/ca.key" "$WORK/broken/ca.key"
expect 2 "does not belong to the CA certificate" device "$WORK/broken" d
cp "$D/server.crt" "$WORK/broken/ca.crt"
cp "$D/server.key" "$WORK/broken/ca.key"
expect 2 "is not a CA certificate" device "$WORK/broken" d
[ ! -e "$WORK/x" ] && pass "usage errors write nothing" || fail "usage errors created $WORK/x"
[ ! -e "$D/d" ] && pass "usage errors create no device directory" || fail "$D/d created"

# ---- runtime errors (exit 1) --------------------------------------------------------------
: > "$WORK/afile"
expect 1 "cannot create directory '$WORK/afile': Not a directory" init "$WORK/afile"
expect 1 "cannot write '$WORK/afile/s.crt': Not a directory" server "$D" --name a --out "$WORK/afile/s"
expect 1 "cannot create directory '$WORK/afile'" device "$WORK/afile" d --ca-dir "$D"

# ---- a real handshake: mosquitto with the server files, mosquitto_pub with the device ---------
if ! command -v mosquitto_pub >/dev/null; then
    fail "mosquitto_pub not installed: handshake not tested"
    finish
fi

free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

# start_tls_broker CADIR: a broker with a plain listener ($PORT) and a TLS listener ($TLS_PORT)
# that requires a client certificate from CADIR's CA.
start_tls_broker() {
    local d=$1 try dir
    for try in 1 2 3 4 5; do
        TLS_PORT=$(free_port)
        dir=$(mktemp -d "$WORK/broker-XXXXXX")
        printf '%s\n' "log_type subscribe" "listener $TLS_PORT 127.0.0.1" \
            "cafile $d/ca.crt" "certfile $d/server.crt" "keyfile $d/server.key" \
            "require_certificate true" > "$dir.conf"
        if PORT=$(timeout "$T" "$MQTLS_BROKER_BIN" start "$dir" "$dir.conf" 2> "$dir.err"); then
            BROKER_DIRS+=("$dir")
            BROKER_LOG=$dir/mosquitto.log
            return 0
        fi
    done
    cat "$dir.err" "$dir/mosquitto.log" 2>/dev/null
    die "cannot start a TLS broker"
}

# tls_pub DEVICEDIR CAFILE HOST MESSAGE: mosquitto_pub over TLS with the device's files.
tls_pub() {
    timeout "$T" mosquitto_pub --cafile "$2" --cert "$1/cert.crt" --key "$1/private.key" \
        -h "$3" -p "$TLS_PORT" -t pki/x -m "$4" > "$WORK/pub.out" 2>&1
}

for kind in ec rsa; do
    D=$WORK/$kind
    start_tls_broker "$D"
    bg "$WORK/sub-$kind" msub -i "watch-$kind" -t pki/x -C 2 -W 15
    watcher=$BG
    wait_subscribed "watch-$kind" pki/x

    tls_pub "$D/dev-$kind" "$D/ca.crt" localhost "hello $kind"
    assert_status 0 $? "[$kind] mutual TLS: device cert accepted (-h localhost) $(cat "$WORK/pub.out")"
    tls_pub "$D/dev-$kind" "$D/ca.crt" 127.0.0.1 "by address $kind"
    assert_status 0 $? "[$kind] mutual TLS: IP subjectAltName matches (-h 127.0.0.1) $(cat "$WORK/pub.out")"
    wait_bg "$watcher"
    assert_eq "hello $kind
by address $kind" "$(cat "$WORK/sub-$kind")" "[$kind] messages arrived through TLS"

    # A device of an unrelated CA, and an expired device of the right CA, are refused.
    if [ "$kind" = ec ]; then other=$WORK/rsa/dev-rsa; else other=$WORK/ec/dev-ec; fi
    tls_pub "$other" "$D/ca.crt" localhost nope
    rc=$?
    [ "$rc" -ne 0 ] && pass "[$kind] device of another CA refused (exit $rc)" ||
        fail "[$kind] device of another CA was accepted"
    grep -q "certificate verify failed" "$BROKER_LOG" &&
        pass "[$kind] the broker logged the failed client certificate" ||
        fail "[$kind] no 'certificate verify failed' in $BROKER_LOG"
    if [ "$kind" = ec ]; then
        tls_pub "$D/expired" "$D/ca.crt" localhost nope
        rc=$?
        [ "$rc" -ne 0 ] && pass "[$kind] expired device refused (exit $rc)" ||
            fail "[$kind] expired device was accepted"
        # The client checks the broker too: the wrong CA file fails the handshake.
        tls_pub "$D/dev-$kind" "$WORK/rsa/ca.crt" localhost nope
        rc=$?
        [ "$rc" -ne 0 ] && pass "[$kind] broker of another CA refused by the client (exit $rc)" ||
            fail "[$kind] client accepted a broker of another CA"
    fi
done

finish
