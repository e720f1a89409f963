import fc from 'fast-check';
import {
	DENSE_INTERVAL_MS,
	FIRST_POLL_MS,
	clamp,
	estimateFinish,
	estimateFromPeers,
	estimateFromProgress,
	median,
	medianAbsoluteDeviation,
	nextPollDelay,
	retryDelay,
	type ScheduleInput,
} from '../../../../../nodes/shared/poller/schedule';

const base: ScheduleInput = {
	elapsedMs: 0,
	polls: 1,
	samples: [],
	peerDurationsMs: [],
	minIntervalMs: 1000,
	pollIntervalMs: 30_000,
};

describe('schedule: helpers', () => {
	test('median and median absolute deviation', () => {
		expect(median([])).toBeUndefined();
		expect(median([5, 1, 3])).toBe(3);
		expect(median([4, 1, 3, 2])).toBe(2.5);
		expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1);
	});

	test('clamp keeps min when the bounds cross', () => {
		expect(clamp(5, 1, 10)).toBe(5);
		expect(clamp(-1, 1, 10)).toBe(1);
		expect(clamp(50, 1, 10)).toBe(10);
		expect(clamp(5, 8, 2)).toBe(8);
	});

	test('retryDelay doubles from 1 s and is capped by the poll interval', () => {
		expect([1, 2, 3, 4, 5, 6, 50].map((n) => retryDelay(n, 1000, 10_000))).toEqual([
			1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
		]);
		expect(retryDelay(1, 3000, 10_000)).toBe(3000);
	});
});

describe('schedule: estimates', () => {
	test('linear progress extrapolates to 100 %', () => {
		const e = estimateFromProgress([
			{ atMs: 10_000, progress: 20 },
			{ atMs: 20_000, progress: 40 },
		]);
		expect(e?.finishAtMs).toBe(50_000);
		expect(e?.source).toBe('progress');
	});

	test('a single reading extrapolates from 0 % at the start', () => {
		expect(estimateFromProgress([{ atMs: 5000, progress: 10 }])?.finishAtMs).toBe(50_000);
	});

	test('queued at 0 % first: the current rate counts, not the average since the start', () => {
		const e = estimateFromProgress([
			{ atMs: 5000, progress: 0 },
			{ atMs: 10_000, progress: 0 },
			{ atMs: 15_000, progress: 10 },
			{ atMs: 20_000, progress: 30 },
		]);
		// Reference is (15 s, 10 %): 20 points in 5 s → 70 points in 17.5 s.
		expect(e?.finishAtMs).toBe(37_500);
	});

	test('uncertainty shrinks as the progress span grows', () => {
		const early = estimateFromProgress([{ atMs: 2000, progress: 4 }])!;
		const later = estimateFromProgress([
			{ atMs: 2000, progress: 4 },
			{ atMs: 30_000, progress: 60 },
		])!;
		expect(later.uncertaintyMs).toBeLessThan(early.uncertaintyMs / 5);
		expect(later.uncertaintyMs).toBeGreaterThanOrEqual(1000);
	});

	test('no estimate without rising progress', () => {
		expect(estimateFromProgress([])).toBeUndefined();
		expect(estimateFromProgress([{ atMs: 3000, progress: 0 }])).toBeUndefined();
		expect(estimateFromProgress([{ atMs: 3000, progress: 100 }])).toBeUndefined();
	});

	test('peers: median duration, spread from their MAD (or a fifth of it with < 3 peers)', () => {
		expect(estimateFromPeers([])).toBeUndefined();
		expect(estimateFromPeers([40_000])).toEqual({ finishAtMs: 40_000, uncertaintyMs: 8000, source: 'peers' });
		expect(estimateFromPeers([30_000, 31_000, 32_000, 60_000])).toEqual({
			finishAtMs: 31_500,
			uncertaintyMs: 1500,
			source: 'peers',
		});
	});

	test('the task’s own progress beats its peers', () => {
		const e = estimateFinish({ samples: [{ atMs: 10_000, progress: 50 }], peerDurationsMs: [60_000] });
		expect(e?.source).toBe('progress');
		expect(estimateFinish({ samples: [], peerDurationsMs: [60_000] })?.source).toBe('peers');
	});
});

