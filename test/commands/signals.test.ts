/**
 * Issue 14, point 3: `npm run sandbox` and `npm run editor` stop cleanly on SIGINT and on SIGTERM sent to the npm
 * process that was started (as a process manager or a script sends them; not a terminal's Ctrl-C, which reaches the
 * whole process group): npm exits, nothing of theirs listens any more, no process of theirs is left, and their temp
 * directory is empty.
 */
import { readdirSync } from 'fs';

import { freePort } from '../e2e/lib';
import type { Started } from './support';
import { commandFolders, groupAlive, listening, npmRun, processesWithTmp, waitForOutput } from './support';

jest.setTimeout(10 * 60_000);

let running: Started | undefined;
let folders: ReturnType<typeof commandFolders> | undefined;
afterEach(async () => {
	await running?.stop(5_000);
	folders?.remove();
	running = folders = undefined;
});

async function stopWith(proc: Started, signal: NodeJS.Signals, tmp: string) {
	const pid = proc.child.pid!;
	process.kill(pid, signal); // npm's own pid only
	const exit = await Promise.race([
		proc.exited,
		new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 60_000).unref()),
	]);
	expect(exit).toEqual({ code: 0, signal: null });
	expect(groupAlive(pid)).toBe(false);
	expect(processesWithTmp(tmp)).toEqual([]);
	expect(readdirSync(tmp)).toEqual([]);
}

describe.each(['SIGINT', 'SIGTERM'] as const)('%s to npm', (signal) => {
	test('npm run sandbox stops: its two ports close', async () => {
		folders = commandFolders();
		const port = await freePort();
		running = npmRun('sandbox', ['--port', String(port)], folders);
		const [, api, files] = await waitForOutput(running, /listening on http:\/\/127\.0\.0\.1:(\d+) \(videos served from http:\/\/127\.0\.0\.1:(\d+)\)/, 60_000);
		expect(Number(api)).toBe(port);
		expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(401);
		expect(await listening(Number(files))).toBe(true);

		await stopWith(running, signal, folders.tmp);
		expect(running.output()).toContain('sandbox stopped');
		expect(await listening(port)).toBe(false);
		expect(await listening(Number(files))).toBe(false);
	});

	test('npm run editor stops: n8n and the sandbox stop, its folder is removed', async () => {
		folders = commandFolders();
		const port = await freePort();
		running = npmRun('editor', ['--port', String(port)], folders);
		await waitForOutput(running, /Press Ctrl-C to stop/, 8 * 60_000);
		const sandboxPort = Number(/sandbox \(the Apertis API stand-in\): http:\/\/127\.0\.0\.1:(\d+)/.exec(running.output())![1]);
		expect(running.output()).toContain(`n8n is running: http://127.0.0.1:${port}`);
		expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
		expect(await listening(sandboxPort)).toBe(true);
		expect(readdirSync(folders.tmp)).toEqual([expect.stringMatching(/^apertis-editor-/)]);

		await stopWith(running, signal, folders.tmp);
		expect(running.output()).toContain('stopping n8n and the sandbox');
		expect(await listening(port)).toBe(false);
		expect(await listening(sandboxPort)).toBe(false);
	});
});
