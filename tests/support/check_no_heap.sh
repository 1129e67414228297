#!/bin/sh
# Fails if any object of the given libraries (the library core, the AWS IoT device helpers)
# references an allocator.
# Usage: check_no_heap.sh libmqtls_core.a [libmqtls_aws.a ...]
set -eu
[ $# -gt 0 ] || { echo "usage: check_no_heap.sh LIBRARY..."; exit 1; }
for lib in "$@"; do
  [ -f "$lib" ] || { echo "no such library: $lib"; exit 1; }
  objs=$(nm -A "$lib" 2>/dev/null | grep -c ' [TtDdBbRr] ' || true)
  [ "$objs" -gt 0 ] || { echo "$lib defines no symbols: nothing was checked"; exit 1; }
  bad=$(nm -u -A "$lib" | grep -E ' U (malloc|calloc|realloc|free|aligned_alloc|posix_memalign|strdup|strndup)$' || true)
  if [ -n "$bad" ]; then
    echo "heap use in $lib:"; echo "$bad"; exit 1
  fi
  echo "$(basename "$lib") references no allocator; it uses:"
  nm -u "$lib" | awk '{print $2}' | sort -u | tr '\n' ' '; echo
done
