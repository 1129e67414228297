#!/usr/bin/env python3
"""An independent checker of `mqtls doctor --json`'s statements.

    doctor_facts_check.py REPORT.json -- DOCTOR-ARGUMENTS...

For every entry of the report's "statements" (docs/doctor.md, "Statement kinds") it
re-derives the truth from the scenario's inputs -- the doctor's own command line -- without
any of the doctor's code: the files with the openssl CLI, the host name by the AWS IoT
endpoint pattern AWS documents, addresses and ports by a real resolve and connect, the
broker's TLS with `openssl s_client` and a ClientHello made by Python's ssl module, the
broker's MQTT answer with a CONNECT written here. It prints one line per statement and
exits 1 when one does not hold or has a kind it does not know (nothing goes unchecked),
2 on a usage error.
"""
import calendar
import datetime
import hashlib
import json
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

CLOCK_SLACK_S = 300  # the report and this check run within minutes of each other


# ---- the scenario's inputs: the doctor's command line ------------------------------------

TLS_OPTS = {"--cafile", "--capath", "--cert", "--key", "--keypass", "--tls-version",
            "--ciphers", "--alpn", "--insecure"}
WITH_VALUE = {"-h", "-p", "-V", "-i", "-u", "-P", "-k", "-L", "--cafile", "--capath",
              "--cert", "--key", "--keypass", "--tls-version", "--ciphers", "--alpn",
              "-t", "--topic", "-W", "--timeout", "--connect-to", "--device"}


def parse_args(argv):
    a = {"alpn": []}
    i = 0
    while i < len(argv):
        o = argv[i]
        v = argv[i + 1] if o in WITH_VALUE and i + 1 < len(argv) else None
        if o == "--alpn":
            a["alpn"].append(v)
        elif o in WITH_VALUE:
            a[o] = v
        else:
            a[o] = True
        i += 2 if o in WITH_VALUE else 1
    a["tls"] = any(o in a for o in TLS_OPTS) or bool(a["alpn"])
    a["host"] = a.get("-h", "localhost")
    a["port"] = int(a.get("-p", 8883 if a["tls"] else 1883))
    a["timeout"] = float(a.get("--timeout", a.get("-W", 10)))
    a["conn_host"], a["conn_port"] = a["host"], a["port"]
    if "--connect-to" in a:  # HOST:PORT:HOST2:PORT2, curl's form (no IPv6 in the tests)
        h1, p1, h2, p2 = a["--connect-to"].split(":")
        a["conn_host"] = h2 or a["host"]
        a["conn_port"] = int(p2) if p2 else a["port"]
    return a


# ---- certificates, by the openssl CLI --------------------------------------------------------

NAMEOPT = "RFC2253,-dn_rev,sep_comma_plus_space,-esc_msb"


def run(cmd, data=None, timeout=10):
    p = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def openssl_date(s):
    """'Jan  1 00:00:00 2020 GMT' -> '2020-01-01 00:00:00', and its Unix time."""
    t = time.strptime(s.strip(), "%b %d %H:%M:%S %Y GMT")
    return time.strftime("%Y-%m-%d %H:%M:%S", t), calendar.timegm(t)


def cert_info(pem):
    rc, out, err = run(["openssl", "x509", "-noout", "-subject", "-nameopt", NAMEOPT,
                        "-startdate", "-enddate", "-fingerprint", "-sha256"], pem.encode())
    if rc:
        raise ValueError("openssl x509: " + err.strip())
    f = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
    nb, nb_t = openssl_date(f["notBefore"])
    na, na_t = openssl_date(f["notAfter"])
    sha = f["sha256 Fingerprint"].replace(":", "").lower()
    return {"subject": f["subject"], "not_before": nb, "not_after": na, "nb_t": nb_t,
            "na_t": na_t, "sha256": sha, "pem": pem}


def cert_details(c):
    """Issuer, subjectAltNames (DNS and IP), key, CA flag and signature of a certificate,
    in the words of the report ("EC P-256", "DNS:a, IP:127.0.0.1"), by `openssl x509`."""
    rc, out, _ = run(["openssl", "x509", "-noout", "-issuer", "-nameopt", NAMEOPT, "-text"],
                     c["pem"].encode())
    issuer = out.splitlines()[0].split("=", 1)[1]
    san = re.search(r"Subject Alternative Name:.*\n\s*(.*)", out)
    names = []
    for n in (san.group(1).split(", ") if san else []):
        if n.startswith("DNS:"):
            names.append(n)
        elif n.startswith("IP Address:"):
            names.append("IP:" + n[len("IP Address:"):])
    bits = re.search(r"Public-Key: \((\d+) bit\)", out)
    curve = re.search(r"NIST CURVE: (\S+)", out)
    if "rsaEncryption" in out:
        key = "RSA %s" % bits.group(1)
    elif "id-ecPublicKey" in out:
        key = "EC %s" % (curve.group(1) if curve else "?")
    elif "ED25519" in out:
        key = "Ed25519"
    else:
        key = "?"
    sig = re.search(r"Signature Algorithm: (\S+)", out)
    return {"issuer": issuer, "names": ", ".join(names), "key": key,
            "is_ca": bool(re.search(r"CA:TRUE", out)), "sig_alg": sig.group(1) if sig else "?"}


PEM_RE = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)


