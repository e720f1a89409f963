#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh machine: the package's dev dependencies, the pinned n8n
# runtime (test/e2e/n8n-runtime) and Debian's chromium for the editor tests. Each step skips itself when done.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "== npm ci (package dev dependencies)"
	npm ci --ignore-scripts --no-audit --no-fund
fi
bash scripts/install-n8n-runtime.sh
[ "${SKIP_QUEUE_SERVICES:-}" = "1" ] || bash scripts/install-queue-services.sh  # Redis + PostgreSQL (queue-mode tests)
if [ "${SKIP_BROWSER:-}" != "1" ]; then
	bash scripts/install-browser.sh
fi
