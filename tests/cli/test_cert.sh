#!/usr/bin/env bash
# mqtls cert: show, convert, check and embed.
#
# Good files (EC and RSA, PEM and DER, a bundle, a CSR made by `openssl req`, keys in
# PKCS#1/SEC1/PKCS#8, encrypted the traditional way and as PKCS#8) and broken ones
# (truncated PEM and DER, garbage, an empty file, a missing file, a directory, a wrong
# passphrase, names that say another format): each gives its message and the documented
# exit status, never a crash. Fingerprints, serials and conversions are cross-checked
# with the openssl command line. `cert embed` output is compiled with the project's warning
# flags into a small client that connects to mosquitto over mutual TLS with
# ca_mem/cert_mem/key_mem and publishes at QoS 1 (as is, --der and --pem).
. "$(dirname "$0")/lib.sh"

command -v openssl > /dev/null || die "the openssl command is needed"
SRC=${MQTLS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

# run STATUS ARGS...: runs mqtls ARGS; checks the exit status (and that it did not crash);
# sets OUT, ERR and RC.
run() {
    local want=$1
    shift
    mqtls "$@" > "$WORK/out" 2> "$WORK/err"
    RC=$?
    OUT=$(cat "$WORK/out")
    ERR=$(cat "$WORK/err")
    if [ "$RC" -ge 128 ]; then
        fail "mqtls $*: crashed (status $RC): $ERR"
    elif [ "$RC" -eq "$want" ]; then
        pass "mqtls $* -> exit $RC"
    else
        fail "mqtls $*: expected exit $want, got $RC (stderr: $ERR)"
    fi
    case "$ERR" in
        *Sanitizer* | *"runtime error:"*) fail "mqtls $*: sanitizer report: $ERR" ;;
    esac
}

# expect STATUS FRAGMENT ARGS...: run, then FRAGMENT must be in stdout or stderr.
expect() {
    local want=$1 frag=$2
    shift 2
    run "$want" "$@"
    assert_contains "$OUT
$ERR" "$frag" "  ... says '$frag'"
}

# fp FILE [der]: the SHA-256 fingerprint openssl computes, lowercase without colons.
fp() {
    openssl x509 -in "$1" ${2:+-inform der} -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' |
        tr 'A-F' 'a-f'
}

mode_of() { stat -c %a "$1"; }

# ---- files ---------------------------------------------------------------------------------
D=$WORK/files
mkdir -p "$D"
P=$D/pki
mqtls pki init "$P" > /dev/null || die "pki init"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 --ip ::1 > /dev/null || die "pki server"
mqtls pki device "$P" dev1 > /dev/null || die "pki device dev1"
mqtls pki device "$P" rsa1 --rsa 2048 > /dev/null || die "pki device rsa1"
mqtls pki device "$P" old --not-before 2020-01-01 --not-after 2020-06-30 > /dev/null 2>&1 ||
    die "pki device old"
mqtls pki device "$P" early --not-before 2099-01-01 --days 30 > /dev/null 2>&1 || die "pki early"
# Another CA with the same name, and a device of it: it must not chain to ours.
mqtls pki init "$D/other" > /dev/null || die "pki init other"
mqtls pki device "$D/other" intruder > /dev/null || die "pki device intruder"

(
    cd "$D" || exit 1
    openssl req -new -newkey rsa:2048 -nodes -keyout csr.key -out req.csr \
        -subj "/CN=req-test/O=Test Org" 2> /dev/null &&
        openssl ecparam -name prime256v1 -genkey -out ecparam.key 2> /dev/null &&
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out p8.key 2> /dev/null &&
        openssl pkey -in p8.key -traditional -aes256 -passout pass:secret -out trad-enc.key &&
        openssl pkcs8 -topk8 -in p8.key -v2 des3 -passout pass:secret -out p8-des3.key &&
        openssl pkcs8 -topk8 -in p8.key -v2 des3 -passout pass:secret -outform der \
            -out p8-des3.der &&
        openssl pkcs8 -topk8 -in p8.key -v2 aes-256-cbc -passout pass:secret -out p8-aes.key &&
        openssl ec -in pki/dev1/private.key -aes128 -passout pass:pw -out ec-enc.key 2> /dev/null &&
        openssl req -x509 -newkey rsa:1024 -nodes -keyout weak.key -out weak.crt -days 30 \
            -subj /CN=weak 2> /dev/null &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
            -out amazon1.pem -days 30 -subj "/C=US/O=Amazon/CN=Amazon Root CA 1" 2> /dev/null &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
            -out verisign.pem -days 30 2> /dev/null \
            -subj "/C=US/O=VeriSign, Inc./CN=VeriSign Class 3 Public Primary Certification Authority - G5"
) || die "openssl could not make the test files"

cat "$P/dev1/cert.crt" "$P/ca.crt" > "$D/bundle.pem"
head -c 300 "$P/dev1/cert.crt" > "$D/trunc.pem"
head -c 200 "$P/dev1/cert.der" > "$D/trunc.der"
sed '3d' "$P/dev1/cert.crt" > "$D/cut-line.pem"   # END line there, a base64 line missing
printf 'hello world, not a certificate\n' > "$D/garbage.txt"
head -c 64 /dev/urandom > "$D/random.bin"
: > "$D/empty.pem"
mkdir "$D/adir"
cp "$P/dev1/cert.der" "$D/cert-der.pem"            # named .pem, holds DER
cp "$P/dev1/private.key" "$D/key-pem.der"          # named .der, holds PEM
cp "$P/dev1/private.key" "$D/key-in.crt"           # a .crt that holds a key
# What `aws iot create-keys-and-certificate` prints: the PEM inside JSON strings.
{
    printf '{\n    "certificateArn": "arn:aws:iot:eu-west-1:123456789012:cert/abc",\n'
    printf '    "certificatePem": "%s",\n' "$(awk '{ printf "%s\\n", $0 }' "$P/dev1/cert.crt")"
    printf '    "keyPair": { "PrivateKey": "%s" }\n}\n' "$(awk '{ printf "%s\\n", $0 }' "$P/dev1/private.key")"
} > "$D/aws.json"

