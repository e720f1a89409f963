import { AdaptivePace, PACE } from '../../../../../nodes/shared/pacing/adaptivePace';
import { pollUntilDone } from '../../../../../nodes/shared/poller/pollUntilDone';
import type { ErrorVerdict, PollOptions } from '../../../../../nodes/shared/poller/types';
import { VirtualClock } from './virtualClock';
import { RateLimit, SimulatedApi, type SimTask, seededRandom } from './simulation';

/** A 429 carries its Retry-After; anything else is a retry. */
const classify = (error: unknown): ErrorVerdict => {
	const e = error as { httpCode?: number; retryAfterMs?: number };
	return e.httpCode === 429 ? { retryAfterMs: e.retryAfterMs ?? 1000 } : 'retry';
};

function tasksOf(tag: string, count: number, seed: number): SimTask[] {
	const random = seededRandom(seed);
	return Array.from({ length: count }, (_, i) => ({
		taskId: `${tag}-${i}`,
		model: 'veo3',
		durationMs: Math.round(20_000 + random() * 40_000),
		progress: false,
	}));
}

function poll(clock: VirtualClock, api: SimulatedApi, options: Partial<PollOptions>) {
	return pollUntilDone(api.targets(), {
		fetchStatus: api.fetchStatus,
		classifyError: classify,
		pollIntervalMs: 30_000,
		timeoutMs: 10 * 60_000,
		clock,
		...options,
	});
}

/** Several executions waiting at once with one API key, against the key's rate limit. */
async function concurrentRuns(shared: boolean) {
	const clock = new VirtualClock();
	const limit = new RateLimit(clock, 5, 1000);
	const sharedPace = new AdaptivePace();
	const apis = [0, 1, 2].map((run) => new SimulatedApi(clock, tasksOf(`run${run}`, 40, run + 1), { latencyMs: 50, failRequest: limit.check }));
	const results = await clock.run(
		Promise.all(apis.map((api) => poll(clock, api, { pace: shared ? sharedPace : new AdaptivePace() }))),
	);
	const requests = apis.flatMap((api) => api.requests);
	return { results, requests, limit, sharedPace };
}

