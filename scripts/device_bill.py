#!/usr/bin/env python3
"""The device bill from a GNU ld map file: flash and static RAM per part of the image.

Usage: device_bill.py MAP [--top N]

Reads the memory map of the linked image (the part after "Linker script and memory map";
what --gc-sections discarded is listed before it and not counted) and sums every input
section by the archive or object it came from, into the parts of the bill:
  mqtls core     libbill_core.a      (src/codec, src/session, src/store, src/status.c)
  TLS transport  libbill_tls.a       (src/tls/tls.c, src/tls/mbedtls/)
  Mbed TLS       libbill_mbedtls.a   (config/mbedtls_device.h)
  libc           newlib-nano, libgcc, the C runtime (crt*.o), libnosys
  board + app    device_client.c, board.c: the firmware's own, outside the bill
Flash = text + rodata + data (its initial values live in flash); static RAM = data + bss.
With --top N, also the N largest objects of each archive (where the bytes go)."""
import re
import sys
from collections import defaultdict

PARTS = [("mqtls core", "libbill_core.a"), ("TLS transport", "libbill_tls.a"),
         ("Mbed TLS", "libbill_mbedtls.a"), ("libc", None), ("board + app", None)]
SECTION = re.compile(r"^ (\.[^\s]+|COMMON)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+))?$")
CONT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
LIBC = ("libc_nano.a", "libg_nano.a", "libgcc.a", "libnosys.a", "crt0.o", "crti.o",
        "crtn.o", "crtbegin.o", "crtend.o")


def kind(name):
    """text, rodata, data, bss, or None (debug, comments: not in the image)."""
    if name.startswith((".text", ".init", ".fini", ".ARM.exidx", ".ARM.extab", ".glue",
                        ".vfp11", ".v4_bx", ".iplt")):
        return "text"
    if name.startswith(".rodata"):
        return "rodata"
    if name.startswith((".data", ".init_array", ".fini_array", ".preinit_array", ".got",
                        ".igot", ".tm_clone")):
        return "data"
    if name.startswith((".bss", "COMMON", ".tbss", ".sbss")) or name == "COMMON":
        return "bss"
    return None


def part_of(origin):
    """(part, object) of an input section's origin: 'libx.a(file.c.obj)' or a path."""
    m = re.match(r"(?:.*/)?([^/(]+)\(([^)]+)\)$", origin)
    lib, obj = (m.group(1), m.group(2)) if m else (origin.rsplit("/", 1)[-1], None)
    for part, archive in PARTS:
        if archive and lib == archive:
            return part, obj
    if lib in LIBC:
        return "libc", obj or lib
    return "board + app", obj or lib


def read(path):
    sums = defaultdict(lambda: defaultdict(int))
    objs = defaultdict(lambda: defaultdict(int))
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    pending = None
    for line in lines[start:]:
        m = SECTION.match(line)
        if m and m.group(2) is None:
            pending = m.group(1)  # a long name: address, size and origin on the next line
            continue
        if m:
            name, addr, size, origin = m.group(1), m.group(2), m.group(3), m.group(4)
        else:
            c = CONT.match(line) if pending else None
            if not c:
                pending = None
                continue
            name, addr, size, origin = pending, c.group(1), c.group(2), c.group(3)
        pending = None
        k = kind(name)
        if k is None or int(addr, 16) == 0 and k != "bss" or "load address" in origin:
            continue
        part, obj = part_of(origin.strip())
        sums[part][k] += int(size, 16)
        objs[part][obj] += int(size, 16) if k != "bss" else 0
    return sums, objs


def main():
    path = sys.argv[1]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 0
    sums, objs = read(path)
    print(f"| part | text | rodata | data | bss | flash (text+rodata+data) | static RAM (data+bss) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    tot = defaultdict(int)
    for part, _ in PARTS:
        s = sums[part]
        flash, ram = s["text"] + s["rodata"] + s["data"], s["data"] + s["bss"]
        for k in ("text", "rodata", "data", "bss"):
            tot[k] += s[k]
        print(f"| {part} | {s['text']:,} | {s['rodata']:,} | {s['data']:,} | {s['bss']:,} "
              f"| {flash:,} | {ram:,} |")
    bill = {k: sum(sums[p][k] for p, _ in PARTS if p != "board + app") for k in tot}
    for label, s in (("the bill (all but board + app)", bill), ("the image", tot)):
        print(f"| **{label}** | {s['text']:,} | {s['rodata']:,} | {s['data']:,} | "
              f"{s['bss']:,} | **{s['text'] + s['rodata'] + s['data']:,}** | "
              f"**{s['data'] + s['bss']:,}** |")
    for part, _ in PARTS[:3] if top else []:
        print(f"\nLargest objects of {part} (text+rodata+data):")
        for obj, n in sorted(objs[part].items(), key=lambda t: -t[1])[:top]:
            print(f"  {n:>7,}  {obj}")
    print(f"BILL_FLASH={bill['text'] + bill['rodata'] + bill['data']}")
    print(f"BILL_RAM={bill['data'] + bill['bss']}")


if __name__ == "__main__":
    main()