def certs_in(path):
    raw = open(path, "rb").read()
    if b"-----BEGIN" not in raw:  # DER: one certificate
        rc, out, _ = run(["openssl", "x509", "-inform", "DER", "-in", path])
        raw = out.encode() if rc == 0 else b""
    return [cert_info(p) for p in PEM_RE.findall(raw.decode("utf-8", "replace"))]


def state_now(c):
    now = time.time()
    return "expired" if now > c["na_t"] else "not_yet_valid" if now < c["nb_t"] else "valid"


# ---- the network ---------------------------------------------------------------------------

def addresses(name):
    infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    return {i[4][0] for i in infos}


def tcp_try(addr, port, timeout):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.settimeout(timeout)
    try:
        s.connect((addr, port))
        return "connects"
    except ConnectionRefusedError:
        return "refused"
    except socket.timeout:
        return "timeout"
    except OSError:
        return "error"
    finally:
        s.close()


def client_hello(sni, alpn, a=None, versions=None):
    """A ClientHello made by Python's ssl module (no verification: only its bytes), with
    the doctor's TLS versions and the scenario's cipher suites when given: the answer
    depends on what is offered."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if versions == ["TLSv1.3"]:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    elif versions == ["TLSv1.2"]:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if a and "--ciphers" in a:
        opts = Server(a, None).openssl_ciphers()
        if "-tls1_2" in opts:
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(opts[opts.index("-cipher") + 1])
    if alpn:
        ctx.set_alpn_protocols(alpn)
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=sni)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def first_answer(addr, port, data, timeout):
    """The first byte the server sends after @data: an int, or None (closed, silent)."""
    s = socket.create_connection((addr, port), timeout=3)
    s.settimeout(timeout)
    try:
        s.sendall(data)
        b = s.recv(1)
        return b[0] if b else None
    except (socket.timeout, ConnectionResetError):
        return None
    finally:
        s.close()


def is_ip(h):
    for fam in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(fam, h)
            return True
        except OSError:
            pass
    return False


class Server:
    """What `openssl s_client` sees at the scenario's broker, with the scenario's files."""

    def __init__(self, a, report):
        self.a, self.report, self._out = a, report, {}

    def iana(self, name):
        rc, out, _ = run(["openssl", "ciphers", "-stdname", "ALL:@SECLEVEL=0"])
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2] == name:
                return parts[0]
        return name

    def openssl_ciphers(self):
        """--ciphers (IANA names, ':' or ',') as s_client's -cipher and -ciphersuites."""
        rc, out, _ = run(["openssl", "ciphers", "-stdname", "ALL:@SECLEVEL=0"])
        table = {p[0]: p[2] for p in (l.split() for l in out.splitlines()) if len(p) >= 3}
        v12, v13 = [], []
        for n in re.split("[:,]", self.a["--ciphers"]):
            if n.startswith("TLS_AES_") or n.startswith("TLS_CHACHA20_"):
                v13.append(n)  # TLS 1.3 suites have one name
            else:
                v12.append(table.get(n, n))
        if not v13:  # TLS 1.2 suites only: a ClientHello of TLS 1.2
            return ["-tls1_2", "-cipher", ":".join(v12)]
        return ["-cipher", ":".join(v12) or "NONE", "-ciphersuites", ":".join(v13)]

    def offer(self):
        """What the doctor offered: the versions its TLS library speaks (tls_answer's
        "offered"), --tls-version, --ciphers, and the ALPN it chose."""
        cmd = []
        hello = [x for x in self.report.get("statements", []) if x.get("kind") == "tls_answer"]
        versions = hello[0]["offered"] if hello else ["TLSv1.2", "TLSv1.3"]
        if versions == ["TLSv1.2"]:
            cmd += ["-tls1_2"]
        elif versions == ["TLSv1.3"]:
            cmd += ["-tls1_3"]
        if "--ciphers" in self.a:
            opts = self.openssl_ciphers()
            if "-tls1_2" in opts and "-tls1_2" in cmd:
                opts.remove("-tls1_2")
            cmd += opts
        alpn = self.report["stages"][0]["details"].get("alpn_offered") or []
        if alpn:
            cmd += ["-alpn", ",".join(alpn)]
        return cmd

    def output(self, offer=None):
        """s_client's output; @offer replaces the scenario's version, suites and ALPN."""
        key = tuple(offer or ())
        if key in self._out:
            return self._out[key]
        a = self.a
        cmd = ["openssl", "s_client", "-connect", "%s:%d" % (a["address"], a["conn_port"]),
               "-showcerts", "-ign_eof", "-msg"]
        cmd += ["-noservername"] if is_ip(a["host"]) else ["-servername", a["host"]]
        if "--cafile" in a:
            cmd += ["-CAfile", a["--cafile"]]
        if "--capath" in a:
            cmd += ["-CApath", a["--capath"]]
        if "--cert" in a and "--key" in a:
            cmd += ["-cert", a["--cert"], "-key", a["--key"]]
        if "--keypass" in a:
            cmd += ["-pass", "pass:" + a["--keypass"]]
        if "--insecure" not in a:
            cmd += ["-verify_return_error", "-verify_hostname" if not is_ip(a["host"])
                    else "-verify_ip", a["host"]]
        if offer:
            cmd += list(offer)
        else:
            cmd += self.offer()
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        try:
            out, _ = p.communicate(b"", timeout=min(a["timeout"], 2) + 0.5)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
        self._out[key] = out.decode("utf-8", "replace")
        return self._out[key]

    def sent(self):
        return [cert_info(p) for p in PEM_RE.findall(self.output())]


