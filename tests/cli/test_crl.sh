#!/usr/bin/env bash
# Certificate revocation lists (--crlfile): a CA made with the openssl CLI revokes the
# broker's certificate (`openssl ca -revoke`, `-gencrl`), real mosquitto serves it. pub fails
# with a verification error that says revoked, the doctor names tls.server_cert_revoked;
# a CRL that does not list it connects; a CRL of another CA does not apply (the broker's
# certificate is not checked: both backends); an expired CRL fails; an unreadable or
# garbage CRL file is a usage error (exit 2) that names the file.
. "$(dirname "$0")/lib.sh"

command -v openssl > /dev/null || die "the openssl command is needed"
C=$WORK/ca
mkdir -p "$C/new" || die "mkdir"
: > "$C/index.txt"
echo 5A17C3 > "$C/serial" # distinctive: the facts must name it
cat > "$C/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $C
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = any
copy_extensions = copy
[ any ]
commonName = supplied
[ server ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ sub_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
CNF
# make_ca DIR CN: a self-signed CA (key DIR/ca.key, certificate DIR/ca.crt).
make_ca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
        -subj "/CN=$2" -keyout "$1/ca.key" -out "$1/ca.crt" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2> /dev/null || die "CA $2"
}
# issue NAME: a server certificate for localhost from the CA in $C.
issue() {
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
        -keyout "$C/$1.key" -out "$C/$1.csr" 2> /dev/null || die "csr $1"
    openssl ca -batch -config "$C/ca.cnf" -extensions server -in "$C/$1.csr" \
        -out "$C/$1.crt" -notext 2> /dev/null || die "issue $1"
}
make_ca "$C" "CRL test CA"
issue revoked
issue good
openssl ca -config "$C/ca.cnf" -gencrl -out "$C/empty.crl" 2> /dev/null || die "empty CRL"
openssl ca -config "$C/ca.cnf" -revoke "$C/revoked.crt" 2> /dev/null || die "revoke"
openssl ca -config "$C/ca.cnf" -gencrl -out "$C/revokes.crl" 2> /dev/null || die "gencrl"
openssl crl -in "$C/revokes.crl" -outform DER -out "$C/revokes.der" || die "DER CRL"
SERIAL=$(openssl x509 -in "$C/revoked.crt" -noout -serial | cut -d= -f2)
# A CRL of another CA (same kind of file, another issuer).
O=$WORK/other
mkdir -p "$O" && make_ca "$O" "Other CA"
sed "s#dir = $C#dir = $O#" "$C/ca.cnf" > "$O/ca.cnf"
mkdir -p "$O/new" && : > "$O/index.txt" && echo 2000 > "$O/serial"
openssl ca -config "$O/ca.cnf" -gencrl -out "$O/other.crl" 2> /dev/null || die "other CRL"

start_tls_broker "cafile $C/ca.crt" "certfile $C/revoked.crt" "keyfile $C/revoked.key"
REVOKED_PORT=$TLS_PORT
start_tls_broker "cafile $C/ca.crt" "certfile $C/good.crt" "keyfile $C/good.key"
GOOD_PORT=$TLS_PORT
TLS=(-h localhost --cafile "$C/ca.crt")

# Without a CRL the revoked certificate is not known to be revoked: it connects.
mqtls pub "${TLS[@]}" -p "$REVOKED_PORT" -t crl/a -m x
assert_status 0 $? "no --crlfile: the revoked certificate is not checked"

for crl in revokes.crl revokes.der; do
    expect 3 "revoked" pub "${TLS[@]}" -p "$REVOKED_PORT" --crlfile "$C/$crl" -t crl/a -m x
    mqtls sub "${TLS[@]}" -p "$REVOKED_PORT" --crlfile "$C/$crl" -t crl/a -C 1 -W 2 \
        > /dev/null 2> "$WORK/err"
    assert_contains "$(cat "$WORK/err")" "revoked" "sub --crlfile $crl: revoked"
