#!/usr/bin/env bash
# Builds the pages into client-sdk/web/dist (Vite, then precompress.mjs): installs the npm
# packages from the committed lock files first when node_modules is missing or older than the
# lock (here with the dev dependencies, Vite; in client-sdk/ts the SDK's, whose protoc-gen-es
# generates the message types the pages bundle through the @majlis/client alias), then builds the
# SDK (its dist/ is what Node resolves @majlis/client to in the pages' unit tests).
# ./dev run, ./dev test, ./dev cluster, tests/e2e/run.sh and docker/Dockerfile call it.
set -euo pipefail
web=$(cd "$(dirname "$0")/.." && pwd)
ts=$web/../ts

# npm ci in $1 (with the rest as options) unless its node_modules matches the lock file.
install_from_lock() {
  local dir=$1
  shift
  local installed=$dir/node_modules/.package-lock.json
  if [ -f "$installed" ] && [ ! "$dir/package-lock.json" -nt "$installed" ]; then return 0; fi
  echo "npm ci in $dir" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error "$@")
}

command -v npm >/dev/null 2>&1 || { echo "build.sh: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
# An install made without the dev dependencies (before the pages had a build) lacks Vite.
[ -x "$web/node_modules/.bin/vite" ] || rm -f "$web/node_modules/.package-lock.json"
install_from_lock "$web"
install_from_lock "$ts"
(cd "$ts" && npm run build --silent)
cd "$web"
npm run build --silent
