#!/usr/bin/env bash
# `mqtls awslocal`: a real mosquitto started by `awslocal up` on a free port, driven by
# mosquitto's own clients (an independent client) and by mqtls pub/sub with a thing's files.
# The policy closes a thing that touches another thing's topics (AWS IoT's way), a duplicate
# client id takes the session over, only certificates of DIR's root get in, SIGTERM stops
# everything, and mosquitto's failures are reported in words.
. "$(dirname "$0")/lib.sh"

for bin in mosquitto mosquitto_pub mosquitto_sub; do
    command -v "$bin" > /dev/null || { echo "SKIP: $bin is not installed"; exit 77; }
done
[ -f "$(dirname "$MQTLS_BIN")/awslocal_plugin.so" ] ||
    { echo "SKIP: the awslocal plugin was not built (mosquitto-dev missing)"; exit 77; }

D=$WORK/aws
# Run as root, mosquitto drops to the user mosquitto: the scratch directory (mode 0700) must
# let it through to DIR.
if [ "$(id -u)" -eq 0 ]; then
    chmod o+x "$WORK"
    mkdir -m 700 "$WORK/closed"
    expect 1 "cannot reach" awslocal up "$WORK/closed/aws" --port "$(free_port)"
fi
UP_PIDS=()
stop_ups() {
    local p
    for p in "${UP_PIDS[@]}"; do kill "$p" 2> /dev/null; done
    cleanup
}
trap stop_ups EXIT

# up_at DIR OUT: `awslocal up DIR` on a free port (PORT) in the background (UP); waits for
# its `ready` line. Retries when the port was taken meanwhile.
up_at() {
    local i
    for i in 1 2 3 4 5; do
        PORT=$(free_port)
        timeout 300 "$MQTLS_BIN" awslocal up "$1" --port "$PORT" > "$2" 2> "$2.err" &
        UP=$!
        UP_PIDS+=("$UP")
        for _ in $(seq 1 300); do
            grep -qx ready "$2" 2> /dev/null && return 0
            kill -0 "$UP" 2> /dev/null || break
            sleep 0.05
        done
        grep -q "already in use" "$2.err" || break
    done
    cat "$2.err" "$1/mosquitto.log" 2> /dev/null
    die "awslocal up $1 never said ready"
}

# As a thing (or the claim): mosquitto's clients with its certificate, trusting DIR's root.
tls_of() { echo "--cafile $D/ca.pem --cert $D/$1/cert.pem --key $D/$1/private.key"; }
apub() { local who=$1; shift; timeout "$T" mosquitto_pub -h localhost -p "$PORT" $(tls_of "$who") "$@"; }
asub() { local who=$1; shift; timeout "$T" mosquitto_sub -h localhost -p "$PORT" $(tls_of "$who") "$@"; }

# ---- bad arguments: exit 2 --------------------------------------------------------------
expect 2 "missing DIR" awslocal up
expect 2 "invalid port" awslocal up "$D" --port 0
expect 2 "unknown option" awslocal up "$D" --bogus
expect 2 "unknown awslocal command" awslocal frob "$D"
expect 2 "missing NAME" awslocal thing add "$D"
expect 2 "invalid thing name" awslocal thing add "$D" 'a/b'
expect 2 "invalid thing name" awslocal thing add "$D" awslocal-claim
expect 2 "needs 'add'" awslocal thing remove "$D" dev1
expect 2 "needs --thing NAME" awslocal job create "$D" --thing dev1
expect 2 "invalid job id" awslocal job create "$D" --thing dev1 --job-id 'a b' --document x
[ -e "$D" ] && fail "a usage error created $D" || pass "usage errors create nothing"

# ---- up: the PKI, the ready line -------------------------------------------------------
up_at "$D" "$WORK/up.out"
BROKER_LOG=$D/mosquitto.log
assert_eq "ready" "$(cat "$WORK/up.out")" "up prints 'ready' alone on a line"
for f in ca.pem ca.key claim/cert.pem claim/private.key broker/cert.pem mosquitto.conf; do
    [ -s "$D/$f" ] && pass "up made $f" || fail "up did not make $f"
