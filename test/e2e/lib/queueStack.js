// @ts-check
'use strict';
/**
 * n8n in queue mode on one machine, for tests and `npm run demo:queue`: a private Redis and a private PostgreSQL
 * (Debian's packages, scripts/install-queue-services.sh) in a temp folder on free ports, the pinned n8n's main
 * process and N workers (EXECUTIONS_MODE=queue), each with its own user folder holding the packed package installed
 * the way n8n installs a community package. The recipe and its pitfalls: docs in the README's "Running at scale".
 *
 * API
 * ---
 *   const stack = await startQueueStack({ workers?: 2, concurrency?: 5, env?, mainEnv?, workerEnv?, tarball?,
 *                                          log?, echo?, keepRoot? });
 *     Redis, Postgres (database created), package installed into every user folder, then main + workers started
 *     and ready (main: /healthz/readiness, owner set up or logged in; workers: their health server's readiness).
 *     env: extra variables for every n8n process (value undefined removes one); mainEnv / workerEnv: for main or
 *     the workers only. tarball: a .tgz packed earlier (default: `npm pack` of the repo, deleted after install).
 *     Pass { startN8n: false } to get Redis + Postgres + folders only, then import with the CLI and call
 *     stack.start().
 *   stack.root                     the temp folder (removed by stop())
 *   stack.encryptionKey            shared by every process
 *   stack.redis      { port }      stack.postgres { port, database, user, sql(query) → Promise<string> }
 *   stack.main       { name: 'main', port, baseUrl, userFolder, pid(), output(), logs(), running() }
 *   stack.workers    [{ name: 'worker1', hostname, healthPort, userFolder, pid(), output(), logs(), running(),
 *                       kill(signal = 'SIGKILL') → Promise (the node process only, as a crash would) }]
 *   stack.baseUrl    main's URL
 *
 *   Lifecycle
 *   await stack.start()            starts every n8n process that is not running (after a stop or a kill), waits for
 *                                  readiness, logs the owner in (sets it up on the first start)
 *   await stack.stopN8n()          SIGTERM to main and every worker (SIGKILL after 20 s); Redis and Postgres stay
 *   await stack.restart({ redis?: 'keep' | 'restart', postgres?: 'keep' | 'restart' })
 *                                  stopN8n(), optionally Redis (no persistence: its queue is lost, as in the notes'
 *                                  full restart) and Postgres (clean stop, same data directory), then start()
 *   await stack.startWorker(i) / stack.stopWorker(i)   one worker (index into stack.workers)
 *   await stack.stop()             everything: n8n processes, Redis, Postgres, then the temp folder. Idempotent.
 *   await stopAllQueueStacks()     stop() of every stack of this process, also one still starting (Ctrl-C handlers)
 *   stack.ports()                  every port the stack listens on (to check that nothing is left afterwards)
 *
 *   Workflows and credentials
 *   await stack.importCredentials([{ id, name, type, data }])   `n8n import:credentials` (plain data, encrypted)
 *   await stack.importWorkflows([{ id, name, nodes, connections, settings? }])   `n8n import:workflow --separate`
 *       Both run the CLI in a user folder of their own (so they never touch a running process's crash journal) and
 *       write to Postgres: they work while n8n runs or while it is stopped.
 *   await stack.publishWorkflow(id, probe?)   while main runs: POST /rest/workflows/:id/activate, then waits until
 *       the probe says its trigger is served; while stopped: `n8n publish:workflow --id` (active from the next
 *       start). probe: { method, path } of a production webhook (e.g. { method: 'POST', path: 'webhook/qm' }) or a
 *       form path ({ method: 'GET', path: 'form/<webhookId>' }); see waitForWebhook.
 *   await stack.waitForWebhook(method, path)   until main has registered that webhook: n8n answers a request for
 *       an unregistered one with 404 "... is not registered", a registered POST webhook answers a HEAD/GET with
 *       another message, so no execution is started by the probe
 *   await stack.rest(method, path, body?)      `/rest/...` on main with the owner's cookie; returns `data`
 *   await stack.request(method, path, body?)   same, never throws on status: { status, body, text }
 *   stack.cookieHeader()                       the owner's `n8n-auth=…` cookie (e.g. GET /rest/binary-data)
 *
 *   Executions
 *   await stack.executions({ workflowId?, status? })  GET /rest/executions (newest first): summaries
 *   await stack.execution(id)       GET /rest/executions/:id with its data parsed from n8n's flatted format:
 *                                   { id, status, finished, mode, startedAt, stoppedAt, workflowId, data,
 *                                     runData, error, lastNodeExecuted }
 *   await stack.waitForExecution(id, { statuses?, timeoutMs? })   until its status is one of statuses (default:
 *                                   success, error, crashed, canceled); resolves execution(id)
 *   stack.whoRan()                  { [executionId]: [workerName, …] } from the workers' logs ("Worker started
 *                                   execution N (job J)") over every start of each worker; more than one name
 *                                   when the execution was resumed (after a Wait node) by another worker
 *   stack.workerOf(executionId)     'worker1', 'worker1+worker2' (several), or undefined (none yet)
 *
 * Notes (measured in n8n 2.41.1; the README's "Running at scale" has the figures)
 * - Postgres's initdb refuses root: as root, initdb and postgres run as the `postgres` system user (setpriv).
 * - Every process has its own user folder: the crash journal is per folder, and a folder with a journal left by a
 *   killed process costs 10 s at the next start (n8n's "Last session crashed"), so start() deletes it.
 * - Workers run in their own UTS namespace with their own hostname (as root, with unshare -u), so that their
 *   hostIds differ (this machine looks like Docker to n8n, which then uses the hostname).
 * - Redis and Postgres run in the foreground as children of this process: if the process dies, process.js's exit
 *   hook kills them with everything else it started.
 */
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const crypto = require('crypto');
const { runProcess, runChecked, startProcess, freePorts, tail } = require('./process');
const { NODE_BIN, N8N_BIN, RUNTIME_MODULES, REPO_ROOT, assertRuntimeInstalled } = require('./paths');
const { n8nProcessEnv, removeN8nTempLeftovers } = require('./n8nCli');
const { fetchWithTimeout, restClient } = require('./n8nServer');
const { packPackage, installTarball } = require('./packInstall');

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const FINAL_STATUSES = ['success', 'error', 'crashed', 'canceled'];
/** @type {Set<() => Promise<void>>} the stop() of every stack not stopped yet, including ones still starting */
const liveStacks = new Set();

