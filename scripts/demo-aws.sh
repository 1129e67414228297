#!/usr/bin/env bash
# The mqtls demo, part 2: AWS IoT Core on your desk. `mqtls awslocal up` starts a local
# stand-in for AWS IoT Core (mosquitto with mutual TLS, a policy per thing, the Device Shadow
# service) in a temporary directory on a free port; `awslocal thing add` makes a thing; the
# device (examples/shadow-device: the sensor node's shadow logic on the host) connects with
# the thing's certificate, reports its state to its classic shadow and publishes telemetry;
# a desired-state change made from the command line (mosquitto_pub on the shadow's update
# topic with state.desired, as the AWS console or `aws iot-data update-thing-shadow` would)
# reaches the device as a delta, which it applies and reports back; the shadow read back
# shows desired and reported in sync. The command line uses the thing's own certificate with
# other client ids: awslocal has no IAM side, and a thing's policy lets its certificate use
# its own shadow and topics (on AWS the console's change would come through IAM instead). Everything it starts is stopped, and its directory
# removed, on exit or Ctrl-C. Exits 1, saying which step failed, unless every step worked.
#
# Environment: MQTLS_BIN (default build/tools/mqtls; awslocal_plugin.so is next to it),
# MQTLS_SHADOW_DEVICE_BIN (default build/examples/shadow-device/shadow-device).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mqtls=${MQTLS_BIN:-$root/build/tools/mqtls}
device_bin=${MQTLS_SHADOW_DEVICE_BIN:-$root/build/examples/shadow-device/shadow-device}
thing=sensor-01
desired='{"period_ms":500,"led":true}'

for bin in "$mqtls" "$device_bin"; do
  if [[ ! -x $bin ]]; then
    echo "demo: $bin is missing: run 'make demo' (it builds what the demo runs)" >&2
    exit 1
  fi
done
for bin in mosquitto mosquitto_pub mosquitto_sub mosquitto_rr; do
  command -v "$bin" >/dev/null || {
    echo "demo: $bin is missing: run scripts/bootstrap.sh demo (mosquitto, mosquitto-clients)" >&2
    exit 1
  }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mqtls-demo-aws.XXXXXX")
# Run as root, mosquitto drops to the user mosquitto, which must get through to DIR.
[[ $(id -u) -ne 0 ]] || chmod o+x "$work"
aws=$work/aws
pids=()

cleanup() {
  local p
  # The device and the watchers first, then `awslocal up`, which stops its mosquitto.
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%-10s %s\n' "[$1]" "$2"; }
fail() {
  say demo "FAILED: $1" >&2
  exit 1
}

# follow FILE TAG: prints FILE's lines as they come, after "[TAG]" (stopped at exit).
# The pid kept is tail's: once it is killed, the reader sees the end of its input and ends.
follow() {
  tail -n +1 -F "$1" 2>/dev/null > >(while IFS= read -r line; do say "$2" "$line"; done) &
  pids+=($!)
}

# wait_for FILE PATTERN SECONDS PID: until FILE has a line matching PATTERN (grep -E); false
# when the time passes or PID ends first.
wait_for() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -qE -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { grep -qE -- "$2" "$1" 2>/dev/null; return; }
    sleep 0.1
  done
  return 1
}

# A TCP port nobody listens on (up is retried when it is taken meanwhile).
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

start_awslocal() {
  say awslocal "mqtls awslocal up $aws: a root CA, the broker's certificate, mosquitto"

  for _ in 1 2 3 4 5; do
    port=$(pick_port)
    "$mqtls" awslocal up "$aws" --port "$port" >"$work/up.out" 2>"$work/up.err" &
    up_pid=$!
    pids+=("$up_pid")
    if wait_for "$work/up.out" '^ready$' 30 "$up_pid"; then
      say awslocal "ready on localhost:$port: mutual TLS only, one policy per thing, Device Shadow"
      return 0
    fi
    grep -q "already in use" "$work/up.err" 2>/dev/null || break
  done
  cat "$work/up.err" >&2
  fail "mqtls awslocal up did not start (its log: mosquitto.log in the directory above)"
}

add_thing() {
  "$mqtls" awslocal thing add "$aws" "$thing" >/dev/null 2>"$work/thing.err" ||
    { cat "$work/thing.err" >&2; fail "mqtls awslocal thing add $thing"; }
  say awslocal "thing $thing: its certificate and key in things/$thing/ (CN = $thing)"
  tls=(-h localhost -p "$port" --cafile "$aws/ca.pem" --cert "$aws/things/$thing/cert.pem"
    --key "$aws/things/$thing/private.key")
}

# The cloud side: what arrives on the thing's telemetry topic and the shadow's documents.
watch_cloud() {
  mosquitto_sub "${tls[@]}" -i "$thing-cloud" -t "things/$thing/telemetry" -q 1 \
    >"$work/cloud.out" 2>&1 &
  pids+=($!)
  follow "$work/cloud.out" cloud
}

start_device() {
  say device "connects as $thing with its certificate, reports its shadow, sends telemetry"
  "$device_bin" localhost "$port" "$aws/ca.pem" "$aws/things/$thing/cert.pem" \
    "$aws/things/$thing/private.key" "$thing" 0 60 >"$work/device.out" 2>&1 &
  device_pid=$!
  pids+=("$device_pid")
  follow "$work/device.out" device
  wait_for "$work/device.out" '^reported: ' 15 "$device_pid" ||
    fail "the device did not report its state to its shadow"
  wait_for "$work/device.out" '"seq":2,' 10 "$device_pid" ||
    fail "the device did not publish telemetry"
}

change_desired() {
  say console "sets the desired state $desired: mosquitto_pub on \$aws/things/$thing/shadow/update"
  mosquitto_pub "${tls[@]}" -i "$thing-console" -q 1 -t "\$aws/things/$thing/shadow/update" \
    -m "{\"state\":{\"desired\":$desired}}" || fail "mosquitto_pub of the desired state"
  wait_for "$work/device.out" '^delta received: ' 10 "$device_pid" ||
    fail "no delta reached the device"
  wait_for "$work/device.out" '^reported: .*"period_ms":500,"led":true' 10 "$device_pid" ||
    fail "the device did not apply and report the delta"
  wait_for "$work/cloud.out" '"led":true' 10 "$device_pid" ||
    fail "no telemetry arrived with the new settings"
}

# SIGTERM: the device disconnects cleanly and exits 0.
stop_device() {
  local rc=0
  kill -TERM "$device_pid" 2>/dev/null
  wait "$device_pid" || rc=$?
  ((rc == 0)) || fail "the device ended with exit $rc"
}

# The shadow read back (GetThingShadow over MQTT): desired and reported agree, no delta left.
check_shadow() {
  local doc
  doc=$(mosquitto_rr "${tls[@]}" -i "$thing-check" -t "\$aws/things/$thing/shadow/get" \
    -e "\$aws/things/$thing/shadow/get/accepted" -m '{}' -W 10) || fail "shadow get"
  say console "shadow get: $doc"
  [[ $doc == *'"reported":{"period_ms":500,"led":true}'* ]] ||
    fail "the shadow's reported state is not the desired one"
  [[ $doc != *'"delta"'* ]] || fail "the shadow still has a delta"
}

start_awslocal
add_thing
watch_cloud
start_device
change_desired
check_shadow
stop_device
sleep 0.3 # let the followers print the last lines
n=$(grep -c '"seq":' "$work/cloud.out" || true)
say demo "success: $n telemetry messages arrived over mutual TLS; the desired state reached\
 the device as a delta, was applied and reported back; the shadow is in sync"
