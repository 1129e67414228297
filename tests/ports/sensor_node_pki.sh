#!/usr/bin/env bash
# Credentials for tests/ports/test_sensor_node_lwip.c, made at build time because the
# firmware links them as a firmware does (credentials.c from `mqtls cert embed`):
#   DIR/pki/          a CA, the broker's certificate (localhost, 10.0.0.1: the firmware
#                     reaches it at lwIP's address) and the device's (sensor-node-1)
#   DIR/credentials.c/.h  the CA and the device's certificate and key as C arrays (DER)
# Usage: sensor_node_pki.sh DIR MQTLS_TOOL
set -euo pipefail
dir=${1:?output directory}
mqtls=${2:?the mqtls tool}
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
"$mqtls" pki init pki --cn "sensor-node test CA" >/dev/null
"$mqtls" pki server pki --name localhost --ip 10.0.0.1 --days 3650 >/dev/null
"$mqtls" pki device pki sensor-node-1 --days 3650 >/dev/null
"$mqtls" cert embed pki/ca.der pki/sensor-node-1/cert.der pki/sensor-node-1/private.der \
  --name sensor --out credentials >/dev/null
