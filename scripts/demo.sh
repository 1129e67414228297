#!/usr/bin/env bash
# The mqtls demo: the device scenario done right. A local PKI (`mqtls pki`) issues a broker
# certificate and device certificates; a private mosquitto accepts MQTT over TLS only from
# clients with a certificate of that CA (and takes the certificate's CN as the user name);
# a subscriber and a device connect over mutual TLS, the device with DER credentials as a
# microcontroller would hold them, and publishes telemetry at QoS 1. A device with a
# certificate from another CA is turned away. Everything runs on 127.0.0.1, in a temporary
# directory, and is stopped and removed on exit. Exits 1 unless every reading arrived.
#
# Environment: MQTLS_BIN (default build/tools/mqtls), MQTLS_BROKER_BIN (default
# build/tests/mqtls_test_broker), DEMO_READINGS (10), DEMO_INTERVAL (seconds, 0.5).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mqtls=${MQTLS_BIN:-$root/build/tools/mqtls}
broker_tool=${MQTLS_BROKER_BIN:-$root/build/tests/mqtls_test_broker}
readings=${DEMO_READINGS:-10}
interval=${DEMO_INTERVAL:-0.5}
device=sensor-01
filter='devices/+/telemetry'
topic="devices/$device/telemetry"

for bin in "$mqtls" "$broker_tool"; do
  if [[ ! -x $bin ]]; then
    echo "demo: $bin is missing: run 'make demo' (it builds the tool and the broker launcher)" >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mqtls-demo.XXXXXX")
pki=$work/pki
received=$work/received
sub_pid=""
log_pid=""

cleanup() {
  local p
  for p in $sub_pid $log_pid; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  "$broker_tool" stop "$work/broker" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Line-buffered output, so that each line shows up when it happens, not at exit.
line_buffered=()
if command -v stdbuf >/dev/null 2>&1; then
  line_buffered=(stdbuf -oL)
fi

# prefix TAG: prints each input line after "[TAG]", aligned.
prefix() {
  local line
  while IFS= read -r line; do
    printf '%-12s %s\n' "[$1]" "$line"
  done
}

make_pki() {
  echo "[pki]        a local CA, a broker certificate and device certificates in $pki"
  "$mqtls" pki init "$pki" --cn "demo fleet CA" >/dev/null
  "$mqtls" pki server "$pki" --name localhost --ip 127.0.0.1 >/dev/null
  "$mqtls" pki device "$pki" "$device" >/dev/null
  "$mqtls" pki device "$pki" dashboard >/dev/null
  # A device whose certificate comes from a CA the broker does not know.
  "$mqtls" pki init "$work/rogue" --cn "rogue CA" >/dev/null
  "$mqtls" pki device "$work/rogue" intruder >/dev/null
  echo "[pki]        $device: cert.der + private.der (DER, as a device stores them)"
  echo "[pki]        dashboard: cert.crt + private.key (PEM)"
}

# A TCP port nobody listens on (the broker start is retried if it is taken meanwhile).
pick_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}

start_broker() {
  for _ in 1 2 3 4 5; do
    tls_port=$(pick_port)
    cat >"$work/extra.conf" <<EOF
log_type subscribe
listener $tls_port 127.0.0.1
cafile $pki/ca.crt
certfile $pki/server.crt
keyfile $pki/server.key
require_certificate true
use_identity_as_username true
EOF
    if plain_port=$("$broker_tool" start "$work/broker" "$work/extra.conf" 2>"$work/broker.err"); then
      echo "[broker]     private mosquitto: MQTT over TLS on 127.0.0.1:$tls_port, client" \
        "certificates of 'demo fleet CA' required, CN = user name"
      echo "[broker]     (its plain listener on 127.0.0.1:$plain_port is not used)"
      return 0
    fi
    "$broker_tool" stop "$work/broker" >/dev/null 2>&1 || true
  done
  cat "$work/broker.err" >&2
  echo "[broker]     could not start mosquitto" >&2
  return 1
}

# What the broker logs about connections and subscriptions, in a few words.
show_broker() {
  local line
  while IFS= read -r line; do
    line=${line#*: }
    case $line in
      "New client connected from"*) printf '%-12s %s\n' "[broker]" "${line/New client connected/client connected}" ;;
      "OpenSSL Error"*|*"certificate verify failed"*) printf '%-12s %s\n' "[broker]" "refused: $line" ;;
      "$subscriber_id "[0-2]" "*) printf '%-12s %s\n' "[broker]" "${line%% *} subscribed to ${line##* }" ;;
    esac
  done
}

