import { LearnedDurations } from '../../../../../nodes/shared/poller/learnedDurations';
import { benchTasks, sideA } from '../../../../replica/benchReplica';
import { type SimTask, percentile, seededRandom } from './simulation';

/** One execution as Wait Until Done runs it (the bench replica's side A), with the key's durations store. */
async function execution(tasks: SimTask[], durations: LearnedDurations, pollIntervalMs?: number) {
	const run = await sideA(tasks, durations, { pollIntervalMs });
	return { ...run, p95: percentile(run.latencies, 95) };
}

describe('durations learned per model, across executions of one key', () => {
	test.each([60_000, 30_000])('a warm run does not poll blind: before its model’s shortest learned duration a task gets the early check and what the Poll Interval (%i ms) forces', async (pollIntervalMs) => {
		const durations = new LearnedDurations();
		const { cold, warm: tasks } = benchTasks(1, 50);
		await execution(cold, durations, pollIntervalMs);
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
