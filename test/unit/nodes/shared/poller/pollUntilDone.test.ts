import { PollAborted, pollUntilDone } from '../../../../../nodes/shared/poller/pollUntilDone';
import type { ErrorVerdict, PollOptions, PollOutcome, PollTarget } from '../../../../../nodes/shared/poller/types';
import { VirtualClock } from './virtualClock';
import { SimulatedApi, type SimTask, fixedScheduleRequests, percentile, seededRandom } from './simulation';

class HttpError extends Error {
	constructor(
		readonly httpCode: number,
		message: string,
	) {
		super(message);
	}
}

const classify = (error: unknown): ErrorVerdict => {
	const code = error instanceof HttpError ? error.httpCode : 0;
	if (code === 429) return { retryAfterMs: 3000 };
	if (code === 404 || code === 401) return 'fatal';
	return 'retry';
};

function spreadTasks(count: number, minMs: number, maxMs: number, seed = 7): SimTask[] {
	const random = seededRandom(seed);
	return Array.from({ length: count }, (_, i) => ({
		taskId: `task-${i}`,
		durationMs: Math.round(minMs + random() * (maxMs - minMs)),
		model: 'veo3',
	}));
}

function run(clock: VirtualClock, api: SimulatedApi, options: Partial<PollOptions> = {}, targets?: PollTarget[]) {
	return clock.run(
		pollUntilDone(targets ?? api.targets(), {
			fetchStatus: api.fetchStatus,
			classifyError: classify,
			pollIntervalMs: 10_000,
			timeoutMs: 10 * 60_000,
			requestsPerSecond: 5,
			clock,
			...options,
		}),
	);
}

/** Detection latency: when the poller settled the task minus when it really finished. */
const latencies = (outcomes: PollOutcome[], tasks: SimTask[]) => outcomes.map((o, i) => o.elapsedMs - tasks[i].durationMs);

describe('pollUntilDone: many tasks at once', () => {
	test('50 tasks with spread durations all complete; wall time ≈ the slowest + ≤ 2 s', async () => {
		const clock = new VirtualClock();
		const tasks = spreadTasks(50, 5_000, 60_000);
		const api = new SimulatedApi(clock, tasks);
		const outcomes = await run(clock, api);

		expect(outcomes.map((o) => o.outcome)).toEqual(tasks.map(() => 'completed'));
		expect(outcomes.map((o) => o.taskId)).toEqual(tasks.map((t) => t.taskId));
		const slowest = Math.max(...tasks.map((t) => t.durationMs));
		expect(clock.now()).toBeGreaterThanOrEqual(slowest);
		expect(clock.now()).toBeLessThanOrEqual(slowest + 2000);
		for (const [i, o] of outcomes.entries()) {
			expect(o.polls).toBe(api.pollsOf(tasks[i].taskId));
			expect(o.last?.status).toBe('completed');
		}
	});

	test('20–60 s tasks: detection p95 ≤ 2 s with fewer requests than a fixed 10 s poll', async () => {
		const clock = new VirtualClock();
		const tasks = spreadTasks(50, 20_000, 60_000, 11);
		const api = new SimulatedApi(clock, tasks);
		// pollIntervalMs is only an upper bound: the schedule may wait up to 30 s when progress says the end is far.
		const outcomes = await run(clock, api, { pollIntervalMs: 30_000 });

		expect(outcomes.every((o) => o.outcome === 'completed')).toBe(true);
		const lat = latencies(outcomes, tasks);
		expect(Math.min(...lat)).toBeGreaterThanOrEqual(0);
		expect(percentile(lat, 95)).toBeLessThanOrEqual(2000);
		expect(api.requests.length).toBeLessThan(fixedScheduleRequests(tasks.map((t) => t.durationMs)));
	});

	test('200 tasks finish; never more than requestsPerSecond starts in any 1-s window; concurrency capped', async () => {
		const clock = new VirtualClock();
		const tasks = spreadTasks(200, 1_000, 90_000, 3);
		const api = new SimulatedApi(clock, tasks, { latencyMs: 900 });
		const outcomes = await run(clock, api, { requestsPerSecond: 5, maxConcurrentRequests: 3 });

		expect(outcomes.every((o) => o.outcome === 'completed')).toBe(true);
		const starts = api.requests.map((r) => r.startAt).sort((a, b) => a - b);
		for (let i = 0, j = 0; i < starts.length; i++) {
			while (starts[j] < starts[i] - 999.999) j++;
			expect(i - j + 1).toBeLessThanOrEqual(5);
		}
		expect(api.maxInFlight).toBeLessThanOrEqual(3);
	});

	test('status strings compare case-insensitively', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, [
			{ taskId: 'A', durationMs: 4000, endRaw: {} },
			{ taskId: 'B', durationMs: 4000, end: 'failed' },
		]);
		const fetchStatus: PollOptions['fetchStatus'] = async (t) => {
			const s = await api.fetchStatus(t);
			return { ...s, status: s.status.toUpperCase() };
		};
		const outcomes = await run(clock, api, { fetchStatus });
		expect(outcomes.map((o) => o.outcome)).toEqual(['completed', 'failed']);
	});
});

