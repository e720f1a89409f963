#!/usr/bin/env bash
# `npm run editor`: installs what it needs, builds the package, and opens a real n8n (the pinned test runtime) with the
# package installed, the bundled Apertis sandbox as its API and the example workflows imported. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BROWSER=1 bash scripts/setup.sh
npm run --silent build
exec node scripts/editor.js "$@"
