#!/usr/bin/env bash
# The device commands of AWS IoT (`mqtls shadow`, `mqtls jobs`, `mqtls provision`) against a
# real `mqtls awslocal up` (a mosquitto with the awslocal plugin) on a free port, with the
# things' certificates; mosquitto_pub plays the cloud side where one is needed.
. "$(dirname "$0")/lib.sh"

for bin in mosquitto mosquitto_pub mosquitto_sub; do
    command -v "$bin" > /dev/null || { echo "SKIP: $bin is not installed"; exit 77; }
done
[ -f "$(dirname "$MQTLS_BIN")/awslocal_plugin.so" ] ||
    { echo "SKIP: the awslocal plugin was not built (mosquitto-dev missing)"; exit 77; }

D=$WORK/aws
[ "$(id -u)" -eq 0 ] && chmod o+x "$WORK" # mosquitto, dropping root, must reach DIR
UP=""
stop_up() { [ -n "$UP" ] && kill "$UP" 2> /dev/null; cleanup; }
trap stop_up EXIT

# ---- bad flags: exit 2, before anything connects ------------------------------------------
expect 2 "unknown shadow command" shadow frob --thing dev1
expect 2 "--thing is required" shadow get
expect 2 "invalid --thing" shadow get --thing 'a/b'
expect 2 "update needs -m" shadow update --thing dev1
expect 2 "-m is not valid JSON" shadow update --thing dev1 -m '{nope'
expect 2 "has no \"state\"" shadow update --thing dev1 -m '{"desired":{}}'
expect 2 "invalid --name" shadow get --thing dev1 --name 'a b'
expect 2 "unknown option" shadow get --thing dev1 --bogus
expect 2 "needs --job-id and --status" jobs update --thing dev1 --job-id j1
expect 2 "invalid --status" jobs update --thing dev1 --job-id j1 --status DONE
expect 2 "--details must be a JSON object" jobs update --thing dev1 --job-id j1 --status FAILED --details '[1]'
expect 2 "watch needs --run" jobs watch --thing dev1
expect 2 "unknown jobs command" jobs frob --thing dev1
expect 2 "needs --template" provision --out "$WORK/x"
expect 2 "invalid --param" provision --template default --param novalue --insecure --claim-cert c --claim-key k --out "$WORK/x"
expect 2 "invalid port" shadow get --thing dev1 -p 0
expect 2 "-C is for shadow watch only" shadow get --thing dev1 -C 1 --insecure
expect 0 "" shadow --help
assert_contains "$(cat "$WORK/out")" "--cafile" "shadow --help lists the connection flags too"

# ---- awslocal up, two things ----------------------------------------------------------------
for _ in 1 2 3 4 5; do
    PORT=$(free_port)
    timeout 300 "$MQTLS_BIN" awslocal up "$D" --port "$PORT" > "$WORK/up.out" 2> "$WORK/up.log" &
    UP=$!
    for _ in $(seq 1 300); do
        grep -qx ready "$WORK/up.out" 2> /dev/null && break
        kill -0 "$UP" 2> /dev/null || break
        sleep 0.05
    done
    grep -qx ready "$WORK/up.out" && break
    grep -q "already in use" "$WORK/up.log" || break
done
grep -qx ready "$WORK/up.out" || { cat "$WORK/up.log"; die "awslocal up never said ready"; }
BROKER_LOG=$D/mosquitto.log
mqtls awslocal thing add "$D" dev1 > /dev/null || die "thing add dev1"
mqtls awslocal thing add "$D" dev2 > /dev/null || die "thing add dev2"
as() { echo "-p $PORT --cafile $D/ca.pem --cert $D/things/$1/cert.pem --key $D/things/$1/private.key"; }

# ---- shadow update / get / delete -----------------------------------------------------------
expect 0 "" shadow update --thing dev1 $(as dev1) -m '{"state":{"reported":{"temp":21}}}'
OUT=$(cat "$WORK/out")
assert_contains "$OUT" '"version":1' "shadow update prints the accepted document (version 1)"
assert_contains "$OUT" '"reported":{"temp":21}' "... with the reported state"
assert_contains "$OUT" '"clientToken":"mqtls-' "... and the clientToken it sent"
expect 0 "" shadow get --thing dev1 $(as dev1)
assert_contains "$(cat "$WORK/out")" '"reported":{"temp":21}' "shadow get prints the document"
expect 0 "" shadow get --thing dev1 $(as dev1) -d
assert_contains "$(cat "$WORK/out")" "sending SUBSCRIBE" "-d prints the packets (the SUBSCRIBE first)"
assert_contains "$(cat "$WORK/out")" '"reported":{"temp":21}' "... and the answer after them"
# A connection flag's value is its own, even when it reads like a shadow flag.
expect 0 "" shadow get --thing dev1 $(as dev1) -i --name
assert_contains "$(cat "$WORK/out")" '"reported":{"temp":21}' "-i --name is a client id, not a named shadow"
# A version that is not the shadow's: 409 (device-shadow-error-messages.html).
expect 5 "409: Version conflict" shadow update --thing dev1 $(as dev1) \
    -m '{"state":{"reported":{"temp":22}},"version":7}'
