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
# Every test layer cleans up after itself: the tests get a temp directory of their own (TMPDIR), which must be empty
# again after each jest run. Whatever is left there is named, removed, and counted as a failure.
TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/apertis-test-tmp-XXXXXX")"
trap 'rm -rf "$TEST_TMP"' EXIT
leaks=()
check_temp_left_by() {
	local left
	left="$(ls -A "$TEST_TMP")"
	[ -z "$left" ] && return 0
	echo "FAIL: the $1 left these in the temp directory (TMPDIR):"
	printf '  %s\n' $left
	find "$TEST_TMP" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
	leaks+=(--failed "temp files left by the $1")
}
echo "== unit + in-process tests (n8n-core WorkflowExecute against the sandbox)"
TMPDIR="$TEST_TMP" npx jest --ci --cacheDirectory=.tmp/jest-cache --selectProjects unit inprocess --json --outputFile=.tmp/jest-fast.json || status=$?
check_temp_left_by "unit + in-process tests"
echo "== real n8n: end-to-end, editor and command tests (one at a time: each starts n8n)"
TMPDIR="$TEST_TMP" npx jest --ci --cacheDirectory=.tmp/jest-cache --selectProjects e2e editor commands --runInBand --json --outputFile=.tmp/jest-n8n.json || status=$?
check_temp_left_by "end-to-end, editor and command tests"

node scripts/summarize-jest.js "${leaks[@]}" .tmp/jest-fast.json .tmp/jest-n8n.json || status=$?
exit "$status"