/** Stops every queue stack of this process, also one still being brought up (for Ctrl-C handlers). */
async function stopAllQueueStacks() {
	await Promise.all([...liveStacks].map((stop) => stop()));
}

/**
 * The bin folder of Debian's PostgreSQL (the highest version installed), or PG_BIN.
 * @returns {string}
 */
function postgresBinDir() {
	if (process.env.PG_BIN) return process.env.PG_BIN;
	const base = '/usr/lib/postgresql';
	const versions = fs.existsSync(base)
		? fs
				.readdirSync(base)
				.filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!versions.length) {
		throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). Run: bash scripts/install-queue-services.sh');
	}
	return path.join(base, versions[0], 'bin');
}

/** @returns {string} redis-server's path */
function redisServerBin() {
	for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter).concat(['/usr/bin', '/usr/sbin'])) {
		const candidate = path.join(dir, 'redis-server');
		if (fs.existsSync(candidate)) return candidate;
	}
	throw new Error('redis-server is not installed. Run: bash scripts/install-queue-services.sh');
}

/** Whether the queue-mode services are installed (redis-server, Postgres's initdb). */
function queueServicesInstalled() {
	try {
		redisServerBin();
		postgresBinDir();
		return true;
	} catch {
		return false;
	}
}

/**
 * As root, Postgres runs as the `postgres` user, which needs to traverse every folder above its data directory. A
 * private temp dir (`mktemp -d`, mode 0700, e.g. the TMPDIR npm test gives the tests) gets the others' execute bit
 * (traverse only: no listing); any other folder that lacks it is an error naming it.
 * @param {string} dir the folder that holds the stack's folder
 * @param {(line: string) => void} say
 */
function letOthersTraverse(dir, say) {
	const tmp = path.resolve(os.tmpdir());
	for (let current = path.resolve(dir); ; current = path.dirname(current)) {
		const { mode } = fs.statSync(current);
		if ((mode & 0o001) === 0) {
			if (current !== tmp && !current.startsWith(tmp + path.sep)) {
				throw new Error(`The postgres user cannot reach ${current} (no execute permission for others): set TMPDIR to a folder it can traverse`);
			}
			fs.chmodSync(current, (mode & 0o7777) | 0o001);
			say(`let the postgres user traverse ${current} (chmod o+x)`);
		}
		if (path.dirname(current) === current) return;
	}
}

/**
 * A command run as the postgres system user when we are root (initdb and postgres refuse root).
 * @param {string} binary
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
function asPostgres(binary, args) {
	if (!IS_ROOT) return [binary, args];
	return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', binary, ...args]];
}

/**
 * One RESP PING to Redis; resolves true on +PONG.
 * @param {number} port
 */
