import { LearnedDurations } from '../../../../../nodes/shared/poller/learnedDurations';
import { type ReplicaRun, benchTasks, replicaSweep, sideA } from '../../../../replica/benchReplica';
import { percentile } from './simulation';

/**
 * The schedule against the hand-built loop (a look every 10 s) over many seeds, in virtual time: the benchmark's
 * batches as its replica runs them (test/replica/benchReplica.ts, the same tasks the sandbox draws at each seed), and
 * its targets as properties that hold over the seeds, not counts tuned to one.
 */
const SEEDS = Array.from({ length: 24 }, (_, i) => i + 1);

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
};

describe(`the schedule against the 10-s loop, the bench's batches at ${SEEDS.length} seeds`, () => {
	let rows: ReplicaRun[];
	const pairs = (n: number, run: 'cold' | 'warm') =>
		SEEDS.map((seed) => {
			const of = (side: 'A' | 'B') => rows.find((r) => r.seed === seed && r.n === n && r.run === run && r.side === side)!;
			return { a: of('A'), b: of('B') };
		});
	beforeAll(async () => {
		rows = await replicaSweep(SEEDS, [50, 200]);
	}, 120_000);

	test('every task completes, and each run ends within 3 s of its slowest task (the loop: up to 10 s)', () => {
		for (const row of rows.filter((r) => r.side === 'A')) {
			expect(row.completed).toBe(row.n);
			expect(row.afterSlowestS).toBeLessThanOrEqual(3);
		}
	});

	test('never more requests than the loop, at any seed', () => {
		for (const n of [50, 200]) {
			for (const run of ['cold', 'warm'] as const) {
				for (const { a, b } of pairs(n, run)) expect(a.requests).toBeLessThanOrEqual(b.requests);
			}
		}
	});

	test("over the seeds, finishes are noticed sooner than the loop notices them: cold at most its p95, warm 0.6 × it", () => {
		for (const n of [50, 200]) {
			const ratio = (run: 'cold' | 'warm') => median(pairs(n, run).map(({ a, b }) => a.p95S / b.p95S));
			expect(ratio('cold')).toBeLessThanOrEqual(1);
			expect(ratio('warm')).toBeLessThanOrEqual(0.6);
			expect(ratio('warm')).toBeLessThan(ratio('cold'));
		}
	});
});

test('with progress in the answers (the /v1/videos family), a finish is noticed within 2 s at p95, over the seeds', async () => {
	const p95s: number[] = [];
	for (const seed of SEEDS) {
		const tasks = benchTasks(seed, 50).cold.map((task) => ({ ...task, progress: true }));
		const { latencies, completed } = await sideA(tasks, new LearnedDurations(), { pollIntervalMs: 30_000 });
		expect(completed).toBe(tasks.length);
		p95s.push(percentile(latencies, 95));
	}
	expect(median(p95s)).toBeLessThanOrEqual(2000);
});
