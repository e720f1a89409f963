#!/usr/bin/env bash
# `npm run bench`: this package against the hand-built polling loop, in the pinned real n8n against the sandbox.
# Writes bench/results.md and bench/results.json. Pass --quick for a short smoke run (writes nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BROWSER=1 SKIP_QUEUE_SERVICES=1 bash scripts/setup.sh
npm run --silent build
# The replica (the batches in virtual time) runs the poller's TypeScript as built here.
npx tsc -p tsconfig.replica.json
node scripts/bench/run.js "$@"