describe('pollUntilDone: errors', () => {
	test('429 on every 5th request: all complete, nobody starts a request during the Retry-After pause', async () => {
		const clock = new VirtualClock();
		const tasks = spreadTasks(10, 5_000, 40_000);
		const api = new SimulatedApi(clock, tasks, {
			failRequest: (log) => (log.n % 5 === 0 ? new HttpError(429, 'Too Many Requests') : undefined),
		});
		const outcomes = await run(clock, api);

		expect(outcomes.every((o) => o.outcome === 'completed')).toBe(true);
		const rateLimited = api.requests.filter((r) => r.threw);
		expect(rateLimited.length).toBeGreaterThan(3);
		for (const hit of rateLimited) {
			const during = api.requests.filter((r) => r.startAt > hit.endAt! && r.startAt < hit.endAt! + 3000);
			expect(during).toEqual([]);
		}
	});

	test('500 on every 7th request: all complete, none fails', async () => {
		const clock = new VirtualClock();
		const tasks = spreadTasks(20, 2_000, 40_000);
		const api = new SimulatedApi(clock, tasks, {
			failRequest: (log) => (log.n % 7 === 0 ? new HttpError(500, 'Internal Server Error') : undefined),
		});
		const outcomes = await run(clock, api);
		expect(outcomes.every((o) => o.outcome === 'completed')).toBe(true);
		expect(api.requests.some((r) => r.threw)).toBe(true);
	});

	test('a task that only ever gets 503 is retried with backoff until its timeout, then timedOut — never failed', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, [{ taskId: 'down', durationMs: 5000 }], {
			failRequest: () => new HttpError(503, 'Service Unavailable'),
		});
		const outcomes = await run(clock, api, { timeoutMs: 60_000 });
		expect(outcomes[0].outcome).toBe('timedOut');
		expect(outcomes[0].error).toBe('Task down did not finish within 1 minute (no status received; last error: Service Unavailable)');
		const gaps = api.requests.slice(1).map((r, i) => r.startAt - api.requests[i].endAt!);
		expect(gaps.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
		expect(Math.max(...gaps)).toBeLessThanOrEqual(10_000);
	});

	test('fatal 404 fails that task with its id; the others complete', async () => {
		const clock = new VirtualClock();
		const tasks = spreadTasks(5, 3_000, 20_000);
		const api = new SimulatedApi(clock, tasks);
		const targets = [...api.targets(), { key: 'gone', taskId: 'missing-task' }];
		api.fetchStatus = ((inner) => async (t: PollTarget) => {
			if (t.taskId === 'missing-task') throw new HttpError(404, 'Not Found');
			return inner(t);
		})(api.fetchStatus);
		const outcomes = await run(clock, api, {}, targets);

		expect(outcomes.slice(0, 5).every((o) => o.outcome === 'completed')).toBe(true);
		expect(outcomes[5]).toMatchObject({ key: 'gone', outcome: 'failed', polls: 1, error: 'Task missing-task: Not Found' });
		expect(outcomes[5].elapsedMs).toBeLessThan(3000);
	});

	test('the same 401 for everyone: each task fails', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, spreadTasks(4, 3_000, 9_000), {
			failRequest: () => new HttpError(401, 'Unauthorized'),
		});
		const outcomes = await run(clock, api);
		expect(outcomes.map((o) => o.error)).toEqual([0, 1, 2, 3].map((i) => `Task task-${i}: Unauthorized`));
	});

	test('failed status: failed with the API’s reason, or a generic message naming the task', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, [
			{ taskId: 'r1', durationMs: 6000, end: 'failed', endRaw: { fail_reason: 'content policy violation' } },
			{ taskId: 'r2', durationMs: 8000, end: 'failed', endRaw: { error: { message: 'quota exceeded' } } },
			{ taskId: 'r3', durationMs: 1000, end: 'failed' },
			{ taskId: 'ok', durationMs: 9000 },
		]);
		const outcomes = await run(clock, api);
		expect(outcomes.map((o) => [o.outcome, o.error])).toEqual([
			['failed', 'Video generation failed (task r1, status failed): content policy violation'],
			['failed', 'Video generation failed (task r2, status failed): quota exceeded'],
			['failed', 'Video generation failed (task r3, status failed)'],
			['completed', undefined],
		]);
		expect(outcomes[0].last?.raw.fail_reason).toBe('content policy violation');
	});
});

