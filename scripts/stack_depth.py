#!/usr/bin/env python3
"""Worst-case stack depth of the public calls, from GCC's -fcallgraph-info=su output.

Usage: stack_depth.py DIR   (DIR holds the .ci files of one build of the core)

Each function's frame comes from GCC; a call's depth is its frame plus the deepest callee.
Calls through function pointers (the transport, the platform clock, the message store, the
event callback) cannot be followed: their stack is the caller's to add, and is printed as
'+ indirect'."""
import sys

from callgraph import read_dir

PUBLIC = ["mqtls_connect", "mqtls_step", "mqtls_publish", "mqtls_subscribe",
          "mqtls_unsubscribe", "mqtls_disconnect", "mqtls_auth", "mqtls_flush", "mqtls_abort",
          "mqtls_client_free", "mqtls_next_timeout_ms", "mqtls_encode", "mqtls_decode",
          "mqtls_encode_publish_header",
          # The AWS IoT device helpers (src/aws/, when their .ci files are in DIR).
          "mqtls_aws_topic_build", "mqtls_aws_topic_match", "mqtls_aws_json_find",
          "mqtls_aws_json_get_string", "mqtls_aws_shadow_update_doc",
          "mqtls_aws_job_update_doc", "mqtls_aws_register_thing_doc"]

graph = read_dir(sys.argv[1])
frames, calls = graph.frames, graph.calls

memo = {}


def depth(fn, path=()):
    """(bytes, calls through pointers on the deepest path, the path)."""
    if fn in memo:
        return memo[fn]
    if fn in path:  # recursion would make the bound meaningless: say so
        raise SystemExit("stack_depth: recursion through " + " -> ".join(path + (fn,)))
    best = (0, False, [])
    for callee in calls.get(fn, []):
        if callee == "__indirect_call":
            best = max(best, (0, True, ["<indirect>"]), key=lambda t: t[0])
            continue
        if callee not in frames:  # a libc builtin (memcpy, memset): leaf, a few bytes
            continue
        d = depth(callee, path + (fn,))
        if d[0] > best[0] or (d[0] == best[0] and d[1]):
            best = d
    result = (frames.get(fn, 0) + best[0], best[1] or "<indirect>" in best[2], [fn] + best[2])
    memo[fn] = result
    return result


print(f"{'public call':32} {'stack bytes':>11}  deepest path")
for fn in PUBLIC:
    if fn not in frames:
        continue
    total, indirect, path = depth(fn)
    short = " > ".join(p.split(":")[-1] for p in path)
    print(f"{fn:32} {total:>11}{' + indirect' if indirect else ''}  {short}")
