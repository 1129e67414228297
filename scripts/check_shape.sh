#!/usr/bin/env bash
# The shape of the code (docs/design.md, "Shape"): no function in src/ or tools/ longer than
# MAX_FUNC lines (80), no .c file there longer than MAX_FILE lines (800). Function lengths
# are pmccabe's (Debian's pmccabe: from the line of the function's name to its closing
# brace), file lengths wc's.
#
#   scripts/check_shape.sh            checks, prints each offender, exits 1 if there is one
#   scripts/check_shape.sh --top N    also lists the N longest functions (to see what comes next)
#
# Exits 2 when pmccabe is missing (scripts/bootstrap.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

MAX_FUNC=${MAX_FUNC:-80}
MAX_FILE=${MAX_FILE:-800}
top=0
case "${1:-}" in
  --top) top=${2:?--top needs a number} ;;
  "") ;;
  *) echo "usage: $0 [--top N]" >&2; exit 2 ;;
esac
command -v pmccabe >/dev/null 2>&1 || {
  echo "check_shape: pmccabe not found (run scripts/bootstrap.sh)" >&2; exit 2; }

mapfile -t files < <(find src tools -name '*.c' | sort)
bad=0

# pmccabe's columns: modified and traditional complexity, statements, first line, lines,
# "file(line): function".
funcs=$(pmccabe "${files[@]}")
long=$(awk -v max="$MAX_FUNC" '$5 > max { $1 = $2 = $3 = $4 = ""; print }' <<<"$funcs" |
       sed 's/^ *//' | sort -rn)
if [[ -n $long ]]; then
  echo "check_shape: functions longer than $MAX_FUNC lines (lines, where):"
  sed 's/^/  /' <<<"$long"
  bad=1
fi

for f in "${files[@]}"; do
  n=$(wc -l <"$f")
  if (( n > MAX_FILE )); then
    echo "check_shape: $f has $n lines (at most $MAX_FILE)"
    bad=1
  fi
done

if (( top > 0 )); then
  echo "check_shape: the $top longest functions:"
  awk '{ $1 = $2 = $3 = $4 = ""; print }' <<<"$funcs" | sed 's/^ *//' | sort -rn | head -n "$top" |
    sed 's/^/  /'
fi

nfunc=$(wc -l <<<"$funcs")
if (( bad )); then
  echo "check_shape: FAILED (${#files[@]} files, $nfunc functions)"
  exit 1
fi
echo "check_shape: ok (${#files[@]} files, $nfunc functions; at most $MAX_FUNC lines per function, $MAX_FILE per file)"
