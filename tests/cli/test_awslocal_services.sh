#!/usr/bin/env bash
# awslocal's services (Device Shadow, Jobs, Fleet Provisioning) driven by an independent
# client: only mosquitto_pub, mosquitto_sub and mosquitto_rr with the certificates
# `awslocal thing add` and `awslocal up` make, with the request documents of AWS IoT's
# developer guide; the answers are compared field by field with jq.
. "$(dirname "$0")/lib.sh"

for bin in mosquitto mosquitto_pub mosquitto_sub mosquitto_rr jq; do
    command -v "$bin" > /dev/null || { echo "SKIP: $bin is not installed"; exit 77; }
done
[ -f "$(dirname "$MQTLS_BIN")/awslocal_plugin.so" ] ||
    { echo "SKIP: the awslocal plugin was not built (mosquitto-dev missing)"; exit 77; }

D=$WORK/aws
# Run as root, mosquitto drops to the user mosquitto: it must get through $WORK to DIR.
[ "$(id -u)" -eq 0 ] && chmod o+x "$WORK"
UP=""
stop_up() {
    [ -n "$UP" ] && kill "$UP" 2> /dev/null
    cleanup
}
trap stop_up EXIT

# `awslocal up DIR` on a free port (PORT) in the background (UP), until its `ready` line.
up_at() {
    local i
    for i in 1 2 3 4 5; do
        PORT=$(free_port)
        timeout 300 "$MQTLS_BIN" awslocal up "$1" --port "$PORT" > "$2" 2> "$2.err" &
        UP=$!
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
up_at "$D" "$WORK/up.out"
BROKER_LOG=$D/mosquitto.log
mqtls awslocal thing add "$D" dev1 > /dev/null 2>&1 || die "thing add dev1"
mqtls awslocal thing add "$D" dev2 > /dev/null 2>&1 || die "thing add dev2"

tls_of() { echo "--cafile $D/ca.pem --cert $D/$1/cert.pem --key $D/$1/private.key"; }
asub() { local who=$1; shift; timeout "$T" mosquitto_sub -h localhost -p "$PORT" $(tls_of "$who") "$@"; }
apub() { local who=$1; shift; timeout "$T" mosquitto_pub -h localhost -p "$PORT" $(tls_of "$who") "$@"; }
# rr WHO OUT TOPIC ANSWER-TOPIC MESSAGE: one request, its answer in OUT.
rr() {
    timeout "$T" mosquitto_rr -h localhost -p "$PORT" $(tls_of "$1") -W 10 -t "$3" -e "$4" \
        -m "$5" > "$2" 2> "$2.err"
}
# jcheck FILE JQ-EXPRESSION WHAT: passes when the expression is true of FILE's document.
NOW=$(date +%s)
jcheck() {
    if jq -e --argjson now "$NOW" "$2" "$1" > /dev/null 2>&1; then
        pass "$3"
    else
        fail "$3: $(cat "$1" "$1.err" 2> /dev/null)"
    fi
}
# A timestamp of this run: epoch seconds, not before the test began nor far after.
RECENT='(. >= $now and . < $now + 600)'

# ==== Device Shadow ==========================================================================
S='$aws/things/dev1/shadow'

# GetThingShadow of a shadow that does not exist: 404 (device-shadow-mqtt.html, "/get/rejected";
# the message from device-shadow-error-messages.html).
rr things/dev1 "$WORK/g0" "$S/get" "$S/get/rejected" '{"clientToken":"g0"}'
jcheck "$WORK/g0" '.code == 404 and .message == "No shadow exists with name: dev1"
    and .clientToken == "g0" and (.timestamp | '"$RECENT"')' \
    "get of a missing shadow: 404 'No shadow exists with name: dev1', clientToken echoed"

# An update of desired only (device-shadow-document.html, "Request state documents":
# {"state": {"desired": ...}, "clientToken": ...}); /update/delta and /update/documents
# (device-shadow-mqtt.html) are watched from before the update.
bg "$WORK/delta1" asub things/dev1 -i d1-delta -t "$S/update/delta" -C 1
DELTA=$BG
bg "$WORK/docs1" asub things/dev1 -i d1-docs -t "$S/update/documents" -C 1
DOCS=$BG
wait_subscribed d1-delta "$S/update/delta"
wait_subscribed d1-docs "$S/update/documents"
rr things/dev1 "$WORK/u1" "$S/update" "$S/update/accepted" \
    '{"state":{"desired":{"color":"red","cfg":{"a":1,"b":2}}},"clientToken":"u1"}'
jcheck "$WORK/u1" '.state.desired == {"color":"red","cfg":{"a":1,"b":2}} and .version == 1
    and .clientToken == "u1" and (.timestamp | '"$RECENT"')
    and (.metadata.desired.color.timestamp | '"$RECENT"')
    and (.metadata.desired.cfg.a.timestamp | '"$RECENT"')' \
    "update of desired: accepted with the state, per-leaf metadata timestamps, version 1, clientToken"
wait_bg "$DELTA"
jcheck "$WORK/delta1" '.state == {"color":"red","cfg":{"a":1,"b":2}} and .version == 1
    and (.metadata.color.timestamp | '"$RECENT"') and .clientToken == "u1"' \
    "/update/delta: all of desired while nothing is reported, with its metadata"
wait_bg "$DOCS"
jcheck "$WORK/docs1" '(has("previous") | not) and .current.state.desired.color == "red"
    and .current.version == 1 and (.timestamp | '"$RECENT"')' \
    "/update/documents of a new shadow: current (version 1), no previous"

# An update of reported only: the delta keeps what still differs, inside nested objects too
# (device-shadow-mqtt.html, /update/delta: "only the desired attributes that differ between
# the desired and reported sections"; the nested path as in docs/aws-iot.md, "Delta").
bg "$WORK/delta2" asub things/dev1 -i d2-delta -t "$S/update/delta" -C 1
DELTA=$BG
bg "$WORK/docs2" asub things/dev1 -i d2-docs -t "$S/update/documents" -C 1
DOCS=$BG
wait_subscribed d2-delta "$S/update/delta"
wait_subscribed d2-docs "$S/update/documents"
rr things/dev1 "$WORK/u2" "$S/update" "$S/update/accepted" \
    '{"state":{"reported":{"color":"blue","cfg":{"a":1,"b":3}}},"clientToken":"u2"}'
jcheck "$WORK/u2" '.state.reported == {"color":"blue","cfg":{"a":1,"b":3}} and .version == 2
    and .clientToken == "u2" and (.metadata.reported.cfg.b.timestamp | '"$RECENT"')' \
    "update of reported: accepted, version 2"
wait_bg "$DELTA"
jcheck "$WORK/delta2" '.state == {"color":"red","cfg":{"b":2}} and .version == 2' \
    "/update/delta: only the differing leaves (color, cfg.b), nested"
wait_bg "$DOCS"
jcheck "$WORK/docs2" '.previous.version == 1 and .current.version == 2
    and .previous.state.desired == {"color":"red","cfg":{"a":1,"b":2}}
    and (.previous.state | has("reported") | not)
    and .current.state.reported == {"color":"blue","cfg":{"a":1,"b":3}}
    and .current.state.desired.color == "red"' \
    "/update/documents: previous (version 1) and current (version 2) whole"

# Both sections, a version, and null deleting a key (device-shadow-document.html,
# "Deleting a property": set it to null).
rr things/dev1 "$WORK/u3" "$S/update" "$S/update/accepted" \
    '{"state":{"desired":{"color":null},"reported":{"cfg":{"b":2}}},"version":2,"clientToken":"u3"}'
jcheck "$WORK/u3" '.version == 3 and .clientToken == "u3" and .state.desired.color == null
    and .state.reported.cfg == {"b":2}' "update of both with version 2: accepted, version 3"
rr things/dev1 "$WORK/g1" "$S/get" "$S/get/accepted" '{"clientToken":"g1"}'
jcheck "$WORK/g1" '.state.desired == {"cfg":{"a":1,"b":2}}
    and .state.reported == {"color":"blue","cfg":{"a":1,"b":2}} and (.state | has("delta") | not)
    and .version == 3 and .clientToken == "g1" and (.timestamp | '"$RECENT"')
    and (.metadata.desired | has("color") | not) and (.metadata.reported.color.timestamp | '"$RECENT"')' \
    "get: null removed desired.color (state and metadata), the rest merged, no delta left, version 3"

# Rejections (device-shadow-error-messages.html).
rr things/dev1 "$WORK/r409" "$S/update" "$S/update/rejected" \
    '{"state":{"reported":{"x":1}},"version":1,"clientToken":"u4"}'
jcheck "$WORK/r409" '.code == 409 and .message == "Version conflict" and .clientToken == "u4"' \
    "update with an old version: 409 'Version conflict'"
rr things/dev1 "$WORK/r400" "$S/update" "$S/update/rejected" '{"state":{"reported":'
jcheck "$WORK/r400" '.code == 400 and .message == "Invalid JSON"' "malformed JSON: 400 'Invalid JSON'"
rr things/dev1 "$WORK/r400s" "$S/update" "$S/update/rejected" '{"clientToken":"u5"}'
jcheck "$WORK/r400s" '.code == 400 and .message == "Missing required node: state"
    and .clientToken == "u5"' "no state: 400 'Missing required node: state'"
rr things/dev1 "$WORK/g2" "$S/get" "$S/get/accepted" '{}'
jcheck "$WORK/g2" '.version == 3' "rejected updates changed nothing (still version 3)"

# A named shadow (iot-device-shadows.html, "Named shadows": $aws/things/T/shadow/name/N/...)
# is independent of the classic one.
N='$aws/things/dev1/shadow/name/cfg'
rr things/dev1 "$WORK/n0" "$N/get" "$N/get/rejected" '{"clientToken":"n0"}'
jcheck "$WORK/n0" '.code == 404 and .message == "No shadow exists with name: cfg"' \
    "get of a missing named shadow: 404 naming it"
rr things/dev1 "$WORK/n1" "$N/update" "$N/update/accepted" \
    '{"state":{"reported":{"mode":"eco"}},"clientToken":"n1"}'
jcheck "$WORK/n1" '.version == 1 and .state.reported == {"mode":"eco"} and .clientToken == "n1"' \
    "the named shadow starts at version 1"
rr things/dev1 "$WORK/n2" "$N/get" "$N/get/accepted" '{}'
jcheck "$WORK/n2" '.state == {"reported":{"mode":"eco"}} and .version == 1' \
    "get of the named shadow: its own state only"
rr things/dev1 "$WORK/g3" "$S/get" "$S/get/accepted" '{}'
jcheck "$WORK/g3" '.version == 3 and (.state.reported | has("mode") | not)' \
    "the classic shadow is untouched by the named one"

# DeleteThingShadow (device-shadow-mqtt.html, "/delete/accepted": version and timestamp).
rr things/dev1 "$WORK/nd" "$N/delete" "$N/delete/accepted" '{"clientToken":"nd"}'
jcheck "$WORK/nd" '.version == 1 and (.timestamp | '"$RECENT"') and .clientToken == "nd"' \
    "delete of the named shadow: accepted with its version, clientToken echoed"
rr things/dev1 "$WORK/n3" "$N/get" "$N/get/rejected" '{}'
jcheck "$WORK/n3" '.code == 404' "the deleted named shadow is gone (404)"
rr things/dev1 "$WORK/g4" "$S/get" "$S/get/accepted" '{}'
jcheck "$WORK/g4" '.version == 3' "the classic shadow survives the named one's delete"
rr things/dev1 "$WORK/cd" "$S/delete" "$S/delete/accepted" '{}'
jcheck "$WORK/cd" '.version == 3' "delete of the classic shadow: accepted, version 3"
rr things/dev1 "$WORK/g5" "$S/get" "$S/get/rejected" '{}'
jcheck "$WORK/g5" '.code == 404' "the deleted classic shadow is gone (404)"
rr things/dev1 "$WORK/nd2" "$S/delete" "$S/delete/rejected" '{}'
jcheck "$WORK/nd2" '.code == 404' "deleting it again: 404"
# "the version continues from the deleted shadow's" when recreated within 48 hours
# (device-shadow-data-flow.html; docs/aws-iot.md).
rr things/dev1 "$WORK/u6" "$S/update" "$S/update/accepted" '{"state":{"reported":{"v":1}}}'
jcheck "$WORK/u6" '.version == 4 and .state.reported == {"v":1}' \
    "a shadow recreated after its delete goes on at version 4, without the old state"

# ==== Jobs ======================================================================================
J='$aws/things/dev2/jobs'
echo '{"operation":"update","url":"https://example.com/fw.bin","size":3}' > "$WORK/jdoc.json"
bg "$WORK/notify" asub things/dev2 -i d2-notify -t "$J/notify-next" -C 1
NOTIFY=$BG
wait_subscribed d2-notify "$J/notify-next"
mqtls awslocal job create "$D" --thing dev2 --job-id job-a --document "$WORK/jdoc.json" \
    > /dev/null 2>&1 || fail "job create job-a"
wait_bg "$NOTIFY"
# NextJobExecutionChanged (jobs-mqtt-api.html): {"execution": JobExecution, "timestamp"}.
jcheck "$WORK/notify" '.execution.jobId == "job-a" and .execution.status == "QUEUED"
    and .execution.jobDocument == {"operation":"update","url":"https://example.com/fw.bin","size":3}
    and .execution.versionNumber == 1 and (.timestamp | '"$RECENT"')' \
    "notify-next announces the created job with its document, QUEUED, version 1"

# GetPendingJobExecutions (jobs-mqtt-api.html): {"clientToken"} -> inProgressJobs, queuedJobs.
rr things/dev2 "$WORK/jget" "$J/get" "$J/get/accepted" '{"clientToken":"jg"}'
jcheck "$WORK/jget" '.inProgressJobs == [] and (.queuedJobs | length) == 1
    and .queuedJobs[0].jobId == "job-a" and .queuedJobs[0].versionNumber == 1
    and .queuedJobs[0].executionNumber == 1 and .clientToken == "jg"' \
    "get: job-a queued, nothing in progress, clientToken echoed"

# StartNextPendingJobExecution: {"statusDetails", "clientToken"}.
rr things/dev2 "$WORK/jstart" "$J/start-next" "$J/start-next/accepted" \
    '{"statusDetails":{"step":"download"},"clientToken":"js"}'
jcheck "$WORK/jstart" '.execution.jobId == "job-a" and .execution.status == "IN_PROGRESS"
    and .execution.versionNumber == 2 and .execution.statusDetails == {"step":"download"}
    and .execution.jobDocument.url == "https://example.com/fw.bin" and .clientToken == "js"' \
    "start-next: job-a IN_PROGRESS, version 2, statusDetails kept"

# DescribeJobExecution (jobs-mqtt-api.html): {"executionNumber", "includeJobDocument",
# "clientToken"} -> {"execution", "clientToken", "timestamp"}.
rr things/dev2 "$WORK/jrun" "$J/job-a/get" "$J/job-a/get/accepted" \
    '{"includeJobDocument":true,"clientToken":"jr"}'
jcheck "$WORK/jrun" '.execution.jobId == "job-a" and .execution.status == "IN_PROGRESS"
    and .execution.versionNumber == 2 and .execution.jobDocument.size == 3 and .clientToken == "jr"
    and (.timestamp | '"$RECENT"')' "<jobId>/get: IN_PROGRESS, version 2, with its document"
# UpdateJobExecution with the wrong expectedVersion: rejected VersionMismatch.
rr things/dev2 "$WORK/jbad" "$J/job-a/update" "$J/job-a/update/rejected" \
    '{"status":"SUCCEEDED","expectedVersion":1,"clientToken":"jb"}'
jcheck "$WORK/jbad" '.code == "VersionMismatch" and .clientToken == "jb"
    and .executionState.status == "IN_PROGRESS" and .executionState.versionNumber == 2' \
    "update with expectedVersion 1: VersionMismatch, with the execution's state"
rr things/dev2 "$WORK/jok" "$J/job-a/update" "$J/job-a/update/accepted" \
    '{"status":"SUCCEEDED","expectedVersion":2,"includeJobExecutionState":true,"statusDetails":{"step":"done"},"clientToken":"jo"}'
jcheck "$WORK/jok" '.executionState.status == "SUCCEEDED" and .executionState.versionNumber == 3
    and .executionState.statusDetails == {"step":"done"} and .clientToken == "jo"
    and (.timestamp | '"$RECENT"')' \
    "update to SUCCEEDED with expectedVersion 2: accepted, version 3"
# DescribeJobExecution once the execution has ended: awslocal answers TerminalStateReached,
# one of the ErrorResponse codes of jobs-api.html (awslocal's choice: docs/aws-iot.md).
rr things/dev2 "$WORK/jone" "$J/job-a/get" "$J/job-a/get/rejected" '{"clientToken":"j1"}'
jcheck "$WORK/jone" '.code == "TerminalStateReached" and .clientToken == "j1"' \
    "<jobId>/get of the SUCCEEDED execution: TerminalStateReached"
rr things/dev2 "$WORK/jget2" "$J/get" "$J/get/accepted" '{}'
jcheck "$WORK/jget2" '.inProgressJobs == [] and .queuedJobs == []' "get: nothing pending any more"
rr things/dev2 "$WORK/jgone" "$J/nope/get" "$J/nope/get/rejected" '{"clientToken":"jn"}'
jcheck "$WORK/jgone" '.code == "ResourceNotFound" and .clientToken == "jn"' \
    "<jobId>/get of an unknown job: ResourceNotFound"

# ==== Fleet Provisioning by claim ================================================================
# CreateKeysAndCertificate (fleet-provision-api.html): {} ->
# certificateId, certificatePem, privateKey, certificateOwnershipToken.
rr claim "$WORK/ck" '$aws/certificates/create/json' '$aws/certificates/create/json/accepted' '{}'
jcheck "$WORK/ck" '(.certificateId | test("^[0-9a-f]{64}$"))
    and (.certificatePem | startswith("-----BEGIN CERTIFICATE-----"))
    and (.privateKey | startswith("-----BEGIN")) and (.certificateOwnershipToken | length > 0)' \
    "CreateKeysAndCertificate: certificateId, certificatePem, privateKey, ownership token"
jq -r .certificatePem "$WORK/ck" > "$WORK/prov.pem"
jq -r .privateKey "$WORK/ck" > "$WORK/prov.key"
FP=$(openssl x509 -in "$WORK/prov.pem" -outform DER 2> /dev/null | sha256sum | cut -d' ' -f1)
assert_eq "$FP" "$(jq -r .certificateId "$WORK/ck")" \
    "certificateId is the SHA-256 of the certificate (as AWS's ids are)"
openssl verify -CAfile "$D/ca.pem" "$WORK/prov.pem" > /dev/null 2>&1 &&
    pass "the certificate is signed by DIR's root" || fail "the new certificate does not verify"
PUB=$(openssl x509 -in "$WORK/prov.pem" -noout -pubkey 2> /dev/null)
assert_eq "$PUB" "$(openssl pkey -in "$WORK/prov.key" -pubout 2> /dev/null)" \
    "privateKey is the certificate's key"

# RegisterThing (fleet-provision-api.html): {"certificateOwnershipToken", "parameters"} ->
# {"deviceConfiguration", "thingName"}.
P='$aws/provisioning-templates/default/provision/json'
rr claim "$WORK/rbad" "$P" "$P/rejected" \
    '{"certificateOwnershipToken":"not-a-token","parameters":{"ThingName":"prov-x","SerialNumber":"1"}}'
jcheck "$WORK/rbad" '.statusCode == 400 and .errorCode == "InvalidCertificateOwnershipToken"
    and (.errorMessage | length > 0)' "RegisterThing with a bad token: 400 InvalidCertificateOwnershipToken"
TOKEN=$(jq -r .certificateOwnershipToken "$WORK/ck")
rr claim "$WORK/reg" "$P" "$P/accepted" \
    "{\"certificateOwnershipToken\":\"$TOKEN\",\"parameters\":{\"ThingName\":\"prov-7\",\"SerialNumber\":\"7\"}}"
jcheck "$WORK/reg" '.thingName == "prov-7" and .deviceConfiguration == {}' \
    "RegisterThing: thingName prov-7, the default template's (empty) deviceConfiguration"
PROV="--cafile $D/ca.pem --cert $WORK/prov.pem --key $WORK/prov.key"
timeout "$T" mosquitto_pub -h localhost -p "$PORT" $PROV -t things/prov-7/hello -m 1 -q 1
assert_status 0 $? "the new certificate publishes on things/prov-7/hello"
timeout "$T" mosquitto_pub -h localhost -p "$PORT" $PROV -i prov-7 -t things/dev1/hello -m 1 \
    -q 1 -d > "$WORK/steal.out" 2>&1
assert_contains "$(cat "$WORK/steal.out")" "connection was lost" \
    "and is closed on another thing's topic (things/dev1/hello)"
assert_not_contains "$(cat "$WORK/steal.out")" "received PUBACK" "without a PUBACK"
rr claim "$WORK/again" "$P" "$P/rejected" \
    "{\"certificateOwnershipToken\":\"$TOKEN\",\"parameters\":{\"ThingName\":\"prov-8\",\"SerialNumber\":\"8\"}}"
jcheck "$WORK/again" '.statusCode == 400 and .errorCode == "InvalidCertificateOwnershipToken"' \
    "the token once used is refused"

kill -TERM "$UP"
wait "$UP"
assert_status 0 $? "up exits 0 on SIGTERM"
UP=""
finish