describe('schedule: nextPollDelay', () => {
	test('first poll comes soon', () => {
		expect(nextPollDelay({ ...base, polls: 0 })).toBe(FIRST_POLL_MS);
		expect(nextPollDelay({ ...base, polls: 0, minIntervalMs: 5000 })).toBe(5000);
	});

	test('before the expected finish window: one sparse jump to where it opens', () => {
		const samples = [
			{ atMs: 2000, progress: 4 },
			{ atMs: 20_000, progress: 40 },
		];
		const e = estimateFromProgress(samples)!;
		const delay = nextPollDelay({ ...base, elapsedMs: 20_000, samples });
		expect(delay).toBeCloseTo(e.finishAtMs - e.uncertaintyMs - 20_000, 6);
		expect(delay).toBeGreaterThan(20_000);
		// …but never past the user's upper bound.
		expect(nextPollDelay({ ...base, elapsedMs: 20_000, samples, pollIntervalMs: 10_000 })).toBe(10_000);
	});

	test('inside the window: dense polls, aimed just after the predicted finish', () => {
		const samples = [
			{ atMs: 2000, progress: 4 },
			{ atMs: 48_000, progress: 96 },
		];
		// Predicted finish at 50 s.
		expect(nextPollDelay({ ...base, elapsedMs: 48_000, samples })).toBeLessThanOrEqual(2 * DENSE_INTERVAL_MS);
		expect(nextPollDelay({ ...base, elapsedMs: 49_500, samples })).toBe(DENSE_INTERVAL_MS);
	});

	test('peers only: dense near their median, sparse well before it', () => {
		const peers = [40_000, 40_500, 41_000];
		expect(nextPollDelay({ ...base, elapsedMs: 10_000, peerDurationsMs: peers })).toBeGreaterThan(20_000);
		expect(nextPollDelay({ ...base, elapsedMs: 40_000, peerDurationsMs: peers })).toBeLessThanOrEqual(2000);
	});

	test('overdue past the window: the delay grows with the overshoot', () => {
		const peers = [20_000, 20_000, 20_000];
		const a = nextPollDelay({ ...base, elapsedMs: 25_000, peerDurationsMs: peers });
		const b = nextPollDelay({ ...base, elapsedMs: 45_000, peerDurationsMs: peers });
		expect(a).toBeGreaterThanOrEqual(1000);
		expect(b).toBeGreaterThan(a);
	});

	test('no information: a quarter of the elapsed time', () => {
		expect(nextPollDelay({ ...base, elapsedMs: 2000 })).toBe(1000);
		expect(nextPollDelay({ ...base, elapsedMs: 40_000 })).toBe(10_000);
		expect(nextPollDelay({ ...base, elapsedMs: 400_000 })).toBe(30_000);
	});

	test('property: always within [minIntervalMs, pollIntervalMs]', () => {
		const sample = fc.record({ atMs: fc.integer({ min: 0, max: 600_000 }), progress: fc.integer({ min: 0, max: 100 }) });
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 600_000 }),
				fc.integer({ min: 0, max: 20 }),
				fc.array(sample, { maxLength: 6 }),
				fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 6 }),
				fc.integer({ min: 0, max: 5000 }),
				fc.integer({ min: 0, max: 60_000 }),
				(elapsedMs, polls, samples, peers, min, extra) => {
					samples.sort((x, y) => x.atMs - y.atMs);
					const max = min + extra;
					const d = nextPollDelay({ elapsedMs, polls, samples, peerDurationsMs: peers, minIntervalMs: min, pollIntervalMs: max });
					return Number.isFinite(d) && d >= min && d <= max;
				},
			),
		);
	});
});