# ---- show ------------------------------------------------------------------------------------
expect 0 "PEM, certificate" cert show "$P/dev1/cert.crt"
assert_contains "$OUT" "subject:            CN=dev1" "show: subject"
assert_contains "$OUT" "issuer:             CN=mqtls local CA" "show: issuer"
assert_contains "$OUT" "key:                EC P-256" "show: EC key"
assert_contains "$OUT" "ext-key-usage:      clientAuth" "show: clientAuth"
assert_contains "$OUT" "key-usage:          digitalSignature" "show: key usage"
assert_contains "$OUT" "basic-constraints:  CA:FALSE" "show: CA:FALSE"
assert_contains "$OUT" "self-signed:        no" "show: not self-signed"
assert_contains "$OUT" "validity:           valid, 36" "show: valid, days left"
assert_contains "$OUT" "certificate-id:     $(fp "$P/dev1/cert.crt")" \
    "show: certificate id = openssl's SHA-256 fingerprint"
serial=$(openssl x509 -in "$P/dev1/cert.crt" -noout -serial | sed 's/serial=//')
shown=$(awk '$1 == "serial:" { gsub(":", "", $2); print $2 }' <<< "$OUT")
assert_eq "$serial" "$shown" "show: serial = openssl's"
pki_id=$(mqtls pki device "$P" idcheck | awk '$1 == "certificate-id:" { print $2 }')
run 0 cert show "$P/idcheck/cert.der"
assert_contains "$OUT" "DER, certificate" "show: DER told by content"
assert_contains "$OUT" "certificate-id:     $pki_id" "show: id = the id mqtls pki printed"

expect 0 "subject-alt-name:   DNS:localhost, IP:127.0.0.1, IP:::1" cert show "$P/server.crt"
assert_contains "$OUT" "ext-key-usage:      serverAuth" "show: serverAuth"
expect 0 "basic-constraints:  CA:TRUE, path length unlimited" cert show "$P/ca.der"
assert_contains "$OUT" "self-signed:        yes" "show: the CA is self-signed"
assert_contains "$OUT" "key-usage:          keyCertSign, cRLSign" "show: CA key usage"
expect 0 "key:                RSA 2048" cert show "$P/rsa1/cert.crt"

expect 0 "PEM, 2 certificates" cert show "$D/bundle.pem"
assert_contains "$OUT" "[1/2] certificate (line 1)" "show: bundle, first numbered"
assert_contains "$OUT" "[2/2] certificate (line 12)" "show: bundle, second numbered"
assert_contains "$OUT" "certificate-id:     $(fp "$P/ca.crt")" "show: bundle, the CA's id"

expect 0 "expired " cert show "$P/old/cert.crt"
assert_contains "$OUT" "days ago" "show: expired N days ago"
expect 0 "not yet valid (starts in " cert show "$P/early/cert.crt"
expect 0 "valid, 1 day left" cert show --at 2099-01-30 "$P/early/cert.crt"
expect 2 "invalid date" cert show --at 2099-02-30 "$P/early/cert.crt"

expect 0 "PEM, CSR" cert show "$D/req.csr"
assert_contains "$OUT" "subject:            CN=req-test, O=Test Org" "show: CSR subject"
assert_contains "$OUT" "RSA 2048" "show: CSR key"

expect 0 "EC P-256 private key (SEC1)" cert show "$P/dev1/private.key"
pub_cert=$(mqtls cert show "$P/dev1/cert.crt" | awk '$1 == "public-key-sha256:" { print $2 }')
assert_contains "$OUT" "public-key-sha256:  $pub_cert" "show: key and certificate, same public key"
expect 0 "DER, private key" cert show "$P/dev1/private.der"
expect 0 "RSA 2048 private key (PKCS#1)" cert show "$P/rsa1/private.key"
expect 0 "RSA 2048 private key (PKCS#8)" cert show "$D/p8.key"
expect 0 "EC P-256 public key (SubjectPublicKeyInfo)" cert show "$P/dev1/public.key"
expect 0 "'EC PARAMETERS' block" cert show "$D/ecparam.key"
assert_contains "$OUT" "EC P-256 private key (SEC1)" "show: the key after EC PARAMETERS"

# Encrypted keys: shown (exit 0) with "needs a passphrase"; opened with --passin.
expect 0 "needs a passphrase" cert show "$D/trad-enc.key"
assert_contains "$OUT" "RSA private key (PKCS#1, encrypted: PEM AES-256-CBC)" "show: traditional"
expect 0 "needs a passphrase" cert show "$D/p8-des3.key"
assert_contains "$OUT" "PBES2 DES-EDE3-CBC" "show: PKCS#8 scheme"
expect 0 "needs a passphrase" cert show "$D/p8-des3.der"
expect 0 "needs a passphrase" cert show "$D/p8-aes.key"
assert_contains "$OUT" "PBES2 AES-256-CBC" "show: OpenSSL 3's default PKCS#8 scheme named"
expect 0 "RSA 2048 private key (PKCS#1, decrypted from PEM AES-256-CBC)" \
    cert show --passin secret "$D/trad-enc.key"