expect 0 "" shadow update --thing dev1 --name cfg $(as dev1) -m '{"state":{"desired":{"rate":5}}}'
assert_contains "$(cat "$WORK/out")" '"version":1' "a named shadow has its own version"
expect 0 "" shadow delete --thing dev1 $(as dev1)
assert_contains "$(cat "$WORK/out")" '"version":' "shadow delete prints the accepted answer"
expect 5 "404" shadow get --thing dev1 $(as dev1)
assert_contains "$ERR" "No shadow exists with name: dev1" "a deleted shadow's get is rejected with AWS's message"

# ---- shadow watch: a desired change made with mosquitto_pub arrives as a delta -------------
bg "$WORK/watch.out" "$MQTLS_BIN" shadow watch --thing dev2 $(as dev2) -i dev2-watch -C 1 -W 20
WATCH=$BG
wait_subscribed dev2-watch '$aws/things/dev2/shadow/update/delta'
timeout "$T" mosquitto_pub -h localhost -p "$PORT" --cafile "$D/ca.pem" \
    --cert "$D/things/dev2/cert.pem" --key "$D/things/dev2/private.key" -q 1 \
    -t '$aws/things/dev2/shadow/update' -m '{"state":{"desired":{"color":"red"}}}'
wait_bg "$WATCH"
assert_status 0 "$RC" "shadow watch -C 1 exits after one delta"
assert_contains "$(cat "$WORK/watch.out")" '"state":{"color":"red"}' "watch prints the delta document"

# A named shadow's deltas, and only its own.
bg "$WORK/nwatch.out" "$MQTLS_BIN" shadow watch --thing dev2 --name cfg $(as dev2) -i dev2-nw -C 1 -W 20
NW=$BG
wait_subscribed dev2-nw '$aws/things/dev2/shadow/name/cfg/update/delta'
expect 0 "" shadow update --thing dev2 $(as dev2) -m '{"state":{"desired":{"color":"green"}}}'
expect 0 "" shadow update --thing dev2 --name cfg $(as dev2) -m '{"state":{"desired":{"rate":6}}}'
wait_bg "$NW"
assert_eq '{"rate":6}' "$(python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["state"],separators=(",",":")))' < "$WORK/nwatch.out")" \
    "watch --name prints the named shadow's delta, not the classic one's"

# ---- jobs -----------------------------------------------------------------------------------
echo '{"operation":"echo","v":1}' > "$WORK/j1.json"
mqtls awslocal job create "$D" --thing dev1 --job-id j1 --document "$WORK/j1.json" > /dev/null ||
    die "job create j1"
expect 0 "" jobs next --thing dev1 $(as dev1)
assert_contains "$(cat "$WORK/out")" '"jobId":"j1"' "jobs next prints the next pending job"
assert_contains "$(cat "$WORK/out")" '"status":"QUEUED"' "... still QUEUED (DescribeJobExecution \$next)"
expect 0 "" jobs next --thing dev1 --start $(as dev1)
assert_contains "$(cat "$WORK/out")" '"status":"IN_PROGRESS"' "jobs next --start starts it"
expect 0 "" jobs update --thing dev1 --job-id j1 --status SUCCEEDED --details '{"note":"done"}' $(as dev1)
assert_contains "$(cat "$WORK/out")" '"clientToken":"mqtls-' "jobs update prints the accepted answer"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1]));
assert j["status"]=="SUCCEEDED" and j["statusDetails"]=={"note":"done"}, j' "$D/state/jobs/dev1/j1.json" 2> "$WORK/py.err"
assert_status 0 $? "the service stored SUCCEEDED with --details ($(cat "$WORK/py.err"))"
expect 5 "InvalidStateTransition" jobs update --thing dev1 --job-id j1 --status FAILED $(as dev1)
expect 0 "" jobs next --thing dev1 $(as dev1)
assert_not_contains "$(cat "$WORK/out")" '"execution"' "no job pending: no execution"

# jobs watch --run: one job already queued, one created while it waits; the first command
# succeeds, the second fails with status 3.
echo '{"ok":true}' > "$WORK/good.json"
echo '{"ok":false}' > "$WORK/bad.json"
mqtls awslocal job create "$D" --thing dev1 --job-id good --document "$WORK/good.json" > /dev/null
cat > "$WORK/handler.sh" <<'SH'
#!/bin/sh
cat > "$HANDLER_DIR/$MQTLS_JOB_ID.stdin"
printf '%s' "$MQTLS_JOB_DOCUMENT" > "$HANDLER_DIR/$MQTLS_JOB_ID.env"
grep -q '"ok":true' "$HANDLER_DIR/$MQTLS_JOB_ID.stdin" || exit 3
SH
chmod +x "$WORK/handler.sh"
HANDLER_DIR=$WORK bg "$WORK/jw.out" env HANDLER_DIR="$WORK" "$MQTLS_BIN" jobs watch --thing dev1 \
    $(as dev1) -i dev1-jw --run "$WORK/handler.sh" -C 2 -W 30