# ---- MQTT: a CONNECT written here --------------------------------------------------------

def remaining_length(n):
    out = b""
    while True:
        b, n = n % 128, n // 128
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def utf8(s):
    b = s.encode()
    return len(b).to_bytes(2, "big") + b


def connect_packet(version, client_id, user, password):
    flags = 0x02 | (0x80 if user is not None else 0) | (0x40 if password is not None else 0)
    vh = utf8("MQTT") + bytes([5 if version == "5.0" else 4, flags]) + (60).to_bytes(2, "big")
    if version == "5.0":
        vh += b"\x00"  # no properties
    body = vh + utf8(client_id)
    if user is not None:
        body += utf8(user)
    if password is not None:
        body += utf8(password)
    return b"\x10" + remaining_length(len(body)) + body


def mqtt_socket(a, report):
    s = socket.create_connection((a["address"], a["conn_port"]), timeout=3)
    if not a["tls"]:
        return s
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if "--insecure" in a:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.load_verify_locations(cafile=a.get("--cafile"), capath=a.get("--capath"))
    if "--cert" in a:
        ctx.load_cert_chain(a["--cert"], a.get("--key"), a.get("--keypass"))
    alpn = report["stages"][0]["details"].get("alpn_offered") or []
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx.wrap_socket(s, server_hostname=a["host"])


def read_packet(s):
    """One MQTT packet: (first byte, body), or None when the connection closed."""
    def take(n):
        data = b""
        while len(data) < n:
            b = s.recv(n - len(data))
            if not b:
                return None
            data += b
        return data
    h = take(1)
    if h is None:
        return None
    n, mult = 0, 1
    while True:
        b = take(1)
        if b is None:
            return None
        n += (b[0] & 0x7F) * mult
        mult *= 128
        if not b[0] & 0x80:
            break
    body = take(n) if n else b""
    return None if body is None else (h[0], body)


def publish_packet(version, topic, pid, payload):
    body = utf8(topic) + pid.to_bytes(2, "big") + (b"\x00" if version == "5.0" else b"")
    body += payload
    return b"\x32" + remaining_length(len(body)) + body


def ack_code(version, body):
    """A PUBACK's reason code (MQTT 5.0, 3.4.2.1: absent means 0; 3.1.1 has none: 0)."""
    return body[2] if version == "5.0" and len(body) > 2 else 0


def suback_code(version, body):
    at = 2
    if version == "5.0":
        n, mult = 0, 1
        while True:
            n += (body[at] & 0x7F) * mult
            mult *= 128
            at += 1
            if not body[at - 1] & 0x80:
                break
        at += n
    return body[at]


class Session:
    """The doctor's round trip, written here: CONNECT, SUBSCRIBE (QoS 1), PUBLISH (QoS 1)
    to the same topic, the message back; each wait as long as the doctor's --timeout."""

    def __init__(self, a, report, version, topic):
        self.out = {"suback": None, "puback": None, "returned": None,
                    "disconnect_reason": None, "closed_during": None}
        self.version, self.topic, self.returned = version, topic, False
        self.s = mqtt_socket(a, report)
        self.s.settimeout(a["timeout"] + 1)
        self.a, self.report = a, report

    def wait(self, step, want):
        """Reads packets until one of type @want; False when the session ended."""
        try:
            while True:
                p = read_packet(self.s)
                if p is None:
                    self.out["closed_during"] = step
                    return None
                if p[0] >> 4 == 14:  # DISCONNECT
                    self.out["disconnect_reason"] = p[1][0] if p[1] else 0
                    return None
                if p[0] >> 4 == 3:  # a PUBLISH: the message back (acknowledged)
                    self.returned = True
                    if p[0] & 0x06:
                        tl = int.from_bytes(p[1][:2], "big")
                        self.s.sendall(b"\x40\x02" + p[1][2 + tl:4 + tl])
                if p[0] >> 4 == want:
                    return p
        except socket.timeout:
            return False
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            self.out["closed_during"] = step
            return None

    def run(self):
        v, o = self.version, self.out
        self.s.sendall(connect_packet(v, self.report["target"]["client_id"], self.a.get("-u"),
                                      self.a.get("-P")))
        if not self.wait("connect", 2):
            return o
        body = b"\x00\x01" + (b"\x00" if v == "5.0" else b"") + utf8(self.topic) + b"\x01"
        self.s.sendall(b"\x82" + remaining_length(len(body)) + body)
        p = self.wait("subscribe", 9)
        if not p:
            return o
        o["suback"] = suback_code(v, p[1])
        if o["suback"] >= 0x80:
            return o
        self.s.sendall(publish_packet(v, self.topic, 2, b"mqtls facts check"))
        p = self.wait("publish", 4)
        if not p:
            return o
        o["puback"] = ack_code(v, p[1])
        if o["puback"] >= 0x80:
            return o
        if not self.returned:
            self.wait("receive", 3)
        o["returned"] = self.returned
        return o


