#!/usr/bin/env bash
# mqtls doctor --json: the document is valid JSON (python3 -m json.tool) and matches the
# schema table of docs/doctor.md both ways (every key listed is there with its type, every
# key there is listed), for full runs (plain TCP, mutual TLS, MQTT 5.0), a run without the
# round trip and failures at several steps; odd characters stay valid JSON; bad arguments
# exit 2 with a message and print no document.
. "$(dirname "$0")/lib.sh"

SRC=${MQTLS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 > /dev/null || die "python3 is needed to check the JSON output"
# The interpreter itself: a version manager's shim (pyenv) costs a shell start per call.
PY=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"

# The checker: reads the schema table of docs/doctor.md, checks one document against it.
cat > "$WORK/schema.py" <<'EOF'
import json, re, sys

def parse_schema(path):
    doc = open(path, encoding="utf-8").read()
    block = doc.split("<!-- schema: begin -->")[1].split("<!-- schema: end -->")[0]
    rows = []
    for line in block.splitlines():
        line = line.replace("\\|", "\x00")
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        key = cells[0].strip("`")
        types = [t.strip() for t in cells[1].replace("\x00", "|").split("|")]
        rows.append((key, types))
    return rows

class Node:
    def __init__(self):
        self.types = None
        self.children = {}
        self.elem = None
        self.named = {}

def build(rows):
    root = Node()
    for key, types in rows:
        node = root
        for tok in key.split("."):
            m = re.fullmatch(r"([a-z_0-9]+)(?:\[([a-z]*)\])?", tok)
            if not m:
                raise SystemExit("bad schema key " + key)
            base, sel = m.group(1), m.group(2)
            node = node.children.setdefault(base, Node())
            if sel == "":
                node.elem = node.elem or Node()
                node = node.elem
            elif sel is not None:
                node = node.named.setdefault(sel, Node())
        node.types = types
    return root

def merge(a, b):
    n = Node()
    n.types = a.types or b.types
    for k in set(a.children) | set(b.children):
        if k in a.children and k in b.children:
            n.children[k] = merge(a.children[k], b.children[k])
        else:
            n.children[k] = a.children.get(k) or b.children.get(k)
    n.elem = a.elem or b.elem
    n.named = {**a.named, **b.named}
    return n

def type_ok(v, types):
    for t in types:
        if t == "string" and isinstance(v, str): return True
        if t == "integer" and isinstance(v, int) and not isinstance(v, bool): return True
        if t == "boolean" and isinstance(v, bool): return True
        if t == "array" and isinstance(v, list): return True
        if t in ("object", "object<string>") and isinstance(v, dict): return True
        if t == "null" and v is None: return True
    return False

errors = []

def check(v, node, path):
    if node.types and not type_ok(v, node.types):
        errors.append("%s: %r is not %s" % (path, v, "|".join(node.types)))
        return
    if isinstance(v, dict):
        if node.types and "object<string>" in node.types:
            for k, x in v.items():
                if not isinstance(x, str):
                    errors.append("%s.%s: not a string" % (path, k))
            return
        if node.children or (node.types and "object" in node.types):
            for k in node.children:
                if k not in v:
                    errors.append("%s: key %s missing" % (path, k))
            for k in v:
                if k not in node.children:
                    errors.append("%s: key %s is not in docs/doctor.md" % (path, k))
            for k, child in node.children.items():
                if k in v:
                    check(v[k], child, path + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            n = node.elem or Node()
            if node.named and isinstance(x, dict) and x.get("name") in node.named:
                if x.get("status") in ("ok", "failed"):
                    n = merge(n, node.named[x["name"]])
                elif x.get("details") != {}:
                    errors.append("%s[%d]: a stage that did not run has details {}" % (path, i))
            if node.elem or node.named:
                check(x, n, "%s[%d]" % (path, i))

rows = parse_schema(sys.argv[1])
if len(rows) < 50:
    raise SystemExit("docs/doctor.md: the schema table has only %d rows" % len(rows))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
check(doc, build(rows), "$")
stages = doc.get("stages", [])
if [s.get("number") for s in stages] != [1, 2, 3, 4, 5, 6]:
    errors.append("stages are not 1..6 in order")
for s in stages:
    if s.get("status") in ("not_run", "skipped") and (s.get("ms") is not None or s.get("evidence")):
        if s.get("status") == "not_run":
            errors.append("stage %s did not run but has ms or evidence" % s.get("name"))
for e in errors:
    print("SCHEMA:", e)
sys.exit(1 if errors else 0)
EOF

# json_case NAME EXIT ARGS...: runs `mqtls doctor --json ARGS`; checks the exit status, that
# the output is valid JSON and that it matches the schema. The document stays in $J.
json_case() {
    local name=$1 want=$2 rc
    shift 2
    J=$WORK/$name.json
    mqtls doctor --json "$@" > "$J" 2> "$J.err"
    rc=$?
    assert_status "$want" "$rc" "$name: doctor --json $*"
    if "$PY" -m json.tool "$J" > /dev/null 2> "$WORK/jt.err"; then
        pass "$name: python3 -m json.tool accepts the output"
    else
        fail "$name: not valid JSON: $(cat "$WORK/jt.err")"
    fi
    if "$PY" "$WORK/schema.py" "$SRC/docs/doctor.md" "$J" > "$WORK/schema.out" 2>&1; then
        pass "$name: every documented key is there with its type, and nothing else"
    else
        fail "$name: schema: $(cat "$WORK/schema.out")"
    fi
}

# jq_py EXPR: evaluates a Python expression on the last document (as d).
jq_py() {
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$J" "$1"
}

# ---- brokers and certificates ------------------------------------------------------------------
P=$WORK/pki
O=$WORK/other
mqtls pki init "$P" > /dev/null || die "pki init"
mqtls pki server "$P" --name localhost --ip 127.0.0.1 > /dev/null || die "pki server"
mqtls pki device "$P" dev1 > /dev/null || die "pki device"
mqtls pki init "$O" --cn "other CA" > /dev/null || die "pki init other"
mqtls pki server "$O" --name localhost > /dev/null || die "pki server other"
start_tls_broker "cafile $P/ca.crt" "certfile $P/server.crt" "keyfile $P/server.key" \
    "require_certificate true"
M_TLS=$TLS_PORT
M_PLAIN=$PORT
start_tls_broker "cafile $O/ca.crt" "certfile $O/server.crt" "keyfile $O/server.key"
U_TLS=$TLS_PORT
DEV1=(--cert "$P/dev1/cert.crt" --key "$P/dev1/private.key")

# ---- full runs ---------------------------------------------------------------------------------
json_case plain 0 -h 127.0.0.1 -p "$M_PLAIN" --timeout 5
assert_eq "ok ok ok ok ok ok" "$(jq_py '" ".join(s["status"] for s in d["stages"])')" \
    "plain: all six steps ok"
assert_eq "ok None 0" "$(jq_py 'd["cause"]["id"], d["failed_stage"], d["exit_code"]' |
    tr -d "(),'")" "plain: cause ok, no failed step, exit 0"
assert_eq "False False" "$(jq_py 'd["stages"][0]["details"]["used"], d["stages"][3]["details"]["used"]' |
    tr -d "(),")" "plain: credentials and TLS not used"