expect 0 "RSA 2048 private key (PKCS#8, decrypted from PBES2 DES-EDE3-CBC)" \
    cert show --passin secret "$D/p8-des3.der"
MQTLS_KEYPASS=pw expect 0 "EC P-256 private key (SEC1, decrypted" cert show "$D/ec-enc.key"
expect 2 "wrong passphrase" cert show --passin wrong "$D/trad-enc.key"
expect 2 "wrong passphrase" cert show --passin wrong "$D/p8-des3.key"
# OpenSSL 3's default (PBES2 AES-256-CBC) opens too: decrypted with OpenSSL's libcrypto.
expect 0 "private key (PKCS#8, decrypted from PBES2 AES-256-CBC)" \
    cert show --passin secret "$D/p8-aes.key"
expect 2 "wrong passphrase" cert show --passin wrong "$D/p8-aes.key"

# Broken input: a message and exit 2, the other files still shown.
expect 2 "has no '-----END CERTIFICATE-----' line" cert show "$D/trunc.pem"
expect 2 "truncated DER: its outer SEQUENCE declares $(wc -c < "$P/dev1/cert.der") bytes, the file has 200" \
    cert show "$D/trunc.der"
expect 2 "the certificate does not parse" cert show "$D/cut-line.pem"
expect 2 "not a certificate, key or CSR: starts with 'hello world" cert show "$D/garbage.txt"
expect 2 "not a certificate, key or CSR: starts with bytes" cert show "$D/random.bin"
expect 2 "empty file (0 bytes)" cert show "$D/empty.pem"
expect 2 "No such file or directory" cert show "$D/missing.pem"
expect 2 "is a directory, not a file" cert show "$D/adir"
expect 2 "aws iot create-keys-and-certificate" cert show "$D/aws.json"
expect 2 "'$D/garbage.txt': not a certificate" cert show "$P/ca.crt" "$D/garbage.txt" "$P/dev1/cert.der"
assert_contains "$OUT" "$P/ca.crt: PEM, certificate" "show: the file before the bad one"
assert_contains "$OUT" "$P/dev1/cert.der: DER, certificate" "show: the file after the bad one"
expect 0 "DER, certificate" cert show "$D/cert-der.pem"
cat "$P/dev1/cert.der" "$D/garbage.txt" > "$D/trailing.der"
expect 0 "bytes after the DER object (ignored" cert show "$D/trailing.der"
assert_contains "$OUT" "certificate-id:     $(fp "$P/dev1/cert.crt")" "show: trailing bytes not hashed"
openssl x509 -in "$P/dev1/cert.crt" -text > "$D/with-text.pem"
sed 's/$/\r/' "$P/dev1/cert.crt" > "$D/crlf.pem"
expect 0 "certificate-id:     $(fp "$P/dev1/cert.crt")" cert show "$D/with-text.pem" "$D/crlf.pem"
expect 2 "missing FILE" cert show
expect 2 "unknown option '--bogus'" cert show --bogus "$P/ca.crt"
expect 2 "not valid for mqtls cert show" cert show --force "$P/ca.crt"
expect 2 "unknown cert command 'frob'" cert frob
expect 0 "Usage: mqtls cert show" cert show --help
expect 0 "mqtls cert embed" cert --help
run 2 cert

# ---- convert ---------------------------------------------------------------------------------
C=$WORK/conv
mkdir -p "$C"
expect 0 "(DER, $(wc -c < "$P/dev1/cert.der") bytes)" cert convert "$P/dev1/cert.crt" "$C/cert.der"
openssl x509 -in "$P/dev1/cert.crt" -outform der -out "$C/cert.ossl.der"
assert_file_eq "$C/cert.ossl.der" "$C/cert.der" "convert: certificate to DER = openssl x509 -outform der"
assert_file_eq "$P/dev1/cert.der" "$C/cert.der" "convert: certificate to DER = pki's cert.der"
run 0 cert convert "$C/cert.der" "$C/cert.pem"
assert_file_eq "$P/dev1/cert.crt" "$C/cert.pem" "convert: DER back to PEM, byte for byte"
openssl x509 -in "$C/cert.ossl.der" -inform der -out "$C/cert.ossl.pem"
assert_file_eq "$C/cert.ossl.pem" "$C/cert.pem" "convert: DER to PEM = openssl x509 -inform der"
[ "$(mode_of "$C/cert.der")" != 600 ] && pass "convert: a certificate is not written 0600" ||
    fail "convert: certificate mode $(mode_of "$C/cert.der")"