def connect_answer(a, report, version):
    """('connack', code) | ('closed', None) | ('silence', None) | ('other', first bytes)."""
    s = mqtt_socket(a, report)
    s.settimeout(a["timeout"] + 1)
    try:
        s.sendall(connect_packet(version, report["target"]["client_id"], a.get("-u"),
                                 a.get("-P")))
        data = b""
        while len(data) < 4:
            b = s.recv(64)
            if not b:
                break
            data += b
    except socket.timeout:
        return ("silence", None) if not data else ("other", data)
    except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
        data = b""
    finally:
        s.close()
    if not data:
        return ("closed", None)
    if data[0] == 0x20 and len(data) >= 4:
        return ("connack", data[3])
    return ("other", data)


# ---- one check per statement kind ----------------------------------------------------------

# The AWS IoT data endpoint, as DescribeEndpoint documents it: "The format of the endpoint is
# as follows: identifier.iot.region.amazonaws.com." (AWS IoT API Reference, DescribeEndpoint,
# https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeEndpoint.html). ATS
# endpoints' identifier ends in "-ats" (iot:Data-ATS), legacy ones do not: both match.
AWS_IOT_HOST = re.compile(r"^[a-z0-9][a-z0-9-]*\.iot\.[a-z]{2}(-[a-z]+)+-[0-9]+\.amazonaws\.com\.?$")
# ALPN for X.509 MQTT on port 443 (AWS IoT Developer Guide, "Protocols, port mappings, and
# authentication"): x-amzn-mqtt-ca.
AWS_IOT_ALPN_443 = "x-amzn-mqtt-ca"


def k_clock(s, a, r, srv):
    t = calendar.timegm(time.strptime(s["utc"], "%Y-%m-%d %H:%M:%S"))
    return abs(t - time.time()) <= CLOCK_SLACK_S, "this clock: %s UTC" % (
        datetime.datetime.utcfromtimestamp(time.time()).strftime("%Y-%m-%d %H:%M:%S"))


def k_host_is_aws_iot(s, a, r, srv):
    return bool(AWS_IOT_HOST.match(s["host"].lower())), "pattern identifier.iot.region.amazonaws.com"


def k_alpn_auto(s, a, r, srv):
    ok = AWS_IOT_HOST.match(s["host"].lower()) and s["port"] == 443 and s["alpn"] == AWS_IOT_ALPN_443
    return bool(ok), "AWS IoT host, port 443, ALPN %s" % AWS_IOT_ALPN_443


def k_alpn_auto_amazonaws(s, a, r, srv):
    host = s["host"].lower().rstrip(".")
    ok = host.endswith(".amazonaws.com") and s["port"] == 443 and s["alpn"] == AWS_IOT_ALPN_443
    return ok, "an amazonaws.com host, port 443, ALPN %s" % AWS_IOT_ALPN_443


def k_ca_file_subjects(s, a, r, srv):
    got = [c["subject"] for c in certs_in(s["file"])]
    return got == s["subjects"], "the file holds %s" % got


def k_cert_dates(s, a, r, srv):
    cs = certs_in(s["file"])
    if s["index"] >= len(cs):
        return False, "the file holds %d certificate(s)" % len(cs)
    c = cs[s["index"]]
    got = (c["subject"], c["not_before"], c["not_after"])
    return got == (s["subject"], s["not_before"], s["not_after"]), "openssl: %s" % (got,)


def k_cert_time_invalid(s, a, r, srv):
    got = state_now(certs_in(s["file"])[0])
    return got == s["state"], "openssl and this clock: %s" % got


def pubkey(cmd):
    rc, out, err = run(cmd)
    return out if rc == 0 else None


def k_key_matches_cert(s, a, r, srv):
    c = pubkey(["openssl", "x509", "-in", s["cert"], "-noout", "-pubkey"])
    k = pubkey(["openssl", "pkey", "-in", s["key"], "-pubout", "-passin",
                "pass:" + a.get("--keypass", "")])
    if c is None or k is None:
        return False, "openssl cannot read the certificate or the key"
    return (c == k) == s["matches"], "public keys %s" % ("equal" if c == k else "differ")


def k_key_rsa_below_2048(s, a, r, srv):
    out = pubkey(["openssl", "x509", "-in", s["file"], "-noout", "-text"]) or \
        pubkey(["openssl", "pkey", "-in", s["file"], "-noout", "-text_pub", "-passin",
                "pass:" + a.get("--keypass", "")]) or ""
    m = re.search(r"Public-Key: \((\d+) bit\)", out)
    rsa = "rsaEncryption" in out or "RSA Public-Key" in out or "Modulus:" in out
    below = bool(rsa and m and int(m.group(1)) < 2048)
    return below == s["below"], "openssl: %s%s bits" % ("RSA " if rsa else "", m.group(1) if m else "?")


def k_dns_resolves(s, a, r, srv):
    try:
        got = addresses(s["name"])
    except socket.gaierror as e:
        return False, "getaddrinfo: %s" % e
    return got == set(s["addresses"]), "getaddrinfo: %s" % sorted(got)


def k_dns_fails(s, a, r, srv):
    try:
        return False, "getaddrinfo: %s" % sorted(addresses(s["name"]))
    except (socket.gaierror, UnicodeError) as e:
        return True, "getaddrinfo: %s" % e


def k_tcp_connects(s, a, r, srv):
    got = tcp_try(s["address"], s["port"], 3)
    return got == "connects", "connect: %s" % got


def k_tcp_fails(s, a, r, srv):
    got = [tcp_try(x, s["port"], min(a["timeout"], 3)) for x in sorted(addresses(s["name"]))]
    return s["how"] in got and "connects" not in got, "connect: %s" % got


