import fc from 'fast-check';
import { PLAN, planNextPoll, staggerOf, type PlanInput } from '../../../../../nodes/shared/poller/plan';
import { FIRST_POLL_MS } from '../../../../../nodes/shared/poller/schedule';
import { bandwidthOf, finishWindow, medianDuration } from '../../../../../nodes/shared/poller/window';
import { pollUntilDone } from '../../../../../nodes/shared/poller/pollUntilDone';
import { VirtualClock } from './virtualClock';
import { SimulatedApi, type SimTask } from './simulation';

const base: PlanInput = {
	now: 10_000,
	polls: 1,
	peers: 1,
	stagger: 0.5,
	windowGapMs: PLAN.windowGapMs,
	minIntervalMs: 1000,
	pollIntervalMs: 30_000,
};

describe('finishWindow: where a running task will finish, from learned durations', () => {
	const durations = Array.from({ length: 21 }, (_, i) => 15_000 + i * 500); // 15–25 s, evenly

	test('opens near the shortest duration; ends past the longest; a narrow set gives a narrow width', () => {
		const w = finishWindow(durations, 1_000_000, 1_000_000)!;
		expect(w.opensAt! - 1_000_000).toBeGreaterThan(13_000);
		expect(w.opensAt! - 1_000_000).toBeLessThan(16_000);
		expect(w.endsAt - 1_000_000).toBeGreaterThan(25_000);
		expect(w.widthMs).toBeGreaterThan(9000);
		expect(w.widthMs).toBeLessThan(14_000);
	});

	test('conditioned on the task still running: later, it opens at the task’s age', () => {
		const w = finishWindow(durations, 0, 20_000)!;
		expect(w.opensAt).toBeGreaterThanOrEqual(20_000);
		expect(w.opensAt).toBeLessThan(21_000);
	});

	test('a task older than everything learned has outlived the window: no opening, the end stays', () => {
		const w = finishWindow(durations, 0, 40_000)!;
		expect(w.opensAt).toBeUndefined();
		expect(w.endsAt).toBeLessThan(40_000);
		expect(finishWindow([], 0, 0)).toBeUndefined();
	});

	test('one or two samples: a kernel of a fifth of their median, and an unknown width', () => {
		expect(bandwidthOf([40_000])).toBe(8000);
		expect(finishWindow([40_000], 0, 0)!.widthMs).toBe(Infinity);
		expect(bandwidthOf([1000, 1000, 1000])).toBe(1000);
		expect(medianDuration([3, 1, 2])).toBe(2);
		expect(medianDuration([])).toBeUndefined();
	});
});