expect 0 "mode 0600" cert convert "$P/dev1/private.key" "$C/ec.der"
openssl ec -in "$P/dev1/private.key" -outform der -out "$C/ec.ossl.der" 2> /dev/null
assert_file_eq "$C/ec.ossl.der" "$C/ec.der" "convert: SEC1 key to DER = openssl ec -outform der"
assert_eq 600 "$(mode_of "$C/ec.der")" "convert: the key is written with mode 0600"
run 0 cert convert "$C/ec.der" "$C/ec.pem"
assert_file_eq "$P/dev1/private.key" "$C/ec.pem" "convert: SEC1 DER back to PEM"
run 0 cert convert "$P/rsa1/private.key" "$C/rsa.der"
openssl rsa -in "$P/rsa1/private.key" -traditional -outform der -out "$C/rsa.ossl.der" 2> /dev/null
assert_file_eq "$C/rsa.ossl.der" "$C/rsa.der" "convert: PKCS#1 key to DER = openssl rsa -traditional"
run 0 cert convert "$D/p8.key" "$C/p8.der"
openssl pkcs8 -topk8 -nocrypt -in "$D/p8.key" -outform der -out "$C/p8.ossl.der"
assert_file_eq "$C/p8.ossl.der" "$C/p8.der" "convert: PKCS#8 kept (= openssl pkcs8 -nocrypt -outform der)"
run 0 cert convert "$C/p8.der" "$C/p8.pem"
assert_file_eq "$D/p8.key" "$C/p8.pem" "convert: PKCS#8 DER back to PEM"
run 0 cert convert "$D/req.csr" "$C/req.der"
openssl req -in "$D/req.csr" -outform der -out "$C/req.ossl.der"
assert_file_eq "$C/req.ossl.der" "$C/req.der" "convert: CSR to DER = openssl req -outform der"
run 0 cert convert "$P/dev1/public.key" "$C/pub.der"
openssl pkey -pubin -in "$P/dev1/public.key" -outform der -out "$C/pub.ossl.der"
assert_file_eq "$C/pub.ossl.der" "$C/pub.der" "convert: public key = openssl pkey -pubin -outform der"
openssl pkey -in "$C/p8.der" -inform der -noout 2> /dev/null &&
    pass "openssl reads the converted PKCS#8 DER key" || fail "openssl cannot read $C/p8.der"

# Encrypted input: needs --passin, written unencrypted with a warning.
expect 2 "give its passphrase with --passin" cert convert "$D/trad-enc.key" "$C/dec.der"
[ -e "$C/dec.der" ] && fail "convert wrote output without the passphrase" || pass "no output written"
expect 2 "wrong passphrase" cert convert --passin wrong "$D/trad-enc.key" "$C/dec.der"
expect 0 "UNENCRYPTED" cert convert --passin secret "$D/trad-enc.key" "$C/dec.der"
openssl rsa -in "$D/trad-enc.key" -passin pass:secret -traditional -outform der \
    -out "$C/dec.ossl.der" 2> /dev/null
assert_file_eq "$C/dec.ossl.der" "$C/dec.der" "convert: decrypted = openssl rsa -passin -traditional"
expect 0 "UNENCRYPTED (as PKCS#1)" cert convert --passin secret --to pem "$D/p8-des3.der" "$C/dec.pem"
openssl rsa -in "$D/p8.key" -traditional -out "$C/dec.ossl.pem" 2> /dev/null
assert_file_eq "$C/dec.ossl.pem" "$C/dec.pem" "convert: encrypted PKCS#8 DER to a plain PEM key"
MQTLS_KEYPASS=pw expect 0 "UNENCRYPTED (as SEC1)" cert convert "$D/ec-enc.key" "$C/ecdec.der"
assert_file_eq "$P/dev1/private.der" "$C/ecdec.der" "convert: AES-128 EC key decrypted"
# OpenSSL 3's default scheme (PBES2 AES-256-CBC) too: the same key as openssl decrypts it.
expect 0 "UNENCRYPTED (as PKCS#1)" cert convert --passin secret "$D/p8-aes.key" "$C/aes.der"
openssl rsa -in "$D/p8-aes.key" -passin pass:secret -traditional -outform der \
    -out "$C/aes.ossl.der" 2> /dev/null
assert_file_eq "$C/aes.ossl.der" "$C/aes.der" "convert: AES PKCS#8 decrypted = openssl rsa -passin"
expect 0 "is not encrypted: --passin is not needed" cert convert --passin x "$P/ca.crt" "$C/ca1.der"

# A bundle: the first certificate, with a warning; PEM to PEM keeps them all.
expect 0 "only the first, the certificate CN=dev1" cert convert "$D/bundle.pem" "$C/bundle.der"
assert_file_eq "$P/dev1/cert.der" "$C/bundle.der" "convert: bundle to DER = its first certificate"
run 0 cert convert --to pem "$D/bundle.pem" "$C/bundle2.pem"
assert_file_eq "$D/bundle.pem" "$C/bundle2.pem" "convert: bundle PEM to PEM keeps both"
expect 0 "'EC PARAMETERS' block is not written" cert convert "$D/ecparam.key" "$C/ecparam.der"

# Overwrite, bad input, bad arguments.
expect 1 "already exists: use --force" cert convert "$P/dev1/cert.crt" "$C/cert.der"
run 0 cert convert --force "$P/dev1/cert.crt" "$C/cert.der"
expect 1 "cannot write" cert convert --force "$P/ca.crt" "$D/adir"
expect 2 "not a certificate, key or CSR" cert convert "$D/garbage.txt" "$C/g.der"
expect 2 "truncated DER" cert convert "$D/trunc.der" "$C/t.pem"
expect 2 "no '-----END CERTIFICATE-----' line" cert convert "$D/trunc.pem" "$C/t.der"
expect 2 "is a directory" cert convert "$D/adir" "$C/d.der"
expect 2 "empty file" cert convert "$D/empty.pem" "$C/e.der"
expect 2 "No such file" cert convert "$D/missing.pem" "$C/m.der"
expect 2 "invalid format 'txt'" cert convert --to txt "$P/ca.crt" "$C/x"
expect 2 "missing OUT" cert convert "$P/ca.crt"
expect 2 "unexpected argument" cert convert "$P/ca.crt" "$C/a" "$C/b"