describe('pollUntilDone: timeout and outcomes', () => {
	test('a never-finishing task times out with its id and last status; the others complete', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, [
			{ taskId: 'slow', durationMs: 0, forever: true },
			{ taskId: 'fast', durationMs: 7000 },
		]);
		const outcomes = await run(clock, api, { timeoutMs: 2 * 60_000 });
		expect(outcomes[1].outcome).toBe('completed');
		expect(outcomes[0]).toMatchObject({
			taskId: 'slow',
			outcome: 'timedOut',
			error: 'Task slow did not finish within 2 minutes (last status: processing)',
			last: { status: 'processing', progress: 50 },
		});
		expect(outcomes[0].elapsedMs).toBe(120_000);
		expect(clock.now()).toBe(120_000);
		// Its last look came just before the deadline.
		const lastPoll = Math.max(...api.requests.filter((r) => r.taskId === 'slow').map((r) => r.startAt));
		expect(lastPoll).toBeGreaterThanOrEqual(120_000 - 2000);
	});

	test('onOutcome reports each task as it settles; the result keeps input order', async () => {
		const clock = new VirtualClock();
		const tasks: SimTask[] = [
			{ taskId: 'c', durationMs: 30_000 },
			{ taskId: 'a', durationMs: 5_000 },
			{ taskId: 'b', durationMs: 15_000 },
		];
		const api = new SimulatedApi(clock, tasks);
		const seen: Array<[string, number]> = [];
		const outcomes = await run(clock, api, { onOutcome: (o) => seen.push([o.taskId, clock.now()]) });
		expect(seen.map(([id]) => id)).toEqual(['a', 'b', 'c']);
		expect(outcomes.map((o) => o.key)).toEqual([0, 1, 2]);
		for (const [id, at] of seen) expect(at).toBe(outcomes.find((o) => o.taskId === id)!.elapsedMs);
	});

	test('no targets: resolves at once with no requests', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, []);
		await expect(run(clock, api)).resolves.toEqual([]);
		expect(api.requests).toHaveLength(0);
	});
});

