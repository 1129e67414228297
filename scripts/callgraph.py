"""Reads GCC's -fcallgraph-info=su output (.ci files, one per object) into one call graph.

Shared by stack_depth.py (stack bounds) and check_cycles.py (calls between files). Each .ci
file is a VCG graph titled with its source file: a node with a frame size ("N bytes") is a
function defined in that file; the other nodes are callees defined elsewhere."""
import pathlib
import re

GRAPH = re.compile(r'graph: \{ title: "([^"]+)"')
NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
FRAME = re.compile(r"\\n(\d+) bytes")


class CallGraph:
    """frames: function -> stack bytes; calls: function -> callees (in call order, repeated
    per call site); files: function -> the source file that defines it."""

    def __init__(self):
        self.frames, self.calls, self.files = {}, {}, {}

    def read(self, ci):
        unit = None
        for line in pathlib.Path(ci).read_text().splitlines():
            m = GRAPH.match(line)
            if m:
                unit = m.group(1)
                continue
            m = NODE.match(line)
            if m:
                size = FRAME.search(m.group(2))
                if size:  # defined here
                    self.frames[m.group(1)] = int(size.group(1))
                    self.files[m.group(1)] = unit
                continue
            m = EDGE.match(line)
            if m:
                self.calls.setdefault(m.group(1), []).append(m.group(2))


def read_dir(path):
    """The call graph of every .ci file under @p path."""
    g = CallGraph()
    for ci in sorted(pathlib.Path(path).rglob("*.ci")):
        g.read(ci)
    return g
