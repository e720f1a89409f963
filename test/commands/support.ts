// Helpers of the command tests: the commands a newcomer runs (npm run sandbox / editor / demo), started as real
// processes with a temp directory of their own, so that what they leave behind can be seen.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

import { REPO_ROOT, startProcess } from '../e2e/lib';

export { REPO_ROOT };

export type Started = ReturnType<typeof startProcess>;

/** A fresh folder for one command: its TMPDIR, and XDG_CACHE_HOME so that tools' caches (gulp's v8flags) stay out. */
export function commandFolders(): { tmp: string; cache: string; remove(): void } {
	const root = mkdtempSync(join(tmpdir(), 'apertis-command-test-'));
	const tmp = join(root, 'tmp');
	const cache = join(root, 'cache');
	for (const dir of [tmp, cache]) mkdirSync(dir);
	return { tmp, cache, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Starts `npm run <script> -- …args` in the repository, its own process group, with the given temp folders. */
export function npmRun(script: string, args: string[], folders: { tmp: string; cache: string }): Started {
	return startProcess('npm', ['run', script, '--', ...args], {
		cwd: REPO_ROOT,
		env: { ...process.env, TMPDIR: folders.tmp, XDG_CACHE_HOME: folders.cache },
	});
}

/** Resolves with the first match of `pattern` in the process's output; rejects if it exits (or `limitMs` passes) first. */
export async function waitForOutput(proc: Started, pattern: RegExp, limitMs: number): Promise<RegExpMatchArray> {
	let exited = false;
	void proc.exited.then(() => (exited = true));
	const deadline = Date.now() + limitMs;
	for (;;) {
		const match = pattern.exec(proc.output());
		if (match) return match;
		if (exited) throw new Error(`${proc.child.spawnargs.join(' ')} exited before printing ${pattern}:\n${proc.output().slice(-4000)}`);
		if (Date.now() > deadline) throw new Error(`${proc.child.spawnargs.join(' ')} did not print ${pattern}:\n${proc.output().slice(-4000)}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/** Processes still alive in the process group `pgid`. */
export function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Command lines of the live processes whose environment has TMPDIR=tmp (every process a command started inherits it). */
export function processesWithTmp(tmp: string): string[] {
	const found: string[] = [];
	for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
		try {
			if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`TMPDIR=${tmp}`)) continue;
			const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
			if (state !== 'Z') found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')}`);
		} catch {
			// gone meanwhile, or not ours to read
		}
	}
	return found;
}
