#!/usr/bin/env bash
# capture_golden.sh - record the bytes real mosquitto clients and a real mosquitto broker
# put on the wire, as golden-vector records for tests/data/golden/packets/ (the format is
# tests/data/golden/README.md).
#
# It starts two private `mosquitto` brokers on free 127.0.0.1 ports (A: anonymous; B: a
# password file, an ACL and limits that show in its CONNACK) and, in front of each, a small
# Python relay that forwards both directions and splits each direction's stream into MQTT
# packets (fixed header + remaining length). Each command of the `runs` table is pointed at
# a relay; every packet it exchanged is printed as a record:
#
#   [g_<run>_<n>_<type>]
#   about = capture run <run>, client -> broker (connection 1):
#             $ <exact command, PORT for the relay port>
#   version = 3.1.1 | 5.0
#   form = exact
#   bytes = 10 17 00 04 ...
#   type = CONNECT
#
# Some runs send hand-made packets from Python instead, to record the broker's answer.
# Client ids are fixed (-i), so the output is the same on every run except where the broker
# makes something up (the assigned client identifier of run v5_assigned_id). Usage:
#   scripts/capture_golden.sh > /tmp/golden_capture.txt
# The records in tests/data/golden/packets/captured_*.txt were taken from that output and
# renamed (gc* sent by a client, gs* by the broker); the fields each packet carries (the
# lines after `type`) are then written by hand from the command line, not from the
# decoder's output, and `form` set to `reordered` where mosquitto orders properties
# differently from the encoder.
# Needs: mosquitto, mosquitto_passwd, mosquitto_pub, mosquitto_sub, python3.
# Network: 127.0.0.1 only. Takes about 15 seconds.
set -euo pipefail

command -v mosquitto >/dev/null || PATH="$PATH:/usr/sbin"
for t in mosquitto mosquitto_passwd mosquitto_pub mosquitto_sub python3; do
    command -v "$t" >/dev/null || { echo "capture_golden.sh: $t not found" >&2; exit 1; }
done

exec python3 - "$@" <<'PYEOF'
import os, socket, subprocess, sys, tempfile, threading, time, select, shlex, signal

NAMES = {1: "connect", 2: "connack", 3: "publish", 4: "puback", 5: "pubrec", 6: "pubrel",
         7: "pubcomp", 8: "subscribe", 9: "suback", 10: "unsubscribe", 11: "unsuback",
         12: "pingreq", 13: "pingresp", 14: "disconnect", 15: "auth"}

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def split_packets(buf):
    """Splits a byte stream into whole MQTT packets; returns (packets, rest)."""
    out = []
    while len(buf) >= 2:
        rl, mult, i = 0, 1, 1
        while True:
            if i >= len(buf):
                return out, buf
            b = buf[i]
            rl += (b & 0x7F) * mult
            mult *= 128
            i += 1
            if not b & 0x80 or i > 4:
                break
        if len(buf) < i + rl:
            break
        out.append(bytes(buf[:i + rl]))
        buf = buf[i + rl:]
    return out, buf

class Relay:
    def __init__(self, upstream):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.log = []            # (connection number, direction, packet bytes)
        self.conns = 0
        self.active = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            c, _ = self.sock.accept()
            with self.lock:
                self.conns += 1
                self.active += 1
                n = self.conns
            threading.Thread(target=self.pump, args=(c, n), daemon=True).start()

    def pump(self, cli, n):
        srv = socket.create_connection(("127.0.0.1", self.upstream))
        bufs = {cli: bytearray(), srv: bytearray()}
        peer = {cli: srv, srv: cli}
        label = {cli: "client -> broker", srv: "broker -> client"}
        open_ = [cli, srv]
        while open_:
            r, _, _ = select.select(open_, [], [], 30)
            if not r:
                break
            for s in r:
                try:
                    data = s.recv(65536)
                except OSError:  # reset by a broker that drops a misbehaving client
                    data = b""
                if not data:  # half-close: keep reading what the other side still sends
                    open_.remove(s)
                    try:
                        peer[s].shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                bufs[s] += data
                pkts, rest = split_packets(bufs[s])
                bufs[s] = bytearray(rest)
                with self.lock:
                    for p in pkts:
                        self.log.append((n, label[s], p))
                try:
                    peer[s].sendall(data)
                except OSError:
                    pass
        for s in (cli, srv):
            try:
                s.close()
            except OSError:
                pass
        with self.lock:
            self.active -= 1

    def wait_idle(self, timeout=3.0):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if self.active == 0:
                    return
            time.sleep(0.05)