def k_tls_answer(s, a, r, srv):
    alpn = r["stages"][0]["details"].get("alpn_offered") or []
    hello = client_hello(None if is_ip(a["host"]) else a["host"], alpn, a, s["offered"])
    got = first_answer(s["address"], s["port"], hello, a["timeout"] + 1)
    tls = got is not None and 20 <= got <= 23
    return got == s["first_byte"] and tls == s["is_tls"], "first byte: %r" % got


def k_port_speaks_tls(s, a, r, srv):
    got = first_answer(s["address"], s["port"], client_hello(None, []), 3)
    return (got == 22) == s["speaks_tls"], "first byte: %r" % got


def k_alert_received(s, a, r, srv):
    m = re.findall(r"alert number (\d+)", srv.output())
    return str(s["code"]) in m, "s_client: alerts %s" % m


def k_alert_sent(s, a, r, srv):
    """s_client -msg with the same files and settings: the alert it writes (">>> ... Alert",
    then its two bytes, level and code) is the one a client of that TLS library sends."""
    m = re.findall(r"^>>> [^\n]*Alert \[length 0002\][^\n]*\n\s+([0-9a-f]{2}) ([0-9a-f]{2})",
                   srv.output(), re.M)
    codes = [int(c, 16) for _, c in m]
    return s["code"] in codes, "s_client sent alerts %s" % codes


# ---- step 1's findings, re-read with openssl x509 / pkey ----------------------------------

def holds_key(path):
    return run(["openssl", "pkey", "-in", path, "-noout"])[0] == 0


def x509_text(path):
    rc, out, _ = run(["openssl", "x509", "-in", path, "-noout", "-text"])
    return out if rc == 0 else None


def ext_line(text, name):
    """The value line of an X.509v3 extension in `openssl x509 -text`, or None."""
    m = re.search(r"X509v3 %s:.*\n\s*(.*)" % re.escape(name), text or "")
    return m.group(1).strip() if m else None


def k_finding(s, a, r, srv):
    f, path = s["finding"], s["file"]
    if f == "cert_file_is_key":
        got = holds_key(path) and not certs_in(path)
    elif f == "key_file_is_cert":
        got = bool(certs_in(path)) and not holds_key(path)
    elif f == "no_client_auth":
        eku = ext_line(x509_text(path), "Extended Key Usage")
        got = eku is not None and "TLS Web Client Authentication" not in eku
    elif f == "no_digital_signature":
        ku = ext_line(x509_text(path), "Key Usage")
        got = ku is not None and "Digital Signature" not in ku and "Key Agreement" not in ku
    elif f == "ca_file_not_ca":
        cs = certs_in(path)
        got = bool(cs) and not any(cert_details(c)["is_ca"] for c in cs)
    elif f == "ca_file_is_device_cert":
        dev = certs_in(a["--cert"])[:1]
        got = bool(dev) and dev[0]["sha256"] in [c["sha256"] for c in certs_in(path)]
    else:
        return False, "a finding this checker does not know"
    return got, "openssl x509/pkey on %s: %s" % (path, "holds" if got else "does not hold")


# ---- the chain's readings -------------------------------------------------------------------

def k_path_len(s, a, r, srv):
    """The named CA's pathLenConstraint (openssl x509 -text) is below the number of CAs the
    server sent under it (not self-issued, not the CA itself)."""
    c = next((x for x in list(srv.sent()) + (certs_in(a["--cafile"]) if "--cafile" in a else [])
              if x["subject"] == s["subject"]), None)
    if not c:
        return False, "no certificate of that subject sent or in the CA file"
    text = run(["openssl", "x509", "-noout", "-text"], c["pem"].encode())[1]
    m = re.search(r"CA:TRUE, pathlen:(\d+)", text)
    if not m:
        return False, "no pathLenConstraint in it"
    below = [x for x in srv.sent() if x["subject"] != s["subject"] and cert_details(x)["is_ca"]
             and cert_details(x)["issuer"] != x["subject"]]
    return len(below) > int(m.group(1)), "pathlen %s, %d CA(s) below it sent" % (
        m.group(1), len(below))


def k_clock_suspect(s, a, r, srv):
    """Every certificate seen -- sent by the server, in the CA file, in the device's file --
    is outside its validity at the report's time."""
    t = calendar.timegm(time.strptime(s["utc"], "%Y-%m-%d %H:%M:%S"))
    cs = list(srv.sent())
    for opt in ("--cafile", "--cert"):
        if opt in a:
            cs += certs_in(a[opt])
    inside = [c["subject"] for c in cs if c["nb_t"] <= t <= c["na_t"]]
    return bool(cs) and not inside, "%d certificate(s) seen, valid then: %s" % (len(cs), inside)


# ---- --device: the profile's checks, re-derived from the profile the report prints --------

def profile_fact(r, name):
    return next((f["value"] for f in r["device"]["profile"] if f["fact"] == name), None) or ""


def own_path(a, srv):
    """The server's chain built here, by subject and issuer (openssl x509): the leaf it
    sent, then each issuer found among what it sent and the CA file, up to a self-issued
    root (or the last issuer found)."""
    cs = list(srv.sent()) + (certs_in(a["--cafile"]) if "--cafile" in a else [])
    if not cs:
        return []
    path = [cs[0]]
    while len(path) < 200:
        x = cert_details(path[-1])
        if x["issuer"] == path[-1]["subject"]:
            break
        nxt = next((c for c in cs if c["subject"] == x["issuer"]), None)
        if not nxt:
            break
        path.append(nxt)
    return path


