#!/bin/sh
# device_pki.sh DIR: the certificates of the device heap table (bench_devheap.c).
#
# Per family (rsa: RSA-2048, ec: P-256) a root, an intermediate and a server leaf; the server
# sends leaf + intermediate (server-chain.crt), as AWS IoT Core and most brokers do, so the
# device parses and verifies two certificates against one trusted root. The device key is
# P-256 in both families (what a device makes in its secure element), its certificate issued
# by that family's root. openssl's command line, so the bench does not measure its own PKI code.
set -eu
d=$1

key() { # FILE FAMILY
    if [ "$2" = rsa ]; then
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2> /dev/null
    else
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2> /dev/null
    fi
}

issue() { # DIR NAME SUBJECT ISSUER EXTENSIONS
    openssl req -new -key "$1/$2.key" -subj "$3" -out "$1/$2.csr" 2> /dev/null
    printf '%b' "$5" > "$1/$2.ext"
    openssl x509 -req -in "$1/$2.csr" -CA "$1/$4.crt" -CAkey "$1/$4.key" -set_serial "0x$(openssl rand -hex 8)" \
        -days 30 -sha256 -extfile "$1/$2.ext" -out "$1/$2.crt" 2> /dev/null
}

for fam in rsa ec; do
    f=$d/$fam
    mkdir -p "$f"
    key "$f/root.key" $fam
    openssl req -new -x509 -key "$f/root.key" -subj "/CN=mqtls bench $fam root" -days 30 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$f/root.crt" 2> /dev/null
    key "$f/inter.key" $fam
    issue "$f" inter "/CN=mqtls bench $fam intermediate" root \
        'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n'
    key "$f/leaf.key" $fam
    issue "$f" leaf "/CN=localhost" inter \
        'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n'
    cat "$f/leaf.crt" "$f/inter.crt" > "$f/server-chain.crt"
    key "$f/dev.key" ec
    issue "$f" dev "/CN=bench-device" root 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n'
done