function redisPing(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		let answer = '';
		const done = (/** @type {boolean} */ ok) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(2000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString('utf8');
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

/**
 * Whether something accepts TCP connections on 127.0.0.1:port.
 * @param {number} port
 */
function isListening(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		const done = (/** @type {boolean} */ listening) => {
			socket.destroy();
			resolve(listening);
		};
		socket.setTimeout(1000, () => done(false));
		socket.on('connect', () => done(true));
		socket.on('error', () => done(false));
	});
}

/**
 * Polls until check() resolves a truthy value.
 * @template T
 * @param {() => Promise<T>} check
 * @param {{ timeoutMs: number, intervalMs?: number, what: string, exited?: () => string | undefined }} options
 * @returns {Promise<T>}
 */
async function pollUntil(check, { timeoutMs, intervalMs = 250, what, exited }) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const why = exited?.();
		if (why) throw new Error(`${what}: ${why}`);
		let value;
		try {
			value = await check();
		} catch {
			value = undefined;
		}
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`${what}: timed out after ${Math.round(timeoutMs / 1000)} s`);
		await sleep(intervalMs);
	}
}

/**
 * A long-running child and everything it printed over all its starts.
 * @typedef {{ proc: ReturnType<typeof startProcess> | undefined, history: string, exitedWith: string | undefined }} Slot
 */

/**
 * @param {{ workers?: number, concurrency?: number, env?: Record<string, string | undefined>,
 *   mainEnv?: Record<string, string | undefined>, workerEnv?: Record<string, string | undefined>,
 *   tarball?: string, log?: (line: string) => void, echo?: boolean, keepRoot?: boolean, startN8n?: boolean,
 *   readyTimeoutMs?: number }} [options]
 */