def dev_versions(s, r, srv):
    """The broker takes a handshake offering only the profile's versions (the words before
    the first ':' of its "versions" fact: "TLS 1.2 at most", "TLS 1.2 and 1.3", ...)."""
    words = profile_fact(r, "versions").split(":")[0]
    out = srv.output([] if "1.3" in words else ["-tls1_2"])
    took = re.search(r"^New, TLSv", out, re.M) is not None
    return "ok" if took else "failed", "s_client offering %s: %s" % (
        words, "a session" if took else "no session")


def dev_depth(s, a, r, srv):
    m = re.match(r"(\d+) intermediate", profile_fact(r, "chain_depth"))
    path = own_path(a, srv)
    root = bool(path) and cert_details(path[-1])["issuer"] == path[-1]["subject"]
    inter = max(len(path) - 1 - (root and len(path) > 1), 0)
    if not m or not path or inter != s["intermediates"]:
        return None, "%d intermediate CA(s) here, the profile's limit %s" % (
            inter, m.group(1) if m else "not found")
    return "ok" if inter <= int(m.group(1)) else "failed", "%d intermediate CA(s), limit %s" % (
        inter, m.group(1))


def dev_cert_msg(s, a, r, srv):
    """The server's Certificate message as s_client -msg shows it ("<<< TLS 1.3, Handshake
    [length 1484], Certificate": the whole message), against the bytes the profile's
    "sizes" fact starts with ("up to 4096 bytes", "up to 100 kB")."""
    m = re.search(r"^<<< TLS [0-9.]+, Handshake \[length ([0-9a-f]+)\], Certificate$",
                  srv.output(), re.M)
    lim = re.search(r"up to (\d+) (bytes|kB)", profile_fact(r, "sizes"))
    if not m or not lim:
        return None, "no Certificate message in s_client -msg, or no limit in the profile"
    got = int(m.group(1), 16)
    limit = int(lim.group(1)) * (1024 if lim.group(2) == "kB" else 1)
    if got != s["bytes"]:
        return None, "%d bytes here, %d in the statement" % (got, s["bytes"])
    return "ok" if got <= limit else "failed", "%d bytes, the profile takes %d" % (got, limit)


def dev_catalog(s, a, r, srv):
    """A root outside this machine's trust store is private: no vendor's catalog holds it."""
    root = next((c for c in own_path(a, srv) if c["subject"] == s["root"]), None)
    if not root or cert_details(root)["issuer"] != root["subject"]:
        return None, "no self-issued root of that subject at the end of the chain"
    rc, out, err = run(["openssl", "verify", "-no-CAfile", "-no-CAstore", "-CApath",
                        "/etc/ssl/certs"], root["pem"].encode())
    return "ok" if rc == 0 else "failed", "openssl verify -CApath /etc/ssl/certs: %s" % (
        (out or err).strip().splitlines()[-1] if (out or err).strip() else rc)


def k_device_check(s, a, r, srv):
    if (r.get("device") or {}).get("name") != s["profile"]:
        return False, "not the report's --device profile"
    if s["result"] == "ok" and s["code"] is not None:
        return False, "a device error code for a check that passed"
    if s["check"] == "TLS version":
        got, why = dev_versions(s, r, srv)
    elif s["check"] == "chain depth":
        got, why = dev_depth(s, a, r, srv)
    elif s["check"] == "root catalog":
        got, why = dev_catalog(s, a, r, srv)
    elif s["check"] == "certificate message":
        got, why = dev_cert_msg(s, a, r, srv)
    else:
        return False, "a device check this checker does not know"
    return got == s["result"], why


# ---- the rule of host name matching that failed (RFC 6125; addresses: RFC 5280, 4.2.1.6) ---

def same_ip(x, y):
    for fam in (socket.AF_INET, socket.AF_INET6):
        try:
            return socket.inet_pton(fam, x) == socket.inet_pton(fam, y)
        except OSError:
            pass
    return False


def own_name_rule(host, names, subject):
    """Which rule leaves @host unmatched by a certificate of these names: an address only by
    an iPAddress name; a DNS name by a name equal to it, a "*." wildcard of exactly one
    left-most label, or the CN when there is no DNS name (RFC 6125, 6.4.3, 6.4.4)."""
    host = host.lower().rstrip(".")
    dns = [n[4:].lower().rstrip(".") for n in names.split(", ") if n.startswith("DNS:")]
    ips = [n[3:] for n in names.split(", ") if n.startswith("IP:")]
    cn = (re.findall(r"(?:^|, )CN=([^,]*)", subject) or [""])[-1].lower().rstrip(".")
    if is_ip(host):
        if any(same_ip(host, i) for i in ips):
            return None
        if host in dns or any(d.startswith("*") for d in dns):
            return "ip_needs_ip_san"
        return "ip_only_in_cn" if cn == host else "ip_not_listed"
    first, _, rest = host.partition(".")
    if host in dns or (not dns and cn == host):
        return None
    if any(d.startswith("*.") and "*" not in d[1:] and first and rest and d[2:] == rest
           for d in dns):
        return None
    if any(d.startswith("*.") and "*" not in d[1:] and host.endswith(d[1:]) for d in dns):
        return "wildcard_one_label"
    if any("*" in d for d in dns):
        return "wildcard_misplaced"
    return "cn_ignored" if dns and cn == host else "not_listed"


