#!/usr/bin/env bash
# Every micro-benchmark, then the summary table: bash benches/run.sh
#
# `bash benches/run.sh --instructions` skips criterion: instructions and allocations only, in
# seconds, whatever else the machine is doing.
#
# 1. criterion (benches/cors.rs): tower-cors and tower-http, scenario by scenario, same run;
# 2. callgrind (if valgrind is installed): instructions per request, independent of load;
# 3. the summary (benches/summary.rs): medians, instructions and allocation counts, one table,
#    ending with `worst ratio vs tower-http: X.XX`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

# Results of an earlier run would be read as this run's.
rm -rf "$CARGO_TARGET_DIR/criterion" "$CARGO_TARGET_DIR/callgrind"

if [ "${1:-}" != "--instructions" ]; then
  cargo bench --bench cors
fi

summary=$(cargo bench --bench summary --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | cut -d'"' -f4 | grep '/summary-')

if command -v valgrind >/dev/null; then
  mkdir -p "$CARGO_TARGET_DIR/callgrind"
  # Collect only inside summary::callgrind_region and write one profile each time it returns:
  # callgrind.out.1, .2, ... one per (scenario, library), in the table's order.
  valgrind --tool=callgrind --collect-atstart=no \
    --toggle-collect='summary::callgrind_region' --dump-after='summary::callgrind_region' \
    --callgrind-out-file="$CARGO_TARGET_DIR/callgrind/callgrind.out" \
    "$summary" callgrind 2>"$CARGO_TARGET_DIR/callgrind/valgrind.log"
else
  echo "valgrind not found: the table has no instruction counts" >&2
fi

"$summary"