JW=$BG
wait_file "$WORK/jw.out" "good SUCCEEDED" "jobs watch ran the queued job and reported SUCCEEDED"
mqtls awslocal job create "$D" --thing dev1 --job-id bad --document "$WORK/bad.json" > /dev/null
wait_bg "$JW"
assert_status 0 "$RC" "jobs watch -C 2 exits after two jobs"
assert_contains "$(cat "$WORK/jw.out")" "bad FAILED" "a command that exits 3 is reported FAILED"
assert_eq '{"ok":true}' "$(cat "$WORK/good.stdin" | tr -d ' \n')" "the job document is on the command's stdin"
assert_eq '{"ok":true}' "$(tr -d ' ' < "$WORK/good.env")" "... and in MQTLS_JOB_DOCUMENT"
python3 - "$D/state/jobs/dev1" <<'PY' > "$WORK/py.out" 2>&1
import json, sys
g = json.load(open(sys.argv[1] + "/good.json"))
b = json.load(open(sys.argv[1] + "/bad.json"))
assert g["status"] == "SUCCEEDED", g
assert b["status"] == "FAILED" and b["statusDetails"] == {"exitCode": "3"}, b
PY
assert_status 0 $? "the service stored SUCCEEDED, and FAILED with statusDetails exitCode 3 ($(cat "$WORK/py.out"))"

# A job that runs longer than the broker waits for a keep-alive (1.5 x 5 s): the connection
# is serviced while the command runs, so the outcome is still reported.
echo '{"slow":true}' > "$WORK/slow.json"
mqtls awslocal job create "$D" --thing dev1 --job-id slow --document "$WORK/slow.json" > /dev/null
expect 0 "" jobs watch --thing dev1 $(as dev1) -k 5 --run 'sleep 9' -C 1 -W 30
assert_contains "$(cat "$WORK/out")" "slow SUCCEEDED" "a job longer than the keep-alive is reported"

# ---- provision ------------------------------------------------------------------------------
CLAIM="-p $PORT --cafile $D/ca.pem --claim-cert $D/claim/cert.pem --claim-key $D/claim/private.key"
expect 0 "" provision --template default --param ThingName=prov-1 --param SerialNumber=42 \
    $CLAIM --out "$WORK/prov"
assert_contains "$(cat "$WORK/out")" "thingName: prov-1" "provision prints the thing name"
assert_contains "$(cat "$WORK/out")" "certificateId: " "... and the certificate id"
assert_eq "600" "$(stat -c %a "$WORK/prov/private.key")" "the new private key is mode 0600"
PCN=$(openssl x509 -in "$WORK/prov/cert.pem" -noout -fingerprint -sha256 2> /dev/null | tr -d ':' | cut -d= -f2 | tr A-F a-f)
assert_contains "$(cat "$WORK/out")" "certificateId: $PCN" "the certificate id is the new certificate's"
NEW="-p $PORT --cafile $D/ca.pem --cert $WORK/prov/cert.pem --key $WORK/prov/private.key"
expect 0 "" shadow update --thing prov-1 $NEW -m '{"state":{"reported":{"up":true}}}'
assert_contains "$(cat "$WORK/out")" '"version":1' "the provisioned certificate acts as prov-1"
expect 1 "connection" shadow get --thing dev1 $NEW -W 5
assert_not_contains "$(cat "$WORK/out")" '"state"' "prov-1 is refused dev1's shadow (the connection is closed)"
expect 5 "" provision --template nosuch $CLAIM --out "$WORK/prov2"
assert_contains "$ERR" "provision rejected: 404" "an unknown template's rejection is printed"

# With --csr the key stays ours: CreateCertificateFromCsr signs the CSR's public key.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=csr \
    -keyout "$WORK/csr.key" -out "$WORK/csr.pem" 2> /dev/null || die "openssl req"
expect 0 "" provision --template default --param ThingName=prov-csr --csr "$WORK/csr.pem" \
    $CLAIM --out "$WORK/provcsr"
assert_contains "$(cat "$WORK/out")" "thingName: prov-csr" "provision --csr registers the thing"
[ ! -e "$WORK/provcsr/private.key" ] && pass "provision --csr writes no private key" ||
    fail "provision --csr wrote a private key"
assert_eq "$(openssl req -in "$WORK/csr.pem" -noout -pubkey 2> /dev/null)" \
    "$(openssl x509 -in "$WORK/provcsr/cert.pem" -noout -pubkey 2> /dev/null)" \
    "the certificate carries the CSR's public key"
expect 0 "" shadow update --thing prov-csr -p "$PORT" --cafile "$D/ca.pem" \
    --cert "$WORK/provcsr/cert.pem" --key "$WORK/csr.key" -m '{"state":{"reported":{"k":1}}}'
assert_contains "$(cat "$WORK/out")" '"version":1' "the CSR's key and the new certificate act as prov-csr"
expect 5 "404" shadow get --thing prov-csr -p "$PORT" --cafile "$D/ca.pem" \
    --cert "$WORK/provcsr/cert.pem" --key "$WORK/csr.key" --name none
finish