done
if [ "$(id -u)" -eq 0 ] && getent passwd mosquitto > /dev/null; then
    assert_eq mosquitto "$(stat -c %U "$D/broker/private.key")" \
        "run as root, the broker's key is mosquitto's (it drops to that user)"
    assert_eq "mosquitto 600" "$(stat -c '%U %a' "$D/ca.key")" \
        "and the root's key (provisioning signs inside mosquitto), mode 0600"
    assert_eq "root 600" "$(stat -c '%U %a' "$D/claim/private.key")" "the claim's key stays root's"
fi

# ---- thing add while up runs -------------------------------------------------------------
RUN="" expect 0 "" awslocal thing add "$D" dev1
mqtls awslocal thing add "$D" dev2 > /dev/null 2>&1
[ -s "$D/things/dev1/cert.pem" ] && [ -s "$D/things/dev1/private.key" ] &&
    pass "thing add made things/dev1/{cert.pem,private.key}" || fail "thing add made no files"
expect 1 "exists already" awslocal thing add "$D" dev1
CN=$(openssl x509 -in "$D/things/dev1/cert.pem" -noout -subject -nameopt RFC2253 2> /dev/null)
assert_contains "$CN" "CN=dev1" "the thing's certificate names it in its CN"

# ---- a thing on its own topics -------------------------------------------------------------
bg "$WORK/own.out" asub things/dev1 -i own-sub -t 'things/dev1/#' -C 1 -v
wait_subscribed own-sub 'things/dev1/#'
apub things/dev1 -t things/dev1/temp -m 21.5 -q 1
assert_status 0 $? "mosquitto_pub as dev1 on things/dev1/temp is acknowledged"
wait_bg "$BG"
assert_eq "things/dev1/temp 21.5" "$(cat "$WORK/own.out")" "mosquitto_sub as dev1 receives it"
apub things/dev1 -t '$aws/things/dev1/shadow/get' -m '{}' -q 1
assert_status 0 $? "dev1 may publish to \$aws/things/dev1/shadow/get"
# The Device Shadow service answers through the plugin, to the subscribers of its topics.
bg "$WORK/shadow.out" asub things/dev1 -i dev1-shadow -t '$aws/things/dev1/shadow/update/accepted' -C 1
wait_subscribed dev1-shadow '$aws/things/dev1/shadow/update/accepted'
apub things/dev1 -t '$aws/things/dev1/shadow/update' -q 1 \
    -m '{"state":{"reported":{"temp":21.5}},"clientToken":"t-1"}'
wait_bg "$BG"
for frag in '"version":1' '"clientToken":"t-1"' '"temp":21.5'; do
    assert_contains "$(cat "$WORK/shadow.out")" "$frag" "the shadow update is accepted with $frag"
done

# ---- another thing's topics close the connection, without an answer ----------------------
bg "$WORK/dev2.out" asub things/dev2 -i dev2-sub -t 'things/dev2/#' -v
wait_subscribed dev2-sub 'things/dev2/#'
apub things/dev1 -i intruder -t things/dev2/temp -m evil -q 1 -d > "$WORK/steal.out" 2>&1
RC=$?
[ "$RC" -ne 0 ] && pass "dev1 publishing to things/dev2/temp fails (exit $RC)" ||
    fail "dev1 published to things/dev2/temp"
assert_contains "$(cat "$WORK/steal.out")" "connection was lost" "mosquitto_pub reports the close"
assert_not_contains "$(cat "$WORK/steal.out")" "PUBACK" "no PUBACK was sent (a plain ACL sends one)"
wait_log "'dev1' (client id 'intruder') may not publish to 'things/dev2/temp'"
wait_log "Client intruder disconnected, not authorised."
apub things/dev1 -V mqttv5 -t things/dev2/temp -m evil -q 1 -d > "$WORK/steal5.out" 2>&1
assert_contains "$(cat "$WORK/steal5.out")" "connection was lost" \
    "MQTT 5: the same publish closes the connection"
assert_not_contains "$(cat "$WORK/steal5.out")" "received PUBACK" "MQTT 5: no PUBACK"
assert_not_contains "$(cat "$WORK/steal5.out")" "received DISCONNECT" \
    "MQTT 5: no DISCONNECT either (AWS sends none)"
