// @ts-check
'use strict';
/**
 * Headless runs in the pinned real n8n (test/e2e/n8n-runtime) through its CLI:
 *
 *   const env = await createN8nEnv();                 // fresh temp N8N_USER_FOLDER, own encryption key
 *   await packAndInstall(env.userFolder);              // optional: the packed community package
 *   await env.importCredentials([{ id: 'cred1', name: 'Apertis', type: 'apertisApi', data: { apiKey, baseUrl } }]);
 *   await env.importWorkflows([{ id: 'wf1', name: 'Create', nodes, connections }]);
 *   const run = await env.execute('wf1');             // { ok, runData, error, lastNodeExecuted, ... }
 *   run.runData['Apertis Video Create'][0].data.main[0][0].json
 *   await env.cleanup();
 *
 * n8n 2.x has no `execute --file`: workflows and credentials are imported into the user folder's SQLite database
 * (import:credentials encrypts plain `data` with N8N_ENCRYPTION_KEY) and run by id. Every CLI call is its own n8n
 * process (~2 s start) on fresh free ports (N8N_PORT, N8N_RUNNERS_BROKER_PORT), so envs may run side by side.
 * The run's JSON goes through n8n's logger at level info: N8N_LOG_LEVEL must stay at info (or debug).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { runProcess, freePorts, tail } = require('./process');
const { NODE_BIN, N8N_BIN, RUNTIME_MODULES, assertRuntimeInstalled, n8nVersion } = require('./paths');

/**
 * n8n 2.x makes `n8nDataTableUploads` in its TMPDIR at every start (the path is not configurable) and leaves it.
 * Called once an n8n process has ended; a folder that holds anything (another n8n's upload) stays.
 */
function removeN8nTempLeftovers() {
	try {
		fs.rmdirSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'n8nDataTableUploads'));
	} catch {
		// absent, or not empty
	}
}

/**
 * The environment every n8n process of the tests gets: isolated, offline, quiet.
 * @param {{ userFolder: string, encryptionKey: string, port: number, brokerPort: number,
 *   extra?: Record<string, string | undefined> }} options
 * @returns {NodeJS.ProcessEnv}
 */