# ---- check -----------------------------------------------------------------------------------
GOOD=(--cafile "$P/ca.crt" --cert "$P/dev1/cert.crt" --key "$P/dev1/private.key")
expect 0 "0 failed, 0 warnings" cert check "${GOOD[@]}"
assert_contains "$OUT" "✓ CA file '$P/ca.crt': PEM, certificate" "check: the CA file parses"
assert_contains "$OUT" "✓ the private key belongs to the certificate" "check: key pair"
assert_contains "$OUT" "✓ the certificate chains to the CA file" "check: chain"
assert_contains "$OUT" "issued by CN=mqtls local CA (in the CA file)" "check: chain evidence"
assert_contains "$OUT" "✓ certificate CN=dev1: valid, " "check: dates"
assert_contains "$OUT" "✓ extended key usage allows TLS client authentication" "check: EKU"
assert_not_contains "$OUT" "✗" "check: nothing failed"
expect 0 "0 failed" cert check --cafile "$P/ca.der" --cert "$P/rsa1/cert.der" --key "$P/rsa1/private.der"
assert_contains "$OUT" "✓ certificate key: RSA 2048" "check: RSA 2048 is fine"
expect 0 "0 failed" cert check --cafile "$D/bundle.pem" --cert "$P/dev1/cert.der" --key "$P/dev1/private.der"

expect 1 "✗ the private key does not belong to the certificate" \
    cert check --cafile "$P/ca.crt" --cert "$P/dev1/cert.crt" --key "$P/rsa1/private.key"
assert_contains "$OUT" "the private key's public key: RSA 2048" "check: mismatch evidence"
expect 1 "✗ the certificate does not chain to the CA file" \
    cert check --cafile "$P/ca.crt" --cert "$D/other/intruder/cert.crt" --key "$D/other/intruder/private.key"
assert_contains "$OUT" "its key did not sign the certificate" "check: same-name CA explained"
assert_contains "$OUT" "CA file:     CN=mqtls local CA" "check: the CA subjects listed"
expect 1 "✗ certificate CN=old: expired " cert check --cafile "$P/ca.crt" --cert "$P/old/cert.crt" \
    --key "$P/old/private.key"
expect 1 "✗ certificate CN=early: not yet valid" cert check --cafile "$P/ca.crt" \
    --cert "$P/early/cert.crt" --key "$P/early/private.key"
expect 1 "✗ extended key usage does not allow TLS client authentication" \
    cert check --cafile "$P/ca.crt" --cert "$P/server.crt" --key "$P/server.key"
expect 1 "✗ certificate key: RSA 1024, below 2048 bits" \
    cert check --cafile "$D/weak.crt" --cert "$D/weak.crt" --key "$D/weak.key"
expect 1 "are --cert and --key swapped?" cert check --cafile "$P/ca.crt" \
    --cert "$P/dev1/private.key" --key "$P/dev1/cert.crt"
expect 0 "! '$D/cert-der.pem' is named .pem but holds DER" cert check --cafile "$P/ca.crt" \
    --cert "$D/cert-der.pem" --key "$D/key-pem.der"
assert_contains "$OUT" "! '$D/key-pem.der' is named .der but holds PEM" "check: .der holding PEM"
expect 1 "is named like a certificate (.crt) but holds a private key" \
    cert check --cert "$D/key-in.crt"
expect 1 "is encrypted (PEM AES-128-CBC): give its passphrase" cert check --cafile "$P/ca.crt" \
    --cert "$P/dev1/cert.crt" --key "$D/ec-enc.key"
expect 0 "0 failed" cert check --cafile "$P/ca.crt" --cert "$P/dev1/cert.crt" \
    --key "$D/ec-enc.key" --keypass pw
MQTLS_KEYPASS=pw expect 0 "0 failed" cert check --cafile "$P/ca.crt" --cert "$P/dev1/cert.crt" \
    --key "$D/ec-enc.key"
expect 1 "wrong passphrase" cert check --cafile "$P/ca.crt" --cert "$P/dev1/cert.crt" \
    --key "$D/ec-enc.key" --keypass nope
expect 1 "! the date given with --at" cert check "${GOOD[@]}" --at 2001-01-01
assert_contains "$OUT" "looks unset (before 2020)" "check: clock warning"
expect 1 "✗ CA file '$D/garbage.txt': not a certificate, key or CSR" \
    cert check --cafile "$D/garbage.txt" --cert "$P/dev1/cert.crt" --key "$P/dev1/private.key"
expect 1 "✗ certificate '$D/trunc.pem' does not parse" cert check --cert "$D/trunc.pem"
expect 1 "No such file" cert check --cafile "$D/missing.pem"
expect 1 "is a directory" cert check --cafile "$D/adir"
expect 1 "empty file" cert check --key "$D/empty.pem"
expect 2 "nothing to check" cert check
expect 2 "unexpected argument" cert check "$P/ca.crt"
expect 2 "--keypass needs --key" cert check --cafile "$P/ca.crt" --keypass x

# --host and AWS IoT roots.
ATS=a1b2c3d4e5-ats.iot.eu-west-1.amazonaws.com
expect 0 "✓ --host $ATS is an AWS IoT ATS endpoint, and the CA file holds Amazon Root CA 1/3" \
    cert check --cafile "$D/amazon1.pem" --host "$ATS"
expect 0 "but the CA file holds only the VeriSign Class 3 G5 root" \
    cert check --cafile "$D/verisign.pem" --host "$ATS"
expect 0 "holds none of Amazon Root CA 1/3 or Starfield" cert check --cafile "$P/ca.crt" --host "$ATS"
expect 0 "legacy (non-ATS)" cert check --cafile "$D/amazon1.pem" \
    --host a1b2c3d4e5.iot.eu-west-1.amazonaws.com
run 0 cert check --cafile "$P/ca.crt" --host localhost
assert_not_contains "$OUT" "--host" "check: no AWS rule for localhost"

