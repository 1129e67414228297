#!/bin/sh
# Fails if any object of the library core references an allocator.
# Usage: check_no_heap.sh libmqtls_core.a
set -eu
lib=$1
[ -f "$lib" ] || { echo "no such library: $lib"; exit 1; }
objs=$(nm -A "$lib" 2>/dev/null | grep -c ' [TtDdBbRr] ' || true)
[ "$objs" -gt 0 ] || { echo "$lib defines no symbols: nothing was checked"; exit 1; }
bad=$(nm -u -A "$lib" | grep -E ' U (malloc|calloc|realloc|free|aligned_alloc|posix_memalign|strdup|strndup)$' || true)
if [ -n "$bad" ]; then
  echo "heap use in the library core:"; echo "$bad"; exit 1
fi
echo "core objects reference no allocator:"
nm -u "$lib" | awk '{print $2}' | sort -u | tr '\n' ' '; echo