apub things/dev1 -i as-dev2 -t '$aws/things/dev2/shadow/update' -m '{}' -q 1 2> /dev/null
[ $? -ne 0 ] && pass "dev1 may not publish to \$aws/things/dev2/shadow/update" ||
    fail "dev1 published to dev2's shadow"
timeout 6 mosquitto_sub -h localhost -p "$PORT" $(tls_of things/dev1) -i dev2 \
    -t things/dev2/temp -d -W 3 > "$WORK/peek.out" 2>&1
assert_not_contains "$(cat "$WORK/peek.out")" "SUBACK" \
    "dev1 (with client id dev2) subscribing to things/dev2/temp gets no SUBACK"
[ "$(grep -c 'sending CONNECT' "$WORK/peek.out")" -ge 2 ] &&
    pass "mosquitto_sub saw the connection closed (it reconnected)" ||
    fail "mosquitto_sub was not disconnected: $(cat "$WORK/peek.out")"
wait_log "'dev1' (client id 'dev2') may not subscribe to 'things/dev2/temp'"
kill "$BG" 2> /dev/null
wait "$BG" 2> /dev/null
assert_eq "" "$(cat "$WORK/dev2.out")" "dev2 received nothing from dev1"

# ---- mqtls pub/sub with the thing's files ----------------------------------------------------
MT="-h localhost -p $PORT --cafile $D/ca.pem --cert $D/things/dev2/cert.pem --key $D/things/dev2/private.key"
bg "$WORK/msub.out" mqtls sub $MT -i mqtls-sub -t 'things/dev2/cmd' -C 1 -v
wait_subscribed mqtls-sub things/dev2/cmd
mqtls pub $MT -t things/dev2/cmd -m reboot -q 1
assert_status 0 $? "mqtls pub as dev2 on its own topic"
wait_bg "$BG"
assert_status 0 "$RC" "mqtls sub as dev2 gets its message"
assert_eq "things/dev2/cmd reboot" "$(cat "$WORK/msub.out")" "mqtls sub prints it"
mqtls sub $MT -t 'things/dev1/#' -W 3 > "$WORK/msub2.out" 2> "$WORK/msub2.err"
assert_contains "$(cat "$WORK/msub2.err")" "connection closed by the peer" \
    "mqtls sub to another thing's topics (things/dev1/#) reports the close"
assert_eq "" "$(cat "$WORK/msub2.out")" "and receives nothing"

# ---- the claim certificate: provisioning topics only ---------------------------------------
apub claim -t '$aws/certificates/create/json' -m '{}' -q 1
assert_status 0 $? "the claim may publish to \$aws/certificates/create/json"
apub claim -t things/dev1/temp -m x -q 1 2> /dev/null
[ $? -ne 0 ] && pass "the claim may not publish to a thing's topic" ||
    fail "the claim published to things/dev1/temp"

# ---- Fleet Provisioning through the plugin: the claim gets a certificate and a thing, the
# answers come to the requesting connection alone (mosquitto_rr publishes and waits on one
# connection), and the new certificate acts as the new thing whatever its CN -----------------
rr() { timeout "$T" mosquitto_rr -h localhost -p "$PORT" $(tls_of claim) -W 10 "$@"; }
rr -t '$aws/certificates/create/json' -e '$aws/certificates/create/json/accepted' -m '{}' \
    > "$WORK/create.json" 2> "$WORK/create.err"
assert_status 0 $? "CreateKeysAndCertificate is answered to the claim's connection"
python3 - "$WORK" <<'PY' 2> "$WORK/prov.err"
import json, sys
w = sys.argv[1]
j = json.load(open(w + "/create.json"))
open(w + "/prov.pem", "w").write(j["certificatePem"])
open(w + "/prov.key", "w").write(j["privateKey"])
open(w + "/register.json", "w").write(json.dumps({
    "certificateOwnershipToken": j["certificateOwnershipToken"],
    "parameters": {"ThingName": "prov-1", "SerialNumber": "42"}}))
PY
assert_status 0 $? "the answer holds a certificate, its key and an ownership token"
PROV="--cafile $D/ca.pem --cert $WORK/prov.pem --key $WORK/prov.key"
timeout "$T" mosquitto_pub -h localhost -p "$PORT" $PROV -t things/prov-1/early -m 1 -q 1 2> /dev/null
[ $? -ne 0 ] && pass "before RegisterThing the new certificate may publish nowhere" ||
    fail "an unregistered certificate published to things/prov-1/early"
