#!/usr/bin/env python3
"""Stack of the device bill's image (scripts/size_device.sh), from -fcallgraph-info=su.

Usage: device_stack.py DIR   (DIR: the build tree of bench/size, with its .ci files)

A function's depth is its frame plus its deepest callee, over direct calls. Mbed TLS calls
much through pointers (the record layer's send/recv callbacks, the PK and cipher wrappers,
the transport under mqtls), which a call graph cannot follow: a path that stops at one is
marked '+ indirect'. So the table gives, per entry point, the deepest direct path, and then
the deepest functions of the whole image: an indirect call lands in one of them at worst.
The estimate at the end adds the deepest direct path of the handshake and the deepest
function reached through a pointer; it is an estimate (pointer calls may nest), not a bound.
Recursion (Mbed TLS has none on these paths) is cut and named."""
import sys

from callgraph import read_dir

graph = read_dir(sys.argv[1])
frames, calls = graph.frames, graph.calls
by_short = {}
for fn in frames:
    by_short.setdefault(fn.split(":")[-1], fn)

memo, cycles = {}, set()


def depth(fn, path=()):
    """(bytes, whether an indirect call was skipped on the way, the path)."""
    if fn in memo:
        return memo[fn]
    best = (0, False, [])
    for callee in calls.get(fn, []):
        if callee == "__indirect_call":
            best = max(best, (0, True, ["<indirect>"]), key=lambda t: t[0])
            continue
        if callee in path or callee == fn:
            cycles.add(callee.split(":")[-1])
            continue
        if callee not in frames:  # the C library's, not compiled here: a few bytes
            continue
        d = depth(callee, path + (fn,))
        if d[0] > best[0] or (d[0] == best[0] and d[1]):
            best = d
    result = (frames[fn] + best[0], best[1] or "<indirect>" in best[2], [fn] + best[2])
    memo[fn] = result
    return result


def show(name):
    fn = by_short.get(name)
    if not fn:
        return None
    total, indirect, path = depth(fn)
    names = [p.split(":")[-1] for p in path]
    if len(names) > 7:  # the entry, its first calls and where the path ends
        names = names[:4] + ["…"] + names[-2:]
    short = " > ".join(names)
    print(f"| {name} | {total:,}{' + indirect' if indirect else ''} | {short} |")
    return total


print("| entry | stack bytes (direct calls) | deepest path |")
print("|---|---:|---|")
ENTRIES = ["main", "mqtls_tls_ctx_new", "mqtls_step", "tls_connect", "tls_send", "tls_recv",
           "mbedtls_ssl_handshake"]
hs = [show(e) for e in ENTRIES]
TARGETS = ["mbedtls_pk_verify_ext", "mbedtls_pk_sign_ext", "rsa_verify_wrap",
           "ecdsa_verify_wrap", "ecdsa_sign_wrap", "psa_sign_hash", "psa_verify_hash",
           "psa_raw_key_agreement", "mbedtls_x509_crt_verify_with_profile",
           "mqtls__tls_io_recv", "mqtls__tls_io_send", "mbedtls_ecp_mul"]
print("\nFunctions reached through pointers or doing the heavy crypto:\n")
print("| function | stack bytes (direct calls) | deepest path |")
print("|---|---:|---|")
reached = [t for t in (show(n) for n in TARGETS) if t]
top = sorted(((depth(f)[0], f) for f in frames), reverse=True)[:5]
print("\nDeepest functions of the image: " +
      ", ".join(f"{f.split(':')[-1]} {d:,}" for d, f in top))
if cycles:
    print("Recursion cut at: " + ", ".join(sorted(cycles)))
handshake = max(t for t in hs if t)
estimate = handshake + (max(reached) if reached else 0)
print(f"\nEstimate of the peak stack: {estimate:,} bytes (the deepest direct path of the "
      f"entries, {handshake:,}, + the deepest function reached through a pointer, "
      f"{max(reached) if reached else 0:,})")
print(f"STACK_ESTIMATE={estimate}")
