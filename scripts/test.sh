#!/usr/bin/env bash
# The README's test command: installs everything it needs on a fresh machine, then runs every test layer.
# Ends with a line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== build, lint (n8n community-node rules), typecheck"
npm run --silent build
npm run --silent lint
npm run --silent typecheck

mkdir -p .tmp
status=0
echo "== unit + in-process tests (n8n-core WorkflowExecute against the sandbox)"
npx jest --ci --selectProjects unit inprocess --json --outputFile=.tmp/jest-fast.json || status=$?
echo "== real n8n: end-to-end and editor tests (one at a time: each starts n8n)"
npx jest --ci --selectProjects e2e editor --runInBand --json --outputFile=.tmp/jest-n8n.json || status=$?

node scripts/summarize-jest.js .tmp/jest-fast.json .tmp/jest-n8n.json || status=$?
exit "$status"