def k_name_rule(s, a, r, srv):
    c = known_certs(a, srv).get(s["sha256"])
    if not c:
        return False, "no certificate with that SHA-256 was sent"
    x = cert_details(c)
    got = own_name_rule(s["name"], x["names"], c["subject"])
    return got == s["rule"], "names %s, subject %s: %s" % (x["names"], c["subject"], got)


def k_tls_negotiated(s, a, r, srv):
    """The server agrees to the claimed version, suite and ALPN when offered exactly those
    (the client's own preferences among several are not the server's doing)."""
    rc, out, _ = run(["openssl", "ciphers", "-stdname", "ALL:@SECLEVEL=0"])
    names = {p[0]: p[2] for p in (l.split() for l in out.splitlines()) if len(p) >= 3}
    suite = names.get(s["ciphersuite"], s["ciphersuite"])
    cmd = ["-tls1_3", "-ciphersuites", suite] if s["version"] == "TLSv1.3" else \
        ["-tls1_2", "-cipher", suite + ":@SECLEVEL=0"]
    if s["alpn"]:
        cmd += ["-alpn", s["alpn"]]
    out = srv.output(cmd)
    v = re.search(r"^New, (TLSv[0-9.]+), Cipher is (\S+)", out, re.M)
    al = re.search(r"^ALPN protocol: (\S+)", out, re.M)
    if not v:
        return False, "s_client offering only that: no session"
    got = (v.group(1), srv.iana(v.group(2)), al.group(1) if al else None)
    return got == (s["version"], s["ciphersuite"], s["alpn"]), "s_client: %s" % (got,)


def k_client_cert(s, a, r, srv):
    """s_client -msg: a CertificateRequest from the server; our Certificate message with a
    certificate in it (an empty one is 3 bytes in TLS 1.2, 8 in TLS 1.3 with its context)."""
    out = srv.output()
    requested = bool(re.search(r"^<<< .*Handshake \[length [0-9a-f]+\], CertificateRequest",
                               out, re.M))
    ours = [int(n, 16) for n in re.findall(r"^>>> .*Handshake \[length ([0-9a-f]+)\], Certificate$",
                                           out, re.M)]
    sent = any(n > 8 for n in ours)
    got = {"requested": requested, "sent": sent}
    return got == {"requested": s["requested"], "sent": s["sent"]}, "s_client: %s" % got


def k_server_sent(s, a, r, srv):
    got = [c["sha256"] for c in srv.sent()]
    return got == s["sha256"], "s_client: %d certificate(s)" % len(got)


def known_certs(a, srv):
    cs = list(srv.sent())
    if "--cafile" in a:
        cs += certs_in(a["--cafile"])
    return {c["sha256"]: c for c in cs}


def k_server_cert(s, a, r, srv):
    c = known_certs(a, srv).get(s["sha256"])
    if not c:
        return False, "no certificate with that SHA-256 sent or in the CA file"
    x = cert_details(c)
    got = {"subject": c["subject"], "issuer": x["issuer"], "not_before": c["not_before"],
           "not_after": c["not_after"], "names": x["names"], "is_ca": x["is_ca"]}
    if s["key"] is not None:  # the report shows the key and signature when it has them
        got.update(key=x["key"], sig_alg=x["sig_alg"])
    claimed = {k: s[k] for k in got}
    ok = got == claimed and (s["state"] is None or state_now(c) == s["state"])
    diff = {k: got[k] for k in got if got[k] != claimed[k]}
    return ok, "openssl: %s, %s now" % (diff or "as claimed", state_now(c))


def k_cert_is_intermediate(s, a, r, srv):
    if s["seen_in"] == "device_file":
        cs = certs_in(a["--cert"])
    elif s["seen_in"] == "ca_file":
        cs = certs_in(a["--cafile"])
    else:
        cs = srv.sent()
    for c in cs:
        if c["subject"] == s["subject"]:
            x = cert_details(c)
            ok = x["is_ca"] and x["issuer"] != c["subject"]
            return ok, "CA %s, issued by %s" % (x["is_ca"], x["issuer"])
    return False, "no certificate of that subject in the %s" % s["seen_in"]


def k_file_cert_count(s, a, r, srv):
    n = len(certs_in(s["file"]))
    return n == s["count"], "the file holds %d certificate(s)" % n


def k_ca_file_holds(s, a, r, srv):
    got = s["subject"] in [c["subject"] for c in certs_in(s["file"])]
    return got == s["holds"], "the file %s it" % ("holds" if got else "does not hold")


def k_server_name_matches(s, a, r, srv):
    c = known_certs(a, srv).get(s["sha256"])
    if not c:
        return False, "no certificate with that SHA-256 was sent"
    opt = "-checkip" if is_ip(s["name"]) else "-checkhost"
    rc, out, _ = run(["openssl", "x509", "-noout", opt, s["name"]], c["pem"].encode())
    got = "does match" in out
    return got == s["matches"], "openssl x509 %s: %s" % (opt, out.strip())


def k_connect_answer(s, a, r, srv):
    kind, val = connect_answer(a, r, s["version"])
    if kind != s["answer"]:
        return False, "CONNECT got: %s %r" % (kind, val)
    if kind == "connack":
        return val == s["code"], "CONNACK %d" % val
    if kind == "other":
        claimed = bytes.fromhex(s["first_bytes"].replace(" ", ""))
        return val[:len(claimed)] == claimed[:len(val)], "first bytes %s" % val[:16].hex()
    return True, "CONNECT got: %s" % kind