# ---- read with OpenSSL: what the Mbed TLS parsers could not tell ------------------------------
O=$WORK/ossl
mkdir -p "$O"
cat > "$O/san.cnf" << 'EOF'
[req]
distinguished_name = dn
x509_extensions = v3
[dn]
[v3]
subjectAltName = @alt
[alt]
DNS.1 = a.example
IP.1 = 10.0.0.1
email.1 = ops@example.com
URI.1 = https://example.com/x
RID.1 = 1.2.3.4
dirName.1 = dir_sect
otherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:upn@example
[dir_sect]
CN = dir-name
O = Dir Org
EOF
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n' > "$O/inter.ext"
printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' > "$O/leaf.ext"
(
    cd "$O" || exit 1
    openssl genpkey -algorithm ed25519 -out ed.key 2> /dev/null &&
        openssl req -x509 -key ed.key -out ed.crt -days 30 -subj /CN=ed 2> /dev/null &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout san.key \
            -out san.crt -days 30 -subj /CN=san -config san.cnf 2> /dev/null &&
        # A root, an intermediate and a leaf: the chain needs the intermediate from --cert.
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key \
            -out root.crt -days 30 -subj /CN=chain-root 2> /dev/null &&
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout inter.key \
            -out inter.csr -subj /CN=chain-inter 2> /dev/null &&
        openssl x509 -req -in inter.csr -CA root.crt -CAkey root.key -CAcreateserial -days 30 \
            -extfile inter.ext -out inter.crt 2> /dev/null &&
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
            -out leaf.csr -subj /CN=chain-leaf 2> /dev/null &&
        openssl x509 -req -in leaf.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 30 \
            -extfile leaf.ext -out leaf.crt 2> /dev/null &&
        cat leaf.crt inter.crt > leaf-chain.pem
) || die "openssl could not make the OpenSSL-only test files"

# Ed25519, which Mbed TLS 2.28 cannot parse: a key and a certificate.
expect 0 "Ed25519 private key (PKCS#8)" cert show "$O/ed.key"
expect 0 "key:                Ed25519" cert show "$O/ed.crt"
assert_contains "$OUT" "certificate-id:     $(fp "$O/ed.crt")" "show: Ed25519 certificate id"
expect 0 "✓ the private key belongs to the certificate" cert check --cert "$O/ed.crt" --key "$O/ed.key"
# Every subjectAltName type in words (directoryName and otherName included).
expect 0 "subject-alt-name:   DNS:a.example, IP:10.0.0.1, email:ops@example.com, URI:https://example.com/x, RID:1.2.3.4, dirName:CN=dir-name, O=Dir Org, otherName:1.3.6.1.4.1.311.20.2.3" \
    cert show "$O/san.crt"
# The key identifiers, as openssl prints them.
ski=$(openssl x509 -in "$P/dev1/cert.crt" -noout -ext subjectKeyIdentifier | sed -n '2s/ //gp')
aki=$(openssl x509 -in "$P/dev1/cert.crt" -noout -ext authorityKeyIdentifier | sed -n '2s/ //gp')
expect 0 "subject-key-id:     $ski" cert show "$P/dev1/cert.crt"
assert_contains "$OUT" "authority-key-id:   ${aki#keyid:}" "show: authority key id = openssl's"
# A chain through an intermediate given with --cert; without it, the intermediate is missing.
expect 0 "0 failed" cert check --cafile "$O/root.crt" --cert "$O/leaf-chain.pem" --key "$O/leaf.key"
assert_contains "$OUT" "issued by CN=chain-inter" "check: the intermediate in the chain"
assert_contains "$OUT" "issued by CN=chain-root (in the CA file)" "check: the root in the CA file"
expect 1 "✗ the certificate does not chain to the CA file" \
    cert check --cafile "$O/root.crt" --cert "$O/leaf.crt" --key "$O/leaf.key"
assert_contains "$OUT" "add the missing intermediate" "check: missing intermediate explained"
# --host against a server certificate's names (DNS and IP, v4 and v6), as a client checks them.
expect 1 "✓ the certificate's names cover --host localhost" cert check --cert "$P/server.crt" \
    --key "$P/server.key" --host localhost
expect 1 "✓ the certificate's names cover --host 127.0.0.1" cert check --cert "$P/server.crt" \
    --host 127.0.0.1
expect 1 "✓ the certificate's names cover --host ::1" cert check --cert "$P/server.crt" --host ::1
expect 1 "✗ the certificate's names do not cover --host broker.example" \
    cert check --cert "$P/server.crt" --host broker.example
assert_contains "$OUT" "subjectAltName: DNS:localhost, IP:127.0.0.1, IP:::1" "check: the names shown"
expect 1 "✗ the certificate's names do not cover --host 10.9.8.7" \
    cert check --cert "$P/server.crt" --host 10.9.8.7
assert_contains "$OUT" "an IP address must be an iPAddress subjectAltName" "check: IP explained"
run 0 cert check --cert "$P/dev1/cert.crt" --key "$P/dev1/private.key" --host broker.example
assert_not_contains "$OUT" "names" "check: no name check for a client certificate"

# ---- embed -----------------------------------------------------------------------------------
E=$WORK/embed
mkdir -p "$E"
expect 0 "wrote $E/creds.h and $E/creds.c" cert embed "$P/ca.crt" "$P/dev1/cert.der" \
    "$P/dev1/private.key" --name creds --out "$E/creds"