describe('one pace per API key, shared by every poller', () => {
	test('three pollers on one key: every task completes, 429s stay under 5 % of requests', async () => {
		const { results, requests, limit } = await concurrentRuns(true);
		expect(results.flat().every((o) => o.outcome === 'completed')).toBe(true);
		expect(limit.rejectedAt.length / requests.length).toBeLessThan(0.05);
	});

	test('each poller with a pace of its own runs into the limit far more often', async () => {
		const shared = await concurrentRuns(true);
		const separate = await concurrentRuns(false);
		expect(separate.limit.rejectedAt.length).toBeGreaterThan(2 * shared.limit.rejectedAt.length);
	});

	test('one 429 slows every caller of the key: nobody starts a request during its Retry-After', async () => {
		const { requests, limit } = await concurrentRuns(true);
		expect(limit.rejectedAt.length).toBeGreaterThan(0);
		for (const rejected of requests.filter((r) => r.threw)) {
			const during = requests.filter((r) => r.startAt > rejected.endAt! && r.startAt < rejected.endAt! + 1000);
			expect(during).toEqual([]);
		}
	});

	test('the shared pace adapts: it halves on the 429s and settles near the limit', async () => {
		const { sharedPace } = await concurrentRuns(true);
		expect(sharedPace.requestsPerSecond).toBeGreaterThan(1);
		expect(sharedPace.requestsPerSecond).toBeLessThan(8);
	});

	test('two keys stay independent: a 429 on one pauses nobody on the other', async () => {
		const clock = new VirtualClock();
		const strict = new RateLimit(clock, 2, 2000);
		const paceA = new AdaptivePace();
		const paceB = new AdaptivePace();
		const apiA = new SimulatedApi(clock, tasksOf('a', 60, 5), { latencyMs: 50, failRequest: strict.check });
		const apiB = new SimulatedApi(clock, tasksOf('b', 60, 6), { latencyMs: 50 });
		const [a, b] = await clock.run(Promise.all([poll(clock, apiA, { pace: paceA }), poll(clock, apiB, { pace: paceB })]));
		expect([...a, ...b].every((o) => o.outcome === 'completed')).toBe(true);
		expect(strict.rejectedAt.length).toBeGreaterThan(0);
		expect(paceA.requestsPerSecond).toBeLessThan(PACE.initialRate);
		expect(paceB.requestsPerSecond).toBeGreaterThanOrEqual(PACE.initialRate);
		// B kept sending while A waited out its Retry-After pauses.
		const pausedA = apiA.requests.filter((r) => r.threw).map((r) => [r.endAt!, r.endAt! + 2000]);
		const duringPauses = apiB.requests.filter((r) => pausedA.some(([from, to]) => r.startAt > from && r.startAt < to));
		expect(duringPauses.length).toBeGreaterThan(0);
	});

	test('a burst of early checks speeds the pace up (slow start) instead of trickling at the initial rate', async () => {
		const clock = new VirtualClock();
		const pace = new AdaptivePace();
		const api = new SimulatedApi(clock, tasksOf('burst', 200, 9), { latencyMs: 20 });
		await clock.run(poll(clock, api, { pace }));
		const firstChecks = api.requests.slice(0, 200).map((r) => r.startAt);
		// At the initial 5 requests/s, 200 checks would take 40 s.
		expect(Math.max(...firstChecks) - Math.min(...firstChecks)).toBeLessThan(10_000);
		expect(pace.requestsPerSecond).toBeGreaterThan(PACE.initialRate);
	});

	test('Max Requests per Second stays a ceiling on the run, whatever the shared pace allows', async () => {
		const clock = new VirtualClock();
		const pace = new AdaptivePace(50);
		const api = new SimulatedApi(clock, tasksOf('ceiling', 100, 4), { latencyMs: 20 });
		await clock.run(poll(clock, api, { pace, requestsPerSecond: 3 }));
		const starts = api.requests.map((r) => r.startAt).sort((x, y) => x - y);
		for (let i = 0, j = 0; i < starts.length; i++) {
			while (starts[j] < starts[i] - 999.999) j++;
			expect(i - j + 1).toBeLessThanOrEqual(3);
		}
	});

	test('stray 429s that do not follow the rate sink the pace, but the run’s floor still checks every task before its time-out', async () => {
		const clock = new VirtualClock();
		const pace = new AdaptivePace();
		let requests = 0;
		// Every 5th request answers 429 whatever the rate (a fault, not a rate limit), with Retry-After: 1.
		const stray = () => (++requests % 5 === 0 ? Object.assign(new Error('Too Many Requests'), { httpCode: 429, retryAfterMs: 1000 }) : undefined);
		const random = seededRandom(5);
		const tasks: SimTask[] = Array.from({ length: 50 }, (_, i) => ({ taskId: `s-${i}`, model: 'veo3-fast', durationMs: 1000 + random() * 2000, progress: false, queuedMs: 200 }));
		pace.rateLimited(pace.take(0), 0, 0);
		for (let i = 0; i < 12; i++) pace.rateLimited(pace.take(0), 0, 0);
		expect(pace.requestsPerSecond).toBe(PACE.minRate);
		const api = new SimulatedApi(clock, tasks, { latencyMs: 15, failRequest: stray });
		const outcomes = await clock.run(poll(clock, api, { pace, timeoutMs: 45_000 }));
		expect(outcomes.every((o) => o.outcome === 'completed')).toBe(true);
		expect(clock.now()).toBeLessThan(45_000);
		// The floor never overrode a Retry-After.
		for (const rejected of api.requests.filter((r) => r.threw)) {
			expect(api.requests.filter((r) => r.startAt > rejected.endAt! && r.startAt < rejected.endAt! + 1000)).toEqual([]);
		}
	});
});
