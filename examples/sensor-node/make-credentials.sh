#!/usr/bin/env bash
# Regenerates credentials.c/.h: a throwaway CA and device certificate made by `mqtls pki`,
# embedded (DER) by `mqtls cert embed`. For a real device, embed your own files instead:
#   mqtls cert embed ca.crt cert.crt private.key --der --name sensor --out credentials
# Usage: MQTLS_BIN=path/to/mqtls examples/sensor-node/make-credentials.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mqtls=${MQTLS_BIN:-mqtls}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$mqtls" pki init pki --cn "sensor-node example CA (throwaway)" >/dev/null
"$mqtls" pki device pki sensor-node-1 >/dev/null
"$mqtls" cert embed pki/ca.der pki/sensor-node-1/cert.der pki/sensor-node-1/private.der \
    --name sensor --out credentials 2>/dev/null
note='/* THROWAWAY EXAMPLE CREDENTIALS: a CA and device certificate made by `mqtls pki` for
 * this example only (examples/sensor-node/make-credentials.sh); the private key below is
 * public, so no broker must ever trust this CA. Replace these files with your own
 * (`mqtls cert embed ... --der --name sensor --out credentials`) and keep real keys out
 * of version control. */'
for f in credentials.h credentials.c; do
    { printf '%s\n' "$note"; cat "$f"; } >"$here/$f"
    chmod 0644 "$here/$f"
done
echo "wrote $here/credentials.h and $here/credentials.c"
