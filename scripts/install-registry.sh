#!/usr/bin/env bash
# A private npm registry for the test that installs the package the way a user does, from a registry through n8n's
# Settings → Community Nodes (test/e2e/registryInstall.test.ts): verdaccio 6.8.0 (the newest that runs on Node 20;
# 6.10 wants Node 22), from test/e2e/registry/package-lock.json into test/e2e/registry/node_modules (~60 MB, 327
# packages, 10-20 s). Kept out of the package's devDependencies so that CI's fast job and the publish workflow do not
# install it. Nothing is compiled (--ignore-scripts).
# Idempotent: a marker holding the lock file's checksum skips the install when it is current.
# `--check`: exit 0 when installed and current, 1 otherwise; installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

REGISTRY_DIR="test/e2e/registry"
MARKER="$REGISTRY_DIR/node_modules/.apertis-registry-installed"
LOCK_SUM="$(sha256sum "$REGISTRY_DIR/package-lock.json" | cut -d' ' -f1)"

installed() {
	[ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$LOCK_SUM" ] && [ -f "$REGISTRY_DIR/node_modules/verdaccio/bin/verdaccio" ]
}
if [ "${1:-}" = "--check" ]; then installed; exit; fi
if installed; then
	echo "   already installed ($REGISTRY_DIR, verdaccio $(node -p "require('./$REGISTRY_DIR/node_modules/verdaccio/package.json').version"))"
	exit 0
fi
echo "   npm ci --ignore-scripts in $REGISTRY_DIR: verdaccio 6.8.0 (~60 MB, 10-20 s)"
started=$SECONDS
rm -f "$MARKER"
(cd "$REGISTRY_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$LOCK_SUM" > "$MARKER"
echo "   verdaccio $(node -p "require('./$REGISTRY_DIR/node_modules/verdaccio/package.json').version") installed in $((SECONDS - started)) s"
