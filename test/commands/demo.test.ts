/**
 * Issue 14, point 2: the demo keeps its outputs in demo-output/ in the clone (ignored by git), prints where they are,
 * and the next run replaces that folder; it never empties a folder it did not make. The demo runs one example here
 * (with --out, so that a developer's own demo-output/ is left alone), from the build test.sh made.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'fs';
import { join } from 'path';

import { REPO_ROOT, runProcess } from '../e2e/lib';
import { assertReady } from '../e2e/support';
import { commandFolders } from './support';

jest.setTimeout(10 * 60_000);

let folders: ReturnType<typeof commandFolders>;
beforeEach(() => (folders = commandFolders()));
afterEach(() => folders.remove());

const demo = (args: string[]) =>
	runProcess(process.execPath, ['scripts/demo.js', ...args], {
		cwd: REPO_ROOT,
		env: { ...process.env, TMPDIR: folders.tmp, XDG_CACHE_HOME: folders.cache },
		timeoutMs: 8 * 60_000,
	});

test('by default the outputs go to demo-output/ in the clone, which git ignores', async () => {
	const help = await demo(['--help']);
	expect(help.code).toBe(0);
	expect(help.stdout).toContain('default: demo-output/ in the clone, ignored by git');
	const ignored = await runProcess('git', ['check-ignore', '--quiet', 'demo-output/videos/a.mp4'], { cwd: REPO_ROOT });
	expect(ignored.code).toBe(0);
});

test('a run keeps its outputs, prints where they are, and replaces the previous run’s folder', async () => {
	assertReady();
	const out = join(folders.cache, 'demo-output');
	mkdirSync(out);
	writeFileSync(join(out, '.apertis-demo-output'), 'from a previous run\n');
	writeFileSync(join(out, 'stale.txt'), 'left by the previous run\n');

	const run = await demo(['--out', out, 'create-then-query.json']);
	expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
	expect(run.stdout).toContain(`outputs go to ${out} (replaced on every run)`);
	expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`outputs in ${out} (kept; the next run replaces them)`);
	expect(existsSync(join(out, 'stale.txt'))).toBe(false);
	const folder = join(out, 'apertisCreateQry');
	expect(readdirSync(folder).filter((file) => file.endsWith('.mp4'))).toHaveLength(1);
	expect(run.stdout).toContain(`1 video in ${folder}`);
	// The n8n it ran is gone with its user folder: nothing is left in its temp directory.
	expect(readdirSync(folders.tmp)).toEqual([]);
});

test('a folder the demo did not make is never emptied', async () => {
	const out = join(folders.cache, 'mine');
	mkdirSync(out);
	writeFileSync(join(out, 'notes.txt'), 'mine\n');
	const run = await demo(['--out', out]);
	expect(run.code).toBe(2);
	expect(run.stderr).toContain(`${out} is not empty and is not a previous demo's output folder`);
	expect(readdirSync(out)).toEqual(['notes.txt']);
});
