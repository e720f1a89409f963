import { API_RESOLUTION_MS } from './taskState';

/** Where a running task will likely finish, from learned durations smoothed by a box kernel ("about this long"). */
const WINDOW = {
	/** The window opens where this share of the still possible durations lies below (checks before it find 1 in 20). */
	startShare: 0.05,
	/**
	 * Below manySamples durations the low tail is poorly known (a new task falls below the shortest of n with chance
	 * 1 / (n + 1), over 3 % below 30): the window opens at fewSamplesStartShare, not to miss a short task before it.
	 */
	manySamples: 30,
	fewSamplesStartShare: 0.01,
	/** Below this share of the durations still ahead, the task has outlived what was learned. */
	minShareAhead: 0.02,
	/** Fewer samples than this say nothing of the spread: assume a fifth of their median each way. */
	fewSamples: 3,
	fewSamplesShare: 0.2,
	/** Bisection steps: 40 halvings of a range of hours end well below a millisecond. */
	bisections: 40,
};

/** `opensAt` undefined: the task outlived almost every duration; `widthMs`: before its age cut the window. */
export type FinishWindow = { opensAt?: number; endsAt: number; widthMs: number; samples: number };

function quantile(values: readonly number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

export function medianDuration(durations: readonly number[]): number | undefined {
	return durations.length ? quantile(durations, 0.5) : undefined;
}

/** The kernel's half-width: Silverman's rule, robust to an outlier (interquartile range); no finer than the API. */
export function bandwidthOf(durations: readonly number[]): number {
	const n = durations.length;
	if (n < WINDOW.fewSamples) {
		const median = medianDuration(durations) ?? 0;
		return Math.max(API_RESOLUTION_MS, WINDOW.fewSamplesShare * median);
	}
	const mean = durations.reduce((sum, v) => sum + v, 0) / n;
	const sd = Math.sqrt(durations.reduce((sum, v) => sum + (v - mean) ** 2, 0) / n);
	// 1.34: a normal distribution's interquartile range in standard deviations; 0.9 n^-1/5: Silverman's factor.
	const iqr = quantile(durations, 0.75) - quantile(durations, 0.25);
	const spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
	return Math.max(API_RESOLUTION_MS, 0.9 * spread * n ** -0.2);
}

function shareAbove(u: number, durations: readonly number[], bandwidth: number): number {
	let sum = 0;
	for (const d of durations) {
		if (u <= d - bandwidth) sum += 1;
		else if (u < d + bandwidth) sum += (d + bandwidth - u) / (2 * bandwidth);
	}
	return sum / durations.length;
}

/** The window of a task still running at `runningAt` whose duration counts from `anchorAt` (epoch ms). */
export function finishWindow(durations: readonly number[], anchorAt: number, runningAt: number) {
	if (durations.length === 0) return undefined;
	const bandwidth = bandwidthOf(durations);
	const last = Math.max(...durations) + bandwidth;
	const opensAfter = windowStart(durations, bandwidth, runningAt - anchorAt);
	// A few durations say where, not how wide.
	const fullWidth = last - (windowStart(durations, bandwidth, -Infinity) ?? last);
	const widthMs = durations.length < WINDOW.fewSamples ? Infinity : fullWidth;
	const window: FinishWindow = { endsAt: anchorAt + last, widthMs, samples: durations.length };
	if (opensAfter !== undefined) window.opensAt = anchorAt + opensAfter;
	return window;
}

/** The age below which the start share of the durations still possible after `age` lies (bisection). */
function windowStart(durations: readonly number[], bandwidth: number, age: number) {
	const from = Math.max(age, Math.min(...durations) - bandwidth);
	const ahead = shareAbove(from, durations, bandwidth);
	if (ahead < WINDOW.minShareAhead) return undefined;
	const few = durations.length < WINDOW.manySamples;
	const share = few ? WINDOW.fewSamplesStartShare : WINDOW.startShare;
	let [low, high] = [from, Math.max(...durations) + bandwidth];
	for (let i = 0; i < WINDOW.bisections; i++) {
		const mid = (low + high) / 2;
		if (1 - shareAbove(mid, durations, bandwidth) / ahead >= share) high = mid;
		else low = mid;
	}
	return high;
}
