#!/usr/bin/env bash
# The real-browser suite, as .ci/run calls it:
#   1. installs Debian's Chromium if /usr/bin/chromium is missing (apt-get, as root);
#   2. installs the driver's one npm dependency (playwright-core) with `npm ci`;
#   3. fails loudly if Chromium cannot start headless;
#   4. runs every scenario in Chromium (CORS_BROWSER=1 cargo test --test browser): real verdict ==
#      expected verdict, model verdict == both; rewrites tests/browser/recorded.json;
#   5. re-runs the browserless check against the new recording (what plain `cargo test` does).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
chromium="${CORS_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$chromium" ]; then
  echo "run.sh: $chromium is missing: installing Debian's chromium"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
command -v node >/dev/null || { echo "run.sh: node is not installed" >&2; exit 1; }
command -v npm >/dev/null || { echo "run.sh: npm is not installed" >&2; exit 1; }

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
if ! timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --dump-dom about:blank >/dev/null 2>"$profile.log"; then
  echo "run.sh: Chromium ($chromium) cannot start headless:" >&2
  cat "$profile.log" >&2
  rm -f "$profile.log"
  exit 1
fi
rm -f "$profile.log"
echo "run.sh: $("$chromium" --version 2>/dev/null | tail -n 1)"

cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
CORS_BROWSER=1 CORS_CHROMIUM="$chromium" cargo test --test browser -- --test-threads=1
cargo test --test browser
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$root" --no-pager diff --stat -- tests/browser/recorded.json
fi