assert_contains "$ERR" "embeds a private key" "embed: warns about the key"
assert_eq 600 "$(mode_of "$E/creds.c")" "embed: the .c holding a key is mode 0600"
h=$(cat "$E/creds.h")
assert_contains "$h" "#ifndef CREDS_H" "embed: include guard"
assert_contains "$h" "extern const unsigned char creds_ca[];" "embed: array declared"
assert_contains "$h" "extern const size_t creds_private_len;" "embed: length declared"
c=$(cat "$E/creds.c")
assert_contains "$c" "source sha256 $(sha256sum < "$P/ca.crt" | cut -c1-64)" "embed: source SHA-256"
assert_contains "$c" "certificate id (sha256 of its DER) $(fp "$P/ca.crt")" "embed: certificate id"
assert_contains "$OUT" "creds_ca                            $(($(wc -c < "$P/ca.crt") + 1)) bytes" \
    "embed: PEM with its NUL counted"
assert_contains "$OUT" "creds_cert                          $(wc -c < "$P/dev1/cert.der") bytes" \
    "embed: DER as is"
expect 1 "already exists: use --force" cert embed "$P/ca.crt" --name creds --out "$E/creds"
expect 2 "would both be named x_ca" cert embed "$P/ca.crt" "$P/ca.der" --name x --out "$E/x"
expect 2 "not a certificate, key or CSR" cert embed "$D/garbage.txt" --name x --out "$E/x"
expect 2 "truncated DER" cert embed "$D/trunc.der" --name x --out "$E/x"
expect 2 "has no DER form" cert embed --der "$D/trad-enc.key" --name x --out "$E/x"
expect 2 "must be a C identifier" cert embed "$P/ca.crt" --name 1x
expect 2 "missing --name" cert embed "$P/ca.crt"
expect 2 "use --der or --pem, not both" cert embed "$P/ca.crt" --name x --der --pem
[ -e "$E/x.c" ] || [ -e "$E/x.h" ] && fail "embed wrote files for bad input" ||
    pass "embed: nothing written for bad input"
expect 0 "only the first" cert embed --der "$D/bundle.pem" --name b --out "$E/b"
cp "$P/dev1/cert.crt" "$E/my cert-2.pem"
expect 0 "x_my_cert_2" cert embed "$E/my cert-2.pem" --name x --out "$E/odd" --force

# The generated files compile with the project's warnings and work: a client connects with
# ca_mem/cert_mem/key_mem to mosquitto (require_certificate) and publishes at QoS 1.
BUILD=$(cd "$(dirname "$MQTLS_BIN")/.." && pwd)
LIB=$BUILD/libmqtls.a
CC_BIN=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2> /dev/null)
CC_BIN=${CC_BIN:-cc}
# The TLS library the build links (MQTLS_TLS in its cache: openssl unless mbedtls).
if grep -q '^MQTLS_TLS:STRING=mbedtls' "$BUILD/CMakeCache.txt" 2> /dev/null; then
    TLS_LIBS=(-lmbedtls -lmbedx509 -lmbedcrypto)
else
    TLS_LIBS=(-lssl -lcrypto)
fi
CFLAGS=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -pedantic -D_POSIX_C_SOURCE=200809L)
if grep -q '^MQTLS_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2> /dev/null; then
    CFLAGS+=(-fsanitize=address,undefined -fno-omit-frame-pointer)
fi
[ -f "$LIB" ] || die "no static library at $LIB"