done
mqtls pub "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$C/revokes.crl" -t crl/a -m x
assert_status 0 $? "a certificate the CRL does not list connects"
mqtls pub "${TLS[@]}" -p "$REVOKED_PORT" --crlfile "$C/empty.crl" -t crl/a -m x
assert_status 0 $? "a CRL made before the revocation does not list it: connects"
# Another CA's CRL says nothing about this issuer's certificates: not checked, connects.
mqtls pub "${TLS[@]}" -p "$REVOKED_PORT" --crlfile "$O/other.crl" -t crl/a -m x
assert_status 0 $? "a CRL of another issuer does not apply (the certificate is not checked)"
mqtls doctor "${TLS[@]}" -p "$REVOKED_PORT" --crlfile "$O/other.crl" --timeout 5 \
    > "$WORK/doc" 2>&1
assert_status 0 $? "doctor: a CRL of another issuer, the broker's certificate not checked"
assert_contains "$(cat "$WORK/doc")" "'CN=Other CA' is no CA of the CA file" \
    "doctor step 1: the CRL's issuer is no CA of the CA file"

# The doctor: the cause, its neighbours absent, the facts naming serial and CRL.
mqtls doctor "${TLS[@]}" -p "$REVOKED_PORT" --crlfile "$C/revokes.crl" --json --timeout 5 \
    > "$WORK/doc.json" 2> /dev/null
DOC=$(cat "$WORK/doc.json")
assert_contains "$DOC" '"tls.server_cert_revoked"' "doctor --json: tls.server_cert_revoked"
for n in tls.server_untrusted_root tls.handshake_failed tls.client_cert_revoked; do
    assert_not_contains "$DOC" "\"$n\"" "doctor --json: not $n"
done
mqtls doctor "${TLS[@]}" -p "$REVOKED_PORT" --crlfile "$C/revokes.crl" --timeout 5 \
    > "$WORK/doc" 2>&1
DOC=$(cat "$WORK/doc")
assert_contains "$DOC" "cause: tls.server_cert_revoked" "doctor: tls.server_cert_revoked"
assert_contains "$DOC" "serial $SERIAL ('CN=revoked') is listed as revoked" \
    "doctor: the facts name the revoked certificate's serial"
assert_contains "$DOC" "by the CRL of 'CN=CRL test CA' in '$C/revokes.crl'" \
    "doctor: the facts name the CRL that revokes it"
assert_contains "$DOC" "CRL file '$C/revokes.crl': a CRL of 'CN=CRL test CA', 1 certificate(s)" \
    "doctor step 1: the CRL's issuer and count"
assert_not_contains "$DOC" "is no CA of the CA file" "doctor step 1: the CRL's issuer is the CA"
mqtls doctor "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$C/revokes.crl" --timeout 5 \
    > "$WORK/doc" 2>&1
assert_not_contains "$(cat "$WORK/doc")" "server_cert_revoked" \
    "doctor: a certificate the CRL does not list is not called revoked"

# An expired CRL (next update one second after it was made) fails verification.
openssl ca -config "$C/ca.cnf" -gencrl -crlsec 1 -out "$C/expired.crl" 2> /dev/null ||
    die "expired CRL"
sleep 2
expect 3 "CRL" pub "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$C/expired.crl" -t crl/a -m x
assert_not_contains "$ERR" "revoked" "an expired CRL is not called a revocation"
mqtls doctor "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$C/expired.crl" --timeout 5 \
    > "$WORK/doc" 2>&1
DOC=$(cat "$WORK/doc")
assert_contains "$DOC" "is past its next update" "doctor step 1: an expired CRL is named"
assert_not_contains "$DOC" "server_cert_revoked" "doctor: an expired CRL is not a revocation"

# The whole chain: the root's CRL revokes the intermediate CA that issued the broker's
# certificate. The intermediate is checked (its issuer's CRL is given) and found revoked;
# the broker's own certificate is not (no CRL of the intermediate is given).
I=$WORK/inter
mkdir -p "$I/new" && : > "$I/index.txt" && echo 7C0DE1 > "$I/serial"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=CRL test Intermediate" \
    -keyout "$I/ca.key" -out "$I/ca.csr" 2> /dev/null || die "intermediate csr"
