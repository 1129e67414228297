#!/usr/bin/env python3
"""Checks that the calls between the files of a directory form no cycle (docs/design.md:
the session is layered, each file calling only the files below it).

Usage: check_cycles.py CI_DIR [PREFIX]
  CI_DIR  holds the .ci files of objects compiled with -fcallgraph-info=su
  PREFIX  only files whose path contains it (default: src/session/)

Prints the file-level edges and exits 0, or names a cycle and exits 1 (2: no .ci files).
Calls through function pointers (the event callback, the transport) are not edges: they
are where a layer hands control up without depending on the layer above."""
import sys

from callgraph import read_dir


def file_graph(g, prefix):
    """file -> {file it calls: one function call that shows it}."""
    def short(fn):  # the file from PREFIX on (the .ci files name it as the compiler saw it)
        f = g.files.get(fn) or ""
        return f[f.index(prefix):] if prefix in f else None

    edges = {}
    for fn, callees in g.calls.items():
        src = short(fn)
        if not src:
            continue
        edges.setdefault(src, {})
        for callee in callees:
            dst = short(callee)
            if dst and dst != src:
                edges[src].setdefault(dst, f"{fn} -> {callee}")
    return edges


def find_cycle(edges):
    """A list of files [a, b, ..., a] that call each other in a circle, or None."""
    state, stack = {}, []

    def visit(f):
        state[f] = 1
        stack.append(f)
        for d in sorted(edges.get(f, {})):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[f] = 2
        return None

    for f in sorted(edges):
        if f not in state:
            found = visit(f)
            if found:
                return found
    return None


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    prefix = sys.argv[2] if len(sys.argv) > 2 else "src/session/"
    g = read_dir(sys.argv[1])
    edges = file_graph(g, prefix)
    if not edges:
        print(f"check_cycles: no functions of {prefix} in {sys.argv[1]}", file=sys.stderr)
        sys.exit(2)
    cycle = find_cycle(edges)
    if cycle:
        print("check_cycles: the files call each other in a circle: " + " -> ".join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            print(f"  {a} -> {b}: {edges[a][b]}")
        sys.exit(1)
    for src in sorted(edges):
        print(f"{src} -> {', '.join(sorted(edges[src])) or '(nothing)'}")
    print(f"check_cycles: ok ({len(edges)} files of {prefix}, no cycle)")


if __name__ == "__main__":
    main()
