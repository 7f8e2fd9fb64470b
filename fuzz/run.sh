#!/usr/bin/env bash
# Runs every fuzz target for a fixed time and fails if any of them crashes (a panic, a failed
# invariant, an AddressSanitizer report, a timeout or a leak).
#
# Works on the machine's *stable* toolchain: cargo-fuzz passes nightly-only flags to rustc
# (-Zsanitizer=address, the coverage instrumentation), and RUSTC_BOOTSTRAP=1 lets stable rustc
# accept them; the AddressSanitizer runtime ships with rust-std on x86_64 Linux. Installs
# cargo-fuzz (pinned, --locked) only if that version is not already there.
#
#   bash fuzz/run.sh                 # every target, 20 s each
#   FUZZ_SECONDS=300 bash fuzz/run.sh evaluate
#   FUZZ_SANITIZER=none bash fuzz/run.sh   # faster, without AddressSanitizer
#
# New inputs go to fuzz/corpus/<target>/ (not committed); the seeds are fuzz/seeds/<target>/.
# A crashing input is written to fuzz/artifacts/<target>/; replay it with
#   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O -a <target> artifacts/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.2
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
SANITIZER="${FUZZ_SANITIZER:-address}"
if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    TARGETS=(origin request_headers build_policy evaluate)
fi

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    echo "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

export RUSTC_BOOTSTRAP=1
# -O: optimised, as fuzzing wants; -a: with debug assertions (overflow checks included).
# The build goes outside the clone by default, so that a later run on the same machine (a CI
# run in a fresh clone) reuses the compiled dependencies; FUZZ_TARGET_DIR overrides it.
TARGET_DIR="${FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tower-cors/fuzz-target}"
FLAGS=(-O -a --sanitizer "$SANITIZER" --target-dir "$TARGET_DIR")
start=$(date +%s)
cargo fuzz build "${FLAGS[@]}"
echo "fuzz targets built in $(($(date +%s) - start)) s"

logs=$(mktemp -d)
passed=0
failed=0
for target in "${TARGETS[@]}"; do
    mkdir -p "corpus/$target"
    log="$logs/$target.log"
    printf '%-16s %3s s ... ' "$target" "$SECONDS_PER_TARGET"
    # -timeout: one input taking over 10 s is a failure (work must stay bounded).
    if cargo fuzz run "${FLAGS[@]}" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        echo "ok (${runs:-?} inputs)"
        passed=$((passed + 1))
    else
        echo "FAILED"
        grep -v '^#\|^"' "$log" | tail -40
        failed=$((failed + 1))
    fi
done
rm -rf "$logs"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
