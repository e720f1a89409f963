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
const { writeReport, targetList } = require('../../scripts/bench/report');

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
		replica: { ...full.replica, rows: full.replica.rows.filter((r: { n: number }) => r.n === 50).map(toQuick) },
		memory: { ...full.memory, sizes: full.memory.sizes.slice(0, 2) },
	};
	const report: string = writeReport(quick);
	expect(report).toContain('N=10');
	expect(report).not.toContain('N=50');
	expect(report).not.toContain('N=200');
	expect(report).toContain('peak RSS for a 64 MB video ≤ peak RSS for a 16 MB video + 16 MB');
	expect(writeReport(full)).toContain('peak RSS for a 1024 MB video ≤ peak RSS for a 64 MB video + 16 MB');
});

test('a batch target is decided by the median over the seeds, and the report names the worst seed', () => {
	const full = JSON.parse(readFileSync(join(REPO_ROOT, 'bench', 'results.json'), 'utf8'));
	const seeds: number[] = full.seeds;
	expect(seeds.length).toBeGreaterThanOrEqual(3);
	type Row = { seed: number; side: string; n: number; run: string; detectionS: { p95: number } };
	/** A's cold p95 at N=50 set to the given multiples of B's, seed by seed. */
	const withA = (multiples: number[]) => ({
		...full,
		batches: full.batches.map((row: Row) => {
			if (row.side !== 'A' || row.n !== 50 || row.run !== 'cold') return row;
			const b = full.batches.find((x: Row) => x.side === 'B' && x.n === 50 && x.run === 'cold' && x.seed === row.seed) as Row;
			return { ...row, detectionS: { ...row.detectionS, p95: multiples[seeds.indexOf(row.seed)] * b.detectionS.p95 } };
		}),
	});
	const target = (results: unknown) => (targetList(results) as Array<{ key: string; met: boolean; text: string }>).find((t) => t.key === 'p95-cold' && t.text.startsWith('cold run at N=50'))!;
	const oneBad = target(withA([0.9, 1.5, 0.8, ...seeds.slice(3).map(() => 0.8)]));
	expect(oneBad.met).toBe(true);
	expect(oneBad.text).toContain(`worst seed ${seeds[1]}`);
	const mostlyBad = target(withA(seeds.map((_, i) => (i === 0 ? 0.8 : 1.5))));
	expect(mostlyBad.met).toBe(false);
});
