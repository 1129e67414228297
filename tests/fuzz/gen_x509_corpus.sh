#!/usr/bin/env bash
# Rewrites the seed corpus of fuzz_x509 (tests/fuzz/corpus/x509/): certificates and keys made
# by `mqtls pki` (EC and RSA, with DNS and IP subjectAltNames, serverAuth/clientAuth), the DER
# and PEM forms of each, a bundle, a CSR, and encrypted keys (traditional PEM and PKCS#8),
# converted by openssl; made by openssl alone: an Ed25519 key and certificate, and a
# certificate with every subjectAltName type (directoryName and otherName included). Keys and serials are random: the files differ on every run.
#
#   tests/fuzz/gen_x509_corpus.sh [MQTLS_BIN]      (default: build/tools/mqtls)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mqtls=${1:-${MQTLS_BIN:-$here/../../build/tools/mqtls}}
out=$here/corpus/x509
command -v openssl >/dev/null || { echo "openssl is needed" >&2; exit 1; }
[ -x "$mqtls" ] || { echo "no mqtls binary at $mqtls" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q() { "$@" >/dev/null 2>&1; }

q "$mqtls" pki init "$tmp/ca" --not-before 2025-01-01 --days 3650
q "$mqtls" pki server "$tmp/ca" --name broker.local --name '*.example.com' --ip 127.0.0.1 \
    --ip ::1 --not-before 2025-01-01
q "$mqtls" pki device "$tmp/ca" dev-ec --not-before 2025-01-01
q "$mqtls" pki device "$tmp/ca" dev-rsa --rsa 2048 --not-before 2025-01-01

mkdir -p "$out"
rm -f "$out"/seed_*
cp "$tmp/ca/ca.der" "$out/seed_ca.der"
cp "$tmp/ca/ca.crt" "$out/seed_ca.pem"
cp "$tmp/ca/ca.key" "$out/seed_ca_key.pem"
cp "$tmp/ca/server.crt" "$out/seed_server_san.pem"
openssl x509 -in "$tmp/ca/server.crt" -outform der -out "$out/seed_server_san.der"
cp "$tmp/ca/server.key" "$out/seed_server_key.pem"
cp "$tmp/ca/dev-ec/cert.der" "$out/seed_device_ec.der"
cp "$tmp/ca/dev-ec/private.der" "$out/seed_device_ec_key.der"
cp "$tmp/ca/dev-ec/public.key" "$out/seed_device_ec_pub.pem"
cp "$tmp/ca/dev-rsa/cert.der" "$out/seed_device_rsa.der"
cp "$tmp/ca/dev-rsa/private.der" "$out/seed_device_rsa_key.der"
openssl rsa -in "$tmp/ca/dev-rsa/private.key" -traditional -out "$out/seed_rsa_pkcs1.pem" \
    2>/dev/null
openssl rsa -in "$tmp/ca/dev-rsa/private.key" -RSAPublicKey_out -outform der \
    -out "$out/seed_rsa_pub_pkcs1.der" 2>/dev/null
openssl pkey -in "$tmp/ca/dev-ec/private.key" -outform der -out "$out/seed_ec_pkcs8.der"
# A bundle: certificate, chain, key, and a block we do not use.
cat "$tmp/ca/dev-ec/cert.crt" "$tmp/ca/ca.crt" "$tmp/ca/dev-ec/private.key" \
    > "$out/seed_bundle.pem"
printf -- '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n' \
    >> "$out/seed_bundle.pem"
# A CSR, and encrypted keys (traditional PEM with the passphrase "fuzz", PKCS#8 AES and 3DES).
openssl req -new -key "$tmp/ca/dev-ec/private.key" -subj /CN=dev -out "$out/seed_csr.pem"
openssl ec -in "$tmp/ca/dev-ec/private.key" -aes128 -passout pass:fuzz \
    -out "$out/seed_ec_trad_enc.pem" 2>/dev/null
openssl pkcs8 -topk8 -in "$tmp/ca/dev-ec/private.key" -v2 aes-256-cbc -iter 1 \
    -passout pass:fuzz -out "$out/seed_ec_pkcs8_aes.pem"
openssl pkcs8 -topk8 -in "$tmp/ca/dev-ec/private.key" -v1 PBE-SHA1-3DES -iter 1 \
    -passout pass:fuzz -outform der -out "$out/seed_ec_pkcs8_3des.der"
openssl genpkey -algorithm ed25519 -out "$out/seed_ed25519_key.pem"
openssl req -x509 -key "$out/seed_ed25519_key.pem" -subj /CN=ed -days 3650 -outform der \
    -out "$out/seed_ed25519.der"
printf '%s\n' '[req]' 'distinguished_name = dn' 'x509_extensions = v3' '[dn]' '[v3]' \
    'subjectAltName = @alt' '[alt]' 'DNS.1 = a.example' 'IP.1 = 10.0.0.1' 'IP.2 = ::1' \
    'email.1 = ops@example.com' 'URI.1 = https://example.com/x' 'RID.1 = 1.2.3.4' \
    'dirName.1 = dir_sect' 'otherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:upn@example' \
    '[dir_sect]' 'CN = dir-name' > "$tmp/san.cnf"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj /CN=san -days 3650 -config "$tmp/san.cnf" -out "$out/seed_san_all.pem" 2>/dev/null
chmod 644 "$out"/seed_*
ls "$out"/seed_* | wc -l
