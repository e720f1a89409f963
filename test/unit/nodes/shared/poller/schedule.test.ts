import fc from 'fast-check';
import type { ModelDurations } from '../../../../../nodes/shared/poller/learnedDurations';
import {
	SCHEDULE,
	checkAt,
	clamp,
	estimateFromProgress,
	expectedFinish,
	nextCheck,
	retryDelay,
	staggerOf,
	type ModelKnowledge,
} from '../../../../../nodes/shared/poller/schedule';
import { API_RESOLUTION_MS, newTask, type Task } from '../../../../../nodes/shared/poller/taskState';
import { bandwidthOf, finishWindow, medianDuration } from '../../../../../nodes/shared/poller/window';

const bounds = { minMs: 1000, maxMs: 30_000 };
const NONE: ModelDurations = { total: [], generation: [] };
const known = (durations: ModelDurations = NONE, peers = 1): ModelKnowledge => ({ durations, peers, windowGapMs: SCHEDULE.windowGapMs });

/** A task created at 0, waited for since 0, checked `polls` times, with a deadline far away unless given. */
function task(polls: number, extra: Partial<Task> = {}): Task {
	return { ...newTask({ key: 0, taskId: 't' }, 0, 0, 600_000), polls, createdAt: 0, ...extra };
}

/** `n` durations spread evenly over [from, to]. */
const spread = (n: number, from: number, to: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / Math.max(1, n - 1));

