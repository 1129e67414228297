#!/usr/bin/env bash
# Code size of the library core for Cortex-M4 (arm-none-eabi-gcc, thumb, hard float,
# -ffunction-sections -fdata-sections -DNDEBUG), per file and in total, at -Os and -O2, for
# three configurations, and the AWS IoT device helpers (src/aws/) on a line of their own. The
# image is what a device client links: the blocking layer, status sentences and broker-side
# packets are compiled out (MQTLS_CFG_SYNC/TEXT/SERVER_CODEC=0).
#
#   scripts/size.sh           print the tables
#   scripts/size.sh --check   also say when "full -Os" exceeds the budget in scripts/size-budget
#                             (exit 77: a target missed, with its figure; ctest: not met)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=0
[ "${1:-}" = "--check" ] && check=1
command -v arm-none-eabi-gcc >/dev/null || { echo "size: arm-none-eabi-gcc not found (run scripts/bootstrap.sh)"; exit 1; }

device="MQTLS_CFG_SYNC=0;MQTLS_CFG_TEXT=0;MQTLS_CFG_SERVER_CODEC=0"
declare -A defs=(
  [full]="$device"
  [3.1.1-only]="$device;MQTLS_CFG_MQTT5=0"
  [qos1]="$device;MQTLS_CFG_QOS2=0"
)
order=(full 3.1.1-only qos1)
out=${MQTLS_SIZE_DIR:-build-size}
declare -A totals aws_totals

# 9876 -> 9,876
group() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

for cfg in "${order[@]}"; do
  for opt in Os O2; do
    type=$([ $opt = Os ] && echo MinSizeRel || echo Release)
    dir="$out/$cfg-$opt"
    cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm-none-eabi.cmake -Wno-dev \
      -DCMAKE_BUILD_TYPE=$type "-DMQTLS_CORE_DEFS=${defs[$cfg]}" >/dev/null 2>&1
    # Objects are counted from the build tree: one of a source file that has moved or gone
    # would be counted too, so each run builds the core afresh.
    find "$dir/CMakeFiles/mqtls_core.dir" "$dir/CMakeFiles/mqtls_aws.dir" -name '*.obj' \
      -delete 2>/dev/null || true
    cmake --build "$dir" --target mqtls_core mqtls_aws --parallel 2 >/dev/null
    mapfile -t objs < <(find "$dir/CMakeFiles/mqtls_core.dir" -name '*.obj' | sort)
    echo
    echo "## $cfg, -$opt   (${defs[$cfg]//;/ })"
    printf '%-22s %7s %6s %6s\n' file text data bss
    sum=0
    while read -r text data bss _ _ file; do
      [ "$text" = text ] && continue
      printf '%-22s %7d %6d %6d\n' "$(basename "$file" .c.obj)" "$text" "$data" "$bss"
      sum=$((sum + text + data))
    done < <(arm-none-eabi-size "${objs[@]}")
    totals[$cfg-$opt]=$sum
    echo "$cfg -$opt total $(group "$sum") (text+data)"
    # The AWS IoT device helpers (src/aws/, libmqtls_aws): a library of their own that a
    # device links only if it uses them, so their own line, outside the core's total and
    # budget. They do not depend on the core's knobs: the full configuration reports them.
    if [ "$cfg" = full ]; then
      mapfile -t aws_objs < <(find "$dir/CMakeFiles/mqtls_aws.dir" -name '*.obj' | sort)
      aws=0
      while read -r text data _ _ _ file; do
        [ "$text" = text ] && continue
        printf '  aws/%-17s %7d %6d\n' "$(basename "$file" .c.obj)" "$text" "$data"
        aws=$((aws + text + data))
      done < <(arm-none-eabi-size "${aws_objs[@]}")
      aws_totals[$opt]=$aws
      echo "aws helpers -$opt total $(group "$aws") (text+data; src/aws/, not in the total above)"
    fi
  done
done

echo
echo "## Summary (text+data, bytes)"
for cfg in "${order[@]}"; do
  echo "$cfg total $(group "${totals[$cfg-Os]}") at -Os, $(group "${totals[$cfg-O2]}") at -O2"
done
echo "aws helpers total $(group "${aws_totals[Os]}") at -Os, $(group "${aws_totals[O2]}") at -O2" \
  "(libmqtls_aws, linked only by devices that use it)"

# RAM: the context and the tables a caller provides, sized by the target's ABI.
probe="$out/ram_probe.c"
cat > "$probe" <<'C'
#include "mqtls/client.h"
const char sizeof_mqtls_client_t[sizeof(mqtls_client_t)];
const char sizeof_mqtls_inflight_t[sizeof(mqtls_inflight_t)];
const char sizeof_qos2_id[sizeof(uint16_t)];
const char sizeof_mqtls_ram_store_t[sizeof(mqtls_ram_store_t)];
const char sizeof_mqtls_packet_t[sizeof(mqtls_packet_t)];
C
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c11 -Iinclude \
  -DMQTLS_CFG_SYNC=0 -DMQTLS_CFG_TEXT=0 -DMQTLS_CFG_SERVER_CODEC=0 -c "$probe" -o "$out/ram_probe.o"
echo
echo "## RAM (bytes, Cortex-M4; the caller owns all of it)"
arm-none-eabi-nm -S -t d "$out/ram_probe.o" | awk '{sub("sizeof_", "", $4); printf "%-20s %6d\n", $4, $2}'

# Stack: the deepest path of each public call, from -fcallgraph-info (full, -Os).
echo
echo "## Stack (bytes, full -Os; add your transport's and callback's own stack)"
python3 scripts/stack_depth.py "$out/full-Os"

if [ $check = 1 ]; then
  budget=$(awk '$1 == "full" {print $2}' scripts/size-budget)
  if [ "${totals[full-Os]}" -gt "$budget" ]; then
    # The budget only ever goes down: a code size over it is a target missed, reported with
    # its figure (exit 77: ctest lists size/budget as not met) rather than a budget raised.
    echo "TARGET MISSED: full -Os is $(group "${totals[full-Os]}") bytes," \
         "$(group $((totals[full-Os] - budget))) over the budget of $(group "$budget")" \
         "(scripts/size-budget; the goal is 10,000, docs/size.md)"
    exit 77
  fi
  echo "full -Os ${totals[full-Os]} bytes is within the budget of $budget"
fi