cat > "$E/client.c" << 'EOF'
/* A client that takes its credentials from arrays made by `mqtls cert embed`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtls/mqtls.h"
#include "mqtls/transport_tls.h"
#include "creds.h"

static void on_event(mqtls_client_t *c, const mqtls_event_t *ev, void *user)
{
    (void)c, (void)ev, (void)user;
}

int main(int argc, char **argv)
{
    static mqtls_tls_t tls;
    static uint8_t rx[4096], tx[4096], store_buf[8192];
    static mqtls_inflight_t inflight[4];
    static uint16_t qos2[4];
    static mqtls_ram_store_t store;
    static mqtls_client_t cli;
    mqtls_tls_cfg_t tcfg;
    mqtls_client_cfg_t cfg;
    mqtls_connect_opts_t opts;
    mqtls_publish_t pub;
    uint8_t reason = 0;
    mqtls_status_t st;

    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT TOPIC\n", argv[0]);
        return 2;
    }
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.ca_mem = creds_ca;
    tcfg.ca_mem_len = creds_ca_len;
    tcfg.cert_mem = creds_cert;
    tcfg.cert_mem_len = creds_cert_len;
    tcfg.key_mem = creds_private;
    tcfg.key_mem_len = creds_private_len;
    mqtls_tls_init(&tls);
    st = mqtls_tls_setup(&tls, &tcfg);
    if (st != MQTLS_OK) {
        fprintf(stderr, "TLS setup: %s: %s\n", mqtls_strerror(st), mqtls_tls_evidence(&tls)->detail);
        mqtls_tls_free(&tls);
        return 1;
    }
    mqtls_ram_store_init(&store, store_buf, sizeof store_buf);
    memset(&cfg, 0, sizeof cfg);
    cfg.transport = &mqtls_tls_transport;
    cfg.transport_ctx = &tls;
    cfg.platform = &mqtls_platform_posix;
    cfg.rx_buf = rx;
    cfg.rx_size = sizeof rx;
    cfg.tx_buf = tx;
    cfg.tx_size = sizeof tx;
    cfg.inflight = inflight;
    cfg.inflight_cap = 4;
    cfg.qos2_in = qos2;
    cfg.qos2_in_cap = 4;
    cfg.store = &mqtls_ram_store;
    cfg.store_ctx = &store;
    cfg.on_event = on_event;
    mqtls_client_init(&cli, &cfg);
    memset(&opts, 0, sizeof opts);
    opts.host = argv[1];
    opts.port = (uint16_t)atoi(argv[2]);
    opts.connect.version = MQTLS_V311;
    opts.connect.clean_start = true;
    opts.connect.keep_alive = 30;
    opts.connect.client_id = mqtls_str("embed-client");
    st = mqtls_sync_connect(&cli, &opts, &reason);
    if (st != MQTLS_OK) {
        fprintf(stderr, "connect: %s (reason %u): %s\n", mqtls_strerror(st), reason,
                mqtls_tls_evidence(&tls)->detail);
        mqtls_tls_free(&tls);
        return 1;
    }
    memset(&pub, 0, sizeof pub);
    pub.topic = mqtls_str(argv[3]);
    pub.payload = (const uint8_t *)"embedded credentials";
    pub.payload_len = 20;
    pub.qos = 1;
    st = mqtls_sync_publish(&cli, &pub, 5000);
    if (st != MQTLS_OK) {
        fprintf(stderr, "publish: %s\n", mqtls_strerror(st));
        mqtls_tls_free(&tls);
        return 1;
    }
    mqtls_disconnect(&cli, 0, NULL);
    mqtls_client_free(&cli);
    mqtls_tls_free(&tls);
    puts("published at QoS 1");
    return 0;
}
EOF

# build VARIANT: compiles $E/VARIANT/creds.c with the client into $E/VARIANT/client.
build() {
    local dir=$E/$1
    if "$CC_BIN" "${CFLAGS[@]}" -I"$dir" -I"$SRC/include" "$E/client.c" "$dir/creds.c" "$LIB" \
        "${TLS_LIBS[@]}" -o "$dir/client" 2> "$dir/cc.err"; then
        pass "embed $1: the generated code compiles with -Wall -Wextra -Werror -pedantic"
        return 0
    fi
    fail "embed $1: compile failed: $(head -20 "$dir/cc.err")"
    return 1
}

free_port() {
    if command -v python3 > /dev/null; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

# A broker with a plain listener ($PORT) and a TLS listener ($TLS_PORT) that requires a
# client certificate of our CA.
start_tls_broker() {
    local dir
    for _ in 1 2 3 4 5; do
        TLS_PORT=$(free_port)
        dir=$(mktemp -d "$WORK/broker-XXXXXX")
        printf '%s\n' "log_type subscribe" "log_type unsubscribe" \
            "listener $TLS_PORT 127.0.0.1" "cafile $P/ca.crt" "certfile $P/server.crt" \
            "keyfile $P/server.key" "require_certificate true" > "$dir.conf"
        if PORT=$(timeout "$T" "$MQTLS_BROKER_BIN" start "$dir" "$dir.conf" 2> "$dir.err"); then
            BROKER_DIRS+=("$dir")
            BROKER_LOG=$dir/mosquitto.log
            return 0
        fi
    done
    cat "$dir.err" "$dir/mosquitto.log" 2> /dev/null
    die "cannot start a TLS broker"
}
start_tls_broker

# publish_with VARIANT: the compiled client publishes; a mosquitto_sub on the plain listener
# must receive it.
publish_with() {
    local v=$1
    bg "$WORK/sub-$v" msub -i "sub-$v" -t "embed/$v" -C 1 -W 15
    local sub=$BG
    wait_subscribed "sub-$v" "embed/$v" || return
    timeout "$T" "$E/$v/client" localhost "$TLS_PORT" "embed/$v" > "$WORK/run-$v" 2>&1
    local rc=$?
    assert_status 0 "$rc" "embed $v: the client connected over mutual TLS and published ($(cat "$WORK/run-$v"))"
    wait_bg "$sub"
    assert_eq "embedded credentials" "$(cat "$WORK/sub-$v")" "embed $v: the message arrived"
}

# As is: PEM CA, DER certificate, PEM key (the files' own formats).
mkdir -p "$E/asis" "$E/der" "$E/pem" "$E/wrongkey"
run 0 cert embed "$P/ca.crt" "$P/dev1/cert.der" "$P/dev1/private.key" --name creds --out "$E/asis/creds"
build asis && publish_with asis
# --der: every array DER (PEM converted).
run 0 cert embed --der "$P/ca.crt" "$P/dev1/cert.crt" "$P/dev1/private.key" --name creds \
    --out "$E/der/creds"
assert_contains "$OUT" "creds_ca                            $(wc -c < "$P/ca.der") bytes" \
    "embed --der: the CA as DER"
build der && publish_with der
# --pem: DER input converted to PEM (with its NUL).
run 0 cert embed --pem "$P/ca.der" "$P/rsa1/cert.der" "$P/rsa1/private.der" --name creds \
    --out "$E/pem/creds"
assert_contains "$OUT" "creds_cert                          $(($(wc -c < "$P/rsa1/cert.crt") + 1)) bytes" \
    "embed --pem: DER certificate as PEM + NUL"
build pem && publish_with pem
# A key that does not belong to the certificate: the same program must fail.
run 0 cert embed "$P/ca.crt" "$P/dev1/cert.crt" "$P/rsa1/private.key" --name creds --out "$E/wrongkey/creds"
if build wrongkey; then
    timeout "$T" "$E/wrongkey/client" localhost "$TLS_PORT" embed/wrong > "$WORK/run-wrong" 2>&1
    rc=$?
    assert_status 1 "$rc" "embed: a wrong key is refused by the client"
    assert_contains "$(cat "$WORK/run-wrong")" "TLS setup" "embed: ... at TLS setup"
fi

finish