describe('planNextPoll', () => {
	test('the early check comes first', () => {
		expect(planNextPoll({ ...base, polls: 0 })).toEqual({ delayMs: FIRST_POLL_MS, mode: 'early' });
	});

	test('a task that reports progress follows its progress', () => {
		expect(planNextPoll({ ...base, progressDelayMs: 2500 })).toEqual({ delayMs: 2500, mode: 'progress' });
	});

	test('waiting: sleeps until one gap into its window, within the Poll Interval', () => {
		const window = { opensAt: 30_000, endsAt: 50_000, widthMs: 20_000, samples: 20 };
		expect(planNextPoll({ ...base, window })).toEqual({ delayMs: 25_000, mode: 'waiting' });
		expect(planNextPoll({ ...base, window, pollIntervalMs: 10_000 })).toEqual({ delayMs: 10_000, mode: 'waiting' });
	});

	test('a window from few durations, or none: no gap beyond 30 s, whatever the Poll Interval', () => {
		const far = { opensAt: 80_000, endsAt: 120_000, widthMs: 40_000 };
		const trusted = { ...far, samples: PLAN.trustedSamples };
		const few = { ...far, samples: PLAN.trustedSamples - 1 };
		expect(planNextPoll({ ...base, window: trusted, pollIntervalMs: 60_000 })).toEqual({ delayMs: 60_000, mode: 'waiting' });
		expect(planNextPoll({ ...base, window: trusted })).toEqual({ delayMs: 30_000, mode: 'waiting' });
		expect(planNextPoll({ ...base, window: few, pollIntervalMs: 60_000 }).delayMs).toBe(PLAN.uncertainMaxGapMs);
		expect(planNextPoll({ ...base, polls: 2, peers: 50, pollIntervalMs: 60_000 }).delayMs).toBe(PLAN.uncertainMaxGapMs);
	});

	test('inside the window: every window gap, or half the width of a narrow window', () => {
		expect(planNextPoll({ ...base, window: { opensAt: 9000, endsAt: 50_000, widthMs: 20_000, samples: 20 } })).toEqual({ delayMs: 5000, mode: 'window' });
		expect(planNextPoll({ ...base, window: { opensAt: 9000, endsAt: 12_000, widthMs: 3000, samples: 20 } }).delayMs).toBe(1500);
		// Opening within one gap counts as open.
		expect(planNextPoll({ ...base, window: { opensAt: 14_000, endsAt: 50_000, widthMs: 20_000, samples: 20 } }).mode).toBe('window');
	});

	test('past everything learned the gap grows with the overshoot', () => {
		const window = { endsAt: 0, widthMs: 20_000, samples: 20 };
		const a = planNextPoll({ ...base, now: 4000, window });
		const b = planNextPoll({ ...base, now: 40_000, window });
		expect(a.delayMs).toBe(6000);
		expect(b.delayMs).toBe(15_000);
		expect(planNextPoll({ ...base, now: 400_000, window }).delayMs).toBe(30_000);
	});

	test('blind: like the loop for a lone task; many peers share the looking, at staggered times', () => {
		expect(planNextPoll({ ...base, polls: 2 })).toEqual({ delayMs: PLAN.blindMinMs, mode: 'blind' });
		expect(planNextPoll({ ...base, polls: 2, peers: 50 }).delayMs).toBe(30_000);
		expect(planNextPoll({ ...base, polls: 1, peers: 50, stagger: 0 }).delayMs).toBe(15_000);
		expect(planNextPoll({ ...base, polls: 2, peers: 10 }).delayMs).toBe(20_000);
		expect(planNextPoll({ ...base, polls: 1, peers: 10, stagger: 0.25 }).delayMs).toBe(15_000);
		expect(planNextPoll({ ...base, polls: 1, peers: 50, stagger: 0.99 }).delayMs).toBe(30_000);
		const staggers = Array.from({ length: 50 }, (_, i) => staggerOf(i));
		expect(Math.max(...staggers)).toBeLessThan(1);
		expect(Math.min(...staggers)).toBeGreaterThanOrEqual(0);
	});

	test('property: always within [minIntervalMs, pollIntervalMs]', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 600_000 }),
				fc.integer({ min: 0, max: 20 }),
				fc.option(fc.record({ opensAt: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }), endsAt: fc.integer({ min: 0, max: 600_000 }), widthMs: fc.integer({ min: 0, max: 600_000 }), samples: fc.integer({ min: 1, max: 64 }) }), { nil: undefined }),
				fc.integer({ min: 1, max: 500 }),
				fc.integer({ min: 0, max: 5000 }),
				fc.integer({ min: 0, max: 60_000 }),
				(now, polls, window, peers, min, extra) => {
					const max = min + extra;
					const { delayMs } = planNextPoll({ ...base, now, polls, window, peers, minIntervalMs: min, pollIntervalMs: max });
					return Number.isFinite(delayMs) && delayMs >= min && delayMs <= max;
				},
			),
		);
	});
});

describe('pollUntilDone: a finish opens the window of its model', () => {
	test('cold: once one task of a model is seen done, every running peer is checked within one window gap', async () => {
		const clock = new VirtualClock();
		const tasks: SimTask[] = Array.from({ length: 20 }, (_, i) => ({ taskId: `p-${i}`, model: 'veo2', durationMs: 40_000 + i * 500, progress: false }));
		const api = new SimulatedApi(clock, tasks);
		const outcomes = await clock.run(
			pollUntilDone(api.targets(), { fetchStatus: api.fetchStatus, classifyError: () => 'retry', pollIntervalMs: 30_000, timeoutMs: 600_000, clock }),
		);
		expect(outcomes.every((o) => o.outcome === 'completed')).toBe(true);
		const firstSeen = Math.min(...outcomes.map((o) => o.elapsedMs));
		for (const task of tasks) {
			const checks = api.requests.filter((r) => r.taskId === task.taskId && r.startAt > firstSeen);
			if (task.durationMs > firstSeen + 1000) expect(checks[0].startAt).toBeLessThanOrEqual(firstSeen + PLAN.windowGapMs + 1000);
		}
	});
});
