// @ts-check
'use strict';
/**
 * Packs the repository (its built dist/, exactly what `npm publish` would ship) and installs the tarball into an n8n
 * user folder the way n8n 2.41.1 installs a community package from the Settings → Community Nodes page.
 *
 * What n8n does (CommunityPackagesService.downloadPackage + ensurePackageJson, n8n 2.41.1):
 *   1. `$N8N_USER_FOLDER/.n8n/nodes/package.json` exists: `{ name: "installed-nodes", private: true, dependencies }`.
 *   2. `npm pack <name>@<version> --quiet --registry=…` in the nodes folder downloads the tarball.
 *   3. `tar -xzf <tarball> -C nodes/node_modules/<name> --strip-components=1`.
 *   4. devDependencies, peerDependencies and optionalDependencies are deleted from the unpacked package.json.
 *   5. `npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow --ignore-scripts=true
 *      --package-lock=false --registry=…` inside nodes/node_modules/<name>: only `dependencies` get installed, into
 *      the package's own node_modules.
 *   6. nodes/package.json gets `dependencies[<name>] = <version>`.
 * At start-up the community-packages module scans nodes/node_modules for n8n packages and loads them; node files are
 * required from there. Step 2 is replaced here by `npm pack <repo root>` (no registry involved); steps 1, 3–6 are
 * the same, with the same npm flags (no --registry: the package has no runtime dependencies to fetch).
 *
 * Module resolution at run time: n8n (load-nodes-and-credentials) sets NODE_PATH to its own module.paths (n8n's
 * node_modules folders up to the file-system root) and re-initialises the global paths, so a bare `require(x)` in a
 * community package that its own node_modules can't satisfy falls back to the packages installed with n8n. That is
 * how `n8n-workflow` (a peer dependency, stripped in step 4) resolves to n8n's own copy.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runChecked } = require('./process');
const { REPO_ROOT } = require('./paths');

/** The npm flags n8n 2.41.1 passes to `npm install` inside the unpacked package (registry omitted). */
const N8N_NPM_INSTALL_ARGS = [
	'install',
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--ignore-scripts=true',
	'--package-lock=false',
];

/**
 * `npm pack` of a package directory into a fresh temp dir.
 * @param {{ packageRoot?: string, destination?: string }} [options]
 * @returns {Promise<{ tarball: string, name: string, version: string, files: string[] }>}
 */
async function packPackage(options = {}) {
	const packageRoot = options.packageRoot ?? REPO_ROOT;
	const destination = options.destination ?? fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-pack-'));
	const { stdout } = await runChecked(
		'npm',
		['pack', packageRoot, '--pack-destination', destination, '--json', '--ignore-scripts', '--loglevel=error'],
		{ cwd: destination, timeoutMs: 3 * 60_000 },
	);
	// npm prints a JSON array (one entry per packed package); anything before it is noise.
	const start = stdout.indexOf('[');
	/** @type {Array<{ filename: string, name: string, version: string, files: Array<{ path: string }> }>} */
	const report = JSON.parse(stdout.slice(start));
	const entry = report[0];
	return {
		tarball: path.join(destination, path.basename(entry.filename)),
		name: entry.name,
		version: entry.version,
		files: entry.files.map((file) => file.path),
	};
}

/**
 * Installs a packed tarball into `$N8N_USER_FOLDER/.n8n/nodes` the way n8n installs a community package.
 * @param {string} userFolder the N8N_USER_FOLDER of the n8n that will load it
 * @param {string} tarball path of the .tgz
 * @returns {Promise<{ nodesDir: string, packageDir: string, name: string, version: string, installOutput: string }>}
 */
async function installTarball(userFolder, tarball) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(path.join(nodesDir, 'node_modules'), { recursive: true });
	const nodesPackageJson = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(nodesPackageJson)) {
		writeJson(nodesPackageJson, { name: 'installed-nodes', private: true, dependencies: {} });
	}

	// The package name comes from the tarball itself, as it would from the registry.
	const unpackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-unpack-'));
	try {
		await runChecked('tar', ['-xzf', tarball, '-C', unpackDir, '--strip-components=1']);
		const { name } = readJson(path.join(unpackDir, 'package.json'));
		const packageDir = path.join(nodesDir, 'node_modules', ...name.split('/'));
		fs.rmSync(packageDir, { recursive: true, force: true });
		fs.mkdirSync(packageDir, { recursive: true });
		await runChecked('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], { cwd: nodesDir });

		const packageJsonPath = path.join(packageDir, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } = readJson(packageJsonPath);
		writeJson(packageJsonPath, packageJson);

		// npm must not see this repository's .npmrc or a workspace root: run it with the package dir as cwd and a
		// clean npm_config_* environment (jest may have been started through `npm run`).
		const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
		const { stdout, stderr } = await runChecked('npm', N8N_NPM_INSTALL_ARGS, {
			cwd: packageDir,
			env,
			timeoutMs: 5 * 60_000,
		});

		const nodesManifest = readJson(nodesPackageJson);
		nodesManifest.dependencies = { ...(nodesManifest.dependencies ?? {}), [name]: packageJson.version };
		writeJson(nodesPackageJson, nodesManifest);
		return { nodesDir, packageDir, name, version: packageJson.version, installOutput: stdout + stderr };
	} finally {
		fs.rmSync(unpackDir, { recursive: true, force: true });
	}
}

/**
 * Packs the repository root (the caller has run `npm run build`) and installs it into the user folder.
 * The tarball it packs itself is deleted afterwards unless keepTarball (then `tarball` is its path).
 * @param {string} userFolder
 * @param {{ packageRoot?: string, tarball?: string, keepTarball?: boolean }} [options] pass `tarball` to reuse one
 *   packed earlier (packPackage); it is never deleted
 * @returns {Promise<{ tarball: string | undefined, nodesDir: string, packageDir: string, name: string,
 *   version: string, installOutput: string }>}
 */
async function packAndInstall(userFolder, options = {}) {
	if (options.tarball) return { tarball: options.tarball, ...(await installTarball(userFolder, options.tarball)) };
	const { tarball } = await packPackage({ packageRoot: options.packageRoot });
	try {
		const installed = await installTarball(userFolder, tarball);
		return { tarball: options.keepTarball ? tarball : undefined, ...installed };
	} finally {
		if (!options.keepTarball) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
}

/** @param {string} file */
function readJson(file) {
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * @param {string} file
 * @param {unknown} value
 */
function writeJson(file, value) {
	fs.writeFileSync(file, JSON.stringify(value, null, 2), 'utf8');
}

module.exports = { packPackage, installTarball, packAndInstall, N8N_NPM_INSTALL_ARGS };