assert_eq "subscribe publish receive" \
    "$(jq_py '" ".join(x["step"] for x in d["stages"][5]["details"]["steps"])')" \
    "plain: the round trip's steps"
assert_eq "127.0.0.1" "$(jq_py 'd["stages"][2]["details"]["address"]')" "plain: the address"

json_case mutual 0 -h localhost -p "$M_TLS" --cafile "$P/ca.crt" "${DEV1[@]}" --timeout 5
assert_eq "True True True" "$(jq_py 'd["target"]["tls"], d["stages"][3]["details"]["cert_requested"], d["stages"][3]["details"]["cert_sent"]' | tr -d "(),")" \
    "mutual: TLS, certificate requested and sent"
assert_eq "CN=mqtls local CA True" \
    "$(jq_py 'd["stages"][3]["details"]["chain_root"] + " " + str(d["stages"][3]["details"]["chain_root_trusted"])')" \
    "mutual: the root the chain ends at, trusted"
assert_eq "DNS:localhost, IP:127.0.0.1" "$(jq_py 'd["stages"][3]["details"]["chain"][0]["names"]')" \
    "mutual: the server certificate's names"
assert_eq "$TLS_BEST" "$(jq_py 'd["stages"][3]["details"]["version"]')" "mutual: the version"
assert_eq "0 Connection Accepted" \
    "$(jq_py 'str(d["stages"][4]["details"]["connack"]["code"]) + " " + d["stages"][4]["details"]["connack"]["reason"]')" \
    "mutual: the CONNACK"

# --device: its object matches the schema too (a CC3220 and this private CA: exit 17, -468).
json_case device 17 -h localhost -p "$M_TLS" --cafile "$P/ca.crt" "${DEV1[@]}" --timeout 5 \
    --no-roundtrip --device cc3220
assert_eq "cc3220 failed" "$(jq_py 'd["device"]["name"] + " " + d["device"]["result"]')" \
    "device: the profile and its result"

json_case v5 0 -h 127.0.0.1 -p "$M_PLAIN" -V 5 --timeout 5
assert_eq "5.0" "$(jq_py 'd["target"]["mqtt_version"]')" "v5: MQTT 5.0"
assert_eq "True" "$(jq_py 'len(d["stages"][4]["details"]["server_properties"]) > 0')" \
    "v5: the broker's CONNACK properties are there"

json_case noround 0 -h 127.0.0.1 -p "$M_PLAIN" --no-roundtrip --timeout 5
assert_eq "skipped None False ok" \
    "$(jq_py 'd["stages"][5]["status"], d["stages"][5]["ms"], d["target"]["roundtrip"], d["result"]' | tr -d "(),'")" \
    "--no-roundtrip: step 6 skipped, result ok"

