#!/usr/bin/env bash
# make_certs.sh - makes the certificates of tests/unit/tls (run once, the output is committed;
# run again only to change them). Test keys only: they protect nothing.
#
#   root.crt        "mqtls unit Root", trusted by the client
#   int.crt         "mqtls unit Intermediate", issued by the root
#   server.key      the server's key (EC P-256), for every server certificate below
#   server.pem      localhost / 127.0.0.1, issued by the intermediate, + int.crt (as sent)
#   expired.pem     the same, valid 2020-01-01 .. 2020-06-30 only, + int.crt
#   other.pem       localhost, issued by "mqtls unit Other Root", + that root (untrusted)
#   client.key      the device's key; client.pem its certificate + int.crt
# Every certificate but the expired one is valid from 2024-01-01 to 2126-01-01 (`openssl
# ca`, which takes any dates, so that no clock sees one as not yet valid). Needs: openssl.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = dflt
[dflt]
dir = $work
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[server_ext]
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
keyUsage = critical,digitalSignature
[client_ext]
extendedKeyUsage = clientAuth
keyUsage = critical,digitalSignature
CNF
touch "$work/index.txt"
echo 1000 > "$work/serial"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign EXTENSIONS SUBJECT KEY OUT [CA CAKEY] [START END]: no CA given: self-signed
sign() {
    local exts=$1 subj=$2 k=$3 out=$4 ca=${5:-} cakey=${6:-}
    local start=${7:-20240101000000Z} end=${8:-21260101000000Z}
    openssl req -new -key "$k" -subj "$subj" -out "$work/csr" 2>/dev/null
    if [ -z "$ca" ]; then
        set -- -selfsign -keyfile "$k"
    else
        set -- -cert "$ca" -keyfile "$cakey"
    fi
    openssl ca -batch -config "$work/ca.cnf" -extensions "$exts" -notext "$@" \
        -startdate "$start" -enddate "$end" -in "$work/csr" -out "$out" 2>/dev/null
}

key "$work/root.key"; key "$work/int.key"; key "$work/other.key"
key server.key; key client.key
sign ca_ext "/CN=mqtls unit Root" "$work/root.key" root.crt
sign ca_ext "/CN=mqtls unit Intermediate" "$work/int.key" int.crt root.crt "$work/root.key"
sign server_ext "/CN=localhost" server.key "$work/server.crt" int.crt "$work/int.key"
cat "$work/server.crt" int.crt > server.pem
sign server_ext "/CN=localhost" server.key "$work/expired.crt" int.crt "$work/int.key" \
    20200101000000Z 20200630000000Z
cat "$work/expired.crt" int.crt > expired.pem
sign client_ext "/CN=mqtls unit device" client.key "$work/client.crt" int.crt "$work/int.key"
cat "$work/client.crt" int.crt > client.pem
sign ca_ext "/CN=mqtls unit Other Root" "$work/other.key" "$work/other_root.crt"
sign server_ext "/CN=localhost" server.key "$work/other.crt" "$work/other_root.crt" \
    "$work/other.key"
cat "$work/other.crt" "$work/other_root.crt" > other.pem