# MQTT 5.0, 2.2.2.2: each property's identifier and the form of its value.
PROP_FORM = {0x01: 1, 0x02: 4, 0x03: "s", 0x08: "s", 0x09: "b", 0x0B: "v", 0x11: 4,
             0x12: "s", 0x13: 2, 0x15: "s", 0x16: "b", 0x17: 1, 0x18: 4, 0x19: 1, 0x1A: "s",
             0x1C: "s", 0x1F: "s", 0x21: 2, 0x22: 2, 0x23: 2, 0x24: 1, 0x25: 1, 0x26: "p",
             0x27: 4, 0x28: 1, 0x29: 1, 0x2A: 1}


def properties(buf):
    """{identifier: [values]} of an MQTT 5.0 property block (without its length)."""
    out, at = {}, 0
    while at < len(buf):
        pid, at = buf[at], at + 1
        form = PROP_FORM[pid]
        if isinstance(form, int):
            val, at = int.from_bytes(buf[at:at + form], "big"), at + form
        elif form == "v":
            val = 0
            for k in range(4):
                val |= (buf[at] & 0x7F) << (7 * k)
                at += 1
                if not buf[at - 1] & 0x80:
                    break
        else:
            n = int.from_bytes(buf[at:at + 2], "big")
            val, at = buf[at + 2:at + 2 + n], at + 2 + n
            if form == "p":
                m = int.from_bytes(buf[at:at + 2], "big")
                val, at = (val, buf[at + 2:at + 2 + m]), at + 2 + m
        out.setdefault(pid, []).append(val)
    return out


def k_server_reference(s, a, r, srv):
    sock = mqtt_socket(a, r)
    sock.settimeout(a["timeout"] + 1)
    try:
        sock.sendall(connect_packet("5.0", r["target"]["client_id"], a.get("-u"), a.get("-P")))
        p = read_packet(sock)
    finally:
        sock.close()
    if not p or p[0] != 0x20:
        return False, "no CONNACK"
    body, at, n, mult = p[1], 2, 0, 1
    while True:
        n += (body[at] & 0x7F) * mult
        mult *= 128
        at += 1
        if not body[at - 1] & 0x80:
            break
    refs = [v.decode() for v in properties(body[at:at + n]).get(0x1C, [])]
    return refs == [s["reference"]], "CONNACK Server Reference: %s" % refs


def k_roundtrip(s, a, r, srv):
    sess = Session(a, r, s["version"], s["topic"])
    try:
        got = sess.run()
    finally:
        sess.s.close()
    claimed = {k: s[k] for k in got}
    diff = {k: got[k] for k in got if got[k] != claimed[k]}
    return not diff, "the checker's round trip: %s" % (diff or "as claimed")


CHECKS = {
    "roundtrip": k_roundtrip, "client_cert": k_client_cert, "server_reference": k_server_reference,
    "clock": k_clock, "host_is_aws_iot": k_host_is_aws_iot,
    "alpn_auto_aws_iot_443": k_alpn_auto, "alpn_auto_amazonaws_443": k_alpn_auto_amazonaws,
    "ca_file_subjects": k_ca_file_subjects,
    "cert_dates": k_cert_dates, "cert_time_invalid": k_cert_time_invalid,
    "key_matches_cert": k_key_matches_cert, "key_rsa_below_2048": k_key_rsa_below_2048,
    "dns_resolves": k_dns_resolves, "dns_fails": k_dns_fails, "tcp_connects": k_tcp_connects,
    "tcp_fails": k_tcp_fails, "tls_answer": k_tls_answer, "alert_received": k_alert_received,
    "tls_negotiated": k_tls_negotiated, "server_sent": k_server_sent,
    "server_cert": k_server_cert, "cert_is_intermediate": k_cert_is_intermediate,
    "file_cert_count": k_file_cert_count, "ca_file_holds": k_ca_file_holds,
    "server_name_matches": k_server_name_matches, "connect_answer": k_connect_answer,
    "port_speaks_tls": k_port_speaks_tls, "alert_sent": k_alert_sent, "finding": k_finding,
    "path_len": k_path_len, "clock_suspect": k_clock_suspect, "device_check": k_device_check,
    "name_rule": k_name_rule,
}


def main(argv):
    if len(argv) < 3 or argv[2] != "--":
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    report = json.load(open(argv[1], encoding="utf-8"))
    a = parse_args(argv[3:])
    tcp = [s for s in report.get("statements", []) if s.get("kind") == "tcp_connects"]
    a["address"] = tcp[0]["address"] if tcp else a["conn_host"]
    srv = Server(a, report)
    bad = 0
    if "statements" not in report:
        print("FALSE  the report has no statements")
        return 1
    for s in report["statements"]:
        check = CHECKS.get(s.get("kind"))
        if not check:
            bad += 1
            print("UNKNOWN %s: a statement kind this checker does not know" % json.dumps(s))
            continue
        try:
            ok, why = check(s, a, report, srv)
        except Exception as e:  # a check that cannot run proves nothing
            ok, why = False, "the check failed: %s: %s" % (type(e).__name__, e)
        bad += not ok
        print("%s %s  (%s)" % ("ok    " if ok else "FALSE ", json.dumps(s), why))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
