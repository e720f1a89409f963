/**
 * Issue 14, point 7: what the commands say about themselves is true. The sandbox CLI's --help lists every option it
 * takes, each listed option works, and an option it does not take (the --fail-every its header once named) is an
 * error; the quick benchmark's report speaks of its own run (N=10, a 64 MB video), not of the full run's figures.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { REPO_ROOT, freePort, runProcess, startProcess } from '../e2e/lib';
import { waitForOutput } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeReport } = require('../../scripts/bench/report');

const CLI = join(REPO_ROOT, 'test', 'sandbox', 'cli.js');

test('sandbox --help lists --port, --key, --duration, --spread, --rps and --variant, and each of them works', async () => {
	const help = await runProcess(process.execPath, [CLI, '--help']);
	expect(help.code).toBe(0);
	const listed = [...help.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
	expect(listed).toEqual(['--port', '--key', '--duration', '--spread', '--rps', '--variant', '--help']);

	const port = await freePort();
	const sandbox = startProcess(process.execPath, [CLI, '--port', String(port), '--key', 'sk-own', '--duration', '0.2', '--spread', '0', '--rps', '100', '--variant', 'sparse,strings']);
	try {
		await waitForOutput(sandbox, /listening on/, 30_000);
		expect(sandbox.output()).toContain(`Base URL http://127.0.0.1:${port} and API key sk-own`);
		const headers = { authorization: 'Bearer sk-own', 'content-type': 'application/json' };
		const created = (await (await fetch(`http://127.0.0.1:${port}/v1/video/create`, { method: 'POST', headers, body: JSON.stringify({ model: 'veo3', prompt: 'p' }) })).json()) as { id: string };
		const config = await (await fetch(`http://127.0.0.1:${port}/__sandbox/config`)).json();
		expect(config).toMatchObject({ durationMs: 200, durationSpread: 0, requestsPerSecond: 100, variant: ['sparse', 'strings'] });
		expect(created.id).toMatch(/^veo3:/);
		expect(created).not.toHaveProperty('status_update_time');
		expect((await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: 'Bearer sk-sandbox-key' } })).status).toBe(401);
	} finally {
		await sandbox.stop();
	}
});

test('an option the sandbox does not take is an error that points to --help', async () => {
	const run = await runProcess(process.execPath, [CLI, '--fail-every', '3']);
	expect(run.code).toBe(2);
	expect(run.stderr.trim()).toBe('sandbox: unknown option --fail-every (see --help)');
});

test('the quick benchmark report names its own N and video, not the full run’s', () => {
	const full = JSON.parse(readFileSync(join(REPO_ROOT, 'bench', 'results.json'), 'utf8'));
	const toQuick = (row: { n: number }) => ({ ...row, n: 10 });
	const quick = {
		...full,
		quick: true,
		scale: 0.2,
		batches: full.batches.filter((b: { n: number }) => b.n === 50).map(toQuick),
		rateLimit: full.rateLimit.map(toQuick),
		memory: { ...full.memory, videoBytes: 64 * 1024 ** 2 },
	};
	const report: string = writeReport(quick);
	expect(report).toContain('N=10');
	expect(report).not.toContain('N=50');
	expect(report).not.toContain('N=200');
	expect(report).not.toContain("quick run's");
	expect(report).toContain('for a 64 MB video');
	// The full run's report keeps its own words: it names the quick run's video when the extra levels off there.
	const fullReport: string = writeReport(full);
	expect(fullReport).toContain('at N=50');
	const [, mid, big] = full.memory.sizes as Array<{ medianPeak: number }>;
	const levelled = (bigPeak: number) => ({ ...full, memory: { ...full.memory, sizes: [full.memory.sizes[0], mid, { ...big, medianPeak: bigPeak }] } });
	expect(writeReport(levelled(mid.medianPeak + 1024 ** 2))).toContain("(the quick run's 64 MB video cost about the same)");
	expect(writeReport(levelled(mid.medianPeak + 40 * 1024 ** 2))).not.toContain("quick run's");
});