def record(name, version, data, about):
    """One golden-vector record (tests/data/golden/README.md), fields left to the reader."""
    lines = ["[%s]" % name, "about = " + "\n        ".join(about.splitlines()),
             "version = " + version, "form = exact"]
    hexes = ["%02x" % b for b in data]
    rows = [" ".join(hexes[i:i + 16]) for i in range(0, len(hexes), 16)]
    lines.append("bytes = " + "\n        ".join(rows))
    lines.append("type = " + NAMES.get(data[0] >> 4, "type%d" % (data[0] >> 4)).upper())
    return "\n".join(lines)

def start_broker(conf_lines):
    port = free_port()
    d = tempfile.mkdtemp(prefix="mqtls-golden-")
    conf = os.path.join(d, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\npersistence false\n" % port)
        for line in conf_lines:
            f.write(line.replace("@DIR@", d) + "\n")
    return port, d, conf

def wait_port(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("capture_golden.sh: broker did not start on port %d" % port)

def raw_session(port, packets, linger=1.0):
    """Connects to the relay, sends each packet (waiting for an answer after each),
    then lingers so the broker's last words are recorded."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(linger)
    for p in packets:
        s.sendall(p)
        try:
            if not s.recv(65536):
                break
        except socket.timeout:
            pass
        except OSError:
            break
    s.close()

def main():
    # Broker A: anonymous, max_keepalive 100. Broker B: user "user" / password "secret", ACL
    # allows only allowed/#, anonymous refused, and limits that show up in its 5.0 CONNACK.
    pa, da, ca = start_broker(["allow_anonymous true", "max_keepalive 100"])
    pb, db, cb = start_broker(["allow_anonymous false", "password_file @DIR@/passwd",
                               "acl_file @DIR@/acl", "max_qos 1", "retain_available false",
                               "max_packet_size 2000", "max_inflight_messages 5"])
    subprocess.run(["mosquitto_passwd", "-b", "-c", os.path.join(db, "passwd"), "user",
                    "secret"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(db, "acl"), "w") as f:
        f.write("user user\ntopic readwrite allowed/#\n")
    # mosquitto started as root drops to the "mosquitto" user: let it read its files.
    for d in (da, db):
        os.chmod(d, 0o755)
        for f in os.listdir(d):
            os.chmod(os.path.join(d, f), 0o644)
    brokers = []
    for conf in (ca, cb):
        brokers.append(subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL))
    wait_port(pa)
    wait_port(pb)
    relays = {"A": Relay(pa), "B": Relay(pb)}

    def raw_connect(cid, v5=True):
        cid = cid.encode()
        vh = b"\x00\x04MQTT" + (b"\x05" if v5 else b"\x04") + b"\x02\x00\x3c"
        vh += (b"\x00" if v5 else b"") + len(cid).to_bytes(2, "big") + cid
        return bytes([0x10, len(vh)]) + vh

    # Steps: ("cmd", broker, argv) runs a client to completion; ("bg", broker, argv) starts
    # one in the background (stopped at the end of the run); ("raw", broker, [packets])
    # sends hand-made packets from Python, to record how the real broker answers them.
    runs = [
        ("v311_pub_qos0", [("cmd", "A", ["mosquitto_pub", "-V", "311", "-i", "golden-pub0",
                                         "-t", "test/topic", "-m", "hello"])]),
        ("v311_pub_qos1_retain", [("cmd", "A", ["mosquitto_pub", "-V", "311", "-i",
                                                "golden-pub1", "-t", "test/retained", "-m",
                                                "hello", "-q", "1", "-r"])]),
        ("v311_pub_qos2", [("cmd", "A", ["mosquitto_pub", "-V", "311", "-i", "golden-pub2",
                                         "-t", "test/topic", "-m", "hello", "-q", "2"])]),
        ("v311_connect_full", [("cmd", "A", ["mosquitto_pub", "-V", "311", "-i", "golden-full",
                                             "-u", "user", "-P", "secret", "-c", "-k", "30",
                                             "--will-topic", "will/t", "--will-payload", "bye",
                                             "--will-qos", "1", "--will-retain", "-t", "t",
                                             "-n"])]),
        ("v311_sub_qos1", [("cmd", "A", ["mosquitto_sub", "-V", "311", "-i", "golden-sub1",
                                         "-t", "test/#", "-t", "a/+/b", "-q", "1", "-C", "1",
                                         "-W", "3"])]),
        ("v311_sub_qos2", [("cmd", "A", ["mosquitto_sub", "-V", "311", "-i", "golden-sub2",
                                         "-t", "test/retained", "-q", "2", "-C", "1", "-W",
                                         "3"])]),
        ("v311_unsub", [("cmd", "A", ["mosquitto_sub", "-V", "311", "-i", "golden-unsub", "-c",
                                      "-t", "x/y", "-U", "old/topic", "-E"])]),
        ("v311_ping", [("cmd", "A", ["mosquitto_sub", "-V", "311", "-i", "golden-ping", "-t",
                                     "p", "-k", "5", "-W", "7"])]),
        ("v311_refused_anon", [("cmd", "B", ["mosquitto_pub", "-V", "311", "-i", "golden-anon",
                                             "-t", "t", "-n"])]),
        ("v311_refused_pw", [("cmd", "B", ["mosquitto_pub", "-V", "311", "-i", "golden-badpw",
                                           "-u", "user", "-P", "wrong", "-t", "t", "-n"])]),
        ("v311_sub_denied", [("cmd", "B", ["mosquitto_sub", "-V", "311", "-i", "golden-acl",
                                           "-u", "user", "-P", "secret", "-t", "denied/x",
                                           "-t", "allowed/x", "-q", "1", "-E"])]),
        ("v311_bad_level", [("raw", "A", [b"\x10\x0f\x00\x04MQTT\x07\x02\x00\x3c\x00\x03raw"])]),
        ("v5_pub_props", [("cmd", "A", ["mosquitto_pub", "-V", "5", "-i", "golden-pub5", "-t",
                                        "test/topic", "-m", "hello", "-q", "1",
                                        "-D", "publish", "payload-format-indicator", "1",
                                        "-D", "publish", "message-expiry-interval", "60",
                                        "-D", "publish", "content-type", "text/plain",
                                        "-D", "publish", "response-topic", "reply/here",
                                        "-D", "publish", "correlation-data", "c1",
                                        "-D", "publish", "user-property", "k", "v",
                                        "-D", "publish", "user-property", "k", "v2"])]),
        ("v5_pub_alias", [("cmd", "A", ["mosquitto_pub", "-V", "5", "-i", "golden-alias", "-t",
                                        "test/alias", "-m", "a", "-D", "publish",
                                        "topic-alias", "1"])]),
        ("v5_pub_qos2", [("cmd", "A", ["mosquitto_pub", "-V", "5", "-i", "golden-pub52", "-t",
                                       "test/retained", "-m", "hello5", "-q", "2", "-r"])]),
        ("v5_connect_full_x", [("cmd", "A", ["mosquitto_pub", "-V", "5", "-i", "golden-full5",
                                             "-u", "user", "-P", "secret", "-c", "-x", "3600",
                                             "-k", "30", "--will-topic", "will/t",
                                             "--will-payload", "bye", "--will-qos", "2",
                                             "--will-retain",
                                             "-D", "connect", "receive-maximum", "20",
                                             "-D", "connect", "maximum-packet-size", "65536",
                                             "-D", "connect", "user-property", "app", "golden",
                                             "-D", "will", "will-delay-interval", "10",
                                             "-D", "will", "content-type", "text/plain",
                                             "-t", "t", "-n"])]),
        ("v5_connect_full", [("cmd", "A", ["mosquitto_pub", "-V", "5", "-i", "golden-full5c",
                                           "-u", "user", "-P", "secret", "-k", "30",
                                           "--will-topic", "will/t", "--will-payload", "bye",
                                           "--will-qos", "2", "--will-retain",
                                           "-D", "connect", "session-expiry-interval", "3600",
                                           "-D", "connect", "request-problem-information", "0",
                                           "-D", "connect", "request-response-information", "1",
                                           "-D", "connect", "receive-maximum", "20",
                                           "-D", "connect", "topic-alias-maximum", "8",
                                           "-D", "connect", "maximum-packet-size", "65536",
                                           "-D", "connect", "user-property", "app", "golden",
                                           "-D", "will", "payload-format-indicator", "1",
                                           "-D", "will", "message-expiry-interval", "120",
                                           "-D", "will", "content-type", "text/plain",
                                           "-D", "will", "response-topic", "will/reply",
                                           "-D", "will", "correlation-data", "wc",
                                           "-D", "will", "will-delay-interval", "10",
                                           "-D", "will", "user-property", "w", "1",
                                           "-t", "t", "-n"])]),
        ("v5_auth_method", [("cmd", "A", ["mosquitto_pub", "-V", "5", "-i", "golden-auth5",
                                          "-D", "connect", "authentication-method", "SCRAM-SHA-1",
                                          "-D", "connect", "authentication-data", "n,,n=user",
                                          "-t", "t", "-n"])]),
        ("v5_server_keepalive", [("cmd", "A", ["mosquitto_pub", "-V", "5", "-i", "golden-ka5",
                                               "-k", "200", "-t", "t", "-n"])]),
        ("v5_limits", [("cmd", "B", ["mosquitto_pub", "-V", "5", "-i", "golden-lim5", "-u",
                                     "user", "-P", "secret", "-t", "allowed/x", "-m", "x",
                                     "-q", "1"])]),
        ("v5_assigned_id", [("cmd", "A", ["mosquitto_pub", "-V", "5", "-t", "t", "-n"])]),
        ("v5_sub_qos2", [("cmd", "A", ["mosquitto_sub", "-V", "5", "-i", "golden-sub5", "-t",
                                       "test/retained", "-t", "test/+/x", "-q", "2", "-C", "1",
                                       "-W", "3",
                                       "-D", "subscribe", "subscription-identifier", "7",
                                       "-D", "subscribe", "user-property", "s", "1"])]),
        ("v5_unsub", [("cmd", "A", ["mosquitto_sub", "-V", "5", "-i", "golden-unsub5", "-c",
                                    "-t", "x/y", "-U", "old/topic", "-E",
                                    "-D", "unsubscribe", "user-property", "u", "1"])]),
        ("v5_refused_anon", [("cmd", "B", ["mosquitto_pub", "-V", "5", "-i", "golden-anon5",
                                           "-t", "t", "-n"])]),
        ("v5_refused_pw", [("cmd", "B", ["mosquitto_pub", "-V", "5", "-i", "golden-badpw5",
                                         "-u", "user", "-P", "wrong", "-t", "t", "-n"])]),
        ("v5_sub_denied", [("cmd", "B", ["mosquitto_sub", "-V", "5", "-i", "golden-acl5", "-u",
                                         "user", "-P", "secret", "-t", "denied/x", "-t",
                                         "allowed/x", "-q", "1", "-E"])]),
        ("v5_pub_denied", [("cmd", "B", ["mosquitto_pub", "-V", "5", "-i", "golden-acl5p", "-u",
                                         "user", "-P", "secret", "-t", "denied/x", "-m", "x",
                                         "-q", "1"])]),
        ("v5_bad_alias", [("raw", "A", [raw_connect("golden-raw1"),
                                        b"\x30\x08\x00\x01t\x03\x23\x00\x0bx"])]),
        ("v5_bad_qos", [("raw", "A", [raw_connect("golden-raw2"),
                                      b"\x36\x06\x00\x01t\x00\x01\x00"])]),
    ]

    version = subprocess.run(["mosquitto", "-h"], capture_output=True, text=True).stdout
    print("# Generated by scripts/capture_golden.sh against %s" % version.splitlines()[0])
    for label, steps in runs:
        for r in relays.values():
            r.wait_idle()
        marks = {}
        for k, r in relays.items():
            with r.lock:
                marks[k] = (len(r.log), r.conns + 1)
        bgs = []
        shown = []
        used = set()
        for kind, b, arg in steps:
            used.add(b)
            port = str(relays[b].port)
            if kind == "raw":
                shown.append("python3 raw client (see capture_golden.sh) sending " +
                             " ".join(p.hex() for p in arg))
                raw_session(relays[b].port, arg)
                continue
            argv = [arg[0], "-h", "127.0.0.1", "-p", port] + arg[1:]
            shown.append(" ".join(shlex.quote(a) for a in [arg[0], "-h", "127.0.0.1", "-p",
                                                            "PORT"] + arg[1:]) +
                         ("   # broker B (password file + ACL)" if b == "B" else ""))
            if kind == "bg":
                bgs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
                time.sleep(0.5)
            else:
                subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=20)
        time.sleep(0.3)
        for bg in bgs:
            if bg.poll() is None:
                bg.send_signal(signal.SIGTERM)
            bg.wait()
        entries = []
        for k in sorted(used):
            relays[k].wait_idle()
            with relays[k].lock:
                entries += [(c - marks[k][1] + 1, d, p) for c, d, p in relays[k].log[marks[k][0]:]]
        mqtt_version = "5.0" if label.startswith("v5") else "3.1.1"
        for i, (conn, direction, pkt) in enumerate(entries):
            t = NAMES.get(pkt[0] >> 4, "type%d" % (pkt[0] >> 4))
            name = "g_%s_%d_%s" % (label, i, t)
            about = "capture run %s, %s (connection %d):\n  $ %s" % (
                label, direction, conn, "\n  $ ".join(shown))
            print()
            print(record(name, mqtt_version, pkt, about))
    for b in brokers:
        b.terminate()
        b.wait()
    for d in (da, db):
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)

main()
PYEOF
