import fc from 'fast-check';
import { AdaptivePace } from '../../../../../nodes/shared/pacing/adaptivePace';
import { LearnedDurations } from '../../../../../nodes/shared/poller/learnedDurations';
import { PollAborted, pollUntilDone } from '../../../../../nodes/shared/poller/pollUntilDone';
import type { PollOptions, PollOutcome } from '../../../../../nodes/shared/poller/types';
import { SimulatedApi, type SimTask } from './simulation';
import { VirtualClock } from './virtualClock';

/**
 * What holds for any batch, in virtual time: properties of the loop, not of its tuning. fast-check draws the tasks
 * (durations, models, progress or not, failures), the Poll Interval, the time-out, a hand-off and a Stop. (Requests
 * against the hand-built loop: seedSweep.test.ts, over the benchmark's mix; a batch drawn to finish just after each of
 * the loop's looks can cost the schedule more than the loop.)
 */
const MODELS = ['veo3', 'veo2', 'sora-2'];

const taskArb = fc.record({
	durationMs: fc.integer({ min: 500, max: 150_000 }),
	model: fc.constantFrom(...MODELS),
	progress: fc.boolean(),
	end: fc.constantFrom<'completed' | 'failed'>('completed', 'completed', 'completed', 'failed'),
	queuedMs: fc.integer({ min: 0, max: 10_000 }),
	forever: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const batchArb = fc.record({
	tasks: fc.array(taskArb, { minLength: 1, maxLength: 25 }),
	pollIntervalMs: fc.integer({ min: 2000, max: 90_000 }),
	timeoutMs: fc.integer({ min: 5000, max: 400_000 }),
	/** Every n-th request fails with a 5xx (0: none). */
	failEvery: fc.constantFrom(0, 0, 3, 7),
});

type Batch = typeof batchArb extends fc.Arbitrary<infer T> ? T : never;

function simTasks(batch: Batch): SimTask[] {
	return batch.tasks.map((t, i) => ({ ...t, taskId: `p-${i}` }));
}

async function poll(batch: Batch, options: Partial<PollOptions> = {}, clock = new VirtualClock()) {
	const failure = Object.assign(new Error('Bad Gateway'), { httpCode: 502 });
	const failRequest = (log: { n: number }) => (batch.failEvery && log.n % batch.failEvery === 0 ? failure : undefined);
	const api = new SimulatedApi(clock, simTasks(batch), { latencyMs: 40, failRequest });
	const seen: PollOutcome[] = [];
	const run = pollUntilDone(api.targets(), {
		fetchStatus: api.fetchStatus,
		classifyError: () => 'retry',
		pollIntervalMs: batch.pollIntervalMs,
		timeoutMs: batch.timeoutMs,
		pace: new AdaptivePace(),
		durations: new LearnedDurations(),
		clock,
		onOutcome: (o) => seen.push(o),
		...options,
	});
	let error: unknown;
	const outcomes = await clock.run(run.catch((e: unknown) => ((error = e), [] as PollOutcome[])));
	return { api, clock, seen, outcomes, error };
}

const runs = { numRuns: Number(process.env.PROPERTY_RUNS ?? 40) };
jest.setTimeout(120_000);

describe('properties of the loop, for any batch', () => {
	test('every task settles exactly once, in input order, with its id', async () => {
		await fc.assert(
			fc.asyncProperty(batchArb, async (batch) => {
				const { outcomes, seen } = await poll(batch);
				expect(outcomes.map((o) => o.taskId)).toEqual(batch.tasks.map((_, i) => `p-${i}`));
				expect(seen.map((o) => o.taskId).sort()).toEqual(outcomes.map((o) => o.taskId).sort());
				for (const o of outcomes) expect(['completed', 'failed', 'timedOut']).toContain(o.outcome);
			}),
			runs,
		);
	});

	test('no gap between two checks of a task is longer than the Poll Interval, and no task times out unseen', async () => {
		await fc.assert(
			fc.asyncProperty(batchArb, async (batch) => {
				const { api, outcomes } = await poll(batch);
				for (const [i, task] of simTasks(batch).entries()) {
					const checks = api.requests.filter((r) => r.taskId === task.taskId);
					expect(checks.length).toBeGreaterThan(0);
					// A gap counts from the answer the schedule planned it at; the pace may add its spacing (≤ 100 ms here).
					for (let k = 1; k < checks.length; k++) {
						expect(checks[k].startAt - checks[k - 1].endAt!).toBeLessThanOrEqual(batch.pollIntervalMs + 100);
					}
					expect(outcomes[i].polls).toBe(checks.length);
				}
			}),
			runs,
		);
	});

	test('a hand-off keeps every id: each task leaves once, those still running with their deadline', async () => {
		await fc.assert(
			fc.asyncProperty(batchArb, fc.integer({ min: 1000, max: 120_000 }), async (batch, handOffAfterMs) => {
				const { outcomes, clock } = await poll(batch, { handOffAfterMs });
				expect(outcomes.map((o) => o.taskId)).toEqual(batch.tasks.map((_, i) => `p-${i}`));
				for (const o of outcomes.filter((o) => o.outcome === 'stillRunning')) {
					expect(clock.now()).toBe(handOffAfterMs);
					expect(o.deadlineMs).toBe(batch.timeoutMs);
					if (o.expectedFinishAtMs !== undefined) expect(Number.isFinite(o.expectedFinishAtMs)).toBe(true);
				}
			}),
			runs,
		);
	});

	test('Stop keeps every id: the tasks not yet settled are exactly the ones PollAborted names', async () => {
		await fc.assert(
			fc.asyncProperty(batchArb, fc.integer({ min: 0, max: 120_000 }), async (batch, stopAt) => {
				const controller = new AbortController();
				const clock = new VirtualClock();
				clock.at(stopAt, () => controller.abort());
				const { error, seen } = await poll(batch, { signal: controller.signal }, clock);
				if (!error) return;
				expect(error).toBeInstanceOf(PollAborted);
				const named = (error as PollAborted).pending.map((t) => t.taskId);
				const settled = seen.map((o) => o.taskId);
				expect([...named, ...settled].sort()).toEqual(batch.tasks.map((_, i) => `p-${i}`).sort());
			}),
			runs,
		);
	});
});
