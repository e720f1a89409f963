#!/usr/bin/env bash
# The README's main job: on a fresh clone, installs what it needs, builds the package, and runs every example
# workflow in examples/ in a real n8n (the pinned test runtime) against the bundled Apertis sandbox. No API key.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BROWSER=1 SKIP_QUEUE_SERVICES=1 bash scripts/setup.sh
npm run --silent build
node scripts/demo.js "$@"