rr -t '$aws/provisioning-templates/default/provision/json' \
    -e '$aws/provisioning-templates/default/provision/json/accepted' -m "$(cat "$WORK/register.json")" \
    > "$WORK/register.out" 2>&1
assert_contains "$(cat "$WORK/register.out")" '"thingName":"prov-1"' \
    "RegisterThing with the default template names the thing prov-1"
timeout "$T" mosquitto_pub -h localhost -p "$PORT" $PROV -t things/prov-1/hello -m 1 -q 1
assert_status 0 $? "the provisioned certificate publishes to things/prov-1/hello"
timeout "$T" mosquitto_pub -h localhost -p "$PORT" $PROV -t things/dev1/hello -m 1 -q 1 2> /dev/null
[ $? -ne 0 ] && pass "and is closed on another thing's topic" ||
    fail "the provisioned certificate published to things/dev1/hello"
timeout 8 mosquitto_sub -h localhost -p "$PORT" $(tls_of claim) -i snoop \
    -t '$aws/certificates/create/json/accepted' -W 4 > "$WORK/snoop.out" 2>&1 &
SNOOP=$!
wait_subscribed snoop '$aws/certificates/create/json/accepted'
rr -t '$aws/certificates/create/json' -e '$aws/certificates/create/json/accepted' -m '{}' \
    > /dev/null 2>&1
wait "$SNOOP"
assert_not_contains "$(cat "$WORK/snoop.out")" certificatePem \
    "another connection subscribed to the answer topic does not get the private key"

# ---- a duplicate client id takes the session over -------------------------------------------
# The first connection: a few lines of MQTT 3.1.1 that do not reconnect (mosquitto_sub and
# mqtls sub would, and take the session back): a persistent session (clean session 0) with a
# QoS 1 subscription, then it waits for the broker to close the connection.
hold_session() {
    python3 - "$PORT" "$D/ca.pem" "$D/things/dev2/cert.pem" "$D/things/dev2/private.key" <<'PY'
import socket, ssl, sys
port, ca, cert, key = int(sys.argv[1]), *sys.argv[2:5]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
s = ctx.wrap_socket(socket.create_connection(("localhost", port), 10), server_hostname="localhost")
s.settimeout(20)
def packet(kind, body): return bytes([kind, len(body)]) + body
def utf8(t): return len(t).to_bytes(2, "big") + t.encode()
s.sendall(packet(0x10, utf8("MQTT") + bytes([4, 0]) + (60).to_bytes(2, "big") + utf8("dup")))
assert s.recv(4)[:1] == b"\x20", "no CONNACK"
s.sendall(packet(0x82, (1).to_bytes(2, "big") + utf8("things/dev2/a") + b"\x01"))
assert s.recv(5)[:1] == b"\x90", "no SUBACK"
print("subscribed", flush=True)
try:
    print("closed by the broker" if s.recv(1) == b"" else "got data")
except (ConnectionError, ssl.SSLError):
    print("closed by the broker")
PY
}
bg "$WORK/first.out" hold_session
FIRST=$BG
wait_file "$WORK/first.out" subscribed "the first connection never subscribed: $(cat "$WORK/first.out.err")"
bg "$WORK/second.out" asub things/dev2 -i dup -c -q 1 -t things/dev2/b -C 1 -v
SECOND=$BG
wait_log "Client dup already connected, closing old connection."
wait_bg "$FIRST"
assert_eq "subscribed
closed by the broker" "$(cat "$WORK/first.out")" "the first connection with client id dup was closed"
wait_subscribed dup things/dev2/b
apub things/dev2 -t things/dev2/a -m handed-over -q 1
wait_bg "$SECOND"
assert_eq "things/dev2/a handed-over" "$(cat "$WORK/second.out")" \
    "the second connection has the first one's session (its subscription to things/dev2/a)"

# ---- only certificates of DIR's root -------------------------------------------------------
timeout "$T" mosquitto_pub -h localhost -p "$PORT" --cafile "$D/ca.pem" -t things/dev1/x -m x \
    -q 1 > /dev/null 2>&1
