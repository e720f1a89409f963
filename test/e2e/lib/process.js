// @ts-check
'use strict';
/**
 * Child-process helpers for the real-n8n test layers: run a command to completion with a time limit, or start a
 * long-running one. Every child runs in its own process group so that a timeout or stop() ends its whole tree (n8n
 * starts task-runner children), and every child still alive when this process exits is killed.
 */
const { spawn } = require('child_process');
const net = require('net');

/** @type {Set<import('child_process').ChildProcess>} */
const liveChildren = new Set();
let exitHookInstalled = false;

function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const child of liveChildren) killGroup(child, 'SIGKILL');
	});
}

/**
 * Sends a signal to the child's process group (falls back to the child alone).
 * @param {import('child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function killGroup(child, signal) {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

/**
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string,
 *   timedOut: boolean, durationMs: number, command: string }} RunResult
 */

/**
 * Runs a command to completion. Never rejects because of the exit code: callers decide what a failure is.
 * Rejects only when the command cannot be started.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, input?: string }} [options]
 * @returns {Promise<RunResult>}
 */
function runProcess(command, args, options = {}) {
	installExitHook();
	const started = Date.now();
	const timeoutMs = options.timeoutMs ?? 5 * 60_000;
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['pipe', 'pipe', 'pipe'],
			detached: true,
		});
		liveChildren.add(child);
		/** @type {Buffer[]} */
		const out = [];
		/** @type {Buffer[]} */
		const err = [];
		let timedOut = false;
		child.stdout?.on('data', (chunk) => out.push(chunk));
		child.stderr?.on('data', (chunk) => err.push(chunk));
		child.stdin?.on('error', () => undefined);
		child.stdin?.end(options.input ?? '');
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child, 'SIGTERM');
			setTimeout(() => killGroup(child, 'SIGKILL'), 5_000).unref();
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			liveChildren.delete(child);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			liveChildren.delete(child);
			// Leftover grandchildren (e.g. a task runner) must not outlive the command.
			if (child.pid !== undefined) {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {
					// group already empty
				}
			}
			resolve({
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				timedOut,
				durationMs: Date.now() - started,
				command: [command, ...args].join(' '),
			});
		});
	});
}

/**
 * Like runProcess, but rejects with the command's output when it exits non-zero or times out.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, input?: string }} [options]
 * @returns {Promise<RunResult>}
 */
async function runChecked(command, args, options) {
	const result = await runProcess(command, args, options);
	if (result.code !== 0 || result.timedOut) {
		throw new Error(
			`${result.command} ${result.timedOut ? 'timed out' : `exited with ${result.code ?? result.signal}`}\n` +
				`--- stdout (tail)\n${tail(result.stdout)}\n--- stderr (tail)\n${tail(result.stderr)}`,
		);
	}
	return result;
}

/**
 * Starts a long-running command. Output is collected (and optionally echoed) until stop().
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, echo?: boolean }} [options]
 */
function startProcess(command, args, options = {}) {
	installExitHook();
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env ?? process.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	liveChildren.add(child);
	let output = '';
	/** @param {Buffer} chunk */
	const collect = (chunk) => {
		const text = chunk.toString('utf8');
		output += text;
		if (output.length > 2_000_000) output = output.slice(-1_000_000);
		if (options.echo) process.stderr.write(text);
	};
	child.stdout?.on('data', collect);
	child.stderr?.on('data', collect);
	/** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
	const exited = new Promise((resolve) => {
		child.on('close', (code, signal) => {
			liveChildren.delete(child);
			resolve({ code, signal });
		});
		child.on('error', () => {
			liveChildren.delete(child);
			resolve({ code: null, signal: null });
		});
	});
	return {
		child,
		exited,
		output: () => output,
		/** SIGTERM to the group, SIGKILL after graceMs; resolves once the child has exited. */
		async stop(graceMs = 10_000) {
			if (child.exitCode !== null || child.signalCode !== null) {
				if (child.pid !== undefined) killGroupByPid(child.pid);
				return await exited;
			}
			killGroup(child, 'SIGTERM');
			const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
			const result = await exited;
			clearTimeout(timer);
			if (child.pid !== undefined) killGroupByPid(child.pid);
			return result;
		},
	};
}

/** @param {number} pid */
function killGroupByPid(pid) {
	try {
		process.kill(-pid, 'SIGKILL');
	} catch {
		// group already empty
	}
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1.
 * @returns {Promise<number>}
 */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/**
 * @param {number} count
 * @returns {Promise<number[]>} distinct free ports
 */
async function freePorts(count) {
	/** @type {number[]} */
	const ports = [];
	while (ports.length < count) {
		const port = await freePort();
		if (!ports.includes(port)) ports.push(port);
	}
	return ports;
}

/**
 * @param {string} text
 * @param {number} [lines]
 */
function tail(text, lines = 60) {
	return text.split('\n').slice(-lines).join('\n');
}

module.exports = { runProcess, runChecked, startProcess, freePort, freePorts, tail };
