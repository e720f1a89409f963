#!/usr/bin/env bash
# `npm run demo:queue`: the example workflows on n8n in queue mode (private Redis + PostgreSQL, main + 2 workers, the
# packed package in each) against the bundled sandbox; prints which worker ran what, then tears everything down.
# Installs what it needs first (npm ci, the pinned n8n, Debian's redis-server and postgresql) and builds the package.
# Ctrl-C, SIGINT or SIGTERM tears down too (npm runs this with `exec`, and this script execs node).
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BROWSER=1 bash scripts/setup.sh
npm run --silent build
exec node scripts/demo-queue.js "$@"