function n8nProcessEnv(options) {
	// Start from a minimal environment: nothing from the developer's shell (N8N_*, DB_*, NODE_OPTIONS, npm_*) leaks in.
	/** @type {NodeJS.ProcessEnv} */
	const env = {
		PATH: [path.dirname(NODE_BIN), process.env.PATH ?? '/usr/bin:/bin'].join(path.delimiter),
		HOME: options.userFolder,
		TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
		// Node 22's module compile cache (n8n 1.x turns it on) goes to the user folder, which is removed, not to TMPDIR.
		NODE_COMPILE_CACHE: path.join(options.userFolder, '.node-compile-cache'),
		LANG: process.env.LANG ?? 'C.UTF-8',
		TZ: process.env.TZ ?? 'UTC',
		NODE_ENV: 'production',
		N8N_USER_FOLDER: options.userFolder,
		N8N_ENCRYPTION_KEY: options.encryptionKey,
		DB_TYPE: 'sqlite',
		N8N_PORT: String(options.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_RUNNERS_BROKER_PORT: String(options.brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		// n8n 1.x has no module of that name and refuses to start when told to disable it.
		...(Number(n8nVersion().split('.')[0]) >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_HIRING_BANNER_ENABLED: 'false',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		NO_COLOR: '1',
		FORCE_COLOR: '0',
	};
	for (const [key, value] of Object.entries(options.extra ?? {})) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}
	return env;
}

/**
 * @typedef {{ json: Record<string, any>, binary?: Record<string, any>, pairedItem?: any, error?: any }} Item
 * @typedef {{ startTime?: number, executionTime?: number, executionStatus?: string, error?: any,
 *   data?: Record<string, Array<Item[] | null>>, source?: any }} TaskData
 * @typedef {{
 *   ok: boolean,
 *   code: number | null,
 *   runData: Record<string, TaskData[]>,
 *   error: any,
 *   lastNodeExecuted: string | undefined,
 *   status: string | undefined,
 *   execution: any,
 *   stdout: string,
 *   stderr: string,
 *   durationMs: number,
 * }} ExecuteResult
 */

/**
 * Finds the execution JSON (`{ "data": { "resultData": … } … }`, pretty-printed by `n8n execute`) in the process
 * output, whatever log lines surround it. Returns undefined when there is none.
 * @param {string} output
 * @returns {any}
 */
function parseExecutionOutput(output) {
	// eslint-disable-next-line no-control-regex
	const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split(/\r?\n/);
	// JSON.stringify(data, null, 2) puts the outer braces alone on lines at column 0: one parse per candidate.
	// Fallback (a logger that indents or prefixes lines): any brace-only lines, trimmed.
	return scan(lines, (line) => line === '{', (line) => line === '}') ?? scan(lines, isOpen, isClose);
}

/** @param {string} line */
const isOpen = (line) => line.trim() === '{';
/** @param {string} line */
const isClose = (line) => line.trim() === '}';

/**
 * @param {string[]} lines
 * @param {(line: string) => boolean} open
 * @param {(line: string) => boolean} close
 * @returns {any}
 */
function scan(lines, open, close) {
	for (let start = 0; start < lines.length; start += 1) {
		if (!open(lines[start])) continue;
		for (let end = start + 1; end < lines.length; end += 1) {
			if (!close(lines[end])) continue;
			let parsed;
			try {
				parsed = JSON.parse(lines.slice(start, end + 1).join('\n'));
			} catch {
				continue;
			}
			if (parsed && typeof parsed === 'object' && parsed.data && parsed.data.resultData) return parsed;
			start = end; // a complete JSON object that is not an execution: go on after it
			break;
		}
	}
	return undefined;
}

/**
 * A fresh, isolated n8n: temp user folder, SQLite, its own encryption key; CLI helpers bound to it.
 * @param {{ userFolder?: string, encryptionKey?: string, port?: number, env?: Record<string, string | undefined>,
 *   keepUserFolder?: boolean }} [options]
 */
async function createN8nEnv(options = {}) {
	assertRuntimeInstalled();
	const userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-n8n-'));
	fs.mkdirSync(userFolder, { recursive: true });
	const encryptionKey = options.encryptionKey ?? crypto.randomBytes(24).toString('hex');
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-n8n-io-'));
	let counter = 0;

	/**
	 * Ports for one n8n process: the given N8N_PORT (if any) and fresh free ones otherwise.
	 * @returns {Promise<{ port: number, brokerPort: number }>}
	 */
	async function ports() {
		const [a, b] = await freePorts(2);
		return { port: options.port ?? a, brokerPort: options.port ? a : b };
	}

	/**
	 * Runs `n8n <args>` in this environment. Resolves with the process result whatever the exit code.
	 * @param {string[]} args
	 * @param {{ timeoutMs?: number, env?: Record<string, string | undefined> }} [runOptions]
	 */
	async function n8n(args, runOptions = {}) {
		const { port, brokerPort } = await ports();
		const env = n8nProcessEnv({
			userFolder,
			encryptionKey,
			port,
			brokerPort,
			extra: { ...(options.env ?? {}), ...(runOptions.env ?? {}) },
		});
		const result = await runProcess(NODE_BIN, [N8N_BIN, ...args], {
			cwd: userFolder,
			env,
			timeoutMs: runOptions.timeoutMs ?? 3 * 60_000,
		});
		removeN8nTempLeftovers();
		return result;
	}

	/**
	 * @param {string[]} args
	 * @param {{ timeoutMs?: number }} [runOptions]
	 */
	async function n8nChecked(args, runOptions) {
		const result = await n8n(args, runOptions);
		if (result.code !== 0 || result.timedOut) {
			throw new Error(
				`n8n ${args.join(' ')} ${result.timedOut ? 'timed out' : `exited with ${result.code ?? result.signal}`}\n` +
					`--- stdout (tail)\n${tail(result.stdout)}\n--- stderr (tail)\n${tail(result.stderr)}`,
			);
		}
		return result;
	}

	/** @param {string} name @param {unknown} value */
	function writeScratch(name, value) {
		counter += 1;
		const file = path.join(scratch, `${counter}-${name}`);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}

	return {
		userFolder,
		encryptionKey,
		/** The environment n8n processes of this env get (fresh ports are filled in per process). */
		processEnv: (/** @type {number} */ port, /** @type {number} */ brokerPort) =>
			n8nProcessEnv({ userFolder, encryptionKey, port, brokerPort, extra: options.env }),
		n8n,

		/**
		 * `n8n import:credentials`. Each credential needs an explicit id; `data` is plain and gets encrypted.
		 * @param {Array<{ id: string, name: string, type: string, data: Record<string, unknown> }>} credentials
		 */
		async importCredentials(credentials) {
			for (const credential of credentials) {
				if (!credential.id) throw new Error(`credential "${credential.name}" needs an explicit id`);
			}
			const file = writeScratch('credentials.json', credentials);
			return await n8nChecked(['import:credentials', `--input=${file}`]);
		},

		/**
		 * `n8n import:workflow --separate`. Each workflow needs an explicit id.
		 * @param {Array<{ id: string, name: string, nodes: any[], connections: Record<string, any>,
		 *   settings?: Record<string, unknown>, active?: boolean }>} workflows
		 */
		async importWorkflows(workflows) {
			counter += 1;
			const dir = path.join(scratch, `${counter}-workflows`);
			fs.mkdirSync(dir);
			for (const workflow of workflows) {
				if (!workflow.id) throw new Error(`workflow "${workflow.name}" needs an explicit id`);
				const full = { active: false, settings: { executionOrder: 'v1' }, pinData: {}, ...workflow };
				fs.writeFileSync(path.join(dir, `${workflow.id}.json`), JSON.stringify(full, null, 2));
			}
			return await n8nChecked(['import:workflow', '--separate', `--input=${dir}`]);
		},

		/**
		 * `n8n execute --id=<id>`: runs the workflow from its trigger and returns the parsed execution.
		 * Never rejects because the workflow failed: `ok` is false and `error` holds resultData.error.
		 * Rejects when no execution JSON can be found in the output (n8n itself failed).
		 * @param {string} id
		 * @param {{ timeoutMs?: number }} [runOptions]
		 * @returns {Promise<ExecuteResult>}
		 */
		async execute(id, runOptions = {}) {
			const result = await n8n(['execute', `--id=${id}`], { timeoutMs: runOptions.timeoutMs ?? 5 * 60_000 });
			const execution = parseExecutionOutput(result.stdout) ?? parseExecutionOutput(result.stdout + '\n' + result.stderr);
			if (!execution) {
				throw new Error(
					`n8n execute --id=${id}: no execution data in the output (exit ${result.code ?? result.signal}` +
						`${result.timedOut ? ', timed out' : ''})\n--- stdout (tail)\n${tail(result.stdout)}\n` +
						`--- stderr (tail)\n${tail(result.stderr)}`,
				);
			}
			const resultData = execution.data.resultData;
			return {
				ok: !resultData.error && result.code === 0,
				code: result.code,
				runData: resultData.runData ?? {},
				error: resultData.error,
				lastNodeExecuted: resultData.lastNodeExecuted,
				status: execution.status,
				execution,
				stdout: result.stdout,
				stderr: result.stderr,
				durationMs: result.durationMs,
			};
		},

		/**
		 * `n8n execute-batch --ids=… --snapshot=<dir> --output=<file>`: one process for many workflows.
		 * Returns n8n's summary and each workflow's snapshot (its run data, keyed by node name) where written.
		 * Note: execute-batch exits non-zero (139 was seen) once a workflow failed; that is reported, not thrown.
		 * @param {string[]} ids
		 * @param {{ timeoutMs?: number, concurrency?: number }} [runOptions]
		 */
		async executeBatch(ids, runOptions = {}) {
			counter += 1;
			const snapshotDir = path.join(scratch, `${counter}-snapshots`);
			fs.mkdirSync(snapshotDir);
			const outputFile = path.join(scratch, `${counter}-summary.json`);
			// --retries=0: execute-batch runs a failed workflow again by default, which would send its paid creates twice.
			const args = ['execute-batch', `--ids=${ids.join(',')}`, `--snapshot=${snapshotDir}`, `--output=${outputFile}`, '--retries=0'];
			if (runOptions.concurrency) args.push(`--concurrency=${runOptions.concurrency}`);
			const result = await n8n(args, { timeoutMs: runOptions.timeoutMs ?? 10 * 60_000 });
			const summary = fs.existsSync(outputFile) ? JSON.parse(fs.readFileSync(outputFile, 'utf8')) : undefined;
			/** @type {Record<string, any>} */
			const snapshots = {};
			for (const id of ids) {
				const file = path.join(snapshotDir, `${id}-snapshot.json`);
				if (fs.existsSync(file)) snapshots[id] = JSON.parse(fs.readFileSync(file, 'utf8'));
			}
			return { code: result.code, summary, snapshots, stdout: result.stdout, stderr: result.stderr };
		},

		/** Removes the temp user folder and the scratch files (unless keepUserFolder). */
		async cleanup() {
			fs.rmSync(scratch, { recursive: true, force: true });
			if (!options.keepUserFolder && !options.userFolder) {
				fs.rmSync(userFolder, { recursive: true, force: true, maxRetries: 3 });
			}
		},
	};
}

module.exports = { createN8nEnv, n8nEnv: createN8nEnv, n8nProcessEnv, parseExecutionOutput, removeN8nTempLeftovers, RUNTIME_MODULES };