openssl ca -batch -config "$C/ca.cnf" -extensions sub_ca -in "$I/ca.csr" -out "$I/ca.crt" \
    -notext 2> /dev/null || die "intermediate"
sed "s#dir = $C#dir = $I#" "$C/ca.cnf" > "$I/ca.cnf"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=leaf" \
    -keyout "$I/leaf.key" -out "$I/leaf.csr" 2> /dev/null || die "leaf csr"
openssl ca -batch -config "$I/ca.cnf" -extensions server -in "$I/leaf.csr" -out "$I/leaf.crt" \
    -notext 2> /dev/null || die "leaf"
cat "$I/leaf.crt" "$I/ca.crt" > "$I/chain.crt"
ISERIAL=$(openssl x509 -in "$I/ca.crt" -noout -serial | cut -d= -f2)
openssl ca -config "$C/ca.cnf" -revoke "$I/ca.crt" 2> /dev/null || die "revoke intermediate"
openssl ca -config "$C/ca.cnf" -gencrl -out "$C/inter.crl" 2> /dev/null || die "gencrl inter"
start_tls_broker "cafile $C/ca.crt" "certfile $I/chain.crt" "keyfile $I/leaf.key"
mqtls pub "${TLS[@]}" -p "$TLS_PORT" -t crl/a -m x
assert_status 0 $? "the chain through the intermediate verifies without a CRL"
expect 3 "revoked" pub "${TLS[@]}" -p "$TLS_PORT" --crlfile "$C/inter.crl" -t crl/a -m x
mqtls doctor "${TLS[@]}" -p "$TLS_PORT" --crlfile "$C/inter.crl" --timeout 5 > "$WORK/doc" 2>&1
DOC=$(cat "$WORK/doc")
assert_contains "$DOC" "cause: tls.server_cert_revoked" "doctor: a revoked intermediate"
assert_contains "$DOC" "serial $ISERIAL ('CN=CRL test Intermediate') is listed as revoked" \
    "doctor: the facts name the revoked intermediate's serial"

# A CRL file that cannot be used: exit 2, which file, why.
expect 2 "$WORK/none.crl" pub "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$WORK/none.crl" -t c -m x
printf 'not a CRL\n' > "$WORK/garbage.crl"
expect 2 "$WORK/garbage.crl" pub "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$WORK/garbage.crl" \
    -t c -m x
assert_contains "$ERR" "CRL" "garbage: the words say CRL"
expect 2 "no CRL" pub "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$C/ca.crt" -t c -m x
mqtls doctor "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$WORK/garbage.crl" --json --timeout 5 \
    > "$WORK/doc.json" 2> /dev/null
DOC=$(cat "$WORK/doc.json")
assert_contains "$DOC" '"cred.file_wrong_kind"' "doctor: a garbage CRL file is cred.file_wrong_kind"
assert_not_contains "$DOC" '"tls.server_cert_revoked"' "doctor: a garbage CRL is not a revocation"
mqtls doctor "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$WORK/none.crl" --json --timeout 5 \
    > "$WORK/doc.json" 2> /dev/null
DOC=$(cat "$WORK/doc.json")
assert_contains "$DOC" '"cred.file_unreadable"' "doctor: a missing CRL file is cred.file_unreadable"
assert_contains "$DOC" "$WORK/none.crl" "doctor: the missing CRL file is named"
expect 2 "the CRL file '$C'" pub "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$C" -t c -m x
mqtls doctor "${TLS[@]}" -p "$GOOD_PORT" --crlfile "$C" --timeout 5 > "$WORK/doc" 2>&1
assert_contains "$(cat "$WORK/doc")" "the CRL file '$C' is a directory, not a file" \
    "doctor: a directory given as the CRL file"
expect 2 "--crlfile" pub -h localhost -p "$GOOD_PORT" --crlfile "$C/revokes.crl" -t c -m x

finish
