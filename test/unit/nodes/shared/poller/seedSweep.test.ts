import { AdaptivePace } from '../../../../../nodes/shared/pacing/adaptivePace';
import { LearnedDurations } from '../../../../../nodes/shared/poller/learnedDurations';
import { pollUntilDone } from '../../../../../nodes/shared/poller/pollUntilDone';
import type { PollOutcome } from '../../../../../nodes/shared/poller/types';
import { SimulatedApi, type SimTask, fixedScheduleRequests, percentile, seededRandom } from './simulation';
import { VirtualClock } from './virtualClock';

/**
 * The schedule against the hand-built loop (a check every 10 s) over many seeds, in virtual time: the benchmark's
 * targets as properties of every seed, not counts tuned to one. `SWEEP_REPORT=1` prints the totals (to compare a
 * change of the schedule with the code before it).
 */
const SEEDS = Array.from({ length: 24 }, (_, i) => i + 1);

/** The benchmark's mix: four models, typical durations 20–60 s, each task ±25 %, queued for a tenth of it. */
const MODELS: Array<[string, number]> = [
	['veo3-fast', 20_000],
	['veo3', 30_000],
	['veo3.1', 40_000],
	['veo2', 60_000],
];

function mixTasks(count: number, seed: number, progress: boolean): SimTask[] {
	const random = seededRandom(seed);
	return Array.from({ length: count }, (_, i) => {
		const [model, median] = MODELS[i % MODELS.length];
		const durationMs = Math.round(median * (1 + 0.25 * (2 * random() - 1)));
		return { taskId: `s${seed}-${i}`, model, durationMs, progress, queuedMs: Math.round(0.1 * durationMs) };
	});
}

/** The loop notices a finish up to 10 s late: its p95 is about 9.5 s. */
const LOOP_P95_MS = 9500;

interface RunResult {
	requests: number;
	loopRequests: number;
	p95: number;
	afterSlowestMs: number;
	completed: boolean;
}

async function execution(tasks: SimTask[], durations: LearnedDurations, pollIntervalMs: number): Promise<RunResult> {
	const clock = new VirtualClock();
	const api = new SimulatedApi(clock, tasks, { latencyMs: 20 });
	const outcomes: PollOutcome[] = await clock.run(
		pollUntilDone(api.targets(), {
			fetchStatus: api.fetchStatus,
			classifyError: () => 'retry',
			pollIntervalMs,
			timeoutMs: 10 * 60_000,
			clock,
			durations,
			pace: new AdaptivePace(),
		}),
	);
	const latencies = outcomes.map((o, i) => o.elapsedMs - tasks[i].durationMs);
	return {
		requests: api.requests.length,
		loopRequests: fixedScheduleRequests(tasks.map((t) => t.durationMs)),
		p95: percentile(latencies, 95),
		afterSlowestMs: clock.now() - Math.max(...tasks.map((t) => t.durationMs)),
		completed: outcomes.every((o) => o.outcome === 'completed'),
	};
}

async function sweep() {
	const rows = [];
	for (const seed of SEEDS) {
		const durations = new LearnedDurations();
		const cold = await execution(mixTasks(50, seed, false), durations, 60_000);
		const warm = await execution(mixTasks(50, seed + 1000, false), durations, 60_000);
		const progress = await execution(mixTasks(50, seed + 2000, true), new LearnedDurations(), 30_000);
		rows.push({ seed, cold, warm, progress });
	}
	return rows;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mean = (values: number[]) => sum(values) / values.length;

describe(`the schedule against the 10-s loop, ${SEEDS.length} seeds`, () => {
	let rows: Awaited<ReturnType<typeof sweep>>;
	beforeAll(async () => {
		rows = await sweep();
		if (process.env.SWEEP_REPORT) {
			const of = (kind: 'cold' | 'warm' | 'progress') => ({
				requests: sum(rows.map((r) => r[kind].requests)),
				loopRequests: sum(rows.map((r) => r[kind].loopRequests)),
				meanP95: Math.round(mean(rows.map((r) => r[kind].p95))),
				maxP95: Math.max(...rows.map((r) => r[kind].p95)),
			});
			console.log(JSON.stringify({ cold: of('cold'), warm: of('warm'), progress: of('progress') }));
		}
	}, 120_000);

	test('every task completes, and the run ends within 3 s of the slowest finish (the loop: up to 10 s)', () => {
		for (const row of rows) {
			for (const run of [row.cold, row.warm, row.progress]) {
				expect(run.completed).toBe(true);
				expect(run.afterSlowestMs).toBeLessThanOrEqual(3000);
			}
		}
	});

	test('without progress, never more requests than the loop; with it, about as many (checks near its predicted end)', () => {
		for (const row of rows) {
			for (const run of [row.cold, row.warm]) expect(run.requests).toBeLessThanOrEqual(run.loopRequests);
		}
		const withProgress = rows.map((r) => r.progress);
		expect(sum(withProgress.map((r) => r.requests))).toBeLessThanOrEqual(1.05 * sum(withProgress.map((r) => r.loopRequests)));
	});

	test('finishes are noticed sooner than the loop notices them; warm sooner than cold; with progress within 2 s', () => {
		expect(mean(rows.map((r) => r.cold.p95))).toBeLessThanOrEqual(LOOP_P95_MS);
		expect(mean(rows.map((r) => r.warm.p95))).toBeLessThanOrEqual(0.6 * LOOP_P95_MS);
		expect(mean(rows.map((r) => r.warm.p95))).toBeLessThan(mean(rows.map((r) => r.cold.p95)));
		expect(mean(rows.map((r) => r.progress.p95))).toBeLessThanOrEqual(2000);
	});
});
