#!/usr/bin/env bash
# Web clients end to end: builds the pages (client-sdk/web/scripts/build.sh: Vite into
# client-sdk/web/dist), starts majlisd on a free port with a throwaway admin key, serving dist,
# runs the pages' unit tests (i18n, console panels) and the Chromium tests, and stops majlisd.
# The SDK's tests (client-sdk/ts: mirror, vectors, client) run in ./dev test before this.
# restart.spec.mjs starts (and restarts) its own majlisd from $MAJLISD on its own port.
#   MAJLISD=path/to/majlisd tests/e2e/run.sh [spec…]  (default: build/server/app/majlisd, every spec)
#   CHROMIUM=/usr/bin/chromium  MAJLIS_SCREENSHOTS=/tmp/majlis-e2e
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
E2E=$ROOT/tests/e2e
MAJLISD=$(realpath -m "${MAJLISD:-$ROOT/build/server/app/majlisd}")
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$MAJLISD" ]; then
  echo "run.sh: majlisd not found at $MAJLISD (build first, or set MAJLISD)" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "run.sh: $CHROMIUM not found (apt-get install chromium)" >&2
  exit 1
fi
if [ ! -d "$E2E/node_modules/playwright-core" ]; then
  (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The pages as majlisd serves them in production: built, fingerprinted, precompressed.
"$ROOT/client-sdk/web/scripts/build.sh" >/dev/null
WEB_DIST=$ROOT/client-sdk/web/dist
export MAJLIS_WEB_DIST=$WEB_DIST

WORK=$(mktemp -d)
MAJLISD_PID=""
cleanup() {
  if [ -n "$MAJLISD_PID" ] && kill -0 "$MAJLISD_PID" 2>/dev/null; then
    kill "$MAJLISD_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$MAJLISD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$MAJLISD_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
ADMIN_KEY=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')

# A majlisd with the durable store keeps its data in a throwaway folder, not ./data.
STORE_ARGS=()
if "$MAJLISD" --help | grep -q -- '--data-dir'; then
  mkdir "$WORK/data"
  STORE_ARGS=(--data-dir "$WORK/data")
fi
"$MAJLISD" --listen "127.0.0.1:$PORT" --static-root "$WEB_DIST" --admin-key "$ADMIN_KEY" \
  "${STORE_ARGS[@]}" >"$WORK/majlisd.log" 2>&1 &
MAJLISD_PID=$!

for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:$PORT/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    break
  fi
  if ! kill -0 "$MAJLISD_PID" 2>/dev/null; then
    echo "run.sh: majlisd exited early:" >&2
    cat "$WORK/majlisd.log" >&2
    exit 1
  fi
  sleep 0.1
done

export MAJLIS_URL="http://127.0.0.1:$PORT"
export MAJLIS_ADMIN_KEY="$ADMIN_KEY"
export MAJLISD
status=0
SPECS=("$ROOT/client-sdk/web/test/" "$E2E/resume.spec.mjs" "$E2E/lobby.spec.mjs"
  "$E2E/meeting.spec.mjs" "$E2E/admission.spec.mjs" "$E2E/console.spec.mjs" "$E2E/restart.spec.mjs"
  "$E2E/display.spec.mjs" "$E2E/framing.spec.mjs" "$E2E/phone.spec.mjs" "$E2E/offline.spec.mjs"
  "$E2E/minutes.spec.mjs" "$E2E/first_load.spec.mjs")
# Specs named on the command line (tests/e2e/run.sh tests/e2e/console.spec.mjs) run alone.
[ $# -gt 0 ] && SPECS=("$@")
timeout 840 node --test "${SPECS[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  echo "---- majlisd log (last 60 lines) ----" >&2
  tail -n 60 "$WORK/majlisd.log" >&2
fi
exit "$status"