async function startQueueStack(options = {}) {
	assertRuntimeInstalled();
	const log = options.log ?? (() => {});
	const workerCount = options.workers ?? 2;
	const concurrency = options.concurrency ?? 5;
	const readyTimeoutMs = options.readyTimeoutMs ?? 240_000;
	const t0 = Date.now();
	const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1)}s]`;
	const say = (/** @type {string} */ line) => log(`${stamp()} ${line}`);

	if (IS_ROOT) letOthersTraverse(os.tmpdir(), say);
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-queue-'));
	// The postgres user must be able to reach its data directory inside this folder.
	fs.chmodSync(root, 0o711);
	const encryptionKey = crypto.randomBytes(24).toString('hex');
	const [redisPort, pgPort, mainPort, mainBroker, ...morePorts] = await freePorts(4 + workerCount * 3 + 1);
	const cliPorts = morePorts.slice(workerCount * 3);

	/** @type {Slot} */
	const redisSlot = { proc: undefined, history: '', exitedWith: undefined };
	/** @type {Slot} */
	const pgSlot = { proc: undefined, history: '', exitedWith: undefined };
	const pgBin = postgresBinDir();
	const pgDir = path.join(root, 'pg');
	const pgData = path.join(pgDir, 'data');
	const redisDir = path.join(root, 'redis');
	fs.mkdirSync(redisDir);
	fs.mkdirSync(pgDir, { mode: 0o700 });
	if (IS_ROOT) await runChecked('chown', ['postgres:postgres', pgDir]);

	const database = { name: 'n8n', user: 'n8n', password: 'n8n' };

	/** A folder under root. @param {string} name */
	const folder = (name) => {
		const dir = path.join(root, name);
		fs.mkdirSync(dir, { recursive: true });
		return dir;
	};

	/** @type {Record<string, string | undefined>} */
	const sharedEnv = {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pgPort),
		DB_POSTGRESDB_DATABASE: database.name,
		DB_POSTGRESDB_USER: database.user,
		DB_POSTGRESDB_PASSWORD: database.password,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		...(options.env ?? {}),
	};

	/**
	 * @param {string} userFolder
	 * @param {number} port
	 * @param {number} brokerPort
	 * @param {Record<string, string | undefined>} [extra]
	 */
	const envFor = (userFolder, port, brokerPort, extra = {}) =>
		n8nProcessEnv({ userFolder, encryptionKey, port, brokerPort, extra: { ...sharedEnv, ...extra } });

	const main = {
		name: 'main',
		port: mainPort,
		brokerPort: mainBroker,
		baseUrl: `http://127.0.0.1:${mainPort}`,
		userFolder: folder('u-main'),
		/** @type {Slot} */
		slot: { proc: undefined, history: '', exitedWith: undefined },
	};
	const workers = Array.from({ length: workerCount }, (_, i) => ({
		name: `worker${i + 1}`,
		hostname: `qm-worker${i + 1}`,
		healthPort: morePorts[i * 3],
		brokerPort: morePorts[i * 3 + 1],
		port: morePorts[i * 3 + 2],
		userFolder: folder(`u-worker${i + 1}`),
		/** @type {Slot} */
		slot: { proc: undefined, history: '', exitedWith: undefined },
	}));
	const cliFolder = folder('u-cli');
	const scratch = folder('scratch');
	let scratchCounter = 0;
	let canUnshare = false;

	/** @type {{ email: string, password: string, firstName: string, lastName: string }} */
	const owner = {
		email: 'owner@example.com',
		firstName: 'Queue',
		lastName: 'Owner',
		password: `Pw-${crypto.randomBytes(9).toString('base64url')}-9a`,
	};
	let ownerSetUp = false;
	/** Whether an n8n process has opened (and so migrated) the database. */
	let migrated = false;
	let cookieHeader = '';
	let stopped = false;

	/**
	 * @param {Slot} slot
	 * @param {string} command
	 * @param {string[]} args
	 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} spawnOptions
	 */
	function launch(slot, command, args, spawnOptions) {
		if (stopped) throw new Error('the queue stack was stopped');
		if (slot.proc) slot.history += slot.proc.output();
		slot.exitedWith = undefined;
		const proc = startProcess(command, args, { ...spawnOptions, echo: options.echo });
		slot.proc = proc;
		void proc.exited.then(({ code, signal }) => {
			if (slot.proc === proc) slot.exitedWith = `exited with ${signal ?? code}`;
		});
		return proc;
	}
	/** @param {Slot} slot */
	const running = (slot) => Boolean(slot.proc && slot.proc.child.exitCode === null && slot.proc.child.signalCode === null);
	/** @param {Slot} slot */
	const logsOf = (slot) => slot.history + (slot.proc?.output() ?? '');
	/** @param {Slot} slot @param {string} what */
	const startupFailure = (slot, what) => (/** @type {Error} */ error) =>
		new Error(`${what} failed to start: ${error.message}\n--- output (tail)\n${tail(slot.proc?.output() ?? '', 60)}`);

	/**
	 * Stops a child: `signal` to its main process, SIGKILL to its group after graceMs.
	 * @param {Slot} slot
	 * @param {NodeJS.Signals} signal
	 * @param {number} graceMs
	 */
	async function stopSlot(slot, signal, graceMs) {
		const proc = slot.proc;
		if (!proc) return;
		if (running(slot) && proc.child.pid !== undefined) {
			try {
				process.kill(proc.child.pid, signal);
			} catch {
				// already gone
			}
			const timer = setTimeout(() => proc.stop(0), graceMs);
			await proc.exited;
			clearTimeout(timer);
		}
		await proc.stop(0); // the group's leftovers (task runners, postgres backends)
	}

	// ---------------------------------------------------------------- Redis
	async function startRedis() {
		launch(redisSlot, redisServerBin(), [
			'--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'no',
			'--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning',
		], { cwd: redisDir, env: process.env });
		await pollUntil(() => redisPing(redisPort), {
			timeoutMs: 30_000,
			intervalMs: 50,
			what: 'redis-server',
			exited: () => redisSlot.exitedWith,
		}).catch((error) => {
			throw startupFailure(redisSlot, 'redis-server')(error);
		});
	}

	// ---------------------------------------------------------------- Postgres
	/** @param {string} query */
	async function sql(query) {
		const { stdout } = await runChecked(
			path.join(pgBin, 'psql'),
			['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-d', database.name, '-c', query],
			{ timeoutMs: 60_000, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
		);
		return stdout.trim();
	}

	async function initPostgres() {
		const [command, args] = asPostgres(path.join(pgBin, 'initdb'), [
			'-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync',
		]);
		await runChecked(command, args, { cwd: pgDir, timeoutMs: 120_000 });
	}

	async function startPostgres() {
		const [command, args] = asPostgres(path.join(pgBin, 'postgres'), [
			'-D', pgData, '-p', String(pgPort), '-k', pgDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200',
		]);
		launch(pgSlot, command, args, { cwd: pgDir, env: { PATH: process.env.PATH, LANG: 'C.UTF-8', TZ: 'UTC' } });
		await pollUntil(
			async () =>
				(await runProcess(path.join(pgBin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(pgPort)], { timeoutMs: 10_000 })).code === 0,
			{ timeoutMs: 60_000, intervalMs: 100, what: 'postgres', exited: () => pgSlot.exitedWith },
		).catch((error) => {
			throw startupFailure(pgSlot, 'postgres')(error);
		});
	}

	async function createDatabase() {
		await runChecked(
			path.join(pgBin, 'psql'),
			['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-d', 'postgres',
				'-c', `CREATE USER ${database.user} PASSWORD '${database.password}'`,
				'-c', `CREATE DATABASE ${database.name} OWNER ${database.user}`],
			{ timeoutMs: 60_000 },
		);
	}

	// ---------------------------------------------------------------- n8n processes
	/** @param {string} userFolder */
	const clearCrashJournal = (userFolder) => fs.rmSync(path.join(userFolder, '.n8n', 'crash.journal'), { force: true });

	function launchMain() {
		clearCrashJournal(main.userFolder);
		const env = envFor(main.userFolder, main.port, main.brokerPort, options.mainEnv);
		launch(main.slot, NODE_BIN, [N8N_BIN, 'start'], { cwd: main.userFolder, env });
	}

	/** @param {number} index */
	function launchWorker(index) {
		const worker = workers[index];
		clearCrashJournal(worker.userFolder);
		const env = envFor(worker.userFolder, worker.port, worker.brokerPort, {
			QUEUE_HEALTH_CHECK_PORT: String(worker.healthPort),
			...(options.workerEnv ?? {}),
		});
		const n8nArgs = [N8N_BIN, 'worker', `--concurrency=${concurrency}`];
		if (canUnshare) {
			// `hostname` then exec: the pid stays node's own (unshare and sh both exec).
			launch(worker.slot, 'unshare', ['-u', 'sh', '-c', 'hostname "$0" && exec "$@"', worker.hostname, NODE_BIN, ...n8nArgs], {
				cwd: worker.userFolder,
				env,
			});
		} else {
			launch(worker.slot, NODE_BIN, n8nArgs, { cwd: worker.userFolder, env });
		}
	}

	/** @param {typeof workers[number]} worker */
	async function waitWorkerReady(worker) {
		await pollUntil(
			async () => (await fetchWithTimeout(`http://127.0.0.1:${worker.healthPort}/healthz/readiness`, {}, 5_000)).status === 200,
			{ timeoutMs: readyTimeoutMs, what: worker.name, exited: () => worker.slot.exitedWith },
		).catch((error) => {
			throw startupFailure(worker.slot, worker.name)(error);
		});
	}

	async function waitMainReady() {
		for (const probe of ['/healthz', '/healthz/readiness']) {
			await pollUntil(async () => (await fetchWithTimeout(main.baseUrl + probe, {}, 5_000)).status === 200, {
				timeoutMs: readyTimeoutMs,
				what: `main ${probe}`,
				exited: () => main.slot.exitedWith,
			}).catch((error) => {
				throw startupFailure(main.slot, 'main')(error);
			});
		}
		await logIn();
	}

	/** The owner's session: set up on the first start of this database, logged in after that. */
	async function logIn() {
		const json = { 'content-type': 'application/json' };
		let response;
		if (!ownerSetUp) {
			response = await fetchWithTimeout(`${main.baseUrl}/rest/owner/setup`, {
				method: 'POST',
				headers: json,
				body: JSON.stringify(owner),
			});
			if (response.status !== 200) throw new Error(`POST /rest/owner/setup answered ${response.status}: ${await response.text()}`);
			ownerSetUp = true;
		} else {
			response = await fetchWithTimeout(`${main.baseUrl}/rest/login`, {
				method: 'POST',
				headers: json,
				body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
			});
			if (response.status !== 200) throw new Error(`POST /rest/login answered ${response.status}: ${await response.text()}`);
		}
		const setCookies = response.headers.getSetCookie();
		const pair = setCookies.map((header) => header.split(';')[0]).find((p) => p.startsWith('n8n-auth='));
		if (!pair) throw new Error('n8n set no n8n-auth cookie');
		cookieHeader = pair;
	}

	async function start() {
		if (stopped) throw new Error('this queue stack was stopped');
		const started = Date.now();
		const startWorkers = workers.map((worker, i) => (running(worker.slot) ? undefined : i)).filter((i) => i !== undefined);
		const startMain = !running(main.slot);
		if (startMain) launchMain();
		// n8n runs its migrations in every process without a lock: on a database no n8n has opened yet (no CLI
		// import came first), let main migrate it before the workers start.
		const mainFirst = startMain && !migrated;
		if (mainFirst) await waitMainReady();
		migrated = true;
		for (const i of startWorkers) launchWorker(/** @type {number} */ (i));
		await Promise.all([
			startMain && !mainFirst ? waitMainReady() : Promise.resolve(),
			...startWorkers.map((i) => waitWorkerReady(workers[/** @type {number} */ (i)])),
		]);
		say(`n8n ready: ${[startMain ? 'main' : '', ...startWorkers.map((i) => workers[/** @type {number} */ (i)].name)].filter(Boolean).join(', ') || 'nothing to start'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	}

	async function stopN8n() {
		await Promise.all([main.slot, ...workers.map((w) => w.slot)].map((slot) => stopSlot(slot, 'SIGTERM', 20_000)));
		removeN8nTempLeftovers();
	}

	/** @param {{ redis?: 'keep' | 'restart', postgres?: 'keep' | 'restart' }} [how] */
	async function restart(how = {}) {
		const t = Date.now();
		await stopN8n();
		if (how.redis === 'restart') await stopSlot(redisSlot, 'SIGTERM', 10_000);
		if (how.postgres === 'restart') await stopSlot(pgSlot, 'SIGINT', 30_000);
		say(`stopped n8n${how.redis === 'restart' ? ', Redis' : ''}${how.postgres === 'restart' ? ', Postgres' : ''} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
		if (how.postgres === 'restart') await startPostgres();
		if (how.redis === 'restart') await startRedis();
		await start();
	}

	async function stop() {
		if (stopped) return;
		stopped = true;
		liveStacks.delete(stop);
		const t = Date.now();
		await stopN8n().catch(() => {});
		await stopSlot(redisSlot, 'SIGTERM', 10_000).catch(() => {});
		await stopSlot(pgSlot, 'SIGINT', 30_000).catch(() => {});
		if (!options.keepRoot) fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
		say(`stack stopped and removed (${((Date.now() - t) / 1000).toFixed(1)} s)`);
	}

	// ---------------------------------------------------------------- CLI
	/** @param {string[]} args */
	async function cli(args) {
		clearCrashJournal(cliFolder);
		const env = envFor(cliFolder, cliPorts[0], await freePorts(1).then(([p]) => p));
		const result = await runProcess(NODE_BIN, [N8N_BIN, ...args], { cwd: cliFolder, env, timeoutMs: 3 * 60_000 });
		removeN8nTempLeftovers();
		if (result.code === 0) migrated = true;
		if (result.code !== 0 || result.timedOut) {
			throw new Error(`n8n ${args.join(' ')} ${result.timedOut ? 'timed out' : `exited with ${result.code ?? result.signal}`}\n` +
				`--- stdout (tail)\n${tail(result.stdout)}\n--- stderr (tail)\n${tail(result.stderr)}`);
		}
		return result;
	}

	/** @param {string} name @param {unknown} value */
	function writeScratch(name, value) {
		scratchCounter += 1;
		const file = path.join(scratch, `${scratchCounter}-${name}`);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}

	/** @param {Array<{ id: string, name: string, type: string, data: Record<string, unknown> }>} credentials */
	async function importCredentials(credentials) {
		for (const c of credentials) if (!c.id) throw new Error(`credential "${c.name}" needs an explicit id`);
		const t = Date.now();
		await cli(['import:credentials', `--input=${writeScratch('credentials.json', credentials)}`]);
		say(`imported ${credentials.length} credential(s) (${((Date.now() - t) / 1000).toFixed(1)} s)`);
	}

	/** @param {Array<{ id: string, name: string, nodes: any[], connections: Record<string, any>, settings?: Record<string, unknown> }>} workflows */
	async function importWorkflows(workflows) {
		const t = Date.now();
		scratchCounter += 1;
		const dir = path.join(scratch, `${scratchCounter}-workflows`);
		fs.mkdirSync(dir);
		for (const workflow of workflows) {
			if (!workflow.id) throw new Error(`workflow "${workflow.name}" needs an explicit id`);
			const full = { active: false, settings: { executionOrder: 'v1' }, pinData: {}, ...workflow };
			fs.writeFileSync(path.join(dir, `${workflow.id}.json`), JSON.stringify(full, null, 2));
		}
		await cli(['import:workflow', '--separate', `--input=${dir}`]);
		say(`imported ${workflows.length} workflow(s) (${((Date.now() - t) / 1000).toFixed(1)} s)`);
	}

	// ---------------------------------------------------------------- REST
	const { request, rest } = restClient({ baseUrl: () => main.baseUrl, cookieHeader: () => cookieHeader, timeoutMs: 30_000 });

	/**
	 * Until main serves the webhook. n8n answers a request for a path it has not registered with 404 "The requested
	 * webhook \"GET …\" is not registered"; once a POST webhook is registered, a GET gets 404 "This webhook is not
	 * registered for GET requests. Did you mean to make a POST request?" instead: so the probe starts no execution.
	 * A GET path (a form) is served when it answers 200.
	 * @param {string} method the webhook's HTTP method
	 * @param {string} urlPath e.g. 'webhook/qm-create' or 'form/<webhookId>'
	 */
	async function waitForWebhook(method, urlPath) {
		const url = `${main.baseUrl}/${urlPath.replace(/^\//, '')}`;
		await pollUntil(
			async () => {
				const response = await fetchWithTimeout(url, { method: 'GET' }, 5_000);
				const text = await response.text();
				if (method.toUpperCase() === 'GET') return response.status === 200;
				return response.status !== 404 || !/The requested webhook .* is not registered/.test(text);
			},
			{ timeoutMs: 60_000, intervalMs: 200, what: `webhook ${method} ${url}` },
		);
		return url;
	}

	/**
	 * @param {string} id
	 * @param {{ method: string, path: string }} [probe]
	 */
	async function publishWorkflow(id, probe) {
		const t = Date.now();
		if (running(main.slot)) {
			const { versionId } = await rest('GET', `/rest/workflows/${encodeURIComponent(id)}`);
			await rest('POST', `/rest/workflows/${encodeURIComponent(id)}/activate`, { versionId });
			if (probe) await waitForWebhook(probe.method, probe.path);
		} else {
			await cli(['publish:workflow', `--id=${id}`]);
		}
		say(`published workflow ${id} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
	}

	// ---------------------------------------------------------------- executions
	/**
	 * Every execution matching the filter, newest first (GET /rest/executions, 100 a page).
	 * @param {{ workflowId?: string, status?: string[] }} [filter]
	 * @returns {Promise<any[]>}
	 */
	async function executions(filter = {}) {
		/** @type {Record<string, unknown>} */
		const query = {};
		if (filter.workflowId) query.workflowId = filter.workflowId;
		if (filter.status) query.status = filter.status;
		/** @type {any[]} */
		const all = [];
		for (;;) {
			const lastId = all.length ? `&lastId=${encodeURIComponent(all[all.length - 1].id)}` : '';
			const data = await rest('GET', `/rest/executions?limit=100${lastId}&filter=${encodeURIComponent(JSON.stringify(query))}`);
			/** @type {any[]} */
			const page = data?.results ?? [];
			all.push(...page);
			if (page.length < 100) return all;
		}
	}

	/** @param {string | number} id */
	async function execution(id) {
		const { parse } = require(path.join(RUNTIME_MODULES, 'flatted'));
		const record = await rest('GET', `/rest/executions/${encodeURIComponent(String(id))}`);
		const data = typeof record.data === 'string' ? parse(record.data) : record.data;
		const resultData = data?.resultData ?? {};
		return {
			id: String(record.id),
			status: record.status,
			finished: record.finished,
			mode: record.mode,
			startedAt: record.startedAt,
			stoppedAt: record.stoppedAt,
			workflowId: record.workflowId,
			data,
			/** @type {Record<string, any[]>} */
			runData: resultData.runData ?? {},
			error: resultData.error,
			lastNodeExecuted: resultData.lastNodeExecuted,
		};
	}

	/**
	 * @param {string | number} id
	 * @param {{ statuses?: string[], timeoutMs?: number }} [waitOptions]
	 */
	async function waitForExecution(id, waitOptions = {}) {
		const statuses = waitOptions.statuses ?? FINAL_STATUSES;
		const found = await pollUntil(
			async () => {
				const record = await rest('GET', `/rest/executions/${encodeURIComponent(String(id))}`);
				return statuses.includes(record?.status) ? true : undefined;
			},
			{ timeoutMs: waitOptions.timeoutMs ?? 5 * 60_000, intervalMs: 500, what: `execution ${id} reaching ${statuses.join('/')}` },
		);
		return found && (await execution(id));
	}

	/** executionId → the workers that started it (more than one when it was resumed, e.g. after a Wait node). */
	function whoRan() {
		/** @type {Record<string, string[]>} */
		const ran = {};
		for (const worker of workers) {
			for (const match of logsOf(worker.slot).matchAll(/Worker started execution (\d+) \(job \d+\)/g)) {
				const names = (ran[match[1]] ??= []);
				if (!names.includes(worker.name)) names.push(worker.name);
			}
		}
		return ran;
	}

	// ---------------------------------------------------------------- bring-up
	/** @param {Slot} slot @param {string} name */
	const handle = (slot, name) => ({
		name,
		pid: () => slot.proc?.child.pid,
		output: () => slot.proc?.output() ?? '',
		logs: () => logsOf(slot),
		running: () => running(slot),
	});

	const stack = {
		root,
		encryptionKey,
		owner,
		redis: { port: redisPort, ...handle(redisSlot, 'redis') },
		postgres: { port: pgPort, database: database.name, user: database.user, sql, ...handle(pgSlot, 'postgres') },
		main: { port: main.port, baseUrl: main.baseUrl, userFolder: main.userFolder, ...handle(main.slot, 'main') },
		workers: workers.map((worker, i) => ({
			hostname: worker.hostname,
			healthPort: worker.healthPort,
			userFolder: worker.userFolder,
			...handle(worker.slot, worker.name),
			/** @param {NodeJS.Signals} [signal] the worker's node process only, as a crash would; resolves once it exited */
			kill: async (signal = /** @type {NodeJS.Signals} */ ('SIGKILL')) => {
				const proc = worker.slot.proc;
				if (!proc || !running(worker.slot) || proc.child.pid === undefined) return;
				process.kill(proc.child.pid, signal);
				await proc.exited;
				say(`${worker.name} (pid ${proc.child.pid}) killed with ${signal}`);
			},
			index: i,
		})),
		baseUrl: main.baseUrl,
		start,
		stopN8n,
		restart,
		/** @param {number} index */
		startWorker: async (index) => {
			if (running(workers[index].slot)) return;
			launchWorker(index);
			await waitWorkerReady(workers[index]);
		},
		/** @param {number} index */
		stopWorker: async (index) => await stopSlot(workers[index].slot, 'SIGTERM', 20_000),
		stop,
		ports: () => [redisPort, pgPort, main.port, main.brokerPort, ...workers.flatMap((w) => [w.healthPort, w.brokerPort])],
		isListening,
		cli,
		importCredentials,
		importWorkflows,
		publishWorkflow,
		waitForWebhook,
		request,
		rest,
		/** The owner's session cookie for main (`n8n-auth=…`), for requests rest() does not cover (binary downloads). */
		cookieHeader: () => cookieHeader,
		executions,
		execution,
		waitForExecution,
		whoRan,
		/** @param {string | number} executionId the worker that ran it ('worker1+worker2' when several did) */
		workerOf: (executionId) => whoRan()[String(executionId)]?.join('+'),
	};

	liveStacks.add(stop);
	/** @type {string | undefined} */
	let packedDir;
	try {
		say(`folder ${root}`);
		if (IS_ROOT) canUnshare = (await runProcess('unshare', ['-u', 'true'], { timeoutMs: 10_000 }).catch(() => ({ code: 1 }))).code === 0;
		await startRedis();
		say(`redis up on ${redisPort}`);
		await initPostgres();
		await startPostgres();
		await createDatabase();
		say(`postgres up on ${pgPort}, database created`);
		let tarball = options.tarball;
		if (!tarball) {
			// dist/ may be mid-rebuild (another `npm run build`): pack until the tarball holds every node and
			// credential file package.json names.
			const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
			/** @type {string[]} */
			const wanted = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
			for (let attempt = 1; ; attempt++) {
				const packed = await packPackage();
				packedDir = path.dirname(packed.tarball);
				const missing = wanted.filter((file) => !packed.files.includes(file));
				if (!missing.length) {
					tarball = packed.tarball;
					break;
				}
				fs.rmSync(packedDir, { recursive: true, force: true });
				packedDir = undefined;
				if (attempt >= 6) throw new Error(`the packed package lacks ${missing.join(', ')}: run npm run build`);
				say(`dist/ is incomplete (${missing.length} file(s) missing), packing again in 5 s`);
				await sleep(5_000);
			}
		}
		const packageTarball = tarball;
		await Promise.all([main.userFolder, ...workers.map((w) => w.userFolder)].map((dir) => installTarball(dir, packageTarball)));
		say(`package installed into ${1 + workers.length} user folders`);
		if (options.startN8n !== false) await start();
		return stack;
	} catch (error) {
		await stop();
		throw error;
	} finally {
		if (packedDir) fs.rmSync(packedDir, { recursive: true, force: true });
	}
}

module.exports = { startQueueStack, stopAllQueueStacks, queueServicesInstalled, postgresBinDir };
