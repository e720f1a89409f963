#!/usr/bin/env bash
# `npm run editor`: a real n8n (the pinned test runtime) with the package installed, the bundled Apertis sandbox as its
# API and the example workflows imported. scripts/editor.js runs the set-up and the build first, then n8n; it prints
# the editor's URL, each workflow's URL and the login. Ctrl-C, SIGINT or SIGTERM stops it (npm runs this with `exec`,
# and this script execs node, so a signal sent to `npm run editor` reaches node).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/editor.js "$@"