describe('pollUntilDone: durable hand-off (handOffAfterMs, waitingSinceMs)', () => {
	const tasks: SimTask[] = [
		{ taskId: 'quick', durationMs: 10_000, model: 'veo3' },
		{ taskId: 'long', durationMs: 60_000, model: 'veo3' },
		{ taskId: 'endless', durationMs: 0, forever: true, progress: false, model: 'sora-2' },
	];

	test('after handOffAfterMs the tasks still running leave as stillRunning with their last status and expected finish', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, tasks);
		const outcomes = await run(clock, api, { handOffAfterMs: 30_000, timeoutMs: 10 * 60_000 });
		expect(outcomes.map((o) => o.outcome)).toEqual(['completed', 'stillRunning', 'stillRunning']);
		expect(clock.now()).toBe(30_000);
		expect(outcomes[1]).toMatchObject({ taskId: 'long', last: { status: 'processing' }, elapsedMs: 30_000 });
		// From its progress (linear to 100 % at 60 s) the schedule expects "long" near 60 s.
		expect(outcomes[1].expectedFinishAtMs).toBeGreaterThan(50_000);
		expect(outcomes[1].expectedFinishAtMs).toBeLessThan(70_000);
		// "endless" reports no progress and no task of its model finished: no estimate.
		expect(outcomes[2].expectedFinishAtMs).toBeUndefined();
		expect(outcomes.every((o) => o.error === undefined)).toBe(true);
	});

	test('a later pass counts the time-out from waitingSinceMs, not from its own start', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, tasks);
		await run(clock, api, { handOffAfterMs: 30_000, timeoutMs: 50_000 });
		const again = api.targets().slice(1).map((target) => ({ ...target, waitingSinceMs: 0 }));
		const outcomes = await run(clock, api, { timeoutMs: 50_000 }, again);
		expect(outcomes.map((o) => o.outcome)).toEqual(['timedOut', 'timedOut']);
		expect(clock.now()).toBe(50_000);
		expect(outcomes[0].error).toMatch(/^Task long did not finish within 50 seconds/);
	});

	test('a later pass completes a task; its elapsed time counts from waitingSinceMs', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, tasks.slice(0, 2));
		await run(clock, api, { handOffAfterMs: 30_000 });
		const outcomes = await run(clock, api, {}, [{ ...api.targets()[1], waitingSinceMs: 0 }]);
		expect(outcomes[0]).toMatchObject({ taskId: 'long', outcome: 'completed' });
		expect(outcomes[0].elapsedMs).toBeGreaterThanOrEqual(60_000);
		expect(outcomes[0].elapsedMs).toBeLessThanOrEqual(62_000);
	});

	test('a pass that starts after the deadline looks at each task once, at once: finished ones complete, the others time out', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, [
			{ taskId: 'done-meanwhile', durationMs: 0, createdAtMs: -100_000 },
			{ taskId: 'still-going', durationMs: 0, forever: true, createdAtMs: -100_000 },
		]);
		const late = api.targets().map((target) => ({ ...target, waitingSinceMs: -100_000 }));
		const outcomes = await run(clock, api, { timeoutMs: 60_000 }, late);
		expect(outcomes.map((o) => [o.outcome, o.polls])).toEqual([['completed', 1], ['timedOut', 1]]);
		// At once: only the run's ceiling (5 requests/s here) spaces the two.
		for (const r of api.requests) expect(r.startAt).toBeLessThan(1000);
	});

	test('answers that come back after the deadline are taken in before anything times out', async () => {
		const clock = new VirtualClock();
		const tasks: SimTask[] = ['a', 'b', 'c'].map((id) => ({ taskId: id, durationMs: 9_500, progress: false }));
		const api = new SimulatedApi(clock, tasks, { latencyMs: 1500 });
		const outcomes = await run(clock, api, { timeoutMs: 10_000, pollIntervalMs: 60_000 });
		// Their last looks start before the deadline; the answers (completed) arrive after it.
		expect(outcomes.map((o) => o.outcome)).toEqual(['completed', 'completed', 'completed']);
	});

	test('without handOffAfterMs nothing is handed off', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, tasks.slice(0, 2));
		const outcomes = await run(clock, api);
		expect(outcomes.map((o) => o.outcome)).toEqual(['completed', 'completed']);
	});
});

describe('pollUntilDone: stop means stop', () => {
	test('abort rejects with PollAborted and the unsettled targets, without waiting for hung requests', async () => {
		const clock = new VirtualClock();
		const tasks: SimTask[] = [
			{ taskId: 'done', durationMs: 2000 },
			{ taskId: 'hung', durationMs: 50_000 },
			{ taskId: 'long', durationMs: 50_000 },
		];
		const api = new SimulatedApi(clock, tasks);
		const fetchStatus: PollOptions['fetchStatus'] = (t) =>
			t.taskId === 'hung' && clock.now() > 10_000 ? clock.hang() : api.fetchStatus(t);
		const controller = new AbortController();
		let abortedAt = 0;
		clock.at(20_000, () => {
			abortedAt = clock.now();
			controller.abort();
		});
		const error = await run(clock, api, { fetchStatus, signal: controller.signal }).catch((e: unknown) => e);

		expect(error).toBeInstanceOf(PollAborted);
		expect((error as PollAborted).pending.map((t) => t.taskId)).toEqual(['hung', 'long']);
		expect((error as PollAborted).message).toContain('hung, long');
		expect(clock.now() - abortedAt).toBeLessThan(1000);
	});

	test('an already aborted signal rejects before any request', async () => {
		const clock = new VirtualClock();
		const api = new SimulatedApi(clock, [{ taskId: 'x', durationMs: 1000 }]);
		const error = await run(clock, api, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
		expect((error as PollAborted).pending).toEqual([{ key: 0, taskId: 'x', model: undefined }]);
		expect(api.requests).toHaveLength(0);
	});
});
