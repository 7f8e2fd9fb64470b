#!/usr/bin/env bash
# End to end: an axum hello-world on 127.0.0.1 under wrk, bare, behind tower-cors and behind
# tower-http's CorsLayer (same configuration), each request a simple GET from an allowed origin.
#
#   bash benches/e2e.sh [ROUNDS] [SECONDS]     (default 3 rounds of 10 s per server)
#
# The server runs on one worker thread and wrk on one thread, so each has one of the two cores.
# Rounds interleave the three servers (bare, tower-cors, tower-http, bare, ...) so that load from
# elsewhere on the machine falls on all three alike; the median of the rounds is reported, both
# of requests/s and of the server's CPU time per request (from /proc/PID/stat), the second being
# the steadier when other work shares the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
rounds=${1:-3}
seconds=${2:-10}
port=38471

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

server=$(cargo bench --bench e2e_server --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | cut -d'"' -f4 | grep '/e2e_server-')

pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# Requests per second for one run of one server.
run() {
  "$server" serve "$1" "$port" & pid=$!
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
  done
  # The layer is really there: CORS headers behind a layer, none on the bare server.
  local acao
  acao=$(curl -s -D - -o /dev/null -H 'Origin: https://www.example.com' "http://127.0.0.1:$port/" \
    | grep -ci '^access-control-allow-origin: https://www.example.com' || true)
  if [ "$1" = bare ] && [ "$acao" != 0 ] || [ "$1" != bare ] && [ "$acao" != 1 ]; then
    echo "$1: unexpected Access-Control-Allow-Origin" >&2; exit 1
  fi
  # A short warm-up, then the measured run.
  wrk -t1 -c32 -d1s -H 'Origin: https://www.example.com' "http://127.0.0.1:$port/" >/dev/null
  # CPU time the server spent (user + system, in clock ticks), per request served: what the
  # layer costs the server, much less disturbed by other load on the machine than throughput.
  local before after out
  before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  out=$(wrk -t1 -c32 -d"${seconds}s" -H 'Origin: https://www.example.com' "http://127.0.0.1:$port/")
  after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  # Stopped before answering, so the next server can bind the port.
  cleanup; pid=
  echo "$out" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    / requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%s %.3f\n", rps, 1e6 * ticks / hz / requests }'
}

declare -A results cpu
for r in $(seq "$rounds"); do
  for mode in bare tower-cors tower-http; do
    read -r rps us < <(run "$mode")
    [ -n "$rps" ] || { echo "$mode: no result" >&2; exit 1; }
    results[$mode]="${results[$mode]:-} $rps"
    cpu[$mode]="${cpu[$mode]:-} $us"
    echo "round $r: $mode $rps req/s, $us µs of server CPU per request" >&2
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
bare=$(echo "${results[bare]}" | median)
bare_cpu=$(echo "${cpu[bare]}" | median)
echo
echo "| server | requests/s (median of $rounds x ${seconds} s) | runs | vs bare | server CPU µs/request (median) | requests per CPU-second vs bare |"
echo "|---|--:|---|--:|--:|--:|"
for mode in bare tower-cors tower-http; do
  m=$(echo "${results[$mode]}" | median)
  c=$(echo "${cpu[$mode]}" | median)
  printf '| %s | %.0f | %s | %s | %.2f | %s |\n' "$mode" "$m" "$(echo ${results[$mode]} | tr ' ' '/')" \
    "$(awk -v a="$m" -v b="$bare" 'BEGIN { printf "%.1f%%", 100 * a / b }')" "$c" \
    "$(awk -v a="$c" -v b="$bare_cpu" 'BEGIN { printf "%.1f%%", 100 * b / a }')"
done