[ $? -ne 0 ] && pass "no client certificate: refused" || fail "a client without a certificate got in"
mqtls pki init "$WORK/other" > /dev/null 2>&1 && mqtls pki device "$WORK/other" dev1 > /dev/null 2>&1 ||
    die "cannot make another CA"
timeout "$T" mosquitto_pub -h localhost -p "$PORT" --cafile "$D/ca.pem" \
    --cert "$WORK/other/dev1/cert.crt" --key "$WORK/other/dev1/private.key" -t things/dev1/x \
    -m x -q 1 > /dev/null 2>&1
[ $? -ne 0 ] && pass "a certificate from another CA (same CN): refused" ||
    fail "a certificate from another CA got in"

# ---- job create -------------------------------------------------------------------------------
echo '{"operation":"reboot","delay":5}' > "$WORK/doc.json"
bg "$WORK/notify.out" asub things/dev1 -i dev1-jobs -t '$aws/things/dev1/jobs/notify-next' -C 1
NOTIFY=$BG
wait_subscribed dev1-jobs '$aws/things/dev1/jobs/notify-next'
expect 0 "" awslocal job create "$D" --thing dev1 --job-id job-1 --document "$WORK/doc.json"
wait_bg "$NOTIFY"
assert_contains "$(cat "$WORK/notify.out")" '"jobId":"job-1"' \
    "the running broker announces the new job on \$aws/things/dev1/jobs/notify-next"
JOB=$D/state/jobs/dev1/job-1.json
if python3 -c 'import json,sys; j=json.load(open(sys.argv[1]));
assert j["jobId"]=="job-1" and j["thingName"]=="dev1" and j["status"]=="QUEUED"
assert j["jobDocument"]=={"operation":"reboot","delay":5} and j["versionNumber"]==1
assert j["executionNumber"]==1 and j["queuedAt"]==j["lastUpdatedAt"]>0' "$JOB" 2> "$WORK/job.err"; then
    pass "job create stored the queued execution in state/jobs/dev1/job-1.json"
else
    fail "job file $JOB: $(cat "$WORK/job.err")"
fi
expect 1 "has a job 'job-1' already" awslocal job create "$D" --thing dev1 --job-id job-1 --document "$WORK/doc.json"
echo 'not json' > "$WORK/bad.json"
expect 1 "not a JSON object" awslocal job create "$D" --thing dev1 --job-id job-2 --document "$WORK/bad.json"
[ -e "$D/state/jobs/dev1/job-2.json" ] && fail "a bad document was stored" || pass "a bad document is not stored"

# ---- failures in words ---------------------------------------------------------------------
expect 1 "already in use" awslocal up "$WORK/second" --port "$PORT"
mkdir -p "$WORK/broken"
cp -r "$D/ca.pem" "$D/ca.key" "$D/broker" "$D/claim" "$WORK/broken/"
echo garbage > "$WORK/broken/broker/private.key"
expect 1 "mosquitto stopped" awslocal up "$WORK/broken" --port "$(free_port)"
assert_contains "$ERR" "Error" "and says mosquitto's own reason"

RUN="timeout $T env PATH=/nonexistent $MQTLS_BIN" expect 1 "cannot run mosquitto" \
    awslocal up "$WORK/broken" --port "$(free_port)"

# ---- SIGTERM stops everything -----------------------------------------------------------------
kill -TERM "$UP"
wait "$UP"
assert_status 0 $? "up exits 0 on SIGTERM"
sleep 0.2
pgrep -f "mosquitto -c $D/mosquitto.conf" > /dev/null && fail "mosquitto is still running" ||
    pass "no mosquitto left"

# ---- the state stays in DIR: a second up keeps the root, and the things still connect -----
ROOT_SUM=$(sha256sum < "$D/ca.pem")
up_at "$D" "$WORK/up2.out"
assert_eq "$ROOT_SUM" "$(sha256sum < "$D/ca.pem")" "a second up keeps DIR's root"
apub things/dev1 -t things/dev1/again -m 1 -q 1
assert_status 0 $? "dev1's certificate still connects"
[ -s "$D/state/jobs/dev1/job-1.json" ] && pass "the job is still there" || fail "the job is gone"
kill -TERM "$UP"
wait "$UP"
assert_status 0 $? "the second up exits 0 on SIGTERM"
finish