watch_broker_log() {
  tail -n +1 -F "$work/broker/mosquitto.log" 2>/dev/null > >(show_broker) &
  log_pid=$!
}

# Shows the subscriber's lines and keeps them for the final count.
show_subscriber() {
  local line
  while IFS= read -r line; do
    printf '%-12s %s\n' "[subscriber]" "$line"
    printf '%s\n' "$line" >>"$received"
  done
}

subscriber_id=dashboard
start_subscriber() {
  echo "[subscriber] $subscriber_id subscribes to $filter over mutual TLS (PEM certificate)"
  : >"$received"
  "${line_buffered[@]}" "$mqtls" sub -h localhost -p "$tls_port" -i "$subscriber_id" \
    --cafile "$pki/ca.crt" --cert "$pki/dashboard/cert.crt" --key "$pki/dashboard/private.key" \
    -t "$filter" -q 1 -v > >(show_subscriber) 2> >(prefix subscriber) &
  sub_pid=$!
  local i
  for ((i = 0; i < 100; i++)); do
    if grep -qF -- "$subscriber_id 1 $filter" "$work/broker/mosquitto.log" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$sub_pid" 2>/dev/null; then
      echo "[subscriber] exited before subscribing" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "[subscriber] no subscription after 10 s" >&2
  return 1
}

# One JSON reading: plausible indoor values that drift a little.
reading() {
  local seq=$1
  local temp=$((2150 + RANDOM % 100 - 50)) # hundredths of a degree Celsius
  local hum=$((450 + RANDOM % 100))        # tenths of a percent
  printf '{"device":"%s","seq":%d,"temperature":%d.%02d,"humidity":%d.%d,"timestamp":%s}' \
    "$device" "$seq" $((temp / 100)) $((temp % 100)) $((hum / 10)) $((hum % 10)) "$(date +%s)"
}

# The readings, one per line (the device sends each line as a message); each is announced.
readings_stream() {
  local seq payload
  for ((seq = 1; seq <= readings; seq++)); do
    payload=$(reading "$seq")
    printf '%-12s %s\n' "[device]" "reading $seq/$readings: $payload" >&3
    printf '%s\n' "$payload"
    sleep "$interval"
  done
}

# The device's -d output, cut down to the handshake's outcome and the acknowledgements.
show_device() {
  local line evidence=0
  while IFS= read -r line; do
    case $line in
      "TLS handshake with"*) evidence=1 ;;
      "TLS connecting"*|"Client "*) evidence=0 ;;
    esac
    case $line in
      "TLS handshake with"*) printf '%-12s %s\n' "[device]" "$line" ;;
      "    version:"*|"    cipher suite:"*|"    client cert:"*|"    verification:"*)
        ((evidence)) && printf '%-12s %s\n' "[device]" "$line" ;;
      *"received CONNACK"*|*"received PUBACK"*)
        printf '%-12s %s\n' "[device]" "${line#"Client $device "}" ;;
    esac
  done
}

run_device() {
  echo "[device]     $device connects over mutual TLS with DER credentials (cert.der," \
    "private.der, ca.der) and publishes $readings readings to $topic at QoS 1"
  local rc=0
  readings_stream | "$mqtls" pub -h localhost -p "$tls_port" -i "$device" \
    --cafile "$pki/ca.der" --cert "$pki/$device/cert.der" --key "$pki/$device/private.der" \
    -t "$topic" -q 1 -l -d 2> >(prefix device) | show_device || rc=$?
  if ((rc != 0)); then
    echo "[device]     mqtls pub failed (exit $rc)"
  fi
}

run_intruder() {
  echo "[intruder]   a device with a certificate of 'rogue CA' tries the same:"
  if "$mqtls" pub -h localhost -p "$tls_port" -i intruder --cafile "$pki/ca.crt" \
    --cert "$work/rogue/intruder/cert.crt" --key "$work/rogue/intruder/private.key" \
    -t "devices/intruder/telemetry" -m '{"fake":true}' 2>&1 | prefix intruder; then
    :
  fi
}

count_arrived() {
  grep -cF -- "$topic " "$received" 2>/dev/null || true
}

exec 3>&1 # the script's own output, for lines written inside pipelines

make_pki
start_broker
watch_broker_log
start_subscriber
run_device

# QoS 1 readings may still be on their way: wait up to 5 s for the last ones.
for ((i = 0; i < 50 && $(count_arrived) < readings; i++)); do
  sleep 0.1
done
run_intruder
sleep 0.3 # let the broker's log catch up
arrived=$(count_arrived)
echo "$arrived of $readings readings arrived over mutual TLS"
((arrived == readings))
