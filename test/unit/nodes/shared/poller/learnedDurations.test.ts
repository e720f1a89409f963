import { AdaptivePace } from '../../../../../nodes/shared/pacing/adaptivePace';
import { LearnedDurations } from '../../../../../nodes/shared/poller/learnedDurations';
import { pollUntilDone } from '../../../../../nodes/shared/poller/pollUntilDone';
import type { ErrorVerdict, PollOutcome } from '../../../../../nodes/shared/poller/types';
import { VirtualClock } from './virtualClock';
import { SimulatedApi, type SimTask, percentile, seededRandom } from './simulation';

/** The benchmark's mix: four models, typical durations 20–60 s, each task ±25 %, queued for a tenth of it. */
const MODELS: Array<[string, number]> = [
	['veo3-fast', 20_000],
	['veo3', 30_000],
	['veo3.1', 40_000],
	['veo2', 60_000],
];

function benchTasks(count: number, seed: number): SimTask[] {
	const random = seededRandom(seed);
	return Array.from({ length: count }, (_, i) => {
		const [model, median] = MODELS[i % MODELS.length];
		const durationMs = Math.round(median * (1 + 0.25 * (2 * random() - 1)));
		return { taskId: `s${seed}-${i}`, model, durationMs, progress: false, queuedMs: Math.round(0.1 * durationMs) };
	});
}

const classify = (): ErrorVerdict => 'retry';
const latencies = (outcomes: PollOutcome[], tasks: SimTask[]) => outcomes.map((o, i) => o.elapsedMs - tasks[i].durationMs);

/** One execution in virtual time (its own clock), with the key's durations store; the node's default Poll Interval. */
async function execution(tasks: SimTask[], durations: LearnedDurations, pollIntervalMs = 60_000) {
	const clock = new VirtualClock();
	const api = new SimulatedApi(clock, tasks, { latencyMs: 20 });
	const outcomes = await clock.run(
		pollUntilDone(api.targets(), {
			fetchStatus: api.fetchStatus,
			classifyError: classify,
			pollIntervalMs,
			timeoutMs: 10 * 60_000,
			clock,
			durations,
			pace: new AdaptivePace(),
		}),
	);
	return { api, outcomes, clock, p95: percentile(latencies(outcomes, tasks), 95) };
}

describe('durations learned per model, across executions of one key', () => {
	test.each([60_000, 30_000])('a warm run does not poll blind: before its model’s shortest learned duration a task gets the early check and what the Poll Interval (%i ms) forces', async (pollIntervalMs) => {
		const durations = new LearnedDurations();
		const cold = benchTasks(50, 1);
		await execution(cold, durations, pollIntervalMs);
		const tasks = benchTasks(50, 2);
		const warm = await execution(tasks, durations, pollIntervalMs);
		const shortest = new Map<string, number>();
		for (const t of cold) shortest.set(t.model!, Math.min(shortest.get(t.model!) ?? Infinity, t.durationMs));
		for (const task of tasks) {
			// The window opens a little before the shortest duration learned (the kernel's half-width): up to there,
			// a check every Poll Interval at most, after the early one.
			const opensBy = shortest.get(task.model!)! - 5000;
			const early = warm.api.requests.filter((r) => r.taskId === task.taskId && r.startAt < opensBy);
			expect(early.length).toBeLessThanOrEqual(1 + Math.floor(opensBy / pollIntervalMs));
		}
	});

	test.each([
		[4, false],
		[12, true],
	])('with %i durations of a model learned, gaps beyond 30 s: %s (under 10 the schedule keeps them under 30 s)', async (count, longGaps) => {
		const durations = new LearnedDurations();
		const batch = (tag: string): SimTask[] =>
			Array.from({ length: count }, (_, i) => ({ taskId: `${tag}-${i}`, model: 'veo2', durationMs: 90_000 + 1000 * i, progress: false }));
		await execution(batch('cold'), durations, 120_000);
		const warm = await execution(batch('warm'), durations, 120_000);
		const longest = Math.max(
			...warm.api.tasks.map((task) => {
				const checks = warm.api.requests.filter((r) => r.taskId === task.taskId).map((r) => r.startAt);
				return Math.max(...checks.slice(1).map((at, i) => at - checks[i]));
			}),
		);
		// A gap counts from the previous answer (20 ms after its request here).
		expect(longest > 31_000).toBe(longGaps);
	});

	test('the generation time counts from leaving the queue: a long, varying queue does not blur the window', async () => {
		const random = seededRandom(3);
		const tasksOf = (tag: string): SimTask[] =>
			Array.from({ length: 40 }, (_, i) => {
				const queuedMs = Math.round(random() * 30_000);
				const generation = 30_000 + Math.round(random() * 2000);
				return { taskId: `${tag}-${i}`, model: 'sora-2', durationMs: queuedMs + generation, queuedMs, progress: false };
			});
		const durations = new LearnedDurations();
		await execution(tasksOf('cold'), durations);
		expect(durations.of('sora-2').generation.length).toBe(40);
		// The same knowledge without the generation times: windows from the totals alone (spread over 30 s).
		const totalsOnly = new LearnedDurations();
		for (const ms of durations.of('sora-2').total) totalsOnly.record('sora-2', 'total', ms);
		const tasks = tasksOf('warm');
		const warm = await execution(tasks, durations);
		const blurred = await execution(tasks, totalsOnly);
		expect(warm.p95).toBeLessThanOrEqual(0.7 * blurred.p95);
	});

	test('the store keeps the recent durations of each model, and forgets the least recently used model', () => {
		const store = new LearnedDurations();
		for (let i = 0; i < 100; i++) store.record('veo3', 'total', i);
		expect(store.of('veo3').total).toEqual(Array.from({ length: 64 }, (_, i) => i + 36));
		store.record('veo3', 'generation', -5);
		store.record('veo3', 'generation', Number.NaN);
		expect(store.of('veo3').generation).toEqual([]);
		for (let m = 0; m < 64; m++) store.record(`model-${m}`, 'total', 1);
		expect(store.of('veo3').total).toEqual([]);
		expect(store.of('model-63').total).toEqual([1]);
	});
});
