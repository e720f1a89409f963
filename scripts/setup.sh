#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh machine: the pinned n8n runtime (test/e2e/n8n-runtime, with the
# Node 24 it runs on), the package's dev dependencies, Debian's Redis + PostgreSQL for the queue-mode tests and
# Debian's chromium for the editor tests, and, for `npm test`, a private npm registry (verdaccio, WITH_REGISTRY=1) for
# the test that installs the package from a registry and the newest n8n 1.x (WITH_N8N1=1) for the smoke suite that
# runs in both n8n versions. Each step skips itself when done. It prints its plan first (what goes where,
# how big, how long, what runs as root), then a line per step; the long steps print progress every 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/progress.sh

as_root="as root"; [ "$(id -u)" = "0" ] || as_root="with sudo (it may ask for your password)"
dev_deps_current() { [ -f node_modules/.package-lock.json ] && ! [ package-lock.json -nt node_modules/.package-lock.json ]; }
state() { if "$@"; then echo "installed"; else echo "to install"; fi; }
queue_step="$( [ "${SKIP_QUEUE_SERVICES:-}" = "1" ] && echo "skipped (not needed here)" || echo "apt-get install $as_root unless present")"
browser_step="$( [ "${SKIP_BROWSER:-}" = "1" ] && echo "skipped (not needed here)" || { command -v chromium >/dev/null 2>&1 && echo "installed" || echo "to install: apt-get install chromium $as_root"; })"
registry_step="$( [ "${WITH_REGISTRY:-}" = "1" ] && state bash scripts/install-registry.sh --check || echo "skipped (not needed here)")"
n8n1_step="$( [ "${WITH_N8N1:-}" = "1" ] && state bash scripts/install-n8n-runtime-v1.sh --check || echo "skipped (not needed here)")"
echo "== set-up: 6 steps, each skipped when already done (sizes and times of a first run: see README \"Quick start\")"
echo "   1/6 n8n 2.41.1 + the Node 24.21.0 it runs on -> test/e2e/n8n-runtime/node_modules (~2.8 GB, 4-15 min): $(state bash scripts/install-n8n-runtime.sh --check)"
echo "   2/6 the package's dev dependencies (npm ci, with that Node 24) -> node_modules (~0.9 GB, 1-4 min): $(state dev_deps_current)"
echo "   3/6 verdaccio 6.8.0, a private npm registry for the install-from-a-registry test -> test/e2e/registry/node_modules (~60 MB, 10-20 s), for \`npm test\`: $registry_step"
echo "   4/6 Debian's redis-server + postgresql for the queue-mode tests: $queue_step"
echo "   5/6 Debian's chromium for the editor tests: $browser_step"
echo "   6/6 n8n 1.123.81 + the Node 22 it runs on -> test/e2e/n8n-runtime-v1/node_modules (~1.9 GB, 5-11 min), for the smoke suite in n8n 1.x: $n8n1_step"
echo "   (npm keeps what it downloads in its cache, ~/.npm: ~0.8 GB)"

echo "== 1/6 n8n runtime"
bash scripts/install-n8n-runtime.sh
echo "== 2/6 dev dependencies"
if dev_deps_current; then
	echo "   already installed (node_modules matches package-lock.json)"
else
	echo "   npm ci --ignore-scripts with the pinned Node 24 -> node_modules (~0.9 GB; npm fetches first, then writes)"
	with_progress "npm ci" node_modules "0.9 GB" -- bash scripts/install-dev-deps.sh --loglevel=warn
fi
if [ "${WITH_REGISTRY:-}" = "1" ]; then
	echo "== 3/6 private npm registry (verdaccio)"
	bash scripts/install-registry.sh
else
	echo "== 3/6 private npm registry: skipped (not needed here)"
fi
echo "== 4/6 Redis + PostgreSQL for the queue-mode tests$( [ "${SKIP_QUEUE_SERVICES:-}" = "1" ] && echo ": skipped" || echo " (nothing to do when present)")"
[ "${SKIP_QUEUE_SERVICES:-}" = "1" ] || bash scripts/install-queue-services.sh  # Redis + PostgreSQL (queue-mode tests)
if [ "${SKIP_BROWSER:-}" != "1" ]; then
	echo "== 5/6 chromium"
	bash scripts/install-browser.sh
else
	echo "== 5/6 chromium: skipped (not needed here)"
fi
if [ "${WITH_N8N1:-}" = "1" ]; then
	echo "== 6/6 n8n 1.x runtime (smoke suite in both n8n versions)"
	with_progress "n8n 1.x runtime" test/e2e/n8n-runtime-v1/node_modules "1.9 GB" -- bash scripts/install-n8n-runtime-v1.sh
else
	echo "== 6/6 n8n 1.x runtime: skipped (not needed here)"
fi