describe('finishWindow: where a running task will finish, from learned durations', () => {
	const durations = spread(21, 15_000, 25_000);

	test('opens near the shortest duration, ends past the longest; its width follows the spread', () => {
		const w = finishWindow(durations, 1_000_000, 1_000_000)!;
		expect(w.opensAt! - 1_000_000).toBeGreaterThan(13_000);
		expect(w.opensAt! - 1_000_000).toBeLessThan(16_000);
		expect(w.endsAt - 1_000_000).toBeGreaterThan(25_000);
		expect(w.widthMs).toBeGreaterThan(9000);
		expect(w.widthMs).toBeLessThan(14_000);
	});

	test('given the task still runs: later, it opens at its age; past everything learned it does not open', () => {
		expect(finishWindow(durations, 0, 20_000)!.opensAt).toBeGreaterThanOrEqual(20_000);
		expect(finishWindow(durations, 0, 20_000)!.opensAt).toBeLessThan(21_000);
		expect(finishWindow(durations, 0, 40_000)!.opensAt).toBeUndefined();
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

describe('estimateFromProgress', () => {
	test('linear progress extrapolates to 100 %; one reading counts from 0 % at the start', () => {
		expect(estimateFromProgress([{ atMs: 10_000, progress: 20 }, { atMs: 20_000, progress: 40 }])?.finishAtMs).toBe(50_000);
		expect(estimateFromProgress([{ atMs: 5000, progress: 10 }])?.finishAtMs).toBe(50_000);
	});

	test('queued at 0 % first: the current rate counts, not the average since the start', () => {
		const samples = [0, 0, 10, 30].map((progress, i) => ({ atMs: 5000 * (i + 1), progress }));
		// From (15 s, 10 %): 20 points in 5 s, so 70 more points take 17.5 s.
		expect(estimateFromProgress(samples)?.finishAtMs).toBe(37_500);
	});

	test('the uncertainty shrinks as the span read grows, never below the API’s resolution', () => {
		const early = estimateFromProgress([{ atMs: 2000, progress: 4 }])!;
		const later = estimateFromProgress([{ atMs: 2000, progress: 4 }, { atMs: 30_000, progress: 60 }])!;
		expect(later.uncertaintyMs).toBeLessThan(early.uncertaintyMs / 5);
		expect(later.uncertaintyMs).toBeGreaterThanOrEqual(API_RESOLUTION_MS);
	});

	test('no estimate without rising progress', () => {
		expect(estimateFromProgress([])).toBeUndefined();
		expect(estimateFromProgress([{ atMs: 3000, progress: 0 }])).toBeUndefined();
		expect(estimateFromProgress([{ atMs: 3000, progress: 100 }])).toBeUndefined();
		expect(estimateFromProgress([{ atMs: 3000, progress: 40 }, { atMs: 3000, progress: 50 }])?.finishAtMs).toBe(6000);
	});
});

describe('nextCheck: when to look at a task next', () => {
	test('early: the first check comes soon; a task already past its deadline is looked at at once', () => {
		expect(nextCheck(task(0), 0, known(), bounds)).toEqual({ at: SCHEDULE.firstCheckMs, mode: 'early' });
		expect(nextCheck(task(0, { deadline: 500 }), 1000, known(), bounds)).toEqual({ at: 1000, mode: 'early' });
	});

	test('progress: asleep until the predicted finish is near, then checks just after it', () => {
		const far = task(1, { samples: [{ atMs: 2000, progress: 4 }, { atMs: 20_000, progress: 40 }] });
		const eta = estimateFromProgress(far.samples)!;
		const asleep = nextCheck(far, 20_000, known(), { ...bounds, maxMs: 60_000 });
		expect(asleep.mode).toBe('progress');
		expect(asleep.at).toBeCloseTo(eta.finishAtMs - eta.uncertaintyMs, 6);
		expect(asleep.at - 20_000).toBeGreaterThan(20_000);
		const near = task(1, { samples: [{ atMs: 2000, progress: 4 }, { atMs: 48_000, progress: 96 }] });
		expect(nextCheck(near, 49_500, known(), bounds).at - 49_500).toBe(API_RESOLUTION_MS);
	});

	test('waiting: a task sleeps until one gap into its model’s window; window: inside it, every gap', () => {
		const durations = { total: spread(20, 40_000, 50_000), generation: [] };
		const window = finishWindow(durations.total, 0, 10_000)!;
		const waiting = nextCheck(task(1), 10_000, known(durations), { ...bounds, maxMs: 60_000 });
		expect(waiting.mode).toBe('waiting');
		expect(waiting.at).toBeCloseTo(window.opensAt! + SCHEDULE.windowGapMs, 6);
		const inside = nextCheck(task(2, { seenRunningAt: 44_000 }), 44_000, known(durations), bounds);
		expect(inside).toEqual({ at: 44_000 + SCHEDULE.windowGapMs, mode: 'window' });
	});

	test('a task seen generating is placed by generation times, counted from when it left the queue', () => {
		const durations = { total: spread(20, 100_000, 200_000), generation: spread(20, 30_000, 32_000) };
		const generating = task(1, { generatingSince: 50_000 });
		expect(nextCheck(generating, 60_000, known(durations), { ...bounds, maxMs: 120_000 }).at).toBeLessThan(90_000);
		expect(expectedFinish(generating, durations)).toBeCloseTo(50_000 + medianDuration(durations.generation)!, 6);
		expect(expectedFinish(task(1), NONE)).toBeUndefined();
	});

	test('past everything learned the gap grows with the overshoot; a stuck task backs off to the Poll Interval', () => {
		const durations = { total: spread(20, 10_000, 12_000), generation: [] };
		const gapAt = (now: number) => nextCheck(task(3), now, known(durations), bounds).at - now;
		expect(gapAt(40_000)).toBeGreaterThan(gapAt(20_000));
		expect(gapAt(400_000)).toBe(bounds.maxMs);
	});

	test('little known (blind, or a window from few durations): no gap beyond 30 s, whatever the Poll Interval', () => {
		const wide = { ...bounds, maxMs: 120_000 };
		const few = { total: spread(SCHEDULE.trustedSamples - 1, 90_000, 100_000), generation: [] };
		const many = { total: spread(SCHEDULE.trustedSamples, 90_000, 100_000), generation: [] };
		expect(nextCheck(task(1), 10_000, known(few), wide).at - 10_000).toBe(SCHEDULE.uncertainMaxGapMs);
		expect(nextCheck(task(1), 10_000, known(many), wide).at - 10_000).toBeGreaterThan(SCHEDULE.uncertainMaxGapMs);
		expect(nextCheck(task(2), 10_000, known(NONE, 100), wide).at - 10_000).toBe(SCHEDULE.uncertainMaxGapMs);
	});

	test('blind: a lone task is checked like the loop; many peers share the looking, at staggered times', () => {
		expect(nextCheck(task(2), 0, known(NONE, 1), bounds)).toEqual({ at: SCHEDULE.loopIntervalMs, mode: 'blind' });
		const firstGaps = Array.from({ length: 10 }, (_, i) => nextCheck(task(1, { index: i }), 0, known(NONE, 10), bounds).at);
		expect(new Set(firstGaps).size).toBe(10);
		for (const at of firstGaps) expect(at).toBeGreaterThanOrEqual(0.5 * 10 * SCHEDULE.blindPerPeerMs);
		const staggers = Array.from({ length: 50 }, (_, i) => staggerOf(i));
		expect(Math.max(...staggers)).toBeLessThan(1);
		expect(Math.min(...staggers)).toBeGreaterThanOrEqual(0);
	});

	test('property: every check lands within [min, Poll Interval] from now, and never after the deadline unseen', () => {
		const sample = fc.record({ atMs: fc.integer({ min: 0, max: 600_000 }), progress: fc.integer({ min: 0, max: 100 }) });
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 600_000 }),
				fc.integer({ min: 0, max: 20 }),
				fc.array(sample, { maxLength: 6 }),
				fc.array(fc.integer({ min: 1, max: 600_000 }), { maxLength: 40 }),
				fc.integer({ min: 1, max: 500 }),
				fc.integer({ min: 0, max: 5000 }),
				fc.integer({ min: 0, max: 60_000 }),
				fc.integer({ min: 0, max: 1_200_000 }),
				(now, polls, samples, total, peers, min, extra, deadline) => {
					samples.sort((x, y) => x.atMs - y.atMs);
					const b = { minMs: min, maxMs: min + extra };
					const t = task(polls, { samples, deadline });
					const { at } = nextCheck(t, now, known({ total, generation: [] }, peers), b);
					const lastLook = Math.max(now + min, deadline - API_RESOLUTION_MS);
					const lateStart = polls === 0 && deadline - API_RESOLUTION_MS <= now;
					return Number.isFinite(at) && at <= Math.min(now + b.maxMs, lastLook) && (lateStart || at >= now + Math.min(min, lastLook - now));
				},
			),
		);
	});
});

describe('helpers', () => {
	test('retryDelay doubles from 1 s; checkAt keeps it within the bounds', () => {
		expect([1, 2, 3, 4, 5].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 16_000]);
		expect(Number.isFinite(retryDelay(5000))).toBe(true);
		expect(checkAt(task(1), 0, retryDelay(50), bounds)).toBe(bounds.maxMs);
		expect(checkAt(task(1, { deadline: 5000 }), 0, 20_000, bounds)).toBe(4000);
	});

	test('clamp keeps min when the bounds cross', () => {
		expect([5, -1, 50].map((v) => clamp(v, 1, 10))).toEqual([5, 1, 10]);
		expect(clamp(5, 8, 2)).toBe(8);
	});
});