# ---- failures ----------------------------------------------------------------------------------
json_case untrusted 14 -h localhost -p "$U_TLS" --cafile "$P/ca.crt" --timeout 5
assert_eq "tls.server_untrusted_root tls 4 failed" \
    "$(jq_py 'd["cause"]["id"], d["cause"]["stage"], d["failed_stage"], d["result"]' | tr -d "(),'")" \
    "untrusted: the cause, its step"
assert_eq "not_run not_run" "$(jq_py 'd["stages"][4]["status"], d["stages"][5]["status"]' | tr -d "(),'")" \
    "untrusted: steps 5 and 6 did not run"
assert_eq "CN=other CA False ['CN=mqtls local CA']" \
    "$(jq_py 'd["stages"][3]["details"]["chain_root"] + " " + str(d["stages"][3]["details"]["chain_root_trusted"]) + " " + str(d["stages"][3]["details"]["ca_subjects"])')" \
    "untrusted: the root and the CA file's subjects"
assert_eq "48 unknown_ca" \
    "$(jq_py 'str(d["stages"][3]["details"]["alert_sent"]["code"]) + " " + d["stages"][3]["details"]["alert_sent"]["name"]')" \
    "untrusted: the alert we sent"
assert_contains "$(jq_py 'd["cause"]["facts"][0]')" "ends at 'CN=other CA'" "untrusted: the fact"

json_case camissing 11 -h localhost -p "$M_TLS" "${DEV1[@]}" --timeout 5
assert_eq "cred.ca_missing not_run" "$(jq_py 'd["cause"]["id"], d["stages"][1]["status"]' | tr -d "(),'")" \
    "ca missing: step 1 fails, step 2 does not run"
assert_contains "$(jq_py 'd["stages"][0]["details"]["setup_error"]')" "no CA configured" \
    "ca missing: the setup's words"
assert_contains "$(jq_py 'd["stages"][0]["details"]["tls_library"]')" "$("$MQTLS_BIN" --version | sed -n 's/^TLS: //p')" \
    "ca missing: the TLS library named"

json_case refused 13 -h 127.0.0.1 -p "$(free_port)" --timeout 5
assert_eq "tcp.refused 111" "$(jq_py 'd["cause"]["id"], d["stages"][2]["details"]["errno"]' | tr -d "(),'")" \
    "refused: the cause and errno ECONNREFUSED"

json_case nottls 15 -h 127.0.0.1 -p "$M_TLS" --timeout 5
assert_eq "mqtt.tls_port_without_tls True True" \
    "$(jq_py 'd["cause"]["id"], d["stages"][4]["details"]["tls_probe"]["ran"], d["stages"][4]["details"]["tls_probe"]["port_speaks_tls"]' | tr -d "(),'")" \
    "plain to the TLS port: the probe's result"

# Odd characters: quotes, backslash, a tab and UTF-8 in the client id and the topic.
start_fake swallow
odd=$'we"ird\\id\tÄ'
json_case odd 0 -h 127.0.0.1 -p "$FAKE_PORT" -i "$odd" --topic "t/\"q\"/ü" --no-roundtrip
assert_eq "$odd" "$(jq_py 'd["target"]["client_id"]')" "odd: the client id survives JSON"
assert_eq "t/\"q\"/ü" "$(jq_py 'd["target"]["topic"]')" "odd: the topic survives JSON"
stop_fake

# ---- bad arguments: exit 2, a message, no document ----------------------------------------------
bad_args() {
    local frag=$1 rc
    shift
    mqtls doctor --json "$@" > "$WORK/bad.out" 2> "$WORK/bad.err"
    rc=$?
    assert_status 2 "$rc" "doctor $*"
    assert_contains "$(cat "$WORK/bad.err")" "$frag" "doctor $*: says '$frag'"
    assert_eq "" "$(cat "$WORK/bad.out")" "doctor $*: no document on stdout"
}
bad_args "invalid --connect-to" --connect-to nonsense
bad_args "invalid --connect-to" --connect-to "a:99999:b:1"
bad_args "invalid --connect-to" --connect-to "[::1:443:x:1"
bad_args "does not apply to localhost port 1883" --connect-to "example.com:443:127.0.0.1:1"
bad_args "invalid timeout" --timeout 0
bad_args "invalid timeout" --timeout soon
bad_args "at most 3600 seconds" --timeout 3601
bad_args "doctor takes one --topic" -t a -t b
bad_args "invalid topic 'a/#'" -t 'a/#'
bad_args "unknown option '--frobnicate'" --frobnicate
bad_args "not valid for mqtls doctor" -m hello
bad_args "invalid port" -p 0
bad_args "mqtt:// (plain MQTT) but TLS options" -L mqtt://localhost/x --cafile "$P/ca.crt"
mqtls doctor --help > "$WORK/help" 2>&1
assert_status 0 $? "doctor --help"
assert_contains "$(cat "$WORK/help")" "16  step 6 failed" "--help lists the exit statuses"
assert_contains "$(cat "$WORK/help")" "--connect-to H:P:H2:P2" "--help lists --connect-to"

finish
