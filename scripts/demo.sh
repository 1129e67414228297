#!/usr/bin/env bash
# The mqtls demo: a "device" publishes telemetry (QoS 1) through a private mosquitto broker
# while a subscriber on devices/+/telemetry shows each reading as it arrives. Everything
# runs on 127.0.0.1 on a free port and is stopped on exit. Exits 1 unless every reading
# arrived.
#
# Environment: MQTLS_BIN (default build/tools/mqtls), MQTLS_BROKER_BIN (default
# build/tests/mqtls_test_broker), DEMO_READINGS (10), DEMO_INTERVAL (seconds, 0.5).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mqtls=${MQTLS_BIN:-$root/build/tools/mqtls}
broker_tool=${MQTLS_BROKER_BIN:-$root/build/tests/mqtls_test_broker}
readings=${DEMO_READINGS:-10}
interval=${DEMO_INTERVAL:-0.5}
filter='devices/+/telemetry'
topic='devices/sensor-01/telemetry'

for bin in "$mqtls" "$broker_tool"; do
  if [[ ! -x $bin ]]; then
    echo "demo: $bin is missing: run 'make build' first" >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mqtls-demo.XXXXXX")
received=$work/received
sub_pid=""

cleanup() {
  if [[ -n $sub_pid ]]; then
    kill "$sub_pid" 2>/dev/null || true
    wait "$sub_pid" 2>/dev/null || true
  fi
  "$broker_tool" stop "$work/broker" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Line-buffered output, so that each message shows up when it arrives, not at exit.
line_buffered=()
if command -v stdbuf >/dev/null 2>&1; then
  line_buffered=(stdbuf -oL)
fi

# Shows the subscriber's lines and keeps them for the final count.
show_subscriber() {
  local line
  while IFS= read -r line; do
    printf '[subscriber] %s\n' "$line"
    printf '%s\n' "$line" >>"$received"
  done
}

start_broker() {
  # Subscriptions are logged, so the demo can tell when the subscriber is ready.
  printf 'log_type subscribe\n' >"$work/extra.conf"
  port=$("$broker_tool" start "$work/broker" "$work/extra.conf")
  echo "[broker] private mosquitto on 127.0.0.1:$port (state in $work/broker)"
}

# Waits (up to 10 s) until the broker has logged the subscription.
wait_for_subscription() {
  local i
  for ((i = 0; i < 100; i++)); do
    if grep -qF -- " $filter" "$work/broker/mosquitto.log"; then
      echo "[broker] subscriber is subscribed to $filter"
      return 0
    fi
    if ! kill -0 "$sub_pid" 2>/dev/null; then
      echo "[subscriber] exited before subscribing" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "[broker] no subscription after 10 s" >&2
  return 1
}

# One JSON reading: plausible indoor values that drift a little.
reading() {
  local seq=$1
  local temp=$((2150 + RANDOM % 100 - 50)) # hundredths of a degree Celsius
  local hum=$((450 + RANDOM % 100))        # tenths of a percent
  printf '{"device":"sensor-01","seq":%d,"temperature":%d.%02d,"humidity":%d.%d,"timestamp":%s}' \
    "$seq" $((temp / 100)) $((temp % 100)) $((hum / 10)) $((hum % 10)) "$(date +%s)"
}

run_device() {
  local seq payload
  for ((seq = 1; seq <= readings; seq++)); do
    payload=$(reading "$seq")
    echo "[device] publishing reading $seq/$readings to $topic (QoS 1): $payload"
    if ! "$mqtls" pub -h 127.0.0.1 -p "$port" -t "$topic" -q 1 -m "$payload" 2>&1 |
      sed 's/^/[device] /'; then
      echo "[device] publish $seq failed"
    fi
    sleep "$interval"
  done
}

count_arrived() {
  grep -cF -- "$topic " "$received" 2>/dev/null || true
}

start_broker
: >"$received"
"${line_buffered[@]}" "$mqtls" sub -h 127.0.0.1 -p "$port" -t "$filter" -v \
  > >(show_subscriber) 2>&1 &
sub_pid=$!
wait_for_subscription
run_device

# QoS 1 readings may still be on their way: wait up to 5 s for the last ones.
for ((i = 0; i < 50 && $(count_arrived) < readings; i++)); do
  sleep 0.1
done
arrived=$(count_arrived)
echo "$arrived of $readings readings arrived"
((arrived == readings))
